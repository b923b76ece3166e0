/*
 * run_events.c: the history of run events and GET /api/runs/{id}/events,
 * which streams it as server-sent events:
 *
 *     id: 7
 *     event: step
 *     data: {"run_id":3,"node":"split","status":"running","time":"..."}
 *
 * Every event of a run gets the next number from 1. A run this server
 * executes keeps its history in memory (a srv__live) while it runs, and
 * writes it to the workspace when it ends; so a stream can start at any
 * time, from the beginning or after the Last-Event-ID a reconnecting client
 * sends, and the numbers are the same whether the events come from memory
 * or from the workspace. A run with no recorded events (it ended before
 * this server started, or another process executes it) gets a history
 * rebuilt from its step rows: the transitions, without log lines. A run
 * another process is executing is re-read every half second.
 *
 * History is bounded: progress is kept only when it moves by a whole
 * percent, and after SRV__LOG_EVENTS_MAX log lines the rest are only in the
 * step's log file.
 *
 * Locking: srv__runs_lock guards every srv__live and the table of them.
 * The bus is published to after the lock is released. Streams are woken
 * (srv_streams_wake) under it, and only while a stream watches the run:
 * a watching stream is alive, so the daemon and its stream machinery are
 * too, even while the server shuts down around a run that is still
 * ending. (The daemon never takes this lock while holding its own.)
 */
#include "runs_int.h"

#include <math.h>
#include <microhttpd.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define SRV__LOG_EVENTS_MAX 5000
#define SRV__LOG_LINE_MAX 4096
/* What one call of the stream formats at most (whole events). */
#define SRV__SSE_CHUNK (32 * 1024)
#define SRV__POLL_S 0.5

pthread_mutex_t srv__runs_lock = PTHREAD_MUTEX_INITIALIZER;

typedef struct srv__progress_mark {
    char *node;
    int percent;
} srv__progress_mark;

struct srv__live {
    srv_server *server;
    int refs;
    int64_t run_id;       /* 0 until the first event */
    bool complete;        /* no event will be added */
    bool listed;          /* in the table */
    int watchers;         /* streams reading it */
    st_run_event *events; /* events[i].seq == i + 1 */
    size_t nevents, cap;
    size_t nlogs;
    srv__progress_mark *marks;
    size_t nmarks;
    srv__live *next; /* in the table */
};

static srv__live *srv__live_table;

srv__live *srv__live_new(srv_server *s)
{
    srv__live *l = calloc(1, sizeof *l);
    if (l == NULL) return NULL;
    l->server = s;
    l->refs = 1;
    return l;
}

void srv__live_ref(srv__live *l)
{
    pthread_mutex_lock(&srv__runs_lock);
    l->refs++;
    pthread_mutex_unlock(&srv__runs_lock);
}

static void srv__live_free(srv__live *l)
{
    st_run_events_free(l->events, l->nevents);
    for (size_t i = 0; i < l->nmarks; i++)
        free(l->marks[i].node);
    free(l->marks);
    free(l);
}

void srv__live_unref(srv__live *l)
{
    if (l == NULL) return;
    pthread_mutex_lock(&srv__runs_lock);
    bool last = --l->refs == 0;
    pthread_mutex_unlock(&srv__runs_lock);
    if (last) srv__live_free(l);
}

/* ---- recording -------------------------------------------------------------- */

static const char *srv__kind_name(eng_event_kind kind)
{
    switch (kind) {
    case ENG_EVENT_RUN:
        return "run";
    case ENG_EVENT_STEP:
        return "step";
    case ENG_EVENT_LOG:
        return "log";
    case ENG_EVENT_PROGRESS:
        return "progress";
    }
    return "run";
}

