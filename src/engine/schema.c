/*
 * schema.c: what a module sees of its node without running: its parameters
 * (defaults filled, {"$param": name} references resolved, which ones are
 * visible) and its input schemas.
 *
 * Schema propagation is KNIME's configure step (DESIGN.md section 4). In
 * topological order every node's module is asked what its outputs will look
 * like given the schemas flowing into it: zero-row tables carrying names,
 * types, roles and categorical levels. A dataset node learns its schema
 * through the environment's loader.
 *
 * Along the way the engine checks every column and column-selection
 * parameter against the schema of the input it reads from, whatever the
 * module's own configure does, so that a missing column is always named on
 * the field that names it. Problems the module reports come after and are
 * dropped when the same field already has an issue, so one mistake shows
 * once.
 *
 * An unknown schema (a dataset without a loader, a module without configure,
 * a node whose parameters are wrong) is NULL and simply flows on: the nodes
 * below skip their column checks rather than guess.
 */
#include "pipeline_int.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- parameters as a module sees them ---------------------------------- */

int eng__param_ref(const json_t *value, const char **name)
{
    if (!json_is_object(value)) return 0;
    json_t *ref = json_object_get(value, "$param");
    if (ref == NULL) return 0;
    if (!json_is_string(ref) || json_object_size(value) != 1) return -1;
    *name = json_string_value(ref);
    return 1;
}

int eng__pipeline_param_index(const eng_pipeline *p, const char *name)
{
    for (size_t i = 0; i < p->nparams; i++)
        if (strcmp(p->params[i].name, name) == 0) return (int)i;
    return -1;
}

/* The value of pipeline parameter `name`: its binding, else its default.
 * NULL with err set when it is not declared or has neither. */
const json_t *eng__lookup_param(const eng_pipeline *p, const char *name, const json_t *bindings,
                                wf_error *err)
{
    int k = eng__pipeline_param_index(p, name);
    if (k < 0) {
        wf_error_set(err, WF_EINVAL,
                     "refers to pipeline parameter \"%s\", which is not declared in "
                     "\"parameters\"",
                     name);
        return NULL;
    }
    const json_t *v = json_is_object(bindings) ? json_object_get(bindings, name) : NULL;
    if (v == NULL || json_is_null(v)) v = p->params[k].default_value;
    if (v == NULL)
        wf_error_set(err, WF_EINVAL,
                     "uses pipeline parameter \"%s\", which has no value: give it a default "
                     "or bind it when running",
                     name);
    return v;
}

/* Sets key in out to v (a copy), as a "number" parameter's real when mp says
 * so, matching the canonical form. */
static int eng__put_value(json_t *out, const char *key, const mod_param *mp, const json_t *v)
{
    json_t *copy;
    if (mp != NULL && mp->type == MOD_PARAM_NUMBER && json_is_integer(v))
        copy = json_real((double)json_integer_value(v));
    else
        copy = json_deep_copy(v);
    return json_object_set_new(out, key, copy) < 0 ? WF_ENOMEM : 0;
}

json_t *eng__resolve_params(const eng_pipeline *p, size_t i, const json_t *bindings, bool tolerant,
                            const char **bad_field, wf_error *err)
{
    if (bad_field != NULL) *bad_field = NULL;
    if (p == NULL || i >= p->nnodes) {
        wf_error_set(err, WF_EINVAL, "no node %zu in the pipeline", i);
        return NULL;
    }
    const eng_node *n = &p->nodes[i];
    const mod_descriptor *m = n->module;
    json_t *out = json_object();
    if (out == NULL) goto oom;
    const char *key;
    json_t *v;
    json_object_foreach(n->params, key, v)
    {
        const char *name = NULL;
        int r = eng__param_ref(v, &name);
        const json_t *value = v;
        if (r < 0) {
            if (tolerant) continue;
            wf_error_set(err, WF_EINVAL,
                         "parameter \"%s\": a reference is {\"$param\": \"name\"} and nothing "
                         "else",
                         key);
            goto fail_field;
        }
        if (r > 0) {
            wf_error perr = {0};
            value = eng__lookup_param(p, name, bindings, &perr);
            if (value == NULL) {
                if (tolerant) continue;
                wf_error_set(err, perr.code, "parameter \"%s\" %s", key, perr.message);
                goto fail_field;
            }
        }
        /* null means "not set": the default below fills it, as a module's
         * own context does. */
        if (json_is_null(value) && m != NULL && mod_param_index(m, key) >= 0) continue;
        int k = mod_param_index(m, key);
        if (eng__put_value(out, key, k >= 0 ? &m->params[k] : NULL, value) < 0) goto oom;
    }
    for (size_t k = 0; m != NULL && k < m->nparams; k++) {
        if (json_object_get(out, m->params[k].name) != NULL) continue;
        /* A reference that did not resolve (tolerant mode) stays unset
         * rather than taking the default, which would hide the problem. */
        if (tolerant && json_object_get(n->params, m->params[k].name) != NULL &&
            !json_is_null(json_object_get(n->params, m->params[k].name)))
            continue;
        json_t *def = eng__param_default(&m->params[k]);
        if (def == NULL) continue;
        int rc = eng__put_value(out, m->params[k].name, &m->params[k], def);
        json_decref(def);
        if (rc < 0) goto oom;
    }
    return out;
fail_field:
    if (bad_field != NULL) *bad_field = key;
    if (err != NULL) eng__utf8_scrub(err->message);
    json_decref(out);
    return NULL;
oom:
    json_decref(out);
    wf_error_set(err, WF_ENOMEM, "out of memory resolving parameters");
    return NULL;
}

