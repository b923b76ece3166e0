/*
 * routes_scoring.c: the scoring routes, outside /api (DESIGN.md section 6).
 * They need an endpoint's key ("Authorization: Bearer <key>"), not the
 * workspace token, and they are all a standalone server (`weft endpoint
 * serve`) answers:
 *
 *     POST /endpoints/{name}/score            native and Azure designer
 *     POST /endpoints/{name}/invocations      MLflow
 *     GET  /endpoints/{name}/openapi.json     the endpoint's own OpenAPI
 *     POST /v2/models/{name}[/versions/{v}]/infer   Open Inference Protocol v2
 *     GET  /v2/models/{name}[/versions/{v}]   model metadata
 *     GET  /v2/models/{name}[/versions/{v}]/ready
 *     GET  /v2/health/ready, /v2/health/live, /v2   (no key)
 *
 * A request scores on the endpoint's current plan, which it holds by
 * reference until its reply is written (endpoints_int.h). The key was
 * already checked before the body was read (http.c); it is checked again
 * here, against the plan the request will use.
 */
#include "endpoints_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static uint64_t srv__now_ns(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (uint64_t)t.tv_sec * 1000000000u + (uint64_t)t.tv_nsec;
}

/* The status of a failure to score: the rows' fault (400) unless memory or
 * the machinery failed. */
static int srv__score_status(int code)
{
    return code == WF_ENOMEM || code == WF_EIO || code == WF_ECORRUPT ? 500 : 400;
}

int srv__scoring_refuse(srv_response *res, srv__protocol proto, int status, const char *name)
{
    if (status == 401)
        return srv__scoring_error(res, proto, 401, "unauthorized",
                                  "endpoint \"%s\" needs one of its keys: send \"Authorization: "
                                  "Bearer <key>\"",
                                  name);
    return srv__scoring_error(res, proto, 404, "not_found", "there is no endpoint named \"%s\"",
                              name);
}

/* The deployment a request names, checked: its key (unless with_key is
 * false: the management API's test route), and the version in the path
 * when there is one. NULL after filling an error reply. */
static srv__deployment *srv__named(srv_request *req, srv_response *res, srv__protocol proto,
                                   bool with_key, bool versioned)
{
    const char *name = srv_path_param(req, 0);
    srv__deployment *d = NULL;
    int status = 404;
    if (with_key) {
        status = srv__endpoint_open(req->server, name, srv_header(req, "Authorization"), &d);
    } else if ((d = srv__endpoint_get(req->server, name)) != NULL) {
        status = 0;
    }
    if (status != 0) {
        srv__scoring_refuse(res, proto, status, name);
        return NULL;
    }
    if (versioned) {
        char want[16];
        snprintf(want, sizeof want, "%d", d->version);
        if (strcmp(srv_path_param(req, 1), want) != 0) {
            srv__scoring_error(res, proto, 404, "not_found",
                               "endpoint \"%s\" serves version %d, not \"%s\"", name, d->version,
                               srv_path_param(req, 1));
            srv__deployment_release(d);
            return NULL;
        }
    }
    return d;
}

/* "http://<Host>" for the URLs an endpoint describes itself with, or NULL. */
static char *srv__base_url(srv_request *req)
{
    const char *host = srv_header(req, "Host");
    if (host == NULL || host[0] == '\0' || strlen(host) > 255 || strpbrk(host, " \"<>\\") != NULL)
        return NULL;
    return wf_arena_printf(req->arena, "http://%s", host);
}

int srv__score_request(srv_request *req, srv_response *res, srv__protocol proto, bool with_key,
                       bool versioned)
{
    uint64_t start = srv__now_ns();
    srv__deployment *d = srv__named(req, res, proto, with_key, versioned);
    if (d == NULL) return 0;
    srv__scoring_request sr = {0};
    tbl_table *rows = NULL;
    eng_scoring_result *result = NULL;
    wf_error err = {0};
    wf_buf out = {0};
    int status = 200;
    if (d->plan == NULL) {
        status = 503;
        if (strcmp(d->state, "deploying") == 0)
            srv__scoring_error(res, proto, 503, "unavailable",
                               "endpoint \"%s\" is deploying; try again in a moment", d->name);
        else
            srv__scoring_error(res, proto, 503, "unavailable", "endpoint \"%s\" failed: %s",
                               d->name, d->reason);
    } else if (srv__scoring_decode(proto, req->body, req->body_len, d->plan, &sr, &err) < 0 ||
               eng_scoring_rows_table(d->plan, &sr.rows, &rows, &err) < 0) {
        status = err.code == WF_ENOMEM ? 500 : 400;
        srv__scoring_error(res, proto, status, "bad_request", "%s", err.message);
    } else if (eng_scoring_run(d->plan, rows, &result, &err) < 0) {
        status = srv__score_status(err.code);
        srv__scoring_error(res, proto, status, status == 400 ? "cannot_score" : "internal", "%s",
                           err.message);
    } else if (srv__scoring_encode(proto, eng_scoring_output(result), d, &sr, &out, &err) < 0) {
        status = err.code == WF_ENOMEM ? 500 : 400;
        srv__scoring_error(res, proto, status, "bad_request", "%s", err.message);
    } else {
        srv_reply_bytes(res, 200, "application/json", out.data, out.len);
        out.data = NULL;
    }
    eng_scoring_result_free(result);
    tbl_free(rows);
    srv__scoring_request_clear(&sr);
    wf_buf_free(&out);
    srv__metrics_record(d->metrics, srv__now_ns() - start, status != 200);
    srv__deployment_release(d);
    return 0;
}

