/*
 * engine: pipeline documents (parse, validate, canonicalise, propagate
 * schemas), the planner (topological order, cache keys), the local executor
 * (one child process per step, through `weft step`) and run events. It never
 * speaks HTTP.
 *
 *     wf_error err = {0};
 *     eng_pipeline *p = NULL;
 *     if (eng_pipeline_parse(text, len, &p, &err) < 0) { ...err.message... }
 *     eng_issues issues = {0};
 *     eng_pipeline_validate(p, NULL, &ctx, &issues, &err);   // per node, per field
 *     for (size_t i = 0; i < issues.count; i++)
 *         printf("%s.%s: %s\n", issues.items[i].node, issues.items[i].field,
 *                issues.items[i].message);
 *     eng_run_options opt = {.jobs = 2};
 *     int64_t run_id;
 *     eng_run(ws, p, &opt, &run_id, &err);   // blocks; events go to opt.on_event
 *
 * Ownership: eng_pipeline_free frees a pipeline; eng_issues_clear the
 * issues. JSON values handed in are borrowed unless a function says it takes
 * a reference.
 */
#ifndef WEFT_ENGINE_H
#define WEFT_ENGINE_H

#include "modules/modules.h"
#include "store/store.h"

struct json_t;

/* ---- pipeline documents (DESIGN.md section 4) -------------------------- */

#define ENG_PIPELINE_FORMAT "weft.pipeline/1"

typedef struct eng_node {
    char *id;
    char *module_ref;             /* as written: "split-data@1" */
    const mod_descriptor *module; /* NULL when the module is unknown */
    struct json_t *params;        /* as written (object; may hold {"$param": name}) */
    bool regenerate;              /* "regenerate": true: never reuse cached outputs */
} eng_node;

typedef struct eng_edge {
    char *from_node, *from_port; /* "from": "node.port" */
    char *to_node, *to_port;     /* "to": "node.port" */
} eng_edge;

typedef struct eng_pipeline_param {
    char *name;
    char *type;                   /* "number", "int", "string", "bool", "dataset", ... */
    struct json_t *default_value; /* may be NULL */
} eng_pipeline_param;

typedef struct eng_pipeline {
    char *name;
    char *description;
    eng_node *nodes;
    size_t nnodes;
    eng_edge *edges;
    size_t nedges;
    eng_pipeline_param *params;
    size_t nparams;
    struct json_t *layout; /* {"node": {"x":..,"y":..}}, kept as is; may be NULL */
} eng_pipeline;

/* Parses a pipeline document. Only the document's shape is checked here (JSON
 * syntax with line and column, "format", field types, unique node ids,
 * "node.port" edge ends); everything else is validation. */
int eng_pipeline_parse(const char *text, size_t len, eng_pipeline **out, wf_error *err);
int eng_pipeline_load_file(const char *path, eng_pipeline **out, wf_error *err);
void eng_pipeline_free(eng_pipeline *p);                  /* accepts NULL */
int eng_find_node(const eng_pipeline *p, const char *id); /* index or -1 */

/* The canonical document: keys in a stable order, every module parameter
 * present with its default filled in, nodes and edges as written. Two
 * documents that mean the same give the same text. A new reference. */
struct json_t *eng_pipeline_canonical(const eng_pipeline *p);

/* One validation problem, for people and for the canvas. */
typedef struct eng_issue {
    char *node;  /* node id, or "" for the pipeline as a whole */
    char *field; /* parameter or port name, or "" */
    char *message;
} eng_issue;

typedef struct eng_issues {
    eng_issue *items;
    size_t count, cap;
} eng_issues;

void eng_issues_clear(eng_issues *issues);

/* What validation and schema propagation may look up outside the document. */
typedef struct eng_env {
    mod_dataset_loader load_dataset; /* may be NULL: dataset schemas unknown */
    void *user;
} eng_env;

/* Validates p with the given parameter bindings ({"name": value}; may be
 * NULL): every rule of DESIGN.md section 4, then schema propagation and the
 * column selections against the propagated schemas. Problems go to *issues
 * (the pipeline is valid when issues->count == 0); the return value is
 * negative only when validation itself could not run (OOM). */
int eng_pipeline_validate(const eng_pipeline *p, const struct json_t *bindings, const eng_env *env,
                          eng_issues *issues, wf_error *err);

/* The parameters of node i with defaults filled and {"$param": name}
 * replaced by the bound value (or the pipeline parameter's default). A new
 * reference, or NULL with err set when a $param does not resolve. */
struct json_t *eng_node_params(const eng_pipeline *p, size_t i, const struct json_t *bindings,
                               wf_error *err);

/* Nodes in a topological order (order[k] is a node index). Fails with
 * WF_EINVAL naming a node on the cycle. Caller frees *order. */
int eng_topological_order(const eng_pipeline *p, size_t **order, wf_error *err);

