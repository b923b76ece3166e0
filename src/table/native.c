/*
 * native.c: weft's native binary table format (docs/formats.md), the one
 * artifacts use. A file is a 64-byte header, a directory of one 96-byte entry
 * per column, then every buffer of every column, each starting on a 64-byte
 * boundary. Buffers hold values exactly as a tbl_column holds them in memory
 * (little-endian), so loading is mapping the file and pointing the columns
 * into it: no value is parsed or copied.
 *
 * Because the loader hands out pointers into bytes it did not write, it
 * checks everything a consumer could trip over before building the table:
 * every offset and length, the packing of the buffers, string offsets,
 * categorical codes, mask bytes, boolean bytes and names. A file it accepts
 * can be used without further checks; a file it rejects gets WF_ECORRUPT and
 * a message saying what is wrong.
 *
 * The encoder writes one canonical layout with zeroed padding, and also
 * canonicalises what the table model leaves open (values under missing
 * cells, NaN payloads, boolean bytes, an all-zero missing mask), so equal
 * tables give equal bytes and the SHA-256 of the bytes can name the artifact.
 */
#include "table.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#if !defined(__BYTE_ORDER__) || __BYTE_ORDER__ != __ORDER_LITTLE_ENDIAN__
#error "the native table format is used in place, so weft needs a little-endian host"
#endif

#define TBL__MAGIC "WEFTTBL1"
#define TBL__VERSION 1u
#define TBL__BYTE_ORDER_MARK 0x01020304u
#define TBL__HEADER_SIZE 64u
#define TBL__ENTRY_SIZE 96u
#define TBL__ALIGN 64u
#define TBL__NAME_MAX 65535u

/* Header field offsets. */
enum {
    TBL__H_MAGIC = 0,
    TBL__H_VERSION = 8,
    TBL__H_BOM = 12,
    TBL__H_NROWS = 16,
    TBL__H_NCOLS = 24,
    TBL__H_DIR_OFFSET = 32,
    TBL__H_ENTRY_SIZE = 40,
    TBL__H_ALIGN = 44,
    TBL__H_FILE_SIZE = 48,
    TBL__H_RESERVED = 56,
};

/* Directory entry field offsets. The five buffers follow as (offset, length)
 * pairs of u64, in the order they are packed in the file. */
enum {
    TBL__E_TYPE = 0,
    TBL__E_ROLE = 1,
    TBL__E_RESERVED = 2, /* 6 bytes */
    TBL__E_NLEVELS = 8,
    TBL__E_BUFFERS = 16,
};

enum { TBL__B_NAME, TBL__B_MISSING, TBL__B_VALUES, TBL__B_OFFSETS, TBL__B_BYTES, TBL__NBUF };

static const char *const tbl__buffer_names[TBL__NBUF] = {"name", "missing mask", "values",
                                                         "offsets", "bytes"};

typedef struct tbl__span {
    uint64_t offset, length;
} tbl__span;

static uint64_t tbl__align(uint64_t x)
{
    return (x + (TBL__ALIGN - 1)) & ~(uint64_t)(TBL__ALIGN - 1);
}

static uint64_t tbl__get_u64(const uint8_t *p)
{
    uint64_t v;
    memcpy(&v, p, sizeof v);
    return v;
}

static uint32_t tbl__get_u32(const uint8_t *p)
{
    uint32_t v;
    memcpy(&v, p, sizeof v);
    return v;
}

static void tbl__put_u64(uint8_t *p, uint64_t v)
{
    memcpy(p, &v, sizeof v);
}

static void tbl__put_u32(uint8_t *p, uint32_t v)
{
    memcpy(p, &v, sizeof v);
}

/* ---- encoding ------------------------------------------------------------ */

/* What the encoder decided about one column before writing anything. */
typedef struct tbl__plan {
    tbl__span buf[TBL__NBUF];
    uint64_t nlevels;
    bool mask; /* at least one row is missing */
} tbl__plan;

/* A row is missing when the mask says so, and for categoricals also when its
 * code is negative: the table model writes -1 there, and a stray -1 without
 * its mask bit must not turn into a level index. */
