/*
 * features.c: from table columns to a dense matrix, as training saw them
 * (types, levels, imputation means), and from a label column to regression
 * targets or class indices.
 *
 * Families: numeric, integer, boolean (0/1) and datetime (seconds since the
 * epoch) are one matrix column each; categorical and string columns are
 * one-hot or level codes. Scoring rebuilds exactly the training layout from a
 * new table, however its columns are ordered.
 */
#include "ml.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* Rows per block when building a matrix: a block of the output stays in
 * cache while every feature writes its column into it. */
#define BLOCK_ROWS 512

static bool is_number_type(tbl_type t)
{
    return t == TBL_NUMERIC || t == TBL_INTEGER || t == TBL_BOOLEAN || t == TBL_DATETIME;
}

static bool is_text_type(tbl_type t)
{
    return t == TBL_STRING || t == TBL_CATEGORICAL;
}

/* The value of a number-family column at row r, NaN when missing. */
static double number_at(const tbl_column *c, size_t r)
{
    if (tbl_is_missing(c, r)) return NAN;
    switch (c->type) {
    case TBL_NUMERIC:
        return c->v.f64[r];
    case TBL_INTEGER:
        return (double)c->v.i64[r];
    case TBL_BOOLEAN:
        return c->v.b8[r] ? 1 : 0;
    case TBL_DATETIME:
        return (double)c->v.i64[r] / 1e6;
    default:
        return NAN;
    }
}

/* ---- fitting ------------------------------------------------------------ */

typedef struct text_ref {
    const char *s;
    size_t len;
} text_ref;

static int compare_text(const void *a, const void *b)
{
    const text_ref *x = a, *y = b;
    size_t n = x->len < y->len ? x->len : y->len;
    int c = n ? memcmp(x->s, y->s, n) : 0;
    if (c) return c;
    return (x->len > y->len) - (x->len < y->len);
}

static int too_many_levels(const tbl_column *c, size_t n, wf_error *err)
{
    if (c->type == TBL_STRING)
        return wf_error_set(err, WF_ELIMIT,
                            "column \"%s\": %zu unique values, more than the %d a feature may "
                            "have; remove it with Select Columns, or make it categorical with "
                            "Edit Metadata",
                            c->name, n, ML_MAX_LEVELS);
    return wf_error_set(err, WF_ELIMIT,
                        "column \"%s\": %zu categories, more than the %d a feature may have; "
                        "remove it with Select Columns",
                        c->name, n, ML_MAX_LEVELS);
}

static int set_levels(ml_feature *ft, const text_ref *refs, size_t n)
{
    ft->levels = wf_calloc(n ? n : 1, sizeof *ft->levels);
    if (ft->levels == NULL) return WF_ENOMEM;
    for (size_t i = 0; i < n; i++) {
        ft->levels[i] = wf_strndup(refs[i].s, refs[i].len);
        if (ft->levels[i] == NULL) return WF_ENOMEM;
        ft->nlevels = i + 1;
    }
    return 0;
}

static int fit_levels(ml_feature *ft, const tbl_column *c, size_t nrows, wf_error *err)
{
    size_t present = 0;
    for (size_t r = 0; r < nrows; r++)
        if (!tbl_is_missing(c, r) &&
            (c->type != TBL_CATEGORICAL ||
             (c->v.codes[r] >= 0 && (size_t)c->v.codes[r] < c->levels.count)))
            present++;
    if (present == 0)
        return wf_error_set(err, WF_EINVAL, "column \"%s\" has only missing values", c->name);

    if (c->type == TBL_CATEGORICAL) {
        if (c->levels.count > ML_MAX_LEVELS) return too_many_levels(c, c->levels.count, err);
        text_ref refs[ML_MAX_LEVELS];
        for (size_t i = 0; i < c->levels.count; i++)
            refs[i].s = tbl_strings_at(&c->levels, i, &refs[i].len);
        if (set_levels(ft, refs, c->levels.count) < 0)
            return wf_error_set(err, WF_ENOMEM, "out of memory");
        return 0;
    }

    /* A string column: its distinct values, sorted bytewise. */
    tbl_dict dict = {0};
    for (size_t r = 0; r < nrows; r++) {
        if (tbl_is_missing(c, r)) continue;
        size_t len;
        const char *s = tbl_strings_at(&c->str, r, &len);
        tbl_dict_intern(&dict, s, len);
    }
    size_t n = tbl_dict_size(&dict);
    int rc = 0;
    text_ref *refs = NULL;
    if (dict.failed) {
        rc = wf_error_set(err, WF_ENOMEM, "out of memory");
    } else if (n > ML_MAX_LEVELS) {
        rc = too_many_levels(c, n, err);
    } else if ((refs = wf_mallocarray(n, sizeof *refs)) == NULL) {
        rc = wf_error_set(err, WF_ENOMEM, "out of memory");
    } else {
        for (size_t i = 0; i < n; i++) {
            refs[i].s = dict.levels.data + dict.levels.offsets[i];
            refs[i].len = (size_t)(dict.levels.offsets[i + 1] - dict.levels.offsets[i]);
        }
        qsort(refs, n, sizeof *refs, compare_text);
        if (set_levels(ft, refs, n) < 0) rc = wf_error_set(err, WF_ENOMEM, "out of memory");
    }
    free(refs);
    tbl_dict_free(&dict);
    return rc;
}

