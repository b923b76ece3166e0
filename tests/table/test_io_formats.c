/*
 * test_io_formats.c: io.c: naming formats, telling a file's format from its
 * name or its bytes, and reading and writing files through the right
 * reader and writer.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "table/table.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static tbl_format detect(const char *path, const char *text)
{
    return tbl_detect_format(path, (const uint8_t *)text, text ? strlen(text) : 0);
}

static void format_names_parse_back(void **state)
{
    (void)state;
    for (int f = TBL_FORMAT_AUTO; f <= TBL_FORMAT_NATIVE; f++) {
        tbl_format back;
        assert_int_equal(tbl_format_parse(tbl_format_name((tbl_format)f), &back), 0);
        assert_int_equal(back, f);
    }
    tbl_format f;
    assert_int_equal(tbl_format_parse("CSV", &f), 0);
    assert_int_equal(f, TBL_FORMAT_CSV);
    assert_int_equal(tbl_format_parse("wtbl", &f), 0);
    assert_int_equal(f, TBL_FORMAT_NATIVE);
    assert_int_equal(tbl_format_parse("tab", &f), 0);
    assert_int_equal(f, TBL_FORMAT_TSV);
    assert_int_equal(tbl_format_parse("xlsx", &f), WF_EINVAL);
}

static void the_extension_decides_before_the_content(void **state)
{
    (void)state;
    assert_int_equal(detect("a/b/cars.json", "x,y\n1,2\n"), TBL_FORMAT_JSON);
    assert_int_equal(detect("IRIS.ARFF", NULL), TBL_FORMAT_ARFF);
    assert_int_equal(detect("t.tsv", NULL), TBL_FORMAT_TSV);
    assert_int_equal(detect("t.tab", NULL), TBL_FORMAT_TSV);
    assert_int_equal(detect("t.csv", "[1]"), TBL_FORMAT_CSV);
    assert_int_equal(detect("t.wtbl", NULL), TBL_FORMAT_NATIVE);
}

static void without_a_known_extension_the_bytes_decide(void **state)
{
    (void)state;
    assert_int_equal(detect("data", "WEFTTBL1\x01\x00\x00\x00"), TBL_FORMAT_NATIVE);
    assert_int_equal(detect("data.txt", "@RELATION iris\n"), TBL_FORMAT_ARFF);
    assert_int_equal(detect("data", "% a comment\n@relation x\n"), TBL_FORMAT_ARFF);
    assert_int_equal(detect("data", "\xef\xbb\xbf  \n[{\"a\": 1}]"), TBL_FORMAT_JSON);
    assert_int_equal(detect("data", "{\"a\": [1]}"), TBL_FORMAT_JSON);
    assert_int_equal(detect("data", "a\tb\n1\t2\n"), TBL_FORMAT_TSV);
    assert_int_equal(detect("data", "a,b\n1,\"x\ty\"\n"), TBL_FORMAT_CSV); /* tab not in line 1 */
    assert_int_equal(detect("data.", "a,b\n"), TBL_FORMAT_CSV);
    assert_int_equal(detect(".json", "a,b\n"), TBL_FORMAT_CSV); /* a hidden file, no extension */
    assert_int_equal(detect(NULL, ""), TBL_FORMAT_CSV);
}

static char temp_dir[] = "/tmp/weft-io-XXXXXX";

static int make_dir(void **state)
{
    (void)state;
    return mkdtemp(temp_dir) ? 0 : -1;
}

static int remove_dir(void **state)
{
    (void)state;
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", temp_dir);
    return system(cmd) == 0 ? 0 : -1;
}

static void write_text(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
}

static void read_file_picks_the_reader_from_the_content(void **state)
{
    (void)state;
    char path[256];
    snprintf(path, sizeof path, "%s/records.txt", temp_dir);
    write_text(path, "[{\"a\": 1, \"b\": \"x\"}, {\"a\": 2, \"b\": \"y\"}]");
    tbl_table *t = NULL;
    wf_error err = {0};
    assert_int_equal(tbl_read_file(path, NULL, &t, &err), 0);
    assert_int_equal(t->nrows, 2);
    assert_int_equal(t->ncols, 2);
    tbl_free(t);
}

