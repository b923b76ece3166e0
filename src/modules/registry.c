/*
 * registry.c: the module catalogue. A new module is one line in the list
 * below (and its extern in modules_int.h). Also here: names of port kinds and
 * parameter types, lookups by name, and the catalogue as JSON for the UI and
 * `weft modules --json`.
 */
#include "modules_int.h"

#include <jansson.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Catalogue order is palette order: inputs first, then transformations. */
static const mod_descriptor *const mod__catalogue[] = {
    &mod_dataset,        /* dataset.c */
    &mod_enter_data,     /* manipulation.c */
    &mod_select_columns, /* manipulation.c */
    &mod_edit_metadata,  /* manipulation.c */
    &mod_add_rows,       /* manipulation.c */
    &mod_split_data,     /* split.c */
    /* -- data input and output, SQL, math -- */
    &mod_import_data,              /* import.c */
    &mod_export_data,              /* export.c */
    &mod_convert_to_csv,           /* export.c */
    &mod_add_columns,              /* add_columns.c */
    &mod_apply_sql_transformation, /* sql.c */
    &mod_apply_math_operation,     /* math.c */
    /* -- transformations with a fitted transform -- */
    &mod_clean_missing_data,          /* clean.c */
    &mod_clip_values,                 /* clip.c */
    &mod_normalize_data,              /* normalize.c */
    &mod_group_data_into_bins,        /* bins.c */
    &mod_convert_to_indicator_values, /* indicator.c */
    &mod_select_columns_transform,    /* transform.c */
    &mod_apply_transformation,        /* transform.c */
    /* -- rows and statistics -- */
    &mod_join_data,                      /* join.c */
    &mod_partition_and_sample,           /* partition.c */
    &mod_remove_duplicate_rows,          /* duplicates.c */
    &mod_smote,                          /* smote.c */
    &mod_summarize_data,                 /* summarize.c */
    &mod_filter_based_feature_selection, /* feature_selection.c */
    /* -- scripting -- */
    &mod_execute_python_script, /* python.c */
    /* -- learners, training, scoring, evaluation -- */
    &mod_linear_regression,                /* learners.c */
    &mod_boosted_decision_tree_regression, /* learners.c */
    &mod_decision_forest_regression,       /* learners.c */
    &mod_two_class_logistic_regression,    /* learners.c */
    &mod_two_class_boosted_decision_tree,  /* learners.c */
    &mod_two_class_decision_forest,        /* learners.c */
    &mod_two_class_support_vector_machine, /* learners.c */
    &mod_multiclass_logistic_regression,   /* learners.c */
    &mod_multiclass_boosted_decision_tree, /* learners.c */
    &mod_multiclass_decision_forest,       /* learners.c */
    &mod_k_means_clustering,               /* learners.c */
    &mod_train_model,                      /* train.c */
    &mod_train_clustering_model,           /* train.c */
    &mod_score_model,                      /* score.c */
    &mod_assign_data_to_clusters,          /* score.c */
    &mod_evaluate_model,                   /* evaluate.c */
    /* -- learners III: more learners and anomaly detection (#6) -- */
    &mod_poisson_regression,              /* learners3.c */
    &mod_fast_forest_quantile_regression, /* learners3.c */
    &mod_neural_network_regression,       /* learners3.c */
    &mod_two_class_neural_network,        /* learners3.c */
    &mod_two_class_averaged_perceptron,   /* learners3.c */
    &mod_multiclass_neural_network,       /* learners3.c */
    &mod_one_vs_all_multiclass,           /* reduction.c */
    &mod_one_vs_one_multiclass,           /* reduction.c */
    &mod_pca_based_anomaly_detection,     /* anomaly.c */
    &mod_train_anomaly_detection_model,   /* anomaly.c */
    /* -- model selection and explanation (#6) -- */
    &mod_cross_validate_model,           /* cross_validate.c */
    &mod_tune_model_hyperparameters,     /* tune.c */
    &mod_permutation_feature_importance, /* permutation.c */
    /* -- inference: web service input and output, trained models, fitted transforms (#10) -- */
    &mod_web_service_input,  /* inference.c */
    &mod_web_service_output, /* inference.c */
    &mod_trained_model,      /* inference.c */
    &mod_fitted_transform,   /* inference.c */
#ifdef WEFT_TEST_MODULES
    &mod_test_crash,    /* test_faults.c */
    &mod_test_sleep,    /* test_faults.c */
    &mod_test_allocate, /* test_faults.c */
    &mod_test_fail,     /* test_faults.c */
#endif
};

