/*
 * train.c: Train Model and Train Clustering Model. They turn a learner JSON
 * and a table into a trained model artifact (model.c): pick the feature
 * columns, encode them (ml_features), read the label, call the learner's
 * algorithm in src/ml, and record everything scoring will need.
 *
 * Feature columns are every column with the feature role except the label;
 * label, weight, score and clear columns are left out, as the Azure designer
 * leaves them out. Rows whose label is missing are dropped, and the log says
 * how many (Azure's Train Model ignores them too).
 */
#include "modules_int.h"

#include <jansson.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

static const mod_port train_in[] = {
    {.name = "untrained_model",
     .kind = MOD_LEARNER,
     .help = "A learner, such as Two-Class Boosted Decision Tree."},
    {.name = "dataset", .kind = MOD_TABLE, .help = "The training rows, with the label column."},
};

static const mod_port train_out[] = {
    {.name = "trained_model", .kind = MOD_MODEL, .help = "The trained model, for Score Model."},
};

static const mod_param train_params[] = {
    {.name = "label_column",
     .label = "Label column",
     .type = MOD_PARAM_COLUMN,
     .required = true,
     .input = "dataset",
     .help = "The column to predict. Regression needs numbers; classification takes any type, "
             "and its classes are the column's distinct values."},
};

/* ---- shared by both trainers ---------------------------------------------------- */

static void train_log(void *user, const char *line)
{
    mod_log(user, "%s", line);
}

static ml_env train_env(mod_ctx *ctx)
{
    return (ml_env){.cancel = ctx->cancel, .threads = ctx->threads, .log = train_log, .user = ctx};
}

/* The learner JSON as a spec, refusing a trained model or anything else. */
static int train_spec(mod_ctx *ctx, const json_t *learner, const mod__learner_spec **spec)
{
    const char *kind = json_string_value(json_object_get(learner, "kind"));
    if (kind != NULL && strcmp(kind, "model") == 0)
        return mod_fail(ctx, WF_EINVAL,
                        "input \"untrained_model\" is already a trained model; "
                        "connect a learner module instead");
    *spec = mod__learner_find(json_string_value(json_object_get(learner, "learner")));
    if (*spec == NULL || kind == NULL || strcmp(kind, "learner") != 0)
        return mod_fail(ctx, WF_EINVAL, "input \"untrained_model\" is not a learner");
    return 0;
}

/* The learner on the input port, and its entry in the table of learners. */
static int train_learner(mod_ctx *ctx, const json_t **learner, const mod__learner_spec **spec)
{
    *learner = mod_input_json(ctx, "untrained_model");
    if (*learner == NULL) return mod_fail(ctx, WF_EINVAL, "input \"untrained_model\" is missing");
    return train_spec(ctx, *learner, spec);
}

/* The indices of the feature columns of t: feature role, not `skip`. */
static int train_feature_columns(mod_ctx *ctx, const tbl_table *t, int skip, size_t **cols,
                                 size_t *n)
{
    *cols = wf_mallocarray(t->ncols + 1, sizeof **cols);
    if (*cols == NULL) return mod_fail(ctx, WF_ENOMEM, "out of memory");
    *n = 0;
    for (size_t j = 0; j < t->ncols; j++)
        if ((int)j != skip && t->cols[j].role == TBL_ROLE_FEATURE) (*cols)[(*n)++] = j;
    if (*n == 0)
        return mod_fail(ctx, WF_EINVAL,
                        "the training data has no feature columns (every column "
                        "is the label or has the label, weight, score or clear "
                        "role)");
    return 0;
}

/* Scales each matrix column to [0, 1] by its training minimum and range,
 * recording both in the model (a constant column becomes 0), and applies
 * them as scoring will. */
