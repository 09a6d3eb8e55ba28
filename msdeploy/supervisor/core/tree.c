/* SPDX-License-Identifier: MIT */
/* The supervision tree as a pure state machine. Every event ends in reconcile() of the supervisor
 * concerned, which takes at most one step at a time: stop the last running child marked to stop (reverse
 * start order), else start the first child that should run (start order), else report the supervisor up,
 * stopped or failed to its parent. */
#include "supervisor/core/tree.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "util/xalloc.h"
#include "util/enum-table.h"

struct SvTree {
        SvTreeOps ops;
        void *userdata;
        SvNode *root;
        SvNode **all;      /* depth first, start order */
        size_t n_all;
};

static const char *const sv_state_table[_SV_STATE_MAX] = {
        [SV_STOPPED] = "stopped",
        [SV_WAITING] = "waiting",
        [SV_STARTING] = "starting",
        [SV_UP] = "up",
        [SV_STOPPING] = "stopping",
};
ENUM_TO_STRING(sv_state, SvState, _SV_STATE_MAX)

static void event(SvTree *t, SvNode *n, const char *what) {
        if (t->ops.event)
                t->ops.event(t->userdata, n, what);
}

static SvNode *build(const SvSupervisor *sup, const SvWorker *worker, SvNode *parent, size_t index) {
        SvNode *n = xcalloc(1, sizeof(SvNode));
        *n = (SvNode) { .name = sup ? sup->name : worker->name, .sup = sup, .worker = worker, .parent = parent, .index = index };
        if (sup) {
                n->n_restart_times = (size_t) sup->intensity + 1;
                n->restart_times = xcalloc(n->n_restart_times, sizeof(usec_t));
                n->children = xcalloc(sup->n_children + 1, sizeof(SvNode *));
                for (size_t i = 0; i < sup->n_children; i++)
                        n->children[n->n_children++] = build(sup->children[i].supervisor, sup->children[i].worker, n, i);
        }
        return n;
}

/* t->all: every node depth first in start order, made again whenever nodes come or go */
static void list_nodes(SvTree *t, SvNode *n) {
        t->all[t->n_all++] = n;
        for (size_t i = 0; i < n->n_children; i++)
                list_nodes(t, n->children[i]);
}

static size_t count_nodes(const SvNode *n) {
        size_t c = 1;
        for (size_t i = 0; i < n->n_children; i++)
                c += count_nodes(n->children[i]);
        return c;
}

static void index_nodes(SvTree *t) {
        t->all = xreallocarray(t->all, count_nodes(t->root), sizeof(SvNode *));
        t->n_all = 0;
        list_nodes(t, t->root);
}

static void free_node(SvTree *t, SvNode *n) {
        for (size_t i = 0; i < n->n_children; i++)
                free_node(t, n->children[i]);
        if (t && t->ops.detach)
                t->ops.detach(t->userdata, n);
        free(n->children);
        free(n->restart_times);
        free(n);
}

int sv_tree_new(const Supervision *config, const SvTreeOps *ops, void *userdata, SvTree **ret) {
        if (!config->root)
                return -EINVAL;
        SvTree *t = xcalloc(1, sizeof(SvTree));
        t->ops = *ops;
        t->userdata = userdata;
        t->root = build(config->root, NULL, NULL, 0);
        index_nodes(t);
        *ret = t;
        return 0;
}

SvTree *sv_tree_free(SvTree *t) {
        if (!t)
                return NULL;
        free_node(NULL, t->root); /* the host frees its own state of a whole tree */
        free(t->all);
        free(t);
        return NULL;
}

SvNode *sv_tree_root(SvTree *t) {
        return t->root;
}

size_t sv_tree_nodes(SvTree *t, SvNode ***ret) {
        *ret = t ? t->all : NULL;
        return t ? t->n_all : 0;
}

SvNode *sv_tree_find_pid(SvTree *t, pid_t pid) {
        for (size_t i = 0; pid > 0 && i < t->n_all; i++)
                if (t->all[i]->worker && t->all[i]->pid == pid)
                        return t->all[i];
        return NULL;
}

