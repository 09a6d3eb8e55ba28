/* SPDX-License-Identifier: MIT */
/* msd-supervisor with real child processes: exact stop/restart order and PID retention of every
 * strategy, intensity escalation, restart types, exec failures backing off, READY/WATCHDOG/STOPPING on a
 * NOTIFY_SOCKET owned by the test, and graceful shutdown timings. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <curl/curl.h>

#include "helpers/sv-run.h"
#include "util/spawn.h"
#include "util/strbuf.h"

#define AGENT TEST_BINDIR "/msd-demo-agent"


#define TREE(strategy, intensity, extra)                                                                                   \
        "version: 1\nroot: Root\nsupervisors:\n  - name: Root\n    strategy: " strategy "\n    intensity: " intensity         \
        "\n    period: 10s\n    backoff: {kind: none}\n    children:\n      - {name: a, type: worker}\n"                         \
        "      - {name: b, type: worker}\n      - {name: c, type: worker}\nworkers:\n" extra

#define SLEEPERS                                                                                                           \
        "  - {name: a, exec: /bin/sleep 1000, shutdown: 2s}\n  - {name: b, exec: /bin/sleep 1000, shutdown: 2s}\n"           \
        "  - {name: c, exec: /bin/sleep 1000, shutdown: 2s}\n"

static void boot(SvRun *r) {
        assert_true(sv_run_wait_log(r, "a: started", 5));
        assert_true(sv_run_wait_log(r, "b: started", 5));
        assert_true(sv_run_wait_log(r, "c: started", 5));
        assert_true(sv_run_wait_log(r, "Root: up", 5));
}

static void test_one_for_one(void **state) {
        (void) state;
        SvRun r;
        sv_run_start(&r, TREE("one_for_one", "5", SLEEPERS), NULL);
        boot(&r);
        pid_t a = sv_run_pid_of(&r, "a"), b = sv_run_pid_of(&r, "b"), c = sv_run_pid_of(&r, "c");
        kill(b, SIGKILL);
        assert_true(sv_run_wait_log(&r, "b: exited with status 137", 5));
        assert_true(sv_run_wait_log(&r, "b: started", 5));
        assert_int_not_equal(sv_run_pid_of(&r, "b"), b);
        assert_int_equal(sv_run_pid_of(&r, "a"), a);
        assert_int_equal(sv_run_pid_of(&r, "c"), c);
        kill(r.pid, SIGTERM);
        assert_int_equal(sv_run_finish(&r, 10), 0);
}

static void test_one_for_all(void **state) {
        (void) state;
        SvRun r;
        sv_run_start(&r, TREE("one_for_all", "5", SLEEPERS), NULL);
        boot(&r);
        pid_t a = sv_run_pid_of(&r, "a");
        kill(sv_run_pid_of(&r, "b"), SIGKILL);
        /* the others stop in reverse start order, then all start in start order */
        assert_true(sv_run_wait_log(&r, "b: exited", 5));
        assert_true(sv_run_wait_log(&r, "c: stopped", 5));
        assert_true(sv_run_wait_log(&r, "a: stopped", 5));
        assert_true(sv_run_wait_log(&r, "a: started", 5));
        assert_true(sv_run_wait_log(&r, "b: started", 5));
        assert_true(sv_run_wait_log(&r, "c: started", 5));
        assert_int_not_equal(sv_run_pid_of(&r, "a"), a);
        kill(r.pid, SIGTERM);
        assert_int_equal(sv_run_finish(&r, 10), 0);
}

static void test_rest_for_one(void **state) {
        (void) state;
        SvRun r;
        sv_run_start(&r, TREE("rest_for_one", "5", SLEEPERS), NULL);
        boot(&r);
        pid_t a = sv_run_pid_of(&r, "a");
        kill(sv_run_pid_of(&r, "b"), SIGKILL);
        assert_true(sv_run_wait_log(&r, "b: exited", 5));
        assert_true(sv_run_wait_log(&r, "c: stopped", 5));
        assert_true(sv_run_wait_log(&r, "b: started", 5));
        assert_true(sv_run_wait_log(&r, "c: started", 5));
        assert_int_equal(sv_run_pid_of(&r, "a"), a); /* earlier children keep their PIDs */
        assert_null(strstr(r.log.s, "a: stopped"));
        kill(r.pid, SIGTERM);
        assert_int_equal(sv_run_finish(&r, 10), 0);
}

static void test_intensity_escalation(void **state) {
        (void) state;
        SvRun r;
        sv_run_start(&r, TREE("one_for_one", "1", SLEEPERS), NULL);
        boot(&r);
        kill(sv_run_pid_of(&r, "a"), SIGKILL);
        assert_true(sv_run_wait_log(&r, "a: started", 5));
        kill(sv_run_pid_of(&r, "a"), SIGKILL);
        assert_true(sv_run_wait_log(&r, "Root: escalating", 5));
        assert_true(sv_run_wait_log(&r, "c: stopped", 5));
        assert_true(sv_run_wait_log(&r, "b: stopped", 5));
        /* the root gave up: a non-zero exit so systemd sees the failure */
        assert_int_equal(sv_run_finish(&r, 10), 1);
}

