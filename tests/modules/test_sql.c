/*
 * test_sql.c: apply-sql-transformation@1. Each query's output is checked
 * against the same query run by Python's sqlite3 on the same data (loaded
 * with the documented types); then the errors: SQLite's own message, where
 * it happened, unknown columns and tables, scripts that end without rows,
 * refused ATTACH; roles; and configure's checks on empty schemas.
 */
#include "module_test.h"

#include <math.h>

/* t1: every column type, with missing values, and a name that needs
 * quoting. */
#define T1                                                                                         \
    "i,x,s,cat,b,d,unit \"price\",y\n"                                                             \
    "1,2.5,apple,red,true,2024-01-15,10,0\n"                                                       \
    "2,,banana,yellow,false,2024-02-29T13:45:00Z,20,1\n"                                           \
    "3,-1.25,,red,true,,30,1\n"                                                                    \
    "4,1e-3,cherry,red,,2023-12-31T23:59:59.5Z,,0\n"                                               \
    "5,100,date,green,false,2024-03-01,50,1\n"                                                     \
    ",7.75,elder,yellow,true,2024-03-02,60,0\n"

#define T2                                                                                         \
    "i,label,score\n"                                                                              \
    "1,one,0.5\n"                                                                                  \
    "3,three,\n"                                                                                   \
    "5,five,0.25\n"                                                                                \
    "7,seven,1\n"

/* The peer: builds t1 and t2 as the module documents (declared types
 * INTEGER, REAL, TEXT; booleans as 0/1; datetimes as the ISO text the CSV
 * holds), runs the query, prints its column names and rows. */
static const char sql_peer[] =
    "import csv, json, sqlite3, sys\n"
    "db = sqlite3.connect(':memory:')\n"
    "spec = json.load(open('spec.json'))\n"
    "for name, types in spec['tables'].items():\n"
    "    rows = list(csv.reader(open(name + '.csv', newline='')))\n"
    "    head, rows = rows[0], rows[1:]\n"
    "    decl = {'integer': 'INTEGER', 'numeric': 'REAL', 'boolean': 'INTEGER'}\n"
    "    cols = ', '.join('\"%s\" %s' % (h.replace('\"', '\"\"'), decl.get(t, 'TEXT'))\n"
    "                     for h, t in zip(head, types))\n"
    "    db.execute('CREATE TABLE %s (%s)' % (name, cols))\n"
    "    def conv(v, t):\n"
    "        if v == '': return None\n"
    "        if t == 'integer': return int(v)\n"
    "        if t == 'numeric': return float(v)\n"
    "        if t == 'boolean': return 1 if v == 'true' else 0\n"
    "        return v\n"
    "    db.executemany('INSERT INTO %s VALUES (%s)' % (name, ','.join('?' * len(head))),\n"
    "                   [[conv(v, t) for v, t in zip(r, types)] for r in rows])\n"
    "cur = db.cursor()\n"
    "try:\n"
    "    cur.executescript(spec['setup']) if spec['setup'] else None\n"
    "    cur.execute(spec['query'])\n"
    "    out = {'names': [c[0] for c in cur.description], 'rows': [list(r) for r in cur]}\n"
    "except sqlite3.Error as e:\n"
    "    out = {'error': str(e)}\n"
    "print(json.dumps(out))\n";

/* Runs the peer on the tables (t2 may be NULL) with the script split into
 * setup statements and a final query. */
