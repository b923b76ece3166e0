/*
 * split_reserve.c: a split's output buffers, allocated and faulted in on a
 * thread of their own while the caller still decides which rows go where.
 *
 * The first write to fresh memory faults, and the kernel zeroes the page;
 * for a split of a million rows by twenty columns that is 180 MB zeroed,
 * about a third of the split's time. Split Data knows how many rows go
 * first before its shuffle decides which (the shuffle is serial and leaves
 * the other core idle), so it reserves the buffers first and the faults
 * are taken meanwhile. tbl_split_into then only reads and stores.
 */
#include "split_int.h"

#include <pthread.h>
#include <stdlib.h>

struct tbl_split_reserve {
    const tbl_table *t;
    size_t n[2];
    void **bufs; /* 4 per column: payloads first and second, masks first and second */
    bool ok;     /* every buffer was allocated */
    bool started;
    pthread_t thread;
};

/* Writes a byte into every page of p[0..bytes), so each is faulted in. */
static void tbl__touch(void *p, size_t bytes)
{
    volatile uint8_t *b = p;
    for (size_t off = 0; off < bytes; off += 4096)
        b[off] = 0;
}

static void *tbl__reserve_main(void *arg)
{
    tbl_split_reserve *r = arg;
    for (size_t c = 0; c < r->t->ncols && r->ok; c++) {
        const tbl_column *src = &r->t->cols[c];
        if (src->type == TBL_STRING) continue;
        bool masks = tbl__split_needs_masks(src);
        for (int k = 0; k < 2 && r->ok; k++) {
            size_t width = tbl_type_width(src->type), slots = r->n[k] + TBL__SPLIT_SLACK;
            void **payload = &r->bufs[4 * c + k], **mask = &r->bufs[4 * c + 2 + k];
            r->ok = (*payload = wf_alloc_large(slots, width)) != NULL &&
                    (!masks || (*mask = wf_alloc_large(slots, 1)) != NULL);
            if (*payload != NULL) tbl__touch(*payload, slots * width);
            if (*mask != NULL) tbl__touch(*mask, slots);
        }
    }
    return NULL;
}

tbl_split_reserve *tbl_split_reserve_start(const tbl_table *t, size_t n_first)
{
    /* Below the table part's threshold a thread is not worth starting. */
    if (n_first > t->nrows || tbl__thread_count(t->nrows, t->ncols) < 2) return NULL;
    tbl_split_reserve *r = calloc(1, sizeof *r);
    if (r == NULL) return NULL;
    r->t = t;
    r->n[0] = n_first;
    r->n[1] = t->nrows - n_first;
    r->ok = true;
    if ((r->bufs = wf_calloc(4 * t->ncols, sizeof *r->bufs)) == NULL ||
        pthread_create(&r->thread, NULL, tbl__reserve_main, r) != 0) {
        free(r->bufs);
        free(r);
        return NULL;
    }
    r->started = true;
    return r;
}

void **tbl__split_reserve_take(tbl_split_reserve *r, const size_t n[2])
{
    if (r == NULL) return NULL;
    if (r->started) pthread_join(r->thread, NULL);
    r->started = false;
    return r->ok && r->n[0] == n[0] && r->n[1] == n[1] ? r->bufs : NULL;
}

void tbl_split_reserve_free(tbl_split_reserve *r)
{
    if (r == NULL) return;
    if (r->started) pthread_join(r->thread, NULL);
    for (size_t i = 0; i < 4 * r->t->ncols; i++)
        free(r->bufs[i]);
    free(r->bufs);
    free(r);
}
