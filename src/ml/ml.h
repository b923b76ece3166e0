/*
 * ml: learners, metrics and curves, as pure computation over tables and dense
 * matrices. It wraps XGBoost (trees and forests), LIBLINEAR (linear SVM) and
 * LAPACKE/OpenBLAS (least squares); it never sees JSON, HTTP or the
 * workspace. Train Model, Score Model and Evaluate Model (src/modules) turn
 * what it computes into artifacts.
 *
 *     ml_features f;                       // which columns, and how encoded
 *     ml_features_fit(&f, train, cols, ncols, ML_ONE_HOT, true, &err);
 *     ml_matrix x;
 *     ml_features_matrix(&f, train, &x, &err);   // rows x f.width
 *     ml_linear model;
 *     ml_logreg_params p = ML_LOGREG_DEFAULTS;
 *     ml_logreg_fit(&x, classes, 2, &p, NULL, &model, &err);
 *     double *score = malloc(x.rows * sizeof *score);
 *     ml_linear_predict(&model, &x, score);      // logits; ml_sigmoid for p
 *     ml_binary_metrics m;
 *     ml_binary_evaluate(classes, probability, x.rows, &m, &err);
 *
 * Conventions: every function returns 0 or a negative WF_E* code with err
 * filled (err may be NULL). A struct filled by a function is the caller's,
 * freed with its _clear function, which accepts a zeroed struct. Labels of
 * classifiers are class indices 0..k-1; for two classes, 1 is the positive
 * class. Matrices are row-major doubles; NaN marks a missing value.
 */
#ifndef WEFT_ML_H
#define WEFT_ML_H

#include "table/table.h"
#include "util/util.h"

#include <signal.h>

/* ---- the environment of a computation ----------------------------------- */

/* What a long computation may consult. NULL means: all cores, no
 * cancellation, no log. */
typedef struct ml_env {
    volatile sig_atomic_t *cancel; /* nonzero: stop soon with WF_ECANCELED */
    int threads;                   /* 0: every core */
    void (*log)(void *user, const char *line);
    void *user;
} ml_env;

/* ---- dense matrices ---------------------------------------------------- */

typedef struct ml_matrix {
    size_t rows, cols;
    double *data; /* rows * cols, row-major; owned */
} ml_matrix;

/* Allocates a zero-filled rows x cols matrix. */
int ml_matrix_init(ml_matrix *m, size_t rows, size_t cols, wf_error *err);
void ml_matrix_clear(ml_matrix *m);

/* ---- features: from a table to a matrix --------------------------------- */

/* How a categorical or string feature becomes numbers. */
typedef enum ml_encoding {
    ML_ONE_HOT = 0, /* one 0/1 column per training level (linear models, k-means) */
    ML_CODES = 1,   /* one column holding the level's index (trees) */
} ml_encoding;

/* One input column as training saw it. */
typedef struct ml_feature {
    char *name;
    tbl_type type; /* the training type; scoring accepts the same family */
    char **levels; /* categorical and string: the training levels, in order */
    size_t nlevels;
    double fill;  /* numeric family with impute: the training mean */
    size_t first; /* its first matrix column */
    size_t width; /* its matrix columns: 1, or nlevels for one-hot */
} ml_feature;

/* The feature columns of a model and their encoding. Everything scoring
 * needs to rebuild the training matrix from a new table. */
typedef struct ml_features {
    ml_feature *items;
    size_t count;
    ml_encoding encoding;
    bool impute;  /* missing numbers become the training mean (else NaN) */
    size_t width; /* matrix columns */
} ml_features;

/* Most levels a string or categorical feature may have; more is refused, as
 * the Azure designer refuses, naming the column. */
#define ML_MAX_LEVELS 1000

/* Learns the feature columns cols[0..ncols) of t: their types, their levels
 * (categorical: the dictionary; string: the distinct values, sorted) and,
 * with impute, the mean of each numeric column. Numeric, integer, boolean
 * and datetime columns are one matrix column each. A column with only
 * missing values, or a string column with more than ML_MAX_LEVELS levels, is
 * an error naming the column. */
