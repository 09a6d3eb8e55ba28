/* SPDX-License-Identifier: MIT */
/* Test fixture: a hand-built Model equal to what the loader makes of examples/mister-smith.yaml and a tier. */
#include "helpers/fixture.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#define MiB (UINT64_C(1) << 20)
#define GiB (UINT64_C(1) << 30)
#define SEC USEC_PER_SEC
#define MSEC USEC_PER_MSEC

/* Tier-dependent values, as tiers/<tier>.yaml and the spec's tiers: overlay set them. */
typedef struct TierValues {
        const char *tier, *title, *log_level;
        RestartPolicy policy;
        usec_t restart_delay, start_limit_interval;
        unsigned burst;
        HardeningProfile hardening;
        uint64_t cpu_weight, io_weight;
        usec_t timeout_start, timeout_stop;
        usec_t hc_interval, hc_timeout, hc_initial_delay;
        unsigned hc_failures, hc_successes;
        Backoff backoff;                  /* supervisor default backoff */
        /* slices: root, orchestrator, workers, messaging */
        uint64_t slice_mem_max[4], slice_mem_high[4], slice_cpu[4];
        unsigned worker_instances;
        uint64_t worker_memory_max;
} TierValues;

static const TierValues tiers[] = {
        {
                .tier = "tier_1", .title = "experimental", .log_level = "debug",
                .policy = RESTART_ALWAYS, .restart_delay = 1 * SEC, .burst = 20, .start_limit_interval = 60 * SEC,
                .hardening = HARDENING_BASIC, .cpu_weight = 50, .io_weight = 50,
                .timeout_start = 30 * SEC, .timeout_stop = 10 * SEC,
                .hc_interval = 30 * SEC, .hc_timeout = 5 * SEC, .hc_initial_delay = 5 * SEC, .hc_failures = 5, .hc_successes = 1,
                .backoff = { .kind = BACKOFF_LINEAR, .base = 500 * MSEC, .cap = 10 * SEC, .multiplier = 2.0, .jitter = 0.1,
                             .min_uptime = 1 * SEC, .reset_after = 60 * SEC },
                .slice_mem_max = { 2 * GiB, 1 * GiB, 768 * MiB, 256 * MiB },
                .slice_mem_high = { 1792 * MiB, 896 * MiB, 640 * MiB, 224 * MiB },
                .slice_cpu = { 200, 100, 75, 25 },
                .worker_instances = 1, .worker_memory_max = 512 * MiB,
        },
        {
                .tier = "tier_2", .title = "validation", .log_level = "info",
                .policy = RESTART_ON_FAILURE, .restart_delay = 5 * SEC, .burst = 10, .start_limit_interval = 120 * SEC,
                .hardening = HARDENING_STANDARD, .cpu_weight = 100, .io_weight = 100,
                .timeout_start = 60 * SEC, .timeout_stop = 30 * SEC,
                .hc_interval = 15 * SEC, .hc_timeout = 3 * SEC, .hc_initial_delay = 10 * SEC, .hc_failures = 3, .hc_successes = 2,
                .backoff = { .kind = BACKOFF_EXPONENTIAL, .base = 1 * SEC, .cap = 30 * SEC, .multiplier = 2.0, .jitter = 0.2,
                             .min_uptime = 1 * SEC, .reset_after = 60 * SEC },
                .slice_mem_max = { 4 * GiB, 2 * GiB, 1536 * MiB, 512 * MiB },
                .slice_mem_high = { 3584 * MiB, 1792 * MiB, 1280 * MiB, 448 * MiB },
                .slice_cpu = { 400, 200, 150, 50 },
                .worker_instances = 2, .worker_memory_max = 512 * MiB,
        },
        {
                .tier = "tier_3", .title = "operational", .log_level = "warn",
                .policy = RESTART_ON_FAILURE, .restart_delay = 10 * SEC, .burst = 5, .start_limit_interval = 300 * SEC,
                .hardening = HARDENING_STRICT, .cpu_weight = 100, .io_weight = 100,
                .timeout_start = 90 * SEC, .timeout_stop = 60 * SEC,
                .hc_interval = 10 * SEC, .hc_timeout = 2 * SEC, .hc_initial_delay = 15 * SEC, .hc_failures = 2, .hc_successes = 3,
                .backoff = { .kind = BACKOFF_ADAPTIVE, .base = 2 * SEC, .cap = 60 * SEC, .multiplier = 2.0, .jitter = 0.25,
                             .min_uptime = 10 * SEC, .reset_after = 300 * SEC },
                .slice_mem_max = { 8 * GiB, 4 * GiB, 3 * GiB, 1 * GiB },
                .slice_mem_high = { 7 * GiB, 3584 * MiB, 2560 * MiB, 896 * MiB },
                .slice_cpu = { 800, 400, 300, 100 },
                .worker_instances = 4, .worker_memory_max = 700 * MiB,
        },
};