SvNode *sv_tree_find(SvTree *t, const char *name) {
        for (size_t i = 0; i < t->n_all; i++)
                if (strcmp(t->all[i]->name, name) == 0)
                        return t->all[i];
        return NULL;
}

bool sv_tree_critical_up(SvTree *t) {
        for (size_t i = 0; i < t->n_all; i++) {
                const SvNode *n = t->all[i];
                if (n->worker && n->worker->critical && !n->removed && n->state != SV_UP)
                        return false;
        }
        return true;
}

static void reconcile(SvTree *t, SvNode *s, usec_t now);
static void failed(SvTree *t, SvNode *n, bool abnormal, usec_t now);

static bool running(const SvNode *n) {
        return n->state == SV_STARTING || n->state == SV_UP;
}

static void start(SvTree *t, SvNode *n, usec_t now) {
        n->state = SV_STARTING;
        n->replace_pending = false; /* a start takes the current settings */
        n->started_at = now;
        n->failing = false;
        if (n->sup) {
                event(t, n, "started");
                n->mode = SV_MODE_RUNNING;
                for (size_t i = 0; i < n->n_children; i++) /* a restarted supervisor starts all of its children again */
                        n->children[i]->must_stop = n->children[i]->removed = false;
                reconcile(t, n, now);
                return;
        }
        if (t->ops.spawn(t->userdata, n) < 0) {
                n->pid = 0;
                n->last_exit = 127;
                event(t, n, "exited");
                failed(t, n, /* abnormal= */ true, now); /* backs off like any crash: nothing busy-loops */
                return;
        }
        event(t, n, "started");
        if (n->worker->readiness == READINESS_NONE) {
                n->state = SV_UP;
                event(t, n, "up");
                reconcile(t, n->parent, now);
        }
}

static void stop(SvTree *t, SvNode *n, usec_t now) {
        n->state = SV_STOPPING;
        if (n->sup) {
                n->mode = SV_MODE_SHUTDOWN;
                /* a child supervisor gets its shutdown time for the whole subtree, then it is killed */
                if (n->parent && n->sup->shutdown != USEC_INFINITY) {
                        n->stop_deadline = now + n->sup->shutdown;
                        t->ops.arm_timer(t->userdata, n, n->stop_deadline);
                }
                for (size_t i = 0; i < n->n_children; i++)
                        n->children[i]->must_stop = true;
                reconcile(t, n, now);
                return;
        }
        t->ops.kill(t->userdata, n);
}

/* n is down as it was asked to be. */
static void stopped(SvTree *t, SvNode *n, usec_t now) {
        n->state = SV_STOPPED;
        n->pid = 0;
        n->stop_deadline = 0;
        event(t, n, "stopped");
        if (n->parent)
                reconcile(t, n->parent, now);
        else
                t->ops.root_down(t->userdata, /* failed= */ false);
}

/* Records a restart in s's intensity window; true when it makes more than 'intensity' in 'period'. */
static bool intensity_exceeded(SvNode *s, usec_t now) {
        s->restart_times[s->restart_ring_pos] = now;
        s->restart_ring_pos = (s->restart_ring_pos + 1) % s->n_restart_times;
        /* the oldest of the last intensity+1 restarts, 0 while fewer happened */
        usec_t oldest = s->restart_times[s->restart_ring_pos];
        return oldest != 0 && now - oldest < s->sup->period;
}

static void escalate(SvTree *t, SvNode *s, usec_t now) {
        event(t, s, "escalating");
        s->mode = SV_MODE_ESCALATE;
        for (size_t i = 0; i < s->n_children; i++)
                s->children[i]->must_stop = true;
        reconcile(t, s, now);
}

