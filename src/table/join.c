/*
 * join.c: the hash join behind Join Data.
 *
 * 1. Grouping. The smaller table is the build side: its rows' keys go into
 *    an open-addressing hash table (linear probing), one entry per distinct
 *    key, numbered in first-seen order; those numbers are the groups. The
 *    other table's rows then look their keys up, so every row of both
 *    tables ends up with a group, or none when its key is absent (missing,
 *    or NaN) or, on the probe side, not in the table.
 * 2. Pairs. The right rows are laid out by group (a counting sort, which
 *    keeps right order within a group). A first pass over the left rows
 *    counts the output rows, so the pair arrays (left row, right row, with
 *    TBL__NO_ROW for the side that has none) are allocated once; a second
 *    fills them in left row order and, for each left row, right row order.
 *    A full outer join appends the right rows that never matched at the
 *    end, in right order.
 * 3. Output. Every output column is gathered from the pairs; when every
 *    left row comes out once and in order (an inner join on a unique right
 *    key, say), a left column of fixed width without a mask is copied whole.
 *
 * One key of the same fixed-width type on both sides (integer, datetime,
 * numeric or boolean; the common case) takes a faster path: the key's
 * 64-bit value is the hash table entry itself, so a lookup compares two
 * integers instead of hashing bytes and comparing cells.
 *
 * The lookups of the probe side and the gathering of output columns run on
 * several threads when there is enough work. Each thread writes only its
 * own rows or its own columns, so the result does not depend on how many
 * threads ran.
 */
#include "ops_int.h"

#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

/* An entry of the hash table: the group (plus one; 0 marks an empty slot)
 * and a tag, which is the key itself on the fixed-width path and the key's
 * hash otherwise (compared before the cells, which cost more). */
typedef struct tbl__slot {
    uint64_t tag;
    size_t group;
} tbl__slot;

typedef struct tbl__join {
    const tbl_table *left, *right;
    const tbl_join_options *opt;
    bool by_value; /* the fixed-width path (see the top of this file) */
    /* the build side's table and keys, and its hash table */
    const tbl_table *build;
    const size_t *build_keys;
    tbl__slot *slots;
    size_t mask;   /* the number of slots (a power of two) minus one */
    size_t *first; /* per group: its first build row */
    size_t ngroups;
    /* per row of each table: its group, or TBL__NO_ROW */
    size_t *left_group, *right_group;
    /* the right rows by group: group g's are by_group[start[g] .. start[g + 1]) */
    size_t *start, *by_group;
    /* the output pairs */
    size_t *lrows, *rrows;
    size_t npairs;
    bool left_in_order; /* lrows is 0, 1, ..., left->nrows - 1 */
} tbl__join;

/* ---- memory ------------------------------------------------------------ */


/* ---- keys -------------------------------------------------------------- */

static bool tbl__fold(const tbl__join *j, size_t k)
{
    return !j->opt->case_sensitive &&
           tbl__key_class_of(j->left->cols[j->opt->left_keys[k]].type) == TBL__KEY_TEXT;
}

/* The fixed-width path's key of a cell as 64 bits, or false when the cell
 * can match nothing (missing, or NaN). Two present cells of one column type
 * are equal exactly when these bits are: integers and datetimes are their
 * value, booleans 0 or 1, and numbers their IEEE bits with -0.0 taken as
 * 0.0 (the only two distinct bit patterns that compare equal, once NaN is
 * out). */
static inline bool tbl__value_key(const tbl_column *c, size_t row, uint64_t *key)
{
    if (c->missing != NULL && c->missing[row]) return false;
    switch (c->type) {
    case TBL_NUMERIC: {
        double x = c->v.f64[row];
        if (isnan(x)) return false;
        if (x == 0) x = 0;
        memcpy(key, &x, sizeof *key);
        return true;
    }
    case TBL_BOOLEAN:
        *key = c->v.b8[row] != 0;
        return true;
    default:
        *key = (uint64_t)c->v.i64[row];
        return true;
    }
}

/* Spreads a key over the table's low bits (the splitmix64 finaliser, Steele,
 * Lea and Flood, "Fast splittable pseudorandom number generators", OOPSLA
 * 2014), so that keys in a run or with equal low bits do not pile up. */
