/*
 * context.c: the run context a module sees (modules.h): setting it up and
 * tearing it down, inputs, typed parameters, outputs, logs, progress,
 * cancellation and failures, plus the private helpers of modules_int.h.
 *
 * Every failure a module reports lands in ctx->err (the first one wins, so a
 * caller's context never overwrites the root cause). Parameter problems also
 * land in ctx->field_errors, named by field, so the canvas can mark the very
 * field that is wrong.
 */
#include "modules_int.h"

#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- setting up and clearing ------------------------------------------- */

/* Fills every parameter that is absent (or null) with its descriptor
 * default, so modules always see the canonical value. The engine does the
 * same before a run; doing it here too lets tests and `weft step` hand in
 * only what they mean to change. */
static int mod__fill_defaults(json_t *params, const mod_descriptor *m)
{
    for (size_t i = 0; i < m->nparams; i++) {
        const mod_param *p = &m->params[i];
        json_t *have = json_object_get(params, p->name);
        if (p->type == MOD_PARAM_STRING && json_is_number(have)) {
            /* A number given for a string reads as its digits (a dataset
             * version 2, a REST client's parameter), as validation allows. */
            char digits[64];
            if (json_is_integer(have))
                snprintf(digits, sizeof digits, "%lld", (long long)json_integer_value(have));
            else
                snprintf(digits, sizeof digits, "%.17g", json_real_value(have));
            if (json_object_set_new(params, p->name, json_string(digits)) < 0) return WF_ENOMEM;
            continue;
        }
        if (p->default_json == NULL) continue;
        if (have != NULL && !json_is_null(have)) continue;
        /* A default that does not parse is a descriptor bug; the registry
         * tests catch it, and here it just leaves the parameter unset. */
        json_t *value = json_loads(p->default_json, JSON_DECODE_ANY, NULL);
        if (value == NULL) continue;
        if (json_object_set_new(params, p->name, value) < 0) return WF_ENOMEM;
    }
    return 0;
}

int mod_ctx_init(mod_ctx *ctx, const mod_descriptor *m, json_t *params)
{
    memset(ctx, 0, sizeof *ctx);
    ctx->module = m;
    if (m == NULL) return wf_error_set(&ctx->err, WF_EINVAL, "no module given");
    if (params != NULL && !json_is_object(params))
        return wf_error_set(&ctx->err, WF_EINVAL, "%s@%d: parameters must be a JSON object",
                            m->name, m->version);
    /* A shallow copy: filling defaults must not change the caller's object. */
    ctx->params = params != NULL ? json_copy(params) : json_object();
    ctx->inputs = wf_calloc(m->ninputs, sizeof *ctx->inputs);
    ctx->outputs = wf_calloc(m->noutputs, sizeof *ctx->outputs);
    if (ctx->params == NULL || ctx->inputs == NULL || ctx->outputs == NULL ||
        mod__fill_defaults(ctx->params, m) < 0) {
        mod_ctx_clear(ctx);
        return wf_error_set(&ctx->err, WF_ENOMEM, "out of memory setting up %s@%d", m->name,
                            m->version);
    }
    for (size_t i = 0; i < m->ninputs; i++)
        ctx->inputs[i].kind = m->inputs[i].kind;
    for (size_t i = 0; i < m->noutputs; i++)
        ctx->outputs[i].kind = m->outputs[i].kind;
    return 0;
}

static void mod__value_clear(mod_value *v)
{
    if (!v->borrowed) tbl_free(v->table);
    json_decref(v->json);
    v->table = NULL;
    v->json = NULL;
    v->borrowed = false;
}

void mod_ctx_clear(mod_ctx *ctx)
{
    if (ctx == NULL) return;
    const mod_descriptor *m = ctx->module;
    for (size_t i = 0; ctx->inputs != NULL && m != NULL && i < m->ninputs; i++)
        mod__value_clear(&ctx->inputs[i]);
    for (size_t i = 0; ctx->outputs != NULL && m != NULL && i < m->noutputs; i++)
        mod__value_clear(&ctx->outputs[i]);
    free(ctx->inputs);
    free(ctx->outputs);
    ctx->inputs = ctx->outputs = NULL;
    for (size_t i = 0; i < ctx->nfield_errors; i++) {
        free(ctx->field_errors[i].field);
        free(ctx->field_errors[i].message);
    }
    free(ctx->field_errors);
    ctx->field_errors = NULL;
    ctx->nfield_errors = 0;
    json_decref(ctx->params);
    ctx->params = NULL;
}

