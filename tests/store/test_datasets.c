/*
 * test_datasets.c: the dataset registry: versions, references, listing,
 * archiving, loading, and above all that a registration that fails at any
 * step, or a process killed at any step, leaves the workspace as it was.
 */
#include "store_test.h"

#include <jansson.h>
#include <sys/wait.h>

static void register_numbers_versions_from_one(void **state)
{
    (void)state;
    char *dir = make_temp_dir();
    st_workspace *ws = open_workspace(dir);
    wf_error err = {0};
    for (int i = 1; i <= 3; i++) {
        tbl_table *t = small_table(i);
        st_dataset_version v;
        assert_int_equal(st_dataset_register(ws, "iris", t, "desc", "file:x.csv", &v, &err), 0);
        assert_string_equal(v.name, "iris");
        assert_int_equal(v.version, i);
        assert_int_equal(v.rows, 4);
        assert_int_equal(v.cols, 3);
        assert_true(v.bytes > 0);
        assert_true(st_artifact_exists(ws, v.digest));
        assert_string_equal(v.description, "desc");
        assert_string_equal(v.source, "file:x.csv");
        assert_int_equal(strlen(v.created_at), 20); /* 2024-05-01T12:00:00Z */
        assert_int_equal(v.created_at[19], 'Z');
        assert_false(v.archived);
        st_dataset_version_clear(&v);
        tbl_free(t);
    }
    tbl_table *other = small_table(1);
    st_dataset_version v;
    assert_int_equal(st_dataset_register(ws, "other", other, NULL, NULL, &v, &err), 0);
    assert_int_equal(v.version, 1); /* versions count per name */
    assert_string_equal(v.description, "");
    st_dataset_version_clear(&v);
    tbl_free(other);
    st_close(ws);
    remove_temp_dir(dir);
}

static void the_same_table_twice_shares_one_artifact(void **state)
{
    (void)state;
    char *dir = make_temp_dir();
    st_workspace *ws = open_workspace(dir);
    wf_error err = {0};
    tbl_table *t = small_table(5);
    st_dataset_version a, b;
    assert_int_equal(st_dataset_register(ws, "a", t, "", "", &a, &err), 0);
    assert_int_equal(st_dataset_register(ws, "b", t, "", "", &b, &err), 0);
    assert_string_equal(a.digest, b.digest);
    assert_int_equal(count_rows(ws, "artifacts"), 1);
    st_dataset_version_clear(&a);
    st_dataset_version_clear(&b);
    tbl_free(t);
    st_close(ws);
    remove_temp_dir(dir);
}

static void get_resolves_name_name_at_n_and_name_at_latest(void **state)
{
    (void)state;
    char *dir = make_temp_dir();
    st_workspace *ws = open_workspace(dir);
    wf_error err = {0};
    char digests[2][WF_SHA256_HEX];
    for (int i = 0; i < 2; i++) {
        tbl_table *t = small_table(i);
        st_dataset_version v;
        assert_int_equal(st_dataset_register(ws, "cars", t, "", "", &v, &err), 0);
        strcpy(digests[i], v.digest);
        st_dataset_version_clear(&v);
        tbl_free(t);
    }
    st_dataset_version v;
    assert_int_equal(st_dataset_get(ws, "cars", &v, &err), 0);
    assert_int_equal(v.version, 2);
    st_dataset_version_clear(&v);
    assert_int_equal(st_dataset_get(ws, "cars@latest", &v, &err), 0);
    assert_int_equal(v.version, 2);
    assert_string_equal(v.digest, digests[1]);
    st_dataset_version_clear(&v);
    assert_int_equal(st_dataset_get(ws, "cars@1", &v, &err), 0);
    assert_int_equal(v.version, 1);
    assert_string_equal(v.digest, digests[0]);
    st_dataset_version_clear(&v);

    wf_error_clear(&err);
    assert_int_equal(st_dataset_get(ws, "cars@3", &v, &err), WF_ENOTFOUND);
    assert_non_null(strstr(err.message, "version 3"));
    wf_error_clear(&err);
    assert_int_equal(st_dataset_get(ws, "trucks", &v, &err), WF_ENOTFOUND);
    assert_non_null(strstr(err.message, "trucks"));
    const char *const bad[] = {"cars@0",           "cars@", "cars@-1", "cars@1x",
                               "cars@99999999999", "@1",    "",        "ca rs"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        wf_error_clear(&err);
        if (st_dataset_get(ws, bad[i], &v, &err) != WF_EINVAL)
            fail_msg("\"%s\" was accepted", bad[i]);
    }
    st_close(ws);
    remove_temp_dir(dir);
}

