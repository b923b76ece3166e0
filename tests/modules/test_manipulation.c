/*
 * test_manipulation.c: dataset@1, select-columns@1, edit-metadata@1,
 * add-rows@1 and enter-data@1, run directly on a context (run and
 * configure), with their parameter errors.
 */
#include "module_test.h"

#define CARS                                                                                       \
    "make,price,doors,fuel\n"                                                                      \
    "audi,13950,4,gas\n"                                                                           \
    "bmw,16430,2,gas\n"                                                                            \
    "vw,7975,2,diesel\n"                                                                           \
    "audi,17450,4,gas\n"

/* ---- dataset@1 --------------------------------------------------------- */

static int fake_loader(void *user, const char *ref, tbl_table **out, wf_error *err)
{
    snprintf((char *)user, 64, "%s", ref);
    if (strncmp(ref, "cars@", 5) != 0)
        return wf_error_set(err, WF_ENOTFOUND, "no dataset named \"%.*s\"",
                            (int)(strchr(ref, '@') - ref), ref);
    *out = mt_csv(CARS);
    return 0;
}

static void dataset_reads_through_the_engines_loader(void **state)
{
    (void)state;
    mod_ctx ctx;
    char asked[64] = "";
    json_t *params = json_pack("{s:s, s:i}", "dataset", "cars", "version", 3);
    assert_int_equal(mod_ctx_init(&ctx, mod_find("dataset"), params), 0);
    json_decref(params);
    ctx.load_dataset = fake_loader;
    ctx.user = asked;
    assert_int_equal(ctx.module->run(&ctx), 0);
    assert_string_equal(asked, "cars@3");
    assert_int_equal(mt_table(&ctx, 0)->nrows, 4);
    mod_ctx_clear(&ctx);

    /* The default version is "latest"; configure gives the schema. */
    params = json_pack("{s:s}", "dataset", "cars");
    assert_int_equal(mod_ctx_init(&ctx, mod_find("dataset"), params), 0);
    json_decref(params);
    ctx.load_dataset = fake_loader;
    ctx.user = asked;
    ctx.schema_only = true;
    assert_int_equal(ctx.module->configure(&ctx), 0);
    assert_string_equal(asked, "cars@latest");
    assert_int_equal(mt_table(&ctx, 0)->nrows, 0);
    assert_int_equal(mt_table(&ctx, 0)->ncols, 4);
    mod_ctx_clear(&ctx);
}

static void dataset_reports_an_unknown_dataset_on_its_field(void **state)
{
    (void)state;
    mod_ctx ctx;
    char asked[64];
    json_t *params = json_pack("{s:s}", "dataset", "trucks");
    assert_int_equal(mod_ctx_init(&ctx, mod_find("dataset"), params), 0);
    json_decref(params);
    ctx.load_dataset = fake_loader;
    ctx.user = asked;
    ctx.schema_only = true;
    assert_int_equal(ctx.module->configure(&ctx), WF_ENOTFOUND);
    mt_assert_contains(mt_field_error(&ctx, "dataset"), "no dataset named \"trucks\"");
    assert_null(ctx.outputs[0].table);
    mod_ctx_clear(&ctx);
}

static void dataset_rejects_a_bad_version(void **state)
{
    (void)state;
    const char *bad[] = {"{\"dataset\": \"cars\", \"version\": \"newest\"}",
                         "{\"dataset\": \"cars\", \"version\": 0}",
                         "{\"dataset\": \"cars\", \"version\": 1.5}",
                         "{\"dataset\": \"cars\", \"version\": \"01\"}",
                         "{\"dataset\": \"cars\", \"version\": true}"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        mod_ctx ctx;
        assert_int_equal(mt_run(&ctx, "dataset@1", bad[i], NULL, false), WF_EINVAL);
        mt_assert_contains(ctx.err.message, "parameter \"version\"");
        mod_ctx_clear(&ctx);
    }
    mod_ctx ctx;
    assert_int_equal(mt_run(&ctx, "dataset@1", "{}", NULL, false), WF_EINVAL);
    mt_assert_contains(mt_field_error(&ctx, "dataset"), "choose a registered dataset");
    mod_ctx_clear(&ctx);
}