json_t *eng_node_params(const eng_pipeline *p, size_t i, const json_t *bindings, wf_error *err)
{
    return eng__resolve_params(p, i, bindings, false, NULL, err);
}

/* A value as visible_when compares it: strings as they are, the rest as
 * their JSON text. */
static void eng__condition_text(const json_t *v, char *buf, size_t cap)
{
    if (json_is_string(v))
        snprintf(buf, cap, "%s", json_string_value(v));
    else if (json_is_real(v) && floor(json_real_value(v)) == json_real_value(v) &&
             fabs(json_real_value(v)) < 1e15)
        snprintf(buf, cap, "%.0f", json_real_value(v));
    else
        eng__value_text(v, buf, cap);
}

bool eng__param_visible(const mod_param *mp, const json_t *resolved)
{
    const char *cond = mp->visible_when;
    if (cond == NULL || cond[0] == '\0') return true;
    const char *eq = strchr(cond, '=');
    if (eq == NULL) return true; /* a malformed condition hides nothing */
    char name[128];
    snprintf(name, sizeof name, "%.*s", (int)(eq - cond), cond);
    const json_t *v = json_object_get(resolved, name);
    /* The controlling value is unknown (its reference did not resolve): check
     * the parameter anyway, as missing a problem is worse than one extra. */
    if (v == NULL) return true;
    char text[128];
    eng__condition_text(v, text, sizeof text);
    const char *s = eq + 1;
    for (;;) {
        const char *bar = strchr(s, '|');
        size_t len = bar != NULL ? (size_t)(bar - s) : strlen(s);
        if (strlen(text) == len && memcmp(text, s, len) == 0) return true;
        if (bar == NULL) return false;
        s = bar + 1;
    }
}

/* ---- propagation ------------------------------------------------------- */

/* Configure runs for the canvas, not for a person reading a log. */
static void eng__quiet_log(void *user, const char *line)
{
    (void)user;
    (void)line;
}

/* The upstream schema feeding input port k of node i: the first edge into it
 * whose far end exists and gives a table. NULL when unknown. */
static tbl_table *eng__input_schema(const eng_pipeline *p, const eng__graph *g, size_t i, size_t k,
                                    tbl_table ***schemas)
{
    const mod_port *in = &p->nodes[i].module->inputs[k];
    if (in->kind != MOD_TABLE) return NULL;
    for (size_t e = 0; e < p->nedges; e++) {
        if (g->to[e] != (int)i || strcmp(p->edges[e].to_port, in->name) != 0) continue;
        int from = g->from[e];
        if (from < 0 || (size_t)from == i || p->nodes[from].module == NULL || schemas[from] == NULL)
            return NULL;
        int port = mod_output_index(p->nodes[from].module, p->edges[e].from_port);
        if (port < 0 || p->nodes[from].module->outputs[port].kind != MOD_TABLE) return NULL;
        return schemas[from][port];
    }
    return NULL;
}

/* The input port a column parameter reads: the one it names, else the only
 * table input. -1 when there is none to check against. */
static int eng__column_input(const mod_descriptor *m, const mod_param *mp)
{
    if (mp->input != NULL) return mod_input_index(m, mp->input);
    int found = -1;
    for (size_t k = 0; k < m->ninputs; k++) {
        if (m->inputs[k].kind != MOD_TABLE) continue;
        if (found >= 0) return -1;
        found = (int)k;
    }
    return found;
}

/* A few column names, for a message that says what is there instead. */
static void eng__column_names(const tbl_table *t, wf_buf *b)
{
    size_t shown = t->ncols < 8 ? t->ncols : 8;
    for (size_t j = 0; j < shown; j++)
        wf_buf_printf(b, "%s\"%s\"", j ? ", " : "", t->cols[j].name);
    if (t->ncols > shown) wf_buf_printf(b, " and %zu more", t->ncols - shown);
    if (t->ncols == 0) wf_buf_puts(b, "none");
}

