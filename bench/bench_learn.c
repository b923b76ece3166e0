/*
 * bench_learn.c: Train Model and Score Model as a pipeline runs them, on a
 * table read from CSV: one learner per process, so peak memory is the
 * learner's own.
 *
 *     bench_learn LEARNER TRAIN.csv TEST.csv [REPS]
 *
 * LEARNER is `logistic` (Two-Class Logistic Regression, L2 = 1, no L1) or
 * `trees` (Two-Class Boosted Decision Tree: 100 trees, depth 6, up to 64
 * leaves, learning rate 0.3, one row per leaf). Prints one line of JSON:
 * median seconds to train and to score (Score Model, matrix building and
 * output columns included), the scoring rate in rows/s, the test AUC
 * (Evaluate Model), the table's bytes, and the peak RSS growth while
 * training as a multiple of the table's bytes.
 */
#include "bench_util.h"
#include "modules/modules_int.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* A field of /proc/self/status, in kB ("VmRSS", "VmHWM"). */
static long status_kb(const char *field)
{
    FILE *f = fopen("/proc/self/status", "r");
    char line[256];
    long kb = 0;
    size_t n = strlen(field);
    while (f != NULL && fgets(line, sizeof line, f) != NULL)
        if (strncmp(line, field, n) == 0 && line[n] == ':') kb = atol(line + n + 1);
    if (f != NULL) fclose(f);
    return kb;
}

/* Resets the peak RSS (VmHWM) to the current RSS (Linux 4.0 and later), so
 * that the next peak is the training's own, not the CSV reader's. */
static void reset_peak(void)
{
    FILE *f = fopen("/proc/self/clear_refs", "w");
    if (f != NULL) {
        fputs("5", f);
        fclose(f);
    }
}

int main(int argc, char **argv)
{
    if (argc < 4) {
        fprintf(stderr, "usage: bench_learn logistic|trees TRAIN.csv TEST.csv [REPS]\n");
        return 2;
    }
    const char *learner_ref, *learner_params;
    if (strcmp(argv[1], "logistic") == 0) {
        learner_ref = "two-class-logistic-regression@1";
        learner_params = "{\"l1_regularization_weight\": 0, \"l2_regularization_weight\": 1}";
    } else if (strcmp(argv[1], "trees") == 0) {
        learner_ref = "two-class-boosted-decision-tree@1";
        learner_params = "{\"number_of_trees_constructed\": 100, \"maximum_depth\": 6, "
                         "\"maximum_number_of_leaves_per_tree\": 64, \"learning_rate\": 0.3, "
                         "\"minimum_number_of_samples_per_leaf_node\": 1}";
    } else {
        fprintf(stderr, "bench_learn: unknown learner %s\n", argv[1]);
        return 2;
    }
    int reps = argc > 4 ? atoi(argv[4]) : 3;
    if (reps < 1 || reps > 50) reps = 3;

    tbl_table *train = bench_load(argv[2]), *test = bench_load(argv[3]);
    size_t table_bytes = 0;
    for (size_t j = 0; j < train->ncols; j++)
        table_bytes += tbl_column_bytes(&train->cols[j], train->nrows);
    /* Label role, as Edit Metadata would set it; the CSV reader makes 0/1 an
     * integer column, which is a fine two-class label. */
    mod_ctx lctx;
    bench_run(&lctx, learner_ref, learner_params, NULL, 0);
    json_t *learner = lctx.outputs[0].json;

    double train_s[50], score_s[50];
    reset_peak();
    long rss_before = status_kb("VmRSS"), rss_after = 0;
    json_t *model = NULL;
    for (int r = 0; r < reps; r++) {
        mod_ctx ctx;
        mod_value in[2] = {{.kind = MOD_LEARNER, .json = learner},
                           {.kind = MOD_TABLE, .table = train}};
        double t0 = bench_now();
        bench_run(&ctx, "train-model@1", "{\"label_column\": \"label\"}", in, 2);
        train_s[r] = bench_now() - t0;
        if (r == 0) rss_after = status_kb("VmHWM");
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
    mod_ctx ectx;
    mod_value ein[1] = {{.kind = MOD_TABLE, .table = scored}};
    bench_run(&ectx, "evaluate-model@1", "{}", ein, 1);
    const json_t *metrics =
        json_object_get(json_array_get(json_object_get(ectx.outputs[0].json, "models"), 0),
                        "metrics");
    double auc = json_number_value(json_object_get(metrics, "auc"));
    double train_med = bench_median(train_s, reps), score_med = bench_median(score_s, reps);
    printf("{\"learner\": \"%s\", \"rows\": %zu, \"train_s\": %.4f, \"score_s\": %.4f, "
           "\"score_rows_per_s\": %.0f, \"auc\": %.6f, \"table_bytes\": %zu, "
           "\"train_peak_growth_x\": %.3f}\n",
           argv[1], train->nrows, train_med, score_med, (double)test->nrows / score_med, auc,
           table_bytes, (double)(rss_after - rss_before) * 1024 / (double)table_bytes);
    mod_ctx_clear(&ectx);
    tbl_free(scored);
    json_decref(model);
    mod_ctx_clear(&lctx);
    tbl_free(train);
    tbl_free(test);
    return 0;
}
