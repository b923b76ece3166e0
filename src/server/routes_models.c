/*
 * routes_models.c: the model registry over HTTP (docs/api.md "Models"):
 * register a step's output as the next version of a named model, list
 * models and versions, read one, its lineage, and download it.
 *
 * Registering looks the output up here, where modules are known (the port's
 * kind comes from the module's descriptor), and the store records it with
 * the lineage it reads from the run's snapshot. Any kind of output may be
 * registered: a trained model in the usual case, but a fitted
 * transformation or a table is sometimes what a person wants to keep.
 */
#include "runs_int.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SRV__MODEL_DESCRIPTION_MAX 4096

static json_t *srv__model_json(const st_model *m)
{
    json_t *lineage = json_loads(m->lineage_json, 0, NULL);
    json_t *o =
        json_pack("{s:s, s:i, s:s, s:I, s:s, s:s, s:s, s:s, s:s, s:o}", "name", m->name, "version",
                  m->version, "description", m->description, "run_id", (json_int_t)m->run_id,
                  "node", m->node_id, "port", m->port, "digest", m->digest, "kind", m->kind,
                  "created_at", m->created_at, "datasets", lineage ? lineage : json_array());
    if (o != NULL && m->versions > 0 &&
        json_object_set_new(o, "versions", json_integer(m->versions)) < 0) {
        json_decref(o);
        o = NULL;
    }
    return o;
}

static json_t *srv__models_json(const st_model *m, size_t n)
{
    json_t *list = json_array();
    for (size_t i = 0; list != NULL && i < n; i++)
        if (json_array_append_new(list, srv__model_json(&m[i])) < 0) {
            json_decref(list);
            list = NULL;
        }
    return list;
}

/* {name} (capture 0) and ?version= (0: the latest). Fills a reply and
 * returns -1 when either cannot name a model. */
static int srv__model_ref(srv_request *req, srv_response *res, const char **name, int *version)
{
    *name = srv_path_param(req, 0);
    int64_t v = srv_query_int(req, res, "version", 0, INT_MAX);
    if (v < 0) return -1;
    *version = (int)v;
    if (st_model_name_check(*name, NULL) < 0) {
        srv_reply_error(res, 404, "not_found", "there is no model named \"%.100s\"", *name);
        return -1;
    }
    return 0;
}

/* Reads the model {name}?version=; fills the reply and returns -1 on
 * failure. */
static int srv__model_from_path(srv_request *req, srv_response *res, st_workspace *ws, st_model *m)
{
    const char *name;
    int version;
    memset(m, 0, sizeof *m);
    if (srv__model_ref(req, res, &name, &version) < 0) return -1;
    wf_error err = {0};
    if (st_model_get(ws, name, version, m, &err) < 0) {
        srv_reply_wf_error(res, &err);
        return -1;
    }
    return 0;
}

/* Checks the body of a registration; fills a 422 reply and returns false
 * when a field is missing or of the wrong type. */
static bool srv__register_fields(const json_t *body, srv_response *res)
{
    static const char *const strings[] = {"name", "node", "port"};
    for (size_t i = 0; i < sizeof strings / sizeof strings[0]; i++)
        if (!json_is_string(json_object_get(body, strings[i]))) {
            srv_reply_error(res, 422, "invalid", "\"%s\" must be a string", strings[i]);
            return false;
        }
    const json_t *run = json_object_get(body, "run_id");
    if (!json_is_integer(run) || json_integer_value(run) < 1) {
        srv_reply_error(res, 422, "invalid", "\"run_id\" must be a run id (an integer)");
        return false;
    }
    const json_t *d = json_object_get(body, "description");
    if (d != NULL && !json_is_null(d) &&
        (!json_is_string(d) || json_string_length(d) > SRV__MODEL_DESCRIPTION_MAX)) {
        srv_reply_error(res, 422, "invalid", "\"description\" must be a string of at most %d bytes",
                        SRV__MODEL_DESCRIPTION_MAX);
        return false;
    }
    return true;
}

/* Looks up the output spec names and fills its digest (into digest) and
 * kind. Fills a reply and returns -1 when there is no such output. */
