/*
 * endpoints.c: the endpoints a server serves, held in memory (endpoints_int.h).
 *
 * Each endpoint is a slot: its name, its key digests and its current
 * deployment. Slots live under a read-write lock. A scoring request holds
 * the read lock only to check its key and take a reference on the current
 * deployment; it then scores without any lock. A redeploy builds the new
 * deployment first (the plan is compiled outside any lock), then swaps the
 * slot's pointer under the write lock and drops the slot's reference to the
 * old one: requests in flight finish on the old plan, which is freed by the
 * last of them. No request ever waits for a compile, and none fails for a
 * swap.
 *
 * Metrics are counters and a latency histogram of relaxed atomics, one set
 * per endpoint shared by its versions: a request adds to three of them and
 * takes no lock. The histogram has four buckets per power of two of
 * nanoseconds (a bucket's width is at most a quarter of its value), so a
 * percentile read from it is within about 12% of the true one.
 *
 * In a workspace, a thread follows the store: at start it compiles every
 * endpoint (each "deploying" until then), and every second it applies what
 * other processes changed (`weft endpoint deploy`, `delete`, `keys`).
 */
#include "endpoints_int.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#define SRV__SYNC_SECONDS 1
#define SRV__BUCKETS 192 /* 4 per power of two, up to 2^48 ns */

struct srv__metrics {
    atomic_int refs;
    atomic_uint_fast64_t requests, errors;
    atomic_uint_fast64_t buckets[SRV__BUCKETS];
};

typedef struct srv__slot {
    char *name;
    char primary[WF_SHA256_HEX], secondary[WF_SHA256_HEX];
    srv__deployment *current;
    srv__metrics *metrics;
} srv__slot;

struct srv__endpoints {
    pthread_rwlock_t lock; /* the slots */
    srv__slot *slots;
    size_t count, cap;
    pthread_mutex_t manage; /* management operations and the sync pass */
    bool standalone;
    /* the sync thread (workspace only) */
    char *workspace_dir;
    pthread_t sync;
    bool sync_started;
    pthread_mutex_t quit_lock;
    pthread_cond_t quit_cond;
    bool quit;
};

/* ---- metrics ----------------------------------------------------------- */

static srv__metrics *srv__metrics_new(void)
{
    srv__metrics *m = wf_calloc(1, sizeof *m);
    if (m != NULL) atomic_init(&m->refs, 1);
    return m;
}

static void srv__metrics_release(srv__metrics *m)
{
    if (m != NULL && atomic_fetch_sub(&m->refs, 1) == 1) free(m);
}

/* Bucket 4e + s holds [ (4 + s) 2^(e-2), (5 + s) 2^(e-2) ) nanoseconds. */
static size_t srv__bucket_of(uint64_t ns)
{
    if (ns < 4) return (size_t)ns;
    int e = 63 - __builtin_clzll(ns);
    size_t b = (size_t)e * 4 + (size_t)((ns >> (e - 2)) & 3);
    return b < SRV__BUCKETS ? b : SRV__BUCKETS - 1;
}

static double srv__bucket_mid_ns(size_t b)
{
    if (b < 4) return (double)b;
    double lo = ldexp(4.0 + (double)(b & 3), (int)(b / 4) - 2);
    double hi = ldexp(5.0 + (double)(b & 3), (int)(b / 4) - 2);
    return (lo + hi) / 2;
}

void srv__metrics_record(srv__metrics *m, uint64_t nanoseconds, bool failed)
{
    if (m == NULL) return;
    atomic_fetch_add_explicit(&m->requests, 1, memory_order_relaxed);
    if (failed) atomic_fetch_add_explicit(&m->errors, 1, memory_order_relaxed);
    atomic_fetch_add_explicit(&m->buckets[srv__bucket_of(nanoseconds)], 1, memory_order_relaxed);
}

