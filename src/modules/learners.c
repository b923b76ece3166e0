/*
 * learners.c: the learner modules of the Azure designer's "Machine Learning
 * Algorithms" group. A learner has no inputs and one `untrained_model`
 * output: a learner JSON (docs/formats.md, "Learners") that names the
 * learner and carries its parameters. Train Model, Train Clustering Model
 * (train.c) and, in a later issue, Tune Model Hyperparameters read it.
 *
 * Parameters are the Azure designer's, with its defaults. "Create trainer
 * mode" is Single Parameter or Parameter Range; in range mode each tunable
 * parameter also has a `..._range` list ("0.1; 0.2; 0.4") for sweeps, and
 * Train Model uses the first value of each list, as the Azure designer does
 * with a range-mode learner outside a sweep.
 *
 * The algorithms themselves, with their papers, live in src/ml.
 */
#include "modules_int.h"

#include <jansson.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

static const mod_port learner_out[] = {
    {.name = "untrained_model",
     .kind = MOD_LEARNER,
     .help = "The learner and its parameters, to connect to Train Model."},
};

static const char *const trainer_modes[] = {"single-parameter", "parameter-range", NULL};
static const char *const linreg_methods[] = {"ordinary-least-squares", "online-gradient-descent", NULL};
static const char *const resampling_methods[] = {"bagging", "replicate", NULL};
static const char *const kmeans_inits[] = {"k-means++", "random", "first-n", NULL};
static const char *const kmeans_metrics[] = {"euclidean", "cosine", NULL};

#include "learner_params.h"

/* ---- linear-regression@1 ------------------------------------------------ */

static const mod_param linreg_params[] = {
    {.name = "solution_method",
     .label = "Solution method",
     .type = MOD_PARAM_ENUM,
     .choices = linreg_methods,
     .default_json = "\"ordinary-least-squares\"",
     .help = "ordinary-least-squares: the exact least-squares fit, by QR decomposition. "
             "online-gradient-descent: stochastic gradient steps, for very large data."},
    TRAINER_MODE_PARAM,
    {.name = "l2_regularization_weight",
     .label = "L2 regularization weight",
     .type = MOD_PARAM_NUMBER,
     .default_json = "0.001",
     .has_min = true,
     .min = 0,
     .help = "Ridge penalty on the weights (not the intercept); 0 for plain least squares."},
    {.name = "include_intercept_term",
     .label = "Include intercept term",
     .type = MOD_PARAM_BOOL,
     .default_json = "true",
     .visible_when = "solution_method=ordinary-least-squares",
     .help = "Fit a constant term as well as the weights."},
    NUMBER_PARAM("learning_rate", "Learning rate", "0.1", 0, 0,
                 "Online gradient descent: the initial step size."),
    INT_PARAM("number_of_training_epochs", "Number of training epochs", "10", 1, 0,
              "Online gradient descent: passes over the data."),
    {.name = "normalize_features",
     .label = "Normalize features",
     .type = MOD_PARAM_BOOL,
     .default_json = "true",
     .visible_when = "solution_method=online-gradient-descent",
     .help = "Online gradient descent: standardise features before the steps."},
    {.name = "average_final_hypothesis",
     .label = "Average final hypothesis",
     .type = MOD_PARAM_BOOL,
     .default_json = "true",
     .visible_when = "solution_method=online-gradient-descent",
     .help = "Online gradient descent: return the average of the iterates."},
    {.name = "decrease_learning_rate",
     .label = "Decrease learning rate",
     .type = MOD_PARAM_BOOL,
     .default_json = "true",
     .visible_when = "solution_method=online-gradient-descent",
     .help = "Online gradient descent: shrink the step size as 1/sqrt(t)."},
    RANGE_PARAM("learning_rate", "learning rate", "\"0.025; 0.05; 0.1; 0.2\""),
    RANGE_PARAM("number_of_training_epochs", "number of training epochs", "\"1; 10; 100\""),
    SEED_PARAM,
};

/* ---- logistic regression (two-class and multiclass) --------------------- */

