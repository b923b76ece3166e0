/*
 * routes_runs.c: runs over HTTP (docs/api.md "Runs and events"): submit,
 * list, detail, cancel, rerun, step outputs (preview and download), step
 * logs, and the event stream (run_events.c).
 *
 * A submitted run executes on a thread of its own: eng_run blocks until
 * every step has ended, and a handler must answer at once. The handler
 * validates the document itself (so that an invalid pipeline is a 422 with
 * its issues, not a failed run), starts the thread and waits only until
 * eng_run has created the run, which it announces with the run's first
 * event; then it answers 202 with the run's id. Each run thread opens its
 * own workspace handle, since a handle serves one thread.
 *
 * The server keeps a table of the runs it started (srv__job), with their
 * cancel flags: cancel sets the flag, which eng_run checks every 20 ms. A
 * run another process executes (`weft run` on the same workspace) is
 * canceled through the workspace instead. At shutdown every run still
 * going is canceled, its thread joined, and the run marked failed
 * "interrupted: the server stopped" (DESIGN.md section 5). Finished threads
 * are joined lazily, by the next handler that starts a run and at shutdown.
 */
#include "runs_int.h"

#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SRV__INTERRUPTED "interrupted: the server stopped"
#define SRV__PREVIEW_DEFAULT 100
#define SRV__PREVIEW_MAX 1000
/* The most of a step log one reply carries (its end, when longer). */
#define SRV__LOG_MAX ((size_t)8 << 20)

typedef struct srv__job {
    srv_server *server;
    srv__live *live; /* its events; our reference */
    eng_pipeline *pipeline;
    json_t *bindings;
    char *experiment; /* NULL: the default */
    char *compute;    /* the compute target (#12); NULL: local */
    bool no_cache;
    volatile sig_atomic_t cancel;
    bool announced; /* the run thread has seen the first event (its own flag) */
    /* Under srv__runs_lock: */
    bool started;     /* the run exists (run_id), or eng_run gave up (err) */
    bool finished;    /* the thread is returning: join it */
    bool interrupted; /* canceled by shutdown */
    int64_t run_id;
    wf_error err;
    pthread_t thread;
    struct srv__job *next;
} srv__job;

static srv__job *srv__jobs;
static bool srv__stopping;
static pthread_cond_t srv__started_cond = PTHREAD_COND_INITIALIZER;

static void srv__job_free(srv__job *j)
{
    if (j == NULL) return;
    srv__live_unref(j->live);
    eng_pipeline_free(j->pipeline);
    json_decref(j->bindings);
    free(j->experiment);
    free(j->compute);
    free(j);
}

/* Joins and frees the threads that have finished. Never under the lock. */
static void srv__reap(void)
{
    srv__job *done = NULL;
    pthread_mutex_lock(&srv__runs_lock);
    for (srv__job **p = &srv__jobs; *p != NULL;) {
        srv__job *j = *p;
        if (j->finished) {
            *p = j->next;
            j->next = done;
            done = j;
        } else {
            p = &j->next;
        }
    }
    pthread_mutex_unlock(&srv__runs_lock);
    while (done != NULL) {
        srv__job *next = done->next;
        pthread_join(done->thread, NULL);
        srv__job_free(done);
        done = next;
    }
}

static void srv__job_event(void *user, const eng_event *ev)
{
    srv__job *j = user;
    /* Recorded first, so that the run is in the live table by the time its
     * id reaches the client. */
    srv__live_event(j->live, ev);
    if (!j->announced && ev->run_id != 0) {
        j->announced = true;
        pthread_mutex_lock(&srv__runs_lock);
        j->run_id = ev->run_id;
        j->started = true;
        pthread_cond_broadcast(&srv__started_cond);
        pthread_mutex_unlock(&srv__runs_lock);
    }
}

static void *srv__job_main(void *arg)
{
    srv__job *j = arg;
    st_workspace *ws = NULL;
    wf_error err = {0};
    int64_t run_id = 0;
    int rc = st_open(srv_workspace_dir(j->server), &ws, &err);
    if (rc == 0) {
        eng_run_options opt = {.experiment = j->experiment,
                               .bindings = j->bindings,
                               .jobs = srv_jobs(j->server),
                               .no_cache = j->no_cache,
                               .compute = j->compute,
                               .on_event = srv__job_event,
                               .user = j,
                               .cancel = &j->cancel};
        rc = eng_run(ws, j->pipeline, &opt, &run_id, &err);
    }
    pthread_mutex_lock(&srv__runs_lock);
    if (!j->started) {
        /* eng_run ended without a first event: it could not create the
         * run (or OOM lost the event); the handler answers with why. */
        j->started = true;
        j->run_id = run_id;
        j->err = err;
        pthread_cond_broadcast(&srv__started_cond);
    }
    bool interrupted = j->interrupted;
    pthread_mutex_unlock(&srv__runs_lock);
    if (run_id != 0) {
        bool override = interrupted && rc < 0;
        if (override) st_run_set_status(ws, run_id, "failed", SRV__INTERRUPTED, NULL);
        srv__live_finish(j->live, ws, override ? "failed" : NULL,
                         override ? SRV__INTERRUPTED : NULL);
    }
    st_close(ws);
    /* What the run needed goes now; the job itself waits to be joined. */
    srv__live_unref(j->live);
    j->live = NULL;
    eng_pipeline_free(j->pipeline);
    j->pipeline = NULL;
    pthread_mutex_lock(&srv__runs_lock);
    j->finished = true;
    pthread_mutex_unlock(&srv__runs_lock);
    return NULL;
}

