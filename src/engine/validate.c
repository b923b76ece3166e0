/*
 * validate.c: pipeline validation (DESIGN.md section 4), the topological
 * order and cycles.
 *
 * Validation never stops at the first problem: a person fixing a pipeline on
 * the canvas wants every badge at once. Each rule adds issues, named by node
 * and field, and carries on. Checks run from the document outwards:
 * pipeline parameters and bindings, each node's module and parameters, the
 * edges and ports, cycles, and last the schemas that flow along the edges
 * (schema.c), where column selections are checked against real columns.
 */
#include "pipeline_int.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- issues ------------------------------------------------------------ */

int eng__issue_add(eng_issues *issues, const char *node, const char *field, const char *fmt, ...)
{
    if (wf_grow((void **)&issues->items, &issues->cap, issues->count + 1, sizeof *issues->items) <
        0)
        return WF_ENOMEM;
    char message[WF_ERROR_MESSAGE_MAX];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(message, sizeof message, fmt, ap);
    va_end(ap);
    eng__utf8_scrub(message);
    eng_issue *it = &issues->items[issues->count];
    it->node = wf_strdup(node ? node : "");
    it->field = wf_strdup(field ? field : "");
    it->message = wf_strdup(message);
    if (it->node == NULL || it->field == NULL || it->message == NULL) {
        free(it->node);
        free(it->field);
        free(it->message);
        return WF_ENOMEM;
    }
    issues->count++;
    return 0;
}

bool eng__issue_known(const eng_issues *issues, const char *node, const char *field,
                      const char *message)
{
    for (size_t i = 0; i < issues->count; i++) {
        const eng_issue *it = &issues->items[i];
        if (strcmp(it->node, node) != 0 || strcmp(it->field, field) != 0) continue;
        if (field[0] != '\0' || strcmp(it->message, message) == 0) return true;
    }
    return false;
}

void eng_issues_clear(eng_issues *issues)
{
    if (issues == NULL) return;
    for (size_t i = 0; i < issues->count; i++) {
        free(issues->items[i].node);
        free(issues->items[i].field);
        free(issues->items[i].message);
    }
    free(issues->items);
    memset(issues, 0, sizeof *issues);
}

/* ---- values ------------------------------------------------------------ */

void eng__utf8_scrub(char *s)
{
    size_t len = strlen(s), at = 0, bad;
    while (at < len && !wf_utf8_valid(s + at, len - at, &bad)) {
        s[at + bad] = '?';
        at += bad + 1;
    }
}

void eng__value_text(const json_t *v, char *buf, size_t cap)
{
    if (cap == 0) return;
    buf[0] = '\0';
    if (v == NULL) {
        snprintf(buf, cap, "nothing");
        return;
    }
    char *text = json_dumps(v, JSON_ENCODE_ANY | JSON_COMPACT);
    if (text == NULL) return;
    /* Long values (an SQL script, a big selection) are cut: the message is
     * about where, not a copy of the value. */
    if (strlen(text) > 60) {
        text[57] = '\0';
        eng__utf8_scrub(text);
        snprintf(buf, cap, "%s...", text);
    } else {
        snprintf(buf, cap, "%s", text);
    }
    eng__utf8_scrub(buf);
    free(text);
}

/* ---- pipeline parameters and bindings ---------------------------------- */

/* Whether v suits a pipeline parameter of `type`; NULL when it does, else
 * what was expected. Unknown types accept anything (reported separately). */
static const char *eng__pipeline_type_mismatch(const char *type, const json_t *v)
{
    if (strcmp(type, "number") == 0) return json_is_number(v) ? NULL : "a number";
    if (strcmp(type, "int") == 0)
        return json_is_integer(v) ||
                       (json_is_real(v) && floor(json_real_value(v)) == json_real_value(v) &&
                        fabs(json_real_value(v)) < 9.0e15)
                   ? NULL
                   : "a whole number";
    if (strcmp(type, "bool") == 0) return json_is_boolean(v) ? NULL : "true or false";
    if (strcmp(type, "string") == 0 || strcmp(type, "dataset") == 0 ||
        strcmp(type, "column") == 0 || strcmp(type, "text") == 0)
        return json_is_string(v) ? NULL : "a string";
    if (strcmp(type, "column-selection") == 0)
        return json_is_object(v) ? NULL : "a column selection object";
    return NULL;
}

