/*
 * test_workspace.c: opening a workspace: its layout on disk, the database
 * settings, migrations (applied once, refused when too new, atomic when one
 * fails) and the cleaning of stale temporary files.
 */
#include "store_test.h"

#include <sys/time.h>

static void open_creates_the_database_artifact_shards_and_tmp(void **state)
{
    (void)state;
    char *dir = make_temp_dir();
    char sub[512];
    snprintf(sub, sizeof sub, "%s/ws/inner", dir); /* missing parents are made */
    st_workspace *ws = open_workspace(sub);
    assert_string_equal(st_workspace_dir(ws), sub);
    struct stat st;
    const char *const expected[] = {"weft.db", "tmp", "artifacts/00", "artifacts/7f",
                                    "artifacts/ff"};
    for (size_t i = 0; i < sizeof expected / sizeof expected[0]; i++) {
        char path[600];
        snprintf(path, sizeof path, "%s/%s", sub, expected[i]);
        if (stat(path, &st) != 0) fail_msg("%s is missing", path);
    }
    assert_int_equal(st_schema_version(ws), st__migration_count());
    st_close(ws);
    remove_temp_dir(dir);
}

static void database_is_in_wal_mode_with_foreign_keys(void **state)
{
    (void)state;
    char *dir = make_temp_dir();
    st_workspace *ws = open_workspace(dir);
    sqlite3_stmt *stmt;
    assert_int_equal(sqlite3_prepare_v2(ws->db, "PRAGMA journal_mode", -1, &stmt, NULL), 0);
    assert_int_equal(sqlite3_step(stmt), SQLITE_ROW);
    assert_string_equal((const char *)sqlite3_column_text(stmt, 0), "wal");
    sqlite3_finalize(stmt);
    /* A version pointing at no artifact and no dataset is refused. */
    char *msg = NULL;
    int rc = sqlite3_exec(ws->db,
                          "INSERT INTO dataset_versions(name, version, digest, rows, cols, bytes,"
                          " profile_json, created_at) VALUES ('x', 1, '"
                          "0000000000000000000000000000000000000000000000000000000000000000',"
                          " 0, 0, 0, '{}', 'now')",
                          NULL, NULL, &msg);
    assert_int_equal(rc & 0xff, SQLITE_CONSTRAINT);
    sqlite3_free(msg);
    st_close(ws);
    remove_temp_dir(dir);
}

static void reopening_applies_each_migration_once(void **state)
{
    (void)state;
    char *dir = make_temp_dir();
    st_workspace *ws = open_workspace(dir);
    wf_error err = {0};
    tbl_table *t = small_table(1);
    assert_int_equal(st_dataset_register(ws, "kept", t, "", "", NULL, &err), 0);
    st_close(ws);
    ws = open_workspace(dir);
    assert_int_equal(count_rows(ws, "schema_migrations"), st__migration_count());
    assert_int_equal(st_schema_version(ws), st__migration_count());
    st_dataset_version v;
    assert_int_equal(st_dataset_get(ws, "kept", &v, &err), 0); /* data survived */
    st_dataset_version_clear(&v);
    st_close(ws);
    tbl_free(t);
    remove_temp_dir(dir);
}

static void a_schema_newer_than_the_code_is_refused(void **state)
{
    (void)state;
    char *dir = make_temp_dir();
    st_workspace *ws = open_workspace(dir);
    assert_int_equal(sqlite3_exec(ws->db,
                                  "INSERT INTO schema_migrations VALUES (999, 'the future')", NULL,
                                  NULL, NULL),
                     SQLITE_OK);
    st_close(ws);
    wf_error err = {0};
    ws = NULL;
    assert_int_equal(st_open(dir, &ws, &err), WF_ESTORE);
    assert_null(ws);
    assert_non_null(strstr(err.message, "999"));
    assert_non_null(strstr(err.message, "newer"));
    remove_temp_dir(dir);
}

static int migrate_seen, migrate_target;

/* Fails the migrate_target-th "migrate" step; counts them when 0. */
static int fail_a_migrate_step(const char *step)
{
    if (strcmp(step, "migrate") != 0) return 0;
    return ++migrate_seen == migrate_target;
}

