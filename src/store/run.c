/*
 * run.c: experiments and runs in the workspace database, and the recovery of
 * runs whose process died.
 *
 * A run row says which process executes it: its pid and its start time as
 * the kernel counts it (/proc/<pid>/stat, field 22). A pid alone is not
 * enough, because pids are reused: after a crash and a reboot another
 * process may well hold the old number. The pair names one process for the
 * life of the machine. Steps and the step cache are in step.c.
 */
#include "store_int.h"

#include <errno.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#define ST__EXPERIMENT_NAME_MAX 100

#define ST__INTERRUPTED_RUN "interrupted: the weft process ended before this run finished"
#define ST__INTERRUPTED_STEP "interrupted: the weft process ended before this step finished"
#define ST__INTERRUPTED_QUEUED "not run: the weft process ended before this step started"

void st_timestamp(char buf[ST_TIMESTAMP_MAX])
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    struct tm tm;
    gmtime_r(&ts.tv_sec, &tm);
    size_t n = strftime(buf, ST_TIMESTAMP_MAX, "%Y-%m-%dT%H:%M:%S", &tm);
    int ms = (int)(ts.tv_nsec / 1000000L) % 1000;
    buf[n++] = '.';
    buf[n++] = (char)('0' + ms / 100);
    buf[n++] = (char)('0' + ms / 10 % 10);
    buf[n++] = (char)('0' + ms % 10);
    buf[n++] = 'Z';
    buf[n] = '\0';
}

/* ---- process identity ------------------------------------------------------ */

/* The start time of process pid in clock ticks since boot, and whether it is
 * a zombie (dead but not yet reaped by its parent). Returns -1 when there is
 * no such process or /proc cannot tell. */
static int st__process_start(long pid, unsigned long long *start, bool *zombie)
{
    char path[64];
    snprintf(path, sizeof path, "/proc/%ld/stat", pid);
    FILE *f = fopen(path, "re");
    if (f == NULL) return -1;
    char buf[1024];
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    fclose(f);
    buf[n] = '\0';
    /* The command name (field 2) may hold spaces and parentheses: the
     * fields that follow start after its last ')'. */
    char *p = strrchr(buf, ')');
    if (p == NULL || p[1] != ' ') return -1;
    p += 2;
    *zombie = *p == 'Z' || *p == 'X';
    for (int field = 3; field < 22; field++) {
        p = strchr(p, ' ');
        if (p == NULL) return -1;
        p++;
    }
    *start = strtoull(p, NULL, 10);
    return 0;
}

/* Whether the process recorded as (pid, start) still runs. */
static bool st__owner_alive(long pid, unsigned long long start)
{
    if (pid <= 0) return false;
    unsigned long long now_start = 0;
    bool zombie = false;
    if (st__process_start(pid, &now_start, &zombie) < 0)
        /* No /proc entry: the process is gone, unless /proc itself is
         * missing, in which case kill(0) is the best we can ask. */
        return access("/proc/self/stat", F_OK) != 0 && kill((pid_t)pid, 0) == 0;
    if (zombie) return false;
    return start == 0 || now_start == start;
}

/* ---- experiments ----------------------------------------------------------- */

void st_experiments_free(st_experiment *e, size_t n)
{
    if (e == NULL) return;
    for (size_t i = 0; i < n; i++) {
        free(e[i].name);
        free(e[i].created_at);
    }
    free(e);
}

static int st__experiment_name_check(const char *name, wf_error *err)
{
    if (name == NULL || name[0] == '\0')
        return wf_error_set(err, WF_EINVAL, "an experiment name cannot be empty");
    size_t n = strlen(name);
    if (n > ST__EXPERIMENT_NAME_MAX)
        return wf_error_set(err, WF_EINVAL,
                            "an experiment name is at most %d characters; this one has %zu",
                            ST__EXPERIMENT_NAME_MAX, n);
    if (!wf_utf8_valid(name, n, NULL))
        return wf_error_set(err, WF_EINVAL, "an experiment name must be UTF-8 text");
    for (size_t i = 0; i < n; i++)
        if ((unsigned char)name[i] < 0x20 || name[i] == 0x7f)
            return wf_error_set(err, WF_EINVAL,
                                "experiment name: character %zu is a control character", i + 1);
    return 0;
}