static void names_are_letters_digits_dash_underscore_and_dot(void **state)
{
    (void)state;
    wf_error err = {0};
    const char *const good[] = {"iris", "German-Credit_2.v1", "0day", "a"};
    for (size_t i = 0; i < sizeof good / sizeof good[0]; i++)
        assert_int_equal(st_dataset_name_check(good[i], &err), 0);
    char long_name[102];
    memset(long_name, 'x', 101);
    long_name[101] = '\0';
    const char *const bad[] = {"",    "-lead", ".hidden",     "a b",
                               "a/b", "a@1",   "caf\xc3\xa9", long_name};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        wf_error_clear(&err);
        assert_int_equal(st_dataset_name_check(bad[i], &err), WF_EINVAL);
        assert_true(err.message[0] != '\0');
    }
    long_name[100] = '\0'; /* exactly 100 is fine */
    assert_int_equal(st_dataset_name_check(long_name, &err), 0);
    assert_int_equal(st_dataset_name_check(NULL, NULL), WF_EINVAL);
}

static void list_shows_the_latest_of_each_and_hides_archived_until_reactivated(void **state)
{
    (void)state;
    char *dir = make_temp_dir();
    st_workspace *ws = open_workspace(dir);
    wf_error err = {0};
    tbl_table *t = small_table(0);
    const char *const names[] = {"zeta", "alpha", "alpha", "mid"};
    for (size_t i = 0; i < 4; i++)
        assert_int_equal(st_dataset_register(ws, names[i], t, "", "", NULL, &err), 0);
    assert_int_equal(st_dataset_archive(ws, "mid", true, &err), 0);

    st_dataset_version *list;
    size_t n;
    assert_int_equal(st_dataset_list(ws, false, &list, &n, &err), 0);
    assert_int_equal(n, 2);
    assert_string_equal(list[0].name, "alpha");
    assert_int_equal(list[0].version, 2);
    assert_string_equal(list[1].name, "zeta");
    st_dataset_versions_free(list, n);

    assert_int_equal(st_dataset_list(ws, true, &list, &n, &err), 0);
    assert_int_equal(n, 3);
    assert_string_equal(list[1].name, "mid");
    assert_true(list[1].archived);
    st_dataset_versions_free(list, n);

    /* Reactivated, it is listed again, every version. */
    assert_int_equal(st_dataset_archive(ws, "mid", false, &err), 0);
    assert_int_equal(st_dataset_list(ws, false, &list, &n, &err), 0);
    assert_int_equal(n, 3);
    assert_string_equal(list[1].name, "mid");
    assert_false(list[1].archived);
    st_dataset_versions_free(list, n);
    wf_error_clear(&err);
    assert_int_equal(st_dataset_archive(ws, "never-was", false, &err), WF_ENOTFOUND);
    tbl_free(t);
    st_close(ws);
    remove_temp_dir(dir);
}

