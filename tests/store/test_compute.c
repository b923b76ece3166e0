/*
 * test_compute.c: compute targets in the workspace (#12): saving, reading,
 * listing, replacing and removing them; the built-in "local"; bad names
 * and kinds; and where a run ran (runs.compute, steps.job_id), read back
 * through SQLite by Python as an independent reader.
 */
#include "store_test.h"

static st_workspace *open_new(char **dir)
{
    *dir = make_temp_dir();
    return open_workspace(*dir);
}

/* A value of the workspace database as python3's sqlite3 module reads it. */
static void sql_value(const char *dir, const char *query, char *out, size_t cap)
{
    char cmd[1024];
    snprintf(cmd, sizeof cmd,
             "/usr/bin/python3 -c \"import sqlite3,sys; c=sqlite3.connect(sys.argv[1]); "
             "print(c.execute(sys.argv[2]).fetchone()[0])\" '%s/weft.db' \"%s\"",
             dir, query);
    FILE *p = popen(cmd, "r");
    assert_non_null(p);
    if (fgets(out, (int)cap, p) == NULL) out[0] = '\0';
    out[strcspn(out, "\n")] = '\0';
    assert_int_equal(pclose(p), 0);
}

static void a_target_is_saved_read_listed_replaced_and_removed(void **state)
{
    (void)state;
    char *dir;
    st_workspace *ws = open_new(&dir);
    wf_error err = {0};
    assert_int_equal(st_compute_save(ws, "hpc", "slurm", "{\"partition\":\"debug\"}", false, &err),
                     0);
    assert_int_equal(st_compute_save(ws, "gpu.nodes-2", "slurm", NULL, false, &err), 0);

    st_compute_target t;
    assert_int_equal(st_compute_get(ws, "hpc", &t, &err), 0);
    assert_string_equal(t.kind, "slurm");
    assert_string_equal(t.config_json, "{\"partition\":\"debug\"}");
    assert_int_equal(strlen(t.created_at), 24);
    char created[32];
    snprintf(created, sizeof created, "%s", t.created_at);
    st_compute_target_clear(&t);

    /* "local" first, then the others by name. */
    st_compute_target *list = NULL;
    size_t n = 0;
    assert_int_equal(st_compute_list(ws, &list, &n, &err), 0);
    assert_int_equal(n, 3);
    assert_string_equal(list[0].name, "local");
    assert_string_equal(list[0].kind, "local");
    assert_string_equal(list[1].name, "gpu.nodes-2");
    assert_string_equal(list[1].config_json, "{}");
    assert_string_equal(list[2].name, "hpc");
    st_compute_targets_free(list, n);

    /* A second save of the name is refused unless it replaces. */
    memset(&err, 0, sizeof err);
    assert_int_equal(st_compute_save(ws, "hpc", "local", "{}", false, &err), WF_EEXIST);
    assert_non_null(strstr(err.message, "already a compute target \"hpc\""));
    assert_int_equal(st_compute_save(ws, "hpc", "slurm", "{\"cpus\":4}", true, &err), 0);
    assert_int_equal(st_compute_get(ws, "hpc", &t, &err), 0);
    assert_string_equal(t.config_json, "{\"cpus\":4}");
    assert_string_equal(t.created_at, created);
    st_compute_target_clear(&t);
    char value[256];
    sql_value(dir, "SELECT config FROM compute_targets WHERE name = 'hpc'", value, sizeof value);
    assert_string_equal(value, "{\"cpus\":4}");

    assert_int_equal(st_compute_remove(ws, "hpc", &err), 0);
    memset(&err, 0, sizeof err);
    assert_int_equal(st_compute_get(ws, "hpc", &t, &err), WF_ENOTFOUND);
    assert_non_null(strstr(err.message, "no compute target \"hpc\""));
    assert_int_equal(st_compute_remove(ws, "hpc", &err), WF_ENOTFOUND);
    sql_value(dir, "SELECT count(*) FROM compute_targets", value, sizeof value);
    assert_string_equal(value, "1");
    st_close(ws);
    remove_temp_dir(dir);
}

static void local_is_built_in_and_cannot_be_saved_or_removed(void **state)
{
    (void)state;
    char *dir;
    st_workspace *ws = open_new(&dir);
    wf_error err = {0};
    st_compute_target t;
    assert_int_equal(st_compute_get(ws, "local", &t, &err), 0);
    assert_string_equal(t.kind, "local");
    assert_string_equal(t.created_at, "");
    st_compute_target_clear(&t);
    memset(&err, 0, sizeof err);
    assert_int_equal(st_compute_save(ws, "local", "slurm", "{}", true, &err), WF_EINVAL);
    assert_non_null(strstr(err.message, "built-in"));
    assert_int_equal(st_compute_remove(ws, "local", &err), WF_EINVAL);
    char value[64];
    sql_value(dir, "SELECT count(*) FROM compute_targets", value, sizeof value);
    assert_string_equal(value, "0");
    st_close(ws);
    remove_temp_dir(dir);
}

