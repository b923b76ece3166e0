/*
 * test_samples.c: the sample pipelines of samples/ run from `weft run
 * samples/NAME.json`, as docs/samples.md tells a newcomer to run them: from
 * the repository root, on one new workspace with the sample datasets. Each
 * must complete, and its evaluation report (`weft output RUN NODE.PORT
 * --json`) must reach the floor docs/samples.md gives it.
 *
 * Sample 4's cost is counted twice, independently: from Evaluate Model's
 * confusion matrices (C, src/ml/curves.c), and by the pipeline's own Apply
 * SQL Transformation (SQLite) over the scored rows.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "util/util.h"

#include <dirent.h>
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#define ROOT WEFT_TEST_DATA "/../.."

static char workspace[64];

/* Runs the shell command CMD. Returns its exit status (-1 when it did not
 * exit) and its output in *out (caller frees). */
static int shell(const char *cmd, char **out)
{
    FILE *p = popen(cmd, "r");
    if (p == NULL) fail_msg("cannot start: %s", cmd);
    wf_buf text = {0};
    char chunk[4096];
    size_t n;
    while ((n = fread(chunk, 1, sizeof chunk, p)) > 0)
        wf_buf_append(&text, chunk, n);
    int raw = pclose(p);
    *out = text.data != NULL ? text.data : strdup("");
    return WIFEXITED(raw) ? WEXITSTATUS(raw) : -1;
}

/* Runs `weft --workspace <workspace> ARGS` from the repository root, with
 * stderr joined to stdout. */
static int weft(const char *args, char **out)
{
    char cmd[1024];
    snprintf(cmd, sizeof cmd, "cd %s && %s --workspace %s %s 2>&1", ROOT, WEFT_BINARY, workspace,
             args);
    return shell(cmd, out);
}

/* Runs samples/FILE to completion; its run id. */
static long run_sample(const char *file)
{
    char args[256], *out;
    snprintf(args, sizeof args, "run samples/%s", file);
    int status = weft(args, &out);
    if (status != 0) fail_msg("weft run samples/%s failed (%d):\n%s", file, status, out);
    const char *at = strstr(out, "\nrun ");
    long id = at != NULL ? strtol(at + 5, NULL, 10) : 0;
    if (id <= 0 || strstr(at, " completed in ") == NULL)
        fail_msg("no completed run in the output of samples/%s:\n%s", file, out);
    free(out);
    return id;
}

/* The evaluation report of NODE in run ID (caller decrefs). */
static json_t *report(long id, const char *node)
{
    char args[128], *out;
    snprintf(args, sizeof args, "output %ld %s.evaluation_results --json", id, node);
    int status = weft(args, &out);
    if (status != 0) fail_msg("weft %s failed (%d):\n%s", args, status, out);
    json_error_t jerr;
    json_t *r = json_loads(out, 0, &jerr);
    if (r == NULL) fail_msg("weft %s did not print JSON (%s):\n%s", args, jerr.text, out);
    free(out);
    return r;
}

/* Model K's (0: scored_dataset, 1: scored_dataset_to_compare) object FIELD
 * of report R, and a number in it. */
static json_t *model_part(json_t *r, size_t k, const char *field)
{
    json_t *part = json_object_get(json_array_get(json_object_get(r, "models"), k), field);
    if (!json_is_object(part)) fail_msg("the report has no models[%zu].%s", k, field);
    return part;
}

static double number(json_t *object, const char *name)
{
    json_t *v = json_object_get(object, name);
    if (!json_is_number(v)) fail_msg("\"%s\" is not a number in the report", name);
    return json_number_value(v);
}

static double metric(json_t *r, size_t k, const char *name)
{
    return number(model_part(r, k, "metrics"), name);
}

