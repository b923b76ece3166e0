/*
 * test_fanout.c: a step's tasks as a job array (#12; selection.h), without
 * Slurm: the three parts a Slurm job array runs (the plan, each job of the
 * array, the gather) are run here one after another, each in a context of
 * its own as `weft step` gives them, sharing a results directory. What the
 * gather outputs must be the same bytes (tables by their native encoding,
 * JSON by equality) as an ordinary run in one context, for Cross Validate
 * Model and for Tune Model Hyperparameters cross-validated and on a
 * validation set; and its log must be the ordinary run's. Bad paths: a job
 * that is not in the array, a task result missing or damaged, a plan with
 * one job (run whole), and the settings that switch arrays on and off.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "selection_test.h"

#include "modules/selection.h"

#define CV "cross-validate-model@1"
#define TUNE "tune-model-hyperparameters@1"

static void fo_log(void *user, const char *line)
{
    wf_buf *b = user;
    wf_buf_puts(b, line);
    wf_buf_puts(b, "\n");
}

/* Runs module ref (params) on the learner and up to two tables as one part
 * of a job array: dir NULL runs it ordinarily; else job is
 * MOD__FANOUT_PLAN, MOD__FANOUT_GATHER or the array's job k. The log goes
 * to log (may be NULL). Returns the module's code; the caller clears ctx. */
static int fo_run(mod_ctx *ctx, const char *ref, const char *params, json_t *learner,
                  const tbl_table *a, const tbl_table *b, const char *dir, int64_t job, wf_buf *log)
{
    const mod_descriptor *m = mod_find(ref);
    assert_non_null(m);
    json_t *p = json_loads(params, 0, NULL);
    assert_non_null(p);
    assert_int_equal(mod_ctx_init(ctx, m, p), 0);
    json_decref(p);
    ctx->inputs[0].json = json_incref(learner);
    ctx->inputs[1].table = (tbl_table *)a;
    ctx->inputs[1].borrowed = true;
    if (m->ninputs > 2) {
        ctx->inputs[2].table = (tbl_table *)b;
        ctx->inputs[2].borrowed = true;
    }
    ctx->on_log = fo_log;
    static wf_buf sink;
    ctx->user = log != NULL ? log : &sink;
    ctx->fanout_dir = dir;
    ctx->fanout_job = job;
    int rc = m->run(ctx);
    wf_buf_free(&sink);
    return rc;
}

/* The plan: the module stops at its tasks, asks for *jobs jobs and outputs
 * nothing. */
static size_t fo_plan(const char *ref, const char *params, json_t *learner, const tbl_table *a,
                      const tbl_table *b, const char *dir)
{
    mod_ctx ctx;
    int rc = fo_run(&ctx, ref, params, learner, a, b, dir, MOD__FANOUT_PLAN, NULL);
    assert_int_equal(rc, WF_ECANCELED);
    mt_assert_contains(ctx.err.message, "job array");
    for (size_t k = 0; k < ctx.module->noutputs; k++) {
        assert_null(ctx.outputs[k].table);
        assert_null(ctx.outputs[k].json);
    }
    size_t jobs = ctx.fanout_jobs;
    mod_ctx_clear(&ctx);
    return jobs;
}

/* Every job of the array, in reverse order (the order Slurm runs them in
 * is not ours to choose): each saves its tasks and stops. */
static void fo_jobs(const char *ref, const char *params, json_t *learner, const tbl_table *a,
                    const tbl_table *b, const char *dir, size_t jobs)
{
    for (size_t k = jobs; k-- > 0;) {
        mod_ctx ctx;
        int rc = fo_run(&ctx, ref, params, learner, a, b, dir, (int64_t)k, NULL);
        if (ctx.fanout_jobs != 1) fail_msg("job %zu: %d %s", k, rc, ctx.err.message);
        assert_int_equal(rc, WF_ECANCELED);
        assert_null(ctx.outputs[0].table);
        mod_ctx_clear(&ctx);
    }
}

/* Runs ref ordinarily and as plan, jobs and gather; asserts the same
 * outputs and the same log, and that the array had `want_jobs` jobs and
 * left `want_tasks` task directories. */
