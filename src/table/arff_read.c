/*
 * arff_read.c: Weka's ARFF (Attribute-Relation File Format) into a table.
 *
 * An ARFF file is a header of `@relation NAME`, `@attribute NAME TYPE` lines
 * and `@data`, then one row per line: dense ("5.1,3.5,Iris-setosa") or sparse
 * ("{0 5.1, 4 Iris-setosa}"). What this reader decides:
 *   - numeric and real become TBL_NUMERIC, integer TBL_INTEGER (widened to
 *     numeric, with a warning, when a value has a fraction: Weka itself reads
 *     every number as a double), string TBL_STRING, date [format]
 *     TBL_DATETIME, and a nominal {a,b,c} TBL_CATEGORICAL whose levels are
 *     exactly the declared values in declared order, so that a code means the
 *     same thing in every file with that header.
 *   - As in Weka's tokenizer, keywords are case-insensitive, an unquoted %
 *     starts a comment, values are quoted with ' or " and use backslash
 *     escapes, and a row never spans lines.
 *   - Values are separated by commas only (Weka also splits on spaces), so an
 *     unquoted value with spaces, such as `new car`, stays one value.
 *   - An unquoted ? is missing. In numeric, integer and date attributes the
 *     missing tokens every weft reader knows (empty, NA, NaN) are missing too.
 *   - In sparse rows an omitted numeric, integer or date value is 0, an
 *     omitted nominal value is the first declared one, and an omitted string
 *     is "". Indices must increase, as Weka requires.
 *   - A row weight ({w} after the last value) is read past and ignored.
 *   - Relational attributes are not supported.
 * Date formats are the part of Java's SimpleDateFormat that ARFF files use;
 * a value that does not match its format is tried as ISO-8601 before it is
 * an error.
 */
#include "arff_int.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define TBL__ARFF_MAX_FIELD ((size_t)1 << 20)
#define TBL__ARFF_DEFAULT_DATE "yyyy-MM-dd'T'HH:mm:ss"

typedef struct tbl__arff_attr {
    char *name;
    size_t line; /* where it was declared */
    tbl_type type;
    tbl_dict nominal;        /* TBL_CATEGORICAL: the declared values, in order */
    char *date_format;       /* TBL_DATETIME */
    void *values;            /* per row: double, int64_t or int32_t by type */
    uint8_t *missing;        /* per row, 1 = missing */
    tbl_strings_builder str; /* TBL_STRING values */
} tbl__arff_attr;

/* A value of the current line: its unescaped text is r->text[off, off+len). */
typedef struct tbl__arff_field {
    size_t index; /* the attribute, for sparse rows */
    size_t off, len;
    bool quoted;
} tbl__arff_field;

typedef struct tbl__arff {
    const char *next, *end; /* the rest of the input */
    const char *c, *eol;    /* cursor in the current line, and its end */
    size_t line;
    size_t max_field;
    size_t input_len, cell_limit;
    tbl__arff_attr *attrs;
    size_t nattrs, attrs_cap;
    size_t nrows, rows_cap;
    wf_buf text; /* unescaped text of the current line's values */
    tbl__arff_field *fields;
    size_t nfields, fields_cap;
    wf_buf warnings;
    wf_error *err;
} tbl__arff;

/* ---- messages ---------------------------------------------------------- */

/* Up to 60 bytes of a value for a message, cut on a character boundary,
 * with control characters shown as '?' so a message stays one line. */
static const char *tbl__arff_show(const char *s, size_t len, char buf[72])
{
    size_t n = len;
    if (n > 60) {
        n = 60;
        while (n > 0 && ((unsigned char)s[n] & 0xc0) == 0x80)
            n--;
    }
    for (size_t i = 0; i < n; i++)
        buf[i] = (unsigned char)s[i] < 0x20 ? '?' : s[i];
    strcpy(buf + n, n < len ? "..." : "");
    return buf;
}

/* Fails with "line N[, attribute "NAME"]: <what>". */
__attribute__((format(printf, 4, 5))) static int
tbl__arff_fail(tbl__arff *r, const tbl__arff_attr *a, int code, const char *fmt, ...)
{
    char what[WF_ERROR_MESSAGE_MAX];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(what, sizeof what, fmt, ap);
    va_end(ap);
    if (a != NULL)
        return wf_error_set(r->err, code, "line %zu, attribute \"%s\": %s", r->line, a->name, what);
    return wf_error_set(r->err, code, "line %zu: %s", r->line, what);
}

