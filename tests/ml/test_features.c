/*
 * test_features.c: tables to matrices (one-hot and codes, imputation,
 * unseen levels, scoring tables with other column orders, the refusals that
 * name a column) and label columns to targets and classes. Real sample files
 * are checked against pandas reading the same files.
 */
#include "ml/ml.h"

#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "ml_test.h"

#define SAMPLES WEFT_TEST_DATA "/../../.cache/samples"

/* ---- helpers ----------------------------------------------------------- */

static tbl_table *read_file(const char *path)
{
    tbl_table *t = NULL;
    wf_error err = {0};
    if (tbl_read_file(path, NULL, &t, &err) < 0) fail_msg("%s: %s", path, err.message);
    return t;
}

static tbl_table *csv(const char *text)
{
    tbl_read_options opt = {
        .format = TBL_FORMAT_CSV, .header = TBL_HEADER_PRESENT, .delimiter = ','};
    tbl_table *t = NULL;
    wf_error err = {0};
    if (tbl_read_csv(text, strlen(text), &opt, &t, &err) < 0) fail_msg("%s", err.message);
    return t;
}

static size_t column(const tbl_table *t, const char *name)
{
    int at = tbl_find_column(t, name);
    if (at < 0) fail_msg("no column \"%s\"", name);
    return (size_t)at;
}

/* Writes the matrix as CSV (NaN as "nan") to a temporary file; the caller
 * unlinks and frees the path. */
static char *write_matrix(const ml_matrix *x)
{
    char *path = strdup("/tmp/weft_features_XXXXXX");
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    FILE *f = fdopen(fd, "w");
    for (size_t i = 0; i < x->rows; i++)
        for (size_t j = 0; j < x->cols; j++)
            fprintf(f, "%.17g%c", x->data[i * x->cols + j], j + 1 < x->cols ? ',' : '\n');
    fclose(f);
    return path;
}

/* Runs a python script with the arguments; returns its stdout (caller
 * frees). A failing script fails the test. */
static char *python(const char *script, const char *args)
{
    char path[] = "/tmp/weft_features_py_XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    FILE *f = fdopen(fd, "w");
    fputs(script, f);
    fclose(f);
    char cmd[4096];
    snprintf(cmd, sizeof cmd, "/usr/bin/python3 %s %s 2>&1", path, args);
    FILE *p = popen(cmd, "r");
    assert_non_null(p);
    wf_buf out = {0};
    char chunk[4096];
    size_t got;
    while ((got = fread(chunk, 1, sizeof chunk, p)) > 0)
        wf_buf_append(&out, chunk, got);
    int status = pclose(p);
    unlink(path);
    if (status != 0) fail_msg("python failed: %s", out.data ? out.data : "");
    return out.data ? out.data : strdup("");
}

/* The pandas side of the sample checks: the expected matrix, compared with
 * ours; prints the largest difference and whether NaN sit in the same
 * places. argv: data file, our matrix CSV, then column specs
 * "name:kind" with kind num (impute with the mean), date (seconds,
 * imputed), or onehot-dict / onehot-sorted (levels in first-seen or sorted
 * order). */
