/*
 * test_peers.c: each learner against its Python peer (scikit-learn or
 * xgboost, through /usr/bin/python3 and tests/peers/peers.py) on the same
 * train/test split of a sample dataset, with the tolerances:
 *
 *   linear regression (OLS)   coefficients within 1e-6 relative, same R²
 *   logistic regression       AUC within 0.005
 *   boosted trees             AUC / R² within 0.01
 *   forests and SVM           within 0.02
 *   k-means                   the same assignments from the same start
 *
 * weft's side runs the real modules: the learner, Split Data, Train Model,
 * Score Model and Evaluate Model. The peer gets the exact feature matrices
 * weft's Train Model built (written out from the model's feature encoding),
 * so the comparison is of the learners, not of two encoders.
 */
#include <jansson.h>
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

#include "module_test.h"

#define SAMPLES WEFT_TEST_DATA "/../../.cache/samples"
#define PEERS WEFT_TEST_DATA "/../peers/peers.py"

/* ---- the data ---------------------------------------------------------------------- */

/* A sample file with some columns dropped and the rows with any missing
 * value removed (so the peer, which has no imputation here, sees the same
 * rows). */
static tbl_table *load_sample(const char *file, const char *const *drop)
{
    char path[512];
    snprintf(path, sizeof path, "%s/%s", SAMPLES, file);
    tbl_read_options opt = {0};
    tbl_table *t = NULL, *clean = NULL;
    wf_error err = {0};
    if (tbl_read_file(path, &opt, &t, &err) < 0) fail_msg("%s", err.message);
    for (size_t i = 0; drop != NULL && drop[i] != NULL; i++) {
        int j = tbl_find_column(t, drop[i]);
        assert_true(j >= 0);
        tbl_drop_column(t, (size_t)j);
    }
    bool *keep = calloc(t->nrows + 1, sizeof *keep);
    for (size_t r = 0; r < t->nrows; r++) {
        keep[r] = true;
        for (size_t j = 0; j < t->ncols; j++)
            if (tbl_is_missing(&t->cols[j], r)) keep[r] = false;
    }
    assert_int_equal(tbl_filter(t, keep, &clean, &err), 0);
    free(keep);
    tbl_free(t);
    return clean;
}

static void write_matrix(const char *path, const ml_matrix *x)
{
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    for (size_t r = 0; r < x->rows; r++)
        for (size_t j = 0; j < x->cols; j++)
            fprintf(f, "%.17g%c", x->data[r * x->cols + j], j + 1 < x->cols ? ',' : '\n');
    fclose(f);
}

/* The label of t as numbers: the value for regression, else the class index
 * among the model's classes. */
static void write_labels(const char *path, const mod__model *m, const tbl_table *t)
{
    int col = tbl_find_column(t, m->label);
    assert_true(col >= 0);
    wf_error err = {0};
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    if (m->task == ML_REGRESSION) {
        double *y = NULL;
        assert_int_equal(ml_label_numbers(t, (size_t)col, &y, &err), 0);
        for (size_t r = 0; r < t->nrows; r++)
            fprintf(f, "%.17g\n", y[r]);
        free(y);
    } else {
        int32_t *y = NULL;
        assert_int_equal(ml_label_lookup(t, (size_t)col, &m->classes, &y, &err), 0);
        for (size_t r = 0; r < t->nrows; r++) {
            assert_true(y[r] >= 0);
            fprintf(f, "%d\n", y[r]);
        }
        free(y);
    }
    fclose(f);
}

/* ---- one comparison ------------------------------------------------------------------ */

typedef struct peer_case {
    const char *file;
    const char *const *drop;
    const char *label;
    const char *learner;
    const char *params; /* the learner's parameters (JSON object) */
} peer_case;

typedef struct peer_result {
    json_t *report; /* weft's evaluation report */
    json_t *model;  /* weft's model */
    json_t *peer;   /* the peer's output */
} peer_result;

