/*
 * test_arff.c: the ARFF reader (src/table/arff_read.c) on Weka's own sample
 * files and on small inputs written here for one behaviour each.
 */
#include "table/table.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SAMPLES WEFT_TEST_DATA "/../../.cache/samples/"

/* Reads ARFF text; fails the test if it does not load. */
static tbl_table *read_ok(const char *text)
{
    tbl_table *t = NULL;
    wf_error err = {0};
    int rc = tbl_read_arff(text, strlen(text), NULL, &t, &err);
    if (rc < 0) fail_msg("unexpected error: %s", err.message);
    assert_non_null(t);
    return t;
}

/* Reads ARFF text that must fail; returns the error for checking. */
static wf_error read_fails(const char *text, size_t len)
{
    tbl_table *t = (tbl_table *)1;
    wf_error err = {0};
    int rc = tbl_read_arff(text, len, NULL, &t, &err);
    assert_true(rc < 0);
    assert_int_equal(rc, err.code);
    assert_null(t);
    return err;
}

static void assert_contains(const char *haystack, const char *needle)
{
    if (strstr(haystack, needle) == NULL)
        fail_msg("\"%s\" does not contain \"%s\"", haystack, needle);
}

static tbl_table *read_sample(const char *name)
{
    char path[4096];
    snprintf(path, sizeof path, "%s%s", SAMPLES, name);
    char *data = NULL;
    size_t len = 0;
    wf_error err = {0};
    if (wf_read_file(path, &data, &len, &err) < 0) fail_msg("%s", err.message);
    tbl_table *t = NULL;
    if (tbl_read_arff(data, len, NULL, &t, &err) < 0) fail_msg("%s: %s", name, err.message);
    free(data);
    return t;
}

static const char *level(const tbl_column *c, size_t i, char *buf, size_t cap)
{
    size_t len;
    const char *s = tbl_strings_at(&c->levels, i, &len);
    snprintf(buf, cap, "%.*s", (int)len, s);
    return buf;
}

static const char *cell(const tbl_table *t, size_t col, size_t row)
{
    static char buf[256];
    tbl_format_cell(&t->cols[col], row, buf, sizeof buf);
    return buf;
}

/* ---- Weka's sample files ----------------------------------------------- */

static void arff_reads_iris_with_declared_class_levels(void **state)
{
    (void)state;
    tbl_table *t = read_sample("iris.arff");
    assert_int_equal(t->nrows, 150);
    assert_int_equal(t->ncols, 5);
    assert_string_equal(t->cols[0].name, "sepallength");
    assert_int_equal(t->cols[0].type, TBL_NUMERIC);
    assert_true(t->cols[0].v.f64[0] == 5.1);
    const tbl_column *cls = &t->cols[4];
    assert_string_equal(cls->name, "class");
    assert_int_equal(cls->type, TBL_CATEGORICAL);
    assert_int_equal(cls->levels.count, 3);
    char buf[64];
    assert_string_equal(level(cls, 0, buf, sizeof buf), "Iris-setosa");
    assert_string_equal(level(cls, 2, buf, sizeof buf), "Iris-virginica");
    assert_int_equal(cls->v.codes[0], 0);
    assert_int_equal(cls->v.codes[149], 2);
    assert_null(cls->missing);
    tbl_free(t);
}

static void arff_reads_credit_g_with_quoted_nominals(void **state)
{
    (void)state;
    tbl_table *t = read_sample("credit-g.arff");
    assert_int_equal(t->nrows, 1000);
    assert_int_equal(t->ncols, 21);
    char buf[64];
    assert_int_equal(t->cols[0].type, TBL_CATEGORICAL);
    assert_string_equal(level(&t->cols[0], 0, buf, sizeof buf), "<0");
    assert_string_equal(level(&t->cols[0], 3, buf, sizeof buf), "no checking");
    /* An unquoted declared value with a slash, and a quoted one with a space. */
    assert_string_equal(cell(t, 3, 0), "radio/tv");
    assert_string_equal(cell(t, 2, 0), "critical/other existing credit");
    assert_string_equal(t->cols[20].name, "class");
    assert_string_equal(cell(t, 20, 1), "bad");
    tbl_free(t);
}