/* n died on its own (or escalated): decide per its restart type and its supervisor's strategy. */
static void failed(SvTree *t, SvNode *n, bool abnormal, usec_t now) {
        SvNode *s = n->parent;
        n->state = SV_STOPPED;
        n->pid = 0;
        if (!s) {
                t->ops.root_down(t->userdata, /* failed= */ true);
                return;
        }
        if (s->mode != SV_MODE_RUNNING || n->leaving) { /* its supervisor is stopping anyway, or it is to go */
                reconcile(t, s, now);
                return;
        }
        ChildRestart type = n->worker ? n->worker->restart : CHILD_PERMANENT;
        if (type == CHILD_TEMPORARY || (type == CHILD_TRANSIENT && !abnormal)) {
                n->removed = true;
                event(t, n, "removed");
                reconcile(t, s, now);
                return;
        }
        if (intensity_exceeded(s, now)) {
                escalate(t, s, now);
                return;
        }
        n->restarts++;
        n->state = SV_WAITING;
        n->restart_at = now + t->ops.restart_delay(t->userdata, n, now - n->started_at);
        event(t, n, "restarting");
        for (size_t i = 0; i < s->n_children; i++) {
                SvNode *c = s->children[i];
                if (c != n && !c->removed &&
                    (s->sup->strategy == STRATEGY_ONE_FOR_ALL || (s->sup->strategy == STRATEGY_REST_FOR_ONE && i > n->index)))
                        c->must_stop = true;
        }
        reconcile(t, s, now);
}

/* Children a reload dropped are deleted once they are down. */
static void purge_leaving(SvTree *t, SvNode *s) {
        size_t k = 0;
        bool purged = false;
        for (size_t i = 0; i < s->n_children; i++) {
                SvNode *c = s->children[i];
                if (c->leaving && !running(c) && c->state != SV_STOPPING) {
                        event(t, c, "deleted");
                        free_node(t, c);
                        purged = true;
                        continue;
                }
                c->index = k;
                s->children[k++] = c;
        }
        s->n_children = k;
        if (purged)
                index_nodes(t);
}

static void reconcile(SvTree *t, SvNode *s, usec_t now) {
        /* one transition at a time */
        for (size_t i = 0; i < s->n_children; i++)
                if (s->children[i]->state == SV_STOPPING)
                        return;
        /* stops first, the last started first */
        for (size_t i = s->n_children; i-- > 0;) {
                SvNode *c = s->children[i];
                if (!c->must_stop)
                        continue;
                if (running(c)) {
                        stop(t, c, now);
                        return;
                }
                c->must_stop = false; /* down already */
                if (c->state == SV_WAITING && s->mode != SV_MODE_RUNNING)
                        c->state = SV_STOPPED;
                /* a temporary child stopped by a sibling's failure is removed, not restarted */
                if (s->mode == SV_MODE_RUNNING && c->worker && c->worker->restart == CHILD_TEMPORARY && !c->removed) {
                        c->removed = true;
                        event(t, c, "removed");
                }
        }
        purge_leaving(t, s);
        if (s->mode != SV_MODE_RUNNING) {
                if (s->mode == SV_MODE_ESCALATE) {
                        s->mode = SV_MODE_RUNNING;
                        event(t, s, "exited");
                        failed(t, s, /* abnormal= */ true, now);
                } else
                        stopped(t, s, now);
                return;
        }
        /* starts in order, one at a time; in one_for_one a child waiting for its delay does not hold up
         * the others, in the other strategies order is the point */
        bool independent = s->sup->strategy == STRATEGY_ONE_FOR_ONE;
        for (size_t i = 0; i < s->n_children; i++) {
                SvNode *c = s->children[i];
                if (c->removed || c->state == SV_UP)
                        continue;
                if (c->state == SV_STARTING)
                        return;
                if (c->state == SV_WAITING && c->restart_at > now) {
                        t->ops.arm_timer(t->userdata, c, c->restart_at);
                        if (independent)
                                continue;
                        return;
                }
                start(t, c, now);
                return;
        }
        /* reload replacements roll: one at a time, the next once the previous one is up again */
        for (size_t i = 0; i < s->n_children; i++) {
                SvNode *c = s->children[i];
                if (!c->replace_pending)
                        continue;
                c->replace_pending = false;
                if (!running(c))
                        continue; /* it died meanwhile: its restart takes the new settings anyway */
                c->replacing = true;
                c->state = SV_STOPPING;
                event(t, c, "replacing");
                t->ops.kill(t->userdata, c);
                return;
        }
        for (size_t i = 0; i < s->n_children; i++)
                if (!s->children[i]->removed && s->children[i]->state != SV_UP)
                        return; /* some child still waits for its delay */
        if (s->state == SV_STARTING) {
                s->state = SV_UP;
                event(t, s, "up");
                if (s->parent)
                        reconcile(t, s->parent, now);
        }
}

