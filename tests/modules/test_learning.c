/*
 * test_learning.c: learners, Train Model, Score Model, Evaluate Model and
 * the clustering pair, on small tables whose answers are known: the score
 * columns and their roles and types, the model artifact (round trip, schema
 * checks, unknown levels), the evaluation report's shape and figures
 * recomputed here from the scored rows, and every bad input the issue
 * lists, each with a message that names what is wrong.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "engine/engine.h"
#include "module_test.h"

#include <math.h>

/* ---- helpers ------------------------------------------------------------------ */

/* y = 3 x1 - 2 x2 + 1 exactly, with a categorical column that does not
 * matter, 40 rows. */
static tbl_table *linear_rows(void)
{
    wf_buf b = {0};
    wf_buf_puts(&b, "x1,x2,colour,y\n");
    for (int i = 0; i < 40; i++) {
        double x1 = i % 7, x2 = (i * 3) % 11;
        wf_buf_printf(&b, "%g,%g,%s,%g\n", x1, x2, i % 2 ? "red" : "blue", 3 * x1 - 2 * x2 + 1);
    }
    tbl_table *t = mt_csv(b.data);
    wf_buf_free(&b);
    return t;
}

/* Two classes separated by x (good when x > 10), with some overlap. (Not
 * yes/no: the CSV reader reads those as booleans.) */
static tbl_table *binary_rows(void)
{
    wf_buf b = {0};
    wf_buf_puts(&b, "x,z,answer\n");
    for (int i = 0; i < 60; i++)
        wf_buf_printf(&b, "%d,%d,%s\n", i % 20, (i * 7) % 5,
                      (i % 20 > 10) != (i % 13 == 5) ? "good" : "bad");
    tbl_table *t = mt_csv(b.data);
    wf_buf_free(&b);
    return t;
}

static json_t *evaluate(tbl_table *a, tbl_table *b)
{
    mod_value in[2] = {{.kind = MOD_TABLE, .table = a}, {.kind = MOD_TABLE, .table = b}};
    mod_ctx ctx;
    mt_ok(&ctx, mt_run_inputs(&ctx, "evaluate-model@1", "{}", in, b != NULL ? 2 : 1, false));
    json_t *report = mt_take_json(&ctx, 0);
    mod_ctx_clear(&ctx);
    return report;
}

/* Train Model's error on (learner, t, label): the message. */
static char *train_error(const char *ref, const char *params, tbl_table *t, const char *label)
{
    json_t *learner = mt_learner(ref, params);
    char p[256];
    snprintf(p, sizeof p, "{\"label_column\": \"%s\"}", label);
    mod_value in[2] = {{.kind = MOD_LEARNER, .json = learner}, {.kind = MOD_TABLE, .table = t}};
    mod_ctx ctx;
    int rc = mt_run_inputs(&ctx, "train-model@1", p, in, 2, false);
    if (rc == 0) fail_msg("training on \"%s\" should have failed", label);
    char *msg = wf_strdup(ctx.err.message);
    mod_ctx_clear(&ctx);
    json_decref(learner);
    return msg;
}

static const json_t *model_metrics(const json_t *report, size_t i)
{
    return json_object_get(json_array_get(json_object_get(report, "models"), i), "metrics");
}

static double number(const json_t *o, const char *key)
{
    const json_t *v = json_object_get(o, key);
    if (!json_is_number(v)) fail_msg("no number \"%s\"", key);
    return json_number_value(v);
}

/* ---- regression ---------------------------------------------------------------- */

/* OLS recovers an exact linear relation; Score Model adds Scored Labels
 * with the score role and marks the label; Evaluate reports R² = 1. */
