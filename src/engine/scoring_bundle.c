/*
 * scoring_bundle.c: endpoint bundles (engine.h; docs/formats.md, "Endpoint
 * bundles"). A bundle is a directory that holds one endpoint and everything
 * its plan reads, so that a server with no workspace and no database can
 * score with it:
 *
 *     manifest.json          what the bundle is (format, name, version, key
 *                            digests, input schema) and where its parts are
 *     pipeline.json          the inference pipeline, as deployed
 *     artifacts/<sha256>.json  each JSON artifact the constants read
 *                            (trained models, fitted transforms), byte for
 *                            byte as in the workspace
 *     datasets/<n>.weft      each dataset the constants load, in the native
 *                            table format
 *
 * What the bundle says is not trusted: part names are rebuilt from the
 * digests and dataset numbers rather than taken as paths, and every
 * artifact must hash to its name before it is read.
 */
#include "run_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* ---- exporting ------------------------------------------------------------- */

static int eng__write_json_file(const char *path, json_t *v, wf_error *err)
{
    char *text = json_dumps(v, JSON_INDENT(2) | JSON_SORT_KEYS);
    if (text == NULL) return wf_error_set(err, WF_ENOMEM, "out of memory");
    size_t n = strlen(text);
    text[n] = '\n'; /* the NUL becomes the final newline */
    int rc = wf_write_file_atomic(path, text, n + 1, err);
    free(text);
    return rc;
}

/* Copies artifact `digest` of ws into <dir>/artifacts/<digest>.json. */
static int eng__export_artifact(st_workspace *ws, const char *dir, const char *digest,
                                wf_error *err)
{
    char *from = st_artifact_path(ws, digest);
    if (from == NULL) return wf_error_set(err, WF_ENOMEM, "out of memory");
    char *bytes = NULL;
    size_t size = 0;
    int rc = wf_read_file(from, &bytes, &size, err);
    free(from);
    if (rc < 0) return wf_error_prefix(err, "artifact %s", digest);
    char to[4096];
    snprintf(to, sizeof to, "%s/artifacts/%s.json", dir, digest);
    rc = wf_write_file_atomic(to, bytes, size, err);
    free(bytes);
    return rc;
}

/* Writes dataset `ref` of ws as <dir>/datasets/<k>.weft and describes it. */
static int eng__export_dataset(st_workspace *ws, const char *dir, const char *ref, size_t k,
                               json_t *datasets, wf_error *err)
{
    tbl_table *t = NULL;
    st_dataset_version meta = {0};
    int rc = st_dataset_load(ws, ref, &t, &meta, err);
    if (rc < 0) return wf_error_prefix(err, "dataset %s", ref);
    char file[64], path[4096];
    snprintf(file, sizeof file, "datasets/%zu.weft", k);
    snprintf(path, sizeof path, "%s/%s", dir, file);
    rc = tbl_write_file(t, path, TBL_FORMAT_NATIVE, err);
    tbl_free(t);
    if (rc == 0 &&
        json_object_set_new(datasets, ref,
                            json_pack("{s:s, s:s, s:i, s:s}", "file", file, "name", meta.name,
                                      "version", meta.version, "digest", meta.digest)) < 0)
        rc = wf_error_set(err, WF_ENOMEM, "out of memory");
    st_dataset_version_clear(&meta);
    return rc;
}

/* The input schema as Web Service Input's schema parameter writes it. */
static json_t *eng__schema_json(const tbl_table *t)
{
    json_t *cols = json_array();
    for (size_t j = 0; cols != NULL && j < t->ncols; j++) {
        const tbl_column *c = &t->cols[j];
        json_t *col = json_pack("{s:s, s:s}", "name", c->name, "type", tbl_type_name(c->type));
        if (col != NULL && c->type == TBL_CATEGORICAL) {
            json_t *levels = json_array();
            for (size_t l = 0; levels != NULL && l < c->levels.count; l++) {
                size_t len;
                const char *s = tbl_strings_at(&c->levels, l, &len);
                json_array_append_new(levels, json_stringn(s, len));
            }
            json_object_set_new(col, "levels", levels);
        }
        if (col == NULL || json_array_append_new(cols, col) < 0) {
            json_decref(cols);
            return NULL;
        }
    }
    return json_pack("{s:o}", "columns", cols);
}

