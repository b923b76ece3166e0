/*
 * csv_records.c: finding where every CSV record starts, on several threads.
 *
 * A record usually is a line, but a quoted field may hold line breaks, so
 * where records start depends on every quote before them. The file is cut
 * into spans, one per thread, and each span guesses its first record start
 * from the parity of the quotes before it: a line break is a record break
 * when an even number of quotes precede it. That is exact for RFC 4180 text
 * (quotes only around fields and doubled inside them), and it is only a
 * guess otherwise, because this reader takes a stray quote inside an
 * unquoted field literally. So each span then tokenizes for real from its
 * guess, and the spans are checked in order: span i's guess must be where
 * span i-1's records ran past its end. When it is not, span i is scanned
 * again from the right place, on one thread. The answer is always what one
 * sequential scan gives; the guess only decides how much runs in parallel.
 * (The idea of speculating on quote parity is from Ge et al., "Speculative
 * Distributed CSV Data Parsing for Big Data Analytics", SIGMOD 2019.)
 */
#include "csv_int.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#define TBL__SPANS_MAX 8

typedef struct tbl__span {
    const tbl__csv_input *in;
    size_t lo, hi; /* the span's bytes: it owns records starting in [lo, hi) */
    bool skip_blank;
    size_t quotes; /* pass 1: quotes in [lo, hi) */
    bool odd;      /* pass 2: an odd number of quotes comes before lo */
    size_t guess;  /* pass 2: where its first record starts, by parity */
    size_t *starts;
    size_t count, cap;
    size_t next; /* where the scan stopped: the first record start >= hi */
    size_t open_quote, open_record;
    int rc;
    bool used; /* its records are part of the answer */
} tbl__span;

/* Finds quotes lazily, a window at a time, so that in a file without
 * quotes each line does not send memchr to the end of the file. Either
 * pos < lim and there is a quote at pos and none before it (from where the
 * search started), or pos == lim and there is none before lim. */
typedef struct tbl__quotes {
    const char *d;
    size_t end, pos, lim;
} tbl__quotes;

#define TBL__QUOTE_WINDOW ((size_t)64 << 10)

static void tbl__quotes_from(tbl__quotes *q, size_t from)
{
    q->pos = q->lim = from;
}

/* The next quote if there is one before `before`, else a value >= before. */
static size_t tbl__quotes_next(tbl__quotes *q, size_t before)
{
    while (q->pos == q->lim && q->lim < before) {
        size_t to = q->lim + TBL__QUOTE_WINDOW;
        if (to < before) to = before;
        if (to > q->end) to = q->end;
        const char *hit = memchr(q->d + q->lim, '"', to - q->lim);
        q->pos = hit ? (size_t)(hit - q->d) : to;
        q->lim = to;
    }
    return q->pos;
}

/* The exact scan: records from p (a record start) while they start before
 * s->hi. Most lines hold no quote at all: for them the record is the line,
 * and memchr finds it. Only a line with a quote in it is tokenized. */
static void tbl__scan(tbl__span *s, size_t p)
{
    const tbl__csv_input *in = s->in;
    const char *d = in->d;
    size_t end = in->len;
    tbl__quotes quotes = {d, end, p, p};
    s->open_quote = s->open_record = (size_t)-1;
    while (p < s->hi) {
        const char *nl = memchr(d + p, '\n', end - p);
        size_t line_end = nl ? (size_t)(nl - d) : end;
        size_t next = nl ? line_end + 1 : end;
        bool blank = false;
        if (tbl__quotes_next(&quotes, line_end) < line_end) {
            tbl__csv_field f;
            size_t q = p;
            for (;;) {
                if (tbl__csv_read_field(in, q, &f, NULL) != 0) {
                    s->open_quote = q;
                    s->open_record = p;
                    s->next = end;
                    return;
                }
                if (f.last) break;
                q = f.end + 1;
            }
            next = tbl__csv_after(in, &f);
            tbl__quotes_from(&quotes, next);
        } else {
            blank = line_end == p || (line_end == p + 1 && d[p] == '\r');
        }
        if (!(blank && s->skip_blank)) {
            if (s->count == s->cap &&
                wf_grow((void **)&s->starts, &s->cap, s->count + 1, sizeof(size_t)) < 0) {
                s->rc = WF_ENOMEM;
                s->next = end;
                return;
            }
            s->starts[s->count++] = p;
        }
        p = next;
    }
    s->next = p;
}

