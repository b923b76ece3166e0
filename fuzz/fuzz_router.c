/*
 * fuzz_router.c: libFuzzer harness for what the server does with a request
 * before any handler sees it: matching a method and path to a route, and
 * decoding a JSON body. The first byte picks the target, the rest is input:
 *
 *   0..127   method and path for srv_route_match. A match must name the
 *            method asked for, hold one capture per {name} (never empty, no
 *            '/', valid UTF-8), and come back the same when its captures are
 *            percent-encoded into the pattern again. 405 means another
 *            method matches; 404 means none does.
 *   128..191 a body for srv_body_json: an object, or a 400 "bad_json" error
 *            whose message is valid UTF-8 and says where.
 *   192..255 a message for srv_reply_error: the reply is always valid JSON.
 *
 * It runs over the server's real route tables.
 */
#include "server/http_int.h"

#include <string.h>

#include <stdio.h>
#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char *const fuzz_methods[] = {"GET", "POST", "PUT", "PATCH", "DELETE", "HEAD"};
#define FUZZ_NMETHODS (sizeof fuzz_methods / sizeof fuzz_methods[0])

static size_t count_captures(const char *pattern)
{
    size_t n = 0;
    for (const char *p = pattern; (p = strchr(p, '{')) != NULL; p++)
        n++;
    return n;
}

/* The pattern with each {capture} replaced by its value, every byte but
 * unreserved ones percent-encoded. */
static char *rebuild(const char *pattern, const srv_request *req)
{
    wf_buf b = {0};
    size_t k = 0;
    for (const char *p = pattern; *p;) {
        if (*p != '{') {
            wf_buf_append(&b, p++, 1);
            continue;
        }
        for (const unsigned char *c = (const unsigned char *)req->params[k++]; *c; c++) {
            if ((*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') || (*c >= '0' && *c <= '9'))
                wf_buf_append(&b, (const char *)c, 1);
            else
                wf_buf_printf(&b, "%%%02X", *c);
        }
        p = strchr(p, '}') + 1;
    }
    if (b.failed) abort();
    return b.data;
}

static void fuzz_route(const uint8_t *data, size_t size)
{
    if (size == 0) return;
    const char *method = fuzz_methods[data[0] % FUZZ_NMETHODS];
    char *path = wf_strndup((const char *)data + 1, size - 1); /* stops at a NUL */
    if (path == NULL) return;
    srv_request req = {0};
    int status = 0;
    const srv_route *r = srv_route_match(method, path, &req, &status);
    if (r != NULL) {
        if (status != 200 || strcmp(r->method, method) != 0) abort();
        if (req.nparams != count_captures(r->pattern)) abort();
        for (size_t i = 0; i < req.nparams; i++) {
            const char *v = req.params[i];
            if (v == NULL || v[0] == '\0' || strchr(v, '/') != NULL ||
                !wf_utf8_valid(v, strlen(v), NULL))
                abort();
        }
        char *again = rebuild(r->pattern, &req);
        srv_request req2 = {0};
        int status2;
        const srv_route *r2 = srv_route_match(method, again, &req2, &status2);
        if (r2 != r || req2.nparams != req.nparams) {
            fprintf(stderr, "%s %s matched %s, but its rebuild %s did not\n", method, path,
                    r->pattern, again);
            abort();
        }
        for (size_t i = 0; i < req.nparams; i++)
            if (strcmp(req.params[i], req2.params[i]) != 0) abort();
        wf_arena_free(req2.arena);
        free(again);
    } else if (status == 405) {
        bool other = false;
        for (size_t m = 0; m < FUZZ_NMETHODS && !other; m++) {
            srv_request probe = {.arena = req.arena};
            int st;
            other = srv_route_match(fuzz_methods[m], path, &probe, &st) != NULL;
        }
        if (!other) abort();
    } else if (status == 404) {
        for (size_t m = 0; m < FUZZ_NMETHODS; m++) {
            srv_request probe = {.arena = req.arena};
            int st;
            if (srv_route_match(fuzz_methods[m], path, &probe, &st) != NULL || st != 404) abort();
        }
    } else {
        abort();
    }
    wf_arena_free(req.arena);
    free(path);
}

static void check_error_reply(const srv_response *res, int status)
{
    if (res->status != status || res->json == NULL) abort();
    json_t *e = json_object_get(res->json, "error");
    const char *message = json_string_value(json_object_get(e, "message"));
    if (!json_is_string(json_object_get(e, "code")) || message == NULL ||
        !json_is_null(json_object_get(e, "details")))
        abort();
    char *text = json_dumps(res->json, JSON_COMPACT);
    if (text == NULL) abort();
    free(text);
}

static void fuzz_body(const uint8_t *data, size_t size)
{
    char *body = malloc(size + 1); /* the daemon's buffer is NUL-terminated too */
    if (body == NULL) return;
    memcpy(body, data, size);
    body[size] = '\0';
    srv_request req = {.body = size ? body : NULL, .body_len = size};
    srv_response res = {0};
    json_t *doc = srv_body_json(&req, &res);
    if (doc != NULL) {
        if (!json_is_object(doc) || res.status != 0 || res.json != NULL) abort();
        json_decref(doc);
    } else {
        check_error_reply(&res, 400);
        const char *code =
            json_string_value(json_object_get(json_object_get(res.json, "error"), "code"));
        const char *message =
            json_string_value(json_object_get(json_object_get(res.json, "error"), "message"));
        if (strcmp(code, "bad_json") != 0) abort();
        if (strncmp(message, "line ", 5) != 0 && strncmp(message, "the request body", 16) != 0)
            abort();
    }
    srv__response_clear(&res);
    free(body);
}

static void fuzz_message(const uint8_t *data, size_t size)
{
    char *text = wf_strndup((const char *)data, size);
    if (text == NULL) return;
    srv_response res = {0};
    srv_reply_error(&res, 422, "invalid", "%s", text);
    check_error_reply(&res, 422);
    srv__response_clear(&res);
    free(text);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size == 0) return 0;
    if (data[0] < 128)
        fuzz_route(data, size);
    else if (data[0] < 192)
        fuzz_body(data + 1, size - 1);
    else
        fuzz_message(data + 1, size - 1);
    return 0;
}
