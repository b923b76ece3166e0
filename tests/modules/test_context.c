/*
 * test_context.c: the run context of modules.h: setting it up (defaults
 * filled, the caller's parameters untouched), typed parameter getters and
 * their messages, outputs and their ownership, logs, progress, cancellation
 * and failures.
 */
#include "module_test.h"

/* A module made for these tests: a table input, a table and a report
 * output, and one parameter of each kind the getters read. */
static const char *const probe_choices[] = {"low", "high", NULL};
static const mod_port probe_in[] = {
    {.name = "dataset", .kind = MOD_TABLE, .optional = true, .help = "in"}};
static const mod_port probe_out[] = {{.name = "dataset", .kind = MOD_TABLE, .help = "out"},
                                     {.name = "report", .kind = MOD_REPORT, .help = "report"}};
static const mod_param probe_params[] = {
    {.name = "count",
     .type = MOD_PARAM_INT,
     .default_json = "3",
     .has_min = true,
     .min = 1,
     .has_max = true,
     .max = 10},
    {.name = "ratio",
     .type = MOD_PARAM_NUMBER,
     .default_json = "0.25",
     .has_min = true,
     .min = 0,
     .has_max = true,
     .max = 1},
    {.name = "flag", .type = MOD_PARAM_BOOL, .default_json = "false"},
    {.name = "level", .type = MOD_PARAM_ENUM, .default_json = "\"low\"", .choices = probe_choices},
    {.name = "title", .type = MOD_PARAM_STRING},
    {.name = "columns", .type = MOD_PARAM_COLUMN_SELECTION, .input = "dataset"},
};
static const mod_descriptor probe = {.name = "probe",
                                     .version = 1,
                                     .display_name = "Probe",
                                     .category = "Test",
                                     .help = "probe",
                                     MOD_PORTS(inputs, probe_in),
                                     MOD_PORTS(outputs, probe_out),
                                     MOD_PARAMS(probe_params)};

/* Sets up ctx for the probe with params given as JSON text. */
static void init_probe(mod_ctx *ctx, const char *params_json)
{
    json_t *params = json_loads(params_json, 0, NULL);
    assert_non_null(params);
    assert_int_equal(mod_ctx_init(ctx, &probe, params), 0);
    json_decref(params);
}

static tbl_table *one_column_table(size_t rows)
{
    tbl_table *t = tbl_new();
    tbl_column c;
    assert_int_equal(tbl_column_init(&c, "x", TBL_NUMERIC, rows, NULL), 0);
    assert_int_equal(tbl_add_column(t, &c, rows, NULL), 0);
    return t;
}

/* ---- setting up -------------------------------------------------------- */

static void ctx_init_fills_defaults_for_absent_parameters(void **state)
{
    (void)state;
    mod_ctx ctx;
    init_probe(&ctx, "{\"count\": 7, \"ratio\": null}");
    int64_t count = 0;
    double ratio = -1;
    assert_int_equal(mod_param_int(&ctx, "count", &count), 0);
    assert_int_equal(count, 7);
    /* null counts as absent, so the default fills it. */
    assert_int_equal(mod_param_number(&ctx, "ratio", &ratio), 0);
    assert_true(ratio == 0.25);
    assert_string_equal(mod_param_string(&ctx, "level"), "low");
    assert_null(mod_param_string(&ctx, "title"));
    mod_ctx_clear(&ctx);
}

static void ctx_init_reads_a_number_given_for_a_string_as_its_digits(void **state)
{
    (void)state;
    mod_ctx ctx;
    init_probe(&ctx, "{\"title\": 12}");
    assert_string_equal(mod_param_string(&ctx, "title"), "12");
    mod_ctx_clear(&ctx);
    init_probe(&ctx, "{\"title\": 2.5}");
    assert_string_equal(mod_param_string(&ctx, "title"), "2.5");
    mod_ctx_clear(&ctx);
}

static void ctx_init_leaves_the_callers_parameters_unchanged(void **state)
{
    (void)state;
    json_t *params = json_object();
    mod_ctx ctx;
    assert_int_equal(mod_ctx_init(&ctx, &probe, params), 0);
    assert_int_equal(json_object_size(params), 0);
    assert_non_null(mod_param_value(&ctx, "count"));
    mod_ctx_clear(&ctx);
    json_decref(params);
}

static void ctx_init_rejects_parameters_that_are_not_an_object(void **state)
{
    (void)state;
    json_t *params = json_array();
    mod_ctx ctx;
    assert_int_equal(mod_ctx_init(&ctx, &probe, params), WF_EINVAL);
    assert_non_null(strstr(ctx.err.message, "object"));
    mod_ctx_clear(&ctx);
    json_decref(params);
}

