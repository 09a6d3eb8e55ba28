/* SPDX-License-Identifier: MIT */
/* xoshiro256** (Blackman and Vigna, public domain reference) with splitmix64 seeding. */
#include "supervisor/core/rng.h"

#include <assert.h>

static uint64_t splitmix64(uint64_t *x) {
        uint64_t z = (*x += UINT64_C(0x9e3779b97f4a7c15));
        z = (z ^ (z >> 30)) * UINT64_C(0xbf58476d1ce4e5b9);
        z = (z ^ (z >> 27)) * UINT64_C(0x94d049bb133111eb);
        return z ^ (z >> 31);
}

static inline uint64_t rotl(uint64_t x, int k) {
        return (x << k) | (x >> (64 - k));
}

void sv_rng_seed(SvRng *r, uint64_t seed) {
        assert(r);
        uint64_t x = seed;
        for (unsigned i = 0; i < 4; i++)
                r->s[i] = splitmix64(&x);
        /* splitmix64 is a bijection over a counter, so four consecutive outputs are never all zero */
}

uint64_t sv_rng_next(SvRng *r) {
        assert(r);
        uint64_t *s = r->s;
        uint64_t result = rotl(s[1] * 5, 7) * 9;
        uint64_t t = s[1] << 17;

        s[2] ^= s[0];
        s[3] ^= s[1];
        s[1] ^= s[2];
        s[0] ^= s[3];
        s[2] ^= t;
        s[3] = rotl(s[3], 45);
        return result;
}

double sv_rng_double(SvRng *r) {
        return (double) (sv_rng_next(r) >> 11) * 0x1.0p-53;
}

uint64_t sv_rng_below(SvRng *r, uint64_t n) {
        if (n == 0)
                return 0;
        /* reject the short last bucket: values >= the largest multiple of n */
        uint64_t limit = UINT64_MAX - UINT64_MAX % n;
        uint64_t v;
        do
                v = sv_rng_next(r);
        while (v >= limit);
        return v % n;
}
