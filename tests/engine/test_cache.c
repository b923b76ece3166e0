/*
 * test_cache.c: step keys and reuse. A second run of the same pipeline
 * reuses every step; --no-cache recomputes and gets the same bytes
 * (determinism); a node asked to regenerate reruns alone; a changed
 * parameter reruns its node and what depends on it; a missing artifact is
 * never trusted.
 */
#include "run_test.h"

static int64_t run_fruit(test_ws *t, const eng_run_options *opt, double *seconds)
{
    eng_pipeline *p = test_pipeline(TEST_FRUIT_PIPELINE);
    int64_t run = 0;
    wf_error err = {0};
    double start = test_now();
    if (eng_run(t->ws, p, opt, &run, &err) < 0) fail_msg("eng_run: %s", err.message);
    if (seconds != NULL) *seconds = test_now() - start;
    eng_pipeline_free(p);
    return run;
}

static void assert_same_output(test_ws *t, int64_t a, int64_t b, const char *node, const char *port)
{
    char *da = test_output(t, a, node, port), *db = test_output(t, b, node, port);
    assert_non_null(da);
    assert_non_null(db);
    assert_string_equal(da, db);
    free(da);
    free(db);
}

static void a_second_run_reuses_every_step_at_once(void **state)
{
    (void)state;
    test_ws t;
    test_ws_open(&t);
    eng_run_options opt = test_options(NULL);
    double first_s = 0, second_s = 0;
    int64_t first = run_fruit(&t, &opt, &first_s);
    int64_t second = run_fruit(&t, &opt, &second_s);
    const char *nodes[] = {"rows", "pick", "split"};
    for (size_t i = 0; i < 3; i++) {
        assert_step_status(&t, second, nodes[i], "reused");
        st_step s = test_step(&t, second, nodes[i]);
        assert_int_equal(s.reused_from_run, first);
        assert_int_equal(s.elapsed_ms, 0);
        st_step_clear(&s);
    }
    assert_same_output(&t, first, second, "split", "first");
    assert_same_output(&t, first, second, "split", "second");
    char *status = test_run_status(&t, second);
    assert_string_equal(status, "completed");
    free(status);
    /* No process starts for a reused step: the run is much faster. */
    assert_true(second_s < first_s / 2);
    test_ws_close(&t);
}

static void no_cache_recomputes_the_same_bytes(void **state)
{
    (void)state;
    test_ws t;
    test_ws_open(&t);
    eng_run_options opt = test_options(NULL);
    int64_t first = run_fruit(&t, &opt, NULL);
    opt.no_cache = true;
    int64_t again = run_fruit(&t, &opt, NULL);
    const char *nodes[] = {"rows", "pick", "split"};
    for (size_t i = 0; i < 3; i++)
        assert_step_status(&t, again, nodes[i], "completed");
    /* Determinism: same inputs, parameters and seed, same artifacts. */
    assert_same_output(&t, first, again, "rows", "dataset");
    assert_same_output(&t, first, again, "pick", "dataset");
    assert_same_output(&t, first, again, "split", "first");
    assert_same_output(&t, first, again, "split", "second");
    st_step a = test_step(&t, first, "split"), b = test_step(&t, again, "split");
    assert_string_equal(a.cache_key, b.cache_key);
    st_step_clear(&a);
    st_step_clear(&b);
    test_ws_close(&t);
}

static void a_changed_parameter_reruns_its_node_and_downstream_only(void **state)
{
    (void)state;
    test_ws t;
    test_ws_open(&t);
    eng_run_options opt = test_options(NULL);
    int64_t first = run_fruit(&t, &opt, NULL);
    json_t *bindings = json_pack("{s:f}", "fraction", 0.75);
    opt.bindings = bindings;
    int64_t second = run_fruit(&t, &opt, NULL);
    assert_step_status(&t, second, "rows", "reused");
    assert_step_status(&t, second, "pick", "reused");
    assert_step_status(&t, second, "split", "completed");
    char *a = test_output(&t, first, "split", "first"),
         *b = test_output(&t, second, "split", "first");
    assert_string_not_equal(a, b);
    free(a);
    free(b);
    json_decref(bindings);
    test_ws_close(&t);
}

