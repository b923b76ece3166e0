/*
 * store: the workspace on disk. One directory holds
 *     weft.db               SQLite metadata, WAL mode, numbered migrations
 *     artifacts/ab/abcd…    content-addressed artifacts (SHA-256 of the bytes)
 *     tmp/                  where artifacts are written before their rename
 *
 *     wf_error err = {0};
 *     st_workspace *ws = NULL;
 *     if (st_open("./workspace", &ws, &err) < 0) { ...err.message... }
 *     st_dataset_version v = {0};
 *     st_dataset_register(ws, "iris", table, "Fisher's iris", "file:iris.arff", &v, &err);
 *     printf("%s@%d\n", v.name, v.version);
 *     st_dataset_version_clear(&v);
 *     st_close(ws);
 *
 * Durability: an artifact is written to tmp/, fsync'd and renamed into place,
 * so it is never half-written; metadata changes are SQLite transactions. A
 * failed registration leaves the workspace exactly as it was: no row, no
 * artifact, no temporary file.
 *
 * Ownership: st_close frees the workspace. Structs filled through `out`
 * pointers own their strings; release them with the matching _clear/_free.
 * A st_workspace is used by one thread at a time.
 */
#ifndef WEFT_STORE_H
#define WEFT_STORE_H

#include "table/table.h"
#include "util/util.h"

typedef struct st_workspace st_workspace;

/* Opens (creating it if needed) the workspace in dir and brings its schema up
 * to date with the migrations. */
int st_open(const char *dir, st_workspace **out, wf_error *err);
/* Opens an existing workspace for its artifact files only, without the
 * database: what a pipeline step does, since it may run on another host
 * than the executor (a Slurm node), where SQLite's WAL cannot be shared.
 * On such a handle artifacts are written and read as files (st_artifact_put
 * records no row: the executor does, with st_artifact_record), and every
 * function that needs the database fails with WF_EINVAL. */
int st_open_files(const char *dir, st_workspace **out, wf_error *err);
void st_close(st_workspace *ws); /* accepts NULL */
const char *st_workspace_dir(const st_workspace *ws);
/* The schema version the migrations have reached. */
int st_schema_version(st_workspace *ws);

/* ---- artifacts --------------------------------------------------------- */

/* Stores bytes under their SHA-256 (hex, written to digest). Storing the same
 * bytes twice is a no-op that gives the same digest. */
int st_artifact_put(st_workspace *ws, const void *data, size_t size, char digest[WF_SHA256_HEX],
                    wf_error *err);
/* Encodes t in the native format and stores it. *bytes (may be NULL) gets
 * the artifact's size. */
int st_artifact_put_table(st_workspace *ws, const tbl_table *t, char digest[WF_SHA256_HEX],
                          size_t *bytes, wf_error *err);
/* Records an artifact whose file is already in the workspace (written
 * through a handle from st_open_files), with its kind ("table", "blob") and
 * size. Recording it twice is a no-op; WF_ENOTFOUND when the file is not
 * there. */
int st_artifact_record(st_workspace *ws, const char *digest, const char *kind, wf_error *err);
/* The artifact's path in the workspace (malloc'd; caller frees), or NULL on
 * OOM. It need not exist. */
char *st_artifact_path(const st_workspace *ws, const char *digest);
bool st_artifact_exists(const st_workspace *ws, const char *digest);
/* Memory-maps a table artifact. */
int st_artifact_load_table(st_workspace *ws, const char *digest, tbl_table **out, wf_error *err);

/* ---- datasets ---------------------------------------------------------- */

typedef struct st_dataset_version {
    char *name;
    int version;  /* 1, 2, ... per name */
    char *digest; /* the table artifact */
    char *description;
    char *source; /* where it came from: "file:…", "url:…", "sample:…" */
    int64_t rows, cols, bytes;
    char *created_at; /* ISO-8601 UTC */
    bool archived;
    char *profile_json; /* tbl_profile_to_json, as text */
} st_dataset_version;