static void fo_assert_same(const char *ref, const char *params, json_t *learner, const tbl_table *a,
                           const tbl_table *b, size_t want_jobs, size_t want_tasks)
{
    mod_ctx plain, gathered;
    wf_buf plain_log = {0}, gather_log = {0};
    mt_ok(&plain, fo_run(&plain, ref, params, learner, a, b, NULL, 0, &plain_log));

    char dir[64];
    mt_mkdtemp(dir, sizeof dir);
    size_t jobs = fo_plan(ref, params, learner, a, b, dir);
    assert_int_equal(jobs, want_jobs);
    fo_jobs(ref, params, learner, a, b, dir, jobs);
    char path[128];
    snprintf(path, sizeof path, "%s/%zu", dir, want_tasks - 1);
    assert_int_equal(access(path, F_OK), 0);
    snprintf(path, sizeof path, "%s/%zu", dir, want_tasks);
    assert_int_not_equal(access(path, F_OK), 0);
    mt_ok(&gathered,
          fo_run(&gathered, ref, params, learner, a, b, dir, MOD__FANOUT_GATHER, &gather_log));

    const mod_descriptor *m = plain.module;
    for (size_t k = 0; k < m->noutputs; k++) {
        if (m->outputs[k].kind == MOD_TABLE) {
            mt_assert_tables_equal(mt_table(&plain, k), mt_table(&gathered, k));
        } else if (!json_equal(mt_json(&plain, k), mt_json(&gathered, k))) {
            char *x = json_dumps(mt_json(&plain, k), JSON_SORT_KEYS);
            char *y = json_dumps(mt_json(&gathered, k), JSON_SORT_KEYS);
            fail_msg("output %s differs:\n%.300s\n%.300s", m->outputs[k].name, x, y);
        }
    }
    assert_non_null(plain_log.data);
    assert_non_null(gather_log.data);
    assert_string_equal(plain_log.data, gather_log.data);
    wf_buf_free(&plain_log);
    wf_buf_free(&gather_log);
    mod_ctx_clear(&plain);
    mod_ctx_clear(&gathered);
    mt_rmtree(dir);
}

/* ---- the same results ------------------------------------------------------ */

/* Ten folds, ten jobs: scored results and the metrics by fold, for a linear
 * learner and for boosted trees (whose probabilities are many digits long),
 * and three classes (a fold may lack a class's probability column). */
static void cross_validation_gathered_from_an_array_is_an_ordinary_run(void **state)
{
    (void)state;
    tbl_table *binary = st_rows("binary", 120, 3, 0.5, 11);
    tbl_table *multi = st_rows("multiclass", 90, 3, 0.8, 12);
    tbl_table *reg = st_rows("regression", 100, 3, 0.3, 13);
    struct {
        const char *learner, *params;
        const tbl_table *t;
    } cases[] = {
        {"two-class-logistic-regression@1", "{}", binary},
        {"two-class-boosted-decision-tree@1", "{\"number_of_trees_constructed\": 5}", binary},
        {"multiclass-logistic-regression@1", "{}", multi},
        {"linear-regression@1", "{}", reg},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        json_t *l = mt_learner(cases[i].learner, cases[i].params);
        fo_assert_same(CV, "{\"label_column\": \"y\", \"random_seed\": 5}", l, cases[i].t, NULL, 10,
                       10);
        json_decref(l);
    }
    tbl_free(binary);
    tbl_free(multi);
    tbl_free(reg);
}

/* Folds from Partition and Sample (three of them, numbered 4, 7, 9): one
 * job each. */
static void cross_validation_with_given_folds_makes_one_job_per_fold(void **state)
{
    (void)state;
    tbl_table *t = st_rows("regression", 60, 2, 0.3, 21);
    int64_t folds[60];
    for (size_t r = 0; r < 60; r++)
        folds[r] = (int64_t[]){4, 7, 9}[r % 3];
    tbl_table *with = st_with_integers(t, "Fold", folds, TBL_ROLE_CLEAR);
    json_t *l = mt_learner("linear-regression@1", "{}");
    fo_assert_same(CV, "{\"label_column\": \"y\"}", l, with, NULL, 3, 3);
    json_decref(l);
    tbl_free(with);
    tbl_free(t);
}

#define LOGISTIC_RANGES                                                                            \
    "{\"create_trainer_mode\": \"parameter-range\", \"l1_regularization_weight_range\": \"0; "     \
    "0.5\", \"l2_regularization_weight_range\": \"0.01; 1; 100\", "                                \
    "\"optimization_tolerance_range\": \"1e-7\", \"memory_size_for_l_bfgs_range\": \"20\"}"

/* Cross-validated runs: one job per run, holding its ten folds; the sweep
 * and the best model (trained again in the gather) are the ordinary run's. */
