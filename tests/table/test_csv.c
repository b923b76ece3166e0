/*
 * test_csv.c: tbl_read_csv and tbl_write_csv: the RFC 4180 dialect, sniffing,
 * headers, inference over the whole file, missing values, every error and
 * where it points, round trips, and large inputs that the reader splits
 * across threads.
 */
#include "table/table.h"

#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

/* ---- helpers -------------------------------------------------------------- */

static tbl_table *read_with(const char *csv, size_t len, tbl_header header, char delim)
{
    tbl_read_options opt = {.header = header, .delimiter = delim};
    wf_error err = {0};
    tbl_table *t = NULL;
    if (tbl_read_csv(csv, len, &opt, &t, &err) != 0) fail_msg("read failed: %s", err.message);
    assert_non_null(t);
    return t;
}

static tbl_table *read_ok(const char *csv)
{
    return read_with(csv, strlen(csv), TBL_HEADER_GUESS, 0);
}

/* Reads csv expecting failure; returns the code, message in *err. */
static int read_fails(const char *csv, size_t len, const tbl_read_options *opt, wf_error *err)
{
    tbl_table *t = (tbl_table *)1;
    int rc = tbl_read_csv(csv, len, opt, &t, err);
    assert_true(rc < 0);
    assert_null(t);
    return rc;
}

static void assert_error_says(const char *csv, const char *expected)
{
    wf_error err = {0};
    read_fails(csv, strlen(csv), NULL, &err);
    if (strstr(err.message, expected) == NULL)
        fail_msg("error \"%s\" does not say \"%s\"", err.message, expected);
}

static const char *cell(const tbl_table *t, size_t col, size_t row)
{
    static char buf[256];
    tbl_format_cell(&t->cols[col], row, buf, sizeof buf);
    return buf;
}

/* ---- types and values --------------------------------------------------- */

static void csv_infers_each_column_type(void **state)
{
    (void)state;
    tbl_table *t = read_ok("i,x,b,d,s,c\n"
                           "1,1.5,true,2020-01-02,alpha,red\n"
                           "-2,2,false,2020-01-03T04:05:06Z,beta,red\n"
                           "3,-0.25,yes,2020/01/04 10:30,gamma,blue\n"
                           "4,1e3,no,2020-01-05,delta,red\n");
    assert_int_equal(t->nrows, 4);
    assert_int_equal(t->cols[0].type, TBL_INTEGER);
    assert_int_equal(t->cols[1].type, TBL_NUMERIC);
    assert_int_equal(t->cols[2].type, TBL_BOOLEAN);
    assert_int_equal(t->cols[3].type, TBL_DATETIME);
    assert_int_equal(t->cols[4].type, TBL_STRING);
    assert_int_equal(t->cols[5].type, TBL_CATEGORICAL);
    assert_true(t->cols[0].v.i64[1] == -2);
    assert_true(t->cols[1].v.f64[2] == -0.25 && t->cols[1].v.f64[3] == 1000.0);
    assert_int_equal(t->cols[2].v.b8[0], 1);
    assert_int_equal(t->cols[2].v.b8[3], 0);
    assert_string_equal(cell(t, 3, 1), "2020-01-03T04:05:06Z");
    assert_string_equal(cell(t, 3, 2), "2020-01-04T10:30:00Z");
    assert_string_equal(cell(t, 4, 2), "gamma");
    /* Levels in first-seen order. */
    assert_int_equal(t->cols[5].levels.count, 2);
    assert_int_equal(t->cols[5].v.codes[0], 0);
    assert_int_equal(t->cols[5].v.codes[2], 1);
    assert_null(t->cols[0].missing);
    tbl_free(t);
}

static void csv_infers_over_the_whole_file_not_the_first_rows(void **state)
{
    (void)state;
    wf_buf b = {0};
    wf_buf_puts(&b, "n,s,m\n");
    for (int i = 0; i < 3000; i++)
        wf_buf_printf(&b, "%d,%d,%d\n", i, i, i);
    wf_buf_puts(&b, "2.5,word,-0\n");
    tbl_table *t = read_with(b.data, b.len, TBL_HEADER_PRESENT, 0);
    assert_int_equal(t->nrows, 3001);
    assert_int_equal(t->cols[0].type, TBL_NUMERIC);
    assert_true(t->cols[0].v.f64[2999] == 2999.0 && t->cols[0].v.f64[3000] == 2.5);
    assert_int_equal(t->cols[1].type, TBL_STRING);
    assert_string_equal(cell(t, 1, 17), "17");
    assert_string_equal(cell(t, 1, 3000), "word");
    assert_int_equal(t->cols[2].type, TBL_INTEGER);
    tbl_free(t);
    wf_buf_free(&b);
}

