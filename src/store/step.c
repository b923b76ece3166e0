/*
 * step.c: the steps of runs and the step cache.
 *
 * The step cache maps a step key (the SHA-256 the engine's planner computes
 * over module, parameters and input digests) to the outputs that step made.
 * An entry is written in the same transaction that records the step
 * completed, so after any crash either both are there or neither is.
 */
#include "store_int.h"

#include <stdlib.h>
#include <string.h>

void st_step_clear(st_step *s)
{
    if (s == NULL) return;
    free(s->node_id);
    free(s->module);
    free(s->status);
    free(s->cache_key);
    free(s->started_at);
    free(s->finished_at);
    free(s->outputs_json);
    free(s->log_path);
    free(s->error);
    memset(s, 0, sizeof *s);
}

void st_steps_free(st_step *s, size_t n)
{
    if (s == NULL) return;
    for (size_t i = 0; i < n; i++)
        st_step_clear(&s[i]);
    free(s);
}

static bool st__is_step_status(const char *s)
{
    static const char *const known[] = {"queued", "running",  "completed", "reused",
                                        "failed", "canceled", "skipped"};
    for (size_t i = 0; s != NULL && i < sizeof known / sizeof known[0]; i++)
        if (strcmp(s, known[i]) == 0) return true;
    return false;
}

static bool st__is_key(const char *k)
{
    if (k == NULL || strlen(k) != WF_SHA256_HEX - 1) return false;
    for (; *k; k++)
        if (!((*k >= '0' && *k <= '9') || (*k >= 'a' && *k <= 'f'))) return false;
    return true;
}

/* The columns st__read_step expects, in order. */
#define ST__STEP_COLUMNS                                                                           \
    "run_id, node_id, module, status, cache_key, started_at, finished_at, elapsed_ms, outputs,"    \
    " log_path, error, signal, peak_rss_kb, reused_from_run FROM steps "

static int st__read_step(sqlite3_stmt *stmt, st_step *s, wf_error *err)
{
    memset(s, 0, sizeof *s);
    s->run_id = sqlite3_column_int64(stmt, 0);
    s->node_id = st__column_text(stmt, 1);
    s->module = st__column_text(stmt, 2);
    s->status = st__column_text(stmt, 3);
    s->cache_key = st__column_text(stmt, 4);
    s->started_at = st__column_text(stmt, 5);
    s->finished_at = st__column_text(stmt, 6);
    s->elapsed_ms = sqlite3_column_int64(stmt, 7);
    s->outputs_json = st__column_text(stmt, 8);
    s->log_path = st__column_text(stmt, 9);
    s->error = st__column_text(stmt, 10);
    s->signal = sqlite3_column_int(stmt, 11);
    s->peak_rss_kb = sqlite3_column_int64(stmt, 12);
    s->reused_from_run = sqlite3_column_int64(stmt, 13);
    if (!s->node_id || !s->module || !s->status || !s->cache_key || !s->started_at ||
        !s->finished_at || !s->outputs_json || !s->log_path || !s->error) {
        st_step_clear(s);
        return wf_error_set(err, WF_ENOMEM, "out of memory");
    }
    return 0;
}

static int st__read_step_row(sqlite3_stmt *stmt, void *elem, wf_error *err)
{
    return st__read_step(stmt, elem, err);
}

static void st_step_clear_row(void *elem)
{
    st_step_clear(elem);
}

int st_run_steps(st_workspace *ws, int64_t run_id, st_step **out, size_t *count, wf_error *err)
{
    *out = NULL;
    *count = 0;
    sqlite3_stmt *stmt;
    int rc = st__prepare(ws, "SELECT " ST__STEP_COLUMNS "WHERE run_id = ?1 ORDER BY position",
                         &stmt, err);
    if (rc < 0) return rc;
    sqlite3_bind_int64(stmt, 1, run_id);
    return st__collect_rows(ws, stmt, sizeof(st_step), st__read_step_row, st_step_clear_row,
                            "listing steps", (void **)out, count, err);
}

int st_step_get(st_workspace *ws, int64_t run_id, const char *node_id, st_step *out, wf_error *err)
{
    memset(out, 0, sizeof *out);
    sqlite3_stmt *stmt;
    int rc = st__prepare(ws, "SELECT " ST__STEP_COLUMNS "WHERE run_id = ?1 AND node_id = ?2", &stmt,
                         err);
    if (rc < 0) return rc;
    sqlite3_bind_int64(stmt, 1, run_id);
    sqlite3_bind_text(stmt, 2, node_id ? node_id : "", -1, SQLITE_STATIC);
    int s = sqlite3_step(stmt);
    if (s == SQLITE_ROW)
        rc = st__read_step(stmt, out, err);
    else if (s == SQLITE_DONE)
        rc = wf_error_set(err, WF_ENOTFOUND, "run %lld has no step \"%.200s\"", (long long)run_id,
                          node_id ? node_id : "");
    else
        rc = st__sql_error(ws, err, "reading a step");
    sqlite3_finalize(stmt);
    return rc;
}