static void test_restart_types(void **state) {
        (void) state;
        SvRun r;
        sv_run_start(&r,
              TREE("one_for_one", "5",
                   "  - {name: a, exec: /bin/sh -c 'sleep 0.3; exit 0', restart: transient}\n"
                   "  - {name: b, exec: /bin/sh -c 'sleep 0.3; exit 3', restart: temporary}\n"
                   "  - {name: c, exec: /bin/sh -c 'sleep 0.3; exit 4', restart: transient}\n"),
              NULL);
        /* the three exit in any order: each line is looked for in the whole log */
        assert_true(sv_run_wait_log(&r, "a: removed", 5));   /* transient, exit 0: done */
        r.seen = 0;
        assert_true(sv_run_wait_log(&r, "b: removed", 5));   /* temporary: never restarted */
        r.seen = 0;
        assert_true(sv_run_wait_log(&r, "c: restarting", 5)); /* transient, exit 4: restarted */
        assert_null(strstr(r.log.s, "a: restarting"));
        assert_null(strstr(r.log.s, "b: restarting"));
        kill(r.pid, SIGTERM);
        assert_int_equal(sv_run_finish(&r, 10), 0);
}

static void test_exec_failure_backs_off(void **state) {
        (void) state;
        SvRun r;
        sv_run_start(&r,
              "version: 1\nroot: R\nsupervisors:\n  - name: R\n    intensity: 100\n    period: 60s\n"
              "    backoff: {kind: exponential, base: 200ms, cap: 1s, multiplier: 2, jitter: 0}\n"
              "    children: [{name: x, type: worker}]\nworkers:\n  - {name: x, exec: /nonexistent/program}\n",
              NULL);
        double t0 = sv_run_now();
        for (int i = 0; i < 3; i++)
                assert_true(sv_run_wait_log(&r, "x: exited with status 127", 5));
        /* delays 200 + 400 ms between the three attempts: no busy loop */
        assert_true(sv_run_now() - t0 >= 0.55);
        kill(r.pid, SIGTERM);
        assert_int_equal(sv_run_finish(&r, 10), 0);
}

static void test_restart_breaker(void **state) {
        (void) state;
        SvRun r;
        sv_run_start(&r,
              "version: 1\nroot: R\nsupervisors:\n  - name: R\n    intensity: 1000\n    period: 60s\n"
              "    backoff: {kind: none, min_uptime: 1s}\n    children: [{name: x, type: worker}]\n"
              "workers:\n  - {name: x, exec: /bin/false}\n",
              NULL);
        /* five lives shorter than min_uptime: the breaker opens instead of restarting in a tight loop */
        assert_true(sv_run_wait_log(&r, "x: restart breaker open, next start in 10.0s", 5));
        size_t starts = 0;
        for (const char *p = r.log.s; (p = strstr(p, "x: started")); p++)
                starts++;
        usleep(500000);
        sv_run_pump(&r, 0);
        size_t later = 0;
        for (const char *p = r.log.s; (p = strstr(p, "x: started")); p++)
                later++;
        assert_int_equal(starts, later); /* nothing started while it is open */
        assert_true(starts <= 6);
        kill(r.pid, SIGTERM);
        assert_int_equal(sv_run_finish(&r, 10), 0);
}

static void test_notify_ready_watchdog_stopping(void **state) {
        (void) state;
        SvRun r;
        sv_run_start(&r,
              "version: 1\nroot: R\nsupervisors:\n  - name: R\n    intensity: 3\n    period: 10s\n"
              "    children: [{name: agent, type: worker}]\nworkers:\n"
              "  - {name: agent, exec: " AGENT " --role test --port 0 --ready-delay 300ms, readiness: notify, critical: true}\n",
              "200000");
        double t0 = sv_run_now();
        /* READY=1 to our NOTIFY_SOCKET only once the critical child said READY=1 itself */
        assert_true(sv_run_wait_note(&r, "READY=1", 5));
        assert_true(sv_run_now() - t0 >= 0.25);
        assert_true(sv_run_wait_log(&r, "agent: up", 1)); /* logged in the same loop iteration */
        /* WATCHDOG=1 every WATCHDOG_USEC/2 */
        r.notes.len = 0;
        if (r.notes.s)
                r.notes.s[0] = 0;
        usleep(600000);
        sv_run_pump(&r, 0);
        int pings = 0;
        for (const char *p = r.notes.s; p && (p = strstr(p, "WATCHDOG=1")); p++)
                pings++;
        assert_true(pings >= 3);
        kill(r.pid, SIGTERM);
        assert_true(sv_run_wait_note(&r, "STOPPING=1", 5));
        assert_int_equal(sv_run_finish(&r, 10), 0);
}