/* Checks the column and column-selection parameters of node i against its
 * input schemas (those that are known). */
static int eng__check_columns(const eng_pipeline *p, size_t i, const json_t *params,
                              const mod_ctx *ctx, eng_issues *issues)
{
    const eng_node *n = &p->nodes[i];
    const mod_descriptor *m = n->module;
    for (size_t k = 0; k < m->nparams; k++) {
        const mod_param *mp = &m->params[k];
        if (mp->type != MOD_PARAM_COLUMN && mp->type != MOD_PARAM_COLUMN_SELECTION) continue;
        if (!eng__param_visible(mp, params)) continue;
        int port = eng__column_input(m, mp);
        const json_t *v = json_object_get(params, mp->name);
        if (port < 0 || v == NULL || ctx->inputs[port].table == NULL) continue;
        if (eng__issue_known(issues, n->id, mp->name, "")) continue;
        const tbl_table *t = ctx->inputs[port].table;
        const char *input = m->inputs[port].name;
        int rc = 0;
        if (mp->type == MOD_PARAM_COLUMN) {
            const char *col = json_string_value(v);
            if (col == NULL || col[0] == '\0' || tbl_find_column(t, col) >= 0) continue;
            wf_buf names = {0};
            eng__column_names(t, &names);
            rc = eng__issue_add(issues, n->id, mp->name,
                                "column \"%s\" is not in input \"%s\" (its columns: %s)", col,
                                input, names.data ? names.data : "");
            bool failed = names.failed;
            wf_buf_free(&names);
            if (failed) rc = WF_ENOMEM;
        } else {
            tbl_selection sel;
            wf_error err = {0};
            if (!json_is_object(v) || tbl_selection_from_json(v, &sel, &err) < 0) {
                if (err.code == WF_ENOMEM) return WF_ENOMEM;
                continue; /* its shape is validation's to report */
            }
            size_t *idx = NULL, count = 0;
            if (tbl_selection_resolve(&sel, t, &idx, &count, &err) < 0)
                rc = err.code == WF_ENOMEM
                         ? WF_ENOMEM
                         : eng__issue_add(issues, n->id, mp->name, "\"%s\" on input \"%s\": %s",
                                          mp->name, input, err.message);
            free(idx);
            tbl_selection_clear(&sel);
        }
        if (rc < 0) return rc;
    }
    return 0;
}

/* Turns what configure reported into issues, skipping what is known. */
static int eng__configure_issues(const eng_node *n, const mod_ctx *ctx, int status,
                                 eng_issues *issues)
{
    for (size_t k = 0; k < ctx->nfield_errors; k++) {
        const mod_field_error *fe = &ctx->field_errors[k];
        const char *field = fe->field ? fe->field : "";
        if (eng__issue_known(issues, n->id, field, fe->message)) continue;
        if (eng__issue_add(issues, n->id, field, "%s", fe->message) < 0) return WF_ENOMEM;
    }
    /* ctx->err repeats the first field error; alone it is the node's. */
    if (status >= 0 || ctx->nfield_errors > 0) return 0;
    char message[WF_ERROR_MESSAGE_MAX];
    if (ctx->err.message[0] != '\0')
        snprintf(message, sizeof message, "%s", ctx->err.message);
    else
        snprintf(message, sizeof message, "could not work out the output schema: %s",
                 wf_strerror(status));
    if (eng__issue_known(issues, n->id, "", message)) return 0;
    return eng__issue_add(issues, n->id, "", "%s", message);
}

