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
    struct json_t *compute;       /* "compute": where the node runs (#12), or NULL */
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
    mod_dataset_loader load_dataset;   /* may be NULL: dataset schemas unknown */
    mod_artifact_loader load_artifact; /* may be NULL: artifacts are not checked */
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
    const char *compute;           /* the compute target (#12); NULL: "local" */
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

/* "Create inference pipeline" (DESIGN.md section 6; the rules are in
 * docs/formats.md, "Inference pipelines"): from a completed training run,
 * a new pipeline document that serves the run's trained model.
 *
 *     eng_inference_options o = {.kind = ENG_INFERENCE_REALTIME};
 *     json_t *doc = NULL, *warnings = NULL;
 *     if (eng_inference_pipeline(ws, 12, &o, &doc, &warnings, &err) < 0)
 *         ...err.message says why the run cannot be served...
 *
 * The scoring path is what feeds the chosen Score Model's `dataset` port.
 * Train Model becomes trained-model@1 holding its output's digest; each
 * module that fitted a transformation becomes apply-transformation@1 fed by
 * fitted-transform@1; Split Data, Evaluate Model and everything that only
 * fed them go; web-service-input@1 (real-time) stands where the scoring
 * rows entered, still connected to that dataset so the document runs as it
 * is, and web-service-output@1 follows Score Model. A batch pipeline reads
 * the dataset named by its `input_dataset` parameter and registers the
 * scores as a new version of the `output_dataset` parameter's dataset
 * (export-data@1).
 *
 * Requests carry no label: selections in the request path that name the
 * label column leave it out, and a fitted transformation fitted on it is
 * stored again without it (a new artifact, so the conversion writes to the
 * workspace's artifact store). */
typedef enum eng_inference_kind {
    ENG_INFERENCE_REALTIME = 0,
    ENG_INFERENCE_BATCH = 1,
} eng_inference_kind;

typedef struct eng_inference_options {
    eng_inference_kind kind;
    const char *score_node; /* the Score Model to serve; NULL: the run's only one */
    const char *input_node; /* where the scoring rows enter; NULL: chosen (docs/formats.md) */
} eng_inference_options;

/* *doc gets the document (canonical form, a new reference) and *warnings a
 * new JSON array of strings for people (an Execute Python Script in the
 * request path, a module dropped, a choice made). Fails with WF_ENOTFOUND
 * when there is no such run, WF_EINVAL with the reason when the run cannot
 * be converted (not completed, no Train Model, no or several Score Models,
 * a module without an inference equivalent, naming node and module). */
int eng_inference_pipeline(st_workspace *ws, int64_t run_id, const eng_inference_options *opt,
                           struct json_t **doc, struct json_t **warnings, wf_error *err);

/* Reads the JSON artifact `digest` of workspace ws (a st_workspace *): a
 * mod_artifact_loader for eng_env and module contexts. A string that is not
 * a digest is WF_EINVAL; an artifact that is not there, WF_ENOTFOUND naming
 * the digest; one that is not JSON, WF_ECORRUPT. (step.c) */
int eng_load_json_artifact(void *ws, const char *digest, struct json_t **out, wf_error *err);

/* ---- scoring plans for real-time endpoints (#10; scoring.c) -------------- */

/* A real-time inference pipeline compiled once for many requests (DESIGN.md
 * section 6): every node that does not depend on Web Service Input is a
 * constant, computed at compile; the nodes between Web Service Input and
 * Web Service Output run per request, in-process, on in-memory tables. A
 * plan is immutable: any number of threads may score with it at once.
 *
 *     eng_env env = {.load_dataset = ..., .load_artifact = ..., .user = ws};
 *     eng_scoring_plan *plan = NULL;
 *     if (eng_scoring_compile(p, &env, &plan, &err) < 0) ...;     // at deploy
 *     const eng_json *body = NULL;
 *     eng_json_parse(text, len, arena, &body, &err);
 *     eng_scoring_rows rows = {.shape = ENG_ROWS_RECORDS,
 *                              .records = eng_json_get(body, "rows")};
 *     tbl_table *in = NULL;
 *     eng_scoring_rows_table(plan, &rows, &in, &err);              // 400: err says where
 *     eng_scoring_result *res = NULL;
 *     eng_scoring_run(plan, in, &res, &err);
 *     tbl_write_json(eng_scoring_output(res), &buf, &err);
 *     eng_scoring_result_free(res);
 *     tbl_free(in);
 *     eng_scoring_plan_free(plan);
 */
typedef struct eng_scoring_plan eng_scoring_plan;
typedef struct eng_scoring_result eng_scoring_result;

/* Compiles p: finds its one Web Service Input and Output, validates the
 * nodes they need, reads the input schema from Web Service Input's `schema`
 * parameter, runs the constants, prepares the request path and tries it
 * once on zero rows. Constants read datasets and artifacts (trained-model@1,
 * fitted-transform@1) through env (may be NULL). Fails (WF_EINVAL, or the
 * code of what failed) saying which node and why. p and env are not needed
 * afterwards. */