static void csv_int64_overflow_makes_a_numeric_column(void **state)
{
    (void)state;
    tbl_table *t = read_ok("a,b\n9223372036854775807,1\n9223372036854775808,2\n");
    assert_int_equal(t->cols[0].type, TBL_NUMERIC);
    assert_true(t->cols[0].v.f64[1] == 9223372036854775808.0);
    assert_int_equal(t->cols[1].type, TBL_INTEGER);
    tbl_free(t);
}

static void csv_keeps_negative_zero_when_integers_widen(void **state)
{
    (void)state;
    tbl_table *t = read_ok("x\n-0\n1\n0.5\n");
    assert_int_equal(t->cols[0].type, TBL_NUMERIC);
    assert_true(t->cols[0].v.f64[0] == 0.0 && signbit(t->cols[0].v.f64[0]));
    assert_false(signbit(t->cols[0].v.f64[1]));
    tbl_free(t);
}

static void csv_marks_missing_tokens_in_a_mask(void **state)
{
    (void)state;
    tbl_table *t = read_ok("x,s,k\n1.5,a,1\n,NA,?\nNaN,b,2\n?,,3\nN/A,c,null\n");
    assert_int_equal(t->cols[0].type, TBL_NUMERIC);
    assert_int_equal(t->cols[2].type, TBL_INTEGER);
    assert_non_null(t->cols[0].missing);
    assert_int_equal(tbl_count_missing(&t->cols[0], t->nrows), 4);
    assert_false(tbl_is_missing(&t->cols[0], 0));
    /* Never a sentinel: missing numbers hold 0, the mask says missing. */
    assert_true(t->cols[0].v.f64[1] == 0.0);
    assert_true(tbl_is_missing(&t->cols[1], 1) && tbl_is_missing(&t->cols[1], 3));
    assert_true(tbl_is_missing(&t->cols[2], 1) && tbl_is_missing(&t->cols[2], 4));
    assert_true(t->cols[2].v.i64[2] == 2);
    tbl_free(t);
}

static void csv_ignores_spaces_around_unquoted_numbers(void **state)
{
    (void)state;
    tbl_table *t = read_ok("a,b,c\n1, 2 , x \n3,\t4, NA \n");
    assert_int_equal(t->cols[1].type, TBL_INTEGER);
    assert_true(t->cols[1].v.i64[0] == 2 && t->cols[1].v.i64[1] == 4);
    /* Strings keep their bytes; " NA " is still missing. */
    assert_int_equal(t->cols[2].type, TBL_STRING);
    assert_string_equal(cell(t, 2, 0), " x ");
    assert_true(tbl_is_missing(&t->cols[2], 1));
    tbl_free(t);
}

/* ---- the dialect ---------------------------------------------------------- */

static void csv_reads_quotes_escapes_and_embedded_newlines(void **state)
{
    (void)state;
    tbl_table *t = read_ok("id,text\n"
                           "1,\"a, \"\"quoted\"\" word\"\n"
                           "2,\"two\nlines\"\n"
                           "3,\"ab\"c\n"
                           "4,say \"hi\"\n");
    assert_int_equal(t->nrows, 4);
    assert_string_equal(cell(t, 1, 0), "a, \"quoted\" word");
    assert_string_equal(cell(t, 1, 1), "two\nlines");
    assert_string_equal(cell(t, 1, 2), "abc");        /* text after a closing quote is kept */
    assert_string_equal(cell(t, 1, 3), "say \"hi\""); /* a quote inside a field is data */
    tbl_free(t);
}

static void csv_reads_crlf_lf_and_no_final_newline(void **state)
{
    (void)state;
    tbl_table *t = read_ok("a,b\r\n1,x\r\n2,\"y\r\nz\"\r\n3,w");
    assert_int_equal(t->nrows, 3);
    assert_int_equal(t->cols[0].type, TBL_INTEGER);
    assert_string_equal(cell(t, 1, 0), "x");
    assert_string_equal(cell(t, 1, 1), "y\r\nz");
    assert_string_equal(cell(t, 1, 2), "w");
    assert_string_equal(t->cols[1].name, "b");
    tbl_free(t);
}

