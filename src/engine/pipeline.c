/*
 * pipeline.c: pipeline documents (DESIGN.md section 4): parsing the JSON
 * into an eng_pipeline, and writing it back in canonical form.
 *
 * Parsing checks only the document's shape: JSON syntax (with line and
 * column), the format version, field names and types, node ids and edge
 * ends of the form "node.port". It stops at the first problem, since a
 * document of the wrong shape has no nodes to hang further problems on.
 * Whether the graph makes sense (modules, ports, parameters, cycles,
 * columns) is validation's job, in validate.c, which reports every problem.
 *
 * The canonical form is what caches and diffs compare: fixed key order at
 * the top and in nodes and edges, sorted keys everywhere else, every module
 * parameter present with its default, and numbers of "number" parameters
 * written as reals, so that 1 and 1.0 give the same text.
 */
#include "pipeline_int.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* Ids and parameter names are short: they end up in messages, file names
 * of logs and URLs. */
#define ENG__ID_MAX 100

static const char *const eng__top_fields[] = {"format", "parameters", "name",   "description",
                                              "nodes",  "edges",      "layout", NULL};
static const char *const eng__node_fields[] = {"id",         "module",  "params",
                                               "regenerate", "compute", NULL};
static const char *const eng__edge_fields[] = {"from", "to", NULL};
static const char *const eng__param_fields[] = {"type", "default", NULL};

static bool eng__in_list(const char *const *list, const char *s)
{
    for (size_t i = 0; list[i] != NULL; i++)
        if (strcmp(list[i], s) == 0) return true;
    return false;
}

/* The first key of obj that is not in `allowed`, or NULL. */
static const char *eng__unknown_key(const json_t *obj, const char *const *allowed)
{
    const char *key;
    json_t *v;
    json_object_foreach((json_t *)obj, key, v)
    {
        (void)v;
        if (!eng__in_list(allowed, key)) return key;
    }
    return NULL;
}

static int eng__check_name(const char *name, const char *where, const char *what, wf_error *err)
{
    size_t n = strlen(name);
    if (n == 0) return wf_error_set(err, WF_EINVAL, "%s: %s cannot be empty", where, what);
    if (n > ENG__ID_MAX)
        return wf_error_set(err, WF_EINVAL, "%s: %s is at most %d characters; this one has %zu",
                            where, what, ENG__ID_MAX, n);
    for (size_t i = 0; i < n; i++) {
        char c = name[i];
        bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                  c == '-' || c == '_';
        if (!ok)
            return wf_error_set(err, WF_EINVAL,
                                "%s: %s \"%s\" may hold only letters, digits, \"-\" and \"_\"",
                                where, what, name);
    }
    return 0;
}

/* A string field of obj: *out is a copy, or NULL when absent and optional. */
static int eng__string_field(const json_t *obj, const char *key, bool required, const char *where,
                             char **out, wf_error *err)
{
    *out = NULL;
    json_t *v = json_object_get(obj, key);
    if (v == NULL) {
        if (required) return wf_error_set(err, WF_EINVAL, "%s: \"%s\" is missing", where, key);
        return 0;
    }
    if (!json_is_string(v))
        return wf_error_set(err, WF_EINVAL, "%s: \"%s\" must be a string", where, key);
    *out = wf_strdup(json_string_value(v));
    if (*out == NULL) return wf_error_set(err, WF_ENOMEM, "out of memory reading a pipeline");
    return 0;
}

static int eng__check_format(const json_t *root, wf_error *err)
{
    json_t *f = json_object_get(root, "format");
    if (f == NULL)
        return wf_error_set(err, WF_EFORMAT,
                            "\"format\" is missing: a pipeline document starts with "
                            "\"format\": \"%s\"",
                            ENG_PIPELINE_FORMAT);
    if (!json_is_string(f))
        return wf_error_set(err, WF_EFORMAT, "\"format\" must be the string \"%s\"",
                            ENG_PIPELINE_FORMAT);
    const char *s = json_string_value(f);
    if (strcmp(s, ENG_PIPELINE_FORMAT) == 0) return 0;
    if (strncmp(s, "weft.pipeline/", 14) == 0)
        return wf_error_set(err, WF_EFORMAT,
                            "this document is \"%s\", but this weft reads only \"%s\": it was "
                            "written by another version of weft",
                            s, ENG_PIPELINE_FORMAT);
    return wf_error_set(err, WF_EFORMAT,
                        "\"format\" is \"%s\": this is not a weft pipeline (expected \"%s\")", s,
                        ENG_PIPELINE_FORMAT);
}

