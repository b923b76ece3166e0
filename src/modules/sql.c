/*
 * sql.c: `apply-sql-transformation@1`, the Azure designer's Apply SQL
 * Transformation. Its inputs become the tables t1, t2 and t3 of an
 * in-memory SQLite database, its script runs statement by statement, and
 * the result set of the last statement is its output table.
 *
 * Going in, values keep their kind: integers as INTEGER, numbers as REAL,
 * strings and categorical levels as TEXT, booleans as the integers 0 and 1,
 * date-times as ISO 8601 TEXT, missing values as NULL. Each input is loaded
 * in one transaction through one prepared INSERT. Coming out, SQLite types
 * values, not columns, so each output column's type is read from its values
 * (all integers: integer; numbers: numeric; any text: string), and NULL is
 * missing. A column named like an input column keeps that column's role,
 * and its type where the values fit (categorical and date-time from text,
 * boolean from 0 and 1).
 *
 * SQLite's own error message reaches the user unchanged, after where it
 * happened: `line 3, column 8: no such column: prise`.
 */
#include "modules_int.h"

#include <jansson.h>
#include <math.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const mod_port sql_in[] = {
    {.name = "t1", .kind = MOD_TABLE, .help = "The table named t1 in the script."},
    {.name = "t2", .kind = MOD_TABLE, .optional = true, .help = "The table named t2 (optional)."},
    {.name = "t3", .kind = MOD_TABLE, .optional = true, .help = "The table named t3 (optional)."},
};

static const mod_port sql_out[] = {
    {.name = "result_dataset",
     .kind = MOD_TABLE,
     .help = "The result set of the script's last statement."},
};

static const mod_param sql_params[] = {
    {.name = "sql_query_script",
     .label = "SQL query script",
     .type = MOD_PARAM_SQL,
     .default_json = "\"select * from t1;\"",
     .required = true,
     .help = "SQLite statements separated by semicolons. The inputs are the tables t1, t2 and "
             "t3; the last statement's result set is the output."},
};

#define SQL_NINPUTS 3
/* Configure runs the script on empty tables; a script that loops on its own
 * (a recursive CTE) is stopped after this many virtual machine steps, in
 * units of SQL_PROGRESS_OPS, and its output stays unknown. */
#define SQL_PROGRESS_OPS 10000
#define SQL_CONFIGURE_BUDGET 1000
/* Rows per INSERT when loading the inputs. */
#define SQL_INSERT_BATCH 64

typedef struct sql_run {
    mod_ctx *ctx;
    sqlite3 *db;
    const char *script;
    long budget; /* progress callbacks left in configure; < 0: no budget */
    bool over_budget;
    /* SQLite's verdict on the script, kept until the caller decides to
     * report it (configure holds back what only looks wrong on empty
     * inputs). */
    int script_code;
    char script_error[WF_ERROR_MESSAGE_MAX];
    char sqlite_message[256];
} sql_run;

/* Stops a statement when the step is canceled or configure's budget is
 * spent (sqlite3_step then answers SQLITE_INTERRUPT). */
static int sql_on_progress(void *user)
{
    sql_run *r = user;
    if (mod_cancelled(r->ctx)) return 1;
    if (r->budget >= 0 && r->budget-- == 0) {
        r->over_budget = true;
        return 1;
    }
    return 0;
}

/* Scripts may do anything to their own in-memory database, but not reach
 * the machine's files: ATTACH of anything but a new in-memory (or private
 * temporary) database is refused, and so is VACUUM INTO, which attaches
 * its file the same way. Extensions cannot load (the C API's default). */
static int sql_authorize(void *user, int action, const char *a, const char *b, const char *c,
                         const char *d)
{
    (void)user;
    (void)b;
    (void)c;
    (void)d;
    if (action == SQLITE_ATTACH && a != NULL && a[0] != '\0' && strcmp(a, ":memory:") != 0)
        return SQLITE_DENY;
    return SQLITE_OK;
}

/* ---- errors ------------------------------------------------------------ */

/* The 1-based line and column of byte offset `at` in the script. */
static void sql_position(const char *script, size_t at, size_t *line, size_t *col)
{
    *line = 1;
    *col = 1;
    for (size_t i = 0; i < at && script[i] != '\0'; i++) {
        if (script[i] == '\n') {
            (*line)++;
            *col = 1;
        } else {
            (*col)++;
        }
    }
}

