/*
 * routes_datasets.c: the dataset registry over HTTP (DESIGN.md section 7,
 * docs/api.md "Datasets"): upload, list, versions, preview, profile,
 * download and archive.
 *
 * The store does the work; this file translates. Three rules shape it:
 *   - a name comes from the client, so it is checked with
 *     st_dataset_name_check before it reaches the store (which builds no
 *     paths from it anyway): an invalid name is 422 on upload and 404 on a
 *     lookup, since no dataset can have it;
 *   - no reply carries a file-system path: messages from the readers and the
 *     store name the temporary upload file or the workspace, so they pass
 *     through ds__scrub first, and "file:/abs/path" sources show their base
 *     name only;
 *   - a failed upload leaves nothing: no dataset version (the store's
 *     registration is one transaction) and no temporary file (ours are
 *     unlinked here; the daemon removes the streamed body).
 */
#include "dataset_upload.h"
#include "server_int.h"

#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#define DS__PREVIEW_LIMIT_DEFAULT 100
#define DS__PREVIEW_LIMIT_MAX 1000
#define DS__DESCRIPTION_MAX 4096
/* Bytes searched for a NUL when telling a binary file from text. */
#define DS__SNIFF_BYTES 8192

/* ---- JSON and messages ------------------------------------------------- */

/* A JSON string of s[0..n). Table strings may hold any bytes; invalid UTF-8
 * becomes U+FFFD byte by byte rather than failing the whole reply. */
static json_t *ds__text(const char *s, size_t n)
{
    if (wf_utf8_valid(s, n, NULL)) return json_stringn(s, n);
    wf_buf b = {0};
    size_t i = 0;
    while (i < n) {
        size_t bad = 0;
        if (wf_utf8_valid(s + i, n - i, &bad)) bad = n - i;
        wf_buf_append(&b, s + i, bad);
        i += bad;
        if (i < n) {
            wf_buf_puts(&b, "\xef\xbf\xbd");
            i++;
        }
    }
    json_t *j = b.failed ? NULL : json_stringn(b.data ? b.data : "", b.len);
    wf_buf_free(&b);
    return j;
}

static json_t *ds__str(const char *s)
{
    return ds__text(s ? s : "", s ? strlen(s) : 0);
}

/* Replaces every occurrence of `what` in err->message with `with`. */
static void ds__replace(wf_error *err, const char *what, const char *with)
{
    size_t wn = strlen(what);
    if (wn == 0 || strstr(err->message, what) == NULL) return;
    char out[WF_ERROR_MESSAGE_MAX];
    size_t o = 0;
    for (const char *p = err->message; *p && o + 1 < sizeof out;) {
        if (strncmp(p, what, wn) == 0) {
            o += (size_t)snprintf(out + o, sizeof out - o, "%s", with);
            if (o >= sizeof out) o = sizeof out - 1;
            p += wn;
        } else
            out[o++] = *p++;
    }
    out[o] = '\0';
    memcpy(err->message, out, o + 1);
}

/* Makes a message safe to reply with: the temporary file (if any) becomes
 * `shown`, the workspace directory disappears, and bytes that are not
 * printable UTF-8 become '?'. */
static void ds__scrub(wf_error *err, st_workspace *ws, const char *tmp, const char *shown)
{
    if (tmp != NULL) ds__replace(err, tmp, shown);
    /* A relative workspace such as "." would match ordinary text, so only
     * "dir/" is removed, and the bare directory only when it is absolute. */
    const char *wsdir = ws ? st_workspace_dir(ws) : NULL;
    if (wsdir != NULL && strlen(wsdir) > 1) {
        char dir[PATH_MAX + 2];
        snprintf(dir, sizeof dir, "%s/", wsdir);
        ds__replace(err, dir, "");
        if (wsdir[0] == '/') ds__replace(err, wsdir, "the workspace");
    }
    size_t n = strlen(err->message);
    bool utf8 = wf_utf8_valid(err->message, n, NULL);
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)err->message[i];
        if (c < 0x20 || c == 0x7f || (!utf8 && c >= 0x80)) err->message[i] = '?';
    }
}