int ml_features_fit(ml_features *f, const tbl_table *t, const size_t *cols, size_t ncols,
                    ml_encoding encoding, bool impute, wf_error *err);

/* Builds the matrix of t's rows for features f. Columns are found by name; a
 * missing column, or one whose type cannot stand for the training type
 * (numbers for strings, say), is an error naming it. A level unseen in
 * training encodes as all zeros (one-hot) or NaN (codes); a missing value
 * as the training mean (numbers with impute), all zeros (one-hot) or NaN. */
int ml_features_matrix(const ml_features *f, const tbl_table *t, ml_matrix *out, wf_error *err);

/* Features bound to one table: the columns found, their types checked and
 * their levels mapped once, so that blocks of rows can then be encoded
 * cheaply. Scoring works in cache-sized blocks this way instead of building
 * one matrix of every row. The encoder borrows f and t, which must outlive
 * it. ml_encoder_new fails as ml_features_matrix does. */
typedef struct ml_encoder ml_encoder;
int ml_encoder_new(const ml_features *f, const tbl_table *t, ml_encoder **out, wf_error *err);
/* Writes rows [first, first + count) of the table (first + count <= its
 * rows) into out, count x f->width values, row-major. */
void ml_encoder_fill(const ml_encoder *e, size_t first, size_t count, double *out);
void ml_encoder_free(ml_encoder *e); /* accepts NULL */

/* Deep copy, for a model that outlives the table it was fitted on. */
int ml_features_copy(ml_features *dst, const ml_features *src, wf_error *err);
void ml_features_clear(ml_features *f);

/* ---- labels ------------------------------------------------------------ */

/* The numeric values of a regression label, column col of t (numeric,
 * integer or boolean; else an error naming the column). Missing values are
 * NaN. The caller frees *y. */
int ml_label_numbers(const tbl_table *t, size_t col, double **y, wf_error *err);

/* The classes of a classification label. */
typedef struct ml_classes {
    char **names; /* as text: "0", "1", "yes", "Iris-setosa" */
    size_t count;
} ml_classes;

/* Learns the classes of label column col and gives each row its class index
 * (-1 when missing). Classes are ordered so that the positive class of a
 * two-class label comes second: numbers ascending, false before true,
 * categorical levels in dictionary order, strings sorted. The caller frees
 * *y and clears *classes. */
int ml_label_classes(const tbl_table *t, size_t col, ml_classes *classes, int32_t **y,
                     wf_error *err);

/* Maps column col of t onto known classes (for evaluation): a value not
 * among them, or a missing one, is -1. */
int ml_label_lookup(const tbl_table *t, size_t col, const ml_classes *classes, int32_t **y,
                    wf_error *err);

int ml_classes_copy(ml_classes *dst, const ml_classes *src, wf_error *err);
void ml_classes_clear(ml_classes *c);

/* ---- linear models ------------------------------------------------------ */

/* score_o(x) = bias[o] + sum_j weights[o * nfeatures + j] * x_j. One output
 * for regression and for two classes (the positive class's logit or
 * margin); k outputs (softmax logits) for k > 2 classes. */
typedef struct ml_linear {
    size_t nfeatures, noutputs;
    double *weights; /* noutputs * nfeatures */
    double *bias;    /* noutputs */
} ml_linear;

/* out[r * noutputs + o] = score_o(row r). NaN inputs count as 0. */
void ml_linear_predict(const ml_linear *m, const ml_matrix *x, double *out);
int ml_linear_copy(ml_linear *dst, const ml_linear *src, wf_error *err);
void ml_linear_clear(ml_linear *m);

double ml_sigmoid(double z);
/* In place: each row of k logits becomes probabilities. */
void ml_softmax(double *rows, size_t n, size_t k);