/* The experiment's id, creating it; inside the caller's transaction. */
static int st__experiment_in_txn(st_workspace *ws, const char *name, int64_t *id, wf_error *err)
{
    char now[ST_TIMESTAMP_MAX];
    st_timestamp(now);
    sqlite3_stmt *stmt;
    int rc = st__prepare(ws,
                         "INSERT INTO experiments(name, created_at) VALUES (?1, ?2)"
                         " ON CONFLICT(name) DO NOTHING",
                         &stmt, err);
    if (rc < 0) return rc;
    sqlite3_bind_text(stmt, 1, name, -1, SQLITE_STATIC);
    sqlite3_bind_text(stmt, 2, now, -1, SQLITE_STATIC);
    rc = st__step_done(ws, stmt, "insert-experiment", "recording an experiment", err);
    sqlite3_finalize(stmt);
    if (rc < 0) return rc;
    if ((rc = st__prepare(ws, "SELECT id FROM experiments WHERE name = ?1", &stmt, err)) < 0)
        return rc;
    sqlite3_bind_text(stmt, 1, name, -1, SQLITE_STATIC);
    if (sqlite3_step(stmt) == SQLITE_ROW)
        *id = sqlite3_column_int64(stmt, 0);
    else
        rc = st__sql_error(ws, err, "finding an experiment");
    sqlite3_finalize(stmt);
    return rc;
}

int st_experiment_ensure(st_workspace *ws, const char *name, int64_t *id, wf_error *err)
{
    int rc = st__experiment_name_check(name, err);
    if (rc < 0) return rc;
    if ((rc = st__begin(ws, err)) < 0) return rc;
    rc = st__experiment_in_txn(ws, name, id, err);
    if (rc == 0) rc = st__commit(ws, err);
    if (rc < 0) st__rollback(ws);
    return rc;
}

int st_experiment_list(st_workspace *ws, st_experiment **out, size_t *count, wf_error *err)
{
    *out = NULL;
    *count = 0;
    sqlite3_stmt *stmt;
    int rc = st__prepare(ws,
                         "SELECT e.id, e.name, e.created_at,"
                         " (SELECT count(*) FROM runs r WHERE r.experiment_id = e.id)"
                         " FROM experiments e ORDER BY e.name",
                         &stmt, err);
    if (rc < 0) return rc;
    st_experiment *list = NULL;
    size_t n = 0, cap = 0;
    int s;
    while (rc == 0 && (s = sqlite3_step(stmt)) == SQLITE_ROW) {
        if (wf_grow((void **)&list, &cap, n + 1, sizeof *list) < 0) {
            rc = wf_error_set(err, WF_ENOMEM, "out of memory");
            break;
        }
        st_experiment *e = &list[n++];
        e->id = sqlite3_column_int64(stmt, 0);
        e->name = st__column_text(stmt, 1);
        e->created_at = st__column_text(stmt, 2);
        e->runs = sqlite3_column_int64(stmt, 3);
        if (e->name == NULL || e->created_at == NULL)
            rc = wf_error_set(err, WF_ENOMEM, "out of memory");
    }
    if (rc == 0 && s != SQLITE_DONE) rc = st__sql_error(ws, err, "listing experiments");
    sqlite3_finalize(stmt);
    if (rc < 0) {
        st_experiments_free(list, n);
        return rc;
    }
    *out = list;
    *count = n;
    return 0;
}

/* ---- runs ------------------------------------------------------------------ */

void st_run_clear(st_run *r)
{
    if (r == NULL) return;
    free(r->experiment);
    free(r->pipeline_name);
    free(r->snapshot_json);
    free(r->parameters_json);
    free(r->status);
    free(r->error);
    free(r->created_at);
    free(r->started_at);
    free(r->finished_at);
    free(r->created_by);
    memset(r, 0, sizeof *r);
}