static int tbl__arff_oom(tbl__arff *r)
{
    return wf_error_set(r->err, WF_ENOMEM, "out of memory reading ARFF (line %zu)", r->line);
}

/* ---- lines and tokens -------------------------------------------------- */

static bool tbl__arff_is_space(char ch)
{
    return ch == ' ' || ch == '\t' || ch == '\r' || ch == '\f' || ch == '\v';
}

static bool tbl__arff_next_line(tbl__arff *r)
{
    if (r->next >= r->end) return false;
    const char *nl = memchr(r->next, '\n', (size_t)(r->end - r->next));
    r->c = r->next;
    r->eol = nl ? nl : r->end;
    r->next = nl ? nl + 1 : r->end;
    r->line++;
    return true;
}

static void tbl__arff_skip_space(tbl__arff *r)
{
    while (r->c < r->eol && tbl__arff_is_space(*r->c))
        r->c++;
}

/* True when nothing but spaces and a comment is left on the line. */
static bool tbl__arff_at_eol(tbl__arff *r)
{
    tbl__arff_skip_space(r);
    return r->c == r->eol || *r->c == '%';
}

/* Decodes the escape after a backslash inside quotes: Weka writes \n \r \t
 * \\ \' \" \% and \uXXXX. An unknown escape keeps its backslash, so text that
 * merely contains one (a Windows path) survives. */
static void tbl__arff_unescape(tbl__arff *r)
{
    static const char from[] = "nrt\\'\"%", to[] = "\n\r\t\\'\"%";
    char ch = *r->c++;
    const char *known = strchr(from, ch);
    if (ch != '\0' && known != NULL) {
        wf_buf_append(&r->text, &to[known - from], 1);
        return;
    }
    unsigned cp = 0;
    int digits = 0;
    while (ch == 'u' && digits < 4 && r->c + digits < r->eol) {
        char h = r->c[digits];
        unsigned v = h >= '0' && h <= '9'   ? (unsigned)(h - '0')
                     : h >= 'a' && h <= 'f' ? (unsigned)(h - 'a' + 10)
                     : h >= 'A' && h <= 'F' ? (unsigned)(h - 'A' + 10)
                                            : 16;
        if (v == 16) break;
        cp = cp * 16 + v;
        digits++;
    }
    /* NUL and lone surrogates would make names and text invalid: kept as is. */
    if (digits < 4 || cp == 0 || (cp >= 0xd800 && cp <= 0xdfff)) {
        wf_buf_append(&r->text, "\\", 1);
        wf_buf_append(&r->text, &ch, 1);
        return;
    }
    char u[3] = {(char)cp, 0, 0};
    size_t n = 1;
    if (cp >= 0x800) {
        u[0] = (char)(0xe0 | (cp >> 12));
        u[1] = (char)(0x80 | ((cp >> 6) & 0x3f));
        u[2] = (char)(0x80 | (cp & 0x3f));
        n = 3;
    } else if (cp >= 0x80) {
        u[0] = (char)(0xc0 | (cp >> 6));
        u[1] = (char)(0x80 | (cp & 0x3f));
        n = 2;
    }
    wf_buf_append(&r->text, u, n);
    r->c += 4;
}

/* Reads one value into r->text: quoted, or bare up to a character of `stops`
 * (or a space when stop_at_space), a comment or the end of the line, with
 * the spaces around it trimmed. `a` names the attribute in messages. */
