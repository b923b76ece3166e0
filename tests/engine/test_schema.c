/*
 * test_schema.c: schema propagation without running: from typed rows
 * (enter-data) and from a registered dataset (through a loader the test
 * provides) down through select-columns and split-data; unknown schemas
 * flowing on; configure's problems turned into issues; cycles.
 */
#include "engine/engine.h"

#include <jansson.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#define PIPELINES WEFT_TEST_DATA "/pipelines/"
#define DOC(nodes, edges)                                                                          \
    "{\"format\": \"weft.pipeline/1\", \"nodes\": [" nodes "], \"edges\": [" edges "]}"

static eng_pipeline *parse_ok(const char *text)
{
    eng_pipeline *p = NULL;
    wf_error err = {0};
    if (eng_pipeline_parse(text, strlen(text), &p, &err) < 0) fail_msg("parse: %s", err.message);
    return p;
}

static void dump(const eng_issues *issues)
{
    for (size_t i = 0; i < issues->count; i++)
        fprintf(stderr, "  [%s] [%s] %s\n", issues->items[i].node, issues->items[i].field,
                issues->items[i].message);
}

static tbl_table ***propagate(const eng_pipeline *p, const eng_env *env, eng_issues *issues)
{
    tbl_table ***schemas = NULL;
    wf_error err = {0};
    if (eng_propagate_schemas(p, NULL, env, &schemas, issues, &err) < 0)
        fail_msg("propagate: %s", err.message);
    assert_non_null(schemas);
    return schemas;
}

/* The schema of node `id`'s output `port`. Every node of a known module
 * has its row, configured or not. */
static const tbl_table *schema_of(const eng_pipeline *p, tbl_table ***schemas, const char *id,
                                  const char *port)
{
    int i = eng_find_node(p, id);
    assert_true(i >= 0);
    int k = mod_output_index(p->nodes[i].module, port);
    assert_true(k >= 0);
    assert_non_null(schemas[i]);
    return schemas[i][k];
}

/* "name:type:role,..." for a schema. */
static const char *describe(const tbl_table *t)
{
    static char buf[512];
    buf[0] = '\0';
    for (size_t j = 0; j < t->ncols; j++) {
        size_t n = strlen(buf);
        snprintf(buf + n, sizeof buf - n, "%s%s:%s:%s", j ? "," : "", t->cols[j].name,
                 tbl_type_name(t->cols[j].type), tbl_role_name(t->cols[j].role));
    }
    return buf;
}

/* ---- a small registered dataset ---------------------------------------- */

typedef struct loader_state {
    int calls;
    char last_ref[128];
    int fail_with; /* 0: succeed */
} loader_state;

/* Builds cars: make (categorical, 2 rows), price (numeric), label (boolean,
 * role label). */
static int load_cars(void *user, const char *ref, tbl_table **out, wf_error *err)
{
    loader_state *st = user;
    st->calls++;
    snprintf(st->last_ref, sizeof st->last_ref, "%s", ref);
    *out = NULL;
    if (st->fail_with != 0) return wf_error_set(err, st->fail_with, "no dataset %s", ref);
    tbl_table *t = tbl_new();
    assert_non_null(t);
    tbl_column c;
    assert_int_equal(tbl_column_init(&c, "make", TBL_CATEGORICAL, 2, err), 0);
    tbl_strings_builder b = {0};
    tbl_strings_clear(&c.levels); /* init made an empty dictionary */
    tbl_strings_append(&b, "audi", 4);
    tbl_strings_append(&b, "bmw", 3);
    assert_int_equal(tbl_strings_finish(&b, &c.levels), 0);
    c.v.codes[0] = 0;
    c.v.codes[1] = 1;
    assert_int_equal(tbl_add_column(t, &c, 2, err), 0);
    assert_int_equal(tbl_column_init(&c, "price", TBL_NUMERIC, 2, err), 0);
    c.v.f64[0] = 13495;
    c.v.f64[1] = 16500;
    assert_int_equal(tbl_add_column(t, &c, 2, err), 0);
    assert_int_equal(tbl_column_init(&c, "label", TBL_BOOLEAN, 2, err), 0);
    c.role = TBL_ROLE_LABEL;
    assert_int_equal(tbl_add_column(t, &c, 2, err), 0);
    *out = t;
    return 0;
}

