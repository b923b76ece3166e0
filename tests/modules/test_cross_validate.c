/*
 * test_cross_validate.c: Cross Validate Model. Each fold's figures are
 * recomputed in Python from the scored results, and compared with
 * scikit-learn's own model trained on the same folds (read back from the
 * `Fold Number` column); the mean and standard deviation rows with numpy's.
 * Fold assignment is checked for determinism per seed and balance, folds
 * from Partition and Sample are used as they are, the outputs are the same
 * bytes whatever the thread count, and every bad input fails with a message
 * naming what is wrong.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "selection_test.h"

#define CV "cross-validate-model@1"

/* L2 only, so that scikit-learn's LogisticRegression(C = 1) is the same model. */
#define LOGISTIC_L2                                                                                \
    "{\"l1_regularization_weight\": 0, \"l2_regularization_weight\": 1, "                          \
    "\"optimization_tolerance\": 1e-10}"

/* Runs Cross Validate Model; ctx holds both outputs (the caller clears it). */
static void cross_validate(mod_ctx *ctx, const char *learner, const char *learner_params,
                           const tbl_table *t, const char *params)
{
    json_t *l = mt_learner(learner, learner_params);
    mt_ok(ctx, st_run(ctx, CV, params, l, t, NULL));
    json_decref(l);
}

/* Writes data, scored results and the by-fold table to a new directory, and
 * runs `script` there (mt_python_check). */
static void check_in_python(const tbl_table *data, const mod_ctx *ctx, const char *script)
{
    char dir[64];
    mt_mkdtemp(dir, sizeof dir);
    mt_write_csv(dir, "data", data);
    mt_write_csv(dir, "scored", mt_table(ctx, 0));
    mt_write_csv(dir, "byfold", mt_table(ctx, 1));
    mt_python_check(dir, script);
    mt_rmtree(dir);
}

/* The Python side of the fold checks: folds read back from the scored
 * results, then per fold (figures recomputed from weft's scores, and
 * scikit-learn's model on the same folds) and the summary rows. */
#define FOLDS_PY                                                                                   \
    "data, sc, byf = load('data'), load('scored'), load('byfold')\n"                               \
    "if list(sc['id']) != list(data['id']): fail('scored rows are not in input order')\n"          \
    "feats = [c for c in data.columns if c.startswith('x')]\n"                                     \
    "folds = sorted(sc['Fold Number'].unique())\n"                                                 \
    "if len(byf) != len(folds) + 2: fail('%d rows for %d folds' % (len(byf), len(folds)))\n"       \
    "def close(a, b, tol, what):\n"                                                                \
    "    if not (abs(a - b) <= tol): fail('%s: weft %.15g, expected %.15g' % (what, a, b))\n"      \
    "for i, f in enumerate(folds):\n"                                                              \
    "    te = (sc['Fold Number'] == f).to_numpy()\n"                                               \
    "    row = byf.iloc[i]\n"                                                                      \
    "    if str(row['Fold Number']) != str(f): fail('row %d is fold %s' % (i, row['Fold "          \
    "Number']))\n"                                                                                 \
    "    close(row['Number of examples in fold'], te.sum(), 0, 'fold %s size' % f)\n"              \
    "    xtr, ytr = data.loc[~te, feats], data.loc[~te, 'y']\n"                                    \
    "    xte, y = data.loc[te, feats], data.loc[te, 'y']\n"                                        \
    "    check_fold(f, row, sc.loc[te], xtr, ytr, xte, y)\n"                                       \
    "per = byf.iloc[:len(folds)]\n"                                                                \
    "for c in byf.columns[1:]:\n"                                                                  \
    "    v = per[c].astype(float)\n"                                                               \
    "    close(byf.iloc[len(folds)][c], v.mean(), 1e-12 * max(1, abs(v.mean())), 'mean ' + c)\n"   \
    "    close(byf.iloc[len(folds) + 1][c], v.std(ddof=1), 1e-10 * max(1, v.std()), 'sd ' + c)\n"  \
    "if list(byf['Fold Number'][-2:]) != ['Mean', 'Standard Deviation']: fail('summary rows')\n"   \
    "print('OK')\n"

/* Two classes: every figure of every fold is what scikit-learn computes
 * from weft's own scores, and within a hair of scikit-learn's own
 * LogisticRegression trained on the same folds. */