const mod_descriptor *const *mod_all(size_t *count)
{
    if (count != NULL) *count = sizeof mod__catalogue / sizeof mod__catalogue[0];
    return mod__catalogue;
}

/* Parses the version after '@': decimal digits, no sign, at least 1. */
static bool mod__parse_version(const char *s, int *out)
{
    if (*s == '\0') return false;
    long v = 0;
    for (; *s != '\0'; s++) {
        if (*s < '0' || *s > '9') return false;
        v = v * 10 + (*s - '0');
        if (v > INT_MAX) return false;
    }
    if (v < 1) return false;
    *out = (int)v;
    return true;
}

const mod_descriptor *mod_find(const char *ref)
{
    if (ref == NULL) return NULL;
    const char *at = strchr(ref, '@');
    size_t name_len = at != NULL ? (size_t)(at - ref) : strlen(ref);
    int version = 0; /* 0: the highest */
    if (at != NULL && strcmp(at + 1, "latest") != 0 && !mod__parse_version(at + 1, &version))
        return NULL;
    const mod_descriptor *best = NULL;
    size_t n;
    const mod_descriptor *const *all = mod_all(&n);
    for (size_t i = 0; i < n; i++) {
        const mod_descriptor *m = all[i];
        if (strlen(m->name) != name_len || memcmp(m->name, ref, name_len) != 0) continue;
        if (version != 0 && m->version == version) return m;
        if (version == 0 && (best == NULL || m->version > best->version)) best = m;
    }
    return best;
}

static int mod__port_index(const mod_port *ports, size_t n, const char *name)
{
    for (size_t i = 0; name != NULL && i < n; i++)
        if (strcmp(ports[i].name, name) == 0) return (int)i;
    return -1;
}

int mod_input_index(const mod_descriptor *m, const char *port)
{
    return m == NULL ? -1 : mod__port_index(m->inputs, m->ninputs, port);
}

int mod_output_index(const mod_descriptor *m, const char *port)
{
    return m == NULL ? -1 : mod__port_index(m->outputs, m->noutputs, port);
}

int mod_param_index(const mod_descriptor *m, const char *name)
{
    for (size_t i = 0; m != NULL && name != NULL && i < m->nparams; i++)
        if (strcmp(m->params[i].name, name) == 0) return (int)i;
    return -1;
}

/* ---- names ------------------------------------------------------------- */

static const char *const mod__kind_names[MOD_PORT_KIND_COUNT] = {
    "table", "learner", "model", "transform", "report",
};

const char *mod_port_kind_name(mod_port_kind kind)
{
    if ((unsigned)kind >= MOD_PORT_KIND_COUNT) return "unknown";
    return mod__kind_names[kind];
}

int mod_port_kind_parse(const char *name, mod_port_kind *out)
{
    for (int i = 0; name != NULL && i < MOD_PORT_KIND_COUNT; i++) {
        if (strcmp(mod__kind_names[i], name) == 0) {
            *out = (mod_port_kind)i;
            return 0;
        }
    }
    return WF_EINVAL;
}

static const char *const mod__type_names[MOD_PARAM_TYPE_COUNT] = {
    "int",    "number",           "bool",   "enum",    "string", "text", "sql",
    "python", "column-selection", "column", "dataset",
};

const char *mod_param_type_name(mod_param_type type)
{
    if ((unsigned)type >= MOD_PARAM_TYPE_COUNT) return "unknown";
    return mod__type_names[type];
}

/* ---- JSON -------------------------------------------------------------- */

/* Sets key to value (stealing it) and remembers a failure in *ok. */
static void mod__set(json_t *obj, const char *key, json_t *value, bool *ok)
{
    if (value == NULL || json_object_set_new(obj, key, value) < 0) *ok = false;
}

static json_t *mod__string_or_null(const char *s)
{
    return s != NULL ? json_string(s) : json_null();
}