/* Keeps SQLite's current error on the script, placed at the error's own
 * offset when SQLite knows it, else at the start of the statement. */
static int sql_script_error(sql_run *r, const char *stmt_start)
{
    if (mod_cancelled(r->ctx)) return mod_fail(r->ctx, WF_ECANCELED, "canceled");
    if (sqlite3_errcode(r->db) == SQLITE_NOMEM)
        return mod_fail(r->ctx, WF_ENOMEM, "out of memory running the script");
    size_t at = (size_t)(stmt_start - r->script);
    int off = sqlite3_error_offset(r->db);
    if (off >= 0) {
        at += (size_t)off;
    } else if (strcmp(sqlite3_errmsg(r->db), "incomplete input") == 0) {
        /* The script stopped mid-statement: point at its end. */
        at = strlen(r->script);
        while (at > 0 && strchr(" \t\r\n", r->script[at - 1]) != NULL)
            at--;
    }
    at += strspn(r->script + at, " \t\r\n");
    size_t line, col;
    sql_position(r->script, at, &line, &col);
    snprintf(r->sqlite_message, sizeof r->sqlite_message, "%s", sqlite3_errmsg(r->db));
    snprintf(r->script_error, sizeof r->script_error, "line %zu, column %zu: %s", line, col,
             r->sqlite_message);
    r->script_code = WF_EINVAL;
    return WF_EINVAL;
}

/* An error of SQLite's while loading input `name`. */
static int sql_load_error(sql_run *r, const char *name)
{
    if (mod_cancelled(r->ctx)) return mod_fail(r->ctx, WF_ECANCELED, "canceled");
    int code = sqlite3_errcode(r->db) == SQLITE_NOMEM ? WF_ENOMEM : WF_EINVAL;
    return mod_fail(r->ctx, code, "loading input %s into SQLite: %s", name, sqlite3_errmsg(r->db));
}

/* ---- loading the inputs ------------------------------------------------ */

/* "name" with its inner quotes doubled: any column name is an identifier. */
static void sql_quote(wf_buf *b, const char *name)
{
    wf_buf_puts(b, "\"");
    for (const char *p = name; *p != '\0'; p++)
        wf_buf_append(b, *p == '"' ? "\"\"" : p, *p == '"' ? 2 : 1);
    wf_buf_puts(b, "\"");
}

static const char *sql_decltype(tbl_type type)
{
    switch (type) {
    case TBL_NUMERIC:
        return "REAL";
    case TBL_INTEGER:
    case TBL_BOOLEAN:
        return "INTEGER";
    default:
        return "TEXT";
    }
}

/* Binds row `row` of column c to parameter k of stmt. */
static int sql_bind(sqlite3_stmt *stmt, int k, const tbl_column *c, size_t row)
{
    if (tbl_is_missing(c, row)) return sqlite3_bind_null(stmt, k);
    size_t len;
    const char *s;
    char buf[64];
    switch (c->type) {
    case TBL_NUMERIC:
        /* SQLite stores NaN as NULL itself; saying so keeps it explicit. */
        if (isnan(c->v.f64[row])) return sqlite3_bind_null(stmt, k);
        return sqlite3_bind_double(stmt, k, c->v.f64[row]);
    case TBL_INTEGER:
        return sqlite3_bind_int64(stmt, k, c->v.i64[row]);
    case TBL_BOOLEAN:
        return sqlite3_bind_int(stmt, k, c->v.b8[row] != 0);
    case TBL_DATETIME:
        len = tbl_format_datetime(c->v.i64[row], buf, sizeof buf);
        return sqlite3_bind_text(stmt, k, buf, (int)len, SQLITE_TRANSIENT);
    case TBL_STRING:
        s = tbl_strings_at(&c->str, row, &len);
        /* The table outlives the statement's step: no copy needed. (A
         * NULL pointer would bind SQL NULL, not an empty string.) */
        return sqlite3_bind_text64(stmt, k, s ? s : "", len, SQLITE_STATIC, SQLITE_UTF8);
    case TBL_CATEGORICAL:
        if (c->v.codes[row] < 0 || (size_t)c->v.codes[row] >= c->levels.count)
            return sqlite3_bind_null(stmt, k);
        s = tbl_strings_at(&c->levels, (size_t)c->v.codes[row], &len);
        return sqlite3_bind_text64(stmt, k, s ? s : "", len, SQLITE_STATIC, SQLITE_UTF8);
    }
    return sqlite3_bind_null(stmt, k);
}