static void read_errors_start_with_the_file_name(void **state)
{
    (void)state;
    char path[256];
    snprintf(path, sizeof path, "%s/broken.json", temp_dir);
    write_text(path, "[{\"a\": 1}, ");
    tbl_table *t = NULL;
    wf_error err = {0};
    assert_true(tbl_read_file(path, NULL, &t, &err) < 0);
    assert_null(t);
    assert_true(strncmp(err.message, path, strlen(path)) == 0);

    snprintf(path, sizeof path, "%s/absent.csv", temp_dir);
    wf_error_clear(&err);
    assert_int_equal(tbl_read_file(path, NULL, &t, &err), WF_EIO);
    assert_non_null(strstr(err.message, path));
}

static tbl_table *two_column_table(void)
{
    wf_error err = {0};
    tbl_table *t = tbl_new();
    tbl_column c;
    assert_int_equal(tbl_column_init(&c, "n", TBL_INTEGER, 3, &err), 0);
    for (int i = 0; i < 3; i++)
        c.v.i64[i] = 10 * i;
    assert_int_equal(tbl_add_column(t, &c, 3, &err), 0);
    assert_int_equal(tbl_column_init(&c, "x", TBL_NUMERIC, 3, &err), 0);
    for (int i = 0; i < 3; i++)
        c.v.f64[i] = 0.25 * i;
    assert_int_equal(tbl_add_column(t, &c, 3, &err), 0);
    return t;
}

static void every_writable_format_reads_back(void **state)
{
    (void)state;
    tbl_table *t = two_column_table();
    const char *const names[] = {"out.csv", "out.tsv", "out.json", "out.wtbl"};
    for (size_t i = 0; i < 4; i++) {
        char path[256];
        snprintf(path, sizeof path, "%s/%s", temp_dir, names[i]);
        wf_error err = {0};
        if (tbl_write_file(t, path, TBL_FORMAT_AUTO, &err) < 0) fail_msg("%s", err.message);
        tbl_table *back = NULL;
        if (tbl_read_file(path, NULL, &back, &err) < 0) fail_msg("%s", err.message);
        assert_int_equal(back->nrows, 3);
        assert_int_equal(back->ncols, 2);
        assert_string_equal(back->cols[1].name, "x");
        assert_true(back->cols[1].v.f64[2] == 0.5);
        if (strstr(names[i], "wtbl")) assert_non_null(back->mapping);
        tbl_free(back);
    }
    tbl_free(t);
}

static void unwritable_formats_are_refused(void **state)
{
    (void)state;
    tbl_table *t = two_column_table();
    char path[256];
    snprintf(path, sizeof path, "%s/out.arff", temp_dir);
    wf_error err = {0};
    assert_int_equal(tbl_write_file(t, path, TBL_FORMAT_AUTO, &err), WF_EFORMAT);
    snprintf(path, sizeof path, "%s/out.dat", temp_dir);
    wf_error_clear(&err);
    assert_int_equal(tbl_write_file(t, path, TBL_FORMAT_AUTO, &err), WF_EFORMAT);
    assert_non_null(strstr(err.message, "name one"));
    assert_int_not_equal(access(path, F_OK), 0); /* nothing written */
    tbl_free(t);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(format_names_parse_back),
        cmocka_unit_test(the_extension_decides_before_the_content),
        cmocka_unit_test(without_a_known_extension_the_bytes_decide),
        cmocka_unit_test(read_file_picks_the_reader_from_the_content),
        cmocka_unit_test(read_errors_start_with_the_file_name),
        cmocka_unit_test(every_writable_format_reads_back),
        cmocka_unit_test(unwritable_formats_are_refused),
    };
    return cmocka_run_group_tests(tests, make_dir, remove_dir);
}
