/*
 * test_pipeline.c: reading pipeline documents (shape, format version, ids,
 * edge ends, syntax errors with line and column) and writing them back in
 * canonical form (stable key order, defaults filled, same text for documents
 * that mean the same).
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

static eng_pipeline *parse_ok(const char *text)
{
    eng_pipeline *p = NULL;
    wf_error err = {0};
    if (eng_pipeline_parse(text, strlen(text), &p, &err) < 0) fail_msg("parse: %s", err.message);
    assert_non_null(p);
    return p;
}

/* Parses text that must fail; returns the message (static storage). */
static const char *parse_error(const char *text)
{
    static wf_error err;
    memset(&err, 0, sizeof err);
    eng_pipeline *p = (eng_pipeline *)1;
    int rc = eng_pipeline_parse(text, strlen(text), &p, &err);
    if (rc >= 0) fail_msg("parse succeeded on %s", text);
    assert_null(p);
    assert_int_equal(err.code, rc);
    assert_true(err.message[0] != '\0');
    return err.message;
}

#define assert_contains(haystack, needle)                                                          \
    do {                                                                                           \
        const char *h_ = (haystack), *n_ = (needle);                                               \
        if (strstr(h_, n_) == NULL) fail_msg("\"%s\" does not contain \"%s\"", h_, n_);            \
    } while (0)

static char *canonical_text(const eng_pipeline *p)
{
    json_t *c = eng_pipeline_canonical(p);
    assert_non_null(c);
    char *s = json_dumps(c, JSON_COMPACT);
    json_decref(c);
    assert_non_null(s);
    return s;
}

static char *canonical_of_file(const char *name)
{
    eng_pipeline *p = NULL;
    wf_error err = {0};
    char path[512];
    snprintf(path, sizeof path, PIPELINES "%s", name);
    if (eng_pipeline_load_file(path, &p, &err) < 0) fail_msg("%s: %s", name, err.message);
    char *s = canonical_text(p);
    eng_pipeline_free(p);
    return s;
}

/* ---- reading ----------------------------------------------------------- */

static void parse_reads_nodes_edges_parameters_and_layout(void **state)
{
    (void)state;
    eng_pipeline *p = NULL;
    wf_error err = {0};
    assert_int_equal(eng_pipeline_load_file(PIPELINES "design_example.json", &p, &err), 0);
    assert_string_equal(p->name, "Automobile price");
    assert_string_equal(p->description, "");
    assert_int_equal(p->nnodes, 3);
    assert_string_equal(p->nodes[0].id, "data");
    assert_string_equal(p->nodes[0].module_ref, "dataset@1");
    assert_non_null(p->nodes[0].module);
    assert_string_equal(p->nodes[0].module->name, "dataset");
    assert_string_equal(json_string_value(json_object_get(p->nodes[0].params, "dataset")), "cars");
    /* Unknown modules (here a version that does not exist) parse: validation
     * is where they are reported. */
    assert_string_equal(p->nodes[1].module_ref, "clean-missing-data@9");
    assert_null(p->nodes[1].module);
    assert_int_equal(p->nedges, 2);
    assert_string_equal(p->edges[1].from_node, "clean");
    assert_string_equal(p->edges[1].from_port, "cleaned");
    assert_string_equal(p->edges[1].to_node, "split");
    assert_string_equal(p->edges[1].to_port, "dataset");
    assert_int_equal(p->nparams, 1);
    assert_string_equal(p->params[0].name, "train_fraction");
    assert_string_equal(p->params[0].type, "number");
    assert_true(json_real_value(p->params[0].default_value) == 0.7);
    assert_non_null(p->layout);
    assert_int_equal(json_integer_value(json_object_get(json_object_get(p->layout, "data"), "x")),
                     40);
    assert_false(p->nodes[2].regenerate);
    eng_pipeline_free(p);
}

static void parse_accepts_an_empty_pipeline(void **state)
{
    (void)state;
    eng_pipeline *p = parse_ok("{\"format\": \"weft.pipeline/1\"}");
    assert_int_equal(p->nnodes, 0);
    assert_int_equal(p->nedges, 0);
    assert_string_equal(p->name, "");
    assert_null(p->layout);
    eng_pipeline_free(p);
}

