/* SPDX-License-Identifier: MIT */
/* msd-supervisor's log: one line per message on stderr, led by the sd-daemon priority prefix (SD_ERR "<3>",
 * SD_WARNING "<4>", SD_NOTICE "<5>", SD_INFO "<6>", SD_DEBUG "<7>") so that the journal, which takes the
 * prefix off, files errors apart from information. On a terminal the prefix is left out.
 *
 * Priorities used:
 *   error    the supervisor cannot do what it was asked: a child that cannot be started, a refused reload,
 *            restart intensity exceeded, an unusable configuration
 *   warning  a child failed (an exit it was not asked for, a heartbeat or readiness missed, a firing alert),
 *            or something degraded that goes on without it (", ignoring")
 *   notice   normal but worth noticing: a restart scheduled, an alert cleared
 *   info     the ordinary life of the tree: started, up, stopped, removed, reloaded
 *   debug    bookkeeping: a dropped child's node deleted */
#pragma once
#include <syslog.h> /* LOG_ERR ... LOG_DEBUG: the numbers of the prefixes */

#include "util/diag.h"

/* "<PRIORITY>msd-supervisor: MESSAGE\n"; the runtime flushes stderr once per loop iteration. */
void sv_log(int priority, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
#define sv_log_error(...) sv_log(LOG_ERR, __VA_ARGS__)
#define sv_log_warning(...) sv_log(LOG_WARNING, __VA_ARGS__)
#define sv_log_notice(...) sv_log(LOG_NOTICE, __VA_ARGS__)
#define sv_log_info(...) sv_log(LOG_INFO, __VA_ARGS__)
#define sv_log_debug(...) sv_log(LOG_DEBUG, __VA_ARGS__)

/* Diagnostics of a configuration (FILE:LINE:COL: level: message, the source line and the caret), every line
 * of one at its level's priority: error, warning, notice for notes. Coloured on a terminal unless
 * NO_COLOR is set. */
void sv_log_diags(const Diags *d);