static int fit_number(ml_feature *ft, const tbl_column *c, size_t nrows, wf_error *err)
{
    double sum = 0;
    size_t present = 0;
    for (size_t r = 0; r < nrows; r++) {
        double v = number_at(c, r);
        if (isnan(v)) continue;
        sum += v;
        present++;
    }
    if (present == 0)
        return wf_error_set(err, WF_EINVAL, "column \"%s\" has only missing values", c->name);
    ft->fill = sum / (double)present;
    return 0;
}

int ml_features_fit(ml_features *f, const tbl_table *t, const size_t *cols, size_t ncols,
                    ml_encoding encoding, bool impute, wf_error *err)
{
    memset(f, 0, sizeof *f);
    if (ncols == 0) return wf_error_set(err, WF_EINVAL, "no feature columns were selected");
    f->items = wf_calloc(ncols, sizeof *f->items);
    if (f->items == NULL) return wf_error_set(err, WF_ENOMEM, "out of memory");
    f->encoding = encoding;
    f->impute = impute;
    int rc = 0;
    for (size_t i = 0; i < ncols && rc == 0; i++) {
        if (cols[i] >= t->ncols) {
            rc = wf_error_set(err, WF_EINVAL, "feature column %zu is out of range (%zu columns)",
                              cols[i], t->ncols);
            break;
        }
        const tbl_column *c = &t->cols[cols[i]];
        ml_feature *ft = &f->items[i];
        f->count = i + 1;
        ft->name = wf_strdup(c->name);
        if (ft->name == NULL) {
            rc = wf_error_set(err, WF_ENOMEM, "out of memory");
            break;
        }
        ft->type = c->type;
        ft->fill = NAN;
        ft->first = f->width;
        if (is_number_type(c->type)) {
            rc = fit_number(ft, c, t->nrows, err);
            if (!impute) ft->fill = NAN;
            ft->width = 1;
        } else if (is_text_type(c->type)) {
            rc = fit_levels(ft, c, t->nrows, err);
            ft->width = encoding == ML_ONE_HOT ? ft->nlevels : 1;
        } else {
            rc = wf_error_set(err, WF_ETYPE, "column \"%s\" has an unknown type", c->name);
        }
        f->width += ft->width;
    }
    if (rc < 0) ml_features_clear(f);
    return rc;
}

/* ---- building the matrix ------------------------------------------------ */

/* How one feature finds its values in the table being encoded. */
typedef struct source {
    const tbl_column *c;
    tbl_dict levels;   /* the training levels, for string lookups */
    int32_t *level_of; /* dict code -> training level (first of duplicates) */
    int32_t *code_map; /* categorical column: its code -> training level, or -1 */
    bool all_missing;  /* a column with no values stands for any type */
} source;

static bool column_all_missing(const tbl_column *c, size_t nrows)
{
    return c->missing != NULL && tbl_count_missing(c, nrows) == nrows;
}

