/*
 * group.c: keys (hashing and matching cells, shared with joins), group-by
 * and distinct rows.
 *
 * Groups are found with one open-addressing hash table over the rows' key
 * hashes; a group is named by its first row, so numbering groups in
 * first-seen order costs nothing extra.
 */
#include "ops_int.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

/* ---- keys -------------------------------------------------------------- */

tbl__key_class tbl__key_class_of(tbl_type type)
{
    switch (type) {
    case TBL_NUMERIC:
    case TBL_INTEGER:
        return TBL__KEY_NUMBER;
    case TBL_BOOLEAN:
        return TBL__KEY_BOOLEAN;
    case TBL_DATETIME:
        return TBL__KEY_DATETIME;
    case TBL_STRING:
    case TBL_CATEGORICAL:
        break;
    }
    return TBL__KEY_TEXT;
}

bool tbl__key_absent(const tbl_column *c, size_t row)
{
    return tbl__cell_missing(c, row) || (c->type == TBL_NUMERIC && isnan(c->v.f64[row]));
}

/* Whether d is a whole number an int64 holds; if so *out is it. 2^63 itself
 * is a double but not an int64, hence the half-open range. */
static bool tbl__double_as_int64(double d, int64_t *out)
{
    if (!(d >= -9223372036854775808.0 && d < 9223372036854775808.0)) return false;
    if (d != (double)(int64_t)d) return false;
    *out = (int64_t)d;
    return true;
}

static uint64_t tbl__hash_u64(uint64_t v, uint64_t h)
{
    return tbl_hash_bytes(&v, sizeof v, h);
}

/* Case-insensitive text hashes its ASCII-lowercased bytes, folded a chunk at
 * a time so that long strings need no allocation. Chunks chain through the
 * seed, and equal folded strings make equal chunks, so they hash alike. */
static uint64_t tbl__hash_folded(const char *s, size_t len, uint64_t h)
{
    char chunk[256];
    size_t at = 0;
    do {
        size_t n = len - at < sizeof chunk ? len - at : sizeof chunk;
        for (size_t i = 0; i < n; i++)
            chunk[i] = (char)tolower((unsigned char)s[at + i]);
        h = tbl_hash_bytes(chunk, n, h);
        at += n;
    } while (at < len);
    return h;
}

/* Marks for cells with no ordinary value (arbitrary constants). */
#define TBL__HASH_MISSING 0x9e3779b97f4a7c15ull
#define TBL__HASH_NAN 0x7ff8dead7ff8beefull

uint64_t tbl__key_hash(const tbl_column *c, size_t row, bool fold, uint64_t h)
{
    if (tbl__cell_missing(c, row)) return tbl__hash_u64(TBL__HASH_MISSING, h);
    int64_t i;
    uint64_t bits;
    size_t len;
    const char *s;
    switch (c->type) {
    case TBL_NUMERIC:
        if (isnan(c->v.f64[row])) return tbl__hash_u64(TBL__HASH_NAN, h);
        /* Whole numbers hash as the integer they equal, so that an integer
         * key meets a numeric one; this also puts -0.0 with 0. */
        if (tbl__double_as_int64(c->v.f64[row], &i)) return tbl__hash_u64((uint64_t)i, h);
        memcpy(&bits, &c->v.f64[row], sizeof bits);
        return tbl__hash_u64(bits, h);
    case TBL_INTEGER:
    case TBL_DATETIME:
        return tbl__hash_u64((uint64_t)c->v.i64[row], h);
    case TBL_BOOLEAN:
        return tbl__hash_u64(c->v.b8[row] != 0, h);
    case TBL_STRING:
    case TBL_CATEGORICAL:
        s = tbl__cell_text(c, row, &len);
        return fold ? tbl__hash_folded(s, len, h) : tbl_hash_bytes(s, len, h);
    }
    return h;
}

static bool tbl__number_equal(const tbl_column *a, size_t ra, const tbl_column *b, size_t rb)
{
    if (a->type == TBL_INTEGER && b->type == TBL_INTEGER) return a->v.i64[ra] == b->v.i64[rb];
    if (a->type == TBL_NUMERIC && b->type == TBL_NUMERIC) {
        double x = a->v.f64[ra], y = b->v.f64[rb];
        return x == y || (isnan(x) && isnan(y));
    }
    /* Integer against numeric: compare exactly, not through a rounding
     * conversion of the integer. */
    double d = a->type == TBL_NUMERIC ? a->v.f64[ra] : b->v.f64[rb];
    int64_t want = a->type == TBL_INTEGER ? a->v.i64[ra] : b->v.i64[rb];
    int64_t got;
    return tbl__double_as_int64(d, &got) && got == want;
}