static void dataset_without_a_loader_has_an_unknown_schema(void **state)
{
    (void)state;
    mod_ctx ctx;
    assert_int_equal(mt_run(&ctx, "dataset", "{\"dataset\": \"cars\"}", NULL, true), 0);
    assert_null(ctx.outputs[0].table);
    mod_ctx_clear(&ctx);
    assert_int_equal(mt_run(&ctx, "dataset", "{\"dataset\": \"cars\"}", NULL, false), WF_EINVAL);
    mt_assert_contains(ctx.err.message, "no dataset loader");
    mod_ctx_clear(&ctx);
}

/* ---- select-columns@1 -------------------------------------------------- */

static void select_columns_keeps_the_selected_columns_in_table_order(void **state)
{
    (void)state;
    tbl_table *cars = mt_csv(CARS);
    mod_ctx ctx;
    assert_int_equal(mt_run(&ctx, "select-columns@1",
                            "{\"columns\": {\"include\": [{\"names\": [\"fuel\", \"make\"]}]}}",
                            cars, false),
                     0);
    const tbl_table *t = mt_table(&ctx, 0);
    assert_int_equal(t->ncols, 2);
    assert_int_equal(t->nrows, 4);
    assert_string_equal(t->cols[0].name, "make");
    assert_string_equal(t->cols[1].name, "fuel");
    mod_ctx_clear(&ctx);

    assert_int_equal(mt_run(&ctx, "select-columns",
                            "{\"columns\": {\"exclude\": [{\"type\": "
                            "\"numeric\"}]}}",
                            cars, true),
                     0);
    assert_int_equal(mt_table(&ctx, 0)->ncols, 2);
    assert_int_equal(mt_table(&ctx, 0)->nrows, 0);
    mod_ctx_clear(&ctx);
    tbl_free(cars);
}

/* The selected columns share the input's buffers instead of copying them
 * (so selecting is free), and freeing the output leaves the input whole. */
static void select_columns_shares_the_input_buffers(void **state)
{
    (void)state;
    tbl_table *t = mt_csv("a,b,c\n1,x,2.5\n2,,3.5\n");
    mod_ctx ctx;
    mt_ok(&ctx, mt_run(&ctx, "select-columns@1",
                       "{\"columns\": {\"include\": [{\"names\": [\"b\", \"c\"]}]}}", t, false));
    tbl_table *out = mt_take_table(&ctx, 0);
    mod_ctx_clear(&ctx);
    assert_int_equal(out->ncols, 2);
    assert_true(out->cols[0].borrowed && out->cols[1].borrowed);
    assert_ptr_equal(out->cols[1].v.f64, t->cols[2].v.f64);
    assert_ptr_equal(out->cols[0].str.data, t->cols[1].str.data);
    assert_ptr_equal(out->cols[0].missing, t->cols[1].missing);
    tbl_free(out);
    /* The input is intact after the output is gone (ASan would see a
     * double free or a read of freed memory). */
    assert_true(t->cols[2].v.f64[1] == 3.5);
    assert_true(tbl_is_missing(&t->cols[1], 1));
    tbl_free(t);
}

static void select_columns_names_the_missing_column(void **state)
{
    (void)state;
    tbl_table *cars = mt_csv(CARS);
    mod_ctx ctx;
    assert_true(mt_run(&ctx, "select-columns",
                       "{\"columns\": {\"include\": [{\"names\": [\"colour\"]}]}}", cars,
                       true) < 0);
    mt_assert_contains(mt_field_error(&ctx, "columns"), "colour");
    assert_null(ctx.outputs[0].table);
    mod_ctx_clear(&ctx);

    assert_int_equal(mt_run(&ctx, "select-columns",
                            "{\"columns\": {\"include\": [{\"type\": \"datetime\"}]}}", cars,
                            false),
                     WF_EINVAL);
    mt_assert_contains(ctx.err.message, "parameter \"columns\": the selection matches no column");
    mod_ctx_clear(&ctx);
    tbl_free(cars);
}

