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
/* -- model selection and explanation (#6) -- */
/* -- inference: web service input and output, trained models, fitted transforms (#10) -- */
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

#endif