static int tbl__arff_read_token(tbl__arff *r, const char *stops, bool stop_at_space,
                                const tbl__arff_attr *a, tbl__arff_field *f)
{
    tbl__arff_skip_space(r);
    f->off = r->text.len;
    f->quoted = false;
    wf_buf_append(&r->text, "", 0); /* so that text.data exists even for '' */
    if (r->c < r->eol && (*r->c == '\'' || *r->c == '"')) {
        char quote = *r->c++;
        f->quoted = true;
        for (;;) {
            if (r->c >= r->eol)
                return tbl__arff_fail(r, a, WF_EPARSE, "unterminated quote (%c)", quote);
            char ch = *r->c++;
            if (ch == quote) break;
            if (ch == '\\' && r->c < r->eol)
                tbl__arff_unescape(r);
            else
                wf_buf_append(&r->text, &ch, 1);
        }
    } else {
        const char *start = r->c;
        size_t nstops = strlen(stops);
        while (r->c < r->eol && *r->c != '%' && memchr(stops, *r->c, nstops) == NULL &&
               !(stop_at_space && tbl__arff_is_space(*r->c)))
            r->c++;
        const char *e = r->c;
        while (e > start && tbl__arff_is_space(e[-1]))
            e--;
        wf_buf_append(&r->text, start, (size_t)(e - start));
    }
    if (r->text.failed) return tbl__arff_oom(r);
    f->len = r->text.len - f->off;
    if (f->len > r->max_field)
        return tbl__arff_fail(r, a, WF_ELIMIT, "a value is longer than the limit of %zu bytes",
                              r->max_field);
    return 0;
}

static const char *tbl__arff_text(const tbl__arff *r, const tbl__arff_field *f)
{
    return r->text.data + f->off;
}

/* The bare word at the cursor (a keyword or a type), which ends at a space,
 * a brace or a comment. */
static const char *tbl__arff_word(tbl__arff *r, size_t *len)
{
    tbl__arff_skip_space(r);
    const char *start = r->c;
    while (r->c < r->eol && !tbl__arff_is_space(*r->c) && *r->c != '{' && *r->c != '%')
        r->c++;
    *len = (size_t)(r->c - start);
    return start;
}

/* ---- the header -------------------------------------------------------- */

/* {a, 'b c', d}: the declared values become the dictionary, in order. */
static int tbl__arff_read_nominal(tbl__arff *r, tbl__arff_attr *a)
{
    a->type = TBL_CATEGORICAL;
    r->c++; /* '{' */
    tbl__arff_skip_space(r);
    if (r->c < r->eol && *r->c == '}') {
        r->c++;
        return 0;
    }
    for (;;) {
        tbl__arff_field f;
        r->text.len = 0;
        int rc = tbl__arff_read_token(r, ",}", false, a, &f);
        if (rc < 0) return rc;
        const char *s = tbl__arff_text(r, &f);
        char show[72];
        if (f.len == 0 && !f.quoted)
            return tbl__arff_fail(r, a, WF_EPARSE, "a declared value is empty");
        size_t before = tbl_dict_size(&a->nominal);
        int32_t code = tbl_dict_intern(&a->nominal, s, f.len);
        if (code < 0) return tbl__arff_oom(r);
        if ((size_t)code < before)
            return tbl__arff_fail(r, a, WF_EPARSE, "value \"%s\" is declared twice",
                                  tbl__arff_show(s, f.len, show));
        if (tbl__arff_at_eol(r))
            return tbl__arff_fail(r, a, WF_EPARSE, "the list of values has no closing }");
        if (*r->c == '}') {
            r->c++;
            return 0;
        }
        if (*r->c != ',')
            return tbl__arff_fail(r, a, WF_EPARSE, "expected , or } after value \"%s\"",
                                  tbl__arff_show(s, f.len, show));
        r->c++;
    }
}

