/*
 * python_process.c: the python3 process of Execute Python Script: starting
 * it with a clean environment, passing every line it prints to the step
 * log as it comes, killing it on cancel, and leaving nothing behind.
 *
 * Process groups. Under `weft step` the module runs in a process that leads
 * a group of its own, which the engine kills as a whole on timeout and
 * cancel, and sweeps when the step ends (engine/child.c). There python3
 * stays in that group, so that whatever the script starts (a subprocess,
 * joblib workers) is inside what the engine kills. Anywhere else (tests, a
 * caller with a cancel flag), python3 leads a group of its own, which this
 * file kills when ctx->cancel is set and sweeps as soon as python3 exits.
 * Either way the kernel kills python3 if the thread that started it dies
 * (PR_SET_PDEATHSIG), so even a `kill -9` of weft does not leave it
 * running.
 *
 * The exit is noticed through a pidfd, which poll() reports as soon as the
 * process ends; the cancel flag is looked at every PY__POLL_MS.
 */
#include "python_int.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

const char *mod__python_binary = "/usr/bin/python3";

#define PY__POLL_MS 50
/* mod_log keeps 2047 bytes of a line: longer lines go out in pieces. */
#define PY__LINE_MAX 2000
/* A script that prints without end must not fill the log. */
#define PY__LOG_MAX (4u << 20)
/* After python3 exits, how long to wait for the last of its output: at
 * most PY__DRAIN_S in all, or PY__DRAIN_MS of silence. */
#define PY__DRAIN_MS 100
#define PY__DRAIN_S 1.0

/* ---- the log ----------------------------------------------------------- */

typedef struct py__log {
    mod_ctx *ctx;
    char line[PY__LINE_MAX + 1];
    size_t len;
    size_t total; /* bytes logged so far */
    bool capped;
} py__log;

static void py__log_emit(py__log *g, size_t n)
{
    size_t keep = g->len - n;
    size_t shown = n;
    if (shown > 0 && g->line[shown - 1] == '\r') shown--;
    char saved = g->line[shown];
    g->line[shown] = '\0';
    /* Log lines travel as JSON, which wants UTF-8: a byte that is not
     * (sys.stdout.buffer.write(b"\xff")) is shown as '?'. */
    size_t bad, from = 0;
    while (!wf_utf8_valid(g->line + from, shown - from, &bad)) {
        g->line[from + bad] = '?';
        from += bad + 1;
    }
    g->total += n;
    if (g->total <= PY__LOG_MAX) {
        mod_log(g->ctx, "%s", g->line);
    } else if (!g->capped) {
        g->capped = true;
        mod_log(g->ctx, "(the script printed more than %u MB; the rest is not logged)",
                PY__LOG_MAX >> 20);
    }
    g->line[shown] = saved;
    memmove(g->line, g->line + n, keep);
    g->len = keep;
}

/* Where to cut a full line of len bytes so that it does not end inside a
 * UTF-8 character: before the last character's first byte when that
 * character is incomplete. */
static size_t py__utf8_cut(const char *s, size_t len)
{
    size_t i = len;
    while (i > 0 && len - i < 3 && ((unsigned char)s[i - 1] & 0xC0) == 0x80)
        i--;
    if (i == 0 || ((unsigned char)s[i - 1] & 0xC0) != 0xC0) return len;
    unsigned char lead = (unsigned char)s[i - 1];
    size_t need = lead >= 0xF0 ? 4 : lead >= 0xE0 ? 3 : 2;
    return len - (i - 1) >= need || i == 1 ? len : i - 1;
}

static void py__log_bytes(py__log *g, const char *p, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (p[i] == '\n') {
            py__log_emit(g, g->len);
            continue;
        }
        g->line[g->len++] = p[i];
        if (g->len == PY__LINE_MAX) py__log_emit(g, py__utf8_cut(g->line, g->len));
    }
}

/* Reads what is there, up to 1 MiB (so that a script printing without
 * pause cannot keep the cancel flag from being looked at); false at end of
 * file (or on an error). */
static bool py__log_read(py__log *g, int fd)
{
    char chunk[65536];
    for (int i = 0; i < 16; i++) {
        ssize_t r = read(fd, chunk, sizeof chunk);
        if (r > 0) {
            py__log_bytes(g, chunk, (size_t)r);
            continue;
        }
        if (r < 0 && errno == EINTR) continue;
        return r < 0 && (errno == EAGAIN || errno == EWOULDBLOCK);
    }
    return true;
}