int eng_endpoint_export(st_workspace *ws, const char *name, const char *dir, wf_error *err)
{
    st_endpoint e = {0};
    eng_scoring_plan *plan = NULL;
    json_t *manifest = NULL, *artifacts = json_object(), *datasets = json_object();
    int rc = st_endpoint_get(ws, name, &e, err);
    if (rc < 0) goto out;
    if ((rc = eng_endpoint_compile(ws, e.document_json, &plan, err)) < 0) {
        wf_error_prefix(err, "endpoint \"%s\" does not compile", name);
        goto out;
    }
    char path[4096];
    snprintf(path, sizeof path, "%s/manifest.json", dir);
    if (access(path, F_OK) == 0) {
        rc = wf_error_set(err, WF_EEXIST, "%s already holds a bundle; choose an empty directory",
                          dir);
        goto out;
    }
    char sub[4096];
    snprintf(sub, sizeof sub, "%s/artifacts", dir);
    if ((rc = wf_mkdirs(sub, err)) < 0) goto out;
    snprintf(sub, sizeof sub, "%s/datasets", dir);
    if ((rc = wf_mkdirs(sub, err)) < 0) goto out;
    if (artifacts == NULL || datasets == NULL) {
        rc = wf_error_set(err, WF_ENOMEM, "out of memory");
        goto out;
    }
    size_t n;
    const char *const *digests = eng_scoring_artifacts(plan, &n);
    for (size_t i = 0; i < n && rc == 0; i++) {
        char file[128];
        snprintf(file, sizeof file, "artifacts/%s.json", digests[i]);
        rc = eng__export_artifact(ws, dir, digests[i], err);
        if (rc == 0 && json_object_set_new(artifacts, digests[i], json_string(file)) < 0)
            rc = wf_error_set(err, WF_ENOMEM, "out of memory");
    }
    const char *const *refs = eng_scoring_datasets(plan, &n);
    for (size_t i = 0; i < n && rc == 0; i++)
        rc = eng__export_dataset(ws, dir, refs[i], i + 1, datasets, err);
    if (rc < 0) goto out;
    snprintf(path, sizeof path, "%s/pipeline.json", dir);
    if ((rc = wf_write_file_atomic(path, e.document_json, strlen(e.document_json), err)) < 0)
        goto out;
    char now[ST_TIMESTAMP_MAX];
    st_timestamp(now);
    manifest = json_pack("{s:s, s:s, s:i, s:s, s:s, s:s, s:{s:s, s:s}, s:O, s:O, s:o}", "format",
                         ENG_BUNDLE_FORMAT, "name", e.name, "version", e.version, "weft_version",
                         WEFT_VERSION, "exported_at", now, "pipeline", "pipeline.json", "keys",
                         "primary_sha256", e.primary_sha256, "secondary_sha256", e.secondary_sha256,
                         "artifacts", artifacts, "datasets", datasets, "input_schema",
                         eng__schema_json(eng_scoring_input_schema(plan)));
    if (manifest == NULL) {
        rc = wf_error_set(err, WF_ENOMEM, "out of memory");
        goto out;
    }
    /* The manifest last: a bundle with a manifest is a whole bundle. */
    snprintf(path, sizeof path, "%s/manifest.json", dir);
    rc = eng__write_json_file(path, manifest, err);
out:
    json_decref(manifest);
    json_decref(artifacts);
    json_decref(datasets);
    eng_scoring_plan_free(plan);
    st_endpoint_clear(&e);
    return rc;
}

/* ---- opening ----------------------------------------------------------- */

typedef struct eng__bundle {
    const char *dir;
    const json_t *manifest;
} eng__bundle;