bool mod_cacheable(const mod_descriptor *m, const json_t *params)
{
    return m == NULL || m->cacheable == NULL || m->cacheable(params);
}

/* ---- inputs ------------------------------------------------------------ */

const tbl_table *mod_input_table(mod_ctx *ctx, const char *port)
{
    int i = mod_input_index(ctx->module, port);
    if (i < 0 || ctx->inputs == NULL || ctx->inputs[i].kind != MOD_TABLE) return NULL;
    return ctx->inputs[i].table;
}

const json_t *mod_input_json(mod_ctx *ctx, const char *port)
{
    int i = mod_input_index(ctx->module, port);
    if (i < 0 || ctx->inputs == NULL || ctx->inputs[i].kind == MOD_TABLE) return NULL;
    return ctx->inputs[i].json;
}

/* ---- failures ---------------------------------------------------------- */

int mod_fail(mod_ctx *ctx, int code, const char *fmt, ...)
{
    /* A success code here would let a failed step look completed. */
    if (code >= 0) code = WF_EINVAL;
    va_list ap;
    va_start(ap, fmt);
    wf_error_setv(&ctx->err, code, fmt, ap);
    va_end(ap);
    return code;
}

int mod_fail_with(mod_ctx *ctx, const wf_error *err)
{
    if (err == NULL || err->code >= 0)
        return mod_fail(ctx, WF_EINVAL, "%s failed without saying why", ctx->module->name);
    return mod_fail(ctx, err->code, "%s", err->message);
}

/* Appends {field, message} to ctx->field_errors; false on OOM. */
static bool mod__push_field_error(mod_ctx *ctx, const char *field, const char *message)
{
    mod_field_error *grown =
        wf_reallocarray(ctx->field_errors, ctx->nfield_errors + 1, sizeof *grown);
    if (grown == NULL) return false;
    ctx->field_errors = grown;
    char *f = wf_strdup(field), *m = wf_strdup(message);
    if (f == NULL || m == NULL) {
        free(f);
        free(m);
        return false;
    }
    grown[ctx->nfield_errors].field = f;
    grown[ctx->nfield_errors].message = m;
    ctx->nfield_errors++;
    return true;
}

static int mod__field_errorv(mod_ctx *ctx, const char *field, int code, const char *fmt, va_list ap)
{
    if (field == NULL) field = "";
    char message[WF_ERROR_MESSAGE_MAX];
    vsnprintf(message, sizeof message, fmt, ap);
    if (!mod__push_field_error(ctx, field, message))
        return mod_fail(ctx, WF_ENOMEM, "out of memory recording a parameter error");
    /* The run-time failure names the field too, since a run has no canvas. */
    if (field[0] != '\0') return mod_fail(ctx, code, "parameter \"%s\": %s", field, message);
    return mod_fail(ctx, code, "%s", message);
}

int mod__field_error(mod_ctx *ctx, const char *field, int code, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int rc = mod__field_errorv(ctx, field, code, fmt, ap);
    va_end(ap);
    return rc;
}

int mod_param_error(mod_ctx *ctx, const char *field, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    mod__field_errorv(ctx, field, WF_EINVAL, fmt, ap);
    va_end(ap);
    return WF_EINVAL;
}

/* ---- parameters -------------------------------------------------------- */

const mod_param *mod__param_spec(const mod_ctx *ctx, const char *name)
{
    int i = mod_param_index(ctx->module, name);
    return i < 0 ? NULL : &ctx->module->params[i];
}

const json_t *mod_param_value(mod_ctx *ctx, const char *name)
{
    return json_object_get(ctx->params, name);
}

/* The parameter's value, or a WF_ENOTFOUND field error when it is absent. */
static const json_t *mod__param_present(mod_ctx *ctx, const char *name)
{
    const json_t *v = json_object_get(ctx->params, name);
    if (v == NULL || json_is_null(v)) {
        mod__field_error(ctx, name, WF_ENOTFOUND, "a value is required");
        return NULL;
    }
    return v;
}

/* Checks v against the descriptor's range for `name`, if it has one. */
static int mod__check_range(mod_ctx *ctx, const char *name, double v)
{
    const mod_param *p = mod__param_spec(ctx, name);
    if (p == NULL) return 0;
    if (p->has_min && v < p->min)
        return mod__field_error(ctx, name, WF_EINVAL, "%.17g is below the minimum, %.17g", v,
                                p->min);
    if (p->has_max && v > p->max)
        return mod__field_error(ctx, name, WF_EINVAL, "%.17g is above the maximum, %.17g", v,
                                p->max);
    return 0;
}

