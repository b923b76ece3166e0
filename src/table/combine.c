/*
 * combine.c: putting two tables together, by rows (Add Rows) or by columns
 * (Add Columns), and the naming rule both this and joins use for clashing
 * column names.
 */
#include "ops_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

char *tbl__unique_name(const tbl_table *t, const char *name)
{
    if (tbl_find_column(t, name) < 0) return wf_strdup(name);
    size_t cap = strlen(name) + 32;
    char *s = malloc(cap);
    if (s == NULL) return NULL;
    /* The loop ends: each probe is a different name and t has finitely many
     * columns. */
    for (size_t k = 2;; k++) {
        snprintf(s, cap, "%s (%zu)", name, k);
        if (tbl_find_column(t, s) < 0) return s;
    }
}

int tbl__add_column_renamed(tbl_table *t, tbl_column *c, size_t nrows, wf_error *err)
{
    char *name = tbl__unique_name(t, c->name);
    if (name == NULL) {
        int rc = wf_error_set(err, WF_ENOMEM, "out of memory naming column \"%s\"", c->name);
        tbl_column_clear(c);
        return rc;
    }
    free(c->name);
    c->name = name;
    int rc = tbl_add_column(t, c, nrows, err);
    if (rc < 0) tbl_column_clear(c);
    return rc;
}

/* ---- add rows ---------------------------------------------------------- */

/* The type of a column holding a's values then b's, or -1 when they do not
 * mix. */
static int tbl__concat_type(tbl_type a, tbl_type b)
{
    if (a == b) return (int)a;
    if (tbl__is_number(a) && tbl__is_number(b)) return TBL_NUMERIC;
    /* A categorical stacked on free text stays free text: its dictionary
     * could not bound the other side's values. */
    if (tbl__is_text(a) && tbl__is_text(b)) return TBL_STRING;
    return -1;
}

/* Interns every level of c into d; map[code] is the code in d. */
static int32_t *tbl__intern_levels(tbl_dict *d, const tbl_column *c)
{
    int32_t *map = wf_mallocarray(c->levels.count, sizeof *map);
    if (map == NULL) return NULL;
    for (size_t i = 0; i < c->levels.count; i++) {
        size_t len;
        const char *s = tbl_strings_at(&c->levels, i, &len);
        map[i] = tbl_dict_intern(d, s, len);
    }
    if (d->failed) {
        free(map);
        return NULL;
    }
    return map;
}

static int tbl__concat_categorical(tbl_column *dst, const tbl_column *const src[2],
                                   const size_t n[2])
{
    tbl_dict dict = {0};
    int32_t *map[2] = {NULL, NULL};
    int rc = WF_ENOMEM;
    for (int s = 0; s < 2; s++)
        if ((map[s] = tbl__intern_levels(&dict, src[s])) == NULL) goto done;
    size_t at = 0;
    for (int s = 0; s < 2; s++)
        for (size_t r = 0; r < n[s]; r++, at++)
            dst->v.codes[at] = tbl__cell_missing(src[s], r) ? -1 : map[s][src[s]->v.codes[r]];
    tbl_strings_clear(&dst->levels);
    rc = tbl_dict_finish(&dict, &dst->levels);
done:
    tbl_dict_free(&dict);
    free(map[0]);
    free(map[1]);
    return rc;
}