static void test_no_watchdog_when_unhealthy(void **state) {
        (void) state;
        SvRun r;
        sv_run_start(&r,
              "version: 1\nroot: R\nsupervisors:\n  - name: R\n    intensity: 100\n    period: 60s\n"
              "    backoff: {kind: exponential, base: 3s, cap: 3s, jitter: 0}\n    children: [{name: x, type: worker}]\n"
              "workers:\n  - {name: x, exec: /bin/false, critical: true}\n",
              "200000");
        /* the critical child is down, waiting for its restart: the system is unhealthy, systemd's
         * watchdog is left to fire */
        assert_true(sv_run_wait_log(&r, "x: restarting", 5));
        sv_run_pump(&r, 0);
        r.notes.len = 0;
        if (r.notes.s)
                r.notes.s[0] = 0;
        usleep(800000);
        sv_run_pump(&r, 0);
        assert_true(!r.notes.s || !strstr(r.notes.s, "WATCHDOG=1"));
        kill(r.pid, SIGTERM);
        assert_int_equal(sv_run_finish(&r, 10), 0);
}

static void test_shutdown_timeout(void **state) {
        (void) state;
        SvRun r;
        sv_run_start(&r,
              "version: 1\nroot: R\nsupervisors:\n  - name: R\n    children: [{name: a, type: worker}, {name: stubborn, type: worker}]\n"
              "workers:\n  - {name: a, exec: /bin/sleep 1000, shutdown: 5s}\n"
              "  - {name: stubborn, exec: /bin/sh -c 'trap \"\" TERM; sleep 1000 & wait', shutdown: 500ms}\n",
              NULL);
        assert_true(sv_run_wait_log(&r, "R: up", 5));
        usleep(300000); /* let the shell install its trap */
        double t0 = sv_run_now();
        kill(r.pid, SIGTERM);
        assert_true(sv_run_wait_log(&r, "stubborn: did not stop in time, killing", 5));
        assert_true(sv_run_wait_log(&r, "a: stopped", 5)); /* reverse order: stubborn first, then a */
        assert_int_equal(sv_run_finish(&r, 10), 0);
        double took = sv_run_now() - t0;
        assert_true(took >= 0.45 && took < 3.0);
}

static void test_second_sigterm_kills_at_once(void **state) {
        (void) state;
        SvRun r;
        sv_run_start(&r,
              "version: 1\nroot: R\nsupervisors:\n  - name: R\n    children: [{name: s, type: worker}]\n"
              "workers:\n  - {name: s, exec: /bin/sh -c 'trap \"\" TERM; sleep 1000 & wait', shutdown: 30s}\n",
              NULL);
        assert_true(sv_run_wait_log(&r, "R: up", 5));
        usleep(300000); /* let the shell install its trap */
        double t0 = sv_run_now();
        kill(r.pid, SIGTERM);
        usleep(200000);
        kill(r.pid, SIGTERM);
        assert_int_equal(sv_run_finish(&r, 10), 1);
        assert_true(sv_run_now() - t0 < 3.0);
}

static size_t on_body(char *data, size_t size, size_t n, void *userdata) {
        sb_appendn(userdata, data, size * n);
        return size * n;
}

/* GET url; the HTTP status (0 when nothing answered) and the body in *body. */
static long http_get(const char *url, StrBuf *body) {
        CURL *c = curl_easy_init();
        body->len = 0;
        if (body->s)
                body->s[0] = 0;
        curl_easy_setopt(c, CURLOPT_URL, url);
        curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
        curl_easy_setopt(c, CURLOPT_WRITEDATA, body);
        curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, 2000L);
        curl_easy_setopt(c, CURLOPT_NOPROXY, "*");
        long status = 0;
        if (curl_easy_perform(c) == CURLE_OK)
                curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
        curl_easy_cleanup(c);
        return status;
}

/* Polls url until it answers with want (pumping the supervisor's log meanwhile). */
static bool wait_http(SvRun *r, const char *url, long want, StrBuf *body, double timeout) {
        double end = sv_run_now() + timeout;
        while (http_get(url, body) != want) {
                if (sv_run_now() > end)
                        return false;
                sv_run_pump(r, 100);
        }
        return true;
}