static void linear_regression_recovers_an_exact_relation(void **state)
{
    (void)state;
    tbl_table *t = linear_rows();
    json_t *model = mt_train("linear-regression@1", "{\"l2_regularization_weight\": 0}", t, "y");
    assert_string_equal(json_string_value(json_object_get(model, "kind")), "model");
    assert_string_equal(json_string_value(json_object_get(model, "task")), "regression");
    assert_string_equal(json_string_value(json_object_get(model, "weft")), WEFT_VERSION);
    tbl_table *scored = mt_score(model, t, "{}");
    int s = tbl_find_column(scored, "Scored Labels"), y = tbl_find_column(scored, "y");
    assert_true(s >= 0 && y >= 0);
    assert_int_equal(scored->cols[s].role, TBL_ROLE_SCORE);
    assert_int_equal(scored->cols[y].role, TBL_ROLE_LABEL);
    for (size_t r = 0; r < scored->nrows; r++) {
        double want = scored->cols[y].type == TBL_INTEGER ? (double)scored->cols[y].v.i64[r]
                                                          : scored->cols[y].v.f64[r];
        if (fabs(scored->cols[s].v.f64[r] - want) > 1e-8)
            fail_msg("row %zu: scored %.12g, label %.12g", r, scored->cols[s].v.f64[r], want);
    }
    json_t *report = evaluate(scored, NULL);
    assert_string_equal(json_string_value(json_object_get(report, "task")), "regression");
    const json_t *m = model_metrics(report, 0);
    assert_true(fabs(number(m, "coefficient_of_determination") - 1) < 1e-12);
    assert_true(number(m, "mean_absolute_error") < 1e-8);
    assert_int_equal(number(m, "rows"), 40);
    json_decref(report);
    tbl_free(scored);
    json_decref(model);
    tbl_free(t);
}

/* A forest's "random splits per node" reaches XGBoost: with one split
 * candidate per feature the trees can cut each feature once, and fit the
 * training rows worse than with Azure's 128. */
static void forest_split_candidates_limit_the_fit(void **state)
{
    (void)state;
    tbl_table *t = linear_rows();
    double r2[2];
    const char *params[2] = {"{\"number_of_random_splits_per_node\": 1, "
                             "\"resampling_method\": \"replicate\"}",
                             "{\"number_of_random_splits_per_node\": 128, "
                             "\"resampling_method\": \"replicate\"}"};
    for (int i = 0; i < 2; i++) {
        json_t *model = mt_train("decision-forest-regression@1", params[i], t, "y");
        tbl_table *scored = mt_score(model, t, "{}");
        json_t *report = evaluate(scored, NULL);
        r2[i] = number(model_metrics(report, 0), "coefficient_of_determination");
        json_decref(report);
        tbl_free(scored);
        json_decref(model);
    }
    if (!(r2[0] < r2[1] - 0.05)) fail_msg("R² %g with 1 split, %g with 128", r2[0], r2[1]);
    tbl_free(t);
}

/* The regression report's figures, recomputed here from the scored rows. */
static void regression_report_matches_hand_computed_metrics(void **state)
{
    (void)state;
    tbl_table *t = mt_csv("x,y\n1,2\n2,2.5\n3,4.5\n4,4\n5,6.5\n6,5.5\n");
    json_t *model = mt_train("linear-regression@1", "{}", t, "y");
    tbl_table *scored = mt_score(model, t, "{}");
    const double *y = scored->cols[tbl_find_column(scored, "y")].v.f64;
    const double *p = scored->cols[tbl_find_column(scored, "Scored Labels")].v.f64;
    double mean = 0, sae = 0, sse = 0, sat = 0, sst = 0;
    for (size_t r = 0; r < 6; r++)
        mean += y[r] / 6;
    for (size_t r = 0; r < 6; r++) {
        sae += fabs(y[r] - p[r]);
        sse += (y[r] - p[r]) * (y[r] - p[r]);
        sat += fabs(y[r] - mean);
        sst += (y[r] - mean) * (y[r] - mean);
    }
    json_t *report = evaluate(scored, NULL);
    const json_t *m = model_metrics(report, 0);
    assert_true(fabs(number(m, "mean_absolute_error") - sae / 6) < 1e-12);
    assert_true(fabs(number(m, "root_mean_squared_error") - sqrt(sse / 6)) < 1e-12);
    assert_true(fabs(number(m, "relative_absolute_error") - sae / sat) < 1e-12);
    assert_true(fabs(number(m, "relative_squared_error") - sse / sst) < 1e-12);
    assert_true(fabs(number(m, "coefficient_of_determination") - (1 - sse / sst)) < 1e-12);
    const json_t *charts =
        json_object_get(json_array_get(json_object_get(report, "models"), 0), "charts");
    assert_int_equal(json_array_size(json_object_get(charts, "actual_vs_predicted")), 6);
    size_t total = 0, i;
    const json_t *bin;
    json_array_foreach(json_object_get(charts, "residual_histogram"), i, bin)
    {
        total += (size_t)json_integer_value(json_object_get(bin, "count"));
    }
    assert_int_equal(total, 6);
    json_decref(report);
    tbl_free(scored);
    json_decref(model);
    tbl_free(t);
}