static void select_columns_checks_the_selection_when_the_schema_is_unknown(void **state)
{
    (void)state;
    mod_ctx ctx;
    assert_int_equal(mt_run(&ctx, "select-columns",
                            "{\"columns\": {\"include\": [{\"names\": "
                            "[\"a\"]}]}}",
                            NULL, true),
                     0);
    assert_null(ctx.outputs[0].table);
    mod_ctx_clear(&ctx);
    assert_true(mt_run(&ctx, "select-columns", "{\"columns\": {\"pick\": 1}}", NULL, true) < 0);
    assert_non_null(mt_field_error(&ctx, "columns"));
    mod_ctx_clear(&ctx);
    assert_true(mt_run(&ctx, "select-columns", "{}", NULL, true) < 0);
    mt_assert_contains(mt_field_error(&ctx, "columns"), "required");
    mod_ctx_clear(&ctx);
}

/* ---- edit-metadata@1 --------------------------------------------------- */

#define NAMES(list) "{\"include\": [{\"names\": [" list "]}]}"

static void edit_metadata_marks_label_role(void **state)
{
    (void)state;
    tbl_table *cars = mt_csv(CARS);
    mod_ctx ctx;
    assert_int_equal(mt_run(&ctx, "edit-metadata",
                            "{\"columns\": " NAMES("\"price\"") ", \"fields\": \"labels\"}", cars,
                            false),
                     0);
    tbl_table *labelled = NULL;
    assert_int_equal(tbl_clone(mt_table(&ctx, 0), &labelled, NULL), 0);
    assert_int_equal(labelled->cols[1].role, TBL_ROLE_LABEL);
    assert_int_equal(labelled->cols[0].role, TBL_ROLE_FEATURE);
    assert_int_equal(cars->cols[1].role, TBL_ROLE_FEATURE); /* the input is untouched */
    mod_ctx_clear(&ctx);

    /* A new label demotes the old one. */
    assert_int_equal(mt_run(&ctx, "edit-metadata",
                            "{\"columns\": " NAMES("\"doors\"") ", \"fields\": \"labels\"}",
                            labelled, false),
                     0);
    assert_int_equal(mt_table(&ctx, 0)->cols[2].role, TBL_ROLE_LABEL);
    assert_int_equal(mt_table(&ctx, 0)->cols[1].role, TBL_ROLE_FEATURE);
    mod_ctx_clear(&ctx);

    /* Clear labels turns it back into a feature; clear features ignores. */
    assert_int_equal(mt_run(&ctx, "edit-metadata",
                            "{\"columns\": " NAMES("\"price\", \"make\"") ", \"fields\": "
                                                                          "\"clear-labels\"}",
                            labelled, false),
                     0);
    assert_int_equal(mt_table(&ctx, 0)->cols[1].role, TBL_ROLE_FEATURE);
    assert_int_equal(mt_table(&ctx, 0)->cols[0].role, TBL_ROLE_FEATURE);
    mod_ctx_clear(&ctx);
    assert_int_equal(mt_run(&ctx, "edit-metadata",
                            "{\"columns\": " NAMES("\"price\", \"make\"") ", \"fields\": "
                                                                          "\"clear-features\"}",
                            labelled, false),
                     0);
    assert_int_equal(mt_table(&ctx, 0)->cols[0].role, TBL_ROLE_CLEAR);
    assert_int_equal(mt_table(&ctx, 0)->cols[1].role, TBL_ROLE_LABEL); /* not a feature: kept */
    mod_ctx_clear(&ctx);
    tbl_free(labelled);
    tbl_free(cars);
}

static void edit_metadata_needs_exactly_one_label_or_numeric_weight(void **state)
{
    (void)state;
    tbl_table *cars = mt_csv(CARS);
    mod_ctx ctx;
    assert_int_equal(mt_run(&ctx, "edit-metadata",
                            "{\"columns\": {\"include\": [{\"type\": \"numeric\"}]}, \"fields\": "
                            "\"labels\"}",
                            cars, true),
                     WF_EINVAL);
    mt_assert_contains(mt_field_error(&ctx, "columns"), "one label column, but 2 columns");
    mod_ctx_clear(&ctx);
    assert_int_equal(mt_run(&ctx, "edit-metadata",
                            "{\"columns\": " NAMES("\"make\"") ", \"fields\": \"weights\"}", cars,
                            false),
                     WF_EINVAL);
    mt_assert_contains(ctx.err.message, "must be numeric");
    mod_ctx_clear(&ctx);
    assert_int_equal(mt_run(&ctx, "edit-metadata",
                            "{\"columns\": " NAMES("\"doors\"") ", \"fields\": \"weights\"}", cars,
                            false),
                     0);
    assert_int_equal(mt_table(&ctx, 0)->cols[2].role, TBL_ROLE_WEIGHT);
    mod_ctx_clear(&ctx);
    tbl_free(cars);
}

