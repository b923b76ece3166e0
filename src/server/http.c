/*
 * http.c: the daemon. libmicrohttpd runs one epoll thread per core; every
 * request goes through one access handler that
 *   1. on its first call (headers read) decides everything that does not
 *      need the body: the route (404, 405), the token (401), the declared
 *      size (413), or a static file of the UI. Scoring routes (outside
 *      /api) check their endpoint's key instead of the token, and answer
 *      in their protocol's error shape (endpoints_int.h); a standalone
 *      scoring server answers nothing else;
 *   2. takes the body: buffered up to 16 MB for JSON, or streamed into a
 *      temporary file in <workspace>/tmp for upload routes (up to 4 GB);
 *   3. calls the route's handler and turns its srv_response into an MHD
 *      response.
 * Each request carries an exchange (made when its request line arrives,
 * freed when it ends) that also feeds the access log.
 * The daemon's life (binding, signals, shutdown) is serve.c.
 */
#include "endpoints_int.h"

#include <errno.h>
#include <fcntl.h>
#include <microhttpd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

/* A body that will be thrown away is read up to this much before the
 * connection is closed instead. */
#define SRV__DRAIN_MAX ((uint64_t)64 << 20)

typedef struct srv__exchange {
    srv_server *server;
    char *raw_path; /* as sent, without the query */
    struct timespec start;
    char method[16];
    bool started;
    const srv_route *route;
    srv_request req; /* req.arena is ours */
    wf_buf body;
    bool too_large;
    int upload_fd;
    char *upload_path;
    uint64_t upload_len;
    int upload_errno; /* a write to the upload file failed */
    bool body_done;   /* the whole body has been read */
    bool has_pending; /* a reply decided before the body, sent once it is drained */
    srv_response pending;
    uint64_t drained; /* body bytes read and thrown away */
    bool overdue;     /* the body took longer than its time limit */
    int status;       /* what was queued; 0 before */
    uint64_t bytes;
} srv__exchange;

/* ---- the exchange: from the request line to the end ------------------- */

void *srv__exchange_new(void *cls, const char *uri, struct MHD_Connection *conn)
{
    (void)conn;
    srv_server *s = cls;
    srv__exchange *x = calloc(1, sizeof *x);
    if (x == NULL) return NULL;
    size_t n = strcspn(uri, "?");
    x->raw_path = wf_strndup(uri, n);
    x->req.arena = wf_arena_new();
    if (x->raw_path == NULL || x->req.arena == NULL) {
        free(x->raw_path);
        wf_arena_free(x->req.arena);
        free(x);
        return NULL;
    }
    x->server = s;
    x->upload_fd = -1;
    clock_gettime(CLOCK_MONOTONIC, &x->start);
    atomic_fetch_add(&s->inflight, 1);
    return x;
}

void srv__exchange_end(void *cls, struct MHD_Connection *conn, void **req_cls,
                       enum MHD_RequestTerminationCode why)
{
    (void)cls;
    (void)conn;
    srv__exchange *x = *req_cls;
    *req_cls = NULL;
    if (x == NULL) return;
    if (x->started) {
        struct timespec now;
        clock_gettime(CLOCK_MONOTONIC, &now);
        double ms = (double)(now.tv_sec - x->start.tv_sec) * 1e3 +
                    (double)(now.tv_nsec - x->start.tv_nsec) / 1e6;
        const char *note = x->overdue                                      ? " (body time limit)"
                           : why == MHD_REQUEST_TERMINATED_COMPLETED_OK      ? ""
                           : why == MHD_REQUEST_TERMINATED_TIMEOUT_REACHED ? " (timed out)"
                           : why == MHD_REQUEST_TERMINATED_DAEMON_SHUTDOWN ? " (shutdown)"
                                                                           : " (closed early)";
        for (char *c = x->raw_path; *c; c++) /* no forged log lines */
            if ((unsigned char)*c < 0x20 || *c == 0x7f) *c = '?';
        /* One call, so that lines from several threads never mix. */
        fprintf(stderr, "weft: %s %s %d %llu %.1fms%s\n", x->method, x->raw_path, x->status,
                (unsigned long long)x->bytes, ms, note);
    }
    if (x->has_pending) srv__response_clear(&x->pending);
    if (x->upload_fd >= 0) close(x->upload_fd);
    if (x->upload_path != NULL) unlink(x->upload_path);
    free(x->upload_path);
    wf_buf_free(&x->body);
    wf_arena_free(x->req.arena);
    atomic_fetch_sub(&x->server->inflight, 1);
    free(x->raw_path);
    free(x);
}