static const char *expected_matrix_py =
    "import sys, numpy as np, pandas as pd\n"
    "from scipy.io import arff\n"
    "path, ours = sys.argv[1], sys.argv[2]\n"
    "if path.endswith('.arff'):\n"
    "    data, meta = arff.loadarff(path)\n"
    "    df = pd.DataFrame(data)\n"
    "    for c in df.columns:\n"
    "        if df[c].dtype == object:\n"
    "            df[c] = df[c].str.decode('utf-8').replace('?', np.nan)\n"
    "    declared = {n: list(meta[n][1]) for n in meta.names() if meta[n][0] == 'nominal'}\n"
    "else:\n"
    "    df = pd.read_json(path)\n"
    "    declared = {}\n"
    "parts = []\n"
    "for spec in sys.argv[3:]:\n"
    "    name, kind = spec.rsplit(':', 1)\n"
    "    col = df[name]\n"
    "    if kind == 'num':\n"
    "        v = col.astype(float)\n"
    "        parts.append(v.fillna(v.mean()).to_numpy()[:, None])\n"
    "    elif kind == 'date':\n"
    "        v = pd.to_datetime(col).astype('int64').astype(float) / 1e9\n"
    "        parts.append(v.to_numpy()[:, None])\n"
    "    else:\n"
    "        if name in declared: levels = declared[name]\n"
    "        elif kind == 'onehot-dict': levels = list(pd.unique(col.dropna()))\n"
    "        else: levels = sorted(col.dropna().unique())\n"
    "        parts.append(np.stack([(col == l).to_numpy(float) for l in levels], axis=1))\n"
    "want = np.hstack(parts)\n"
    "got = np.loadtxt(ours, delimiter=',', ndmin=2)\n"
    "if got.shape != want.shape:\n"
    "    print('shape', got.shape, want.shape); sys.exit(0)\n"
    "rel = np.abs(got - want) / np.maximum(1, np.abs(want))\n"
    "r, c = np.unravel_index(np.argmax(rel), rel.shape)\n"
    "print('maxdiff %.3g at row %d column %d: %r, want %r'\n"
    "      % (rel[r, c], r, c, got[r, c], want[r, c]))\n";

/* ---- features from sample files --------------------------------------- */

static void cars_features_match_pandas_with_means_dates_and_one_hot(void **state)
{
    (void)state;
    tbl_table *t = read_file(SAMPLES "/cars.json");
    const char *names[] = {"Cylinders",    "Displacement", "Horsepower", "Weight_in_lbs",
                           "Acceleration", "Year",         "Origin"};
    size_t cols[7];
    for (size_t i = 0; i < 7; i++)
        cols[i] = column(t, names[i]);
    /* Horsepower has missing values; Year is a date; Origin text. */
    assert_true(tbl_count_missing(&t->cols[cols[2]], t->nrows) > 0);
    assert_int_equal(t->cols[cols[5]].type, TBL_DATETIME);
    tbl_type origin = t->cols[cols[6]].type;
    assert_true(origin == TBL_CATEGORICAL || origin == TBL_STRING);

    ml_features f;
    wf_error err = {0};
    assert_int_equal(ml_features_fit(&f, t, cols, 7, ML_ONE_HOT, true, &err), 0);
    assert_int_equal(f.count, 7);
    assert_int_equal(f.items[6].nlevels, 3);
    assert_int_equal(f.width, 6 + 3);
    assert_int_equal(f.items[6].first, 6);
    ml_matrix x;
    assert_int_equal(ml_features_matrix(&f, t, &x, &err), 0);
    assert_int_equal(x.rows, t->nrows);
    assert_int_equal(x.cols, 9);

    char *ours = write_matrix(&x);
    char args[1024];
    snprintf(args, sizeof args,
             "%s/cars.json %s Cylinders:num Displacement:num Horsepower:num Weight_in_lbs:num "
             "Acceleration:num Year:date Origin:%s",
             SAMPLES, ours, origin == TBL_CATEGORICAL ? "onehot-dict" : "onehot-sorted");
    char *out = python(expected_matrix_py, args);
    double diff = 1;
    if (sscanf(out, "maxdiff %lf", &diff) != 1) fail_msg("pandas said: %s", out);
    assert_true(diff < 1e-12);
    free(out);
    unlink(ours);
    free(ours);
    ml_matrix_clear(&x);
    ml_features_clear(&f);
    tbl_free(t);
}