/* Validates doc, starts it and answers 202 {"run_id": N}; or answers why
 * not. Takes nothing: doc and bindings are copied. (Shared: runs_int.h.) */
int srv__start_run(srv_request *req, srv_response *res, st_workspace *ws, const json_t *doc,
                   const json_t *bindings, const char *experiment, bool no_cache,
                   const char *compute)
{
    wf_error err = {0};
    eng_pipeline *p = NULL;
    if (srv__pipeline_from_json(doc, &p, &err) < 0)
        return err.code == WF_ENOMEM
                   ? srv_reply_error(res, 500, "internal", "out of memory")
                   : srv_reply_error(res, 422, "invalid_pipeline", "%s", err.message);
    eng_env env = {
        .load_dataset = srv__load_dataset, .load_artifact = eng_load_json_artifact, .user = ws};
    eng_issues issues = {0};
    if (eng_pipeline_validate(p, bindings, &env, &issues, &err) < 0) {
        eng_pipeline_free(p);
        return srv_reply_wf_error(res, &err);
    }
    if (issues.count > 0) {
        json_t *details = srv__issues_json(&issues);
        srv_reply_error_details(res, 422, "invalid_pipeline", details,
                                "the pipeline is not valid: %zu problem%s (see details)",
                                issues.count, issues.count == 1 ? "" : "s");
        eng_issues_clear(&issues);
        eng_pipeline_free(p);
        return 0;
    }
    srv__reap();
    srv__job *j = calloc(1, sizeof *j);
    if (j == NULL || (j->live = srv__live_new(req->server)) == NULL ||
        (bindings != NULL && (j->bindings = json_deep_copy(bindings)) == NULL) ||
        (experiment != NULL && (j->experiment = wf_strdup(experiment)) == NULL) ||
        (compute != NULL && (j->compute = wf_strdup(compute)) == NULL)) {
        eng_pipeline_free(p);
        srv__job_free(j);
        return srv_reply_error(res, 500, "internal", "out of memory");
    }
    j->server = req->server;
    j->pipeline = p;
    j->no_cache = no_cache;
    pthread_mutex_lock(&srv__runs_lock);
    int rc = srv__stopping ? -1 : pthread_create(&j->thread, NULL, srv__job_main, j);
    if (rc != 0) {
        pthread_mutex_unlock(&srv__runs_lock);
        srv__job_free(j);
        return rc < 0 ? srv_reply_error(res, 409, "stopping", "the server is stopping")
                      : srv_reply_error(res, 500, "internal", "cannot start a run thread");
    }
    j->next = srv__jobs;
    srv__jobs = j;
    while (!j->started)
        pthread_cond_wait(&srv__started_cond, &srv__runs_lock);
    int64_t run_id = j->run_id;
    err = j->err;
    pthread_mutex_unlock(&srv__runs_lock);
    if (run_id == 0) {
        /* A bad request (an experiment name, say) says why; anything else
         * may name the workspace's files, which a reply never shows. */
        if (err.code == WF_EINVAL || err.code == WF_ENOTFOUND) return srv_reply_wf_error(res, &err);
        return srv_reply_error(res, 500, "internal", "the run could not start: %s",
                               wf_strerror(err.code));
    }
    char url[64];
    snprintf(url, sizeof url, "/api/runs/%lld", (long long)run_id);
    res->extra_header_name = wf_strdup("Location");
    res->extra_header_value = wf_strdup(url);
    return srv_reply_json(
        res, 202, json_pack("{s:I, s:s}", "run_id", (json_int_t)run_id, "status", "running"));
}

/* Reads the optional "experiment", "no_cache" and "compute" (a compute
 * target's name) of a body. Fills a 422 reply and returns false when one
 * has the wrong type. */
static bool srv__run_options(const json_t *body, srv_response *res, const char **experiment,
                             bool *no_cache, const char **compute)
{
    const json_t *c = json_object_get(body, "compute");
    if (c != NULL && !json_is_null(c) && !json_is_string(c)) {
        srv_reply_error(res, 422, "invalid", "\"compute\" must be a compute target's name");
        return false;
    }
    if (json_is_string(c)) *compute = json_string_value(c);
    const json_t *e = json_object_get(body, "experiment"), *nc = json_object_get(body, "no_cache");
    if (e != NULL && !json_is_null(e) && !json_is_string(e)) {
        srv_reply_error(res, 422, "invalid", "\"experiment\" must be a string");
        return false;
    }
    if (nc != NULL && !json_is_boolean(nc)) {
        srv_reply_error(res, 422, "invalid", "\"no_cache\" must be true or false");
        return false;
    }
    if (json_is_string(e)) *experiment = json_string_value(e);
    if (nc != NULL) *no_cache = json_is_true(nc);
    return true;
}

/* POST /api/runs: {"pipeline_id": N | "document": {...}, "experiment",
 * "parameters", "no_cache", "compute"} */