void st_dataset_version_clear(st_dataset_version *v); /* accepts a zeroed struct */
void st_dataset_versions_free(st_dataset_version *v, size_t n);

/* A name is 1-100 characters of letters, digits, '-', '_' and '.', starting
 * with a letter or digit. WF_EINVAL otherwise, saying why. */
int st_dataset_name_check(const char *name, wf_error *err);

/* Registers t as the next version of `name` (version 1 if new; an archived
 * dataset comes back). Stores the table artifact and its profile. */
int st_dataset_register(st_workspace *ws, const char *name, const tbl_table *t,
                        const char *description, const char *source, st_dataset_version *out,
                        wf_error *err);
/* The same for a table already stored as artifact `digest` (a step wrote
 * it through a handle from st_open_files). */
int st_dataset_register_artifact(st_workspace *ws, const char *name, const char *digest,
                                 const char *description, const char *source,
                                 st_dataset_version *out, wf_error *err);
/* Looks up `name`, `name@N` or `name@latest` (latest = highest version). */
int st_dataset_get(st_workspace *ws, const char *ref, st_dataset_version *out, wf_error *err);
/* The latest version of every dataset, by name; archived ones only if asked. */
int st_dataset_list(st_workspace *ws, bool include_archived, st_dataset_version **out,
                    size_t *count, wf_error *err);
/* Every version of one dataset, oldest first. */
int st_dataset_versions(st_workspace *ws, const char *name, st_dataset_version **out, size_t *count,
                        wf_error *err);
/* Archives a dataset (all versions): hidden from lists, still loadable; or,
 * with archived false, reactivates it (listed again). WF_ENOTFOUND for no
 * such dataset. */
int st_dataset_archive(st_workspace *ws, const char *name, bool archived, wf_error *err);
/* Loads the table of `ref` (memory-mapped); meta (may be NULL) gets its row. */
int st_dataset_load(st_workspace *ws, const char *ref, tbl_table **out, st_dataset_version *meta,
                    wf_error *err);

/* ---- sample datasets --------------------------------------------------- */

typedef struct st_sample {
    const char *name;
    const char *file; /* relative to the samples directory */
    const char *description;
} st_sample;

/* The samples weft registers in a new workspace (DESIGN.md section 9). */
const st_sample *st_samples(size_t *count);
/* The directory `make deps` fills: $WEFT_SAMPLES_DIR, else
 * <binary>/../.cache/samples, else /usr/share/weft/samples. malloc'd. */
char *st_samples_dir(void);
/* Registers every sample that is not registered yet. A sample whose file is
 * absent is skipped and named in *warnings (malloc'd, may be NULL). */
int st_register_samples(st_workspace *ws, const char *dir, char **warnings, wf_error *err);

/* ---- experiments, runs, steps and the step cache ----------------------- */

/* A run is one execution of a pipeline snapshot; it has one step per node.
 * The store keeps statuses as the engine's names ("queued", "running",
 * "completed", "reused", "failed", "canceled", "skipped") and does not
 * interpret them beyond knowing which ones are final.
 *
 *     st_run_spec spec = {.experiment = "Default", .pipeline_name = "cars",
 *                         .snapshot_json = "{...}", .node_ids = ids,
 *                         .modules = mods, .nsteps = 3};
 *     int64_t id;
 *     st_run_create(ws, &spec, &id, &err);      // the run and its steps, queued
 *     st_run_set_status(ws, id, "running", NULL, &err);
 *
 * Each run records the process that executes it (its pid and start time), so
 * that st_runs_mark_interrupted can tell a run whose process died (kill -9,
 * power loss) from one that another process is executing right now. */

#define ST_DEFAULT_EXPERIMENT "Default"
/* "2024-05-01T12:00:00.123Z" and its NUL. */
#define ST_TIMESTAMP_MAX 32

