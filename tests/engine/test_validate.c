/*
 * test_validate.c: every validation rule of DESIGN.md section 4, with the
 * message a person sees and the node and field the canvas marks; node
 * parameters with defaults and references resolved; the topological order.
 *
 * The catalogue has only table ports so far, so the rules about port kinds,
 * optional inputs and hidden required parameters also use two modules
 * described here, put on nodes after parsing.
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
#define ROWS                                                                                       \
    "{\"id\": \"rows\", \"module\": \"enter-data@1\", \"params\": {\"data\": \"a,b\\n1,x\\n\"}}"

/* ---- two modules of our own -------------------------------------------- */

static const mod_port trainer_in[] = {{.name = "dataset", .kind = MOD_TABLE}};
static const mod_port trainer_out[] = {{.name = "model", .kind = MOD_MODEL}};
static const mod_descriptor trainer = {.name = "t-trainer",
                                       .version = 1,
                                       MOD_PORTS(inputs, trainer_in),
                                       MOD_PORTS(outputs, trainer_out)};

static const char *const methods[] = {"fast", "exact", NULL};
static const mod_port scorer_in[] = {{.name = "model", .kind = MOD_MODEL},
                                     {.name = "dataset", .kind = MOD_TABLE},
                                     {.name = "extra", .kind = MOD_TABLE, .optional = true}};
static const mod_port scorer_out[] = {{.name = "scored", .kind = MOD_TABLE}};
static const mod_param scorer_params[] = {
    {.name = "method", .type = MOD_PARAM_ENUM, .choices = methods, .default_json = "\"fast\""},
    {.name = "depth", .type = MOD_PARAM_INT, .required = true, .visible_when = "method=exact"},
    {.name = "label", .type = MOD_PARAM_COLUMN, .input = "dataset"},
};
static const mod_descriptor scorer = {.name = "t-scorer",
                                      .version = 1,
                                      MOD_PORTS(inputs, scorer_in),
                                      MOD_PORTS(outputs, scorer_out),
                                      MOD_PARAMS(scorer_params)};

/* ---- helpers ----------------------------------------------------------- */

static eng_pipeline *parse_ok(const char *text)
{
    eng_pipeline *p = NULL;
    wf_error err = {0};
    if (eng_pipeline_parse(text, strlen(text), &p, &err) < 0) fail_msg("parse: %s", err.message);
    return p;
}

static void use_module(eng_pipeline *p, const char *id, const mod_descriptor *m)
{
    int i = eng_find_node(p, id);
    assert_true(i >= 0);
    p->nodes[i].module = m;
}

static void validate(const eng_pipeline *p, const char *bindings, eng_issues *issues)
{
    json_t *b = bindings ? json_loads(bindings, 0, NULL) : NULL;
    if (bindings) assert_non_null(b);
    wf_error err = {0};
    if (eng_pipeline_validate(p, b, NULL, issues, &err) < 0) fail_msg("validate: %s", err.message);
    json_decref(b);
}

static void validate_text(const char *text, const char *bindings, eng_issues *issues)
{
    eng_pipeline *p = parse_ok(text);
    validate(p, bindings, issues);
    eng_pipeline_free(p);
}

static void dump(const eng_issues *issues)
{
    for (size_t i = 0; i < issues->count; i++)
        fprintf(stderr, "  [%s] [%s] %s\n", issues->items[i].node, issues->items[i].field,
                issues->items[i].message);
}

/* How many issues on node/field contain `text`. */
static size_t count_issues(const eng_issues *issues, const char *node, const char *field,
                           const char *text)
{
    size_t n = 0;
    for (size_t i = 0; i < issues->count; i++)
        n += strcmp(issues->items[i].node, node) == 0 &&
             strcmp(issues->items[i].field, field) == 0 &&
             strstr(issues->items[i].message, text) != NULL;
    return n;
}

#define assert_issue(issues, node, field, text)                                                    \
    do {                                                                                           \
        if (count_issues(issues, node, field, text) != 1) {                                        \
            dump(issues);                                                                          \
            fail_msg("want one issue on [%s] [%s] saying \"%s\"", node, field, text);              \
        }                                                                                          \
    } while (0)

#define assert_no_issues(issues)                                                                   \
    do {                                                                                           \
        if ((issues)->count != 0) {                                                                \
            dump(issues);                                                                          \
            fail_msg("want no issues, got %zu", (issues)->count);                                  \
        }                                                                                          \
    } while (0)

/* ---- rules ------------------------------------------------------------- */

static void validate_accepts_a_sound_pipeline(void **state)
{
    (void)state;
    eng_pipeline *p = NULL;
    wf_error err = {0};
    assert_int_equal(eng_pipeline_load_file(PIPELINES "enter_select_split.json", &p, &err), 0);
    eng_issues issues = {0};
    validate(p, NULL, &issues);
    assert_no_issues(&issues);
    validate(p, "{\"train_fraction\": 0.25}", &issues);
    assert_no_issues(&issues);
    eng_pipeline_free(p);
}

