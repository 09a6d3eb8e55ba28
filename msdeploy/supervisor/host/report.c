/* SPDX-License-Identifier: MIT */
/* The HTTP endpoint's routes: GET /health (JSON; 503 when unhealthy), /health/NAME, /tree and /metrics
 * (Prometheus text), all computed from the live tree and health checks on each request. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <systemd/sd-daemon.h>

#include "supervisor/host/monitor.h"
#include "supervisor/core/prom.h"
#include "supervisor/host/runtime-internal.h"
#include "util/json.h"
#include "util/xalloc.h"

/* A worker's health: up passes; starting warns; down while it should run (crashed, backing off) is critical. */
static SvCheckStatus worker_status(const SvNode *n) {
        return n->state == SV_UP ? SV_CHECK_STATUS_PASSING : n->state == SV_STARTING ? SV_CHECK_STATUS_WARNING : SV_CHECK_STATUS_CRITICAL;
}

SvHealth system_health(Runtime *r, const char *component) {
        SvHealthItem *items = NULL;
        size_t n = 0;
        SvNode **nodes = NULL;
        size_t n_nodes = r->tree && !component ? sv_tree_nodes(r->tree, &nodes) : 0;
        items = xcalloc(n_nodes + 1, sizeof(SvHealthItem));
        for (size_t i = 0; i < n_nodes; i++)
                if (nodes[i]->worker && !nodes[i]->removed)
                        items[n++] = (SvHealthItem) { worker_status(nodes[i]), nodes[i]->worker->critical };
        n = sv_aggregator_items(r->aggregator, component, &items, n);
        SvHealth h = sv_health_system(items, n);
        free(items);
        return h;
}

static void child_json(StrBuf *b, const SvNode *n) {
        const NodeHost *h = n->host;
        json_quote(b, n->name);
        sb_append(b, ": {\"status\": ");
        json_quote(b, n->removed ? "removed" : sv_check_status_to_string(worker_status(n)));
        sb_append(b, ", \"state\": ");
        json_quote(b, sv_state_to_string(n->state));
        sb_printf(b, ", \"critical\": %s, \"pid\": %d, \"restarts\": %u", n->worker->critical ? "true" : "false", (int) n->pid, n->restarts);
        if (h && h->status) {
                sb_append(b, ", \"message\": ");
                json_quote(b, h->status);
        }
        sb_append(b, "}");
}

static int on_health(void *userdata, const char *method, const char *path, StrBuf *body, const char **ret_type) {
        (void) method;
        Runtime *r = userdata;
        const char *name = strncmp(path, "/health/", 8) == 0 && path[8] ? path + 8 : NULL;
        if (!name && strcmp(path, "/health") != 0 && strcmp(path, "/health/") != 0)
                return 404;
        *ret_type = "application/json";
        SvHealth health = system_health(r, name);
        SvNode *child = name && r->tree ? sv_tree_find(r->tree, name) : NULL;
        if (child && child->worker) { /* one child */
                sb_append(body, "{");
                child_json(body, child);
                sb_append(body, "}\n");
                return child->removed || worker_status(child) != SV_CHECK_STATUS_CRITICAL ? 200 : 503;
        }
        StrBuf components = {};
        if (sv_aggregator_json(r->aggregator, name, &components) < 0) {
                sb_free(&components);
                sb_printf(body, "{\"error\": \"no component or child named ");
                json_quote(body, name);
                sb_append(body, "\"}\n");
                return 404;
        }
        sb_append(body, "{\"status\": ");
        json_quote(body, sv_health_to_string(health));
        sb_append(body, ", \"project\": ");
        json_quote(body, r->config->project);
        if (!name && r->tree) {
                sb_append(body, ", \"children\": {");
                SvNode **nodes;
                size_t n = sv_tree_nodes(r->tree, &nodes);
                bool first = true;
                for (size_t i = 0; i < n; i++)
                        if (nodes[i]->worker) {
                                sb_append(body, first ? "" : ", ");
                                child_json(body, nodes[i]);
                                first = false;
                        }
                sb_append(body, "}");
        }
        sb_append(body, ", ");
        sb_append(body, components.s);
        sb_append(body, "}\n");
        sb_free(&components);
        return health == SV_HEALTH_UNHEALTHY ? 503 : 200;
}