static const char *const eng__pipeline_types[] = {
    "number", "int", "bool", "string", "text", "dataset", "column", "column-selection", NULL};

static int eng__check_pipeline_params(const eng_pipeline *p, const json_t *bindings,
                                      eng_issues *issues)
{
    int rc = 0;
    for (size_t i = 0; rc == 0 && i < p->nparams; i++) {
        const eng_pipeline_param *pp = &p->params[i];
        bool known = false;
        for (size_t k = 0; eng__pipeline_types[k] != NULL; k++)
            known |= strcmp(eng__pipeline_types[k], pp->type) == 0;
        if (!known) {
            rc = eng__issue_add(issues, "", pp->name,
                                "pipeline parameter \"%s\" has unknown type \"%s\" (types: "
                                "number, int, bool, string, text, dataset, column, "
                                "column-selection)",
                                pp->name, pp->type);
            continue;
        }
        const char *want =
            pp->default_value ? eng__pipeline_type_mismatch(pp->type, pp->default_value) : NULL;
        if (want != NULL) {
            char text[96];
            eng__value_text(pp->default_value, text, sizeof text);
            rc = eng__issue_add(issues, "", pp->name,
                                "the default of pipeline parameter \"%s\" must be %s; it is %s",
                                pp->name, want, text);
        }
    }
    if (bindings == NULL || json_is_null(bindings) || rc < 0) return rc;
    if (!json_is_object(bindings))
        return eng__issue_add(issues, "", "",
                              "parameter values must be a JSON object {\"name\": value}");
    const char *key;
    json_t *v;
    json_object_foreach((json_t *)bindings, key, v)
    {
        int k = eng__pipeline_param_index(p, key);
        if (k < 0) {
            rc = eng__issue_add(issues, "", key,
                                "a value is given for \"%s\", which is not a parameter of this "
                                "pipeline",
                                key);
        } else {
            const char *want = eng__pipeline_type_mismatch(p->params[k].type, v);
            if (want == NULL || json_is_null(v)) continue;
            char text[96];
            eng__value_text(v, text, sizeof text);
            rc = eng__issue_add(issues, "", key, "pipeline parameter \"%s\" must be %s; got %s",
                                key, want, text);
        }
        if (rc < 0) return rc;
    }
    return rc;
}

/* ---- node parameters --------------------------------------------------- */

/* Levenshtein distance, capped: enough to suggest "fraction" for "fractoin". */
static size_t eng__distance(const char *a, const char *b)
{
    size_t la = strlen(a), lb = strlen(b);
    if (la > 63 || lb > 63) return 99;
    size_t row[64];
    for (size_t j = 0; j <= lb; j++)
        row[j] = j;
    for (size_t i = 1; i <= la; i++) {
        size_t prev = row[0];
        row[0] = i;
        for (size_t j = 1; j <= lb; j++) {
            size_t cur = row[j];
            size_t best = prev + (a[i - 1] != b[j - 1]);
            if (row[j] + 1 < best) best = row[j] + 1;
            if (row[j - 1] + 1 < best) best = row[j - 1] + 1;
            row[j] = best;
            prev = cur;
        }
    }
    return row[lb];
}

static int eng__unknown_param(const eng_node *n, const char *key, eng_issues *issues)
{
    const mod_descriptor *m = n->module;
    const char *best = NULL;
    size_t best_d = 3; /* at most two edits away */
    for (size_t k = 0; k < m->nparams; k++) {
        size_t d = eng__distance(key, m->params[k].name);
        if (d < best_d) {
            best_d = d;
            best = m->params[k].name;
        }
    }
    if (best != NULL)
        return eng__issue_add(issues, n->id, key,
                              "module \"%s@%d\" has no parameter \"%s\"; did you mean \"%s\"?",
                              m->name, m->version, key, best);
    return eng__issue_add(issues, n->id, key, "module \"%s@%d\" has no parameter \"%s\"", m->name,
                          m->version, key);
}

/* "must be one of "a", "b"" for an enum's message. */
static void eng__choices_text(const mod_param *mp, wf_buf *b)
{
    for (size_t i = 0; mp->choices != NULL && mp->choices[i] != NULL; i++)
        wf_buf_printf(b, "%s\"%s\"", i ? ", " : "", mp->choices[i]);
}

