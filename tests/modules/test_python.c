/*
 * test_python.c: execute-python-script@1 against Debian's python3 and
 * pandas: tables of every type go through Python and back unchanged; what a
 * script computes comes back (checked here in C); printed lines reach the
 * log; exceptions, a missing azureml_main and wrong return values fail with
 * clear messages; two outputs; cancel kills Python and what it started; a
 * missing interpreter; the clean environment; and after every run the
 * temporary folder is gone.
 */
#include "modules/python_int.h"

#include <dirent.h>
#include <errno.h>
#include <jansson.h>
#include <math.h>
#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "../table/table_builders.h"
#include "module_test.h"

/* ---- helpers ----------------------------------------------------------- */

/* Every run's temporary folder goes under this private TMPDIR, which must be
 * empty again after each run. */
static char test_tmpdir[] = "/tmp/weft-test-python-XXXXXX";

/* The log lines of the last run, each followed by a newline. */
static wf_buf test_log;

static void on_log(void *user, const char *line)
{
    (void)user;
    wf_buf_puts(&test_log, line);
    wf_buf_puts(&test_log, "\n");
}

static const char *log_text(void)
{
    return test_log.data ? test_log.data : "";
}

static void assert_tmpdir_empty(void)
{
    DIR *d = opendir(test_tmpdir);
    assert_non_null(d);
    struct dirent *e;
    while ((e = readdir(d)) != NULL)
        if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0)
            fail_msg("%s/%s was left behind", test_tmpdir, e->d_name);
    closedir(d);
}

static const mod_descriptor *python_module(void)
{
    const mod_descriptor *m = mod_find("execute-python-script@1");
    assert_ptr_equal(m, &mod_execute_python_script);
    return m;
}

/* Runs the module with `script` on in1 and in2 (borrowed; either may be
 * NULL), logging into test_log. */
static int run_script(mod_ctx *ctx, const char *script, const tbl_table *in1, const tbl_table *in2,
                      volatile sig_atomic_t *cancel)
{
    json_t *params = json_pack("{s:s}", "python_script", script);
    assert_int_equal(mod_ctx_init(ctx, python_module(), params), 0);
    json_decref(params);
    ctx->inputs[0].table = (tbl_table *)in1;
    ctx->inputs[0].borrowed = true;
    ctx->inputs[1].table = (tbl_table *)in2;
    ctx->inputs[1].borrowed = true;
    ctx->on_log = on_log;
    ctx->cancel = cancel;
    wf_buf_free(&test_log);
    int rc = ctx->module->run(ctx);
    assert_tmpdir_empty();
    return rc;
}

/* A string or categorical column from strings with explicit lengths (any
 * bytes, NUL included); NULL entries are missing. */
static void add_bytes(tbl_table *t, const char *name, tbl_type type, const char *const *v,
                      const size_t *len, size_t n)
{
    tbl_column c;
    assert_int_equal(tbl_column_init(&c, name, type, n, NULL), 0);
    tbl_strings_builder sb = {0};
    tbl_dict dict = {0};
    for (size_t i = 0; i < n; i++) {
        if (v[i] == NULL) assert_int_equal(tbl_set_missing(&c, i, n), 0);
        if (type == TBL_STRING)
            tbl_strings_append(&sb, v[i] ? v[i] : "", v[i] ? len[i] : 0);
        else if (v[i] != NULL)
            c.v.codes[i] = tbl_dict_intern(&dict, v[i], len[i]);
    }
    if (type == TBL_STRING) {
        tbl_strings_clear(&c.str);
        assert_int_equal(tbl_strings_finish(&sb, &c.str), 0);
    } else {
        tbl_strings_clear(&c.levels);
        assert_int_equal(tbl_dict_finish(&dict, &c.levels), 0);
    }
    assert_int_equal(tbl_add_column(t, &c, n, NULL), 0);
}

/* The text of a string value, or of a categorical value's level. */
static const char *text_at(const tbl_column *c, size_t r, size_t *len)
{
    if (c->type == TBL_STRING) return tbl_strings_at(&c->str, r, len);
    return tbl_strings_at(&c->levels, (size_t)c->v.codes[r], len);
}

/* a and b hold the same columns: names, types, roles, missing masks and
 * values (bit for bit for numbers; categoricals by their text). */
static void assert_same_table(const tbl_table *a, const tbl_table *b)
{
    assert_int_equal(a->ncols, b->ncols);
    assert_int_equal(a->nrows, b->nrows);
    for (size_t j = 0; j < a->ncols; j++) {
        const tbl_column *x = &a->cols[j], *y = &b->cols[j];
        assert_string_equal(x->name, y->name);
        if (x->type != y->type)
            fail_msg("column %s: %s became %s", x->name, tbl_type_name(x->type),
                     tbl_type_name(y->type));
        if (x->role != y->role)
            fail_msg("column %s: role %s became %s", x->name, tbl_role_name(x->role),
                     tbl_role_name(y->role));
        for (size_t r = 0; r < a->nrows; r++) {
            bool mx = tbl_is_missing(x, r), my = tbl_is_missing(y, r);
            if (mx != my) fail_msg("column %s row %zu: missing %d became %d", x->name, r, mx, my);
            if (mx) continue;
            size_t lx, ly;
            const char *sx, *sy;
            switch (x->type) {
            case TBL_NUMERIC:
                assert_memory_equal(&x->v.f64[r], &y->v.f64[r], sizeof(double));
                break;
            case TBL_INTEGER:
            case TBL_DATETIME:
                if (x->v.i64[r] != y->v.i64[r])
                    fail_msg("column %s row %zu: %lld became %lld", x->name, r,
                             (long long)x->v.i64[r], (long long)y->v.i64[r]);
                break;
            case TBL_BOOLEAN:
                assert_int_equal(x->v.b8[r], y->v.b8[r]);
                break;
            case TBL_STRING:
            case TBL_CATEGORICAL:
                sx = text_at(x, r, &lx);
                sy = text_at(y, r, &ly);
                if (lx != ly || memcmp(sx, sy, lx) != 0)
                    fail_msg("column %s row %zu: \"%.*s\" became \"%.*s\"", x->name, r, (int)lx, sx,
                             (int)ly, sy);
                break;
            }
        }
    }
}

