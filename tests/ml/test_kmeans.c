/*
 * test_kmeans.c: k-means against scikit-learn's KMeans (Lloyd's algorithm
 * from the same initial centroids gives the same clusters), K-Means++
 * against scikit-learn's best inertia, the seeding modes, the cosine metric
 * on a hand-computed example, cancellation and the messages of bad input.
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

#define SAMPLES WEFT_TEST_DATA "/../../.cache/samples/"

/* ---- helpers ----------------------------------------------------------- */

/* The named numeric columns of a sample file, rows with a missing value
 * left out. */
static ml_matrix load_matrix(const char *file, const char *const *cols, size_t ncols)
{
    tbl_table *t = NULL;
    wf_error err = {0};
    if (tbl_read_file(file, NULL, &t, &err) < 0) fail_msg("%s: %s", file, err.message);
    int idx[16];
    assert_true(ncols <= 16);
    for (size_t j = 0; j < ncols; j++) {
        idx[j] = tbl_find_column(t, cols[j]);
        if (idx[j] < 0) fail_msg("%s has no column %s", file, cols[j]);
    }
    ml_matrix x;
    assert_int_equal(ml_matrix_init(&x, t->nrows, ncols, &err), 0);
    size_t n = 0;
    for (size_t r = 0; r < t->nrows; r++) {
        bool complete = true;
        for (size_t j = 0; j < ncols; j++) {
            const tbl_column *c = &t->cols[idx[j]];
            if (tbl_is_missing(c, r))
                complete = false;
            else if (c->type == TBL_NUMERIC)
                x.data[n * ncols + j] = c->v.f64[r];
            else if (c->type == TBL_INTEGER)
                x.data[n * ncols + j] = (double)c->v.i64[r];
            else
                fail_msg("column %s is not numeric", c->name);
        }
        n += complete;
    }
    x.rows = n;
    tbl_free(t);
    return x;
}

static ml_matrix iris(void)
{
    static const char *const f[] = {"sepallength", "sepalwidth", "petallength", "petalwidth"};
    return load_matrix(SAMPLES "iris.arff", f, 4);
}

static ml_matrix diabetes(void)
{
    static const char *const f[] = {"preg", "plas", "pres", "skin", "insu", "mass", "pedi", "age"};
    return load_matrix(SAMPLES "diabetes.arff", f, 8);
}

static ml_matrix weather(void)
{
    static const char *const f[] = {"precipitation", "temp_max", "temp_min", "wind"};
    return load_matrix(SAMPLES "seattle-weather.csv", f, 4);
}

static void write_matrix(const char *path, const double *v, size_t rows, size_t cols)
{
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    for (size_t r = 0; r < rows; r++)
        for (size_t j = 0; j < cols; j++)
            fprintf(f, "%.17g%c", v[r * cols + j], j + 1 < cols ? ',' : '\n');
    fclose(f);
}

static void write_labels(const char *path, const int32_t *a, size_t n)
{
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    for (size_t r = 0; r < n; r++)
        fprintf(f, "%d\n", a[r]);
    fclose(f);
}

/* ---- Lloyd's algorithm against scikit-learn ------------------------------- */

/* From the rows `starts` as initial centroids, our clusters, centroids and
 * distances against scikit-learn's KMeans(init=those rows, n_init=1,
 * algorithm='lloyd', tol=0) and scipy's cdist. */