/* A NULL-terminated argument list as a StrList. */
static StrList strlist(Arena *a, ...) {
        va_list ap;
        size_t n = 0;
        va_start(ap, a);
        while (va_arg(ap, const char *))
                n++;
        va_end(ap);
        StrList l = { .items = n ? arena_alloc_array(a, n, sizeof(char *)) : NULL, .n = n };
        va_start(ap, a);
        for (size_t i = 0; i < n; i++)
                l.items[i] = va_arg(ap, const char *);
        va_end(ap);
        return l;
}

/* Key/value pairs from a NULL-terminated list "K1", "V1", "K2", "V2", ..., NULL. */
static KeyValue *kvlist(Arena *a, size_t *ret_n, ...) {
        va_list ap;
        size_t n = 0;
        va_start(ap, ret_n);
        while (va_arg(ap, const char *)) {
                (void) va_arg(ap, const char *);
                n++;
        }
        va_end(ap);
        KeyValue *kv = arena_alloc_array(a, n ? n : 1, sizeof(KeyValue));
        va_start(ap, ret_n);
        for (size_t i = 0; i < n; i++) {
                kv[i].key = va_arg(ap, const char *);
                kv[i].value = va_arg(ap, const char *);
        }
        va_end(ap);
        *ret_n = n;
        return kv;
}

static Limits limits_unset(void) {
        return (Limits) { UNSET_U64, UNSET_U64, UNSET_U64, UNSET_U64, UNSET_U64, UNSET_U64 };
}

static void check_init(HealthCheck *c, const TierValues *t, const char *name, const char *component, HealthKind kind,
                       const char *target, bool critical) {
        *c = (HealthCheck) {
                .name = name, .component = component, .kind = kind, .target = target,
                .interval = t->hc_interval, .timeout = t->hc_timeout, .initial_delay = t->hc_initial_delay,
                .failures_before_critical = t->hc_failures, .successes_before_passing = t->hc_successes,
                .database = "tcp", /* the builder's default, whatever the kind */
                .critical = critical,
        };
}

