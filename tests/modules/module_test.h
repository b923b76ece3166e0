/*
 * module_test.h: what the tests of modules share (tests/modules/test_*.c):
 * tables from CSV text and their cells; running a module on a context and
 * taking its outputs, field errors and messages; fitted transforms applied
 * through Apply Transformation; temporary directories and files; and the
 * Python peer, Debian's /usr/bin/python3 with numpy, pandas, scipy and
 * scikit-learn, whose answers the tests compare against.
 *
 * Every helper fails the test (cmocka's fail_msg) instead of returning an
 * error. It includes cmocka.h itself, so a test may include it alone.
 *
 *     tbl_table *t = mt_csv("x,y\n1,2\n3,4\n");
 *     mod_ctx ctx;
 *     mt_ok(&ctx, mt_run(&ctx, "normalize-data@1", "{}", t, false));
 *     const tbl_table *out = mt_table(&ctx, 0);
 *     ...
 *     mod_ctx_clear(&ctx);
 *     tbl_free(t);
 */
#ifndef WEFT_TESTS_MODULE_TEST_H
#define WEFT_TESTS_MODULE_TEST_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "modules/modules_int.h"

#include <ftw.h>
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* ---- tables -------------------------------------------------------------- */

/* A table from CSV text with a header row (types guessed as the reader
 * guesses them). */
static inline tbl_table *mt_csv(const char *text)
{
    tbl_read_options opt = {
        .format = TBL_FORMAT_CSV, .header = TBL_HEADER_PRESENT, .delimiter = ','};
    tbl_table *t = NULL;
    wf_error err = {0};
    if (tbl_read_csv(text, strlen(text), &opt, &t, &err) < 0) fail_msg("%s", err.message);
    return t;
}

/* Column `name` of t (fails when absent). */
static inline const tbl_column *mt_column(const tbl_table *t, const char *name)
{
    int i = tbl_find_column(t, name);
    if (i < 0) fail_msg("no column \"%s\"", name);
    return &t->cols[i];
}

/* Row r of a number column (numeric, integer or boolean) as a double, NAN
 * when missing. */
static inline double mt_cell(const tbl_column *c, size_t r)
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

/* A table of n rows of `ncols` numeric columns x1.. of random normal
 * values (scaled by column), with about one missing value in `gap` (0:
 * none). */
static inline tbl_table *mt_random_table(size_t n, size_t ncols, unsigned gap, uint64_t seed)
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

/* The two tables are the same: names, types, roles, missing masks, values
 * (bit for bit) and dictionaries. The native encoding is a function of
 * exactly those, so equal bytes mean equal tables. */
static inline void mt_assert_tables_equal(const tbl_table *a, const tbl_table *b)
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

/* The first column (integer ids) rises strictly: rows kept their order. */
static inline bool mt_ids_ascend(const tbl_table *t)
{
    for (size_t r = 1; r < t->nrows; r++)
        if (t->cols[0].v.i64[r] <= t->cols[0].v.i64[r - 1]) return false;
    return true;
}

/* |a - b| <= tol, or both missing (NAN / JSON null); `what` and row r name
 * the value in the message. */
static inline void mt_assert_close(double a, const json_t *want, double tol, const char *what,
                                   size_t r)
{
    if (json_is_null(want)) {
        if (!isnan(a)) fail_msg("%s row %zu: %.17g, expected missing", what, r, a);
        return;
    }
    double b = json_number_value(want);
    if (isnan(a) || fabs(a - b) > tol) fail_msg("%s row %zu: %.17g, expected %.17g", what, r, a, b);
}

/* ---- running a module ---------------------------------------------------- */

static inline void mt__quiet(void *user, const char *line)
{
    (void)user;
    (void)line;
}

/* Sets up ctx for module `ref` with params (JSON text; mod_ctx_init fills
 * the defaults) and inputs[0..n) on its first ports: tables borrowed, JSON
 * values with a reference of their own (the port keeps its kind; absent
 * values leave a port unconnected). Then runs the module, or configures it
 * when schema_only, with its log dropped. Returns what the module returned;
 * the caller clears ctx. */
