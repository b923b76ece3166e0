/*
 * rows.c: row operations that keep every column: take, filter and the
 * stable multi-key sort. Each is "pick these source rows, in this order", so
 * they all end in one gather per column (also used by joins and distinct).
 */
#include "ops_int.h"

#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

/* ---- gathering rows ---------------------------------------------------- */

/* Marks cell i of dst missing, allocating the mask (zeroed, so every other
 * cell reads as present) the first time. False on OOM. */
static bool tbl__mark_missing(tbl_column *dst, size_t i, size_t n)
{
    if (dst->missing == NULL && (dst->missing = wf_calloc(n, 1)) == NULL) return false;
    dst->missing[i] = 1;
    return true;
}

/* The fixed-width gathers below copy one typed value per row, which the
 * compiler turns into a plain load and store; a memcpy call per cell of a
 * width known only at run time cost several times more. Missing cells get
 * a zero payload whatever the source held, so equal tables encode to equal
 * bytes. Each returns false on OOM. */
#define TBL__GATHER_FIXED(name, type)                                                              \
    static bool name(tbl_column *dst, const tbl_column *src, const size_t *rows, size_t n)         \
    {                                                                                              \
        type *to = (type *)dst->v.f64;                                                             \
        const type *from = (const type *)src->v.f64;                                               \
        const uint8_t *gone = src->missing;                                                        \
        for (size_t i = 0; i < n; i++) {                                                           \
            size_t r = rows[i];                                                                    \
            if (r == TBL__NO_ROW || (gone != NULL && gone[r])) {                                   \
                to[i] = 0;                                                                         \
                if (!tbl__mark_missing(dst, i, n)) return false;                                   \
                continue;                                                                          \
            }                                                                                      \
            to[i] = from[r];                                                                       \
        }                                                                                          \
        return true;                                                                               \
    }

TBL__GATHER_FIXED(tbl__gather_u64, uint64_t)
TBL__GATHER_FIXED(tbl__gather_u8, uint8_t)

/* Categorical codes: a code that points at no level is missing too (see
 * tbl__cell_missing), and missing cells get code -1. */
static bool tbl__gather_codes(tbl_column *dst, const tbl_column *src, const size_t *rows, size_t n)
{
    const uint8_t *gone = src->missing;
    int32_t levels = src->levels.count > INT32_MAX ? INT32_MAX : (int32_t)src->levels.count;
    for (size_t i = 0; i < n; i++) {
        size_t r = rows[i];
        int32_t code = r == TBL__NO_ROW || (gone != NULL && gone[r]) ? -1 : src->v.codes[r];
        if (code < 0 || code >= levels) {
            dst->v.codes[i] = -1;
            if (!tbl__mark_missing(dst, i, n)) return false;
            continue;
        }
        dst->v.codes[i] = code;
    }
    return true;
}

/* Strings in two passes: the total size first, so the bytes land in one
 * buffer of the right size instead of one that grows. Missing cells are "". */
static bool tbl__gather_strings(tbl_column *dst, const tbl_column *src, const size_t *rows,
                                size_t n)
{
    const int64_t *off = src->str.offsets;
    size_t total = 0;
    for (size_t i = 0; i < n; i++) {
        size_t r = rows[i];
        if (r == TBL__NO_ROW || (src->missing != NULL && src->missing[r])) {
            if (!tbl__mark_missing(dst, i, n)) return false;
            continue;
        }
        size_t len = (size_t)(off[r + 1] - off[r]);
        if (len > SIZE_MAX - 1 - total) return false; /* no buffer can hold it */
        total += len;
    }
    tbl_strings *s = &dst->str;
    s->offsets = wf_alloc_large(n + 1, sizeof *s->offsets);
    s->data = wf_alloc_large(total + 1, 1);
    if (s->offsets == NULL || s->data == NULL) return false;
    s->count = n;
    size_t at = 0;
    s->offsets[0] = 0;
    for (size_t i = 0; i < n; i++) {
        if (dst->missing == NULL || !dst->missing[i]) {
            size_t r = rows[i], len = (size_t)(off[r + 1] - off[r]);
            if (len > 0) memcpy(s->data + at, src->str.data + off[r], len);
            at += len;
        }
        s->offsets[i + 1] = (int64_t)at;
    }
    s->data[at] = '\0';
    return true;
}