static int train_min_max(mod_ctx *ctx, ml_matrix *x, mod__model *m)
{
    size_t d = x->cols;
    m->shift = wf_mallocarray(d + 1, sizeof *m->shift);
    m->scale = wf_mallocarray(d + 1, sizeof *m->scale);
    if (m->shift == NULL || m->scale == NULL) return mod_fail(ctx, WF_ENOMEM, "out of memory");
    for (size_t j = 0; j < d; j++) {
        double lo = INFINITY, hi = -INFINITY;
        for (size_t r = 0; r < x->rows; r++) {
            double v = x->data[r * d + j];
            if (v < lo) lo = v;
            if (v > hi) hi = v;
        }
        m->shift[j] = isfinite(lo) ? lo : 0;
        m->scale[j] = isfinite(lo) && hi > lo ? 1 / (hi - lo) : 0;
    }
    mod__model_scale_rows(m, x);
    return 0;
}

/* ---- fitting by algorithm ---------------------------------------------------------- */

/* The numbers a learner JSON holds, read into the ml parameter structs. */
#define LEARNER_NUMBER(name, dst)                                                                  \
    do {                                                                                           \
        double v_;                                                                                 \
        if ((rc = mod__learner_number(ctx, m->learner, name, &v_)) < 0) return rc;                 \
        dst = v_;                                                                                  \
    } while (0)

static int train_linreg(mod_ctx *ctx, mod__model *m, const ml_matrix *x, const double *y,
                        const ml_env *env)
{
    int rc;
    ml_linreg_params p = ML_LINREG_DEFAULTS;
    const char *method = mod__learner_string(m->learner, "solution_method");
    p.method = method != NULL && strcmp(method, "online-gradient-descent") == 0 ? ML_LINREG_OGD
                                                                              : ML_LINREG_OLS;
    LEARNER_NUMBER("l2_regularization_weight", p.l2);
    LEARNER_NUMBER("random_number_seed", p.seed);
    if ((rc = mod__learner_bool(ctx, m->learner, "include_intercept_term", &p.intercept)) < 0)
        return rc;
    if (p.method == ML_LINREG_OGD) {
        LEARNER_NUMBER("learning_rate", p.learning_rate);
        LEARNER_NUMBER("number_of_training_epochs", p.epochs);
        if ((rc = mod__learner_bool(ctx, m->learner, "normalize_features", &p.normalize)) < 0 ||
            (rc = mod__learner_bool(ctx, m->learner, "average_final_hypothesis", &p.average)) < 0 ||
            (rc = mod__learner_bool(ctx, m->learner, "decrease_learning_rate", &p.decrease_rate)) <
                0)
            return rc;
        p.intercept = true;
    }
    wf_error err = {0};
    if (ml_linreg_fit(x, y, &p, env, &m->linear, &err) < 0) return mod_fail_with(ctx, &err);
    return 0;
}

static int train_logreg(mod_ctx *ctx, mod__model *m, const ml_matrix *x, const int32_t *y,
                        const ml_env *env)
{
    int rc;
    ml_logreg_params p = ML_LOGREG_DEFAULTS;
    LEARNER_NUMBER("optimization_tolerance", p.tolerance);
    LEARNER_NUMBER("l1_regularization_weight", p.l1);
    LEARNER_NUMBER("l2_regularization_weight", p.l2);
    LEARNER_NUMBER("memory_size_for_l_bfgs", p.memory);
    wf_error err = {0};
    if (ml_logreg_fit(x, y, m->classes.count, &p, env, &m->linear, &err) < 0)
        return mod_fail_with(ctx, &err);
    return 0;
}

static int train_svm(mod_ctx *ctx, mod__model *m, ml_matrix *x, const int32_t *y, const ml_env *env)
{
    int rc;
    ml_svm_params p = ML_SVM_DEFAULTS;
    LEARNER_NUMBER("number_of_iterations", p.iterations);
    LEARNER_NUMBER("lambda", p.lambda);
    LEARNER_NUMBER("random_number_seed", p.seed);
    if ((rc = mod__learner_bool(ctx, m->learner, "normalize_features", &p.normalize)) < 0 ||
        (rc = mod__learner_bool(ctx, m->learner, "project_to_the_unit_sphere", &m->unit_sphere)) <
            0)
        return rc;
    mod__model_scale_rows(m, x);
    wf_error err = {0};
    if (ml_svm_fit(x, y, &p, env, &m->linear, &err) < 0) return mod_fail_with(ctx, &err);
    return 0;
}