static void peer_result_clear(peer_result *r)
{
    json_decref(r->report);
    json_decref(r->model);
    json_decref(r->peer);
}

/* Runs both sides of case c. */
static peer_result run_case(const peer_case *c)
{
    peer_result res = {0};
    tbl_table *data = load_sample(c->file, c->drop);
    mod_ctx split, train, score, evaluate;
    mt_ok(&split, mt_run(&split, "split-data@1",
                         "{\"fraction\": 0.7, \"randomize\": true, \"seed\": 7}", data, false));
    tbl_table *train_rows = mt_take_table(&split, 0), *test_rows = mt_take_table(&split, 1);

    char learner_ref[128];
    snprintf(learner_ref, sizeof learner_ref, "%s@1", c->learner);
    json_t *learner_json = mt_learner(learner_ref, c->params);

    char params[256];
    snprintf(params, sizeof params, "{\"label_column\": \"%s\"}", c->label);
    mod_value train_in[2] = {{.kind = MOD_LEARNER, .json = learner_json},
                             {.kind = MOD_TABLE, .table = train_rows}};
    mt_ok(&train, mt_run_inputs(&train, "train-model@1", params, train_in, 2, false));
    res.model = mt_take_json(&train, 0);

    mod_value score_in[2] = {{.kind = MOD_MODEL, .json = res.model},
                             {.kind = MOD_TABLE, .table = test_rows}};
    mt_ok(&score, mt_run_inputs(&score, "score-model@1", "{}", score_in, 2, false));
    tbl_table *scored = mt_take_table(&score, 0);
    mod_value eval_in[1] = {{.kind = MOD_TABLE, .table = scored}};
    mt_ok(&evaluate, mt_run_inputs(&evaluate, "evaluate-model@1", "{}", eval_in, 1, false));
    res.report = mt_take_json(&evaluate, 0);

    /* The peer's side, on the matrices weft built. */
    char dir[64];
    mt_mkdtemp(dir, sizeof dir);
    mod__model m;
    mod_ctx reader = {0};
    assert_int_equal(mod_ctx_init(&reader, mod_find("score-model@1"), NULL), 0);
    if (mod__model_from_json(&reader, res.model, &m) < 0) fail_msg("%s", reader.err.message);
    const char *names[2][2] = {{"x_train.csv", "y_train.csv"}, {"x_test.csv", "y_test.csv"}};
    const tbl_table *parts[2] = {train_rows, test_rows};
    for (int i = 0; i < 2; i++) {
        ml_matrix x = {0};
        wf_error err = {0};
        if (ml_features_matrix(&m.features, parts[i], &x, &err) < 0) fail_msg("%s", err.message);
        char path[600];
        snprintf(path, sizeof path, "%s/%s", dir, names[i][0]);
        write_matrix(path, &x);
        snprintf(path, sizeof path, "%s/%s", dir, names[i][1]);
        write_labels(path, &m, parts[i]);
        ml_matrix_clear(&x);
    }
    char *peer_params = json_dumps(json_object_get(m.learner, "params"), JSON_COMPACT);
    char cmd[4096];
    snprintf(cmd, sizeof cmd, "/usr/bin/python3 %s %s '%s' %s", PEERS, c->learner, peer_params,
             dir);
    free(peer_params);
    char *printed = mt_capture(cmd);
    res.peer = json_loads(printed, 0, NULL);
    if (res.peer == NULL) fail_msg("the peer printed no JSON: %s", printed);
    free(printed);

    mt_rmtree(dir);
    mod__model_clear(&m);
    mod_ctx_clear(&reader);
    mod_ctx_clear(&split);
    mod_ctx_clear(&train);
    mod_ctx_clear(&score);
    mod_ctx_clear(&evaluate);
    json_decref(learner_json);
    tbl_free(scored);
    tbl_free(train_rows);
    tbl_free(test_rows);
    tbl_free(data);
    return res;
}

