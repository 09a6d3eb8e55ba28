/* SPDX-License-Identifier: MIT */
/* msd-supervisor at run time: the tree's host. Child exits come from sd-event's child sources, timers
 * from its monotonic clock, READY/WATCHDOG from the notify socket; nothing sleeps or polls. */
#include "supervisor/host/runtime.h"

#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <systemd/sd-daemon.h>
#include <time.h>
#include <unistd.h>

#include "supervisor/host/log.h"
#include "supervisor/host/runtime-internal.h"
#include "supervisor/host/spawn.h"
#include "util/xalloc.h"

usec_t now_monotonic(Runtime *r) {
        uint64_t t = 0;
        (void) sd_event_now(r->event, CLOCK_MONOTONIC, &t);
        return t;
}

/* An exit is news when nobody asked for it: a worker's exit after a stop request, or a clean exit, is not. */
static int exit_priority(const SvNode *n) {
        if (n->worker && ((n->state == SV_STOPPING && !n->failing) || n->last_exit == 0))
                return LOG_INFO;
        return LOG_WARNING;
}

static int event_priority(const char *what) {
        if (strcmp(what, "escalating") == 0)
                return LOG_ERR;
        if (strcmp(what, "failing") == 0 || strcmp(what, "shutdown timeout") == 0)
                return LOG_WARNING;
        if (strcmp(what, "deleted") == 0)
                return LOG_DEBUG;
        return LOG_INFO;
}

static void log_node(Runtime *r, SvNode *n, const char *what) {
        if (n->worker && strcmp(what, "started") == 0 && n->pid > 0)
                sv_log_info("%s: started, pid %d", n->name, (int) n->pid);
        else if (strcmp(what, "exited") == 0)
                sv_log(exit_priority(n), "%s: exited with status %d", n->name, n->last_exit);
        else if (strcmp(what, "restarting") == 0) {
                usec_t now = now_monotonic(r);
                sv_log_notice("%s: restarting in %.3fs (restart %u)", n->name,
                              (double) (n->restart_at > now ? n->restart_at - now : 0) / 1e6, n->restarts);
        } else if (!(strcmp(what, "up") == 0 && n->worker && n->worker->readiness == READINESS_NONE)) /* up when started */
                sv_log(event_priority(what), "%s: %s", n->name, what);
}

/* STATUS= at most this often: under a restart storm systemd needs no thousand updates a second. */
#define STATUS_MIN_INTERVAL (200 * USEC_PER_MSEC)

static int on_status_timer(sd_event_source *s, uint64_t usec, void *userdata);

/* One line for systemctl status, sent when it changes, held back while the last one is recent. */
static void send_status(Runtime *r) {
        usec_t now = now_monotonic(r);
        if (r->status_timer)
                return; /* already due */
        if (r->status_sent_at && now < r->status_sent_at + STATUS_MIN_INTERVAL) {
                (void) sd_event_add_time(r->event, &r->status_timer, CLOCK_MONOTONIC, r->status_sent_at + STATUS_MIN_INTERVAL,
                                         TIMER_ACCURACY, on_status_timer, r);
                return;
        }
        SvNode **nodes;
        size_t n = sv_tree_nodes(r->tree, &nodes), workers = 0, up = 0;
        unsigned restarts = 0;
        for (size_t i = 0; i < n; i++) {
                restarts += nodes[i]->restarts;
                if (nodes[i]->worker && !nodes[i]->removed) {
                        workers++;
                        up += nodes[i]->state == SV_UP;
                }
        }
        if (up == r->status_up && workers == r->status_workers && restarts == r->status_restarts)
                return;
        r->status_up = up, r->status_workers = workers, r->status_restarts = restarts;
        r->status_sent_at = now;
        sd_notifyf(0, "STATUS=%zu/%zu workers up, %u restarts", up, workers, restarts);
}

static int on_status_timer(sd_event_source *s, uint64_t usec, void *userdata) {
        (void) s, (void) usec;
        Runtime *r = userdata;
        r->status_timer = sd_event_source_disable_unref(r->status_timer);
        send_status(r);
        return 0;
}

