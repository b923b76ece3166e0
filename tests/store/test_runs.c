/*
 * test_runs.c: experiments, runs, steps and the step cache in the
 * workspace: what a run records, how statuses stamp times, batches of step
 * writes, cancel requests, the recovery of runs whose process died, and
 * that creating a run is all or nothing.
 */
#include "store_test.h"

#include <signal.h>
#include <sys/wait.h>

#define KEY_A "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
#define KEY_B "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb"

static const char *const node_ids[] = {"data", "clean", "split"};
static const char *const modules[] = {"dataset@1", "select-columns@1", "split-data@1"};

static int64_t create_run(st_workspace *ws, const char *experiment)
{
    st_run_spec spec = {.experiment = experiment,
                        .pipeline_name = "cars",
                        .snapshot_json = "{\"format\":\"weft.snapshot/1\"}",
                        .parameters_json = "{\"f\":0.5}",
                        .node_ids = node_ids,
                        .modules = modules,
                        .nsteps = 3};
    int64_t id = 0;
    wf_error err = {0};
    if (st_run_create(ws, &spec, &id, &err) < 0) fail_msg("st_run_create: %s", err.message);
    return id;
}

static void a_new_run_is_queued_with_one_queued_step_per_node(void **state)
{
    (void)state;
    char *dir = make_temp_dir();
    st_workspace *ws = open_workspace(dir);
    int64_t id = create_run(ws, NULL);
    assert_true(id > 0);
    wf_error err = {0};
    st_run r;
    assert_int_equal(st_run_get(ws, id, &r, &err), 0);
    assert_string_equal(r.experiment, ST_DEFAULT_EXPERIMENT);
    assert_string_equal(r.pipeline_name, "cars");
    assert_string_equal(r.status, "queued");
    assert_string_equal(r.snapshot_json, "{\"format\":\"weft.snapshot/1\"}");
    assert_string_equal(r.parameters_json, "{\"f\":0.5}");
    assert_string_equal(r.started_at, "");
    assert_int_equal(strlen(r.created_at), 24); /* 2024-05-01T12:00:00.123Z */
    assert_int_equal(r.owner_pid, getpid());
    assert_false(r.cancel_requested);
    st_run_clear(&r);

    st_step *steps = NULL;
    size_t n = 0;
    assert_int_equal(st_run_steps(ws, id, &steps, &n, &err), 0);
    assert_int_equal(n, 3);
    for (size_t i = 0; i < n; i++) {
        assert_string_equal(steps[i].node_id, node_ids[i]); /* document order */
        assert_string_equal(steps[i].module, modules[i]);
        assert_string_equal(steps[i].status, "queued");
        assert_string_equal(steps[i].outputs_json, "{}");
        assert_int_equal(steps[i].elapsed_ms, -1);
    }
    st_steps_free(steps, n);

    st_experiment *ex = NULL;
    assert_int_equal(st_experiment_list(ws, &ex, &n, &err), 0);
    assert_int_equal(n, 1);
    assert_string_equal(ex[0].name, ST_DEFAULT_EXPERIMENT);
    assert_int_equal(ex[0].runs, 1);
    st_experiments_free(ex, n);
    st_close(ws);
    remove_temp_dir(dir);
}

static void status_changes_stamp_start_and_finish_times(void **state)
{
    (void)state;
    char *dir = make_temp_dir();
    st_workspace *ws = open_workspace(dir);
    int64_t id = create_run(ws, "exp");
    wf_error err = {0};
    assert_int_equal(st_run_set_status(ws, id, "running", NULL, &err), 0);
    st_run r;
    assert_int_equal(st_run_get(ws, id, &r, &err), 0);
    assert_string_equal(r.status, "running");
    assert_int_not_equal(r.started_at[0], '\0');
    assert_string_equal(r.finished_at, "");
    st_run_clear(&r);
    assert_int_equal(st_run_set_status(ws, id, "failed", "step x failed", &err), 0);
    assert_int_equal(st_run_get(ws, id, &r, &err), 0);
    assert_string_equal(r.status, "failed");
    assert_string_equal(r.error, "step x failed");
    assert_int_not_equal(r.finished_at[0], '\0');
    st_run_clear(&r);

    assert_int_equal(st_run_set_status(ws, id, "exploded", NULL, &err), WF_EINVAL);
    assert_non_null(strstr(err.message, "exploded"));
    wf_error_clear(&err);
    assert_int_equal(st_run_set_status(ws, id + 100, "running", NULL, &err), WF_ENOTFOUND);
    wf_error_clear(&err);
    assert_int_equal(st_run_get(ws, id + 100, &r, &err), WF_ENOTFOUND);
    st_close(ws);
    remove_temp_dir(dir);
}