/* @attribute NAME TYPE, the keyword already read. */
static int tbl__arff_read_attribute(tbl__arff *r)
{
    if (wf_grow((void **)&r->attrs, &r->attrs_cap, r->nattrs + 1, sizeof *r->attrs) < 0)
        return tbl__arff_oom(r);
    tbl__arff_attr *a = &r->attrs[r->nattrs];
    memset(a, 0, sizeof *a);
    tbl__arff_field f;
    r->text.len = 0;
    int rc = tbl__arff_read_token(r, "{", true, NULL, &f);
    if (rc < 0) return rc;
    if (f.len == 0 && !f.quoted)
        return tbl__arff_fail(r, NULL, WF_EPARSE, "@attribute has no name");
    a->name = wf_strndup(tbl__arff_text(r, &f), f.len);
    if (a->name == NULL) return tbl__arff_oom(r);
    a->line = r->line;
    r->nattrs++; /* from here on the reader frees it */

    tbl__arff_skip_space(r);
    if (r->c < r->eol && *r->c == '{') {
        rc = tbl__arff_read_nominal(r, a);
    } else {
        size_t len;
        const char *word = tbl__arff_word(r, &len);
        char show[72];
        if (tbl__arff_is_word(word, len, "numeric") || tbl__arff_is_word(word, len, "real")) {
            a->type = TBL_NUMERIC;
        } else if (tbl__arff_is_word(word, len, "integer")) {
            a->type = TBL_INTEGER;
        } else if (tbl__arff_is_word(word, len, "string")) {
            a->type = TBL_STRING;
        } else if (tbl__arff_is_word(word, len, "date")) {
            a->type = TBL_DATETIME;
            const char *fmt = TBL__ARFF_DEFAULT_DATE;
            size_t flen = strlen(fmt);
            if (!tbl__arff_at_eol(r)) {
                r->text.len = 0;
                rc = tbl__arff_read_token(r, "", true, a, &f);
                if (rc < 0) return rc;
                fmt = tbl__arff_text(r, &f);
                flen = f.len;
            }
            a->date_format = wf_strndup(fmt, flen);
            if (a->date_format == NULL) return tbl__arff_oom(r);
            char bad = tbl__arff_check_date_format(a->date_format);
            if (bad == '\'')
                return tbl__arff_fail(r, a, WF_EFORMAT, "date format \"%s\" has an unclosed quote",
                                      tbl__arff_show(fmt, flen, show));
            if (bad)
                return tbl__arff_fail(r, a, WF_EFORMAT,
                                      "date format \"%s\" uses '%c', which is not supported",
                                      tbl__arff_show(fmt, flen, show), bad);
        } else if (tbl__arff_is_word(word, len, "relational")) {
            return tbl__arff_fail(r, a, WF_EFORMAT, "relational attributes are not supported");
        } else if (len == 0) {
            return tbl__arff_fail(r, a, WF_EPARSE, "the attribute has no type");
        } else {
            return tbl__arff_fail(r, a, WF_EPARSE,
                                  "unknown type \"%s\" (expected numeric, real, integer, "
                                  "string, date or {values})",
                                  tbl__arff_show(word, len, show));
        }
    }
    if (rc < 0) return rc;
    if (!tbl__arff_at_eol(r))
        return tbl__arff_fail(r, a, WF_EPARSE, "unexpected text after the type");
    return 0;
}

/* Column names must be unique: a repeated attribute name becomes "x (2)",
 * as Add Columns names clashes, and the change is reported as a warning. */
static int tbl__arff_unique_names(tbl__arff *r)
{
    tbl_dict names = {0};
    int rc = 0;
    for (size_t i = 0; i < r->nattrs && rc == 0; i++) {
        tbl__arff_attr *a = &r->attrs[i];
        if (tbl_dict_find(&names, a->name, strlen(a->name)) >= 0) {
            size_t cap = strlen(a->name) + 32;
            char *renamed = malloc(cap);
            if (renamed == NULL) {
                rc = tbl__arff_oom(r);
                break;
            }
            for (size_t k = 2;; k++) {
                snprintf(renamed, cap, "%s (%zu)", a->name, k);
                if (tbl_dict_find(&names, renamed, strlen(renamed)) < 0) break;
            }
            wf_buf_printf(&r->warnings,
                          "line %zu: attribute \"%s\" is declared twice; renamed to \"%s\"\n",
                          a->line, a->name, renamed);
            free(a->name);
            a->name = renamed;
        }
        if (tbl_dict_intern(&names, a->name, strlen(a->name)) < 0) rc = tbl__arff_oom(r);
    }
    tbl_dict_free(&names);
    return rc;
}