/* ---- replies ----------------------------------------------------------- */

/* Replaces every occurrence of the workspace's absolute path in a JSON text
 * by "<workspace>": replies must not show where the workspace lives, and a
 * message from deep in the store may name a file. Returns text or a new
 * string (text freed). */
static char *srv__redact(srv_server *s, char *text, size_t *len, const char *what)
{
    const char *paths[2] = {s->workspace_real,
                            s->workspace_dir[0] == '/' ? s->workspace_dir : NULL};
    for (size_t p = 0; p < 2; p++) {
        const char *needle = paths[p];
        size_t nn = needle ? strlen(needle) : 0;
        if (nn < 2 || memmem(text, *len, needle, nn) == NULL) continue;
        fprintf(stderr, "weft: a reply to %s held the workspace path; redacted\n", what);
        wf_buf out = {0};
        const char *at = text, *end = text + *len, *hit;
        while ((hit = memmem(at, (size_t)(end - at), needle, nn)) != NULL) {
            wf_buf_append(&out, at, (size_t)(hit - at));
            wf_buf_puts(&out, "<workspace>");
            at = hit + nn;
        }
        wf_buf_append(&out, at, (size_t)(end - at));
        if (out.failed) {
            wf_buf_free(&out);
            continue;
        }
        free(text);
        text = out.data;
        *len = out.len;
    }
    return text;
}

/* Content-Disposition for a download: an ASCII fallback name (other bytes,
 * quotes and backslashes become '_') and the exact name in RFC 6266's
 * filename*=UTF-8'' form. Names are cut at 200 bytes. */
static void srv__disposition(const char *name, char *out, size_t cap)
{
    static const char hex[] = "0123456789ABCDEF";
    size_t n = strnlen(name, 200), o = (size_t)snprintf(out, cap, "attachment; filename=\"");
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)name[i];
        out[o++] = (c < 0x20 || c >= 0x7f || c == '"' || c == '\\') ? '_' : (char)c;
    }
    o += (size_t)snprintf(out + o, cap - o, "\"; filename*=UTF-8''");
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)name[i];
        if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
            strchr("-._~", c) != NULL) {
            out[o++] = (char)c;
        } else {
            out[o++] = '%';
            out[o++] = hex[c >> 4];
            out[o++] = hex[c & 15];
        }
    }
    out[o] = '\0';
}

static const char srv__oom_body[] =
    "{\"error\":{\"code\":\"internal\",\"message\":\"out of memory\",\"details\":null}}";

/* Turns res (consumed) into an MHD response and queues it. fd >= 0 sends
 * that file instead of res's body. */
