/*
 * local.c: the local backend. Each step is a child process on this machine
 * (child.c), up to `jobs` at once, with a watchdog on its time and its
 * resident memory.
 *
 * The memory limit is a watchdog on the child's resident set, not
 * RLIMIT_AS: address-space limits break sanitizer runtimes (their shadow
 * memory reserves terabytes of addresses) and count untouched
 * reservations, while what exhausts a machine is resident memory. The same
 * mechanism in every build keeps behaviour identical.
 */
#include "run_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct eng__local {
    eng__backend base;
    char *binary;
    double time_limit_s;
    size_t memory_limit_mb;
} eng__local;

static int eng__local_start(eng__backend *b, eng__task *t, const eng__task_spec *spec,
                            wf_error *err)
{
    eng__local *l = (eng__local *)b;
    eng__child *c = malloc(sizeof *c);
    char *desc = json_dumps(spec->description, JSON_COMPACT | JSON_SORT_KEYS);
    const char *dir = st_workspace_dir(spec->ws);
    size_t n = strlen(dir) + strlen(spec->log_rel) + 2;
    char *log_abs = malloc(n);
    int rc;
    if (c == NULL || desc == NULL || log_abs == NULL) {
        rc = wf_error_set(err, WF_ENOMEM, "out of memory");
    } else {
        snprintf(log_abs, n, "%s/%s", dir, spec->log_rel);
        rc = eng__child_spawn(c, l->binary, desc, log_abs, err);
    }
    free(desc);
    free(log_abs);
    if (rc < 0) {
        free(c);
        return rc;
    }
    t->impl = c;
    t->started = c->started;
    return 0;
}

static size_t eng__local_pollfds(eng__backend *b, const eng__task *t, struct pollfd *fds)
{
    (void)b;
    return t->impl ? eng__child_pollfds(t->impl, fds) : 0;
}

static void eng__local_kill(eng__backend *b, eng__task *t, eng__kill_reason why)
{
    (void)b;
    if (t->impl == NULL) return;
    if (t->killed == ENG__KILL_NONE) t->killed = why;
    eng__child_kill(t->impl, why);
}

static bool eng__local_service(eng__backend *b, eng__task *t, eng__line_fn on_line, void *user)
{
    eng__local *l = (eng__local *)b;
    eng__child *c = t->impl;
    if (c == NULL) return true;
    if (eng__child_service(c, on_line, user)) {
        t->status = c->status;
        /* ru_maxrss is in kilobytes on Linux. */
        if (c->usage.ru_maxrss > t->peak_rss_kb) t->peak_rss_kb = c->usage.ru_maxrss;
        return true;
    }
    int64_t rss = eng__child_rss_kb(c);
    if (rss > t->peak_rss_kb) t->peak_rss_kb = rss;
    if (eng__now() - c->started > l->time_limit_s)
        eng__local_kill(b, t, ENG__KILL_TIME);
    else if (rss > (int64_t)l->memory_limit_mb * 1024)
        eng__local_kill(b, t, ENG__KILL_MEMORY);
    return false;
}

static void eng__local_clear(eng__backend *b, eng__task *t)
{
    (void)b;
    if (t->impl == NULL) return;
    eng__child_clear(t->impl);
    free(t->impl);
    t->impl = NULL;
}

static void eng__local_free(eng__backend *b)
{
    eng__local *l = (eng__local *)b;
    free(l->binary);
    free(l->base.target);
    free(l);
}

static const eng__backend_ops eng__local_ops = {
    .start = eng__local_start,
    .pollfds = eng__local_pollfds,
    .service = eng__local_service,
    .kill = eng__local_kill,
    .clear = eng__local_clear,
    .free = eng__local_free,
};

int eng__local_backend_new(const eng__backend_env *env, const char *target, const json_t *config,
                           eng__backend **out, wf_error *err)
{
    *out = NULL;
    eng__local *l = calloc(1, sizeof *l);
    if (l == NULL || (l->binary = wf_strdup(env->binary)) == NULL ||
        (l->base.target = wf_strdup(target)) == NULL) {
        if (l != NULL) free(l->binary);
        free(l);
        return wf_error_set(err, WF_ENOMEM, "out of memory");
    }
    l->base.ops = &eng__local_ops;
    l->base.limit = env->jobs;
    json_t *retries = json_object_get(config, "retries");
    l->base.retries = json_is_integer(retries) ? (int)json_integer_value(retries) : 0;
    l->time_limit_s = env->time_limit_s;
    l->memory_limit_mb = env->memory_limit_mb;
    *out = &l->base;
    return 0;
}