/* The event as the stream's data line (compact JSON, so one line). */
static char *srv__event_data(const eng_event *ev)
{
    char now[ST_TIMESTAMP_MAX];
    st_timestamp(now);
    json_t *o = json_pack("{s:I, s:s}", "run_id", (json_int_t)ev->run_id, "time", now);
    bool ok = o != NULL;
    if (ok && ev->node != NULL) ok = json_object_set_new(o, "node", json_string(ev->node)) == 0;
    switch (ev->kind) {
    case ENG_EVENT_RUN:
    case ENG_EVENT_STEP:
        ok = ok && json_object_set_new(o, "status", json_string(eng_status_name(ev->status))) == 0;
        if (ok && ev->message != NULL)
            ok = json_object_set_new(o, "message",
                                     srv__text_json(ev->message, strlen(ev->message))) == 0;
        break;
    case ENG_EVENT_LOG: {
        const char *line = ev->message ? ev->message : "";
        size_t n = strlen(line);
        ok = ok && json_object_set_new(
                       o, "line",
                       srv__text_json(line, n < SRV__LOG_LINE_MAX ? n : SRV__LOG_LINE_MAX)) == 0;
        break;
    }
    case ENG_EVENT_PROGRESS:
        /* Three decimals say all a progress bar can show. */
        ok = ok && json_object_set_new(o, "progress",
                                       json_real(round(ev->progress * 1000.0) / 1000.0)) == 0;
        break;
    }
    char *text = ok ? json_dumps(o, JSON_COMPACT) : NULL;
    json_decref(o);
    return text;
}

/* Whether a progress event moves its step by a whole percent (under the
 * lock). */
static bool srv__progress_moves(srv__live *l, const eng_event *ev)
{
    int percent = (int)(ev->progress * 100.0);
    for (size_t i = 0; i < l->nmarks; i++)
        if (strcmp(l->marks[i].node, ev->node) == 0) {
            if (l->marks[i].percent == percent) return false;
            l->marks[i].percent = percent;
            return true;
        }
    srv__progress_mark *marks = wf_reallocarray(l->marks, l->nmarks + 1, sizeof *marks);
    if (marks == NULL) return true;
    l->marks = marks;
    if ((marks[l->nmarks].node = wf_strdup(ev->node)) == NULL) return true;
    marks[l->nmarks++].percent = percent;
    return true;
}

/* Appends an event (under the lock); takes data. */
static void srv__append(srv__live *l, const char *kind, char *data)
{
    if (data == NULL ||
        wf_grow((void **)&l->events, &l->cap, l->nevents + 1, sizeof *l->events) < 0) {
        free(data);
        return;
    }
    st_run_event *e = &l->events[l->nevents];
    e->kind = wf_strdup(kind);
    if (e->kind == NULL) {
        free(data);
        return;
    }
    e->seq = (int64_t)l->nevents + 1;
    e->data_json = data;
    l->nevents++;
}

void srv__live_event(void *live, const eng_event *ev)
{
    srv__live *l = live;
    bool keep = ev->kind != ENG_EVENT_PROGRESS || ev->node == NULL;
    char *data = srv__event_data(ev);
    pthread_mutex_lock(&srv__runs_lock);
    if (l->run_id == 0 && ev->run_id != 0) {
        l->run_id = ev->run_id;
        l->refs++; /* the table's */
        l->listed = true;
        l->next = srv__live_table;
        srv__live_table = l;
    }
    if (ev->kind == ENG_EVENT_PROGRESS && ev->node != NULL) keep = srv__progress_moves(l, ev);
    if (ev->kind == ENG_EVENT_LOG && ++l->nlogs > SRV__LOG_EVENTS_MAX) {
        keep = l->nlogs == SRV__LOG_EVENTS_MAX + 1;
        if (keep) {
            free(data);
            eng_event note = *ev;
            char line[128];
            snprintf(line, sizeof line,
                     "(more than %d log lines: the rest are in the step's log only)",
                     SRV__LOG_EVENTS_MAX);
            note.message = line;
            data = srv__event_data(&note);
        }
    }
    if (keep)
        srv__append(l, srv__kind_name(ev->kind), data);
    else
        free(data);
    srv_server *s = l->server;
    if (keep && l->watchers > 0) srv_streams_wake(s);
    pthread_mutex_unlock(&srv__runs_lock);
    eng_bus_publish(srv_bus(s), ev);
}