static int train_trees(mod_ctx *ctx, mod__model *m, const ml_matrix *x, const double *y,
                       const ml_env *env)
{
    int rc;
    ml_trees_params p = {.task = m->task,
                         .nclasses = m->classes.count,
                         .subsample = 1,
                         .colsample_bynode = 1,
                         .lambda = 1};
    LEARNER_NUMBER("random_number_seed", p.seed);
    if (m->spec->algo == MOD__ALGO_BOOSTED) {
        LEARNER_NUMBER("maximum_number_of_leaves_per_tree", p.max_leaves);
        LEARNER_NUMBER("minimum_number_of_samples_per_leaf_node", p.min_child_weight);
        LEARNER_NUMBER("learning_rate", p.learning_rate);
        LEARNER_NUMBER("number_of_trees_constructed", p.num_trees);
        LEARNER_NUMBER("maximum_depth", p.max_depth);
    } else {
        const char *resampling = mod__learner_string(m->learner, "resampling_method");
        p.forest = true;
        p.learning_rate = 1;
        /* A forest's leaf is the mean of its rows; XGBoost's default L2 on
         * leaf weights would shrink small leaves towards zero. */
        p.lambda = 0;
        p.bootstrap = resampling == NULL || strcmp(resampling, "replicate") != 0;
        LEARNER_NUMBER("number_of_decision_trees", p.num_trees);
        LEARNER_NUMBER("maximum_depth_of_the_decision_trees", p.max_depth);
        LEARNER_NUMBER("minimum_number_of_samples_per_leaf_node", p.min_child_weight);
        /* Azure's random split candidates per node: the histogram method
         * tries every bin boundary, so k candidates are k + 1 bins. */
        LEARNER_NUMBER("number_of_random_splits_per_node", p.max_bin);
        p.max_bin = p.max_bin < 1 ? 2 : p.max_bin + 1;
        /* A random forest tries a random subset of features at each split;
         * sqrt(d) is Breiman's choice for classification, d/3 for regression. */
        double d = (double)x->cols;
        double tried = m->task == ML_REGRESSION ? ceil(d / 3) : ceil(sqrt(d));
        p.colsample_bynode = d > 0 ? fmin(1, tried / d) : 1;
    }
    /* Azure bounds the rows in a leaf; XGBoost bounds the leaf's hessian
     * sum. Under squared error a row weighs 1, so they agree; under logistic
     * and softmax loss a row weighs p(1 - p) <= 1/4, so the row count is
     * scaled by 1/4 (exact at p = 1/2, where every tree starts). */
    if (m->task != ML_REGRESSION) p.min_child_weight *= 0.25;
    wf_error err = {0};
    if (ml_trees_fit(x, y, &p, env, &m->trees, &err) < 0) return mod_fail_with(ctx, &err);
    return 0;
}

/* ---- labels -------------------------------------------------------------------------- */

/* A regression label: numbers, not all equal. */
static int train_numeric_label(mod_ctx *ctx, const tbl_table *t, size_t col, double **y)
{
    wf_error err = {0};
    if (ml_label_numbers(t, col, y, &err) < 0) return mod_fail_with(ctx, &err);
    for (size_t r = 1; r < t->nrows; r++)
        if ((*y)[r] != (*y)[0]) return 0;
    return mod_fail(ctx, WF_EINVAL,
                    "label column \"%s\" has the same value (%g) in every row: there is nothing "
                    "to learn",
                    t->cols[col].name, t->nrows > 0 ? (*y)[0] : 0.0);
}

