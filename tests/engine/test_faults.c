/*
 * test_faults.c: isolation (DESIGN.md section 5). A crash, a failure, a
 * time limit or a memory limit fails its step only: independent branches
 * complete and what depends on the step is skipped. Cancel kills running
 * steps. A `weft run` killed with SIGKILL leaves a workspace that opens
 * cleanly, loses nothing that completed, and says what was interrupted.
 */
#include "run_test.h"

#include <fcntl.h>
#include <signal.h>
#include <sqlite3.h>
#include <sys/wait.h>

static int64_t run_doc(test_ws *t, const char *doc, eng_run_options *opt, wf_error *err, int *rc)
{
    eng_pipeline *p = test_pipeline(doc);
    int64_t run = 0;
    *rc = eng_run(t->ws, p, opt, &run, err);
    eng_pipeline_free(p);
    assert_true(run > 0);
    return run;
}

static void assert_step_error(test_ws *t, int64_t run, const char *node, const char *status,
                              const char *error)
{
    st_step s = test_step(t, run, node);
    if (strcmp(s.status, status) != 0 || strstr(s.error, error) == NULL)
        fail_msg("step %s: %s \"%s\", expected %s \"%s\"", node, s.status, s.error, status, error);
    st_step_clear(&s);
}

#define CRASH_PIPELINE                                                                             \
    "{\"format\": \"weft.pipeline/1\", \"name\": \"crash\", \"nodes\": ["                          \
    " {\"id\": \"rows\", \"module\": \"enter-data@1\", \"params\": {\"data\": \"a,b\\n1,2\\n\"}}," \
    " {\"id\": \"crash\", \"module\": \"test-crash@1\"},"                                          \
    " {\"id\": \"after\", \"module\": \"test-sleep@1\", \"params\": {\"seconds\": 0}},"            \
    " {\"id\": \"later\", \"module\": \"test-sleep@1\", \"params\": {\"seconds\": 0}},"            \
    " {\"id\": \"pick\", \"module\": \"select-columns@1\","                                        \
    "  \"params\": {\"columns\": {\"include\": [{\"names\": [\"a\"]}]}}}],"                        \
    " \"edges\": [{\"from\": \"rows.dataset\", \"to\": \"crash.dataset\"},"                        \
    "  {\"from\": \"crash.dataset\", \"to\": \"after.dataset\"},"                                  \
    "  {\"from\": \"after.dataset\", \"to\": \"later.dataset\"},"                                  \
    "  {\"from\": \"rows.dataset\", \"to\": \"pick.dataset\"}]}"

static void a_crash_fails_its_step_alone(void **state)
{
    (void)state;
    test_needs_fault_modules();
    test_ws t;
    test_ws_open(&t);
    test_events *events = calloc(1, sizeof *events);
    eng_run_options opt = test_options(events);
    wf_error err = {0};
    int rc = 0;
    int64_t run = run_doc(&t, CRASH_PIPELINE, &opt, &err, &rc);
    assert_true(rc < 0);
    assert_non_null(strstr(err.message, "crash"));
    assert_step_error(&t, run, "crash", "failed", "killed by signal 11 (SIGSEGV)");
    st_step s = test_step(&t, run, "crash");
    assert_int_equal(s.signal, SIGSEGV);
    st_step_clear(&s);
    assert_step_error(&t, run, "after", "skipped", "crash");
    assert_step_error(&t, run, "later", "skipped", "after");
    assert_step_status(&t, run, "rows", "completed");
    assert_step_status(&t, run, "pick", "completed"); /* the independent branch */
    char *status = test_run_status(&t, run);
    assert_string_equal(status, "failed");
    free(status);
    assert_true(test_saw(events, ENG_EVENT_STEP, "crash", ENG_FAILED));
    assert_true(test_saw(events, ENG_EVENT_STEP, "after", ENG_SKIPPED));
    assert_true(test_saw(events, ENG_EVENT_RUN, "", ENG_FAILED));
    free(events);
    test_ws_close(&t);
}