static void a_completed_step_enters_the_cache_in_the_same_write(void **state)
{
    (void)state;
    char *dir = make_temp_dir();
    st_workspace *ws = open_workspace(dir);
    int64_t id = create_run(ws, NULL);
    wf_error err = {0};
    st_step batch[2] = {
        {.run_id = id,
         .node_id = "data",
         .module = "dataset@1",
         .status = "completed",
         .cache_key = KEY_A,
         .started_at = "2024-01-01T00:00:00.000Z",
         .finished_at = "2024-01-01T00:00:01.000Z",
         .elapsed_ms = 1000,
         .outputs_json = "{\"dataset\":\"" KEY_B "\"}",
         .log_path = "logs/1/data.log",
         .peak_rss_kb = 2048},
        {.run_id = id,
         .node_id = "clean",
         .module = "select-columns@1",
         .status = "failed",
         .cache_key = KEY_B,
         .error = "killed by signal 11 (SIGSEGV)",
         .signal = 11},
    };
    assert_int_equal(st_steps_upsert(ws, batch, 2, &err), 0);
    st_step s;
    assert_int_equal(st_step_get(ws, id, "data", &s, &err), 0);
    assert_string_equal(s.status, "completed");
    assert_int_equal(s.elapsed_ms, 1000);
    assert_int_equal(s.peak_rss_kb, 2048);
    assert_string_equal(s.log_path, "logs/1/data.log");
    st_step_clear(&s);
    assert_int_equal(st_step_get(ws, id, "clean", &s, &err), 0);
    assert_int_equal(s.signal, 11);
    assert_string_equal(s.error, "killed by signal 11 (SIGSEGV)");
    st_step_clear(&s);

    char *outputs = NULL;
    int64_t from = 0;
    assert_int_equal(st_cache_lookup(ws, KEY_A, &outputs, &from, &err), 1);
    assert_string_equal(outputs, "{\"dataset\":\"" KEY_B "\"}");
    assert_int_equal(from, id);
    free(outputs);
    /* A failed step is not cached. */
    assert_int_equal(st_cache_lookup(ws, KEY_B, &outputs, NULL, &err), 0);
    assert_null(outputs);
    assert_int_equal(st_cache_lookup(ws, "../../etc/passwd", &outputs, NULL, &err), WF_EINVAL);
    wf_error_clear(&err);

    /* One bad step refuses the whole batch. */
    st_step bad = batch[0];
    bad.node_id = "split";
    bad.status = "exploded";
    st_step two[2] = {batch[1], bad};
    two[0].status = "completed";
    assert_int_equal(st_steps_upsert(ws, two, 2, &err), WF_EINVAL);
    assert_int_equal(st_step_get(ws, id, "clean", &s, &err), 0);
    assert_string_equal(s.status, "failed");
    st_step_clear(&s);
    assert_int_equal(st_step_get(ws, id, "nope", &s, &err), WF_ENOTFOUND);
    st_close(ws);
    remove_temp_dir(dir);
}

static void runs_list_newest_first_and_filter_by_experiment(void **state)
{
    (void)state;
    char *dir = make_temp_dir();
    st_workspace *ws = open_workspace(dir);
    int64_t a = create_run(ws, "alpha");
    int64_t b = create_run(ws, "beta");
    int64_t c = create_run(ws, "alpha");
    wf_error err = {0};
    st_run *runs = NULL;
    size_t n = 0;
    assert_int_equal(st_run_list(ws, NULL, 0, &runs, &n, &err), 0);
    assert_int_equal(n, 3);
    assert_int_equal(runs[0].id, c);
    assert_int_equal(runs[1].id, b);
    assert_int_equal(runs[2].id, a);
    assert_string_equal(runs[0].snapshot_json, ""); /* lists stay light */
    st_runs_free(runs, n);
    assert_int_equal(st_run_list(ws, "alpha", 0, &runs, &n, &err), 0);
    assert_int_equal(n, 2);
    assert_string_equal(runs[0].experiment, "alpha");
    st_runs_free(runs, n);
    assert_int_equal(st_run_list(ws, NULL, 1, &runs, &n, &err), 0);
    assert_int_equal(n, 1);
    st_runs_free(runs, n);
    assert_int_equal(st_run_list(ws, "nobody", 0, &runs, &n, &err), 0);
    assert_int_equal(n, 0);
    st_runs_free(runs, n);

    int64_t id = 0;
    assert_int_equal(st_experiment_ensure(ws, "", &id, &err), WF_EINVAL);
    assert_int_equal(st_experiment_ensure(ws, "tab\there", &id, &err), WF_EINVAL);
    assert_int_equal(st_experiment_ensure(ws, "beta", &id, &err), 0);
    int64_t again = 0;
    assert_int_equal(st_experiment_ensure(ws, "beta", &again, &err), 0);
    assert_int_equal(id, again);
    st_close(ws);
    remove_temp_dir(dir);
}