#define IDENTITY                                                                                   \
    "def azureml_main(dataframe1=None, dataframe2=None):\n"                                        \
    "    return dataframe1,\n"

/* A table with a column of every type, each with missing values, and roles. */
static tbl_table *every_type(void)
{
    tbl_table *t = tbl_new();
    enum { N = 6 };
    const bool miss[N] = {false, true, false, false, false, true};
    const double num[N] = {1.5, 0, -2.25e-300, INFINITY, -0.0, 0};
    add_numeric(t, "num", num, miss, N);
    const int64_t ints[N] = {INT64_MIN, 0, 0, INT64_MAX, -7, 0};
    add_integer(t, "int", TBL_INTEGER, ints, miss, N);
    const int64_t counts[N] = {1, 2, 3, -4, 5, 1 << 30};
    add_integer(t, "int_full", TBL_INTEGER, counts, NULL, N);
    const int64_t flags[N] = {1, 0, 0, 1, 0, 1};
    add_integer(t, "flag", TBL_BOOLEAN, flags, miss, N);
    add_integer(t, "flag_full", TBL_BOOLEAN, flags, NULL, N);
    const char *text[N] = {
        "h\xc3\xa9llo", "", NULL, "a,b\n\"c\"", "\xe6\x97\xa5\xe6\x9c\xac", NULL};
    add_text(t, "text", TBL_STRING, text, N);
    const char *cat[N] = {"x", NULL, "y", "x", "z", "y"};
    add_text(t, "cat", TBL_CATEGORICAL, cat, N);
    /* Within pandas' nanosecond range, one microsecond before the epoch
     * included. */
    const int64_t stamps[N] = {0, 0, 1700000000123456, -1, 951782400000000, 0};
    add_integer(t, "stamp", TBL_DATETIME, stamps, miss, N);
    /* Beyond it: 1570, 9999-12-31T23:59:59.999999 and 2500. */
    const int64_t far[N] = {-12622780800000000, 0, 253402300799999999, 16725225600000000, 7, 0};
    add_integer(t, "far", TBL_DATETIME, far, miss, N);
    t->cols[tbl_find_column(t, "cat")].role = TBL_ROLE_LABEL;
    t->cols[tbl_find_column(t, "num")].role = TBL_ROLE_WEIGHT;
    t->cols[tbl_find_column(t, "text")].role = TBL_ROLE_CLEAR;
    return t;
}

/* ---- round trips ------------------------------------------------------- */

static void identity_script_returns_every_type_unchanged(void **state)
{
    (void)state;
    tbl_table *t = every_type();
    mod_ctx ctx;
    if (run_script(&ctx, IDENTITY, t, NULL, NULL) < 0) fail_msg("%s", ctx.err.message);
    assert_same_table(t, mt_table(&ctx, 0));
    /* One DataFrame returned: the second output is an empty table. */
    assert_int_equal(mt_table(&ctx, 1)->ncols, 0);
    assert_int_equal(mt_table(&ctx, 1)->nrows, 0);
    mt_assert_contains(log_text(), "pandas");
    mod_ctx_clear(&ctx);
    tbl_free(t);
}

static void dataframe_dtypes_follow_the_column_types(void **state)
{
    (void)state;
    tbl_table *t = every_type();
    /* The script reports what it sees, as a table. */
    const char *script = "import pandas as pd\n"
                         "def azureml_main(dataframe1=None, dataframe2=None):\n"
                         "    df = dataframe1\n"
                         "    seen = {'dtype ' + c: str(df[c].dtype) for c in df.columns}\n"
                         "    seen['text_missing'] = str(df['text'].isna().tolist())\n"
                         "    seen['int_na'] = str(df['int'][1] is pd.NA)\n"
                         "    seen['stamp1'] = str(df['stamp'][2])\n"
                         "    seen['far0'] = str(df['far'][0])\n"
                         "    return pd.DataFrame({k: [v] for k, v in seen.items()}), None\n";
    mod_ctx ctx;
    if (run_script(&ctx, script, t, NULL, NULL) < 0) fail_msg("%s", ctx.err.message);
    const tbl_table *o = mt_table(&ctx, 0);
    const char *want[][2] = {{"dtype num", "float64"},
                             {"dtype int", "Int64"},
                             {"dtype int_full", "int64"},
                             {"dtype flag", "boolean"},
                             {"dtype flag_full", "bool"},
                             {"dtype text", "object"},
                             {"dtype cat", "category"},
                             {"dtype stamp", "datetime64[ns, UTC]"},
                             {"dtype far", "object"},
                             {"text_missing", "[False, False, True, False, False, True]"},
                             {"int_na", "True"},
                             {"stamp1", "2023-11-14 22:13:20.123456+00:00"},
                             {"far0", "1570-01-01 00:00:00+00:00"}};
    for (size_t i = 0; i < sizeof want / sizeof want[0]; i++) {
        int j = tbl_find_column(o, want[i][0]);
        if (j < 0) fail_msg("no column %s", want[i][0]);
        assert_int_equal(o->cols[j].type, TBL_STRING);
        size_t len;
        const char *s = tbl_strings_at(&o->cols[j].str, 0, &len);
        if (len != strlen(want[i][1]) || memcmp(s, want[i][1], len) != 0)
            fail_msg("%s: got \"%.*s\", want \"%s\"", want[i][0], (int)len, s, want[i][1]);
    }
    /* None as the second value: an empty table. */
    assert_int_equal(mt_table(&ctx, 1)->ncols, 0);
    mod_ctx_clear(&ctx);
    tbl_free(t);
}