/* ---- two classes ------------------------------------------------------------------ */

/* Every two-class learner: Scored Labels keeps the label's text as a
 * categorical column, Scored Probabilities is P(positive = "good", the later
 * name), and the report's confusion counts add up to the rows and agree with
 * counts made here at threshold 0.5. */
static void two_class_learners_score_and_evaluate(void **state)
{
    (void)state;
    static const char *const learners[] = {
        "two-class-logistic-regression@1", "two-class-boosted-decision-tree@1",
        "two-class-decision-forest@1", "two-class-support-vector-machine@1"};
    tbl_table *t = binary_rows();
    for (size_t l = 0; l < 4; l++) {
        json_t *model = mt_train(learners[l], "{}", t, "answer");
        const json_t *classes = json_object_get(json_object_get(model, "label"), "classes");
        assert_string_equal(json_string_value(json_array_get(classes, 0)), "bad");
        assert_string_equal(json_string_value(json_array_get(classes, 1)), "good");
        tbl_table *scored = mt_score(model, t, "{}");
        const tbl_column *lab = &scored->cols[tbl_find_column(scored, "Scored Labels")];
        const tbl_column *prob = &scored->cols[tbl_find_column(scored, "Scored Probabilities")];
        const tbl_column *truth = &scored->cols[tbl_find_column(scored, "answer")];
        assert_int_equal(lab->type, TBL_CATEGORICAL);
        assert_int_equal(prob->role, TBL_ROLE_SCORE);
        size_t tp = 0, fp = 0, tn = 0, fn = 0;
        for (size_t r = 0; r < scored->nrows; r++) {
            size_t len;
            const char *s = tbl_strings_at(&lab->levels, (size_t)lab->v.codes[r], &len);
            bool said_yes = len == 4 && memcmp(s, "good", 4) == 0;
            assert_int_equal(said_yes, prob->v.f64[r] >= 0.5);
            assert_true(prob->v.f64[r] >= 0 && prob->v.f64[r] <= 1);
            const char *a = tbl_strings_at(&truth->levels, (size_t)truth->v.codes[r], &len);
            bool is_yes = len == 4 && memcmp(a, "good", 4) == 0;
            tp += said_yes && is_yes;
            fp += said_yes && !is_yes;
            tn += !said_yes && !is_yes;
            fn += !said_yes && is_yes;
        }
        json_t *report = evaluate(scored, NULL);
        const json_t *model0 = json_array_get(json_object_get(report, "models"), 0);
        const json_t *cm = json_object_get(model0, "confusion_matrix");
        assert_int_equal(number(cm, "true_positives"), tp);
        assert_int_equal(number(cm, "false_positives"), fp);
        assert_int_equal(number(cm, "true_negatives"), tn);
        assert_int_equal(number(cm, "false_negatives"), fn);
        assert_string_equal(json_string_value(json_object_get(model0, "positive_class")), "good");
        assert_int_equal(json_array_size(json_object_get(model0, "thresholds")), ML_THRESHOLDS);
        const json_t *roc = json_object_get(model0, "roc");
        assert_true(json_array_size(roc) >= 2);
        double auc = number(model_metrics(report, 0), "auc");
        if (!(auc > 0.8)) fail_msg("%s: AUC %g on separable data", learners[l], auc);
        json_decref(report);
        tbl_free(scored);
        json_decref(model);
    }
    tbl_free(t);
}