static void validate_reports_unknown_module(void **state)
{
    (void)state;
    eng_issues issues = {0};
    validate_text(DOC("{\"id\": \"x\", \"module\": \"foo@1\"}", ""), NULL, &issues);
    assert_issue(&issues, "x", "", "module \"foo@1\" is not in the catalogue");
    assert_int_equal(issues.count, 1);
    eng_issues_clear(&issues);
}

static void validate_refuses_edges_into_a_dataset(void **state)
{
    (void)state;
    eng_issues issues = {0};
    validate_text(DOC(ROWS ", {\"id\": \"cars\", \"module\": \"dataset@1\", \"params\": "
                           "{\"dataset\": \"cars\"}}",
                      "{\"from\": \"rows.dataset\", \"to\": \"cars.dataset\"}"),
                  NULL, &issues);
    assert_issue(&issues, "cars", "", "\"cars\" is a dataset and takes no inputs");
    assert_issue(&issues, "cars", "", "remove the edge from \"rows.dataset\"");
    eng_issues_clear(&issues);
}

static void validate_allows_a_dataset_into_a_module(void **state)
{
    (void)state;
    eng_issues issues = {0};
    validate_text(DOC("{\"id\": \"cars\", \"module\": \"dataset@1\", \"params\": {\"dataset\": "
                      "\"cars\"}}, {\"id\": \"s\", \"module\": \"split-data@1\"}",
                      "{\"from\": \"cars.dataset\", \"to\": \"s.dataset\"}"),
                  NULL, &issues);
    /* Without a loader the dataset's schema is unknown, which is no error. */
    assert_no_issues(&issues);
    eng_issues_clear(&issues);
}

static void validate_reports_edges_to_missing_nodes_and_ports(void **state)
{
    (void)state;
    eng_issues issues = {0};
    validate_text(DOC(ROWS ", {\"id\": \"s\", \"module\": \"split-data@1\"}",
                      "{\"from\": \"rows.dataset\", \"to\": \"s.dataset\"},"
                      "{\"from\": \"ghost.out\", \"to\": \"s.dataset\"},"
                      "{\"from\": \"rows.table\", \"to\": \"s.data\"},"
                      "{\"from\": \"s.first\", \"to\": \"nowhere.dataset\"}"),
                  NULL, &issues);
    assert_issue(&issues, "s", "dataset", "there is no node \"ghost\"");
    assert_issue(&issues, "rows", "table",
                 "module \"enter-data@1\" has no output port \"table\" (its outputs: "
                 "\"dataset\")");
    assert_issue(&issues, "s", "data",
                 "module \"split-data@1\" has no input port \"data\" (its inputs: \"dataset\")");
    assert_issue(&issues, "s", "first", "there is no node \"nowhere\"");
    eng_issues_clear(&issues);
}

static void validate_reports_unconnected_required_input(void **state)
{
    (void)state;
    eng_issues issues = {0};
    validate_text(DOC("{\"id\": \"s\", \"module\": \"split-data@1\"}", ""), NULL, &issues);
    assert_issue(&issues, "s", "dataset", "input \"dataset\" is not connected");
    assert_int_equal(issues.count, 1);
    eng_issues_clear(&issues);
}

static void validate_allows_optional_inputs_to_stay_unconnected(void **state)
{
    (void)state;
    eng_pipeline *p = parse_ok(DOC(ROWS ", {\"id\": \"t\", \"module\": \"t-trainer@1\"},"
                                        "{\"id\": \"sc\", \"module\": \"t-scorer@1\"}",
                                   "{\"from\": \"rows.dataset\", \"to\": \"t.dataset\"},"
                                   "{\"from\": \"t.model\", \"to\": \"sc.model\"},"
                                   "{\"from\": \"rows.dataset\", \"to\": \"sc.dataset\"}"));
    use_module(p, "t", &trainer);
    use_module(p, "sc", &scorer);
    eng_issues issues = {0};
    validate(p, NULL, &issues);
    assert_no_issues(&issues);
    eng_pipeline_free(p);
}

static void validate_refuses_model_output_into_table_input(void **state)
{
    (void)state;
    eng_pipeline *p = parse_ok(DOC(ROWS ", {\"id\": \"t\", \"module\": \"t-trainer@1\"},"
                                        "{\"id\": \"s\", \"module\": \"split-data@1\"}",
                                   "{\"from\": \"rows.dataset\", \"to\": \"t.dataset\"},"
                                   "{\"from\": \"t.model\", \"to\": \"s.dataset\"}"));
    use_module(p, "t", &trainer);
    eng_issues issues = {0};
    validate(p, NULL, &issues);
    assert_issue(&issues, "s", "dataset", "cannot connect a model output to a table input");
    assert_issue(&issues, "s", "dataset", "\"t.model\" gives model");
    assert_int_equal(issues.count, 1);
    eng_issues_clear(&issues);
    eng_pipeline_free(p);
}