static const mod_param logreg_params[] = {
    TRAINER_MODE_PARAM,
    NUMBER_PARAM("optimization_tolerance", "Optimization tolerance", "1e-07", 0, 0,
                 "Stop when an L-BFGS step improves the objective by less than this, relatively."),
    NUMBER_PARAM("l1_regularization_weight", "L1 regularization weight", "1.0", 0, 0,
                 "Lasso penalty: drives weights of weak features to exactly zero."),
    NUMBER_PARAM("l2_regularization_weight", "L2 regularization weight", "1.0", 0, 0,
                 "Ridge penalty: shrinks every weight."),
    INT_PARAM("memory_size_for_l_bfgs", "Memory size for L-BFGS", "20", 1, 0,
              "How many past steps L-BFGS keeps to approximate curvature."),
    RANGE_PARAM("optimization_tolerance", "optimization tolerance", "\"0.0001; 0.0000001\""),
    RANGE_PARAM("l1_regularization_weight", "L1 regularization weight", "\"0.0; 0.01; 0.1; 1.0\""),
    RANGE_PARAM("l2_regularization_weight", "L2 regularization weight", "\"0.01; 0.1; 1.0\""),
    RANGE_PARAM("memory_size_for_l_bfgs", "memory size for L-BFGS", "\"5; 20; 50\""),
    SEED_PARAM,
    UNKNOWN_LEVELS_PARAM,
};

/* ---- boosted decision trees ---------------------------------------------- */

static const mod_param boosted_params[] = {
    TRAINER_MODE_PARAM,
    INT_PARAM("maximum_number_of_leaves_per_tree", "Maximum number of leaves per tree", "20", 2, 0,
              "The most leaves a tree may grow (trees grow best-first, by loss)."),
    INT_PARAM("minimum_number_of_samples_per_leaf_node", "Minimum number of samples per leaf node",
              "10", 1, 0, "The fewest training rows a leaf may hold."),
    NUMBER_PARAM("learning_rate", "Learning rate", "0.2", 0, 1,
                 "Shrinks each tree's contribution; smaller needs more trees."),
    INT_PARAM("number_of_trees_constructed", "Number of trees constructed", "100", 1, 0,
              "Boosting rounds."),
    {.name = "maximum_depth",
     .label = "Maximum depth (weft)",
     .type = MOD_PARAM_INT,
     .default_json = "0",
     .has_min = true,
     .min = 0,
     .help = "Not in the Azure designer: the deepest a tree may grow, 0 for no limit (the "
             "leaf count alone bounds it, as in Azure)."},
    RANGE_PARAM("maximum_number_of_leaves_per_tree", "maximum number of leaves per tree",
                "\"2; 8; 32; 128\""),
    RANGE_PARAM("minimum_number_of_samples_per_leaf_node",
                "minimum number of samples per leaf node", "\"1; 10; 50\""),
    RANGE_PARAM("learning_rate", "learning rate", "\"0.025; 0.05; 0.1; 0.2; 0.4\""),
    RANGE_PARAM("number_of_trees_constructed", "number of trees constructed", "\"20; 100; 500\""),
    SEED_PARAM,
    UNKNOWN_LEVELS_PARAM,
};

/* ---- decision forests ------------------------------------------------------ */

static const mod_param forest_params[] = {
    {.name = "resampling_method",
     .label = "Resampling method",
     .type = MOD_PARAM_ENUM,
     .choices = resampling_methods,
     .default_json = "\"bagging\"",
     .help = "bagging: each tree sees a random sample of the rows. replicate: each tree sees "
             "every row, and trees differ by the features tried at each split."},
    TRAINER_MODE_PARAM,
    INT_PARAM("number_of_decision_trees", "Number of decision trees", "8", 1, 0,
              "Trees in the forest; their outputs are averaged."),
    INT_PARAM("maximum_depth_of_the_decision_trees", "Maximum depth of the decision trees", "32", 1,
              0, "The deepest a tree may grow."),
    INT_PARAM("number_of_random_splits_per_node", "Number of random splits per node", "128", 1, 0,
              "Split candidates per feature at a node: XGBoost's histogram gets one more bin "
              "than this, and every bin boundary is a candidate."),
    INT_PARAM("minimum_number_of_samples_per_leaf_node", "Minimum number of samples per leaf node",
              "1", 1, 0, "The fewest training rows a leaf may hold."),
    RANGE_PARAM("number_of_decision_trees", "number of decision trees", "\"1; 8; 32\""),
    RANGE_PARAM("maximum_depth_of_the_decision_trees", "maximum depth of the decision trees",
                "\"1; 16; 64\""),
    RANGE_PARAM("number_of_random_splits_per_node", "number of random splits per node",
                "\"1; 128; 1024\""),
    RANGE_PARAM("minimum_number_of_samples_per_leaf_node",
                "minimum number of samples per leaf node", "\"1; 4; 16\""),
    SEED_PARAM,
    UNKNOWN_LEVELS_PARAM,
};

