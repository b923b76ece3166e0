/*
 * bench_ml_linear.c: the linear learners on a 1,000,000 x 20 synthetic
 * problem, against scikit-learn in the same run.
 *
 *     bench_ml_linear [ROWS]
 *
 * - ml_features_matrix: a table of 20 numeric columns to a row-major matrix
 *   (target: well under 100 ms for 1M x 20);
 * - ml_logreg_fit, two classes, L2 = 1, no L1, tolerance 1e-7, memory 20, on
 *   every core and on one thread, against sklearn's LogisticRegression(C=1,
 *   lbfgs, its default tol 1e-4) fitted on the same bytes; the
 *   coefficients of both are compared with the exact optimum (sklearn's
 *   newton-cholesky at tolerance 1e-10, not timed);
 * - ml_linreg_fit (OLS by QR, l2 = 0) against sklearn's LinearRegression.
 *
 * Features are standard normal with assorted scales and offsets; labels are
 * drawn from the logistic model of fixed weights (seeded, so runs compare).
 */
#include "ml/ml.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define BENCH_COLS 20

static double bench__now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* CPU seconds of the whole process (every thread). */
static double bench__cpu(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static void bench__log(void *user, const char *line)
{
    snprintf(user, 256, "%s", line);
}

static int bench__write(const char *path, const void *data, size_t bytes)
{
    FILE *f = fopen(path, "wb");
    if (f == NULL) return -1;
    size_t put = fwrite(data, 1, bytes, f);
    return fclose(f) == 0 && put == bytes ? 0 : -1;
}

int main(int argc, char **argv)
{
    size_t n = argc > 1 ? (size_t)strtoull(argv[1], NULL, 10) : 1000000;
    size_t d = BENCH_COLS;
    wf_error err = {0};
    wf_rng rng = {.state = 42};

    /* A table, so the features step is measured too. */
    tbl_table *t = tbl_new();
    double truth[BENCH_COLS];
    size_t cols[BENCH_COLS];
    for (size_t j = 0; j < d; j++) {
        char name[16];
        snprintf(name, sizeof name, "x%zu", j + 1);
        tbl_column c;
        if (tbl_column_init(&c, name, TBL_NUMERIC, n, &err) < 0) goto fail;
        double scale = 0.5 + (double)(j % 4), offset = (double)(j % 3) - 1;
        for (size_t i = 0; i < n; i++)
            c.v.f64[i] = offset + scale * wf_rng_normal(&rng);
        if (tbl_add_column(t, &c, n, &err) < 0) goto fail;
        truth[j] = ((double)(j % 5) - 2) * 0.4 / scale;
        cols[j] = j;
    }
    ml_features f;
    if (ml_features_fit(&f, t, cols, d, ML_ONE_HOT, true, &err) < 0) goto fail;
    ml_matrix x;
    double t0 = bench__now(), c0 = bench__cpu();
    if (ml_features_matrix(&f, t, &x, &err) < 0) goto fail;
    double features_s = bench__now() - t0, features_cpu = bench__cpu() - c0;
    ml_features_clear(&f);
    tbl_free(t);

    int32_t *y = malloc(n * sizeof *y);
    double *yr = malloc(n * sizeof *yr);
    for (size_t i = 0; i < n; i++) {
        double z = 0.3;
        for (size_t j = 0; j < d; j++)
            z += truth[j] * x.data[i * d + j];
        y[i] = wf_rng_uniform(&rng) < ml_sigmoid(z);
        yr[i] = z + wf_rng_normal(&rng);
    }

    ml_logreg_params p = ML_LOGREG_DEFAULTS;
    p.l1 = 0;
    p.l2 = 1;
    ml_linear all = {0}, one = {0}, ols = {0};
    char said[256] = "";
    ml_env cores = {.log = bench__log, .user = said};
    t0 = bench__now();
    if (ml_logreg_fit(&x, y, 2, &p, &cores, &all, &err) < 0) goto fail;
    double logreg_s = bench__now() - t0;
    ml_env single = {.threads = 1};
    t0 = bench__now();
    c0 = bench__cpu();
    if (ml_logreg_fit(&x, y, 2, &p, &single, &one, &err) < 0) goto fail;
    double logreg1_s = bench__now() - t0, logreg1_cpu = bench__cpu() - c0;
    ml_linreg_params lp = ML_LINREG_DEFAULTS;
    lp.l2 = 0;
    t0 = bench__now();
    if (ml_linreg_fit(&x, yr, &lp, NULL, &ols, &err) < 0) goto fail;
    double ols_s = bench__now() - t0;

    char dir[] = "/tmp/bench_ml_linearXXXXXX";
    if (mkdtemp(dir) == NULL) return 1;
    char xp[128], yp[128], rp[128];
    snprintf(xp, sizeof xp, "%s/x.bin", dir);
    snprintf(yp, sizeof yp, "%s/y.bin", dir);
    snprintf(rp, sizeof rp, "%s/r.bin", dir);
    if (bench__write(xp, x.data, n * d * sizeof(double)) < 0 ||
        bench__write(yp, y, n * sizeof *y) < 0 || bench__write(rp, yr, n * sizeof *yr) < 0) {
        fprintf(stderr, "cannot write %s\n", dir);
        return 1;
    }
    char cmd[2048];
    snprintf(cmd, sizeof cmd,
             "/usr/bin/python3 -c '\n"
             "import numpy as np, time\n"
             "from sklearn.linear_model import LogisticRegression, LinearRegression\n"
             "x = np.fromfile(\"%s\").reshape(-1, %zu)\n"
             "y = np.fromfile(\"%s\", dtype=np.int32)\n"
             "r = np.fromfile(\"%s\")\n"
             "t, c = time.perf_counter(), time.process_time()\n"
             "m = LogisticRegression(C=1.0, max_iter=1000).fit(x, y)\n"
             "print(time.perf_counter() - t, time.process_time() - c, m.n_iter_[0],\n"
             "      m.intercept_[0], *m.coef_[0])\n"
             "e = LogisticRegression(C=1.0, solver=\"newton-cholesky\", tol=1e-10).fit(x, y)\n"
             "print(e.intercept_[0], *e.coef_[0])\n"
             "t = time.perf_counter(); o = LinearRegression().fit(x, r)\n"
             "print(time.perf_counter() - t, o.intercept_, *o.coef_)\n'",
             xp, d, yp, rp);
    FILE *py = popen(cmd, "r");
    double sk_logreg = NAN, sk_cpu = NAN, sk_ols = NAN, iters = 0, coef[BENCH_COLS + 1],
           exact[BENCH_COLS + 1], ocoef[BENCH_COLS + 1];
    int got = py ? fscanf(py, "%lf %lf %lf", &sk_logreg, &sk_cpu, &iters) : 0;
    for (size_t j = 0; got == 3 && j <= d; j++)
        if (fscanf(py, "%lf", &coef[j]) != 1) got = 0;
    for (size_t j = 0; got == 3 && j <= d; j++)
        if (fscanf(py, "%lf", &exact[j]) != 1) got = 0;
    if (got == 3 && fscanf(py, "%lf", &sk_ols) != 1) got = 0;
    for (size_t j = 0; got == 3 && j <= d; j++)
        if (fscanf(py, "%lf", &ocoef[j]) != 1) got = 0;
    if (py) pclose(py);
    unlink(xp);
    unlink(yp);
    unlink(rp);
    rmdir(dir);
    if (got != 3) {
        fprintf(stderr, "scikit-learn did not answer\n");
        return 1;
    }
    /* Distances to the exact optimum (Newton, tolerance 1e-10). */
    double ours_off = fabs(all.bias[0] - exact[0]), theirs_off = fabs(coef[0] - exact[0]);
    double odiff = fabs(ols.bias[0] - ocoef[0]);
    for (size_t j = 0; j < d; j++) {
        ours_off = fmax(ours_off, fabs(all.weights[j] - exact[j + 1]));
        theirs_off = fmax(theirs_off, fabs(coef[j + 1] - exact[j + 1]));
        if (fabs(ols.weights[j] - ocoef[j + 1]) > odiff)
            odiff = fabs(ols.weights[j] - ocoef[j + 1]);
    }
    printf("rows %zu x %zu\n", n, d);
    printf("features matrix        %8.1f ms (CPU %.1f ms)\n", features_s * 1e3, features_cpu * 1e3);
    printf("logreg (all cores)     %8.3f s   sklearn %.3f s   ratio %.2fx\n", logreg_s, sk_logreg,
           sk_logreg / logreg_s);
    printf("  weft: %s; sklearn: %d lbfgs iterations\n", said, (int)iters);
    printf("logreg (one thread)    %8.3f s   ratio %.2fx\n", logreg1_s, sk_logreg / logreg1_s);
    printf("logreg CPU time        %8.3f s (one thread)   sklearn %.3f s   ratio %.2fx\n",
           logreg1_cpu, sk_cpu, sk_cpu / logreg1_cpu);
    printf("logreg max |coef - optimum|: weft %.2e, sklearn %.2e\n", ours_off, theirs_off);
    printf("OLS (QR)               %8.3f s   sklearn %.3f s   ratio %.2fx   max |coef diff| "
           "%.2e\n",
           ols_s, sk_ols, sk_ols / ols_s, odiff);
    ml_linear_clear(&all);
    ml_linear_clear(&one);
    ml_linear_clear(&ols);
    ml_matrix_clear(&x);
    free(y);
    free(yr);
    return 0;
fail:
    fprintf(stderr, "bench_ml_linear: %s\n", err.message);
    return 1;
}