static void test_endpoint_and_phi(void **state) {
        (void) state;
        SvRun r;
        StrBuf body = {};
        sv_run_start(&r,
              "version: 1\nproject: t\nlisten: \"127.0.0.1:@PORT@\"\nphi: {acceptable_pause: 500ms, min_stddev: 50ms}\n"
              "root: R\nsupervisors:\n  - name: R\n    intensity: 10\n    period: 10s\n"
              "    children: [{name: api, type: worker}, {name: mute, type: worker}]\nworkers:\n"
              "  - {name: api, exec: " AGENT " --role api --port 0, readiness: notify, critical: true}\n"
              "  - {name: mute, exec: /bin/sleep 1000, readiness: notify}\n",
              NULL);
        assert_true(sv_run_wait_log(&r, "api: up", 5));
        /* a non-critical child that never becomes ready only degrades the system */
        assert_true(wait_http(&r, sv_run_url(&r, "/health"), 200, &body, 5));
        assert_non_null(strstr(body.s, "\"status\": \"degraded\""));
        assert_non_null(strstr(body.s, "\"api\": {\"status\": \"passing\", \"state\": \"up\", \"critical\": true"));
        assert_int_equal(http_get(sv_run_url(&r, "/health/api"), &body), 200);
        assert_int_equal(http_get(sv_run_url(&r, "/health/nope"), &body), 404);
        assert_int_equal(http_get(sv_run_url(&r, "/tree"), &body), 200);
        char pid[32];
        snprintf(pid, sizeof(pid), "\"pid\": %d", (int) sv_run_pid_of(&r, "api"));
        assert_non_null(strstr(body.s, pid));
        assert_non_null(strstr(body.s, "\"strategy\": \"one_for_one\""));
        assert_int_equal(http_get(sv_run_url(&r, "/metrics"), &body), 200);
        assert_non_null(strstr(body.s, "msd_child_up{project=\"t\",supervisor=\"R\",child=\"api\"} 1\n"));
        assert_non_null(strstr(body.s, "msd_child_up{project=\"t\",supervisor=\"R\",child=\"mute\"} 0\n"));
        /* the agent stops its heartbeats: phi convicts it within a few intervals, and it is restarted */
        usleep(2500000); /* enough heartbeats (every 1 s) for phi to judge */
        pid_t hung = sv_run_pid_of(&r, "api");
        double t0 = sv_run_now();
        kill(hung, SIGUSR2);
        assert_true(sv_run_wait_log(&r, "api: no heartbeat for", 10));
        assert_true(sv_run_now() - t0 < 6);
        assert_true(sv_run_wait_log(&r, "api: up", 5));
        assert_int_not_equal(sv_run_pid_of(&r, "api"), hung);
        sb_free(&body);
        kill(r.pid, SIGTERM);
        assert_int_equal(sv_run_finish(&r, 10), 0);
}

static void test_readiness_check(void **state) {
        (void) state;
        SvRun r;
        sv_run_start(&r,
              "version: 1\nroot: R\nsupervisors:\n  - name: R\n    children: [{name: web, type: worker}, {name: after, type: worker}]\n"
              "workers:\n  - {name: web, exec: " AGENT " --role web --port @PORT@ --no-ready, readiness: check, check: \"http://127.0.0.1:@PORT@/health\"}\n"
              "  - {name: after, exec: /bin/sleep 1000}\n",
              NULL);
        /* the agent never sends READY=1: only its answering /health makes it up, and only then 'after' starts */
        assert_true(sv_run_wait_log(&r, "web: up", 5));
        assert_true(sv_run_wait_log(&r, "after: started", 5));
        kill(r.pid, SIGTERM);
        assert_int_equal(sv_run_finish(&r, 10), 0);
}

/* The /proc/PID/environ of a running process, NULs and all, into buf; its length. */

static void test_start_timeout(void **state) {
        (void) state;
        SvRun r;
        sv_run_start(&r,
              "version: 1\nroot: R\nsupervisors:\n  - name: R\n    intensity: 100\n    period: 60s\n"
              "    backoff: {kind: none, min_uptime: 0s}\n    children: [{name: ok, type: worker}, {name: mute, type: worker}]\n"
              "workers:\n  - {name: mute, exec: /bin/sleep 1000, readiness: notify, start_timeout: 300ms, shutdown: 1s}\n"
              "  - {name: ok, exec: " AGENT " --role test --port 0 --ready-delay 100ms, readiness: notify, start_timeout: 300ms}\n",
              NULL);
        double t0 = sv_run_now();
        assert_true(sv_run_wait_log(&r, "mute: started", 5));
        pid_t first = sv_run_pid_of(&r, "mute");
        /* never ready: failed at its start timeout, stopped with SIGTERM and started again */
        assert_true(sv_run_wait_log(&r, "mute: not ready within 0.300s (start_timeout), failing it", 5));
        double failed_at = sv_run_now() - t0;
        assert_true(failed_at >= 0.25 && failed_at < 2.0);
        assert_true(sv_run_wait_log(&r, "mute: exited with status 143", 5));
        assert_true(sv_run_wait_log(&r, "mute: restarting", 5));
        assert_true(sv_run_wait_log(&r, "mute: started", 5));
        assert_int_not_equal(sv_run_pid_of(&r, "mute"), first);
        /* a worker ready in time is left alone: its timer is gone once it is up */
        r.seen = 0;
        assert_true(sv_run_wait_log(&r, "ok: up", 5));
        usleep(500000);
        sv_run_pump(&r, 0);
        assert_null(strstr(r.log.s, "ok: not ready"));
        assert_null(strstr(r.log.s, "ok: restarting"));
        kill(r.pid, SIGTERM);
        assert_int_equal(sv_run_finish(&r, 10), 0);
}