static void fill_users(Model *m) {
        Arena *a = m->arena;
        m->n_groups = 1;
        m->groups = arena_alloc_array(a, 1, sizeof(Group));
        m->groups[0] = (Group) { .name = "mister-smith" };

        m->n_users = 2;
        m->users = arena_alloc_array(a, 2, sizeof(User));
        m->users[0] = (User) { .name = "mister-smith", .group = "mister-smith", .description = "Mister Smith agents",
                               .home = "/var/lib/mister-smith" };
        m->users[1] = (User) { .name = "mister-smith-nats", .group = "mister-smith",
                               .description = "Mister Smith NATS messaging" };

        m->n_directories = 4;
        m->directories = arena_alloc_array(a, 4, sizeof(Directory));
        m->directories[0] = (Directory) { "state", "/var/lib/mister-smith", "mister-smith", "mister-smith", 0750, false };
        m->directories[1] = (Directory) { "logs", "/var/log/mister-smith", "mister-smith", "mister-smith", 0750, false };
        m->directories[2] = (Directory) { "nats", "/var/lib/mister-smith/nats", "mister-smith-nats", "mister-smith", 0700, false };
        m->directories[3] = (Directory) { "runtime", "/run/mister-smith", "mister-smith", "mister-smith", 0750, true };

        m->n_env_files = 2;
        m->env_files = arena_alloc_array(a, 2, sizeof(EnvFile));
        m->env_files[0] = (EnvFile) { .key = "orchestrator", .path = "/etc/mister-smith/orchestrator.env", .owner = "root",
                                      .group = "mister-smith", .mode = 0640 };
        m->env_files[0].vars = kvlist(a, &m->env_files[0].n_vars, "MISTER_SMITH_ROLE", "orchestrator",
                                      "MISTER_SMITH_NATS_URL", "nats://127.0.0.1:4222",
                                      "MISTER_SMITH_STATE_DIR", "/var/lib/mister-smith", NULL);
        m->env_files[1] = (EnvFile) { .key = "worker", .path = "/etc/mister-smith/worker.env", .owner = "root",
                                      .group = "mister-smith", .mode = 0640 };
        m->env_files[1].vars = kvlist(a, &m->env_files[1].n_vars, "MISTER_SMITH_ROLE", "worker",
                                      "MISTER_SMITH_NATS_URL", "nats://127.0.0.1:4222", NULL);
}

static void fill_slices(Model *m, const TierValues *t) {
        static const struct {
                const char *key, *name, *description;
                uint64_t cpu_weight, io_weight, tasks_max;
        } s[4] = {
                { "mister-smith", "mister-smith", "Mister Smith resource budget", 100, 100, 4096 },
                { "orchestrator", "mister-smith-orchestrator", "Mister Smith orchestration", 200, 200, 1024 },
                { "workers", "mister-smith-workers", "Mister Smith worker pool", 100, 100, 2048 },
                { "messaging", "mister-smith-messaging", "Mister Smith messaging", 150, 150, 512 },
        };
        m->n_slices = 4;
        m->slices = arena_alloc_array(m->arena, 4, sizeof(Slice));
        for (size_t i = 0; i < 4; i++)
                m->slices[i] = (Slice) {
                        .key = s[i].key, .name = s[i].name, .description = s[i].description,
                        .limits = { .memory_max = t->slice_mem_max[i], .memory_high = t->slice_mem_high[i],
                                    .cpu_quota = t->slice_cpu[i], .cpu_weight = s[i].cpu_weight,
                                    .io_weight = s[i].io_weight, .tasks_max = s[i].tasks_max },
                        .parent = i == 0 ? NULL : &m->slices[0],
                };
}

static void service_defaults(Service *s, const TierValues *t, const char *log_level) {
        s->restart = (Restart) { .policy = t->policy, .delay = t->restart_delay, .burst = t->burst,
                                 .interval = t->start_limit_interval, .steps = 0, .max_delay = USEC_UNSET };
        s->watchdog = USEC_UNSET;
        s->timeout_start = t->timeout_start;
        s->timeout_stop = t->timeout_stop;
        s->log_level = log_level;
        s->hardening = t->hardening;
        s->resources = limits_unset();
        s->resources.cpu_weight = t->cpu_weight;
        s->resources.io_weight = t->io_weight;
        s->limit_nofile = UNSET_U64;
}