static void edit_metadata_converts_types_and_categories(void **state)
{
    (void)state;
    tbl_table *cars = mt_csv(CARS);
    mod_ctx ctx;
    assert_int_equal(cars->cols[2].type, TBL_INTEGER);
    assert_int_equal(mt_run(&ctx, "edit-metadata",
                            "{\"columns\": " NAMES("\"doors\"") ", \"data_type\": \"numeric\"}",
                            cars, false),
                     0);
    assert_int_equal(mt_table(&ctx, 0)->cols[2].type, TBL_NUMERIC);
    assert_true(mt_table(&ctx, 0)->cols[2].v.f64[1] == 2.0);
    mod_ctx_clear(&ctx);

    assert_int_equal(mt_run(&ctx, "edit-metadata",
                            "{\"columns\": " NAMES("\"doors\"") ", \"categorical\": "
                                                                "\"categorical\"}",
                            cars, false),
                     0);
    const tbl_column *doors = &mt_table(&ctx, 0)->cols[2];
    assert_int_equal(doors->type, TBL_CATEGORICAL);
    assert_int_equal(doors->levels.count, 2);
    mod_ctx_clear(&ctx);

    /* Non-categorical turns a categorical column into strings. */
    assert_int_equal(cars->cols[3].type, TBL_CATEGORICAL);
    assert_int_equal(mt_run(&ctx, "edit-metadata",
                            "{\"columns\": " NAMES("\"fuel\"") ", \"categorical\": "
                                                               "\"non-categorical\"}",
                            cars, false),
                     0);
    assert_int_equal(mt_table(&ctx, 0)->cols[3].type, TBL_STRING);
    size_t len;
    const char *s = tbl_strings_at(&mt_table(&ctx, 0)->cols[3].str, 2, &len);
    assert_int_equal(len, 6);
    assert_memory_equal(s, "diesel", 6);
    mod_ctx_clear(&ctx);
    tbl_free(cars);
}

static void edit_metadata_names_the_value_that_does_not_convert(void **state)
{
    (void)state;
    tbl_table *cars = mt_csv(CARS);
    mod_ctx ctx;
    assert_true(mt_run(&ctx, "edit-metadata",
                       "{\"columns\": " NAMES("\"make\"") ", \"data_type\": \"integer\"}", cars,
                       false) < 0);
    mt_assert_contains(ctx.err.message, "parameter \"data_type\"");
    mt_assert_contains(ctx.err.message, "column \"make\", row 1: \"audi\" is not an integer");
    assert_null(ctx.outputs[0].table);
    mod_ctx_clear(&ctx);

    /* Configure catches conversions that can never work. */
    assert_true(mt_run(&ctx, "edit-metadata",
                       "{\"columns\": " NAMES("\"price\"") ", \"data_type\": \"datetime\"}", cars,
                       true) < 0);
    mt_assert_contains(mt_field_error(&ctx, "data_type"), "cannot convert integer to datetime");
    mod_ctx_clear(&ctx);
    assert_true(mt_run(&ctx, "edit-metadata",
                       "{\"columns\": " NAMES("\"price\"") ", \"data_type\": \"float\"}", cars,
                       true) < 0);
    mt_assert_contains(mt_field_error(&ctx, "data_type"), "\"float\" is not one of");
    mod_ctx_clear(&ctx);
    tbl_free(cars);
}