static void write_file(const char *path, const char *text) {
        FILE *f = fopen(path, "we");
        assert_non_null(f);
        fputs(text, f);
        assert_int_equal(fclose(f), 0);
}

/* Whether jq parses body and finds filter true (jq -e); no shell in between, so filters quote freely. */
static bool jq(SvRun *r, const char *body, const char *filter) {
        char body_path[128], filter_path[128];
        snprintf(body_path, sizeof(body_path), "%s/body.json", r->dir);
        snprintf(filter_path, sizeof(filter_path), "%s/filter.jq", r->dir);
        write_file(body_path, body);
        write_file(filter_path, filter);
        char *const argv[] = { (char *) "jq", (char *) "-e", (char *) "-f", filter_path, body_path, NULL };
        char *out = NULL;
        size_t len;
        int status = -1;
        assert_int_equal(spawn_capture(argv, 0, &out, &len, &status), 0);
        if (status != 0)
                fprintf(stderr, "jq '%s' is not true of:\n%s(jq said: %s)\n", filter, body, out);
        free(out);
        return status == 0;
}

/* Every route answers valid JSON with what it knows, even about a name that is not valid UTF-8. */
static void test_endpoint_json(void **state) {
        (void) state;
        SvRun r;
        StrBuf body = {};
        sv_run_start(&r,
              "version: 1\nproject: t\nlisten: \"127.0.0.1:@PORT@\"\nroot: R\nsupervisors:\n  - name: R\n"
              "    children: [{name: api, type: worker}]\n"
              "workers:\n  - {name: api, exec: " AGENT " --role api --port 0, readiness: notify, critical: true}\n"
              "components:\n  - name: self\n    checks: [{name: port, kind: tcp, target: \"127.0.0.1:@PORT@\", interval: 100ms}]\n",
              NULL);
        assert_true(sv_run_wait_log(&r, "api: up", 5));
        double end = sv_run_now() + 5;
        while (!(http_get(sv_run_url(&r, "/health"), &body) == 200 && strstr(body.s, "\"result\": \"pass\"")) && sv_run_now() < end)
                sv_run_pump(&r, 100);
        assert_true(jq(&r, body.s,
                       ".status == \"healthy\" and .project == \"t\" and .children.api.state == \"up\" and .children.api.pid > 0"
                       " and .components.self.status == \"passing\" and .components.self.checks.port.result == \"pass\""
                       " and (.components.self.checks.port.duration_ms | type == \"number\")"));

        assert_int_equal(http_get(sv_run_url(&r, "/health/api"), &body), 200);
        assert_true(jq(&r, body.s, "keys == [\"api\"] and .api.status == \"passing\" and .api.critical"));
        assert_int_equal(http_get(sv_run_url(&r, "/health/self"), &body), 200);
        assert_true(jq(&r, body.s, ".status == \"healthy\" and (.components | keys == [\"self\"]) and (has(\"children\") | not)"));
        assert_int_equal(http_get(sv_run_url(&r, "/tree"), &body), 200);
        assert_true(jq(&r, body.s,
                       ".project == \"t\" and .root.type == \"supervisor\" and .root.strategy == \"one_for_one\""
                       " and .root.children[0].name == \"api\" and .root.children[0].readiness == \"notify\""));

        /* unknown names: a 404 whose body is JSON, the name quoted inside the message */
        assert_int_equal(http_get(sv_run_url(&r, "/health/nope"), &body), 404);
        assert_string_equal(body.s, "{\"error\": \"no component or child named 'nope'\"}\n");
        assert_true(jq(&r, body.s, ".error == \"no component or child named 'nope'\""));
        /* R is a supervisor, neither a child nor a component */
        assert_int_equal(http_get(sv_run_url(&r, "/health/R"), &body), 404);
        /* bytes that are not UTF-8 become U+FFFD, a quote is escaped: the body stays valid JSON (and ASCII) */
        assert_int_equal(http_get(sv_run_url(&r, "/health/%FF%C3%22x"), &body), 404);
        assert_null(memchr(body.s, 0xff, body.len));
        assert_string_equal(body.s, "{\"error\": \"no component or child named '\\ufffd\\ufffd\\\"x'\"}\n");
        assert_true(jq(&r, body.s, ".error == \"no component or child named '\\ufffd\\ufffd\\\"x'\""));

        sb_free(&body);
        kill(r.pid, SIGTERM);
        assert_int_equal(sv_run_finish(&r, 10), 0);
}

