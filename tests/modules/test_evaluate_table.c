/*
 * test_evaluate_table.c: Evaluate Model's `evaluation_table`, the metrics
 * as a table (a row per scored input, a column per metric), as the Azure
 * designer's Evaluation results: checked against scikit-learn on the same
 * scored rows, and against the report it sits beside; two Evaluate Models'
 * tables go through Add Rows.
 */
#include "module_test.h"

/* Evaluate Model on a (and b, may be NULL): its report and its table. */
static tbl_table *evaluate(tbl_table *a, tbl_table *b, json_t **report)
{
    mod_value in[2] = {{.kind = MOD_TABLE, .table = a}, {.kind = MOD_TABLE, .table = b}};
    mod_ctx ctx;
    mt_ok(&ctx, mt_run_inputs(&ctx, "evaluate-model@1", "{}", in, b != NULL ? 2 : 1, false));
    *report = mt_take_json(&ctx, 0);
    tbl_table *t = mt_take_table(&ctx, 1);
    mod_ctx_clear(&ctx);
    return t;
}

static tbl_table *credit(size_t n, uint64_t seed)
{
    wf_rng rng = {.state = seed};
    wf_buf b = {0};
    wf_buf_puts(&b, "x,z,risk\n");
    for (size_t i = 0; i < n; i++) {
        double x = wf_rng_normal(&rng), z = wf_rng_normal(&rng);
        bool bad = x + 0.5 * z + 0.8 * wf_rng_normal(&rng) > 0;
        wf_buf_printf(&b, "%.6f,%.6f,%s\n", x, z, bad ? "bad" : "good");
    }
    tbl_table *t = mt_csv(b.data);
    wf_buf_free(&b);
    return t;
}

static void two_scored_inputs_give_two_rows_of_the_reports_metrics(void **state)
{
    (void)state;
    tbl_table *t = credit(300, 5);
    json_t *lr = mt_train("two-class-logistic-regression@1", "{}", t, "risk");
    json_t *bt = mt_train("two-class-boosted-decision-tree@1", "{}", t, "risk");
    tbl_table *s1 = mt_score(lr, t, "{}"), *s2 = mt_score(bt, t, "{}");
    json_t *report = NULL;
    tbl_table *table = evaluate(s1, s2, &report);
    assert_int_equal(table->nrows, 2);
    const tbl_column *input = mt_column(table, "Scored dataset");
    char cell[64];
    tbl_format_cell(input, 0, cell, sizeof cell);
    assert_string_equal(cell, "scored_dataset");
    tbl_format_cell(input, 1, cell, sizeof cell);
    assert_string_equal(cell, "scored_dataset_to_compare");
    static const char *const pairs[][2] = {
        {"AUC", "auc"},       {"Accuracy", "accuracy"}, {"Precision", "precision"},
        {"Recall", "recall"}, {"F-Score", "f1_score"},  {"Log Loss", "log_loss"}};
    for (size_t m = 0; m < 2; m++) {
        const json_t *metrics =
            json_object_get(json_array_get(json_object_get(report, "models"), m), "metrics");
        for (size_t k = 0; k < sizeof pairs / sizeof pairs[0]; k++)
            mt_assert_close(mt_cell(mt_column(table, pairs[k][0]), m),
                            json_object_get(metrics, pairs[k][1]), 0, pairs[k][0], m);
    }
    /* Counts are not measures: no "rows" column. */
    assert_int_equal(tbl_find_column(table, "rows"), -1);

    /* scikit-learn on the same scored rows. */
    const tbl_table *both[2] = {s1, s2};
    json_t *peer = mt_pandas_json(
        "from sklearn.metrics import roc_auc_score, accuracy_score\n"
        "r = []\n"
        "for d in dfs:\n"
        "    y = (d['risk'] == 'bad').astype(int)\n"
        "    p = d['Scored Probabilities']\n"
        "    r.append([roc_auc_score(y, p), accuracy_score(d['risk'], d['Scored Labels'])])\n"
        "out(r)\n",
        both, 2);
    for (size_t m = 0; m < 2; m++) {
        mt_assert_close(mt_cell(mt_column(table, "AUC"), m),
                        json_array_get(json_array_get(peer, m), 0), 1e-9, "AUC vs sklearn", m);
        mt_assert_close(mt_cell(mt_column(table, "Accuracy"), m),
                        json_array_get(json_array_get(peer, m), 1), 1e-12, "Accuracy vs sklearn",
                        m);
    }
    json_decref(peer);

    /* Two Evaluate Models side by side: Add Rows of their tables. */
    json_t *report2 = NULL;
    tbl_table *other = evaluate(s2, NULL, &report2);
    assert_int_equal(other->nrows, 1);
    mod_value in[2] = {{.kind = MOD_TABLE, .table = table}, {.kind = MOD_TABLE, .table = other}};
    mod_ctx ctx;
    mt_ok(&ctx, mt_run_inputs(&ctx, "add-rows@1", "{}", in, 2, false));
    const tbl_table *rows = mt_table(&ctx, 0);
    assert_int_equal(rows->nrows, 3);
    assert_true(mt_cell(mt_column(rows, "AUC"), 2) == mt_cell(mt_column(table, "AUC"), 1));
    mod_ctx_clear(&ctx);

    tbl_free(other);
    json_decref(report2);
    tbl_free(table);
    json_decref(report);
    tbl_free(s1);
    tbl_free(s2);
    json_decref(lr);
    json_decref(bt);
    tbl_free(t);
}

static void a_regression_table_has_the_regression_metrics(void **state)
{
    (void)state;
    tbl_table *t = mt_csv("x,y\n1,2.1\n2,3.9\n3,6.2\n4,7.8\n5,10.1\n6,12.2\n7,13.8\n8,16.1\n");
    json_t *model = mt_train("linear-regression@1", "{}", t, "y");
    tbl_table *s = mt_score(model, t, "{}");
    json_t *report = NULL;
    tbl_table *table = evaluate(s, NULL, &report);
    assert_int_equal(table->nrows, 1);
    const tbl_table *one[1] = {s};
    json_t *peer = mt_pandas_json("from sklearn.metrics import mean_absolute_error, r2_score\n"
                                  "out([mean_absolute_error(df['y'], df['Scored Labels']),\n"
                                  "     r2_score(df['y'], df['Scored Labels'])])\n",
                                  one, 1);
    mt_assert_close(mt_cell(mt_column(table, "Mean Absolute Error"), 0), json_array_get(peer, 0),
                    1e-9, "MAE vs sklearn", 0);
    mt_assert_close(mt_cell(mt_column(table, "Coefficient of Determination"), 0),
                    json_array_get(peer, 1), 1e-9, "R2 vs sklearn", 0);
    assert_int_equal(tbl_find_column(table, "AUC"), -1);
    json_decref(peer);
    tbl_free(table);
    json_decref(report);
    tbl_free(s);
    json_decref(model);
    tbl_free(t);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(two_scored_inputs_give_two_rows_of_the_reports_metrics),
        cmocka_unit_test(a_regression_table_has_the_regression_metrics),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
