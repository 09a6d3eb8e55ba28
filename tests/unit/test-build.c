/* SPDX-License-Identifier: MIT */
/* Tests of the model builder: the bundled example per tier, and each semantic check, deploy: included. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "helpers/spec-check.h"

static Model *example(const char *tier, Spec **ret_spec, Diags *d) {
        assert_int_equal(spec_check_compose_file(example_path(), tier, NULL, ret_spec, d), 0);
        Model *m = NULL;
        assert_int_equal(spec_build_model(*ret_spec, NULL, &m, d), 0);
        assert_int_equal(d->n_errors, 0);
        assert_int_equal(d->n_warnings, 0);
        return m;
}

static void test_example_tier_3(void **state) {
        (void) state;
        Diags d = {};
        Spec *s;
        Model *m = example("tier_3", &s, &d);
        assert_string_equal(m->name, "mister-smith");
        assert_string_equal(m->tier_title, "operational");
        assert_int_equal(m->systemd_version, 252);
        assert_int_equal(m->n_slices, 4);
        assert_string_equal(m->slices[0].name, "mister-smith");
        assert_int_equal(m->slices[0].limits.memory_max, 8ULL << 30);
        assert_int_equal(m->slices[0].limits.cpu_quota, 800);
        const Slice *w = model_find_slice(m, "mister-smith-workers");
        assert_non_null(w);
        assert_ptr_equal(w->parent, &m->slices[0]);
        assert_int_equal(w->limits.memory_max, 3ULL << 30);
        assert_int_equal(m->n_services, 4);
        const Service *worker = model_find_service(m, "worker");
        assert_true(worker->templated);
        assert_string_equal(worker->name, "mister-smith-worker@");
        assert_int_equal(worker->instances.n, 4);
        assert_string_equal(worker->instances.items[3], "4");
        assert_int_equal(worker->hardening, HARDENING_STRICT);
        assert_int_equal(worker->restart.policy, RESTART_ON_FAILURE);
        assert_int_equal(worker->restart.delay, 10 * USEC_PER_SEC);
        assert_int_equal(worker->watchdog, 20 * USEC_PER_SEC);
        assert_int_equal(worker->resources.memory_max, 700ULL << 20);
        assert_string_equal(worker->after.items[0], "mister-smith-messaging.service");
        assert_string_equal(worker->part_of.items[0], "mister-smith-orchestrator.service");
        const Service *orch = model_find_service(m, "orchestrator");
        assert_true(orch->supervisor);
        assert_null(orch->exec); /* the renderer writes msd-supervisor's command line */
        assert_string_equal(orch->wants.items[0], "network-online.target");
        assert_int_equal(orch->n_secrets, 1);
        assert_string_equal(orch->secrets[0].id, "api-key");
        assert_string_equal(orch->log_level, "warn");
        assert_int_equal(orch->limit_nofile, 65536);
        assert_non_null(m->supervision.root);
        assert_string_equal(m->supervision.root->name, "RootSupervisor");
        assert_int_equal(m->supervision.root->n_children, 3);
        const SvSupervisor *pool = m->supervision.root->children[1].supervisor;
        assert_string_equal(pool->name, "WorkerPoolSupervisor");
        assert_int_equal(pool->strategy, STRATEGY_ONE_FOR_ONE);
        assert_int_equal(pool->backoff.kind, BACKOFF_EXPONENTIAL); /* its own, over the tier's adaptive */
        assert_int_equal(m->supervision.root->backoff.kind, BACKOFF_ADAPTIVE);
        assert_int_equal(m->supervision.root->children[2].supervisor->strategy, STRATEGY_REST_FOR_ONE);
        /* nats-server leaves with status 1 on SIGTERM */
        const Service *nats = model_find_service(m, "messaging");
        assert_string_equal(nats->kill_signal, "SIGINT");
        assert_int_equal(nats->success_exit_status.n, 0);
        assert_null(orch->kill_signal);
        /* seven workers stopped one after another: 6 x 5s + event-router's 10s, within the orchestrator's 45s */
        assert_int_equal(supervision_stop_time(&m->supervision), 40 * USEC_PER_SEC);
        assert_int_equal(supervision_stop_timeout(&m->supervision), 45 * USEC_PER_SEC);
        assert_int_equal(orch->timeout_stop, 45 * USEC_PER_SEC);
        /* the worker-process check: the health aggregator must see the other services' processes */
        assert_true(model_service_watches_processes(m, model_find_service(m, "health-check")));
        assert_false(model_service_watches_processes(m, orch));
        assert_false(model_service_watches_processes(m, worker));
        assert_int_equal(m->n_checks, 2);
        assert_string_equal(m->health_listen, "127.0.0.1:9091");
        assert_int_equal(m->n_alerts, 4);
        assert_string_equal(m->alerts[1].name, "MisterSmithMemoryPressure");
        model_free(m);
        spec_free(s);
        diags_clear(&d);
}