static int submit_run(srv_request *req, srv_response *res)
{
    st_workspace *ws = srv__ws(req, res);
    if (ws == NULL) return 0;
    json_t *body = srv_body_json(req, res);
    if (body == NULL) return 0;
    const json_t *pid = json_object_get(body, "pipeline_id");
    const json_t *doc = json_object_get(body, "document");
    const json_t *bindings = json_object_get(body, "parameters");
    const char *experiment = NULL, *compute = NULL;
    bool no_cache = false;
    json_t *loaded = NULL;
    if (!srv__run_options(body, res, &experiment, &no_cache, &compute)) {
        /* replied */
    } else if (bindings != NULL && !json_is_object(bindings)) {
        srv_reply_error(res, 422, "invalid", "\"parameters\" must be an object of values");
    } else if ((pid == NULL) == (doc == NULL)) {
        srv_reply_error(res, 422, "invalid",
                        "give either \"pipeline_id\" (a saved pipeline) or \"document\"");
    } else if (pid != NULL && (!json_is_integer(pid) || json_integer_value(pid) < 1)) {
        srv_reply_error(res, 422, "invalid", "\"pipeline_id\" must be a pipeline id (an integer)");
    } else if (doc != NULL && !json_is_object(doc)) {
        srv_reply_error(res, 422, "invalid", "\"document\" must be a pipeline document");
    } else {
        if (pid != NULL) {
            st_draft d;
            wf_error err = {0};
            if (st_draft_get(ws, json_integer_value(pid), &d, &err) < 0) {
                srv_reply_wf_error(res, &err);
                json_decref(body);
                return 0;
            }
            doc = loaded = json_loads(d.document_json, 0, NULL);
            st_draft_clear(&d);
        }
        if (doc == NULL)
            srv_reply_error(res, 500, "internal", "the saved pipeline could not be read");
        else
            srv__start_run(req, res, ws, doc, bindings, experiment, no_cache, compute);
    }
    json_decref(loaded);
    json_decref(body);
    return 0;
}

/* ---- reading runs ----------------------------------------------------------- */

static json_t *srv__run_json(const st_run *r, bool detail)
{
    json_t *params = json_loads(r->parameters_json, 0, NULL);
    json_t *o = json_pack(
        "{s:I, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:o, s:b}", "id", (json_int_t)r->id,
        "experiment", r->experiment, "pipeline", r->pipeline_name, "status", r->status, "error",
        r->error, "created_at", r->created_at, "created_by", r->created_by, "started_at",
        r->started_at, "finished_at", r->finished_at, "parameters", params ? params : json_object(),
        "cancel_requested", r->cancel_requested);
    if (o != NULL && detail) {
        json_t *snapshot = json_loads(r->snapshot_json, 0, NULL);
        if (json_object_set_new(o, "snapshot", snapshot ? snapshot : json_null()) < 0) {
            json_decref(o);
            o = NULL;
        }
    }
    return o;
}

static json_t *srv__step_json(const st_step *s)
{
    json_t *outputs = json_loads(s->outputs_json, 0, NULL);
    return json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:I, s:o, s:o, s:i, s:I, s:I}", "node",
                     s->node_id, "module", s->module, "status", s->status, "cache_key",
                     s->cache_key, "started_at", s->started_at, "finished_at", s->finished_at,
                     "elapsed_ms", (json_int_t)s->elapsed_ms, "outputs",
                     outputs ? outputs : json_object(), "error",
                     srv__text_json(s->error, strlen(s->error)), "signal", s->signal, "peak_rss_kb",
                     (json_int_t)s->peak_rss_kb, "reused_from_run", (json_int_t)s->reused_from_run);
}

static bool srv__known_status(const char *s)
{
    static const char *const known[] = {"queued", "running", "completed", "failed", "canceled"};
    for (size_t i = 0; i < sizeof known / sizeof known[0]; i++)
        if (strcmp(s, known[i]) == 0) return true;
    return false;
}

static json_t *srv__key_metrics(st_workspace *ws, int64_t id);

/* GET /api/runs?experiment=&status=&offset=&limit=&metrics= */
static int list_runs(srv_request *req, srv_response *res)
{
    size_t offset, limit;
    if (!srv__paging(req, res, &offset, &limit)) return 0;
    const char *experiment = srv_query(req, "experiment"), *status = srv_query(req, "status");
    if (status != NULL && !srv__known_status(status))
        return srv_reply_error(res, 400, "bad_request",
                               "?status= is one of queued, running, completed, failed, canceled");
    const char *metrics = srv_query(req, "metrics");
    if (metrics != NULL && strcmp(metrics, "true") != 0 && strcmp(metrics, "false") != 0)
        return srv_reply_error(res, 400, "bad_query", "?metrics= is true or false");
    bool with_metrics = metrics != NULL && strcmp(metrics, "true") == 0;
    st_workspace *ws = srv__ws(req, res);
    if (ws == NULL) return 0;
    srv__reap();
    st_run *runs = NULL;
    size_t n = 0;
    wf_error err = {0};
    if (st_runs_mark_interrupted(ws, NULL, &err) < 0 ||
        st_run_list(ws, experiment, 0, &runs, &n, &err) < 0)
        return srv_reply_wf_error(res, &err);
    json_t *list = json_array();
    size_t total = 0;
    for (size_t i = 0; list != NULL && i < n; i++) {
        if (status != NULL && strcmp(runs[i].status, status) != 0) continue;
        if (total++ < offset || json_array_size(list) >= limit) continue;
        json_t *o = srv__run_json(&runs[i], false);
        if (o != NULL && with_metrics)
            json_object_set_new(o, "key_metrics", srv__key_metrics(ws, runs[i].id));
        if (json_array_append_new(list, o) < 0) {
            json_decref(list);
            list = NULL;
        }
    }
    st_runs_free(runs, n);
    json_t *body = list
                       ? json_pack("{s:o, s:I, s:I, s:I}", "runs", list, "total", (json_int_t)total,
                                   "offset", (json_int_t)offset, "limit", (json_int_t)limit)
                       : NULL;
    return srv_reply_json(res, 200, body);
}