static void arff_soybean_keeps_missing_values(void **state)
{
    (void)state;
    tbl_table *t = read_sample("soybean.arff");
    assert_int_equal(t->nrows, 683);
    assert_int_equal(t->ncols, 36);
    size_t missing = 0;
    for (size_t c = 0; c < t->ncols; c++)
        missing += tbl_count_missing(&t->cols[c], t->nrows);
    /* The UCI description of soybean-large: 2337 missing values. */
    assert_int_equal(missing, 2337);
    /* A declared value after a space inside the braces is trimmed. */
    char buf[64];
    assert_string_equal(level(&t->cols[5], 3, buf, sizeof buf), "same-lst-sev-yrs");
    tbl_free(t);
}

static void arff_vote_marks_every_question_mark_missing(void **state)
{
    (void)state;
    tbl_table *t = read_sample("vote.arff");
    assert_int_equal(t->nrows, 435);
    assert_int_equal(t->ncols, 17);
    size_t missing = 0;
    for (size_t c = 0; c < t->ncols; c++) {
        missing += tbl_count_missing(&t->cols[c], t->nrows);
        for (size_t r = 0; r < t->nrows; r++)
            if (tbl_is_missing(&t->cols[c], r)) assert_int_equal(t->cols[c].v.codes[r], -1);
    }
    assert_int_equal(missing, 392);
    tbl_free(t);
}

static void arff_loads_every_weka_sample(void **state)
{
    (void)state;
    static const struct {
        const char *name;
        size_t rows, cols;
    } samples[] = {{"cpu.arff", 209, 7},         {"credit-g.arff", 1000, 21},
                   {"diabetes.arff", 768, 9},    {"iris.arff", 150, 5},
                   {"soybean.arff", 683, 36},    {"unbalanced.arff", 856, 33},
                   {"ionosphere.arff", 351, 35}, {"vote.arff", 435, 17}};
    for (size_t i = 0; i < sizeof samples / sizeof samples[0]; i++) {
        tbl_table *t = read_sample(samples[i].name);
        assert_int_equal(t->nrows, samples[i].rows);
        assert_int_equal(t->ncols, samples[i].cols);
        tbl_free(t);
    }
}

/* ---- header ------------------------------------------------------------ */

static void arff_keywords_and_types_are_case_insensitive(void **state)
{
    (void)state;
    tbl_table *t = read_ok("@RelAtion r\n@ATTRIBUTE a NUMERIC\n@Attribute b Real\n"
                           "@attribute c InTeGeR\n@attribute d STRING\n@DaTa\n1,2,3,x\n");
    assert_int_equal(t->cols[0].type, TBL_NUMERIC);
    assert_int_equal(t->cols[1].type, TBL_NUMERIC);
    assert_int_equal(t->cols[2].type, TBL_INTEGER);
    assert_int_equal(t->cols[2].v.i64[0], 3);
    assert_int_equal(t->cols[3].type, TBL_STRING);
    tbl_free(t);
}

static void arff_nominal_codes_follow_declared_order(void **state)
{
    (void)state;
    tbl_table *t = read_ok("@relation r\n@attribute x {c, b, a, unused}\n@data\na\nb\nc\na\n");
    const tbl_column *x = &t->cols[0];
    assert_int_equal(x->levels.count, 4);
    char buf[16];
    assert_string_equal(level(x, 0, buf, sizeof buf), "c");
    assert_string_equal(level(x, 3, buf, sizeof buf), "unused");
    assert_int_equal(x->v.codes[0], 2);
    assert_int_equal(x->v.codes[1], 1);
    assert_int_equal(x->v.codes[2], 0);
    tbl_free(t);
}

