/*
 * test_metrics.c: Evaluate Model's figures (ml_binary_evaluate,
 * ml_regression_evaluate, ml_multiclass_evaluate, ml_cluster_evaluate),
 * each checked against scikit-learn or numpy run by /usr/bin/python3 over the
 * same numbers, and their refusals of bad input.
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

/* ---- the Python peer ------------------------------------------------------ */

/* Arrays handed to Python: each is "name count\n" then count raw doubles. */
typedef struct py_data {
    char path[64];
    FILE *f;
} py_data;

static void py_open(py_data *d)
{
    strcpy(d->path, "/tmp/weft-test-metrics-XXXXXX");
    int fd = mkstemp(d->path);
    assert_true(fd >= 0);
    d->f = fdopen(fd, "wb");
    assert_non_null(d->f);
}

static void py_put(py_data *d, const char *name, const double *v, size_t n)
{
    fprintf(d->f, "%s %zu\n", name, n);
    assert_int_equal(fwrite(v, sizeof *v, n, d->f), n);
}

static void py_put_ints(py_data *d, const char *name, const int32_t *v, size_t n)
{
    double *w = malloc((n + 1) * sizeof *w);
    for (size_t i = 0; i < n; i++)
        w[i] = v[i];
    py_put(d, name, w, n);
    free(w);
}

/* What every snippet starts with: the arrays as D[name] (numpy float64), and
 * out(name, values) to print a named row of numbers that C reads back. */
static const char PY_PRELUDE[] =
    "import sys, warnings\n"
    "import numpy as np\n"
    "from sklearn import metrics as M\n"
    "warnings.filterwarnings('ignore')\n"
    "b = open(sys.argv[1], 'rb').read()\n"
    "D = {}\n"
    "i = 0\n"
    "while i < len(b):\n"
    "    j = b.index(b'\\n', i)\n"
    "    name, n = b[i:j].decode().split()\n"
    "    D[name] = np.frombuffer(b, dtype='<f8', count=int(n), offset=j + 1)\n"
    "    i = j + 1 + 8 * int(n)\n"
    "def out(name, v):\n"
    "    v = np.atleast_1d(np.asarray(v, dtype=float)).ravel()\n"
    "    print(name, ' '.join(repr(float(x)) for x in v))\n";

/* Runs PY_PRELUDE + code over d's arrays; returns its output (free it). */
static char *py_run(py_data *d, const char *code)
{
    assert_int_equal(fclose(d->f), 0);
    char script[64] = "/tmp/weft-test-metrics-py-XXXXXX";
    int fd = mkstemp(script);
    assert_true(fd >= 0);
    FILE *s = fdopen(fd, "w");
    fputs(PY_PRELUDE, s);
    fputs(code, s);
    fclose(s);
    char cmd[256];
    snprintf(cmd, sizeof cmd, "/usr/bin/python3 %s %s", script, d->path);
    FILE *p = popen(cmd, "r");
    assert_non_null(p);
    wf_buf out = {0};
    char chunk[4096];
    size_t got;
    while ((got = fread(chunk, 1, sizeof chunk, p)) > 0)
        wf_buf_append(&out, chunk, got);
    int status = pclose(p);
    unlink(script);
    unlink(d->path);
    if (status != 0) fail_msg("python failed (status %d); it printed:\n%s", status, out.data);
    assert_non_null(out.data);
    return out.data;
}

/* The numbers of the row called name in Python's output (free them). */
static double *py_get(const char *text, const char *name, size_t *n)
{
    size_t len = strlen(name);
    const char *line = text;
    while (line != NULL && !(strncmp(line, name, len) == 0 && line[len] == ' ')) {
        line = strchr(line, '\n');
        if (line != NULL) line++;
    }
    if (line == NULL) fail_msg("python printed no row \"%s\"", name);
    const char *end = strchr(line, '\n');
    size_t cap = 16, count = 0;
    double *v = malloc(cap * sizeof *v);
    const char *q = line + len;
    for (;;) {
        while (*q == ' ')
            q++;
        if (q == end || *q == '\0') break;
        char *stop;
        double x = strtod(q, &stop);
        if (stop == q) fail_msg("row \"%s\": cannot read \"%.20s\"", name, q);
        if (count == cap) v = realloc(v, (cap *= 2) * sizeof *v);
        v[count++] = x;
        q = stop;
    }
    *n = count;
    return v;
}

static double py_scalar(const char *text, const char *name)
{
    size_t n;
    double *v = py_get(text, name, &n);
    assert_int_equal(n, 1);
    double x = v[0];
    free(v);
    return x;
}

/* ---- comparing ------------------------------------------------------------ */

#define TOL 1e-9

static void assert_close(double got, double want, const char *what)
{
    if (isnan(want) && isnan(got)) return;
    if (isinf(want) && got == want) return;
    if (!(fabs(got - want) <= TOL * fmax(1, fabs(want))))
        fail_msg("%s: got %.17g, want %.17g", what, got, want);
}

static void assert_scalar(const char *text, const char *name, double got)
{
    assert_close(got, py_scalar(text, name), name);
}

/* ---- data ----------------------------------------------------------------- */

/* Two classes whose probabilities overlap: positives score higher on
 * average. With digits > 0 the probabilities are rounded to that many
 * decimals, which makes ties. */
static void binary_data(size_t n, uint64_t seed, int digits, int32_t *y, double *p)
{
    wf_rng r = {.state = seed};
    for (size_t i = 0; i < n; i++) {
        y[i] = wf_rng_uniform(&r) < 0.4;
        double z = wf_rng_normal(&r) + (y[i] ? 1.2 : 0);
        p[i] = ml_sigmoid(z);
        if (digits > 0) {
            double scale = pow(10, digits);
            p[i] = round(p[i] * scale) / scale;
        }
    }
}