/* Reads run {id} (capture 0). Fills the reply and returns -1 on failure. */
static int srv__run_from_path(srv_request *req, srv_response *res, st_workspace *ws, st_run *r)
{
    int64_t id;
    memset(r, 0, sizeof *r);
    if (!srv__path_id(req, 0, &id)) {
        srv_reply_error(res, 404, "not_found", "there is no run \"%.100s\"",
                        srv_path_param(req, 0));
        return -1;
    }
    wf_error err = {0};
    if (st_runs_mark_interrupted(ws, NULL, &err) < 0 || st_run_get(ws, id, r, &err) < 0) {
        srv_reply_wf_error(res, &err);
        return -1;
    }
    return 0;
}

/* The replies of ended runs never change, and clients poll them: the last
 * few are kept, so a poll costs a lookup instead of the SQL and the JSON.
 * The cached objects are shared read-only between replies (jansson counts
 * references atomically here). */
#define SRV__RUN_CACHE 64
static struct {
    int64_t id;
    json_t *reply;
} srv__run_cache[SRV__RUN_CACHE];
static pthread_mutex_t srv__run_cache_lock = PTHREAD_MUTEX_INITIALIZER;

static json_t *srv__run_cache_get(int64_t id)
{
    pthread_mutex_lock(&srv__run_cache_lock);
    size_t slot = (size_t)id % SRV__RUN_CACHE;
    json_t *hit = srv__run_cache[slot].id == id ? json_incref(srv__run_cache[slot].reply) : NULL;
    pthread_mutex_unlock(&srv__run_cache_lock);
    return hit;
}

static void srv__run_cache_put(int64_t id, json_t *reply)
{
    pthread_mutex_lock(&srv__run_cache_lock);
    size_t slot = (size_t)id % SRV__RUN_CACHE;
    json_decref(srv__run_cache[slot].reply);
    srv__run_cache[slot].id = id;
    srv__run_cache[slot].reply = json_incref(reply);
    pthread_mutex_unlock(&srv__run_cache_lock);
}

static void srv__run_cache_clear(void)
{
    pthread_mutex_lock(&srv__run_cache_lock);
    for (size_t i = 0; i < SRV__RUN_CACHE; i++) {
        json_decref(srv__run_cache[i].reply);
        srv__run_cache[i].reply = NULL;
        srv__run_cache[i].id = 0;
    }
    pthread_mutex_unlock(&srv__run_cache_lock);
}

static bool srv__is_final(const char *status);

/* GET /api/runs/{id}: the run, its snapshot and every step. */
static int get_run(srv_request *req, srv_response *res)
{
    int64_t id;
    json_t *cached = srv__path_id(req, 0, &id) ? srv__run_cache_get(id) : NULL;
    if (cached != NULL) return srv_reply_json(res, 200, cached);
    st_workspace *ws = srv__ws(req, res);
    st_run r;
    if (ws == NULL || srv__run_from_path(req, res, ws, &r) < 0) return 0;
    st_step *steps = NULL;
    size_t n = 0;
    wf_error err = {0};
    if (st_run_steps(ws, r.id, &steps, &n, &err) < 0) {
        st_run_clear(&r);
        return srv_reply_wf_error(res, &err);
    }
    json_t *o = srv__run_json(&r, true), *list = json_array();
    for (size_t i = 0; list != NULL && i < n; i++)
        if (json_array_append_new(list, srv__step_json(&steps[i])) < 0) {
            json_decref(list);
            list = NULL;
        }
    if (o != NULL && (list == NULL || json_object_set_new(o, "steps", list) < 0)) {
        json_decref(o);
        o = NULL;
    } else if (o == NULL) {
        json_decref(list);
    }
    st_steps_free(steps, n);
    if (o != NULL && r.status != NULL && srv__is_final(r.status)) srv__run_cache_put(r.id, o);
    st_run_clear(&r);
    return srv_reply_json(res, 200, o);
}

static bool srv__is_final(const char *status)
{
    return strcmp(status, "completed") == 0 || strcmp(status, "failed") == 0 ||
           strcmp(status, "canceled") == 0;
}

/* POST /api/runs/{id}/cancel */
static int cancel_run(srv_request *req, srv_response *res)
{
    st_workspace *ws = srv__ws(req, res);
    st_run r;
    if (ws == NULL || srv__run_from_path(req, res, ws, &r) < 0) return 0;
    int64_t id = r.id;
    if (srv__is_final(r.status)) {
        srv_reply_error(res, 409, "conflict", "run %lld has already ended (%s)", (long long)id,
                        r.status);
        st_run_clear(&r);
        return 0;
    }
    st_run_clear(&r);
    pthread_mutex_lock(&srv__runs_lock);
    for (srv__job *j = srv__jobs; j != NULL; j = j->next)
        if (j->run_id == id && !j->finished) j->cancel = 1;
    pthread_mutex_unlock(&srv__runs_lock);
    /* Through the workspace too: another process may be executing it. A
     * run that ended in the meantime is no error: it simply ended. */
    wf_error err = {0};
    if (st_run_request_cancel(ws, id, &err) < 0 && err.code != WF_EINVAL)
        return srv_reply_wf_error(res, &err);
    return srv_reply_json(res, 202,
                          json_pack("{s:I, s:s}", "run_id", (json_int_t)id, "status", "canceling"));
}

/* The document a snapshot ran: its pipeline with every node's parameters
 * as they were resolved (dataset versions pinned, $param bound), so that it
 * runs the same again. *bindings gets the parameter values. */
