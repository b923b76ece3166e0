/* Tests of the weft command: each runs the real binary on a fresh workspace. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "util/util.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

typedef struct run_result {
    int status;
    char *out, *err;
} run_result;

static char workspace[128];
static char scratch[64];

/* Runs `weft --workspace <ws> ARGS`, capturing stdout and stderr. */
static run_result weft(const char *env, const char *args)
{
    char out_path[128], err_path[128], cmd[4096];
    snprintf(out_path, sizeof out_path, "%s/stdout", scratch);
    snprintf(err_path, sizeof err_path, "%s/stderr", scratch);
    snprintf(cmd, sizeof cmd, "%s %s --workspace %s %s >%s 2>%s", env, WEFT_BINARY, workspace, args,
             out_path, err_path);
    run_result r = {0};
    int raw = system(cmd);
    r.status = WIFEXITED(raw) ? WEXITSTATUS(raw) : -1;
    wf_read_file(out_path, &r.out, NULL, NULL);
    wf_read_file(err_path, &r.err, NULL, NULL);
    return r;
}

static void run_free(run_result *r)
{
    free(r->out);
    free(r->err);
}

static int setup(void **state)
{
    (void)state;
    strcpy(scratch, "/tmp/weft-cli-XXXXXX");
    if (mkdtemp(scratch) == NULL) return -1;
    snprintf(workspace, sizeof workspace, "%s/ws", scratch);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf %s", scratch);
    return system(cmd) == 0 ? 0 : -1;
}

#define NO_SAMPLES "WEFT_NO_SAMPLES=1"
#define DATA WEFT_TEST_DATA "/"

static void import_registers_versions_and_lists_them(void **state)
{
    (void)state;
    run_result r = weft(NO_SAMPLES, "import " DATA "cli_fruit.csv --name fruit");
    assert_int_equal(r.status, 0);
    assert_string_equal(r.out, "fruit@1: 3 rows, 4 columns\n");
    run_free(&r);
    r = weft(NO_SAMPLES, "import " DATA "cli_fruit.csv --name fruit --description 'Second'");
    assert_string_equal(r.out, "fruit@2: 3 rows, 4 columns\n");
    run_free(&r);
    r = weft(NO_SAMPLES, "datasets");
    assert_int_equal(r.status, 0);
    assert_non_null(strstr(r.out, "fruit"));
    assert_non_null(strstr(r.out, "Second"));
    run_free(&r);
    r = weft(NO_SAMPLES, "datasets --names");
    assert_string_equal(r.out, "fruit\n");
    run_free(&r);
}

static void head_prints_aligned_values_with_types(void **state)
{
    (void)state;
    run_result r = weft(NO_SAMPLES, "import " DATA "cli_fruit.csv --name fruit");
    run_free(&r);
    r = weft(NO_SAMPLES, "head fruit@1 -n 2");
    assert_int_equal(r.status, 0);
    assert_non_null(strstr(r.out, "pear, green"));
    assert_non_null(strstr(r.out, "<integer>"));
    assert_non_null(strstr(r.out, "<datetime>"));
    assert_null(strstr(r.out, "plum")); /* only two rows */
    assert_non_null(strstr(r.out, "1 more rows"));
    run_free(&r);
}

static void profile_json_describes_every_column(void **state)
{
    (void)state;
    run_result r = weft(NO_SAMPLES, "import " DATA "cli_fruit.csv --name fruit");
    run_free(&r);
    r = weft(NO_SAMPLES, "profile fruit --json");
    assert_int_equal(r.status, 0);
    json_error_t jerr;
    json_t *j = json_loads(r.out, 0, &jerr);
    assert_non_null(j);
    char *text = json_dumps(j, 0);
    assert_non_null(strstr(text, "\"price\""));
    assert_non_null(strstr(text, "\"when\""));
    free(text);
    json_decref(j);
    run_free(&r);
    r = weft(NO_SAMPLES, "profile fruit");
    assert_int_equal(r.status, 0);
    assert_non_null(strstr(r.out, "fruit@1: 3 rows, 4 columns"));
    run_free(&r);
}