static void same_clusters_as_scikit_learn(ml_matrix x, const size_t *starts, size_t k)
{
    size_t d = x.cols;
    double *initial = calloc(k * d, sizeof *initial);
    for (size_t c = 0; c < k; c++)
        memcpy(initial + c * d, x.data + starts[c] * d, d * sizeof(double));
    ml_kmeans_params p = {.k = k, .iterations = 300, .initial = initial};
    ml_kmeans m;
    wf_error err = {0};
    if (ml_kmeans_fit(&x, &p, NULL, &m, &err) < 0) fail_msg("%s", err.message);
    assert_true(m.iterations > 1 && m.iterations < 300);
    int32_t *assign = calloc(x.rows, sizeof *assign);
    double *dist = calloc(x.rows * k, sizeof *dist);
    ml_kmeans_assign(&m, &x, assign, dist);

    char *dir = temp_dir(), path[600];
    snprintf(path, sizeof path, "%s/x.csv", dir);
    write_matrix(path, x.data, x.rows, d);
    snprintf(path, sizeof path, "%s/init.csv", dir);
    write_matrix(path, initial, k, d);
    snprintf(path, sizeof path, "%s/centroids.csv", dir);
    write_matrix(path, m.centroids, k, d);
    snprintf(path, sizeof path, "%s/dist.csv", dir);
    write_matrix(path, dist, x.rows, k);
    snprintf(path, sizeof path, "%s/labels.csv", dir);
    write_labels(path, assign, x.rows);
    double v[4];
    int got =
        python_numbers(dir,
               "import sys, numpy as np\n"
               "from sklearn.cluster import KMeans\n"
               "from scipy.spatial.distance import cdist\n"
               "L = lambda n: np.loadtxt(sys.argv[1] + '/' + n, delimiter=',', ndmin=2)\n"
               "X, init, C, D = L('x.csv'), L('init.csv'), L('centroids.csv'), L('dist.csv')\n"
               "ours = np.loadtxt(sys.argv[1] + '/labels.csv').astype(int)\n"
               "km = KMeans(len(init), init=init, n_init=1, algorithm='lloyd', tol=0,\n"
               "            max_iter=300).fit(X)\n"
               "print((ours != km.labels_).sum(), np.abs(C - km.cluster_centers_).max(),\n"
               "      np.abs(D - cdist(X, C)).max(), len(set(ours)))\n",
               v, 4);
    assert_int_equal(got, 4);
    print_message("    %zu rows, k = %zu: %g labels differ, centroids within %g, %d iterations\n",
                  x.rows, k, v[0], v[1], m.iterations);
    assert_true(v[0] == 0);
    assert_true(v[1] < 1e-9);
    assert_true(v[2] < 1e-9);
    assert_true(v[3] == (double)k); /* no cluster emptied, where the two would differ */
    remove_dir(dir);
    free(assign);
    free(dist);
    free(initial);
    ml_kmeans_clear(&m);
    ml_matrix_clear(&x);
}

static void lloyd_matches_scikit_learn_on_iris(void **state)
{
    (void)state;
    size_t starts[] = {0, 1, 2};
    same_clusters_as_scikit_learn(iris(), starts, 3);
}

static void lloyd_matches_scikit_learn_on_diabetes(void **state)
{
    (void)state;
    size_t starts[] = {10, 20, 30, 40, 50};
    same_clusters_as_scikit_learn(diabetes(), starts, 5);
}

static void lloyd_matches_scikit_learn_on_weather(void **state)
{
    (void)state;
    size_t starts[] = {0, 100, 200, 300, 400, 500, 600, 700};
    same_clusters_as_scikit_learn(weather(), starts, 8);
}

/* ---- seeding ----------------------------------------------------------------- */

static void plus_plus_reaches_scikit_learns_inertia(void **state)
{
    (void)state;
    ml_matrix x = iris();
    enum { SEEDS = 10 };
    int32_t *assign = calloc(x.rows * SEEDS, sizeof *assign);
    wf_error err = {0};
    for (int s = 0; s < SEEDS; s++) {
        ml_kmeans_params p = {
            .k = 3, .init = ML_KMEANS_PLUS_PLUS, .iterations = 100, .seed = (uint64_t)s + 1};
        ml_kmeans m;
        assert_int_equal(ml_kmeans_fit(&x, &p, NULL, &m, &err), 0);
        ml_kmeans_assign(&m, &x, assign + s * x.rows, NULL);
        ml_kmeans_clear(&m);
    }
    char *dir = temp_dir(), path[600];
    snprintf(path, sizeof path, "%s/x.csv", dir);
    write_matrix(path, x.data, x.rows, x.cols);
    snprintf(path, sizeof path, "%s/labels.csv", dir);
    write_labels(path, assign, x.rows * SEEDS);
    /* Inertia of our clusters (scikit-learn computes it from the labels
     * alone), over its best of ten K-Means++ starts. */
    double v[SEEDS];
    int got = python_numbers(dir,
                     "import sys, numpy as np\n"
                     "from sklearn.cluster import KMeans\n"
                     "X = np.loadtxt(sys.argv[1] + '/x.csv', delimiter=',')\n"
                     "L = np.loadtxt(sys.argv[1] + '/labels.csv').astype(int).reshape(-1, len(X))\n"
                     "best = KMeans(3, n_init=10, random_state=0).fit(X).inertia_\n"
                     "def inertia(l):\n"
                     "    return sum(((X[l == c] - X[l == c].mean(axis=0)) ** 2).sum()\n"
                     "               for c in set(l))\n"
                     "print(' '.join(str(inertia(l) / best) for l in L))\n",
                     v, SEEDS);
    assert_int_equal(got, SEEDS);
    double worst = 0, best = INFINITY;
    int near = 0;
    for (int s = 0; s < SEEDS; s++) {
        worst = fmax(worst, v[s]);
        best = fmin(best, v[s]);
        near += v[s] < 1.01;
    }
    print_message("    inertia over scikit-learn's best: %.4f to %.4f, %d of %d within 1%%\n", best,
                  worst, near, SEEDS);
    assert_true(best < 1.0001);
    assert_true(near >= SEEDS * 7 / 10);
    assert_true(worst < 2);
    remove_dir(dir);
    free(assign);
    ml_matrix_clear(&x);
}

