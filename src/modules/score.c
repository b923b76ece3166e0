/*
 * score.c: Score Model and Assign Data to Clusters. Each rebuilds the
 * training matrix from new rows (model.c checks the columns against the
 * model's), predicts, and writes the Azure designer's score columns:
 *
 * - regression: `Scored Labels`;
 * - two classes: `Scored Labels` and `Scored Probabilities` (of the positive
 *   class);
 * - several classes: `Scored Probabilities_<class>` for each class, then
 *   `Scored Labels`;
 * - clustering: `Assignments` and `DistancesToClusterCenter no.<k>`.
 *
 * Score columns carry the score role; the model's label column, when the
 * scored table has it, carries the label role, so Evaluate Model finds the
 * truth without being told.
 */
#include "modules_int.h"

#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const mod_port score_in[] = {
    {.name = "trained_model", .kind = MOD_MODEL, .help = "A model from Train Model."},
    {.name = "dataset", .kind = MOD_TABLE, .help = "The rows to score."},
};

/* ---- building the output ------------------------------------------------------ */

/* A new numeric score column. */
static int score_numeric(mod_ctx *ctx, const char *name, const double *v, size_t stride, size_t n,
                         tbl_table *out)
{
    wf_error err = {0};
    tbl_column c;
    if (tbl_column_init(&c, name, TBL_NUMERIC, n, &err) < 0) return mod_fail_with(ctx, &err);
    c.role = TBL_ROLE_SCORE;
    for (size_t r = 0; r < n; r++) {
        c.v.f64[r] = v[r * stride];
        if (isnan(c.v.f64[r]) && tbl_set_missing(&c, r, n) < 0) {
            tbl_column_clear(&c);
            return mod_fail(ctx, WF_ENOMEM, "out of memory");
        }
    }
    if (tbl_add_column(out, &c, n, &err) < 0) {
        tbl_column_clear(&c);
        return mod_fail_with(ctx, &err);
    }
    return 0;
}

/* `Scored Labels` of a classifier: class indices written as the label's own
 * type (numbers and booleans parsed back from the class names; text labels
 * as a categorical column whose levels are the classes). */
static int score_class_labels(mod_ctx *ctx, const mod__model *m, const int32_t *cls, size_t n,
                              tbl_table *out)
{
    wf_error err = {0};
    tbl_type type = m->label_type;
    if (type == TBL_STRING || type == TBL_DATETIME) type = TBL_CATEGORICAL;
    tbl_column c;
    if (tbl_column_init(&c, "Scored Labels", type, n, &err) < 0) return mod_fail_with(ctx, &err);
    c.role = TBL_ROLE_SCORE;
    int rc = 0;
    if (type == TBL_CATEGORICAL) {
        tbl_strings_builder b = {0};
        tbl_strings_clear(&c.levels);
        for (size_t k = 0; k < m->classes.count; k++)
            tbl_strings_append(&b, m->classes.names[k], strlen(m->classes.names[k]));
        if (tbl_strings_finish(&b, &c.levels) < 0) rc = WF_ENOMEM;
    }
    for (size_t r = 0; rc == 0 && r < n; r++) {
        const char *name = m->classes.names[cls[r]];
        size_t len = strlen(name);
        bool b;
        switch (type) {
        case TBL_CATEGORICAL:
            c.v.codes[r] = cls[r];
            break;
        case TBL_NUMERIC:
            rc = tbl_parse_double(name, len, &c.v.f64[r]);
            break;
        case TBL_INTEGER:
            rc = tbl_parse_int64(name, len, &c.v.i64[r]);
            break;
        case TBL_BOOLEAN:
            rc = tbl_parse_bool(name, len, &b);
            c.v.b8[r] = b;
            break;
        default:
            rc = WF_ETYPE;
        }
    }
    if (rc == 0 && tbl_add_column(out, &c, n, &err) < 0) rc = err.code;
    if (rc < 0) {
        tbl_column_clear(&c);
        return rc == WF_ENOMEM ? mod_fail(ctx, rc, "out of memory")
                               : mod_fail(ctx, rc,
                                          "the model's classes do not fit its label "
                                          "type %s",
                                          tbl_type_name(m->label_type));
    }
    return 0;
}

/* The output table: t's columns (when append; an old score column of the
 * same name as a new one is dropped) or none. */
