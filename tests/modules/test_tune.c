/*
 * test_tune.c: Tune Model Hyperparameters. The grid is checked against
 * scikit-learn: on a validation set (each run's log loss against
 * LogisticRegression at C = 1 / L2, and the same best value) and
 * cross-validated (GridSearchCV on the same predefined folds). On the sample
 * datasets the tuned model is at least as good as the learner's defaults,
 * whose sweep row equals what Train, Score and Evaluate Model give. Random
 * sweeps draw distinct combinations per seed; results do not depend on the
 * thread count; and every bad input fails with a message naming it.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "selection_test.h"

#define TUNE "tune-model-hyperparameters@1"
#define SAMPLES WEFT_TEST_DATA "/../../.cache/samples"

/* Two-class logistic regression sweeping the L2 weight alone. */
#define LOGISTIC_L2_GRID                                                                           \
    "{\"create_trainer_mode\": \"parameter-range\", \"l1_regularization_weight_range\": \"0\", "   \
    "\"l2_regularization_weight_range\": \"0.01; 0.1; 1; 10; 100; 1000\", "                        \
    "\"optimization_tolerance_range\": \"1e-10\", \"memory_size_for_l_bfgs_range\": \"20\"}"

/* Rows [lo, hi) of t. */
static tbl_table *rows_between(const tbl_table *t, size_t lo, size_t hi)
{
    size_t *rows = malloc((hi - lo) * sizeof *rows);
    for (size_t r = lo; r < hi; r++)
        rows[r - lo] = r;
    tbl_table *out = NULL;
    assert_int_equal(tbl_take(t, rows, hi - lo, &out, NULL), 0);
    free(rows);
    return out;
}

/* Rows r with r % every == 0 (pick) or the others. */
static tbl_table *every_nth(const tbl_table *t, size_t every, bool pick)
{
    bool *keep = calloc(t->nrows + 1, sizeof *keep);
    for (size_t r = 0; r < t->nrows; r++)
        keep[r] = (r % every == 0) == pick;
    tbl_table *out = NULL;
    assert_int_equal(tbl_filter(t, keep, &out, NULL), 0);
    free(keep);
    return out;
}

/* Runs the sweep; ctx holds sweep_results and trained_best_model. */
static void tune(mod_ctx *ctx, json_t *learner, const tbl_table *train, const tbl_table *valid,
                 const char *params)
{
    mt_ok(ctx, st_run(ctx, TUNE, params, learner, train, valid));
}

static void check_in_python(const tbl_table *train, const tbl_table *valid, const tbl_table *sweep,
                            const char *script)
{
    char dir[64];
    mt_mkdtemp(dir, sizeof dir);
    mt_write_csv(dir, "train", train);
    if (valid != NULL) mt_write_csv(dir, "valid", valid);
    mt_write_csv(dir, "sweep", sweep);
    mt_python_check(dir, script);
    mt_rmtree(dir);
}

#define CLOSE_PY                                                                                   \
    "def close(a, b, tol, what):\n"                                                                \
    "    if not (abs(a - b) <= tol): fail('%s: weft %.15g, expected %.15g' % (what, a, b))\n"

/* ---- against scikit-learn ---------------------------------------------------------- */

/* On a validation set: each run's log loss is scikit-learn's for the same
 * L2 weight, the runs come best first, and the best is scikit-learn's best.
 * The best model is the best learner trained on the whole training set. */