/* Two scored inputs make a report with two models, for comparison. */
static void evaluate_compares_two_models(void **state)
{
    (void)state;
    tbl_table *t = binary_rows();
    json_t *a = mt_train("two-class-logistic-regression@1", "{}", t, "answer");
    json_t *b = mt_train("two-class-boosted-decision-tree@1", "{}", t, "answer");
    tbl_table *sa = mt_score(a, t, "{}"), *sb = mt_score(b, t, "{}");
    json_t *report = evaluate(sa, sb);
    assert_int_equal(json_array_size(json_object_get(report, "models")), 2);
    assert_string_equal(json_string_value(json_object_get(
                            json_array_get(json_object_get(report, "models"), 1), "input")),
                        "scored_dataset_to_compare");
    json_decref(report);
    tbl_free(sa);
    tbl_free(sb);
    json_decref(a);
    json_decref(b);
    tbl_free(t);
}

/* The positive class is the model's even when the scored rows' own label
 * column orders its levels the other way (here "good" is seen first), and
 * scored rows with only one class are refused, naming it. */
static void evaluate_follows_the_models_class_order(void **state)
{
    (void)state;
    tbl_table *t = binary_rows();
    json_t *model = mt_train("two-class-logistic-regression@1", "{}", t, "answer");
    wf_buf b = {0};
    wf_buf_puts(&b, "x,z,answer\n");
    for (int i = 59; i >= 0; i--)
        wf_buf_printf(&b, "%d,%d,%s\n", i % 20, (i * 7) % 5, i % 20 > 10 ? "good" : "bad");
    tbl_table *reversed = mt_csv(b.data);
    wf_buf_free(&b);
    assert_int_equal(reversed->cols[2].type, TBL_CATEGORICAL);
    size_t len;
    assert_memory_equal(tbl_strings_at(&reversed->cols[2].levels, 0, &len), "good", 4);
    tbl_table *scored = mt_score(model, reversed, "{}");
    json_t *report = evaluate(scored, NULL);
    const json_t *m0 = json_array_get(json_object_get(report, "models"), 0);
    assert_string_equal(json_string_value(json_object_get(m0, "positive_class")), "good");
    double auc = number(model_metrics(report, 0), "auc");
    if (!(auc > 0.9)) fail_msg("AUC %g: the classes were swapped", auc);
    json_decref(report);
    tbl_free(scored);

    tbl_table *only_good = mt_csv("x,z,answer\n15,1,good\n18,2,good\n");
    scored = mt_score(model, only_good, "{}");
    mod_value in[1] = {{.kind = MOD_TABLE, .table = scored}};
    mod_ctx ctx;
    assert_true(mt_run_inputs(&ctx, "evaluate-model@1", "{}", in, 1, false) < 0);
    mt_assert_contains(ctx.err.message, "only the class \"good\"");
    mod_ctx_clear(&ctx);
    tbl_free(scored);
    tbl_free(only_good);
    tbl_free(reversed);
    json_decref(model);
    tbl_free(t);
}

/* ---- several classes ---------------------------------------------------------------- */

