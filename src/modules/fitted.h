/*
 * fitted.h: what the modules that fit a transformation share (clean.c,
 * clip.c, normalize.c, bins.c, indicator.c, transform.c), private to
 * src/modules.
 *
 * Each of those modules is written as two steps, `fit` and `apply`:
 *
 *     fit(ctx, table)            -> transform JSON (parameters checked)
 *     apply(ctx, transform, t)   -> the output table
 *
 * and `run` is fit on the input, then apply of that transform to the same
 * input. So Apply Transformation on the training table gives exactly the
 * module's own output, by construction, and an inference pipeline that
 * swaps the module for Apply Transformation computes the same thing.
 * `configure` is the same two steps on the zero-row schema table.
 *
 * The transform JSON (docs/formats.md, "Fitted transforms"):
 *
 *     {"kind": "transform", "module": "normalize-data@1",
 *      "columns": [{"name": "price", "type": "numeric"}, ...],
 *      "state": {...what the module fitted...}}
 *
 * "columns" are the input columns apply reads, with the types they had at
 * fitting. Apply finds them by name in the new table; a column that is
 * absent, or of a type outside its fitted type's family, fails naming the
 * column.
 */
#ifndef WEFT_MODULES_FITTED_H
#define WEFT_MODULES_FITTED_H

#include "modules_int.h"

#include <math.h>

/* ---- the pattern: run and configure from fit and apply ------------------ */

/* A module's fit: checks its parameters and, when `in` is given, fits a
 * transform on it (*transform: a new reference). With in == NULL (configure
 * without an input schema) it only checks the parameters. In configure, a
 * fit may leave *transform NULL to say the output schema depends on the
 * data. */
typedef int (*mod__fit_fn)(mod_ctx *ctx, const tbl_table *in, struct json_t **transform);

/* run and configure of a module with one table input `in_port`, a table
 * output `table_port` and a transform output `transform_port`: fit, then
 * the module's own apply. Configure outputs the schema only. */
int mod__fit_and_apply(mod_ctx *ctx, const char *in_port, const char *table_port,
                       const char *transform_port, mod__fit_fn fit);

/* ---- the transform JSON ------------------------------------------------- */

/* A new transform of module m fitted on columns idx[0..n) of t, holding
 * state (stolen, even on failure). NULL with ctx->err set on OOM. */
struct json_t *mod__transform_new(mod_ctx *ctx, const mod_descriptor *m, const tbl_table *t,
                                  const size_t *idx, size_t n, struct json_t *state);

/* The input of an apply, bound to the transform's columns. */
typedef struct mod__bound {
    const tbl_table *t; /* the table applied to */
    size_t *idx;        /* idx[k]: the column of t for transform column k */
    size_t n;           /* the transform's column count */
    const struct json_t *state;
} mod__bound;

/* Checks that tr is a transform written by module m and binds its columns
 * to `in`: each must be present, with its fitted type or the other type of
 * its family (integer and numeric; string and categorical), which the
 * modules read alike. A failure names the column. Release with
 * mod__bound_clear. */
int mod__transform_bind(mod_ctx *ctx, const mod_descriptor *m, const struct json_t *tr,
                        const tbl_table *in, mod__bound *b);
void mod__bound_clear(mod__bound *b);

/* The state's array `key`, which must hold n objects; NULL with ctx->err
 * set (naming the module and key) otherwise. */
const struct json_t *mod__state_list(mod_ctx *ctx, const mod_descriptor *m,
                                     const struct json_t *state, const char *key, size_t n);
/* The number at `key` of obj; null reads as NaN (a statistic that was
 * undefined). Absent or not a number fails, naming the module and key. */
int mod__state_number(mod_ctx *ctx, const mod_descriptor *m, const struct json_t *obj,
                      const char *key, double *out);
/* A boolean at `key`; absent or not a boolean fails. */
int mod__state_bool(mod_ctx *ctx, const mod_descriptor *m, const struct json_t *obj,
                    const char *key, bool *out);
/* A string at `key`; NULL (with ctx->err set) when absent or not a string. */
const char *mod__state_string(mod_ctx *ctx, const mod_descriptor *m, const struct json_t *obj,
                              const char *key);

/* d as JSON: a real, or null when d is NaN or infinite (JSON has neither). */
struct json_t *mod__json_number(double d);

/* "name@version" of m into buf (at least 128 bytes). */
void mod__module_ref(const mod_descriptor *m, char *buf, size_t cap);