/* The current time as ISO-8601 UTC with milliseconds. */
void st_timestamp(char buf[ST_TIMESTAMP_MAX]);

typedef struct st_experiment {
    int64_t id;
    char *name;
    char *created_at;
    int64_t runs; /* how many runs it holds */
} st_experiment;

void st_experiments_free(st_experiment *e, size_t n); /* accepts NULL */

/* The id of the experiment called `name` (1-100 characters, no control
 * characters), creating it if needed. */
int st_experiment_ensure(st_workspace *ws, const char *name, int64_t *id, wf_error *err);
/* Every experiment, by name. */
int st_experiment_list(st_workspace *ws, st_experiment **out, size_t *count, wf_error *err);

typedef struct st_run {
    int64_t id;
    int64_t experiment_id;
    char *experiment;
    char *pipeline_name;
    char *snapshot_json;   /* the canonical document, resolved parameters and
                              dataset versions */
    char *parameters_json; /* the parameter values the run was given */
    char *status;
    char *error;      /* "" unless failed or canceled */
    char *created_at; /* timestamps; "" when not reached */
    char *started_at;
    char *finished_at;
    bool cancel_requested;
    int64_t owner_pid; /* the process executing the run */
    char *created_by;  /* the account that started it; "" when unknown */
} st_run;

void st_run_clear(st_run *r); /* accepts a zeroed struct */
void st_runs_free(st_run *r, size_t n);

typedef struct st_step {
    int64_t run_id;
    char *node_id;
    char *module; /* "split-data@1" */
    char *status;
    char *cache_key;  /* hex SHA-256, or "" */
    char *started_at; /* "" when not reached */
    char *finished_at;
    int64_t elapsed_ms;      /* -1 until the step ends */
    char *outputs_json;      /* {"port": "digest", ...} */
    char *log_path;          /* relative to the workspace, or "" */
    char *error;             /* "" unless failed, skipped or canceled */
    int signal;              /* the signal that killed the step's process, or 0 */
    int64_t peak_rss_kb;     /* 0 when unknown */
    int64_t reused_from_run; /* the run that computed the outputs, or 0 */
} st_step;

void st_step_clear(st_step *s); /* accepts a zeroed struct */
void st_steps_free(st_step *s, size_t n);

/* What st_run_create records. node_ids and modules have nsteps entries. */
typedef struct st_run_spec {
    const char *experiment; /* NULL: ST_DEFAULT_EXPERIMENT */
    const char *pipeline_name;
    const char *snapshot_json;
    const char *parameters_json; /* NULL: "{}" */
    const char *const *node_ids;
    const char *const *modules;
    size_t nsteps;
    bool running; /* create the run "running" (started now) rather than "queued" */
} st_run_spec;

/* Creates the experiment if needed, the run (status "queued", or "running"
 * when spec->running, owned by this process) and one "queued" step per
 * node, in one transaction. The run records who started it: the account
 * this process runs as. */
int st_run_create(st_workspace *ws, const st_run_spec *spec, int64_t *run_id, wf_error *err);
/* Sets the run's status and error (NULL leaves it ""). "running" stamps
 * started_at; a final status (completed, failed, canceled) stamps
 * finished_at. */
int st_run_set_status(st_workspace *ws, int64_t run_id, const char *status, const char *error,
                      wf_error *err);
/* WF_ENOTFOUND when there is no such run. */
int st_run_get(st_workspace *ws, int64_t run_id, st_run *out, wf_error *err);
/* Runs, newest first, of one experiment (NULL: all); at most `limit` (0: all).
 * Snapshots are left out (snapshot_json is "") to keep lists light. */
int st_run_list(st_workspace *ws, const char *experiment, size_t limit, st_run **out, size_t *count,
                wf_error *err);
/* The steps of a run, in the order st_run_create was given them. */
int st_run_steps(st_workspace *ws, int64_t run_id, st_step **out, size_t *count, wf_error *err);
/* One step; WF_ENOTFOUND when the run has no such node. */
int st_step_get(st_workspace *ws, int64_t run_id, const char *node_id, st_step *out, wf_error *err);