static void seeds_reproduce_and_differ(void **state)
{
    (void)state;
    ml_matrix x = diabetes();
    wf_error err = {0};
    ml_kmeans a, b, c;
    ml_kmeans_params p = {.k = 4, .init = ML_KMEANS_PLUS_PLUS, .iterations = 1, .seed = 42};
    assert_int_equal(ml_kmeans_fit(&x, &p, NULL, &a, &err), 0);
    assert_int_equal(ml_kmeans_fit(&x, &p, NULL, &b, &err), 0);
    p.seed = 43;
    assert_int_equal(ml_kmeans_fit(&x, &p, NULL, &c, &err), 0);
    assert_memory_equal(a.centroids, b.centroids, 4 * 8 * sizeof(double));
    assert_memory_not_equal(a.centroids, c.centroids, 4 * 8 * sizeof(double));
    ml_kmeans_clear(&a);
    ml_kmeans_clear(&b);
    ml_kmeans_clear(&c);
    ml_matrix_clear(&x);
}

/* k = rows with distinct rows: a random start must take every row once,
 * so every cluster holds exactly one row. */
static void random_start_takes_distinct_rows(void **state)
{
    (void)state;
    ml_matrix x;
    wf_error err = {0};
    size_t n = 40;
    assert_int_equal(ml_matrix_init(&x, n, 2, &err), 0);
    for (size_t r = 0; r < n; r++) {
        x.data[2 * r] = (double)r;
        x.data[2 * r + 1] = (double)(r * r % 7);
    }
    for (uint64_t seed = 0; seed < 5; seed++) {
        ml_kmeans_params p = {.k = n, .init = ML_KMEANS_RANDOM, .iterations = 5, .seed = seed};
        ml_kmeans m;
        assert_int_equal(ml_kmeans_fit(&x, &p, NULL, &m, &err), 0);
        int32_t assign[40];
        int seen[40] = {0};
        ml_kmeans_assign(&m, &x, assign, NULL);
        for (size_t r = 0; r < n; r++)
            seen[assign[r]]++;
        for (size_t c = 0; c < n; c++)
            assert_int_equal(seen[c], 1);
        /* The first pass puts each row with its own centroid; the second
         * changes nothing. */
        assert_int_equal(m.iterations, 2);
        ml_kmeans_clear(&m);
    }
    ml_matrix_clear(&x);
}

static void first_n_starts_from_the_first_rows(void **state)
{
    (void)state;
    ml_matrix x = iris();
    wf_error err = {0};
    ml_kmeans_params p = {.k = 3, .init = ML_KMEANS_FIRST_N, .iterations = 100};
    ml_kmeans m, given;
    assert_int_equal(ml_kmeans_fit(&x, &p, NULL, &m, &err), 0);
    p.init = ML_KMEANS_RANDOM; /* overridden by initial */
    p.initial = x.data;
    assert_int_equal(ml_kmeans_fit(&x, &p, NULL, &given, &err), 0);
    assert_int_equal(m.iterations, given.iterations);
    assert_memory_equal(m.centroids, given.centroids, 3 * 4 * sizeof(double));
    ml_kmeans copy;
    assert_int_equal(ml_kmeans_copy(&copy, &m, &err), 0);
    assert_int_equal(copy.k, 3);
    assert_int_equal(copy.dims, 4);
    assert_memory_equal(copy.centroids, m.centroids, 3 * 4 * sizeof(double));
    assert_ptr_not_equal(copy.centroids, m.centroids);
    ml_kmeans_clear(&copy);
    ml_kmeans_clear(&given);
    ml_kmeans_clear(&m);
    ml_kmeans_clear(&m); /* twice is harmless */
    ml_matrix_clear(&x);
}