static void arff_quoted_names_and_values_use_escapes(void **state)
{
    (void)state;
    tbl_table *t = read_ok("@relation 'my data'\n"
                           "@attribute 'first name' string\n"
                           "@attribute \"say \\\"hi\\\"\" {'it\\'s', \"a,b\"}\n"
                           "@data\n"
                           "'O\\'Brien, Pat', 'it\\'s'\n"
                           "\"tab\\there 100\\%\", \"a,b\"\n");
    assert_string_equal(t->cols[0].name, "first name");
    assert_string_equal(t->cols[1].name, "say \"hi\"");
    assert_int_equal(t->nrows, 2);
    assert_string_equal(cell(t, 0, 0), "O'Brien, Pat");
    assert_string_equal(cell(t, 0, 1), "tab\there 100%");
    assert_string_equal(cell(t, 1, 0), "it's");
    assert_string_equal(cell(t, 1, 1), "a,b");
    tbl_free(t);
}

static void arff_decodes_unicode_escapes_and_keeps_unknown_ones(void **state)
{
    (void)state;
    tbl_table *t = read_ok("@relation r\n@attribute s string\n@data\n"
                           "'caf\\u00e9 \\u20AC'\n"
                           "'C:\\temp\\q \\u12'\n"
                           "'nul \\u0000 surrogate \\ud800'\n");
    assert_string_equal(cell(t, 0, 0), "caf\xc3\xa9 \xe2\x82\xac");
    /* \t is a tab; \q and a short \u are not escapes and stay as written. */
    assert_string_equal(cell(t, 0, 1), "C:\temp\\q \\u12");
    assert_string_equal(cell(t, 0, 2), "nul \\u0000 surrogate \\ud800");
    tbl_free(t);
}

static void arff_skips_comments_blank_lines_and_crlf(void **state)
{
    (void)state;
    tbl_table *t = read_ok("% a comment\r\n\r\n@relation r % trailing\r\n"
                           "@attribute a numeric % the first\r\n"
                           "@attribute b {x,y}\r\n%\r\n@data\r\n\r\n"
                           "% between rows\r\n1.5, x % after a row\r\n  2 ,y\r\n");
    assert_int_equal(t->nrows, 2);
    assert_true(t->cols[0].v.f64[0] == 1.5);
    assert_true(t->cols[0].v.f64[1] == 2.0);
    assert_string_equal(cell(t, 1, 1), "y");
    tbl_free(t);
}

static void arff_renames_duplicate_attribute_and_warns(void **state)
{
    (void)state;
    const char *text = "@relation r\n@attribute x numeric\n@attribute x numeric\n"
                       "@attribute x numeric\n@data\n1,2,3\n";
    char *warnings = NULL;
    tbl_read_options opt = {.warnings = &warnings};
    tbl_table *t = NULL;
    wf_error err = {0};
    assert_int_equal(tbl_read_arff(text, strlen(text), &opt, &t, &err), 0);
    assert_string_equal(t->cols[0].name, "x");
    assert_string_equal(t->cols[1].name, "x (2)");
    assert_string_equal(t->cols[2].name, "x (3)");
    assert_true(t->cols[2].v.f64[0] == 3.0);
    assert_non_null(warnings);
    assert_contains(warnings, "line 3: attribute \"x\" is declared twice; renamed to \"x (2)\"");
    assert_contains(warnings, "\"x (3)\"");
    free(warnings);
    tbl_free(t);
}

static void arff_reads_header_with_no_rows(void **state)
{
    (void)state;
    tbl_table *t = read_ok("@relation r\n@attribute a numeric\n@attribute b {u,v}\n"
                           "@attribute s string\n@data\n");
    assert_int_equal(t->nrows, 0);
    assert_int_equal(t->ncols, 3);
    assert_int_equal(t->cols[1].levels.count, 2);
    assert_int_equal(t->cols[2].str.count, 0);
    tbl_free(t);
}

/* ---- values ------------------------------------------------------------ */

