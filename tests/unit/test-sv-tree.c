/* SPDX-License-Identifier: MIT */
/* Tests of the supervision tree state machine with a recording host: exact start/stop/restart order of
 * every strategy, PID retention, restart types, intensity escalation, nesting, shutdown. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>

#include "supervisor/core/tree.h"
#include "util/strbuf.h"

typedef struct Host {
        StrBuf log;           /* "spawn a; kill c; ..." */
        pid_t next_pid;
        usec_t delay;         /* restart delay returned */
        int spawn_fails;      /* spawn returns an error this many times */
        int down;             /* 0: up, 1: stopped, 2: failed */
} Host;

static void logf_(Host *h, const char *what, const char *name) {
        sb_printf(&h->log, "%s%s %s", h->log.len ? "; " : "", what, name);
}

static int op_spawn(void *ud, SvNode *n) {
        Host *h = ud;
        if (h->spawn_fails > 0) {
                h->spawn_fails--;
                logf_(h, "spawn-fail", n->name);
                return -ENOENT;
        }
        n->pid = h->next_pid++;
        logf_(h, "spawn", n->name);
        return 0;
}
static void op_kill(void *ud, SvNode *n) {
        logf_(ud, "kill", n->name);
}
static void op_kill_now(void *ud, SvNode *n) {
        logf_(ud, "kill-now", n->name);
}
static void op_arm(void *ud, SvNode *n, usec_t at) {
        (void) at;
        logf_(ud, "timer", n->name);
}
static usec_t op_delay(void *ud, SvNode *n, usec_t uptime) {
        (void) n, (void) uptime;
        return ((Host *) ud)->delay;
}
static void op_down(void *ud, bool failed) {
        ((Host *) ud)->down = failed ? 2 : 1;
}
static void op_attach(void *ud, SvNode *n) {
        logf_(ud, "attach", n->name);
        n->host = ud;
}
static void op_detach(void *ud, SvNode *n) {
        logf_(ud, "detach", n->name);
}
static const SvTreeOps ops = {
        .spawn = op_spawn, .kill = op_kill, .kill_now = op_kill_now, .arm_timer = op_arm, .restart_delay = op_delay,
        .root_down = op_down, .attach = op_attach, .detach = op_detach,
};

/* A root supervisor over workers a, b, c (readiness notify), strategy and intensity as given. */
typedef struct Fixture {
        SvWorker w[4];
        SvSupervisor sup;
        SvChildRef refs[3];
        Supervision cfg;
        SvTree *tree;
        Host host;
} Fixture;

static Fixture *fixture(Strategy strategy, unsigned intensity) {
        static Fixture f;
        memset(&f, 0, sizeof(f));
        const char *names[] = { "a", "b", "c" };
        for (int i = 0; i < 3; i++) {
                f.w[i] = (SvWorker) { .name = names[i], .exec = "/bin/true", .restart = CHILD_PERMANENT, .readiness = READINESS_NOTIFY };
                f.refs[i] = (SvChildRef) { .name = names[i], .worker = &f.w[i] };
        }
        f.sup = (SvSupervisor) { .name = "root", .strategy = strategy, .intensity = intensity, .period = 5 * USEC_PER_SEC,
                                 .children = f.refs, .n_children = 3 };
        f.cfg = (Supervision) { .root = &f.sup };
        f.host.next_pid = 100;
        return &f;
}

static SvNode *node(Fixture *f, const char *name) {
        return sv_tree_find(f->tree, name);
}

/* Starts the tree, makes every worker ready in turn; clears the log. */
static void boot(Fixture *f) {
        assert_int_equal(sv_tree_new(&f->cfg, &ops, &f->host, &f->tree), 0);
        sv_tree_start(f->tree, 1);
        for (const char *n = "abc"; *n; n++)
                sv_tree_ready(f->tree, node(f, (char[]) { *n, 0 }), 1);
        assert_string_equal(f->host.log.s, "spawn a; spawn b; spawn c");
        assert_int_equal(sv_tree_root(f->tree)->state, SV_UP);
        SvNode **all;
        size_t n_all = sv_tree_nodes(f->tree, &all);
        for (size_t i = 0; i < n_all; i++)
                all[i]->host = &f->host; /* known to the host since sv_tree_new: a reload announces only new nodes */
        f->host.log.len = 0;
        f->host.log.s[0] = 0;
}