static bool anyone_leaving(Runtime *r);
static void free_retired(Runtime *r);

static int on_deleted(sd_event_source *s, void *userdata) {
        (void) s;
        Runtime *r = userdata;
        if (!anyone_leaving(r))
                free_retired(r);
        return 0;
}

static void on_event(void *userdata, SvNode *n, const char *what) {
        Runtime *r = userdata;
        log_node(r, n, what);
        if (n->worker && strcmp(what, "up") == 0)
                liveness_ready(n->host);
        if (strcmp(what, "deleted") == 0 && r->n_retired > 0)
                (void) sd_event_add_defer(r->event, NULL, on_deleted, r); /* once the node is gone */
        if (!r->ready_sent && sv_tree_root(r->tree)->state == SV_UP && sv_tree_critical_up(r->tree)) {
                r->ready_sent = true;
                sd_notify(0, "READY=1");
        }
        send_status(r);
}

static int on_child(sd_event_source *s, const siginfo_t *si, void *userdata) {
        (void) s;
        NodeHost *h = userdata;
        pid_t pid = si->si_pid;
        int status = si->si_code == CLD_EXITED ? si->si_status : 128 + si->si_status;
        h->child = sd_event_source_disable_unref(h->child);
        h->kill_timer = sd_event_source_disable_unref(h->kill_timer);
        liveness_stopped(h);
        (void) kill(-pid, SIGKILL); /* whatever it left in its process group goes with it */
        sv_tree_exited(h->rt->tree, h->node, status, now_monotonic(h->rt));
        return 0;
}

/* Log lines are written once per loop iteration, however many events it had. */
static int on_log_flush(sd_event_source *s, void *userdata) {
        (void) s, (void) userdata;
        (void) fflush(stderr);
        return 0;
}

static int op_spawn(void *userdata, SvNode *n) {
        Runtime *r = userdata;
        NodeHost *h = n->host;
        int k = 0;
        if (!h->plan) {
                SvSpawn sp = {
                        .command = n->worker->exec,
                        .env = n->worker->environment,
                        .n_env = n->worker->n_environment,
                        .env_files = &n->worker->env_files,
                        .credentials = n->worker->credentials,
                        .n_credentials = n->worker->n_credentials,
                        .notify_socket = sv_notify_address(r->notify),
                        .watchdog_usec = CHILD_WATCHDOG_USEC,
                        .user = n->worker->user,
                        .group = n->worker->group,
                        .name = n->name,
                };
                k = sv_spawn_plan_new(&sp, &h->plan);
        }
        pid_t pid;
        if (k >= 0)
                k = sv_spawn_start(h->plan, &pid);
        if (k < 0) {
                const char *dir = getenv("CREDENTIALS_DIRECTORY");
                if (k == -ENOKEY)
                        sv_log_error("%s: cannot start '%s': a credential it names is not in $CREDENTIALS_DIRECTORY ('%s'); "
                                     "load it with LoadCredential= in the unit that runs msd-supervisor",
                                     n->name, n->worker->exec, dir ? dir : "");
                else
                        sv_log_error("%s: cannot start '%s': %s", n->name, n->worker->exec, strerror(-k));
                return k;
        }
        k = sd_event_add_child(r->event, &h->child, pid, WEXITED, on_child, h);
        if (k < 0) {
                (void) kill(-pid, SIGKILL);
                (void) waitpid(pid, NULL, 0);
                return k;
        }
        n->pid = pid;
        h->last_heartbeat = now_monotonic(r);
        free(h->status);
        h->status = NULL;
        liveness_started(r, h);
        return 0;
}

static int on_kill_timer(sd_event_source *s, uint64_t usec, void *userdata) {
        (void) s, (void) usec;
        NodeHost *h = userdata;
        if (h->node->pid > 0) {
                sv_log_warning("%s: did not stop in time, killing", h->node->name);
                (void) kill(-h->node->pid, SIGKILL);
        }
        return 0;
}

