/*
 * bench_selection.c: Cross Validate Model and Tune Model Hyperparameters as
 * a pipeline runs them, on a table read from CSV (reading not timed).
 *
 *     bench_selection cv DATA.csv      10-fold CV, Two-Class Logistic Regression
 *                                      (L2 = 1, no L1), folds drawn with seed 0
 *     bench_selection tune DATA.csv    20 random runs of Two-Class Boosted Decision
 *                                      Tree, cross-validated on 5 folds (row r in
 *                                      fold r % 5 + 1), ranked by AUC
 *
 * The thread budget is the environment's (OMP_NUM_THREADS, else the cores).
 * Prints one line of JSON: wall seconds, CPU seconds (user + system, every
 * thread) and their ratio (the cores' worth of work done at once), and the
 * mean AUC over the folds (cv) or the best run's (tune).
 */
#include "bench_util.h"
#include "modules/modules_int.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

static double cpu_seconds(void)
{
    struct rusage u;
    getrusage(RUSAGE_SELF, &u);
    return (double)u.ru_utime.tv_sec + (double)u.ru_utime.tv_usec / 1e6 +
           (double)u.ru_stime.tv_sec + (double)u.ru_stime.tv_usec / 1e6;
}

/* Column `name` of t, row r, as a number. */
static double cell(const tbl_table *t, const char *name, size_t r)
{
    int j = tbl_find_column(t, name);
    if (j < 0) {
        fprintf(stderr, "bench_selection: no column %s\n", name);
        exit(1);
    }
    return t->cols[j].v.f64[r];
}

/* The learner JSON of module ref with params. */
static json_t *learner(const char *ref, const char *params)
{
    mod_ctx ctx;
    bench_run(&ctx, ref, params, NULL, 0);
    json_t *l = json_incref(ctx.outputs[0].json);
    mod_ctx_clear(&ctx);
    return l;
}

static int bench_cv(tbl_table *t)
{
    json_t *l = learner("two-class-logistic-regression@1",
                        "{\"l1_regularization_weight\": 0, \"l2_regularization_weight\": 1}");
    mod_ctx ctx;
    mod_value in[2] = {{.kind = MOD_LEARNER, .json = l}, {.kind = MOD_TABLE, .table = t}};
    double c0 = cpu_seconds(), t0 = bench_now();
    bench_run(&ctx, "cross-validate-model@1", "{\"label_column\": \"label\"}", in, 2);
    double wall = bench_now() - t0, cpu = cpu_seconds() - c0;
    const tbl_table *by_fold = ctx.outputs[1].table;
    printf("{\"module\": \"cross-validate-model\", \"rows\": %zu, \"folds\": %zu, \"wall_s\": "
           "%.3f, \"cpu_s\": %.3f, \"cores_busy\": %.2f, \"mean_auc\": %.6f}\n",
           t->nrows, by_fold->nrows - 2, wall, cpu, cpu / wall,
           cell(by_fold, "AUC", by_fold->nrows - 2));
    mod_ctx_clear(&ctx);
    json_decref(l);
    return 0;
}

static int bench_tune(tbl_table *t)
{
    /* Partition and Sample's folds: row r in fold r % 5 + 1 (the peer's
     * PredefinedSplit). */
    tbl_column fold;
    if (tbl_column_init(&fold, "Fold", TBL_INTEGER, t->nrows, NULL) < 0) return 1;
    fold.role = TBL_ROLE_CLEAR;
    for (size_t r = 0; r < t->nrows; r++)
        fold.v.i64[r] = (int64_t)(r % 5) + 1;
    if (tbl_add_column(t, &fold, t->nrows, NULL) < 0) return 1;
    json_t *l = learner("two-class-boosted-decision-tree@1",
                        "{\"create_trainer_mode\": \"parameter-range\", "
                        "\"maximum_number_of_leaves_per_tree_range\": \"8; 16; 32\", "
                        "\"minimum_number_of_samples_per_leaf_node_range\": \"10\", "
                        "\"learning_rate_range\": \"0.05; 0.1; 0.2; 0.4\", "
                        "\"number_of_trees_constructed_range\": \"20; 50\"}");
    mod_ctx ctx;
    mod_value in[2] = {{.kind = MOD_LEARNER, .json = l}, {.kind = MOD_TABLE, .table = t}};
    double c0 = cpu_seconds(), t0 = bench_now();
    bench_run(&ctx, "tune-model-hyperparameters@1",
        "{\"label_column\": \"label\", \"specify_parameter_sweeping_mode\": \"random-sweep\", "
        "\"maximum_number_of_runs_on_random_sweep\": 20, \"random_seed\": 0, "
        "\"metric_for_measuring_performance_for_classification\": \"auc\"}",
        in, 2);
    double wall = bench_now() - t0, cpu = cpu_seconds() - c0;
    const tbl_table *sweep = ctx.outputs[0].table;
    int leaves = tbl_find_column(sweep, "maximum_number_of_leaves_per_tree");
    int trees = tbl_find_column(sweep, "number_of_trees_constructed");
    printf("{\"module\": \"tune-model-hyperparameters\", \"rows\": %zu, \"runs\": %zu, "
           "\"wall_s\": %.3f, \"cpu_s\": %.3f, \"cores_busy\": %.2f, \"best_auc\": %.6f, "
           "\"best\": {\"max_leaves\": %lld, \"learning_rate\": %g, \"n_estimators\": %lld}}\n",
           t->nrows, sweep->nrows, wall, cpu, cpu / wall, cell(sweep, "AUC", 0),
           (long long)sweep->cols[leaves].v.i64[0], cell(sweep, "learning_rate", 0),
           (long long)sweep->cols[trees].v.i64[0]);
    mod_ctx_clear(&ctx);
    json_decref(l);
    return 0;
}

int main(int argc, char **argv)
{
    if (argc < 3 || (strcmp(argv[1], "cv") != 0 && strcmp(argv[1], "tune") != 0)) {
        fprintf(stderr, "usage: bench_selection cv|tune DATA.csv\n");
        return 2;
    }
    tbl_table *t = bench_load(argv[2]);
    int rc = strcmp(argv[1], "cv") == 0 ? bench_cv(t) : bench_tune(t);
    tbl_free(t);
    return rc;
}