/* Class indices of a classification label, checked against the task. */
static int train_class_label(mod_ctx *ctx, mod__model *m, const tbl_table *t, size_t col,
                             int32_t **y)
{
    wf_error err = {0};
    if (ml_label_classes(t, col, &m->classes, y, &err) < 0) return mod_fail_with(ctx, &err);
    const char *name = t->cols[col].name;
    if (m->classes.count < 2)
        return mod_fail(ctx, WF_EINVAL,
                        "label column \"%s\" has only one class (\"%s\"): a classifier needs at "
                        "least two",
                        name, m->classes.count ? m->classes.names[0] : "");
    if (m->task == ML_BINARY && m->classes.count > 2)
        return mod_fail(ctx, WF_EINVAL,
                        "label column \"%s\" has %zu classes, but %s is a two-class learner; use "
                        "a multiclass learner",
                        name, m->classes.count, m->spec->name);
    return 0;
}

/* t without the rows whose label is missing (a borrowed pointer when none
 * is); the log says how many went. */
static int train_drop_missing_labels(mod_ctx *ctx, const tbl_table *t, size_t col,
                                     tbl_table **owned, const tbl_table **use)
{
    const tbl_column *c = &t->cols[col];
    size_t missing = tbl_count_missing(c, t->nrows);
    *owned = NULL;
    *use = t;
    if (missing == 0) return 0;
    if (missing == t->nrows)
        return mod_fail(ctx, WF_EINVAL, "label column \"%s\" is missing in every row", c->name);
    bool *keep = wf_mallocarray(t->nrows, sizeof *keep);
    if (keep == NULL) return mod_fail(ctx, WF_ENOMEM, "out of memory");
    for (size_t r = 0; r < t->nrows; r++)
        keep[r] = !tbl_is_missing(c, r);
    wf_error err = {0};
    int rc = tbl_filter(t, keep, owned, &err);
    free(keep);
    if (rc < 0) return mod_fail_with(ctx, &err);
    mod_log(ctx, "dropped %zu of %zu rows whose label \"%s\" is missing", missing, t->nrows,
            c->name);
    *use = *owned;
    return 0;
}

/* ---- train-model@1 ------------------------------------------------------------------- */

static int train_fit(mod_ctx *ctx, mod__model *m, const tbl_table *t, size_t label)
{
    size_t *cols = NULL, ncols = 0;
    int rc = train_feature_columns(ctx, t, (int)label, &cols, &ncols);
    bool trees = m->spec->algo == MOD__ALGO_BOOSTED || m->spec->algo == MOD__ALGO_FOREST ||
                 m->spec->algo == MOD__ALGO_QFOREST;
    wf_error err = {0};
    if (rc == 0 && ml_features_fit(&m->features, t, cols, ncols, trees ? ML_CODES : ML_ONE_HOT,
                                   !trees, &err) < 0)
        rc = mod_fail_with(ctx, &err);
    free(cols);
    if (rc < 0) return rc;
    ml_matrix x = {0};
    if (ml_features_matrix(&m->features, t, &x, &err) < 0) return mod_fail_with(ctx, &err);
    mod_log(ctx, "training %s on %zu rows, %zu feature columns (%zu after encoding)", m->spec->name,
            t->nrows, m->features.count, m->features.width);
    ml_env env = train_env(ctx);
    double *yn = NULL;
    int32_t *yc = NULL;
    if (m->task == ML_REGRESSION)
        rc = train_numeric_label(ctx, t, label, &yn);
    else
        rc = train_class_label(ctx, m, t, label, &yc);
    if (rc == 0 && trees && yc != NULL) {
        /* XGBoost takes the class index as a number. */
        yn = wf_mallocarray(t->nrows + 1, sizeof *yn);
        if (yn == NULL) rc = mod_fail(ctx, WF_ENOMEM, "out of memory");
        for (size_t r = 0; rc == 0 && r < t->nrows; r++)
            yn[r] = yc[r];
    }
    if (rc == 0) {
        switch (m->spec->algo) {
        case MOD__ALGO_LINREG:
            rc = train_linreg(ctx, m, &x, yn, &env);
            break;
        case MOD__ALGO_LOGREG:
            rc = train_logreg(ctx, m, &x, yc, &env);
            break;
        case MOD__ALGO_SVM:
            rc = train_svm(ctx, m, &x, yc, &env);
            break;
        case MOD__ALGO_BOOSTED:
        case MOD__ALGO_FOREST:
            rc = train_trees(ctx, m, &x, yn, &env);
            break;
        case MOD__ALGO_POISSON:
        case MOD__ALGO_QFOREST:
        case MOD__ALGO_NN:
        case MOD__ALGO_PERCEPTRON:
            rc = mod__fit3(ctx, m, &x, yn, yc);
            break;
        case MOD__ALGO_KMEANS:
        case MOD__ALGO_OVA:
        case MOD__ALGO_OVO:
        case MOD__ALGO_PCA:
            rc = mod_fail(ctx, WF_EINVAL, "unreachable");
            break;
        }
    }
    free(yn);
    free(yc);
    ml_matrix_clear(&x);
    return rc;
}

