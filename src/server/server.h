/*
 * server: the workspace as a service. libmicrohttpd in its epoll thread-pool
 * mode serves the JSON REST API under /api (DESIGN.md section 7), run events
 * as server-sent events, and the browser app's static files. Business logic
 * lives in engine and store; handlers translate HTTP to those calls.
 *
 *     srv_options opt = {.workspace_dir = "workspace", .host = "127.0.0.1",
 *                        .port = 8080};
 *     wf_error err = {0};
 *     if (srv_run(&opt, &err) < 0) fprintf(stderr, "weft: %s\n", err.message);
 */
#ifndef WEFT_SERVER_H
#define WEFT_SERVER_H

#include "util/util.h"

typedef struct srv_options {
    const char *workspace_dir;
    const char *host;      /* NULL: 127.0.0.1 */
    int port;              /* 0: 8080; the actual port is printed at start */
    const char *token;     /* NULL: $WEFT_TOKEN, else <workspace>/token, else none */
    int jobs;              /* steps at once per run; 0: the number of cores */
    const char *ui_dir;    /* the built UI (ui/dist) served at /; NULL: none */
    const char *port_file; /* if set, the bound port is written there (tests) */
    int body_seconds;      /* most seconds a request may take to send its body; 0: 60.
                              Uploads get 60 times as long. */
    /* A standalone scoring server (`weft endpoint serve`): the endpoint
     * bundle to serve instead of a workspace (workspace_dir, token and
     * ui_dir are then unused: only the scoring routes answer), and a file
     * of one or two keys to accept instead of the bundle's. */
    const char *bundle_dir;
    const char *key_file;
} srv_options;

/* Serves until SIGINT or SIGTERM, then shuts down gracefully: stops
 * accepting, lets in-flight requests finish, marks runs in progress
 * interrupted. Returns 0, or a negative WF_E* code when it cannot start
 * (port taken, a non-loopback address without a token, ...). */
int srv_run(const srv_options *opt, wf_error *err);

#endif
