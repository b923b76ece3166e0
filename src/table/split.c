/*
 * split.c: tbl_split, the rows of a table sent to one of two tables by a
 * flag per row, each keeping its order (Split Data).
 *
 * A split reads every source cell once and writes it once, so it is bound
 * by memory traffic, not by arithmetic. Gathering each output through a
 * list of row indices (what take and filter do) adds a read of 8 bytes of
 * index per cell; instead each source column is read once, in order, and
 * every cell is stored into both outputs at their next free slot, only one
 * of which then advances. The stores are branch-free: the flags of a random
 * split are a coin toss per row, which would defeat branch prediction on
 * every other row. Each output gets TBL__SPLIT_SLACK slots more than its
 * rows, for the store that does not advance.
 *
 * Strings keep the two-pass gather (rows.c): their bytes vary in length,
 * so the byte-store trick does not apply.
 *
 * On processors with AVX-512, whole blocks of 64 rows go through the vector
 * kernels of split_vec.c instead, which store only each output's own cells.
 */
#include "split_int.h"

#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

bool tbl__split_scalar_only = false;

/* Fixed-width payloads copied as one typed load and store per cell, from
 * row r on, continuing at positions at[]. A missing cell gets a zero
 * payload whatever the source held, so equal tables encode to equal bytes
 * (as the gathers in rows.c do). */
#define TBL__SPLIT_FIXED(name, type)                                                               \
    static void name(tbl_column *dst[2], const tbl_column *src, const bool *first, size_t r,       \
                     size_t rows, size_t at[2], size_t missing[2])                                 \
    {                                                                                              \
        type *a = (type *)dst[0]->v.f64, *b = (type *)dst[1]->v.f64;                               \
        const type *from = (const type *)src->v.f64;                                               \
        size_t i = at[0], j = at[1];                                                               \
        if (src->missing == NULL) {                                                                \
            for (; r < rows; r++) {                                                                \
                type v = from[r];                                                                  \
                size_t f = first[r];                                                               \
                a[i] = v;                                                                          \
                b[j] = v;                                                                          \
                i += f;                                                                            \
                j += 1 - f;                                                                        \
            }                                                                                      \
        } else {                                                                                   \
            uint8_t *ma = dst[0]->missing, *mb = dst[1]->missing;                                  \
            const uint8_t *gone = src->missing;                                                    \
            for (; r < rows; r++) {                                                                \
                uint8_t g = gone[r] != 0;                                                          \
                type v = g ? 0 : from[r];                                                          \
                size_t f = first[r];                                                               \
                a[i] = v;                                                                          \
                b[j] = v;                                                                          \
                ma[i] = g;                                                                         \
                mb[j] = g;                                                                         \
                missing[0] += g & f;                                                               \
                missing[1] += g & (1 - f);                                                         \
                i += f;                                                                            \
                j += 1 - f;                                                                        \
            }                                                                                      \
        }                                                                                          \
        at[0] = i;                                                                                 \
        at[1] = j;                                                                                 \
    }

TBL__SPLIT_FIXED(tbl__split_u64, uint64_t)
TBL__SPLIT_FIXED(tbl__split_u8, uint8_t)

/* Categorical codes: a code that points at no level is missing too (see
 * tbl__cell_missing), and missing cells get code -1. */
static void tbl__split_codes(tbl_column *dst[2], const tbl_column *src, const bool *first, size_t r,
                             size_t rows, size_t at[2], size_t missing[2])
{
    int32_t *a = dst[0]->v.codes, *b = dst[1]->v.codes;
    uint8_t *ma = dst[0]->missing, *mb = dst[1]->missing;
    const uint8_t *gone = src->missing;
    uint32_t levels = src->levels.count > INT32_MAX ? INT32_MAX : (uint32_t)src->levels.count;
    size_t i = at[0], j = at[1];
    for (; r < rows; r++) {
        int32_t code = src->v.codes[r];
        /* One unsigned compare catches negative codes and codes past the
         * last level. */
        uint8_t g = (gone != NULL && gone[r]) || (uint32_t)code >= levels;
        int32_t v = g ? -1 : code;
        size_t f = first[r];
        a[i] = v;
        b[j] = v;
        ma[i] = g;
        mb[j] = g;
        missing[0] += g & f;
        missing[1] += g & (1 - f);
        i += f;
        j += 1 - f;
    }
    at[0] = i;
    at[1] = j;
}