static void credit_nominals_one_hot_in_declared_order_like_pandas(void **state)
{
    (void)state;
    tbl_table *t = read_file(SAMPLES "/credit-g.arff");
    const char *names[] = {"checking_status", "duration", "purpose",
                           "credit_amount",   "age",      "foreign_worker"};
    size_t cols[6];
    for (size_t i = 0; i < 6; i++)
        cols[i] = column(t, names[i]);
    ml_features f;
    wf_error err = {0};
    assert_int_equal(ml_features_fit(&f, t, cols, 6, ML_ONE_HOT, true, &err), 0);
    assert_int_equal(f.width, 4 + 1 + 11 + 1 + 1 + 2);
    assert_string_equal(f.items[0].levels[0], "<0");
    assert_string_equal(f.items[2].levels[10], "other");
    ml_matrix x;
    assert_int_equal(ml_features_matrix(&f, t, &x, &err), 0);
    char *ours = write_matrix(&x);
    char args[1024];
    snprintf(args, sizeof args,
             "%s/credit-g.arff %s checking_status:onehot-dict duration:num purpose:onehot-dict "
             "credit_amount:num age:num foreign_worker:onehot-dict",
             SAMPLES, ours);
    char *out = python(expected_matrix_py, args);
    double diff = 1;
    if (sscanf(out, "maxdiff %lf", &diff) != 1) fail_msg("pandas said: %s", out);
    if (!(diff == 0)) fail_msg("pandas said: %s", out);
    free(out);
    unlink(ours);
    free(ours);

    /* Codes: the level's index. */
    ml_features c;
    ml_matrix xc;
    assert_int_equal(ml_features_fit(&c, t, cols, 6, ML_CODES, true, &err), 0);
    assert_int_equal(c.width, 6);
    assert_int_equal(ml_features_matrix(&c, t, &xc, &err), 0);
    for (size_t r = 0; r < t->nrows; r++) {
        assert_true(xc.data[r * 6 + 0] == (double)t->cols[cols[0]].v.codes[r]);
        for (int l = 0; l < 4; l++)
            assert_true(x.data[r * x.cols + (size_t)l] == (xc.data[r * 6] == l ? 1 : 0));
    }
    ml_matrix_clear(&xc);
    ml_features_clear(&c);
    ml_matrix_clear(&x);
    ml_features_clear(&f);
    tbl_free(t);
}

/* ---- encodings on small tables ------------------------------------------ */

/* colour is a string column (every value distinct enough not to be made
 * categorical by the reader); size numeric with a gap. */
static const char *shapes_csv = "colour,size,ok,when\n"
                                "red,1,true,2020-01-01\n"
                                "green,,false,2020-01-02\n"
                                "blue,3,true,\n"
                                "amber,4,false,2020-01-04T12:00:00Z\n";

static void strings_get_sorted_levels_and_numbers_the_training_mean(void **state)
{
    (void)state;
    tbl_table *t = csv(shapes_csv);
    assert_int_equal(t->cols[0].type, TBL_STRING);
    assert_int_equal(t->cols[2].type, TBL_BOOLEAN);
    assert_int_equal(t->cols[3].type, TBL_DATETIME);
    size_t cols[] = {0, 1, 2, 3};
    ml_features f;
    wf_error err = {0};
    assert_int_equal(ml_features_fit(&f, t, cols, 4, ML_ONE_HOT, true, &err), 0);
    const char *sorted[] = {"amber", "blue", "green", "red"};
    assert_int_equal(f.items[0].nlevels, 4);
    for (int i = 0; i < 4; i++)
        assert_string_equal(f.items[0].levels[i], sorted[i]);
    assert_true(fabs(f.items[1].fill - 8.0 / 3) < 1e-15);
    assert_int_equal(f.width, 7);
    ml_matrix x;
    assert_int_equal(ml_features_matrix(&f, t, &x, &err), 0);
    double jan1 = 1577836800; /* 2020-01-01T00:00:00Z in seconds */
    double when_mean = (3 * jan1 + 86400 + 3 * 86400 + 43200) / 3;
    double want[4][7] = {{0, 0, 0, 1, 1, 1, jan1},
                         {0, 0, 1, 0, 8.0 / 3, 0, jan1 + 86400},
                         {0, 1, 0, 0, 3, 1, when_mean},
                         {1, 0, 0, 0, 4, 0, jan1 + 3 * 86400 + 43200}};
    for (int r = 0; r < 4; r++)
        for (int j = 0; j < 7; j++)
            if (fabs(x.data[r * 7 + j] - want[r][j]) > 1e-6)
                fail_msg("row %d column %d: %.17g, want %.17g", r, j, x.data[r * 7 + j],
                         want[r][j]);
    ml_matrix_clear(&x);
    ml_features_clear(&f);
    tbl_free(t);
}