/* ---- two classes ---------------------------------------------------------- */

/* The Python side of the binary comparisons, one case c at a time (arrays
 * c_y and c_p): AUC, log loss, the confusion at every threshold (counts by
 * numpy; accuracy, precision, recall and F1 by scikit-learn at a few), the
 * unthinned ROC and precision-recall curves, listed from the strictest
 * threshold down as weft lists them, and the cumulative gains computed
 * directly. */
static const char PY_BINARY[] =
    "for c in range(int(D['cases'][0])):\n"
    "    y = D['%d_y' % c]; p = D['%d_p' % c]\n"
    "    keep = (y >= 0) & ~np.isnan(p)\n"
    "    y = y[keep].astype(int); p = p[keep]\n"
    "    o = lambda name, v: out('%d_%s' % (c, name), v)\n"
    "    o('n', [len(y), y.sum()])\n"
    "    o('auc', M.roc_auc_score(y, p))\n"
    "    o('log_loss', M.log_loss(y, p, eps=1e-15, labels=[0, 1]))\n"
    "    for t in range(101):\n"
    "        f = p >= t / 100\n"
    "        tp = np.sum(f & (y == 1)); fp = np.sum(f & (y == 0))\n"
    "        o('t%d' % t, [tp, fp, np.sum(~f & (y == 0)), np.sum(~f & (y == 1))])\n"
    "    for t in (0, 25, 50, 77, 100):\n"
    "        f = (p >= t / 100).astype(int)\n"
    "        prec = M.precision_score(y, f, zero_division=0) if f.sum() > 0 else np.nan\n"
    "        o('s%d' % t, [M.accuracy_score(y, f), prec, M.recall_score(y, f),\n"
    "                      M.f1_score(y, f, zero_division=0)])\n"
    "    fpr, tpr, thr = M.roc_curve(y, p, drop_intermediate=False)\n"
    "    o('roc_x', fpr); o('roc_y', tpr); o('roc_t', np.concatenate([[np.inf], thr[1:]]))\n"
    "    prec, rec, thr = M.precision_recall_curve(y, p)\n"
    "    o('pr_x', rec[::-1]); o('pr_y', prec[::-1])\n"
    "    o('pr_t', np.concatenate([[np.inf], thr[::-1]]))\n"
    "    s = np.unique(p)[::-1]\n"
    "    o('lift_x', [0] + [np.mean(p >= v) for v in s])\n"
    "    o('lift_y', [0] + [np.sum((p >= v) & (y == 1)) / np.sum(y == 1) for v in s])\n"
    "    o('lift_t', [np.inf] + list(s))\n";

static void assert_curve(const char *text, const char *c, const char *name, const ml_point *pts,
                         size_t n)
{
    char key[32];
    size_t nx, ny, nt;
    snprintf(key, sizeof key, "%s_%s_x", c, name);
    double *x = py_get(text, key, &nx);
    snprintf(key, sizeof key, "%s_%s_y", c, name);
    double *y = py_get(text, key, &ny);
    snprintf(key, sizeof key, "%s_%s_t", c, name);
    double *t = py_get(text, key, &nt);
    if (nx != n) fail_msg("case %s, %s: %zu points, scikit-learn has %zu", c, name, n, nx);
    assert_int_equal(ny, n);
    assert_int_equal(nt, n);
    for (size_t i = 0; i < n; i++) {
        char what[64];
        snprintf(what, sizeof what, "case %s, %s point %zu x", c, name, i);
        assert_close(pts[i].x, x[i], what);
        snprintf(what, sizeof what, "case %s, %s point %zu y", c, name, i);
        assert_close(pts[i].y, y[i], what);
        snprintf(what, sizeof what, "case %s, %s point %zu threshold", c, name, i);
        assert_close(pts[i].threshold, t[i], what);
    }
    free(x);
    free(y);
    free(t);
}

/* The rows of Python's output called <c>_<name>, as numbers. */
static double *case_get(const char *text, const char *c, const char *name, size_t want)
{
    char key[32];
    size_t n;
    snprintf(key, sizeof key, "%s_%s", c, name);
    double *v = py_get(text, key, &n);
    if (n != want) fail_msg("%s: %zu numbers, want %zu", key, n, want);
    return v;
}

static void check_binary_case(const char *text, const char *c, const ml_binary_metrics *m)
{
    double *v = case_get(text, c, "n", 2);
    assert_int_equal(m->n, (size_t)v[0]);
    assert_int_equal(m->positives, (size_t)v[1]);
    free(v);
    v = case_get(text, c, "auc", 1);
    assert_close(m->auc, v[0], "auc");
    free(v);
    v = case_get(text, c, "log_loss", 1);
    assert_close(m->log_loss, v[0], "log loss");
    free(v);
    for (int t = 0; t < ML_THRESHOLDS; t++) {
        const ml_confusion *k = &m->thresholds[t];
        char name[16];
        snprintf(name, sizeof name, "t%d", t);
        v = case_get(text, c, name, 4);
        assert_true(k->threshold == t / 100.0);
        if (k->tp != (size_t)v[0] || k->fp != (size_t)v[1] || k->tn != (size_t)v[2] ||
            k->fn != (size_t)v[3])
            fail_msg("case %s, threshold %d: tp fp tn fn %zu %zu %zu %zu, want %g %g %g %g", c, t,
                     k->tp, k->fp, k->tn, k->fn, v[0], v[1], v[2], v[3]);
        free(v);
    }
    assert_memory_equal(&m->at_half, &m->thresholds[50], sizeof m->at_half);
    assert_true(m->at_half.threshold == 0.5);
    static const int some[] = {0, 25, 50, 77, 100};
    for (size_t i = 0; i < sizeof some / sizeof *some; i++) {
        const ml_confusion *k = &m->thresholds[some[i]];
        char name[16];
        snprintf(name, sizeof name, "s%d", some[i]);
        v = case_get(text, c, name, 4);
        assert_close(k->accuracy, v[0], "accuracy");
        assert_close(k->precision, v[1], "precision");
        assert_close(k->recall, v[2], "recall");
        assert_close(k->f1, v[3], "f1");
        free(v);
    }
    assert_true(m->nroc < ML_CURVE_POINTS); /* the comparisons need unthinned curves */
    assert_curve(text, c, "roc", m->roc, m->nroc);
    assert_curve(text, c, "pr", m->pr, m->npr);
    assert_curve(text, c, "lift", m->lift, m->nlift);
}

