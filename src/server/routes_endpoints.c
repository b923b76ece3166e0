/*
 * routes_endpoints.c: managing real-time endpoints under /api, with the
 * workspace token (docs/api.md, "Endpoints"):
 *
 *     POST   /api/endpoints                         deploy (or redeploy: "replace")
 *     GET    /api/endpoints                         every endpoint
 *     GET    /api/endpoints/{name}                  one, with its document
 *     DELETE /api/endpoints/{name}
 *     POST   /api/endpoints/{name}/keys/{which}/regenerate   which: primary, secondary
 *     POST   /api/endpoints/{name}/score            score without a key (the Test tab)
 *
 * The work is the engine's (eng_endpoint_deploy) and the store's; what
 * this file adds is keeping the server's registry in step, under the
 * registry's management lock so that the thread following the store never
 * sees a change half made. Keys appear in two replies only: a new
 * endpoint's, and a regenerated one's.
 */
#include "endpoints_int.h"
#include "runs_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A store failure: its own status, but no detail of an unexpected one (it
 * may name the workspace's files). */
static int srv__reply_endpoint_error(srv_response *res, const wf_error *err)
{
    if (err->code == WF_ESTORE || err->code == WF_EIO)
        return srv_reply_error(res, 500, "internal", "the workspace could not be read or written");
    return srv_reply_wf_error(res, err);
}

/* {"score", "invocations", "openapi", "v2_infer", "v2_model", "v2_ready"}:
 * absolute when the request said its Host. */
static json_t *srv__urls(srv_request *req, const char *name)
{
    const char *host = srv_header(req, "Host");
    char base[300] = "";
    if (host != NULL && strlen(host) < 256 && strpbrk(host, " \"<>\\") == NULL)
        snprintf(base, sizeof base, "http://%s", host);
    static const char *const keys[] = {"score",    "invocations", "openapi",
                                       "v2_infer", "v2_model",    "v2_ready"};
    static const char *const forms[] = {"%s/endpoints/%s/score",
                                        "%s/endpoints/%s/invocations",
                                        "%s/endpoints/%s/openapi.json",
                                        "%s/v2/models/%s/infer",
                                        "%s/v2/models/%s",
                                        "%s/v2/models/%s/ready"};
    json_t *urls = json_object();
    for (size_t i = 0; urls != NULL && i < sizeof keys / sizeof keys[0]; i++) {
        char url[700];
        snprintf(url, sizeof url, forms[i], base, name);
        json_object_set_new(urls, keys[i], json_string(url));
    }
    return urls;
}

/* An endpoint as the API shows it: the store's row, with what the server
 * serves (state, schema, warnings, metrics) from its registry. */
static json_t *srv__endpoint_json(srv_request *req, const st_endpoint *row, bool detail)
{
    srv__deployment *d = srv__endpoint_get(req->server, row->name);
    bool current = d != NULL && d->version == row->version;
    const char *state = current                              ? d->state
                        : strcmp(row->state, "healthy") == 0 ? "deploying"
                                                             : row->state;
    const char *reason = current ? d->reason : row->reason;
    json_t *doc = json_loads(row->document_json, 0, NULL);
    const char *description = json_string_value(json_object_get(doc, "description"));
    json_t *warnings = json_array();
    eng_scoring_plan *plan = current ? d->plan : NULL;
    if (plan != NULL) {
        size_t n;
        const char *const *w = eng_scoring_warnings(plan, &n);
        for (size_t i = 0; warnings != NULL && i < n; i++)
            json_array_append_new(warnings, json_string(w[i]));
    }
    json_t *o = json_pack(
        "{s:s, s:i, s:s, s:s, s:s, s:s?, s:s, s:s, s:o, s:o, s:o, s:o, s:o, s:o}", "name",
        row->name, "version", row->version, "state", state, "reason", reason, "source", row->source,
        "description", description, "created_at", row->created_at, "updated_at", row->updated_at,
        "fast_path", plan ? json_boolean(eng_scoring_fast(plan)) : json_null(), "warnings",
        warnings, "urls", srv__urls(req, row->name), "input_schema",
        plan ? srv__schema_json(eng_scoring_input_schema(plan)) : json_null(), "output_schema",
        plan ? srv__schema_json(eng_scoring_output_schema(plan)) : json_null(), "metrics",
        srv__metrics_json(d ? d->metrics : NULL));
    if (o != NULL && detail) json_object_set(o, "document", doc ? doc : json_null());
    json_decref(doc);
    srv__deployment_release(d);
    return o;
}

