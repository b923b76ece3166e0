/*
 * scoring_input.c: a scoring request's rows as a table of the plan's input
 * schema (engine.h, eng_scoring_rows_table).
 *
 * The protocols carry rows in three shapes (records, a split of column
 * names and row arrays, or arrays by column); each is read here column by
 * column, into exactly the schema's types, so that what the request path
 * sees is what the training pipeline saw. Values are taken as a client
 * would mean them: a number for a numeric column may also come as a string
 * ("3.5"), a category as a number (3 for the level "3"), and null, "" or
 * "NA" means missing. Anything else is refused with the row (from 1) and
 * the column, since a guess would score the wrong thing silently.
 *
 * The JSON comes from eng_json_parse: columns are read straight from the
 * parsed text, numbers converted once, into the column's own buffer.
 */
#include "pipeline_int.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* How one column reads its values: the JSON value at `row`, or NULL when
 * the row does not have the column at all. */
typedef struct eng__reader {
    const eng_scoring_rows *rows;
    const char *name;
    size_t name_len;
    size_t split_index;     /* ENG_ROWS_SPLIT: the column's position */
    const eng_json *column; /* ENG_ROWS_COLUMNS: the column's array */
    uint32_t hint;          /* ENG_ROWS_RECORDS: where the last row had the column */
} eng__reader;

/* Rows as records usually list their columns in the same order: look
 * where the previous row had the column first. */
static const eng_json *eng__record_cell(eng__reader *r, const eng_json *rec)
{
    if (r->hint < rec->n) {
        const eng_json_member *m = &rec->members[r->hint];
        if (m->key_len == r->name_len && memcmp(m->key, r->name, r->name_len) == 0)
            return &m->value;
    }
    for (uint32_t i = 0; i < rec->n; i++) {
        const eng_json_member *m = &rec->members[i];
        if (m->key_len == r->name_len && memcmp(m->key, r->name, r->name_len) == 0) {
            r->hint = i;
            return &m->value;
        }
    }
    return NULL;
}

static const eng_json *eng__cell(eng__reader *r, size_t row)
{
    switch (r->rows->shape) {
    case ENG_ROWS_RECORDS:
        return eng__record_cell(r, &r->rows->records->items[row]);
    case ENG_ROWS_SPLIT:
        return &r->rows->data->items[row].items[r->split_index];
    case ENG_ROWS_COLUMNS:
        return &r->column->items[row];
    }
    return NULL;
}

/* A short rendering of a bad value for messages. */
static void eng__shown(const eng_json *v, char *buf, size_t cap)
{
    switch (v->kind) {
    case ENG_JSON_STRING:
        snprintf(buf, cap, "\"%.*s\"", v->n > 60 ? 60 : (int)v->n, v->s);
        eng__utf8_scrub(buf);
        break;
    case ENG_JSON_NUMBER:
        snprintf(buf, cap, "%.*s", v->n > 60 ? 60 : (int)v->n, v->s);
        break;
    case ENG_JSON_TRUE:
    case ENG_JSON_FALSE:
        snprintf(buf, cap, "%s", v->kind == ENG_JSON_TRUE ? "true" : "false");
        break;
    default:
        snprintf(buf, cap, "%s", v->kind == ENG_JSON_ARRAY ? "an array" : "an object");
        break;
    }
}

static int eng__bad_value(wf_error *err, size_t row, const char *name, const eng_json *v,
                          const char *what)
{
    char shown[96];
    eng__shown(v, shown, sizeof shown);
    return wf_error_set(err, WF_EINVAL, "row %zu, column \"%.200s\": %s is not %s", row + 1, name,
                        shown, what);
}

/* Whether v means a missing value. */
static bool eng__is_missing(const eng_json *v)
{
    return v->kind == ENG_JSON_NULL ||
           (v->kind == ENG_JSON_STRING && tbl_is_missing_token(v->s, v->n));
}

/* The text of a value for a string or categorical column: strings and
 * numbers as written, booleans as they read. */
static bool eng__text_of(const eng_json *v, const char **s, size_t *len)
{
    switch (v->kind) {
    case ENG_JSON_STRING:
    case ENG_JSON_NUMBER:
        *s = v->s;
        *len = v->n;
        return true;
    case ENG_JSON_TRUE:
    case ENG_JSON_FALSE:
        *s = v->kind == ENG_JSON_TRUE ? "true" : "false";
        *len = strlen(*s);
        return true;
    default:
        return false;
    }
}