void st_runs_free(st_run *r, size_t n)
{
    if (r == NULL) return;
    for (size_t i = 0; i < n; i++)
        st_run_clear(&r[i]);
    free(r);
}

static bool st__is_run_status(const char *s)
{
    static const char *const known[] = {"queued", "running", "completed", "failed", "canceled"};
    for (size_t i = 0; s != NULL && i < sizeof known / sizeof known[0]; i++)
        if (strcmp(s, known[i]) == 0) return true;
    return false;
}

static bool st__is_final_run_status(const char *s)
{
    return strcmp(s, "completed") == 0 || strcmp(s, "failed") == 0 || strcmp(s, "canceled") == 0;
}

/* The account this process runs as (its name, else its uid), or "". */
static void st__account(char *out, size_t size)
{
    struct passwd pw, *found = NULL;
    char buf[1024];
    uid_t uid = geteuid();
    if (getpwuid_r(uid, &pw, buf, sizeof buf, &found) == 0 && found != NULL)
        snprintf(out, size, "%s", found->pw_name);
    else
        snprintf(out, size, "uid %lu", (unsigned long)uid);
}

int st_run_create(st_workspace *ws, const st_run_spec *spec, int64_t *run_id, wf_error *err)
{
    const char *experiment = spec->experiment ? spec->experiment : ST_DEFAULT_EXPERIMENT;
    int rc = st__experiment_name_check(experiment, err);
    if (rc < 0) return rc;
    if (spec->pipeline_name == NULL || spec->snapshot_json == NULL)
        return wf_error_set(err, WF_EINVAL, "a run needs a pipeline name and a snapshot");
    for (size_t i = 0; i < spec->nsteps; i++)
        if (spec->node_ids[i] == NULL || spec->modules[i] == NULL)
            return wf_error_set(err, WF_EINVAL, "step %zu has no node id or module", i + 1);
    unsigned long long start = 0;
    bool zombie = false;
    st__process_start((long)getpid(), &start, &zombie);
    char now[ST_TIMESTAMP_MAX];
    st_timestamp(now);
    char who[64];
    st__account(who, sizeof who);

    if ((rc = st__begin(ws, err)) < 0) return rc;
    int64_t experiment_id = 0;
    sqlite3_stmt *stmt = NULL;
    rc = st__experiment_in_txn(ws, experiment, &experiment_id, err);
    if (rc == 0)
        rc = st__prepare(ws,
                         "INSERT INTO runs(experiment_id, pipeline_name, snapshot, parameters,"
                         " status, created_at, started_at, owner_pid, owner_start, created_by)"
                         " VALUES (?1, ?2, ?3, ?4, ?8, ?5, ?9, ?6, ?7, ?10)",
                         &stmt, err);
    if (rc == 0) {
        sqlite3_bind_int64(stmt, 1, experiment_id);
        sqlite3_bind_text(stmt, 2, spec->pipeline_name, -1, SQLITE_STATIC);
        sqlite3_bind_text(stmt, 3, spec->snapshot_json, -1, SQLITE_STATIC);
        sqlite3_bind_text(stmt, 4, spec->parameters_json ? spec->parameters_json : "{}", -1,
                          SQLITE_STATIC);
        sqlite3_bind_text(stmt, 5, now, -1, SQLITE_STATIC);
        sqlite3_bind_int64(stmt, 6, (sqlite3_int64)getpid());
        sqlite3_bind_int64(stmt, 7, (sqlite3_int64)start);
        sqlite3_bind_text(stmt, 8, spec->running ? "running" : "queued", -1, SQLITE_STATIC);
        sqlite3_bind_text(stmt, 9, spec->running ? now : "", -1, SQLITE_STATIC);
        sqlite3_bind_text(stmt, 10, who, -1, SQLITE_STATIC);
        rc = st__step_done(ws, stmt, "insert-run", "recording a run", err);
        sqlite3_finalize(stmt);
        stmt = NULL;
    }
    int64_t id = sqlite3_last_insert_rowid(ws->db);
    if (rc == 0)
        rc = st__prepare(ws,
                         "INSERT INTO steps(run_id, node_id, position, module, status)"
                         " VALUES (?1, ?2, ?3, ?4, 'queued')",
                         &stmt, err);
    for (size_t i = 0; rc == 0 && i < spec->nsteps; i++) {
        sqlite3_reset(stmt);
        sqlite3_bind_int64(stmt, 1, id);
        sqlite3_bind_text(stmt, 2, spec->node_ids[i], -1, SQLITE_STATIC);
        sqlite3_bind_int64(stmt, 3, (sqlite3_int64)i);
        sqlite3_bind_text(stmt, 4, spec->modules[i], -1, SQLITE_STATIC);
        rc = st__step_done(ws, stmt, "insert-step", "recording a step", err);
    }
    sqlite3_finalize(stmt);
    if (rc == 0) rc = st__commit(ws, err);
    if (rc < 0) {
        st__rollback(ws);
        return rc;
    }
    *run_id = id;
    return 0;
}