static int prepare_source(source *s, const ml_feature *ft, const tbl_table *t, wf_error *err)
{
    int at = tbl_find_column(t, ft->name);
    if (at < 0) return wf_error_set(err, WF_ENOTFOUND, "column \"%s\" is missing", ft->name);
    s->c = &t->cols[at];
    s->all_missing = t->nrows > 0 && column_all_missing(s->c, t->nrows);
    bool fits =
        is_number_type(ft->type)
            ? (ft->type == TBL_DATETIME ? s->c->type == TBL_DATETIME
                                        : s->c->type != TBL_DATETIME && is_number_type(s->c->type))
            : is_text_type(s->c->type);
    if (!fits && !s->all_missing)
        return wf_error_set(err, WF_ETYPE, "column \"%s\" is %s, but the model was trained on %s",
                            ft->name, tbl_type_name(s->c->type), tbl_type_name(ft->type));
    if (!is_text_type(ft->type) || s->all_missing) return 0;

    s->level_of = wf_mallocarray(ft->nlevels + 1, sizeof *s->level_of);
    if (s->level_of == NULL) return wf_error_set(err, WF_ENOMEM, "out of memory");
    for (size_t i = 0; i < ft->nlevels; i++) {
        size_t before = tbl_dict_size(&s->levels);
        int32_t code = tbl_dict_intern(&s->levels, ft->levels[i], strlen(ft->levels[i]));
        if (code >= 0 && tbl_dict_size(&s->levels) > before) s->level_of[code] = (int32_t)i;
    }
    if (s->levels.failed) return wf_error_set(err, WF_ENOMEM, "out of memory");
    if (s->c->type != TBL_CATEGORICAL) return 0;

    /* Map the column's dictionary once, so each row is one array lookup. */
    size_t nl = s->c->levels.count;
    s->code_map = wf_mallocarray(nl + 1, sizeof *s->code_map);
    if (s->code_map == NULL) return wf_error_set(err, WF_ENOMEM, "out of memory");
    for (size_t i = 0; i < nl; i++) {
        size_t len;
        const char *str = tbl_strings_at(&s->c->levels, i, &len);
        int32_t code = tbl_dict_find(&s->levels, str, len);
        s->code_map[i] = code < 0 ? -1 : s->level_of[code];
    }
    return 0;
}

static void source_clear(source *s)
{
    tbl_dict_free(&s->levels);
    free(s->level_of);
    free(s->code_map);
}

/* The training level of row r, or -1 (missing or unseen). */
static int32_t level_at(const source *s, size_t r)
{
    const tbl_column *c = s->c;
    if (s->all_missing || tbl_is_missing(c, r)) return -1;
    if (c->type == TBL_CATEGORICAL) {
        int32_t code = c->v.codes[r];
        return code < 0 || (size_t)code >= c->levels.count ? -1 : s->code_map[code];
    }
    size_t len;
    const char *str = tbl_strings_at(&c->str, r, &len);
    int32_t code = tbl_dict_find(&s->levels, str, len);
    return code < 0 ? -1 : s->level_of[code];
}

/* Writes rows [r0, r1) of a number feature into its column of the matrix
 * out, whose first row is table row `first` (stride values a row). */
static void fill_numbers(const ml_feature *ft, const source *s, size_t r0, size_t r1, size_t first,
                         double *out, size_t stride)
{
    const tbl_column *c = s->c;
    double fill = ft->fill; /* NaN without imputation */
    double *o = out + (r0 - first) * stride + ft->first;
    if (s->all_missing) {
        for (size_t r = r0; r < r1; r++, o += stride)
            *o = fill;
        return;
    }
    const uint8_t *miss = c->missing;
    /* One loop per type keeps the inner loop free of switches. */
    switch (c->type) {
    case TBL_NUMERIC:
        for (size_t r = r0; r < r1; r++, o += stride) {
            double v = c->v.f64[r];
            *o = (miss && miss[r]) || isnan(v) ? fill : v;
        }
        break;
    case TBL_INTEGER:
        for (size_t r = r0; r < r1; r++, o += stride)
            *o = miss && miss[r] ? fill : (double)c->v.i64[r];
        break;
    case TBL_BOOLEAN:
        for (size_t r = r0; r < r1; r++, o += stride)
            *o = miss && miss[r] ? fill : (double)(c->v.b8[r] != 0);
        break;
    case TBL_DATETIME:
        for (size_t r = r0; r < r1; r++, o += stride)
            *o = miss && miss[r] ? fill : (double)c->v.i64[r] / 1e6;
        break;
    default:
        break;
    }
}