static enum MHD_Result srv__send(srv__exchange *x, struct MHD_Connection *conn, srv_response *res,
                                 int fd, uint64_t fd_size)
{
    srv_server *s = x->server;
    struct MHD_Response *r = NULL;
    const char *type = res->content_type;
    int status = res->status > 0 ? res->status : 500;
    bool streaming = res->stream != NULL && fd < 0;
    if (streaming) {
        r = srv__stream_response(s, conn, res, &x->bytes);
    } else if (fd >= 0) {
        r = MHD_create_response_from_fd64(fd_size, fd);
        if (r == NULL) close(fd);
        x->bytes = fd_size;
    } else if (res->json != NULL) {
        /* 15 significant digits: 5.1 reads "5.1", not jansson's default
         * "5.0999999999999996". Exact values come from the CSV and native
         * downloads. */
        char *text = json_dumps(res->json, JSON_COMPACT | JSON_REAL_PRECISION(15));
        size_t len = text ? strlen(text) : 0;
        if (text != NULL) text = srv__redact(s, text, &len, x->raw_path);
        if (text != NULL) r = MHD_create_response_from_buffer(len, text, MHD_RESPMEM_MUST_FREE);
        if (text != NULL && r == NULL) free(text);
        type = "application/json";
        x->bytes = len;
    } else if (res->bytes != NULL || res->nbytes == 0) {
        if (res->bytes == NULL && status >= 400) {
            /* An error whose JSON could not be made (OOM). */
            r = MHD_create_response_from_buffer(sizeof srv__oom_body - 1, (void *)srv__oom_body,
                                                MHD_RESPMEM_PERSISTENT);
            type = "application/json";
            x->bytes = sizeof srv__oom_body - 1;
        } else {
            r = MHD_create_response_from_buffer(res->nbytes, res->bytes ? res->bytes : "",
                                                res->bytes ? MHD_RESPMEM_MUST_FREE
                                                           : MHD_RESPMEM_PERSISTENT);
            if (r != NULL) res->bytes = NULL; /* MHD frees it now */
            x->bytes = res->nbytes;
        }
    }
    if (r == NULL) {
        srv__response_clear(res);
        return MHD_NO; /* closes the connection: nothing else can be done */
    }
    if (type != NULL) MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, type);
    bool own_cache = res->extra_header_name != NULL &&
                     strcasecmp(res->extra_header_name, MHD_HTTP_HEADER_CACHE_CONTROL) == 0;
    if (streaming) {
        if (!own_cache) MHD_add_response_header(r, MHD_HTTP_HEADER_CACHE_CONTROL, "no-cache");
        MHD_add_response_header(r, "X-Accel-Buffering", "no");
    }
    if (res->download_name != NULL) {
        char disposition[1024]; /* 200 bytes, each at most 3 characters, and the words */
        srv__disposition(res->download_name, disposition, sizeof disposition);
        MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_DISPOSITION, disposition);
    }
    if (res->extra_header_name != NULL && res->extra_header_value != NULL)
        MHD_add_response_header(r, res->extra_header_name, res->extra_header_value);
    if (status == 401) MHD_add_response_header(r, MHD_HTTP_HEADER_WWW_AUTHENTICATE, "Bearer");
    MHD_add_response_header(r, "X-Content-Type-Options", "nosniff");
    x->status = status;
    enum MHD_Result ok = MHD_queue_response(conn, (unsigned)status, r);
    MHD_destroy_response(r);
    srv__response_clear(res);
    return ok;
}

/* Answers res, or, when it was decided before the body and a body follows,
 * keeps it until the body has been read and thrown away: closing a socket
 * with unread data resets it, and the client would never see the reply. A
 * declared body over SRV__DRAIN_MAX is not worth reading: it is answered at
 * once (and the client may see a reset). So is one the client waits to send
 * (Expect: 100-continue). */
static enum MHD_Result srv__answer(srv__exchange *x, struct MHD_Connection *conn, srv_response *res)
{
    if (!x->body_done) {
        const char *cl = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "Content-Length");
        const char *te = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "Transfer-Encoding");
        const char *expect = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "Expect");
        unsigned long long declared = cl ? strtoull(cl, NULL, 10) : 0;
        bool follows = declared > 0 || (cl == NULL && te != NULL);
        if (follows && expect == NULL && declared <= SRV__DRAIN_MAX) {
            x->pending = *res;
            x->has_pending = true;
            memset(res, 0, sizeof *res);
            return MHD_YES;
        }
    }
    return srv__send(x, conn, res, -1, 0);
}

static enum MHD_Result srv__send_error(srv__exchange *x, struct MHD_Connection *conn, int status,
                                       const char *code, const char *message)
{
    srv_response res = {0};
    srv_reply_error(&res, status, code, "%s", message);
    return srv__answer(x, conn, &res);
}

