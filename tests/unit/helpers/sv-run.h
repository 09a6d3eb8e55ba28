/* SPDX-License-Identifier: MIT */
/* A real msd-supervisor for the integration tests (see sv-run.c). */
#pragma once
#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "util/strbuf.h"

typedef struct SvRun {
        char dir[64];
        pid_t pid;
        int err;             /* the supervisor's stderr */
        int notify;          /* our NOTIFY_SOCKET */
        StrBuf log;          /* everything it logged so far */
        size_t seen;         /* log offset already matched by sv_run_wait_log() */
        StrBuf notes;        /* notify messages, one per line */
        int port;            /* a free port, replacing @PORT@ in the configuration */
        char url[128];
} SvRun;

/* Writes yaml (each @PORT@ replaced by a free port) to DIR/sv.yaml in a new temporary directory r->dir and starts
 * msd-supervisor --config on it, our environment passed on with NOTIFY_SOCKET set to r->notify's socket and
 * WATCHDOG_USEC to watchdog_usec (NULL: unset). */
void sv_run_start(SvRun *r, const char *yaml, const char *watchdog_usec);
/* Waits for the supervisor to exit; its exit status, or -1 on timeout (it is killed then). Removes r->dir. */
int sv_run_finish(SvRun *r, double timeout);
/* The cmocka teardown of every test that starts one: after a failed assertion it kills the supervisor's children
 * (each leads its own process group), then the supervisor, and removes its directory. */
int sv_run_teardown(void **state);
/* Reads what the supervisor logged and notified, for at most timeout_ms. */
void sv_run_pump(SvRun *r, int timeout_ms);
/* Waits until the supervisor logs a line containing text after what was matched before. */
bool sv_run_wait_log(SvRun *r, const char *text, double timeout);
/* Waits until a notification contains text. */
bool sv_run_wait_note(SvRun *r, const char *text, double timeout);
/* The PID of the last "NAME: started, pid N" logged, or 0. */
pid_t sv_run_pid_of(SvRun *r, const char *name);
/* "http://127.0.0.1:PORT" + path, in r->url. */
const char *sv_run_url(SvRun *r, const char *path);
/* CLOCK_MONOTONIC in seconds. */
double sv_run_now(void);
/* Up to size bytes of /proc/PID/environ ("KEY=VALUE\0..."); how many were read. */
size_t sv_run_read_environ(pid_t pid, char *buf, size_t size);