static void grid_on_validation_set_finds_scikit_learns_best(void **state)
{
    (void)state;
    tbl_table *all = st_rows("binary", 560, 10, 1.0, 41);
    tbl_table *train = rows_between(all, 0, 60), *valid = rows_between(all, 60, 560);
    json_t *learner = mt_learner("two-class-logistic-regression@1", LOGISTIC_L2_GRID);
    mod_ctx ctx;
    tune(&ctx, learner, train, valid,
         "{\"label_column\": \"y\", \"specify_parameter_sweeping_mode\": \"entire-grid\", "
         "\"metric_for_measuring_performance_for_classification\": \"log-loss\"}");
    const tbl_table *sweep = mt_table(&ctx, 0);
    assert_int_equal(sweep->nrows, 6);
    const char *want[] = {"optimization_tolerance",
                          "l1_regularization_weight",
                          "l2_regularization_weight",
                          "memory_size_for_l_bfgs",
                          "Accuracy",
                          "Precision",
                          "Recall",
                          "F-Score",
                          "AUC",
                          "Log Loss"};
    assert_int_equal(sweep->ncols, 10);
    for (size_t j = 0; j < 10; j++)
        assert_string_equal(sweep->cols[j].name, want[j]);
    assert_int_equal(mt_column(sweep, "memory_size_for_l_bfgs")->type, TBL_INTEGER);
    check_in_python(
        train, valid, sweep,
        "from sklearn.linear_model import LogisticRegression\n"
        "from sklearn.metrics import log_loss\n" CLOSE_PY
        "tr, va, sw = load('train'), load('valid'), load('sweep')\n"
        "feats = [c for c in tr.columns if c.startswith('x')]\n"
        "res = {}\n"
        "for i, l2 in enumerate(sw['l2_regularization_weight']):\n"
        "    m = LogisticRegression(C=1 / l2, tol=1e-10, max_iter=100000).fit(tr[feats], tr['y'])\n"
        "    res[l2] = log_loss(va['y'], m.predict_proba(va[feats])[:, 1])\n"
        "    close(sw['Log Loss'][i], res[l2], 2e-3 * res[l2], 'log loss at L2 %g' % l2)\n"
        "if sw['l2_regularization_weight'][0] != min(res, key=res.get):\n"
        "    fail('best L2 %g, scikit-learn %g' % (sw['l2_regularization_weight'][0],\n"
        "         min(res, key=res.get)))\n"
        "if not sw['Log Loss'].is_monotonic_increasing: fail('runs are not best first')\n"
        "if sw['l2_regularization_weight'][0] in (0.01, 1000): fail('the best is at an edge')\n"
        "print('OK')\n");
    /* The best model is Train Model's on the best learner. */
    double best = mt_cell(mt_column(sweep, "l2_regularization_weight"), 0);
    char params[256];
    snprintf(params, sizeof params,
             "{\"l1_regularization_weight\": 0, \"l2_regularization_weight\": %.17g, "
             "\"optimization_tolerance\": 1e-10}",
             best);
    json_t *direct = mt_learner("two-class-logistic-regression@1", params);
    mod_ctx trained;
    mod_value in[2] = {{.kind = MOD_LEARNER, .json = direct}, {.kind = MOD_TABLE, .table = train}};
    mt_ok(&trained,
          mt_run_inputs(&trained, "train-model@1", "{\"label_column\": \"y\"}", in, 2, false));
    const json_t *model = mt_json(&ctx, 1);
    assert_true(json_equal(json_object_get(model, "state"),
                           json_object_get(mt_json(&trained, 0), "state")));
    const json_t *lp = json_object_get(json_object_get(model, "learner"), "params");
    assert_string_equal(json_string_value(json_object_get(lp, "create_trainer_mode")),
                        "single-parameter");
    assert_true(json_number_value(json_object_get(lp, "l2_regularization_weight")) == best);
    mod_ctx_clear(&trained);
    json_decref(direct);
    mod_ctx_clear(&ctx);
    json_decref(learner);
    tbl_free(train);
    tbl_free(valid);
    tbl_free(all);
}

/* Without a validation set each run is cross-validated: the mean log loss
 * over the folds of Partition and Sample's `Fold` column is GridSearchCV's
 * on the same predefined folds. */
