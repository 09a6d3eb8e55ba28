/* SPDX-License-Identifier: MIT */
/* Service units: one .service per service, one name@.service per template, and a drop-in with the tier's policy. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "render/hardening.h"
#include "render/render.h"
#include "util/xalloc.h"

/*
 * The split between the base unit and the tier drop-in:
 *
 *   etc/systemd/system/<unit>                      what the service IS and how it is wired: description, dependencies,
 *                                                  type, command, user, slice, environment files, credentials,
 *                                                  watchdog, writable paths, [Install]. The same for every tier.
 *   etc/systemd/system/<unit>.d/50-tier.conf       how the tier RUNS it: restart policy and start limits, timeouts,
 *                                                  per-service resource limits, log level, hardening profile with its
 *                                                  overrides and capabilities. Exactly what tiers/<tier>.yaml sets.
 *
 * So `diff` between two tiers touches the drop-in only, an operator reads the whole tier policy in one short file,
 * and promoting a deployment from one tier to the next replaces one file per service while the units stay put.
 * Slices are all budget and stay whole files (render/slice.c); the target's Wants= lists the tier's instances.
 */

#define UNIT_DIR "etc/systemd/system/"


/* The command line of a service: the spec's own, or msd-supervisor with the config the renderers write. */
static int service_exec(const Model *m, const Service *s, StrBuf *ret, Diags *d) {
        const char *config = s->supervisor ? "supervisor.yaml" : s->health_aggregator ? "health-checks.yaml" : NULL;
        if (!config) {
                if (!s->exec) {
                        diag_error(d, s->loc, "service '%s' has no command: set 'exec'", s->key);
                        return -EINVAL;
                }
                sb_append(ret, s->exec);
                return 0;
        }
        _cleanup_free_ char *path = xasprintf("%s/%s", m->config_dir, config);
        uw_exec_append_arg(ret, m->supervisor_path);
        uw_exec_append_arg(ret, "--config");
        uw_exec_append_arg(ret, path);
        return 0;
}

static void write_unit_section(UnitWriter *w, const Model *m, const Service *s, const char *target) {
        render_unit_section(w, m, s->description ? s->description : s->name);
        /* Stopping or restarting the target stops or restarts every service in it. */
        StrList part_of = { .items = xmalloc((s->part_of.n + 1) * sizeof(char *)), .n = s->part_of.n + 1 };
        part_of.items[0] = target;
        for (size_t i = 0; i < s->part_of.n; i++)
                part_of.items[i + 1] = s->part_of.items[i];
        uw_set_list(w, "PartOf", &part_of);
        free(part_of.items);
        uw_set_list(w, "Requires", &s->requires);
        uw_set_list(w, "BindsTo", &s->binds_to);
        uw_set_list(w, "Wants", &s->wants);
        uw_set_list(w, "After", &s->after);
        uw_set_list(w, "Before", &s->before);
}

static int write_service_section(UnitWriter *w, const Model *m, const Service *s, Diags *d) {
        StrBuf e = {};
        int r = service_exec(m, s, &e, d);
        _cleanup_free_ char *exec = sb_take(&e, NULL);
        if (r < 0)
                return r;
        const char *type = service_type_to_string(s->type);
        if (!type) {
                diag_error(d, s->loc, "service '%s' has no valid type", s->key);
                return -EINVAL;
        }

        uw_section(w, "Service");
        uw_set_raw(w, "Type", type);
        if (s->type == SERVICE_NOTIFY)
                uw_set_raw(w, "NotifyAccess", "main");
        for (size_t i = 0; i < s->exec_start_pre.n; i++)
                uw_set_spec(w, "ExecStartPre", s->exec_start_pre.items[i]);
        if (s->supervisor || s->health_aggregator)
                uw_set_raw(w, "ExecStart", exec); /* composed by uw_exec_append_arg(), already escaped */
        else
                uw_set_spec(w, "ExecStart", exec);
        if (s->user)
                uw_set(w, "User", s->user);
        if (s->group)
                uw_set(w, "Group", s->group);
        if (s->working_directory)
                uw_set(w, "WorkingDirectory", s->working_directory);
        if (s->slice)
                uw_setf(w, "Slice", "%s.slice", s->slice);
        /* No '-' prefix: a missing environment file is an installation error, not an option. */
        for (size_t i = 0; i < s->env_files.n; i++) {
                const EnvFile *f = model_find_env_file(m, s->env_files.items[i]);
                if (!f) {
                        diag_error(d, s->loc, "service '%s' names unknown env file '%s'", s->key, s->env_files.items[i]);
                        return -ENOENT;
                }
                uw_set(w, "EnvironmentFile", f->path);
        }
        for (size_t i = 0; i < s->n_environment; i++)
                uw_set_env(w, s->environment[i].key, s->environment[i].value);
        /* Secrets stay references: systemd reads them into $CREDENTIALS_DIRECTORY at start. */
        for (size_t i = 0; i < s->n_secrets; i++)
                uw_setf(w, "LoadCredential", "%s:%s", s->secrets[i].id, s->secrets[i].source);
        uw_set_duration(w, "WatchdogSec", s->watchdog);
        if (s->supervisor) {
                uw_comment(w, "msd-supervisor stops its children itself, the last started first: SIGTERM to it alone,");
                uw_comment(w, "SIGKILL to whatever is left when TimeoutStopSec= runs out");
                uw_set_raw(w, "KillMode", "mixed");
        }
        if (s->kill_signal)
                uw_set_raw(w, "KillSignal", s->kill_signal);
        uw_set_list(w, "SuccessExitStatus", &s->success_exit_status);
        uw_set_list(w, "ReadWritePaths", &s->read_write_paths);
        return 0;
}