static void csv_skips_a_utf8_bom(void **state)
{
    (void)state;
    tbl_table *t = read_ok("\xEF\xBB\xBFname,v\ncaf\xC3\xA9,1\n");
    assert_string_equal(t->cols[0].name, "name");
    assert_string_equal(cell(t, 0, 0), "caf\xC3\xA9");
    tbl_free(t);
}

static void csv_sniffs_the_delimiter_outside_quotes(void **state)
{
    (void)state;
    tbl_table *t = read_ok("a;b;c\n\"1,5\";2;3\n4;5;6\n");
    assert_int_equal(t->ncols, 3);
    assert_string_equal(cell(t, 0, 0), "1,5");
    tbl_free(t);
    t = read_ok("a\tb\n1\t2\n");
    assert_int_equal(t->ncols, 2);
    tbl_free(t);
    t = read_ok("a|b|c\n1|2|3\n");
    assert_int_equal(t->ncols, 3);
    tbl_free(t);
    /* Commas in the text but a consistent count of tabs. */
    t = read_ok("name\tnote\nx\ta, b\ny\tc\n");
    assert_int_equal(t->ncols, 2);
    assert_string_equal(cell(t, 1, 0), "a, b");
    tbl_free(t);
}

static void csv_tsv_format_means_tab(void **state)
{
    (void)state;
    tbl_read_options opt = {.format = TBL_FORMAT_TSV, .header = TBL_HEADER_PRESENT};
    wf_error err = {0};
    tbl_table *t = NULL;
    const char *tsv = "a,b\tc\n1,2\t3\n";
    assert_int_equal(tbl_read_csv(tsv, strlen(tsv), &opt, &t, &err), 0);
    assert_int_equal(t->ncols, 2);
    assert_string_equal(t->cols[0].name, "a,b");
    tbl_free(t);
}

static void csv_skips_blank_lines_except_in_one_column(void **state)
{
    (void)state;
    tbl_table *t = read_ok("\n\na,b\n1,2\n\n3,4\n\r\n");
    assert_int_equal(t->nrows, 2);
    tbl_free(t);
    t = read_with("x\n1\n\n3\n", 7, TBL_HEADER_PRESENT, 0);
    assert_int_equal(t->nrows, 3);
    assert_true(tbl_is_missing(&t->cols[0], 1));
    tbl_free(t);
}

/* ---- headers -------------------------------------------------------------- */

static void csv_guesses_whether_there_is_a_header(void **state)
{
    (void)state;
    tbl_table *t = read_ok("1,2\n3,4\n");
    assert_int_equal(t->nrows, 2);
    assert_string_equal(t->cols[0].name, "Column 1");
    assert_string_equal(t->cols[1].name, "Column 2");
    tbl_free(t);
    t = read_ok("year,2020\n1,2\n"); /* a numeric name: not a header */
    assert_int_equal(t->nrows, 2);
    tbl_free(t);
    t = read_with("a,b\n1,2\n", 8, TBL_HEADER_ABSENT, 0); /* no header, as asked */
    assert_int_equal(t->nrows, 2);
    assert_int_equal(t->cols[0].type, TBL_STRING);
    tbl_free(t);
    t = read_with("1,2\n3,4\n", 8, TBL_HEADER_PRESENT, 0); /* a header, as asked */
    assert_int_equal(t->nrows, 1);
    assert_string_equal(t->cols[1].name, "2");
    tbl_free(t);
}

static void csv_reads_with_no_options(void **state)
{
    (void)state;
    wf_error err = {0};
    tbl_table *t = NULL;
    const char *csv = "x;y\n1;2\n";
    assert_int_equal(tbl_read_csv(csv, strlen(csv), NULL, &t, &err), 0);
    assert_int_equal(t->nrows, 1); /* the header guessed, ';' sniffed */
    assert_string_equal(t->cols[1].name, "y");
    tbl_free(t);
    char *warnings = (char *)1;
    tbl_read_options opt = {.header = TBL_HEADER_PRESENT, .warnings = &warnings};
    assert_int_equal(tbl_read_csv(csv, strlen(csv), &opt, &t, &err), 0);
    assert_null(warnings); /* nothing to say */
    tbl_free(t);
}