/* Holds model K of report R to METRIC >= FLOOR, saying which when not. */
static void assert_floor(json_t *r, size_t k, const char *what, const char *name, double floor)
{
    double v = metric(r, k, name);
    print_message("%-48s %-28s %.4f (floor %.2f)\n", what, name, v, floor);
    if (!(v >= floor)) fail_msg("%s: %s %.4f is below its floor %.2f", what, name, v, floor);
}

static int setup(void **state)
{
    (void)state;
    /* The samples read the datasets a new workspace registers. */
    unsetenv("WEFT_NO_SAMPLES");
    strcpy(workspace, "/tmp/weft-samples-XXXXXX");
    return mkdtemp(workspace) == NULL ? -1 : 0;
}

static int teardown(void **state)
{
    (void)state;
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf %s", workspace);
    return system(cmd) == 0 ? 0 : -1;
}

/* The floors below, one per sample file; docs/samples.md gives the same. */
static const char *const covered[] = {
    "01-regression-basic.json",
    "02-regression-compare.json",
    "03-credit-risk.json",
    "04-credit-risk-cost-sensitive.json",
    "04b-credit-risk-cost-sensitive-sql.json",
    "05-imbalanced-missing.json",
    "06-flight-delays.json",
};

/* A sample added to samples/ without a floor here fails, so that none
 * escapes the test. */
static void every_sample_has_a_floor(void **state)
{
    (void)state;
    DIR *d = opendir(ROOT "/samples");
    assert_non_null(d);
    size_t found = 0;
    for (struct dirent *e; (e = readdir(d)) != NULL;) {
        size_t len = strlen(e->d_name);
        if (len < 5 || strcmp(e->d_name + len - 5, ".json") != 0) continue;
        bool known = false;
        for (size_t i = 0; i < sizeof covered / sizeof covered[0]; i++)
            known = known || strcmp(e->d_name, covered[i]) == 0;
        if (!known) {
            closedir(d);
            fail_msg("samples/%s has no floor in tests/samples/test_samples.c", e->d_name);
        }
        found++;
    }
    closedir(d);
    assert_int_equal(found, sizeof covered / sizeof covered[0]);
}

/* Sample 1: linear regression of miles per gallon, R² at least 0.75
 * (Azure's automobile price sample published 0.868). */
static void regression_basic_explains_mileage(void **state)
{
    (void)state;
    json_t *r = report(run_sample("01-regression-basic.json"), "evaluate");
    assert_string_equal(json_string_value(json_object_get(r, "task")), "regression");
    assert_floor(r, 0, "sample 1, linear regression", "coefficient_of_determination", 0.75);
    json_decref(r);
}

/* Sample 2: both tree ensembles beat their floors on the same test rows. */
static void regression_compare_scores_both_ensembles(void **state)
{
    (void)state;
    json_t *r = report(run_sample("02-regression-compare.json"), "evaluate");
    assert_floor(r, 0, "sample 2, boosted decision tree regression", "coefficient_of_determination",
                 0.75);
    assert_floor(r, 1, "sample 2, decision forest regression", "coefficient_of_determination",
                 0.72);
    assert_true(metric(r, 0, "rows") == metric(r, 1, "rows"));
    json_decref(r);
}

/* Sample 3: the boosted tree's AUC is at least 0.74 (Azure published
 * 0.776). */
static void credit_risk_reaches_its_auc(void **state)
{
    (void)state;
    json_t *r = report(run_sample("03-credit-risk.json"), "evaluate");
    assert_string_equal(json_string_value(json_object_get(r, "task")), "binary");
    assert_floor(r, 0, "sample 3, two-class boosted decision tree", "auc", 0.74);
    json_decref(r);
}

/* The cost of model K of an Evaluate Model over the replicated test set:
 * there each bad applicant is five rows, so every error costs 1 and the
 * cost is the count of errors, whichever class is the positive one. */
static long cost(json_t *r, size_t k)
{
    json_t *m = model_part(r, k, "confusion_matrix");
    return (long)number(m, "false_positives") + (long)number(m, "false_negatives");
}

