/*
 * scoring.c: scoring plans, a real-time inference pipeline compiled once
 * for many requests (DESIGN.md section 6).
 *
 * Compiling sorts the nodes that Web Service Output depends on into two
 * kinds:
 *
 * - constants: every node not downstream of Web Service Input (Trained
 *   Model, Fitted Transformation, a dataset joined in). They run once, here,
 *   in this process, and their outputs live as long as the plan. Tables
 *   read from the workspace are copied into memory, so that a request never
 *   touches the disk, not even through a memory map.
 * - the request path: the nodes between Web Service Input and Web Service
 *   Output. Each is prepared (modules.h, prepared modules: Score Model
 *   decodes its model now) and runs once per request, in order, in the
 *   calling thread, on in-memory tables. Web Service Input is not run: its
 *   output is the request's rows. Web Service Output is not run either: the
 *   table it receives is the reply.
 *
 * Nodes downstream of the input that the output does not need (an Evaluate
 * Model left in the pipeline) are ignored.
 *
 * A plan is immutable once compiled: eng_scoring_run only reads it, so any
 * number of threads may run it at once, each request with its own contexts.
 */
#include "pipeline_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define ENG__WSI "web-service-input"
#define ENG__WSO "web-service-output"
#define ENG__PYTHON "execute-python-script"

/* Where a request-path input comes from. */
enum { ENG__FROM_NONE = -1, ENG__FROM_ROWS = -2 };

typedef struct eng__source {
    int step;    /* a request step's index, ENG__FROM_ROWS or ENG__FROM_NONE */
    size_t port; /* that step's output port */
} eng__source;

typedef struct eng__step {
    char *node_id;
    const mod_descriptor *module;
    mod_prepared *prepared;
    eng__source *sources; /* module->ninputs */
} eng__step;

struct eng_scoring_plan {
    char *input_node, *output_node; /* the node ids of Web Service Input and Output */
    tbl_table *schema;              /* the input schema: zero rows */
    tbl_table *output_schema;       /* the reply's schema when known (zero rows), or NULL */
    mod_ctx *constants;             /* every constant node's context, kept for its outputs */
    size_t nconstants;
    eng__step *steps; /* the request path, in topological order */
    size_t nsteps;
    eng__source output; /* what Web Service Output receives */
    bool fast;
    char **warnings;
    size_t nwarnings;
    char **artifacts; /* digests the constants loaded */
    size_t nartifacts;
    char **datasets; /* dataset references the constants loaded */
    size_t ndatasets;
};

struct eng_scoring_result {
    mod_ctx *ctxs; /* one per step; outputs kept until the result is freed */
    size_t nctxs;
    const tbl_table *output;
};

/* ---- small helpers ----------------------------------------------------- */

/* Whether the node's module is `name` (any version), known or not: the
 * plan finds Web Service Input and Output by name. */
static bool eng__is_module(const eng_node *n, const char *name)
{
    size_t len = strlen(name);
    return n->module_ref != NULL && strncmp(n->module_ref, name, len) == 0 &&
           (n->module_ref[len] == '\0' || n->module_ref[len] == '@');
}

static int eng__push_string(char ***list, size_t *n, const char *s)
{
    for (size_t i = 0; i < *n; i++)
        if (strcmp((*list)[i], s) == 0) return 0;
    char **grown = wf_reallocarray(*list, *n + 1, sizeof **list);
    if (grown == NULL) return WF_ENOMEM;
    *list = grown;
    if ((grown[*n] = wf_strdup(s)) == NULL) return WF_ENOMEM;
    (*n)++;
    return 0;
}

static void eng__free_strings(char **list, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(list[i]);
    free(list);
}

static void eng__drop_log(void *user, const char *line)
{
    (void)user;
    (void)line;
}

void eng_scoring_plan_free(eng_scoring_plan *plan)
{
    if (plan == NULL) return;
    for (size_t s = 0; s < plan->nsteps; s++) {
        mod_prepared_free(plan->steps[s].prepared);
        free(plan->steps[s].sources);
        free(plan->steps[s].node_id);
    }
    free(plan->steps);
    /* Later constants may borrow from earlier ones: free in reverse. */
    for (size_t c = plan->nconstants; c-- > 0;)
        mod_ctx_clear(&plan->constants[c]);
    free(plan->constants);
    tbl_free(plan->schema);
    tbl_free(plan->output_schema);
    free(plan->input_node);
    free(plan->output_node);
    eng__free_strings(plan->warnings, plan->nwarnings);
    eng__free_strings(plan->artifacts, plan->nartifacts);
    eng__free_strings(plan->datasets, plan->ndatasets);
    free(plan);
}

