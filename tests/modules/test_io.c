/*
 * test_io.c: import-data@1, export-data@1, convert-to-csv@1 and
 * add-columns@1. Imports read real files and real HTTP: a
 * `python3 -m http.server` on a free loopback port serves a temporary
 * directory, and a socket that listens but never answers stands for a
 * server that hangs. Exports are read back by import and by pandas.
 */
#include "module_test.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>

#define CARS                                                                                       \
    "make,price,doors,fuel,sold\n"                                                                 \
    "audi,13950,4,gas,2024-01-02\n"                                                                \
    "bmw,16430.5,2,gas,2024-02-03\n"                                                               \
    "vw,,2,diesel,\n"                                                                              \
    "audi,17450,4,gas,2024-03-04\n"                                                                \
    "\"mazda, rx\",8845.25,,diesel,2024-05-06\n"

/* The directory the tests write to and the HTTP server serves. */
static char data_dir[64];
static char tmp_dir[128]; /* TMPDIR for downloads */
static pid_t server_pid;
static int server_port;

static int free_port(void)
{
    int s = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t len = sizeof a;
    if (s < 0 || bind(s, (struct sockaddr *)&a, sizeof a) < 0 ||
        getsockname(s, (struct sockaddr *)&a, &len) < 0)
        return -1;
    close(s);
    return ntohs(a.sin_port);
}

static bool port_answers(int port)
{
    int s = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = {.sin_family = AF_INET,
                            .sin_addr.s_addr = htonl(INADDR_LOOPBACK),
                            .sin_port = htons((uint16_t)port)};
    bool ok = s >= 0 && connect(s, (struct sockaddr *)&a, sizeof a) == 0;
    if (s >= 0) close(s);
    return ok;
}

static int setup_server(void **state)
{
    (void)state;
    mt_mkdtemp(data_dir, sizeof data_dir);
    snprintf(tmp_dir, sizeof tmp_dir, "%s/tmp", data_dir);
    mkdir(tmp_dir, 0700);
    setenv("TMPDIR", tmp_dir, 1);
    server_port = free_port();
    if (server_port < 0) return -1;
    fflush(NULL);
    server_pid = fork();
    if (server_pid < 0) return -1;
    if (server_pid == 0) {
        int null = open("/dev/null", O_WRONLY);
        dup2(null, STDOUT_FILENO);
        dup2(null, STDERR_FILENO);
        char port[16];
        snprintf(port, sizeof port, "%d", server_port);
        execl("/usr/bin/python3", "python3", "-m", "http.server", port, "--bind", "127.0.0.1",
              "--directory", data_dir, (char *)NULL);
        _exit(127);
    }
    for (int i = 0; i < 200 && !port_answers(server_port); i++)
        usleep(50000);
    return port_answers(server_port) ? 0 : -1;
}

static int teardown_server(void **state)
{
    (void)state;
    if (server_pid > 0) {
        kill(server_pid, SIGTERM);
        waitpid(server_pid, NULL, 0);
    }
    mt_rmtree(data_dir);
    return 0;
}

/* ---- helpers ----------------------------------------------------------- */

static void write_data(const char *name, const char *text)
{
    char path[256];
    snprintf(path, sizeof path, "%s/%s", data_dir, name);
    mt_write_text(path, text);
}

/* Runs import-data with data_source_url = source and extra parameters
 * (JSON members, may be ""). */
static int import(mod_ctx *ctx, const char *source, const char *extra)
{
    json_t *params = json_loads(extra[0] ? extra : "{}", 0, NULL);
    assert_non_null(params);
    json_object_set_new(params, "data_source_url", json_string(source));
    char *text = json_dumps(params, 0);
    json_decref(params);
    int rc = mt_run(ctx, "import-data@1", text, NULL, false);
    free(text);
    return rc;
}

static void url_of(char *buf, size_t cap, const char *path)
{
    snprintf(buf, cap, "http://127.0.0.1:%d/%s", server_port, path);
}

