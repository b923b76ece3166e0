/*
 * join.c: the hash join behind Join Data. The right table is the build side:
 * its rows are chained by key in a hash table, keeping right row order within
 * a key. Left rows then probe in order, so the output keeps left row order
 * and, for each left row, right row order. A full outer join appends the
 * right rows that never matched at the end, in right order.
 *
 * The join first computes pairs (left row, right row), with TBL__NO_ROW for
 * the side that has none, and then gathers every output column from them.
 */
#include "ops_int.h"

#include <stdlib.h>
#include <string.h>

typedef struct tbl__join {
    const tbl_table *left, *right;
    const tbl_join_options *opt;
    /* the right rows, chained by key */
    size_t *slots; /* head row + 1; 0 = empty */
    size_t nslots;
    uint64_t *hashes; /* per right row */
    size_t *next;     /* next right row with the same key, or TBL__NO_ROW */
    size_t *tail;     /* per chain head: the chain's last row */
    /* the output pairs */
    size_t *lrows, *rrows;
    size_t npairs, lcap, rcap;
} tbl__join;

static bool tbl__fold(const tbl__join *j, size_t k)
{
    return !j->opt->case_sensitive &&
           tbl__key_class_of(j->left->cols[j->opt->left_keys[k]].type) == TBL__KEY_TEXT;
}

/* The key hash of a row of `side` (left or right), or false when one of its
 * keys is missing, which rules the row out of matching. */
static bool tbl__row_key(const tbl__join *j, const tbl_table *side, const size_t *keys, size_t row,
                         uint64_t *hash)
{
    uint64_t h = 0;
    for (size_t k = 0; k < j->opt->nkeys; k++) {
        const tbl_column *c = &side->cols[keys[k]];
        if (tbl__key_absent(c, row)) return false;
        h = tbl__key_hash(c, row, tbl__fold(j, k), h);
    }
    *hash = h;
    return true;
}

static bool tbl__keys_equal(const tbl__join *j, const tbl_table *a, const size_t *akeys, size_t ra,
                            size_t rb)
{
    for (size_t k = 0; k < j->opt->nkeys; k++) {
        const tbl_column *cb = &j->right->cols[j->opt->right_keys[k]];
        if (!tbl__key_equal(&a->cols[akeys[k]], ra, cb, rb, tbl__fold(j, k))) return false;
    }
    return true;
}

/* The head of the right chain whose key equals row `row` of table a (the
 * left table, or the right one while building), or TBL__NO_ROW; *slot is
 * where the probe stopped. */
static size_t tbl__find_chain(const tbl__join *j, const tbl_table *a, const size_t *akeys,
                              size_t row, uint64_t h, size_t *slot)
{
    size_t i = h & (j->nslots - 1);
    for (; j->slots[i] != 0; i = (i + 1) & (j->nslots - 1)) {
        size_t head = j->slots[i] - 1;
        if (j->hashes[head] == h && tbl__keys_equal(j, a, akeys, row, head)) {
            *slot = i;
            return head;
        }
    }
    *slot = i;
    return TBL__NO_ROW;
}

static int tbl__build(tbl__join *j)
{
    size_t n = j->right->nrows;
    j->nslots = 16;
    while (j->nslots < 2 * n)
        j->nslots *= 2;
    j->slots = wf_calloc(j->nslots, sizeof *j->slots);
    j->hashes = wf_mallocarray(n, sizeof *j->hashes);
    j->next = wf_mallocarray(n, sizeof *j->next);
    j->tail = wf_mallocarray(n, sizeof *j->tail);
    if (j->slots == NULL || j->hashes == NULL || j->next == NULL || j->tail == NULL)
        return WF_ENOMEM;
    const size_t *keys = j->opt->right_keys;
    for (size_t r = 0; r < n; r++) {
        uint64_t h;
        if (!tbl__row_key(j, j->right, keys, r, &h)) continue;
        j->hashes[r] = h;
        j->next[r] = TBL__NO_ROW;
        size_t slot;
        size_t head = tbl__find_chain(j, j->right, keys, r, h, &slot);
        if (head == TBL__NO_ROW) {
            j->slots[slot] = r + 1;
            j->tail[r] = r;
        } else {
            j->next[j->tail[head]] = r;
            j->tail[head] = r;
        }
    }
    return 0;
}