static void arff_question_mark_is_missing_in_every_type(void **state)
{
    (void)state;
    tbl_table *t = read_ok("@relation r\n@attribute n numeric\n@attribute i integer\n"
                           "@attribute c {a,b}\n@attribute s string\n@attribute d date\n"
                           "@data\n?,?,?,?,?\n1,2,a,'?',2001-04-03T12:12:12\n");
    for (size_t c = 0; c < t->ncols; c++) {
        assert_true(tbl_is_missing(&t->cols[c], 0));
        assert_false(tbl_is_missing(&t->cols[c], 1));
    }
    assert_int_equal(t->cols[2].v.codes[0], -1);
    /* A quoted ? is a value, not a missing marker. */
    assert_string_equal(cell(t, 3, 1), "?");
    tbl_free(t);
}

static void arff_integer_with_fraction_becomes_numeric_with_warning(void **state)
{
    (void)state;
    const char *text = "@relation r\n@attribute i integer\n@data\n1\n-7\n2.5\n1e3\n";
    char *warnings = NULL;
    tbl_read_options opt = {.warnings = &warnings};
    tbl_table *t = NULL;
    wf_error err = {0};
    assert_int_equal(tbl_read_arff(text, strlen(text), &opt, &t, &err), 0);
    assert_int_equal(t->cols[0].type, TBL_NUMERIC);
    assert_true(t->cols[0].v.f64[0] == 1.0);
    assert_true(t->cols[0].v.f64[1] == -7.0);
    assert_true(t->cols[0].v.f64[2] == 2.5);
    assert_true(t->cols[0].v.f64[3] == 1000.0);
    assert_non_null(warnings);
    assert_contains(warnings, "line 6: attribute \"i\" is declared integer but has \"2.5\"");
    free(warnings);
    tbl_free(t);
}

static void arff_reads_dates_in_declared_formats(void **state)
{
    (void)state;
    tbl_table *t =
        read_ok("@relation r\n"
                "@attribute iso date\n"
                "@attribute day date yyyy-MM-dd\n"
                "@attribute stamp date \"yyyy-MM-dd HH:mm:ss\"\n"
                "@attribute euro date 'dd/MM/yyyy hh:mm a'\n"
                "@attribute text date \"EEE, d MMM yyyy HH:mm:ss.SSS Z\"\n"
                "@attribute packed DATE yyyyMMddHHmm\n"
                "@data\n"
                "2001-04-03T12:12:12,2001-04-03,'2001-04-03 12:12:12','03/04/2001 01:30 PM',"
                "'Tue, 3 Apr 2001 12:12:12.250 +0200',200104031212\n"
                /* ISO text is accepted whatever the declared format. */
                "2001-04-03,2001-04-03T00:00:01Z,2001-04-03,2001-04-03,2001-04-03,2001-04-03\n");
    assert_int_equal(t->cols[0].type, TBL_DATETIME);
    assert_string_equal(cell(t, 0, 0), "2001-04-03T12:12:12Z");
    assert_string_equal(cell(t, 1, 0), "2001-04-03");
    assert_string_equal(cell(t, 2, 0), "2001-04-03T12:12:12Z");
    assert_string_equal(cell(t, 3, 0), "2001-04-03T13:30:00Z");
    assert_string_equal(cell(t, 4, 0), "2001-04-03T10:12:12.250000Z");
    assert_string_equal(cell(t, 5, 0), "2001-04-03T12:12:00Z");
    assert_string_equal(cell(t, 0, 1), "2001-04-03");
    assert_string_equal(cell(t, 1, 1), "2001-04-03T00:00:01Z");
    tbl_free(t);
}

