/*
 * dataset_upload.c: the file inside a multipart/form-data upload (RFC 7578).
 *
 * The daemon streams a large body to a temporary file; routes_datasets.c
 * maps that file and hands its bytes here. We walk the body once, part by
 * part, without copying it to the heap: the `file` part's bytes go straight
 * from the mapping to a temporary file of our own (so the readers, which
 * want a path, get one), and only the few small form fields are copied into
 * strings. A body that does not parse is an error that says where it went
 * wrong; no reply ever names a file-system path, so neither does a message
 * made here.
 */
#include "dataset_upload.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

/* RFC 2046 allows boundaries of 1-70 characters; we allow a little more. */
#define UP__BOUNDARY_MAX 200
/* Part headers and text fields are small; anything bigger is not a form. */
#define UP__HEADERS_MAX 16384
#define UP__FIELD_MAX 65536
#define UP__FILENAME_MAX 200

bool srv__is_multipart(const char *content_type)
{
    if (content_type == NULL) return false;
    while (*content_type == ' ' || *content_type == '\t')
        content_type++;
    size_t n = strlen("multipart/form-data");
    if (strncasecmp(content_type, "multipart/form-data", n) != 0) return false;
    char c = content_type[n];
    return c == '\0' || c == ';' || c == ' ' || c == '\t';
}

static bool up__space(char c)
{
    return c == ' ' || c == '\t';
}

/* The value of parameter `key` in a header value such as
 * `form-data; name="file"; filename="a.csv"`, unquoted (malloc'd), or NULL
 * when absent or on OOM. Inside quotes only \" and \\ are escapes: browsers
 * send Windows paths with bare backslashes. */
static char *up__param(const char *s, size_t n, const char *key)
{
    size_t klen = strlen(key), i = 0;
    bool quoted = false;
    /* Skip the leading token (the media type or the disposition). */
    for (; i < n && (quoted || s[i] != ';'); i++)
        if (s[i] == '"') quoted = !quoted;
    while (i < n) {
        i++; /* past ';' */
        while (i < n && up__space(s[i]))
            i++;
        size_t ks = i;
        while (i < n && s[i] != '=' && s[i] != ';')
            i++;
        size_t ke = i;
        while (ke > ks && up__space(s[ke - 1]))
            ke--;
        bool match = ke - ks == klen && strncasecmp(s + ks, key, klen) == 0;
        if (i >= n || s[i] == ';') continue; /* a parameter without a value */
        i++;                                 /* past '=' */
        while (i < n && up__space(s[i]))
            i++;
        wf_buf v = {0};
        if (i < n && s[i] == '"') {
            for (i++; i < n && s[i] != '"'; i++) {
                if (s[i] == '\\' && i + 1 < n && (s[i + 1] == '"' || s[i + 1] == '\\')) i++;
                if (match) wf_buf_append(&v, s + i, 1);
            }
            while (i < n && s[i] != ';')
                i++;
        } else {
            size_t vs = i;
            while (i < n && s[i] != ';')
                i++;
            size_t ve = i;
            while (ve > vs && up__space(s[ve - 1]))
                ve--;
            if (match) wf_buf_append(&v, s + vs, ve - vs);
        }
        if (!match) continue;
        if (v.failed) {
            wf_buf_free(&v);
            return NULL;
        }
        return v.data ? v.data : wf_strdup("");
    }
    return NULL;
}

/* The base name of a client's file name, safe to show and to store: no
 * directories (either slash), no control characters, valid UTF-8, at most
 * UP__FILENAME_MAX bytes. NULL when nothing is left. Takes ownership of raw. */
static char *up__clean_filename(char *raw)
{
    if (raw == NULL) return NULL;
    char *base = raw;
    for (char *p = raw; *p; p++)
        if (*p == '/' || *p == '\\') base = p + 1;
    size_t n = strlen(base);
    if (n > UP__FILENAME_MAX) {
        n = UP__FILENAME_MAX;
        while (n > 0 && ((unsigned char)base[n] & 0xc0) == 0x80)
            n--; /* do not cut a character in two */
    }
    memmove(raw, base, n);
    raw[n] = '\0';
    bool utf8 = wf_utf8_valid(raw, n, NULL);
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)raw[i];
        if (c < 0x20 || c == 0x7f || (!utf8 && c >= 0x80)) raw[i] = '_';
    }
    if (n == 0 || strcmp(raw, ".") == 0 || strcmp(raw, "..") == 0) {
        free(raw);
        return NULL;
    }
    return raw;
}