static int score_base(mod_ctx *ctx, const tbl_table *t, bool append, const char *label,
                      tbl_table **out)
{
    wf_error err = {0};
    tbl_table *res = NULL;
    if (append) {
        if (tbl_clone(t, &res, &err) < 0) return mod_fail_with(ctx, &err);
        for (size_t j = res->ncols; j-- > 0;) {
            const char *name = res->cols[j].name;
            if (strcmp(name, "Scored Labels") == 0 ||
                strncmp(name, "Scored Probabilities", 20) == 0 ||
                strcmp(name, "Assignments") == 0 || strncmp(name, "Quantile:", 9) == 0 ||
                strncmp(name, "DistancesToClusterCenter no.", 28) == 0)
                tbl_drop_column(res, j);
            else if (label != NULL && strcmp(name, label) == 0)
                res->cols[j].role = TBL_ROLE_LABEL;
        }
    } else if ((res = tbl_new()) == NULL) {
        return mod_fail(ctx, WF_ENOMEM, "out of memory");
    }
    res->nrows = t->nrows;
    *out = res;
    return 0;
}

int mod__cluster_columns(mod_ctx *ctx, const mod__model *m, const ml_matrix *x, const tbl_table *t,
                         bool append, tbl_table **out)
{
    size_t n = x->rows, k = m->kmeans.k;
    int32_t *assign = wf_mallocarray(n + 1, sizeof *assign);
    double *dist = wf_mallocarray(n * k + 1, sizeof *dist);
    tbl_table *res = NULL;
    int rc = assign == NULL || dist == NULL ? mod_fail(ctx, WF_ENOMEM, "out of memory") : 0;
    if (rc == 0) {
        ml_kmeans_assign(&m->kmeans, x, assign, dist);
        rc = score_base(ctx, t, append, NULL, &res);
    }
    if (rc == 0) {
        wf_error err = {0};
        tbl_column c;
        if (tbl_column_init(&c, "Assignments", TBL_INTEGER, n, &err) < 0) {
            rc = mod_fail_with(ctx, &err);
        } else {
            c.role = TBL_ROLE_SCORE;
            for (size_t r = 0; r < n; r++)
                c.v.i64[r] = assign[r];
            if (tbl_add_column(res, &c, n, &err) < 0) {
                tbl_column_clear(&c);
                rc = mod_fail_with(ctx, &err);
            }
        }
    }
    for (size_t j = 0; rc == 0 && j < k; j++) {
        char name[64];
        snprintf(name, sizeof name, "DistancesToClusterCenter no.%zu", j);
        rc = score_numeric(ctx, name, dist + j, k, n, res);
    }
    free(assign);
    free(dist);
    if (rc < 0) {
        tbl_free(res);
        return rc;
    }
    *out = res;
    return 0;
}

/* ---- predicting ------------------------------------------------------------------- */

/* Appends the score columns of a regression or classification model. */
static int score_supervised(mod_ctx *ctx, const mod__model *m, const tbl_table *t, tbl_table *res)
{
    size_t n = t->nrows, k = m->task == ML_MULTICLASS ? m->classes.count : 1;
    double *pred = wf_mallocarray(n * k + 1, sizeof *pred);
    int32_t *cls = wf_mallocarray(n + 1, sizeof *cls);
    int rc = pred == NULL || cls == NULL ? mod_fail(ctx, WF_ENOMEM, "out of memory") : 0;
    if (rc == 0) rc = mod__model_predict(ctx, m, t, pred);
    if (rc == 0 && m->task == ML_REGRESSION) {
        rc = score_numeric(ctx, "Scored Labels", pred, 1, n, res);
    } else if (rc == 0 && m->task == ML_BINARY) {
        for (size_t r = 0; r < n; r++)
            cls[r] = pred[r] >= 0.5 ? 1 : 0;
        rc = score_class_labels(ctx, m, cls, n, res);
        if (rc == 0) rc = score_numeric(ctx, "Scored Probabilities", pred, 1, n, res);
    } else if (rc == 0) {
        for (size_t c = 0; rc == 0 && c < k; c++) {
            char name[256];
            snprintf(name, sizeof name, "Scored Probabilities_%s", m->classes.names[c]);
            rc = score_numeric(ctx, name, pred + c, k, n, res);
        }
        for (size_t r = 0; r < n; r++) {
            size_t best = 0;
            for (size_t c = 1; c < k; c++)
                if (pred[r * k + c] > pred[r * k + best]) best = c;
            cls[r] = (int32_t)best;
        }
        if (rc == 0) rc = score_class_labels(ctx, m, cls, n, res);
    }
    free(pred);
    free(cls);
    return rc;
}