static int tbl__concat_column(tbl_column *dst, const tbl_column *a, size_t na, const tbl_column *b,
                              size_t nb, wf_error *err)
{
    int type = tbl__concat_type(a->type, b->type);
    if (type < 0)
        return wf_error_set(err, WF_ETYPE,
                            "column \"%s\" is %s in the first table and %s in the second", a->name,
                            tbl_type_name(a->type), tbl_type_name(b->type));
    const tbl_column *src[2] = {a, b};
    const size_t n[2] = {na, nb};
    int rc = tbl_column_init(dst, a->name, (tbl_type)type, na + nb, err);
    if (rc < 0) return rc;
    dst->role = a->role;
    tbl_strings_builder sb = {0};
    size_t at = 0;
    for (int s = 0; s < 2; s++)
        for (size_t r = 0; r < n[s]; r++, at++) {
            const tbl_column *c = src[s];
            bool miss = tbl__cell_missing(c, r);
            if (miss && tbl_set_missing(dst, at, na + nb) < 0) goto oom;
            size_t len = 0;
            const char *text = "";
            switch (dst->type) {
            case TBL_NUMERIC:
                if (!miss)
                    dst->v.f64[at] = c->type == TBL_INTEGER ? (double)c->v.i64[r] : c->v.f64[r];
                break;
            case TBL_INTEGER:
            case TBL_DATETIME:
                if (!miss) dst->v.i64[at] = c->v.i64[r];
                break;
            case TBL_BOOLEAN:
                if (!miss) dst->v.b8[at] = c->v.b8[r];
                break;
            case TBL_STRING:
                if (!miss) text = tbl__cell_text(c, r, &len);
                tbl_strings_append(&sb, text, len);
                break;
            case TBL_CATEGORICAL:
                break; /* below, once the dictionaries are merged */
            }
        }
    if (dst->type == TBL_STRING) {
        tbl_strings_clear(&dst->str);
        if (tbl_strings_finish(&sb, &dst->str) < 0) goto oom;
    }
    if (dst->type == TBL_CATEGORICAL && tbl__concat_categorical(dst, src, n) < 0) goto oom;
    return 0;
oom:
    tbl_strings_builder_free(&sb);
    tbl_column_clear(dst);
    return wf_error_set(err, WF_ENOMEM, "out of memory adding rows to column \"%s\"", a->name);
}

int tbl_concat_rows(const tbl_table *a, const tbl_table *b, tbl_table **out, wf_error *err)
{
    *out = NULL;
    for (size_t j = 0; j < a->ncols; j++)
        if (tbl_find_column(b, a->cols[j].name) < 0)
            return wf_error_set(err, WF_EINVAL,
                                "column \"%s\" of the first table is not in the second",
                                a->cols[j].name);
    for (size_t j = 0; j < b->ncols; j++)
        if (tbl_find_column(a, b->cols[j].name) < 0)
            return wf_error_set(err, WF_EINVAL,
                                "column \"%s\" of the second table is not in the first",
                                b->cols[j].name);
    tbl_table *res = tbl_new();
    if (res == NULL) return wf_error_set(err, WF_ENOMEM, "out of memory");
    size_t n = a->nrows + b->nrows;
    res->nrows = n;
    for (size_t j = 0; j < a->ncols; j++) {
        const tbl_column *cb = &b->cols[tbl_find_column(b, a->cols[j].name)];
        tbl_column c;
        int rc = tbl__concat_column(&c, &a->cols[j], a->nrows, cb, b->nrows, err);
        if (rc == 0) {
            tbl_compact_missing(&c, n);
            rc = tbl_add_column(res, &c, n, err);
            if (rc < 0) tbl_column_clear(&c);
        }
        if (rc < 0) {
            tbl_free(res);
            return rc;
        }
    }
    *out = res;
    return 0;
}

/* ---- add columns ------------------------------------------------------- */

int tbl_add_columns(const tbl_table *a, const tbl_table *b, tbl_table **out, wf_error *err)
{
    *out = NULL;
    /* A table without columns has no rows to line up, so it joins anything. */
    if (a->ncols > 0 && b->ncols > 0 && a->nrows != b->nrows)
        return wf_error_set(err, WF_EINVAL, "the tables have different row counts: %zu and %zu",
                            a->nrows, b->nrows);
    size_t n = a->ncols > 0 ? a->nrows : b->nrows;
    tbl_table *res = tbl_new();
    if (res == NULL) return wf_error_set(err, WF_ENOMEM, "out of memory");
    res->nrows = n;
    const tbl_table *src[2] = {a, b};
    for (int s = 0; s < 2; s++)
        for (size_t j = 0; j < src[s]->ncols; j++) {
            tbl_column c;
            int rc = tbl_column_copy(&c, &src[s]->cols[j], n, err);
            if (rc == 0) rc = tbl__add_column_renamed(res, &c, n, err);
            if (rc < 0) {
                tbl_free(res);
                return rc;
            }
        }
    *out = res;
    return 0;
}