static void test_example_tier_1_overlay(void **state) {
        (void) state;
        Diags d = {};
        Spec *s;
        Model *m = example("tier_1", &s, &d);
        assert_int_equal(m->slices[0].limits.memory_max, 2ULL << 30);
        const Service *worker = model_find_service(m, "worker");
        assert_int_equal(worker->instances.n, 1);
        assert_int_equal(worker->hardening, HARDENING_BASIC);
        assert_int_equal(worker->restart.policy, RESTART_ALWAYS);
        assert_string_equal(worker->log_level, "debug");
        model_free(m);
        spec_free(s);
        diags_clear(&d);
}

/* Builds yaml for tier_3 and expects an error (or warning) containing text at line:col. */
static void expect(const char *yaml, DiagLevel level, unsigned line, unsigned col, const char *text) {
        Diags d = {};
        Spec *s = NULL;
        Model *m = NULL;
        int r = spec_check_build(yaml, "tier_3", &s, &m, &d);
        if (level == DIAG_ERROR)
                assert_true(r < 0);
        assert_true(diags_has(&d, level, line, col, text));
        model_free(m);
        spec_free(s);
        diags_clear(&d);
}

#define HEAD "version: 1\nproject: {name: demo}\nusers: {demo: {}}\n"

/* The default descriptions of services and slices begin with the project's description, or with its name when the
 * description is empty: never with a space, which systemd would strip. */
static void test_default_descriptions(void **state) {
        (void) state;
        static const char *const yaml[] = { "version: 1\nproject: {name: demo, description: ''}\nslices: {top: {}}\n"
                                            "services: {api: {exec: /bin/true}}\n",
                                            "version: 1\nproject: {name: demo, description: Demo}\nslices: {top: {}}\n"
                                            "services: {api: {exec: /bin/true}}\n" };
        static const char *const want[][2] = { { "demo api", "demo slice top" }, { "Demo api", "Demo slice top" } };
        for (size_t i = 0; i < 2; i++) {
                Diags d = {};
                Spec *s = NULL;
                Model *m = NULL;
                assert_int_equal(spec_check_build(yaml[i], "tier_3", &s, &m, &d), 0);
                assert_string_equal(m->services[0].description, want[i][0]);
                assert_string_equal(m->slices[0].description, want[i][1]);
                assert_string_equal(m->target_description, i == 0 ? "demo" : "Demo");
                model_free(m);
                spec_free(s);
                diags_clear(&d);
        }
}