static void validate_reports_cycle_naming_its_nodes(void **state)
{
    (void)state;
    eng_pipeline *p = NULL;
    wf_error err = {0};
    assert_int_equal(eng_pipeline_load_file(PIPELINES "cycle.json", &p, &err), 0);
    eng_issues issues = {0};
    validate(p, NULL, &issues);
    const char *cycle = "the pipeline has a cycle: \"left\" -> \"right\" -> \"left\"";
    assert_issue(&issues, "left", "", cycle);
    assert_issue(&issues, "right", "", cycle);
    /* "tail" hangs below the cycle but is not on it. */
    assert_int_equal(count_issues(&issues, "tail", "", "cycle"), 0);
    assert_int_equal(count_issues(&issues, "rows", "", "cycle"), 0);
    eng_issues_clear(&issues);
    eng_pipeline_free(p);
}

static void validate_reports_a_node_wired_to_itself(void **state)
{
    (void)state;
    eng_issues issues = {0};
    validate_text(DOC("{\"id\": \"a\", \"module\": \"add-rows@1\"}",
                      "{\"from\": \"a.dataset\", \"to\": \"a.dataset1\"},"
                      "{\"from\": \"a.dataset\", \"to\": \"a.dataset2\"}"),
                  NULL, &issues);
    assert_issue(&issues, "a", "", "the pipeline has a cycle: \"a\" -> \"a\"");
    eng_issues_clear(&issues);
}

static void validate_reports_every_separate_cycle(void **state)
{
    (void)state;
    eng_issues issues = {0};
    const char *sel = "\"module\": \"select-columns@1\", \"params\": {\"columns\": "
                      "{\"include\": [{\"all\": true}]}}";
    char doc[2048];
    snprintf(doc, sizeof doc,
             DOC("{\"id\": \"a\", %s}, {\"id\": \"b\", %s}, {\"id\": \"c\", %s}, "
                 "{\"id\": \"d\", %s}",
                 "{\"from\": \"a.dataset\", \"to\": \"b.dataset\"},"
                 "{\"from\": \"b.dataset\", \"to\": \"a.dataset\"},"
                 "{\"from\": \"c.dataset\", \"to\": \"d.dataset\"},"
                 "{\"from\": \"d.dataset\", \"to\": \"c.dataset\"}"),
             sel, sel, sel, sel);
    validate_text(doc, NULL, &issues);
    assert_issue(&issues, "a", "", "\"a\" -> \"b\" -> \"a\"");
    assert_issue(&issues, "d", "", "\"c\" -> \"d\" -> \"c\"");
    eng_issues_clear(&issues);
}

static void validate_shortens_a_long_cycle_in_its_message(void **state)
{
    (void)state;
    char doc[8192] = "{\"format\": \"weft.pipeline/1\", \"nodes\": [";
    for (int i = 0; i < 10; i++)
        snprintf(doc + strlen(doc), sizeof doc - strlen(doc),
                 "%s{\"id\": \"n%d\", \"module\": \"select-columns@1\", \"params\": "
                 "{\"columns\": {\"include\": [{\"all\": true}]}}}",
                 i ? "," : "", i);
    strcat(doc, "], \"edges\": [");
    for (int i = 0; i < 10; i++)
        snprintf(doc + strlen(doc), sizeof doc - strlen(doc),
                 "%s{\"from\": \"n%d.dataset\", \"to\": \"n%d.dataset\"}", i ? "," : "", i,
                 (i + 1) % 10);
    strcat(doc, "]}");
    eng_issues issues = {0};
    validate_text(doc, NULL, &issues);
    const char *text = "the pipeline has a cycle: \"n0\" -> \"n1\" -> \"n2\" -> \"n3\" -> "
                       "\"n4\" -> \"n5\" -> ... (10 nodes in all) -> \"n9\" -> \"n0\"";
    /* Every node on it gets the badge. */
    for (int i = 0; i < 10; i++) {
        char id[8];
        snprintf(id, sizeof id, "n%d", i);
        assert_issue(&issues, id, "", text);
    }
    assert_int_equal(issues.count, 10);
    eng_issues_clear(&issues);
}

static void validate_refuses_two_edges_into_one_input(void **state)
{
    (void)state;
    eng_issues issues = {0};
    validate_text(DOC(ROWS ", {\"id\": \"more\", \"module\": \"enter-data@1\", \"params\": "
                           "{\"data\": \"a,b\\n2,y\\n\"}}, {\"id\": \"s\", \"module\": "
                           "\"split-data@1\"}",
                      "{\"from\": \"rows.dataset\", \"to\": \"s.dataset\"},"
                      "{\"from\": \"more.dataset\", \"to\": \"s.dataset\"}"),
                  NULL, &issues);
    assert_issue(&issues, "s", "dataset",
                 "input \"dataset\" has 2 edges (from \"rows.dataset\", \"more.dataset\"); an "
                 "input takes at most one");
    assert_int_equal(issues.count, 1);
    eng_issues_clear(&issues);
}

