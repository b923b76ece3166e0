/*
 * executor.c: eng_run, the executor. It validates and plans the pipeline,
 * records the run with its snapshot, then schedules the steps: in
 * topological order, independent branches side by side, each step handed
 * to the backend of its compute target (run_int.h): the local backend runs
 * it in a child process of its own (local.c, child.c; step.c is the child),
 * up to `jobs` at once; the Slurm backend submits it as a batch job
 * (slurm.c). The node's "compute" field overrides the run's target.
 *
 * One thread does everything with poll(): it waits on what the backends
 * give it to wait on (the children's pipes and pidfds), services every
 * running step on each tick (a Slurm job has nothing to wait on: its
 * backend looks at files and asks the scheduler), and checks whether
 * someone asked to cancel. One thread means no locks, and the step's
 * database rows have one writer.
 *
 * A step that fails is tried again as many times as its retries say (the
 * node's, else its target's; none by default).
 *
 * Step rows are written in batches: every transition marks the step dirty
 * and the loop writes all dirty steps in one transaction per turn, so a run
 * whose fifty steps are all reused costs one transaction, not fifty.
 */
#include "run_int.h"
#include "record.h"

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#define ENG__DEFAULT_TIME_LIMIT_S 3600.0
/* How often running steps are checked against their limits. */
#define ENG__TICK_MS 20
/* How often the database is asked whether a cancel was requested. */
#define ENG__CANCEL_POLL_S 0.2
#define ENG__MAX_JOBS 256

typedef struct eng__exec_step {
    eng_status status;
    char **outputs; /* per output port: its digest once known */
    char key[WF_SHA256_HEX];
    bool cache_checked; /* the cache was asked once; a step waiting for a
                           free job is not asked again on every turn */
    st_step rec;        /* the row, as it will be written */
    bool dirty;
    eng__backend *backend; /* where it runs (one of eng__exec.backends) */
    eng__task task;
    int retries, attempt; /* tries after the first allowed, and made */
    char job_recorded[32];
    bool running;
    bool done;             /* the child reported {"done": true} */
    char *child_error;     /* the child reported {"error": ...} */
    char *last_log;        /* its last non-empty log line */
    json_t *registrations; /* the datasets it asked to register (record.h), or NULL */
} eng__exec_step;

typedef struct eng__exec {
    st_workspace *ws;
    const eng_run_options *opt;
    eng__plan plan;
    eng__exec_step *steps;
    int64_t run_id;
    size_t jobs, running;
    double time_limit_s;
    size_t memory_limit_mb;
    const char *binary;
    eng__backend **backends; /* one per compute target the run uses */
    size_t nbackends;
    eng__backend **where; /* per step: its backend, until the steps exist */
    bool canceling;
    double next_cancel_poll;
    wf_error fatal; /* a store failure that ends the run */
} eng__exec;

/* ---- events and transitions ------------------------------------------------ */

static void eng__emit(eng__exec *e, eng_event_kind kind, const char *node, eng_status status,
                      const char *message, double progress)
{
    if (e->opt->on_event == NULL) return;
    eng_event ev = {.kind = kind,
                    .run_id = e->run_id,
                    .node = node,
                    .status = status,
                    .message = message,
                    .progress = progress};
    e->opt->on_event(e->opt->user, &ev);
}

static void eng__replace(char **field, const char *value)
{
    char *copy = wf_strdup(value ? value : "");
    if (copy == NULL) return; /* keeps the old text; the status still changes */
    free(*field);
    *field = copy;
}

/* Moves step i to `status`, stamping times, and publishes the change. */
static void eng__transition(eng__exec *e, size_t i, eng_status status, const char *error)
{
    eng__exec_step *s = &e->steps[i];
    char now[ST_TIMESTAMP_MAX];
    st_timestamp(now);
    s->status = status;
    eng__replace(&s->rec.status, eng_status_name(status));
    if (status == ENG_RUNNING) eng__replace(&s->rec.started_at, now);
    if (status != ENG_QUEUED && status != ENG_RUNNING) {
        eng__replace(&s->rec.finished_at, now);
        if (s->rec.started_at == NULL || s->rec.started_at[0] == '\0')
            eng__replace(&s->rec.started_at, now);
    }
    if (error != NULL) eng__replace(&s->rec.error, error);
    s->dirty = true;
    eng__emit(e, ENG_EVENT_STEP, e->plan.steps[i].node->id, status, error, 0);
}

/* {"port": "digest", ...} of step i's known outputs. */
static char *eng__outputs_json(eng__exec *e, size_t i)
{
    const mod_descriptor *m = e->plan.steps[i].module;
    json_t *o = json_object();
    for (size_t k = 0; o != NULL && k < m->noutputs; k++)
        if (e->steps[i].outputs[k] != NULL &&
            json_object_set_new(o, m->outputs[k].name, json_string(e->steps[i].outputs[k])) < 0) {
            json_decref(o);
            o = NULL;
        }
    char *text = o ? json_dumps(o, JSON_COMPACT | JSON_SORT_KEYS) : NULL;
    json_decref(o);
    return text;
}

