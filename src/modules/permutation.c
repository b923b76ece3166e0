/*
 * permutation.c: Permutation Feature Importance. A feature's importance is
 * how much worse the model does when that feature's values are shuffled
 * among the rows, which breaks its link with the label while keeping its
 * distribution (Breiman, "Random forests", Machine Learning 45, 2001, section
 * 10; as a measure for any model, Fisher, Rudin and Dominici, "All models are
 * wrong, but many are useful", JMLR 20, 2019).
 *
 * The model scores the test rows as Score Model does and is measured as
 * Evaluate Model measures it (selection_metrics.c): once as given, then once
 * per feature column of the model with that column permuted. The score is
 * the loss of quality: baseline minus permuted for metrics where higher is
 * better, permuted minus baseline for errors, so a positive score always
 * means the model relies on the feature. One permutation per feature, as in
 * the Azure designer, each drawn from its own seed (taken in feature order
 * from `random_seed`), so the features are permuted in parallel and the
 * scores do not depend on the thread count.
 */
#include "selection.h"

#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const mod_port pfi_in[] = {
    {.name = "trained_model",
     .kind = MOD_MODEL,
     .help = "A trained regression or classification model."},
    {.name = "test_data",
     .kind = MOD_TABLE,
     .help = "Rows to measure the model on, with the model's label column."},
};

static const mod_port pfi_out[] = {
    {.name = "feature_importance",
     .kind = MOD_TABLE,
     .help = "`Feature Name` and `Score` (the loss of quality when the feature is shuffled), "
             "most important first."},
};

static const mod_param pfi_params[] = {
    {.name = "random_seed",
     .label = "Random seed",
     .type = MOD_PARAM_INT,
     .default_json = "0",
     .has_min = true,
     .min = 0,
     .help = "Seeds the permutations."},
    {.name = "metric_for_measuring_performance",
     .label = "Metric for measuring performance",
     .type = MOD_PARAM_ENUM,
     .choices = mod__metric_choices,
     .default_json = "\"accuracy\"",
     .help = "Classification: accuracy, precision, recall, f-score, auc (two classes) or "
             "log-loss. Regression: mean-absolute-error, root-mean-squared-error, "
             "relative-absolute-error, relative-squared-error or coefficient-of-determination. "
             "It must fit the model."},
};

typedef struct pfi_state {
    mod__model model;
    const tbl_table *data;
    mod__metric metric;
    double baseline;
    size_t *column; /* per model feature: its column in data */
    uint64_t *seed; /* per model feature */
    double *score;  /* per model feature */
} pfi_state;

static void pfi_task_name(void *arg, size_t k, char *buf, size_t cap)
{
    const pfi_state *s = arg;
    snprintf(buf, cap, "feature \"%s\"", s->model.features.items[k].name);
}

/* data with column `col` permuted (Fisher-Yates from seed); the other
 * columns are shared, not copied. */
static int pfi_permuted(mod_ctx *ctx, const tbl_table *t, size_t col, uint64_t seed,
                        tbl_table **out)
{
    size_t n = t->nrows;
    size_t *perm = wf_mallocarray(n + 1, sizeof *perm);
    tbl_table *res = tbl_new(), *alone = tbl_new(), *shuffled = NULL;
    wf_error err = {0};
    int rc = perm == NULL || res == NULL || alone == NULL
                 ? mod_fail(ctx, WF_ENOMEM, "out of memory")
                 : 0;
    if (rc == 0) {
        for (size_t r = 0; r < n; r++)
            perm[r] = r;
        wf_rng rng = {.state = seed};
        for (size_t i = n; i > 1; i--) {
            size_t j = (size_t)wf_rng_below(&rng, i);
            size_t tmp = perm[i - 1];
            perm[i - 1] = perm[j];
            perm[j] = tmp;
        }
        alone->nrows = n;
        tbl_column c;
        if (tbl_column_share(&c, &t->cols[col], &err) < 0) {
            rc = mod_fail_with(ctx, &err);
        } else if (tbl_add_column(alone, &c, n, &err) < 0) {
            tbl_column_clear(&c);
            rc = mod_fail_with(ctx, &err);
        } else if (tbl_take(alone, perm, n, &shuffled, &err) < 0) {
            rc = mod_fail_with(ctx, &err);
        }
    }
    res->nrows = n;
    for (size_t j = 0; rc == 0 && j < t->ncols; j++) {
        tbl_column c;
        int add;
        if (j == col) {
            /* tbl_add_column takes the shuffled column's buffers over. */
            add = tbl_add_column(res, &shuffled->cols[0], n, &err);
        } else {
            add = tbl_column_share(&c, &t->cols[j], &err);
            if (add == 0 && (add = tbl_add_column(res, &c, n, &err)) < 0) tbl_column_clear(&c);
        }
        if (add < 0) rc = mod_fail_with(ctx, &err);
    }
    free(perm);
    tbl_free(alone);
    tbl_free(shuffled);
    if (rc < 0) {
        tbl_free(res);
        return rc;
    }
    *out = res;
    return 0;
}