static void parse_reports_syntax_errors_with_line_and_column(void **state)
{
    (void)state;
    const char *msg = parse_error("{\n  \"format\": \"weft.pipeline/1\",\n  \"nodes\": [,]\n}");
    assert_contains(msg, "line 3, column");
    eng_pipeline *p = NULL;
    wf_error err = {0};
    assert_int_equal(eng_pipeline_load_file(PIPELINES "bad_syntax.json", &p, &err), WF_EPARSE);
    assert_null(p);
    /* The missing comma between two nodes is on line 5. */
    assert_contains(err.message, "bad_syntax.json: line 5, column");
    /* jansson quotes the bytes near the error; the message stays UTF-8, as
     * it is sent on as JSON. */
    msg = parse_error("{\"format\": \"weft.pipeline/1\",\n \"t\xf6\xff\xff\"x\": 1}");
    assert_contains(msg, "line 2");
    assert_true(wf_utf8_valid(msg, strlen(msg), NULL));
}

static void parse_refuses_duplicate_keys_with_their_line(void **state)
{
    (void)state;
    const char *msg = parse_error("{\"format\": \"weft.pipeline/1\",\n\"name\": \"a\",\n"
                                  "\"name\": \"b\"}");
    assert_contains(msg, "line 3");
    assert_contains(msg, "duplicate");
}

static void parse_refuses_empty_and_non_object_documents(void **state)
{
    (void)state;
    assert_contains(parse_error(""), "line 1");
    assert_contains(parse_error("[1, 2]"), "must be a JSON object");
    assert_contains(parse_error("\"weft.pipeline/1\""), "line 1, column");
}

static void parse_explains_other_format_versions(void **state)
{
    (void)state;
    eng_pipeline *p = NULL;
    wf_error err = {0};
    assert_int_equal(eng_pipeline_load_file(PIPELINES "newer_format.json", &p, &err), WF_EFORMAT);
    /* The version, not the unknown "widgets" field, is the reason given. */
    assert_contains(err.message, "\"weft.pipeline/2\"");
    assert_contains(err.message, "reads only \"weft.pipeline/1\"");
    assert_contains(parse_error("{\"nodes\": []}"), "\"format\" is missing");
    assert_contains(parse_error("{\"format\": \"kubeflow/v2\"}"), "not a weft pipeline");
    assert_contains(parse_error("{\"format\": 1}"), "\"format\" must be the string");
}

static void parse_rejects_unknown_top_level_fields_by_name(void **state)
{
    (void)state;
    const char *msg = parse_error("{\"format\": \"weft.pipeline/1\", \"nodez\": []}");
    assert_contains(msg, "unknown field \"nodez\"");
}

static void parse_rejects_unknown_node_and_edge_fields(void **state)
{
    (void)state;
    assert_contains(parse_error("{\"format\": \"weft.pipeline/1\", \"nodes\": [{\"id\": \"a\", "
                                "\"module\": \"enter-data@1\", \"colour\": 1}]}"),
                    "nodes[0]: unknown field \"colour\"");
    assert_contains(parse_error("{\"format\": \"weft.pipeline/1\", \"edges\": [{\"from\": \"a.x\", "
                                "\"to\": \"b.y\", \"via\": \"c\"}]}"),
                    "edges[0]: unknown field \"via\"");
}

static void parse_refuses_duplicate_node_ids(void **state)
{
    (void)state;
    const char *msg = parse_error("{\"format\": \"weft.pipeline/1\", \"nodes\": ["
                                  "{\"id\": \"a\", \"module\": \"enter-data@1\"},"
                                  "{\"id\": \"b\", \"module\": \"enter-data@1\"},"
                                  "{\"id\": \"a\", \"module\": \"split-data@1\"}]}");
    assert_contains(msg, "nodes[2]: id \"a\" is already used by nodes[0]");
}

static void parse_refuses_empty_or_odd_node_ids(void **state)
{
    (void)state;
    assert_contains(parse_error("{\"format\": \"weft.pipeline/1\", \"nodes\": ["
                                "{\"id\": \"\", \"module\": \"enter-data@1\"}]}"),
                    "nodes[0]: the id cannot be empty");
    assert_contains(parse_error("{\"format\": \"weft.pipeline/1\", \"nodes\": ["
                                "{\"id\": \"my.node\", \"module\": \"enter-data@1\"}]}"),
                    "may hold only letters, digits");
    assert_contains(parse_error("{\"format\": \"weft.pipeline/1\", \"nodes\": ["
                                "{\"module\": \"enter-data@1\"}]}"),
                    "nodes[0]: \"id\" is missing");
    assert_contains(parse_error("{\"format\": \"weft.pipeline/1\", \"nodes\": ["
                                "{\"id\": 7, \"module\": \"enter-data@1\"}]}"),
                    "\"id\" must be a string");
    /* Letters, digits, "-" and "_" are all fine. */
    eng_pipeline *p = parse_ok("{\"format\": \"weft.pipeline/1\", \"nodes\": ["
                               "{\"id\": \"Split_2-b\", \"module\": \"split-data@1\"}]}");
    assert_int_equal(eng_find_node(p, "Split_2-b"), 0);
    eng_pipeline_free(p);
}

