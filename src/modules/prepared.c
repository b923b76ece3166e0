/*
 * prepared.c: one node run many times, as an endpoint's scoring plan runs
 * each node of its request path once per request (modules.h, "prepared
 * modules").
 *
 * The point is what is not done per run. The parameters are resolved and
 * their defaults filled once, and every run's context shares them by
 * reference instead of copying them. A module that offers the prepare hooks
 * (Score Model) does its expensive, request-independent work once too: the
 * model is decoded when the plan is compiled, and a request only encodes
 * its rows and predicts.
 *
 * Everything a mod_prepared holds is read-only after mod_prepare, so many
 * threads may run it at once, each with its own context. JSON values are
 * shared between those contexts; jansson counts references atomically.
 */
#include "modules_int.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

struct mod_prepared {
    const mod_descriptor *module;
    json_t *params;       /* defaults filled; shared by every run */
    mod_value *constants; /* module->ninputs; borrowed values */
    void *state;          /* the prepare hook's, or NULL */
};

static void prepared_drop_log(void *user, const char *line)
{
    (void)user;
    (void)line;
}

void mod_prepared_free(mod_prepared *p)
{
    if (p == NULL) return;
    if (p->state != NULL && p->module->free_prepared != NULL) p->module->free_prepared(p->state);
    json_decref(p->params);
    free(p->constants);
    free(p);
}

bool mod_prepared_is_fast(const mod_prepared *p)
{
    return p != NULL && p->state != NULL;
}

int mod_prepared_begin(const mod_prepared *p, mod_ctx *ctx)
{
    const mod_descriptor *m = p->module;
    memset(ctx, 0, sizeof *ctx);
    ctx->module = m;
    ctx->params = json_incref(p->params);
    ctx->on_log = prepared_drop_log;
    ctx->inputs = wf_calloc(m->ninputs, sizeof *ctx->inputs);
    ctx->outputs = wf_calloc(m->noutputs, sizeof *ctx->outputs);
    if ((m->ninputs > 0 && ctx->inputs == NULL) || (m->noutputs > 0 && ctx->outputs == NULL))
        return wf_error_set(&ctx->err, WF_ENOMEM, "out of memory setting up %s@%d", m->name,
                            m->version);
    for (size_t i = 0; i < m->ninputs; i++) {
        const mod_value *c = &p->constants[i];
        ctx->inputs[i].kind = m->inputs[i].kind;
        ctx->inputs[i].table = c->table;
        ctx->inputs[i].borrowed = c->table != NULL;
        ctx->inputs[i].json = json_incref(c->json);
    }
    for (size_t i = 0; i < m->noutputs; i++)
        ctx->outputs[i].kind = m->outputs[i].kind;
    return 0;
}

int mod_prepared_run(const mod_prepared *p, mod_ctx *ctx)
{
    if (p->state != NULL) return p->module->run_prepared(ctx, p->state);
    return p->module->run(ctx);
}

int mod_prepare(const mod_descriptor *m, const json_t *params, const mod_value *constants,
                mod_prepared **out, wf_error *err)
{
    *out = NULL;
    if (m == NULL) return wf_error_set(err, WF_EINVAL, "no module given");
    mod_prepared *p = wf_calloc(1, sizeof *p);
    if (p == NULL) return wf_error_set(err, WF_ENOMEM, "out of memory");
    p->module = m;
    p->constants = wf_calloc(m->ninputs + 1, sizeof *p->constants);
    if (p->constants == NULL) {
        mod_prepared_free(p);
        return wf_error_set(err, WF_ENOMEM, "out of memory");
    }
    for (size_t i = 0; constants != NULL && i < m->ninputs; i++) {
        p->constants[i] = constants[i];
        p->constants[i].kind = m->inputs[i].kind;
        p->constants[i].borrowed = true;
    }
    /* One ordinary context fills the defaults; its parameters are then
     * shared by every run. */
    mod_ctx ctx;
    if (mod_ctx_init(&ctx, m, (json_t *)params) < 0) {
        int rc = wf_error_set(err, ctx.err.code, "%s", ctx.err.message);
        mod_ctx_clear(&ctx);
        mod_prepared_free(p);
        return rc;
    }
    p->params = json_incref(ctx.params);
    mod_ctx_clear(&ctx);
    if (m->prepare == NULL || m->run_prepared == NULL) {
        *out = p;
        return 0;
    }
    int rc = mod_prepared_begin(p, &ctx);
    void *state = NULL;
    if (rc == 0) rc = m->prepare(&ctx, &state);
    if (rc < 0) {
        rc = wf_error_set(err, rc, "%s",
                          ctx.err.message[0] ? ctx.err.message : wf_strerror(ctx.err.code));
        if (state != NULL && m->free_prepared != NULL) m->free_prepared(state);
        mod_ctx_clear(&ctx);
        mod_prepared_free(p);
        return rc;
    }
    mod_ctx_clear(&ctx);
    p->state = state;
    *out = p;
    return 0;
}