static void cancel_is_requested_only_for_a_run_that_has_not_ended(void **state)
{
    (void)state;
    char *dir = make_temp_dir();
    st_workspace *ws = open_workspace(dir);
    int64_t id = create_run(ws, NULL);
    wf_error err = {0};
    bool requested = true;
    assert_int_equal(st_run_cancel_requested(ws, id, &requested, &err), 0);
    assert_false(requested);
    assert_int_equal(st_run_request_cancel(ws, id, &err), 0);
    assert_int_equal(st_run_cancel_requested(ws, id, &requested, &err), 0);
    assert_true(requested);
    assert_int_equal(st_run_set_status(ws, id, "canceled", "canceled", &err), 0);
    assert_int_equal(st_run_request_cancel(ws, id, &err), WF_EINVAL);
    assert_non_null(strstr(err.message, "already ended"));
    wf_error_clear(&err);
    assert_int_equal(st_run_request_cancel(ws, id + 1, &err), WF_ENOTFOUND);
    st_close(ws);
    remove_temp_dir(dir);
}

static void runs_of_a_dead_process_are_marked_interrupted(void **state)
{
    (void)state;
    char *dir = make_temp_dir();
    /* Another process starts a run, marks a step running, and dies
     * without a word, as `kill -9` would leave it. */
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        st_workspace *ws = NULL;
        if (st_open(dir, &ws, NULL) < 0) _exit(2);
        int64_t id = create_run(ws, NULL);
        st_step s = {.run_id = id, .node_id = "data", .status = "completed", .elapsed_ms = 5};
        st_step r = {.run_id = id, .node_id = "clean", .status = "running", .elapsed_ms = -1};
        /* Steps that ran as Slurm jobs: an ended one, a running array and a
         * queued job. */
        if (st_run_set_status(ws, id, "running", NULL, NULL) < 0 ||
            st_step_upsert(ws, &s, NULL) < 0 || st_step_upsert(ws, &r, NULL) < 0 ||
            st_step_set_job(ws, id, "data", "4700", NULL) < 0 ||
            st_step_set_job(ws, id, "clean", "4813_[0-9]", NULL) < 0 ||
            st_step_set_job(ws, id, "split", "4900", NULL) < 0)
            _exit(3);
        raise(SIGKILL);
    }
    int status = 0;
    assert_int_equal(waitpid(pid, &status, 0), pid);
    assert_true(WIFSIGNALED(status));

    st_workspace *ws = open_workspace(dir);
    int64_t live = create_run(ws, NULL); /* ours, and we are alive */
    wf_error err = {0};
    assert_int_equal(st_run_set_status(ws, live, "running", NULL, &err), 0);
    size_t marked = 0;
    assert_int_equal(st_runs_mark_interrupted(ws, &marked, &err), 0);
    assert_int_equal(marked, 1);

    st_run r;
    assert_int_equal(st_run_get(ws, 1, &r, &err), 0);
    assert_string_equal(r.status, "failed");
    assert_non_null(strstr(r.error, "interrupted"));
    assert_int_not_equal(r.finished_at[0], '\0');
    st_run_clear(&r);
    st_step *steps = NULL;
    size_t n = 0;
    assert_int_equal(st_run_steps(ws, 1, &steps, &n, &err), 0);
    assert_int_equal(n, 3);
    assert_string_equal(steps[0].status, "completed"); /* nothing completed is lost */
    assert_string_equal(steps[1].status, "failed");
    assert_string_equal(steps[1].error,
                        "interrupted: the weft process ended before this step finished");
    assert_string_equal(steps[2].status, "skipped");
    st_steps_free(steps, n);
    /* The jobs of the steps it left unfinished are remembered, to cancel. */
    char **jobs = NULL;
    size_t njobs = 0;
    assert_int_equal(st_orphan_jobs(ws, &jobs, &njobs, &err), 0);
    assert_int_equal(njobs, 2);
    assert_string_equal(jobs[0], "4813_[0-9]");
    assert_string_equal(jobs[1], "4900");
    assert_int_equal(st_orphan_jobs_forget(ws, jobs, 1, &err), 0);
    st_orphan_jobs_free(jobs, njobs);
    assert_int_equal(st_orphan_jobs(ws, &jobs, &njobs, &err), 0);
    assert_int_equal(njobs, 1);
    assert_string_equal(jobs[0], "4900");
    st_orphan_jobs_free(jobs, njobs);

    assert_int_equal(st_run_get(ws, live, &r, &err), 0);
    assert_string_equal(r.status, "running");
    st_run_clear(&r);
    /* A second pass finds nothing more to do. */
    assert_int_equal(st_runs_mark_interrupted(ws, &marked, &err), 0);
    assert_int_equal(marked, 0);
    st_close(ws);
    remove_temp_dir(dir);
}

