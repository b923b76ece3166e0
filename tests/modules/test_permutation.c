/*
 * test_permutation.c: Permutation Feature Importance. The ranking is
 * checked against sklearn.inspection.permutation_importance on the same
 * model's predictions (the weft model's weights, wrapped as a scikit-learn
 * estimator), the scores' scale against it, a feature the model gives no
 * weight scores exactly 0, the output's order and schema, independence from
 * the thread count, and every bad input.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "selection_test.h"

#define PFI "permutation-feature-importance@1"

/* The feature importance table (the caller frees it). */
static tbl_table *importance(json_t *model, const tbl_table *t, const char *params)
{
    mod_ctx ctx;
    mt_ok(&ctx, st_run(&ctx, PFI, params, model, t, NULL));
    tbl_table *out = mt_take_table(&ctx, 0);
    mod_ctx_clear(&ctx);
    return out;
}

/* Writes the test rows, the importance table and the linear model's weights
 * and bias (weights.json), and runs script (mt_python_check). */
static void check_in_python(const tbl_table *t, const tbl_table *imp, const json_t *model,
                            const char *script)
{
    char dir[64], path[128];
    mt_mkdtemp(dir, sizeof dir);
    mt_write_csv(dir, "test", t);
    mt_write_csv(dir, "importance", imp);
    const json_t *state = json_object_get(model, "state");
    json_t *features = json_array();
    size_t i;
    const json_t *c;
    json_array_foreach(json_object_get(json_object_get(model, "features"), "columns"), i, c)
        json_array_append(features, json_object_get(c, "name"));
    json_t *w = json_pack("{s:O, s:O, s:o}", "weights", json_object_get(state, "weights"), "bias",
                          json_object_get(state, "bias"), "features", features);
    char *text = json_dumps(w, JSON_REAL_PRECISION(17));
    snprintf(path, sizeof path, "%s/weights.json", dir);
    mt_write_text(path, text);
    free(text);
    json_decref(w);
    mt_python_check(dir, script);
    mt_rmtree(dir);
}

/* The estimator scikit-learn permutes: weft's linear model, as it predicts. */
#define WEFT_MODEL_PY                                                                              \
    "import json\n"                                                                                \
    "from sklearn.inspection import permutation_importance\n"                                      \
    "W = json.load(open(os.path.join(D, 'weights.json')))\n"                                       \
    "w, b, feats = np.array(W['weights'][0]), W['bias'][0], W['features']\n"                       \
    "class Weft:\n"                                                                                \
    "    def fit(self, x, y): return self\n"                                                       \
    "    def margin(self, x): return np.asarray(x, dtype=float) @ w + b\n"                         \
    "class WeftRegressor(Weft):\n"                                                                 \
    "    _estimator_type = 'regressor'\n"                                                          \
    "    def predict(self, x): return self.margin(x)\n"                                            \
    "class WeftClassifier(Weft):\n"                                                                \
    "    _estimator_type = 'classifier'\n"                                                         \
    "    classes_ = np.array([0, 1])\n"                                                            \
    "    def predict_proba(self, x):\n"                                                            \
    "        p = 1 / (1 + np.exp(-self.margin(x)))\n"                                              \
    "        return np.column_stack([1 - p, p])\n"                                                 \
    "    def predict(self, x): return (self.predict_proba(x)[:, 1] >= 0.5).astype(int)\n"          \
    "t, imp = load('test'), load('importance')\n"                                                  \
    "def compare(est, scoring, top, rel):\n"                                                       \
    "    r = permutation_importance(est, t[feats], t['y'], scoring=scoring, n_repeats=20,\n"       \
    "                               random_state=0)\n"                                             \
    "    order = [feats[i] for i in np.argsort(-r.importances_mean, kind='stable')]\n"             \
    "    if list(imp['Feature Name'][:top]) != order[:top]:\n"                                     \
    "        fail('top features %s, scikit-learn %s' % (list(imp['Feature Name'][:top]),\n"        \
    "             order[:top]))\n"                                                                 \
    "    mean = dict(zip(feats, r.importances_mean))\n"                                            \
    "    for name, score in zip(imp['Feature Name'][:top], imp['Score'][:top]):\n"                 \
    "        if abs(score - mean[name]) > rel * abs(mean[name]):\n"                                \
    "            fail('%s: weft %g, scikit-learn %g' % (name, score, mean[name]))\n"

/* Regression by RMSE: x1 > x2 > x3 matter (weights 3, -2, 0.5), x4 and x5
 * do not. The top three agree with scikit-learn, within 15%. */