/* ---- two-class-support-vector-machine@1 ------------------------------------ */

static const mod_param svm_params[] = {
    TRAINER_MODE_PARAM,
    INT_PARAM("number_of_iterations", "Number of iterations", "1", 1, 0,
              "Azure's Pegasos passes. weft solves the same objective exactly with LIBLINEAR's "
              "dual coordinate descent and uses this as a factor on the solver's pass budget."),
    NUMBER_PARAM("lambda", "Lambda", "0.001", 0, 0,
                 "The weight of the L2 penalty: larger means a simpler boundary."),
    {.name = "normalize_features",
     .label = "Normalize features",
     .type = MOD_PARAM_BOOL,
     .default_json = "true",
     .help = "Standardise features before training (folded back into the weights)."},
    {.name = "project_to_the_unit_sphere",
     .label = "Project to the unit sphere",
     .type = MOD_PARAM_BOOL,
     .default_json = "false",
     .help = "Scale each row to unit length before training and scoring."},
    RANGE_PARAM("number_of_iterations", "number of iterations", "\"1; 10; 100\""),
    RANGE_PARAM("lambda", "lambda", "\"0.00001; 0.0001; 0.001; 0.01; 0.1\""),
    SEED_PARAM,
    UNKNOWN_LEVELS_PARAM,
};

/* ---- k-means-clustering@1 -------------------------------------------------- */

static const mod_param kmeans_params[] = {
    TRAINER_MODE_PARAM,
    INT_PARAM("number_of_centroids", "Number of centroids", "2", 1, 0,
              "k: how many clusters to find."),
    {.name = "initialization",
     .label = "Initialization",
     .type = MOD_PARAM_ENUM,
     .choices = kmeans_inits,
     .default_json = "\"k-means++\"",
     .help = "k-means++: spread the first centroids out (Arthur and Vassilvitskii, 2007). "
             "random: k random rows. first-n: the first k rows."},
    {.name = "metric",
     .label = "Metric",
     .type = MOD_PARAM_ENUM,
     .choices = kmeans_metrics,
     .default_json = "\"euclidean\"",
     .help = "Euclidean distance, or cosine distance (1 - cosine similarity)."},
    {.name = "normalize_features",
     .label = "Normalize features",
     .type = MOD_PARAM_BOOL,
     .default_json = "true",
     .help = "Rescale each feature to [0, 1] (min-max) before clustering, so no feature "
             "dominates the distance by its units."},
    {.name = "iterations",
     .label = "Iterations",
     .type = MOD_PARAM_INT,
     .default_json = "100",
     .has_min = true,
     .min = 1,
     .help = "The most Lloyd iterations; training stops sooner when no point changes cluster."},
    RANGE_PARAM("number_of_centroids", "number of centroids", "\"2; 3; 4; 5\""),
    SEED_PARAM,
};

/* ---- the table of learners -------------------------------------------------- */

static const mod__learner_spec learner_specs[] = {
    {"linear-regression", ML_REGRESSION, MOD__ALGO_LINREG},
    {"two-class-logistic-regression", ML_BINARY, MOD__ALGO_LOGREG},
    {"multiclass-logistic-regression", ML_MULTICLASS, MOD__ALGO_LOGREG},
    {"two-class-support-vector-machine", ML_BINARY, MOD__ALGO_SVM},
    {"boosted-decision-tree-regression", ML_REGRESSION, MOD__ALGO_BOOSTED},
    {"two-class-boosted-decision-tree", ML_BINARY, MOD__ALGO_BOOSTED},
    {"multiclass-boosted-decision-tree", ML_MULTICLASS, MOD__ALGO_BOOSTED},
    {"decision-forest-regression", ML_REGRESSION, MOD__ALGO_FOREST},
    {"two-class-decision-forest", ML_BINARY, MOD__ALGO_FOREST},
    {"multiclass-decision-forest", ML_MULTICLASS, MOD__ALGO_FOREST},
    {"k-means-clustering", ML_CLUSTERING, MOD__ALGO_KMEANS},
    /* learners III (#6): learners3.c, reduction.c, anomaly.c */
    {"poisson-regression", ML_REGRESSION, MOD__ALGO_POISSON},
    {"fast-forest-quantile-regression", ML_REGRESSION, MOD__ALGO_QFOREST},
    {"neural-network-regression", ML_REGRESSION, MOD__ALGO_NN},
    {"two-class-neural-network", ML_BINARY, MOD__ALGO_NN},
    {"multiclass-neural-network", ML_MULTICLASS, MOD__ALGO_NN},
    {"two-class-averaged-perceptron", ML_BINARY, MOD__ALGO_PERCEPTRON},
    {"one-vs-all-multiclass", ML_MULTICLASS, MOD__ALGO_OVA},
    {"one-vs-one-multiclass", ML_MULTICLASS, MOD__ALGO_OVO},
    {"pca-based-anomaly-detection", ML_ANOMALY, MOD__ALGO_PCA},
};