static void strings_with_nul_and_non_utf8_bytes_survive(void **state)
{
    (void)state;
    tbl_table *t = tbl_new();
    const char *s[4] = {"a\0b", "\xff\xfe", NULL, "plain"};
    const size_t len[4] = {3, 2, 0, 5};
    add_bytes(t, "raw", TBL_STRING, s, len, 4);
    const char *levels[4] = {"\xc3", "ok", "\xc3", NULL};
    const size_t level_len[4] = {1, 2, 1, 0};
    add_bytes(t, "rawcat", TBL_CATEGORICAL, levels, level_len, 4);
    mod_ctx ctx;
    if (run_script(&ctx, IDENTITY, t, NULL, NULL) < 0) fail_msg("%s", ctx.err.message);
    assert_same_table(t, mt_table(&ctx, 0));
    mod_ctx_clear(&ctx);
    tbl_free(t);
}

static void empty_tables_round_trip(void **state)
{
    (void)state;
    tbl_table *full = every_type();
    tbl_table *t = NULL;
    /* The same schema, no rows. */
    assert_int_equal(tbl_filter(full, (bool[6]){false}, &t, NULL), 0);
    assert_int_equal(t->nrows, 0);
    mod_ctx ctx;
    if (run_script(&ctx, IDENTITY, t, NULL, NULL) < 0) fail_msg("%s", ctx.err.message);
    assert_same_table(t, mt_table(&ctx, 0));
    mod_ctx_clear(&ctx);
    tbl_free(t);
    tbl_free(full);
}

/* ---- the exchange, without Python -------------------------------------- */

/* A frame of t written under the private TMPDIR; the caller removes it
 * with remove_frame. */
static void write_frame(const tbl_table *t, char *dir, size_t cap)
{
    snprintf(dir, cap, "%s/frame", test_tmpdir);
    wf_error err = {0};
    if (mod__py_write_frame(t, dir, &err) < 0) fail_msg("%s", err.message);
}

static void remove_frame(const char *dir)
{
    char cmd[600];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    assert_int_equal(system(cmd), 0);
}

static void put_file(const char *dir, const char *name, const void *data, size_t len)
{
    char path[600];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(data, 1, len, f), len);
    fclose(f);
}

/* Reading dir fails, saying `says`. */
static void assert_read_fails(const char *dir, const char *says)
{
    tbl_table *t = NULL;
    wf_error err = {0};
    assert_true(mod__py_read_frame(dir, &t, &err) < 0);
    assert_null(t);
    mt_assert_contains(err.message, says);
}

static void frames_written_by_weft_read_back_the_same(void **state)
{
    (void)state;
    tbl_table *t = every_type();
    char dir[512];
    write_frame(t, dir, sizeof dir);
    tbl_table *back = NULL;
    wf_error err = {0};
    if (mod__py_read_frame(dir, &back, &err) < 0) fail_msg("%s", err.message);
    /* Roles are not part of the exchange: they come back by name. */
    for (size_t j = 0; j < t->ncols; j++)
        back->cols[j].role = t->cols[j].role;
    assert_same_table(t, back);
    tbl_free(back);
    remove_frame(dir);
    tbl_free(t);
}

static void damaged_frames_are_refused(void **state)
{
    (void)state;
    tbl_table *t = tbl_new();
    const int64_t ints[3] = {1, 2, 3};
    add_integer(t, "i", TBL_INTEGER, ints, NULL, 3);
    const char *cat[3] = {"a", "b", "a"};
    add_text(t, "c", TBL_CATEGORICAL, cat, 3);
    const char *text[3] = {"x", "y", "z"};
    add_text(t, "s", TBL_STRING, text, 3);
    char dir[512];

    write_frame(t, dir, sizeof dir);
    put_file(dir, "c0.values", ints, 2 * sizeof(int64_t));
    assert_read_fails(dir, "does not hold 24 bytes");
    remove_frame(dir);

    write_frame(t, dir, sizeof dir);
    const int32_t codes[3] = {0, 2, 1};
    put_file(dir, "c1.values", codes, sizeof codes);
    assert_read_fails(dir, "column \"c\": row 2: code 2 is not a level");
    remove_frame(dir);

    write_frame(t, dir, sizeof dir);
    put_file(dir, "c2.text", "x\0y", 3);
    assert_read_fails(dir, "column \"s\": fewer strings than rows");
    put_file(dir, "c2.text", "x\0y\0z\0w", 7);
    assert_read_fails(dir, "more strings than rows");
    remove_frame(dir);

    /* Offsets that go back. */
    write_frame(t, dir, sizeof dir);
    const char *schema = "{\"format\": \"weft.frame/1\", \"nrows\": 2, \"columns\": ["
                         "{\"name\": \"s\", \"type\": \"string\", \"strings\": \"offsets\"}]}";
    put_file(dir, "schema.json", schema, strlen(schema));
    const int64_t offsets[3] = {0, 3, 2};
    put_file(dir, "c0.offsets", offsets, sizeof offsets);
    put_file(dir, "c0.data", "ab", 2);
    assert_read_fails(dir, "bad string offsets");

    schema = "{\"format\": \"weft.frame/1\", \"nrows\": 2, \"columns\": ["
             "{\"name\": \"s\", \"type\": \"complex\"}]}";
    put_file(dir, "schema.json", schema, strlen(schema));
    assert_read_fails(dir, "column \"s\" has no known type");

    schema = "{\"format\": \"weft.frame/2\", \"nrows\": 2, \"columns\": []}";
    put_file(dir, "schema.json", schema, strlen(schema));
    assert_read_fails(dir, "is not a weft.frame/1 schema");

    put_file(dir, "schema.json", "{", 1);
    assert_read_fails(dir, "cannot read");
    remove_frame(dir);
    tbl_free(t);
}