static void csv_renames_duplicate_columns_with_a_warning(void **state)
{
    (void)state;
    char *warnings = NULL;
    tbl_read_options opt = {.header = TBL_HEADER_PRESENT, .warnings = &warnings};
    wf_error err = {0};
    tbl_table *t = NULL;
    const char *csv = "x,y,x,,x\n1,2,3,4,5\n";
    assert_int_equal(tbl_read_csv(csv, strlen(csv), &opt, &t, &err), 0);
    assert_string_equal(t->cols[2].name, "x (2)");
    assert_string_equal(t->cols[3].name, "Column 4");
    assert_string_equal(t->cols[4].name, "x (3)");
    assert_non_null(warnings);
    assert_non_null(strstr(warnings, "\"x (2)\""));
    assert_non_null(strstr(warnings, "\n"));
    assert_null(strstr(warnings, "y"));
    free(warnings);
    tbl_free(t);
}

static void csv_header_only_gives_zero_rows_of_strings(void **state)
{
    (void)state;
    tbl_table *t = read_ok("a,b,c\n");
    assert_int_equal(t->nrows, 0);
    assert_int_equal(t->ncols, 3);
    for (size_t j = 0; j < 3; j++)
        assert_int_equal(t->cols[j].type, TBL_STRING);
    tbl_free(t);
}

/* ---- errors --------------------------------------------------------------- */

static void csv_reports_the_line_of_a_ragged_row(void **state)
{
    (void)state;
    assert_error_says("a,b,c,d,e\n1,2,3,4,5\n1,2,3,4,5\n1,2,3,4,5\n1,2,3,4,5\n1,2,3,4,5\n1,2,3,4\n",
                      "line 7: expected 5 fields, found 4");
    assert_error_says("a,b\n1,2\n1,2,3\n", "line 3: expected 2 fields, found 3");
    /* Lines, not records: the quoted newline counts. */
    assert_error_says("a,b\n1,\"x\ny\"\n2\n", "line 4: expected 2 fields, found 1");
}

static void csv_reports_line_of_unterminated_quote(void **state)
{
    (void)state;
    assert_error_says("a,b\n1,2\n3,\"never\nclosed\n4,5\n", "line 3");
    assert_error_says("a,b\n1,2\n3,\"never\nclosed\n4,5\n", "unterminated quote");
    assert_error_says("a,b\n1,2\n3,\"never\nclosed\n4,5\n", "column \"b\"");
    assert_error_says("\"a,b\n1,2\n", "line 1");
}

static void csv_reports_invalid_utf8_with_line_and_column(void **state)
{
    (void)state;
    assert_error_says("name,city\nx,Paris\ny,Lyon\nz,Bad\xC3(\n", "line 4, column \"city\"");
    assert_error_says("name,city\nx,Paris\ny,Lyon\nz,Bad\xC3(\n", "UTF-8");
    assert_error_says("a,\xFF\n1,2\n", "line 1, column 2");
}

static void csv_rejects_an_empty_file(void **state)
{
    (void)state;
    assert_error_says("", "empty file");
    assert_error_says("\n\r\n\n", "empty file");
    assert_error_says("\xEF\xBB\xBF", "empty file");
}

static void csv_rejects_a_field_over_the_size_limit(void **state)
{
    (void)state;
    tbl_read_options opt = {.header = TBL_HEADER_PRESENT, .max_field = 8};
    wf_error err = {0};
    const char *csv = "a,b\n1,short\n2,muchtoolong\n";
    assert_int_equal(read_fails(csv, strlen(csv), &opt, &err), WF_ELIMIT);
    assert_non_null(strstr(err.message, "line 3, column \"b\""));
    /* The default limit is 1 MiB. */
    size_t n = (1u << 20) + 10;
    char *big = malloc(n + 8);
    assert_non_null(big);
    memcpy(big, "a\n", 2);
    memset(big + 2, 'x', n - 2);
    wf_error err2 = {0};
    assert_int_equal(read_fails(big, n, NULL, &err2), WF_ELIMIT);
    assert_non_null(strstr(err2.message, "line 2"));
    free(big);
}

