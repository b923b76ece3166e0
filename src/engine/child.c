/*
 * child.c: one step's process, seen from the executor: starting it, feeding
 * it its description, reading its report and its log, watching its memory,
 * killing it and reaping it.
 *
 * Each step runs `weft step` in a process group of its own, so that a kill
 * reaches whatever the module started too (Execute Python Script starts a
 * python3), and so that a Ctrl-C at the terminal reaches only `weft run`,
 * which then cancels in order. The child asks the kernel to SIGKILL it when
 * the executor's thread dies (PR_SET_PDEATHSIG): a `kill -9` of `weft run`
 * must not leave steps running and writing into the workspace.
 *
 * Exits are noticed through a pidfd, which poll() reports readable when the
 * process ends, so the executor wakes at once instead of on a timer. Before
 * the child is reaped (while its pid cannot be reused), the rest of its
 * group is killed, so a grandchild that holds the output pipe cannot keep
 * the step alive.
 *
 * The stdin of the child is a socket rather than a pipe so that writing to
 * a child that died early fails with EPIPE (MSG_NOSIGNAL) instead of
 * raising SIGPIPE in the executor, which may be the server.
 */
#include "run_int.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

/* A log line longer than this is cut into pieces for events (the log file
 * keeps every byte). */
#define ENG__LINE_MAX 8192

double eng__now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void eng__close(int *fd)
{
    if (*fd >= 0) close(*fd);
    *fd = -1;
}

static int eng__pidfd_open(pid_t pid)
{
#ifdef SYS_pidfd_open
    int fd = (int)syscall(SYS_pidfd_open, pid, 0);
    if (fd >= 0) fcntl(fd, F_SETFD, FD_CLOEXEC);
    return fd;
#else
    (void)pid;
    return -1;
#endif
}

/* The step's environment: ours, plus OMP_WAIT_POLICY=PASSIVE unless it is
 * set. Steps run side by side on few cores, and OpenMP threads (XGBoost's,
 * OpenBLAS's) that spin while waiting for each other then burn the CPU the
 * other steps need: a 100k-row boosting fit took 32 s instead of 4 s on a
 * loaded 2-core machine. libgomp reads the variable when it loads, so it
 * must be in the environment the step starts with. Built before fork (the
 * child may only make async-signal-safe calls); NULL on OOM. */
static char **eng__step_environment(void)
{
    extern char **environ;
    size_t n = 0;
    bool has_policy = false;
    for (; environ[n] != NULL; n++)
        if (strncmp(environ[n], "OMP_WAIT_POLICY=", 16) == 0) has_policy = true;
    char **env = wf_calloc(n + 2, sizeof *env);
    if (env == NULL) return NULL;
    memcpy(env, environ, n * sizeof *env);
    if (!has_policy) env[n] = (char *)"OMP_WAIT_POLICY=PASSIVE";
    return env;
}

/* In the forked child, before exec: only async-signal-safe calls. */
static void eng__exec_child(const char *binary, char **env, pid_t parent, int in_fd, int out_fd,
                            int report_fd)
{
    setpgid(0, 0);
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    /* The parent may have died between fork and prctl. */
    if (getppid() != parent) _exit(127);
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, NULL);
    /* Move the three ends above 0-3 first, so that no dup2 below can
     * overwrite one that is still to be copied; dup2 then clears
     * close-on-exec on 0-3, and every other descriptor of ours has it. */
    int in_hi = fcntl(in_fd, F_DUPFD_CLOEXEC, 10);
    int out_hi = fcntl(out_fd, F_DUPFD_CLOEXEC, 10);
    int report_hi = fcntl(report_fd, F_DUPFD_CLOEXEC, 10);
    if (in_hi < 0 || out_hi < 0 || report_hi < 0) _exit(127);
    if (dup2(in_hi, 0) < 0 || dup2(out_hi, 1) < 0 || dup2(out_hi, 2) < 0 || dup2(report_hi, 3) < 0)
        _exit(127);
#ifdef SYS_close_range
    /* Descriptors a host process opened without close-on-exec (a server's
     * sockets) must not leak into modules. */
    syscall(SYS_close_range, 4U, ~0U, 0U);
#endif
    char *const argv[] = {(char *)"weft", (char *)"step", (char *)"--report-fd",
                          (char *)"3",    (char *)"-",    NULL};
    execve(binary, argv, env);
    static const char msg[] = "weft: cannot start the step process\n";
    ssize_t ignored = write(2, msg, sizeof msg - 1);
    (void)ignored;
    _exit(127);
}

