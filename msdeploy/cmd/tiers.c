/* SPDX-License-Identifier: MIT */
/* Processing several tiers at once: each tier is one build job then RENDER_PARTS render jobs, taken in
 * order by as many threads as there are CPUs, so three tiers keep two cores busy to the end. */
#include <pthread.h>
#include <stdlib.h>

#include "cmd/cmd.h"
#include "render/render.h"
#include "util/twin.h"
#include "util/xalloc.h"

#define JOBS_PER_TIER (1 + RENDER_PARTS)

typedef struct TierState {
        TierResult *result;
        bool built, build_failed;   /* written by the build job before 'built' is set under the lock */
        bool part_failed[RENDER_PARTS]; /* each written by its own render job only */
        unsigned renders_left;
        ArtifactSet parts[RENDER_PARTS];
        Diags diags[JOBS_PER_TIER]; /* one list per job: threads never share one */
} TierState;

typedef struct Scheduler {
        const CmdContext *c;
        char **tiers;
        size_t n_tiers;
        TierState *state;
        bool keep_artifacts;
        bool *taken;                /* per job: tier * JOBS_PER_TIER + (0 build, 1.. render part) */
        size_t n_done;
        pthread_mutex_t lock;
        pthread_cond_t changed;
} Scheduler;

/* The first job not taken whose tier is built (render) or any build; under the lock. */
static bool next_job(Scheduler *s, size_t *ret) {
        for (size_t j = 0; j < s->n_tiers * JOBS_PER_TIER; j++) {
                TierState *t = &s->state[j / JOBS_PER_TIER];
                if (s->taken[j] || (j % JOBS_PER_TIER != 0 && !t->built))
                        continue;
                s->taken[j] = true;
                *ret = j;
                return true;
        }
        return false;
}

static void finish_tier(Scheduler *s, TierState *t, const char *tier) {
        for (unsigned p = 0; p < RENDER_PARTS; p++) {
                artifact_set_move(&t->result->artifacts, &t->parts[p]);
                /* a renderer refusing a value it cannot write says so, but never fail silently */
                if (t->part_failed[p] && t->diags[1 + p].n_errors == 0)
                        diag_error(&t->diags[1 + p], (Loc) {}, "tier '%s': rendering failed", tier);
        }
        artifact_set_sort(&t->result->artifacts);
        if (!t->build_failed)
                render_check_paths(t->result->model, &t->result->artifacts, &t->diags[1]);
        t->result->n_artifacts = t->result->artifacts.n;
        bool any_diags = false;
        for (unsigned k = 0; k < JOBS_PER_TIER; k++)
                any_diags |= t->diags[k].n > 0;
        /* keep only what is still needed: the spec while diagnostics point into its sources */
        tier_result_trim(t->result, s->keep_artifacts, any_diags);
}

static void run_job(Scheduler *s, size_t j) {
        TierState *t = &s->state[j / JOBS_PER_TIER];
        unsigned k = (unsigned) (j % JOBS_PER_TIER);
        if (k == 0) {
                t->build_failed = cmd_build_tier(s->c, s->tiers[j / JOBS_PER_TIER], t->result, &t->diags[0]) < 0;
                return;
        }
        if (!t->build_failed)
                t->part_failed[k - 1] = render_model_part(t->result->model, k - 1, &t->parts[k - 1], &t->diags[k]) < 0;
}

static void *worker(void *userdata) {
        Scheduler *s = userdata;
        pthread_mutex_lock(&s->lock);
        while (s->n_done < s->n_tiers * JOBS_PER_TIER) {
                size_t j;
                if (!next_job(s, &j)) {
                        pthread_cond_wait(&s->changed, &s->lock);
                        continue;
                }
                pthread_mutex_unlock(&s->lock);
                run_job(s, j);
                pthread_mutex_lock(&s->lock);
                TierState *t = &s->state[j / JOBS_PER_TIER];
                if (j % JOBS_PER_TIER == 0)
                        t->built = true;
                else if (--t->renders_left == 0)
                        finish_tier(s, t, s->tiers[j / JOBS_PER_TIER]);
                s->n_done++;
                pthread_cond_broadcast(&s->changed);
        }
        pthread_mutex_unlock(&s->lock);
        return NULL;
}

void cmd_process_tiers(const CmdContext *c, char **tiers, size_t n, TierResult *results, Diags *d, bool keep_artifacts) {
        Scheduler s = { .c = c, .tiers = tiers, .n_tiers = n, .keep_artifacts = keep_artifacts };
        s.state = xcalloc(n + 1, sizeof(TierState));
        s.taken = xcalloc(n * JOBS_PER_TIER + 1, sizeof(bool));
        for (size_t i = 0; i < n; i++) {
                s.state[i] = (TierState) { .result = &results[i], .renders_left = RENDER_PARTS };
                for (unsigned k = 0; k < JOBS_PER_TIER; k++)
                        s.state[i].diags[k].werror = d->werror;
        }
        pthread_mutex_init(&s.lock, NULL);
        pthread_cond_init(&s.changed, NULL);
        size_t n_threads = twin_cpus();
        pthread_t *threads = xcalloc(n_threads, sizeof(pthread_t));
        size_t started = 0;
        for (size_t t = 1; t < n_threads && n > 0; t++) /* this thread works too */
                if (pthread_create(&threads[started], NULL, worker, &s) == 0)
                        started++;
        worker(&s);
        for (size_t t = 0; t < started; t++)
                pthread_join(threads[t], NULL);
        for (size_t i = 0; i < n; i++)
                for (unsigned k = 0; k < JOBS_PER_TIER; k++)
                        diags_move(d, &s.state[i].diags[k]);
        pthread_cond_destroy(&s.changed);
        pthread_mutex_destroy(&s.lock);
        free(threads);
        free(s.taken);
        free(s.state);
}