/* A store error as a reply, scrubbed. */
static int ds__reply_store(srv_response *res, st_workspace *ws, wf_error *err)
{
    ds__scrub(err, ws, NULL, NULL);
    return srv_reply_wf_error(res, err);
}

/* A client's string, shortened and made printable, for a message. */
static void ds__shown(const char *s, char *buf, size_t cap)
{
    snprintf(buf, cap, "%s", s ? s : "");
    size_t n = strlen(buf);
    bool utf8 = wf_utf8_valid(buf, n, NULL);
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)buf[i];
        if (c < 0x20 || c == 0x7f || (!utf8 && c >= 0x80)) buf[i] = '?';
    }
}

/* Where a dataset came from, without a file-system path: "file:/a/b.csv"
 * shows as "file:b.csv". */
static json_t *ds__source_json(const char *src)
{
    if (src == NULL) return json_string("");
    const char *value = src;
    size_t scheme = 0;
    if (strncmp(src, "file:", 5) == 0) {
        scheme = 5;
        value = src + 5;
    } else if (src[0] != '/')
        return ds__str(src);
    const char *slash = strrchr(value, '/');
    const char *base = slash ? slash + 1 : value;
    wf_buf b = {0};
    wf_buf_append(&b, src, scheme);
    wf_buf_puts(&b, base);
    json_t *j = b.failed ? NULL : ds__str(b.data ? b.data : "");
    wf_buf_free(&b);
    return j;
}

/* A version as the API shows it (docs/api.md). */
static json_t *ds__version_json(const st_dataset_version *v)
{
    return json_pack("{s:o*, s:i, s:o*, s:o*, s:o*, s:I, s:I, s:I, s:o*, s:b}", "name",
                     ds__str(v->name), "version", v->version, "digest", ds__str(v->digest),
                     "description", ds__str(v->description), "source", ds__source_json(v->source),
                     "rows", (json_int_t)v->rows, "columns", (json_int_t)v->cols, "bytes",
                     (json_int_t)v->bytes, "created_at", ds__str(v->created_at), "archived",
                     v->archived);
}

static int ds__reply_version(srv_response *res, int status, const st_dataset_version *v)
{
    json_t *j = ds__version_json(v);
    if (j == NULL) return srv_reply_error(res, 500, "internal", "out of memory");
    return srv_reply_json(res, status, j);
}

/* ---- lookups ----------------------------------------------------------- */

/* The reference ("name", or "name@N" when with_version and ?version=N) that
 * {name} makes. Fills a reply and returns -1 when there is none: 404 for a
 * name no dataset can have, 400 for a bad version. */
static int ds__ref(srv_request *req, srv_response *res, bool with_version, char *ref, size_t cap)
{
    const char *name = srv_path_param(req, 0);
    if (st_dataset_name_check(name, NULL) < 0) {
        char shown[128];
        ds__shown(name, shown, sizeof shown);
        srv_reply_error(res, 404, "not_found", "no dataset is named \"%s\"", shown);
        return -1;
    }
    int64_t version = with_version ? srv_query_int(req, res, "version", 0, INT_MAX) : 0;
    if (version < 0) return -1;
    if (version > 0)
        snprintf(ref, cap, "%s@%d", name, (int)version);
    else
        snprintf(ref, cap, "%s", name);
    return 0;
}

static st_workspace *ds__workspace(srv_request *req, srv_response *res)
{
    st_workspace *ws = srv_workspace(req);
    if (ws == NULL) srv_reply_error(res, 500, "internal", "the workspace could not be opened");
    return ws;
}

/* Replies {key: [version...]} and frees the versions. */
static int ds__reply_versions(srv_response *res, const char *key, st_dataset_version *v, size_t n)
{
    json_t *list = json_array();
    for (size_t i = 0; list != NULL && i < n; i++)
        if (json_array_append_new(list, ds__version_json(&v[i])) < 0) {
            json_decref(list);
            list = NULL;
        }
    st_dataset_versions_free(v, n);
    json_t *body = list ? json_pack("{s:o}", key, list) : NULL;
    if (body == NULL) return srv_reply_error(res, 500, "internal", "out of memory");
    return srv_reply_json(res, 200, body);
}