/* Everything up to and including @data. */
static int tbl__arff_read_header(tbl__arff *r)
{
    bool any = false;
    while (tbl__arff_next_line(r)) {
        if (tbl__arff_at_eol(r)) continue;
        any = true;
        size_t len;
        const char *kw = tbl__arff_word(r, &len);
        char show[72];
        if (tbl__arff_is_word(kw, len, "@relation")) {
            /* The relation's name is not kept: a table has none. */
            continue;
        } else if (tbl__arff_is_word(kw, len, "@attribute")) {
            int rc = tbl__arff_read_attribute(r);
            if (rc < 0) return rc;
        } else if (tbl__arff_is_word(kw, len, "@data")) {
            if (r->nattrs == 0)
                return tbl__arff_fail(r, NULL, WF_EPARSE, "@data comes before any @attribute");
            if (!tbl__arff_at_eol(r))
                return tbl__arff_fail(r, NULL, WF_EPARSE, "unexpected text after @data");
            return tbl__arff_unique_names(r);
        } else if (tbl__arff_is_word(kw, len, "@end")) {
            return tbl__arff_fail(r, NULL, WF_EFORMAT,
                                  "@end belongs to relational attributes, which are not "
                                  "supported");
        } else {
            if (len == 0) len = (size_t)(r->eol - r->c);
            return tbl__arff_fail(r, NULL, WF_EPARSE,
                                  "expected @relation, @attribute or @data, found \"%s\"",
                                  tbl__arff_show(kw, len, show));
        }
    }
    if (!any) return wf_error_set(r->err, WF_EPARSE, "the file is empty: it has no ARFF header");
    return wf_error_set(r->err, WF_EPARSE,
                        "the header has no @data line (the file ends at line %zu)", r->line);
}

/* ---- rows -------------------------------------------------------------- */

static int tbl__arff_push_field(tbl__arff *r, const tbl__arff_field *f)
{
    if (wf_grow((void **)&r->fields, &r->fields_cap, r->nfields + 1, sizeof *r->fields) < 0)
        return tbl__arff_oom(r);
    r->fields[r->nfields++] = *f;
    return 0;
}

/* Reads past a row weight "{w}" (the cursor on the brace) to the end of the
 * line. Weights are not kept: a weight column would need a role Weka's
 * header cannot declare. */
static int tbl__arff_skip_weight(tbl__arff *r)
{
    const char *close = memchr(r->c, '}', (size_t)(r->eol - r->c));
    if (close == NULL) return tbl__arff_fail(r, NULL, WF_EPARSE, "the row weight has no closing }");
    r->c = close + 1;
    if (!tbl__arff_at_eol(r))
        return tbl__arff_fail(r, NULL, WF_EPARSE, "unexpected text after the row weight");
    return 0;
}

/* "v1, v2, ..., vn[, {w}]" into r->fields. */
static int tbl__arff_split_dense(tbl__arff *r)
{
    for (;;) {
        tbl__arff_skip_space(r);
        if (r->nfields == r->nattrs && r->c < r->eol && *r->c == '{')
            return tbl__arff_skip_weight(r);
        const tbl__arff_attr *a = r->nfields < r->nattrs ? &r->attrs[r->nfields] : NULL;
        tbl__arff_field f = {.index = r->nfields};
        int rc = tbl__arff_read_token(r, ",", false, a, &f);
        if (rc == 0) rc = tbl__arff_push_field(r, &f);
        if (rc < 0) return rc;
        if (tbl__arff_at_eol(r)) break;
        if (*r->c != ',')
            return tbl__arff_fail(r, a, WF_EPARSE, "unexpected text after a quoted value");
        r->c++;
    }
    if (r->nfields != r->nattrs)
        return tbl__arff_fail(r, NULL, WF_EPARSE, "expected %zu values, found %zu", r->nattrs,
                              r->nfields);
    return 0;
}

