/*
 * fitted.c: the fitted-transform JSON and the fit-then-apply pattern that
 * the transformation modules share (fitted.h): writing a transform, binding
 * a new table to the columns it was fitted on, reading its state safely (a
 * transform may come from a file a person edited), and small helpers over
 * columns and values.
 */
#include "fitted.h"

#include <jansson.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* ---- run and configure -------------------------------------------------- */

int mod__fit_and_apply(mod_ctx *ctx, const char *in_port, const char *table_port,
                       const char *transform_port, mod__fit_fn fit)
{
    const tbl_table *in = mod_input_table(ctx, in_port);
    if (in == NULL && !ctx->schema_only)
        return mod_fail(ctx, WF_EINVAL, "input \"%s\" is missing", in_port);
    json_t *tr = NULL;
    int rc = fit(ctx, in, &tr);
    if (rc < 0 || tr == NULL) {
        json_decref(tr);
        if (rc == 0 && !ctx->schema_only)
            rc = mod_fail(ctx, WF_EINVAL, "%s fitted no transform", ctx->module->name);
        return rc; /* configure: the output schema depends on the data */
    }
    if (mod_cancelled(ctx)) {
        json_decref(tr);
        return mod_fail(ctx, WF_ECANCELED, "cancelled");
    }
    tbl_table *out = NULL;
    rc = ctx->module->apply(ctx, tr, in, &out);
    if (rc < 0) {
        json_decref(tr);
        return rc;
    }
    rc = mod_output_table(ctx, table_port, out);
    if (ctx->schema_only) {
        json_decref(tr);
        return rc;
    }
    int rc2 = mod_output_json(ctx, transform_port, tr);
    return rc < 0 ? rc : rc2;
}

/* ---- the transform JSON ------------------------------------------------- */

void mod__module_ref(const mod_descriptor *m, char *buf, size_t cap)
{
    snprintf(buf, cap, "%s@%d", m->name, m->version);
}

json_t *mod__json_number(double d)
{
    return isfinite(d) ? json_real(d) : json_null();
}

json_t *mod__transform_new(mod_ctx *ctx, const mod_descriptor *m, const tbl_table *t,
                           const size_t *idx, size_t n, json_t *state)
{
    char ref[128];
    mod__module_ref(m, ref, sizeof ref);
    json_t *tr = json_object();
    json_t *cols = json_array();
    bool ok = tr != NULL && cols != NULL && state != NULL;
    for (size_t k = 0; ok && k < n; k++) {
        const tbl_column *c = &t->cols[idx[k]];
        json_t *col = json_pack("{s:s, s:s}", "name", c->name, "type", tbl_type_name(c->type));
        ok = json_array_append_new(cols, col) == 0;
    }
    if (ok) ok = json_object_set_new(tr, "kind", json_string("transform")) == 0;
    if (ok) ok = json_object_set_new(tr, "module", json_string(ref)) == 0;
    if (ok) {
        ok = json_object_set(tr, "columns", cols) == 0;
        ok = ok && json_object_set(tr, "state", state) == 0;
    }
    json_decref(cols);
    json_decref(state);
    if (!ok) {
        json_decref(tr);
        mod_fail(ctx, WF_ENOMEM, "out of memory writing the %s transform", ref);
        return NULL;
    }
    return tr;
}

/* Whether a column of type `got` can stand for one fitted as `want`: the
 * same type, or both number types (integer and numeric), or both text
 * types (string and categorical). The modules read either of a pair. */
static bool mod__types_fit(tbl_type want, tbl_type got)
{
    bool want_text = want == TBL_STRING || want == TBL_CATEGORICAL;
    bool got_text = got == TBL_STRING || got == TBL_CATEGORICAL;
    if (want == got) return true;
    if (mod__is_number_type(want) && mod__is_number_type(got)) return true;
    return want_text && got_text;
}

void mod__bound_clear(mod__bound *b)
{
    free(b->idx);
    memset(b, 0, sizeof *b);
}

