/*
 * selection_metrics.c: measuring models for model selection (selection.h).
 * A model is always measured by Evaluate Model itself, run on the scored
 * rows in a context of its own, so a fold's accuracy in Cross Validate Model,
 * a sweep run's AUC in Tune Model Hyperparameters and Evaluate Model's
 * report agree to the last digit. This file maps those reports onto the
 * metrics people choose from and onto table columns.
 */
#include "selection.h"

#include <jansson.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

/* ---- evaluation ------------------------------------------------------------ */

static void sel_forward_log(void *user, const char *line)
{
    mod_log(user, "%s", line);
}

int mod__evaluate_scored(mod_ctx *ctx, const tbl_table *scored, json_t **evaluation)
{
    *evaluation = NULL;
    mod_ctx ev;
    if (mod_ctx_init(&ev, &mod_evaluate_model, NULL) < 0) {
        mod_ctx_clear(&ev);
        return mod_fail(ctx, WF_ENOMEM, "out of memory");
    }
    ev.node_id = ctx->node_id;
    ev.cancel = ctx->cancel;
    ev.on_log = sel_forward_log;
    ev.user = ctx;
    ev.inputs[mod_input_index(&mod_evaluate_model, "scored_dataset")].table = (tbl_table *)scored;
    ev.inputs[mod_input_index(&mod_evaluate_model, "scored_dataset_to_compare")].table = NULL;
    for (size_t i = 0; i < mod_evaluate_model.ninputs; i++)
        ev.inputs[i].borrowed = true;
    int rc = mod_evaluate_model.run(&ev);
    if (rc < 0) {
        rc = mod_fail(ctx, rc, "%s", ev.err.message);
    } else {
        /* Only the figures are kept: a two-class report's curves and
         * threshold table are most of its size, and a sweep keeps one
         * evaluation per run and fold. */
        const json_t *report = ev.outputs[0].json;
        json_t *first = json_array_get(json_object_get(report, "models"), 0);
        json_t *metrics = json_object_get(first, "metrics");
        json_t *per_class = json_object_get(first, "per_class");
        if (metrics == NULL)
            rc = mod_fail(ctx, WF_EINVAL, "Evaluate Model gave no figures");
        else if ((*evaluation =
                      json_pack("{s:O, s:O*}", "metrics", metrics, "per_class", per_class)) == NULL)
            rc = mod_fail(ctx, WF_ENOMEM, "out of memory");
    }
    mod_ctx_clear(&ev);
    return rc;
}

int mod__evaluate_model(mod_ctx *ctx, const mod__model *m, const tbl_table *t, tbl_table **scores,
                        json_t **evaluation)
{
    *evaluation = NULL;
    if (scores != NULL) *scores = NULL;
    int label = m->label != NULL ? tbl_find_column(t, m->label) : -1;
    if (label < 0)
        return mod_fail(ctx, WF_EINVAL,
                        "the data has no label column \"%s\": the model is measured against it",
                        m->label != NULL ? m->label : "");
    tbl_table *scored = NULL;
    int rc = mod__score_table(ctx, m, t, false, &scored);
    if (rc < 0) return rc;
    /* The truth beside the scores, shared rather than copied. */
    wf_error err = {0};
    tbl_column c;
    if (tbl_column_share(&c, &t->cols[label], &err) < 0) {
        rc = mod_fail_with(ctx, &err);
    } else {
        c.role = TBL_ROLE_LABEL;
        if (tbl_add_column(scored, &c, t->nrows, &err) < 0) {
            tbl_column_clear(&c);
            rc = mod_fail_with(ctx, &err);
        }
    }
    if (rc == 0) rc = mod__evaluate_scored(ctx, scored, evaluation);
    if (rc == 0 && scores != NULL) {
        /* The label was added last; the scores stand alone. */
        tbl_drop_column(scored, scored->ncols - 1);
        *scores = scored;
        return 0;
    }
    tbl_free(scored);
    return rc;
}

/* ---- the metrics people choose ----------------------------------------------- */

const char *const mod__metric_choices[] = {"accuracy",
                                           "precision",
                                           "recall",
                                           "f-score",
                                           "auc",
                                           "log-loss",
                                           "mean-absolute-error",
                                           "root-mean-squared-error",
                                           "relative-absolute-error",
                                           "relative-squared-error",
                                           "coefficient-of-determination",
                                           NULL};
const char *const mod__classification_metric_choices[] = {
    "accuracy", "precision", "recall", "f-score", "auc", "log-loss", NULL};