typedef enum ml_linreg_method {
    ML_LINREG_OLS = 0, /* ordinary least squares, by QR (LAPACKE dgels) */
    ML_LINREG_OGD = 1, /* online gradient descent */
} ml_linreg_method;

typedef struct ml_linreg_params {
    ml_linreg_method method;
    double l2;      /* ridge weight: min |y - Xw - b|^2 + l2 |w|^2 */
    bool intercept; /* fit b (never penalised) */
    /* online gradient descent only */
    double learning_rate;
    int epochs;
    bool normalize;     /* standardise features first (folded back into w) */
    bool average;       /* average the iterates */
    bool decrease_rate; /* learning rate / sqrt(t) */
    uint64_t seed;      /* shuffling */
} ml_linreg_params;

#define ML_LINREG_DEFAULTS                                                                         \
    ((ml_linreg_params){.method = ML_LINREG_OLS,                                                   \
                        .l2 = 0.001,                                                               \
                        .intercept = true,                                                         \
                        .learning_rate = 0.1,                                                      \
                        .epochs = 10,                                                              \
                        .normalize = true,                                                         \
                        .average = true,                                                           \
                        .decrease_rate = true,                                                     \
                        .seed = 0})

/* Fits y ~ x (rows with a NaN label are an error: drop them first). */
int ml_linreg_fit(const ml_matrix *x, const double *y, const ml_linreg_params *p, const ml_env *env,
                  ml_linear *out, wf_error *err);

typedef struct ml_logreg_params {
    double l1, l2;    /* min sum_i loss_i + l1 |w|_1 + (l2 / 2) |w|^2 (bias unpenalised) */
    double tolerance; /* stop when the relative decrease of the objective is below */
    int memory;       /* L-BFGS history */
    int max_iterations;
} ml_logreg_params;

#define ML_LOGREG_DEFAULTS                                                                         \
    ((ml_logreg_params){.l1 = 1, .l2 = 1, .tolerance = 1e-7, .memory = 20, .max_iterations = 1000})

/* Logistic regression on classes y[i] in 0..nclasses-1 (nclasses >= 2):
 * binomial for 2 (one output), multinomial softmax above. */
int ml_logreg_fit(const ml_matrix *x, const int32_t *y, size_t nclasses, const ml_logreg_params *p,
                  const ml_env *env, ml_linear *out, wf_error *err);

typedef struct ml_svm_params {
    double lambda;  /* min (lambda / 2)|w|^2 + (1/n) sum_i hinge_i */
    int iterations; /* passes over the data */
    bool normalize; /* standardise features first (folded back into w) */
    uint64_t seed;
} ml_svm_params;

#define ML_SVM_DEFAULTS                                                                            \
    ((ml_svm_params){.lambda = 0.001, .iterations = 1, .normalize = true, .seed = 0})

/* Linear two-class SVM (y in {0, 1}); the output is the margin. */
int ml_svm_fit(const ml_matrix *x, const int32_t *y, const ml_svm_params *p, const ml_env *env,
               ml_linear *out, wf_error *err);

/* ---- trees (XGBoost) ---------------------------------------------------- */

typedef enum ml_task {
    ML_REGRESSION = 0,
    ML_BINARY = 1,
    ML_MULTICLASS = 2,
    ML_CLUSTERING = 3,
    ML_ANOMALY = 4, /* anomaly detection (#6) */
} ml_task;

typedef struct ml_trees_params {
    ml_task task;            /* regression, binary or multiclass */
    size_t nclasses;         /* multiclass */
    bool forest;             /* random forest: one round of num_trees bagged trees */
    int num_trees;           /* boosting rounds, or the forest's trees */
    double learning_rate;    /* boosting */
    int max_leaves;          /* 0: no limit */
    int max_depth;           /* 0: no limit */
    double min_child_weight; /* least hessian (for squared error: rows) in a leaf */
    double subsample;        /* rows per tree (forests: the bagging fraction) */
    double colsample_bynode; /* features tried per split */
    double colsample_bytree; /* features each tree may use; 0 means 1 (all) */
    int max_bin;             /* histogram bins per feature (split candidates + 1); 0: 256 */
    double lambda;           /* L2 on leaf weights */
    bool bootstrap;          /* forests: bagging (true) or replicate (false) */
    uint64_t seed;
} ml_trees_params;