static void fill_services(Model *m, const TierValues *t) {
        Arena *a = m->arena;
        m->n_services = 4;
        m->services = arena_alloc_array(a, 4, sizeof(Service));
        for (size_t i = 0; i < 4; i++)
                service_defaults(&m->services[i], t, m->log_level);

        Service *s = &m->services[0];
        s->key = "messaging";
        s->name = "mister-smith-messaging";
        s->description = "Mister Smith NATS messaging server";
        s->type = SERVICE_SIMPLE;
        s->kill_signal = "SIGINT";
        s->exec = "/usr/sbin/nats-server --addr 127.0.0.1 --port 4222 --http_port 8222 --jetstream "
                  "--store_dir /var/lib/mister-smith/nats";
        s->user = "mister-smith-nats";
        s->group = "mister-smith";
        s->slice = "mister-smith-messaging";
        s->read_write_paths = strlist(a, "/var/lib/mister-smith/nats", NULL);
        s->resources.io_weight = 300;
        s->resources.tasks_max = 256;
        s->n_checks = 2;
        s->checks = arena_alloc_array(a, 2, sizeof(HealthCheck));
        check_init(&s->checks[0], t, "nats-client", "messaging", HEALTH_TCP, "127.0.0.1:4222", true);
        check_init(&s->checks[1], t, "nats-monitor", "messaging", HEALTH_HTTP, "http://127.0.0.1:8222/healthz", true);

        s = &m->services[1];
        s->key = "orchestrator";
        s->name = "mister-smith-orchestrator";
        s->description = "Mister Smith orchestrator (msd-supervisor agent tree)";
        s->supervisor = true;
        s->type = SERVICE_NOTIFY;
        s->user = "mister-smith";
        s->group = "mister-smith";
        s->slice = "mister-smith-orchestrator";
        s->requires = strlist(a, "mister-smith-messaging.service", NULL);
        s->after = strlist(a, "mister-smith-messaging.service", "network-online.target", NULL);
        s->wants = strlist(a, "network-online.target", NULL);
        s->watchdog = 30 * SEC;
        s->timeout_start = 60 * SEC;
        s->timeout_stop = 45 * SEC;
        s->env_files = strlist(a, "orchestrator", NULL);
        s->environment = kvlist(a, &s->n_environment, "MISTER_SMITH_HTTP_PORT", "8080", NULL);
        s->n_secrets = 1;
        s->secrets = arena_alloc_array(a, 1, sizeof(Secret));
        s->secrets[0] = (Secret) { .id = "api-key", .source = "/etc/mister-smith/credentials/api-key" };
        s->read_write_paths = strlist(a, "/var/lib/mister-smith", "/var/log/mister-smith", NULL);
        s->resources.tasks_max = 512;
        s->limit_nofile = 65536;
        s->n_checks = 1;
        s->checks = arena_alloc_array(a, 1, sizeof(HealthCheck));
        check_init(&s->checks[0], t, "orchestrator-api", "orchestrator", HEALTH_HTTP, "http://127.0.0.1:9090/health", true);

        s = &m->services[2];
        s->key = "worker";
        s->name = "mister-smith-worker@";
        s->templated = true;
        s->instances.n = t->worker_instances;
        s->instances.items = arena_alloc_array(a, t->worker_instances, sizeof(char *));
        for (unsigned i = 0; i < t->worker_instances; i++)
                s->instances.items[i] = arena_printf(a, "%u", i + 1);
        s->description = "Mister Smith worker %i";
        s->exec = "/opt/mister-smith/bin/msd-demo-agent --role worker --instance %i";
        s->type = SERVICE_NOTIFY;
        s->user = "mister-smith";
        s->group = "mister-smith";
        s->slice = "mister-smith-workers";
        s->requires = strlist(a, "mister-smith-messaging.service", NULL);
        s->after = strlist(a, "mister-smith-messaging.service", "mister-smith-orchestrator.service", NULL);
        s->part_of = strlist(a, "mister-smith-orchestrator.service", NULL);
        s->watchdog = 20 * SEC;
        s->env_files = strlist(a, "worker", NULL);
        s->read_write_paths = strlist(a, "/var/lib/mister-smith", NULL);
        s->resources.memory_max = t->worker_memory_max;
        s->resources.tasks_max = 128;
        s->n_checks = 1;
        s->checks = arena_alloc_array(a, 1, sizeof(HealthCheck));
        check_init(&s->checks[0], t, "worker-process", "worker", HEALTH_PROCESS, "msd-demo-agent", false);

        s = &m->services[3];
        s->key = "health-check";
        s->name = "mister-smith-health-check";
        s->description = "Mister Smith system health aggregation";
        s->health_aggregator = true;
        s->type = SERVICE_NOTIFY;
        s->user = "mister-smith";
        s->group = "mister-smith";
        s->slice = "mister-smith-orchestrator";
        s->after = strlist(a, "mister-smith-orchestrator.service", "mister-smith-messaging.service", NULL);
        s->wants = strlist(a, "mister-smith-orchestrator.service", "mister-smith-messaging.service", NULL);
        s->watchdog = 30 * SEC;
        s->resources.memory_max = 64 * MiB;
        s->resources.tasks_max = 32;
}

