/*
 * routes_pipelines.c: pipeline drafts over HTTP (docs/api.md "Pipelines"):
 * create, list, read, save, delete, validate, the schema at an output port
 * (for the designer's column pickers), clone, import and export. It also
 * holds the helpers the run and model routes share (runs_int.h).
 *
 * A draft is saved whole, with the revision it was edited from; the store
 * refuses a save made from a stale revision, which is answered 409 so that
 * the designer reloads rather than losing the other edit. A document is
 * checked for its shape when saved (eng_pipeline_parse): an incomplete
 * pipeline may be saved, since drafts are saved as people edit, but not a
 * document that is not a pipeline at all. Validation is asked for
 * separately and answers per node and per field.
 */
#include "runs_int.h"

#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SRV__PAGE_DEFAULT 50
#define SRV__PAGE_MAX 1000
#define SRV__UNTITLED "Untitled pipeline"

/* ---- shared helpers ------------------------------------------------------- */

st_workspace *srv__ws(srv_request *req, srv_response *res)
{
    st_workspace *ws = srv_workspace(req);
    if (ws == NULL) srv_reply_error(res, 500, "internal", "the workspace could not be opened");
    return ws;
}

bool srv__path_id(const srv_request *req, size_t i, int64_t *id)
{
    const char *s = srv_path_param(req, i);
    *id = 0;
    if (s == NULL || s[0] < '1' || s[0] > '9') return false;
    int64_t v = 0;
    for (const char *p = s; *p != '\0'; p++) {
        if (*p < '0' || *p > '9' || v > (INT64_MAX - 9) / 10) return false;
        v = v * 10 + (*p - '0');
    }
    *id = v;
    return true;
}

bool srv__paging(srv_request *req, srv_response *res, size_t *offset, size_t *limit)
{
    int64_t o = srv_query_int(req, res, "offset", 0, INT64_MAX);
    if (o < 0) return false;
    int64_t l = srv_query_int(req, res, "limit", SRV__PAGE_DEFAULT, INT64_MAX);
    if (l < 0) return false;
    *offset = (size_t)o;
    *limit = l > SRV__PAGE_MAX ? SRV__PAGE_MAX : (size_t)l;
    return true;
}

int srv__pipeline_from_json(const json_t *doc, eng_pipeline **out, wf_error *err)
{
    *out = NULL;
    if (!json_is_object(doc))
        return wf_error_set(err, WF_EINVAL, "a pipeline document must be a JSON object");
    char *text = json_dumps(doc, JSON_COMPACT | JSON_PRESERVE_ORDER);
    if (text == NULL) return wf_error_set(err, WF_ENOMEM, "out of memory");
    int rc = eng_pipeline_parse(text, strlen(text), out, err);
    free(text);
    /* A wrong "format" is WF_EFORMAT to the engine (415 for an upload); in a
     * JSON body it is simply an invalid document. */
    if (rc < 0 && rc != WF_ENOMEM && err != NULL) err->code = WF_EINVAL;
    return rc < 0 && rc != WF_ENOMEM ? WF_EINVAL : rc;
}

int srv__load_dataset(void *user, const char *ref, tbl_table **out, wf_error *err)
{
    return st_dataset_load(user, ref, out, NULL, err);
}

json_t *srv__issues_json(const eng_issues *issues)
{
    json_t *list = json_array();
    for (size_t i = 0; list != NULL && i < issues->count; i++) {
        const eng_issue *is = &issues->items[i];
        if (json_array_append_new(list, json_pack("{s:s, s:s, s:s}", "node", is->node, "field",
                                                  is->field, "message", is->message)) < 0) {
            json_decref(list);
            list = NULL;
        }
    }
    return list;
}

json_t *srv__text_json(const char *s, size_t n)
{
    if (wf_utf8_valid(s, n, NULL)) return json_stringn(s, n);
    wf_buf b = {0};
    size_t bad = 0;
    while (n > 0) {
        if (wf_utf8_valid(s, n, &bad)) bad = n;
        wf_buf_append(&b, s, bad);
        if (bad < n) {
            wf_buf_puts(&b, "\xef\xbf\xbd"); /* U+FFFD for the one bad byte */
            bad++;
        }
        s += bad;
        n -= bad;
    }
    json_t *j = b.failed ? NULL : json_stringn(b.data ? b.data : "", b.len);
    wf_buf_free(&b);
    return j;
}

