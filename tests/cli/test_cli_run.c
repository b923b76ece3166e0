/*
 * test_cli_run.c: the pipeline and run commands of `weft`: validate, run,
 * runs, run-show, output, cancel, modules and step, each by running the
 * real binary on a fresh workspace.
 */
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
#include <fcntl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

typedef struct run_result {
    int status;
    char *out, *err;
} run_result;

static char scratch[64];
static char workspace[96];

/* Runs `weft --workspace <ws> ARGS` without samples, capturing stdout and
 * stderr. */
static run_result weft(const char *args)
{
    char out_path[128], err_path[128], cmd[4096];
    snprintf(out_path, sizeof out_path, "%s/stdout", scratch);
    snprintf(err_path, sizeof err_path, "%s/stderr", scratch);
    snprintf(cmd, sizeof cmd, "cd %s && WEFT_NO_SAMPLES=1 %s --workspace %s %s >%s 2>%s", scratch,
             WEFT_BINARY, workspace, args, out_path, err_path);
    run_result r = {0};
    int raw = system(cmd);
    r.status = WIFEXITED(raw) ? WEXITSTATUS(raw) : -1;
    wf_read_file(out_path, &r.out, NULL, NULL);
    wf_read_file(err_path, &r.err, NULL, NULL);
    if (r.out == NULL) r.out = strdup("");
    if (r.err == NULL) r.err = strdup("");
    return r;
}

static void run_free(run_result *r)
{
    free(r->out);
    free(r->err);
}

static void write_file(const char *name, const char *text)
{
    char path[160];
    snprintf(path, sizeof path, "%s/%s", scratch, name);
    assert_int_equal(wf_write_file_atomic(path, text, strlen(text), NULL), 0);
}

/* The fault modules exist only with -DWEFT_TEST_MODULES=ON; elsewhere the
 * tests that need them are skipped. */
static void needs_fault_modules(void)
{
#ifndef WEFT_TEST_MODULES
    skip();
#endif
}