static int render_base(const Model *m, const Service *s, const char *unit, const char *target, ArtifactSet *out,
                       Diags *d) {
        StrBuf b = {};
        sb_reserve(&b, 1024); /* what a unit takes, grown once or never */
        UnitWriter w;
        uw_init(&w, &b, m->systemd_version, d, s->loc, unit);
        render_header(&b, m, "#");
        write_unit_section(&w, m, s, target);
        int r = write_service_section(&w, m, s, d);
        if (r < 0) {
                sb_free(&b);
                return r;
        }
        uw_section(&w, "Install");
        uw_set(&w, "WantedBy", target);
        /* `systemctl enable name@.service` enables the first instance; the installer enables them all. */
        if (s->templated && s->instances.n > 0)
                uw_set(&w, "DefaultInstance", s->instances.items[0]);
        _cleanup_free_ char *path = xasprintf(UNIT_DIR "%s", unit);
        return uw_finish_artifact(&w, out, path);
}

/* TimeoutStopSec= as the spec sets it. A service running the supervision tree without one would get systemd's
 * default, which must not cut msd-supervisor's stop of the tree short (the model builder warns when the spec's own
 * value does). */
static void write_timeout_stop(UnitWriter *w, const Model *m, const Service *s) {
        usec_t stop = s->timeout_stop;
        if (s->supervisor && m->supervision.root && stop == USEC_UNSET) {
                usec_t need = supervision_stop_timeout(&m->supervision);
                if (need > SYSTEMD_DEFAULT_TIMEOUT_STOP) {
                        char tree[64], def[64], text[256];
                        snprintf(text, sizeof(text), "msd-supervisor stops the tree one child at a time, in up to %s: more than systemd's default %s",
                                 format_duration(tree, sizeof(tree), supervision_stop_time(&m->supervision)),
                                 format_duration(def, sizeof(def), SYSTEMD_DEFAULT_TIMEOUT_STOP));
                        uw_comment(w, text);
                        stop = need;
                }
        }
        uw_set_duration(w, "TimeoutStopSec", stop);
}

static int render_dropin(const Model *m, const Service *s, const char *unit, ArtifactSet *out, Diags *d) {
        const char *restart = restart_policy_to_string(s->restart.policy);
        if (!restart) {
                diag_error(d, s->loc, "service '%s' has no valid restart policy", s->key);
                return -EINVAL;
        }
        StrBuf b = {};
        sb_reserve(&b, 2048); /* what a drop-in with a hardening profile takes */
        UnitWriter w;
        uw_init(&w, &b, m->systemd_version, d, s->loc, unit);
        render_header(&b, m, "#");

        uw_section(&w, "Unit");
        uw_set_duration(&w, "StartLimitIntervalSec", s->restart.interval);
        if (s->restart.burst > 0)
                uw_setf(&w, "StartLimitBurst", "%u", s->restart.burst);

        uw_section(&w, "Service");
        if (s->log_level)
                uw_set_env(&w, "LOG_LEVEL", s->log_level);
        if (s->log_format)
                uw_set_env(&w, "LOG_FORMAT", s->log_format);
        uw_set_raw(&w, "Restart", restart);
        uw_set_duration(&w, "RestartSec", s->restart.delay);
        if (s->restart.steps > 0)
                uw_setf(&w, "RestartSteps", "%u", s->restart.steps);
        uw_set_duration(&w, "RestartMaxDelaySec", s->restart.max_delay);
        uw_set_duration(&w, "TimeoutStartSec", s->timeout_start);
        write_timeout_stop(&w, m, s);
        uw_set_limits(&w, &s->resources);
        uw_set_u64(&w, "LimitNOFILE", s->limit_nofile);
        hardening_write(&w, s, model_service_watches_processes(m, s) ? HARDENING_NEED_PROCESSES : 0);

        _cleanup_free_ char *path = xasprintf(UNIT_DIR "%s.d/50-tier.conf", unit);
        return uw_finish_artifact(&w, out, path);
}

int render_services_range(const Model *m, size_t from, size_t to, ArtifactSet *out, Diags *d) {
        _cleanup_free_ char *target = xasprintf("%s.target", m->name);
        for (size_t i = from; i < to && i < m->n_services; i++) {
                const Service *s = &m->services[i];
                _cleanup_free_ char *unit = xasprintf("%s.service", s->name);
                int r = render_base(m, s, unit, target, out, d);
                if (r < 0)
                        return r;
                r = render_dropin(m, s, unit, out, d);
                if (r < 0)
                        return r;
        }
        return 0;
}

int render_services(const Model *m, ArtifactSet *out, Diags *d) {
        return render_services_range(m, 0, m->n_services, out, d);
}