/* ---- compiling --------------------------------------------------------- */

typedef struct eng__compiler {
    const eng_pipeline *p;
    const eng_env *env;
    eng_scoring_plan *plan;
    int wsi, wso;
    /* per node: which edge feeds each input port (an index into p->edges, or -1) */
    int **feed;
    bool *needed, *request;
    int *constant_of; /* node -> index into plan->constants, or -1 */
    int *step_of;     /* node -> index into plan->steps, or -1 */
} eng__compiler;

/* Loaders handed to constant nodes: the environment's, recording what they
 * load so that a bundle can carry it (eng_scoring_artifacts, _datasets). */
static int eng__load_artifact(void *user, const char *digest, json_t **out, wf_error *err)
{
    eng__compiler *c = user;
    if (c->env->load_artifact == NULL)
        return wf_error_set(err, WF_ENOTFOUND, "artifact %.64s: nothing to load it from", digest);
    int rc = c->env->load_artifact(c->env->user, digest, out, err);
    if (rc == 0 && eng__push_string(&c->plan->artifacts, &c->plan->nartifacts, digest) < 0) {
        json_decref(*out);
        *out = NULL;
        return wf_error_set(err, WF_ENOMEM, "out of memory");
    }
    return rc;
}

static int eng__load_dataset_rec(void *user, const char *ref, tbl_table **out, wf_error *err)
{
    eng__compiler *c = user;
    if (c->env->load_dataset == NULL)
        return wf_error_set(err, WF_ENOTFOUND, "dataset %.200s: nothing to load it from", ref);
    int rc = c->env->load_dataset(c->env->user, ref, out, err);
    if (rc == 0 && eng__push_string(&c->plan->datasets, &c->plan->ndatasets, ref) < 0) {
        tbl_free(*out);
        *out = NULL;
        return wf_error_set(err, WF_ENOMEM, "out of memory");
    }
    return rc;
}

/* The edges feeding each node's input ports. */
static int eng__wire(eng__compiler *c, wf_error *err)
{
    const eng_pipeline *p = c->p;
    c->feed = wf_calloc(p->nnodes + 1, sizeof *c->feed);
    if (c->feed == NULL) return wf_error_set(err, WF_ENOMEM, "out of memory");
    for (size_t i = 0; i < p->nnodes; i++) {
        const mod_descriptor *m = p->nodes[i].module;
        size_t n = m ? m->ninputs : 0;
        if ((c->feed[i] = wf_mallocarray(n + 1, sizeof **c->feed)) == NULL)
            return wf_error_set(err, WF_ENOMEM, "out of memory");
        for (size_t k = 0; k < n; k++)
            c->feed[i][k] = -1;
    }
    for (size_t e = 0; e < p->nedges; e++) {
        int to = eng_find_node(p, p->edges[e].to_node);
        if (to < 0 || p->nodes[to].module == NULL) continue;
        int k = mod_input_index(p->nodes[to].module, p->edges[e].to_port);
        if (k >= 0) c->feed[to][k] = (int)e;
    }
    return 0;
}

/* Marks what Web Service Output needs (walking inputs back, but not past
 * Web Service Input, whose rows come from the request), then which of those
 * are downstream of Web Service Input. `order` is topological. */
static void eng__mark(eng__compiler *c, const size_t *order)
{
    const eng_pipeline *p = c->p;
    c->needed[c->wso] = true;
    for (size_t o = p->nnodes; o-- > 0;) {
        size_t i = order[o];
        if (!c->needed[i] || (int)i == c->wsi || p->nodes[i].module == NULL) continue;
        for (size_t k = 0; k < p->nodes[i].module->ninputs; k++) {
            int e = c->feed[i][k];
            int from = e < 0 ? -1 : eng_find_node(p, p->edges[e].from_node);
            if (from >= 0) c->needed[from] = true;
        }
    }
    c->request[c->wsi] = true;
    for (size_t o = 0; o < p->nnodes; o++) {
        size_t i = order[o];
        if ((int)i == c->wsi || !c->needed[i] || p->nodes[i].module == NULL) continue;
        for (size_t k = 0; k < p->nodes[i].module->ninputs; k++) {
            int e = c->feed[i][k];
            int from = e < 0 ? -1 : eng_find_node(p, p->edges[e].from_node);
            if (from >= 0 && c->request[from]) c->request[i] = true;
        }
    }
}