static void finish(Fixture *f) {
        sv_tree_free(f->tree);
        sb_free(&f->host.log);
}

static void test_start_in_order(void **state) {
        (void) state;
        Fixture *f = fixture(STRATEGY_ONE_FOR_ONE, 3);
        assert_int_equal(sv_tree_new(&f->cfg, &ops, &f->host, &f->tree), 0);
        sv_tree_start(f->tree, 1);
        assert_string_equal(f->host.log.s, "spawn a"); /* b waits for a's READY=1 */
        assert_false(sv_tree_critical_up(f->tree) && f->w[0].critical);
        sv_tree_ready(f->tree, node(f, "a"), 2);
        assert_string_equal(f->host.log.s, "spawn a; spawn b");
        sv_tree_ready(f->tree, node(f, "b"), 3);
        sv_tree_ready(f->tree, node(f, "c"), 4);
        assert_int_equal(sv_tree_root(f->tree)->state, SV_UP);
        finish(f);
}

static void test_one_for_one(void **state) {
        (void) state;
        Fixture *f = fixture(STRATEGY_ONE_FOR_ONE, 3);
        boot(f);
        pid_t a = node(f, "a")->pid, c = node(f, "c")->pid;
        sv_tree_exited(f->tree, node(f, "b"), 1, 10);
        assert_string_equal(f->host.log.s, "spawn b");
        assert_int_equal(node(f, "a")->pid, a);
        assert_int_equal(node(f, "c")->pid, c);
        assert_int_equal(node(f, "b")->restarts, 1);
        finish(f);
}

static void test_one_for_all(void **state) {
        (void) state;
        Fixture *f = fixture(STRATEGY_ONE_FOR_ALL, 3);
        boot(f);
        sv_tree_exited(f->tree, node(f, "b"), 1, 10);
        /* the others stop in reverse start order, one at a time */
        assert_string_equal(f->host.log.s, "kill c");
        sv_tree_exited(f->tree, node(f, "c"), 128 + SIGTERM, 11);
        assert_string_equal(f->host.log.s, "kill c; kill a");
        sv_tree_exited(f->tree, node(f, "a"), 0, 12);
        /* then all start again in start order */
        assert_string_equal(f->host.log.s, "kill c; kill a; spawn a");
        sv_tree_ready(f->tree, node(f, "a"), 13);
        sv_tree_ready(f->tree, node(f, "b"), 14);
        sv_tree_ready(f->tree, node(f, "c"), 15);
        assert_string_equal(f->host.log.s, "kill c; kill a; spawn a; spawn b; spawn c");
        assert_int_equal(sv_tree_root(f->tree)->state, SV_UP);
        finish(f);
}

static void test_rest_for_one(void **state) {
        (void) state;
        Fixture *f = fixture(STRATEGY_REST_FOR_ONE, 3);
        boot(f);
        pid_t a = node(f, "a")->pid;
        sv_tree_exited(f->tree, node(f, "b"), 1, 10);
        assert_string_equal(f->host.log.s, "kill c");
        sv_tree_exited(f->tree, node(f, "c"), 128 + SIGTERM, 11);
        assert_string_equal(f->host.log.s, "kill c; spawn b");
        sv_tree_ready(f->tree, node(f, "b"), 12);
        assert_string_equal(f->host.log.s, "kill c; spawn b; spawn c");
        assert_int_equal(node(f, "a")->pid, a); /* earlier children keep their PIDs */
        finish(f);
}

