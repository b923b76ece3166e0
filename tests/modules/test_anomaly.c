/*
 * test_anomaly.c: PCA-Based Anomaly Detection and Train Anomaly Detection
 * Model, through the real modules, against scikit-learn: the subspace is
 * PCA's (TruncatedSVD's without centring), up to the sign of each
 * component, and each row's score is its normalised reconstruction error
 * recomputed from scikit-learn's components. Score Model writes the
 * Azure columns, and Evaluate Model measures the detector against a label.
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

#include "learners3_test.h"

/* Train Anomaly Detection Model on t; the model (caller decrefs), or NULL
 * with the message in *error (caller frees) when it fails. */
static json_t *train_anomaly(json_t *learner, const tbl_table *t, char **error)
{
    mod_value in[2] = {{.kind = MOD_LEARNER, .json = learner},
                       {.kind = MOD_TABLE, .table = (tbl_table *)t}};
    mod_ctx ctx;
    int rc = mt_run_inputs(&ctx, "train-anomaly-detection-model@1", "{}", in, 2, false);
    json_t *model = NULL;
    if (rc == 0)
        model = mt_take_json(&ctx, 0);
    else if (error != NULL)
        *error = wf_strdup(ctx.err.message);
    else
        fail_msg("%s", ctx.err.message);
    mod_ctx_clear(&ctx);
    return model;
}

/* diabetes.arff without its class: 8 numeric features. */
static tbl_table *diabetes_features(void)
{
    tbl_table *t = load_sample("diabetes.arff", NULL);
    tbl_drop_column(t, (size_t)tbl_find_column(t, "class"));
    return t;
}

/* The components and scores of weft and of the peer agree. */
static void check_against_pca(bool center, size_t k)
{
    tbl_table *data = diabetes_features(), *tr, *te;
    split(data, &tr, &te);
    char params[256];
    snprintf(params, sizeof params,
             "{\"number_of_components_to_use_in_pca\": %zu, "
             "\"enable_input_feature_mean_normalization\": %s}",
             k, center ? "true" : "false");
    json_t *learner = mt_learner("pca-based-anomaly-detection@1", params);
    json_t *model = train_anomaly(learner, tr, NULL);
    tbl_table *scored = score(model, te);
    mod__model m;
    read_model(model, &m);
    assert_int_equal(m.task, ML_ANOMALY);
    char dir[64];
    mt_mkdtemp(dir, sizeof dir);
    /* no label: write the matrices by hand, with dummy labels */
    const tbl_table *parts[2] = {tr, te};
    const char *names[2] = {"train", "test"};
    for (int i = 0; i < 2; i++) {
        ml_matrix x = {0};
        wf_error err = {0};
        assert_int_equal(ml_features_matrix(&m.features, parts[i], &x, &err), 0);
        char path[600];
        snprintf(path, sizeof path, "%s/x_%s.csv", dir, names[i]);
        write_matrix(path, &x);
        snprintf(path, sizeof path, "%s/y_%s.csv", dir, names[i]);
        FILE *f = fopen(path, "w");
        for (size_t r = 0; r < x.rows; r++)
            fputs("0\n", f);
        fclose(f);
        ml_matrix_clear(&x);
    }
    snprintf(params, sizeof params, "{\"k\": %zu, \"center\": %s}", k, center ? "true" : "false");
    json_t *peer = run_peer("pca", params, dir);
    const json_t *comps = json_object_get(peer, "components");
    assert_int_equal(json_array_size(comps), k);
    for (size_t c = 0; c < k; c++) {
        double dot = 0, norm = 0;
        for (size_t j = 0; j < m.pca.dims; j++) {
            double v = m.pca.components[c * m.pca.dims + j];
            dot += v * json_number_value(json_array_get(json_array_get(comps, c), j));
            norm += v * v;
        }
        char what[96];
        snprintf(what, sizeof what, "diabetes: |cos| of component %zu (%s)", c + 1,
                 center ? "centred" : "not centred");
        close_to(what, fabs(dot), 1, 1e-6);
        close_to("    its length", norm, 1, 1e-9);
    }
    const json_t *scores = json_object_get(peer, "scores");
    const tbl_column *p = mt_column(scored, "Scored Probabilities");
    const tbl_column *l = mt_column(scored, "Scored Labels");
    assert_int_equal(l->type, TBL_INTEGER);
    assert_int_equal(p->role, TBL_ROLE_SCORE);
    double worst = 0;
    size_t anomalies = 0;
    for (size_t r = 0; r < te->nrows; r++) {
        double want = json_number_value(json_array_get(scores, r));
        worst = fmax(worst, fabs(mt_cell(p, r) - want));
        assert_int_equal((int64_t)mt_cell(l, r), mt_cell(p, r) >= 0.5 ? 1 : 0);
        anomalies += mt_cell(l, r) == 1;
    }
    print_message("    %zu of %zu test rows flagged\n", anomalies, te->nrows);
    close_to("diabetes: largest score difference", worst, 0, 1e-6);
    mt_rmtree(dir);
    json_decref(peer);
    mod__model_clear(&m);
    tbl_free(scored);
    json_decref(model);
    json_decref(learner);
    tbl_free(tr);
    tbl_free(te);
    tbl_free(data);
}

static void pca_subspace_and_scores_match_scikit_learn(void **state)
{
    (void)state;
    check_against_pca(true, 3);
}