/* 405 with the methods the path does answer. */
static enum MHD_Result srv__send_405(srv__exchange *x, struct MHD_Connection *conn,
                                     const char *method)
{
    static const char *const methods[] = {"GET", "POST", "PUT", "PATCH", "DELETE"};
    char allow[64] = "";
    for (size_t i = 0; i < sizeof methods / sizeof methods[0]; i++) {
        srv_request probe = {.arena = x->req.arena};
        int st;
        if (srv_route_match(methods[i], x->raw_path, &probe, &st) == NULL) continue;
        if (allow[0]) strcat(allow, ", ");
        strcat(allow, methods[i]);
    }
    srv_response res = {0};
    srv_reply_error(&res, 405, "method_not_allowed", "%s is not allowed here; allowed: %s", method,
                    allow[0] ? allow : "none");
    res.extra_header_name = wf_strdup(MHD_HTTP_HEADER_ALLOW);
    res.extra_header_value = wf_strdup(allow);
    return srv__answer(x, conn, &res);
}

/* ---- auth -------------------------------------------------------------- */

/* Compares the SHA-256 digests of the two tokens: the time taken does not
 * depend on where they differ nor on their lengths. */
static bool srv__authorized(srv_server *s, struct MHD_Connection *conn)
{
    const char *h = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "Authorization");
    if (h == NULL || strncasecmp(h, "Bearer ", 7) != 0) return false;
    h += 7;
    while (*h == ' ')
        h++;
    uint8_t given[32], want[32];
    wf_sha256 ctx;
    wf_sha256_init(&ctx);
    wf_sha256_update(&ctx, h, strlen(h));
    wf_sha256_final(&ctx, given);
    wf_sha256_init(&ctx);
    wf_sha256_update(&ctx, s->token, strlen(s->token));
    wf_sha256_final(&ctx, want);
    volatile uint8_t diff = 0;
    for (size_t i = 0; i < 32; i++)
        diff |= (uint8_t)(given[i] ^ want[i]);
    return diff == 0;
}

/* ---- the access handler ------------------------------------------------ */

static bool srv__is_api(const char *path)
{
    return strncmp(path, "/api", 4) == 0 && (path[4] == '\0' || path[4] == '/');
}

/* Opens the upload's temporary file in <workspace>/tmp. */
static int srv__upload_open(srv__exchange *x)
{
    wf_error err = {0};
    char *dir = wf_arena_printf(x->req.arena, "%s/tmp", x->server->workspace_dir);
    char *path = dir ? wf_arena_printf(x->req.arena, "%s/upload-XXXXXX", dir) : NULL;
    if (path == NULL || wf_mkdirs(dir, &err) < 0) return -1;
    int fd = mkostemp(path, O_CLOEXEC);
    if (fd < 0) return -1;
    x->upload_path = wf_strdup(path);
    if (x->upload_path == NULL) {
        close(fd);
        unlink(path);
        return -1;
    }
    x->upload_fd = fd;
    return 0;
}

/* The first call of a scoring route: its endpoint's key instead of the
 * token (so that a request without a valid key is refused before its body
 * is read), and errors in the route's protocol's shape. */
static enum MHD_Result srv__begin_scoring(srv__exchange *x, struct MHD_Connection *conn)
{
    srv__protocol proto = srv__route_protocol(x->route);
    srv_response res = {0};
    if (!(x->route->flags & SRV_ROUTE_PUBLIC)) {
        const char *name = srv_path_param(&x->req, 0);
        const char *auth = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "Authorization");
        int status = srv__endpoint_open(x->server, name, auth, NULL);
        if (status != 0) {
            srv__scoring_refuse(&res, proto, status, name);
            return srv__answer(x, conn, &res);
        }
    }
    const char *cl = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "Content-Length");
    if (cl != NULL && strtoull(cl, NULL, 10) > SRV_MAX_JSON_BODY) {
        srv__scoring_error(&res, proto, 413, "too_large",
                           "the request body is larger than the 16 MB limit");
        return srv__answer(x, conn, &res);
    }
    return MHD_YES;
}

/* The first call: everything that can be decided from the headers. */
static enum MHD_Result srv__begin(srv__exchange *x, struct MHD_Connection *conn, const char *method)
{
    srv_server *s = x->server;
    x->started = true;
    snprintf(x->method, sizeof x->method, "%s", method);
    x->req.server = s;
    x->req.conn = conn;
    x->req.method = x->method;
    x->req.path = x->raw_path;