int mod__train_supervised(mod_ctx *ctx, const json_t *learner, const tbl_table *in, size_t label,
                          mod__model *out)
{
    const mod__learner_spec *spec;
    int rc = train_spec(ctx, learner, &spec);
    if (rc < 0) return rc;
    if (spec->task == ML_CLUSTERING)
        return mod_fail(ctx, WF_EINVAL,
                        "%s is a clustering learner: train it with Train "
                        "Clustering Model",
                        spec->name);
    if (spec->task == ML_ANOMALY)
        return mod_fail(ctx, WF_EINVAL,
                        "%s is an anomaly detection learner: train it with Train Anomaly "
                        "Detection Model",
                        spec->name);
    bool reduction = spec->algo == MOD__ALGO_OVA || spec->algo == MOD__ALGO_OVO;
    tbl_table *owned = NULL;
    const tbl_table *t;
    if ((rc = train_drop_missing_labels(ctx, in, label, &owned, &t)) < 0) return rc;

    mod__model m = {.learner = json_incref((json_t *)learner),
                    .spec = spec,
                    .task = spec->task,
                    .label_type = t->cols[label].type,
                    .schema = mod__schema_json(in)};
    m.label = wf_strdup(t->cols[label].name);
    if (m.label == NULL || m.schema == NULL) rc = mod_fail(ctx, WF_ENOMEM, "out of memory");
    /* A reduction's two-class models check unknown levels themselves. */
    if (rc == 0 && spec->task != ML_REGRESSION && !reduction)
        rc = mod__learner_bool(ctx, learner, "allow_unknown_categorical_levels",
                               &m.allow_unknown_levels);
    else
        m.allow_unknown_levels = true;
    if (rc == 0)
        rc = reduction ? mod__reduction_fit(ctx, &m, t, label) : train_fit(ctx, &m, t, label);
    tbl_free(owned);
    if (rc < 0) {
        mod__model_clear(&m);
        return rc;
    }
    *out = m;
    return 0;
}

static int train_model_run(mod_ctx *ctx)
{
    const json_t *learner = mod_input_json(ctx, "untrained_model");
    if (learner == NULL) return mod_fail(ctx, WF_EINVAL, "input \"untrained_model\" is missing");
    const tbl_table *in = mod_input_table(ctx, "dataset");
    if (in == NULL) return mod_fail(ctx, WF_EINVAL, "input \"dataset\" is missing");
    size_t label;
    int rc = mod__column_param(ctx, "label_column", in, &label);
    mod__model m;
    if (rc == 0) rc = mod__train_supervised(ctx, learner, in, label, &m);
    if (rc < 0) return rc;
    json_t *out = mod__model_to_json(ctx, &m);
    mod__model_clear(&m);
    if (out == NULL) return ctx->err.code ? ctx->err.code : WF_ENOMEM;
    return mod_output_json(ctx, "trained_model", out);
}

/* The output is a model, which has no schema; configure checks that the
 * label column is in the input (when its schema is known). */
