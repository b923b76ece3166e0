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
/* The artifact's path in the workspace (malloc'd; caller frees), or NULL on
 * OOM. It need not exist. */
char *st_artifact_path(const st_workspace *ws, const char *digest);
bool st_artifact_exists(const st_workspace *ws, const char *digest);
/* Memory-maps a table artifact. */
int st_artifact_load_table(st_workspace *ws, const char *digest, tbl_table **out, wf_error *err);

/* ---- datasets ---------------------------------------------------------- */

typedef struct st_dataset_version {
    char *name;
    int version; /* 1, 2, ... per name */
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
/* Looks up `name`, `name@N` or `name@latest` (latest = highest version). */
int st_dataset_get(st_workspace *ws, const char *ref, st_dataset_version *out, wf_error *err);
/* The latest version of every dataset, by name; archived ones only if asked. */
int st_dataset_list(st_workspace *ws, bool include_archived, st_dataset_version **out,
                    size_t *count, wf_error *err);
/* Every version of one dataset, oldest first. */
int st_dataset_versions(st_workspace *ws, const char *name, st_dataset_version **out,
                        size_t *count, wf_error *err);
/* Archives a dataset (all versions): hidden from lists, still loadable. */
int st_dataset_archive(st_workspace *ws, const char *name, wf_error *err);
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

#endif