typedef struct ml_trees {
    void *booster; /* XGBoost's BoosterHandle */
    ml_task task;
    size_t nclasses, nfeatures;
} ml_trees;

int ml_trees_fit(const ml_matrix *x, const double *y, const ml_trees_params *p, const ml_env *env,
                 ml_trees *out, wf_error *err);
/* Regression: the prediction; binary: P(positive); multiclass: rows x
 * nclasses probabilities. */
int ml_trees_predict(const ml_trees *m, const ml_matrix *x, const ml_env *env, double *out,
                     wf_error *err);
/* The fitted booster as XGBoost's UBJSON bytes (caller frees *bytes), and
 * back. */
int ml_trees_save(const ml_trees *m, unsigned char **bytes, size_t *len, wf_error *err);
int ml_trees_load(ml_trees *m, const void *bytes, size_t len, ml_task task, size_t nclasses,
                  size_t nfeatures, wf_error *err);
/* 0 when bytes[0..len) is one well-formed UBJSON object whose lengths and
 * counts all fit in it (ubjson.c); else WF_ECORRUPT naming the byte.
 * ml_trees_load checks this before XGBoost reads the bytes. */
int ml_ubjson_check(const void *bytes, size_t len, wf_error *err);
/* Gain importance per feature (nfeatures values; caller frees). */
int ml_trees_importance(const ml_trees *m, double **gain, wf_error *err);
void ml_trees_clear(ml_trees *m);

/* ---- k-means ------------------------------------------------------------- */

typedef enum ml_kmeans_init {
    ML_KMEANS_PLUS_PLUS = 0, /* Arthur and Vassilvitskii 2007 */
    ML_KMEANS_RANDOM = 1,    /* k distinct random rows */
    ML_KMEANS_FIRST_N = 2,   /* the first k rows */
} ml_kmeans_init;

typedef enum ml_metric {
    ML_EUCLIDEAN = 0,
    ML_COSINE = 1, /* 1 - cos(angle) */
} ml_metric;

typedef struct ml_kmeans_params {
    size_t k;
    ml_kmeans_init init;
    ml_metric metric;
    int iterations;
    uint64_t seed;
    const double *initial; /* k x cols centroids to start from; overrides init */
} ml_kmeans_params;

typedef struct ml_kmeans {
    size_t k, dims;
    ml_metric metric;
    double *centroids; /* k x dims */
    int iterations;    /* how many ran */
} ml_kmeans;

int ml_kmeans_fit(const ml_matrix *x, const ml_kmeans_params *p, const ml_env *env, ml_kmeans *out,
                  wf_error *err);
/* assign[r]: the nearest centroid; distances (may be NULL): rows x k. */
void ml_kmeans_assign(const ml_kmeans *m, const ml_matrix *x, int32_t *assign, double *distances);
int ml_kmeans_copy(ml_kmeans *dst, const ml_kmeans *src, wf_error *err);
void ml_kmeans_clear(ml_kmeans *m);

/* ---- metrics ------------------------------------------------------------- */

typedef struct ml_regression_metrics {
    size_t n;
    double mae;  /* mean absolute error */
    double rmse; /* root mean squared error */
    double rae;  /* relative absolute error: sum|e| / sum|y - mean y| */
    double rse;  /* relative squared error: sum e^2 / sum (y - mean y)^2 */
    double r2;   /* coefficient of determination: 1 - rse */
} ml_regression_metrics;

/* Over the rows where both y and pred are present (n of them, at least 1). */
int ml_regression_evaluate(const double *y, const double *pred, size_t rows,
                           ml_regression_metrics *out, wf_error *err);