static int eng__parse_params(eng_pipeline *p, const json_t *obj, wf_error *err)
{
    if (!json_is_object(obj))
        return wf_error_set(err, WF_EINVAL,
                            "\"parameters\" must be an object of {\"name\": {\"type\": ...}}");
    size_t n = json_object_size(obj);
    p->params = wf_calloc(n ? n : 1, sizeof *p->params);
    if (p->params == NULL) return wf_error_set(err, WF_ENOMEM, "out of memory reading a pipeline");
    const char *key;
    json_t *v;
    json_object_foreach((json_t *)obj, key, v)
    {
        char where[ENG__ID_MAX + 64];
        snprintf(where, sizeof where, "parameters.%.*s", ENG__ID_MAX, key);
        int rc = eng__check_name(key, "parameters", "a parameter name", err);
        if (rc < 0) return rc;
        if (!json_is_object(v))
            return wf_error_set(err, WF_EINVAL,
                                "%s: must be an object such as {\"type\": \"number\", "
                                "\"default\": 0.5}",
                                where);
        const char *bad = eng__unknown_key(v, eng__param_fields);
        if (bad != NULL)
            return wf_error_set(err, WF_EINVAL,
                                "%s: unknown field \"%s\" (a parameter has \"type\" and "
                                "\"default\")",
                                where, bad);
        eng_pipeline_param *pp = &p->params[p->nparams++];
        pp->name = wf_strdup(key);
        if (pp->name == NULL) return wf_error_set(err, WF_ENOMEM, "out of memory");
        rc = eng__string_field(v, "type", true, where, &pp->type, err);
        if (rc < 0) return rc;
        if (pp->type[0] == '\0')
            return wf_error_set(err, WF_EINVAL, "%s: \"type\" is empty", where);
        json_t *def = json_object_get(v, "default");
        /* "default": null means the same as no default. */
        if (def != NULL && !json_is_null(def)) pp->default_value = json_deep_copy(def);
        if (def != NULL && !json_is_null(def) && pp->default_value == NULL)
            return wf_error_set(err, WF_ENOMEM, "out of memory");
    }
    return 0;
}

static int eng__parse_node(eng_pipeline *p, size_t i, const json_t *v, wf_error *err)
{
    char where[32];
    snprintf(where, sizeof where, "nodes[%zu]", i);
    if (!json_is_object(v))
        return wf_error_set(err, WF_EINVAL,
                            "%s: a node must be an object with \"id\" and \"module\"", where);
    const char *bad = eng__unknown_key(v, eng__node_fields);
    if (bad != NULL)
        return wf_error_set(err, WF_EINVAL,
                            "%s: unknown field \"%s\" (a node has \"id\", \"module\", \"params\", "
                            "\"regenerate\" and \"compute\")",
                            where, bad);
    eng_node *n = &p->nodes[p->nnodes++];
    int rc = eng__string_field(v, "id", true, where, &n->id, err);
    if (rc < 0) return rc;
    rc = eng__check_name(n->id, where, "the id", err);
    if (rc < 0) return rc;
    char nwhere[ENG__ID_MAX + 32];
    snprintf(nwhere, sizeof nwhere, "node \"%s\"", n->id);
    rc = eng__string_field(v, "module", true, nwhere, &n->module_ref, err);
    if (rc < 0) return rc;
    if (n->module_ref[0] == '\0')
        return wf_error_set(err, WF_EINVAL, "%s: \"module\" is empty", nwhere);
    n->module = mod_find(n->module_ref);
    json_t *params = json_object_get(v, "params");
    if (params != NULL && !json_is_object(params))
        return wf_error_set(err, WF_EINVAL, "%s: \"params\" must be an object", nwhere);
    n->params = params != NULL ? json_deep_copy(params) : json_object();
    if (n->params == NULL) return wf_error_set(err, WF_ENOMEM, "out of memory");
    json_t *regen = json_object_get(v, "regenerate");
    if (regen != NULL && !json_is_boolean(regen))
        return wf_error_set(err, WF_EINVAL, "%s: \"regenerate\" must be true or false", nwhere);
    n->regenerate = regen != NULL && json_is_true(regen);
    /* Where the node runs (#12): its members are checked by validation,
     * which can mark the node on the canvas. */
    json_t *compute = json_object_get(v, "compute");
    if (compute != NULL && !json_is_null(compute)) {
        if (!json_is_string(compute) && !json_is_object(compute))
            return wf_error_set(err, WF_EINVAL,
                                "%s: \"compute\" must be a compute target's name or an object "
                                "{\"target\": name, \"retries\": n}",
                                nwhere);
        if ((n->compute = json_deep_copy(compute)) == NULL)
            return wf_error_set(err, WF_ENOMEM, "out of memory");
    }
    return 0;
}