static void a_node_that_asks_to_regenerate_always_reruns(void **state)
{
    (void)state;
    test_ws t;
    test_ws_open(&t);
    eng_run_options opt = test_options(NULL);
    run_fruit(&t, &opt, NULL);
    /* The same pipeline with "regenerate" on the middle node. */
    char *doc = strdup(TEST_FRUIT_PIPELINE);
    char *at = strstr(doc, "\"id\": \"pick\",");
    assert_non_null(at);
    size_t n = strlen(doc) + 32;
    char *edited = malloc(n);
    snprintf(edited, n, "%.*s\"regenerate\": true, %s", (int)(at - doc), doc, at);
    eng_pipeline *p = test_pipeline(edited);
    int64_t run = 0;
    wf_error err = {0};
    assert_int_equal(eng_run(t.ws, p, &opt, &run, &err), 0);
    assert_step_status(&t, run, "rows", "reused");
    assert_step_status(&t, run, "pick", "completed");
    /* Its output came out the same, so the step after it is reused. */
    assert_step_status(&t, run, "split", "reused");
    eng_pipeline_free(p);
    free(edited);
    free(doc);
    test_ws_close(&t);
}

static void a_cache_entry_whose_artifact_is_gone_is_not_trusted(void **state)
{
    (void)state;
    test_ws t;
    test_ws_open(&t);
    eng_run_options opt = test_options(NULL);
    int64_t first = run_fruit(&t, &opt, NULL);
    char *digest = test_output(&t, first, "split", "second");
    char *path = st_artifact_path(t.ws, digest);
    assert_int_equal(unlink(path), 0);
    int64_t second = run_fruit(&t, &opt, NULL);
    assert_step_status(&t, second, "pick", "reused");
    assert_step_status(&t, second, "split", "completed");
    assert_true(st_artifact_exists(t.ws, digest)); /* made again, the same bytes */
    free(path);
    free(digest);
    test_ws_close(&t);
}

static void step_keys_change_with_every_part_and_only_then(void **state)
{
    (void)state;
    wf_error err = {0};
    char base[WF_SHA256_HEX], k[WF_SHA256_HEX];
    const char *d1 = "1111111111111111111111111111111111111111111111111111111111111111";
    const char *d2 = "2222222222222222222222222222222222222222222222222222222222222222";
    const char *inputs[] = {d1, d2};
    json_t *params = json_pack("{s:f, s:i}", "fraction", 0.5, "seed", 1);
    assert_int_equal(eng_step_key("split-data@1", params, inputs, 2, NULL, base, &err), 0);
    assert_int_equal(strlen(base), 64);
    /* The same parts give the same key, whatever the key order in params. */
    json_t *reordered = json_pack("{s:i, s:f}", "seed", 1, "fraction", 0.5);
    assert_int_equal(eng_step_key("split-data@1", reordered, inputs, 2, NULL, k, &err), 0);
    assert_string_equal(k, base);
    /* Each part matters. */
    assert_int_equal(eng_step_key("split-data@2", params, inputs, 2, NULL, k, &err), 0);
    assert_string_not_equal(k, base);
    json_object_set_new(reordered, "seed", json_integer(2));
    assert_int_equal(eng_step_key("split-data@1", reordered, inputs, 2, NULL, k, &err), 0);
    assert_string_not_equal(k, base);
    const char *swapped[] = {d2, d1};
    assert_int_equal(eng_step_key("split-data@1", params, swapped, 2, NULL, k, &err), 0);
    assert_string_not_equal(k, base);
    const char *one_missing[] = {d1, NULL};
    assert_int_equal(eng_step_key("split-data@1", params, one_missing, 2, NULL, k, &err), 0);
    assert_string_not_equal(k, base);
    assert_int_equal(eng_step_key("split-data@1", params, inputs, 2, d1, k, &err), 0);
    assert_string_not_equal(k, base);
    assert_int_equal(eng_step_key(NULL, params, inputs, 2, NULL, k, &err), WF_EINVAL);
    json_decref(params);
    json_decref(reordered);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(a_second_run_reuses_every_step_at_once),
        cmocka_unit_test(no_cache_recomputes_the_same_bytes),
        cmocka_unit_test(a_changed_parameter_reruns_its_node_and_downstream_only),
        cmocka_unit_test(a_node_that_asks_to_regenerate_always_reruns),
        cmocka_unit_test(a_cache_entry_whose_artifact_is_gone_is_not_trusted),
        cmocka_unit_test(step_keys_change_with_every_part_and_only_then),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
