/*
 * cast.c: converting a column to another type, as Edit Metadata and Convert
 * to Dataset do. Text goes to other types by the readers' parsers (so a cast
 * accepts what a CSV import would have inferred) and other types go to text
 * by tbl_format_cell (what the CSV writer prints). Between numbers, a cast
 * never rounds silently: 2.5 is not an integer and 2 is not a boolean.
 *
 * NaN counts as missing in a cast out of numeric: the readers already treat
 * the text "NaN" as missing, and no other type has a NaN to carry it.
 *
 * Supported (from -> to): any type to string or categorical; string and
 * categorical to any type; numeric, integer and boolean among themselves.
 * Datetimes convert only to and from text: a number has no unit to say
 * whether it counts seconds or microseconds.
 */
#include "ops_int.h"

#include <stdlib.h>
#include <string.h>

/* One converted value; the target type says which field holds it. */
typedef struct tbl__scalar {
    double f;
    int64_t i;
    uint8_t b;
} tbl__scalar;

/* What converting one cell gave. */
enum { TBL__CAST_OK = 0, TBL__CAST_MISSING = 1, TBL__CAST_BAD = 2 };

static bool tbl__cast_supported(tbl_type from, tbl_type to)
{
    if (from == to || tbl__is_text(from) || tbl__is_text(to)) return true;
    if (from == TBL_DATETIME || to == TBL_DATETIME) return false;
    return true; /* numeric, integer and boolean */
}

static bool tbl__whole(double d, int64_t *out)
{
    if (!(d >= -9223372036854775808.0 && d < 9223372036854775808.0)) return false;
    if (d != (double)(int64_t)d) return false;
    *out = (int64_t)d;
    return true;
}

/* A number (an integer i when is_int, else d) as type `to`. */
static int tbl__from_number(bool is_int, int64_t i, double d, tbl_type to, tbl__scalar *v)
{
    if (!is_int && isnan(d)) return TBL__CAST_MISSING;
    switch (to) {
    case TBL_NUMERIC:
        v->f = is_int ? (double)i : d;
        return TBL__CAST_OK;
    case TBL_INTEGER:
        if (is_int) {
            v->i = i;
            return TBL__CAST_OK;
        }
        return tbl__whole(d, &v->i) ? TBL__CAST_OK : TBL__CAST_BAD;
    case TBL_BOOLEAN:
        if (is_int ? (i != 0 && i != 1) : (d != 0 && d != 1)) return TBL__CAST_BAD;
        v->b = is_int ? (uint8_t)i : (uint8_t)(d == 1);
        return TBL__CAST_OK;
    default:
        return TBL__CAST_BAD;
    }
}