int eng_scoring_compile(const eng_pipeline *p, const eng_env *env, eng_scoring_plan **out,
                        wf_error *err);
void eng_scoring_plan_free(eng_scoring_plan *plan); /* accepts NULL */

/* A request's JSON, read in one pass into an arena (scoring_json.c): no
 * allocation per value, freed with the arena. Arrays and objects hold
 * their elements in order; a string is s[0..n) (not NUL-terminated; it may
 * point into the text, which must then outlive the values); a number is
 * its text s[0..n), converted when a column asks for it. */
typedef enum eng_json_kind {
    ENG_JSON_NULL,
    ENG_JSON_FALSE,
    ENG_JSON_TRUE,
    ENG_JSON_NUMBER,
    ENG_JSON_STRING,
    ENG_JSON_ARRAY,
    ENG_JSON_OBJECT,
} eng_json_kind;

typedef struct eng_json_member eng_json_member;

typedef struct eng_json {
    eng_json_kind kind;
    uint32_t n; /* bytes of a string or number; elements of an array or object */
    union {
        const char *s;                  /* string, number */
        const struct eng_json *items;   /* array */
        const eng_json_member *members; /* object, in the text's order */
    };
} eng_json;

struct eng_json_member {
    const char *key;
    uint32_t key_len;
    eng_json value;
};

/* Parses text (UTF-8 JSON, RFC 8259, nested at most 64 deep) into values
 * from arena. A mistake is WF_EPARSE with its line and column. */
int eng_json_parse(const char *text, size_t len, wf_arena *arena, const eng_json **out,
                   wf_error *err);
/* The value of `key` in object (the first, if repeated), or NULL when
 * there is none or object is not an object. */
const eng_json *eng_json_get(const eng_json *object, const char *key);
/* Element i of array, or NULL. */
const eng_json *eng_json_at(const eng_json *array, size_t i);

/* The rows of a request, in one of the three shapes the protocols use.
 * Values are converted to the input schema's types. */
typedef enum eng_rows_shape {
    ENG_ROWS_RECORDS, /* records: [{"column": value, ...}, ...] */
    ENG_ROWS_SPLIT,   /* columns: ["column", ...] and data: [[value, ...], ...] */
    ENG_ROWS_COLUMNS, /* by_column: {"column": [value, ...], ...} */
} eng_rows_shape;

typedef struct eng_scoring_rows {
    eng_rows_shape shape;
    const eng_json *records;
    const eng_json *columns;
    const eng_json *data;
    const eng_json *by_column;
} eng_scoring_rows;

/* The request's rows as a table of exactly the input schema's columns and
 * types (other columns are ignored). Fails with WF_EINVAL naming a column
 * the request lacks, or the row (from 1) and column of a value that cannot
 * be converted. JSON null (and an empty or "NA" string) is a missing value.
 * A categorical value outside the schema's levels is kept as a new level:
 * the model then scores it as its learner was told to
 * (allow_unknown_categorical_levels). The caller frees *out. */
int eng_scoring_rows_table(const eng_scoring_plan *plan, const eng_scoring_rows *rows,
                           tbl_table **out, wf_error *err);

/* Scores rows (which must outlive *out) through the request path. Fails
 * with the failing node's message and code (a model that refuses an unseen
 * level: WF_EINVAL). Free *out with eng_scoring_result_free. */
int eng_scoring_run(const eng_scoring_plan *plan, const tbl_table *rows, eng_scoring_result **out,
                    wf_error *err);
/* The table Web Service Output received, valid until the result is freed. */
const tbl_table *eng_scoring_output(const eng_scoring_result *r);
void eng_scoring_result_free(eng_scoring_result *r); /* accepts NULL */

/* The input schema (zero rows) and, when the zero-row trial at compile
 * worked, the reply's schema (else NULL). */
const tbl_table *eng_scoring_input_schema(const eng_scoring_plan *plan);
const tbl_table *eng_scoring_output_schema(const eng_scoring_plan *plan);
/* The node ids of Web Service Input and Output. */
const char *eng_scoring_input_node(const eng_scoring_plan *plan);
const char *eng_scoring_output_node(const eng_scoring_plan *plan);
/* False when Execute Python Script is in the request path; the warnings
 * say so, for people. */
bool eng_scoring_fast(const eng_scoring_plan *plan);
const char *const *eng_scoring_warnings(const eng_scoring_plan *plan, size_t *count);
/* What the constants loaded: artifact digests and dataset references, as
 * an exported bundle must carry them. */
const char *const *eng_scoring_artifacts(const eng_scoring_plan *plan, size_t *count);
const char *const *eng_scoring_datasets(const eng_scoring_plan *plan, size_t *count);

