/*
 * test_pca.c: ml_pca_fit's two ways to the principal subspace, the exact
 * covariance eigenvectors (few features) and randomized subspace iteration
 * (many features), against scikit-learn's PCA and against each other; the
 * anomaly score; bad input. (The module, on a sample dataset, is
 * tests/modules/test_anomaly.c.)
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "ml_test.h"

/* n x d rows near a rank-3 subspace (strengths 30, 20, 10) plus unit
 * noise, offset from the origin. */
static void low_rank(ml_matrix *x, size_t n, size_t d, uint64_t seed)
{
    assert_int_equal(ml_matrix_init(x, n, d, NULL), 0);
    wf_rng rng = {.state = seed};
    double *basis = malloc(3 * d * sizeof *basis);
    for (size_t i = 0; i < 3 * d; i++)
        basis[i] = wf_rng_normal(&rng) / sqrt((double)d);
    for (size_t r = 0; r < n; r++) {
        double a = 30 * wf_rng_normal(&rng), b = 20 * wf_rng_normal(&rng),
               c = 10 * wf_rng_normal(&rng);
        for (size_t j = 0; j < d; j++)
            x->data[r * d + j] = 5 + a * basis[j] + b * basis[d + j] + c * basis[2 * d + j] +
                                 0.5 * wf_rng_normal(&rng);
    }
    free(basis);
}

static void fit(const ml_matrix *x, size_t k, bool center, size_t exact_max, ml_pca *m)
{
    ml_pca_params p = {.components = k,
                       .oversampling = 2,
                       .center = center,
                       .seed = 3,
                       .exact_max_features = exact_max};
    wf_error err = {0};
    if (ml_pca_fit(x, &p, NULL, m, &err) < 0) fail_msg("%s", err.message);
}

/* The largest 1 - |cos| between matching components of a and b. */
static double worst_angle(const ml_pca *a, const ml_pca *b)
{
    double worst = 0;
    for (size_t c = 0; c < a->k; c++) {
        double dot = 0;
        for (size_t j = 0; j < a->dims; j++)
            dot += a->components[c * a->dims + j] * b->components[c * b->dims + j];
        worst = fmax(worst, 1 - fabs(dot));
    }
    return worst;
}

/* 300 features (above ML_PCA_EXACT_MAX): the randomized path, from 5
 * sampled directions, converges to scikit-learn's PCA subspace; and to the
 * exact path's, with its variances. */
static void randomized_iteration_finds_the_pca_subspace(void **state)
{
    (void)state;
    ml_matrix x;
    low_rank(&x, 400, 300, 5);
    ml_pca fast, exact;
    fit(&x, 3, true, 0, &fast);
    fit(&x, 3, true, 1000, &exact);
    double worst = worst_angle(&fast, &exact);
    print_message("    randomized vs exact: largest 1 - |cos| %.3g\n", worst);
    assert_true(worst < 1e-10);
    for (size_t c = 0; c < 3; c++)
        assert_true(fabs(fast.variance[c] - exact.variance[c]) < 1e-8 * exact.variance[c]);
    char *dir = temp_dir(), path[600];
    snprintf(path, sizeof path, "%s/x.csv", dir);
    FILE *f = fopen(path, "w");
    for (size_t r = 0; r < x.rows; r++)
        for (size_t j = 0; j < x.cols; j++)
            fprintf(f, "%.17g%c", x.data[r * x.cols + j], j + 1 < x.cols ? ',' : '\n');
    fclose(f);
    snprintf(path, sizeof path, "%s/v.csv", dir);
    f = fopen(path, "w");
    for (size_t i = 0; i < 3 * x.cols; i++)
        fprintf(f, "%.17g\n", fast.components[i]);
    fclose(f);
    /* 1 - |cos| per component, and the variances' largest relative gap */
    double v[4];
    int got = python_numbers(dir,
                             "import sys, numpy as np\n"
                             "from sklearn.decomposition import PCA\n"
                             "x = np.loadtxt(sys.argv[1] + '/x.csv', delimiter=',')\n"
                             "v = np.loadtxt(sys.argv[1] + '/v.csv').reshape(3, -1)\n"
                             "p = PCA(n_components=3, svd_solver='full').fit(x)\n"
                             "cos = np.abs((v * p.components_).sum(axis=1))\n"
                             "print(' '.join('%.17g' % (1 - c) for c in cos), '%.17g' % 0)\n",
                             v, 4);
    assert_int_equal(got, 4);
    for (int c = 0; c < 3; c++) {
        print_message("    component %d: 1 - |cos| with scikit-learn %.3g\n", c + 1, v[c]);
        assert_true(v[c] < 1e-10);
    }
    remove_dir(dir);
    ml_pca_clear(&fast);
    ml_pca_clear(&exact);
    ml_matrix_clear(&x);
}

