/*
 * compute.c: compute targets, the places a run's steps execute, and what
 * the store remembers of where a run ran: the run's target and each step's
 * scheduler job.
 *
 * The store keeps a target's settings as JSON text and does not read them:
 * what a setting means belongs to the executor that uses it (engine/slurm.c
 * checks a Slurm target's settings before they are saved). "local", the
 * built-in default, is never stored, so no workspace can lose or redefine
 * it.
 */
#include "store_int.h"

#include <stdlib.h>
#include <string.h>

#define ST__COMPUTE_NAME_MAX 100

void st_compute_target_clear(st_compute_target *t)
{
    if (t == NULL) return;
    free(t->name);
    free(t->kind);
    free(t->config_json);
    free(t->created_at);
    memset(t, 0, sizeof *t);
}

void st_compute_targets_free(st_compute_target *t, size_t n)
{
    if (t == NULL) return;
    for (size_t i = 0; i < n; i++)
        st_compute_target_clear(&t[i]);
    free(t);
}

void st_step_jobs_free(st_step_job *j, size_t n)
{
    if (j == NULL) return;
    for (size_t i = 0; i < n; i++) {
        free(j[i].node_id);
        free(j[i].job_id);
    }
    free(j);
}

int st_compute_name_check(const char *name, wf_error *err)
{
    if (name == NULL || name[0] == '\0')
        return wf_error_set(err, WF_EINVAL, "a compute target's name cannot be empty");
    size_t n = strlen(name);
    if (n > ST__COMPUTE_NAME_MAX)
        return wf_error_set(err, WF_EINVAL,
                            "a compute target's name is at most %d characters; this one has %zu",
                            ST__COMPUTE_NAME_MAX, n);
    for (size_t i = 0; i < n; i++) {
        char c = name[i];
        bool alnum = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
        if (!alnum && (i == 0 || (c != '-' && c != '_' && c != '.')))
            return wf_error_set(err, WF_EINVAL,
                                "compute target \"%.100s\": character %zu is not allowed (a name "
                                "is letters, digits, '-', '_' and '.', starting with a letter or "
                                "digit)",
                                name, i + 1);
    }
    return 0;
}

static bool st__compute_kind_known(const char *kind)
{
    return kind != NULL && (strcmp(kind, "local") == 0 || strcmp(kind, "slurm") == 0);
}

int st_compute_save(st_workspace *ws, const char *name, const char *kind, const char *config_json,
                    bool replace, wf_error *err)
{
    int rc = st_compute_name_check(name, err);
    if (rc < 0) return rc;
    if (strcmp(name, ST_COMPUTE_LOCAL) == 0)
        return wf_error_set(err, WF_EINVAL,
                            "\"local\" is the built-in compute target; give yours another name");
    if (!st__compute_kind_known(kind))
        return wf_error_set(err, WF_EINVAL,
                            "compute target \"%s\": the kind is \"local\" or \"slurm\", not "
                            "\"%.40s\"",
                            name, kind ? kind : "");
    char now[ST_TIMESTAMP_MAX];
    st_timestamp(now);
    /* Replacing keeps the creation time: the target is the same object
     * with new settings. */
    const char *sql = replace ? "INSERT INTO compute_targets(name, kind, config, created_at)"
                                " VALUES (?1, ?2, ?3, ?4) ON CONFLICT(name) DO UPDATE SET"
                                " kind = excluded.kind, config = excluded.config"
                              : "INSERT INTO compute_targets(name, kind, config, created_at)"
                                " VALUES (?1, ?2, ?3, ?4) ON CONFLICT(name) DO NOTHING";
    sqlite3_stmt *stmt;
    if ((rc = st__prepare(ws, sql, &stmt, err)) < 0) return rc;
    sqlite3_bind_text(stmt, 1, name, -1, SQLITE_STATIC);
    sqlite3_bind_text(stmt, 2, kind, -1, SQLITE_STATIC);
    sqlite3_bind_text(stmt, 3, config_json ? config_json : "{}", -1, SQLITE_STATIC);
    sqlite3_bind_text(stmt, 4, now, -1, SQLITE_STATIC);
    rc = st__step_done(ws, stmt, "insert-compute", "saving a compute target", err);
    sqlite3_finalize(stmt);
    if (rc == 0 && sqlite3_changes(ws->db) == 0)
        rc = wf_error_set(err, WF_EEXIST, "there is already a compute target \"%s\"", name);
    return rc;
}

static int st__read_target(sqlite3_stmt *stmt, void *elem, wf_error *err)
{
    st_compute_target *t = elem;
    memset(t, 0, sizeof *t);
    t->name = st__column_text(stmt, 0);
    t->kind = st__column_text(stmt, 1);
    t->config_json = st__column_text(stmt, 2);
    t->created_at = st__column_text(stmt, 3);
    if (!t->name || !t->kind || !t->config_json || !t->created_at) {
        st_compute_target_clear(t);
        return wf_error_set(err, WF_ENOMEM, "out of memory");
    }
    return 0;
}