static void op_kill(void *userdata, SvNode *n) {
        Runtime *r = userdata;
        NodeHost *h = n->host;
        if (n->pid <= 0)
                return;
        (void) kill(-n->pid, SIGTERM);
        (void) kill(-n->pid, SIGCONT);
        usec_t timeout = n->worker->shutdown;
        if (timeout != USEC_INFINITY && !h->kill_timer)
                (void) sd_event_add_time_relative(r->event, &h->kill_timer, CLOCK_MONOTONIC, timeout, TIMER_ACCURACY, on_kill_timer, h);
}

static void op_kill_now(void *userdata, SvNode *n) {
        (void) userdata;
        if (n->pid > 0)
                (void) kill(-n->pid, SIGKILL);
}

static int on_timer(sd_event_source *s, uint64_t usec, void *userdata) {
        (void) s;
        NodeHost *h = userdata;
        h->timer = sd_event_source_disable_unref(h->timer);
        sv_tree_timer(h->rt->tree, h->node, usec);
        return 0;
}

static void op_arm_timer(void *userdata, SvNode *n, usec_t at) {
        Runtime *r = userdata;
        NodeHost *h = n->host;
        h->timer = sd_event_source_disable_unref(h->timer);
        (void) sd_event_add_time(r->event, &h->timer, CLOCK_MONOTONIC, at, TIMER_ACCURACY, on_timer, h);
}

/* The backoff delay, stretched while the child's restart breaker is open: a child that keeps dying
 * young (a dependency down, say) waits out the breaker instead of feeding a restart storm. */
static usec_t op_restart_delay(void *userdata, SvNode *n, usec_t uptime) {
        Runtime *r = userdata;
        NodeHost *h = n->host;
        usec_t now = now_monotonic(r), delay = sv_backoff_next(&h->backoff, &h->policy, uptime, &r->rng);
        sv_breaker_record(&h->restarts, uptime >= h->policy.min_uptime, now);
        if (!sv_breaker_allow(&h->restarts, now)) {
                usec_t retry = sv_breaker_retry_at(&h->restarts);
                if (retry != USEC_INFINITY && retry > now + delay) {
                        sv_log_warning("%s: restart breaker open, next start in %.1fs", n->name, (double) (retry - now) / 1e6);
                        delay = retry - now;
                }
        }
        return delay;
}

static void op_root_down(void *userdata, bool failed) {
        Runtime *r = userdata;
        if (failed)
                sv_log_error("the root supervisor failed: restart intensity exceeded, exiting");
        (void) sd_event_exit(r->event, failed ? 1 : 0);
}

/* Restart breaker: of the last 10 lives, judged from 5, 80 % dying before min_uptime opens it for 10 s,
 * doubling after a failed probe up to 5 min. */
static const SvBreakerPolicy restart_breaker = {
        .window = 10, .min_calls = 5, .failure_rate = 80, .wait = 10 * USEC_PER_SEC, .max_wait = 5 * 60 * USEC_PER_SEC, .probes = 1,
};

/* The backoff policy a node gets from its supervisor's configuration. */
static void set_policy(NodeHost *h) {
        const SvSupervisor *parent = h->node->parent ? h->node->parent->sup : NULL;
        if (!parent)
                return;
        const Backoff *b = &parent->backoff;
        h->policy = (SvBackoffPolicy) {
                .kind = b->kind,
                .base = b->base,
                .cap = b->cap < b->base ? b->base : b->cap,
                .multiplier = b->multiplier,
                .jitter = b->jitter,
                .min_uptime = b->min_uptime,
                .reset_after = b->reset_after,
        };
}

/* The runtime's state of a node (its NodeHost), made when the node joins the tree. */
static int host_attach(Runtime *r, SvNode *n) {
        NodeHost *h = xcalloc(1, sizeof(NodeHost));
        h->rt = r;
        h->node = n;
        n->host = h;
        set_policy(h);
        sv_backoff_init(&h->backoff, &h->policy);
        (void) sv_breaker_init(&h->restarts, &restart_breaker);
        return n->worker ? liveness_init(r, h) : 0;
}