static int train_model_configure(mod_ctx *ctx)
{
    const tbl_table *in = mod_input_table(ctx, "dataset");
    size_t label;
    return in != NULL ? mod__column_param(ctx, "label_column", in, &label) : 0;
}

const mod_descriptor mod_train_model = {
    .name = "train-model",
    .version = 1,
    .display_name = "Train Model",
    .category = "Model Training",
    .help = "Trains a learner (regression or classification) on a table and outputs the trained "
            "model.\n\n"
            "- **Features** are every column with the feature role except the label. Columns "
            "marked label, weight, score or clear (Edit Metadata) are left out.\n"
            "- **Categorical and string features** are one-hot encoded for linear learners and "
            "given as level codes to tree learners. A string column with more than 1000 "
            "distinct values is refused, as in the Azure designer: drop it or make it "
            "categorical.\n"
            "- **Missing values**: rows whose label is missing are dropped (the log says how "
            "many). Missing feature values become the training mean for linear learners; trees "
            "learn where to send them.\n"
            "- **Classes** of a classification label are its distinct values; for two classes "
            "the positive one is the second: numbers and booleans ascending (1 of 0/1, true), "
            "a categorical label's levels in their order (an ARFF file's declared order, or "
            "first appearance in a CSV), strings sorted.\n\n"
            "The model records the training schema, the learner and its parameters, and the "
            "fitted state, so Score Model can check new data against it.\n\n"
            "## Example\n\n"
            "Connect Two-Class Boosted Decision Tree to `untrained_model`, the training half of "
            "Split Data to `dataset`, and predict `class`:\n\n"
            "```json\n{\"label_column\": \"class\"}\n```",
    MOD_PORTS(inputs, train_in),
    MOD_PORTS(outputs, train_out),
    MOD_PARAMS(train_params),
    .configure = train_model_configure,
    .run = train_model_run,
};

/* ---- train-clustering-model@1 ------------------------------------------------------------ */

static const mod_port cluster_out[] = {
    {.name = "trained_model", .kind = MOD_MODEL, .help = "The trained clustering model."},
    {.name = "results_dataset",
     .kind = MOD_TABLE,
     .help = "The training rows with their cluster (Assignments) and distances."},
};

static const mod_param cluster_params[] = {
    {.name = "column_set",
     .label = "Column set",
     .type = MOD_PARAM_COLUMN_SELECTION,
     .required = true,
     .input = "dataset",
     .help = "The columns to cluster on."},
    {.name = "check_for_append_or_uncheck_for_result_only",
     .label = "Check for append or uncheck for result only",
     .type = MOD_PARAM_BOOL,
     .default_json = "true",
     .help = "Append the assignments to the input columns, or output the assignments alone."},
};

static int train_kmeans(mod_ctx *ctx, mod__model *m, ml_matrix *x)
{
    int rc;
    ml_kmeans_params p = {.k = 2, .iterations = 100};
    LEARNER_NUMBER("number_of_centroids", p.k);
    LEARNER_NUMBER("iterations", p.iterations);
    LEARNER_NUMBER("random_number_seed", p.seed);
    const char *init = mod__learner_string(m->learner, "initialization");
    const char *metric = mod__learner_string(m->learner, "metric");
    p.init = init == NULL                   ? ML_KMEANS_PLUS_PLUS
             : strcmp(init, "random") == 0  ? ML_KMEANS_RANDOM
             : strcmp(init, "first-n") == 0 ? ML_KMEANS_FIRST_N
                                            : ML_KMEANS_PLUS_PLUS;
    p.metric = metric != NULL && strcmp(metric, "cosine") == 0 ? ML_COSINE : ML_EUCLIDEAN;
    bool normalize = true;
    if ((rc = mod__learner_bool(ctx, m->learner, "normalize_features", &normalize)) < 0) return rc;
    if (normalize && (rc = train_min_max(ctx, x, m)) < 0) return rc;
    ml_env env = train_env(ctx);
    wf_error err = {0};
    if (ml_kmeans_fit(x, &p, &env, &m->kmeans, &err) < 0) return mod_fail_with(ctx, &err);
    mod_log(ctx, "k-means: %zu clusters after %d iterations", m->kmeans.k, m->kmeans.iterations);
    return 0;
}