static void fill_levels(const ml_features *f, const ml_feature *ft, const source *s, size_t r0,
                        size_t r1, size_t first, double *out, size_t stride)
{
    double *o = out + (r0 - first) * stride + ft->first;
    for (size_t r = r0; r < r1; r++, o += stride) {
        int32_t level = level_at(s, r);
        if (f->encoding == ML_ONE_HOT) {
            memset(o, 0, ft->width * sizeof *o);
            if (level >= 0) o[level] = 1;
        } else {
            *o = level < 0 ? NAN : (double)level;
        }
    }
}

/* The matrix's buffer, uninitialised (every cell gets written). A large one
 * is aligned to 2 MiB and asks for transparent huge pages: faulting in
 * 4 KiB pages one by one costs three times as long as filling them. */
static int alloc_matrix(ml_matrix *m, size_t rows, size_t cols, wf_error *err)
{
    m->rows = rows;
    m->cols = cols;
    m->data = NULL;
    if (rows == 0 || cols == 0) return 0;
    if (cols > SIZE_MAX / sizeof(double) / rows)
        return wf_error_set(err, WF_ENOMEM, "a %zu x %zu matrix is too large", rows, cols);
    m->data = wf_alloc_large(rows * cols, sizeof(double));
    if (m->data == NULL)
        return wf_error_set(err, WF_ENOMEM, "out of memory for a %zu x %zu matrix", rows, cols);
    return 0;
}

struct ml_encoder {
    const ml_features *f;
    size_t nrows;
    source *src; /* one per feature */
};

void ml_encoder_free(ml_encoder *e)
{
    if (e == NULL) return;
    for (size_t i = 0; e->src != NULL && i < e->f->count; i++)
        source_clear(&e->src[i]);
    free(e->src);
    free(e);
}

int ml_encoder_new(const ml_features *f, const tbl_table *t, ml_encoder **out, wf_error *err)
{
    *out = NULL;
    ml_encoder *e = wf_calloc(1, sizeof *e);
    if (e == NULL) return wf_error_set(err, WF_ENOMEM, "out of memory");
    e->f = f;
    e->nrows = t->nrows;
    e->src = wf_calloc(f->count + 1, sizeof *e->src);
    int rc = e->src == NULL ? wf_error_set(err, WF_ENOMEM, "out of memory") : 0;
    for (size_t i = 0; i < f->count && rc == 0; i++)
        rc = prepare_source(&e->src[i], &f->items[i], t, err);
    if (rc < 0) {
        ml_encoder_free(e);
        return rc;
    }
    *out = e;
    return 0;
}

void ml_encoder_fill(const ml_encoder *e, size_t first, size_t count, double *out)
{
    const ml_features *f = e->f;
    size_t stride = f->width, end = first + count;
    for (size_t r0 = first; r0 < end; r0 += BLOCK_ROWS) {
        size_t r1 = r0 + BLOCK_ROWS < end ? r0 + BLOCK_ROWS : end;
        for (size_t i = 0; i < f->count; i++) {
            const ml_feature *ft = &f->items[i];
            if (is_number_type(ft->type))
                fill_numbers(ft, &e->src[i], r0, r1, first, out, stride);
            else
                fill_levels(f, ft, &e->src[i], r0, r1, first, out, stride);
        }
    }
}

int ml_features_matrix(const ml_features *f, const tbl_table *t, ml_matrix *out, wf_error *err)
{
    memset(out, 0, sizeof *out);
    ml_encoder *e = NULL;
    int rc = ml_encoder_new(f, t, &e, err);
    if (rc == 0) rc = alloc_matrix(out, t->nrows, f->width, err);
    if (rc == 0 && out->data != NULL) ml_encoder_fill(e, 0, t->nrows, out->data);
    ml_encoder_free(e);
    if (rc < 0) ml_matrix_clear(out);
    return rc;
}

/* ---- copies ------------------------------------------------------------- */