static void grid_without_validation_matches_grid_search_cv(void **state)
{
    (void)state;
    tbl_table *t = st_rows("binary", 150, 8, 1.0, 43);
    int64_t *fold = malloc(t->nrows * sizeof *fold);
    for (size_t r = 0; r < t->nrows; r++)
        fold[r] = (int64_t)(r % 5) + 1;
    tbl_table *folded = st_with_integers(t, "Fold", fold, TBL_ROLE_CLEAR);
    json_t *learner = mt_learner("two-class-logistic-regression@1", LOGISTIC_L2_GRID);
    mod_ctx ctx;
    tune(&ctx, learner, folded, NULL,
         "{\"label_column\": \"y\", \"specify_parameter_sweeping_mode\": \"entire-grid\", "
         "\"metric_for_measuring_performance_for_classification\": \"log-loss\"}");
    check_in_python(
        folded, NULL, mt_table(&ctx, 0),
        "from sklearn.linear_model import LogisticRegression\n"
        "from sklearn.model_selection import GridSearchCV, PredefinedSplit\n" CLOSE_PY
        "tr, sw = load('train'), load('sweep')\n"
        "feats = [c for c in tr.columns if c.startswith('x')]\n"
        "grid = sorted(sw['l2_regularization_weight'])\n"
        "g = GridSearchCV(LogisticRegression(tol=1e-10, max_iter=100000),\n"
        "                 {'C': [1 / l2 for l2 in grid]}, scoring='neg_log_loss',\n"
        "                 cv=PredefinedSplit(tr['Fold'] - 1)).fit(tr[feats], tr['y'])\n"
        "for i, l2 in enumerate(grid):\n"
        "    want = -g.cv_results_['mean_test_score'][i]\n"
        "    got = sw[sw['l2_regularization_weight'] == l2]['Log Loss'].iloc[0]\n"
        "    close(got, want, 2e-3 * want, 'mean log loss at L2 %g' % l2)\n"
        "close(sw['l2_regularization_weight'][0], 1 / g.best_params_['C'], 1e-9, 'best L2')\n"
        "print('OK')\n");
    mod_ctx_clear(&ctx);
    json_decref(learner);
    tbl_free(folded);
    free(fold);
    tbl_free(t);
}

/* ---- at least as good as the defaults ----------------------------------------------------- */

/* Trains learner `ref` with its defaults on train, scores valid and returns
 * Evaluate Model's figure `key`. */
static double default_metric(const char *ref, const tbl_table *train, const tbl_table *valid,
                             const char *label, const char *key)
{
    json_t *learner = mt_learner(ref, "{}");
    char params[128];
    snprintf(params, sizeof params, "{\"label_column\": \"%s\"}", label);
    mod_value in[2] = {{.kind = MOD_LEARNER, .json = learner},
                       {.kind = MOD_TABLE, .table = (tbl_table *)train}};
    mod_ctx trained, scored, evaluated;
    mt_ok(&trained, mt_run_inputs(&trained, "train-model@1", params, in, 2, false));
    mod_value sin[2] = {{.kind = MOD_MODEL, .json = mt_json(&trained, 0)},
                        {.kind = MOD_TABLE, .table = (tbl_table *)valid}};
    mt_ok(&scored, mt_run_inputs(&scored, "score-model@1", "{}", sin, 2, false));
    mt_ok(&evaluated, mt_run(&evaluated, "evaluate-model@1", "{}", mt_table(&scored, 0), false));
    const json_t *m = json_object_get(
        json_array_get(json_object_get(mt_json(&evaluated, 0), "models"), 0), "metrics");
    double v = json_number_value(json_object_get(m, key));
    mod_ctx_clear(&evaluated);
    mod_ctx_clear(&scored);
    mod_ctx_clear(&trained);
    json_decref(learner);
    return v;
}

static tbl_table *load_sample(const char *file)
{
    tbl_table *t = NULL;
    wf_error err = {0};
    if (tbl_read_file(file, NULL, &t, &err) < 0) fail_msg("%s", err.message);
    return t;
}

