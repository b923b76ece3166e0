/*
 * test_join.c: the hash join: every join kind, several keys, case-insensitive
 * text keys, integer against numeric keys, missing keys, and output naming;
 * then every kind against a nested loop join (each key type, either side
 * the smaller) and, on tables large enough for threads, against pandas.
 */
#include "table/table.h"

#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "table_builders.h"

/* left:  id 1 2 3 4 NA, name a b c d e
 * right: id 2 3 3 5 NA, score 20 30 31 50 99 */
static void make_pair(tbl_table **left, tbl_table **right)
{
    const int64_t lid[] = {1, 2, 3, 4, 0};
    const bool lmiss[] = {false, false, false, false, true};
    const char *name[] = {"a", "b", "c", "d", "e"};
    const int64_t rid[] = {2, 3, 3, 5, 0};
    const bool rmiss[] = {false, false, false, false, true};
    const double score[] = {20, 30, 31, 50, 99};
    *left = tbl_new();
    *right = tbl_new();
    add_integer(*left, "id", TBL_INTEGER, lid, lmiss, 5);
    add_text(*left, "name", TBL_STRING, name, 5);
    add_integer(*right, "id", TBL_INTEGER, rid, rmiss, 5);
    add_numeric(*right, "score", score, NULL, 5);
}

static tbl_table *join(const tbl_table *l, const tbl_table *r, tbl_join_kind kind, const size_t *lk,
                       const size_t *rk, size_t nkeys, bool case_sensitive, bool keep_right_keys)
{
    tbl_join_options opt = {kind, lk, rk, nkeys, case_sensitive, keep_right_keys};
    tbl_table *out = NULL;
    wf_error err = {0};
    if (tbl_join(l, r, &opt, &out, &err) < 0) fail_msg("join: %s", err.message);
    return out;
}

static const size_t key0[] = {0};

static void join_inner_keeps_matching_pairs_in_left_then_right_order(void **state)
{
    (void)state;
    tbl_table *l, *r;
    make_pair(&l, &r);
    tbl_table *out = join(l, r, TBL_JOIN_INNER, key0, key0, 1, true, false);
    assert_int_equal(out->ncols, 3);
    assert_string_equal(column_text(out, "id"), "2,3,3");
    assert_string_equal(column_text(out, "name"), "b,c,c");
    assert_string_equal(column_text(out, "score"), "20,30,31");
    tbl_free(out);
    tbl_free(l);
    tbl_free(r);
}

static void join_left_outer_keeps_unmatched_left_rows_with_missing_right_values(void **state)
{
    (void)state;
    tbl_table *l, *r;
    make_pair(&l, &r);
    tbl_table *out = join(l, r, TBL_JOIN_LEFT_OUTER, key0, key0, 1, true, false);
    assert_string_equal(column_text(out, "name"), "a,b,c,c,d,e");
    assert_string_equal(column_text(out, "id"), "1,2,3,3,4,NA");
    /* The missing left key matches nothing, not even the missing right key. */
    assert_string_equal(column_text(out, "score"), "NA,20,30,31,NA,NA");
    tbl_free(out);
    tbl_free(l);
    tbl_free(r);
}

static void join_full_outer_appends_unmatched_right_rows_with_their_keys(void **state)
{
    (void)state;
    tbl_table *l, *r;
    make_pair(&l, &r);
    tbl_table *out = join(l, r, TBL_JOIN_FULL_OUTER, key0, key0, 1, true, false);
    assert_int_equal(out->nrows, 8);
    assert_string_equal(column_text(out, "name"), "a,b,c,c,d,e,NA,NA");
    assert_string_equal(column_text(out, "score"), "NA,20,30,31,NA,NA,50,99");
    /* Right-only rows carry the right key in the (only) key column. */
    assert_string_equal(column_text(out, "id"), "1,2,3,3,4,NA,5,NA");
    tbl_free(out);

    out = join(l, r, TBL_JOIN_FULL_OUTER, key0, key0, 1, true, true);
    assert_string_equal(column_text(out, "id"), "1,2,3,3,4,NA,NA,NA");
    assert_string_equal(column_text(out, "id (2)"), "NA,2,3,3,NA,NA,5,NA");
    tbl_free(out);
    tbl_free(l);
    tbl_free(r);
}

static void join_left_semi_keeps_each_matching_left_row_once(void **state)
{
    (void)state;
    tbl_table *l, *r;
    make_pair(&l, &r);
    tbl_table *out = join(l, r, TBL_JOIN_LEFT_SEMI, key0, key0, 1, true, true);
    assert_int_equal(out->ncols, 2);
    assert_string_equal(column_text(out, "id"), "2,3");
    assert_string_equal(column_text(out, "name"), "b,c");
    tbl_free(out);
    tbl_free(l);
    tbl_free(r);
}