static void test_restart_delay(void **state) {
        (void) state;
        Fixture *f = fixture(STRATEGY_ONE_FOR_ONE, 3);
        boot(f);
        f->host.delay = 2 * USEC_PER_SEC;
        sv_tree_exited(f->tree, node(f, "a"), 1, 10);
        assert_string_equal(f->host.log.s, "timer a");
        assert_int_equal(node(f, "a")->state, SV_WAITING);
        sv_tree_timer(f->tree, node(f, "a"), 10 + USEC_PER_SEC); /* too early: nothing */
        assert_string_equal(f->host.log.s, "timer a");
        sv_tree_timer(f->tree, node(f, "a"), 10 + 2 * USEC_PER_SEC);
        assert_string_equal(f->host.log.s, "timer a; spawn a");
        finish(f);
}

static void test_intensity_escalation(void **state) {
        (void) state;
        Fixture *f = fixture(STRATEGY_ONE_FOR_ONE, 1);
        boot(f);
        sv_tree_exited(f->tree, node(f, "a"), 1, 1 * USEC_PER_SEC);
        sv_tree_ready(f->tree, node(f, "a"), 1 * USEC_PER_SEC);
        assert_int_equal(f->host.down, 0);
        /* a second restart within the 5 s period exceeds intensity 1: all children stop, the root fails */
        sv_tree_exited(f->tree, node(f, "c"), 1, 3 * USEC_PER_SEC);
        assert_string_equal(f->host.log.s, "spawn a; kill b");
        sv_tree_exited(f->tree, node(f, "b"), 128 + SIGTERM, 3 * USEC_PER_SEC + 1);
        assert_string_equal(f->host.log.s, "spawn a; kill b; kill a");
        sv_tree_exited(f->tree, node(f, "a"), 128 + SIGTERM, 3 * USEC_PER_SEC + 2);
        assert_int_equal(f->host.down, 2);
        finish(f);
}

static void test_intensity_window_slides(void **state) {
        (void) state;
        Fixture *f = fixture(STRATEGY_ONE_FOR_ONE, 1);
        boot(f);
        sv_tree_exited(f->tree, node(f, "a"), 1, 1 * USEC_PER_SEC);
        sv_tree_ready(f->tree, node(f, "a"), 1 * USEC_PER_SEC);
        sv_tree_exited(f->tree, node(f, "a"), 1, 7 * USEC_PER_SEC); /* 6 s later: outside the period */
        assert_int_equal(f->host.down, 0);
        assert_string_equal(f->host.log.s, "spawn a; spawn a");
        finish(f);
}

static void test_restart_types(void **state) {
        (void) state;
        Fixture *f = fixture(STRATEGY_ONE_FOR_ALL, 5);
        f->w[0].restart = CHILD_TRANSIENT;
        f->w[2].restart = CHILD_TEMPORARY;
        boot(f);
        /* transient: exit 0 is final */
        sv_tree_exited(f->tree, node(f, "a"), 0, 10);
        assert_true(node(f, "a")->removed);
        assert_string_equal(f->host.log.s, "");
        /* temporary c is stopped by b's failure and removed, not restarted */
        sv_tree_exited(f->tree, node(f, "b"), 1, 11);
        assert_string_equal(f->host.log.s, "kill c");
        sv_tree_exited(f->tree, node(f, "c"), 128 + SIGTERM, 12);
        assert_string_equal(f->host.log.s, "kill c; spawn b");
        assert_true(node(f, "c")->removed);
        sv_tree_ready(f->tree, node(f, "b"), 13);
        assert_string_equal(f->host.log.s, "kill c; spawn b");
        assert_int_equal(sv_tree_root(f->tree)->state, SV_UP);
        finish(f);
}

static void test_transient_abnormal_restarts(void **state) {
        (void) state;
        Fixture *f = fixture(STRATEGY_ONE_FOR_ONE, 5);
        f->w[0].restart = CHILD_TRANSIENT;
        boot(f);
        sv_tree_exited(f->tree, node(f, "a"), 3, 10);
        assert_string_equal(f->host.log.s, "spawn a");
        finish(f);
}