void sv_tree_start(SvTree *t, usec_t now) {
        start(t, t->root, now);
}

void sv_tree_shutdown(SvTree *t, usec_t now) {
        if (t->root->state == SV_STOPPED) {
                t->ops.root_down(t->userdata, /* failed= */ false);
                return;
        }
        if (t->root->state != SV_STOPPING)
                stop(t, t->root, now);
}

void sv_tree_ready(SvTree *t, SvNode *n, usec_t now) {
        if (!n->worker || n->state != SV_STARTING)
                return;
        n->state = SV_UP;
        event(t, n, "up");
        reconcile(t, n->parent, now);
}

void sv_tree_exited(SvTree *t, SvNode *n, int status, usec_t now) {
        if (!n->worker)
                return;
        n->last_exit = status;
        event(t, n, "exited");
        if (n->state == SV_STOPPING && n->replacing) { /* reload: start again in its turn, no restart counted */
                n->replacing = false;
                n->state = SV_STOPPED;
                n->pid = 0;
                event(t, n, "replaced");
                reconcile(t, n->parent, now);
                return;
        }
        if (n->state == SV_STOPPING && !n->failing) {
                stopped(t, n, now);
                return;
        }
        /* abnormal: anything but exit 0; a process the host killed because it failed is abnormal too */
        failed(t, n, /* abnormal= */ status != 0 || n->failing, now);
}

void sv_tree_fail(SvTree *t, SvNode *n, usec_t now) {
        (void) now;
        if (!n->worker || !running(n))
                return;
        n->failing = true;
        n->state = SV_STOPPING;
        event(t, n, "failing");
        t->ops.kill(t->userdata, n);
}

/* Every process under s, killed at once; their exits come back as usual. */
static void kill_subtree(SvTree *t, SvNode *s) {
        for (size_t i = 0; i < s->n_children; i++) {
                SvNode *c = s->children[i];
                if (c->sup)
                        kill_subtree(t, c);
                else if (c->pid > 0)
                        t->ops.kill_now(t->userdata, c);
        }
}

void sv_tree_timer(SvTree *t, SvNode *n, usec_t now) {
        if (n->state == SV_WAITING && n->restart_at <= now && n->parent)
                reconcile(t, n->parent, now);
        else if (n->sup && n->state == SV_STOPPING && n->stop_deadline && n->stop_deadline <= now) {
                n->stop_deadline = 0;
                event(t, n, "shutdown timeout");
                kill_subtree(t, n);
        }
}

static bool same_key_values(const KeyValue *a, size_t n_a, const KeyValue *b, size_t n_b) {
        if (n_a != n_b)
                return false;
        for (size_t i = 0; i < n_a; i++)
                if (strcmp(a[i].key, b[i].key) != 0 || strcmp(a[i].value, b[i].value) != 0)
                        return false;
        return true;
}

/* the same variables, env files and credentials (a file's content is read at each start: a reload does not look
 * into it) */
static bool same_env(const SvWorker *a, const SvWorker *b) {
        if (!same_key_values(a->environment, a->n_environment, b->environment, b->n_environment) ||
            !same_key_values(a->credentials, a->n_credentials, b->credentials, b->n_credentials) || a->env_files.n != b->env_files.n)
                return false;
        for (size_t i = 0; i < a->env_files.n; i++)
                if (strcmp(a->env_files.items[i], b->env_files.items[i]) != 0)
                        return false;
        return true;
}

static bool same_str(const char *a, const char *b) {
        return a == b || (a && b && strcmp(a, b) == 0);
}

/* Whether the running process would be started differently: then it must be replaced. */
static bool worker_changed(const SvWorker *a, const SvWorker *b) {
        return !same_str(a->exec, b->exec) || !same_str(a->user, b->user) || !same_str(a->group, b->group) || !same_env(a, b) ||
               a->readiness != b->readiness || !same_str(a->check, b->check);
}