static int srv__find_output(srv_response *res, st_workspace *ws, st_model_spec *spec,
                            char digest[WF_SHA256_HEX])
{
    wf_error err = {0};
    st_run r;
    if (st_run_get(ws, spec->run_id, &r, &err) < 0) {
        srv_reply_wf_error(res, &err);
        return -1;
    }
    st_run_clear(&r);
    st_step s;
    if (st_step_get(ws, spec->run_id, spec->node_id, &s, &err) < 0) {
        if (err.code == WF_ENOTFOUND)
            srv_reply_error(res, 404, "not_found", "run %lld has no step \"%.100s\"",
                            (long long)spec->run_id, spec->node_id);
        else
            srv_reply_wf_error(res, &err);
        return -1;
    }
    const mod_descriptor *m = mod_find(s.module);
    int k = m ? mod_output_index(m, spec->port) : -1;
    json_t *outputs = json_loads(s.outputs_json, 0, NULL);
    const char *d = json_string_value(json_object_get(outputs, spec->port));
    int rc = -1;
    if (k < 0)
        srv_reply_error(res, 404, "not_found", "step %.100s (%.100s) has no output port \"%.100s\"",
                        spec->node_id, s.module, spec->port);
    else if (d == NULL || strlen(d) != WF_SHA256_HEX - 1)
        srv_reply_error(res, 409, "no_output",
                        "step %.100s is %s and has no output \"%.100s\" to register", spec->node_id,
                        s.status, spec->port);
    else
        rc = 0;
    if (rc == 0) {
        memcpy(digest, d, WF_SHA256_HEX);
        spec->digest = digest;
        spec->kind = mod_port_kind_name(m->outputs[k].kind);
    }
    json_decref(outputs);
    st_step_clear(&s);
    return rc;
}

/* POST /api/models {name, description, run_id, node, port} */
static int register_model(srv_request *req, srv_response *res)
{
    st_workspace *ws = srv__ws(req, res);
    if (ws == NULL) return 0;
    json_t *body = srv_body_json(req, res);
    if (body == NULL) return 0;
    if (!srv__register_fields(body, res)) {
        json_decref(body);
        return 0;
    }
    st_model_spec spec = {
        .name = json_string_value(json_object_get(body, "name")),
        .description = json_string_value(json_object_get(body, "description")),
        .run_id = (int64_t)json_integer_value(json_object_get(body, "run_id")),
        .node_id = json_string_value(json_object_get(body, "node")),
        .port = json_string_value(json_object_get(body, "port")),
    };
    wf_error err = {0};
    char digest[WF_SHA256_HEX];
    st_model m = {0};
    if (st_model_name_check(spec.name, &err) < 0) {
        srv_reply_wf_error(res, &err);
    } else if (srv__find_output(res, ws, &spec, digest) == 0) {
        if (st_model_register(ws, &spec, &m, &err) < 0)
            srv_reply_wf_error(res, &err);
        else
            srv_reply_json(res, 201, srv__model_json(&m));
    }
    st_model_clear(&m);
    json_decref(body);
    return 0;
}

/* GET /api/models: the latest version of each. */
static int list_models(srv_request *req, srv_response *res)
{
    st_workspace *ws = srv__ws(req, res);
    if (ws == NULL) return 0;
    st_model *m = NULL;
    size_t n = 0;
    wf_error err = {0};
    if (st_model_list(ws, &m, &n, &err) < 0) return srv_reply_wf_error(res, &err);
    json_t *list = srv__models_json(m, n);
    st_models_free(m, n);
    return srv_reply_json(res, 200, list ? json_pack("{s:o}", "models", list) : NULL);
}

/* GET /api/models/{name}?version= */
static int get_model(srv_request *req, srv_response *res)
{
    st_workspace *ws = srv__ws(req, res);
    st_model m;
    if (ws == NULL || srv__model_from_path(req, res, ws, &m) < 0) return 0;
    srv_reply_json(res, 200, srv__model_json(&m));
    st_model_clear(&m);
    return 0;
}

