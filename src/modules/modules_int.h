/*
 * modules_int.h: what the module files share inside src/modules and nobody
 * else sees: the descriptors registry.c lists, and small helpers over the
 * context (schemas, enum and column parameters, selections). Names carry the
 * internal double underscore; the public face is modules.h.
 */
#ifndef WEFT_MODULES_INT_H
#define WEFT_MODULES_INT_H

#include "modules.h"

/* ---- the descriptors (one file per family) ------------------------------ */

extern const mod_descriptor mod_dataset;        /* dataset.c */
extern const mod_descriptor mod_select_columns; /* manipulation.c */
extern const mod_descriptor mod_edit_metadata;  /* manipulation.c */
extern const mod_descriptor mod_add_rows;       /* manipulation.c */
extern const mod_descriptor mod_enter_data;     /* manipulation.c */
extern const mod_descriptor mod_split_data;     /* split.c */
/* -- data input and output, SQL, math (io.c, sql.c, math.c) -- */
/* -- transformations with a fitted transform (clean.c, clip.c, normalize.c, bins.c,
      indicator.c, transform.c) -- */
/* -- rows and statistics (join.c, partition.c, duplicates.c, smote.c, summarize.c,
      feature_selection.c) -- */
/* -- scripting (python.c) -- */
/* -- learners, training, scoring, evaluation (learners.c, train.c, score.c, evaluate.c) -- */
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

#endif
