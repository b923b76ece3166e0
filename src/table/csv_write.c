/*
 * csv_write.c: tbl_write_csv, a table as RFC 4180 text that tbl_read_csv
 * reads back to the same values and types.
 *
 * Choices that keep the round trip:
 *   - a field is quoted when it holds the delimiter, a quote, CR or LF, or
 *     starts or ends with a space or tab (the reader ignores those around
 *     unquoted fields when it infers types);
 *   - a numeric value that prints as a whole number gets ".0" ("3.0"), so the
 *     column reads back as numeric, not integer; every double prints with
 *     enough digits to read back exactly (tbl_format_cell);
 *   - missing values are empty fields; records end with LF.
 * What cannot survive CSV: a string column whose values all look like
 * numbers reads back as numbers, and string values equal to a missing token
 * ("", "NA", ...) read back as missing.
 */
#include "table.h"

#include <string.h>

static bool tbl__needs_quotes(const char *s, size_t len, char delim)
{
    if (len == 0) return false;
    if (s[0] == ' ' || s[0] == '\t' || s[len - 1] == ' ' || s[len - 1] == '\t') return true;
    for (size_t i = 0; i < len; i++) {
        char c = s[i];
        if (c == delim || c == '"' || c == '\n' || c == '\r') return true;
    }
    return false;
}

static void tbl__put_text(wf_buf *out, const char *s, size_t len, char delim, bool force)
{
    if (!force && !tbl__needs_quotes(s, len, delim)) {
        wf_buf_append(out, s, len);
        return;
    }
    wf_buf_append(out, "\"", 1);
    size_t from = 0;
    for (size_t i = 0; i < len; i++) {
        if (s[i] != '"') continue;
        wf_buf_append(out, s + from, i + 1 - from); /* up to and with the quote */
        wf_buf_append(out, "\"", 1);
        from = i + 1;
    }
    wf_buf_append(out, s + from, len - from);
    wf_buf_append(out, "\"", 1);
}

/* True when text is an optional '-' and digits only: a double that prints
 * like this would read back as an integer. */
static bool tbl__integral_text(const char *s, size_t len)
{
    size_t i = s[0] == '-' ? 1 : 0;
    if (i == len) return false;
    for (; i < len; i++)
        if (s[i] < '0' || s[i] > '9') return false;
    return true;
}

static void tbl__put_cell(wf_buf *out, const tbl_column *c, size_t row, char delim)
{
    if (tbl_is_missing(c, row)) return;
    size_t len;
    const char *s;
    if (c->type == TBL_STRING) {
        s = tbl_strings_at(&c->str, row, &len);
        tbl__put_text(out, s, len, delim, false);
        return;
    }
    if (c->type == TBL_CATEGORICAL) {
        int32_t code = c->v.codes[row];
        if (code < 0 || (size_t)code >= c->levels.count) return;
        s = tbl_strings_at(&c->levels, (size_t)code, &len);
        tbl__put_text(out, s, len, delim, false);
        return;
    }
    char buf[64];
    len = tbl_format_cell(c, row, buf, sizeof buf);
    if (len >= sizeof buf) len = sizeof buf - 1;
    wf_buf_append(out, buf, len);
    if (c->type == TBL_NUMERIC && tbl__integral_text(buf, len)) wf_buf_append(out, ".0", 2);
}

int tbl_write_csv(const tbl_table *t, char delimiter, wf_buf *out, wf_error *err)
{
    if (t == NULL || out == NULL) return wf_error_set(err, WF_EINVAL, "tbl_write_csv: no table");
    if (delimiter == 0) delimiter = ',';
    if (delimiter != ',' && delimiter != '\t' && delimiter != ';' && delimiter != '|')
        return wf_error_set(err, WF_EINVAL, "cannot write CSV with delimiter 0x%02x",
                            (unsigned char)delimiter);
    if (t->ncols == 0) return 0;
    for (size_t j = 0; j < t->ncols; j++) {
        const char *name = t->cols[j].name;
        if (j > 0) wf_buf_append(out, &delimiter, 1);
        /* A name starting with a byte order mark would lose it when read
         * back (the reader skips one at the start of the file). */
        bool bom = j == 0 && strncmp(name, "\xEF\xBB\xBF", 3) == 0;
        /* An empty name is quoted so that the header is not a blank line. */
        tbl__put_text(out, name, strlen(name), delimiter, bom || name[0] == '\0');
    }
    wf_buf_append(out, "\n", 1);
    for (size_t r = 0; r < t->nrows && !out->failed; r++) {
        for (size_t j = 0; j < t->ncols; j++) {
            if (j > 0) wf_buf_append(out, &delimiter, 1);
            tbl__put_cell(out, &t->cols[j], r, delimiter);
        }
        wf_buf_append(out, "\n", 1);
    }
    if (out->failed) return wf_error_set(err, WF_ENOMEM, "out of memory writing CSV");
    return 0;
}
