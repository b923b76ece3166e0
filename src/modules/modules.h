/*
 * modules: the module catalogue. A module is `static const` data (its
 * descriptor: ports, parameters, help) plus two functions, `configure` and
 * `run`, that see nothing but their context. One file per family of modules;
 * registry.c lists them all.
 *
 *     static const mod_port split_in[] = {
 *         {.name = "dataset", .kind = MOD_TABLE, .help = "Rows to split."}};
 *     static const mod_port split_out[] = {
 *         {.name = "first", .kind = MOD_TABLE, .help = "..."},
 *         {.name = "second", .kind = MOD_TABLE, .help = "..."}};
 *     static const mod_param split_params[] = {
 *         {.name = "fraction", .label = "Fraction of rows in the first output",
 *          .type = MOD_PARAM_NUMBER, .default_json = "0.5", .has_min = true, .min = 0,
 *          .has_max = true, .max = 1, .help = "..."}};
 *     const mod_descriptor mod_split_data = {
 *         .name = "split-data", .version = 1, .display_name = "Split Data",
 *         .category = "Data Transformation", .help = "...markdown...",
 *         MOD_PORTS(inputs, split_in), MOD_PORTS(outputs, split_out),
 *         MOD_PARAMS(split_params), .configure = split_configure, .run = split_run};
 *
 * In `run`, a module reads inputs with mod_input_table, parameters with
 * mod_param_*, writes outputs with mod_output_table / mod_output_json, and
 * reports with mod_log, mod_progress and mod_cancelled. On failure it returns
 * mod_fail(ctx, code, "what went wrong, and where").
 *
 * `configure` propagates schemas without running, as KNIME's configure step
 * does: the same context, with ctx->schema_only set and each input table
 * holding no rows (or NULL when its schema is unknown). It sets each output
 * to a zero-row table of the schema the run would produce, or leaves it NULL
 * when the schema depends on the data. It reports bad parameters with
 * mod_param_error, naming the field.
 */
#ifndef WEFT_MODULES_H
#define WEFT_MODULES_H

#include "table/table.h"
#include "util/util.h"

#include <signal.h>

struct json_t;

/* ---- descriptors ------------------------------------------------------- */

/* What flows along an edge. An edge joins equal kinds only. */
typedef enum mod_port_kind {
    MOD_TABLE = 0,     /* a table */
    MOD_LEARNER = 1,   /* an untrained model specification (JSON) */
    MOD_MODEL = 2,     /* a trained model (JSON) */
    MOD_TRANSFORM = 3, /* a fitted transformation (JSON) */
    MOD_REPORT = 4,    /* evaluations, sweep results, feature scores (JSON) */
} mod_port_kind;
#define MOD_PORT_KIND_COUNT 5

const char *mod_port_kind_name(mod_port_kind kind); /* "table", "learner", ... */
int mod_port_kind_parse(const char *name, mod_port_kind *out);

typedef struct mod_port {
    const char *name;
    mod_port_kind kind;
    bool optional; /* inputs only: may be left unconnected */
    const char *help;
} mod_port;

typedef enum mod_param_type {
    MOD_PARAM_INT = 0,
    MOD_PARAM_NUMBER,
    MOD_PARAM_BOOL,
    MOD_PARAM_ENUM,
    MOD_PARAM_STRING,
    MOD_PARAM_TEXT,             /* multi-line text */
    MOD_PARAM_SQL,              /* SQL text, highlighted in the UI */
    MOD_PARAM_PYTHON,           /* Python text, highlighted in the UI */
    MOD_PARAM_COLUMN_SELECTION, /* the selection JSON of table.h */
    MOD_PARAM_COLUMN,           /* one column name */
    MOD_PARAM_DATASET,          /* a registered dataset's name */
} mod_param_type;
#define MOD_PARAM_TYPE_COUNT 11

/* "int", "number", "bool", "enum", "string", "text", "sql", "python",
 * "column-selection", "column", "dataset". */
const char *mod_param_type_name(mod_param_type type);