static void csv_rejects_binary_data(void **state)
{
    (void)state;
    static const char bin[] = "\x7f"
                              "ELF\x02\x01\x01\x00\x00\x00\x00\x00";
    wf_error err = {0};
    read_fails(bin, sizeof bin - 1, NULL, &err);
    assert_non_null(strstr(err.message, "binary"));
    /* A NUL far into the data too. */
    wf_buf b = {0};
    wf_buf_puts(&b, "a,b\n");
    for (int i = 0; i < 20000; i++)
        wf_buf_puts(&b, "1,2\n");
    wf_buf_append(&b, "3,\0\n", 4);
    wf_error err2 = {0};
    read_fails(b.data, b.len, NULL, &err2);
    assert_non_null(strstr(err2.message, "line 20002, column \"b\": NUL byte"));
    wf_buf_free(&b);
}

static void csv_refuses_a_quote_as_delimiter(void **state)
{
    (void)state;
    tbl_read_options opt = {.header = TBL_HEADER_PRESENT, .delimiter = '"'};
    wf_error err = {0};
    assert_int_equal(read_fails("a\n1\n", 4, &opt, &err), WF_EINVAL);
}

/* ---- writing and round trips --------------------------------------------- */

static char *write_csv(const tbl_table *t, char delim)
{
    wf_buf b = {0};
    wf_error err = {0};
    assert_int_equal(tbl_write_csv(t, delim, &b, &err), 0);
    return b.data;
}

static void csv_write_quotes_only_fields_that_need_it(void **state)
{
    (void)state;
    tbl_table *t = read_ok("name,v\n"
                           "plain,1\n"
                           "\"a,b\",2\n"
                           "\"say \"\"hi\"\"\",3\n"
                           "\"two\nlines\",4\n"
                           "\" padded \",5\n"
                           "\"cr\rhere\",6\n");
    char *out = write_csv(t, ',');
    assert_string_equal(out, "name,v\n"
                             "plain,1\n"
                             "\"a,b\",2\n"
                             "\"say \"\"hi\"\"\",3\n"
                             "\"two\nlines\",4\n"
                             "\" padded \",5\n"
                             "\"cr\rhere\",6\n");
    free(out);
    out = write_csv(t, '\t');
    assert_non_null(strstr(out, "\na,b\t2\n")); /* a comma needs no quotes in TSV */
    free(out);
    tbl_free(t);
}

static void csv_write_keeps_whole_doubles_numeric(void **state)
{
    (void)state;
    tbl_table *t = read_ok("x,y\n1.0,NA\n2.5,3\n-4.0,4\n");
    char *out = write_csv(t, ',');
    assert_string_equal(out, "x,y\n1.0,\n2.5,3\n-4.0,4\n");
    tbl_table *back = read_ok(out);
    assert_int_equal(back->cols[0].type, TBL_NUMERIC);
    assert_int_equal(back->cols[1].type, TBL_INTEGER);
    assert_true(tbl_is_missing(&back->cols[1], 0));
    free(out);
    tbl_free(back);
    tbl_free(t);
}

static void assert_same_table(const tbl_table *a, const tbl_table *b)
{
    assert_int_equal(a->nrows, b->nrows);
    assert_int_equal(a->ncols, b->ncols);
    char x[512], y[512];
    for (size_t j = 0; j < a->ncols; j++) {
        assert_string_equal(a->cols[j].name, b->cols[j].name);
        assert_int_equal(a->cols[j].type, b->cols[j].type);
        for (size_t r = 0; r < a->nrows; r++) {
            assert_int_equal(tbl_is_missing(&a->cols[j], r), tbl_is_missing(&b->cols[j], r));
            tbl_format_cell(&a->cols[j], r, x, sizeof x);
            tbl_format_cell(&b->cols[j], r, y, sizeof y);
            assert_string_equal(x, y);
            if (a->cols[j].type == TBL_NUMERIC && !tbl_is_missing(&a->cols[j], r))
                assert_memory_equal(&a->cols[j].v.f64[r], &b->cols[j].v.f64[r], sizeof(double));
        }
    }
}

