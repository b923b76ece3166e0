/*
 * python_frame.c: weft's side of the table exchange with the Python bridge
 * (the weft.frame/1 folders of python_int.h). Writing a table is one raw
 * array per column, so a million-row column costs one write of its buffer;
 * reading one back checks every size, code and offset before copying.
 *
 * The arrays are little-endian, which is what numpy reads with '<f8' and
 * '<i8'. weft runs on little-endian machines only (x86-64, arm64), and the
 * compile-time check below keeps it honest.
 */
#include "python_int.h"

#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#if !defined(__BYTE_ORDER__) || __BYTE_ORDER__ != __ORDER_LITTLE_ENDIAN__
#error "the Python exchange writes raw little-endian arrays"
#endif

/* Values per chunk when a column must be rewritten on the way out (NaN or 0
 * in missing rows, codes checked against the dictionary). */
#define PY__CHUNK 8192

/* dir/cK<suffix> into path; false when it does not fit. */
static bool py__path(char *path, const char *dir, size_t k, const char *suffix)
{
    int n = snprintf(path, PATH_MAX, "%s/c%zu%s", dir, k, suffix);
    return n > 0 && n < PATH_MAX;
}

/* ---- writing ----------------------------------------------------------- */

typedef struct py__out {
    FILE *f;
    char path[PATH_MAX];
} py__out;

static int py__open(py__out *o, const char *dir, size_t k, const char *suffix, wf_error *err)
{
    if (!py__path(o->path, dir, k, suffix))
        return wf_error_set(err, WF_EINVAL, "the temporary folder's path is too long");
    o->f = fopen(o->path, "wbe");
    if (o->f == NULL)
        return wf_error_set(err, WF_EIO, "cannot create %s: %s", o->path, strerror(errno));
    return 0;
}

static int py__put(py__out *o, const void *p, size_t n, wf_error *err)
{
    /* Unlocked: the stream is this thread's alone, and string columns make
     * two calls per row. */
    if (n > 0 && fwrite_unlocked(p, 1, n, o->f) != n)
        return wf_error_set(err, WF_EIO, "cannot write %s: %s", o->path, strerror(errno));
    return 0;
}

static int py__close(py__out *o, int rc, wf_error *err)
{
    if (o->f != NULL && fclose(o->f) != 0 && rc == 0)
        rc = wf_error_set(err, WF_EIO, "cannot write %s: %s", o->path, strerror(errno));
    o->f = NULL;
    return rc;
}

/* The value buffer of a fixed-width column, with missing rows set to what
 * the bridge expects there (NaN, 0, code -1) and booleans and codes made
 * valid, written PY__CHUNK values at a time. */
static int py__write_values(py__out *o, const tbl_column *c, size_t nrows, wf_error *err)
{
    size_t width = tbl_type_width(c->type);
    bool clean = c->missing == NULL &&
                 (c->type == TBL_NUMERIC || c->type == TBL_INTEGER || c->type == TBL_DATETIME);
    if (clean) return py__put(o, c->v.f64, nrows * width, err);
    union {
        double f64[PY__CHUNK];
        int64_t i64[PY__CHUNK];
        int32_t i32[PY__CHUNK];
        uint8_t b8[PY__CHUNK];
    } buf;
    int32_t nlevels = c->levels.count > INT32_MAX ? INT32_MAX : (int32_t)c->levels.count;
    for (size_t start = 0; start < nrows; start += PY__CHUNK) {
        size_t n = nrows - start < PY__CHUNK ? nrows - start : PY__CHUNK;
        for (size_t i = 0; i < n; i++) {
            size_t r = start + i;
            bool missing = tbl_is_missing(c, r);
            switch (c->type) {
            case TBL_NUMERIC:
                buf.f64[i] = missing ? NAN : c->v.f64[r];
                break;
            case TBL_BOOLEAN:
                buf.b8[i] = !missing && c->v.b8[r] != 0;
                break;
            case TBL_CATEGORICAL: {
                int32_t code = c->v.codes[r];
                buf.i32[i] = missing || code < 0 || code >= nlevels ? -1 : code;
                break;
            }
            default: /* integer, datetime */
                buf.i64[i] = missing ? 0 : c->v.i64[r];
            }
        }
        int rc = py__put(o, &buf, n * width, err);
        if (rc < 0) return rc;
    }
    return 0;
}