typedef struct mod_param {
    const char *name;
    const char *label; /* for people, as the Azure designer names it */
    mod_param_type type;
    const char *default_json; /* the default as JSON text; NULL: no default */
    bool required;            /* a value must be given (or a default exist) */
    bool has_min, has_max;    /* int and number */
    double min, max;
    const char *const *choices; /* enum: NULL-terminated */
    const char *input;          /* column, column-selection: the input port whose
                                   schema the columns come from */
    const char *visible_when;   /* "param=value" or "param=v1|v2": shown only then;
                                   NULL: always. A hidden parameter is not checked. */
    const char *help;
} mod_param;

typedef struct mod_ctx mod_ctx;

typedef struct mod_descriptor {
    const char *name; /* "split-data" */
    int version;      /* 1: the module is "split-data@1" */
    const char *display_name;
    const char *category; /* the palette group: "Data Input and Output", ... */
    const char *help;     /* Markdown, shown in the UI */
    const mod_port *inputs;
    size_t ninputs;
    const mod_port *outputs;
    size_t noutputs;
    const mod_param *params;
    size_t nparams;
    /* Propagates schemas (may be NULL: every output schema is unknown). */
    int (*configure)(mod_ctx *ctx);
    int (*run)(mod_ctx *ctx);
    /* Modules that output a fitted `transform` also apply one: Apply
     * Transformation finds the module named in the transform's "module" field
     * and calls this with the transform JSON it wrote and a table; it sets
     * *out (owned by the caller) or fails with mod_fail, naming the column
     * that does not fit. NULL for modules without a transform output. */
    int (*apply)(mod_ctx *ctx, const struct json_t *transform, const tbl_table *in,
                 tbl_table **out);
    /* Whether the engine may reuse an earlier result of this step, given its
     * resolved parameters, instead of running it again (NULL: always, the
     * rule for modules that compute from their inputs and parameters alone).
     * Modules that read from or write to the world outside the workspace say
     * no: Import Data when its `use_cached_results` is off, Export Data
     * always. */
    bool (*cacheable)(const struct json_t *params);
    /* Real-time scoring (#10; prepared.c), optional: what a module can do once
     * when an endpoint's plan is compiled rather than on every request (Score
     * Model decodes its model). `prepare` sees a context whose constant
     * inputs are set and whose per-request inputs are NULL; it sets *state
     * (freed with free_prepared) or leaves it NULL, meaning "call run as
     * usual". run_prepared is then called instead of run, from many threads
     * at once, with a full context and the state, which it only reads. */
    int (*prepare)(mod_ctx *ctx, void **state);
    int (*run_prepared)(mod_ctx *ctx, const void *state);
    void (*free_prepared)(void *state);
} mod_descriptor;

#define MOD_PORTS(field, array) .field = array, .n##field = sizeof array / sizeof array[0]
#define MOD_PARAMS(array) .params = array, .nparams = sizeof array / sizeof array[0]

/* ---- the registry ------------------------------------------------------ */

/* Every module, in catalogue order. */
const mod_descriptor *const *mod_all(size_t *count);
/* The module named "name@version" (or "name", meaning its highest version);
 * NULL when there is none. */
const mod_descriptor *mod_find(const char *ref);
/* Whether the engine may reuse a cached result of a step of m with these
 * resolved parameters (the descriptor's `cacheable` rule; true without one). */
bool mod_cacheable(const mod_descriptor *m, const struct json_t *params);
/* Index of a port or parameter by name, or -1. */
int mod_input_index(const mod_descriptor *m, const char *port);
int mod_output_index(const mod_descriptor *m, const char *port);
int mod_param_index(const mod_descriptor *m, const char *name);

/* The descriptor as JSON, for `weft modules --json` and the API (a new
 * reference; NULL on OOM). */
struct json_t *mod_descriptor_json(const mod_descriptor *m);
/* {"modules": [descriptor...]} for the whole catalogue. */
struct json_t *mod_catalogue_json(void);

/* ---- inference modules (#10; inference.c) ------------------------------ */

/* The `schema` parameter of web-service-input@1 (JSON text: {"columns":
 * [{"name", "type", "levels"?}, ...]}, docs/formats.md "Inference
 * pipelines") as a zero-row table with those names, types and categorical
 * levels, every column a feature. What is wrong with the text fails with
 * WF_EINVAL, naming the column. The caller frees *out. */
int mod_web_service_schema(const char *text, tbl_table **out, wf_error *err);

