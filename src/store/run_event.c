/*
 * run_event.c: the events of finished runs. While a run executes, the
 * server keeps its events in memory and streams them; when the run ends it
 * writes them here in one transaction, so a client that connects later, or
 * to a restarted server, still gets the whole history with the same event
 * numbers. One transaction per run rather than one per event: a run that
 * logs thousands of lines must not cost thousands of fsyncs.
 */
#include "store_int.h"

#include <stdlib.h>
#include <string.h>

void st_run_events_free(st_run_event *e, size_t n)
{
    if (e == NULL) return;
    for (size_t i = 0; i < n; i++) {
        free(e[i].kind);
        free(e[i].data_json);
    }
    free(e);
}

int st_run_events_append(st_workspace *ws, int64_t run_id, const st_run_event *events, size_t n,
                         wf_error *err)
{
    if (n == 0) return 0;
    int rc = st__begin(ws, err);
    if (rc < 0) return rc;
    sqlite3_stmt *stmt;
    if ((rc = st__prepare(ws,
                          "INSERT OR REPLACE INTO run_events(run_id, seq, kind, data)"
                          " VALUES (?1, ?2, ?3, ?4)",
                          &stmt, err)) == 0) {
        for (size_t i = 0; rc == 0 && i < n; i++) {
            if (events[i].seq < 1 || events[i].kind == NULL || events[i].data_json == NULL) {
                rc = wf_error_set(err, WF_EINVAL, "run event %zu is incomplete", i + 1);
                break;
            }
            sqlite3_reset(stmt);
            sqlite3_bind_int64(stmt, 1, run_id);
            sqlite3_bind_int64(stmt, 2, events[i].seq);
            sqlite3_bind_text(stmt, 3, events[i].kind, -1, SQLITE_STATIC);
            sqlite3_bind_text(stmt, 4, events[i].data_json, -1, SQLITE_STATIC);
            rc = st__step_done(ws, stmt, "insert-event", "recording run events", err);
        }
        sqlite3_finalize(stmt);
    }
    if (rc == 0) rc = st__commit(ws, err);
    if (rc < 0) st__rollback(ws);
    return rc;
}

int st_run_events_list(st_workspace *ws, int64_t run_id, int64_t after, st_run_event **out,
                       size_t *count, wf_error *err)
{
    *out = NULL;
    *count = 0;
    sqlite3_stmt *stmt;
    int rc = st__prepare(ws,
                         "SELECT seq, kind, data FROM run_events WHERE run_id = ?1 AND seq > ?2"
                         " ORDER BY seq",
                         &stmt, err);
    if (rc < 0) return rc;
    sqlite3_bind_int64(stmt, 1, run_id);
    sqlite3_bind_int64(stmt, 2, after);
    st_run_event *list = NULL;
    size_t n = 0, cap = 0;
    int s = SQLITE_DONE;
    while (rc == 0 && (s = sqlite3_step(stmt)) == SQLITE_ROW) {
        if (wf_grow((void **)&list, &cap, n + 1, sizeof *list) < 0) {
            rc = wf_error_set(err, WF_ENOMEM, "out of memory");
            break;
        }
        st_run_event *e = &list[n++];
        e->seq = sqlite3_column_int64(stmt, 0);
        e->kind = st__column_text(stmt, 1);
        e->data_json = st__column_text(stmt, 2);
        if (e->kind == NULL || e->data_json == NULL)
            rc = wf_error_set(err, WF_ENOMEM, "out of memory");
    }
    if (rc == 0 && s != SQLITE_DONE) rc = st__sql_error(ws, err, "reading run events");
    sqlite3_finalize(stmt);
    if (rc < 0) {
        st_run_events_free(list, n);
        return rc;
    }
    *out = list;
    *count = n;
    return 0;
}