static void validate_reports_missing_required_parameter(void **state)
{
    (void)state;
    eng_issues issues = {0};
    validate_text(DOC("{\"id\": \"rows\", \"module\": \"enter-data@1\"},"
                      "{\"id\": \"pick\", \"module\": \"select-columns@1\", \"params\": "
                      "{\"columns\": null}}",
                      "{\"from\": \"rows.dataset\", \"to\": \"pick.dataset\"}"),
                  NULL, &issues);
    assert_issue(&issues, "rows", "data", "parameter \"data\" is required but not set");
    assert_issue(&issues, "pick", "columns", "parameter \"columns\" is required but not set");
    /* Each once: the modules' own configure would say it again. */
    assert_int_equal(issues.count, 2);
    eng_issues_clear(&issues);
}

static void validate_skips_parameters_hidden_by_their_condition(void **state)
{
    (void)state;
    eng_issues issues = {0};
    /* "regex" is required, but only shown when mode is regular-expression. */
    validate_text(DOC(ROWS ", {\"id\": \"s\", \"module\": \"split-data@1\", \"params\": "
                           "{\"mode\": \"split-rows\", \"stratify_column\": 5}}",
                      "{\"from\": \"rows.dataset\", \"to\": \"s.dataset\"}"),
                  NULL, &issues);
    /* stratify_column is hidden too (stratify is false), so its bad type is
     * not checked either. */
    assert_no_issues(&issues);
    validate_text(DOC(ROWS ", {\"id\": \"s\", \"module\": \"split-data@1\", \"params\": "
                           "{\"mode\": \"regular-expression\"}}",
                      "{\"from\": \"rows.dataset\", \"to\": \"s.dataset\"}"),
                  NULL, &issues);
    assert_issue(&issues, "s", "regex", "parameter \"regex\" is required but not set");
    eng_issues_clear(&issues);
}

static void validate_checks_visibility_with_our_own_module(void **state)
{
    (void)state;
    eng_pipeline *p = parse_ok(DOC(ROWS ", {\"id\": \"t\", \"module\": \"t-trainer@1\"},"
                                        "{\"id\": \"sc\", \"module\": \"t-scorer@1\", \"params\": "
                                        "{\"method\": \"exact\"}}",
                                   "{\"from\": \"rows.dataset\", \"to\": \"t.dataset\"},"
                                   "{\"from\": \"t.model\", \"to\": \"sc.model\"},"
                                   "{\"from\": \"rows.dataset\", \"to\": \"sc.dataset\"}"));
    use_module(p, "t", &trainer);
    use_module(p, "sc", &scorer);
    eng_issues issues = {0};
    validate(p, NULL, &issues);
    assert_issue(&issues, "sc", "depth", "parameter \"depth\" is required but not set");
    assert_int_equal(issues.count, 1);
    eng_issues_clear(&issues);
    eng_pipeline_free(p);
}

static void validate_rejects_unknown_parameter_names(void **state)
{
    (void)state;
    eng_issues issues = {0};
    validate_text(DOC(ROWS ", {\"id\": \"s\", \"module\": \"split-data@1\", \"params\": "
                           "{\"fractoin\": 0.3, \"colour\": \"red\"}}",
                      "{\"from\": \"rows.dataset\", \"to\": \"s.dataset\"}"),
                  NULL, &issues);
    assert_issue(&issues, "s", "fractoin",
                 "module \"split-data@1\" has no parameter \"fractoin\"; did you mean "
                 "\"fraction\"?");
    assert_issue(&issues, "s", "colour", "module \"split-data@1\" has no parameter \"colour\"");
    assert_int_equal(issues.count, 2);
    eng_issues_clear(&issues);
}

static void validate_checks_parameter_types(void **state)
{
    (void)state;
    eng_issues issues = {0};
    validate_text(DOC(ROWS ", {\"id\": \"s\", \"module\": \"split-data@1\", \"params\": "
                           "{\"fraction\": \"half\", \"seed\": 1.5, \"randomize\": \"yes\"}},"
                           "{\"id\": \"pick\", \"module\": \"select-columns@1\", \"params\": "
                           "{\"columns\": [\"a\"]}}",
                      "{\"from\": \"rows.dataset\", \"to\": \"s.dataset\"},"
                      "{\"from\": \"rows.dataset\", \"to\": \"pick.dataset\"}"),
                  NULL, &issues);
    assert_issue(&issues, "s", "fraction", "\"fraction\" must be a number; got \"half\"");
    assert_issue(&issues, "s", "seed", "\"seed\" must be a whole number; got 1.5");
    assert_issue(&issues, "s", "randomize", "\"randomize\" must be true or false; got \"yes\"");
    assert_issue(&issues, "pick", "columns", "\"columns\" must be a column selection");
    assert_int_equal(issues.count, 4);
    eng_issues_clear(&issues);
    /* 3.0 is a whole number, as a JavaScript client sends it. */
    validate_text(DOC(ROWS ", {\"id\": \"s\", \"module\": \"split-data@1\", \"params\": "
                           "{\"seed\": 3.0}}",
                      "{\"from\": \"rows.dataset\", \"to\": \"s.dataset\"}"),
                  NULL, &issues);
    assert_no_issues(&issues);
}

