/*
 * test_data_pipeline.c: the data modules inside real runs (eng_run with
 * the `weft` binary running each step, and `weft run` itself): Import Data
 * reads again on every run unless use_cached_results asks otherwise,
 * Export Data writes (a file, a new dataset version) on every run, and the
 * pure steps between them are reused from the cache as usual.
 */
#include "../engine/run_test.h"

#include <sys/wait.h>

#define CARS_CSV                                                                                   \
    "make,price\n"                                                                                 \
    "audi,13950\n"                                                                                 \
    "bmw,16430\n"                                                                                  \
    "audi,17450\n"                                                                                 \
    "vw,7975\n"                                                                                    \
    "bmw,20970\n"

/* import -> SQL -> math -> export to a dataset and to a file. */
static char *pipeline_text(const char *dir, bool cached)
{
    json_t *doc = json_pack(
        "{s:s, s:s, s:[{s:s, s:s, s:{s:s+, s:b}},"
        "              {s:s, s:s, s:{s:s}},"
        "              {s:s, s:s, s:{s:{s:[{s:[s]}]}, s:s, s:s, s:i, s:s}},"
        "              {s:s, s:s, s:{s:s, s:s, s:s}},"
        "              {s:s, s:s, s:{s:s+}}],"
        " s:[{s:s, s:s}, {s:s, s:s}, {s:s, s:s}, {s:s, s:s}]}",
        "format", "weft.pipeline/1", "name", "data-io", "nodes", "id", "read", "module",
        "import-data@1", "params", "data_source_url", dir, "/cars.csv", "use_cached_results",
        cached, "id", "sql", "module", "apply-sql-transformation@1", "params", "sql_query_script",
        "SELECT make, COUNT(*) AS n, AVG(price) AS mean_price FROM t1 GROUP BY make ORDER BY make",
        "id", "math", "module", "apply-math-operation@1", "params", "column_selector", "include",
        "names", "mean_price", "category", "rounding", "rounding_func", "round-digits",
        "rounding_constant", -2, "output_mode", "inplace", "id", "save", "module", "export-data@1",
        "params", "destination", "dataset", "dataset_name", "car-summary", "description",
        "made by a test", "id", "file", "module", "export-data@1", "params", "path", dir,
        "/summary.csv", "edges", "from", "read.dataset", "to", "sql.t1", "from",
        "sql.result_dataset", "to", "math.dataset", "from", "math.result_dataset", "to",
        "save.dataset", "from", "math.result_dataset", "to", "file.dataset");
    assert_non_null(doc);
    char *text = json_dumps(doc, JSON_INDENT(1));
    json_decref(doc);
    return text;
}

static int64_t run_text(test_ws *t, const char *text)
{
    eng_pipeline *p = test_pipeline(text);
    eng_run_options opt = test_options(NULL);
    int64_t run = 0;
    wf_error err = {0};
    if (eng_run(t->ws, p, &opt, &run, &err) != 0) fail_msg("eng_run: %s", err.message);
    eng_pipeline_free(p);
    return run;
}

static int dataset_version(test_ws *t, const char *ref, size_t *rows)
{
    st_dataset_version v = {0};
    wf_error err = {0};
    if (st_dataset_get(t->ws, ref, &v, &err) < 0) fail_msg("%s: %s", ref, err.message);
    int version = v.version;
    *rows = (size_t)v.rows;
    st_dataset_version_clear(&v);
    return version;
}