static void join_keeps_right_keys_when_asked_and_renames_clashes(void **state)
{
    (void)state;
    tbl_table *l, *r;
    make_pair(&l, &r);
    tbl_table *out = join(l, r, TBL_JOIN_INNER, key0, key0, 1, true, true);
    assert_int_equal(out->ncols, 4);
    assert_string_equal(out->cols[2].name, "id (2)");
    assert_string_equal(column_text(out, "id (2)"), "2,3,3");
    assert_string_equal(out->cols[3].name, "score");
    tbl_free(out);
    tbl_free(l);
    tbl_free(r);
}

static void join_on_several_keys_needs_all_of_them_equal(void **state)
{
    (void)state;
    const char *lc[] = {"x", "x", "y", "y"};
    const int64_t ln[] = {1, 2, 1, 2};
    const char *rc[] = {"y", "x", "x"};
    const int64_t rn[] = {1, 2, 1};
    const double v[] = {10, 20, 30};
    tbl_table *l = tbl_new(), *r = tbl_new();
    add_text(l, "c", TBL_CATEGORICAL, lc, 4);
    add_integer(l, "n", TBL_INTEGER, ln, NULL, 4);
    add_integer(r, "n", TBL_INTEGER, rn, NULL, 3);
    add_text(r, "c", TBL_STRING, rc, 3);
    add_numeric(r, "v", v, NULL, 3);
    const size_t lk[] = {0, 1}, rk[] = {1, 0};
    tbl_table *out = join(l, r, TBL_JOIN_LEFT_OUTER, lk, rk, 2, true, false);
    assert_int_equal(out->ncols, 3);
    assert_string_equal(column_text(out, "v"), "30,20,10,NA");
    tbl_free(out);
    tbl_free(l);
    tbl_free(r);
}

static void join_text_keys_ignore_case_only_when_asked(void **state)
{
    (void)state;
    const char *lk[] = {"Apple", "pear", "PLUM"};
    const char *rk[] = {"apple", "Plum", "fig"};
    const int64_t v[] = {1, 2, 3};
    tbl_table *l = tbl_new(), *r = tbl_new();
    add_text(l, "fruit", TBL_STRING, lk, 3);
    add_text(r, "fruit", TBL_CATEGORICAL, rk, 3);
    add_integer(r, "v", TBL_INTEGER, v, NULL, 3);
    tbl_table *out = join(l, r, TBL_JOIN_LEFT_OUTER, key0, key0, 1, true, false);
    assert_string_equal(column_text(out, "v"), "NA,NA,NA");
    tbl_free(out);
    out = join(l, r, TBL_JOIN_LEFT_OUTER, key0, key0, 1, false, false);
    assert_string_equal(column_text(out, "v"), "1,NA,2");
    assert_string_equal(column_text(out, "fruit"), "Apple,pear,PLUM");
    tbl_free(out);
    /* Full outer: the unmatched "fig" joins the left's string key column. */
    out = join(l, r, TBL_JOIN_FULL_OUTER, key0, key0, 1, false, false);
    assert_string_equal(column_text(out, "fruit"), "Apple,pear,PLUM,fig");
    tbl_free(out);
    tbl_free(l);
    tbl_free(r);
}

static void join_compares_integer_and_numeric_keys_by_value(void **state)
{
    (void)state;
    const int64_t li[] = {2, 3, -1};
    const double rd[] = {2.0, 2.5, -1.0, NAN};
    const char *tag[] = {"two", "two and a half", "minus one", "nan"};
    tbl_table *l = tbl_new(), *r = tbl_new();
    add_integer(l, "k", TBL_INTEGER, li, NULL, 3);
    add_numeric(r, "k", rd, NULL, 4);
    add_text(r, "tag", TBL_STRING, tag, 4);
    tbl_table *out = join(l, r, TBL_JOIN_LEFT_OUTER, key0, key0, 1, true, false);
    assert_string_equal(column_text(out, "tag"), "two,NA,minus one");
    tbl_free(out);
    /* Full outer widens the integer key so the right's 2.5 fits; NaN never
     * matches, not even itself. */
    out = join(l, r, TBL_JOIN_FULL_OUTER, key0, key0, 1, true, false);
    assert_int_equal(out->cols[0].type, TBL_NUMERIC);
    assert_string_equal(column_text(out, "k"), "2,3,-1,2.5,NaN");
    tbl_free(out);
    out = join(r, r, TBL_JOIN_INNER, key0, key0, 1, true, false);
    assert_string_equal(column_text(out, "tag"), "two,two and a half,minus one");
    tbl_free(out);
    tbl_free(l);
    tbl_free(r);
}

