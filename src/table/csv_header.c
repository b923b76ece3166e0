/*
 * csv_header.c: the first record of a CSV file: whether it is a header
 * (tbl_read_options.header, and the guess when it is -1), and the column
 * names, made unique.
 *
 * The guess: the first record is a header when every one of its fields is
 * non-empty text that is not a missing token, a number, a boolean or a date.
 * Without a header, columns are named "Column 1", "Column 2"...; an empty
 * header field is named the same way; a repeated name "x" becomes "x (2)",
 * then "x (3)", with a warning.
 */
#include "csv_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Names the columns from the header fields (or "Column N"), making them
 * unique: a repeated "x" becomes "x (2)", "x (3)", with a warning. */
static int tbl__name_columns(tbl__csv_header *h, const tbl_strings *fields, bool header,
                             wf_buf *warn, wf_error *err)
{
    int rc = 0;
    tbl_dict seen = {0};
    size_t *next_suffix = NULL, cap = 0; /* per name in `seen` */
    h->names = wf_calloc(h->ncols, sizeof(char *));
    if (h->names == NULL) goto oom;
    for (size_t j = 0; j < h->ncols; j++) {
        size_t len;
        const char *s = tbl_strings_at(fields, j, &len);
        char gen[48];
        snprintf(gen, sizeof gen, "Column %zu", j + 1);
        char *name = header && len > 0 ? wf_strndup(s, len) : wf_strdup(gen);
        if (name == NULL) goto oom;
        h->names[j] = name;
        int32_t dup = tbl_dict_find(&seen, name, strlen(name));
        if (dup >= 0) {
            size_t k = next_suffix[dup];
            char *alt = malloc(strlen(name) + 32);
            if (alt == NULL) goto oom;
            do
                sprintf(alt, "%s (%zu)", name, k++);
            while (tbl_dict_find(&seen, alt, strlen(alt)) >= 0);
            next_suffix[dup] = k;
            wf_buf_printf(warn, "column %zu: duplicate name \"%s\" renamed to \"%s\"\n", j + 1,
                          name, alt);
            free(name);
            h->names[j] = name = alt;
        }
        int32_t code = tbl_dict_intern(&seen, name, strlen(name));
        if (code < 0 || wf_grow((void **)&next_suffix, &cap, (size_t)code + 1, sizeof(size_t)) < 0)
            goto oom;
        next_suffix[code] = 2;
    }
    goto done;
oom:
    rc = wf_error_set(err, WF_ENOMEM, "out of memory");
done:
    tbl_dict_free(&seen);
    free(next_suffix);
    return rc;
}

int tbl__csv_read_header(const tbl__csv_input *in, size_t p, tbl_header header, size_t max_field,
                         tbl__csv_header *out, wf_buf *warn, wf_error *err)
{
    tbl__csv_scratch sc = {0};
    tbl_strings_builder b = {0};
    tbl_strings fields = {0};
    bool looks_like_header = true;
    size_t record = p;
    int rc = 0;
    tbl__csv_field f;
    memset(out, 0, sizeof *out);
    for (;;) {
        int t = tbl__csv_read_field(in, p, &f, &sc);
        size_t col = b.count + 1;
        size_t line = t != 0 || f.end - f.start > max_field ? tbl__csv_line_of(in, p) : 0;
        if (t == TBL__CSV_UNTERMINATED) {
            rc = wf_error_set(err, WF_EPARSE,
                              "line %zu, column %zu: unterminated quote: the quoted field that "
                              "opens on line %zu never closes",
                              line, col, line);
            goto done;
        }
        if (t < 0) goto oom;
        if (f.end - f.start > max_field) {
            rc = wf_error_set(err, WF_ELIMIT,
                              "line %zu, column %zu: field is longer than the limit of %zu bytes",
                              line, col, max_field);
            goto done;
        }
        if ((rc = tbl__csv_check_field(in, &f, NULL, col, err)) < 0) goto done;
        const char *s;
        size_t n;
        tbl__csv_trim(&f, &s, &n);
        if (tbl_is_missing_token(s, n) || tbl_field_kinds(s, n) != 0) looks_like_header = false;
        tbl_strings_append(&b, f.s, f.len);
        if (f.last) break;
        p = f.end + 1;
    }
    if (tbl_strings_finish(&b, &fields) < 0) goto oom;
    bool is_header =
        header == TBL_HEADER_PRESENT || (header == TBL_HEADER_GUESS && looks_like_header);
    out->data_start = is_header ? tbl__csv_after(in, &f) : record;
    out->ncols = fields.count;
    rc = tbl__name_columns(out, &fields, is_header, warn, err);
    if (rc < 0 && out->names != NULL) {
        for (size_t j = 0; j < out->ncols; j++)
            free(out->names[j]);
        free(out->names);
        out->names = NULL;
    }
    goto done;
oom:
    rc = wf_error_set(err, WF_ENOMEM, "out of memory");
done:
    tbl_strings_builder_free(&b);
    tbl_strings_clear(&fields);
    free(sc.buf);
    return rc;
}