static void a_cross_validated_sweep_makes_one_job_per_run(void **state)
{
    (void)state;
    tbl_table *t = st_rows("binary", 100, 3, 0.5, 31);
    json_t *l = mt_learner("two-class-logistic-regression@1", LOGISTIC_RANGES);
    fo_assert_same(TUNE,
                   "{\"label_column\": \"y\", \"maximum_number_of_runs_on_random_sweep\": 4, "
                   "\"random_seed\": 9}",
                   l, t, NULL, 4, 40);
    json_decref(l);
    tbl_free(t);
}

/* On a validation set: one job (and one task) per run, the entire grid. */
static void a_sweep_on_a_validation_set_makes_one_job_per_run(void **state)
{
    (void)state;
    tbl_table *train = st_rows("binary", 80, 3, 0.5, 41);
    tbl_table *valid = st_rows("binary", 40, 3, 0.5, 42);
    json_t *l = mt_learner("two-class-logistic-regression@1", LOGISTIC_RANGES);
    fo_assert_same(TUNE,
                   "{\"label_column\": \"y\", \"specify_parameter_sweeping_mode\": "
                   "\"entire-grid\", \"metric_for_measuring_performance_for_classification\": "
                   "\"auc\"}",
                   l, train, valid, 6, 6);
    json_decref(l);
    tbl_free(train);
    tbl_free(valid);
}

/* ---- bad paths ---------------------------------------------------------------- */

/* A sweep of one run is not worth an array: the plan runs it whole and
 * gives the ordinary outputs. */
static void a_plan_of_one_job_runs_whole(void **state)
{
    (void)state;
    tbl_table *train = st_rows("binary", 60, 2, 0.5, 51);
    tbl_table *valid = st_rows("binary", 30, 2, 0.5, 52);
    json_t *l = mt_learner("two-class-logistic-regression@1",
                           "{\"create_trainer_mode\": \"parameter-range\", "
                           "\"l1_regularization_weight_range\": \"0\", "
                           "\"l2_regularization_weight_range\": \"1\", "
                           "\"optimization_tolerance_range\": \"1e-7\", "
                           "\"memory_size_for_l_bfgs_range\": \"20\"}");
    const char *params = "{\"label_column\": \"y\"}";
    mod_ctx plain, plan;
    mt_ok(&plain, fo_run(&plain, TUNE, params, l, train, valid, NULL, 0, NULL));
    char dir[64];
    mt_mkdtemp(dir, sizeof dir);
    mt_ok(&plan, fo_run(&plan, TUNE, params, l, train, valid, dir, MOD__FANOUT_PLAN, NULL));
    assert_int_equal(plan.fanout_jobs, 0);
    mt_assert_tables_equal(mt_table(&plain, 0), mt_table(&plan, 0));
    assert_true(json_equal(mt_json(&plain, 1), mt_json(&plan, 1)));
    mod_ctx_clear(&plain);
    mod_ctx_clear(&plan);
    mt_rmtree(dir);
    json_decref(l);
    tbl_free(train);
    tbl_free(valid);
}

/* A job number past the array, and a gather whose task results are
 * missing or damaged: clear failures naming the job or the fold. */