/* Splits "node.port" at the first dot: ids cannot hold dots, ports may. */
static int eng__parse_end(const json_t *edge, const char *key, const char *where, char **node,
                          char **port, wf_error *err)
{
    json_t *v = json_object_get(edge, key);
    if (v == NULL) return wf_error_set(err, WF_EINVAL, "%s: \"%s\" is missing", where, key);
    if (!json_is_string(v))
        return wf_error_set(err, WF_EINVAL, "%s: \"%s\" must be a string \"node.port\"", where,
                            key);
    const char *s = json_string_value(v);
    const char *dot = strchr(s, '.');
    if (dot == NULL || dot == s || dot[1] == '\0')
        return wf_error_set(err, WF_EINVAL,
                            "%s: \"%s\" is \"%.100s\", which is not of the form \"node.port\"",
                            where, key, s);
    *node = wf_strndup(s, (size_t)(dot - s));
    *port = wf_strdup(dot + 1);
    if (*node == NULL || *port == NULL) return wf_error_set(err, WF_ENOMEM, "out of memory");
    return 0;
}

static int eng__parse_edge(eng_pipeline *p, size_t i, const json_t *v, wf_error *err)
{
    char where[32];
    snprintf(where, sizeof where, "edges[%zu]", i);
    if (!json_is_object(v))
        return wf_error_set(err, WF_EINVAL,
                            "%s: an edge must be an object {\"from\": \"node.port\", \"to\": "
                            "\"node.port\"}",
                            where);
    const char *bad = eng__unknown_key(v, eng__edge_fields);
    if (bad != NULL)
        return wf_error_set(err, WF_EINVAL,
                            "%s: unknown field \"%s\" (an edge has \"from\" and \"to\")", where,
                            bad);
    eng_edge *e = &p->edges[p->nedges++];
    int rc = eng__parse_end(v, "from", where, &e->from_node, &e->from_port, err);
    if (rc == 0) rc = eng__parse_end(v, "to", where, &e->to_node, &e->to_port, err);
    return rc;
}

static int eng__check_unique_ids(const eng_pipeline *p, wf_error *err);