int srv__upload_spool(const char *tmp_dir, const void *data, size_t len, char **path, wf_error *err)
{
    *path = NULL;
    size_t n = strlen(tmp_dir) + sizeof "/dataset-XXXXXX";
    char *tmpl = malloc(n);
    if (tmpl == NULL) return wf_error_set(err, WF_ENOMEM, "out of memory");
    snprintf(tmpl, n, "%s/dataset-XXXXXX", tmp_dir);
    /* O_CLOEXEC: runs fork a child per step, which must not inherit it. */
    int fd = mkostemp(tmpl, O_CLOEXEC);
    if (fd < 0) {
        int e = errno;
        free(tmpl);
        return wf_error_set(err, WF_EIO, "cannot create a temporary file for the upload: %s",
                            strerror(e));
    }
    const char *p = data;
    size_t left = len;
    int rc = 0;
    while (left > 0) {
        ssize_t w = write(fd, p, left);
        if (w < 0 && errno == EINTR) continue;
        if (w <= 0) {
            rc = wf_error_set(err, WF_EIO, "cannot write the upload to a temporary file: %s",
                              w < 0 ? strerror(errno) : "no space written");
            break;
        }
        p += w;
        left -= (size_t)w;
    }
    if (close(fd) < 0 && rc == 0)
        rc = wf_error_set(err, WF_EIO, "cannot write the upload to a temporary file: %s",
                          strerror(errno));
    if (rc < 0) {
        unlink(tmpl);
        free(tmpl);
        return rc;
    }
    *path = tmpl;
    return 0;
}

void srv__upload_clear(srv_upload *u)
{
    if (u == NULL) return;
    if (u->path != NULL) unlink(u->path);
    free(u->path);
    free(u->filename);
    free(u->name);
    free(u->format);
    free(u->description);
    free(u->header);
    memset(u, 0, sizeof *u);
}

/* One part's Content-Disposition: its field name and file name (malloc'd,
 * either may be NULL). Other headers (Content-Type, ...) do not matter. */
static void up__disposition(const uint8_t *h, size_t n, char **name, char **filename)
{
    const char *s = (const char *)h;
    size_t i = 0;
    while (i < n) {
        size_t eol = i;
        while (eol < n && s[eol] != '\r' && s[eol] != '\n')
            eol++;
        const char *line = s + i;
        size_t len = eol - i;
        size_t key = strlen("content-disposition:");
        if (len >= key && strncasecmp(line, "content-disposition:", key) == 0 && *name == NULL) {
            *name = up__param(line + key, len - key, "name");
            *filename = up__param(line + key, len - key, "filename");
        }
        i = eol;
        while (i < n && (s[i] == '\r' || s[i] == '\n'))
            i++;
    }
}

/* Stores a text field's value in *slot unless an earlier part set it. */
static int up__field(char **slot, const char *field, const uint8_t *v, size_t n, wf_error *err)
{
    if (*slot != NULL) return 0;
    if (n > UP__FIELD_MAX)
        return wf_error_set(err, WF_EPARSE, "the form field \"%s\" is longer than %d bytes", field,
                            UP__FIELD_MAX);
    *slot = wf_strndup((const char *)v, n);
    return *slot ? 0 : wf_error_set(err, WF_ENOMEM, "out of memory");
}