static void archived_datasets_still_load_and_come_back_with_a_new_version(void **state)
{
    (void)state;
    char *dir = make_temp_dir();
    st_workspace *ws = open_workspace(dir);
    wf_error err = {0};
    tbl_table *t = small_table(0);
    assert_int_equal(st_dataset_register(ws, "old", t, "", "", NULL, &err), 0);
    assert_int_equal(st_dataset_archive(ws, "old", true, &err), 0);
    tbl_table *back = NULL;
    st_dataset_version meta;
    assert_int_equal(st_dataset_load(ws, "old", &back, &meta, &err), 0);
    assert_true(meta.archived);
    tbl_free(back);
    st_dataset_version_clear(&meta);

    assert_int_equal(st_dataset_register(ws, "old", t, "", "", NULL, &err), 0);
    st_dataset_version *list;
    size_t n;
    assert_int_equal(st_dataset_list(ws, false, &list, &n, &err), 0);
    assert_int_equal(n, 1);
    assert_int_equal(list[0].version, 2);
    assert_false(list[0].archived);
    st_dataset_versions_free(list, n);

    wf_error_clear(&err);
    assert_int_equal(st_dataset_archive(ws, "never-was", true, &err), WF_ENOTFOUND);
    tbl_free(t);
    st_close(ws);
    remove_temp_dir(dir);
}

static void versions_lists_every_version_oldest_first(void **state)
{
    (void)state;
    char *dir = make_temp_dir();
    st_workspace *ws = open_workspace(dir);
    wf_error err = {0};
    for (int i = 0; i < 3; i++) {
        tbl_table *t = small_table(i);
        assert_int_equal(st_dataset_register(ws, "v", t, "", "", NULL, &err), 0);
        tbl_free(t);
    }
    st_dataset_version *list;
    size_t n;
    assert_int_equal(st_dataset_versions(ws, "v", &list, &n, &err), 0);
    assert_int_equal(n, 3);
    for (size_t i = 0; i < n; i++)
        assert_int_equal(list[i].version, (int)i + 1);
    assert_string_not_equal(list[0].digest, list[2].digest);
    st_dataset_versions_free(list, n);
    wf_error_clear(&err);
    assert_int_equal(st_dataset_versions(ws, "none", &list, &n, &err), WF_ENOTFOUND);
    st_close(ws);
    remove_temp_dir(dir);
}

static void load_maps_the_table_and_fills_its_row(void **state)
{
    (void)state;
    char *dir = make_temp_dir();
    st_workspace *ws = open_workspace(dir);
    wf_error err = {0};
    tbl_table *t = small_table(2);
    assert_int_equal(st_dataset_register(ws, "d", t, "about d", "url:x", NULL, &err), 0);
    tbl_table *back = NULL;
    st_dataset_version meta;
    assert_int_equal(st_dataset_load(ws, "d@1", &back, &meta, &err), 0);
    assert_non_null(back->mapping);
    assert_int_equal(back->nrows, t->nrows);
    assert_int_equal(back->cols[0].v.i64[3], 5);
    assert_string_equal(back->cols[2].name, "colour");
    assert_int_equal(back->cols[2].levels.count, 2);
    assert_string_equal(meta.description, "about d");
    assert_int_equal(meta.version, 1);
    st_dataset_version_clear(&meta);
    tbl_free(back);
    assert_int_equal(st_dataset_load(ws, "d", &back, NULL, &err), 0);
    tbl_free(back);
    tbl_free(t);
    st_close(ws);
    remove_temp_dir(dir);
}

static void load_reports_a_missing_artifact_as_corruption(void **state)
{
    (void)state;
    char *dir = make_temp_dir();
    st_workspace *ws = open_workspace(dir);
    wf_error err = {0};
    tbl_table *t = small_table(2);
    st_dataset_version v;
    assert_int_equal(st_dataset_register(ws, "gone", t, "", "", &v, &err), 0);
    char *path = st_artifact_path(ws, v.digest);
    assert_int_equal(unlink(path), 0);
    tbl_table *back = NULL;
    st_dataset_version meta;
    assert_int_equal(st_dataset_load(ws, "gone", &back, &meta, &err), WF_ECORRUPT);
    assert_null(back);
    assert_null(meta.name);
    assert_non_null(strstr(err.message, "gone@1"));
    free(path);
    st_dataset_version_clear(&v);
    tbl_free(t);
    st_close(ws);
    remove_temp_dir(dir);
}