int eng__child_spawn(eng__child *c, const char *binary, const char *description,
                     const char *log_path, wf_error *err)
{
    eng__child_init(c);
    int in[2] = {-1, -1}, out[2] = {-1, -1}, report[2] = {-1, -1};
    int e = 0;
    const char *doing = "open the log file";
    c->log_fd = open(log_path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (c->log_fd < 0) goto fail;
    doing = "create pipes for";
    if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, in) < 0 || pipe2(out, O_CLOEXEC) < 0 ||
        pipe2(report, O_CLOEXEC) < 0)
        goto fail;
    c->input_len = strlen(description);
    if ((c->input = wf_strndup(description, c->input_len)) == NULL) {
        errno = ENOMEM;
        goto fail;
    }
    char **env = eng__step_environment();
    if (env == NULL) {
        errno = ENOMEM;
        goto fail;
    }
    pid_t parent = getpid();
    doing = "fork";
    pid_t pid = fork();
    if (pid == 0) eng__exec_child(binary, env, parent, in[1], out[1], report[1]);
    free(env); /* the strings are environ's */
    if (pid < 0) goto fail;
    /* Both sides set the group, so it exists whichever runs first: a kill
     * of the group right after fork must not miss. */
    setpgid(pid, pid);
    c->pid = pid;
    c->started = eng__now();
    c->pidfd = eng__pidfd_open(pid);
    close(in[1]);
    close(out[1]);
    close(report[1]);
    c->stdin_fd = in[0];
    c->output_fd = out[0];
    c->report_fd = report[0];
    fcntl(c->stdin_fd, F_SETFL, O_NONBLOCK);
    fcntl(c->output_fd, F_SETFL, O_NONBLOCK);
    fcntl(c->report_fd, F_SETFL, O_NONBLOCK);
    return 0;
fail:
    e = errno;
    for (int i = 0; i < 2; i++) {
        eng__close(&in[i]);
        eng__close(&out[i]);
        eng__close(&report[i]);
    }
    eng__close(&c->log_fd);
    free(c->input);
    c->input = NULL;
    return wf_error_set(err, e == ENOMEM ? WF_ENOMEM : WF_EIO, "cannot %s the step: %s", doing,
                        strerror(e));
}

size_t eng__child_pollfds(const eng__child *c, struct pollfd *fds)
{
    size_t n = 0;
    if (c->stdin_fd >= 0) fds[n++] = (struct pollfd){.fd = c->stdin_fd, .events = POLLOUT};
    if (c->report_fd >= 0) fds[n++] = (struct pollfd){.fd = c->report_fd, .events = POLLIN};
    if (c->output_fd >= 0) fds[n++] = (struct pollfd){.fd = c->output_fd, .events = POLLIN};
    if (c->pidfd >= 0 && !c->exited) fds[n++] = (struct pollfd){.fd = c->pidfd, .events = POLLIN};
    return n;
}

static void eng__write_input(eng__child *c)
{
    while (c->stdin_fd >= 0 && c->input_off < c->input_len) {
        ssize_t w =
            send(c->stdin_fd, c->input + c->input_off, c->input_len - c->input_off, MSG_NOSIGNAL);
        if (w < 0 && errno == EINTR) continue;
        if (w < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) return;
        if (w <= 0) break; /* the child is gone; its exit tells the rest */
        c->input_off += (size_t)w;
    }
    /* Closing stdin is the end of the description. */
    eng__close(&c->stdin_fd);
}

/* Splits buf's complete lines off to on_line; with `flush`, the rest too. */
static void eng__dispatch_lines(wf_buf *buf, bool report, bool flush, eng__line_fn on_line,
                                void *user)
{
    size_t start = 0;
    for (size_t i = 0; i < buf->len; i++) {
        bool cut = buf->data[i] == '\n' || (!report && i - start >= ENG__LINE_MAX);
        if (!cut) continue;
        bool newline = buf->data[i] == '\n';
        char saved = buf->data[i];
        buf->data[i] = '\0';
        if (i > start && buf->data[i - 1] == '\r') buf->data[i - 1] = '\0';
        on_line(user, report, buf->data + start);
        buf->data[i] = saved;
        start = newline ? i + 1 : i;
    }
    if (flush && start < buf->len) {
        on_line(user, report, buf->data + start);
        start = buf->len;
    }
    if (start > 0) {
        memmove(buf->data, buf->data + start, buf->len - start);
        buf->len -= start;
        buf->data[buf->len] = '\0';
    }
}