/* Pass 1: count quotes. */
static void *tbl__count_quotes(void *arg)
{
    tbl__span *s = arg;
    const char *d = s->in->d;
    size_t n = 0;
    for (const char *q = d + s->lo, *end = d + s->hi;
         q < end && (q = memchr(q, '"', (size_t)(end - q))) != NULL; q++)
        n++;
    s->quotes = n;
    return NULL;
}

/* Pass 2: the first line break at or after lo - 1 with an even number of
 * quotes before it is taken as a record break; scan from just after it. */
static void *tbl__scan_span(void *arg)
{
    tbl__span *s = arg;
    const char *d = s->in->d;
    size_t end = s->in->len, pos = s->lo - 1;
    bool odd = s->odd ^ (d[pos] == '"'); /* quotes before pos */
    tbl__quotes quotes = {d, end, pos, pos};
    s->guess = end;
    while (pos < end) {
        const char *nl = memchr(d + pos, '\n', end - pos);
        if (nl == NULL) break;
        size_t at = (size_t)(nl - d);
        for (size_t q; (q = tbl__quotes_next(&quotes, at)) < at; tbl__quotes_from(&quotes, q + 1))
            odd = !odd;
        if (!odd) {
            s->guess = at + 1;
            break;
        }
        pos = at + 1;
    }
    tbl__scan(s, s->guess);
    return NULL;
}

static void tbl__run_spans(tbl__span *spans, size_t n, void *(*fn)(void *))
{
    pthread_t tid[TBL__SPANS_MAX];
    bool started[TBL__SPANS_MAX] = {false};
    for (size_t i = 1; i < n; i++)
        started[i] = pthread_create(&tid[i], NULL, fn, &spans[i]) == 0;
    fn(&spans[0]);
    for (size_t i = 1; i < n; i++) {
        if (started[i])
            pthread_join(tid[i], NULL);
        else
            fn(&spans[i]);
    }
}

int tbl__csv_find_records(const tbl__csv_input *in, size_t p, bool skip_blank, size_t threads,
                          tbl__csv_records *out)
{
    memset(out, 0, sizeof *out);
    out->open_quote = out->open_record = (size_t)-1;
    size_t n = threads < 1 ? 1 : threads > TBL__SPANS_MAX ? TBL__SPANS_MAX : threads;
    if (in->len - p < n * 4096) n = 1;
    tbl__span spans[TBL__SPANS_MAX];
    memset(spans, 0, sizeof spans);
    for (size_t i = 0; i < n; i++) {
        spans[i].in = in;
        spans[i].skip_blank = skip_blank;
        spans[i].lo = p + (in->len - p) / n * i;
        spans[i].hi = i + 1 == n ? in->len : p + (in->len - p) / n * (i + 1);
    }
    tbl__run_spans(spans, n, tbl__count_quotes);
    size_t quotes = 0;
    for (size_t i = 0; i < n; i++) {
        spans[i].odd = quotes & 1;
        quotes += spans[i].quotes;
    }
    /* Span 0 starts at a known record start; the others guess theirs. */
    tbl__scan(&spans[0], p);
    if (n > 1) tbl__run_spans(spans + 1, n - 1, tbl__scan_span);
    int rc = spans[0].rc;
    spans[0].used = true;
    size_t at = spans[0].next, total = spans[0].count;
    for (size_t i = 1; i < n && rc == 0; i++) {
        tbl__span *s = &spans[i];
        if (at >= s->hi) continue; /* the records before it run past this span */
        if (s->guess != at || s->rc < 0) {
            s->count = 0;
            s->rc = 0;
            tbl__scan(s, at);
        }
        rc = s->rc;
        s->used = true;
        total += s->count;
        at = s->next;
    }
    if (rc == 0) out->starts = wf_mallocarray(total, sizeof(size_t));
    if (rc == 0 && out->starts == NULL) rc = WF_ENOMEM;
    for (size_t i = 0; i < n; i++) {
        tbl__span *s = &spans[i];
        if (rc == 0 && s->used) {
            if (s->count) memcpy(out->starts + out->count, s->starts, s->count * sizeof(size_t));
            out->count += s->count;
            if (s->open_quote != (size_t)-1) {
                out->open_quote = s->open_quote;
                out->open_record = s->open_record;
            }
        }
        free(s->starts);
    }
    return rc;
}