/* The dirty steps, as rows to write (shallow copies: the strings stay
 * ours). NULL on OOM. */
static st_step *eng__dirty(eng__exec *e, size_t *n)
{
    *n = 0;
    st_step *batch = wf_calloc(e->plan.nsteps ? e->plan.nsteps : 1, sizeof *batch);
    for (size_t i = 0; batch != NULL && i < e->plan.nsteps; i++)
        if (e->steps[i].dirty) batch[(*n)++] = e->steps[i].rec;
    return batch;
}

static void eng__mark_clean(eng__exec *e)
{
    for (size_t i = 0; i < e->plan.nsteps; i++)
        e->steps[i].dirty = false;
}

/* Writes every dirty step in one transaction. */
static int eng__flush(eng__exec *e)
{
    size_t n;
    st_step *batch = eng__dirty(e, &n);
    int rc = batch ? st_steps_upsert(e->ws, batch, n, &e->fatal)
                   : wf_error_set(&e->fatal, WF_ENOMEM, "out of memory");
    free(batch);
    if (rc == 0) eng__mark_clean(e);
    return rc;
}

/* Writes the last dirty steps and the run's final status together. */
static void eng__finish_run(eng__exec *e, eng_status outcome, const char *msg)
{
    size_t n;
    st_step *batch = eng__dirty(e, &n);
    wf_error err = {0};
    if (batch == NULL ||
        st_run_finish(e->ws, e->run_id, eng_status_name(outcome), msg, batch, n, &err) < 0)
        /* At least the run must not stay "running" for ever. */
        st_run_set_status(e->ws, e->run_id, eng_status_name(outcome), err.code ? err.message : msg,
                          NULL);
    free(batch);
}

/* ---- cancel ---------------------------------------------------------------- */

static void eng__check_cancel(eng__exec *e)
{
    if (e->canceling) return;
    bool requested = e->opt->cancel != NULL && *e->opt->cancel;
    double now = eng__now();
    if (!requested && now >= e->next_cancel_poll) {
        e->next_cancel_poll = now + ENG__CANCEL_POLL_S;
        /* A failed poll is not worth failing the run over: the next one
         * will ask again. */
        st_run_cancel_requested(e->ws, e->run_id, &requested, NULL);
    }
    if (!requested && e->fatal.code == 0) return;
    e->canceling = true;
    for (size_t i = 0; i < e->plan.nsteps; i++) {
        eng__exec_step *s = &e->steps[i];
        if (s->running) s->backend->ops->kill(s->backend, &s->task, ENG__KILL_CANCEL);
    }
}

/* ---- starting a step ------------------------------------------------------- */

/* The description `weft step` reads (run_int.h); a new reference. */
static json_t *eng__description(eng__exec *e, size_t i)
{
    const eng__step *p = &e->plan.steps[i];
    const mod_descriptor *m = p->module;
    /* The seed comes from the key, so the same inputs and parameters give
     * the same random draws, and the key need not include it. */
    uint64_t seed = 0;
    for (int k = 0; k < 15; k++) {
        char c = e->steps[i].key[k];
        seed = seed * 16 + (uint64_t)(c <= '9' ? c - '0' : c - 'a' + 10);
    }
    json_t *inputs = json_array(), *outputs = json_array(), *datasets = json_object(),
           *digests = json_object();
    bool ok = inputs != NULL && outputs != NULL && datasets != NULL && digests != NULL;
    for (size_t k = 0; ok && k < m->ninputs; k++) {
        int src = p->src_step[k];
        if (src < 0) continue;
        ok = json_array_append_new(inputs,
                                   json_pack("{s:s, s:s, s:s}", "port", m->inputs[k].name, "kind",
                                             mod_port_kind_name(m->inputs[k].kind), "digest",
                                             e->steps[src].outputs[p->src_port[k]])) == 0;
    }
    for (size_t k = 0; ok && k < m->noutputs; k++)
        ok = json_array_append_new(outputs,
                                   json_pack("{s:s, s:s}", "port", m->outputs[k].name, "kind",
                                             mod_port_kind_name(m->outputs[k].kind))) == 0;
    /* The dataset as the plan pinned it, and its table's digest, which a
     * step loads without asking the database. */
    if (ok && p->dataset_ref != NULL)
        ok = json_object_set_new(datasets, p->dataset_name, json_string(p->dataset_ref)) == 0 &&
             json_object_set_new(digests, p->dataset_name, json_string(p->dataset_digest)) == 0;
    json_t *desc = ok ? json_pack("{s:s, s:I, s:s, s:s, s:O, s:I, s:O, s:O, s:O, s:O}", "workspace",
                                  st_workspace_dir(e->ws), "run", (json_int_t)e->run_id, "node",
                                  p->node->id, "module", p->module_ref, "params", p->params, "seed",
                                  (json_int_t)seed, "inputs", inputs, "outputs", outputs,
                                  "datasets", datasets, "dataset_digests", digests)
                      : NULL;
    json_decref(inputs);
    json_decref(outputs);
    json_decref(datasets);
    json_decref(digests);
    return desc;
}

