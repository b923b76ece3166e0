/*
 * request.c: what a handler reads from its request: path captures, query
 * arguments, headers, and the workspace. A st_workspace serves one thread at
 * a time, so each daemon thread opens its own on first use and keeps it in
 * a thread-specific slot; the slot's destructor closes it when the daemon
 * stops its threads.
 */
#include "http_int.h"

#include <errno.h>
#include <microhttpd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void srv__workspace_close(void *ws)
{
    st_close(ws);
}

int srv__workspaces_init(srv_server *s, wf_error *err)
{
    int rc = pthread_key_create(&s->ws_key, srv__workspace_close);
    if (rc != 0) return wf_error_set(err, WF_ENOMEM, "cannot make a thread key: %s", strerror(rc));
    s->ws_key_made = true;
    return 0;
}

void srv__workspaces_fini(srv_server *s)
{
    if (!s->ws_key_made) return;
    /* Daemon threads have closed theirs on exit; this thread's is left. */
    st_workspace *ws = pthread_getspecific(s->ws_key);
    if (ws != NULL) {
        pthread_setspecific(s->ws_key, NULL);
        st_close(ws);
    }
    pthread_key_delete(s->ws_key);
    s->ws_key_made = false;
}

st_workspace *srv_workspace(srv_request *req)
{
    srv_server *s = req->server;
    st_workspace *ws = pthread_getspecific(s->ws_key);
    if (ws != NULL) return ws;
    wf_error err = {0};
    if (st_open(s->workspace_dir, &ws, &err) < 0) {
        /* Logged once; the dispatcher answers 500 before calling a handler. */
        if (!atomic_exchange(&s->ws_failed, true))
            fprintf(stderr, "weft: cannot open the workspace: %s\n", err.message);
        return NULL;
    }
    if (pthread_setspecific(s->ws_key, ws) != 0) {
        st_close(ws);
        return NULL;
    }
    return ws;
}

const char *srv_workspace_dir(const srv_server *s)
{
    return s->workspace_dir;
}

eng_bus *srv_bus(srv_server *s)
{
    return s->bus;
}

int srv_jobs(const srv_server *s)
{
    return s->jobs;
}

const char *srv_path_param(const srv_request *req, size_t i)
{
    return i < req->nparams ? req->params[i] : NULL;
}

const char *srv_query(const srv_request *req, const char *name)
{
    if (req->conn == NULL) return NULL;
    return MHD_lookup_connection_value(req->conn, MHD_GET_ARGUMENT_KIND, name);
}

int64_t srv_query_int(srv_request *req, srv_response *res, const char *name, int64_t def,
                      int64_t max)
{
    const char *text = srv_query(req, name);
    if (text == NULL || text[0] == '\0') return def;
    char *end;
    errno = 0;
    long long v = strtoll(text, &end, 10);
    if (text[0] < '0' || text[0] > '9' || *end != '\0' || errno != 0 || v < 0 || v > max) {
        char shown[64];
        snprintf(shown, sizeof shown, "%s", text);
        srv_reply_error(res, 400, "bad_query",
                        "query argument \"%s\" must be an integer from 0 to %lld, not \"%s\"", name,
                        (long long)max, shown);
        return -1;
    }
    return (int64_t)v;
}

const char *srv_header(const srv_request *req, const char *name)
{
    if (req->conn == NULL) return NULL;
    return MHD_lookup_connection_value(req->conn, MHD_HEADER_KIND, name);
}