static void test_references(void **state) {
        (void) state;
        expect(HEAD "services:\n  api: {exec: /bin/true, user: ghost}\n", DIAG_ERROR, 5, 32, "unknown user 'ghost'");
        /* systemd-sysusers refuses ':' in the GECOS, home and shell fields */
        expect("version: 1\nproject: {name: demo}\nusers: {demo: {description: 'a:b'}}\n", DIAG_ERROR, 3, 29,
               "user 'demo' description 'a:b' contains ':', which systemd-sysusers refuses in a GECOS field");
        expect("version: 1\nproject: {name: demo}\nusers: {demo: {description: '-'}}\n", DIAG_ERROR, 3, 29,
               "user 'demo' description '-' would be no description: systemd-sysusers reads a field of '-' as unset");
        expect("version: 1\nproject: {name: demo}\nusers: {demo: {home: '/var/lib/a:b'}}\n", DIAG_ERROR, 3, 22,
               "user 'demo' home '/var/lib/a:b' contains ':'");
        expect("version: 1\nproject: {name: demo}\nusers: {demo: {shell: '/bin/sh:x'}}\n", DIAG_ERROR, 3, 23,
               "user 'demo' shell '/bin/sh:x' contains ':'");
        expect(HEAD "services:\n  api: {exec: /bin/true, group: ghosts}\n", DIAG_ERROR, 5, 33, "unknown group 'ghosts'");
        expect(HEAD "slices: {demo: {}}\nservices:\n  api: {exec: /bin/true, slice: demi}\n", DIAG_ERROR, 6, 33, "did you mean 'demo'?");
        expect(HEAD "services:\n  api: {exec: /bin/true, after: [apu]}\n", DIAG_ERROR, 5, 34, "unknown service 'apu'; did you mean 'api'?");
        expect(HEAD "services:\n  api: {exec: /bin/true, wants: [api]}\n", DIAG_ERROR, 5, 34, "lists itself");
        expect(HEAD "services:\n  api: {exec: /bin/true, env_files: [x]}\n", DIAG_ERROR, 5, 38, "unknown env file 'x'");
        expect(HEAD "directories: {d: {path: /srv/demo, owner: ghost}}\n", DIAG_ERROR, 4, 43, "unknown owner 'ghost'");
        expect(HEAD "directories: {d: {path: /var}}\n", DIAG_ERROR, 4, 25, "system directory '/var'");
        expect(HEAD "services:\n  api: {exec: /bin/true, user: root}\n", DIAG_WARNING, 5, 32, "runs as root");
}

static void test_commands(void **state) {
        (void) state;
        expect(HEAD "services:\n  api: {user: demo}\n", DIAG_ERROR, 5, 3, "has no 'exec'");
        expect(HEAD "services:\n  api: {exec: /bin/true, supervisor: true}\n", DIAG_ERROR, 0, 0, "remove 'exec'");
        expect(HEAD "services:\n  api: {supervisor: true}\n", DIAG_ERROR, 5, 21, "no 'supervision:' tree");
        expect(HEAD "services:\n  api: {supervisor: true, health_aggregator: true}\n", DIAG_ERROR, 0, 0, "cannot be both");
}

static void test_slices(void **state) {
        (void) state;
        expect(HEAD "slices:\n  a:\n    memory_max: 1G\n    children:\n      b: {memory_max: 2G}\n", DIAG_ERROR, 8, 23, "exceeds the parent slice 'a' (1G)");
        expect(HEAD "slices:\n  a:\n    tasks_max: 10\n    children:\n      b: {tasks_max: 11}\n", DIAG_ERROR, 8, 22, "'11' exceeds the parent slice 'a' (10)");
        expect(HEAD "slices:\n  a:\n    memory_max: 1G\n    children:\n      b: {memory_max: 600M}\n      c: {memory_max: 600M}\n", DIAG_WARNING, 6, 17,
               "adding up to 1200M, more than its own 1G");
        expect(HEAD "slices:\n  a: {memory_max: 1G, memory_high: 2G}\n", DIAG_ERROR, 5, 36, "memory_high is above memory_max");
        expect(HEAD "slices:\n  a: {memory_max: 1G}\nservices:\n  api: {exec: /bin/true, slice: a, resources: {memory_max: 2G}}\n", DIAG_ERROR, 7, 60,
               "exceeds its slice 'a' (1G)");
}