static json_t *srv__snapshot_document(const char *snapshot_json, json_t **bindings)
{
    *bindings = NULL;
    json_t *snap = json_loads(snapshot_json, 0, NULL);
    json_t *doc = json_deep_copy(json_object_get(snap, "pipeline"));
    json_t *steps = json_object_get(snap, "steps");
    size_t i;
    json_t *node;
    json_array_foreach(json_object_get(doc, "nodes"), i, node)
    {
        const char *id = json_string_value(json_object_get(node, "id"));
        json_t *params = json_object_get(json_object_get(steps, id ? id : ""), "params");
        if (json_is_object(params)) json_object_set_new(node, "params", json_deep_copy(params));
    }
    json_t *values = json_object_get(snap, "parameters");
    *bindings = json_is_object(values) ? json_deep_copy(values) : json_object();
    json_decref(snap);
    return doc;
}

/* POST /api/runs/{id}/rerun, optionally {"experiment", "no_cache",
 * "compute"}: runs the run's snapshot again, as a new run. */
static int rerun_run(srv_request *req, srv_response *res)
{
    st_workspace *ws = srv__ws(req, res);
    st_run r;
    if (ws == NULL || srv__run_from_path(req, res, ws, &r) < 0) return 0;
    json_t *body = NULL;
    if (req->body != NULL && req->body_len > 0 && (body = srv_body_json(req, res)) == NULL) {
        st_run_clear(&r);
        return 0;
    }
    const char *experiment = r.experiment, *compute = NULL;
    bool no_cache = false;
    if (srv__run_options(body, res, &experiment, &no_cache, &compute)) {
        json_t *bindings = NULL;
        json_t *doc = srv__snapshot_document(r.snapshot_json, &bindings);
        if (doc == NULL || bindings == NULL)
            srv_reply_error(res, 500, "internal", "run %lld: its snapshot could not be read",
                            (long long)r.id);
        else
            srv__start_run(req, res, ws, doc, bindings, experiment, no_cache, compute);
        json_decref(doc);
        json_decref(bindings);
    }
    json_decref(body);
    st_run_clear(&r);
    return 0;
}

/* ---- step outputs and logs -------------------------------------------------- */

/* Finds output {port} (capture 2) of step {node} (capture 1) of run {id}:
 * its digest and kind. Fills the reply and returns -1 on failure. */
static int srv__step_output(srv_request *req, srv_response *res, st_workspace *ws,
                            char digest[WF_SHA256_HEX], mod_port_kind *kind)
{
    st_run r;
    if (srv__run_from_path(req, res, ws, &r) < 0) return -1;
    const char *node = srv_path_param(req, 1), *port = srv_path_param(req, 2);
    st_step s;
    wf_error err = {0};
    int rc = st_step_get(ws, r.id, node, &s, &err);
    if (rc < 0) {
        if (err.code == WF_ENOTFOUND)
            srv_reply_error(res, 404, "not_found", "run %lld has no step \"%.100s\"",
                            (long long)r.id, node);
        else
            srv_reply_wf_error(res, &err);
        st_run_clear(&r);
        return -1;
    }
    const mod_descriptor *m = mod_find(s.module);
    int k = m ? mod_output_index(m, port) : -1;
    json_t *outputs = json_loads(s.outputs_json, 0, NULL);
    const char *d = json_string_value(json_object_get(outputs, port));
    rc = -1;
    if (m != NULL && k < 0)
        srv_reply_error(res, 404, "not_found", "step %.100s (%.100s) has no output port \"%.100s\"",
                        node, s.module, port);
    else if (d == NULL || strlen(d) != WF_SHA256_HEX - 1)
        srv_reply_error(res, 409, "no_output", "step %.100s is %s and has no output \"%.100s\"",
                        node, s.status, port);
    else
        rc = 0;
    if (rc == 0) {
        memcpy(digest, d, WF_SHA256_HEX);
        *kind = m != NULL ? m->outputs[k].kind : MOD_TABLE;
    }
    json_decref(outputs);
    st_step_clear(&s);
    st_run_clear(&r);
    return rc;
}

/* Reads a JSON artifact. */
static json_t *srv__json_artifact(st_workspace *ws, const char *digest, wf_error *err)
{
    char *path = st_artifact_path(ws, digest);
    char *text = NULL;
    size_t size = 0;
    int rc = path ? wf_read_file(path, &text, &size, err)
                  : wf_error_set(err, WF_ENOMEM, "out of memory");
    free(path);
    if (rc < 0) return NULL;
    json_t *v = json_loadb(text, size, JSON_DECODE_ANY, NULL);
    free(text);
    if (v == NULL) wf_error_set(err, WF_ECORRUPT, "artifact %.12s is not JSON", digest);
    return v;
}

/* GET /api/runs/{id}/steps/{node}/outputs/{port}?offset=&limit= */
static int preview_output(srv_request *req, srv_response *res)
{
    int64_t offset = srv_query_int(req, res, "offset", 0, INT64_MAX);
    if (offset < 0) return 0;
    int64_t limit = srv_query_int(req, res, "limit", SRV__PREVIEW_DEFAULT, INT64_MAX);
    if (limit < 0) return 0;
    if (limit > SRV__PREVIEW_MAX) limit = SRV__PREVIEW_MAX;
    st_workspace *ws = srv__ws(req, res);
    char digest[WF_SHA256_HEX];
    mod_port_kind kind;
    if (ws == NULL || srv__step_output(req, res, ws, digest, &kind) < 0) return 0;
    wf_error err = {0};
    json_t *body = NULL;
    if (kind == MOD_TABLE) {
        tbl_table *t = NULL;
        if (st_artifact_load_table(ws, digest, &t, &err) == 0)
            body = srv__table_preview_json(t, (size_t)offset, (size_t)limit);
        tbl_free(t);
    } else {
        json_t *v = srv__json_artifact(ws, digest, &err);
        body = v ? json_pack("{s:o}", "json", v) : NULL;
    }
    if (body == NULL)
        return err.code ? srv_reply_error(res, 500, "internal", "output %.12s cannot be read: %s",
                                          digest, wf_strerror(err.code))
                        : srv_reply_error(res, 500, "internal", "out of memory");
    json_object_set_new(body, "kind", json_string(mod_port_kind_name(kind)));
    json_object_set_new(body, "digest", json_string(digest));
    return srv_reply_json(res, 200, body);
}

