/* SPDX-License-Identifier: MIT */
/* The health-check runner: runs http, tcp, process, database and script checks on one sd-event loop and
 * reports every raw result.
 *
 * Each configured HealthCheck gets a periodic schedule: its first run starts initial_delay after
 * sv_checks_new(), later runs every interval after the previous start. A run that is still in flight when
 * its next start comes is not started twice (that tick is skipped). Every run ends in exactly one call of
 * the SvCheckDone callback, from the event loop, with the raw result; counting consecutive results
 * (failures_before_critical, successes_before_passing) is the aggregate module's job, not this one's.
 *
 *   kind      target                               pass / warn / fail
 *   http      URL ("http://127.0.0.1:8080/health")  2xx / 429 / anything else, no response, timeout
 *   tcp       "host:port", "[::1]:port"             connected / - / refused, unreachable, timeout
 *   process   name ("postgres")                     a live process whose /proc/PID/comm or argv[0]
 *                                                   basename is the name / - / none, or zombies only
 *   database  "host:port" with database "tcp":      as tcp
 *             "host:port" or a libpq URI/conninfo   the server answered the protocol (connected, asked for
 *             with database "postgresql"            a password or refused the role) / - / no answer,
 *                                                   "starting up"/"shutting down" (57P03), timeout
 *   script    "/path/to/script [args]"              exit 0 / exit 1 / other exit, signal, timeout
 *
 * Nothing blocks the loop: http and tcp are libcurl transfers on one multi handle driven by sd-event
 * (tcp is a connect-only transfer, so host names resolve asynchronously); postgresql is libpq's
 * PQconnectStartParams()/PQconnectPoll() (libpq resolves host names itself, synchronously: prefer
 * numeric addresses or "localhost"); a script runs in its own process group, its exit watched by
 * sd_event_add_child() (so SIGCHLD must be blocked, as sd-event requires), and at its timeout the whole
 * group is killed with SIGKILL (so are leftovers when it exits); it gets /dev/null as stdin, inherits
 * stdout, stderr and the environment, and no other descriptor. A process check reads /proc and finishes
 * at once. Freeing the runner while a script runs reaps the killed leader there and then.
 *
 * Durations: interval 0, USEC_UNSET or USEC_INFINITY means "only when asked" (sv_checks_run_now());
 * timeout 0, USEC_UNSET or USEC_INFINITY means no deadline; initial_delay USEC_UNSET means 0. */
#pragma once
#include <stddef.h>
#include <systemd/sd-event.h>

#include "spec/model.h"
#include "supervisor/core/aggregate.h" /* SvCheckResult */
#include "supervisor/core/breaker.h"
#include "util/units.h"

/* The names of SvCheckResult: "pass", "warn", "fail"; NULL / _SV_CHECK_RESULT_INVALID for anything else. */
const char *sv_check_result_to_string(SvCheckResult r);
SvCheckResult sv_check_result_from_string(const char *s);

/* One finished run of checks[index]. duration: from the start of the run to its end. detail: a short
 * human-readable reason ("HTTP 200", "exit status 2", "timed out after 500ms"), valid only during the
 * call. The callback may call sv_checks_run_now(); it must not call sv_checks_free(). */
typedef void (*SvCheckDone)(void *userdata, size_t index, SvCheckResult result, usec_t duration, const char *detail);

typedef struct SvChecks SvChecks;

/* Validates and copies checks[0..n) (the array may be freed afterwards) and arms their schedules on e.
 * -EINVAL: a target or database protocol that cannot work (bad host:port, relative script path, unknown
 * protocol, kind out of range); -EBUSY: a script check while SIGCHLD is not blocked; -ENOMEM; other
 * -errno from sd-event or libcurl setup. */
int sv_checks_new(sd_event *e, const HealthCheck *checks, size_t n, SvCheckDone done, void *userdata, SvChecks **ret);

/* Cancels in-flight runs without reporting them (scripts' process groups are killed with SIGKILL and
 * reaped), releases every event source. Accepts NULL, returns NULL. */
SvChecks *sv_checks_free(SvChecks *c);

static inline void sv_checks_freep(SvChecks **c) {
        sv_checks_free(*c);
}

/* Starts checks[index] from the loop at once (e.g. a readiness probe); its periodic schedule restarts
 * from this run. Returns 1 when a run was scheduled, 0 when one is already in flight (its result is the
 * answer), -ERANGE for a bad index. */
int sv_checks_run_now(SvChecks *c, size_t index);

/* Puts checks[index] behind a circuit breaker the caller owns (NULL removes it); b must outlive c or be
 * removed first. Each run asks sv_breaker_allow() first: when refused, the target is left alone and the
 * run reports SV_CHECK_FAIL "circuit open" at once; otherwise its outcome is recorded with
 * sv_breaker_record() (pass and warn are successes: the target answered). -ERANGE for a bad index. */
int sv_checks_set_breaker(SvChecks *c, size_t index, SvBreaker *b);

/* True while a run of checks[index] is in flight. */
bool sv_checks_running(SvChecks *c, size_t index);

size_t sv_checks_count(const SvChecks *c);
