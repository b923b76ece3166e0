/*
 * split_int.h: the column kernels of tbl_split (split.c) shared with their
 * vector versions (split_vec.c). Private to src/table.
 */
#ifndef WEFT_TABLE_SPLIT_INT_H
#define WEFT_TABLE_SPLIT_INT_H

#include "ops_int.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Slots every split output (payloads and masks) holds past its rows: the
 * scalar kernels store one cell past the last, the vector kernels a whole
 * register of up to 64. */
#define TBL__SPLIT_SLACK 64

/* True when this processor runs the vector kernels. */
bool tbl__split_vec_ready(void);

/* Packs the flags of the whole blocks of 64 rows of first[0..rows) into
 * bits (bit r % 64 of word r / 64) and returns how many are set. Only where
 * tbl__split_vec_ready. */
size_t tbl__split_vec_pack(const bool *first, size_t rows, uint64_t *bits);

/* Splits the whole blocks of 64 rows of the fixed-width column src into
 * dst[0] (rows whose bit is set in bits, bit r % 64 of word r / 64) and
 * dst[1], continuing at positions at[] and adding the missing cells each
 * gets to missing[]. dst's payloads, and their masks when src has one or is
 * categorical, are allocated with TBL__SPLIT_SLACK slots to spare. Returns
 * the rows done (a multiple of 64; 0 where tbl__split_vec_ready is false),
 * for the scalar kernels to go on from. */
size_t tbl__split_vec(tbl_column *dst[2], const tbl_column *src, const uint64_t *bits, size_t rows,
                      size_t at[2], size_t missing[2]);

/* True when a split of src needs missing masks in its outputs: src has one,
 * or is categorical (a code that names no level is missing too). */
static inline bool tbl__split_needs_masks(const tbl_column *src)
{
    return src->missing != NULL || src->type == TBL_CATEGORICAL;
}

/* Waits for r's buffers (r may be NULL) and returns them, 4 per column
 * (payloads first and second, masks first and second; NULL where a column
 * needs none), when every one was allocated for exactly n[0] and n[1] rows;
 * else NULL. The buffers stay r's: a split takes one by moving it out and
 * setting the slot to NULL. */
void **tbl__split_reserve_take(tbl_split_reserve *r, const size_t n[2]);

/* Set by tests to check the scalar kernels on a processor that has the
 * vector ones. */
extern bool tbl__split_scalar_only;

#endif
