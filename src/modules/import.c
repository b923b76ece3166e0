/*
 * import.c: `import-data@1`, the Azure designer's Import Data: a table read
 * from a file on this machine or downloaded from an HTTP(S) URL, in any
 * format the table readers know (CSV, TSV, ARFF, JSON records, native).
 *
 * A download streams to a temporary file as it arrives (libcurl), so the
 * data is never held twice: the reader then maps that file, exactly as it
 * maps a local one, and the file is removed before the step ends. Every
 * failure names the URL or path, and the reader's message names the line
 * and column.
 *
 * Import Data reads the world outside the workspace, whose contents the
 * step key cannot see, so its result is reused only when the node asks
 * (`use_cached_results`, as in Azure's Studio).
 */
#include "modules_int.h"

#include <curl/curl.h>
#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

static const char *const import_format_choices[] = {"auto", "csv",    "tsv", "arff",
                                                    "json", "native", NULL};
static const tbl_format import_formats[] = {TBL_FORMAT_AUTO, TBL_FORMAT_CSV,  TBL_FORMAT_TSV,
                                            TBL_FORMAT_ARFF, TBL_FORMAT_JSON, TBL_FORMAT_NATIVE};
static const char *const import_header_choices[] = {"guess", "yes", "no", NULL};
static const tbl_header import_headers[] = {TBL_HEADER_GUESS, TBL_HEADER_PRESENT,
                                            TBL_HEADER_ABSENT};

static const mod_param import_params[] = {
    {.name = "data_source_url",
     .label = "Data source URL",
     .type = MOD_PARAM_STRING,
     .required = true,
     .help = "An http:// or https:// URL, or the path of a file on the machine that runs the "
             "step (absolute, or relative to the directory weft was started in; `file://` "
             "URLs work too)."},
    {.name = "data_format",
     .label = "Data format",
     .type = MOD_PARAM_ENUM,
     .default_json = "\"auto\"",
     .choices = import_format_choices,
     .help = "`auto` goes by the name's extension (.csv, .tsv, .arff, .json, .wtbl), then by "
             "the first bytes. Or name the format: `csv`, `tsv`, `arff`, `json` (an array of "
             "records or an object of columns) or `native` (weft's own)."},
    {.name = "has_header",
     .label = "CSV or TSV has header row",
     .type = MOD_PARAM_ENUM,
     .default_json = "\"guess\"",
     .choices = import_header_choices,
     .visible_when = "data_format=auto|csv|tsv",
     .help = "Whether the first row names the columns: `yes`, `no` (the columns are named "
             "\"Column 1\", \"Column 2\"...) or `guess` (a header when no field of the first "
             "row is a number, a boolean, a date or missing)."},
    {.name = "use_cached_results",
     .label = "Use cached results",
     .type = MOD_PARAM_BOOL,
     .default_json = "false",
     .help = "Reuse the table an earlier run imported with the same parameters instead of "
             "reading the source again. Off, the source is read on every run, so a changed "
             "file or URL is always seen."},
    {.name = "timeout_seconds",
     .label = "Timeout (seconds)",
     .type = MOD_PARAM_INT,
     .default_json = "60",
     .has_min = true,
     .min = 1,
     .has_max = true,
     .max = 3600,
     .help = "URLs only: how long to wait for the server to accept the connection, and for "
             "more data while a download stalls."},
};

static const mod_port import_out[] = {
    {.name = "dataset", .kind = MOD_TABLE, .help = "The imported table."},
};

typedef enum import_kind { IMPORT_FILE, IMPORT_URL } import_kind;

/* What the parameters say, checked. */
typedef struct import_source {
    const char *text;   /* as given, for messages */
    const char *target; /* the URL, or the file's path */
    import_kind kind;
    tbl_read_options opt;
    long timeout;
} import_source;

static bool import_has_prefix(const char *s, const char *prefix)
{
    return strncasecmp(s, prefix, strlen(prefix)) == 0;
}

