/*
 * workspace.c: opening and closing a workspace, and the small helpers the
 * rest of the store shares (SQL errors and transactions, paths, the clock,
 * the fault-injection hook).
 *
 * The database runs in WAL mode so that readers (the server answering
 * requests) never wait for a writer (a run recording its steps), with
 * synchronous=FULL because DESIGN.md section 5 promises that nothing that
 * completed is lost, and with foreign keys on, which SQLite leaves off by
 * default for compatibility.
 */
#include "store_int.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

/* How long a statement waits for another process's write lock. */
#define ST__BUSY_TIMEOUT_MS 10000

int (*st__fault_hook)(const char *step) = NULL;

int st__fault(const char *step)
{
    return st__fault_hook != NULL ? st__fault_hook(step) : 0;
}

int st__sql_error(st_workspace *ws, wf_error *err, const char *what)
{
    int rc = sqlite3_errcode(ws->db);
    if (rc == SQLITE_NOMEM) return wf_error_set(err, WF_ENOMEM, "out of memory %s", what);
    return wf_error_set(err, WF_ESTORE, "workspace database: %s: %s", what, sqlite3_errmsg(ws->db));
}

int st__no_database(wf_error *err)
{
    return wf_error_set(err, WF_EINVAL,
                        "this workspace was opened for its artifact files only, not its database");
}

int st__exec(st_workspace *ws, const char *sql, wf_error *err)
{
    if (ws->db == NULL) return st__no_database(err);
    char *msg = NULL;
    if (sqlite3_exec(ws->db, sql, NULL, NULL, &msg) != SQLITE_OK) {
        int rc = wf_error_set(err, WF_ESTORE, "workspace database: %s", msg ? msg : "error");
        sqlite3_free(msg);
        return rc;
    }
    return 0;
}

int st__begin(st_workspace *ws, wf_error *err)
{
    if (st__fault("begin"))
        return wf_error_set(err, WF_ESTORE, "workspace database: cannot begin (injected fault)");
    return st__exec(ws, "BEGIN IMMEDIATE", err);
}

int st__commit(st_workspace *ws, wf_error *err)
{
    if (st__fault("commit"))
        return wf_error_set(err, WF_ESTORE, "workspace database: cannot commit (injected fault)");
    return st__exec(ws, "COMMIT", err);
}

void st__rollback(st_workspace *ws)
{
    /* A failed COMMIT may already have rolled back; only roll back what is
     * still open. */
    if (ws->db != NULL && !sqlite3_get_autocommit(ws->db))
        sqlite3_exec(ws->db, "ROLLBACK", NULL, NULL, NULL);
}

int st__collect_rows(st_workspace *ws, sqlite3_stmt *stmt, size_t size, st__row_reader read,
                     void (*clear)(void *elem), const char *what, void **out, size_t *count,
                     wf_error *err)
{
    *out = NULL;
    *count = 0;
    char *list = NULL;
    size_t n = 0, cap = 0;
    int rc = 0, s = SQLITE_DONE;
    while (rc == 0 && (s = sqlite3_step(stmt)) == SQLITE_ROW) {
        if (wf_grow((void **)&list, &cap, n + 1, size) < 0) {
            rc = wf_error_set(err, WF_ENOMEM, "out of memory");
            break;
        }
        memset(list + n * size, 0, size);
        if ((rc = read(stmt, list + n * size, err)) == 0) n++;
    }
    if (rc == 0 && s != SQLITE_DONE) rc = st__sql_error(ws, err, what);
    sqlite3_finalize(stmt);
    if (rc < 0) {
        for (size_t i = 0; i < n; i++)
            clear(list + i * size);
        free(list);
        return rc;
    }
    *out = list;
    *count = n;
    return 0;
}

int st__prepare(st_workspace *ws, const char *sql, sqlite3_stmt **stmt, wf_error *err)
{
    if (ws->db == NULL) {
        *stmt = NULL;
        return st__no_database(err);
    }
    if (sqlite3_prepare_v2(ws->db, sql, -1, stmt, NULL) != SQLITE_OK) {
        *stmt = NULL;
        return st__sql_error(ws, err, "preparing a statement");
    }
    return 0;
}

int st__step_done(st_workspace *ws, sqlite3_stmt *stmt, const char *step, const char *what,
                  wf_error *err)
{
    if (st__fault(step))
        return wf_error_set(err, WF_ESTORE, "workspace database: %s: injected fault", what);
    int rc = sqlite3_step(stmt);
    if (rc != SQLITE_DONE && rc != SQLITE_ROW) return st__sql_error(ws, err, what);
    return 0;
}

char *st__column_text(sqlite3_stmt *stmt, int col)
{
    const unsigned char *s = sqlite3_column_text(stmt, col);
    return wf_strdup(s ? (const char *)s : "");
}

