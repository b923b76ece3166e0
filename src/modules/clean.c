/*
 * clean.c: Clean Missing Data (`clean-missing-data@1`): replaces the
 * missing values of chosen columns (by a given value, the mean, the median
 * or the mode), or removes the rows or columns that have them, as the Azure
 * designer's module does (without its MICE and Probabilistic PCA modes).
 * Fitting picks the columns whose share of missing values is in range and
 * computes their replacement values; applying fills, removes and adds the
 * indicator columns with them, so new data is cleaned with the training
 * statistics.
 */
#include "fitted.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

enum {
    CLEAN_CUSTOM,
    CLEAN_MEAN,
    CLEAN_MEDIAN,
    CLEAN_MODE,
    CLEAN_REMOVE_ROW,
    CLEAN_REMOVE_COLUMN,
};
static const char *const clean_modes[] = {
    "custom-substitution-value",
    "replace-with-mean",
    "replace-with-median",
    "replace-with-mode",
    "remove-entire-row",
    "remove-entire-column",
    NULL,
};

#define CLEAN_SUFFIX "_is_missing"

/* Whether row r of column c is missing (NaN counts, in numeric columns). */
static bool clean_missing(const tbl_column *c, size_t r)
{
    if (tbl_is_missing(c, r)) return true;
    if (c->type == TBL_NUMERIC) return isnan(c->v.f64[r]);
    /* A code outside the dictionary has no value either. */
    return c->type == TBL_CATEGORICAL &&
           (c->v.codes[r] < 0 || (size_t)c->v.codes[r] >= c->levels.count);
}

static size_t clean_count_missing(const tbl_column *c, size_t nrows)
{
    if (c->missing == NULL && c->type != TBL_NUMERIC && c->type != TBL_CATEGORICAL) return 0;
    size_t n = 0;
    for (size_t r = 0; r < nrows; r++)
        n += clean_missing(c, r);
    return n;
}

/* Whether mean and median turn the column into a numeric one. */
static bool clean_to_numeric(size_t mode, tbl_type type)
{
    return (mode == CLEAN_MEAN || mode == CLEAN_MEDIAN) && type != TBL_NUMERIC;
}

/* ---- fitting: replacement values ---------------------------------------- */

/* A value of column c's type as JSON: the replacement value `text` parsed
 * the way the CSV reader parses that type. NULL when it does not parse. */
static json_t *clean_parse_value(const tbl_column *c, const char *text)
{
    size_t len = strlen(text);
    double d;
    int64_t i;
    bool b;
    switch (c->type) {
    case TBL_NUMERIC:
        return tbl_parse_double(text, len, &d) == 0 ? json_real(d) : NULL;
    case TBL_INTEGER:
        return tbl_parse_int64(text, len, &i) == 0 ? json_integer(i) : NULL;
    case TBL_BOOLEAN:
        /* 0 and 1 too, so that the default replacement, 0, fits booleans. */
        if (strcmp(text, "0") == 0 || strcmp(text, "1") == 0) return json_boolean(text[0] == '1');
        return tbl_parse_bool(text, len, &b) == 0 ? json_boolean(b) : NULL;
    case TBL_DATETIME:
        return tbl_parse_datetime(text, len, &i) == 0 ? json_string(text) : NULL;
    default:
        return json_string(text);
    }
}

static double clean_mean(const tbl_column *c, size_t nrows)
{
    size_t n = 0;
    double sum = 0;
    for (size_t r = 0; r < nrows; r++) {
        if (clean_missing(c, r)) continue;
        n++;
        sum += c->type == TBL_BOOLEAN ? (double)c->v.b8[r] : mod__number_at(c, r);
    }
    return n > 0 ? sum / (double)n : NAN;
}

static int compare_int64(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return (x > y) - (x < y);
}

static int compare_text(const char *a, size_t alen, const char *b, size_t blen)
{
    int c = memcmp(a, b, alen < blen ? alen : blen);
    return c != 0 ? c : (alen > blen) - (alen < blen);
}

/* The length of the longest run in sorted[0..n) of 8-byte values, and the
 * index where the first such run starts (the smallest most-frequent
 * value). Equal means equal bits for integers and == for doubles. */
static size_t clean_longest_run(const void *sorted, size_t n, bool doubles, size_t *at)
{
    size_t best = 0;
    for (size_t i = 0, j; i < n; i = j) {
        if (doubles) {
            const double *s = sorted;
            for (j = i; j < n && s[j] == s[i]; j++)
                ;
        } else {
            const int64_t *s = sorted;
            for (j = i; j < n && s[j] == s[i]; j++)
                ;
        }
        if (j - i > best) {
            best = j - i;
            *at = i;
        }
    }
    return best;
}