json_t *srv__columns_json(const tbl_table *t)
{
    json_t *cols = json_array();
    for (size_t j = 0; cols != NULL && j < t->ncols; j++) {
        const tbl_column *c = &t->cols[j];
        json_t *col =
            json_pack("{s:o*, s:s, s:s}", "name", srv__text_json(c->name, strlen(c->name)), "type",
                      tbl_type_name(c->type), "role", tbl_role_name(c->role));
        if (col == NULL || json_array_append_new(cols, col) < 0) {
            json_decref(cols);
            cols = NULL;
        }
    }
    return cols;
}

static json_t *srv__cell_json(const tbl_column *c, size_t row)
{
    if (tbl_is_missing(c, row)) return json_null();
    size_t n = 0;
    const char *s;
    char buf[64];
    switch (c->type) {
    case TBL_NUMERIC:
        /* JSON has no NaN or infinity. */
        return isfinite(c->v.f64[row]) ? json_real(c->v.f64[row]) : json_null();
    case TBL_INTEGER:
        return json_integer((json_int_t)c->v.i64[row]);
    case TBL_BOOLEAN:
        return json_boolean(c->v.b8[row]);
    case TBL_STRING:
        s = tbl_strings_at(&c->str, row, &n);
        return srv__text_json(s, n);
    case TBL_CATEGORICAL: {
        int32_t code = c->v.codes[row];
        if (code < 0 || (size_t)code >= c->levels.count) return json_null();
        s = tbl_strings_at(&c->levels, (size_t)code, &n);
        return srv__text_json(s, n);
    }
    case TBL_DATETIME:
        n = tbl_format_datetime(c->v.i64[row], buf, sizeof buf);
        return json_stringn(buf, n < sizeof buf ? n : sizeof buf - 1);
    }
    return json_null();
}

json_t *srv__table_preview_json(const tbl_table *t, size_t offset, size_t limit)
{
    json_t *schema = srv__columns_json(t), *rows = json_array();
    bool ok = schema != NULL && rows != NULL;
    size_t first = offset < t->nrows ? offset : t->nrows;
    size_t last = t->nrows - first < limit ? t->nrows : first + limit;
    for (size_t r = first; ok && r < last; r++) {
        json_t *row = json_array();
        ok = row != NULL && json_array_append_new(rows, row) == 0;
        for (size_t j = 0; ok && j < t->ncols; j++)
            ok = json_array_append_new(row, srv__cell_json(&t->cols[j], r)) == 0;
    }
    if (!ok) {
        json_decref(schema);
        json_decref(rows);
        return NULL;
    }
    return json_pack("{s:o, s:I, s:I, s:I, s:o}", "schema", schema, "total_rows",
                     (json_int_t)t->nrows, "offset", (json_int_t)offset, "limit", (json_int_t)limit,
                     "rows", rows);
}

/* ---- drafts as JSON --------------------------------------------------------- */

/* {id, name, revision, created_at, updated_at[, document]}. */
static json_t *srv__draft_json(const st_draft *d, bool with_document)
{
    json_t *o = json_pack("{s:I, s:s, s:I, s:s, s:s}", "id", (json_int_t)d->id, "name", d->name,
                          "revision", (json_int_t)d->revision, "created_at", d->created_at,
                          "updated_at", d->updated_at);
    if (o != NULL && with_document) {
        json_t *doc = json_loads(d->document_json, 0, NULL);
        if (doc == NULL || json_object_set_new(o, "document", doc) < 0) {
            json_decref(o);
            o = NULL;
        }
    }
    return o;
}

static int srv__reply_draft(srv_response *res, int status, const st_draft *d)
{
    json_t *o = srv__draft_json(d, true);
    if (o == NULL) return srv_reply_error(res, 500, "internal", "out of memory");
    return srv_reply_json(res, status, o);
}