/* ---- starting ---------------------------------------------------------- */

/* In the forked child, before exec: only async-signal-safe calls. Reports
 * a failure to start as errno on report_fd (fd 3 by then), which the exec
 * closes when it succeeds. */
static void py__exec_child(char *const argv[], char *const envp[], const char *dir, bool own_group,
                           pid_t parent, int null_fd, int out_fd, int report_fd)
{
    if (own_group) setpgid(0, 0);
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    /* The parent may have died between fork and prctl. */
    if (getppid() != parent) _exit(127);
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, NULL);
    /* Ignored signals stay ignored across exec (a server ignores SIGPIPE);
     * Python expects the defaults. */
    struct sigaction dfl;
    memset(&dfl, 0, sizeof dfl);
    dfl.sa_handler = SIG_DFL;
    int defaults[] = {SIGPIPE, SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGCHLD};
    for (size_t i = 0; i < sizeof defaults / sizeof defaults[0]; i++)
        sigaction(defaults[i], &dfl, NULL);
    /* Move the ends above 0-3 first, so that no dup2 overwrites one still
     * to be copied. */
    int in_hi = fcntl(null_fd, F_DUPFD_CLOEXEC, 10);
    int out_hi = fcntl(out_fd, F_DUPFD_CLOEXEC, 10);
    int report_hi = fcntl(report_fd, F_DUPFD_CLOEXEC, 10);
    if (in_hi < 0 || out_hi < 0 || report_hi < 0) _exit(127);
    if (dup2(in_hi, 0) < 0 || dup2(out_hi, 1) < 0 || dup2(out_hi, 2) < 0 ||
        dup2(report_hi, 3) < 0 || fcntl(3, F_SETFD, FD_CLOEXEC) < 0)
        _exit(127);
#ifdef SYS_close_range
    /* Descriptors a host opened without close-on-exec must not leak into
     * the script. */
    syscall(SYS_close_range, 4U, ~0U, 0U);
#endif
    int e = 0;
    if (chdir(dir) < 0) {
        e = errno;
    } else {
        execve(argv[0], argv, envp);
        e = errno;
    }
    ssize_t ignored = write(3, &e, sizeof e);
    (void)ignored;
    _exit(127);
}

static int py__pidfd_open(pid_t pid)
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

/* Whether pid has ended; it stays a zombie, so its id is not reused. (A
 * caller that ignores SIGCHLD has no zombies: ECHILD then means ended.) */
static bool py__ended(pid_t pid)
{
    siginfo_t si;
    memset(&si, 0, sizeof si);
    if (waitid(P_PID, (id_t)pid, &si, WEXITED | WNOHANG | WNOWAIT) < 0) return errno == ECHILD;
    return si.si_pid == pid;
}

static double py__now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Follows the process until it ends: its output to the log, cancel. */
static void py__follow(mod_ctx *ctx, pid_t pid, bool own_group, int out_fd, mod__py_exit *how)
{
    py__log log = {.ctx = ctx};
    int pidfd = py__pidfd_open(pid);
    fcntl(out_fd, F_SETFL, O_NONBLOCK);
    bool open_out = true;
    while (!py__ended(pid)) {
        if (!how->canceled && mod_cancelled(ctx)) {
            how->canceled = true;
            kill(own_group ? -pid : pid, SIGKILL);
        }
        struct pollfd fds[2];
        nfds_t n = 0;
        if (open_out) fds[n++] = (struct pollfd){.fd = out_fd, .events = POLLIN};
        if (pidfd >= 0) fds[n++] = (struct pollfd){.fd = pidfd, .events = POLLIN};
        if (poll(fds, n, PY__POLL_MS) > 0 && open_out && fds[0].revents != 0)
            open_out = py__log_read(&log, out_fd);
    }
    /* Sweep what python3 left in its group while its zombie holds the id,
     * then take the last of the output. */
    if (own_group) kill(-pid, SIGKILL);
    /* Something python3 started may still hold the pipe (under `weft step`,
     * until the engine's sweep), so the wait is bounded. */
    double deadline = py__now() + PY__DRAIN_S;
    while (open_out && py__now() < deadline) {
        struct pollfd p = {.fd = out_fd, .events = POLLIN};
        if (poll(&p, 1, PY__DRAIN_MS) <= 0) break;
        open_out = py__log_read(&log, out_fd);
    }
    if (log.len > 0) py__log_emit(&log, log.len);
    if (pidfd >= 0) close(pidfd);
    int status = 0;
    pid_t got;
    while ((got = waitpid(pid, &status, 0)) < 0 && errno == EINTR)
        ;
    if (got != pid) return; /* reaped already (SIGCHLD ignored): status.json tells */
    if (WIFEXITED(status)) how->code = WEXITSTATUS(status);
    if (WIFSIGNALED(status)) how->signal = WTERMSIG(status);
}

