/*
 * fitted_test.h: helpers shared by the tests of the modules with a fitted
 * transform (test_normalize.c, test_clean.c, test_clip.c, test_bins.c,
 * test_transforms.c): running a module on a context, applying its transform
 * through Apply Transformation, comparing tables, and asking pandas for the
 * independent answer. Include it once, after cmocka.h.
 */
#ifndef WEFT_TESTS_FITTED_TEST_H
#define WEFT_TESTS_FITTED_TEST_H

#include "modules/modules_int.h"

#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static inline tbl_table *csv(const char *text)
{
    tbl_read_options opt = {
        .format = TBL_FORMAT_CSV, .header = TBL_HEADER_PRESENT, .delimiter = ','};
    tbl_table *t = NULL;
    wf_error err = {0};
    if (tbl_read_csv(text, strlen(text), &opt, &t, &err) < 0) fail_msg("%s", err.message);
    return t;
}

/* Sets up ctx for module ref with params (JSON text) and a borrowed input
 * table (port 0), then runs it, or configures it when schema_only. */
static inline int start(mod_ctx *ctx, const char *ref, const char *params_json, const tbl_table *in,
                        bool schema_only)
{
    json_error_t jerr;
    json_t *params = json_loads(params_json, 0, &jerr);
    if (params == NULL) fail_msg("bad test JSON: %s", jerr.text);
    const mod_descriptor *m = mod_find(ref);
    if (m == NULL) fail_msg("no module %s", ref);
    assert_int_equal(mod_ctx_init(ctx, m, params), 0);
    json_decref(params);
    ctx->inputs[0].table = (tbl_table *)in;
    ctx->inputs[0].borrowed = true;
    ctx->schema_only = schema_only;
    return schema_only ? m->configure(ctx) : m->run(ctx);
}

/* Output port `i` of a finished context. */
static inline const tbl_table *out_table(const mod_ctx *ctx, size_t i)
{
    assert_non_null(ctx->outputs[i].table);
    return ctx->outputs[i].table;
}

static inline json_t *out_json(const mod_ctx *ctx, size_t i)
{
    assert_non_null(ctx->outputs[i].json);
    return ctx->outputs[i].json;
}

static inline const char *field_error(const mod_ctx *ctx, const char *field)
{
    for (size_t i = 0; i < ctx->nfield_errors; i++)
        if (strcmp(ctx->field_errors[i].field, field) == 0) return ctx->field_errors[i].message;
    return NULL;
}

static inline void assert_contains(const char *haystack, const char *needle)
{
    if (haystack == NULL || strstr(haystack, needle) == NULL)
        fail_msg("\"%s\" does not contain \"%s\"", haystack ? haystack : "(null)", needle);
}

/* Runs apply-transformation@1 with transform tr on table t in ctx; returns
 * its code. The output (on success) is out_table(ctx, 0). */
static inline int apply_transform(mod_ctx *ctx, json_t *tr, const tbl_table *t, bool schema_only)
{
    const mod_descriptor *m = mod_find("apply-transformation@1");
    assert_non_null(m);
    assert_int_equal(mod_ctx_init(ctx, m, NULL), 0);
    int ti = mod_input_index(m, "transform"), di = mod_input_index(m, "dataset");
    ctx->inputs[ti].json = json_incref(tr);
    ctx->inputs[di].table = (tbl_table *)t;
    ctx->inputs[di].borrowed = true;
    ctx->schema_only = schema_only;
    return schema_only ? m->configure(ctx) : m->run(ctx);
}

/* The two tables are the same: names, types, roles, missing masks, values
 * (bit for bit) and dictionaries. The native encoding is a function of
 * exactly those, so equal bytes mean equal tables. */
static inline void assert_tables_equal(const tbl_table *a, const tbl_table *b)
{
    assert_int_equal(a->ncols, b->ncols);
    assert_int_equal(a->nrows, b->nrows);
    for (size_t j = 0; j < a->ncols; j++) {
        assert_string_equal(a->cols[j].name, b->cols[j].name);
        assert_int_equal(a->cols[j].type, b->cols[j].type);
        assert_int_equal(a->cols[j].role, b->cols[j].role);
    }
    uint8_t *x = NULL, *y = NULL;
    size_t nx = 0, ny = 0;
    wf_error err = {0};
    if (tbl_native_encode(a, &x, &nx, &err) < 0) fail_msg("%s", err.message);
    if (tbl_native_encode(b, &y, &ny, &err) < 0) fail_msg("%s", err.message);
    assert_int_equal(nx, ny);
    assert_memory_equal(x, y, nx);
    free(x);
    free(y);
}

/* Applies the transform the module wrote (output port ti) to its own input
 * and checks the result is its table output (port oi), exactly. */
static inline void assert_apply_reproduces(const mod_ctx *run, size_t oi, size_t ti,
                                           const tbl_table *in)
{
    mod_ctx ctx;
    int rc = apply_transform(&ctx, out_json(run, ti), in, false);
    if (rc != 0) fail_msg("apply failed: %s", ctx.err.message);
    assert_tables_equal(out_table(&ctx, 0), out_table(run, oi));
    mod_ctx_clear(&ctx);
}

/* Writes t as CSV to a new temporary file; returns its path (caller frees
 * and unlinks). */