/* ---- columns and values ------------------------------------------------- */

static inline bool mod__is_number_type(tbl_type type)
{
    return type == TBL_NUMERIC || type == TBL_INTEGER;
}

/* The value of row r of a numeric or integer column as a double. */
static inline double mod__number_at(const tbl_column *c, size_t r)
{
    return c->type == TBL_NUMERIC ? c->v.f64[r] : (double)c->v.i64[r];
}

/* Whether row r of a numeric or integer column holds a number: not marked
 * missing and not NaN (weft treats a NaN as missing, as pandas does). */
static inline bool mod__has_number(const tbl_column *c, size_t r)
{
    if (tbl_is_missing(c, r)) return false;
    return c->type != TBL_NUMERIC || !isnan(c->v.f64[r]);
}

/* Count and sum (and, with `range`, minimum and maximum: +inf and -inf
 * when there are no numbers, NaN without `range`) of the numbers of a
 * numeric or integer column, missing and NaN skipped. (fitted_loops.c, as
 * the three below) */
typedef struct mod__stats {
    size_t count;
    double sum, min, max;
} mod__stats;
void mod__number_stats(const tbl_column *c, size_t nrows, bool range, mod__stats *s);
/* The sum of (x - mean)^2 over the numbers of the column; *constant says
 * whether they are all equal (true when there is none). */
double mod__squared_deviations(const tbl_column *c, size_t nrows, double mean, bool *constant);
/* The count, mean, sum of squared deviations from the mean, and whether
 * all are equal, of the numbers of a numeric or integer column (count 0,
 * mean NaN when there are none), in one pass where that is accurate. */
typedef struct mod__moments_t {
    size_t count;
    double mean, ss;
    bool constant;
} mod__moments_t;
void mod__moments(const tbl_column *c, size_t nrows, mod__moments_t *out);
/* y[r] = (x[r] - a) / b, or 0 where m[r] marks row r missing (m may be
 * NULL); returns how many results are NaN. (fitted_loops.c) */
size_t mod__affine_f64(const double *x, const uint8_t *m, size_t n, double a, double b, double *y);
/* y[r] = x[r], or v where x[r] is NaN or m[r] marks it missing. */
void mod__fill_f64(const double *x, const uint8_t *m, size_t n, double v, double *y);

/* The numbers of column c (missing and NaN skipped), sorted ascending
 * (caller frees *out; NULL when there are none). */
int mod__sorted_numbers(mod_ctx *ctx, const tbl_column *c, size_t nrows, double **out, size_t *n);

/* The q-quantile (0 <= q <= 1) of sorted[0..n), n > 0, by linear
 * interpolation between the closest ranks: numpy.quantile's default
 * ("linear", Hyndman and Fan's definition 7), computed as numpy 1.24 does. */
double mod__quantile_sorted(const double *sorted, size_t n, double q);

/* Adds column c to t under its own name or, when t has that name already,
 * "name (2)", "name (3)"... as Add Columns does. Takes c's buffers on
 * success; clears c on failure. */
int mod__add_column_unique(mod_ctx *ctx, tbl_table *t, tbl_column *c);

/* Makes c a new column of nrows values of `type` for a caller that writes
 * every row: as tbl_column_init, but the values of fixed-width types are
 * left unset, and large buffers ask for transparent huge pages. A fresh
 * 8 MB column otherwise costs zeroing it and a page fault per 4 KB, a third
 * of the time of a rescaling pass. ctx may be NULL (in a worker of
 * mod__parallel_for): then a failure is only returned, WF_ENOMEM. */
int mod__column_for_writing(mod_ctx *ctx, tbl_column *c, const char *name, tbl_type type,
                            size_t nrows);

/* Calls fn(arg, k) for every k in [0, n), spread over the machine's cores
 * (up to 8 threads, the caller's included) when `work`, the number of
 * values touched, makes threads worth starting; on the calling thread
 * alone otherwise, or when no thread can start. fn runs concurrently: it
 * must not touch the context (mod_fail, mod_log), only its own item. */
void mod__parallel_for(size_t n, size_t work, void (*fn)(void *arg, size_t k), void *arg);

/* A new table with t's row count and no columns (NULL on OOM, ctx->err
 * set). */
tbl_table *mod__empty_like(mod_ctx *ctx, const tbl_table *t);

/* Appends a deep copy of column i of t to out. */
int mod__copy_column(mod_ctx *ctx, tbl_table *out, const tbl_table *t, size_t i);

#endif