static void binary_fold_metrics_match_scikit_learn_on_the_same_folds(void **state)
{
    (void)state;
    tbl_table *t = st_rows("binary", 300, 5, 0.5, 11);
    mod_ctx ctx;
    cross_validate(&ctx, "two-class-logistic-regression@1", LOGISTIC_L2, t,
                   "{\"label_column\": \"y\", \"random_seed\": 7}");
    const tbl_table *by = mt_table(&ctx, 1);
    const char *want[] = {"Fold Number", "Number of examples in fold",
                          "Accuracy",    "Precision",
                          "Recall",      "F-Score",
                          "AUC",         "Log Loss"};
    assert_int_equal(by->ncols, 8);
    for (size_t j = 0; j < 8; j++)
        assert_string_equal(by->cols[j].name, want[j]);
    const tbl_table *sc = mt_table(&ctx, 0);
    assert_int_equal(sc->nrows, 300);
    assert_int_equal(mt_column(sc, "Fold Number")->role, TBL_ROLE_CLEAR);
    assert_int_equal(mt_column(sc, "y")->role, TBL_ROLE_LABEL);
    assert_int_equal(mt_column(sc, "Scored Probabilities")->role, TBL_ROLE_SCORE);
    check_in_python(
        t, &ctx,
        "from sklearn.linear_model import LogisticRegression\n"
        "from sklearn.metrics import accuracy_score, precision_score, recall_score, f1_score, "
        "roc_auc_score, log_loss\n"
        "def check_fold(f, row, s, xtr, ytr, xte, y):\n"
        "    p, l = s['Scored Probabilities'], s['Scored Labels']\n"
        "    mine = {'Accuracy': accuracy_score(y, l), 'Precision': precision_score(y, l),\n"
        "            'Recall': recall_score(y, l), 'F-Score': f1_score(y, l),\n"
        "            'AUC': roc_auc_score(y, p), 'Log Loss': log_loss(y, p, labels=[0, 1])}\n"
        "    for k, v in mine.items(): close(row[k], v, 1e-9, 'fold %s %s' % (f, k))\n"
        "    m = LogisticRegression(C=1.0, tol=1e-10, max_iter=10000).fit(xtr, ytr)\n"
        "    q = m.predict_proba(xte)[:, 1]\n"
        "    close(row['AUC'], roc_auc_score(y, q), 2e-3, 'fold %s AUC vs sklearn' % f)\n"
        "    close(row['Log Loss'], log_loss(y, q), 2e-3, 'fold %s log loss vs sklearn' % f)\n"
        "    close(row['Accuracy'], accuracy_score(y, q >= 0.5), 1.01 / len(y), 'fold %s accuracy' "
        "% f)\n"
        "    if len(y) != 30: fail('fold %s has %d rows' % (f, len(y)))\n" FOLDS_PY);
    mod_ctx_clear(&ctx);
    tbl_free(t);
}

/* Regression: ridge regression against scikit-learn's Ridge at the same
 * penalty, fold by fold. */
static void regression_fold_metrics_match_scikit_learn_ridge(void **state)
{
    (void)state;
    tbl_table *t = st_rows("regression", 123, 4, 1.0, 5);
    mod_ctx ctx;
    cross_validate(&ctx, "linear-regression@1", "{\"l2_regularization_weight\": 0.5}", t,
                   "{\"label_column\": \"y\", \"random_seed\": 3}");
    check_in_python(
        t, &ctx,
        "from sklearn.linear_model import Ridge\n"
        "from sklearn.metrics import mean_absolute_error, mean_squared_error, r2_score\n"
        "def figures(y, p):\n"
        "    e = y - p\n"
        "    return {'Mean Absolute Error': mean_absolute_error(y, p),\n"
        "            'Root Mean Squared Error': mean_squared_error(y, p) ** 0.5,\n"
        "            'Relative Absolute Error': abs(e).sum() / abs(y - y.mean()).sum(),\n"
        "            'Relative Squared Error': (e * e).sum() / ((y - y.mean()) ** 2).sum(),\n"
        "            'Coefficient of Determination': r2_score(y, p)}\n"
        "def check_fold(f, row, s, xtr, ytr, xte, y):\n"
        "    for k, v in figures(y.to_numpy(), s['Scored Labels'].to_numpy()).items():\n"
        "        close(row[k], v, 1e-9 * max(1, abs(v)), 'fold %s %s' % (f, k))\n"
        "    q = Ridge(alpha=0.5).fit(xtr, ytr).predict(xte)\n"
        "    for k, v in figures(y.to_numpy(), q).items():\n"
        "        close(row[k], v, 1e-6 * max(1, abs(v)), 'fold %s %s vs Ridge' % (f, k))\n"
        "    if len(y) not in (12, 13): fail('fold %s has %d rows' % (f, len(y)))\n" FOLDS_PY);
    mod_ctx_clear(&ctx);
    tbl_free(t);
}