static json_t *sql_expected(const char *dir, const tbl_table *t1, const tbl_table *t2,
                            const char *setup, const char *query)
{
    json_t *tables = json_object();
    const tbl_table *ts[] = {t1, t2};
    const char *names[] = {"t1", "t2"};
    for (size_t k = 0; k < 2; k++) {
        if (ts[k] == NULL) continue;
        mt_write_csv(dir, names[k], ts[k]);
        json_t *types = json_array();
        for (size_t j = 0; j < ts[k]->ncols; j++)
            json_array_append_new(types, json_string(tbl_type_name(ts[k]->cols[j].type)));
        json_object_set_new(tables, names[k], types);
    }
    json_t *spec = json_pack("{s:o, s:s?, s:s}", "tables", tables, "setup", setup, "query", query);
    char path[512];
    snprintf(path, sizeof path, "%s/spec.json", dir);
    assert_int_equal(json_dump_file(spec, path, 0), 0);
    json_decref(spec);
    return mt_python_json(dir, sql_peer, NULL);
}

/* Checks one cell of our output against the peer's value. */
static void sql_check_cell(const tbl_column *c, size_t row, const json_t *want)
{
    if (json_is_null(want)) {
        if (!tbl_is_missing(c, row))
            fail_msg("column \"%s\" row %zu: expected NULL (missing)", c->name, row + 1);
        return;
    }
    if (tbl_is_missing(c, row)) fail_msg("column \"%s\" row %zu: missing", c->name, row + 1);
    char *text = NULL;
    switch (c->type) {
    case TBL_INTEGER:
        if (!json_is_integer(want) || json_integer_value(want) != c->v.i64[row])
            fail_msg("column \"%s\" row %zu: %lld is not the peer's value", c->name, row + 1,
                     (long long)c->v.i64[row]);
        break;
    case TBL_NUMERIC:
        if (!json_is_number(want) || json_number_value(want) != c->v.f64[row])
            fail_msg("column \"%s\" row %zu: %.17g, the peer says %.17g", c->name, row + 1,
                     c->v.f64[row], json_number_value(want));
        break;
    case TBL_BOOLEAN:
        if (!json_is_integer(want) || json_integer_value(want) != c->v.b8[row])
            fail_msg("column \"%s\" row %zu: %d is not the peer's value", c->name, row + 1,
                     c->v.b8[row]);
        break;
    case TBL_DATETIME: {
        /* The same instant, however either side writes it. */
        int64_t t = 0;
        if (!json_is_string(want) ||
            tbl_parse_datetime(json_string_value(want), strlen(json_string_value(want)), &t) != 0 ||
            t != c->v.i64[row])
            fail_msg("column \"%s\" row %zu: not the peer's date-time", c->name, row + 1);
        break;
    }
    case TBL_STRING:
    case TBL_CATEGORICAL:
        text = malloc(tbl_format_cell(c, row, NULL, 0) + 1);
        tbl_format_cell(c, row, text, tbl_format_cell(c, row, NULL, 0) + 1);
        if (json_is_string(want)) {
            if (strcmp(text, json_string_value(want)) != 0)
                fail_msg("column \"%s\" row %zu: \"%s\", the peer says \"%s\"", c->name, row + 1,
                         text, json_string_value(want));
        } else if (json_is_integer(want)) {
            if (strtoll(text, NULL, 10) != json_integer_value(want))
                fail_msg("column \"%s\" row %zu: \"%s\" is not %lld", c->name, row + 1, text,
                         (long long)json_integer_value(want));
        } else if (strtod(text, NULL) != json_number_value(want)) {
            fail_msg("column \"%s\" row %zu: \"%s\" is not %.17g", c->name, row + 1, text,
                     json_number_value(want));
        }
        break;
    default:
        fail_msg("column \"%s\": unexpected type %s", c->name, tbl_type_name(c->type));
    }
    free(text);
}