static void edit_metadata_renames_the_selected_columns(void **state)
{
    (void)state;
    tbl_table *cars = mt_csv(CARS);
    mod_ctx ctx;
    assert_int_equal(mt_run(&ctx, "edit-metadata",
                            "{\"columns\": " NAMES("\"fuel\", \"make\"") ", \"new_names\": "
                                                                         "\" Brand , Fuel type\"}",
                            cars, false),
                     0);
    /* Names go to the selected columns in table order, trimmed. */
    assert_string_equal(mt_table(&ctx, 0)->cols[0].name, "Brand");
    assert_string_equal(mt_table(&ctx, 0)->cols[3].name, "Fuel type");
    mod_ctx_clear(&ctx);

    assert_int_equal(mt_run(&ctx, "edit-metadata",
                            "{\"columns\": " NAMES("\"fuel\"") ", \"new_names\": \"a,b\"}", cars,
                            true),
                     WF_EINVAL);
    mt_assert_contains(mt_field_error(&ctx, "new_names"), "2 names given for 1 selected columns");
    mod_ctx_clear(&ctx);
    assert_int_equal(mt_run(&ctx, "edit-metadata",
                            "{\"columns\": " NAMES("\"fuel\"") ", \"new_names\": \"price\"}", cars,
                            false),
                     WF_EINVAL);
    mt_assert_contains(mt_field_error(&ctx, "new_names"), "two columns would be named \"price\"");
    mod_ctx_clear(&ctx);
    assert_int_equal(mt_run(&ctx, "edit-metadata",
                            "{\"columns\": " NAMES("\"fuel\", \"make\"") ", \"new_names\": "
                                                                         "\"a,,\"}",
                            cars, false),
                     WF_EINVAL);
    mt_assert_contains(mt_field_error(&ctx, "new_names"), "name 2 is empty");
    mod_ctx_clear(&ctx);
    tbl_free(cars);
}

/* ---- add-rows@1 -------------------------------------------------------- */

static void add_rows_appends_rows_matching_columns_by_name(void **state)
{
    (void)state;
    tbl_table *a = mt_csv("x,y\n1,a\n2,b\n");
    tbl_table *b = mt_csv("y,x\nc,3.5\n");
    mod_value in[] = {{.table = a}, {.table = b}};
    mod_ctx ctx;
    assert_int_equal(mt_run_inputs(&ctx, "add-rows", "{}", in, 2, false), 0);
    const tbl_table *t = mt_table(&ctx, 0);
    assert_int_equal(t->nrows, 3);
    assert_string_equal(t->cols[0].name, "x");
    assert_int_equal(t->cols[0].type, TBL_NUMERIC); /* integer widened */
    assert_true(t->cols[0].v.f64[2] == 3.5);
    mod_ctx_clear(&ctx);

    assert_int_equal(mt_run_inputs(&ctx, "add-rows", "{}", in, 2, true), 0);
    assert_int_equal(mt_table(&ctx, 0)->nrows, 0);
    assert_int_equal(mt_table(&ctx, 0)->ncols, 2);
    mod_ctx_clear(&ctx);
    tbl_free(a);
    tbl_free(b);
}

static void add_rows_reports_tables_that_do_not_match(void **state)
{
    (void)state;
    tbl_table *a = mt_csv("x,y\n1,a\n");
    tbl_table *b = mt_csv("x,z\n2,b\n");
    mod_value in[] = {{.table = a}, {.table = b}};
    mod_ctx ctx;
    assert_true(mt_run_inputs(&ctx, "add-rows", "{}", in, 2, true) < 0);
    mt_assert_contains(mt_field_error(&ctx, ""), "cannot add the rows of dataset2 to dataset1");
    mod_ctx_clear(&ctx);
    /* One unknown schema: the output schema is unknown too, not an error. */
    assert_int_equal(mt_run(&ctx, "add-rows", "{}", a, true), 0);
    assert_null(ctx.outputs[0].table);
    mod_ctx_clear(&ctx);
    assert_int_equal(mt_run(&ctx, "add-rows", "{}", a, false), WF_EINVAL);
    mt_assert_contains(ctx.err.message, "\"dataset2\" is missing");
    mod_ctx_clear(&ctx);
    tbl_free(a);
    tbl_free(b);
}

/* ---- enter-data@1 ------------------------------------------------------ */

static void enter_data_reads_csv_with_a_header(void **state)
{
    (void)state;
    mod_ctx ctx;
    assert_int_equal(mt_run(&ctx, "enter-data",
                            "{\"data\": \"city,population,coastal\\nLisbon,545000,true\\n"
                            "Madrid,3223000,false\\n\"}",
                            NULL, false),
                     0);
    const tbl_table *t = mt_table(&ctx, 0);
    assert_int_equal(t->nrows, 2);
    assert_string_equal(t->cols[1].name, "population");
    assert_int_equal(t->cols[1].type, TBL_INTEGER);
    assert_int_equal(t->cols[2].type, TBL_BOOLEAN);
    mod_ctx_clear(&ctx);
}