json_t *srv__metrics_json(const srv__metrics *m)
{
    uint64_t counts[SRV__BUCKETS], total = 0;
    for (size_t b = 0; b < SRV__BUCKETS; b++) {
        counts[b] = m ? atomic_load_explicit(&m->buckets[b], memory_order_relaxed) : 0;
        total += counts[b];
    }
    static const double qs[3] = {0.50, 0.95, 0.99};
    static const char *const names[3] = {"p50", "p95", "p99"};
    json_t *latency = json_object();
    for (int q = 0; q < 3 && latency != NULL; q++) {
        if (total == 0) {
            json_object_set_new(latency, names[q], json_null());
            continue;
        }
        /* The smallest bucket at which the running count reaches the rank. */
        uint64_t rank = (uint64_t)ceil(qs[q] * (double)total), seen = 0;
        size_t b = 0;
        for (; b < SRV__BUCKETS; b++) {
            seen += counts[b];
            if (seen >= rank) break;
        }
        double ms = srv__bucket_mid_ns(b < SRV__BUCKETS ? b : SRV__BUCKETS - 1) / 1e6;
        json_object_set_new(latency, names[q], json_real(round(ms * 1000) / 1000));
    }
    return json_pack("{s:I, s:I, s:o}", "requests",
                     (json_int_t)(m ? atomic_load_explicit(&m->requests, memory_order_relaxed) : 0),
                     "errors",
                     (json_int_t)(m ? atomic_load_explicit(&m->errors, memory_order_relaxed) : 0),
                     "latency_ms", latency);
}

/* ---- deployments ------------------------------------------------------- */

static void srv__deployment_free(srv__deployment *d)
{
    eng_scoring_plan_free(d->plan);
    srv__metrics_release(d->metrics);
    free(d->name);
    free(d->state);
    free(d->reason);
    free(d);
}

void srv__deployment_release(srv__deployment *d)
{
    if (d != NULL && atomic_fetch_sub(&d->refs, 1) == 1) srv__deployment_free(d);
}

/* A deployment of version `version` (takes plan). NULL on OOM (plan freed). */
static srv__deployment *srv__deployment_new(const char *name, int version, const char *state,
                                            const char *reason, eng_scoring_plan *plan)
{
    srv__deployment *d = wf_calloc(1, sizeof *d);
    if (d == NULL) {
        eng_scoring_plan_free(plan);
        return NULL;
    }
    atomic_init(&d->refs, 1);
    d->name = wf_strdup(name);
    d->version = version;
    d->state = wf_strdup(state);
    d->reason = wf_strdup(reason ? reason : "");
    d->plan = plan;
    if (d->name == NULL || d->state == NULL || d->reason == NULL) {
        srv__deployment_free(d);
        return NULL;
    }
    return d;
}

/* ---- slots ------------------------------------------------------------- */

static srv__slot *srv__find(srv__endpoints *e, const char *name)
{
    for (size_t i = 0; i < e->count; i++)
        if (strcmp(e->slots[i].name, name) == 0) return &e->slots[i];
    return NULL;
}

/* Puts d in the slot of d->name (made if needed) under the write lock.
 * Takes d; an older version than the slot's is dropped. */
static int srv__put(srv__endpoints *e, srv__deployment *d, const char *primary,
                    const char *secondary)
{
    srv__deployment *old = NULL;
    int rc = 0;
    pthread_rwlock_wrlock(&e->lock);
    srv__slot *slot = srv__find(e, d->name);
    if (slot == NULL) {
        if (wf_grow((void **)&e->slots, &e->cap, e->count + 1, sizeof *e->slots) < 0) {
            rc = WF_ENOMEM;
        } else {
            slot = &e->slots[e->count];
            memset(slot, 0, sizeof *slot);
            slot->name = wf_strdup(d->name);
            slot->metrics = srv__metrics_new();
            if (slot->name == NULL || slot->metrics == NULL) {
                free(slot->name);
                free(slot->metrics);
                slot = NULL;
                rc = WF_ENOMEM;
            } else {
                e->count++;
            }
        }
    }
    if (slot != NULL && slot->current != NULL && slot->current->version > d->version) {
        old = d; /* a newer version is in service already */
    } else if (slot != NULL) {
        old = slot->current;
        atomic_fetch_add(&slot->metrics->refs, 1);
        d->metrics = slot->metrics;
        slot->current = d;
        snprintf(slot->primary, sizeof slot->primary, "%s", primary ? primary : "");
        snprintf(slot->secondary, sizeof slot->secondary, "%s", secondary ? secondary : "");
    }
    pthread_rwlock_unlock(&e->lock);
    if (rc < 0) old = d;
    srv__deployment_release(old);
    return rc;
}

int srv__endpoint_install(srv_server *s, const st_endpoint *row, eng_scoring_plan *plan)
{
    srv__endpoints *e = s->endpoints;
    const char *state = plan != NULL                           ? "healthy"
                        : strcmp(row->state, "deploying") == 0 ? "deploying"
                                                               : "failed";
    srv__deployment *d = srv__deployment_new(row->name, row->version, state, row->reason, plan);
    if (d == NULL) return WF_ENOMEM;
    return srv__put(e, d, row->primary_sha256, row->secondary_sha256);
}