static void fill_checks_and_alerts(Model *m, const TierValues *t) {
        Arena *a = m->arena;
        m->n_checks = 2;
        m->checks = arena_alloc_array(a, 2, sizeof(HealthCheck));
        check_init(&m->checks[0], t, "state-dir-writable", "state-dir-writable", HEALTH_SCRIPT,
                   "/usr/local/lib/mister-smith/system-health-check.sh", false);
        m->checks[0].interval = 60 * SEC;
        m->checks[0].timeout = 10 * SEC;
        check_init(&m->checks[1], t, "state-db", "state-db", HEALTH_DATABASE, "127.0.0.1:4222", false);

        /* threshold: the builder defaults it to 90 for every kind; only memory, cpu and latency use it. */
        m->n_alerts = 4;
        m->alerts = arena_alloc_array(a, 4, sizeof(Alert));
        m->alerts[0] = (Alert) { "MisterSmithServiceDown", "service_down", 90, 60 * SEC, "critical" };
        m->alerts[1] = (Alert) { "MisterSmithMemoryPressure", "memory", 90, 300 * SEC, "warning" };
        m->alerts[2] = (Alert) { "MisterSmithHealthCheckFailing", "health_check", 90, 120 * SEC, "critical" };
        m->alerts[3] = (Alert) { "MisterSmithSlowHealthChecks", "latency", 2, 600 * SEC, "warning" };
}

static SvWorker *worker_init(SvWorker *w, const char *name, const char *exec, Readiness readiness, bool critical) {
        *w = (SvWorker) { .name = name, .exec = exec, .restart = CHILD_PERMANENT, .shutdown = 5 * SEC,
                          .readiness = readiness, .critical = critical };
        return w;
}