void srv__live_finish(srv__live *l, st_workspace *ws, const char *override_status,
                      const char *override_message)
{
    if (override_status != NULL) {
        char now[ST_TIMESTAMP_MAX];
        st_timestamp(now);
        json_t *o = json_pack("{s:I, s:s, s:s, s:s}", "run_id", (json_int_t)l->run_id, "time", now,
                              "status", override_status, "message",
                              override_message ? override_message : "");
        char *data = o ? json_dumps(o, JSON_COMPACT) : NULL;
        json_decref(o);
        pthread_mutex_lock(&srv__runs_lock);
        srv__append(l, "run", data);
        pthread_mutex_unlock(&srv__runs_lock);
    }
    pthread_mutex_lock(&srv__runs_lock);
    l->complete = true;
    if (l->watchers > 0) srv_streams_wake(l->server);
    pthread_mutex_unlock(&srv__runs_lock);
    /* Only this thread ever appended, and nothing will now: the array can
     * be read without the lock. A failed write loses only the log lines of
     * the history: a later stream rebuilds the transitions from the steps. */
    if (l->run_id != 0) st_run_events_append(ws, l->run_id, l->events, l->nevents, NULL);
    srv__live_retire(l);
}

void srv__live_retire(srv__live *l)
{
    pthread_mutex_lock(&srv__runs_lock);
    bool was_listed = l->listed;
    if (was_listed) {
        for (srv__live **p = &srv__live_table; *p != NULL; p = &(*p)->next)
            if (*p == l) {
                *p = l->next;
                break;
            }
        l->listed = false;
        l->next = NULL;
    }
    pthread_mutex_unlock(&srv__runs_lock);
    if (was_listed) srv__live_unref(l);
}

/* A listed run's history, referenced and watched; NULL when the run is not
 * live here. */
static srv__live *srv__live_watch(int64_t run_id)
{
    pthread_mutex_lock(&srv__runs_lock);
    srv__live *l = srv__live_table;
    while (l != NULL && l->run_id != run_id)
        l = l->next;
    if (l != NULL) {
        l->refs++;
        l->watchers++;
    }
    pthread_mutex_unlock(&srv__runs_lock);
    return l;
}

/* ---- histories rebuilt from the steps ------------------------------------- */

typedef struct srv__mark {
    const char *time;
    size_t position;
    int phase; /* 0 running, 1 ended */
} srv__mark;

static int srv__mark_cmp(const void *a, const void *b)
{
    const srv__mark *x = a, *y = b;
    int c = strcmp(x->time, y->time);
    if (c != 0) return c;
    if (x->phase != y->phase) return x->phase - y->phase;
    return x->position < y->position ? -1 : x->position > y->position;
}

static bool srv__is_final(const char *status)
{
    return strcmp(status, "completed") == 0 || strcmp(status, "failed") == 0 ||
           strcmp(status, "canceled") == 0;
}

static void srv__rebuilt_add(st_run_event **list, size_t *n, size_t *cap, const char *kind,
                             json_t *data)
{
    char *text = data ? json_dumps(data, JSON_COMPACT) : NULL;
    json_decref(data);
    char *k = wf_strdup(kind);
    if (text == NULL || k == NULL || wf_grow((void **)list, cap, *n + 1, sizeof **list) < 0) {
        free(text);
        free(k);
        return;
    }
    (*list)[*n] = (st_run_event){.seq = (int64_t)*n + 1, .kind = k, .data_json = text};
    (*n)++;
}