static void join_full_outer_key_type_follows_the_schemas_not_the_rows(void **state)
{
    (void)state;
    /* Every key matches, so no right value lands in the left key; the key
     * still widens, because an output schema must not depend on data. */
    const int64_t li[] = {1, 2};
    const double rd[] = {2, 1};
    tbl_table *l = tbl_new(), *r = tbl_new();
    add_integer(l, "k", TBL_INTEGER, li, NULL, 2);
    add_numeric(r, "k", rd, NULL, 2);
    add_numeric(r, "v", rd, NULL, 2);
    tbl_table *out = join(l, r, TBL_JOIN_FULL_OUTER, key0, key0, 1, true, false);
    assert_int_equal(out->cols[0].type, TBL_NUMERIC);
    assert_string_equal(column_text(out, "k"), "1,2");
    assert_string_equal(column_text(out, "v"), "1,2");
    tbl_free(out);
    tbl_free(l);
    tbl_free(r);
}

static void join_full_outer_adds_new_levels_to_a_categorical_key(void **state)
{
    (void)state;
    const char *lk[] = {"a", "b"};
    const char *rk[] = {"c", "a"};
    const int64_t v[] = {1, 2};
    tbl_table *l = tbl_new(), *r = tbl_new();
    add_text(l, "k", TBL_CATEGORICAL, lk, 2);
    add_text(r, "k", TBL_CATEGORICAL, rk, 2);
    add_integer(r, "v", TBL_INTEGER, v, NULL, 2);
    tbl_table *out = join(l, r, TBL_JOIN_FULL_OUTER, key0, key0, 1, true, false);
    assert_string_equal(column_text(out, "k"), "a,b,c");
    assert_string_equal(column_text(out, "v"), "2,NA,1");
    assert_int_equal(out->cols[0].levels.count, 3);
    tbl_free(out);
    tbl_free(l);
    tbl_free(r);
}

static void join_of_many_rows_matches_every_pair(void **state)
{
    (void)state;
    /* Enough rows to grow the hash table well past its first size. */
    enum { N = 3000 };
    int64_t lk[N], rk[N];
    for (int i = 0; i < N; i++) {
        lk[i] = i;
        rk[i] = (N - 1 - i) / 2 * 2; /* even keys, each twice */
    }
    tbl_table *l = tbl_new(), *r = tbl_new();
    add_integer(l, "k", TBL_INTEGER, lk, NULL, N);
    add_integer(r, "k", TBL_INTEGER, rk, NULL, N);
    add_integer(r, "row", TBL_INTEGER, lk, NULL, N);
    tbl_table *out = join(l, r, TBL_JOIN_INNER, key0, key0, 1, true, false);
    assert_int_equal(out->nrows, N); /* N/2 even keys, two right rows each */
    for (size_t i = 0; i < out->nrows; i++) {
        int64_t k = out->cols[0].v.i64[i], row = out->cols[1].v.i64[i];
        assert_int_equal(k % 2, 0);
        assert_int_equal(rk[row], k);
        if (i % 2 == 1) assert_true(out->cols[1].v.i64[i - 1] < row); /* right order */
    }
    tbl_free(out);
    tbl_free(l);
    tbl_free(r);
}

static void join_rejects_keys_that_cannot_match(void **state)
{
    (void)state;
    tbl_table *l, *r;
    make_pair(&l, &r);
    const size_t lk[] = {1}, bad[] = {9};
    tbl_join_options opt = {TBL_JOIN_INNER, lk, key0, 1, true, false};
    tbl_table *out = NULL;
    wf_error err = {0};
    assert_int_equal(tbl_join(l, r, &opt, &out, &err), WF_ETYPE);
    assert_null(out);
    assert_non_null(strstr(err.message, "\"name\" is string"));
    assert_non_null(strstr(err.message, "\"id\" is integer"));
    wf_error_clear(&err);
    opt.left_keys = bad;
    assert_int_equal(tbl_join(l, r, &opt, &out, &err), WF_EINVAL);
    assert_non_null(strstr(err.message, "index 9"));
    wf_error_clear(&err);
    opt.nkeys = 0;
    assert_int_equal(tbl_join(l, r, &opt, &out, &err), WF_EINVAL);
    tbl_free(l);
    tbl_free(r);
}

static void join_with_an_empty_side_gives_the_outer_rows(void **state)
{
    (void)state;
    tbl_table *l, *r;
    make_pair(&l, &r);
    tbl_table *empty = NULL;
    assert_int_equal(tbl_take(r, NULL, 0, &empty, NULL), 0);
    tbl_table *out = join(l, empty, TBL_JOIN_LEFT_OUTER, key0, key0, 1, true, false);
    assert_int_equal(out->nrows, 5);
    assert_string_equal(column_text(out, "score"), "NA,NA,NA,NA,NA");
    tbl_free(out);
    out = join(empty, l, TBL_JOIN_FULL_OUTER, key0, key0, 1, true, false);
    assert_string_equal(column_text(out, "id"), "1,2,3,4,NA");
    assert_string_equal(column_text(out, "name"), "a,b,c,d,e");
    tbl_free(out);
    tbl_free(empty);
    tbl_free(l);
    tbl_free(r);
}

/* ---- against independent joins ------------------------------------------ */

/* Generated keys: values in [0, range) and which are absent (missing, or
 * NaN in a numeric column). */