/* Several cases, each evaluated by weft and by scikit-learn in one Python
 * run (starting Python is the slow part). */
static void binary_matches_scikit_learn(void **state)
{
    (void)state;
    enum { CASES = 8, N = 4000 };
    static const char *what[CASES] = {
        "tied scores",
        "distinct scores",
        "all scores equal",
        "perfect",
        "inverted",
        "missing rows",
        "few rows, 0 and 1 probabilities",
        "100 values from 0 to 1, denormals and close neighbours too, 40 rows each",
    };
    static int32_t y[CASES][N];
    static double p[CASES][N];
    size_t n[CASES] = {400, 600, 50, 40, 40, 400, 6, N};
    binary_data(n[0], 11, 2, y[0], p[0]); /* two decimals: about 100 distinct scores */
    binary_data(n[1], 12, 0, y[1], p[1]);
    for (size_t i = 0; i < n[2]; i++) {
        y[2][i] = i % 3 == 0;
        p[2][i] = 0.5;
    }
    for (size_t i = 0; i < n[3]; i++) {
        y[3][i] = y[4][i] = i % 2;
        p[3][i] = y[3][i] ? 0.6 + i * 0.001 : 0.4 - i * 0.001;
        p[4][i] = y[4][i] ? 0.1 + i * 0.001 : 0.9 - i * 0.001;
    }
    binary_data(n[5], 13, 3, y[5], p[5]);
    for (size_t i = 0; i < n[5]; i += 7)
        y[5][i] = -1;
    for (size_t i = 3; i < n[5]; i += 11)
        p[5][i] = NAN;
    p[5][1] = -0.0; /* equal to 0.0, and must tie with it */
    p[5][2] = 0.0;
    static const int32_t y6[6] = {1, 0, 1, 0, 1, 0};
    static const double p6[6] = {1, 0, 0, 1, 0.5, 0.5}; /* certain, and wrong twice */
    memcpy(y[6], y6, sizeof y6);
    memcpy(p[6], p6, sizeof p6);
    /* Ties in buckets big enough for the radix sort to split them, over
     * every exponent a probability has, and neighbours that differ only in
     * their last bits. */
    wf_rng r = {.state = 16};
    double values[100] = {0, 5e-324, 1, 0.5, 1e-300};
    for (size_t j = 5; j < 50; j++)
        values[j] = ldexp(0.5 + 0.5 * wf_rng_uniform(&r), -(int)(j * 11 % 1000));
    for (size_t j = 50; j < 100; j++)
        values[j] = 0.5 + ldexp((double)(j % 7) + 8.0 * (double)(j % 3), -48 + (int)(j % 2));
    for (size_t i = 0; i < N; i++) {
        size_t j = wf_rng_below(&r, 100);
        p[7][i] = values[j];
        y[7][i] = wf_rng_uniform(&r) < (j % 2 ? 0.3 : 0.6);
    }

    ml_binary_metrics m[CASES];
    py_data d;
    py_open(&d);
    double cases = CASES;
    py_put(&d, "cases", &cases, 1);
    for (size_t c = 0; c < CASES; c++) {
        wf_error err = {0};
        if (ml_binary_evaluate(y[c], p[c], n[c], &m[c], &err) < 0)
            fail_msg("%s: %s", what[c], err.message);
        char name[16];
        snprintf(name, sizeof name, "%zu_y", c);
        py_put_ints(&d, name, y[c], n[c]);
        snprintf(name, sizeof name, "%zu_p", c);
        py_put(&d, name, p[c], n[c]);
    }
    char *text = py_run(&d, PY_BINARY);
    for (size_t c = 0; c < CASES; c++) {
        char name[16];
        snprintf(name, sizeof name, "%zu", c);
        print_message("case %zu: %s\n", c, what[c]);
        check_binary_case(text, name, &m[c]);
        ml_binary_metrics_clear(&m[c]);
    }
    free(text);
}

static void binary_all_equal_scores_give_half_an_auc_and_a_diagonal(void **state)
{
    (void)state;
    int32_t y[4] = {0, 1, 1, 0};
    double p[4] = {0.3, 0.3, 0.3, 0.3};
    ml_binary_metrics m;
    assert_int_equal(ml_binary_evaluate(y, p, 4, &m, NULL), 0);
    assert_true(m.auc == 0.5);
    assert_int_equal(m.nroc, 2);
    assert_true(m.roc[0].x == 0 && m.roc[0].y == 0 && isinf(m.roc[0].threshold));
    assert_true(m.roc[1].x == 1 && m.roc[1].y == 1 && m.roc[1].threshold == 0.3);
    assert_true(m.pr[0].x == 0 && m.pr[0].y == 1 && m.pr[1].x == 1 && m.pr[1].y == 0.5);
    /* 0.3 >= 0.3: everything positive at 0.3, nothing at 0.31. */
    assert_int_equal(m.thresholds[30].tp, 2);
    assert_int_equal(m.thresholds[30].fp, 2);
    assert_int_equal(m.thresholds[31].tp + m.thresholds[31].fp, 0);
    assert_true(isnan(m.thresholds[31].precision));
    assert_true(m.thresholds[31].f1 == 0);
    ml_binary_metrics_clear(&m);
}