/* Gives dst[0] and dst[1] src's name, type, role and levels, and their
 * buffers: taken from `reserved` (the column's 4 from
 * tbl__split_reserve_take) or else allocated. Payloads and masks are not
 * zeroed: the kernels write every slot up to the rows. */
static bool tbl__split_alloc(tbl_column *dst[2], const tbl_column *src, const size_t n[2],
                             void **reserved)
{
    bool masks = tbl__split_needs_masks(src);
    for (int k = 0; k < 2; k++) {
        tbl_column *d = dst[k];
        d->type = src->type;
        d->role = src->role;
        if (reserved != NULL) {
            d->v.f64 = reserved[k];
            d->missing = reserved[2 + k];
            reserved[k] = reserved[2 + k] = NULL;
        } else {
            d->v.f64 = wf_alloc_large(n[k] + TBL__SPLIT_SLACK, tbl_type_width(src->type));
            d->missing = masks ? wf_alloc_large(n[k] + TBL__SPLIT_SLACK, 1) : NULL;
        }
        if ((d->name = wf_strdup(src->name)) == NULL ||
            (src->type == TBL_CATEGORICAL && tbl_strings_copy(&d->levels, &src->levels) < 0) ||
            d->v.f64 == NULL || (masks && d->missing == NULL))
            return false;
    }
    return true;
}

/* Splits one fixed-width source column into dst[0] and dst[1]: the whole
 * blocks of 64 rows by the vector kernels when `bits` is given, the rest
 * here. */
static int tbl__split_fixed(tbl_column *dst[2], const tbl_column *src, const bool *first,
                            const uint64_t *bits, size_t rows, const size_t n[2], void **reserved,
                            wf_error *err)
{
    size_t width = tbl_type_width(src->type);
    if (!tbl__split_alloc(dst, src, n, reserved) || (width != 8 && width != 4 && width != 1)) {
        tbl_column_clear(dst[0]);
        tbl_column_clear(dst[1]);
        return wf_error_set(err, WF_ENOMEM, "out of memory splitting column \"%s\"", src->name);
    }
    size_t at[2] = {0, 0}, missing[2] = {0, 0};
    size_t r = bits != NULL ? tbl__split_vec(dst, src, bits, rows, at, missing) : 0;
    if (width == 8)
        tbl__split_u64(dst, src, first, r, rows, at, missing);
    else if (width == 4)
        tbl__split_codes(dst, src, first, r, rows, at, missing);
    else
        tbl__split_u8(dst, src, first, r, rows, at, missing);
    /* A mask that ends with no missing cell is freed, so no mask keeps
     * meaning "none missing". */
    for (int k = 0; k < 2; k++)
        if (missing[k] == 0) {
            free(dst[k]->missing);
            dst[k]->missing = NULL;
        }
    return 0;
}

/* Columns are shared out to threads one at a time, as they come: string
 * columns cost more than numbers, so fixed shares would leave threads idle. */
typedef struct tbl__split_ctx {
    const tbl_table *t;
    const bool *first;
    const uint64_t *bits; /* the flags packed, for the vector kernels; or NULL */
    void **reserved;      /* 4 buffers per column made ready ahead, or NULL */
    size_t n[2];
    const size_t *rows[2]; /* the row lists, built only when a string column needs them */
    tbl_column *cols[2];   /* t->ncols each */
    int *rc;               /* per column */
    wf_error *errs;        /* per column */
    atomic_size_t next;
} tbl__split_ctx;

static void tbl__split_part(void *vctx, size_t part, size_t nparts)
{
    (void)part;
    (void)nparts;
    tbl__split_ctx *s = vctx;
    for (size_t c; (c = atomic_fetch_add(&s->next, 1)) < s->t->ncols;) {
        const tbl_column *src = &s->t->cols[c];
        tbl_column *dst[2] = {&s->cols[0][c], &s->cols[1][c]};
        if (src->type != TBL_STRING) {
            s->rc[c] =
                tbl__split_fixed(dst, src, s->first, s->bits, s->t->nrows, s->n,
                                 s->reserved != NULL ? s->reserved + 4 * c : NULL, &s->errs[c]);
            continue;
        }
        for (int k = 0; k < 2 && s->rc[c] == 0; k++)
            s->rc[c] = tbl__gather_column(dst[k], src, s->rows[k], s->n[k], &s->errs[c]);
    }
}