/* Runs setup + query through the module and the peer and compares. */
static void sql_compare(const tbl_table *t1, const tbl_table *t2, const char *setup,
                        const char *query)
{
    char dir[64];
    mt_mkdtemp(dir, sizeof dir);
    json_t *want = sql_expected(dir, t1, t2, setup, query);
    if (json_object_get(want, "error") != NULL)
        fail_msg("the peer failed: %s", json_string_value(json_object_get(want, "error")));
    wf_buf script = {0};
    wf_buf_printf(&script, "%s%s", setup ? setup : "", query);
    json_t *params = json_pack("{s:s}", "sql_query_script", script.data);
    char *text = json_dumps(params, 0);
    mod_ctx ctx;
    /* The inputs are borrowed: the module never changes them. */
    mod_value in[] = {{.table = (tbl_table *)t1}, {.table = (tbl_table *)t2}};
    int rc = mt_run_inputs(&ctx, "apply-sql-transformation@1", text, in, 2, false);
    if (rc != 0) fail_msg("%s: %s", query, ctx.err.message);
    const tbl_table *out = mt_table(&ctx, 0);
    const json_t *names = json_object_get(want, "names");
    const json_t *rows = json_object_get(want, "rows");
    assert_int_equal(out->ncols, json_array_size(names));
    assert_int_equal(out->nrows, json_array_size(rows));
    for (size_t j = 0; j < out->ncols; j++) {
        assert_string_equal(out->cols[j].name, json_string_value(json_array_get(names, j)));
        for (size_t r = 0; r < out->nrows; r++)
            sql_check_cell(&out->cols[j], r, json_array_get(json_array_get(rows, r), j));
    }
    mod_ctx_clear(&ctx);
    free(text);
    json_decref(params);
    wf_buf_free(&script);
    json_decref(want);
    mt_rmtree(dir);
}

static void queries_match_pythons_sqlite3(void **state)
{
    (void)state;
    tbl_table *t1 = mt_csv(T1);
    tbl_table *t2 = mt_csv(T2);
    /* Few distinct strings: the reader made cat categorical. */
    assert_int_equal(t1->cols[3].type, TBL_CATEGORICAL);
    assert_int_equal(t1->cols[4].type, TBL_BOOLEAN);
    assert_int_equal(t1->cols[5].type, TBL_DATETIME);
    sql_compare(t1, NULL, NULL, "select * from t1;");
    sql_compare(t1, NULL, NULL,
                "SELECT cat, COUNT(*) AS n, SUM(i) AS si, AVG(x) AS ax, MIN(s) AS ms, "
                "MAX(d) AS md, SUM(b) AS sb, TOTAL(\"unit \"\"price\"\"\") AS tp "
                "FROM t1 GROUP BY cat ORDER BY cat");
    sql_compare(t1, t2, NULL,
                "SELECT t1.i, t1.s, t2.label, t2.score * 2 AS double_score FROM t1 "
                "LEFT JOIN t2 ON t1.i = t2.i ORDER BY t1.i");
    sql_compare(t1, NULL,
                "CREATE TABLE tmp AS SELECT i, x * 2 AS x2 FROM t1 WHERE x IS NOT NULL;\n"
                "UPDATE tmp SET x2 = x2 + 1 WHERE i > 2;\n",
                "SELECT * FROM tmp ORDER BY i;");
    sql_compare(t1, NULL, NULL,
                "SELECT CASE WHEN i % 2 = 0 THEN i ELSE s END AS mixed, "
                "CASE WHEN i = 1 THEN 1 ELSE 0.5 END AS numbers, NULL AS none_value, "
                "x / 3 AS third, i / 2 AS half FROM t1");
    sql_compare(t1, NULL, NULL,
                "SELECT i, SUM(x) OVER (ORDER BY i) AS running, "
                "ROW_NUMBER() OVER (PARTITION BY cat ORDER BY i) AS rn FROM t1 ORDER BY i");
    sql_compare(t1, NULL, NULL,
                "SELECT d, date(d) AS day, strftime('%s', d) AS epoch FROM t1 "
                "WHERE d IS NOT NULL AND d > '2024'");
    sql_compare(t1, NULL, NULL, "SELECT i, s FROM t1 -- a comment at the end\n");
    tbl_free(t1);
    tbl_free(t2);
}

/* 1000 rows go in by batches of rows and a few single rows: every one of
 * them arrives, in order. */