static void without_impute_missing_numbers_are_nan(void **state)
{
    (void)state;
    tbl_table *t = csv(shapes_csv);
    size_t cols[] = {1, 0};
    ml_features f;
    wf_error err = {0};
    assert_int_equal(ml_features_fit(&f, t, cols, 2, ML_CODES, false, &err), 0);
    assert_true(isnan(f.items[0].fill));
    ml_matrix x;
    assert_int_equal(ml_features_matrix(&f, t, &x, &err), 0);
    assert_true(isnan(x.data[1 * 2 + 0]));
    assert_true(x.data[0 * 2 + 0] == 1);
    assert_true(x.data[0 * 2 + 1] == 3); /* red: the fourth sorted level */
    assert_true(x.data[3 * 2 + 1] == 0); /* amber */
    ml_matrix_clear(&x);
    ml_features_clear(&f);
    tbl_free(t);
}

static void scoring_finds_columns_by_name_and_zeroes_unseen_levels(void **state)
{
    (void)state;
    tbl_table *train = csv(shapes_csv);
    size_t cols[] = {0, 1};
    ml_features onehot, codes;
    wf_error err = {0};
    assert_int_equal(ml_features_fit(&onehot, train, cols, 2, ML_ONE_HOT, true, &err), 0);
    assert_int_equal(ml_features_fit(&codes, train, cols, 2, ML_CODES, true, &err), 0);
    /* Columns in another order, an extra one, an unseen level, a missing
     * level, and integers for a numeric column. */
    tbl_table *score = csv("extra,size,colour\nx,10,blue\ny,,purple\nz,7,\n");
    ml_matrix x;
    assert_int_equal(ml_features_matrix(&onehot, score, &x, &err), 0);
    double want[3][5] = {{0, 1, 0, 0, 10}, {0, 0, 0, 0, 8.0 / 3}, {0, 0, 0, 0, 7}};
    for (int r = 0; r < 3; r++)
        for (int j = 0; j < 5; j++)
            assert_true(fabs(x.data[r * 5 + j] - want[r][j]) < 1e-12);
    ml_matrix_clear(&x);
    assert_int_equal(ml_features_matrix(&codes, score, &x, &err), 0);
    assert_true(x.data[0] == 1);
    assert_true(isnan(x.data[2]));
    assert_true(isnan(x.data[4]));
    ml_matrix_clear(&x);

    /* A categorical column stands for a string one: matched by text. */
    tbl_table *cat = csv("colour,size\nred,1\nred,2\nblue,3\nblue,4\ngreen,5\ngreen,6\n");
    assert_int_equal(cat->cols[0].type, TBL_CATEGORICAL);
    assert_int_equal(ml_features_matrix(&onehot, cat, &x, &err), 0);
    assert_true(x.data[0 * 5 + 3] == 1 && x.data[2 * 5 + 1] == 1 && x.data[4 * 5 + 2] == 1);
    ml_matrix_clear(&x);
    tbl_free(cat);
    tbl_free(score);
    ml_features_clear(&onehot);
    ml_features_clear(&codes);
    tbl_free(train);
}

static void a_missing_or_mistyped_scoring_column_is_named(void **state)
{
    (void)state;
    tbl_table *train = csv(shapes_csv);
    size_t cols[] = {0, 1};
    ml_features f;
    wf_error err = {0};
    assert_int_equal(ml_features_fit(&f, train, cols, 2, ML_ONE_HOT, true, &err), 0);
    ml_matrix x;
    tbl_table *no_size = csv("colour\nred\n");
    assert_int_equal(ml_features_matrix(&f, no_size, &x, &err), WF_ENOTFOUND);
    assert_contains(err.message, "\"size\"");
    assert_null(x.data);
    wf_error_clear(&err);
    tbl_table *text_size = csv("colour,size\nred,big\n");
    assert_int_equal(ml_features_matrix(&f, text_size, &x, &err), WF_ETYPE);
    assert_contains(err.message, "column \"size\" is string, but the model was trained on integer");
    wf_error_clear(&err);
    tbl_table *number_colour = csv("colour,size\n1,2\n");
    assert_int_equal(ml_features_matrix(&f, number_colour, &x, &err), WF_ETYPE);
    assert_contains(err.message, "\"colour\"");
    tbl_free(no_size);
    tbl_free(text_size);
    tbl_free(number_colour);
    ml_features_clear(&f);
    tbl_free(train);
}

