/*
 * split_vec.c: tbl_split's column kernels for x86-64 processors with
 * AVX-512 (F, BW, VBMI2), chosen at run time by tbl__split_vec_ready.
 *
 * The scalar kernels (split.c) store every cell into both outputs and
 * advance one; here 64 rows go at once. Their flags are one 64-bit word;
 * each group of 8 (payloads of 8 bytes), 16 (categorical codes) or 64
 * (bytes) cells is packed by its flags into a register (vpcompress) and the
 * whole register stored at the output's next slot, the slots past the
 * packed cells to be overwritten by the next store. Each output store thus
 * moves only its own cells and never branches on a flag. Registers are
 * compressed, not memory: a compressing store to memory is slow on Intel
 * cores.
 *
 * The outputs hold TBL__SPLIT_SLACK slots more than their rows for the
 * last register's spare lanes. The rows after the last whole block of 64 are
 * left to the scalar kernels, which continue from the returned positions.
 * The results equal the scalar kernels' byte for byte (test_split.c checks
 * both against the row filter).
 */
#include "split_int.h"

#if defined(__x86_64__) && defined(__GNUC__)
#include <immintrin.h>

#define TBL__VEC __attribute__((target("avx512f,avx512bw,avx512vbmi2,popcnt")))

TBL__VEC size_t tbl__split_vec_pack(const bool *first, size_t rows, uint64_t *bits)
{
    size_t count = 0;
    for (size_t w = 0; w < rows / 64; w++) {
        __m512i f = _mm512_loadu_si512(first + 64 * w);
        bits[w] = (uint64_t)_mm512_test_epi8_mask(f, f);
        count += (size_t)__builtin_popcountll(bits[w]);
    }
    return count;
}

bool tbl__split_vec_ready(void)
{
    __builtin_cpu_init();
    return __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") &&
           __builtin_cpu_supports("avx512vbmi2") && __builtin_cpu_supports("popcnt");
}

/* The block's 64 missing bytes as a bit mask (bit r: row r is missing). */
TBL__VEC static inline uint64_t tbl__vec_gone(const uint8_t *gone)
{
    __m512i g = _mm512_loadu_si512(gone);
    return (uint64_t)_mm512_test_epi8_mask(g, g);
}

/* Stores the block's missing flags (bits g, as bytes of 0 and 1) into both
 * outputs' masks, each at its position, and counts them. */
TBL__VEC static inline void tbl__vec_masks(tbl_column *dst[2], uint64_t g, uint64_t f,
                                           const size_t at[2], size_t missing[2])
{
    __m512i bytes = _mm512_maskz_set1_epi8(g, 1);
    _mm512_storeu_si512(dst[0]->missing + at[0], _mm512_maskz_compress_epi8(f, bytes));
    _mm512_storeu_si512(dst[1]->missing + at[1], _mm512_maskz_compress_epi8(~f, bytes));
    missing[0] += (size_t)__builtin_popcountll(g & f);
    missing[1] += (size_t)__builtin_popcountll(g & ~f);
}

/* 8-byte payloads (numbers, integers, datetimes); missing cells get a zero
 * payload. */
TBL__VEC static size_t tbl__vec_u64(tbl_column *dst[2], const tbl_column *src, const uint64_t *bits,
                                    size_t blocks, size_t at[2], size_t missing[2])
{
    uint64_t *a = (uint64_t *)dst[0]->v.f64, *b = (uint64_t *)dst[1]->v.f64;
    const uint64_t *from = (const uint64_t *)src->v.f64;
    for (size_t w = 0; w < blocks; w++) {
        uint64_t f = bits[w];
        uint64_t g = src->missing != NULL ? tbl__vec_gone(src->missing + 64 * w) : 0;
        if (src->missing != NULL) tbl__vec_masks(dst, g, f, at, missing);
        for (int k = 0; k < 8; k++) {
            __mmask8 m = (__mmask8)(f >> (8 * k));
            __m512i v = _mm512_maskz_mov_epi64((__mmask8) ~(g >> (8 * k)),
                                               _mm512_loadu_si512(from + 64 * w + 8 * k));
            _mm512_storeu_si512(a + at[0], _mm512_maskz_compress_epi64(m, v));
            _mm512_storeu_si512(b + at[1], _mm512_maskz_compress_epi64((__mmask8)~m, v));
            size_t c = (size_t)__builtin_popcount(m);
            at[0] += c;
            at[1] += 8 - c;
        }
    }
    return 64 * blocks;
}