/* POST /api/endpoints {name, draft_id | document, description?, replace?} */
static int post_endpoint(srv_request *req, srv_response *res)
{
    st_workspace *ws = srv__ws(req, res);
    if (ws == NULL) return 0;
    json_t *body = srv_body_json(req, res);
    if (body == NULL) return 0;
    const json_t *name = json_object_get(body, "name");
    const json_t *draft = json_object_get(body, "draft_id");
    const json_t *document = json_object_get(body, "document");
    const json_t *description = json_object_get(body, "description");
    const json_t *replace = json_object_get(body, "replace");
    char *text = NULL, source[64] = "document";
    st_draft d = {0};
    wf_error err = {0};
    if (!json_is_string(name)) {
        srv_reply_error(res, 422, "invalid", "\"name\" (a string) is needed");
    } else if ((draft != NULL) == (document != NULL)) {
        srv_reply_error(res, 422, "invalid", "give the pipeline as \"draft_id\" or \"document\"");
    } else if ((description != NULL && !json_is_string(description)) ||
               (replace != NULL && !json_is_boolean(replace))) {
        srv_reply_error(res, 422, "invalid",
                        "\"description\" must be a string and \"replace\" true or false");
    } else if (draft != NULL && (!json_is_integer(draft) || json_integer_value(draft) < 1)) {
        srv_reply_error(res, 422, "invalid", "\"draft_id\" must be a pipeline id");
    } else if (draft != NULL && st_draft_get(ws, json_integer_value(draft), &d, &err) < 0) {
        srv__reply_endpoint_error(res, &err);
    } else if (draft != NULL) {
        text = wf_strdup(d.document_json);
        snprintf(source, sizeof source, "draft %lld", (long long)d.id);
    } else if (json_is_string(document)) {
        text = wf_strdup(json_string_value(document));
    } else if (json_is_object(document)) {
        text = json_dumps(document, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
    } else {
        srv_reply_error(res, 422, "invalid", "\"document\" must be a pipeline document");
    }
    st_draft_clear(&d);
    if (res->status != 0 || text == NULL) {
        if (res->status == 0) srv_reply_error(res, 500, "internal", "out of memory");
        free(text);
        json_decref(body);
        return 0;
    }
    eng_deploy_request dr = {.name = json_string_value(name),
                             .document_json = text,
                             .description = json_string_value(description),
                             .source = source,
                             .replace = json_is_true(replace)};
    eng_deployed dep = {0};
    srv__endpoints_lock(req->server);
    int rc = eng_endpoint_deploy(ws, &dr, &dep, &err);
    if (rc == 0) {
        rc = srv__endpoint_install(req->server, &dep.endpoint, dep.plan);
        dep.plan = NULL; /* the registry's now */
        if (rc < 0) wf_error_set(&err, rc, "out of memory");
    }
    srv__endpoints_unlock(req->server);
    free(text);
    json_decref(body);
    if (rc < 0) {
        eng_deployed_clear(&dep);
        if (rc == WF_EINVAL && strstr(err.message, "does not compile") != NULL)
            return srv_reply_error(res, 422, "cannot_deploy", "%s", err.message);
        return srv__reply_endpoint_error(res, &err);
    }
    json_t *o = srv__endpoint_json(req, &dep.endpoint, false);
    if (o != NULL && dep.created)
        json_object_set_new(
            o, "keys", json_pack("{s:s, s:s}", "primary", dep.primary, "secondary", dep.secondary));
    int status = dep.created ? 201 : 200;
    eng_deployed_clear(&dep);
    return srv_reply_json(res, status, o);
}

static int get_endpoints(srv_request *req, srv_response *res)
{
    st_workspace *ws = srv__ws(req, res);
    if (ws == NULL) return 0;
    st_endpoint *rows = NULL;
    size_t n = 0;
    wf_error err = {0};
    if (st_endpoint_list(ws, &rows, &n, &err) < 0) return srv__reply_endpoint_error(res, &err);
    json_t *list = json_array();
    for (size_t i = 0; list != NULL && i < n; i++)
        if (json_array_append_new(list, srv__endpoint_json(req, &rows[i], false)) < 0) {
            json_decref(list);
            list = NULL;
        }
    st_endpoints_free(rows, n);
    return srv_reply_json(res, 200, list ? json_pack("{s:o}", "endpoints", list) : NULL);
}

static int get_endpoint(srv_request *req, srv_response *res)
{
    st_workspace *ws = srv__ws(req, res);
    if (ws == NULL) return 0;
    st_endpoint row = {0};
    wf_error err = {0};
    if (st_endpoint_get(ws, srv_path_param(req, 0), &row, &err) < 0)
        return srv__reply_endpoint_error(res, &err);
    json_t *o = srv__endpoint_json(req, &row, true);
    st_endpoint_clear(&row);
    return srv_reply_json(res, 200, o);
}

static int delete_endpoint(srv_request *req, srv_response *res)
{
    st_workspace *ws = srv__ws(req, res);
    if (ws == NULL) return 0;
    const char *name = srv_path_param(req, 0);
    wf_error err = {0};
    srv__endpoints_lock(req->server);
    int rc = st_endpoint_delete(ws, name, &err);
    if (rc == 0) srv__endpoint_remove(req->server, name);
    srv__endpoints_unlock(req->server);
    if (rc < 0) return srv__reply_endpoint_error(res, &err);
    return srv_reply_json(res, 200, json_pack("{s:s, s:b}", "name", name, "deleted", 1));
}

static int post_regenerate_key(srv_request *req, srv_response *res)
{
    st_workspace *ws = srv__ws(req, res);
    if (ws == NULL) return 0;
    const char *name = srv_path_param(req, 0), *which = srv_path_param(req, 1);
    int slot = strcmp(which, "primary") == 0 ? 0 : strcmp(which, "secondary") == 0 ? 1 : -1;
    if (slot < 0)
        return srv_reply_error(res, 404, "not_found",
                               "an endpoint has a \"primary\" and a \"secondary\" key, not \"%s\"",
                               which);
    char key[ST_KEY_TEXT];
    st_endpoint row = {0};
    wf_error err = {0};
    srv__endpoints_lock(req->server);
    int rc = st_endpoint_regenerate_key(ws, name, slot, key, &err);
    if (rc == 0) rc = st_endpoint_get(ws, name, &row, &err);
    if (rc == 0)
        srv__endpoint_set_keys(req->server, name, row.primary_sha256, row.secondary_sha256);
    srv__endpoints_unlock(req->server);
    st_endpoint_clear(&row);
    if (rc < 0) return srv__reply_endpoint_error(res, &err);
    srv_reply_json(res, 200,
                   json_pack("{s:s, s:s, s:s}", "name", name, "which", which, "key", key));
    memset(key, 0, sizeof key);
    return 0;
}

/* Scores as POST /endpoints/{name}/score does, without the endpoint's key:
 * the workspace token is enough (the designer's Test tab). */
static int post_test_score(srv_request *req, srv_response *res)
{
    return srv__score_request(req, res, SRV__NATIVE, false, false);
}

const srv_route srv_endpoint_routes[] = {
    {"POST", "/api/endpoints", post_endpoint, 0},
    {"GET", "/api/endpoints", get_endpoints, 0},
    {"GET", "/api/endpoints/{name}", get_endpoint, 0},
    {"DELETE", "/api/endpoints/{name}", delete_endpoint, 0},
    {"POST", "/api/endpoints/{name}/keys/{which}/regenerate", post_regenerate_key, 0},
    {"POST", "/api/endpoints/{name}/score", post_test_score, 0},
    {NULL, NULL, NULL, 0},
};