static inline uint64_t tbl__mix(uint64_t x)
{
    x ^= x >> 30;
    x *= 0xbf58476d1ce4e5b9ull;
    x ^= x >> 27;
    x *= 0x94d049bb133111ebull;
    return x ^ (x >> 31);
}

/* The key hash of a row of t (the left or right table), or false when one
 * of its keys is absent, which rules the row out of matching. */
static bool tbl__row_hash(const tbl__join *j, const tbl_table *t, const size_t *keys, size_t row,
                          uint64_t *hash)
{
    uint64_t h = 0;
    for (size_t k = 0; k < j->opt->nkeys; k++) {
        const tbl_column *c = &t->cols[keys[k]];
        if (tbl__key_absent(c, row)) return false;
        h = tbl__key_hash(c, row, tbl__fold(j, k), h);
    }
    *hash = h;
    return true;
}

/* Whether row `row` of t has the keys of group g (of its first build row). */
static bool tbl__row_in_group(const tbl__join *j, const tbl_table *t, const size_t *keys,
                              size_t row, size_t g)
{
    size_t b = j->first[g];
    for (size_t k = 0; k < j->opt->nkeys; k++) {
        const tbl_column *cb = &j->build->cols[j->build_keys[k]];
        if (!tbl__key_equal(&t->cols[keys[k]], row, cb, b, tbl__fold(j, k))) return false;
    }
    return true;
}

/* On the fixed-width path: the slot that holds `key`, or the empty one
 * where it would go, probing from slot i. */
static inline size_t tbl__value_slot(const tbl__join *j, uint64_t key, size_t i)
{
    while (j->slots[i].group != 0 && j->slots[i].tag != key)
        i = (i + 1) & j->mask;
    return i;
}

/* Looks up the keys of a row of t. Returns false when a key is absent.
 * Otherwise *slot is the slot that holds the row's key, or the empty one
 * where it would go, and *tag what that slot holds or would hold. */
static inline bool tbl__lookup(const tbl__join *j, const tbl_table *t, const size_t *keys,
                               size_t row, size_t *slot, uint64_t *tag)
{
    const tbl__slot *s = j->slots;
    uint64_t h;
    size_t i;
    if (j->by_value) {
        if (!tbl__value_key(&t->cols[keys[0]], row, &h)) return false;
        i = tbl__value_slot(j, h, tbl__mix(h) & j->mask);
    } else {
        if (!tbl__row_hash(j, t, keys, row, &h)) return false;
        for (i = h & j->mask; s[i].group != 0; i = (i + 1) & j->mask)
            if (s[i].tag == h && tbl__row_in_group(j, t, keys, row, s[i].group - 1)) break;
    }
    *slot = i;
    *tag = h;
    return true;
}

/* ---- 1. grouping ------------------------------------------------------- */

/* Fills the hash table from the build side, and *group (per build row). */
static int tbl__build(tbl__join *j, size_t **group)
{
    size_t n = j->build->nrows, nslots = 16;
    if (n > SIZE_MAX / 4 / sizeof *j->slots) return WF_ENOMEM;
    while (nslots < 2 * n)
        nslots *= 2;
    j->mask = nslots - 1;
    j->slots = wf_calloc(nslots, sizeof *j->slots);
    j->first = wf_mallocarray(n, sizeof *j->first);
    size_t *g = *group = wf_alloc_large(n, sizeof *g);
    if (j->slots == NULL || j->first == NULL || g == NULL) return WF_ENOMEM;
    for (size_t r = 0; r < n; r++) {
        size_t at;
        uint64_t tag;
        if (!tbl__lookup(j, j->build, j->build_keys, r, &at, &tag)) {
            g[r] = TBL__NO_ROW;
            continue;
        }
        if (j->slots[at].group == 0) {
            j->first[j->ngroups] = r;
            j->slots[at] = (tbl__slot){tag, ++j->ngroups};
        }
        g[r] = j->slots[at].group - 1;
    }
    return 0;
}

typedef struct tbl__probe_ctx {
    const tbl__join *j;
    const tbl_table *t;
    const size_t *keys;
    size_t *group;
} tbl__probe_ctx;

#define TBL__BATCH 16