static void arff_reads_dates_from_data_file(void **state)
{
    (void)state;
    char *data = NULL;
    size_t len = 0;
    wf_error err = {0};
    if (wf_read_file(WEFT_TEST_DATA "/arff_dates.arff", &data, &len, &err) < 0)
        fail_msg("%s", err.message);
    tbl_table *t = NULL;
    if (tbl_read_arff(data, len, NULL, &t, &err) < 0) fail_msg("%s", err.message);
    assert_int_equal(t->nrows, 3);
    assert_int_equal(t->cols[1].type, TBL_DATETIME);
    assert_string_equal(cell(t, 1, 0), "1999-12-31T23:59:59Z");
    assert_string_equal(cell(t, 1, 1), "2024-02-29");
    assert_true(tbl_is_missing(&t->cols[1], 2));
    tbl_free(t);
    free(data);
}

static void arff_sparse_rows_fill_zero_and_first_level(void **state)
{
    (void)state;
    tbl_table *t = read_ok("@relation r\n@attribute a numeric\n@attribute b integer\n"
                           "@attribute c {yes,no}\n@attribute s string\n@data\n"
                           "{1 5, 3 'hi there'}\n{}\n{0 2.5, 2 no}, {0.5}\n{2 ?}\n");
    assert_int_equal(t->nrows, 4);
    assert_true(t->cols[0].v.f64[0] == 0.0);
    assert_int_equal(t->cols[1].v.i64[0], 5);
    assert_int_equal(t->cols[2].v.codes[0], 0); /* "yes", the first declared */
    assert_string_equal(cell(t, 3, 0), "hi there");
    assert_string_equal(cell(t, 3, 1), "");
    assert_false(tbl_is_missing(&t->cols[3], 1));
    assert_true(t->cols[0].v.f64[2] == 2.5);
    assert_int_equal(t->cols[2].v.codes[2], 1);
    assert_true(tbl_is_missing(&t->cols[2], 3));
    tbl_free(t);
}

static void arff_ignores_row_weights(void **state)
{
    (void)state;
    tbl_table *t = read_ok("@relation r\n@attribute a numeric\n@attribute b {x,y}\n@data\n"
                           "1,x,{2}\n3, y, { 0.5 }\n");
    assert_int_equal(t->nrows, 2);
    assert_int_equal(t->ncols, 2);
    assert_true(t->cols[0].v.f64[1] == 3.0);
    tbl_free(t);
}

/* ---- errors ------------------------------------------------------------ */

static void arff_rejects_undeclared_nominal_value_with_line(void **state)
{
    (void)state;
    const char *text = "@relation r\n@attribute a numeric\n@attribute class {x,y}\n@data\n"
                       "1,x\n2,foo\n";
    wf_error err = read_fails(text, strlen(text));
    assert_int_equal(err.code, WF_EPARSE);
    assert_string_equal(err.message,
                        "line 6, attribute \"class\": value \"foo\" is not one of the declared "
                        "values");
}

static void arff_rejects_wrong_field_count_with_line(void **state)
{
    (void)state;
    const char *few = "@relation r\n@attribute a numeric\n@attribute b numeric\n@data\n1,2\n3\n";
    wf_error err = read_fails(few, strlen(few));
    assert_string_equal(err.message, "line 6: expected 2 values, found 1");
    const char *many = "@relation r\n@attribute a numeric\n@data\n1\n2,3,4\n";
    err = read_fails(many, strlen(many));
    assert_string_equal(err.message, "line 5: expected 1 values, found 3");
}

static void arff_rejects_text_in_numeric_attribute(void **state)
{
    (void)state;
    const char *text = "@relation r\n@attribute price numeric\n@data\n1.5\nabc\n";
    wf_error err = read_fails(text, strlen(text));
    assert_string_equal(err.message, "line 5, attribute \"price\": \"abc\" is not a number");
    const char *integer = "@relation r\n@attribute n integer\n@data\n12x\n";
    err = read_fails(integer, strlen(integer));
    assert_string_equal(err.message, "line 4, attribute \"n\": \"12x\" is not a number");
}