static void test_health_aggregator(void **state) {
        (void) state;
        SvRun r;
        StrBuf body = {};
        sv_run_start(&r,
              "version: 1\nproject: agg\nlisten: \"127.0.0.1:@PORT@\"\ncomponents:\n  - name: db\n    checks:\n"
              "      - {name: closed, kind: tcp, target: \"127.0.0.1:1\", interval: 100ms, timeout: 200ms, failures_before_critical: 2, critical: true}\n"
              "  - name: self\n    checks:\n"
              "      - {name: me, kind: http, target: \"http://127.0.0.1:@PORT@/tree\", interval: 100ms, critical: false}\n",
              NULL);
        assert_true(sv_run_wait_note(&r, "READY=1", 5));
        /* two failures of a critical check: unhealthy, HTTP 503 */
        assert_true(wait_http(&r, sv_run_url(&r, "/health"), 503, &body, 5));
        assert_non_null(strstr(body.s, "\"status\": \"unhealthy\""));
        assert_non_null(strstr(body.s, "\"closed\": {\"status\": \"critical\""));
        assert_int_equal(http_get(sv_run_url(&r, "/health/self"), &body), 200);
        assert_non_null(strstr(body.s, "\"me\": {\"status\": \"passing\""));
        sb_free(&body);
        kill(r.pid, SIGTERM);
        assert_int_equal(sv_run_finish(&r, 10), 0);
}

static void rewrite(SvRun *r, const char *yaml) {
        char path[128], tmp[140];
        snprintf(path, sizeof(path), "%s/sv.yaml", r->dir);
        snprintf(tmp, sizeof(tmp), "%s/sv.yaml.new", r->dir);
        FILE *f = fopen(tmp, "w");
        assert_non_null(f);
        fputs(yaml, f);
        fclose(f);
        assert_int_equal(rename(tmp, path), 0);
}

#define RELOAD_TREE(key)                                                                                                   \
        "version: 1\nroot: R\nsupervisors:\n  - name: R\n    strategy: one_for_all\n"                                          \
        "    children: [{name: a, type: worker}, {name: b, type: worker}]\nworkers:\n"                                         \
        "  - {name: a, exec: /bin/sleep 1000, environment: {KEY: " key "}}\n  - {name: b, exec: /bin/sleep 1001}\n"

/* STATUS= said "reloading": the summary must come again after the last such message */
static bool status_after_reload(SvRun *r, const char *summary) {
        for (double end = sv_run_now() + 2; sv_run_now() < end; sv_run_pump(r, 50)) {
                const char *last = NULL;
                for (const char *p = r->notes.s; p && (p = strstr(p, "STATUS=reloading")); p++)
                        last = p;
                if (last && strstr(last, summary))
                        return true;
        }
        fprintf(stderr, "no '%s' after the last STATUS=reloading; notes:\n%s\n", summary, r->notes.s ? r->notes.s : "");
        return false;
}

static void test_sighup_reload(void **state) {
        (void) state;
        SvRun r;
        sv_run_start(&r, RELOAD_TREE("one"), NULL);
        assert_true(sv_run_wait_log(&r, "R: up", 5));
        pid_t a = sv_run_pid_of(&r, "a"), b = sv_run_pid_of(&r, "b");
        /* key rotation: only the worker whose environment changed is replaced, not counted as a failure,
         * and one_for_all does not take its sibling down */
        rewrite(&r, RELOAD_TREE("two"));
        kill(r.pid, SIGHUP);
        assert_true(sv_run_wait_note(&r, "RELOADING=1", 5));
        assert_true(sv_run_wait_log(&r, "1 replaced, 0 added, 0 removed", 5));
        assert_true(status_after_reload(&r, "STATUS=2/2 workers up"));
        assert_true(sv_run_wait_log(&r, "a: started", 5));
        assert_int_not_equal(sv_run_pid_of(&r, "a"), a);
        assert_int_equal(sv_run_pid_of(&r, "b"), b);
        assert_null(strstr(r.log.s, "restarting"));
        /* the new environment, once the process has exec'ed (the log line comes right after fork) */
        char environ_path[64];
        snprintf(environ_path, sizeof(environ_path), "/proc/%d/environ", (int) sv_run_pid_of(&r, "a"));
        bool rotated = false;
        for (double end = sv_run_now() + 2; !rotated && sv_run_now() < end; usleep(20000)) {
                char env[8192];
                FILE *f = fopen(environ_path, "r");
                assert_non_null(f);
                size_t n = fread(env, 1, sizeof(env), f);
                fclose(f);
                rotated = memmem(env, n, "KEY=two", 8) != NULL;
        }
        assert_true(rotated);
        /* another shape: a goes (stopped, not restarted), c comes; b, under one_for_all, keeps running */
        a = sv_run_pid_of(&r, "a");
        r.seen = 0;
        rewrite(&r, "version: 1\nroot: R\nsupervisors:\n  - name: R\n    strategy: one_for_all\n"
                    "    children: [{name: b, type: worker}, {name: c, type: worker}]\nworkers:\n"
                    "  - {name: b, exec: /bin/sleep 1001}\n  - {name: c, exec: /bin/sleep 1002}\n");
        kill(r.pid, SIGHUP);
        assert_true(sv_run_wait_log(&r, "0 replaced, 1 added, 1 removed", 5));
        assert_true(sv_run_wait_log(&r, "a: exited with status 143", 5));
        assert_true(sv_run_wait_log(&r, "a: deleted", 5));
        assert_true(sv_run_wait_log(&r, "c: started", 5));
        assert_int_equal(sv_run_pid_of(&r, "b"), b);
        assert_true(kill(a, 0) < 0);
        pid_t c = sv_run_pid_of(&r, "c");
        /* an invalid configuration, or one switching to health aggregation, changes nothing */
        rewrite(&r, "version: 1\nroot: [broken\n");
        kill(r.pid, SIGHUP);
        assert_true(sv_run_wait_log(&r, "invalid configuration", 5));
        assert_true(status_after_reload(&r, "STATUS=2/2 workers up")); /* though nothing changed */
        rewrite(&r, "version: 1\nproject: p\ncomponents:\n  - name: x\n    checks: [{name: t, kind: tcp, target: \"127.0.0.1:1\"}]\n");
        kill(r.pid, SIGHUP);
        assert_true(sv_run_wait_log(&r, "do not turn into each other", 5));
        usleep(200000);
        sv_run_pump(&r, 0);
        assert_int_equal(sv_run_pid_of(&r, "b"), b);
        assert_int_equal(sv_run_pid_of(&r, "c"), c);
        assert_null(strstr(r.log.s, "restarting"));
        kill(r.pid, SIGTERM);
        assert_int_equal(sv_run_finish(&r, 10), 0);
}

