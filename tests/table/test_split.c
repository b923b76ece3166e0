/*
 * test_split.c: tbl_split sends each row to one of two tables by its flag,
 * in order, for every column type, with and without missing cells; checked
 * cell by cell against the source, and byte for byte against the row
 * filter (a different code path), since a split's outputs are artifacts
 * whose digests must not depend on how they were cut. The scalar and the
 * AVX-512 kernels are each checked so, and against each other.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "table/split_int.h"
#include "table_builders.h"
#include "util/util.h"

/* Enough rows that the split runs on several threads (cells past the
 * table part's threshold). */
#define ROWS 60000

static const char *const WORDS[] = {"red", "green", "blue", "a longer string with spaces", ""};

/* A table with one column of every type; `holes` puts missing cells in
 * each (and a categorical code that names no level). */
static tbl_table *make_table(size_t n, bool holes, uint64_t seed)
{
    wf_rng rng = {.state = seed};
    /* Zeroed, one spare: the builders read n cells, even none. */
    double *num = calloc(n + 1, sizeof *num);
    int64_t *ints = calloc(n + 1, sizeof *ints), *bools = calloc(n + 1, sizeof *bools);
    const char **text = calloc(n + 1, sizeof *text), **cats = calloc(n + 1, sizeof *cats);
    bool *gone = calloc(n + 1, sizeof *gone);
    assert_true(num && ints && bools && text && cats && gone);
    for (size_t r = 0; r < n; r++) {
        num[r] = wf_rng_uniform(&rng) * 1000.0 - 500.0;
        ints[r] = (int64_t)wf_rng_below(&rng, 1000000) - 500000;
        bools[r] = (int64_t)wf_rng_below(&rng, 2);
        gone[r] = holes && wf_rng_below(&rng, 10) == 0;
        text[r] = gone[r] ? NULL : WORDS[wf_rng_below(&rng, 5)];
        cats[r] = holes && wf_rng_below(&rng, 7) == 0 ? NULL : WORDS[wf_rng_below(&rng, 4)];
    }
    tbl_table *t = tbl_new();
    assert_non_null(t);
    add_numeric(t, "num", num, holes ? gone : NULL, n);
    add_integer(t, "int", TBL_INTEGER, ints, holes ? gone : NULL, n);
    add_integer(t, "when", TBL_DATETIME, ints, NULL, n);
    add_integer(t, "flag", TBL_BOOLEAN, bools, holes ? gone : NULL, n);
    add_text(t, "text", TBL_STRING, text, n);
    add_text(t, "cat", TBL_CATEGORICAL, cats, n);
    /* A code past the last level reads as missing (tbl__cell_missing). */
    if (holes && n > 3) t->cols[5].v.codes[3] = 99;
    t->cols[3].role = TBL_ROLE_LABEL;
    free(num);
    free(ints);
    free(bools);
    free(text);
    free(cats);
    free(gone);
    return t;
}

static bool *coin_flags(size_t n, unsigned percent, uint64_t seed)
{
    wf_rng rng = {.state = seed};
    bool *f = malloc(n ? n : 1);
    assert_non_null(f);
    for (size_t r = 0; r < n; r++)
        f[r] = wf_rng_below(&rng, 100) < percent;
    return f;
}

static bool cell_missing(const tbl_column *c, size_t r)
{
    if (tbl_is_missing(c, r)) return true;
    return c->type == TBL_CATEGORICAL &&
           (c->v.codes[r] < 0 || (size_t)c->v.codes[r] >= c->levels.count);
}

/* Output cell i of `out` is source cell r of `src`, compared by meaning. */
static void assert_same_cell(const tbl_column *out, size_t i, const tbl_column *src, size_t r)
{
    bool gone = cell_missing(src, r);
    if (gone != tbl_is_missing(out, i))
        fail_msg("column %s: output row %zu (source row %zu) missing %d, want %d", src->name, i, r,
                 tbl_is_missing(out, i), gone);
    if (gone) return;
    char a[128], b[128];
    tbl_format_cell(out, i, a, sizeof a);
    tbl_format_cell(src, r, b, sizeof b);
    if (strcmp(a, b) != 0)
        fail_msg("column %s: output row %zu is \"%s\", source row %zu is \"%s\"", src->name, i, a,
                 r, b);
}

static void assert_same_bytes(const tbl_table *x, const tbl_table *y)
{
    uint8_t *a = NULL, *b = NULL;
    size_t na = 0, nb = 0;
    assert_int_equal(tbl_native_encode(x, &a, &na, NULL), 0);
    assert_int_equal(tbl_native_encode(y, &b, &nb, NULL), 0);
    assert_int_equal(na, nb);
    assert_memory_equal(a, b, na);
    free(a);
    free(b);
}

