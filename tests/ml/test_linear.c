/*
 * test_linear.c: the linear learners (least squares and ridge by QR, online
 * gradient descent, logistic regression by L-BFGS/OWL-QN, the LIBLINEAR SVM)
 * on real sample files, each checked against scikit-learn fitted on the same
 * matrix in /usr/bin/python3; and their refusals of bad input.
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

/* An ml_env log that keeps the last line in user (256 bytes). */
static void remember_line(void *user, const char *line)
{
    snprintf(user, 256, "%s", line);
}

/* A matrix and its labels, from a sample file: every column but the label
 * (and `skip`) is a feature; rows whose label is missing are dropped. */
typedef struct dataset {
    ml_matrix x;
    double *target; /* regression */
    int32_t *y;     /* classes */
    ml_classes classes;
} dataset;

static void load(dataset *ds, const char *file, const char *label, const char *skip,
                 ml_encoding encoding, bool classes)
{
    memset(ds, 0, sizeof *ds);
    tbl_table *t = NULL, *kept = NULL;
    wf_error err = {0};
    if (tbl_read_file(file, NULL, &t, &err) < 0) fail_msg("%s: %s", file, err.message);
    int at = tbl_find_column(t, label);
    assert_true(at >= 0);
    bool *keep = calloc(t->nrows + 1, sizeof *keep);
    for (size_t r = 0; r < t->nrows; r++)
        keep[r] = !tbl_is_missing(&t->cols[at], r);
    assert_int_equal(tbl_filter(t, keep, &kept, &err), 0);
    free(keep);
    size_t cols[64], n = 0;
    for (size_t j = 0; j < kept->ncols; j++)
        if ((int)j != at && (skip == NULL || strcmp(kept->cols[j].name, skip) != 0)) cols[n++] = j;
    ml_features f;
    if (ml_features_fit(&f, kept, cols, n, encoding, true, &err) < 0) fail_msg("%s", err.message);
    if (ml_features_matrix(&f, kept, &ds->x, &err) < 0) fail_msg("%s", err.message);
    ml_features_clear(&f);
    if (classes)
        assert_int_equal(ml_label_classes(kept, (size_t)at, &ds->classes, &ds->y, &err), 0);
    else
        assert_int_equal(ml_label_numbers(kept, (size_t)at, &ds->target, &err), 0);
    tbl_free(kept);
    tbl_free(t);
}

static void dataset_clear(dataset *ds)
{
    ml_matrix_clear(&ds->x);
    free(ds->target);
    free(ds->y);
    ml_classes_clear(&ds->classes);
}

/* Standardises the columns in place (the tests' own preprocessing, so that
 * scikit-learn's saga and LinearSVC converge on the same matrix). */
static void standardise(ml_matrix *x)
{
    for (size_t j = 0; j < x->cols; j++) {
        double m = 0, v = 0;
        for (size_t i = 0; i < x->rows; i++)
            m += x->data[i * x->cols + j];
        m /= (double)x->rows;
        for (size_t i = 0; i < x->rows; i++)
            v += pow(x->data[i * x->cols + j] - m, 2);
        double s = v > 0 ? sqrt(v / (double)x->rows) : 1;
        for (size_t i = 0; i < x->rows; i++)
            x->data[i * x->cols + j] = (x->data[i * x->cols + j] - m) / s;
    }
}

/* Writes x, then the label (target or class), as CSV without a header, to
 * dir/name. */
static void write_data(const char *dir, const char *name, const ml_matrix *x, const double *target,
                       const int32_t *y)
{
    char path[512];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    for (size_t i = 0; i < x->rows; i++) {
        for (size_t j = 0; j < x->cols; j++)
            fprintf(f, "%.17g,", x->data[i * x->cols + j]);
        if (target != NULL)
            fprintf(f, "%.17g\n", target[i]);
        else
            fprintf(f, "%d\n", (int)y[i]);
    }
    fclose(f);
}

/* The peer, run once for every test (Python and scikit-learn take seconds
 * to start): each line of the jobs file is "NAME KIND FILE FEATURES ARGS",
 * and every answer a line "NAME.KEY NUMBERS". Logistic regression's peers
 * are Newton methods for L2 (scikit-learn's lbfgs, on raw features such as
 * diabetes', stops far from the optimum: a gradient of 0.3 there), saga for
 * L1 and the elastic net. */