/* Checks one visible, set value against its declaration. `via` names the
 * pipeline parameter the value came from, or is NULL. */
static int eng__check_value(const eng_node *n, const mod_param *mp, const json_t *v,
                            const char *via, eng_issues *issues)
{
    char text[96], from[160] = "";
    eng__value_text(v, text, sizeof text);
    if (via != NULL) snprintf(from, sizeof from, " (from pipeline parameter \"%s\")", via);
    const char *want = NULL;
    switch (mp->type) {
    case MOD_PARAM_INT:
        /* 3.0 is a whole number, as JavaScript clients send it; the module's
         * own getter accepts it too. */
        if (!json_is_integer(v) &&
            !(json_is_real(v) && floor(json_real_value(v)) == json_real_value(v) &&
              fabs(json_real_value(v)) < 9.0e15))
            want = "a whole number";
        break;
    case MOD_PARAM_NUMBER:
        if (!json_is_number(v)) want = "a number";
        break;
    case MOD_PARAM_BOOL:
        if (!json_is_boolean(v)) want = "true or false";
        break;
    case MOD_PARAM_STRING:
        /* A number is read as its digits (a dataset version "2" or 2). */
        if (!json_is_string(v) && !json_is_number(v)) want = "a string";
        break;
    case MOD_PARAM_ENUM: {
        const char *s = json_string_value(v);
        bool found = false;
        for (size_t i = 0; s != NULL && mp->choices != NULL && mp->choices[i] != NULL; i++)
            found |= strcmp(mp->choices[i], s) == 0;
        if (found) break;
        wf_buf b = {0};
        eng__choices_text(mp, &b);
        int rc = eng__issue_add(issues, n->id, mp->name, "\"%s\"%s must be one of %s; got %s",
                                mp->name, from, b.data ? b.data : "(no choices)", text);
        wf_buf_free(&b);
        return rc;
    }
    case MOD_PARAM_TEXT:
    case MOD_PARAM_SQL:
    case MOD_PARAM_PYTHON:
    case MOD_PARAM_DATASET:
        if (!json_is_string(v)) want = "a string";
        break;
    case MOD_PARAM_COLUMN:
        if (!json_is_string(v)) want = "a column name (a string)";
        break;
    case MOD_PARAM_COLUMN_SELECTION: {
        tbl_selection sel;
        wf_error err = {0};
        if (!json_is_object(v)) {
            want = "a column selection such as {\"include\": [{\"names\": [\"price\"]}]}";
            break;
        }
        if (tbl_selection_from_json(v, &sel, &err) < 0) {
            if (err.code == WF_ENOMEM) return WF_ENOMEM;
            return eng__issue_add(issues, n->id, mp->name, "\"%s\"%s: %s", mp->name, from,
                                  err.message);
        }
        tbl_selection_clear(&sel);
        break;
    }
    }
    if (want != NULL)
        return eng__issue_add(issues, n->id, mp->name, "\"%s\"%s must be %s; got %s", mp->name,
                              from, want, text);
    if ((mp->type == MOD_PARAM_INT || mp->type == MOD_PARAM_NUMBER) && json_is_number(v)) {
        double x = json_number_value(v);
        if (mp->has_min && x < mp->min)
            return eng__issue_add(issues, n->id, mp->name, "\"%s\"%s must be at least %g; got %s",
                                  mp->name, from, mp->min, text);
        if (mp->has_max && x > mp->max)
            return eng__issue_add(issues, n->id, mp->name, "\"%s\"%s must be at most %g; got %s",
                                  mp->name, from, mp->max, text);
    }
    return 0;
}

static bool eng__is_unset(const mod_param *mp, const json_t *v)
{
    if (v == NULL || json_is_null(v)) return true;
    /* An empty name is no name: the properties pane shows an empty box. */
    bool textual = mp->type != MOD_PARAM_INT && mp->type != MOD_PARAM_NUMBER &&
                   mp->type != MOD_PARAM_BOOL && mp->type != MOD_PARAM_COLUMN_SELECTION;
    return textual && json_is_string(v) && json_string_value(v)[0] == '\0';
}