static void binary_perfect_and_inverted_classifiers_score_one_and_zero(void **state)
{
    (void)state;
    int32_t y[4] = {0, 1, 1, 0};
    double right[4] = {0.2, 0.9, 0.7, 0.1}, wrong[4] = {0.8, 0.1, 0.3, 0.9};
    ml_binary_metrics m;
    assert_int_equal(ml_binary_evaluate(y, right, 4, &m, NULL), 0);
    assert_true(m.auc == 1 && m.at_half.accuracy == 1 && m.at_half.f1 == 1);
    ml_binary_metrics_clear(&m);
    assert_int_equal(ml_binary_evaluate(y, wrong, 4, &m, NULL), 0);
    assert_true(m.auc == 0 && m.at_half.accuracy == 0 && m.at_half.f1 == 0);
    ml_binary_metrics_clear(&m);
}

/* A million rows: the figures still match scikit-learn, and the curves are
 * thinned to ML_CURVE_POINTS points evenly spaced along the full curve,
 * both ends kept. */
static void binary_matches_scikit_learn_on_a_million_rows_thinning_curves(void **state)
{
    (void)state;
    size_t n = 1000000;
    int32_t *y = malloc(n * sizeof *y);
    double *p = malloc(n * sizeof *p);
    binary_data(n, 14, 0, y, p);
    for (size_t i = 0; i < n; i += 10)
        p[i] = round(p[i] * 1000) / 1000; /* some ties among the distinct */
    ml_binary_metrics m;
    wf_error err = {0};
    if (ml_binary_evaluate(y, p, n, &m, &err) < 0) fail_msg("%s", err.message);
    py_data d;
    py_open(&d);
    py_put_ints(&d, "y", y, n);
    py_put(&d, "p", p, n);
    char *text = py_run(&d, "y = D['y'].astype(int); p = D['p']\n"
                            "out('auc', M.roc_auc_score(y, p))\n"
                            "out('log_loss', M.log_loss(y, p, eps=1e-15))\n"
                            "out('f1', M.f1_score(y, (p >= 0.5).astype(int)))\n"
                            "out('positives', np.sum(y))\n"
                            "fpr, tpr, thr = M.roc_curve(y, p, drop_intermediate=False)\n"
                            "at = np.arange(1000) * (len(fpr) - 1) // 999\n"
                            "out('_roc_x', fpr[at]); out('_roc_y', tpr[at])\n"
                            "out('_roc_t', np.concatenate([[np.inf], thr[at[1:]]]))\n"
                            "prec, rec, thr = M.precision_recall_curve(y, p)\n"
                            "at = len(rec) - 1 - at\n"
                            "out('_pr_x', rec[at]); out('_pr_y', prec[at])\n"
                            "out('_pr_t', np.concatenate([[np.inf], thr[at[1:]]]))\n");
    assert_scalar(text, "auc", m.auc);
    assert_scalar(text, "log_loss", m.log_loss);
    assert_scalar(text, "f1", m.at_half.f1);
    assert_scalar(text, "positives", (double)m.positives);
    assert_int_equal(m.n, n);
    assert_int_equal(m.nroc, ML_CURVE_POINTS);
    assert_int_equal(m.npr, ML_CURVE_POINTS);
    assert_int_equal(m.nlift, ML_CURVE_POINTS);
    assert_curve(text, "", "roc", m.roc, m.nroc);
    assert_curve(text, "", "pr", m.pr, m.npr);
    assert_true(m.roc[0].x == 0 && m.roc[0].y == 0);
    assert_true(m.roc[ML_CURVE_POINTS - 1].x == 1 && m.roc[ML_CURVE_POINTS - 1].y == 1);
    assert_true(m.lift[0].x == 0 && m.lift[ML_CURVE_POINTS - 1].x == 1);
    assert_true(m.lift[ML_CURVE_POINTS - 1].y == 1);
    free(text);
    ml_binary_metrics_clear(&m);
    free(y);
    free(p);
}

/* A failed evaluation leaves the metrics zeroed, so clearing them is safe. */
static void assert_binary_fails(const int32_t *y, const double *p, size_t n, const char *message)
{
    ml_binary_metrics m;
    wf_error err = {0};
    assert_int_equal(ml_binary_evaluate(y, p, n, &m, &err), WF_EINVAL);
    assert_int_equal(err.code, WF_EINVAL);
    assert_contains(err.message, message);
    assert_null(m.roc);
    assert_int_equal(m.n, 0);
    ml_binary_metrics_clear(&m);
}

static void binary_refuses_one_class_naming_it(void **state)
{
    (void)state;
    int32_t ones[3] = {1, 1, -1}, zeros[3] = {0, 0, 1};
    double p[3] = {0.2, 0.8, 0.5};
    assert_binary_fails(ones, p, 3, "the scored data has only one class (\"positive\"");
    /* The one positive row has no probability: only negatives remain. */
    double q[3] = {0.2, 0.8, NAN};
    assert_binary_fails(zeros, q, 3, "the scored data has only one class (\"negative\"");
}