const char *const mod__regression_metric_choices[] = {
    "mean-absolute-error",    "root-mean-squared-error",      "relative-absolute-error",
    "relative-squared-error", "coefficient-of-determination", NULL};

/* Per metric: its name in tables, and its key in the report for two
 * classes, several classes and regression (NULL: not reported so). */
static const struct {
    const char *name;
    const char *binary, *multiclass, *regression;
    bool higher_is_better;
} sel_metrics[] = {
    [MOD__METRIC_ACCURACY] = {"Accuracy", "accuracy", "overall_accuracy", NULL, true},
    [MOD__METRIC_PRECISION] = {"Precision", "precision", "macro_precision", NULL, true},
    [MOD__METRIC_RECALL] = {"Recall", "recall", "macro_recall", NULL, true},
    [MOD__METRIC_F_SCORE] = {"F-Score", "f1_score", NULL, NULL, true},
    [MOD__METRIC_AUC] = {"AUC", "auc", NULL, NULL, true},
    [MOD__METRIC_LOG_LOSS] = {"Log Loss", "log_loss", "log_loss", NULL, false},
    [MOD__METRIC_MAE] = {"Mean Absolute Error", NULL, NULL, "mean_absolute_error", false},
    [MOD__METRIC_RMSE] = {"Root Mean Squared Error", NULL, NULL, "root_mean_squared_error", false},
    [MOD__METRIC_RAE] = {"Relative Absolute Error", NULL, NULL, "relative_absolute_error", false},
    [MOD__METRIC_RSE] = {"Relative Squared Error", NULL, NULL, "relative_squared_error", false},
    [MOD__METRIC_R2] = {"Coefficient of Determination", NULL, NULL, "coefficient_of_determination",
                        true},
};

#define SEL_NMETRICS (sizeof sel_metrics / sizeof sel_metrics[0])

const char *mod__metric_choice(mod__metric metric)
{
    return (size_t)metric < SEL_NMETRICS ? mod__metric_choices[metric] : "unknown";
}

const char *mod__metric_name(mod__metric metric)
{
    return (size_t)metric < SEL_NMETRICS ? sel_metrics[metric].name : "unknown";
}

bool mod__metric_higher_is_better(mod__metric metric)
{
    return (size_t)metric < SEL_NMETRICS && sel_metrics[metric].higher_is_better;
}

int mod__metric_check(mod_ctx *ctx, const char *field, mod__metric metric, ml_task task)
{
    const char *choice = mod__metric_choice(metric);
    bool regression_metric = metric >= MOD__METRIC_MAE;
    if (task != ML_REGRESSION && task != ML_BINARY && task != ML_MULTICLASS)
        return mod_param_error(ctx, field,
                               "a %s model is not measured by \"%s\": this needs a regression "
                               "or classification model",
                               mod__task_name(task), choice);
    if (task == ML_REGRESSION && !regression_metric)
        return mod_param_error(ctx, field,
                               "\"%s\" measures classifiers, but the model is a regression "
                               "model: choose mean-absolute-error, root-mean-squared-error, "
                               "relative-absolute-error, relative-squared-error or "
                               "coefficient-of-determination",
                               choice);
    if (task != ML_REGRESSION && regression_metric)
        return mod_param_error(ctx, field,
                               "\"%s\" measures regression, but the model is a %s classifier: "
                               "choose accuracy, precision, recall, f-score, auc or log-loss",
                               choice, task == ML_BINARY ? "two-class" : "multiclass");
    if (task == ML_MULTICLASS && metric == MOD__METRIC_AUC)
        return mod_param_error(ctx, field,
                               "\"auc\" needs a two-class model, but the model has several "
                               "classes: choose accuracy, precision, recall, f-score or log-loss");
    return 0;
}

/* A report number; NaN for null or absent. */
static double sel_number(const json_t *o, const char *key)
{
    const json_t *v = json_object_get(o, key);
    return json_is_number(v) ? json_number_value(v) : NAN;
}

/* The mean F1 over the classes that occur as label or prediction (recall or
 * precision defined); a class with an undefined or zero precision or recall
 * has F1 0, as scikit-learn's f1_score(average="macro") counts it. */
static double sel_macro_f1(const json_t *evaluation)
{
    const json_t *per_class = json_object_get(evaluation, "per_class");
    double sum = 0;
    size_t n = 0, i;
    const json_t *c;
    json_array_foreach(per_class, i, c)
    {
        double p = sel_number(c, "precision"), r = sel_number(c, "recall");
        if (isnan(p) && isnan(r)) continue;
        n++;
        if (!isnan(p) && !isnan(r) && p + r > 0) sum += 2 * p * r / (p + r);
    }
    return n > 0 ? sum / (double)n : NAN;
}

