/* SPDX-License-Identifier: MIT */
/* Tests of the phi accrual failure detector: Akka's formula, the exact normal tail, the window and stalls. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <math.h>
#include <string.h>

#include "supervisor/core/phi.h"

/* cmocka's assert_float_equal() compares floats; these need doubles */
#define assert_double_equal(a, b, eps)                                                              \
        do {                                                                                        \
                double _a = (a), _b = (b);                                                          \
                if (!(fabs(_a - _b) <= (eps)))                                                      \
                        fail_msg("%s = %.12g, expected %.12g (+- %g)", #a, _a, _b, (double) (eps)); \
        } while (0)

#define MS USEC_PER_MSEC
#define S USEC_PER_SEC

/* Akka's PhiAccrualFailureDetector.phi(), transcribed literally */
static double akka_literal(double t, double mean, double sd) {
        double y = (t - mean) / sd;
        double e = exp(-y * (1.5976 + 0.070566 * y * y));
        if (t > mean)
                return -log10(e / (1.0 + e));
        return -log10(1.0 - 1.0 / (1.0 + e));
}

/* the exact normal tail, independent of the implementation */
static double phi_exact(double y) {
        return -log10(0.5 * erfc(y / sqrt(2.0)));
}

static bool is_zeroed(const SvPhi *p) {
        static const SvPhi zero;
        return memcmp(p, &zero, sizeof(zero)) == 0;
}

static void test_init(void **state) {
        (void) state;
        SvPhi p;
        assert_int_equal(sv_phi_init(&p, NULL), 0);
        assert_true(p.config.threshold == 8.0);
        assert_int_equal(p.config.max_samples, 1000);
        assert_int_equal(p.config.min_stddev, 100 * MS);
        assert_int_equal(p.config.acceptable_pause, 3 * S);
        assert_non_null(p.ring);
        sv_phi_free(&p);
        assert_true(is_zeroed(&p));
        sv_phi_free(&p); /* twice is fine */
        sv_phi_free(NULL);

        static const SvPhiConfig bad[] = {
                { .threshold = 8, .max_samples = 0, .min_stddev = 1, .acceptable_pause = 0 },
                { .threshold = 8, .max_samples = SV_PHI_MAX_SAMPLES_MAX + 1, .min_stddev = 1 },
                { .threshold = 0, .max_samples = 10, .min_stddev = 1 },
                { .threshold = -1, .max_samples = 10, .min_stddev = 1 },
                { .threshold = INFINITY, .max_samples = 10, .min_stddev = 1 },
                { .threshold = NAN, .max_samples = 10, .min_stddev = 1 },
                { .threshold = 8, .max_samples = 10, .min_stddev = 0 },
                { .threshold = 8, .max_samples = 10, .min_stddev = USEC_INFINITY },
                { .threshold = 8, .max_samples = 10, .min_stddev = 1, .acceptable_pause = USEC_INFINITY },
        };
        for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
                memset(&p, 0xaa, sizeof(p));
                assert_int_equal(sv_phi_init(&p, &bad[i]), -EINVAL);
                assert_true(is_zeroed(&p));
                sv_phi_free(&p);
        }

        SvPhiConfig one = { .threshold = 1, .max_samples = 1, .min_stddev = 1 };
        assert_int_equal(sv_phi_init(&p, &one), 0);
        sv_phi_free(&p);
}

static void test_bootstrap(void **state) {
        (void) state;
        SvPhi p;
        assert_int_equal(sv_phi_init(&p, NULL), 0);
        assert_true(sv_phi_value(&p, 0) == 0.0);
        assert_true(sv_phi_value(&p, 1000 * S) == 0.0);
        sv_phi_heartbeat(&p, 5 * S);
        /* one heartbeat: no interval yet, whatever the silence */
        assert_true(sv_phi_value(&p, 5 * S) == 0.0);
        assert_true(sv_phi_value(&p, 3600 * S) == 0.0);
        assert_false(sv_phi_suspect(&p, USEC_INFINITY));
        assert_int_equal(p.n, 0);
        /* the second heartbeat records the first interval, however long */
        sv_phi_heartbeat(&p, 3605 * S);
        assert_int_equal(p.n, 1);
        assert_true(sv_phi_mean(&p) == 3600.0 * S);
        assert_true(sv_phi_stddev(&p) == 0.0);
        assert_false(sv_phi_suspect(&p, 3606 * S));
        sv_phi_free(&p);
}