static void binary_refuses_no_rows_and_bad_values(void **state)
{
    (void)state;
    assert_binary_fails(NULL, NULL, 0, "no rows to evaluate");
    int32_t y[3] = {-1, 0, 1};
    double nan3[3] = {NAN, NAN, NAN};
    assert_binary_fails(y, nan3, 3, "every row lacks its label or its probability");
    int32_t two[3] = {0, 2, 1};
    double p[3] = {0.1, 0.2, 0.3};
    assert_binary_fails(two, p, 3, "row 2: class index 2 is not 0");
    double high[3] = {0.1, 1.5, 0.3}, low[3] = {-0.25, 0.2, 0.3}, inf[3] = {0.1, 0.2, INFINITY};
    assert_binary_fails(y + 0, high, 3, "row 2: probability 1.5 is not between 0 and 1");
    assert_binary_fails(two, low, 3, "row 1: probability -0.25 is not between 0 and 1");
    assert_binary_fails(y, inf, 3, "row 3: probability inf is not between 0 and 1");
    assert_binary_fails(NULL, p, 3, "no labels or probabilities given");
    assert_int_equal(ml_binary_evaluate(y, p, 3, NULL, NULL), WF_EINVAL);
}

/* ---- regression ----------------------------------------------------------- */

static const char PY_REGRESSION[] =
    "keep = ~np.isnan(D['y']) & ~np.isnan(D['pred'])\n"
    "y = D['y'][keep]; f = D['pred'][keep]\n"
    "out('n', len(y))\n"
    "out('mae', M.mean_absolute_error(y, f))\n"
    "out('rmse', np.sqrt(M.mean_squared_error(y, f)))\n"
    "out('rae', np.sum(np.abs(y - f)) / np.sum(np.abs(y - y.mean())))\n"
    "out('rse', np.sum((y - f) ** 2) / np.sum((y - y.mean()) ** 2))\n"
    "out('r2', M.r2_score(y, f))\n";

static void regression_matches_scikit_learn_skipping_missing_rows(void **state)
{
    (void)state;
    enum { N = 500 };
    double y[N], pred[N];
    wf_rng r = {.state = 21};
    for (size_t i = 0; i < N; i++) {
        y[i] = 1000 + 50 * wf_rng_normal(&r);
        pred[i] = y[i] + 20 * wf_rng_normal(&r);
    }
    y[3] = NAN;
    pred[10] = NAN;
    ml_regression_metrics m;
    wf_error err = {0};
    if (ml_regression_evaluate(y, pred, N, &m, &err) < 0) fail_msg("%s", err.message);
    py_data d;
    py_open(&d);
    py_put(&d, "y", y, N);
    py_put(&d, "pred", pred, N);
    char *text = py_run(&d, PY_REGRESSION);
    assert_scalar(text, "n", (double)m.n);
    assert_int_equal(m.n, N - 2);
    assert_scalar(text, "mae", m.mae);
    assert_scalar(text, "rmse", m.rmse);
    assert_scalar(text, "rae", m.rae);
    assert_scalar(text, "rse", m.rse);
    assert_scalar(text, "r2", m.r2);
    free(text);
}

static void regression_of_a_constant_label_leaves_relative_errors_undefined(void **state)
{
    (void)state;
    double y[4] = {3, 3, 3, 3}, pred[4] = {3, 4, 2, 3};
    ml_regression_metrics m;
    assert_int_equal(ml_regression_evaluate(y, pred, 4, &m, NULL), 0);
    assert_true(m.mae == 0.5);
    assert_close(m.rmse, sqrt(0.5), "rmse");
    assert_true(isnan(m.rae) && isnan(m.rse) && isnan(m.r2));
    /* One row is the same case. */
    assert_int_equal(ml_regression_evaluate(y, pred + 1, 1, &m, NULL), 0);
    assert_int_equal(m.n, 1);
    assert_true(m.mae == 1 && isnan(m.r2));
}

static void regression_refuses_no_rows_and_infinities(void **state)
{
    (void)state;
    ml_regression_metrics m;
    wf_error err = {0};
    assert_int_equal(ml_regression_evaluate(NULL, NULL, 0, &m, &err), WF_EINVAL);
    assert_contains(err.message, "no rows to evaluate");
    double y[3] = {1, NAN, 3}, pred[3] = {NAN, 2, NAN};
    wf_error_clear(&err);
    assert_int_equal(ml_regression_evaluate(y, pred, 3, &m, &err), WF_EINVAL);
    assert_contains(err.message, "every row lacks its label or its prediction");
    double inf[3] = {1, 2, INFINITY}, fine[3] = {1, 2, 3};
    wf_error_clear(&err);
    assert_int_equal(ml_regression_evaluate(fine, inf, 3, &m, &err), WF_EINVAL);
    assert_contains(err.message, "row 3: the prediction is infinite");
    wf_error_clear(&err);
    assert_int_equal(ml_regression_evaluate(inf, fine, 3, &m, &err), WF_EINVAL);
    assert_contains(err.message, "row 3: the label is infinite");
    wf_error_clear(&err);
    assert_int_equal(ml_regression_evaluate(fine, NULL, 3, &m, &err), WF_EINVAL);
    assert_contains(err.message, "no labels or predictions given");
}

/* ---- multiclass ----------------------------------------------------------- */