/* Endpoints (scoring_deploy.c): what the server and `weft endpoint` share.
 *
 *     eng_deploy_request req = {.name = "cars", .document_json = text};
 *     eng_deployed d = {0};
 *     eng_endpoint_deploy(ws, &req, &d, &err);   // d.primary, d.secondary: shown once
 *     ... d.plan serves requests ...
 *     eng_deployed_clear(&d);
 */
typedef struct eng_deploy_request {
    const char *name;
    const char *document_json; /* a real-time inference pipeline */
    const char *description;   /* NULL: the document's own */
    const char *source;        /* for people ("draft 12"); NULL: "" */
    bool replace;              /* an existing name becomes a new version */
} eng_deploy_request;

typedef struct eng_deployed {
    st_endpoint endpoint;                              /* the row as recorded */
    eng_scoring_plan *plan;                            /* NULL when the endpoint failed */
    bool created;                                      /* a new endpoint (else a new version) */
    char primary[ST_KEY_TEXT], secondary[ST_KEY_TEXT]; /* a new endpoint's keys; else "" */
} eng_deployed;

/* Compiles the document against workspace ws and records it. A new name
 * becomes version 1 with two new keys, healthy, or failed with the reason
 * when it does not compile (it can then be redeployed). An existing name is
 * WF_EEXIST unless req->replace; then it becomes the next version, keeping
 * its keys, but only if it compiles: a redeploy that does not compile fails
 * (WF_EINVAL with the reason) and changes nothing, so a working endpoint
 * never breaks. A document that is not a pipeline is WF_EINVAL. */
int eng_endpoint_deploy(st_workspace *ws, const eng_deploy_request *req, eng_deployed *out,
                        wf_error *err);
void eng_deployed_clear(eng_deployed *d); /* frees the plan and the row; wipes the keys */
/* Parses and compiles an endpoint's document against workspace ws. */
int eng_endpoint_compile(st_workspace *ws, const char *document_json, eng_scoring_plan **out,
                         wf_error *err);

/* Bundles (scoring_bundle.c, docs/formats.md "Endpoint bundles"): an
 * endpoint with everything it needs, in one directory, so that `weft
 * endpoint serve` can score without a workspace. */
#define ENG_BUNDLE_FORMAT "weft.endpoint-bundle/1"
/* Writes endpoint `name` of ws into dir (created; it must not hold a
 * manifest.json already): manifest.json, pipeline.json, the artifacts its
 * constants read and the datasets they load. */
int eng_endpoint_export(st_workspace *ws, const char *name, const char *dir, wf_error *err);
/* Opens the bundle in dir: checks every artifact against its digest and
 * compiles the pipeline from the bundle's files alone. *manifest (may be
 * NULL) gets the manifest (a new reference). */
int eng_bundle_open(const char *dir, eng_scoring_plan **plan, struct json_t **manifest,
                    wf_error *err);

/* ---- executors: Slurm (#12; slurm.c) ------------------------------------- */

/* Where steps run (docs/slurm.md). A run names a compute target
 * (eng_run_options.compute; "local" when NULL) and a node may override it
 * with its "compute" field (docs/formats.md):
 *
 *     "compute": "hpc"                              a target's name
 *     "compute": {"target": "hpc", "retries": 2}    both members optional
 *
 * A "slurm" target's settings (all optional):
 *
 *     {"partition": "short", "account": "lab", "time_limit": "02:00:00",
 *      "cpus": 4, "memory_mb": 8192, "sbatch_args": ["--qos=low"],
 *      "workspace": "/shared/weft/ws", "weft": "/shared/bin/weft",
 *      "retries": 1, "max_jobs": 64, "job_arrays": true}
 *
 * "workspace" is the workspace's path on the compute nodes (default: its
 * absolute path here), "weft" the binary they run (default: this one),
 * "time_limit" Slurm's --time ("MM", "HH:MM:SS", "D-HH:MM"; default: the
 * run's time limit), "max_jobs" how many of the run's jobs may be queued or
 * running at once, "job_arrays" whether folds and sweep runs fan out as a job
 * array (default true; a node's {"job_arrays": false} says no for it). A
 * "local" target takes "retries" only. */

/* Checks a target's kind ("local" or "slurm") and settings (an object);
 * WF_EINVAL naming the setting that is wrong. */
int eng_compute_check(const char *kind, const struct json_t *config, wf_error *err);

/* Cancels (scancel) the scheduler jobs that runs found interrupted left
 * behind (st_orphan_jobs), and forgets them; *cancelled (may be NULL) gets
 * how many. eng_run and `weft serve` call it as they start. WF_EIO when
 * scancel cannot run or the controller does not answer within 10 s: the
 * jobs are then kept for the next call. */
int eng_cancel_orphaned_jobs(st_workspace *ws, size_t *cancelled, wf_error *err);

/* Node i's "compute": its target (NULL: the run's) and its retries (-1:
 * the target's setting). The shape was checked when the document was
 * parsed. */
const char *eng_node_compute_target(const eng_node *n);
int eng_node_retries(const eng_node *n);

#endif