/* The most frequent text value of c (string or categorical) into *out. */
static int clean_text_mode(mod_ctx *ctx, const tbl_column *c, size_t nrows, json_t **out)
{
    /* Intern every value, then count codes: the dictionary makes equal
     * strings one code whatever the column's own dictionary says. */
    tbl_dict d;
    memset(&d, 0, sizeof d);
    tbl_strings levels;
    memset(&levels, 0, sizeof levels);
    int32_t *codes = wf_mallocarray(nrows ? nrows : 1, sizeof *codes);
    size_t *counts = NULL, n = 0;
    bool ok = codes != NULL;
    for (size_t r = 0; ok && r < nrows; r++) {
        if (clean_missing(c, r)) continue;
        size_t len;
        const char *s = c->type == TBL_STRING
                            ? tbl_strings_at(&c->str, r, &len)
                            : tbl_strings_at(&c->levels, (size_t)c->v.codes[r], &len);
        ok = (codes[n++] = tbl_dict_intern(&d, s, len)) >= 0;
    }
    if (ok) {
        ok = tbl_dict_finish(&d, &levels) == 0;
    } else {
        tbl_dict_free(&d);
    }
    if (ok && levels.count == 0) *out = json_null();
    if (ok && levels.count > 0) ok = (counts = wf_calloc(levels.count, sizeof *counts)) != NULL;
    if (ok && levels.count > 0) {
        for (size_t i = 0; i < n; i++)
            counts[codes[i]]++;
        size_t pick = 0;
        for (size_t i = 1; i < levels.count; i++) {
            size_t la, lb;
            const char *a = tbl_strings_at(&levels, i, &la);
            const char *b = tbl_strings_at(&levels, pick, &lb);
            if (counts[i] > counts[pick] ||
                (counts[i] == counts[pick] && compare_text(a, la, b, lb) < 0))
                pick = i;
        }
        size_t len;
        const char *s = tbl_strings_at(&levels, pick, &len);
        *out = json_stringn(s, len);
    }
    free(codes);
    free(counts);
    tbl_strings_clear(&levels);
    if (!ok)
        return mod_fail(ctx, WF_ENOMEM, "out of memory finding the mode of column \"%s\"", c->name);
    return 0;
}

/* The most frequent value of c as JSON into *out; ties go to the smallest
 * value (numbers ascending, text by bytes, false before true), as pandas'
 * mode()[0]. JSON null when every value is missing. */
static int clean_mode(mod_ctx *ctx, const tbl_column *c, size_t nrows, json_t **out)
{
    if (c->type == TBL_STRING || c->type == TBL_CATEGORICAL)
        return clean_text_mode(ctx, c, nrows, out);
    if (c->type == TBL_BOOLEAN) {
        size_t count[2] = {0, 0};
        for (size_t r = 0; r < nrows; r++)
            if (!clean_missing(c, r)) count[c->v.b8[r] != 0]++;
        *out = count[0] + count[1] == 0 ? json_null() : json_boolean(count[1] > count[0]);
        return 0;
    }
    if (c->type == TBL_NUMERIC) {
        double *s = NULL;
        size_t n, at = 0;
        int rc = mod__sorted_numbers(ctx, c, nrows, &s, &n);
        if (rc < 0) return rc;
        *out = clean_longest_run(s, n, true, &at) > 0 ? json_real(s[at]) : json_null();
        free(s);
        return 0;
    }
    /* Integers and datetimes: sorted as integers, exactly. */
    int64_t *s = wf_mallocarray(nrows ? nrows : 1, sizeof *s);
    if (s == NULL)
        return mod_fail(ctx, WF_ENOMEM, "out of memory finding the mode of column \"%s\"", c->name);
    size_t n = 0, at = 0;
    for (size_t r = 0; r < nrows; r++)
        if (!clean_missing(c, r)) s[n++] = c->v.i64[r];
    qsort(s, n, sizeof *s, compare_int64);
    if (clean_longest_run(s, n, false, &at) == 0) {
        *out = json_null();
    } else if (c->type == TBL_INTEGER) {
        *out = json_integer(s[at]);
    } else {
        char text[64];
        tbl_format_datetime(s[at], text, sizeof text);
        *out = json_string(text);
    }
    free(s);
    return 0;
}

/* The median of the numbers of c (NaN when there are none): the middle
 * value, or the mean of the two middle values, as pandas' median(). */
