/*
 * test_published.c: published pipelines in the store (published.c):
 * versions numbered per name and never changed, the default version,
 * names checked, runs remembered, and every lookup of what is not there
 * answered WF_ENOTFOUND naming it.
 */
#include "store_test.h"

static const char *const doc1 = "{\"format\":\"weft.pipeline/1\",\"name\":\"one\"}";
static const char *const doc2 = "{\"format\":\"weft.pipeline/1\",\"name\":\"two\"}";

static void publishing_a_name_twice_makes_two_versions(void **state)
{
    (void)state;
    char *dir = make_temp_dir();
    st_workspace *ws = open_workspace(dir);
    wf_error err = {0};
    st_published p = {0};
    int v = 0;
    assert_int_equal(
        st_published_publish(ws, "cars scoring", "first", doc1, "draft:1@2", &p, &v, &err), 0);
    assert_int_equal(v, 1);
    assert_int_equal(p.default_version, 1);
    assert_int_equal(p.versions, 1);
    assert_string_equal(p.description, "first");
    int64_t id = p.id;
    st_published_clear(&p);
    /* A new version keeps the description unless given one. */
    assert_int_equal(st_published_publish(ws, "cars scoring", NULL, doc2, "run:4", &p, &v, &err),
                     0);
    assert_int_equal(v, 2);
    assert_int_equal(p.id, id);
    assert_int_equal(p.versions, 2);
    assert_int_equal(p.default_version, 1);
    assert_string_equal(p.description, "first");
    st_published_clear(&p);
    assert_int_equal(st_published_publish(ws, "other", "", doc1, "", NULL, &v, &err), 0);
    assert_int_equal(v, 1);

    st_published *list = NULL;
    size_t n = 0;
    assert_int_equal(st_published_list(ws, &list, &n, &err), 0);
    assert_int_equal(n, 2);
    assert_string_equal(list[0].name, "cars scoring");
    assert_string_equal(list[1].name, "other");
    st_published_free(list, n);

    st_published_version *versions = NULL;
    assert_int_equal(st_published_versions(ws, id, &versions, &n, &err), 0);
    assert_int_equal(n, 2);
    assert_int_equal(versions[0].version, 1);
    assert_string_equal(versions[0].source, "draft:1@2");
    assert_string_equal(versions[0].document_json, ""); /* lists leave documents out */
    assert_string_equal(versions[1].source, "run:4");
    st_published_versions_free(versions, n);

    st_published_version pv = {0};
    assert_int_equal(st_published_version_get(ws, id, 2, &pv, &err), 0);
    assert_string_equal(pv.document_json, doc2);
    st_published_version_clear(&pv);
    /* 0 is the default. */
    assert_int_equal(st_published_version_get(ws, id, 0, &pv, &err), 0);
    assert_int_equal(pv.version, 1);
    assert_string_equal(pv.document_json, doc1);
    st_published_version_clear(&pv);
    assert_int_equal(st_published_find(ws, "cars scoring", &p, &err), 0);
    assert_int_equal(p.id, id);
    st_published_clear(&p);
    st_close(ws);
    remove_temp_dir(dir);
}

static void the_default_version_moves_only_to_a_version_that_exists(void **state)
{
    (void)state;
    char *dir = make_temp_dir();
    st_workspace *ws = open_workspace(dir);
    wf_error err = {0};
    st_published p = {0};
    assert_int_equal(st_published_publish(ws, "p", NULL, doc1, "", &p, NULL, &err), 0);
    assert_int_equal(st_published_publish(ws, "p", NULL, doc2, "", NULL, NULL, &err), 0);
    assert_int_equal(st_published_set_default(ws, p.id, 2, &err), 0);
    st_published_version pv = {0};
    assert_int_equal(st_published_version_get(ws, p.id, 0, &pv, &err), 0);
    assert_int_equal(pv.version, 2);
    st_published_version_clear(&pv);
    assert_int_equal(st_published_set_default(ws, p.id, 3, &err), WF_ENOTFOUND);
    assert_non_null(
        strstr(err.message, "published pipeline \"p\" has no version 3 (it has 1 to 2)"));
    wf_error_clear(&err);
    assert_int_equal(st_published_set_default(ws, p.id, 0, &err), WF_ENOTFOUND);
    wf_error_clear(&err);
    assert_int_equal(st_published_version_get(ws, p.id, 7, &pv, &err), WF_ENOTFOUND);
    assert_non_null(strstr(err.message, "has no version 7"));
    wf_error_clear(&err);
    /* The default stayed. */
    st_published_clear(&p);
    assert_int_equal(st_published_find(ws, "p", &p, &err), 0);
    assert_int_equal(p.default_version, 2);
    st_published_clear(&p);
    st_close(ws);
    remove_temp_dir(dir);
}