/* The step transitions of run r, in the order they happened, as events. */
static int srv__rebuild(st_workspace *ws, const st_run *r, st_run_event **out, size_t *count,
                        wf_error *err)
{
    *out = NULL;
    *count = 0;
    st_step *steps = NULL;
    size_t n = 0, cap = 0, nev = 0;
    int rc = st_run_steps(ws, r->id, &steps, &n, err);
    if (rc < 0) return rc;
    st_run_event *ev = NULL;
    json_int_t id = (json_int_t)r->id;
    srv__rebuilt_add(
        &ev, &nev, &cap, "run",
        json_pack("{s:I, s:s, s:s}", "run_id", id, "time", r->created_at, "status", "queued"));
    for (size_t i = 0; i < n; i++)
        srv__rebuilt_add(&ev, &nev, &cap, "step",
                         json_pack("{s:I, s:s, s:s, s:s}", "run_id", id, "time", r->created_at,
                                   "node", steps[i].node_id, "status", "queued"));
    if (r->started_at[0] != '\0')
        srv__rebuilt_add(
            &ev, &nev, &cap, "run",
            json_pack("{s:I, s:s, s:s}", "run_id", id, "time", r->started_at, "status", "running"));
    srv__mark *marks = wf_calloc(2 * n + 1, sizeof *marks);
    size_t nm = 0;
    for (size_t i = 0; marks != NULL && i < n; i++) {
        const st_step *s = &steps[i];
        bool ran = s->started_at[0] != '\0' && strcmp(s->status, "reused") != 0 &&
                   strcmp(s->status, "skipped") != 0;
        if (ran) marks[nm++] = (srv__mark){s->started_at, i, 0};
        if (strcmp(s->status, "queued") != 0 && strcmp(s->status, "running") != 0)
            marks[nm++] = (srv__mark){s->finished_at, i, 1};
    }
    if (marks != NULL) qsort(marks, nm, sizeof *marks, srv__mark_cmp);
    for (size_t m = 0; m < nm; m++) {
        const st_step *s = &steps[marks[m].position];
        json_t *d = json_pack("{s:I, s:s, s:s, s:s}", "run_id", id, "time", marks[m].time, "node",
                              s->node_id, "status", marks[m].phase == 0 ? "running" : s->status);
        if (d != NULL && marks[m].phase == 1 && s->error[0] != '\0')
            json_object_set_new(d, "message", srv__text_json(s->error, strlen(s->error)));
        srv__rebuilt_add(&ev, &nev, &cap, "step", d);
    }
    free(marks);
    if (srv__is_final(r->status)) {
        json_t *d =
            json_pack("{s:I, s:s, s:s}", "run_id", id, "time", r->finished_at, "status", r->status);
        if (d != NULL && r->error[0] != '\0')
            json_object_set_new(d, "message", srv__text_json(r->error, strlen(r->error)));
        srv__rebuilt_add(&ev, &nev, &cap, "run", d);
    }
    st_steps_free(steps, n);
    *out = ev;
    *count = nev;
    return 0;
}

/* ---- the stream ------------------------------------------------------------- */

typedef struct srv__sse {
    int64_t run_id;
    int64_t last;    /* the last event formatted */
    srv__live *live; /* referenced; or NULL: the events below */
    st_run_event *stored;
    size_t nstored, next;
    bool final;  /* the stored events are the whole history */
    bool polled; /* another process runs it: rebuild now and then */
    double next_poll;
    char *ws_dir;
    st_workspace *ws; /* for polling, opened on first use */
    wf_buf out;
    size_t out_pos;
    bool done;
} srv__sse;

static double srv__now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void srv__sse_format(srv__sse *s, const st_run_event *e)
{
    wf_buf_printf(&s->out, "id: %lld\nevent: %s\ndata: %s\n\n", (long long)e->seq, e->kind,
                  e->data_json);
    s->last = e->seq;
}

/* Re-reads a run another process executes. */
static void srv__sse_poll(srv__sse *s)
{
    s->next_poll = srv__now() + SRV__POLL_S;
    if (s->ws == NULL && st_open(s->ws_dir, &s->ws, NULL) < 0) return;
    st_run r;
    st_run_event *ev = NULL;
    size_t n = 0;
    if (st_run_get(s->ws, s->run_id, &r, NULL) < 0) return;
    if (srv__rebuild(s->ws, &r, &ev, &n, NULL) == 0) {
        st_run_events_free(s->stored, s->nstored);
        s->stored = ev;
        s->nstored = n;
        s->next = 0;
        s->final = srv__is_final(r.status);
    }
    st_run_clear(&r);
}

/* Formats what there is to send next, as whole events. */
static void srv__sse_fill(srv__sse *s)
{
    if (s->live != NULL) {
        pthread_mutex_lock(&srv__runs_lock);
        size_t i = (size_t)s->last;
        for (; i < s->live->nevents && s->out.len < SRV__SSE_CHUNK; i++)
            srv__sse_format(s, &s->live->events[i]);
        if (i >= s->live->nevents && s->live->complete) s->done = true;
        pthread_mutex_unlock(&srv__runs_lock);
        return;
    }
    if (s->next >= s->nstored && !s->final && s->polled && srv__now() >= s->next_poll)
        srv__sse_poll(s);
    for (; s->next < s->nstored && s->out.len < SRV__SSE_CHUNK; s->next++)
        if (s->stored[s->next].seq > s->last) srv__sse_format(s, &s->stored[s->next]);
    if (s->next >= s->nstored && s->final) s->done = true;
}