static void bad_jobs_and_missing_or_damaged_results_fail_clearly(void **state)
{
    (void)state;
    tbl_table *t = st_rows("regression", 50, 2, 0.3, 61);
    json_t *l = mt_learner("linear-regression@1", "{}");
    const char *params = "{\"label_column\": \"y\"}";
    char dir[64], path[160];
    mt_mkdtemp(dir, sizeof dir);
    mod_ctx ctx;

    assert_int_equal(fo_run(&ctx, CV, params, l, t, NULL, dir, 10, NULL), WF_EINVAL);
    mt_assert_contains(ctx.err.message, "job 10 is not one of the array's 10 jobs");
    assert_int_equal(ctx.fanout_jobs, 0);
    mod_ctx_clear(&ctx);

    /* Only jobs 0-2 ran: the gather stops at fold 4 (task 3). */
    for (int64_t k = 0; k < 3; k++) {
        fo_run(&ctx, CV, params, l, t, NULL, dir, k, NULL);
        assert_int_equal(ctx.fanout_jobs, 1);
        mod_ctx_clear(&ctx);
    }
    assert_true(fo_run(&ctx, CV, params, l, t, NULL, dir, MOD__FANOUT_GATHER, NULL) < 0);
    mt_assert_contains(ctx.err.message, "fold 4: cannot load its result from the job array");
    assert_null(ctx.outputs[0].table);
    mod_ctx_clear(&ctx);

    /* Every job ran, then fold 2's figures were damaged, then fold 5's
     * scores lost rows (another table in their place). */
    for (int64_t k = 3; k < 10; k++) {
        fo_run(&ctx, CV, params, l, t, NULL, dir, k, NULL);
        mod_ctx_clear(&ctx);
    }
    snprintf(path, sizeof path, "%s/1/evaluation.json", dir);
    mt_write_text(path, "{\"metrics\": ");
    assert_true(fo_run(&ctx, CV, params, l, t, NULL, dir, MOD__FANOUT_GATHER, NULL) < 0);
    mt_assert_contains(ctx.err.message, "fold 2: cannot load its result");
    mod_ctx_clear(&ctx);
    mt_write_text(path, "{\"metrics\": {}}");
    char other[160];
    snprintf(path, sizeof path, "%s/4/scores.wtbl", dir);
    snprintf(other, sizeof other, "%s/0/scores.wtbl", dir);
    tbl_table *small = NULL;
    assert_int_equal(tbl_native_load(other, &small, NULL), 0);
    tbl_table *one = NULL;
    size_t row0 = 0;
    assert_int_equal(tbl_take(small, &row0, 1, &one, NULL), 0);
    assert_int_equal(tbl_write_file(one, path, TBL_FORMAT_NATIVE, NULL), 0);
    tbl_free(one);
    tbl_free(small);
    assert_true(fo_run(&ctx, CV, params, l, t, NULL, dir, MOD__FANOUT_GATHER, NULL) < 0);
    mt_assert_contains(ctx.err.message, "fold 5: cannot load its result");
    mt_assert_contains(ctx.err.message, "1 rows, not the fold's 5");
    mod_ctx_clear(&ctx);

    mt_rmtree(dir);
    json_decref(l);
    tbl_free(t);
}

/* A module whose tasks cannot be saved (Permutation Feature Importance)
 * runs them whole even when its step may fan out. */
static void tasks_without_save_and_load_run_here(void **state)
{
    (void)state;
    tbl_table *t = st_rows("regression", 60, 2, 0.3, 71);
    json_t *l = mt_learner("linear-regression@1", "{}");
    mod_ctx train;
    mt_ok(&train, st_run(&train, "train-model@1", "{\"label_column\": \"y\"}", l, t, NULL));
    const mod_descriptor *m = mod_find("permutation-feature-importance@1");
    assert_non_null(m);
    json_t *p =
        json_loads("{\"metric_for_measuring_performance\": \"mean-absolute-error\"}", 0, NULL);
    mod_ctx ctx;
    assert_int_equal(mod_ctx_init(&ctx, m, p), 0);
    json_decref(p);
    ctx.inputs[0].json = json_incref(mt_json(&train, 0));
    ctx.inputs[1].table = t;
    ctx.inputs[1].borrowed = true;
    ctx.on_log = mt__quiet;
    char dir[64];
    mt_mkdtemp(dir, sizeof dir);
    ctx.fanout_dir = dir;
    ctx.fanout_job = MOD__FANOUT_PLAN;
    mt_ok(&ctx, m->run(&ctx));
    assert_int_equal(ctx.fanout_jobs, 0);
    assert_non_null(mt_table(&ctx, 0));
    mod_ctx_clear(&ctx);
    mod_ctx_clear(&train);
    mt_rmtree(dir);
    json_decref(l);
    tbl_free(t);
}

/* Tasks that count (k) and keep nothing: enough to see how a set is cut. */
static int fo_count_task(mod_ctx *task, void *arg, size_t k)
{
    (void)task;
    (void)k;
    (*(size_t *)arg)++;
    return 0;
}

static void fo_name(void *arg, size_t k, char *buf, size_t cap)
{
    (void)arg;
    snprintf(buf, cap, "task %zu", k);
}

static int fo_save(mod_ctx *ctx, void *arg, size_t k, const char *dir)
{
    (void)ctx;
    (void)arg;
    (void)k;
    (void)dir;
    return 0;
}