static void csv_round_trips_values_and_types(void **state)
{
    (void)state;
    tbl_table *t = read_ok("id,x,flag,when,city,note,big\n"
                           "1,0.1,true,2020-01-02T03:04:05.25Z,Paris,\"a, b\",-0\n"
                           "2,,false,2020-01-03,Paris,\" lead\",1e300\n"
                           "3,1.7976931348623157e308,NA,,Lyon,\"q\"\"q\",5e-324\n"
                           "4,-2.5,yes,2020/01/04 10:30,Paris,\"multi\nline\",3\n"
                           "5,3,no,2020-01-05,Lyon,,Infinity\n");
    assert_int_equal(t->cols[4].type, TBL_CATEGORICAL);
    char *out = write_csv(t, ',');
    wf_error err = {0};
    tbl_table *back = NULL;
    tbl_read_options opt = {.header = TBL_HEADER_PRESENT, .delimiter = ','};
    assert_int_equal(tbl_read_csv(out, strlen(out), &opt, &back, &err), 0);
    assert_same_table(t, back);
    free(out);
    tbl_free(back);
    /* And as TSV. */
    out = write_csv(t, '\t');
    opt.delimiter = 0;
    opt.format = TBL_FORMAT_TSV;
    assert_int_equal(tbl_read_csv(out, strlen(out), &opt, &back, &err), 0);
    assert_same_table(t, back);
    free(out);
    tbl_free(back);
    tbl_free(t);
}

static void csv_round_trips_a_one_column_table_with_missing_rows(void **state)
{
    (void)state;
    tbl_table *t = read_with("v\n1\n\n3\n\n", 8, TBL_HEADER_PRESENT, 0);
    assert_int_equal(t->nrows, 4);
    char *out = write_csv(t, ',');
    tbl_table *back = read_with(out, strlen(out), TBL_HEADER_PRESENT, 0);
    assert_same_table(t, back);
    free(out);
    tbl_free(back);
    tbl_free(t);
}

/* ---- large inputs, read on several threads ------------------------------- */

static void csv_reads_a_large_file_exactly(void **state)
{
    (void)state;
    enum { ROWS = 200000 };
    wf_buf b = {0};
    wf_buf_puts(&b, "i,x,cat,name,late,mixed\n");
    for (int i = 0; i < ROWS; i++) {
        /* "late" is integer until its last row; "mixed" holds text only
         * near the start, so other chunks must become text afterwards. */
        const char *late = i == ROWS - 1 ? "0.5" : (i == ROWS / 2 ? "-0" : "7");
        wf_buf_printf(&b, "%d,%.17g,c%d,\"n,%d\",%s,%s\n", i, i * 0.1, i % 7, i, late,
                      i == 3 ? "text" : (i % 11 == 0 ? "NA" : "12"));
    }
    assert_true(b.len > (6u << 20)); /* large enough to be split */
    tbl_table *t = read_with(b.data, b.len, TBL_HEADER_GUESS, 0);
    assert_int_equal(t->nrows, ROWS);
    assert_int_equal(t->cols[0].type, TBL_INTEGER);
    assert_int_equal(t->cols[1].type, TBL_NUMERIC);
    assert_int_equal(t->cols[2].type, TBL_CATEGORICAL);
    assert_int_equal(t->cols[3].type, TBL_STRING);
    assert_int_equal(t->cols[4].type, TBL_NUMERIC);
    assert_int_equal(t->cols[5].type, TBL_CATEGORICAL);
    for (int i = 0; i < ROWS; i++) {
        if (t->cols[0].v.i64[i] != i)
            fail_msg("row %d: i = %lld", i, (long long)t->cols[0].v.i64[i]);
        if (t->cols[1].v.f64[i] != i * 0.1) fail_msg("row %d: x = %.17g", i, t->cols[1].v.f64[i]);
    }
    assert_string_equal(cell(t, 2, 123456), "c4"); /* 123456 % 7 */
    assert_string_equal(cell(t, 3, 199998), "n,199998");
    assert_true(signbit(t->cols[4].v.f64[ROWS / 2]) && t->cols[4].v.f64[ROWS / 2] == 0.0);
    assert_true(t->cols[4].v.f64[ROWS - 2] == 7.0 && t->cols[4].v.f64[ROWS - 1] == 0.5);
    assert_string_equal(cell(t, 5, 3), "text");
    assert_string_equal(cell(t, 5, ROWS - 1), "12");
    assert_true(tbl_is_missing(&t->cols[5], 0) && tbl_is_missing(&t->cols[5], 199991));
    assert_int_equal(tbl_count_missing(&t->cols[5], t->nrows), (ROWS + 10) / 11);
    tbl_free(t);
    wf_buf_free(&b);
}