static bool tbl__row_missing(const tbl_column *c, size_t row)
{
    if (c->missing != NULL && c->missing[row]) return true;
    return c->type == TBL_CATEGORICAL && c->v.codes[row] < 0;
}

static size_t tbl__strings_count(const tbl_strings *s)
{
    return s->offsets != NULL ? s->count : 0;
}

static int tbl__plan_column(const tbl_column *c, size_t nrows, tbl__plan *p, wf_error *err)
{
    memset(p, 0, sizeof *p);
    if ((unsigned)c->type >= TBL_TYPE_COUNT || (unsigned)c->role >= TBL_ROLE_COUNT)
        return wf_error_set(err, WF_EINVAL, "column \"%s\" has an unknown type or role", c->name);
    size_t name_len = strlen(c->name);
    if (name_len > TBL__NAME_MAX)
        return wf_error_set(err, WF_EINVAL, "column name of %zu bytes is longer than %u", name_len,
                            TBL__NAME_MAX);
    p->buf[TBL__B_NAME].length = name_len;
    if (c->type == TBL_CATEGORICAL) {
        p->nlevels = tbl__strings_count(&c->levels);
        if (p->nlevels > INT32_MAX)
            return wf_error_set(err, WF_EINVAL, "column \"%s\" has too many levels", c->name);
        for (size_t i = 0; i < nrows; i++)
            if (c->v.codes[i] >= 0 && (uint64_t)c->v.codes[i] >= p->nlevels)
                return wf_error_set(err, WF_EINVAL,
                                    "column \"%s\", row %zu: code %d is not one of its %llu "
                                    "levels",
                                    c->name, i + 1, (int)c->v.codes[i],
                                    (unsigned long long)p->nlevels);
    }
    for (size_t i = 0; i < nrows && !p->mask; i++)
        p->mask = tbl__row_missing(c, i);
    if (p->mask) p->buf[TBL__B_MISSING].length = nrows;
    p->buf[TBL__B_VALUES].length = (uint64_t)nrows * tbl_type_width(c->type);
    if (c->type == TBL_STRING) {
        if (c->str.count != nrows || c->str.offsets == NULL)
            return wf_error_set(err, WF_EINVAL, "string column \"%s\" has %zu values for %zu rows",
                                c->name, c->str.count, nrows);
        uint64_t bytes = 0;
        for (size_t i = 0; i < nrows; i++)
            if (!tbl__row_missing(c, i))
                bytes += (uint64_t)(c->str.offsets[i + 1] - c->str.offsets[i]);
        p->buf[TBL__B_OFFSETS].length = ((uint64_t)nrows + 1) * 8;
        p->buf[TBL__B_BYTES].length = bytes;
    } else if (c->type == TBL_CATEGORICAL) {
        p->buf[TBL__B_OFFSETS].length = (p->nlevels + 1) * 8;
        p->buf[TBL__B_BYTES].length =
            p->nlevels ? (uint64_t)(c->levels.offsets[p->nlevels] - c->levels.offsets[0]) : 0;
    }
    return 0;
}

/* Canonical quiet NaN: NaN payloads carry no meaning in a table, and letting
 * them through would give equal tables different digests. */
static const uint64_t tbl__canonical_nan = 0x7ff8000000000000ull;

static void tbl__write_values(const tbl_column *c, size_t nrows, const tbl__plan *p, uint8_t *out)
{
    switch (c->type) {
    case TBL_NUMERIC:
        for (size_t i = 0; i < nrows; i++) {
            double x = c->v.f64[i];
            if (p->mask && tbl__row_missing(c, i)) continue; /* stays 0 */
            if (x != x)
                memcpy(out + i * 8, &tbl__canonical_nan, 8);
            else
                memcpy(out + i * 8, &x, 8);
        }
        break;
    case TBL_INTEGER:
    case TBL_DATETIME:
        if (nrows) memcpy(out, c->v.i64, nrows * 8);
        if (p->mask)
            for (size_t i = 0; i < nrows; i++)
                if (tbl__row_missing(c, i)) memset(out + i * 8, 0, 8);
        break;
    case TBL_BOOLEAN:
        for (size_t i = 0; i < nrows; i++)
            out[i] = (uint8_t)(!tbl__row_missing(c, i) && c->v.b8[i] != 0);
        break;
    case TBL_CATEGORICAL:
        for (size_t i = 0; i < nrows; i++) {
            int32_t code = tbl__row_missing(c, i) ? -1 : c->v.codes[i];
            memcpy(out + i * 4, &code, 4);
        }
        break;
    case TBL_STRING:
        break;
    }
}