/* "{i v, j w, ...}[, {weight}]" into r->fields, indices increasing. */
static int tbl__arff_split_sparse(tbl__arff *r)
{
    r->c++; /* '{' */
    tbl__arff_skip_space(r);
    bool empty = r->c < r->eol && *r->c == '}';
    if (empty) r->c++;
    while (!empty) {
        tbl__arff_skip_space(r);
        size_t index = 0;
        const char *start = r->c;
        while (r->c < r->eol && *r->c >= '0' && *r->c <= '9') {
            if (index <= r->nattrs) index = index * 10 + (size_t)(*r->c - '0');
            r->c++;
        }
        if (r->c == start)
            return tbl__arff_fail(r, NULL, WF_EPARSE,
                                  "expected an attribute index in a sparse row");
        if (index >= r->nattrs)
            return tbl__arff_fail(r, NULL, WF_EPARSE,
                                  "sparse index %.*s is out of range (there are %zu attributes, "
                                  "numbered from 0)",
                                  (int)(r->c - start > 20 ? 20 : r->c - start), start, r->nattrs);
        if (r->nfields > 0 && index <= r->fields[r->nfields - 1].index)
            return tbl__arff_fail(r, NULL, WF_EPARSE,
                                  "sparse indices must increase (%zu comes after %zu)", index,
                                  r->fields[r->nfields - 1].index);
        const tbl__arff_attr *a = &r->attrs[index];
        tbl__arff_field f = {.index = index};
        int rc = tbl__arff_read_token(r, ",}", false, a, &f);
        if (rc == 0) rc = tbl__arff_push_field(r, &f);
        if (rc < 0) return rc;
        if (f.len == 0 && !f.quoted)
            return tbl__arff_fail(r, a, WF_EPARSE, "sparse index %zu has no value", index);
        if (tbl__arff_at_eol(r))
            return tbl__arff_fail(r, NULL, WF_EPARSE, "the sparse row has no closing }");
        if (*r->c == '}') {
            r->c++;
            break;
        }
        if (*r->c != ',') return tbl__arff_fail(r, a, WF_EPARSE, "expected , or } after a value");
        r->c++;
    }
    if (tbl__arff_at_eol(r)) return 0;
    if (*r->c == ',') {
        r->c++;
        tbl__arff_skip_space(r);
        if (r->c < r->eol && *r->c == '{') return tbl__arff_skip_weight(r);
    }
    return tbl__arff_fail(r, NULL, WF_EPARSE, "unexpected text after the sparse row's }");
}

static int tbl__arff_grow_rows(tbl__arff *r)
{
    if (r->nrows < r->rows_cap) return 0;
    size_t cap = r->rows_cap ? r->rows_cap * 2 : 64;
    for (size_t i = 0; i < r->nattrs; i++) {
        tbl__arff_attr *a = &r->attrs[i];
        size_t width = tbl_type_width(a->type);
        if (width) {
            void *v = wf_reallocarray(a->values, cap, width);
            if (v == NULL) return tbl__arff_oom(r);
            a->values = v;
        }
        uint8_t *m = realloc(a->missing, cap);
        if (m == NULL) return tbl__arff_oom(r);
        a->missing = m;
    }
    r->rows_cap = cap;
    return 0;
}

/* Weka reads integer attributes as doubles, so a fraction in one is data, not
 * an error: the attribute becomes numeric, with a warning. */
static void tbl__arff_widen_to_numeric(tbl__arff *r, tbl__arff_attr *a, const char *s, size_t len)
{
    char *bytes = a->values;
    for (size_t i = 0; i < r->nrows; i++) {
        int64_t v;
        memcpy(&v, bytes + i * sizeof v, sizeof v);
        double x = (double)v;
        memcpy(bytes + i * sizeof x, &x, sizeof x);
    }
    a->type = TBL_NUMERIC;
    char show[72];
    wf_buf_printf(&r->warnings,
                  "line %zu: attribute \"%s\" is declared integer but has \"%s\"; it is read as "
                  "numeric\n",
                  r->line, a->name, tbl__arff_show(s, len, show));
}

/* Stores one value of the current row; f == NULL stores what a sparse row
 * means by leaving the attribute out. */