/* Answers a store failure: its own status, except that an unexpected store
 * error is not shown in detail (it may name the workspace's files). */
static int srv__reply_store(srv_response *res, const wf_error *err)
{
    if (err->code == WF_ESTORE || err->code == WF_EIO)
        return srv_reply_error(res, 500, "internal", "the workspace could not be read or written");
    return srv_reply_wf_error(res, err);
}

/* The document in a body that is either a document or {"document": ...}.
 * Borrowed from body. Fills a 422 reply and returns NULL when there is
 * none. */
static const json_t *srv__body_document(const json_t *body, srv_response *res)
{
    const json_t *doc = json_object_get(body, "document");
    if (doc == NULL) return body;
    if (!json_is_object(doc)) {
        srv_reply_error(res, 422, "invalid",
                        "\"document\" must be a pipeline document (an object)");
        return NULL;
    }
    return doc;
}

/* Parses doc and gets the name to save it under. Fills a 422 reply and
 * returns -1 when the document is not a pipeline. */
static int srv__check_document(const json_t *doc, srv_response *res, char **text, char **name)
{
    wf_error err = {0};
    eng_pipeline *p = NULL;
    *text = NULL;
    *name = NULL;
    if (srv__pipeline_from_json(doc, &p, &err) < 0) {
        if (err.code == WF_ENOMEM)
            srv_reply_error(res, 500, "internal", "out of memory");
        else
            srv_reply_error(res, 422, "invalid_pipeline", "%s", err.message);
        return -1;
    }
    *name = wf_strdup(p->name[0] != '\0' ? p->name : SRV__UNTITLED);
    eng_pipeline_free(p);
    *text = json_dumps(doc, JSON_COMPACT | JSON_PRESERVE_ORDER);
    if (*name == NULL || *text == NULL) {
        free(*name);
        free(*text);
        srv_reply_error(res, 500, "internal", "out of memory");
        return -1;
    }
    if (st_draft_name_check(*name, &err) < 0) {
        free(*name);
        free(*text);
        srv_reply_error(res, 422, "invalid_pipeline", "%s", err.message);
        return -1;
    }
    return 0;
}

static int srv__create_from(srv_response *res, st_workspace *ws, const json_t *doc)
{
    char *text, *name;
    if (srv__check_document(doc, res, &text, &name) < 0) return 0;
    st_draft d;
    wf_error err = {0};
    int rc = st_draft_create(ws, name, text, &d, &err);
    free(text);
    free(name);
    if (rc < 0) return srv__reply_store(res, &err);
    srv__reply_draft(res, 201, &d);
    st_draft_clear(&d);
    return 0;
}

/* Reads draft {id} (capture 0); fills a 404 reply and returns -1 when there
 * is none. */
static int srv__draft_from_path(srv_request *req, srv_response *res, st_workspace *ws, st_draft *d)
{
    int64_t id;
    memset(d, 0, sizeof *d);
    if (!srv__path_id(req, 0, &id)) {
        srv_reply_error(res, 404, "not_found", "there is no pipeline \"%.100s\"",
                        srv_path_param(req, 0));
        return -1;
    }
    wf_error err = {0};
    if (st_draft_get(ws, id, d, &err) < 0) {
        srv__reply_store(res, &err);
        return -1;
    }
    return 0;
}

/* ---- handlers --------------------------------------------------------------- */

/* POST /api/pipelines: a document, or {"document": ...}. */
static int create_pipeline(srv_request *req, srv_response *res)
{
    st_workspace *ws = srv__ws(req, res);
    if (ws == NULL) return 0;
    json_t *body = srv_body_json(req, res);
    if (body == NULL) return 0;
    const json_t *doc = srv__body_document(body, res);
    if (doc != NULL) srv__create_from(res, ws, doc);
    json_decref(body);
    return 0;
}

/* POST /api/pipelines/import: a document, as a file holds it. */
static int import_pipeline(srv_request *req, srv_response *res)
{
    st_workspace *ws = srv__ws(req, res);
    if (ws == NULL) return 0;
    json_t *body = srv_body_json(req, res);
    if (body == NULL) return 0;
    srv__create_from(res, ws, body);
    json_decref(body);
    return 0;
}