/* Configures node i: its inputs from schemas, its outputs into schemas[i]. */
static int eng__configure_node(const eng_pipeline *p, const eng__graph *g, size_t i,
                               const json_t *bindings, const eng_env *env,
                               const eng__propagate_opts *opts, tbl_table ***schemas,
                               eng_issues *issues)
{
    const eng_node *n = &p->nodes[i];
    const mod_descriptor *m = n->module;
    wf_error err = {0};
    const char *bad = NULL;
    json_t *params = eng__resolve_params(p, i, bindings, false, &bad, &err);
    if (params == NULL) {
        if (err.code == WF_ENOMEM) return WF_ENOMEM;
        if (!opts->report_graph) return 0; /* validation said so already */
        return eng__issue_add(issues, n->id, bad, "%s", err.message);
    }
    mod_ctx ctx;
    int rc = mod_ctx_init(&ctx, m, params);
    json_decref(params);
    if (rc < 0) {
        mod_ctx_clear(&ctx);
        return rc == WF_ENOMEM ? rc : 0;
    }
    ctx.node_id = n->id;
    ctx.schema_only = true;
    ctx.on_log = eng__quiet_log;
    ctx.load_dataset = env != NULL ? env->load_dataset : NULL;
    ctx.load_artifact = env != NULL ? env->load_artifact : NULL;
    ctx.user = env != NULL ? env->user : NULL;
    for (size_t k = 0; k < m->ninputs; k++) {
        ctx.inputs[k].table = eng__input_schema(p, g, i, k, schemas);
        ctx.inputs[k].borrowed = true;
    }
    rc = eng__check_columns(p, i, ctx.params, &ctx, issues);
    bool skip = opts->skip_configure != NULL && opts->skip_configure[i];
    if (rc == 0 && !skip && m->configure != NULL) {
        int status = m->configure(&ctx);
        if (status == WF_ENOMEM || ctx.err.code == WF_ENOMEM) rc = WF_ENOMEM;
        if (rc == 0) rc = eng__configure_issues(n, &ctx, status, issues);
        /* A configure that failed says nothing reliable about its outputs. */
        for (size_t k = 0; rc == 0 && status >= 0 && k < m->noutputs; k++) {
            tbl_table *t = ctx.outputs[k].table;
            if (t == NULL || ctx.outputs[k].borrowed) continue;
            ctx.outputs[k].table = NULL;
            if (t->nrows > 0) {
                /* The contract is zero rows; a module that hands over its data
                 * must not make every later check carry it. */
                tbl_table *empty = NULL;
                size_t none = 0;
                rc = tbl_take(t, &none, 0, &empty, NULL);
                tbl_free(t);
                t = empty;
            }
            schemas[i][k] = t;
        }
    }
    mod_ctx_clear(&ctx);
    return rc;
}

int eng__propagate(const eng_pipeline *p, const json_t *bindings, const eng_env *env,
                   const eng__propagate_opts *opts, tbl_table ****schemas, eng_issues *issues,
                   wf_error *err)
{
    *schemas = NULL;
    tbl_table ***all = wf_calloc(p->nnodes ? p->nnodes : 1, sizeof *all);
    size_t *order = NULL, count = 0;
    eng__graph g;
    if (all == NULL || eng__partial_order(p, &order, &count, err) < 0) {
        free(all);
        return wf_error_set(err, WF_ENOMEM, "out of memory propagating schemas");
    }
    if (eng__graph_build(p, &g) < 0) {
        free(all);
        free(order);
        return wf_error_set(err, WF_ENOMEM, "out of memory propagating schemas");
    }
    int rc = 0;
    /* Every node with a known module gets its row of schemas, even one that
     * is never configured, so callers can index schemas[i][k] freely. */
    for (size_t i = 0; rc == 0 && i < p->nnodes; i++) {
        size_t n = p->nodes[i].module ? p->nodes[i].module->noutputs : 0;
        if (p->nodes[i].module != NULL && (all[i] = wf_calloc(n ? n : 1, sizeof *all[i])) == NULL)
            rc = WF_ENOMEM;
    }
    if (rc == 0 && opts->report_graph && count < p->nnodes) {
        int cycles = eng__report_cycles(p, issues, NULL, 0);
        if (cycles < 0) rc = cycles;
    }
    /* Nodes on or below a cycle are not in the order: theirs stay unknown. */
    for (size_t k = 0; rc == 0 && k < count; k++)
        if (p->nodes[order[k]].module != NULL)
            rc = eng__configure_node(p, &g, order[k], bindings, env, opts, all, issues);
    free(order);
    eng__graph_free(&g);
    if (rc < 0) {
        eng_schemas_free(p, all);
        return wf_error_set(err, rc, "%s while propagating schemas", wf_strerror(rc));
    }
    *schemas = all;
    return 0;
}

int eng_propagate_schemas(const eng_pipeline *p, const json_t *bindings, const eng_env *env,
                          tbl_table ****schemas, eng_issues *issues, wf_error *err)
{
    if (schemas != NULL) *schemas = NULL;
    if (p == NULL || schemas == NULL || issues == NULL)
        return wf_error_set(err, WF_EINVAL, "eng_propagate_schemas: missing argument");
    eng__propagate_opts opts = {.skip_configure = NULL, .report_graph = true};
    return eng__propagate(p, bindings, env, &opts, schemas, issues, err);
}

void eng_schemas_free(const eng_pipeline *p, tbl_table ***schemas)
{
    if (schemas == NULL || p == NULL) return;
    for (size_t i = 0; i < p->nnodes; i++) {
        if (schemas[i] == NULL) continue;
        const mod_descriptor *m = p->nodes[i].module;
        for (size_t k = 0; m != NULL && k < m->noutputs; k++)
            tbl_free(schemas[i][k]);
        free(schemas[i]);
    }
    free(schemas);
}