/* The Python side, case c at a time (arrays c_y, c_pred, c_probs). */
static const char PY_MULTICLASS[] =
    "k = int(D['k'][0])\n"
    "for c in range(int(D['cases'][0])):\n"
    "    o = lambda name, v: out('%d_%s' % (c, name), v)\n"
    "    y = D['%d_y' % c]; f = D['%d_pred' % c]; P = D['%d_probs' % c].reshape(-1, k)\n"
    "    keep = (y >= 0) & (f >= 0) & ~np.isnan(P).any(axis=1)\n"
    "    y = y[keep].astype(int); f = f[keep].astype(int); P = P[keep]\n"
    "    L = list(range(k))\n"
    "    o('n', len(y))\n"
    "    o('accuracy', M.accuracy_score(y, f))\n"
    "    o('confusion', M.confusion_matrix(y, f, labels=L))\n"
    "    seen = [j for j in L if np.any(y == j) or np.any(f == j)]\n"
    "    o('average_accuracy', np.mean([np.mean((y == j) == (f == j)) for j in seen]))\n"
    "    o('micro_precision', M.precision_score(y, f, labels=L, average='micro'))\n"
    "    o('micro_recall', M.recall_score(y, f, labels=L, average='micro'))\n"
    "    predicted = [j for j in L if np.any(f == j)]\n"
    "    present = [j for j in L if np.any(y == j)]\n"
    "    o('macro_precision', M.precision_score(y, f, labels=predicted, average='macro'))\n"
    "    o('macro_recall', M.recall_score(y, f, labels=present, average='macro'))\n"
    "    pc = M.precision_score(y, f, labels=L, average=None, zero_division=0)\n"
    "    rc = M.recall_score(y, f, labels=L, average=None, zero_division=0)\n"
    "    o('precision', [pc[j] if j in predicted else np.nan for j in L])\n"
    "    o('recall', [rc[j] if j in present else np.nan for j in L])\n"
    "    o('log_loss', M.log_loss(y, P, eps=1e-15, labels=L))\n";

static void check_multiclass_case(const char *text, const char *c, const ml_multiclass_metrics *m)
{
    static const char *names[] = {"n",
                                  "accuracy",
                                  "average_accuracy",
                                  "micro_precision",
                                  "micro_recall",
                                  "macro_precision",
                                  "macro_recall",
                                  "log_loss"};
    double got[] = {(double)m->n,    m->overall_accuracy, m->average_accuracy, m->micro_precision,
                    m->micro_recall, m->macro_precision,  m->macro_recall,     m->log_loss};
    for (size_t i = 0; i < sizeof names / sizeof *names; i++) {
        double *v = case_get(text, c, names[i], 1);
        assert_close(got[i], v[0], names[i]);
        free(v);
    }
    size_t k = m->k;
    double *conf = case_get(text, c, "confusion", k * k);
    double *prec = case_get(text, c, "precision", k);
    double *rec = case_get(text, c, "recall", k);
    for (size_t i = 0; i < k * k; i++)
        assert_int_equal(m->confusion[i], (size_t)conf[i]);
    for (size_t j = 0; j < k; j++) {
        assert_close(m->precision[j], prec[j], "per-class precision");
        assert_close(m->recall[j], rec[j], "per-class recall");
    }
    free(conf);
    free(prec);
    free(rec);
}

/* n rows of k classes: probabilities from noisy scores, the prediction
 * their argmax. */
static void multiclass_data(size_t n, size_t k, uint64_t seed, int32_t *y, int32_t *pred,
                            double *probs)
{
    wf_rng r = {.state = seed};
    for (size_t i = 0; i < n; i++) {
        y[i] = (int32_t)wf_rng_below(&r, k);
        double *row = probs + i * k;
        for (size_t c = 0; c < k; c++)
            row[c] = wf_rng_normal(&r) + (c == (size_t)y[i] ? 1.0 : 0);
        ml_softmax(row, 1, k);
        size_t best = 0;
        for (size_t c = 1; c < k; c++)
            if (row[c] > row[best]) best = c;
        pred[i] = (int32_t)best;
    }
}

enum { MC_N = 300, MC_K = 5 };

/* Case 1: class 3 is never predicted (its precision is undefined), class 2
 * never occurs but is predicted once (its recall is undefined), class 4 is
 * in neither column (left out of the average accuracy too). */
static void multiclass_undefined_classes(int32_t *y, int32_t *pred, double *probs)
{
    multiclass_data(MC_N, MC_K, 32, y, pred, probs);
    for (size_t i = 0; i < MC_N; i++) {
        if (y[i] == 2 || y[i] == 4) y[i] = 0;
        if (pred[i] == 3 || pred[i] == 4) pred[i] = 1;
    }
    pred[0] = 2;
}

/* Case 2: missing labels, predictions and probabilities; probabilities that
 * do not sum to 1 (scaled back, as scikit-learn does); a certain wrong one. */
static void multiclass_missing_and_unnormalised(int32_t *y, int32_t *pred, double *probs)
{
    enum { K = MC_K };
    multiclass_data(MC_N, K, 33, y, pred, probs);
    y[5] = -1;
    pred[9] = -1;
    probs[12 * K + 1] = NAN;
    for (size_t c = 0; c < K; c++)
        probs[20 * K + c] *= 0.5;
    for (size_t c = 0; c < K; c++)
        probs[30 * K + c] = 0;
    probs[30 * K + (size_t)(y[30] + 1) % K] = 1;
}

static void multiclass_matches_scikit_learn(void **state)
{
    (void)state;
    enum { CASES = 3 };
    static int32_t y[CASES][MC_N], pred[CASES][MC_N];
    static double probs[CASES][MC_N * MC_K];
    multiclass_data(MC_N, MC_K, 31, y[0], pred[0], probs[0]);
    multiclass_undefined_classes(y[1], pred[1], probs[1]);
    multiclass_missing_and_unnormalised(y[2], pred[2], probs[2]);
    ml_multiclass_metrics m[CASES];
    py_data d;
    py_open(&d);
    double k = MC_K, cases = CASES;
    py_put(&d, "k", &k, 1);
    py_put(&d, "cases", &cases, 1);
    for (size_t c = 0; c < CASES; c++) {
        wf_error err = {0};
        if (ml_multiclass_evaluate(y[c], pred[c], probs[c], MC_N, MC_K, &m[c], &err) < 0)
            fail_msg("case %zu: %s", c, err.message);
        char name[16];
        snprintf(name, sizeof name, "%zu_y", c);
        py_put_ints(&d, name, y[c], MC_N);
        snprintf(name, sizeof name, "%zu_pred", c);
        py_put_ints(&d, name, pred[c], MC_N);
        snprintf(name, sizeof name, "%zu_probs", c);
        py_put(&d, name, probs[c], MC_N * MC_K);
    }
    char *text = py_run(&d, PY_MULTICLASS);
    for (size_t c = 0; c < CASES; c++) {
        char name[16];
        snprintf(name, sizeof name, "%zu", c);
        print_message("case %zu\n", c);
        check_multiclass_case(text, name, &m[c]);
        ml_multiclass_metrics_clear(&m[c]);
    }
    free(text);
}

