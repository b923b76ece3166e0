/*
 * serve.c: srv_run, the server's life: settle the token and the address,
 * refuse to expose an open API beyond this machine, bind, start the daemon,
 * then wait for SIGINT or SIGTERM and shut down gracefully. With a bundle
 * instead of a workspace (`weft endpoint serve`), it is a standalone
 * scoring server: no workspace, no token, no UI, only the scoring routes.
 */
#include "endpoints_int.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <microhttpd.h>
#include <netdb.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define SRV__DRAIN_SECONDS 5
#define SRV__CONNECTION_LIMIT 512u
#define SRV__IDLE_TIMEOUT_S 60u

static int srv__cores(void)
{
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    return n > 0 && n < 1024 ? (int)n : 1;
}

/* Trims surrounding white space in place. */
static char *srv__trim(char *s)
{
    while (*s == ' ' || *s == '\t' || *s == '\r' || *s == '\n')
        s++;
    size_t n = strlen(s);
    while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\r' || s[n - 1] == '\n'))
        s[--n] = '\0';
    return s;
}

/* The token: --token, else $WEFT_TOKEN, else <workspace>/token; NULL when
 * none is set. *source says which. */
static int srv__find_token(const srv_options *opt, char **out, const char **source, wf_error *err)
{
    *out = NULL;
    *source = NULL;
    const char *env = getenv("WEFT_TOKEN");
    if (opt->token != NULL && opt->token[0] != '\0') {
        *source = "--token";
        *out = wf_strdup(opt->token);
    } else if (env != NULL && env[0] != '\0') {
        *source = "WEFT_TOKEN";
        *out = wf_strdup(env);
    } else {
        char path[PATH_MAX];
        if ((size_t)snprintf(path, sizeof path, "%s/token", opt->workspace_dir) >= sizeof path)
            return 0;
        if (access(path, F_OK) != 0) return 0;
        char *text = NULL;
        size_t size;
        if (wf_read_file(path, &text, &size, err) < 0)
            return wf_error_prefix(err, "reading the workspace's token file");
        char *t = srv__trim(text);
        if (t[0] != '\0') {
            *source = "<workspace>/token";
            *out = wf_strdup(t);
        }
        free(text);
        if (*source == NULL) return 0;
    }
    if (*out == NULL) return wf_error_set(err, WF_ENOMEM, "out of memory");
    char *t = srv__trim(*out);
    memmove(*out, t, strlen(t) + 1);
    if ((*out)[0] == '\0') {
        free(*out);
        *out = NULL;
    }
    return 0;
}

static bool srv__is_loopback(const struct sockaddr *sa)
{
    if (sa->sa_family == AF_INET) {
        const struct sockaddr_in *in = (const struct sockaddr_in *)sa;
        return (ntohl(in->sin_addr.s_addr) >> 24) == 127;
    }
    if (sa->sa_family == AF_INET6) {
        const struct in6_addr *a = &((const struct sockaddr_in6 *)sa)->sin6_addr;
        if (IN6_IS_ADDR_LOOPBACK(a)) return true;
        return IN6_IS_ADDR_V4MAPPED(a) && a->s6_addr[12] == 127;
    }
    return false;
}

/* Resolves host and binds a listening socket on port (0: any free one).
 * *bound gets the port; *loopback whether only this machine can connect. */