int mod__transform_bind(mod_ctx *ctx, const mod_descriptor *m, const json_t *tr,
                        const tbl_table *in, mod__bound *b)
{
    memset(b, 0, sizeof *b);
    char ref[128];
    mod__module_ref(m, ref, sizeof ref);
    const char *kind = json_string_value(json_object_get(tr, "kind"));
    if (!json_is_object(tr) || kind == NULL || strcmp(kind, "transform") != 0)
        return mod_fail(ctx, WF_EINVAL,
                        "not a fitted transform: its \"kind\" is not \"transform\"");
    const char *module = json_string_value(json_object_get(tr, "module"));
    if (module == NULL || mod_find(module) != m)
        return mod_fail(ctx, WF_EINVAL, "this transform was fitted by %s, not by %s",
                        module != NULL ? module : "an unnamed module", ref);
    const json_t *cols = json_object_get(tr, "columns");
    b->state = json_object_get(tr, "state");
    if (!json_is_array(cols) || !json_is_object(b->state))
        return mod_fail(ctx, WF_EINVAL, "the %s transform has no \"columns\" array or no \"state\"",
                        ref);
    if (in == NULL) return mod_fail(ctx, WF_EINVAL, "no table to apply the %s transform to", ref);
    b->n = json_array_size(cols);
    b->idx = wf_calloc(b->n ? b->n : 1, sizeof *b->idx);
    if (b->idx == NULL)
        return mod_fail(ctx, WF_ENOMEM, "out of memory applying the %s transform", ref);
    int rc = 0;
    for (size_t k = 0; k < b->n && rc == 0; k++) {
        const json_t *col = json_array_get(cols, k);
        const char *name = json_string_value(json_object_get(col, "name"));
        const char *type = json_string_value(json_object_get(col, "type"));
        tbl_type want;
        if (name == NULL || type == NULL || tbl_type_parse(type, &want) < 0) {
            rc = mod_fail(ctx, WF_EINVAL, "the %s transform's column %zu has no name or type", ref,
                          k + 1);
            break;
        }
        int i = tbl_find_column(in, name);
        if (i < 0) {
            rc = mod_fail(ctx, WF_ENOTFOUND,
                          "the table has no column \"%s\", which the %s transform was fitted on",
                          name, ref);
            break;
        }
        b->idx[k] = (size_t)i;
        tbl_type got = in->cols[i].type;
        if (!mod__types_fit(want, got))
            rc = mod_fail(ctx, WF_ETYPE,
                          "column \"%s\" is %s, but the %s transform was fitted on a %s column",
                          name, tbl_type_name(got), ref, tbl_type_name(want));
    }
    if (rc < 0) {
        mod__bound_clear(b);
        return rc;
    }
    b->t = in;
    return 0;
}

/* ---- reading the state -------------------------------------------------- */

static int mod__bad_state(mod_ctx *ctx, const mod_descriptor *m, const char *key, const char *what)
{
    char ref[128];
    mod__module_ref(m, ref, sizeof ref);
    return mod_fail(ctx, WF_EINVAL, "the %s transform is damaged: \"%s\" %s", ref, key, what);
}

const json_t *mod__state_list(mod_ctx *ctx, const mod_descriptor *m, const json_t *state,
                              const char *key, size_t n)
{
    const json_t *list = json_object_get(state, key);
    if (!json_is_array(list) || json_array_size(list) != n) {
        char what[96];
        snprintf(what, sizeof what, "is not a list of %zu entries, one per column", n);
        mod__bad_state(ctx, m, key, what);
        return NULL;
    }
    for (size_t k = 0; k < n; k++)
        if (!json_is_object(json_array_get(list, k))) {
            mod__bad_state(ctx, m, key, "holds an entry that is not an object");
            return NULL;
        }
    return list;
}

int mod__state_number(mod_ctx *ctx, const mod_descriptor *m, const json_t *obj, const char *key,
                      double *out)
{
    const json_t *v = json_object_get(obj, key);
    if (json_is_null(v)) {
        *out = NAN;
        return 0;
    }
    if (!json_is_number(v)) return mod__bad_state(ctx, m, key, "is not a number");
    *out = json_number_value(v);
    return 0;
}

int mod__state_bool(mod_ctx *ctx, const mod_descriptor *m, const json_t *obj, const char *key,
                    bool *out)
{
    const json_t *v = json_object_get(obj, key);
    if (!json_is_boolean(v)) return mod__bad_state(ctx, m, key, "is not true or false");
    *out = json_is_true(v);
    return 0;
}

const char *mod__state_string(mod_ctx *ctx, const mod_descriptor *m, const json_t *obj,
                              const char *key)
{
    const char *s = json_string_value(json_object_get(obj, key));
    if (s == NULL) mod__bad_state(ctx, m, key, "is not a string");
    return s;
}

/* ---- columns and values ------------------------------------------------- */

