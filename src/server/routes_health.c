/*
 * routes_health.c: the public routes that say the server is up and what it
 * answers: GET /api/health and GET /api/openapi.json. Test builds
 * (WEFT_TEST_MODULES) add three routes that exercise the server's own
 * machinery: /api/test/stream (a ticking event stream: parking, and the end
 * of streams at shutdown), /api/test/echo (JSON bodies and their limit) and
 * /api/test/upload (streamed uploads).
 */
#include "http_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static int get_health(srv_request *req, srv_response *res)
{
    /* The workspace's name only: where it lives is nobody's business. */
    return srv_reply_json(res, 200,
                          json_pack("{s:s, s:s, s:s}", "status", "ok", "version", WEFT_VERSION,
                                    "workspace", req->server->workspace_name));
}

static int get_openapi(srv_request *req, srv_response *res)
{
    (void)req;
    return srv_reply_json(res, 200, srv__openapi_document());
}

#ifdef WEFT_TEST_MODULES
typedef struct ticker {
    int64_t sent, count; /* count 0: forever */
    double gap_s, next;
} ticker;

static double ticker_now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static ssize_t ticker_read(void *user, uint64_t pos, char *buf, size_t max)
{
    (void)pos;
    ticker *t = user;
    if (t->count > 0 && t->sent >= t->count) return -1;
    double now = ticker_now();
    if (now < t->next) return 0; /* nothing yet: the server parks the connection */
    int n = snprintf(buf, max, "event: tick\ndata: {\"i\":%lld}\n\n", (long long)t->sent);
    if (n < 0 || (size_t)n >= max) return -2;
    t->sent++;
    t->next = now + t->gap_s;
    return n;
}

static int get_test_stream(srv_request *req, srv_response *res)
{
    int64_t count = srv_query_int(req, res, "count", 3, 1000000);
    int64_t gap_ms = count < 0 ? -1 : srv_query_int(req, res, "gap_ms", 100, 60000);
    if (count < 0 || gap_ms < 0) return 0;
    ticker *t = calloc(1, sizeof *t);
    if (t == NULL) return srv_reply_error(res, 500, "internal", "out of memory");
    t->count = count;
    t->gap_s = (double)gap_ms / 1e3;
    t->next = ticker_now() + t->gap_s;
    return srv_reply_stream(res, "text/event-stream", ticker_read, free, t);
}

/* Echoes a JSON body: the body limits and the decoder's messages. */
static int post_test_echo(srv_request *req, srv_response *res)
{
    json_t *body = srv_body_json(req, res);
    if (body == NULL) return 0;
    return srv_reply_json(res, 200, json_pack("{s:o}", "echo", body));
}

/* Digests a streamed upload: the temporary file holds exactly the body. */
static int post_test_upload(srv_request *req, srv_response *res)
{
    if (req->upload_path == NULL)
        return srv_reply_error(res, 500, "internal", "the upload was not streamed to a file");
    wf_mapped_file m = {0};
    wf_error err = {0};
    if (wf_map_file(req->upload_path, &m, &err) < 0) return srv_reply_wf_error(res, &err);
    char hex[WF_SHA256_HEX];
    wf_sha256_hex(m.data ? (const void *)m.data : "", m.size, hex);
    size_t size = m.size;
    wf_unmap_file(&m);
    return srv_reply_json(res, 200,
                          json_pack("{s:I, s:I, s:s}", "bytes", (json_int_t)req->upload_len,
                                    "file_bytes", (json_int_t)size, "sha256", hex));
}
#endif

const srv_route srv_health_routes[] = {
    {"GET", "/api/health", get_health, SRV_ROUTE_PUBLIC},
    {"GET", "/api/openapi.json", get_openapi, SRV_ROUTE_PUBLIC},
#ifdef WEFT_TEST_MODULES
    {"GET", "/api/test/stream", get_test_stream, 0},
    {"POST", "/api/test/echo", post_test_echo, 0},
    {"POST", "/api/test/upload", post_test_upload, SRV_ROUTE_STREAM_UPLOAD},
#endif
    {NULL, NULL, NULL, 0},
};