const mod__learner_spec *mod__learner_find(const char *module_ref)
{
    if (module_ref == NULL) return NULL;
    size_t len = strcspn(module_ref, "@");
    for (size_t i = 0; i < sizeof learner_specs / sizeof learner_specs[0]; i++)
        if (strlen(learner_specs[i].name) == len &&
            memcmp(learner_specs[i].name, module_ref, len) == 0)
            return &learner_specs[i];
    return NULL;
}

const char *mod__task_name(ml_task task)
{
    static const char *const names[] = {"regression", "binary", "multiclass", "clustering",
                                        "anomaly"};
    return (unsigned)task < 5 ? names[task] : "unknown";
}

/* ---- reading parameters back from a learner JSON ----------------------------- */

/* The first number of a range list "0.1; 0.2" (commas also separate). */
static int learner_first_of_range(const char *list, double *out)
{
    const char *p = list + strspn(list, " \t;,");
    char *end;
    double v = strtod(p, &end);
    if (end == p || !isfinite(v)) return WF_EINVAL;
    *out = v;
    return 0;
}

int mod__learner_number(mod_ctx *ctx, const json_t *learner, const char *name, double *out)
{
    const json_t *params = json_object_get(learner, "params");
    const char *mode = json_string_value(json_object_get(params, "create_trainer_mode"));
    if (mode != NULL && strcmp(mode, "parameter-range") == 0) {
        char key[128];
        snprintf(key, sizeof key, "%s_range", name);
        const char *list = json_string_value(json_object_get(params, key));
        if (list != NULL) {
            if (learner_first_of_range(list, out) < 0)
                return mod_fail(ctx, WF_EINVAL,
                                "learner parameter \"%s\": \"%s\" is not a list "
                                "of numbers",
                                key, list);
            return 0;
        }
    }
    const json_t *v = json_object_get(params, name);
    if (!json_is_number(v))
        return mod_fail(ctx, WF_EINVAL, "the learner has no number \"%s\"", name);
    *out = json_number_value(v);
    return 0;
}

int mod__learner_bool(mod_ctx *ctx, const json_t *learner, const char *name, bool *out)
{
    const json_t *v = json_object_get(json_object_get(learner, "params"), name);
    if (!json_is_boolean(v))
        return mod_fail(ctx, WF_EINVAL, "the learner has no boolean \"%s\"", name);
    *out = json_is_true(v);
    return 0;
}

const char *mod__learner_string(const json_t *learner, const char *name)
{
    return json_string_value(json_object_get(json_object_get(learner, "params"), name));
}

/* ---- run and configure --------------------------------------------------------- */

/* Checks that every visible range list parses, so a sweep never meets a
 * bad list half-way. */
static int learner_check_ranges(mod_ctx *ctx)
{
    const char *mode = mod_param_string(ctx, "create_trainer_mode");
    if (mode == NULL || strcmp(mode, "parameter-range") != 0) return 0;
    int rc = 0;
    for (size_t k = 0; k < ctx->module->nparams; k++) {
        const mod_param *p = &ctx->module->params[k];
        size_t len = strlen(p->name);
        if (len < 6 || strcmp(p->name + len - 6, "_range") != 0) continue;
        const char *list = mod_param_string(ctx, p->name);
        if (list == NULL) continue;
        /* The bounds are the single value's (the parameter without _range). */
        char single[128];
        snprintf(single, sizeof single, "%.*s", (int)(len - 6), p->name);
        const mod_param *bounds = mod__param_spec(ctx, single);
        if (bounds == NULL) bounds = p;
        int count = 0;
        for (const char *s = list;;) {
            s += strspn(s, " \t;,");
            if (*s == '\0') break;
            char *end;
            double v = strtod(s, &end);
            if (end == s || !isfinite(v)) {
                rc = mod_param_error(ctx, p->name, "\"%s\" is not a list of numbers", list);
                break;
            }
            if (bounds->has_min && v < bounds->min) {
                rc = mod_param_error(ctx, p->name, "%g is below the minimum, %g", v, bounds->min);
                break;
            }
            if (bounds->has_max && v > bounds->max) {
                rc = mod_param_error(ctx, p->name, "%g is above the maximum, %g", v, bounds->max);
                break;
            }
            count++;
            s = end;
        }
        if (rc == 0 && count == 0) rc = mod_param_error(ctx, p->name, "the list is empty");
    }
    return rc;
}