static const char *mod__json_kind(const json_t *v)
{
    switch (json_typeof(v)) {
    case JSON_OBJECT:
        return "an object";
    case JSON_ARRAY:
        return "an array";
    case JSON_STRING:
        return "a string";
    case JSON_INTEGER:
        return "an integer";
    case JSON_REAL:
        return "a number";
    case JSON_TRUE:
    case JSON_FALSE:
        return "a boolean";
    case JSON_NULL:
        break;
    }
    return "null";
}

int mod_param_int(mod_ctx *ctx, const char *name, int64_t *out)
{
    const json_t *v = mod__param_present(ctx, name);
    if (v == NULL) return WF_ENOTFOUND;
    if (json_is_integer(v)) {
        *out = (int64_t)json_integer_value(v);
    } else if (json_is_real(v) && floor(json_real_value(v)) == json_real_value(v) &&
               fabs(json_real_value(v)) < 9.0e15) {
        /* 3.0 is a whole number, as JavaScript clients often send it. */
        *out = (int64_t)json_real_value(v);
    } else if (json_is_real(v)) {
        return mod__field_error(ctx, name, WF_ETYPE, "%.17g is not a whole number",
                                json_real_value(v));
    } else {
        return mod__field_error(ctx, name, WF_ETYPE, "expected an integer, got %s",
                                mod__json_kind(v));
    }
    return mod__check_range(ctx, name, (double)*out);
}

int mod_param_number(mod_ctx *ctx, const char *name, double *out)
{
    const json_t *v = mod__param_present(ctx, name);
    if (v == NULL) return WF_ENOTFOUND;
    if (!json_is_number(v))
        return mod__field_error(ctx, name, WF_ETYPE, "expected a number, got %s",
                                mod__json_kind(v));
    *out = json_number_value(v);
    return mod__check_range(ctx, name, *out);
}

int mod_param_bool(mod_ctx *ctx, const char *name, bool *out)
{
    const json_t *v = mod__param_present(ctx, name);
    if (v == NULL) return WF_ENOTFOUND;
    if (!json_is_boolean(v))
        return mod__field_error(ctx, name, WF_ETYPE, "expected true or false, got %s",
                                mod__json_kind(v));
    *out = json_is_true(v);
    return 0;
}

const char *mod_param_string(mod_ctx *ctx, const char *name)
{
    return json_string_value(json_object_get(ctx->params, name));
}

int mod_param_selection(mod_ctx *ctx, const char *name, tbl_selection *out)
{
    memset(out, 0, sizeof *out);
    const json_t *v = mod__param_present(ctx, name);
    if (v == NULL) return WF_ENOTFOUND;
    wf_error err = {0};
    if (tbl_selection_from_json(v, out, &err) < 0)
        return mod__field_error(ctx, name, err.code, "%s", err.message);
    return 0;
}

int mod__param_choice(mod_ctx *ctx, const char *name, size_t *index)
{
    const mod_param *p = mod__param_spec(ctx, name);
    const json_t *v = mod__param_present(ctx, name);
    if (v == NULL) return WF_ENOTFOUND;
    const char *s = json_string_value(v);
    if (s == NULL)
        return mod__field_error(ctx, name, WF_ETYPE, "expected one of the choices, got %s",
                                mod__json_kind(v));
    if (p == NULL || p->choices == NULL)
        return mod_fail(ctx, WF_EINVAL, "%s: \"%s\" is not an enum parameter", ctx->module->name,
                        name);
    wf_buf list = {0};
    for (size_t i = 0; p->choices[i] != NULL; i++) {
        if (strcmp(p->choices[i], s) == 0) {
            wf_buf_free(&list);
            *index = i;
            return 0;
        }
        wf_buf_printf(&list, "%s\"%s\"", i ? ", " : "", p->choices[i]);
    }
    int rc = mod__field_error(ctx, name, WF_EINVAL, "\"%s\" is not one of %s", s,
                              list.data ? list.data : "the choices");
    wf_buf_free(&list);
    return rc;
}

int mod__resolve_selection(mod_ctx *ctx, const char *name, const tbl_table *t, size_t **indices,
                           size_t *count)
{
    *indices = NULL;
    *count = 0;
    tbl_selection sel;
    int rc = mod_param_selection(ctx, name, &sel);
    if (rc < 0) return rc;
    wf_error err = {0};
    rc = tbl_selection_resolve(&sel, t, indices, count, &err);
    tbl_selection_clear(&sel);
    if (rc < 0) return mod__field_error(ctx, name, rc, "%s", err.message);
    if (*count == 0) {
        free(*indices);
        *indices = NULL;
        return mod__field_error(ctx, name, WF_EINVAL, "the selection matches no column");
    }
    return 0;
}