/* Several classes: Evaluate Model's multiclass figures per fold, recomputed
 * from the scores. */
static void multiclass_fold_metrics_match_scikit_learn(void **state)
{
    (void)state;
    tbl_table *t = st_rows("multiclass", 200, 3, 0.3, 17);
    mod_ctx ctx;
    cross_validate(&ctx, "multiclass-logistic-regression@1", LOGISTIC_L2, t,
                   "{\"label_column\": \"y\"}");
    assert_true(tbl_find_column(mt_table(&ctx, 1), "Overall Accuracy") >= 0);
    check_in_python(
        t, &ctx,
        "from sklearn.metrics import accuracy_score, precision_score, recall_score, log_loss\n"
        "def check_fold(f, row, s, xtr, ytr, xte, y):\n"
        "    l = s['Scored Labels']\n"
        "    p = s[['Scored Probabilities_a', 'Scored Probabilities_b', 'Scored "
        "Probabilities_c']]\n"
        "    mine = {'Overall Accuracy': accuracy_score(y, l),\n"
        "            'Macro Precision': precision_score(y, l, average='macro'),\n"
        "            'Macro Recall': recall_score(y, l, average='macro'),\n"
        "            'Log Loss': log_loss(y, p.to_numpy(), labels=['a', 'b', 'c'])}\n"
        "    for k, v in mine.items(): close(row[k], v, 1e-9, 'fold %s %s' % (f, k))\n" FOLDS_PY);
    mod_ctx_clear(&ctx);
    tbl_free(t);
}

/* A fold whose training rows lack a class: its model knows two classes, the
 * others three. The scored results still have one probability column per
 * class, 0 where a model never saw the class, and every row. */
static void a_class_missing_from_a_folds_training_rows_scores_zero(void **state)
{
    (void)state;
    wf_buf b = {0};
    wf_buf_puts(&b, "x,y\n");
    for (int i = 0; i < 30; i++)
        wf_buf_printf(&b, "%d,%s\n", i, i == 0 ? "c" : i % 2 ? "a" : "b");
    tbl_table *rows = mt_csv(b.data);
    wf_buf_free(&b);
    int64_t fold[30];
    for (size_t r = 0; r < 30; r++)
        fold[r] = (int64_t)(r % 3) + 1; /* the one "c" row is in fold 1 */
    tbl_table *t = st_with_integers(rows, "Fold", fold, TBL_ROLE_CLEAR);
    mod_ctx ctx;
    cross_validate(&ctx, "multiclass-logistic-regression@1", "{}", t, "{\"label_column\": \"y\"}");
    const tbl_table *sc = mt_table(&ctx, 0);
    assert_int_equal(sc->nrows, 30);
    const tbl_column *pa = mt_column(sc, "Scored Probabilities_a"),
                     *pb = mt_column(sc, "Scored Probabilities_b"),
                     *pc = mt_column(sc, "Scored Probabilities_c");
    for (size_t r = 0; r < 30; r++) {
        double sum = mt_cell(pa, r) + mt_cell(pb, r) + mt_cell(pc, r);
        assert_true(fabs(sum - 1) < 1e-9);
        if (r % 3 == 0)
            assert_true(mt_cell(pc, r) == 0);
        else
            assert_true(mt_cell(pc, r) > 0);
    }
    mod_ctx_clear(&ctx);
    tbl_free(t);
    tbl_free(rows);
}

/* ---- folds ------------------------------------------------------------------------- */

static int64_t *fold_numbers(const mod_ctx *ctx)
{
    const tbl_column *c = mt_column(mt_table(ctx, 0), "Fold Number");
    size_t n = mt_table(ctx, 0)->nrows;
    int64_t *v = malloc(n * sizeof *v);
    memcpy(v, c->v.i64, n * sizeof *v);
    return v;
}

/* The same seed gives the same folds, another seed other folds; 103 rows
 * make three folds of 11 and seven of 10. */
