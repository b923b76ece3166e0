/*
 * test_compute.c: compute targets in the engine (#12): a target's settings,
 * a node's "compute" field (parse, validation, canonical form), runs that
 * name a target (unknown, named local, Slurm without sbatch), and retries
 * on the local backend. Running on Slurm is tests/slurm/slurm.test.mjs.
 */
#include "run_test.h"

static json_t *json(const char *text)
{
    json_t *v = json_loads(text, 0, NULL);
    if (v == NULL) fail_msg("bad test JSON: %s", text);
    return v;
}

static void target_settings_are_checked_naming_the_setting(void **state)
{
    (void)state;
    static const char *const good[][2] = {
        {"slurm", "{}"},
        {"slurm", "{\"partition\": \"debug\", \"account\": \"lab\", \"time_limit\": \"1-02:30:00\","
                  " \"cpus\": 4, \"memory_mb\": 2048, \"sbatch_args\": [\"--qos=low\"],"
                  " \"workspace\": \"/shared/ws\", \"weft\": \"/opt/weft\", \"retries\": 3,"
                  " \"max_jobs\": 10}"},
        {"slurm", "{\"time_limit\": 90}"},
        {"slurm", "{\"time_limit\": \"30\"}"},
        {"local", "{}"},
        {"local", "{\"retries\": 0}"},
    };
    wf_error err = {0};
    for (size_t i = 0; i < sizeof good / sizeof good[0]; i++) {
        json_t *c = json(good[i][1]);
        if (eng_compute_check(good[i][0], c, &err) < 0)
            fail_msg("%s %s: %s", good[i][0], good[i][1], err.message);
        json_decref(c);
    }
    assert_int_equal(eng_compute_check("slurm", NULL, &err), 0);
    static const char *const bad[][3] = {
        {"slurm", "{\"partition\": \"\"}", "\"partition\""},
        {"slurm", "{\"account\": 7}", "\"account\""},
        {"slurm", "{\"time_limit\": \"1:\"}", "\"time_limit\""},
        {"slurm", "{\"time_limit\": \"1-2-3\"}", "\"time_limit\""},
        {"slurm", "{\"time_limit\": 0}", "\"time_limit\""},
        {"slurm", "{\"cpus\": 4097}", "\"cpus\""},
        {"slurm", "{\"memory_mb\": 0.5}", "\"memory_mb\""},
        {"slurm", "{\"max_jobs\": 0}", "\"max_jobs\""},
        {"slurm", "{\"sbatch_args\": \"--qos=low\"}", "\"sbatch_args\""},
        {"slurm", "{\"sbatch_args\": [\"--a\", \"b\"]}", "item 2"},
        {"slurm", "{\"workspace\": \"ws\"}", "\"workspace\" must be an absolute path"},
        {"slurm", "{\"weft\": \"/bin/we\\nft\"}", "\"weft\""},
        {"slurm", "{\"retries\": -1}", "\"retries\""},
        {"slurm", "{\"nodes\": 2}", "unknown setting \"nodes\""},
        {"local", "{\"partition\": \"debug\"}", "a local target takes"},
        {"kubernetes", "{}", "not \"kubernetes\""},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        json_t *c = json(bad[i][1]);
        memset(&err, 0, sizeof err);
        assert_int_equal(eng_compute_check(bad[i][0], c, &err), WF_EINVAL);
        if (strstr(err.message, bad[i][2]) == NULL)
            fail_msg("%s: \"%s\" lacks \"%s\"", bad[i][1], err.message, bad[i][2]);
        json_decref(c);
    }
    json_t *arr = json("[]");
    memset(&err, 0, sizeof err);
    assert_int_equal(eng_compute_check("slurm", arr, &err), WF_EINVAL);
    json_decref(arr);
}

#define TEST_NODE_DOC(compute)                                                                     \
    "{\"format\": \"weft.pipeline/1\", \"nodes\": [{\"id\": \"a\", \"module\": \"enter-data@1\","  \
    " \"params\": {\"data\": \"x\\n1\\n\"}, \"compute\": " compute "}], \"edges\": []}"