typedef struct key_data {
    int64_t *v;
    bool *absent;
    size_t n;
} key_data;

static key_data make_keys(wf_rng *rng, size_t n, int64_t range, unsigned absent_percent)
{
    key_data k = {calloc(n + 1, sizeof *k.v), calloc(n + 1, sizeof *k.absent), n};
    assert_non_null(k.v);
    assert_non_null(k.absent);
    for (size_t i = 0; i < n; i++) {
        k.v[i] = (int64_t)wf_rng_below(rng, (uint64_t)range);
        k.absent[i] = wf_rng_below(rng, 100) < absent_percent;
    }
    return k;
}

static void free_keys(key_data *k)
{
    free(k->v);
    free(k->absent);
}

/* Adds key column `name` of `type` holding k. Absent numeric keys are NaN
 * on even rows and missing on odd ones, and a numeric zero is -0.0 on odd
 * rows (it must still equal 0). */
static void add_key(tbl_table *t, const char *name, tbl_type type, const key_data *k)
{
    size_t n = k->n;
    if (type == TBL_STRING || type == TBL_CATEGORICAL) {
        char **text = calloc(n + 1, sizeof *text);
        assert_non_null(text);
        for (size_t i = 0; i < n; i++) {
            if (k->absent[i]) continue;
            text[i] = malloc(32);
            assert_non_null(text[i]);
            snprintf(text[i], 32, "key %lld", (long long)k->v[i]);
        }
        add_text(t, name, type, (const char *const *)text, n);
        for (size_t i = 0; i < n; i++)
            free(text[i]);
        free(text);
        return;
    }
    tbl_column c;
    assert_int_equal(tbl_column_init(&c, name, type, n, NULL), 0);
    for (size_t i = 0; i < n; i++) {
        if (type == TBL_NUMERIC) {
            c.v.f64[i] = k->v[i] == 0 && i % 2 ? -0.0 : (double)k->v[i];
            if (k->absent[i] && i % 2 == 0) c.v.f64[i] = NAN;
        } else if (type == TBL_BOOLEAN) {
            c.v.b8[i] = (uint8_t)(k->v[i] != 0);
        } else {
            c.v.i64[i] = k->v[i];
        }
        if (k->absent[i] && !(type == TBL_NUMERIC && i % 2 == 0))
            assert_int_equal(tbl_set_missing(&c, i, n), 0);
    }
    assert_int_equal(tbl_add_column(t, &c, n, NULL), 0);
}

/* A table of n rows: keys "k" (and "k2" when k2 is given) and "lrow" or
 * "rrow" (its row numbers, named by `rows`). */
static tbl_table *key_table(const key_data *k, tbl_type type, const key_data *k2, tbl_type type2,
                            const char *rows)
{
    tbl_table *t = tbl_new();
    assert_non_null(t);
    add_key(t, "k", type, k);
    if (k2 != NULL) add_key(t, "k2", type2, k2);
    int64_t *ids = calloc(k->n + 1, sizeof *ids);
    assert_non_null(ids);
    for (size_t i = 0; i < k->n; i++)
        ids[i] = (int64_t)i;
    add_integer(t, rows, TBL_INTEGER, ids, NULL, k->n);
    free(ids);
    return t;
}

static bool keys_match(const key_data *a, size_t i, const key_data *b, size_t j)
{
    return !a->absent[i] && !b->absent[j] && a->v[i] == b->v[j];
}

static bool rows_match(const key_data *l, const key_data *l2, size_t i, const key_data *r,
                       const key_data *r2, size_t j)
{
    return keys_match(l, i, r, j) && (l2 == NULL || keys_match(l2, i, r2, j));
}

/* The (left row, right row) pairs of a join by nested loops, in the order
 * table.h promises; -1 for no row. Returns the count; *pairs is malloc'd. */
static size_t nested_loop_join(tbl_join_kind kind, const key_data *l, const key_data *l2,
                               const key_data *r, const key_data *r2, int64_t (**pairs)[2])
{
    size_t cap = l->n * (r->n + 1) + r->n + 1, n = 0;
    int64_t(*p)[2] = calloc(cap, sizeof *p);
    bool *matched = calloc(r->n + 1, 1);
    assert_non_null(p);
    assert_non_null(matched);
    for (size_t i = 0; i < l->n; i++) {
        size_t found = 0;
        for (size_t j = 0; j < r->n; j++) {
            if (!rows_match(l, l2, i, r, r2, j)) continue;
            matched[j] = true;
            if (kind == TBL_JOIN_LEFT_SEMI && found > 0) continue;
            p[n][0] = (int64_t)i;
            p[n++][1] = kind == TBL_JOIN_LEFT_SEMI ? -1 : (int64_t)j;
            found++;
        }
        if (found == 0 && (kind == TBL_JOIN_LEFT_OUTER || kind == TBL_JOIN_FULL_OUTER)) {
            p[n][0] = (int64_t)i;
            p[n++][1] = -1;
        }
    }
    for (size_t j = 0; kind == TBL_JOIN_FULL_OUTER && j < r->n; j++) {
        if (matched[j]) continue;
        p[n][0] = -1;
        p[n++][1] = (int64_t)j;
    }
    free(matched);
    *pairs = p;
    return n;
}

