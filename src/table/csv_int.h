/*
 * csv_int.h: the CSV tokenizer shared by csv_read.c (the reader's passes),
 * csv_records.c (where records start), csv_header.c (the first record) and
 * csv_scan.c (fields, sniffing, checks).
 * Private to the table part.
 *
 * The dialect, which every pass below must agree on byte for byte:
 *   - a record ends at LF, or CRLF (the CR is dropped), or the end of input;
 *     a CR anywhere else is data;
 *   - a field that starts with '"' is quoted: it runs to the next lone '"'
 *     ("" is an escaped quote) and may hold delimiters, CR and LF. Text after
 *     the closing quote and before the next delimiter is kept, literally
 *     (`"ab"c` reads as `abc`), as most readers do;
 *   - a '"' that does not start a field is an ordinary character.
 */
#ifndef WEFT_TABLE_CSV_INT_H
#define WEFT_TABLE_CSV_INT_H

#include "table.h"

#include <string.h>

/* What the tokenizer reads: the bytes after any BOM, and the delimiter. */
typedef struct tbl__csv_input {
    const char *d;
    size_t len;
    char delim;
} tbl__csv_input;

/* One field, as the tokenizer found it. */
typedef struct tbl__csv_field {
    const char *s; /* its text, unescaped: into the input, or a scratch buffer */
    size_t len;
    size_t start; /* offset of its first byte (the opening quote when quoted) */
    size_t end;   /* offset of its terminator: a delimiter, LF, or len */
    bool quoted;
    bool last; /* the record ends after this field */
} tbl__csv_field;

/* A growable buffer for unescaped quoted fields; one per thread. */
typedef struct tbl__csv_scratch {
    char *buf;
    size_t cap;
} tbl__csv_scratch;

/* tbl__csv_read_field's answer when a quoted field never closes. */
#define TBL__CSV_UNTERMINATED 1

/* Offset of the first delimiter or LF at or after p, or end. Fields are
 * short (a number is ten bytes or so), so rather than memchr this tests
 * eight bytes at a time for a zero byte in (x ^ delim) | (x ^ LF): the
 * lowest flagged byte is exact (borrows only run upwards). */
static inline size_t tbl__csv_scan_plain(const char *d, size_t p, size_t end, char delim)
{
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
    const uint64_t ones = 0x0101010101010101ull, highs = 0x8080808080808080ull;
    const uint64_t dm = ones * (unsigned char)delim, nm = ones * (unsigned char)'\n';
    while (end - p >= 8) {
        uint64_t x;
        memcpy(&x, d + p, 8);
        uint64_t a = x ^ dm, b = x ^ nm;
        uint64_t z = ((a - ones) & ~a & highs) | ((b - ones) & ~b & highs);
        if (z) return p + ((size_t)__builtin_ctzll(z) >> 3);
        p += 8;
    }
#endif
    while (p < end && d[p] != delim && d[p] != '\n')
        p++;
    return p;
}

/* The part of tbl__csv_read_field for a field that starts with a quote. */
int tbl__csv_read_quoted(const tbl__csv_input *in, size_t p, tbl__csv_field *f,
                         tbl__csv_scratch *sc);

/* Reads the field that starts at offset p (p <= len). Returns 0,
 * TBL__CSV_UNTERMINATED, or WF_ENOMEM. With sc == NULL only the field's
 * bounds are found (a quoted field's f->s is then not unescaped), which is
 * all a pass that looks for record boundaries needs. Inline, as the reader
 * calls it for every field. */
static inline int tbl__csv_read_field(const tbl__csv_input *in, size_t p, tbl__csv_field *f,
                                      tbl__csv_scratch *sc)
{
    const char *d = in->d;
    size_t end = in->len;
    if (p < end && d[p] == '"') return tbl__csv_read_quoted(in, p, f, sc);
    size_t t = tbl__csv_scan_plain(d, p, end, in->delim);
    bool last = t == end || d[t] == '\n';
    size_t e = t;
    if (last && e > p && d[e - 1] == '\r') e--;
    f->start = p;
    f->s = d + p;
    f->len = e - p;
    f->end = t;
    f->quoted = false;
    f->last = last;
    return 0;
}

/* Where the record after field f starts. */
static inline size_t tbl__csv_after(const tbl__csv_input *in, const tbl__csv_field *f)
{
    return f->end < in->len ? f->end + 1 : in->len;
}

/* The number of fields of the record at p (which must be well formed). */
size_t tbl__csv_count_fields(const tbl__csv_input *in, size_t p);

/* 1-based physical line of byte offset `off` of in->d. */
size_t tbl__csv_line_of(const tbl__csv_input *in, size_t off);

/* True when the line at p is empty ("" or "\r" before LF or the end). */
bool tbl__csv_blank_line(const tbl__csv_input *in, size_t p);

/* The delimiter, among ',', '\t', ';' and '|', that gives the first records
 * a consistent field count above one (see csv_scan.c for the rule). */
char tbl__csv_sniff(const char *d, size_t len);

/* Where the records are (csv_records.c). */
typedef struct tbl__csv_records {
    size_t *starts; /* offset of each record, malloc'd; the caller frees it */
    size_t count;
    /* When a quoted field never closes: the offset of its quote and of its
     * record (the records before it are still found); else (size_t)-1. */
    size_t open_quote, open_record;
} tbl__csv_records;

/* Finds every record from offset p (a record start) on, skipping blank
 * lines when `skip_blank` (tables of more than one column), on up to
 * `threads` threads. Returns 0 or WF_ENOMEM. */
int tbl__csv_find_records(const tbl__csv_input *in, size_t p, bool skip_blank, size_t threads,
                          tbl__csv_records *out);

/* Checks that a text field holds no NUL byte and is valid UTF-8 (plain
 * ASCII is checked quickly). On a problem fills err with the line of the
 * bad byte and the column, by name, or by number when name is NULL. */
int tbl__csv_check_field(const tbl__csv_input *in, const tbl__csv_field *f, const char *name,
                         size_t col, wf_error *err);

/* The text of f as types and missing tokens see it: an unquoted field
 * without the spaces and tabs around it (" 1" is the integer 1). */
static inline void tbl__csv_trim(const tbl__csv_field *f, const char **s, size_t *n)
{
    const char *p = f->s;
    size_t len = f->len;
    if (!f->quoted && len > 0 && ((unsigned char)p[0] <= ' ' || (unsigned char)p[len - 1] <= ' ')) {
        while (len > 0 && (p[0] == ' ' || p[0] == '\t'))
            p++, len--;
        while (len > 0 && (p[len - 1] == ' ' || p[len - 1] == '\t'))
            len--;
    }
    *s = p;
    *n = len;
}

/* The first record, read by csv_header.c. */
typedef struct tbl__csv_header {
    size_t ncols;
    char **names;      /* ncols unique names, malloc'd; the caller frees them */
    size_t data_start; /* where the data records begin */
} tbl__csv_header;

/* Reads the record at p as a header or not (or guesses which)
 * and names the columns; renamed duplicates are reported in warn, one line
 * each. On failure nothing is left to free. */
int tbl__csv_read_header(const tbl__csv_input *in, size_t p, tbl_header header, size_t max_field,
                         tbl__csv_header *out, wf_buf *warn, wf_error *err);

#endif