/* Every parameter rule for node i. Sets *flagged when any was broken. */
static int eng__check_node_params(const eng_pipeline *p, size_t i, const json_t *bindings,
                                  eng_issues *issues, bool *flagged)
{
    const eng_node *n = &p->nodes[i];
    const mod_descriptor *m = n->module;
    size_t before = issues->count;
    int rc = 0;
    const char *key;
    json_t *v;
    json_object_foreach(n->params, key, v)
    {
        const char *name = NULL;
        int r = eng__param_ref(v, &name);
        if (mod_param_index(m, key) < 0)
            rc = eng__unknown_param(n, key, issues);
        else if (r < 0)
            rc = eng__issue_add(issues, n->id, key,
                                "\"%s\": a reference to a pipeline parameter is "
                                "{\"$param\": \"name\"} and nothing else",
                                key);
        else if (r > 0) {
            wf_error perr = {0};
            if (eng__lookup_param(p, name, bindings, &perr) == NULL)
                rc = eng__issue_add(issues, n->id, key, "\"%s\" %s", key, perr.message);
        }
        if (rc < 0) return rc;
    }
    wf_error err = {0};
    json_t *resolved = eng__resolve_params(p, i, bindings, true, NULL, &err);
    if (resolved == NULL) return WF_ENOMEM;
    for (size_t k = 0; rc == 0 && k < m->nparams; k++) {
        const mod_param *mp = &m->params[k];
        if (!eng__param_visible(mp, resolved)) continue;
        json_t *written = json_object_get(n->params, mp->name);
        const char *via = NULL;
        int r = eng__param_ref(written, &via);
        if (r != 0 && json_object_get(resolved, mp->name) == NULL)
            continue; /* a broken reference, reported above */
        if (r <= 0) via = NULL;
        json_t *value = json_object_get(resolved, mp->name);
        if (eng__is_unset(mp, value)) {
            if (mp->required)
                rc = eng__issue_add(issues, n->id, mp->name,
                                    "parameter \"%s\" is required but not set", mp->name);
            continue;
        }
        rc = eng__check_value(n, mp, value, via, issues);
    }
    json_decref(resolved);
    *flagged = issues->count > before;
    return rc;
}

/* ---- edges and ports --------------------------------------------------- */

static void eng__port_list(const mod_port *ports, size_t n, wf_buf *b)
{
    if (n == 0) {
        wf_buf_puts(b, "none");
        return;
    }
    for (size_t i = 0; i < n; i++)
        wf_buf_printf(b, "%s\"%s\"", i ? ", " : "", ports[i].name);
}

/* The port of one edge end, or -1 after reporting why there is none (or -2
 * when its node's module is unknown: nothing more to say). */
static int eng__edge_port(const eng_pipeline *p, const eng__graph *g, size_t ei, bool to,
                          eng_issues *issues, int *rc)
{
    const eng_edge *e = &p->edges[ei];
    const char *node = to ? e->to_node : e->from_node;
    const char *port = to ? e->to_port : e->from_port;
    int ni = to ? g->to[ei] : g->from[ei];
    char edge[512];
    snprintf(edge, sizeof edge, "the edge from \"%.100s.%.60s\" to \"%.100s.%.60s\"", e->from_node,
             e->from_port, e->to_node, e->to_port);
    if (ni < 0) {
        /* Hang the issue on the end that exists, so the canvas can show it. */
        bool other_exists = (to ? g->from[ei] : g->to[ei]) >= 0;
        const char *other = other_exists ? (to ? e->from_node : e->to_node) : "";
        const char *other_port = other_exists ? (to ? e->from_port : e->to_port) : "";
        *rc = eng__issue_add(issues, other, other_port, "%s: there is no node \"%s\"", edge, node);
        return -1;
    }
    const mod_descriptor *m = p->nodes[ni].module;
    if (m == NULL) return -2;
    int k = to ? mod_input_index(m, port) : mod_output_index(m, port);
    if (k >= 0) return k;
    if (to && eng__is_dataset(m)) {
        *rc = eng__issue_add(issues, node, "",
                             "\"%s\" is a dataset and takes no inputs: only modules can be "
                             "connected to (remove the edge from \"%s.%s\")",
                             node, e->from_node, e->from_port);
        return -1;
    }
    wf_buf list = {0};
    eng__port_list(to ? m->inputs : m->outputs, to ? m->ninputs : m->noutputs, &list);
    *rc = eng__issue_add(issues, node, port,
                         "%s: module \"%s@%d\" has no %s port \"%s\" (its %ss: %s)", edge, m->name,
                         m->version, to ? "input" : "output", port, to ? "input" : "output",
                         list.data ? list.data : "");
    wf_buf_free(&list);
    return -1;
}