static const char *st__or_empty(const char *s)
{
    return s != NULL ? s : "";
}

/* The cache write inside the caller's transaction. */
static int st__cache_store_in_txn(st_workspace *ws, const char *cache_key, const char *outputs_json,
                                  int64_t run_id, const char *node_id, wf_error *err)
{
    char now[ST_TIMESTAMP_MAX];
    st_timestamp(now);
    sqlite3_stmt *stmt;
    int rc = st__prepare(ws,
                         "INSERT INTO step_cache(cache_key, outputs, run_id, node_id, created_at)"
                         " VALUES (?1, ?2, ?3, ?4, ?5) ON CONFLICT(cache_key) DO UPDATE SET"
                         " outputs = excluded.outputs, run_id = excluded.run_id,"
                         " node_id = excluded.node_id, created_at = excluded.created_at",
                         &stmt, err);
    if (rc < 0) return rc;
    sqlite3_bind_text(stmt, 1, cache_key, -1, SQLITE_STATIC);
    sqlite3_bind_text(stmt, 2, outputs_json, -1, SQLITE_STATIC);
    sqlite3_bind_int64(stmt, 3, run_id);
    sqlite3_bind_text(stmt, 4, node_id, -1, SQLITE_STATIC);
    sqlite3_bind_text(stmt, 5, now, -1, SQLITE_STATIC);
    rc = st__step_done(ws, stmt, "insert-cache", "recording a cache entry", err);
    sqlite3_finalize(stmt);
    return rc;
}

static int st__check_step(const st_step *s, wf_error *err)
{
    if (s->node_id == NULL || s->node_id[0] == '\0')
        return wf_error_set(err, WF_EINVAL, "a step needs a node id");
    if (!st__is_step_status(s->status))
        return wf_error_set(err, WF_EINVAL, "step %s: \"%s\" is not a step status", s->node_id,
                            st__or_empty(s->status));
    if (s->cache_key != NULL && s->cache_key[0] != '\0' && !st__is_key(s->cache_key))
        return wf_error_set(err, WF_EINVAL, "step %s: the cache key is not a SHA-256", s->node_id);
    return 0;
}

static int st__upsert_in_txn(st_workspace *ws, sqlite3_stmt *stmt, const st_step *s, wf_error *err)
{
    sqlite3_reset(stmt);
    sqlite3_clear_bindings(stmt);
    sqlite3_bind_int64(stmt, 1, s->run_id);
    sqlite3_bind_text(stmt, 2, s->node_id, -1, SQLITE_STATIC);
    sqlite3_bind_text(stmt, 3, st__or_empty(s->module), -1, SQLITE_STATIC);
    sqlite3_bind_text(stmt, 4, s->status, -1, SQLITE_STATIC);
    sqlite3_bind_text(stmt, 5, st__or_empty(s->cache_key), -1, SQLITE_STATIC);
    sqlite3_bind_text(stmt, 6, st__or_empty(s->started_at), -1, SQLITE_STATIC);
    sqlite3_bind_text(stmt, 7, st__or_empty(s->finished_at), -1, SQLITE_STATIC);
    sqlite3_bind_int64(stmt, 8, s->elapsed_ms);
    sqlite3_bind_text(stmt, 9, s->outputs_json ? s->outputs_json : "{}", -1, SQLITE_STATIC);
    sqlite3_bind_text(stmt, 10, st__or_empty(s->log_path), -1, SQLITE_STATIC);
    sqlite3_bind_text(stmt, 11, st__or_empty(s->error), -1, SQLITE_STATIC);
    sqlite3_bind_int(stmt, 12, s->signal);
    sqlite3_bind_int64(stmt, 13, s->peak_rss_kb);
    sqlite3_bind_int64(stmt, 14, s->reused_from_run);
    int rc = st__step_done(ws, stmt, "update-step", "recording a step", err);
    if (rc == 0 && strcmp(s->status, "completed") == 0 && s->cache_key != NULL &&
        s->cache_key[0] != '\0' && s->outputs_json != NULL)
        rc = st__cache_store_in_txn(ws, s->cache_key, s->outputs_json, s->run_id, s->node_id, err);
    return rc;
}