/* The fixed-width path's lookups of rows lo..hi-1, a batch at a time: the
 * slots of the whole batch are prefetched before any is read, so their
 * cache misses overlap instead of following one another (group
 * prefetching: Chen, Ailamaki, Gibbons and Mowry, "Improving hash join
 * performance through prefetching", ICDE 2004). */
static void tbl__probe_values(const tbl__probe_ctx *ctx, size_t lo, size_t hi)
{
    const tbl__join *j = ctx->j;
    const tbl_column *c = &ctx->t->cols[ctx->keys[0]];
    for (size_t r0 = lo; r0 < hi; r0 += TBL__BATCH) {
        size_t m = hi - r0 < TBL__BATCH ? hi - r0 : TBL__BATCH;
        uint64_t key[TBL__BATCH];
        size_t at[TBL__BATCH];
        for (size_t k = 0; k < m; k++) {
            at[k] = TBL__NO_ROW;
            if (!tbl__value_key(c, r0 + k, &key[k])) continue;
            at[k] = tbl__mix(key[k]) & j->mask;
            __builtin_prefetch(&j->slots[at[k]]);
        }
        for (size_t k = 0; k < m; k++) {
            size_t g = TBL__NO_ROW;
            if (at[k] != TBL__NO_ROW) {
                const tbl__slot *slot = &j->slots[tbl__value_slot(j, key[k], at[k])];
                if (slot->group != 0) g = slot->group - 1;
            }
            ctx->group[r0 + k] = g;
        }
    }
}

/* Part `part` of the probe side's rows: each gets its key's group, or
 * TBL__NO_ROW. The hash table is only read here. */
static void tbl__probe_part(void *vctx, size_t part, size_t nparts)
{
    const tbl__probe_ctx *ctx = vctx;
    const tbl__slot *s = ctx->j->slots;
    size_t n = ctx->t->nrows, lo = n / nparts * part, hi = part + 1 == nparts ? n : lo + n / nparts;
    if (ctx->j->by_value) {
        tbl__probe_values(ctx, lo, hi);
        return;
    }
    for (size_t r = lo; r < hi; r++) {
        size_t at;
        uint64_t tag;
        bool found = tbl__lookup(ctx->j, ctx->t, ctx->keys, r, &at, &tag) && s[at].group != 0;
        ctx->group[r] = found ? s[at].group - 1 : TBL__NO_ROW;
    }
}

static int tbl__group_rows(tbl__join *j)
{
    const tbl_join_options *o = j->opt;
    const tbl_column *lk = &j->left->cols[o->left_keys[0]];
    j->by_value = o->nkeys == 1 && lk->type == j->right->cols[o->right_keys[0]].type &&
                  lk->type != TBL_STRING && lk->type != TBL_CATEGORICAL;
    /* The smaller table builds: a smaller hash table stays in cache. */
    bool build_left = j->left->nrows < j->right->nrows;
    j->build = build_left ? j->left : j->right;
    j->build_keys = build_left ? o->left_keys : o->right_keys;
    size_t **build_group = build_left ? &j->left_group : &j->right_group;
    size_t **probe_group = build_left ? &j->right_group : &j->left_group;
    int rc = tbl__build(j, build_group);
    if (rc < 0) return rc;
    tbl__probe_ctx ctx = {j, build_left ? j->right : j->left,
                          build_left ? o->right_keys : o->left_keys, NULL};
    ctx.group = *probe_group = wf_alloc_large(ctx.t->nrows, sizeof *ctx.group);
    if (ctx.group == NULL) return WF_ENOMEM;
    tbl__run_parts(tbl__probe_part, &ctx, tbl__thread_count(ctx.t->nrows, o->nkeys));
    return 0;
}

/* Lays out the right rows by group, in right order within each group (a
 * counting sort on the group). */