static void the_profile_is_stored_as_json(void **state)
{
    (void)state;
    char *dir = make_temp_dir();
    st_workspace *ws = open_workspace(dir);
    wf_error err = {0};
    tbl_table *t = small_table(2);
    st_dataset_version v;
    assert_int_equal(st_dataset_register(ws, "p", t, "", "", &v, &err), 0);
    st_dataset_version got;
    assert_int_equal(st_dataset_get(ws, "p", &got, &err), 0);
    assert_string_equal(got.profile_json, v.profile_json);
    json_error_t jerr;
    json_t *j = json_loads(got.profile_json, 0, &jerr);
    assert_non_null(j);
    assert_true(json_is_object(j) || json_is_array(j));
    json_decref(j);
    st_dataset_version_clear(&v);
    st_dataset_version_clear(&got);
    tbl_free(t);
    st_close(ws);
    remove_temp_dir(dir);
}

/* The heart of the registry's contract: fail each step of a registration
 * in turn; after each failure the file tree and every row must be exactly
 * as before, with no temporary file left. Then the registration succeeds. */
static void register_failure_leaves_no_artifact_and_no_row(void **state)
{
    (void)state;
    char *dir = make_temp_dir();
    st_workspace *ws = open_workspace(dir);
    wf_error err = {0};
    tbl_table *first = small_table(1), *t = small_table(2);
    assert_int_equal(st_dataset_register(ws, "ds", first, "", "", NULL, &err), 0);
    char *tree = snapshot_tree(dir);
    char *rows = snapshot_rows(ws);
    int failures = 0;
    for (int n = 1;; n++) {
        assert_true(n < 100);
        fault_arm(n);
        wf_error_clear(&err);
        st_dataset_version v;
        int rc = st_dataset_register(ws, "ds", t, "", "", &v, &err);
        fault_disarm();
        if (rc == 0) {
            assert_int_equal(v.version, 2);
            st_dataset_version_clear(&v);
            break;
        }
        failures++;
        assert_null(v.name);
        assert_non_null(strstr(err.message, "ds"));
        char *t2 = snapshot_tree(dir);
        char *r2 = snapshot_rows(ws);
        if (strcmp(tree, t2) != 0)
            fail_msg("failing step %d (%s) changed the tree:\n%s\nvs\n%s", n, fault_failed_step,
                     tree, t2);
        if (strcmp(rows, r2) != 0)
            fail_msg("failing step %d (%s) changed the rows", n, fault_failed_step);
        assert_int_equal(count_tmp_files(dir), 0);
        free(t2);
        free(r2);
    }
    /* begin, select, tmp-create, write, fsync, rename, fsync-dir,
     * insert-artifact, insert-dataset, insert-version, commit */
    assert_int_equal(failures, 11);
    free(tree);
    free(rows);
    tbl_free(first);
    tbl_free(t);
    st_close(ws);
    remove_temp_dir(dir);
}

/* When the artifact was already there (another dataset has the same
 * table), undoing a failed registration must not delete it. */
static void register_failure_keeps_an_artifact_that_existed_before(void **state)
{
    (void)state;
    char *dir = make_temp_dir();
    st_workspace *ws = open_workspace(dir);
    wf_error err = {0};
    tbl_table *t = small_table(4);
    st_dataset_version owner;
    assert_int_equal(st_dataset_register(ws, "owner", t, "", "", &owner, &err), 0);
    char *tree = snapshot_tree(dir);
    char *rows = snapshot_rows(ws);
    for (int n = 1;; n++) {
        assert_true(n < 100);
        fault_arm(n);
        int rc = st_dataset_register(ws, "borrower", t, "", "", NULL, NULL);
        fault_disarm();
        if (rc == 0) break;
        assert_true(st_artifact_exists(ws, owner.digest));
        char *t2 = snapshot_tree(dir);
        char *r2 = snapshot_rows(ws);
        assert_string_equal(tree, t2);
        assert_string_equal(rows, r2);
        free(t2);
        free(r2);
    }
    tbl_table *back = NULL;
    assert_int_equal(st_dataset_load(ws, "owner", &back, NULL, &err), 0);
    tbl_free(back);
    free(tree);
    free(rows);
    st_dataset_version_clear(&owner);
    tbl_free(t);
    st_close(ws);
    remove_temp_dir(dir);
}