    const char *match_method = strcmp(method, "HEAD") == 0 ? "GET" : method;
    int status;
    x->route = srv_route_match(match_method, x->raw_path, &x->req, &status);
    if (!srv__is_api(x->raw_path)) {
        /* Outside /api: the scoring routes, and the UI's files. */
        if (x->route != NULL && (x->route->flags & SRV_ROUTE_SCORING))
            return srv__begin_scoring(x, conn);
        if (status == 405) return srv__send_405(x, conn, x->method);
        if (srv__endpoints_standalone(s))
            return srv__send_error(x, conn, 404, "not_found",
                                   "this server scores one endpoint and answers nothing else "
                                   "here");
        if (strcmp(method, "GET") != 0 && strcmp(method, "HEAD") != 0) {
            srv_response res = {0};
            srv_reply_error(&res, 405, "method_not_allowed",
                            "%s is not allowed here; allowed: GET, HEAD", x->method);
            res.extra_header_name = wf_strdup(MHD_HTTP_HEADER_ALLOW);
            res.extra_header_value = wf_strdup("GET, HEAD");
            return srv__answer(x, conn, &res);
        }
        srv_response res = {0};
        int fd = -1;
        uint64_t size = 0;
        srv__static_reply(s, x->raw_path, &res, &fd, &size);
        return srv__send(x, conn, &res, fd, size);
    }

    if (srv__endpoints_standalone(s))
        return srv__send_error(x, conn, 404, "no_route",
                               "this server scores one endpoint: it has no /api");
    bool public_route = x->route != NULL && (x->route->flags & SRV_ROUTE_PUBLIC);
    if (s->token != NULL && !public_route && !srv__authorized(s, conn))
        return srv__send_error(x, conn, 401, "unauthorized",
                               "this API needs a token: send \"Authorization: Bearer <token>\"");
    if (x->route == NULL) {
        if (status == 405) return srv__send_405(x, conn, x->method);
        if (status == 500) return srv__send_error(x, conn, 500, "internal", "out of memory");
        return srv__send_error(x, conn, 404, "no_route", "no API route answers this path");
    }

    bool upload = x->route->flags & SRV_ROUTE_STREAM_UPLOAD;
    const char *cl = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "Content-Length");
    if (cl != NULL) {
        unsigned long long declared = strtoull(cl, NULL, 10);
        if (!upload && declared > SRV_MAX_JSON_BODY)
            return srv__send_error(x, conn, 413, "too_large",
                                   "the request body is larger than the 16 MB limit for JSON "
                                   "bodies");
        if (upload && declared > SRV_MAX_UPLOAD)
            return srv__send_error(x, conn, 413, "too_large",
                                   "the upload is larger than the 4 GB limit");
    }
    if (upload && srv__upload_open(x) < 0)
        return srv__send_error(x, conn, 500, "internal",
                               "cannot make a temporary file for the upload in the workspace");
    return MHD_YES;
}

/* Seconds since the request began. */
static double srv__elapsed_s(const srv__exchange *x)
{
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return (double)(now.tv_sec - x->start.tv_sec) + (double)(now.tv_nsec - x->start.tv_nsec) / 1e9;
}

/* Takes n more bytes of body. False when the connection should be closed: a
 * body being thrown away has gone on too long, or the body has taken longer
 * than its time limit (no reply can reach a client that is still sending,
 * so the connection is closed and the access log says why). */
static bool srv__take_body(srv__exchange *x, const char *data, size_t n)
{
    double limit = (double)x->server->body_seconds * (x->upload_fd >= 0 ? SRV_UPLOAD_TIME_FACTOR : 1);
    if (srv__elapsed_s(x) > limit) {
        x->overdue = true;
        return false;
    }
    if (x->has_pending || x->too_large || x->upload_errno != 0) {
        x->drained += n;
        return x->drained <= SRV__DRAIN_MAX;
    }
    if (x->upload_fd >= 0) {
        if (x->upload_len + n > SRV_MAX_UPLOAD) {
            x->too_large = true;
            return true;
        }
        while (n > 0) {
            ssize_t w = write(x->upload_fd, data, n);
            if (w < 0 && errno == EINTR) continue;
            if (w <= 0) {
                x->upload_errno = w < 0 ? errno : EIO;
                return true;
            }
            data += w;
            n -= (size_t)w;
            x->upload_len += (uint64_t)w;
        }
        return true;
    }
    if (x->body.len + n > SRV_MAX_JSON_BODY) {
        x->too_large = true;
        wf_buf_free(&x->body);
        return true;
    }
    wf_buf_append(&x->body, data, n);
    return true;
}