static const char *eng__kind_article(mod_port_kind kind)
{
    return kind == MOD_REPORT      ? "a report"
           : kind == MOD_LEARNER   ? "a learner"
           : kind == MOD_MODEL     ? "a model"
           : kind == MOD_TRANSFORM ? "a transform"
                                   : "a table";
}

static int eng__check_edges(const eng_pipeline *p, const eng__graph *g, eng_issues *issues)
{
    int rc = 0;
    for (size_t i = 0; rc == 0 && i < p->nedges; i++) {
        const eng_edge *e = &p->edges[i];
        int out = eng__edge_port(p, g, i, false, issues, &rc);
        if (rc < 0) break;
        int in = eng__edge_port(p, g, i, true, issues, &rc);
        if (rc < 0 || out < 0 || in < 0) continue;
        const mod_port *op = &p->nodes[g->from[i]].module->outputs[out];
        const mod_port *ip = &p->nodes[g->to[i]].module->inputs[in];
        if (op->kind != ip->kind)
            rc = eng__issue_add(issues, e->to_node, e->to_port,
                                "cannot connect %s output to %s input: \"%s.%s\" gives %s, "
                                "input \"%s\" takes %s",
                                eng__kind_article(op->kind), eng__kind_article(ip->kind),
                                e->from_node, e->from_port, mod_port_kind_name(op->kind),
                                e->to_port, mod_port_kind_name(ip->kind));
    }
    return rc;
}

/* One input port's problem: unconnected, or more than one edge (listed). */
static int eng__check_input(const eng_pipeline *p, const eng__graph *g, size_t i,
                            const mod_port *port, size_t count, eng_issues *issues)
{
    const char *id = p->nodes[i].id;
    if (count == 0 && !port->optional)
        return eng__issue_add(issues, id, port->name, "input \"%s\" is not connected", port->name);
    if (count <= 1) return 0;
    wf_buf froms = {0};
    size_t listed = 0;
    for (size_t e = 0; e < p->nedges; e++)
        if (g->to[e] == (int)i && strcmp(p->edges[e].to_port, port->name) == 0)
            wf_buf_printf(&froms, "%s\"%s.%s\"", listed++ ? ", " : "", p->edges[e].from_node,
                          p->edges[e].from_port);
    int rc = froms.failed ? WF_ENOMEM
                          : eng__issue_add(issues, id, port->name,
                                           "input \"%s\" has %zu edges (from %s); an input takes "
                                           "at most one",
                                           port->name, count, froms.data ? froms.data : "");
    wf_buf_free(&froms);
    return rc;
}

/* Required inputs connected, and at most one edge per input. Edges are
 * counted per port in one pass, not searched per port. */
static int eng__check_inputs(const eng_pipeline *p, const eng__graph *g, eng_issues *issues)
{
    size_t *base = wf_calloc(p->nnodes + 1, sizeof *base);
    if (base == NULL) return WF_ENOMEM;
    for (size_t i = 0; i < p->nnodes; i++)
        base[i + 1] = base[i] + (p->nodes[i].module ? p->nodes[i].module->ninputs : 0);
    size_t *count = wf_calloc(base[p->nnodes] + 1, sizeof *count);
    if (count == NULL) {
        free(base);
        return WF_ENOMEM;
    }
    for (size_t e = 0; e < p->nedges; e++) {
        int t = g->to[e];
        if (t < 0 || p->nodes[t].module == NULL) continue;
        int k = mod_input_index(p->nodes[t].module, p->edges[e].to_port);
        if (k >= 0) count[base[t] + (size_t)k]++;
    }
    int rc = 0;
    for (size_t i = 0; rc == 0 && i < p->nnodes; i++)
        for (size_t k = 0; rc == 0 && k < base[i + 1] - base[i]; k++)
            rc = eng__check_input(p, g, i, &p->nodes[i].module->inputs[k], count[base[i] + k],
                                  issues);
    free(base);
    free(count);
    return rc;
}