static void a_string_column_with_too_many_levels_is_refused_like_azure(void **state)
{
    (void)state;
    wf_buf b = {0};
    wf_buf_puts(&b, "Name,n\n");
    for (int i = 0; i < 1532; i++)
        wf_buf_printf(&b, "name %d,%d\n", i, i);
    tbl_table *t = csv(b.data);
    wf_buf_free(&b);
    assert_int_equal(t->cols[0].type, TBL_STRING);
    size_t cols[] = {1, 0};
    ml_features f;
    wf_error err = {0};
    assert_int_equal(ml_features_fit(&f, t, cols, 2, ML_ONE_HOT, true, &err), WF_ELIMIT);
    assert_string_equal(err.message,
                        "column \"Name\": 1532 unique values, more than the 1000 a feature may "
                        "have; remove it with Select Columns, or make it categorical with Edit "
                        "Metadata");
    assert_null(f.items);
    tbl_free(t);
}

static void an_all_missing_column_and_an_empty_table_are_named(void **state)
{
    (void)state;
    tbl_table *t = csv("a,b\n1,\n2,\n");
    size_t cols[] = {0, 1};
    ml_features f;
    wf_error err = {0};
    assert_true(ml_features_fit(&f, t, cols, 2, ML_ONE_HOT, true, &err) < 0);
    assert_contains(err.message, "column \"b\" has only missing values");
    tbl_free(t);

    wf_error_clear(&err);
    t = csv("a,b\n1,x\n");
    tbl_table *empty = NULL;
    assert_int_equal(tbl_filter(t, (bool[]){false}, &empty, &err), 0);
    assert_int_equal(empty->nrows, 0);
    assert_true(ml_features_fit(&f, empty, cols, 2, ML_ONE_HOT, true, &err) < 0);
    assert_contains(err.message, "column \"a\" has only missing values");
    wf_error_clear(&err);
    assert_int_equal(ml_features_fit(&f, t, cols, 0, ML_ONE_HOT, true, &err), WF_EINVAL);

    /* Scoring an empty table gives an empty matrix. */
    assert_int_equal(ml_features_fit(&f, t, cols, 2, ML_ONE_HOT, true, &err), 0);
    ml_matrix x;
    assert_int_equal(ml_features_matrix(&f, empty, &x, &err), 0);
    assert_int_equal(x.rows, 0);
    assert_int_equal(x.cols, 2);
    ml_matrix_clear(&x);
    ml_features_clear(&f);
    tbl_free(empty);
    tbl_free(t);
}

static void a_copy_outlives_its_source(void **state)
{
    (void)state;
    tbl_table *t = csv(shapes_csv);
    size_t cols[] = {0, 1, 2};
    ml_features f, g;
    wf_error err = {0};
    assert_int_equal(ml_features_fit(&f, t, cols, 3, ML_ONE_HOT, true, &err), 0);
    assert_int_equal(ml_features_copy(&g, &f, &err), 0);
    ml_features_clear(&f);
    assert_int_equal(g.count, 3);
    assert_int_equal(g.width, 6);
    assert_string_equal(g.items[0].name, "colour");
    assert_string_equal(g.items[0].levels[3], "red");
    ml_matrix x;
    assert_int_equal(ml_features_matrix(&g, t, &x, &err), 0);
    assert_true(x.data[3] == 1);
    ml_matrix_clear(&x);
    ml_features_clear(&g);
    ml_features_clear(&g); /* a cleared struct clears again */
    tbl_free(t);
}

/* ---- labels ------------------------------------------------------------- */

