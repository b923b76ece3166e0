/*
 * cross_validate.c: Cross Validate Model. k-fold cross-validation (Stone,
 * "Cross-validatory choice and assessment of statistical predictions",
 * J. R. Stat. Soc. B 36, 1974; Kohavi, "A study of cross-validation and
 * bootstrap for accuracy estimation and model selection", IJCAI 1995): the
 * rows are split into k folds; for each fold a model is trained on the other
 * k - 1 and scores the fold's rows, so every row is scored by a model that
 * never saw it.
 *
 * Folds come from Partition and Sample (its `Fold` column) or are drawn
 * from the seed, 10 of them, as the Azure designer does (selection.c).
 * Training goes through Train Model's own code (mod__train_supervised),
 * scoring through Score Model's (mod__score_table) and measuring through
 * Evaluate Model's, so the figures are those the three modules would give
 * on the same rows. Folds train side by side, one per thread of the step's
 * budget; each fold's learner uses the learner's own seed, so the results do
 * not depend on how many threads ran. On a Slurm target the folds may run as
 * a job array, one job per fold (selection.h).
 */
#include "selection.h"

#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CV_FOLDS 10
#define CV_FOLD_NUMBER "Fold Number"

static const mod_port cv_in[] = {
    {.name = "untrained_model",
     .kind = MOD_LEARNER,
     .help = "A regression or classification learner, such as Two-Class Logistic Regression."},
    {.name = "dataset",
     .kind = MOD_TABLE,
     .help = "Labelled rows; with a \"Fold\" column from Partition and Sample, its folds."},
};

static const mod_port cv_out[] = {
    {.name = "scored_results",
     .kind = MOD_TABLE,
     .help = "Every row, scored by the model of the fold that left it out, with its \"Fold "
             "Number\"."},
    {.name = "evaluation_results_by_fold",
     .kind = MOD_TABLE,
     .help = "The metrics of each fold, then their mean and standard deviation."},
};

static const mod_param cv_params[] = {
    {.name = "label_column",
     .label = "Label column",
     .type = MOD_PARAM_COLUMN,
     .required = true,
     .input = "dataset",
     .help = "The column to predict."},
    {.name = "random_seed",
     .label = "Random seed",
     .type = MOD_PARAM_INT,
     .default_json = "0",
     .has_min = true,
     .min = 0,
     .help = "Seeds the assignment of rows to folds when the dataset has no \"Fold\" column. "
             "The learner's own seed seeds its training."},
};

/* ---- one fold ------------------------------------------------------------- */

typedef struct cv_state {
    const json_t *learner;
    const tbl_table *data;
    size_t label;
    mod__folds folds;
    tbl_table **scores;  /* per fold: the score columns of its rows */
    json_t **evaluation; /* per fold: Evaluate Model's figures */
} cv_state;

static void cv_fold_name(void *arg, size_t k, char *buf, size_t cap)
{
    const cv_state *s = arg;
    snprintf(buf, cap, "fold %lld", (long long)s->folds.number[k]);
}

/* Trains on every other fold, scores and measures fold f. */
static int cv_fold(mod_ctx *task, void *arg, size_t f)
{
    cv_state *s = arg;
    tbl_table *train = NULL, *test = NULL;
    int rc = mod__fold_tables(task, s->data, &s->folds, f, &train, &test);
    if (rc < 0) return rc;
    mod__model m;
    rc = mod__train_supervised(task, s->learner, train, s->label, &m);
    tbl_free(train);
    if (rc == 0) {
        rc = mod__evaluate_model(task, &m, test, &s->scores[f], &s->evaluation[f]);
        mod__model_clear(&m);
    }
    tbl_free(test);
    return rc;
}

/* A fold in a job array (selection.h): its score columns and its figures
 * travel from its job to the gather as files. */
static int cv_save_fold(mod_ctx *ctx, void *arg, size_t f, const char *dir)
{
    cv_state *s = arg;
    int rc = mod__task_save_table(ctx, dir, "scores", s->scores[f]);
    if (rc == 0) rc = mod__task_save_json(ctx, dir, "evaluation", s->evaluation[f]);
    return rc;
}

static int cv_load_fold(mod_ctx *ctx, void *arg, size_t f, const char *dir)
{
    cv_state *s = arg;
    int rc = mod__task_load_table(ctx, dir, "scores", &s->scores[f]);
    if (rc == 0) rc = mod__task_load_json(ctx, dir, "evaluation", &s->evaluation[f]);
    if (rc == 0 && s->scores[f]->nrows != s->folds.start[f + 1] - s->folds.start[f])
        rc = mod_fail(ctx, WF_ECORRUPT, "its scores have %zu rows, not the fold's %zu",
                      s->scores[f]->nrows, s->folds.start[f + 1] - s->folds.start[f]);
    return rc;
}