static json_t *mod__ports_json(const mod_port *ports, size_t n, bool inputs)
{
    json_t *arr = json_array();
    bool ok = arr != NULL;
    for (size_t i = 0; ok && i < n; i++) {
        json_t *p = json_object();
        if (p == NULL || json_array_append_new(arr, p) < 0) {
            ok = false;
            break;
        }
        mod__set(p, "name", json_string(ports[i].name), &ok);
        mod__set(p, "kind", json_string(mod_port_kind_name(ports[i].kind)), &ok);
        /* Outputs are never optional; saying so keeps one shape for both. */
        mod__set(p, "optional", json_boolean(inputs && ports[i].optional), &ok);
        mod__set(p, "help", mod__string_or_null(ports[i].help), &ok);
    }
    if (!ok) {
        json_decref(arr);
        return NULL;
    }
    return arr;
}

static json_t *mod__param_json(const mod_param *p)
{
    json_t *o = json_object();
    if (o == NULL) return NULL;
    bool ok = true;
    mod__set(o, "name", json_string(p->name), &ok);
    mod__set(o, "label", mod__string_or_null(p->label ? p->label : p->name), &ok);
    mod__set(o, "type", json_string(mod_param_type_name(p->type)), &ok);
    json_t *def = NULL;
    if (p->default_json != NULL) def = json_loads(p->default_json, JSON_DECODE_ANY, NULL);
    mod__set(o, "default", def != NULL ? def : json_null(), &ok);
    mod__set(o, "required", json_boolean(p->required), &ok);
    mod__set(o, "min", p->has_min ? json_real(p->min) : json_null(), &ok);
    mod__set(o, "max", p->has_max ? json_real(p->max) : json_null(), &ok);
    if (p->choices != NULL) {
        json_t *choices = json_array();
        mod__set(o, "choices", choices, &ok);
        for (size_t i = 0; ok && p->choices[i] != NULL; i++)
            if (json_array_append_new(choices, json_string(p->choices[i])) < 0) ok = false;
    } else {
        mod__set(o, "choices", json_null(), &ok);
    }
    mod__set(o, "input", mod__string_or_null(p->input), &ok);
    mod__set(o, "visible_when", mod__string_or_null(p->visible_when), &ok);
    mod__set(o, "help", mod__string_or_null(p->help), &ok);
    if (!ok) {
        json_decref(o);
        return NULL;
    }
    return o;
}

json_t *mod_descriptor_json(const mod_descriptor *m)
{
    if (m == NULL) return NULL;
    json_t *o = json_object();
    if (o == NULL) return NULL;
    bool ok = true;
    char id[256];
    snprintf(id, sizeof id, "%s@%d", m->name, m->version);
    mod__set(o, "id", json_string(id), &ok);
    mod__set(o, "name", json_string(m->name), &ok);
    mod__set(o, "version", json_integer(m->version), &ok);
    mod__set(o, "display_name", mod__string_or_null(m->display_name), &ok);
    mod__set(o, "category", mod__string_or_null(m->category), &ok);
    mod__set(o, "help", mod__string_or_null(m->help), &ok);
    mod__set(o, "inputs", mod__ports_json(m->inputs, m->ninputs, true), &ok);
    mod__set(o, "outputs", mod__ports_json(m->outputs, m->noutputs, false), &ok);
    json_t *params = json_array();
    mod__set(o, "params", params, &ok);
    for (size_t i = 0; ok && i < m->nparams; i++)
        if (json_array_append_new(params, mod__param_json(&m->params[i])) < 0) ok = false;
    if (!ok) {
        json_decref(o);
        return NULL;
    }
    return o;
}

json_t *mod_catalogue_json(void)
{
    json_t *o = json_object();
    if (o == NULL) return NULL;
    json_t *list = json_array();
    /* json_object_set_new steals list even when it fails. */
    if (json_object_set_new(o, "modules", list) < 0) {
        json_decref(o);
        return NULL;
    }
    size_t n;
    const mod_descriptor *const *all = mod_all(&n);
    for (size_t i = 0; i < n; i++) {
        if (json_array_append_new(list, mod_descriptor_json(all[i])) < 0) {
            json_decref(o);
            return NULL;
        }
    }
    return o;
}