/* Writes n steps (every field but run_id and node_id, which name the row) in
 * one transaction. A step written as "completed" with a cache key also
 * enters the step cache in that transaction, so a step is never recorded
 * completed without its cache entry. */
int st_steps_upsert(st_workspace *ws, const st_step *steps, size_t n, wf_error *err);
int st_step_upsert(st_workspace *ws, const st_step *step, wf_error *err);
/* The end of a run in one transaction: writes the n steps as
 * st_steps_upsert does, then the run's final status as st_run_set_status
 * does. One commit instead of two matters to a run whose steps were all
 * reused, where commits are most of the cost. */
int st_run_finish(st_workspace *ws, int64_t run_id, const char *status, const char *error,
                  const st_step *steps, size_t n, wf_error *err);

/* Asks the process executing the run to cancel it (it polls
 * st_run_cancel_requested). WF_ENOTFOUND for an unknown run; WF_EINVAL when
 * the run has already ended. */
int st_run_request_cancel(st_workspace *ws, int64_t run_id, wf_error *err);
int st_run_cancel_requested(st_workspace *ws, int64_t run_id, bool *requested, wf_error *err);

/* Recovery after a crash: every run still "queued" or "running" whose
 * process is gone becomes "failed" ("interrupted: ..."); its running steps
 * fail with "interrupted: the weft process ended before this step finished"
 * and its queued steps are skipped. *count (may be NULL) gets how many runs
 * were marked. Runs whose process is alive are left alone. */
int st_runs_mark_interrupted(st_workspace *ws, size_t *count, wf_error *err);

/* The step cache: a step key (engine/plan.c) to the outputs it produced.
 * Returns 1 and fills *outputs_json (malloc'd, caller frees) and
 * *from_run (may be NULL) when the key is known, 0 when it is not. */
int st_cache_lookup(st_workspace *ws, const char *cache_key, char **outputs_json, int64_t *from_run,
                    wf_error *err);
/* Records (or replaces) a key's outputs, made by node_id of run_id. */
int st_cache_store(st_workspace *ws, const char *cache_key, const char *outputs_json,
                   int64_t run_id, const char *node_id, wf_error *err);

/* ---- drafts and models ------------------------------------------------- */

/* A draft is a pipeline document being edited (in the designer, or through
 * the API). It is saved in place; its revision, 1 when created, grows by
 * one with every save, and a save names the revision it was made from, so
 * that of two editors saving from the same revision the second is refused
 * instead of silently undoing the first:
 *
 *     st_draft d = {0};
 *     st_draft_create(ws, "cars", "{\"format\":...}", &d, &err);   // revision 1
 *     st_draft_update(ws, d.id, 1, "cars", text, &d2, &err);      // revision 2
 *     st_draft_update(ws, d.id, 1, "cars", other, &d3, &err);     // WF_EEXIST
 *
 * The store keeps the document as text and does not parse it; the engine
 * checks its shape before it is saved. */

#define ST_DRAFT_NAME_MAX 200

typedef struct st_draft {
    int64_t id;
    char *name;
    char *document_json; /* "" in lists */
    int64_t revision;
    char *created_at;
    char *updated_at;
} st_draft;

void st_draft_clear(st_draft *d); /* accepts a zeroed struct */
void st_drafts_free(st_draft *d, size_t n);

/* 1-200 characters of UTF-8 text without control characters. */
int st_draft_name_check(const char *name, wf_error *err);
/* Saves a new draft at revision 1. */
int st_draft_create(st_workspace *ws, const char *name, const char *document_json, st_draft *out,
                    wf_error *err);
/* WF_ENOTFOUND when there is no such draft. */
int st_draft_get(st_workspace *ws, int64_t id, st_draft *out, wf_error *err);
/* Drafts, most recently changed first, without their documents; at most
 * `limit` (0: all) from `offset`. *total (may be NULL) gets how many there
 * are in all. */
