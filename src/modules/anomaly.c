/*
 * anomaly.c: anomaly detection, as the Azure designer does it: the
 * PCA-Based Anomaly Detection learner, Train Anomaly Detection Model, and
 * the columns Score Model writes for an anomaly model.
 *
 * The model is the principal subspace of the training rows (src/ml/pca.c:
 * randomized subspace iteration, Halko, Martinsson and Tropp 2011); a row's
 * anomaly score is its normalised reconstruction error |z - P z| / |z|, in
 * [0, 1], as ML.NET's PCA anomaly detector (which Azure runs) defines it.
 * Score Model writes it as `Scored Probabilities`, and `Scored Labels` is 1
 * (an anomaly) when it is at least 0.5, 0 otherwise.
 *
 * Training is unsupervised: the features are the feature-role columns. A
 * column with the label role is left out of the features and remembered,
 * so that Score Model keeps it as the label and Evaluate Model can measure
 * the detector against it (1 or true marking the anomalies).
 */
#include "modules_int.h"

#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const trainer_modes[] = {"single-parameter", "parameter-range", NULL};

#include "learner_params.h"

/* ---- pca-based-anomaly-detection@1 ---------------------------------------------------- */

static const mod_port learner_out[] = {
    {.name = "untrained_model",
     .kind = MOD_LEARNER,
     .help = "The anomaly detector and its parameters, to connect to Train Anomaly Detection "
             "Model."},
};

static const mod_param pca_params[] = {
    TRAINER_MODE_PARAM,
    INT_PARAM("number_of_components_to_use_in_pca", "Number of components to use in PCA", "2", 1, 0,
              "The dimension of the subspace of normal rows; at most the number of features."),
    INT_PARAM("oversampling_parameter_for_randomized_pca",
              "Oversampling parameter for randomized PCA", "2", 0, 0,
              "Extra random directions the randomized PCA samples beyond the components; more "
              "makes it converge in fewer passes."),
    RANGE_PARAM("number_of_components_to_use_in_pca", "number of components to use in PCA",
                "\"2; 4; 6; 8; 10\""),
    RANGE_PARAM("oversampling_parameter_for_randomized_pca",
                "oversampling parameter for randomized PCA", "\"2; 4; 6\""),
    {.name = "enable_input_feature_mean_normalization",
     .label = "Enable input feature mean normalization",
     .type = MOD_PARAM_BOOL,
     .default_json = "false",
     .help = "Subtract the training mean from every row before PCA and scoring. Without it the "
             "subspace passes through the origin."},
    SEED_PARAM,
};

const mod_descriptor mod_pca_based_anomaly_detection = {
    .name = "pca-based-anomaly-detection",
    .version = 1,
    .display_name = "PCA-Based Anomaly Detection",
    .category = "Anomaly Detection",
    .help = "Learns what normal rows look like, the subspace of their principal components "
            "(randomized PCA: Halko, Martinsson and Tropp, 2011), and scores a row by how far "
            "it lies from it: its normalised reconstruction error |x - Px| / |x|, from 0 (in "
            "the subspace) to 1. Train it with Train Anomaly Detection Model on rows that are "
            "mostly normal.\n\n"
            "Score Model writes `Scored Probabilities` (the score) and `Scored Labels` (1, an "
            "anomaly, when the score is at least 0.5). Categorical features are one-hot "
            "encoded and missing numbers become the training mean.\n\n"
            "## Example\n\n"
            "Four components, centred on the training mean:\n\n```json\n"
            "{\"number_of_components_to_use_in_pca\": 4, "
            "\"enable_input_feature_mean_normalization\": true}\n```",
    MOD_PORTS(outputs, learner_out),
    MOD_PARAMS(pca_params),
    .configure = mod__learner_configure,
    .run = mod__learner_run,
};

/* ---- train-anomaly-detection-model@1 ----------------------------------------------------- */

