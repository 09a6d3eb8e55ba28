/* SPDX-License-Identifier: MIT */
/* Fuzz target: msd-supervisor's configuration loader, then the supervision tree it describes driven through its
 * operations table by a recording host with the events the rest of the input says.
 *
 * Input: the configuration (supervisor.yaml or health-checks.yaml), then optionally a NUL and the events, two bytes
 * each: what happens (a worker is ready, exits, is failed by the host, a timer fires, time passes, the next spawn
 * fails, a reload with the same configuration, shutdown) and to which node or with what value. Without events: every
 * worker becomes ready in turn, one exits, then shutdown.
 *
 * Checked: every supervisor and worker the configuration declares is one node of the tree, named as no other; the
 * tree asks to spawn only workers that have no process and to kill only workers that have one; a
 * worker has a process exactly while it is starting, up or stopping; no spawn once the root is down; and after
 * shutdown, with every exit delivered and every timer fired, the root goes down with no process left. */
#include <errno.h>
#include <string.h>

#include "consumers.h"
#include "supervisor/config.h"
#include "supervisor/core/tree.h"
#include "util/xalloc.h"

#define MAX_EVENTS 512
#define DRAIN_STEPS 10000

typedef struct NodeRec {
        bool alive;      /* its process runs */
        bool killed;     /* asked to stop */
        usec_t timer_at; /* 0: no timer armed */
} NodeRec;

typedef struct Host {
        pid_t next_pid;
        bool spawn_fails;
        usec_t delay;
        int down;        /* 0 running, 1 stopped, 2 failed */
        SvTree *tree;
} Host;

static NodeRec *rec(SvNode *n) {
        if (!n->host)
                n->host = xcalloc(1, sizeof(NodeRec));
        return n->host;
}

static int op_spawn(void *userdata, SvNode *n) {
        Host *h = userdata;
        if (!n->worker)
                fuzz_violation("spawn of supervisor '%s'", n->name);
        if (rec(n)->alive)
                fuzz_violation("spawn of '%s', whose process runs", n->name);
        if (h->down)
                fuzz_violation("spawn of '%s' after the root went down", n->name);
        if (h->spawn_fails) {
                h->spawn_fails = false;
                return -ENOENT;
        }
        n->pid = h->next_pid++;
        rec(n)->alive = true;
        rec(n)->killed = false;
        return 0;
}

static void op_kill(void *userdata, SvNode *n) {
        (void) userdata;
        if (!n->worker || !rec(n)->alive)
                fuzz_violation("kill of '%s', which has no process", n->name);
        rec(n)->killed = true;
}

static void op_arm(void *userdata, SvNode *n, usec_t at) {
        (void) userdata;
        rec(n)->timer_at = at;
}

static usec_t op_delay(void *userdata, SvNode *n, usec_t uptime) {
        (void) n, (void) uptime;
        return ((Host *) userdata)->delay;
}

static void op_down(void *userdata, bool failed) {
        ((Host *) userdata)->down = failed ? 2 : 1;
}

static void op_attach(void *userdata, SvNode *n) {
        (void) userdata;
        rec(n);
}

static void op_detach(void *userdata, SvNode *n) {
        (void) userdata;
        if (n->host && ((NodeRec *) n->host)->alive)
                fuzz_violation("'%s' leaves the tree with its process running", n->name);
        free(n->host);
        n->host = NULL;
}

static const SvTreeOps ops = {
        .spawn = op_spawn, .kill = op_kill, .kill_now = op_kill, .arm_timer = op_arm, .restart_delay = op_delay,
        .root_down = op_down, .attach = op_attach, .detach = op_detach,
};

/* A worker has a process exactly while it is starting, up or stopping. */
static void check_states(Host *h) {
        SvNode **nodes;
        size_t n = sv_tree_nodes(h->tree, &nodes);
        for (size_t i = 0; i < n; i++) {
                if (!nodes[i]->worker)
                        continue;
                SvState s = nodes[i]->state;
                bool running = s == SV_STARTING || s == SV_UP || s == SV_STOPPING;
                if (running != rec(nodes[i])->alive)
                        fuzz_violation("'%s' is %s, yet its process %s", nodes[i]->name, sv_state_to_string(s),
                                       rec(nodes[i])->alive ? "runs" : "does not run");
        }
}

static void exited(Host *h, SvNode *n, int status, usec_t now) {
        rec(n)->alive = false;
        rec(n)->killed = false;
        n->pid = 0;
        sv_tree_exited(h->tree, n, status, now);
}

/* Fires the earliest armed timer; false when none is. */
static bool fire_timer(Host *h, usec_t *now) {
        SvNode **nodes, *first = NULL;
        size_t n = sv_tree_nodes(h->tree, &nodes);
        for (size_t i = 0; i < n; i++)
                if (rec(nodes[i])->timer_at && (!first || rec(nodes[i])->timer_at < rec(first)->timer_at))
                        first = nodes[i];
        if (!first)
                return false;
        if (rec(first)->timer_at > *now)
                *now = rec(first)->timer_at;
        rec(first)->timer_at = 0;
        sv_tree_timer(h->tree, first, *now);
        return true;
}