static ssize_t srv__sse_read(void *user, uint64_t pos, char *buf, size_t max)
{
    (void)pos;
    srv__sse *s = user;
    if (s->out_pos >= s->out.len) {
        s->out.len = 0;
        s->out_pos = 0;
        if (!s->done) srv__sse_fill(s);
    }
    if (s->out.failed) return -2;
    if (s->out_pos < s->out.len) {
        /* A partial event is fine: the rest goes at the next call, and the
         * stream never says "nothing yet" in between. */
        size_t n = s->out.len - s->out_pos < max ? s->out.len - s->out_pos : max;
        memcpy(buf, s->out.data + s->out_pos, n);
        s->out_pos += n;
        return (ssize_t)n;
    }
    return s->done ? MHD_CONTENT_READER_END_OF_STREAM : 0;
}

static void srv__sse_free(void *user)
{
    srv__sse *s = user;
    if (s == NULL) return;
    if (s->live != NULL) {
        pthread_mutex_lock(&srv__runs_lock);
        s->live->watchers--;
        pthread_mutex_unlock(&srv__runs_lock);
        srv__live_unref(s->live);
    }
    st_run_events_free(s->stored, s->nstored);
    st_close(s->ws);
    free(s->ws_dir);
    wf_buf_free(&s->out);
    free(s);
}

/* Last-Event-ID (or ?last_event_id= for clients that cannot set headers):
 * the last event the client has; 0 when absent or not a number. */
static int64_t srv__last_event_id(srv_request *req)
{
    const char *text = srv_header(req, "Last-Event-ID");
    if (text == NULL) text = srv_query(req, "last_event_id");
    if (text == NULL) return 0;
    char *end;
    long long v = strtoll(text, &end, 10);
    return end != text && *end == '\0' && v > 0 ? (int64_t)v : 0;
}

int srv__run_events_stream(srv_request *req, srv_response *res)
{
    int64_t id;
    if (!srv__path_id(req, 0, &id))
        return srv_reply_error(res, 404, "not_found", "there is no run \"%.100s\"",
                               srv_path_param(req, 0));
    st_workspace *ws = srv__ws(req, res);
    if (ws == NULL) return 0;
    wf_error err = {0};
    st_run r;
    /* A run whose process died is set right before anyone watches it. */
    if (st_runs_mark_interrupted(ws, NULL, &err) < 0 || st_run_get(ws, id, &r, &err) < 0)
        return srv_reply_wf_error(res, &err);
    srv__sse *s = calloc(1, sizeof *s);
    if (s == NULL) {
        st_run_clear(&r);
        return srv_reply_error(res, 500, "internal", "out of memory");
    }
    s->run_id = id;
    s->last = srv__last_event_id(req);
    s->live = srv__live_watch(id);
    int rc = 0;
    if (s->live == NULL) {
        rc = st_run_events_list(ws, id, 0, &s->stored, &s->nstored, &err);
        if (rc == 0 && s->nstored > 0) {
            s->final = true; /* recorded when the run ended */
        } else if (rc == 0) {
            rc = srv__rebuild(ws, &r, &s->stored, &s->nstored, &err);
            s->final = srv__is_final(r.status);
            s->polled = !s->final;
            s->next_poll = srv__now() + SRV__POLL_S;
            s->ws_dir = wf_strdup(srv_workspace_dir(req->server));
            if (s->ws_dir == NULL) rc = wf_error_set(&err, WF_ENOMEM, "out of memory");
        }
    }
    st_run_clear(&r);
    if (rc < 0) {
        srv__sse_free(s);
        return srv_reply_wf_error(res, &err);
    }
    srv_reply_stream(res, "text/event-stream", srv__sse_read, srv__sse_free, s);
    res->extra_header_name = wf_strdup("Cache-Control");
    res->extra_header_value = wf_strdup("no-cache");
    return 0;
}
