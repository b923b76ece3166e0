/*
 * test_step_files.c: a step never opens the workspace database (a Slurm
 * job on another node could not share SQLite's WAL), so everything the
 * database must say about a step is written by the executor: the step's
 * output artifacts, and the dataset versions Export Data asks for.
 *
 * The proof that a step needs only the files: `weft step` runs against a
 * directory holding a copy of the artifacts and no weft.db, and none
 * appears.
 */
#include "run_test.h"

#include "store/store_int.h"

#include <sqlite3.h>

/* dataset@1 reads "letters"; export-data registers it as "copy". */
#define EXPORT_PIPELINE                                                                            \
    "{\"format\": \"weft.pipeline/1\", \"name\": \"export\", \"nodes\": ["                         \
    " {\"id\": \"data\", \"module\": \"dataset@1\", \"params\": {\"dataset\": \"letters\"}},"      \
    " {\"id\": \"export\", \"module\": \"export-data@1\", \"params\": {\"destination\": "          \
    "\"dataset\", \"dataset_name\": \"copy\", \"description\": \"made by a step\"}}],"             \
    " \"edges\": [{\"from\": \"data.dataset\", \"to\": \"export.dataset\"}]}"

static tbl_table *letters(void)
{
    const char *csv = "letter,rank\na,1\nb,2\nc,3\n";
    tbl_table *t = NULL;
    wf_error err = {0};
    if (tbl_read_csv(csv, strlen(csv), NULL, &t, &err) < 0) fail_msg("csv: %s", err.message);
    return t;
}

static int64_t artifact_rows(test_ws *t, const char *digest)
{
    sqlite3_stmt *stmt;
    assert_int_equal(sqlite3_prepare_v2(t->ws->db,
                                        "SELECT count(*) FROM artifacts WHERE digest = ?1", -1,
                                        &stmt, NULL),
                     SQLITE_OK);
    sqlite3_bind_text(stmt, 1, digest, -1, SQLITE_STATIC);
    assert_int_equal(sqlite3_step(stmt), SQLITE_ROW);
    int64_t n = sqlite3_column_int64(stmt, 0);
    sqlite3_finalize(stmt);
    return n;
}

static void test_the_executor_records_outputs_and_registers_exports(void **state)
{
    (void)state;
    test_ws t;
    test_ws_open(&t);
    tbl_table *table = letters();
    st_dataset_version v = {0};
    wf_error err = {0};
    assert_int_equal(st_dataset_register(t.ws, "letters", table, "", "", &v, &err), 0);
    st_dataset_version_clear(&v);
    eng_pipeline *p = test_pipeline(EXPORT_PIPELINE);
    test_events ev = {0};
    eng_run_options opt = test_options(&ev);
    int64_t run = 0;
    if (eng_run(t.ws, p, &opt, &run, &err) < 0) fail_msg("eng_run: %s", err.message);
    assert_step_status(&t, run, "export", "completed");

    char *digest = test_output(&t, run, "data", "dataset");
    assert_non_null(digest);
    assert_int_equal(artifact_rows(&t, digest), 1);
    free(digest);

    assert_int_equal(st_dataset_get(t.ws, "copy@1", &v, &err), 0);
    assert_int_equal(v.rows, 3);
    assert_int_equal(v.cols, 2);
    assert_string_equal(v.description, "made by a step");
    char source[64];
    snprintf(source, sizeof source, "run:%lld/export", (long long)run);
    assert_string_equal(v.source, source);
    assert_int_equal(artifact_rows(&t, v.digest), 1);
    st_dataset_version_clear(&v);
    /* The step's log says what became of its table. */
    bool said = false;
    for (size_t i = 0; i < ev.count; i++)
        said =
            said || (ev.items[i].kind == ENG_EVENT_LOG && strcmp(ev.items[i].node, "export") == 0 &&
                     strstr(ev.items[i].message, "as dataset copy@1") != NULL);
    assert_true(said);

    /* A second run makes version 2. */
    test_events ev2 = {0};
    opt = test_options(&ev2);
    if (eng_run(t.ws, p, &opt, &run, &err) < 0) fail_msg("eng_run: %s", err.message);
    assert_int_equal(st_dataset_get(t.ws, "copy@latest", &v, &err), 0);
    assert_int_equal(v.version, 2);
    st_dataset_version_clear(&v);

    eng_pipeline_free(p);
    tbl_free(table);
    test_ws_close(&t);
}