static void test_cycles(void **state) {
        (void) state;
        expect(HEAD "services:\n  a: {exec: /bin/true, after: [b]}\n  b: {exec: /bin/true, before: [a]}\n  c: {exec: /bin/true, after: [c2]}\n"
                    "  c2: {exec: /bin/true, after: [c]}\n",
               DIAG_ERROR, 0, 0, "ordering cycle between services: c -> c2 -> c");
        expect(HEAD "supervision:\n  root: R\n  supervisors:\n    R: {children: [w, w]}\n  workers:\n    w: {exec: /bin/true}\n", DIAG_ERROR, 7, 23,
               "worker 'w' is already a child of 'R'");
        expect(HEAD "supervision:\n  root: R\n  supervisors:\n    R: {children: [A]}\n    A: {children: [R]}\n", DIAG_ERROR, 8, 20,
               "supervision cycle: 'R' is its own ancestor");
        expect(HEAD "supervision:\n  root: X\n  supervisors:\n    R: {children: []}\n", DIAG_ERROR, 5, 9, "root supervisor 'X' is not declared");
        expect(HEAD "supervision:\n  root: R\n  supervisors:\n    R: {children: []}\n    lone: {children: []}\n", DIAG_WARNING, 8, 5,
               "'lone' is not reachable");
}

static void test_checks_and_env(void **state) {
        (void) state;
        expect(HEAD "health:\n  checks:\n    c: {kind: http, target: ftp://x}\n", DIAG_ERROR, 6, 29, "must be an http:// or https:// URL");
        expect(HEAD "health:\n  checks:\n    c: {kind: tcp, target: localhost}\n", DIAG_ERROR, 6, 28, "must be host:port");
        expect(HEAD "health:\n  checks:\n    c: {kind: tcp, target: 'h:70000'}\n", DIAG_ERROR, 6, 28, "no valid port");
        expect(HEAD "env_files: {app: {mode: '0660'}}\n", DIAG_ERROR, 4, 25, "use 0640 or stricter");
        expect(HEAD "supervision:\n  root: R\n  supervisors: {R: {children: [w]}}\n  workers:\n    w: {exec: /bin/true, readiness: check}\n", DIAG_ERROR, 8, 37,
               "no 'check' to run");
}

#define TREE(shutdown)                                                                                        \
        "supervision:\n  root: R\n  supervisors:\n    R: {children: [S, c]}\n    S: {children: [a, b]}\n"           \
        "  workers:\n    a: {exec: /bin/true}\n    b: {exec: /bin/true, shutdown: " shutdown "}\n    c: {exec: /bin/true}\n"