/* ---- the context ------------------------------------------------------- */

/* One input or output value. Tables are owned by the context unless
 * `borrowed`; JSON values hold one reference. */
typedef struct mod_value {
    mod_port_kind kind;
    tbl_table *table;    /* MOD_TABLE */
    struct json_t *json; /* the other kinds */
    bool borrowed;       /* table belongs to someone else: do not free */
} mod_value;

/* Loads a registered dataset for dataset@1: ref is "name@N" or "name@latest".
 * The engine provides it; modules never see the store. */
typedef int (*mod_dataset_loader)(void *user, const char *ref, tbl_table **out, wf_error *err);

/* Registers t as the next version of dataset `name` for export-data@1, with
 * a description (may be NULL); *version gets the version number it became,
 * or 0 when the number is chosen later (a pipeline step stores the table and
 * the executor registers it once the step has completed). The engine
 * provides it; modules never see the store. */
typedef int (*mod_dataset_saver)(void *user, const char *name, const tbl_table *t,
                                 const char *description, int *version, wf_error *err);

/* Reads the JSON artifact with this digest (64 lowercase hex digits) for
 * trained-model@1 and fitted-transform@1, as a new reference in *out. An
 * artifact that is not in the workspace fails with WF_ENOTFOUND, naming the
 * digest. The engine provides it; modules never see the store. */
typedef int (*mod_artifact_loader)(void *user, const char *digest, struct json_t **out,
                                   wf_error *err);

/* One parameter problem found by configure, named by its field. */
typedef struct mod_field_error {
    char *field; /* parameter name, or "" for the node as a whole */
    char *message;
} mod_field_error;

/* The context a module sees. The engine (or a test) fills the fields above
 * the line; modules use only the functions below. */
struct mod_ctx {
    const mod_descriptor *module;
    const char *node_id;
    struct json_t *params;         /* every parameter, defaults filled, $param resolved */
    mod_value *inputs;             /* module->ninputs, in port order; .table/.json NULL if absent */
    mod_value *outputs;            /* module->noutputs, filled by the module */
    bool schema_only;              /* configure, not run */
    uint64_t seed;                 /* for modules that draw random numbers without a seed param */
    int threads;                   /* threads the module may use; 0: every core */
    volatile sig_atomic_t *cancel; /* may be NULL */
    void (*on_log)(void *user, const char *line);     /* may be NULL: stderr */
    void (*on_progress)(void *user, double fraction); /* may be NULL */
    mod_dataset_loader load_dataset;                  /* may be NULL */
    mod_dataset_saver save_dataset;                   /* may be NULL */
    mod_artifact_loader load_artifact;                /* may be NULL */
    void *user;
    /* A step whose tasks (a fold, a sweep run) may run as a Slurm job array
     * (#12; the protocol is in selection.h). fanout_dir NULL: they run here,
     * as always. Otherwise fanout_job says which part of the step this is:
     * -1 the plan (stop at the tasks; mod__run_tasks sets fanout_jobs to the
     * array's size, or leaves it 0 when it ran them here after all), k >= 0
     * job k of the array (run its tasks, save their results under fanout_dir
     * and stop; mod__run_tasks sets fanout_jobs to 1 once they are saved), -2
     * the gather (load every task's result from fanout_dir and finish). */
    const char *fanout_dir;
    int64_t fanout_job;
    size_t fanout_jobs;
    /* ---- written by the context functions ---- */
    wf_error err;
    mod_field_error *field_errors;
    size_t nfield_errors;
};

/* Sets up ctx for module m with the given parameters (a reference is taken)
 * and empty inputs and outputs. 0 or WF_ENOMEM. */
int mod_ctx_init(mod_ctx *ctx, const mod_descriptor *m, struct json_t *params);
/* Frees what the context owns: inputs, outputs, errors, the params reference. */
void mod_ctx_clear(mod_ctx *ctx);

/* Inputs: NULL when the port is not connected (or its schema is unknown in
 * configure). The table is read-only: clone it to change it. */
const tbl_table *mod_input_table(mod_ctx *ctx, const char *port);
const struct json_t *mod_input_json(mod_ctx *ctx, const char *port);