int ml_features_copy(ml_features *dst, const ml_features *src, wf_error *err)
{
    memset(dst, 0, sizeof *dst);
    dst->items = wf_calloc(src->count + 1, sizeof *dst->items);
    if (dst->items == NULL) goto oom;
    dst->encoding = src->encoding;
    dst->impute = src->impute;
    dst->width = src->width;
    for (size_t i = 0; i < src->count; i++) {
        const ml_feature *s = &src->items[i];
        ml_feature *d = &dst->items[i];
        dst->count = i + 1;
        *d = *s;
        d->name = NULL;
        d->levels = NULL;
        d->nlevels = 0;
        d->name = wf_strdup(s->name);
        d->levels = wf_calloc(s->nlevels + 1, sizeof *d->levels);
        if (d->name == NULL || d->levels == NULL) goto oom;
        for (size_t l = 0; l < s->nlevels; l++) {
            d->levels[l] = wf_strdup(s->levels[l]);
            if (d->levels[l] == NULL) goto oom;
            d->nlevels = l + 1;
        }
    }
    return 0;
oom:
    ml_features_clear(dst);
    return wf_error_set(err, WF_ENOMEM, "out of memory");
}

void ml_features_clear(ml_features *f)
{
    for (size_t i = 0; i < f->count; i++) {
        ml_feature *ft = &f->items[i];
        free(ft->name);
        for (size_t l = 0; l < ft->nlevels; l++)
            free(ft->levels[l]);
        free(ft->levels);
    }
    free(f->items);
    memset(f, 0, sizeof *f);
}

/* ---- labels ------------------------------------------------------------- */

int ml_label_numbers(const tbl_table *t, size_t col, double **y, wf_error *err)
{
    *y = NULL;
    if (col >= t->ncols)
        return wf_error_set(err, WF_EINVAL, "label column %zu is out of range (%zu columns)", col,
                            t->ncols);
    const tbl_column *c = &t->cols[col];
    if (c->type != TBL_NUMERIC && c->type != TBL_INTEGER && c->type != TBL_BOOLEAN)
        return wf_error_set(err, WF_ETYPE,
                            "label column \"%s\" is %s; a regression needs a numeric label",
                            c->name, tbl_type_name(c->type));
    double *v = wf_mallocarray(t->nrows + 1, sizeof *v);
    if (v == NULL) return wf_error_set(err, WF_ENOMEM, "out of memory");
    for (size_t r = 0; r < t->nrows; r++)
        v[r] = number_at(c, r);
    *y = v;
    return 0;
}

static int compare_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* Index of v in the sorted array keys[0..n), or -1. */
static int32_t find_double(const double *keys, size_t n, double v)
{
    size_t lo = 0, hi = n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (keys[mid] < v)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo < n && keys[lo] == v ? (int32_t)lo : -1;
}

static int add_class_name(ml_classes *classes, const char *s, size_t len)
{
    classes->names[classes->count] = wf_strndup(s, len);
    if (classes->names[classes->count] == NULL) return WF_ENOMEM;
    classes->count++;
    return 0;
}

/* Numbers (numeric, integer, datetime): the distinct values ascending. */
static int classes_of_numbers(const tbl_column *c, size_t nrows, ml_classes *classes, int32_t *y)
{
    double *keys = wf_mallocarray(nrows + 1, sizeof *keys);
    if (keys == NULL) return WF_ENOMEM;
    size_t n = 0;
    for (size_t r = 0; r < nrows; r++) {
        double v = tbl_is_missing(c, r)     ? NAN
                   : c->type == TBL_NUMERIC ? c->v.f64[r]
                                            : (double)c->v.i64[r];
        if (!isnan(v)) keys[n++] = v;
    }
    qsort(keys, n, sizeof *keys, compare_double);
    size_t k = 0;
    for (size_t i = 0; i < n; i++)
        if (k == 0 || keys[i] != keys[k - 1]) keys[k++] = keys[i];
    int rc = 0;
    classes->names = wf_calloc(k + 1, sizeof *classes->names);
    if (classes->names == NULL) rc = WF_ENOMEM;
    for (size_t i = 0; i < k && rc == 0; i++) {
        /* Name the class as the table shows the value. */
        double f64 = keys[i];
        int64_t i64 = (int64_t)keys[i];
        tbl_column one = {.type = c->type};
        if (c->type == TBL_NUMERIC)
            one.v.f64 = &f64;
        else
            one.v.i64 = &i64;
        char buf[64];
        size_t len = tbl_format_cell(&one, 0, buf, sizeof buf);
        rc = add_class_name(classes, buf, len < sizeof buf ? len : sizeof buf - 1);
    }
    for (size_t r = 0; r < nrows && rc == 0; r++) {
        double v = tbl_is_missing(c, r)     ? NAN
                   : c->type == TBL_NUMERIC ? c->v.f64[r]
                                            : (double)c->v.i64[r];
        y[r] = isnan(v) ? -1 : find_double(keys, k, v);
    }
    free(keys);
    return rc;
}