/* "logs/<run>/<node>.log"; node ids are letters, digits, '-' and '_' after
 * validation, but a path is no place to trust that. */
static char *eng__log_rel(int64_t run_id, const char *node)
{
    char safe[128];
    size_t n = 0;
    for (; node[n] != '\0' && n < sizeof safe - 1; n++) {
        char c = node[n];
        bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                  c == '-' || c == '_';
        safe[n] = ok ? c : '_';
    }
    safe[n] = '\0';
    char rel[200];
    snprintf(rel, sizeof rel, "logs/%lld/%s.log", (long long)run_id, safe);
    return wf_strdup(rel);
}

/* Hands step i to its backend. */
static int eng__launch(eng__exec *e, size_t i, wf_error *err)
{
    eng__exec_step *s = &e->steps[i];
    json_t *desc = eng__description(e, i);
    eng__task_spec spec = {.ws = e->ws,
                           .run_id = e->run_id,
                           .node = e->plan.steps[i].node->id,
                           .description = desc,
                           .log_rel = s->rec.log_path};
    memset(&s->task, 0, sizeof s->task);
    int rc = desc == NULL || s->rec.log_path == NULL
                 ? wf_error_set(err, WF_ENOMEM, "out of memory")
                 : s->backend->ops->start(s->backend, &s->task, &spec, err);
    json_decref(desc);
    if (rc < 0) return rc;
    s->running = true;
    s->backend->running++;
    e->running++;
    return 0;
}

static void eng__start(eng__exec *e, size_t i)
{
    wf_error err = {0};
    if (eng__launch(e, i, &err) < 0)
        eng__transition(e, i, ENG_FAILED, err.message);
    else
        eng__transition(e, i, ENG_RUNNING, NULL);
}

/* ---- scheduling ------------------------------------------------------------ */

/* Whether step i can use a cached result: every output artifact it names
 * must still be in the workspace. */
static bool eng__try_reuse(eng__exec *e, size_t i)
{
    eng__exec_step *s = &e->steps[i];
    const mod_descriptor *m = e->plan.steps[i].module;
    char *text = NULL;
    int64_t from_run = 0;
    if (st_cache_lookup(e->ws, s->key, &text, &from_run, NULL) != 1) return false;
    json_t *outputs = json_loads(text, 0, NULL);
    free(text);
    bool ok = json_is_object(outputs);
    for (size_t k = 0; ok && k < m->noutputs; k++) {
        const char *d = json_string_value(json_object_get(outputs, m->outputs[k].name));
        ok = d != NULL && st_artifact_exists(e->ws, d);
    }
    for (size_t k = 0; ok && k < m->noutputs; k++) {
        s->outputs[k] = wf_strdup(json_string_value(json_object_get(outputs, m->outputs[k].name)));
        ok = s->outputs[k] != NULL;
    }
    json_decref(outputs);
    if (!ok) {
        for (size_t k = 0; k < m->noutputs; k++) {
            free(s->outputs[k]);
            s->outputs[k] = NULL;
        }
        return false;
    }
    char *json = eng__outputs_json(e, i);
    if (json != NULL) {
        free(s->rec.outputs_json);
        s->rec.outputs_json = json;
    }
    s->rec.reused_from_run = from_run;
    s->rec.elapsed_ms = 0;
    eng__transition(e, i, ENG_REUSED, NULL);
    return true;
}

/* What step i's inputs allow: 1 ready, 0 wait, -1 never (an upstream step
 * failed or was skipped: *culprit names it), -2 never (canceled upstream). */
static int eng__inputs_state(eng__exec *e, size_t i, const char **culprit)
{
    const eng__step *p = &e->plan.steps[i];
    int state = 1;
    for (size_t k = 0; k < p->module->ninputs; k++) {
        int src = p->src_step[k];
        if (src < 0) continue;
        eng_status st = e->steps[src].status;
        if (st == ENG_COMPLETED || st == ENG_REUSED) continue;
        if (st == ENG_CANCELED) return -2;
        if (st == ENG_FAILED || st == ENG_SKIPPED) {
            *culprit = e->plan.steps[src].node->id;
            return -1;
        }
        state = 0;
    }
    return state;
}

static int eng__compute_key(eng__exec *e, size_t i, wf_error *err)
{
    const eng__step *p = &e->plan.steps[i];
    size_t n = p->module->ninputs;
    const char **digests = wf_calloc(n ? n : 1, sizeof *digests);
    if (digests == NULL) return wf_error_set(err, WF_ENOMEM, "out of memory");
    for (size_t k = 0; k < n; k++)
        if (p->src_step[k] >= 0) digests[k] = e->steps[p->src_step[k]].outputs[p->src_port[k]];
    int rc =
        eng_step_key(p->module_ref, p->params, digests, n, p->dataset_digest, e->steps[i].key, err);
    free(digests);
    if (rc == 0) eng__replace(&e->steps[i].rec.cache_key, e->steps[i].key);
    return rc;
}