static void test_stopping(void **state) {
        (void) state;
        /* msd-supervisor stops on SIGTERM or SIGINT only */
        expect(HEAD "services:\n  api: {supervisor: true, user: demo, kill_signal: SIGHUP}\n" TREE("5s"), DIAG_ERROR, 5, 52,
               "service 'api' runs msd-supervisor, which stops on SIGTERM or SIGINT, not 'SIGHUP'; remove 'kill_signal'");
        expect(HEAD "services:\n  api: {health_aggregator: true, user: demo, kill_signal: SIGUSR1}\n", DIAG_ERROR, 5, 59, "not 'SIGUSR1'");
        /* a, b and c take 5s + 20s + 5s to stop; 35s with the margin */
        expect(HEAD "services:\n  api: {supervisor: true, user: demo, timeouts: {stop: 20s}}\n" TREE("20s"), DIAG_WARNING, 5, 56,
               "service 'api' has timeouts.stop 20s, but msd-supervisor may need up to 30s to stop its supervision tree (the workers' shutdown "
               "times, one child after another); systemd would SIGKILL the children it has not stopped yet; set timeouts.stop to at least 35s");
        expect(HEAD "services:\n  api: {supervisor: true, user: demo, timeouts: {stop: 1min}}\n" TREE("infinity"), DIAG_WARNING, 5, 56,
               "a worker of its supervision tree has shutdown 'infinity'; systemd would SIGKILL the children msd-supervisor has not stopped "
               "yet; set timeouts.stop to 'infinity'");
        /* from the tier file: tier_1's 10s */
        Diags d = {};
        Spec *s = NULL;
        Model *m = NULL;
        assert_int_equal(spec_check_build(HEAD "services:\n  api: {supervisor: true, user: demo}\n" TREE("5s"), "tier_1", &s, &m, &d), 0);
        assert_true(diags_has(&d, DIAG_WARNING, 0, 0, "has timeouts.stop 10s, but msd-supervisor may need up to 15s"));
        for (size_t i = 0; i < d.n; i++)
                if (strstr(d.items[i].msg, "has timeouts.stop"))
                        assert_non_null(strstr(d.items[i].loc.src->name, "tiers/tier_1.yaml"));
        model_free(m);
        spec_free(s);
        diags_clear(&d);
        /* enough, unset, or infinity: nothing to say */
        static const char *const fine[] = { "{stop: 35s}", "{stop: infinity}", "{start: 5s}" };
        for (size_t i = 0; i < 3; i++) {
                char yaml[1024];
                snprintf(yaml, sizeof(yaml), HEAD "defaults: {service: {timeouts: null}}\nservices:\n  api: {supervisor: true, user: demo, timeouts: %s}\n" TREE("20s"),
                         fine[i]);
                assert_int_equal(spec_check_build(yaml, "tier_3", &s, &m, &d), 0);
                if (d.n_warnings > 0)
                        diags_dump(&d);
                assert_int_equal(d.n_warnings, 0);
                assert_int_equal(m->services[0].timeout_stop, i == 0 ? 35 * USEC_PER_SEC : i == 1 ? USEC_INFINITY : USEC_UNSET);
                model_free(m);
                spec_free(s);
                diags_clear(&d);
        }
        /* any signal for other programs; exit statuses as systemd reads them back */
        assert_int_equal(spec_check_build(HEAD "services:\n  api: {exec: /bin/true, user: demo, kill_signal: SIGHUP, success_exit_status: [007, 143, SIGPIPE]}\n",
                                          "tier_3", &s, &m, &d), 0);
        assert_string_equal(m->services[0].kill_signal, "SIGHUP");
        const StrList *st = &m->services[0].success_exit_status;
        assert_int_equal(st->n, 3);
        assert_string_equal(st->items[0], "7");
        assert_string_equal(st->items[1], "143");
        assert_string_equal(st->items[2], "SIGPIPE");
        model_free(m);
        spec_free(s);
        diags_clear(&d);
}

static void test_process_visibility(void **state) {
        (void) state;
        expect(HEAD "health:\n  checks:\n    p: {kind: process, target: postgres}\nservices:\n"
                    "  hc: {health_aggregator: true, user: demo, hardening: {overrides: {ProtectProc: invisible}}}\n",
               DIAG_WARNING, 8, 82,
               "service 'hc' runs process checks, but ProtectProc=invisible hides the other services' processes from it, so those checks always "
               "fail; remove the override or set it to 'default'");
        /* no process check, or an override that shows them: nothing to say */
        static const char *const fine[] = {
                "health:\n  checks:\n    p: {kind: tcp, target: '127.0.0.1:1'}\nservices:\n"
                "  hc: {health_aggregator: true, user: demo, hardening: {overrides: {ProtectProc: invisible}}}\n",
                "health:\n  checks:\n    p: {kind: process, target: postgres}\nservices:\n"
                "  hc: {health_aggregator: true, user: demo, hardening: {overrides: {ProtectProc: default}}}\n",
        };
        for (size_t i = 0; i < 2; i++) {
                char yaml[1024];
                snprintf(yaml, sizeof(yaml), HEAD "%s", fine[i]);
                Diags d = {};
                Spec *s = NULL;
                Model *m = NULL;
                assert_int_equal(spec_check_build(yaml, "tier_3", &s, &m, &d), 0);
                assert_int_equal(d.n_warnings, 0);
                model_free(m);
                spec_free(s);
                diags_clear(&d);
        }
}

/* deploy: the tier files turn the health gate on in tier_3 alone; the spec and its tier overlays override
 * them; a timeout that is zero or infinite is refused at its line. */