/* ---- validation -------------------------------------------------------- */

bool eng__is_dataset(const mod_descriptor *m)
{
    return m != NULL && strcmp(m->name, "dataset") == 0;
}

int eng_pipeline_validate(const eng_pipeline *p, const json_t *bindings, const eng_env *env,
                          eng_issues *issues, wf_error *err)
{
    if (p == NULL || issues == NULL)
        return wf_error_set(err, WF_EINVAL, "eng_pipeline_validate: no pipeline");
    bool *skip = wf_calloc(p->nnodes ? p->nnodes : 1, sizeof *skip);
    if (skip == NULL) return wf_error_set(err, WF_ENOMEM, "out of memory validating");
    int rc = eng__check_pipeline_params(p, bindings, issues);
    for (size_t i = 0; rc == 0 && i < p->nnodes; i++) {
        const eng_node *n = &p->nodes[i];
        if (n->module == NULL) {
            skip[i] = true;
            rc = eng__issue_add(issues, n->id, "", "module \"%s\" is not in the catalogue",
                                n->module_ref);
            continue;
        }
        rc = eng__check_node_params(p, i, bindings, issues, &skip[i]);
        if (rc == 0) rc = eng__check_node_compute(n, issues);
    }
    eng__graph g;
    if (rc == 0 && (rc = eng__graph_build(p, &g)) == 0) {
        rc = eng__check_edges(p, &g, issues);
        if (rc == 0) rc = eng__check_inputs(p, &g, issues);
        eng__graph_free(&g);
    }
    if (rc == 0) {
        int cycles = eng__report_cycles(p, issues, NULL, 0);
        if (cycles < 0) rc = cycles;
    }
    if (rc == 0) {
        tbl_table ***schemas = NULL;
        eng__propagate_opts opts = {.skip_configure = skip, .report_graph = false};
        rc = eng__propagate(p, bindings, env, &opts, &schemas, issues, err);
        eng_schemas_free(p, schemas);
    }
    free(skip);
    if (rc < 0) return rc == WF_ENOMEM ? wf_error_set(err, rc, "out of memory validating") : rc;
    return 0;
}

/* ---- order and cycles -------------------------------------------------- */

/* "a" -> "b" -> "a" for the cycle path[0..len), shortened when long: the
 * message has to fit on a badge. */
static void eng__cycle_text(const eng_pipeline *p, const size_t *path, size_t len, wf_buf *b)
{
    size_t shown = len > 8 ? 6 : len;
    for (size_t k = 0; k < shown; k++)
        wf_buf_printf(b, "\"%s\" -> ", p->nodes[path[k]].id);
    if (shown < len)
        wf_buf_printf(b, "... (%zu nodes in all) -> \"%s\" -> ", len, p->nodes[path[len - 1]].id);
    wf_buf_printf(b, "\"%s\"", p->nodes[path[0]].id);
}

/* Cycles, found by walking: after Kahn's algorithm and its mirror image
 * (peeling nodes with no edge onward), every node left has an edge to
 * another node left, so a walk from any of them must come back to a node it
 * has seen, and the stretch between is a cycle. One cycle per tangle is
 * enough for a person to see what to break. */