static void tbl__write_column(const tbl_column *c, size_t nrows, const tbl__plan *p, uint8_t *file)
{
    memcpy(file + p->buf[TBL__B_NAME].offset, c->name, p->buf[TBL__B_NAME].length);
    if (p->mask) {
        uint8_t *m = file + p->buf[TBL__B_MISSING].offset;
        for (size_t i = 0; i < nrows; i++)
            m[i] = (uint8_t)tbl__row_missing(c, i);
    }
    tbl__write_values(c, nrows, p, file + p->buf[TBL__B_VALUES].offset);
    uint8_t *offsets = file + p->buf[TBL__B_OFFSETS].offset;
    uint8_t *bytes = file + p->buf[TBL__B_BYTES].offset;
    if (c->type == TBL_STRING) {
        /* Missing rows become "", as the table model promises readers. */
        int64_t at = 0;
        tbl__put_u64(offsets, 0);
        for (size_t i = 0; i < nrows; i++) {
            if (!tbl__row_missing(c, i)) {
                size_t len;
                const char *s = tbl_strings_at(&c->str, i, &len);
                if (len) memcpy(bytes + at, s, len);
                at += (int64_t)len;
            }
            tbl__put_u64(offsets + (i + 1) * 8, (uint64_t)at);
        }
    } else if (c->type == TBL_CATEGORICAL) {
        int64_t base = p->nlevels ? c->levels.offsets[0] : 0;
        for (uint64_t i = 0; i <= p->nlevels; i++)
            tbl__put_u64(offsets + i * 8, (uint64_t)(p->nlevels ? c->levels.offsets[i] - base : 0));
        if (p->buf[TBL__B_BYTES].length)
            memcpy(bytes, c->levels.data + base, p->buf[TBL__B_BYTES].length);
    }
}