static void a_large_input_arrives_whole(void **state)
{
    (void)state;
    wf_buf csv = {0};
    wf_buf_puts(&csv, "i,x,s\n");
    for (int i = 0; i < 1000; i++) {
        if (i % 17 == 3)
            wf_buf_printf(&csv, "%d,,\n", i);
        else
            wf_buf_printf(&csv, "%d,%d.%02d,s%d\n", i, i * 7 % 101, i % 100, i * 13 % 997);
    }
    tbl_table *t1 = mt_csv(csv.data);
    wf_buf_free(&csv);
    sql_compare(t1, NULL, NULL, "SELECT rowid AS r, * FROM t1");
    sql_compare(t1, NULL, NULL,
                "SELECT COUNT(*) AS n, COUNT(x) AS nx, SUM(i) AS si, TOTAL(x) AS tx, "
                "GROUP_CONCAT(s, '') AS all_s FROM t1");
    tbl_free(t1);
}

/* ---- the module's own rules -------------------------------------------- */

static void result_columns_named_like_inputs_keep_their_role(void **state)
{
    (void)state;
    tbl_table *t1 = mt_csv(T1);
    t1->cols[7].role = TBL_ROLE_LABEL;  /* y */
    t1->cols[1].role = TBL_ROLE_WEIGHT; /* x */
    mod_ctx ctx;
    int rc = mt_run(&ctx, "apply-sql-transformation@1",
                    "{\"sql_query_script\": \"SELECT y, x, x AS x2, y AS y FROM t1\"}", t1, false);
    if (rc != 0) fail_msg("%s", ctx.err.message);
    const tbl_table *out = mt_table(&ctx, 0);
    assert_int_equal(out->ncols, 4);
    assert_string_equal(out->cols[0].name, "y");
    assert_int_equal(out->cols[0].role, TBL_ROLE_LABEL);
    assert_int_equal(out->cols[1].role, TBL_ROLE_WEIGHT);
    assert_int_equal(out->cols[2].role, TBL_ROLE_FEATURE);
    /* A second "y" is renamed, and a table keeps one label. */
    assert_string_equal(out->cols[3].name, "y (2)");
    assert_int_equal(out->cols[3].role, TBL_ROLE_FEATURE);
    mod_ctx_clear(&ctx);
    tbl_free(t1);
}

/* Named like an input column, a result takes its type back only where
 * every value fits; a categorical keeps the input's levels first. */
static void input_types_come_back_where_the_values_fit(void **state)
{
    (void)state;
    tbl_table *t1 = mt_csv(T1);
    assert_int_equal(t1->cols[3].type, TBL_CATEGORICAL);
    mod_ctx ctx;
    assert_int_equal(mt_run(&ctx, "apply-sql-transformation@1",
                            "{\"sql_query_script\": \"SELECT upper(cat) AS cat, b + 1 AS b, "
                            "'not a date' AS d, b AS flag FROM t1 WHERE i > 1\"}",
                            t1, false),
                     0);
    const tbl_table *out = mt_table(&ctx, 0);
    const tbl_column *cat = &out->cols[0];
    assert_int_equal(cat->type, TBL_CATEGORICAL);
    /* red, yellow, green from t1 (the order they were met), then the new
     * upper-case values as they appear. */
    const char *levels[] = {"red", "yellow", "green", "YELLOW", "RED", "GREEN"};
    assert_int_equal(cat->levels.count, 6);
    for (size_t k = 0; k < 6; k++) {
        size_t len;
        const char *s = tbl_strings_at(&cat->levels, k, &len);
        assert_int_equal(len, strlen(levels[k]));
        assert_memory_equal(s, levels[k], len);
    }
    char first[16];
    tbl_format_cell(cat, 0, first, sizeof first);
    assert_string_equal(first, "YELLOW");
    /* 1 and 2 are not booleans; text that is no date stays text. */
    assert_int_equal(out->cols[1].type, TBL_INTEGER);
    assert_int_equal(out->cols[2].type, TBL_STRING);
    /* A new name takes nothing back. */
    assert_int_equal(out->cols[3].type, TBL_INTEGER);
    mod_ctx_clear(&ctx);
    tbl_free(t1);
}