static void bad_names_and_kinds_are_refused_saying_why(void **state)
{
    (void)state;
    char *dir;
    st_workspace *ws = open_new(&dir);
    wf_error err = {0};
    static const struct {
        const char *name, *kind, *message;
    } bad[] = {
        {"", "slurm", "cannot be empty"},
        {"-hpc", "slurm", "character 1"},
        {"h p c", "slurm", "character 2"},
        {"hpc/2", "slurm", "character 4"},
        {"hpc", "kubernetes", "\"local\" or \"slurm\", not \"kubernetes\""},
        {"hpc", NULL, "\"local\" or \"slurm\""},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        memset(&err, 0, sizeof err);
        assert_int_equal(st_compute_save(ws, bad[i].name, bad[i].kind, "{}", false, &err),
                         WF_EINVAL);
        if (strstr(err.message, bad[i].message) == NULL)
            fail_msg("%s: \"%s\" lacks \"%s\"", bad[i].name, err.message, bad[i].message);
    }
    char longname[120];
    memset(longname, 'a', sizeof longname - 1);
    longname[sizeof longname - 1] = '\0';
    memset(&err, 0, sizeof err);
    assert_int_equal(st_compute_name_check(longname, &err), WF_EINVAL);
    assert_non_null(strstr(err.message, "at most 100"));
    char value[64];
    sql_value(dir, "SELECT count(*) FROM compute_targets", value, sizeof value);
    assert_string_equal(value, "0");
    st_close(ws);
    remove_temp_dir(dir);
}

static void a_run_remembers_its_target_and_each_steps_job(void **state)
{
    (void)state;
    char *dir;
    st_workspace *ws = open_new(&dir);
    wf_error err = {0};
    const char *ids[] = {"a", "b", "c"}, *mods[] = {"m@1", "m@1", "m@1"};
    st_run_spec spec = {
        .pipeline_name = "p", .snapshot_json = "{}", .node_ids = ids, .modules = mods, .nsteps = 3};
    int64_t run = 0;
    assert_int_equal(st_run_create(ws, &spec, &run, &err), 0);
    char *name = NULL;
    assert_int_equal(st_run_compute(ws, run, &name, &err), 0);
    assert_string_equal(name, "local");
    free(name);
    assert_int_equal(st_run_set_compute(ws, run, "hpc", &err), 0);
    assert_int_equal(st_run_compute(ws, run, &name, &err), 0);
    assert_string_equal(name, "hpc");
    free(name);

    assert_int_equal(st_step_set_job(ws, run, "c", "41", &err), 0);
    assert_int_equal(st_step_set_job(ws, run, "a", "40", &err), 0);
    /* A retried step's new job replaces the old one. */
    assert_int_equal(st_step_set_job(ws, run, "c", "42", &err), 0);
    st_step_job *jobs = NULL;
    size_t n = 0;
    assert_int_equal(st_step_jobs(ws, run, &jobs, &n, &err), 0);
    assert_int_equal(n, 2);
    assert_string_equal(jobs[0].node_id, "a");
    assert_string_equal(jobs[0].job_id, "40");
    assert_string_equal(jobs[1].node_id, "c");
    assert_string_equal(jobs[1].job_id, "42");
    st_step_jobs_free(jobs, n);
    char value[64], query[128];
    snprintf(query, sizeof query, "SELECT job_id FROM steps WHERE run_id = %lld AND node_id = 'c'",
             (long long)run);
    sql_value(dir, query, value, sizeof value);
    assert_string_equal(value, "42");
    snprintf(query, sizeof query, "SELECT compute FROM runs WHERE id = %lld", (long long)run);
    sql_value(dir, query, value, sizeof value);
    assert_string_equal(value, "hpc");

    memset(&err, 0, sizeof err);
    assert_int_equal(st_step_set_job(ws, run, "zz", "1", &err), WF_ENOTFOUND);
    assert_non_null(strstr(err.message, "no step \"zz\""));
    assert_int_equal(st_run_set_compute(ws, run + 1, "hpc", &err), WF_ENOTFOUND);
    assert_int_equal(st_run_compute(ws, run + 1, &name, &err), WF_ENOTFOUND);
    assert_null(name);
    assert_int_equal(st_step_jobs(ws, run + 1, &jobs, &n, &err), 0);
    assert_int_equal(n, 0);
    st_close(ws);
    remove_temp_dir(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(a_target_is_saved_read_listed_replaced_and_removed),
        cmocka_unit_test(local_is_built_in_and_cannot_be_saved_or_removed),
        cmocka_unit_test(bad_names_and_kinds_are_refused_saying_why),
        cmocka_unit_test(a_run_remembers_its_target_and_each_steps_job),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