static void a_node_names_its_target_and_retries(void **state)
{
    (void)state;
    eng_pipeline *p = test_pipeline(TEST_NODE_DOC("\"hpc\""));
    assert_string_equal(eng_node_compute_target(&p->nodes[0]), "hpc");
    assert_int_equal(eng_node_retries(&p->nodes[0]), -1);
    eng_pipeline_free(p);
    p = test_pipeline(TEST_NODE_DOC("{\"target\": \"gpu\", \"retries\": 2}"));
    assert_string_equal(eng_node_compute_target(&p->nodes[0]), "gpu");
    assert_int_equal(eng_node_retries(&p->nodes[0]), 2);
    /* The canonical document keeps the field, so a rerun of the snapshot
     * runs where the original did. */
    json_t *c = eng_pipeline_canonical(p);
    json_t *node = json_array_get(json_object_get(c, "nodes"), 0);
    char *text = json_dumps(json_object_get(node, "compute"), JSON_COMPACT | JSON_SORT_KEYS);
    assert_string_equal(text, "{\"retries\":2,\"target\":\"gpu\"}");
    free(text);
    json_decref(c);
    eng_pipeline_free(p);
    p = test_pipeline(TEST_NODE_DOC("{\"retries\": 1}"));
    assert_null(eng_node_compute_target(&p->nodes[0]));
    assert_int_equal(eng_node_retries(&p->nodes[0]), 1);
    eng_pipeline_free(p);
    p = test_pipeline(TEST_NODE_DOC("null"));
    assert_null(p->nodes[0].compute);
    assert_null(eng_node_compute_target(&p->nodes[0]));
    eng_pipeline_free(p);

    const char *wrong = TEST_NODE_DOC("[\"hpc\"]");
    wf_error err = {0};
    assert_int_equal(eng_pipeline_parse(wrong, strlen(wrong), &p, &err), WF_EINVAL);
    assert_non_null(strstr(err.message, "node \"a\": \"compute\" must be a compute target's name"));
}

/* The issue validation gives node "a" on field "compute", or fails. */
static void expect_compute_issue(const char *doc, const char *message)
{
    eng_pipeline *p = test_pipeline(doc);
    eng_issues issues = {0};
    wf_error err = {0};
    assert_int_equal(eng_pipeline_validate(p, NULL, NULL, &issues, &err), 0);
    bool found = false;
    for (size_t i = 0; i < issues.count; i++)
        if (strcmp(issues.items[i].node, "a") == 0 &&
            strcmp(issues.items[i].field, "compute") == 0 &&
            strstr(issues.items[i].message, message) != NULL)
            found = true;
    if (!found)
        fail_msg("no issue a.compute \"%s\" for %s (%zu issues)", message, doc, issues.count);
    eng_issues_clear(&issues);
    eng_pipeline_free(p);
}

static void validation_marks_a_bad_compute_field_on_its_node(void **state)
{
    (void)state;
    expect_compute_issue(TEST_NODE_DOC("{\"retries\": 11}"), "from 0 to 10");
    expect_compute_issue(TEST_NODE_DOC("{\"retries\": \"2\"}"), "from 0 to 10");
    expect_compute_issue(TEST_NODE_DOC("{\"target\": true}"), "\"target\" must be");
    expect_compute_issue(TEST_NODE_DOC("{\"where\": \"hpc\"}"), "unknown member \"where\"");
    expect_compute_issue(TEST_NODE_DOC("\"\""), "cannot be empty");
    expect_compute_issue(TEST_NODE_DOC("\"a b\""), "character 2");
    /* A good field gives no issue. */
    eng_pipeline *p = test_pipeline(TEST_NODE_DOC("{\"target\": \"hpc\", \"retries\": 0}"));
    eng_issues issues = {0};
    assert_int_equal(eng_pipeline_validate(p, NULL, NULL, &issues, NULL), 0);
    assert_int_equal(issues.count, 0);
    eng_pipeline_free(p);
}

static int64_t count_runs(test_ws *t)
{
    st_run *runs = NULL;
    size_t n = 0;
    assert_int_equal(st_run_list(t->ws, NULL, 0, &runs, &n, NULL), 0);
    st_runs_free(runs, n);
    return (int64_t)n;
}

static void a_run_on_a_target_that_does_not_exist_never_starts(void **state)
{
    (void)state;
    test_ws t;
    test_ws_open(&t);
    eng_pipeline *p = test_pipeline(TEST_FRUIT_PIPELINE);
    eng_run_options opt = test_options(NULL);
    opt.compute = "nowhere";
    int64_t run = -1;
    wf_error err = {0};
    assert_int_equal(eng_run(t.ws, p, &opt, &run, &err), WF_EINVAL);
    assert_int_equal(run, 0);
    assert_non_null(strstr(err.message, "no compute target \"nowhere\""));
    eng_pipeline_free(p);

    /* A node's override is looked up too, and named in the message. */
    p = test_pipeline(TEST_NODE_DOC("\"gone\""));
    opt.compute = NULL;
    memset(&err, 0, sizeof err);
    assert_int_equal(eng_run(t.ws, p, &opt, &run, &err), WF_EINVAL);
    assert_non_null(strstr(err.message, "node a: there is no compute target \"gone\""));
    assert_int_equal(count_runs(&t), 0);
    eng_pipeline_free(p);
    test_ws_close(&t);
}