int mod__score_table(mod_ctx *ctx, const mod__model *m, const tbl_table *t, bool append,
                     tbl_table **out)
{
    ml_matrix x = {0};
    tbl_table *res = NULL;
    int rc;
    if (m->task == ML_CLUSTERING) {
        rc = mod__model_matrix(ctx, m, t, &x);
        if (rc == 0) rc = mod__cluster_columns(ctx, m, &x, t, append, &res);
    } else if (m->task == ML_ANOMALY) {
        rc = score_base(ctx, t, append, m->label, &res);
        if (rc == 0) rc = mod__anomaly_columns(ctx, m, t, res);
    } else {
        rc = score_base(ctx, t, append, m->label, &res);
        if (rc == 0) rc = score_supervised(ctx, m, t, res);
        if (rc == 0 && m->spec->algo == MOD__ALGO_QFOREST)
            rc = mod__quantile_columns(ctx, m, t, res);
    }
    ml_matrix_clear(&x);
    if (rc < 0) {
        tbl_free(res);
        return rc;
    }
    *out = res;
    return 0;
}

/* Reads the trained_model input into *m (cleared by the caller). */
static int score_read_model(mod_ctx *ctx, bool clustering_only, mod__model *m)
{
    const json_t *json = mod_input_json(ctx, "trained_model");
    if (json == NULL) return mod_fail(ctx, WF_EINVAL, "input \"trained_model\" is missing");
    int rc = mod__model_from_json(ctx, json, m);
    if (rc == 0 && clustering_only && m->task != ML_CLUSTERING)
        rc = mod_fail(ctx, WF_EINVAL,
                      "the model is a %s model, not a clustering model: score it "
                      "with Score Model",
                      mod__task_name(m->task));
    return rc;
}

/* Scores the dataset input with model m and outputs `port`. */
static int score_with_model(mod_ctx *ctx, const mod__model *m, const char *append_param,
                            const char *port)
{
    const tbl_table *t = mod_input_table(ctx, "dataset");
    if (t == NULL) return mod_fail(ctx, WF_EINVAL, "input \"dataset\" is missing");
    bool append = true;
    mod_param_bool(ctx, append_param, &append);
    tbl_table *res = NULL;
    int rc = mod__score_table(ctx, m, t, append, &res);
    if (rc < 0) return rc;
    mod_log(ctx, "scored %zu rows with %s", t->nrows, m->spec->name);
    return mod_output_table(ctx, port, res);
}

/* Shared by both modules: reads the model, scores, outputs `port`. */
static int score_run_common(mod_ctx *ctx, const char *append_param, const char *port,
                            bool clustering_only)
{
    if (mod_input_table(ctx, "dataset") == NULL)
        return mod_fail(ctx, WF_EINVAL, "input \"dataset\" is missing");
    mod__model m;
    memset(&m, 0, sizeof m);
    int rc = score_read_model(ctx, clustering_only, &m);
    if (rc == 0) rc = score_with_model(ctx, &m, append_param, port);
    mod__model_clear(&m);
    return rc;
}

/* Real-time scoring (modules.h, prepared modules): when the model is the
 * same for every request, it is decoded once here, and each request only
 * scores. A model that arrives with the request leaves *state NULL. */
static int score_prepare_common(mod_ctx *ctx, bool clustering_only, void **state)
{
    if (mod_input_json(ctx, "trained_model") == NULL) return 0;
    mod__model *m = wf_calloc(1, sizeof *m);
    if (m == NULL) return mod_fail(ctx, WF_ENOMEM, "out of memory");
    int rc = score_read_model(ctx, clustering_only, m);
    if (rc < 0) {
        mod__model_clear(m);
        free(m);
        return rc;
    }
    *state = m;
    return 0;
}

static void score_free_prepared(void *state)
{
    mod__model_clear(state);
    free(state);
}

/* The score columns depend on the model (its task and classes), which
 * configure does not see, so the output schema stays unknown. */
static int score_configure(mod_ctx *ctx)
{
    (void)ctx;
    return 0;
}

/* ---- score-model@1 ---------------------------------------------------------------- */