int mod__py_run_process(mod_ctx *ctx, const char *dir, mod__py_exit *how)
{
    memset(how, 0, sizeof *how);
    const char *python = mod__python_binary;
    if (access(python, X_OK) < 0)
        return mod_fail(ctx, WF_ENOTFOUND,
                        "cannot run %s: %s. Execute Python Script needs Debian's python3 with "
                        "pandas and numpy (apt-get install python3-pandas)",
                        python, strerror(errno));
    /* A clean environment: nothing of the caller's Python setup, no user
     * site-packages, no bytecode written anywhere, and HOME and TMPDIR in
     * the step's folder, which is removed afterwards. */
    char home[PATH_MAX + 8], tmpdir[PATH_MAX + 8], mpl[PATH_MAX + 16];
    snprintf(home, sizeof home, "HOME=%s", dir);
    snprintf(tmpdir, sizeof tmpdir, "TMPDIR=%s", dir);
    snprintf(mpl, sizeof mpl, "MPLCONFIGDIR=%s", dir);
    char *envp[] = {(char *)"PATH=/usr/bin:/bin", home, tmpdir, mpl, (char *)"LANG=C.UTF-8",
                    (char *)"LC_ALL=C.UTF-8", (char *)"PYTHONNOUSERSITE=1",
                    (char *)"PYTHONDONTWRITEBYTECODE=1", (char *)"PYTHONUNBUFFERED=1",
                    (char *)"PYTHONIOENCODING=utf-8:backslashreplace",
                    /* Set and dict orders the same on every run. */
                    (char *)"PYTHONHASHSEED=0", (char *)"MPLBACKEND=Agg", NULL};
    char *argv[] = {(char *)python,           (char *)"-B", (char *)"-s", (char *)"-u",
                    (char *)"weft_bridge.py", NULL};

    int out[2] = {-1, -1}, report[2] = {-1, -1};
    int null_fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
    if (null_fd < 0 || pipe2(out, O_CLOEXEC) < 0 || pipe2(report, O_CLOEXEC) < 0) {
        int e = errno;
        for (int i = 0; i < 2; i++) {
            if (out[i] >= 0) close(out[i]);
            if (report[i] >= 0) close(report[i]);
        }
        if (null_fd >= 0) close(null_fd);
        return mod_fail(ctx, WF_EIO, "cannot set up pipes for python3: %s", strerror(e));
    }
    bool own_group = ctx->cancel != NULL || getpgrp() != getpid();
    pid_t parent = getpid();
    fflush(NULL);
    pid_t pid = fork();
    if (pid == 0) py__exec_child(argv, envp, dir, own_group, parent, null_fd, out[1], report[1]);
    int fork_errno = errno;
    /* Both sides set the group, so it exists whichever runs first. */
    if (pid > 0 && own_group) setpgid(pid, pid);
    close(null_fd);
    close(out[1]);
    close(report[1]);
    if (pid < 0) {
        close(out[0]);
        close(report[0]);
        return mod_fail(ctx, WF_EIO, "cannot start python3: fork: %s", strerror(fork_errno));
    }
    int e = 0;
    ssize_t r;
    while ((r = read(report[0], &e, sizeof e)) < 0 && errno == EINTR)
        ;
    close(report[0]);
    if (r == (ssize_t)sizeof e) {
        while (waitpid(pid, NULL, 0) < 0 && errno == EINTR)
            ;
        close(out[0]);
        return mod_fail(ctx, WF_EIO, "cannot start %s in %s: %s", python, dir, strerror(e));
    }
    py__follow(ctx, pid, own_group, out[0], how);
    close(out[0]);
    return 0;
}
