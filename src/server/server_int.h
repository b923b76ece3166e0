/*
 * server_int.h: what the server's files share. http.c owns the daemon, the
 * router, auth and limits; each routes_*.c file holds the handlers of one
 * area of the API and lists them in a route table that router.c gathers.
 *
 * A handler reads a parsed request and fills a response:
 *
 *     static int get_dataset(srv_request *req, srv_response *res)
 *     {
 *         const char *name = srv_path_param(req, 0);     // from {name}
 *         st_workspace *ws = srv_workspace(req);
 *         ...
 *         return srv_reply_json(res, 200, json);         // steals json
 *     }
 *     const srv_route srv_dataset_routes[] = {
 *         {"GET", "/api/datasets/{name}", get_dataset, 0},
 *         {NULL}};
 *
 * Errors are {"error": {"code", "message", "details"}} with a matching status
 * (DESIGN.md section 7): srv_reply_error(res, 404, "not_found", "no dataset
 * named \"%s\"", name). A handler never puts a file-system path in a reply.
 */
#ifndef WEFT_SERVER_INT_H
#define WEFT_SERVER_INT_H

#include "engine/engine.h"
#include "server.h"
#include "store/store.h"

#include <jansson.h>

typedef struct srv_server srv_server;

#define SRV_MAX_PATH_PARAMS 4

typedef struct srv_request {
    srv_server *server;
    struct MHD_Connection *conn;
    const char *method;
    const char *path;                        /* without the query string */
    const char *params[SRV_MAX_PATH_PARAMS]; /* {captures}, URL-decoded, in order */
    size_t nparams;
    const char *body; /* the buffered body (NUL-terminated), or NULL */
    size_t body_len;
    const char *upload_path; /* SRV_ROUTE_STREAM_UPLOAD: the body, streamed to a
                                temporary file in the workspace; deleted after the reply */
    size_t upload_len;
    wf_arena *arena; /* freed after the reply; the router's captures live here and
                        handlers may allocate from it */
} srv_request;

/* How a reply is made. Exactly one of the bodies is used. */
typedef struct srv_response {
    int status;
    json_t *json; /* a JSON body (owned) */
    char *bytes;  /* a raw body (owned, malloc'd) ... */
    size_t nbytes;
    char *content_type;  /* ... with its type (owned) */
    char *download_name; /* Content-Disposition: attachment; filename=... (owned) */
    /* A streamed body (server-sent events): called by the daemon for more
     * bytes; see srv_reply_stream. */
    ssize_t (*stream)(void *user, uint64_t pos, char *buf, size_t max);
    void (*stream_free)(void *user);
    void *stream_user;
    char *extra_header_name, *extra_header_value; /* owned; e.g. Location */
} srv_response;

typedef int (*srv_handler)(srv_request *req, srv_response *res);

enum {
    SRV_ROUTE_STREAM_UPLOAD = 1, /* the body may be large: stream it to a file */
    SRV_ROUTE_PUBLIC = 2,        /* no token needed (health) */
    SRV_ROUTE_SCORING = 4,       /* outside /api: needs an endpoint's key, not the token,
                                    and no workspace (a standalone server answers it) */
};

typedef struct srv_route {
    const char *method;  /* "GET", "POST", "PUT", "PATCH", "DELETE"; NULL ends a table */
    const char *pattern; /* "/api/datasets/{name}/versions" */
    srv_handler handler;
    unsigned flags;
} srv_route;

/* Route tables, one per routes_*.c file; router.c lists them. */
extern const srv_route srv_health_routes[];
extern const srv_route srv_module_routes[];
extern const srv_route srv_dataset_routes[];
extern const srv_route srv_pipeline_routes[];
extern const srv_route srv_run_routes[];
extern const srv_route srv_model_routes[];
/* -- inference pipelines and published pipelines (#10) -- */
extern const srv_route srv_published_routes[]; /* routes_published.c */
/* -- endpoints and scoring protocols (#10) -- */
extern const srv_route srv_endpoint_routes[]; /* routes_endpoints.c */
extern const srv_route srv_scoring_routes[];  /* routes_scoring.c */
/* -- compute targets (#12) -- */
extern const srv_route srv_compute_routes[];
/* -- samples (#11) -- */