typedef struct indexed_text {
    text_ref text;
    size_t index;
} indexed_text;

static int compare_indexed_text(const void *a, const void *b)
{
    return compare_text(&((const indexed_text *)a)->text, &((const indexed_text *)b)->text);
}

/* The occurring values among refs[0..n) (y[r] indexes refs, -1 missing)
 * become the classes, in refs' order or sorted; y[r] becomes the class. */
static int rank_classes(const text_ref *refs, size_t n, bool sort, size_t nrows,
                        ml_classes *classes, int32_t *y)
{
    bool *seen = wf_calloc(n + 1, sizeof *seen);
    int32_t *rank = wf_mallocarray(n + 1, sizeof *rank);
    size_t *order = wf_mallocarray(n + 1, sizeof *order);
    classes->names = wf_calloc(n + 1, sizeof *classes->names);
    int rc = seen && rank && order && classes->names ? 0 : WF_ENOMEM;
    size_t k = 0;
    if (rc == 0) {
        for (size_t r = 0; r < nrows; r++)
            if (y[r] >= 0) seen[y[r]] = true;
        for (size_t i = 0; i < n; i++)
            if (seen[i]) order[k++] = i;
    }
    if (rc == 0 && sort) {
        indexed_text *pairs = wf_mallocarray(k + 1, sizeof *pairs);
        if (pairs == NULL) rc = WF_ENOMEM;
        for (size_t i = 0; rc == 0 && i < k; i++)
            pairs[i] = (indexed_text){refs[order[i]], order[i]};
        if (rc == 0) qsort(pairs, k, sizeof *pairs, compare_indexed_text);
        for (size_t i = 0; rc == 0 && i < k; i++)
            order[i] = pairs[i].index;
        free(pairs);
    }
    for (size_t i = 0; rc == 0 && i < k; i++) {
        rank[order[i]] = (int32_t)i;
        rc = add_class_name(classes, refs[order[i]].s, refs[order[i]].len);
    }
    for (size_t r = 0; rc == 0 && r < nrows; r++)
        if (y[r] >= 0) y[r] = rank[y[r]];
    free(seen);
    free(rank);
    free(order);
    return rc;
}

/* Texts (categorical, string) and booleans: a code per row, then classes. */
static int classes_of_texts(const tbl_column *c, size_t nrows, ml_classes *classes, int32_t *y)
{
    static const text_ref booleans[2] = {{"false", 5}, {"true", 4}};
    if (c->type == TBL_BOOLEAN) {
        for (size_t r = 0; r < nrows; r++)
            y[r] = tbl_is_missing(c, r) ? -1 : (int32_t)(c->v.b8[r] != 0);
        return rank_classes(booleans, 2, false, nrows, classes, y);
    }
    if (c->type == TBL_CATEGORICAL) {
        size_t n = c->levels.count;
        text_ref *refs = wf_mallocarray(n + 1, sizeof *refs);
        if (refs == NULL) return WF_ENOMEM;
        for (size_t i = 0; i < n; i++)
            refs[i].s = tbl_strings_at(&c->levels, i, &refs[i].len);
        for (size_t r = 0; r < nrows; r++) {
            int32_t code = c->v.codes[r];
            y[r] = tbl_is_missing(c, r) || code < 0 || (size_t)code >= n ? -1 : code;
        }
        int rc = rank_classes(refs, n, false, nrows, classes, y);
        free(refs);
        return rc;
    }
    /* Strings: intern, so each distinct value has one code. */
    tbl_dict dict = {0};
    for (size_t r = 0; r < nrows; r++) {
        size_t len;
        const char *s = tbl_strings_at(&c->str, r, &len);
        y[r] = tbl_is_missing(c, r) ? -1 : tbl_dict_intern(&dict, s, len);
    }
    size_t n = tbl_dict_size(&dict);
    text_ref *refs = dict.failed ? NULL : wf_mallocarray(n + 1, sizeof *refs);
    int rc = refs == NULL ? WF_ENOMEM : 0;
    for (size_t i = 0; rc == 0 && i < n; i++) {
        refs[i].s = dict.levels.data + dict.levels.offsets[i];
        refs[i].len = (size_t)(dict.levels.offsets[i + 1] - dict.levels.offsets[i]);
    }
    if (rc == 0) rc = rank_classes(refs, n, true, nrows, classes, y);
    free(refs);
    tbl_dict_free(&dict);
    return rc;
}