/* GET /api/datasets[?archived=true] */
static int list_datasets(srv_request *req, srv_response *res)
{
    st_workspace *ws = ds__workspace(req, res);
    if (ws == NULL) return 0;
    const char *archived = srv_query(req, "archived");
    bool all = archived != NULL && (strcmp(archived, "true") == 0 || strcmp(archived, "1") == 0);
    st_dataset_version *v = NULL;
    size_t n = 0;
    wf_error err = {0};
    if (st_dataset_list(ws, all, &v, &n, &err) < 0) return ds__reply_store(res, ws, &err);
    return ds__reply_versions(res, "datasets", v, n);
}

/* GET /api/datasets/{name}[?version=N] */
static int get_dataset(srv_request *req, srv_response *res)
{
    char ref[160];
    if (ds__ref(req, res, true, ref, sizeof ref) < 0) return 0;
    st_workspace *ws = ds__workspace(req, res);
    if (ws == NULL) return 0;
    st_dataset_version v = {0};
    wf_error err = {0};
    if (st_dataset_get(ws, ref, &v, &err) < 0) return ds__reply_store(res, ws, &err);
    ds__reply_version(res, 200, &v);
    st_dataset_version_clear(&v);
    return 0;
}

/* GET /api/datasets/{name}/versions */
static int list_versions(srv_request *req, srv_response *res)
{
    char ref[160];
    if (ds__ref(req, res, false, ref, sizeof ref) < 0) return 0;
    st_workspace *ws = ds__workspace(req, res);
    if (ws == NULL) return 0;
    st_dataset_version *v = NULL;
    size_t n = 0;
    wf_error err = {0};
    if (st_dataset_versions(ws, srv_path_param(req, 0), &v, &n, &err) < 0)
        return ds__reply_store(res, ws, &err);
    return ds__reply_versions(res, "versions", v, n);
}

/* POST /api/datasets/{name}/archive and .../reactivate: hides the dataset
 * from lists or shows it again (Azure's Archive and Reactivate). */
static int ds__set_archived(srv_request *req, srv_response *res, bool archived)
{
    char ref[160];
    if (ds__ref(req, res, false, ref, sizeof ref) < 0) return 0;
    st_workspace *ws = ds__workspace(req, res);
    if (ws == NULL) return 0;
    const char *name = srv_path_param(req, 0);
    st_dataset_version v = {0};
    wf_error err = {0};
    if (st_dataset_archive(ws, name, archived, &err) < 0 || st_dataset_get(ws, name, &v, &err) < 0)
        return ds__reply_store(res, ws, &err);
    ds__reply_version(res, 200, &v);
    st_dataset_version_clear(&v);
    return 0;
}

static int archive_dataset(srv_request *req, srv_response *res)
{
    return ds__set_archived(req, res, true);
}

static int reactivate_dataset(srv_request *req, srv_response *res)
{
    return ds__set_archived(req, res, false);
}

/* ---- contents ---------------------------------------------------------- */

/* One cell as JSON: numbers as numbers, missing as null, datetimes as
 * ISO-8601 strings, categoricals as their level. */
static json_t *ds__cell(const tbl_column *c, size_t row)
{
    if (tbl_is_missing(c, row)) return json_null();
    size_t n;
    const char *s;
    switch (c->type) {
    case TBL_NUMERIC:
        /* JSON has no NaN or infinity; the readers keep neither, but a
         * computed column might. */
        return isfinite(c->v.f64[row]) ? json_real(c->v.f64[row]) : json_null();
    case TBL_INTEGER:
        return json_integer((json_int_t)c->v.i64[row]);
    case TBL_BOOLEAN:
        return json_boolean(c->v.b8[row] != 0);
    case TBL_STRING:
        s = tbl_strings_at(&c->str, row, &n);
        return ds__text(s, n);
    case TBL_CATEGORICAL:
        if (c->v.codes[row] < 0 || (size_t)c->v.codes[row] >= c->levels.count) return json_null();
        s = tbl_strings_at(&c->levels, (size_t)c->v.codes[row], &n);
        return ds__text(s, n);
    case TBL_DATETIME: {
        char buf[64];
        size_t len = tbl_format_datetime(c->v.i64[row], buf, sizeof buf);
        return json_stringn(buf, len < sizeof buf ? len : sizeof buf - 1);
    }
    }
    return json_null();
}

