/*
 * test_cli_inference.c: `weft inference-pipeline` as the README's tour uses
 * it: the cars regression sample, trained with `weft run`, becomes a
 * pipeline file that `weft run` runs; bad arguments and impossible
 * conversions exit non-zero, saying why.
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
#include <sys/wait.h>

#define ROOT WEFT_TEST_DATA "/../.."

static char scratch[64];

/* Runs `weft --workspace <scratch>/ws ARGS` from the repository root; the
 * exit status, and stdout and stderr in *out (caller frees). */
static int weft(const char *args, char **out)
{
    char cmd[2048], path[128];
    snprintf(path, sizeof path, "%s/output", scratch);
    snprintf(cmd, sizeof cmd, "cd %s && %s --workspace %s/ws %s >%s 2>&1", ROOT, WEFT_BINARY,
             scratch, args, path);
    int raw = system(cmd);
    *out = NULL;
    wf_read_file(path, out, NULL, NULL);
    if (*out == NULL) *out = strdup("");
    return WIFEXITED(raw) ? WEXITSTATUS(raw) : -1;
}

static void assert_says(const char *out, const char *what)
{
    if (strstr(out, what) == NULL) fail_msg("\"%s\" is not in:\n%s", what, out);
}

static int setup(void **state)
{
    (void)state;
    strcpy(scratch, "/tmp/weft-cli-inference-XXXXXX");
    if (mkdtemp(scratch) == NULL) return -1;
    char *out;
    int status = weft("run examples/cars-regression.json", &out);
    if (status != 0) fprintf(stderr, "training failed:\n%s", out);
    free(out);
    return status == 0 ? 0 : -1;
}

static int teardown(void **state)
{
    (void)state;
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf %s", scratch);
    return system(cmd) == 0 ? 0 : -1;
}

static void the_inference_pipeline_of_a_run_runs(void **state)
{
    (void)state;
    char args[256], *out;
    snprintf(args, sizeof args, "inference-pipeline 1 -o %s/service.json", scratch);
    int status = weft(args, &out);
    if (status != 0) fail_msg("exit %d:\n%s", status, out);
    assert_says(out, "wrote the real-time inference pipeline of run 1 to ");
    free(out);
    char path[128];
    snprintf(path, sizeof path, "%s/service.json", scratch);
    json_t *doc = json_load_file(path, 0, NULL);
    assert_non_null(doc);
    assert_string_equal(json_string_value(json_object_get(doc, "format")), "weft.pipeline/1");
    json_decref(doc);
    snprintf(args, sizeof args, "run %s/service.json", scratch);
    status = weft(args, &out);
    if (status != 0) fail_msg("running it: exit %d:\n%s", status, out);
    assert_says(out, "web-service-output");
    assert_says(out, "run 2 completed");
    free(out);
    /* Batch, to standard output. */
    status = weft("inference-pipeline 1 --batch --node score", &out);
    if (status != 0) fail_msg("exit %d:\n%s", status, out);
    assert_says(out, "\"input_dataset\"");
    assert_says(out, "\"export-data@1\"");
    free(out);
}

static void bad_arguments_and_impossible_conversions_say_why(void **state)
{
    (void)state;
    static const struct {
        const char *args;
        int status;
        const char *says;
    } cases[] = {
        {"inference-pipeline", 2, "no run given"},
        {"inference-pipeline abc", 2, "\"abc\" is not a run id"},
        {"inference-pipeline 0", 2, "\"0\" is not a run id"},
        {"inference-pipeline 1 --node", 2, "--node needs a value"},
        {"inference-pipeline 1 --frob", 2, "unexpected argument \"--frob\""},
        {"inference-pipeline 99", 1, "weft: there is no run 99"},
        {"inference-pipeline 1 --node nope", 1, "run 1 has no node \"nope\""},
        {"inference-pipeline 1 --node evaluate", 1,
         "node \"evaluate\" is evaluate-model@1, not a Score Model"},
        {"inference-pipeline 1 --input train", 1, "node \"train\" does not start the scoring path"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char *out;
        int status = weft(cases[i].args, &out);
        if (status != cases[i].status)
            fail_msg("`weft %s`: exit %d, not %d:\n%s", cases[i].args, status, cases[i].status,
                     out);
        assert_says(out, cases[i].says);
        free(out);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(the_inference_pipeline_of_a_run_runs),
        cmocka_unit_test(bad_arguments_and_impossible_conversions_say_why),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