static void a_failed_migration_leaves_the_schema_at_the_version_before(void **state)
{
    (void)state;
    char *dir = make_temp_dir();
    /* Count the "migrate" steps of a fresh open, then fail the last one:
     * the recording of the last migration. */
    {
        char *probe = make_temp_dir();
        migrate_seen = migrate_target = 0;
        st__fault_hook = fail_a_migrate_step;
        st_workspace *ws = open_workspace(probe);
        st__fault_hook = NULL;
        st_close(ws);
        remove_temp_dir(probe);
    }
    assert_true(migrate_seen > 0);
    migrate_target = migrate_seen;
    migrate_seen = 0;
    st__fault_hook = fail_a_migrate_step;
    st_workspace *ws = NULL;
    wf_error err = {0};
    int rc = st_open(dir, &ws, &err);
    st__fault_hook = NULL;
    assert_int_equal(rc, WF_ESTORE);
    assert_null(ws);

    sqlite3 *db;
    char path[512];
    snprintf(path, sizeof path, "%s/weft.db", dir);
    assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
    sqlite3_stmt *stmt;
    assert_int_equal(
        sqlite3_prepare_v2(db, "SELECT max(version) FROM schema_migrations", -1, &stmt, NULL),
        SQLITE_OK);
    assert_int_equal(sqlite3_step(stmt), SQLITE_ROW);
    /* Whole versions only: every migration but the failed one. */
    assert_int_equal(sqlite3_column_int(stmt, 0), st__migration_count() - 1);
    sqlite3_finalize(stmt);
    sqlite3_close(db);

    ws = open_workspace(dir); /* and the next open finishes the job */
    assert_int_equal(st_schema_version(ws), st__migration_count());
    st_close(ws);
    remove_temp_dir(dir);
}

static void open_fails_with_a_message_when_the_directory_is_a_file(void **state)
{
    (void)state;
    char *dir = make_temp_dir();
    char path[512];
    snprintf(path, sizeof path, "%s/plain-file", dir);
    FILE *f = fopen(path, "w");
    fclose(f);
    st_workspace *ws = NULL;
    wf_error err = {0};
    assert_true(st_open(path, &ws, &err) < 0);
    assert_null(ws);
    assert_non_null(strstr(err.message, path));
    wf_error_clear(&err);
    assert_int_equal(st_open("", &ws, &err), WF_EINVAL);
    remove_temp_dir(dir);
}

static void open_removes_stale_temporary_files_and_keeps_young_ones(void **state)
{
    (void)state;
    char *dir = make_temp_dir();
    st_close(open_workspace(dir));
    char old[512], young[512];
    snprintf(old, sizeof old, "%s/tmp/crashed.abc123", dir);
    snprintf(young, sizeof young, "%s/tmp/in-flight.def456", dir);
    fclose(fopen(old, "w"));
    fclose(fopen(young, "w"));
    struct timeval two_hours_ago[2];
    gettimeofday(&two_hours_ago[0], NULL);
    two_hours_ago[0].tv_sec -= 7200;
    two_hours_ago[1] = two_hours_ago[0];
    assert_int_equal(utimes(old, two_hours_ago), 0);
    st_close(open_workspace(dir));
    struct stat st;
    assert_int_not_equal(stat(old, &st), 0);
    assert_int_equal(stat(young, &st), 0);
    remove_temp_dir(dir);
}

static void two_handles_on_one_workspace_see_each_other(void **state)
{
    (void)state;
    char *dir = make_temp_dir();
    st_workspace *a = open_workspace(dir);
    st_workspace *b = open_workspace(dir);
    wf_error err = {0};
    tbl_table *t = small_table(3);
    assert_int_equal(st_dataset_register(a, "shared", t, "", "", NULL, &err), 0);
    assert_int_equal(st_dataset_register(b, "shared", t, "", "", NULL, &err), 0);
    st_dataset_version v;
    assert_int_equal(st_dataset_get(a, "shared", &v, &err), 0);
    assert_int_equal(v.version, 2);
    st_dataset_version_clear(&v);
    st_close(a);
    st_close(b);
    tbl_free(t);
    remove_temp_dir(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(open_creates_the_database_artifact_shards_and_tmp),
        cmocka_unit_test(database_is_in_wal_mode_with_foreign_keys),
        cmocka_unit_test(reopening_applies_each_migration_once),
        cmocka_unit_test(a_schema_newer_than_the_code_is_refused),
        cmocka_unit_test(a_failed_migration_leaves_the_schema_at_the_version_before),
        cmocka_unit_test(open_fails_with_a_message_when_the_directory_is_a_file),
        cmocka_unit_test(open_removes_stale_temporary_files_and_keeps_young_ones),
        cmocka_unit_test(two_handles_on_one_workspace_see_each_other),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