static json_t *ds__preview_json(const tbl_table *t, size_t offset, size_t limit)
{
    json_t *schema = json_array(), *rows = json_array();
    bool ok = schema != NULL && rows != NULL;
    for (size_t j = 0; ok && j < t->ncols; j++) {
        const tbl_column *c = &t->cols[j];
        ok = json_array_append_new(schema, json_pack("{s:o*, s:s, s:s}", "name", ds__str(c->name),
                                                     "type", tbl_type_name(c->type), "role",
                                                     tbl_role_name(c->role))) == 0;
    }
    size_t first = offset < t->nrows ? offset : t->nrows;
    size_t last = t->nrows - first < limit ? t->nrows : first + limit;
    for (size_t r = first; ok && r < last; r++) {
        json_t *row = json_array();
        ok = json_array_append_new(rows, row) == 0;
        for (size_t j = 0; ok && j < t->ncols; j++)
            ok = json_array_append_new(row, ds__cell(&t->cols[j], r)) == 0;
    }
    if (!ok) {
        json_decref(schema);
        json_decref(rows);
        return NULL;
    }
    return json_pack("{s:o, s:I, s:I, s:I, s:o}", "schema", schema, "total_rows",
                     (json_int_t)t->nrows, "offset", (json_int_t)offset, "limit", (json_int_t)limit,
                     "rows", rows);
}

/* GET /api/datasets/{name}/preview?version=&offset=0&limit=100 */
static int preview_dataset(srv_request *req, srv_response *res)
{
    char ref[160];
    if (ds__ref(req, res, true, ref, sizeof ref) < 0) return 0;
    int64_t offset = srv_query_int(req, res, "offset", 0, INT64_MAX);
    if (offset < 0) return 0;
    int64_t limit = srv_query_int(req, res, "limit", DS__PREVIEW_LIMIT_DEFAULT, INT64_MAX);
    if (limit < 0) return 0;
    /* A larger limit is not an error, just more than one page gives. */
    if (limit > DS__PREVIEW_LIMIT_MAX) limit = DS__PREVIEW_LIMIT_MAX;
    st_workspace *ws = ds__workspace(req, res);
    if (ws == NULL) return 0;
    tbl_table *t = NULL;
    wf_error err = {0};
    if (st_dataset_load(ws, ref, &t, NULL, &err) < 0) return ds__reply_store(res, ws, &err);
    json_t *body = ds__preview_json(t, (size_t)offset, (size_t)limit);
    tbl_free(t);
    if (body == NULL) return srv_reply_error(res, 500, "internal", "out of memory");
    return srv_reply_json(res, 200, body);
}

/* GET /api/datasets/{name}/profile?version= */
static int profile_dataset(srv_request *req, srv_response *res)
{
    char ref[160];
    if (ds__ref(req, res, true, ref, sizeof ref) < 0) return 0;
    st_workspace *ws = ds__workspace(req, res);
    if (ws == NULL) return 0;
    st_dataset_version v = {0};
    wf_error err = {0};
    if (st_dataset_get(ws, ref, &v, &err) < 0) return ds__reply_store(res, ws, &err);
    json_t *profile = v.profile_json ? json_loads(v.profile_json, 0, NULL) : NULL;
    if (profile == NULL)
        srv_reply_error(res, 500, "internal", "the stored profile of %s@%d is not valid JSON",
                        v.name, v.version);
    else
        srv_reply_json(res, 200, profile);
    st_dataset_version_clear(&v);
    return 0;
}