/* GET /api/runs/{id}/steps/{node}/outputs/{port}/profile: each column's
 * statistics, as a dataset's profile (a table output only). */
static int profile_output(srv_request *req, srv_response *res)
{
    st_workspace *ws = srv__ws(req, res);
    char digest[WF_SHA256_HEX];
    mod_port_kind kind;
    if (ws == NULL || srv__step_output(req, res, ws, digest, &kind) < 0) return 0;
    if (kind != MOD_TABLE)
        return srv_reply_error(res, 409, "not_a_table", "output is a %s, and only tables have a "
                                                        "profile",
                               mod_port_kind_name(kind));
    wf_error err = {0};
    tbl_table *t = NULL;
    tbl_profile *profile = NULL;
    json_t *body = NULL;
    if (st_artifact_load_table(ws, digest, &t, &err) == 0 &&
        tbl_profile_table(t, &profile, &err) == 0)
        body = tbl_profile_to_json(profile);
    tbl_profile_free(profile);
    tbl_free(t);
    if (body == NULL)
        return err.code ? srv_reply_error(res, 500, "internal", "output %.12s cannot be profiled: %s",
                                          digest, wf_strerror(err.code))
                        : srv_reply_error(res, 500, "internal", "out of memory");
    return srv_reply_json(res, 200, body);
}

/* GET /api/runs/{id}/steps/{node}/outputs/{port}/download?format=csv|json */
static int download_output(srv_request *req, srv_response *res)
{
    const char *format = srv_query(req, "format");
    if (format != NULL && strcmp(format, "csv") != 0 && strcmp(format, "json") != 0)
        return srv_reply_error(res, 415, "unsupported_format",
                               "cannot download as \"%.20s\": use csv or json", format);
    st_workspace *ws = srv__ws(req, res);
    char digest[WF_SHA256_HEX];
    mod_port_kind kind;
    if (ws == NULL || srv__step_output(req, res, ws, digest, &kind) < 0) return 0;
    bool json = format != NULL ? strcmp(format, "json") == 0 : kind != MOD_TABLE;
    if (kind != MOD_TABLE && !json)
        return srv_reply_error(res, 415, "unsupported_format",
                               "a %s output downloads as json, not csv", mod_port_kind_name(kind));
    wf_error err = {0};
    wf_buf out = {0};
    int rc;
    if (kind == MOD_TABLE) {
        tbl_table *t = NULL;
        rc = st_artifact_load_table(ws, digest, &t, &err);
        if (rc == 0) rc = json ? tbl_write_json(t, &out, &err) : tbl_write_csv(t, ',', &out, &err);
        tbl_free(t);
    } else {
        json_t *v = srv__json_artifact(ws, digest, &err);
        char *text = v ? json_dumps(v, JSON_INDENT(2) | JSON_ENCODE_ANY) : NULL;
        json_decref(v);
        rc = text ? 0 : -1;
        if (text != NULL) wf_buf_puts(&out, text);
        free(text);
    }
    if (rc == 0 && out.failed) rc = wf_error_set(&err, WF_ENOMEM, "out of memory");
    if (rc == 0 && out.data == NULL) wf_buf_puts(&out, "");
    if (rc < 0 || out.data == NULL) {
        wf_buf_free(&out);
        return srv_reply_error(res, 500, "internal", "output %.12s cannot be read", digest);
    }
    char name[256];
    snprintf(name, sizeof name, "run-%s-%.80s-%.80s.%s", srv_path_param(req, 0),
             srv_path_param(req, 1), srv_path_param(req, 2), json ? "json" : "csv");
    for (char *c = name; *c != '\0'; c++)
        if (*c == '"' || *c == '\\' || (unsigned char)*c < 0x20) *c = '_';
    srv_reply_bytes(res, 200, json ? "application/json" : "text/csv", out.data, out.len);
    res->download_name = wf_strdup(name);
    return 0;
}

/* GET /api/runs/{id}/steps/{node}/log: the step's log as text ("" for a
 * step that did not run). */
static int step_log(srv_request *req, srv_response *res)
{
    st_workspace *ws = srv__ws(req, res);
    st_run r;
    if (ws == NULL || srv__run_from_path(req, res, ws, &r) < 0) return 0;
    const char *node = srv_path_param(req, 1);
    st_step s;
    wf_error err = {0};
    if (st_step_get(ws, r.id, node, &s, &err) < 0) {
        srv_reply_error(res, 404, "not_found", "run %lld has no step \"%.100s\"", (long long)r.id,
                        node);
        st_run_clear(&r);
        return 0;
    }
    st_run_clear(&r);
    char *text = NULL;
    size_t size = 0;
    if (s.log_path[0] != '\0') {
        size_t n = strlen(st_workspace_dir(ws)) + strlen(s.log_path) + 2;
        char *path = malloc(n);
        if (path != NULL) {
            snprintf(path, n, "%s/%s", st_workspace_dir(ws), s.log_path);
            /* A step that never ran has no log file: its log is empty. */
            if (wf_read_file(path, &text, &size, NULL) < 0) text = NULL;
        }
        free(path);
    }
    st_step_clear(&s);
    if (text == NULL) {
        text = wf_strdup("");
        size = 0;
    }
    if (text != NULL && size > SRV__LOG_MAX) {
        memmove(text, text + size - SRV__LOG_MAX, SRV__LOG_MAX);
        size = SRV__LOG_MAX;
    }
    return srv_reply_bytes(res, 200, "text/plain; charset=utf-8", text, size);
}

