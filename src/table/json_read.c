/*
 * json_read.c: a table from JSON, parsed by jansson. Two shapes are read:
 *
 *     [{"a": 1, "b": "x"}, {"a": 2}]        an array of records
 *     {"a": [1, 2], "b": ["x", null]}       an object of columns
 *
 * Records: the columns are the union of the records' keys in first-seen
 * order, and a key a record lacks is missing there. Columns: every array
 * must have the same length. A record's duplicate key is an error, as is a
 * nested object or array as a value: a table cell holds one value.
 *
 * Each column's type comes from all of its values:
 *   - only numbers: integer when every number is written as an integer
 *     (2, not 2.0 or 2e0) and fits int64, else numeric. A file whose
 *     integers do not all fit int64 has all its numbers read as numeric;
 *   - only true/false: boolean;
 *   - anything with strings in it: the values are read as text, the way the
 *     CSV reader reads fields (tbl_column_from_text), so ISO and "2001/01/14
 *     21:55" dates become datetime, numeric strings become numbers and
 *     low-cardinality strings become categorical. Numbers and booleans
 *     mixed in are taken as their JSON text: [1, "x"] is a text column
 *     holding "1" and "x", while [1, "2"] is an integer column;
 *   - null, an absent key and the missing-value strings of every reader
 *     ("", "NA", "null", ...) are missing. An all-missing column is string.
 */
#include "table.h"

#include <jansson.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* What a column's values hold, counted before choosing its type. */
typedef struct tbl__json_kinds {
    size_t integral, fractional, booleans, strings;
} tbl__json_kinds;

static const char *tbl__json_type_name(const json_t *v)
{
    switch (json_typeof(v)) {
    case JSON_OBJECT:
        return "an object";
    case JSON_ARRAY:
        return "an array";
    case JSON_STRING:
        return "a string";
    case JSON_INTEGER:
    case JSON_REAL:
        return "a number";
    case JSON_TRUE:
    case JSON_FALSE:
        return "a boolean";
    case JSON_NULL:
        return "null";
    }
    return "a value";
}

/* A number is integral when it is written as an integer: 2 is, 2.0 and 2e0
 * are not (as in pandas and Arrow). jansson keeps that distinction, and it
 * makes tbl_write_json's output read back as the same types. */
static bool tbl__json_integral(const json_t *v, int64_t *out)
{
    if (!json_is_integer(v)) return false;
    *out = (int64_t)json_integer_value(v);
    return true;
}

/* Where value `row` of a column is, for messages. */
static void tbl__json_where(char *buf, size_t cap, bool records, size_t row, const char *name)
{
    if (records)
        snprintf(buf, cap, "record %zu, field \"%s\"", row, name);
    else
        snprintf(buf, cap, "column \"%s\", row %zu", name, row);
}

/* The text of a JSON scalar, as a column read from text sees it. Numbers
 * are formatted as the CSV writer formats them, so that they read back. */
static void tbl__json_append_text(tbl_strings_builder *b, const json_t *v)
{
    char buf[64];
    size_t n = 0;
    int64_t i;
    switch (json_typeof(v)) {
    case JSON_STRING:
        tbl_strings_append(b, json_string_value(v), json_string_length(v));
        return;
    case JSON_INTEGER:
    case JSON_REAL:
        if (tbl__json_integral(v, &i)) {
            n = (size_t)snprintf(buf, sizeof buf, "%lld", (long long)i);
        } else {
            double x = json_real_value(v);
            tbl_column one = {.type = TBL_NUMERIC, .v.f64 = &x};
            n = tbl_format_cell(&one, 0, buf, sizeof buf);
        }
        break;
    case JSON_TRUE:
        n = (size_t)snprintf(buf, sizeof buf, "true");
        break;
    case JSON_FALSE:
        n = (size_t)snprintf(buf, sizeof buf, "false");
        break;
    default: /* null: the empty field is missing */
        break;
    }
    tbl_strings_append(b, buf, n < sizeof buf ? n : sizeof buf - 1);
}

/* Builds column `name` from its values (NULL where a record lacks the key),
 * choosing the type as the file comment says. */