/* Quoted fields with line breaks everywhere, then the same with one stray
 * quote near the start, which spoils the quote-parity guess the record
 * finder makes for every later thread: the result must still be what one
 * sequential scan gives. */
static void csv_finds_records_across_threads_with_quoted_newlines(void **state)
{
    (void)state;
    for (int stray = 0; stray < 2; stray++) {
        enum { ROWS = 150000 };
        wf_buf b = {0};
        wf_buf_puts(&b, "id,text,tail\n");
        for (int i = 0; i < ROWS; i++) {
            if (stray && i == 999)
                wf_buf_printf(&b, "%d,5\" screen,z\n", i);
            else
                wf_buf_printf(&b, "%d,\"line %d\nnext, \"\"line\"\"\n\",z\n", i, i);
        }
        assert_true(b.len > (4u << 20));
        tbl_table *t = read_with(b.data, b.len, TBL_HEADER_PRESENT, 0);
        assert_int_equal(t->nrows, ROWS);
        assert_int_equal(t->cols[0].type, TBL_INTEGER);
        for (int i = 0; i < ROWS; i++)
            if (t->cols[0].v.i64[i] != i)
                fail_msg("stray=%d row %d: id %lld", stray, i, (long long)t->cols[0].v.i64[i]);
        char want[64];
        snprintf(want, sizeof want, "line %d\nnext, \"line\"\n", 77777);
        assert_string_equal(cell(t, 1, 77777), want);
        if (stray) assert_string_equal(cell(t, 1, 999), "5\" screen");
        assert_int_equal(t->cols[2].type, TBL_CATEGORICAL);
        tbl_free(t);
        wf_buf_free(&b);
    }
}

/* A random block of awkward records (quotes, escapes, line breaks inside
 * quotes, stray quotes, CRLF, spaces, missing tokens), read alone and then
 * repeated into a file large enough to be split across threads: the large
 * table must be the small one repeated. */
static void append_random_field(wf_buf *b, unsigned *seed)
{
    switch (rand_r(seed) % 9) {
    case 0:
        wf_buf_printf(b, "%d", (int)(rand_r(seed) % 2000) - 1000);
        break;
    case 1:
        wf_buf_printf(b, "%.3f", (double)(rand_r(seed) % 100000) / 7.0);
        break;
    case 2:
        wf_buf_printf(b, "\"q%u,\n\"\"x\"\"\r\nend\"", rand_r(seed) % 50);
        break;
    case 3:
        wf_buf_printf(b, "st\"ray%u", rand_r(seed) % 5);
        break;
    case 4:
        wf_buf_puts(b, rand_r(seed) % 2 ? "" : "NA");
        break;
    case 5:
        wf_buf_printf(b, "\"in\"after%u", rand_r(seed) % 3);
        break;
    case 6:
        wf_buf_printf(b, " %u ", rand_r(seed) % 100);
        break;
    case 7:
        wf_buf_puts(b, "\"\"");
        break;
    default:
        wf_buf_printf(b, "word%u", rand_r(seed) % 20);
        break;
    }
}

static bool text_type(tbl_type t)
{
    return t == TBL_STRING || t == TBL_CATEGORICAL;
}