/* The body is in: run the handler. */
static enum MHD_Result srv__dispatch(srv__exchange *x, struct MHD_Connection *conn)
{
    x->body_done = true;
    if (x->has_pending) {
        x->has_pending = false;
        return srv__send(x, conn, &x->pending, -1, 0);
    }
    bool scoring = x->route != NULL && (x->route->flags & SRV_ROUTE_SCORING);
    if (x->too_large && scoring) {
        srv_response res = {0};
        srv__scoring_error(&res, srv__route_protocol(x->route), 413, "too_large",
                           "the request body is larger than the 16 MB limit");
        return srv__send(x, conn, &res, -1, 0);
    }
    if (x->too_large)
        return srv__send_error(x, conn, 413, "too_large",
                               x->upload_fd >= 0
                                   ? "the upload is larger than the 4 GB limit"
                                   : "the request body is larger than the 16 MB limit for JSON "
                                     "bodies");
    if (x->upload_errno != 0) {
        char message[200];
        snprintf(message, sizeof message, "could not store the upload: %s",
                 strerror(x->upload_errno));
        return srv__send_error(x, conn, 500, "internal", message);
    }
    if (x->body.failed) return srv__send_error(x, conn, 500, "internal", "out of memory");
    if (x->upload_fd >= 0) {
        close(x->upload_fd);
        x->upload_fd = -1;
        x->req.upload_path = x->upload_path;
        x->req.upload_len = (size_t)x->upload_len;
    } else if (x->body.len > 0) {
        x->req.body = x->body.data;
        x->req.body_len = x->body.len;
    }
    if (!scoring && srv_workspace(&x->req) == NULL)
        return srv__send_error(x, conn, 500, "internal", "the workspace cannot be opened");
    srv_response res = {0};
    int rc = x->route->handler(&x->req, &res);
    /* The handler is done with a streamed upload: remove it before the reply
     * goes out, so a client never sees it in the workspace after its answer. */
    if (x->upload_path != NULL) {
        unlink(x->upload_path);
        free(x->upload_path);
        x->upload_path = NULL;
        x->req.upload_path = NULL;
    }
    if (res.status == 0) {
        srv__response_clear(&res);
        srv_reply_error(&res, 500, "internal",
                        rc < 0 ? "the handler failed" : "the handler made no reply");
    }
    return srv__send(x, conn, &res, -1, 0);
}

enum MHD_Result srv__access(void *cls, struct MHD_Connection *conn, const char *url,
                            const char *method, const char *version, const char *upload_data,
                            size_t *upload_data_size, void **req_cls)
{
    (void)cls;
    (void)url; /* decoded by MHD as a whole; the exchange keeps it as sent */
    (void)version;
    srv__exchange *x = *req_cls;
    if (x == NULL) {
        struct MHD_Response *r = MHD_create_response_from_buffer(
            sizeof srv__oom_body - 1, (void *)srv__oom_body, MHD_RESPMEM_PERSISTENT);
        if (r == NULL) return MHD_NO;
        enum MHD_Result ok = MHD_queue_response(conn, 500, r);
        MHD_destroy_response(r);
        return ok;
    }
    if (!x->started) return srv__begin(x, conn, method);
    if (*upload_data_size > 0) {
        bool go_on = srv__take_body(x, upload_data, *upload_data_size);
        *upload_data_size = 0;
        return go_on ? MHD_YES : MHD_NO;
    }
    if (x->status != 0) return MHD_YES; /* answered already */
    return srv__dispatch(x, conn);
}
