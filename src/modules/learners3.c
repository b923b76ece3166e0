/*
 * learners3.c: the third set of learner modules (issue #6): Poisson
 * Regression, Fast Forest Quantile Regression, the three neural networks
 * and Two-Class Averaged Perceptron. Like those of learners.c, each has no
 * inputs and one `untrained_model` output, a learner JSON (docs/formats.md,
 * "Learners") that Train Model reads; parameters and defaults are the Azure
 * designer's, with `_range` lists for Tune Model Hyperparameters.
 *
 * Training and scoring are in learners3_model.c; the algorithms, with their
 * papers, in src/ml (poisson.c, qforest.c, nn.c, perceptron.c).
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
static const char *const nn_specifications[] = {"fully-connected-case", NULL};
static const char *const nn_normalizers[] = {"min-max-normalizer", "gaussian-normalizer",
                                             "binning-normalizer", "do-not-normalize", NULL};

#include "learner_params.h"

/* ---- lists of numbers ------------------------------------------------------------ */

int mod__number_list(const char *text, double *out, size_t cap, size_t *n)
{
    *n = 0;
    if (text == NULL) return WF_EINVAL;
    for (const char *s = text;;) {
        s += strspn(s, " \t;,");
        if (*s == '\0') break;
        char *end;
        double v = strtod(s, &end);
        if (end == s || !isfinite(v) || (*end != '\0' && strchr(" \t;,", *end) == NULL))
            return WF_EINVAL;
        if (*n == cap) return WF_ELIMIT;
        out[(*n)++] = v;
        s = end;
    }
    return *n > 0 ? 0 : WF_EINVAL;
}

/* ---- poisson-regression@1 ----------------------------------------------------------- */

static const mod_param poisson_params[] = {
    TRAINER_MODE_PARAM,
    NUMBER_PARAM("optimization_tolerance", "Optimization tolerance", "1e-07", 0, 0,
                 "Stop when an L-BFGS step improves the objective by less than this, relatively."),
    NUMBER_PARAM("l1_regularization_weight", "L1 regularization weight", "1.0", 0, 0,
                 "Lasso penalty: drives weights of weak features to exactly zero."),
    NUMBER_PARAM("l2_regularization_weight", "L2 regularization weight", "1.0", 0, 0,
                 "Ridge penalty: shrinks every weight."),
    INT_PARAM("memory_size_for_l_bfgs", "Memory size for L-BFGS", "20", 1, 1000,
              "How many past steps L-BFGS keeps to approximate curvature."),
    RANGE_PARAM("optimization_tolerance", "optimization tolerance", "\"0.0001; 0.0000001\""),
    RANGE_PARAM("l1_regularization_weight", "L1 regularization weight", "\"0.0; 0.01; 0.1; 1.0\""),
    RANGE_PARAM("l2_regularization_weight", "L2 regularization weight", "\"0.01; 0.1; 1.0\""),
    RANGE_PARAM("memory_size_for_l_bfgs", "memory size for L-BFGS", "\"5; 20; 50\""),
    SEED_PARAM,
};

/* ---- fast-forest-quantile-regression@1 ------------------------------------------------- */

#define QFR_MAX_QUANTILES 100

static const mod_param qforest_params[] = {
    TRAINER_MODE_PARAM,
    INT_PARAM("number_of_trees", "Number of trees", "100", 1, 0,
              "Trees in the forest; every tree's leaves add to each row's distribution."),
    INT_PARAM("number_of_leaves", "Number of leaves", "20", 2, 0,
              "The most leaves a tree may grow (best-first, by loss)."),
    INT_PARAM("minimum_number_of_training_instances_required_to_form_a_leaf",
              "Minimum number of training instances required to form a leaf", "10", 1, 0,
              "The fewest training rows a leaf may hold."),
    NUMBER_PARAM("bagging_fraction", "Bagging fraction", "0.7", 0.0001, 1,
                 "The share of the rows each tree is grown on (sampled without replacement)."),
    NUMBER_PARAM("feature_fraction", "Feature fraction", "0.7", 0.0001, 1,
                 "The share of the features each tree may split on."),
    NUMBER_PARAM("split_fraction", "Split fraction", "0.7", 0.0001, 1,
                 "The share of the tree's features tried at each split."),
    INT_PARAM("quantile_sample_count", "Quantile sample count", "100", 1, 0,
              "The most training labels a leaf keeps to estimate quantiles (a random sample "
              "when more rows reach it)."),
    RANGE_PARAM("number_of_trees", "number of trees", "\"16; 32; 64\""),
    RANGE_PARAM("number_of_leaves", "number of leaves", "\"16; 32; 64\""),
    RANGE_PARAM("minimum_number_of_training_instances_required_to_form_a_leaf",
                "minimum number of training instances required to form a leaf", "\"1; 5; 10\""),
    RANGE_PARAM("bagging_fraction", "bagging fraction", "\"0.25; 0.5; 0.75\""),
    RANGE_PARAM("feature_fraction", "feature fraction", "\"0.25; 0.5; 0.75\""),
    RANGE_PARAM("split_fraction", "split fraction", "\"0.25; 0.5; 0.75\""),
    RANGE_PARAM("quantile_sample_count", "quantile sample count", "\"100\""),
    {.name = "quantiles_to_be_estimated",
     .label = "Quantiles to be estimated",
     .type = MOD_PARAM_STRING,
     .default_json = "\"0.25; 0.5; 0.75\"",
     .help = "The quantiles Score Model outputs, each in [0, 1], separated by semicolons or "
             "commas; one `Quantile:<q>` column each."},
    SEED_PARAM,
};