static void node_json(StrBuf *b, const SvNode *n, usec_t now) {
        sb_append(b, "{\"name\": ");
        json_quote(b, n->name);
        sb_printf(b, ", \"type\": \"%s\", \"state\": ", n->sup ? "supervisor" : "worker");
        json_quote(b, n->removed ? "removed" : sv_state_to_string(n->state));
        sb_printf(b, ", \"restarts\": %u", n->restarts);
        if (n->sup) {
                sb_printf(b, ", \"strategy\": \"%s\", \"intensity\": %u, \"period_ms\": %llu, \"children\": [", strategy_to_string(n->sup->strategy),
                          n->sup->intensity, (unsigned long long) (n->sup->period / USEC_PER_MSEC));
                for (size_t i = 0; i < n->n_children; i++) {
                        sb_append(b, i ? ", " : "");
                        node_json(b, n->children[i], now);
                }
                sb_append(b, "]}");
                return;
        }
        const NodeHost *h = n->host;
        sb_printf(b, ", \"pid\": %d, \"last_exit\": %d, \"restart_type\": \"%s\", \"readiness\": \"%s\", \"critical\": %s", (int) n->pid,
                  n->last_exit, child_restart_to_string(n->worker->restart), readiness_to_string(n->worker->readiness),
                  n->worker->critical ? "true" : "false");
        if (n->state == SV_UP)
                sb_printf(b, ", \"uptime_ms\": %llu", (unsigned long long) ((now - n->started_at) / USEC_PER_MSEC));
        if (h && h->phi.started)
                sb_printf(b, ", \"phi\": %.3f, \"heartbeats\": %llu", sv_phi_value(&h->phi, now), (unsigned long long) h->phi.n_heartbeats);
        if (h && h->status) {
                sb_append(b, ", \"message\": ");
                json_quote(b, h->status);
        }
        sb_append(b, "}");
}

static int on_tree(void *userdata, const char *method, const char *path, StrBuf *body, const char **ret_type) {
        (void) method, (void) path;
        Runtime *r = userdata;
        *ret_type = "application/json";
        sb_append(body, "{\"project\": ");
        json_quote(body, r->config->project);
        sb_append(body, ", \"root\": ");
        if (r->tree)
                node_json(body, sv_tree_root(r->tree), now_monotonic(r));
        else
                sb_append(body, "null");
        sb_append(body, "}\n");
        return 200;
}

/* Figures to write: a target name and its sample each. */
typedef struct Samples {
        const char **targets;
        char **paths;            /* cgroups sampled, each once; owned */
        SvResourceSample *samples;
        size_t n, n_paths;
} Samples;

static void samples_add(Samples *s, const char *target, const SvResourceSample *sample) {
        s->targets = xreallocarray(s->targets, s->n + 1, sizeof(char *));
        s->samples = xreallocarray(s->samples, s->n + 1, sizeof(SvResourceSample));
        s->targets[s->n] = target;
        s->samples[s->n++] = *sample;
}

/* A unit's cgroup and the slices above it, each named after its last component ("x.service",
 * "app.slice"), each sampled once. */
static void samples_add_cgroup(Samples *s, const char *path) {
        char *p = xstrdup(path);
        for (bool first = true;; first = false) {
                char *slash = strrchr(p, '/');
                const char *name = slash ? slash + 1 : p;
                size_t len = strlen(name);
                if (!name[0] || (!first && (len < 6 || strcmp(name + len - 6, ".slice") != 0)))
                        break;
                bool seen = false;
                for (size_t i = 0; i < s->n_paths && !seen; i++)
                        seen = strcmp(s->paths[i], p) == 0;
                SvResourceSample sample;
                if (!seen && sv_monitor_sample(NULL, p, 0, &sample) > 0) {
                        s->paths = xreallocarray(s->paths, s->n_paths + 1, sizeof(char *));
                        s->paths[s->n_paths] = xstrdup(p);
                        samples_add(s, strrchr(s->paths[s->n_paths], '/') + 1, &sample);
                        s->n_paths++;
                }
                if (!slash || slash == p)
                        break;
                *slash = 0;
        }
        free(p);
}

/* Resource figures sampled now (a scrape costs a few small file reads; an idle supervisor needs no
 * sampling timer): every running child from /proc (children share the supervisor's cgroup: their own
 * figures say more), msd-supervisor's own unit and the slices above it, the components' units and
 * their slices; then the host's network. */