void srv__endpoint_set_keys(srv_server *s, const char *name, const char *primary_sha256,
                            const char *secondary_sha256)
{
    srv__endpoints *e = s->endpoints;
    pthread_rwlock_wrlock(&e->lock);
    srv__slot *slot = srv__find(e, name);
    if (slot != NULL) {
        snprintf(slot->primary, sizeof slot->primary, "%s", primary_sha256);
        snprintf(slot->secondary, sizeof slot->secondary, "%s", secondary_sha256);
    }
    pthread_rwlock_unlock(&e->lock);
}

void srv__endpoint_remove(srv_server *s, const char *name)
{
    srv__endpoints *e = s->endpoints;
    srv__deployment *old = NULL;
    srv__metrics *metrics = NULL;
    char *slot_name = NULL;
    pthread_rwlock_wrlock(&e->lock);
    srv__slot *slot = srv__find(e, name);
    if (slot != NULL) {
        old = slot->current;
        metrics = slot->metrics;
        slot_name = slot->name;
        *slot = e->slots[--e->count];
    }
    pthread_rwlock_unlock(&e->lock);
    srv__deployment_release(old);
    srv__metrics_release(metrics);
    free(slot_name);
}

/* The key after "Bearer ", or NULL. */
static const char *srv__bearer(const char *authorization)
{
    if (authorization == NULL || strncasecmp(authorization, "Bearer ", 7) != 0) return NULL;
    const char *k = authorization + 7;
    while (*k == ' ')
        k++;
    return *k ? k : NULL;
}

int srv__endpoint_open(srv_server *s, const char *name, const char *authorization,
                       srv__deployment **d)
{
    if (d != NULL) *d = NULL;
    srv__endpoints *e = s->endpoints;
    if (e == NULL || name == NULL) return 404;
    const char *key = srv__bearer(authorization);
    int status = 404;
    pthread_rwlock_rdlock(&e->lock);
    srv__slot *slot = srv__find(e, name);
    if (slot != NULL) {
        status = st_key_matches(key, slot->primary, slot->secondary) ? 0 : 401;
        if (status == 0 && d != NULL) {
            atomic_fetch_add(&slot->current->refs, 1);
            *d = slot->current;
        }
    }
    pthread_rwlock_unlock(&e->lock);
    return status;
}

srv__deployment *srv__endpoint_get(srv_server *s, const char *name)
{
    srv__endpoints *e = s->endpoints;
    if (e == NULL) return NULL;
    srv__deployment *d = NULL;
    pthread_rwlock_rdlock(&e->lock);
    srv__slot *slot = srv__find(e, name);
    if (slot != NULL) {
        d = slot->current;
        atomic_fetch_add(&d->refs, 1);
    }
    pthread_rwlock_unlock(&e->lock);
    return d;
}

bool srv__endpoints_ready(srv_server *s)
{
    srv__endpoints *e = s->endpoints;
    if (e == NULL) return true;
    bool ready = true;
    pthread_rwlock_rdlock(&e->lock);
    for (size_t i = 0; i < e->count && ready; i++)
        ready = strcmp(e->slots[i].current->state, "deploying") != 0;
    pthread_rwlock_unlock(&e->lock);
    return ready;
}

bool srv__endpoints_standalone(const srv_server *s)
{
    return s->endpoints != NULL && s->endpoints->standalone;
}

void srv__endpoints_lock(srv_server *s)
{
    pthread_mutex_lock(&s->endpoints->manage);
}

void srv__endpoints_unlock(srv_server *s)
{
    pthread_mutex_unlock(&s->endpoints->manage);
}

/* ---- following the store ----------------------------------------------- */

/* Compiles row and installs it; records a state that changed. */
static void srv__sync_one(srv_server *s, st_workspace *ws, const st_endpoint *row)
{
    eng_scoring_plan *plan = NULL;
    wf_error err = {0};
    int rc = eng_endpoint_compile(ws, row->document_json, &plan, &err);
    st_endpoint copy = *row;
    copy.reason = rc == 0 ? "" : err.message;
    copy.state = rc == 0 ? "healthy" : "failed";
    if (rc < 0)
        fprintf(stderr, "weft: endpoint %s (version %d) failed: %s\n", row->name, row->version,
                err.message);
    if (srv__endpoint_install(s, &copy, plan) < 0)
        fprintf(stderr, "weft: endpoint %s: out of memory\n", row->name);
    wf_error serr = {0};
    if (strcmp(row->state, copy.state) != 0 || strcmp(row->reason, copy.reason) != 0)
        st_endpoint_set_state(ws, row->name, row->version, copy.state, copy.reason, &serr);
}