static inline int mt_run_inputs(mod_ctx *ctx, const char *ref, const char *params_json,
                                const mod_value *inputs, size_t ninputs, bool schema_only)
{
    json_error_t jerr;
    json_t *params = json_loads(params_json, 0, &jerr);
    if (params == NULL) fail_msg("bad test JSON for %s: %s: %s", ref, jerr.text, params_json);
    const mod_descriptor *m = mod_find(ref);
    if (m == NULL) fail_msg("no module %s", ref);
    assert_int_equal(mod_ctx_init(ctx, m, params), 0);
    json_decref(params);
    if (ninputs > m->ninputs) fail_msg("%s has %zu inputs, not %zu", ref, m->ninputs, ninputs);
    for (size_t i = 0; i < ninputs; i++) {
        ctx->inputs[i].table = inputs[i].table;
        ctx->inputs[i].json = json_incref(inputs[i].json);
        ctx->inputs[i].borrowed = true;
    }
    ctx->schema_only = schema_only;
    ctx->on_log = mt__quiet;
    return schema_only ? m->configure(ctx) : m->run(ctx);
}

/* mt_run_inputs with one table (borrowed) on the first input port, or none
 * when in is NULL. */
static inline int mt_run(mod_ctx *ctx, const char *ref, const char *params_json,
                         const tbl_table *in, bool schema_only)
{
    mod_value v = {.table = (tbl_table *)in};
    return mt_run_inputs(ctx, ref, params_json, &v, in != NULL ? 1 : 0, schema_only);
}

/* A run (rc, what mt_run returned on ctx) that must have succeeded: fails
 * with the module's message otherwise. */
static inline void mt_ok(const mod_ctx *ctx, int rc)
{
    if (rc != 0)
        fail_msg("%s@%d failed (%d): %s", ctx->module ? ctx->module->name : "?",
                 ctx->module ? ctx->module->version : 0, rc, ctx->err.message);
}

/* Output port k of a finished context: its table, or its JSON value. */
static inline const tbl_table *mt_table(const mod_ctx *ctx, size_t k)
{
    if (ctx->outputs[k].table == NULL) fail_msg("output %zu holds no table", k);
    return ctx->outputs[k].table;
}

static inline json_t *mt_json(const mod_ctx *ctx, size_t k)
{
    if (ctx->outputs[k].json == NULL) fail_msg("output %zu holds no JSON", k);
    return ctx->outputs[k].json;
}

/* The same, taken over by the caller (who frees it). */
static inline tbl_table *mt_take_table(mod_ctx *ctx, size_t k)
{
    tbl_table *t = (tbl_table *)mt_table(ctx, k);
    ctx->outputs[k].table = NULL;
    return t;
}

static inline json_t *mt_take_json(mod_ctx *ctx, size_t k)
{
    json_t *j = mt_json(ctx, k);
    ctx->outputs[k].json = NULL;
    return j;
}

/* The learner JSON of learner module `ref` with params (caller decrefs). */
static inline json_t *mt_learner(const char *ref, const char *params_json)
{
    mod_ctx ctx;
    mt_ok(&ctx, mt_run_inputs(&ctx, ref, params_json, NULL, 0, false));
    json_t *j = mt_take_json(&ctx, 0);
    mod_ctx_clear(&ctx);
    return j;
}

/* Trains learner `ref` (params) on t with the label: the model JSON, or
 * the test fails (caller decrefs). */
static inline json_t *mt_train(const char *ref, const char *params, const tbl_table *t,
                               const char *label)
{
    json_t *learner = mt_learner(ref, params);
    char p[256];
    snprintf(p, sizeof p, "{\"label_column\": \"%s\"}", label);
    mod_value in[2] = {{.kind = MOD_LEARNER, .json = learner},
                       {.kind = MOD_TABLE, .table = (tbl_table *)t}};
    mod_ctx ctx;
    mt_ok(&ctx, mt_run_inputs(&ctx, "train-model@1", p, in, 2, false));
    json_t *model = mt_take_json(&ctx, 0);
    mod_ctx_clear(&ctx);
    json_decref(learner);
    return model;
}