/* The row of sample 4's results table (Add Rows of the two SQL cost
 * tables) for ALGORITHM trained on TRAINING rows: its Rows, Bad applicants
 * accepted, Good applicants refused and Cost columns. */
static void sql_cost_row(const char *table, const char *algorithm, const char *training, long v[4])
{
    for (const char *line = table; line != NULL; line = strchr(line + 1, '\n')) {
        const char *a = strstr(line, algorithm);
        const char *nl = strchr(line + 1, '\n');
        if (a == NULL || (nl != NULL && a > nl)) continue;
        const char *t = a + strlen(algorithm);
        t += strspn(t, " ");
        if (strncmp(t, training, strlen(training)) != 0) continue;
        if (sscanf(t + strlen(training), "%ld %ld %ld %ld", &v[0], &v[1], &v[2], &v[3]) == 4)
            return;
    }
    fail_msg("no %s / %s row in the results table:\n%s", algorithm, training, table);
}

/* The AUC of each row of sample 4's metrics table (Add Rows of the two
 * Evaluate Models' tables), as `weft output` prints it: a header line
 * ("Scored dataset" is two words), a types line, then a row per model. */
static size_t metrics_aucs(const char *table, double auc[], size_t cap)
{
    const char *nl = strchr(table, '\n');
    if (nl == NULL) fail_msg("no metrics table:\n%s", table);
    /* The AUC column's place among the values: its word's place in the
     * header, less one for "Scored dataset". */
    size_t word = 0, at = SIZE_MAX;
    for (const char *p = table; p < nl;) {
        p += strspn(p, " ");
        size_t len = strcspn(p, " \n");
        if (len == 0) break;
        if (len == 3 && strncmp(p, "AUC", 3) == 0) at = word;
        word++;
        p += len;
    }
    if (at == SIZE_MAX || at < 1) fail_msg("no AUC column:\n%s", table);
    size_t n = 0;
    const char *line = strchr(nl + 1, '\n');
    for (; line != NULL && line[1] != '\0' && n < cap; line = strchr(line + 1, '\n')) {
        const char *p = line + 1;
        for (size_t k = 0; k + 1 < at; k++) {
            p += strspn(p, " ");
            p += strcspn(p, " \n");
        }
        if (sscanf(p, "%lf", &auc[n]) == 1) n++;
    }
    return n;
}

/* Sample 4 and its SQL variant: for each algorithm, the model trained on
 * the replicated rows costs less than the one trained on the original rows,
 * and the pipeline's SQL cost table agrees with Evaluate Model's counts; the
 * metrics table holds both Evaluate Models' rows, SVM first. */
static void cost_sensitive_sample_lowers_the_cost(const char *file)
{
    long id = run_sample(file);
    char args[64], *table;
    snprintf(args, sizeof args, "output %ld results.dataset", id);
    int status = weft(args, &table);
    if (status != 0) fail_msg("weft %s failed (%d):\n%s", args, status, table);
    static const struct {
        const char *node, *algorithm;
    } lanes[] = {{"evaluate_svm", "Two-Class Support Vector Machine"},
                 {"evaluate_boosted", "Two-Class Boosted Decision Tree"}};
    for (size_t i = 0; i < 2; i++) {
        json_t *r = report(id, lanes[i].node);
        long plain = cost(r, 0), replicated = cost(r, 1);
        print_message("%s, %s: cost %ld on the original rows, %ld on the replicated rows\n", file,
                      lanes[i].algorithm, plain, replicated);
        if (!(replicated < plain))
            fail_msg("%s: %s trained on replicated rows costs %ld, not less than %ld", file,
                     lanes[i].algorithm, replicated, plain);
        const char *training[2] = {"original", "replicated"};
        for (size_t k = 0; k < 2; k++) {
            long v[4];
            sql_cost_row(table, lanes[i].algorithm, training[k], v);
            assert_int_equal(v[0], (long)metric(r, k, "rows"));
            assert_int_equal(v[3], cost(r, k));
            assert_int_equal(v[3], 5 * v[1] + v[2]);
        }
        json_decref(r);
    }
    free(table);

    snprintf(args, sizeof args, "output %ld metrics.dataset", id);
    status = weft(args, &table);
    if (status != 0) fail_msg("weft %s failed (%d):\n%s", args, status, table);
    double auc[8];
    if (metrics_aucs(table, auc, 8) != 4) fail_msg("the metrics table has not 4 rows:\n%s", table);
    for (size_t i = 0; i < 2; i++) {
        json_t *r = report(id, lanes[i].node);
        for (size_t k = 0; k < 2; k++)
            if (fabs(auc[2 * i + k] - metric(r, k, "auc")) > 1e-12)
                fail_msg("metrics row %zu: AUC %.17g, its report says %.17g", 2 * i + k,
                         auc[2 * i + k], metric(r, k, "auc"));
        json_decref(r);
    }
    free(table);
}

