/*
 * sha256.c: SHA-256 as specified in FIPS 180-4, section 6.2. Artifact
 * digests and step cache keys are SHA-256, so this must be exact; the tests
 * check it against the FIPS examples.
 *
 * On x86-64 processors with the SHA extensions the compression function
 * runs on them (Intel, "New Instructions Supporting the Secure Hash
 * Algorithm on Intel Architecture Processors", 2013): about four times the
 * portable code's speed, which matters because every artifact is hashed.
 * The portable code stays the reference; the tests compare the two.
 */
#include "util_int.h"

#include <string.h>

#if defined(__x86_64__)
#include <cpuid.h>
#include <immintrin.h>
#define WF__SHA_NI 1
#endif

static const uint32_t wf__sha256_k[64] = {
    0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
    0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
    0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
    0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
    0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
    0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
    0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
    0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
};

static uint32_t wf__rotr(uint32_t x, unsigned n)
{
    return (x >> n) | (x << (32 - n));
}

static void wf__sha256_block(uint32_t state[8], const uint8_t *p)
{
    uint32_t w[64];
    for (int i = 0; i < 16; i++)
        w[i] = (uint32_t)p[4 * i] << 24 | (uint32_t)p[4 * i + 1] << 16 |
               (uint32_t)p[4 * i + 2] << 8 | (uint32_t)p[4 * i + 3];
    for (int i = 16; i < 64; i++) {
        uint32_t s0 = wf__rotr(w[i - 15], 7) ^ wf__rotr(w[i - 15], 18) ^ (w[i - 15] >> 3);
        uint32_t s1 = wf__rotr(w[i - 2], 17) ^ wf__rotr(w[i - 2], 19) ^ (w[i - 2] >> 10);
        w[i] = w[i - 16] + s0 + w[i - 7] + s1;
    }
    uint32_t a = state[0], b = state[1], c = state[2], d = state[3];
    uint32_t e = state[4], f = state[5], g = state[6], h = state[7];
    for (int i = 0; i < 64; i++) {
        uint32_t S1 = wf__rotr(e, 6) ^ wf__rotr(e, 11) ^ wf__rotr(e, 25);
        uint32_t ch = (e & f) ^ (~e & g);
        uint32_t t1 = h + S1 + ch + wf__sha256_k[i] + w[i];
        uint32_t S0 = wf__rotr(a, 2) ^ wf__rotr(a, 13) ^ wf__rotr(a, 22);
        uint32_t maj = (a & b) ^ (a & c) ^ (b & c);
        uint32_t t2 = S0 + maj;
        h = g;
        g = f;
        f = e;
        e = d + t1;
        d = c;
        c = b;
        b = a;
        a = t1 + t2;
    }
    state[0] += a;
    state[1] += b;
    state[2] += c;
    state[3] += d;
    state[4] += e;
    state[5] += f;
    state[6] += g;
    state[7] += h;
}

#ifdef WF__SHA_NI
/* The eight state words live in two registers as (A,B,E,F) and (C,D,G,H),
 * the order sha256rnds2 works in. Each group of four rounds adds four
 * schedule words and their constants, runs two double rounds, and advances
 * the message schedule with sha256msg1/msg2 four words ahead. */
__attribute__((target("sha,sse4.1,ssse3"))) static void
wf__sha256_blocks_ni(uint32_t state[8], const uint8_t *p, size_t nblocks)
{
    const __m128i swap = _mm_set_epi64x(0x0c0d0e0f08090a0bULL, 0x0405060700010203ULL);
    __m128i tmp = _mm_shuffle_epi32(_mm_loadu_si128((const __m128i *)&state[0]), 0xB1);
    __m128i cdgh = _mm_shuffle_epi32(_mm_loadu_si128((const __m128i *)&state[4]), 0x1B);
    __m128i abef = _mm_alignr_epi8(tmp, cdgh, 8);
    cdgh = _mm_blend_epi16(cdgh, tmp, 0xF0);
    for (; nblocks > 0; nblocks--, p += 64) {
        __m128i abef_in = abef, cdgh_in = cdgh;
        __m128i w[4];
        for (int g = 0; g < 16; g++) {
            if (g < 4)
                w[g] = _mm_shuffle_epi8(_mm_loadu_si128((const __m128i *)(p + 16 * g)), swap);
            __m128i msg =
                _mm_add_epi32(w[g % 4], _mm_loadu_si128((const __m128i *)&wf__sha256_k[4 * g]));
            cdgh = _mm_sha256rnds2_epu32(cdgh, abef, msg);
            if (g >= 3 && g <= 14) {
                __m128i next =
                    _mm_add_epi32(w[(g + 1) % 4], _mm_alignr_epi8(w[g % 4], w[(g + 3) % 4], 4));
                w[(g + 1) % 4] = _mm_sha256msg2_epu32(next, w[g % 4]);
            }
            abef = _mm_sha256rnds2_epu32(abef, cdgh, _mm_shuffle_epi32(msg, 0x0E));
            if (g >= 1 && g <= 12) w[(g + 3) % 4] = _mm_sha256msg1_epu32(w[(g + 3) % 4], w[g % 4]);
        }
        abef = _mm_add_epi32(abef, abef_in);
        cdgh = _mm_add_epi32(cdgh, cdgh_in);
    }
    tmp = _mm_shuffle_epi32(abef, 0x1B);
    cdgh = _mm_shuffle_epi32(cdgh, 0xB1);
    _mm_storeu_si128((__m128i *)&state[0], _mm_blend_epi16(tmp, cdgh, 0xF0));
    _mm_storeu_si128((__m128i *)&state[4], _mm_alignr_epi8(cdgh, tmp, 8));
}