static void test_resource_alerts(void **state) {
        (void) state;
        SvRun r;
        StrBuf body = {};
        sv_run_start(&r,
              "version: 1\nproject: al\nlisten: \"127.0.0.1:@PORT@\"\nroot: R\nsupervisors:\n  - name: R\n    children: [{name: s, type: worker}]\n"
              "workers:\n  - {name: s, exec: /bin/sleep 1000}\n"
              "monitor:\n  interval: 100ms\n  alerts:\n    - {name: busy, metric: pids, threshold: 0.5, clear: 0.5, breaches: 3}\n",
              NULL);
        double t0 = sv_run_now();
        /* one process is above 0.5 pids: the third consecutive breach fires (100 ms apart) */
        assert_true(sv_run_wait_log(&r, "s: alert busy firing (pids 1, threshold 0.5)", 5));
        assert_true(sv_run_now() - t0 >= 0.25);
        assert_int_equal(http_get(sv_run_url(&r, "/metrics"), &body), 200);
        assert_non_null(strstr(body.s, "msd_alert_firing{project=\"al\",alert=\"busy\",target=\"s\"} 1\n"));
        sb_free(&body);
        kill(r.pid, SIGTERM);
        assert_int_equal(sv_run_finish(&r, 10), 0);
}

/* "Uid:", "CapEff:" ... line of /proc/PID/status, value part */
static bool proc_status(pid_t pid, const char *key, char *ret, size_t size) {
        char path[64], line[256];
        snprintf(path, sizeof(path), "/proc/%d/status", (int) pid);
        FILE *f = fopen(path, "r");
        if (!f)
                return false;
        bool found = false;
        while (!found && fgets(line, sizeof(line), f))
                if (strncmp(line, key, strlen(key)) == 0) {
                        snprintf(ret, size, "%s", line + strlen(key) + strspn(line + strlen(key), " \t"));
                        found = true;
                }
        fclose(f);
        return found;
}

static void test_user_and_capabilities(void **state) {
        (void) state;
        if (getuid() != 0)
                fail_msg("test_user_and_capabilities needs root: it starts children as other users (run as root)");
        SvRun r;
        sv_run_start(&r,
              "version: 1\nroot: R\nsupervisors:\n  - name: R\n    children: [{name: n, type: worker}, {name: rootish, type: worker}]\n"
              "workers:\n  - {name: n, exec: /bin/sleep 1000, user: nobody, group: nogroup}\n  - {name: rootish, exec: /bin/sleep 1001}\n",
              NULL);
        assert_true(sv_run_wait_log(&r, "R: up", 5));
        usleep(200000); /* past exec */
        char v[128];
        assert_true(proc_status(sv_run_pid_of(&r, "n"), "Uid:", v, sizeof(v)));
        assert_int_equal(atoi(v), 65534);
        assert_true(proc_status(sv_run_pid_of(&r, "n"), "Gid:", v, sizeof(v)));
        assert_int_equal(atoi(v), 65534);
        assert_true(proc_status(sv_run_pid_of(&r, "n"), "CapEff:", v, sizeof(v)));
        assert_int_equal(strtoull(v, NULL, 16), 0);
        /* a child left as root keeps no capability either, not even in its bounding set */
        assert_true(proc_status(sv_run_pid_of(&r, "rootish"), "CapEff:", v, sizeof(v)));
        assert_int_equal(strtoull(v, NULL, 16), 0);
        assert_true(proc_status(sv_run_pid_of(&r, "rootish"), "CapBnd:", v, sizeof(v)));
        assert_int_equal(strtoull(v, NULL, 16), 0);
        assert_true(proc_status(sv_run_pid_of(&r, "rootish"), "NoNewPrivs:", v, sizeof(v)));
        assert_int_equal(atoi(v), 1);
        /* its own process group */
        assert_int_equal(getpgid(sv_run_pid_of(&r, "n")), sv_run_pid_of(&r, "n"));
        kill(r.pid, SIGTERM);
        assert_int_equal(sv_run_finish(&r, 10), 0);
}