static void cost_sensitive_python_replication_lowers_the_cost(void **state)
{
    (void)state;
    cost_sensitive_sample_lowers_the_cost("04-credit-risk-cost-sensitive.json");
}

static void cost_sensitive_sql_replication_lowers_the_cost(void **state)
{
    (void)state;
    cost_sensitive_sample_lowers_the_cost("04b-credit-risk-cost-sensitive-sql.json");
}

/* Sample 5: with and without SMOTE, both boosted trees rank the rare
 * actives above most inactives. */
static void imbalanced_sample_ranks_the_rare_class(void **state)
{
    (void)state;
    json_t *r = report(run_sample("05-imbalanced-missing.json"), "evaluate");
    assert_floor(r, 0, "sample 5, boosted tree with SMOTE", "auc", 0.65);
    assert_floor(r, 1, "sample 5, boosted tree without SMOTE", "auc", 0.65);
    json_decref(r);
}

/* Sample 6: logistic regression and the boosted tree on 6,000 test
 * flights. */
static void flight_delays_beat_their_floors(void **state)
{
    (void)state;
    json_t *r = report(run_sample("06-flight-delays.json"), "evaluate");
    assert_floor(r, 0, "sample 6, two-class logistic regression", "auc", 0.68);
    assert_floor(r, 1, "sample 6, two-class boosted decision tree", "auc", 0.69);
    assert_true(metric(r, 0, "rows") == 6000);
    json_decref(r);
}

/* The samples read registered datasets: on a workspace without them, a run
 * fails before any step, naming the dataset. */
static void sample_without_its_dataset_names_it(void **state)
{
    (void)state;
    char cmd[1024], *out;
    snprintf(cmd, sizeof cmd,
             "cd %s && WEFT_NO_SAMPLES=1 %s --workspace %s/bare run samples/03-credit-risk.json "
             "2>&1",
             ROOT, WEFT_BINARY, workspace);
    int status = shell(cmd, &out);
    assert_true(status > 0);
    if (strstr(out, "credit.dataset") == NULL || strstr(out, "german-credit") == NULL)
        fail_msg("the failure does not name the node and the dataset:\n%s", out);
    assert_null(strstr(out, "completed in"));
    free(out);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(every_sample_has_a_floor),
        cmocka_unit_test(regression_basic_explains_mileage),
        cmocka_unit_test(regression_compare_scores_both_ensembles),
        cmocka_unit_test(credit_risk_reaches_its_auc),
        cmocka_unit_test(cost_sensitive_python_replication_lowers_the_cost),
        cmocka_unit_test(cost_sensitive_sql_replication_lowers_the_cost),
        cmocka_unit_test(imbalanced_sample_ranks_the_rare_class),
        cmocka_unit_test(flight_delays_beat_their_floors),
        cmocka_unit_test(sample_without_its_dataset_names_it),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
