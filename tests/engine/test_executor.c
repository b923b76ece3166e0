/*
 * test_executor.c: eng_run end to end, each step in a `weft step` child:
 * what a run records (steps, outputs, logs, snapshot), the events it
 * publishes, parallel branches, pinned dataset versions, invalid
 * pipelines, and the event bus.
 */
#include "run_test.h"

#include <pthread.h>

static void a_pipeline_runs_and_records_its_outputs(void **state)
{
    (void)state;
    test_ws t;
    test_ws_open(&t);
    eng_pipeline *p = test_pipeline(TEST_FRUIT_PIPELINE);
    test_events *events = calloc(1, sizeof *events);
    eng_run_options opt = test_options(events);
    int64_t run = 0;
    wf_error err = {0};
    if (eng_run(t.ws, p, &opt, &run, &err) < 0) fail_msg("eng_run: %s", err.message);
    assert_true(run > 0);
    char *status = test_run_status(&t, run);
    assert_string_equal(status, "completed");
    free(status);
    const char *nodes[] = {"rows", "pick", "split"};
    for (size_t i = 0; i < 3; i++) {
        assert_step_status(&t, run, nodes[i], "completed");
        st_step s = test_step(&t, run, nodes[i]);
        assert_int_equal(strlen(s.cache_key), 64);
        assert_true(s.elapsed_ms >= 0);
        assert_true(s.peak_rss_kb > 0);
        assert_int_equal(s.reused_from_run, 0);
        /* The log is where the step says it is, and holds its lines. */
        char path[256];
        snprintf(path, sizeof path, "%s/%s", t.dir, s.log_path);
        char *log = NULL;
        assert_int_equal(wf_read_file(path, &log, NULL, NULL), 0);
        if (i == 0) assert_non_null(strstr(log, "read 4 rows, 3 columns"));
        free(log);
        st_step_clear(&s);
        assert_true(test_saw(events, ENG_EVENT_STEP, nodes[i], ENG_QUEUED));
        assert_true(test_saw(events, ENG_EVENT_STEP, nodes[i], ENG_RUNNING));
        assert_true(test_saw(events, ENG_EVENT_STEP, nodes[i], ENG_COMPLETED));
    }
    assert_true(test_saw(events, ENG_EVENT_RUN, "", ENG_RUNNING));
    assert_true(test_saw(events, ENG_EVENT_RUN, "", ENG_COMPLETED));
    assert_true(test_saw(events, ENG_EVENT_LOG, "rows", ENG_RUNNING));

    /* The outputs are artifacts: the split's two halves hold every row. */
    char *first = test_output(&t, run, "split", "first");
    char *second = test_output(&t, run, "split", "second");
    char *picked = test_output(&t, run, "pick", "dataset");
    assert_non_null(first);
    assert_non_null(second);
    assert_int_equal(test_table_rows(&t, first) + test_table_rows(&t, second), 4);
    tbl_table *table = NULL;
    assert_int_equal(st_artifact_load_table(t.ws, picked, &table, &err), 0);
    assert_int_equal(table->ncols, 2);
    assert_string_equal(table->cols[1].name, "price");
    tbl_free(table);

    /* The snapshot holds the canonical document and what was resolved. */
    st_run r;
    assert_int_equal(st_run_get(t.ws, run, &r, &err), 0);
    json_t *snap = json_loads(r.snapshot_json, 0, NULL);
    assert_non_null(snap);
    assert_non_null(json_object_get(snap, "pipeline"));
    json_t *fraction = json_object_get(
        json_object_get(json_object_get(json_object_get(snap, "steps"), "split"), "params"),
        "fraction");
    assert_true(json_is_number(fraction));
    assert_true(json_number_value(fraction) == 0.5);
    json_decref(snap);
    assert_string_equal(r.experiment, "Default");
    assert_string_equal(r.pipeline_name, "fruit");
    st_run_clear(&r);
    free(first);
    free(second);
    free(picked);
    free(events);
    eng_pipeline_free(p);
    test_ws_close(&t);
}

static void parameter_values_reach_the_steps_and_the_record(void **state)
{
    (void)state;
    test_ws t;
    test_ws_open(&t);
    eng_pipeline *p = test_pipeline(TEST_FRUIT_PIPELINE);
    json_t *bindings = json_pack("{s:f}", "fraction", 0.25);
    eng_run_options opt = test_options(NULL);
    opt.bindings = bindings;
    opt.experiment = "tuning";
    int64_t run = 0;
    wf_error err = {0};
    assert_int_equal(eng_run(t.ws, p, &opt, &run, &err), 0);
    char *first = test_output(&t, run, "split", "first");
    assert_int_equal(test_table_rows(&t, first), 1); /* a quarter of four rows */
    free(first);
    st_run r;
    assert_int_equal(st_run_get(t.ws, run, &r, &err), 0);
    assert_string_equal(r.experiment, "tuning");
    assert_string_equal(r.parameters_json, "{\"fraction\":0.25}");
    st_run_clear(&r);
    json_decref(bindings);
    eng_pipeline_free(p);
    test_ws_close(&t);
}