int tbl_native_encode(const tbl_table *t, uint8_t **buf, size_t *size, wf_error *err)
{
    *buf = NULL;
    *size = 0;
    /* A table without columns has no rows: nothing could hold them. */
    size_t nrows = t->ncols ? t->nrows : 0;
    tbl__plan *plans = wf_calloc(t->ncols ? t->ncols : 1, sizeof *plans);
    if (plans == NULL) return wf_error_set(err, WF_ENOMEM, "out of memory encoding a table");
    tbl_dict names = {0};
    int rc = 0;
    uint64_t cursor = tbl__align(TBL__HEADER_SIZE + (uint64_t)t->ncols * TBL__ENTRY_SIZE);
    for (size_t i = 0; i < t->ncols; i++) {
        const tbl_column *c = &t->cols[i];
        size_t before = tbl_dict_size(&names);
        if (tbl_dict_intern(&names, c->name, strlen(c->name)) < 0) {
            rc = wf_error_set(err, WF_ENOMEM, "out of memory encoding a table");
            goto done;
        }
        if (tbl_dict_size(&names) == before) {
            rc = wf_error_set(err, WF_EINVAL, "two columns are named \"%s\"", c->name);
            goto done;
        }
        rc = tbl__plan_column(c, nrows, &plans[i], err);
        if (rc < 0) goto done;
        for (int b = 0; b < TBL__NBUF; b++) {
            tbl__span *s = &plans[i].buf[b];
            if (s->length == 0) continue; /* empty buffers sit at offset 0 */
            s->offset = cursor;
            cursor = tbl__align(cursor + s->length);
        }
    }
    if (cursor > SIZE_MAX) {
        rc = wf_error_set(err, WF_ELIMIT, "the table is too large to encode");
        goto done;
    }
    /* calloc zeroes every padding byte, which determinism needs. */
    uint8_t *file = calloc(1, (size_t)cursor);
    if (file == NULL) {
        rc = wf_error_set(err, WF_ENOMEM, "out of memory for a %llu-byte table file",
                          (unsigned long long)cursor);
        goto done;
    }
    memcpy(file + TBL__H_MAGIC, TBL__MAGIC, 8);
    tbl__put_u32(file + TBL__H_VERSION, TBL__VERSION);
    tbl__put_u32(file + TBL__H_BOM, TBL__BYTE_ORDER_MARK);
    tbl__put_u64(file + TBL__H_NROWS, nrows);
    tbl__put_u64(file + TBL__H_NCOLS, t->ncols);
    tbl__put_u64(file + TBL__H_DIR_OFFSET, TBL__HEADER_SIZE);
    tbl__put_u32(file + TBL__H_ENTRY_SIZE, TBL__ENTRY_SIZE);
    tbl__put_u32(file + TBL__H_ALIGN, TBL__ALIGN);
    tbl__put_u64(file + TBL__H_FILE_SIZE, cursor);
    for (size_t i = 0; i < t->ncols; i++) {
        const tbl_column *c = &t->cols[i];
        uint8_t *e = file + TBL__HEADER_SIZE + i * TBL__ENTRY_SIZE;
        e[TBL__E_TYPE] = (uint8_t)c->type;
        e[TBL__E_ROLE] = (uint8_t)c->role;
        tbl__put_u64(e + TBL__E_NLEVELS, plans[i].nlevels);
        for (int b = 0; b < TBL__NBUF; b++) {
            tbl__put_u64(e + TBL__E_BUFFERS + b * 16, plans[i].buf[b].offset);
            tbl__put_u64(e + TBL__E_BUFFERS + b * 16 + 8, plans[i].buf[b].length);
        }
        tbl__write_column(c, nrows, &plans[i], file);
    }
    *buf = file;
    *size = (size_t)cursor;
done:
    tbl_dict_free(&names);
    free(plans);
    return rc;
}

/* ---- validation and loading ---------------------------------------------- */

typedef struct tbl__reader {
    const uint8_t *data;
    uint64_t size;
    uint64_t cursor; /* where the next non-empty buffer must start */
    wf_error *err;
} tbl__reader;

/* "column 3 ("price")" for messages; the name is cut so a hostile name
 * cannot crowd out the rest of the message. */
static void tbl__where(const tbl_column *c, size_t index, char *buf, size_t cap)
{
    if (c != NULL && c->name != NULL)
        snprintf(buf, cap, "column %zu (\"%.60s\")", index + 1, c->name);
    else
        snprintf(buf, cap, "column %zu", index + 1);
}

static bool tbl__all_zero(const uint8_t *p, uint64_t n)
{
    for (uint64_t i = 0; i < n; i++)
        if (p[i] != 0) return false;
    return true;
}

/* Checks one buffer's place: an empty buffer must be (0, 0); any other must
 * start exactly where the canonical packing puts it, lie inside the file,
 * and be preceded by zero padding. Packing is checked rather than merely
 * "in bounds" so that buffers can never overlap and every accepted file is
 * the one encoding of its table. */
