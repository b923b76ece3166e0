/*
 * ops_int.h: helpers shared by the table operations (select.c, rows.c,
 * combine.c, join.c, group.c, cast.c, profile.c). Private to src/table; the
 * public face is table.h. Names carry the internal double underscore.
 */
#ifndef WEFT_TABLE_OPS_INT_H
#define WEFT_TABLE_OPS_INT_H

#include "table.h"

#include <math.h>

/* A row index that stands for "no row": gathering it yields a missing cell.
 * Outer joins use it for the side that has no match. */
#define TBL__NO_ROW SIZE_MAX

/* True when the cell holds no value: marked missing, or a categorical code
 * that points at no level (readers and casts mark both, but a table built by
 * hand may only have the code). NaN is a value here; callers that treat it
 * as missing say so. */
static inline bool tbl__cell_missing(const tbl_column *c, size_t row)
{
    if (c->missing != NULL && c->missing[row]) return true;
    if (c->type == TBL_CATEGORICAL)
        return c->v.codes[row] < 0 || (size_t)c->v.codes[row] >= c->levels.count;
    return false;
}

/* The bytes of a string or categorical cell (which must not be missing). */
static inline const char *tbl__cell_text(const tbl_column *c, size_t row, size_t *len)
{
    if (c->type == TBL_STRING) return tbl_strings_at(&c->str, row, len);
    return tbl_strings_at(&c->levels, (size_t)c->v.codes[row], len);
}

static inline bool tbl__is_text(tbl_type type)
{
    return type == TBL_STRING || type == TBL_CATEGORICAL;
}

static inline bool tbl__is_number(tbl_type type)
{
    return type == TBL_NUMERIC || type == TBL_INTEGER;
}

/* ---- rows.c ------------------------------------------------------------ */

/* ---- running on several threads (parts.c) ------------------------------ */

#define TBL__THREADS_MAX 8

/* How many threads a pass over rows x cols cells deserves: 1 below a
 * quarter million cells, else the number of CPUs (at most
 * TBL__THREADS_MAX). */
size_t tbl__thread_count(size_t rows, size_t cols);

typedef void (*tbl__part_fn)(void *ctx, size_t part, size_t nparts);

/* Runs fn(ctx, part, n) for every part 0..n-1 (n capped at
 * TBL__THREADS_MAX): part 0 on this thread, the others on threads of their
 * own. A part whose thread cannot be started runs on this thread
 * afterwards, so every part always runs. */
void tbl__run_parts(tbl__part_fn fn, void *ctx, size_t n);

/* dst = src's rows rows[0..n) in that order (TBL__NO_ROW gives a missing
 * cell). dst gets src's name, type and role; categoricals keep their
 * dictionary. Row indices must be in range (the caller checks). On failure
 * dst is zeroed and err says why. */
int tbl__gather_column(tbl_column *dst, const tbl_column *src, const size_t *rows, size_t n,
                       wf_error *err);

/* A new table of t's rows rows[0..n) (TBL__NO_ROW allowed), all columns. */
int tbl__gather_table(const tbl_table *t, const size_t *rows, size_t n, tbl_table **out,
                      wf_error *err);

/* Sorts idx[0..n) stably by cmp (negative, zero or positive, like strcmp).
 * A merge sort, because qsort is not stable and has no context argument in
 * C11. 0 or WF_ENOMEM (idx untouched). */
typedef int (*tbl__index_cmp)(const void *ctx, size_t a, size_t b);
int tbl__sort_indices(size_t *idx, size_t n, tbl__index_cmp cmp, const void *ctx);

/* Byte-wise comparison of two strings, shorter first on a common prefix. */
int tbl__compare_bytes(const char *a, size_t alen, const char *b, size_t blen);

/* ---- combine.c --------------------------------------------------------- */

/* A name for a column joining t that does not clash: `name` itself if free,
 * else "name (2)", "name (3)", ... as the Azure designer does. Returns a
 * malloc'd string, NULL on OOM. */
char *tbl__unique_name(const tbl_table *t, const char *name);

/* Appends column c to t under a name made unique by tbl__unique_name, taking
 * ownership as tbl_add_column does (on failure c is cleared). */
int tbl__add_column_renamed(tbl_table *t, tbl_column *c, size_t nrows, wf_error *err);

/* ---- group.c: keys for hashing and matching rows ------------------------ */

/* What makes two key cells comparable: numbers (numeric and integer compare
 * by value), booleans, datetimes, and text (strings and categoricals compare
 * by their bytes). */
typedef enum tbl__key_class {
    TBL__KEY_NUMBER,
    TBL__KEY_BOOLEAN,
    TBL__KEY_DATETIME,
    TBL__KEY_TEXT,
} tbl__key_class;

tbl__key_class tbl__key_class_of(tbl_type type);

/* True when the cell can never match in a join: missing, or a NaN. */
bool tbl__key_absent(const tbl_column *c, size_t row);

/* Mixes the cell into hash h. Cells that tbl__key_equal calls equal hash
 * alike, across columns of the same key class. `fold` folds ASCII case of
 * text. Missing cells and NaNs hash to fixed marks. */
uint64_t tbl__key_hash(const tbl_column *c, size_t row, bool fold, uint64_t h);

/* Whether two cells of the same key class hold the same key. A missing cell
 * equals only a missing cell, and NaN only NaN: group-by wants that, and
 * joins rule both out first with tbl__key_absent. */
bool tbl__key_equal(const tbl_column *a, size_t ra, const tbl_column *b, size_t rb, bool fold);

#endif
