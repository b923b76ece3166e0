/*
 * test_samples.c: the sample dataset list, where its files are looked for,
 * and registering them: once, skipping absent files with a warning.
 */
#include "store_test.h"

static void write_text(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
}

static void every_sample_has_a_unique_name_a_file_and_a_source(void **state)
{
    (void)state;
    size_t n = 0;
    const st_sample *s = st_samples(&n);
    assert_int_equal(n, 14);
    wf_error err = {0};
    for (size_t i = 0; i < n; i++) {
        assert_int_equal(st_dataset_name_check(s[i].name, &err), 0);
        assert_true(strlen(s[i].file) > 4);
        assert_true(strlen(s[i].description) > 40); /* says where it comes from */
        for (size_t j = 0; j < i; j++)
            assert_string_not_equal(s[i].name, s[j].name);
    }
    assert_string_equal(s[0].name, "german-credit");
    assert_string_equal(s[0].file, "credit-g.arff");
}

static void samples_dir_follows_the_environment(void **state)
{
    (void)state;
    setenv("WEFT_SAMPLES_DIR", "/somewhere/else", 1);
    char *dir = st_samples_dir();
    assert_string_equal(dir, "/somewhere/else");
    free(dir);
    unsetenv("WEFT_SAMPLES_DIR");
    dir = st_samples_dir();
    assert_non_null(dir);
    assert_non_null(strstr(dir, "samples"));
    free(dir);
}

static void absent_sample_files_are_skipped_with_a_warning(void **state)
{
    (void)state;
    char *dir = make_temp_dir();
    char *empty = make_temp_dir();
    st_workspace *ws = open_workspace(dir);
    char *warnings = NULL;
    wf_error err = {0};
    assert_int_equal(st_register_samples(ws, empty, &warnings, &err), 0);
    assert_non_null(warnings);
    size_t n;
    const st_sample *s = st_samples(&n);
    for (size_t i = 0; i < n; i++)
        assert_non_null(strstr(warnings, s[i].name));
    assert_int_equal(count_rows(ws, "datasets"), 0);
    free(warnings);
    st_close(ws);
    remove_temp_dir(empty);
    remove_temp_dir(dir);
}

static void present_samples_are_registered_once(void **state)
{
    (void)state;
    char *dir = make_temp_dir();
    char *samples = make_temp_dir();
    char path[512];
    snprintf(path, sizeof path, "%s/iris.arff", samples);
    write_text(path, "@relation iris\n"
                     "@attribute sepallength numeric\n"
                     "@attribute class {Iris-setosa,Iris-virginica}\n"
                     "@data\n"
                     "5.1,Iris-setosa\n"
                     "6.3,Iris-virginica\n");
    st_workspace *ws = open_workspace(dir);
    char *warnings = NULL;
    wf_error err = {0};
    int got = st_register_samples(ws, samples, &warnings, &err);
    if (got < 0) fail_msg("%s", err.message);
    assert_int_equal(got, 1);
    assert_non_null(warnings); /* the other thirteen are absent */
    assert_null(strstr(warnings, "sample iris "));
    free(warnings);

    st_dataset_version v;
    assert_int_equal(st_dataset_get(ws, "iris", &v, &err), 0);
    assert_string_equal(v.source, "sample:iris.arff");
    assert_non_null(strstr(v.description, "Fisher"));
    assert_int_equal(v.rows, 2);
    assert_int_equal(v.cols, 2);
    st_dataset_version_clear(&v);

    /* Again: nothing new, even when the sample was archived meanwhile. */
    assert_int_equal(st_dataset_archive(ws, "iris", true, &err), 0);
    assert_int_equal(st_register_samples(ws, samples, NULL, &err), 0);
    assert_int_equal(count_rows(ws, "dataset_versions"), 1);
    st_close(ws);
    remove_temp_dir(samples);
    remove_temp_dir(dir);
}

static void an_unreadable_sample_is_a_warning_not_a_failure(void **state)
{
    (void)state;
    char *dir = make_temp_dir();
    char *samples = make_temp_dir();
    char path[512];
    snprintf(path, sizeof path, "%s/vote.arff", samples);
    write_text(path, "this is not ARFF at all {{{\n");
    st_workspace *ws = open_workspace(dir);
    char *warnings = NULL;
    wf_error err = {0};
    assert_int_equal(st_register_samples(ws, samples, &warnings, &err), 0);
    assert_non_null(strstr(warnings, "sample vote "));
    free(warnings);
    assert_int_equal(count_rows(ws, "datasets"), 0);
    st_close(ws);
    remove_temp_dir(samples);
    remove_temp_dir(dir);
}

/* The real files from `make deps`, when they are there: every sample must
 * read and register. */
static void the_downloaded_samples_all_register(void **state)
{
    (void)state;
    char *samples = st_samples_dir();
    char probe[1024];
    snprintf(probe, sizeof probe, "%s/iris.arff", samples);
    struct stat st;
    /* `make deps` puts the samples there before the tests run, so their
     * absence is a failure of the set-up, not a reason to skip. */
    if (stat(probe, &st) != 0) fail_msg("the samples are not in %s: run `make deps`", samples);
    char *dir = make_temp_dir();
    st_workspace *ws = open_workspace(dir);
    char *warnings = NULL;
    wf_error err = {0};
    int got = st_register_samples(ws, samples, &warnings, &err);
    if (got < 0) fail_msg("%s", err.message);
    if (warnings != NULL) fail_msg("warnings:\n%s", warnings);
    size_t n;
    st_samples(&n);
    assert_int_equal(got, (int)n);
    st_dataset_version v;
    assert_int_equal(st_dataset_get(ws, "iris", &v, &err), 0);
    assert_int_equal(v.rows, 150);
    assert_int_equal(v.cols, 5);
    st_dataset_version_clear(&v);
    st_close(ws);
    free(samples);
    remove_temp_dir(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(every_sample_has_a_unique_name_a_file_and_a_source),
        cmocka_unit_test(samples_dir_follows_the_environment),
        cmocka_unit_test(absent_sample_files_are_skipped_with_a_warning),
        cmocka_unit_test(present_samples_are_registered_once),
        cmocka_unit_test(an_unreadable_sample_is_a_warning_not_a_failure),
        cmocka_unit_test(the_downloaded_samples_all_register),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