static void host_free(SvNode *n) {
        NodeHost *h = n->host;
        if (!h)
                return;
        sd_event_source_disable_unref(h->child);
        sd_event_source_disable_unref(h->kill_timer);
        sd_event_source_disable_unref(h->timer);
        sv_spawn_plan_free(h->plan);
        if (n->worker)
                liveness_free(h);
        free(h->status);
        free(h);
        n->host = NULL;
}

static void op_attach(void *userdata, SvNode *n) {
        int k = host_attach(userdata, n);
        if (k < 0)
                sv_log_warning("%s: no failure detection for it (%s), ignoring", n->name, strerror(-k));
}

static void op_detach(void *userdata, SvNode *n) {
        (void) userdata;
        host_free(n);
}

static const SvTreeOps tree_ops = {
        .spawn = op_spawn,
        .kill = op_kill,
        .kill_now = op_kill_now,
        .arm_timer = op_arm_timer,
        .restart_delay = op_restart_delay,
        .event = on_event,
        .root_down = op_root_down,
        .attach = op_attach,
        .detach = op_detach,
};

/* The node a notify message came from: by PID, else by process group (a child's own children). */
static SvNode *sender(Runtime *r, pid_t pid) {
        SvNode *n = sv_tree_find_pid(r->tree, pid);
        if (n)
                return n;
        pid_t pgid = getpgid(pid);
        return pgid > 0 ? sv_tree_find_pid(r->tree, pgid) : NULL;
}

static void on_notify(void *userdata, const SvNotifyMessage *m) {
        Runtime *r = userdata;
        SvNode *n = sender(r, m->pid);
        if (!n)
                return; /* not one of ours (any more) */
        NodeHost *h = n->host;
        usec_t now = now_monotonic(r);
        if (m->status) {
                free(h->status);
                h->status = xstrdup(m->status);
        }
        if (m->watchdog) {
                h->last_heartbeat = now;
                liveness_heartbeat(r, h, now);
        }
        if (m->ready && n->worker->readiness == READINESS_NOTIFY)
                sv_tree_ready(r->tree, n, now);
}

/* WATCHDOG=1 every WATCHDOG_USEC/2, from the loop itself: a stuck loop stops the pings, and so does an
 * unhealthy system, so that systemd's watchdog restarts the whole service. */
static int on_watchdog(sd_event_source *s, uint64_t usec, void *userdata) {
        (void) usec;
        Runtime *r = userdata;
        if (system_health(r, NULL) != SV_HEALTH_UNHEALTHY)
                (void) sd_notify(0, "WATCHDOG=1");
        (void) sd_event_source_set_time_relative(s, r->watchdog_interval);
        return sd_event_source_set_enabled(s, SD_EVENT_ONESHOT);
}

static void kill_everything(Runtime *r) {
        SvNode **nodes;
        size_t n = sv_tree_nodes(r->tree, &nodes);
        for (size_t i = 0; i < n; i++)
                if (nodes[i]->pid > 0)
                        (void) kill(-nodes[i]->pid, SIGKILL);
}

/* Nodes a reload dropped keep their settings (names, commands) in the configuration they came from until
 * they are deleted: a replaced configuration is freed once no node is leaving. */
static bool anyone_leaving(Runtime *r) {
        SvNode **nodes;
        size_t n = r->tree ? sv_tree_nodes(r->tree, &nodes) : 0;
        for (size_t i = 0; i < n; i++)
                if (nodes[i]->leaving)
                        return true;
        return false;
}

static void free_retired(Runtime *r) {
        for (size_t i = 0; i < r->n_retired; i++)
                sv_config_free(r->retired[i]);
        free(r->retired);
        r->retired = NULL;
        r->n_retired = 0;
}

static void retire_config(Runtime *r, SvConfig *c) {
        r->retired = xreallocarray(r->retired, r->n_retired + 1, sizeof(SvConfig *));
        r->retired[r->n_retired++] = c;
        if (!anyone_leaving(r))
                free_retired(r);
}