static void multiclass_scores_one_probability_per_class(void **state)
{
    (void)state;
    wf_buf b = {0};
    wf_buf_puts(&b, "x,y,kind\n");
    for (int i = 0; i < 90; i++)
        wf_buf_printf(&b, "%d,%d,%s\n", (i % 3) * 10 + i % 4, i % 5,
                      (const char *[]){"a", "b", "c"}[i % 3]);
    tbl_table *t = mt_csv(b.data);
    wf_buf_free(&b);
    static const char *const learners[] = {"multiclass-logistic-regression@1",
                                           "multiclass-boosted-decision-tree@1",
                                           "multiclass-decision-forest@1"};
    for (size_t l = 0; l < 3; l++) {
        json_t *model = mt_train(learners[l], "{}", t, "kind");
        tbl_table *scored = mt_score(model, t, "{\"append_score_columns_to_output\": false}");
        /* Result only: three probabilities and the label, nothing else. */
        assert_int_equal(scored->ncols, 4);
        assert_string_equal(scored->cols[0].name, "Scored Probabilities_a");
        assert_string_equal(scored->cols[2].name, "Scored Probabilities_c");
        assert_string_equal(scored->cols[3].name, "Scored Labels");
        for (size_t r = 0; r < scored->nrows; r++) {
            double sum = 0;
            for (size_t c = 0; c < 3; c++)
                sum += scored->cols[c].v.f64[r];
            assert_true(fabs(sum - 1) < 1e-6);
        }
        tbl_free(scored);
        scored = mt_score(model, t, "{}");
        json_t *report = evaluate(scored, NULL);
        assert_string_equal(json_string_value(json_object_get(report, "task")), "multiclass");
        const json_t *m = model_metrics(report, 0);
        if (!(number(m, "overall_accuracy") > 0.9))
            fail_msg("%s: accuracy %g on separable data", learners[l],
                     number(m, "overall_accuracy"));
        const json_t *cm = json_object_get(json_array_get(json_object_get(report, "models"), 0),
                                           "confusion_matrix");
        size_t total = 0;
        for (size_t a = 0; a < 3; a++)
            for (size_t c = 0; c < 3; c++)
                total += (size_t)json_integer_value(json_array_get(json_array_get(cm, a), c));
        assert_int_equal(total, 90);
        json_decref(report);
        tbl_free(scored);
        json_decref(model);
    }
    tbl_free(t);
}

/* ---- clustering ------------------------------------------------------------------------- */

static void kmeans_finds_two_obvious_clusters(void **state)
{
    (void)state;
    tbl_table *t = mt_csv("a,b\n0,0\n0.1,0.2\n0.2,0.1\n10,10\n10.1,9.9\n9.8,10.2\n");
    json_t *learner = mt_learner("k-means-clustering@1",
                                 "{\"number_of_centroids\": 2, \"initialization\": \"first-n\"}");
    mod_value in[2] = {{.kind = MOD_LEARNER, .json = learner}, {.kind = MOD_TABLE, .table = t}};
    mod_ctx ctx;
    mt_ok(&ctx, mt_run_inputs(&ctx, "train-clustering-model@1",
                              "{\"column_set\": {\"include\": [{\"all\": true}]}}", in, 2, false));
    const tbl_table *res = ctx.outputs[1].table;
    const int64_t *as = res->cols[tbl_find_column(res, "Assignments")].v.i64;
    assert_int_equal(as[0], as[1]);
    assert_int_equal(as[1], as[2]);
    assert_int_equal(as[3], as[4]);
    assert_int_equal(as[4], as[5]);
    assert_true(as[0] != as[3]);
    assert_true(tbl_find_column(res, "DistancesToClusterCenter no.1") >= 0);

    /* Assign Data to Clusters gives new rows the cluster of their
     * neighbours, and Evaluate reads the clustering. */
    tbl_table *fresh = mt_csv("a,b\n9,9\n0.3,0\n");
    mod_value ain[2] = {{.kind = MOD_MODEL, .json = ctx.outputs[0].json},
                        {.kind = MOD_TABLE, .table = fresh}};
    mod_ctx actx;
    mt_ok(&actx, mt_run_inputs(&actx, "assign-data-to-clusters@1", "{}", ain, 2, false));
    const tbl_table *assigned = actx.outputs[0].table;
    const int64_t *na = assigned->cols[tbl_find_column(assigned, "Assignments")].v.i64;
    assert_int_equal(na[0], as[3]);
    assert_int_equal(na[1], as[0]);
    json_t *report = evaluate(ctx.outputs[1].table, NULL);
    assert_string_equal(json_string_value(json_object_get(report, "task")), "clustering");
    assert_int_equal(number(model_metrics(report, 0), "count"), 6);
    assert_int_equal(json_array_size(json_object_get(
                         json_array_get(json_object_get(report, "models"), 0), "clusters")),
                     2);
    json_decref(report);
    mod_ctx_clear(&actx);
    tbl_free(fresh);
    mod_ctx_clear(&ctx);
    json_decref(learner);
    tbl_free(t);
}