/* Reads what is there; closes the fd at end of file. */
static void eng__read_fd(eng__child *c, int *fd, bool report, eng__line_fn on_line, void *user)
{
    char chunk[16384];
    while (*fd >= 0) {
        ssize_t r = read(*fd, chunk, sizeof chunk);
        if (r < 0 && errno == EINTR) continue;
        if (r < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) return;
        if (r <= 0) {
            eng__close(fd);
            break;
        }
        if (!report && c->log_fd >= 0) {
            /* The log file is a record for people; losing it must not fail
             * the step, so a short write is only given up on. */
            ssize_t w = write(c->log_fd, chunk, (size_t)r);
            (void)w;
        }
        wf_buf *line = report ? &c->report_line : &c->output_line;
        wf_buf_append(line, chunk, (size_t)r);
        if (line->failed) {
            /* Out of memory: drop what is buffered rather than the step. */
            wf_buf_free(line);
            continue;
        }
        eng__dispatch_lines(line, report, false, on_line, user);
    }
    /* At end of file a last line may lack its newline. */
    wf_buf *line = report ? &c->report_line : &c->output_line;
    if (*fd < 0) eng__dispatch_lines(line, report, true, on_line, user);
}

bool eng__child_service(eng__child *c, eng__line_fn on_line, void *user)
{
    if (c->pid == 0) return true;
    eng__write_input(c);
    eng__read_fd(c, &c->report_fd, true, on_line, user);
    eng__read_fd(c, &c->output_fd, false, on_line, user);
    if (!c->exited) {
        siginfo_t info;
        memset(&info, 0, sizeof info);
        /* WNOWAIT: look without reaping, so the pid (the group's id) stays
         * ours while the rest of the group is killed. */
        int rc = waitid(P_PID, (id_t)c->pid, &info, WEXITED | WNOHANG | WNOWAIT);
        if (rc == 0 && info.si_pid == c->pid) {
            kill(-c->pid, SIGKILL);
            while (wait4(c->pid, &c->status, 0, &c->usage) < 0 && errno == EINTR)
                ;
            c->exited = true;
        } else if (rc < 0 && errno == ECHILD) {
            /* Reaped behind our back (a host that ignores SIGCHLD): the
             * status is lost. */
            c->status = 255 << 8;
            c->exited = true;
        }
        if (c->exited) {
            eng__close(&c->pidfd);
            eng__close(&c->stdin_fd);
            /* What the group wrote before it died is in the pipes; take it,
             * but never wait for more: a process that escaped the group
             * could hold a pipe open for ever. */
            eng__read_fd(c, &c->report_fd, true, on_line, user);
            eng__read_fd(c, &c->output_fd, false, on_line, user);
            eng__close(&c->report_fd);
            eng__close(&c->output_fd);
            eng__dispatch_lines(&c->report_line, true, true, on_line, user);
            eng__dispatch_lines(&c->output_line, false, true, on_line, user);
        }
    }
    return c->exited && c->report_fd < 0 && c->output_fd < 0;
}

void eng__child_kill(eng__child *c, eng__kill_reason why)
{
    if (c->pid == 0 || c->exited) return;
    if (c->killed == ENG__KILL_NONE) c->killed = why;
    kill(-c->pid, SIGKILL);
}

int64_t eng__child_rss_kb(const eng__child *c)
{
    if (c->pid == 0 || c->exited) return 0;
    char path[64];
    snprintf(path, sizeof path, "/proc/%ld/statm", (long)c->pid);
    FILE *f = fopen(path, "re");
    if (f == NULL) return 0;
    unsigned long long size = 0, resident = 0;
    int n = fscanf(f, "%llu %llu", &size, &resident);
    fclose(f);
    if (n != 2) return 0;
    return (int64_t)(resident * (unsigned long long)sysconf(_SC_PAGESIZE) / 1024);
}

void eng__child_init(eng__child *c)
{
    memset(c, 0, sizeof *c);
    c->pidfd = c->stdin_fd = c->report_fd = c->output_fd = c->log_fd = -1;
}

void eng__child_clear(eng__child *c)
{
    if (c == NULL) return;
    if (c->pid != 0 && !c->exited) {
        /* Never leave a step behind, whatever the caller forgot. */
        kill(-c->pid, SIGKILL);
        while (waitpid(c->pid, &c->status, 0) < 0 && errno == EINTR)
            ;
        c->exited = true;
    }
    eng__close(&c->pidfd);
    eng__close(&c->stdin_fd);
    eng__close(&c->report_fd);
    eng__close(&c->output_fd);
    eng__close(&c->log_fd);
    free(c->input);
    c->input = NULL;
    wf_buf_free(&c->report_line);
    wf_buf_free(&c->output_line);
}