static void csv_large_input_reads_like_its_pieces(void **state)
{
    (void)state;
    unsigned seed = 4242;
    wf_buf block = {0};
    for (int r = 0; r < 400; r++) {
        for (int j = 0; j < 5; j++) {
            if (j) wf_buf_puts(&block, ",");
            append_random_field(&block, &seed);
        }
        wf_buf_puts(&block, r % 3 ? "\n" : "\r\n");
    }
    const char *head = "a,b,c,d,e\n";
    wf_buf small = {0}, big = {0};
    wf_buf_puts(&small, head);
    wf_buf_append(&small, block.data, block.len);
    wf_buf_puts(&big, head);
    size_t copies = 0;
    while (big.len < (6u << 20)) {
        wf_buf_append(&big, block.data, block.len);
        copies++;
    }
    tbl_table *s = read_with(small.data, small.len, TBL_HEADER_PRESENT, ',');
    tbl_table *t = read_with(big.data, big.len, TBL_HEADER_PRESENT, ',');
    assert_int_equal(s->nrows, 400);
    assert_int_equal(t->nrows, s->nrows * copies);
    char x[256];
    for (size_t j = 0; j < s->ncols; j++) {
        if (!(text_type(s->cols[j].type) && text_type(t->cols[j].type)))
            assert_int_equal(s->cols[j].type, t->cols[j].type);
        for (size_t r = 0; r < t->nrows; r++) {
            size_t k = r % s->nrows;
            tbl_format_cell(&s->cols[j], k, x, sizeof x);
            if (strcmp(x, cell(t, j, r)) != 0 ||
                tbl_is_missing(&s->cols[j], k) != tbl_is_missing(&t->cols[j], r))
                fail_msg("column %zu row %zu: \"%s\" but \"%s\" in the small table", j, r,
                         cell(t, j, r), x);
        }
    }
    tbl_free(s);
    tbl_free(t);
    wf_buf_free(&block);
    wf_buf_free(&small);
    wf_buf_free(&big);
}

static void csv_reports_the_first_error_of_a_large_file(void **state)
{
    (void)state;
    wf_buf b = {0};
    wf_buf_puts(&b, "a,b,c\n");
    for (int i = 0; i < 400000; i++) {
        if (i == 300000)
            wf_buf_puts(&b, "1,2\n"); /* line 300002 */
        else if (i == 350000)
            wf_buf_puts(&b, "1,2,3,4\n");
        else
            wf_buf_puts(&b, "1,2,3\n");
    }
    wf_error err = {0};
    read_fails(b.data, b.len, NULL, &err);
    assert_string_equal(err.message, "line 300002: expected 3 fields, found 2");
    wf_buf_free(&b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(csv_infers_each_column_type),
        cmocka_unit_test(csv_infers_over_the_whole_file_not_the_first_rows),
        cmocka_unit_test(csv_int64_overflow_makes_a_numeric_column),
        cmocka_unit_test(csv_keeps_negative_zero_when_integers_widen),
        cmocka_unit_test(csv_marks_missing_tokens_in_a_mask),
        cmocka_unit_test(csv_ignores_spaces_around_unquoted_numbers),
        cmocka_unit_test(csv_reads_quotes_escapes_and_embedded_newlines),
        cmocka_unit_test(csv_reads_crlf_lf_and_no_final_newline),
        cmocka_unit_test(csv_skips_a_utf8_bom),
        cmocka_unit_test(csv_sniffs_the_delimiter_outside_quotes),
        cmocka_unit_test(csv_tsv_format_means_tab),
        cmocka_unit_test(csv_skips_blank_lines_except_in_one_column),
        cmocka_unit_test(csv_guesses_whether_there_is_a_header),
        cmocka_unit_test(csv_reads_with_no_options),
        cmocka_unit_test(csv_renames_duplicate_columns_with_a_warning),
        cmocka_unit_test(csv_header_only_gives_zero_rows_of_strings),
        cmocka_unit_test(csv_reports_the_line_of_a_ragged_row),
        cmocka_unit_test(csv_reports_line_of_unterminated_quote),
        cmocka_unit_test(csv_reports_invalid_utf8_with_line_and_column),
        cmocka_unit_test(csv_rejects_an_empty_file),
        cmocka_unit_test(csv_rejects_a_field_over_the_size_limit),
        cmocka_unit_test(csv_rejects_binary_data),
        cmocka_unit_test(csv_refuses_a_quote_as_delimiter),
        cmocka_unit_test(csv_write_quotes_only_fields_that_need_it),
        cmocka_unit_test(csv_write_keeps_whole_doubles_numeric),
        cmocka_unit_test(csv_round_trips_values_and_types),
        cmocka_unit_test(csv_round_trips_a_one_column_table_with_missing_rows),
        cmocka_unit_test(csv_reads_a_large_file_exactly),
        cmocka_unit_test(csv_finds_records_across_threads_with_quoted_newlines),
        cmocka_unit_test(csv_large_input_reads_like_its_pieces),
        cmocka_unit_test(csv_reports_the_first_error_of_a_large_file),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