/* One pass in topological order: a step whose inputs just became ready is
 * reused or started, and one whose upstream failed is skipped, so a chain
 * of cached steps resolves in a single pass. */
static void eng__schedule(eng__exec *e)
{
    for (size_t o = 0; o < e->plan.nsteps; o++) {
        size_t i = e->plan.order[o];
        eng__exec_step *s = &e->steps[i];
        if (s->status != ENG_QUEUED) continue;
        if (e->canceling) {
            eng__transition(e, i, ENG_CANCELED, "canceled before it started");
            continue;
        }
        const char *culprit = NULL;
        int ready = eng__inputs_state(e, i, &culprit);
        if (ready == -2) {
            eng__transition(e, i, ENG_CANCELED, "canceled: an upstream step was canceled");
            continue;
        }
        if (ready == -1) {
            char msg[256];
            snprintf(msg, sizeof msg, "upstream step %s did not complete", culprit);
            eng__transition(e, i, ENG_SKIPPED, msg);
            continue;
        }
        if (ready == 0) continue;
        if (s->key[0] == '\0') {
            wf_error err = {0};
            if (eng__compute_key(e, i, &err) < 0) {
                eng__transition(e, i, ENG_FAILED, err.message);
                continue;
            }
        }
        if (!s->cache_checked && !e->opt->no_cache && !e->plan.steps[i].regenerate) {
            s->cache_checked = true;
            if (eng__try_reuse(e, i)) continue;
        }
        if (s->backend->running < s->backend->limit) eng__start(e, i);
    }
}

/* ---- a step's process ------------------------------------------------------ */

typedef struct eng__line_ctx {
    eng__exec *e;
    size_t i;
} eng__line_ctx;

static bool eng__is_digest(const char *d)
{
    size_t n = 0;
    for (; d != NULL && d[n] != '\0'; n++)
        if (!((d[n] >= '0' && d[n] <= '9') || (d[n] >= 'a' && d[n] <= 'f'))) return false;
    return n == WF_SHA256_HEX - 1;
}

static void eng__on_report(eng__exec *e, size_t i, const char *line)
{
    eng__exec_step *s = &e->steps[i];
    json_t *msg = json_loads(line, 0, NULL);
    if (!json_is_object(msg)) {
        json_decref(msg);
        return; /* not ours to trust; the exit status decides */
    }
    const mod_descriptor *m = e->plan.steps[i].module;
    json_t *v;
    if (eng__note_registration(msg, &s->registrations)) {
        /* registered once the step has completed */
    } else if ((v = json_object_get(msg, "progress")) != NULL && json_is_number(v)) {
        eng__emit(e, ENG_EVENT_PROGRESS, e->plan.steps[i].node->id, ENG_RUNNING, NULL,
                  json_number_value(v));
    } else if ((v = json_object_get(msg, "output")) != NULL) {
        int k = mod_output_index(m, json_string_value(v));
        const char *digest = json_string_value(json_object_get(msg, "digest"));
        if (k >= 0 && eng__is_digest(digest)) {
            free(s->outputs[k]);
            s->outputs[k] = wf_strdup(digest);
        }
    } else if ((v = json_object_get(msg, "error")) != NULL && json_is_string(v)) {
        free(s->child_error);
        s->child_error = wf_strdup(json_string_value(v));
    } else if (json_is_true(json_object_get(msg, "done"))) {
        s->done = true;
    }
    json_decref(msg);
}

static void eng__on_line(void *user, bool report, const char *line)
{
    eng__line_ctx *ctx = user;
    if (report) {
        eng__on_report(ctx->e, ctx->i, line);
        return;
    }
    eng__exec_step *s = &ctx->e->steps[ctx->i];
    if (line[0] != '\0') eng__replace(&s->last_log, line);
    eng__emit(ctx->e, ENG_EVENT_LOG, ctx->e->plan.steps[ctx->i].node->id, ENG_RUNNING, line, 0);
}

/* A line the executor adds to step ctx->i's log. */
static void eng__said(void *user, const char *line)
{
    eng__line_ctx *ctx = user;
    eng__emit(ctx->e, ENG_EVENT_LOG, ctx->e->plan.steps[ctx->i].node->id, ENG_RUNNING, line, 0);
}

static void eng__signal_text(int sig, char *buf, size_t cap)
{
    const char *abbrev = sigabbrev_np(sig);
    if (abbrev != NULL)
        snprintf(buf, cap, "killed by signal %d (SIG%s)", sig, abbrev);
    else
        snprintf(buf, cap, "killed by signal %d", sig);
}