static int srv__listen(const char *host, int port, int *fd_out, int *bound, bool *loopback,
                       bool *ipv6, wf_error *err)
{
    struct addrinfo hints = {.ai_family = AF_UNSPEC,
                             .ai_socktype = SOCK_STREAM,
                             .ai_flags = AI_PASSIVE | AI_NUMERICSERV};
    struct addrinfo *ai = NULL;
    char service[16];
    snprintf(service, sizeof service, "%d", port);
    int rc = getaddrinfo(host, service, &hints, &ai);
    if (rc != 0 || ai == NULL)
        return wf_error_set(err, WF_EINVAL, "cannot use host \"%s\": %s", host, gai_strerror(rc));
    *loopback = srv__is_loopback(ai->ai_addr);
    *ipv6 = ai->ai_family == AF_INET6;
    int fd = socket(ai->ai_family, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    int one = 1;
    if (fd < 0 || setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) != 0 ||
        bind(fd, ai->ai_addr, ai->ai_addrlen) != 0 || listen(fd, SOMAXCONN) != 0) {
        int e = errno;
        if (fd >= 0) close(fd);
        freeaddrinfo(ai);
        return wf_error_set(err, WF_EIO, "cannot listen on %s port %d: %s%s", host, port,
                            strerror(e),
                            e == EADDRINUSE ? " (another server? choose a port with --port)" : "");
    }
    freeaddrinfo(ai);
    struct sockaddr_storage ss;
    socklen_t len = sizeof ss;
    getsockname(fd, (struct sockaddr *)&ss, &len);
    *bound = ntohs(ss.ss_family == AF_INET6 ? ((struct sockaddr_in6 *)&ss)->sin6_port
                                            : ((struct sockaddr_in *)&ss)->sin_port);
    *fd_out = fd;
    return 0;
}

/* libmicrohttpd's messages, prefixed. A client that goes away mid-reply is
 * routine for a server (a closed tab, an aborted stream): not worth a line. */
static void srv__mhd_log(void *cls, const char *fmt, va_list ap)
{
    (void)cls;
    char line[512];
    vsnprintf(line, sizeof line, fmt, ap);
    if (strstr(line, "no longer available for sending") != NULL ||
        strstr(line, "closed by remote side") != NULL)
        return;
    size_t n = strlen(line);
    while (n > 0 && line[n - 1] == '\n')
        line[--n] = '\0';
    fprintf(stderr, "weft: http: %s\n", line);
}

static int srv__write_port_file(const char *path, int port, wf_error *err)
{
    char text[16];
    int n = snprintf(text, sizeof text, "%d\n", port);
    return wf_write_file_atomic(path, text, (size_t)n, err);
}

static void srv__free(srv_server *s)
{
    srv__endpoints_stop(s);
    eng_bus_free(s->bus);
    srv__workspaces_fini(s);
    free(s->workspace_dir);
    free(s->workspace_name);
    free(s->workspace_real);
    free(s->token);
    free(s->ui_dir);
}

static double srv__now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

/* Waits for SIGINT or SIGTERM (blocked in every thread), then drains. */
static void srv__wait_and_drain(srv_server *s, struct MHD_Daemon *d, const sigset_t *signals)
{
    int sig = 0;
    while (sigwait(signals, &sig) != 0) {
    }
    fprintf(stderr, "weft: %s received; finishing the requests in flight\n",
            sig == SIGINT ? "SIGINT" : "SIGTERM");
    MHD_socket listen_fd = MHD_quiesce_daemon(d);
    srv__streams_end(s);
    double deadline = srv__now() + SRV__DRAIN_SECONDS;
    while (atomic_load(&s->inflight) > 0 && srv__now() < deadline) {
        struct timespec tick = {0, 20 * 1000000L};
        if (sigtimedwait(signals, NULL, &tick) > 0) break; /* asked twice: do not wait */
    }
    int left = atomic_load(&s->inflight);
    if (left > 0) fprintf(stderr, "weft: closing %d unfinished requests\n", left);
    MHD_stop_daemon(d);
    if (listen_fd != MHD_INVALID_SOCKET) close(listen_fd);
}