/* The output port index of edge e's source, or -1. */
static int eng__from_port(const eng_pipeline *p, int e, int *from)
{
    *from = eng_find_node(p, p->edges[e].from_node);
    if (*from < 0 || p->nodes[*from].module == NULL) return -1;
    return mod_output_index(p->nodes[*from].module, p->edges[e].from_port);
}

/* A seed per node, from its id: the same plan gives the same numbers. */
static uint64_t eng__node_seed(const char *id)
{
    uint8_t d[32];
    wf_sha256 h;
    wf_sha256_init(&h);
    wf_sha256_update(&h, id, strlen(id));
    wf_sha256_final(&h, d);
    uint64_t seed = 0;
    for (int i = 0; i < 8; i++)
        seed = seed << 8 | d[i];
    return seed;
}

/* Runs constant node i now and keeps its context. */
static int eng__run_constant(eng__compiler *c, size_t i, wf_error *err)
{
    const eng_pipeline *p = c->p;
    const eng_node *n = &p->nodes[i];
    const mod_descriptor *m = n->module;
    json_t *params = eng_node_params(p, i, NULL, err);
    if (params == NULL) return wf_error_prefix(err, "node \"%s\"", n->id);
    eng_scoring_plan *plan = c->plan;
    mod_ctx *ctx = &plan->constants[plan->nconstants];
    int rc = mod_ctx_init(ctx, m, params);
    json_decref(params);
    plan->nconstants++; /* cleared with the plan from now on */
    if (rc < 0) return wf_error_set(err, rc, "node \"%s\": %s", n->id, ctx->err.message);
    ctx->node_id = n->id;
    ctx->seed = eng__node_seed(n->id);
    ctx->on_log = eng__drop_log;
    ctx->load_dataset = eng__load_dataset_rec;
    ctx->load_artifact = eng__load_artifact;
    ctx->user = c;
    for (size_t k = 0; k < m->ninputs; k++) {
        int e = c->feed[i][k];
        if (e < 0) continue;
        int from;
        int port = eng__from_port(p, e, &from);
        if (port < 0 || c->constant_of[from] < 0)
            return wf_error_set(err, WF_EINVAL, "node \"%s\": input \"%s\" has no value", n->id,
                                m->inputs[k].name);
        mod_value *v = &plan->constants[c->constant_of[from]].outputs[port];
        ctx->inputs[k].table = v->table;
        ctx->inputs[k].borrowed = v->table != NULL;
        ctx->inputs[k].json = json_incref(v->json);
    }
    rc = m->run(ctx);
    ctx->user = NULL; /* the compiler goes away; nothing may call back into it */
    ctx->load_dataset = NULL;
    ctx->load_artifact = NULL;
    if (rc < 0)
        return wf_error_set(err, ctx->err.code ? ctx->err.code : rc, "node \"%s\" (%s): %s", n->id,
                            m->display_name,
                            ctx->err.message[0] ? ctx->err.message : wf_strerror(rc));
    /* A table read from the workspace is a memory map of its artifact:
     * copy it, so that requests read memory only. Nothing has borrowed
     * from this output yet. */
    for (size_t k = 0; k < m->noutputs; k++) {
        tbl_table *t = ctx->outputs[k].table;
        if (t == NULL || t->mapping == NULL) continue;
        tbl_table *copy = NULL;
        if ((rc = tbl_clone(t, &copy, err)) < 0) return rc;
        if (!ctx->outputs[k].borrowed) tbl_free(t);
        ctx->outputs[k].table = copy;
        ctx->outputs[k].borrowed = false;
    }
    c->constant_of[i] = (int)(plan->nconstants - 1);
    return 0;
}