static int tbl__check_span(tbl__reader *r, const char *where, int which, tbl__span s,
                           uint64_t expected_length)
{
    const char *what = tbl__buffer_names[which];
    if (s.length != expected_length)
        return wf_error_set(r->err, WF_ECORRUPT, "%s: %s buffer is %llu bytes, expected %llu",
                            where, what, (unsigned long long)s.length,
                            (unsigned long long)expected_length);
    if (s.length == 0) {
        if (s.offset != 0)
            return wf_error_set(r->err, WF_ECORRUPT,
                                "%s: empty %s buffer has offset %llu, expected 0", where, what,
                                (unsigned long long)s.offset);
        return 0;
    }
    if (s.offset != r->cursor)
        return wf_error_set(r->err, WF_ECORRUPT,
                            "%s: %s buffer is at offset %llu, expected %llu (buffers are packed "
                            "in order on %u-byte boundaries)",
                            where, what, (unsigned long long)s.offset,
                            (unsigned long long)r->cursor, TBL__ALIGN);
    if (s.offset > r->size || s.length > r->size - s.offset)
        return wf_error_set(r->err, WF_ECORRUPT,
                            "%s: %s buffer (offset %llu, %llu bytes) runs past the end of the "
                            "file (%llu bytes)",
                            where, what, (unsigned long long)s.offset, (unsigned long long)s.length,
                            (unsigned long long)r->size);
    r->cursor = tbl__align(s.offset + s.length);
    uint64_t end = s.offset + s.length;
    uint64_t pad_end = r->cursor < r->size ? r->cursor : r->size;
    if (!tbl__all_zero(r->data + end, pad_end - end))
        return wf_error_set(r->err, WF_ECORRUPT, "%s: padding after the %s buffer is not zero",
                            where, what);
    return 0;
}

static int tbl__check_mask(tbl__reader *r, const char *where, const uint8_t *m, uint64_t n)
{
    bool any = false;
    for (uint64_t i = 0; i < n; i++) {
        if (m[i] > 1)
            return wf_error_set(r->err, WF_ECORRUPT,
                                "%s: missing mask byte of row %llu is %u, not 0 or 1", where,
                                (unsigned long long)i + 1, m[i]);
        any |= m[i] != 0;
    }
    if (!any)
        return wf_error_set(r->err, WF_ECORRUPT,
                            "%s: missing mask marks no row (it must then be left out)", where);
    return 0;
}

/* offsets[0..count] must start at 0, never decrease, and end at nbytes. */
static int tbl__check_offsets(tbl__reader *r, const char *where, const char *what,
                              const int64_t *offsets, uint64_t count, uint64_t nbytes)
{
    if (offsets[0] != 0)
        return wf_error_set(r->err, WF_ECORRUPT, "%s: %s offsets start at %lld, not 0", where, what,
                            (long long)offsets[0]);
    for (uint64_t i = 0; i < count; i++)
        if (offsets[i + 1] < offsets[i])
            return wf_error_set(r->err, WF_ECORRUPT,
                                "%s: %s offset %llu (%lld) is less than the one before it (%lld)",
                                where, what, (unsigned long long)i + 1, (long long)offsets[i + 1],
                                (long long)offsets[i]);
    if ((uint64_t)offsets[count] != nbytes)
        return wf_error_set(r->err, WF_ECORRUPT,
                            "%s: %s offsets end at %lld but the bytes buffer holds %llu", where,
                            what, (long long)offsets[count], (unsigned long long)nbytes);
    return 0;
}

static int tbl__check_levels_unique(tbl__reader *r, const char *where, const tbl_strings *levels)
{
    tbl_dict seen = {0};
    int rc = 0;
    for (size_t i = 0; i < levels->count && rc == 0; i++) {
        size_t len;
        const char *s = tbl_strings_at(levels, i, &len);
        if (tbl_dict_intern(&seen, s, len) < 0)
            rc = wf_error_set(r->err, WF_ENOMEM, "out of memory checking levels");
        else if (tbl_dict_size(&seen) != i + 1)
            rc = wf_error_set(r->err, WF_ECORRUPT, "%s: level %zu (\"%.*s\") is a duplicate", where,
                              i + 1, (int)(len < 60 ? len : 60), s);
    }
    tbl_dict_free(&seen);
    return rc;
}

