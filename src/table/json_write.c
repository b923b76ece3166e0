/*
 * json_write.c: a table as a JSON array of records, one record per line:
 *
 *     [
 *     {"name":"a","price":1.5,"when":"2001-01-14T21:55:00Z"},
 *     {"name":"b","price":null,"when":null}
 *     ]
 *
 * Missing values, NaN and infinities are null (JSON has no NaN). Numbers are
 * written as tbl_format_cell writes them, the shortest text that reads back
 * to the same double. Datetimes are ISO-8601 strings, categoricals their
 * level, booleans true/false. tbl_read_json reads the result back with the
 * same values, though its types are inferred again: a numeric column whose
 * values are all whole numbers (written as "3") comes back as integer.
 *
 * The record structure is written here, and every string (names and values)
 * is escaped by jansson. Table strings may hold any bytes but JSON text must
 * be UTF-8, so a byte that is not part of valid UTF-8 is written as U+FFFD.
 */
#include "table.h"

#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int tbl__json_append_cb(const char *buffer, size_t size, void *data)
{
    wf_buf *out = data;
    wf_buf_append(out, buffer, size);
    return out->failed ? -1 : 0;
}

/* Copies s into scratch with each invalid UTF-8 byte replaced by U+FFFD. */
static void tbl__json_sanitize(const char *s, size_t len, wf_buf *scratch)
{
    scratch->len = 0;
    size_t bad;
    while (!wf_utf8_valid(s, len, &bad)) {
        wf_buf_append(scratch, s, bad);
        wf_buf_append(scratch, "\xef\xbf\xbd", 3);
        s += bad + 1;
        len -= bad + 1;
    }
    wf_buf_append(scratch, s, len);
}

/* Appends s as a JSON string literal, reusing `str` (a jansson string) to
 * avoid an allocation per value. 0 or WF_ENOMEM. */
static int tbl__json_put_string(wf_buf *out, json_t *str, wf_buf *scratch, const char *s,
                                size_t len)
{
    /* json_string_setn refuses invalid UTF-8 and does nothing then. */
    if (json_string_setn(str, s, len) < 0) {
        tbl__json_sanitize(s, len, scratch);
        if (scratch->failed || json_string_setn(str, scratch->data, scratch->len) < 0)
            return WF_ENOMEM;
    }
    if (json_dump_callback(str, tbl__json_append_cb, out, JSON_ENCODE_ANY) < 0) return WF_ENOMEM;
    return 0;
}

/* Appends the value of column c at row as JSON. */
static int tbl__json_put_cell(wf_buf *out, json_t *str, wf_buf *scratch, const tbl_column *c,
                              size_t row)
{
    char buf[64];
    size_t len;
    const char *s;
    /* JSON has no NaN or infinity: those are null, like missing values. */
    if (tbl_is_missing(c, row) || (c->type == TBL_NUMERIC && !isfinite(c->v.f64[row]))) {
        wf_buf_append(out, "null", 4);
        return 0;
    }
    switch (c->type) {
    case TBL_NUMERIC:
        /* "-0" would read back as the integer 0; "-0.0" stays a double. */
        if (c->v.f64[row] == 0 && signbit(c->v.f64[row])) {
            wf_buf_append(out, "-0.0", 4);
            return 0;
        }
        /* fall through */
    case TBL_INTEGER:
    case TBL_BOOLEAN:
        len = tbl_format_cell(c, row, buf, sizeof buf);
        wf_buf_append(out, buf, len < sizeof buf ? len : sizeof buf - 1);
        return 0;
    case TBL_DATETIME:
        len = tbl_format_datetime(c->v.i64[row], buf, sizeof buf);
        wf_buf_append(out, "\"", 1);
        wf_buf_append(out, buf, len < sizeof buf ? len : sizeof buf - 1);
        wf_buf_append(out, "\"", 1);
        return 0;
    case TBL_STRING:
        s = tbl_strings_at(&c->str, row, &len);
        return tbl__json_put_string(out, str, scratch, s, len);
    case TBL_CATEGORICAL:
        if (c->v.codes[row] < 0 || (size_t)c->v.codes[row] >= c->levels.count) {
            wf_buf_append(out, "null", 4);
            return 0;
        }
        s = tbl_strings_at(&c->levels, (size_t)c->v.codes[row], &len);
        return tbl__json_put_string(out, str, scratch, s, len);
    }
    wf_buf_append(out, "null", 4);
    return 0;
}

/* Appends t to out as an array of records (the contract is in table.h).
 * Fails only when memory runs out; out may then hold part of the text. */
int tbl_write_json(const tbl_table *t, wf_buf *out, wf_error *err)
{
    if (t == NULL || out == NULL) return wf_error_set(err, WF_EINVAL, "tbl_write_json: no table");
    json_t *str = json_string("");
    wf_buf keys = {0}, scratch = {0};
    size_t *key_end = wf_mallocarray(t->ncols, sizeof *key_end);
    int rc = str == NULL || key_end == NULL ? WF_ENOMEM : 0;
    /* Each column's `"name":` is escaped once, then copied into every row. */
    for (size_t i = 0; i < t->ncols && rc == 0; i++) {
        const char *name = t->cols[i].name ? t->cols[i].name : "";
        rc = tbl__json_put_string(&keys, str, &scratch, name, strlen(name));
        wf_buf_append(&keys, ":", 1);
        key_end[i] = keys.len;
    }
    wf_buf_append(out, t->nrows ? "[\n" : "[", t->nrows ? 2 : 1);
    for (size_t r = 0; r < t->nrows && rc == 0 && !out->failed; r++) {
        wf_buf_append(out, r ? ",\n{" : "{", r ? 3 : 1);
        for (size_t i = 0; i < t->ncols && rc == 0; i++) {
            size_t start = i ? key_end[i - 1] : 0;
            if (i) wf_buf_append(out, ",", 1);
            wf_buf_append(out, keys.data + start, key_end[i] - start);
            rc = tbl__json_put_cell(out, str, &scratch, &t->cols[i], r);
        }
        wf_buf_append(out, "}", 1);
    }
    wf_buf_append(out, t->nrows ? "\n]\n" : "]\n", t->nrows ? 3 : 2);
    if (rc == 0 && (out->failed || keys.failed)) rc = WF_ENOMEM;
    json_decref(str);
    wf_buf_free(&keys);
    wf_buf_free(&scratch);
    free(key_end);
    if (rc < 0) return wf_error_set(err, rc, "out of memory writing JSON");
    return 0;
}