static bool tbl__text_equal(const char *a, const char *b, size_t len, bool fold)
{
    if (!fold) return len == 0 || memcmp(a, b, len) == 0;
    for (size_t i = 0; i < len; i++)
        if (tolower((unsigned char)a[i]) != tolower((unsigned char)b[i])) return false;
    return true;
}

bool tbl__key_equal(const tbl_column *a, size_t ra, const tbl_column *b, size_t rb, bool fold)
{
    bool ma = tbl__cell_missing(a, ra), mb = tbl__cell_missing(b, rb);
    if (ma || mb) return ma && mb;
    switch (tbl__key_class_of(a->type)) {
    case TBL__KEY_NUMBER:
        return tbl__number_equal(a, ra, b, rb);
    case TBL__KEY_BOOLEAN:
        return (a->v.b8[ra] != 0) == (b->v.b8[rb] != 0);
    case TBL__KEY_DATETIME:
        return a->v.i64[ra] == b->v.i64[rb];
    case TBL__KEY_TEXT:
        break;
    }
    size_t alen, blen;
    const char *as = tbl__cell_text(a, ra, &alen);
    const char *bs = tbl__cell_text(b, rb, &blen);
    return alen == blen && tbl__text_equal(as, bs, alen, fold);
}

/* ---- group-by ---------------------------------------------------------- */

static bool tbl__rows_equal(const tbl_table *t, const size_t *keys, size_t nkeys, size_t a,
                            size_t b)
{
    for (size_t k = 0; k < nkeys; k++)
        if (!tbl__key_equal(&t->cols[keys[k]], a, &t->cols[keys[k]], b, false)) return false;
    return true;
}

int tbl_group_by(const tbl_table *t, const size_t *keys, size_t nkeys, size_t **group_of,
                 size_t **first_row, size_t *ngroups, wf_error *err)
{
    *group_of = NULL;
    *first_row = NULL;
    *ngroups = 0;
    for (size_t k = 0; k < nkeys; k++)
        if (keys[k] >= t->ncols)
            return wf_error_set(err, WF_EINVAL,
                                "group key %zu: column index %zu is out of range: the table has "
                                "%zu columns",
                                k + 1, keys[k], t->ncols);
    size_t n = t->nrows;
    size_t nslots = 16;
    while (nslots < 2 * n)
        nslots *= 2;
    size_t *all = NULL;
    size_t *of = wf_mallocarray(n, sizeof *of);
    size_t *firsts = wf_mallocarray(n, sizeof *firsts);
    uint64_t *hashes = wf_mallocarray(n, sizeof *hashes);
    size_t *slots = wf_calloc(nslots, sizeof *slots); /* group + 1; 0 = empty */
    if (of == NULL || firsts == NULL || hashes == NULL || slots == NULL) goto oom;
    if (nkeys == 0) {
        /* No keys named: every column is a key, as distinct rows wants. */
        if ((all = wf_mallocarray(t->ncols, sizeof *all)) == NULL) goto oom;
        for (size_t j = 0; j < t->ncols; j++)
            all[j] = j;
        keys = all;
        nkeys = t->ncols;
    }
    size_t count = 0;
    for (size_t r = 0; r < n; r++) {
        uint64_t h = 0;
        for (size_t k = 0; k < nkeys; k++)
            h = tbl__key_hash(&t->cols[keys[k]], r, false, h);
        size_t i = h & (nslots - 1);
        for (;; i = (i + 1) & (nslots - 1)) {
            if (slots[i] == 0) {
                hashes[count] = h;
                firsts[count] = r;
                slots[i] = ++count;
                of[r] = count - 1;
                break;
            }
            size_t g = slots[i] - 1;
            if (hashes[g] == h && tbl__rows_equal(t, keys, nkeys, firsts[g], r)) {
                of[r] = g;
                break;
            }
        }
    }
    free(all);
    free(hashes);
    free(slots);
    *group_of = of;
    *first_row = firsts;
    *ngroups = count;
    return 0;
oom:
    free(all);
    free(of);
    free(firsts);
    free(hashes);
    free(slots);
    return wf_error_set(err, WF_ENOMEM, "out of memory grouping %zu rows", n);
}

int tbl_distinct(const tbl_table *t, const size_t *keys, size_t nkeys, tbl_table **out,
                 wf_error *err)
{
    *out = NULL;
    size_t *group_of, *first_row, ngroups;
    int rc = tbl_group_by(t, keys, nkeys, &group_of, &first_row, &ngroups, err);
    if (rc < 0) return rc;
    /* Groups are numbered as first seen, so their first rows ascend: the
     * kept rows stay in table order. */
    rc = tbl__gather_table(t, first_row, ngroups, out, err);
    free(group_of);
    free(first_row);
    return rc;
}