static void class_order_puts_the_positive_class_second(void **state)
{
    (void)state;
    tbl_table *diabetes = read_file(SAMPLES "/diabetes.arff");
    ml_classes c;
    int32_t *y = NULL;
    wf_error err = {0};
    size_t label = column(diabetes, "class");
    assert_int_equal(ml_label_classes(diabetes, label, &c, &y, &err), 0);
    assert_int_equal(c.count, 2);
    assert_string_equal(c.names[0], "tested_negative");
    assert_string_equal(c.names[1], "tested_positive");
    /* The independent count: 268 positives in Pima diabetes. */
    size_t positives = 0;
    for (size_t r = 0; r < diabetes->nrows; r++)
        positives += y[r] == 1;
    assert_int_equal(positives, 268);
    free(y);
    ml_classes_clear(&c);
    tbl_free(diabetes);

    /* Numbers ascending, booleans false first, categorical levels in their
     * dictionary's order, strings sorted; missing is -1. */
    tbl_table *t = csv("num,flag,word,text\n"
                       "3,true,b,zeta\n"
                       "-1,false,a,alpha\n"
                       "2.5,true,b,mid\n"
                       ",,,\n"
                       "3,true,a,zeta\n");
    struct {
        const char *column;
        const char *names[4];
        size_t count;
        int32_t y[5];
    } cases[] = {
        {"num", {"-1", "2.5", "3"}, 3, {2, 0, 1, -1, 2}},
        {"flag", {"false", "true"}, 2, {1, 0, 1, -1, 1}},
        {"word", {"b", "a"}, 2, {0, 1, 0, -1, 1}}, /* categorical: first seen */
        {"text", {"alpha", "mid", "zeta"}, 3, {2, 0, 1, -1, 2}},
    };
    for (size_t k = 0; k < 4; k++) {
        assert_int_equal(ml_label_classes(t, column(t, cases[k].column), &c, &y, &err), 0);
        assert_int_equal(c.count, cases[k].count);
        for (size_t i = 0; i < c.count; i++)
            assert_string_equal(c.names[i], cases[k].names[i]);
        assert_memory_equal(y, cases[k].y, sizeof cases[k].y);
        free(y);
        ml_classes_clear(&c);
    }
    tbl_free(t);
}

static void categorical_classes_keep_the_dictionary_order_of_present_levels(void **state)
{
    (void)state;
    tbl_table *iris = read_file(SAMPLES "/iris.arff");
    ml_classes c;
    int32_t *y = NULL;
    wf_error err = {0};
    assert_int_equal(ml_label_classes(iris, column(iris, "class"), &c, &y, &err), 0);
    assert_int_equal(c.count, 3);
    assert_string_equal(c.names[0], "Iris-setosa");
    assert_string_equal(c.names[2], "Iris-virginica");
    assert_int_equal(y[0], 0);
    assert_int_equal(y[149], 2);
    free(y);
    ml_classes_clear(&c);
    tbl_free(iris);
}

static void lookup_maps_known_classes_and_the_rest_to_minus_one(void **state)
{
    (void)state;
    tbl_table *train = csv("label,n\ncat,1\ndog,2\ncat,3\ndog,4\n");
    ml_classes c, copy;
    int32_t *y = NULL;
    wf_error err = {0};
    assert_int_equal(ml_label_classes(train, 0, &c, &y, &err), 0);
    free(y);
    assert_int_equal(ml_classes_copy(&copy, &c, &err), 0);
    ml_classes_clear(&c);
    assert_string_equal(copy.names[0], "cat");
    tbl_table *eval = csv("label,n\ndog,1\nbird,2\n,3\ncat,4\n");
    assert_int_equal(ml_label_lookup(eval, 0, &copy, &y, &err), 0);
    int32_t want[] = {1, -1, -1, 0};
    assert_memory_equal(y, want, sizeof want);
    free(y);
    ml_classes_clear(&copy);

    /* Numbers meet by value: 1.0 is class "1". */
    tbl_table *nums = csv("v\n0\n1\n1\n0\n");
    assert_int_equal(ml_label_classes(nums, 0, &c, &y, &err), 0);
    free(y);
    tbl_table *floats = csv("v\n1.0\n0.0\n2.0\n");
    assert_int_equal(ml_label_lookup(floats, 0, &c, &y, &err), 0);
    int32_t want_nums[] = {1, 0, -1};
    assert_memory_equal(y, want_nums, sizeof want_nums);
    free(y);
    ml_classes_clear(&c);
    tbl_free(floats);
    tbl_free(nums);
    tbl_free(eval);
    tbl_free(train);
}