static void multiclass_leaves_undefined_precision_and_recall_nan(void **state)
{
    (void)state;
    static int32_t y[MC_N], pred[MC_N];
    static double probs[MC_N * MC_K];
    multiclass_undefined_classes(y, pred, probs);
    ml_multiclass_metrics m;
    assert_int_equal(ml_multiclass_evaluate(y, pred, probs, MC_N, MC_K, &m, NULL), 0);
    assert_true(isnan(m.precision[3]) && isnan(m.recall[2]));
    assert_true(isnan(m.precision[4]) && isnan(m.recall[4]));
    assert_true(m.precision[2] == 0);
    assert_false(isnan(m.macro_precision) || isnan(m.macro_recall));
    ml_multiclass_metrics_clear(&m);
}

static void multiclass_skips_missing_rows_and_needs_probabilities_for_log_loss(void **state)
{
    (void)state;
    static int32_t y[MC_N], pred[MC_N];
    static double probs[MC_N * MC_K];
    multiclass_missing_and_unnormalised(y, pred, probs);
    ml_multiclass_metrics m;
    assert_int_equal(ml_multiclass_evaluate(y, pred, probs, MC_N, MC_K, &m, NULL), 0);
    assert_int_equal(m.n, MC_N - 3);
    ml_multiclass_metrics_clear(&m);
    /* Without probabilities there is no log loss, and row 13's NaN
     * probability no longer drops it. */
    assert_int_equal(ml_multiclass_evaluate(y, pred, NULL, MC_N, MC_K, &m, NULL), 0);
    assert_true(isnan(m.log_loss));
    assert_int_equal(m.n, MC_N - 2);
    ml_multiclass_metrics_clear(&m);
}

static void assert_multiclass_fails(const int32_t *y, const int32_t *pred, const double *probs,
                                    size_t n, size_t k, const char *message)
{
    ml_multiclass_metrics m;
    wf_error err = {0};
    assert_int_equal(ml_multiclass_evaluate(y, pred, probs, n, k, &m, &err), WF_EINVAL);
    assert_contains(err.message, message);
    assert_null(m.confusion);
    ml_multiclass_metrics_clear(&m);
}

static void multiclass_refuses_bad_classes_and_no_rows(void **state)
{
    (void)state;
    int32_t y[3] = {0, 1, 2}, pred[3] = {0, 1, 1};
    assert_multiclass_fails(y, pred, NULL, 3, 0, "no classes");
    assert_multiclass_fails(y, pred, NULL, 3, 2, "row 3: label class index 2 is not in 0..1");
    int32_t low[3] = {0, -2, 1};
    assert_multiclass_fails(y, low, NULL, 3, 3, "row 2: predicted class index -2 is not in 0..2");
    double probs[9] = {0.2, 0.3, 0.5, 0.1, 1.25, 0, 0.3, 0.3, 0.4};
    assert_multiclass_fails(y, pred, probs, 3, 3,
                            "row 2: probability 1.25 of class index 1 is not between 0 and 1");
    assert_multiclass_fails(NULL, NULL, NULL, 0, 3, "no rows to evaluate");
    int32_t none[3] = {-1, -1, -1};
    assert_multiclass_fails(none, pred, NULL, 3, 3, "every row lacks");
    assert_multiclass_fails(y, NULL, NULL, 3, 3, "no labels or predictions given");
}

/* ---- clustering ----------------------------------------------------------- */

/* Python computes the distances itself, from the points and the centres. */
static const char PY_CLUSTERS[] =
    "k = int(D['k'][0]); d = int(D['dims'][0])\n"
    "X = D['x'].reshape(-1, d); C = D['c'].reshape(k, d)\n"
    "dist = np.sqrt(((X[:, None, :] - C[None, :, :]) ** 2).sum(axis=2))\n"
    "a = dist.argmin(axis=1)\n"
    "own = dist[np.arange(len(X)), a]\n"
    "other = (dist.sum(axis=1) - own) / (k - 1)\n"
    "for j in range(k):\n"
    "    s = a == j\n"
    "    out('c%d' % j, [s.sum(), own[s].mean(), other[s].mean(), own[s].max()]\n"
    "        if s.any() else [0, np.nan, np.nan, np.nan])\n"
    "out('all', [len(X), own.mean(), other.mean(), own.max()])\n";

static void assert_cluster(const char *text, const char *name, const ml_cluster_stats *s)
{
    size_t n;
    double *v = py_get(text, name, &n);
    assert_int_equal(n, 4);
    assert_int_equal(s->count, (size_t)v[0]);
    assert_close(s->mean_to_own, v[1], "mean distance to own centre");
    assert_close(s->mean_to_other, v[2], "mean distance to other centres");
    assert_close(s->max_to_own, v[3], "max distance to own centre");
    free(v);
}