typedef struct ml_confusion {
    double threshold;
    size_t tp, fp, tn, fn;
    double accuracy, precision, recall, f1;
} ml_confusion;

typedef struct ml_point {
    double x, y, threshold;
} ml_point;

#define ML_THRESHOLDS 101 /* 0, 0.01, ..., 1 */

typedef struct ml_binary_metrics {
    size_t n, positives;
    ml_confusion at_half;                   /* at threshold 0.5 */
    double auc;                             /* area under the ROC curve (ties averaged) */
    double log_loss;                        /* probabilities clipped to [1e-15, 1 - 1e-15] */
    ml_confusion thresholds[ML_THRESHOLDS]; /* predicted positive when p >= threshold */
    ml_point *roc;                          /* x: false positive rate, y: true positive rate */
    size_t nroc;
    ml_point *pr; /* x: recall, y: precision */
    size_t npr;
    ml_point *lift; /* x: fraction of rows, y: fraction of positives */
    size_t nlift;
} ml_binary_metrics;

/* Curves have at most this many points (evenly thinned, ends kept). */
#define ML_CURVE_POINTS 1000

/* y[i] in {0, 1} (rows with y -1 or a NaN probability are skipped); p[i] the
 * probability of class 1. Needs both classes present. */
int ml_binary_evaluate(const int32_t *y, const double *p, size_t rows, ml_binary_metrics *out,
                       wf_error *err);
void ml_binary_metrics_clear(ml_binary_metrics *m);

typedef struct ml_multiclass_metrics {
    size_t n, k;
    double overall_accuracy; /* correct / n */
    double average_accuracy; /* mean over classes of the one-vs-rest accuracy */
    double micro_precision, micro_recall;
    double macro_precision, macro_recall;
    double log_loss;   /* NaN when no probabilities were given */
    double *precision; /* k; NaN for a class never predicted */
    double *recall;    /* k; NaN for a class never present */
    size_t *confusion; /* k x k: [actual * k + predicted] */
} ml_multiclass_metrics;

/* y and pred in 0..k-1 (rows with y -1 are skipped); probs rows x k or NULL. */
int ml_multiclass_evaluate(const int32_t *y, const int32_t *pred, const double *probs, size_t rows,
                           size_t k, ml_multiclass_metrics *out, wf_error *err);
void ml_multiclass_metrics_clear(ml_multiclass_metrics *m);

typedef struct ml_cluster_stats {
    size_t count;
    double mean_to_own;   /* average distance of its points to its centre */
    double mean_to_other; /* average distance of its points to the other centres */
    double max_to_own;    /* largest distance of a point to its centre */
} ml_cluster_stats;

typedef struct ml_cluster_metrics {
    size_t n, k;
    ml_cluster_stats *clusters; /* k */
    ml_cluster_stats combined;  /* over every point */
} ml_cluster_metrics;

/* From the assignments and the rows x k distance matrix of
 * ml_kmeans_assign. */
int ml_cluster_evaluate(const int32_t *assign, const double *distances, size_t rows, size_t k,
                        ml_cluster_metrics *out, wf_error *err);
void ml_cluster_metrics_clear(ml_cluster_metrics *m);

/* ==== learners III (#6): shared minimiser, Poisson, perceptron, networks,
 * quantile forests, PCA ======================================================== */

/* ---- L-BFGS and OWL-QN (lbfgs.c) ------------------------------------------ */

/* min over theta  f(theta) + sum_j l1[j] |theta_j|, f smooth. */
typedef struct ml_lbfgs_problem {
    size_t p;         /* parameters */
    const double *l1; /* p L1 weights, or NULL: none (plain L-BFGS) */
    int memory;       /* history pairs, 1..1000 */
    double tolerance; /* stop when the relative decrease of the objective is below */
    int max_iterations;
    /* f at theta, its gradient written into grad (p values). */
    double (*evaluate)(void *user, const double *theta, double *grad);
    /* May be NULL. After each accepted step: may move theta along directions
     * where f is flat, updating grad; returns the change of the objective. */
    double (*after_step)(void *user, double *theta, double *grad);
    void *user;
    const char *name; /* for messages: "logistic regression" */
} ml_lbfgs_problem;