static int clean_median(mod_ctx *ctx, const tbl_column *c, size_t nrows, double *out)
{
    double *s = NULL;
    size_t n;
    int rc = mod__sorted_numbers(ctx, c, nrows, &s, &n);
    if (rc < 0) return rc;
    *out = n == 0 ? NAN : n % 2 ? s[n / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
    free(s);
    return 0;
}

/* The replacement value of column c for `mode` as JSON into *fill (null
 * when it is undefined: every value missing). */
static int clean_fill_value(mod_ctx *ctx, size_t mode, const char *replacement, const tbl_column *c,
                            size_t nrows, const mod__stats *st, json_t **fill)
{
    *fill = NULL;
    int rc = 0;
    double d;
    if (mode == CLEAN_CUSTOM) {
        *fill = clean_parse_value(c, replacement);
    } else if (mode == CLEAN_MEAN) {
        double mean = st == NULL       ? clean_mean(c, nrows)
                      : st->count == 0 ? NAN
                                       : st->sum / (double)st->count;
        *fill = mod__json_number(mean);
    } else if (mode == CLEAN_MEDIAN) {
        if ((rc = clean_median(ctx, c, nrows, &d)) == 0) *fill = mod__json_number(d);
    } else {
        rc = clean_mode(ctx, c, nrows, fill);
    }
    if (rc == 0 && *fill == NULL) rc = mod_fail(ctx, WF_ENOMEM, "out of memory");
    return rc;
}

/* Whether `mode` works on columns of type t. */
static bool clean_type_fits(size_t mode, tbl_type t)
{
    if (mode == CLEAN_MEAN) return mod__is_number_type(t) || t == TBL_BOOLEAN;
    if (mode == CLEAN_MEDIAN) return mod__is_number_type(t);
    return true;
}

/* Checks that every selected column suits the mode (and, for a custom
 * value, that the value parses as the column's type). */
static int clean_check_columns(mod_ctx *ctx, size_t mode, const char *replacement,
                               const tbl_table *in, const size_t *idx, size_t n)
{
    const char *f = "columns_to_be_cleaned";
    for (size_t k = 0; k < n; k++) {
        const tbl_column *c = &in->cols[idx[k]];
        if (!clean_type_fits(mode, c->type))
            return mod__field_error(ctx, f, WF_ETYPE, "column \"%s\" is %s: %s works on %s columns",
                                    c->name, tbl_type_name(c->type), clean_modes[mode],
                                    mode == CLEAN_MEAN ? "numeric, integer and boolean"
                                                       : "numeric and integer");
        if (mode != CLEAN_CUSTOM) continue;
        json_t *v = clean_parse_value(c, replacement);
        if (v == NULL)
            return mod__field_error(ctx, "replacement_value", WF_ETYPE,
                                    "\"%s\" is not a value of column \"%s\", which is %s",
                                    replacement, c->name, tbl_type_name(c->type));
        json_decref(v);
    }
    return 0;
}

/* Whether the output schema depends on the data (configure cannot tell
 * it): removed columns, and, when the ratios do not take every column,
 * indicator columns and mean or median turning integers into numbers. */
static bool clean_schema_depends(size_t mode, double lo, double hi, bool indicators,
                                 const tbl_table *in, const size_t *idx, size_t n)
{
    if (mode == CLEAN_REMOVE_COLUMN) return true;
    if (lo <= 0 && hi >= 1) return false;
    bool converts = false;
    for (size_t k = 0; k < n; k++)
        converts = converts || clean_to_numeric(mode, in->cols[idx[k]].type);
    return indicators || converts;
}

static int clean_params(mod_ctx *ctx, size_t *mode, double *lo, double *hi, bool *indicators,
                        const char **replacement)
{
    *indicators = false;
    *replacement = NULL;
    int rc = mod__param_choice(ctx, "cleaning_mode", mode);
    if (rc == 0) rc = mod_param_number(ctx, "minimum_missing_value_ratio", lo);
    if (rc == 0) rc = mod_param_number(ctx, "maximum_missing_value_ratio", hi);
    if (rc == 0 && *lo > *hi)
        rc = mod_param_error(ctx, "minimum_missing_value_ratio",
                             "%.17g is above maximum_missing_value_ratio, %.17g", *lo, *hi);
    if (rc == 0 && *mode < CLEAN_REMOVE_ROW)
        rc = mod_param_bool(ctx, "generate_missing_value_indicator_column", indicators);
    if (rc == 0 && *mode == CLEAN_CUSTOM &&
        (*replacement = mod_param_string(ctx, "replacement_value")) == NULL)
        rc = mod_param_error(ctx, "replacement_value", "a value is required");
    return rc;
}

static int clean_fit(mod_ctx *ctx, const tbl_table *in, json_t **transform)
{
    const char *f = "columns_to_be_cleaned";
    size_t mode;
    double lo, hi;
    bool indicators;
    const char *replacement;
    int rc = clean_params(ctx, &mode, &lo, &hi, &indicators, &replacement);
    if (rc < 0) return rc;
    if (in == NULL) {
        tbl_selection sel;
        rc = mod_param_selection(ctx, f, &sel);
        tbl_selection_clear(&sel);
        return rc;
    }
    size_t *idx = NULL, n = 0, np = 0;
    if ((rc = mod__resolve_selection(ctx, f, in, &idx, &n)) < 0) return rc;
    rc = clean_check_columns(ctx, mode, replacement, in, idx, n);
    if (rc < 0 ||
        (ctx->schema_only && clean_schema_depends(mode, lo, hi, indicators, in, idx, n))) {
        free(idx);
        return rc;
    }
    json_t *state = json_pack("{s:s, s:b, s:[], s:[]}", "mode", clean_modes[mode], "indicators",
                              indicators, "fills", "drop");
    json_t *fills = json_object_get(state, "fills"), *drop = json_object_get(state, "drop");
    if (state == NULL) rc = mod_fail(ctx, WF_ENOMEM, "out of memory");
    size_t dirty = 0;
    for (size_t k = 0; k < n && rc == 0; k++) {
        const tbl_column *c = &in->cols[idx[k]];
        /* Numbers: one pass gives both the missing count and the mean. */
        mod__stats st;
        bool numbers = mod__is_number_type(c->type);
        if (numbers) mod__number_stats(c, in->nrows, false, &st);
        size_t missing = numbers ? in->nrows - st.count : clean_count_missing(c, in->nrows);
        double ratio = in->nrows > 0 ? (double)missing / (double)in->nrows : 0;
        if (ratio < lo || ratio > hi) continue;
        dirty += missing > 0;
        if (mode == CLEAN_REMOVE_COLUMN) {
            if (missing > 0 && json_array_append_new(drop, json_string(c->name)) < 0)
                rc = mod_fail(ctx, WF_ENOMEM, "out of memory");
            continue;
        }
        idx[np++] = idx[k];
        if (mode == CLEAN_REMOVE_ROW) continue;
        json_t *fill = NULL;
        if ((rc = clean_fill_value(ctx, mode, replacement, c, in->nrows, numbers ? &st : NULL,
                                   &fill)) < 0)
            break;
        if (json_array_append_new(fills, json_pack("{s:o}", "fill", fill)) < 0)
            rc = mod_fail(ctx, WF_ENOMEM, "out of memory");
        if (json_is_null(fill) && !ctx->schema_only)
            mod_log(ctx,
                    "column \"%s\" has no values to compute a replacement from: it stays "
                    "missing",
                    c->name);
        if (mod_cancelled(ctx)) rc = mod_fail(ctx, WF_ECANCELED, "cancelled");
    }
    if (rc < 0) {
        json_decref(state);
        free(idx);
        return rc;
    }
    *transform = mod__transform_new(ctx, &mod_clean_missing_data, in, idx, np, state);
    free(idx);
    if (*transform == NULL) return ctx->err.code;
    if (ctx->schema_only) return 0;
    if (mode == CLEAN_REMOVE_COLUMN)
        mod_log(ctx, "%s: %zu of %zu selected columns go", clean_modes[mode], json_array_size(drop),
                n);
    else
        mod_log(ctx,
                "%s: %zu of %zu selected columns have a missing-value ratio in [%g, %g], %zu of "
                "them with missing values",
                clean_modes[mode], np, n, lo, hi, dirty);
    return 0;
}

/* ---- applying ----------------------------------------------------------- */

/* A fill value of the wrong JSON type: the transform was edited. */
static int clean_bad_fill(mod_ctx *ctx, const tbl_column *c, tbl_type type)
{
    return mod_fail(ctx, WF_EINVAL,
                    "the clean-missing-data@1 transform is damaged: the replacement for column "
                    "\"%s\" is not a %s value",
                    c->name, tbl_type_name(type));
}

/* Fills a text column: a new string column, or categorical codes with the
 * fill value's level (added to the dictionary when new). */
static int clean_fill_text(mod_ctx *ctx, const char *fill, const tbl_column *src, size_t n,
                           tbl_column *dst)
{
    size_t flen = strlen(fill);
    if (src->type == TBL_STRING) {
        tbl_strings_builder sb;
        memset(&sb, 0, sizeof sb);
        for (size_t r = 0; r < n; r++) {
            size_t len;
            const char *s = tbl_strings_at(&src->str, r, &len);
            if (clean_missing(src, r))
                tbl_strings_append(&sb, fill, flen);
            else
                tbl_strings_append(&sb, s, len);
        }
        tbl_strings_clear(&dst->str);
        if (tbl_strings_finish(&sb, &dst->str) < 0)
            return mod_fail(ctx, WF_ENOMEM, "out of memory");
        return 0;
    }
    int32_t code = -1;
    tbl_strings_builder lb;
    memset(&lb, 0, sizeof lb);
    for (size_t i = 0; i < src->levels.count; i++) {
        size_t len;
        const char *s = tbl_strings_at(&src->levels, i, &len);
        if (code < 0 && len == flen && memcmp(s, fill, len) == 0) code = (int32_t)i;
        tbl_strings_append(&lb, s, len);
    }
    if (code < 0) {
        code = (int32_t)src->levels.count;
        tbl_strings_append(&lb, fill, flen);
    }
    tbl_strings_clear(&dst->levels);
    if (tbl_strings_finish(&lb, &dst->levels) < 0) return mod_fail(ctx, WF_ENOMEM, "out of memory");
    for (size_t r = 0; r < n; r++)
        dst->v.codes[r] = clean_missing(src, r) ? code : src->v.codes[r];
    return 0;
}

/* The cleaned copy of src into dst: its missing values (and NaN) replaced
 * by `fill`, or left missing when fill is null. Mean and median make
 * integer and boolean columns numeric. */
static int clean_fill_column(mod_ctx *ctx, size_t mode, const json_t *fill, const tbl_column *src,
                             size_t n, tbl_column *dst)
{
    /* New data may have integers where the training column (and so its
     * fill) was numeric: the column becomes numeric then. */
    bool real_fill = src->type == TBL_INTEGER && json_is_real(fill);
    tbl_type type = clean_to_numeric(mode, src->type) || real_fill ? TBL_NUMERIC : src->type;
    wf_error err = {0};
    int rc = mod__column_for_writing(ctx, dst, src->name, type, n);
    if (rc < 0) return rc;
    dst->role = src->role;
    bool has = !json_is_null(fill);
    if (!has) {
        /* Nothing to fill with: the values pass (converted) and the
         * missing rows stay missing. */
        for (size_t r = 0; r < n; r++)
            if (clean_missing(src, r) && tbl_set_missing(dst, r, n) < 0)
                return mod_fail(ctx, WF_ENOMEM, "out of memory");
    }
    switch (type) {
    case TBL_NUMERIC: {
        if (has && !json_is_number(fill)) return clean_bad_fill(ctx, src, type);
        double v = has ? json_number_value(fill) : 0;
        double *y = dst->v.f64;
        if (src->type == TBL_NUMERIC) {
            mod__fill_f64(src->v.f64, src->missing, n, v, y);
        } else {
            for (size_t r = 0; r < n; r++)
                y[r] = clean_missing(src, r)      ? v
                       : src->type == TBL_BOOLEAN ? (double)src->v.b8[r]
                                                  : (double)src->v.i64[r];
        }
        break;
    }
    case TBL_INTEGER:
    case TBL_DATETIME: {
        int64_t v = 0;
        if (has && type == TBL_INTEGER && !json_is_integer(fill))
            return clean_bad_fill(ctx, src, type);
        if (has && type == TBL_INTEGER) v = json_integer_value(fill);
        const char *s = json_string_value(fill);
        if (has && type == TBL_DATETIME && (s == NULL || tbl_parse_datetime(s, strlen(s), &v) < 0))
            return clean_bad_fill(ctx, src, type);
        for (size_t r = 0; r < n; r++)
            dst->v.i64[r] = clean_missing(src, r) ? v : src->v.i64[r];
        break;
    }
    case TBL_BOOLEAN:
        if (has && !json_is_boolean(fill)) return clean_bad_fill(ctx, src, type);
        for (size_t r = 0; r < n; r++)
            dst->v.b8[r] = clean_missing(src, r) ? json_is_true(fill) : src->v.b8[r];
        break;
    default: {
        const char *s = has ? json_string_value(fill) : NULL;
        if (has && s == NULL) return clean_bad_fill(ctx, src, type);
        if (has) return clean_fill_text(ctx, s, src, n, dst);
        /* No fill: an exact copy of the text. */
        tbl_column copy;
        if (tbl_column_copy(&copy, src, n, &err) < 0) return mod_fail_with(ctx, &err);
        tbl_column_clear(dst);
        *dst = copy;
        for (size_t r = 0; r < n; r++)
            if (clean_missing(src, r) && tbl_set_missing(dst, r, n) < 0)
                return mod_fail(ctx, WF_ENOMEM, "out of memory");
    }
    }
    return 0;
}

/* The indicator column of src: true where a value is missing. */
static int clean_indicator(mod_ctx *ctx, const tbl_column *src, size_t n, tbl_table *out)
{
    size_t len = strlen(src->name) + sizeof CLEAN_SUFFIX;
    char *name = malloc(len);
    if (name == NULL) return mod_fail(ctx, WF_ENOMEM, "out of memory");
    snprintf(name, len, "%s%s", src->name, CLEAN_SUFFIX);
    tbl_column c;
    wf_error err = {0};
    int rc = tbl_column_init(&c, name, TBL_BOOLEAN, n, &err);
    free(name);
    if (rc < 0) return mod_fail_with(ctx, &err);
    for (size_t r = 0; r < n; r++)
        c.v.b8[r] = clean_missing(src, r);
    return mod__add_column_unique(ctx, out, &c);
}

/* remove-entire-row: the rows with no missing value in the bound columns. */
static int clean_remove_rows(mod_ctx *ctx, const mod__bound *b, tbl_table **out)
{
    const tbl_table *t = b->t;
    bool *keep = wf_mallocarray(t->nrows ? t->nrows : 1, sizeof *keep);
    if (keep == NULL) return mod_fail(ctx, WF_ENOMEM, "out of memory");
    for (size_t r = 0; r < t->nrows; r++) {
        keep[r] = true;
        for (size_t k = 0; k < b->n && keep[r]; k++)
            keep[r] = !clean_missing(&t->cols[b->idx[k]], r);
    }
    wf_error err = {0};
    int rc = tbl_filter(t, keep, out, &err);
    free(keep);
    if (rc < 0) return mod_fail_with(ctx, &err);
    if (!ctx->schema_only)
        mod_log(ctx, "removed %zu of %zu rows", t->nrows - (*out)->nrows, t->nrows);
    return 0;
}

/* remove-entire-column: every column but those the state's "drop" names
 * (a named column the table lacks is already gone). */
static int clean_remove_columns(mod_ctx *ctx, const mod__bound *b, tbl_table **out)
{
    const json_t *drop = json_object_get(b->state, "drop");
    if (!json_is_array(drop))
        return mod_fail(ctx, WF_EINVAL,
                        "the clean-missing-data@1 transform is damaged: \"drop\" is not a list");
    tbl_table *res = mod__empty_like(ctx, b->t);
    if (res == NULL) return ctx->err.code;
    int rc = 0;
    for (size_t j = 0; j < b->t->ncols && rc == 0; j++) {
        bool dropped = false;
        for (size_t k = 0; k < json_array_size(drop) && !dropped; k++) {
            const char *name = json_string_value(json_array_get(drop, k));
            dropped = name != NULL && strcmp(name, b->t->cols[j].name) == 0;
        }
        if (!dropped) rc = mod__copy_column(ctx, res, b->t, j);
    }
    if (rc < 0) {
        tbl_free(res);
        return rc;
    }
    *out = res;
    return 0;
}

/* The replace modes: each bound column filled in place, then the indicator
 * columns, if asked, after all the others. */
static int clean_replace(mod_ctx *ctx, size_t mode, bool indicators, const mod__bound *b,
                         tbl_table **out)
{
    const json_t *fills = mod__state_list(ctx, &mod_clean_missing_data, b->state, "fills", b->n);
    if (fills == NULL) return ctx->err.code;
    const tbl_table *t = b->t;
    long *which = wf_mallocarray(t->ncols ? t->ncols : 1, sizeof *which);
    tbl_table *res = mod__empty_like(ctx, t);
    int rc = which == NULL || res == NULL ? mod_fail(ctx, WF_ENOMEM, "out of memory") : 0;
    for (size_t j = 0; rc == 0 && j < t->ncols; j++)
        which[j] = -1;
    for (size_t k = 0; rc == 0 && k < b->n; k++) {
        which[b->idx[k]] = (long)k;
        const json_t *fill = json_object_get(json_array_get(fills, k), "fill");
        if (fill == NULL)
            rc = mod_fail(ctx, WF_EINVAL,
                          "the clean-missing-data@1 transform is damaged: entry %zu of \"fills\" "
                          "has no \"fill\"",
                          k + 1);
        else if (!clean_type_fits(mode, t->cols[b->idx[k]].type))
            rc = mod_fail(ctx, WF_ETYPE, "column \"%s\" is %s: %s does not apply to it",
                          t->cols[b->idx[k]].name, tbl_type_name(t->cols[b->idx[k]].type),
                          clean_modes[mode]);
    }
    for (size_t j = 0; rc == 0 && j < t->ncols; j++) {
        if (which[j] < 0) {
            rc = mod__copy_column(ctx, res, t, j);
            continue;
        }
        const json_t *fill = json_object_get(json_array_get(fills, (size_t)which[j]), "fill");
        tbl_column c;
        memset(&c, 0, sizeof c);
        rc = clean_fill_column(ctx, mode, fill, &t->cols[j], t->nrows, &c);
        if (rc == 0)
            rc = mod__add_column_unique(ctx, res, &c);
        else
            tbl_column_clear(&c);
    }
    for (size_t k = 0; rc == 0 && indicators && k < b->n; k++)
        rc = clean_indicator(ctx, &t->cols[b->idx[k]], t->nrows, res);
    free(which);
    if (rc < 0) {
        tbl_free(res);
        return rc;
    }
    *out = res;
    return 0;
}

static int clean_apply(mod_ctx *ctx, const json_t *transform, const tbl_table *in, tbl_table **out)
{
    *out = NULL;
    const mod_descriptor *m = &mod_clean_missing_data;
    mod__bound b;
    int rc = mod__transform_bind(ctx, m, transform, in, &b);
    if (rc < 0) return rc;
    const char *name = mod__state_string(ctx, m, b.state, "mode");
    size_t mode = 0;
    while (name != NULL && clean_modes[mode] != NULL && strcmp(clean_modes[mode], name) != 0)
        mode++;
    bool indicators = false;
    if (name == NULL)
        rc = ctx->err.code;
    else if (clean_modes[mode] == NULL)
        rc = mod_fail(ctx, WF_EINVAL,
                      "the clean-missing-data@1 transform names an unknown mode \"%s\"", name);
    if (rc == 0) rc = mod__state_bool(ctx, m, b.state, "indicators", &indicators);
    if (rc == 0 && mode == CLEAN_REMOVE_ROW)
        rc = clean_remove_rows(ctx, &b, out);
    else if (rc == 0 && mode == CLEAN_REMOVE_COLUMN)
        rc = clean_remove_columns(ctx, &b, out);
    else if (rc == 0)
        rc = clean_replace(ctx, mode, indicators, &b, out);
    mod__bound_clear(&b);
    return rc;
}

static int clean_run(mod_ctx *ctx)
{
    return mod__fit_and_apply(ctx, "dataset", "cleaned_dataset", "cleaning_transformation",
                              clean_fit);
}

/* ---- the descriptor ----------------------------------------------------- */

static const mod_port clean_in[] = {
    {.name = "dataset", .kind = MOD_TABLE, .help = "The table with missing values to clean."},
};

static const mod_port clean_out[] = {
    {.name = "cleaned_dataset",
     .kind = MOD_TABLE,
     .help = "The table with the selected columns cleaned."},
    {.name = "cleaning_transformation",
     .kind = MOD_TRANSFORM,
     .help = "The fitted cleaning (columns and replacement values), for Apply Transformation."},
};

static const mod_param clean_params_spec[] = {
    {.name = "columns_to_be_cleaned",
     .label = "Columns to be cleaned",
     .type = MOD_PARAM_COLUMN_SELECTION,
     .required = true,
     .input = "dataset",
     .help = "The columns whose missing values to clean."},
    {.name = "minimum_missing_value_ratio",
     .label = "Minimum missing value ratio",
     .type = MOD_PARAM_NUMBER,
     .default_json = "0",
     .has_min = true,
     .min = 0,
     .has_max = true,
     .max = 1,
     .help = "Clean a column only when its share of missing values is at least this."},
    {.name = "maximum_missing_value_ratio",
     .label = "Maximum missing value ratio",
     .type = MOD_PARAM_NUMBER,
     .default_json = "1",
     .has_min = true,
     .min = 0,
     .has_max = true,
     .max = 1,
     .help = "Clean a column only when its share of missing values is at most this."},
    {.name = "cleaning_mode",
     .label = "Cleaning mode",
     .type = MOD_PARAM_ENUM,
     .default_json = "\"custom-substitution-value\"",
     .choices = clean_modes,
     .help = "Replace missing values with a given value, the mean, the median or the mode, or "
             "remove the rows or the columns that have them."},
    {.name = "replacement_value",
     .label = "Replacement value",
     .type = MOD_PARAM_STRING,
     .default_json = "\"0\"",
     .visible_when = "cleaning_mode=custom-substitution-value",
     .help = "The value that replaces missing values, read as each column's type (a number, "
             "true/false, a date, or text)."},
    {.name = "generate_missing_value_indicator_column",
     .label = "Generate missing value indicator column",
     .type = MOD_PARAM_BOOL,
     .default_json = "false",
     .visible_when = "cleaning_mode=custom-substitution-value|replace-with-mean|"
                     "replace-with-median|replace-with-mode",
     .help = "Add a boolean column `<name>_is_missing` per cleaned column, true where the value "
             "was missing."},
};

const mod_descriptor mod_clean_missing_data = {
    .name = "clean-missing-data",
    .version = 1,
    .display_name = "Clean Missing Data",
    .category = "Data Transformation",
    .help =
        "Replaces the missing values of the selected columns, or removes the rows or columns "
        "that have them. The replacement values (a mean, a median, a mode) are computed on "
        "this input and kept in the `cleaning_transformation` output, so that Apply "
        "Transformation cleans new data with the training values.\n"
        "\n"
        "A value is missing when it is marked missing; NaN in a numeric column counts too.\n"
        "\n"
        "## Parameters\n"
        "\n"
        "- **Columns to be cleaned** (`columns_to_be_cleaned`, required).\n"
        "- **Minimum missing value ratio** (`minimum_missing_value_ratio`, default 0) and "
        "**Maximum missing value ratio** (`maximum_missing_value_ratio`, default 1): a selected "
        "column is cleaned only when `missing rows / rows` is within [minimum, maximum]. The "
        "minimum above the maximum is an error.\n"
        "- **Cleaning mode** (`cleaning_mode`, default `custom-substitution-value`):\n"
        "  - `custom-substitution-value`: the **Replacement value** (`replacement_value`, "
        "default `0`), read as the column's type; a value that does not fit a selected column "
        "(`abc` for a numeric column) is an error naming the column.\n"
        "  - `replace-with-mean`: the mean; numeric, integer and boolean columns, which become "
        "numeric.\n"
        "  - `replace-with-median`: the median (the mean of the two middle values for an even "
        "count); numeric and integer columns, which become numeric.\n"
        "  - `replace-with-mode`: the most frequent value; any type. Ties go to the smallest "
        "value (numbers ascending, text by bytes, false before true), as pandas' "
        "`mode()[0]`.\n"
        "  - `remove-entire-row`: drops every row with a missing value in a cleaned column.\n"
        "  - `remove-entire-column`: drops every cleaned column that has a missing value.\n"
        "  A column of a type the mode does not take is an error naming it. Azure's "
        "\"Replace using MICE\" and \"Replace using Probabilistic PCA\" are not available.\n"
        "- **Generate missing value indicator column** "
        "(`generate_missing_value_indicator_column`, default false; the replace modes): adds "
        "a boolean column `<name>_is_missing` after all others for each cleaned column, true "
        "where its value was missing.\n"
        "\n"
        "## Missing values and roles\n"
        "\n"
        "Statistics skip missing values. A column with no value at all has no mean, median or "
        "mode: its values stay missing (the log says so). Cleaned columns keep their names, "
        "positions and roles; indicator columns are features. Columns that are not cleaned "
        "pass through unchanged.\n"
        "\n"
        "## Outputs\n"
        "\n"
        "- **cleaned_dataset**: the cleaned table.\n"
        "- **cleaning_transformation**: the fitted transform (docs/formats.md, \"Fitted "
        "transforms\"): on new data, the same columns are filled with the training values, "
        "the same rows rule removes rows, and the same columns are removed.\n"
        "\n"
        "## Example\n"
        "\n"
        "Fill the numeric columns with their means and flag what was filled:\n"
        "\n"
        "```json\n"
        "{\"columns_to_be_cleaned\": {\"include\": [{\"type\": \"numeric\"}]},\n"
        " \"cleaning_mode\": \"replace-with-mean\",\n"
        " \"generate_missing_value_indicator_column\": true}\n"
        "```\n",
    MOD_PORTS(inputs, clean_in),
    MOD_PORTS(outputs, clean_out),
    MOD_PARAMS(clean_params_spec),
    .configure = clean_run,
    .run = clean_run,
    .apply = clean_apply,
};