/* Same names, and the same text in every cell (as the CSV writer prints). */
static void assert_same_cells(const tbl_table *a, const tbl_table *b)
{
    assert_int_equal(a->ncols, b->ncols);
    assert_int_equal(a->nrows, b->nrows);
    for (size_t j = 0; j < a->ncols; j++) {
        assert_string_equal(a->cols[j].name, b->cols[j].name);
        for (size_t r = 0; r < a->nrows; r++) {
            char x[256], y[256];
            tbl_format_cell(&a->cols[j], r, x, sizeof x);
            tbl_format_cell(&b->cols[j], r, y, sizeof y);
            if (strcmp(x, y) != 0)
                fail_msg("column \"%s\" row %zu: \"%s\" != \"%s\"", a->cols[j].name, r + 1, x, y);
        }
    }
}

static size_t files_in(const char *dir)
{
    char cmd[256];
    snprintf(cmd, sizeof cmd, "find '%s' -type f | wc -l", dir);
    char *out = mt_capture(cmd);
    size_t n = 0;
    assert_int_equal(sscanf(out, "%zu", &n), 1);
    free(out);
    return n;
}

/* pandas' row count and the sum of the price column of files (read with
 * readers[i]: "read_csv", "read_json"), in one Python run. */
static void pandas_summaries(const char *const *names, const char *const *readers, size_t n,
                             size_t *rows, double *sums)
{
    wf_buf script = {0};
    wf_buf_puts(&script, "import json, pandas as pd\nout = []\n");
    for (size_t i = 0; i < n; i++)
        wf_buf_printf(&script,
                      "d = pd.%s('%s/%s')\n"
                      "out.append({'rows': len(d), 'sum': float(d['price'].sum())})\n",
                      readers[i], data_dir, names[i]);
    wf_buf_puts(&script, "print(json.dumps(out))\n");
    json_t *v = mt_python_json(data_dir, script.data, NULL);
    wf_buf_free(&script);
    for (size_t i = 0; i < n; i++) {
        json_t *o = json_array_get(v, i);
        rows[i] = (size_t)json_integer_value(json_object_get(o, "rows"));
        sums[i] = json_number_value(json_object_get(o, "sum"));
    }
    json_decref(v);
}

static void pandas_summary(const char *name, const char *reader, size_t *rows, double *sum)
{
    pandas_summaries(&name, &reader, 1, rows, sum);
}

static double column_sum(const tbl_table *t, const char *name)
{
    int j = tbl_find_column(t, name);
    assert_true(j >= 0);
    double s = 0;
    for (size_t r = 0; r < t->nrows; r++)
        if (!tbl_is_missing(&t->cols[j], r))
            s += t->cols[j].type == TBL_INTEGER ? (double)t->cols[j].v.i64[r] : t->cols[j].v.f64[r];
    return s;
}

/* ---- import: files ----------------------------------------------------- */

static void import_reads_every_format_from_a_file(void **state)
{
    (void)state;
    tbl_table *cars = mt_csv(CARS);
    write_data("cars.csv", CARS);
    const char *names[] = {"cars.tsv", "cars.json", "cars.wtbl"};
    const tbl_format formats[] = {TBL_FORMAT_TSV, TBL_FORMAT_JSON, TBL_FORMAT_NATIVE};
    for (size_t i = 0; i < 3; i++) {
        char path[256];
        snprintf(path, sizeof path, "%s/%s", data_dir, names[i]);
        assert_int_equal(tbl_write_file(cars, path, formats[i], NULL), 0);
    }
    write_data("cars.arff", "@relation cars\n@attribute make {audi,bmw,vw}\n"
                            "@attribute price numeric\n@data\naudi,13950\nbmw,?\n");
    const char *all[] = {"cars.csv", "cars.tsv", "cars.json", "cars.wtbl"};
    for (size_t i = 0; i < 4; i++) {
        char path[256];
        snprintf(path, sizeof path, "%s/%s", data_dir, all[i]);
        mod_ctx ctx;
        if (import(&ctx, path, "") != 0) fail_msg("%s: %s", all[i], ctx.err.message);
        assert_same_cells(mt_table(&ctx, 0), cars);
        mod_ctx_clear(&ctx);
    }
    /* The same through file://, and checked against pandas. */
    char url[256];
    snprintf(url, sizeof url, "file://%s/cars.csv", data_dir);
    mod_ctx ctx;
    assert_int_equal(import(&ctx, url, ""), 0);
    size_t rows;
    double sum;
    pandas_summary("cars.csv", "read_csv", &rows, &sum);
    assert_int_equal(mt_table(&ctx, 0)->nrows, rows);
    assert_true(column_sum(mt_table(&ctx, 0), "price") == sum);
    mod_ctx_clear(&ctx);
    char path[256];
    snprintf(path, sizeof path, "%s/cars.arff", data_dir);
    assert_int_equal(import(&ctx, path, ""), 0);
    assert_int_equal(mt_table(&ctx, 0)->cols[0].type, TBL_CATEGORICAL);
    assert_true(tbl_is_missing(&mt_table(&ctx, 0)->cols[1], 1));
    mod_ctx_clear(&ctx);
    tbl_free(cars);
}

