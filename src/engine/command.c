/*
 * command.c: a command run in the background (run_int.h, eng__cmd): the
 * Slurm backend's sbatch, squeue and scancel. Started, then polled on each
 * of the executor's turns, so that a command that takes long (a Slurm
 * client whose controller is down takes about 9 s to give up) never stops
 * the executor's thread from reading records and logs meanwhile.
 */
#include "run_int.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

/* How long a command may run before it is killed. */
#define ENG__COMMAND_S 60.0

void eng__cmd_init(eng__cmd *c)
{
    memset(c, 0, sizeof *c);
    c->fd = -1;
}

/* Starts argv. 0, or -1 with c->out saying why (nothing runs then). */
int eng__cmd_start(eng__cmd *c, char *const argv[])
{
    extern char **environ;
    eng__cmd_init(c);
    int fds[2];
    if (pipe2(fds, O_CLOEXEC) < 0) {
        wf_buf_printf(&c->out, "cannot run %s: %s", argv[0], strerror(errno));
        return -1;
    }
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_adddup2(&fa, fds[1], 1);
    posix_spawn_file_actions_adddup2(&fa, fds[1], 2);
    /* Descriptors a host opened without close-on-exec (a server's sockets)
     * must not reach Slurm's commands. */
    posix_spawn_file_actions_addclosefrom_np(&fa, 3);
    int rc = posix_spawnp(&c->pid, argv[0], &fa, NULL, argv, environ);
    posix_spawn_file_actions_destroy(&fa);
    close(fds[1]);
    if (rc != 0) {
        close(fds[0]);
        c->pid = 0;
        wf_buf_printf(&c->out, "cannot run %s: %s", argv[0], strerror(rc));
        return -1;
    }
    c->fd = fds[0];
    fcntl(c->fd, F_SETFL, O_NONBLOCK);
    c->until = eng__now() + ENG__COMMAND_S;
    return 0;
}

/* Reads what is there without waiting. True once the command has ended:
 * *status is its exit status, or -1 when it was killed or timed out;
 * c->out holds all it wrote (NUL-terminated). */
bool eng__cmd_poll(eng__cmd *c, int *status)
{
    *status = -1;
    if (c->pid == 0) return true;
    while (c->fd >= 0) {
        char chunk[4096];
        ssize_t r = read(c->fd, chunk, sizeof chunk);
        if (r < 0 && errno == EINTR) continue;
        if (r < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) break;
        if (r <= 0) {
            close(c->fd);
            c->fd = -1;
            break;
        }
        wf_buf_append(&c->out, chunk, (size_t)r);
    }
    int st = 0;
    pid_t r = c->fd < 0 ? waitpid(c->pid, &st, WNOHANG) : 0;
    if (r == 0) {
        if (eng__now() < c->until) return false;
        c->timed_out = true;
        kill(c->pid, SIGKILL);
        while ((r = waitpid(c->pid, &st, 0)) < 0 && errno == EINTR)
            ;
        wf_buf_printf(&c->out, "\ndid not answer within %g s", ENG__COMMAND_S);
    }
    if (c->fd >= 0) close(c->fd);
    c->fd = -1;
    c->pid = 0;
    if (c->out.data == NULL) wf_buf_puts(&c->out, "");
    if (r > 0 && !c->timed_out && WIFEXITED(st)) *status = WEXITSTATUS(st);
    return true;
}

/* Kills what still runs and frees the output. */
void eng__cmd_clear(eng__cmd *c)
{
    if (c->pid != 0) {
        kill(c->pid, SIGKILL);
        while (waitpid(c->pid, NULL, 0) < 0 && errno == EINTR)
            ;
    }
    if (c->fd >= 0) close(c->fd);
    wf_buf_free(&c->out);
    eng__cmd_init(c);
}

/* Waits for a started command to end (the run is being cleared up, and
 * waiting is right). */
int eng__cmd_finish(eng__cmd *c)
{
    int status;
    while (!eng__cmd_poll(c, &status)) {
        struct pollfd p = {.fd = c->fd, .events = POLLIN};
        if (poll(&p, c->fd >= 0 ? 1 : 0, 50) < 0 && errno != EINTR) usleep(50000);
    }
    return status;
}

/* Runs argv to its end; its output is dropped. */
int eng__cmd_run(char *const argv[])
{
    eng__cmd c;
    int status = eng__cmd_start(&c, argv) < 0 ? -1 : eng__cmd_finish(&c);
    eng__cmd_clear(&c);
    return status;
}

/* The last non-empty line of a command's output, for messages. */
void eng__last_line(const char *text, char *buf, size_t cap)
{
    buf[0] = '\0';
    if (text == NULL) return;
    const char *end = text + strlen(text);
    while (end > text && (end[-1] == '\n' || end[-1] == '\r' || end[-1] == ' '))
        end--;
    const char *start = end;
    while (start > text && start[-1] != '\n')
        start--;
    snprintf(buf, cap, "%.*s", (int)(end - start), start);
}