/* Feature k: the model measured with its column permuted. */
static int pfi_task(mod_ctx *task, void *arg, size_t k)
{
    pfi_state *s = arg;
    tbl_table *permuted = NULL;
    int rc = pfi_permuted(task, s->data, s->column[k], s->seed[k], &permuted);
    json_t *evaluation = NULL;
    if (rc == 0) rc = mod__evaluate_model(task, &s->model, permuted, NULL, &evaluation);
    if (rc == 0) {
        double v = mod__metric_value(s->metric, s->model.task, evaluation);
        s->score[k] = mod__metric_higher_is_better(s->metric) ? s->baseline - v : v - s->baseline;
    }
    json_decref(evaluation);
    tbl_free(permuted);
    return rc;
}

/* The output: features by decreasing score (undefined scores last; ties in
 * the model's feature order). */
static int pfi_table(mod_ctx *ctx, const pfi_state *s, tbl_table **out)
{
    size_t n = s->model.features.count;
    size_t *order = wf_mallocarray(n + 1, sizeof *order);
    tbl_table *res = tbl_new();
    wf_error err = {0};
    tbl_column names = {0}, scores = {0};
    int rc = order == NULL || res == NULL ? mod_fail(ctx, WF_ENOMEM, "out of memory") : 0;
    if (rc == 0 && (tbl_column_init(&names, "Feature Name", TBL_STRING, 0, &err) < 0 ||
                    tbl_column_init(&scores, "Score", TBL_NUMERIC, n, &err) < 0))
        rc = mod_fail_with(ctx, &err);
    if (rc == 0) {
        for (size_t i = 0; i < n; i++) {
            size_t j = i;
            for (; j > 0; j--) {
                double a = s->score[i], b = s->score[order[j - 1]];
                if (!(!isnan(a) && (isnan(b) || a > b))) break;
                order[j] = order[j - 1];
            }
            order[j] = i;
        }
        tbl_strings_builder b = {0};
        for (size_t i = 0; i < n; i++) {
            const char *name = s->model.features.items[order[i]].name;
            tbl_strings_append(&b, name, strlen(name));
            scores.v.f64[i] = s->score[order[i]];
            if (isnan(scores.v.f64[i]) && tbl_set_missing(&scores, i, n) < 0)
                rc = mod_fail(ctx, WF_ENOMEM, "out of memory");
        }
        tbl_strings_clear(&names.str);
        if (tbl_strings_finish(&b, &names.str) < 0) rc = mod_fail(ctx, WF_ENOMEM, "out of memory");
    }
    if (rc == 0 && tbl_add_column(res, &names, n, &err) < 0) rc = mod_fail_with(ctx, &err);
    if (rc == 0 && tbl_add_column(res, &scores, n, &err) < 0) rc = mod_fail_with(ctx, &err);
    tbl_column_clear(&names);
    tbl_column_clear(&scores);
    free(order);
    if (rc < 0) {
        tbl_free(res);
        return rc;
    }
    res->nrows = n;
    *out = res;
    return 0;
}

/* Reads the model, checks the metric and the data, and takes each
 * feature's column and seed. */
static int pfi_prepare(mod_ctx *ctx, pfi_state *s)
{
    const json_t *json = mod_input_json(ctx, "trained_model");
    s->data = mod_input_table(ctx, "test_data");
    if (json == NULL) return mod_fail(ctx, WF_EINVAL, "input \"trained_model\" is missing");
    if (s->data == NULL) return mod_fail(ctx, WF_EINVAL, "input \"test_data\" is missing");
    int64_t seed = 0;
    size_t choice;
    int rc = mod_param_int(ctx, "random_seed", &seed);
    if (rc == 0) rc = mod__param_choice(ctx, "metric_for_measuring_performance", &choice);
    if (rc == 0) rc = mod__model_from_json(ctx, json, &s->model);
    if (rc < 0) return rc;
    s->metric = (mod__metric)choice;
    rc = mod__metric_check(ctx, "metric_for_measuring_performance", s->metric, s->model.task);
    if (rc < 0) return rc;
    if (s->model.label == NULL || tbl_find_column(s->data, s->model.label) < 0)
        return mod_fail(ctx, WF_EINVAL,
                        "the test data has no label column \"%s\": permutation importance "
                        "measures how much worse the model predicts it",
                        s->model.label != NULL ? s->model.label : "");
    size_t n = s->model.features.count;
    s->column = wf_mallocarray(n + 1, sizeof *s->column);
    s->seed = wf_mallocarray(n + 1, sizeof *s->seed);
    s->score = wf_mallocarray(n + 1, sizeof *s->score);
    if (s->column == NULL || s->seed == NULL || s->score == NULL)
        return mod_fail(ctx, WF_ENOMEM, "out of memory");
    wf_rng rng = {.state = (uint64_t)seed};
    for (size_t k = 0; k < n; k++) {
        const char *name = s->model.features.items[k].name;
        int col = tbl_find_column(s->data, name);
        if (col < 0)
            return mod_fail(ctx, WF_EINVAL,
                            "the test data has no column \"%s\", a feature the model was trained "
                            "on",
                            name);
        s->column[k] = (size_t)col;
        s->seed[k] = wf_rng_next(&rng);
        s->score[k] = NAN;
    }
    return 0;
}