static void import_follows_the_format_and_header_it_is_given(void **state)
{
    (void)state;
    write_data("numbers.txt", "1\t2\n3\t4\n");
    char path[256];
    snprintf(path, sizeof path, "%s/numbers.txt", data_dir);
    mod_ctx ctx;
    /* guess: a first row of numbers is data. */
    assert_int_equal(import(&ctx, path, "{\"data_format\": \"tsv\"}"), 0);
    assert_int_equal(mt_table(&ctx, 0)->nrows, 2);
    assert_string_equal(mt_table(&ctx, 0)->cols[0].name, "Column 1");
    mod_ctx_clear(&ctx);
    assert_int_equal(import(&ctx, path, "{\"data_format\": \"tsv\", \"has_header\": \"yes\"}"), 0);
    assert_int_equal(mt_table(&ctx, 0)->nrows, 1);
    assert_string_equal(mt_table(&ctx, 0)->cols[1].name, "2");
    mod_ctx_clear(&ctx);
    write_data("words.csv", "a,b\nc,d\n");
    snprintf(path, sizeof path, "%s/words.csv", data_dir);
    assert_int_equal(import(&ctx, path, "{\"has_header\": \"no\"}"), 0);
    assert_int_equal(mt_table(&ctx, 0)->nrows, 2);
    mod_ctx_clear(&ctx);
}

static void import_names_a_missing_file_and_a_parse_error(void **state)
{
    (void)state;
    char path[256];
    snprintf(path, sizeof path, "%s/no-such.csv", data_dir);
    mod_ctx ctx;
    assert_int_equal(import(&ctx, path, ""), WF_EIO);
    mt_assert_contains(mt_field_error(&ctx, "data_source_url"), path);
    mt_assert_contains(ctx.err.message, "No such file");
    mod_ctx_clear(&ctx);

    write_data("broken.json", "[{\"a\": 1},\n {\"a\": }]\n");
    snprintf(path, sizeof path, "%s/broken.json", data_dir);
    assert_true(import(&ctx, path, "") < 0);
    mt_assert_contains(ctx.err.message, path);
    mt_assert_contains(ctx.err.message, "line 2");
    mod_ctx_clear(&ctx);

    write_data("ragged.csv", "a,b,c\n1,2,3\n4,5\n");
    snprintf(path, sizeof path, "%s/ragged.csv", data_dir);
    assert_true(import(&ctx, path, "") < 0);
    mt_assert_contains(ctx.err.message, "line 3");
    mod_ctx_clear(&ctx);
}

static void import_refuses_sources_it_cannot_read(void **state)
{
    (void)state;
    const char *bad[][2] = {{"ftp://example.org/cars.csv", "only http://, https://"},
                            {"file://cars.csv", "absolute path"},
                            {"  ", "give a URL or a file path"}};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        for (int schema_only = 0; schema_only < 2; schema_only++) {
            mod_ctx ctx;
            json_t *p = json_pack("{s:s}", "data_source_url", bad[i][0]);
            char *text = json_dumps(p, 0);
            assert_int_equal(mt_run(&ctx, "import-data@1", text, NULL, schema_only), WF_EINVAL);
            mt_assert_contains(mt_field_error(&ctx, "data_source_url"), bad[i][1]);
            mod_ctx_clear(&ctx);
            free(text);
            json_decref(p);
        }
    }
    /* Configure reads nothing: a file that does not exist yet is fine,
     * and the schema stays unknown. */
    mod_ctx ctx;
    assert_int_equal(mt_run(&ctx, "import-data@1",
                            "{\"data_source_url\": \"/nonexistent/later.csv\"}", NULL, true),
                     0);
    assert_null(ctx.outputs[0].table);
    mod_ctx_clear(&ctx);
}