/* The learner JSON: {"kind", "learner": "name@version", "task", "params"}. */
static int learner_run(mod_ctx *ctx)
{
    int rc = learner_check_ranges(ctx);
    if (rc < 0) return rc;
    const mod__learner_spec *spec = mod__learner_find(ctx->module->name);
    if (spec == NULL) return mod_fail(ctx, WF_EINVAL, "%s is not a learner", ctx->module->name);
    char id[128];
    snprintf(id, sizeof id, "%s@%d", ctx->module->name, ctx->module->version);
    json_t *out = json_pack("{s:s, s:s, s:s, s:O}", "kind", "learner", "learner", id, "task",
                            mod__task_name(spec->task), "params", ctx->params);
    if (out == NULL) return mod_fail(ctx, WF_ENOMEM, "out of memory");
    return mod_output_json(ctx, "untrained_model", out);
}

/* Configure checks the ranges; the output is not a table, so it has no schema. */
static int learner_configure(mod_ctx *ctx)
{
    return learner_check_ranges(ctx);
}

int mod__learner_run(mod_ctx *ctx)
{
    return learner_run(ctx);
}

int mod__learner_configure(mod_ctx *ctx)
{
    return learner_configure(ctx);
}

#define LEARNER(var, id, title, category_name, params_array, text, example)                        \
    const mod_descriptor var = {.name = id,                                                        \
                                .version = 1,                                                      \
                                .display_name = title,                                             \
                                .category = category_name,                                         \
                                .help = text "\n\n## Example\n\n" example,                          \
                                MOD_PORTS(outputs, learner_out),                                   \
                                MOD_PARAMS(params_array),                                          \
                                .configure = learner_configure,                                    \
                                .run = learner_run}

#define REGRESSION "Machine Learning Algorithms: Regression"
#define CLASSIFICATION "Machine Learning Algorithms: Classification"
#define CLUSTERING "Machine Learning Algorithms: Clustering"

#define TREES_HELP                                                                                 \
    "Categorical features are encoded as level codes and missing values are handled by the "       \
    "trees themselves (each split learns which way missing values go). Columns with the "          \
    "label, score or clear role are not features."
#define LINEAR_HELP                                                                                \
    "Categorical and string features are one-hot encoded (one indicator per level seen in "        \
    "training); missing numbers are replaced by the training mean, missing categories set no "     \
    "indicator. Columns with the label, score or clear role are not features."

LEARNER(mod_linear_regression, "linear-regression", "Linear Regression", REGRESSION, linreg_params,
        "Fits a linear model y = w.x + b to a numeric label.\n\n"
        "**Ordinary least squares** solves min |y - Xw - b|^2 + l2 |w|^2 exactly by a QR "
        "decomposition (LAPACK); the intercept is not penalised. **Online gradient descent** "
        "takes stochastic gradient steps over shuffled rows, for data too large to solve "
        "at once.\n\n" LINEAR_HELP,
        "Ordinary least squares with a small ridge penalty, connected to Train Model with the "
        "label `price`:\n\n```json\n{\"solution_method\": \"ordinary-least-squares\", "
        "\"l2_regularization_weight\": 0.001}\n```");

LEARNER(mod_two_class_logistic_regression, "two-class-logistic-regression",
        "Two-Class Logistic Regression", CLASSIFICATION, logreg_params,
        "Predicts the probability of the positive class (the second class: 1 of 0/1, true of "
        "false/true, or a categorical label's second level) with a logistic model.\n\n"
        "Minimises the log loss plus l1 |w|_1 + (l2 / 2) |w|^2 by L-BFGS, with OWL-QN for the L1 "
        "term (Andrew and Gao, 2007), as the Azure designer does.\n\n" LINEAR_HELP,
        "L2 only, as scikit-learn's LogisticRegression(C = 1):\n\n```json\n"
        "{\"l1_regularization_weight\": 0, \"l2_regularization_weight\": 1}\n```");