int mod__column_param(mod_ctx *ctx, const char *name, const tbl_table *t, size_t *index)
{
    const json_t *v = mod__param_present(ctx, name);
    if (v == NULL) return WF_ENOTFOUND;
    const char *col = json_string_value(v);
    if (col == NULL)
        return mod__field_error(ctx, name, WF_ETYPE, "expected a column name, got %s",
                                mod__json_kind(v));
    if (col[0] == '\0') return mod__field_error(ctx, name, WF_ENOTFOUND, "a column is required");
    int i = tbl_find_column(t, col);
    if (i < 0)
        return mod__field_error(ctx, name, WF_ENOTFOUND, "no column named \"%s\" in the input",
                                col);
    *index = (size_t)i;
    return 0;
}

/* ---- outputs ----------------------------------------------------------- */

/* The output slot for `port`, or NULL with ctx->err set. */
static mod_value *mod__output_slot(mod_ctx *ctx, const char *port, bool table)
{
    int i = mod_output_index(ctx->module, port);
    if (i < 0 || ctx->outputs == NULL) {
        mod_fail(ctx, WF_ENOTFOUND, "%s has no output port \"%s\"", ctx->module->name, port);
        return NULL;
    }
    mod_value *slot = &ctx->outputs[i];
    if ((slot->kind == MOD_TABLE) != table) {
        mod_fail(ctx, WF_ETYPE, "output port \"%s\" holds a %s, not a %s", port,
                 mod_port_kind_name(slot->kind), table ? "table" : "JSON value");
        return NULL;
    }
    /* Setting an output twice keeps the last value. */
    mod__value_clear(slot);
    return slot;
}

int mod_output_table(mod_ctx *ctx, const char *port, tbl_table *t)
{
    mod_value *slot = mod__output_slot(ctx, port, true);
    if (slot == NULL) {
        tbl_free(t);
        return ctx->err.code;
    }
    if (ctx->schema_only && t != NULL && t->nrows > 0) {
        /* Configure promises schemas; a module that computed rows anyway
         * (given inputs with rows) still hands on only the schema. */
        tbl_table *schema = NULL;
        int rc = mod__schema_of(ctx, t, &schema);
        tbl_free(t);
        if (rc < 0) return rc;
        t = schema;
    }
    slot->table = t;
    return 0;
}

int mod_output_json(mod_ctx *ctx, const char *port, json_t *json)
{
    mod_value *slot = mod__output_slot(ctx, port, false);
    if (slot == NULL) {
        json_decref(json);
        return ctx->err.code;
    }
    slot->json = json;
    return 0;
}

int mod__schema_of(mod_ctx *ctx, const tbl_table *t, tbl_table **out)
{
    wf_error err = {0};
    /* Taking no rows keeps names, types, roles and dictionaries. */
    int rc = tbl_take(t, NULL, 0, out, &err);
    return rc < 0 ? mod_fail_with(ctx, &err) : 0;
}

int mod__output_schema(mod_ctx *ctx, const char *port, const tbl_table *t)
{
    if (t == NULL) return 0;
    tbl_table *schema = NULL;
    int rc = mod__schema_of(ctx, t, &schema);
    if (rc < 0) return rc;
    return mod_output_table(ctx, port, schema);
}

/* ---- logs, progress, cancellation -------------------------------------- */

void mod_log(mod_ctx *ctx, const char *fmt, ...)
{
    char line[2048];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(line, sizeof line, fmt, ap);
    va_end(ap);
    if (ctx->on_log != NULL) {
        ctx->on_log(ctx->user, line);
        return;
    }
    const char *who = ctx->node_id ? ctx->node_id : ctx->module ? ctx->module->name : "module";
    fprintf(stderr, "[%s] %s\n", who, line);
}

void mod_progress(mod_ctx *ctx, double fraction)
{
    if (ctx->on_progress == NULL || isnan(fraction)) return;
    ctx->on_progress(ctx->user, fraction < 0 ? 0 : fraction > 1 ? 1 : fraction);
}

bool mod_cancelled(const mod_ctx *ctx)
{
    return ctx->cancel != NULL && *ctx->cancel != 0;
}