int st_draft_list(st_workspace *ws, size_t offset, size_t limit, st_draft **out, size_t *count,
                  int64_t *total, wf_error *err);
/* Replaces the draft's name and document when its revision is still
 * `revision`, making it revision + 1 (filled into *out, which may be NULL).
 * WF_ENOTFOUND when there is no such draft; WF_EEXIST when the draft has
 * moved on past `revision` (someone else saved first). The check and the
 * write are one statement, so two concurrent saves cannot both win. */
int st_draft_update(st_workspace *ws, int64_t id, int64_t revision, const char *name,
                    const char *document_json, st_draft *out, wf_error *err);
/* WF_ENOTFOUND when there is no such draft. */
int st_draft_delete(st_workspace *ws, int64_t id, wf_error *err);

/* A model is a registered output of a run's step (a trained model, in the
 * usual case): a name and a version point to the artifact, with lineage
 * back to the run, the step and the dataset versions the run's snapshot
 * read. Versions count from 1 per name. */
typedef struct st_model {
    char *name;
    int version;
    char *description;
    int64_t run_id;
    char *node_id;
    char *port;
    char *digest;       /* the artifact */
    char *kind;         /* the port kind: "model", "transform", "table", ... */
    char *lineage_json; /* [{"node", "name", "version", "digest"}, ...]: the datasets */
    char *created_at;
    int versions; /* st_model_list: how many versions the name has; else 0 */
} st_model;

void st_model_clear(st_model *m); /* accepts a zeroed struct */
void st_models_free(st_model *m, size_t n);

/* What st_model_register records. The caller has looked the output up
 * (digest and kind: the store does not know modules). */
typedef struct st_model_spec {
    const char *name;        /* as st_model_name_check allows */
    const char *description; /* NULL: "" */
    int64_t run_id;
    const char *node_id;
    const char *port;
    const char *digest;
    const char *kind;
} st_model_spec;

/* A name is 1-100 characters of letters, digits, '-', '_' and '.',
 * starting with a letter or digit. */
int st_model_name_check(const char *name, wf_error *err);
/* Registers the output as the next version of spec->name, with the
 * lineage read from the run's snapshot. WF_ENOTFOUND when the run does not
 * exist. */
int st_model_register(st_workspace *ws, const st_model_spec *spec, st_model *out, wf_error *err);
/* One version (0: the latest). WF_ENOTFOUND when there is none. */
int st_model_get(st_workspace *ws, const char *name, int version, st_model *out, wf_error *err);
/* The latest version of every model, by name. */
int st_model_list(st_workspace *ws, st_model **out, size_t *count, wf_error *err);
/* Every version of one model, oldest first; WF_ENOTFOUND when none. */
int st_model_versions(st_workspace *ws, const char *name, st_model **out, size_t *count,
                      wf_error *err);

/* Run events, kept once a run has ended (the server holds them in memory
 * while it runs): every step transition, log line and progress figure, in
 * order, numbered from 1 per run. data_json is the event as the server
 * streams it. */
typedef struct st_run_event {
    int64_t seq;
    char *kind; /* "run", "step", "log", "progress" */
    char *data_json;
} st_run_event;

void st_run_events_free(st_run_event *e, size_t n); /* accepts NULL */
/* Records n events of a run in one transaction (an event already recorded
 * under the same seq is replaced). */
int st_run_events_append(st_workspace *ws, int64_t run_id, const st_run_event *events, size_t n,
                         wf_error *err);
/* The events of a run whose seq is above `after`, in order. None (count 0)
 * for a run that recorded none. */
int st_run_events_list(st_workspace *ws, int64_t run_id, int64_t after, st_run_event **out,
                       size_t *count, wf_error *err);

/* ---- published pipelines (#10; published.c) ----------------------------- */