static void test_formula_akka(void **state) {
        (void) state;
        /* hand-computed values of Akka's expression: y = 0 is log10(2), y = 1 is log10(1 + e^1.668166) */
        static const struct {
                double y, phi;
        } points[] = {
                { 0.0, 0.3010299957 },
                { 1.0, 0.7995083208 },
                { 2.0, 1.6428278855 },
                { 3.0, 2.9094753265 },
                { 5.0, 7.2999473945 },
                { -1.0, 0.0750330321 },
                { -2.0, 0.0099987616 },
        };
        for (size_t i = 0; i < sizeof(points) / sizeof(points[0]); i++) {
                /* mean 1 s, stddev 100 ms, in usec */
                double t = 1e6 + points[i].y * 1e5;
                assert_double_equal(sv_phi_formula(t, 1e6, 1e5), points[i].phi, 1e-9);
                assert_double_equal(akka_literal(t, 1e6, 1e5), points[i].phi, 1e-9);
        }

        /* the rewritten form matches the literal one wherever the literal one is finite */
        for (double y = -12.0; y <= 9.0; y += 0.03125) {
                double t = 4e6 + y * 2.5e5;
                double lit = akka_literal(t, 4e6, 2.5e5), got = sv_phi_formula(t, 4e6, 2.5e5);
                if (!isfinite(lit))
                        continue;
                assert_true(fabs(got - lit) <= 1e-12 + 1e-12 * fabs(lit));
        }

        /* where the literal one gives up (e underflows to 0: -log10(0) = inf), ours stays finite and grows */
        assert_false(isfinite(akka_literal(1e6 + 30 * 1e5, 1e6, 1e5)));
        double prev = 0;
        for (double y = 10; y < 1e6; y *= 3) {
                double got = sv_phi_formula(1e6 + y * 1e5, 1e6, 1e5);
                assert_true(isfinite(got));
                assert_true(got > prev);
                prev = got;
        }
        /* and far below the mean, 0 (not -0, not NaN) */
        assert_true(sv_phi_formula(0, 1e12, 1) >= 0.0);
        assert_true(sv_phi_formula(0, 1e12, 1) < 1e-300);
}

/* a detector whose window has mean 1 s and stddev exactly 100 ms, no acceptable pause */
static void make_1s_100ms(SvPhi *p, usec_t *ret_last) {
        SvPhiConfig c = { .threshold = 8, .max_samples = 1000, .min_stddev = 1 * MS, .acceptable_pause = 0 };
        assert_int_equal(sv_phi_init(p, &c), 0);
        usec_t now = 10 * S;
        sv_phi_heartbeat(p, now);
        for (int i = 0; i < 100; i++) {
                now += i % 2 ? 900 * MS : 1100 * MS;
                sv_phi_heartbeat(p, now);
        }
        assert_int_equal(p->n, 100);
        assert_true(sv_phi_mean(p) == 1e6);
        assert_true(sv_phi_stddev(p) == 1e5);
        *ret_last = now;
}

static void test_against_erfc(void **state) {
        (void) state;
        SvPhi p;
        usec_t last;
        make_1s_100ms(&p, &last);
        /* Stated tolerance: within 0.01 of the exact φ for y in [-3, 2.5]; above that Akka's approximation
         * over-estimates, by at most 12% up to y = 5. */
        for (int i = -12; i <= 10; i++) {
                double y = i / 4.0;
                usec_t now = last + (usec_t) (1e6 + y * 1e5);
                double got = sv_phi_value(&p, now), want = phi_exact(y);
                if (fabs(got - want) > 0.01)
                        fail_msg("y=%g: phi %.6f, exact %.6f", y, got, want);
        }
        for (int i = 11; i <= 20; i++) {
                double y = i / 4.0;
                usec_t now = last + (usec_t) (1e6 + y * 1e5);
                double got = sv_phi_value(&p, now), want = phi_exact(y);
                assert_true(got >= want);
                if ((got - want) / want > 0.12)
                        fail_msg("y=%g: phi %.6f, exact %.6f", y, got, want);
        }
        /* exactly at the mean, both are log10(2) */
        assert_double_equal(sv_phi_value(&p, last + 1 * S), log10(2.0), 1e-12);
        assert_double_equal(phi_exact(0), log10(2.0), 1e-12);
        /* monotonic in the silence */
        double prev = -1;
        for (usec_t t = last; t < last + 3 * S; t += 10 * MS) {
                double v = sv_phi_value(&p, t);
                assert_true(v >= prev);
                prev = v;
        }
        sv_phi_free(&p);
}

