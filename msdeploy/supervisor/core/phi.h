/* SPDX-License-Identifier: MIT */
/* Phi accrual failure detector (Hayashibara et al., as Akka implements it) over a child's heartbeats. */
#pragma once
#include <stdbool.h>
#include <stdint.h>

#include "util/units.h"

/* φ(t) = -log10(1 - F(t)), F the normal CDF with mean μ' = mean interval + acceptable_pause and standard
 * deviation σ' = max(stddev of the intervals, min_stddev), t the time since the last heartbeat. F is Akka's
 * logistic approximation, not the exact erfc: φ = log10(1 + e^z), z = y (1.5976 + 0.070566 y²),
 * y = (t - μ') / σ'. That is algebraically Akka's -log10(e / (1 + e)) with e = e^-z, written so that it
 * stays finite for any gap. Against the exact -log10(erfc(y / √2) / 2) it is within 0.01 for y <= 2.5 and
 * over-estimates the tail (by 12% at y = 5): with the default threshold 8 a child is suspected at
 * y ≈ 5.23 instead of y ≈ 5.68.
 *
 * Worked example with the defaults: a child heartbeating every second exactly has mean 1 s, stddev 0, so
 * σ' = 100 ms and μ' = 4 s; φ is 0.3 after 4 s of silence and crosses 8 after about 4.52 s.
 *
 * Supervisor stalls: when the supervisor's own loop ran late by more than its lateness bound (it was
 * stopped, swapped out, or blocked), heartbeats sat unread in the socket; that time says nothing about
 * the child. The caller reports the lateness with sv_phi_note_stall(); it is subtracted from the time
 * since the last heartbeat, and the interval that spans a stall is not recorded. */

#define SV_PHI_MAX_SAMPLES_MAX (1u << 20)
/* Longer intervals are recorded as this (~12.7 days), which keeps the exact integer sums from overflowing. */
#define SV_PHI_INTERVAL_MAX ((usec_t) 1 << 40)

typedef struct SvPhiConfig {
        double threshold;         /* suspect when φ > threshold; > 0 */
        unsigned max_samples;     /* sliding window of intervals, 1 .. SV_PHI_MAX_SAMPLES_MAX */
        usec_t min_stddev;        /* floor of σ, > 0 */
        usec_t acceptable_pause;  /* added to the mean interval */
} SvPhiConfig;

/* The defaults, spelled here only: a spec's `supervision.phi` (spec/build_supervision.c) and msd-supervisor's
 * `phi:` (supervisor/config.c) fall back to them too. */
#define SV_PHI_DEFAULT_THRESHOLD 8.0
#define SV_PHI_DEFAULT_MAX_SAMPLES 1000u
#define SV_PHI_DEFAULT_MIN_STDDEV (100 * USEC_PER_MSEC)
#define SV_PHI_DEFAULT_ACCEPTABLE_PAUSE (3 * USEC_PER_SEC)

#define SV_PHI_CONFIG_DEFAULT                                           \
        ((SvPhiConfig) {                                                \
                .threshold = SV_PHI_DEFAULT_THRESHOLD,                  \
                .max_samples = SV_PHI_DEFAULT_MAX_SAMPLES,              \
                .min_stddev = SV_PHI_DEFAULT_MIN_STDDEV,                \
                .acceptable_pause = SV_PHI_DEFAULT_ACCEPTABLE_PAUSE,    \
        })

typedef struct SvPhi {
        SvPhiConfig config;
        usec_t *ring;             /* config.max_samples intervals */
        unsigned head;            /* next slot written */
        unsigned n;               /* intervals in the window */
        uint64_t sum;             /* of the intervals in the window, exact */
        unsigned __int128 sum_sq; /* of their squares, exact: no drift however long it runs */
        bool started;             /* at least one heartbeat seen */
        usec_t last_heartbeat;
        usec_t stall;             /* supervisor stall noted since last_heartbeat */
        uint64_t n_heartbeats;
        uint64_t n_skipped;       /* heartbeats whose interval was not recorded (suspected or stalled) */
} SvPhi;

/* config NULL: SV_PHI_CONFIG_DEFAULT. -EINVAL on a bad config, -ENOMEM. On failure *p is zeroed, so
 * sv_phi_free() is still fine. */
int sv_phi_init(SvPhi *p, const SvPhiConfig *config);
/* Releases the window; accepts NULL and a zeroed or half-built SvPhi. */
void sv_phi_free(SvPhi *p);
/* Forgets all heartbeats (the child was restarted); keeps the config and the window's memory. */
void sv_phi_reset(SvPhi *p);

/* A heartbeat seen at `now`. The interval since the previous one enters the window unless the child was
 * suspected at `now` or a stall was noted in between. A `now` earlier than the last heartbeat is ignored. */
void sv_phi_heartbeat(SvPhi *p, usec_t now);
/* The supervisor's loop was late by `stall` (beyond its bound): exclude it from the current silence. */
void sv_phi_note_stall(SvPhi *p, usec_t stall);

/* φ at `now`; 0 until two heartbeats have been seen (no interval yet). Finite, >= 0. */
double sv_phi_value(const SvPhi *p, usec_t now);
bool sv_phi_suspect(const SvPhi *p, usec_t now);

/* Statistics of the window, in usec; 0 when empty. Population standard deviation, as Akka. */
double sv_phi_mean(const SvPhi *p);
double sv_phi_stddev(const SvPhi *p);

/* The formula alone: φ for `elapsed` given the (already adjusted) mean μ' and standard deviation σ' > 0. */
double sv_phi_formula(double elapsed, double mean, double stddev);