static const char *peer_py =
    "import sys, warnings, numpy as np\n"
    "warnings.filterwarnings('ignore')\n"
    "from sklearn import linear_model as lm, svm, metrics\n"
    "def out(name, key, *v):\n"
    "    flat = np.concatenate([np.ravel(a) for a in v])\n"
    "    print(name + '.' + key, *['%.17g' % a for a in flat])\n"
    "for line in open(sys.argv[1]):\n"
    "    name, kind, path, p, *args = line.split()\n"
    "    d = np.loadtxt(path, delimiter=',', ndmin=2)\n"
    "    x, y = d[:, :int(p)], d[:, int(p)]\n"
    "    if kind == 'ols':\n"
    "        l2 = float(args[0])\n"
    "        m = lm.LinearRegression() if l2 == 0 else lm.Ridge(alpha=l2, tol=1e-12)\n"
    "        m.fit(x, y)\n"
    "        out(name, 'coef', m.intercept_, m.coef_)\n"
    "    elif kind == 'lstsq':\n"
    "        xc, yc = x - x.mean(0), y - y.mean()\n"
    "        w = np.linalg.lstsq(xc, yc, rcond=1e-10)[0]\n"
    "        out(name, 'coef', y.mean() - x.mean(0) @ w, w)\n"
    "        out(name, 'rank', np.linalg.matrix_rank(xc))\n"
    "        m = lm.LinearRegression(fit_intercept=False).fit(x, y)\n"
    "        out(name, 'nointercept', 0, m.coef_)\n"
    "    elif kind == 'logreg':\n"
    "        l1, l2, multi = float(args[0]), float(args[1]), args[2] == 'multi'\n"
    "        if l1 == 0:\n"
    "            m = lm.LogisticRegression(C=1 / l2, tol=1e-10, max_iter=1000,\n"
    "                solver='newton-cg' if multi else 'newton-cholesky',\n"
    "                multi_class='multinomial' if multi else 'auto')\n"
    "        elif l2 == 0:\n"
    "            m = lm.LogisticRegression(penalty='l1', solver='saga', C=1 / l1, tol=1e-10,\n"
    "                max_iter=100000, multi_class='multinomial' if multi else 'auto')\n"
    "        else:\n"
    "            m = lm.LogisticRegression(penalty='elasticnet', solver='saga', C=1 / (l1 + l2),\n"
    "                l1_ratio=l1 / (l1 + l2), tol=1e-10, max_iter=100000,\n"
    "                multi_class='multinomial' if multi else 'auto')\n"
    "        m.fit(x, y)\n"
    "        b = m.intercept_ - m.intercept_.mean() if multi else m.intercept_\n"
    "        out(name, 'coef', b, m.coef_)\n"
    "        if multi: out(name, 'logloss', metrics.log_loss(y, m.predict_proba(x)))\n"
    "        else: out(name, 'auc', metrics.roc_auc_score(y, m.decision_function(x)))\n"
    "    elif kind == 'svm':\n"
    "        m = svm.LinearSVC(loss='hinge', C=float(args[0]), max_iter=1000000, tol=1e-8)\n"
    "        m.fit(x, y)\n"
    "        out(name, 'accuracy', m.score(x, y))\n"
    "        lam = 1 / (float(args[0]) * len(y))\n"
    "        hinge = np.maximum(0, 1 - (2 * y - 1) * m.decision_function(x)).mean()\n"
    "        norm = (m.coef_ ** 2).sum() + m.intercept_[0] ** 2\n"
    "        out(name, 'objective', lam / 2 * norm + hinge)\n"
    "        out(name, 'auc', metrics.roc_auc_score(y, m.decision_function(x)))\n";

/* Everything the tests share: the datasets and the peer's answers. */
static struct fixture {
    dataset cars, diabetes, diabetes_std, iris, iris_std, credit_std, ionosphere_std;
    ml_matrix collinear;
    double *collinear_y;
    char dir[64];
    char *answers;
} fx;

/* The numbers of answer `key` (as "NAME.KEY"); fails when absent. */
static size_t answer(const char *key, double *v, size_t cap)
{
    size_t klen = strlen(key);
    for (const char *line = fx.answers; line != NULL && *line;) {
        const char *next = strchr(line, '\n');
        if (strncmp(line, key, klen) == 0 && line[klen] == ' ') {
            const char *s = line + klen;
            size_t n = 0;
            char *end;
            while (n < cap) {
                double d = strtod(s, &end);
                if (end == s) break;
                v[n++] = d;
                s = end;
            }
            return n;
        }
        line = next ? next + 1 : NULL;
    }
    fail_msg("no \"%s\" in the peer's answers:\n%s", key, fx.answers);
    return 0;
}

static double answer1(const char *key)
{
    double v;
    assert_int_equal(answer(key, &v, 1), 1);
    return v;
}

/* |a - b| <= rel * max(|b|, floor) for each pair, with a message. */
static void assert_close(const double *a, const double *b, size_t n, double rel, double floor,
                         const char *what)
{
    for (size_t i = 0; i < n; i++) {
        double scale = fabs(b[i]) > floor ? fabs(b[i]) : floor;
        if (!(fabs(a[i] - b[i]) <= rel * scale))
            fail_msg("%s[%zu]: weft %.10g, peer %.10g", what, i, a[i], b[i]);
    }
}

/* Our model's coefficients in scikit-learn's layout: intercepts, then the
 * weights row by row. */
static void model_vector(const ml_linear *m, double *v)
{
    for (size_t o = 0; o < m->noutputs; o++)
        v[o] = m->bias[o];
    memcpy(v + m->noutputs, m->weights, m->noutputs * m->nfeatures * sizeof(double));
}

/* Area under the ROC curve by the rank-sum (Mann-Whitney) statistic, ties
 * counted half. */
static double auc(const double *score, const int32_t *y, size_t n)
{
    double wins = 0, pos = 0, neg = 0;
    for (size_t i = 0; i < n; i++) {
        if (y[i] != 1) continue;
        pos++;
        for (size_t j = 0; j < n; j++) {
            if (y[j] != 0) continue;
            wins += score[i] > score[j] ? 1 : score[i] == score[j] ? 0.5 : 0;
        }
    }
    for (size_t j = 0; j < n; j++)
        neg += y[j] == 0;
    return wins / (pos * neg);
}

static double model_auc(const ml_linear *m, const dataset *ds)
{
    double *s = malloc(ds->x.rows * sizeof *s);
    ml_linear_predict(m, &ds->x, s);
    double a = auc(s, ds->y, ds->x.rows);
    free(s);
    return a;
}