static void resource_metrics(Runtime *r, StrBuf *body) {
        Samples s = {};
        SvNode **nodes = NULL;
        size_t n = r->tree ? sv_tree_nodes(r->tree, &nodes) : 0;
        SvResourceSample sample;
        for (size_t i = 0; i < n; i++)
                if (nodes[i]->worker && nodes[i]->pid > 0 && sv_monitor_sample(NULL, NULL, nodes[i]->pid, &sample) > 0)
                        samples_add(&s, nodes[i]->name, &sample);
        _cleanup_free_ char *own = NULL;
        if (sv_monitor_cgroup_path_of_pid(NULL, getpid(), &own) >= 0)
                samples_add_cgroup(&s, own);
        const SvUnitState *units;
        size_t n_units = sv_units_list(sv_aggregator_units(r->aggregator), &units);
        for (size_t i = 0; i < n_units; i++)
                if (units[i].control_group)
                        samples_add_cgroup(&s, units[i].control_group);
        if (s.n > 0)
                sv_monitor_metrics_many(body, r->config->project, s.targets, s.samples, s.n);
        for (size_t i = 0; i < s.n_paths; i++)
                free(s.paths[i]);
        free(s.paths);
        free(s.targets);
        free(s.samples);
        SvNetDev *devs = NULL;
        size_t n_devs = 0;
        if (sv_monitor_net_dev(NULL, &devs, &n_devs) >= 0)
                sv_monitor_net_metrics(body, r->config->project, devs, n_devs);
        free(devs);
        SvTcpStats tcp;
        if (sv_monitor_tcp(NULL, &tcp) >= 0)
                sv_monitor_tcp_metrics(body, r->config->project, &tcp);
}

static int on_metrics(void *userdata, const char *method, const char *path, StrBuf *body, const char **ret_type) {
        (void) method, (void) path;
        Runtime *r = userdata;
        const char *project = r->config->project;
        *ret_type = SV_PROM_CONTENT_TYPE;
        sv_prom_family(body, "msd_health_status", "gauge", "0 healthy, 1 degraded, 2 unhealthy");
        sv_prom_sample(body, "msd_health_status", (const char *const[]) { "project", project, NULL }, (double) system_health(r, NULL));
        if (r->tree) {
                SvNode **nodes;
                size_t n = sv_tree_nodes(r->tree, &nodes);
                usec_t now = now_monotonic(r);
                sv_prom_family(body, "msd_child_up", "gauge", "1 when the supervised child is running and ready");
                for (size_t i = 0; i < n; i++)
                        if (nodes[i]->worker)
                                sv_prom_sample(body, "msd_child_up",
                                               (const char *const[]) { "project", project, "supervisor", nodes[i]->parent->name, "child", nodes[i]->name, NULL },
                                               nodes[i]->state == SV_UP);
                sv_prom_family(body, "msd_child_restarts_total", "counter", "restarts of the child (or child supervisor)");
                for (size_t i = 0; i < n; i++)
                        if (nodes[i]->parent)
                                sv_prom_sample(body, "msd_child_restarts_total",
                                               (const char *const[]) { "project", project, "supervisor", nodes[i]->parent->name, "child", nodes[i]->name, NULL },
                                               nodes[i]->restarts);
                sv_prom_family(body, "msd_child_phi", "gauge", "phi accrual suspicion of the child from its heartbeats");
                for (size_t i = 0; i < n; i++) {
                        const NodeHost *h = nodes[i]->host;
                        if (nodes[i]->worker && h->phi.started)
                                sv_prom_sample(body, "msd_child_phi",
                                               (const char *const[]) { "project", project, "supervisor", nodes[i]->parent->name, "child", nodes[i]->name, NULL },
                                               sv_phi_value(&h->phi, now));
                }
        }
        sv_aggregator_metrics(r->aggregator, project, body);
        resource_metrics(r, body);
        alerts_metrics(r, body);
        return 200;
}

int report_start(Runtime *r) {
        static const SvRoute routes[] = {
                { "/health", true, on_health },
                { "/tree", false, on_tree },
                { "/metrics", false, on_metrics },
        };
        int listen_fd = -1;
        if (sd_listen_fds(0) == 1) /* socket activation */
                listen_fd = SD_LISTEN_FDS_START;
        return sv_endpoint_new(r->event, r->config->listen, listen_fd, routes, sizeof(routes) / sizeof(routes[0]), r, &r->endpoint);
}