/* Prepares "INSERT INTO name VALUES (?, ...), ..." for `rows` rows of
 * ncols columns. */
static int sql_prepare_insert(sql_run *r, const char *name, size_t ncols, size_t rows,
                              sqlite3_stmt **stmt)
{
    wf_buf b = {0};
    wf_buf_printf(&b, "INSERT INTO %s VALUES ", name);
    for (size_t i = 0; i < rows; i++) {
        wf_buf_puts(&b, i ? ", (" : "(");
        for (size_t j = 0; j < ncols; j++)
            wf_buf_puts(&b, j ? ", ?" : "?");
        wf_buf_puts(&b, ")");
    }
    if (b.failed) {
        wf_buf_free(&b);
        return mod_fail(r->ctx, WF_ENOMEM, "out of memory loading input %s", name);
    }
    int rc = sqlite3_prepare_v2(r->db, b.data, -1, stmt, NULL);
    wf_buf_free(&b);
    return rc == SQLITE_OK ? 0 : sql_load_error(r, name);
}

/* Binds rows [row, row + n) of t to stmt and runs it. */
static int sql_insert_rows(sqlite3_stmt *stmt, const tbl_table *t, size_t row, size_t n)
{
    int rc = SQLITE_OK;
    int k = 1;
    for (size_t i = row; i < row + n && rc == SQLITE_OK; i++)
        for (size_t j = 0; j < t->ncols && rc == SQLITE_OK; j++)
            rc = sql_bind(stmt, k++, &t->cols[j], i);
    if (rc == SQLITE_OK) rc = sqlite3_step(stmt) == SQLITE_DONE ? SQLITE_OK : SQLITE_ERROR;
    sqlite3_reset(stmt);
    return rc;
}

/* CREATE TABLE name (...) and every row of t, in one transaction. Rows go
 * in through one prepared statement that inserts a batch of rows at a
 * time (a third less time than a row at a time: fewer virtual machine
 * runs), and one that inserts a single row for the rest. */
static int sql_load(sql_run *r, const char *name, const tbl_table *t)
{
    wf_buf b = {0};
    wf_buf_printf(&b, "CREATE TABLE %s (", name);
    for (size_t j = 0; j < t->ncols; j++) {
        if (j > 0) wf_buf_puts(&b, ", ");
        sql_quote(&b, t->cols[j].name);
        wf_buf_printf(&b, " %s", sql_decltype(t->cols[j].type));
    }
    /* SQLite has no table without columns; an empty input gets one hidden
     * placeholder nobody selects by accident. */
    if (t->ncols == 0) wf_buf_puts(&b, "\"__weft_no_columns__\"");
    wf_buf_puts(&b, ")");
    if (b.failed) {
        wf_buf_free(&b);
        return mod_fail(r->ctx, WF_ENOMEM, "out of memory loading input %s", name);
    }
    int rc = sqlite3_exec(r->db, b.data, NULL, NULL, NULL);
    wf_buf_free(&b);
    if (rc != SQLITE_OK) return sql_load_error(r, name);
    if (t->ncols == 0 || t->nrows == 0) return 0;

    size_t max_vars = (size_t)sqlite3_limit(r->db, SQLITE_LIMIT_VARIABLE_NUMBER, -1);
    size_t batch = max_vars / t->ncols;
    if (batch > SQL_INSERT_BATCH) batch = SQL_INSERT_BATCH;
    if (batch > t->nrows) batch = t->nrows;
    sqlite3_stmt *many = NULL, *one = NULL;
    int status = 0;
    if (batch > 1) status = sql_prepare_insert(r, name, t->ncols, batch, &many);
    if (status == 0) status = sql_prepare_insert(r, name, t->ncols, 1, &one);
    if (status == 0 && sqlite3_exec(r->db, "BEGIN", NULL, NULL, NULL) != SQLITE_OK)
        status = sql_load_error(r, name);
    if (status < 0) {
        sqlite3_finalize(many);
        sqlite3_finalize(one);
        return status;
    }
    rc = SQLITE_OK;
    size_t row = 0, since_check = 0;
    while (row < t->nrows && rc == SQLITE_OK) {
        size_t n = many != NULL && t->nrows - row >= batch ? batch : 1;
        rc = sql_insert_rows(n > 1 ? many : one, t, row, n);
        row += n;
        if ((since_check += n) >= 65536) {
            since_check = 0;
            if (mod_cancelled(r->ctx)) rc = SQLITE_INTERRUPT;
        }
    }
    status = rc == SQLITE_OK ? 0 : sql_load_error(r, name);
    sqlite3_finalize(many);
    sqlite3_finalize(one);
    if (sqlite3_exec(r->db, status == 0 ? "COMMIT" : "ROLLBACK", NULL, NULL, NULL) != SQLITE_OK &&
        status == 0)
        status = sql_load_error(r, name);
    return status;
}