static void validate_checks_parameter_ranges(void **state)
{
    (void)state;
    eng_issues issues = {0};
    validate_text(DOC(ROWS ", {\"id\": \"s\", \"module\": \"split-data@1\", \"params\": "
                           "{\"fraction\": 1.5, \"seed\": -1}}",
                      "{\"from\": \"rows.dataset\", \"to\": \"s.dataset\"}"),
                  NULL, &issues);
    assert_issue(&issues, "s", "fraction", "\"fraction\" must be at most 1; got 1.5");
    assert_issue(&issues, "s", "seed", "\"seed\" must be at least 0; got -1");
    assert_int_equal(issues.count, 2);
    eng_issues_clear(&issues);
}

static void validate_lists_enum_choices(void **state)
{
    (void)state;
    eng_issues issues = {0};
    validate_text(DOC(ROWS ", {\"id\": \"s\", \"module\": \"split-data@1\", \"params\": "
                           "{\"mode\": \"halves\"}}",
                      "{\"from\": \"rows.dataset\", \"to\": \"s.dataset\"}"),
                  NULL, &issues);
    assert_issue(&issues, "s", "mode",
                 "\"mode\" must be one of \"split-rows\", \"regular-expression\", "
                 "\"relative-expression\"; got \"halves\"");
    assert_int_equal(issues.count, 1);
    eng_issues_clear(&issues);
}

static void validate_cuts_long_values_without_splitting_characters(void **state)
{
    (void)state;
    /* "x" then é (two bytes each): cutting the quoted value at 57 bytes
     * would split an é in half. */
    char doc[2048], value[256] = "x";
    for (int i = 0; i < 40; i++)
        strcat(value, "\xc3\xa9");
    snprintf(doc, sizeof doc,
             DOC(ROWS ", {\"id\": \"s\", \"module\": \"split-data@1\", \"params\": "
                      "{\"mode\": \"%s\"}}",
                 "{\"from\": \"rows.dataset\", \"to\": \"s.dataset\"}"),
             value);
    eng_issues issues = {0};
    validate_text(doc, NULL, &issues);
    assert_int_equal(issues.count, 1);
    const char *msg = issues.items[0].message;
    assert_true(wf_utf8_valid(msg, strlen(msg), NULL));
    assert_non_null(strstr(msg, "got \"x\xc3\xa9"));
    assert_non_null(strstr(msg, "..."));
    eng_issues_clear(&issues);
}

static void validate_checks_column_selection_syntax(void **state)
{
    (void)state;
    eng_issues issues = {0};
    validate_text(DOC(ROWS ", {\"id\": \"pick\", \"module\": \"select-columns@1\", \"params\": "
                           "{\"columns\": {\"include\": [{\"colour\": \"red\"}]}}}",
                      "{\"from\": \"rows.dataset\", \"to\": \"pick.dataset\"}"),
                  NULL, &issues);
    assert_issue(&issues, "pick", "columns", "unknown field \"colour\"");
    assert_int_equal(issues.count, 1);
    eng_issues_clear(&issues);
}

static void validate_reports_unresolved_param_reference(void **state)
{
    (void)state;
    eng_issues issues = {0};
    validate_text(DOC(ROWS ", {\"id\": \"s\", \"module\": \"split-data@1\", \"params\": "
                           "{\"fraction\": {\"$param\": \"train_fraction\"}}}",
                      "{\"from\": \"rows.dataset\", \"to\": \"s.dataset\"}"),
                  NULL, &issues);
    assert_issue(&issues, "s", "fraction",
                 "refers to pipeline parameter \"train_fraction\", which is not declared");
    assert_int_equal(issues.count, 1);
    eng_issues_clear(&issues);
}

static void validate_reports_parameter_without_a_value(void **state)
{
    (void)state;
    const char *doc = "{\"format\": \"weft.pipeline/1\", \"parameters\": {\"f\": {\"type\": "
                      "\"number\"}}, \"nodes\": [" ROWS ", {\"id\": \"s\", \"module\": "
                      "\"split-data@1\", \"params\": {\"fraction\": {\"$param\": \"f\"}}}], "
                      "\"edges\": [{\"from\": \"rows.dataset\", \"to\": \"s.dataset\"}]}";
    eng_issues issues = {0};
    validate_text(doc, NULL, &issues);
    assert_issue(&issues, "s", "fraction",
                 "\"fraction\" uses pipeline parameter \"f\", which has no value");
    assert_int_equal(issues.count, 1);
    eng_issues_clear(&issues);
    /* A binding gives it one. */
    validate_text(doc, "{\"f\": 0.2}", &issues);
    assert_no_issues(&issues);
}