int ml_label_classes(const tbl_table *t, size_t col, ml_classes *classes, int32_t **y,
                     wf_error *err)
{
    memset(classes, 0, sizeof *classes);
    *y = NULL;
    if (col >= t->ncols)
        return wf_error_set(err, WF_EINVAL, "label column %zu is out of range (%zu columns)", col,
                            t->ncols);
    const tbl_column *c = &t->cols[col];
    int32_t *codes = wf_mallocarray(t->nrows + 1, sizeof *codes);
    if (codes == NULL) return wf_error_set(err, WF_ENOMEM, "out of memory");
    int rc = c->type == TBL_NUMERIC || c->type == TBL_INTEGER || c->type == TBL_DATETIME
                 ? classes_of_numbers(c, t->nrows, classes, codes)
                 : classes_of_texts(c, t->nrows, classes, codes);
    if (rc == 0 && classes->count == 0)
        rc = wf_error_set(err, WF_EINVAL, "label column \"%s\" has only missing values", c->name);
    else if (rc < 0)
        rc = wf_error_set(err, rc, "out of memory");
    if (rc < 0) {
        free(codes);
        ml_classes_clear(classes);
        return rc;
    }
    *y = codes;
    return 0;
}

typedef struct keyed_class {
    double key;
    int32_t index;
} keyed_class;

static int compare_keyed(const void *a, const void *b)
{
    return compare_double(&((const keyed_class *)a)->key, &((const keyed_class *)b)->key);
}

/* Numbers are matched by value, so 1, 1.0 and "1" meet. */
static int lookup_numbers(const tbl_column *c, size_t nrows, const ml_classes *classes, int32_t *y)
{
    keyed_class *keys = wf_mallocarray(classes->count + 1, sizeof *keys);
    double *sorted = wf_mallocarray(classes->count + 1, sizeof *sorted);
    if (keys == NULL || sorted == NULL) {
        free(keys);
        free(sorted);
        return WF_ENOMEM;
    }
    size_t k = 0;
    for (size_t i = 0; i < classes->count; i++) {
        const char *s = classes->names[i];
        double v;
        int64_t micros;
        bool ok = c->type == TBL_DATETIME
                      ? tbl_parse_datetime(s, strlen(s), &micros) == 0 && ((v = (double)micros), 1)
                      : tbl_parse_double(s, strlen(s), &v) == 0;
        if (ok) keys[k++] = (keyed_class){v, (int32_t)i};
    }
    qsort(keys, k, sizeof *keys, compare_keyed);
    for (size_t i = 0; i < k; i++)
        sorted[i] = keys[i].key;
    for (size_t r = 0; r < nrows; r++) {
        double v = tbl_is_missing(c, r)     ? NAN
                   : c->type == TBL_NUMERIC ? c->v.f64[r]
                                            : (double)c->v.i64[r];
        int32_t at = isnan(v) ? -1 : find_double(sorted, k, v);
        y[r] = at < 0 ? -1 : keys[at].index;
    }
    free(keys);
    free(sorted);
    return 0;
}