static void test_shutdown_reverse(void **state) {
        (void) state;
        Fixture *f = fixture(STRATEGY_ONE_FOR_ONE, 5);
        boot(f);
        sv_tree_shutdown(f->tree, 10);
        assert_string_equal(f->host.log.s, "kill c");
        sv_tree_exited(f->tree, node(f, "c"), 0, 11);
        sv_tree_exited(f->tree, node(f, "b"), 0, 12);
        assert_int_equal(f->host.down, 0);
        sv_tree_exited(f->tree, node(f, "a"), 0, 13);
        assert_string_equal(f->host.log.s, "kill c; kill b; kill a");
        assert_int_equal(f->host.down, 1);
        finish(f);
}

static void test_spawn_failure_backs_off(void **state) {
        (void) state;
        Fixture *f = fixture(STRATEGY_ONE_FOR_ONE, 100);
        f->host.delay = USEC_PER_SEC;
        f->host.spawn_fails = 1;
        assert_int_equal(sv_tree_new(&f->cfg, &ops, &f->host, &f->tree), 0);
        sv_tree_start(f->tree, 1);
        /* exec failure: counted, delayed, and the next child still starts (one_for_one) */
        assert_string_equal(f->host.log.s, "spawn-fail a; timer a; spawn b");
        sv_tree_timer(f->tree, node(f, "a"), 1 + USEC_PER_SEC);
        assert_string_equal(f->host.log.s, "spawn-fail a; timer a; spawn b; spawn a");
        finish(f);
}

static void test_fail_by_host(void **state) {
        (void) state;
        Fixture *f = fixture(STRATEGY_ONE_FOR_ONE, 5);
        boot(f);
        sv_tree_fail(f->tree, node(f, "b"), 10); /* e.g. phi convicted it */
        assert_string_equal(f->host.log.s, "kill b");
        sv_tree_exited(f->tree, node(f, "b"), 128 + SIGTERM, 11); /* SIGTERM we sent, yet a failure */
        assert_string_equal(f->host.log.s, "kill b; spawn b");
        assert_int_equal(node(f, "b")->restarts, 1);
        finish(f);
}

/* root (one_for_one) -> [x worker, sub (one_for_all, intensity 0) -> [y, z]] */
static void test_nested_escalation(void **state) {
        (void) state;
        SvWorker x = { .name = "x", .restart = CHILD_PERMANENT, .readiness = READINESS_NONE };
        SvWorker y = { .name = "y", .restart = CHILD_PERMANENT, .readiness = READINESS_NONE };
        SvWorker z = { .name = "z", .restart = CHILD_PERMANENT, .readiness = READINESS_NONE };
        SvChildRef sub_children[] = { { .name = "y", .worker = &y }, { .name = "z", .worker = &z } };
        SvSupervisor sub = { .name = "sub", .strategy = STRATEGY_ONE_FOR_ALL, .intensity = 0, .period = USEC_PER_SEC,
                             .children = sub_children, .n_children = 2 };
        SvChildRef root_children[] = { { .name = "x", .worker = &x }, { .name = "sub", .supervisor = &sub } };
        SvSupervisor root = { .name = "root", .strategy = STRATEGY_ONE_FOR_ONE, .intensity = 5, .period = USEC_PER_SEC,
                              .children = root_children, .n_children = 2 };
        Supervision cfg = { .root = &root };
        Host h = { .next_pid = 10 };
        SvTree *t;
        assert_int_equal(sv_tree_new(&cfg, &ops, &h, &t), 0);
        sv_tree_start(t, 1);
        assert_string_equal(h.log.s, "spawn x; spawn y; spawn z");
        assert_int_equal(sv_tree_root(t)->state, SV_UP);
        h.log.len = 0;
        h.log.s[0] = 0;
        pid_t xpid = sv_tree_find(t, "x")->pid;
        /* intensity 0: y's failure escalates sub, which stops z and fails to root, which restarts sub */
        sv_tree_exited(t, sv_tree_find(t, "y"), 1, 5);
        assert_string_equal(h.log.s, "kill z");
        sv_tree_exited(t, sv_tree_find(t, "z"), 0, 6);
        assert_string_equal(h.log.s, "kill z; spawn y; spawn z");
        assert_int_equal(sv_tree_find(t, "sub")->restarts, 1);
        assert_int_equal(sv_tree_find(t, "x")->pid, xpid);
        assert_int_equal(h.down, 0);
        sv_tree_free(t);
        sb_free(&h.log);
}