/* ---- the neural networks -------------------------------------------------------------- */

#define NN_PARAMS(rate, rate_range)                                                                \
    {.name = "hidden_layer_specification",                                                         \
     .label = "Hidden layer specification",                                                        \
     .type = MOD_PARAM_ENUM,                                                                       \
     .choices = nn_specifications,                                                                 \
     .default_json = "\"fully-connected-case\"",                                                   \
     .help = "fully-connected-case: hidden layers of logistic units, each connected to every "     \
             "node of the layer before. (Azure's custom Net# scripts are not supported.)"},        \
        TRAINER_MODE_PARAM,                                                                        \
        {.name = "number_of_hidden_nodes",                                                         \
         .label = "Number of hidden nodes",                                                        \
         .type = MOD_PARAM_STRING,                                                                 \
         .default_json = "\"100\"",                                                                \
         .help = "Nodes in each hidden layer, separated by commas: \"100\" is one layer of 100, "  \
                 "\"64, 32\" two layers."},                                                        \
        NUMBER_PARAM("learning_rate", "Learning rate", rate, 0, 0,                                 \
                     "The size of each gradient step."),                                           \
        INT_PARAM("number_of_learning_iterations", "Number of learning iterations", "100", 1, 0,   \
                  "Passes over the training rows."),                                               \
        {.name = "the_initial_learning_weights_diameter",                                          \
         .label = "The initial learning weights diameter",                                         \
         .type = MOD_PARAM_NUMBER,                                                                 \
         .default_json = "0.1",                                                                    \
         .has_min = true,                                                                          \
         .min = 0,                                                                                 \
         .help = "Initial weights are uniform in [-diameter / 2, diameter / 2]."},                 \
        {.name = "the_momentum",                                                                   \
         .label = "The momentum",                                                                  \
         .type = MOD_PARAM_NUMBER,                                                                 \
         .default_json = "0",                                                                      \
         .has_min = true,                                                                          \
         .min = 0,                                                                                 \
         .has_max = true,                                                                          \
         .max = 0.99,                                                                              \
         .help = "The share of the previous step carried into the next (classical momentum)."},    \
        {.name = "the_type_of_normalizer",                                                         \
         .label = "The type of normalizer",                                                        \
         .type = MOD_PARAM_ENUM,                                                                   \
         .choices = nn_normalizers,                                                                \
         .default_json = "\"min-max-normalizer\"",                                                 \
         .help = "How inputs are scaled first: min-max to [0, 1], Gaussian (mean 0, standard "     \
                 "deviation 1), binning (the quantile bin, as a fraction), or not at all."},       \
        {.name = "shuffle_examples",                                                               \
         .label = "Shuffle examples",                                                              \
         .type = MOD_PARAM_BOOL,                                                                   \
         .default_json = "true",                                                                   \
         .help = "Visit the rows in a new random order in each iteration."},                       \
        {.name = "minibatch_size",                                                                 \
         .label = "Minibatch size (weft)",                                                         \
         .type = MOD_PARAM_INT,                                                                    \
         .default_json = "1",                                                                      \
         .has_min = true,                                                                          \
         .min = 1,                                                                                 \
         .help = "Not in the Azure designer: rows per gradient step (the step follows their "      \
                 "mean gradient). 1 is Azure's per-example SGD; larger batches run faster per "    \
                 "pass on large data but need more iterations or a larger learning rate."},        \
        RANGE_PARAM("learning_rate", "learning rate", rate_range),                                 \
        RANGE_PARAM("number_of_learning_iterations", "number of learning iterations",              \
                    "\"20; 40; 80; 160\""),                                                        \
        SEED_PARAM