int srv__multipart_extract(const char *content_type, const uint8_t *data, size_t len,
                           const char *tmp_dir, srv_upload *out, wf_error *err)
{
    memset(out, 0, sizeof *out);
    if (data == NULL || len == 0)
        return wf_error_set(err, WF_EPARSE, "the multipart body is empty: it holds no file");
    char *boundary =
        content_type ? up__param(content_type, strlen(content_type), "boundary") : NULL;
    if (boundary == NULL || boundary[0] == '\0' || strlen(boundary) > UP__BOUNDARY_MAX) {
        free(boundary);
        return wf_error_set(err, WF_EPARSE,
                            "the multipart/form-data Content-Type has no usable boundary");
    }
    /* The delimiter is CRLF "--" boundary; the first may open the body. */
    size_t dlen = strlen(boundary) + 4;
    char *delim = malloc(dlen + 1);
    if (delim == NULL) {
        free(boundary);
        return wf_error_set(err, WF_ENOMEM, "out of memory");
    }
    snprintf(delim, dlen + 1, "\r\n--%s", boundary);
    free(boundary);

    const uint8_t *end = data + len, *p;
    const uint8_t *file = NULL;
    size_t file_len = 0;
    bool file_named = false; /* the part is called "file", not just the first with a filename */
    char *filename = NULL;
    int rc = 0;
    if (len >= dlen - 2 && memcmp(data, delim + 2, dlen - 2) == 0)
        p = data + dlen - 2;
    else {
        const uint8_t *q = memmem(data, len, delim, dlen);
        if (q == NULL) {
            rc = wf_error_set(err, WF_EPARSE,
                              "the multipart body does not contain its boundary (empty body?)");
            goto done;
        }
        p = q + dlen;
    }
    for (size_t part = 1;; part++) {
        if (p >= end || (end - p >= 2 && p[0] == '-' && p[1] == '-')) break; /* the close */
        while (p < end && up__space((char)*p))
            p++;
        if (end - p >= 2 && p[0] == '\r' && p[1] == '\n')
            p += 2;
        else if (p < end && p[0] == '\n')
            p++;
        else {
            rc = wf_error_set(err, WF_EPARSE,
                              "multipart part %zu: the boundary line is followed by other text",
                              part);
            goto done;
        }
        const uint8_t *hend, *body;
        if (end - p >= 2 && p[0] == '\r' && p[1] == '\n') {
            hend = p; /* no headers */
            body = p + 2;
        } else {
            size_t span = (size_t)(end - p) < UP__HEADERS_MAX ? (size_t)(end - p) : UP__HEADERS_MAX;
            hend = memmem(p, span, "\r\n\r\n", 4);
            if (hend == NULL) {
                rc = wf_error_set(err, WF_EPARSE,
                                  "multipart part %zu: its headers do not end with a blank line",
                                  part);
                goto done;
            }
            body = hend + 4;
        }
        const uint8_t *next = memmem(body, (size_t)(end - body), delim, dlen);
        if (next == NULL) {
            rc =
                wf_error_set(err, WF_EPARSE,
                             "multipart part %zu: the body ends before the closing boundary", part);
            goto done;
        }
        size_t n = (size_t)(next - body);
        char *pname = NULL, *pfile = NULL;
        up__disposition(p, (size_t)(hend - p), &pname, &pfile);
        bool is_file = pname != NULL && strcmp(pname, "file") == 0;
        if ((is_file && !file_named) || (pfile != NULL && file == NULL)) {
            file = body;
            file_len = n;
            file_named = is_file;
            free(filename);
            filename = pfile;
            pfile = NULL;
        } else if (pname != NULL && strcmp(pname, "name") == 0) {
            rc = up__field(&out->name, pname, body, n, err);
        } else if (pname != NULL && strcmp(pname, "format") == 0) {
            rc = up__field(&out->format, pname, body, n, err);
        } else if (pname != NULL && strcmp(pname, "description") == 0) {
            rc = up__field(&out->description, pname, body, n, err);
        } else if (pname != NULL && strcmp(pname, "header") == 0) {
            rc = up__field(&out->header, pname, body, n, err);
        }
        free(pname);
        free(pfile);
        if (rc < 0) goto done;
        p = next + dlen;
    }
    if (file == NULL) {
        rc = wf_error_set(err, WF_EPARSE, "the multipart body has no \"file\" part");
        goto done;
    }
    rc = srv__upload_spool(tmp_dir, file, file_len, &out->path, err);
    out->size = file_len;
    out->filename = up__clean_filename(filename);
    filename = NULL;
done:
    free(delim);
    free(filename);
    if (rc < 0) srv__upload_clear(out);
    return rc;
}