static void a_slurm_target_without_sbatch_fails_before_the_run(void **state)
{
    (void)state;
    test_ws t;
    test_ws_open(&t);
    wf_error err = {0};
    assert_int_equal(st_compute_save(t.ws, "hpc", "slurm", "{}", false, &err), 0);
    eng_pipeline *p = test_pipeline(TEST_FRUIT_PIPELINE);
    eng_run_options opt = test_options(NULL);
    opt.compute = "hpc";
    char *path = strdup(getenv("PATH") ? getenv("PATH") : "/usr/bin:/bin");
    setenv("PATH", "/nonexistent", 1);
    int64_t run = -1;
    int rc = eng_run(t.ws, p, &opt, &run, &err);
    setenv("PATH", path, 1);
    free(path);
    assert_int_equal(rc, WF_EINVAL);
    assert_non_null(strstr(err.message, "sbatch is not on this machine's PATH"));
    assert_int_equal(count_runs(&t), 0);
    eng_pipeline_free(p);
    test_ws_close(&t);
}

static void a_named_local_target_runs_the_same_and_is_recorded(void **state)
{
    (void)state;
    test_ws t;
    test_ws_open(&t);
    wf_error err = {0};
    assert_int_equal(st_compute_save(t.ws, "here", "local", "{}", false, &err), 0);
    eng_pipeline *p = test_pipeline(TEST_FRUIT_PIPELINE);
    eng_run_options opt = test_options(NULL);
    int64_t a = 0, b = 0;
    opt.no_cache = true;
    if (eng_run(t.ws, p, &opt, &a, &err) < 0) fail_msg("eng_run: %s", err.message);
    opt.compute = "here";
    if (eng_run(t.ws, p, &opt, &b, &err) < 0) fail_msg("eng_run: %s", err.message);
    char *da = test_output(&t, a, "split", "first"), *db = test_output(&t, b, "split", "first");
    assert_string_equal(da, db);
    free(da);
    free(db);
    char *name = NULL;
    assert_int_equal(st_run_compute(t.ws, a, &name, &err), 0);
    assert_string_equal(name, "local");
    free(name);
    assert_int_equal(st_run_compute(t.ws, b, &name, &err), 0);
    assert_string_equal(name, "here");
    free(name);
    st_step_job *jobs = NULL;
    size_t n = 9;
    assert_int_equal(st_step_jobs(t.ws, b, &jobs, &n, &err), 0);
    assert_int_equal(n, 0); /* local steps have no scheduler job */
    eng_pipeline_free(p);
    test_ws_close(&t);
}

static size_t count_log_events(const test_events *e, const char *node, const char *needle)
{
    size_t n = 0;
    for (size_t i = 0; i < e->count; i++)
        if (e->items[i].kind == ENG_EVENT_LOG && strcmp(e->items[i].node, node) == 0 &&
            strstr(e->items[i].message, needle) != NULL)
            n++;
    return n;
}

static void a_failing_step_is_tried_as_often_as_its_retries_say(void **state)
{
    (void)state;
    test_needs_fault_modules();
    test_ws t;
    test_ws_open(&t);
    wf_error err = {0};
    /* The target allows one retry; the node asks for two, and wins. */
    assert_int_equal(st_compute_save(t.ws, "flaky", "local", "{\"retries\": 1}", false, &err), 0);
    static const char doc[] =
        "{\"format\": \"weft.pipeline/1\", \"nodes\": ["
        " {\"id\": \"boom\", \"module\": \"test-fail@1\", \"params\": {\"message\": \"no luck\"},"
        "  \"compute\": {\"retries\": 2}},"
        " {\"id\": \"once\", \"module\": \"test-fail@1\", \"params\": {\"message\": \"once\"}}],"
        " \"edges\": []}";
    eng_pipeline *p = test_pipeline(doc);
    test_events *events = calloc(1, sizeof *events);
    eng_run_options opt = test_options(events);
    opt.compute = "flaky";
    int64_t run = 0;
    assert_int_equal(eng_run(t.ws, p, &opt, &run, &err), WF_EIO);
    assert_true(run > 0);
    assert_int_equal(count_log_events(events, "boom", "trying again"), 2);
    assert_int_equal(
        count_log_events(events, "boom", "weft: try 2 failed: no luck; trying again (3 of 3)"), 1);
    assert_int_equal(count_log_events(events, "once", "trying again (2 of 2)"), 1);
    st_step s = test_step(&t, run, "boom");
    assert_string_equal(s.status, "failed");
    assert_string_equal(s.error, "no luck");
    st_step_clear(&s);
    free(events);
    eng_pipeline_free(p);
    test_ws_close(&t);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(target_settings_are_checked_naming_the_setting),
        cmocka_unit_test(a_node_names_its_target_and_retries),
        cmocka_unit_test(validation_marks_a_bad_compute_field_on_its_node),
        cmocka_unit_test(a_run_on_a_target_that_does_not_exist_never_starts),
        cmocka_unit_test(a_slurm_target_without_sbatch_fails_before_the_run),
        cmocka_unit_test(a_named_local_target_runs_the_same_and_is_recorded),
        cmocka_unit_test(a_failing_step_is_tried_as_often_as_its_retries_say),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