/* True when text has a line that starts with prefix. */
static bool has_line(const char *text, const char *prefix) {
        for (const char *p = text; p; p = strchr(p, '\n'), p = p ? p + 1 : NULL)
                if (strncmp(p, prefix, strlen(prefix)) == 0)
                        return true;
        return false;
}

/* Every line on stderr carries its priority, so that the journal files errors apart from information: a
 * child that cannot be started is an error, its exit a warning, the tree's ordinary life information. */
static void test_log_priorities(void **state) {
        (void) state;
        SvRun r;
        sv_run_start(&r,
              "version: 1\nroot: R\nsupervisors:\n  - name: R\n    intensity: 0\n    period: 60s\n    backoff: {kind: none}\n"
              "    children: [{name: ok, type: worker}, {name: x, type: worker}]\n"
              "workers:\n  - {name: ok, exec: /bin/sleep 1000}\n  - {name: x, exec: /bin/true, user: msd-no-such-user}\n",
              NULL);
        /* intensity 0: the first failure escalates */
        assert_true(sv_run_wait_log(&r, "the root supervisor failed: restart intensity exceeded, exiting\n", 10));
        const char *log = r.log.s;
        assert_true(has_line(log, "<6>msd-supervisor: R: started\n"));
        assert_true(has_line(log, "<6>msd-supervisor: ok: started, pid "));
        assert_true(has_line(log, "<3>msd-supervisor: x: cannot start '/bin/true': No such process\n"));
        assert_true(has_line(log, "<4>msd-supervisor: x: exited with status 127\n"));
        assert_true(has_line(log, "<3>msd-supervisor: R: escalating\n"));
        assert_true(has_line(log, "<6>msd-supervisor: ok: exited with status 143\n")); /* stopped as asked */
        assert_true(has_line(log, "<6>msd-supervisor: ok: stopped\n"));
        assert_true(has_line(log, "<3>msd-supervisor: the root supervisor failed: restart intensity exceeded, exiting\n"));
        for (const char *p = log; *p; p = strchr(p, '\n') + 1) /* and nothing without a priority */
                if (!(p[0] == '<' && p[1] >= '0' && p[1] <= '7' && p[2] == '>'))
                        fail_msg("a line without a priority prefix in:\n%s", log);
        assert_int_equal(sv_run_finish(&r, 10), 1);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test_teardown(test_one_for_one, sv_run_teardown),           cmocka_unit_test_teardown(test_one_for_all, sv_run_teardown),
                cmocka_unit_test_teardown(test_rest_for_one, sv_run_teardown),          cmocka_unit_test_teardown(test_intensity_escalation, sv_run_teardown),
                cmocka_unit_test_teardown(test_restart_types, sv_run_teardown),         cmocka_unit_test_teardown(test_exec_failure_backs_off, sv_run_teardown),
                cmocka_unit_test_teardown(test_notify_ready_watchdog_stopping, sv_run_teardown), cmocka_unit_test_teardown(test_shutdown_timeout, sv_run_teardown),
                cmocka_unit_test_teardown(test_second_sigterm_kills_at_once, sv_run_teardown),
                cmocka_unit_test_teardown(test_endpoint_and_phi, sv_run_teardown),
                cmocka_unit_test_teardown(test_endpoint_json, sv_run_teardown),
                cmocka_unit_test_teardown(test_readiness_check, sv_run_teardown),
                cmocka_unit_test_teardown(test_start_timeout, sv_run_teardown),
                cmocka_unit_test_teardown(test_health_aggregator, sv_run_teardown),
                cmocka_unit_test_teardown(test_sighup_reload, sv_run_teardown),
                cmocka_unit_test_teardown(test_restart_breaker, sv_run_teardown),
                cmocka_unit_test_teardown(test_resource_alerts, sv_run_teardown),
                cmocka_unit_test_teardown(test_user_and_capabilities, sv_run_teardown),
                cmocka_unit_test_teardown(test_no_watchdog_when_unhealthy, sv_run_teardown),
                cmocka_unit_test_teardown(test_log_priorities, sv_run_teardown),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