static void a_pipeline_is_disabled_and_enabled_keeping_its_versions(void **state)
{
    (void)state;
    char *dir = make_temp_dir();
    st_workspace *ws = open_workspace(dir);
    wf_error err = {0};
    st_published p = {0};
    assert_int_equal(st_published_publish(ws, "p", NULL, doc1, "", &p, NULL, &err), 0);
    assert_false(p.disabled);
    assert_int_equal(st_published_set_disabled(ws, p.id, true, &err), 0);
    int64_t id = p.id;
    st_published_clear(&p);
    assert_int_equal(st_published_get(ws, id, &p, &err), 0);
    assert_true(p.disabled);
    assert_int_equal(p.versions, 1);
    st_published_clear(&p);
    st_published *list = NULL;
    size_t n = 0;
    assert_int_equal(st_published_list(ws, &list, &n, &err), 0);
    assert_int_equal(n, 1);
    assert_true(list[0].disabled);
    st_published_free(list, n);
    /* Publishing again adds a version and leaves it disabled. */
    assert_int_equal(st_published_publish(ws, "p", NULL, doc2, "", &p, NULL, &err), 0);
    assert_true(p.disabled);
    assert_int_equal(p.versions, 2);
    st_published_clear(&p);
    assert_int_equal(st_published_set_disabled(ws, id, false, &err), 0);
    assert_int_equal(st_published_get(ws, id, &p, &err), 0);
    assert_false(p.disabled);
    st_published_clear(&p);
    assert_int_equal(st_published_set_disabled(ws, 999, true, &err), WF_ENOTFOUND);
    wf_error_clear(&err);
    st_close(ws);
    remove_temp_dir(dir);
}

static void unknown_pipelines_are_not_found(void **state)
{
    (void)state;
    char *dir = make_temp_dir();
    st_workspace *ws = open_workspace(dir);
    wf_error err = {0};
    st_published p;
    assert_int_equal(st_published_get(ws, 42, &p, &err), WF_ENOTFOUND);
    assert_string_equal(err.message, "there is no published pipeline 42");
    wf_error_clear(&err);
    assert_int_equal(st_published_find(ws, "nope", &p, &err), WF_ENOTFOUND);
    assert_string_equal(err.message, "there is no published pipeline named \"nope\"");
    wf_error_clear(&err);
    st_published_version *versions = NULL;
    size_t n = 9;
    assert_int_equal(st_published_versions(ws, 42, &versions, &n, &err), WF_ENOTFOUND);
    assert_null(versions);
    assert_int_equal(n, 0);
    wf_error_clear(&err);
    st_published_run *runs = NULL;
    assert_int_equal(st_published_runs(ws, 42, &runs, &n, &err), WF_ENOTFOUND);
    wf_error_clear(&err);
    assert_int_equal(st_published_set_default(ws, 42, 1, &err), WF_ENOTFOUND);
    wf_error_clear(&err);
    assert_int_equal(st_published_mark_run(ws, 42, 1, 1, &err), WF_ENOTFOUND);
    st_close(ws);
    remove_temp_dir(dir);
}

static void names_are_checked(void **state)
{
    (void)state;
    char *dir = make_temp_dir();
    st_workspace *ws = open_workspace(dir);
    char long_name[120];
    memset(long_name, 'x', 101);
    long_name[101] = '\0';
    const char *bad[] = {"", " lead", "trail ", "a/b", "tab\there", "-dash", long_name};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        wf_error err = {0};
        if (st_published_publish(ws, bad[i], NULL, doc1, "", NULL, NULL, &err) != WF_EINVAL)
            fail_msg("name \"%s\" was accepted", bad[i]);
        assert_true(err.message[0] != '\0');
    }
    wf_error err = {0};
    assert_int_equal(st_published_publish(ws, "ok", NULL, "", "", NULL, NULL, &err), WF_EINVAL);
    st_published *list = NULL;
    size_t n = 0;
    assert_int_equal(st_published_list(ws, &list, &n, &err), 0);
    assert_int_equal(n, 0); /* nothing was written */
    st_published_free(list, n);
    const char *good[] = {"Cars scoring v2", "a", "x.y_z-1"};
    for (size_t i = 0; i < 3; i++)
        assert_int_equal(st_published_name_check(good[i], &err), 0);
    st_close(ws);
    remove_temp_dir(dir);
}

static void runs_remember_the_published_pipeline(void **state)
{
    (void)state;
    char *dir = make_temp_dir();
    st_workspace *ws = open_workspace(dir);
    wf_error err = {0};
    st_published p = {0};
    assert_int_equal(st_published_publish(ws, "p", NULL, doc1, "", &p, NULL, &err), 0);
    const char *ids[] = {"a"}, *mods[] = {"split-data@1"};
    st_run_spec spec = {
        .pipeline_name = "p", .snapshot_json = "{}", .node_ids = ids, .modules = mods, .nsteps = 1};
    int64_t r1, r2, r3;
    assert_int_equal(st_run_create(ws, &spec, &r1, &err), 0);
    assert_int_equal(st_run_create(ws, &spec, &r2, &err), 0);
    assert_int_equal(st_run_create(ws, &spec, &r3, &err), 0);
    assert_int_equal(st_published_mark_run(ws, r1, p.id, 1, &err), 0);
    assert_int_equal(st_published_mark_run(ws, r3, p.id, 2, &err), 0);
    st_published_run *runs = NULL;
    size_t n = 0;
    assert_int_equal(st_published_runs(ws, p.id, &runs, &n, &err), 0);
    assert_int_equal(n, 2);
    assert_int_equal(runs[0].run_id, r3); /* newest first */
    assert_int_equal(runs[0].version, 2);
    assert_int_equal(runs[1].run_id, r1);
    assert_int_equal(runs[1].version, 1);
    free(runs);
    st_published_clear(&p);
    st_close(ws);
    remove_temp_dir(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(publishing_a_name_twice_makes_two_versions),
        cmocka_unit_test(the_default_version_moves_only_to_a_version_that_exists),
        cmocka_unit_test(a_pipeline_is_disabled_and_enabled_keeping_its_versions),
        cmocka_unit_test(unknown_pipelines_are_not_found),
        cmocka_unit_test(names_are_checked),
        cmocka_unit_test(runs_remember_the_published_pipeline),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