static void parse_requires_node_dot_port_edge_ends(void **state)
{
    (void)state;
    assert_contains(parse_error("{\"format\": \"weft.pipeline/1\", \"edges\": ["
                                "{\"from\": \"rows\", \"to\": \"pick.dataset\"}]}"),
                    "edges[0]: \"from\" is \"rows\", which is not of the form \"node.port\"");
    assert_contains(parse_error("{\"format\": \"weft.pipeline/1\", \"edges\": ["
                                "{\"from\": \"rows.dataset\", \"to\": \".dataset\"}]}"),
                    "\"to\" is \".dataset\"");
    assert_contains(parse_error("{\"format\": \"weft.pipeline/1\", \"edges\": ["
                                "{\"from\": \"rows.dataset\"}]}"),
                    "edges[0]: \"to\" is missing");
}

static void parse_checks_field_types(void **state)
{
    (void)state;
    assert_contains(parse_error("{\"format\": \"weft.pipeline/1\", \"nodes\": {}}"),
                    "\"nodes\" must be an array");
    assert_contains(parse_error("{\"format\": \"weft.pipeline/1\", \"nodes\": ["
                                "{\"id\": \"a\", \"module\": \"split-data@1\", \"params\": []}]}"),
                    "node \"a\": \"params\" must be an object");
    assert_contains(parse_error("{\"format\": \"weft.pipeline/1\", \"name\": 3}"),
                    "\"name\" must be a string");
    assert_contains(parse_error("{\"format\": \"weft.pipeline/1\", \"parameters\": "
                                "{\"f\": {\"default\": 1}}}"),
                    "parameters.f: \"type\" is missing");
    assert_contains(parse_error("{\"format\": \"weft.pipeline/1\", \"parameters\": "
                                "{\"f\": {\"type\": \"number\", \"min\": 1}}}"),
                    "unknown field \"min\"");
    assert_contains(parse_error("{\"format\": \"weft.pipeline/1\", \"layout\": []}"),
                    "\"layout\" must be an object");
    assert_contains(parse_error("{\"format\": \"weft.pipeline/1\", \"nodes\": [{\"id\": \"a\", "
                                "\"module\": \"split-data@1\", \"regenerate\": 1}]}"),
                    "\"regenerate\" must be true or false");
}

static void parse_keeps_regenerate_and_references_as_written(void **state)
{
    (void)state;
    eng_pipeline *p =
        parse_ok("{\"format\": \"weft.pipeline/1\", \"nodes\": [{\"id\": \"s\", \"module\": "
                 "\"split-data@1\", \"regenerate\": true, \"params\": {\"fraction\": "
                 "{\"$param\": \"f\"}}}]}");
    assert_true(p->nodes[0].regenerate);
    json_t *ref = json_object_get(p->nodes[0].params, "fraction");
    assert_string_equal(json_string_value(json_object_get(ref, "$param")), "f");
    eng_pipeline_free(p);
}

static void load_file_names_a_missing_file(void **state)
{
    (void)state;
    eng_pipeline *p = (eng_pipeline *)1;
    wf_error err = {0};
    assert_true(eng_pipeline_load_file(PIPELINES "no_such_file.json", &p, &err) < 0);
    assert_null(p);
    assert_contains(err.message, "no_such_file.json");
}

static void find_node_returns_index_or_minus_one(void **state)
{
    (void)state;
    eng_pipeline *p = parse_ok("{\"format\": \"weft.pipeline/1\", \"nodes\": ["
                               "{\"id\": \"a\", \"module\": \"enter-data@1\"},"
                               "{\"id\": \"b\", \"module\": \"split-data@1\"}]}");
    assert_int_equal(eng_find_node(p, "a"), 0);
    assert_int_equal(eng_find_node(p, "b"), 1);
    assert_int_equal(eng_find_node(p, "c"), -1);
    assert_int_equal(eng_find_node(NULL, "a"), -1);
    eng_pipeline_free(p);
    eng_pipeline_free(NULL);
}