/* GET /api/models/{name}/versions: oldest first. */
static int list_model_versions(srv_request *req, srv_response *res)
{
    st_workspace *ws = srv__ws(req, res);
    if (ws == NULL) return 0;
    const char *name = srv_path_param(req, 0);
    if (st_model_name_check(name, NULL) < 0)
        return srv_reply_error(res, 404, "not_found", "there is no model named \"%.100s\"", name);
    st_model *m = NULL;
    size_t n = 0;
    wf_error err = {0};
    if (st_model_versions(ws, name, &m, &n, &err) < 0) return srv_reply_wf_error(res, &err);
    json_t *list = srv__models_json(m, n);
    st_models_free(m, n);
    return srv_reply_json(res, 200, list ? json_pack("{s:o}", "versions", list) : NULL);
}

/* GET /api/models/{name}/lineage?version=: the model, the run and step
 * that made it, and the dataset versions that run read. */
static int model_lineage(srv_request *req, srv_response *res)
{
    st_workspace *ws = srv__ws(req, res);
    st_model m;
    if (ws == NULL || srv__model_from_path(req, res, ws, &m) < 0) return 0;
    wf_error err = {0};
    st_run r = {0};
    st_step s = {0};
    json_t *run = NULL, *step = NULL;
    if (st_run_get(ws, m.run_id, &r, &err) == 0)
        run = json_pack("{s:I, s:s, s:s, s:s, s:s, s:s}", "id", (json_int_t)r.id, "experiment",
                        r.experiment, "pipeline", r.pipeline_name, "status", r.status, "created_at",
                        r.created_at, "finished_at", r.finished_at);
    if (st_step_get(ws, m.run_id, m.node_id, &s, &err) == 0)
        step =
            json_pack("{s:s, s:s, s:s, s:s, s:s}", "node", s.node_id, "module", s.module, "status",
                      s.status, "cache_key", s.cache_key, "finished_at", s.finished_at);
    json_t *datasets = json_loads(m.lineage_json, 0, NULL);
    json_t *body = json_pack("{s:o, s:o, s:o, s:o}", "model", srv__model_json(&m), "run",
                             run ? run : json_null(), "step", step ? step : json_null(), "datasets",
                             datasets ? datasets : json_array());
    st_run_clear(&r);
    st_step_clear(&s);
    st_model_clear(&m);
    return srv_reply_json(res, 200, body);
}

/* GET /api/models/{name}/download?version=: the artifact: JSON for models,
 * transformations and reports, CSV for a table. */
static int download_model(srv_request *req, srv_response *res)
{
    st_workspace *ws = srv__ws(req, res);
    st_model m;
    if (ws == NULL || srv__model_from_path(req, res, ws, &m) < 0) return 0;
    wf_error err = {0};
    bool table = strcmp(m.kind, "table") == 0;
    char *bytes = NULL;
    size_t size = 0;
    if (table) {
        tbl_table *t = NULL;
        wf_buf out = {0};
        if (st_artifact_load_table(ws, m.digest, &t, &err) == 0 &&
            tbl_write_csv(t, ',', &out, &err) == 0 && !out.failed) {
            bytes = out.data ? out.data : wf_strdup("");
            size = out.len;
        } else {
            wf_buf_free(&out);
        }
        tbl_free(t);
    } else {
        char *path = st_artifact_path(ws, m.digest);
        if (path != NULL && wf_read_file(path, &bytes, &size, &err) < 0) bytes = NULL;
        free(path);
    }
    if (bytes == NULL) {
        srv_reply_error(res, 500, "internal", "model %s version %d: its artifact cannot be read",
                        m.name, m.version);
    } else {
        srv_reply_bytes(res, 200, table ? "text/csv" : "application/json", bytes, size);
        char name[160];
        snprintf(name, sizeof name, "%s-v%d.%s", m.name, m.version, table ? "csv" : "json");
        res->download_name = wf_strdup(name);
    }
    st_model_clear(&m);
    return 0;
}

const srv_route srv_model_routes[] = {
    {"POST", "/api/models", register_model, 0},
    {"GET", "/api/models", list_models, 0},
    {"GET", "/api/models/{name}", get_model, 0},
    {"GET", "/api/models/{name}/versions", list_model_versions, 0},
    {"GET", "/api/models/{name}/lineage", model_lineage, 0},
    {"GET", "/api/models/{name}/download", download_model, 0},
    {NULL, NULL, NULL, 0},
};
