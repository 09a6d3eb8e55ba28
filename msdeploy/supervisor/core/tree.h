/* SPDX-License-Identifier: MIT */
/* The supervision tree as a pure state machine (Erlang/OTP semantics): strategies, restart types,
 * intensity and escalation, ordered start and reverse-ordered stop. Processes, timers and the clock are
 * the host's (SvTreeOps); the tree only decides, so every rule is testable without a process. */
#pragma once
#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "spec/model.h"

typedef enum SvState {
        SV_STOPPED,   /* not running (never started, stopped, or died) */
        SV_WAITING,   /* died; waiting for its restart delay */
        SV_STARTING,  /* started, not yet ready (workers: READY=1 or the check; supervisors: all children up) */
        SV_UP,
        SV_STOPPING,  /* asked to stop; waiting for the exit (workers) or the children (supervisors) */
        _SV_STATE_MAX,
        _SV_STATE_INVALID = -1,
} SvState;

typedef enum SvMode {
        SV_MODE_RUNNING,
        SV_MODE_SHUTDOWN,  /* stopping every child, then stopped */
        SV_MODE_ESCALATE,  /* intensity exceeded: stopping every child, then failed */
} SvMode;

typedef struct SvNode SvNode;
struct SvNode {
        const char *name;
        const SvSupervisor *sup;   /* a supervisor ... */
        const SvWorker *worker;    /* ... or a worker */
        SvNode *parent;
        size_t index;              /* position among the parent's children (start order) */
        SvNode **children;         /* supervisors: in start order */
        size_t n_children;

        SvState state;
        bool must_stop;            /* a sibling's failure (or shutdown) stops it */
        bool removed;              /* temporary child, never to run again */
        bool failing;              /* the host is killing it because it failed (phi, checks): its exit is a failure */
        bool replacing;            /* being stopped to start again with a new configuration (reload) */
        bool leaving;              /* dropped from the configuration (reload): stopped, then deleted */
        bool replace_pending;      /* its settings changed (reload): to be replaced in its turn */
        pid_t pid;                 /* workers, while running */
        usec_t started_at;
        usec_t restart_at;         /* SV_WAITING: when to start again */
        unsigned restarts;         /* how often it was restarted, for /tree and /metrics */
        int last_exit;             /* exit status, or 128 + signal */

        /* supervisors */
        SvMode mode;
        usec_t stop_deadline;      /* a child supervisor being stopped: its subtree is killed then (0: none) */
        usec_t *restart_times;     /* ring of the last intensity+1 restart times */
        size_t n_restart_times, restart_ring_pos;
        void *host;                /* free for the host (timers, backoff state, phi, ...) */
};

typedef struct SvTree SvTree;

typedef struct SvTreeOps {
        /* Starts a worker's process and sets n->pid; a negative return counts as an immediate abnormal exit. */
        int (*spawn)(void *userdata, SvNode *n);
        /* Stops a worker: SIGTERM to its process group, SIGKILL after its shutdown timeout. The exit comes
         * back through sv_tree_exited(). */
        void (*kill)(void *userdata, SvNode *n);
        /* Kills a worker's process group with SIGKILL at once (a child supervisor's shutdown time ran out);
         * the exit comes back through sv_tree_exited(). */
        void (*kill_now)(void *userdata, SvNode *n);
        /* Calls sv_tree_timer(n) at the monotonic time `at` (one timer per node: re-arming replaces it):
         * a restart delay, or a child supervisor's shutdown time. */
        void (*arm_timer)(void *userdata, SvNode *n, usec_t at);
        /* The delay before restarting n, whose last life lasted `uptime`. */
        usec_t (*restart_delay)(void *userdata, SvNode *n, usec_t uptime);
        /* Something happened to n worth a log line or a metric: "started", "up", "exited", "restarting",
         * "escalating", "stopped", "removed". */
        void (*event)(void *userdata, SvNode *n, const char *what);
        /* The root stopped: after a shutdown (failed = false) or an escalation (failed = true). */
        void (*root_down)(void *userdata, bool failed);
        /* Optional: a reload added n (called for every node whose host is still NULL, before any starts;
         * sv_tree_new's nodes are not announced), or n leaves the tree (stopped after a reload dropped
         * it; n is freed on return). */
        void (*attach)(void *userdata, SvNode *n);
        void (*detach)(void *userdata, SvNode *n);
} SvTreeOps;

/* Builds the tree of config->root. Returns -EINVAL when the config has no root. */
int sv_tree_new(const Supervision *config, const SvTreeOps *ops, void *userdata, SvTree **ret);
SvTree *sv_tree_free(SvTree *t);
SvNode *sv_tree_root(SvTree *t);
SvNode *sv_tree_find_pid(SvTree *t, pid_t pid);
SvNode *sv_tree_find(SvTree *t, const char *name);
/* Every node, supervisors and workers, depth first in start order (for /tree and /metrics); none for a NULL
 * tree: msd-supervisor in health-aggregator mode has none, and its loop-stall accounting walks the nodes too. */
size_t sv_tree_nodes(SvTree *t, SvNode ***ret);

void sv_tree_start(SvTree *t, usec_t now);
void sv_tree_shutdown(SvTree *t, usec_t now);
/* A worker's process is ready (READY=1 or its readiness check passed). */
void sv_tree_ready(SvTree *t, SvNode *n, usec_t now);
/* A worker's process exited; status is the exit code, or 128 + signal. */
void sv_tree_exited(SvTree *t, SvNode *n, int status, usec_t now);
/* The host judged a running worker failed (phi accrual, health checks): it is stopped and restarted per
 * its supervisor's strategy. */
void sv_tree_fail(SvTree *t, SvNode *n, usec_t now);
void sv_tree_timer(SvTree *t, SvNode *n, usec_t now);
/* Every critical worker is up (when msd-supervisor tells systemd READY=1). */
bool sv_tree_critical_up(SvTree *t);
typedef struct SvReloadStats {
        unsigned replaced, added, removed; /* nodes (a supervisor with its subtree counts once) */
} SvReloadStats;

/* Applies a new configuration. Children are matched by name and kind under the supervisor of the same
 * name (the root always matches): supervisors take their new settings in place; workers whose settings
 * changed are stopped and started again (neither a failure nor a restart), rolling: one at a time per
 * supervisor, the next once the previous one is up again; children the configuration no
 * longer has are stopped (the last first) and deleted; new ones start in their place in start order
 * once those stops are done; the others keep running untouched, in the new order. -EBUSY while the
 * tree is shutting down or escalating (nothing changes). */
int sv_tree_reload(SvTree *t, const Supervision *config, usec_t now, SvReloadStats *ret);

const char *sv_state_to_string(SvState s);