static void test_defaults_threshold(void **state) {
        (void) state;
        SvPhi p;
        assert_int_equal(sv_phi_init(&p, NULL), 0);
        usec_t now = 0;
        for (int i = 0; i <= 30; i++, now += 1 * S)
                sv_phi_heartbeat(&p, now);
        usec_t last = now - 1 * S;
        /* stddev 0 -> min_stddev 100 ms; mean 1 s + acceptable pause 3 s */
        assert_true(sv_phi_stddev(&p) == 0.0);
        assert_double_equal(sv_phi_value(&p, last + 4 * S), log10(2.0), 1e-12);
        assert_double_equal(sv_phi_value(&p, last + 4500 * MS), akka_literal(4.5e6, 4e6, 1e5), 1e-9);
        assert_false(sv_phi_suspect(&p, last + 1 * S));
        assert_false(sv_phi_suspect(&p, last + 4 * S));
        assert_false(sv_phi_suspect(&p, last + 4500 * MS)); /* φ = 7.30 */
        assert_true(sv_phi_suspect(&p, last + 4550 * MS));  /* φ ≈ 9.2 */
        assert_true(sv_phi_value(&p, last + 1 * S) < 1e-10);
        /* a huge silence: finite */
        assert_true(isfinite(sv_phi_value(&p, USEC_INFINITY)));
        assert_true(sv_phi_suspect(&p, USEC_INFINITY));
        sv_phi_free(&p);
}

static void test_window(void **state) {
        (void) state;
        SvPhiConfig c = { .threshold = 8, .max_samples = 3, .min_stddev = 1 * MS, .acceptable_pause = 3600 * S };
        SvPhi p;
        assert_int_equal(sv_phi_init(&p, &c), 0);
        usec_t now = 0;
        sv_phi_heartbeat(&p, now);
        static const usec_t iv[] = { 1 * S, 2 * S, 3 * S, 4 * S, 5 * S, 6 * S, 7 * S };
        static const double mean[] = { 1e6, 1.5e6, 2e6, 3e6, 4e6, 5e6, 6e6 };
        for (size_t i = 0; i < sizeof(iv) / sizeof(iv[0]); i++) {
                now += iv[i];
                sv_phi_heartbeat(&p, now);
                assert_true(sv_phi_mean(&p) == mean[i]);
                assert_int_equal(p.n, i < 3 ? i + 1 : 3);
        }
        /* 5, 6, 7 s: population stddev sqrt(2/3) s */
        assert_double_equal(sv_phi_stddev(&p), sqrt(2.0 / 3.0) * 1e6, 1e-6);

        /* a long run through a 1000 window: the running sums equal a fresh computation */
        sv_phi_free(&p);
        assert_int_equal(sv_phi_init(&p, NULL), 0);
        now = 0;
        sv_phi_heartbeat(&p, now);
        uint64_t x = 12345;
        for (int i = 0; i < 20000; i++) {
                x = x * 6364136223846793005ULL + 1442695040888963407ULL;
                now += 900 * MS + (x >> 33) % (200 * MS); /* 0.9 .. 1.1 s */
                sv_phi_heartbeat(&p, now);
        }
        assert_int_equal(p.n, 1000);
        assert_int_equal(p.n_skipped, 0);
        double sum = 0, sq = 0;
        for (unsigned i = 0; i < p.n; i++)
                sum += (double) p.ring[i];
        double m = sum / p.n;
        for (unsigned i = 0; i < p.n; i++)
                sq += ((double) p.ring[i] - m) * ((double) p.ring[i] - m);
        assert_double_equal(sv_phi_mean(&p), m, 1e-6);
        assert_double_equal(sv_phi_stddev(&p), sqrt(sq / p.n), 1e-3);
        assert_true(sv_phi_stddev(&p) > 50 * MS && sv_phi_stddev(&p) < 65 * MS); /* uniform: 200ms/sqrt(12) */

        /* intervals above SV_PHI_INTERVAL_MAX are clamped, the sums stay exact */
        SvPhiConfig c2 = { .threshold = 8, .max_samples = 4, .min_stddev = 1, .acceptable_pause = 0 };
        SvPhi q;
        assert_int_equal(sv_phi_init(&q, &c2), 0);
        sv_phi_heartbeat(&q, 0);
        sv_phi_heartbeat(&q, USEC_INFINITY - 1);
        assert_true(sv_phi_mean(&q) == (double) SV_PHI_INTERVAL_MAX);
        assert_true(isfinite(sv_phi_value(&q, USEC_INFINITY)));
        sv_phi_free(&q);
        sv_phi_free(&p);
}

