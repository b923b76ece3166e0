/*
 * store_int.h: what the files of the store share and nobody else sees: the
 * workspace struct, SQL helpers, the migrator, the artifact writer that runs
 * inside a caller's transaction, and the fault-injection hook the tests use
 * to make any I/O step fail.
 */
#ifndef WEFT_STORE_INT_H
#define WEFT_STORE_INT_H

#include "store/store.h"

#include <sqlite3.h>

struct st_workspace {
    char *dir;   /* as given to st_open */
    sqlite3 *db; /* <dir>/weft.db */
    int version; /* schema version after migrations */
};

/* ---- fault injection (tests only) ---------------------------------------- */

/* Every I/O step of the store (creating, writing, syncing and renaming a
 * file; each SQL statement that changes data; BEGIN and COMMIT) first asks
 * st__fault(step). When a hook is set and returns nonzero, the step fails as
 * if the operating system or SQLite had failed it. Production code never
 * sets the hook. Step names: "begin", "select", "tmp-create", "write",
 * "fsync", "rename", "fsync-dir", "insert-artifact", "insert-dataset",
 * "insert-version", "update", "commit", "migrate". */
extern int (*st__fault_hook)(const char *step);
int st__fault(const char *step);

/* ---- SQL helpers --------------------------------------------------------- */

/* Fills err with WF_ESTORE (or WF_ENOMEM) from SQLite's last message, saying
 * what was being done. Returns the code. */
int st__sql_error(st_workspace *ws, wf_error *err, const char *what);
/* Runs SQL without results. */
int st__exec(st_workspace *ws, const char *sql, wf_error *err);
/* BEGIN IMMEDIATE (taking the write lock at once, so a transaction never
 * fails half-way for lack of it), COMMIT and ROLLBACK. Rollback never fails
 * the caller: it is what failure paths call. */
int st__begin(st_workspace *ws, wf_error *err);
int st__commit(st_workspace *ws, wf_error *err);
void st__rollback(st_workspace *ws);
/* sqlite3_prepare_v2 with the error convention. */
/* The error of a statement on a handle from st_open_files: WF_EINVAL. */
int st__no_database(wf_error *err);
int st__prepare(st_workspace *ws, const char *sql, sqlite3_stmt **stmt, wf_error *err);
/* Fills one element (a struct of a list) from the current row of stmt: 0,
 * or a WF_E* code with err set. */
typedef int (*st__row_reader)(sqlite3_stmt *stmt, void *elem, wf_error *err);
/* Steps stmt to its end, reading every row with `read` into a new array of
 * `size`-byte elements (*out, *count; the caller frees it with the list's
 * _free function). On failure every element read so far is released with
 * `clear` and nothing is returned; `what` names the work in SQL errors.
 * Finalizes stmt in every case. */
int st__collect_rows(st_workspace *ws, sqlite3_stmt *stmt, size_t size, st__row_reader read,
                     void (*clear)(void *elem), const char *what, void **out, size_t *count,
                     wf_error *err);
/* Steps a statement that changes data, after asking st__fault(step).
 * 0 on SQLITE_DONE. */
int st__step_done(st_workspace *ws, sqlite3_stmt *stmt, const char *step, const char *what,
                  wf_error *err);
/* A copy of a text column (NULL column gives ""); NULL on OOM. */
char *st__column_text(sqlite3_stmt *stmt, int col);

/* The current time as ISO-8601 UTC, "2024-05-01T12:00:00Z". */
void st__now(char buf[32]);

/* "<ws dir>/<rel>" (malloc'd), or NULL on OOM. */
char *st__path(const st_workspace *ws, const char *rel);

/* ---- migrations ---------------------------------------------------------- */

/* Applies the pending migrations, each in its own transaction, and records
 * them in schema_migrations. Fails with WF_ESTORE if the database is newer
 * than this code. Sets ws->version. */
int st__migrate(st_workspace *ws, wf_error *err);
/* How many migrations this code knows. */
int st__migration_count(void);

/* ---- artifacts ----------------------------------------------------------- */

/* Stores bytes as an artifact inside the caller's open transaction: writes
 * the file (tmp/, fsync, rename, fsync of the directory) unless it is
 * already there, and records it in the artifacts table. *created says
 * whether this call made the file, so that a caller whose transaction then
 * fails can remove it with st__artifact_remove and leave the workspace as it
 * was. */
int st__artifact_put_in_txn(st_workspace *ws, const void *data, size_t size, const char *kind,
                            char digest[WF_SHA256_HEX], bool *created, wf_error *err);
/* Removes an artifact file (and syncs its directory); used to undo. */
void st__artifact_remove(st_workspace *ws, const char *digest);
/* Deletes files in tmp/ older than an hour: leftovers of crashed writers.
 * Younger files may belong to another process writing right now. */
void st__clean_tmp(st_workspace *ws);

#endif
