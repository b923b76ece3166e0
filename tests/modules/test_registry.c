/*
 * test_registry.c: the module catalogue: finding modules by reference, the
 * well-formedness of every descriptor (the engine and the UI trust them),
 * the catalogue JSON, docs/modules.md staying in sync, and the
 * fault-injection modules of test builds.
 */
#include "modules/modules_int.h"

#include <jansson.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

/* ---- finding modules --------------------------------------------------- */

static void registry_finds_a_module_by_name_and_version(void **state)
{
    (void)state;
    const mod_descriptor *m = mod_find("split-data@1");
    assert_non_null(m);
    assert_string_equal(m->name, "split-data");
    assert_int_equal(m->version, 1);
    assert_null(mod_find("split-data@2"));
    assert_null(mod_find("no-such-module@1"));
}

static void registry_finds_highest_version_by_bare_name(void **state)
{
    (void)state;
    size_t n;
    const mod_descriptor *const *all = mod_all(&n);
    for (size_t i = 0; i < n; i++) {
        const mod_descriptor *best = mod_find(all[i]->name);
        assert_non_null(best);
        assert_string_equal(best->name, all[i]->name);
        /* No module of that name has a higher version than the one found. */
        for (size_t j = 0; j < n; j++)
            if (strcmp(all[j]->name, all[i]->name) == 0)
                assert_true(all[j]->version <= best->version);
        assert_ptr_equal(mod_find(all[i]->name), best);
    }
    assert_ptr_equal(mod_find("dataset@latest"), mod_find("dataset"));
}

static void registry_rejects_malformed_references(void **state)
{
    (void)state;
    const char *bad[] = {"split-data@",   "split-data@0",           "split-data@-1",
                         "split-data@1x", "split-data@01x",         "@1",
                         "split",         "split-data@99999999999", ""};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        assert_null(mod_find(bad[i]));
    assert_null(mod_find(NULL));
}

static void registry_index_lookups_find_ports_and_parameters(void **state)
{
    (void)state;
    const mod_descriptor *m = mod_find("split-data");
    assert_int_equal(mod_input_index(m, "dataset"), 0);
    assert_int_equal(mod_output_index(m, "second"), 1);
    assert_int_equal(mod_output_index(m, "third"), -1);
    assert_true(mod_param_index(m, "fraction") >= 0);
    assert_int_equal(mod_param_index(m, "nope"), -1);
    assert_int_equal(mod_param_index(NULL, "x"), -1);
}

/* ---- descriptors ------------------------------------------------------- */