static int eng__parse_root(eng_pipeline *p, const json_t *root, wf_error *err)
{
    if (!json_is_object(root))
        return wf_error_set(err, WF_EINVAL, "a pipeline document must be a JSON object");
    /* The version first: a newer document's new fields would otherwise be
     * reported as unknown, which hides the real reason. */
    int rc = eng__check_format(root, err);
    if (rc < 0) return rc;
    const char *bad = eng__unknown_key(root, eng__top_fields);
    if (bad != NULL)
        return wf_error_set(err, WF_EINVAL,
                            "unknown field \"%s\" at the top of the document (the fields are "
                            "format, name, description, parameters, nodes, edges and layout)",
                            bad);
    if ((rc = eng__string_field(root, "name", false, "the document", &p->name, err)) < 0 ||
        (rc = eng__string_field(root, "description", false, "the document", &p->description, err)) <
            0)
        return rc;
    /* Absent and empty mean the same; callers never see NULL. */
    if (p->name == NULL && (p->name = wf_strdup("")) == NULL)
        return wf_error_set(err, WF_ENOMEM, "out of memory");
    if (p->description == NULL && (p->description = wf_strdup("")) == NULL)
        return wf_error_set(err, WF_ENOMEM, "out of memory");

    json_t *params = json_object_get(root, "parameters");
    if (params != NULL && (rc = eng__parse_params(p, params, err)) < 0) return rc;

    json_t *nodes = json_object_get(root, "nodes");
    if (nodes != NULL && !json_is_array(nodes))
        return wf_error_set(err, WF_EINVAL, "\"nodes\" must be an array");
    size_t nn = json_array_size(nodes);
    p->nodes = wf_calloc(nn ? nn : 1, sizeof *p->nodes);
    if (p->nodes == NULL) return wf_error_set(err, WF_ENOMEM, "out of memory");
    for (size_t i = 0; i < nn; i++)
        if ((rc = eng__parse_node(p, i, json_array_get(nodes, i), err)) < 0) return rc;
    if ((rc = eng__check_unique_ids(p, err)) < 0) return rc;

    json_t *edges = json_object_get(root, "edges");
    if (edges != NULL && !json_is_array(edges))
        return wf_error_set(err, WF_EINVAL, "\"edges\" must be an array");
    size_t ne = json_array_size(edges);
    p->edges = wf_calloc(ne ? ne : 1, sizeof *p->edges);
    if (p->edges == NULL) return wf_error_set(err, WF_ENOMEM, "out of memory");
    for (size_t i = 0; i < ne; i++)
        if ((rc = eng__parse_edge(p, i, json_array_get(edges, i), err)) < 0) return rc;

    json_t *layout = json_object_get(root, "layout");
    if (layout != NULL && !json_is_null(layout)) {
        if (!json_is_object(layout))
            return wf_error_set(err, WF_EINVAL,
                                "\"layout\" must be an object {\"node\": {\"x\": 0, \"y\": 0}}");
        if ((p->layout = json_deep_copy(layout)) == NULL)
            return wf_error_set(err, WF_ENOMEM, "out of memory");
    }
    return 0;
}

int eng_pipeline_parse(const char *text, size_t len, eng_pipeline **out, wf_error *err)
{
    if (out == NULL) return wf_error_set(err, WF_EINVAL, "eng_pipeline_parse: out is NULL");
    *out = NULL;
    if (text == NULL && len > 0)
        return wf_error_set(err, WF_EINVAL, "eng_pipeline_parse: text is NULL");
    json_error_t jerr;
    /* Duplicate keys are refused: a person reading the file sees both, and
     * would not know which one weft used. */
    json_t *root = json_loadb(text != NULL ? text : "", len, JSON_REJECT_DUPLICATES, &jerr);
    if (root == NULL) {
        /* jansson quotes the input near the error, which may not be UTF-8. */
        eng__utf8_scrub(jerr.text);
        if (jerr.line > 0)
            return wf_error_set(err, WF_EPARSE, "line %d, column %d: %s", jerr.line,
                                jerr.column > 0 ? jerr.column : 1, jerr.text);
        return wf_error_set(err, WF_EPARSE, "%s", jerr.text);
    }
    eng_pipeline *p = wf_calloc(1, sizeof *p);
    if (p == NULL) {
        json_decref(root);
        return wf_error_set(err, WF_ENOMEM, "out of memory reading a pipeline");
    }
    int rc = eng__parse_root(p, root, err);
    json_decref(root);
    if (rc < 0) {
        /* A name quoted from the document may have been cut mid-character. */
        if (err != NULL) eng__utf8_scrub(err->message);
        eng_pipeline_free(p);
        return rc;
    }
    *out = p;
    return 0;
}