typedef struct ml_lbfgs_result {
    int iterations, evaluations;
    double objective; /* f + the L1 term at the end */
} ml_lbfgs_result;

/* Minimises from theta (p values, updated in place). */
int ml_lbfgs_minimise(const ml_lbfgs_problem *problem, double *theta, const ml_env *env,
                      ml_lbfgs_result *out, wf_error *err);

/* ---- Poisson regression (poisson.c) ------------------------------------------ */

/* Counts y[i] >= 0 (not all 0) ~ Poisson(exp(w . x + b)): minimises
 * sum_i (exp(eta_i) - y_i eta_i) + l1 |w|_1 + (l2 / 2) |w|^2 with the
 * logistic regression parameters (l1, l2, tolerance, memory, iterations).
 * The output is eta, the log of the expected count: exp() it to predict. */
int ml_poisson_fit(const ml_matrix *x, const double *y, const ml_logreg_params *p,
                   const ml_env *env, ml_linear *out, wf_error *err);

/* ---- averaged perceptron (perceptron.c) ----------------------------------------- */

typedef struct ml_perceptron_params {
    double learning_rate; /* the step of each mistake's update */
    int iterations;       /* passes over the shuffled rows */
    uint64_t seed;        /* the order of the rows */
} ml_perceptron_params;

/* Two classes (y in {0, 1}, both present). The output is a logit: the
 * averaged perceptron's margin, Platt-scaled on the training rows, so that
 * ml_sigmoid of it is P(class 1). */
int ml_perceptron_fit(const ml_matrix *x, const int32_t *y, const ml_perceptron_params *p,
                      const ml_env *env, ml_linear *out, wf_error *err);

/* ---- neural networks (nn.c) ---------------------------------------------------- */

typedef enum ml_nn_normalizer {
    ML_NN_MIN_MAX = 0,  /* (x - min) / (max - min): [0, 1] */
    ML_NN_GAUSSIAN = 1, /* (x - mean) / standard deviation */
    ML_NN_BINNING = 2,  /* the quantile bin, as a fraction in [0, 1] */
    ML_NN_NONE = 3,
} ml_nn_normalizer;

#define ML_NN_BINS 1024       /* most bins of the binning normaliser */
#define ML_NN_MAX_LAYERS 8    /* most hidden layers */
#define ML_NN_MAX_UNITS 16384 /* most nodes in a hidden layer */

typedef struct ml_nn_params {
    ml_task task;         /* regression, binary or multiclass */
    size_t nclasses;      /* multiclass */
    const size_t *hidden; /* nodes per hidden layer */
    size_t nhidden;       /* hidden layers, 0..ML_NN_MAX_LAYERS */
    double learning_rate; /* the step on the minibatch's mean gradient */
    int iterations;       /* passes over the rows */
    double momentum;      /* [0, 1) */
    double init_diameter; /* initial weights uniform in [-diameter / 2, diameter / 2] */
    ml_nn_normalizer normalizer;
    bool shuffle;      /* a new order of the rows each pass */
    size_t batch_size; /* rows per step; 0: 32 */
    uint64_t seed;
} ml_nn_params;

/* A trained network. sizes[0] inputs, sizes[1..nlayers-1] hidden nodes
 * (sigmoid), sizes[nlayers] outputs; params holds, layer by layer, the
 * weights (sizes[l+1] x sizes[l], row-major) then the biases. */
typedef struct ml_nn {
    ml_task task;
    ml_nn_normalizer normalizer;
    size_t ninputs, nlayers;
    size_t *sizes; /* nlayers + 1 */
    double *params;
    size_t nparams;
    double *shift, *scale; /* min-max and Gaussian: ninputs each */
    double *edges;         /* binning: every input's bin edges, ascending */
    size_t *edge_start;    /* binning: ninputs + 1 offsets into edges */
} ml_nn;

