/* SPDX-License-Identifier: MIT */
/* Test helpers for rendered artifacts: a small hand-built model, running tools, reading YAML back. */
#include "render-check.h"

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <yaml.h>

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "util/xalloc.h"

#define NEW(m, T, n) ((T *) arena_alloc_array((m)->arena, (n), sizeof(T)))

static StrList strlist(Model *m, size_t n, const char *const *items) {
        StrList l = { NEW(m, const char *, n ? n : 1), n };
        for (size_t i = 0; i < n; i++)
                l.items[i] = arena_strdup(m->arena, items[i]);
        return l;
}
#define STRLIST(m, ...) strlist((m), ELEMENTSOF(((const char *[]) { __VA_ARGS__ })), (const char *[]) { __VA_ARGS__ })

static Limits no_limits(void) {
        return (Limits) { UNSET_U64, UNSET_U64, UNSET_U64, UNSET_U64, UNSET_U64, UNSET_U64 };
}

static HealthCheck check(const char *name, const char *component, HealthKind kind, const char *target, bool critical) {
        return (HealthCheck) {
                .name = name, .component = component, .kind = kind, .target = target,
                .interval = 10 * USEC_PER_SEC, .timeout = 2 * USEC_PER_SEC, .initial_delay = 15 * USEC_PER_SEC,
                .failures_before_critical = 2, .successes_before_passing = 3, .critical = critical,
        };
}

static Service service(const char *key, const char *name, const char *slice) {
        return (Service) {
                .key = key, .name = name, .description = key, .type = SERVICE_NOTIFY, .exec = "/usr/bin/true",
                .user = "mister-smith", .group = "mister-smith", .slice = slice,
                .restart = { RESTART_ON_FAILURE, 10 * USEC_PER_SEC, 5, 300 * USEC_PER_SEC, 0, USEC_UNSET },
                .watchdog = USEC_UNSET, .timeout_start = USEC_UNSET, .timeout_stop = USEC_UNSET,
                .resources = no_limits(), .limit_nofile = UNSET_U64,
        };
}