#define CARS_NODE                                                                                  \
    "{\"id\": \"cars\", \"module\": \"dataset@1\", \"params\": {\"dataset\": \"cars\"}}"
#define PICK_NODE(names)                                                                           \
    "{\"id\": \"pick\", \"module\": \"select-columns@1\", \"params\": {\"columns\": "              \
    "{\"include\": [{\"names\": " names "}]}}}"
#define SPLIT_NODE "{\"id\": \"split\", \"module\": \"split-data@1\"}"

/* ---- propagation ------------------------------------------------------- */

static void schemas_flow_from_typed_rows_through_select_and_split(void **state)
{
    (void)state;
    eng_pipeline *p = NULL;
    wf_error err = {0};
    assert_int_equal(eng_pipeline_load_file(PIPELINES "enter_select_split.json", &p, &err), 0);
    eng_issues issues = {0};
    tbl_table ***schemas = propagate(p, NULL, &issues);
    if (issues.count) dump(&issues);
    assert_int_equal(issues.count, 0);
    const tbl_table *rows = schema_of(p, schemas, "rows", "dataset");
    assert_non_null(rows);
    assert_int_equal(rows->nrows, 0);
    assert_int_equal(rows->ncols, 3);
    assert_string_equal(rows->cols[1].name, "price");
    assert_int_equal(rows->cols[1].type, TBL_NUMERIC);
    const tbl_table *picked = schema_of(p, schemas, "pick", "dataset");
    assert_non_null(picked);
    assert_int_equal(picked->nrows, 0);
    assert_string_equal(describe(picked), "name:string:feature,price:numeric:feature");
    const tbl_table *first = schema_of(p, schemas, "split", "first");
    const tbl_table *second = schema_of(p, schemas, "split", "second");
    assert_non_null(first);
    assert_non_null(second);
    assert_string_equal(describe(first), "name:string:feature,price:numeric:feature");
    assert_string_equal(describe(second), "name:string:feature,price:numeric:feature");
    assert_int_equal(first->nrows, 0);
    eng_schemas_free(p, schemas);
    eng_pipeline_free(p);
}

static void schemas_flow_from_a_dataset_through_its_loader(void **state)
{
    (void)state;
    eng_pipeline *p = parse_ok(DOC(CARS_NODE "," PICK_NODE("[\"make\", \"label\"]") "," SPLIT_NODE,
                                   "{\"from\": \"cars.dataset\", \"to\": \"pick.dataset\"},"
                                   "{\"from\": \"pick.dataset\", \"to\": \"split.dataset\"}"));
    loader_state st = {0};
    eng_env env = {.load_dataset = load_cars, .user = &st};
    eng_issues issues = {0};
    tbl_table ***schemas = propagate(p, &env, &issues);
    if (issues.count) dump(&issues);
    assert_int_equal(issues.count, 0);
    assert_int_equal(st.calls, 1);
    assert_string_equal(st.last_ref, "cars@latest");
    const tbl_table *cars = schema_of(p, schemas, "cars", "dataset");
    assert_non_null(cars);
    /* The loaded rows do not flow: only the schema does. */
    assert_int_equal(cars->nrows, 0);
    assert_string_equal(describe(cars),
                        "make:categorical:feature,price:numeric:feature,label:boolean:label");
    const tbl_table *second = schema_of(p, schemas, "split", "second");
    assert_non_null(second);
    assert_string_equal(describe(second), "make:categorical:feature,label:boolean:label");
    /* Categorical levels travel with the schema. */
    assert_int_equal(second->cols[0].levels.count, 2);
    eng_schemas_free(p, schemas);
    eng_pipeline_free(p);
}