/* Converts one non-missing value into row `row` of c. */
static int eng__put(tbl_column *c, tbl_dict *dict, tbl_strings_builder *sb, size_t row,
                    const eng_json *v, wf_error *err)
{
    const char *s;
    size_t len;
    bool text = v->kind == ENG_JSON_STRING || v->kind == ENG_JSON_NUMBER;
    switch (c->type) {
    case TBL_NUMERIC:
        if (text && tbl_parse_double(v->s, v->n, &c->v.f64[row]) == 0) return 0;
        return eng__bad_value(err, row, c->name, v, "a number");
    case TBL_INTEGER: {
        if (text && tbl_parse_int64(v->s, v->n, &c->v.i64[row]) == 0) return 0;
        /* 3.0 and 3e2 are whole numbers too. */
        double d;
        if (v->kind == ENG_JSON_NUMBER && tbl_parse_double(v->s, v->n, &d) == 0 && d == floor(d) &&
            fabs(d) < 9.2e18) {
            c->v.i64[row] = (int64_t)d;
            return 0;
        }
        return eng__bad_value(err, row, c->name, v, "an integer");
    }
    case TBL_BOOLEAN: {
        bool b;
        if (v->kind == ENG_JSON_TRUE || v->kind == ENG_JSON_FALSE) {
            c->v.b8[row] = v->kind == ENG_JSON_TRUE;
            return 0;
        }
        if (v->kind == ENG_JSON_NUMBER && v->n == 1 && (v->s[0] == '0' || v->s[0] == '1')) {
            c->v.b8[row] = v->s[0] == '1';
            return 0;
        }
        if (v->kind == ENG_JSON_STRING && tbl_parse_bool(v->s, v->n, &b) == 0) {
            c->v.b8[row] = b;
            return 0;
        }
        return eng__bad_value(err, row, c->name, v, "true or false");
    }
    case TBL_DATETIME:
        if (v->kind == ENG_JSON_STRING && tbl_parse_datetime(v->s, v->n, &c->v.i64[row]) == 0)
            return 0;
        return eng__bad_value(err, row, c->name, v, "a date or date-time (ISO 8601)");
    case TBL_STRING:
        if (!eng__text_of(v, &s, &len)) return eng__bad_value(err, row, c->name, v, "text");
        tbl_strings_append(sb, s, len);
        return 0;
    case TBL_CATEGORICAL: {
        if (!eng__text_of(v, &s, &len)) return eng__bad_value(err, row, c->name, v, "a category");
        int32_t code = tbl_dict_intern(dict, s, len);
        if (code < 0) return wf_error_set(err, WF_ENOMEM, "out of memory");
        c->v.codes[row] = code;
        return 0;
    }
    }
    return wf_error_set(err, WF_EINVAL, "column \"%s\" has an unknown type", c->name);
}

/* Reads column `schema_col` of every row into a new column of t. */
static int eng__read_column(eng__reader *r, const tbl_column *schema_col, size_t nrows,
                            tbl_table *t, wf_error *err)
{
    tbl_column c;
    int rc = tbl_column_init(&c, schema_col->name, schema_col->type, nrows, err);
    if (rc < 0) return rc;
    c.role = schema_col->role;
    tbl_dict dict = {0};
    tbl_strings_builder sb = {0};
    if (c.type == TBL_CATEGORICAL)
        for (size_t l = 0; l < schema_col->levels.count; l++) {
            size_t len;
            const char *s = tbl_strings_at(&schema_col->levels, l, &len);
            tbl_dict_intern(&dict, s, len);
        }
    for (size_t row = 0; rc == 0 && row < nrows; row++) {
        const eng_json *v = eng__cell(r, row);
        if (v == NULL) {
            rc = wf_error_set(err, WF_EINVAL,
                              "row %zu: column \"%.200s\" is missing (send null for a missing "
                              "value)",
                              row + 1, c.name);
        } else if (eng__is_missing(v)) {
            if (c.type == TBL_STRING) tbl_strings_append(&sb, "", 0);
            if (c.type == TBL_CATEGORICAL) c.v.codes[row] = -1;
            if (tbl_set_missing(&c, row, nrows) < 0)
                rc = wf_error_set(err, WF_ENOMEM, "out of memory");
        } else {
            rc = eng__put(&c, &dict, &sb, row, v, err);
        }
    }
    if (rc == 0 && c.type == TBL_CATEGORICAL) {
        tbl_strings_clear(&c.levels);
        if (tbl_dict_finish(&dict, &c.levels) < 0)
            rc = wf_error_set(err, WF_ENOMEM, "out of memory");
    }
    if (rc == 0 && c.type == TBL_STRING) {
        tbl_strings_clear(&c.str);
        if (tbl_strings_finish(&sb, &c.str) < 0) rc = wf_error_set(err, WF_ENOMEM, "out of memory");
    }
    tbl_dict_free(&dict);
    tbl_strings_builder_free(&sb);
    if (rc == 0) rc = tbl_add_column(t, &c, nrows, err);
    if (rc < 0) tbl_column_clear(&c);
    return rc;
}

static bool eng__is(const eng_json *v, eng_json_kind kind)
{
    return v != NULL && v->kind == kind;
}

