/*
 * http_int.h: what the daemon's own files share (http.c, request.c,
 * reply.c, stream.c, static.c, openapi.c). Handlers use server_int.h; this
 * header is the server's machinery behind it.
 */
#ifndef WEFT_HTTP_INT_H
#define WEFT_HTTP_INT_H

#include "server_int.h"

#include <microhttpd.h>
#include <pthread.h>
#include <stdatomic.h>


/* The largest JSON (buffered) body; larger ones get 413. */
#define SRV_MAX_JSON_BODY ((size_t)16 << 20)
/* The largest streamed upload. */
#define SRV_MAX_UPLOAD ((uint64_t)4 << 30)
/* How long a request may take to send its body by default, from its first
 * byte: a client that trickles a body (slowloris) is cut off however often
 * it sends (idle connections are cut by MHD's own timeout). Uploads may be
 * large, so they get SRV_UPLOAD_TIME_FACTOR times as long. */
#define SRV_BODY_SECONDS 60
#define SRV_UPLOAD_TIME_FACTOR 60

typedef struct srv__stream srv__stream;

struct srv_server {
    char *workspace_dir;  /* as given */
    char *workspace_name; /* its last component: what replies may show */
    char *workspace_real; /* realpath, for redaction; may be NULL */
    char *token;          /* NULL: the API is open */
    char *ui_dir;         /* NULL: no UI is built */
    int jobs;
    eng_bus *bus;
    struct MHD_Daemon *daemon;
    struct srv__endpoints *endpoints; /* the endpoints served (endpoints.c) */

    pthread_key_t ws_key; /* the calling thread's st_workspace */
    bool ws_key_made;

    atomic_int inflight;   /* requests between their first byte and their end */
    int body_seconds;      /* the body time limit (srv_options) */
    atomic_bool stopping;  /* shutdown began: streams end, no new parking */
    atomic_bool ws_failed; /* a thread could not open the workspace */

    /* Parked streams (stream.c). */
    pthread_mutex_t streams_lock;
    pthread_cond_t streams_cond;
    srv__stream *parked;
    bool waker_started, waker_quit, wake_now;
    pthread_t waker;
};

/* ---- http.c: the callbacks the daemon is started with ---- */
/* MHD_OPTION_URI_LOG_CALLBACK: a request line arrived (cls: the server). */
void *srv__exchange_new(void *cls, const char *uri, struct MHD_Connection *conn);
/* MHD_OPTION_NOTIFY_COMPLETED: the request ended; logs it. */
void srv__exchange_end(void *cls, struct MHD_Connection *conn, void **req_cls,
                       enum MHD_RequestTerminationCode why);
enum MHD_Result srv__access(void *cls, struct MHD_Connection *conn, const char *url,
                            const char *method, const char *version, const char *upload_data,
                            size_t *upload_data_size, void **req_cls);

/* ---- request.c ---- */
int srv__workspaces_init(srv_server *s, wf_error *err);
void srv__workspaces_fini(srv_server *s);

/* ---- reply.c ---- */
/* Frees everything a response owns and zeroes it. */
void srv__response_clear(srv_response *res);
/* Replaces bytes that are not valid UTF-8 with '?', in place, so that a
 * message always makes a JSON string. */
void srv__utf8_sanitize(char *s);

/* ---- stream.c ---- */
int srv__streams_start(srv_server *s, wf_error *err);
/* Ends every stream (they return end-of-stream at their next call). */
void srv__streams_end(srv_server *s);
void srv__streams_stop(srv_server *s); /* joins the waker; after MHD_stop_daemon */
/* Wraps res's stream in an MHD response that parks the connection while the
 * stream has nothing to say. *bytes counts what it sends. */
struct MHD_Response *srv__stream_response(srv_server *s, struct MHD_Connection *conn,
                                          srv_response *res, uint64_t *bytes);

/* ---- static.c ---- */
/* The UI directory to serve: opt_dir when it holds index.html, else
 * <binary>/../ui/dist when that does, else NULL. malloc'd. */
char *srv__ui_dir_find(const char *opt_dir);
/* Serves a GET of a non-API path from the UI (or the "not built" page). raw
 * is the path as sent. Fills res (bytes or an fd) and returns 0; *fd is a
 * file to send whole (-1: use res), with *fd_size its size. */
int srv__static_reply(srv_server *s, const char *raw, srv_response *res, int *fd,
                      uint64_t *fd_size);
/* Decodes %XX escapes of s[0..n) into out (n + 1 bytes). Returns the length,
 * or -1 for a bad escape or a NUL. */
long srv__percent_decode(const char *s, size_t n, char *out);

/* ---- openapi.c ---- */
/* The OpenAPI 3.0 document of every route table (a new reference). */
json_t *srv__openapi_document(void);

/* ---- router.c ---- */
/* Every route table, NULL-terminated. */
extern const srv_route *const srv__route_tables[];

#endif
