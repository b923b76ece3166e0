/* Tests of `weft compute` and `weft run --compute` (#12): the real binary on
 * a fresh workspace, its output read back as JSON by jansson and by
 * python3's sqlite3 (an independent reader of the workspace). */
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

typedef struct cmd_result {
    int status;
    char *out, *err;
} cmd_result;

static char dir[64];

/* `weft --workspace <dir>/ws ARGS` with stdout and stderr captured. */
static cmd_result weft_cmd(const char *args)
{
    char cmd[4096];
    snprintf(cmd, sizeof cmd, "WEFT_NO_SAMPLES=1 %s --workspace %s/ws %s >%s/out 2>%s/err",
             WEFT_BINARY, dir, args, dir, dir);
    cmd_result r = {0};
    int raw = system(cmd);
    r.status = WIFEXITED(raw) ? WEXITSTATUS(raw) : -1;
    char path[128];
    snprintf(path, sizeof path, "%s/out", dir);
    wf_read_file(path, &r.out, NULL, NULL);
    snprintf(path, sizeof path, "%s/err", dir);
    wf_read_file(path, &r.err, NULL, NULL);
    return r;
}

static void cmd_free(cmd_result *r)
{
    free(r->out);
    free(r->err);
}

static int setup(void **state)
{
    (void)state;
    strcpy(dir, "/tmp/weft-cli-compute-XXXXXX");
    return mkdtemp(dir) ? 0 : -1;
}

static int teardown(void **state)
{
    (void)state;
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    return system(cmd) == 0 ? 0 : -1;
}

/* Expects status `status` and `needle` in stdout (or stderr when status != 0). */
static void expect(const char *args, int status, const char *needle)
{
    cmd_result r = weft_cmd(args);
    const char *text = status == 0 ? r.out : r.err;
    if (r.status != status || text == NULL || strstr(text, needle) == NULL)
        fail_msg("weft %s: status %d (wanted %d)\nstdout: %s\nstderr: %s\nwanted: %s", args,
                 r.status, status, r.out ? r.out : "", r.err ? r.err : "", needle);
    cmd_free(&r);
}

static void add_show_list_and_remove_a_target(void **state)
{
    (void)state;
    expect("compute add hpc --partition debug --cpus 4 --memory-mb 2048 --time-limit 1:00:00 "
           "--sbatch-arg --qos=low --sbatch-arg --exclusive --shared-workspace /shared/ws "
           "--retries 2",
           0, "compute target hpc (slurm) added");
    cmd_result r = weft_cmd("compute show hpc --json");
    assert_int_equal(r.status, 0);
    json_t *t = json_loads(r.out, 0, NULL);
    assert_non_null(t);
    json_t *want = json_loads("{\"partition\": \"debug\", \"cpus\": 4, \"memory_mb\": 2048,"
                              " \"time_limit\": \"1:00:00\", \"sbatch_args\": [\"--qos=low\","
                              " \"--exclusive\"], \"workspace\": \"/shared/ws\", \"retries\": 2}",
                              0, NULL);
    assert_true(json_equal(json_object_get(t, "config"), want));
    assert_string_equal(json_string_value(json_object_get(t, "kind")), "slurm");
    json_decref(want);
    json_decref(t);
    cmd_free(&r);

    /* --config is the base and the flags override it. */
    expect("compute add gpu --config '{\"partition\": \"gpu\", \"cpus\": 8}' --cpus 2", 0, "added");
    r = weft_cmd("compute list --json");
    assert_int_equal(r.status, 0);
    json_t *list = json_object_get(t = json_loads(r.out, 0, NULL), "targets");
    assert_int_equal(json_array_size(list), 3);
    assert_string_equal(json_string_value(json_object_get(json_array_get(list, 0), "name")),
                        "local");
    json_t *gpu = json_object_get(json_array_get(list, 1), "config");
    assert_int_equal(json_integer_value(json_object_get(gpu, "cpus")), 2);
    assert_string_equal(json_string_value(json_object_get(gpu, "partition")), "gpu");
    json_decref(t);
    cmd_free(&r);
    expect("compute list", 0, "(built in: this machine)");

    expect("compute add hpc --partition long", 1, "already a compute target \"hpc\"");
    expect("compute add hpc --partition long --replace", 0, "compute target hpc (slurm) saved");
    expect("compute show hpc", 0, "partition: \"long\"");
    expect("compute remove hpc", 0, "compute target hpc removed");
    expect("compute show hpc", 1, "no compute target \"hpc\"");
    expect("compute remove hpc", 1, "no compute target \"hpc\"");

    /* What the workspace holds, read by another program. */
    char cmd[512];
    snprintf(cmd, sizeof cmd,
             "/usr/bin/python3 -c \"import sqlite3; c=sqlite3.connect('%s/ws/weft.db'); "
             "print(','.join(r[0] for r in c.execute('SELECT name FROM compute_targets "
             "ORDER BY name')))\"",
             dir);
    FILE *p = popen(cmd, "r");
    char names[128] = "";
    assert_non_null(fgets(names, sizeof names, p));
    pclose(p);
    assert_string_equal(names, "gpu\n");
}

static void bad_targets_and_usage_say_what_is_wrong(void **state)
{
    (void)state;
    expect("compute add local", 1, "\"local\" is the built-in compute target");
    expect("compute add x --cpus four", 2, "--cpus takes an integer, not \"four\"");
    expect("compute add x --kind cloud", 1, "not \"cloud\"");
    expect("compute add x --kind local --partition p", 1, "a local target takes");
    expect("compute add x --shared-workspace rel/ws", 1, "\"workspace\" must be an absolute path");
    expect("compute add x --config '[1]'", 2, "--config takes a JSON object");
    expect("compute add x --config '{bad'", 2, "--config takes a JSON object");
    expect("compute add 'a b'", 1, "character 2");
    expect("compute add", 2, "give the target a name");
    expect("compute", 2, "give a subcommand");
    expect("compute frobnicate", 2, "unknown subcommand \"frobnicate\"");
    expect("compute show", 2, "show takes one target's name");
    expect("compute remove local", 1, "\"local\" is built in");
    expect("compute list --json", 0, "\"targets\"");
    expect("compute list x", 2, "list takes no arguments");
}

static void run_on_a_missing_target_fails_before_the_run(void **state)
{
    (void)state;
    char file[128], cmd[256];
    snprintf(file, sizeof file, "%s/p.json", dir);
    FILE *f = fopen(file, "w");
    assert_non_null(f);
    fputs("{\"format\": \"weft.pipeline/1\", \"nodes\": [{\"id\": \"rows\", \"module\": "
          "\"enter-data@1\", \"params\": {\"data\": \"a\\n1\\n\"}}], \"edges\": []}",
          f);
    fclose(f);
    snprintf(cmd, sizeof cmd, "run %s --compute nowhere", file);
    expect(cmd, 1, "there is no compute target \"nowhere\"");
    expect("runs", 0, "");
    cmd_result r = weft_cmd("runs");
    assert_null(strstr(r.out ? r.out : "", "nowhere"));
    cmd_free(&r);
    expect("compute add here --kind local", 0, "added");
    snprintf(cmd, sizeof cmd, "run %s --compute here", file);
    expect(cmd, 0, "completed");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(add_show_list_and_remove_a_target, setup, teardown),
        cmocka_unit_test_setup_teardown(bad_targets_and_usage_say_what_is_wrong, setup, teardown),
        cmocka_unit_test_setup_teardown(run_on_a_missing_target_fails_before_the_run, setup,
                                        teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