/* The collinear design: x3 = x1 + 2 x2, x4 constant. */
static void make_collinear(void)
{
    size_t n = 200, d = 5;
    wf_error err = {0};
    assert_int_equal(ml_matrix_init(&fx.collinear, n, d, &err), 0);
    fx.collinear_y = malloc(n * sizeof *fx.collinear_y);
    wf_rng rng = {.state = 7};
    for (size_t i = 0; i < n; i++) {
        double *r = fx.collinear.data + i * d;
        r[0] = wf_rng_normal(&rng);
        r[1] = 3 * wf_rng_normal(&rng) + 1;
        r[2] = r[0] + 2 * r[1];
        r[3] = 4.5;
        r[4] = wf_rng_normal(&rng);
        fx.collinear_y[i] = 1 + 2 * r[0] - r[1] + 0.5 * r[4] + 0.1 * wf_rng_normal(&rng);
    }
}

static int setup(void **state)
{
    (void)state;
    /* Origin one-hot in cars: its columns sum to the intercept's, so that
     * design is rank deficient too. */
    load(&fx.cars, SAMPLES "/cars.json", "Miles_per_Gallon", "Name", ML_ONE_HOT, false);
    load(&fx.diabetes, SAMPLES "/diabetes.arff", "class", NULL, ML_ONE_HOT, true);
    load(&fx.diabetes_std, SAMPLES "/diabetes.arff", "class", NULL, ML_ONE_HOT, true);
    load(&fx.iris, SAMPLES "/iris.arff", "class", NULL, ML_ONE_HOT, true);
    load(&fx.iris_std, SAMPLES "/iris.arff", "class", NULL, ML_ONE_HOT, true);
    load(&fx.credit_std, SAMPLES "/credit-g.arff", "class", NULL, ML_ONE_HOT, true);
    load(&fx.ionosphere_std, SAMPLES "/ionosphere.arff", "class", NULL, ML_ONE_HOT, true);
    /* saga and LinearSVC need standardised columns to converge; ours
     * standardise internally anyway. */
    standardise(&fx.diabetes_std.x);
    standardise(&fx.iris_std.x);
    standardise(&fx.credit_std.x);
    standardise(&fx.ionosphere_std.x);
    make_collinear();

    strcpy(fx.dir, "/tmp/weft_linear_XXXXXX");
    assert_non_null(mkdtemp(fx.dir));
    write_data(fx.dir, "cars", &fx.cars.x, fx.cars.target, NULL);
    write_data(fx.dir, "collinear", &fx.collinear, fx.collinear_y, NULL);
    write_data(fx.dir, "diabetes", &fx.diabetes.x, NULL, fx.diabetes.y);
    write_data(fx.dir, "diabetes_std", &fx.diabetes_std.x, NULL, fx.diabetes_std.y);
    write_data(fx.dir, "iris", &fx.iris.x, NULL, fx.iris.y);
    write_data(fx.dir, "iris_std", &fx.iris_std.x, NULL, fx.iris_std.y);
    write_data(fx.dir, "credit_std", &fx.credit_std.x, NULL, fx.credit_std.y);
    write_data(fx.dir, "ionosphere_std", &fx.ionosphere_std.x, NULL, fx.ionosphere_std.y);

    char path[256];
    snprintf(path, sizeof path, "%s/jobs", fx.dir);
    FILE *jobs = fopen(path, "w");
    assert_non_null(jobs);
    const char *d = fx.dir;
    fprintf(jobs, "ols0 ols %s/cars %zu 0\n", d, fx.cars.x.cols);
    fprintf(jobs, "ridge10 ols %s/cars %zu 10\n", d, fx.cars.x.cols);
    fprintf(jobs, "lstsq lstsq %s/collinear %zu\n", d, fx.collinear.cols);
    fprintf(jobs, "diabetes logreg %s/diabetes %zu 0 1 binary\n", d, fx.diabetes.x.cols);
    fprintf(jobs, "iris1 logreg %s/iris %zu 0 1 multi\n", d, fx.iris.x.cols);
    fprintf(jobs, "iris005 logreg %s/iris %zu 0 0.05 multi\n", d, fx.iris.x.cols);
    fprintf(jobs, "iris_l1 logreg %s/iris_std %zu 3 0 multi\n", d, fx.iris_std.x.cols);
    fprintf(jobs, "iris_en logreg %s/iris_std %zu 2 1 multi\n", d, fx.iris_std.x.cols);
    fprintf(jobs, "credit_l1 logreg %s/credit_std %zu 20 0 binary\n", d, fx.credit_std.x.cols);
    fprintf(jobs, "diabetes_en logreg %s/diabetes_std %zu 1 1 binary\n", d, fx.diabetes_std.x.cols);
    fprintf(jobs, "svm_diabetes svm %s/diabetes_std %zu %.17g\n", d, fx.diabetes_std.x.cols,
            1 / (0.001 * (double)fx.diabetes_std.x.rows));
    fprintf(jobs, "svm_ionosphere svm %s/ionosphere_std %zu %.17g\n", d, fx.ionosphere_std.x.cols,
            1 / (0.001 * (double)fx.ionosphere_std.x.rows));
    fclose(jobs);

    snprintf(path, sizeof path, "%s/peer.py", fx.dir);
    FILE *py = fopen(path, "w");
    assert_non_null(py);
    fputs(peer_py, py);
    fclose(py);
    char cmd[512];
    snprintf(cmd, sizeof cmd, "/usr/bin/python3 %s/peer.py %s/jobs 2>&1", fx.dir, fx.dir);
    FILE *pipe = popen(cmd, "r");
    assert_non_null(pipe);
    wf_buf out = {0};
    char chunk[4096];
    size_t got;
    while ((got = fread(chunk, 1, sizeof chunk, pipe)) > 0)
        wf_buf_append(&out, chunk, got);
    int status = pclose(pipe);
    fx.answers = out.data ? out.data : strdup("");
    if (status != 0) {
        fprintf(stderr, "the scikit-learn peer failed:\n%s\n", fx.answers);
        return -1;
    }
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    const char *names[] = {"cars",     "collinear",  "diabetes",       "diabetes_std", "iris",
                           "iris_std", "credit_std", "ionosphere_std", "jobs",         "peer.py"};
    char path[256];
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        snprintf(path, sizeof path, "%s/%s", fx.dir, names[i]);
        unlink(path);
    }
    rmdir(fx.dir);
    dataset_clear(&fx.cars);
    dataset_clear(&fx.diabetes);
    dataset_clear(&fx.diabetes_std);
    dataset_clear(&fx.iris);
    dataset_clear(&fx.iris_std);
    dataset_clear(&fx.credit_std);
    dataset_clear(&fx.ionosphere_std);
    ml_matrix_clear(&fx.collinear);
    free(fx.collinear_y);
    free(fx.answers);
    return 0;
}