/* GET /api/pipelines?offset=&limit= */
static int list_pipelines(srv_request *req, srv_response *res)
{
    size_t offset, limit;
    if (!srv__paging(req, res, &offset, &limit)) return 0;
    st_workspace *ws = srv__ws(req, res);
    if (ws == NULL) return 0;
    st_draft *d = NULL;
    size_t n = 0;
    int64_t total = 0;
    wf_error err = {0};
    if (st_draft_list(ws, offset, limit, &d, &n, &total, &err) < 0)
        return srv__reply_store(res, &err);
    json_t *list = json_array();
    for (size_t i = 0; list != NULL && i < n; i++)
        if (json_array_append_new(list, srv__draft_json(&d[i], false)) < 0) {
            json_decref(list);
            list = NULL;
        }
    st_drafts_free(d, n);
    json_t *body =
        list ? json_pack("{s:o, s:I, s:I, s:I}", "pipelines", list, "total", (json_int_t)total,
                         "offset", (json_int_t)offset, "limit", (json_int_t)limit)
             : NULL;
    if (body == NULL) return srv_reply_error(res, 500, "internal", "out of memory");
    return srv_reply_json(res, 200, body);
}

/* GET /api/pipelines/{id} */
static int get_pipeline(srv_request *req, srv_response *res)
{
    st_workspace *ws = srv__ws(req, res);
    st_draft d;
    if (ws == NULL || srv__draft_from_path(req, res, ws, &d) < 0) return 0;
    srv__reply_draft(res, 200, &d);
    st_draft_clear(&d);
    return 0;
}

/* PUT /api/pipelines/{id}: {"revision": R, "document": {...}} */
static int save_pipeline(srv_request *req, srv_response *res)
{
    st_workspace *ws = srv__ws(req, res);
    if (ws == NULL) return 0;
    int64_t id;
    if (!srv__path_id(req, 0, &id))
        return srv_reply_error(res, 404, "not_found", "there is no pipeline \"%.100s\"",
                               srv_path_param(req, 0));
    json_t *body = srv_body_json(req, res);
    if (body == NULL) return 0;
    const json_t *rev = json_object_get(body, "revision");
    const json_t *doc = json_object_get(body, "document");
    char *text = NULL, *name = NULL;
    if (!json_is_integer(rev) || json_integer_value(rev) < 1) {
        srv_reply_error(res, 422, "invalid",
                        "\"revision\" must be the revision the edit started from (an integer "
                        "from 1), so that a newer save is never overwritten");
    } else if (!json_is_object(doc)) {
        srv_reply_error(res, 422, "invalid", "\"document\" must be a pipeline document");
    } else if (srv__check_document(doc, res, &text, &name) == 0) {
        st_draft d;
        wf_error err = {0};
        if (st_draft_update(ws, id, json_integer_value(rev), name, text, &d, &err) == 0) {
            srv__reply_draft(res, 200, &d);
            st_draft_clear(&d);
        } else if (err.code == WF_EEXIST) {
            st_draft now;
            wf_error gerr = {0};
            json_t *details = NULL;
            if (st_draft_get(ws, id, &now, &gerr) == 0) {
                details = json_pack("{s:I}", "revision", (json_int_t)now.revision);
                st_draft_clear(&now);
            }
            srv_reply_error_details(res, 409, "conflict", details, "%s", err.message);
        } else {
            srv__reply_store(res, &err);
        }
    }
    free(text);
    free(name);
    json_decref(body);
    return 0;
}

/* DELETE /api/pipelines/{id} */
static int delete_pipeline(srv_request *req, srv_response *res)
{
    st_workspace *ws = srv__ws(req, res);
    if (ws == NULL) return 0;
    int64_t id;
    wf_error err = {0};
    if (!srv__path_id(req, 0, &id))
        return srv_reply_error(res, 404, "not_found", "there is no pipeline \"%.100s\"",
                               srv_path_param(req, 0));
    if (st_draft_delete(ws, id, &err) < 0) return srv__reply_store(res, &err);
    return srv_reply_json(res, 200, json_pack("{s:I, s:b}", "id", (json_int_t)id, "deleted", 1));
}