/* One pass: what the store says, applied to the registry. */
static void srv__sync_pass(srv_server *s, st_workspace *ws)
{
    srv__endpoints *e = s->endpoints;
    st_endpoint *rows = NULL;
    size_t n = 0;
    wf_error err = {0};
    srv__endpoints_lock(s);
    if (st_endpoint_list(ws, &rows, &n, &err) < 0) {
        srv__endpoints_unlock(s);
        return;
    }
    for (size_t i = 0; i < n; i++) {
        const st_endpoint *row = &rows[i];
        int version = -1;
        bool deploying = false, keys_differ = false;
        pthread_rwlock_rdlock(&e->lock);
        srv__slot *slot = srv__find(e, row->name);
        if (slot != NULL) {
            version = slot->current->version;
            deploying = strcmp(slot->current->state, "deploying") == 0;
            keys_differ = strcmp(slot->primary, row->primary_sha256) != 0 ||
                          strcmp(slot->secondary, row->secondary_sha256) != 0;
        }
        pthread_rwlock_unlock(&e->lock);
        if (version < row->version || deploying)
            srv__sync_one(s, ws, row);
        else if (keys_differ)
            srv__endpoint_set_keys(s, row->name, row->primary_sha256, row->secondary_sha256);
    }
    /* Endpoints deleted by another process. */
    for (;;) {
        char *gone = NULL;
        pthread_rwlock_rdlock(&e->lock);
        for (size_t k = 0; k < e->count && gone == NULL; k++) {
            bool found = false;
            for (size_t i = 0; i < n && !found; i++)
                found = strcmp(rows[i].name, e->slots[k].name) == 0;
            if (!found) gone = wf_strdup(e->slots[k].name);
        }
        pthread_rwlock_unlock(&e->lock);
        if (gone == NULL) break;
        srv__endpoint_remove(s, gone);
        free(gone);
    }
    srv__endpoints_unlock(s);
    st_endpoints_free(rows, n);
}

static void *srv__sync_main(void *arg)
{
    srv_server *s = arg;
    srv__endpoints *e = s->endpoints;
    st_workspace *ws = NULL;
    wf_error err = {0};
    if (st_open(e->workspace_dir, &ws, &err) < 0) {
        fprintf(stderr, "weft: endpoints cannot follow the workspace: %s\n", err.message);
        return NULL;
    }
    pthread_mutex_lock(&e->quit_lock);
    while (!e->quit) {
        pthread_mutex_unlock(&e->quit_lock);
        srv__sync_pass(s, ws);
        pthread_mutex_lock(&e->quit_lock);
        struct timespec until;
        clock_gettime(CLOCK_REALTIME, &until);
        until.tv_sec += SRV__SYNC_SECONDS;
        while (!e->quit && pthread_cond_timedwait(&e->quit_cond, &e->quit_lock, &until) == 0) {
        }
    }
    pthread_mutex_unlock(&e->quit_lock);
    st_close(ws);
    return NULL;
}

/* ---- life -------------------------------------------------------------- */

static int srv__endpoints_new(srv_server *s, wf_error *err)
{
    srv__endpoints *e = wf_calloc(1, sizeof *e);
    if (e == NULL) return wf_error_set(err, WF_ENOMEM, "out of memory");
    pthread_rwlock_init(&e->lock, NULL);
    pthread_mutex_init(&e->manage, NULL);
    pthread_mutex_init(&e->quit_lock, NULL);
    pthread_cond_init(&e->quit_cond, NULL);
    s->endpoints = e;
    return 0;
}

int srv__endpoints_start(srv_server *s, st_workspace *ws, wf_error *err)
{
    int rc = srv__endpoints_new(s, err);
    if (rc < 0) return rc;
    srv__endpoints *e = s->endpoints;
    if ((e->workspace_dir = wf_strdup(st_workspace_dir(ws))) == NULL)
        return wf_error_set(err, WF_ENOMEM, "out of memory");
    st_endpoint *rows = NULL;
    size_t n = 0;
    if ((rc = st_endpoint_list(ws, &rows, &n, err)) < 0) return rc;
    for (size_t i = 0; i < n && rc == 0; i++) {
        srv__deployment *d =
            srv__deployment_new(rows[i].name, rows[i].version, "deploying", "", NULL);
        rc = d == NULL ? WF_ENOMEM
                       : srv__put(e, d, rows[i].primary_sha256, rows[i].secondary_sha256);
    }
    st_endpoints_free(rows, n);
    if (rc < 0) return wf_error_set(err, rc, "out of memory");
    if ((rc = pthread_create(&e->sync, NULL, srv__sync_main, s)) != 0)
        return wf_error_set(err, WF_ENOMEM, "cannot start the endpoints' thread: %s", strerror(rc));
    e->sync_started = true;
    return 0;
}