static int tbl__arff_store(tbl__arff *r, tbl__arff_attr *a, const tbl__arff_field *f)
{
    size_t row = r->nrows;
    size_t width = tbl_type_width(a->type);
    char *slot = width ? (char *)a->values + row * width : NULL;
    a->missing[row] = 0;
    if (width) memset(slot, 0, width);
    if (f == NULL) {
        if (a->type == TBL_STRING) tbl_strings_append(&a->str, "", 0);
        if (a->type == TBL_CATEGORICAL && tbl_dict_size(&a->nominal) == 0) {
            a->missing[row] = 1;
            *(int32_t *)slot = -1;
        }
        return a->str.failed ? tbl__arff_oom(r) : 0;
    }
    const char *s = tbl__arff_text(r, f);
    size_t len = f->len;
    bool unquoted_missing = !f->quoted && (len == 0 || (len == 1 && s[0] == '?'));
    bool numeric_missing = unquoted_missing || tbl_is_missing_token(s, len);
    char show[72];
    switch (a->type) {
    case TBL_NUMERIC: {
        double x = 0;
        if (numeric_missing)
            a->missing[row] = 1;
        else if (tbl_parse_double(s, len, &x) < 0)
            return tbl__arff_fail(r, a, WF_EPARSE, "\"%s\" is not a number",
                                  tbl__arff_show(s, len, show));
        memcpy(slot, &x, sizeof x);
        return 0;
    }
    case TBL_INTEGER: {
        int64_t v = 0;
        double x;
        if (numeric_missing) {
            a->missing[row] = 1;
        } else if (tbl_parse_int64(s, len, &v) < 0) {
            if (tbl_parse_double(s, len, &x) < 0)
                return tbl__arff_fail(r, a, WF_EPARSE, "\"%s\" is not a number",
                                      tbl__arff_show(s, len, show));
            if (!(x == floor(x) && x >= -9223372036854775808.0 && x < 9223372036854775808.0)) {
                tbl__arff_widen_to_numeric(r, a, s, len);
                memcpy(slot, &x, sizeof x);
                return 0;
            }
            v = (int64_t)x;
        }
        memcpy(slot, &v, sizeof v);
        return 0;
    }
    case TBL_DATETIME: {
        int64_t us = 0;
        if (numeric_missing)
            a->missing[row] = 1;
        else if (tbl__arff_parse_date(a->date_format, s, len, &us) < 0 &&
                 tbl_parse_datetime(s, len, &us) < 0)
            return tbl__arff_fail(r, a, WF_EPARSE, "\"%s\" is not a date in the format \"%s\"",
                                  tbl__arff_show(s, len, show), a->date_format);
        memcpy(slot, &us, sizeof us);
        return 0;
    }
    case TBL_CATEGORICAL: {
        int32_t code = -1;
        if (unquoted_missing)
            a->missing[row] = 1;
        else if ((code = tbl_dict_find(&a->nominal, s, len)) < 0)
            return tbl__arff_fail(r, a, WF_EPARSE, "value \"%s\" is not one of the declared values",
                                  tbl__arff_show(s, len, show));
        memcpy(slot, &code, sizeof code);
        return 0;
    }
    case TBL_STRING:
        a->missing[row] = unquoted_missing;
        tbl_strings_append(&a->str, s, unquoted_missing ? 0 : len);
        return a->str.failed ? tbl__arff_oom(r) : 0;
    case TBL_BOOLEAN:
        break;
    }
    return 0;
}

static int tbl__arff_read_rows(tbl__arff *r)
{
    while (tbl__arff_next_line(r)) {
        if (tbl__arff_at_eol(r)) continue;
        r->text.len = 0;
        r->nfields = 0;
        bool sparse = *r->c == '{';
        int rc = sparse ? tbl__arff_split_sparse(r) : tbl__arff_split_dense(r);
        /* Sparse rows can describe a table far larger than their text
         * ("{}" is a whole row), and a table is dense: refuse beyond 16 cells
         * per input byte, plus a floor, rather than exhaust memory. */
        if (rc == 0 && r->nrows + 1 > r->cell_limit / r->nattrs)
            rc = tbl__arff_fail(r, NULL, WF_ELIMIT,
                                "%zu rows of %zu attributes are too many cells for a "
                                "%zu-byte file",
                                r->nrows + 1, r->nattrs, r->input_len);
        if (rc == 0) rc = tbl__arff_grow_rows(r);
        if (rc < 0) return rc;
        size_t k = 0;
        for (size_t i = 0; i < r->nattrs; i++) {
            const tbl__arff_field *f = NULL;
            if (!sparse)
                f = &r->fields[i];
            else if (k < r->nfields && r->fields[k].index == i)
                f = &r->fields[k++];
            rc = tbl__arff_store(r, &r->attrs[i], f);
            if (rc < 0) return rc;
        }
        r->nrows++;
    }
    return 0;
}

/* ---- the table --------------------------------------------------------- */