static double metric(const peer_result *r, const char *name)
{
    const json_t *m =
        json_object_get(json_array_get(json_object_get(r->report, "models"), 0), "metrics");
    const json_t *v = json_object_get(m, name);
    if (!json_is_number(v)) fail_msg("the report has no number %s", name);
    return json_number_value(v);
}

static double peer(const peer_result *r, const char *name)
{
    const json_t *v = json_object_get(r->peer, name);
    if (!json_is_number(v)) fail_msg("the peer has no number %s", name);
    return json_number_value(v);
}

/* Asserts |weft - peer| <= tol, printing both so a failure reads clearly. */
static void close_to(const char *what, double ours, double theirs, double tol)
{
    print_message("    %-44s weft %.6f  peer %.6f  (tolerance %g)\n", what, ours, theirs, tol);
    if (!(fabs(ours - theirs) <= tol))
        fail_msg("%s differs: weft %.9g, peer %.9g", what, ours, theirs);
}

/* ---- regression ---------------------------------------------------------------------- */

static const char *const cars_drop[] = {"Name", NULL};

/* OLS (no penalty) on cpu.arff's numeric features: the same coefficients as
 * scikit-learn's LinearRegression to 1e-6 relative, and the same R². */
static void ols_matches_scikit_learn_coefficients(void **state)
{
    (void)state;
    peer_case c = {"cpu.arff", NULL, "class", "linear-regression",
                   "{\"l2_regularization_weight\": 0}"};
    peer_result r = run_case(&c);
    const json_t *w =
        json_array_get(json_object_get(json_object_get(r.model, "state"), "weights"), 0);
    const json_t *coef = json_object_get(r.peer, "coef");
    assert_int_equal(json_array_size(w), json_array_size(coef));
    for (size_t j = 0; j < json_array_size(w); j++) {
        double a = json_number_value(json_array_get(w, j));
        double b = json_number_value(json_array_get(coef, j));
        if (fabs(a - b) > 1e-6 * fmax(1, fabs(b)))
            fail_msg("coefficient %zu: weft %.12g, scikit-learn %.12g", j, a, b);
    }
    double bias = json_number_value(
        json_array_get(json_object_get(json_object_get(r.model, "state"), "bias"), 0));
    close_to("intercept", bias, peer(&r, "intercept"), 1e-6 * fmax(1, fabs(bias)));
    close_to("cpu: R^2, OLS vs LinearRegression", metric(&r, "coefficient_of_determination"),
             peer(&r, "r2"), 1e-9);
    peer_result_clear(&r);
}

/* Ridge with Azure's default L2 on cars (one-hot Origin, a datetime Year). */
static void ridge_matches_scikit_learn_on_cars(void **state)
{
    (void)state;
    peer_case c = {"cars.json", cars_drop, "Miles_per_Gallon", "linear-regression", "{}"};
    peer_result r = run_case(&c);
    const json_t *w =
        json_array_get(json_object_get(json_object_get(r.model, "state"), "weights"), 0);
    const json_t *coef = json_object_get(r.peer, "coef");
    assert_int_equal(json_array_size(w), json_array_size(coef));
    for (size_t j = 0; j < json_array_size(w); j++) {
        double a = json_number_value(json_array_get(w, j));
        double b = json_number_value(json_array_get(coef, j));
        if (fabs(a - b) > 1e-6 * fmax(1, fabs(b)))
            fail_msg("coefficient %zu: weft %.12g, scikit-learn %.12g", j, a, b);
    }
    close_to("cars: R^2, ridge vs Ridge", metric(&r, "coefficient_of_determination"),
             peer(&r, "r2"), 1e-9);
    peer_result_clear(&r);
}

