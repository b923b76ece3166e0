/*
 * bench_learners3.c: the learners of issue #6 as a pipeline runs them
 * (the learner, Train Model or Train Anomaly Detection Model, Score Model,
 * Evaluate Model), on tables read from CSV; one learner per process.
 *
 *     bench_learners3 LEARNER TRAIN.csv TEST.csv [REPS]
 *
 * LEARNER and its label:
 *   poisson     Poisson Regression, L2 = 1e-3 x rows, no L1     `count`
 *   network     Two-Class Neural Network: 100 hidden nodes, rate 0.1,
 *               10 passes, minibatch 32, momentum 0, min-max   `label`
 *   perceptron  Two-Class Averaged Perceptron: rate 1, 10 passes `label`
 *   qforest     Fast Forest Quantile Regression: 100 trees of 20 leaves,
 *               10 rows a leaf, fractions 0.7, quantiles 0.1/0.5/0.9 `count`
 *   pca         PCA-Based Anomaly Detection: 2 components, oversampling 2,
 *               centred (no label; the metric is the mean score)
 *
 * Prints one line of JSON: median seconds to train and to score (Score
 * Model, matrix building and output columns included), and the test metric
 * (AUC, R^2 of Scored Labels, or the mean anomaly score).
 */
#include "bench_util.h"
#include "modules/modules_int.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

typedef struct bench_case {
    const char *name, *ref, *params, *label, *metric;
} bench_case;

static const bench_case cases[] = {
    {"poisson", "poisson-regression@1", NULL, "count", "coefficient_of_determination"},
    {"network", "two-class-neural-network@1",
     "{\"number_of_hidden_nodes\": \"100\", \"learning_rate\": 0.1, "
     "\"number_of_learning_iterations\": 10, \"minibatch_size\": 32, \"the_momentum\": 0}",
     "label", "auc"},
    {"perceptron", "two-class-averaged-perceptron@1",
     "{\"learning_rate\": 1, \"maximum_number_of_iterations\": 10}", "label", "auc"},
    {"qforest", "fast-forest-quantile-regression@1",
     "{\"number_of_trees\": 100, \"number_of_leaves\": 20, "
     "\"minimum_number_of_training_instances_required_to_form_a_leaf\": 10, "
     "\"quantiles_to_be_estimated\": \"0.1; 0.5; 0.9\"}",
     "count", "coefficient_of_determination"},
    {"pca", "pca-based-anomaly-detection@1",
     "{\"number_of_components_to_use_in_pca\": 2, "
     "\"oversampling_parameter_for_randomized_pca\": 2, "
     "\"enable_input_feature_mean_normalization\": true}",
     NULL, NULL},
};

int main(int argc, char **argv)
{
    const bench_case *c = NULL;
    for (size_t i = 0; argc > 1 && i < sizeof cases / sizeof cases[0]; i++)
        if (strcmp(argv[1], cases[i].name) == 0) c = &cases[i];
    if (argc < 4 || c == NULL) {
        fprintf(stderr, "usage: bench_learners3 poisson|network|perceptron|qforest|pca TRAIN.csv "
                        "TEST.csv [REPS]\n");
        return 2;
    }
    int reps = argc > 4 ? atoi(argv[4]) : 3;
    if (reps < 1 || reps > 50) reps = 3;
    tbl_table *train = bench_load(argv[2]), *test = bench_load(argv[3]);
    if (c->label == NULL) { /* anomaly detection: no label */
        int j = tbl_find_column(train, "label");
        if (j >= 0) tbl_drop_column(train, (size_t)j);
        if ((j = tbl_find_column(test, "label")) >= 0) tbl_drop_column(test, (size_t)j);
    }
    char params[512];
    if (c->params == NULL) /* Poisson: scikit-learn's alpha = 1e-3 */
        snprintf(params, sizeof params,
                 "{\"l1_regularization_weight\": 0, \"l2_regularization_weight\": %g}",
                 1e-3 * (double)train->nrows);
    else
        snprintf(params, sizeof params, "%s", c->params);
    mod_ctx lctx;
    bench_run(&lctx, c->ref, params, NULL, 0);
    json_t *learner = lctx.outputs[0].json;

    double train_s[50], score_s[50];
    json_t *model = NULL;
    char train_params[128];
    snprintf(train_params, sizeof train_params, "{\"label_column\": \"%s\"}",
             c->label ? c->label : "");
    for (int r = 0; r < reps; r++) {
        mod_ctx ctx;
        mod_value in[2] = {{.kind = MOD_LEARNER, .json = learner},
                           {.kind = MOD_TABLE, .table = train}};
        double t0 = bench_now();
        if (c->label != NULL)
            bench_run(&ctx, "train-model@1", train_params, in, 2);
        else
            bench_run(&ctx, "train-anomaly-detection-model@1", "{}", in, 2);
        train_s[r] = bench_now() - t0;
        json_decref(model);
        model = json_incref(ctx.outputs[0].json);
        mod_ctx_clear(&ctx);
    }
    tbl_table *scored = NULL;
    for (int r = 0; r < reps; r++) {
        mod_ctx ctx;
        mod_value in[2] = {{.kind = MOD_MODEL, .json = model}, {.kind = MOD_TABLE, .table = test}};
        double t0 = bench_now();
        bench_run(&ctx, "score-model@1", "{}", in, 2);
        score_s[r] = bench_now() - t0;
        tbl_free(scored);
        scored = ctx.outputs[0].table;
        ctx.outputs[0].table = NULL;
        mod_ctx_clear(&ctx);
    }
    double metric = 0;
    if (c->metric != NULL) {
        mod_ctx ectx;
        mod_value ein[1] = {{.kind = MOD_TABLE, .table = scored}};
        bench_run(&ectx, "evaluate-model@1", "{}", ein, 1);
        const json_t *m = json_object_get(
            json_array_get(json_object_get(ectx.outputs[0].json, "models"), 0), "metrics");
        metric = json_number_value(json_object_get(m, c->metric));
        mod_ctx_clear(&ectx);
    } else {
        int j = tbl_find_column(scored, "Scored Probabilities");
        for (size_t r = 0; j >= 0 && r < scored->nrows; r++)
            metric += scored->cols[j].v.f64[r] / (double)scored->nrows;
    }
    printf("{\"learner\": \"%s\", \"rows\": %zu, \"train_s\": %.4f, \"score_s\": %.4f, "
           "\"metric\": %.6f}\n",
           c->name, train->nrows, bench_median(train_s, reps), bench_median(score_s, reps), metric);
    tbl_free(scored);
    json_decref(model);
    mod_ctx_clear(&lctx);
    tbl_free(train);
    tbl_free(test);
    return 0;
}