static inline char *temp_csv(const tbl_table *t)
{
    char *path = strdup("/tmp/weft-fitted-XXXXXX.csv");
    int fd = mkstemps(path, 4);
    assert_true(fd >= 0);
    close(fd);
    wf_error err = {0};
    if (tbl_write_file(t, path, TBL_FORMAT_CSV, &err) < 0) fail_msg("%s", err.message);
    return path;
}

/* Runs a Python script with Debian's python3 on tables[0..n) (written as
 * CSV and read with pandas into the list `dfs`; `df` is dfs[0]) and parses
 * what it prints with out() as JSON. NaN prints as null. Python starts
 * slowly, so a test file asks it everything at once where it can. */
static inline json_t *python_json_tables(const char *script, const tbl_table *const *tables,
                                         size_t n)
{
    char spath[] = "/tmp/weft-fitted-XXXXXX.py";
    int fd = mkstemps(spath, 3);
    assert_true(fd >= 0);
    FILE *f = fdopen(fd, "w");
    fputs(
        "import sys, json, math\n"
        "import numpy as np, pandas as pd\n"
        "dfs = [pd.read_csv(p, skip_blank_lines=False, float_precision='round_trip')\n"
        "       for p in sys.argv[1:]]\n"
        "df = dfs[0] if dfs else None\n"
        "def clean(v):\n"
        "    if isinstance(v, (list, tuple, np.ndarray, pd.Series)): return [clean(x) for x in v]\n"
        "    if isinstance(v, dict): return {k: clean(x) for k, x in v.items()}\n"
        "    if isinstance(v, (np.floating, float)):\n"
        "        return None if math.isnan(v) or math.isinf(v) else float(v)\n"
        "    if isinstance(v, np.integer): return int(v)\n"
        "    if isinstance(v, np.bool_): return bool(v)\n"
        "    return v\n"
        "def out(v): print(json.dumps(clean(v)))\n",
        f);
    fputs(script, f);
    fclose(f);
    wf_buf cmd = {0};
    wf_buf_printf(&cmd, "/usr/bin/python3 %s", spath);
    char **paths = calloc(n ? n : 1, sizeof *paths);
    for (size_t i = 0; i < n; i++) {
        paths[i] = temp_csv(tables[i]);
        wf_buf_printf(&cmd, " %s", paths[i]);
    }
    FILE *p = popen(cmd.data, "r");
    assert_non_null(p);
    wf_buf b = {0};
    char chunk[4096];
    size_t got;
    while ((got = fread(chunk, 1, sizeof chunk, p)) > 0)
        wf_buf_append(&b, chunk, got);
    int status = pclose(p);
    unlink(spath);
    for (size_t i = 0; i < n; i++) {
        unlink(paths[i]);
        free(paths[i]);
    }
    free(paths);
    wf_buf_free(&cmd);
    if (status != 0) fail_msg("python failed (status %d): %s", status, b.data ? b.data : "");
    json_error_t jerr;
    json_t *v = json_loads(b.data ? b.data : "", JSON_DECODE_ANY, &jerr);
    if (v == NULL) fail_msg("python printed no JSON (%s): %s", jerr.text, b.data);
    wf_buf_free(&b);
    return v;
}

static inline json_t *python_json(const char *script, const tbl_table *t)
{
    return python_json_tables(script, &t, 1);
}

/* Value of row r of column c as a double, NAN when missing. */
static inline double cell(const tbl_column *c, size_t r)
{
    if (tbl_is_missing(c, r)) return NAN;
    switch (c->type) {
    case TBL_NUMERIC:
        return c->v.f64[r];
    case TBL_INTEGER:
        return (double)c->v.i64[r];
    case TBL_BOOLEAN:
        return c->v.b8[r];
    default:
        fail_msg("column \"%s\" is not a number", c->name);
    }
    return NAN;
}

/* Column `name` of t (fails when absent). */
static inline const tbl_column *col(const tbl_table *t, const char *name)
{
    int i = tbl_find_column(t, name);
    if (i < 0) fail_msg("no column \"%s\"", name);
    return &t->cols[i];
}

/* |a - b| <= tol, or both missing (NAN / JSON null). */
static inline void assert_close(double a, const json_t *want, double tol, const char *what,
                                size_t r)
{
    if (json_is_null(want)) {
        if (!isnan(a)) fail_msg("%s row %zu: %.17g, expected missing", what, r, a);
        return;
    }
    double b = json_number_value(want);
    if (isnan(a) || fabs(a - b) > tol) fail_msg("%s row %zu: %.17g, expected %.17g", what, r, a, b);
}

/* A table of n rows of `ncols` numeric columns x1.. of random normal
 * values (scaled by column), with about one missing value in `gap`. */
static inline tbl_table *random_table(size_t n, size_t ncols, unsigned gap, uint64_t seed)
{
    wf_rng rng = {.state = seed};
    tbl_table *t = tbl_new();
    t->nrows = n;
    for (size_t j = 0; j < ncols; j++) {
        char name[32];
        snprintf(name, sizeof name, "x%zu", j + 1);
        tbl_column c;
        assert_int_equal(tbl_column_init(&c, name, TBL_NUMERIC, n, NULL), 0);
        for (size_t r = 0; r < n; r++) {
            c.v.f64[r] = 1000.0 * (double)(j + 1) + 37.0 * (double)(j + 1) * wf_rng_normal(&rng);
            if (gap > 0 && wf_rng_below(&rng, gap) == 0) tbl_set_missing(&c, r, n);
        }
        assert_int_equal(tbl_add_column(t, &c, n, NULL), 0);
    }
    return t;
}

#endif
