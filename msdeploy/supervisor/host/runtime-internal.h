/* SPDX-License-Identifier: MIT */
/* What the runtime's parts (runtime.c, report.c, liveness.c) share: the runtime and its per-node state. */
#pragma once
#include "supervisor/core/backoff.h"
#include "supervisor/core/breaker.h"
#include "supervisor/core/phi.h"
#include "supervisor/core/rng.h"
#include "supervisor/host/checks.h"
#include "supervisor/host/endpoint.h"
#include "supervisor/host/health.h"
#include "supervisor/host/notify.h"
#include "supervisor/host/runtime.h"
#include "supervisor/host/spawn.h"

/* Children get WATCHDOG_USEC so programs written for systemd send heartbeats (WATCHDOG=1). */
#define CHILD_WATCHDOG_USEC (2 * USEC_PER_SEC)
/* Timers fire within 1 ms of their time (sd-event's default coalesces them over 250 ms). */
#define TIMER_ACCURACY USEC_PER_MSEC

typedef struct Alerts Alerts;

/* What the runtime keeps per node (SvNode.host). */
typedef struct NodeHost {
        Runtime *rt;
        SvNode *node;
        sd_event_source *child;      /* the running process */
        SvSpawnPlan *plan;           /* how its process starts; NULL until the first start, and after a reload */
        sd_event_source *kill_timer; /* SIGKILL after the shutdown timeout */
        sd_event_source *timer;      /* restart delay */
        SvBackoff backoff;
        SvBackoffPolicy policy;
        SvBreaker restarts;          /* around its restarts: lives shorter than min_uptime are failures */
        char *status;                /* last STATUS= */
        usec_t last_heartbeat;
        SvPhi phi;                   /* over WATCHDOG=1 heartbeats */
        sd_event_source *phi_timer;  /* when phi would convict it */
        SvChecks *readiness;         /* 'readiness: check' */
        sd_event_source *start_timer; /* start_timeout: not ready by then is a failure */
} NodeHost;

struct Runtime {
        sd_event *event;
        SvConfig *config;
        SvTree *tree;                /* NULL in health-aggregator mode */
        SvNotify *notify;
        SvRng rng;
        sd_event_source *watchdog;
        usec_t watchdog_interval;
        bool ready_sent;
        size_t status_up, status_workers; /* what the last STATUS= said */
        unsigned status_restarts;
        usec_t status_sent_at;
        sd_event_source *status_timer; /* a STATUS= held back by the rate limit */
        sd_event_source *log_flush;  /* writes what the iteration logged, once */
        unsigned terms;              /* SIGTERMs received */
        SvAggregator *aggregator;    /* the configuration's health checks */
        SvEndpoint *endpoint;
        const char *config_path;     /* read again on SIGHUP */
        SvConfig **retired;          /* replaced configurations that nodes being deleted still use */
        size_t n_retired;
        Alerts *alerts;              /* resource alert rules over the running children */
};

usec_t now_monotonic(Runtime *r);
/* report.c: the HTTP endpoint (/health, /health/NAME, /tree, /metrics) on config->listen. */
int report_start(Runtime *r);
/* The system's health, or one component's (component != NULL: its checks only). */
SvHealth system_health(Runtime *r, const char *component);
/* liveness.c: phi accrual over a worker's heartbeats, and readiness checks. A worker phi convicts is
 * failed (restarted per its supervisor's strategy). */
int liveness_init(Runtime *r, NodeHost *h);
void liveness_started(Runtime *r, NodeHost *h);
void liveness_heartbeat(Runtime *r, NodeHost *h, usec_t now);
void liveness_ready(NodeHost *h);
void liveness_stopped(NodeHost *h);
void liveness_free(NodeHost *h);
/* alerts.c: resource alert rules sampled every monitor interval (nothing without rules). */
int alerts_start(Runtime *r);
void alerts_stop(Runtime *r);
void alerts_metrics(Runtime *r, StrBuf *b);