/* ---- cosine ---------------------------------------------------------------- */

/* Rows (1,0), (3,0), (2,1), (0,2), (0,1) from centroids (1,0) and (0,1).
 * By hand: the first pass puts the first three rows in cluster 0 (cos with
 * (1,0) is 1, 1 and 2/sqrt 5) and the last two in cluster 1. Spherical
 * k-means moves centroid 0 to the normalised sum of the unit rows,
 * (1,0) + (1,0) + (2,1)/sqrt 5, and centroid 1 stays (0,1). The second pass
 * changes nothing. */
static void cosine_uses_normalised_means(void **state)
{
    (void)state;
    double rows[] = {1, 0, 3, 0, 2, 1, 0, 2, 0, 1};
    double start[] = {1, 0, 0, 1};
    ml_matrix x = {.rows = 5, .cols = 2, .data = rows};
    ml_kmeans_params p = {.k = 2, .metric = ML_COSINE, .iterations = 10, .initial = start};
    ml_kmeans m;
    wf_error err = {0};
    assert_int_equal(ml_kmeans_fit(&x, &p, NULL, &m, &err), 0);
    assert_int_equal(m.iterations, 2);
    double s5 = sqrt(5), sx = 2 + 2 / s5, sy = 1 / s5, norm = sqrt(sx * sx + sy * sy);
    assert_float_equal(m.centroids[0], sx / norm, 1e-12);
    assert_float_equal(m.centroids[1], sy / norm, 1e-12);
    assert_float_equal(m.centroids[2], 0, 1e-12);
    assert_float_equal(m.centroids[3], 1, 1e-12);

    int32_t assign[5];
    double dist[10];
    ml_kmeans_assign(&m, &x, assign, dist);
    int32_t want[] = {0, 0, 0, 1, 1};
    assert_memory_equal(assign, want, sizeof want);
    /* Row (2,1): 1 - cos to each centroid. */
    assert_float_equal(dist[4], 1 - (2 * sx + sy) / (s5 * norm), 1e-12);
    assert_float_equal(dist[5], 1 - 1 / s5, 1e-12);
    /* Length does not matter: (3,0) is as near centroid 0 as (1,0). */
    assert_float_equal(dist[0], dist[2], 1e-12);

    /* A row of zeros has no direction: distance 1 to every centroid. */
    double zero[] = {0, 0};
    ml_matrix z = {.rows = 1, .cols = 2, .data = zero};
    ml_kmeans_assign(&m, &z, assign, dist);
    assert_float_equal(dist[0], 1, 0);
    assert_float_equal(dist[1], 1, 0);
    ml_kmeans_clear(&m);
}

static void euclidean_distances_are_not_squared(void **state)
{
    (void)state;
    double rows[] = {0, 0, 3, 4};
    double start[] = {0, 0, 3, 4};
    ml_matrix x = {.rows = 2, .cols = 2, .data = rows};
    ml_kmeans_params p = {.k = 2, .iterations = 10, .initial = start};
    ml_kmeans m;
    wf_error err = {0};
    assert_int_equal(ml_kmeans_fit(&x, &p, NULL, &m, &err), 0);
    int32_t assign[2];
    double dist[4];
    ml_kmeans_assign(&m, &x, assign, dist);
    assert_float_equal(dist[1], 5, 1e-12);
    assert_float_equal(dist[2], 5, 1e-12);
    /* A matrix of another width assigns nothing. */
    double wide[] = {1, 2, 3};
    ml_matrix w = {.rows = 1, .cols = 3, .data = wide};
    ml_kmeans_assign(&m, &w, assign, dist);
    assert_int_equal(assign[0], -1);
    assert_true(isnan(dist[0]));
    ml_kmeans_clear(&m);
}

/* An empty cluster keeps its centroid: a start far from every row never
 * wins one and is still there at the end. */
static void empty_cluster_keeps_its_centroid(void **state)
{
    (void)state;
    double rows[] = {0, 0, 1, 0, 10, 0, 11, 0};
    double start[] = {0, 0, 10, 0, 500, 500};
    ml_matrix x = {.rows = 4, .cols = 2, .data = rows};
    ml_kmeans_params p = {.k = 3, .iterations = 10, .initial = start};
    ml_kmeans m;
    wf_error err = {0};
    assert_int_equal(ml_kmeans_fit(&x, &p, NULL, &m, &err), 0);
    assert_float_equal(m.centroids[0], 0.5, 1e-12);
    assert_float_equal(m.centroids[2], 10.5, 1e-12);
    assert_float_equal(m.centroids[4], 500, 0);
    assert_float_equal(m.centroids[5], 500, 0);
    ml_kmeans_clear(&m);
}