static void test_deploy(void **state) {
        (void) state;
        static const struct {
                const char *tier;
                bool gate;
        } tiers[] = { { "tier_1", false }, { "tier_2", false }, { "tier_3", true } };
        for (size_t i = 0; i < 3; i++) {
                Diags d = {};
                Spec *s;
                Model *m = example(tiers[i].tier, &s, &d);
                assert_int_equal(m->deploy.health_gate, tiers[i].gate);
                assert_int_equal(m->deploy.health_timeout, 120 * USEC_PER_SEC);
                assert_int_equal(m->deploy.keep_releases, 10);
                model_free(m);
                spec_free(s);
                diags_clear(&d);
        }
        static const char spec[] = HEAD "deploy: {health_gate: {enabled: false, timeout: 5min}, keep_releases: 3}\n"
                                        "tiers: {tier_1: {deploy: {health_gate: {enabled: true}}}}\n";
        Diags d = {};
        Spec *s = NULL;
        Model *m = NULL;
        assert_int_equal(spec_check_build(spec, "tier_3", &s, &m, &d), 0);
        assert_false(m->deploy.health_gate);
        assert_int_equal(m->deploy.health_timeout, 5 * 60 * USEC_PER_SEC);
        assert_int_equal(m->deploy.keep_releases, 3);
        model_free(m);
        spec_free(s);
        assert_int_equal(spec_check_build(spec, "tier_1", &s, &m, &d), 0);
        assert_true(m->deploy.health_gate);
        assert_int_equal(m->deploy.health_timeout, 5 * 60 * USEC_PER_SEC);
        model_free(m);
        spec_free(s);
        diags_clear(&d);
        expect(HEAD "deploy: {health_gate: {timeout: 0s}}\n", DIAG_ERROR, 4, 33,
               "deploy.health_gate.timeout '0s' never lets the gate pass or never ends; give a duration above zero such as '120s'");
        expect(HEAD "deploy: {health_gate: {timeout: infinity}}\n", DIAG_ERROR, 4, 33, "deploy.health_gate.timeout 'infinity'");
        expect(HEAD "deploy: {keep_releases: 0}\n", DIAG_ERROR, 4, 25, "'keep_releases' value '0' is out of range; allowed: 1 to 1000");
        expect(HEAD "deploy: {health_gate: {enabled: 1}}\n", DIAG_ERROR, 4, 33, "'enabled' value '1' must be true or false");
        expect(HEAD "deploy: {health_gate: {timout: 1s}}\n", DIAG_ERROR, 4, 24, "unknown key 'timout' in 'health_gate'; did you mean 'timeout'?");
}

static void test_capabilities_normalised(void **state) {
        (void) state;
        Diags d = {};
        Spec *s;
        Model *m;
        assert_int_equal(spec_check_build(HEAD "services:\n  api: {exec: /bin/true, capabilities: [cap_net_raw, CAP_NET_BIND_SERVICE]}\n", "tier_3", &s, &m, &d), 0);
        const Service *api = model_find_service(m, "api");
        assert_int_equal(api->capabilities.n, 2);
        assert_string_equal(api->capabilities.items[0], "CAP_NET_RAW");
        assert_string_equal(api->capabilities.items[1], "CAP_NET_BIND_SERVICE");
        model_free(m);
        spec_free(s);
        diags_clear(&d);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_example_tier_3), cmocka_unit_test(test_example_tier_1_overlay),
                cmocka_unit_test(test_references),     cmocka_unit_test(test_commands),
                cmocka_unit_test(test_default_descriptions),
                cmocka_unit_test(test_slices),         cmocka_unit_test(test_cycles),
                cmocka_unit_test(test_checks_and_env), cmocka_unit_test(test_capabilities_normalised),
                cmocka_unit_test(test_stopping),       cmocka_unit_test(test_process_visibility),
                cmocka_unit_test(test_deploy),
        };
        int r = cmocka_run_group_tests(tests, NULL, NULL);
        spec_check_cleanup();
        return r;
}