static int import_parse(mod_ctx *ctx, import_source *src)
{
    memset(src, 0, sizeof *src);
    size_t format, header;
    int64_t timeout;
    int rc = mod__param_choice(ctx, "data_format", &format);
    if (rc == 0) rc = mod__param_choice(ctx, "has_header", &header);
    if (rc == 0) rc = mod_param_int(ctx, "timeout_seconds", &timeout);
    if (rc < 0) return rc;
    bool cached;
    if ((rc = mod_param_bool(ctx, "use_cached_results", &cached)) < 0) return rc;
    const char *text = mod_param_string(ctx, "data_source_url");
    if (text == NULL || text[strspn(text, " \t\r\n")] == '\0')
        return mod_param_error(ctx, "data_source_url", "give a URL or a file path");
    src->text = text;
    src->target = text;
    src->kind = IMPORT_FILE;
    if (import_has_prefix(text, "http://") || import_has_prefix(text, "https://")) {
        src->kind = IMPORT_URL;
    } else if (import_has_prefix(text, "file://")) {
        src->target = text + strlen("file://");
        if (src->target[0] != '/')
            return mod_param_error(ctx, "data_source_url",
                                   "\"%s\": a file:// URL needs an absolute path (file:///...)",
                                   text);
    } else {
        const char *colon = strstr(text, "://");
        if (colon != NULL && strcspn(text, "/") > (size_t)(colon - text))
            return mod_param_error(ctx, "data_source_url",
                                   "\"%s\": only http://, https:// and file paths can be "
                                   "imported",
                                   text);
    }
    src->opt.format = import_formats[format];
    src->opt.header = import_headers[header];
    src->timeout = (long)timeout;
    return 0;
}

/* ---- downloading ------------------------------------------------------- */

typedef struct import_download {
    mod_ctx *ctx;
    FILE *file;
    int write_errno;
    curl_off_t bytes;
    double last_progress;
} import_download;

static size_t import_on_data(char *data, size_t size, size_t n, void *user)
{
    import_download *d = user;
    size_t len = size * n;
    if (len > 0 && fwrite(data, 1, len, d->file) != len) {
        d->write_errno = errno ? errno : EIO;
        return 0; /* fails the transfer with CURLE_WRITE_ERROR */
    }
    d->bytes += (curl_off_t)len;
    return len;
}

static int import_on_progress(void *user, curl_off_t dltotal, curl_off_t dlnow, curl_off_t ultotal,
                              curl_off_t ulnow)
{
    (void)ultotal;
    (void)ulnow;
    import_download *d = user;
    if (mod_cancelled(d->ctx)) return 1; /* aborts with CURLE_ABORTED_BY_CALLBACK */
    if (dltotal > 0) {
        /* The download is the first 90% of the step; reading is the rest. */
        double f = 0.9 * (double)dlnow / (double)dltotal;
        if (f - d->last_progress >= 0.01) {
            d->last_progress = f;
            mod_progress(d->ctx, f);
        }
    }
    return 0;
}

/* Turns a failed transfer into a message that says what happened, in the
 * words a person would use. */
static int import_download_error(mod_ctx *ctx, const import_source *src, CURL *curl, CURLcode code,
                                 const char *detail, const import_download *d)
{
    const char *url = src->text;
    long status = 0;
    switch (code) {
    case CURLE_HTTP_RETURNED_ERROR:
        curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &status);
        return mod_fail(ctx, status == 404 || status == 410 ? WF_ENOTFOUND : WF_EIO,
                        "%s: the server answered HTTP %ld%s", url, status,
                        status == 404 ? " (not found)" : "");
    case CURLE_COULDNT_RESOLVE_HOST:
        return mod_fail(ctx, WF_EIO, "%s: cannot find the host (%s)", url, detail);
    case CURLE_COULDNT_CONNECT:
        return mod_fail(ctx, WF_EIO, "%s: cannot connect (%s)", url, detail);
    case CURLE_OPERATION_TIMEDOUT:
        return mod_fail(ctx, WF_EIO, "%s: no answer within %ld s (%s)", url, src->timeout, detail);
    case CURLE_ABORTED_BY_CALLBACK:
        return mod_fail(ctx, WF_ECANCELED, "%s: the download was canceled", url);
    case CURLE_WRITE_ERROR:
        if (d->write_errno != 0)
            return mod_fail(ctx, WF_EIO, "%s: cannot save the download: %s", url,
                            strerror(d->write_errno));
        break;
    case CURLE_UNSUPPORTED_PROTOCOL:
        return mod_fail(ctx, WF_EIO, "%s: redirected to a URL that is not http or https (%s)", url,
                        detail);
    case CURLE_TOO_MANY_REDIRECTS:
        return mod_fail(ctx, WF_EIO, "%s: more than 10 redirects", url);
    default:
        break;
    }
    return mod_fail(ctx, WF_EIO, "%s: the download failed: %s", url, detail);
}

/* Downloads src's URL into a new temporary file, whose path goes to
 * tmp_path (the caller removes it, even on failure, when tmp_path[0]). */