static int setup(void **state)
{
    (void)state;
    strcpy(scratch, "/tmp/weft-cli-run-XXXXXX");
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

#define FRUIT                                                                                      \
    "{\"format\": \"weft.pipeline/1\", \"name\": \"fruit\","                                       \
    " \"parameters\": {\"fraction\": {\"type\": \"number\", \"default\": 0.5}},"                   \
    " \"nodes\": ["                                                                                \
    "  {\"id\": \"rows\", \"module\": \"enter-data@1\", \"params\": {\"data\":"                    \
    "   \"name,price\\napple,1.5\\npear,2\\nplum,0.5\\nfig,3\\n\"}},"                              \
    "  {\"id\": \"split\", \"module\": \"split-data@1\","                                          \
    "   \"params\": {\"fraction\": {\"$param\": \"fraction\"}, \"seed\": 3}}],"                    \
    " \"edges\": [{\"from\": \"rows.dataset\", \"to\": \"split.dataset\"}]}"

static void validate_prints_each_issue_as_node_field_message(void **state)
{
    (void)state;
    write_file("good.json", FRUIT);
    write_file("bad.json", "{\"format\": \"weft.pipeline/1\", \"name\": \"bad\", \"nodes\": ["
                           " {\"id\": \"s\", \"module\": \"split-data@1\","
                           "  \"params\": {\"fraction\": 7}}], \"edges\": []}");
    run_result r = weft("validate good.json");
    assert_int_equal(r.status, 0);
    assert_non_null(strstr(r.out, "valid (2 nodes, 1 edges)"));
    run_free(&r);
    r = weft("validate bad.json");
    assert_int_equal(r.status, 1);
    assert_non_null(strstr(r.out, "s.fraction: "));
    assert_non_null(strstr(r.out, "s.dataset: ")); /* the unconnected input too */
    run_free(&r);
    r = weft("validate good.json --param fraction=3");
    assert_int_equal(r.status, 1);
    assert_non_null(strstr(r.out, "split.fraction: "));
    run_free(&r);
    r = weft("validate missing.json");
    assert_int_equal(r.status, 1);
    assert_non_null(strstr(r.err, "missing.json"));
    run_free(&r);
    r = weft("validate");
    assert_int_equal(r.status, 2);
    run_free(&r);
}

static void run_shows_steps_then_a_summary_and_reuses_next_time(void **state)
{
    (void)state;
    write_file("fruit.json", FRUIT);
    run_result r = weft("run fruit.json --experiment demo");
    if (r.status != 0) fail_msg("weft run: %s%s", r.out, r.err);
    assert_non_null(strstr(r.out, "run 1 started"));
    assert_non_null(strstr(r.out, "rows"));
    assert_non_null(strstr(r.out, "running"));
    assert_non_null(strstr(r.out, "NODE"));
    assert_non_null(strstr(r.out, "OUTPUTS"));
    assert_non_null(strstr(r.out, "first="));
    assert_non_null(strstr(r.out, "run 1 completed"));
    assert_null(strstr(r.out, "\033[")); /* no progress bars when not on a terminal */
    run_free(&r);

    r = weft("run fruit.json --experiment demo");
    assert_int_equal(r.status, 0);
    assert_non_null(strstr(r.out, "reused"));
    assert_non_null(strstr(r.out, "yes (run 1)"));
    run_free(&r);

    r = weft("runs --experiment demo");
    assert_int_equal(r.status, 0);
    assert_non_null(strstr(r.out, "RUN"));
    assert_non_null(strstr(r.out, "completed"));
    assert_non_null(strstr(r.out, "fruit"));
    run_free(&r);
    r = weft("runs --experiment nobody");
    assert_int_equal(r.status, 0);
    assert_null(strstr(r.out, "fruit"));
    run_free(&r);

    r = weft("run-show 2");
    assert_int_equal(r.status, 0);
    assert_non_null(strstr(r.out, "run 2: completed"));
    assert_non_null(strstr(r.out, "experiment: demo"));
    assert_non_null(strstr(r.out, "split-data@1"));
    run_free(&r);
    r = weft("run-show 1 --json");
    assert_int_equal(r.status, 0);
    json_t *j = json_loads(r.out, 0, NULL);
    assert_non_null(j);
    assert_string_equal(json_string_value(json_object_get(j, "status")), "completed");
    assert_int_equal(json_array_size(json_object_get(j, "steps")), 2);
    assert_non_null(json_object_get(json_object_get(j, "snapshot"), "pipeline"));
    json_decref(j);
    run_free(&r);
    r = weft("run-show 99");
    assert_int_equal(r.status, 1);
    assert_non_null(strstr(r.err, "no run 99"));
    run_free(&r);

    r = weft("output 1 rows.dataset -n 2");
    assert_int_equal(r.status, 0);
    assert_non_null(strstr(r.out, "name"));
    assert_non_null(strstr(r.out, "apple"));
    assert_non_null(strstr(r.out, "2 more rows"));
    run_free(&r);
    r = weft("output 1 split.nope");
    assert_int_equal(r.status, 1);
    assert_non_null(strstr(r.err, "no output port"));
    run_free(&r);
    r = weft("output 1 splitfirst");
    assert_int_equal(r.status, 2);
    run_free(&r);
}

static void a_failing_run_exits_1_and_says_why(void **state)
{
    (void)state;
    needs_fault_modules();
    write_file("crash.json",
               "{\"format\": \"weft.pipeline/1\", \"name\": \"c\", \"nodes\": ["
               " {\"id\": \"boom\", \"module\": \"test-crash@1\"},"
               " {\"id\": \"fine\", \"module\": \"test-sleep@1\", \"params\": {\"seconds\": 0}}],"
               " \"edges\": []}");
    run_result r = weft("run crash.json --jobs 1");
    assert_int_equal(r.status, 1);
    assert_non_null(strstr(r.out, "killed by signal 11 (SIGSEGV)"));
    assert_non_null(strstr(r.out, "log: logs/"));
    assert_non_null(strstr(r.err, "failed"));
    run_free(&r);
    r = weft("run crash.json --jobs 0");
    assert_int_equal(r.status, 2);
    run_free(&r);
    r = weft("run crash.json --param nonsense");
    assert_int_equal(r.status, 2);
    run_free(&r);
}

static void cancel_refuses_runs_that_ended_or_do_not_exist(void **state)
{
    (void)state;
    needs_fault_modules();
    write_file("one.json", "{\"format\": \"weft.pipeline/1\", \"name\": \"one\", \"nodes\": ["
                           " {\"id\": \"z\", \"module\": \"test-sleep@1\","
                           "  \"params\": {\"seconds\": 0}}], \"edges\": []}");
    run_result r = weft("run one.json");
    assert_int_equal(r.status, 0);
    run_free(&r);
    r = weft("runs -n 1");
    assert_non_null(strstr(r.out, "completed"));
    run_free(&r);
    r = weft("cancel 1");
    assert_int_equal(r.status, 1);
    assert_non_null(strstr(r.err, "already ended"));
    run_free(&r);
    r = weft("cancel 4242");
    assert_int_equal(r.status, 1);
    run_free(&r);
    r = weft("cancel abc");
    assert_int_equal(r.status, 2);
    run_free(&r);
}

static void cancel_stops_a_run_that_another_weft_is_running(void **state)
{
    (void)state;
    needs_fault_modules();
    write_file("nap.json", "{\"format\": \"weft.pipeline/1\", \"name\": \"nap\", \"nodes\": ["
                           " {\"id\": \"nap\", \"module\": \"test-sleep@1\","
                           "  \"params\": {\"seconds\": 30}},"
                           " {\"id\": \"more\", \"module\": \"test-sleep@1\","
                           "  \"params\": {\"seconds\": 0}}],"
                           " \"edges\": [{\"from\": \"nap.dataset\", \"to\": \"more.dataset\"}]}");
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        char out[160];
        snprintf(out, sizeof out, "%s/run.out", scratch);
        int fd = open(out, O_WRONLY | O_CREAT | O_TRUNC, 0644);
        dup2(fd, 1);
        dup2(fd, 2);
        if (chdir(scratch) != 0) _exit(126);
        setenv("WEFT_NO_SAMPLES", "1", 1);
        execl(WEFT_BINARY, "weft", "--workspace", workspace, "run", "nap.json", (char *)NULL);
        _exit(127);
    }
    bool running = false;
    for (int i = 0; i < 200 && !running; i++) {
        run_result r = weft("run-show 1 --json");
        json_t *j = r.status == 0 ? json_loads(r.out, 0, NULL) : NULL;
        json_t *nap = json_array_get(json_object_get(j, "steps"), 0);
        running = json_is_string(json_object_get(nap, "status")) &&
                  strcmp(json_string_value(json_object_get(nap, "status")), "running") == 0;
        json_decref(j);
        run_free(&r);
        if (!running) usleep(50 * 1000);
    }
    run_result r = weft("cancel 1");
    int status = 0;
    waitpid(pid, &status, 0);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    assert_true(running);
    assert_int_equal(r.status, 0);
    assert_string_equal(r.out, "run 1: cancel requested\n");
    run_free(&r);
    assert_true(WIFEXITED(status));
    assert_int_equal(WEXITSTATUS(status), 1);
    assert_true(t1.tv_sec - t0.tv_sec < 15);
    r = weft("run-show 1");
    assert_non_null(strstr(r.out, "run 1: canceled"));
    assert_non_null(strstr(r.out, "more: canceled"));
    run_free(&r);
}