static int tbl__order_right(tbl__join *j)
{
    size_t n = j->right->nrows;
    j->start = wf_calloc(j->ngroups + 1, sizeof *j->start);
    j->by_group = wf_alloc_large(n, sizeof *j->by_group);
    if (j->start == NULL || j->by_group == NULL) return WF_ENOMEM;
    const size_t *g = j->right_group;
    for (size_t r = 0; r < n; r++)
        if (g[r] != TBL__NO_ROW) j->start[g[r] + 1]++;
    for (size_t i = 0; i < j->ngroups; i++)
        j->start[i + 1] += j->start[i];
    /* start[g] serves as group g's fill point, and ends as group g + 1's
     * start; shifting back restores it. */
    for (size_t r = 0; r < n; r++)
        if (g[r] != TBL__NO_ROW) j->by_group[j->start[g[r]]++] = r;
    for (size_t i = j->ngroups; i > 0; i--)
        j->start[i] = j->start[i - 1];
    j->start[0] = 0;
    return 0;
}

/* ---- 2. pairs ---------------------------------------------------------- */

/* How many right rows match left row l. */
static inline size_t tbl__matches(const tbl__join *j, size_t l)
{
    size_t g = j->left_group[l];
    return g == TBL__NO_ROW ? 0 : j->start[g + 1] - j->start[g];
}

/* Whether right row r matched no left row; matched[g] says whether group g
 * met a left row. */
static inline bool tbl__right_alone(const tbl__join *j, const bool *matched, size_t r)
{
    return j->right_group[r] == TBL__NO_ROW || !matched[j->right_group[r]];
}

/* The number of output rows (WF_ENOMEM when it overflows), and matched[]. */
static int tbl__count_pairs(const tbl__join *j, bool *matched, size_t *count)
{
    tbl_join_kind kind = j->opt->kind;
    size_t n = 0;
    for (size_t l = 0; l < j->left->nrows; l++) {
        size_t m = tbl__matches(j, l);
        if (m > 0) matched[j->left_group[l]] = true;
        if (kind == TBL_JOIN_LEFT_SEMI) m = m > 0;
        if (m == 0 && kind != TBL_JOIN_INNER && kind != TBL_JOIN_LEFT_SEMI) m = 1;
        if (m > SIZE_MAX - n) return WF_ENOMEM;
        n += m;
    }
    if (kind == TBL_JOIN_FULL_OUTER)
        for (size_t r = 0; r < j->right->nrows; r++)
            if (tbl__right_alone(j, matched, r)) {
                if (n == SIZE_MAX) return WF_ENOMEM;
                n++;
            }
    *count = n;
    return 0;
}

static inline void tbl__put(tbl__join *j, size_t *k, size_t l, size_t r)
{
    j->lrows[*k] = l;
    j->rrows[*k] = r;
    (*k)++;
}

static int tbl__make_pairs(tbl__join *j)
{
    tbl_join_kind kind = j->opt->kind;
    bool *matched = wf_calloc(j->ngroups, sizeof *matched);
    if (matched == NULL) return WF_ENOMEM;
    size_t n = 0;
    int rc = tbl__count_pairs(j, matched, &n);
    if (rc == 0) {
        j->lrows = wf_alloc_large(n, sizeof *j->lrows);
        j->rrows = wf_alloc_large(n, sizeof *j->rrows);
        if (j->lrows == NULL || j->rrows == NULL) rc = WF_ENOMEM;
    }
    if (rc < 0) {
        free(matched);
        return rc;
    }
    size_t k = 0;
    bool once = true; /* every left row so far gave exactly one output row */
    for (size_t l = 0; l < j->left->nrows; l++) {
        size_t m = tbl__matches(j, l), before = k;
        if (m == 0 || kind == TBL_JOIN_LEFT_SEMI) {
            bool keep = kind == TBL_JOIN_LEFT_SEMI ? m > 0 : kind != TBL_JOIN_INNER;
            if (keep) tbl__put(j, &k, l, TBL__NO_ROW);
        } else {
            const size_t *from = j->by_group + j->start[j->left_group[l]];
            for (size_t i = 0; i < m; i++)
                tbl__put(j, &k, l, from[i]);
        }
        once = once && k == before + 1;
    }
    if (kind == TBL_JOIN_FULL_OUTER)
        for (size_t r = 0; r < j->right->nrows; r++)
            if (tbl__right_alone(j, matched, r)) tbl__put(j, &k, TBL__NO_ROW, r);
    j->npairs = k;
    j->left_in_order = once && k == j->left->nrows;
    free(matched);
    return 0;
}

/* ---- coalescing keys of a full outer join ------------------------------ */