static int crash_at;

/* Ends the process on the crash_at-th step, as kill -9 would: no cleanup,
 * no rollback, no atexit handlers. */
static int crash_nth(const char *step)
{
    (void)step;
    if (--crash_at == 0) _exit(9);
    return 0;
}

static void a_crash_at_any_step_leaves_a_workspace_that_opens_consistent(void **state)
{
    (void)state;
    for (int n = 1;; n++) {
        assert_true(n < 100);
        char *dir = make_temp_dir();
        st_close(open_workspace(dir));
        pid_t pid = fork();
        assert_true(pid >= 0);
        if (pid == 0) {
            st_workspace *ws = NULL;
            if (st_open(dir, &ws, NULL) < 0) _exit(2);
            tbl_table *t = small_table(9);
            crash_at = n;
            st__fault_hook = crash_nth;
            int rc = st_dataset_register(ws, "crash", t, "", "", NULL, NULL);
            _exit(rc == 0 ? 0 : 3);
        }
        int status;
        assert_int_equal(waitpid(pid, &status, 0), pid);
        assert_true(WIFEXITED(status));
        int code = WEXITSTATUS(status);
        assert_true(code == 0 || code == 9);

        st_workspace *ws = open_workspace(dir);
        sqlite3_stmt *stmt;
        assert_int_equal(sqlite3_prepare_v2(ws->db, "PRAGMA integrity_check", -1, &stmt, NULL),
                         SQLITE_OK);
        assert_int_equal(sqlite3_step(stmt), SQLITE_ROW);
        assert_string_equal((const char *)sqlite3_column_text(stmt, 0), "ok");
        sqlite3_finalize(stmt);
        /* Either the registration happened in full, or not at all. */
        wf_error err = {0};
        tbl_table *back = NULL;
        int rc = st_dataset_load(ws, "crash", &back, NULL, &err);
        if (code == 0) assert_int_equal(rc, 0);
        assert_true(rc == 0 || rc == WF_ENOTFOUND);
        if (rc == WF_ENOTFOUND) assert_int_equal(count_rows(ws, "dataset_versions"), 0);
        tbl_free(back);
        st_close(ws);
        remove_temp_dir(dir);
        if (code == 0) break;
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(register_numbers_versions_from_one),
        cmocka_unit_test(the_same_table_twice_shares_one_artifact),
        cmocka_unit_test(get_resolves_name_name_at_n_and_name_at_latest),
        cmocka_unit_test(names_are_letters_digits_dash_underscore_and_dot),
        cmocka_unit_test(list_shows_the_latest_of_each_and_hides_archived_until_reactivated),
        cmocka_unit_test(archived_datasets_still_load_and_come_back_with_a_new_version),
        cmocka_unit_test(versions_lists_every_version_oldest_first),
        cmocka_unit_test(load_maps_the_table_and_fills_its_row),
        cmocka_unit_test(load_reports_a_missing_artifact_as_corruption),
        cmocka_unit_test(the_profile_is_stored_as_json),
        cmocka_unit_test(register_failure_leaves_no_artifact_and_no_row),
        cmocka_unit_test(register_failure_keeps_an_artifact_that_existed_before),
        cmocka_unit_test(a_crash_at_any_step_leaves_a_workspace_that_opens_consistent),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