static void export_csv_round_trips_the_file(void **state)
{
    (void)state;
    run_result r = weft(NO_SAMPLES, "import " DATA "cli_fruit.csv --name fruit");
    run_free(&r);
    r = weft(NO_SAMPLES, "export fruit --format csv");
    assert_int_equal(r.status, 0);
    char *original = NULL;
    assert_int_equal(wf_read_file(DATA "cli_fruit.csv", &original, NULL, NULL), 0);
    assert_string_equal(r.out, original);
    free(original);
    run_free(&r);
}

static void bad_input_fails_clearly_and_changes_nothing(void **state)
{
    (void)state;
    run_result r = weft(NO_SAMPLES, "import " DATA "cli_ragged.csv --name ragged");
    assert_int_equal(r.status, 1);
    assert_non_null(strstr(r.err, "cli_ragged.csv"));
    assert_non_null(strstr(r.err, "line 3"));
    assert_string_equal(r.out, "");
    run_free(&r);
    r = weft(NO_SAMPLES, "datasets --names");
    assert_string_equal(r.out, "");
    run_free(&r);
    r = weft(NO_SAMPLES, "import " DATA "cli_fruit.csv --name 'bad name!'");
    assert_int_equal(r.status, 1);
    assert_non_null(strstr(r.err, "bad name!"));
    run_free(&r);
    r = weft(NO_SAMPLES, "head nosuch");
    assert_int_equal(r.status, 1);
    assert_non_null(strstr(r.err, "nosuch"));
    run_free(&r);
    r = weft(NO_SAMPLES, "import " DATA "does-not-exist.csv --name x");
    assert_int_equal(r.status, 1);
    assert_non_null(strstr(r.err, "does-not-exist.csv"));
    run_free(&r);
}

static void usage_errors_exit_with_two(void **state)
{
    (void)state;
    run_result r = weft(NO_SAMPLES, "frobnicate");
    assert_int_equal(r.status, 2);
    assert_non_null(strstr(r.err, "unknown command"));
    run_free(&r);
    r = weft(NO_SAMPLES, "import " DATA "cli_fruit.csv");
    assert_int_equal(r.status, 2);
    assert_non_null(strstr(r.err, "--name"));
    run_free(&r);
    r = weft(NO_SAMPLES, "export fruit --format xml");
    assert_int_equal(r.status, 2);
    run_free(&r);
    r = weft(NO_SAMPLES, "head fruit -n lots");
    assert_int_equal(r.status, 2);
    assert_non_null(strstr(r.err, "-n takes a row count, not \"lots\""));
    run_free(&r);
}

static void new_workspace_registers_the_samples(void **state)
{
    (void)state;
    run_result r =
        weft("WEFT_SAMPLES_DIR=" WEFT_TEST_DATA "/../../.cache/samples", "datasets --names");
    assert_int_equal(r.status, 0);
    const char *expected[] = {"german-credit",
                              "cpu-performance",
                              "pima-diabetes",
                              "iris",
                              "soybean",
                              "unbalanced",
                              "ionosphere",
                              "vote",
                              "cars",
                              "flights-20k",
                              "airports",
                              "weather",
                              "seattle-weather",
                              "penguins"};
    for (size_t i = 0; i < sizeof expected / sizeof expected[0]; i++) {
        char line[64];
        snprintf(line, sizeof line, "%s\n", expected[i]);
        if (strstr(r.out, line) == NULL) fail_msg("sample %s is not registered", expected[i]);
    }
    run_free(&r);
    r = weft("", "head iris -n 3");
    assert_int_equal(r.status, 0);
    assert_non_null(strstr(r.out, "Iris-setosa"));
    run_free(&r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(import_registers_versions_and_lists_them, setup, teardown),
        cmocka_unit_test_setup_teardown(head_prints_aligned_values_with_types, setup, teardown),
        cmocka_unit_test_setup_teardown(profile_json_describes_every_column, setup, teardown),
        cmocka_unit_test_setup_teardown(export_csv_round_trips_the_file, setup, teardown),
        cmocka_unit_test_setup_teardown(bad_input_fails_clearly_and_changes_nothing, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(usage_errors_exit_with_two, setup, teardown),
        cmocka_unit_test_setup_teardown(new_workspace_registers_the_samples, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