static void modules_lists_the_catalogue(void **state)
{
    (void)state;
    run_result r = weft("modules");
    assert_int_equal(r.status, 0);
    assert_non_null(strstr(r.out, "split-data@1"));
    assert_non_null(strstr(r.out, "first:table"));
#ifdef WEFT_TEST_MODULES
    assert_non_null(strstr(r.out, "test-sleep@1"));
#endif
    run_free(&r);
    r = weft("modules --json");
    assert_int_equal(r.status, 0);
    json_t *j = json_loads(r.out, 0, NULL);
    assert_non_null(j);
    assert_true(json_array_size(json_object_get(j, "modules")) >= 6);
    json_decref(j);
    run_free(&r);
}

static void step_refuses_a_bad_description(void **state)
{
    (void)state;
    write_file("desc.json", "{\"module\": \"no-such@1\"}");
    run_result r = weft("step desc.json");
    assert_int_equal(r.status, 1);
    assert_non_null(strstr(r.out, "\"error\""));
    run_free(&r);
    write_file("desc.json", "not json");
    r = weft("step desc.json");
    assert_int_equal(r.status, 1);
    assert_non_null(strstr(r.err, "cannot read the step description"));
    run_free(&r);
    r = weft("step --report-fd x");
    assert_int_equal(r.status, 2);
    run_free(&r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(validate_prints_each_issue_as_node_field_message, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(run_shows_steps_then_a_summary_and_reuses_next_time, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(a_failing_run_exits_1_and_says_why, setup, teardown),
        cmocka_unit_test_setup_teardown(cancel_refuses_runs_that_ended_or_do_not_exist, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(cancel_stops_a_run_that_another_weft_is_running, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(modules_lists_the_catalogue, setup, teardown),
        cmocka_unit_test_setup_teardown(step_refuses_a_bad_description, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