Model *check_model_new(void) {
        Arena *a = arena_new();
        Model *m = arena_alloc(a, sizeof(Model));
        *m = (Model) {
                .arena = a, .spec_path = "examples/mister-smith.yaml", .tier = "tier_3", .tier_title = "operational",
                .systemd_version = 252, .name = "mister-smith", .description = "Mister Smith",
                .prefix = "/opt/mister-smith", .config_dir = "/etc/mister-smith",
                .libexec_dir = "/usr/local/lib/mister-smith", .supervisor_path = "/usr/local/bin/msd-supervisor",
                .log_level = "warn", .target_description = "Mister Smith",
                .health_listen = "127.0.0.1:9091",
        };
        m->target_wanted_by = STRLIST(m, "multi-user.target");

        m->n_groups = 1;
        m->groups = NEW(m, Group, 1);
        m->groups[0].name = "mister-smith";

        m->n_users = 2;
        m->users = NEW(m, User, 2);
        m->users[0] = (User) { .name = "mister-smith", .group = "mister-smith", .description = "Mister \"Smith\" 100% agents",
                               .home = "/var/lib/mister-smith" };
        m->users[1] = (User) { .name = "mister-smith-nats", .group = "msnats", .description = "NATS" };
        m->users[1].groups = STRLIST(m, "mister-smith");

        m->n_directories = 3;
        m->directories = NEW(m, Directory, 3);
        m->directories[0] = (Directory) { "state", "/var/lib/mister-smith", "mister-smith", "mister-smith", 0750, false };
        m->directories[1] = (Directory) { "runtime", "/run/mister-smith", "mister-smith", "mister-smith", 0750, true };
        m->directories[2] = (Directory) { "odd", "/var/lib/mister-smith/odd dir 100%", "mister-smith", "mister-smith", 0700,
                                          false };

        m->n_env_files = 2;
        m->env_files = NEW(m, EnvFile, 2);
        m->env_files[0] = (EnvFile) { .key = "orchestrator", .owner = "root", .group = "mister-smith", .mode = 0640, .n_vars = 3 };
        m->env_files[0].vars = NEW(m, KeyValue, 3);
        m->env_files[0].vars[0] = (KeyValue) { "MISTER_SMITH_ROLE", "orchestrator" };
        m->env_files[0].vars[1] = (KeyValue) { "MISTER_SMITH_NATS_URL", "nats://127.0.0.1:4222" };
        m->env_files[0].vars[2] = (KeyValue) { "GREETING", "say \"hi\" to $USER `now` \\o/" };
        m->env_files[1] = (EnvFile) { .key = "worker", .path = "/etc/mister-smith/w.env", .owner = "root", .group = "mister-smith",
                                      .mode = 0600, .n_vars = 1 };
        m->env_files[1].vars = NEW(m, KeyValue, 1);
        m->env_files[1].vars[0] = (KeyValue) { "EMPTY", "" };

        m->n_slices = 2;
        m->slices = NEW(m, Slice, 2);
        m->slices[0] = (Slice) { "mister-smith", "mister-smith", "budget",
                                 { 8ULL << 30, 7ULL << 30, 800, 100, 100, 4096 }, NULL };
        m->slices[1] = (Slice) { "workers", "mister-smith-workers", "workers",
                                 { 3ULL << 30, UNSET_U64, 300, UNSET_U64, 200, UINT64_MAX }, &m->slices[0] };

        m->n_services = 3;
        m->services = NEW(m, Service, 3);
        Service *s = &m->services[0];
        *s = service("messaging", "mister-smith-messaging", "mister-smith-messaging");
        s->type = SERVICE_SIMPLE;
        s->n_checks = 2;
        s->checks = NEW(m, HealthCheck, 2);
        s->checks[0] = check("nats-client", "messaging", HEALTH_TCP, "127.0.0.1:4222", true);
        s->checks[1] = check("nats-monitor", "messaging", HEALTH_HTTP, "http://127.0.0.1:8222/healthz?x='1'", true);

        s = &m->services[1];
        *s = service("orchestrator", "mister-smith-orchestrator", "mister-smith-orchestrator");
        s->supervisor = true;
        s->n_secrets = 1;
        s->secrets = NEW(m, Secret, 1);
        s->secrets[0] = (Secret) { "api-key", "/etc/mister-smith/credentials/api-key" };

        s = &m->services[2];
        *s = service("worker", "mister-smith-worker@", "mister-smith-workers");
        s->templated = true;
        s->instances = STRLIST(m, "1", "2");
        s->n_checks = 1;
        s->checks = NEW(m, HealthCheck, 1);
        s->checks[0] = check("worker-process", "worker", HEALTH_PROCESS, "msd-demo-agent", false);

        m->n_checks = 2;
        m->checks = NEW(m, HealthCheck, 2);
        m->checks[0] = check("state-dir-writable", "state-dir-writable", HEALTH_SCRIPT,
                             "/usr/local/lib/mister-smith/system-health-check.sh", false);
        m->checks[1] = check("state-db", "state-db", HEALTH_DATABASE, "127.0.0.1:4222", false);
        m->checks[1].database = "tcp";

        m->n_alerts = 5;
        m->alerts = NEW(m, Alert, 5);
        m->alerts[0] = (Alert) { "MisterSmithServiceDown", "service_down", 0, 60 * USEC_PER_SEC, "critical" };
        m->alerts[1] = (Alert) { "MisterSmithMemoryPressure", "memory", 90, 5 * 60 * USEC_PER_SEC, "warning" };
        m->alerts[2] = (Alert) { "MisterSmithCpuSaturated", "cpu", 85.5, 90 * USEC_PER_SEC, "warning" };
        m->alerts[3] = (Alert) { "MisterSmithHealthCheckFailing", "health_check", 0, 2 * 60 * USEC_PER_SEC, "critical" };
        m->alerts[4] = (Alert) { "MisterSmithSlowHealthChecks", "latency", 2, 10 * 60 * USEC_PER_SEC, "warning" };

        Supervision *sv = &m->supervision;
        sv->listen = "127.0.0.1:9090";
        sv->phi_threshold = 8;
        sv->phi_max_samples = 1000;
        sv->phi_min_stddev = 500 * USEC_PER_MSEC;
        sv->phi_acceptable_pause = 0;
        sv->n_workers = 2;
        sv->workers = NEW(m, SvWorker, 2);
        sv->workers[0] = (SvWorker) { .name = "planner", .exec = "/opt/mister-smith/bin/agent --role planner",
                                      .restart = CHILD_PERMANENT, .shutdown = 5 * USEC_PER_SEC,
                                      .readiness = READINESS_NOTIFY, .critical = true, .n_environment = 1 };
        sv->workers[0].environment = NEW(m, KeyValue, 1);
        sv->workers[0].environment[0] = (KeyValue) { "AGENT_MODE", "yes" };
        sv->workers[1] = (SvWorker) { .name = "bridge", .exec = "/opt/mister-smith/bin/agent --role 'bridge'",
                                      .restart = CHILD_TRANSIENT, .shutdown = USEC_INFINITY,
                                      .readiness = READINESS_CHECK, .check = "http://127.0.0.1:9121/health",
                                      .user = "mister-smith", .group = "mister-smith" };
        sv->n_supervisors = 2;
        sv->supervisors = NEW(m, SvSupervisor, 2);
        Backoff bo = { BACKOFF_EXPONENTIAL, 500 * USEC_PER_MSEC, 30 * USEC_PER_SEC, 2, 0.2, 10 * USEC_PER_SEC,
                       300 * USEC_PER_SEC };
        sv->supervisors[0] = (SvSupervisor) { .name = "RootSupervisor", .strategy = STRATEGY_ONE_FOR_ONE, .intensity = 3,
                                              .period = 60 * USEC_PER_SEC, .shutdown = USEC_INFINITY, .backoff = bo,
                                              .n_children = 2 };
        sv->supervisors[1] = (SvSupervisor) { .name = "Workers", .strategy = STRATEGY_REST_FOR_ONE, .intensity = 10,
                                              .period = 30 * USEC_PER_SEC, .shutdown = USEC_INFINITY, .backoff = bo,
                                              .n_children = 1 };
        sv->supervisors[0].children = NEW(m, SvChildRef, 2);
        sv->supervisors[0].children[0] = (SvChildRef) { .name = "planner", .worker = &sv->workers[0] };
        sv->supervisors[0].children[1] = (SvChildRef) { .name = "Workers", .supervisor = &sv->supervisors[1] };
        sv->supervisors[1].children = NEW(m, SvChildRef, 1);
        sv->supervisors[1].children[0] = (SvChildRef) { .name = "bridge", .worker = &sv->workers[1] };
        sv->root = &sv->supervisors[0];
        return m;
}