/* Two sleeping branches off one source. */
#define TWO_BRANCHES                                                                               \
    "{\"format\": \"weft.pipeline/1\", \"name\": \"branches\", \"nodes\": ["                       \
    " {\"id\": \"a\", \"module\": \"test-sleep@1\", \"params\": {\"seconds\": 0.6}},"              \
    " {\"id\": \"b\", \"module\": \"test-sleep@1\", \"params\": {\"seconds\": 0.61}}],"            \
    " \"edges\": []}"

/* Whether the two steps' [started, finished] intervals overlap. */
static bool steps_overlap(test_ws *t, int64_t run)
{
    st_step a = test_step(t, run, "a"), b = test_step(t, run, "b");
    /* ISO-8601 UTC with milliseconds compares as text. */
    bool overlap =
        strcmp(a.started_at, b.finished_at) < 0 && strcmp(b.started_at, a.finished_at) < 0;
    st_step_clear(&a);
    st_step_clear(&b);
    return overlap;
}

static void independent_branches_run_side_by_side_up_to_jobs(void **state)
{
    (void)state;
    test_needs_fault_modules();
    test_ws t;
    test_ws_open(&t);
    eng_pipeline *p = test_pipeline(TWO_BRANCHES);
    eng_run_options opt = test_options(NULL);
    opt.no_cache = true;
    int64_t run = 0;
    wf_error err = {0};
    opt.jobs = 2;
    assert_int_equal(eng_run(t.ws, p, &opt, &run, &err), 0);
    assert_true(steps_overlap(&t, run));
    opt.jobs = 1;
    assert_int_equal(eng_run(t.ws, p, &opt, &run, &err), 0);
    assert_false(steps_overlap(&t, run));
    eng_pipeline_free(p);
    test_ws_close(&t);
}

static void a_dataset_node_reads_the_version_pinned_at_the_start(void **state)
{
    (void)state;
    test_ws t;
    test_ws_open(&t);
    wf_error err = {0};
    tbl_table *v1 = NULL, *v2 = NULL;
    const char *csv1 = "x,y\n1,a\n2,b\n", *csv2 = "x,y\n1,a\n2,b\n3,c\n";
    assert_int_equal(tbl_read_csv(csv1, strlen(csv1), NULL, &v1, &err), 0);
    assert_int_equal(tbl_read_csv(csv2, strlen(csv2), NULL, &v2, &err), 0);
    assert_int_equal(st_dataset_register(t.ws, "letters", v1, "", "", NULL, &err), 0);
    eng_pipeline *p = test_pipeline(
        "{\"format\": \"weft.pipeline/1\", \"name\": \"ds\", \"nodes\": ["
        " {\"id\": \"data\", \"module\": \"dataset@1\", \"params\": {\"dataset\": \"letters\"}},"
        " {\"id\": \"pick\", \"module\": \"select-columns@1\","
        "  \"params\": {\"columns\": {\"include\": [{\"names\": [\"x\"]}]}}}],"
        " \"edges\": [{\"from\": \"data.dataset\", \"to\": \"pick.dataset\"}]}");
    eng_run_options opt = test_options(NULL);
    int64_t run1 = 0, run2 = 0;
    if (eng_run(t.ws, p, &opt, &run1, &err) < 0) fail_msg("eng_run: %s", err.message);
    st_run r;
    assert_int_equal(st_run_get(t.ws, run1, &r, &err), 0);
    json_t *snap = json_loads(r.snapshot_json, 0, NULL);
    json_t *ds =
        json_object_get(json_object_get(json_object_get(snap, "steps"), "data"), "dataset");
    assert_int_equal(json_integer_value(json_object_get(ds, "version")), 1);
    assert_string_equal(json_string_value(json_object_get(ds, "name")), "letters");
    json_decref(snap);
    st_run_clear(&r);
    char *out1 = test_output(&t, run1, "pick", "dataset");
    assert_int_equal(test_table_rows(&t, out1), 2);

    /* A new version changes the dataset step's key: it and its downstream
     * run again, on the new rows. */
    assert_int_equal(st_dataset_register(t.ws, "letters", v2, "", "", NULL, &err), 0);
    assert_int_equal(eng_run(t.ws, p, &opt, &run2, &err), 0);
    assert_step_status(&t, run2, "data", "completed");
    assert_step_status(&t, run2, "pick", "completed");
    char *out2 = test_output(&t, run2, "pick", "dataset");
    assert_int_equal(test_table_rows(&t, out2), 3);
    free(out1);
    free(out2);
    tbl_free(v1);
    tbl_free(v2);
    eng_pipeline_free(p);
    test_ws_close(&t);
}