static void st__clear_target(void *elem)
{
    st_compute_target_clear(elem);
}

/* The built-in target, as a row. */
static int st__local_target(st_compute_target *out, wf_error *err)
{
    memset(out, 0, sizeof *out);
    out->name = wf_strdup(ST_COMPUTE_LOCAL);
    out->kind = wf_strdup("local");
    out->config_json = wf_strdup("{}");
    out->created_at = wf_strdup("");
    if (!out->name || !out->kind || !out->config_json || !out->created_at) {
        st_compute_target_clear(out);
        return wf_error_set(err, WF_ENOMEM, "out of memory");
    }
    return 0;
}

int st_compute_get(st_workspace *ws, const char *name, st_compute_target *out, wf_error *err)
{
    memset(out, 0, sizeof *out);
    if (name != NULL && strcmp(name, ST_COMPUTE_LOCAL) == 0) return st__local_target(out, err);
    sqlite3_stmt *stmt;
    int rc = st__prepare(ws,
                         "SELECT name, kind, config, created_at FROM compute_targets"
                         " WHERE name = ?1",
                         &stmt, err);
    if (rc < 0) return rc;
    sqlite3_bind_text(stmt, 1, name ? name : "", -1, SQLITE_STATIC);
    int s = sqlite3_step(stmt);
    if (s == SQLITE_ROW)
        rc = st__read_target(stmt, out, err);
    else if (s == SQLITE_DONE)
        rc = wf_error_set(err, WF_ENOTFOUND, "there is no compute target \"%.100s\"",
                          name ? name : "");
    else
        rc = st__sql_error(ws, err, "reading a compute target");
    sqlite3_finalize(stmt);
    return rc;
}

int st_compute_list(st_workspace *ws, st_compute_target **out, size_t *count, wf_error *err)
{
    *out = NULL;
    *count = 0;
    sqlite3_stmt *stmt;
    int rc = st__prepare(ws,
                         "SELECT name, kind, config, created_at FROM compute_targets"
                         " ORDER BY name",
                         &stmt, err);
    if (rc < 0) return rc;
    st_compute_target *rows = NULL;
    size_t n = 0;
    rc = st__collect_rows(ws, stmt, sizeof *rows, st__read_target, st__clear_target,
                          "listing compute targets", (void **)&rows, &n, err);
    if (rc < 0) return rc;
    /* The built-in target leads the list. */
    st_compute_target *all = wf_mallocarray(n + 1, sizeof *all);
    if (all == NULL || st__local_target(&all[0], err) < 0) {
        free(all);
        st_compute_targets_free(rows, n);
        return wf_error_set(err, WF_ENOMEM, "out of memory");
    }
    if (n > 0) memcpy(all + 1, rows, n * sizeof *rows);
    free(rows);
    *out = all;
    *count = n + 1;
    return 0;
}

int st_compute_remove(st_workspace *ws, const char *name, wf_error *err)
{
    if (name != NULL && strcmp(name, ST_COMPUTE_LOCAL) == 0)
        return wf_error_set(err, WF_EINVAL, "\"local\" is built in and cannot be removed");
    sqlite3_stmt *stmt;
    int rc = st__prepare(ws, "DELETE FROM compute_targets WHERE name = ?1", &stmt, err);
    if (rc < 0) return rc;
    sqlite3_bind_text(stmt, 1, name ? name : "", -1, SQLITE_STATIC);
    rc = st__step_done(ws, stmt, "delete-compute", "removing a compute target", err);
    sqlite3_finalize(stmt);
    if (rc == 0 && sqlite3_changes(ws->db) == 0)
        rc = wf_error_set(err, WF_ENOTFOUND, "there is no compute target \"%.100s\"",
                          name ? name : "");
    return rc;
}

/* ---- where a run ran ------------------------------------------------------ */

int st_run_set_compute(st_workspace *ws, int64_t run_id, const char *name, wf_error *err)
{
    sqlite3_stmt *stmt;
    int rc = st__prepare(ws, "UPDATE runs SET compute = ?2 WHERE id = ?1", &stmt, err);
    if (rc < 0) return rc;
    sqlite3_bind_int64(stmt, 1, run_id);
    sqlite3_bind_text(stmt, 2, name ? name : ST_COMPUTE_LOCAL, -1, SQLITE_STATIC);
    rc = st__step_done(ws, stmt, "update", "recording a run's compute target", err);
    sqlite3_finalize(stmt);
    if (rc == 0 && sqlite3_changes(ws->db) == 0)
        rc = wf_error_set(err, WF_ENOTFOUND, "there is no run %lld", (long long)run_id);
    return rc;
}

