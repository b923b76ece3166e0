/*
 * table_builders.h: building small tables cell by cell, and reading a column
 * back as text, for the table tests. Header-only (static functions), since
 * each test file is its own executable; include it after <cmocka.h>.
 */
#ifndef WEFT_TEST_TABLE_BUILDERS_H
#define WEFT_TEST_TABLE_BUILDERS_H

#include "table/table.h"

#include <string.h>

static __attribute__((unused)) void add_numeric(tbl_table *t, const char *name, const double *v,
                                                const bool *missing, size_t n)
{
    tbl_column c;
    assert_int_equal(tbl_column_init(&c, name, TBL_NUMERIC, n, NULL), 0);
    for (size_t i = 0; i < n; i++) {
        c.v.f64[i] = v[i];
        if (missing != NULL && missing[i]) assert_int_equal(tbl_set_missing(&c, i, n), 0);
    }
    assert_int_equal(tbl_add_column(t, &c, n, NULL), 0);
}

/* An integer, datetime or boolean column. */
static __attribute__((unused)) void add_integer(tbl_table *t, const char *name, tbl_type type,
                                                const int64_t *v, const bool *missing, size_t n)
{
    tbl_column c;
    assert_int_equal(tbl_column_init(&c, name, type, n, NULL), 0);
    for (size_t i = 0; i < n; i++) {
        if (type == TBL_BOOLEAN)
            c.v.b8[i] = (uint8_t)v[i];
        else
            c.v.i64[i] = v[i];
        if (missing != NULL && missing[i]) assert_int_equal(tbl_set_missing(&c, i, n), 0);
    }
    assert_int_equal(tbl_add_column(t, &c, n, NULL), 0);
}

/* A string or categorical column; NULL entries are missing. */
static __attribute__((unused)) void add_text(tbl_table *t, const char *name, tbl_type type,
                                             const char *const *v, size_t n)
{
    tbl_column c;
    assert_int_equal(tbl_column_init(&c, name, type, n, NULL), 0);
    tbl_strings_builder sb = {0};
    tbl_dict dict = {0};
    for (size_t i = 0; i < n; i++) {
        if (v[i] == NULL) assert_int_equal(tbl_set_missing(&c, i, n), 0);
        if (type == TBL_STRING)
            tbl_strings_append(&sb, v[i] ? v[i] : "", v[i] ? strlen(v[i]) : 0);
        else if (v[i] != NULL)
            c.v.codes[i] = tbl_dict_intern(&dict, v[i], strlen(v[i]));
    }
    if (type == TBL_STRING) {
        tbl_strings_clear(&c.str);
        assert_int_equal(tbl_strings_finish(&sb, &c.str), 0);
    } else {
        tbl_strings_clear(&c.levels);
        assert_int_equal(tbl_dict_finish(&dict, &c.levels), 0);
    }
    assert_int_equal(tbl_add_column(t, &c, n, NULL), 0);
}

/* Column `name` of t as its cells joined by commas, "NA" for missing; the
 * result lives until the next call. */
static __attribute__((unused)) const char *column_text(const tbl_table *t, const char *name)
{
    static char out[4096];
    int j = tbl_find_column(t, name);
    if (j < 0) fail_msg("no column \"%s\"", name);
    out[0] = '\0';
    for (size_t r = 0; r < t->nrows; r++) {
        char cell[128];
        if (tbl_is_missing(&t->cols[j], r))
            strcpy(cell, "NA");
        else
            tbl_format_cell(&t->cols[j], r, cell, sizeof cell);
        if (r) strcat(out, ",");
        strcat(out, cell);
    }
    return out;
}

#endif