static void fold_assignment_is_deterministic_per_seed_and_balanced(void **state)
{
    (void)state;
    tbl_table *t = st_rows("regression", 103, 2, 1.0, 8);
    mod_ctx a, b, c;
    cross_validate(&a, "linear-regression@1", "{}", t,
                   "{\"label_column\": \"y\", \"random_seed\": 1}");
    cross_validate(&b, "linear-regression@1", "{}", t,
                   "{\"label_column\": \"y\", \"random_seed\": 1}");
    cross_validate(&c, "linear-regression@1", "{}", t,
                   "{\"label_column\": \"y\", \"random_seed\": 2}");
    int64_t *fa = fold_numbers(&a), *fb = fold_numbers(&b), *fc = fold_numbers(&c);
    assert_memory_equal(fa, fb, 103 * sizeof *fa);
    size_t differ = 0, size[11] = {0};
    for (size_t r = 0; r < 103; r++) {
        differ += fa[r] != fc[r];
        assert_true(fa[r] >= 1 && fa[r] <= 10);
        size[fa[r]]++;
    }
    assert_true(differ > 50);
    size_t elevens = 0;
    for (size_t f = 1; f <= 10; f++) {
        assert_true(size[f] == 10 || size[f] == 11);
        elevens += size[f] == 11;
        assert_int_equal(mt_cell(mt_column(mt_table(&a, 1), "Number of examples in fold"), f - 1),
                         size[f]);
    }
    assert_int_equal(elevens, 3);
    mt_assert_tables_equal(mt_table(&a, 0), mt_table(&b, 0));
    mt_assert_tables_equal(mt_table(&a, 1), mt_table(&b, 1));
    free(fa);
    free(fb);
    free(fc);
    mod_ctx_clear(&a);
    mod_ctx_clear(&b);
    mod_ctx_clear(&c);
    tbl_free(t);
}

/* Partition and Sample's folds are used as they are: 4 folds, each row in
 * the fold its `Fold` column names. */
static void folds_from_partition_and_sample_are_used_as_assigned(void **state)
{
    (void)state;
    tbl_table *t = st_rows("binary", 80, 3, 0.5, 21);
    mod_ctx part;
    mt_ok(&part, mt_run(&part, "partition-and-sample@1",
                        "{\"partition_or_sample_mode\": \"assign-to-folds\", "
                        "\"specify_how_many_folds_to_split_evenly_into\": 4, \"random_seed\": 9}",
                        t, false));
    const tbl_table *parted = mt_table(&part, 0);
    mod_ctx ctx;
    cross_validate(&ctx, "two-class-logistic-regression@1", "{}", parted,
                   "{\"label_column\": \"y\"}");
    const tbl_table *sc = mt_table(&ctx, 0), *by = mt_table(&ctx, 1);
    assert_int_equal(by->nrows, 6);
    const tbl_column *assigned = mt_column(sc, "Fold"), *used = mt_column(sc, "Fold Number");
    for (size_t r = 0; r < sc->nrows; r++)
        assert_int_equal(assigned->v.i64[r], used->v.i64[r]);
    /* The Fold column is not a feature: the models match those without it. */
    check_in_python(
        t, &ctx,
        "from sklearn.metrics import roc_auc_score\n"
        "def check_fold(f, row, s, xtr, ytr, xte, y):\n"
        "    close(row['AUC'], roc_auc_score(y, s['Scored Probabilities']), 1e-9, 'AUC')\n"
        "    if len(y) != 20: fail('fold %s has %d rows' % (f, len(y)))\n" FOLDS_PY);
    mod_ctx_clear(&ctx);
    mod_ctx_clear(&part);
    tbl_free(t);
}

/* ---- threads --------------------------------------------------------------------------- */

/* One thread or several: the same bytes in both outputs, for a linear
 * learner and for XGBoost's trees. */
static void results_do_not_depend_on_the_thread_count(void **state)
{
    (void)state;
    tbl_table *t = st_rows("binary", 300, 4, 0.5, 31);
    const char *learners[][2] = {
        {"two-class-logistic-regression@1", "{}"},
        {"two-class-boosted-decision-tree@1", "{\"number_of_trees_constructed\": 10}"}};
    for (size_t i = 0; i < 2; i++) {
        mod_ctx one, many;
        setenv("OMP_NUM_THREADS", "1", 1);
        cross_validate(&one, learners[i][0], learners[i][1], t, "{\"label_column\": \"y\"}");
        setenv("OMP_NUM_THREADS", "3", 1);
        cross_validate(&many, learners[i][0], learners[i][1], t, "{\"label_column\": \"y\"}");
        mt_assert_tables_equal(mt_table(&one, 0), mt_table(&many, 0));
        mt_assert_tables_equal(mt_table(&one, 1), mt_table(&many, 1));
        mod_ctx_clear(&one);
        mod_ctx_clear(&many);
    }
    unsetenv("OMP_NUM_THREADS");
    tbl_free(t);
}

/* ---- bad input ------------------------------------------------------------------------- */