int st_run_set_status(st_workspace *ws, int64_t run_id, const char *status, const char *error,
                      wf_error *err)
{
    if (!st__is_run_status(status))
        return wf_error_set(err, WF_EINVAL, "\"%s\" is not a run status", status ? status : "");
    char now[ST_TIMESTAMP_MAX];
    st_timestamp(now);
    sqlite3_stmt *stmt;
    int rc = st__prepare(ws,
                         "UPDATE runs SET status = ?2, error = coalesce(?3, error),"
                         " started_at = CASE WHEN ?2 = 'running' AND started_at = '' THEN ?4"
                         "   ELSE started_at END,"
                         " finished_at = CASE WHEN ?5 THEN ?4 ELSE finished_at END"
                         " WHERE id = ?1",
                         &stmt, err);
    if (rc < 0) return rc;
    sqlite3_bind_int64(stmt, 1, run_id);
    sqlite3_bind_text(stmt, 2, status, -1, SQLITE_STATIC);
    if (error != NULL) sqlite3_bind_text(stmt, 3, error, -1, SQLITE_STATIC);
    sqlite3_bind_text(stmt, 4, now, -1, SQLITE_STATIC);
    sqlite3_bind_int(stmt, 5, st__is_final_run_status(status));
    rc = st__step_done(ws, stmt, "update-run", "updating a run", err);
    sqlite3_finalize(stmt);
    if (rc == 0 && sqlite3_changes(ws->db) == 0)
        rc = wf_error_set(err, WF_ENOTFOUND, "there is no run %lld", (long long)run_id);
    return rc;
}

/* The columns st__read_run expects, in order. */
#define ST__RUN_COLUMNS                                                                            \
    "r.id, r.experiment_id, e.name, r.pipeline_name, %s, r.parameters, r.status, r.error,"         \
    " r.created_at, r.started_at, r.finished_at, r.cancel_requested, r.owner_pid, r.created_by"    \
    " FROM runs r JOIN experiments e ON e.id = r.experiment_id "

static int st__read_run(sqlite3_stmt *stmt, st_run *r, wf_error *err)
{
    memset(r, 0, sizeof *r);
    r->id = sqlite3_column_int64(stmt, 0);
    r->experiment_id = sqlite3_column_int64(stmt, 1);
    r->experiment = st__column_text(stmt, 2);
    r->pipeline_name = st__column_text(stmt, 3);
    r->snapshot_json = st__column_text(stmt, 4);
    r->parameters_json = st__column_text(stmt, 5);
    r->status = st__column_text(stmt, 6);
    r->error = st__column_text(stmt, 7);
    r->created_at = st__column_text(stmt, 8);
    r->started_at = st__column_text(stmt, 9);
    r->finished_at = st__column_text(stmt, 10);
    r->cancel_requested = sqlite3_column_int(stmt, 11) != 0;
    r->owner_pid = sqlite3_column_int64(stmt, 12);
    r->created_by = st__column_text(stmt, 13);
    if (!r->experiment || !r->pipeline_name || !r->snapshot_json || !r->parameters_json ||
        !r->status || !r->error || !r->created_at || !r->started_at || !r->finished_at ||
        !r->created_by) {
        st_run_clear(r);
        return wf_error_set(err, WF_ENOMEM, "out of memory");
    }
    return 0;
}