static void types_come_from_the_values(void **state)
{
    (void)state;
    tbl_table *t1 = mt_csv(T1);
    mod_ctx ctx;
    assert_int_equal(mt_run(&ctx, "apply-sql-transformation@1",
                            "{\"sql_query_script\": \"SELECT b, d, x, i, "
                            "CAST(NULL AS INTEGER) AS none_int, NULL AS none FROM t1\"}",
                            t1, false),
                     0);
    const tbl_table *out = mt_table(&ctx, 0);
    /* Booleans went in as 0 and 1, date-times as ISO text; named as their
     * input columns, they come back as booleans and date-times. */
    assert_int_equal(out->cols[0].type, TBL_BOOLEAN);
    assert_int_equal(out->cols[0].v.b8[0], 1);
    assert_int_equal(out->cols[0].v.b8[1], 0);
    assert_true(tbl_is_missing(&out->cols[0], 3));
    assert_int_equal(out->cols[1].type, TBL_DATETIME);
    char text[64];
    tbl_format_cell(&out->cols[1], 1, text, sizeof text);
    assert_string_equal(text, "2024-02-29T13:45:00Z");
    assert_true(tbl_is_missing(&out->cols[1], 2));
    assert_int_equal(out->cols[2].type, TBL_NUMERIC);
    assert_true(tbl_is_missing(&out->cols[2], 1));
    assert_int_equal(out->cols[3].type, TBL_INTEGER);
    assert_true(tbl_is_missing(&out->cols[3], 5));
    /* All NULL: string, all missing. */
    assert_int_equal(out->cols[5].type, TBL_STRING);
    assert_int_equal(tbl_count_missing(&out->cols[5], out->nrows), out->nrows);
    mod_ctx_clear(&ctx);
    tbl_free(t1);
}

/* ---- errors -------------------------------------------------------------- */

/* Runs script on T1 and T2 with Python too, and checks that our message
 * carries SQLite's, as Python reports it, after the place. */
static void sql_assert_error(const char *script, const char *place)
{
    char dir[64];
    mt_mkdtemp(dir, sizeof dir);
    tbl_table *t1 = mt_csv(T1);
    json_t *want = sql_expected(dir, t1, NULL, NULL, script);
    const char *sqlite_says = json_string_value(json_object_get(want, "error"));
    assert_non_null(sqlite_says);
    json_t *params = json_pack("{s:s}", "sql_query_script", script);
    char *text = json_dumps(params, 0);
    mod_ctx ctx;
    assert_int_equal(mt_run(&ctx, "apply-sql-transformation@1", text, t1, false), WF_EINVAL);
    const char *msg = mt_field_error(&ctx, "sql_query_script");
    char expected[1024];
    snprintf(expected, sizeof expected, "%s: %s", place, sqlite_says);
    if (msg == NULL || strcmp(msg, expected) != 0)
        fail_msg("error \"%s\", expected \"%s\"", msg ? msg : "(none)", expected);
    mt_assert_contains(ctx.err.message, "parameter \"sql_query_script\": line");
    assert_null(ctx.outputs[0].table);
    mod_ctx_clear(&ctx);
    free(text);
    json_decref(params);
    json_decref(want);
    tbl_free(t1);
    mt_rmtree(dir);
}

static void sqlite_errors_reach_the_user_unchanged(void **state)
{
    (void)state;
    sql_assert_error("SELEC * FROM t1", "line 1, column 1");
    sql_assert_error("SELECT i,\n       prise\nFROM t1", "line 2, column 8");
    /* SQLite gives no offset for a missing table: the statement is named. */
    sql_assert_error("SELECT * FROM t2", "line 1, column 1");
    sql_assert_error("SELECT * FROM t1 WHERE", "line 1, column 23");
}