/* A published pipeline (DESIGN.md section 6) is a name with numbered,
 * immutable versions, each a frozen pipeline document; one version is the
 * default. Publishing under a name that exists adds the next version:
 *
 *     st_published p = {0};
 *     int v;
 *     st_published_publish(ws, "cars scoring", "", doc, "run:7", &p, &v, &err);  // v == 1
 *     st_published_publish(ws, "cars scoring", NULL, doc2, "draft:3", NULL, &v, &err); // v == 2
 *     st_published_set_default(ws, p.id, 2, &err);
 *     st_published_clear(&p);
 *
 * Runs submitted through one remember it (st_published_mark_run). */
typedef struct st_published {
    int64_t id;
    char *name;
    char *description;
    int default_version;
    int versions;     /* how many versions it has (the newest is this number) */
    char *created_at; /* when version 1 was published */
    char *updated_at; /* when the newest version was */
    bool disabled;    /* refuses new runs until enabled again */
} st_published;

typedef struct st_published_version {
    int64_t pipeline_id;
    int version;
    char *document_json; /* the pipeline document; "" in lists */
    char *source;        /* where it came from, for people: "draft:12", "run:7" */
    char *created_at;
} st_published_version;

/* A run submitted through a published pipeline. */
typedef struct st_published_run {
    int64_t run_id;
    int version;
} st_published_run;

void st_published_clear(st_published *p); /* accepts a zeroed struct */
void st_published_free(st_published *p, size_t n);
void st_published_version_clear(st_published_version *v); /* accepts a zeroed struct */
void st_published_versions_free(st_published_version *v, size_t n);

/* 1-100 characters of letters, digits, spaces, '-', '_' and '.', starting
 * with a letter or digit and not ending with a space. */
int st_published_name_check(const char *name, wf_error *err);
/* Publishes document_json (the store does not parse it) as the next
 * version of `name`, creating the pipeline (default version 1) when new. A
 * non-empty description replaces the pipeline's; NULL or "" keeps it. *out
 * (may be NULL) gets the pipeline, *version (may be NULL) the version. */
int st_published_publish(st_workspace *ws, const char *name, const char *description,
                         const char *document_json, const char *source, st_published *out,
                         int *version, wf_error *err);
/* WF_ENOTFOUND when there is no such pipeline. */
int st_published_get(st_workspace *ws, int64_t id, st_published *out, wf_error *err);
int st_published_find(st_workspace *ws, const char *name, st_published *out, wf_error *err);
/* Every published pipeline, by name. */
int st_published_list(st_workspace *ws, st_published **out, size_t *count, wf_error *err);
/* Its versions, oldest first, without their documents. */
int st_published_versions(st_workspace *ws, int64_t id, st_published_version **out, size_t *count,
                          wf_error *err);
/* One version with its document (0: the default). WF_ENOTFOUND names the
 * versions there are. */
int st_published_version_get(st_workspace *ws, int64_t id, int version, st_published_version *out,
                             wf_error *err);
/* Makes `version` the default; WF_ENOTFOUND when it does not exist. */
int st_published_set_default(st_workspace *ws, int64_t id, int version, wf_error *err);
/* Disables pipeline id (it then refuses new runs; the server checks) or
 * enables it again. WF_ENOTFOUND when there is no such pipeline. */
int st_published_set_disabled(st_workspace *ws, int64_t id, bool disabled, wf_error *err);
/* Records that run_id was submitted through version `version` of pipeline
 * id. WF_ENOTFOUND when there is no such run. */
int st_published_mark_run(st_workspace *ws, int64_t run_id, int64_t id, int version, wf_error *err);
/* The runs submitted through pipeline id, newest first. */
int st_published_runs(st_workspace *ws, int64_t id, st_published_run **out, size_t *count,
                      wf_error *err);

/* ---- endpoints and their keys (#10; endpoint.c) -------------------------- */