static void fill_supervision(Model *m, const TierValues *t) {
        Arena *a = m->arena;
        Supervision *sv = &m->supervision;
        sv->listen = "127.0.0.1:9090";
        sv->phi_threshold = 8.0;
        sv->phi_max_samples = 1000;
        sv->phi_min_stddev = 100 * MSEC;
        sv->phi_acceptable_pause = 3 * SEC;

        sv->n_workers = 7;
        sv->workers = arena_alloc_array(a, 7, sizeof(SvWorker));
        SvWorker *w = sv->workers;
        worker_init(&w[0], "planner", "/opt/mister-smith/bin/msd-demo-agent --role planner --port 9101", READINESS_NOTIFY, true);
        worker_init(&w[1], "coordinator", "/opt/mister-smith/bin/msd-demo-agent --role coordinator --port 9102",
                    READINESS_NOTIFY, true);
        worker_init(&w[2], "research-agent", "/opt/mister-smith/bin/msd-demo-agent --role research --port 9111",
                    READINESS_NOTIFY, false);
        worker_init(&w[3], "coding-agent", "/opt/mister-smith/bin/msd-demo-agent --role coding --port 9112",
                    READINESS_NOTIFY, false);
        worker_init(&w[4], "review-agent", "/opt/mister-smith/bin/msd-demo-agent --role review --port 9113",
                    READINESS_NOTIFY, false)->restart = CHILD_TRANSIENT;
        worker_init(&w[5], "event-bridge", "/opt/mister-smith/bin/msd-demo-agent --role bridge --port 9121",
                    READINESS_CHECK, true)->check = "http://127.0.0.1:9121/health";
        worker_init(&w[6], "event-router", "/opt/mister-smith/bin/msd-demo-agent --role router --port 9122",
                    READINESS_NOTIFY, false)->shutdown = 10 * SEC;

        sv->n_supervisors = 4;
        sv->supervisors = arena_alloc_array(a, 4, sizeof(SvSupervisor));
        SvSupervisor *s = sv->supervisors;
        s[0] = (SvSupervisor) { "RootSupervisor", STRATEGY_ONE_FOR_ONE, 3, 60 * SEC, USEC_INFINITY, t->backoff };
        s[1] = (SvSupervisor) { "OrchestrationSupervisor", STRATEGY_ONE_FOR_ALL, 2, 30 * SEC, USEC_INFINITY, t->backoff };
        s[2] = (SvSupervisor) { "WorkerPoolSupervisor", STRATEGY_ONE_FOR_ONE, 10, 60 * SEC, USEC_INFINITY,
                                { .kind = BACKOFF_EXPONENTIAL, .base = 500 * MSEC, .cap = 30 * SEC, .multiplier = 2.0,
                                  .jitter = 0.2, .min_uptime = t->backoff.min_uptime, .reset_after = t->backoff.reset_after } };
        s[3] = (SvSupervisor) { "MessagingSupervisor", STRATEGY_REST_FOR_ONE, 3, 30 * SEC, USEC_INFINITY, t->backoff };
        sv->root = &s[0];

        static const size_t n_children[4] = { 3, 2, 3, 2 };
        for (size_t i = 0; i < 4; i++) {
                s[i].n_children = n_children[i];
                s[i].children = arena_alloc_array(a, n_children[i], sizeof(SvChildRef));
        }
        for (size_t i = 0; i < 3; i++)
                s[0].children[i] = (SvChildRef) { .name = s[i + 1].name, .supervisor = &s[i + 1] };
        s[1].children[0] = (SvChildRef) { .name = w[0].name, .worker = &w[0] };
        s[1].children[1] = (SvChildRef) { .name = w[1].name, .worker = &w[1] };
        for (size_t i = 0; i < 3; i++)
                s[2].children[i] = (SvChildRef) { .name = w[2 + i].name, .worker = &w[2 + i] };
        s[3].children[0] = (SvChildRef) { .name = w[5].name, .worker = &w[5] };
        s[3].children[1] = (SvChildRef) { .name = w[6].name, .worker = &w[6] };
}

Model *fixture_model(const char *tier) {
        const TierValues *t = NULL;
        for (size_t i = 0; i < sizeof(tiers) / sizeof(tiers[0]); i++)
                if (tier && strcmp(tiers[i].tier, tier) == 0)
                        t = &tiers[i];
        if (!t)
                abort();

        Arena *a = arena_new();
        Model *m = arena_alloc(a, sizeof(Model));
        *m = (Model) {
                .arena = a,
                .spec_path = "examples/mister-smith.yaml",
                .tier = t->tier,
                .tier_title = t->title,
                .systemd_version = 252,
                .name = "mister-smith",
                .description = "Mister Smith multi-agent framework",
                .prefix = "/opt/mister-smith",
                .config_dir = "/etc/mister-smith",
                .libexec_dir = "/usr/local/lib/mister-smith",
                .supervisor_path = "/usr/local/bin/msd-supervisor",
                .log_level = t->log_level,
                .target_description = "Mister Smith multi-agent framework",
                .target_wanted_by = strlist(a, "multi-user.target", NULL),
                .health_listen = "127.0.0.1:9091",
        };
        fill_users(m);
        fill_slices(m, t);
        fill_services(m, t);
        fill_checks_and_alerts(m, t);
        fill_supervision(m, t);
        return m;
}

Model *fixture_free(Model *m) {
        if (m)
                arena_free(m->arena);
        return NULL;
}
