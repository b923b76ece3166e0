/*
 * runs_int.h: what the pipeline, run and model routes share
 * (routes_pipelines.c, routes_runs.c, run_events.c, routes_models.c): ids
 * in paths, paging, pipeline documents from JSON bodies, validation issues
 * as JSON, table previews, and the live runs this server executes.
 */
#ifndef WEFT_SERVER_RUNS_INT_H
#define WEFT_SERVER_RUNS_INT_H

#include "server_int.h"

#include <pthread.h>

/* ---- helpers (routes_pipelines.c) ---------------------------------------- */

/* The calling thread's workspace; fills a 500 reply and returns NULL when it
 * could not be opened. */
st_workspace *srv__ws(srv_request *req, srv_response *res);

/* Path capture i as a positive integer id; false when it is not one (the
 * caller answers 404: nothing can have that id). */
bool srv__path_id(const srv_request *req, size_t i, int64_t *id);

/* ?offset= and ?limit= (default 50, at most 1000). False with a 400 reply
 * filled when either is not a count. */
bool srv__paging(srv_request *req, srv_response *res, size_t *offset, size_t *limit);

/* Parses a pipeline document held as JSON (its shape only: see
 * eng_pipeline_parse). Every failure is WF_EINVAL or WF_ENOMEM, so that a
 * bad document is a 422 whatever the engine's reason. */
int srv__pipeline_from_json(const json_t *doc, eng_pipeline **out, wf_error *err);

/* Loads a registered dataset for validation and schema propagation; user is
 * the st_workspace. */
int srv__load_dataset(void *user, const char *ref, tbl_table **out, wf_error *err);

/* [{"node", "field", "message"}, ...] (a new reference; NULL on OOM). */
json_t *srv__issues_json(const eng_issues *issues);

/* [{"name", "type", "role"}, ...] of t's columns. */
json_t *srv__columns_json(const tbl_table *t);

/* {"schema", "total_rows", "offset", "limit", "rows": [[cell, ...], ...]},
 * the shape of the dataset preview: numbers as numbers, missing as null,
 * datetimes as ISO-8601 strings, categoricals as their level. */
json_t *srv__table_preview_json(const tbl_table *t, size_t offset, size_t limit);

/* A JSON string of s (any bytes; invalid UTF-8 becomes U+FFFD). */
json_t *srv__text_json(const char *s, size_t n);

/* ---- starting runs (routes_runs.c) --------------------------------------- */

/* Validates doc with bindings (may be NULL), starts it on a run thread (on
 * compute target `compute`; NULL: local) and answers 202 {"run_id",
 * "status": "running"} with a Location header, once the run exists; or
 * answers why not (422 with the validation issues, 409 while the server
 * stops). Takes nothing: doc and bindings are copied. Returns 0 (the reply
 * says what happened). */
int srv__start_run(srv_request *req, srv_response *res, st_workspace *ws, const json_t *doc,
                   const json_t *bindings, const char *experiment, bool no_cache,
                   const char *compute);

/* ---- run events (run_events.c) ------------------------------------------- */

/* A run this server executes, as the event streams see it. The run thread
 * (routes_runs.c) appends events; streams read them. Everything in it is
 * guarded by srv__runs_lock. */
typedef struct srv__live srv__live;

extern pthread_mutex_t srv__runs_lock;

/* A new live run (one reference, the caller's), or NULL on OOM. */
srv__live *srv__live_new(srv_server *s);
/* Takes and drops references; the last drop frees it. Both take the lock. */
void srv__live_ref(srv__live *l);
void srv__live_unref(srv__live *l);
/* Records one event (on the run thread, without the lock held), wakes the
 * streams and forwards it to the server's event bus. The first event makes
 * the run's id known. */
void srv__live_event(void *live, const eng_event *ev);
/* Ends the history (on the run thread, once eng_run has returned): records
 * the run's final status when the server overrode it (override_status, at
 * shutdown; may be NULL), marks the history complete, writes it to the
 * workspace (ws is the run thread's) and retires l from the table, so that
 * later streams read the workspace. */
void srv__live_finish(srv__live *l, st_workspace *ws, const char *override_status,
                      const char *override_message);

/* Forgets l (drops the table's reference); srv__live_finish does it once
 * the history is in the workspace. */
void srv__live_retire(srv__live *l);

/* GET /api/runs/{id}/events */
int srv__run_events_stream(srv_request *req, srv_response *res);

#endif