/* In a full outer join that drops the right keys, a right row that matched
 * nothing would lose its key; like pandas' merge, the left key column takes
 * the right key's value on those rows. dst holds the left key gathered by
 * lrows; rc is the right key column. */
static int tbl__coalesce_text(tbl_column *dst, const tbl_column *rc, const size_t *rrows, size_t n)
{
    if (dst->type == TBL_STRING) {
        tbl_strings_builder sb = {0};
        for (size_t i = 0; i < n; i++) {
            size_t len = 0;
            const char *s = "";
            if (!tbl__cell_missing(dst, i))
                s = tbl__cell_text(dst, i, &len);
            else if (rrows[i] != TBL__NO_ROW && !tbl__cell_missing(rc, rrows[i]))
                s = tbl__cell_text(rc, rrows[i], &len);
            tbl_strings_append(&sb, s, len);
        }
        tbl_strings_clear(&dst->str);
        return tbl_strings_finish(&sb, &dst->str);
    }
    /* Categorical: re-intern so right values that the left never had become
     * new levels after the left's own. */
    tbl_dict dict = {0};
    for (size_t i = 0; i < dst->levels.count; i++) {
        size_t len;
        const char *s = tbl_strings_at(&dst->levels, i, &len);
        tbl_dict_intern(&dict, s, len);
    }
    for (size_t i = 0; i < n; i++) {
        size_t len;
        if (!tbl__cell_missing(dst, i)) {
            const char *s = tbl__cell_text(dst, i, &len);
            dst->v.codes[i] = tbl_dict_intern(&dict, s, len);
        } else if (rrows[i] != TBL__NO_ROW && !tbl__cell_missing(rc, rrows[i])) {
            const char *s = tbl__cell_text(rc, rrows[i], &len);
            dst->v.codes[i] = tbl_dict_intern(&dict, s, len);
        }
    }
    tbl_strings_clear(&dst->levels);
    return tbl_dict_finish(&dict, &dst->levels);
}

static int tbl__coalesce_key(tbl_column *dst, const tbl_column *rc, const size_t *rrows, size_t n)
{
    if (dst->type == TBL_INTEGER && rc->type == TBL_NUMERIC) {
        /* The right side may hold fractions: widen the key to numeric,
         * whatever the rows hold, so the output schema follows from the
         * input schemas alone. */
        double *f = wf_mallocarray(n, sizeof *f);
        if (f == NULL) return WF_ENOMEM;
        for (size_t i = 0; i < n; i++)
            f[i] = (double)dst->v.i64[i];
        free(dst->v.i64);
        dst->v.f64 = f;
        dst->type = TBL_NUMERIC;
    }
    if (dst->missing == NULL) return 0;
    if (tbl__is_text(dst->type)) {
        int e = tbl__coalesce_text(dst, rc, rrows, n);
        if (e < 0) return e;
    }
    for (size_t i = 0; i < n; i++) {
        size_t r = rrows[i];
        if (!dst->missing[i] || r == TBL__NO_ROW || tbl__cell_missing(rc, r)) continue;
        dst->missing[i] = 0;
        switch (dst->type) {
        case TBL_NUMERIC:
            dst->v.f64[i] = rc->type == TBL_INTEGER ? (double)rc->v.i64[r] : rc->v.f64[r];
            break;
        case TBL_INTEGER:
        case TBL_DATETIME:
            dst->v.i64[i] = rc->v.i64[r];
            break;
        case TBL_BOOLEAN:
            dst->v.b8[i] = rc->v.b8[r];
            break;
        case TBL_STRING:
        case TBL_CATEGORICAL:
            break; /* done above */
        }
    }
    tbl_compact_missing(dst, n);
    return 0;
}

/* ---- 3. output --------------------------------------------------------- */

/* One output column: gathered from src by rows (lrows or rrows); a left key
 * of a full outer join also takes the keys of right-only rows from
 * coalesce_from. */
typedef struct tbl__out_col {
    const tbl_column *src;
    const size_t *rows;
    const tbl_column *coalesce_from;
    tbl_column col;
    int rc;
    wf_error err;
} tbl__out_col;