static const mod_param nn_regression_params[] = {
    NN_PARAMS("0.005", "\"0.01; 0.02; 0.04\""),
};

static const mod_param nn_classification_params[] = {
    NN_PARAMS("0.1", "\"0.1; 0.2; 0.4\""),
    UNKNOWN_LEVELS_PARAM,
};

/* ---- two-class-averaged-perceptron@1 ---------------------------------------------------- */

static const mod_param perceptron_params[] = {
    TRAINER_MODE_PARAM,
    NUMBER_PARAM("learning_rate", "Learning rate", "1.0", 0, 0,
                 "The step of each update (the perceptron moves only on a mistake)."),
    INT_PARAM("maximum_number_of_iterations", "Maximum number of iterations", "10", 1, 0,
              "Passes over the shuffled training rows."),
    RANGE_PARAM("learning_rate", "learning rate", "\"0.1; 0.5; 1.0\""),
    RANGE_PARAM("maximum_number_of_iterations", "maximum number of iterations", "\"1; 10\""),
    SEED_PARAM,
    UNKNOWN_LEVELS_PARAM,
};

/* ---- run and configure ------------------------------------------------------------------- */

/* The lists the range check of learners.c does not know: the quantiles and
 * the hidden layers. A field error names the one that is wrong. */
static int learners3_check_lists(mod_ctx *ctx)
{
    double v[QFR_MAX_QUANTILES + 1];
    size_t n = 0;
    const char *quantiles = mod_param_string(ctx, "quantiles_to_be_estimated");
    if (mod__param_spec(ctx, "quantiles_to_be_estimated") != NULL) {
        int rc = mod__number_list(quantiles, v, QFR_MAX_QUANTILES, &n);
        if (rc == WF_ELIMIT)
            return mod_param_error(ctx, "quantiles_to_be_estimated", "more than %d quantiles",
                                   QFR_MAX_QUANTILES);
        if (rc < 0)
            return mod_param_error(ctx, "quantiles_to_be_estimated",
                                   "\"%s\" is not a list of numbers", quantiles ? quantiles : "");
        for (size_t i = 0; i < n; i++)
            if (!(v[i] >= 0 && v[i] <= 1))
                return mod_param_error(ctx, "quantiles_to_be_estimated",
                                       "%g is not a quantile: give numbers in [0, 1]", v[i]);
    }
    const char *hidden = mod_param_string(ctx, "number_of_hidden_nodes");
    if (mod__param_spec(ctx, "number_of_hidden_nodes") != NULL) {
        int rc = mod__number_list(hidden, v, ML_NN_MAX_LAYERS, &n);
        if (rc == WF_ELIMIT)
            return mod_param_error(ctx, "number_of_hidden_nodes", "more than %d hidden layers",
                                   ML_NN_MAX_LAYERS);
        if (rc < 0)
            return mod_param_error(ctx, "number_of_hidden_nodes",
                                   "\"%s\" is not a list of node counts (such as \"100\" or "
                                   "\"64, 32\")",
                                   hidden ? hidden : "");
        for (size_t i = 0; i < n; i++)
            if (!(v[i] >= 1 && v[i] <= ML_NN_MAX_UNITS && v[i] == floor(v[i])))
                return mod_param_error(ctx, "number_of_hidden_nodes",
                                       "%g is not a node count: give whole numbers from 1 to %d",
                                       v[i], ML_NN_MAX_UNITS);
    }
    return 0;
}

static int learners3_configure(mod_ctx *ctx)
{
    int rc = learners3_check_lists(ctx);
    int ranges = mod__learner_configure(ctx);
    return rc < 0 ? rc : ranges;
}

static int learners3_run(mod_ctx *ctx)
{
    int rc = learners3_check_lists(ctx);
    return rc < 0 ? rc : mod__learner_run(ctx);
}

#define LEARNER3(var, id, title, category_name, params_array, text, example)                       \
    const mod_descriptor var = {.name = id,                                                        \
                                .version = 1,                                                      \
                                .display_name = title,                                             \
                                .category = category_name,                                         \
                                .help = text "\n\n## Example\n\n" example,                         \
                                MOD_PORTS(outputs, learner_out),                                   \
                                MOD_PARAMS(params_array),                                          \
                                .configure = learners3_configure,                                  \
                                .run = learners3_run}

#define REGRESSION "Machine Learning Algorithms: Regression"
#define CLASSIFICATION "Machine Learning Algorithms: Classification"

#define ONE_HOT_HELP                                                                               \
    "Categorical and string features are one-hot encoded (one indicator per level seen in "        \
    "training); missing numbers are replaced by the training mean. Columns with the label, "       \
    "score or clear role are not features."