/* Splits t by flags and checks both outputs every way. */
static void check_split(const tbl_table *t, const bool *first)
{
    tbl_table *a = NULL, *b = NULL;
    wf_error err = {0};
    assert_int_equal(tbl_split(t, first, &a, &b, &err), 0);
    size_t i = 0, j = 0;
    for (size_t r = 0; r < t->nrows; r++) {
        const tbl_table *out = first[r] ? a : b;
        size_t at = first[r] ? i++ : j++;
        for (size_t c = 0; c < t->ncols; c++)
            assert_same_cell(&out->cols[c], at, &t->cols[c], r);
    }
    assert_int_equal(a->nrows, i);
    assert_int_equal(b->nrows, j);
    for (size_t c = 0; c < t->ncols; c++) {
        for (int k = 0; k < 2; k++) {
            const tbl_table *out = k ? b : a;
            assert_string_equal(out->cols[c].name, t->cols[c].name);
            assert_int_equal(out->cols[c].type, t->cols[c].type);
            assert_int_equal(out->cols[c].role, t->cols[c].role);
            /* No mask stands for no missing cell. */
            if (out->cols[c].missing != NULL)
                assert_true(tbl_count_missing(&out->cols[c], out->nrows) > 0);
        }
    }
    /* The same bytes as the filter's gathers, which reach each row
     * through a list of indices. */
    bool *second = malloc(t->nrows ? t->nrows : 1);
    assert_non_null(second);
    for (size_t r = 0; r < t->nrows; r++)
        second[r] = !first[r];
    tbl_table *fa = NULL, *fb = NULL;
    assert_int_equal(tbl_filter(t, first, &fa, &err), 0);
    assert_int_equal(tbl_filter(t, second, &fb, &err), 0);
    assert_same_bytes(a, fa);
    assert_same_bytes(b, fb);
    free(second);
    tbl_free(fa);
    tbl_free(fb);
    tbl_free(a);
    tbl_free(b);
}

static void test_split_sends_each_row_by_its_flag_keeping_order(void **state)
{
    (void)state;
    tbl_table *t = make_table(ROWS, false, 1);
    bool *first = coin_flags(ROWS, 70, 2);
    check_split(t, first);
    free(first);
    tbl_free(t);
}

static void test_split_carries_missing_cells_and_bad_codes(void **state)
{
    (void)state;
    tbl_table *t = make_table(ROWS, true, 3);
    bool *first = coin_flags(ROWS, 30, 4);
    check_split(t, first);
    free(first);
    tbl_free(t);
}

static void test_split_with_every_row_on_one_side(void **state)
{
    (void)state;
    tbl_table *t = make_table(1000, true, 5);
    bool *all = coin_flags(1000, 100, 6), *none = coin_flags(1000, 0, 7);
    check_split(t, all);
    check_split(t, none);
    tbl_table *a = NULL, *b = NULL;
    assert_int_equal(tbl_split(t, all, &a, &b, NULL), 0);
    assert_int_equal(a->nrows, 1000);
    assert_int_equal(b->nrows, 0);
    assert_int_equal(b->ncols, t->ncols);
    tbl_free(a);
    tbl_free(b);
    free(all);
    free(none);
    tbl_free(t);
}

/* Missing cells that all land on one side leave the other with no mask. */
static void test_split_keeps_no_mask_where_nothing_is_missing(void **state)
{
    (void)state;
    double v[6] = {1, 2, 3, 4, 5, 6};
    bool gone[6] = {false, true, false, true, false, false};
    bool first[6] = {true, false, true, false, true, true};
    tbl_table *t = tbl_new();
    assert_non_null(t);
    add_numeric(t, "x", v, gone, 6);
    tbl_table *a = NULL, *b = NULL;
    assert_int_equal(tbl_split(t, first, &a, &b, NULL), 0);
    assert_string_equal(column_text(a, "x"), "1,3,5,6");
    assert_null(a->cols[0].missing);
    assert_string_equal(column_text(b, "x"), "NA,NA");
    /* A missing cell's payload is zero whatever the source held. */
    assert_true(b->cols[0].v.f64[0] == 0.0 && b->cols[0].v.f64[1] == 0.0);
    tbl_free(a);
    tbl_free(b);
    tbl_free(t);
}

/* Splits t by first with the scalar kernels only, and as the processor
 * allows (the vector kernels where it has AVX-512): both are checked every
 * way, and must give the same bytes. */