static int st__read_run_row(sqlite3_stmt *stmt, void *elem, wf_error *err)
{
    return st__read_run(stmt, elem, err);
}

static void st_run_clear_row(void *elem)
{
    st_run_clear(elem);
}

int st_run_get(st_workspace *ws, int64_t run_id, st_run *out, wf_error *err)
{
    memset(out, 0, sizeof *out);
    char sql[512];
    snprintf(sql, sizeof sql, "SELECT " ST__RUN_COLUMNS "WHERE r.id = ?1", "r.snapshot");
    sqlite3_stmt *stmt;
    int rc = st__prepare(ws, sql, &stmt, err);
    if (rc < 0) return rc;
    sqlite3_bind_int64(stmt, 1, run_id);
    int s = sqlite3_step(stmt);
    if (s == SQLITE_ROW)
        rc = st__read_run(stmt, out, err);
    else if (s == SQLITE_DONE)
        rc = wf_error_set(err, WF_ENOTFOUND, "there is no run %lld", (long long)run_id);
    else
        rc = st__sql_error(ws, err, "reading a run");
    sqlite3_finalize(stmt);
    return rc;
}

int st_run_list(st_workspace *ws, const char *experiment, size_t limit, st_run **out, size_t *count,
                wf_error *err)
{
    *out = NULL;
    *count = 0;
    char sql[512];
    snprintf(sql, sizeof sql,
             "SELECT " ST__RUN_COLUMNS "WHERE ?1 IS NULL OR e.name = ?1 ORDER BY r.id DESC"
             " LIMIT ?2",
             "''");
    sqlite3_stmt *stmt;
    int rc = st__prepare(ws, sql, &stmt, err);
    if (rc < 0) return rc;
    if (experiment != NULL) sqlite3_bind_text(stmt, 1, experiment, -1, SQLITE_STATIC);
    sqlite3_bind_int64(stmt, 2, limit == 0 ? -1 : (sqlite3_int64)limit);
    return st__collect_rows(ws, stmt, sizeof(st_run), st__read_run_row, st_run_clear_row,
                            "listing runs", (void **)out, count, err);
}

/* ---- cancel ---------------------------------------------------------------- */

int st_run_request_cancel(st_workspace *ws, int64_t run_id, wf_error *err)
{
    st_run r;
    int rc = st_run_get(ws, run_id, &r, err);
    if (rc < 0) return rc;
    bool ended = st__is_final_run_status(r.status);
    if (ended)
        rc = wf_error_set(err, WF_EINVAL, "run %lld has already ended (%s)", (long long)run_id,
                          r.status);
    st_run_clear(&r);
    if (rc < 0) return rc;
    sqlite3_stmt *stmt;
    if ((rc = st__prepare(ws, "UPDATE runs SET cancel_requested = 1 WHERE id = ?1", &stmt, err)) <
        0)
        return rc;
    sqlite3_bind_int64(stmt, 1, run_id);
    rc = st__step_done(ws, stmt, "update-run", "requesting a cancel", err);
    sqlite3_finalize(stmt);
    return rc;
}

int st_run_cancel_requested(st_workspace *ws, int64_t run_id, bool *requested, wf_error *err)
{
    *requested = false;
    sqlite3_stmt *stmt;
    int rc = st__prepare(ws, "SELECT cancel_requested FROM runs WHERE id = ?1", &stmt, err);
    if (rc < 0) return rc;
    sqlite3_bind_int64(stmt, 1, run_id);
    int s = sqlite3_step(stmt);
    if (s == SQLITE_ROW)
        *requested = sqlite3_column_int(stmt, 0) != 0;
    else if (s == SQLITE_DONE)
        rc = wf_error_set(err, WF_ENOTFOUND, "there is no run %lld", (long long)run_id);
    else
        rc = st__sql_error(ws, err, "reading a run");
    sqlite3_finalize(stmt);
    return rc;
}