/* ---- collecting the result --------------------------------------------- */

enum { SQL_NULL, SQL_INT, SQL_REAL, SQL_TEXT };

typedef struct sql_column {
    char *name;
    int decl; /* SQL_INT, SQL_REAL or SQL_TEXT from the declared type; SQL_NULL: none */
    uint8_t *kind;
    union {
        int64_t i;
        double f;
    } * num;
    tbl_strings_builder text; /* one entry per row once any text was seen, else empty */
    bool has_text;
} sql_column;

typedef struct sql_result {
    sql_column *cols;
    size_t ncols, nrows, cap;
} sql_result;

static void sql_result_clear(sql_result *res)
{
    for (size_t j = 0; res->cols != NULL && j < res->ncols; j++) {
        free(res->cols[j].name);
        free(res->cols[j].kind);
        free(res->cols[j].num);
        tbl_strings_builder_free(&res->cols[j].text);
    }
    free(res->cols);
    memset(res, 0, sizeof *res);
}

/* The kind a declared type names, by SQLite's affinity rules (enough of
 * them to type a column of NULLs). */
static int sql_decl_kind(const char *decl)
{
    if (decl == NULL) return SQL_NULL;
    char up[64];
    size_t n = 0;
    for (; decl[n] != '\0' && n + 1 < sizeof up; n++)
        up[n] = (char)(decl[n] >= 'a' && decl[n] <= 'z' ? decl[n] - 32 : decl[n]);
    up[n] = '\0';
    if (strstr(up, "INT") != NULL) return SQL_INT;
    if (strstr(up, "CHAR") || strstr(up, "CLOB") || strstr(up, "TEXT")) return SQL_TEXT;
    if (strstr(up, "REAL") || strstr(up, "FLOA") || strstr(up, "DOUB")) return SQL_REAL;
    return SQL_NULL;
}

/* Sets up res for stmt's columns, making duplicate names unique the way
 * table.h does (" (2)", " (3)", ...). */
static int sql_result_init(mod_ctx *ctx, sqlite3_stmt *stmt, sql_result *res)
{
    memset(res, 0, sizeof *res);
    int n = sqlite3_column_count(stmt);
    res->cols = wf_calloc((size_t)n, sizeof *res->cols);
    if (res->cols == NULL) return mod_fail(ctx, WF_ENOMEM, "out of memory");
    res->ncols = (size_t)n;
    for (int j = 0; j < n; j++) {
        const char *name = sqlite3_column_name(stmt, j);
        if (name == NULL) return mod_fail(ctx, WF_ENOMEM, "out of memory");
        size_t cap = strlen(name) + 32;
        char *unique = malloc(cap);
        if (unique == NULL) return mod_fail(ctx, WF_ENOMEM, "out of memory");
        snprintf(unique, cap, "%s", name);
        for (size_t k = 2;; k++) {
            bool taken = false;
            for (int i = 0; i < j && !taken; i++)
                taken = strcmp(res->cols[i].name, unique) == 0;
            if (!taken) break;
            snprintf(unique, cap, "%s (%zu)", name, k);
        }
        res->cols[j].name = unique;
        res->cols[j].decl = sql_decl_kind(sqlite3_column_decltype(stmt, j));
    }
    return 0;
}