/* The row count of the request, checking its shape. */
static int eng__count_rows(const eng_scoring_rows *rows, const tbl_table *schema, size_t *n,
                           wf_error *err)
{
    switch (rows->shape) {
    case ENG_ROWS_RECORDS:
        if (!eng__is(rows->records, ENG_JSON_ARRAY))
            return wf_error_set(err, WF_EINVAL, "the rows must be an array of objects");
        for (uint32_t i = 0; i < rows->records->n; i++)
            if (rows->records->items[i].kind != ENG_JSON_OBJECT)
                return wf_error_set(err, WF_EINVAL, "row %u is not an object of column values",
                                    i + 1);
        *n = rows->records->n;
        return 0;
    case ENG_ROWS_SPLIT: {
        if (!eng__is(rows->columns, ENG_JSON_ARRAY) || !eng__is(rows->data, ENG_JSON_ARRAY))
            return wf_error_set(err, WF_EINVAL,
                                "the rows need \"columns\" (an array of names) and \"data\" (an "
                                "array of rows)");
        for (uint32_t i = 0; i < rows->columns->n; i++)
            if (rows->columns->items[i].kind != ENG_JSON_STRING)
                return wf_error_set(err, WF_EINVAL, "column name %u is not a string", i + 1);
        uint32_t ncols = rows->columns->n;
        for (uint32_t i = 0; i < rows->data->n; i++) {
            const eng_json *row = &rows->data->items[i];
            if (row->kind != ENG_JSON_ARRAY || row->n != ncols)
                return wf_error_set(err, WF_EINVAL, "row %u is not an array of %u values", i + 1,
                                    ncols);
        }
        *n = rows->data->n;
        return 0;
    }
    case ENG_ROWS_COLUMNS: {
        if (!eng__is(rows->by_column, ENG_JSON_OBJECT))
            return wf_error_set(err, WF_EINVAL,
                                "the rows must be an object of columns, each an array of values");
        bool first = true;
        for (size_t j = 0; j < schema->ncols; j++) {
            const eng_json *col = eng_json_get(rows->by_column, schema->cols[j].name);
            if (col == NULL) continue; /* named as missing by the caller */
            if (col->kind != ENG_JSON_ARRAY)
                return wf_error_set(err, WF_EINVAL, "column \"%.200s\" is not an array of values",
                                    schema->cols[j].name);
            if (first) *n = col->n;
            if (!first && col->n != *n)
                return wf_error_set(err, WF_EINVAL,
                                    "column \"%.200s\" has %u values where the others have %zu",
                                    schema->cols[j].name, col->n, *n);
            first = false;
        }
        if (first) *n = 0;
        return 0;
    }
    }
    return wf_error_set(err, WF_EINVAL, "unknown row shape");
}

/* Whether the request has column `name` at all (records: in any row). */
static bool eng__present(eng__reader *r, size_t nrows)
{
    const eng_scoring_rows *rows = r->rows;
    if (rows->shape == ENG_ROWS_SPLIT) {
        for (uint32_t k = 0; k < rows->columns->n; k++) {
            const eng_json *c = &rows->columns->items[k];
            if (c->n == r->name_len && memcmp(c->s, r->name, r->name_len) == 0) {
                r->split_index = k;
                return true;
            }
        }
        return false;
    }
    if (rows->shape == ENG_ROWS_COLUMNS) {
        r->column = eng_json_get(rows->by_column, r->name);
        return r->column != NULL;
    }
    /* Records: a column no row has is missing as a whole; one that only
     * some rows lack is named with its row. No rows lack nothing. */
    if (nrows == 0) return true;
    for (size_t i = 0; i < nrows; i++)
        if (eng__record_cell(r, &rows->records->items[i]) != NULL) return true;
    return false;
}

int eng_scoring_rows_table(const eng_scoring_plan *plan, const eng_scoring_rows *rows,
                           tbl_table **out, wf_error *err)
{
    *out = NULL;
    const tbl_table *schema = eng_scoring_input_schema(plan);
    size_t nrows = 0;
    int rc = eng__count_rows(rows, schema, &nrows, err);
    if (rc < 0) return rc;
    tbl_table *t = tbl_new();
    if (t == NULL) return wf_error_set(err, WF_ENOMEM, "out of memory");
    t->nrows = nrows;
    for (size_t j = 0; rc == 0 && j < schema->ncols; j++) {
        const tbl_column *sc = &schema->cols[j];
        eng__reader r = {.rows = rows, .name = sc->name, .name_len = strlen(sc->name)};
        if (!eng__present(&r, nrows)) {
            rc = wf_error_set(err, WF_EINVAL, "column \"%.200s\" is missing from the request",
                              sc->name);
            break;
        }
        rc = eng__read_column(&r, sc, nrows, t, err);
    }
    if (rc < 0) {
        tbl_free(t);
        return rc;
    }
    *out = t;
    return 0;
}