/* ---- least squares ------------------------------------------------------- */

static void ols_and_ridge_match_scikit_learn_on_cars(void **state)
{
    (void)state;
    const dataset *ds = &fx.cars;
    size_t d = ds->x.cols;
    assert_int_equal(d, 9);
    const char *keys[] = {"ols0.coef", "ridge10.coef"};
    double l2s[] = {0, 10};
    for (int k = 0; k < 2; k++) {
        ml_linreg_params p = ML_LINREG_DEFAULTS;
        p.l2 = l2s[k];
        ml_linear m;
        wf_error err = {0};
        assert_int_equal(ml_linreg_fit(&ds->x, ds->target, &p, NULL, &m, &err), 0);
        double want[16], got[16];
        assert_int_equal(answer(keys[k], want, 16), d + 1);
        model_vector(&m, got);
        assert_close(got, want, d + 1, 1e-6, 1e-9, keys[k]);
        /* OLS: the minimum norm spreads nothing along the one-hot's
         * redundant direction, so the Origin weights sum to ~0. */
        if (k == 0) assert_true(fabs(got[7] + got[8] + got[9]) < 1e-6);
        ml_linear_clear(&m);
    }
}

static void collinear_and_constant_columns_give_the_minimum_norm_solution(void **state)
{
    (void)state;
    const ml_matrix *x = &fx.collinear;
    size_t d = x->cols;
    assert_true(answer1("lstsq.rank") == 3);
    ml_linreg_params p = ML_LINREG_DEFAULTS;
    p.l2 = 0;
    ml_linear m;
    wf_error err = {0};
    char logged[256] = "";
    ml_env env = {.log = remember_line, .user = logged};
    assert_int_equal(ml_linreg_fit(x, fx.collinear_y, &p, &env, &m, &err), 0);
    assert_contains(logged, "rank 3 of 5");
    double want[8], got[8];
    assert_int_equal(answer("lstsq.coef", want, 8), d + 1);
    model_vector(&m, got);
    assert_close(got, want, d + 1, 1e-8, 1e-6, "minimum norm");
    assert_true(fabs(m.weights[3]) < 1e-12);
    ml_linear_clear(&m);

    /* Without an intercept the constant column carries it. */
    p.intercept = false;
    assert_int_equal(ml_linreg_fit(x, fx.collinear_y, &p, NULL, &m, &err), 0);
    assert_int_equal(answer("lstsq.nointercept", want, 8), d + 1);
    model_vector(&m, got);
    assert_true(got[0] == 0);
    assert_close(got, want, d + 1, 1e-6, 1e-6, "no intercept");
    ml_linear_clear(&m);
}

/* How far model m's predictions are from exact's, in spreads of y. */
static double distance(const ml_linear *exact, const ml_linear *m, const dataset *ds)
{
    size_t n = ds->x.rows;
    double *a = malloc(n * sizeof *a), *b = malloc(n * sizeof *b);
    ml_linear_predict(exact, &ds->x, a);
    ml_linear_predict(m, &ds->x, b);
    double diff = 0, spread = 0, mean = 0;
    for (size_t i = 0; i < n; i++)
        mean += ds->target[i] / (double)n;
    for (size_t i = 0; i < n; i++) {
        diff += (a[i] - b[i]) * (a[i] - b[i]);
        spread += (ds->target[i] - mean) * (ds->target[i] - mean);
    }
    free(a);
    free(b);
    return sqrt(diff / spread);
}

static void online_gradient_descent_approaches_the_ridge_solution(void **state)
{
    (void)state;
    const dataset *ds = &fx.cars;
    ml_linreg_params p = ML_LINREG_DEFAULTS;
    p.l2 = 10;
    ml_linear exact, ogd, again, other, fewer;
    wf_error err = {0};
    assert_int_equal(ml_linreg_fit(&ds->x, ds->target, &p, NULL, &exact, &err), 0);
    p.method = ML_LINREG_OGD;
    p.epochs = 1000;
    p.seed = 3;
    assert_int_equal(ml_linreg_fit(&ds->x, ds->target, &p, NULL, &ogd, &err), 0);
    assert_int_equal(ml_linreg_fit(&ds->x, ds->target, &p, NULL, &again, &err), 0);
    assert_memory_equal(ogd.weights, again.weights, ds->x.cols * sizeof(double));
    p.seed = 4;
    assert_int_equal(ml_linreg_fit(&ds->x, ds->target, &p, NULL, &other, &err), 0);
    assert_memory_not_equal(ogd.weights, other.weights, ds->x.cols * sizeof(double));
    p.epochs = 100;
    assert_int_equal(ml_linreg_fit(&ds->x, ds->target, &p, NULL, &fewer, &err), 0);

    /* Averaged iterates with a shrinking rate converge as 1/sqrt(steps):
     * slowly, but surely. */
    double far = distance(&exact, &fewer, ds), near = distance(&exact, &ogd, ds);
    if (!(near < 0.02 && near < far / 2))
        fail_msg("OGD is %g (1000 epochs) and %g (100 epochs) of the spread away", near, far);
    ml_linear_clear(&fewer);
    /* A constant rate with averaging gets there faster. */
    p.decrease_rate = false;
    p.epochs = 200;
    assert_int_equal(ml_linreg_fit(&ds->x, ds->target, &p, NULL, &fewer, &err), 0);
    near = distance(&exact, &fewer, ds);
    if (!(near < 0.01)) fail_msg("OGD at a constant rate is %g of the spread away", near);
    ml_linear_clear(&fewer);
    ml_linear_clear(&exact);
    ml_linear_clear(&ogd);
    ml_linear_clear(&again);
    ml_linear_clear(&other);
}