/* Categorical codes: a code that points at no level is missing too, and
 * missing cells get code -1. Masks are always written (split.c allocates
 * them for codes). */
TBL__VEC static size_t tbl__vec_codes(tbl_column *dst[2], const tbl_column *src,
                                      const uint64_t *bits, size_t blocks, size_t at[2],
                                      size_t missing[2])
{
    int32_t *a = dst[0]->v.codes, *b = dst[1]->v.codes;
    const int32_t *from = src->v.codes;
    uint32_t count = src->levels.count > INT32_MAX ? INT32_MAX : (uint32_t)src->levels.count;
    const __m512i levels = _mm512_set1_epi32((int32_t)count), none = _mm512_set1_epi32(-1);
    for (size_t w = 0; w < blocks; w++) {
        uint64_t f = bits[w];
        uint64_t g = src->missing != NULL ? tbl__vec_gone(src->missing + 64 * w) : 0;
        __m512i v[4];
        for (int k = 0; k < 4; k++) {
            v[k] = _mm512_loadu_si512(from + 64 * w + 16 * k);
            /* One unsigned compare catches negative codes and codes past
             * the last level. */
            g |= (uint64_t)_mm512_cmpge_epu32_mask(v[k], levels) << (16 * k);
        }
        tbl__vec_masks(dst, g, f, at, missing);
        for (int k = 0; k < 4; k++) {
            __mmask16 m = (__mmask16)(f >> (16 * k));
            __m512i c = _mm512_mask_mov_epi32(v[k], (__mmask16)(g >> (16 * k)), none);
            _mm512_storeu_si512(a + at[0], _mm512_maskz_compress_epi32(m, c));
            _mm512_storeu_si512(b + at[1], _mm512_maskz_compress_epi32((__mmask16)~m, c));
            size_t n = (size_t)__builtin_popcount(m);
            at[0] += n;
            at[1] += 16 - n;
        }
    }
    return 64 * blocks;
}

/* One-byte payloads (booleans); missing cells get a zero payload. */
TBL__VEC static size_t tbl__vec_u8(tbl_column *dst[2], const tbl_column *src, const uint64_t *bits,
                                   size_t blocks, size_t at[2], size_t missing[2])
{
    for (size_t w = 0; w < blocks; w++) {
        uint64_t f = bits[w];
        uint64_t g = src->missing != NULL ? tbl__vec_gone(src->missing + 64 * w) : 0;
        if (src->missing != NULL) tbl__vec_masks(dst, g, f, at, missing);
        __m512i v = _mm512_maskz_mov_epi8(~g, _mm512_loadu_si512(src->v.b8 + 64 * w));
        _mm512_storeu_si512(dst[0]->v.b8 + at[0], _mm512_maskz_compress_epi8(f, v));
        _mm512_storeu_si512(dst[1]->v.b8 + at[1], _mm512_maskz_compress_epi8(~f, v));
        size_t n = (size_t)__builtin_popcountll(f);
        at[0] += n;
        at[1] += 64 - n;
    }
    return 64 * blocks;
}

size_t tbl__split_vec(tbl_column *dst[2], const tbl_column *src, const uint64_t *bits, size_t rows,
                      size_t at[2], size_t missing[2])
{
    size_t blocks = rows / 64;
    switch (tbl_type_width(src->type)) {
    case 8:
        return tbl__vec_u64(dst, src, bits, blocks, at, missing);
    case 4:
        return tbl__vec_codes(dst, src, bits, blocks, at, missing);
    case 1:
        return tbl__vec_u8(dst, src, bits, blocks, at, missing);
    default:
        return 0;
    }
}

#else

bool tbl__split_vec_ready(void)
{
    return false;
}

size_t tbl__split_vec_pack(const bool *first, size_t rows, uint64_t *bits)
{
    (void)first, (void)rows, (void)bits;
    return 0;
}

size_t tbl__split_vec(tbl_column *dst[2], const tbl_column *src, const uint64_t *bits, size_t rows,
                      size_t at[2], size_t missing[2])
{
    (void)dst, (void)src, (void)bits, (void)rows, (void)at, (void)missing;
    return 0;
}

#endif
