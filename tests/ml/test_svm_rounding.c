/*
 * test_svm_rounding.c: the SVM with normalised features, on a column whose
 * values differ only by rounding (tanh of large numbers: 1.0 and the double
 * just below it). Standardising such a column once gave it a weight of about
 * 1e16 on the original scale, and the bias b - w . mean lost every digit of
 * the margin (Sample 4, docs/samples.md). The column carries nothing, so the
 * model must be the one fitted without it.
 */
#include "ml/ml.h"

#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include <cmocka.h>

#include "ml_test.h"

enum { ROWS = 300 };

/* Two informative features and a label that depends on them with noise;
 * with_rounding puts a third column between them, 1.0 or nextafter(1, 0) at
 * random. */
static void make_data(bool with_rounding, ml_matrix *x, int32_t *y)
{
    wf_error err = {0};
    size_t cols = with_rounding ? 3 : 2;
    assert_int_equal(ml_matrix_init(x, ROWS, cols, &err), 0);
    wf_rng r = {.state = 7};
    for (size_t i = 0; i < ROWS; i++) {
        double a = 4 * wf_rng_uniform(&r) - 2, b = 30 + 10 * wf_rng_normal(&r);
        double noise = wf_rng_normal(&r);
        double one = wf_rng_uniform(&r) < 0.5 ? 1.0 : nextafter(1.0, 0.0);
        double *row = x->data + i * cols;
        row[0] = a;
        if (with_rounding) row[1] = one;
        row[cols - 1] = b;
        y[i] = a + 0.1 * (b - 30) + noise > 0;
    }
}

static void svm_ignores_a_column_that_varies_only_by_rounding(void **state)
{
    (void)state;
    ml_matrix plain, rounded;
    int32_t y_plain[ROWS], y_rounded[ROWS];
    make_data(false, &plain, y_plain);
    make_data(true, &rounded, y_rounded);
    ml_svm_params p = ML_SVM_DEFAULTS;
    ml_linear a = {0}, b = {0};
    wf_error err = {0};
    assert_int_equal(ml_svm_fit(&plain, y_plain, &p, NULL, &a, &err), 0);
    assert_int_equal(ml_svm_fit(&rounded, y_rounded, &p, NULL, &b, &err), 0);

    /* No weight blows up on the original scale... */
    for (size_t j = 0; j < 3; j++)
        assert_true(isfinite(b.weights[j]) && fabs(b.weights[j]) < 1e3);
    assert_true(fabs(b.bias[0]) < 1e3);
    /* ... and every margin is the one of the model without the column. */
    double *ma = malloc(ROWS * sizeof *ma), *mb = malloc(ROWS * sizeof *mb);
    assert_non_null(ma);
    assert_non_null(mb);
    ml_linear_predict(&a, &plain, ma);
    ml_linear_predict(&b, &rounded, mb);
    for (size_t i = 0; i < ROWS; i++)
        if (fabs(ma[i] - mb[i]) > 1e-9 * (1 + fabs(ma[i])))
            fail_msg("row %zu: margin %.17g with the rounding column, %.17g without", i + 1, mb[i],
                     ma[i]);
    free(ma);
    free(mb);
    ml_linear_clear(&a);
    ml_linear_clear(&b);
    ml_matrix_clear(&plain);
    ml_matrix_clear(&rounded);
}

/* A column with a real but small spread next to a large mean (values near
 * 1e6 that differ by 1e-3, 1e-9 of the mean) is kept: it is the only
 * feature here, and it separates the classes. */
static void svm_keeps_a_small_spread_above_rounding(void **state)
{
    (void)state;
    ml_matrix x;
    wf_error err = {0};
    assert_int_equal(ml_matrix_init(&x, ROWS, 1, &err), 0);
    int32_t y[ROWS];
    for (size_t i = 0; i < ROWS; i++) {
        y[i] = i % 2;
        x.data[i] = 1e6 + (y[i] ? 1e-3 : -1e-3) + 1e-4 * (double)(i % 7);
    }
    ml_svm_params p = ML_SVM_DEFAULTS;
    ml_linear m = {0};
    assert_int_equal(ml_svm_fit(&x, y, &p, NULL, &m, &err), 0);
    double *margin = malloc(ROWS * sizeof *margin);
    assert_non_null(margin);
    ml_linear_predict(&m, &x, margin);
    for (size_t i = 0; i < ROWS; i++)
        if ((margin[i] > 0) != (y[i] == 1))
            fail_msg("row %zu (class %d) has margin %g", i + 1, (int)y[i], margin[i]);
    free(margin);
    ml_linear_clear(&m);
    ml_matrix_clear(&x);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(svm_ignores_a_column_that_varies_only_by_rounding),
        cmocka_unit_test(svm_keeps_a_small_spread_above_rounding),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
