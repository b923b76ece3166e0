/*
 * csv_read.c: tbl_read_csv, the CSV and TSV reader.
 *
 * It must be fast (a 220 MB numeric file at several hundred MB/s) and lean
 * (peak memory under 2.5 times the file), so it never turns every field into
 * a string. It works in passes over the caller's buffer:
 *
 *   A. skip the BOM, refuse a file whose first bytes hold a NUL (binary
 *      data), sniff the delimiter (csv_scan.c), read the header
 *      (csv_header.c), then find where every record starts (csv_records.c,
 *      on threads).
 *   B. (threads, one chunk of records each) parse every field as the type
 *      its column has so far in this chunk, into one 8-byte slot per row and
 *      column. The slots become the column's values, so a numeric column is
 *      parsed once and never copied; a number is parsed in place, in the same
 *      pass that finds its end. A field that does not fit widens the chunk's
 *      type (integer to numeric converts in place; anything to string keeps
 *      the field's offset in the file instead).
 *   C. (one thread) each column's type is the inference (tbl_infer_type) over
 *      the kinds every chunk saw: the whole file, not its first rows.
 *   D. (threads) chunks bring their slots to that type: integers become
 *      doubles, and rows parsed as numbers in a column that ended up text are
 *      tokenized again for their offsets. String columns are interned per
 *      chunk to count distinct values.
 *   E. (one thread) string columns become categorical when their cardinality
 *      is low (tbl_infer_is_categorical), with levels in first-seen order.
 *   F. (threads) codes and string buffers are filled in.
 *
 * The result does not depend on the number of threads. Rules a user sees:
 *   - opt may be NULL: then the header is guessed and the delimiter sniffed.
 *   - TBL_HEADER_GUESS (the zero value): the first record is a header when every one of
 *     its fields is non-empty text that is not a missing token, a number, a
 *     boolean or a date. With no header, columns are "Column 1", "Column 2"...
 *     An empty header field is named the same way, and duplicate names
 *     become "x (2)", "x (3)" with a warning.
 *   - a file with a header and no data gives a table of 0 rows whose columns
 *     are strings; a file with no record at all is an error ("empty file").
 *   - blank lines are skipped, except in a one-column table, where a blank
 *     line is a missing value (so a written table reads back).
 *   - for typing and for missing tokens, spaces and tabs around an unquoted
 *     field are ignored (" 1" is the integer 1); string values keep them.
 */
#include "csv_int.h"
#include "parse_int.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define TBL__MAX_THREADS 8
#define TBL__DEFAULT_MAX_FIELD ((size_t)1 << 20)
#define TBL__NUL_CHECK ((size_t)64 << 10) /* bytes checked for NUL before anything */
#define TBL__NONE (-1)                    /* a column's state in a chunk before any present value */

typedef struct tbl__reader {
    tbl__csv_input in;
    size_t max_field;
    size_t ncols;
    char **names;
    size_t *starts; /* offset of each data record */
    size_t nrows;
    void **slots;      /* per column, nrows 8-byte values or field offsets */
    int *final;        /* per column, the type chosen over the whole file */
    tbl_column *cols;  /* the columns being assembled */
    bool fast_numbers; /* the delimiter cannot be part of a number */
} tbl__reader;

/* One column within one chunk. */
typedef struct tbl__col {
    unsigned kinds; /* intersection of tbl_field_kinds over present fields */
    int state;      /* what the slots hold: a tbl_type, or TBL__NONE */
    size_t present;
    size_t string_from; /* slots from this row on hold field offsets */
    uint8_t *mask;      /* chunk rows, 1 = missing; NULL when none is */
    size_t *negzero;    /* rows of "-0" parsed as integer 0 */
    size_t nnegzero, negzero_cap;
    int32_t *codes; /* string pass: codes into dict, per chunk row */
    tbl_dict dict;
    bool overflow; /* too many distinct values to be categorical */
    size_t bytes;  /* string pass: text bytes; then where they go */
    int32_t *remap;
} tbl__col;

typedef struct tbl__chunk {
    tbl__reader *rd;
    size_t r0, r1;
    tbl__col *cols;
    tbl__csv_scratch sc;
    int rc;
    wf_error err;
} tbl__chunk;