static bool eng__is_digest(const char *s)
{
    size_t n = s ? strlen(s) : 0;
    bool hex = n == WF_SHA256_HEX - 1;
    for (size_t i = 0; hex && i < n; i++)
        hex = (s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f');
    return hex;
}

static int eng__bundle_artifact(void *user, const char *digest, json_t **out, wf_error *err)
{
    eng__bundle *b = user;
    *out = NULL;
    if (!eng__is_digest(digest) ||
        json_object_get(json_object_get(b->manifest, "artifacts"), digest) == NULL)
        return wf_error_set(err, WF_ENOTFOUND, "artifact %.64s is not in the bundle", digest);
    char path[4096];
    snprintf(path, sizeof path, "%s/artifacts/%s.json", b->dir, digest);
    char *bytes = NULL;
    size_t size = 0;
    int rc = wf_read_file(path, &bytes, &size, err);
    if (rc < 0) return rc;
    char hex[WF_SHA256_HEX];
    wf_sha256_hex(bytes, size, hex);
    if (strcmp(hex, digest) != 0) {
        free(bytes);
        return wf_error_set(err, WF_ECORRUPT,
                            "artifacts/%s.json of the bundle has been changed: its SHA-256 is %s",
                            digest, hex);
    }
    json_error_t jerr;
    *out = json_loadb(bytes, size, JSON_DECODE_ANY, &jerr);
    free(bytes);
    if (*out == NULL)
        return wf_error_set(err, WF_ECORRUPT, "artifact %s of the bundle is not JSON: %s", digest,
                            jerr.text);
    return 0;
}

static int eng__bundle_dataset(void *user, const char *ref, tbl_table **out, wf_error *err)
{
    eng__bundle *b = user;
    *out = NULL;
    const char *file = json_string_value(
        json_object_get(json_object_get(json_object_get(b->manifest, "datasets"), ref), "file"));
    /* Only "datasets/<number>.weft": a name from the manifest never
     * becomes a path elsewhere. */
    unsigned long k = 0;
    char tail[8] = "";
    if (file == NULL || sscanf(file, "datasets/%lu.%6s", &k, tail) != 2 ||
        strcmp(tail, "weft") != 0)
        return wf_error_set(err, WF_ENOTFOUND, "dataset %.200s is not in the bundle", ref);
    char path[4096];
    snprintf(path, sizeof path, "%s/datasets/%lu.weft", b->dir, k);
    tbl_read_options opt = {.format = TBL_FORMAT_NATIVE};
    int rc = tbl_read_file(path, &opt, out, err);
    if (rc < 0) wf_error_prefix(err, "dataset %s of the bundle", ref);
    return rc;
}

int eng_bundle_open(const char *dir, eng_scoring_plan **plan, json_t **manifest, wf_error *err)
{
    *plan = NULL;
    if (manifest != NULL) *manifest = NULL;
    char path[4096];
    snprintf(path, sizeof path, "%s/manifest.json", dir);
    json_error_t jerr;
    json_t *m = json_load_file(path, 0, &jerr);
    if (m == NULL)
        return wf_error_set(err, WF_EINVAL, "%s is not an endpoint bundle: manifest.json: %s", dir,
                            jerr.text);
    const char *format = json_string_value(json_object_get(m, "format"));
    int rc = 0;
    if (format == NULL || strcmp(format, ENG_BUNDLE_FORMAT) != 0) {
        rc = wf_error_set(err, WF_EFORMAT, "the bundle's format is %s%s%s; this weft reads %s",
                          format ? "\"" : "", format ? format : "not given", format ? "\"" : "",
                          ENG_BUNDLE_FORMAT);
        goto out;
    }
    snprintf(path, sizeof path, "%s/pipeline.json", dir);
    eng_pipeline *p = NULL;
    if ((rc = eng_pipeline_load_file(path, &p, err)) < 0) {
        wf_error_prefix(err, "the bundle's pipeline.json");
        goto out;
    }
    eng__bundle b = {.dir = dir, .manifest = m};
    eng_env env = {
        .load_dataset = eng__bundle_dataset, .load_artifact = eng__bundle_artifact, .user = &b};
    rc = eng_scoring_compile(p, &env, plan, err);
    eng_pipeline_free(p);
out:
    if (rc == 0 && manifest != NULL)
        *manifest = m;
    else
        json_decref(m);
    return rc;
}