static void a_module_failure_is_reported_in_its_words(void **state)
{
    (void)state;
    test_needs_fault_modules();
    test_ws t;
    test_ws_open(&t);
    eng_run_options opt = test_options(NULL);
    wf_error err = {0};
    int rc = 0;
    int64_t run = run_doc(&t,
                          "{\"format\": \"weft.pipeline/1\", \"name\": \"f\", \"nodes\": ["
                          " {\"id\": \"f\", \"module\": \"test-fail@1\","
                          "  \"params\": {\"message\": \"the flux capacitor is empty\"}}],"
                          " \"edges\": []}",
                          &opt, &err, &rc);
    assert_true(rc < 0);
    assert_step_error(&t, run, "f", "failed", "the flux capacitor is empty");
    st_step s = test_step(&t, run, "f");
    assert_int_equal(s.signal, 0);
    st_step_clear(&s);
    /* A failed step is not cached: it runs again. */
    run = run_doc(&t,
                  "{\"format\": \"weft.pipeline/1\", \"name\": \"f\", \"nodes\": ["
                  " {\"id\": \"f\", \"module\": \"test-fail@1\","
                  "  \"params\": {\"message\": \"the flux capacitor is empty\"}}],"
                  " \"edges\": []}",
                  &opt, &err, &rc);
    assert_step_status(&t, run, "f", "failed");
    test_ws_close(&t);
}

static void a_step_over_its_time_limit_is_killed(void **state)
{
    (void)state;
    test_needs_fault_modules();
    test_ws t;
    test_ws_open(&t);
    eng_run_options opt = test_options(NULL);
    opt.time_limit_s = 1;
    wf_error err = {0};
    int rc = 0;
    double start = test_now();
    int64_t run = run_doc(&t,
                          "{\"format\": \"weft.pipeline/1\", \"name\": \"slow\", \"nodes\": ["
                          " {\"id\": \"nap\", \"module\": \"test-sleep@1\","
                          "  \"params\": {\"seconds\": 60}}], \"edges\": []}",
                          &opt, &err, &rc);
    double took = test_now() - start;
    assert_true(rc < 0);
    assert_true(took >= 1.0);
    assert_true(took < 10.0);
    assert_step_error(&t, run, "nap", "failed", "time limit 1 s exceeded");
    test_ws_close(&t);
}

static void a_step_over_its_memory_limit_is_killed(void **state)
{
    (void)state;
    test_needs_fault_modules();
    test_ws t;
    test_ws_open(&t);
    eng_run_options opt = test_options(NULL);
    opt.memory_limit_mb = 256;
    wf_error err = {0};
    int rc = 0;
    int64_t run = run_doc(&t,
                          "{\"format\": \"weft.pipeline/1\", \"name\": \"hog\", \"nodes\": ["
                          " {\"id\": \"hog\", \"module\": \"test-allocate@1\"},"
                          " {\"id\": \"fine\", \"module\": \"test-sleep@1\","
                          "  \"params\": {\"seconds\": 0}}], \"edges\": []}",
                          &opt, &err, &rc);
    assert_true(rc < 0);
    assert_step_error(&t, run, "hog", "failed", "memory limit 256 MB exceeded");
    st_step s = test_step(&t, run, "hog");
    assert_true(s.peak_rss_kb >= 200 * 1024);
    assert_int_equal(s.signal, SIGKILL);
    st_step_clear(&s);
    assert_step_status(&t, run, "fine", "completed");
    test_ws_close(&t);
}

#define SLEEP_THEN_MORE                                                                            \
    "{\"format\": \"weft.pipeline/1\", \"name\": \"nap\", \"nodes\": ["                            \
    " {\"id\": \"nap\", \"module\": \"test-sleep@1\", \"params\": {\"seconds\": 30}},"             \
    " {\"id\": \"more\", \"module\": \"test-sleep@1\", \"params\": {\"seconds\": 0}}],"            \
    " \"edges\": [{\"from\": \"nap.dataset\", \"to\": \"more.dataset\"}]}"