static void clear_log(Host *h) {
        h->log.len = 0;
        h->log.s[0] = 0;
}

static void test_child_supervisor_shutdown_time(void **state) {
        (void) state;
        SvWorker x = { .name = "x", .restart = CHILD_PERMANENT, .readiness = READINESS_NONE, .shutdown = USEC_PER_SEC };
        SvWorker y = { .name = "y", .restart = CHILD_PERMANENT, .readiness = READINESS_NONE, .shutdown = USEC_PER_SEC };
        SvWorker z = { .name = "z", .restart = CHILD_PERMANENT, .readiness = READINESS_NONE, .shutdown = USEC_PER_SEC };
        SvChildRef sub_children[] = { { .name = "y", .worker = &y }, { .name = "z", .worker = &z } };
        SvSupervisor sub = { .name = "sub", .strategy = STRATEGY_ONE_FOR_ONE, .intensity = 1, .period = USEC_PER_SEC,
                             .shutdown = 2 * USEC_PER_SEC, .children = sub_children, .n_children = 2 };
        SvChildRef root_children[] = { { .name = "x", .worker = &x }, { .name = "sub", .supervisor = &sub } };
        SvSupervisor root = { .name = "root", .strategy = STRATEGY_ONE_FOR_ONE, .intensity = 1, .period = USEC_PER_SEC,
                              .shutdown = USEC_INFINITY, .children = root_children, .n_children = 2 };
        Supervision cfg = { .root = &root };
        Host h = { .next_pid = 10 };
        SvTree *t;
        assert_int_equal(sv_tree_new(&cfg, &ops, &h, &t), 0);
        sv_tree_start(t, 1);
        clear_log(&h);
        /* the subtree gets 2 s in all: z does not stop in time, so everything under sub is killed */
        sv_tree_shutdown(t, 10);
        assert_string_equal(h.log.s, "timer sub; kill z");
        sv_tree_timer(t, sv_tree_find(t, "sub"), 10 + USEC_PER_SEC); /* early: nothing */
        assert_string_equal(h.log.s, "timer sub; kill z");
        sv_tree_timer(t, sv_tree_find(t, "sub"), 10 + 2 * USEC_PER_SEC);
        assert_string_equal(h.log.s, "timer sub; kill z; kill-now y; kill-now z");
        sv_tree_exited(t, sv_tree_find(t, "z"), 128 + SIGKILL, 11 + 2 * USEC_PER_SEC);
        sv_tree_exited(t, sv_tree_find(t, "y"), 128 + SIGKILL, 11 + 2 * USEC_PER_SEC);
        /* then the root goes on with x, and stops */
        assert_string_equal(h.log.s, "timer sub; kill z; kill-now y; kill-now z; kill y; kill x");
        sv_tree_exited(t, sv_tree_find(t, "x"), 128 + SIGTERM, 12 + 2 * USEC_PER_SEC);
        assert_int_equal(h.down, 1);
        assert_int_equal(sv_tree_find(t, "sub")->stop_deadline, 0);
        sv_tree_free(t);
        sb_free(&h.log);
}


/* The fixture's tree after a reload to children `names` (workers, readiness notify, like a b c). */
typedef struct Next {
        SvWorker w[4];
        SvChildRef refs[4];
        SvSupervisor sup;
        Supervision cfg;
} Next;