static const mod_port train_in[] = {
    {.name = "untrained_model",
     .kind = MOD_LEARNER,
     .help = "An anomaly detection learner, such as PCA-Based Anomaly Detection."},
    {.name = "dataset",
     .kind = MOD_TABLE,
     .help = "The training rows, mostly normal ones. A label-role column is not a feature."},
};

static const mod_port train_out[] = {
    {.name = "trained_model",
     .kind = MOD_MODEL,
     .help = "The trained anomaly detector, for Score Model."},
};

static void anomaly_log(void *user, const char *line)
{
    mod_log(user, "%s", line);
}

static int anomaly_fit(mod_ctx *ctx, mod__model *m, const tbl_table *t)
{
    size_t *cols = wf_mallocarray(t->ncols + 1, sizeof *cols), ncols = 0;
    if (cols == NULL) return mod_fail(ctx, WF_ENOMEM, "out of memory");
    for (size_t j = 0; j < t->ncols; j++)
        if (t->cols[j].role == TBL_ROLE_FEATURE) cols[ncols++] = j;
    int rc = 0;
    wf_error err = {0};
    if (ncols == 0)
        rc = mod_fail(ctx, WF_EINVAL,
                      "the training data has no feature columns (every column has the label, "
                      "weight, score or clear role)");
    else if (ml_features_fit(&m->features, t, cols, ncols, ML_ONE_HOT, true, &err) < 0)
        rc = mod_fail_with(ctx, &err);
    free(cols);
    if (rc < 0) return rc;
    ml_matrix x = {0};
    if (ml_features_matrix(&m->features, t, &x, &err) < 0) return mod_fail_with(ctx, &err);
    ml_pca_params p = {0};
    double k = 2, over = 2, seed = 0;
    if ((rc = mod__learner_number(ctx, m->learner, "number_of_components_to_use_in_pca", &k)) < 0 ||
        (rc = mod__learner_number(ctx, m->learner, "oversampling_parameter_for_randomized_pca",
                                  &over)) < 0 ||
        (rc = mod__learner_number(ctx, m->learner, "random_number_seed", &seed)) < 0 ||
        (rc = mod__learner_bool(ctx, m->learner, "enable_input_feature_mean_normalization",
                                &p.center)) < 0) {
        ml_matrix_clear(&x);
        return rc;
    }
    p.components = k >= 1 ? (size_t)k : 0;
    p.oversampling = over >= 0 ? (size_t)over : 0;
    p.seed = (uint64_t)seed;
    mod_log(ctx, "training %s on %zu rows, %zu feature columns (%zu after encoding)", m->spec->name,
            t->nrows, m->features.count, m->features.width);
    ml_env env = {.cancel = ctx->cancel, .log = anomaly_log, .user = ctx};
    if (ml_pca_fit(&x, &p, &env, &m->pca, &err) < 0) rc = mod_fail_with(ctx, &err);
    ml_matrix_clear(&x);
    return rc;
}