static int post_score(srv_request *req, srv_response *res)
{
    return srv__score_request(req, res, SRV__NATIVE, true, false);
}

static int post_invocations(srv_request *req, srv_response *res)
{
    return srv__score_request(req, res, SRV__MLFLOW, true, false);
}

static int post_v2_infer(srv_request *req, srv_response *res)
{
    return srv__score_request(req, res, SRV__V2, true, false);
}

static int post_v2_infer_version(srv_request *req, srv_response *res)
{
    return srv__score_request(req, res, SRV__V2, true, true);
}

static int get_endpoint_openapi(srv_request *req, srv_response *res)
{
    srv__deployment *d = srv__named(req, res, SRV__NATIVE, true, false);
    if (d == NULL) return 0;
    srv_reply_json(res, 200, srv__endpoint_openapi(d, srv__base_url(req)));
    srv__deployment_release(d);
    return 0;
}

/* ---- Open Inference Protocol v2: metadata and health ---------------------- */

/* [{"name", "datatype", "shape": [-1]}] for each column of t. */
static json_t *srv__v2_tensors(const tbl_table *t)
{
    json_t *list = json_array();
    for (size_t j = 0; list != NULL && t != NULL && j < t->ncols; j++) {
        tbl_type type = t->cols[j].type;
        const char *dt = type == TBL_NUMERIC   ? "FP64"
                         : type == TBL_INTEGER ? "INT64"
                         : type == TBL_BOOLEAN ? "BOOL"
                                               : "BYTES";
        json_array_append_new(list, json_pack("{s:s, s:s, s:[i]}", "name", t->cols[j].name,
                                              "datatype", dt, "shape", -1));
    }
    return list;
}

static int srv__v2_model(srv_request *req, srv_response *res, bool versioned)
{
    srv__deployment *d = srv__named(req, res, SRV__V2, true, versioned);
    if (d == NULL) return 0;
    char version[16];
    snprintf(version, sizeof version, "%d", d->version);
    srv_reply_json(res, 200,
                   json_pack("{s:s, s:[s], s:s, s:o, s:o}", "name", d->name, "versions", version,
                             "platform", "weft", "inputs",
                             srv__v2_tensors(d->plan ? eng_scoring_input_schema(d->plan) : NULL),
                             "outputs",
                             srv__v2_tensors(d->plan ? eng_scoring_output_schema(d->plan) : NULL)));
    srv__deployment_release(d);
    return 0;
}

static int get_v2_model(srv_request *req, srv_response *res)
{
    return srv__v2_model(req, res, false);
}

static int get_v2_model_version(srv_request *req, srv_response *res)
{
    return srv__v2_model(req, res, true);
}

static int srv__v2_model_ready(srv_request *req, srv_response *res, bool versioned)
{
    srv__deployment *d = srv__named(req, res, SRV__V2, true, versioned);
    if (d == NULL) return 0;
    bool ready = d->plan != NULL;
    srv_reply_json(res, ready ? 200 : 503,
                   json_pack("{s:s, s:b}", "name", d->name, "ready", ready));
    srv__deployment_release(d);
    return 0;
}

static int get_v2_model_ready(srv_request *req, srv_response *res)
{
    return srv__v2_model_ready(req, res, false);
}

static int get_v2_model_version_ready(srv_request *req, srv_response *res)
{
    return srv__v2_model_ready(req, res, true);
}

static int get_v2_health_ready(srv_request *req, srv_response *res)
{
    bool ready = srv__endpoints_ready(req->server);
    return srv_reply_json(res, ready ? 200 : 503, json_pack("{s:b}", "ready", ready));
}

static int get_v2_health_live(srv_request *req, srv_response *res)
{
    (void)req;
    return srv_reply_json(res, 200, json_pack("{s:b}", "live", 1));
}

static int get_v2_server(srv_request *req, srv_response *res)
{
    (void)req;
    return srv_reply_json(
        res, 200,
        json_pack("{s:s, s:s, s:[]}", "name", "weft", "version", WEFT_VERSION, "extensions"));
}

const srv_route srv_scoring_routes[] = {
    {"POST", "/endpoints/{name}/score", post_score, SRV_ROUTE_SCORING},
    {"POST", "/endpoints/{name}/invocations", post_invocations, SRV_ROUTE_SCORING},
    {"GET", "/endpoints/{name}/openapi.json", get_endpoint_openapi, SRV_ROUTE_SCORING},
    {"POST", "/v2/models/{name}/infer", post_v2_infer, SRV_ROUTE_SCORING},
    {"POST", "/v2/models/{name}/versions/{version}/infer", post_v2_infer_version,
     SRV_ROUTE_SCORING},
    {"GET", "/v2/models/{name}", get_v2_model, SRV_ROUTE_SCORING},
    {"GET", "/v2/models/{name}/versions/{version}", get_v2_model_version, SRV_ROUTE_SCORING},
    {"GET", "/v2/models/{name}/ready", get_v2_model_ready, SRV_ROUTE_SCORING},
    {"GET", "/v2/models/{name}/versions/{version}/ready", get_v2_model_version_ready,
     SRV_ROUTE_SCORING},
    {"GET", "/v2/health/ready", get_v2_health_ready, SRV_ROUTE_SCORING | SRV_ROUTE_PUBLIC},
    {"GET", "/v2/health/live", get_v2_health_live, SRV_ROUTE_SCORING | SRV_ROUTE_PUBLIC},
    {"GET", "/v2", get_v2_server, SRV_ROUTE_SCORING | SRV_ROUTE_PUBLIC},
    {NULL, NULL, NULL, 0},
};