LEARNER(mod_multiclass_logistic_regression, "multiclass-logistic-regression",
        "Multiclass Logistic Regression", CLASSIFICATION, logreg_params,
        "Predicts the probability of each class with a multinomial (softmax) logistic model, "
        "trained like Two-Class Logistic Regression.\n\n" LINEAR_HELP,
        "A sweep over the L2 weight for Tune Model Hyperparameters:\n\n```json\n"
        "{\"create_trainer_mode\": \"parameter-range\", "
        "\"l2_regularization_weight_range\": \"0.01; 0.1; 1\"}\n```");

LEARNER(mod_two_class_support_vector_machine, "two-class-support-vector-machine",
        "Two-Class Support Vector Machine", CLASSIFICATION, svm_params,
        "A linear support vector machine: minimises (lambda / 2)|w|^2 plus the mean hinge loss, "
        "with LIBLINEAR's dual coordinate descent (Hsieh et al., 2008). Azure uses Pegasos, a "
        "stochastic solver of the same objective; weft solves it to convergence. Scored "
        "Probabilities is the logistic function of the margin, so thresholds and AUC work as "
        "for other classifiers.\n\n" LINEAR_HELP,
        "A stronger penalty, rows scaled to unit length:\n\n```json\n"
        "{\"lambda\": 0.01, \"project_to_the_unit_sphere\": true}\n```");

LEARNER(mod_boosted_decision_tree_regression, "boosted-decision-tree-regression",
        "Boosted Decision Tree Regression", REGRESSION, boosted_params,
        "Gradient-boosted regression trees (XGBoost's histogram method), each tree fitted to "
        "the residuals of the ones before.\n\n" TREES_HELP,
        "Smaller steps, more trees:\n\n```json\n{\"learning_rate\": 0.05, "
        "\"number_of_trees_constructed\": 400}\n```");

LEARNER(mod_two_class_boosted_decision_tree, "two-class-boosted-decision-tree",
        "Two-Class Boosted Decision Tree", CLASSIFICATION, boosted_params,
        "Gradient-boosted trees for two classes (XGBoost, logistic loss).\n\n" TREES_HELP,
        "XGBoost's usual depth-6 trees:\n\n```json\n{\"maximum_depth\": 6, "
        "\"maximum_number_of_leaves_per_tree\": 64, \"learning_rate\": 0.3}\n```");

LEARNER(mod_multiclass_boosted_decision_tree, "multiclass-boosted-decision-tree",
        "Multiclass Boosted Decision Tree", CLASSIFICATION, boosted_params,
        "Gradient-boosted trees for several classes (XGBoost, softmax loss; one tree per class "
        "per round).\n\n" TREES_HELP,
        "Defaults (20 leaves, 100 trees, learning rate 0.2):\n\n```json\n{}\n```");

LEARNER(mod_decision_forest_regression, "decision-forest-regression", "Decision Forest Regression",
        REGRESSION, forest_params,
        "A random forest of regression trees (Breiman, 2001), built by XGBoost's random "
        "forest mode; the prediction is the trees' average.\n\n" TREES_HELP,
        "A larger forest:\n\n```json\n{\"number_of_decision_trees\": 100}\n```");

LEARNER(mod_two_class_decision_forest, "two-class-decision-forest", "Two-Class Decision Forest",
        CLASSIFICATION, forest_params,
        "A random forest for two classes (Breiman, 2001), built by XGBoost's random forest "
        "mode.\n\n" TREES_HELP,
        "Replicate resampling, shallower trees:\n\n```json\n{\"resampling_method\": \"replicate\", "
        "\"maximum_depth_of_the_decision_trees\": 8}\n```");

LEARNER(mod_multiclass_decision_forest, "multiclass-decision-forest", "Multiclass Decision Forest",
        CLASSIFICATION, forest_params,
        "A random forest for several classes (Breiman, 2001), built by XGBoost's random forest "
        "mode.\n\n" TREES_HELP,
        "Defaults (8 bagged trees of depth up to 32):\n\n```json\n{}\n```");

LEARNER(mod_k_means_clustering, "k-means-clustering", "K-Means Clustering", CLUSTERING,
        kmeans_params,
        "Groups rows into k clusters around centroids (Lloyd's algorithm), for Train Clustering "
        "Model.\n\n" LINEAR_HELP,
        "Three clusters by cosine distance:\n\n```json\n{\"number_of_centroids\": 3, \"metric\": \"cosine\"}\n```");