static bool wf__cpu_has_sha(void)
{
    unsigned a, b, c, d;
    if (!__get_cpuid(1, &a, &b, &c, &d) || !(c & (1u << 19)) || !(c & (1u << 9))) return false;
    if (!__get_cpuid_count(7, 0, &a, &b, &c, &d)) return false;
    return (b >> 29) & 1;
}
#endif

static bool wf__sha256_portable_only;

void wf__sha256_force_portable(bool on)
{
    wf__sha256_portable_only = on;
}

/* Compresses nblocks whole 64-byte blocks. */
static void wf__sha256_blocks(uint32_t state[8], const uint8_t *p, size_t nblocks)
{
#ifdef WF__SHA_NI
    static int has_sha = -1; /* decided once; a benign race writes the same value */
    if (has_sha < 0) has_sha = wf__cpu_has_sha();
    if (has_sha && !wf__sha256_portable_only) {
        wf__sha256_blocks_ni(state, p, nblocks);
        return;
    }
#endif
    for (; nblocks > 0; nblocks--, p += 64)
        wf__sha256_block(state, p);
}

void wf_sha256_init(wf_sha256 *h)
{
    static const uint32_t iv[8] = {0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a,
                                   0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19};
    memcpy(h->state, iv, sizeof iv);
    h->length = 0;
    h->used = 0;
}

void wf_sha256_update(wf_sha256 *h, const void *data, size_t len)
{
    const uint8_t *p = data;
    h->length += len;
    if (h->used > 0) {
        size_t take = 64 - h->used < len ? 64 - h->used : len;
        memcpy(h->block + h->used, p, take);
        h->used += take;
        p += take;
        len -= take;
        if (h->used < 64) return;
        wf__sha256_blocks(h->state, h->block, 1);
        h->used = 0;
    }
    wf__sha256_blocks(h->state, p, len / 64);
    p += len / 64 * 64;
    len %= 64;
    if (len > 0) {
        memcpy(h->block, p, len);
        h->used = len;
    }
}

void wf_sha256_final(wf_sha256 *h, uint8_t digest[32])
{
    uint64_t bits = h->length * 8;
    uint8_t pad[72] = {0x80};
    size_t padlen = (h->used < 56 ? 56 : 120) - h->used;
    for (int i = 0; i < 8; i++)
        pad[padlen + i] = (uint8_t)(bits >> (56 - 8 * i));
    uint64_t keep = h->length;
    wf_sha256_update(h, pad, padlen + 8);
    h->length = keep;
    for (int i = 0; i < 8; i++) {
        digest[4 * i] = (uint8_t)(h->state[i] >> 24);
        digest[4 * i + 1] = (uint8_t)(h->state[i] >> 16);
        digest[4 * i + 2] = (uint8_t)(h->state[i] >> 8);
        digest[4 * i + 3] = (uint8_t)h->state[i];
    }
}

void wf_hex_encode(const uint8_t *bytes, size_t n, char *out)
{
    static const char digits[] = "0123456789abcdef";
    for (size_t i = 0; i < n; i++) {
        out[2 * i] = digits[bytes[i] >> 4];
        out[2 * i + 1] = digits[bytes[i] & 15];
    }
    out[2 * n] = '\0';
}

void wf_sha256_hex(const void *data, size_t len, char hex[WF_SHA256_HEX])
{
    wf_sha256 h;
    uint8_t digest[32];
    wf_sha256_init(&h);
    wf_sha256_update(&h, data, len);
    wf_sha256_final(&h, digest);
    wf_hex_encode(digest, 32, hex);
}