/* Appends the current row of stmt to res. */
static int sql_result_add(mod_ctx *ctx, sqlite3_stmt *stmt, sql_result *res)
{
    size_t row = res->nrows;
    if (row == res->cap) {
        size_t cap = res->cap ? res->cap * 2 : 1024;
        for (size_t j = 0; j < res->ncols; j++) {
            sql_column *c = &res->cols[j];
            uint8_t *kind = wf_reallocarray(c->kind, cap, sizeof *kind);
            if (kind != NULL) c->kind = kind;
            void *num = wf_reallocarray(c->num, cap, sizeof *c->num);
            if (num != NULL) c->num = num;
            if (kind == NULL || num == NULL)
                return mod_fail(ctx, WF_ENOMEM, "out of memory at result row %zu", row + 1);
        }
        res->cap = cap;
    }
    for (size_t j = 0; j < res->ncols; j++) {
        sql_column *c = &res->cols[j];
        int k = (int)j;
        int type = sqlite3_column_type(stmt, k);
        if (type == SQLITE_INTEGER) {
            c->kind[row] = SQL_INT;
            c->num[row].i = sqlite3_column_int64(stmt, k);
        } else if (type == SQLITE_FLOAT) {
            c->kind[row] = SQL_REAL;
            c->num[row].f = sqlite3_column_double(stmt, k);
        } else if (type == SQLITE_NULL) {
            c->kind[row] = SQL_NULL;
        } else {
            c->kind[row] = SQL_TEXT;
            if (!c->has_text) {
                /* The first text: earlier rows get empty entries. */
                for (size_t i = 0; i < row; i++)
                    tbl_strings_append(&c->text, "", 0);
                c->has_text = true;
            }
            const unsigned char *s =
                type == SQLITE_BLOB ? sqlite3_column_blob(stmt, k) : sqlite3_column_text(stmt, k);
            int len = sqlite3_column_bytes(stmt, k);
            tbl_strings_append(&c->text, (const char *)s, s ? (size_t)len : 0);
            continue;
        }
        if (c->has_text) tbl_strings_append(&c->text, "", 0);
    }
    for (size_t j = 0; j < res->ncols; j++)
        if (res->cols[j].text.failed)
            return mod_fail(ctx, WF_ENOMEM, "out of memory at result row %zu", row + 1);
    res->nrows++;
    return 0;
}

/* A number as text that reads back as the same number. */
static size_t sql_format_real(double x, char *buf, size_t cap)
{
    int n = snprintf(buf, cap, "%.15g", x);
    if (strtod(buf, NULL) != x) n = snprintf(buf, cap, "%.17g", x);
    return (size_t)n;
}

/* Column j of the result as a table column: its type from its values. */
static int sql_result_column(sql_result *res, size_t j, tbl_column *out, wf_error *err)
{
    sql_column *c = &res->cols[j];
    size_t n = res->nrows;
    bool ints = false, reals = false, texts = false;
    for (size_t i = 0; i < n; i++) {
        ints |= c->kind[i] == SQL_INT;
        reals |= c->kind[i] == SQL_REAL;
        texts |= c->kind[i] == SQL_TEXT;
    }
    tbl_type type = texts   ? TBL_STRING
                    : reals ? TBL_NUMERIC
                    : ints  ? TBL_INTEGER
                    /* Only NULLs: what the column was declared as, if anything. */
                    : c->decl == SQL_INT  ? TBL_INTEGER
                    : c->decl == SQL_REAL ? TBL_NUMERIC
                                          : TBL_STRING;
    int rc = tbl_column_init(out, c->name, type, n, err);
    if (rc < 0) return rc;
    tbl_strings_builder text = {0};
    for (size_t i = 0; i < n && rc == 0; i++) {
        if (c->kind[i] == SQL_NULL) {
            if (tbl_set_missing(out, i, n) < 0) rc = wf_error_set(err, WF_ENOMEM, "out of memory");
            if (type == TBL_STRING) tbl_strings_append(&text, "", 0);
            continue;
        }
        if (type == TBL_INTEGER) {
            out->v.i64[i] = c->num[i].i;
        } else if (type == TBL_NUMERIC) {
            out->v.f64[i] = c->kind[i] == SQL_INT ? (double)c->num[i].i : c->num[i].f;
        } else if (c->kind[i] == SQL_TEXT) {
            size_t len;
            const char *s = c->text.data + c->text.offsets[i];
            len = (size_t)(c->text.offsets[i + 1] - c->text.offsets[i]);
            tbl_strings_append(&text, s, len);
        } else {
            char buf[64];
            size_t len = c->kind[i] == SQL_INT
                             ? (size_t)snprintf(buf, sizeof buf, "%lld", (long long)c->num[i].i)
                             : sql_format_real(c->num[i].f, buf, sizeof buf);
            tbl_strings_append(&text, buf, len);
        }
    }
    if (rc == 0 && type == TBL_STRING) {
        tbl_strings_clear(&out->str);
        if (tbl_strings_finish(&text, &out->str) < 0)
            rc = wf_error_set(err, WF_ENOMEM, "out of memory");
    }
    tbl_strings_builder_free(&text);
    if (rc < 0) tbl_column_clear(out);
    return rc;
}