/* GET /api/datasets/{name}/download?format=csv|tsv|json|native&version= */
static int download_dataset(srv_request *req, srv_response *res)
{
    char ref[160];
    if (ds__ref(req, res, true, ref, sizeof ref) < 0) return 0;
    const char *fmt_name = srv_query(req, "format");
    tbl_format format = TBL_FORMAT_CSV;
    if (fmt_name != NULL && (tbl_format_parse(fmt_name, &format) < 0 || format == TBL_FORMAT_AUTO ||
                             format == TBL_FORMAT_ARFF)) {
        char shown[64];
        ds__shown(fmt_name, shown, sizeof shown);
        return srv_reply_error(res, 415, "unsupported_format",
                               "cannot download as \"%s\": use csv, tsv, json or native", shown);
    }
    st_workspace *ws = ds__workspace(req, res);
    if (ws == NULL) return 0;
    tbl_table *t = NULL;
    st_dataset_version v = {0};
    wf_error err = {0};
    if (st_dataset_load(ws, ref, &t, &v, &err) < 0) return ds__reply_store(res, ws, &err);

    wf_buf text = {0};
    uint8_t *native = NULL;
    size_t size = 0;
    int rc;
    const char *type, *ext;
    if (format == TBL_FORMAT_NATIVE) {
        rc = tbl_native_encode(t, &native, &size, &err);
        type = "application/octet-stream";
        ext = "wtbl";
    } else if (format == TBL_FORMAT_JSON) {
        rc = tbl_write_json(t, &text, &err);
        type = "application/json";
        ext = "json";
    } else {
        bool tsv = format == TBL_FORMAT_TSV;
        rc = tbl_write_csv(t, tsv ? '\t' : ',', &text, &err);
        type = tsv ? "text/tab-separated-values" : "text/csv";
        ext = tsv ? "tsv" : "csv";
    }
    tbl_free(t);
    if (rc == 0 && text.failed) rc = wf_error_set(&err, WF_ENOMEM, "out of memory");
    char *bytes = native ? (char *)native : text.data;
    if (rc == 0 && bytes == NULL) bytes = malloc(1); /* an empty body still needs a buffer */
    if (rc == 0 && bytes == NULL) rc = wf_error_set(&err, WF_ENOMEM, "out of memory");
    if (rc < 0) {
        free(native);
        wf_buf_free(&text);
        st_dataset_version_clear(&v);
        return ds__reply_store(res, ws, &err);
    }
    if (native == NULL) size = text.len;
    srv_reply_bytes(res, 200, type, bytes, size);
    char name[256];
    snprintf(name, sizeof name, "%s@%d.%s", v.name, v.version, ext);
    res->download_name = wf_strdup(name);
    st_dataset_version_clear(&v);
    return 0;
}

/* ---- upload ------------------------------------------------------------ */

/* What one upload request asks for, gathered from the query string and, for
 * multipart bodies, the form fields (the query string wins). */
typedef struct ds_upload_request {
    const char *name, *format, *description, *header;
    const char *file;     /* the file to read */
    size_t size;          /* its bytes */
    const char *filename; /* the client's file name, or NULL */
} ds_upload_request;