static void boosted_regression_matches_xgboost_on_cars(void **state)
{
    (void)state;
    peer_case c = {"cars.json", cars_drop, "Miles_per_Gallon", "boosted-decision-tree-regression",
                   "{}"};
    peer_result r = run_case(&c);
    close_to("cars: R^2, boosted trees vs xgboost", metric(&r, "coefficient_of_determination"),
             peer(&r, "r2"), 0.01);
    peer_result_clear(&r);
}

static void forest_regression_matches_random_forest_on_cars(void **state)
{
    (void)state;
    peer_case c = {"cars.json", cars_drop, "Miles_per_Gallon", "decision-forest-regression",
                   "{\"number_of_decision_trees\": 100, \"resampling_method\": \"bagging\"}"};
    peer_result r = run_case(&c);
    close_to("cars: R^2, forest vs RandomForestRegressor",
             metric(&r, "coefficient_of_determination"), peer(&r, "r2"), 0.02);
    peer_result_clear(&r);
}

/* ---- two classes ----------------------------------------------------------------------- */

static const char *const binary_files[][2] = {{"credit-g.arff", "class"},
                                              {"diabetes.arff", "class"}};

static void binary_case(const char *learner, const char *params, double tol, const char *what)
{
    for (size_t i = 0; i < 2; i++) {
        peer_case c = {binary_files[i][0], NULL, binary_files[i][1], learner, params};
        peer_result r = run_case(&c);
        char label[160];
        snprintf(label, sizeof label, "%s: AUC, %s", binary_files[i][0], what);
        close_to(label, metric(&r, "auc"), peer(&r, "auc"), tol);
        peer_result_clear(&r);
    }
}

/* L2 only, as scikit-learn's LogisticRegression(C = 1 / l2). */
static void logistic_regression_matches_scikit_learn(void **state)
{
    (void)state;
    binary_case("two-class-logistic-regression",
                "{\"l1_regularization_weight\": 0, \"l2_regularization_weight\": 1, "
                "\"optimization_tolerance\": 1e-10}",
                0.005, "logistic regression vs LogisticRegression");
}

static void boosted_trees_match_xgboost(void **state)
{
    (void)state;
    binary_case("two-class-boosted-decision-tree", "{}", 0.01, "boosted trees vs xgboost");
}

static void forest_matches_random_forest(void **state)
{
    (void)state;
    binary_case("two-class-decision-forest",
                "{\"number_of_decision_trees\": 100, \"maximum_depth_of_the_decision_trees\": 32}",
                0.02, "forest vs RandomForestClassifier");
}

static void svm_matches_linear_svc(void **state)
{
    (void)state;
    binary_case("two-class-support-vector-machine", "{\"lambda\": 0.001}", 0.02,
                "SVM vs LinearSVC");
}

/* ---- several classes ---------------------------------------------------------------------- */

/* Soybean (19 classes, 35 nominal features): large enough that one test row
 * is worth less than half a tolerance step. */
static void multiclass_case(const char *learner, const char *params, double tol, const char *what)
{
    peer_case c = {"soybean.arff", NULL, "class", learner, params};
    peer_result r = run_case(&c);
    char label[160];
    snprintf(label, sizeof label, "soybean: accuracy, %s", what);
    close_to(label, metric(&r, "overall_accuracy"), peer(&r, "accuracy"), tol);
    peer_result_clear(&r);
}

static void multiclass_learners_match_their_peers(void **state)
{
    (void)state;
    multiclass_case("multiclass-logistic-regression",
                    "{\"l1_regularization_weight\": 0, \"l2_regularization_weight\": 1, "
                    "\"optimization_tolerance\": 1e-10}",
                    0.005, "multinomial logistic regression");
    multiclass_case("multiclass-boosted-decision-tree", "{}", 0.01, "boosted trees vs xgboost");
    multiclass_case("multiclass-decision-forest", "{\"number_of_decision_trees\": 50}", 0.02,
                    "forest vs RandomForestClassifier");
}

/* ---- k-means ---------------------------------------------------------------------------- */

/* First N from the same rows, min-max scaled on both sides: scikit-learn's
 * Lloyd iterations end in the same assignments. */