static void bad_inputs_fail_with_clear_messages(void **state)
{
    (void)state;
    tbl_table *t = st_rows("binary", 60, 2, 0.5, 3);
    json_t *logistic = mt_learner("two-class-logistic-regression@1", "{}");
    /* No label column, or one the data lacks. */
    st_assert_fails(CV, "{}", logistic, t, NULL, "label_column");
    st_assert_fails(CV, "{\"label_column\": \"price\"}", logistic, t, NULL, "price");
    /* More folds than rows. */
    tbl_table *few = st_rows("binary", 7, 2, 0.5, 3);
    st_assert_fails(CV, "{\"label_column\": \"y\"}", logistic, few, NULL,
                    "10 folds need at least 10 rows, but the dataset has 7");
    /* A clustering learner, a trained model, nothing. */
    json_t *kmeans = mt_learner("k-means-clustering@1", "{}");
    st_assert_fails(CV, "{\"label_column\": \"y\"}", kmeans, t, NULL, "clustering learner");
    json_t *model = json_pack("{s:s}", "kind", "model");
    st_assert_fails(CV, "{\"label_column\": \"y\"}", model, t, NULL, "is a trained model");
    st_assert_fails(CV, "{\"label_column\": \"y\"}", NULL, t, NULL,
                    "input \"untrained_model\" is missing");
    /* A `Fold` column that is not Partition and Sample's, or holds one fold. */
    int64_t *same = calloc(t->nrows, sizeof *same);
    for (size_t r = 0; r < t->nrows; r++)
        same[r] = 3;
    tbl_table *one_fold = st_with_integers(t, "Fold", same, TBL_ROLE_CLEAR);
    st_assert_fails(CV, "{\"label_column\": \"y\"}", logistic, one_fold, NULL,
                    "puts every row in fold 3");
    tbl_table *text_fold = mt_csv("x,y,Fold\n1,0,a\n2,1,b\n3,0,a\n4,1,b\n");
    st_assert_fails(CV, "{\"label_column\": \"y\"}", logistic, text_fold, NULL,
                    "column \"Fold\" is categorical");
    /* A fold that cannot be trained names the fold: a regression label that
     * is constant outside fold 2 (rows 1-2 in fold 2, all else 5). */
    int64_t folds[6] = {2, 2, 1, 1, 3, 3};
    tbl_table *flat = mt_csv("x,y\n1,1\n2,9\n3,5\n4,5\n5,5\n6,5\n");
    tbl_table *flat_folds = st_with_integers(flat, "Fold", folds, TBL_ROLE_CLEAR);
    json_t *ols = mt_learner("linear-regression@1", "{}");
    char *msg = st_error(CV, "{\"label_column\": \"y\"}", ols, flat_folds, NULL);
    mt_assert_contains(msg, "fold 2: ");
    mt_assert_contains(msg, "same value");
    free(msg);
    json_decref(ols);
    tbl_free(flat);
    tbl_free(flat_folds);
    tbl_free(text_fold);
    tbl_free(one_fold);
    free(same);
    json_decref(model);
    json_decref(kmeans);
    tbl_free(few);
    json_decref(logistic);
    tbl_free(t);
}

/* Configure checks the label column against the schema. */
static void configure_names_a_missing_label_column(void **state)
{
    (void)state;
    tbl_table *t = st_rows("binary", 10, 2, 0.5, 3);
    mod_ctx ctx;
    mod_value in[2] = {{.kind = MOD_LEARNER}, {.kind = MOD_TABLE, .table = t}};
    assert_true(mt_run_inputs(&ctx, CV, "{\"label_column\": \"nope\"}", in, 2, true) < 0);
    assert_non_null(mt_field_error(&ctx, "label_column"));
    mod_ctx_clear(&ctx);
    mt_ok(&ctx, mt_run_inputs(&ctx, CV, "{\"label_column\": \"y\"}", in, 2, true));
    mod_ctx_clear(&ctx);
    tbl_free(t);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(binary_fold_metrics_match_scikit_learn_on_the_same_folds),
        cmocka_unit_test(regression_fold_metrics_match_scikit_learn_ridge),
        cmocka_unit_test(multiclass_fold_metrics_match_scikit_learn),
        cmocka_unit_test(a_class_missing_from_a_folds_training_rows_scores_zero),
        cmocka_unit_test(fold_assignment_is_deterministic_per_seed_and_balanced),
        cmocka_unit_test(folds_from_partition_and_sample_are_used_as_assigned),
        cmocka_unit_test(results_do_not_depend_on_the_thread_count),
        cmocka_unit_test(bad_inputs_fail_with_clear_messages),
        cmocka_unit_test(configure_names_a_missing_label_column),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