static void a_failing_statement_is_placed_in_the_script(void **state)
{
    (void)state;
    tbl_table *t1 = mt_csv(T1);
    mod_ctx ctx;
    /* The second statement fails when it runs (a constraint), not when it
     * compiles: the error points at its start. */
    assert_int_equal(mt_run(&ctx, "apply-sql-transformation@1",
                            "{\"sql_query_script\": \"CREATE TABLE k (v INTEGER UNIQUE);\\n"
                            "  INSERT INTO k SELECT cat FROM t1;\\nSELECT * FROM k;\"}",
                            t1, false),
                     WF_EINVAL);
    mt_assert_contains(mt_field_error(&ctx, "sql_query_script"),
                       "line 2, column 3: UNIQUE constraint failed: k.v");
    mod_ctx_clear(&ctx);
    tbl_free(t1);
}

static void a_script_must_end_with_rows(void **state)
{
    (void)state;
    tbl_table *t1 = mt_csv(T1);
    mod_ctx ctx;
    assert_int_equal(mt_run(&ctx, "apply-sql-transformation@1",
                            "{\"sql_query_script\": \"SELECT 1;\\nDELETE FROM t1;\"}", t1, false),
                     WF_EINVAL);
    mt_assert_contains(mt_field_error(&ctx, "sql_query_script"),
                       "line 2: the last statement returns no rows");
    mod_ctx_clear(&ctx);
    assert_int_equal(mt_run(&ctx, "apply-sql-transformation@1",
                            "{\"sql_query_script\": \" -- nothing\\n ; \"}", t1, false),
                     WF_EINVAL);
    mt_assert_contains(mt_field_error(&ctx, "sql_query_script"), "no statement");
    mod_ctx_clear(&ctx);
    /* No t1 at run time. */
    assert_int_equal(mt_run(&ctx, "apply-sql-transformation@1", "{}", NULL, false), WF_EINVAL);
    mt_assert_contains(ctx.err.message, "\"t1\" is missing");
    mod_ctx_clear(&ctx);
    tbl_free(t1);
}

static void a_script_cannot_attach_files(void **state)
{
    (void)state;
    char dir[64], script[512];
    mt_mkdtemp(dir, sizeof dir);
    tbl_table *t1 = mt_csv(T1);
    snprintf(script, sizeof script,
             "{\"sql_query_script\": \"ATTACH DATABASE '%s/x.db' AS x; "
             "CREATE TABLE x.t AS SELECT * FROM t1; SELECT 1\"}",
             dir);
    mod_ctx ctx;
    assert_int_equal(mt_run(&ctx, "apply-sql-transformation@1", script, t1, false), WF_EINVAL);
    mt_assert_contains(mt_field_error(&ctx, "sql_query_script"), "not authorized");
    mod_ctx_clear(&ctx);
    char path[600];
    snprintf(path, sizeof path, "%s/x.db", dir);
    assert_int_not_equal(access(path, F_OK), 0);
    /* VACUUM INTO writes a file by attaching it: refused too. */
    snprintf(script, sizeof script, "{\"sql_query_script\": \"VACUUM INTO '%s/v.db'; SELECT 1\"}",
             dir);
    assert_int_equal(mt_run(&ctx, "apply-sql-transformation@1", script, t1, false), WF_EINVAL);
    mt_assert_contains(mt_field_error(&ctx, "sql_query_script"), "authorization denied");
    mod_ctx_clear(&ctx);
    snprintf(path, sizeof path, "%s/v.db", dir);
    assert_int_not_equal(access(path, F_OK), 0);
    /* A scratch in-memory database is fine. */
    assert_int_equal(mt_run(&ctx, "apply-sql-transformation@1",
                            "{\"sql_query_script\": \"ATTACH ':memory:' AS m; CREATE TABLE "
                            "m.t AS SELECT i FROM t1; SELECT COUNT(*) AS n FROM m.t\"}",
                            t1, false),
                     0);
    assert_int_equal(mt_table(&ctx, 0)->cols[0].v.i64[0], 6);
    mod_ctx_clear(&ctx);
    tbl_free(t1);
    mt_rmtree(dir);
}