/* A registration the store refuses fails the step, naming the dataset. */
static void test_a_refused_registration_fails_the_step(void **state)
{
    (void)state;
    test_ws t;
    test_ws_open(&t);
    tbl_table *table = letters();
    st_dataset_version v = {0};
    wf_error err = {0};
    assert_int_equal(st_dataset_register(t.ws, "letters", table, "", "", &v, &err), 0);
    st_dataset_version_clear(&v);
    /* "copy" exists as the name of a dataset whose next version cannot be
     * written: the versions table refuses inserts for it. */
    assert_int_equal(sqlite3_exec(t.ws->db,
                                  "CREATE TRIGGER no_copy BEFORE INSERT ON dataset_versions "
                                  "WHEN NEW.name = 'copy' BEGIN SELECT RAISE(ABORT, 'copies are "
                                  "not allowed'); END",
                                  NULL, NULL, NULL),
                     SQLITE_OK);
    eng_pipeline *p = test_pipeline(EXPORT_PIPELINE);
    eng_run_options opt = test_options(NULL);
    int64_t run = 0;
    eng_run(t.ws, p, &opt, &run, &err);
    st_step s = test_step(&t, run, "export");
    assert_string_equal(s.status, "failed");
    assert_non_null(strstr(s.error, "registering dataset \"copy\""));
    assert_non_null(strstr(s.error, "copies are not allowed"));
    st_step_clear(&s);
    assert_int_equal(st_dataset_get(t.ws, "copy@1", &v, &err), WF_ENOTFOUND);
    eng_pipeline_free(p);
    tbl_free(table);
    test_ws_close(&t);
}

/* Runs `weft step` on a dataset@1 step reading letters@1 in workspace
 * directory `dir`; `more` ends the description (its digests). Its report
 * and log go to out; returns its exit status. */
static int run_step(const char *dir, const char *more, char *out, size_t cap)
{
    char path[96];
    snprintf(path, sizeof path, "%s/desc.json", dir);
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fprintf(f,
            "{\"workspace\": \"%s\", \"run\": 9, \"node\": \"data\", \"module\": \"dataset@1\","
            " \"params\": {\"dataset\": \"letters\", \"version\": 1}, \"seed\": 1,"
            " \"inputs\": [], \"outputs\": [{\"port\": \"dataset\", \"kind\": \"table\"}],"
            " \"datasets\": {\"letters\": \"letters@1\"}%s}",
            dir, more);
    fclose(f);
    char cmd[512];
    snprintf(cmd, sizeof cmd, "'%s' step '%s' 2>&1", WEFT_BINARY, path);
    FILE *p = popen(cmd, "r");
    assert_non_null(p);
    size_t n = fread(out, 1, cap - 1, p);
    out[n] = '\0';
    return pclose(p);
}

/* `weft step` with a workspace directory that has artifacts and no
 * database: it loads the pinned dataset by digest, stores its outputs, asks
 * for the registration in its report, and creates no weft.db. */
static void test_a_step_runs_with_the_artifacts_alone(void **state)
{
    (void)state;
    test_ws t;
    test_ws_open(&t);
    tbl_table *table = letters();
    st_dataset_version v = {0};
    wf_error err = {0};
    assert_int_equal(st_dataset_register(t.ws, "letters", table, "", "", &v, &err), 0);
    char bare[64];
    strcpy(bare, "/tmp/weft-bare-XXXXXX");
    assert_non_null(mkdtemp(bare));
    char cmd[1024];
    snprintf(cmd, sizeof cmd, "cp -r '%s/artifacts' '%s/artifacts'", t.dir, bare);
    assert_int_equal(system(cmd), 0);

    char all[4096];
    char digests[160];
    snprintf(digests, sizeof digests, ", \"dataset_digests\": {\"letters\": \"%s\"}", v.digest);
    if (run_step(bare, digests, all, sizeof all) != 0) fail_msg("weft step failed: %s", all);
    char want[160];
    snprintf(want, sizeof want, "{\"digest\":\"%s\",\"output\":\"dataset\"}", v.digest);
    if (strstr(all, want) == NULL) fail_msg("no output line in: %s", all);
    char db[96];
    snprintf(db, sizeof db, "%s/weft.db", bare);
    struct stat st;
    assert_int_not_equal(stat(db, &st), 0);

    /* Without the digest the plan pins, it says so instead of guessing. */
    assert_int_not_equal(run_step(bare, "", all, sizeof all), 0);
    if (strstr(all, "letters") == NULL || strstr(all, "digest") == NULL)
        fail_msg("the error does not name the dataset and its digest: %s", all);
    assert_int_not_equal(stat(db, &st), 0);

    st_dataset_version_clear(&v);
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", bare);
    assert_int_equal(system(cmd), 0);
    tbl_free(table);
    test_ws_close(&t);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_the_executor_records_outputs_and_registers_exports),
        cmocka_unit_test(test_a_refused_registration_fails_the_step),
        cmocka_unit_test(test_a_step_runs_with_the_artifacts_alone),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