/* Clears what the last try of step i left, so that it can be tried again. */
static void eng__reset_try(eng__exec *e, size_t i)
{
    eng__exec_step *s = &e->steps[i];
    for (size_t k = 0; k < e->plan.steps[i].module->noutputs; k++) {
        free(s->outputs[k]);
        s->outputs[k] = NULL;
    }
    free(s->child_error);
    free(s->last_log);
    s->child_error = s->last_log = NULL;
    json_decref(s->registrations);
    s->registrations = NULL;
    s->done = false;
    s->rec.signal = 0;
}

/* Whether failed step i gets another try; if so it is started again (and
 * true is returned even when that fails: the step has then ended). */
static bool eng__retry(eng__exec *e, size_t i, const char *why)
{
    eng__exec_step *s = &e->steps[i];
    if (s->attempt >= s->retries || e->canceling || e->fatal.code != 0) return false;
    s->attempt++;
    char line[WF_ERROR_MESSAGE_MAX + 64];
    snprintf(line, sizeof line, "weft: try %d failed: %.900s; trying again (%d of %d)", s->attempt,
             why, s->attempt + 1, s->retries + 1);
    eng__emit(e, ENG_EVENT_LOG, e->plan.steps[i].node->id, ENG_RUNNING, line, 0);
    eng__reset_try(e, i);
    wf_error err = {0};
    if (eng__launch(e, i, &err) < 0) eng__transition(e, i, ENG_FAILED, err.message);
    return true;
}

/* Records how step i's process ended. */
static void eng__finish(eng__exec *e, size_t i)
{
    eng__exec_step *s = &e->steps[i];
    eng__task *t = &s->task;
    const mod_descriptor *m = e->plan.steps[i].module;
    if (t->peak_rss_kb > s->rec.peak_rss_kb) s->rec.peak_rss_kb = t->peak_rss_kb;
    s->rec.elapsed_ms = (int64_t)((eng__now() - t->started) * 1000.0 + 0.5);
    char msg[WF_ERROR_MESSAGE_MAX];
    eng_status status = ENG_FAILED;
    if (t->killed == ENG__KILL_CANCEL) {
        status = ENG_CANCELED;
        snprintf(msg, sizeof msg, "canceled while running");
    } else if (t->killed == ENG__KILL_TIME) {
        s->rec.signal = SIGKILL;
        snprintf(msg, sizeof msg, "time limit %g s exceeded", e->time_limit_s);
    } else if (t->killed == ENG__KILL_MEMORY) {
        s->rec.signal = SIGKILL;
        snprintf(msg, sizeof msg, "memory limit %zu MB exceeded", e->memory_limit_mb);
    } else if (t->reason != NULL) {
        /* The scheduler ended it: its words say why. */
        snprintf(msg, sizeof msg, "%s", t->reason);
    } else if (WIFSIGNALED(t->status)) {
        s->rec.signal = WTERMSIG(t->status);
        eng__signal_text(WTERMSIG(t->status), msg, sizeof msg);
    } else if (WEXITSTATUS(t->status) != 0) {
        if (s->child_error != NULL)
            snprintf(msg, sizeof msg, "%s", s->child_error);
        else
            snprintf(msg, sizeof msg, "exited with status %d%s%.900s", WEXITSTATUS(t->status),
                     s->last_log ? ": " : "", s->last_log ? s->last_log : "");
    } else {
        bool all = s->done;
        for (size_t k = 0; all && k < m->noutputs; k++)
            all = s->outputs[k] != NULL;
        if (all) status = ENG_COMPLETED;
        snprintf(msg, sizeof msg, "the step ended without reporting all its outputs");
    }
    if (status == ENG_COMPLETED) {
        char *json = eng__outputs_json(e, i);
        if (json == NULL) {
            status = ENG_FAILED;
            snprintf(msg, sizeof msg, "out of memory");
        } else {
            free(s->rec.outputs_json);
            s->rec.outputs_json = json;
        }
    }
    /* The step wrote its files; what the database says about them is
     * written here (record.h). */
    wf_error rec = {0};
    eng__line_ctx said = {e, i};
    if (status == ENG_COMPLETED &&
        (eng__record_outputs(e->ws, m, s->outputs, &rec) < 0 ||
         eng__register_datasets(e->ws, s->registrations, e->run_id, e->plan.steps[i].node->id,
                                eng__said, &said, &rec) < 0)) {
        status = ENG_FAILED;
        snprintf(msg, sizeof msg, "%s", rec.message);
    }
    s->backend->ops->clear(s->backend, t);
    free(t->reason);
    t->reason = NULL;
    s->running = false;
    s->backend->running--;
    e->running--;
    if (status == ENG_FAILED && eng__retry(e, i, msg)) return;
    eng__transition(e, i, status, status == ENG_COMPLETED ? NULL : msg);
}

/* Remembers the scheduler job a step runs as, once per job. A failed
 * write costs only that record: the step goes on. */
