/*
 * inference.c: "Create inference pipeline" (DESIGN.md section 6). From a
 * completed training run, a new pipeline document that serves its trained
 * model, built by rules as the Azure designer builds it (the rules, with a
 * worked example, are in docs/formats.md, "Inference pipelines"):
 *
 * 1. The scoring path is everything that feeds the chosen Score Model,
 *    walked upstream from it. A model or a fitted transformation that
 *    flows into the path is a constant: its producer (Train Model,
 *    Normalize Data feeding Apply Transformation...) becomes trained-model@1
 *    or fitted-transform@1 holding the run's output artifact, and what fed
 *    the producer is not needed any more.
 * 2. Along the table flow: a module that fitted a transformation becomes
 *    apply-transformation@1 with that transformation; Split Data and the
 *    other modules that only choose training rows are left out; modules
 *    without an inference equivalent (a learner input, a statistics table
 *    instead of rows) stop the conversion, naming node and module; the rest
 *    is kept with the parameters the run resolved.
 * 3. The scoring rows enter at a dataset at the top of the path: the one
 *    that fed training too, else the only one, else the largest.
 *    web-service-input@1 stands after it (real-time), with its schema less
 *    the label; a batch pipeline reads the dataset its `input_dataset`
 *    parameter names and registers the scores with export-data@1.
 * 4. Requests carry no label, so in the request path (downstream of where
 *    the rows enter) the label's name is taken out of column selections,
 *    and a fitted transformation that was fitted on the label is stored
 *    again without it.
 * 5. The document is validated twice before it is handed back: as it is,
 *    and (real-time) with Web Service Input fed only by its schema, as a
 *    request feeds it. A problem is an error: the conversion never hands
 *    out a pipeline that cannot run.
 */
#include "pipeline_int.h"
#include "run_int.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* What becomes of a node of the training run. */
enum {
    INF_UNUSED = 0, /* not in the scoring path (or only its constant outputs are) */
    INF_KEEP,       /* kept as it is */
    INF_SCORER,     /* a Score Model (the served one, or one upstream of it) */
    INF_SOURCE,     /* a node with no inputs that feeds the path */
    INF_APPLY,      /* fitted a transformation: apply-transformation@1 */
    INF_BYPASS,     /* left out: its consumers read what fed it */
};

/* Modules that only choose or shape the training rows: left out, their
 * consumers read what fed them. Split Data goes silently, as in the Azure
 * designer; the others with a warning. */
static const char *const inf_dropped[] = {"split-data", "partition-and-sample",
                                          "remove-duplicate-rows", "smote", NULL};
/* Modules whose table output is not the rows flowing through them. */
static const char *const inf_not_rows[] = {"summarize-data", "evaluate-model", NULL};
/* Modules that score a model on a table. */
static const char *const inf_scorers[] = {"score-model", "assign-data-to-clusters", NULL};

/* Per module that fits a transformation: the state array with one entry
 * per transform column (NULL: none), so that a column can be left out. */
static const struct {
    const char *module;
    const char *per_column;
} inf_transform_states[] = {
    {"normalize-data", "parameters"},
    {"clean-missing-data", "fills"},
    {"clip-values", "parameters"},
    {"group-data-into-bins", "parameters"},
    {"convert-to-indicator-values", "parameters"},
    {"select-columns-transform", NULL},
    {"filter-based-feature-selection", NULL},
};

typedef struct inf_end {
    int node; /* -1: not connected */
    int port;
} inf_end;

/* A constant the path needs: a model or transformation output. */
typedef struct inf_leaf {
    size_t node, port;
    bool model;   /* a trained model; else a fitted transformation */
    bool strip;   /* applied in the request path: leave the label out */
    char *id;     /* its node's id in the new document */
    char *digest; /* the artifact it holds */
    char *source; /* for people */
} inf_leaf;

typedef struct inf {
    st_workspace *ws;
    int64_t run_id;
    eng_inference_options opt;
    wf_error *err;
    eng_pipeline *p; /* the run's snapshot, every node with its resolved parameters */
    json_t *outputs; /* {"node": {"port": "digest"}} */
    inf_end **in;    /* in[i][k]: what feeds input k of node i */
    int *role;       /* INF_* per node */
    int *port_used;  /* INF_SOURCE: the output that feeds the path */
    bool *request;   /* downstream of where the scoring rows enter */
    json_t **params; /* per node: the parameters to write (KEEP, SCORER, SOURCE) */
    inf_leaf *leaves;
    size_t nleaves, leaves_cap;
    int scorer, input;
    int model_leaf; /* the served Score Model's model */
    char *label;    /* the model's label column; NULL: none (clustering) */
    json_t *schema; /* the request schema: {"columns": [...]} */
    json_t *taken;  /* ids of the new document: {"id": true} */
    json_t *warnings;
} inf;

static int inf_oom(inf *c)
{
    return wf_error_set(c->err, WF_ENOMEM, "out of memory creating the inference pipeline");
}