static void ctx_init_accepts_null_parameters(void **state)
{
    (void)state;
    mod_ctx ctx;
    assert_int_equal(mod_ctx_init(&ctx, &probe, NULL), 0);
    bool flag = true;
    assert_int_equal(mod_param_bool(&ctx, "flag", &flag), 0);
    assert_false(flag);
    mod_ctx_clear(&ctx);
}

static void ctx_clear_frees_owned_inputs_but_not_borrowed_ones(void **state)
{
    (void)state;
    mod_ctx ctx;
    init_probe(&ctx, "{}");
    tbl_table *mine = one_column_table(2);
    ctx.inputs[0].table = mine;
    ctx.inputs[0].borrowed = true;
    assert_ptr_equal(mod_input_table(&ctx, "dataset"), mine);
    assert_null(mod_input_table(&ctx, "nope"));
    mod_ctx_clear(&ctx);
    assert_int_equal(mine->nrows, 2); /* still ours: ASan would flag a use after free */
    tbl_free(mine);

    /* An owned input goes with the context (ASan would report a leak). */
    init_probe(&ctx, "{}");
    ctx.inputs[0].table = one_column_table(1);
    mod_ctx_clear(&ctx);
    mod_ctx_clear(&ctx); /* twice is harmless */
}

/* ---- parameters -------------------------------------------------------- */

static void param_int_rejects_a_string_naming_the_field(void **state)
{
    (void)state;
    mod_ctx ctx;
    init_probe(&ctx, "{\"count\": \"five\"}");
    int64_t v;
    assert_int_equal(mod_param_int(&ctx, "count", &v), WF_ETYPE);
    assert_non_null(strstr(ctx.err.message, "\"count\""));
    assert_non_null(strstr(ctx.err.message, "a string"));
    assert_non_null(mt_field_error(&ctx, "count"));
    mod_ctx_clear(&ctx);
}

static void param_int_accepts_a_whole_real_and_refuses_a_fraction(void **state)
{
    (void)state;
    mod_ctx ctx;
    init_probe(&ctx, "{\"count\": 4.0}");
    int64_t v = 0;
    assert_int_equal(mod_param_int(&ctx, "count", &v), 0);
    assert_int_equal(v, 4);
    mod_ctx_clear(&ctx);
    init_probe(&ctx, "{\"count\": 4.5}");
    assert_int_equal(mod_param_int(&ctx, "count", &v), WF_ETYPE);
    assert_non_null(strstr(ctx.err.message, "whole number"));
    mod_ctx_clear(&ctx);
}

static void param_number_out_of_range_names_the_field_and_the_bound(void **state)
{
    (void)state;
    mod_ctx ctx;
    init_probe(&ctx, "{\"ratio\": 1.5, \"count\": 0}");
    double r;
    int64_t c;
    assert_int_equal(mod_param_number(&ctx, "ratio", &r), WF_EINVAL);
    assert_int_equal(mod_param_int(&ctx, "count", &c), WF_EINVAL);
    /* The first message wins; both fields are recorded. */
    assert_non_null(strstr(ctx.err.message, "parameter \"ratio\""));
    assert_non_null(strstr(ctx.err.message, "maximum, 1"));
    assert_non_null(strstr(mt_field_error(&ctx, "count"), "minimum, 1"));
    assert_int_equal(ctx.nfield_errors, 2);
    mod_ctx_clear(&ctx);
}

static void param_getters_report_an_absent_value(void **state)
{
    (void)state;
    mod_ctx ctx;
    init_probe(&ctx, "{}");
    tbl_selection sel;
    assert_int_equal(mod_param_selection(&ctx, "columns", &sel), WF_ENOTFOUND);
    assert_non_null(strstr(ctx.err.message, "\"columns\""));
    assert_non_null(strstr(ctx.err.message, "required"));
    tbl_selection_clear(&sel);
    mod_ctx_clear(&ctx);
}

static void param_bool_rejects_a_number(void **state)
{
    (void)state;
    mod_ctx ctx;
    init_probe(&ctx, "{\"flag\": 1}");
    bool b;
    assert_int_equal(mod_param_bool(&ctx, "flag", &b), WF_ETYPE);
    assert_non_null(strstr(ctx.err.message, "\"flag\": expected true or false"));
    mod_ctx_clear(&ctx);
}