/* ---- the scored results ---------------------------------------------------- */

/* Gives every fold's scores the same columns: a model whose training folds
 * lacked a class has no probability column for it (its probability is 0),
 * and any other column a fold lacks is missing there. */
static int cv_align(mod_ctx *ctx, tbl_table **scores, size_t k)
{
    for (size_t a = 0; a < k; a++)
        for (size_t j = 0; j < scores[a]->ncols; j++) {
            const char *name = scores[a]->cols[j].name;
            for (size_t b = 0; b < k; b++) {
                if (tbl_find_column(scores[b], name) >= 0) continue;
                size_t n = scores[b]->nrows;
                bool probability = strncmp(name, "Scored Probabilities_", 21) == 0;
                wf_error err = {0};
                tbl_column c;
                if (tbl_column_init(&c, name, TBL_NUMERIC, n, &err) < 0)
                    return mod_fail_with(ctx, &err);
                c.role = TBL_ROLE_SCORE;
                int rc = 0;
                for (size_t r = 0; rc == 0 && !probability && r < n; r++)
                    if (tbl_set_missing(&c, r, n) < 0)
                        rc = mod_fail(ctx, WF_ENOMEM, "out of memory");
                if (rc == 0 && tbl_add_column(scores[b], &c, n, &err) < 0)
                    rc = mod_fail_with(ctx, &err);
                if (rc < 0) {
                    tbl_column_clear(&c);
                    return rc;
                }
            }
        }
    return 0;
}

/* The folds' scores as one table, rows fold by fold (folds.rows order):
 * merged pairwise, so each row is copied about log2(k) times. */
static int cv_concat(mod_ctx *ctx, tbl_table **scores, size_t k, tbl_table **out)
{
    wf_error err = {0};
    for (size_t step = 1; step < k; step *= 2)
        for (size_t a = 0; a + step < k; a += 2 * step) {
            tbl_table *both = NULL;
            if (tbl_concat_rows(scores[a], scores[a + step], &both, &err) < 0)
                return mod_fail_with(ctx, &err);
            tbl_free(scores[a]);
            tbl_free(scores[a + step]);
            scores[a] = both;
            scores[a + step] = NULL;
        }
    *out = scores[0];
    scores[0] = NULL;
    return 0;
}

/* Scored results: the input's columns (shared, the label marked as Score
 * Model marks it, earlier score columns of the same names dropped), the
 * score columns in the input's row order, and `Fold Number`. */
static int cv_scored_results(mod_ctx *ctx, cv_state *s, tbl_table **out)
{
    const tbl_table *t = s->data;
    size_t n = t->nrows, k = s->folds.count;
    tbl_table *joined = NULL, *ordered = NULL, *res = NULL;
    size_t *position = wf_mallocarray(n + 1, sizeof *position);
    int rc = position == NULL ? mod_fail(ctx, WF_ENOMEM, "out of memory") : 0;
    if (rc == 0) rc = cv_align(ctx, s->scores, k);
    if (rc == 0) rc = cv_concat(ctx, s->scores, k, &joined);
    wf_error err = {0};
    if (rc == 0) {
        /* Row r of the input is row position[r] of the joined scores. */
        for (size_t i = 0; i < n; i++)
            position[s->folds.rows[i]] = i;
        if (tbl_take(joined, position, n, &ordered, &err) < 0) rc = mod_fail_with(ctx, &err);
    }
    if (rc == 0 && (res = tbl_new()) == NULL) rc = mod_fail(ctx, WF_ENOMEM, "out of memory");
    for (size_t j = 0; rc == 0 && j < t->ncols; j++) {
        const char *name = t->cols[j].name;
        if (tbl_find_column(ordered, name) >= 0 || strcmp(name, CV_FOLD_NUMBER) == 0) continue;
        tbl_column c;
        if (tbl_column_share(&c, &t->cols[j], &err) < 0) {
            rc = mod_fail_with(ctx, &err);
            break;
        }
        if (j == s->label) c.role = TBL_ROLE_LABEL;
        if (tbl_add_column(res, &c, n, &err) < 0) {
            tbl_column_clear(&c);
            rc = mod_fail_with(ctx, &err);
        }
    }
    /* tbl_add_column takes each score column's buffers over. */
    for (size_t j = 0; rc == 0 && j < ordered->ncols; j++)
        if (tbl_add_column(res, &ordered->cols[j], n, &err) < 0) rc = mod_fail_with(ctx, &err);
    tbl_column fold = {0};
    if (rc == 0 && tbl_column_init(&fold, CV_FOLD_NUMBER, TBL_INTEGER, n, &err) < 0)
        rc = mod_fail_with(ctx, &err);
    if (rc == 0) {
        /* Clear, as Partition and Sample's `Fold`: learners downstream ignore it. */
        fold.role = TBL_ROLE_CLEAR;
        for (size_t r = 0; r < n; r++)
            fold.v.i64[r] = s->folds.number[s->folds.fold_of[r]];
        if (tbl_add_column(res, &fold, n, &err) < 0) rc = mod_fail_with(ctx, &err);
    }
    tbl_column_clear(&fold);
    tbl_free(joined);
    tbl_free(ordered);
    free(position);
    if (rc < 0) {
        tbl_free(res);
        return rc;
    }
    res->nrows = n;
    *out = res;
    return 0;
}