static void imports_rerun_and_exports_write_on_every_run(void **state)
{
    (void)state;
    test_ws t;
    test_ws_open(&t);
    char dir[128], path[256];
    snprintf(dir, sizeof dir, "%s/files", t.dir);
    assert_int_equal(mkdir(dir, 0700), 0);
    snprintf(path, sizeof path, "%s/cars.csv", dir);
    assert_int_equal(wf_write_file_atomic(path, CARS_CSV, strlen(CARS_CSV), NULL), 0);
    char *text = pipeline_text(dir, false);

    int64_t first = run_text(&t, text);
    const char *nodes[] = {"read", "sql", "math", "save", "file"};
    for (size_t i = 0; i < 5; i++)
        assert_step_status(&t, first, nodes[i], "completed");
    size_t rows = 0;
    assert_int_equal(dataset_version(&t, "car-summary@latest", &rows), 1);
    assert_int_equal(rows, 3);
    /* The exported table: audi 15700, bmw 18700, vw 8000 (to hundreds). */
    tbl_table *saved = NULL;
    assert_int_equal(st_dataset_load(t.ws, "car-summary@1", &saved, NULL, NULL), 0);
    assert_string_equal(saved->cols[2].name, "mean_price");
    assert_true(saved->cols[2].v.f64[0] == 15700.0);
    assert_true(saved->cols[2].v.f64[1] == 18700.0);
    assert_true(saved->cols[2].v.f64[2] == 8000.0);
    tbl_free(saved);
    snprintf(path, sizeof path, "%s/summary.csv", dir);
    tbl_table *file = NULL;
    assert_int_equal(tbl_read_file(path, NULL, &file, NULL), 0);
    assert_int_equal(file->nrows, 3);
    tbl_free(file);

    /* Again, with the file gone: the import reads again, the pure steps
     * are reused, the exports write again. */
    assert_int_equal(unlink(path), 0);
    int64_t second = run_text(&t, text);
    assert_step_status(&t, second, "read", "completed");
    assert_step_status(&t, second, "sql", "reused");
    assert_step_status(&t, second, "math", "reused");
    assert_step_status(&t, second, "save", "completed");
    assert_step_status(&t, second, "file", "completed");
    assert_int_equal(dataset_version(&t, "car-summary@latest", &rows), 2);
    assert_int_equal(access(path, F_OK), 0);

    /* A changed source is seen at once. */
    snprintf(path, sizeof path, "%s/cars.csv", dir);
    const char *more = CARS_CSV "skoda,9000\n";
    assert_int_equal(wf_write_file_atomic(path, more, strlen(more), NULL), 0);
    int64_t third = run_text(&t, text);
    assert_step_status(&t, third, "sql", "completed");
    assert_int_equal(dataset_version(&t, "car-summary@latest", &rows), 3);
    assert_int_equal(rows, 4);
    free(text);

    /* With use_cached_results the import is reused once it has run. */
    text = pipeline_text(dir, true);
    int64_t fourth = run_text(&t, text);
    assert_step_status(&t, fourth, "read", "completed");
    int64_t fifth = run_text(&t, text);
    assert_step_status(&t, fifth, "read", "reused");
    assert_step_status(&t, fifth, "save", "completed");
    free(text);
    test_ws_close(&t);
}

/* The same pipeline through the `weft run` command. */
static void weft_run_imports_and_exports(void **state)
{
    (void)state;
    test_ws t;
    test_ws_open(&t);
    char dir[128], path[256], cmd[1024];
    snprintf(dir, sizeof dir, "%s/files", t.dir);
    assert_int_equal(mkdir(dir, 0700), 0);
    snprintf(path, sizeof path, "%s/cars.csv", dir);
    assert_int_equal(wf_write_file_atomic(path, CARS_CSV, strlen(CARS_CSV), NULL), 0);
    char *text = pipeline_text(dir, false);
    snprintf(path, sizeof path, "%s/pipeline.json", dir);
    assert_int_equal(wf_write_file_atomic(path, text, strlen(text), NULL), 0);
    free(text);
    /* The test's own handle stays open; SQLite's WAL lets both work. */
    snprintf(cmd, sizeof cmd, "%s --workspace '%s' run '%s' >'%s/run.log' 2>&1", WEFT_BINARY, t.dir,
             path, dir);
    int status = system(cmd);
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
        char log[256], *out = NULL;
        size_t size;
        snprintf(log, sizeof log, "%s/run.log", dir);
        wf_read_file(log, &out, &size, NULL);
        fail_msg("weft run failed: %s", out ? out : "");
    }
    size_t rows = 0;
    assert_int_equal(dataset_version(&t, "car-summary", &rows), 1);
    assert_int_equal(rows, 3);
    snprintf(path, sizeof path, "%s/summary.csv", dir);
    assert_int_equal(access(path, F_OK), 0);
    test_ws_close(&t);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(imports_rerun_and_exports_write_on_every_run),
        cmocka_unit_test(weft_run_imports_and_exports),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