/* ---- the canonical form ------------------------------------------------ */

static void canonical_is_the_same_for_differently_ordered_documents(void **state)
{
    (void)state;
    char *a = canonical_of_file("enter_select_split.json");
    char *b = canonical_of_file("enter_select_split_reordered.json");
    assert_string_equal(a, b);
    free(a);
    free(b);
}

static void canonical_puts_keys_in_a_stable_order(void **state)
{
    (void)state;
    char *s = canonical_of_file("enter_select_split_reordered.json");
    /* Top level, node and edge keys in their fixed order. */
    const char *keys[] = {"\"format\"", "\"name\"",  "\"description\"", "\"parameters\"",
                          "\"nodes\"",  "\"edges\"", "\"layout\""};
    const char *at = s;
    for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++) {
        const char *k = strstr(at, keys[i]);
        if (k == NULL) fail_msg("%s missing or out of order in %s", keys[i], s);
        at = k;
    }
    assert_contains(s, "{\"id\":\"rows\",\"module\":\"enter-data@1\",\"params\":{\"data\":");
    assert_contains(s, "{\"from\":\"rows.dataset\",\"to\":\"pick.dataset\"}");
    /* Layout keys are sorted too. */
    assert_contains(s, "\"layout\":{\"pick\":{\"x\":40,\"y\":140},\"rows\":{\"x\":40,\"y\":40}}");
    free(s);
}

static void canonical_fills_every_module_default_in_sorted_order(void **state)
{
    (void)state;
    eng_pipeline *p = parse_ok("{\"format\": \"weft.pipeline/1\", \"nodes\": ["
                               "{\"id\": \"s\", \"module\": \"split-data@1\", \"params\": "
                               "{\"seed\": 7}}]}");
    json_t *c = eng_pipeline_canonical(p);
    json_t *params = json_object_get(json_array_get(json_object_get(c, "nodes"), 0), "params");
    const mod_descriptor *m = mod_find("split-data@1");
    assert_non_null(m);
    assert_int_equal(json_object_size(params), m->nparams);
    assert_true(json_real_value(json_object_get(params, "fraction")) == 0.5);
    assert_true(json_is_true(json_object_get(params, "randomize")));
    assert_string_equal(json_string_value(json_object_get(params, "mode")), "split-rows");
    assert_int_equal(json_integer_value(json_object_get(params, "seed")), 7);
    /* A parameter without a default is present as null. */
    assert_true(json_is_null(json_object_get(params, "regex")));
    const char *prev = "";
    const char *key;
    json_t *v;
    json_object_foreach(params, key, v)
    {
        (void)v;
        if (strcmp(prev, key) >= 0) fail_msg("\"%s\" comes after \"%s\"", key, prev);
        prev = key;
    }
    json_decref(c);
    eng_pipeline_free(p);
}

static void canonical_treats_one_and_one_point_zero_alike_for_numbers(void **state)
{
    (void)state;
    eng_pipeline *a = parse_ok("{\"format\": \"weft.pipeline/1\", \"nodes\": [{\"id\": \"s\", "
                               "\"module\": \"split-data@1\", \"params\": {\"fraction\": 1}}]}");
    eng_pipeline *b = parse_ok("{\"format\": \"weft.pipeline/1\", \"nodes\": [{\"id\": \"s\", "
                               "\"module\": \"split-data\", \"params\": {\"fraction\": 1.0, "
                               "\"seed\": null}}]}");
    char *ta = canonical_text(a), *tb = canonical_text(b);
    /* null means "not set" (the default), and "split-data" is pinned to its
     * version. */
    assert_string_equal(ta, tb);
    assert_contains(ta, "\"fraction\":1.0");
    assert_contains(ta, "\"module\":\"split-data@1\"");
    free(ta);
    free(tb);
    eng_pipeline_free(a);
    eng_pipeline_free(b);
}