void check_model_free(Model *m) {
        if (m)
                arena_free(m->arena);
}

int check_run(const char *const *argv, const char *data, char **ret_output) {
        char in_path[] = "/tmp/msdeploy-test-in-XXXXXX", out_path[] = "/tmp/msdeploy-test-out-XXXXXX";
        int in = mkstemp(in_path), outfd = mkstemp(out_path);
        if (in < 0 || outfd < 0)
                return -errno;
        if (data && write(in, data, strlen(data)) != (ssize_t) strlen(data))
                return -EIO;
        lseek(in, 0, SEEK_SET);
        pid_t pid = fork();
        if (pid < 0)
                return -errno;
        if (pid == 0) {
                dup2(in, 0);
                dup2(outfd, 1);
                dup2(outfd, 2);
                execvp(argv[0], (char *const *) argv);
                _exit(127);
        }
        int status;
        waitpid(pid, &status, 0);
        close(in);
        unlink(in_path);
        FILE *f = fdopen(outfd, "r");
        fseek(f, 0, SEEK_SET);
        StrBuf b = {};
        char buf[4096];
        size_t n;
        while ((n = fread(buf, 1, sizeof(buf), f)) > 0)
                sb_appendn(&b, buf, n);
        fclose(f);
        unlink(out_path);
        *ret_output = sb_take(&b, NULL);
        return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

char *check_shellcheck(const char *script) {
        StrBuf b = {};
        char *out = NULL;
        int r = check_run((const char *const[]) { "shellcheck", "--shell=bash", "-", NULL }, script, &out);
        sb_append(&b, out);
        if (r != 0 && !*out)
                sb_printf(&b, "shellcheck exited with %d\n", r);
        free(out);
        r = check_run((const char *const[]) { "bash", "-n", NULL }, script, &out);
        sb_append(&b, out);
        if (r != 0 && !*out)
                sb_printf(&b, "bash -n exited with %d\n", r);
        free(out);
        return sb_take(&b, NULL);
}

char *check_tmpdir(void) {
        char *d = xstrdup("/tmp/msdeploy-test-XXXXXX");
        if (!mkdtemp(d))
                abort();
        return d;
}

static int rm_one(const char *path, const struct stat *st, int flag, struct FTW *ftw) {
        (void) st, (void) flag, (void) ftw;
        return remove(path);
}

void check_rm_rf(char *dir) {
        if (dir && strncmp(dir, "/tmp/msdeploy-test-", 19) == 0)
                nftw(dir, rm_one, 16, FTW_DEPTH | FTW_PHYS);
        free(dir);
}

void check_write(const char *dir, const char *rel, const char *data, mode_t mode) {
        StrBuf p = {};
        sb_printf(&p, "%s/%s", dir, rel);
        for (char *s = strchr(p.s + strlen(dir) + 1, '/'); s; s = strchr(s + 1, '/')) {
                *s = 0;
                mkdir(p.s, 0755);
                *s = '/';
        }
        FILE *f = fopen(p.s, "we");
        if (!f)
                abort();
        fputs(data, f);
        fclose(f);
        chmod(p.s, mode);
        sb_free(&p);
}

bool check_yaml_valid(const char *text) {
        yaml_parser_t p;
        yaml_document_t doc;
        yaml_parser_initialize(&p);
        yaml_parser_set_input_string(&p, (const unsigned char *) text, strlen(text));
        bool ok = yaml_parser_load(&p, &doc) && yaml_document_get_root_node(&doc);
        if (ok)
                yaml_document_delete(&doc);
        yaml_parser_delete(&p);
        return ok;
}

/* Walks the dotted path; returns the node or NULL. */
static yaml_node_t *yaml_walk(yaml_document_t *doc, const char *path) {
        yaml_node_t *n = yaml_document_get_root_node(doc);
        char *copy = xstrdup(path), *save = NULL;
        for (char *part = *path ? strtok_r(copy, ".", &save) : NULL; part && n; part = strtok_r(NULL, ".", &save)) {
                yaml_node_t *next = NULL;
                if (n->type == YAML_MAPPING_NODE) {
                        for (yaml_node_pair_t *pr = n->data.mapping.pairs.start; pr < n->data.mapping.pairs.top; pr++) {
                                yaml_node_t *k = yaml_document_get_node(doc, pr->key);
                                if (k->type == YAML_SCALAR_NODE && strcmp((char *) k->data.scalar.value, part) == 0)
                                        next = yaml_document_get_node(doc, pr->value);
                        }
                } else if (n->type == YAML_SEQUENCE_NODE) {
                        long i = strtol(part, NULL, 10);
                        if (i >= 0 && i < n->data.sequence.items.top - n->data.sequence.items.start)
                                next = yaml_document_get_node(doc, n->data.sequence.items.start[i]);
                }
                n = next;
        }
        free(copy);
        return n;
}

static bool yaml_load(const char *text, yaml_parser_t *p, yaml_document_t *doc) {
        yaml_parser_initialize(p);
        yaml_parser_set_input_string(p, (const unsigned char *) text, strlen(text));
        if (!yaml_parser_load(p, doc)) {
                yaml_parser_delete(p);
                return false;
        }
        return true;
}

char *check_yaml_get(const char *text, const char *path, bool *ret_quoted) {
        yaml_parser_t p;
        yaml_document_t doc;
        if (!yaml_load(text, &p, &doc))
                return NULL;
        yaml_node_t *n = yaml_walk(&doc, path);
        char *v = NULL;
        if (n && n->type == YAML_SCALAR_NODE) {
                v = xstrdup((char *) n->data.scalar.value);
                if (ret_quoted)
                        *ret_quoted = n->data.scalar.style != YAML_PLAIN_SCALAR_STYLE;
        }
        yaml_document_delete(&doc);
        yaml_parser_delete(&p);
        return v;
}

int check_yaml_len(const char *text, const char *path) {
        yaml_parser_t p;
        yaml_document_t doc;
        if (!yaml_load(text, &p, &doc))
                return -1;
        yaml_node_t *n = yaml_walk(&doc, path);
        int len = !n                               ? -1
                  : n->type == YAML_MAPPING_NODE  ? (int) (n->data.mapping.pairs.top - n->data.mapping.pairs.start)
                  : n->type == YAML_SEQUENCE_NODE ? (int) (n->data.sequence.items.top - n->data.sequence.items.start)
                                                  : -1;
        yaml_document_delete(&doc);
        yaml_parser_delete(&p);
        return len;
}

void check_assert_yaml(const char *text, const char *path, const char *expected) {
        char *v = check_yaml_get(text, path, NULL);
        if (!v)
                fail_msg("no scalar at '%s'", path);
        assert_string_equal(v, expected);
        free(v);
}