/* ---- cancellation and bad input ------------------------------------------- */

static volatile sig_atomic_t cancel_flag;

static void cancelled_fits_stop(void **state)
{
    (void)state;
    ml_matrix x = iris();
    ml_env env = {.cancel = &cancel_flag};
    cancel_flag = 1;
    ml_kmeans_params p = {.k = 3, .iterations = 10};
    ml_kmeans m;
    wf_error err = {0};
    assert_int_equal(ml_kmeans_fit(&x, &p, &env, &m, &err), WF_ECANCELED);
    assert_contains(err.message, "cancelled while seeding");
    assert_null(m.centroids);
    p.initial = x.data;
    wf_error_clear(&err);
    assert_int_equal(ml_kmeans_fit(&x, &p, &env, &m, &err), WF_ECANCELED);
    assert_contains(err.message, "cancelled after 0 iterations");
    cancel_flag = 0;
    assert_int_equal(ml_kmeans_fit(&x, &p, &env, &m, &err), 0);
    ml_kmeans_clear(&m);
    ml_matrix_clear(&x);
}

static void bad_input_is_refused_clearly(void **state)
{
    (void)state;
    double rows[] = {1, 2, 3, 4, 5, 6};
    ml_matrix x = {.rows = 3, .cols = 2, .data = rows};
    ml_kmeans m;
    wf_error err = {0};
    ml_kmeans_params p = {.k = 5, .iterations = 10};
    assert_int_equal(ml_kmeans_fit(&x, &p, NULL, &m, &err), WF_EINVAL);
    assert_contains(err.message, "k = 5 clusters but only 3 rows");
    p.k = 0;
    wf_error_clear(&err);
    assert_int_equal(ml_kmeans_fit(&x, &p, NULL, &m, &err), WF_EINVAL);
    assert_contains(err.message, "k must be at least 1");
    p.k = 2;
    p.iterations = 0;
    wf_error_clear(&err);
    assert_int_equal(ml_kmeans_fit(&x, &p, NULL, &m, &err), WF_EINVAL);
    assert_contains(err.message, "iterations");
    p.iterations = 10;
    rows[3] = NAN;
    wf_error_clear(&err);
    assert_int_equal(ml_kmeans_fit(&x, &p, NULL, &m, &err), WF_EINVAL);
    assert_contains(err.message, "row 2, feature 2 is missing");
    rows[3] = 4;
    ml_matrix empty = {.rows = 0, .cols = 2};
    wf_error_clear(&err);
    assert_int_equal(ml_kmeans_fit(&empty, &p, NULL, &m, &err), WF_EINVAL);
    assert_contains(err.message, "no rows");
    double start[] = {0, 0, INFINITY, 0};
    p.initial = start;
    wf_error_clear(&err);
    assert_int_equal(ml_kmeans_fit(&x, &p, NULL, &m, &err), WF_EINVAL);
    assert_contains(err.message, "initial centroid 2, feature 1");
    assert_null(m.centroids);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(lloyd_matches_scikit_learn_on_iris),
        cmocka_unit_test(lloyd_matches_scikit_learn_on_diabetes),
        cmocka_unit_test(lloyd_matches_scikit_learn_on_weather),
        cmocka_unit_test(plus_plus_reaches_scikit_learns_inertia),
        cmocka_unit_test(seeds_reproduce_and_differ),
        cmocka_unit_test(random_start_takes_distinct_rows),
        cmocka_unit_test(first_n_starts_from_the_first_rows),
        cmocka_unit_test(cosine_uses_normalised_means),
        cmocka_unit_test(euclidean_distances_are_not_squared),
        cmocka_unit_test(empty_cluster_keeps_its_centroid),
        cmocka_unit_test(cancelled_fits_stop),
        cmocka_unit_test(bad_input_is_refused_clearly),
    };
    /* TEST_FILTER=pattern runs only the matching tests. */
    if (getenv("TEST_FILTER") != NULL) cmocka_set_test_filter(getenv("TEST_FILTER"));
    return cmocka_run_group_tests(tests, NULL, NULL);
}