/* ---- the metrics by fold ------------------------------------------------------ */

/* One row per fold, then "Mean" and "Standard Deviation" (the sample
 * standard deviation over the folds where a metric is defined). */
static int cv_metrics_table(mod_ctx *ctx, cv_state *s, tbl_table **out)
{
    size_t k = s->folds.count, rows = k + 2;
    json_t **evals = wf_calloc(rows, sizeof *evals);
    tbl_table *res = tbl_new();
    wf_error err = {0};
    tbl_column names = {0}, counts = {0};
    int rc = evals == NULL || res == NULL ? mod_fail(ctx, WF_ENOMEM, "out of memory") : 0;
    if (rc == 0) {
        memcpy(evals, s->evaluation, k * sizeof *evals);
        evals[k] = mod__metrics_summary(s->evaluation, k, false);
        evals[k + 1] = mod__metrics_summary(s->evaluation, k, true);
        if (evals[k] == NULL || evals[k + 1] == NULL)
            rc = mod_fail(ctx, WF_ENOMEM, "out of memory");
    }
    if (rc == 0 &&
        (tbl_column_init(&names, CV_FOLD_NUMBER, TBL_STRING, 0, &err) < 0 ||
         tbl_column_init(&counts, "Number of examples in fold", TBL_NUMERIC, rows, &err) < 0))
        rc = mod_fail_with(ctx, &err);
    if (rc == 0) {
        tbl_strings_builder b = {0};
        double sum = 0, sq = 0;
        for (size_t f = 0; f < k; f++) {
            char text[32];
            int len = snprintf(text, sizeof text, "%lld", (long long)s->folds.number[f]);
            tbl_strings_append(&b, text, (size_t)len);
            counts.v.f64[f] = (double)(s->folds.start[f + 1] - s->folds.start[f]);
            sum += counts.v.f64[f];
        }
        tbl_strings_append(&b, "Mean", 4);
        tbl_strings_append(&b, "Standard Deviation", 18);
        double mean = sum / (double)k;
        for (size_t f = 0; f < k; f++)
            sq += (counts.v.f64[f] - mean) * (counts.v.f64[f] - mean);
        counts.v.f64[k] = mean;
        counts.v.f64[k + 1] = sqrt(sq / (double)(k - 1));
        tbl_strings_clear(&names.str);
        if (tbl_strings_finish(&b, &names.str) < 0) rc = mod_fail(ctx, WF_ENOMEM, "out of memory");
    }
    if (rc == 0 && tbl_add_column(res, &names, rows, &err) < 0) rc = mod_fail_with(ctx, &err);
    if (rc == 0 && tbl_add_column(res, &counts, rows, &err) < 0) rc = mod_fail_with(ctx, &err);
    if (rc == 0) rc = mod__add_metric_columns(ctx, res, evals, rows);
    tbl_column_clear(&names);
    tbl_column_clear(&counts);
    if (evals != NULL) {
        json_decref(evals[k]);
        json_decref(evals[k + 1]);
    }
    free(evals);
    if (rc < 0) {
        tbl_free(res);
        return rc;
    }
    *out = res;
    return 0;
}

/* ---- the module ------------------------------------------------------------------ */

static void cv_state_clear(cv_state *s)
{
    for (size_t f = 0; f < s->folds.count; f++) {
        if (s->scores != NULL) tbl_free(s->scores[f]);
        if (s->evaluation != NULL) json_decref(s->evaluation[f]);
    }
    free(s->scores);
    free(s->evaluation);
    mod__folds_clear(&s->folds);
}

