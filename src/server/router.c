/*
 * router.c: from a method and a path to a handler. The route tables of every
 * routes_*.c file are gathered here; a pattern is a path whose segments are
 * literals or "{name}" captures of exactly one segment.
 *
 * The path arrives as sent, percent-encoded: each segment is decoded on its
 * own, so "a%2Fb" is one segment "a/b" (which no capture accepts) rather
 * than two. When several patterns match, the one with the fewest captures
 * wins ("/api/runs/compare" before "/api/runs/{id}"), then table order.
 */
#include "http_int.h"

#include <string.h>

const srv_route *const srv__route_tables[] = {
    srv_health_routes,
    srv_module_routes,
    srv_dataset_routes,
    srv_pipeline_routes,
    srv_run_routes,
    srv_model_routes,
    /* -- inference pipelines and published pipelines (#10) -- */
    srv_published_routes,
    /* -- endpoints and scoring protocols (#10) -- */
    srv_endpoint_routes,
    srv_scoring_routes,
    /* -- compute targets (#12) -- */
    srv_compute_routes,
    /* -- samples (#11) -- */
    NULL,
};

/* Paths with more segments than this match nothing. */
#define SRV__MAX_SEGMENTS 32

static int srv__hex(char c)
{
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

long srv__percent_decode(const char *s, size_t n, char *out)
{
    size_t o = 0;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (c == '%') {
            if (n - i < 3) return -1; /* two hex digits must follow */
            int hi = srv__hex(s[i + 1]), lo = srv__hex(s[i + 2]);
            if (hi < 0 || lo < 0) return -1;
            c = (char)(hi * 16 + lo);
            i += 2;
        }
        if (c == '\0') return -1;
        out[o++] = c;
    }
    out[o] = '\0';
    return (long)o;
}

/* A decoded segment a capture may take: not empty, no '/', no control
 * characters, valid UTF-8. */
static bool srv__capture_ok(const char *seg, size_t len)
{
    if (len == 0) return false;
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)seg[i];
        if (c == '/' || c < 0x20 || c == 0x7f) return false;
    }
    return wf_utf8_valid(seg, len, NULL);
}

typedef struct srv__segments {
    const char *text[SRV__MAX_SEGMENTS]; /* decoded, in the arena */
    size_t len[SRV__MAX_SEGMENTS];
    bool capturable[SRV__MAX_SEGMENTS];
    size_t count;
} srv__segments;

/* Splits and decodes path. Returns false when it cannot match any route. */
static bool srv__split(wf_arena *arena, const char *path, srv__segments *out)
{
    out->count = 0;
    if (path == NULL || path[0] != '/') return false;
    const char *p = path + 1;
    for (;;) {
        const char *end = strchr(p, '/');
        size_t n = end ? (size_t)(end - p) : strlen(p);
        if (out->count == SRV__MAX_SEGMENTS) return false;
        char *seg = wf_arena_alloc(arena, n + 1);
        if (seg == NULL) return false;
        long len = srv__percent_decode(p, n, seg);
        if (len < 0) return false;
        out->text[out->count] = seg;
        out->len[out->count] = (size_t)len;
        out->capturable[out->count] = srv__capture_ok(seg, (size_t)len);
        out->count++;
        if (end == NULL) break;
        p = end + 1;
    }
    return true;
}

/* Whether pattern matches the segments; *captures gets how many it took. */
static bool srv__pattern_matches(const char *pattern, const srv__segments *segs, size_t *captures)
{
    *captures = 0;
    if (pattern == NULL || pattern[0] != '/') return false;
    const char *p = pattern + 1;
    size_t i = 0;
    for (;;) {
        const char *end = strchr(p, '/');
        size_t n = end ? (size_t)(end - p) : strlen(p);
        if (i == segs->count) return false;
        if (n >= 2 && p[0] == '{' && p[n - 1] == '}') {
            if (!segs->capturable[i]) return false;
            (*captures)++;
        } else if (segs->len[i] != n || memcmp(segs->text[i], p, n) != 0) {
            return false;
        }
        i++;
        if (end == NULL) break;
        p = end + 1;
    }
    return i == segs->count;
}

/* Fills req->params from the capture positions of pattern. */
static void srv__fill_params(const char *pattern, const srv__segments *segs, srv_request *req)
{
    req->nparams = 0;
    const char *p = pattern + 1;
    for (size_t i = 0; i < segs->count; i++) {
        const char *end = strchr(p, '/');
        size_t n = end ? (size_t)(end - p) : strlen(p);
        if (n >= 2 && p[0] == '{' && p[n - 1] == '}' && req->nparams < SRV_MAX_PATH_PARAMS)
            req->params[req->nparams++] = segs->text[i];
        if (end == NULL) break;
        p = end + 1;
    }
}

const srv_route *srv_route_match(const char *method, const char *path, srv_request *req,
                                 int *status)
{
    *status = 404;
    req->nparams = 0;
    if (method == NULL || path == NULL) return NULL;
    if (req->arena == NULL && (req->arena = wf_arena_new()) == NULL) {
        *status = 500;
        return NULL;
    }
    srv__segments segs;
    if (!srv__split(req->arena, path, &segs)) return NULL;

    const srv_route *best = NULL;
    size_t best_captures = 0;
    bool path_known = false;
    for (size_t t = 0; srv__route_tables[t] != NULL; t++) {
        for (const srv_route *r = srv__route_tables[t]; r->method != NULL; r++) {
            size_t captures;
            if (!srv__pattern_matches(r->pattern, &segs, &captures)) continue;
            path_known = true;
            if (strcmp(r->method, method) != 0) continue;
            if (best == NULL || captures < best_captures) {
                best = r;
                best_captures = captures;
            }
        }
    }
    if (best == NULL) {
        if (path_known) *status = 405;
        return NULL;
    }
    srv__fill_params(best->pattern, &segs, req);
    *status = 200;
    return best;
}