/* Prepares request node i as the next step. */
static int eng__add_step(eng__compiler *c, size_t i, wf_error *err)
{
    const eng_pipeline *p = c->p;
    const eng_node *n = &p->nodes[i];
    const mod_descriptor *m = n->module;
    eng_scoring_plan *plan = c->plan;
    eng__step *s = &plan->steps[plan->nsteps];
    mod_value *consts = wf_calloc(m->ninputs + 1, sizeof *consts);
    s->sources = wf_mallocarray(m->ninputs + 1, sizeof *s->sources);
    s->node_id = wf_strdup(n->id);
    s->module = m;
    plan->nsteps++;
    int rc = consts == NULL || s->sources == NULL || s->node_id == NULL
                 ? wf_error_set(err, WF_ENOMEM, "out of memory")
                 : 0;
    for (size_t k = 0; rc == 0 && k < m->ninputs; k++) {
        s->sources[k] = (eng__source){.step = ENG__FROM_NONE};
        int e = c->feed[i][k];
        if (e < 0) continue;
        int from;
        int port = eng__from_port(p, e, &from);
        if (from == c->wsi) {
            s->sources[k].step = ENG__FROM_ROWS;
        } else if (port >= 0 && c->step_of[from] >= 0) {
            s->sources[k] = (eng__source){.step = c->step_of[from], .port = (size_t)port};
        } else if (port >= 0 && c->constant_of[from] >= 0) {
            consts[k] = plan->constants[c->constant_of[from]].outputs[port];
        } else {
            rc = wf_error_set(err, WF_EINVAL, "node \"%s\": input \"%s\" has no value", n->id,
                              m->inputs[k].name);
        }
    }
    json_t *params = NULL;
    if (rc == 0 && (params = eng_node_params(p, i, NULL, err)) == NULL)
        rc = wf_error_prefix(err, "node \"%s\"", n->id);
    if (rc == 0 && (rc = mod_prepare(m, params, consts, &s->prepared, err)) < 0)
        wf_error_prefix(err, "node \"%s\" (%s)", n->id, m->display_name);
    json_decref(params);
    free(consts);
    if (rc < 0) return rc;
    c->step_of[i] = (int)(plan->nsteps - 1);
    if (strcmp(m->name, ENG__PYTHON) == 0) {
        char msg[400];
        snprintf(msg, sizeof msg,
                 "node \"%.200s\" (Execute Python Script) is in the scoring path: each request "
                 "starts Python, so this endpoint cannot use the fast path",
                 n->id);
        plan->fast = false;
        if (eng__push_string(&plan->warnings, &plan->nwarnings, msg) < 0)
            return wf_error_set(err, WF_ENOMEM, "out of memory");
    }
    return 0;
}

/* Finds the one Web Service Input and the one Web Service Output. */
static int eng__find_ends(eng__compiler *c, wf_error *err)
{
    const eng_pipeline *p = c->p;
    c->wsi = c->wso = -1;
    for (size_t i = 0; i < p->nnodes; i++) {
        const char *which = eng__is_module(&p->nodes[i], ENG__WSI)   ? "Input"
                            : eng__is_module(&p->nodes[i], ENG__WSO) ? "Output"
                                                                     : NULL;
        if (which == NULL) continue;
        int *slot = which[0] == 'I' ? &c->wsi : &c->wso;
        if (*slot >= 0)
            return wf_error_set(err, WF_EINVAL,
                                "the pipeline has two Web Service %s nodes (\"%s\" and \"%s\"); an "
                                "endpoint takes exactly one",
                                which, p->nodes[*slot].id, p->nodes[i].id);
        *slot = (int)i;
    }
    if (c->wsi < 0 || c->wso < 0)
        return wf_error_set(err, WF_EINVAL,
                            "the pipeline has no Web Service %s: an endpoint serves a real-time "
                            "inference pipeline (create one from a completed training run)",
                            c->wsi < 0 ? "Input" : "Output");
    if (p->nodes[c->wso].module == NULL || p->nodes[c->wsi].module == NULL)
        return wf_error_set(err, WF_EINVAL, "this weft does not know the web service modules");
    return 0;
}

/* Validation problems of the nodes the plan uses (a leftover node nobody
 * needs may be as broken as it likes). */
static int eng__check_valid(eng__compiler *c, wf_error *err)
{
    const eng_pipeline *p = c->p;
    eng_issues issues = {0};
    int rc = eng_pipeline_validate(p, NULL, c->env, &issues, err);
    for (size_t k = 0; rc == 0 && k < issues.count; k++) {
        const eng_issue *is = &issues.items[k];
        int i = is->node[0] ? eng_find_node(p, is->node) : -1;
        if (i >= 0 && !c->needed[i]) continue;
        if (i >= 0 && i == c->wsi && strcmp(is->field, "dataset") == 0) continue;
        rc = wf_error_set(err, WF_EINVAL, "the pipeline is not valid: %s%s%s%s%s", is->node,
                          is->field[0] ? "." : "", is->field, is->node[0] ? ": " : "", is->message);
    }
    eng_issues_clear(&issues);
    return rc;
}