static void clusters_match_numpy(void **state)
{
    (void)state;
    enum { N = 300, K = 4, D = 3 };
    double x[N * D], c[K * D], dist[N * K];
    int32_t assign[N];
    wf_rng r = {.state = 41};
    for (size_t i = 0; i < K * D; i++)
        c[i] = 4 * wf_rng_normal(&r);
    c[3 * D] = 1000; /* a centre far away, which no point joins */
    for (size_t i = 0; i < N; i++) {
        size_t home = wf_rng_below(&r, K - 1);
        for (size_t j = 0; j < D; j++)
            x[i * D + j] = c[home * D + j] + wf_rng_normal(&r);
    }
    for (size_t i = 0; i < N; i++) {
        assign[i] = 0;
        for (size_t j = 0; j < K; j++) {
            double s = 0;
            for (size_t e = 0; e < D; e++)
                s += (x[i * D + e] - c[j * D + e]) * (x[i * D + e] - c[j * D + e]);
            dist[i * K + j] = sqrt(s);
            if (dist[i * K + j] < dist[i * K + assign[i]]) assign[i] = (int32_t)j;
        }
    }
    ml_cluster_metrics m;
    wf_error err = {0};
    if (ml_cluster_evaluate(assign, dist, N, K, &m, &err) < 0) fail_msg("%s", err.message);
    py_data d;
    py_open(&d);
    double k = K, dims = D;
    py_put(&d, "k", &k, 1);
    py_put(&d, "dims", &dims, 1);
    py_put(&d, "x", x, N * D);
    py_put(&d, "c", c, K * D);
    char *text = py_run(&d, PY_CLUSTERS);
    assert_int_equal(m.n, N);
    assert_int_equal(m.k, K);
    for (size_t j = 0; j < K; j++) {
        char name[16];
        snprintf(name, sizeof name, "c%zu", j);
        assert_cluster(text, name, &m.clusters[j]);
    }
    assert_int_equal(m.clusters[3].count, 0);
    assert_cluster(text, "all", &m.combined);
    free(text);
    ml_cluster_metrics_clear(&m);
}

static void clusters_skip_unassigned_rows_and_handle_one_cluster_and_rounding(void **state)
{
    (void)state;
    int32_t assign[4] = {0, -1, 0, 0};
    double dist[4] = {1, 9, NAN, 3};
    ml_cluster_metrics m;
    assert_int_equal(ml_cluster_evaluate(assign, dist, 4, 1, &m, NULL), 0);
    assert_int_equal(m.n, 2);
    assert_int_equal(m.clusters[0].count, 2);
    assert_true(m.clusters[0].mean_to_own == 2 && m.clusters[0].max_to_own == 3);
    assert_true(isnan(m.clusters[0].mean_to_other)); /* no other centre */
    assert_true(m.combined.mean_to_own == 2);
    ml_cluster_metrics_clear(&m);
    /* A cosine distance, 1 - cos, may round to a hair below zero. */
    int32_t two[2] = {0, 1};
    double cosine[4] = {-1e-17, 0.5, 1.25, 0};
    assert_int_equal(ml_cluster_evaluate(two, cosine, 2, 2, &m, NULL), 0);
    assert_true(m.clusters[0].mean_to_other == 0.5 && m.clusters[1].mean_to_other == 1.25);
    ml_cluster_metrics_clear(&m);
}

static void clusters_refuse_bad_input(void **state)
{
    (void)state;
    ml_cluster_metrics m;
    wf_error err = {0};
    int32_t assign[2] = {0, 2};
    double dist[4] = {1, 2, 3, 4};
    assert_int_equal(ml_cluster_evaluate(assign, dist, 2, 2, &m, &err), WF_EINVAL);
    assert_contains(err.message, "row 2: cluster 2 is not in 0..1");
    assert_null(m.clusters);
    int32_t ok[2] = {0, 1};
    double neg[4] = {1, 2, -3, 4};
    wf_error_clear(&err);
    assert_int_equal(ml_cluster_evaluate(ok, neg, 2, 2, &m, &err), WF_EINVAL);
    assert_contains(err.message, "row 2: distance -3 to centre 0 is not a finite distance");
    wf_error_clear(&err);
    assert_int_equal(ml_cluster_evaluate(NULL, NULL, 0, 2, &m, &err), WF_EINVAL);
    assert_contains(err.message, "no rows to evaluate");
    wf_error_clear(&err);
    assert_int_equal(ml_cluster_evaluate(ok, dist, 2, 0, &m, &err), WF_EINVAL);
    assert_contains(err.message, "no clusters");
    ml_cluster_metrics_clear(&m);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(binary_matches_scikit_learn),
        cmocka_unit_test(binary_all_equal_scores_give_half_an_auc_and_a_diagonal),
        cmocka_unit_test(binary_perfect_and_inverted_classifiers_score_one_and_zero),
        cmocka_unit_test(binary_matches_scikit_learn_on_a_million_rows_thinning_curves),
        cmocka_unit_test(binary_refuses_one_class_naming_it),
        cmocka_unit_test(binary_refuses_no_rows_and_bad_values),
        cmocka_unit_test(regression_matches_scikit_learn_skipping_missing_rows),
        cmocka_unit_test(regression_of_a_constant_label_leaves_relative_errors_undefined),
        cmocka_unit_test(regression_refuses_no_rows_and_infinities),
        cmocka_unit_test(multiclass_matches_scikit_learn),
        cmocka_unit_test(multiclass_leaves_undefined_precision_and_recall_nan),
        cmocka_unit_test(multiclass_skips_missing_rows_and_needs_probabilities_for_log_loss),
        cmocka_unit_test(multiclass_refuses_bad_classes_and_no_rows),
        cmocka_unit_test(clusters_match_numpy),
        cmocka_unit_test(clusters_skip_unassigned_rows_and_handle_one_cluster_and_rounding),
        cmocka_unit_test(clusters_refuse_bad_input),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