/* Finds the route for method and path, filling req->params. Returns the
 * route, or NULL with *status set to 404 (no such path) or 405 (path exists,
 * method does not). path is as sent (percent-encoded, without the query);
 * each segment is decoded before matching, and a capture is never empty and
 * never holds '/', a NUL, a control character or invalid UTF-8. Captures are
 * allocated from req->arena (created if NULL; the caller frees it). */
const srv_route *srv_route_match(const char *method, const char *path, srv_request *req,
                                 int *status);

/* The calling thread's workspace handle (opened on first use, one per
 * thread, since a st_workspace is used by one thread at a time). Never NULL
 * in a handler: when it cannot be opened the server answers 500 instead of
 * calling the handler. For the daemon's threads only. */
st_workspace *srv_workspace(srv_request *req);
const char *srv_workspace_dir(const srv_server *s);
/* The event bus runs publish into (SSE subscribes). */
eng_bus *srv_bus(srv_server *s);
int srv_jobs(const srv_server *s);

const char *srv_path_param(const srv_request *req, size_t i);
/* A query-string argument, URL-decoded, or NULL. */
const char *srv_query(const srv_request *req, const char *name);
/* A query argument as a non-negative integer in [0, max]; def when absent.
 * Fills a 400 reply and returns -1 when it is not one. */
int64_t srv_query_int(srv_request *req, srv_response *res, const char *name, int64_t def,
                      int64_t max);
const char *srv_header(const srv_request *req, const char *name);

/* Parses the body as a JSON object. On failure fills a 400 reply ("line L,
 * column C: ...") and returns NULL. The caller owns the result. */
json_t *srv_body_json(srv_request *req, srv_response *res);

/* Replies. Each returns 0 so a handler can `return srv_reply_...`. */
int srv_reply_json(srv_response *res, int status, json_t *json); /* steals json */
int srv_reply_error(srv_response *res, int status, const char *code, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
/* Maps a wf_error to a status (WF_ENOTFOUND 404, WF_EEXIST 409, WF_EINVAL /
 * WF_EPARSE / WF_ETYPE 422, WF_ELIMIT 413, WF_EFORMAT 415, others 500) and
 * replies with its message. */
int srv_reply_wf_error(srv_response *res, const wf_error *err);
int srv_reply_bytes(srv_response *res, int status, const char *content_type, char *bytes,
                    size_t n); /* steals bytes */
int srv_reply_stream(srv_response *res, const char *content_type,
                     ssize_t (*stream)(void *user, uint64_t pos, char *buf, size_t max),
                     void (*stream_free)(void *user), void *user);

/* Like srv_reply_error, with a details value (stolen; e.g. per-node
 * validation issues) in place of null. */
int srv_reply_error_details(srv_response *res, int status, const char *code, json_t *details,
                            const char *fmt, ...) __attribute__((format(printf, 5, 6)));

/* Streams (server-sent events). The daemon's few threads serve every
 * connection, so a stream callback must never block: it returns the bytes it
 * has (whole events), 0 when it has nothing yet, MHD_CONTENT_READER_END_OF_STREAM
 * (-1) when the stream is over, or -2 on error. On 0 the server parks the
 * connection and calls again within about 100 ms, or at once after
 * srv_streams_wake (safe from any thread, e.g. an eng_bus subscriber). An idle
 * text/event-stream gets a ": keep-alive" comment every 15 s. At shutdown the
 * server ends every stream and then calls stream_free. */
void srv_streams_wake(srv_server *s);

/* Implemented by routes_runs.c: called once at shutdown, after the daemon has
 * stopped (no handler runs any more, so no run can start), before the event
 * bus is freed. It cancels the runs this server started and waits
 * for their threads; the server then marks what is left interrupted. A
 * handler must therefore never wait for a run to end. */
void srv_runs_shutdown(srv_server *s);

#endif