/* Trains on y: values (regression) or class indices (0/1, 0..k-1). */
int ml_nn_fit(const ml_matrix *x, const double *y, const ml_nn_params *p, const ml_env *env,
              ml_nn *out, wf_error *err);
/* A zero network of this shape, for a reader to fill (params, and shift and
 * scale or edges and edge_start, which the reader allocates for binning). */
int ml_nn_init(ml_nn *m, ml_task task, size_t ninputs, const size_t *hidden, size_t nhidden,
               size_t noutputs, ml_nn_normalizer normalizer, wf_error *err);
/* Regression: the value; binary: P(class 1); multiclass: rows x k
 * probabilities. */
int ml_nn_predict(const ml_nn *m, const ml_matrix *x, double *out, wf_error *err);
void ml_nn_clear(ml_nn *m);

/* ---- PCA and the PCA anomaly score (pca.c) -------------------------------------- */

typedef struct ml_pca_params {
    size_t components;   /* k, 1..min(rows, features) */
    size_t oversampling; /* extra random directions of the randomized range finder */
    bool center;         /* subtract the training mean first */
    uint64_t seed;
    /* Up to this many features, the exact eigenvectors of the covariance
     * matrix (one pass, d x d); above, randomized subspace iteration. 0:
     * ML_PCA_EXACT_MAX. */
    size_t exact_max_features;
} ml_pca_params;

#define ML_PCA_EXACT_MAX 256

typedef struct ml_pca {
    size_t dims, k;
    bool center;
    double *mean;       /* dims; zeros without centring */
    double *components; /* k x dims, orthonormal rows, by decreasing variance */
    double *variance;   /* k: the training variance along each component */
} ml_pca;

/* The top k principal components of x's rows (NaN as 0). */
int ml_pca_fit(const ml_matrix *x, const ml_pca_params *p, const ml_env *env, ml_pca *out,
               wf_error *err);
/* out[r]: row r's normalised reconstruction error |z - P z| / |z| in [0, 1],
 * z the row less the mean (when centred), P the projection onto the
 * components. */
int ml_pca_score(const ml_pca *m, const ml_matrix *x, double *out, wf_error *err);
void ml_pca_clear(ml_pca *m);

/* ---- quantile regression forests (qforest.c) ------------------------------------ */

typedef struct ml_qforest_params {
    ml_trees_params trees; /* a regression forest (task ML_REGRESSION, forest true) */
    size_t sample_count;   /* most training labels a leaf keeps */
    uint64_t seed;         /* which labels a crowded leaf keeps */
} ml_qforest_params;

/* The forest, and the labels each leaf keeps: tree t's leaves are
 * leaf_start[t] .. leaf_start[t+1] - 1, by ascending XGBoost node id
 * (leaf_node); leaf l's labels are values[value_start[l] ..
 * value_start[l+1] - 1], ascending. */
typedef struct ml_qforest {
    ml_trees trees;
    size_t ntrees, nleaves, nvalues;
    size_t *leaf_start;  /* ntrees + 1 */
    int32_t *leaf_node;  /* nleaves */
    size_t *value_start; /* nleaves + 1 */
    double *values;      /* nvalues */
} ml_qforest;

int ml_qforest_fit(const ml_matrix *x, const double *y, const ml_qforest_params *p,
                   const ml_env *env, ml_qforest *out, wf_error *err);
/* out[r * nq + q]: the alphas[q]-quantile (in [0, 1]) of row r's
 * conditional distribution. Thread-safe. */
int ml_qforest_predict(const ml_qforest *m, const ml_matrix *x, const double *alphas, size_t nq,
                       double *out, wf_error *err);
/* Checks a model read back: offsets in range, leaves and values in order. */
int ml_qforest_check(const ml_qforest *m, wf_error *err);
void ml_qforest_clear(ml_qforest *m);

#endif