/* Shutdown, then every exit and timer until the root is down. */
static void drain(Host *h, usec_t now) {
        if (!h->down)
                sv_tree_shutdown(h->tree, now);
        for (unsigned step = 0; !h->down && step < DRAIN_STEPS; step++) {
                SvNode **nodes, *victim = NULL;
                size_t n = sv_tree_nodes(h->tree, &nodes);
                for (size_t i = 0; i < n && !victim; i++)
                        if (rec(nodes[i])->alive && rec(nodes[i])->killed)
                                victim = nodes[i];
                now += USEC_PER_MSEC;
                if (victim)
                        exited(h, victim, 128 + 15, now);
                else if (!fire_timer(h, &now))
                        fuzz_violation("shutdown stalls: no process to exit, no timer, and the root is not down");
                check_states(h);
        }
        if (!h->down)
                fuzz_violation("shutdown did not finish in %u steps", DRAIN_STEPS);
        SvNode **nodes;
        size_t n = sv_tree_nodes(h->tree, &nodes);
        for (size_t i = 0; i < n; i++)
                if (rec(nodes[i])->alive)
                        fuzz_violation("'%s' still runs after the root went down", nodes[i]->name);
}

static void run_events(Host *h, SvConfig *config, const char *path, const uint8_t *ev, size_t n_ev) {
        static const uint8_t standard[] = { 0, 0, 0, 1, 0, 2, 0, 3, 0, 4, 1, 1 };
        if (n_ev == 0) {
                ev = standard;
                n_ev = sizeof(standard);
        }
        SvConfig **retired = NULL;
        size_t n_retired = 0;
        usec_t now = USEC_PER_SEC;
        sv_tree_start(h->tree, now);
        check_states(h);
        for (size_t i = 0; i + 1 < n_ev && i < 2 * MAX_EVENTS && !h->down; i += 2) {
                SvNode **nodes;
                size_t n = sv_tree_nodes(h->tree, &nodes);
                SvNode *node = nodes[ev[i + 1] % n];
                bool alive = rec(node)->alive;
                switch (ev[i] % 8) {
                case 0: /* READY=1 (or the readiness check passed) */
                        if (alive)
                                sv_tree_ready(h->tree, node, now);
                        break;
                case 1:
                        if (alive)
                                exited(h, node, ev[i] / 8, now);
                        break;
                case 2: /* phi accrual, health checks or start_timeout */
                        if (alive && (node->state == SV_UP || node->state == SV_STARTING))
                                sv_tree_fail(h->tree, node, now);
                        break;
                case 3:
                        fire_timer(h, &now);
                        break;
                case 4:
                        now += (usec_t) ev[i + 1] * 100 * USEC_PER_MSEC;
                        h->delay = (usec_t) (ev[i + 1] % 16) * 250 * USEC_PER_MSEC;
                        break;
                case 5:
                        h->spawn_fails = true;
                        break;
                case 6: { /* SIGHUP: the same file read again */
                        Diags d = {};
                        SvConfig *next = NULL;
                        if (sv_config_load(path, &next, &d) < 0 || !next->supervision.root)
                                fuzz_violation("the configuration does not load a second time");
                        SvReloadStats st;
                        sv_tree_reload(h->tree, &next->supervision, now, &st);
                        diags_clear(&d);
                        /* nodes being stopped keep pointing into the configuration they were made from */
                        retired = xreallocarray(retired, n_retired + 1, sizeof(SvConfig *));
                        retired[n_retired++] = config;
                        config = next;
                        break;
                }
                case 7:
                        sv_tree_shutdown(h->tree, now);
                        break;
                }
                check_states(h);
        }
        drain(h, now);
        SvNode **nodes;
        size_t n = sv_tree_nodes(h->tree, &nodes);
        for (size_t i = 0; i < n; i++) {
                free(nodes[i]->host);
                nodes[i]->host = NULL;
        }
        h->tree = sv_tree_free(h->tree);
        sv_config_free(config);
        for (size_t i = 0; i < n_retired; i++)
                sv_config_free(retired[i]);
        free(retired);
}

/* An accepted configuration runs what it declares: every supervisor and worker is one node of the tree, under a
 * name no other node has. */
static void check_declared(SvTree *t, const Supervision *s) {
        SvNode **nodes;
        size_t n = sv_tree_nodes(t, &nodes);
        for (size_t i = 0; i < n; i++)
                for (size_t j = 0; j < i; j++)
                        if (strcmp(nodes[i]->name, nodes[j]->name) == 0)
                                fuzz_violation("two nodes of the tree are named '%s'", nodes[i]->name);
        size_t n_declared = s->n_supervisors + s->n_workers;
        for (size_t i = 0; i < n_declared; i++) {
                const char *name = i < s->n_supervisors ? s->supervisors[i].name : s->workers[i - s->n_supervisors].name;
                if (!sv_tree_find(t, name))
                        fuzz_violation("'%s' is declared, and never runs: it is not in the tree", name);
                for (size_t j = 0; j < i; j++) {
                        const char *other = j < s->n_supervisors ? s->supervisors[j].name : s->workers[j - s->n_supervisors].name;
                        if (strcmp(name, other) == 0)
                                fuzz_violation("'%s' is declared twice: one of them never runs", name);
                }
        }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        const uint8_t *nul = memchr(data, 0, size);
        size_t n_text = nul ? (size_t) (nul - data) : size;
        const char *path = fuzz_memfd_path((const char *) data, n_text);
        Diags d = {};
        SvConfig *config = NULL;
        int r = sv_config_load(path, &config, &d);
        if (r >= 0 && diags_failed(&d))
                fuzz_violation("sv_config_load() succeeds with errors");
        diags_clear(&d);
        if (r < 0 || !config->supervision.root) {
                sv_config_free(config);
                return 0;
        }
        Host h = { .next_pid = 100 };
        if (sv_tree_new(&config->supervision, &ops, &h, &h.tree) < 0)
                fuzz_violation("sv_tree_new() refuses a configuration that loaded");
        check_declared(h.tree, &config->supervision);
        run_events(&h, config, path, nul ? nul + 1 : NULL, nul ? size - n_text - 1 : 0);
        return 0;
}