/* Writes the strings s under dir/cK<prefix>.*; returns the encoding's name
 * through *encoding. */
static int py__write_strings(const char *dir, size_t k, const char *prefix, const tbl_strings *s,
                             const char **encoding, wf_error *err)
{
    size_t bytes = s->count > 0 ? (size_t)s->offsets[s->count] : 0;
    bool joined = bytes == 0 || memchr(s->data, '\0', bytes) == NULL;
    char suffix[64];
    py__out o = {0};
    snprintf(suffix, sizeof suffix, "%s.%s", prefix, joined ? "text" : "offsets");
    int rc = py__open(&o, dir, k, suffix, err);
    if (rc < 0) return rc;
    *encoding = joined ? "joined" : "offsets";
    if (!joined) {
        rc = py__put(&o, s->offsets, (s->count + 1) * sizeof(int64_t), err);
        rc = py__close(&o, rc, err);
        if (rc == 0) {
            snprintf(suffix, sizeof suffix, "%s.data", prefix);
            rc = py__open(&o, dir, k, suffix, err);
        }
        if (rc == 0) rc = py__put(&o, s->data, bytes, err);
        return py__close(&o, rc, err);
    }
    for (size_t i = 0; rc == 0 && i < s->count; i++) {
        size_t len;
        const char *p = tbl_strings_at(s, i, &len);
        rc = py__put(&o, p, len, err);
        if (rc == 0 && i + 1 < s->count) rc = py__put(&o, "", 1, err);
    }
    return py__close(&o, rc, err);
}

/* Writes column k's files and returns its schema entry in *meta. */
static int py__write_column(const tbl_column *c, size_t nrows, const char *dir, size_t k,
                            json_t *meta, wf_error *err)
{
    json_t *name = json_string(c->name);
    if (name == NULL || json_object_set_new(meta, "name", name) < 0)
        return wf_error_set(err, WF_EINVAL, "column %zu's name is not valid UTF-8", k + 1);
    json_object_set_new(meta, "type", json_string(tbl_type_name(c->type)));
    const char *encoding = NULL;
    int rc = 0;
    if (c->type == TBL_STRING) {
        rc = py__write_strings(dir, k, "", &c->str, &encoding, err);
    } else {
        py__out o = {0};
        rc = py__open(&o, dir, k, ".values", err);
        if (rc == 0) rc = py__close(&o, py__write_values(&o, c, nrows, err), err);
        if (rc == 0 && c->type == TBL_CATEGORICAL) {
            rc = py__write_strings(dir, k, ".levels", &c->levels, &encoding, err);
            json_object_set_new(meta, "nlevels", json_integer((json_int_t)c->levels.count));
        }
    }
    if (rc < 0) return rc;
    if (encoding != NULL) json_object_set_new(meta, "strings", json_string(encoding));
    /* Categoricals say missing with code -1; the others need the mask. */
    bool missing = c->type != TBL_CATEGORICAL && tbl_count_missing(c, nrows) > 0;
    json_object_set_new(meta, "missing", json_boolean(missing));
    if (!missing) return 0;
    py__out o = {0};
    if ((rc = py__open(&o, dir, k, ".missing", err)) < 0) return rc;
    uint8_t buf[PY__CHUNK];
    for (size_t start = 0; rc == 0 && start < nrows; start += PY__CHUNK) {
        size_t n = nrows - start < PY__CHUNK ? nrows - start : PY__CHUNK;
        for (size_t i = 0; i < n; i++)
            buf[i] = c->missing[start + i] != 0;
        rc = py__put(&o, buf, n, err);
    }
    return py__close(&o, rc, err);
}