static void validate_checks_bound_values_against_the_module(void **state)
{
    (void)state;
    eng_pipeline *p = NULL;
    wf_error err = {0};
    assert_int_equal(eng_pipeline_load_file(PIPELINES "enter_select_split.json", &p, &err), 0);
    eng_issues issues = {0};
    validate(p, "{\"train_fraction\": 2}", &issues);
    assert_issue(&issues, "split", "fraction",
                 "\"fraction\" (from pipeline parameter \"train_fraction\") must be at most 1; "
                 "got 2");
    eng_issues_clear(&issues);
    validate(p, "{\"train_fraction\": \"most\"}", &issues);
    assert_issue(&issues, "", "train_fraction",
                 "pipeline parameter \"train_fraction\" must be a number; got \"most\"");
    eng_issues_clear(&issues);
    eng_pipeline_free(p);
}

static void validate_reports_bindings_for_undeclared_parameters(void **state)
{
    (void)state;
    eng_pipeline *p = NULL;
    wf_error err = {0};
    assert_int_equal(eng_pipeline_load_file(PIPELINES "enter_select_split.json", &p, &err), 0);
    eng_issues issues = {0};
    validate(p, "{\"test_fraction\": 0.2}", &issues);
    assert_issue(&issues, "", "test_fraction",
                 "a value is given for \"test_fraction\", which is not a parameter of this "
                 "pipeline");
    assert_int_equal(issues.count, 1);
    eng_issues_clear(&issues);
    validate(p, "[1]", &issues);
    assert_issue(&issues, "", "", "parameter values must be a JSON object");
    eng_issues_clear(&issues);
    eng_pipeline_free(p);
}

static void validate_reports_malformed_references(void **state)
{
    (void)state;
    eng_issues issues = {0};
    validate_text(DOC(ROWS ", {\"id\": \"s\", \"module\": \"split-data@1\", \"params\": "
                           "{\"fraction\": {\"$param\": 3}, \"seed\": {\"$param\": \"x\", "
                           "\"default\": 1}}}",
                      "{\"from\": \"rows.dataset\", \"to\": \"s.dataset\"}"),
                  NULL, &issues);
    assert_issue(&issues, "s", "fraction", "{\"$param\": \"name\"} and nothing else");
    assert_issue(&issues, "s", "seed", "{\"$param\": \"name\"} and nothing else");
    assert_int_equal(issues.count, 2);
    eng_issues_clear(&issues);
}

static void validate_checks_pipeline_parameter_declarations(void **state)
{
    (void)state;
    eng_issues issues = {0};
    validate_text("{\"format\": \"weft.pipeline/1\", \"parameters\": {"
                  "\"a\": {\"type\": \"number\", \"default\": \"x\"},"
                  "\"b\": {\"type\": \"colour\"}}}",
                  NULL, &issues);
    assert_issue(&issues, "", "a",
                 "the default of pipeline parameter \"a\" must be a number; it is \"x\"");
    assert_issue(&issues, "", "b", "pipeline parameter \"b\" has unknown type \"colour\"");
    eng_issues_clear(&issues);
}

static void validate_checks_column_selection_against_upstream_schema(void **state)
{
    (void)state;
    eng_issues issues = {0};
    validate_text(DOC(ROWS ", {\"id\": \"pick\", \"module\": \"select-columns@1\", \"params\": "
                           "{\"columns\": {\"include\": [{\"names\": [\"a\", \"price\"]}]}}}",
                      "{\"from\": \"rows.dataset\", \"to\": \"pick.dataset\"}"),
                  NULL, &issues);
    assert_issue(&issues, "pick", "columns", "column \"price\" is not in the table");
    assert_issue(&issues, "pick", "columns", "on input \"dataset\"");
    /* Once, though select-columns' configure finds it too. */
    assert_int_equal(issues.count, 1);
    eng_issues_clear(&issues);
}

static void validate_checks_columns_downstream_of_a_selection(void **state)
{
    (void)state;
    eng_issues issues = {0};
    /* "b" exists in the data but select-columns dropped it. */
    validate_text(DOC(ROWS ", {\"id\": \"pick\", \"module\": \"select-columns@1\", \"params\": "
                           "{\"columns\": {\"include\": [{\"names\": [\"a\"]}]}}},"
                           "{\"id\": \"s\", \"module\": \"split-data@1\", \"params\": "
                           "{\"stratify\": true, \"stratify_column\": \"b\"}}",
                      "{\"from\": \"rows.dataset\", \"to\": \"pick.dataset\"},"
                      "{\"from\": \"pick.dataset\", \"to\": \"s.dataset\"}"),
                  NULL, &issues);
    assert_issue(&issues, "s", "stratify_column",
                 "column \"b\" is not in input \"dataset\" (its columns: \"a\")");
    assert_int_equal(issues.count, 1);
    eng_issues_clear(&issues);
}

