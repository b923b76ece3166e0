/*
 * test_files.c: a workspace opened for its artifact files only (what a
 * step does, on whatever host it runs): it writes and reads artifacts
 * without touching the database, refuses what needs the database with a
 * clear error, and leaves recording to the process that holds the
 * database (st_artifact_record, st_dataset_register_artifact).
 */
#include "store_test.h"

static st_workspace *open_files(const char *dir)
{
    st_workspace *ws = NULL;
    wf_error err = {0};
    if (st_open_files(dir, &ws, &err) < 0) fail_msg("st_open_files: %s", err.message);
    return ws;
}

static void test_a_files_handle_writes_artifacts_and_records_nothing(void **state)
{
    (void)state;
    char *dir = make_temp_dir();
    st_workspace *db = open_workspace(dir);
    int64_t before = count_rows(db, "artifacts");
    st_workspace *files = open_files(dir);
    tbl_table *t = small_table(3);
    char digest[WF_SHA256_HEX];
    wf_error err = {0};
    assert_int_equal(st_artifact_put_table(files, t, digest, NULL, &err), 0);
    assert_true(st_artifact_exists(files, digest));
    /* Readable through either handle, and the same table. */
    tbl_table *back = NULL;
    assert_int_equal(st_artifact_load_table(db, digest, &back, &err), 0);
    assert_int_equal(back->nrows, t->nrows);
    assert_int_equal(back->ncols, t->ncols);
    tbl_free(back);
    assert_int_equal(count_rows(db, "artifacts"), before);

    /* The database's holder records it, once however often it is asked. */
    assert_int_equal(st_artifact_record(db, digest, "table", &err), 0);
    assert_int_equal(st_artifact_record(db, digest, "table", &err), 0);
    assert_int_equal(count_rows(db, "artifacts"), before + 1);

    tbl_free(t);
    st_close(files);
    st_close(db);
    remove_temp_dir(dir);
}

static void test_a_files_handle_refuses_what_needs_the_database(void **state)
{
    (void)state;
    char *dir = make_temp_dir();
    st_close(open_workspace(dir));
    st_workspace *files = open_files(dir);
    tbl_table *t = small_table(1);
    st_dataset_version v = {0};
    wf_error err = {0};
    assert_int_equal(st_dataset_register(files, "cars", t, "", "", &v, &err), WF_EINVAL);
    assert_non_null(strstr(err.message, "artifact files only"));
    err = (wf_error){0};
    assert_int_equal(st_dataset_get(files, "cars@1", &v, &err), WF_EINVAL);
    assert_non_null(strstr(err.message, "artifact files only"));
    tbl_free(t);
    st_close(files);
    remove_temp_dir(dir);
}

static void test_opening_files_of_a_directory_that_is_no_workspace_fails(void **state)
{
    (void)state;
    char *dir = make_temp_dir();
    st_workspace *ws = (st_workspace *)1;
    wf_error err = {0};
    assert_int_equal(st_open_files(dir, &ws, &err), WF_ENOTFOUND);
    assert_null(ws);
    assert_non_null(strstr(err.message, "artifacts"));
    assert_int_equal(st_open_files("", &ws, &err), WF_EINVAL);
    /* Nothing was created in it. */
    struct stat st;
    char path[512];
    snprintf(path, sizeof path, "%s/weft.db", dir);
    assert_int_not_equal(stat(path, &st), 0);
    remove_temp_dir(dir);
}

static void test_a_table_a_step_stored_becomes_a_dataset_version(void **state)
{
    (void)state;
    char *dir = make_temp_dir();
    st_workspace *db = open_workspace(dir);
    st_workspace *files = open_files(dir);
    tbl_table *t = small_table(7), *first = small_table(1);
    wf_error err = {0};
    st_dataset_version v = {0};
    assert_int_equal(st_dataset_register(db, "scores", first, "", "", &v, &err), 0);
    st_dataset_version_clear(&v);
    char digest[WF_SHA256_HEX];
    size_t bytes = 0;
    assert_int_equal(st_artifact_put_table(files, t, digest, &bytes, &err), 0);
    assert_int_equal(st_dataset_register_artifact(db, "scores", digest, "from a step",
                                                  "run:4/export", &v, &err),
                     0);
    assert_int_equal(v.version, 2);
    assert_string_equal(v.digest, digest);
    assert_int_equal(v.rows, (int64_t)t->nrows);
    assert_int_equal(v.cols, (int64_t)t->ncols);
    assert_int_equal(v.bytes, (int64_t)bytes);
    assert_string_equal(v.source, "run:4/export");
    st_dataset_version_clear(&v);
    /* The same as registering the table itself: loading it gives it back. */
    tbl_table *back = NULL;
    assert_int_equal(st_dataset_load(db, "scores@2", &back, &v, &err), 0);
    assert_string_equal(v.description, "from a step");
    assert_non_null(strstr(v.profile_json, "\"score\""));
    assert_int_equal(back->nrows, t->nrows);
    tbl_free(back);
    st_dataset_version_clear(&v);

    /* A digest with no artifact, or a bad name, registers nothing. */
    int64_t versions = count_rows(db, "dataset_versions");
    assert_int_equal(st_dataset_register_artifact(db, "scores",
                                                  "00000000000000000000000000000000000000000000"
                                                  "00000000000000000000",
                                                  "", "", &v, &err),
                     WF_ENOTFOUND);
    assert_non_null(strstr(err.message, "registering dataset \"scores\""));
    assert_int_equal(st_dataset_register_artifact(db, "no spaces", digest, "", "", &v, &err),
                     WF_EINVAL);
    assert_int_equal(count_rows(db, "dataset_versions"), versions);

    tbl_free(t);
    tbl_free(first);
    st_close(files);
    st_close(db);
    remove_temp_dir(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_a_files_handle_writes_artifacts_and_records_nothing),
        cmocka_unit_test(test_a_files_handle_refuses_what_needs_the_database),
        cmocka_unit_test(test_opening_files_of_a_directory_that_is_no_workspace_fails),
        cmocka_unit_test(test_a_table_a_step_stored_becomes_a_dataset_version),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