static int tbl__fail(tbl__chunk *ch, int code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static int tbl__fail(tbl__chunk *ch, int code, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    wf_error_setv(&ch->err, code, fmt, ap);
    va_end(ap);
    ch->rc = code;
    return code;
}

static bool tbl__masked(const tbl__col *c, size_t chunk_row)
{
    return c->mask != NULL && c->mask[chunk_row];
}

/* ---- phase B: parsing fields as their column's type ------------------- */

static void tbl__int_to_double(void *slot, size_t a, size_t b, tbl__col *c)
{
    int64_t *iv = slot;
    double *fv = slot;
    for (size_t r = a; r < b; r++) {
        int64_t v = iv[r];
        fv[r] = (double)v;
    }
    /* An int64 has no negative zero; "-0" must still read as -0.0. */
    for (size_t k = 0; k < c->nnegzero; k++)
        fv[c->negzero[k]] = -0.0;
    c->nnegzero = 0;
}

static int tbl__type_of_kinds(unsigned kinds)
{
    if (kinds & TBL_KIND_INTEGER) return TBL_INTEGER;
    if (kinds & TBL_KIND_NUMERIC) return TBL_NUMERIC;
    if (kinds & TBL_KIND_BOOLEAN) return TBL_BOOLEAN;
    if (kinds & TBL_KIND_DATETIME) return TBL_DATETIME;
    return TBL_STRING;
}

static int tbl__put_string(tbl__chunk *ch, size_t j, size_t row, const tbl__csv_field *f)
{
    int rc = tbl__csv_check_field(&ch->rd->in, f, ch->rd->names[j], j + 1, &ch->err);
    if (rc < 0) return ch->rc = rc;
    ((uint64_t *)ch->rd->slots[j])[row] = f->start;
    return 0;
}

/* Stores s as the column's current type: 0, 1 when it is not of that type,
 * or a negative error. */
static int tbl__put(tbl__chunk *ch, size_t j, size_t row, const tbl__csv_field *f, const char *s,
                    size_t n)
{
    tbl__col *c = &ch->cols[j];
    void *slot = ch->rd->slots[j];
    int64_t iv;
    double x;
    bool b;
    int rc;
    switch (c->state) {
    case TBL_INTEGER:
        if (tbl_parse_int64(s, n, &iv) < 0) return 1;
        ((int64_t *)slot)[row] = iv;
        if (iv == 0 && s[0] == '-') {
            if (wf_grow((void **)&c->negzero, &c->negzero_cap, c->nnegzero + 1, sizeof(size_t)))
                return tbl__fail(ch, WF_ENOMEM, "out of memory");
            c->negzero[c->nnegzero++] = row;
        }
        return 0;
    case TBL_NUMERIC:
        rc = tbl_parse_double(s, n, &x);
        if (rc == WF_ENOMEM) return tbl__fail(ch, rc, "out of memory");
        if (rc < 0) return 1;
        ((double *)slot)[row] = x;
        return 0;
    case TBL_BOOLEAN:
        if (tbl_parse_bool(s, n, &b) < 0) return 1;
        ((int64_t *)slot)[row] = b;
        return 0;
    case TBL_DATETIME:
        if (tbl_parse_datetime(s, n, &iv) < 0) return 1;
        ((int64_t *)slot)[row] = iv;
        return 0;
    case TBL_STRING:
        return tbl__put_string(ch, j, row, f);
    default:
        return 1;
    }
}

/* A field that its column's current type cannot hold: narrow the kinds,
 * change the state (converting what is stored), and store it again. */
static int tbl__retype(tbl__chunk *ch, size_t j, size_t row, const tbl__csv_field *f, const char *s,
                       size_t n)
{
    tbl__col *c = &ch->cols[j];
    c->kinds &= tbl_field_kinds(s, n);
    int to = tbl__type_of_kinds(c->kinds);
    if (to != c->state) {
        if (c->state == TBL_INTEGER && to == TBL_NUMERIC)
            tbl__int_to_double(ch->rd->slots[j], ch->r0, row, c);
        if (to == TBL_STRING) c->string_from = row;
        c->state = to;
    }
    int rc = tbl__put(ch, j, row, f, s, n);
    /* Cannot happen (the kinds say the parser accepts s), but never loop. */
    if (rc == 1) return tbl__fail(ch, WF_EPARSE, "cannot parse \"%.*s\"", (int)n, s);
    return rc;
}

static int tbl__store(tbl__chunk *ch, size_t j, size_t row, const tbl__csv_field *f)
{
    tbl__col *c = &ch->cols[j];
    const char *s;
    size_t n;
    tbl__csv_trim(f, &s, &n);
    /* Missing tokens are at most 4 bytes long ("NULL"): most fields are
     * longer, and skip the call. */
    if (n <= 4 && tbl_is_missing_token(s, n)) {
        if (c->mask == NULL && (c->mask = calloc(ch->r1 - ch->r0, 1)) == NULL)
            return tbl__fail(ch, WF_ENOMEM, "out of memory");
        c->mask[row - ch->r0] = 1;
        if (c->state == TBL_NUMERIC)
            ((double *)ch->rd->slots[j])[row] = 0.0;
        else
            ((int64_t *)ch->rd->slots[j])[row] = 0;
        return 0;
    }
    c->present++;
    int rc = tbl__put(ch, j, row, f, s, n);
    return rc == 1 ? tbl__retype(ch, j, row, f, s, n) : rc;
}

static int tbl__ragged(tbl__chunk *ch, size_t p)
{
    tbl__reader *rd = ch->rd;
    return tbl__fail(ch, WF_EPARSE, "line %zu: expected %zu fields, found %zu",
                     tbl__csv_line_of(&rd->in, p), rd->ncols, tbl__csv_count_fields(&rd->in, p));
}

#define TBL__NOT_FAST ((size_t)-1)

/* The fast path, for a field of a column that holds numbers so far in this
 * chunk: parse the number in place, and keep it when a terminator follows
 * it. Anything else (quotes, spaces, missing tokens, another type, "-0")
 * takes the general path. Returns the terminator's offset or TBL__NOT_FAST.
 * The two paths agree: the prefix parsers accept exactly what
 * tbl_parse_double and tbl_parse_int64 accept. */
static inline size_t tbl__fast_number(tbl__chunk *ch, size_t j, size_t row, size_t p)
{
    tbl__reader *rd = ch->rd;
    tbl__col *c = &ch->cols[j];
    const char *d = rd->in.d;
    size_t end = rd->in.len, used;
    double x = 0;
    int64_t v = 0;
    if (c->state == TBL_NUMERIC)
        used = tbl__parse_double_prefix(d + p, end - p, &x);
    else if (c->state == TBL_INTEGER)
        used = tbl__parse_int64_prefix(d + p, end - p, &v);
    else
        return TBL__NOT_FAST;
    size_t q = p + used;
    if (used == 0 || used > rd->max_field) return TBL__NOT_FAST;
    if (q < end && d[q] != rd->in.delim && d[q] != '\n' &&
        !(d[q] == '\r' && (q + 1 == end || d[q + 1] == '\n')))
        return TBL__NOT_FAST;
    if (c->state == TBL_NUMERIC) {
        ((double *)rd->slots[j])[row] = x;
    } else {
        if (v == 0 && d[p] == '-') return TBL__NOT_FAST; /* recorded by tbl__put */
        ((int64_t *)rd->slots[j])[row] = v;
    }
    c->present++;
    return q;
}

static void *tbl__parse_chunk(void *arg)
{
    tbl__chunk *ch = arg;
    tbl__reader *rd = ch->rd;
    const char *d = rd->in.d;
    for (size_t r = ch->r0; r < ch->r1; r++) {
        size_t p = rd->starts[r], j = 0;
        tbl__csv_field f;
        for (;;) {
            if (j == rd->ncols) {
                tbl__ragged(ch, rd->starts[r]);
                return NULL;
            }
            size_t q = rd->fast_numbers ? tbl__fast_number(ch, j, r, p) : TBL__NOT_FAST;
            if (q != TBL__NOT_FAST) {
                j++;
                if (q < rd->in.len && d[q] == rd->in.delim) {
                    p = q + 1;
                    continue;
                }
                break;
            }
            if (tbl__csv_read_field(&rd->in, p, &f, &ch->sc) != 0) {
                tbl__fail(ch, WF_ENOMEM, "out of memory");
                return NULL;
            }
            if (f.end - f.start > rd->max_field) {
                tbl__fail(ch, WF_ELIMIT,
                          "line %zu, column \"%s\": field is longer than the limit of %zu bytes",
                          tbl__csv_line_of(&rd->in, f.start), rd->names[j], rd->max_field);
                return NULL;
            }
            if (tbl__store(ch, j, r, &f) < 0) return NULL;
            j++;
            if (f.last) break;
            p = f.end + 1;
        }
        if (j != rd->ncols) {
            tbl__ragged(ch, rd->starts[r]);
            return NULL;
        }
    }
    return NULL;
}

/* ---- phase D: bringing chunks to the final types ---------------------- */

/* Tokenizes rows [r0, upto) again to put field offsets in the slots of the
 * string columns whose rows were parsed as another type. */
static void tbl__backfill_offsets(tbl__chunk *ch, size_t upto)
{
    tbl__reader *rd = ch->rd;
    for (size_t r = ch->r0; r < upto; r++) {
        size_t p = rd->starts[r];
        tbl__csv_field f;
        for (size_t j = 0; j < rd->ncols; j++) {
            tbl__csv_read_field(&rd->in, p, &f, NULL);
            tbl__col *c = &ch->cols[j];
            if (rd->final[j] == TBL_STRING && r < c->string_from && !tbl__masked(c, r - ch->r0))
                ((uint64_t *)rd->slots[j])[r] = f.start;
            p = f.end + 1;
        }
    }
}

/* Interns the chunk's values of string column j, in row order, until there
 * are too many to be categorical; counts their bytes either way. */
static int tbl__intern_strings(tbl__chunk *ch, size_t j)
{
    tbl__reader *rd = ch->rd;
    tbl__col *c = &ch->cols[j];
    const uint64_t *off = rd->slots[j];
    c->codes = wf_mallocarray(ch->r1 - ch->r0, sizeof *c->codes);
    if (c->codes == NULL) return tbl__fail(ch, WF_ENOMEM, "out of memory");
    for (size_t r = ch->r0; r < ch->r1; r++) {
        if (tbl__masked(c, r - ch->r0)) {
            c->codes[r - ch->r0] = -1;
            continue;
        }
        tbl__csv_field f;
        if (tbl__csv_read_field(&rd->in, (size_t)off[r], &f, &ch->sc) != 0)
            return tbl__fail(ch, WF_ENOMEM, "out of memory");
        c->bytes += f.len;
        if (c->overflow) continue;
        size_t before = tbl_dict_size(&c->dict);
        int32_t code = tbl_dict_intern(&c->dict, f.s, f.len);
        if (code < 0) return tbl__fail(ch, WF_ENOMEM, "out of memory");
        c->codes[r - ch->r0] = code;
        /* No row count makes this many levels categorical: stop counting. */
        if (tbl_dict_size(&c->dict) > before &&
            !tbl_infer_is_categorical(tbl_dict_size(&c->dict), SIZE_MAX / 4)) {
            c->overflow = true;
            tbl_dict_free(&c->dict);
            free(c->codes);
            c->codes = NULL;
        }
    }
    return 0;
}

static void *tbl__finish_chunk(void *arg)
{
    tbl__chunk *ch = arg;
    tbl__reader *rd = ch->rd;
    size_t upto = ch->r0;
    for (size_t j = 0; j < rd->ncols; j++) {
        tbl__col *c = &ch->cols[j];
        if (rd->final[j] == TBL_NUMERIC && c->state == TBL_INTEGER)
            tbl__int_to_double(rd->slots[j], ch->r0, ch->r1, c);
        if (rd->final[j] != TBL_STRING) continue;
        if (c->state == TBL__NONE) c->string_from = ch->r0;
        if (c->state != TBL_STRING && c->state != TBL__NONE) c->string_from = ch->r1;
        if (c->string_from > upto) upto = c->string_from;
    }
    if (upto > ch->r0) tbl__backfill_offsets(ch, upto);
    for (size_t j = 0; j < rd->ncols; j++)
        if (rd->final[j] == TBL_STRING && tbl__intern_strings(ch, j) < 0) return NULL;
    return NULL;
}

/* ---- phase F: filling codes and strings -------------------------------- */

static void *tbl__fill_chunk(void *arg)
{
    tbl__chunk *ch = arg;
    tbl__reader *rd = ch->rd;
    for (size_t j = 0; j < rd->ncols; j++) {
        tbl__col *c = &ch->cols[j];
        tbl_column *out = &rd->cols[j];
        if (out->type == TBL_CATEGORICAL) {
            for (size_t r = ch->r0; r < ch->r1; r++) {
                int32_t k = c->codes[r - ch->r0];
                out->v.codes[r] = k < 0 ? -1 : c->remap[k];
            }
        } else if (out->type == TBL_STRING && rd->final[j] == TBL_STRING) {
            const uint64_t *off = rd->slots[j];
            size_t pos = c->bytes;
            for (size_t r = ch->r0; r < ch->r1; r++) {
                if (!tbl__masked(c, r - ch->r0)) {
                    tbl__csv_field f;
                    if (tbl__csv_read_field(&rd->in, (size_t)off[r], &f, &ch->sc) != 0) {
                        tbl__fail(ch, WF_ENOMEM, "out of memory");
                        return NULL;
                    }
                    memcpy(out->str.data + pos, f.s, f.len);
                    pos += f.len;
                }
                out->str.offsets[r + 1] = (int64_t)pos;
            }
        }
    }
    return NULL;
}

/* ---- running chunks ------------------------------------------------------ */

static int tbl__run(tbl__chunk *chunks, size_t n, void *(*fn)(void *), wf_error *err)
{
    pthread_t tid[TBL__MAX_THREADS];
    bool started[TBL__MAX_THREADS] = {false};
    for (size_t i = 1; i < n; i++)
        started[i] = pthread_create(&tid[i], NULL, fn, &chunks[i]) == 0;
    fn(&chunks[0]);
    for (size_t i = 1; i < n; i++) {
        if (started[i])
            pthread_join(tid[i], NULL);
        else
            fn(&chunks[i]);
    }
    /* Chunks are in file order and each stops at its first error, so the
     * first failed chunk holds the first error in the file. */
    for (size_t i = 0; i < n; i++)
        if (chunks[i].rc < 0) return wf_error_set(err, chunks[i].rc, "%s", chunks[i].err.message);
    return 0;
}

static size_t tbl__thread_count(size_t len, size_t nrows)
{
    if (len < ((size_t)4 << 20) || nrows < 4096) return 1;
    long cpus = sysconf(_SC_NPROCESSORS_ONLN);
    size_t n = cpus < 1 ? 1 : (size_t)cpus;
    if (n > TBL__MAX_THREADS) n = TBL__MAX_THREADS;
    if (n > len / ((size_t)2 << 20)) n = len / ((size_t)2 << 20);
    return n ? n : 1;
}

/* Splits the records into n chunks of about equal bytes. */
static int tbl__make_chunks(tbl__reader *rd, size_t n, tbl__chunk **out, wf_error *err)
{
    tbl__chunk *chunks = wf_calloc(n, sizeof *chunks);
    if (chunks == NULL) return wf_error_set(err, WF_ENOMEM, "out of memory");
    *out = chunks;
    size_t first = rd->nrows ? rd->starts[0] : 0;
    size_t prev = 0;
    for (size_t i = 0; i < n; i++) {
        size_t r1 = rd->nrows;
        if (i + 1 < n) {
            size_t target = first + (rd->in.len - first) / n * (i + 1);
            size_t lo = prev, hi = rd->nrows; /* first row starting at or after target */
            while (lo < hi) {
                size_t mid = lo + (hi - lo) / 2;
                if (rd->starts[mid] < target)
                    lo = mid + 1;
                else
                    hi = mid;
            }
            r1 = lo;
        }
        chunks[i].rd = rd;
        chunks[i].r0 = prev;
        chunks[i].r1 = r1;
        prev = r1;
        chunks[i].cols = wf_calloc(rd->ncols, sizeof(tbl__col));
        if (chunks[i].cols == NULL) return wf_error_set(err, WF_ENOMEM, "out of memory");
        for (size_t j = 0; j < rd->ncols; j++) {
            chunks[i].cols[j].kinds = TBL_KIND_ALL;
            chunks[i].cols[j].state = TBL__NONE;
        }
    }
    return 0;
}

static void tbl__free_chunks(tbl__chunk *chunks, size_t n, size_t ncols)
{
    if (chunks == NULL) return;
    for (size_t i = 0; i < n; i++) {
        for (size_t j = 0; chunks[i].cols && j < ncols; j++) {
            tbl__col *c = &chunks[i].cols[j];
            free(c->mask);
            free(c->negzero);
            free(c->codes);
            free(c->remap);
            tbl_dict_free(&c->dict);
        }
        free(chunks[i].cols);
        free(chunks[i].sc.buf);
    }
    free(chunks);
}

/* ---- phases C and E, and assembly -------------------------------------- */

static void tbl__choose_types(tbl__reader *rd, tbl__chunk *chunks, size_t n)
{
    for (size_t j = 0; j < rd->ncols; j++) {
        tbl_infer in;
        tbl_infer_init(&in);
        for (size_t i = 0; i < n; i++) {
            in.kinds &= chunks[i].cols[j].kinds;
            in.present += chunks[i].cols[j].present;
        }
        rd->final[j] = (int)tbl_infer_type(&in);
        /* A string column is decided (string or categorical) in phase E. */
        if (rd->final[j] == TBL_CATEGORICAL) rd->final[j] = TBL_STRING;
    }
}

/* Merges the chunks' dictionaries of text column j and allocates its
 * buffers as categorical or string. */
static int tbl__decide_strings(tbl__reader *rd, tbl__chunk *chunks, size_t n, size_t j,
                               wf_error *err)
{
    tbl_column *out = &rd->cols[j];
    size_t present = 0, bytes = 0;
    bool overflow = false;
    for (size_t i = 0; i < n; i++) {
        present += chunks[i].cols[j].present;
        bytes += chunks[i].cols[j].bytes;
        overflow |= chunks[i].cols[j].overflow;
    }
    tbl_dict all = {0};
    for (size_t i = 0; i < n && !overflow; i++) {
        tbl__col *c = &chunks[i].cols[j];
        size_t levels = tbl_dict_size(&c->dict);
        c->remap = wf_mallocarray(levels, sizeof *c->remap);
        if (c->remap == NULL) goto oom;
        for (size_t k = 0; k < levels; k++) {
            size_t len;
            const char *s = c->dict.levels.data + c->dict.levels.offsets[k];
            len = (size_t)(c->dict.levels.offsets[k + 1] - c->dict.levels.offsets[k]);
            if ((c->remap[k] = tbl_dict_intern(&all, s, len)) < 0) goto oom;
        }
    }
    if (!overflow && tbl_infer_is_categorical(tbl_dict_size(&all), present)) {
        /* The chunks hold codes now: the field offsets can go before the
         * codes arrive, which lowers the peak. */
        free(rd->slots[j]);
        rd->slots[j] = NULL;
        out->type = TBL_CATEGORICAL;
        out->v.codes = wf_mallocarray(rd->nrows, sizeof(int32_t));
        if (out->v.codes == NULL || tbl_dict_finish(&all, &out->levels) < 0) goto oom;
        return 0;
    }
    tbl_dict_free(&all);
    out->type = TBL_STRING;
    out->str.count = rd->nrows;
    out->str.offsets = wf_mallocarray(rd->nrows + 1, sizeof(int64_t));
    out->str.data = malloc(bytes + 1);
    if (out->str.offsets == NULL || out->str.data == NULL) goto oom;
    out->str.offsets[0] = 0;
    out->str.data[bytes] = '\0';
    size_t base = 0; /* chunk i writes its text from here */
    for (size_t i = 0; i < n; i++) {
        size_t b = chunks[i].cols[j].bytes;
        chunks[i].cols[j].bytes = base;
        base += b;
    }
    return 0;
oom:
    tbl_dict_free(&all);
    return wf_error_set(err, WF_ENOMEM, "out of memory");
}

/* Moves typed slots and masks into rd->cols[j]. */
static int tbl__assemble(tbl__reader *rd, tbl__chunk *chunks, size_t n, size_t j, wf_error *err)
{
    tbl_column *out = &rd->cols[j];
    size_t nrows = rd->nrows;
    bool any_missing = false;
    for (size_t i = 0; i < n; i++)
        any_missing |= chunks[i].cols[j].mask != NULL;
    if (any_missing) {
        out->missing = wf_calloc(nrows, 1);
        if (out->missing == NULL) return wf_error_set(err, WF_ENOMEM, "out of memory");
        for (size_t i = 0; i < n; i++)
            if (chunks[i].cols[j].mask)
                memcpy(out->missing + chunks[i].r0, chunks[i].cols[j].mask,
                       chunks[i].r1 - chunks[i].r0);
    }
    int type = rd->final[j];
    if (type == TBL_STRING) return 0; /* filled by phase F */
    out->type = (tbl_type)type;
    if (type == TBL_BOOLEAN) {
        const int64_t *iv = rd->slots[j];
        out->v.b8 = wf_mallocarray(nrows, 1);
        if (out->v.b8 == NULL) return wf_error_set(err, WF_ENOMEM, "out of memory");
        for (size_t r = 0; r < nrows; r++)
            out->v.b8[r] = any_missing && out->missing[r] ? 0 : iv[r] != 0;
        return 0;
    }
    out->v.f64 = rd->slots[j];
    rd->slots[j] = NULL;
    /* Missing rows hold zero, written as the column's own type. */
    for (size_t r = 0; any_missing && r < nrows; r++) {
        if (!out->missing[r]) continue;
        if (type == TBL_NUMERIC)
            out->v.f64[r] = 0.0;
        else
            out->v.i64[r] = 0;
    }
    return 0;
}

/* ---- the reader ---------------------------------------------------------- */

static void tbl__reader_free(tbl__reader *rd)
{
    for (size_t j = 0; j < rd->ncols; j++) {
        if (rd->names) free(rd->names[j]);
        if (rd->slots) free(rd->slots[j]);
        if (rd->cols) tbl_column_clear(&rd->cols[j]);
    }
    free(rd->names);
    free(rd->slots);
    free(rd->final);
    free(rd->cols);
    free(rd->starts);
}

/* Phases B to F over the records found; fills rd->cols. */
static int tbl__read_records(tbl__reader *rd, size_t open_quote, size_t open_record, wf_error *err)
{
    size_t n = tbl__thread_count(rd->in.len, rd->nrows);
    tbl__chunk *chunks = NULL;
    int rc = tbl__make_chunks(rd, n, &chunks, err);
    if (rc == 0) rc = tbl__run(chunks, n, tbl__parse_chunk, err);
    if (rc == 0 && open_quote != (size_t)-1) {
        size_t j = tbl__csv_count_fields(&rd->in, open_record) - 1;
        size_t line = tbl__csv_line_of(&rd->in, open_quote);
        rc = wf_error_set(err, WF_EPARSE,
                          "line %zu, column \"%s\": unterminated quote: the quoted field that "
                          "opens on line %zu never closes",
                          line, j < rd->ncols ? rd->names[j] : "(extra)", line);
    }
    if (rc < 0) goto done;
    tbl__choose_types(rd, chunks, n);
    bool finish = false, text = false;
    for (size_t j = 0; j < rd->ncols; j++) {
        text |= rd->final[j] == TBL_STRING;
        for (size_t i = 0; i < n; i++)
            finish |= rd->final[j] == TBL_NUMERIC && chunks[i].cols[j].state == TBL_INTEGER;
    }
    if (finish || text) rc = tbl__run(chunks, n, tbl__finish_chunk, err);
    free(rd->starts); /* nothing tokenizes records after phase D */
    rd->starts = NULL;
    for (size_t j = 0; rc == 0 && j < rd->ncols; j++)
        if (rd->final[j] == TBL_STRING) rc = tbl__decide_strings(rd, chunks, n, j, err);
    if (rc == 0 && text) rc = tbl__run(chunks, n, tbl__fill_chunk, err);
    for (size_t j = 0; rc == 0 && j < rd->ncols; j++)
        rc = tbl__assemble(rd, chunks, n, j, err);
done:
    tbl__free_chunks(chunks, n, rd->ncols);
    return rc;
}

int tbl_read_csv(const char *data, size_t len, const tbl_read_options *opt, tbl_table **out,
                 wf_error *err)
{
    if (out == NULL) return wf_error_set(err, WF_EINVAL, "tbl_read_csv: no output table");
    *out = NULL;
    char **warnings = opt ? opt->warnings : NULL;
    if (warnings) *warnings = NULL;
    if (data == NULL && len > 0) return wf_error_set(err, WF_EINVAL, "tbl_read_csv: no data");
    if (len >= 3 && memcmp(data, "\xEF\xBB\xBF", 3) == 0) data += 3, len -= 3;
    tbl__reader rd = {.in = {data, len, ','}};
    /* Binary files fail here, on their first bytes, with a clear message,
     * rather than with whatever the tokenizer makes of them. Further on, a
     * NUL can only be in a field that is not a number, a date or a boolean,
     * and text fields are checked for it. */
    const char *nul = len ? memchr(data, '\0', len < TBL__NUL_CHECK ? len : TBL__NUL_CHECK) : NULL;
    if (nul != NULL)
        return wf_error_set(err, WF_EPARSE, "line %zu: NUL byte: this is binary data, not CSV text",
                            tbl__csv_line_of(&rd.in, (size_t)(nul - data)));
    tbl_header header = opt ? opt->header : TBL_HEADER_GUESS;
    char delim = opt ? opt->delimiter : 0;
    if (delim == 0 && opt && opt->format == TBL_FORMAT_TSV) delim = '\t';
    if (delim == '"' || delim == '\n' || delim == '\r')
        return wf_error_set(err, WF_EINVAL, "a quote or a line break cannot be the delimiter");
    rd.max_field = opt && opt->max_field ? opt->max_field : TBL__DEFAULT_MAX_FIELD;
    size_t p = 0;
    while (p < len && tbl__csv_blank_line(&rd.in, p)) {
        const char *nl = memchr(data + p, '\n', len - p);
        p = nl ? (size_t)(nl - data) + 1 : len;
    }
    if (p >= len) return wf_error_set(err, WF_EPARSE, "empty file");
    rd.in.delim = delim ? delim : tbl__csv_sniff(data + p, len - p);
    rd.fast_numbers = strchr("0123456789+-.eE", rd.in.delim) == NULL;

    wf_buf warn = {0};
    tbl_table *t = NULL;
    size_t start = 0;
    tbl__csv_records recs;
    tbl__csv_header head;
    int rc = tbl__csv_read_header(&rd.in, p, header, rd.max_field, &head, &warn, err);
    if (rc < 0) goto fail;
    rd.ncols = head.ncols;
    rd.names = head.names;
    start = head.data_start;
    if (tbl__csv_find_records(&rd.in, start, rd.ncols > 1, tbl__thread_count(len, SIZE_MAX),
                              &recs) < 0)
        goto oom;
    rd.starts = recs.starts;
    rd.nrows = recs.count;
    rd.slots = wf_calloc(rd.ncols, sizeof(void *));
    rd.final = wf_calloc(rd.ncols, sizeof(int));
    rd.cols = wf_calloc(rd.ncols, sizeof(tbl_column));
    if (rd.slots == NULL || rd.final == NULL || rd.cols == NULL) goto oom;
    for (size_t j = 0; j < rd.ncols; j++)
        if ((rd.slots[j] = wf_mallocarray(rd.nrows, sizeof(uint64_t))) == NULL) goto oom;
    rc = tbl__read_records(&rd, recs.open_quote, recs.open_record, err);
    if (rc < 0) goto fail;
    if (warn.failed || (t = tbl_new()) == NULL) goto oom;
    /* The names are unique already, so the columns go in directly rather
     * than through tbl_add_column's search per column. */
    for (size_t j = 0; j < rd.ncols; j++) {
        rd.cols[j].name = rd.names[j];
        rd.names[j] = NULL;
    }
    t->cols = rd.cols;
    t->ncols = t->cols_cap = rd.ncols;
    t->nrows = rd.nrows;
    rd.cols = NULL;
    tbl__reader_free(&rd);
    if (warnings && warn.len > 0) {
        warn.data[--warn.len] = '\0'; /* the last newline */
        *warnings = warn.data;
    } else {
        wf_buf_free(&warn);
    }
    *out = t;
    return 0;
oom:
    rc = wf_error_set(err, WF_ENOMEM, "out of memory");
fail:
    wf_buf_free(&warn);
    tbl__reader_free(&rd);
    return rc;
}
