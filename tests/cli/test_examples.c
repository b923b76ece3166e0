/*
 * test_examples.c: the pipelines in examples/ run from `weft run`, as the
 * README and docs/api.md tell a newcomer to run them: from the repository
 * root, on a new workspace with the sample datasets. Each must finish, and
 * its result must be right by a check made here.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "util/util.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#define ROOT WEFT_TEST_DATA "/../.."

static char scratch[64];

/* Runs `weft --workspace <scratch>/ws ARGS` from the repository root; the
 * exit status, and stdout in *out (caller frees). */
static int weft(const char *args, char **out)
{
    char cmd[2048], path[128];
    snprintf(path, sizeof path, "%s/stdout", scratch);
    snprintf(cmd, sizeof cmd, "cd %s && %s --workspace %s/ws %s >%s 2>&1", ROOT, WEFT_BINARY,
             scratch, args, path);
    int raw = system(cmd);
    *out = NULL;
    wf_read_file(path, out, NULL, NULL);
    if (*out == NULL) *out = strdup("");
    return WIFEXITED(raw) ? WEXITSTATUS(raw) : -1;
}

static int setup(void **state)
{
    (void)state;
    strcpy(scratch, "/tmp/weft-examples-XXXXXX");
    return mkdtemp(scratch) == NULL ? -1 : 0;
}

static int teardown(void **state)
{
    (void)state;
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf %s", scratch);
    return system(cmd) == 0 ? 0 : -1;
}

/* The basic regression sample ends with its metrics, and R² is a sensible
 * fraction (the peer suite holds the learner to scikit-learn's). */
static void cars_regression_prints_its_evaluation(void **state)
{
    (void)state;
    char *out;
    int status = weft("run examples/cars-regression.json", &out);
    if (status != 0) fail_msg("weft run failed (%d):\n%s", status, out);
    const char *r2 = strstr(out, "Coefficient of Determination");
    if (r2 == NULL) fail_msg("no evaluation in:\n%s", out);
    double v = strtod(r2 + strlen("Coefficient of Determination"), NULL);
    assert_true(v > 0.6 && v < 1);
    assert_non_null(strstr(out, "Root Mean Squared Error"));
    free(out);
}

/* Import, clean, normalise, join, SQL, Python and export: the dataset it
 * registers has one row per continent, and the shares Python added sum to
 * 1 with the counts SQL made adding up to the cars that have no missing
 * value (392 of 406). */
static void data_prep_registers_its_summary(void **state)
{
    (void)state;
    char *out;
    int status = weft("run examples/data-prep.json", &out);
    if (status != 0) fail_msg("weft run failed (%d):\n%s", status, out);
    free(out);
    status = weft("export car-summary --format csv", &out);
    if (status != 0) fail_msg("weft export failed (%d):\n%s", status, out);
    /* Continent,cars,mpg,horsepower_z,share */
    assert_non_null(strstr(out, "Continent,cars,mpg,horsepower_z,share"));
    double share = 0;
    long cars = 0;
    int rows = 0;
    for (char *line = strchr(out, '\n'); line != NULL && line[1] != '\0';
         line = strchr(line + 1, '\n')) {
        char name[32];
        long n;
        double mpg, hp, s;
        if (sscanf(line + 1, "%31[^,],%ld,%lf,%lf,%lf", name, &n, &mpg, &hp, &s) != 5) continue;
        share += s;
        cars += n;
        rows++;
    }
    assert_int_equal(rows, 3);
    assert_int_equal(cars, 392);
    assert_true(fabs(share - 1) < 1e-12);
    free(out);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(cars_regression_prints_its_evaluation),
        cmocka_unit_test(data_prep_registers_its_summary),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
