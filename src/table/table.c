/* table.c: columns and tables: creation, ownership, missing masks, cells. */
#include "table.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

static const char *const tbl__type_names[TBL_TYPE_COUNT] = {"numeric", "integer",     "boolean",
                                                            "string",  "categorical", "datetime"};
static const char *const tbl__role_names[TBL_ROLE_COUNT] = {"feature", "label", "weight", "score",
                                                            "clear"};

const char *tbl_type_name(tbl_type type)
{
    return (unsigned)type < TBL_TYPE_COUNT ? tbl__type_names[type] : "unknown";
}

int tbl_type_parse(const char *name, tbl_type *out)
{
    for (int i = 0; i < TBL_TYPE_COUNT; i++)
        if (strcmp(name, tbl__type_names[i]) == 0) {
            *out = (tbl_type)i;
            return 0;
        }
    return WF_EINVAL;
}

const char *tbl_role_name(tbl_role role)
{
    return (unsigned)role < TBL_ROLE_COUNT ? tbl__role_names[role] : "unknown";
}

int tbl_role_parse(const char *name, tbl_role *out)
{
    for (int i = 0; i < TBL_ROLE_COUNT; i++)
        if (strcmp(name, tbl__role_names[i]) == 0) {
            *out = (tbl_role)i;
            return 0;
        }
    return WF_EINVAL;
}

tbl_table *tbl_new(void)
{
    return calloc(1, sizeof(tbl_table));
}

void tbl_free(tbl_table *t)
{
    if (t == NULL) return;
    for (size_t i = 0; i < t->ncols; i++)
        tbl_column_clear(&t->cols[i]);
    free(t->cols);
    if (t->mapping) munmap(t->mapping, t->mapping_size);
    free(t);
}

size_t tbl_type_width(tbl_type type)
{
    switch (type) {
    case TBL_NUMERIC:
        return sizeof(double);
    case TBL_INTEGER:
    case TBL_DATETIME:
        return sizeof(int64_t);
    case TBL_BOOLEAN:
        return 1;
    case TBL_CATEGORICAL:
        return sizeof(int32_t);
    case TBL_STRING:
        return 0;
    }
    return 0;
}

int tbl_column_init(tbl_column *c, const char *name, tbl_type type, size_t nrows, wf_error *err)
{
    memset(c, 0, sizeof *c);
    c->type = type;
    c->role = TBL_ROLE_FEATURE;
    c->name = wf_strdup(name);
    if (c->name == NULL) goto oom;
    if (type == TBL_STRING) {
        c->str.count = nrows;
        c->str.offsets = wf_calloc(nrows + 1, sizeof(int64_t));
        c->str.data = calloc(1, 1);
        if (c->str.offsets == NULL || c->str.data == NULL) goto oom;
        return 0;
    }
    if (type == TBL_CATEGORICAL) {
        c->levels.offsets = calloc(1, sizeof(int64_t));
        c->levels.data = calloc(1, 1);
        if (c->levels.offsets == NULL || c->levels.data == NULL) goto oom;
    }
    c->v.f64 = wf_calloc(nrows, tbl_type_width(type));
    if (c->v.f64 == NULL) goto oom;
    return 0;
oom:
    tbl_column_clear(c);
    return wf_error_set(err, WF_ENOMEM, "out of memory for column \"%s\"", name);
}

void tbl_column_clear(tbl_column *c)
{
    free(c->name);
    if (!c->borrowed) {
        free(c->missing);
        free(c->v.f64);
        tbl_strings_clear(&c->str);
        tbl_strings_clear(&c->levels);
    }
    memset(c, 0, sizeof *c);
}

int tbl_strings_copy(tbl_strings *dst, const tbl_strings *src)
{
    memset(dst, 0, sizeof *dst);
    size_t bytes = src->offsets ? (size_t)src->offsets[src->count] : 0;
    dst->offsets = wf_mallocarray(src->count + 1, sizeof(int64_t));
    dst->data = malloc(bytes + 1);
    if (dst->offsets == NULL || dst->data == NULL) {
        tbl_strings_clear(dst);
        return WF_ENOMEM;
    }
    if (src->offsets)
        memcpy(dst->offsets, src->offsets, (src->count + 1) * sizeof(int64_t));
    else
        dst->offsets[0] = 0;
    if (bytes) memcpy(dst->data, src->data, bytes);
    dst->data[bytes] = '\0';
    dst->count = src->count;
    return 0;
}

int tbl_column_copy(tbl_column *dst, const tbl_column *src, size_t nrows, wf_error *err)
{
    memset(dst, 0, sizeof *dst);
    dst->type = src->type;
    dst->role = src->role;
    dst->name = wf_strdup(src->name);
    if (dst->name == NULL) goto oom;
    if (src->missing) {
        dst->missing = malloc(nrows ? nrows : 1);
        if (dst->missing == NULL) goto oom;
        memcpy(dst->missing, src->missing, nrows);
    }
    if (src->type == TBL_STRING) {
        if (tbl_strings_copy(&dst->str, &src->str) < 0) goto oom;
        return 0;
    }
    if (src->type == TBL_CATEGORICAL && tbl_strings_copy(&dst->levels, &src->levels) < 0) goto oom;
    size_t bytes = nrows * tbl_type_width(src->type);
    dst->v.f64 = wf_alloc_large(nrows, tbl_type_width(src->type));
    if (dst->v.f64 == NULL) goto oom;
    if (bytes) memcpy(dst->v.f64, src->v.f64, bytes);
    return 0;
oom:
    tbl_column_clear(dst);
    return wf_error_set(err, WF_ENOMEM, "out of memory copying column \"%s\"", src->name);
}