double mod__metric_value(mod__metric metric, ml_task task, const json_t *evaluation)
{
    if ((size_t)metric >= SEL_NMETRICS) return NAN;
    if (task == ML_MULTICLASS && metric == MOD__METRIC_F_SCORE) return sel_macro_f1(evaluation);
    const char *key = task == ML_BINARY       ? sel_metrics[metric].binary
                      : task == ML_MULTICLASS ? sel_metrics[metric].multiclass
                      : task == ML_REGRESSION ? sel_metrics[metric].regression
                                              : NULL;
    if (key == NULL) return NAN;
    return sel_number(json_object_get(evaluation, "metrics"), key);
}

/* ---- metrics as table columns ---------------------------------------------------- */

static const char *const sel_columns[][2] = {
    {"accuracy", "Accuracy"},
    {"precision", "Precision"},
    {"recall", "Recall"},
    {"f1_score", "F-Score"},
    {"auc", "AUC"},
    {"log_loss", "Log Loss"},
    {"overall_accuracy", "Overall Accuracy"},
    {"average_accuracy", "Average Accuracy"},
    {"micro_precision", "Micro Precision"},
    {"macro_precision", "Macro Precision"},
    {"micro_recall", "Micro Recall"},
    {"macro_recall", "Macro Recall"},
    {"mean_absolute_error", "Mean Absolute Error"},
    {"root_mean_squared_error", "Root Mean Squared Error"},
    {"relative_absolute_error", "Relative Absolute Error"},
    {"relative_squared_error", "Relative Squared Error"},
    {"coefficient_of_determination", "Coefficient of Determination"},
};

const char *mod__metric_column(const char *key)
{
    for (size_t i = 0; i < sizeof sel_columns / sizeof sel_columns[0]; i++)
        if (strcmp(sel_columns[i][0], key) == 0) return sel_columns[i][1];
    return key;
}

/* Report numbers that are not measures of quality. */
static bool sel_is_count(const char *key)
{
    return strcmp(key, "rows") == 0 || strcmp(key, "positives") == 0 ||
           strcmp(key, "threshold") == 0;
}

json_t *mod__metrics_summary(json_t *const *evals, size_t n, bool sd)
{
    json_t *metrics = json_object();
    json_t *out = json_pack("{s:o}", "metrics", metrics);
    if (out == NULL) return NULL;
    const char *key;
    const json_t *first;
    json_object_foreach(json_object_get(n > 0 ? evals[0] : NULL, "metrics"), key, first)
    {
        if (!json_is_number(first) && !json_is_null(first)) continue;
        double sum = 0, sq = 0;
        size_t count = 0;
        for (size_t i = 0; i < n; i++) {
            double v = sel_number(json_object_get(evals[i], "metrics"), key);
            if (isnan(v)) continue;
            sum += v;
            count++;
        }
        double mean = count > 0 ? sum / (double)count : NAN;
        for (size_t i = 0; sd && i < n; i++) {
            double v = sel_number(json_object_get(evals[i], "metrics"), key);
            if (!isnan(v)) sq += (v - mean) * (v - mean);
        }
        double value = !sd ? mean : count > 1 ? sqrt(sq / (double)(count - 1)) : NAN;
        if (json_object_set_new(metrics, key, isfinite(value) ? json_real(value) : json_null()) <
            0) {
            json_decref(out);
            return NULL;
        }
    }
    return out;
}

int mod__add_metric_columns(mod_ctx *ctx, tbl_table *out, json_t *const *evals, size_t n)
{
    const char *key;
    const json_t *first;
    json_object_foreach(json_object_get(n > 0 ? evals[0] : NULL, "metrics"), key, first)
    {
        if (sel_is_count(key) || (!json_is_number(first) && !json_is_null(first))) continue;
        wf_error err = {0};
        tbl_column c;
        if (tbl_column_init(&c, mod__metric_column(key), TBL_NUMERIC, n, &err) < 0)
            return mod_fail_with(ctx, &err);
        for (size_t i = 0; i < n; i++) {
            c.v.f64[i] = sel_number(json_object_get(evals[i], "metrics"), key);
            if (isnan(c.v.f64[i]) && tbl_set_missing(&c, i, n) < 0) {
                tbl_column_clear(&c);
                return mod_fail(ctx, WF_ENOMEM, "out of memory");
            }
        }
        if (tbl_add_column(out, &c, n, &err) < 0) {
            tbl_column_clear(&c);
            return mod_fail_with(ctx, &err);
        }
    }
    return 0;
}