static int mod__compare_doubles(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

int mod__sorted_numbers(mod_ctx *ctx, const tbl_column *c, size_t nrows, double **out, size_t *n)
{
    *out = NULL;
    *n = 0;
    double *v = wf_mallocarray(nrows ? nrows : 1, sizeof *v);
    if (v == NULL) return mod_fail(ctx, WF_ENOMEM, "out of memory sorting column \"%s\"", c->name);
    size_t k = 0;
    for (size_t r = 0; r < nrows; r++)
        if (mod__has_number(c, r)) v[k++] = mod__number_at(c, r);
    qsort(v, k, sizeof *v, mod__compare_doubles);
    if (k == 0) {
        free(v);
        v = NULL;
    }
    *out = v;
    *n = k;
    return 0;
}

double mod__quantile_sorted(const double *sorted, size_t n, double q)
{
    /* numpy's "linear" method: the virtual index (n - 1) q, clamped to the
     * ends, then its lerp, which takes the form exact at t = 1 for t >= 0.5
     * so that the result never overshoots the right neighbour. */
    double virt = (double)(n - 1) * q;
    if (!(virt < (double)(n - 1))) return sorted[n - 1];
    if (virt < 0) return sorted[0];
    double below = floor(virt);
    size_t i = (size_t)below;
    double t = virt - below;
    double a = sorted[i], b = sorted[i + 1];
    double diff = b - a;
    return t >= 0.5 ? b - diff * (1 - t) : a + diff * t;
}

int mod__add_column_unique(mod_ctx *ctx, tbl_table *t, tbl_column *c)
{
    if (tbl_find_column(t, c->name) >= 0) {
        size_t cap = strlen(c->name) + 32;
        char *name = malloc(cap);
        if (name == NULL) {
            tbl_column_clear(c);
            return mod_fail(ctx, WF_ENOMEM, "out of memory naming a column");
        }
        /* Each probe is a new name and t has finitely many columns. */
        for (size_t k = 2;; k++) {
            snprintf(name, cap, "%s (%zu)", c->name, k);
            if (tbl_find_column(t, name) < 0) break;
        }
        free(c->name);
        c->name = name;
    }
    wf_error err = {0};
    if (tbl_add_column(t, c, t->nrows, &err) < 0) {
        tbl_column_clear(c);
        return mod_fail_with(ctx, &err);
    }
    return 0;
}

int mod__column_for_writing(mod_ctx *ctx, tbl_column *c, const char *name, tbl_type type,
                            size_t nrows)
{
    size_t width = tbl_type_width(type);
    /* Strings have no fixed-width values to leave unset. */
    size_t rows = width == 0 ? nrows : 0;
    int rc = tbl_column_init(c, name, type, rows, NULL);
    if (rc == 0 && width > 0) {
        void *p = wf_alloc_large(nrows, width);
        if (p == NULL) {
            tbl_column_clear(c);
            rc = WF_ENOMEM;
        } else {
            free(c->v.f64);
            c->v.f64 = p;
        }
    }
    if (rc < 0 && ctx != NULL)
        return mod_fail(ctx, WF_ENOMEM, "out of memory for column \"%s\"", name);
    return rc;
}

/* One worker of mod__parallel_for: takes the next index until none is
 * left, so that uneven items spread over the threads. */
typedef struct mod__parallel {
    void (*fn)(void *arg, size_t k);
    void *arg;
    size_t n;
    atomic_size_t next;
} mod__parallel;

static void *mod__parallel_main(void *p)
{
    mod__parallel *job = p;
    for (size_t k; (k = atomic_fetch_add(&job->next, 1)) < job->n;)
        job->fn(job->arg, k);
    return NULL;
}

void mod__parallel_for(size_t n, size_t work, void (*fn)(void *arg, size_t k), void *arg)
{
    enum { MOD__MAX_THREADS = 8 };
    mod__parallel job = {.fn = fn, .arg = arg, .n = n};
    atomic_init(&job.next, 0);
    long cores = sysconf(_SC_NPROCESSORS_ONLN);
    size_t threads = cores > 1 ? (size_t)cores : 1;
    if (threads > MOD__MAX_THREADS) threads = MOD__MAX_THREADS;
    if (threads > n) threads = n;
    /* Starting a thread costs tens of microseconds: below a million
     * values, one thread is faster. */
    if (work < ((size_t)1 << 20)) threads = 1;
    pthread_t tid[MOD__MAX_THREADS];
    bool started[MOD__MAX_THREADS] = {false};
    for (size_t i = 1; i < threads; i++)
        started[i] = pthread_create(&tid[i], NULL, mod__parallel_main, &job) == 0;
    /* The caller works too, and finishes alone if no thread started. */
    mod__parallel_main(&job);
    for (size_t i = 1; i < threads; i++)
        if (started[i]) pthread_join(tid[i], NULL);
}

tbl_table *mod__empty_like(mod_ctx *ctx, const tbl_table *t)
{
    tbl_table *out = tbl_new();
    if (out == NULL) {
        mod_fail(ctx, WF_ENOMEM, "out of memory making a table");
        return NULL;
    }
    out->nrows = t->nrows;
    return out;
}

int mod__copy_column(mod_ctx *ctx, tbl_table *out, const tbl_table *t, size_t i)
{
    wf_error err = {0};
    tbl_column c;
    if (tbl_column_copy(&c, &t->cols[i], t->nrows, &err) < 0) return mod_fail_with(ctx, &err);
    return mod__add_column_unique(ctx, out, &c);
}
