/*
 * io.c: tables from and to files, whatever their format. This file only
 * chooses: it names formats, guesses a file's format, maps the file and hands
 * the bytes to the reader for that format (csv_read.c, arff_read.c,
 * json_read.c, native.c), and on the way out picks the writer and writes the
 * result atomically.
 */
#include "table.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

static const char *const tbl__format_names[] = {"auto", "csv", "tsv", "arff", "json", "native"};
#define TBL__FORMAT_COUNT (sizeof tbl__format_names / sizeof tbl__format_names[0])

const char *tbl_format_name(tbl_format f)
{
    return (unsigned)f < TBL__FORMAT_COUNT ? tbl__format_names[f] : "unknown";
}

int tbl_format_parse(const char *name, tbl_format *out)
{
    for (size_t i = 0; i < TBL__FORMAT_COUNT; i++)
        if (strcasecmp(name, tbl__format_names[i]) == 0) {
            *out = (tbl_format)i;
            return 0;
        }
    /* The file extensions people type for these formats. */
    static const struct {
        const char *alias;
        tbl_format format;
    } aliases[] = {{"tab", TBL_FORMAT_TSV}, {"wtbl", TBL_FORMAT_NATIVE}};
    for (size_t i = 0; i < sizeof aliases / sizeof aliases[0]; i++)
        if (strcasecmp(name, aliases[i].alias) == 0) {
            *out = aliases[i].format;
            return 0;
        }
    return WF_EINVAL;
}

/* The format a file name's extension names, or TBL_FORMAT_AUTO. */
static tbl_format tbl__format_of_extension(const char *path)
{
    if (path == NULL) return TBL_FORMAT_AUTO;
    const char *slash = strrchr(path, '/');
    const char *base = slash ? slash + 1 : path;
    const char *dot = strrchr(base, '.');
    if (dot == NULL || dot == base) return TBL_FORMAT_AUTO;
    static const struct {
        const char *ext;
        tbl_format format;
    } exts[] = {{"csv", TBL_FORMAT_CSV},   {"tsv", TBL_FORMAT_TSV},   {"tab", TBL_FORMAT_TSV},
                {"arff", TBL_FORMAT_ARFF}, {"json", TBL_FORMAT_JSON}, {"wtbl", TBL_FORMAT_NATIVE}};
    for (size_t i = 0; i < sizeof exts / sizeof exts[0]; i++)
        if (strcasecmp(dot + 1, exts[i].ext) == 0) return exts[i].format;
    return TBL_FORMAT_AUTO;
}

static bool tbl__starts_with_nocase(const uint8_t *p, size_t len, const char *lit)
{
    size_t n = strlen(lit);
    return len >= n && strncasecmp((const char *)p, lit, n) == 0;
}

tbl_format tbl_detect_format(const char *path, const uint8_t *data, size_t len)
{
    tbl_format f = tbl__format_of_extension(path);
    if (f != TBL_FORMAT_AUTO) return f;
    if (data == NULL) return TBL_FORMAT_CSV;
    if (len >= 8 && memcmp(data, "WEFTTBL1", 8) == 0) return TBL_FORMAT_NATIVE;
    /* Skip a UTF-8 byte-order mark and leading blank space: editors add
     * both, and neither says anything about the format. */
    size_t i = 0;
    if (len >= 3 && data[0] == 0xef && data[1] == 0xbb && data[2] == 0xbf) i = 3;
    while (i < len && (data[i] == ' ' || data[i] == '\t' || data[i] == '\r' || data[i] == '\n'))
        i++;
    if (i < len && data[i] == '%') return TBL_FORMAT_ARFF; /* an ARFF comment */
    if (tbl__starts_with_nocase(data + i, len - i, "@relation")) return TBL_FORMAT_ARFF;
    if (i < len && (data[i] == '[' || data[i] == '{')) return TBL_FORMAT_JSON;
    /* A tab in the first line means TSV; CSV fields rarely hold tabs. */
    for (size_t k = i; k < len && data[k] != '\n'; k++)
        if (data[k] == '\t') return TBL_FORMAT_TSV;
    return TBL_FORMAT_CSV;
}

int tbl_read_file(const char *path, const tbl_read_options *opt, tbl_table **out, wf_error *err)
{
    *out = NULL;
    tbl_read_options o = {0};
    if (opt != NULL) o = *opt;
    if (o.format == TBL_FORMAT_AUTO) o.format = tbl__format_of_extension(path);
    /* Native files are mapped by their own loader and stay mapped. */
    if (o.format == TBL_FORMAT_NATIVE) return tbl_native_load(path, out, err);

    wf_mapped_file m;
    int rc = wf_map_file(path, &m, err);
    if (rc < 0) return rc;
    if (o.format == TBL_FORMAT_AUTO) o.format = tbl_detect_format(NULL, m.data, m.size);
    /* An empty file maps to NULL; readers get an empty string instead. */
    const char *text = m.data ? (const char *)m.data : "";
    switch (o.format) {
    case TBL_FORMAT_NATIVE:
        wf_unmap_file(&m);
        return tbl_native_load(path, out, err);
    case TBL_FORMAT_TSV:
        if (o.delimiter == 0) o.delimiter = '\t';
        rc = tbl_read_csv(text, m.size, &o, out, err);
        break;
    case TBL_FORMAT_CSV:
        rc = tbl_read_csv(text, m.size, &o, out, err);
        break;
    case TBL_FORMAT_ARFF:
        rc = tbl_read_arff(text, m.size, &o, out, err);
        break;
    case TBL_FORMAT_JSON:
        rc = tbl_read_json(text, m.size, &o, out, err);
        break;
    default:
        rc = wf_error_set(err, WF_EFORMAT, "unknown format %d", (int)o.format);
        break;
    }
    wf_unmap_file(&m);
    if (rc < 0 && err != NULL) wf_error_prefix(err, "%s", path);
    return rc;
}

int tbl_write_file(const tbl_table *t, const char *path, tbl_format format, wf_error *err)
{
    if (format == TBL_FORMAT_AUTO) format = tbl__format_of_extension(path);
    wf_buf text = {0};
    uint8_t *native = NULL;
    const void *data = NULL;
    size_t size = 0;
    int rc;
    switch (format) {
    case TBL_FORMAT_CSV:
    case TBL_FORMAT_TSV:
        rc = tbl_write_csv(t, format == TBL_FORMAT_TSV ? '\t' : ',', &text, err);
        break;
    case TBL_FORMAT_JSON:
        rc = tbl_write_json(t, &text, err);
        break;
    case TBL_FORMAT_NATIVE:
        rc = tbl_native_encode(t, &native, &size, err);
        data = native;
        break;
    case TBL_FORMAT_AUTO:
        return wf_error_set(err, WF_EFORMAT,
                            "%s: cannot tell the format from the name; name one (csv, tsv, "
                            "json or native)",
                            path);
    default:
        return wf_error_set(err, WF_EFORMAT, "%s: weft cannot write %s files", path,
                            tbl_format_name(format));
    }
    if (rc == 0 && text.failed) rc = wf_error_set(err, WF_ENOMEM, "out of memory");
    if (rc == 0 && format != TBL_FORMAT_NATIVE) {
        data = text.data ? text.data : "";
        size = text.len;
    }
    if (rc == 0)
        rc = wf_write_file_atomic(path, data, size, err);
    else if (err != NULL)
        wf_error_prefix(err, "%s", path);
    wf_buf_free(&text);
    free(native);
    return rc;
}