int srv_run(const srv_options *opt, wf_error *err)
{
    bool standalone = opt != NULL && opt->bundle_dir != NULL;
    if (opt == NULL || (opt->workspace_dir == NULL && !standalone))
        return wf_error_set(err, WF_EINVAL, "no workspace directory");
    const char *host = opt->host ? opt->host : "127.0.0.1";
    int port = opt->port == 0 ? 8080 : opt->port == -1 ? 0 : opt->port;
    if (port < 0 || port > 65535)
        return wf_error_set(err, WF_EINVAL, "port %d is not from 1 to 65535", opt->port);

    srv_server *s = calloc(1, sizeof *s);
    if (s == NULL) return wf_error_set(err, WF_ENOMEM, "out of memory");
    int rc = 0;
    st_workspace *ws = NULL;
    int listen_fd = -1;
    struct MHD_Daemon *d = NULL;
    const char *token_source = NULL;
    sigset_t signals, old_mask;
    sigemptyset(&signals);
    sigaddset(&signals, SIGINT);
    sigaddset(&signals, SIGTERM);
    bool masked = false;
    void (*old_pipe)(int) = SIG_ERR;

    s->workspace_dir = wf_strdup(standalone ? opt->bundle_dir : opt->workspace_dir);
    s->jobs = opt->jobs > 0 ? opt->jobs : srv__cores();
    s->body_seconds = opt->body_seconds > 0 ? opt->body_seconds : SRV_BODY_SECONDS;
    if (s->workspace_dir == NULL) {
        rc = wf_error_set(err, WF_ENOMEM, "out of memory");
        goto out;
    }
    /* Open once here: it creates the workspace if needed, migrates it, and
     * settles runs a dead process left behind. A standalone scoring server
     * has no workspace. */
    if (!standalone && (rc = st_open(s->workspace_dir, &ws, err)) < 0) goto out;
    size_t marked = 0;
    if (!standalone && st_runs_mark_interrupted(ws, &marked, err) < 0) goto out;
    if (marked > 0) printf("weft: marked %zu interrupted runs as failed\n", marked);
    size_t cancelled = 0;
    wf_error orphans = {0};
    if (!standalone && eng_cancel_orphaned_jobs(ws, &cancelled, &orphans) < 0)
        fprintf(stderr, "weft: %s\n", orphans.message);
    if (cancelled > 0) printf("weft: cancelled %zu Slurm jobs of interrupted runs\n", cancelled);
    s->workspace_real = realpath(s->workspace_dir, NULL);
    {
        char copy[PATH_MAX];
        snprintf(copy, sizeof copy, "%s", s->workspace_real ? s->workspace_real : s->workspace_dir);
        s->workspace_name = wf_strdup(basename(copy));
    }
    if (!standalone && (rc = srv__find_token(opt, &s->token, &token_source, err)) < 0) goto out;
    s->ui_dir = standalone ? NULL : srv__ui_dir_find(opt->ui_dir);
    s->bus = eng_bus_new();
    if (s->workspace_name == NULL || s->bus == NULL) {
        rc = wf_error_set(err, WF_ENOMEM, "out of memory");
        goto out;
    }

    bool loopback = false, ipv6 = false;
    int bound = 0;
    if ((rc = srv__listen(host, port, &listen_fd, &bound, &loopback, &ipv6, err)) < 0) goto out;
    /* A standalone server has no API to protect: its endpoint's keys guard
     * every route that scores. */
    if (!loopback && s->token == NULL && !standalone) {
        rc = wf_error_set(err, WF_EINVAL,
                          "refusing to serve on %s without a token: anyone who can reach it could "
                          "use the API. Set one with --token T, the WEFT_TOKEN environment "
                          "variable, or a file named token in the workspace",
                          host);
        goto out;
    }

    /* Every thread made from here on inherits the mask; the main thread
     * takes the signals with sigwait. Steps' child processes reset it. */
    pthread_sigmask(SIG_BLOCK, &signals, &old_mask);
    masked = true;
    old_pipe = signal(SIGPIPE, SIG_IGN);
    if ((rc = srv__workspaces_init(s, err)) < 0) goto out;
    if ((rc = srv__streams_start(s, err)) < 0) goto out;
    /* After the mask: the endpoints' thread must not take the signals. */
    if (standalone)
        rc = srv__endpoints_start_bundle(s, opt->bundle_dir, opt->key_file, err);
    else
        rc = srv__endpoints_start(s, ws, err);
    if (rc < 0) goto out;

    unsigned flags = MHD_USE_EPOLL_INTERNAL_THREAD | MHD_USE_ERROR_LOG | MHD_ALLOW_SUSPEND_RESUME;
    if (ipv6) flags |= MHD_USE_IPv6;
    d = MHD_start_daemon(
        flags, 0, NULL, NULL, srv__access, s, MHD_OPTION_EXTERNAL_LOGGER, srv__mhd_log, NULL,
        MHD_OPTION_LISTEN_SOCKET, (MHD_socket)listen_fd, MHD_OPTION_THREAD_POOL_SIZE,
        (unsigned)srv__cores(), MHD_OPTION_CONNECTION_LIMIT, SRV__CONNECTION_LIMIT,
        MHD_OPTION_CONNECTION_TIMEOUT, SRV__IDLE_TIMEOUT_S, MHD_OPTION_URI_LOG_CALLBACK,
        srv__exchange_new, s, MHD_OPTION_NOTIFY_COMPLETED, srv__exchange_end, s, MHD_OPTION_END);
    if (d == NULL) {
        rc = wf_error_set(err, WF_EIO, "cannot start the HTTP daemon");
        goto out;
    }
    s->daemon = d;
    listen_fd = -1; /* the daemon's now */

    printf("weft serving %s%s on http://%s%s%s:%d\n", standalone ? "the endpoint bundle " : "",
           s->workspace_real ? s->workspace_real : s->workspace_dir, ipv6 ? "[" : "", host,
           ipv6 ? "]" : "", bound);
    if (standalone)
        printf("weft: scoring only; every scoring route needs \"Authorization: Bearer <key>\" "
               "with the endpoint's key\n");
    else if (s->token == NULL)
        printf("weft: the API is open: no token is set, and only this machine can connect. "
               "To require one: --token T, WEFT_TOKEN, or <workspace>/token\n");
    else
        printf("weft: the API needs \"Authorization: Bearer <token>\" (the token from %s)\n",
               token_source);
    if (!standalone && s->ui_dir != NULL)
        printf("weft: serving the UI from %s\n", s->ui_dir);
    else if (!standalone && opt->ui_dir != NULL)
        printf("weft: %s holds no index.html, so there is no UI to serve\n", opt->ui_dir);
    else if (!standalone)
        printf("weft: the UI is not built; / says how to build it\n");
    fflush(stdout);
    if (opt->port_file != NULL && (rc = srv__write_port_file(opt->port_file, bound, err)) < 0) {
        MHD_stop_daemon(d);
        goto out;
    }

    srv__wait_and_drain(s, d, &signals);
    /* Runs first: their threads may still wake streams while they end. */
    srv_runs_shutdown(s);
    srv__streams_stop(s);
    wf_error sweep = {0};
    if (ws != NULL && st_runs_mark_interrupted(ws, NULL, &sweep) < 0)
        fprintf(stderr, "weft: marking interrupted runs: %s\n", sweep.message);
    fprintf(stderr, "weft: stopped\n");

out:
    if (listen_fd >= 0) close(listen_fd);
    srv__streams_stop(s);
    srv__free(s);
    free(s);
    st_close(ws);
    if (old_pipe != SIG_ERR) signal(SIGPIPE, old_pipe);
    if (masked) {
        /* A signal repeated while shutting down is answered by the shutdown
         * itself: take it, so unmasking does not end the process with it. */
        struct timespec now = {0, 0};
        while (sigtimedwait(&signals, NULL, &now) > 0) {
        }
        pthread_sigmask(SIG_SETMASK, &old_mask, NULL);
    }
    return rc;
}