static void validation_uses_the_loader_to_check_columns(void **state)
{
    (void)state;
    eng_pipeline *p = parse_ok(DOC(CARS_NODE "," PICK_NODE("[\"make\", \"colour\"]"),
                                   "{\"from\": \"cars.dataset\", \"to\": \"pick.dataset\"}"));
    loader_state st = {0};
    eng_env env = {.load_dataset = load_cars, .user = &st};
    eng_issues issues = {0};
    wf_error err = {0};
    assert_int_equal(eng_pipeline_validate(p, NULL, &env, &issues, &err), 0);
    if (issues.count != 1) dump(&issues);
    assert_int_equal(issues.count, 1);
    assert_string_equal(issues.items[0].node, "pick");
    assert_string_equal(issues.items[0].field, "columns");
    assert_non_null(strstr(issues.items[0].message, "column \"colour\" is not in the table"));
    eng_issues_clear(&issues);
    /* Without a loader the schema is unknown and nothing can be said. */
    assert_int_equal(eng_pipeline_validate(p, NULL, NULL, &issues, &err), 0);
    assert_int_equal(issues.count, 0);
    eng_pipeline_free(p);
}

static void unknown_schemas_flow_on_as_null(void **state)
{
    (void)state;
    eng_pipeline *p = parse_ok(DOC(CARS_NODE "," PICK_NODE("[\"anything\"]") "," SPLIT_NODE,
                                   "{\"from\": \"cars.dataset\", \"to\": \"pick.dataset\"},"
                                   "{\"from\": \"pick.dataset\", \"to\": \"split.dataset\"}"));
    eng_issues issues = {0};
    tbl_table ***schemas = propagate(p, NULL, &issues);
    if (issues.count) dump(&issues);
    assert_int_equal(issues.count, 0);
    assert_null(schema_of(p, schemas, "cars", "dataset"));
    assert_null(schema_of(p, schemas, "pick", "dataset"));
    assert_null(schema_of(p, schemas, "split", "first"));
    eng_schemas_free(p, schemas);
    eng_pipeline_free(p);
}

static void a_loader_failure_is_an_issue_on_the_dataset_field(void **state)
{
    (void)state;
    eng_pipeline *p = parse_ok(
        DOC(CARS_NODE "," SPLIT_NODE, "{\"from\": \"cars.dataset\", \"to\": \"split.dataset\"}"));
    loader_state st = {.fail_with = WF_ENOTFOUND};
    eng_env env = {.load_dataset = load_cars, .user = &st};
    eng_issues issues = {0};
    tbl_table ***schemas = propagate(p, &env, &issues);
    if (issues.count != 1) dump(&issues);
    assert_int_equal(issues.count, 1);
    assert_string_equal(issues.items[0].node, "cars");
    assert_string_equal(issues.items[0].field, "dataset");
    assert_non_null(strstr(issues.items[0].message, "no dataset cars@latest"));
    assert_null(schema_of(p, schemas, "cars", "dataset"));
    assert_null(schema_of(p, schemas, "split", "first"));
    eng_schemas_free(p, schemas);
    eng_issues_clear(&issues);
    eng_pipeline_free(p);
}

static void propagation_reports_columns_missing_upstream(void **state)
{
    (void)state;
    eng_pipeline *p = parse_ok(DOC("{\"id\": \"rows\", \"module\": \"enter-data@1\", \"params\": "
                                   "{\"data\": \"a,b\\n1,2\\n\"}}," PICK_NODE("[\"c\"]"),
                                   "{\"from\": \"rows.dataset\", \"to\": \"pick.dataset\"}"));
    eng_issues issues = {0};
    tbl_table ***schemas = propagate(p, NULL, &issues);
    if (issues.count != 1) dump(&issues);
    assert_int_equal(issues.count, 1);
    assert_string_equal(issues.items[0].node, "pick");
    assert_string_equal(issues.items[0].field, "columns");
    assert_non_null(strstr(issues.items[0].message, "column \"c\" is not in the table"));
    /* A node whose configure failed has no schema to hand on. */
    assert_null(schema_of(p, schemas, "pick", "dataset"));
    assert_non_null(schema_of(p, schemas, "rows", "dataset"));
    eng_schemas_free(p, schemas);
    eng_issues_clear(&issues);
    eng_pipeline_free(p);
}

