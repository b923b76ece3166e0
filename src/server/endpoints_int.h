/*
 * endpoints_int.h: real-time endpoints inside the server. endpoints.c
 * holds the deployed plans in memory and their metrics;
 * scoring_protocols.c reads and writes the three request formats;
 * routes_scoring.c answers scoring requests with them and
 * routes_endpoints.c manages endpoints under /api.
 *
 * endpoint_openapi.c describes an endpoint (its schemas, its own OpenAPI
 * document).
 *
 * An endpoint's current version is a srv__deployment: immutable and
 * reference-counted. A request takes a reference for as long as it scores,
 * so a redeploy (which swaps in a new deployment under a short write lock)
 * never pulls a plan from under a request in flight: the old version is
 * freed when its last request ends.
 *
 *     srv__deployment *d = NULL;
 *     int status = srv__endpoint_open(s, name, authorization, &d);   // 0, 401 or 404
 *     ... eng_scoring_run(d->plan, ...) ...
 *     srv__metrics_record(d->metrics, nanoseconds, failed);
 *     srv__deployment_release(d);
 */
#ifndef WEFT_ENDPOINTS_INT_H
#define WEFT_ENDPOINTS_INT_H

#include "http_int.h"

typedef struct srv__endpoints srv__endpoints;
typedef struct srv__metrics srv__metrics;

typedef struct srv__deployment {
    atomic_int refs;
    char *name;
    int version;
    char *state;            /* "deploying", "healthy" or "failed" */
    char *reason;           /* why it failed, or "" */
    eng_scoring_plan *plan; /* NULL unless healthy */
    srv__metrics *metrics;  /* the endpoint's, shared by its versions */
} srv__deployment;

/* ---- the registry (endpoints.c) ---- */

/* The workspace's endpoints: each starts "deploying" and a background
 * thread compiles it; the same thread then follows the store every second,
 * so that endpoints deployed, deleted or given new keys by another process
 * (`weft endpoint ...`) are served as the store says. */
int srv__endpoints_start(srv_server *s, st_workspace *ws, wf_error *err);
/* One endpoint from a bundle directory (no workspace); the keys from
 * key_file (one or two lines) when given, else the digests the bundle
 * carries. Compiled before this returns. */
int srv__endpoints_start_bundle(srv_server *s, const char *dir, const char *key_file,
                                wf_error *err);
/* Stops the sync thread and frees every endpoint; after the daemon has
 * stopped. Accepts a server whose endpoints never started. */
void srv__endpoints_stop(srv_server *s);
/* Whether the server serves endpoints only (a bundle: no /api, no UI). */
bool srv__endpoints_standalone(const srv_server *s);

/* Endpoint `name`'s current version for a request that presents
 * `authorization` (the header's value, "Bearer <key>"). Returns 0 and sets
 * *d (a reference; d may be NULL to check only), 404 when there is no such
 * endpoint, 401 when the key is absent or opens neither of its keys. */
int srv__endpoint_open(srv_server *s, const char *name, const char *authorization,
                       srv__deployment **d);
/* The current version without a key (management); NULL when none. */
srv__deployment *srv__endpoint_get(srv_server *s, const char *name);
void srv__deployment_release(srv__deployment *d); /* accepts NULL */
/* Installs version row->version of endpoint row->name with plan (taken;
 * NULL for a failed one) and row's key digests. An older version than the
 * one installed is dropped. 0 or WF_ENOMEM. */
int srv__endpoint_install(srv_server *s, const st_endpoint *row, eng_scoring_plan *plan);
/* New key digests for an endpoint (after a regenerate). */
void srv__endpoint_set_keys(srv_server *s, const char *name, const char *primary_sha256,
                            const char *secondary_sha256);
void srv__endpoint_remove(srv_server *s, const char *name);
/* Whether every endpoint has been compiled (none is still deploying). */
bool srv__endpoints_ready(srv_server *s);
/* Management operations take this lock around their store change and
 * registry update, so the sync thread never sees one half done. */
void srv__endpoints_lock(srv_server *s);
void srv__endpoints_unlock(srv_server *s);