/* The row of the sweep whose parameters are the learner's defaults. */
static size_t default_row(const tbl_table *sweep, const char *const *names, const double *values,
                          size_t n)
{
    for (size_t r = 0; r < sweep->nrows; r++) {
        bool same = true;
        for (size_t i = 0; i < n; i++)
            same = same && mt_cell(mt_column(sweep, names[i]), r) == values[i];
        if (same) return r;
    }
    fail_msg("no sweep row holds the defaults");
    return 0;
}

/* Diabetes (two classes, AUC) and cars (regression, mean absolute error): a
 * grid holding the defaults picks a model at least as good as them on the
 * validation rows, and the defaults' row is exactly what Train, Score and
 * Evaluate Model give. */
static void tuning_is_at_least_as_good_as_the_defaults_on_samples(void **state)
{
    (void)state;
    /* diabetes */
    tbl_table *d = load_sample(SAMPLES "/diabetes.arff");
    tbl_table *dtrain = every_nth(d, 3, false), *dvalid = every_nth(d, 3, true);
    json_t *logistic = mt_learner(
        "two-class-logistic-regression@1",
        "{\"create_trainer_mode\": \"parameter-range\", \"l1_regularization_weight_range\": "
        "\"0; 1\", \"l2_regularization_weight_range\": \"0.1; 1; 10\", "
        "\"optimization_tolerance_range\": \"1e-7\", \"memory_size_for_l_bfgs_range\": \"20\"}");
    mod_ctx ctx;
    tune(&ctx, logistic, dtrain, dvalid,
         "{\"label_column\": \"class\", \"specify_parameter_sweeping_mode\": \"entire-grid\", "
         "\"metric_for_measuring_performance_for_classification\": \"auc\"}");
    const tbl_table *sweep = mt_table(&ctx, 0);
    double want = default_metric("two-class-logistic-regression@1", dtrain, dvalid, "class", "auc");
    const char *lnames[] = {"l1_regularization_weight", "l2_regularization_weight"};
    double lvalues[] = {1, 1};
    size_t r = default_row(sweep, lnames, lvalues, 2);
    assert_true(fabs(mt_cell(mt_column(sweep, "AUC"), r) - want) < 1e-12);
    assert_true(mt_cell(mt_column(sweep, "AUC"), 0) >= want);
    mod_ctx_clear(&ctx);
    json_decref(logistic);
    /* cars, without the names */
    tbl_table *c = load_sample(SAMPLES "/cars.json");
    c->cols[tbl_find_column(c, "Name")].role = TBL_ROLE_CLEAR;
    tbl_table *ctrain = every_nth(c, 4, false), *cvalid = every_nth(c, 4, true);
    json_t *trees = mt_learner("boosted-decision-tree-regression@1",
                               "{\"create_trainer_mode\": \"parameter-range\", "
                               "\"maximum_number_of_leaves_per_tree_range\": \"8; 20\", "
                               "\"minimum_number_of_samples_per_leaf_node_range\": \"10\", "
                               "\"learning_rate_range\": \"0.1; 0.2\", "
                               "\"number_of_trees_constructed_range\": \"100\"}");
    tune(&ctx, trees, ctrain, cvalid,
         "{\"label_column\": \"Miles_per_Gallon\", \"specify_parameter_sweeping_mode\": "
         "\"entire-grid\"}");
    sweep = mt_table(&ctx, 0);
    assert_int_equal(sweep->nrows, 4);
    want = default_metric("boosted-decision-tree-regression@1", ctrain, cvalid, "Miles_per_Gallon",
                          "mean_absolute_error");
    const char *tnames[] = {"maximum_number_of_leaves_per_tree", "learning_rate"};
    double tvalues[] = {20, 0.2};
    r = default_row(sweep, tnames, tvalues, 2);
    assert_true(fabs(mt_cell(mt_column(sweep, "Mean Absolute Error"), r) - want) < 1e-12);
    assert_true(mt_cell(mt_column(sweep, "Mean Absolute Error"), 0) <= want);
    mod_ctx_clear(&ctx);
    json_decref(trees);
    tbl_free(ctrain);
    tbl_free(cvalid);
    tbl_free(c);
    tbl_free(dtrain);
    tbl_free(dvalid);
    tbl_free(d);
}