int tbl__gather_column(tbl_column *dst, const tbl_column *src, const size_t *rows, size_t n,
                       wf_error *err)
{
    memset(dst, 0, sizeof *dst);
    dst->type = src->type;
    dst->role = src->role;
    dst->name = wf_strdup(src->name);
    if (dst->name == NULL) goto oom;
    if (src->type == TBL_STRING) {
        if (!tbl__gather_strings(dst, src, rows, n)) goto oom;
        return 0;
    }
    if (src->type == TBL_CATEGORICAL && tbl_strings_copy(&dst->levels, &src->levels) < 0) goto oom;
    /* Not zeroed: every cell is written below. */
    dst->v.f64 = wf_alloc_large(n, tbl_type_width(src->type));
    if (dst->v.f64 == NULL) goto oom;
    bool ok = false;
    switch (tbl_type_width(src->type)) {
    case 8:
        ok = tbl__gather_u64(dst, src, rows, n);
        break;
    case 4:
        ok = tbl__gather_codes(dst, src, rows, n);
        break;
    case 1:
        ok = tbl__gather_u8(dst, src, rows, n);
        break;
    }
    if (!ok) goto oom;
    return 0;
oom:
    tbl_column_clear(dst);
    return wf_error_set(err, WF_ENOMEM, "out of memory gathering column \"%s\"", src->name);
}

/* A table's gather on several threads: each takes the next source column
 * (columns differ in cost: strings are dearer, so a fixed share per thread
 * would leave one idle). */
typedef struct tbl__gather_ctx {
    const tbl_table *t;
    const size_t *rows;
    size_t n;
    tbl_column *cols; /* t->ncols */
    int *rc;          /* per column */
    wf_error *errs;   /* per column */
    atomic_size_t next;
} tbl__gather_ctx;

static void tbl__gather_part(void *vctx, size_t part, size_t nparts)
{
    (void)part;
    (void)nparts;
    tbl__gather_ctx *g = vctx;
    for (size_t c; (c = atomic_fetch_add(&g->next, 1)) < g->t->ncols;)
        g->rc[c] = tbl__gather_column(&g->cols[c], &g->t->cols[c], g->rows, g->n, &g->errs[c]);
}

int tbl__gather_table(const tbl_table *t, const size_t *rows, size_t n, tbl_table **out,
                      wf_error *err)
{
    size_t m = t->ncols;
    tbl__gather_ctx g = {.t = t, .rows = rows, .n = n};
    atomic_init(&g.next, 0);
    *out = tbl_new();
    int rc = 0;
    if (*out == NULL || (g.rc = wf_calloc(m + 1, sizeof *g.rc)) == NULL ||
        (g.errs = wf_calloc(m + 1, sizeof *g.errs)) == NULL ||
        (g.cols = wf_calloc(m + 1, sizeof *g.cols)) == NULL) {
        rc = wf_error_set(err, WF_ENOMEM, "out of memory");
        m = 0;
    } else {
        size_t parts = tbl__thread_count(n, m);
        tbl__run_parts(tbl__gather_part, &g, parts < m ? parts : m);
    }
    /* Columns join the table in order; the first failure reports, and
     * every gathered column is freed. */
    for (size_t c = 0; c < m; c++) {
        if (rc == 0 && g.rc[c] < 0) rc = wf_error_set(err, g.rc[c], "%s", g.errs[c].message);
        if (rc == 0) rc = tbl_add_column(*out, &g.cols[c], n, err);
        if (rc < 0) tbl_column_clear(&g.cols[c]);
    }
    if (*out != NULL) (*out)->nrows = n;
    free(g.cols);
    free(g.rc);
    free(g.errs);
    if (rc < 0) {
        tbl_free(*out);
        *out = NULL;
    }
    return rc;
}

int tbl_take(const tbl_table *t, const size_t *rows, size_t n, tbl_table **out, wf_error *err)
{
    *out = NULL;
    for (size_t i = 0; i < n; i++)
        if (rows[i] >= t->nrows)
            return wf_error_set(err, WF_EINVAL,
                                "take: row index %zu (position %zu) is out of range: the table "
                                "has %zu rows",
                                rows[i], i, t->nrows);
    return tbl__gather_table(t, rows, n, out, err);
}