/* ---- metrics (endpoints.c) ---- */

/* One scoring request: how long it took and whether it failed. Lock-free. */
void srv__metrics_record(srv__metrics *m, uint64_t nanoseconds, bool failed);
/* {"requests", "errors", "latency_ms": {"p50", "p95", "p99"}} (a new
 * reference; percentiles null before the first request). */
json_t *srv__metrics_json(const srv__metrics *m);

/* ---- the protocols (scoring_protocols.c) ---- */

/* The names the native protocol gives its input and output, as the Azure
 * designer's endpoints do. */
#define SRV__NATIVE_INPUT "WebServiceInput0"
#define SRV__NATIVE_OUTPUT "WebServiceOutput0"

typedef enum srv__protocol {
    SRV__NATIVE, /* {"Inputs": {"WebServiceInput0": [...]}} -> {"Results": ...} */
    SRV__MLFLOW, /* dataframe_split, dataframe_records, instances, inputs */
    SRV__V2,     /* Open Inference Protocol v2: inputs [{name, shape, datatype, data}] */
} srv__protocol;

/* A decoded request: the rows, and the arena they live in (with what
 * decoding built: column arrays, names). The body text must outlive it. */
typedef struct srv__scoring_request {
    wf_arena *arena;
    const eng_json *body;
    eng_scoring_rows rows;
    const eng_json *id;      /* v2: the request's id (a string), echoed; NULL */
    const eng_json *outputs; /* v2: the outputs asked for; NULL: all */
} srv__scoring_request;

/* Decodes body as protocol `proto` for plan (positional rows are matched
 * to its input columns; native inputs may be named by its input node). On
 * failure returns WF_EINVAL (or WF_ENOMEM) with err saying what is wrong;
 * the caller answers 400. Clear *out in every case. */
int srv__scoring_decode(srv__protocol proto, const char *body, size_t len,
                        const eng_scoring_plan *plan, srv__scoring_request *out, wf_error *err);
void srv__scoring_request_clear(srv__scoring_request *r);
/* Appends the reply to a scoring of `out` to buf. */
int srv__scoring_encode(srv__protocol proto, const tbl_table *out, const srv__deployment *d,
                        const srv__scoring_request *req, wf_buf *buf, wf_error *err);
/* Fills res with an error in the protocol's shape: weft's {"error": {...}}
 * (native), MLflow's {"error_code", "message"}, or {"error": "..."} (v2). */
int srv__scoring_error(srv_response *res, srv__protocol proto, int status, const char *code,
                       const char *fmt, ...) __attribute__((format(printf, 5, 6)));
/* A double as a reply writes it: the text tbl_format_cell gives (%.15g
 * when it reads back to v, else %.17g; never an exponent between 1e-4 and
 * 1e15), made with integer arithmetic instead of printf. cap >= 32. */
size_t srv__format_double(double v, char *out, size_t cap);

/* The protocol a scoring route speaks, from its pattern. */
srv__protocol srv__route_protocol(const srv_route *route);

/* ---- scoring (routes_scoring.c) ---- */

/* Answers a scoring request in protocol `proto` for the endpoint in path
 * capture 0: checks its key unless with_key is false (the management API's
 * test route, behind the workspace token) and, when versioned, the version
 * in capture 1; decodes, scores, encodes, counts it in the metrics. */
int srv__score_request(srv_request *req, srv_response *res, srv__protocol proto, bool with_key,
                       bool versioned);

/* Fills res with the refusal of srv__endpoint_open's status (401: no
 * valid key; 404: no such endpoint) for endpoint `name`. */
int srv__scoring_refuse(srv_response *res, srv__protocol proto, int status, const char *name);

/* ---- describing an endpoint (endpoint_openapi.c) ---- */

/* The endpoint's own OpenAPI document (a new reference). */
json_t *srv__endpoint_openapi(const srv__deployment *d, const char *base_url);
/* The input (or output) schema as {"columns": [{"name", "type", "levels"?}]};
 * null when t is NULL. */
json_t *srv__schema_json(const tbl_table *t);

#endif