static void param_selection_reports_a_bad_rule_on_its_field(void **state)
{
    (void)state;
    mod_ctx ctx;
    init_probe(&ctx, "{\"columns\": {\"include\": [{\"colour\": \"red\"}]}}");
    tbl_selection sel;
    assert_true(mod_param_selection(&ctx, "columns", &sel) < 0);
    assert_non_null(mt_field_error(&ctx, "columns"));
    assert_non_null(strstr(ctx.err.message, "parameter \"columns\""));
    tbl_selection_clear(&sel);
    mod_ctx_clear(&ctx);

    init_probe(&ctx, "{\"columns\": {\"include\": [{\"names\": [\"x\"]}]}}");
    assert_int_equal(mod_param_selection(&ctx, "columns", &sel), 0);
    assert_int_equal(sel.nrules, 1);
    tbl_selection_clear(&sel);
    mod_ctx_clear(&ctx);
}

static void param_choice_lists_the_choices_when_wrong(void **state)
{
    (void)state;
    mod_ctx ctx;
    init_probe(&ctx, "{\"level\": \"medium\"}");
    size_t i;
    assert_int_equal(mod__param_choice(&ctx, "level", &i), WF_EINVAL);
    assert_non_null(strstr(ctx.err.message, "\"medium\" is not one of \"low\", \"high\""));
    mod_ctx_clear(&ctx);
    init_probe(&ctx, "{\"level\": \"high\"}");
    assert_int_equal(mod__param_choice(&ctx, "level", &i), 0);
    assert_int_equal(i, 1);
    mod_ctx_clear(&ctx);
}

/* ---- outputs ----------------------------------------------------------- */

static void output_table_takes_ownership_even_when_the_port_is_wrong(void **state)
{
    (void)state;
    mod_ctx ctx;
    init_probe(&ctx, "{}");
    /* Each of these tables would leak (and ASan fail the test) if the
     * context did not take it. */
    assert_int_equal(mod_output_table(&ctx, "nope", one_column_table(1)), WF_ENOTFOUND);
    assert_non_null(strstr(ctx.err.message, "no output port \"nope\""));
    wf_error_clear(&ctx.err);
    assert_int_equal(mod_output_table(&ctx, "report", one_column_table(1)), WF_ETYPE);
    assert_int_equal(mod_output_json(&ctx, "dataset", json_object()), WF_ETYPE);
    mod_ctx_clear(&ctx);
}

static void output_set_twice_keeps_the_last_value(void **state)
{
    (void)state;
    mod_ctx ctx;
    init_probe(&ctx, "{}");
    assert_int_equal(mod_output_table(&ctx, "dataset", one_column_table(1)), 0);
    assert_int_equal(mod_output_table(&ctx, "dataset", one_column_table(5)), 0);
    assert_int_equal(ctx.outputs[0].table->nrows, 5);
    json_t *report = json_pack("{s:f}", "auc", 0.9);
    assert_int_equal(mod_output_json(&ctx, "report", report), 0);
    assert_ptr_equal(ctx.outputs[1].json, report);
    assert_int_equal(ctx.outputs[1].kind, MOD_REPORT);
    mod_ctx_clear(&ctx);
}

static void output_schema_has_no_rows_but_keeps_levels(void **state)
{
    (void)state;
    mod_ctx ctx;
    init_probe(&ctx, "{}");
    const char *text = "colour,n\nred,1\nblue,2\nred,3\nred,4\n";
    tbl_read_options opt = {.format = TBL_FORMAT_CSV, .header = TBL_HEADER_PRESENT};
    tbl_table *t = NULL;
    assert_int_equal(tbl_read_csv(text, strlen(text), &opt, &t, NULL), 0);
    assert_int_equal(t->cols[0].type, TBL_CATEGORICAL);
    assert_int_equal(mod__output_schema(&ctx, "dataset", t), 0);
    const tbl_table *s = ctx.outputs[0].table;
    assert_int_equal(s->nrows, 0);
    assert_int_equal(s->ncols, 2);
    assert_int_equal(s->cols[0].levels.count, 2);
    assert_int_equal(mod__output_schema(&ctx, "dataset", NULL), 0); /* unknown: unchanged */
    tbl_free(t);
    mod_ctx_clear(&ctx);
}

/* ---- logs, progress, cancellation, failures ---------------------------- */

typedef struct seen {
    char line[256];
    int lines;
    double progress;
    int progresses;
} seen;

static void on_log(void *user, const char *line)
{
    seen *s = user;
    snprintf(s->line, sizeof s->line, "%s", line);
    s->lines++;
}

static void on_progress(void *user, double fraction)
{
    seen *s = user;
    s->progress = fraction;
    s->progresses++;
}