static int train_clustering_run(mod_ctx *ctx)
{
    const json_t *learner;
    const mod__learner_spec *spec;
    int rc = train_learner(ctx, &learner, &spec);
    if (rc < 0) return rc;
    if (spec->task != ML_CLUSTERING)
        return mod_fail(ctx, WF_EINVAL,
                        "%s is not a clustering learner: train it with Train "
                        "Model",
                        spec->name);
    const tbl_table *t = mod_input_table(ctx, "dataset");
    if (t == NULL) return mod_fail(ctx, WF_EINVAL, "input \"dataset\" is missing");
    size_t *cols = NULL, ncols = 0;
    if ((rc = mod__resolve_selection(ctx, "column_set", t, &cols, &ncols)) < 0) return rc;
    bool append = true;
    mod_param_bool(ctx, "check_for_append_or_uncheck_for_result_only", &append);

    mod__model m = {.learner = json_incref((json_t *)learner),
                    .spec = spec,
                    .task = ML_CLUSTERING,
                    .allow_unknown_levels = true,
                    .schema = mod__schema_json(t)};
    wf_error err = {0};
    ml_matrix x = {0};
    if (m.schema == NULL) rc = mod_fail(ctx, WF_ENOMEM, "out of memory");
    if (rc == 0 && ml_features_fit(&m.features, t, cols, ncols, ML_ONE_HOT, true, &err) < 0)
        rc = mod_fail_with(ctx, &err);
    free(cols);
    if (rc == 0 && ml_features_matrix(&m.features, t, &x, &err) < 0) rc = mod_fail_with(ctx, &err);
    if (rc == 0) rc = train_kmeans(ctx, &m, &x);
    tbl_table *results = NULL;
    if (rc == 0) rc = mod__cluster_columns(ctx, &m, &x, t, append, &results);
    json_t *out = rc == 0 ? mod__model_to_json(ctx, &m) : NULL;
    if (rc == 0 && out == NULL) rc = ctx->err.code ? ctx->err.code : WF_ENOMEM;
    ml_matrix_clear(&x);
    mod__model_clear(&m);
    if (rc < 0) {
        tbl_free(results);
        return rc;
    }
    if ((rc = mod_output_json(ctx, "trained_model", out)) < 0) {
        tbl_free(results);
        return rc;
    }
    return mod_output_table(ctx, "results_dataset", results);
}

/* The results' score columns depend on k, which is in the learner, so
 * only the column set is checked. */
static int train_clustering_configure(mod_ctx *ctx)
{
    const tbl_table *in = mod_input_table(ctx, "dataset");
    if (in == NULL) return 0;
    size_t *cols = NULL, n = 0;
    int rc = mod__resolve_selection(ctx, "column_set", in, &cols, &n);
    free(cols);
    return rc;
}

const mod_descriptor mod_train_clustering_model = {
    .name = "train-clustering-model",
    .version = 1,
    .display_name = "Train Clustering Model",
    .category = "Model Training",
    .help = "Trains a clustering learner (K-Means Clustering) on the selected columns and "
            "outputs the model and the training rows with their assignments.\n\n"
            "Categorical and string columns are one-hot encoded; missing numbers become the "
            "column's mean. The `Assignments` column (the cluster index) and one "
            "`DistancesToClusterCenter no.K` column per cluster carry the score role.\n\n"
            "## Example\n\n"
            "Cluster on every numeric column, keeping the input columns in the results:\n\n"
            "```json\n{\"column_set\": {\"include\": [{\"type\": \"numeric\"}]},\n"
            " \"check_for_append_or_uncheck_for_result_only\": true}\n```",
    MOD_PORTS(inputs, train_in),
    MOD_PORTS(outputs, cluster_out),
    MOD_PARAMS(cluster_params),
    .configure = train_clustering_configure,
    .run = train_clustering_run,
};