/* ---- random sweeps and threads ------------------------------------------------------------ */

#define TREES_GRID                                                                                 \
    "{\"create_trainer_mode\": \"parameter-range\", "                                              \
    "\"maximum_number_of_leaves_per_tree_range\": \"4; 8\", "                                      \
    "\"minimum_number_of_samples_per_leaf_node_range\": \"5\", "                                   \
    "\"learning_rate_range\": \"0.1; 0.2; 0.4\", "                                                 \
    "\"number_of_trees_constructed_range\": \"5; 10\"}"

/* The (leaves, rate, trees) combinations of a sweep table, as numbers. */
static void combinations(const tbl_table *sweep, double *out)
{
    const char *names[] = {"maximum_number_of_leaves_per_tree", "learning_rate",
                           "number_of_trees_constructed"};
    for (size_t r = 0; r < sweep->nrows; r++)
        for (size_t i = 0; i < 3; i++)
            out[r * 3 + i] = mt_cell(mt_column(sweep, names[i]), r);
}

/* A random sweep tries the asked number of distinct combinations, the same
 * for the same seed; asking for more than the grid runs the grid once. */
static void random_sweep_draws_distinct_combinations_per_seed(void **state)
{
    (void)state;
    tbl_table *all = st_rows("binary", 200, 3, 0.5, 47);
    tbl_table *train = rows_between(all, 0, 120), *valid = rows_between(all, 120, 200);
    json_t *learner = mt_learner("two-class-boosted-decision-tree@1", TREES_GRID);
    const char *seeds[] = {"1", "1", "2"};
    double combo[3][5 * 3];
    for (size_t i = 0; i < 3; i++) {
        char params[256];
        snprintf(params, sizeof params,
                 "{\"label_column\": \"y\", \"maximum_number_of_runs_on_random_sweep\": 5, "
                 "\"random_seed\": %s, \"metric_for_measuring_performance_for_classification\": "
                 "\"auc\"}",
                 seeds[i]);
        mod_ctx ctx;
        tune(&ctx, learner, train, valid, params);
        const tbl_table *sweep = mt_table(&ctx, 0);
        assert_int_equal(sweep->nrows, 5);
        combinations(sweep, combo[i]);
        for (size_t a = 0; a < 5; a++)
            for (size_t b = 0; b < a; b++)
                assert_false(memcmp(&combo[i][a * 3], &combo[i][b * 3], 3 * sizeof(double)) == 0);
        for (size_t r = 1; r < 5; r++)
            assert_true(mt_cell(mt_column(sweep, "AUC"), r) <=
                        mt_cell(mt_column(sweep, "AUC"), r - 1));
        mod_ctx_clear(&ctx);
    }
    assert_memory_equal(combo[0], combo[1], sizeof combo[0]);
    assert_false(memcmp(combo[0], combo[2], sizeof combo[0]) == 0);
    mod_ctx ctx;
    tune(&ctx, learner, train, valid,
         "{\"label_column\": \"y\", \"maximum_number_of_runs_on_random_sweep\": 100}");
    assert_int_equal(mt_table(&ctx, 0)->nrows, 12);
    mod_ctx_clear(&ctx);
    json_decref(learner);
    tbl_free(train);
    tbl_free(valid);
    tbl_free(all);
}

/* One thread or several: the same sweep results and the same best model,
 * cross-validated XGBoost runs included. */