/* The draft {id}, parsed. Fills the reply and returns NULL on failure. */
static eng_pipeline *srv__draft_pipeline(srv_request *req, srv_response *res, st_workspace *ws)
{
    st_draft d;
    if (srv__draft_from_path(req, res, ws, &d) < 0) return NULL;
    eng_pipeline *p = NULL;
    wf_error err = {0};
    if (eng_pipeline_parse(d.document_json, strlen(d.document_json), &p, &err) < 0)
        srv_reply_error(res, 422, "invalid_pipeline", "%s", err.message);
    st_draft_clear(&d);
    return p;
}

/* POST /api/pipelines/{id}/validate, optionally {"parameters": {...}} */
static int validate_pipeline(srv_request *req, srv_response *res)
{
    st_workspace *ws = srv__ws(req, res);
    if (ws == NULL) return 0;
    json_t *body = NULL;
    if (req->body != NULL && req->body_len > 0 && (body = srv_body_json(req, res)) == NULL)
        return 0;
    const json_t *bindings = json_object_get(body, "parameters");
    eng_pipeline *p = NULL;
    if (bindings != NULL && !json_is_object(bindings))
        srv_reply_error(res, 422, "invalid", "\"parameters\" must be an object of values");
    else
        p = srv__draft_pipeline(req, res, ws);
    if (p != NULL) {
        eng_env env = {.load_dataset = srv__load_dataset, .user = ws};
        eng_issues issues = {0};
        wf_error err = {0};
        if (eng_pipeline_validate(p, bindings, &env, &issues, &err) < 0) {
            srv_reply_wf_error(res, &err);
        } else {
            json_t *list = srv__issues_json(&issues);
            srv_reply_json(
                res, 200,
                list ? json_pack("{s:b, s:o}", "valid", issues.count == 0, "issues", list) : NULL);
        }
        eng_issues_clear(&issues);
        eng_pipeline_free(p);
    }
    json_decref(body);
    return 0;
}

/* GET /api/pipelines/{id}/schema?node=N&port=P: the schema propagated to an
 * output port, for column pickers. */
static int pipeline_schema(srv_request *req, srv_response *res)
{
    const char *node = srv_query(req, "node"), *port = srv_query(req, "port");
    if (node == NULL || port == NULL)
        return srv_reply_error(res, 400, "bad_request", "give ?node=NODE&port=OUTPUT_PORT");
    st_workspace *ws = srv__ws(req, res);
    if (ws == NULL) return 0;
    eng_pipeline *p = srv__draft_pipeline(req, res, ws);
    if (p == NULL) return 0;
    int i = eng_find_node(p, node);
    int k = i >= 0 && p->nodes[i].module != NULL ? mod_output_index(p->nodes[i].module, port) : -1;
    if (i < 0) {
        srv_reply_error(res, 404, "not_found", "the pipeline has no node \"%.100s\"", node);
    } else if (p->nodes[i].module == NULL) {
        srv_reply_error(res, 404, "not_found", "node \"%.100s\": module %.100s is not known", node,
                        p->nodes[i].module_ref);
    } else if (k < 0) {
        srv_reply_error(res, 404, "not_found",
                        "node \"%.100s\" (%.100s) has no output port \"%.100s\"", node,
                        p->nodes[i].module_ref, port);
    } else {
        eng_env env = {.load_dataset = srv__load_dataset, .user = ws};
        eng_issues issues = {0};
        tbl_table ***schemas = NULL;
        wf_error err = {0};
        if (eng_propagate_schemas(p, NULL, &env, &schemas, &issues, &err) < 0) {
            srv_reply_wf_error(res, &err);
        } else {
            const tbl_table *t = schemas[i] != NULL ? schemas[i][k] : NULL;
            json_t *cols = t != NULL ? srv__columns_json(t) : json_null();
            srv_reply_json(res, 200,
                           cols ? json_pack("{s:s, s:s, s:s, s:o}", "node", node, "port", port,
                                            "kind",
                                            mod_port_kind_name(p->nodes[i].module->outputs[k].kind),
                                            "columns", cols)
                                : NULL);
            eng_schemas_free(p, schemas);
        }
        eng_issues_clear(&issues);
    }
    eng_pipeline_free(p);
    return 0;
}