static const mod_port score_out[] = {
    {.name = "scored_dataset",
     .kind = MOD_TABLE,
     .help = "The rows with their Scored Labels (and Scored Probabilities for classifiers)."},
};

static const mod_param score_params[] = {
    {.name = "append_score_columns_to_output",
     .label = "Append score columns to output",
     .type = MOD_PARAM_BOOL,
     .default_json = "true",
     .help = "Keep the input columns and add the scores after them, or output the scores "
             "alone."},
};

static int score_model_run(mod_ctx *ctx)
{
    return score_run_common(ctx, "append_score_columns_to_output", "scored_dataset", false);
}

static int score_model_prepare(mod_ctx *ctx, void **state)
{
    return score_prepare_common(ctx, false, state);
}

static int score_model_run_prepared(mod_ctx *ctx, const void *state)
{
    return score_with_model(ctx, state, "append_score_columns_to_output", "scored_dataset");
}

const mod_descriptor mod_score_model = {
    .name = "score-model",
    .version = 1,
    .display_name = "Score Model",
    .category = "Model Scoring and Evaluation",
    .help = "Predicts with a trained model.\n\n"
            "- Regression adds `Scored Labels`.\n"
            "- Two-class classification adds `Scored Labels` (the class, with threshold 0.5) "
            "and `Scored Probabilities` (the probability of the positive class).\n"
            "- Multiclass classification adds `Scored Probabilities_<class>` for each class "
            "and `Scored Labels` (the most probable).\n"
            "- Clustering adds `Assignments` and `DistancesToClusterCenter no.<k>`.\n\n"
            "The scoring rows must have every feature column the model was trained on, of a "
            "compatible type; a missing one is an error naming it. The label column is not "
            "needed; when present it keeps the label role for Evaluate Model. Missing feature "
            "values are handled as in training. Score columns carry the score role.\n\n"
            "## Example\n\n"
            "Connect Train Model's `trained_model` and the test half of Split Data; keep the "
            "input columns:\n\n"
            "```json\n{\"append_score_columns_to_output\": true}\n```",
    MOD_PORTS(inputs, score_in),
    MOD_PORTS(outputs, score_out),
    MOD_PARAMS(score_params),
    .configure = score_configure,
    .run = score_model_run,
    .prepare = score_model_prepare,
    .run_prepared = score_model_run_prepared,
    .free_prepared = score_free_prepared,
};

/* ---- assign-data-to-clusters@1 ------------------------------------------------------ */

static const mod_port assign_out[] = {
    {.name = "results_dataset",
     .kind = MOD_TABLE,
     .help = "The rows with Assignments and their distances to each cluster centre."},
};

static const mod_param assign_params[] = {
    {.name = "check_for_append_or_uncheck_for_result_only",
     .label = "Check for append or uncheck for result only",
     .type = MOD_PARAM_BOOL,
     .default_json = "true",
     .help = "Keep the input columns and add the assignments, or output the assignments "
             "alone."},
};

static int assign_run(mod_ctx *ctx)
{
    return score_run_common(ctx, "check_for_append_or_uncheck_for_result_only", "results_dataset",
                            true);
}

static int assign_prepare(mod_ctx *ctx, void **state)
{
    return score_prepare_common(ctx, true, state);
}

static int assign_run_prepared(mod_ctx *ctx, const void *state)
{
    return score_with_model(ctx, state, "check_for_append_or_uncheck_for_result_only",
                            "results_dataset");
}

const mod_descriptor mod_assign_data_to_clusters = {
    .name = "assign-data-to-clusters",
    .version = 1,
    .display_name = "Assign Data to Clusters",
    .category = "Model Scoring and Evaluation",
    .help = "Assigns each row to the nearest cluster of a trained clustering model (from Train "
            "Clustering Model), adding `Assignments` (the cluster index, from 0) and "
            "`DistancesToClusterCenter no.<k>` for each cluster, with the score role. The rows "
            "are scaled as the training rows were.\n\n"
            "## Example\n\n"
            "Only the assignments and distances:\n\n"
            "```json\n{\"check_for_append_or_uncheck_for_result_only\": false}\n```",
    MOD_PORTS(inputs, score_in),
    MOD_PORTS(outputs, assign_out),
    MOD_PARAMS(assign_params),
    .configure = score_configure,
    .run = assign_run,
    .prepare = assign_prepare,
    .run_prepared = assign_run_prepared,
    .free_prepared = score_free_prepared,
};