/* GET /api/runs/{id}/events */
static int run_events(srv_request *req, srv_response *res)
{
    srv__reap();
    return srv__run_events_stream(req, res);
}

/* ---- experiments and key metrics (#9) -------------------------------------- */

/* The figures of an evaluation report (docs/formats.md 4.3), without its
 * curves and tables: {"task", "label", "models": [{"input", "metrics"}]};
 * NULL when the JSON is not an evaluation report. */
static json_t *srv__evaluation_summary(const json_t *report)
{
    const char *kind = json_string_value(json_object_get(report, "report"));
    const json_t *models = json_object_get(report, "models");
    if (kind == NULL || strcmp(kind, "evaluation") != 0 || !json_is_array(models)) return NULL;
    json_t *list = json_array();
    size_t i;
    const json_t *m;
    json_array_foreach(models, i, m)
    {
        const json_t *metrics = json_object_get(m, "metrics");
        if (!json_is_object(metrics)) continue;
        json_t *figures = json_object();
        const char *key;
        const json_t *v;
        json_object_foreach((json_t *)metrics, key, v)
        {
            if (json_is_number(v) || json_is_null(v)) json_object_set(figures, key, (json_t *)v);
        }
        const json_t *input = json_object_get(m, "input");
        json_array_append_new(list,
                              json_pack("{s:O, s:o}", "input",
                                        input ? (json_t *)input : json_null(), "metrics", figures));
    }
    const json_t *task = json_object_get(report, "task"), *label = json_object_get(report, "label");
    return json_pack("{s:O, s:O, s:o}", "task", task ? (json_t *)task : json_null(), "label",
                     label ? (json_t *)label : json_null(), "models", list);
}

/* Artifacts never change, so an evaluation's summary is kept by its digest:
 * run lists with metrics read each report once. A slot holds json_null()
 * for a report that is not an evaluation. Shared read-only, like the run
 * cache above. */
#define SRV__SUMMARY_CACHE 256
static struct {
    char digest[WF_SHA256_HEX];
    json_t *summary;
} srv__summaries[SRV__SUMMARY_CACHE];
static pthread_mutex_t srv__summaries_lock = PTHREAD_MUTEX_INITIALIZER;

static void srv__summaries_clear(void)
{
    pthread_mutex_lock(&srv__summaries_lock);
    for (size_t i = 0; i < SRV__SUMMARY_CACHE; i++) {
        json_decref(srv__summaries[i].summary);
        srv__summaries[i].summary = NULL;
        srv__summaries[i].digest[0] = '\0';
    }
    pthread_mutex_unlock(&srv__summaries_lock);
}

/* The summary of report artifact `digest` (a new reference), json_null()
 * when it is not an evaluation, or NULL when it cannot be read. */
static json_t *srv__summary_of(st_workspace *ws, const char *digest)
{
    size_t slot = 0;
    for (const char *c = digest; *c != '\0'; c++)
        slot = slot * 31 + (unsigned char)*c;
    slot %= SRV__SUMMARY_CACHE;
    pthread_mutex_lock(&srv__summaries_lock);
    json_t *hit = strcmp(srv__summaries[slot].digest, digest) == 0
                      ? json_incref(srv__summaries[slot].summary)
                      : NULL;
    pthread_mutex_unlock(&srv__summaries_lock);
    if (hit != NULL) return hit;
    wf_error err = {0};
    json_t *report = srv__json_artifact(ws, digest, &err);
    if (report == NULL) return NULL;
    json_t *summary = srv__evaluation_summary(report);
    json_decref(report);
    if (summary == NULL) summary = json_null();
    pthread_mutex_lock(&srv__summaries_lock);
    json_decref(srv__summaries[slot].summary);
    snprintf(srv__summaries[slot].digest, WF_SHA256_HEX, "%s", digest);
    srv__summaries[slot].summary = json_incref(summary);
    pthread_mutex_unlock(&srv__summaries_lock);
    return summary;
}

/* The evaluations of run `id`'s steps, in step order: [{"node", "port",
 * "task", "label", "models": [{"input", "metrics"}]}, ...]. A report that
 * cannot be read is left out. */
static int srv__run_evaluations(st_workspace *ws, int64_t id, json_t **out, wf_error *err)
{
    st_step *steps = NULL;
    size_t n = 0;
    *out = NULL;
    if (st_run_steps(ws, id, &steps, &n, err) < 0) return err->code;
    json_t *list = json_array();
    for (size_t i = 0; list != NULL && i < n; i++) {
        const mod_descriptor *m = mod_find(steps[i].module);
        json_t *outputs = m ? json_loads(steps[i].outputs_json, 0, NULL) : NULL;
        for (size_t k = 0; outputs != NULL && k < m->noutputs; k++) {
            const char *d = json_string_value(json_object_get(outputs, m->outputs[k].name));
            if (m->outputs[k].kind != MOD_REPORT || d == NULL || strlen(d) != WF_SHA256_HEX - 1)
                continue;
            json_t *summary = srv__summary_of(ws, d);
            if (json_is_object(summary)) {
                json_t *one = json_deep_copy(summary);
                json_object_set_new(one, "node", json_string(steps[i].node_id));
                json_object_set_new(one, "port", json_string(m->outputs[k].name));
                json_array_append_new(list, one);
            }
            json_decref(summary);
        }
        json_decref(outputs);
    }
    st_steps_free(steps, n);
    if (list == NULL) return wf_error_set(err, WF_ENOMEM, "out of memory");
    *out = list;
    return 0;
}