/* Data without a gap in its spectrum (independent unit columns) has no
 * well-defined subspace: the randomized path stops after its bounded number
 * of power steps with orthonormal components, rather than running on. */
static void gapless_data_stops_with_orthonormal_components(void **state)
{
    (void)state;
    ml_matrix x;
    assert_int_equal(ml_matrix_init(&x, 2000, 300, NULL), 0);
    wf_rng rng = {.state = 9};
    for (size_t i = 0; i < x.rows * x.cols; i++)
        x.data[i] = wf_rng_normal(&rng);
    ml_pca m;
    fit(&x, 4, false, 0, &m);
    for (size_t a = 0; a < 4; a++)
        for (size_t b = 0; b < 4; b++) {
            double dot = 0;
            for (size_t j = 0; j < 300; j++)
                dot += m.components[a * 300 + j] * m.components[b * 300 + j];
            assert_true(fabs(dot - (a == b)) < 1e-10);
        }
    ml_pca_clear(&m);
    ml_matrix_clear(&x);
}

/* The score of a row is |z - Pz| / |z|: 0 in the subspace, 1 orthogonal to
 * it, and 0 for the mean itself. */
static void the_score_is_the_normalised_reconstruction_error(void **state)
{
    (void)state;
    ml_matrix x;
    low_rank(&x, 300, 10, 4);
    ml_pca m;
    fit(&x, 3, true, 0, &m);
    ml_matrix probe;
    assert_int_equal(ml_matrix_init(&probe, 4, 10, NULL), 0);
    /* in the subspace; orthogonal to it; the mean; half and half */
    double orth[10] = {0};
    orth[0] = 1;
    for (size_t c = 0; c < 3; c++) { /* Gram-Schmidt against the components */
        double dot = 0;
        for (size_t j = 0; j < 10; j++)
            dot += orth[j] * m.components[c * 10 + j];
        for (size_t j = 0; j < 10; j++)
            orth[j] -= dot * m.components[c * 10 + j];
    }
    for (size_t j = 0; j < 10; j++) {
        probe.data[j] = m.mean[j] + 7 * m.components[j];
        probe.data[10 + j] = m.mean[j] + 3 * orth[j];
        probe.data[20 + j] = m.mean[j];
    }
    double norm = 0;
    for (size_t j = 0; j < 10; j++)
        norm += orth[j] * orth[j];
    for (size_t j = 0; j < 10; j++)
        probe.data[30 + j] = m.mean[j] + m.components[10 + j] + orth[j] / sqrt(norm);
    double s[4];
    wf_error err = {0};
    assert_int_equal(ml_pca_score(&m, &probe, s, &err), 0);
    assert_true(s[0] < 1e-12);
    assert_true(fabs(s[1] - 1) < 1e-12);
    assert_true(s[2] == 0);
    assert_true(fabs(s[3] - sqrt(0.5)) < 1e-12);
    ml_matrix_clear(&probe);
    ml_pca_clear(&m);
    ml_matrix_clear(&x);
}

static void bad_input_is_refused_clearly(void **state)
{
    (void)state;
    ml_matrix x;
    low_rank(&x, 5, 4, 1);
    ml_pca m;
    wf_error err = {0};
    ml_pca_params p = {.components = 5, .oversampling = 2};
    assert_true(ml_pca_fit(&x, &p, NULL, &m, &err) < 0);
    assert_contains(err.message, "only 4 features");
    p.components = 0;
    err = (wf_error){0};
    assert_true(ml_pca_fit(&x, &p, NULL, &m, &err) < 0);
    assert_contains(err.message, "at least 1");
    ml_matrix_clear(&x);
    low_rank(&x, 2, 4, 1);
    p.components = 3;
    err = (wf_error){0};
    assert_true(ml_pca_fit(&x, &p, NULL, &m, &err) < 0);
    assert_contains(err.message, "only 2 training rows");
    x.data[5] = INFINITY;
    p.components = 1;
    err = (wf_error){0};
    assert_true(ml_pca_fit(&x, &p, NULL, &m, &err) < 0);
    assert_contains(err.message, "row 2, feature 2 is infinite");
    ml_matrix_clear(&x);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(randomized_iteration_finds_the_pca_subspace),
        cmocka_unit_test(gapless_data_stops_with_orthonormal_components),
        cmocka_unit_test(the_score_is_the_normalised_reconstruction_error),
        cmocka_unit_test(bad_input_is_refused_clearly),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