/* ---- what scripts compute ---------------------------------------------- */

static void script_results_come_back_as_columns(void **state)
{
    (void)state;
    tbl_table *t = tbl_new();
    const double x[5] = {1, 2.5, 0, -4, 10};
    const bool miss[5] = {false, false, true, false, false};
    add_numeric(t, "x", x, miss, 5);
    const char *s[5] = {"a", "bcd", NULL, "", "\xc3\xa9t\xc3\xa9"};
    add_text(t, "s", TBL_STRING, s, 5);
    t->cols[0].role = TBL_ROLE_LABEL;
    const char *script = "import numpy as np\n"
                         "import pandas as pd\n"
                         "def azureml_main(dataframe1=None, dataframe2=None):\n"
                         "    df = dataframe1.copy()\n"
                         "    df['y'] = df['x'] * 2 + 1\n"
                         "    df['n'] = df['s'].str.len()\n"
                         "    df['total'] = np.int64(df['x'].sum())\n"
                         "    df['big'] = df['x'] > 1\n"
                         "    df['upper'] = df['s'].astype('string').str.upper()\n"
                         "    df['paris'] = pd.Timestamp('2024-01-01 12:00', tz='Europe/Paris')\n"
                         "    df['naive'] = pd.Timestamp('2024-01-01 12:00')\n"
                         "    return df\n";
    mod_ctx ctx;
    if (run_script(&ctx, script, t, NULL, NULL) < 0) fail_msg("%s", ctx.err.message);
    const tbl_table *o = mt_table(&ctx, 0);
    assert_int_equal(o->nrows, 5);
    assert_int_equal(o->ncols, 9);
    const tbl_column *xo = &o->cols[0], *y = &o->cols[2], *n = &o->cols[3], *total = &o->cols[4],
                     *big = &o->cols[5];
    assert_int_equal(xo->role, TBL_ROLE_LABEL); /* kept by name */
    assert_string_equal(y->name, "y");
    assert_int_equal(y->type, TBL_NUMERIC);
    assert_int_equal(y->role, TBL_ROLE_FEATURE);
    assert_int_equal(n->type, TBL_NUMERIC); /* str.len() with a NaN is float64 */
    assert_int_equal(total->type, TBL_INTEGER);
    assert_int_equal(big->type, TBL_BOOLEAN);
    double sum = 0;
    for (size_t r = 0; r < 5; r++)
        if (!miss[r]) sum += x[r];
    for (size_t r = 0; r < 5; r++) {
        assert_int_equal(tbl_is_missing(y, r), miss[r]);
        assert_int_equal(tbl_is_missing(n, r), s[r] == NULL);
        if (!miss[r]) assert_true(y->v.f64[r] == 2 * x[r] + 1);
        /* Characters, not bytes: "été" is 3. */
        if (s[r] != NULL) {
            size_t chars = 0;
            for (const char *p = s[r]; *p; p++)
                chars += ((unsigned char)*p & 0xC0) != 0x80;
            assert_true(n->v.f64[r] == (double)chars);
        }
        assert_int_equal(total->v.i64[r], (int64_t)sum);
        /* NaN > 1 is False in pandas. */
        assert_int_equal(big->v.b8[r], !miss[r] && x[r] > 1);
    }
    /* pandas' own string dtype, with pd.NA. */
    assert_string_equal(column_text(o, "upper"), "A,BCD,NA,,\xc3\x89T\xc3\x89");
    /* Time zones become UTC; naive times are taken as UTC. 2024-01-01 is
     * 19723 days after the epoch; noon in Paris is 11:00 UTC in winter. */
    int64_t noon = (19723 * 86400LL + 12 * 3600) * 1000000LL;
    assert_int_equal(o->cols[7].type, TBL_DATETIME);
    assert_int_equal(o->cols[7].v.i64[0], noon - 3600 * 1000000LL);
    assert_int_equal(o->cols[8].v.i64[4], noon);
    mod_ctx_clear(&ctx);
    tbl_free(t);
}