int st_run_compute(st_workspace *ws, int64_t run_id, char **name, wf_error *err)
{
    *name = NULL;
    sqlite3_stmt *stmt;
    int rc = st__prepare(ws, "SELECT compute FROM runs WHERE id = ?1", &stmt, err);
    if (rc < 0) return rc;
    sqlite3_bind_int64(stmt, 1, run_id);
    int s = sqlite3_step(stmt);
    if (s == SQLITE_ROW) {
        if ((*name = st__column_text(stmt, 0)) == NULL)
            rc = wf_error_set(err, WF_ENOMEM, "out of memory");
    } else if (s == SQLITE_DONE) {
        rc = wf_error_set(err, WF_ENOTFOUND, "there is no run %lld", (long long)run_id);
    } else {
        rc = st__sql_error(ws, err, "reading a run's compute target");
    }
    sqlite3_finalize(stmt);
    return rc;
}

int st_step_set_job(st_workspace *ws, int64_t run_id, const char *node_id, const char *job_id,
                    wf_error *err)
{
    sqlite3_stmt *stmt;
    int rc = st__prepare(ws, "UPDATE steps SET job_id = ?3 WHERE run_id = ?1 AND node_id = ?2",
                         &stmt, err);
    if (rc < 0) return rc;
    sqlite3_bind_int64(stmt, 1, run_id);
    sqlite3_bind_text(stmt, 2, node_id ? node_id : "", -1, SQLITE_STATIC);
    sqlite3_bind_text(stmt, 3, job_id ? job_id : "", -1, SQLITE_STATIC);
    rc = st__step_done(ws, stmt, "update", "recording a step's job", err);
    sqlite3_finalize(stmt);
    if (rc == 0 && sqlite3_changes(ws->db) == 0)
        rc = wf_error_set(err, WF_ENOTFOUND, "run %lld has no step \"%.100s\"", (long long)run_id,
                          node_id ? node_id : "");
    return rc;
}

static int st__read_job(sqlite3_stmt *stmt, void *elem, wf_error *err)
{
    st_step_job *j = elem;
    j->node_id = st__column_text(stmt, 0);
    j->job_id = st__column_text(stmt, 1);
    if (j->node_id == NULL || j->job_id == NULL) {
        free(j->node_id);
        free(j->job_id);
        return wf_error_set(err, WF_ENOMEM, "out of memory");
    }
    return 0;
}

static void st__clear_job(void *elem)
{
    st_step_job *j = elem;
    free(j->node_id);
    free(j->job_id);
}

int st_step_jobs(st_workspace *ws, int64_t run_id, st_step_job **out, size_t *count, wf_error *err)
{
    *out = NULL;
    *count = 0;
    sqlite3_stmt *stmt;
    int rc = st__prepare(ws,
                         "SELECT node_id, job_id FROM steps WHERE run_id = ?1 AND job_id != ''"
                         " ORDER BY position",
                         &stmt, err);
    if (rc < 0) return rc;
    sqlite3_bind_int64(stmt, 1, run_id);
    return st__collect_rows(ws, stmt, sizeof(st_step_job), st__read_job, st__clear_job,
                            "listing a run's jobs", (void **)out, count, err);
}

/* ---- jobs left behind ------------------------------------------------------ */

static int st__read_orphan(sqlite3_stmt *stmt, void *out, wf_error *err)
{
    char **id = out;
    if ((*id = st__column_text(stmt, 0)) == NULL)
        return wf_error_set(err, WF_ENOMEM, "out of memory");
    return 0;
}

static void st__clear_orphan(void *elem)
{
    free(*(char **)elem);
}

int st_orphan_jobs(st_workspace *ws, char ***out, size_t *count, wf_error *err)
{
    sqlite3_stmt *stmt;
    *out = NULL;
    *count = 0;
    int rc = st__prepare(ws, "SELECT job_id FROM orphan_jobs ORDER BY run_id, job_id", &stmt, err);
    if (rc < 0) return rc;
    return st__collect_rows(ws, stmt, sizeof(char *), st__read_orphan, st__clear_orphan,
                            "reading jobs left behind", (void **)out, count, err);
}

int st_orphan_jobs_forget(st_workspace *ws, char *const *jobs, size_t n, wf_error *err)
{
    int rc = n > 0 ? st__begin(ws, err) : 0;
    for (size_t i = 0; rc == 0 && i < n; i++) {
        sqlite3_stmt *stmt;
        if ((rc = st__prepare(ws, "DELETE FROM orphan_jobs WHERE job_id = ?1", &stmt, err)) < 0)
            break;
        sqlite3_bind_text(stmt, 1, jobs[i], -1, SQLITE_STATIC);
        rc = st__step_done(ws, stmt, "update", "forgetting a job left behind", err);
        sqlite3_finalize(stmt);
    }
    if (n > 0 && rc == 0) rc = st__commit(ws, err);
    if (rc < 0) st__rollback(ws);
    return rc;
}

void st_orphan_jobs_free(char **jobs, size_t n)
{
    for (size_t i = 0; jobs != NULL && i < n; i++)
        free(jobs[i]);
    free(jobs);
}