static void arff_rejects_unterminated_quote(void **state)
{
    (void)state;
    const char *text = "@relation r\n@attribute s string\n@data\n'open\n";
    wf_error err = read_fails(text, strlen(text));
    assert_contains(err.message, "line 4, attribute \"s\": unterminated quote");
    const char *header = "@relation r\n@attribute 'name numeric\n@data\n";
    err = read_fails(header, strlen(header));
    assert_contains(err.message, "line 2: unterminated quote");
}

static void arff_rejects_missing_data_section(void **state)
{
    (void)state;
    const char *text = "@relation r\n@attribute a numeric\n";
    wf_error err = read_fails(text, strlen(text));
    assert_contains(err.message, "no @data");
    const char *no_attrs = "@relation r\n@data\n1\n";
    err = read_fails(no_attrs, strlen(no_attrs));
    assert_string_equal(err.message, "line 2: @data comes before any @attribute");
}

static void arff_rejects_empty_and_comment_only_files(void **state)
{
    (void)state;
    wf_error err = read_fails("", 0);
    assert_contains(err.message, "empty");
    err = read_fails("% nothing here\n\n   \n", 20);
    assert_contains(err.message, "empty");
}

static void arff_rejects_invalid_utf8_with_line(void **state)
{
    (void)state;
    const char *text = "@relation r\n@attribute s string\n@data\nok\nbad\xff\n";
    wf_error err = read_fails(text, strlen(text));
    assert_string_equal(err.message, "line 5, byte 4: invalid UTF-8");
}

static void arff_rejects_binary_garbage(void **state)
{
    (void)state;
    const char bin[] = {'\x7f', 'E', 'L', 'F', 2, 1, 1, 0, 0, 0, '\n', 3};
    wf_error err = read_fails(bin, sizeof bin);
    assert_contains(err.message, "NUL byte");
    const char *junk = "PK\x03\x04 this is a zip\n";
    err = read_fails(junk, strlen(junk));
    assert_contains(err.message, "line 1: expected @relation, @attribute or @data");
}