/* ---- recovery -------------------------------------------------------------- */

/* Marks one run and its unfinished steps as interrupted, in the caller's
 * transaction. The status conditions make it a no-op for a run that another
 * process recovered (or finished) in the meantime. */
static int st__mark_run_interrupted(st_workspace *ws, int64_t run_id, const char *now,
                                    wf_error *err)
{
    static const char *const sql[] = {
        /* The scheduler jobs of its unfinished steps would run on: they
         * are remembered for cancelling (st_orphan_jobs). */
        "INSERT OR IGNORE INTO orphan_jobs(job_id, run_id, created_at)"
        " SELECT job_id, run_id, ?3 FROM steps"
        " WHERE run_id = ?1 AND job_id != '' AND status IN ('queued', 'running')",
        "UPDATE steps SET status = 'failed', error = ?2, finished_at = ?3"
        " WHERE run_id = ?1 AND status = 'running'",
        "UPDATE steps SET status = 'skipped', error = ?4"
        " WHERE run_id = ?1 AND status = 'queued'",
        "UPDATE runs SET status = 'failed', error = ?5, finished_at = ?3"
        " WHERE id = ?1 AND status IN ('queued', 'running')",
    };
    int rc = 0;
    for (size_t i = 0; rc == 0 && i < sizeof sql / sizeof sql[0]; i++) {
        sqlite3_stmt *stmt;
        if ((rc = st__prepare(ws, sql[i], &stmt, err)) < 0) break;
        sqlite3_bind_int64(stmt, 1, run_id);
        /* Unused parameters of a statement are simply ignored. */
        sqlite3_bind_text(stmt, 2, ST__INTERRUPTED_STEP, -1, SQLITE_STATIC);
        sqlite3_bind_text(stmt, 3, now, -1, SQLITE_STATIC);
        sqlite3_bind_text(stmt, 4, ST__INTERRUPTED_QUEUED, -1, SQLITE_STATIC);
        sqlite3_bind_text(stmt, 5, ST__INTERRUPTED_RUN, -1, SQLITE_STATIC);
        rc = st__step_done(ws, stmt, "update", "marking an interrupted run", err);
        sqlite3_finalize(stmt);
    }
    return rc;
}

int st_runs_mark_interrupted(st_workspace *ws, size_t *count, wf_error *err)
{
    if (count != NULL) *count = 0;
    /* Read the candidates first, outside the write lock: a workspace with
     * no unfinished run (the usual case) never takes it. */
    sqlite3_stmt *stmt;
    int rc = st__prepare(ws,
                         "SELECT id, owner_pid, owner_start FROM runs"
                         " WHERE status IN ('queued', 'running') ORDER BY id",
                         &stmt, err);
    if (rc < 0) return rc;
    int64_t *dead = NULL;
    size_t n = 0, cap = 0;
    int s;
    while ((s = sqlite3_step(stmt)) == SQLITE_ROW) {
        long pid = (long)sqlite3_column_int64(stmt, 1);
        unsigned long long start = (unsigned long long)sqlite3_column_int64(stmt, 2);
        if (st__owner_alive(pid, start)) continue;
        if (wf_grow((void **)&dead, &cap, n + 1, sizeof *dead) < 0) {
            rc = wf_error_set(err, WF_ENOMEM, "out of memory");
            break;
        }
        dead[n++] = sqlite3_column_int64(stmt, 0);
    }
    if (rc == 0 && s != SQLITE_DONE) rc = st__sql_error(ws, err, "finding unfinished runs");
    sqlite3_finalize(stmt);
    if (rc == 0 && n > 0) {
        char now[ST_TIMESTAMP_MAX];
        st_timestamp(now);
        rc = st__begin(ws, err);
        for (size_t i = 0; rc == 0 && i < n; i++)
            rc = st__mark_run_interrupted(ws, dead[i], now, err);
        if (rc == 0) rc = st__commit(ws, err);
        if (rc < 0) st__rollback(ws);
    }
    free(dead);
    if (rc == 0 && count != NULL) *count = n;
    return rc;
}