int tbl_filter(const tbl_table *t, const bool *keep, tbl_table **out, wf_error *err)
{
    *out = NULL;
    size_t n = 0;
    for (size_t r = 0; r < t->nrows; r++)
        n += keep[r];
    size_t *rows = wf_mallocarray(n, sizeof *rows);
    if (rows == NULL) return wf_error_set(err, WF_ENOMEM, "out of memory filtering rows");
    n = 0;
    for (size_t r = 0; r < t->nrows; r++)
        if (keep[r]) rows[n++] = r;
    int rc = tbl__gather_table(t, rows, n, out, err);
    free(rows);
    return rc;
}

/* ---- sorting ----------------------------------------------------------- */

int tbl__compare_bytes(const char *a, size_t alen, const char *b, size_t blen)
{
    size_t n = alen < blen ? alen : blen;
    int c = n ? memcmp(a, b, n) : 0;
    if (c != 0) return c < 0 ? -1 : 1;
    return (alen > blen) - (alen < blen);
}

/* Runs this short are sorted by insertion before merging: fewer passes, and
 * insertion sort is stable too. */
#define TBL__RUN 16

int tbl__sort_indices(size_t *idx, size_t n, tbl__index_cmp cmp, const void *ctx)
{
    if (n < 2) return 0;
    size_t *tmp = wf_mallocarray(n, sizeof *tmp);
    if (tmp == NULL) return WF_ENOMEM;
    for (size_t lo = 0; lo < n; lo += TBL__RUN) {
        size_t hi = lo + TBL__RUN < n ? lo + TBL__RUN : n;
        for (size_t i = lo + 1; i < hi; i++) {
            size_t v = idx[i], j = i;
            for (; j > lo && cmp(ctx, idx[j - 1], v) > 0; j--)
                idx[j] = idx[j - 1];
            idx[j] = v;
        }
    }
    size_t *a = idx, *b = tmp;
    for (size_t width = TBL__RUN; width < n; width *= 2) {
        for (size_t lo = 0; lo < n; lo += 2 * width) {
            size_t mid = lo + width < n ? lo + width : n;
            size_t hi = lo + 2 * width < n ? lo + 2 * width : n;
            size_t i = lo, j = mid, k = lo;
            /* Taking from the left run on ties is what keeps it stable. */
            while (i < mid && j < hi)
                b[k++] = cmp(ctx, a[i], a[j]) <= 0 ? a[i++] : a[j++];
            while (i < mid)
                b[k++] = a[i++];
            while (j < hi)
                b[k++] = a[j++];
        }
        size_t *swap = a;
        a = b;
        b = swap;
    }
    if (a != idx) memcpy(idx, a, n * sizeof *idx);
    free(tmp);
    return 0;
}

typedef struct tbl__sort_ctx {
    const tbl_table *t;
    const tbl_sort_key *keys;
    size_t nkeys;
    int32_t **ranks; /* per key: the sorted position of each categorical level */
} tbl__sort_ctx;

static int tbl__cmp_level(const void *ctx, size_t a, size_t b)
{
    const tbl_strings *levels = ctx;
    size_t alen, blen;
    const char *as = tbl_strings_at(levels, a, &alen);
    const char *bs = tbl_strings_at(levels, b, &blen);
    return tbl__compare_bytes(as, alen, bs, blen);
}

/* Categorical cells sort by their level strings. Ranking the levels once
 * turns each comparison into an integer compare; equal strings (a
 * dictionary should not have them, but a hand-built one might) share a
 * rank. */
static int32_t *tbl__level_ranks(const tbl_strings *levels)
{
    size_t n = levels->count;
    size_t *order = wf_mallocarray(n, sizeof *order);
    int32_t *rank = wf_mallocarray(n, sizeof *rank);
    if (order == NULL || rank == NULL) goto fail;
    for (size_t i = 0; i < n; i++)
        order[i] = i;
    if (tbl__sort_indices(order, n, tbl__cmp_level, levels) < 0) goto fail;
    int32_t r = 0;
    for (size_t i = 0; i < n; i++) {
        if (i > 0 && tbl__cmp_level(levels, order[i - 1], order[i]) != 0) r = (int32_t)i;
        rank[order[i]] = r;
    }
    free(order);
    return rank;
fail:
    free(order);
    free(rank);
    return NULL;
}