/* Score Model's output for model on t with params (caller frees). */
static inline tbl_table *mt_score(json_t *model, const tbl_table *t, const char *params)
{
    mod_value in[2] = {{.kind = MOD_MODEL, .json = model},
                       {.kind = MOD_TABLE, .table = (tbl_table *)t}};
    mod_ctx ctx;
    mt_ok(&ctx, mt_run_inputs(&ctx, "score-model@1", params, in, 2, false));
    tbl_table *out = mt_take_table(&ctx, 0);
    mod_ctx_clear(&ctx);
    return out;
}

/* The message recorded for parameter `field`, or NULL. */
static inline const char *mt_field_error(const mod_ctx *ctx, const char *field)
{
    for (size_t i = 0; i < ctx->nfield_errors; i++)
        if (strcmp(ctx->field_errors[i].field, field) == 0) return ctx->field_errors[i].message;
    return NULL;
}

static inline void mt_assert_contains(const char *haystack, const char *needle)
{
    if (haystack == NULL || strstr(haystack, needle) == NULL)
        fail_msg("\"%s\" does not contain \"%s\"", haystack ? haystack : "(null)", needle);
}

/* ---- fitted transforms --------------------------------------------------- */

/* Runs apply-transformation@1 with transform tr on table t in ctx; returns
 * its code. The output (on success) is mt_table(ctx, 0). */
static inline int mt_apply_transform(mod_ctx *ctx, json_t *tr, const tbl_table *t, bool schema_only)
{
    const mod_descriptor *m = mod_find("apply-transformation@1");
    assert_non_null(m);
    mod_value in[2] = {{0}};
    assert_true(m->ninputs == 2);
    in[mod_input_index(m, "transform")].json = tr;
    in[mod_input_index(m, "dataset")].table = (tbl_table *)t;
    return mt_run_inputs(ctx, "apply-transformation@1", "{}", in, 2, schema_only);
}

/* Applies the transform a module wrote (output port ti of run) to its own
 * input and checks the result is its table output (port oi), exactly. */
static inline void mt_assert_apply_reproduces(const mod_ctx *run, size_t oi, size_t ti,
                                              const tbl_table *in)
{
    mod_ctx ctx;
    mt_ok(&ctx, mt_apply_transform(&ctx, mt_json(run, ti), in, false));
    mt_assert_tables_equal(mt_table(&ctx, 0), mt_table(run, oi));
    mod_ctx_clear(&ctx);
}

/* ---- files and directories ----------------------------------------------- */

/* A fresh directory under /tmp; dir holds cap (at least 32) bytes. */
static inline void mt_mkdtemp(char *dir, size_t cap)
{
    snprintf(dir, cap, "/tmp/weft-module-test-XXXXXX");
    if (mkdtemp(dir) == NULL) fail_msg("mkdtemp failed");
}

static inline int mt__remove(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)st;
    (void)flag;
    (void)ftw;
    return remove(path);
}

/* Removes dir and everything in it. */
static inline void mt_rmtree(const char *dir)
{
    nftw(dir, mt__remove, 16, FTW_DEPTH | FTW_PHYS);
}

static inline void mt_write_text(const char *path, const char *text)
{
    wf_error err = {0};
    if (wf_write_file_atomic(path, text, strlen(text), &err) < 0) fail_msg("%s", err.message);
}

/* Writes t as CSV to dir/<name>.csv. */
static inline void mt_write_csv(const char *dir, const char *name, const tbl_table *t)
{
    char path[512];
    snprintf(path, sizeof path, "%s/%s.csv", dir, name);
    wf_error err = {0};
    if (tbl_write_file(t, path, TBL_FORMAT_CSV, &err) < 0) fail_msg("%s", err.message);
}

/* ---- Python ---------------------------------------------------------------- */

