/*
 * modules_int.h: what the module files share inside src/modules and nobody
 * else sees: the descriptors registry.c lists, and small helpers over the
 * context (schemas, enum and column parameters, selections). Names carry the
 * internal double underscore; the public face is modules.h.
 */
#ifndef WEFT_MODULES_INT_H
#define WEFT_MODULES_INT_H

#include "ml/ml.h"
#include "modules.h"

/* ---- the descriptors (one file per family) ------------------------------ */

extern const mod_descriptor mod_dataset;        /* dataset.c */
extern const mod_descriptor mod_select_columns; /* manipulation.c */
extern const mod_descriptor mod_edit_metadata;  /* manipulation.c */
extern const mod_descriptor mod_add_rows;       /* manipulation.c */
extern const mod_descriptor mod_enter_data;     /* manipulation.c */
extern const mod_descriptor mod_split_data;     /* split.c */
/* -- data input and output, SQL, math (io.c, sql.c, math.c) -- */
extern const mod_descriptor mod_import_data;              /* import.c */
extern const mod_descriptor mod_export_data;              /* export.c */
extern const mod_descriptor mod_convert_to_csv;           /* export.c */
extern const mod_descriptor mod_add_columns;              /* add_columns.c */
extern const mod_descriptor mod_apply_sql_transformation; /* sql.c */
extern const mod_descriptor mod_apply_math_operation;     /* math.c */
/* -- transformations with a fitted transform (clean.c, clip.c, normalize.c, bins.c,
      indicator.c, transform.c) -- */
extern const mod_descriptor mod_clean_missing_data;          /* clean.c */
extern const mod_descriptor mod_clip_values;                 /* clip.c */
extern const mod_descriptor mod_normalize_data;              /* normalize.c */
extern const mod_descriptor mod_group_data_into_bins;        /* bins.c */
extern const mod_descriptor mod_convert_to_indicator_values; /* indicator.c */
extern const mod_descriptor mod_select_columns_transform;    /* transform.c */
extern const mod_descriptor mod_apply_transformation;        /* transform.c */
/* -- rows and statistics (join.c, partition.c, duplicates.c, smote.c, summarize.c,
      feature_selection.c) -- */
extern const mod_descriptor mod_join_data;                      /* join.c */
extern const mod_descriptor mod_partition_and_sample;           /* partition.c */
extern const mod_descriptor mod_remove_duplicate_rows;          /* duplicates.c */
extern const mod_descriptor mod_smote;                          /* smote.c */
extern const mod_descriptor mod_summarize_data;                 /* summarize.c */
extern const mod_descriptor mod_filter_based_feature_selection; /* feature_selection.c */
/* -- scripting (python.c) -- */
extern const mod_descriptor mod_execute_python_script; /* python.c */
/* -- learners, training, scoring, evaluation (learners.c, train.c, score.c, evaluate.c) -- */
extern const mod_descriptor mod_linear_regression;               /* learners.c */
extern const mod_descriptor mod_two_class_logistic_regression;   /* learners.c */
extern const mod_descriptor mod_multiclass_logistic_regression;  /* learners.c */
extern const mod_descriptor mod_two_class_support_vector_machine; /* learners.c */
extern const mod_descriptor mod_boosted_decision_tree_regression; /* learners.c */
extern const mod_descriptor mod_two_class_boosted_decision_tree; /* learners.c */
extern const mod_descriptor mod_multiclass_boosted_decision_tree; /* learners.c */
extern const mod_descriptor mod_decision_forest_regression;      /* learners.c */
extern const mod_descriptor mod_two_class_decision_forest;       /* learners.c */
extern const mod_descriptor mod_multiclass_decision_forest;      /* learners.c */
extern const mod_descriptor mod_k_means_clustering;              /* learners.c */
extern const mod_descriptor mod_train_model;                     /* train.c */
extern const mod_descriptor mod_train_clustering_model;          /* train.c */
extern const mod_descriptor mod_score_model;                     /* score.c */
extern const mod_descriptor mod_assign_data_to_clusters;         /* score.c */
extern const mod_descriptor mod_evaluate_model;                  /* evaluate.c */
/* -- learners III: more learners and anomaly detection (#6) -- */
extern const mod_descriptor mod_poisson_regression;              /* learners3.c */
extern const mod_descriptor mod_fast_forest_quantile_regression; /* learners3.c */
extern const mod_descriptor mod_neural_network_regression;       /* learners3.c */
extern const mod_descriptor mod_two_class_neural_network;        /* learners3.c */
extern const mod_descriptor mod_multiclass_neural_network;       /* learners3.c */
extern const mod_descriptor mod_two_class_averaged_perceptron;   /* learners3.c */
extern const mod_descriptor mod_one_vs_all_multiclass;           /* reduction.c */
extern const mod_descriptor mod_one_vs_one_multiclass;           /* reduction.c */
extern const mod_descriptor mod_pca_based_anomaly_detection;     /* anomaly.c */
extern const mod_descriptor mod_train_anomaly_detection_model;   /* anomaly.c */
/* -- model selection and explanation (#6) -- */
extern const mod_descriptor mod_cross_validate_model; /* cross_validate.c */
extern const mod_descriptor mod_tune_model_hyperparameters; /* tune.c */
extern const mod_descriptor mod_permutation_feature_importance; /* permutation.c */
/* -- inference: web service input and output, trained models, fitted transforms (#10) -- */
extern const mod_descriptor mod_web_service_input;  /* inference.c */
extern const mod_descriptor mod_web_service_output; /* inference.c */
extern const mod_descriptor mod_trained_model;      /* inference.c */
extern const mod_descriptor mod_fitted_transform;   /* inference.c */
#ifdef WEFT_TEST_MODULES
extern const mod_descriptor mod_test_crash;    /* test_faults.c */
extern const mod_descriptor mod_test_sleep;    /* test_faults.c */
extern const mod_descriptor mod_test_allocate; /* test_faults.c */
extern const mod_descriptor mod_test_fail;     /* test_faults.c */
#endif