static void an_invalid_pipeline_fails_with_every_message_and_no_run(void **state)
{
    (void)state;
    test_ws t;
    test_ws_open(&t);
    eng_pipeline *p = test_pipeline(
        "{\"format\": \"weft.pipeline/1\", \"name\": \"bad\", \"nodes\": ["
        " {\"id\": \"s\", \"module\": \"split-data@1\", \"params\": {\"fraction\": 7}},"
        " {\"id\": \"x\", \"module\": \"no-such-module@1\"}], \"edges\": []}");
    eng_run_options opt = test_options(NULL);
    int64_t run = -1;
    wf_error err = {0};
    assert_int_equal(eng_run(t.ws, p, &opt, &run, &err), WF_EINVAL);
    assert_int_equal(run, 0);
    assert_non_null(strstr(err.message, "s.fraction"));
    assert_non_null(strstr(err.message, "x"));
    assert_non_null(strstr(err.message, "; ")); /* joined */
    st_run *runs = NULL;
    size_t n = 9;
    assert_int_equal(st_run_list(t.ws, NULL, 0, &runs, &n, &err), 0);
    assert_int_equal(n, 0);
    st_runs_free(runs, n);

    opt.weft_binary = "/nonexistent/weft";
    eng_pipeline_free(p);
    p = test_pipeline(TEST_FRUIT_PIPELINE);
    wf_error_clear(&err);
    assert_int_equal(eng_run(t.ws, p, &opt, &run, &err), WF_EINVAL);
    assert_non_null(strstr(err.message, "/nonexistent/weft"));
    eng_pipeline_free(p);
    test_ws_close(&t);
}

/* ---- the bus --------------------------------------------------------------- */

typedef struct counter {
    int calls;
    eng_bus *bus;
    uint64_t self; /* unsubscribe from inside the callback when set */
} counter;

static void count_event(void *user, const eng_event *ev)
{
    (void)ev;
    counter *c = user;
    c->calls++;
    if (c->self != 0) eng_bus_unsubscribe(c->bus, c->self);
}

static void *publish_many(void *arg)
{
    eng_bus *bus = arg;
    eng_event ev = {.kind = ENG_EVENT_LOG, .run_id = 1, .node = "n", .message = "x"};
    for (int i = 0; i < 1000; i++)
        eng_bus_publish(bus, &ev);
    return NULL;
}

static void the_bus_delivers_by_run_and_stops_after_unsubscribe(void **state)
{
    (void)state;
    eng_bus *bus = eng_bus_new();
    assert_non_null(bus);
    counter all = {0}, one = {0}, other = {0}, once = {.bus = bus};
    uint64_t id_all, id_one, id_other;
    assert_int_equal(eng_bus_subscribe(bus, 0, count_event, &all, &id_all), 0);
    assert_int_equal(eng_bus_subscribe(bus, 1, count_event, &one, &id_one), 0);
    assert_int_equal(eng_bus_subscribe(bus, 2, count_event, &other, &id_other), 0);
    assert_int_equal(eng_bus_subscribe(bus, 0, count_event, &once, &once.self), 0);
    eng_event ev = {.kind = ENG_EVENT_RUN, .run_id = 1, .status = ENG_RUNNING};
    eng_bus_publish(bus, &ev);
    eng_bus_publish(bus, &ev);
    assert_int_equal(all.calls, 2);
    assert_int_equal(one.calls, 2);
    assert_int_equal(other.calls, 0);
    assert_int_equal(once.calls, 1); /* it unsubscribed itself */
    eng_bus_unsubscribe(bus, id_one);
    eng_bus_publish(bus, &ev);
    assert_int_equal(one.calls, 2);
    assert_int_equal(all.calls, 3);

    /* Publishers on several threads: every event arrives, one at a time. */
    pthread_t threads[4];
    for (int i = 0; i < 4; i++)
        assert_int_equal(pthread_create(&threads[i], NULL, publish_many, bus), 0);
    for (int i = 0; i < 4; i++)
        pthread_join(threads[i], NULL);
    assert_int_equal(all.calls, 4003);
    assert_int_equal(eng_bus_subscribe(bus, 0, NULL, NULL, NULL), WF_EINVAL);
    eng_bus_free(bus);
    eng_bus_free(NULL);
}

static void status_names_are_the_documented_words(void **state)
{
    (void)state;
    assert_string_equal(eng_status_name(ENG_QUEUED), "queued");
    assert_string_equal(eng_status_name(ENG_RUNNING), "running");
    assert_string_equal(eng_status_name(ENG_COMPLETED), "completed");
    assert_string_equal(eng_status_name(ENG_REUSED), "reused");
    assert_string_equal(eng_status_name(ENG_FAILED), "failed");
    assert_string_equal(eng_status_name(ENG_CANCELED), "canceled");
    assert_string_equal(eng_status_name(ENG_SKIPPED), "skipped");
    assert_string_equal(eng_status_name((eng_status)99), "unknown");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(a_pipeline_runs_and_records_its_outputs),
        cmocka_unit_test(parameter_values_reach_the_steps_and_the_record),
        cmocka_unit_test(independent_branches_run_side_by_side_up_to_jobs),
        cmocka_unit_test(a_dataset_node_reads_the_version_pinned_at_the_start),
        cmocka_unit_test(an_invalid_pipeline_fails_with_every_message_and_no_run),
        cmocka_unit_test(the_bus_delivers_by_run_and_stops_after_unsubscribe),
        cmocka_unit_test(status_names_are_the_documented_words),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