int eng_pipeline_load_file(const char *path, eng_pipeline **out, wf_error *err)
{
    if (out != NULL) *out = NULL;
    char *text = NULL;
    size_t size = 0;
    int rc = wf_read_file(path, &text, &size, err);
    if (rc < 0) return rc;
    rc = eng_pipeline_parse(text, size, out, err);
    free(text);
    if (rc < 0) wf_error_prefix(err, "%s", path);
    return rc;
}

void eng_pipeline_free(eng_pipeline *p)
{
    if (p == NULL) return;
    free(p->name);
    free(p->description);
    for (size_t i = 0; i < p->nnodes; i++) {
        free(p->nodes[i].id);
        free(p->nodes[i].module_ref);
        json_decref(p->nodes[i].params);
        json_decref(p->nodes[i].compute);
    }
    free(p->nodes);
    for (size_t i = 0; i < p->nedges; i++) {
        free(p->edges[i].from_node);
        free(p->edges[i].from_port);
        free(p->edges[i].to_node);
        free(p->edges[i].to_port);
    }
    free(p->edges);
    for (size_t i = 0; i < p->nparams; i++) {
        free(p->params[i].name);
        free(p->params[i].type);
        json_decref(p->params[i].default_value);
    }
    free(p->params);
    json_decref(p->layout);
    free(p);
}

int eng_find_node(const eng_pipeline *p, const char *id)
{
    if (p == NULL || id == NULL) return -1;
    for (size_t i = 0; i < p->nnodes; i++)
        if (strcmp(p->nodes[i].id, id) == 0) return (int)i;
    return -1;
}

json_t *eng__param_default(const mod_param *mp)
{
    if (mp->default_json == NULL) return NULL;
    return json_loads(mp->default_json, JSON_DECODE_ANY, NULL);
}

/* ---- canonical form ---------------------------------------------------- */