static int anomaly_train_run(mod_ctx *ctx)
{
    const json_t *learner = mod_input_json(ctx, "untrained_model");
    const tbl_table *t = mod_input_table(ctx, "dataset");
    if (learner == NULL) return mod_fail(ctx, WF_EINVAL, "input \"untrained_model\" is missing");
    if (t == NULL) return mod_fail(ctx, WF_EINVAL, "input \"dataset\" is missing");
    const char *kind = json_string_value(json_object_get(learner, "kind"));
    const mod__learner_spec *spec =
        mod__learner_find(json_string_value(json_object_get(learner, "learner")));
    if (kind != NULL && strcmp(kind, "model") == 0)
        return mod_fail(ctx, WF_EINVAL,
                        "input \"untrained_model\" is already a trained model; connect an "
                        "anomaly detection learner instead");
    if (spec == NULL || kind == NULL || strcmp(kind, "learner") != 0)
        return mod_fail(ctx, WF_EINVAL, "input \"untrained_model\" is not a learner");
    if (spec->task != ML_ANOMALY)
        return mod_fail(ctx, WF_EINVAL,
                        "%s is a %s learner, not an anomaly detector: train it with %s", spec->name,
                        mod__task_name(spec->task),
                        spec->task == ML_CLUSTERING ? "Train Clustering Model" : "Train Model");
    mod__model m = {.learner = json_incref((json_t *)learner),
                    .spec = spec,
                    .task = ML_ANOMALY,
                    .allow_unknown_levels = true,
                    .schema = mod__schema_json(t)};
    int rc = m.schema != NULL ? 0 : mod_fail(ctx, WF_ENOMEM, "out of memory");
    for (size_t j = 0; rc == 0 && j < t->ncols; j++)
        if (t->cols[j].role == TBL_ROLE_LABEL) {
            m.label_type = t->cols[j].type;
            if ((m.label = wf_strdup(t->cols[j].name)) == NULL)
                rc = mod_fail(ctx, WF_ENOMEM, "out of memory");
            break;
        }
    if (rc == 0) rc = anomaly_fit(ctx, &m, t);
    json_t *out = rc == 0 ? mod__model_to_json(ctx, &m) : NULL;
    if (rc == 0 && out == NULL) rc = ctx->err.code ? ctx->err.code : WF_ENOMEM;
    mod__model_clear(&m);
    if (rc < 0) return rc;
    return mod_output_json(ctx, "trained_model", out);
}

/* The output is a model, which has no schema. */
static int anomaly_train_configure(mod_ctx *ctx)
{
    (void)ctx;
    return 0;
}

const mod_descriptor mod_train_anomaly_detection_model = {
    .name = "train-anomaly-detection-model",
    .version = 1,
    .display_name = "Train Anomaly Detection Model",
    .category = "Anomaly Detection",
    .help = "Trains an anomaly detection learner (PCA-Based Anomaly Detection) on a table and "
            "outputs the trained model, for Score Model.\n\n"
            "Training is unsupervised: the features are every column with the feature role. A "
            "column with the label role (set it with Edit Metadata) is not a feature; the model "
            "remembers it, so that Score Model keeps it as the label and Evaluate Model can "
            "compare the detector with it (1 or true marking an anomaly).\n\n"
            "## Example\n\n"
            "Connect PCA-Based Anomaly Detection to `untrained_model` and the normal rows to "
            "`dataset`; the module has no parameters:\n\n```json\n{}\n```",
    MOD_PORTS(inputs, train_in),
    MOD_PORTS(outputs, train_out),
    .configure = anomaly_train_configure,
    .run = anomaly_train_run,
};

/* ---- Score Model's columns for an anomaly model ------------------------------------------ */

int mod__anomaly_columns(mod_ctx *ctx, const mod__model *m, const tbl_table *t, tbl_table *res)
{
    size_t n = t->nrows;
    double *score = wf_mallocarray(n + 1, sizeof *score);
    if (score == NULL) return mod_fail(ctx, WF_ENOMEM, "out of memory");
    int rc = mod__model_predict(ctx, m, t, score);
    wf_error err = {0};
    tbl_column c;
    if (rc == 0 && tbl_column_init(&c, "Scored Labels", TBL_INTEGER, n, &err) < 0)
        rc = mod_fail_with(ctx, &err);
    if (rc == 0) {
        c.role = TBL_ROLE_SCORE;
        for (size_t r = 0; r < n; r++)
            c.v.i64[r] = score[r] >= 0.5;
        if (tbl_add_column(res, &c, n, &err) < 0) {
            tbl_column_clear(&c);
            rc = mod_fail_with(ctx, &err);
        }
    }
    if (rc == 0) rc = mod__add_score_column(ctx, res, "Scored Probabilities", score, 1);
    free(score);
    return rc;
}