static int cv_run(mod_ctx *ctx)
{
    cv_state s = {.learner = mod_input_json(ctx, "untrained_model"),
                  .data = mod_input_table(ctx, "dataset")};
    const mod__learner_spec *spec;
    int64_t seed = 0;
    int rc = mod__supervised_learner(ctx, s.learner, "untrained_model", &spec);
    if (rc == 0 && s.data == NULL) rc = mod_fail(ctx, WF_EINVAL, "input \"dataset\" is missing");
    if (rc == 0) rc = mod__column_param(ctx, "label_column", s.data, &s.label);
    if (rc == 0) rc = mod_param_int(ctx, "random_seed", &seed);
    if (rc == 0) rc = mod__folds_make(ctx, s.data, CV_FOLDS, (uint64_t)seed, &s.folds);
    if (rc < 0) return rc;
    size_t k = s.folds.count;
    s.scores = wf_calloc(k, sizeof *s.scores);
    s.evaluation = wf_calloc(k, sizeof *s.evaluation);
    if (s.scores == NULL || s.evaluation == NULL) rc = mod_fail(ctx, WF_ENOMEM, "out of memory");
    size_t threads = mod__thread_budget(ctx);
    if (rc == 0)
        mod_log(ctx, "%zu rows in %zu folds (%s), %s, up to %zu folds at once", s.data->nrows, k,
                tbl_find_column(s.data, MOD__FOLD_COLUMN) >= 0 ? "from the \"Fold\" column"
                                                               : "drawn from the seed",
                spec->name, threads < k ? threads : k);
    mod__task_set folds = {.n = k,
                           .threads = threads,
                           .run = cv_fold,
                           .name = cv_fold_name,
                           .save = cv_save_fold,
                           .load = cv_load_fold,
                           .arg = &s,
                           .keep_logs = true};
    if (rc == 0) rc = mod__run_task_set(ctx, &folds);
    tbl_table *scored = NULL, *by_fold = NULL;
    if (rc == 0) rc = cv_metrics_table(ctx, &s, &by_fold);
    if (rc == 0) rc = cv_scored_results(ctx, &s, &scored);
    cv_state_clear(&s);
    if (rc < 0) {
        tbl_free(by_fold);
        return rc;
    }
    if ((rc = mod_output_table(ctx, "scored_results", scored)) < 0) {
        tbl_free(by_fold);
        return rc;
    }
    return mod_output_table(ctx, "evaluation_results_by_fold", by_fold);
}

/* Both outputs depend on the learner's task and classes, which configure
 * does not see; it checks the label column. */
static int cv_configure(mod_ctx *ctx)
{
    const tbl_table *in = mod_input_table(ctx, "dataset");
    size_t label;
    return in != NULL ? mod__column_param(ctx, "label_column", in, &label) : 0;
}

const mod_descriptor mod_cross_validate_model = {
    .name = "cross-validate-model",
    .version = 1,
    .display_name = "Cross Validate Model",
    .category = "Model Scoring and Evaluation",
    .help = "Estimates how well a learner generalises, and how much that varies with the data, "
            "by k-fold cross-validation: the rows are split into folds, and for each fold a "
            "model is trained on the other folds and scores the fold's rows.\n\n"
            "- **Folds**: 10, drawn at random with `random_seed` (sizes differ by at most one "
            "row), unless the dataset has a `Fold` column from Partition and Sample "
            "(assign-to-folds), whose folds are used as they are. Fewer rows than folds is an "
            "error.\n"
            "- **Scored results**: every input row, in input order, with the score columns of "
            "Score Model from the model that did not see it, and `Fold Number` (clear role). "
            "Connect it to Evaluate Model for figures over all rows.\n"
            "- **Evaluation results by fold**: one row per fold (`Fold Number`, `Number of "
            "examples in fold` and Evaluate Model's metrics for the fold's rows), then a `Mean` "
            "row and a `Standard Deviation` row (the sample standard deviation over the "
            "folds).\n\n"
            "Training, scoring and measuring are Train Model's, Score Model's and Evaluate "
            "Model's own. Folds train in parallel, up to the step's thread budget "
            "(`OMP_NUM_THREADS` when set, else every core); results do not depend on it.\n\n"
            "## Example\n\n"
            "Connect Two-Class Logistic Regression to `untrained_model` and a labelled table to "
            "`dataset`:\n\n"
            "```json\n{\"label_column\": \"class\", \"random_seed\": 42}\n```",
    MOD_PORTS(inputs, cv_in),
    MOD_PORTS(outputs, cv_out),
    MOD_PARAMS(cv_params),
    .configure = cv_configure,
    .run = cv_run,
};