static void linear_regression_refuses_bad_input_clearly(void **state)
{
    (void)state;
    ml_matrix x;
    wf_error err = {0};
    assert_int_equal(ml_matrix_init(&x, 4, 1, &err), 0);
    double y[4] = {1, 2, NAN, 4};
    for (int i = 0; i < 4; i++)
        x.data[i] = i;
    ml_linreg_params p = ML_LINREG_DEFAULTS;
    ml_linear m;
    assert_int_equal(ml_linreg_fit(&x, y, &p, NULL, &m, &err), WF_EINVAL);
    assert_contains(err.message, "row 3: the label is missing");
    assert_null(m.weights);
    y[2] = 3;

    wf_error_clear(&err);
    p.l2 = -1;
    assert_int_equal(ml_linreg_fit(&x, y, &p, NULL, &m, &err), WF_EINVAL);
    assert_contains(err.message, "L2 weight");
    p.l2 = 0;

    /* A learning rate far too large, without the shrinking schedule. */
    wf_error_clear(&err);
    p.method = ML_LINREG_OGD;
    p.learning_rate = 50;
    p.decrease_rate = false;
    assert_int_equal(ml_linreg_fit(&x, y, &p, NULL, &m, &err), WF_EINVAL);
    assert_contains(err.message, "diverged");

    wf_error_clear(&err);
    p.learning_rate = 0.1;
    volatile sig_atomic_t stop = 1;
    ml_env env = {.cancel = &stop};
    assert_int_equal(ml_linreg_fit(&x, y, &p, &env, &m, &err), WF_ECANCELED);

    wf_error_clear(&err);
    ml_matrix empty = {0};
    assert_int_equal(ml_linreg_fit(&empty, y, &p, NULL, &m, &err), WF_EINVAL);
    ml_matrix_clear(&x);
}

/* ---- logistic regression ------------------------------------------------- */

/* Fits ours on ds and compares with the peer's answer `name`: coefficients
 * within rel (of max(|coef|, floor)); AUC (two classes) or log loss (more)
 * within 0.005. */
static void compare_logreg(const dataset *ds, size_t k, double l1, double l2, const char *name,
                           double rel, double floor, ml_linear *m)
{
    ml_logreg_params p = ML_LOGREG_DEFAULTS;
    p.l1 = l1;
    p.l2 = l2;
    p.tolerance = 1e-12;
    p.max_iterations = 5000;
    wf_error err = {0};
    if (ml_logreg_fit(&ds->x, ds->y, k, &p, NULL, m, &err) < 0) fail_msg("%s", err.message);
    size_t outs = k == 2 ? 1 : k, np = outs * (ds->x.cols + 1);
    double want[512], got[512];
    char key[64];
    snprintf(key, sizeof key, "%s.coef", name);
    assert_int_equal(answer(key, want, 512), np);
    model_vector(m, got);
    assert_close(got, want, np, rel, floor, key);
    if (k == 2) {
        snprintf(key, sizeof key, "%s.auc", name);
        double ours = model_auc(m, ds), theirs = answer1(key);
        if (!(fabs(ours - theirs) < 0.005)) fail_msg("%s: AUC %g, peer %g", name, ours, theirs);
        return;
    }
    size_t n = ds->x.rows;
    double *prob = malloc(n * k * sizeof *prob), loss = 0;
    ml_linear_predict(m, &ds->x, prob);
    ml_softmax(prob, n, k);
    for (size_t i = 0; i < n; i++)
        loss -= log(prob[i * k + (size_t)ds->y[i]]) / (double)n;
    free(prob);
    snprintf(key, sizeof key, "%s.logloss", name);
    double theirs = answer1(key);
    if (!(fabs(loss - theirs) < 0.005)) fail_msg("%s: log loss %g, peer %g", name, loss, theirs);
}

static void two_class_l2_matches_scikit_learn_on_diabetes(void **state)
{
    (void)state;
    ml_linear m;
    /* Raw features, scales from 0.1 to 800: the internal standardisation
     * must still land on the optimum of the unscaled objective. */
    compare_logreg(&fx.diabetes, 2, 0, 1, "diabetes", 1e-6, 1e-4, &m);
    assert_int_equal(m.noutputs, 1);
    ml_linear_clear(&m);
}

static void multinomial_matches_scikit_learn_on_iris(void **state)
{
    (void)state;
    ml_linear m;
    compare_logreg(&fx.iris, 3, 0, 1, "iris1", 1e-6, 1e-4, &m);
    assert_int_equal(m.noutputs, 3);
    ml_linear_clear(&m);
    /* Weaker regularisation: a flatter optimum, still the same one. */
    compare_logreg(&fx.iris, 3, 0, 0.05, "iris005", 1e-5, 1e-3, &m);
    ml_linear_clear(&m);
}