static void propagation_reports_unresolved_references(void **state)
{
    (void)state;
    eng_pipeline *p = parse_ok(DOC("{\"id\": \"rows\", \"module\": \"enter-data@1\", \"params\": "
                                   "{\"data\": {\"$param\": \"text\"}}}",
                                   ""));
    eng_issues issues = {0};
    tbl_table ***schemas = propagate(p, NULL, &issues);
    if (issues.count != 1) dump(&issues);
    assert_int_equal(issues.count, 1);
    assert_string_equal(issues.items[0].field, "data");
    assert_non_null(strstr(issues.items[0].message, "\"text\", which is not declared"));
    assert_null(schema_of(p, schemas, "rows", "dataset"));
    eng_schemas_free(p, schemas);
    eng_issues_clear(&issues);
    eng_pipeline_free(p);
}

static void propagation_goes_on_beside_a_cycle(void **state)
{
    (void)state;
    eng_pipeline *p = NULL;
    wf_error err = {0};
    assert_int_equal(eng_pipeline_load_file(PIPELINES "cycle.json", &p, &err), 0);
    eng_issues issues = {0};
    tbl_table ***schemas = propagate(p, NULL, &issues);
    /* rows is above the cycle: its schema is known. The rest is not. */
    assert_non_null(schema_of(p, schemas, "rows", "dataset"));
    assert_null(schema_of(p, schemas, "left", "dataset"));
    assert_null(schema_of(p, schemas, "tail", "dataset"));
    size_t cycle_issues = 0;
    for (size_t i = 0; i < issues.count; i++)
        cycle_issues += strstr(issues.items[i].message, "cycle") != NULL;
    assert_int_equal(cycle_issues, 2);
    eng_schemas_free(p, schemas);
    eng_issues_clear(&issues);
    eng_pipeline_free(p);
}

/* A module whose configure hands over a full table, against the contract:
 * propagation must still give a zero-row schema. */
static const mod_port chatty_out[] = {{.name = "dataset", .kind = MOD_TABLE}};
static int chatty_configure(mod_ctx *ctx)
{
    loader_state st = {0};
    tbl_table *t = NULL;
    wf_error err = {0};
    if (load_cars(&st, "cars@1", &t, &err) < 0) return mod_fail_with(ctx, &err);
    return mod_output_table(ctx, "dataset", t);
}
static const mod_descriptor chatty = {.name = "t-chatty",
                                      .version = 1,
                                      MOD_PORTS(outputs, chatty_out),
                                      .configure = chatty_configure};

static void propagation_keeps_only_the_schema_of_a_full_table(void **state)
{
    (void)state;
    eng_pipeline *p = parse_ok(DOC("{\"id\": \"c\", \"module\": \"t-chatty@1\"}", ""));
    p->nodes[0].module = &chatty;
    eng_issues issues = {0};
    tbl_table ***schemas = propagate(p, NULL, &issues);
    assert_int_equal(issues.count, 0);
    const tbl_table *t = schema_of(p, schemas, "c", "dataset");
    assert_non_null(t);
    assert_int_equal(t->nrows, 0);
    assert_int_equal(t->ncols, 3);
    eng_schemas_free(p, schemas);
    eng_pipeline_free(p);
}

static void schemas_free_accepts_null(void **state)
{
    (void)state;
    eng_schemas_free(NULL, NULL);
    eng_pipeline *p = parse_ok(DOC("", ""));
    eng_schemas_free(p, NULL);
    eng_issues issues = {0};
    tbl_table ***schemas = propagate(p, NULL, &issues);
    eng_schemas_free(p, schemas);
    eng_pipeline_free(p);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(schemas_flow_from_typed_rows_through_select_and_split),
        cmocka_unit_test(schemas_flow_from_a_dataset_through_its_loader),
        cmocka_unit_test(validation_uses_the_loader_to_check_columns),
        cmocka_unit_test(unknown_schemas_flow_on_as_null),
        cmocka_unit_test(a_loader_failure_is_an_issue_on_the_dataset_field),
        cmocka_unit_test(propagation_reports_columns_missing_upstream),
        cmocka_unit_test(propagation_reports_unresolved_references),
        cmocka_unit_test(propagation_goes_on_beside_a_cycle),
        cmocka_unit_test(propagation_keeps_only_the_schema_of_a_full_table),
        cmocka_unit_test(schemas_free_accepts_null),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