/* The row lists of both outputs, for the string gathers. */
static bool tbl__split_rows(const tbl_table *t, const bool *first, const size_t n[2],
                            size_t *rows[2])
{
    rows[0] = wf_mallocarray(n[0] + 1, sizeof *rows[0]);
    rows[1] = wf_mallocarray(n[1] + 1, sizeof *rows[1]);
    if (rows[0] == NULL || rows[1] == NULL) return false;
    size_t i = 0, j = 0;
    for (size_t r = 0; r < t->nrows; r++) {
        if (first[r])
            rows[0][i++] = r;
        else
            rows[1][j++] = r;
    }
    return true;
}

/* Counts the rows that go first into *count, and returns the flags of the
 * whole blocks of 64 rows packed into words for the vector kernels; NULL
 * where they do not run (or on OOM: the scalar kernels then do every row). */
static uint64_t *tbl__split_bits(const bool *first, size_t rows, size_t *count)
{
    uint64_t *bits = NULL;
    size_t r = 0;
    *count = 0;
    if (!tbl__split_scalar_only && rows >= 64 && tbl__split_vec_ready() &&
        (bits = wf_mallocarray(rows / 64, sizeof *bits)) != NULL) {
        *count = tbl__split_vec_pack(first, rows, bits);
        r = rows / 64 * 64;
    }
    for (; r < rows; r++)
        *count += first[r];
    return bits;
}

int tbl_split(const tbl_table *t, const bool *first, tbl_table **a, tbl_table **b, wf_error *err)
{
    return tbl_split_into(t, first, NULL, a, b, err);
}

int tbl_split_into(const tbl_table *t, const bool *first, tbl_split_reserve *reserve, tbl_table **a,
                   tbl_table **b, wf_error *err)
{
    *a = *b = NULL;
    size_t m = t->ncols;
    tbl__split_ctx s = {.t = t, .first = first};
    atomic_init(&s.next, 0);
    uint64_t *bits = tbl__split_bits(first, t->nrows, &s.n[0]);
    s.bits = bits;
    s.n[1] = t->nrows - s.n[0];
    bool strings = false;
    for (size_t c = 0; c < m; c++)
        strings = strings || t->cols[c].type == TBL_STRING;
    size_t *rows[2] = {NULL, NULL};
    tbl_table *out[2] = {tbl_new(), tbl_new()};
    bool ok = out[0] != NULL && out[1] != NULL && (s.rc = wf_calloc(m + 1, sizeof *s.rc)) &&
              (s.errs = wf_calloc(m + 1, sizeof *s.errs)) &&
              (s.cols[0] = wf_calloc(m + 1, sizeof *s.cols[0])) &&
              (s.cols[1] = wf_calloc(m + 1, sizeof *s.cols[1])) &&
              (!strings || tbl__split_rows(t, first, s.n, rows));
    int rc = 0;
    if (!ok) {
        rc = wf_error_set(err, WF_ENOMEM, "out of memory splitting rows");
        m = 0;
    } else {
        s.rows[0] = rows[0];
        s.rows[1] = rows[1];
        s.reserved = tbl__split_reserve_take(reserve, s.n);
        size_t parts = tbl__thread_count(t->nrows, m);
        tbl__run_parts(tbl__split_part, &s, parts < m ? parts : m);
    }
    /* Columns join the tables in order; the first failure reports, and
     * every split column is freed. */
    for (size_t c = 0; c < m; c++) {
        if (rc == 0 && s.rc[c] < 0) rc = wf_error_set(err, s.rc[c], "%s", s.errs[c].message);
        for (int k = 0; k < 2; k++) {
            if (rc == 0) rc = tbl_add_column(out[k], &s.cols[k][c], s.n[k], err);
            if (rc < 0) tbl_column_clear(&s.cols[k][c]);
        }
    }
    for (int k = 0; k < 2; k++) {
        if (out[k] != NULL) out[k]->nrows = s.n[k];
        free(s.cols[k]);
        free(rows[k]);
    }
    free(bits);
    tbl_split_reserve_free(reserve);
    free(s.rc);
    free(s.errs);
    if (rc < 0) {
        tbl_free(out[0]);
        tbl_free(out[1]);
        return rc;
    }
    *a = out[0];
    *b = out[1];
    return 0;
}