static void import_is_reused_only_when_asked(void **state)
{
    (void)state;
    const mod_descriptor *m = mod_find("import-data@1");
    json_t *yes = json_pack("{s:b}", "use_cached_results", 1);
    json_t *no = json_pack("{s:b}", "use_cached_results", 0);
    json_t *none = json_object();
    assert_true(mod_cacheable(m, yes));
    assert_false(mod_cacheable(m, no));
    assert_false(mod_cacheable(m, none));
    assert_false(mod_cacheable(mod_find("export-data@1"), yes));
    assert_true(mod_cacheable(mod_find("add-columns@1"), none));
    json_decref(yes);
    json_decref(no);
    json_decref(none);
}

/* ---- import: HTTP ------------------------------------------------------ */

static void import_downloads_over_http(void **state)
{
    (void)state;
    tbl_table *cars = mt_csv(CARS);
    write_data("web.csv", CARS);
    char path[256];
    snprintf(path, sizeof path, "%s/web.wtbl", data_dir);
    assert_int_equal(tbl_write_file(cars, path, TBL_FORMAT_NATIVE, NULL), 0);
    snprintf(path, sizeof path, "%s/web.json", data_dir);
    assert_int_equal(tbl_write_file(cars, path, TBL_FORMAT_JSON, NULL), 0);
    /* The extension of the URL's path names the format, query or not. */
    const char *paths[] = {"web.csv?version=2", "web.wtbl", "web.json#top"};
    for (size_t i = 0; i < 3; i++) {
        char url[256];
        url_of(url, sizeof url, paths[i]);
        mod_ctx ctx;
        if (import(&ctx, url, "") != 0) fail_msg("%s: %s", url, ctx.err.message);
        if (i == 1)
            mt_assert_tables_equal(mt_table(&ctx, 0), cars);
        else
            assert_same_cells(mt_table(&ctx, 0), cars);
        mod_ctx_clear(&ctx);
    }
    /* pandas reads the same URL to the same figures. */
    char url[256], script[512];
    url_of(url, sizeof url, "web.csv");
    snprintf(script, sizeof script,
             "import json, pandas as pd\nd = pd.read_csv('%s')\n"
             "print(json.dumps({'rows': len(d), 'sum': float(d['price'].sum())}))\n",
             url);
    json_t *v = mt_python_json(data_dir, script, NULL);
    mod_ctx ctx;
    assert_int_equal(import(&ctx, url, ""), 0);
    assert_int_equal(mt_table(&ctx, 0)->nrows, json_integer_value(json_object_get(v, "rows")));
    assert_true(column_sum(mt_table(&ctx, 0), "price") ==
                json_number_value(json_object_get(v, "sum")));
    mod_ctx_clear(&ctx);
    json_decref(v);
    /* Nothing is left in TMPDIR. */
    assert_int_equal(files_in(tmp_dir), 0);
    tbl_free(cars);
}

static void import_reports_http_errors_by_url(void **state)
{
    (void)state;
    char url[256];
    url_of(url, sizeof url, "missing.csv");
    mod_ctx ctx;
    assert_int_equal(import(&ctx, url, ""), WF_ENOTFOUND);
    char want[400];
    snprintf(want, sizeof want, "%s: the server answered HTTP 404 (not found)", url);
    assert_string_equal(ctx.err.message, want);
    mod_ctx_clear(&ctx);

    /* A parse error names the URL and the line, not the temporary file. */
    write_data("bad.json", "[{\"a\": 1},\n {\"a\": ]\n");
    url_of(url, sizeof url, "bad.json");
    assert_true(import(&ctx, url, "") < 0);
    snprintf(want, sizeof want, "%s: line 2", url);
    mt_assert_contains(ctx.err.message, want);
    assert_null(strstr(ctx.err.message, tmp_dir));
    mod_ctx_clear(&ctx);
    assert_int_equal(files_in(tmp_dir), 0);
}