static bool tbl__is_space(char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/* Text as type `to`. Surrounding white space is ignored, and the readers'
 * missing tokens ("", "NA", "?", ...) become missing. */
static int tbl__from_text(const char *s, size_t len, tbl_type to, tbl__scalar *v)
{
    while (len > 0 && tbl__is_space(s[0]))
        s++, len--;
    while (len > 0 && tbl__is_space(s[len - 1]))
        len--;
    if (tbl_is_missing_token(s, len)) return TBL__CAST_MISSING;
    bool b;
    switch (to) {
    case TBL_NUMERIC:
        return tbl_parse_double(s, len, &v->f) == 0 ? TBL__CAST_OK : TBL__CAST_BAD;
    case TBL_INTEGER:
        if (tbl_parse_int64(s, len, &v->i) == 0) return TBL__CAST_OK;
        /* "3.0" and "1e3" name whole numbers too. */
        if (tbl_parse_double(s, len, &v->f) == 0 && tbl__whole(v->f, &v->i)) return TBL__CAST_OK;
        return TBL__CAST_BAD;
    case TBL_BOOLEAN:
        /* The readers infer 0/1 as integers; a cast asked for booleans. */
        if (len == 1 && (s[0] == '0' || s[0] == '1')) {
            v->b = s[0] == '1';
            return TBL__CAST_OK;
        }
        if (tbl_parse_bool(s, len, &b) != 0) return TBL__CAST_BAD;
        v->b = b;
        return TBL__CAST_OK;
    case TBL_DATETIME:
        return tbl_parse_datetime(s, len, &v->i) == 0 ? TBL__CAST_OK : TBL__CAST_BAD;
    default:
        return TBL__CAST_BAD;
    }
}

static void tbl__store(tbl_column *dst, size_t row, const tbl__scalar *v)
{
    switch (dst->type) {
    case TBL_NUMERIC:
        dst->v.f64[row] = v->f;
        break;
    case TBL_INTEGER:
    case TBL_DATETIME:
        dst->v.i64[row] = v->i;
        break;
    case TBL_BOOLEAN:
        dst->v.b8[row] = v->b;
        break;
    default:
        break;
    }
}

static const char *tbl__what(tbl_type to)
{
    switch (to) {
    case TBL_NUMERIC:
        return "a number";
    case TBL_INTEGER:
        return "an integer";
    case TBL_BOOLEAN:
        return "a boolean (true/false, yes/no or 0/1)";
    case TBL_DATETIME:
        return "a date-time";
    default:
        return "convertible";
    }
}

static int tbl__bad_value(const tbl_column *src, size_t row, tbl_type to, wf_error *err)
{
    if (tbl__is_text(src->type)) {
        size_t len;
        const char *s = tbl__cell_text(src, row, &len);
        int show = len > 64 ? 64 : (int)len;
        return wf_error_set(err, WF_EPARSE, "column \"%s\", row %zu: \"%.*s%s\" is not %s",
                            src->name, row + 1, show, s, len > 64 ? "..." : "", tbl__what(to));
    }
    char buf[64];
    tbl_format_cell(src, row, buf, sizeof buf);
    return wf_error_set(err, WF_EPARSE, "column \"%s\", row %zu: %s is not %s", src->name, row + 1,
                        buf, tbl__what(to));
}

/* Categorical to a non-text type: each level is parsed once. */
typedef struct tbl__level_cache {
    uint8_t *state; /* 0 = not yet parsed, else TBL__CAST_* + 1 */
    tbl__scalar *value;
} tbl__level_cache;

static int tbl__convert_cell(const tbl_column *src, size_t row, tbl_type to,
                             tbl__level_cache *cache, tbl__scalar *v)
{
    size_t len;
    switch (src->type) {
    case TBL_NUMERIC:
        return tbl__from_number(false, 0, src->v.f64[row], to, v);
    case TBL_INTEGER:
        return tbl__from_number(true, src->v.i64[row], 0, to, v);
    case TBL_BOOLEAN:
        return tbl__from_number(true, src->v.b8[row] != 0, 0, to, v);
    case TBL_STRING: {
        const char *s = tbl__cell_text(src, row, &len);
        return tbl__from_text(s, len, to, v);
    }
    case TBL_CATEGORICAL: {
        int32_t code = src->v.codes[row];
        if (cache->state[code] == 0) {
            const char *s = tbl__cell_text(src, row, &len);
            cache->state[code] = (uint8_t)(tbl__from_text(s, len, to, &cache->value[code]) + 1);
        }
        *v = cache->value[code];
        return cache->state[code] - 1;
    }
    case TBL_DATETIME:
        break;
    }
    return TBL__CAST_BAD;
}

static int tbl__cast_to_value(tbl_column *dst, const tbl_column *src, size_t n,
                              bool invalid_to_missing, wf_error *err)
{
    tbl__level_cache cache = {NULL, NULL};
    if (src->type == TBL_CATEGORICAL) {
        cache.state = wf_calloc(src->levels.count, 1);
        cache.value = wf_calloc(src->levels.count, sizeof *cache.value);
        if (cache.state == NULL || cache.value == NULL) goto oom;
    }
    int rc = 0;
    for (size_t r = 0; r < n && rc == 0; r++) {
        tbl__scalar v = {0, 0, 0};
        int got = TBL__CAST_MISSING;
        if (!tbl__cell_missing(src, r)) got = tbl__convert_cell(src, r, dst->type, &cache, &v);
        if (got == TBL__CAST_BAD && !invalid_to_missing)
            rc = tbl__bad_value(src, r, dst->type, err);
        else if (got != TBL__CAST_OK && tbl_set_missing(dst, r, n) < 0)
            goto oom;
        else if (got == TBL__CAST_OK)
            tbl__store(dst, r, &v);
    }
    free(cache.state);
    free(cache.value);
    return rc;
oom:
    free(cache.state);
    free(cache.value);
    return wf_error_set(err, WF_ENOMEM, "out of memory converting column \"%s\"", src->name);
}

/* Any type to string or categorical: each cell's text. A categorical's
 * levels start with `seed`'s (NULL: none), in their order. */
static int tbl__cast_to_text(tbl_column *dst, const tbl_column *src, size_t n,
                             const tbl_strings *seed, wf_error *err)
{
    tbl_strings_builder sb = {0};
    tbl_dict dict = {0};
    char buf[64];
    for (size_t k = 0; seed != NULL && dst->type == TBL_CATEGORICAL && k < seed->count; k++) {
        size_t len;
        const char *s = tbl_strings_at(seed, k, &len);
        if (tbl_dict_intern(&dict, s, len) < 0) goto oom;
    }
    for (size_t r = 0; r < n; r++) {
        bool miss = tbl__cell_missing(src, r) || (src->type == TBL_NUMERIC && isnan(src->v.f64[r]));
        size_t len = 0;
        const char *s = "";
        if (miss) {
            if (tbl_set_missing(dst, r, n) < 0) goto oom;
        } else if (tbl__is_text(src->type)) {
            s = tbl__cell_text(src, r, &len);
        } else {
            /* Numbers and dates print in well under 64 bytes. */
            len = tbl_format_cell(src, r, buf, sizeof buf);
            if (len >= sizeof buf) len = sizeof buf - 1;
            s = buf;
        }
        if (dst->type == TBL_STRING)
            tbl_strings_append(&sb, s, len);
        else if (!miss)
            dst->v.codes[r] = tbl_dict_intern(&dict, s, len);
    }
    if (dst->type == TBL_STRING) {
        tbl_strings_clear(&dst->str);
        if (tbl_strings_finish(&sb, &dst->str) < 0) goto oom;
    } else {
        tbl_strings_clear(&dst->levels);
        if (tbl_dict_finish(&dict, &dst->levels) < 0) goto oom;
    }
    return 0;
oom:
    tbl_strings_builder_free(&sb);
    tbl_dict_free(&dict);
    return wf_error_set(err, WF_ENOMEM, "out of memory converting column \"%s\"", src->name);
}

/* Rows in messages count from 1, as a person reads a table. The column
 * keeps its name and role. On failure the table is unchanged. */
static int tbl__cast(tbl_table *t, size_t i, tbl_type to, bool invalid_to_missing,
                     const tbl_strings *seed, wf_error *err)
{
    if (i >= t->ncols)
        return wf_error_set(err, WF_EINVAL,
                            "cast: column index %zu is out of range: the table has %zu columns", i,
                            t->ncols);
    if ((unsigned)to >= TBL_TYPE_COUNT)
        return wf_error_set(err, WF_EINVAL, "cast: unknown type %d", (int)to);
    tbl_column *src = &t->cols[i];
    if (src->type == to) return 0;
    if (!tbl__cast_supported(src->type, to))
        return wf_error_set(err, WF_ETYPE, "column \"%s\": cannot convert %s to %s", src->name,
                            tbl_type_name(src->type), tbl_type_name(to));
    tbl_column dst;
    int rc = tbl_column_init(&dst, src->name, to, t->nrows, err);
    if (rc < 0) return rc;
    dst.role = src->role;
    if (tbl__is_text(to))
        rc = tbl__cast_to_text(&dst, src, t->nrows, seed, err);
    else
        rc = tbl__cast_to_value(&dst, src, t->nrows, invalid_to_missing, err);
    if (rc < 0) {
        tbl_column_clear(&dst);
        return rc;
    }
    tbl_compact_missing(&dst, t->nrows);
    /* Only now, with the new column complete, does the old one go: a failed
     * cast leaves the table as it was. */
    tbl_column_clear(src);
    *src = dst;
    return 0;
}

int tbl_cast_column(tbl_table *t, size_t i, tbl_type to, bool invalid_to_missing, wf_error *err)
{
    return tbl__cast(t, i, to, invalid_to_missing, NULL, err);
}

int tbl_cast_column_like(tbl_table *t, size_t i, const tbl_column *like, wf_error *err)
{
    return tbl__cast(t, i, like->type, false, like->type == TBL_CATEGORICAL ? &like->levels : NULL,
                     err);
}