/* The existing child of n that new_child (a supervisor or a worker) continues: same name, same kind. */
static SvNode *match_child(SvNode *n, const SvChildRef *new_child) {
        const char *name = new_child->supervisor ? new_child->supervisor->name : new_child->worker->name;
        for (size_t i = 0; i < n->n_children; i++) {
                SvNode *c = n->children[i];
                if (!c->leaving && !c->sup == !new_child->supervisor && strcmp(c->name, name) == 0)
                        return c;
        }
        return NULL;
}

static void apply(SvTree *t, SvNode *n, const SvSupervisor *sup, const SvWorker *worker, SvReloadStats *st);

/* n's children become sup's: matched ones continue (in the new order), new ones are built (stopped: the
 * reconcile starts them), dropped ones go last, marked to stop, so they are stopped before any start. */
static void apply_children(SvTree *t, SvNode *n, const SvSupervisor *sup, SvReloadStats *st) {
        SvNode **next = xcalloc(sup->n_children + n->n_children + 1, sizeof(SvNode *));
        bool *kept = xcalloc(n->n_children + 1, sizeof(bool));
        size_t k = 0;
        for (size_t i = 0; i < sup->n_children; i++) {
                const SvChildRef *ref = &sup->children[i];
                SvNode *c = match_child(n, ref);
                if (c) {
                        kept[c->index] = true;
                        apply(t, c, ref->supervisor, ref->worker, st);
                } else {
                        c = build(ref->supervisor, ref->worker, n, k);
                        st->added++;
                }
                c->index = k;
                next[k++] = c;
        }
        for (size_t i = 0; i < n->n_children; i++) {
                SvNode *c = n->children[i];
                if (kept[i])
                        continue;
                if (!c->leaving) {
                        c->leaving = true;
                        c->must_stop = true;
                        st->removed++;
                        event(t, c, "leaving");
                }
                c->index = k;
                next[k++] = c;
        }
        free(kept);
        free(n->children);
        n->children = next;
        n->n_children = k;
}

static void apply(SvTree *t, SvNode *n, const SvSupervisor *sup, const SvWorker *worker, SvReloadStats *st) {
        n->name = sup ? sup->name : worker->name; /* the old configuration's strings go away */
        if (sup) {
                if (sup->intensity != n->sup->intensity) { /* a fresh window of the new size */
                        free(n->restart_times);
                        n->n_restart_times = (size_t) sup->intensity + 1;
                        n->restart_times = xcalloc(n->n_restart_times, sizeof(usec_t));
                        n->restart_ring_pos = 0;
                }
                n->sup = sup;
                apply_children(t, n, sup, st);
                return;
        }
        bool changed = worker_changed(n->worker, worker);
        n->worker = worker;
        if (!changed || !running(n))
                return;
        n->replace_pending = true; /* its turn comes in reconcile() */
        st->replaced++;
}

/* Every running supervisor settles its children: stops of dropped ones, then starts of new ones. */
static void settle(SvTree *t, SvNode *s, usec_t now) {
        if (!s->sup || !running(s) || s->mode != SV_MODE_RUNNING)
                return;
        for (size_t i = 0; i < s->n_children; i++)
                settle(t, s->children[i], now);
        reconcile(t, s, now);
}

int sv_tree_reload(SvTree *t, const Supervision *config, usec_t now, SvReloadStats *ret) {
        *ret = (SvReloadStats) {};
        if (!config->root)
                return -EINVAL;
        for (size_t i = 0; i < t->n_all; i++)
                if (t->all[i]->sup && t->all[i]->mode != SV_MODE_RUNNING)
                        return -EBUSY;
        apply(t, t->root, config->root, NULL, ret);
        index_nodes(t);
        for (size_t i = 0; t->ops.attach && i < t->n_all; i++)
                if (!t->all[i]->host) /* new: nodes the host knows carry its state */
                        t->ops.attach(t->userdata, t->all[i]);
        settle(t, t->root, now);
        return 0;
}