int eng__report_cycles(const eng_pipeline *p, eng_issues *issues, char *first, size_t cap)
{
    size_t n = p->nnodes, count;
    size_t *order = NULL;
    eng__graph g;
    if (eng__partial_order(p, &order, &count, NULL) < 0) return WF_ENOMEM;
    if (eng__graph_build(p, &g) < 0) {
        free(order);
        return WF_ENOMEM;
    }
    unsigned char *state = wf_calloc(n ? n : 1, 1); /* 0 left, 1 on the walk, 2 done */
    size_t *outdeg = wf_calloc(n ? n : 1, sizeof *outdeg);
    size_t *path = wf_mallocarray(n ? n : 1, sizeof *path);
    size_t *pred_at = wf_calloc(n + 1, sizeof *pred_at);
    size_t *pred = wf_mallocarray(g.succ_at[n] ? g.succ_at[n] : 1, sizeof *pred);
    int rc = 0, cycles = 0;
    if (state == NULL || outdeg == NULL || path == NULL || pred_at == NULL || pred == NULL) {
        rc = WF_ENOMEM;
        goto done;
    }
    for (size_t k = 0; k < count; k++)
        state[order[k]] = 2;
    /* Predecessor lists, to peel in linear time. */
    for (size_t i = 0; i < n; i++)
        for (size_t k = g.succ_at[i]; k < g.succ_at[i + 1]; k++)
            pred_at[g.succ[k] + 1]++;
    for (size_t i = 0; i < n; i++)
        pred_at[i + 1] += pred_at[i];
    /* outdeg counts how many of each node's predecessors are placed so far,
     * before it is set to its real meaning below. */
    for (size_t i = 0; i < n; i++)
        for (size_t k = g.succ_at[i]; k < g.succ_at[i + 1]; k++)
            pred[pred_at[g.succ[k]] + outdeg[g.succ[k]]++] = i;
    for (size_t i = 0; i < n; i++) {
        outdeg[i] = 0;
        for (size_t k = g.succ_at[i]; state[i] == 0 && k < g.succ_at[i + 1]; k++)
            outdeg[i] += state[g.succ[k]] == 0;
    }
    size_t stack_len = 0; /* path doubles as the peeling stack */
    for (size_t i = 0; i < n; i++)
        if (state[i] == 0 && outdeg[i] == 0) path[stack_len++] = i, state[i] = 2;
    while (stack_len > 0) {
        size_t i = path[--stack_len];
        for (size_t k = pred_at[i]; k < pred_at[i + 1]; k++)
            if (state[pred[k]] == 0 && --outdeg[pred[k]] == 0)
                path[stack_len++] = pred[k], state[pred[k]] = 2;
    }
    for (size_t s = 0; rc == 0 && s < n; s++) {
        size_t len = 0, cur = s;
        bool closed = false; /* the walk came back to itself */
        while (state[cur] == 0) {
            state[cur] = 1;
            path[len++] = cur;
            size_t k = g.succ_at[cur];
            while (k < g.succ_at[cur + 1] && state[g.succ[k]] == 2)
                k++;
            if (k == g.succ_at[cur + 1]) break; /* only into tangles already reported */
            cur = g.succ[k];
            closed = state[cur] == 1;
        }
        if (closed) {
            size_t at = 0;
            while (path[at] != cur)
                at++;
            wf_buf text = {0};
            eng__cycle_text(p, path + at, len - at, &text);
            if (text.failed || text.data == NULL) rc = WF_ENOMEM;
            if (rc == 0 && cycles++ == 0 && first != NULL) snprintf(first, cap, "%s", text.data);
            for (size_t k = at; rc == 0 && k < len; k++)
                rc = eng__issue_add(issues, p->nodes[path[k]].id, "",
                                    "the pipeline has a cycle: %s", text.data);
            wf_buf_free(&text);
        }
        for (size_t k = 0; k < len; k++)
            state[path[k]] = 2;
    }
done:
    free(order);
    free(state);
    free(outdeg);
    free(path);
    free(pred_at);
    free(pred);
    eng__graph_free(&g);
    return rc < 0 ? rc : cycles;
}

int eng_topological_order(const eng_pipeline *p, size_t **order, wf_error *err)
{
    if (order == NULL) return wf_error_set(err, WF_EINVAL, "eng_topological_order: no output");
    *order = NULL;
    if (p == NULL) return wf_error_set(err, WF_EINVAL, "eng_topological_order: no pipeline");
    size_t count;
    int rc = eng__partial_order(p, order, &count, err);
    if (rc < 0) return rc;
    if (count == p->nnodes) return 0;
    free(*order);
    *order = NULL;
    eng_issues scratch = {0};
    char cycle[WF_ERROR_MESSAGE_MAX / 2] = "";
    rc = eng__report_cycles(p, &scratch, cycle, sizeof cycle);
    eng_issues_clear(&scratch);
    if (rc < 0) return wf_error_set(err, WF_ENOMEM, "out of memory ordering nodes");
    rc = wf_error_set(err, WF_EINVAL, "the pipeline has a cycle: %s", cycle);
    if (err != NULL) eng__utf8_scrub(err->message);
    return rc;
}