typedef struct tbl__gather_ctx {
    const tbl__join *j;
    tbl__out_col *cols;
    size_t ncols;
    atomic_size_t next; /* the next column to take */
} tbl__gather_ctx;

/* Whether gathering o would give a plain copy of its source column, which
 * one memcpy makes faster: the left rows come out once each and in order
 * (an inner join on a right key that is unique, say), and the column is of
 * a fixed width with no mask, so the gather would not rewrite any cell. */
static bool tbl__copies_whole(const tbl__join *j, const tbl__out_col *o)
{
    tbl_type t = o->src->type;
    return o->rows == j->lrows && j->left_in_order && o->src->missing == NULL &&
           t != TBL_CATEGORICAL && t != TBL_STRING;
}

/* The copy that tbl__copies_whole allows: n rows of src. */
static int tbl__copy_whole(tbl_column *dst, const tbl_column *src, size_t n, wf_error *err)
{
    memset(dst, 0, sizeof *dst);
    dst->type = src->type;
    dst->role = src->role;
    dst->name = wf_strdup(src->name);
    dst->v.f64 = wf_alloc_large(n, tbl_type_width(src->type));
    if (dst->name == NULL || dst->v.f64 == NULL) {
        tbl_column_clear(dst);
        return wf_error_set(err, WF_ENOMEM, "out of memory copying column \"%s\"", src->name);
    }
    if (n > 0) memcpy(dst->v.f64, src->v.f64, n * tbl_type_width(src->type));
    return 0;
}

/* Takes columns one at a time until none is left: columns differ in cost
 * (strings, scattered right rows), so a fixed share per thread would leave
 * one idle. */
static void tbl__gather_part(void *vctx, size_t part, size_t nparts)
{
    (void)part;
    (void)nparts;
    tbl__gather_ctx *ctx = vctx;
    size_t n = ctx->j->npairs;
    for (size_t c; (c = atomic_fetch_add(&ctx->next, 1)) < ctx->ncols;) {
        tbl__out_col *o = &ctx->cols[c];
        if (tbl__copies_whole(ctx->j, o))
            o->rc = tbl__copy_whole(&o->col, o->src, n, &o->err);
        else
            o->rc = tbl__gather_column(&o->col, o->src, o->rows, n, &o->err);
        if (o->rc == 0 && o->coalesce_from != NULL &&
            tbl__coalesce_key(&o->col, o->coalesce_from, ctx->j->rrows, n) < 0) {
            tbl_column_clear(&o->col);
            o->rc =
                wf_error_set(&o->err, WF_ENOMEM, "out of memory joining on \"%s\"", o->src->name);
        }
    }
}

static const tbl_column *tbl__coalesce_source(const tbl__join *j, size_t col)
{
    if (j->opt->kind != TBL_JOIN_FULL_OUTER || j->opt->keep_right_keys) return NULL;
    for (size_t k = 0; k < j->opt->nkeys; k++)
        if (j->opt->left_keys[k] == col) return &j->right->cols[j->opt->right_keys[k]];
    return NULL;
}

static bool tbl__is_right_key(const tbl__join *j, size_t col)
{
    for (size_t k = 0; k < j->opt->nkeys; k++)
        if (j->opt->right_keys[k] == col) return true;
    return false;
}

/* The output columns, in order: *cols (caller frees) and *ncols. */
static int tbl__plan_output(const tbl__join *j, tbl__out_col **cols, size_t *ncols)
{
    const tbl_table *l = j->left, *r = j->right;
    *cols = wf_calloc(l->ncols + r->ncols, sizeof **cols);
    if (*cols == NULL) return WF_ENOMEM;
    size_t n = 0;
    for (size_t c = 0; c < l->ncols; c++)
        (*cols)[n++] = (tbl__out_col){
            .src = &l->cols[c], .rows = j->lrows, .coalesce_from = tbl__coalesce_source(j, c)};
    if (j->opt->kind != TBL_JOIN_LEFT_SEMI)
        for (size_t c = 0; c < r->ncols; c++)
            if (j->opt->keep_right_keys || !tbl__is_right_key(j, c))
                (*cols)[n++] = (tbl__out_col){.src = &r->cols[c], .rows = j->rrows};
    *ncols = n;
    return 0;
}