static void validate_checks_column_parameters_of_our_own_module(void **state)
{
    (void)state;
    eng_pipeline *p = parse_ok(DOC(ROWS ", {\"id\": \"t\", \"module\": \"t-trainer@1\"},"
                                        "{\"id\": \"sc\", \"module\": \"t-scorer@1\", \"params\": "
                                        "{\"label\": \"price\"}}",
                                   "{\"from\": \"rows.dataset\", \"to\": \"t.dataset\"},"
                                   "{\"from\": \"t.model\", \"to\": \"sc.model\"},"
                                   "{\"from\": \"rows.dataset\", \"to\": \"sc.dataset\"}"));
    use_module(p, "t", &trainer);
    use_module(p, "sc", &scorer);
    eng_issues issues = {0};
    validate(p, NULL, &issues);
    assert_issue(&issues, "sc", "label",
                 "column \"price\" is not in input \"dataset\" (its columns: \"a\", \"b\")");
    assert_int_equal(issues.count, 1);
    eng_issues_clear(&issues);
    eng_pipeline_free(p);
}

static void validate_reports_bad_data_found_by_configure(void **state)
{
    (void)state;
    eng_issues issues = {0};
    validate_text(DOC("{\"id\": \"rows\", \"module\": \"enter-data@1\", \"params\": {\"data\": "
                      "\"a,b\\n1,2\\n3\\n\"}}",
                      ""),
                  NULL, &issues);
    /* enter-data parses its text in configure; the reader names the line. */
    assert_int_equal(issues.count, 1);
    assert_string_equal(issues.items[0].node, "rows");
    assert_string_equal(issues.items[0].field, "data");
    assert_non_null(strstr(issues.items[0].message, "line 3"));
    eng_issues_clear(&issues);
}

static void validate_reports_all_problems_at_once(void **state)
{
    (void)state;
    eng_pipeline *p = NULL;
    wf_error err = {0};
    assert_int_equal(eng_pipeline_load_file(PIPELINES "design_example.json", &p, &err), 0);
    eng_issues issues = {0};
    validate(p, "{\"train_fraction\": 3, \"seed\": 1}", &issues);
    assert_issue(&issues, "clean", "", "module \"clean-missing-data@9\" is not in the catalogue");
    assert_issue(&issues, "split", "fraction", "must be at most 1; got 3");
    assert_issue(&issues, "", "seed", "which is not a parameter of this pipeline");
    assert_int_equal(issues.count, 3);
    eng_issues_clear(&issues);
    eng_pipeline_free(p);
}

static void validate_refuses_missing_arguments(void **state)
{
    (void)state;
    eng_issues issues = {0};
    wf_error err = {0};
    assert_int_equal(eng_pipeline_validate(NULL, NULL, NULL, &issues, &err), WF_EINVAL);
    eng_issues_clear(&issues);
    eng_issues_clear(NULL);
}

/* ---- node parameters --------------------------------------------------- */

static void node_params_fill_defaults_and_resolve_references(void **state)
{
    (void)state;
    eng_pipeline *p = NULL;
    wf_error err = {0};
    assert_int_equal(eng_pipeline_load_file(PIPELINES "enter_select_split.json", &p, &err), 0);
    int s = eng_find_node(p, "split");
    json_t *params = eng_node_params(p, (size_t)s, NULL, &err);
    assert_non_null(params);
    assert_true(json_real_value(json_object_get(params, "fraction")) == 0.7);
    assert_int_equal(json_integer_value(json_object_get(params, "seed")), 42);
    assert_string_equal(json_string_value(json_object_get(params, "mode")), "split-rows");
    assert_true(json_is_true(json_object_get(params, "randomize")));
    json_decref(params);
    json_t *bindings = json_pack("{s:f}", "train_fraction", 0.9);
    params = eng_node_params(p, (size_t)s, bindings, &err);
    assert_true(json_real_value(json_object_get(params, "fraction")) == 0.9);
    json_decref(params);
    json_decref(bindings);
    /* The document itself is unchanged. */
    assert_non_null(json_object_get(json_object_get(p->nodes[s].params, "fraction"), "$param"));
    eng_pipeline_free(p);
}