static int eng__cmp_keys(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* A deep copy of v with the keys of every object sorted (jansson keeps
 * insertion order when dumping). NULL on OOM. */
static json_t *eng__sorted_copy(const json_t *v)
{
    if (json_is_object(v)) {
        size_t n = json_object_size(v);
        const char **keys = wf_mallocarray(n ? n : 1, sizeof *keys);
        json_t *out = json_object();
        if (keys == NULL || out == NULL) goto fail_obj;
        size_t k = 0;
        const char *key;
        json_t *item;
        json_object_foreach((json_t *)v, key, item) keys[k++] = key;
        qsort(keys, n, sizeof *keys, eng__cmp_keys);
        for (k = 0; k < n; k++)
            if (json_object_set_new(out, keys[k], eng__sorted_copy(json_object_get(v, keys[k]))) <
                0)
                goto fail_obj;
        free(keys);
        return out;
    fail_obj:
        free(keys);
        json_decref(out);
        return NULL;
    }
    if (json_is_array(v)) {
        json_t *out = json_array();
        if (out == NULL) return NULL;
        for (size_t k = 0; k < json_array_size(v); k++)
            if (json_array_append_new(out, eng__sorted_copy(json_array_get(v, k))) < 0) {
                json_decref(out);
                return NULL;
            }
        return out;
    }
    return json_deep_copy(v);
}

/* One parameter value in canonical form: a "number" parameter's integer
 * becomes a real, since 1 and 1.0 mean the same to it. */
static json_t *eng__canonical_value(const mod_param *mp, const json_t *v)
{
    if (v == NULL) return json_null();
    if (mp != NULL && mp->type == MOD_PARAM_NUMBER && json_is_integer(v))
        return json_real((double)json_integer_value(v));
    return eng__sorted_copy(v);
}

static json_t *eng__canonical_params(const eng_node *n)
{
    json_t *params = json_object(); /* collected, then copied in sorted order */
    if (params == NULL) return NULL;
    const mod_descriptor *m = n->module;
    for (size_t k = 0; m != NULL && k < m->nparams; k++) {
        const mod_param *mp = &m->params[k];
        json_t *written = json_object_get(n->params, mp->name);
        /* null means "not set", as the module context reads it. */
        if (json_is_null(written)) written = NULL;
        json_t *def = written == NULL ? eng__param_default(mp) : NULL;
        json_t *v = eng__canonical_value(mp, written != NULL ? written : def);
        json_decref(def);
        if (json_object_set_new(params, mp->name, v) < 0) goto fail;
    }
    /* Parameters the module does not declare stay, so nothing a person wrote
     * is lost; validation flags them. */
    const char *key;
    json_t *v;
    json_object_foreach(n->params, key, v)
    {
        if (m != NULL && mod_param_index(m, key) >= 0) continue;
        if (json_object_set_new(params, key, eng__sorted_copy(v)) < 0) goto fail;
    }
    json_t *sorted = eng__sorted_copy(params);
    json_decref(params);
    return sorted;
fail:
    json_decref(params);
    return NULL;
}

static json_t *eng__canonical_node(const eng_node *n)
{
    json_t *o = json_object();
    if (o == NULL) return NULL;
    const char *ref = n->module_ref;
    char pinned[ENG__ID_MAX + 32];
    /* "split-data" and "split-data@1" name the same module today; writing
     * the version pins it, so the document keeps its meaning when a newer
     * version joins the catalogue. */
    if (n->module != NULL) {
        snprintf(pinned, sizeof pinned, "%s@%d", n->module->name, n->module->version);
        ref = pinned;
    }
    int bad = json_object_set_new(o, "id", json_string(n->id)) < 0;
    bad |= json_object_set_new(o, "module", json_string(ref)) < 0;
    bad |= json_object_set_new(o, "params", eng__canonical_params(n)) < 0;
    if (n->regenerate) bad |= json_object_set_new(o, "regenerate", json_true()) < 0;
    if (n->compute) bad |= json_object_set_new(o, "compute", eng__sorted_copy(n->compute)) < 0;
    if (bad) {
        json_decref(o);
        return NULL;
    }
    return o;
}

static json_t *eng__canonical_edge(const eng_edge *e)
{
    json_t *o = json_object();
    if (o == NULL) return NULL;
    char *from = NULL, *to = NULL;
    size_t fl = strlen(e->from_node) + strlen(e->from_port) + 2;
    size_t tl = strlen(e->to_node) + strlen(e->to_port) + 2;
    from = malloc(fl);
    to = malloc(tl);
    int bad = from == NULL || to == NULL;
    if (!bad) {
        snprintf(from, fl, "%s.%s", e->from_node, e->from_port);
        snprintf(to, tl, "%s.%s", e->to_node, e->to_port);
        bad |= json_object_set_new(o, "from", json_string(from)) < 0;
        bad |= json_object_set_new(o, "to", json_string(to)) < 0;
    }
    free(from);
    free(to);
    if (bad) {
        json_decref(o);
        return NULL;
    }
    return o;
}

static json_t *eng__canonical_pipeline_params(const eng_pipeline *p)
{
    json_t *all = json_object();
    if (all == NULL) return NULL;
    for (size_t i = 0; i < p->nparams; i++) {
        json_t *o = json_object();
        if (o == NULL || json_object_set_new(all, p->params[i].name, o) < 0) goto fail;
        if (json_object_set_new(o, "type", json_string(p->params[i].type)) < 0) goto fail;
        if (p->params[i].default_value != NULL &&
            json_object_set_new(o, "default", eng__sorted_copy(p->params[i].default_value)) < 0)
            goto fail;
    }
    json_t *sorted = eng__sorted_copy(all);
    json_decref(all);
    return sorted;
fail:
    json_decref(all);
    return NULL;
}

json_t *eng_pipeline_canonical(const eng_pipeline *p)
{
    if (p == NULL) return NULL;
    json_t *doc = json_object();
    json_t *nodes = json_array();
    json_t *edges = json_array();
    int bad = doc == NULL || nodes == NULL || edges == NULL;
    for (size_t i = 0; !bad && i < p->nnodes; i++)
        bad |= json_array_append_new(nodes, eng__canonical_node(&p->nodes[i])) < 0;
    for (size_t i = 0; !bad && i < p->nedges; i++)
        bad |= json_array_append_new(edges, eng__canonical_edge(&p->edges[i])) < 0;
    if (bad) {
        json_decref(doc);
        json_decref(nodes);
        json_decref(edges);
        return NULL;
    }
    /* The key order of DESIGN.md's example, which people read first. */
    bad |= json_object_set_new(doc, "format", json_string(ENG_PIPELINE_FORMAT)) < 0;
    bad |= json_object_set_new(doc, "name", json_string(p->name ? p->name : "")) < 0;
    bad |= json_object_set_new(doc, "description",
                               json_string(p->description ? p->description : "")) < 0;
    bad |= json_object_set_new(doc, "parameters", eng__canonical_pipeline_params(p)) < 0;
    bad |= json_object_set_new(doc, "nodes", nodes) < 0;
    bad |= json_object_set_new(doc, "edges", edges) < 0;
    bad |= json_object_set_new(doc, "layout",
                               p->layout ? eng__sorted_copy(p->layout) : json_object()) < 0;
    if (bad) {
        json_decref(doc);
        return NULL;
    }
    return doc;
}

/* ---- the graph --------------------------------------------------------- */

typedef struct eng__id_entry {
    const char *id;
    size_t index;
} eng__id_entry;

static int eng__cmp_entries(const void *a, const void *b)
{
    const eng__id_entry *x = a, *y = b;
    int c = strcmp(x->id, y->id);
    if (c != 0) return c;
    return (x->index > y->index) - (x->index < y->index);
}

/* Node ids sorted (equal ids by document order), for lookups in log time. */
static eng__id_entry *eng__id_index(const eng_pipeline *p)
{
    eng__id_entry *idx = wf_mallocarray(p->nnodes ? p->nnodes : 1, sizeof *idx);
    if (idx == NULL) return NULL;
    for (size_t i = 0; i < p->nnodes; i++)
        idx[i] = (eng__id_entry){p->nodes[i].id, i};
    qsort(idx, p->nnodes, sizeof *idx, eng__cmp_entries);
    return idx;
}

static int eng__id_lookup(const eng__id_entry *idx, size_t n, const char *id)
{
    size_t lo = 0, hi = n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int c = strcmp(idx[mid].id, id);
        if (c == 0) return (int)idx[mid].index;
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return -1;
}

/* Sorting finds duplicates without comparing every pair; the one reported
 * is the first duplicate in document order, as a person reads the file. */
static int eng__check_unique_ids(const eng_pipeline *p, wf_error *err)
{
    eng__id_entry *idx = eng__id_index(p);
    if (idx == NULL) return wf_error_set(err, WF_ENOMEM, "out of memory reading a pipeline");
    size_t first = 0, second = SIZE_MAX;
    for (size_t k = 1; k < p->nnodes; k++)
        if (strcmp(idx[k - 1].id, idx[k].id) == 0 && idx[k].index < second) {
            first = idx[k - 1].index;
            second = idx[k].index;
        }
    free(idx);
    if (second == SIZE_MAX) return 0;
    return wf_error_set(err, WF_EINVAL, "nodes[%zu]: id \"%s\" is already used by nodes[%zu]",
                        second, p->nodes[second].id, first);
}

void eng__graph_free(eng__graph *g)
{
    free(g->from);
    free(g->to);
    free(g->succ_at);
    free(g->succ);
    memset(g, 0, sizeof *g);
}

int eng__graph_build(const eng_pipeline *p, eng__graph *g)
{
    memset(g, 0, sizeof *g);
    size_t n = p->nnodes, ne = p->nedges;
    g->nnodes = n;
    g->nedges = ne;
    eng__id_entry *idx = eng__id_index(p);
    g->from = wf_mallocarray(ne ? ne : 1, sizeof *g->from);
    g->to = wf_mallocarray(ne ? ne : 1, sizeof *g->to);
    g->succ_at = wf_calloc(n + 1, sizeof *g->succ_at);
    g->succ = wf_mallocarray(ne ? ne : 1, sizeof *g->succ);
    if (idx == NULL || g->from == NULL || g->to == NULL || g->succ_at == NULL || g->succ == NULL) {
        free(idx);
        eng__graph_free(g);
        return WF_ENOMEM;
    }
    for (size_t e = 0; e < ne; e++) {
        g->from[e] = eng__id_lookup(idx, n, p->edges[e].from_node);
        g->to[e] = eng__id_lookup(idx, n, p->edges[e].to_node);
        if (g->from[e] >= 0 && g->to[e] >= 0) g->succ_at[g->from[e] + 1]++;
    }
    free(idx);
    for (size_t i = 0; i < n; i++)
        g->succ_at[i + 1] += g->succ_at[i];
    /* Filling in edge order keeps each node's successors in edge order. */
    size_t *fill = wf_mallocarray(n ? n : 1, sizeof *fill);
    if (fill == NULL) {
        eng__graph_free(g);
        return WF_ENOMEM;
    }
    memcpy(fill, g->succ_at, n * sizeof *fill);
    for (size_t e = 0; e < ne; e++) {
        if (g->from[e] < 0 || g->to[e] < 0) continue;
        size_t at = fill[g->from[e]]++;
        g->succ[at] = (size_t)g->to[e];
    }
    free(fill);
    return 0;
}

/* A binary min-heap of node indices: Kahn's algorithm takes the ready node
 * that comes first in the document, so the order is stable. */
static void eng__heap_push(size_t *heap, size_t *len, size_t v)
{
    size_t i = (*len)++;
    heap[i] = v;
    while (i > 0 && heap[(i - 1) / 2] > heap[i]) {
        size_t parent = (i - 1) / 2, t = heap[parent];
        heap[parent] = heap[i];
        heap[i] = t;
        i = parent;
    }
}

static size_t eng__heap_pop(size_t *heap, size_t *len)
{
    size_t top = heap[0], i = 0;
    heap[0] = heap[--*len];
    for (;;) {
        size_t l = 2 * i + 1, r = l + 1, m = i;
        if (l < *len && heap[l] < heap[m]) m = l;
        if (r < *len && heap[r] < heap[m]) m = r;
        if (m == i) break;
        size_t t = heap[m];
        heap[m] = heap[i];
        heap[i] = t;
        i = m;
    }
    return top;
}

int eng__partial_order(const eng_pipeline *p, size_t **order, size_t *count, wf_error *err)
{
    *order = NULL;
    *count = 0;
    size_t n = p->nnodes;
    eng__graph g;
    if (eng__graph_build(p, &g) < 0)
        return wf_error_set(err, WF_ENOMEM, "out of memory ordering nodes");
    size_t *indegree = wf_calloc(n ? n : 1, sizeof *indegree);
    size_t *heap = wf_mallocarray(n ? n : 1, sizeof *heap);
    size_t *out = wf_mallocarray(n ? n : 1, sizeof *out);
    if (indegree == NULL || heap == NULL || out == NULL) {
        free(indegree);
        free(heap);
        free(out);
        eng__graph_free(&g);
        return wf_error_set(err, WF_ENOMEM, "out of memory ordering nodes");
    }
    for (size_t k = 0; k < g.succ_at[n]; k++)
        indegree[g.succ[k]]++;
    size_t len = 0, done = 0;
    for (size_t i = 0; i < n; i++)
        if (indegree[i] == 0) eng__heap_push(heap, &len, i);
    while (len > 0) {
        size_t i = eng__heap_pop(heap, &len);
        out[done++] = i;
        for (size_t k = g.succ_at[i]; k < g.succ_at[i + 1]; k++)
            if (--indegree[g.succ[k]] == 0) eng__heap_push(heap, &len, g.succ[k]);
    }
    free(indegree);
    free(heap);
    eng__graph_free(&g);
    *order = out;
    *count = done;
    return 0;
}