int mod__py_write_frame(const tbl_table *t, const char *dir, wf_error *err)
{
    if (mkdir(dir, 0700) < 0)
        return wf_error_set(err, WF_EIO, "cannot create %s: %s", dir, strerror(errno));
    size_t nrows = t->ncols > 0 ? t->nrows : 0;
    json_t *columns = json_array();
    json_t *schema = json_pack("{s:s, s:I, s:o}", "format", "weft.frame/1", "nrows",
                               (json_int_t)nrows, "columns", columns);
    if (schema == NULL) return wf_error_set(err, WF_ENOMEM, "out of memory");
    int rc = 0;
    for (size_t k = 0; rc == 0 && k < t->ncols; k++) {
        json_t *meta = json_object();
        if (meta == NULL || json_array_append_new(columns, meta) < 0) {
            rc = wf_error_set(err, WF_ENOMEM, "out of memory");
            break;
        }
        rc = py__write_column(&t->cols[k], nrows, dir, k, meta, err);
        if (rc < 0) wf_error_prefix(err, "column \"%s\"", t->cols[k].name);
    }
    char path[PATH_MAX];
    if (rc == 0 && snprintf(path, sizeof path, "%s/schema.json", dir) >= (int)sizeof path)
        rc = wf_error_set(err, WF_EINVAL, "the temporary folder's path is too long");
    if (rc == 0 && json_dump_file(schema, path, JSON_COMPACT) < 0)
        rc = wf_error_set(err, WF_EIO, "cannot write %s", path);
    json_decref(schema);
    return rc;
}

/* ---- reading ----------------------------------------------------------- */

/* Maps dir/cK<suffix> and checks that it holds exactly `size` bytes. */
static int py__map(wf_mapped_file *m, const char *dir, size_t k, const char *suffix, size_t size,
                   wf_error *err)
{
    char path[PATH_MAX];
    if (!py__path(path, dir, k, suffix))
        return wf_error_set(err, WF_EINVAL, "the temporary folder's path is too long");
    int rc = wf_map_file(path, m, err);
    if (rc == 0 && size != SIZE_MAX && m->size != size) {
        rc = wf_error_set(err, WF_ECORRUPT, "%s holds %zu bytes, not %zu", path, m->size, size);
        wf_unmap_file(m);
    }
    return rc;
}

/* Reads dir/cK<suffix>, which must hold exactly `size` bytes, into dst.
 * read() rather than a mapping: one copy from the page cache, without a
 * page fault per 4 KiB on both sides. */
static int py__load(void *dst, const char *dir, size_t k, const char *suffix, size_t size,
                    wf_error *err)
{
    char path[PATH_MAX];
    if (!py__path(path, dir, k, suffix))
        return wf_error_set(err, WF_EINVAL, "the temporary folder's path is too long");
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) return wf_error_set(err, WF_EIO, "cannot open %s: %s", path, strerror(errno));
    struct stat st;
    int rc = 0;
    if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) || (uint64_t)st.st_size != size)
        rc = wf_error_set(err, WF_ECORRUPT, "%s does not hold %zu bytes", path, size);
    for (size_t done = 0; rc == 0 && done < size;) {
        ssize_t r = read(fd, (char *)dst + done, size - done);
        if (r < 0 && errno == EINTR) continue;
        if (r <= 0)
            rc = wf_error_set(err, WF_EIO, "cannot read %s: %s", path,
                              r < 0 ? strerror(errno) : "it ended early");
        else
            done += (size_t)r;
    }
    close(fd);
    return rc;
}

/* Splits `count` NUL-separated strings of m into *out. */
static int py__split_joined(const wf_mapped_file *m, size_t count, tbl_strings *out, wf_error *err)
{
    size_t seps = count > 0 ? count - 1 : 0;
    if (m->size < seps) return wf_error_set(err, WF_ECORRUPT, "fewer strings than rows");
    out->offsets = wf_mallocarray(count + 1, sizeof *out->offsets);
    out->data = malloc(m->size - seps + 1);
    if (out->offsets == NULL || out->data == NULL) return WF_ENOMEM;
    out->count = count;
    out->offsets[0] = 0;
    const char *p = (const char *)m->data, *end = p + m->size;
    size_t used = 0;
    for (size_t i = 0; i < count; i++) {
        const char *nul = memchr(p, '\0', (size_t)(end - p));
        bool last = i + 1 == count;
        if (last != (nul == NULL))
            return wf_error_set(err, WF_ECORRUPT, "%s strings than rows", last ? "more" : "fewer");
        size_t len = (size_t)((last ? end : nul) - p);
        if (len > 0) memcpy(out->data + used, p, len);
        used += len;
        out->offsets[i + 1] = (int64_t)used;
        p += len + 1;
    }
    if (count == 0 && m->size != 0) return wf_error_set(err, WF_ECORRUPT, "text for no rows");
    return 0;
}

