/*
 * test_artifacts.c: the content-addressed artifact store: where bytes land,
 * that storing twice is a no-op, that a failed store leaves nothing behind,
 * and that table artifacts load by mapping.
 */
#include "store_test.h"

static char *read_all(const char *path, size_t *size)
{
    char *data = NULL;
    wf_error err = {0};
    if (wf_read_file(path, &data, size, &err) < 0) return NULL;
    return data;
}

static void put_stores_bytes_read_only_under_their_sha256(void **state)
{
    (void)state;
    char *dir = make_temp_dir();
    st_workspace *ws = open_workspace(dir);
    const char data[] = "hello, artifacts";
    char digest[WF_SHA256_HEX], expected[WF_SHA256_HEX];
    wf_error err = {0};
    assert_int_equal(st_artifact_put(ws, data, sizeof data - 1, digest, &err), 0);
    wf_sha256_hex(data, sizeof data - 1, expected);
    assert_string_equal(digest, expected);

    char *path = st_artifact_path(ws, digest);
    char want[600];
    snprintf(want, sizeof want, "%s/artifacts/%.2s/%s", dir, digest, digest);
    assert_string_equal(path, want);
    size_t size;
    char *back = read_all(path, &size);
    assert_non_null(back);
    assert_int_equal(size, sizeof data - 1);
    assert_memory_equal(back, data, size);
    struct stat st;
    assert_int_equal(stat(path, &st), 0);
    assert_int_equal(st.st_mode & 0777, 0444);
    assert_true(st_artifact_exists(ws, digest));
    assert_int_equal(count_rows(ws, "artifacts"), 1);
    assert_int_equal(count_tmp_files(dir), 0);
    free(back);
    free(path);
    st_close(ws);
    remove_temp_dir(dir);
}

static void putting_the_same_bytes_twice_changes_nothing(void **state)
{
    (void)state;
    char *dir = make_temp_dir();
    st_workspace *ws = open_workspace(dir);
    char d1[WF_SHA256_HEX], d2[WF_SHA256_HEX];
    wf_error err = {0};
    assert_int_equal(st_artifact_put(ws, "same", 4, d1, &err), 0);
    char *before = snapshot_tree(dir);
    char *rows_before = snapshot_rows(ws);
    assert_int_equal(st_artifact_put(ws, "same", 4, d2, &err), 0);
    assert_string_equal(d1, d2);
    char *after = snapshot_tree(dir);
    char *rows_after = snapshot_rows(ws);
    assert_string_equal(before, after);
    assert_string_equal(rows_before, rows_after);
    free(before);
    free(after);
    free(rows_before);
    free(rows_after);
    st_close(ws);
    remove_temp_dir(dir);
}