static Supervision *next_config(Next *x, const Fixture *f, const char *const *names, size_t n) {
        memset(x, 0, sizeof(*x));
        for (size_t i = 0; i < n; i++) {
                x->w[i] = (SvWorker) { .name = names[i], .exec = "/bin/true", .restart = CHILD_PERMANENT, .readiness = READINESS_NOTIFY };
                x->refs[i] = (SvChildRef) { .name = names[i], .worker = &x->w[i] };
        }
        x->sup = f->sup;
        x->sup.children = x->refs;
        x->sup.n_children = n;
        x->cfg = (Supervision) { .root = &x->sup };
        return &x->cfg;
}

static void test_reload_adds_and_removes(void **state) {
        (void) state;
        Fixture *f = fixture(STRATEGY_ONE_FOR_ONE, 3);
        boot(f);
        SvNode **all;
        size_t n_all;
        pid_t a = node(f, "a")->pid, c = node(f, "c")->pid;
        Next x;
        SvReloadStats st;
        /* b goes, d comes between a and c */
        assert_int_equal(sv_tree_reload(f->tree, next_config(&x, f, (const char *[]) { "a", "d", "c" }, 3), 20, &st), 0);
        assert_int_equal(st.added, 1);
        assert_int_equal(st.removed, 1);
        assert_int_equal(st.replaced, 0);
        /* the new node is announced first; the dropped one stops before anything starts */
        assert_string_equal(f->host.log.s, "attach d; kill b");
        sv_tree_exited(f->tree, node(f, "b"), 128 + SIGTERM, 21);
        assert_string_equal(f->host.log.s, "attach d; kill b; detach b; spawn d");
        assert_null(node(f, "b"));
        sv_tree_ready(f->tree, node(f, "d"), 22);
        assert_int_equal(node(f, "a")->pid, a); /* untouched */
        assert_int_equal(node(f, "c")->pid, c);
        assert_int_equal(node(f, "d")->index, 1);
        assert_int_equal(node(f, "c")->index, 2);
        n_all = sv_tree_nodes(f->tree, &all);
        assert_int_equal(n_all, 4);
        assert_string_equal(all[2]->name, "d"); /* depth first in the new start order */
        assert_int_equal(sv_tree_root(f->tree)->state, SV_UP);
        finish(f);
}

static void test_reload_removed_child_is_not_restarted(void **state) {
        (void) state;
        Fixture *f = fixture(STRATEGY_ONE_FOR_ONE, 3);
        boot(f);
        Next x;
        SvReloadStats st;
        /* c dropped */
        assert_int_equal(sv_tree_reload(f->tree, next_config(&x, f, (const char *[]) { "a", "b" }, 2), 20, &st), 0);
        assert_int_equal(st.removed, 1);
        assert_string_equal(f->host.log.s, "kill c");
        clear_log(&f->host);
        /* c crashes on its own before its stop completes: it goes, it is not restarted */
        sv_tree_exited(f->tree, node(f, "c"), 1, 21);
        assert_string_equal(f->host.log.s, "detach c");
        assert_null(node(f, "c"));
        assert_int_equal(sv_tree_root(f->tree)->restart_ring_pos, 0); /* no restart counted */
        finish(f);
}

/* A worker whose credentials changed is started anew (its variables would differ); one with the same is left alone. */
static void test_reload_replaces_on_new_credentials(void **state) {
        (void) state;
        Fixture *f = fixture(STRATEGY_ONE_FOR_ONE, 3);
        boot(f);
        pid_t b = node(f, "b")->pid;
        Next x;
        SvReloadStats st;
        Supervision *cfg = next_config(&x, f, (const char *[]) { "a", "b", "c" }, 3);
        KeyValue key = { "API_KEY_FILE", "api-key" };
        x.w[0].credentials = &key;
        x.w[0].n_credentials = 1;
        assert_int_equal(sv_tree_reload(f->tree, cfg, 20, &st), 0);
        assert_int_equal(st.replaced, 1);
        assert_string_equal(f->host.log.s, "kill a");
        sv_tree_exited(f->tree, node(f, "a"), 128 + SIGTERM, 21);
        sv_tree_ready(f->tree, node(f, "a"), 22);
        clear_log(&f->host);
        Next y; /* the same credentials again: nothing to do */
        Supervision *same = next_config(&y, f, (const char *[]) { "a", "b", "c" }, 3);
        y.w[0].credentials = &key;
        y.w[0].n_credentials = 1;
        assert_int_equal(sv_tree_reload(f->tree, same, 23, &st), 0);
        assert_int_equal(st.replaced, 0);
        assert_string_equal(f->host.log.s, "");
        assert_int_equal(node(f, "b")->pid, b);
        finish(f);
}