/* Cell row of integer column `name`, or -1 where missing or absent. */
static int64_t row_id(const tbl_table *t, const char *name, size_t row)
{
    int c = tbl_find_column(t, name);
    if (c < 0) return -1;
    return tbl_is_missing(&t->cols[c], row) ? -1 : t->cols[c].v.i64[row];
}

/* Joins tables built from the keys by every kind, and checks the output
 * rows against the nested loop join. */
static void check_against_nested_loops(const key_data *l, const key_data *l2, tbl_type lt,
                                       const key_data *r, const key_data *r2, tbl_type rt,
                                       tbl_type type2, bool case_sensitive)
{
    static const tbl_join_kind kinds[] = {TBL_JOIN_INNER, TBL_JOIN_LEFT_OUTER, TBL_JOIN_FULL_OUTER,
                                          TBL_JOIN_LEFT_SEMI};
    tbl_table *left = key_table(l, lt, l2, type2, "lrow");
    tbl_table *right = key_table(r, rt, r2, type2, "rrow");
    const size_t keys[] = {0, 1};
    for (size_t k = 0; k < sizeof kinds / sizeof *kinds; k++) {
        int64_t(*want)[2];
        size_t n = nested_loop_join(kinds[k], l, l2, r, r2, &want);
        tbl_table *out = join(left, right, kinds[k], keys, keys, l2 ? 2 : 1, case_sensitive, false);
        if (out->nrows != n)
            fail_msg("kind %d, %s keys of %zu and %zu rows: %zu rows, want %zu", (int)kinds[k],
                     tbl_type_name(lt), l->n, r->n, out->nrows, n);
        for (size_t i = 0; i < n; i++) {
            int64_t lrow = row_id(out, "lrow", i), rrow = row_id(out, "rrow", i);
            if (lrow != want[i][0] || rrow != want[i][1])
                fail_msg("kind %d, %s keys, output row %zu: (%lld, %lld), want (%lld, %lld)",
                         (int)kinds[k], tbl_type_name(lt), i, (long long)lrow, (long long)rrow,
                         (long long)want[i][0], (long long)want[i][1]);
        }
        tbl_free(out);
        free(want);
    }
    tbl_free(left);
    tbl_free(right);
}

static void join_on_one_fixed_width_key_matches_nested_loops(void **state)
{
    (void)state;
    static const tbl_type types[] = {TBL_INTEGER, TBL_DATETIME, TBL_NUMERIC, TBL_BOOLEAN};
    /* Sizes: empty sides, a side of one row, and a smaller table on either
     * side (whichever is smaller builds the hash table). */
    static const size_t sizes[][2] = {{0, 0}, {0, 7}, {7, 0}, {1, 1}, {40, 300}, {300, 40}};
    wf_rng rng = {.state = 11};
    for (size_t t = 0; t < sizeof types / sizeof *types; t++) {
        for (size_t s = 0; s < sizeof sizes / sizeof *sizes; s++) {
            /* Few distinct keys, so both sides repeat them; some right
             * keys are not on the left. Booleans have only two. */
            bool boolean = types[t] == TBL_BOOLEAN;
            key_data l = make_keys(&rng, sizes[s][0], boolean ? 2 : 25, 15);
            key_data r = make_keys(&rng, sizes[s][1], boolean ? 2 : 35, 15);
            check_against_nested_loops(&l, NULL, types[t], &r, NULL, types[t], types[t], true);
            free_keys(&l);
            free_keys(&r);
        }
    }
}

static void join_on_text_mixed_and_several_keys_matches_nested_loops(void **state)
{
    (void)state;
    wf_rng rng = {.state = 12};
    static const size_t sizes[][2] = {{0, 5}, {5, 0}, {60, 250}, {250, 60}};
    for (size_t s = 0; s < sizeof sizes / sizeof *sizes; s++) {
        key_data l = make_keys(&rng, sizes[s][0], 20, 10);
        key_data r = make_keys(&rng, sizes[s][1], 30, 10);
        key_data l2 = make_keys(&rng, sizes[s][0], 2, 10); /* 2: it is boolean once */
        key_data r2 = make_keys(&rng, sizes[s][1], 2, 10);
        check_against_nested_loops(&l, NULL, TBL_STRING, &r, NULL, TBL_CATEGORICAL, TBL_STRING,
                                   true);
        check_against_nested_loops(&l, NULL, TBL_CATEGORICAL, &r, NULL, TBL_STRING, TBL_STRING,
                                   false);
        /* Integer against numeric: equal values match across the types. */
        check_against_nested_loops(&l, NULL, TBL_INTEGER, &r, NULL, TBL_NUMERIC, TBL_STRING, true);
        check_against_nested_loops(&l, &l2, TBL_INTEGER, &r, &r2, TBL_INTEGER, TBL_STRING, true);
        check_against_nested_loops(&l, &l2, TBL_NUMERIC, &r, &r2, TBL_NUMERIC, TBL_BOOLEAN, true);
        free_keys(&l);
        free_keys(&r);
        free_keys(&l2);
        free_keys(&r2);
    }
}