static void a_run_that_fails_to_be_created_leaves_no_row(void **state)
{
    (void)state;
    char *dir = make_temp_dir();
    st_workspace *ws = open_workspace(dir);
    st_run_spec spec = {.pipeline_name = "p",
                        .snapshot_json = "{}",
                        .node_ids = node_ids,
                        .modules = modules,
                        .nsteps = 3};
    wf_error err = {0};
    int64_t id = 0;
    /* Count the I/O steps of a creation, then fail each one in turn. */
    fault_arm(0);
    assert_int_equal(st_run_create(ws, &spec, &id, &err), 0);
    int steps = fault_steps;
    fault_disarm();
    assert_true(steps >= 5);
    assert_int_equal(st_run_set_status(ws, id, "completed", NULL, &err), 0);
    for (int n = 1; n <= steps; n++) {
        fault_arm(n);
        int rc = st_run_create(ws, &spec, &id, &err);
        fault_disarm();
        if (rc == 0) fail_msg("fault %d (%s) did not fail the creation", n, fault_failed_step);
        assert_int_equal(count_rows(ws, "runs"), 1);
        assert_int_equal(count_rows(ws, "steps"), 3);
        assert_int_equal(count_rows(ws, "experiments"), 1);
        wf_error_clear(&err);
    }
    spec.node_ids = NULL;
    spec.nsteps = 0;
    spec.snapshot_json = NULL;
    assert_int_equal(st_run_create(ws, &spec, &id, &err), WF_EINVAL);
    st_close(ws);
    remove_temp_dir(dir);
}

static void a_run_can_start_running_and_finish_in_one_write(void **state)
{
    (void)state;
    char *dir = make_temp_dir();
    st_workspace *ws = open_workspace(dir);
    st_run_spec spec = {.pipeline_name = "p",
                        .snapshot_json = "{}",
                        .node_ids = node_ids,
                        .modules = modules,
                        .nsteps = 3,
                        .running = true};
    wf_error err = {0};
    int64_t id = 0;
    assert_int_equal(st_run_create(ws, &spec, &id, &err), 0);
    st_run r;
    assert_int_equal(st_run_get(ws, id, &r, &err), 0);
    assert_string_equal(r.status, "running");
    assert_int_not_equal(r.started_at[0], '\0');
    st_run_clear(&r);
    st_step done[2] = {
        {.run_id = id, .node_id = "data", .status = "reused", .outputs_json = "{}"},
        {.run_id = id,
         .node_id = "clean",
         .status = "completed",
         .cache_key = KEY_A,
         .outputs_json = "{\"dataset\":\"" KEY_B "\"}"},
    };
    /* A failing commit leaves neither the steps nor the status. */
    fault_arm(1);
    int rc = st_run_finish(ws, id, "completed", NULL, done, 2, &err);
    fault_disarm();
    assert_true(rc < 0);
    assert_int_equal(st_run_get(ws, id, &r, &err), 0);
    assert_string_equal(r.status, "running");
    st_run_clear(&r);
    assert_int_equal(count_rows(ws, "step_cache"), 0);
    wf_error_clear(&err);
    assert_int_equal(st_run_finish(ws, id, "completed", NULL, done, 2, &err), 0);
    assert_int_equal(st_run_get(ws, id, &r, &err), 0);
    assert_string_equal(r.status, "completed");
    assert_int_not_equal(r.finished_at[0], '\0');
    st_run_clear(&r);
    st_step s;
    assert_int_equal(st_step_get(ws, id, "data", &s, &err), 0);
    assert_string_equal(s.status, "reused");
    st_step_clear(&s);
    assert_int_equal(count_rows(ws, "step_cache"), 1);
    assert_int_equal(st_run_finish(ws, id, "nonsense", NULL, NULL, 0, &err), WF_EINVAL);
    st_close(ws);
    remove_temp_dir(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(a_new_run_is_queued_with_one_queued_step_per_node),
        cmocka_unit_test(status_changes_stamp_start_and_finish_times),
        cmocka_unit_test(a_completed_step_enters_the_cache_in_the_same_write),
        cmocka_unit_test(runs_list_newest_first_and_filter_by_experiment),
        cmocka_unit_test(cancel_is_requested_only_for_a_run_that_has_not_ended),
        cmocka_unit_test(runs_of_a_dead_process_are_marked_interrupted),
        cmocka_unit_test(a_run_that_fails_to_be_created_leaves_no_row),
        cmocka_unit_test(a_run_can_start_running_and_finish_in_one_write),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