#define NN_HELP                                                                                    \
    "A fully connected network: the inputs (normalised as the normaliser says), hidden layers "    \
    "of logistic units, then the output, trained by back-propagation with stochastic gradient "    \
    "descent and momentum (Rumelhart, Hinton and Williams, 1986); each step is a few OpenBLAS "    \
    "matrix products. " ONE_HOT_HELP

LEARNER3(
    mod_poisson_regression, "poisson-regression", "Poisson Regression", REGRESSION, poisson_params,
    "Predicts counts (a label of whole numbers >= 0, such as calls per hour) with a "
    "log-linear model: the expected count is exp(w.x + b) (Nelder and Wedderburn, 1972).\n\n"
    "Minimises the Poisson negative log-likelihood + l1 |w|_1 + (l2 / 2) |w|^2 by L-BFGS, "
    "with OWL-QN for the L1 term (Andrew and Gao, 2007); the bias is not penalised. "
    "scikit-learn's PoissonRegressor(alpha) is the same with l2 = alpha x rows. A negative "
    "label is refused, naming the row. `Scored Labels` is the expected count.\n\n" ONE_HOT_HELP,
    "L2 only, as PoissonRegressor(alpha = 0.01) on 500 rows:\n\n```json\n"
    "{\"l1_regularization_weight\": 0, \"l2_regularization_weight\": 5}\n```");

LEARNER3(mod_fast_forest_quantile_regression, "fast-forest-quantile-regression",
         "Fast Forest Quantile Regression", REGRESSION, qforest_params,
         "Predicts quantiles of a numeric label, not just its mean: a quantile regression "
         "forest (Meinshausen, 2006). A random forest is grown (XGBoost's random-forest mode) "
         "and each leaf keeps the labels of the training rows that reach it (at most `quantile "
         "sample count` of them); a new row's quantiles are those of the labels of its leaves, "
         "each tree weighing equally.\n\nScore Model adds `Scored Labels` (the median) and one "
         "`Quantile:<q>` column per quantile asked for. Categorical features are given to the "
         "trees as level codes; missing values are handled by the trees.",
         "The 10th, 50th and 90th percentiles, from 200 trees:\n\n```json\n"
         "{\"number_of_trees\": 200, \"quantiles_to_be_estimated\": \"0.1; 0.5; 0.9\"}\n```");

LEARNER3(mod_neural_network_regression, "neural-network-regression", "Neural Network Regression",
         REGRESSION, nn_regression_params,
         "Predicts a numeric label with a neural network: a linear output node, squared "
         "error.\n\n" NN_HELP,
         "Two hidden layers, Gaussian normalisation:\n\n```json\n"
         "{\"number_of_hidden_nodes\": \"64, 32\", \"the_type_of_normalizer\": "
         "\"gaussian-normalizer\"}\n```");

LEARNER3(
    mod_two_class_neural_network, "two-class-neural-network", "Two-Class Neural Network",
    CLASSIFICATION, nn_classification_params,
    "Predicts the probability of the positive class with a neural network: one logistic "
    "output node, cross-entropy loss.\n\n" NN_HELP,
    "A smaller network with momentum:\n\n```json\n"
    "{\"number_of_hidden_nodes\": \"20\", \"the_momentum\": 0.9, \"learning_rate\": 0.05}\n```");

LEARNER3(mod_multiclass_neural_network, "multiclass-neural-network", "Multiclass Neural Network",
         CLASSIFICATION, nn_classification_params,
         "Predicts the probability of each class with a neural network: a softmax output "
         "layer, one node per class, cross-entropy loss.\n\n" NN_HELP,
         "Defaults: one hidden layer of 100 nodes, learning rate 0.1, 100 iterations:\n\n"
         "```json\n{}\n```");

LEARNER3(mod_two_class_averaged_perceptron, "two-class-averaged-perceptron",
         "Two-Class Averaged Perceptron", CLASSIFICATION, perceptron_params,
         "A linear classifier: the averaged perceptron (Freund and Schapire, 1999). Each pass "
         "visits the rows in a random order and moves the separating hyperplane on every "
         "mistake; the model is the average of every hyperplane visited, which generalises "
         "like a large-margin classifier. Features are standardised first (folded back into "
         "the weights). `Scored Probabilities` is the margin through a logistic curve fitted "
         "on the training margins (Platt scaling).\n\n" ONE_HOT_HELP,
         "More passes, smaller steps:\n\n```json\n"
         "{\"learning_rate\": 0.1, \"maximum_number_of_iterations\": 50}\n```");
