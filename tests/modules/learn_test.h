/*
 * learn_test.h: helpers shared by the tests of learners, Train Model, Score
 * Model and Evaluate Model (test_learning.c, test_peers.c): running a module
 * on several inputs with its defaults filled as the engine fills them, and
 * taking its outputs. Include it once, after cmocka.h.
 */
#ifndef WEFT_TESTS_LEARN_TEST_H
#define WEFT_TESTS_LEARN_TEST_H

#include "modules/modules_int.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Sets up ctx for module `ref` with params (JSON text, defaults filled) and
 * the given inputs (borrowed; JSON inputs get a reference of their own), and
 * runs it. Returns the module's code; the caller clears ctx. */
static inline int lt_run(mod_ctx *ctx, const char *ref, const char *params_json,
                         const mod_value *inputs, size_t ninputs)
{
    json_error_t jerr;
    json_t *params = json_loads(params_json, 0, &jerr);
    if (params == NULL) fail_msg("bad test JSON for %s: %s", ref, jerr.text);
    const mod_descriptor *m = mod_find(ref);
    if (m == NULL) fail_msg("no module %s", ref);
    assert_int_equal(mod_ctx_init(ctx, m, params), 0);
    json_decref(params);
    for (size_t k = 0; k < m->nparams; k++)
        if (json_object_get(ctx->params, m->params[k].name) == NULL &&
            m->params[k].default_json != NULL)
            json_object_set_new(ctx->params, m->params[k].name,
                                json_loads(m->params[k].default_json, JSON_DECODE_ANY, NULL));
    for (size_t i = 0; i < ninputs; i++) {
        ctx->inputs[i] = inputs[i];
        ctx->inputs[i].borrowed = true;
        if (inputs[i].json != NULL) json_incref(inputs[i].json);
    }
    ctx->on_log = NULL;
    return m->run(ctx);
}

/* lt_run that must succeed. */
static inline void lt_run_ok(mod_ctx *ctx, const char *ref, const char *params_json,
                             const mod_value *inputs, size_t ninputs)
{
    if (lt_run(ctx, ref, params_json, inputs, ninputs) < 0)
        fail_msg("%s failed: %s", ref, ctx->err.message);
}

/* Output k of a finished context, taken over by the caller. */
static inline tbl_table *lt_take_table(mod_ctx *ctx, size_t k)
{
    tbl_table *t = ctx->outputs[k].table;
    assert_non_null(t);
    ctx->outputs[k].table = NULL;
    return t;
}

static inline json_t *lt_take_json(mod_ctx *ctx, size_t k)
{
    json_t *j = ctx->outputs[k].json;
    assert_non_null(j);
    ctx->outputs[k].json = NULL;
    return j;
}

/* The learner JSON of learner module `ref` with params. */
static inline json_t *lt_learner(const char *ref, const char *params_json)
{
    mod_ctx ctx;
    lt_run_ok(&ctx, ref, params_json, NULL, 0);
    json_t *j = lt_take_json(&ctx, 0);
    mod_ctx_clear(&ctx);
    return j;
}

static inline void lt_assert_contains(const char *haystack, const char *needle)
{
    if (haystack == NULL || strstr(haystack, needle) == NULL)
        fail_msg("\"%s\" does not contain \"%s\"", haystack ? haystack : "(null)", needle);
}

/* Runs a shell command and returns what it printed (caller frees); fails
 * the test when it exits non-zero. */
static inline char *lt_capture(const char *cmd)
{
    FILE *p = popen(cmd, "r");
    assert_non_null(p);
    wf_buf out = {0};
    char chunk[4096];
    size_t got;
    while ((got = fread(chunk, 1, sizeof chunk, p)) > 0)
        wf_buf_append(&out, chunk, got);
    int status = pclose(p);
    if (status != 0) fail_msg("`%s` failed (%d): %s", cmd, status, out.data ? out.data : "");
    return out.data != NULL ? out.data : wf_strdup("");
}

#endif
