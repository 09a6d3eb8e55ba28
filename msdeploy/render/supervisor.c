/* SPDX-License-Identifier: MIT */
/* Renders supervisor.yaml, the supervision tree msd-supervisor runs for the spec's supervisor service. */
#include <string.h>

#include "render/render.h"
#include "util/xalloc.h"

static const char supervisor_doc[] =
        "# msd-supervisor supervision tree: msd-supervisor --config THIS_FILE.\n"
        "#\n"
        "# listen        GET /health, GET /metrics and GET /tree are served here\n"
        "# phi           phi-accrual failure detection defaults for heartbeat-style checks\n"
        "# root          the supervisor started first; every other one is reached through children\n"
        "# supervisors[] strategy: one_for_one | one_for_all | rest_for_one; at most intensity restarts\n"
        "#               within period, else the supervisor gives up and its parent handles it;\n"
        "#               shutdown: how long it may take to stop as a child; backoff: delay between restarts\n"
        "#               (exponential | linear | adaptive | none, from base to cap, +-jitter fraction;\n"
        "#               adaptive counts a child dying before min_uptime as unstable; failures are\n"
        "#               forgotten after reset_after of uptime); children in start order, stopped in reverse\n"
        "# workers[]     restart: permanent | transient | temporary; shutdown: grace before SIGKILL;\n"
        "#               readiness: none | notify (READY=1 on NOTIFY_SOCKET) | check (check passes);\n"
        "#               start_timeout: not ready by then counts as a crash;\n"
        "#               critical: its failure makes the tree unhealthy; user, group: drop to these;\n"
        "#               env_files: read at each start, their variables over environment's;\n"
        "#               credentials: VARIABLE: id, the child gets VARIABLE=$CREDENTIALS_DIRECTORY/id (the path\n"
        "#               of a credential of msd-supervisor's unit, LoadCredential=), over both\n"
        "# Durations are written as in the spec: 500ms, 30s, 1min 30s, infinity.\n";

static void render_backoff(YamlWriter *y, const Backoff *bo) {
        yaml_open(y, "backoff");
        yaml_str(y, "kind", backoff_kind_to_string(bo->kind));
        yaml_duration(y, "base", bo->base);
        yaml_duration(y, "cap", bo->cap);
        yaml_double(y, "multiplier", bo->multiplier);
        yaml_double(y, "jitter", bo->jitter);
        yaml_duration(y, "min_uptime", bo->min_uptime);
        yaml_duration(y, "reset_after", bo->reset_after);
        yaml_end(y);
}

static void render_sv_supervisor(YamlWriter *y, const SvSupervisor *s) {
        yaml_item(y);
        yaml_str(y, "name", s->name);
        yaml_str(y, "strategy", strategy_to_string(s->strategy));
        yaml_uint(y, "intensity", s->intensity);
        yaml_duration(y, "period", s->period);
        yaml_duration(y, "shutdown", s->shutdown);
        render_backoff(y, &s->backoff);
        if (s->n_children == 0)
                yaml_empty_list(y, "children");
        else {
                yaml_open(y, "children");
                for (size_t i = 0; i < s->n_children; i++) {
                        const SvChildRef *c = &s->children[i];
                        yaml_item(y);
                        yaml_str(y, "name", c->supervisor ? c->supervisor->name : c->worker ? c->worker->name : c->name);
                        yaml_str(y, "type", c->supervisor ? "supervisor" : "worker");
                        yaml_end(y);
                }
                yaml_end(y);
        }
        yaml_end(y);
}

static void render_sv_worker(YamlWriter *y, const SvWorker *w) {
        yaml_item(y);
        yaml_str(y, "name", w->name);
        yaml_str(y, "exec", w->exec);
        yaml_str(y, "restart", child_restart_to_string(w->restart));
        yaml_duration(y, "shutdown", w->shutdown);
        yaml_str(y, "readiness", readiness_to_string(w->readiness));
        if (w->check)
                yaml_str(y, "check", w->check);
        if (w->readiness != READINESS_NONE)
                yaml_duration(y, "start_timeout", w->start_timeout);
        yaml_bool(y, "critical", w->critical);
        if (w->user)
                yaml_str(y, "user", w->user);
        if (w->group)
                yaml_str(y, "group", w->group);
        if (w->n_environment > 0) {
                yaml_open(y, "environment");
                for (size_t i = 0; i < w->n_environment; i++)
                        yaml_str(y, w->environment[i].key, w->environment[i].value);
                yaml_end(y);
        }
        if (w->env_files.n > 0) {
                yaml_open(y, "env_files");
                for (size_t i = 0; i < w->env_files.n; i++)
                        yaml_list_str(y, w->env_files.items[i]);
                yaml_end(y);
        }
        if (w->n_credentials > 0) {
                yaml_open(y, "credentials");
                for (size_t i = 0; i < w->n_credentials; i++)
                        yaml_str(y, w->credentials[i].key, w->credentials[i].value);
                yaml_end(y);
        }
        yaml_end(y);
}

int render_supervisor(const Model *m, ArtifactSet *out, Diags *d) {
        (void) d;
        const Supervision *sv = &m->supervision;
        if (!sv->root)
                return 0;

        StrBuf b = {};
        YamlWriter y = { .b = &b };
        render_sv_config_begin(&y, m, supervisor_doc, sv->listen);
        yaml_open(&y, "phi");
        yaml_double(&y, "threshold", sv->phi_threshold);
        yaml_uint(&y, "max_samples", sv->phi_max_samples);
        yaml_duration(&y, "min_stddev", sv->phi_min_stddev);
        yaml_duration(&y, "acceptable_pause", sv->phi_acceptable_pause);
        yaml_end(&y);
        yaml_str(&y, "root", sv->root->name);
        /* the tree the root reaches, in spec order: what the spec's warnings call "ignoring" is left out */
        _cleanup_free_ bool *sups = xcalloc(sv->n_supervisors + 1, sizeof(bool)), *workers = xcalloc(sv->n_workers + 1, sizeof(bool));
        supervision_reachable(sv, sups, workers);
        yaml_open(&y, "supervisors");
        for (size_t i = 0; i < sv->n_supervisors; i++)
                if (sups[i])
                        render_sv_supervisor(&y, &sv->supervisors[i]);
        yaml_end(&y);
        size_t n_workers = 0;
        for (size_t i = 0; i < sv->n_workers; i++)
                n_workers += workers[i];
        if (n_workers == 0)
                yaml_empty_list(&y, "workers");
        else {
                yaml_open(&y, "workers");
                for (size_t i = 0; i < sv->n_workers; i++)
                        if (workers[i])
                                render_sv_worker(&y, &sv->workers[i]);
                yaml_end(&y);
        }

        artifact_set_takef(out, &b, 0644, "%s/supervisor.yaml", m->config_dir);
        return 0;
}