static void roles_and_categories_come_back_by_name(void **state)
{
    (void)state;
    tbl_table *t = tbl_new();
    const char *y[4] = {"yes", "no", "no", "yes"};
    add_text(t, "y", TBL_CATEGORICAL, y, 4);
    const double w[4] = {1, 2, 3, 4};
    add_numeric(t, "w", w, NULL, 4);
    const double z[4] = {5, 6, 7, 8};
    add_numeric(t, "z", z, NULL, 4);
    t->cols[0].role = TBL_ROLE_LABEL;
    t->cols[1].role = TBL_ROLE_WEIGHT;
    t->cols[2].role = TBL_ROLE_CLEAR;
    const char *script = "def azureml_main(dataframe1=None, dataframe2=None):\n"
                         "    df = dataframe1.copy()\n"
                         "    df['y'] = df['y'].astype(str).str.upper()\n"
                         "    df['w'] = df['w'].astype(str)\n"
                         "    return df.rename(columns={'z': 'z2'}),\n";
    mod_ctx ctx;
    if (run_script(&ctx, script, t, NULL, NULL) < 0) fail_msg("%s", ctx.err.message);
    const tbl_table *o = mt_table(&ctx, 0);
    /* Text again, but it was categorical: categorical, still the label. */
    assert_int_equal(o->cols[0].type, TBL_CATEGORICAL);
    assert_int_equal(o->cols[0].role, TBL_ROLE_LABEL);
    size_t len;
    const char *s = text_at(&o->cols[0], 1, &len);
    assert_int_equal(len, 2);
    assert_memory_equal(s, "NO", 2);
    /* A weight that became text is a feature; a renamed column too. */
    assert_int_equal(o->cols[1].type, TBL_STRING);
    assert_int_equal(o->cols[1].role, TBL_ROLE_FEATURE);
    assert_string_equal(o->cols[2].name, "z2");
    assert_int_equal(o->cols[2].role, TBL_ROLE_FEATURE);
    mod_ctx_clear(&ctx);
    tbl_free(t);
}

static void two_inputs_and_two_outputs(void **state)
{
    (void)state;
    tbl_table *a = tbl_new(), *b = tbl_new();
    const int64_t ids[3] = {1, 2, 3};
    add_integer(a, "id", TBL_INTEGER, ids, NULL, 3);
    const char *names[2] = {"p", "q"};
    add_text(b, "name", TBL_STRING, names, 2);
    b->cols[0].role = TBL_ROLE_LABEL;
    const char *script = "import pandas as pd\n"
                         "def azureml_main(dataframe1=None, dataframe2=None):\n"
                         "    extra = pd.DataFrame({'k': [10, 20], 'v': ['x', None]})\n"
                         "    return dataframe2, pd.concat([dataframe1, extra], axis=1)\n";
    mod_ctx ctx;
    if (run_script(&ctx, script, a, b, NULL) < 0) fail_msg("%s", ctx.err.message);
    assert_same_table(b, mt_table(&ctx, 0));
    const tbl_table *second = mt_table(&ctx, 1);
    /* Aligned on the index: the third row of k and v is missing, so k is a
     * float column, as pandas makes it. */
    assert_int_equal(second->nrows, 3);
    assert_int_equal(second->ncols, 3);
    assert_string_equal(column_text(second, "id"), "1,2,3");
    assert_string_equal(column_text(second, "k"), "10,20,NA");
    assert_int_equal(second->cols[1].type, TBL_NUMERIC);
    assert_string_equal(column_text(second, "v"), "x,NA,NA");
    mod_ctx_clear(&ctx);

    /* Nothing connected: both arguments are None. */
    script = "import pandas as pd\n"
             "def azureml_main(dataframe1=None, dataframe2=None):\n"
             "    return pd.DataFrame({'none': [dataframe1 is None and dataframe2 is None]}),\n";
    if (run_script(&ctx, script, NULL, NULL, NULL) < 0) fail_msg("%s", ctx.err.message);
    assert_string_equal(column_text(mt_table(&ctx, 0), "none"), "true");
    mod_ctx_clear(&ctx);
    tbl_free(a);
    tbl_free(b);
}

/* ---- the log and errors ------------------------------------------------ */

static void printed_lines_reach_the_log_in_order(void **state)
{
    (void)state;
    const char *script = "import sys\n"
                         "print('loading the script')\n"
                         "def azureml_main(dataframe1=None, dataframe2=None):\n"
                         "    print('rows', len(dataframe1))\n"
                         "    sys.stderr.write('to stderr\\n')\n"
                         "    print('x' * 5000)\n"
                         "    sys.stdout.flush()\n"
                         "    sys.stdout.buffer.write(b'bytes \\xff here\\n')\n"
                         "    sys.stdout.buffer.flush()\n"
                         "    print('no newline at the end', end='')\n"
                         "    return dataframe1,\n";
    tbl_table *t = tbl_new();
    const double x[3] = {1, 2, 3};
    add_numeric(t, "x", x, NULL, 3);
    mod_ctx ctx;
    if (run_script(&ctx, script, t, NULL, NULL) < 0) fail_msg("%s", ctx.err.message);
    const char *log = log_text();
    const char *a = strstr(log, "loading the script\n");
    const char *b = strstr(log, "rows 3\n");
    const char *c = strstr(log, "to stderr\n");
    const char *d = strstr(log, "no newline at the end\n");
    assert_non_null(a);
    assert_non_null(b);
    assert_non_null(c);
    assert_non_null(d);
    assert_true(a < b && b < c && c < d);
    /* Not UTF-8: shown with '?', since log lines travel as JSON. */
    mt_assert_contains(log, "\nbytes ? here\n");
    /* The long line comes in pieces of at most 2000 bytes that add up to
     * it. */
    size_t xs = 0;
    for (const char *p = log; *p;) {
        size_t len = strcspn(p, "\n");
        assert_true(len <= 2000);
        if (len > 0 && strspn(p, "x") == len) xs += len;
        p += len + (p[len] == '\n');
    }
    assert_int_equal(xs, 5000);
    mod_ctx_clear(&ctx);
    tbl_free(t);
}