static void cancel_kills_running_steps_and_drops_queued_ones(void **state)
{
    (void)state;
    test_needs_fault_modules();
    test_ws t;
    test_ws_open(&t);
    test_events *events = calloc(1, sizeof *events);
    events->cancel_when_running = "nap";
    eng_run_options opt = test_options(events);
    wf_error err = {0};
    int rc = 0;
    double start = test_now();
    int64_t run = run_doc(&t, SLEEP_THEN_MORE, &opt, &err, &rc);
    assert_true(test_now() - start < 10.0);
    assert_true(rc < 0);
    assert_step_status(&t, run, "nap", "canceled");
    assert_step_status(&t, run, "more", "canceled");
    char *status = test_run_status(&t, run);
    assert_string_equal(status, "canceled");
    free(status);
    assert_true(test_saw(events, ENG_EVENT_RUN, "", ENG_CANCELED));
    free(events);
    test_ws_close(&t);
}

/* Asks for the cancel through the database, as `weft cancel` does from
 * another process, once the sleeping step runs. */
typedef struct db_cancel {
    const char *dir;
    bool requested;
} db_cancel;

static void cancel_through_the_database(void *user, const eng_event *ev)
{
    db_cancel *c = user;
    if (c->requested || ev->kind != ENG_EVENT_STEP || ev->status != ENG_RUNNING ||
        strcmp(ev->node, "nap") != 0)
        return;
    st_workspace *other = NULL;
    wf_error err = {0};
    if (st_open(c->dir, &other, &err) == 0 && st_run_request_cancel(other, ev->run_id, &err) == 0)
        c->requested = true;
    st_close(other);
}

static void a_cancel_requested_in_the_workspace_stops_the_run(void **state)
{
    (void)state;
    test_needs_fault_modules();
    test_ws t;
    test_ws_open(&t);
    db_cancel c = {.dir = t.dir};
    eng_run_options opt = test_options(NULL);
    opt.on_event = cancel_through_the_database;
    opt.user = &c;
    wf_error err = {0};
    int rc = 0;
    double start = test_now();
    int64_t run = run_doc(&t, SLEEP_THEN_MORE, &opt, &err, &rc);
    assert_true(c.requested);
    assert_true(test_now() - start < 10.0);
    assert_step_status(&t, run, "nap", "canceled");
    char *status = test_run_status(&t, run);
    assert_string_equal(status, "canceled");
    free(status);
    test_ws_close(&t);
}

/* ---- kill -9 --------------------------------------------------------------- */

#define KILLABLE_PIPELINE                                                                          \
    "{\"format\": \"weft.pipeline/1\", \"name\": \"killable\","                                    \
    " \"parameters\": {\"secs\": {\"type\": \"number\", \"default\": 30}},"                        \
    " \"nodes\": ["                                                                                \
    "  {\"id\": \"rows\", \"module\": \"enter-data@1\", \"params\": {\"data\": "                   \
    "\"a,b\\n1,2\\n\"}},"                                                                          \
    "  {\"id\": \"pick\", \"module\": \"select-columns@1\","                                       \
    "   \"params\": {\"columns\": {\"include\": [{\"names\": [\"a\"]}]}}},"                        \
    "  {\"id\": \"nap\", \"module\": \"test-sleep@1\","                                            \
    "   \"params\": {\"seconds\": {\"$param\": \"secs\"}}},"                                       \
    "  {\"id\": \"tail\", \"module\": \"test-sleep@1\", \"params\": {\"seconds\": 0}}],"           \
    " \"edges\": [{\"from\": \"rows.dataset\", \"to\": \"pick.dataset\"},"                         \
    "  {\"from\": \"pick.dataset\", \"to\": \"nap.dataset\"},"                                     \
    "  {\"from\": \"nap.dataset\", \"to\": \"tail.dataset\"}]}"