/* POST /api/pipelines/{id}/clone, optionally {"name": "..."} */
static int clone_pipeline(srv_request *req, srv_response *res)
{
    st_workspace *ws = srv__ws(req, res);
    if (ws == NULL) return 0;
    json_t *body = NULL;
    if (req->body != NULL && req->body_len > 0 && (body = srv_body_json(req, res)) == NULL)
        return 0;
    const json_t *name = json_object_get(body, "name");
    st_draft d = {0};
    if (name != NULL && !json_is_string(name)) {
        srv_reply_error(res, 422, "invalid", "\"name\" must be a string");
    } else if (srv__draft_from_path(req, res, ws, &d) == 0) {
        json_t *doc = json_loads(d.document_json, 0, NULL);
        char copy[ST_DRAFT_NAME_MAX + 1];
        if (name != NULL)
            snprintf(copy, sizeof copy, "%s", json_string_value(name));
        else
            /* "%.190s" leaves room for the suffix within the name limit. */
            snprintf(copy, sizeof copy, "%.190s (copy)", d.name);
        if (doc == NULL || json_object_set_new(doc, "name", json_string(copy)) < 0)
            srv_reply_error(res, 500, "internal", "the stored document could not be read");
        else
            srv__create_from(res, ws, doc);
        json_decref(doc);
    }
    st_draft_clear(&d);
    json_decref(body);
    return 0;
}

/* GET /api/pipelines/{id}/export: the canonical document, as a download. */
static int export_pipeline(srv_request *req, srv_response *res)
{
    st_workspace *ws = srv__ws(req, res);
    if (ws == NULL) return 0;
    eng_pipeline *p = srv__draft_pipeline(req, res, ws);
    if (p == NULL) return 0;
    json_t *canonical = eng_pipeline_canonical(p);
    char *text = canonical ? json_dumps(canonical, JSON_INDENT(2) | JSON_PRESERVE_ORDER) : NULL;
    json_decref(canonical);
    /* A file name people can keep: the pipeline's name, tamed. */
    char file[96];
    size_t n = 0;
    for (const char *c = p->name; *c != '\0' && n < 64; c++) {
        bool ok = (*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') ||
                  (*c >= '0' && *c <= '9') || *c == '-' || *c == '_' || *c == '.';
        file[n++] = ok ? *c : '-';
    }
    snprintf(file + n, sizeof file - n, "%s.weft.json", n > 0 ? "" : "pipeline");
    eng_pipeline_free(p);
    if (text == NULL) return srv_reply_error(res, 500, "internal", "out of memory");
    size_t len = strlen(text);
    text[len] = '\n'; /* a file ends with a newline; the NUL is not sent */
    srv_reply_bytes(res, 200, "application/json", text, len + 1);
    res->download_name = wf_strdup(file);
    return 0;
}

const srv_route srv_pipeline_routes[] = {
    {"POST", "/api/pipelines", create_pipeline, 0},
    {"GET", "/api/pipelines", list_pipelines, 0},
    {"POST", "/api/pipelines/import", import_pipeline, 0},
    {"GET", "/api/pipelines/{id}", get_pipeline, 0},
    {"PUT", "/api/pipelines/{id}", save_pipeline, 0},
    {"DELETE", "/api/pipelines/{id}", delete_pipeline, 0},
    {"POST", "/api/pipelines/{id}/validate", validate_pipeline, 0},
    {"GET", "/api/pipelines/{id}/schema", pipeline_schema, 0},
    {"POST", "/api/pipelines/{id}/clone", clone_pipeline, 0},
    {"GET", "/api/pipelines/{id}/export", export_pipeline, 0},
    {NULL, NULL, NULL, 0},
};
