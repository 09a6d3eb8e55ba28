/* SPDX-License-Identifier: MIT */
/* Phi accrual failure detector: a ring of heartbeat intervals with exact running sums, and Akka's φ. */
#include "supervisor/core/phi.h"

#include <assert.h>
#include <errno.h>
#include <math.h>
#include <stdlib.h>

int sv_phi_init(SvPhi *p, const SvPhiConfig *config) {
        assert(p);
        *p = (SvPhi) {};
        SvPhiConfig c = config ? *config : SV_PHI_CONFIG_DEFAULT;
        if (c.max_samples == 0 || c.max_samples > SV_PHI_MAX_SAMPLES_MAX)
                return -EINVAL;
        if (!(c.threshold > 0.0) || !isfinite(c.threshold))
                return -EINVAL;
        if (c.min_stddev == 0 || c.min_stddev == USEC_INFINITY || c.acceptable_pause == USEC_INFINITY)
                return -EINVAL;
        usec_t *ring = calloc(c.max_samples, sizeof(usec_t));
        if (!ring)
                return -ENOMEM;
        p->config = c;
        p->ring = ring;
        return 0;
}

void sv_phi_free(SvPhi *p) {
        if (!p)
                return;
        free(p->ring);
        *p = (SvPhi) {};
}

void sv_phi_reset(SvPhi *p) {
        assert(p);
        *p = (SvPhi) { .config = p->config, .ring = p->ring };
}

static void record(SvPhi *p, usec_t interval) {
        assert(p->ring);
        if (interval > SV_PHI_INTERVAL_MAX)
                interval = SV_PHI_INTERVAL_MAX;
        if (p->n == p->config.max_samples) {
                usec_t old = p->ring[p->head];
                p->sum -= old;
                p->sum_sq -= (unsigned __int128) old * old;
        } else
                p->n++;
        p->ring[p->head] = interval;
        p->sum += interval;
        p->sum_sq += (unsigned __int128) interval * interval;
        p->head = p->head + 1 == p->config.max_samples ? 0 : p->head + 1;
}

void sv_phi_heartbeat(SvPhi *p, usec_t now) {
        assert(p);
        if (p->started && now < p->last_heartbeat)
                return;
        p->n_heartbeats++;
        if (p->started) {
                if (p->stall == 0 && !sv_phi_suspect(p, now))
                        record(p, now - p->last_heartbeat);
                else
                        p->n_skipped++;
        }
        p->started = true;
        p->last_heartbeat = now;
        p->stall = 0;
}

void sv_phi_note_stall(SvPhi *p, usec_t stall) {
        assert(p);
        if (!p->started)
                return;
        p->stall = stall > USEC_INFINITY - p->stall ? USEC_INFINITY : p->stall + stall;
}

double sv_phi_mean(const SvPhi *p) {
        assert(p);
        return p->n > 0 ? (double) p->sum / p->n : 0.0;
}

double sv_phi_stddev(const SvPhi *p) {
        assert(p);
        if (p->n == 0)
                return 0.0;
        /* n² var = n Σx² - (Σx)², exact in 128 bits: n <= 2^20 and x <= 2^40 keep both terms below 2^120,
         * and Cauchy-Schwarz keeps the difference >= 0 */
        unsigned __int128 n = p->n;
        unsigned __int128 num = n * p->sum_sq - (unsigned __int128) p->sum * p->sum;
        return sqrt((double) num) / (double) p->n;
}

double sv_phi_formula(double elapsed, double mean, double stddev) {
        assert(stddev > 0.0);
        double y = (elapsed - mean) / stddev;
        double z = y * (1.5976 + 0.070566 * y * y);
        /* log10(1 + e^z) without overflow for large z nor loss for very negative z */
        double ln = z > 0.0 ? z + log1p(exp(-z)) : log1p(exp(z));
        return ln / M_LN10;
}

double sv_phi_value(const SvPhi *p, usec_t now) {
        assert(p);
        if (!p->started || p->n == 0)
                return 0.0;
        usec_t elapsed = now > p->last_heartbeat ? now - p->last_heartbeat : 0;
        elapsed = elapsed > p->stall ? elapsed - p->stall : 0;
        double sd = sv_phi_stddev(p);
        if (sd < (double) p->config.min_stddev)
                sd = (double) p->config.min_stddev;
        double mean = sv_phi_mean(p) + (double) p->config.acceptable_pause;
        return sv_phi_formula((double) elapsed, mean, sd);
}

bool sv_phi_suspect(const SvPhi *p, usec_t now) {
        return sv_phi_value(p, now) > p->config.threshold;
}