/* Texts and booleans are matched by name. */
static int lookup_texts(const tbl_column *c, size_t nrows, const ml_classes *classes, int32_t *y)
{
    tbl_dict dict = {0};
    int32_t *index_of = wf_mallocarray(classes->count + 1, sizeof *index_of);
    if (index_of == NULL) return WF_ENOMEM;
    for (size_t i = 0; i < classes->count; i++) {
        size_t before = tbl_dict_size(&dict);
        int32_t code = tbl_dict_intern(&dict, classes->names[i], strlen(classes->names[i]));
        if (code >= 0 && tbl_dict_size(&dict) > before) index_of[code] = (int32_t)i;
    }
    int rc = dict.failed ? WF_ENOMEM : 0;
    int32_t *code_map = NULL;
    if (rc == 0 && c->type == TBL_CATEGORICAL) {
        code_map = wf_mallocarray(c->levels.count + 1, sizeof *code_map);
        if (code_map == NULL) rc = WF_ENOMEM;
        for (size_t i = 0; rc == 0 && i < c->levels.count; i++) {
            size_t len;
            const char *s = tbl_strings_at(&c->levels, i, &len);
            int32_t code = tbl_dict_find(&dict, s, len);
            code_map[i] = code < 0 ? -1 : index_of[code];
        }
    }
    int32_t bools[2] = {-1, -1};
    if (rc == 0 && c->type == TBL_BOOLEAN) {
        /* Classes learnt from a boolean are "false" and "true"; from
         * numbers, "0" and "1". */
        int32_t f = tbl_dict_find(&dict, "false", 5), t = tbl_dict_find(&dict, "true", 4);
        if (f < 0 && t < 0) {
            f = tbl_dict_find(&dict, "0", 1);
            t = tbl_dict_find(&dict, "1", 1);
        }
        bools[0] = f < 0 ? -1 : index_of[f];
        bools[1] = t < 0 ? -1 : index_of[t];
    }
    for (size_t r = 0; rc == 0 && r < nrows; r++) {
        if (tbl_is_missing(c, r)) {
            y[r] = -1;
        } else if (c->type == TBL_CATEGORICAL) {
            int32_t code = c->v.codes[r];
            y[r] = code < 0 || (size_t)code >= c->levels.count ? -1 : code_map[code];
        } else if (c->type == TBL_BOOLEAN) {
            y[r] = bools[c->v.b8[r] != 0];
        } else {
            size_t len;
            const char *s = tbl_strings_at(&c->str, r, &len);
            int32_t code = tbl_dict_find(&dict, s, len);
            y[r] = code < 0 ? -1 : index_of[code];
        }
    }
    free(code_map);
    free(index_of);
    tbl_dict_free(&dict);
    return rc;
}

int ml_label_lookup(const tbl_table *t, size_t col, const ml_classes *classes, int32_t **y,
                    wf_error *err)
{
    *y = NULL;
    if (col >= t->ncols)
        return wf_error_set(err, WF_EINVAL, "label column %zu is out of range (%zu columns)", col,
                            t->ncols);
    const tbl_column *c = &t->cols[col];
    int32_t *codes = wf_mallocarray(t->nrows + 1, sizeof *codes);
    if (codes == NULL) return wf_error_set(err, WF_ENOMEM, "out of memory");
    int rc = c->type == TBL_NUMERIC || c->type == TBL_INTEGER || c->type == TBL_DATETIME
                 ? lookup_numbers(c, t->nrows, classes, codes)
                 : lookup_texts(c, t->nrows, classes, codes);
    if (rc < 0) {
        free(codes);
        return wf_error_set(err, rc, "out of memory");
    }
    *y = codes;
    return 0;
}

int ml_classes_copy(ml_classes *dst, const ml_classes *src, wf_error *err)
{
    memset(dst, 0, sizeof *dst);
    dst->names = wf_calloc(src->count + 1, sizeof *dst->names);
    if (dst->names == NULL) return wf_error_set(err, WF_ENOMEM, "out of memory");
    for (size_t i = 0; i < src->count; i++) {
        if (add_class_name(dst, src->names[i], strlen(src->names[i])) < 0) {
            ml_classes_clear(dst);
            return wf_error_set(err, WF_ENOMEM, "out of memory");
        }
    }
    return 0;
}

void ml_classes_clear(ml_classes *c)
{
    for (size_t i = 0; i < c->count; i++)
        free(c->names[i]);
    free(c->names);
    memset(c, 0, sizeof *c);
}