/* SIGHUP: read the configuration again and apply only what changed. A configuration that does not
 * load, or a tree of another shape, leaves everything as it was. */
static void reload(Runtime *r) {
        usec_t now = now_monotonic(r);
        (void) sd_notifyf(0, "RELOADING=1\nMONOTONIC_USEC=%llu\nSTATUS=reloading", (unsigned long long) now);
        r->status_workers = SIZE_MAX; /* STATUS= says "reloading" now: the summary is to be sent again */
        Diags d = {};
        SvConfig *next = NULL;
        int k = sv_config_load(r->config_path, &next, &d);
        diags_sort(&d);
        sv_log_diags(&d);
        diags_clear(&d);
        const char *why = "invalid configuration";
        if (k >= 0 && !next->supervision.root != !r->tree) {
                k = -EINVAL;
                why = "a supervision tree and health aggregation do not turn into each other: restart msd-supervisor for that";
        }
        SvReloadStats st = {};
        if (k >= 0 && r->tree) {
                SvConfig *old = r->config;
                r->config = next; /* what nodes the reload adds read when they join */
                k = sv_tree_reload(r->tree, &next->supervision, now, &st);
                r->config = old;
                why = "the tree is shutting down";
        }
        if (k < 0) {
                sv_log_error("reload of '%s' refused (%s), keeping the running configuration", r->config_path, why);
                sv_config_free(next);
                (void) sd_notify(0, "READY=1");
                send_status(r);
                return;
        }
        sv_log_info("reloaded '%s': %u replaced, %u added, %u removed", r->config_path, st.replaced, st.added, st.removed);
        if (r->tree) {
                SvNode **nodes;
                size_t n = sv_tree_nodes(r->tree, &nodes);
                for (size_t i = 0; i < n; i++) {
                        NodeHost *h = nodes[i]->host;
                        set_policy(h);
                        h->plan = sv_spawn_plan_free(h->plan); /* users, environment: read again at the next start */
                }
        }
        /* health checks start over with the new list; the endpoint keeps its address */
        SvAggregator *agg = NULL;
        if (next->n_components > 0 && sv_aggregator_new(r->event, next, &agg) < 0)
                sv_log_error("the new health checks cannot run, keeping none");
        sv_aggregator_free(r->aggregator);
        r->aggregator = agg;
        alerts_stop(r); /* the rules live in the configuration */
        retire_config(r, r->config);
        r->config = next;
        if (alerts_start(r) < 0)
                sv_log_error("the new alert rules cannot run, keeping none");
        (void) sd_notify(0, "READY=1");
        send_status(r);
}

static int on_signal(sd_event_source *s, const struct signalfd_siginfo *si, void *userdata) {
        (void) s;
        Runtime *r = userdata;
        switch (si->ssi_signo) {
        case SIGTERM:
        case SIGINT:
                if (r->terms++ > 0 && r->tree) { /* a second one: no more waiting */
                        sv_log_warning("second termination request, killing every child now");
                        kill_everything(r);
                        return sd_event_exit(r->event, 1);
                }
                (void) sd_notify(0, "STOPPING=1\nSTATUS=stopping children");
                sv_log_info("SIG%s received: stopping%s", sigabbrev_np((int) si->ssi_signo),
                            r->tree ? " the children, the last started first" : "");
                if (!r->tree)
                        return sd_event_exit(r->event, 0);
                sv_tree_shutdown(r->tree, now_monotonic(r));
                return 0;
        case SIGHUP:
                reload(r);
                return 0;
        }
        return 0;
}

/* A stop request is handled first: when systemd signals the children too (KillMode=control-group), their
 * exits in the same iteration are then stops, not crashes to restart. The loop owns the source. */