static void l1_gives_the_sparsity_of_saga_on_credit(void **state)
{
    (void)state;
    ml_linear m;
    const dataset *ds = &fx.credit_std;
    compare_logreg(ds, 2, 20, 0, "credit_l1", 1e-4, 1e-3, &m);
    double want[128];
    size_t np = answer("credit_l1.coef", want, 128), zeros = 0;
    for (size_t j = 1; j < np; j++) {
        bool zero_here = m.weights[j - 1] == 0, zero_there = fabs(want[j]) < 1e-8;
        if (zero_here != zero_there)
            fail_msg("weight %zu: weft %g, saga %g", j - 1, m.weights[j - 1], want[j]);
        zeros += zero_here;
    }
    /* The penalty is strong enough to prune much of the one-hot design. */
    assert_true(zeros > ds->x.cols / 3 && zeros < ds->x.cols);
    ml_linear_clear(&m);

    /* L1 and L2 together (the defaults): scikit-learn's elastic net. */
    compare_logreg(&fx.diabetes_std, 2, 1, 1, "diabetes_en", 1e-4, 1e-3, &m);
    ml_linear_clear(&m);
}

static void multinomial_l1_and_elastic_net_match_saga_on_iris(void **state)
{
    (void)state;
    ml_linear m;
    /* Softmax's flat directions meet the L1 kinks here: the case that
     * stalls a plain OWL-QN. */
    compare_logreg(&fx.iris_std, 3, 3, 0, "iris_l1", 1e-4, 1e-3, &m);
    size_t zeros = 0;
    for (size_t j = 0; j < 3 * fx.iris_std.x.cols; j++)
        zeros += m.weights[j] == 0;
    assert_true(zeros > 0);
    ml_linear_clear(&m);
    compare_logreg(&fx.iris_std, 3, 2, 1, "iris_en", 1e-4, 1e-3, &m);
    ml_linear_clear(&m);
}

static void a_constant_feature_gets_no_weight_and_changes_nothing(void **state)
{
    (void)state;
    const dataset *ds = &fx.diabetes;
    size_t n = ds->x.rows, d = ds->x.cols;
    ml_matrix wide;
    wf_error err = {0};
    assert_int_equal(ml_matrix_init(&wide, n, d + 1, &err), 0);
    for (size_t i = 0; i < n; i++) {
        memcpy(wide.data + i * (d + 1), ds->x.data + i * d, d * sizeof(double));
        wide.data[i * (d + 1) + d] = 7;
    }
    ml_logreg_params p = ML_LOGREG_DEFAULTS;
    p.tolerance = 1e-12;
    ml_linear a, b;
    assert_int_equal(ml_logreg_fit(&ds->x, ds->y, 2, &p, NULL, &a, &err), 0);
    assert_int_equal(ml_logreg_fit(&wide, ds->y, 2, &p, NULL, &b, &err), 0);
    assert_true(b.weights[d] == 0);
    assert_close(b.weights, a.weights, d, 1e-6, 1e-4, "with a constant column");
    ml_linear_clear(&a);
    ml_linear_clear(&b);

    /* NaN features count as 0, as when scoring. */
    ml_matrix holes, zeros;
    assert_int_equal(ml_matrix_init(&holes, n, d, &err), 0);
    assert_int_equal(ml_matrix_init(&zeros, n, d, &err), 0);
    memcpy(holes.data, ds->x.data, n * d * sizeof(double));
    memcpy(zeros.data, ds->x.data, n * d * sizeof(double));
    for (size_t i = 0; i < n; i += 7) {
        holes.data[i * d + i % d] = NAN;
        zeros.data[i * d + i % d] = 0;
    }
    p.l1 = 0;
    assert_int_equal(ml_logreg_fit(&holes, ds->y, 2, &p, NULL, &a, &err), 0);
    assert_int_equal(ml_logreg_fit(&zeros, ds->y, 2, &p, NULL, &b, &err), 0);
    assert_close(a.weights, b.weights, d, 1e-6, 1e-4, "NaN as zero");
    ml_linear_clear(&a);
    ml_linear_clear(&b);
    ml_matrix_clear(&holes);
    ml_matrix_clear(&zeros);
    ml_matrix_clear(&wide);
}

static void the_model_is_the_same_bits_on_any_number_of_threads(void **state)
{
    (void)state;
    /* Enough rows for several chunks of work. */
    size_t n = 100000, d = 6, k = 3;
    ml_matrix x;
    wf_error err = {0};
    assert_int_equal(ml_matrix_init(&x, n, d, &err), 0);
    int32_t *y = malloc(n * sizeof *y);
    wf_rng rng = {.state = 11};
    for (size_t i = 0; i < n; i++) {
        double z = 0;
        for (size_t j = 0; j < d; j++) {
            x.data[i * d + j] = wf_rng_normal(&rng) * (double)(j + 1);
            z += x.data[i * d + j] / (double)(j + 1);
        }
        y[i] = z + wf_rng_normal(&rng) < -1 ? 0 : z < 1 ? 1 : 2;
    }
    ml_logreg_params p = ML_LOGREG_DEFAULTS;
    ml_linear one, many;
    ml_env single = {.threads = 1}, several = {.threads = 3};
    assert_int_equal(ml_logreg_fit(&x, y, k, &p, &single, &one, &err), 0);
    assert_int_equal(ml_logreg_fit(&x, y, k, &p, &several, &many, &err), 0);
    assert_memory_equal(one.weights, many.weights, k * d * sizeof(double));
    assert_memory_equal(one.bias, many.bias, k * sizeof(double));
    ml_linear_clear(&one);
    ml_linear_clear(&many);
    ml_matrix_clear(&x);
    free(y);
}