static void an_exception_fails_with_its_last_line_and_traceback(void **state)
{
    (void)state;
    const char *script = "import pandas as pd\n"
                         "def azureml_main(dataframe1=None, dataframe2=None):\n"
                         "    return 1 / 0\n";
    mod_ctx ctx;
    assert_true(run_script(&ctx, script, NULL, NULL, NULL) < 0);
    assert_string_equal(ctx.err.message,
                        "Python: ZeroDivisionError: division by zero (line 3 of the script)");
    const char *log = log_text();
    mt_assert_contains(log, "Traceback (most recent call last):");
    mt_assert_contains(log, "File \"script.py\", line 3, in azureml_main");
    mt_assert_contains(log, "return 1 / 0");
    /* Only the script's frames: the bridge is not the user's business. */
    assert_null(strstr(log, "weft_bridge"));
    mod_ctx_clear(&ctx);

    /* Raised inside pandas, from a function the script calls: the line is
     * the script's deepest. */
    script = "import pandas as pd\n"
             "def pick(df):\n"
             "    return df['nope']\n"
             "def azureml_main(dataframe1=None, dataframe2=None):\n"
             "    return pick(pd.DataFrame({'a': [1]})).to_frame(),\n";
    assert_true(run_script(&ctx, script, NULL, NULL, NULL) < 0);
    assert_string_equal(ctx.err.message, "Python: KeyError: 'nope' (line 3 of the script)");
    mt_assert_contains(log_text(), "line 5, in azureml_main");
    mod_ctx_clear(&ctx);

    script = "def azureml_main(dataframe1=None, dataframe2=None):\n"
             "    return (dataframe1,\n";
    assert_true(run_script(&ctx, script, NULL, NULL, NULL) < 0);
    mt_assert_contains(ctx.err.message, "Python: SyntaxError: ");
    mt_assert_contains(ctx.err.message, "(line 2 of the script)");
    mod_ctx_clear(&ctx);

    /* At the top level, outside azureml_main. */
    script = "import no_such_module_anywhere\n"
             "def azureml_main(dataframe1=None, dataframe2=None):\n"
             "    return dataframe1,\n";
    assert_true(run_script(&ctx, script, NULL, NULL, NULL) < 0);
    assert_string_equal(ctx.err.message, "Python: ModuleNotFoundError: No module named "
                                         "'no_such_module_anywhere' (line 1 of the script)");
    mod_ctx_clear(&ctx);
}

static void a_script_without_azureml_main_is_refused(void **state)
{
    (void)state;
    mod_ctx ctx;
    /* Named only in a comment: found out when it runs. */
    const char *script = "# azureml_main should be here\n"
                         "def main(dataframe1=None, dataframe2=None):\n"
                         "    return dataframe1,\n";
    assert_true(run_script(&ctx, script, NULL, NULL, NULL) < 0);
    mt_assert_contains(ctx.err.message, "the script defines no function azureml_main(");
    mod_ctx_clear(&ctx);

    /* Not named at all: configure says so, on the field. */
    json_t *params = json_pack("{s:s}", "python_script", "def main():\n    pass\n");
    assert_int_equal(mod_ctx_init(&ctx, python_module(), params), 0);
    json_decref(params);
    ctx.schema_only = true;
    assert_true(ctx.module->configure(&ctx) < 0);
    assert_int_equal(ctx.nfield_errors, 1);
    assert_string_equal(ctx.field_errors[0].field, "python_script");
    mt_assert_contains(ctx.field_errors[0].message, "azureml_main");
    mod_ctx_clear(&ctx);

    params = json_pack("{s:s}", "python_script", "  \n");
    assert_int_equal(mod_ctx_init(&ctx, python_module(), params), 0);
    json_decref(params);
    assert_true(ctx.module->run(&ctx) < 0);
    mt_assert_contains(ctx.err.message, "parameter \"python_script\": the script is empty");
    mod_ctx_clear(&ctx);
}

static void configure_accepts_the_default_script_with_unknown_outputs(void **state)
{
    (void)state;
    mod_ctx ctx;
    json_t *params = json_object();
    assert_int_equal(mod_ctx_init(&ctx, python_module(), params), 0);
    json_decref(params);
    ctx.schema_only = true;
    assert_int_equal(ctx.module->configure(&ctx), 0);
    assert_null(ctx.outputs[0].table);
    assert_null(ctx.outputs[1].table);
    mt_assert_contains(mod_param_string(&ctx, "python_script"), "def azureml_main(");
    mod_ctx_clear(&ctx);
}

static void the_default_script_passes_dataset1_through(void **state)
{
    (void)state;
    tbl_table *t = every_type();
    mod_ctx ctx;
    json_t *params = json_object();
    assert_int_equal(mod_ctx_init(&ctx, python_module(), params), 0);
    json_decref(params);
    ctx.inputs[0].table = t;
    ctx.inputs[0].borrowed = true;
    ctx.on_log = on_log;
    wf_buf_free(&test_log);
    if (ctx.module->run(&ctx) < 0) fail_msg("%s", ctx.err.message);
    assert_same_table(t, mt_table(&ctx, 0));
    mt_assert_contains(log_text(), "Input pandas.DataFrame #1:");
    mod_ctx_clear(&ctx);
    tbl_free(t);
}