/* Runs the plan once on zero rows: a plan that cannot even do that fails
 * now, at deploy, rather than on its first request, and the reply's schema
 * becomes known. A module that refuses an empty table is not an error. */
static void eng__probe(eng_scoring_plan *plan)
{
    tbl_table *rows = NULL;
    eng_scoring_result *res = NULL;
    if (tbl_clone(plan->schema, &rows, NULL) == 0 && eng_scoring_run(plan, rows, &res, NULL) == 0)
        tbl_clone(res->output, &plan->output_schema, NULL);
    eng_scoring_result_free(res);
    tbl_free(rows);
}

int eng_scoring_compile(const eng_pipeline *p, const eng_env *env, eng_scoring_plan **out,
                        wf_error *err)
{
    *out = NULL;
    static const eng_env none = {0};
    eng__compiler c = {.p = p, .env = env ? env : &none};
    size_t *order = NULL;
    int rc = eng__find_ends(&c, err);
    if (rc < 0) return rc;
    c.plan = wf_calloc(1, sizeof *c.plan);
    c.needed = wf_calloc(p->nnodes, sizeof *c.needed);
    c.request = wf_calloc(p->nnodes, sizeof *c.request);
    c.constant_of = wf_mallocarray(p->nnodes, sizeof *c.constant_of);
    c.step_of = wf_mallocarray(p->nnodes, sizeof *c.step_of);
    if (c.plan == NULL || c.needed == NULL || c.request == NULL || c.constant_of == NULL ||
        c.step_of == NULL) {
        rc = wf_error_set(err, WF_ENOMEM, "out of memory");
        goto out;
    }
    eng_scoring_plan *plan = c.plan;
    plan->fast = true;
    plan->constants = wf_calloc(p->nnodes, sizeof *plan->constants);
    plan->steps = wf_calloc(p->nnodes, sizeof *plan->steps);
    plan->input_node = wf_strdup(p->nodes[c.wsi].id);
    plan->output_node = wf_strdup(p->nodes[c.wso].id);
    if (plan->constants == NULL || plan->steps == NULL || plan->input_node == NULL ||
        plan->output_node == NULL) {
        rc = wf_error_set(err, WF_ENOMEM, "out of memory");
        goto out;
    }
    for (size_t i = 0; i < p->nnodes; i++)
        c.constant_of[i] = c.step_of[i] = -1;
    if ((rc = eng_topological_order(p, &order, err)) < 0 || (rc = eng__wire(&c, err)) < 0) goto out;
    eng__mark(&c, order);
    if ((rc = eng__check_valid(&c, err)) < 0) goto out;

    json_t *wsi_params = eng_node_params(p, (size_t)c.wsi, NULL, err);
    if (wsi_params == NULL) {
        rc = err ? err->code : WF_EINVAL;
        goto out;
    }
    rc = mod_web_service_schema(json_string_value(json_object_get(wsi_params, "schema")),
                                &plan->schema, err);
    json_decref(wsi_params);
    if (rc < 0) {
        wf_error_prefix(err, "node \"%s\" (Web Service Input)", p->nodes[c.wsi].id);
        goto out;
    }

    for (size_t o = 0; o < p->nnodes && rc == 0; o++) {
        size_t i = order[o];
        if (!c.needed[i] || (int)i == c.wsi || (int)i == c.wso) continue;
        if (p->nodes[i].module == NULL) {
            rc = wf_error_set(err, WF_EINVAL, "node \"%s\": unknown module %s", p->nodes[i].id,
                              p->nodes[i].module_ref);
        } else if (c.request[i]) {
            rc = eng__add_step(&c, i, err);
        } else {
            rc = eng__run_constant(&c, i, err);
        }
    }
    if (rc < 0) goto out;

    int e = c.feed[c.wso][0];
    int from = -1;
    int port = e < 0 ? -1 : eng__from_port(p, e, &from);
    if (from == c.wsi) {
        plan->output = (eng__source){.step = ENG__FROM_ROWS};
    } else if (port >= 0 && c.step_of[from] >= 0) {
        plan->output = (eng__source){.step = c.step_of[from], .port = (size_t)port};
    } else {
        rc = wf_error_set(err, WF_EINVAL,
                          "Web Service Output (node \"%s\") must be connected downstream of Web "
                          "Service Input (node \"%s\")",
                          p->nodes[c.wso].id, p->nodes[c.wsi].id);
        goto out;
    }
    eng__probe(plan);
out:
    free(order);
    for (size_t i = 0; c.feed != NULL && i < p->nnodes; i++)
        free(c.feed[i]);
    free(c.feed);
    free(c.needed);
    free(c.request);
    free(c.constant_of);
    free(c.step_of);
    if (rc < 0) {
        eng_scoring_plan_free(c.plan);
        return rc;
    }
    *out = c.plan;
    return 0;
}

