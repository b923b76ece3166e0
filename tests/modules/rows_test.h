/*
 * rows_test.h: what the tests of the row and statistics modules share:
 * tables from CSV text, running a module on borrowed inputs, and checking
 * results against an independent computation in Debian's /usr/bin/python3
 * (pandas, numpy, scipy, scikit-learn).
 *
 * A check writes the tables it needs as CSV files into a fresh directory,
 * then runs a Python script there; the script reads them with pandas,
 * computes what the module should have produced, compares, and prints "OK"
 * or what differs. The script's preamble (RT_PY) gives it D (the directory),
 * load(name) and fail(message).
 */
#ifndef WEFT_TESTS_ROWS_TEST_H
#define WEFT_TESTS_ROWS_TEST_H

#include "modules/modules_int.h"

#include <ftw.h>
#include <jansson.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

/* A table from CSV text with a header row. */
static inline tbl_table *rt_csv(const char *text)
{
    tbl_read_options opt = {
        .format = TBL_FORMAT_CSV, .header = TBL_HEADER_PRESENT, .delimiter = ','};
    tbl_table *t = NULL;
    wf_error err = {0};
    if (tbl_read_csv(text, strlen(text), &opt, &t, &err) < 0) fail_msg("%s", err.message);
    return t;
}

static inline void rt__quiet(void *user, const char *line)
{
    (void)user;
    (void)line;
}

/* Sets up ctx for module `ref` with params (JSON text) and the given input
 * tables (borrowed; NULL leaves a port unconnected), then runs it, or
 * configures it when schema_only. Logs are dropped. Returns what the module
 * returned. */
static inline int rt_run(mod_ctx *ctx, const char *ref, const char *params_json,
                         tbl_table *const *inputs, size_t ninputs, bool schema_only)
{
    json_error_t jerr;
    json_t *params = json_loads(params_json, 0, &jerr);
    if (params == NULL) fail_msg("bad test JSON: %s: %s", jerr.text, params_json);
    const mod_descriptor *m = mod_find(ref);
    if (m == NULL) fail_msg("no module %s", ref);
    assert_int_equal(mod_ctx_init(ctx, m, params), 0);
    json_decref(params);
    assert_true(ninputs <= m->ninputs);
    for (size_t i = 0; i < ninputs; i++) {
        ctx->inputs[i].table = inputs[i];
        ctx->inputs[i].borrowed = true;
    }
    ctx->schema_only = schema_only;
    ctx->on_log = rt__quiet;
    return schema_only ? m->configure(ctx) : m->run(ctx);
}

/* Output port `port` of a run that succeeded. */
static inline const tbl_table *rt_output(const mod_ctx *ctx, const char *port)
{
    int i = mod_output_index(ctx->module, port);
    assert_true(i >= 0);
    if (ctx->outputs[i].table == NULL) fail_msg("output \"%s\" is not set", port);
    return ctx->outputs[i].table;
}

static inline const char *rt_field_error(const mod_ctx *ctx, const char *field)
{
    for (size_t i = 0; i < ctx->nfield_errors; i++)
        if (strcmp(ctx->field_errors[i].field, field) == 0) return ctx->field_errors[i].message;
    return NULL;
}

static inline void rt_assert_contains(const char *haystack, const char *needle)
{
    if (haystack == NULL || strstr(haystack, needle) == NULL)
        fail_msg("\"%s\" does not contain \"%s\"", haystack ? haystack : "(null)", needle);
}

/* ---- Python checks ----------------------------------------------------- */

#define RT_PY                                                                                      \
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

/* A fresh directory for one check (dir holds at least 64 bytes). */
static inline void rt_dir(char *dir)
{
    strcpy(dir, "/tmp/weft-rows-XXXXXX");
    if (mkdtemp(dir) == NULL) fail_msg("mkdtemp failed");
}

static inline int rt__remove(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)st;
    (void)flag;
    (void)ftw;
    return remove(path);
}

static inline void rt_rmdir(const char *dir)
{
    nftw(dir, rt__remove, 16, FTW_DEPTH | FTW_PHYS);
}

/* Writes t as <dir>/<name>.csv. */
static inline void rt_write(const char *dir, const char *name, const tbl_table *t)
{
    char path[256];
    snprintf(path, sizeof path, "%s/%s.csv", dir, name);
    wf_error err = {0};
    if (tbl_write_file(t, path, TBL_FORMAT_CSV, &err) < 0) fail_msg("%s", err.message);
}

/* Runs RT_PY + script in dir and fails the test unless it prints "OK" as
 * its last line. */
static inline void rt_python_ok(const char *dir, const char *script)
{
    char path[256], cmd[512];
    snprintf(path, sizeof path, "%s/check.py", dir);
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs(RT_PY, f);
    fputs(script, f);
    fclose(f);
    snprintf(cmd, sizeof cmd, "/usr/bin/python3 '%s' '%s' 2>&1", path, dir);
    FILE *p = popen(cmd, "r");
    assert_non_null(p);
    wf_buf out = {0};
    char line[1024];
    while (fgets(line, sizeof line, p) != NULL)
        wf_buf_puts(&out, line);
    int status = pclose(p);
    const char *text = out.data ? out.data : "";
    size_t len = strlen(text);
    bool ok = status == 0 && len >= 3 && strcmp(text + len - 3, "OK\n") == 0 &&
              (len == 3 || text[len - 4] == '\n');
    if (!ok) {
        char copy[2048];
        snprintf(copy, sizeof copy, "%s", text);
        wf_buf_free(&out);
        fail_msg("python check (status %d):\n%s", status, copy);
    }
    wf_buf_free(&out);
}

#endif