/* Waits until step `node` of run 1 is running; false after 20 s. */
static bool wait_for_running(const char *dir, const char *node)
{
    for (int i = 0; i < 400; i++) {
        st_workspace *ws = NULL;
        st_step s = {0};
        bool running = st_open(dir, &ws, NULL) == 0 && st_step_get(ws, 1, node, &s, NULL) == 0 &&
                       strcmp(s.status, "running") == 0;
        st_step_clear(&s);
        st_close(ws);
        if (running) return true;
        usleep(50 * 1000);
    }
    return false;
}

static void integrity_is_ok(const char *dir)
{
    char path[128];
    snprintf(path, sizeof path, "%s/weft.db", dir);
    sqlite3 *db = NULL;
    assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
    sqlite3_stmt *stmt = NULL;
    assert_int_equal(sqlite3_prepare_v2(db, "PRAGMA integrity_check", -1, &stmt, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_step(stmt), SQLITE_ROW);
    assert_string_equal((const char *)sqlite3_column_text(stmt, 0), "ok");
    sqlite3_finalize(stmt);
    sqlite3_close(db);
}

static void a_killed_run_is_marked_interrupted_and_its_work_kept(void **state)
{
    (void)state;
    test_needs_fault_modules();
    test_ws t;
    test_ws_open(&t);
    char file[128];
    snprintf(file, sizeof file, "%s/killable.json", t.dir);
    assert_int_equal(wf_write_file_atomic(file, KILLABLE_PIPELINE, strlen(KILLABLE_PIPELINE), NULL),
                     0);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        int null = open("/dev/null", O_WRONLY);
        dup2(null, 1);
        dup2(null, 2);
        execl(WEFT_BINARY, "weft", "--workspace", t.dir, "run", file, "--param", "secs=30",
              (char *)NULL);
        _exit(127);
    }
    bool running = wait_for_running(t.dir, "nap");
    kill(pid, SIGKILL);
    int status = 0;
    waitpid(pid, &status, 0);
    assert_true(running);
    assert_true(WIFSIGNALED(status));

    /* The workspace opens cleanly and is consistent. */
    integrity_is_ok(t.dir);
    st_close(t.ws);
    wf_error err = {0};
    assert_int_equal(st_open(t.dir, &t.ws, &err), 0);

    /* The next run marks the dead one and reuses what it completed. */
    eng_pipeline *p = test_pipeline(KILLABLE_PIPELINE);
    json_t *bindings = json_pack("{s:f}", "secs", 0.05);
    eng_run_options opt = test_options(NULL);
    opt.bindings = bindings;
    int64_t run = 0;
    if (eng_run(t.ws, p, &opt, &run, &err) < 0) fail_msg("eng_run: %s", err.message);
    assert_int_equal(run, 2);
    assert_step_status(&t, run, "rows", "reused");
    assert_step_status(&t, run, "pick", "reused");
    assert_step_status(&t, run, "nap", "completed");
    assert_step_status(&t, run, "tail", "completed");

    char *first_status = test_run_status(&t, 1);
    assert_string_equal(first_status, "failed");
    free(first_status);
    st_run r;
    assert_int_equal(st_run_get(t.ws, 1, &r, &err), 0);
    assert_non_null(strstr(r.error, "interrupted"));
    st_run_clear(&r);
    assert_step_status(&t, 1, "rows", "completed");
    assert_step_error(&t, 1, "nap", "failed",
                      "interrupted: the weft process ended before this step finished");
    assert_step_status(&t, 1, "tail", "skipped");
    assert_int_equal(test_tmp_files(&t), 0);
    integrity_is_ok(t.dir);
    json_decref(bindings);
    eng_pipeline_free(p);
    test_ws_close(&t);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(a_crash_fails_its_step_alone),
        cmocka_unit_test(a_module_failure_is_reported_in_its_words),
        cmocka_unit_test(a_step_over_its_time_limit_is_killed),
        cmocka_unit_test(a_step_over_its_memory_limit_is_killed),
        cmocka_unit_test(cancel_kills_running_steps_and_drops_queued_ones),
        cmocka_unit_test(a_cancel_requested_in_the_workspace_stops_the_run),
        cmocka_unit_test(a_killed_run_is_marked_interrupted_and_its_work_kept),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