static void import_gives_up_on_hosts_that_do_not_answer(void **state)
{
    (void)state;
    /* Nothing listens: refused at once. */
    int port = free_port();
    char url[256];
    snprintf(url, sizeof url, "http://127.0.0.1:%d/cars.csv", port);
    mod_ctx ctx;
    assert_int_equal(import(&ctx, url, ""), WF_EIO);
    mt_assert_contains(ctx.err.message, url);
    mt_assert_contains(ctx.err.message, "cannot connect");
    mod_ctx_clear(&ctx);

    /* Something listens but never answers: the timeout ends it. */
    int s = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t len = sizeof a;
    assert_int_equal(bind(s, (struct sockaddr *)&a, sizeof a), 0);
    assert_int_equal(listen(s, 4), 0);
    assert_int_equal(getsockname(s, (struct sockaddr *)&a, &len), 0);
    snprintf(url, sizeof url, "http://127.0.0.1:%d/cars.csv", ntohs(a.sin_port));
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    assert_int_equal(import(&ctx, url, "{\"timeout_seconds\": 1}"), WF_EIO);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    mt_assert_contains(ctx.err.message, "no answer within 1 s");
    mt_assert_contains(ctx.err.message, url);
    assert_true(t1.tv_sec - t0.tv_sec < 6);
    mod_ctx_clear(&ctx);
    close(s);
    assert_int_equal(files_in(tmp_dir), 0);
}

/* ---- export ------------------------------------------------------------ */

static int export(mod_ctx *ctx, const tbl_table *t, const char *params)
{
    return mt_run(ctx, "export-data@1", params, t, false);
}

static void export_then_import_gives_the_table_back(void **state)
{
    (void)state;
    tbl_table *cars = mt_csv(CARS);
    cars->cols[1].role = TBL_ROLE_LABEL;
    const char *formats[] = {"csv", "tsv", "json", "native"};
    for (size_t i = 0; i < 4; i++) {
        char path[256], params[512];
        snprintf(path, sizeof path, "%s/out-%s.data", data_dir, formats[i]);
        snprintf(params, sizeof params, "{\"path\": \"%s\", \"file_format\": \"%s\"}", path,
                 formats[i]);
        mod_ctx ctx;
        if (export(&ctx, cars, params) != 0) fail_msg("%s: %s", formats[i], ctx.err.message);
        assert_int_equal(ctx.module->noutputs, 0);
        mod_ctx_clear(&ctx);
        snprintf(params, sizeof params, "{\"data_format\": \"%s\", \"has_header\": \"yes\"}",
                 formats[i]);
        assert_int_equal(import(&ctx, path, params), 0);
        if (i == 3)
            mt_assert_tables_equal(mt_table(&ctx, 0), cars); /* roles and all */
        else
            assert_same_cells(mt_table(&ctx, 0), cars);
        mod_ctx_clear(&ctx);
    }
    /* pandas reads the CSV and JSON files to the same figures. */
    const char *files[] = {"out-csv.data", "out-json.data"};
    const char *readers[] = {"read_csv", "read_json"};
    size_t rows[2];
    double sums[2];
    pandas_summaries(files, readers, 2, rows, sums);
    for (size_t i = 0; i < 2; i++) {
        assert_int_equal(rows[i], cars->nrows);
        assert_true(sums[i] == column_sum(cars, "price"));
    }
    tbl_free(cars);
}

static void export_names_a_path_it_cannot_write(void **state)
{
    (void)state;
    tbl_table *cars = mt_csv(CARS);
    char path[256], params[512];
    snprintf(path, sizeof path, "%s/no/such/dir/out.csv", data_dir);
    snprintf(params, sizeof params, "{\"path\": \"%s\"}", path);
    mod_ctx ctx;
    assert_true(export(&ctx, cars, params) < 0);
    mt_assert_contains(ctx.err.message, path);
    mod_ctx_clear(&ctx);
    /* No path at all. */
    assert_int_equal(export(&ctx, cars, "{}"), WF_EINVAL);
    assert_non_null(mt_field_error(&ctx, "path"));
    mod_ctx_clear(&ctx);
    tbl_free(cars);
}

typedef struct fake_store {
    char name[64], description[64], log[256];
    size_t rows;
    int next_version;
    int fail_with;
} fake_store;

/* The engine's hook, faked: it records what it was given. */
static int fake_save(void *user, const char *name, const tbl_table *t, const char *description,
                     int *version, wf_error *err)
{
    fake_store *s = user;
    if (s->fail_with != 0) return wf_error_set(err, s->fail_with, "\"%s\" is not a name", name);
    snprintf(s->name, sizeof s->name, "%s", name);
    snprintf(s->description, sizeof s->description, "%s", description ? description : "");
    s->rows = t->nrows;
    *version = s->next_version;
    return 0;
}

static void fake_log(void *user, const char *line)
{
    fake_store *s = user;
    snprintf(s->log, sizeof s->log, "%s", line);
}