static void node_params_fail_on_an_unresolved_reference(void **state)
{
    (void)state;
    eng_pipeline *p = parse_ok(DOC("{\"id\": \"s\", \"module\": \"split-data@1\", \"params\": "
                                   "{\"fraction\": {\"$param\": \"nope\"}}}",
                                   ""));
    wf_error err = {0};
    assert_null(eng_node_params(p, 0, NULL, &err));
    assert_int_equal(err.code, WF_EINVAL);
    assert_non_null(strstr(err.message, "\"fraction\""));
    assert_non_null(strstr(err.message, "\"nope\""));
    wf_error_clear(&err);
    assert_null(eng_node_params(p, 5, NULL, &err));
    eng_pipeline_free(p);
}

/* ---- order ------------------------------------------------------------- */

static void topological_order_puts_every_node_after_its_inputs(void **state)
{
    (void)state;
    /* Written bottom-up, so document order is wrong. */
    eng_pipeline *p = parse_ok(DOC("{\"id\": \"s\", \"module\": \"split-data@1\"},"
                                   "{\"id\": \"pick\", \"module\": \"select-columns@1\"},"
                                   "{\"id\": \"other\", \"module\": \"enter-data@1\"}," ROWS,
                                   "{\"from\": \"pick.dataset\", \"to\": \"s.dataset\"},"
                                   "{\"from\": \"rows.dataset\", \"to\": \"pick.dataset\"}"));
    size_t *order = NULL;
    wf_error err = {0};
    assert_int_equal(eng_topological_order(p, &order, &err), 0);
    /* Ready nodes are taken in document order: other, rows, pick, s. */
    assert_int_equal(order[0], 2);
    assert_int_equal(order[1], 3);
    assert_int_equal(order[2], 1);
    assert_int_equal(order[3], 0);
    free(order);
    eng_pipeline_free(p);
}

static void topological_order_fails_naming_the_cycle(void **state)
{
    (void)state;
    eng_pipeline *p = NULL;
    wf_error err = {0};
    assert_int_equal(eng_pipeline_load_file(PIPELINES "cycle.json", &p, &err), 0);
    size_t *order = (size_t *)1;
    assert_int_equal(eng_topological_order(p, &order, &err), WF_EINVAL);
    assert_null(order);
    assert_non_null(strstr(err.message, "\"left\" -> \"right\" -> \"left\""));
    eng_pipeline_free(p);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(validate_accepts_a_sound_pipeline),
        cmocka_unit_test(validate_reports_unknown_module),
        cmocka_unit_test(validate_refuses_edges_into_a_dataset),
        cmocka_unit_test(validate_allows_a_dataset_into_a_module),
        cmocka_unit_test(validate_reports_edges_to_missing_nodes_and_ports),
        cmocka_unit_test(validate_reports_unconnected_required_input),
        cmocka_unit_test(validate_allows_optional_inputs_to_stay_unconnected),
        cmocka_unit_test(validate_refuses_model_output_into_table_input),
        cmocka_unit_test(validate_reports_cycle_naming_its_nodes),
        cmocka_unit_test(validate_reports_a_node_wired_to_itself),
        cmocka_unit_test(validate_reports_every_separate_cycle),
        cmocka_unit_test(validate_shortens_a_long_cycle_in_its_message),
        cmocka_unit_test(validate_refuses_two_edges_into_one_input),
        cmocka_unit_test(validate_reports_missing_required_parameter),
        cmocka_unit_test(validate_skips_parameters_hidden_by_their_condition),
        cmocka_unit_test(validate_checks_visibility_with_our_own_module),
        cmocka_unit_test(validate_rejects_unknown_parameter_names),
        cmocka_unit_test(validate_checks_parameter_types),
        cmocka_unit_test(validate_checks_parameter_ranges),
        cmocka_unit_test(validate_lists_enum_choices),
        cmocka_unit_test(validate_cuts_long_values_without_splitting_characters),
        cmocka_unit_test(validate_checks_column_selection_syntax),
        cmocka_unit_test(validate_reports_unresolved_param_reference),
        cmocka_unit_test(validate_reports_parameter_without_a_value),
        cmocka_unit_test(validate_checks_bound_values_against_the_module),
        cmocka_unit_test(validate_reports_bindings_for_undeclared_parameters),
        cmocka_unit_test(validate_reports_malformed_references),
        cmocka_unit_test(validate_checks_pipeline_parameter_declarations),
        cmocka_unit_test(validate_checks_column_selection_against_upstream_schema),
        cmocka_unit_test(validate_checks_columns_downstream_of_a_selection),
        cmocka_unit_test(validate_checks_column_parameters_of_our_own_module),
        cmocka_unit_test(validate_reports_bad_data_found_by_configure),
        cmocka_unit_test(validate_reports_all_problems_at_once),
        cmocka_unit_test(validate_refuses_missing_arguments),
        cmocka_unit_test(node_params_fill_defaults_and_resolve_references),
        cmocka_unit_test(node_params_fail_on_an_unresolved_reference),
        cmocka_unit_test(topological_order_puts_every_node_after_its_inputs),
        cmocka_unit_test(topological_order_fails_naming_the_cycle),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
