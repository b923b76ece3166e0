/*
 * csv_scan.c: the CSV tokenizer (fields, in the dialect that csv_int.h
 * describes), the delimiter sniffer and the UTF-8 check.
 */
#include "csv_int.h"

#include <stdlib.h>
#include <string.h>

static char *tbl__reserve(tbl__csv_scratch *sc, size_t n)
{
    if (n <= sc->cap) return sc->buf;
    size_t cap = sc->cap ? sc->cap : 256;
    while (cap < n)
        cap *= 2;
    char *p = realloc(sc->buf, cap);
    if (p == NULL) return NULL;
    sc->buf = p;
    sc->cap = cap;
    return p;
}

int tbl__csv_read_quoted(const tbl__csv_input *in, size_t p, tbl__csv_field *f,
                         tbl__csv_scratch *sc)
{
    const char *d = in->d;
    size_t end = in->len;
    f->start = p;
    size_t q = p + 1, close;
    bool escaped = false;
    for (;;) {
        const char *hit = q < end ? memchr(d + q, '"', end - q) : NULL;
        if (hit == NULL) return TBL__CSV_UNTERMINATED;
        size_t h = (size_t)(hit - d);
        if (h + 1 < end && d[h + 1] == '"') {
            escaped = true;
            q = h + 2;
            continue;
        }
        close = h;
        break;
    }
    size_t t = tbl__csv_scan_plain(d, close + 1, end, in->delim);
    bool last = t == end || d[t] == '\n';
    size_t te = t; /* end of any text after the closing quote */
    if (last && te > close + 1 && d[te - 1] == '\r') te--;
    f->end = t;
    f->quoted = true;
    f->last = last;
    f->s = d + p + 1;
    f->len = close - p - 1;
    if (sc == NULL || (!escaped && te == close + 1)) return 0;
    char *out = tbl__reserve(sc, (close - p - 1) + (te - close - 1) + 1);
    if (out == NULL) return WF_ENOMEM;
    size_t n = 0;
    /* Inside the quotes every '"' is the first of a pair: keep one. */
    for (size_t i = p + 1; i < close; i++) {
        out[n++] = d[i];
        if (d[i] == '"') i++;
    }
    memcpy(out + n, d + close + 1, te - close - 1);
    n += te - close - 1;
    f->s = out;
    f->len = n;
    return 0;
}

size_t tbl__csv_count_fields(const tbl__csv_input *in, size_t p)
{
    size_t n = 0;
    tbl__csv_field f;
    for (;;) {
        if (tbl__csv_read_field(in, p, &f, NULL) != 0) return n + 1;
        n++;
        if (f.last) return n;
        p = f.end + 1;
    }
}

size_t tbl__csv_line_of(const tbl__csv_input *in, size_t off)
{
    size_t line = 1;
    const char *p = in->d, *stop = in->d + (off < in->len ? off : in->len);
    while (p < stop && (p = memchr(p, '\n', (size_t)(stop - p))) != NULL) {
        line++;
        p++;
    }
    return line;
}

bool tbl__csv_blank_line(const tbl__csv_input *in, size_t p)
{
    const char *d = in->d;
    if (p >= in->len || d[p] == '\n') return true;
    return d[p] == '\r' && (p + 1 == in->len || d[p + 1] == '\n');
}

/* ---- sniffing ----------------------------------------------------------- */

#define TBL__SNIFF_BYTES (1u << 20)
#define TBL__SNIFF_RECORDS 64

/* Field counts of up to TBL__SNIFF_RECORDS records at the start of d, with
 * delimiter c. A record cut by the end of the window is not counted, unless
 * it is the first (a very long first line still says something). */
static size_t tbl__sniff_counts(const char *d, size_t len, bool whole, char c, size_t *counts)
{
    tbl__csv_input in = {d, len, c};
    size_t p = 0, n = 0;
    while (p < len && n < TBL__SNIFF_RECORDS) {
        if (tbl__csv_blank_line(&in, p)) {
            const char *nl = memchr(d + p, '\n', len - p);
            p = nl ? (size_t)(nl - d) + 1 : len;
            continue;
        }
        size_t fields = 0;
        tbl__csv_field f;
        for (;;) {
            if (tbl__csv_read_field(&in, p, &f, NULL) != 0) return n;
            fields++;
            if (f.last) break;
            p = f.end + 1;
        }
        if (f.end == len && !whole && n > 0) return n;
        counts[n++] = fields;
        p = tbl__csv_after(&in, &f);
    }
    return n;
}

/* The rule: (1) a candidate whose count is the same over every sampled
 * record and above one wins, the highest count first; (2) failing that, the
 * candidate whose first record has more than one field and that most other
 * records agree with; (3) else ','. Ties go to the order ',', '\t', ';', '|'. */
char tbl__csv_sniff(const char *d, size_t len)
{
    static const char cands[4] = {',', '\t', ';', '|'};
    size_t window = len < TBL__SNIFF_BYTES ? len : TBL__SNIFF_BYTES;
    size_t counts[TBL__SNIFF_RECORDS];
    int best = -1;
    size_t best_count = 0, best_agree = 0;
    bool best_consistent = false;
    for (int c = 0; c < 4; c++) {
        size_t n = tbl__sniff_counts(d, window, window == len, cands[c], counts);
        if (n == 0 || counts[0] < 2) continue;
        size_t agree = 0;
        for (size_t i = 0; i < n; i++)
            agree += counts[i] == counts[0];
        bool consistent = agree == n;
        bool better;
        if (best < 0)
            better = true;
        else if (consistent != best_consistent)
            better = consistent;
        else if (consistent)
            better = counts[0] > best_count;
        else
            better = agree > best_agree || (agree == best_agree && counts[0] > best_count);
        if (better) {
            best = c;
            best_count = counts[0];
            best_agree = agree;
            best_consistent = consistent;
        }
    }
    return best < 0 ? ',' : cands[best];
}

/* ---- text fields -------------------------------------------------------------- */

int tbl__csv_check_field(const tbl__csv_input *in, const tbl__csv_field *f, const char *name,
                         size_t col, wf_error *err)
{
    const char *s = f->s, *problem;
    size_t bad;
    const char *nul = f->len ? memchr(s, '\0', f->len) : NULL;
    unsigned char any = 0;
    for (size_t i = 0; i < f->len; i++)
        any |= (unsigned char)s[i];
    if (nul != NULL) {
        bad = (size_t)(nul - s);
        problem = "NUL byte: this is binary data, not CSV text";
    } else if (any >= 0x80 && !wf_utf8_valid(s, f->len, &bad)) {
        problem = "invalid UTF-8";
    } else {
        return 0;
    }
    size_t line = tbl__csv_line_of(in, f->start);
    for (size_t i = 0; i < bad; i++)
        line += s[i] == '\n';
    if (name != NULL)
        return wf_error_set(err, WF_EPARSE, "line %zu, column \"%s\": %s", line, name, problem);
    return wf_error_set(err, WF_EPARSE, "line %zu, column %zu: %s", line, col, problem);
}