static void eng__note_job(eng__exec *e, size_t i)
{
    eng__exec_step *s = &e->steps[i];
    if (s->task.job_id[0] == '\0' || strcmp(s->task.job_id, s->job_recorded) == 0) return;
    snprintf(s->job_recorded, sizeof s->job_recorded, "%s", s->task.job_id);
    st_step_set_job(e->ws, e->run_id, e->plan.steps[i].node->id, s->task.job_id, NULL);
}

/* Waits for something to happen to a running step, then handles it. */
static void eng__wait_and_service(eng__exec *e)
{
    size_t cap = e->running * 4 + 1, n = 0;
    struct pollfd *fds = wf_calloc(cap, sizeof *fds);
    for (size_t i = 0; fds != NULL && i < e->plan.nsteps; i++) {
        eng__exec_step *s = &e->steps[i];
        if (s->running) n += s->backend->ops->pollfds(s->backend, &s->task, fds + n);
    }
    /* Without pidfds (old kernels) exits are only seen on the tick. */
    if (poll(fds, fds ? n : 0, ENG__TICK_MS) < 0 && errno != EINTR) usleep(ENG__TICK_MS * 1000);
    free(fds);
    for (size_t i = 0; i < e->plan.nsteps; i++) {
        eng__exec_step *s = &e->steps[i];
        if (!s->running) continue;
        eng__line_ctx ctx = {e, i};
        bool ended = s->backend->ops->service(s->backend, &s->task, eng__on_line, &ctx);
        eng__note_job(e, i);
        if (ended) eng__finish(e, i);
    }
}

/* ---- the run --------------------------------------------------------------- */

static size_t eng__default_memory_mb(void)
{
    long pages = sysconf(_SC_PHYS_PAGES), size = sysconf(_SC_PAGESIZE);
    if (pages <= 0 || size <= 0) return 4096;
    return (size_t)((unsigned long long)pages * (unsigned long long)size / 2 / (1024 * 1024));
}

/* Joins the validation issues into one message: "a.fraction: ...; b: ...". */
static int eng__invalid(const eng_issues *issues, wf_error *err)
{
    wf_buf b = {0};
    wf_buf_puts(&b, "the pipeline is not valid: ");
    for (size_t i = 0; i < issues->count; i++) {
        const eng_issue *is = &issues->items[i];
        if (i > 0) wf_buf_puts(&b, "; ");
        if (is->node[0] != '\0') {
            wf_buf_puts(&b, is->node);
            if (is->field[0] != '\0') wf_buf_printf(&b, ".%s", is->field);
            wf_buf_puts(&b, ": ");
        } else if (is->field[0] != '\0') {
            wf_buf_printf(&b, "%s: ", is->field);
        }
        wf_buf_puts(&b, is->message);
    }
    int rc = wf_error_set(err, WF_EINVAL, "%s", b.data ? b.data : "the pipeline is not valid");
    wf_buf_free(&b);
    return rc;
}

static int eng__validate(st_workspace *ws, const eng_pipeline *p, const json_t *bindings,
                         wf_error *err)
{
    eng_env env = {
        .load_dataset = eng__load_dataset, .load_artifact = eng_load_json_artifact, .user = ws};
    eng_issues issues = {0};
    int rc = eng_pipeline_validate(p, bindings, &env, &issues, err);
    if (rc == 0 && issues.count > 0) rc = eng__invalid(&issues, err);
    eng_issues_clear(&issues);
    return rc;
}