static int tbl__check_values(tbl__reader *r, const char *where, const tbl_column *c, uint64_t nrows)
{
    if (c->type == TBL_BOOLEAN) {
        for (uint64_t i = 0; i < nrows; i++)
            if (c->v.b8[i] > 1)
                return wf_error_set(r->err, WF_ECORRUPT,
                                    "%s: boolean value of row %llu is %u, not 0 or 1", where,
                                    (unsigned long long)i + 1, c->v.b8[i]);
    } else if (c->type == TBL_CATEGORICAL) {
        int rc = tbl__check_levels_unique(r, where, &c->levels);
        if (rc < 0) return rc;
        for (uint64_t i = 0; i < nrows; i++) {
            int32_t code = c->v.codes[i];
            bool missing = tbl_is_missing(c, i);
            if (missing ? code != -1 : (code < 0 || (uint64_t)code >= c->levels.count))
                return wf_error_set(r->err, WF_ECORRUPT,
                                    "%s: code %d of row %llu is out of range (%zu levels%s)", where,
                                    (int)code, (unsigned long long)i + 1, c->levels.count,
                                    missing ? "; a missing row has -1" : "");
        }
    } else if (c->type == TBL_STRING && c->missing != NULL) {
        for (uint64_t i = 0; i < nrows; i++)
            if (c->missing[i] && c->str.offsets[i + 1] != c->str.offsets[i])
                return wf_error_set(r->err, WF_ECORRUPT,
                                    "%s: row %llu is missing but its string is not empty", where,
                                    (unsigned long long)i + 1);
    }
    return 0;
}

/* A non-empty span's bytes, or, for an empty one, the start of the file: a
 * valid, aligned pointer that callers may pass to memcpy with length 0. */
static void *tbl__at(const tbl__reader *r, tbl__span s)
{
    return (void *)(uintptr_t)(r->data + (s.length ? s.offset : 0));
}

static int tbl__read_column(tbl__reader *r, size_t index, uint64_t nrows, tbl_column *c,
                            tbl_dict *names)
{
    const uint8_t *e = r->data + TBL__HEADER_SIZE + index * TBL__ENTRY_SIZE;
    char where[96];
    tbl__where(NULL, index, where, sizeof where);
    tbl__span s[TBL__NBUF];
    for (int b = 0; b < TBL__NBUF; b++) {
        s[b].offset = tbl__get_u64(e + TBL__E_BUFFERS + b * 16);
        s[b].length = tbl__get_u64(e + TBL__E_BUFFERS + b * 16 + 8);
    }
    unsigned type = e[TBL__E_TYPE], role = e[TBL__E_ROLE];
    uint64_t nlevels = tbl__get_u64(e + TBL__E_NLEVELS);
    if (type >= TBL_TYPE_COUNT)
        return wf_error_set(r->err, WF_ECORRUPT, "%s: unknown type %u", where, type);
    if (role >= TBL_ROLE_COUNT)
        return wf_error_set(r->err, WF_ECORRUPT, "%s: unknown role %u", where, role);
    if (!tbl__all_zero(e + TBL__E_RESERVED, 6))
        return wf_error_set(r->err, WF_ECORRUPT, "%s: reserved bytes are not zero", where);
    if (type != TBL_CATEGORICAL && nlevels != 0)
        return wf_error_set(r->err, WF_ECORRUPT, "%s: a %s column has %llu levels", where,
                            tbl_type_name((tbl_type)type), (unsigned long long)nlevels);
    if (nlevels > INT32_MAX)
        return wf_error_set(r->err, WF_ECORRUPT, "%s: %llu levels is more than codes can index",
                            where, (unsigned long long)nlevels);

    /* The name first, so that later messages can show it. */
    if (s[TBL__B_NAME].length > TBL__NAME_MAX)
        return wf_error_set(r->err, WF_ECORRUPT, "%s: name of %llu bytes is longer than %u", where,
                            (unsigned long long)s[TBL__B_NAME].length, TBL__NAME_MAX);
    int rc = tbl__check_span(r, where, TBL__B_NAME, s[TBL__B_NAME], s[TBL__B_NAME].length);
    if (rc < 0) return rc;
    const char *name = tbl__at(r, s[TBL__B_NAME]);
    size_t name_len = (size_t)s[TBL__B_NAME].length;
    if (memchr(name, '\0', name_len) != NULL)
        return wf_error_set(r->err, WF_ECORRUPT, "%s: name contains a NUL byte", where);
    size_t before = tbl_dict_size(names);
    if (tbl_dict_intern(names, name, name_len) < 0)
        return wf_error_set(r->err, WF_ENOMEM, "out of memory loading a table");
    c->name = wf_strndup(name, name_len);
    if (c->name == NULL) return wf_error_set(r->err, WF_ENOMEM, "out of memory loading a table");
    c->type = (tbl_type)type;
    c->role = (tbl_role)role;
    c->borrowed = true;
    tbl__where(c, index, where, sizeof where);
    if (tbl_dict_size(names) == before)
        return wf_error_set(r->err, WF_ECORRUPT, "%s: another column has the same name", where);

    /* Lengths follow from the type and the row and level counts; a length
     * the type does not predict is corruption, whatever the offsets say. */
    uint64_t width = tbl_type_width(c->type);
    uint64_t want_missing = s[TBL__B_MISSING].length ? nrows : 0;
    uint64_t want_offsets = 0, want_bytes = 0;
    if (c->type == TBL_STRING) want_offsets = (nrows + 1) * 8;
    if (c->type == TBL_CATEGORICAL) want_offsets = (nlevels + 1) * 8;
    if (c->type == TBL_STRING || c->type == TBL_CATEGORICAL) want_bytes = s[TBL__B_BYTES].length;
    if ((rc = tbl__check_span(r, where, TBL__B_MISSING, s[TBL__B_MISSING], want_missing)) < 0 ||
        (rc = tbl__check_span(r, where, TBL__B_VALUES, s[TBL__B_VALUES], nrows * width)) < 0 ||
        (rc = tbl__check_span(r, where, TBL__B_OFFSETS, s[TBL__B_OFFSETS], want_offsets)) < 0 ||
        (rc = tbl__check_span(r, where, TBL__B_BYTES, s[TBL__B_BYTES], want_bytes)) < 0)
        return rc;

    if (s[TBL__B_MISSING].length) {
        c->missing = tbl__at(r, s[TBL__B_MISSING]);
        if ((rc = tbl__check_mask(r, where, c->missing, nrows)) < 0) return rc;
    }
    if (c->type == TBL_STRING) {
        c->str.count = (size_t)nrows;
        c->str.offsets = tbl__at(r, s[TBL__B_OFFSETS]);
        c->str.data = tbl__at(r, s[TBL__B_BYTES]);
        rc = tbl__check_offsets(r, where, "string", c->str.offsets, nrows, s[TBL__B_BYTES].length);
        if (rc < 0) return rc;
    } else {
        c->v.f64 = tbl__at(r, s[TBL__B_VALUES]);
    }
    if (c->type == TBL_CATEGORICAL) {
        c->levels.count = (size_t)nlevels;
        c->levels.offsets = tbl__at(r, s[TBL__B_OFFSETS]);
        c->levels.data = tbl__at(r, s[TBL__B_BYTES]);
        rc = tbl__check_offsets(r, where, "level", c->levels.offsets, nlevels,
                                s[TBL__B_BYTES].length);
        if (rc < 0) return rc;
    }
    return tbl__check_values(r, where, c, nrows);
}