/* ---- the model artifact ------------------------------------------------------------------ */

/* Reading a model and writing it again gives the same JSON. */
static void model_round_trips_through_json(void **state)
{
    (void)state;
    tbl_table *t = binary_rows();
    const char *learners[] = {"two-class-logistic-regression@1",
                              "two-class-boosted-decision-tree@1"};
    for (size_t l = 0; l < 2; l++) {
        json_t *model = mt_train(learners[l], "{}", t, "answer");
        mod_ctx ctx;
        assert_int_equal(mod_ctx_init(&ctx, mod_find("score-model@1"), NULL), 0);
        mod__model m;
        if (mod__model_from_json(&ctx, model, &m) < 0) fail_msg("%s", ctx.err.message);
        json_t *again = mod__model_to_json(&ctx, &m);
        assert_non_null(again);
        assert_true(json_equal(model, again));
        json_decref(again);
        mod__model_clear(&m);
        mod_ctx_clear(&ctx);
        json_decref(model);
    }
    tbl_free(t);
}

/* A tree model whose booster bytes were damaged is refused before XGBoost
 * reads them (its reader overruns on some damaged input). */
static void a_damaged_booster_is_refused(void **state)
{
    (void)state;
    tbl_table *t = binary_rows();
    json_t *model = mt_train("two-class-boosted-decision-tree@1", "{}", t, "answer");
    json_t *st = json_object_get(model, "state");
    char *booster = strdup(json_string_value(json_object_get(st, "booster")));
    booster[40] = booster[40] == 'A' ? 'B' : 'A';
    json_object_set_new(st, "booster", json_string(booster));
    free(booster);
    mod_value in[2] = {{.kind = MOD_MODEL, .json = model}, {.kind = MOD_TABLE, .table = t}};
    mod_ctx ctx;
    assert_true(mt_run_inputs(&ctx, "score-model@1", "{}", in, 2, false) < 0);
    mt_assert_contains(ctx.err.message, "damaged");
    mod_ctx_clear(&ctx);
    json_decref(model);
    tbl_free(t);
}

/* Scoring checks the table against the model: a missing feature column and
 * a text column where numbers were trained are named. */
static void scoring_names_a_missing_or_incompatible_column(void **state)
{
    (void)state;
    tbl_table *t = linear_rows();
    json_t *model = mt_train("linear-regression@1", "{}", t, "y");
    const char *bad[] = {"x1,colour\n1,red\n", "x1,x2,colour\n1,abc,red\n"};
    for (size_t i = 0; i < 2; i++) {
        tbl_table *rows = mt_csv(bad[i]);
        mod_value in[2] = {{.kind = MOD_MODEL, .json = model}, {.kind = MOD_TABLE, .table = rows}};
        mod_ctx ctx;
        assert_true(mt_run_inputs(&ctx, "score-model@1", "{}", in, 2, false) < 0);
        mt_assert_contains(ctx.err.message, "\"x2\"");
        mod_ctx_clear(&ctx);
        tbl_free(rows);
    }
    json_decref(model);
    tbl_free(t);
}

/* An unseen category scores as unknown by default, and fails naming the row,
 * column and value when the learner refuses unknown levels. */