/* Runs export-data on t with params and the fake store (NULL: no hook). */
static int export_to(mod_ctx *ctx, const tbl_table *t, json_t *params, fake_store *store)
{
    assert_int_equal(mod_ctx_init(ctx, mod_find("export-data@1"), params), 0);
    ctx->inputs[0].table = (tbl_table *)t;
    ctx->inputs[0].borrowed = true;
    if (store != NULL) {
        ctx->save_dataset = fake_save;
        ctx->on_log = fake_log;
        ctx->user = store;
    }
    return ctx->module->run(ctx);
}

static void export_registers_a_dataset_through_the_engines_hook(void **state)
{
    (void)state;
    tbl_table *cars = mt_csv(CARS);
    json_t *params = json_pack("{s:s, s:s, s:s}", "destination", "dataset", "dataset_name",
                               "cars-out", "description", "nightly");
    fake_store store = {.next_version = 3};
    mod_ctx ctx;
    assert_int_equal(export_to(&ctx, cars, params, &store), 0);
    assert_string_equal(store.name, "cars-out");
    assert_string_equal(store.description, "nightly");
    assert_int_equal(store.rows, 5);
    mt_assert_contains(store.log, "as dataset cars-out@3");
    mod_ctx_clear(&ctx);

    /* A name the store refuses is the field's fault. */
    store.fail_with = WF_EINVAL;
    assert_int_equal(export_to(&ctx, cars, params, &store), WF_EINVAL);
    mt_assert_contains(mt_field_error(&ctx, "dataset_name"), "is not a name");
    mod_ctx_clear(&ctx);
    /* A failing store is the node's. */
    store.fail_with = WF_ESTORE;
    assert_int_equal(export_to(&ctx, cars, params, &store), WF_ESTORE);
    assert_null(mt_field_error(&ctx, "dataset_name"));
    mod_ctx_clear(&ctx);

    /* Without the hook (outside a pipeline) it says so. */
    assert_int_equal(export_to(&ctx, cars, params, NULL), WF_EINVAL);
    mt_assert_contains(ctx.err.message, "no dataset store");
    mod_ctx_clear(&ctx);
    json_decref(params);

    /* '@' is caught before anything runs. */
    assert_int_equal(mt_run(&ctx, "export-data@1",
                            "{\"destination\": \"dataset\", \"dataset_name\": \"cars@2\"}", NULL,
                            true),
                     WF_EINVAL);
    assert_non_null(mt_field_error(&ctx, "dataset_name"));
    mod_ctx_clear(&ctx);
    tbl_free(cars);
}

/* ---- convert-to-csv and add-columns ------------------------------------ */

static void convert_to_csv_passes_the_table_to_download(void **state)
{
    (void)state;
    tbl_table *cars = mt_csv(CARS);
    mod_ctx ctx;
    assert_int_equal(mt_run(&ctx, "convert-to-csv@1", "{}", cars, false), 0);
    mt_assert_tables_equal(mt_table(&ctx, 0), cars);
    /* Its download is the CSV that pandas reads back to the same figures. */
    wf_buf csv = {0};
    assert_int_equal(tbl_write_csv(mt_table(&ctx, 0), ',', &csv, NULL), 0);
    write_data("converted.csv", csv.data);
    wf_buf_free(&csv);
    size_t rows;
    double sum;
    pandas_summary("converted.csv", "read_csv", &rows, &sum);
    assert_int_equal(rows, cars->nrows);
    assert_true(sum == column_sum(cars, "price"));
    mod_ctx_clear(&ctx);
    assert_int_equal(mt_run(&ctx, "convert-to-csv@1", "{}", NULL, true), 0);
    assert_null(ctx.outputs[0].table);
    mod_ctx_clear(&ctx);
    tbl_free(cars);
}