static void results_do_not_depend_on_the_thread_count(void **state)
{
    (void)state;
    tbl_table *rows = st_rows("binary", 150, 3, 0.5, 53);
    int64_t fold[150];
    for (size_t r = 0; r < 150; r++)
        fold[r] = (int64_t)(r % 4) + 1;
    tbl_table *t = st_with_integers(rows, "Fold", fold, TBL_ROLE_CLEAR);
    tbl_free(rows);
    json_t *learner = mt_learner("two-class-boosted-decision-tree@1", TREES_GRID);
    const char *params = "{\"label_column\": \"y\", \"maximum_number_of_runs_on_random_sweep\": "
                         "4, \"metric_for_measuring_performance_for_classification\": \"f-score\"}";
    mod_ctx one, many;
    setenv("OMP_NUM_THREADS", "1", 1);
    tune(&one, learner, t, NULL, params);
    setenv("OMP_NUM_THREADS", "4", 1);
    tune(&many, learner, t, NULL, params);
    unsetenv("OMP_NUM_THREADS");
    mt_assert_tables_equal(mt_table(&one, 0), mt_table(&many, 0));
    assert_true(json_equal(mt_json(&one, 1), mt_json(&many, 1)));
    mod_ctx_clear(&one);
    mod_ctx_clear(&many);
    json_decref(learner);
    tbl_free(t);
}

/* Several classes ranked by F-score: the macro F1, which Evaluate Model's
 * report lacks, is its own column, best first. */
static void multiclass_sweep_ranked_by_f_score_shows_it(void **state)
{
    (void)state;
    tbl_table *all = st_rows("multiclass", 240, 3, 0.5, 59);
    tbl_table *train = rows_between(all, 0, 120), *valid = rows_between(all, 120, 240);
    json_t *learner = mt_learner("multiclass-logistic-regression@1", LOGISTIC_L2_GRID);
    mod_ctx ctx;
    tune(&ctx, learner, train, valid,
         "{\"label_column\": \"y\", \"specify_parameter_sweeping_mode\": \"entire-grid\", "
         "\"metric_for_measuring_performance_for_classification\": \"f-score\"}");
    const tbl_table *sweep = mt_table(&ctx, 0);
    assert_true(tbl_find_column(sweep, "Overall Accuracy") >= 0);
    const tbl_column *f = mt_column(sweep, "F-Score");
    for (size_t r = 1; r < sweep->nrows; r++)
        assert_true(mt_cell(f, r) <= mt_cell(f, r - 1));
    /* The best run's F-score is scikit-learn's macro F1 of the best model. */
    mod_value in[2] = {{.kind = MOD_MODEL, .json = mt_json(&ctx, 1)},
                       {.kind = MOD_TABLE, .table = valid}};
    mod_ctx scored;
    mt_ok(&scored, mt_run_inputs(&scored, "score-model@1", "{}", in, 2, false));
    char dir[64];
    mt_mkdtemp(dir, sizeof dir);
    mt_write_csv(dir, "scored", mt_table(&scored, 0));
    mt_write_csv(dir, "sweep", sweep);
    mt_python_check(dir, "from sklearn.metrics import f1_score\n" CLOSE_PY
                         "s, sw = load('scored'), load('sweep')\n"
                         "close(sw['F-Score'][0], f1_score(s['y'], s['Scored Labels'], "
                         "average='macro'), 1e-12, 'macro F1')\n"
                         "print('OK')\n");
    mt_rmtree(dir);
    mod_ctx_clear(&scored);
    mod_ctx_clear(&ctx);
    json_decref(learner);
    tbl_free(train);
    tbl_free(valid);
    tbl_free(all);
}

/* ---- bad input ---------------------------------------------------------------------------- */