static void unseen_categories_follow_the_learner_setting(void **state)
{
    (void)state;
    tbl_table *t = mt_csv("c,x,label\nred,1,a\nblue,2,b\nred,1.5,a\nblue,2.5,b\nred,1.2,a\n"
                          "blue,2.2,b\n");
    tbl_table *fresh = mt_csv("c,x\ngreen,1\n");
    json_t *lenient = mt_train("two-class-logistic-regression@1", "{}", t, "label");
    tbl_table *scored = mt_score(lenient, fresh, "{}");
    assert_int_equal(scored->nrows, 1);
    tbl_free(scored);
    json_t *strict = mt_train("two-class-logistic-regression@1",
                              "{\"allow_unknown_categorical_levels\": false}", t, "label");
    mod_value in[2] = {{.kind = MOD_MODEL, .json = strict}, {.kind = MOD_TABLE, .table = fresh}};
    mod_ctx ctx;
    assert_true(mt_run_inputs(&ctx, "score-model@1", "{}", in, 2, false) < 0);
    mt_assert_contains(ctx.err.message, "row 1, column \"c\": \"green\"");
    mod_ctx_clear(&ctx);
    json_decref(lenient);
    json_decref(strict);
    tbl_free(fresh);
    tbl_free(t);
}

/* ---- bad input ------------------------------------------------------------------------------ */

static void train_model_explains_bad_labels(void **state)
{
    (void)state;
    tbl_table *t = mt_csv("x,y,word,same,one\n1,2,a,5,k\n2,4,b,5,k\n3,6,c,5,k\n");
    char *msg = train_error("linear-regression@1", "{}", t, "nope");
    mt_assert_contains(msg, "nope");
    free(msg);
    msg = train_error("linear-regression@1", "{}", t, "word");
    mt_assert_contains(msg, "word");
    free(msg);
    msg = train_error("linear-regression@1", "{}", t, "same");
    mt_assert_contains(msg, "same value");
    free(msg);
    msg = train_error("two-class-logistic-regression@1", "{}", t, "one");
    mt_assert_contains(msg, "only one class");
    free(msg);
    msg = train_error("two-class-boosted-decision-tree@1", "{}", t, "word");
    mt_assert_contains(msg, "3 classes");
    free(msg);
    tbl_free(t);
}

/* Missing labels are dropped (and the model still trains); a label missing
 * everywhere, and a feature missing everywhere, are errors naming them. */
static void missing_labels_are_dropped_and_empty_columns_refused(void **state)
{
    (void)state;
    tbl_table *t = mt_csv("x,y\n1,2\n2,\n3,6\n4,8\n");
    json_t *model = mt_train("linear-regression@1", "{\"l2_regularization_weight\": 0}", t, "y");
    const json_t *w =
        json_array_get(json_object_get(json_object_get(model, "state"), "weights"), 0);
    assert_true(fabs(json_number_value(json_array_get(w, 0)) - 2) < 1e-9);
    json_decref(model);
    tbl_free(t);

    t = mt_csv("x,gap,y\n1,,a\n2,,b\n3,,a\n");
    char *msg = train_error("two-class-logistic-regression@1", "{}", t, "y");
    mt_assert_contains(msg, "gap");
    free(msg);
    tbl_free(t);
    t = mt_csv("x,y\n1,\n2,\n");
    msg = train_error("linear-regression@1", "{}", t, "y");
    mt_assert_contains(msg, "missing in every row");
    free(msg);
    tbl_free(t);
}

