/*
 * selection.h: what the model-selection modules share (selection.c and
 * selection_metrics.c): Cross Validate Model (cross_validate.c), Tune Model
 * Hyperparameters (tune.c) and Permutation Feature Importance
 * (permutation.c).
 *
 * - Tasks: independent pieces of work (a fold, a sweep run, a permuted
 *   feature) spread over the step's threads. Each task runs with a context
 *   of its own, and its log and error are handed to the step's context in
 *   task order once every task has ended, so what a step outputs, logs and
 *   fails with never depends on the number of threads.
 * - Folds: Partition and Sample's `Fold` column when the table has one,
 *   else folds drawn from a seed.
 * - Evaluation: a model's scores on a table, measured by Evaluate Model
 *   itself, and the metrics people choose from.
 *
 *     mod__folds folds;
 *     mod__folds_make(ctx, t, 10, seed, &folds);
 *     mod__run_tasks(ctx, folds.count, mod__thread_budget(ctx), fit_fold, name_fold, &state, true);
 *
 * - Job arrays (#12): on a Slurm target the same tasks may run as the jobs
 *   of an array, each saving its results for a gather (mod__run_task_set).
 */
#ifndef WEFT_MODULES_SELECTION_H
#define WEFT_MODULES_SELECTION_H

#include "modules_int.h"

/* ---- tasks on several threads (selection.c) --------------------------------- */

/* The threads a module may use: ctx->threads when set (a task's share of
 * its step's budget), else OMP_NUM_THREADS when it is a positive number (the
 * knob that also bounds XGBoost's and OpenBLAS's threads), else the cores
 * online; at most 64. */
size_t mod__thread_budget(const mod_ctx *ctx);

/* Task k of n. `task` is a context of its own: the step's module, node and
 * cancel flag, its log kept apart. It must not touch the step's context, only
 * its own and its item of arg. 0 or a negative code with task->err set. */
typedef int (*mod__task_fn)(mod_ctx *task, void *arg, size_t k);
/* Names task k for people ("fold 3", "run 7"). */
typedef void (*mod__task_name_fn)(void *arg, size_t k, char *buf, size_t cap);

/* Runs fn for every k in [0, n) on up to `threads` threads (the calling
 * thread included; tasks start in order of k). The first failure stops
 * tasks from starting. Afterwards, with keep_logs, each task's log lines go
 * to ctx's log in order of k, prefixed with its name. Returns 0, or the
 * failure of the lowest k that failed, in ctx->err prefixed with its name;
 * since tasks start in order, that is the same failure whatever the thread
 * count. Progress is reported as tasks end. */
int mod__run_tasks(mod_ctx *ctx, size_t n, size_t threads, mod__task_fn fn, mod__task_name_fn name,
                   void *arg, bool keep_logs);

/* ---- tasks as a job array (selection.c, #12) -------------------------------
 *
 * A step on a Slurm target may run its tasks as a job array, in three parts
 * that each run the module from its start (the engine says which part
 * through ctx->fanout_dir and ctx->fanout_job, modules.h):
 *
 * 1. the plan: mod__run_task_set runs no task; it sets ctx->fanout_jobs to
 *    the number of jobs and fails with WF_ECANCELED, so the module stops
 *    there (as it stops on any failure) and the step ends with no outputs;
 * 2. job k of the array: it runs job k's tasks only (per_job consecutive
 *    tasks), saves each task's result with `save` into a directory of its
 *    own (fanout_dir/<task>/, with the task's log lines), sets
 *    ctx->fanout_jobs to 1 and fails with WF_ECANCELED;
 * 3. the gather: it runs nothing, loads every task's result with `load`
 *    (and hands on its log lines as mod__run_tasks does) and returns 0; the
 *    module goes on to its outputs as if it had run the tasks itself.
 *
 * Tasks are deterministic and the module runs the same code before its
 * tasks in every part, so the gathered results are those an ordinary run
 * computes. A set without save and load, or with fewer than two jobs,
 * always runs here. */

/* The most jobs an array gets; more tasks share jobs (per_job grows by
 * whole multiples, so a sweep run's folds stay together). */
#define MOD__FANOUT_MAX_JOBS 1000

/* ctx->fanout_job of the plan and of the gather (job k is k >= 0). */
#define MOD__FANOUT_PLAN (-1)
#define MOD__FANOUT_GATHER (-2)

/* Saves task k's result (what the task function left in arg) as files in
 * dir, which exists and is the task's own; loads them back into arg in the
 * gather. 0 or a negative code with ctx->err set. */
typedef int (*mod__task_save_fn)(mod_ctx *ctx, void *arg, size_t k, const char *dir);
typedef int (*mod__task_load_fn)(mod_ctx *ctx, void *arg, size_t k, const char *dir);

typedef struct mod__task_set {
    size_t n;       /* tasks */
    size_t per_job; /* tasks per job of an array, kept together (a sweep run's folds); 0: 1 */
    size_t threads; /* as mod__run_tasks's */
    mod__task_fn run;
    mod__task_name_fn name;
    mod__task_save_fn save; /* both NULL: never a job array */
    mod__task_load_fn load;
    void *arg;
    bool keep_logs;
} mod__task_set;

/* mod__run_tasks, or the part of a job array that ctx says (above). */
int mod__run_task_set(mod_ctx *ctx, const mod__task_set *set);

/* A task's result files: a table in the native format, a JSON value. The
 * table loaded is the same, bit for bit, as the one saved. */
