/* SPDX-License-Identifier: MIT */
/* A small seedable PRNG (xoshiro256**, seeded through splitmix64) so jitter is reproducible in tests. */
#pragma once
#include <stdint.h>

/* Not cryptographic. A zeroed SvRng is not valid: seed it first. Each stream is independent state,
 * so one per child, or one shared by the whole supervisor, are both fine. */
typedef struct SvRng {
        uint64_t s[4];
} SvRng;

/* Any seed is fine, including 0: splitmix64 expands it into a non-zero xoshiro state. */
void sv_rng_seed(SvRng *r, uint64_t seed);
uint64_t sv_rng_next(SvRng *r);
/* Uniform in [0, 1), 53 bits of precision. */
double sv_rng_double(SvRng *r);
/* Uniform in [0, n), without modulo bias; 0 when n is 0. */
uint64_t sv_rng_below(SvRng *r, uint64_t n);