/* Reads `count` strings stored under dir/cK<prefix>.* into *out (which
 * the caller clears on failure too). */
static int py__read_strings(const char *dir, size_t k, const char *prefix, const char *encoding,
                            size_t count, tbl_strings *out, wf_error *err)
{
    char suffix[64];
    wf_mapped_file m = {0}, data = {0};
    int rc;
    memset(out, 0, sizeof *out);
    if (encoding != NULL && strcmp(encoding, "joined") == 0) {
        snprintf(suffix, sizeof suffix, "%s.text", prefix);
        if ((rc = py__map(&m, dir, k, suffix, SIZE_MAX, err)) < 0) return rc;
        rc = py__split_joined(&m, count, out, err);
        wf_unmap_file(&m);
        if (rc == WF_ENOMEM) return wf_error_set(err, rc, "out of memory");
        return rc;
    }
    if (encoding == NULL || strcmp(encoding, "offsets") != 0)
        return wf_error_set(err, WF_ECORRUPT, "unknown string encoding \"%s\"",
                            encoding ? encoding : "(none)");
    snprintf(suffix, sizeof suffix, "%s.offsets", prefix);
    if (count >= SIZE_MAX / sizeof(int64_t) - 1)
        return wf_error_set(err, WF_ECORRUPT, "too many strings");
    if ((rc = py__map(&m, dir, k, suffix, (count + 1) * sizeof(int64_t), err)) < 0) return rc;
    snprintf(suffix, sizeof suffix, "%s.data", prefix);
    if ((rc = py__map(&data, dir, k, suffix, SIZE_MAX, err)) < 0) {
        wf_unmap_file(&m);
        return rc;
    }
    out->offsets = wf_mallocarray(count + 1, sizeof *out->offsets);
    out->data = malloc(data.size + 1);
    if (out->offsets == NULL || out->data == NULL) {
        rc = wf_error_set(err, WF_ENOMEM, "out of memory");
    } else {
        out->count = count;
        memcpy(out->offsets, m.data, (count + 1) * sizeof(int64_t));
        if (data.size > 0) memcpy(out->data, data.data, data.size);
        /* Offsets start at 0, never go back and end at the data's end. */
        bool ok = out->offsets[0] == 0 && (uint64_t)out->offsets[count] == data.size;
        for (size_t i = 0; ok && i < count; i++)
            ok = out->offsets[i] <= out->offsets[i + 1];
        if (!ok) rc = wf_error_set(err, WF_ECORRUPT, "bad string offsets");
    }
    wf_unmap_file(&m);
    wf_unmap_file(&data);
    return rc;
}

/* Fills c (already initialised for nrows of its type) from column k's
 * files as meta describes them. */
static int py__read_values(tbl_column *c, const json_t *meta, const char *dir, size_t k,
                           size_t nrows, wf_error *err)
{
    const char *encoding = json_string_value(json_object_get(meta, "strings"));
    int rc;
    if (c->type == TBL_STRING) {
        tbl_strings_clear(&c->str);
        return py__read_strings(dir, k, "", encoding, nrows, &c->str, err);
    }
    size_t width = tbl_type_width(c->type);
    if (nrows > SIZE_MAX / width) return wf_error_set(err, WF_ECORRUPT, "too many rows");
    if ((rc = py__load(c->v.f64, dir, k, ".values", nrows * width, err)) < 0) return rc;
    if (c->type == TBL_BOOLEAN) {
        for (size_t r = 0; r < nrows; r++)
            c->v.b8[r] = c->v.b8[r] != 0;
    }
    if (c->type != TBL_CATEGORICAL) return 0;
    json_int_t nlevels = json_integer_value(json_object_get(meta, "nlevels"));
    if (nlevels < 0 || nlevels > INT32_MAX)
        return wf_error_set(err, WF_ECORRUPT, "bad level count %lld", (long long)nlevels);
    tbl_strings_clear(&c->levels);
    rc = py__read_strings(dir, k, ".levels", encoding, (size_t)nlevels, &c->levels, err);
    for (size_t r = 0; rc == 0 && r < nrows; r++) {
        int32_t code = c->v.codes[r];
        if (code < -1 || code >= (int32_t)nlevels)
            return wf_error_set(err, WF_ECORRUPT, "row %zu: code %d is not a level", r + 1, code);
        if (code == -1 && tbl_set_missing(c, r, nrows) < 0)
            return wf_error_set(err, WF_ENOMEM, "out of memory");
    }
    return rc;
}