/* Reads the uploaded file and registers it; fills the reply either way. */
static int ds__register_upload(srv_response *res, st_workspace *ws, const ds_upload_request *u)
{
    wf_error err = {0};
    if (u->name == NULL || u->name[0] == '\0')
        return srv_reply_error(res, 422, "invalid",
                               "name is required: the dataset's name, as ?name=...");
    if (st_dataset_name_check(u->name, &err) < 0) {
        ds__scrub(&err, NULL, NULL, NULL);
        return srv_reply_error(res, 422, "invalid", "name: %s", err.message);
    }
    tbl_read_options opt = {0};
    bool explicit_format = u->format != NULL && u->format[0] != '\0';
    if (explicit_format && (tbl_format_parse(u->format, &opt.format) < 0)) {
        char shown[64];
        ds__shown(u->format, shown, sizeof shown);
        return srv_reply_error(res, 415, "unsupported_format",
                               "format \"%s\" is not supported: use csv, tsv, arff, json or native",
                               shown);
    }
    if (u->header != NULL && strcmp(u->header, "true") == 0)
        opt.header = TBL_HEADER_PRESENT;
    else if (u->header != NULL && strcmp(u->header, "false") == 0)
        opt.header = TBL_HEADER_ABSENT;
    else if (u->header != NULL && u->header[0] != '\0')
        return srv_reply_error(res, 400, "bad_query", "header must be true or false");
    const char *desc = u->description ? u->description : "";
    if (strlen(desc) > DS__DESCRIPTION_MAX || !wf_utf8_valid(desc, strlen(desc), NULL))
        return srv_reply_error(res, 422, "invalid",
                               "description must be UTF-8 text of at most %d bytes",
                               DS__DESCRIPTION_MAX);
    if (u->file == NULL || u->size == 0)
        return srv_reply_error(res, 422, "invalid",
                               "the uploaded file is empty: send the file as the request body "
                               "or as the \"file\" part of a multipart form");

    /* How messages name the file: the client's file name, else "upload". */
    const char *shown = u->filename ? u->filename : "upload";
    if (opt.format == TBL_FORMAT_AUTO) {
        wf_mapped_file m = {0};
        if (wf_map_file(u->file, &m, &err) < 0) {
            ds__scrub(&err, ws, u->file, shown);
            return srv_reply_error(res, 500, "internal", "%s", err.message);
        }
        opt.format = tbl_detect_format(u->filename, m.data, m.size);
        /* Detection falls back to CSV; a NUL byte near the start means the
         * file is not text at all (a spreadsheet, an archive, ...). */
        size_t sniff = m.size < DS__SNIFF_BYTES ? m.size : DS__SNIFF_BYTES;
        bool binary = (opt.format == TBL_FORMAT_CSV || opt.format == TBL_FORMAT_TSV) &&
                      m.data != NULL && memchr(m.data, 0, sniff) != NULL;
        wf_unmap_file(&m);
        if (binary)
            return srv_reply_error(res, 415, "unsupported_format",
                                   "%s%s%s is not CSV, TSV, ARFF, JSON or a weft native table",
                                   u->filename ? "\"" : "",
                                   u->filename ? u->filename : "the upload",
                                   u->filename ? "\"" : "");
    }

    char *warnings = NULL;
    opt.warnings = &warnings;
    tbl_table *t = NULL;
    if (tbl_read_file(u->file, &opt, &t, &err) < 0) {
        free(warnings);
        ds__scrub(&err, ws, u->file, shown);
        int status = err.code == WF_EFORMAT  ? 415
                     : err.code == WF_ELIMIT ? 413
                     : err.code == WF_ENOMEM ? 500
                                             : 422;
        const char *code = status == 415           ? "unsupported_format"
                           : status == 413         ? "too_large"
                           : status == 500         ? "internal"
                           : err.code == WF_ETYPE  ? "wrong_type"
                           : err.code == WF_EINVAL ? "invalid"
                                                   : "parse_error";
        return srv_reply_error(res, status, code, "%s", err.message);
    }
    wf_buf source = {0};
    wf_buf_printf(&source, "upload:%s", u->filename ? u->filename : u->name);
    st_dataset_version v = {0};
    int rc = source.failed ? wf_error_set(&err, WF_ENOMEM, "out of memory")
                           : st_dataset_register(ws, u->name, t, desc, source.data, &v, &err);
    wf_buf_free(&source);
    tbl_free(t);
    if (rc < 0) {
        free(warnings);
        return ds__reply_store(res, ws, &err);
    }
    json_t *body = ds__version_json(&v);
    if (body != NULL && warnings != NULL && warnings[0] != '\0') {
        /* What the reader changed (renamed duplicate columns, ...), one per
         * line: worth showing the person who uploaded the file. */
        json_t *list = json_array();
        char *save = NULL;
        for (char *line = strtok_r(warnings, "\n", &save); list && line;
             line = strtok_r(NULL, "\n", &save))
            json_array_append_new(list, ds__str(line));
        json_object_set_new(body, "warnings", list);
    }
    free(warnings);
    wf_buf location = {0};
    wf_buf_printf(&location, "/api/datasets/%s", v.name);
    res->extra_header_name = location.failed ? NULL : wf_strdup("Location");
    if (res->extra_header_name != NULL)
        res->extra_header_value = location.data; /* hands it over */
    else
        wf_buf_free(&location);
    st_dataset_version_clear(&v);
    if (body == NULL) return srv_reply_error(res, 500, "internal", "out of memory");
    return srv_reply_json(res, 201, body);
}