static void regression_ranking_agrees_with_scikit_learn(void **state)
{
    (void)state;
    tbl_table *t = st_rows("regression", 2000, 5, 0.5, 71);
    json_t *model = mt_train("linear-regression@1", "{}", t, "y");
    tbl_table *imp =
        importance(model, t, "{\"metric_for_measuring_performance\": \"root-mean-squared-error\"}");
    assert_int_equal(imp->nrows, 5);
    assert_string_equal(imp->cols[0].name, "Feature Name");
    assert_string_equal(imp->cols[1].name, "Score");
    check_in_python(t, imp, model,
                    WEFT_MODEL_PY
                    "compare(WeftRegressor(), 'neg_root_mean_squared_error', 3, 0.15)\n"
                    "print('OK')\n");
    tbl_free(imp);
    json_decref(model);
    tbl_free(t);
}

/* Two classes by AUC and by accuracy, logistic regression. */
static void classification_ranking_agrees_with_scikit_learn(void **state)
{
    (void)state;
    tbl_table *t = st_rows("binary", 3000, 4, 0.2, 73);
    json_t *model =
        mt_train("two-class-logistic-regression@1",
                 "{\"l1_regularization_weight\": 0, \"l2_regularization_weight\": 1}", t, "y");
    tbl_table *auc =
        importance(model, t, "{\"metric_for_measuring_performance\": \"auc\", \"random_seed\": 5}");
    check_in_python(t, auc, model,
                    WEFT_MODEL_PY "compare(WeftClassifier(), 'roc_auc', 3, 0.25)\nprint('OK')\n");
    tbl_table *acc = importance(model, t, "{}");
    check_in_python(t, acc, model,
                    WEFT_MODEL_PY "compare(WeftClassifier(), 'accuracy', 2, 0.3)\nprint('OK')\n");
    tbl_free(acc);
    tbl_free(auc);
    json_decref(model);
    tbl_free(t);
}

/* A feature whose weight L1 drove to exactly zero changes no prediction:
 * its score is exactly 0. Scores come most important first, and a
 * categorical feature is one row, however many indicators it has. */
static void unused_feature_scores_zero_and_rows_are_sorted(void **state)
{
    (void)state;
    wf_buf b = {0};
    wf_buf_puts(&b, "x1,noise,colour,y\n");
    wf_rng rng = {.state = 3};
    for (int i = 0; i < 400; i++) {
        double x = wf_rng_normal(&rng), z = wf_rng_normal(&rng);
        int y = wf_rng_uniform(&rng) < 1 / (1 + exp(-3 * x));
        wf_buf_printf(&b, "%.17g,%.17g,%s,%d\n", x, 0.01 * z, i % 3 ? "red" : "blue", y);
    }
    tbl_table *t = mt_csv(b.data);
    wf_buf_free(&b);
    json_t *model =
        mt_train("two-class-logistic-regression@1",
                 "{\"l1_regularization_weight\": 5, \"l2_regularization_weight\": 0}", t, "y");
    /* Which weights did L1 zero? */
    const json_t *w =
        json_array_get(json_object_get(json_object_get(model, "state"), "weights"), 0);
    assert_true(json_number_value(json_array_get(w, 0)) != 0);
    assert_true(json_number_value(json_array_get(w, 1)) == 0);
    tbl_table *imp = importance(model, t, "{\"metric_for_measuring_performance\": \"log-loss\"}");
    assert_int_equal(imp->nrows, 3);
    const tbl_column *names = &imp->cols[0], *scores = &imp->cols[1];
    bool seen_noise = false;
    for (size_t r = 0; r < 3; r++) {
        size_t len;
        const char *name = tbl_strings_at(&names->str, r, &len);
        if (r == 0) assert_true(len == 2 && memcmp(name, "x1", 2) == 0);
        if (r > 0) assert_true(scores->v.f64[r] <= scores->v.f64[r - 1]);
        if (len == 5 && memcmp(name, "noise", 5) == 0) {
            assert_true(scores->v.f64[r] == 0);
            seen_noise = true;
        }
    }
    assert_true(seen_noise);
    assert_true(scores->v.f64[0] > 0.1);
    tbl_free(imp);
    json_decref(model);
    tbl_free(t);
}

/* The same scores with one thread or several, trees included; another seed
 * gives other permutations. */
static void results_do_not_depend_on_the_thread_count(void **state)
{
    (void)state;
    tbl_table *t = st_rows("multiclass", 500, 4, 0.3, 79);
    json_t *model = mt_train("multiclass-boosted-decision-tree@1",
                             "{\"number_of_trees_constructed\": 10}", t, "y");
    const char *params = "{\"metric_for_measuring_performance\": \"log-loss\", "
                         "\"random_seed\": 11}";
    setenv("OMP_NUM_THREADS", "1", 1);
    tbl_table *one = importance(model, t, params);
    setenv("OMP_NUM_THREADS", "4", 1);
    tbl_table *many = importance(model, t, params);
    unsetenv("OMP_NUM_THREADS");
    mt_assert_tables_equal(one, many);
    tbl_table *other = importance(model, t,
                                  "{\"metric_for_measuring_performance\": \"log-loss\", "
                                  "\"random_seed\": 12}");
    bool differ = false;
    for (size_t r = 0; r < one->nrows; r++)
        differ = differ || one->cols[1].v.f64[r] != other->cols[1].v.f64[r];
    assert_true(differ);
    tbl_free(other);
    tbl_free(one);
    tbl_free(many);
    json_decref(model);
    tbl_free(t);
}