static void kmeans_assigns_as_scikit_learn_does(void **state)
{
    (void)state;
    tbl_table *data = load_sample("diabetes.arff", NULL);
    tbl_drop_column(data, (size_t)tbl_find_column(data, "class"));
    mod_ctx train;
    json_t *learner_json = mt_learner(
        "k-means-clustering@1", "{\"number_of_centroids\": 3, \"initialization\": \"first-n\"}");
    mod_value in[2] = {{.kind = MOD_LEARNER, .json = learner_json},
                       {.kind = MOD_TABLE, .table = data}};
    mt_ok(&train,
          mt_run_inputs(&train, "train-clustering-model@1",
                        "{\"column_set\": {\"include\": [{\"all\": true}]}}", in, 2, false));
    const tbl_table *results = train.outputs[1].table;
    int a = tbl_find_column(results, "Assignments");
    assert_true(a >= 0);

    char dir[64];
    mt_mkdtemp(dir, sizeof dir);
    mod__model m;
    mod_ctx reader = {0};
    assert_int_equal(mod_ctx_init(&reader, mod_find("score-model@1"), NULL), 0);
    if (mod__model_from_json(&reader, train.outputs[0].json, &m) < 0)
        fail_msg("%s", reader.err.message);
    ml_matrix x = {0};
    wf_error err = {0};
    assert_int_equal(ml_features_matrix(&m.features, data, &x, &err), 0);
    char path[600], cmd[1024];
    const char *files[] = {"x_train.csv", "x_test.csv"};
    for (int i = 0; i < 2; i++) {
        snprintf(path, sizeof path, "%s/%s", dir, files[i]);
        write_matrix(path, &x);
    }
    const char *yfiles[] = {"y_train.csv", "y_test.csv"};
    for (int i = 0; i < 2; i++) {
        snprintf(path, sizeof path, "%s/%s", dir, yfiles[i]);
        FILE *f = fopen(path, "w");
        for (size_t r = 0; r < x.rows; r++)
            fputs("0\n", f);
        fclose(f);
    }
    snprintf(cmd, sizeof cmd,
             "/usr/bin/python3 %s k-means-clustering '{\"number_of_centroids\": 3, "
             "\"iterations\": 100}' %s",
             PEERS, dir);
    char *printed = mt_capture(cmd);
    json_t *peer_out = json_loads(printed, 0, NULL);
    free(printed);
    assert_non_null(peer_out);
    const json_t *labels = json_object_get(peer_out, "assignments");
    assert_int_equal(json_array_size(labels), results->nrows);
    size_t differ = 0;
    for (size_t r = 0; r < results->nrows; r++)
        differ += results->cols[a].v.i64[r] != json_integer_value(json_array_get(labels, r));
    print_message("    diabetes: k-means assignments differing from scikit-learn: %zu of %zu\n",
                  differ, results->nrows);
    assert_int_equal(differ, 0);

    mt_rmtree(dir);
    json_decref(peer_out);
    ml_matrix_clear(&x);
    mod__model_clear(&m);
    mod_ctx_clear(&reader);
    mod_ctx_clear(&train);
    json_decref(learner_json);
    tbl_free(data);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(ols_matches_scikit_learn_coefficients),
        cmocka_unit_test(ridge_matches_scikit_learn_on_cars),
        cmocka_unit_test(boosted_regression_matches_xgboost_on_cars),
        cmocka_unit_test(forest_regression_matches_random_forest_on_cars),
        cmocka_unit_test(logistic_regression_matches_scikit_learn),
        cmocka_unit_test(boosted_trees_match_xgboost),
        cmocka_unit_test(forest_matches_random_forest),
        cmocka_unit_test(svm_matches_linear_svc),
        cmocka_unit_test(multiclass_learners_match_their_peers),
        cmocka_unit_test(kmeans_assigns_as_scikit_learn_does),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