/* ---- helpers over the context (context.c) ------------------------------- */

/* The descriptor entry of parameter `name`, or NULL. */
const mod_param *mod__param_spec(const mod_ctx *ctx, const char *name);

/* Like mod_param_error, with a code other than WF_EINVAL. Returns code. */
int mod__field_error(mod_ctx *ctx, const char *field, int code, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* An enum parameter: *index is the position of its value among the
 * descriptor's choices. An absent value or one that is not a choice is a
 * field error listing the choices. 0 or a negative code. */
int mod__param_choice(mod_ctx *ctx, const char *name, size_t *index);

/* A zero-row table with t's schema (names, types, roles, categorical
 * levels), as configure outputs. The caller owns *out. */
int mod__schema_of(mod_ctx *ctx, const tbl_table *t, tbl_table **out);

/* Sets output `port` to the schema of t; leaves it unset when t is NULL (the
 * schema is unknown). 0 or a negative code. */
int mod__output_schema(mod_ctx *ctx, const char *port, const tbl_table *t);

/* Parses column-selection parameter `name` and resolves it against t. Every
 * problem (bad JSON form, a name not in t, nothing selected) is a field
 * error on `name`. The caller frees *indices. */
int mod__resolve_selection(mod_ctx *ctx, const char *name, const tbl_table *t, size_t **indices,
                           size_t *count);

/* The index in t of the column named by column parameter `name` (a field
 * error when it is unset or not in t). */
int mod__column_param(mod_ctx *ctx, const char *name, const tbl_table *t, size_t *index);

/* ---- learners and models (learners.c, model.c) ----------------------------- */

/* How a learner is trained. */
typedef enum mod__algo {
    MOD__ALGO_LINREG,  /* ml_linreg_fit */
    MOD__ALGO_LOGREG,  /* ml_logreg_fit */
    MOD__ALGO_SVM,     /* ml_svm_fit */
    MOD__ALGO_BOOSTED, /* ml_trees_fit, boosting */
    MOD__ALGO_FOREST,  /* ml_trees_fit, random forest */
    MOD__ALGO_KMEANS,  /* ml_kmeans_fit */
    /* learners III (#6) */
    MOD__ALGO_POISSON,    /* ml_poisson_fit (learners3_model.c) */
    MOD__ALGO_QFOREST,    /* ml_qforest_fit (learners3_model.c) */
    MOD__ALGO_NN,         /* ml_nn_fit (learners3_model.c) */
    MOD__ALGO_PERCEPTRON, /* ml_perceptron_fit (learners3_model.c) */
    MOD__ALGO_OVA,        /* a two-class model per class (reduction.c) */
    MOD__ALGO_OVO,        /* a two-class model per pair of classes (reduction.c) */
    MOD__ALGO_PCA,        /* ml_pca_fit, anomaly detection (anomaly.c) */
} mod__algo;

typedef struct mod__learner_spec {
    const char *name; /* the learner module's name */
    ml_task task;
    mod__algo algo;
} mod__learner_spec;

/* The learner module named by "name" or "name@version"; NULL if none. */
const mod__learner_spec *mod__learner_find(const char *module_ref);
/* "regression", "binary", "multiclass", "clustering". */
const char *mod__task_name(ml_task task);

/* A parameter of a learner JSON: in ParameterRange mode, the first value of
 * its `_range` list when there is one. Fails (ctx->err) when absent. */
int mod__learner_number(mod_ctx *ctx, const struct json_t *learner, const char *name,
                        double *out);
int mod__learner_bool(mod_ctx *ctx, const struct json_t *learner, const char *name, bool *out);
/* NULL when absent. */
const char *mod__learner_string(const struct json_t *learner, const char *name);

/* A trained model, as model.c reads and writes it (docs/formats.md,
 * "Models"). mod__model_clear frees everything it holds. */
typedef struct mod__model {
    struct json_t *learner; /* the learner JSON (one reference) */
    const mod__learner_spec *spec;
    ml_task task;
    char *label;         /* the label column; NULL for clustering without one */
    tbl_type label_type; /* what Scored Labels is written as */
    ml_classes classes;  /* binary and multiclass */
    ml_features features;
    bool allow_unknown_levels;
    /* k-means with normalisation: x' = (x - shift) * scale per matrix column */
    double *shift, *scale;
    ml_linear linear;  /* MOD__ALGO_LINREG, LOGREG, SVM */
    ml_trees trees;    /* MOD__ALGO_BOOSTED, FOREST */
    ml_kmeans kmeans;  /* MOD__ALGO_KMEANS */
    bool unit_sphere;  /* SVM: rows scaled to unit length */
    /* learners III (#6) */
    ml_nn nn;                /* MOD__ALGO_NN */
    ml_qforest qforest;      /* MOD__ALGO_QFOREST */
    double *quantiles;       /* MOD__ALGO_QFOREST: what Score Model estimates */
    size_t nquantiles;
    ml_pca pca;              /* MOD__ALGO_PCA */
    struct mod__model *subs; /* MOD__ALGO_OVA, OVO: the two-class models */
    size_t nsubs;
    struct json_t *schema; /* the training table's columns: [{name, type, role}] */
} mod__model;

/* The model as its JSON artifact (a new reference), or NULL with ctx->err. */
struct json_t *mod__model_to_json(mod_ctx *ctx, const mod__model *m);
/* Reads a model JSON; a value that is not one fails clearly. */
int mod__model_from_json(mod_ctx *ctx, const struct json_t *json, mod__model *m);
void mod__model_clear(mod__model *m);
/* The schema JSON of t: [{name, type, role}]. NULL on OOM. */
struct json_t *mod__schema_json(const tbl_table *t);

/* The feature matrix of t for model m, rows scaled as the model was trained
 * (k-means normalisation, SVM unit sphere). With allow_unknown_levels off, a
 * level training never saw fails, naming the column and the value. */
int mod__model_matrix(mod_ctx *ctx, const mod__model *m, const tbl_table *t, ml_matrix *x);

/* Scales the rows of x as the model's training did: k-means min-max (when
 * m->shift is set), SVM rows to unit length (m->unit_sphere). Train Model
 * calls it on the training matrix, scoring on every block. */
void mod__model_scale_rows(const mod__model *m, ml_matrix *x);

/* Predictions of a regression or classification model for every row of t,
 * encoded and scored block by block: the value (regression), P(positive)
 * (two classes) or rows x k probabilities (several classes), into out. */
int mod__model_predict(mod_ctx *ctx, const mod__model *m, const tbl_table *t, double *out);

/* Trains learner (a learner JSON; a trained model or anything else is
 * refused) on t with label column `label`, as Train Model does: rows with a
 * missing label dropped, features every feature-role column but the label.
 * *out is cleared by the caller with mod__model_clear (train.c). */
int mod__train_supervised(mod_ctx *ctx, const struct json_t *learner, const tbl_table *t,
                          size_t label, mod__model *out);

/* Scores t with model m as Score Model does (score.c): t's columns (when
 * append) followed by the score columns; clustering models add Assignments
 * and distances. The caller owns *out. */
int mod__score_table(mod_ctx *ctx, const mod__model *m, const tbl_table *t, bool append,
                     tbl_table **out);

/* The clustering result of t (score.c): its columns (when append) followed
 * by `Assignments` and one `DistancesToClusterCenter no.K` column per
 * cluster, with the score role. x is t's matrix, already scaled. */
int mod__cluster_columns(mod_ctx *ctx, const mod__model *m, const ml_matrix *x, const tbl_table *t,
                         bool append, tbl_table **out);

/* ---- learners III (#6): learners3.c, learners3_model.c, reduction.c, anomaly.c ---- */

/* A learner module's run and configure (learners.c): the learner JSON of
 * ctx's module and parameters, range lists checked. */
int mod__learner_run(mod_ctx *ctx);
int mod__learner_configure(mod_ctx *ctx);
/* The numbers of a list "0.25; 0.5, 0.75" (semicolons, commas or blanks
 * between), at most cap of them, into out: 0, WF_EINVAL (empty, or not a
 * number) or WF_ELIMIT (more than cap). learners3.c. */
int mod__number_list(const char *text, double *out, size_t cap, size_t *n);

/* Fits a Poisson, quantile forest, network or perceptron learner (m->spec)
 * on x: yn is the label as numbers (regression), yc the class indices. */
int mod__fit3(mod_ctx *ctx, mod__model *m, const ml_matrix *x, const double *yn,
              const int32_t *yc);
/* The fitted state of a quantile forest, network, reduction or PCA model
 * as JSON (a new reference; NULL with ctx->err), and back. */
struct json_t *mod__state3_json(mod_ctx *ctx, const mod__model *m);
int mod__read_state3(mod_ctx *ctx, const struct json_t *state, mod__model *m);
/* Frees what the fields above hold. */
void mod__model_clear3(mod__model *m);
/* Predictions of a Poisson, quantile forest, network or PCA model for a
 * block of encoded rows, as mod__model_predict gives them (Poisson: the
 * expected count; quantile forest: the median; PCA: the anomaly score). */
int mod__predict3_block(mod_ctx *ctx, const mod__model *m, const ml_matrix *x, double *out);

/* One-vs-all and one-vs-one (reduction.c): trains the two-class learner of
 * m->learner on t once per class or pair, and predicts every row of t
 * (rows x k probabilities). */
int mod__reduction_fit(mod_ctx *ctx, mod__model *m, const tbl_table *t, size_t label);
int mod__reduction_predict(mod_ctx *ctx, const mod__model *m, const tbl_table *t, double *out);

/* Score Model's extra columns: the quantile forest's `Quantile:<q>` columns
 * (learners3_model.c), and an anomaly model's `Scored Labels` (1: anomaly)
 * and `Scored Probabilities` (its score; anomaly.c), appended to res. */
int mod__quantile_columns(mod_ctx *ctx, const mod__model *m, const tbl_table *t, tbl_table *res);
int mod__anomaly_columns(mod_ctx *ctx, const mod__model *m, const tbl_table *t, tbl_table *res);
/* Numbers as a JSON array (a new reference; NULL on OOM), and n numbers
 * read back from one into a new buffer (WF_ECORRUPT when a is not an array
 * of n numbers). model.c. */
struct json_t *mod__json_numbers(const double *v, size_t n);
int mod__json_read_numbers(const struct json_t *a, size_t n, double **out);
/* A numeric column with the score role, values[r * stride] (NaN missing),
 * appended to res (learners3_model.c). */
int mod__add_score_column(mod_ctx *ctx, tbl_table *res, const char *name, const double *values,
                          size_t stride);

#endif