/* An endpoint is a deployed real-time inference pipeline (DESIGN.md
 * section 6): a name, a version that grows by one with each redeploy, the
 * pipeline document, a state ("deploying", "healthy" or "failed", with the
 * reason) and two keys. A key is 32 random bytes from getrandom, written as
 * base64url (43 characters). The store keeps only each key's SHA-256; the
 * key itself is shown once, when it is made, and never written anywhere.
 *
 *     char primary[ST_KEY_TEXT], secondary[ST_KEY_TEXT];
 *     st_endpoint_spec spec = {.name = "cars", .document_json = text, .state = "healthy"};
 *     st_endpoint_create(ws, &spec, primary, secondary, &e, &err);  // give the keys out now
 *     st_endpoint_key_matches(presented, e.primary_sha256, e.secondary_sha256);
 */

#define ST_KEY_TEXT 44 /* 43 base64url characters and a NUL */

typedef struct st_endpoint {
    char *name;
    int version; /* 1, then one more per redeploy */
    char *document_json;
    char *state;  /* "deploying", "healthy" or "failed" */
    char *reason; /* why it failed, or "" */
    char primary_sha256[WF_SHA256_HEX];
    char secondary_sha256[WF_SHA256_HEX];
    char *source; /* where the document came from, for people: "draft 12", "" */
    char *created_at;
    char *updated_at; /* changes with every redeploy, state change and new key */
} st_endpoint;

void st_endpoint_clear(st_endpoint *e); /* accepts a zeroed struct */
void st_endpoints_free(st_endpoint *e, size_t n);

/* A name is 1-100 characters of letters, digits, '-', '_' and '.',
 * starting with a letter or digit (it is a URL path segment). */
int st_endpoint_name_check(const char *name, wf_error *err);

/* A new key: 32 bytes from getrandom, base64url without padding. */
int st_key_new(char key[ST_KEY_TEXT], wf_error *err);
/* The lowercase hex SHA-256 of a key, as the store keeps it. */
void st_key_sha256(const char *key, char hex[WF_SHA256_HEX]);
/* Whether `presented` is the key of either digest. It hashes the presented
 * key and compares it with both digests in full, so the time taken does not
 * depend on which key matched, nor on where a wrong one differs. NULL
 * matches nothing; so does an empty digest. */
bool st_key_matches(const char *presented, const char *primary_sha256,
                    const char *secondary_sha256);

typedef struct st_endpoint_spec {
    const char *name;
    const char *document_json;
    const char *state;  /* "deploying", "healthy" or "failed" */
    const char *reason; /* NULL: "" */
    const char *source; /* NULL: "" */
} st_endpoint_spec;

/* Records a new endpoint at version 1 with two new keys, given back in
 * primary and secondary (and nowhere else). WF_EEXIST when the name is
 * taken. *out (may be NULL) gets the row. */
int st_endpoint_create(st_workspace *ws, const st_endpoint_spec *spec, char primary[ST_KEY_TEXT],
                       char secondary[ST_KEY_TEXT], st_endpoint *out, wf_error *err);
/* A redeploy: the next version, with the spec's document, state, reason
 * and source; the keys stay. WF_ENOTFOUND when there is no such endpoint. */
int st_endpoint_redeploy(st_workspace *ws, const st_endpoint_spec *spec, st_endpoint *out,
                         wf_error *err);
/* Sets the state and reason of version `version` (a newer version is left
 * alone: its deploy decides its own state). */
int st_endpoint_set_state(st_workspace *ws, const char *name, int version, const char *state,
                          const char *reason, wf_error *err);
/* WF_ENOTFOUND when there is none. */
int st_endpoint_get(st_workspace *ws, const char *name, st_endpoint *out, wf_error *err);
/* Every endpoint, by name. */
int st_endpoint_list(st_workspace *ws, st_endpoint **out, size_t *count, wf_error *err);
/* WF_ENOTFOUND when there is none. */
int st_endpoint_delete(st_workspace *ws, const char *name, wf_error *err);
/* Replaces the primary (which 0) or secondary (1) key with a new one,
 * given back in key; the old one stops matching. */