/* Writes the steps inside the caller's transaction. */
static int st__upsert_all(st_workspace *ws, const st_step *steps, size_t n, wf_error *err)
{
    if (n == 0) return 0;
    sqlite3_stmt *stmt;
    /* A new step goes after the run's others; an existing one keeps its
     * place. */
    int rc = st__prepare(ws,
                         "INSERT INTO steps(run_id, node_id, position, module, status, cache_key,"
                         " started_at, finished_at, elapsed_ms, outputs, log_path, error, signal,"
                         " peak_rss_kb, reused_from_run)"
                         " VALUES (?1, ?2, (SELECT coalesce(max(position) + 1, 0) FROM steps"
                         "  WHERE run_id = ?1), ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13,"
                         "  ?14)"
                         " ON CONFLICT(run_id, node_id) DO UPDATE SET module = excluded.module,"
                         " status = excluded.status, cache_key = excluded.cache_key,"
                         " started_at = excluded.started_at, finished_at = excluded.finished_at,"
                         " elapsed_ms = excluded.elapsed_ms, outputs = excluded.outputs,"
                         " log_path = excluded.log_path, error = excluded.error,"
                         " signal = excluded.signal, peak_rss_kb = excluded.peak_rss_kb,"
                         " reused_from_run = excluded.reused_from_run",
                         &stmt, err);
    for (size_t i = 0; rc == 0 && i < n; i++)
        rc = st__upsert_in_txn(ws, stmt, &steps[i], err);
    sqlite3_finalize(stmt);
    return rc;
}

static int st__check_steps(const st_step *steps, size_t n, wf_error *err)
{
    for (size_t i = 0; i < n; i++) {
        int rc = st__check_step(&steps[i], err);
        if (rc < 0) return rc;
    }
    return 0;
}

int st_steps_upsert(st_workspace *ws, const st_step *steps, size_t n, wf_error *err)
{
    int rc = st__check_steps(steps, n, err);
    if (rc < 0 || n == 0) return rc;
    if ((rc = st__begin(ws, err)) < 0) return rc;
    rc = st__upsert_all(ws, steps, n, err);
    if (rc == 0) rc = st__commit(ws, err);
    if (rc < 0) st__rollback(ws);
    return rc;
}

int st_run_finish(st_workspace *ws, int64_t run_id, const char *status, const char *error,
                  const st_step *steps, size_t n, wf_error *err)
{
    int rc = st__check_steps(steps, n, err);
    if (rc < 0) return rc;
    if ((rc = st__begin(ws, err)) < 0) return rc;
    rc = st__upsert_all(ws, steps, n, err);
    /* One UPDATE: inside this transaction, not a commit of its own. */
    if (rc == 0) rc = st_run_set_status(ws, run_id, status, error, err);
    if (rc == 0) rc = st__commit(ws, err);
    if (rc < 0) st__rollback(ws);
    return rc;
}

int st_step_upsert(st_workspace *ws, const st_step *step, wf_error *err)
{
    return st_steps_upsert(ws, step, 1, err);
}

int st_cache_lookup(st_workspace *ws, const char *cache_key, char **outputs_json, int64_t *from_run,
                    wf_error *err)
{
    *outputs_json = NULL;
    if (from_run != NULL) *from_run = 0;
    if (!st__is_key(cache_key))
        return wf_error_set(err, WF_EINVAL, "\"%.80s\" is not a step key", st__or_empty(cache_key));
    sqlite3_stmt *stmt;
    int rc =
        st__prepare(ws, "SELECT outputs, run_id FROM step_cache WHERE cache_key = ?1", &stmt, err);
    if (rc < 0) return rc;
    sqlite3_bind_text(stmt, 1, cache_key, -1, SQLITE_STATIC);
    int s = sqlite3_step(stmt);
    if (s == SQLITE_ROW) {
        if ((*outputs_json = st__column_text(stmt, 0)) == NULL)
            rc = wf_error_set(err, WF_ENOMEM, "out of memory");
        else
            rc = 1;
        if (from_run != NULL) *from_run = sqlite3_column_int64(stmt, 1);
    } else if (s != SQLITE_DONE) {
        rc = st__sql_error(ws, err, "looking up the step cache");
    }
    sqlite3_finalize(stmt);
    return rc;
}

int st_cache_store(st_workspace *ws, const char *cache_key, const char *outputs_json,
                   int64_t run_id, const char *node_id, wf_error *err)
{
    if (!st__is_key(cache_key))
        return wf_error_set(err, WF_EINVAL, "\"%.80s\" is not a step key", st__or_empty(cache_key));
    if (outputs_json == NULL || node_id == NULL)
        return wf_error_set(err, WF_EINVAL, "a cache entry needs outputs and a node");
    int rc = st__begin(ws, err);
    if (rc < 0) return rc;
    rc = st__cache_store_in_txn(ws, cache_key, outputs_json, run_id, node_id, err);
    if (rc == 0) rc = st__commit(ws, err);
    if (rc < 0) st__rollback(ws);
    return rc;
}