static void join_never_matches_nan_or_missing_integer_keys(void **state)
{
    (void)state;
    /* left:  k 0, -0.0, NaN, 1, NA      right: k NaN, 0, NA, 1, 1 */
    const double lk[] = {0, -0.0, NAN, 1, 5}, rk[] = {NAN, 0, 5, 1, 1};
    const bool lmiss[] = {false, false, false, false, true},
               rmiss[] = {false, false, true, false, false};
    const int64_t ids[] = {0, 1, 2, 3, 4};
    tbl_table *l = tbl_new(), *r = tbl_new();
    add_numeric(l, "k", lk, lmiss, 5);
    add_integer(l, "lrow", TBL_INTEGER, ids, NULL, 5);
    add_numeric(r, "k", rk, rmiss, 5);
    add_integer(r, "rrow", TBL_INTEGER, ids, NULL, 5);
    tbl_table *out = join(l, r, TBL_JOIN_FULL_OUTER, key0, key0, 1, true, true);
    assert_string_equal(column_text(out, "lrow"), "0,1,2,3,3,4,NA,NA");
    assert_string_equal(column_text(out, "rrow"), "1,1,NA,3,4,NA,0,2");
    tbl_free(out);
    tbl_free(l);
    tbl_free(r);

    /* The same with integer keys: a missing key on each side, never met. */
    const int64_t li[] = {7, 0, 7}, ri[] = {0, 7, 0};
    const bool limiss[] = {false, true, false}, rimiss[] = {true, false, true};
    l = tbl_new();
    r = tbl_new();
    add_integer(l, "k", TBL_INTEGER, li, limiss, 3);
    add_integer(l, "lrow", TBL_INTEGER, ids, NULL, 3);
    add_integer(r, "k", TBL_INTEGER, ri, rimiss, 3);
    add_integer(r, "rrow", TBL_INTEGER, ids, NULL, 3);
    out = join(l, r, TBL_JOIN_FULL_OUTER, key0, key0, 1, true, false);
    assert_string_equal(column_text(out, "lrow"), "0,1,2,NA,NA");
    assert_string_equal(column_text(out, "rrow"), "1,NA,1,0,2");
    assert_string_equal(column_text(out, "k"), "7,NA,7,NA,NA");
    tbl_free(out);
    tbl_free(l);
    tbl_free(r);
}

static void join_gathers_every_column_type_and_missing_cells(void **state)
{
    (void)state;
    /* Right rows of every type, with missing cells, gathered through a
     * left outer join that skips, misses and reorders right rows. */
    const int64_t lk[] = {2, 9, 1, 0}, rk[] = {0, 1, 2};
    const int64_t when[] = {86400000000, 0, 1000000}, flag[] = {1, 0, 1};
    const double x[] = {1.5, -2, 0};
    const bool xmiss[] = {false, true, false};
    const char *name[] = {"zero", NULL, "two"};
    tbl_table *l = tbl_new(), *r = tbl_new();
    add_integer(l, "k", TBL_INTEGER, lk, NULL, 4);
    add_integer(r, "k", TBL_INTEGER, rk, NULL, 3);
    add_numeric(r, "x", x, xmiss, 3);
    add_integer(r, "when", TBL_DATETIME, when, NULL, 3);
    add_integer(r, "flag", TBL_BOOLEAN, flag, NULL, 3);
    add_text(r, "name", TBL_STRING, name, 3);
    add_text(r, "level", TBL_CATEGORICAL, name, 3);
    tbl_table *out = join(l, r, TBL_JOIN_LEFT_OUTER, key0, key0, 1, true, false);
    assert_string_equal(column_text(out, "x"), "0,NA,NA,1.5");
    assert_string_equal(column_text(out, "when"), "1970-01-01T00:00:01Z,NA,1970-01-01,1970-01-02");
    assert_string_equal(column_text(out, "flag"), "true,NA,false,true");
    assert_string_equal(column_text(out, "name"), "two,NA,NA,zero");
    assert_string_equal(column_text(out, "level"), "two,NA,NA,zero");
    /* Missing cells, with no right row (1) or a missing right cell (2),
     * hold zero payloads, code -1 and empty strings. */
    const tbl_column *xc = &out->cols[tbl_find_column(out, "x")];
    const tbl_column *level = &out->cols[tbl_find_column(out, "level")];
    const tbl_column *nc = &out->cols[tbl_find_column(out, "name")];
    for (size_t row = 1; row <= 2; row++) {
        size_t len;
        assert_true(xc->v.f64[row] == 0);
        assert_int_equal(level->v.codes[row], -1);
        tbl_strings_at(&nc->str, row, &len);
        assert_int_equal(len, 0);
    }
    tbl_free(out);
    tbl_free(l);
    tbl_free(r);
}