int st_endpoint_regenerate_key(st_workspace *ws, const char *name, int which, char key[ST_KEY_TEXT],
                               wf_error *err);

/* ---- compute targets (#12; compute.c) ------------------------------------ */

/* A compute target is where a run's steps execute (DESIGN.md section 5):
 * "local", the built-in default (never stored), or a named target of kind
 * "local" or "slurm" with its settings as JSON text, which the store keeps
 * and does not read (the engine checks them before they are saved).
 *
 *     st_compute_save(ws, "hpc", "slurm", "{\"partition\": \"short\"}", false, &err);
 *     st_compute_target t;
 *     st_compute_get(ws, "hpc", &t, &err);
 *     st_compute_target_clear(&t);
 *
 * A run remembers its target (runs.compute) and each step the scheduler job
 * that ran it (steps.job_id). */

#define ST_COMPUTE_LOCAL "local"

typedef struct st_compute_target {
    char *name;
    char *kind;        /* "local" or "slurm" */
    char *config_json; /* the settings, "{}" for none */
    char *created_at;  /* "" for the built-in target */
} st_compute_target;

void st_compute_target_clear(st_compute_target *t); /* accepts a zeroed struct */
void st_compute_targets_free(st_compute_target *t, size_t n);

/* A name is 1-100 characters of letters, digits, '-', '_' and '.', starting
 * with a letter or digit. */
int st_compute_name_check(const char *name, wf_error *err);
/* Saves a target. WF_EEXIST when the name is taken and !replace; WF_EINVAL
 * for a bad name, an unknown kind, or the name "local". */
int st_compute_save(st_workspace *ws, const char *name, const char *kind, const char *config_json,
                    bool replace, wf_error *err);
/* One target ("local" included); WF_ENOTFOUND when there is none. */
int st_compute_get(st_workspace *ws, const char *name, st_compute_target *out, wf_error *err);
/* Every target, "local" first, then the others by name. */
int st_compute_list(st_workspace *ws, st_compute_target **out, size_t *count, wf_error *err);
/* WF_ENOTFOUND when there is no such target; WF_EINVAL for "local". Runs
 * that used it keep its name. */
int st_compute_remove(st_workspace *ws, const char *name, wf_error *err);

/* The target a run executes on ("local" unless set); *name is malloc'd. */
int st_run_set_compute(st_workspace *ws, int64_t run_id, const char *name, wf_error *err);
int st_run_compute(st_workspace *ws, int64_t run_id, char **name, wf_error *err);

/* The scheduler job that runs (or ran) a step: its id as the scheduler
 * writes it ("" for a local step). */
typedef struct st_step_job {
    char *node_id;
    char *job_id;
} st_step_job;

void st_step_jobs_free(st_step_job *j, size_t n); /* accepts NULL */
int st_step_set_job(st_workspace *ws, int64_t run_id, const char *node_id, const char *job_id,
                    wf_error *err);
/* The steps of a run that have a job, in the run's order. */
int st_step_jobs(st_workspace *ws, int64_t run_id, st_step_job **out, size_t *count, wf_error *err);

/* Jobs left behind: when st_runs_mark_interrupted finds a run whose process
 * died, the jobs of the steps it left queued or running are remembered, so
 * that the next executor can cancel them (engine/orphans.c). st_orphan_jobs
 * lists their ids (*out: an array of strings, freed with
 * st_orphan_jobs_free); st_orphan_jobs_forget removes those cancelled. */
int st_orphan_jobs(st_workspace *ws, char ***out, size_t *count, wf_error *err);
int st_orphan_jobs_forget(st_workspace *ws, char *const *jobs, size_t n, wf_error *err);
void st_orphan_jobs_free(char **jobs, size_t n); /* accepts NULL */

#endif