static int tbl__emit(tbl__join *j, size_t l, size_t r)
{
    if (wf_grow((void **)&j->lrows, &j->lcap, j->npairs + 1, sizeof *j->lrows) < 0 ||
        wf_grow((void **)&j->rrows, &j->rcap, j->npairs + 1, sizeof *j->rrows) < 0)
        return WF_ENOMEM;
    j->lrows[j->npairs] = l;
    j->rrows[j->npairs] = r;
    j->npairs++;
    return 0;
}

static int tbl__probe(tbl__join *j)
{
    tbl_join_kind kind = j->opt->kind;
    size_t nr = j->right->nrows;
    bool *matched = NULL;
    if (kind == TBL_JOIN_FULL_OUTER && (matched = wf_calloc(nr, sizeof *matched)) == NULL)
        return WF_ENOMEM;
    int rc = 0;
    for (size_t l = 0; l < j->left->nrows && rc == 0; l++) {
        uint64_t h;
        size_t slot, head = TBL__NO_ROW;
        if (tbl__row_key(j, j->left, j->opt->left_keys, l, &h))
            head = tbl__find_chain(j, j->left, j->opt->left_keys, l, h, &slot);
        if (kind == TBL_JOIN_LEFT_SEMI) {
            if (head != TBL__NO_ROW) rc = tbl__emit(j, l, TBL__NO_ROW);
            continue;
        }
        for (size_t r = head; r != TBL__NO_ROW && rc == 0; r = j->next[r]) {
            rc = tbl__emit(j, l, r);
            if (matched) matched[r] = true;
        }
        if (head == TBL__NO_ROW && kind != TBL_JOIN_INNER) rc = tbl__emit(j, l, TBL__NO_ROW);
    }
    for (size_t r = 0; matched != NULL && r < nr && rc == 0; r++)
        if (!matched[r]) rc = tbl__emit(j, TBL__NO_ROW, r);
    free(matched);
    return rc;
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

/* ---- output ------------------------------------------------------------ */

static int tbl__add_gathered(tbl_table *res, const tbl_column *src, const size_t *rows, size_t n,
                             const tbl_column *coalesce_from, const size_t *rrows, wf_error *err)
{
    tbl_column c;
    int rc = tbl__gather_column(&c, src, rows, n, err);
    if (rc < 0) return rc;
    if (coalesce_from != NULL && tbl__coalesce_key(&c, coalesce_from, rrows, n) < 0) {
        tbl_column_clear(&c);
        return wf_error_set(err, WF_ENOMEM, "out of memory joining on \"%s\"", src->name);
    }
    return tbl__add_column_renamed(res, &c, n, err);
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

static int tbl__assemble(const tbl__join *j, tbl_table **out, wf_error *err)
{
    tbl_table *res = tbl_new();
    if (res == NULL) return wf_error_set(err, WF_ENOMEM, "out of memory");
    res->nrows = j->npairs;
    int rc = 0;
    for (size_t c = 0; c < j->left->ncols && rc == 0; c++)
        rc = tbl__add_gathered(res, &j->left->cols[c], j->lrows, j->npairs,
                               tbl__coalesce_source(j, c), j->rrows, err);
    if (j->opt->kind != TBL_JOIN_LEFT_SEMI)
        for (size_t c = 0; c < j->right->ncols && rc == 0; c++)
            if (j->opt->keep_right_keys || !tbl__is_right_key(j, c))
                rc = tbl__add_gathered(res, &j->right->cols[c], j->rrows, j->npairs, NULL, NULL,
                                       err);
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
    if (tbl__build(&j) < 0 || tbl__probe(&j) < 0)
        rc = wf_error_set(err, WF_ENOMEM, "out of memory joining %zu rows with %zu rows",
                          left->nrows, right->nrows);
    else
        rc = tbl__assemble(&j, out, err);
    free(j.slots);
    free(j.hashes);
    free(j.next);
    free(j.tail);
    free(j.lrows);
    free(j.rrows);
    return rc;
}