static void wrong_kinds_of_input_are_named(void **state)
{
    (void)state;
    tbl_table *t = linear_rows();
    json_t *model = mt_train("linear-regression@1", "{}", t, "y");
    json_t *learner = mt_learner("linear-regression@1", "{}");
    mod_ctx ctx;
    /* A trained model where a learner goes. */
    mod_value in[2] = {{.kind = MOD_LEARNER, .json = model}, {.kind = MOD_TABLE, .table = t}};
    assert_true(mt_run_inputs(&ctx, "train-model@1", "{\"label_column\": \"y\"}", in, 2, false) <
                0);
    mt_assert_contains(ctx.err.message, "already a trained model");
    mod_ctx_clear(&ctx);
    /* A learner where a model goes. */
    mod_value sin[2] = {{.kind = MOD_MODEL, .json = learner}, {.kind = MOD_TABLE, .table = t}};
    assert_true(mt_run_inputs(&ctx, "score-model@1", "{}", sin, 2, false) < 0);
    mt_assert_contains(ctx.err.message, "untrained learner");
    mod_ctx_clear(&ctx);
    /* A clustering learner in Train Model, and a table without scores in
     * Evaluate Model. */
    json_t *kmeans = mt_learner("k-means-clustering@1", "{}");
    mod_value kin[2] = {{.kind = MOD_LEARNER, .json = kmeans}, {.kind = MOD_TABLE, .table = t}};
    assert_true(mt_run_inputs(&ctx, "train-model@1", "{\"label_column\": \"y\"}", kin, 2, false) <
                0);
    mt_assert_contains(ctx.err.message, "Train Clustering Model");
    mod_ctx_clear(&ctx);
    mod_value ein[1] = {{.kind = MOD_TABLE, .table = t}};
    assert_true(mt_run_inputs(&ctx, "evaluate-model@1", "{}", ein, 1, false) < 0);
    mt_assert_contains(ctx.err.message, "Scored Labels");
    mod_ctx_clear(&ctx);
    json_decref(kmeans);
    json_decref(learner);
    json_decref(model);
    tbl_free(t);
}

/* The pipeline validator refuses a learner wired into Score Model's model
 * port before anything runs. */
static void validator_refuses_a_learner_where_a_model_goes(void **state)
{
    (void)state;
    const char *doc =
        "{\"format\": \"weft.pipeline/1\", \"nodes\": ["
        "{\"id\": \"lr\", \"module\": \"linear-regression@1\"},"
        "{\"id\": \"data\", \"module\": \"enter-data@1\", \"params\": {\"data\": "
        "\"x,y\\n1,2\\n\"}},"
        "{\"id\": \"score\", \"module\": \"score-model@1\"}],"
        "\"edges\": [{\"from\": \"lr.untrained_model\", \"to\": \"score.trained_model\"},"
        "{\"from\": \"data.dataset\", \"to\": \"score.dataset\"}]}";
    eng_pipeline *p = NULL;
    wf_error err = {0};
    if (eng_pipeline_parse(doc, strlen(doc), &p, &err) < 0) fail_msg("%s", err.message);
    eng_issues issues = {0};
    assert_true(eng_pipeline_validate(p, NULL, NULL, &issues, &err) >= 0);
    bool found = false;
    for (size_t i = 0; i < issues.count; i++)
        if (strstr(issues.items[i].message, "learner") != NULL &&
            strstr(issues.items[i].message, "model") != NULL)
            found = true;
    if (!found) fail_msg("no issue about a learner in a model port (%zu issues)", issues.count);
    eng_issues_clear(&issues);
    eng_pipeline_free(p);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(linear_regression_recovers_an_exact_relation),
        cmocka_unit_test(regression_report_matches_hand_computed_metrics),
        cmocka_unit_test(forest_split_candidates_limit_the_fit),
        cmocka_unit_test(two_class_learners_score_and_evaluate),
        cmocka_unit_test(evaluate_compares_two_models),
        cmocka_unit_test(evaluate_follows_the_models_class_order),
        cmocka_unit_test(multiclass_scores_one_probability_per_class),
        cmocka_unit_test(kmeans_finds_two_obvious_clusters),
        cmocka_unit_test(model_round_trips_through_json),
        cmocka_unit_test(a_damaged_booster_is_refused),
        cmocka_unit_test(scoring_names_a_missing_or_incompatible_column),
        cmocka_unit_test(unseen_categories_follow_the_learner_setting),
        cmocka_unit_test(train_model_explains_bad_labels),
        cmocka_unit_test(missing_labels_are_dropped_and_empty_columns_refused),
        cmocka_unit_test(wrong_kinds_of_input_are_named),
        cmocka_unit_test(validator_refuses_a_learner_where_a_model_goes),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