/* GET /api/runs/{id}/metrics */
static int run_metrics(srv_request *req, srv_response *res)
{
    st_workspace *ws = srv__ws(req, res);
    st_run r;
    if (ws == NULL || srv__run_from_path(req, res, ws, &r) < 0) return 0;
    json_t *list = NULL;
    wf_error err = {0};
    int64_t id = r.id;
    st_run_clear(&r);
    if (srv__run_evaluations(ws, id, &list, &err) < 0) return srv_reply_wf_error(res, &err);
    return srv_reply_json(res, 200,
                          json_pack("{s:I, s:o}", "run_id", (json_int_t)id, "evaluations", list));
}

/* A run list's key metrics: the first evaluation of the run, flattened to
 * {"node", "task", "metrics"} of its first model; null when it has none. */
static json_t *srv__key_metrics(st_workspace *ws, int64_t id)
{
    json_t *list = NULL;
    if (srv__run_evaluations(ws, id, &list, NULL) < 0) return json_null();
    json_t *first = json_array_get(list, 0);
    json_t *model = json_array_get(json_object_get(first, "models"), 0);
    json_t *key = first && model
                      ? json_pack("{s:O, s:O, s:O}", "node", json_object_get(first, "node"), "task",
                                  json_object_get(first, "task"), "metrics",
                                  json_object_get(model, "metrics"))
                      : NULL;
    json_decref(list);
    return key ? key : json_null();
}

/* GET /api/experiments: every experiment with its runs counted by status
 * and its latest run. */
static int list_experiments(srv_request *req, srv_response *res)
{
    st_workspace *ws = srv__ws(req, res);
    if (ws == NULL) return 0;
    st_experiment *ex = NULL;
    st_run *runs = NULL;
    size_t nex = 0, nruns = 0;
    wf_error err = {0};
    if (st_runs_mark_interrupted(ws, NULL, &err) < 0 ||
        st_experiment_list(ws, &ex, &nex, &err) < 0 ||
        st_run_list(ws, NULL, 0, &runs, &nruns, &err) < 0) {
        st_experiments_free(ex, nex);
        return srv_reply_wf_error(res, &err);
    }
    json_t *list = json_array();
    for (size_t i = 0; list != NULL && i < nex; i++) {
        json_t *statuses = json_object(), *latest = json_null();
        /* Runs come newest first: the first one met is the latest. */
        for (size_t j = 0; j < nruns; j++) {
            if (runs[j].experiment_id != ex[i].id) continue;
            json_t *c = json_object_get(statuses, runs[j].status);
            json_object_set_new(statuses, runs[j].status,
                                json_integer(c ? json_integer_value(c) + 1 : 1));
            if (json_is_null(latest))
                latest = json_pack("{s:I, s:s, s:s, s:s}", "id", (json_int_t)runs[j].id, "status",
                                   runs[j].status, "pipeline", runs[j].pipeline_name, "created_at",
                                   runs[j].created_at);
        }
        json_array_append_new(list, json_pack("{s:s, s:s, s:I, s:o, s:o}", "name", ex[i].name,
                                              "created_at", ex[i].created_at, "runs",
                                              (json_int_t)ex[i].runs, "statuses", statuses,
                                              "latest_run", latest ? latest : json_null()));
    }
    st_experiments_free(ex, nex);
    st_runs_free(runs, nruns);
    return srv_reply_json(res, 200, list ? json_pack("{s:o}", "experiments", list) : NULL);
}

/* ---- shutdown --------------------------------------------------------------- */

void srv_runs_shutdown(srv_server *s)
{
    (void)s;
    pthread_mutex_lock(&srv__runs_lock);
    srv__stopping = true;
    for (srv__job *j = srv__jobs; j != NULL; j = j->next)
        if (!j->finished) {
            j->interrupted = true;
            j->cancel = 1;
        }
    srv__job *all = srv__jobs;
    srv__jobs = NULL;
    pthread_mutex_unlock(&srv__runs_lock);
    while (all != NULL) {
        srv__job *next = all->next;
        pthread_join(all->thread, NULL);
        srv__job_free(all);
        all = next;
    }
    srv__run_cache_clear();
    srv__summaries_clear();
}

const srv_route srv_run_routes[] = {
    {"POST", "/api/runs", submit_run, 0},
    {"GET", "/api/runs", list_runs, 0},
    {"GET", "/api/runs/{id}", get_run, 0},
    {"POST", "/api/runs/{id}/cancel", cancel_run, 0},
    {"POST", "/api/runs/{id}/rerun", rerun_run, 0},
    {"GET", "/api/runs/{id}/events", run_events, 0},
    {"GET", "/api/runs/{id}/steps/{node}/outputs/{port}", preview_output, 0},
    {"GET", "/api/runs/{id}/steps/{node}/outputs/{port}/profile", profile_output, 0},
    {"GET", "/api/runs/{id}/steps/{node}/outputs/{port}/download", download_output, 0},
    {"GET", "/api/runs/{id}/steps/{node}/log", step_log, 0},
    /* -- experiments and key metrics (#9) -- */
    {"GET", "/api/experiments", list_experiments, 0},
    {"GET", "/api/runs/{id}/metrics", run_metrics, 0},
    {NULL, NULL, NULL, 0},
};