static bool kebab_case(const char *s)
{
    if (s == NULL || s[0] < 'a' || s[0] > 'z') return false;
    for (; *s; s++)
        if (!((*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9') || *s == '-')) return false;
    return true;
}

static bool snake_case(const char *s)
{
    if (s == NULL || s[0] < 'a' || s[0] > 'z') return false;
    for (; *s; s++)
        if (!((*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9') || *s == '_')) return false;
    return true;
}

/* A default of the right JSON type for its parameter. */
static void check_default(const mod_descriptor *m, const mod_param *p)
{
    if (p->default_json == NULL) return;
    json_t *v = json_loads(p->default_json, JSON_DECODE_ANY, NULL);
    if (v == NULL) fail_msg("%s.%s: default %s is not JSON", m->name, p->name, p->default_json);
    switch (p->type) {
    case MOD_PARAM_INT:
        assert_true(json_is_integer(v));
        break;
    case MOD_PARAM_NUMBER:
        assert_true(json_is_number(v));
        if (p->has_min) assert_true(json_number_value(v) >= p->min);
        if (p->has_max) assert_true(json_number_value(v) <= p->max);
        break;
    case MOD_PARAM_BOOL:
        assert_true(json_is_boolean(v));
        break;
    case MOD_PARAM_ENUM: {
        assert_true(json_is_string(v));
        bool found = false;
        for (size_t i = 0; p->choices[i]; i++)
            found = found || strcmp(p->choices[i], json_string_value(v)) == 0;
        if (!found) fail_msg("%s.%s: the default is not a choice", m->name, p->name);
        break;
    }
    case MOD_PARAM_COLUMN_SELECTION:
        assert_true(json_is_object(v));
        break;
    default:
        assert_true(json_is_string(v));
    }
    json_decref(v);
}

static void every_descriptor_is_well_formed(void **state)
{
    (void)state;
    size_t n;
    const mod_descriptor *const *all = mod_all(&n);
    assert_true(n >= 6);
    for (size_t i = 0; i < n; i++) {
        const mod_descriptor *m = all[i];
        if (!kebab_case(m->name)) fail_msg("module name \"%s\" is not kebab-case", m->name);
        assert_true(m->version >= 1);
        assert_non_null(m->display_name);
        assert_non_null(m->category);
        assert_non_null(m->run);
        assert_non_null(m->configure);
        /* Real help: what it does, and an example. */
        assert_non_null(m->help);
        if (strstr(m->help, "## Example") == NULL) fail_msg("%s: the help has no example", m->name);
        for (size_t j = 0; j < n; j++)
            if (j != i && strcmp(all[j]->name, m->name) == 0)
                assert_int_not_equal(all[j]->version, m->version);
        for (size_t k = 0; k < m->ninputs; k++) {
            assert_int_equal(mod_input_index(m, m->inputs[k].name), (int)k);
            assert_non_null(m->inputs[k].help);
        }
        for (size_t k = 0; k < m->noutputs; k++) {
            assert_int_equal(mod_output_index(m, m->outputs[k].name), (int)k);
            assert_false(m->outputs[k].optional);
            assert_non_null(m->outputs[k].help);
        }
        for (size_t k = 0; k < m->nparams; k++) {
            const mod_param *p = &m->params[k];
            if (!snake_case(p->name)) fail_msg("%s.%s is not snake_case", m->name, p->name);
            assert_int_equal(mod_param_index(m, p->name), (int)k);
            assert_non_null(p->label);
            assert_non_null(p->help);
            assert_true((p->type == MOD_PARAM_ENUM) == (p->choices != NULL));
            if (p->input != NULL) assert_true(mod_input_index(m, p->input) >= 0);
            if (p->type == MOD_PARAM_COLUMN || p->type == MOD_PARAM_COLUMN_SELECTION)
                assert_non_null(p->input);
            if (p->visible_when != NULL) {
                /* "param=value": the parameter exists. */
                const char *eq = strchr(p->visible_when, '=');
                assert_non_null(eq);
                char other[64];
                snprintf(other, sizeof other, "%.*s", (int)(eq - p->visible_when), p->visible_when);
                if (mod_param_index(m, other) < 0)
                    fail_msg("%s.%s: visible_when names no parameter", m->name, p->name);
            }
            check_default(m, p);
        }
    }
}

/* An enum value: lowercase ASCII letters and digits, joined by '-', with
 * '+' and '.' where a name needs them ("k-means++"). Never Azure's display
 * spellings ("LeftOuter", "Assign to Folds"). */
static bool enum_value(const char *s)
{
    if (s == NULL || !((s[0] >= 'a' && s[0] <= 'z') || (s[0] >= '0' && s[0] <= '9'))) return false;
    for (const char *c = s; *c; c++) {
        bool word = (*c >= 'a' && *c <= 'z') || (*c >= '0' && *c <= '9');
        if (!word && *c != '-' && *c != '+' && *c != '.') return false;
        if (*c == '-' && (c[1] == '\0' || c[1] == '-')) return false;
    }
    return true;
}

/* The choice index of value in enum parameter p; -1 when it is not one. */
static int choice_index(const mod_param *p, const char *value, size_t len)
{
    for (size_t i = 0; p->choices[i] != NULL; i++)
        if (strlen(p->choices[i]) == len && strncmp(p->choices[i], value, len) == 0) return (int)i;
    return -1;
}

/* Every enum choice of every module is kebab-case, and every visible_when
 * condition names values its parameter can take: a choice of that enum, or
 * true/false of a bool. (Both would let a renamed value slip through: the
 * condition would never hold and the parameter would stay hidden.) */
static void every_enum_choice_is_kebab_case(void **state)
{
    (void)state;
    size_t n;
    const mod_descriptor *const *all = mod_all(&n);
    size_t checked = 0;
    for (size_t i = 0; i < n; i++) {
        const mod_descriptor *m = all[i];
        for (size_t k = 0; k < m->nparams; k++) {
            const mod_param *p = &m->params[k];
            for (size_t c = 0; p->choices != NULL && p->choices[c] != NULL; c++, checked++)
                if (!enum_value(p->choices[c]))
                    fail_msg("%s.%s: choice \"%s\" is not kebab-case", m->name, p->name,
                             p->choices[c]);
            if (p->visible_when == NULL) continue;
            const char *eq = strchr(p->visible_when, '=');
            assert_non_null(eq);
            char other[64];
            snprintf(other, sizeof other, "%.*s", (int)(eq - p->visible_when), p->visible_when);
            int j = mod_param_index(m, other);
            assert_true(j >= 0);
            const mod_param *q = &m->params[j];
            for (const char *v = eq + 1;;) {
                const char *bar = strchr(v, '|');
                size_t len = bar != NULL ? (size_t)(bar - v) : strlen(v);
                bool ok =
                    q->type == MOD_PARAM_ENUM
                        ? choice_index(q, v, len) >= 0
                        : q->type == MOD_PARAM_BOOL && ((len == 4 && strncmp(v, "true", 4) == 0) ||
                                                        (len == 5 && strncmp(v, "false", 5) == 0));
                if (!ok)
                    fail_msg("%s.%s: visible_when \"%s\": \"%.*s\" is not a value of %s", m->name,
                             p->name, p->visible_when, (int)len, v, q->name);
                if (bar == NULL) break;
                v = bar + 1;
            }
        }
    }
    /* The catalogue has enums: the loop saw them. */
    assert_true(checked > 100);
    /* The rule itself. */
    assert_true(enum_value("k-means++"));
    assert_true(enum_value("log10"));
    assert_false(enum_value("LeftOuter"));
    assert_false(enum_value("Assign to Folds"));
    assert_false(enum_value("split_rows"));
    assert_false(enum_value("-inner"));
    assert_false(enum_value("inner-"));
    assert_false(enum_value(""));
}

static void port_kind_names_round_trip(void **state)
{
    (void)state;
    for (int k = 0; k < MOD_PORT_KIND_COUNT; k++) {
        mod_port_kind back;
        assert_int_equal(mod_port_kind_parse(mod_port_kind_name((mod_port_kind)k), &back), 0);
        assert_int_equal(back, k);
    }
    mod_port_kind out;
    assert_int_equal(mod_port_kind_parse("tables", &out), WF_EINVAL);
    assert_int_equal(mod_port_kind_parse(NULL, &out), WF_EINVAL);
    assert_string_equal(mod_port_kind_name(MOD_TRANSFORM), "transform");
    assert_string_equal(mod_port_kind_name((mod_port_kind)42), "unknown");
}

static void param_type_names_match_the_header(void **state)
{
    (void)state;
    assert_string_equal(mod_param_type_name(MOD_PARAM_INT), "int");
    assert_string_equal(mod_param_type_name(MOD_PARAM_COLUMN_SELECTION), "column-selection");
    assert_string_equal(mod_param_type_name(MOD_PARAM_DATASET), "dataset");
    assert_string_equal(mod_param_type_name(MOD_PARAM_PYTHON), "python");
    assert_string_equal(mod_param_type_name((mod_param_type)99), "unknown");
}

/* ---- JSON -------------------------------------------------------------- */

static void catalogue_json_lists_every_parameter_with_its_default(void **state)
{
    (void)state;
    json_t *cat = mod_catalogue_json();
    assert_non_null(cat);
    json_t *list = json_object_get(cat, "modules");
    size_t n;
    const mod_descriptor *const *all = mod_all(&n);
    assert_int_equal(json_array_size(list), n);
    for (size_t i = 0; i < n; i++) {
        json_t *d = json_array_get(list, i);
        char id[128];
        snprintf(id, sizeof id, "%s@%d", all[i]->name, all[i]->version);
        assert_string_equal(json_string_value(json_object_get(d, "id")), id);
        json_t *params = json_object_get(d, "params");
        assert_int_equal(json_array_size(params), all[i]->nparams);
        for (size_t k = 0; k < all[i]->nparams; k++) {
            json_t *p = json_array_get(params, k);
            const mod_param *mp = &all[i]->params[k];
            assert_string_equal(json_string_value(json_object_get(p, "name")), mp->name);
            const char *keys[] = {"label", "type",    "default", "required",     "min",
                                  "max",   "choices", "input",   "visible_when", "help"};
            for (size_t q = 0; q < sizeof keys / sizeof keys[0]; q++)
                if (json_object_get(p, keys[q]) == NULL)
                    fail_msg("%s.%s has no \"%s\"", id, mp->name, keys[q]);
            /* The default is parsed JSON, not its text. */
            json_t *want = mp->default_json ? json_loads(mp->default_json, JSON_DECODE_ANY, NULL)
                                            : json_null();
            assert_true(json_equal(json_object_get(p, "default"), want));
            json_decref(want);
        }
    }
    /* A few exact values. */
    json_t *split = mod_descriptor_json(mod_find("split-data"));
    json_t *fraction = NULL;
    size_t k;
    json_t *p;
    json_array_foreach(json_object_get(split, "params"), k, p)
    {
        if (strcmp(json_string_value(json_object_get(p, "name")), "fraction") == 0) fraction = p;
    }
    assert_non_null(fraction);
    assert_true(json_real_value(json_object_get(fraction, "default")) == 0.5);
    assert_true(json_number_value(json_object_get(fraction, "max")) == 1.0);
    assert_string_equal(json_string_value(json_object_get(fraction, "visible_when")),
                        "mode=split-rows");
    json_t *outputs = json_object_get(split, "outputs");
    assert_string_equal(json_string_value(json_object_get(json_array_get(outputs, 1), "name")),
                        "second");
    assert_string_equal(json_string_value(json_object_get(json_array_get(outputs, 1), "kind")),
                        "table");
    json_decref(split);
    json_decref(cat);
}

#ifdef WEFT_TEST_MODULES
static void descriptor_json_marks_optional_inputs(void **state)
{
    (void)state;
    json_t *d = mod_descriptor_json(mod_find("test-sleep@1"));
    assert_non_null(d);
    json_t *in = json_array_get(json_object_get(d, "inputs"), 0);
    assert_true(json_is_true(json_object_get(in, "optional")));
    assert_string_equal(json_string_value(json_object_get(d, "category")), "Test");
    json_decref(d);
    assert_null(mod_descriptor_json(NULL));
}
#endif

/* docs/modules.md is written by hand from the descriptors: every module id
 * and every parameter name must appear in it. */
static void modules_doc_names_every_module_and_parameter(void **state)
{
    (void)state;
    char *doc = NULL;
    size_t size;
    wf_error err = {0};
    if (wf_read_file(WEFT_TEST_DATA "/../../docs/modules.md", &doc, &size, &err) < 0)
        fail_msg("%s", err.message);
    size_t n;
    const mod_descriptor *const *all = mod_all(&n);
    for (size_t i = 0; i < n; i++) {
        char id[160];
        snprintf(id, sizeof id, "`%s@%d`", all[i]->name, all[i]->version);
        if (strstr(doc, id) == NULL) fail_msg("docs/modules.md does not mention %s", id);
        /* Each parameter is named in backquotes after the module's heading. */
        const char *section = strstr(doc, id);
        const char *next = strstr(section + 1, "\n## ");
        for (size_t k = 0; k < all[i]->nparams; k++) {
            char name[96];
            snprintf(name, sizeof name, "`%s`", all[i]->params[k].name);
            const char *at = strstr(section, name);
            if (at == NULL || (next != NULL && at > next))
                fail_msg("docs/modules.md: %s does not document %s", id, name);
        }
    }
    free(doc);
}

/* ---- the fault-injection modules --------------------------------------- */

#ifdef WEFT_TEST_MODULES

/* Runs module ref with no input and params (JSON text) in ctx. */
static int run_fault(mod_ctx *ctx, const char *ref, const char *params_json)
{
    json_t *params = json_loads(params_json, 0, NULL);
    assert_int_equal(mod_ctx_init(ctx, mod_find(ref), params), 0);
    json_decref(params);
    return ctx->module->run(ctx);
}

static void test_fail_returns_its_message(void **state)
{
    (void)state;
    mod_ctx ctx;
    assert_int_equal(run_fault(&ctx, "test-fail@1", "{\"message\": \"boom\"}"), WF_EINVAL);
    assert_string_equal(ctx.err.message, "boom");
    mod_ctx_clear(&ctx);
}

static void test_sleep_passes_its_input_through(void **state)
{
    (void)state;
    mod_ctx ctx;
    json_t *params = json_pack("{s:f}", "seconds", 0.02);
    assert_int_equal(mod_ctx_init(&ctx, mod_find("test-sleep"), params), 0);
    json_decref(params);
    const char *text = "a,b\n1,x\n2,y\n";
    tbl_read_options opt = {.format = TBL_FORMAT_CSV, .header = TBL_HEADER_PRESENT};
    tbl_table *in = NULL;
    assert_int_equal(tbl_read_csv(text, strlen(text), &opt, &in, NULL), 0);
    ctx.inputs[0].table = in;
    ctx.inputs[0].borrowed = true;
    assert_int_equal(ctx.module->run(&ctx), 0);
    assert_int_equal(ctx.outputs[0].table->nrows, 2);
    assert_int_equal(ctx.outputs[0].table->ncols, 2);
    mod_ctx_clear(&ctx);
    tbl_free(in);
}

static void test_sleep_stops_when_cancelled(void **state)
{
    (void)state;
    mod_ctx ctx;
    json_t *params = json_pack("{s:f}", "seconds", 60.0);
    assert_int_equal(mod_ctx_init(&ctx, mod_find("test-sleep"), params), 0);
    json_decref(params);
    volatile sig_atomic_t cancel = 1;
    ctx.cancel = &cancel;
    assert_true(ctx.module->run(&ctx) < 0);
    assert_non_null(strstr(ctx.err.message, "canceled"));
    mod_ctx_clear(&ctx);
}

static void test_allocate_stops_when_cancelled(void **state)
{
    (void)state;
    mod_ctx ctx;
    json_t *params = json_object();
    assert_int_equal(mod_ctx_init(&ctx, mod_find("test-allocate"), params), 0);
    json_decref(params);
    volatile sig_atomic_t cancel = 1;
    ctx.cancel = &cancel;
    assert_true(ctx.module->run(&ctx) < 0);
    assert_non_null(strstr(ctx.err.message, "0 MB"));
    mod_ctx_clear(&ctx);
}

static void test_crash_dies_by_sigsegv(void **state)
{
    (void)state;
    fflush(NULL);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        mod_ctx ctx;
        run_fault(&ctx, "test-crash@1", "{}");
        _exit(0); /* not reached when the module works */
    }
    int status = 0;
    assert_int_equal(waitpid(pid, &status, 0), pid);
    assert_true(WIFSIGNALED(status));
    assert_int_equal(WTERMSIG(status), SIGSEGV);
}

static void fault_modules_configure_to_their_input_schema(void **state)
{
    (void)state;
    mod_ctx ctx;
    json_t *params = json_object();
    assert_int_equal(mod_ctx_init(&ctx, mod_find("test-fail"), params), 0);
    json_decref(params);
    ctx.schema_only = true;
    assert_int_equal(ctx.module->configure(&ctx), 0);
    assert_int_equal(ctx.outputs[0].table->nrows, 0);
    assert_string_equal(ctx.outputs[0].table->cols[0].name, "ok");
    mod_ctx_clear(&ctx);
}

#endif /* WEFT_TEST_MODULES */

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(registry_finds_a_module_by_name_and_version),
        cmocka_unit_test(registry_finds_highest_version_by_bare_name),
        cmocka_unit_test(registry_rejects_malformed_references),
        cmocka_unit_test(registry_index_lookups_find_ports_and_parameters),
        cmocka_unit_test(every_descriptor_is_well_formed),
        cmocka_unit_test(every_enum_choice_is_kebab_case),
        cmocka_unit_test(port_kind_names_round_trip),
        cmocka_unit_test(param_type_names_match_the_header),
        cmocka_unit_test(catalogue_json_lists_every_parameter_with_its_default),
        cmocka_unit_test(modules_doc_names_every_module_and_parameter),
#ifdef WEFT_TEST_MODULES
        cmocka_unit_test(descriptor_json_marks_optional_inputs),
        cmocka_unit_test(test_fail_returns_its_message),
        cmocka_unit_test(test_sleep_passes_its_input_through),
        cmocka_unit_test(test_sleep_stops_when_cancelled),
        cmocka_unit_test(test_allocate_stops_when_cancelled),
        cmocka_unit_test(test_crash_dies_by_sigsegv),
        cmocka_unit_test(fault_modules_configure_to_their_input_schema),
#endif
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