static void configure_checks_the_script_on_empty_schemas(void **state)
{
    (void)state;
    tbl_table *t1 = mt_csv(T1);
    tbl_table *schema = NULL;
    assert_int_equal(tbl_take(t1, NULL, 0, &schema, NULL), 0);
    mod_ctx ctx;
    assert_int_equal(mt_run(&ctx, "apply-sql-transformation@1",
                            "{\"sql_query_script\": \"SELECT prise FROM t1\"}", schema, true),
                     WF_EINVAL);
    mt_assert_contains(mt_field_error(&ctx, "sql_query_script"), "no such column: prise");
    mod_ctx_clear(&ctx);
    /* A good script: no error, and the output's schema stays unknown. */
    assert_int_equal(mt_run(&ctx, "apply-sql-transformation@1",
                            "{\"sql_query_script\": \"SELECT i FROM t1\"}", schema, true),
                     0);
    assert_null(ctx.outputs[0].table);
    mod_ctx_clear(&ctx);
    /* t2's schema is not known here (unconnected, or not yet known): a
     * script that reads it is not condemned before it runs. */
    assert_int_equal(mt_run(&ctx, "apply-sql-transformation@1",
                            "{\"sql_query_script\": \"SELECT * FROM t1 JOIN t2 USING (i)\"}",
                            schema, true),
                     0);
    assert_int_equal(ctx.nfield_errors, 0);
    mod_ctx_clear(&ctx);
    /* A script that loops on its own is not run to the end in configure. */
    assert_int_equal(mt_run(&ctx, "apply-sql-transformation@1",
                            "{\"sql_query_script\": \"WITH RECURSIVE c(n) AS (SELECT 1 UNION "
                            "ALL SELECT n + 1 FROM c) SELECT MAX(n) FROM c\"}",
                            schema, true),
                     0);
    mod_ctx_clear(&ctx);
    tbl_free(schema);
    tbl_free(t1);
}

static void a_canceled_script_stops(void **state)
{
    (void)state;
    tbl_table *t1 = mt_csv(T1);
    json_t *params = json_pack("{s:s}", "sql_query_script",
                               "WITH RECURSIVE c(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM c) "
                               "SELECT MAX(n) FROM c");
    mod_ctx ctx;
    assert_int_equal(mod_ctx_init(&ctx, mod_find("apply-sql-transformation"), params), 0);
    json_decref(params);
    ctx.inputs[0].table = t1;
    ctx.inputs[0].borrowed = true;
    volatile sig_atomic_t cancel = 1;
    ctx.cancel = &cancel;
    assert_int_equal(ctx.module->run(&ctx), WF_ECANCELED);
    mod_ctx_clear(&ctx);
    tbl_free(t1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(queries_match_pythons_sqlite3),
        cmocka_unit_test(a_large_input_arrives_whole),
        cmocka_unit_test(result_columns_named_like_inputs_keep_their_role),
        cmocka_unit_test(types_come_from_the_values),
        cmocka_unit_test(input_types_come_back_where_the_values_fit),
        cmocka_unit_test(sqlite_errors_reach_the_user_unchanged),
        cmocka_unit_test(a_failing_statement_is_placed_in_the_script),
        cmocka_unit_test(a_script_must_end_with_rows),
        cmocka_unit_test(a_script_cannot_attach_files),
        cmocka_unit_test(configure_checks_the_script_on_empty_schemas),
        cmocka_unit_test(a_canceled_script_stops),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