static void canonical_differs_when_the_meaning_differs(void **state)
{
    (void)state;
    eng_pipeline *a = parse_ok("{\"format\": \"weft.pipeline/1\", \"nodes\": [{\"id\": \"s\", "
                               "\"module\": \"split-data@1\", \"params\": {\"seed\": 1}}]}");
    eng_pipeline *b = parse_ok("{\"format\": \"weft.pipeline/1\", \"nodes\": [{\"id\": \"s\", "
                               "\"module\": \"split-data@1\", \"params\": {\"seed\": 2}}]}");
    char *ta = canonical_text(a), *tb = canonical_text(b);
    assert_string_not_equal(ta, tb);
    free(ta);
    free(tb);
    eng_pipeline_free(a);
    eng_pipeline_free(b);
}

static void canonical_keeps_references_unknown_modules_and_extra_params(void **state)
{
    (void)state;
    eng_pipeline *p = parse_ok("{\"format\": \"weft.pipeline/1\", \"nodes\": ["
                               "{\"id\": \"s\", \"module\": \"split-data@1\", \"params\": "
                               "{\"fraction\": {\"$param\": \"f\"}, \"fractoin\": 2}},"
                               "{\"id\": \"x\", \"module\": \"mystery@3\", \"params\": "
                               "{\"b\": 1, \"a\": {\"z\": 1, \"y\": 2}}}]}");
    char *s = canonical_text(p);
    assert_contains(s, "\"fraction\":{\"$param\":\"f\"}");
    assert_contains(s, "\"fractoin\":2");
    assert_contains(s, "{\"id\":\"x\",\"module\":\"mystery@3\",\"params\":{\"a\":{\"y\":2,\"z\":"
                       "1},\"b\":1}}");
    free(s);
    eng_pipeline_free(p);
}

static void canonical_reads_back_to_itself(void **state)
{
    (void)state;
    char *first = canonical_of_file("enter_select_split.json");
    eng_pipeline *p = parse_ok(first);
    char *second = canonical_text(p);
    assert_string_equal(first, second);
    free(first);
    free(second);
    eng_pipeline_free(p);
}

static void canonical_of_an_empty_pipeline_has_every_key(void **state)
{
    (void)state;
    eng_pipeline *p = parse_ok("{\"format\": \"weft.pipeline/1\", \"parameters\": {\"p\": "
                               "{\"type\": \"int\", \"default\": null}}}");
    char *s = canonical_text(p);
    assert_string_equal(s, "{\"format\":\"weft.pipeline/1\",\"name\":\"\",\"description\":\"\","
                           "\"parameters\":{\"p\":{\"type\":\"int\"}},\"nodes\":[],\"edges\":[],"
                           "\"layout\":{}}");
    free(s);
    eng_pipeline_free(p);
    assert_null(eng_pipeline_canonical(NULL));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(parse_reads_nodes_edges_parameters_and_layout),
        cmocka_unit_test(parse_accepts_an_empty_pipeline),
        cmocka_unit_test(parse_reports_syntax_errors_with_line_and_column),
        cmocka_unit_test(parse_refuses_duplicate_keys_with_their_line),
        cmocka_unit_test(parse_refuses_empty_and_non_object_documents),
        cmocka_unit_test(parse_explains_other_format_versions),
        cmocka_unit_test(parse_rejects_unknown_top_level_fields_by_name),
        cmocka_unit_test(parse_rejects_unknown_node_and_edge_fields),
        cmocka_unit_test(parse_refuses_duplicate_node_ids),
        cmocka_unit_test(parse_refuses_empty_or_odd_node_ids),
        cmocka_unit_test(parse_requires_node_dot_port_edge_ends),
        cmocka_unit_test(parse_checks_field_types),
        cmocka_unit_test(parse_keeps_regenerate_and_references_as_written),
        cmocka_unit_test(load_file_names_a_missing_file),
        cmocka_unit_test(find_node_returns_index_or_minus_one),
        cmocka_unit_test(canonical_is_the_same_for_differently_ordered_documents),
        cmocka_unit_test(canonical_puts_keys_in_a_stable_order),
        cmocka_unit_test(canonical_fills_every_module_default_in_sorted_order),
        cmocka_unit_test(canonical_treats_one_and_one_point_zero_alike_for_numbers),
        cmocka_unit_test(canonical_differs_when_the_meaning_differs),
        cmocka_unit_test(canonical_keeps_references_unknown_modules_and_extra_params),
        cmocka_unit_test(canonical_reads_back_to_itself),
        cmocka_unit_test(canonical_of_an_empty_pipeline_has_every_key),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