/* Moves each attribute's buffers into a column of a new table. */
static int tbl__arff_build(tbl__arff *r, tbl_table **out)
{
    tbl_table *t = tbl_new();
    if (t == NULL) return tbl__arff_oom(r);
    for (size_t i = 0; i < r->nattrs; i++) {
        tbl__arff_attr *a = &r->attrs[i];
        tbl_column col;
        memset(&col, 0, sizeof col);
        col.name = a->name;
        a->name = NULL;
        col.type = a->type;
        col.role = TBL_ROLE_FEATURE;
        col.missing = a->missing;
        a->missing = NULL;
        int rc = 0;
        if (a->type == TBL_STRING) {
            rc = tbl_strings_finish(&a->str, &col.str);
        } else {
            /* A table with no rows still has a buffer per column. */
            col.v.f64 = a->values ? a->values : calloc(1, sizeof(int64_t));
            a->values = NULL;
            if (col.v.f64 == NULL) rc = WF_ENOMEM;
        }
        if (rc == 0 && a->type == TBL_CATEGORICAL) rc = tbl_dict_finish(&a->nominal, &col.levels);
        if (rc < 0) {
            tbl_column_clear(&col);
            tbl_free(t);
            return tbl__arff_oom(r);
        }
        tbl_compact_missing(&col, r->nrows);
        rc = tbl_add_column(t, &col, r->nrows, r->err);
        if (rc < 0) {
            tbl_column_clear(&col);
            tbl_free(t);
            return rc;
        }
    }
    *out = t;
    return 0;
}

static void tbl__arff_free(tbl__arff *r)
{
    for (size_t i = 0; i < r->nattrs; i++) {
        tbl__arff_attr *a = &r->attrs[i];
        free(a->name);
        tbl_dict_free(&a->nominal);
        free(a->date_format);
        free(a->values);
        free(a->missing);
        tbl_strings_builder_free(&a->str);
    }
    free(r->attrs);
    free(r->fields);
    wf_buf_free(&r->text);
    wf_buf_free(&r->warnings);
}

/* Where byte `at` of data is, as a 1-based line. */
static size_t tbl__arff_line_of(const char *data, size_t at)
{
    size_t line = 1;
    for (size_t i = 0; i < at; i++)
        line += data[i] == '\n';
    return line;
}

/* Reads ARFF text (the contract is in table.h; the choices at the top of
 * this file). *opt->warnings, when asked for, lists renamed duplicate
 * attributes and integer attributes read as numeric; it is NULL when there
 * is nothing to say and on failure. */
int tbl_read_arff(const char *data, size_t len, const tbl_read_options *opt, tbl_table **out,
                  wf_error *err)
{
    char **warnings = opt ? opt->warnings : NULL;
    if (warnings) *warnings = NULL;
    if (out == NULL) return wf_error_set(err, WF_EINVAL, "tbl_read_arff: out is NULL");
    *out = NULL;
    if (data == NULL && len > 0) return wf_error_set(err, WF_EINVAL, "tbl_read_arff: no data");
    if (len == 0) return wf_error_set(err, WF_EPARSE, "the file is empty");
    /* Text checks first, so that binary input gets one clear message rather
     * than whatever the first line happens to look like. */
    const char *nul = memchr(data, '\0', len);
    if (nul != NULL)
        return wf_error_set(err, WF_EPARSE, "line %zu: a NUL byte; this is not a text file",
                            tbl__arff_line_of(data, (size_t)(nul - data)));
    size_t bad;
    if (!wf_utf8_valid(data, len, &bad)) {
        size_t line = tbl__arff_line_of(data, bad);
        size_t col = bad;
        while (col > 0 && data[col - 1] != '\n')
            col--;
        return wf_error_set(err, WF_EPARSE, "line %zu, byte %zu: invalid UTF-8", line,
                            bad - col + 1);
    }
    if (len >= 3 && memcmp(data, "\xef\xbb\xbf", 3) == 0) {
        data += 3;
        len -= 3;
    }
    tbl__arff r;
    memset(&r, 0, sizeof r);
    r.next = data;
    r.end = data + len;
    r.max_field = opt && opt->max_field ? opt->max_field : TBL__ARFF_MAX_FIELD;
    r.input_len = len;
    r.cell_limit = (len < SIZE_MAX / 32 ? len * 16 : SIZE_MAX / 2) + ((size_t)1 << 22);
    r.err = err;
    int rc = tbl__arff_read_header(&r);
    if (rc == 0) rc = tbl__arff_read_rows(&r);
    if (rc == 0 && r.warnings.failed) rc = tbl__arff_oom(&r);
    if (rc == 0) rc = tbl__arff_build(&r, out);
    if (rc == 0 && warnings && r.warnings.len > 0) {
        *warnings = r.warnings.data;
        r.warnings.data = NULL;
    }
    tbl__arff_free(&r);
    return rc;
}