static int tbl__assemble(const tbl__join *j, tbl_table **out, wf_error *err)
{
    tbl__gather_ctx ctx = {.j = j};
    atomic_init(&ctx.next, 0);
    tbl_table *res = tbl_new();
    if (res == NULL || tbl__plan_output(j, &ctx.cols, &ctx.ncols) < 0) {
        tbl_free(res);
        return wf_error_set(err, WF_ENOMEM, "out of memory");
    }
    res->nrows = j->npairs;
    size_t parts = tbl__thread_count(j->npairs, ctx.ncols);
    if (parts > ctx.ncols && ctx.ncols > 0) parts = ctx.ncols;
    tbl__run_parts(tbl__gather_part, &ctx, parts);
    /* Columns join the table in order, so renaming is as without threads;
     * the first failed column reports, and every column is freed. */
    int rc = 0;
    for (size_t c = 0; c < ctx.ncols; c++) {
        tbl__out_col *o = &ctx.cols[c];
        if (rc == 0 && o->rc < 0) rc = wf_error_set(err, o->rc, "%s", o->err.message);
        if (rc == 0)
            rc = tbl__add_column_renamed(res, &o->col, j->npairs, err);
        else
            tbl_column_clear(&o->col);
    }
    free(ctx.cols);
    if (rc < 0) {
        tbl_free(res);
        return rc;
    }
    *out = res;
    return 0;
}

static int tbl__check_keys(const tbl_table *left, const tbl_table *right,
                           const tbl_join_options *opt, wf_error *err)
{
    if (opt->nkeys == 0 || opt->left_keys == NULL || opt->right_keys == NULL)
        return wf_error_set(err, WF_EINVAL, "join: no key columns given");
    for (size_t k = 0; k < opt->nkeys; k++) {
        size_t l = opt->left_keys[k], r = opt->right_keys[k];
        if (l >= left->ncols)
            return wf_error_set(err, WF_EINVAL,
                                "join key %zu: left column index %zu is out of range: the "
                                "table has %zu columns",
                                k + 1, l, left->ncols);
        if (r >= right->ncols)
            return wf_error_set(err, WF_EINVAL,
                                "join key %zu: right column index %zu is out of range: the "
                                "table has %zu columns",
                                k + 1, r, right->ncols);
        const tbl_column *lc = &left->cols[l], *rc = &right->cols[r];
        if (tbl__key_class_of(lc->type) != tbl__key_class_of(rc->type))
            return wf_error_set(err, WF_ETYPE,
                                "join key %zu: left column \"%s\" is %s and right column "
                                "\"%s\" is %s; they cannot match",
                                k + 1, lc->name, tbl_type_name(lc->type), rc->name,
                                tbl_type_name(rc->type));
    }
    switch (opt->kind) {
    case TBL_JOIN_INNER:
    case TBL_JOIN_LEFT_OUTER:
    case TBL_JOIN_FULL_OUTER:
    case TBL_JOIN_LEFT_SEMI:
        return 0;
    }
    return wf_error_set(err, WF_EINVAL, "join: unknown join kind %d", (int)opt->kind);
}

/* Beyond table.h: in a full outer join without keep_right_keys, the left
 * key columns also carry the keys of unmatched right rows (an integer key
 * meeting a numeric one becomes numeric). NaN keys, like missing ones,
 * never match. Case-insensitive matching folds ASCII letters only. */
int tbl_join(const tbl_table *left, const tbl_table *right, const tbl_join_options *opt,
             tbl_table **out, wf_error *err)
{
    *out = NULL;
    int rc = tbl__check_keys(left, right, opt, err);
    if (rc < 0) return rc;
    tbl__join j = {.left = left, .right = right, .opt = opt};
    if (tbl__group_rows(&j) < 0 || tbl__order_right(&j) < 0 || tbl__make_pairs(&j) < 0)
        rc = wf_error_set(err, WF_ENOMEM, "out of memory joining %zu rows with %zu rows",
                          left->nrows, right->nrows);
    else
        rc = tbl__assemble(&j, out, err);
    free(j.slots);
    free(j.first);
    free(j.left_group);
    free(j.right_group);
    free(j.start);
    free(j.by_group);
    free(j.lrows);
    free(j.rrows);
    return rc;
}