/* Output schemas of every node without running (configure, in topological
 * order). schemas[i][k] is node i's output port k as a zero-row table, or
 * NULL when unknown; schemas[i] itself is NULL for a node whose module is
 * unknown. Free with eng_schemas_free. */
int eng_propagate_schemas(const eng_pipeline *p, const struct json_t *bindings, const eng_env *env,
                          tbl_table ****schemas, eng_issues *issues, wf_error *err);
void eng_schemas_free(const eng_pipeline *p, tbl_table ***schemas);

/* ---- runs -------------------------------------------------------------- */

typedef enum eng_status {
    ENG_QUEUED = 0,
    ENG_RUNNING,
    ENG_COMPLETED,
    ENG_REUSED,
    ENG_FAILED,
    ENG_CANCELED,
    ENG_SKIPPED,
} eng_status;

const char *eng_status_name(eng_status s); /* "queued", "running", ... */

typedef enum eng_event_kind {
    ENG_EVENT_RUN,      /* the run's status changed */
    ENG_EVENT_STEP,     /* a step's status changed */
    ENG_EVENT_LOG,      /* a step wrote a log line */
    ENG_EVENT_PROGRESS, /* a step reported progress */
} eng_event_kind;

typedef struct eng_event {
    eng_event_kind kind;
    int64_t run_id;
    const char *node;    /* NULL for run events */
    eng_status status;   /* RUN and STEP */
    const char *message; /* LOG: the line; STEP failed: the reason; else NULL */
    double progress;     /* PROGRESS: 0..1 */
} eng_event;

typedef void (*eng_event_fn)(void *user, const eng_event *event);

typedef struct eng_run_options {
    const char *experiment;        /* NULL: "Default" */
    const struct json_t *bindings; /* pipeline parameter values; may be NULL */
    int jobs;                      /* steps at once; 0: the number of cores */
    bool no_cache;
    double time_limit_s;     /* per step; 0: the default (3600 s) */
    size_t memory_limit_mb;  /* per step; 0: the default (half of RAM) */
    const char *weft_binary; /* the `weft` to run steps with; NULL: this one */
    eng_event_fn on_event;   /* may be NULL */
    void *user;
    volatile sig_atomic_t *cancel; /* set to cancel the run; may be NULL */
} eng_run_options;

/* Validates, snapshots and runs p in workspace ws, recording the run, its
 * steps and their outputs. Blocks until every step has ended. *run_id is set
 * as soon as the run exists. Returns 0 when the run completed, WF_EINVAL
 * (with the validation messages) when it could not start, or another code
 * when it failed (the run and steps say why). */
int eng_run(st_workspace *ws, const eng_pipeline *p, const eng_run_options *opt, int64_t *run_id,
            wf_error *err);

/* The `weft step` entry point: runs one step in this process, as the local
 * and Slurm executors call it. Returns the exit status. */
int eng_step_main(int argc, char **argv);

/* ---- run events: an in-process channel --------------------------------- */

/* A publish/subscribe channel for run events: eng_run publishes into it
 * (opt.on_event = eng_bus_publish, opt.user = bus) and the server's SSE
 * streams subscribe. Thread-safe. Subscribers are called on the publishing
 * thread, one event at a time and in publication order; they must not
 * block. A subscriber may unsubscribe itself from inside its callback. */
typedef struct eng_bus eng_bus;

eng_bus *eng_bus_new(void);      /* NULL on OOM */
void eng_bus_free(eng_bus *bus); /* accepts NULL; no publish may be running */
/* Calls fn(user, event) for every event published from now on about run_id
 * (0: about every run). *id (may be NULL) names the subscription. 0 or
 * WF_ENOMEM. */
int eng_bus_subscribe(eng_bus *bus, int64_t run_id, eng_event_fn fn, void *user, uint64_t *id);
/* Ends a subscription. Once it returns (on another thread than a callback),
 * the callback is not running and is never called again. */
void eng_bus_unsubscribe(eng_bus *bus, uint64_t id);
/* An eng_event_fn whose user is the bus. */
void eng_bus_publish(void *bus, const eng_event *event);

/* ---- planning ---------------------------------------------------------- */

/* The step key (DESIGN.md section 5): the hex SHA-256 over the module's
 * "name@version", its resolved parameters as canonical JSON (sorted keys,
 * compact) and the digests of its inputs in port order (NULL for an
 * unconnected port), then, for a node that reads a registered dataset, the
 * digest of the version it resolved to (else NULL). Each part is framed with
 * its length, so no two different lists of parts hash the same bytes. */
int eng_step_key(const char *module_ref, const struct json_t *params,
                 const char *const *input_digests, size_t ninputs, const char *dataset_digest,
                 char key[WF_SHA256_HEX], wf_error *err);

/* ---- inference pipelines (#10; inference.c) ------------------------------ */

/* ---- scoring plans for real-time endpoints (#10; scoring.c) -------------- */

/* ---- executors: Slurm (#12; slurm.c) ------------------------------------- */

#endif