/* Runs a shell command and returns what it printed on stdout (caller
 * frees); fails the test when it exits non-zero. Its stderr goes to the
 * test's. */
static inline char *mt_capture(const char *cmd)
{
    fflush(NULL);
    FILE *p = popen(cmd, "r");
    if (p == NULL) fail_msg("cannot run `%s`", cmd);
    wf_buf out = {0};
    char chunk[4096];
    size_t got;
    while ((got = fread(chunk, 1, sizeof chunk, p)) > 0)
        wf_buf_append(&out, chunk, got);
    int status = pclose(p);
    if (status != 0) fail_msg("`%s` failed (%d): %.2000s", cmd, status, out.data ? out.data : "");
    return out.data != NULL ? out.data : wf_strdup("");
}

/* Runs `script` (Python source, written to dir/peer.py) with
 * /usr/bin/python3 in dir, with args (shell words, may be NULL) after it;
 * returns what it printed (caller frees). Python starts slowly, so a test
 * asks it everything at once where it can. */
static inline char *mt_python(const char *dir, const char *script, const char *args)
{
    char path[512];
    snprintf(path, sizeof path, "%s/peer.py", dir);
    mt_write_text(path, script);
    wf_buf cmd = {0};
    wf_buf_printf(&cmd, "cd '%s' && /usr/bin/python3 peer.py %s", dir, args ? args : "");
    if (cmd.failed) fail_msg("out of memory");
    char *out = mt_capture(cmd.data);
    wf_buf_free(&cmd);
    return out;
}

/* mt_python, and what it printed parsed as JSON (caller decrefs). */
static inline json_t *mt_python_json(const char *dir, const char *script, const char *args)
{
    char *out = mt_python(dir, script, args);
    json_error_t jerr;
    json_t *v = json_loads(out, JSON_DECODE_ANY, &jerr);
    if (v == NULL) fail_msg("python printed no JSON (%s): %.300s", jerr.text, out);
    free(out);
    return v;
}

/* The preamble of mt_pandas_json: the tables as pandas frames `dfs` (`df`
 * the first), and out(v) printing v as JSON with NaN as null. */
#define MT_PANDAS_PY                                                                               \
    "import sys, json, math\n"                                                                     \
    "import numpy as np, pandas as pd\n"                                                           \
    "dfs = [pd.read_csv(p, skip_blank_lines=False, float_precision='round_trip')\n"                \
    "       for p in sys.argv[1:]]\n"                                                              \
    "df = dfs[0] if dfs else None\n"                                                               \
    "def clean(v):\n"                                                                              \
    "    if isinstance(v, (list, tuple, np.ndarray, pd.Series)): return [clean(x) for x in v]\n"   \
    "    if isinstance(v, dict): return {k: clean(x) for k, x in v.items()}\n"                     \
    "    if isinstance(v, (np.floating, float)):\n"                                                \
    "        return None if math.isnan(v) or math.isinf(v) else float(v)\n"                        \
    "    if isinstance(v, np.integer): return int(v)\n"                                            \
    "    if isinstance(v, np.bool_): return bool(v)\n"                                             \
    "    return v\n"                                                                               \
    "def out(v): print(json.dumps(clean(v)))\n"

/* Runs MT_PANDAS_PY + script on tables[0..n) (written as CSV and read with
 * pandas) and parses what it printed with out() (caller decrefs). */
static inline json_t *mt_pandas_json(const char *script, const tbl_table *const *tables, size_t n)
{
    char dir[64];
    mt_mkdtemp(dir, sizeof dir);
    wf_buf source = {0}, args = {0};
    wf_buf_puts(&source, MT_PANDAS_PY);
    wf_buf_puts(&source, script);
    for (size_t i = 0; i < n; i++) {
        char name[32];
        snprintf(name, sizeof name, "t%zu", i);
        mt_write_csv(dir, name, tables[i]);
        wf_buf_printf(&args, " %s.csv", name);
    }
    if (source.failed || args.failed) fail_msg("out of memory");
    json_t *v = mt_python_json(dir, source.data, args.data);
    wf_buf_free(&source);
    wf_buf_free(&args);
    mt_rmtree(dir);
    return v;
}