/* Reads one or two keys (lines; blank lines and # comments skipped) and
 * writes their digests. */
static int srv__read_key_file(const char *path, char primary[WF_SHA256_HEX],
                              char secondary[WF_SHA256_HEX], wf_error *err)
{
    char *text = NULL;
    size_t size = 0;
    int rc = wf_read_file(path, &text, &size, err);
    if (rc < 0) return wf_error_prefix(err, "the key file");
    int found = 0;
    for (char *line = strtok(text, "\r\n"); line != NULL && found < 2;
         line = strtok(NULL, "\r\n")) {
        while (*line == ' ' || *line == '\t')
            line++;
        size_t len = strlen(line);
        while (len > 0 && (line[len - 1] == ' ' || line[len - 1] == '\t'))
            line[--len] = '\0';
        if (len == 0 || line[0] == '#') continue;
        if (len < 16) {
            rc = wf_error_set(err, WF_EINVAL,
                              "the key file: a key must be at least 16 characters long");
            break;
        }
        st_key_sha256(line, found == 0 ? primary : secondary);
        found++;
    }
    memset(text, 0, size);
    free(text);
    if (rc == 0 && found == 0) rc = wf_error_set(err, WF_EINVAL, "the key file holds no key");
    if (rc == 0 && found == 1) secondary[0] = '\0';
    return rc;
}

int srv__endpoints_start_bundle(srv_server *s, const char *dir, const char *key_file, wf_error *err)
{
    int rc = srv__endpoints_new(s, err);
    if (rc < 0) return rc;
    s->endpoints->standalone = true;
    eng_scoring_plan *plan = NULL;
    json_t *manifest = NULL;
    if ((rc = eng_bundle_open(dir, &plan, &manifest, err)) < 0) return rc;
    st_endpoint row = {0};
    const json_t *keys = json_object_get(manifest, "keys");
    const char *ph = json_string_value(json_object_get(keys, "primary_sha256"));
    const char *sh = json_string_value(json_object_get(keys, "secondary_sha256"));
    snprintf(row.primary_sha256, sizeof row.primary_sha256, "%s", ph ? ph : "");
    snprintf(row.secondary_sha256, sizeof row.secondary_sha256, "%s", sh ? sh : "");
    if (key_file != NULL)
        rc = srv__read_key_file(key_file, row.primary_sha256, row.secondary_sha256, err);
    row.name = (char *)json_string_value(json_object_get(manifest, "name"));
    row.version = (int)json_integer_value(json_object_get(manifest, "version"));
    row.state = "healthy";
    row.reason = "";
    if (rc == 0 && (row.name == NULL || st_endpoint_name_check(row.name, err) < 0))
        rc = wf_error_set(err, WF_EINVAL, "the bundle's manifest names no valid endpoint");
    if (rc == 0 && row.version < 1) row.version = 1;
    if (rc == 0) {
        rc = srv__endpoint_install(s, &row, plan);
        plan = NULL;
        if (rc < 0) wf_error_set(err, rc, "out of memory");
    }
    eng_scoring_plan_free(plan);
    json_decref(manifest);
    return rc;
}

void srv__endpoints_stop(srv_server *s)
{
    srv__endpoints *e = s->endpoints;
    if (e == NULL) return;
    if (e->sync_started) {
        pthread_mutex_lock(&e->quit_lock);
        e->quit = true;
        pthread_cond_broadcast(&e->quit_cond);
        pthread_mutex_unlock(&e->quit_lock);
        pthread_join(e->sync, NULL);
    }
    for (size_t i = 0; i < e->count; i++) {
        srv__deployment_release(e->slots[i].current);
        srv__metrics_release(e->slots[i].metrics);
        free(e->slots[i].name);
    }
    free(e->slots);
    free(e->workspace_dir);
    pthread_rwlock_destroy(&e->lock);
    pthread_mutex_destroy(&e->manage);
    pthread_mutex_destroy(&e->quit_lock);
    pthread_cond_destroy(&e->quit_cond);
    free(e);
    s->endpoints = NULL;
}
