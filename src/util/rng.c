/*
 * rng.c: SplitMix64 (G. L. Steele, D. Lea and C. H. Flood, "Fast splittable
 * pseudorandom number generators", OOPSLA 2014; the constants are those of
 * Java's SplittableRandom). Small, passes BigCrush, and fully determined by
 * its 64-bit state, which is all reproducible sampling needs.
 */
#include "util.h"

#include <math.h>

uint64_t wf_rng_next(wf_rng *r)
{
    uint64_t z = (r->state += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

/* Rejecting the lowest 2^64 mod bound values removes the modulo bias. */
uint64_t wf_rng_below(wf_rng *r, uint64_t bound)
{
    for (;;) {
        uint64_t x = wf_rng_next(r);
        /* The threshold (2^64 mod bound) is below bound, so a draw of at
         * least bound is accepted without the division that computes it:
         * the same draws as always, at one division instead of two. */
        if (x >= bound || x >= (0 - bound) % bound) return x % bound;
    }
}

double wf_rng_uniform(wf_rng *r)
{
    return (double)(wf_rng_next(r) >> 11) * 0x1.0p-53;
}

/* G. Marsaglia and T. A. Bray, "A convenient method for generating normal
 * variables", SIAM Review 6(3), 1964. The second variate is dropped to keep
 * the state a single word. */
double wf_rng_normal(wf_rng *r)
{
    for (;;) {
        double u = 2 * wf_rng_uniform(r) - 1, v = 2 * wf_rng_uniform(r) - 1;
        double s = u * u + v * v;
        if (s > 0 && s < 1) return u * sqrt(-2 * log(s) / s);
    }
}