static int tbl__json_build_column(tbl_column *col, const char *name, json_t *const *values,
                                  size_t n, bool records, wf_error *err)
{
    tbl__json_kinds k = {0};
    char where[WF_ERROR_MESSAGE_MAX / 2];
    for (size_t r = 0; r < n; r++) {
        const json_t *v = values[r];
        int64_t i;
        if (v == NULL || json_is_null(v)) continue;
        if (json_is_object(v) || json_is_array(v)) {
            tbl__json_where(where, sizeof where, records, r, name);
            return wf_error_set(err, WF_ETYPE, "%s: %s is not a single value", where,
                                tbl__json_type_name(v));
        }
        if (json_is_number(v))
            (*(tbl__json_integral(v, &i) ? &k.integral : &k.fractional))++;
        else if (json_is_boolean(v))
            k.booleans++;
        else
            k.strings++;
    }
    size_t numbers = k.integral + k.fractional;
    if (k.strings > 0 || (numbers > 0 && k.booleans > 0) || numbers + k.booleans == 0) {
        tbl_strings_builder b = {0};
        for (size_t r = 0; r < n; r++) {
            if (values[r] == NULL)
                tbl_strings_append(&b, "", 0);
            else
                tbl__json_append_text(&b, values[r]);
        }
        tbl_strings fields;
        if (tbl_strings_finish(&b, &fields) < 0)
            return wf_error_set(err, WF_ENOMEM, "out of memory reading column \"%s\"", name);
        int rc = tbl_column_from_text(col, name, &fields, err);
        tbl_strings_clear(&fields);
        return rc;
    }
    tbl_type type = k.booleans ? TBL_BOOLEAN : k.fractional ? TBL_NUMERIC : TBL_INTEGER;
    int rc = tbl_column_init(col, name, type, n, err);
    if (rc < 0) return rc;
    for (size_t r = 0; r < n; r++) {
        const json_t *v = values[r];
        if (v == NULL || json_is_null(v)) {
            if (tbl_set_missing(col, r, n) < 0) {
                tbl_column_clear(col);
                return wf_error_set(err, WF_ENOMEM, "out of memory reading column \"%s\"", name);
            }
        } else if (type == TBL_BOOLEAN) {
            col->v.b8[r] = json_is_true(v);
        } else if (type == TBL_NUMERIC) {
            col->v.f64[r] = json_number_value(v);
        } else {
            tbl__json_integral(v, &col->v.i64[r]);
        }
    }
    return 0;
}

/* Adds column `name` built from values to t. */
static int tbl__json_add(tbl_table *t, const char *name, json_t *const *values, size_t n,
                         bool records, wf_error *err)
{
    tbl_column col;
    int rc = tbl__json_build_column(&col, name, values, n, records, err);
    if (rc < 0) return rc;
    rc = tbl_add_column(t, &col, n, err);
    if (rc < 0) tbl_column_clear(&col);
    return rc;
}

/* [{...}, {...}]: columns are the union of the keys, in first-seen order. */
/* Records that each name a few of many keys can describe a table far larger
 * than their text (20,000 records with a key each make 400 million cells),
 * and a table is dense. Refuse beyond 16 cells per input byte, plus a floor,
 * rather than exhaust memory: dense data needs 2 bytes or more per cell. */
static size_t tbl__json_cell_limit(size_t len)
{
    return (len < SIZE_MAX / 32 ? len * 16 : SIZE_MAX / 2) + ((size_t)1 << 22);
}

static int tbl__json_read_records(const json_t *root, size_t len, tbl_table *t, wf_error *err)
{
    size_t n = json_array_size(root);
    tbl_dict keys = {0};
    json_t **values = NULL;
    int rc = 0;
    for (size_t r = 0; r < n && rc == 0; r++) {
        const json_t *rec = json_array_get(root, r);
        if (!json_is_object(rec)) {
            rc = wf_error_set(err, WF_ETYPE, "record %zu is %s, not an object", r,
                              tbl__json_type_name(rec));
            break;
        }
        const char *key;
        json_t *v;
        json_object_foreach((json_t *)rec, key, v)
        {
            if (tbl_dict_intern(&keys, key, strlen(key)) < 0) {
                rc = wf_error_set(err, WF_ENOMEM, "out of memory reading record %zu", r);
                break;
            }
        }
    }
    size_t ncols = tbl_dict_size(&keys);
    if (rc == 0 && ncols > 0 && n > tbl__json_cell_limit(len) / ncols)
        rc = wf_error_set(err, WF_ELIMIT,
                          "%zu records with %zu distinct keys would make a table of %zu x %zu "
                          "cells, too many for a %zu-byte document",
                          n, ncols, n, ncols, len);
    if (rc == 0 && ncols > 0) {
        values = wf_mallocarray(n, sizeof *values);
        if (values == NULL) rc = wf_error_set(err, WF_ENOMEM, "out of memory");
    }
    wf_buf name = {0};
    for (size_t c = 0; c < ncols && rc == 0; c++) {
        const tbl_strings_builder *lv = &keys.levels;
        const char *key = lv->data + lv->offsets[c];
        name.len = 0;
        wf_buf_append(&name, key, (size_t)(lv->offsets[c + 1] - lv->offsets[c]));
        if (name.failed) {
            rc = wf_error_set(err, WF_ENOMEM, "out of memory");
            break;
        }
        for (size_t r = 0; r < n; r++)
            values[r] = json_object_get(json_array_get(root, r), name.data);
        rc = tbl__json_add(t, name.data, values, n, true, err);
    }
    wf_buf_free(&name);
    free(values);
    tbl_dict_free(&keys);
    /* A table of records with no keys still has their number of rows. */
    if (rc == 0 && ncols == 0) t->nrows = n;
    return rc;
}