static void an_empty_artifact_is_stored_too(void **state)
{
    (void)state;
    char *dir = make_temp_dir();
    st_workspace *ws = open_workspace(dir);
    char digest[WF_SHA256_HEX];
    wf_error err = {0};
    assert_int_equal(st_artifact_put(ws, "", 0, digest, &err), 0);
    assert_string_equal(digest, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    assert_true(st_artifact_exists(ws, digest));
    st_close(ws);
    remove_temp_dir(dir);
}

static void a_damaged_artifact_of_the_wrong_size_is_replaced(void **state)
{
    (void)state;
    char *dir = make_temp_dir();
    st_workspace *ws = open_workspace(dir);
    char digest[WF_SHA256_HEX];
    wf_error err = {0};
    assert_int_equal(st_artifact_put(ws, "0123456789", 10, digest, &err), 0);
    char *path = st_artifact_path(ws, digest);
    assert_int_equal(chmod(path, 0644), 0);
    assert_int_equal(truncate(path, 3), 0);
    assert_int_equal(st_artifact_put(ws, "0123456789", 10, digest, &err), 0);
    size_t size;
    char *back = read_all(path, &size);
    assert_int_equal(size, 10);
    free(back);
    free(path);
    st_close(ws);
    remove_temp_dir(dir);
}

static void artifact_paths_refuse_what_is_not_a_digest(void **state)
{
    (void)state;
    char *dir = make_temp_dir();
    st_workspace *ws = open_workspace(dir);
    assert_null(st_artifact_path(ws, "../../etc/passwd"));
    assert_null(st_artifact_path(ws, "ABCDEF")); /* too short, and upper case */
    assert_null(st_artifact_path(ws, NULL));
    assert_false(st_artifact_exists(ws, "../weft.db"));
    tbl_table *t = NULL;
    wf_error err = {0};
    assert_int_equal(st_artifact_load_table(ws, "nope", &t, &err), WF_EINVAL);
    assert_null(t);
    st_close(ws);
    remove_temp_dir(dir);
}

static void put_failure_at_any_step_leaves_no_file_and_no_row(void **state)
{
    (void)state;
    char *dir = make_temp_dir();
    st_workspace *ws = open_workspace(dir);
    char *tree = snapshot_tree(dir);
    char *rows = snapshot_rows(ws);
    char digest[WF_SHA256_HEX];
    wf_error err = {0};
    /* Large enough that writing takes more than one step would be nice,
     * but one write is the common case; every step still gets its turn. */
    const char data[] = "bytes that fail to be stored";
    int failures = 0;
    for (int n = 1;; n++) {
        fault_arm(n);
        wf_error_clear(&err);
        int rc = st_artifact_put(ws, data, sizeof data, digest, &err);
        fault_disarm();
        if (rc == 0) break;
        failures++;
        assert_true(rc < 0);
        assert_true(err.message[0] != '\0');
        char *t2 = snapshot_tree(dir);
        char *r2 = snapshot_rows(ws);
        if (strcmp(tree, t2) != 0)
            fail_msg("failing step %d (%s) changed the tree:\n%s\nvs\n%s", n, fault_failed_step,
                     tree, t2);
        assert_string_equal(rows, r2);
        free(t2);
        free(r2);
        assert_true(n < 50);
    }
    /* begin, tmp-create, write, fsync, rename, fsync-dir, insert, commit */
    assert_int_equal(failures, 8);
    assert_true(st_artifact_exists(ws, digest));
    free(tree);
    free(rows);
    st_close(ws);
    remove_temp_dir(dir);
}

static void a_table_artifact_loads_by_mapping(void **state)
{
    (void)state;
    char *dir = make_temp_dir();
    st_workspace *ws = open_workspace(dir);
    tbl_table *t = small_table(7);
    char digest[WF_SHA256_HEX];
    size_t bytes = 0;
    wf_error err = {0};
    assert_int_equal(st_artifact_put_table(ws, t, digest, &bytes, &err), 0);
    uint8_t *buf;
    size_t size;
    assert_int_equal(tbl_native_encode(t, &buf, &size, &err), 0);
    char expected[WF_SHA256_HEX];
    wf_sha256_hex(buf, size, expected);
    assert_string_equal(digest, expected); /* the digest is the encoding's */
    assert_int_equal(bytes, size);
    free(buf);

    tbl_table *back = NULL;
    assert_int_equal(st_artifact_load_table(ws, digest, &back, &err), 0);
    assert_non_null(back->mapping);
    assert_int_equal(back->nrows, 4);
    assert_int_equal(back->ncols, 3);
    assert_true(back->cols[1].v.f64[3] == 1.5 + 7);
    assert_true(tbl_is_missing(&back->cols[1], 2));
    assert_int_equal(back->cols[1].role, TBL_ROLE_LABEL);
    tbl_free(back);

    char absent[WF_SHA256_HEX];
    memset(absent, 'a', 64);
    absent[64] = '\0';
    wf_error_clear(&err);
    assert_int_equal(st_artifact_load_table(ws, absent, &back, &err), WF_ENOTFOUND);
    tbl_free(t);
    st_close(ws);
    remove_temp_dir(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(put_stores_bytes_read_only_under_their_sha256),
        cmocka_unit_test(putting_the_same_bytes_twice_changes_nothing),
        cmocka_unit_test(an_empty_artifact_is_stored_too),
        cmocka_unit_test(a_damaged_artifact_of_the_wrong_size_is_replaced),
        cmocka_unit_test(artifact_paths_refuse_what_is_not_a_digest),
        cmocka_unit_test(put_failure_at_any_step_leaves_no_file_and_no_row),
        cmocka_unit_test(a_table_artifact_loads_by_mapping),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