static void arff_rejects_bad_header_lines(void **state)
{
    (void)state;
    static const struct {
        const char *text, *message;
    } cases[] = {
        {"@relation r\n@attribute a matrix\n@data\n", "unknown type \"matrix\""},
        {"@relation r\n@attribute a relational\n@data\n", "relational attributes are not"},
        {"@relation r\n@attribute a {x,y\n@data\n", "no closing }"},
        {"@relation r\n@attribute a {x,x}\n@data\n", "value \"x\" is declared twice"},
        {"@relation r\n@attribute a date 'yyyy GG'\n@data\n", "uses 'G'"},
        {"@relation r\n@attribute a numeric extra\n@data\n", "unexpected text after the type"},
        {"@relation r\n@attribute\n@data\n", "line 2: @attribute has no name"},
        {"@relation r\n@attribute a\n@data\n", "the attribute has no type"},
        {"@relation r\n@frobnicate\n", "line 2: expected @relation"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        wf_error err = read_fails(cases[i].text, strlen(cases[i].text));
        assert_contains(err.message, cases[i].message);
    }
}

static void arff_rejects_bad_sparse_rows(void **state)
{
    (void)state;
    const char *head = "@relation r\n@attribute a numeric\n@attribute b numeric\n@data\n";
    static const struct {
        const char *row, *message;
    } cases[] = {
        {"{2 1}\n", "line 5: sparse index 2 is out of range"},
        {"{1 1, 0 2}\n", "sparse indices must increase"},
        {"{0 1\n", "no closing }"},
        {"{x 1}\n", "expected an attribute index"},
        {"{0 abc}\n", "line 5, attribute \"a\": \"abc\" is not a number"},
        {"{0 1} junk\n", "unexpected text after"},
        {"{99999999999999999999999 1}\n", "out of range"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char text[256];
        snprintf(text, sizeof text, "%s%s", head, cases[i].row);
        wf_error err = read_fails(text, strlen(text));
        assert_contains(err.message, cases[i].message);
    }
}

static void arff_rejects_bad_dates_naming_format(void **state)
{
    (void)state;
    const char *text = "@relation r\n@attribute when date dd.MM.yyyy\n@data\n31.01.2001\n"
                       "31.02.2001\n";
    wf_error err = read_fails(text, strlen(text));
    assert_string_equal(err.message, "line 5, attribute \"when\": \"31.02.2001\" is not a date in "
                                     "the format \"dd.MM.yyyy\"");
}

static void arff_rejects_value_longer_than_max_field(void **state)
{
    (void)state;
    const char *text = "@relation r\n@attribute s string\n@data\nabcdefghijklmnop\n";
    tbl_read_options opt = {.max_field = 8};
    tbl_table *t = NULL;
    wf_error err = {0};
    assert_int_equal(tbl_read_arff(text, strlen(text), &opt, &t, &err), WF_ELIMIT);
    assert_null(t);
    assert_contains(err.message, "line 4");
}

static void arff_refuses_sparse_rows_far_larger_than_the_text(void **state)
{
    (void)state;
    /* 3000 attributes and 3000 empty sparse rows: 9 million cells from 80 KB. */
    wf_buf text = {0};
    wf_buf_puts(&text, "@relation r\n");
    for (int i = 0; i < 3000; i++)
        wf_buf_printf(&text, "@attribute a%d numeric\n", i);
    wf_buf_puts(&text, "@data\n");
    for (int i = 0; i < 3000; i++)
        wf_buf_puts(&text, "{}\n");
    wf_error err = read_fails(text.data, text.len);
    assert_int_equal(err.code, WF_ELIMIT);
    assert_contains(err.message, "rows of 3000 attributes are too many cells");
    wf_buf_free(&text);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(arff_reads_iris_with_declared_class_levels),
        cmocka_unit_test(arff_reads_credit_g_with_quoted_nominals),
        cmocka_unit_test(arff_soybean_keeps_missing_values),
        cmocka_unit_test(arff_vote_marks_every_question_mark_missing),
        cmocka_unit_test(arff_loads_every_weka_sample),
        cmocka_unit_test(arff_keywords_and_types_are_case_insensitive),
        cmocka_unit_test(arff_nominal_codes_follow_declared_order),
        cmocka_unit_test(arff_quoted_names_and_values_use_escapes),
        cmocka_unit_test(arff_decodes_unicode_escapes_and_keeps_unknown_ones),
        cmocka_unit_test(arff_skips_comments_blank_lines_and_crlf),
        cmocka_unit_test(arff_renames_duplicate_attribute_and_warns),
        cmocka_unit_test(arff_reads_header_with_no_rows),
        cmocka_unit_test(arff_question_mark_is_missing_in_every_type),
        cmocka_unit_test(arff_integer_with_fraction_becomes_numeric_with_warning),
        cmocka_unit_test(arff_reads_dates_in_declared_formats),
        cmocka_unit_test(arff_reads_dates_from_data_file),
        cmocka_unit_test(arff_sparse_rows_fill_zero_and_first_level),
        cmocka_unit_test(arff_ignores_row_weights),
        cmocka_unit_test(arff_rejects_undeclared_nominal_value_with_line),
        cmocka_unit_test(arff_rejects_wrong_field_count_with_line),
        cmocka_unit_test(arff_rejects_text_in_numeric_attribute),
        cmocka_unit_test(arff_rejects_unterminated_quote),
        cmocka_unit_test(arff_rejects_missing_data_section),
        cmocka_unit_test(arff_rejects_empty_and_comment_only_files),
        cmocka_unit_test(arff_rejects_invalid_utf8_with_line),
        cmocka_unit_test(arff_rejects_binary_garbage),
        cmocka_unit_test(arff_rejects_bad_header_lines),
        cmocka_unit_test(arff_rejects_bad_sparse_rows),
        cmocka_unit_test(arff_rejects_bad_dates_naming_format),
        cmocka_unit_test(arff_rejects_value_longer_than_max_field),
        cmocka_unit_test(arff_refuses_sparse_rows_far_larger_than_the_text),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
