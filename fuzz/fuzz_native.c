/*
 * fuzz_native.c: libFuzzer harness for the native table loader
 * (tbl_native_view). Any input must either load or fail with WF_ECORRUPT and
 * a message, without crashing or leaking. A table that loads must be usable
 * without further checks, so every cell is formatted; and it must re-encode,
 * with the re-encoding loading back and encoding to the very same bytes
 * (the format has one encoding per table).
 */
#include "table/table.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Loads data, formats every cell, and re-encodes; returns the re-encoding
 * (or NULL when data does not load). */
static uint8_t *load_and_encode(const uint8_t *data, size_t size, size_t *out_size)
{
    tbl_table *t = NULL;
    wf_error err = {0};
    int rc = tbl_native_view(data, size, &t, &err);
    if (rc < 0) {
        if (t != NULL || (rc != WF_ECORRUPT && rc != WF_ENOMEM) || err.message[0] == '\0') abort();
        return NULL;
    }
    char cell[128];
    for (size_t j = 0; j < t->ncols; j++)
        for (size_t r = 0; r < t->nrows; r++)
            tbl_format_cell(&t->cols[j], r, cell, sizeof cell);
    uint8_t *again = NULL;
    if (tbl_native_encode(t, &again, out_size, &err) < 0) {
        fprintf(stderr, "a loaded table does not encode: %s\n", err.message);
        abort();
    }
    tbl_free(t);
    return again;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    /* The loader reads values in place, so give it the alignment a mapped
     * file has. */
    uint8_t *aligned = aligned_alloc(64, (size + 63) / 64 * 64 + 64);
    if (aligned == NULL) return 0;
    if (size) memcpy(aligned, data, size);
    size_t n1 = 0, n2 = 0;
    uint8_t *first = load_and_encode(aligned, size, &n1);
    if (first != NULL) {
        uint8_t *second = load_and_encode(first, n1, &n2);
        if (second == NULL || n1 != n2 || memcmp(first, second, n1) != 0) {
            fprintf(stderr, "re-encoding is not stable\n");
            abort();
        }
        free(second);
    }
    free(first);
    free(aligned);
    return 0;
}