static void log_and_progress_reach_the_hooks(void **state)
{
    (void)state;
    mod_ctx ctx;
    seen s = {0};
    init_probe(&ctx, "{}");
    ctx.on_log = on_log;
    ctx.on_progress = on_progress;
    ctx.user = &s;
    mod_log(&ctx, "%d rows", 42);
    assert_string_equal(s.line, "42 rows");
    mod_progress(&ctx, 1.7);
    assert_true(s.progress == 1.0); /* clamped */
    mod_progress(&ctx, -3);
    assert_true(s.progress == 0.0);
    mod_progress(&ctx, 0.0 / 0.0); /* NaN is dropped */
    assert_int_equal(s.progresses, 2);
    mod_ctx_clear(&ctx);
}

static void cancelled_follows_the_flag(void **state)
{
    (void)state;
    mod_ctx ctx;
    init_probe(&ctx, "{}");
    assert_false(mod_cancelled(&ctx));
    volatile sig_atomic_t flag = 0;
    ctx.cancel = &flag;
    assert_false(mod_cancelled(&ctx));
    flag = 1;
    assert_true(mod_cancelled(&ctx));
    mod_ctx_clear(&ctx);
}

static void fail_keeps_the_first_message_and_never_a_success_code(void **state)
{
    (void)state;
    mod_ctx ctx;
    init_probe(&ctx, "{}");
    assert_int_equal(mod_fail(&ctx, 0, "row %d is bad", 3), WF_EINVAL);
    assert_int_equal(mod_fail(&ctx, WF_EIO, "later"), WF_EIO);
    assert_int_equal(ctx.err.code, WF_EINVAL);
    assert_string_equal(ctx.err.message, "row 3 is bad");
    mod_ctx_clear(&ctx);

    init_probe(&ctx, "{}");
    wf_error err = {0};
    wf_error_set(&err, WF_EPARSE, "line 2: oops");
    assert_int_equal(mod_fail_with(&ctx, &err), WF_EPARSE);
    assert_string_equal(ctx.err.message, "line 2: oops");
    mod_ctx_clear(&ctx);

    init_probe(&ctx, "{}");
    wf_error none = {0};
    assert_int_equal(mod_fail_with(&ctx, &none), WF_EINVAL);
    mod_ctx_clear(&ctx);
}

static void param_error_records_the_field_and_the_node(void **state)
{
    (void)state;
    mod_ctx ctx;
    init_probe(&ctx, "{}");
    assert_int_equal(mod_param_error(&ctx, "title", "too long (%d characters)", 300), WF_EINVAL);
    assert_int_equal(mod_param_error(&ctx, "", "inputs disagree"), WF_EINVAL);
    assert_int_equal(ctx.nfield_errors, 2);
    assert_string_equal(mt_field_error(&ctx, "title"), "too long (300 characters)");
    assert_string_equal(mt_field_error(&ctx, ""), "inputs disagree");
    assert_string_equal(ctx.err.message, "parameter \"title\": too long (300 characters)");
    mod_ctx_clear(&ctx);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(ctx_init_fills_defaults_for_absent_parameters),
        cmocka_unit_test(ctx_init_reads_a_number_given_for_a_string_as_its_digits),
        cmocka_unit_test(ctx_init_leaves_the_callers_parameters_unchanged),
        cmocka_unit_test(ctx_init_rejects_parameters_that_are_not_an_object),
        cmocka_unit_test(ctx_init_accepts_null_parameters),
        cmocka_unit_test(ctx_clear_frees_owned_inputs_but_not_borrowed_ones),
        cmocka_unit_test(param_int_rejects_a_string_naming_the_field),
        cmocka_unit_test(param_int_accepts_a_whole_real_and_refuses_a_fraction),
        cmocka_unit_test(param_number_out_of_range_names_the_field_and_the_bound),
        cmocka_unit_test(param_getters_report_an_absent_value),
        cmocka_unit_test(param_bool_rejects_a_number),
        cmocka_unit_test(param_selection_reports_a_bad_rule_on_its_field),
        cmocka_unit_test(param_choice_lists_the_choices_when_wrong),
        cmocka_unit_test(output_table_takes_ownership_even_when_the_port_is_wrong),
        cmocka_unit_test(output_set_twice_keeps_the_last_value),
        cmocka_unit_test(output_schema_has_no_rows_but_keeps_levels),
        cmocka_unit_test(log_and_progress_reach_the_hooks),
        cmocka_unit_test(cancelled_follows_the_flag),
        cmocka_unit_test(fail_keeps_the_first_message_and_never_a_success_code),
        cmocka_unit_test(param_error_records_the_field_and_the_node),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