/* Creates the run's rows, its log directory and the executor's state. */
static int eng__prepare(eng__exec *e, const eng_pipeline *p, wf_error *err)
{
    const eng_run_options *opt = e->opt;
    json_t *snapshot = eng__plan_snapshot(&e->plan, opt->bindings);
    char *snap = snapshot ? json_dumps(snapshot, JSON_COMPACT | JSON_SORT_KEYS) : NULL;
    char *params =
        opt->bindings ? json_dumps(opt->bindings, JSON_COMPACT | JSON_SORT_KEYS) : wf_strdup("{}");
    json_decref(snapshot);
    size_t n = e->plan.nsteps;
    const char **ids = wf_calloc(n ? n : 1, sizeof *ids);
    const char **mods = wf_calloc(n ? n : 1, sizeof *mods);
    e->steps = wf_calloc(n ? n : 1, sizeof *e->steps);
    int rc = 0;
    if (snap == NULL || params == NULL || ids == NULL || mods == NULL || e->steps == NULL)
        rc = wf_error_set(err, WF_ENOMEM, "out of memory");
    for (size_t i = 0; rc == 0 && i < n; i++) {
        ids[i] = e->plan.steps[i].node->id;
        mods[i] = e->plan.steps[i].module_ref;
    }
    if (rc == 0) {
        st_run_spec spec = {.experiment = opt->experiment,
                            .pipeline_name = p->name ? p->name : "",
                            .snapshot_json = snap,
                            .parameters_json = params,
                            .node_ids = ids,
                            .modules = mods,
                            .nsteps = n,
                            .running = true};
        rc = st_run_create(e->ws, &spec, &e->run_id, err);
    }
    free(snap);
    free(params);
    free(ids);
    free(mods);
    for (size_t i = 0; rc == 0 && i < n; i++) {
        eng__exec_step *s = &e->steps[i];
        const eng__step *ps = &e->plan.steps[i];
        s->status = ENG_QUEUED;
        s->outputs = wf_calloc(ps->module->noutputs ? ps->module->noutputs : 1, sizeof *s->outputs);
        s->rec.run_id = e->run_id;
        s->rec.node_id = wf_strdup(ps->node->id);
        s->rec.module = wf_strdup(ps->module_ref);
        s->rec.status = wf_strdup("queued");
        s->rec.log_path = eng__log_rel(e->run_id, ps->node->id);
        s->rec.elapsed_ms = -1;
        s->backend = e->where[i];
        int retries = eng_node_retries(ps->node);
        s->retries = retries >= 0 ? retries : s->backend->retries;
        if (!s->outputs || !s->rec.node_id || !s->rec.module || !s->rec.status || !s->rec.log_path)
            rc = wf_error_set(err, WF_ENOMEM, "out of memory");
    }
    if (rc == 0) {
        char rel[64];
        snprintf(rel, sizeof rel, "logs/%lld", (long long)e->run_id);
        size_t len = strlen(st_workspace_dir(e->ws)) + sizeof rel + 2;
        char *dir = malloc(len);
        if (dir == NULL) return wf_error_set(err, WF_ENOMEM, "out of memory");
        snprintf(dir, len, "%s/%s", st_workspace_dir(e->ws), rel);
        rc = wf_mkdirs(dir, err);
        free(dir);
    }
    return rc;
}

/* The backend of compute target `target` (NULL: the run's), opened once
 * per run and shared by the steps that use it. */
static int eng__backend_for(eng__exec *e, const char *target, eng__backend **out, wf_error *err)
{
    if (target == NULL) target = e->opt->compute ? e->opt->compute : ST_COMPUTE_LOCAL;
    for (size_t k = 0; k < e->nbackends; k++)
        if (strcmp(e->backends[k]->target, target) == 0) {
            *out = e->backends[k];
            return 0;
        }
    eng__backend **grown = realloc(e->backends, (e->nbackends + 1) * sizeof *grown);
    if (grown == NULL) return wf_error_set(err, WF_ENOMEM, "out of memory");
    e->backends = grown;
    eng__backend_env env = {.ws = e->ws,
                            .binary = e->binary,
                            .jobs = e->jobs,
                            .time_limit_s = e->time_limit_s,
                            .memory_limit_mb = e->memory_limit_mb};
    int rc = eng__backend_open(&env, target, out, err);
    if (rc == 0) e->backends[e->nbackends++] = *out;
    return rc;
}

/* Chooses where each step runs: the node's target, else the run's. An
 * unknown target fails the run before it is created. */
static int eng__choose_backends(eng__exec *e, wf_error *err)
{
    eng__backend *run_backend = NULL;
    int rc = eng__backend_for(e, NULL, &run_backend, err);
    /* A target that does not exist is a mistake in the request, as an
     * invalid pipeline is. */
    if (rc == WF_ENOTFOUND) err->code = rc = WF_EINVAL;
    if (rc < 0) return rc;
    e->where = wf_calloc(e->plan.nsteps ? e->plan.nsteps : 1, sizeof *e->where);
    if (e->where == NULL) return wf_error_set(err, WF_ENOMEM, "out of memory");
    for (size_t i = 0; i < e->plan.nsteps; i++) {
        const eng_node *n = e->plan.steps[i].node;
        const char *target = eng_node_compute_target(n);
        e->where[i] = run_backend;
        if (target != NULL && (rc = eng__backend_for(e, target, &e->where[i], err)) < 0) {
            if (rc == WF_ENOTFOUND) err->code = rc = WF_EINVAL;
            wf_error_prefix(err, "node %s", n->id);
            return rc;
        }
    }
    return 0;
}

static void eng__exec_clear(eng__exec *e)
{
    for (size_t i = 0; e->steps != NULL && i < e->plan.nsteps; i++) {
        eng__exec_step *s = &e->steps[i];
        /* Never leave a step running, whatever ended the run. */
        if (s->backend != NULL && s->running) s->backend->ops->clear(s->backend, &s->task);
        free(s->task.reason);
        for (size_t k = 0; s->outputs != NULL && k < e->plan.steps[i].module->noutputs; k++)
            free(s->outputs[k]);
        free(s->outputs);
        free(s->child_error);
        free(s->last_log);
        json_decref(s->registrations);
        st_step_clear(&s->rec);
    }
    free(e->steps);
    for (size_t k = 0; k < e->nbackends; k++)
        eng__backend_free(e->backends[k]);
    free(e->backends);
    free(e->where);
    eng__plan_clear(&e->plan);
}

