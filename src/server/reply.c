/*
 * reply.c: how handlers answer, and how they read a JSON body. Every error
 * has one shape, {"error": {"code", "message", "details"}} (DESIGN.md
 * section 7), and every message is made valid UTF-8 so it always fits in a
 * JSON string. Nothing here knows about the HTTP library, so the fuzz
 * harness can drive the body decoder directly.
 */
#include "http_int.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void srv__utf8_sanitize(char *s)
{
    size_t len = strlen(s), bad;
    while (!wf_utf8_valid(s, len, &bad))
        s[bad] = '?';
}

/* Drops the body (not the headers a handler set) before a new one. */
static void srv__body_clear(srv_response *res)
{
    json_decref(res->json);
    res->json = NULL;
    free(res->bytes);
    res->bytes = NULL;
    res->nbytes = 0;
    if (res->stream_free != NULL) res->stream_free(res->stream_user);
    res->stream = NULL;
    res->stream_free = NULL;
    res->stream_user = NULL;
}

void srv__response_clear(srv_response *res)
{
    srv__body_clear(res);
    free(res->content_type);
    free(res->download_name);
    free(res->extra_header_name);
    free(res->extra_header_value);
    memset(res, 0, sizeof *res);
}

int srv_reply_json(srv_response *res, int status, json_t *json)
{
    srv__body_clear(res);
    if (json == NULL) return srv_reply_error(res, 500, "internal", "out of memory");
    res->status = status;
    res->json = json;
    return 0;
}

static int srv__reply_errorv(srv_response *res, int status, const char *code, json_t *details,
                             const char *fmt, va_list ap)
{
    srv__body_clear(res);
    free(res->download_name);
    res->download_name = NULL;
    res->status = status;
    char message[WF_ERROR_MESSAGE_MAX];
    vsnprintf(message, sizeof message, fmt, ap);
    srv__utf8_sanitize(message);
    json_t *err = json_pack("{s:s, s:s, s:o}", "code", code ? code : "error", "message", message,
                            "details", details ? details : json_null());
    /* On OOM the daemon sends a fixed body for the status. */
    res->json = err ? json_pack("{s:o}", "error", err) : NULL;
    return 0;
}

int srv_reply_error(srv_response *res, int status, const char *code, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    srv__reply_errorv(res, status, code, NULL, fmt, ap);
    va_end(ap);
    return 0;
}

int srv_reply_error_details(srv_response *res, int status, const char *code, json_t *details,
                            const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    srv__reply_errorv(res, status, code, details, fmt, ap);
    va_end(ap);
    return 0;
}

int srv_reply_wf_error(srv_response *res, const wf_error *err)
{
    int status = 500;
    const char *code = "internal";
    switch (err ? err->code : 0) {
    case WF_ENOTFOUND:
        status = 404, code = "not_found";
        break;
    case WF_EEXIST:
        status = 409, code = "conflict";
        break;
    case WF_EINVAL:
        status = 422, code = "invalid";
        break;
    case WF_EPARSE:
        status = 422, code = "parse_error";
        break;
    case WF_ETYPE:
        status = 422, code = "wrong_type";
        break;
    case WF_ELIMIT:
        status = 413, code = "too_large";
        break;
    case WF_EFORMAT:
        status = 415, code = "unsupported_format";
        break;
    default:
        break;
    }
    const char *message = "unknown error";
    if (err != NULL) message = err->message[0] ? err->message : wf_strerror(err->code);
    return srv_reply_error(res, status, code, "%s", message);
}

int srv_reply_bytes(srv_response *res, int status, const char *content_type, char *bytes, size_t n)
{
    srv__body_clear(res);
    char *type = wf_strdup(content_type ? content_type : "application/octet-stream");
    if (type == NULL || (bytes == NULL && n > 0)) {
        free(type);
        free(bytes);
        return srv_reply_error(res, 500, "internal", "out of memory");
    }
    free(res->content_type);
    res->content_type = type;
    res->status = status;
    res->bytes = bytes;
    res->nbytes = n;
    return 0;
}

int srv_reply_stream(srv_response *res, const char *content_type,
                     ssize_t (*stream)(void *user, uint64_t pos, char *buf, size_t max),
                     void (*stream_free)(void *user), void *user)
{
    srv__body_clear(res);
    char *type = wf_strdup(content_type ? content_type : "text/event-stream");
    if (type == NULL || stream == NULL) {
        free(type);
        if (stream_free != NULL) stream_free(user);
        return srv_reply_error(res, 500, "internal", "out of memory");
    }
    free(res->content_type);
    res->content_type = type;
    res->status = 200;
    res->stream = stream;
    res->stream_free = stream_free;
    res->stream_user = user;
    return 0;
}

json_t *srv_body_json(srv_request *req, srv_response *res)
{
    if (req->body == NULL || req->body_len == 0) {
        srv_reply_error(res, 400, "bad_json", "the request body is empty; a JSON object is needed");
        return NULL;
    }
    json_error_t jerr;
    json_t *doc = json_loadb(req->body, req->body_len, JSON_REJECT_DUPLICATES, &jerr);
    if (doc == NULL) {
        srv_reply_error(res, 400, "bad_json", "line %d, column %d: %s", jerr.line, jerr.column,
                        jerr.text);
        return NULL;
    }
    if (!json_is_object(doc)) {
        json_decref(doc);
        srv_reply_error(res, 400, "bad_json", "line 1, column 1: the body must be a JSON object");
        return NULL;
    }
    return doc;
}