int mod__task_save_table(mod_ctx *ctx, const char *dir, const char *name, const tbl_table *t);
int mod__task_load_table(mod_ctx *ctx, const char *dir, const char *name, tbl_table **out);
int mod__task_save_json(mod_ctx *ctx, const char *dir, const char *name,
                        const struct json_t *value);
int mod__task_load_json(mod_ctx *ctx, const char *dir, const char *name, struct json_t **out);

/* ---- folds (selection.c) -------------------------------------------------- */

/* The column Partition and Sample writes in assign-to-folds mode. */
#define MOD__FOLD_COLUMN "Fold"

/* Rows grouped into folds. */
typedef struct mod__folds {
    size_t count;     /* folds */
    int64_t *number;  /* count: each fold's number as people see it (1, 2, ...) */
    size_t *start;    /* count + 1: fold f's rows are rows[start[f] .. start[f + 1]) */
    size_t *rows;     /* every row, fold by fold, ascending within a fold */
    int32_t *fold_of; /* per row: its fold (an index into number) */
} mod__folds;

/* The folds of t. When t has an integer `Fold` column (Partition and
 * Sample's assign-to-folds) its values are the folds: at least two
 * distinct ones, none missing. Otherwise `nfolds` folds are drawn: the rows
 * shuffled with `seed` (Fisher-Yates on SplitMix64) and dealt out in turn,
 * so fold sizes differ by at most one; fewer rows than folds is an error.
 * Clear *out with mod__folds_clear. */
int mod__folds_make(mod_ctx *ctx, const tbl_table *t, size_t nfolds, uint64_t seed,
                    mod__folds *out);
/* The rows of every other fold (*train) and of fold f (*test), each in table
 * order. The caller frees both. */
int mod__fold_tables(mod_ctx *ctx, const tbl_table *t, const mod__folds *folds, size_t f,
                     tbl_table **train, tbl_table **test);
void mod__folds_clear(mod__folds *folds); /* accepts a zeroed struct */

/* ---- learners ------------------------------------------------------------ */

/* The spec of a learner JSON on input `port` that Train Model can train: a
 * learner (not a trained model), regression or classification. */
int mod__supervised_learner(mod_ctx *ctx, const struct json_t *learner, const char *port,
                            const mod__learner_spec **spec);

/* ---- evaluation and metrics (selection_metrics.c) ------------------------ */

/* Evaluates a scored table (Score Model's columns, the truth with the label
 * role) with Evaluate Model itself. *evaluation holds the report's figures
 * ({"metrics": {...}}, and "per_class" for several classes; the caller
 * decrefs), not its curves. */
int mod__evaluate_scored(mod_ctx *ctx, const tbl_table *scored, struct json_t **evaluation);

/* Scores t with m and evaluates the scores against t's column m->label,
 * which must be there. With scores non-NULL, *scores gets the score columns
 * alone (Score Model without append; the caller frees them). */
int mod__evaluate_model(mod_ctx *ctx, const mod__model *m, const tbl_table *t, tbl_table **scores,
                        struct json_t **evaluation);

/* The metrics a person may choose to measure a model by. */
typedef enum mod__metric {
    MOD__METRIC_ACCURACY = 0,
    MOD__METRIC_PRECISION,
    MOD__METRIC_RECALL,
    MOD__METRIC_F_SCORE,
    MOD__METRIC_AUC,
    MOD__METRIC_LOG_LOSS,
    MOD__METRIC_MAE, /* the first regression metric */
    MOD__METRIC_RMSE,
    MOD__METRIC_RAE,
    MOD__METRIC_RSE,
    MOD__METRIC_R2,
} mod__metric;

/* Enum choices, in mod__metric order: classification (accuracy ..
 * log-loss), regression (mean-absolute-error .. coefficient-of-
 * determination) and both. NULL-terminated. */
extern const char *const mod__classification_metric_choices[];
extern const char *const mod__regression_metric_choices[];
extern const char *const mod__metric_choices[];

/* The metric's enum value ("auc") and its name in tables ("AUC"). */
const char *mod__metric_choice(mod__metric metric);
const char *mod__metric_name(mod__metric metric);
bool mod__metric_higher_is_better(mod__metric metric);

/* Whether metric can measure a model of `task`: a field error on `field`
 * when not (a regression metric for a classifier, AUC for several classes,
 * any metric for clustering). */
int mod__metric_check(mod_ctx *ctx, const char *field, mod__metric metric, ml_task task);

/* The metric's value in an evaluation of a `task` model: the report's figure,
 * or for F-score over several classes the mean per-class F1 (scikit-learn's
 * macro F1). NaN when undefined (a precision with nothing predicted
 * positive). */
double mod__metric_value(mod__metric metric, ml_task task, const struct json_t *evaluation);

/* The column name people see for a report metric key ("auc": "AUC",
 * "mean_absolute_error": "Mean Absolute Error"); an unknown key is its own
 * name. */
const char *mod__metric_column(const char *key);

/* An evaluation-shaped object ({"metrics": {...}}) holding, for every number
 * in evals[0]'s metrics, its mean over evals[0..n) (or, with sd, its sample
 * standard deviation), nulls skipped; null when no value (or, for sd, fewer
 * than two) is defined. NULL on OOM. */
struct json_t *mod__metrics_summary(struct json_t *const *evals, size_t n, bool sd);

/* Appends to out (of n rows) one numeric column per number in evals[0]'s
 * metrics, but the counts (rows, positives) and the threshold, named by
 * mod__metric_column; row i from evals[i], null as missing. */
int mod__add_metric_columns(mod_ctx *ctx, tbl_table *out, struct json_t *const *evals, size_t n);

#endif