static void join_keeps_left_columns_whole_when_each_left_row_matches_once(void **state)
{
    (void)state;
    /* Every left row meets one right row, in left order: the left columns
     * without masks are copied whole, the others gathered; both must keep
     * every cell, NaN included. */
    const int64_t lk[] = {3, 1, 2, 1}, rk[] = {1, 2, 3}, flags[] = {1, 0, 0, 1};
    const double x[] = {0.5, NAN, -1, 4}, y[] = {1, 2, 3, 4}, v[] = {10, 20, 30};
    const bool ymiss[] = {false, true, false, false};
    const char *s[] = {"c", NULL, "b", "a"};
    tbl_table *l = tbl_new(), *r = tbl_new();
    add_integer(l, "k", TBL_INTEGER, lk, NULL, 4);
    add_numeric(l, "x", x, NULL, 4);
    add_numeric(l, "y", y, ymiss, 4);
    add_integer(l, "flag", TBL_BOOLEAN, flags, NULL, 4);
    add_integer(l, "when", TBL_DATETIME, lk, NULL, 4);
    add_text(l, "s", TBL_STRING, s, 4);
    add_text(l, "c", TBL_CATEGORICAL, s, 4);
    add_integer(r, "k", TBL_INTEGER, rk, NULL, 3);
    add_numeric(r, "v", v, NULL, 3);
    for (int kind = 0; kind < 2; kind++) {
        tbl_table *out =
            join(l, r, kind ? TBL_JOIN_LEFT_OUTER : TBL_JOIN_INNER, key0, key0, 1, true, false);
        assert_int_equal(out->nrows, 4);
        assert_string_equal(column_text(out, "k"), "3,1,2,1");
        assert_string_equal(column_text(out, "x"), "0.5,NaN,-1,4");
        assert_string_equal(column_text(out, "y"), "1,NA,3,4");
        assert_string_equal(column_text(out, "flag"), "true,false,false,true");
        assert_string_equal(column_text(out, "when"),
                            "1970-01-01T00:00:00.000003Z,1970-01-01T00:00:00.000001Z,"
                            "1970-01-01T00:00:00.000002Z,1970-01-01T00:00:00.000001Z");
        assert_string_equal(column_text(out, "s"), "c,NA,b,a");
        assert_string_equal(column_text(out, "c"), "c,NA,b,a");
        assert_string_equal(column_text(out, "v"), "30,10,20,10");
        tbl_free(out);
    }
    tbl_free(l);
    tbl_free(r);
}

/* ---- against pandas ----------------------------------------------------- */

/* Keys k(i) = (i * step + offset) % range, as both sides compute them. */
static int64_t formula_key(size_t i, int64_t step, int64_t offset, int64_t range)
{
    return (int64_t)(((uint64_t)i * (uint64_t)step + (uint64_t)offset) % (uint64_t)range);
}

/* A digest of the output's (lrow, rrow) sequence that python computes too:
 * the sum over output rows i of (i + 1) * ((lrow + 1) * 1000003 + rrow + 1),
 * modulo 2^64, with -1 for no row. */
static uint64_t pairs_digest(const tbl_table *out)
{
    uint64_t d = 0;
    for (size_t i = 0; i < out->nrows; i++) {
        uint64_t lrow = (uint64_t)(row_id(out, "lrow", i) + 1);
        uint64_t rrow = (uint64_t)(row_id(out, "rrow", i) + 1);
        d += (uint64_t)(i + 1) * (lrow * 1000003u + rrow);
    }
    return d;
}

#define PANDAS_JOIN                                                                                \
    "import sys, numpy as np, pandas as pd\n"                                                      \
    "nl, nr, sl, ml, sr, mr = map(int, sys.argv[1:])\n"                                            \
    "l = pd.DataFrame({'k': (np.arange(nl) * sl + 13) % ml, 'lrow': np.arange(nl)})\n"             \
    "r = pd.DataFrame({'k': (np.arange(nr) * sr + 7) % mr, 'rrow': np.arange(nr)})\n"              \
    "m = pd.merge(l, r, on='k', how='left')\n"                                                     \
    "lr = m['lrow'].to_numpy(np.int64)\n"                                                          \
    "rr = m['rrow'].fillna(-1).to_numpy(np.int64)\n"                                               \
    "def digest(lr, rr):\n"                                                                        \
    "    i = np.arange(1, len(lr) + 1, dtype=np.uint64)\n"                                         \
    "    v = (lr + 1).astype(np.uint64) * np.uint64(1000003) + (rr + 1).astype(np.uint64)\n"       \
    "    print(len(lr), int(np.sum(i * v, dtype=np.uint64)))\n"                                    \
    "inner = rr >= 0\n"                                                                            \
    "alone = ~r['k'].isin(l['k']).to_numpy()\n"                                                    \
    "digest(lr[inner], rr[inner])\n"                                                               \
    "digest(lr, rr)\n"                                                                             \
    "digest(np.concatenate([lr, np.full(alone.sum(), -1)]),\n"                                     \
    "       np.concatenate([rr, np.arange(nr)[alone]]))\n"                                         \
    "semi = np.unique(lr[inner])\n"                                                                \
    "digest(semi, np.full(len(semi), -1))\n"