/* POST /api/datasets?name=N[&format=][&description=][&header=] */
static int upload_dataset(srv_request *req, srv_response *res)
{
    st_workspace *ws = ds__workspace(req, res);
    if (ws == NULL) return 0;
    wf_error err = {0};
    char tmp_dir[PATH_MAX];
    snprintf(tmp_dir, sizeof tmp_dir, "%s/tmp", st_workspace_dir(ws));
    if (wf_mkdirs(tmp_dir, &err) < 0) return ds__reply_store(res, ws, &err);

    ds_upload_request u = {
        .name = srv_query(req, "name"),
        .format = srv_query(req, "format"),
        .description = srv_query(req, "description"),
        .header = srv_query(req, "header"),
    };
    srv_upload part = {0};
    char *spooled = NULL;
    int rc = 0;
    const char *ctype = srv_header(req, "Content-Type");
    if (srv__is_multipart(ctype)) {
        /* The form is in the streamed file (or, for a small body, in
         * memory): map it rather than read it, however large it is. */
        wf_mapped_file m = {0};
        const uint8_t *data = (const uint8_t *)req->body;
        size_t len = req->body ? req->body_len : 0;
        if (req->upload_path != NULL) {
            rc = wf_map_file(req->upload_path, &m, &err);
            data = m.data;
            len = m.size;
        }
        if (rc == 0) rc = srv__multipart_extract(ctype, data, len, tmp_dir, &part, &err);
        wf_unmap_file(&m);
        if (rc < 0) {
            ds__scrub(&err, ws, req->upload_path, "the upload");
            int status = rc == WF_EPARSE ? 422 : 500;
            return srv_reply_error(res, status, status == 422 ? "parse_error" : "internal", "%s",
                                   err.message);
        }
        if (u.name == NULL) u.name = part.name;
        if (u.format == NULL) u.format = part.format;
        if (u.description == NULL) u.description = part.description;
        if (u.header == NULL) u.header = part.header;
        u.file = part.path;
        u.size = part.size;
        u.filename = part.filename;
    } else if (req->upload_path != NULL) {
        u.file = req->upload_path;
        u.size = req->upload_len;
    } else if (req->body != NULL && req->body_len > 0) {
        /* The readers want a file; a body the daemon kept in memory gets
         * one. */
        if (srv__upload_spool(tmp_dir, req->body, req->body_len, &spooled, &err) < 0)
            return ds__reply_store(res, ws, &err);
        u.file = spooled;
        u.size = req->body_len;
    }
    ds__register_upload(res, ws, &u);
    srv__upload_clear(&part);
    if (spooled != NULL) {
        unlink(spooled);
        free(spooled);
    }
    return 0;
}

const srv_route srv_dataset_routes[] = {
    {"POST", "/api/datasets", upload_dataset, SRV_ROUTE_STREAM_UPLOAD},
    {"GET", "/api/datasets", list_datasets, 0},
    {"GET", "/api/datasets/{name}", get_dataset, 0},
    {"GET", "/api/datasets/{name}/versions", list_versions, 0},
    {"GET", "/api/datasets/{name}/preview", preview_dataset, 0},
    {"GET", "/api/datasets/{name}/profile", profile_dataset, 0},
    {"GET", "/api/datasets/{name}/download", download_dataset, 0},
    {"POST", "/api/datasets/{name}/archive", archive_dataset, 0},
    {"POST", "/api/datasets/{name}/reactivate", reactivate_dataset, 0},
    {NULL, NULL, NULL, 0},
};