static void check_both_kernels(const tbl_table *t, const bool *first)
{
    tbl_table *out[2][2];
    for (int scalar = 0; scalar < 2; scalar++) {
        tbl__split_scalar_only = scalar;
        check_split(t, first);
        assert_int_equal(tbl_split(t, first, &out[scalar][0], &out[scalar][1], NULL), 0);
    }
    tbl__split_scalar_only = false;
    for (int k = 0; k < 2; k++) {
        assert_same_bytes(out[0][k], out[1][k]);
        tbl_free(out[0][k]);
        tbl_free(out[1][k]);
    }
}

/* Row counts around the vector kernels' blocks of 64, so the scalar kernels
 * take over mid-table at every offset the blocks leave; bad codes (negative,
 * past the last level) inside the blocks, with and without a mask. */
static void test_split_kernels_agree_around_blocks(void **state)
{
    (void)state;
    if (!tbl__split_vec_ready()) print_message("no AVX-512 here: the scalar kernels only\n");
    const size_t sizes[] = {1, 63, 64, 65, 127, 128, 129, 64 * 7 + 33, 5000};
    for (size_t s = 0; s < sizeof sizes / sizeof sizes[0]; s++)
        for (int holes = 0; holes < 2; holes++) {
            size_t n = sizes[s];
            tbl_table *t = make_table(n, holes, 10 + n);
            if (n > 200) {
                t->cols[5].v.codes[100] = -3;
                t->cols[5].v.codes[190] = 1000;
            }
            bool *first = coin_flags(n, holes ? 50 : 80, 20 + n);
            check_both_kernels(t, first);
            free(first);
            tbl_free(t);
        }
}

/* Buffers reserved ahead for the right count give the same bytes as a
 * plain split; for a wrong count the split allocates afresh, and is just as
 * right; a reserve never used is freed whole (ASan checks the leaks). */
static void test_split_into_reserved_buffers(void **state)
{
    (void)state;
    tbl_table *t = make_table(ROWS, true, 30);
    bool *first = coin_flags(ROWS, 70, 31);
    size_t n = 0;
    for (size_t r = 0; r < ROWS; r++)
        n += first[r];
    tbl_table *plain[2];
    assert_int_equal(tbl_split(t, first, &plain[0], &plain[1], NULL), 0);
    const size_t counts[] = {n, n + 1, n - 1, 0, ROWS};
    for (size_t i = 0; i < sizeof counts / sizeof counts[0]; i++) {
        tbl_split_reserve *r = tbl_split_reserve_start(t, counts[i]);
        /* The table is over the threshold for threads where there are two
         * cores or more. */
        if (tbl__thread_count(t->nrows, t->ncols) > 1) assert_non_null(r);
        tbl_table *out[2];
        assert_int_equal(tbl_split_into(t, first, r, &out[0], &out[1], NULL), 0);
        for (int k = 0; k < 2; k++) {
            assert_same_bytes(out[k], plain[k]);
            tbl_free(out[k]);
        }
    }
    tbl_split_reserve_free(tbl_split_reserve_start(t, n));
    tbl_split_reserve_free(NULL);
    /* More rows first than the table has, and a small table: no reserve. */
    assert_null(tbl_split_reserve_start(t, ROWS + 1));
    tbl_table *small = make_table(10, true, 32);
    assert_null(tbl_split_reserve_start(small, 5));
    tbl_free(small);
    tbl_free(plain[0]);
    tbl_free(plain[1]);
    free(first);
    tbl_free(t);
}

static void test_split_of_an_empty_table(void **state)
{
    (void)state;
    tbl_table *t = make_table(0, false, 8);
    bool flag = false;
    tbl_table *a = NULL, *b = NULL;
    assert_int_equal(tbl_split(t, &flag, &a, &b, NULL), 0);
    assert_int_equal(a->nrows, 0);
    assert_int_equal(b->nrows, 0);
    assert_int_equal(a->ncols, 6);
    tbl_free(a);
    tbl_free(b);
    tbl_free(t);
    tbl_table *none = tbl_new();
    assert_non_null(none);
    assert_int_equal(tbl_split(none, &flag, &a, &b, NULL), 0);
    assert_int_equal(a->ncols, 0);
    tbl_free(a);
    tbl_free(b);
    tbl_free(none);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_split_sends_each_row_by_its_flag_keeping_order),
        cmocka_unit_test(test_split_carries_missing_cells_and_bad_codes),
        cmocka_unit_test(test_split_with_every_row_on_one_side),
        cmocka_unit_test(test_split_keeps_no_mask_where_nothing_is_missing),
        cmocka_unit_test(test_split_of_an_empty_table),
        cmocka_unit_test(test_split_kernels_agree_around_blocks),
        cmocka_unit_test(test_split_into_reserved_buffers),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