static int add_stop_signal(Runtime *r, int sig) {
        sd_event_source *s = NULL;
        int k = sd_event_add_signal(r->event, &s, sig, on_signal, r);
        if (k < 0)
                return k;
        (void) sd_event_source_set_priority(s, SD_EVENT_PRIORITY_IMPORTANT);
        k = sd_event_source_set_floating(s, true);
        sd_event_source_unref(s);
        return k;
}

int runtime_new(const char *path, SvConfig *config, Runtime **ret) {
        Runtime *r = xcalloc(1, sizeof(Runtime));
        r->config = config;
        r->config_path = path;
        sv_rng_seed(&r->rng, (uint64_t) getpid() ^ (uint64_t) time(NULL));
        int k = sd_event_new(&r->event);
        if (k < 0)
                goto fail;
        sigset_t mask;
        sigemptyset(&mask);
        sigaddset(&mask, SIGCHLD);
        sigaddset(&mask, SIGTERM);
        sigaddset(&mask, SIGINT);
        sigaddset(&mask, SIGHUP);
        sigprocmask(SIG_BLOCK, &mask, NULL);
        if ((k = add_stop_signal(r, SIGTERM)) < 0 || (k = add_stop_signal(r, SIGINT)) < 0 ||
            (k = sd_event_add_signal(r->event, NULL, SIGHUP, on_signal, r)) < 0 ||
            (k = sd_event_add_post(r->event, &r->log_flush, on_log_flush, r)) < 0)
                goto fail;
        setvbuf(stderr, NULL, _IOFBF, BUFSIZ); /* written by on_log_flush */
        k = sv_notify_new(r->event, on_notify, r, &r->notify);
        if (k < 0)
                goto fail;
        SvNode **nodes = NULL;
        size_t n = 0;
        if (config->supervision.root) { /* else health-aggregator mode: checks only */
                k = sv_tree_new(&config->supervision, &tree_ops, r, &r->tree);
                if (k < 0)
                        goto fail;
                n = sv_tree_nodes(r->tree, &nodes);
        }
        for (size_t i = 0; i < n; i++)
                if ((k = host_attach(r, nodes[i])) < 0)
                        goto fail;
        if (config->n_components > 0 && (k = sv_aggregator_new(r->event, config, &r->aggregator)) < 0)
                goto fail;
        if ((k = alerts_start(r)) < 0)
                goto fail;
        if (config->listen && (k = report_start(r)) < 0) {
                sv_log_error("cannot listen on %s: %s", config->listen, strerror(-k));
                goto fail;
        }
        uint64_t wd;
        if (sd_watchdog_enabled(0, &wd) > 0) {
                r->watchdog_interval = wd / 2;
                k = sd_event_add_time_relative(r->event, &r->watchdog, CLOCK_MONOTONIC, r->watchdog_interval, TIMER_ACCURACY, on_watchdog, r);
                if (k < 0)
                        goto fail;
        }
        *ret = r;
        return 0;
fail:
        runtime_free(r);
        return k;
}

Runtime *runtime_free(Runtime *r) {
        if (!r)
                return NULL;
        if (r->tree) {
                SvNode **nodes;
                size_t n = sv_tree_nodes(r->tree, &nodes);
                for (size_t i = 0; i < n; i++)
                        host_free(nodes[i]);
                sv_tree_free(r->tree);
        }
        alerts_stop(r);
        sv_endpoint_free(r->endpoint);
        sv_aggregator_free(r->aggregator);
        sv_notify_free(r->notify);
        sd_event_source_disable_unref(r->watchdog);
        sd_event_source_disable_unref(r->status_timer);
        sd_event_source_disable_unref(r->log_flush);
        sd_event_unref(r->event);
        free_retired(r);
        sv_config_free(r->config);
        free(r);
        return NULL;
}

int runtime_run(Runtime *r) {
        if (r->tree)
                sv_tree_start(r->tree, now_monotonic(r));
        else
                (void) sd_notify(0, "READY=1\nSTATUS=health aggregation");
        (void) fflush(stderr);
        int k = sd_event_loop(r->event);
        if (r->tree)
                kill_everything(r); /* nothing outlives the supervisor */
        return k < 0 ? 1 : k;
}