static void returning_something_else_names_what_it_was(void **state)
{
    (void)state;
    static const struct {
        const char *body;
        const char *says;
    } cases[] = {
        {"    return 42\n", "azureml_main returned a value of type int: 42;"},
        {"    return pd.DataFrame({'a': [1]})['a'],\n",
         "value 1 of what azureml_main returned is a pandas Series"},
        {"    return None\n", "azureml_main returned None;"},
        {"    df = pd.DataFrame({'a': [1]})\n    return df, df, df\n",
         "azureml_main returned 3 values, and the module has two outputs"},
        {"    return pd.DataFrame([[1, 2]], columns=['a', 'a']),\n",
         "the DataFrame has two columns named 'a'"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char script[512];
        snprintf(script, sizeof script,
                 "import pandas as pd\n"
                 "def azureml_main(dataframe1=None, dataframe2=None):\n%s",
                 cases[i].body);
        mod_ctx ctx;
        assert_true(run_script(&ctx, script, NULL, NULL, NULL) < 0);
        mt_assert_contains(ctx.err.message, cases[i].says);
        assert_null(ctx.outputs[0].table);
        mod_ctx_clear(&ctx);
    }
}

static void python_dying_is_reported(void **state)
{
    (void)state;
    const char *script = "import os\n"
                         "def azureml_main(dataframe1=None, dataframe2=None):\n"
                         "    print('going', flush=True)\n"
                         "    os._exit(3)\n";
    mod_ctx ctx;
    assert_true(run_script(&ctx, script, NULL, NULL, NULL) < 0);
    assert_string_equal(ctx.err.message,
                        "python3 exited with status 3 before it finished (see the log)");
    mt_assert_contains(log_text(), "going");
    mod_ctx_clear(&ctx);
}

static void a_missing_interpreter_is_a_clear_error(void **state)
{
    (void)state;
    const char *saved = mod__python_binary;
    mod__python_binary = "/nonexistent/python3";
    mod_ctx ctx;
    int rc = run_script(&ctx, IDENTITY, NULL, NULL, NULL);
    mod__python_binary = saved;
    assert_int_equal(rc, WF_ENOTFOUND);
    mt_assert_contains(ctx.err.message,
                       "cannot run /nonexistent/python3: No such file or directory");
    mt_assert_contains(ctx.err.message, "python3 with pandas");
    mod_ctx_clear(&ctx);
}

static void python_runs_in_a_clean_environment(void **state)
{
    (void)state;
    setenv("PYTHONPATH", "/nowhere", 1);
    setenv("WEFT_TEST_SECRET", "leaked", 1);
    const char *script = "import os, sys\n"
                         "import pandas as pd\n"
                         "def azureml_main(dataframe1=None, dataframe2=None):\n"
                         "    with open('helper_mod.py', 'w') as f:\n"
                         "        f.write('VALUE = 7\\n')\n"
                         "    sys.path.insert(0, os.getcwd())\n"
                         "    import helper_mod\n"
                         "    return pd.DataFrame({\n"
                         "        'no_user_site': [sys.flags.no_user_site == 1],\n"
                         "        'no_bytecode': [sys.dont_write_bytecode],\n"
                         "        'pycache': [os.path.exists('__pycache__')],\n"
                         "        'imported': [helper_mod.VALUE],\n"
                         "        'secret': ['WEFT_TEST_SECRET' in os.environ],\n"
                         "        'pythonpath': ['/nowhere' in sys.path],\n"
                         "        'python': [sys.executable],\n"
                         "        'cwd_is_tmp': [os.getcwd().startswith(os.environ['TMPDIR'])],\n"
                         "    }),\n";
    mod_ctx ctx;
    int rc = run_script(&ctx, script, NULL, NULL, NULL);
    unsetenv("PYTHONPATH");
    unsetenv("WEFT_TEST_SECRET");
    if (rc < 0) fail_msg("%s", ctx.err.message);
    const tbl_table *o = mt_table(&ctx, 0);
    assert_string_equal(column_text(o, "no_user_site"), "true");
    assert_string_equal(column_text(o, "no_bytecode"), "true");
    assert_string_equal(column_text(o, "pycache"), "false");
    assert_string_equal(column_text(o, "imported"), "7");
    assert_string_equal(column_text(o, "secret"), "false");
    assert_string_equal(column_text(o, "pythonpath"), "false");
    assert_string_equal(column_text(o, "python"), "/usr/bin/python3");
    assert_string_equal(column_text(o, "cwd_is_tmp"), "true");
    mod_ctx_clear(&ctx);
}

/* ---- cancel ------------------------------------------------------------ */

typedef struct cancel_test {
    volatile sig_atomic_t flag;
    volatile sig_atomic_t seen; /* the script's pids are in the log */
} cancel_test;

static cancel_test the_cancel;

static void *cancel_soon(void *arg)
{
    cancel_test *c = arg;
    struct timespec slice = {0, 10000000L};
    for (int i = 0; i < 3000 && !c->seen; i++)
        nanosleep(&slice, NULL);
    slice.tv_nsec = 100000000L;
    nanosleep(&slice, NULL);
    c->flag = 1;
    return NULL;
}

static void on_log_watch(void *user, const char *line)
{
    on_log(user, line);
    if (strncmp(line, "pids ", 5) == 0) the_cancel.seen = 1;
}

/* Whether pid is gone (or a zombie waiting for init to reap it). */
static bool process_gone(long pid)
{
    char path[64], buf[512];
    snprintf(path, sizeof path, "/proc/%ld/stat", pid);
    FILE *f = fopen(path, "r");
    if (f == NULL) return true;
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    fclose(f);
    buf[n] = '\0';
    const char *close = strrchr(buf, ')');
    return close != NULL && (close[2] == 'Z' || close[2] == 'X');
}

static void cancel_kills_python_and_what_it_started(void **state)
{
    (void)state;
    const char *script = "import os, subprocess, time\n"
                         "def azureml_main(dataframe1=None, dataframe2=None):\n"
                         "    child = subprocess.Popen(['sleep', '60'])\n"
                         "    print('pids', os.getpid(), child.pid, os.getcwd(), flush=True)\n"
                         "    time.sleep(60)\n"
                         "    return dataframe1,\n";
    memset(&the_cancel, 0, sizeof the_cancel);
    json_t *params = json_pack("{s:s}", "python_script", script);
    mod_ctx ctx;
    assert_int_equal(mod_ctx_init(&ctx, python_module(), params), 0);
    json_decref(params);
    ctx.on_log = on_log_watch;
    ctx.cancel = &the_cancel.flag;
    wf_buf_free(&test_log);
    pthread_t thread;
    assert_int_equal(pthread_create(&thread, NULL, cancel_soon, &the_cancel), 0);
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    int rc = ctx.module->run(&ctx);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    pthread_join(thread, NULL);
    assert_int_equal(rc, WF_ECANCELED);
    mt_assert_contains(ctx.err.message, "canceled");
    double took = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
    assert_true(took < 20);
    long py = 0, child = 0;
    char cwd[512];
    const char *line = strstr(log_text(), "pids ");
    assert_non_null(line);
    assert_int_equal(sscanf(line, "pids %ld %ld %511s", &py, &child, cwd), 3);
    assert_true(py > 0 && child > 0);
    /* The sleep child is reparented when python3 dies; let init reap it. */
    for (int i = 0; i < 200 && !(process_gone(py) && process_gone(child)); i++)
        nanosleep(&(struct timespec){0, 10000000L}, NULL);
    assert_true(process_gone(py));
    assert_true(process_gone(child));
    struct stat st;
    assert_true(stat(cwd, &st) < 0 && errno == ENOENT);
    assert_tmpdir_empty();
    mod_ctx_clear(&ctx);
}

static void a_cancel_before_the_start_runs_nothing(void **state)
{
    (void)state;
    volatile sig_atomic_t cancel = 1;
    mod_ctx ctx;
    assert_int_equal(run_script(&ctx, IDENTITY, NULL, NULL, &cancel), WF_ECANCELED);
    mt_assert_contains(ctx.err.message, "canceled");
    assert_null(ctx.outputs[0].table);
    mod_ctx_clear(&ctx);
}

static void folders_left_by_killed_runs_are_swept(void **state)
{
    (void)state;
    /* A pid that is surely gone: a child that has exited and been reaped. */
    pid_t dead = fork();
    assert_true(dead >= 0);
    if (dead == 0) _exit(0);
    assert_int_equal(waitpid(dead, NULL, 0), dead);
    char stale[512], live[512], file[600];
    snprintf(stale, sizeof stale, "%s/weft-python-%ld-AbCdEf", test_tmpdir, (long)dead);
    snprintf(live, sizeof live, "%s/weft-python-1-AbCdEf", test_tmpdir);
    assert_int_equal(mkdir(stale, 0700), 0);
    assert_int_equal(mkdir(live, 0700), 0);
    snprintf(file, sizeof file, "%s/in1", stale);
    assert_int_equal(mkdir(file, 0500), 0); /* read-only, as a script may leave it */
    volatile sig_atomic_t cancel = 1;
    json_t *params = json_pack("{s:s}", "python_script", IDENTITY);
    mod_ctx ctx;
    assert_int_equal(mod_ctx_init(&ctx, python_module(), params), 0);
    json_decref(params);
    ctx.cancel = &cancel;
    assert_int_equal(ctx.module->run(&ctx), WF_ECANCELED);
    mod_ctx_clear(&ctx);
    struct stat st;
    assert_true(stat(stale, &st) < 0 && errno == ENOENT);
    /* Process 1 is alive: its folder stays. */
    assert_int_equal(stat(live, &st), 0);
    assert_int_equal(rmdir(live), 0);
    assert_tmpdir_empty();
}

/* ---- main -------------------------------------------------------------- */

static int setup(void **state)
{
    (void)state;
    if (mkdtemp(test_tmpdir) == NULL) return -1;
    setenv("TMPDIR", test_tmpdir, 1);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    wf_buf_free(&test_log);
    rmdir(test_tmpdir);
    return 0;
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(identity_script_returns_every_type_unchanged),
        cmocka_unit_test(dataframe_dtypes_follow_the_column_types),
        cmocka_unit_test(strings_with_nul_and_non_utf8_bytes_survive),
        cmocka_unit_test(empty_tables_round_trip),
        cmocka_unit_test(frames_written_by_weft_read_back_the_same),
        cmocka_unit_test(damaged_frames_are_refused),
        cmocka_unit_test(script_results_come_back_as_columns),
        cmocka_unit_test(roles_and_categories_come_back_by_name),
        cmocka_unit_test(two_inputs_and_two_outputs),
        cmocka_unit_test(printed_lines_reach_the_log_in_order),
        cmocka_unit_test(an_exception_fails_with_its_last_line_and_traceback),
        cmocka_unit_test(a_script_without_azureml_main_is_refused),
        cmocka_unit_test(configure_accepts_the_default_script_with_unknown_outputs),
        cmocka_unit_test(the_default_script_passes_dataset1_through),
        cmocka_unit_test(returning_something_else_names_what_it_was),
        cmocka_unit_test(python_dying_is_reported),
        cmocka_unit_test(a_missing_interpreter_is_a_clear_error),
        cmocka_unit_test(python_runs_in_a_clean_environment),
        cmocka_unit_test(cancel_kills_python_and_what_it_started),
        cmocka_unit_test(a_cancel_before_the_start_runs_nothing),
        cmocka_unit_test(folders_left_by_killed_runs_are_swept),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
