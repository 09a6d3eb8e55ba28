/* SPDX-License-Identifier: MIT */
/* Shared between the check runner's core (checks.c) and its kinds (check-*.c): the per-check state and
 * the operations each kind provides. */
#pragma once
#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>
#include <curl/curl.h>
#include <libpq-fe.h>
#include <systemd/sd-event.h>

#include "supervisor/host/checks.h"

typedef struct SvCheck SvCheck;

/* What a kind does. start() begins a run: it returns < 0 when it could not (the core reports a failure
 * with that error), else 0, having either finished already (sv_check_finish()) or armed event sources that
 * finish it later. cancel() drops an in-flight run without reporting it. expire(), when set, handles the
 * deadline itself and finishes the run later (scripts wait for the killed group's leader to exit); when
 * NULL the core cancels the run and reports the timeout. release() frees what init() allocated. */
typedef struct CheckOps {
        int (*init)(SvCheck *c);
        int (*start)(SvCheck *c);
        void (*cancel)(SvCheck *c);
        void (*expire)(SvCheck *c);
        void (*release)(SvCheck *c);
} CheckOps;

struct SvCheck {
        SvChecks *owner;
        size_t index;
        HealthKind kind;
        char *name;
        char *target;
        char *database;
        usec_t interval;          /* USEC_INFINITY: only on request */
        usec_t timeout;           /* USEC_INFINITY: no deadline */
        const CheckOps *ops;

        sd_event_source *schedule;  /* next start */
        sd_event_source *deadline;  /* end of the running attempt */
        usec_t next_due;            /* CLOCK_MONOTONIC */
        bool running;
        usec_t started;             /* CLOCK_MONOTONIC, precise */
        SvBreaker *breaker;         /* owned by the caller, or NULL */
        bool breaker_call;          /* the running attempt was allowed by the breaker: record its outcome */

        /* http, tcp, database "tcp": libcurl */
        CURL *easy;
        char *url;
        bool connect_only;
        bool in_multi;
        char curl_error[CURL_ERROR_SIZE];

        /* database "postgresql" */
        const char *pg_keys[8], *pg_values[8];  /* NULL-terminated; values point into target or pg_strings */
        char *pg_strings[2];
        PGconn *pg;
        sd_event_source *pg_io;

        /* script */
        char **argv;
        pid_t pid;                /* the running script, leader of its process group */
        sd_event_source *pid_io;  /* sd-event child source of the last run */
        bool timed_out;
};

struct SvChecks {
        sd_event *event;
        SvCheck *checks;
        size_t n;
        SvCheckDone done;
        void *userdata;
        CURLM *multi;             /* created when a check needs it */
        sd_event_source *curl_timer;
        bool curl_global;         /* curl_global_init() succeeded and needs its cleanup */
        unsigned dispatching;     /* > 0 while the done callback runs */
};

/* Ends the running attempt: cancels the deadline, reports the result, leaves the schedule as it is. */
void sv_check_finish(SvCheck *c, SvCheckResult result, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
usec_t sv_check_now(void);
/* "500ms", "2s" */
const char *sv_check_format_timeout(char *buf, size_t size, usec_t u);
/* "host:port", "[v6]:port" -> host (brackets removed, malloc'ed) and port. */
int sv_check_parse_host_port(const char *s, char **ret_host, unsigned *ret_port);

/* The libcurl multi handle of c, created and hooked to the loop on first use. */
int sv_check_curl_multi(SvChecks *c, CURLM **ret);

extern const CheckOps sv_check_http_ops;
extern const CheckOps sv_check_tcp_ops;      /* also database "tcp" */
extern const CheckOps sv_check_process_ops;
extern const CheckOps sv_check_pg_ops;
extern const CheckOps sv_check_script_ops;