/* The plan of a set of n tasks, per_job together: how many jobs it asks. */
static size_t fo_planned_jobs(size_t n, size_t per_job)
{
    mod_ctx ctx;
    assert_int_equal(mod_ctx_init(&ctx, mod_find("cross-validate-model@1"), NULL), 0);
    ctx.on_log = mt__quiet;
    ctx.fanout_dir = "/nonexistent";
    ctx.fanout_job = MOD__FANOUT_PLAN;
    size_t ran = 0;
    mod__task_set set = {.n = n,
                         .per_job = per_job,
                         .threads = 1,
                         .run = fo_count_task,
                         .name = fo_name,
                         .save = fo_save,
                         .load = fo_save,
                         .arg = &ran};
    assert_int_equal(mod__run_task_set(&ctx, &set), WF_ECANCELED);
    assert_int_equal(ran, 0);
    size_t jobs = ctx.fanout_jobs;
    mod_ctx_clear(&ctx);
    return jobs;
}

/* Slurm refuses arrays past MaxArraySize (1001 by default): a larger set
 * shares jobs, keeping per_job's groups whole. */
static void a_large_set_of_tasks_shares_at_most_a_thousand_jobs(void **state)
{
    (void)state;
    assert_int_equal(fo_planned_jobs(10, 1), 10);
    assert_int_equal(fo_planned_jobs(1000, 1), 1000);
    assert_int_equal(fo_planned_jobs(1001, 1), 501);  /* 2 a job */
    assert_int_equal(fo_planned_jobs(2500, 1), 834);  /* 3 a job */
    assert_int_equal(fo_planned_jobs(8000, 4), 1000); /* 2 runs of 4 folds a job */
    assert_int_equal(fo_planned_jobs(8004, 4), 667);  /* 3 runs a job */
}

/* "job_arrays" on a Slurm target is true or false; a local target has no
 * such setting; a node's "compute" may say it too (`weft validate`). */
static void the_job_arrays_setting_is_a_boolean_of_slurm_targets(void **state)
{
    (void)state;
    char dir[64], cmd[1024];
    mt_mkdtemp(dir, sizeof dir);
    const char *cases[][2] = {
        {"--kind slurm --config '{\"job_arrays\": false, \"partition\": \"debug\"}'", "rc=0"},
        {"--kind slurm --config '{\"job_arrays\": \"yes\"}'",
         "\"job_arrays\" must be true or false"},
        {"--kind local --config '{\"job_arrays\": true}'", "unknown setting \"job_arrays\""},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        snprintf(cmd, sizeof cmd, "%s --workspace %s/ws compute add t%zu %s 2>&1; echo rc=$?",
                 WEFT_BINARY, dir, i, cases[i][0]);
        char *out = mt_capture(cmd);
        mt_assert_contains(out, cases[i][1]);
        if (i > 0) mt_assert_contains(out, "rc=1");
        free(out);
    }
    const char *nodes[][2] = {
        {"{\"target\": \"hpc\", \"job_arrays\": false}", "valid"},
        {"{\"job_arrays\": 1}", "\"job_arrays\" must be true or false"},
    };
    for (size_t i = 0; i < 2; i++) {
        char path[128];
        snprintf(path, sizeof path, "%s/p%zu.json", dir, i);
        snprintf(cmd, sizeof cmd,
                 "{\"format\": \"weft.pipeline/1\", \"name\": \"p\", \"nodes\": [{\"id\": "
                 "\"l\", \"module\": \"linear-regression@1\", \"compute\": %s}], "
                 "\"edges\": []}",
                 nodes[i][1 - 1]);
        mt_write_text(path, cmd);
        snprintf(cmd, sizeof cmd, "%s --workspace %s/ws validate %s 2>&1; echo rc=$?", WEFT_BINARY,
                 dir, path);
        char *out = mt_capture(cmd);
        mt_assert_contains(out, nodes[i][1]);
        free(out);
    }
    mt_rmtree(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(cross_validation_gathered_from_an_array_is_an_ordinary_run),
        cmocka_unit_test(cross_validation_with_given_folds_makes_one_job_per_fold),
        cmocka_unit_test(a_cross_validated_sweep_makes_one_job_per_run),
        cmocka_unit_test(a_sweep_on_a_validation_set_makes_one_job_per_run),
        cmocka_unit_test(a_plan_of_one_job_runs_whole),
        cmocka_unit_test(bad_jobs_and_missing_or_damaged_results_fail_clearly),
        cmocka_unit_test(tasks_without_save_and_load_run_here),
        cmocka_unit_test(a_large_set_of_tasks_shares_at_most_a_thousand_jobs),
        cmocka_unit_test(the_job_arrays_setting_is_a_boolean_of_slurm_targets),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