static int tbl__view(const uint8_t *data, size_t size, tbl_table **out, wf_error *err)
{
    *out = NULL;
    if (data == NULL || size < TBL__HEADER_SIZE)
        return wf_error_set(err, WF_ECORRUPT,
                            "truncated: %zu bytes, but a native table header alone is %u bytes",
                            data ? size : 0, TBL__HEADER_SIZE);
    if (memcmp(data + TBL__H_MAGIC, TBL__MAGIC, 8) != 0)
        return wf_error_set(err, WF_ECORRUPT, "not a native weft table (bad magic)");
    uint32_t version = tbl__get_u32(data + TBL__H_VERSION);
    if (version != TBL__VERSION)
        return wf_error_set(err, WF_ECORRUPT,
                            "native table format version %u is not supported (this weft reads %u)",
                            version, TBL__VERSION);
    if (tbl__get_u32(data + TBL__H_BOM) != TBL__BYTE_ORDER_MARK)
        return wf_error_set(err, WF_ECORRUPT, "bad byte-order mark (the format is little-endian)");
    if (tbl__get_u64(data + TBL__H_DIR_OFFSET) != TBL__HEADER_SIZE ||
        tbl__get_u32(data + TBL__H_ENTRY_SIZE) != TBL__ENTRY_SIZE ||
        tbl__get_u32(data + TBL__H_ALIGN) != TBL__ALIGN)
        return wf_error_set(err, WF_ECORRUPT,
                            "unexpected directory offset, entry size or alignment in the header");
    if (tbl__get_u64(data + TBL__H_RESERVED) != 0)
        return wf_error_set(err, WF_ECORRUPT, "reserved header field is not zero");
    uint64_t file_size = tbl__get_u64(data + TBL__H_FILE_SIZE);
    if (file_size != size)
        return wf_error_set(
            err, WF_ECORRUPT, "the header says the file is %llu bytes but it is %zu%s",
            (unsigned long long)file_size, size, file_size > size ? " (truncated)" : "");
    uint64_t nrows = tbl__get_u64(data + TBL__H_NROWS);
    uint64_t ncols = tbl__get_u64(data + TBL__H_NCOLS);
    if (ncols > (size - TBL__HEADER_SIZE) / TBL__ENTRY_SIZE)
        return wf_error_set(err, WF_ECORRUPT, "%llu columns cannot fit in a %zu-byte file",
                            (unsigned long long)ncols, size);
    if (ncols == 0 && nrows != 0)
        return wf_error_set(err, WF_ECORRUPT, "a table without columns has %llu rows",
                            (unsigned long long)nrows);
    if (nrows > SIZE_MAX / 8 - 1)
        return wf_error_set(err, WF_ECORRUPT, "%llu rows is too many", (unsigned long long)nrows);

    tbl__reader r = {.data = data, .size = size, .err = err};
    uint64_t dir_end = TBL__HEADER_SIZE + ncols * TBL__ENTRY_SIZE;
    r.cursor = tbl__align(dir_end);
    if (r.cursor > size)
        return wf_error_set(err, WF_ECORRUPT, "the column directory runs past the end of the file");
    if (!tbl__all_zero(data + dir_end, r.cursor - dir_end))
        return wf_error_set(err, WF_ECORRUPT, "padding after the column directory is not zero");

    tbl_table *t = tbl_new();
    tbl_dict names = {0};
    int rc = 0;
    if (t == NULL || (ncols && (t->cols = wf_calloc((size_t)ncols, sizeof *t->cols)) == NULL)) {
        rc = wf_error_set(err, WF_ENOMEM, "out of memory loading a table");
        goto fail;
    }
    t->cols_cap = (size_t)ncols;
    t->nrows = (size_t)nrows;
    for (size_t i = 0; i < ncols; i++) {
        /* Count the column first so tbl_free releases its name on failure. */
        t->ncols = i + 1;
        rc = tbl__read_column(&r, i, nrows, &t->cols[i], &names);
        if (rc < 0) goto fail;
    }
    if (r.cursor != size) {
        rc = wf_error_set(err, WF_ECORRUPT, "%llu bytes follow the last buffer",
                          (unsigned long long)(size - r.cursor));
        goto fail;
    }
    tbl_dict_free(&names);
    *out = t;
    return 0;
fail:
    tbl_dict_free(&names);
    tbl_free(t);
    return rc;
}

int tbl_native_view(const uint8_t *data, size_t size, tbl_table **out, wf_error *err)
{
    *out = NULL;
    /* Values are read in place, so the widest (8-byte) ones must be
     * aligned; mmap'd and malloc'd memory always is. */
    if ((uintptr_t)data % 8 != 0)
        return wf_error_set(err, WF_EINVAL, "a native table buffer must be 8-byte aligned");
    return tbl__view(data, size, out, err);
}

int tbl_native_load(const char *path, tbl_table **out, wf_error *err)
{
    *out = NULL;
    wf_mapped_file m;
    int rc = wf_map_file(path, &m, err);
    if (rc < 0) return rc;
    rc = tbl__view(m.data, m.size, out, err);
    if (rc < 0) {
        wf_unmap_file(&m);
        if (err != NULL) wf_error_prefix(err, "%s", path);
        return rc;
    }
    (*out)->mapping = (void *)(uintptr_t)m.data;
    (*out)->mapping_size = m.size;
    return 0;
}