static int import_fetch(mod_ctx *ctx, const import_source *src, char *tmp_path, size_t cap)
{
    const char *dir = getenv("TMPDIR");
    if (dir == NULL || dir[0] == '\0') dir = "/tmp";
    if ((size_t)snprintf(tmp_path, cap, "%s/weft-import-XXXXXX", dir) >= cap) {
        tmp_path[0] = '\0';
        return mod_fail(ctx, WF_EINVAL, "TMPDIR is too long");
    }
    int fd = mkstemp(tmp_path);
    if (fd < 0) {
        int e = errno;
        tmp_path[0] = '\0';
        return mod_fail(ctx, WF_EIO, "%s: cannot create a temporary file in %s: %s", src->text, dir,
                        strerror(e));
    }
    import_download d = {.ctx = ctx, .file = fdopen(fd, "wb")};
    if (d.file == NULL) {
        close(fd);
        return mod_fail(ctx, WF_ENOMEM, "out of memory");
    }
    CURL *curl = curl_easy_init();
    if (curl == NULL) {
        fclose(d.file);
        return mod_fail(ctx, WF_ENOMEM, "out of memory starting the download");
    }
    char detail[CURL_ERROR_SIZE] = "";
    curl_easy_setopt(curl, CURLOPT_URL, src->target);
    curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, detail);
    /* Only the web: a redirect to file:// or another scheme is refused. */
    curl_easy_setopt(curl, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(curl, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(curl, CURLOPT_FOLLOWLOCATION, 1L);
    curl_easy_setopt(curl, CURLOPT_MAXREDIRS, 10L);
    curl_easy_setopt(curl, CURLOPT_FAILONERROR, 1L);
    curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(curl, CURLOPT_USERAGENT, "weft-import-data/1");
    curl_easy_setopt(curl, CURLOPT_ACCEPT_ENCODING, ""); /* gzip and friends, decoded */
    /* No total time limit (the step has one), but a server that does not
     * accept the connection, or stops sending, is given up on. */
    curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT, src->timeout);
    curl_easy_setopt(curl, CURLOPT_LOW_SPEED_LIMIT, 1L);
    curl_easy_setopt(curl, CURLOPT_LOW_SPEED_TIME, src->timeout);
    curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, import_on_data);
    curl_easy_setopt(curl, CURLOPT_WRITEDATA, &d);
    curl_easy_setopt(curl, CURLOPT_NOPROGRESS, 0L);
    curl_easy_setopt(curl, CURLOPT_XFERINFOFUNCTION, import_on_progress);
    curl_easy_setopt(curl, CURLOPT_XFERINFODATA, &d);
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    CURLcode code = curl_easy_perform(curl);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    int rc = 0;
    if (code != CURLE_OK) {
        if (detail[0] == '\0') snprintf(detail, sizeof detail, "%s", curl_easy_strerror(code));
        rc = import_download_error(ctx, src, curl, code, detail, &d);
    }
    curl_easy_cleanup(curl);
    if (fclose(d.file) != 0 && rc == 0)
        rc = mod_fail(ctx, WF_EIO, "%s: cannot save the download: %s", src->text, strerror(errno));
    if (rc == 0)
        mod_log(ctx, "downloaded %lld bytes from %s in %.2f s", (long long)d.bytes, src->text,
                (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9);
    return rc;
}

/* ---- reading ----------------------------------------------------------- */

/* The path part of a URL (no query or fragment), into buf, so that the
 * extension of ".../cars.csv?raw=1" still names the format. */
static void import_url_path(const char *url, char *buf, size_t cap)
{
    const char *p = strstr(url, "://");
    p = p ? p + 3 : url;
    p += strcspn(p, "/?#");
    size_t len = strcspn(p, "?#");
    snprintf(buf, cap, "%.*s", (int)(len < cap ? len : cap - 1), p);
}

/* Reads the downloaded file at `path`; messages name the URL, not the
 * temporary file. */
static int import_read_download(mod_ctx *ctx, const import_source *src, const char *path,
                                tbl_table **out)
{
    wf_error err = {0};
    tbl_read_options opt = src->opt;
    wf_mapped_file m = {0};
    int rc = wf_map_file(path, &m, &err);
    if (rc < 0) return mod_fail_with(ctx, &err);
    if (opt.format == TBL_FORMAT_AUTO) {
        char url_path[1024];
        import_url_path(src->target, url_path, sizeof url_path);
        opt.format = tbl_detect_format(url_path, m.data, m.size);
    }
    const char *text = m.data ? (const char *)m.data : "";
    switch (opt.format) {
    case TBL_FORMAT_NATIVE:
        wf_unmap_file(&m);
        rc = tbl_native_load(path, out, &err);
        if (rc < 0) {
            /* The loader named the temporary file; name the URL instead. */
            const char *said = strncmp(err.message, path, strlen(path)) == 0
                                   ? err.message + strlen(path) + 2
                                   : err.message;
            return mod_fail(ctx, rc, "%s: %s", src->text, said);
        }
        return 0;
    case TBL_FORMAT_TSV:
        opt.delimiter = '\t';
        rc = tbl_read_csv(text, m.size, &opt, out, &err);
        break;
    case TBL_FORMAT_ARFF:
        rc = tbl_read_arff(text, m.size, &opt, out, &err);
        break;
    case TBL_FORMAT_JSON:
        rc = tbl_read_json(text, m.size, &opt, out, &err);
        break;
    default:
        rc = tbl_read_csv(text, m.size, &opt, out, &err);
        break;
    }
    wf_unmap_file(&m);
    if (rc < 0) return mod_fail(ctx, rc, "%s: %s", src->text, err.message);
    return 0;
}