static void add_columns_puts_tables_side_by_side(void **state)
{
    (void)state;
    tbl_table *left = mt_csv("id,price\n1,10\n2,20\n3,\n");
    tbl_table *right = mt_csv("price,price (2),Scored Labels\n11,a,12.5\n,b,19\n31,c,29.5\n");
    left->cols[1].role = TBL_ROLE_LABEL;
    right->cols[2].role = TBL_ROLE_SCORE;
    mod_value in[] = {{.table = left}, {.table = right}};
    mod_ctx ctx;
    assert_int_equal(mt_run_inputs(&ctx, "add-columns@1", "{}", in, 2, false), 0);
    const tbl_table *out = mt_table(&ctx, 0);
    /* Taken names get " (2)" (then " (3)"...), checked against the names
     * already in the result. */
    const char *names[] = {"id", "price", "price (2)", "price (2) (2)", "Scored Labels"};
    assert_int_equal(out->ncols, 5);
    for (size_t j = 0; j < 5; j++)
        assert_string_equal(out->cols[j].name, names[j]);
    /* Values, types, missing marks and roles come across unchanged. */
    assert_int_equal(out->cols[2].v.i64[2], 31);
    assert_true(tbl_is_missing(&out->cols[2], 1));
    assert_true(tbl_is_missing(&out->cols[1], 2));
    assert_int_equal(out->cols[1].role, TBL_ROLE_LABEL);
    assert_int_equal(out->cols[4].role, TBL_ROLE_SCORE);
    assert_true(out->cols[4].v.f64[0] == 12.5);
    mod_ctx_clear(&ctx);

    /* Configure combines the schemas the same way. */
    tbl_table *ls = NULL, *rs = NULL;
    assert_int_equal(tbl_take(left, NULL, 0, &ls, NULL), 0);
    assert_int_equal(tbl_take(right, NULL, 0, &rs, NULL), 0);
    mod_value schemas[] = {{.table = ls}, {.table = rs}};
    assert_int_equal(mt_run_inputs(&ctx, "add-columns@1", "{}", schemas, 2, true), 0);
    assert_string_equal(mt_table(&ctx, 0)->cols[3].name, "price (2) (2)");
    mod_ctx_clear(&ctx);
    assert_int_equal(mt_run(&ctx, "add-columns@1", "{}", ls, true), 0);
    assert_null(ctx.outputs[0].table);
    mod_ctx_clear(&ctx);
    tbl_free(ls);
    tbl_free(rs);
    tbl_free(left);
    tbl_free(right);
}

static void add_columns_refuses_different_row_counts(void **state)
{
    (void)state;
    tbl_table *left = mt_csv("a\n1\n2\n3\n");
    tbl_table *right = mt_csv("b\n1\n2\n");
    tbl_table *empty = tbl_new();
    mod_value in[] = {{.table = left}, {.table = right}};
    mod_ctx ctx;
    assert_int_equal(mt_run_inputs(&ctx, "add-columns@1", "{}", in, 2, false), WF_EINVAL);
    assert_string_equal(ctx.err.message, "the tables must have the same number of rows: "
                                         "left_dataset has 3, right_dataset has 2");
    mod_ctx_clear(&ctx);
    /* Even a table without columns has its row count (0) checked. */
    mod_value with_empty[] = {{.table = left}, {.table = empty}};
    assert_int_equal(mt_run_inputs(&ctx, "add-columns@1", "{}", with_empty, 2, false), WF_EINVAL);
    mod_ctx_clear(&ctx);
    assert_int_equal(mt_run(&ctx, "add-columns@1", "{}", left, false), WF_EINVAL);
    mt_assert_contains(ctx.err.message, "\"right_dataset\" is missing");
    mod_ctx_clear(&ctx);
    tbl_free(empty);
    tbl_free(left);
    tbl_free(right);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(import_reads_every_format_from_a_file),
        cmocka_unit_test(import_follows_the_format_and_header_it_is_given),
        cmocka_unit_test(import_names_a_missing_file_and_a_parse_error),
        cmocka_unit_test(import_refuses_sources_it_cannot_read),
        cmocka_unit_test(import_is_reused_only_when_asked),
        cmocka_unit_test(import_downloads_over_http),
        cmocka_unit_test(import_reports_http_errors_by_url),
        cmocka_unit_test(import_gives_up_on_hosts_that_do_not_answer),
        cmocka_unit_test(export_then_import_gives_the_table_back),
        cmocka_unit_test(export_names_a_path_it_cannot_write),
        cmocka_unit_test(export_registers_a_dataset_through_the_engines_hook),
        cmocka_unit_test(convert_to_csv_passes_the_table_to_download),
        cmocka_unit_test(add_columns_puts_tables_side_by_side),
        cmocka_unit_test(add_columns_refuses_different_row_counts),
    };
    return cmocka_run_group_tests(tests, setup_server, teardown_server);
}