static int py__read_missing(tbl_column *c, const char *dir, size_t k, size_t nrows, wf_error *err)
{
    free(c->missing);
    c->missing = malloc(nrows ? nrows : 1);
    if (c->missing == NULL) return wf_error_set(err, WF_ENOMEM, "out of memory");
    int rc = py__load(c->missing, dir, k, ".missing", nrows, err);
    for (size_t r = 0; rc == 0 && r < nrows; r++)
        c->missing[r] = c->missing[r] != 0;
    if (rc == 0) tbl_compact_missing(c, nrows);
    return rc;
}

static int py__read_column(const json_t *meta, const char *dir, size_t k, size_t nrows,
                           tbl_column *c, wf_error *err)
{
    memset(c, 0, sizeof *c);
    const char *name = json_string_value(json_object_get(meta, "name"));
    const char *type_name = json_string_value(json_object_get(meta, "type"));
    tbl_type type;
    if (name == NULL) return wf_error_set(err, WF_ECORRUPT, "column %zu has no name", k + 1);
    if (type_name == NULL || tbl_type_parse(type_name, &type) < 0)
        return wf_error_set(err, WF_ECORRUPT, "column \"%s\" has no known type", name);
    int rc = tbl_column_init(c, name, type, nrows, err);
    if (rc == 0) rc = py__read_values(c, meta, dir, k, nrows, err);
    if (rc == 0 && json_is_true(json_object_get(meta, "missing")))
        rc = py__read_missing(c, dir, k, nrows, err);
    if (rc < 0) wf_error_prefix(err, "column \"%s\"", name);
    return rc;
}

int mod__py_read_frame(const char *dir, tbl_table **out, wf_error *err)
{
    *out = NULL;
    char path[PATH_MAX];
    if (snprintf(path, sizeof path, "%s/schema.json", dir) >= (int)sizeof path)
        return wf_error_set(err, WF_EINVAL, "the temporary folder's path is too long");
    json_error_t jerr;
    json_t *schema = json_load_file(path, 0, &jerr);
    if (schema == NULL)
        return wf_error_set(err, WF_ECORRUPT, "cannot read %s: %s", path, jerr.text);
    const json_t *columns = json_object_get(schema, "columns");
    const json_t *nrows_json = json_object_get(schema, "nrows");
    const char *format = json_string_value(json_object_get(schema, "format"));
    int rc = 0;
    if (format == NULL || strcmp(format, "weft.frame/1") != 0 || !json_is_array(columns) ||
        !json_is_integer(nrows_json) || json_integer_value(nrows_json) < 0)
        rc = wf_error_set(err, WF_ECORRUPT, "%s is not a weft.frame/1 schema", path);
    tbl_table *t = rc == 0 ? tbl_new() : NULL;
    if (rc == 0 && t == NULL) rc = wf_error_set(err, WF_ENOMEM, "out of memory");
    size_t nrows = rc == 0 ? (size_t)json_integer_value(nrows_json) : 0;
    for (size_t k = 0; rc == 0 && k < json_array_size(columns); k++) {
        tbl_column c;
        rc = py__read_column(json_array_get(columns, k), dir, k, nrows, &c, err);
        if (rc == 0) rc = tbl_add_column(t, &c, nrows, err);
        if (rc < 0) tbl_column_clear(&c);
    }
    json_decref(schema);
    if (rc < 0) {
        tbl_free(t);
        return rc;
    }
    *out = t;
    return 0;
}