static int pfi_run(mod_ctx *ctx)
{
    pfi_state s = {0};
    int rc = pfi_prepare(ctx, &s);
    json_t *evaluation = NULL;
    if (rc == 0) rc = mod__evaluate_model(ctx, &s.model, s.data, NULL, &evaluation);
    if (rc == 0) {
        s.baseline = mod__metric_value(s.metric, s.model.task, evaluation);
        mod_log(ctx, "%s without permutation: %.6g, over %zu rows; %zu features to permute",
                mod__metric_choice(s.metric), s.baseline, s.data->nrows, s.model.features.count);
        if (isnan(s.baseline))
            rc = mod_fail(ctx, WF_EINVAL,
                          "%s is undefined on the test data (no positive prediction, or no "
                          "variation in the label): choose another metric",
                          mod__metric_choice(s.metric));
    }
    json_decref(evaluation);
    if (rc == 0)
        rc = mod__run_tasks(ctx, s.model.features.count, mod__thread_budget(ctx), pfi_task,
                            pfi_task_name, &s, false);
    tbl_table *out = NULL;
    if (rc == 0) rc = pfi_table(ctx, &s, &out);
    free(s.column);
    free(s.seed);
    free(s.score);
    mod__model_clear(&s.model);
    if (rc < 0) return rc;
    return mod_output_table(ctx, "feature_importance", out);
}

/* The output's schema is fixed: Feature Name, Score. */
static int pfi_configure(mod_ctx *ctx)
{
    size_t choice;
    int rc = mod__param_choice(ctx, "metric_for_measuring_performance", &choice);
    if (rc < 0) return rc;
    tbl_table *schema = tbl_new();
    wf_error err = {0};
    tbl_column name = {0}, score = {0};
    if (schema == NULL) return mod_fail(ctx, WF_ENOMEM, "out of memory");
    if (tbl_column_init(&name, "Feature Name", TBL_STRING, 0, &err) < 0 ||
        tbl_add_column(schema, &name, 0, &err) < 0 ||
        tbl_column_init(&score, "Score", TBL_NUMERIC, 0, &err) < 0 ||
        tbl_add_column(schema, &score, 0, &err) < 0) {
        tbl_column_clear(&name);
        tbl_column_clear(&score);
        tbl_free(schema);
        return mod_fail_with(ctx, &err);
    }
    return mod_output_table(ctx, "feature_importance", schema);
}

const mod_descriptor mod_permutation_feature_importance = {
    .name = "permutation-feature-importance",
    .version = 1,
    .display_name = "Permutation Feature Importance",
    .category = "Feature Selection",
    .help = "Measures how much a trained model relies on each feature: the feature's values are "
            "shuffled among the test rows and the model measured again (Breiman 2001; Fisher, "
            "Rudin and Dominici 2019).\n\n"
            "- **Score**: the loss of quality by `metric_for_measuring_performance` (baseline "
            "minus permuted for accuracy, precision, recall, F-score, AUC and R²; permuted "
            "minus baseline for log loss and the errors). Positive means the model relies on "
            "the feature; near zero, that it does not; negative, that shuffling happened to "
            "help.\n"
            "- **Features** are the model's input columns (a one-hot encoded column is "
            "shuffled as a whole). The test data needs every one of them and the label.\n"
            "- Scoring and measuring are Score Model's and Evaluate Model's; precision, recall "
            "and F-score over several classes are macro averages.\n"
            "- One permutation per feature, from `random_seed`; features are permuted in "
            "parallel, up to the step's thread budget, and the scores do not depend on it.\n\n"
            "The output has `Feature Name` and `Score`, most important first.\n\n"
            "## Example\n\n"
            "Connect Train Model's `trained_model` and the test half of Split Data; rank the "
            "features of a regression model by root mean squared error:\n\n"
            "```json\n{\"random_seed\": 1,\n"
            " \"metric_for_measuring_performance\": \"root-mean-squared-error\"}\n```",
    MOD_PORTS(inputs, pfi_in),
    MOD_PORTS(outputs, pfi_out),
    MOD_PARAMS(pfi_params),
    .configure = pfi_configure,
    .run = pfi_run,
};