void st__now(char buf[32])
{
    time_t now = time(NULL);
    struct tm tm;
    gmtime_r(&now, &tm);
    strftime(buf, 32, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

char *st__path(const st_workspace *ws, const char *rel)
{
    size_t n = strlen(ws->dir) + strlen(rel) + 2;
    char *p = malloc(n);
    if (p != NULL) snprintf(p, n, "%s/%s", ws->dir, rel);
    return p;
}

/* artifacts/00 ... artifacts/ff exist from the start, so that storing an
 * artifact never creates a directory and a failed store has nothing to
 * tidy up but its own file. */
static int st__make_dirs(st_workspace *ws, wf_error *err)
{
    int rc = wf_mkdirs(ws->dir, err);
    char *tmp = st__path(ws, "tmp");
    char *last = st__path(ws, "artifacts/ff");
    if (tmp == NULL || last == NULL) {
        rc = wf_error_set(err, WF_ENOMEM, "out of memory");
        goto done;
    }
    if (rc == 0) rc = wf_mkdirs(tmp, err);
    struct stat st;
    if (rc == 0 && stat(last, &st) != 0) {
        char rel[32];
        for (int i = 0; i < 256 && rc == 0; i++) {
            snprintf(rel, sizeof rel, "artifacts/%02x", i);
            char *shard = st__path(ws, rel);
            rc = shard ? wf_mkdirs(shard, err) : wf_error_set(err, WF_ENOMEM, "out of memory");
            free(shard);
        }
    }
done:
    free(tmp);
    free(last);
    return rc;
}

static int st__configure(st_workspace *ws, wf_error *err)
{
    sqlite3_extended_result_codes(ws->db, 1);
    sqlite3_busy_timeout(ws->db, ST__BUSY_TIMEOUT_MS);
    /* journal_mode answers the mode it ended in: a database on a
     * filesystem without shared memory would silently stay in "delete". */
    sqlite3_stmt *stmt;
    int rc = st__prepare(ws, "PRAGMA journal_mode=WAL", &stmt, err);
    if (rc < 0) return rc;
    if (sqlite3_step(stmt) != SQLITE_ROW) {
        rc = st__sql_error(ws, err, "turning on WAL mode");
    } else if (sqlite3_stricmp((const char *)sqlite3_column_text(stmt, 0), "wal") != 0) {
        rc = wf_error_set(err, WF_ESTORE, "workspace database: cannot use WAL mode (got %s)",
                          sqlite3_column_text(stmt, 0));
    }
    sqlite3_finalize(stmt);
    if (rc < 0) return rc;
    rc = st__exec(ws, "PRAGMA synchronous=FULL", err);
    if (rc == 0) rc = st__exec(ws, "PRAGMA foreign_keys=ON", err);
    return rc;
}

/* A handle on dir with no database open yet. */
static int st__handle(const char *dir, st_workspace **out, wf_error *err)
{
    if (dir == NULL || dir[0] == '\0')
        return wf_error_set(err, WF_EINVAL, "no workspace directory given");
    st_workspace *ws = calloc(1, sizeof *ws);
    if (ws == NULL || (ws->dir = wf_strdup(dir)) == NULL) {
        free(ws);
        return wf_error_set(err, WF_ENOMEM, "out of memory");
    }
    /* Trailing slashes would double up in every path we build. */
    for (size_t n = strlen(ws->dir); n > 1 && ws->dir[n - 1] == '/'; n--)
        ws->dir[n - 1] = '\0';
    *out = ws;
    return 0;
}

int st_open(const char *dir, st_workspace **out, wf_error *err)
{
    *out = NULL;
    st_workspace *ws;
    int rc = st__handle(dir, &ws, err);
    if (rc < 0) return rc;
    rc = st__make_dirs(ws, err);
    if (rc < 0) goto fail;
    char *db_path = st__path(ws, "weft.db");
    if (db_path == NULL) {
        rc = wf_error_set(err, WF_ENOMEM, "out of memory");
        goto fail;
    }
    int src = sqlite3_open_v2(db_path, &ws->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL);
    if (src != SQLITE_OK) {
        rc = wf_error_set(err, WF_ESTORE, "cannot open %s: %s", db_path,
                          ws->db ? sqlite3_errmsg(ws->db) : sqlite3_errstr(src));
        free(db_path);
        goto fail;
    }
    free(db_path);
    rc = st__configure(ws, err);
    if (rc == 0) rc = st__migrate(ws, err);
    if (rc < 0) goto fail;
    st__clean_tmp(ws);
    *out = ws;
    return 0;
fail:
    if (err != NULL) wf_error_prefix(err, "workspace %s", dir);
    st_close(ws);
    return rc;
}

int st_open_files(const char *dir, st_workspace **out, wf_error *err)
{
    *out = NULL;
    st_workspace *ws;
    int rc = st__handle(dir, &ws, err);
    if (rc < 0) return rc;
    /* The directories a workspace has once st_open made it: a path that
     * is not one fails here, not at the first artifact. */
    char *artifacts = st__path(ws, "artifacts");
    struct stat st;
    if (artifacts == NULL)
        rc = wf_error_set(err, WF_ENOMEM, "out of memory");
    else if (stat(artifacts, &st) != 0 || !S_ISDIR(st.st_mode))
        rc = wf_error_set(err, WF_ENOTFOUND, "workspace %s: %s is not a directory", dir, artifacts);
    free(artifacts);
    /* Where artifacts are written before their rename; a copy of the
     * artifacts alone may lack it. */
    char *tmp = rc == 0 ? st__path(ws, "tmp") : NULL;
    if (rc == 0) rc = tmp ? wf_mkdirs(tmp, err) : wf_error_set(err, WF_ENOMEM, "out of memory");
    free(tmp);
    if (rc < 0) {
        st_close(ws);
        return rc;
    }
    *out = ws;
    return 0;
}

void st_close(st_workspace *ws)
{
    if (ws == NULL) return;
    /* sqlite3_close_v2 defers the close until every statement is
     * finalised; each function here finalises its own, so this is plain. */
    sqlite3_close_v2(ws->db);
    free(ws->dir);
    free(ws);
}

const char *st_workspace_dir(const st_workspace *ws)
{
    return ws->dir;
}

int st_schema_version(st_workspace *ws)
{
    return ws->version;
}
