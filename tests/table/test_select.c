/*
 * test_select.c: the column selection language: its JSON forms, rule order,
 * the starting set, and the errors a pipeline editor shows.
 */
#include "table/table.h"

#include <jansson.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

/* cmocka 1.1's assert_float_equal compares floats; statistics need doubles. */
#define assert_near(a, b, eps)                                                                     \
    do {                                                                                           \
        double a_ = (a), b_ = (b);                                                                 \
        if (!(fabs(a_ - b_) <= (eps)))                                                             \
            fail_msg("%s = %.17g, want %.17g (within %g)", #a, a_, b_, (double)(eps));             \
    } while (0)

/* A table of zero rows is enough: selections only read the schema.
 * Columns: 1 id (integer), 2 price (numeric), 3 make (categorical),
 * 4 label (boolean, role label), 5 note (string, role clear),
 * 6 weight (numeric, role weight). */
static tbl_table *make_schema(size_t nrows)
{
    static const struct {
        const char *name;
        tbl_type type;
        tbl_role role;
    } cols[] = {
        {"id", TBL_INTEGER, TBL_ROLE_FEATURE},       {"price", TBL_NUMERIC, TBL_ROLE_FEATURE},
        {"make", TBL_CATEGORICAL, TBL_ROLE_FEATURE}, {"label", TBL_BOOLEAN, TBL_ROLE_LABEL},
        {"note", TBL_STRING, TBL_ROLE_CLEAR},        {"weight", TBL_NUMERIC, TBL_ROLE_WEIGHT},
    };
    tbl_table *t = tbl_new();
    assert_non_null(t);
    for (size_t j = 0; j < sizeof cols / sizeof cols[0]; j++) {
        tbl_column c;
        assert_int_equal(tbl_column_init(&c, cols[j].name, cols[j].type, nrows, NULL), 0);
        c.role = cols[j].role;
        if (cols[j].type == TBL_CATEGORICAL)
            for (size_t r = 0; r < nrows; r++)
                assert_int_equal(tbl_set_missing(&c, r, nrows), 0);
        assert_int_equal(tbl_add_column(t, &c, nrows, NULL), 0);
    }
    return t;
}

static int parse(const char *text, tbl_selection *s, wf_error *err)
{
    json_error_t jerr;
    json_t *j = json_loads(text, 0, &jerr);
    assert_non_null(j);
    int rc = tbl_selection_from_json(j, s, err);
    json_decref(j);
    return rc;
}

/* Resolves `text` against the schema and returns the selected column names
 * joined by commas. */
static char *select_names(const char *text)
{
    tbl_table *t = make_schema(0);
    tbl_selection s;
    wf_error err = {0};
    if (parse(text, &s, &err) < 0) fail_msg("parse: %s", err.message);
    size_t *idx, n;
    if (tbl_selection_resolve(&s, t, &idx, &n, &err) < 0) fail_msg("resolve: %s", err.message);
    static char buf[256];
    buf[0] = '\0';
    for (size_t i = 0; i < n; i++) {
        if (i) strcat(buf, ",");
        strcat(buf, t->cols[idx[i]].name);
    }
    free(idx);
    tbl_selection_clear(&s);
    tbl_free(t);
    return buf;
}

/* The error message of a selection that fails to parse or resolve. */
static char *select_error(const char *text, int *code)
{
    tbl_table *t = make_schema(0);
    tbl_selection s;
    static wf_error err;
    wf_error_clear(&err);
    int rc = parse(text, &s, &err);
    if (rc == 0) {
        size_t *idx = NULL, n;
        rc = tbl_selection_resolve(&s, t, &idx, &n, &err);
        free(idx);
        tbl_selection_clear(&s);
    }
    assert_true(rc < 0);
    assert_int_equal(rc, err.code);
    *code = rc;
    tbl_free(t);
    return err.message;
}

static void selection_by_names_comes_back_in_table_order(void **state)
{
    (void)state;
    assert_string_equal(select_names("{\"include\": [{\"names\": [\"note\", \"id\"]}]}"),
                        "id,note");
}

static void selection_by_type_numeric_includes_integer_columns(void **state)
{
    (void)state;
    assert_string_equal(select_names("{\"include\": [{\"type\": \"numeric\"}]}"),
                        "id,price,weight");
    assert_string_equal(select_names("{\"include\": [{\"type\": \"integer\"}]}"), "id");
    assert_string_equal(select_names("{\"include\": [{\"type\": \"categorical\"}]}"), "make");
}

static void selection_by_role_matches_that_role_only(void **state)
{
    (void)state;
    assert_string_equal(select_names("{\"include\": [{\"role\": \"label\"}]}"), "label");
    assert_string_equal(select_names("{\"include\": [{\"role\": \"feature\"}]}"), "id,price,make");
}

static void selection_by_index_ranges_is_one_based_and_inclusive(void **state)
{
    (void)state;
    assert_string_equal(select_names("{\"include\": [{\"indices\": \"1-2,5\"}]}"), "id,price,note");
    assert_string_equal(select_names("{\"include\": [{\"indices\": \" 6 , 3-4 \"}]}"),
                        "make,label,weight");
    assert_string_equal(select_names("{\"include\": [{\"indices\": [1, \"5-6\"]}]}"),
                        "id,note,weight");
}

static void selection_applies_include_rules_then_exclude_rules(void **state)
{
    (void)state;
    assert_string_equal(select_names("{\"exclude\": [{\"names\": [\"id\"]}],"
                                     " \"include\": [{\"type\": \"numeric\"}]}"),
                        "price,weight");
}

static void selection_rules_apply_in_the_order_given(void **state)
{
    (void)state;
    assert_string_equal(select_names("{\"start\": \"all\", \"rules\": ["
                                     "{\"op\": \"exclude\", \"type\": \"numeric\"},"
                                     "{\"op\": \"include\", \"names\": [\"price\"]}]}"),
                        "price,make,label,note");
    assert_string_equal(select_names("{\"start\": \"all\", \"rules\": ["
                                     "{\"op\": \"include\", \"names\": [\"price\"]},"
                                     "{\"op\": \"exclude\", \"type\": \"numeric\"}]}"),
                        "make,label,note");
}

static void selection_starts_from_all_or_none(void **state)
{
    (void)state;
    assert_string_equal(select_names("{\"start\": \"all\"}"), "id,price,make,label,note,weight");
    assert_string_equal(select_names("{\"start\": \"none\"}"), "");
    assert_string_equal(select_names("{}"), "");
    assert_string_equal(select_names("{\"start\": \"all\", \"exclude\": [{\"role\": \"label\"},"
                                     " {\"indices\": \"5-6\"}]}"),
                        "id,price,make");
    /* Excludes alone start from all: "everything but the label". */
    assert_string_equal(select_names("{\"exclude\": [{\"role\": \"label\"}]}"),
                        "id,price,make,note,weight");
    assert_string_equal(select_names("{\"start\": \"none\", \"exclude\": [{\"role\": \"label\"}]}"),
                        "");
    assert_string_equal(select_names("{\"rules\": [{\"op\": \"include\", \"all\": true},"
                                     " {\"op\": \"exclude\", \"names\": \"make\"}]}"),
                        "id,price,label,note,weight");
}

static void selection_error_names_the_rule_and_the_unknown_type(void **state)
{
    (void)state;
    int code;
    const char *msg = select_error("{\"rules\": [{\"op\": \"include\", \"names\": [\"id\"]},"
                                   " {\"op\": \"include\", \"type\": \"numbr\"}]}",
                                   &code);
    assert_int_equal(code, WF_EINVAL);
    assert_non_null(strstr(msg, "rule 2: unknown type \"numbr\""));
    msg = select_error("{\"include\": [{\"role\": \"lable\"}]}", &code);
    assert_non_null(strstr(msg, "include rule 1: unknown role \"lable\""));
}

static void selection_of_a_column_not_in_the_table_names_it(void **state)
{
    (void)state;
    int code;
    const char *msg = select_error(
        "{\"include\": [{\"type\": \"string\"}, {\"names\": [\"id\", \"price2\"]}]}", &code);
    assert_int_equal(code, WF_ENOTFOUND);
    assert_non_null(strstr(msg, "rule 2"));
    assert_non_null(strstr(msg, "column \"price2\" is not in the table"));
}

static void selection_index_out_of_range_names_the_index(void **state)
{
    (void)state;
    int code;
    const char *msg = select_error("{\"include\": [{\"indices\": \"2,9\"}]}", &code);
    assert_int_equal(code, WF_EINVAL);
    assert_non_null(strstr(msg, "column index 9 is out of range"));
    assert_non_null(strstr(msg, "6 columns"));
    msg = select_error("{\"include\": [{\"indices\": \"4-8\"}]}", &code);
    assert_non_null(strstr(msg, "4-8"));
    assert_non_null(strstr(msg, "from 7"));
}

static void selection_rejects_malformed_json_naming_the_field(void **state)
{
    (void)state;
    static const struct {
        const char *json, *expect;
    } cases[] = {
        {"[1]", "must be a JSON object"},
        {"{\"include\": [{\"names\": [\"a\"]}], \"colour\": 1}", "unknown field \"colour\""},
        {"{\"include\": {\"names\": [\"a\"]}}", "\"include\" must be an array"},
        {"{\"include\": [{\"names\": [\"a\"], \"type\": \"numeric\"}]}", "cannot be in the same"},
        {"{\"include\": [{}]}", "include rule 1: a rule needs one of"},
        {"{\"include\": [{\"nmes\": [\"a\"]}]}", "unknown field \"nmes\""},
        {"{\"include\": [{\"names\": [\"a\", 3]}]}", "\"names\"[1] must be a string"},
        {"{\"rules\": [{\"names\": [\"a\"]}]}", "rule 1: \"op\" must be"},
        {"{\"rules\": [{\"op\": \"keep\", \"names\": [\"a\"]}]}", "\"op\" must be"},
        {"{\"rules\": [], \"include\": []}", "not both"},
        {"{\"start\": \"some\"}", "\"start\" must be"},
        {"{\"include\": [{\"indices\": \"0-2\"}]}", "start at 1"},
        {"{\"include\": [{\"indices\": \"3-1\"}]}", "backwards"},
        {"{\"include\": [{\"indices\": \"1-\"}]}", "no end"},
        {"{\"include\": [{\"indices\": \"1;2\"}]}", "unexpected"},
        {"{\"include\": [{\"indices\": \"x\"}]}", "not a list"},
        {"{\"include\": [{\"indices\": [0]}]}", "\"indices\"[0]"},
        {"{\"include\": [{\"indices\": \"99999999999\"}]}", "not a list"},
        {"{\"include\": [{\"all\": false}]}", "\"all\" must be true"},
        {"{\"exclude\": [{\"type\": 3}]}", "exclude rule 1: \"type\" must be a string"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        tbl_selection s;
        wf_error err = {0};
        int rc = parse(cases[i].json, &s, &err);
        if (rc >= 0) fail_msg("accepted %s", cases[i].json);
        assert_int_equal(rc, WF_EINVAL);
        if (strstr(err.message, cases[i].expect) == NULL)
            fail_msg("%s: got \"%s\", want \"%s\"", cases[i].json, err.message, cases[i].expect);
        assert_null(s.rules);
    }
}

static void selection_of_names_copies_the_names(void **state)
{
    (void)state;
    char a[] = "weight", b[] = "make";
    const char *names[] = {a, b};
    tbl_selection s;
    assert_int_equal(tbl_selection_names(&s, names, 2, NULL), 0);
    a[0] = 'X'; /* the selection must not point into the caller's strings */
    tbl_table *t = make_schema(0);
    size_t *idx, n;
    assert_int_equal(tbl_selection_resolve(&s, t, &idx, &n, NULL), 0);
    assert_int_equal(n, 2);
    assert_int_equal(idx[0], 2);
    assert_int_equal(idx[1], 5);
    free(idx);
    tbl_selection_clear(&s);
    tbl_selection_clear(&s); /* clearing twice is harmless */
    tbl_free(t);
}

static void select_columns_copies_the_selected_columns_and_their_values(void **state)
{
    (void)state;
    tbl_table *t = make_schema(3);
    for (size_t r = 0; r < 3; r++)
        t->cols[1].v.f64[r] = 1.5 * (double)r;
    assert_int_equal(tbl_set_missing(&t->cols[1], 2, 3), 0);
    tbl_selection s;
    assert_int_equal(parse("{\"include\": [{\"names\": [\"price\", \"label\"]}]}", &s, NULL), 0);
    tbl_table *out = NULL;
    assert_int_equal(tbl_select_columns(t, &s, &out, NULL), 0);
    assert_int_equal(out->ncols, 2);
    assert_int_equal(out->nrows, 3);
    assert_string_equal(out->cols[0].name, "price");
    assert_int_equal(out->cols[1].role, TBL_ROLE_LABEL);
    t->cols[1].v.f64[1] = 99; /* a deep copy: the source can change */
    assert_near(out->cols[0].v.f64[1], 1.5, 0);
    assert_true(tbl_is_missing(&out->cols[0], 2));
    tbl_free(out);

    /* Selecting nothing gives a table without columns, not an error. */
    tbl_selection none = {0};
    assert_int_equal(tbl_select_columns(t, &none, &out, NULL), 0);
    assert_int_equal(out->ncols, 0);
    tbl_free(out);
    tbl_selection_clear(&s);
    tbl_free(t);
}

static void select_columns_fails_without_output_on_a_bad_selection(void **state)
{
    (void)state;
    tbl_table *t = make_schema(2);
    const char *names[] = {"nope"};
    tbl_selection s;
    assert_int_equal(tbl_selection_names(&s, names, 1, NULL), 0);
    tbl_table *out = (tbl_table *)&s; /* must be reset to NULL */
    wf_error err = {0};
    assert_int_equal(tbl_select_columns(t, &s, &out, &err), WF_ENOTFOUND);
    assert_null(out);
    assert_non_null(strstr(err.message, "\"nope\""));
    tbl_selection_clear(&s);
    tbl_free(t);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(selection_by_names_comes_back_in_table_order),
        cmocka_unit_test(selection_by_type_numeric_includes_integer_columns),
        cmocka_unit_test(selection_by_role_matches_that_role_only),
        cmocka_unit_test(selection_by_index_ranges_is_one_based_and_inclusive),
        cmocka_unit_test(selection_applies_include_rules_then_exclude_rules),
        cmocka_unit_test(selection_rules_apply_in_the_order_given),
        cmocka_unit_test(selection_starts_from_all_or_none),
        cmocka_unit_test(selection_error_names_the_rule_and_the_unknown_type),
        cmocka_unit_test(selection_of_a_column_not_in_the_table_names_it),
        cmocka_unit_test(selection_index_out_of_range_names_the_index),
        cmocka_unit_test(selection_rejects_malformed_json_naming_the_field),
        cmocka_unit_test(selection_of_names_copies_the_names),
        cmocka_unit_test(select_columns_copies_the_selected_columns_and_their_values),
        cmocka_unit_test(select_columns_fails_without_output_on_a_bad_selection),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