static void test_not_recorded_while_suspected(void **state) {
        (void) state;
        SvPhi p;
        assert_int_equal(sv_phi_init(&p, NULL), 0);
        usec_t now = 0;
        for (int i = 0; i <= 10; i++, now += 1 * S)
                sv_phi_heartbeat(&p, now);
        now -= 1 * S;
        assert_int_equal(p.n, 10);
        /* silent 10 s: suspected; the heartbeat that ends it is not recorded */
        now += 10 * S;
        assert_true(sv_phi_suspect(&p, now));
        sv_phi_heartbeat(&p, now);
        assert_int_equal(p.n, 10);
        assert_int_equal(p.n_skipped, 1);
        assert_true(sv_phi_mean(&p) == 1e6);
        /* and the detector is quiet again right after */
        assert_false(sv_phi_suspect(&p, now + 1 * S));
        /* a 4 s gap is not suspected (φ = 0.3 < 8): recorded */
        now += 4 * S;
        assert_false(sv_phi_suspect(&p, now));
        sv_phi_heartbeat(&p, now);
        assert_int_equal(p.n, 11);
        assert_int_equal(p.n_heartbeats, 13);

        /* a heartbeat from the past is ignored */
        sv_phi_heartbeat(&p, now - 1);
        assert_int_equal(p.n_heartbeats, 13);
        assert_int_equal(p.last_heartbeat, now);

        /* reset: back to bootstrap */
        sv_phi_reset(&p);
        assert_non_null(p.ring);
        assert_int_equal(p.n, 0);
        assert_false(p.started);
        assert_true(sv_phi_value(&p, now + 100 * S) == 0.0);
        assert_true(p.config.threshold == 8.0);
        sv_phi_free(&p);
}

static void test_stall(void **state) {
        (void) state;
        SvPhi p;
        assert_int_equal(sv_phi_init(&p, NULL), 0);
        sv_phi_note_stall(&p, 10 * S); /* before any heartbeat: nothing to exclude */
        assert_int_equal(p.stall, 0);
        usec_t now = 0;
        for (int i = 0; i <= 100; i++, now += 1 * S)
                sv_phi_heartbeat(&p, now);
        usec_t last = now - 1 * S;

        /* The supervisor is stopped for 10 s, right after reading the heartbeat at `last`. The child goes on
         * heartbeating every second, into the socket. When the loop wakes 11 s later it is late by 10 s
         * beyond its bound and says so before looking at anything. */
        now = last + 11 * S;
        assert_true(sv_phi_suspect(&p, now)); /* what a naive detector would conclude */
        sv_phi_note_stall(&p, 10 * S);
        assert_false(sv_phi_suspect(&p, now));
        assert_true(sv_phi_value(&p, now) < 1e-6); /* 1 s of real silence, as usual */

        /* the queued heartbeats drain at once: the first spans the stall (not recorded), the others have
         * intervals of 0 */
        unsigned n0 = p.n;
        for (int i = 0; i < 10; i++)
                sv_phi_heartbeat(&p, now);
        assert_int_equal(p.n, n0 + 9);
        assert_int_equal(p.stall, 0);
        /* from then on a child heartbeating every second is never suspected */
        for (int i = 0; i < 200; i++) {
                now += 1 * S;
                assert_true(sv_phi_value(&p, now) < 1.0);
                sv_phi_heartbeat(&p, now);
        }

        /* several stalls add up; a stall longer than the silence makes it 0 */
        last = now;
        sv_phi_note_stall(&p, 3 * S);
        sv_phi_note_stall(&p, 4 * S);
        assert_int_equal(p.stall, 7 * S);
        assert_false(sv_phi_suspect(&p, last + 8 * S));
        assert_true(sv_phi_value(&p, last + 5 * S) == sv_phi_value(&p, last));
        sv_phi_note_stall(&p, USEC_INFINITY);
        assert_true(p.stall == USEC_INFINITY); /* saturates */
        assert_false(sv_phi_suspect(&p, USEC_INFINITY));

        /* a child that really died during a stall is still convicted once the silence outside it is long */
        sv_phi_heartbeat(&p, now = last + 20 * S); /* stall noted: not recorded */
        last = now;
        sv_phi_note_stall(&p, 10 * S);
        assert_false(sv_phi_suspect(&p, last + 12 * S));
        assert_true(sv_phi_suspect(&p, last + 16 * S));
        sv_phi_free(&p);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_init),
                cmocka_unit_test(test_bootstrap),
                cmocka_unit_test(test_formula_akka),
                cmocka_unit_test(test_against_erfc),
                cmocka_unit_test(test_defaults_threshold),
                cmocka_unit_test(test_window),
                cmocka_unit_test(test_not_recorded_while_suspected),
                cmocka_unit_test(test_stall),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