static void test_reload_replaces_one_at_a_time(void **state) {
        (void) state;
        Fixture *f = fixture(STRATEGY_ONE_FOR_ALL, 3);
        boot(f);
        pid_t b = node(f, "b")->pid;
        Next x;
        SvReloadStats st;
        Supervision *cfg = next_config(&x, f, (const char *[]) { "a", "b", "c" }, 3);
        x.w[0].exec = "/bin/a-v2";
        x.w[2].exec = "/bin/c-v2";
        assert_int_equal(sv_tree_reload(f->tree, cfg, 20, &st), 0);
        assert_int_equal(st.replaced, 2);
        /* a first; c waits until a is up again; b is untouched, one_for_all or not */
        assert_string_equal(f->host.log.s, "kill a");
        sv_tree_exited(f->tree, node(f, "a"), 128 + SIGTERM, 21);
        assert_string_equal(f->host.log.s, "kill a; spawn a");
        sv_tree_ready(f->tree, node(f, "a"), 22);
        assert_string_equal(f->host.log.s, "kill a; spawn a; kill c");
        sv_tree_exited(f->tree, node(f, "c"), 128 + SIGTERM, 23);
        sv_tree_ready(f->tree, node(f, "c"), 24);
        assert_string_equal(f->host.log.s, "kill a; spawn a; kill c; spawn c");
        assert_int_equal(node(f, "b")->pid, b);
        assert_int_equal(node(f, "a")->restarts, 0); /* a replacement is no restart */
        assert_int_equal(sv_tree_root(f->tree)->state, SV_UP);
        finish(f);
}

static void test_reload_refused_while_shutting_down(void **state) {
        (void) state;
        Fixture *f = fixture(STRATEGY_ONE_FOR_ONE, 3);
        boot(f);
        sv_tree_shutdown(f->tree, 10);
        Next x;
        SvReloadStats st;
        assert_int_equal(sv_tree_reload(f->tree, next_config(&x, f, (const char *[]) { "a" }, 1), 11, &st), -EBUSY);
        assert_non_null(node(f, "b"));
        assert_non_null(node(f, "c"));
        finish(f);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_start_in_order),     cmocka_unit_test(test_one_for_one),
                cmocka_unit_test(test_one_for_all),        cmocka_unit_test(test_rest_for_one),
                cmocka_unit_test(test_restart_delay),      cmocka_unit_test(test_intensity_escalation),
                cmocka_unit_test(test_intensity_window_slides), cmocka_unit_test(test_restart_types),
                cmocka_unit_test(test_transient_abnormal_restarts), cmocka_unit_test(test_shutdown_reverse),
                cmocka_unit_test(test_spawn_failure_backs_off), cmocka_unit_test(test_fail_by_host),
                cmocka_unit_test(test_nested_escalation),
                cmocka_unit_test(test_child_supervisor_shutdown_time),
                cmocka_unit_test(test_reload_adds_and_removes),
                cmocka_unit_test(test_reload_removed_child_is_not_restarted),
                cmocka_unit_test(test_reload_replaces_one_at_a_time),
                cmocka_unit_test(test_reload_replaces_on_new_credentials),
                cmocka_unit_test(test_reload_refused_while_shutting_down),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