static void bad_inputs_fail_with_clear_messages(void **state)
{
    (void)state;
    tbl_table *all = st_rows("binary", 100, 2, 0.5, 61);
    tbl_table *train = rows_between(all, 0, 60), *valid = rows_between(all, 60, 100);
    const char *p = "{\"label_column\": \"y\"}";
    /* A range list that does not parse, or a fraction for a whole number. */
    json_t *learner = mt_learner("two-class-logistic-regression@1", LOGISTIC_L2_GRID);
    json_t *params = json_object_get(learner, "params");
    json_object_set_new(params, "l2_regularization_weight_range", json_string("1;x;3"));
    st_assert_fails(TUNE, p, learner, train, valid, "\"x\" in \"1;x;3\" is not a number");
    json_object_set_new(params, "l2_regularization_weight_range", json_string("1"));
    json_object_set_new(params, "memory_size_for_l_bfgs_range", json_string("5; 7.5"));
    st_assert_fails(TUNE, p, learner, train, valid, "7.5 in \"5; 7.5\" is not a whole number");
    json_decref(learner);
    /* A learner without ranges, in grid mode and in random mode. */
    json_t *single = mt_learner("two-class-logistic-regression@1", "{}");
    st_assert_fails(TUNE,
                    "{\"label_column\": \"y\", \"specify_parameter_sweeping_mode\": "
                    "\"entire-grid\"}",
                    single, train, valid, "has no parameter ranges to sweep");
    st_assert_fails(TUNE, p, single, train, valid, "create_trainer_mode");
    json_decref(single);
    /* A validation set whose columns do not match. */
    json_t *ranged = mt_learner("two-class-logistic-regression@1", LOGISTIC_L2_GRID);
    tbl_table *narrow = NULL;
    assert_int_equal(tbl_clone(valid, &narrow, NULL), 0);
    tbl_drop_column(narrow, (size_t)tbl_find_column(narrow, "x2"));
    st_assert_fails(TUNE, p, ranged, train, narrow,
                    "the validation dataset does not match the training dataset: it has no "
                    "column \"x2\"");
    tbl_table *texts = mt_csv("id,x1,x2,y\n1,a,b,0\n2,c,d,1\n");
    st_assert_fails(TUNE, p, ranged, train, texts,
                    "column \"x1\" is string there but numeric in the training dataset");
    /* Configure says so too, on the schemas. */
    mod_ctx ctx;
    mod_value in[3] = {{.kind = MOD_LEARNER},
                       {.kind = MOD_TABLE, .table = train},
                       {.kind = MOD_TABLE, .table = narrow}};
    assert_true(mt_run_inputs(&ctx, TUNE, p, in, 3, true) < 0);
    mt_assert_contains(ctx.err.message, "no column \"x2\"");
    mod_ctx_clear(&ctx);
    /* A metric that does not fit the learner. */
    json_t *multi = mt_learner("multiclass-logistic-regression@1", LOGISTIC_L2_GRID);
    tbl_table *three = st_rows("multiclass", 60, 3, 0.5, 3);
    char *msg = st_error(TUNE,
                         "{\"label_column\": \"y\", "
                         "\"metric_for_measuring_performance_for_classification\": \"auc\"}",
                         multi, three, NULL);
    mt_assert_contains(msg, "metric_for_measuring_performance_for_classification");
    mt_assert_contains(msg, "\"auc\" needs a two-class model");
    free(msg);
    /* No label, a clustering learner, fewer rows than folds. */
    st_assert_fails(TUNE, "{}", ranged, train, valid, "label_column");
    json_t *kmeans = mt_learner("k-means-clustering@1", "{\"create_trainer_mode\": "
                                                        "\"parameter-range\"}");
    st_assert_fails(TUNE, p, kmeans, train, valid, "is a clustering learner");
    tbl_table *few = rows_between(all, 0, 8);
    st_assert_fails(TUNE, p, ranged, few, NULL, "10 folds need at least 10 rows");
    tbl_free(few);
    json_decref(kmeans);
    tbl_free(three);
    json_decref(multi);
    tbl_free(texts);
    tbl_free(narrow);
    json_decref(ranged);
    tbl_free(train);
    tbl_free(valid);
    tbl_free(all);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(grid_on_validation_set_finds_scikit_learns_best),
        cmocka_unit_test(grid_without_validation_matches_grid_search_cv),
        cmocka_unit_test(tuning_is_at_least_as_good_as_the_defaults_on_samples),
        cmocka_unit_test(random_sweep_draws_distinct_combinations_per_seed),
        cmocka_unit_test(results_do_not_depend_on_the_thread_count),
        cmocka_unit_test(multiclass_sweep_ranked_by_f_score_shows_it),
        cmocka_unit_test(bad_inputs_fail_with_clear_messages),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