/* True when an output column of type `out` named like an input column of
 * type `in` can take that type back: SQLite gave categorical levels and
 * date-times back as text, and booleans as integers. */
static bool sql_restorable(tbl_type out, tbl_type in)
{
    if (out == TBL_STRING) return in == TBL_CATEGORICAL || in == TBL_DATETIME;
    return out == TBL_INTEGER && in == TBL_BOOLEAN;
}

/* The result as a table. A result column named like an input column (t1
 * first, then t2, t3) takes that column's role (a table keeps at most one
 * label and one weight), and its type back when every value fits it. */
static int sql_result_table(mod_ctx *ctx, sql_result *res, const tbl_table *const *inputs,
                            tbl_table **out)
{
    wf_error err = {0};
    tbl_table *t = tbl_new();
    if (t == NULL) return mod_fail(ctx, WF_ENOMEM, "out of memory");
    t->nrows = res->nrows;
    bool label = false, weight = false;
    for (size_t j = 0; j < res->ncols; j++) {
        tbl_column c;
        const tbl_column *like = NULL;
        int rc = sql_result_column(res, j, &c, &err);
        if (rc == 0) {
            for (size_t k = 0; k < SQL_NINPUTS && like == NULL; k++) {
                int i = inputs[k] ? tbl_find_column(inputs[k], c.name) : -1;
                if (i >= 0) like = &inputs[k]->cols[i];
            }
            if (like != NULL) c.role = like->role;
            if ((c.role == TBL_ROLE_LABEL && label) || (c.role == TBL_ROLE_WEIGHT && weight))
                c.role = TBL_ROLE_FEATURE;
            label |= c.role == TBL_ROLE_LABEL;
            weight |= c.role == TBL_ROLE_WEIGHT;
            tbl_compact_missing(&c, res->nrows);
            if ((rc = tbl_add_column(t, &c, res->nrows, &err)) < 0) tbl_column_clear(&c);
        }
        if (rc == 0 && like != NULL && sql_restorable(t->cols[t->ncols - 1].type, like->type)) {
            /* A value that does not fit (a date that is not one, a 2 in
             * a boolean's place) keeps the column as SQLite gave it. */
            wf_error cast = {0};
            if (tbl_cast_column_like(t, t->ncols - 1, like, &cast) == WF_ENOMEM)
                rc = wf_error_set(&err, WF_ENOMEM, "out of memory");
            wf_error_clear(&cast);
        }
        if (rc < 0) {
            tbl_free(t);
            return mod_fail_with(ctx, &err);
        }
    }
    *out = t;
    return 0;
}

/* ---- the script -------------------------------------------------------- */

/* Skips blank space, semicolons and comments: what is left after the last
 * statement. */
static const char *sql_skip_blank(const char *p)
{
    for (;;) {
        p += strspn(p, " \t\r\n\f\v;");
        if (p[0] == '-' && p[1] == '-') {
            p += strcspn(p, "\n");
        } else if (p[0] == '/' && p[1] == '*') {
            const char *end = strstr(p + 2, "*/");
            if (end == NULL) return p; /* SQLite reports the unclosed comment */
            p = end + 2;
        } else {
            return p;
        }
    }
}

/* Runs one statement that is not the last, discarding any rows. */
static int sql_step_all(sql_run *r, sqlite3_stmt *stmt, const char *start)
{
    int rc;
    while ((rc = sqlite3_step(stmt)) == SQLITE_ROW)
        ;
    return rc == SQLITE_DONE ? 0 : sql_script_error(r, start);
}

/* Runs the script; the last statement's rows go to *res (when res is not
 * NULL: configure only checks). */