static void logistic_regression_refuses_bad_input_clearly(void **state)
{
    (void)state;
    ml_matrix x;
    wf_error err = {0};
    assert_int_equal(ml_matrix_init(&x, 4, 2, &err), 0);
    for (int i = 0; i < 8; i++)
        x.data[i] = i % 3;
    ml_logreg_params p = ML_LOGREG_DEFAULTS;
    ml_linear m;
    int32_t one_class[4] = {1, 1, 1, 1};
    assert_int_equal(ml_logreg_fit(&x, one_class, 2, &p, NULL, &m, &err), WF_EINVAL);
    assert_contains(err.message, "same class");
    assert_null(m.weights);

    wf_error_clear(&err);
    int32_t missing[4] = {0, 1, -1, 0};
    assert_int_equal(ml_logreg_fit(&x, missing, 2, &p, NULL, &m, &err), WF_EINVAL);
    assert_contains(err.message, "row 3 has no class");

    wf_error_clear(&err);
    int32_t beyond[4] = {0, 1, 2, 0};
    assert_int_equal(ml_logreg_fit(&x, beyond, 2, &p, NULL, &m, &err), WF_EINVAL);
    assert_contains(err.message, "row 3");

    int32_t fine[4] = {0, 1, 1, 0};
    struct {
        ml_logreg_params p;
        const char *says;
    } bad[] = {
        {{.l1 = -1, .l2 = 1, .tolerance = 1e-7, .memory = 5, .max_iterations = 10}, "L1"},
        {{.l1 = 0, .l2 = NAN, .tolerance = 1e-7, .memory = 5, .max_iterations = 10}, "L2"},
        {{.l1 = 0, .l2 = 1, .tolerance = 0, .memory = 5, .max_iterations = 10}, "tolerance"},
        {{.l1 = 0, .l2 = 1, .tolerance = 1e-7, .memory = 0, .max_iterations = 10}, "memory"},
        {{.l1 = 0, .l2 = 1, .tolerance = 1e-7, .memory = 5, .max_iterations = 0}, "iterations"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        wf_error_clear(&err);
        assert_int_equal(ml_logreg_fit(&x, fine, 2, &bad[i].p, NULL, &m, &err), WF_EINVAL);
        assert_contains(err.message, bad[i].says);
    }

    wf_error_clear(&err);
    x.data[3] = INFINITY;
    assert_int_equal(ml_logreg_fit(&x, fine, 2, &p, NULL, &m, &err), WF_EINVAL);
    assert_contains(err.message, "row 2, feature 2");
    x.data[3] = 1;

    wf_error_clear(&err);
    volatile sig_atomic_t stop = 1;
    ml_env env = {.cancel = &stop};
    assert_int_equal(ml_logreg_fit(&x, fine, 2, &p, &env, &m, &err), WF_ECANCELED);
    assert_null(m.weights);

    wf_error_clear(&err);
    ml_matrix empty = {0};
    assert_int_equal(ml_logreg_fit(&empty, fine, 2, &p, NULL, &m, &err), WF_EINVAL);
    ml_matrix_clear(&x);
}

/* ---- SVM ---------------------------------------------------------------- */

static void svm_accuracy_matches_linear_svc(void **state)
{
    (void)state;
    const dataset *sets[] = {&fx.diabetes_std, &fx.ionosphere_std};
    const char *names[] = {"svm_diabetes", "svm_ionosphere"};
    for (int f = 0; f < 2; f++) {
        const dataset *ds = sets[f];
        ml_svm_params p = ML_SVM_DEFAULTS;
        p.iterations = 100;
        ml_linear m;
        wf_error err = {0};
        assert_int_equal(ml_svm_fit(&ds->x, ds->y, &p, NULL, &m, &err), 0);
        size_t n = ds->x.rows, right = 0;
        double *margin = malloc(n * sizeof *margin);
        ml_linear_predict(&m, &ds->x, margin);
        for (size_t i = 0; i < n; i++)
            right += (margin[i] > 0) == (ds->y[i] == 1);
        double accuracy = (double)right / (double)n, area = auc(margin, ds->y, n);
        char key[64];
        snprintf(key, sizeof key, "%s.accuracy", names[f]);
        double their_accuracy = answer1(key);
        snprintf(key, sizeof key, "%s.auc", names[f]);
        double their_auc = answer1(key);
        if (!(fabs(accuracy - their_accuracy) <= 0.02 && fabs(area - their_auc) <= 0.02))
            fail_msg("%s: accuracy %g vs LinearSVC %g, AUC %g vs %g", names[f], accuracy,
                     their_accuracy, area, their_auc);
        assert_true(accuracy > 0.7);
        free(margin);
        ml_linear_clear(&m);
    }
}

static void svm_margin_is_class_ones_whichever_class_comes_first(void **state)
{
    (void)state;
    const dataset *ds = &fx.diabetes;
    size_t n = ds->x.rows, d = ds->x.cols;
    /* Row order flipped, so the first row's class changes. */
    ml_matrix flipped;
    wf_error err = {0};
    assert_int_equal(ml_matrix_init(&flipped, n, d, &err), 0);
    int32_t *y = malloc(n * sizeof *y);
    for (size_t i = 0; i < n; i++) {
        memcpy(flipped.data + i * d, ds->x.data + (n - 1 - i) * d, d * sizeof(double));
        y[i] = ds->y[n - 1 - i];
    }
    assert_true(y[0] != ds->y[0]);
    ml_svm_params p = ML_SVM_DEFAULTS;
    ml_linear a, b, c;
    assert_int_equal(ml_svm_fit(&ds->x, ds->y, &p, NULL, &a, &err), 0);
    assert_int_equal(ml_svm_fit(&flipped, y, &p, NULL, &b, &err), 0);
    /* Plasma glucose (feature 2) raises the odds of diabetes. */
    assert_true(a.weights[1] > 0 && b.weights[1] > 0);
    /* The same seed repeats exactly. */
    assert_int_equal(ml_svm_fit(&ds->x, ds->y, &p, NULL, &c, &err), 0);
    assert_memory_equal(a.weights, c.weights, d * sizeof(double));
    ml_linear_clear(&a);
    ml_linear_clear(&b);
    ml_linear_clear(&c);
    free(y);
    ml_matrix_clear(&flipped);

    /* One class, a missing class, bad parameters. */
    int32_t *same = calloc(n, sizeof *same);
    assert_int_equal(ml_svm_fit(&ds->x, same, &p, NULL, &a, &err), WF_EINVAL);
    assert_contains(err.message, "same class");
    same[5] = -1;
    same[6] = 1;
    wf_error_clear(&err);
    assert_int_equal(ml_svm_fit(&ds->x, same, &p, NULL, &a, &err), WF_EINVAL);
    assert_contains(err.message, "row 6 has no class");
    free(same);
    wf_error_clear(&err);
    p.lambda = 0;
    assert_int_equal(ml_svm_fit(&ds->x, ds->y, &p, NULL, &a, &err), WF_EINVAL);
    assert_contains(err.message, "lambda");
    p.lambda = 0.001;
    p.iterations = 0;
    wf_error_clear(&err);
    assert_int_equal(ml_svm_fit(&ds->x, ds->y, &p, NULL, &a, &err), WF_EINVAL);
    assert_contains(err.message, "iterations");
}

/* (lambda / 2)(|w|^2 + b^2) + mean hinge: LIBLINEAR's objective (its bias
 * is penalised too) over C, on ds's matrix. */
static double svm_objective(const ml_linear *m, const dataset *ds, double lambda)
{
    size_t n = ds->x.rows, d = ds->x.cols;
    double *margin = malloc(n * sizeof *margin), hinge = 0, norm = m->bias[0] * m->bias[0];
    ml_linear_predict(m, &ds->x, margin);
    for (size_t i = 0; i < n; i++)
        hinge += fmax(0, 1 - (ds->y[i] == 1 ? 1 : -1) * margin[i]) / (double)n;
    for (size_t j = 0; j < d; j++)
        norm += m->weights[j] * m->weights[j];
    free(margin);
    return lambda / 2 * norm + hinge;
}

static void svm_iterations_tighten_the_solution_and_liblinear_speaks_to_the_log(void **state)
{
    (void)state;
    const dataset *ds = &fx.diabetes_std; /* standardised: our scaling is the identity */
    ml_svm_params p = ML_SVM_DEFAULTS;
    char logged[256] = "";
    ml_env env = {.log = remember_line, .user = logged};
    ml_linear loose, tight;
    wf_error err = {0};
    assert_int_equal(ml_svm_fit(&ds->x, ds->y, &p, &env, &loose, &err), 0);
    /* LIBLINEAR's last words ("nSV = ...") came through the log, not stdout. */
    assert_contains(logged, "nSV");
    /* Ten times the iterations: a tenth of LIBLINEAR's tolerance (beyond
     * about that, its own cap of 1000 passes decides). */
    p.iterations = 10;
    assert_int_equal(ml_svm_fit(&ds->x, ds->y, &p, NULL, &tight, &err), 0);
    /* Both near LinearSVC's optimum of the same problem; the mapping does
     * reach LIBLINEAR (a different tolerance, a different solution). */
    double a = svm_objective(&loose, ds, p.lambda), b = svm_objective(&tight, ds, p.lambda);
    double peer = answer1("svm_diabetes.objective");
    if (!(fabs(a - peer) < 1e-3 * peer && fabs(b - peer) < fabs(a - peer)))
        fail_msg("objective %.9g at 1 iteration, %.9g at 10, LinearSVC %.9g", a, b, peer);
    assert_memory_not_equal(loose.weights, tight.weights, ds->x.cols * sizeof(double));
    ml_linear_clear(&loose);
    ml_linear_clear(&tight);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(ols_and_ridge_match_scikit_learn_on_cars),
        cmocka_unit_test(collinear_and_constant_columns_give_the_minimum_norm_solution),
        cmocka_unit_test(online_gradient_descent_approaches_the_ridge_solution),
        cmocka_unit_test(linear_regression_refuses_bad_input_clearly),
        cmocka_unit_test(two_class_l2_matches_scikit_learn_on_diabetes),
        cmocka_unit_test(multinomial_matches_scikit_learn_on_iris),
        cmocka_unit_test(l1_gives_the_sparsity_of_saga_on_credit),
        cmocka_unit_test(multinomial_l1_and_elastic_net_match_saga_on_iris),
        cmocka_unit_test(a_constant_feature_gets_no_weight_and_changes_nothing),
        cmocka_unit_test(the_model_is_the_same_bits_on_any_number_of_threads),
        cmocka_unit_test(logistic_regression_refuses_bad_input_clearly),
        cmocka_unit_test(svm_accuracy_matches_linear_svc),
        cmocka_unit_test(svm_margin_is_class_ones_whichever_class_comes_first),
        cmocka_unit_test(svm_iterations_tighten_the_solution_and_liblinear_speaks_to_the_log),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