/* {"a": [...], "b": [...]}: equal-length arrays, one per column. */
static int tbl__json_read_columns(json_t *root, tbl_table *t, wf_error *err)
{
    const char *key, *first = NULL;
    json_t *arr;
    size_t n = 0;
    json_object_foreach(root, key, arr)
    {
        if (!json_is_array(arr))
            return wf_error_set(err, WF_ETYPE, "column \"%s\" is %s, not an array", key,
                                tbl__json_type_name(arr));
        if (first == NULL) {
            first = key;
            n = json_array_size(arr);
        } else if (json_array_size(arr) != n) {
            return wf_error_set(err, WF_EPARSE,
                                "column \"%s\" has %zu values, but column \"%s\" has %zu", key,
                                json_array_size(arr), first, n);
        }
    }
    json_t **values = wf_mallocarray(n, sizeof *values);
    if (values == NULL) return wf_error_set(err, WF_ENOMEM, "out of memory");
    int rc = 0;
    json_object_foreach(root, key, arr)
    {
        for (size_t r = 0; r < n; r++)
            values[r] = json_array_get(arr, r);
        rc = tbl__json_add(t, key, values, n, false, err);
        if (rc < 0) break;
    }
    free(values);
    return rc;
}

/* Reads a JSON array of records or object of columns (the contract is in
 * table.h; the type rules at the top of this file). It never warns, so
 * *opt->warnings is set to NULL. */
int tbl_read_json(const char *data, size_t len, const tbl_read_options *opt, tbl_table **out,
                  wf_error *err)
{
    if (opt && opt->warnings) *opt->warnings = NULL;
    if (out == NULL) return wf_error_set(err, WF_EINVAL, "tbl_read_json: out is NULL");
    *out = NULL;
    if (data == NULL && len > 0) return wf_error_set(err, WF_EINVAL, "tbl_read_json: no data");
    /* Editors put a byte-order mark in front; JSON does not allow one. */
    if (len >= 3 && memcmp(data, "\xef\xbb\xbf", 3) == 0) {
        data += 3;
        len -= 3;
    }
    size_t i = 0;
    while (i < len && (data[i] == ' ' || data[i] == '\t' || data[i] == '\r' || data[i] == '\n'))
        i++;
    if (i == len) return wf_error_set(err, WF_EPARSE, "the file is empty");

    /* Duplicate keys are rejected: which of two values is the record's is a
     * guess. NUL is allowed in strings, since table strings may hold any
     * bytes and tbl_write_json writes them as \u0000. Any value is
     * decoded so that a scalar document gets a message of our own. */
    json_error_t je;
    size_t flags = JSON_REJECT_DUPLICATES | JSON_ALLOW_NUL | JSON_DECODE_ANY;
    json_t *root = json_loadb(data, len, flags, &je);
    /* jansson refuses integers beyond int64; read such a file's integers
     * as doubles rather than refuse it. */
    if (root == NULL && json_error_code(&je) == json_error_numeric_overflow)
        root = json_loadb(data, len, flags | JSON_DECODE_INT_AS_REAL, &je);
    if (root == NULL)
        return wf_error_set(
            err, WF_EPARSE, "line %d, column %d: %s%s", je.line, je.column,
            json_error_code(&je) == json_error_invalid_utf8 ? "invalid UTF-8: " : "", je.text);
    int rc;
    tbl_table *t = NULL;
    if (!json_is_array(root) && !json_is_object(root)) {
        rc = wf_error_set(err, WF_ETYPE,
                          "the document is %s; expected an array of records or an object of "
                          "columns",
                          tbl__json_type_name(root));
    } else if ((t = tbl_new()) == NULL) {
        rc = wf_error_set(err, WF_ENOMEM, "out of memory");
    } else {
        rc = json_is_array(root) ? tbl__json_read_records(root, len, t, err)
                                 : tbl__json_read_columns(root, t, err);
    }
    json_decref(root);
    if (rc < 0) {
        tbl_free(t);
        return rc;
    }
    *out = t;
    return 0;
}