/* ---- bad input ---------------------------------------------------------------------------- */

static void bad_inputs_fail_with_clear_messages(void **state)
{
    (void)state;
    tbl_table *t = st_rows("binary", 100, 3, 0.5, 83);
    json_t *model = mt_train("two-class-logistic-regression@1", "{}", t, "y");
    /* The label missing from the test data. */
    tbl_table *unlabelled = NULL;
    assert_int_equal(tbl_clone(t, &unlabelled, NULL), 0);
    tbl_drop_column(unlabelled, (size_t)tbl_find_column(unlabelled, "y"));
    st_assert_fails(PFI, "{}", model, unlabelled, NULL, "the test data has no label column \"y\"");
    /* A feature missing from the test data. */
    tbl_table *narrow = NULL;
    assert_int_equal(tbl_clone(t, &narrow, NULL), 0);
    tbl_drop_column(narrow, (size_t)tbl_find_column(narrow, "x2"));
    st_assert_fails(PFI, "{}", model, narrow, NULL, "no column \"x2\"");
    /* Metrics that do not fit the model. */
    char *msg = st_error(PFI, "{\"metric_for_measuring_performance\": \"mean-absolute-error\"}",
                         model, t, NULL);
    mt_assert_contains(msg, "metric_for_measuring_performance");
    mt_assert_contains(msg, "measures regression, but the model is a two-class classifier");
    free(msg);
    json_t *regression = mt_train("linear-regression@1", "{}", t, "y");
    st_assert_fails(PFI, "{\"metric_for_measuring_performance\": \"accuracy\"}", regression, t,
                    NULL, "measures classifiers, but the model is a regression model");
    tbl_table *three = st_rows("multiclass", 90, 3, 0.5, 5);
    json_t *multi = mt_train("multiclass-logistic-regression@1", "{}", three, "y");
    st_assert_fails(PFI, "{\"metric_for_measuring_performance\": \"auc\"}", multi, three, NULL,
                    "\"auc\" needs a two-class model");
    /* A learner instead of a model; nothing at all. */
    json_t *learner = mt_learner("two-class-logistic-regression@1", "{}");
    mod_ctx ctx;
    assert_true(st_run(&ctx, PFI, "{}", learner, t, NULL) < 0);
    assert_true(ctx.err.message[0] != '\0');
    mod_ctx_clear(&ctx);
    st_assert_fails(PFI, "{}", NULL, t, NULL, "input \"trained_model\" is missing");
    json_decref(learner);
    json_decref(multi);
    tbl_free(three);
    json_decref(regression);
    tbl_free(narrow);
    tbl_free(unlabelled);
    json_decref(model);
    tbl_free(t);
}

/* Configure gives the fixed schema and checks the metric. */
static void configure_gives_feature_name_and_score(void **state)
{
    (void)state;
    mod_ctx ctx;
    mod_value in[2] = {{.kind = MOD_MODEL}, {.kind = MOD_TABLE}};
    mt_ok(&ctx, mt_run_inputs(&ctx, PFI, "{}", in, 2, true));
    const tbl_table *schema = mt_table(&ctx, 0);
    assert_int_equal(schema->ncols, 2);
    assert_string_equal(schema->cols[0].name, "Feature Name");
    assert_int_equal(schema->cols[0].type, TBL_STRING);
    assert_string_equal(schema->cols[1].name, "Score");
    assert_int_equal(schema->cols[1].type, TBL_NUMERIC);
    mod_ctx_clear(&ctx);
    assert_true(mt_run_inputs(&ctx, PFI, "{\"metric_for_measuring_performance\": \"speed\"}", in, 2,
                              true) < 0);
    assert_non_null(mt_field_error(&ctx, "metric_for_measuring_performance"));
    mod_ctx_clear(&ctx);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(regression_ranking_agrees_with_scikit_learn),
        cmocka_unit_test(classification_ranking_agrees_with_scikit_learn),
        cmocka_unit_test(unused_feature_scores_zero_and_rows_are_sorted),
        cmocka_unit_test(results_do_not_depend_on_the_thread_count),
        cmocka_unit_test(bad_inputs_fail_with_clear_messages),
        cmocka_unit_test(configure_gives_feature_name_and_score),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
