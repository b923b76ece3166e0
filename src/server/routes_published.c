/*
 * routes_published.c: inference pipelines and published pipelines over
 * HTTP (docs/api.md "Inference pipelines" and "Published pipelines").
 *
 * - POST /api/runs/{id}/inference-pipeline turns a completed training run
 *   into a new draft (engine/inference.c does the work).
 * - A published pipeline is a name with immutable numbered versions, one of
 *   them the default (store/published.c). Clients submit runs of it with
 *   parameter values; a submitted run is an ordinary run (srv__start_run),
 *   which also remembers the published pipeline and version it came from.
 */
#include "runs_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Answers a store failure: its own status, except that an unexpected store
 * error is not shown in detail (it may name the workspace's files). */
static int srv__reply_published_store(srv_response *res, const wf_error *err)
{
    if (err->code == WF_ESTORE || err->code == WF_EIO || err->code == WF_ECORRUPT)
        return srv_reply_error(res, 500, "internal", "the workspace could not be read or written");
    return srv_reply_wf_error(res, err);
}

/* An optional string field of body; false with a 422 reply when it is there
 * and not a string. */
static bool srv__opt_string(const json_t *body, const char *key, srv_response *res,
                            const char **out)
{
    const json_t *v = json_object_get(body, key);
    *out = NULL;
    if (v == NULL || json_is_null(v)) return true;
    if (!json_is_string(v)) {
        srv_reply_error(res, 422, "invalid", "\"%s\" must be a string", key);
        return false;
    }
    *out = json_string_value(v);
    return true;
}

/* An optional positive integer field of body (0 when absent); false with a
 * 422 reply when it is there and not one. */
static bool srv__opt_id(const json_t *body, const char *key, srv_response *res, int64_t *out)
{
    const json_t *v = json_object_get(body, key);
    *out = 0;
    if (v == NULL || json_is_null(v)) return true;
    if (!json_is_integer(v) || json_integer_value(v) < 1) {
        srv_reply_error(res, 422, "invalid", "\"%s\" must be a positive integer", key);
        return false;
    }
    *out = json_integer_value(v);
    return true;
}

/* ---- inference pipelines ---------------------------------------------------- */

/* POST /api/runs/{id}/inference-pipeline {"kind": "realtime"|"batch",
 * "score_node"?, "input_node"?, "name"?} -> 201 {"draft": {id, name,
 * revision}, "warnings": [...]} */
static int create_inference_pipeline(srv_request *req, srv_response *res)
{
    int64_t run_id;
    if (!srv__path_id(req, 0, &run_id))
        return srv_reply_error(res, 404, "not_found", "there is no run \"%.100s\"",
                               srv_path_param(req, 0));
    st_workspace *ws = srv__ws(req, res);
    if (ws == NULL) return 0;
    json_t *body = NULL;
    if (req->body != NULL && req->body_len > 0 && (body = srv_body_json(req, res)) == NULL)
        return 0;
    eng_inference_options opt = {.kind = ENG_INFERENCE_REALTIME};
    const char *kind = NULL, *name = NULL;
    if (!srv__opt_string(body, "kind", res, &kind) ||
        !srv__opt_string(body, "score_node", res, &opt.score_node) ||
        !srv__opt_string(body, "input_node", res, &opt.input_node) ||
        !srv__opt_string(body, "name", res, &name)) {
        json_decref(body);
        return 0;
    }
    if (kind != NULL && strcmp(kind, "batch") == 0) {
        opt.kind = ENG_INFERENCE_BATCH;
    } else if (kind != NULL && strcmp(kind, "realtime") != 0) {
        srv_reply_error(res, 422, "invalid", "\"kind\" is \"realtime\" or \"batch\", not \"%.40s\"",
                        kind);
        json_decref(body);
        return 0;
    }
    wf_error err = {0};
    json_t *doc = NULL, *warnings = NULL;
    int rc = eng_inference_pipeline(ws, run_id, &opt, &doc, &warnings, &err);
    if (rc == 0 && name != NULL && json_object_set_new(doc, "name", json_string(name)) < 0)
        rc = wf_error_set(&err, WF_ENOMEM, "out of memory");
    const char *title = rc == 0 ? json_string_value(json_object_get(doc, "name")) : NULL;
    char *text = rc == 0 ? json_dumps(doc, JSON_COMPACT | JSON_PRESERVE_ORDER) : NULL;
    st_draft d = {0};
    if (rc == 0 && text == NULL) rc = wf_error_set(&err, WF_ENOMEM, "out of memory");
    if (rc == 0) rc = st_draft_name_check(title, &err);
    if (rc == 0) rc = st_draft_create(ws, title, text, &d, &err);
    free(text);
    json_decref(doc);
    json_decref(body);
    if (rc < 0) {
        json_decref(warnings);
        if (err.code == WF_ECORRUPT)
            return srv_reply_error(res, 422, "not_convertible", "%s", err.message);
        if (err.code == WF_EINVAL)
            return srv_reply_error(res, 422, "not_convertible", "%s", err.message);
        return srv__reply_published_store(res, &err);
    }
    json_t *o = json_pack("{s:{s:I, s:s, s:I}, s:o, s:s}", "draft", "id", (json_int_t)d.id, "name",
                          d.name, "revision", (json_int_t)d.revision, "warnings", warnings, "kind",
                          opt.kind == ENG_INFERENCE_BATCH ? "batch" : "realtime");
    char url[64];
    snprintf(url, sizeof url, "/api/pipelines/%lld", (long long)d.id);
    st_draft_clear(&d);
    if (o == NULL) return srv_reply_error(res, 500, "internal", "out of memory");
    res->extra_header_name = wf_strdup("Location");
    res->extra_header_value = wf_strdup(url);
    return srv_reply_json(res, 201, o);
}

/* ---- published pipelines: JSON ----------------------------------------------- */

static json_t *srv__published_json(const st_published *p)
{
    return json_pack("{s:I, s:s, s:s, s:i, s:i, s:s, s:s, s:b}", "id", (json_int_t)p->id, "name",
                     p->name, "description", p->description, "default_version", p->default_version,
                     "latest_version", p->versions, "created_at", p->created_at, "updated_at",
                     p->updated_at, "disabled", p->disabled);
}

static json_t *srv__version_json(const st_published_version *v, int default_version)
{
    return json_pack("{s:i, s:s, s:s, s:b}", "version", v->version, "source", v->source,
                     "created_at", v->created_at, "default", v->version == default_version);
}

/* The "parameters" of a document: {"name": {"type", "default"?}}. */
static json_t *srv__document_parameters(const char *document_json)
{
    json_t *doc = json_loads(document_json, 0, NULL);
    json_t *params = json_object_get(doc, "parameters");
    json_t *out = json_is_object(params) ? json_deep_copy(params) : json_object();
    json_decref(doc);
    return out;
}

/* Reads published pipeline {id} (capture 0); fills a 404 and returns -1
 * when there is none. */
static int srv__published_from_path(srv_request *req, srv_response *res, st_workspace *ws,
                                    st_published *p)
{
    int64_t id;
    memset(p, 0, sizeof *p);
    if (!srv__path_id(req, 0, &id)) {
        srv_reply_error(res, 404, "not_found", "there is no published pipeline \"%.100s\"",
                        srv_path_param(req, 0));
        return -1;
    }
    wf_error err = {0};
    if (st_published_get(ws, id, p, &err) < 0) {
        srv__reply_published_store(res, &err);
        return -1;
    }
    return 0;
}

/* The pipeline with its versions and the default version's parameters. */
static json_t *srv__published_detail(st_workspace *ws, const st_published *p, wf_error *err)
{
    st_published_version *versions = NULL, def = {0};
    size_t n = 0;
    if (st_published_versions(ws, p->id, &versions, &n, err) < 0) return NULL;
    if (st_published_version_get(ws, p->id, 0, &def, err) < 0) {
        st_published_versions_free(versions, n);
        return NULL;
    }
    json_t *o = srv__published_json(p), *list = json_array();
    for (size_t i = 0; list != NULL && i < n; i++)
        if (json_array_append_new(list, srv__version_json(&versions[i], p->default_version)) < 0) {
            json_decref(list);
            list = NULL;
        }
    if (o == NULL || list == NULL || json_object_set_new(o, "versions", list) < 0 ||
        json_object_set_new(o, "parameters", srv__document_parameters(def.document_json)) < 0) {
        if (o == NULL) json_decref(list);
        json_decref(o);
        o = NULL;
        wf_error_set(err, WF_ENOMEM, "out of memory");
    }
    st_published_versions_free(versions, n);
    st_published_version_clear(&def);
    return o;
}

/* ---- published pipelines: handlers -------------------------------------------- */

/* The document of draft `id`, as text. */
static int srv__draft_document(st_workspace *ws, int64_t id, char **text, char **source,
                               wf_error *err)
{
    st_draft d;
    int rc = st_draft_get(ws, id, &d, err);
    if (rc < 0) return rc;
    char buf[64];
    snprintf(buf, sizeof buf, "draft:%lld@%lld", (long long)id, (long long)d.revision);
    *text = wf_strdup(d.document_json);
    *source = wf_strdup(buf);
    st_draft_clear(&d);
    return *text && *source ? 0 : wf_error_set(err, WF_ENOMEM, "out of memory");
}

/* The pipeline run `id` ran, as text: its document with each pipeline
 * parameter's default set to the value the run was given, so that the
 * published pipeline does what the run did unless told otherwise. */
static int srv__run_document(st_workspace *ws, int64_t id, char **text, char **source,
                             wf_error *err)
{
    st_run r;
    int rc = st_run_get(ws, id, &r, err);
    if (rc < 0) return rc;
    json_t *snap = json_loads(r.snapshot_json, 0, NULL);
    json_t *doc = json_object_get(snap, "pipeline");
    json_t *given = json_object_get(snap, "parameters");
    if (!json_is_object(doc)) {
        rc = wf_error_set(err, WF_EINVAL, "run %lld has no pipeline to publish", (long long)id);
    } else {
        const char *name;
        json_t *spec;
        json_object_foreach(json_object_get(doc, "parameters"), name, spec)
        {
            json_t *v = json_object_get(given, name);
            if (v != NULL && !json_is_null(v) && json_is_object(spec))
                json_object_set(spec, "default", v);
        }
        char buf[64];
        snprintf(buf, sizeof buf, "run:%lld", (long long)id);
        *text = json_dumps(doc, JSON_COMPACT | JSON_PRESERVE_ORDER);
        *source = wf_strdup(buf);
        if (*text == NULL || *source == NULL) rc = wf_error_set(err, WF_ENOMEM, "out of memory");
    }
    json_decref(snap);
    st_run_clear(&r);
    return rc;
}

/* POST /api/published {"name", "description"?, "draft_id" | "run_id"} ->
 * 201 {"id", "name", "version"} */
static int publish(srv_request *req, srv_response *res)
{
    st_workspace *ws = srv__ws(req, res);
    if (ws == NULL) return 0;
    json_t *body = srv_body_json(req, res);
    if (body == NULL) return 0;
    const char *name = NULL, *description = NULL;
    int64_t draft_id = 0, run_id = 0;
    wf_error err = {0};
    char *text = NULL, *source = NULL;
    if (!srv__opt_string(body, "name", res, &name) ||
        !srv__opt_string(body, "description", res, &description) ||
        !srv__opt_id(body, "draft_id", res, &draft_id) ||
        !srv__opt_id(body, "run_id", res, &run_id)) {
        /* replied */
    } else if (name == NULL) {
        srv_reply_error(res, 422, "invalid", "give the published pipeline a \"name\"");
    } else if (st_published_name_check(name, &err) < 0) {
        srv_reply_error(res, 422, "invalid", "%s", err.message);
    } else if ((draft_id == 0) == (run_id == 0)) {
        srv_reply_error(res, 422, "invalid",
                        "give either \"draft_id\" (a saved pipeline) or \"run_id\" (a run's "
                        "pipeline)");
    } else if ((draft_id ? srv__draft_document(ws, draft_id, &text, &source, &err)
                         : srv__run_document(ws, run_id, &text, &source, &err)) < 0) {
        srv__reply_published_store(res, &err);
    } else {
        /* Only a pipeline is published: its shape is checked now, its
         * parameter values when a run is submitted. */
        json_t *doc = json_loads(text, 0, NULL);
        eng_pipeline *p = NULL;
        st_published pub = {0};
        int version = 0;
        if (srv__pipeline_from_json(doc, &p, &err) < 0)
            srv_reply_error(res, err.code == WF_ENOMEM ? 500 : 422, "invalid_pipeline", "%s",
                            err.message);
        else if (st_published_publish(ws, name, description, text, source, &pub, &version, &err) <
                 0)
            srv__reply_published_store(res, &err);
        else
            srv_reply_json(res, 201,
                           json_pack("{s:I, s:s, s:i, s:i}", "id", (json_int_t)pub.id, "name",
                                     pub.name, "version", version, "default_version",
                                     pub.default_version));
        st_published_clear(&pub);
        eng_pipeline_free(p);
        json_decref(doc);
    }
    free(text);
    free(source);
    json_decref(body);
    return 0;
}

/* GET /api/published */
static int list_published(srv_request *req, srv_response *res)
{
    st_workspace *ws = srv__ws(req, res);
    if (ws == NULL) return 0;
    st_published *list = NULL;
    size_t n = 0;
    wf_error err = {0};
    if (st_published_list(ws, &list, &n, &err) < 0) return srv__reply_published_store(res, &err);
    json_t *items = json_array();
    for (size_t i = 0; items != NULL && i < n; i++)
        if (json_array_append_new(items, srv__published_json(&list[i])) < 0) {
            json_decref(items);
            items = NULL;
        }
    st_published_free(list, n);
    if (items == NULL) return srv_reply_error(res, 500, "internal", "out of memory");
    return srv_reply_json(res, 200, json_pack("{s:o}", "published", items));
}

/* GET /api/published/{id} */
static int get_published(srv_request *req, srv_response *res)
{
    st_workspace *ws = srv__ws(req, res);
    st_published p;
    if (ws == NULL || srv__published_from_path(req, res, ws, &p) < 0) return 0;
    wf_error err = {0};
    json_t *o = srv__published_detail(ws, &p, &err);
    st_published_clear(&p);
    if (o == NULL) return srv__reply_published_store(res, &err);
    return srv_reply_json(res, 200, o);
}

/* PATCH /api/published/{id} {"default_version": N} -> the pipeline, as GET */
/* PATCH {"default_version"?, "disabled"?}: either or both. */
static int patch_published(srv_request *req, srv_response *res)
{
    st_workspace *ws = srv__ws(req, res);
    st_published p;
    if (ws == NULL || srv__published_from_path(req, res, ws, &p) < 0) return 0;
    json_t *body = srv_body_json(req, res);
    int64_t version = 0;
    const json_t *disabled = json_object_get(body, "disabled");
    wf_error err = {0};
    if (body == NULL || !srv__opt_id(body, "default_version", res, &version)) {
        /* replied */
    } else if (json_object_get(body, "default_version") == NULL && disabled == NULL) {
        srv_reply_error(res, 422, "invalid",
                        "give the \"default_version\" to make the default, or \"disabled\"");
    } else if (disabled != NULL && !json_is_boolean(disabled)) {
        srv_reply_error(res, 422, "invalid", "\"disabled\" must be true or false");
    } else if (version > p.versions) {
        srv_reply_error(res, 422, "unknown_version",
                        "published pipeline \"%s\" has no version %lld (it has 1 to %d)", p.name,
                        (long long)version, p.versions);
    } else if ((version > 0 && st_published_set_default(ws, p.id, (int)version, &err) < 0) ||
               (disabled != NULL &&
                st_published_set_disabled(ws, p.id, json_is_true(disabled), &err) < 0)) {
        srv__reply_published_store(res, &err);
    } else {
        int64_t id = p.id;
        st_published_clear(&p);
        json_t *o = NULL;
        if (st_published_get(ws, id, &p, &err) == 0) o = srv__published_detail(ws, &p, &err);
        if (o == NULL)
            srv__reply_published_store(res, &err);
        else
            srv_reply_json(res, 200, o);
    }
    st_published_clear(&p);
    json_decref(body);
    return 0;
}

/* Version capture 1 of pipeline p as a number; fills a 404 and returns -1
 * when it is not one of p's. */
static int srv__version_from_path(srv_request *req, srv_response *res, const st_published *p)
{
    int64_t v;
    if (!srv__path_id(req, 1, &v) || v > p->versions) {
        srv_reply_error(res, 404, "not_found",
                        "published pipeline \"%s\" has no version \"%.40s\" (it has 1 to %d)",
                        p->name, srv_path_param(req, 1), p->versions);
        return -1;
    }
    return (int)v;
}

/* GET /api/published/{id}/versions/{v}: the version with its document. */
static int get_published_version(srv_request *req, srv_response *res)
{
    st_workspace *ws = srv__ws(req, res);
    st_published p;
    if (ws == NULL || srv__published_from_path(req, res, ws, &p) < 0) return 0;
    int v = srv__version_from_path(req, res, &p);
    st_published_version pv = {0};
    wf_error err = {0};
    if (v < 0) {
        /* replied */
    } else if (st_published_version_get(ws, p.id, v, &pv, &err) < 0) {
        srv__reply_published_store(res, &err);
    } else {
        json_t *o = srv__version_json(&pv, p.default_version);
        json_t *doc = json_loads(pv.document_json, 0, NULL);
        if (o == NULL || doc == NULL || json_object_set_new(o, "document", doc) < 0 ||
            json_object_set_new(o, "parameters", srv__document_parameters(pv.document_json)) < 0 ||
            json_object_set_new(o, "pipeline_id", json_integer((json_int_t)p.id)) < 0) {
            if (o == NULL) json_decref(doc);
            json_decref(o);
            srv_reply_error(res, 500, "internal", "the version could not be read");
        } else {
            srv_reply_json(res, 200, o);
        }
    }
    st_published_version_clear(&pv);
    st_published_clear(&p);
    return 0;
}

/* POST /api/published/{id}/runs {"experiment"?, "parameters"?, "version"?,
 * "no_cache"?} -> 201 {"run_id", "published_id", "version", "status"} */
static int submit_published(srv_request *req, srv_response *res)
{
    st_workspace *ws = srv__ws(req, res);
    st_published p;
    if (ws == NULL || srv__published_from_path(req, res, ws, &p) < 0) return 0;
    json_t *body = NULL;
    if (req->body != NULL && req->body_len > 0 && (body = srv_body_json(req, res)) == NULL) {
        st_published_clear(&p);
        return 0;
    }
    const char *experiment = NULL;
    int64_t version = 0;
    const json_t *bindings = json_object_get(body, "parameters");
    const json_t *nc = json_object_get(body, "no_cache");
    st_published_version pv = {0};
    wf_error err = {0};
    if (!srv__opt_string(body, "experiment", res, &experiment) ||
        !srv__opt_id(body, "version", res, &version)) {
        /* replied */
    } else if (bindings != NULL && !json_is_null(bindings) && !json_is_object(bindings)) {
        srv_reply_error(res, 422, "invalid", "\"parameters\" must be an object of values");
    } else if (nc != NULL && !json_is_boolean(nc)) {
        srv_reply_error(res, 422, "invalid", "\"no_cache\" must be true or false");
    } else if (p.disabled) {
        srv_reply_error(res, 409, "disabled",
                        "published pipeline \"%s\" is disabled: enable it to submit runs", p.name);
    } else if (version > p.versions) {
        srv_reply_error(res, 422, "unknown_version",
                        "published pipeline \"%s\" has no version %lld (it has 1 to %d)", p.name,
                        (long long)version, p.versions);
    } else if (st_published_version_get(ws, p.id, (int)version, &pv, &err) < 0) {
        srv__reply_published_store(res, &err);
    } else {
        json_t *doc = json_loads(pv.document_json, 0, NULL);
        if (doc == NULL) {
            srv_reply_error(res, 500, "internal", "the published document cannot be read");
        } else {
            /* The runs of a published pipeline gather in an experiment of
             * its name unless the client names one. */
            srv__start_run(req, res, ws, doc, json_is_object(bindings) ? bindings : NULL,
                           experiment ? experiment : p.name, nc != NULL && json_is_true(nc), NULL);
            json_t *id = res->status == 202 ? json_object_get(res->json, "run_id") : NULL;
            if (json_is_integer(id)) {
                /* The run has started; which pipeline it came from is
                 * recorded before the client hears of it. */
                if (st_published_mark_run(ws, json_integer_value(id), p.id, pv.version, &err) < 0)
                    fprintf(stderr, "weft: run %lld: %s\n", (long long)json_integer_value(id),
                            err.message);
                res->status = 201;
                json_object_set_new(res->json, "published_id", json_integer((json_int_t)p.id));
                json_object_set_new(res->json, "version", json_integer(pv.version));
            }
        }
        json_decref(doc);
    }
    st_published_version_clear(&pv);
    st_published_clear(&p);
    json_decref(body);
    return 0;
}

/* GET /api/published/{id}/runs: the runs submitted through it, newest first. */
static int list_published_runs(srv_request *req, srv_response *res)
{
    st_workspace *ws = srv__ws(req, res);
    st_published p;
    if (ws == NULL || srv__published_from_path(req, res, ws, &p) < 0) return 0;
    st_published_run *ids = NULL;
    size_t nids = 0, nruns = 0;
    st_run *runs = NULL;
    wf_error err = {0};
    if (st_runs_mark_interrupted(ws, NULL, &err) < 0 ||
        st_published_runs(ws, p.id, &ids, &nids, &err) < 0 ||
        (nids > 0 && st_run_list(ws, NULL, 0, &runs, &nruns, &err) < 0)) {
        st_published_clear(&p);
        free(ids);
        return srv__reply_published_store(res, &err);
    }
    json_t *list = json_array();
    for (size_t i = 0; list != NULL && i < nids; i++) {
        size_t r = 0;
        while (r < nruns && runs[r].id != ids[i].run_id)
            r++;
        if (r == nruns) continue;
        const st_run *run = &runs[r];
        json_t *params = json_loads(run->parameters_json, 0, NULL);
        json_t *o = json_pack(
            "{s:I, s:i, s:s, s:s, s:s, s:s, s:s, s:s, s:o}", "id", (json_int_t)run->id, "version",
            ids[i].version, "experiment", run->experiment, "status", run->status, "error",
            run->error, "created_at", run->created_at, "started_at", run->started_at, "finished_at",
            run->finished_at, "parameters", params ? params : json_object());
        if (json_array_append_new(list, o) < 0) {
            json_decref(list);
            list = NULL;
        }
    }
    json_t *o = list ? json_pack("{s:I, s:s, s:o}", "published_id", (json_int_t)p.id, "name",
                                 p.name, "runs", list)
                     : NULL;
    st_runs_free(runs, nruns);
    free(ids);
    st_published_clear(&p);
    if (o == NULL) return srv_reply_error(res, 500, "internal", "out of memory");
    return srv_reply_json(res, 200, o);
}

const srv_route srv_published_routes[] = {
    {"POST", "/api/runs/{id}/inference-pipeline", create_inference_pipeline, 0},
    {"POST", "/api/published", publish, 0},
    {"GET", "/api/published", list_published, 0},
    {"GET", "/api/published/{id}", get_published, 0},
    {"PATCH", "/api/published/{id}", patch_published, 0},
    {"GET", "/api/published/{id}/versions/{version}", get_published_version, 0},
    {"POST", "/api/published/{id}/runs", submit_published, 0},
    {"GET", "/api/published/{id}/runs", list_published_runs, 0},
    {NULL, NULL, NULL, 0},
};