static void label_numbers_are_nan_when_missing_and_text_is_refused(void **state)
{
    (void)state;
    tbl_table *t = csv("price,name\n1.5,a\n,b\n3,c\n");
    double *y = NULL;
    wf_error err = {0};
    assert_int_equal(ml_label_numbers(t, 0, &y, &err), 0);
    assert_true(y[0] == 1.5 && isnan(y[1]) && y[2] == 3);
    free(y);
    assert_int_equal(ml_label_numbers(t, 1, &y, &err), WF_ETYPE);
    assert_contains(err.message, "\"name\"");
    assert_null(y);
    ml_classes c;
    int32_t *k = NULL;
    tbl_table *none = csv("a,b\n,1\n,2\n");
    wf_error_clear(&err);
    assert_true(ml_label_classes(none, 0, &c, &k, &err) < 0);
    assert_contains(err.message, "\"a\"");
    assert_null(k);
    tbl_free(none);
    tbl_free(t);
}

/* Encoding in blocks (as Score Model does) gives the same values as one
 * matrix of every row, wherever the blocks start and end; the pandas-checked
 * test above vouches for the whole matrix. */
static void blocks_of_rows_encode_as_the_whole_matrix_does(void **state)
{
    (void)state;
    tbl_table *t = read_file(SAMPLES "/cars.json");
    const char *names[] = {"Cylinders", "Horsepower", "Year", "Origin", "Name"};
    size_t cols[5];
    for (size_t i = 0; i < 5; i++)
        cols[i] = column(t, names[i]);
    ml_features f;
    wf_error err = {0};
    assert_int_equal(ml_features_fit(&f, t, cols, 5, ML_ONE_HOT, true, &err), 0);
    ml_matrix whole;
    assert_int_equal(ml_features_matrix(&f, t, &whole, &err), 0);
    ml_encoder *e = NULL;
    assert_int_equal(ml_encoder_new(&f, t, &e, &err), 0);
    double *block = malloc(7 * f.width * sizeof *block);
    for (size_t r0 = 0; r0 < t->nrows; r0 += 7) {
        size_t n = t->nrows - r0 < 7 ? t->nrows - r0 : 7;
        ml_encoder_fill(e, r0, n, block);
        assert_memory_equal(block, whole.data + r0 * f.width, n * f.width * sizeof *block);
    }
    free(block);
    ml_encoder_free(e);
    /* A table without a feature column cannot be bound. */
    tbl_drop_column(t, cols[1]);
    assert_int_equal(ml_encoder_new(&f, t, &e, &err), WF_ENOTFOUND);
    assert_null(e);
    assert_contains(err.message, "Horsepower");
    ml_matrix_clear(&whole);
    ml_features_clear(&f);
    tbl_free(t);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(cars_features_match_pandas_with_means_dates_and_one_hot),
        cmocka_unit_test(credit_nominals_one_hot_in_declared_order_like_pandas),
        cmocka_unit_test(strings_get_sorted_levels_and_numbers_the_training_mean),
        cmocka_unit_test(without_impute_missing_numbers_are_nan),
        cmocka_unit_test(scoring_finds_columns_by_name_and_zeroes_unseen_levels),
        cmocka_unit_test(a_missing_or_mistyped_scoring_column_is_named),
        cmocka_unit_test(a_string_column_with_too_many_levels_is_refused_like_azure),
        cmocka_unit_test(an_all_missing_column_and_an_empty_table_are_named),
        cmocka_unit_test(a_copy_outlives_its_source),
        cmocka_unit_test(class_order_puts_the_positive_class_second),
        cmocka_unit_test(categorical_classes_keep_the_dictionary_order_of_present_levels),
        cmocka_unit_test(lookup_maps_known_classes_and_the_rest_to_minus_one),
        cmocka_unit_test(label_numbers_are_nan_when_missing_and_text_is_refused),
        cmocka_unit_test(blocks_of_rows_encode_as_the_whole_matrix_does),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
