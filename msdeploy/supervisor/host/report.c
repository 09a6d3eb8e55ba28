/* SPDX-License-Identifier: MIT */
/* The HTTP endpoint's routes: GET /health (JSON; 503 when unhealthy), /health/NAME, /tree and /metrics
 * (Prometheus text), all computed from the live tree and health checks on each request. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <systemd/sd-daemon.h>

#include "supervisor/core/prom.h"
#include "supervisor/host/monitor.h"
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

static void child_json(JsonWriter *w, const SvNode *n) {
        const NodeHost *h = n->host;
        json_key(w, n->name);
        json_object_begin(w);
        json_kv_string(w, "status", n->removed ? "removed" : sv_check_status_to_string(worker_status(n)));
        json_kv_string(w, "state", sv_state_to_string(n->state));
        json_kv_bool(w, "critical", n->worker->critical);
        json_kv_int(w, "pid", n->pid);
        json_kv_uint(w, "restarts", n->restarts);
        if (h && h->status)
                json_kv_string(w, "message", h->status);
        json_object_end(w);
}

/* GET /health: the system, its children and components; /health/NAME: one child, or one component. */
static int on_health(void *userdata, const char *method, const char *path, StrBuf *body, const char **ret_type) {
        (void) method;
        Runtime *r = userdata;
        const char *name = strncmp(path, "/health/", 8) == 0 && path[8] ? path + 8 : NULL;
        if (!name && strcmp(path, "/health") != 0 && strcmp(path, "/health/") != 0)
                return 404;
        *ret_type = "application/json";
        JsonWriter w = json_writer(body, JSON_COMPACT);
        json_object_begin(&w);
        SvNode *child = name && r->tree ? sv_tree_find(r->tree, name) : NULL;
        int status;
        if (child && child->worker) { /* one child */
                child_json(&w, child);
                status = child->removed || worker_status(child) != SV_CHECK_STATUS_CRITICAL ? 200 : 503;
        } else if (name && !sv_aggregator_has(r->aggregator, name)) {
                _cleanup_free_ char *error = NULL;
                if (asprintf(&error, "no component or child named '%s'", name) < 0)
                        xoom();
                json_kv_string(&w, "error", error); /* the name as valid UTF-8, whatever the request held */
                status = 404;
        } else {
                SvHealth health = system_health(r, name);
                json_kv_string(&w, "status", sv_health_to_string(health));
                json_kv_string(&w, "project", r->config->project);
                if (!name && r->tree) {
                        json_key(&w, "children");
                        json_object_begin(&w);
                        SvNode **nodes;
                        size_t n = sv_tree_nodes(r->tree, &nodes);
                        for (size_t i = 0; i < n; i++)
                                if (nodes[i]->worker)
                                        child_json(&w, nodes[i]);
                        json_object_end(&w);
                }
                sv_aggregator_json(r->aggregator, name, &w);
                status = health == SV_HEALTH_UNHEALTHY ? 503 : 200;
        }
        json_object_end(&w);
        sb_putc(body, '\n');
        return status;
}

static void node_json(JsonWriter *w, const SvNode *n, usec_t now) {
        json_object_begin(w);
        json_kv_string(w, "name", n->name);
        json_kv_string(w, "type", n->sup ? "supervisor" : "worker");
        json_kv_string(w, "state", n->removed ? "removed" : sv_state_to_string(n->state));
        json_kv_uint(w, "restarts", n->restarts);
        if (n->sup) {
                json_kv_string(w, "strategy", strategy_to_string(n->sup->strategy));
                json_kv_uint(w, "intensity", n->sup->intensity);
                json_kv_uint(w, "period_ms", n->sup->period / USEC_PER_MSEC);
                json_key(w, "children");
                json_array_begin(w);
                for (size_t i = 0; i < n->n_children; i++)
                        node_json(w, n->children[i], now);
                json_array_end(w);
                json_object_end(w);
                return;
        }
        const NodeHost *h = n->host;
        json_kv_int(w, "pid", n->pid);
        json_kv_int(w, "last_exit", n->last_exit);
        json_kv_string(w, "restart_type", child_restart_to_string(n->worker->restart));
        json_kv_string(w, "readiness", readiness_to_string(n->worker->readiness));
        json_kv_bool(w, "critical", n->worker->critical);
        if (n->state == SV_UP)
                json_kv_uint(w, "uptime_ms", (now - n->started_at) / USEC_PER_MSEC);
        if (h && h->phi.started) {
                json_key(w, "phi");
                json_double_fixed(w, sv_phi_value(&h->phi, now), 3);
                json_kv_uint(w, "heartbeats", h->phi.n_heartbeats);
        }
        if (h && h->status)
                json_kv_string(w, "message", h->status);
        json_object_end(w);
}

static int on_tree(void *userdata, const char *method, const char *path, StrBuf *body, const char **ret_type) {
        (void) method, (void) path;
        Runtime *r = userdata;
        *ret_type = "application/json";
        JsonWriter w = json_writer(body, JSON_COMPACT);
        json_object_begin(&w);
        json_kv_string(&w, "project", r->config->project);
        json_key(&w, "root");
        if (r->tree)
                node_json(&w, sv_tree_root(r->tree), now_monotonic(r));
        else
                json_null(&w);
        json_object_end(&w);
        sb_putc(body, '\n');
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