static int import_configure(mod_ctx *ctx)
{
    /* Reading the source here would download it, or parse a whole file,
     * whenever the canvas checks the pipeline: the schema stays unknown
     * until the step runs. */
    import_source src;
    return import_parse(ctx, &src);
}

static int import_run(mod_ctx *ctx)
{
    import_source src;
    int rc = import_parse(ctx, &src);
    if (rc < 0) return rc;
    char *warnings = NULL;
    src.opt.warnings = &warnings;
    tbl_table *t = NULL;
    if (src.kind == IMPORT_URL) {
        char tmp[4096] = "";
        rc = import_fetch(ctx, &src, tmp, sizeof tmp);
        if (rc == 0) rc = import_read_download(ctx, &src, tmp, &t);
        /* A native table maps the file; the mapping outlives the name. */
        if (tmp[0] != '\0') unlink(tmp);
    } else {
        wf_error err = {0};
        rc = tbl_read_file(src.target, &src.opt, &t, &err);
        if (rc < 0) {
            /* The reader names the path it was given; say which parameter
             * it came from when the file itself is missing. */
            rc = err.code == WF_EIO
                     ? mod__field_error(ctx, "data_source_url", rc, "%s", err.message)
                     : mod_fail_with(ctx, &err);
        }
    }
    if (warnings != NULL && rc == 0) mod_log(ctx, "%s", warnings);
    free(warnings);
    if (rc < 0) return rc;
    mod_progress(ctx, 1.0);
    mod_log(ctx, "imported %zu rows, %zu columns from %s", t->nrows, t->ncols, src.text);
    return mod_output_table(ctx, "dataset", t);
}

static bool import_cacheable(const json_t *params)
{
    return json_is_true(json_object_get(params, "use_cached_results"));
}

const mod_descriptor mod_import_data = {
    .name = "import-data",
    .version = 1,
    .display_name = "Import Data",
    .category = "Data Input and Output",
    .help = "Reads a table from a web URL (http or https) or from a file on the machine that "
            "runs the step, in CSV, TSV, ARFF, JSON or weft's native format.\n"
            "\n"
            "Column types are inferred from every value, as when a dataset is uploaded. A "
            "download streams to a temporary file that is removed when the step ends.\n"
            "\n"
            "## Parameters\n"
            "\n"
            "- **Data source URL** (`data_source_url`, required): `https://...`, `http://...`, "
            "a path, or `file:///path`. Relative paths are relative to the directory weft was "
            "started in. Other schemes (ftp, s3...) are refused.\n"
            "- **Data format** (`data_format`, default `auto`): `auto`, `csv`, `tsv`, `arff`, "
            "`json` or `native`. `auto` goes by the extension of the file or of the URL's "
            "path, then by the first bytes.\n"
            "- **CSV or TSV has header row** (`has_header`, default `guess`): `yes`, `no` or "
            "`guess`.\n"
            "- **Use cached results** (`use_cached_results`, default `false`): when on, a run "
            "reuses what an earlier run imported with the same parameters; when off, the "
            "source is read again on every run.\n"
            "- **Timeout** (`timeout_seconds`, default 60): how long to wait for a server to "
            "accept the connection, and for more data when a download stalls.\n"
            "\n"
            "Errors name the URL or path: a host that cannot be found or does not accept the "
            "connection, a server that does not answer within the timeout, an HTTP error "
            "status (`HTTP 404 (not found)`), a file that does not exist, and a parse error "
            "with its line and column.\n"
            "\n"
            "## Output\n"
            "\n"
            "- **dataset**: the table. Its schema is known only once the step has run.\n"
            "\n"
            "## Differences from Azure\n"
            "\n"
            "Azure reads URLs and its cloud datastores; weft reads URLs and local files. "
            "`has_header` can also guess, and `timeout_seconds` is a weft addition. Azure "
            "Studio's \"Use cached results\" is kept; the designer's \"Regenerate output\" is "
            "the node's `regenerate` flag.\n"
            "\n"
            "## Example\n"
            "\n"
            "```json\n"
            "{\"data_source_url\": \"https://example.org/data/cars.csv\",\n"
            " \"data_format\": \"auto\", \"has_header\": \"yes\"}\n"
            "```\n",
    MOD_PORTS(outputs, import_out),
    MOD_PARAMS(import_params),
    .configure = import_configure,
    .run = import_run,
    .cacheable = import_cacheable,
};