static void join_of_large_tables_matches_pandas(void **state)
{
    (void)state;
    /* Enough rows for the lookups and the gathering to run on several
     * threads. Left keys cover 0..60999; right keys 0..69999, 20000 of
     * them twice, so there are unmatched rows on both sides. pandas' left
     * merge keeps left order and, within a key, right order, as tbl_join
     * does; the other kinds follow from it. */
    enum { NL = 300000, NR = 90000, SL = 7919, ML = 61000, SR = 104729, MR = 70000 };
    int64_t *lk = malloc(NL * sizeof *lk), *rk = malloc(NR * sizeof *rk);
    int64_t *lid = malloc(NL * sizeof *lid), *rid = malloc(NR * sizeof *rid);
    assert_true(lk && rk && lid && rid);
    for (size_t i = 0; i < NL; i++) {
        lk[i] = formula_key(i, SL, 13, ML);
        lid[i] = (int64_t)i;
    }
    for (size_t i = 0; i < NR; i++) {
        rk[i] = formula_key(i, SR, 7, MR);
        rid[i] = (int64_t)i;
    }
    tbl_table *l = tbl_new(), *r = tbl_new();
    add_integer(l, "k", TBL_INTEGER, lk, NULL, NL);
    add_integer(l, "lrow", TBL_INTEGER, lid, NULL, NL);
    add_integer(r, "k", TBL_INTEGER, rk, NULL, NR);
    add_integer(r, "rrow", TBL_INTEGER, rid, NULL, NR);
    free(lk);
    free(rk);
    free(lid);
    free(rid);

    char cmd[4096];
    snprintf(cmd, sizeof cmd, "/usr/bin/python3 -c \"%s\" %d %d %d %d %d %d", PANDAS_JOIN, NL, NR,
             SL, ML, SR, MR);
    FILE *p = popen(cmd, "r");
    assert_non_null(p);
    static const tbl_join_kind kinds[] = {TBL_JOIN_INNER, TBL_JOIN_LEFT_OUTER, TBL_JOIN_FULL_OUTER,
                                          TBL_JOIN_LEFT_SEMI};
    for (size_t k = 0; k < 4; k++) {
        unsigned long long want_rows = 0, want_digest = 0;
        if (fscanf(p, "%llu %llu", &want_rows, &want_digest) != 2)
            fail_msg("pandas gave no digest for kind %d", (int)kinds[k]);
        tbl_table *out = join(l, r, kinds[k], key0, key0, 1, true, false);
        assert_int_equal(out->nrows, want_rows);
        assert_true(pairs_digest(out) == (uint64_t)want_digest);
        tbl_free(out);
    }
    assert_int_equal(pclose(p), 0);
    tbl_free(l);
    tbl_free(r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(join_inner_keeps_matching_pairs_in_left_then_right_order),
        cmocka_unit_test(join_left_outer_keeps_unmatched_left_rows_with_missing_right_values),
        cmocka_unit_test(join_full_outer_appends_unmatched_right_rows_with_their_keys),
        cmocka_unit_test(join_left_semi_keeps_each_matching_left_row_once),
        cmocka_unit_test(join_keeps_right_keys_when_asked_and_renames_clashes),
        cmocka_unit_test(join_on_several_keys_needs_all_of_them_equal),
        cmocka_unit_test(join_text_keys_ignore_case_only_when_asked),
        cmocka_unit_test(join_compares_integer_and_numeric_keys_by_value),
        cmocka_unit_test(join_full_outer_key_type_follows_the_schemas_not_the_rows),
        cmocka_unit_test(join_full_outer_adds_new_levels_to_a_categorical_key),
        cmocka_unit_test(join_of_many_rows_matches_every_pair),
        cmocka_unit_test(join_rejects_keys_that_cannot_match),
        cmocka_unit_test(join_with_an_empty_side_gives_the_outer_rows),
        cmocka_unit_test(join_on_one_fixed_width_key_matches_nested_loops),
        cmocka_unit_test(join_on_text_mixed_and_several_keys_matches_nested_loops),
        cmocka_unit_test(join_never_matches_nan_or_missing_integer_keys),
        cmocka_unit_test(join_gathers_every_column_type_and_missing_cells),
        cmocka_unit_test(join_keeps_left_columns_whole_when_each_left_row_matches_once),
        cmocka_unit_test(join_of_large_tables_matches_pandas),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