/* ---- running ----------------------------------------------------------- */

void eng_scoring_result_free(eng_scoring_result *r)
{
    if (r == NULL) return;
    for (size_t s = r->nctxs; s-- > 0;)
        mod_ctx_clear(&r->ctxs[s]);
    free(r->ctxs);
    free(r);
}

const tbl_table *eng_scoring_output(const eng_scoring_result *r)
{
    return r->output;
}

int eng_scoring_run(const eng_scoring_plan *plan, const tbl_table *rows, eng_scoring_result **out,
                    wf_error *err)
{
    *out = NULL;
    eng_scoring_result *r = wf_calloc(1, sizeof *r);
    if (r == NULL || (r->ctxs = wf_calloc(plan->nsteps + 1, sizeof *r->ctxs)) == NULL) {
        free(r);
        return wf_error_set(err, WF_ENOMEM, "out of memory");
    }
    int rc = 0;
    for (size_t s = 0; s < plan->nsteps && rc == 0; s++) {
        const eng__step *st = &plan->steps[s];
        mod_ctx *ctx = &r->ctxs[s];
        r->nctxs++;
        if (mod_prepared_begin(st->prepared, ctx) < 0) {
            rc = wf_error_set(err, WF_ENOMEM, "out of memory");
            break;
        }
        ctx->node_id = st->node_id;
        for (size_t k = 0; k < st->module->ninputs; k++) {
            const eng__source *src = &st->sources[k];
            if (src->step == ENG__FROM_ROWS) {
                ctx->inputs[k].table = (tbl_table *)rows;
                ctx->inputs[k].borrowed = true;
            } else if (src->step >= 0) {
                const mod_value *v = &r->ctxs[src->step].outputs[src->port];
                ctx->inputs[k].table = v->table;
                ctx->inputs[k].borrowed = v->table != NULL;
                ctx->inputs[k].json = json_incref(v->json);
            }
        }
        if (mod_prepared_run(st->prepared, ctx) < 0) {
            int code = ctx->err.code ? ctx->err.code : WF_EINVAL;
            rc = wf_error_set(err, code, "node \"%s\" (%s): %s", st->node_id,
                              st->module->display_name,
                              ctx->err.message[0] ? ctx->err.message : wf_strerror(code));
        }
    }
    if (rc == 0) {
        const eng__source *o = &plan->output;
        r->output = o->step == ENG__FROM_ROWS ? rows : r->ctxs[o->step].outputs[o->port].table;
        if (r->output == NULL)
            rc = wf_error_set(err, WF_EINVAL, "the scoring path gave Web Service Output no table");
    }
    if (rc < 0) {
        eng_scoring_result_free(r);
        return rc;
    }
    *out = r;
    return 0;
}

/* ---- what a plan says about itself ------------------------------------- */

const tbl_table *eng_scoring_input_schema(const eng_scoring_plan *plan)
{
    return plan->schema;
}

const tbl_table *eng_scoring_output_schema(const eng_scoring_plan *plan)
{
    return plan->output_schema;
}

const char *eng_scoring_input_node(const eng_scoring_plan *plan)
{
    return plan->input_node;
}

const char *eng_scoring_output_node(const eng_scoring_plan *plan)
{
    return plan->output_node;
}

bool eng_scoring_fast(const eng_scoring_plan *plan)
{
    return plan->fast;
}

const char *const *eng_scoring_warnings(const eng_scoring_plan *plan, size_t *count)
{
    *count = plan->nwarnings;
    return (const char *const *)plan->warnings;
}

const char *const *eng_scoring_artifacts(const eng_scoring_plan *plan, size_t *count)
{
    *count = plan->nartifacts;
    return (const char *const *)plan->artifacts;
}

const char *const *eng_scoring_datasets(const eng_scoring_plan *plan, size_t *count)
{
    *count = plan->ndatasets;
    return (const char *const *)plan->datasets;
}