/* The preamble of mt_python_check: D (the directory), load(name) (the
 * frame of D/name.csv), fail(message), and same_frame(got, want, what,
 * ordered=False), which compares two frames column by column (numbers to
 * 1e-12 relative, the rest as text; rows sorted first unless ordered). */
#define MT_CHECK_PY                                                                                \
    "import os, sys, warnings\n"                                                                   \
    "warnings.simplefilter('ignore')\n"                                                            \
    "import numpy as np, pandas as pd\n"                                                           \
    "D = sys.argv[1]\n"                                                                            \
    "def load(name):\n"                                                                            \
    "    return pd.read_csv(os.path.join(D, name + '.csv'))\n"                                     \
    "def fail(msg):\n"                                                                             \
    "    print('FAIL: ' + str(msg))\n"                                                             \
    "    sys.exit(0)\n"                                                                            \
    "def _norm(df, ordered):\n"                                                                    \
    "    df = df.copy()\n"                                                                         \
    "    for c in df.columns:\n"                                                                   \
    "        if df[c].isna().all():\n"                                                             \
    "            df[c] = pd.Series([None] * len(df), dtype=object, index=df.index)\n"              \
    "        elif not pd.api.types.is_numeric_dtype(df[c]):\n"                                     \
    "            df[c] = df[c].map(lambda v: None if pd.isna(v) else str(v))\n"                    \
    "        else:\n"                                                                              \
    "            df[c] = df[c].astype(float)\n"                                                    \
    "    if not ordered:\n"                                                                        \
    "        df = df.sort_values(list(df.columns), na_position='last', kind='mergesort')\n"        \
    "    return df.reset_index(drop=True)\n"                                                       \
    "def same_frame(got, want, what, ordered=False):\n"                                            \
    "    if got.shape != want.shape:\n"                                                            \
    "        fail('%s: shape %s, expected %s' % (what, got.shape, want.shape))\n"                  \
    "    got = got.copy()\n"                                                                       \
    "    got.columns = list(want.columns)\n"                                                       \
    "    g, w = _norm(got, ordered), _norm(want, ordered)\n"                                       \
    "    for c in w.columns:\n"                                                                    \
    "        a, b = g[c], w[c]\n"                                                                  \
    "        if a.dtype == float and b.dtype == float:\n"                                          \
    "            same = np.allclose(a, b, rtol=1e-12, atol=0, equal_nan=True)\n"                   \
    "        else:\n"                                                                              \
    "            same = all((x is None and y is None) or x == y for x, y in zip(a, b))\n"          \
    "        if not same:\n"                                                                       \
    "            bad = [i for i in range(len(a)) if not (str(a[i]) == str(b[i]))][:3]\n"           \
    "            fail('%s: column %s differs at rows %s: %s vs %s' % (what, c, bad,\n"             \
    "                 [a[i] for i in bad], [b[i] for i in bad]))\n"

/* A check done in Python: runs MT_CHECK_PY + script in dir (which holds the
 * CSV files it loads) and fails the test unless the script prints "OK" as
 * its last line. */
static inline void mt_python_check(const char *dir, const char *script)
{
    wf_buf source = {0}, arg = {0};
    wf_buf_puts(&source, MT_CHECK_PY);
    wf_buf_puts(&source, script);
    wf_buf_printf(&arg, "'%s'", dir);
    if (source.failed || arg.failed) fail_msg("out of memory");
    char *out = mt_python(dir, source.data, arg.data);
    wf_buf_free(&source);
    wf_buf_free(&arg);
    size_t len = strlen(out);
    bool ok = len >= 3 && strcmp(out + len - 3, "OK\n") == 0 && (len == 3 || out[len - 4] == '\n');
    if (!ok) {
        char copy[2048];
        snprintf(copy, sizeof copy, "%s", out);
        free(out);
        fail_msg("python check:\n%s", copy);
    }
    free(out);
}

#endif