static int sql_run_script(sql_run *r, sql_result *res)
{
    const char *p = sql_skip_blank(r->script);
    if (*p == '\0')
        return mod_param_error(r->ctx, "sql_query_script", "the script has no statement");
    int status = 0;
    while (status == 0 && *p != '\0') {
        sqlite3_stmt *stmt = NULL;
        const char *tail = NULL;
        if (sqlite3_prepare_v2(r->db, p, -1, &stmt, &tail) != SQLITE_OK)
            return sql_script_error(r, p);
        if (stmt == NULL) break; /* only comments were left */
        const char *next = sql_skip_blank(tail);
        if (*next != '\0') {
            status = sql_step_all(r, stmt, p);
        } else if (sqlite3_column_count(stmt) == 0) {
            status = sql_step_all(r, stmt, p);
            size_t line, col;
            sql_position(r->script, (size_t)(p - r->script), &line, &col);
            if (status == 0)
                status = mod_param_error(r->ctx, "sql_query_script",
                                         "line %zu: the last statement returns no rows; end the "
                                         "script with a SELECT",
                                         line);
        } else if (res == NULL) {
            status = sql_step_all(r, stmt, p);
        } else {
            status = sql_result_init(r->ctx, stmt, res);
            int rc = SQLITE_ROW;
            while (status == 0 && (rc = sqlite3_step(stmt)) == SQLITE_ROW)
                status = sql_result_add(r->ctx, stmt, res);
            if (status == 0 && rc != SQLITE_DONE) status = sql_script_error(r, p);
        }
        sqlite3_finalize(stmt);
        p = next;
    }
    return status;
}

/* Whether configure should hold back the script's error: the script ran
 * long on empty tables, or names an optional input whose schema configure
 * does not have (unconnected, or not known yet: configure cannot tell). */
static bool sql_not_a_verdict(const sql_run *r, const tbl_table *const *inputs)
{
    if (r->over_budget) return true;
    static const char *const missing[] = {"no such table: t2", "no such table: t3"};
    for (size_t k = 0; k < 2; k++)
        if (inputs[k + 1] == NULL && strncmp(r->sqlite_message, missing[k], 17) == 0 &&
            r->sqlite_message[17] == '\0')
            return true;
    return false;
}

/* Opens the database, loads the connected inputs and runs the script. In
 * configure (res == NULL) it only checks, on the empty inputs, and keeps
 * quiet about what only empty inputs make look wrong. */
static int sql_execute(mod_ctx *ctx, const tbl_table *const *inputs, sql_result *res)
{
    const char *script = mod_param_string(ctx, "sql_query_script");
    if (script == NULL) return mod_param_error(ctx, "sql_query_script", "a script is required");
    sql_run r = {.ctx = ctx, .script = script, .budget = res ? -1 : SQL_CONFIGURE_BUDGET};
    int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_MEMORY;
    if (sqlite3_open_v2(":memory:", &r.db, flags, NULL) != SQLITE_OK) {
        sqlite3_close(r.db);
        return mod_fail(ctx, WF_ENOMEM, "cannot open an in-memory SQLite database");
    }
    sqlite3_progress_handler(r.db, SQL_PROGRESS_OPS, sql_on_progress, &r);
    /* The in-memory database has nothing to protect against a crash; and
     * sorts (GROUP BY, ORDER BY, DISTINCT) stay in memory, with the page
     * cache large enough that they do not spill to temporary files (the
     * step's memory limit still holds), on two worker threads. */
    sqlite3_exec(r.db,
                 "PRAGMA page_size=65536; PRAGMA journal_mode=OFF; PRAGMA synchronous=OFF;"
                 " PRAGMA temp_store=MEMORY;"
                 " PRAGMA cache_size=-4194304; PRAGMA threads=2",
                 NULL, NULL, NULL);
    int status = 0;
    static const char *const names[SQL_NINPUTS] = {"t1", "t2", "t3"};
    for (size_t k = 0; k < SQL_NINPUTS && status == 0; k++)
        if (inputs[k] != NULL) status = sql_load(&r, names[k], inputs[k]);
    mod_progress(ctx, 0.3);
    /* Set after loading: inputs may hold any text, scripts only choose. */
    sqlite3_set_authorizer(r.db, sql_authorize, NULL);
    if (status == 0) status = sql_run_script(&r, res);
    sqlite3_close(r.db);
    if (status < 0 && r.script_code != 0) {
        if (res == NULL && sql_not_a_verdict(&r, inputs)) return 0;
        return mod__field_error(ctx, "sql_query_script", r.script_code, "%s", r.script_error);
    }
    return status;
}

static void sql_inputs(mod_ctx *ctx, const tbl_table **inputs)
{
    inputs[0] = mod_input_table(ctx, "t1");
    inputs[1] = mod_input_table(ctx, "t2");
    inputs[2] = mod_input_table(ctx, "t3");
}

/* Configure runs the script on the empty input tables when t1's schema is
 * known: a syntax error or an unknown column then shows on the canvas
 * before anything runs. The output's types come from its values, so its
 * schema stays unknown. */