static void uncentred_subspace_matches_truncated_svd(void **state)
{
    (void)state;
    check_against_pca(false, 2);
}

/* With a label column (the label role), the label is not a feature, Score
 * Model keeps it as the label, and Evaluate Model reports the detector as a
 * two-class model. Anomalies: rows pushed off the data's main directions. */
static void anomalies_are_found_and_evaluated_against_a_label(void **state)
{
    (void)state;
    wf_rng rng = {.state = 11};
    size_t n = 400;
    tbl_table *t = tbl_new();
    const char *names[] = {"a", "b", "c", "d"};
    tbl_column cols[5];
    for (int j = 0; j < 4; j++)
        assert_int_equal(tbl_column_init(&cols[j], names[j], TBL_NUMERIC, n, NULL), 0);
    assert_int_equal(tbl_column_init(&cols[4], "anomaly", TBL_INTEGER, n, NULL), 0);
    cols[4].role = TBL_ROLE_LABEL;
    for (size_t r = 0; r < n; r++) {
        /* Normal rows lie near the plane spanned by (1, 1, 0, 0) and (0, 0,
         * 1, -1); every 20th row is pushed 25 sqrt 2 off it, in a random
         * direction of the orthogonal plane. */
        double u = wf_rng_normal(&rng) * 10, v = wf_rng_normal(&rng) * 10;
        bool odd = r % 20 == 0;
        double angle = 2 * M_PI * wf_rng_uniform(&rng);
        double p = odd ? 25 * cos(angle) : 0.1 * wf_rng_normal(&rng);
        double q = odd ? 25 * sin(angle) : 0.1 * wf_rng_normal(&rng);
        double x[4] = {u + p, u - p, v + q, -v + q};
        for (int j = 0; j < 4; j++)
            cols[j].v.f64[r] = x[j] + 10;
        cols[4].v.i64[r] = odd;
    }
    for (int j = 0; j < 5; j++)
        assert_int_equal(tbl_add_column(t, &cols[j], n, NULL), 0);
    json_t *learner = mt_learner("pca-based-anomaly-detection@1",
                                 "{\"number_of_components_to_use_in_pca\": 2, "
                                 "\"enable_input_feature_mean_normalization\": true}");
    json_t *model = train_anomaly(learner, t, NULL);
    /* the label is not a feature */
    const json_t *features = json_object_get(json_object_get(model, "features"), "columns");
    assert_int_equal(json_array_size(features), 4);
    assert_string_equal(json_string_value(json_object_get(json_object_get(model, "label"), "name")),
                        "anomaly");
    tbl_table *scored = score(model, t);
    assert_int_equal(mt_column(scored, "anomaly")->role, TBL_ROLE_LABEL);
    double auc = evaluate(scored, "auc"), recall = evaluate(scored, "recall");
    print_message("    planted anomalies: AUC %.4f, recall at 0.5 %.4f\n", auc, recall);
    assert_true(auc > 0.99);
    assert_true(recall > 0.9);
    tbl_free(scored);
    json_decref(model);
    json_decref(learner);
    tbl_free(t);
}

static void bad_anomaly_inputs_are_refused_clearly(void **state)
{
    (void)state;
    tbl_table *t = mt_csv("x,y\n1,2\n2,3\n3,5\n4,4\n");
    char *error = NULL;
    /* more components than features */
    json_t *learner =
        mt_learner("pca-based-anomaly-detection@1", "{\"number_of_components_to_use_in_pca\": 3}");
    assert_null(train_anomaly(learner, t, &error));
    mt_assert_contains(error, "3 components");
    mt_assert_contains(error, "only 2 features");
    free(error);
    json_decref(learner);
    /* a trained model where a learner belongs */
    learner =
        mt_learner("pca-based-anomaly-detection@1", "{\"number_of_components_to_use_in_pca\": 1}");
    json_t *model = train_anomaly(learner, t, NULL);
    assert_null(train_anomaly(model, t, &error));
    mt_assert_contains(error, "already a trained model");
    free(error);
    /* a range that does not parse */
    mod_ctx ctx;
    assert_true(mt_run_inputs(&ctx, "pca-based-anomaly-detection@1",
                              "{\"create_trainer_mode\": \"parameter-range\", "
                              "\"number_of_components_to_use_in_pca_range\": \"1;x;3\"}",
                              NULL, 0, false) < 0);
    mt_assert_contains(ctx.err.message, "number_of_components_to_use_in_pca_range");
    mod_ctx_clear(&ctx);
    /* scoring data without a feature the model needs */
    tbl_table *other = mt_csv("x,z\n1,2\n");
    mod_value in[2] = {{.kind = MOD_MODEL, .json = model}, {.kind = MOD_TABLE, .table = other}};
    assert_true(mt_run_inputs(&ctx, "score-model@1", "{}", in, 2, false) < 0);
    mt_assert_contains(ctx.err.message, "\"y\"");
    mod_ctx_clear(&ctx);
    tbl_free(other);
    json_decref(model);
    json_decref(learner);
    tbl_free(t);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(pca_subspace_and_scores_match_scikit_learn),
        cmocka_unit_test(uncentred_subspace_matches_truncated_svd),
        cmocka_unit_test(anomalies_are_found_and_evaluated_against_a_label),
        cmocka_unit_test(bad_anomaly_inputs_are_refused_clearly),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