static bool tbl__sorts_as_missing(const tbl_column *c, size_t row)
{
    if (tbl__cell_missing(c, row)) return true;
    return c->type == TBL_NUMERIC && isnan(c->v.f64[row]);
}

static int tbl__cmp_values(const tbl_column *c, const int32_t *rank, size_t a, size_t b)
{
    switch (c->type) {
    case TBL_NUMERIC: {
        double x = c->v.f64[a], y = c->v.f64[b];
        return (x > y) - (x < y);
    }
    case TBL_INTEGER:
    case TBL_DATETIME: {
        int64_t x = c->v.i64[a], y = c->v.i64[b];
        return (x > y) - (x < y);
    }
    case TBL_BOOLEAN:
        return (c->v.b8[a] != 0) - (c->v.b8[b] != 0);
    case TBL_CATEGORICAL: {
        int32_t x = rank[c->v.codes[a]], y = rank[c->v.codes[b]];
        return (x > y) - (x < y);
    }
    case TBL_STRING: {
        size_t alen, blen;
        const char *as = tbl_strings_at(&c->str, a, &alen);
        const char *bs = tbl_strings_at(&c->str, b, &blen);
        return tbl__compare_bytes(as, alen, bs, blen);
    }
    }
    return 0;
}

static int tbl__cmp_rows(const void *vctx, size_t a, size_t b)
{
    const tbl__sort_ctx *ctx = vctx;
    for (size_t k = 0; k < ctx->nkeys; k++) {
        const tbl_sort_key *key = &ctx->keys[k];
        const tbl_column *c = &ctx->t->cols[key->column];
        bool ma = tbl__sorts_as_missing(c, a), mb = tbl__sorts_as_missing(c, b);
        if (ma || mb) {
            if (ma && mb) continue;
            /* Where missing goes does not flip with the direction, as in
             * pandas' na_position. */
            int r = ma ? 1 : -1;
            return key->missing_first ? -r : r;
        }
        int r = tbl__cmp_values(c, ctx->ranks[k], a, b);
        if (r != 0) return key->descending ? -r : r;
    }
    return 0;
}

/* Missing values and NaNs sort together, after the values (before them
 * with missing_first), in either direction; ties keep table order. */
int tbl_sort_order(const tbl_table *t, const tbl_sort_key *keys, size_t nkeys, size_t **order,
                   wf_error *err)
{
    *order = NULL;
    for (size_t k = 0; k < nkeys; k++)
        if (keys[k].column >= t->ncols)
            return wf_error_set(err, WF_EINVAL,
                                "sort key %zu: column index %zu is out of range: the table has "
                                "%zu columns",
                                k + 1, keys[k].column, t->ncols);
    int rc = 0;
    size_t *idx = wf_mallocarray(t->nrows, sizeof *idx);
    int32_t **ranks = wf_calloc(nkeys, sizeof *ranks);
    if (idx == NULL || ranks == NULL) goto oom;
    for (size_t k = 0; k < nkeys; k++) {
        const tbl_column *c = &t->cols[keys[k].column];
        if (c->type == TBL_CATEGORICAL && (ranks[k] = tbl__level_ranks(&c->levels)) == NULL)
            goto oom;
    }
    for (size_t r = 0; r < t->nrows; r++)
        idx[r] = r;
    tbl__sort_ctx ctx = {t, keys, nkeys, ranks};
    if (tbl__sort_indices(idx, t->nrows, tbl__cmp_rows, &ctx) < 0) goto oom;
    *order = idx;
    idx = NULL;
    goto done;
oom:
    rc = wf_error_set(err, WF_ENOMEM, "out of memory sorting %zu rows", t->nrows);
done:
    if (ranks != NULL)
        for (size_t k = 0; k < nkeys; k++)
            free(ranks[k]);
    free(ranks);
    free(idx);
    return rc;
}

int tbl_sort(const tbl_table *t, const tbl_sort_key *keys, size_t nkeys, tbl_table **out,
             wf_error *err)
{
    *out = NULL;
    size_t *order;
    int rc = tbl_sort_order(t, keys, nkeys, &order, err);
    if (rc < 0) return rc;
    rc = tbl__gather_table(t, order, t->nrows, out, err);
    free(order);
    return rc;
}