int tbl_column_share(tbl_column *dst, const tbl_column *src, wf_error *err)
{
    *dst = *src;
    dst->borrowed = true;
    dst->name = wf_strdup(src->name);
    if (dst->name == NULL) {
        memset(dst, 0, sizeof *dst);
        return wf_error_set(err, WF_ENOMEM, "out of memory sharing column \"%s\"", src->name);
    }
    return 0;
}

int tbl_add_column(tbl_table *t, tbl_column *c, size_t nrows, wf_error *err)
{
    if (t->ncols > 0 && nrows != t->nrows)
        return wf_error_set(err, WF_EINVAL, "column \"%s\" has %zu rows, the table has %zu",
                            c->name, nrows, t->nrows);
    if (tbl_find_column(t, c->name) >= 0)
        return wf_error_set(err, WF_EEXIST, "the table already has a column named \"%s\"", c->name);
    if (wf_grow((void **)&t->cols, &t->cols_cap, t->ncols + 1, sizeof *t->cols) < 0)
        return wf_error_set(err, WF_ENOMEM, "out of memory adding column \"%s\"", c->name);
    t->cols[t->ncols++] = *c;
    t->nrows = nrows;
    memset(c, 0, sizeof *c);
    return 0;
}

int tbl_find_column(const tbl_table *t, const char *name)
{
    for (size_t i = 0; i < t->ncols; i++)
        if (strcmp(t->cols[i].name, name) == 0) return (int)i;
    return -1;
}

void tbl_drop_column(tbl_table *t, size_t i)
{
    if (i >= t->ncols) return;
    tbl_column_clear(&t->cols[i]);
    memmove(&t->cols[i], &t->cols[i + 1], (t->ncols - i - 1) * sizeof *t->cols);
    t->ncols--;
}

int tbl_clone(const tbl_table *t, tbl_table **out, wf_error *err)
{
    *out = NULL;
    tbl_table *copy = tbl_new();
    if (copy == NULL) return wf_error_set(err, WF_ENOMEM, "out of memory");
    copy->nrows = t->nrows;
    for (size_t i = 0; i < t->ncols; i++) {
        tbl_column c;
        int rc = tbl_column_copy(&c, &t->cols[i], t->nrows, err);
        if (rc == 0) rc = tbl_add_column(copy, &c, t->nrows, err);
        if (rc < 0) {
            tbl_column_clear(&c);
            tbl_free(copy);
            return rc;
        }
    }
    *out = copy;
    return 0;
}

int tbl_set_missing(tbl_column *c, size_t row, size_t nrows)
{
    if (c->missing == NULL) {
        c->missing = calloc(nrows ? nrows : 1, 1);
        if (c->missing == NULL) return WF_ENOMEM;
    }
    c->missing[row] = 1;
    if (c->type == TBL_CATEGORICAL) c->v.codes[row] = -1;
    return 0;
}

size_t tbl_count_missing(const tbl_column *c, size_t nrows)
{
    if (c->missing == NULL) return 0;
    size_t n = 0;
    for (size_t i = 0; i < nrows; i++)
        n += c->missing[i] != 0;
    return n;
}

void tbl_compact_missing(tbl_column *c, size_t nrows)
{
    if (c->missing != NULL && !c->borrowed && tbl_count_missing(c, nrows) == 0) {
        free(c->missing);
        c->missing = NULL;
    }
}

static size_t tbl__format_double(double x, char *buf, size_t cap)
{
    if (isnan(x)) return (size_t)snprintf(buf, cap, "NaN");
    if (isinf(x)) return (size_t)snprintf(buf, cap, x > 0 ? "Infinity" : "-Infinity");
    char tmp[40];
    snprintf(tmp, sizeof tmp, "%.15g", x);
    if (strtod(tmp, NULL) != x) snprintf(tmp, sizeof tmp, "%.17g", x);
    return (size_t)snprintf(buf, cap, "%s", tmp);
}

size_t tbl_format_cell(const tbl_column *c, size_t row, char *buf, size_t cap)
{
    if (tbl_is_missing(c, row)) {
        if (cap) buf[0] = '\0';
        return 0;
    }
    size_t len;
    const char *s;
    switch (c->type) {
    case TBL_NUMERIC:
        return tbl__format_double(c->v.f64[row], buf, cap);
    case TBL_INTEGER:
        return (size_t)snprintf(buf, cap, "%lld", (long long)c->v.i64[row]);
    case TBL_BOOLEAN:
        return (size_t)snprintf(buf, cap, "%s", c->v.b8[row] ? "true" : "false");
    case TBL_DATETIME:
        return tbl_format_datetime(c->v.i64[row], buf, cap);
    case TBL_STRING:
        s = tbl_strings_at(&c->str, row, &len);
        break;
    case TBL_CATEGORICAL:
        if (c->v.codes[row] < 0 || (size_t)c->v.codes[row] >= c->levels.count) {
            if (cap) buf[0] = '\0';
            return 0;
        }
        s = tbl_strings_at(&c->levels, (size_t)c->v.codes[row], &len);
        break;
    default:
        if (cap) buf[0] = '\0';
        return 0;
    }
    if (cap) {
        size_t n = len < cap - 1 ? len : cap - 1;
        memcpy(buf, s, n);
        buf[n] = '\0';
    }
    return len;
}

size_t tbl_column_bytes(const tbl_column *c, size_t nrows)
{
    size_t bytes = c->missing ? nrows : 0;
    if (c->type == TBL_STRING)
        return bytes + (c->str.count + 1) * sizeof(int64_t) + (size_t)c->str.offsets[c->str.count];
    bytes += nrows * tbl_type_width(c->type);
    if (c->type == TBL_CATEGORICAL)
        bytes +=
            (c->levels.count + 1) * sizeof(int64_t) + (size_t)c->levels.offsets[c->levels.count];
    return bytes;
}