/* The run's final status and message, from its steps. */
static eng_status eng__outcome(eng__exec *e, char *msg, size_t cap)
{
    msg[0] = '\0';
    if (e->fatal.code != 0) {
        snprintf(msg, cap, "%s", e->fatal.message);
        return ENG_FAILED;
    }
    if (e->canceling) {
        snprintf(msg, cap, "canceled");
        return ENG_CANCELED;
    }
    for (size_t o = 0; o < e->plan.nsteps; o++) {
        size_t i = e->plan.order[o];
        if (e->steps[i].status == ENG_FAILED) {
            snprintf(msg, cap, "step %s failed: %.900s", e->plan.steps[i].node->id,
                     e->steps[i].rec.error ? e->steps[i].rec.error : "");
            return ENG_FAILED;
        }
    }
    return ENG_COMPLETED;
}

int eng_run(st_workspace *ws, const eng_pipeline *p, const eng_run_options *opt, int64_t *run_id,
            wf_error *err)
{
    static const eng_run_options defaults = {0};
    /* The message is also the run's error: keep one even when the caller
     * does not want it. */
    wf_error local = {0};
    if (err == NULL) err = &local;
    if (run_id != NULL) *run_id = 0;
    if (ws == NULL || p == NULL) return wf_error_set(err, WF_EINVAL, "eng_run: no workspace");
    if (opt == NULL) opt = &defaults;
    eng__exec e = {.ws = ws, .opt = opt};
    long cores = sysconf(_SC_NPROCESSORS_ONLN);
    e.jobs = opt->jobs > 0 ? (size_t)opt->jobs : (size_t)(cores > 0 ? cores : 1);
    if (e.jobs > ENG__MAX_JOBS) e.jobs = ENG__MAX_JOBS;
    e.time_limit_s = opt->time_limit_s > 0 ? opt->time_limit_s : ENG__DEFAULT_TIME_LIMIT_S;
    e.memory_limit_mb = opt->memory_limit_mb > 0 ? opt->memory_limit_mb : eng__default_memory_mb();
    e.binary = opt->weft_binary ? opt->weft_binary : "/proc/self/exe";
    if (access(e.binary, X_OK) != 0)
        return wf_error_set(err, WF_EINVAL, "cannot run steps with %s: %s", e.binary,
                            strerror(errno));
    /* Runs that a dead process left "running" are failed first, so what
     * this run reports about the workspace is the truth. */
    int rc = st_runs_mark_interrupted(ws, NULL, err);
    /* Their jobs are cancelled; one that cannot be yet is no reason not to
     * run (the next run tries again). */
    if (rc == 0) eng_cancel_orphaned_jobs(ws, NULL, NULL);
    if (rc == 0) rc = eng__validate(ws, p, opt->bindings, err);
    if (rc == 0) rc = eng__plan_build(ws, p, opt->bindings, &e.plan, err);
    if (rc == 0) rc = eng__choose_backends(&e, err);
    if (rc == 0) rc = eng__prepare(&e, p, err);
    if (rc == 0)
        rc = st_run_set_compute(ws, e.run_id, opt->compute ? opt->compute : ST_COMPUTE_LOCAL, err);
    if (rc < 0) {
        /* A run that exists but could not be set up ends failed. */
        if (e.run_id != 0) st_run_set_status(ws, e.run_id, "failed", err->message, NULL);
        if (run_id != NULL) *run_id = e.run_id;
        eng__exec_clear(&e);
        return rc;
    }
    if (run_id != NULL) *run_id = e.run_id;
    eng__emit(&e, ENG_EVENT_RUN, NULL, ENG_QUEUED, NULL, 0);
    for (size_t i = 0; i < e.plan.nsteps; i++)
        eng__emit(&e, ENG_EVENT_STEP, e.plan.steps[i].node->id, ENG_QUEUED, NULL, 0);
    eng__emit(&e, ENG_EVENT_RUN, NULL, ENG_RUNNING, NULL, 0);

    for (;;) {
        eng__check_cancel(&e);
        eng__schedule(&e);
        /* Nothing running: the schedule settled every step. What it
         * changed is written with the run's end, in one transaction. */
        if (e.running == 0) break;
        if (eng__flush(&e) < 0) eng__check_cancel(&e); /* a store failure ends the run */
        eng__wait_and_service(&e);
    }

    char msg[WF_ERROR_MESSAGE_MAX];
    eng_status outcome = eng__outcome(&e, msg, sizeof msg);
    eng__finish_run(&e, outcome, msg);
    eng__emit(&e, ENG_EVENT_RUN, NULL, outcome, msg[0] ? msg : NULL, 0);
    rc = 0;
    if (outcome != ENG_COMPLETED)
        rc = wf_error_set(err, e.fatal.code != 0 ? e.fatal.code : WF_EIO, "run %lld %s: %s",
                          (long long)e.run_id, eng_status_name(outcome), msg);
    eng__exec_clear(&e);
    return rc;
}