static int sql_configure(mod_ctx *ctx)
{
    const char *script = mod_param_string(ctx, "sql_query_script");
    if (script == NULL) return mod_param_error(ctx, "sql_query_script", "a script is required");
    const tbl_table *inputs[SQL_NINPUTS];
    sql_inputs(ctx, inputs);
    if (inputs[0] == NULL) return 0;
    return sql_execute(ctx, inputs, NULL);
}

static int sql_apply_run(mod_ctx *ctx)
{
    const tbl_table *inputs[SQL_NINPUTS];
    sql_inputs(ctx, inputs);
    if (inputs[0] == NULL) return mod_fail(ctx, WF_EINVAL, "input \"t1\" is missing");
    sql_result res = {0};
    int rc = sql_execute(ctx, inputs, &res);
    tbl_table *t = NULL;
    if (rc == 0) rc = sql_result_table(ctx, &res, inputs, &t);
    sql_result_clear(&res);
    if (rc < 0) return rc;
    mod_log(ctx, "the script returned %zu rows, %zu columns", t->nrows, t->ncols);
    return mod_output_table(ctx, "result_dataset", t);
}

const mod_descriptor mod_apply_sql_transformation = {
    .name = "apply-sql-transformation",
    .version = 1,
    .display_name = "Apply SQL Transformation",
    .category = "Data Transformation",
    .help = "Transforms up to three tables with a SQLite script: filter, join, aggregate, "
            "compute new columns, in SQL.\n"
            "\n"
            "The tables connected to the inputs are named `t1`, `t2` and `t3` in the script. "
            "They live in an in-memory SQLite database made for the step (SQLite "
            "3, with its full syntax: `GROUP BY`, window functions, `WITH` and recursive "
            "CTEs, `LEFT JOIN`...). Statements are separated by semicolons and run in "
            "order; the result set of the last one is the output, so a script can create "
            "and fill helper tables first and end with a `SELECT`.\n"
            "\n"
            "## Types\n"
            "\n"
            "Going in, integers are `INTEGER`, numbers `REAL`, strings and categorical "
            "columns `TEXT` (the level), booleans the integers 0 and 1, date-times ISO 8601 "
            "`TEXT` (`2024-03-01T12:00:00Z`, or `2024-03-01` at midnight), and missing values "
            "`NULL`. Coming out, SQLite types each value, not each column, so an output "
            "column's type comes from its values: all integers make an integer column; "
            "integers and reals a numeric one; any text (or blob) a string column, in which "
            "numbers are written as text. `NULL` is a missing value; a column of nothing but "
            "`NULL` takes its declared type when it has one, else string. An output column "
            "whose name is an input column's (t1 first, then t2, t3) keeps that column's "
            "role (label, weight...; Azure drops roles), and its type when every value "
            "fits: text back into a categorical column (the input's levels first, in their "
            "order, then new values) or a date-time, 0 and 1 back into a boolean. A value "
            "that does not fit (a date that is not one) leaves the column as SQLite gave "
            "it.\n"
            "\n"
            "## Parameters\n"
            "\n"
            "- **SQL query script** (`sql_query_script`, default `select * from t1;`): the "
            "statements. Quote names with spaces or other characters as `\"name\"` or "
            "`[name]`.\n"
            "\n"
            "An error names the line and column where SQLite found it, followed by SQLite's "
            "own message, as in `line 2, column 8: no such column: prise`. The canvas "
            "reports such errors before a run: configure runs the script on the inputs' "
            "empty schemas. `ATTACH` of a database file and `VACUUM INTO` a file are refused: a "
            "script sees only its inputs.\n"
            "\n"
            "## Inputs\n"
            "\n"
            "- **t1**: required.\n"
            "- **t2**, **t3**: optional; a script that names an unconnected one fails with "
            "`no such table`.\n"
            "\n"
            "## Output\n"
            "\n"
            "- **result_dataset**: the rows of the last statement.\n"
            "\n"
            "## Example\n"
            "\n"
            "```sql\n"
            "SELECT make, COUNT(*) AS cars, AVG(price) AS mean_price\n"
            "FROM t1 WHERE price IS NOT NULL\n"
            "GROUP BY make ORDER BY mean_price DESC;\n"
            "```\n",
    MOD_PORTS(inputs, sql_in),
    MOD_PORTS(outputs, sql_out),
    MOD_PARAMS(sql_params),
    .configure = sql_configure,
    .run = sql_apply_run,
};