/* Parameters, by name; the value is the canonical one (defaults filled). The
 * getters return 0, or WF_ETYPE / WF_ENOTFOUND with ctx->err set. */
const struct json_t *mod_param_value(mod_ctx *ctx, const char *name);
int mod_param_int(mod_ctx *ctx, const char *name, int64_t *out);
int mod_param_number(mod_ctx *ctx, const char *name, double *out);
int mod_param_bool(mod_ctx *ctx, const char *name, bool *out);
/* Strings, enums, text, sql, python, column and dataset parameters; the
 * string lives as long as ctx->params. NULL when absent or null. */
const char *mod_param_string(mod_ctx *ctx, const char *name);
/* A column-selection parameter, parsed (caller clears *out). */
int mod_param_selection(mod_ctx *ctx, const char *name, tbl_selection *out);

/* Outputs: the context takes ownership of t (or of the JSON reference), even
 * on failure. An output table may share columns with an input table
 * (tbl_column_share) instead of copying them: it is then valid only while
 * the inputs are, which the engine guarantees (it writes a step's outputs
 * before it frees the step's inputs), and so must any other caller that
 * takes an output out of the context. */
int mod_output_table(mod_ctx *ctx, const char *port, tbl_table *t);
int mod_output_json(mod_ctx *ctx, const char *port, struct json_t *json);

void mod_log(mod_ctx *ctx, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void mod_progress(mod_ctx *ctx, double fraction);
bool mod_cancelled(const mod_ctx *ctx);

/* Records a failure in ctx->err and returns code. */
int mod_fail(mod_ctx *ctx, int code, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* Copies err (from a table or ml function) into ctx->err; returns its code. */
int mod_fail_with(mod_ctx *ctx, const wf_error *err);
/* Records a problem with one parameter (configure); returns WF_EINVAL. */
int mod_param_error(mod_ctx *ctx, const char *field, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* ---- prepared modules: one node run many times (#10; prepared.c) ------ */

/* A module made ready to run many times with the same parameters and the
 * same constant inputs, as an endpoint's scoring plan runs each node of its
 * request path once per request, on many threads at once:
 *
 *     mod_value consts[2] = {{.kind = MOD_MODEL, .json = model}, {.kind = MOD_TABLE}};
 *     mod_prepared *p = NULL;
 *     mod_prepare(&mod_score_model, params, consts, &p, &err);  // once
 *     mod_ctx ctx;                                              // per request
 *     mod_prepared_begin(p, &ctx);
 *     ctx.inputs[1].table = rows;
 *     ctx.inputs[1].borrowed = true;
 *     if (mod_prepared_run(p, &ctx) == 0) use(ctx.outputs[0].table);
 *     mod_ctx_clear(&ctx);
 *
 * A module with the prepare hooks does its per-plan work in mod_prepare;
 * any other module simply runs in a fresh context per call. */
typedef struct mod_prepared mod_prepared;

/* Prepares m with params (defaults are filled; a reference is kept) and the
 * constant inputs: constants[k] (m->ninputs entries; NULL: none) holds input
 * k's value when it is the same on every run, or a value whose table and
 * json are NULL when each run gives it. Constants are borrowed and must
 * outlive *out. A failing prepare hook fails here, with its message. */
int mod_prepare(const mod_descriptor *m, const struct json_t *params, const mod_value *constants,
                mod_prepared **out, wf_error *err);
void mod_prepared_free(mod_prepared *p); /* accepts NULL */
/* Whether the module's prepare hooks are in use (else each run is a plain
 * run). */
bool mod_prepared_is_fast(const mod_prepared *p);
/* Sets up ctx for one run: the parameters, the constants (borrowed), log
 * lines dropped (on_log may be set after). The caller then fills the other
 * inputs, runs, reads the outputs and clears ctx with mod_ctx_clear.
 * 0 or WF_ENOMEM (ctx->err says so; clear it anyway). */
int mod_prepared_begin(const mod_prepared *p, mod_ctx *ctx);
/* One run: the module's run_prepared hook with its state, else its run.
 * 0, or the module's failure (in ctx->err). Safe on many threads at once,
 * each with its own ctx. */
int mod_prepared_run(const mod_prepared *p, mod_ctx *ctx);

#endif