static void enter_data_reads_tsv_without_a_header(void **state)
{
    (void)state;
    mod_ctx ctx;
    assert_int_equal(mt_run(&ctx, "enter-data",
                            "{\"data_format\": \"tsv\", \"has_header\": false, "
                            "\"data\": \"a b\\t1\\nc\\t2\\n\"}",
                            NULL, false),
                     0);
    const tbl_table *t = mt_table(&ctx, 0);
    assert_int_equal(t->nrows, 2);
    assert_int_equal(t->ncols, 2);
    assert_string_equal(t->cols[0].name, "Column 1");
    mod_ctx_clear(&ctx);
}

static void enter_data_reads_arff(void **state)
{
    (void)state;
    mod_ctx ctx;
    assert_int_equal(mt_run(&ctx, "enter-data",
                            "{\"data_format\": \"arff\", \"data\": \"@relation r\\n"
                            "@attribute w numeric\\n@attribute c {yes,no}\\n@data\\n1.5,yes\\n"
                            "2,no\\n\"}",
                            NULL, false),
                     0);
    assert_int_equal(mt_table(&ctx, 0)->nrows, 2);
    assert_int_equal(mt_table(&ctx, 0)->cols[1].type, TBL_CATEGORICAL);
    mod_ctx_clear(&ctx);
}

static void enter_data_reports_line_of_ragged_row(void **state)
{
    (void)state;
    mod_ctx ctx;
    assert_true(mt_run(&ctx, "enter-data", "{\"data\": \"a,b\\n1,2\\n3,4,5\\n\"}", NULL, false) <
                0);
    mt_assert_contains(ctx.err.message, "parameter \"data\": line 3");
    mt_assert_contains(mt_field_error(&ctx, "data"), "line 3");
    mod_ctx_clear(&ctx);
}

static void enter_data_rejects_empty_text_and_gives_a_schema(void **state)
{
    (void)state;
    mod_ctx ctx;
    assert_int_equal(mt_run(&ctx, "enter-data", "{\"data\": \" \\n \"}", NULL, true), WF_EINVAL);
    mt_assert_contains(mt_field_error(&ctx, "data"), "no data");
    mod_ctx_clear(&ctx);
    assert_int_equal(
        mt_run(&ctx, "enter-data", "{\"data_format\": \"xlsx\", \"data\": \"a\\n1\"}", NULL, true),
        WF_EINVAL);
    assert_non_null(mt_field_error(&ctx, "data_format"));
    mod_ctx_clear(&ctx);
    assert_int_equal(mt_run(&ctx, "enter-data", "{\"data\": \"a,b\\n1,x\\n\"}", NULL, true), 0);
    assert_int_equal(mt_table(&ctx, 0)->nrows, 0);
    assert_int_equal(mt_table(&ctx, 0)->ncols, 2);
    mod_ctx_clear(&ctx);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(dataset_reads_through_the_engines_loader),
        cmocka_unit_test(dataset_reports_an_unknown_dataset_on_its_field),
        cmocka_unit_test(dataset_rejects_a_bad_version),
        cmocka_unit_test(dataset_without_a_loader_has_an_unknown_schema),
        cmocka_unit_test(select_columns_keeps_the_selected_columns_in_table_order),
        cmocka_unit_test(select_columns_shares_the_input_buffers),
        cmocka_unit_test(select_columns_names_the_missing_column),
        cmocka_unit_test(select_columns_checks_the_selection_when_the_schema_is_unknown),
        cmocka_unit_test(edit_metadata_marks_label_role),
        cmocka_unit_test(edit_metadata_needs_exactly_one_label_or_numeric_weight),
        cmocka_unit_test(edit_metadata_converts_types_and_categories),
        cmocka_unit_test(edit_metadata_names_the_value_that_does_not_convert),
        cmocka_unit_test(edit_metadata_renames_the_selected_columns),
        cmocka_unit_test(add_rows_appends_rows_matching_columns_by_name),
        cmocka_unit_test(add_rows_reports_tables_that_do_not_match),
        cmocka_unit_test(enter_data_reads_csv_with_a_header),
        cmocka_unit_test(enter_data_reads_tsv_without_a_header),
        cmocka_unit_test(enter_data_reads_arff),
        cmocka_unit_test(enter_data_reports_line_of_ragged_row),
        cmocka_unit_test(enter_data_rejects_empty_text_and_gives_a_schema),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