/* A conversion that is not possible: WF_EINVAL, saying why. */
static int inf_fail(inf *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int inf_fail(inf *c, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    wf_error_setv(c->err, WF_EINVAL, fmt, ap);
    va_end(ap);
    eng__utf8_scrub(c->err->message);
    return WF_EINVAL;
}

static int inf_warn(inf *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int inf_warn(inf *c, const char *fmt, ...)
{
    char text[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(text, sizeof text, fmt, ap);
    va_end(ap);
    eng__utf8_scrub(text);
    return json_array_append_new(c->warnings, json_string(text)) < 0 ? inf_oom(c) : 0;
}

static bool inf_in_list(const char *const *list, const char *name)
{
    for (size_t i = 0; list[i] != NULL; i++)
        if (strcmp(list[i], name) == 0) return true;
    return false;
}

static const eng_node *inf_node(const inf *c, size_t i)
{
    return &c->p->nodes[i];
}

static const mod_descriptor *inf_module(const inf *c, size_t i)
{
    return c->p->nodes[i].module;
}

/* The first port of kind `kind` (inputs or outputs of m), or -1. */
static int inf_first_port(const mod_port *ports, size_t n, mod_port_kind kind)
{
    for (size_t k = 0; k < n; k++)
        if (ports[k].kind == kind) return (int)k;
    return -1;
}

/* The digest of output `port` of node i in the run, or NULL. */
static const char *inf_output_digest(const inf *c, size_t i, size_t port)
{
    const json_t *o = json_object_get(c->outputs, inf_node(c, i)->id);
    return json_string_value(json_object_get(o, inf_module(c, i)->outputs[port].name));
}

/* ---- the run ---------------------------------------------------------------- */

/* The run's snapshot as a document whose nodes carry the parameters the run
 * resolved (datasets pinned, pipeline parameters bound), so that what is
 * kept computes exactly what it computed in training. */
static int inf_load_snapshot(inf *c, const char *snapshot_json)
{
    json_t *snap = json_loads(snapshot_json, 0, NULL);
    json_t *doc = json_deep_copy(json_object_get(snap, "pipeline"));
    json_t *steps = json_object_get(snap, "steps");
    json_t *nodes = json_object_get(doc, "nodes");
    int rc = 0;
    if (snap == NULL || !json_is_object(doc) || !json_is_array(nodes) || !json_is_object(steps))
        rc = wf_error_set(c->err, WF_ECORRUPT, "run %lld: its snapshot cannot be read",
                          (long long)c->run_id);
    size_t i;
    json_t *node;
    json_array_foreach(nodes, i, node)
    {
        if (rc < 0) break;
        const char *id = json_string_value(json_object_get(node, "id"));
        json_t *params = json_object_get(json_object_get(steps, id ? id : ""), "params");
        if (!json_is_object(params))
            rc = wf_error_set(c->err, WF_ECORRUPT,
                              "run %lld: its snapshot has no parameters for node \"%.100s\"",
                              (long long)c->run_id, id ? id : "");
        else if (json_object_set_new(node, "params", json_deep_copy(params)) < 0)
            rc = inf_oom(c);
    }
    /* Every reference is bound now; the training parameters go. */
    if (rc == 0 && json_object_set_new(doc, "parameters", json_object()) < 0) rc = inf_oom(c);
    char *text = rc == 0 ? json_dumps(doc, JSON_COMPACT) : NULL;
    if (rc == 0 && text == NULL) rc = inf_oom(c);
    if (rc == 0) rc = eng_pipeline_parse(text, strlen(text), &c->p, c->err);
    free(text);
    json_decref(doc);
    json_decref(snap);
    return rc;
}

static int inf_load_run(inf *c)
{
    st_run r = {0};
    int rc = st_run_get(c->ws, c->run_id, &r, c->err);
    if (rc < 0) return rc;
    if (strcmp(r.status, "completed") != 0) {
        rc = inf_fail(c,
                      "run %lld is %s, not completed: only a completed run has a trained model "
                      "to serve",
                      (long long)c->run_id, r.status);
        st_run_clear(&r);
        return rc;
    }
    rc = inf_load_snapshot(c, r.snapshot_json);
    st_run_clear(&r);
    if (rc < 0) return rc;
    for (size_t i = 0; i < c->p->nnodes; i++)
        if (c->p->nodes[i].module == NULL)
            return inf_fail(c, "node \"%s\" uses module %s, which this weft does not have",
                            c->p->nodes[i].id, c->p->nodes[i].module_ref);
    st_step *steps = NULL;
    size_t n = 0;
    if ((rc = st_run_steps(c->ws, c->run_id, &steps, &n, c->err)) < 0) return rc;
    c->outputs = json_object();
    for (size_t i = 0; rc == 0 && i < n; i++) {
        json_t *o = json_loads(steps[i].outputs_json, 0, NULL);
        if (c->outputs == NULL ||
            json_object_set_new(c->outputs, steps[i].node_id, o ? o : json_object()) < 0)
            rc = inf_oom(c);
    }
    st_steps_free(steps, n);
    return rc;
}

/* Fills c->in from the edges (a completed run's document is valid: every
 * edge joins existing nodes and ports). */
static int inf_wire(inf *c)
{
    const eng_pipeline *p = c->p;
    c->in = wf_calloc(p->nnodes ? p->nnodes : 1, sizeof *c->in);
    c->role = wf_calloc(p->nnodes ? p->nnodes : 1, sizeof *c->role);
    c->port_used = wf_calloc(p->nnodes ? p->nnodes : 1, sizeof *c->port_used);
    c->request = wf_calloc(p->nnodes ? p->nnodes : 1, sizeof *c->request);
    c->params = wf_calloc(p->nnodes ? p->nnodes : 1, sizeof *c->params);
    if (c->in == NULL || c->role == NULL || c->port_used == NULL || c->request == NULL ||
        c->params == NULL)
        return inf_oom(c);
    for (size_t i = 0; i < p->nnodes; i++) {
        size_t n = p->nodes[i].module->ninputs;
        if ((c->in[i] = wf_mallocarray(n ? n : 1, sizeof *c->in[i])) == NULL) return inf_oom(c);
        for (size_t k = 0; k < n; k++)
            c->in[i][k] = (inf_end){-1, -1};
    }
    for (size_t e = 0; e < p->nedges; e++) {
        const eng_edge *ed = &p->edges[e];
        int from = eng_find_node(p, ed->from_node), to = eng_find_node(p, ed->to_node);
        int port = from >= 0 ? mod_output_index(p->nodes[from].module, ed->from_port) : -1;
        int k = to >= 0 ? mod_input_index(p->nodes[to].module, ed->to_port) : -1;
        if (port < 0 || k < 0)
            return wf_error_set(c->err, WF_ECORRUPT, "run %lld: edge %s.%s -> %s.%s is broken",
                                (long long)c->run_id, ed->from_node, ed->from_port, ed->to_node,
                                ed->to_port);
        c->in[to][k] = (inf_end){from, port};
    }
    return 0;
}

/* ---- walking the scoring path ----------------------------------------------- */

static int inf_leaf_index(const inf *c, size_t node, size_t port)
{
    for (size_t l = 0; l < c->nleaves; l++)
        if (c->leaves[l].node == node && c->leaves[l].port == port) return (int)l;
    return -1;
}

static int inf_add_leaf(inf *c, size_t node, size_t port, bool model)
{
    int l = inf_leaf_index(c, node, port);
    if (l >= 0) return l;
    if (wf_grow((void **)&c->leaves, &c->leaves_cap, c->nleaves + 1, sizeof *c->leaves) < 0)
        return inf_oom(c);
    c->leaves[c->nleaves] = (inf_leaf){.node = node, .port = port, .model = model};
    return (int)c->nleaves++;
}

static int inf_no_equivalent(inf *c, size_t i, const char *why)
{
    return inf_fail(c, "node \"%s\" (%s) has no inference equivalent: %s", inf_node(c, i)->id,
                    inf_node(c, i)->module_ref, why);
}

static int inf_visit_table(inf *c, size_t j, size_t port);

/* What feeds input k of node i joins the path. */
static int inf_visit_input(inf *c, size_t i, size_t k)
{
    inf_end e = c->in[i][k];
    if (e.node < 0) return 0; /* an optional input left unconnected */
    const mod_descriptor *m = inf_module(c, (size_t)e.node);
    switch (m->outputs[e.port].kind) {
    case MOD_MODEL:
    case MOD_TRANSFORM: {
        int l =
            inf_add_leaf(c, (size_t)e.node, (size_t)e.port, m->outputs[e.port].kind == MOD_MODEL);
        return l < 0 ? l : 0;
    }
    case MOD_TABLE:
        return inf_visit_table(c, (size_t)e.node, (size_t)e.port);
    default:
        return inf_no_equivalent(c, (size_t)e.node,
                                 "its output feeds the scoring path, and it "
                                 "describes data rather than carrying rows");
    }
}

/* Every connected input of node j joins the path. */
static int inf_visit_inputs(inf *c, size_t j)
{
    const mod_descriptor *m = inf_module(c, j);
    for (size_t k = 0; k < m->ninputs; k++) {
        int rc = inf_visit_input(c, j, k);
        if (rc < 0) return rc;
    }
    return 0;
}

static bool inf_has_inputs(const inf *c, size_t j)
{
    for (size_t k = 0; k < inf_module(c, j)->ninputs; k++)
        if (c->in[j][k].node >= 0) return true;
    return false;
}

/* Output `port` (a table) of node j feeds the path: decide what j becomes. */
static int inf_visit_table(inf *c, size_t j, size_t port)
{
    const mod_descriptor *m = inf_module(c, j);
    int table_out = inf_first_port(m->outputs, m->noutputs, MOD_TABLE);
    int table_in = inf_first_port(m->inputs, m->ninputs, MOD_TABLE);
    int transform_out = inf_first_port(m->outputs, m->noutputs, MOD_TRANSFORM);
    if (c->role[j] != INF_UNUSED) {
        if (c->role[j] == INF_APPLY && (int)port != table_out)
            return inf_no_equivalent(c, j,
                                     "its output feeding the scoring path is not the one "
                                     "its fitted transformation reproduces");
        return 0;
    }
    if (!inf_has_inputs(c, j)) {
        c->role[j] = INF_SOURCE;
        c->port_used[j] = (int)port;
        return 0;
    }
    if (inf_in_list(inf_dropped, m->name) && table_in >= 0) {
        c->role[j] = INF_BYPASS;
        if (strcmp(m->name, "split-data") != 0) {
            int rc = inf_warn(c,
                              "node \"%s\" (%s) was left out: it chooses the training rows, "
                              "while a scoring request is answered for every row it sends",
                              inf_node(c, j)->id, inf_node(c, j)->module_ref);
            if (rc < 0) return rc;
        }
        return inf_visit_input(c, j, (size_t)table_in);
    }
    if (inf_in_list(inf_not_rows, m->name))
        return inf_no_equivalent(c, j,
                                 "its output describes the data instead of carrying the "
                                 "rows to score");
    if (inf_first_port(m->inputs, m->ninputs, MOD_LEARNER) >= 0)
        return inf_no_equivalent(c, j,
                                 "it trains a learner, and a scoring request cannot be "
                                 "trained on");
    if (inf_in_list(inf_scorers, m->name)) {
        c->role[j] = INF_SCORER;
        return inf_visit_inputs(c, j);
    }
    if (m->apply != NULL && transform_out >= 0 && table_in >= 0) {
        c->role[j] = INF_APPLY;
        if ((int)port != table_out)
            return inf_no_equivalent(c, j,
                                     "its output feeding the scoring path is not the one "
                                     "its fitted transformation reproduces");
        int l = inf_add_leaf(c, j, (size_t)transform_out, false);
        if (l < 0) return l;
        return inf_visit_input(c, j, (size_t)table_in);
    }
    if (inf_first_port(m->outputs, m->noutputs, MOD_MODEL) >= 0)
        return inf_no_equivalent(c, j,
                                 "it trains a model, and its table output cannot be "
                                 "computed again on scoring rows");
    c->role[j] = INF_KEEP;
    return inf_visit_inputs(c, j);
}

/* The Score Model to serve, and the path that feeds it. */
static int inf_choose_scorer(inf *c)
{
    const eng_pipeline *p = c->p;
    bool trains = false;
    size_t nscorers = 0;
    wf_buf names = {0};
    for (size_t i = 0; i < p->nnodes; i++) {
        const mod_descriptor *m = p->nodes[i].module;
        if (inf_first_port(m->outputs, m->noutputs, MOD_MODEL) >= 0) trains = true;
        if (!inf_in_list(inf_scorers, m->name)) continue;
        wf_buf_printf(&names, "%s\"%s\"", nscorers ? ", " : "", p->nodes[i].id);
        if (nscorers++ == 0) c->scorer = (int)i;
    }
    int rc = 0;
    if (names.failed) {
        rc = inf_oom(c);
    } else if (!trains) {
        rc = inf_fail(c, "run %lld has no Train Model: it trained no model to serve",
                      (long long)c->run_id);
    } else if (c->opt.score_node != NULL) {
        int s = eng_find_node(p, c->opt.score_node);
        if (s < 0)
            rc = inf_fail(c, "run %lld has no node \"%.100s\"", (long long)c->run_id,
                          c->opt.score_node);
        else if (!inf_in_list(inf_scorers, p->nodes[s].module->name))
            rc = inf_fail(c, "node \"%s\" is %s, not a Score Model", p->nodes[s].id,
                          p->nodes[s].module_ref);
        c->scorer = s;
    } else if (nscorers == 0) {
        rc = inf_fail(c,
                      "run %lld has no Score Model: an inference pipeline serves what Score "
                      "Model computes, so add one after Train Model",
                      (long long)c->run_id);
    } else if (nscorers > 1) {
        rc = inf_fail(c, "run %lld has %zu Score Models (%s): choose the one to serve",
                      (long long)c->run_id, nscorers, names.data);
    }
    wf_buf_free(&names);
    if (rc < 0) return rc;
    c->role[c->scorer] = INF_SCORER;
    if ((rc = inf_visit_inputs(c, (size_t)c->scorer)) < 0) return rc;
    const mod_descriptor *m = inf_module(c, (size_t)c->scorer);
    int k = inf_first_port(m->inputs, m->ninputs, MOD_MODEL);
    inf_end e = k >= 0 ? c->in[c->scorer][k] : (inf_end){-1, -1};
    c->model_leaf = e.node >= 0 ? inf_leaf_index(c, (size_t)e.node, (size_t)e.port) : -1;
    if (c->model_leaf < 0)
        return inf_fail(c, "node \"%s\" is not fed a trained model", inf_node(c, c->scorer)->id);
    return 0;
}

/* ---- where the scoring rows enter -------------------------------------------- */

/* Marks node i and everything upstream of it in *up. */
static void inf_mark_upstream(const inf *c, size_t i, bool *up)
{
    if (up[i]) return;
    up[i] = true;
    for (size_t k = 0; k < inf_module(c, i)->ninputs; k++)
        if (c->in[i][k].node >= 0) inf_mark_upstream(c, (size_t)c->in[i][k].node, up);
}

static int64_t inf_source_rows(inf *c, size_t i)
{
    const char *d = inf_output_digest(c, i, (size_t)c->port_used[i]);
    tbl_table *t = NULL;
    if (d == NULL || st_artifact_load_table(c->ws, d, &t, NULL) < 0) return -1;
    int64_t n = (int64_t)t->nrows;
    tbl_free(t);
    return n;
}

static int inf_choose_input(inf *c)
{
    const eng_pipeline *p = c->p;
    wf_buf all = {0};
    size_t nsources = 0;
    for (size_t i = 0; i < p->nnodes; i++)
        if (c->role[i] == INF_SOURCE)
            wf_buf_printf(&all, "%s\"%s\"", nsources++ ? ", " : "", p->nodes[i].id);
    if (all.failed) {
        wf_buf_free(&all);
        return inf_oom(c);
    }
    int rc = 0;
    c->input = -1;
    if (c->opt.input_node != NULL) {
        int i = eng_find_node(p, c->opt.input_node);
        if (i < 0 || c->role[i] != INF_SOURCE)
            rc = inf_fail(c, "node \"%.100s\" does not start the scoring path (it starts at %s)",
                          c->opt.input_node, nsources ? all.data : "no dataset");
        c->input = i;
        wf_buf_free(&all);
        return rc;
    }
    /* The rows that trained the model are the rows a request looks like. */
    bool *up = wf_calloc(p->nnodes ? p->nnodes : 1, sizeof *up);
    if (up == NULL) {
        wf_buf_free(&all);
        return inf_oom(c);
    }
    inf_mark_upstream(c, c->leaves[c->model_leaf].node, up);
    size_t ncand = 0;
    for (size_t i = 0; i < p->nnodes; i++)
        ncand += c->role[i] == INF_SOURCE && up[i];
    int64_t best_rows = -1;
    for (size_t i = 0; i < p->nnodes; i++) {
        if (c->role[i] != INF_SOURCE || (ncand > 0 && !up[i])) continue;
        int64_t rows = inf_source_rows(c, i);
        if (c->input < 0 || rows > best_rows) {
            c->input = (int)i;
            best_rows = rows;
        }
    }
    free(up);
    size_t considered = ncand > 0 ? ncand : nsources;
    if (c->input < 0)
        rc = inf_fail(c, "node \"%s\": no dataset feeds the scoring path",
                      inf_node(c, c->scorer)->id);
    else if (considered > 1)
        rc = inf_warn(c,
                      "the scoring rows enter at \"%s\", the largest of the datasets that feed "
                      "the scoring path (%s); the others stay as they are",
                      inf_node(c, c->input)->id, all.data);
    wf_buf_free(&all);
    return rc;
}

/* request[i]: node i sees the scoring rows (follows table inputs only:
 * models and transformations are constants). */
static int inf_mark_request(inf *c)
{
    size_t *order = NULL;
    int rc = eng_topological_order(c->p, &order, c->err);
    if (rc < 0) return rc;
    for (size_t n = 0; n < c->p->nnodes; n++) {
        size_t i = order[n];
        const mod_descriptor *m = inf_module(c, i);
        bool req = (int)i == c->input;
        for (size_t k = 0; !req && k < m->ninputs; k++)
            req = m->inputs[k].kind == MOD_TABLE && c->in[i][k].node >= 0 &&
                  c->request[c->in[i][k].node];
        c->request[i] = req;
    }
    free(order);
    return 0;
}

/* ---- the label ----------------------------------------------------------------- */

/* Takes the label out of the "names" of every rule in `rules`; a rule left
 * without names goes. *includes counts the include rules left. */
static int inf_strip_rules(json_t *rules, const char *label, bool include_list, bool *changed,
                           size_t *includes)
{
    for (size_t r = 0; json_is_array(rules) && r < json_array_size(rules);) {
        json_t *rule = json_array_get(rules, r);
        json_t *names = json_object_get(rule, "names");
        for (size_t k = 0; json_is_array(names) && k < json_array_size(names);) {
            const char *name = json_string_value(json_array_get(names, k));
            if (name != NULL && strcmp(name, label) == 0) {
                if (json_array_remove(names, k) < 0) return WF_ENOMEM;
                *changed = true;
            } else {
                k++;
            }
        }
        if (json_is_array(names) && json_array_size(names) == 0) {
            if (json_array_remove(rules, r) < 0) return WF_ENOMEM;
            continue;
        }
        const char *op = json_string_value(json_object_get(rule, "op"));
        if (include_list || (op != NULL && strcmp(op, "include") == 0)) (*includes)++;
        r++;
    }
    return 0;
}

/* Leaves the label out of a column selection (both JSON forms of table.h).
 * *empty: the selection had rules that chose columns, and only the label
 * was among them. */
static int inf_strip_selection(json_t *sel, const char *label, bool *changed, bool *empty)
{
    *changed = *empty = false;
    if (!json_is_object(sel)) return 0;
    json_t *include = json_object_get(sel, "include"), *exclude = json_object_get(sel, "exclude");
    json_t *rules = json_object_get(sel, "rules");
    const char *start = json_string_value(json_object_get(sel, "start"));
    size_t includes = 0, ignored = 0;
    int rc = 0;
    if (rules != NULL) {
        size_t before = json_array_size(rules);
        rc = inf_strip_rules(rules, label, false, changed, &includes);
        *empty =
            *changed && before > 0 && includes == 0 && (start == NULL || strcmp(start, "all") != 0);
        return rc;
    }
    bool had_includes = json_array_size(include) > 0;
    if (rc == 0) rc = inf_strip_rules(include, label, true, changed, &includes);
    if (rc == 0) rc = inf_strip_rules(exclude, label, true, changed, &ignored);
    /* {"include": []} would read as "start from all" with the excludes. */
    *empty = *changed && had_includes && includes == 0;
    return rc;
}

/* The parameters node i (kept, in the request path) is written with: the
 * label taken out of its column selections. An Edit Metadata that edited
 * only the label is left out. */
static int inf_strip_params(inf *c, size_t i)
{
    const eng_node *n = inf_node(c, i);
    const mod_descriptor *m = n->module;
    json_t *params = c->params[i];
    for (size_t k = 0; k < m->nparams; k++) {
        const mod_param *mp = &m->params[k];
        json_t *v = json_object_get(params, mp->name);
        if (v == NULL || !eng__param_visible(mp, params)) continue;
        if (mp->type == MOD_PARAM_COLUMN && json_is_string(v) &&
            strcmp(json_string_value(v), c->label) == 0)
            return inf_fail(c,
                            "node \"%s\" (%s): \"%s\" names the label column \"%s\", which "
                            "scoring requests do not carry",
                            n->id, n->module_ref, mp->name, c->label);
        if (mp->type != MOD_PARAM_COLUMN_SELECTION) continue;
        bool changed, empty;
        if (inf_strip_selection(v, c->label, &changed, &empty) < 0) return inf_oom(c);
        if (!empty) continue;
        if (strcmp(m->name, "edit-metadata") == 0) {
            c->role[i] = INF_BYPASS;
            return inf_warn(c,
                            "node \"%s\" (%s) was left out: it edits only the label column "
                            "\"%s\", which scoring requests do not carry",
                            n->id, n->module_ref, c->label);
        }
        return inf_fail(c,
                        "node \"%s\" (%s): \"%s\" selects only the label column \"%s\", which "
                        "scoring requests do not carry",
                        n->id, n->module_ref, mp->name, c->label);
    }
    return 0;
}

/* Takes the label out of a fitted transformation's columns (and the state
 * entry of each column). *changed says whether it was there. */
static int inf_strip_transform(inf *c, const inf_leaf *leaf, json_t *tr, bool *changed)
{
    *changed = false;
    json_t *cols = json_object_get(tr, "columns");
    size_t at = 0, n = json_array_size(cols);
    for (; at < n; at++) {
        const char *name = json_string_value(json_object_get(json_array_get(cols, at), "name"));
        if (name != NULL && strcmp(name, c->label) == 0) break;
    }
    if (at == n) return 0;
    const char *module = json_string_value(json_object_get(tr, "module"));
    const mod_descriptor *m = module ? mod_find(module) : NULL;
    size_t t = 0, nt = sizeof inf_transform_states / sizeof inf_transform_states[0];
    while (m != NULL && t < nt && strcmp(inf_transform_states[t].module, m->name) != 0)
        t++;
    const char *producer = inf_node(c, leaf->node)->id;
    if (m == NULL || t == nt)
        return inf_fail(c,
                        "node \"%s\": its %s transformation was fitted on the label column "
                        "\"%s\", which scoring requests do not carry, and weft cannot leave it "
                        "out; fit it on the feature columns only",
                        producer, module ? module : "unknown", c->label);
    const char *key = inf_transform_states[t].per_column;
    json_t *per = key ? json_object_get(json_object_get(tr, "state"), key) : NULL;
    if (per != NULL && json_array_size(per) != 0) {
        if (json_array_size(per) != n)
            return wf_error_set(c->err, WF_ECORRUPT,
                                "node \"%s\": its %s transformation is damaged (\"%s\" has %zu "
                                "entries for %zu columns)",
                                producer, module, key, json_array_size(per), n);
        if (json_array_remove(per, at) < 0) return inf_oom(c);
    }
    if (json_array_remove(cols, at) < 0) return inf_oom(c);
    *changed = true;
    return 0;
}

/* The label of the served model, from its artifact: requests do not carry
 * it. NULL for a model without one (clustering). */
static int inf_read_label(inf *c)
{
    inf_leaf *leaf = &c->leaves[c->model_leaf];
    const char *d = inf_output_digest(c, leaf->node, leaf->port);
    if (d == NULL)
        return inf_fail(c, "step \"%s\" has no trained model output", inf_node(c, leaf->node)->id);
    json_t *model = NULL;
    int rc = eng_load_json_artifact(c->ws, d, &model, c->err);
    if (rc < 0) return rc;
    const char *label = json_string_value(json_object_get(json_object_get(model, "label"), "name"));
    if (label != NULL && (c->label = wf_strdup(label)) == NULL) rc = inf_oom(c);
    json_decref(model);
    return rc;
}

/* ---- constants ----------------------------------------------------------------- */

/* Each leaf's artifact, stored again without the label when it is applied
 * to scoring rows. */
static int inf_leaf_artifacts(inf *c)
{
    for (size_t l = 0; l < c->nleaves; l++) {
        inf_leaf *leaf = &c->leaves[l];
        const eng_node *n = inf_node(c, leaf->node);
        const char *port = n->module->outputs[leaf->port].name;
        const char *d = inf_output_digest(c, leaf->node, leaf->port);
        if (d == NULL || !st_artifact_exists(c->ws, d))
            return inf_fail(c, "step \"%s\" of run %lld has no output \"%s\" in the workspace",
                            n->id, (long long)c->run_id, port);
        char source[300];
        snprintf(source, sizeof source, "%.100s (%.100s) of run %lld", n->id, n->module_ref,
                 (long long)c->run_id);
        char digest[WF_SHA256_HEX];
        snprintf(digest, sizeof digest, "%s", d);
        if (leaf->strip && !leaf->model && c->label != NULL) {
            json_t *tr = NULL;
            int rc = eng_load_json_artifact(c->ws, d, &tr, c->err);
            bool changed = false;
            if (rc == 0) rc = inf_strip_transform(c, leaf, tr, &changed);
            char *text = rc == 0 && changed
                             ? json_dumps(tr, JSON_SORT_KEYS | JSON_COMPACT | JSON_ENCODE_ANY)
                             : NULL;
            json_decref(tr);
            if (rc == 0 && changed && text == NULL) rc = inf_oom(c);
            if (rc == 0 && changed) rc = st_artifact_put(c->ws, text, strlen(text), digest, c->err);
            free(text);
            if (rc < 0) return rc;
            if (changed) {
                size_t len = strlen(source);
                snprintf(source + len, sizeof source - len, ", without the label \"%.80s\"",
                         c->label);
            }
        }
        if ((leaf->digest = wf_strdup(digest)) == NULL ||
            (leaf->source = wf_strdup(source)) == NULL)
            return inf_oom(c);
    }
    return 0;
}

/* Which leaves are applied to scoring rows. */
static void inf_mark_strips(inf *c)
{
    for (size_t i = 0; i < c->p->nnodes; i++) {
        const mod_descriptor *m = inf_module(c, i);
        if (c->role[i] == INF_APPLY) {
            int tp = inf_first_port(m->outputs, m->noutputs, MOD_TRANSFORM);
            c->leaves[inf_leaf_index(c, i, (size_t)tp)].strip |= c->request[i];
        }
        if (c->role[i] != INF_KEEP && c->role[i] != INF_SCORER) continue;
        for (size_t k = 0; k < m->ninputs; k++) {
            inf_end e = c->in[i][k];
            int l = e.node >= 0 ? inf_leaf_index(c, (size_t)e.node, (size_t)e.port) : -1;
            if (l >= 0) c->leaves[l].strip |= c->request[i];
        }
    }
}

/* The request schema: the columns of the rows where they enter, less the
 * label. */
static int inf_build_schema(inf *c)
{
    const char *d = inf_output_digest(c, (size_t)c->input, (size_t)c->port_used[c->input]);
    tbl_table *t = NULL;
    if (d == NULL) return inf_fail(c, "step \"%s\" has no output", inf_node(c, c->input)->id);
    int rc = st_artifact_load_table(c->ws, d, &t, c->err);
    if (rc < 0) return rc;
    json_t *cols = json_array();
    bool label_seen = false;
    for (size_t j = 0; cols != NULL && j < t->ncols; j++) {
        const tbl_column *col = &t->cols[j];
        if (c->label != NULL && strcmp(col->name, c->label) == 0) {
            label_seen = true;
            continue;
        }
        json_t *o = json_pack("{s:s, s:s}", "name", col->name, "type", tbl_type_name(col->type));
        if (o != NULL && col->type == TBL_CATEGORICAL) {
            json_t *levels = json_array();
            for (size_t v = 0; levels != NULL && v < col->levels.count; v++) {
                size_t len;
                const char *s = tbl_strings_at(&col->levels, v, &len);
                if (json_array_append_new(levels, json_stringn(s, len)) < 0) {
                    json_decref(levels);
                    levels = NULL;
                }
            }
            if (levels == NULL || json_object_set_new(o, "levels", levels) < 0) {
                json_decref(o);
                o = NULL;
            }
        }
        if (o == NULL || json_array_append_new(cols, o) < 0) {
            json_decref(cols);
            cols = NULL;
        }
    }
    size_t ncols = t->ncols;
    tbl_free(t);
    if (cols == NULL || (c->schema = json_pack("{s:o}", "columns", cols)) == NULL)
        return inf_oom(c);
    if (c->label != NULL && !label_seen) {
        rc = inf_warn(c,
                      "the label \"%s\" is not a column of \"%s\", where the scoring rows enter: "
                      "requests carry all of its %zu columns",
                      c->label, inf_node(c, c->input)->id, ncols);
        if (rc < 0) return rc;
    }
    if (json_array_size(cols) == 0)
        return inf_fail(c, "the scoring rows enter at \"%s\", which has no column but the label",
                        inf_node(c, c->input)->id);
    return 0;
}

/* ---- the new document ------------------------------------------------------------ */

/* A node id not taken yet: base, else base-2, base-3... (ids are at most
 * 100 characters). Records it as taken. */
static char *inf_new_id(inf *c, const char *base)
{
    char id[128];
    snprintf(id, sizeof id, "%.90s", base);
    for (int n = 2; json_object_get(c->taken, id) != NULL; n++)
        snprintf(id, sizeof id, "%.90s-%d", base, n);
    if (json_object_set_new(c->taken, id, json_true()) < 0) return NULL;
    return wf_strdup(id);
}

static int inf_assign_ids(inf *c)
{
    for (size_t i = 0; i < c->p->nnodes; i++)
        if (c->role[i] != INF_UNUSED && c->role[i] != INF_BYPASS &&
            json_object_set_new(c->taken, inf_node(c, i)->id, json_true()) < 0)
            return inf_oom(c);
    for (size_t l = 0; l < c->nleaves; l++) {
        inf_leaf *leaf = &c->leaves[l];
        const char *id = inf_node(c, leaf->node)->id;
        char base[128];
        /* A producer needed only for this constant gives it its id. */
        if (c->role[leaf->node] == INF_UNUSED)
            snprintf(base, sizeof base, "%s", id);
        else
            snprintf(base, sizeof base, "%.90s-%s", id, leaf->model ? "model" : "transform");
        if ((leaf->id = inf_new_id(c, base)) == NULL) return inf_oom(c);
    }
    return 0;
}

/* "node.port" feeding input k of node i in the new document: through the
 * nodes left out, to a constant, to Web Service Input, or to the node. */
static int inf_edge_from(inf *c, size_t i, size_t k, char *out, size_t cap)
{
    inf_end e = c->in[i][k];
    while (e.node >= 0 && c->role[e.node] == INF_BYPASS) {
        const mod_descriptor *m = inf_module(c, (size_t)e.node);
        e = c->in[e.node][inf_first_port(m->inputs, m->ninputs, MOD_TABLE)];
    }
    if (e.node < 0) return 0;
    int l = inf_leaf_index(c, (size_t)e.node, (size_t)e.port);
    const mod_descriptor *m = inf_module(c, (size_t)e.node);
    if (l >= 0)
        snprintf(out, cap, "%s.%s", c->leaves[l].id,
                 c->leaves[l].model ? "trained_model" : "transformation");
    else if (e.node == c->input && c->opt.kind == ENG_INFERENCE_REALTIME)
        snprintf(out, cap, "web-service-input.dataset");
    else if (c->role[e.node] == INF_APPLY)
        snprintf(out, cap, "%s.dataset", inf_node(c, e.node)->id);
    else
        snprintf(out, cap, "%s.%s", inf_node(c, e.node)->id, m->outputs[e.port].name);
    return 1;
}

static int inf_add_edge(json_t *edges, const char *from, const char *to_node, const char *to_port)
{
    char to[256];
    snprintf(to, sizeof to, "%s.%s", to_node, to_port);
    return json_array_append_new(edges, json_pack("{s:s, s:s}", "from", from, "to", to));
}

/* Copies the layout position of `from` (an old id) to `to`, moved by
 * (dx, dy). Nothing when the old layout has none. */
static int inf_place(const inf *c, json_t *layout, const char *from, const char *to, double dx,
                     double dy)
{
    const json_t *pos = c->p->layout ? json_object_get(c->p->layout, from) : NULL;
    const json_t *x = json_object_get(pos, "x"), *y = json_object_get(pos, "y");
    if (!json_is_number(x) || !json_is_number(y)) return 0;
    json_t *moved =
        json_pack("{s:f, s:f}", "x", json_number_value(x) + dx, "y", json_number_value(y) + dy);
    return json_object_set_new(layout, to, moved);
}

static json_t *inf_leaf_node(const inf_leaf *leaf)
{
    return json_pack("{s:s, s:s, s:{s:s, s:s}}", "id", leaf->id, "module",
                     leaf->model ? "trained-model@1" : "fitted-transform@1", "params", "artifact",
                     leaf->digest, "source", leaf->source);
}

/* The input node's parameters in a batch pipeline: the dataset to score
 * is the pipeline parameter. */
static int inf_batch_input(inf *c, json_t *doc)
{
    const eng_node *n = inf_node(c, c->input);
    if (strcmp(n->module->name, "dataset") != 0)
        return inf_fail(c,
                        "a batch pipeline scores a registered dataset, but the scoring rows come "
                        "from node \"%s\" (%s)",
                        n->id, n->module_ref);
    const char *name = json_string_value(json_object_get(c->params[c->input], "dataset"));
    if (name == NULL) return inf_fail(c, "node \"%s\" names no dataset", n->id);
    char out_name[128];
    snprintf(out_name, sizeof out_name, "%.90s-scored", name);
    json_t *params =
        json_pack("{s:{s:s, s:s}, s:{s:s, s:s}}", "input_dataset", "type", "dataset", "default",
                  name, "output_dataset", "type", "string", "default", out_name);
    json_t *node =
        json_pack("{s:{s:s}, s:s}", "dataset", "$param", "input_dataset", "version", "latest");
    if (params == NULL || node == NULL || json_object_set_new(doc, "parameters", params) < 0) {
        json_decref(node);
        return inf_oom(c);
    }
    json_decref(c->params[c->input]);
    c->params[c->input] = node;
    return 0;
}

static int inf_build_doc(inf *c, json_t **out)
{
    *out = NULL;
    bool realtime = c->opt.kind == ENG_INFERENCE_REALTIME;
    const char *name = c->p->name && c->p->name[0] ? c->p->name : "pipeline";
    char title[300], description[400];
    snprintf(title, sizeof title, "%.180s (%s inference)", name, realtime ? "real-time" : "batch");
    snprintf(description, sizeof description,
             "Made from run %lld of \"%.200s\" by Create inference pipeline.", (long long)c->run_id,
             name);
    json_t *doc = json_pack("{s:s, s:s, s:s, s:{}}", "format", ENG_PIPELINE_FORMAT, "name", title,
                            "description", description, "parameters");
    json_t *nodes = json_array(), *edges = json_array(), *layout = json_object();
    int rc = doc && nodes && edges && layout ? 0 : inf_oom(c);
    if (rc == 0 && !realtime) rc = inf_batch_input(c, doc);
    const char *sink = realtime ? "web-service-output" : "export-scores";
    const char *scorer_id = inf_node(c, c->scorer)->id;
    const mod_descriptor *sm = inf_module(c, c->scorer);
    char from[256];
    bool bad = rc < 0;
    for (size_t i = 0; !bad && i < c->p->nnodes; i++) {
        const eng_node *n = inf_node(c, i);
        int role = c->role[i];
        /* The constants this node makes, first (so they sit before their use). */
        for (size_t l = 0; !bad && l < c->nleaves; l++) {
            if (c->leaves[l].node != i) continue;
            bad |= json_array_append_new(nodes, inf_leaf_node(&c->leaves[l])) < 0;
            bad |= inf_place(c, layout, n->id, c->leaves[l].id,
                             strcmp(c->leaves[l].id, n->id) == 0 ? 0 : -260, 0) < 0;
        }
        if (role == INF_UNUSED || role == INF_BYPASS) continue;
        if (role == INF_APPLY) {
            bad |= json_array_append_new(nodes, json_pack("{s:s, s:s, s:{}}", "id", n->id, "module",
                                                          "apply-transformation@1", "params")) < 0;
            int tp = inf_first_port(n->module->outputs, n->module->noutputs, MOD_TRANSFORM);
            int ti = inf_first_port(n->module->inputs, n->module->ninputs, MOD_TABLE);
            snprintf(from, sizeof from, "%s.transformation",
                     c->leaves[inf_leaf_index(c, i, (size_t)tp)].id);
            bad |= inf_add_edge(edges, from, n->id, "transform") < 0;
            if (inf_edge_from(c, i, (size_t)ti, from, sizeof from) > 0)
                bad |= inf_add_edge(edges, from, n->id, "dataset") < 0;
        } else {
            bad |=
                json_array_append_new(nodes, json_pack("{s:s, s:s, s:O}", "id", n->id, "module",
                                                       n->module_ref, "params", c->params[i])) < 0;
            for (size_t k = 0; !bad && k < n->module->ninputs; k++)
                if (inf_edge_from(c, i, k, from, sizeof from) > 0)
                    bad |= inf_add_edge(edges, from, n->id, n->module->inputs[k].name) < 0;
        }
        bad |= inf_place(c, layout, n->id, n->id, 0, 0) < 0;
        if ((int)i == c->input && realtime) {
            char *schema = json_dumps(c->schema, JSON_COMPACT);
            bad |= schema == NULL ||
                   json_array_append_new(
                       nodes, json_pack("{s:s, s:s, s:{s:s}}", "id", "web-service-input", "module",
                                        "web-service-input@1", "params", "schema", schema)) < 0;
            free(schema);
            snprintf(from, sizeof from, "%s.%s", n->id, n->module->outputs[c->port_used[i]].name);
            bad |= inf_add_edge(edges, from, "web-service-input", "dataset") < 0;
            bad |= inf_place(c, layout, n->id, "web-service-input", 260, 0) < 0;
        }
    }
    if (!bad) {
        /* The sink after the served Score Model. */
        json_t *sink_node = realtime ? json_pack("{s:s, s:s, s:{}}", "id", sink, "module",
                                                 "web-service-output@1", "params")
                                     : json_pack("{s:s, s:s, s:{s:s, s:{s:s}, s:s}}", "id", sink,
                                                 "module", "export-data@1", "params", "destination",
                                                 "dataset", "dataset_name", "$param",
                                                 "output_dataset", "description", description);
        snprintf(from, sizeof from, "%s.%s", scorer_id,
                 sm->outputs[inf_first_port(sm->outputs, sm->noutputs, MOD_TABLE)].name);
        bad = json_array_append_new(nodes, sink_node) < 0 ||
              inf_add_edge(edges, from, sink, "dataset") < 0 ||
              inf_place(c, layout, scorer_id, sink, 0, 110) < 0;
    }
    if (rc == 0 && bad) rc = inf_oom(c);
    if (rc == 0 &&
        (json_object_set(doc, "nodes", nodes) < 0 || json_object_set(doc, "edges", edges) < 0 ||
         json_object_set(doc, "layout", layout) < 0))
        rc = inf_oom(c);
    json_decref(nodes);
    json_decref(edges);
    json_decref(layout);
    if (rc < 0) {
        json_decref(doc);
        return rc;
    }
    *out = doc;
    return 0;
}

/* ---- checking it ------------------------------------------------------------------ */

/* Parses and validates doc; a problem fails with `what` and the first
 * issues. *p (may be NULL) gets the parsed pipeline. */
static int inf_validate(inf *c, const json_t *doc, const char *what, eng_pipeline **p)
{
    char *text = json_dumps(doc, JSON_COMPACT);
    if (text == NULL) return inf_oom(c);
    eng_pipeline *pl = NULL;
    int rc = eng_pipeline_parse(text, strlen(text), &pl, c->err);
    free(text);
    eng_issues issues = {0};
    eng_env env = {
        .load_dataset = eng__load_dataset, .load_artifact = eng_load_json_artifact, .user = c->ws};
    if (rc == 0) rc = eng_pipeline_validate(pl, NULL, &env, &issues, c->err);
    if (rc == 0 && issues.count > 0) {
        wf_buf b = {0};
        for (size_t k = 0; k < issues.count && k < 3; k++)
            wf_buf_printf(&b, "%s%s%s%s: %s", k ? "; " : "", issues.items[k].node,
                          issues.items[k].field[0] ? "." : "", issues.items[k].field,
                          issues.items[k].message);
        if (issues.count > 3) wf_buf_printf(&b, "; and %zu more", issues.count - 3);
        rc = b.failed ? inf_oom(c) : inf_fail(c, "%s: %s", what, b.data);
        wf_buf_free(&b);
    }
    eng_issues_clear(&issues);
    if (rc == 0 && p != NULL)
        *p = pl;
    else
        eng_pipeline_free(pl);
    return rc;
}

/* Validates doc as it is, and (real-time) as a request feeds it: Web
 * Service Input with nothing connected, so its schema (without the label)
 * flows down the path. Returns the canonical document. */
static int inf_check(inf *c, json_t *doc, json_t **out)
{
    *out = NULL;
    eng_pipeline *p = NULL;
    int rc = inf_validate(c, doc, "the inference pipeline would not be valid", &p);
    if (rc == 0 && c->opt.kind == ENG_INFERENCE_REALTIME) {
        json_t *req = json_deep_copy(doc);
        json_t *edges = json_object_get(req, "edges");
        for (size_t e = 0; e < json_array_size(edges); e++) {
            const char *to = json_string_value(json_object_get(json_array_get(edges, e), "to"));
            if (to != NULL && strcmp(to, "web-service-input.dataset") == 0) {
                json_array_remove(edges, e);
                break;
            }
        }
        char what[200];
        snprintf(what, sizeof what, "scoring requests (without the label%s%.80s%s) would fail",
                 c->label ? " \"" : "", c->label ? c->label : "", c->label ? "\"" : "");
        rc = req != NULL ? inf_validate(c, req, what, NULL) : inf_oom(c);
        json_decref(req);
    }
    if (rc == 0 && (*out = eng_pipeline_canonical(p)) == NULL) rc = inf_oom(c);
    eng_pipeline_free(p);
    return rc;
}

/* ---- the entry point --------------------------------------------------------------- */

static void inf_clear(inf *c)
{
    for (size_t i = 0; c->p != NULL && i < c->p->nnodes; i++) {
        if (c->in != NULL) free(c->in[i]);
        if (c->params != NULL) json_decref(c->params[i]);
    }
    free(c->in);
    free(c->params);
    free(c->role);
    free(c->port_used);
    free(c->request);
    for (size_t l = 0; l < c->nleaves; l++) {
        free(c->leaves[l].id);
        free(c->leaves[l].digest);
        free(c->leaves[l].source);
    }
    free(c->leaves);
    free(c->label);
    json_decref(c->schema);
    json_decref(c->taken);
    json_decref(c->outputs);
    json_decref(c->warnings);
    eng_pipeline_free(c->p);
}

/* The steps of the conversion, in order. */
static int inf_convert(inf *c)
{
    int rc = inf_load_run(c);
    if (rc == 0) rc = inf_wire(c);
    if (rc == 0) rc = inf_choose_scorer(c);
    if (rc == 0) rc = inf_read_label(c);
    if (rc == 0) rc = inf_choose_input(c);
    if (rc == 0) rc = inf_mark_request(c);
    for (size_t i = 0; rc == 0 && i < c->p->nnodes; i++) {
        if (c->role[i] != INF_KEEP && c->role[i] != INF_SCORER && c->role[i] != INF_SOURCE)
            continue;
        if ((c->params[i] = json_deep_copy(c->p->nodes[i].params)) == NULL) rc = inf_oom(c);
        if (rc == 0 && c->request[i] && c->label != NULL && c->role[i] != INF_SOURCE)
            rc = inf_strip_params(c, i);
        if (rc == 0 && c->request[i] && c->role[i] == INF_KEEP &&
            strcmp(inf_module(c, i)->name, "execute-python-script") == 0)
            rc = inf_warn(c,
                          "node \"%s\" (%s) runs Python on every request: an endpoint serving "
                          "this pipeline cannot use its fast path",
                          inf_node(c, i)->id, inf_node(c, i)->module_ref);
    }
    if (rc == 0) inf_mark_strips(c);
    if (rc == 0) rc = inf_leaf_artifacts(c);
    if (rc == 0) rc = inf_build_schema(c);
    if (rc == 0) rc = inf_assign_ids(c);
    return rc;
}

int eng_inference_pipeline(st_workspace *ws, int64_t run_id, const eng_inference_options *opt,
                           json_t **doc, json_t **warnings, wf_error *err)
{
    if (doc != NULL) *doc = NULL;
    if (warnings != NULL) *warnings = NULL;
    if (ws == NULL || opt == NULL || doc == NULL)
        return wf_error_set(err, WF_EINVAL, "eng_inference_pipeline: missing argument");
    if (opt->kind != ENG_INFERENCE_REALTIME && opt->kind != ENG_INFERENCE_BATCH)
        return wf_error_set(err, WF_EINVAL, "the kind is real-time or batch");
    inf c = {.ws = ws, .run_id = run_id, .opt = *opt, .err = err, .scorer = -1, .input = -1};
    c.warnings = json_array();
    c.taken = json_object();
    int rc = c.warnings && c.taken ? inf_convert(&c) : inf_oom(&c);
    json_t *built = NULL;
    if (rc == 0) rc = inf_build_doc(&c, &built);
    if (rc == 0) rc = inf_check(&c, built, doc);
    json_decref(built);
    if (rc == 0 && warnings != NULL) *warnings = json_incref(c.warnings);
    inf_clear(&c);
    return rc;
}
