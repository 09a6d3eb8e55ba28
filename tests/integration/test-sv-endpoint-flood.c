/* SPDX-License-Identifier: MIT */
/* msd-supervisor's HTTP endpoint under a connection flood: GET /health answers within 1 s while thousands of
 * idle or slowloris connections are open and after they are gone, and the supervisor's descriptors stay bounded
 * and return to where they were. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "supervisor/host/endpoint.h"
#include "util/units.h"

#define SUPERVISOR TEST_BINDIR "/msd-supervisor"
#define FLOOD 10000U                        /* connections per flood */
#define FLOOD_RATE 10000U                   /* connections opened per second (see start_attacker()) */
#define ANSWER_WITHIN_USEC (1 * USEC_PER_SEC) /* what /health owes every client, flood or not */
#define FD_SLACK 12U /* above the connections it holds: those evicted by one batch of accepts, not closed yet, a probe's */

static uint64_t now_usec(void) {
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (uint64_t) ts.tv_sec * USEC_PER_SEC + (uint64_t) ts.tv_nsec / 1000;
}

static struct sockaddr_in loopback(const char *address, int port) {
        struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons((uint16_t) port) };
        assert_int_equal(inet_pton(AF_INET, address, &sa.sin_addr), 1);
        return sa;
}

typedef struct Supervisor {
        pid_t pid;
        int port;
        char dir[64];
} Supervisor;

typedef struct Attacker {
        pid_t pid;
        int report; /* reads "N\n" once the attacker's N connects are issued */
} Attacker;

/* what the running test started: the teardown kills them whatever happened */
static Supervisor sv;
static Attacker attacker;

/* An attacker needs a descriptor per connection (the supervisor has its own limit, a fraction of which it uses). */
static void raise_fd_limit(void) {
        struct rlimit rl;
        assert_int_equal(getrlimit(RLIMIT_NOFILE, &rl), 0);
        if (rl.rlim_cur != RLIM_INFINITY && rl.rlim_cur >= FLOOD + 64)
                return;
        rl.rlim_cur = FLOOD + 64;
        if (rl.rlim_max != RLIM_INFINITY && rl.rlim_max < rl.rlim_cur)
                rl.rlim_max = rl.rlim_cur;
        if (setrlimit(RLIMIT_NOFILE, &rl) < 0)
                fail_msg("cannot raise RLIMIT_NOFILE to %llu: %s", (unsigned long long) rl.rlim_cur, strerror(errno));
}

static int count_fds(pid_t pid) {
        char path[64];
        snprintf(path, sizeof(path), "/proc/%d/fd", (int) pid);
        DIR *d = opendir(path);
        assert_non_null(d);
        int n = 0;
        for (struct dirent *de; (de = readdir(d));)
                if (de->d_name[0] != '.')
                        n++;
        closedir(d);
        return n;
}

/* GET /health from 127.0.0.1 on a fresh connection: the time to the end of the answer's head, or UINT64_MAX
 * when there was none within 2 s. */
static uint64_t probe(int port) {
        uint64_t t0 = now_usec(), deadline = t0 + 2 * USEC_PER_SEC;
        int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
        assert_true(fd >= 0);
        struct sockaddr_in sa = loopback("127.0.0.1", port);
        static const char request[] = "GET /health HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n";
        char buf[4096];
        size_t got = 0;
        bool sent = false;
        uint64_t result = UINT64_MAX;
        if (connect(fd, (struct sockaddr *) &sa, sizeof(sa)) < 0 && errno != EINPROGRESS)
                goto close_fd;
        for (uint64_t now; (now = now_usec()) < deadline;) {
                struct pollfd p = { fd, sent ? POLLIN : POLLOUT, 0 };
                if (poll(&p, 1, (int) ((deadline - now) / USEC_PER_MSEC) + 1) <= 0)
                        continue;
                if (!sent) {
                        if (send(fd, request, sizeof(request) - 1, MSG_NOSIGNAL) != (ssize_t) sizeof(request) - 1)
                                break;
                        sent = true;
                        continue;
                }
                ssize_t k = recv(fd, buf + got, sizeof(buf) - 1 - got, 0);
                if (k <= 0)
                        break;
                got += (size_t) k;
                buf[got] = 0;
                if (strstr(buf, "\r\n\r\n")) {
                        if (strncmp(buf, "HTTP/1.1 200 ", 13) == 0)
                                result = now_usec() - t0;
                        break;
                }
        }
close_fd:
        close(fd);
        return result;
}

/* Starts msd-supervisor with nothing but the endpoint and waits until /health answers. */
static void start_supervisor(void) {
        strcpy(sv.dir, "/tmp/msd-flood-XXXXXX");
        assert_non_null(mkdtemp(sv.dir));
        int s = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        struct sockaddr_in sa = loopback("127.0.0.1", 0);
        socklen_t len = sizeof(sa);
        assert_int_equal(bind(s, (struct sockaddr *) &sa, sizeof(sa)), 0);
        assert_int_equal(getsockname(s, (struct sockaddr *) &sa, &len), 0);
        close(s);
        sv.port = ntohs(sa.sin_port);
        char path[96];
        snprintf(path, sizeof(path), "%s/sv.yaml", sv.dir);
        FILE *f = fopen(path, "we");
        assert_non_null(f);
        fprintf(f, "version: 1\nproject: flood\nlisten: \"127.0.0.1:%d\"\ncomponents: []\n", sv.port);
        fclose(f);
        sv.pid = fork();
        assert_true(sv.pid >= 0);
        if (sv.pid == 0) {
                (void) prctl(PR_SET_PDEATHSIG, SIGKILL);
                int null = open("/dev/null", O_WRONLY | O_CLOEXEC);
                dup2(null, STDERR_FILENO);
                unsetenv("NOTIFY_SOCKET");
                unsetenv("WATCHDOG_USEC");
                execl(SUPERVISOR, SUPERVISOR, "--config", path, (char *) NULL);
                _exit(127);
        }
        for (uint64_t end = now_usec() + 5 * USEC_PER_SEC; probe(sv.port) == UINT64_MAX;) {
                assert_true(now_usec() < end);
                usleep(20 * 1000);
        }
        usleep(100 * 1000); /* the answered probe's connection is closed, and its descriptor gone */
}

static void stop_attacker(void) {
        if (attacker.pid <= 0)
                return;
        kill(attacker.pid, SIGKILL);
        waitpid(attacker.pid, NULL, 0);
        close(attacker.report);
        attacker.pid = 0;
}

static int teardown(void **state) {
        (void) state;
        stop_attacker();
        if (sv.pid > 0) {
                kill(sv.pid, SIGKILL);
                waitpid(sv.pid, NULL, 0);
                sv.pid = 0;
        }
        if (sv.dir[0]) {
                char path[96];
                snprintf(path, sizeof(path), "%s/sv.yaml", sv.dir);
                unlink(path);
                rmdir(sv.dir);
                sv.dir[0] = 0;
        }
        return 0;
}

typedef enum FloodKind {
        FLOOD_IDLE,      /* connect, then send nothing */
        FLOOD_SLOWLORIS, /* send an unfinished request head, then one more byte of it every 100 ms */
} FloodKind;

/* Forks the attacker, which opens n connections from the addresses 127.0.0.first .. 127.0.0.(first+spread-1) in
 * turn and keeps them open until it is killed. */
static void start_attacker(int port, FloodKind kind, unsigned n, unsigned first, unsigned spread) {
        int p[2];
        assert_int_equal(pipe2(p, O_CLOEXEC), 0);
        attacker = (Attacker) { .pid = fork(), .report = p[0] };
        assert_true(attacker.pid >= 0);
        if (attacker.pid > 0) {
                close(p[1]);
                return;
        }
        (void) prctl(PR_SET_PDEATHSIG, SIGKILL);
        int *fds = calloc(n, sizeof(int));
        if (!fds)
                _exit(2);
        unsigned opened = 0;
        uint64_t t0 = now_usec();
        for (unsigned i = 0; i < n; i++) {
                uint64_t due = t0 + (uint64_t) i * USEC_PER_SEC / FLOOD_RATE, now = now_usec();
                if (i % 100 == 0 && due > now)
                        usleep((useconds_t) (due - now));
                fds[i] = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
                if (fds[i] < 0)
                        _exit(3);
                char address[32];
                snprintf(address, sizeof(address), "127.0.0.%u", first + i % spread);
                struct sockaddr_in src = loopback(address, 0), dst = loopback("127.0.0.1", port);
                int one = 1;
                (void) setsockopt(fds[i], IPPROTO_IP, IP_BIND_ADDRESS_NO_PORT, &one, sizeof(one));
                if (bind(fds[i], (struct sockaddr *) &src, sizeof(src)) < 0)
                        _exit(4);
                if (connect(fds[i], (struct sockaddr *) &dst, sizeof(dst)) == 0 || errno == EINPROGRESS)
                        opened++;
        }
        dprintf(p[1], "%u\n", opened);
        static const char head[] = "GET /health HTTP/1.1\r\nHost: t\r\nX-Slow: ";
        for (unsigned round = 0;; round++) {
                for (unsigned i = 0; kind == FLOOD_SLOWLORIS && i < n; i++)
                        (void) send(fds[i], round == 0 ? head : "a", round == 0 ? sizeof(head) - 1 : 1, MSG_NOSIGNAL | MSG_DONTWAIT);
                usleep(100 * 1000);
        }
}

/* Waits until the attacker has issued its connects; returns how many it opened. */
static unsigned attacker_opened(void) {
        char buf[32] = {};
        struct pollfd p = { attacker.report, POLLIN, 0 };
        assert_int_equal(poll(&p, 1, 10 * 1000), 1);
        assert_true(read(attacker.report, buf, sizeof(buf) - 1) > 0);
        return (unsigned) strtoul(buf, NULL, 10);
}

/* Probes every 50 ms for duration_usec; returns the slowest answer (UINT64_MAX for none). */
static uint64_t probe_for(int port, uint64_t duration_usec, unsigned *ret_probes) {
        uint64_t worst = 0;
        unsigned n = 0;
        for (uint64_t end = now_usec() + duration_usec; now_usec() < end; n++) {
                uint64_t t = probe(port);
                if (t > worst)
                        worst = t;
                usleep(50 * 1000);
        }
        *ret_probes = n;
        return worst;
}

/* Waits up to timeout_usec for the supervisor's descriptors to come back to at most fds. */
static int fds_settle(int fds, uint64_t timeout_usec) {
        int n = count_fds(sv.pid);
        for (uint64_t end = now_usec() + timeout_usec; n > fds && now_usec() < end; n = count_fds(sv.pid))
                usleep(20 * 1000);
        return n;
}

/* A flood of FLOOD connections: /health answers within ANSWER_WITHIN_USEC while they connect, while they stay
 * and once they are gone; the supervisor holds at most SV_ENDPOINT_CLIENT_LIMIT of them per address and
 * SV_ENDPOINT_CONNECTION_LIMIT in all (the peak is sampled by every probe) and is back to its descriptors of
 * before. */
static void flood(FloodKind kind, unsigned first, unsigned spread) {
        unsigned held = spread * SV_ENDPOINT_CLIENT_LIMIT < SV_ENDPOINT_CONNECTION_LIMIT ? spread * SV_ENDPOINT_CLIENT_LIMIT
                                                                                          : SV_ENDPOINT_CONNECTION_LIMIT;
        raise_fd_limit();
        start_supervisor();
        int fds_before = count_fds(sv.pid);
        start_attacker(sv.port, kind, FLOOD, first, spread);

        int fds_peak = 0;
        unsigned probes = 0;
        uint64_t worst_during = 0;
        bool reported = false;
        unsigned opened = 0;
        for (uint64_t end = now_usec() + 1500 * USEC_PER_MSEC; now_usec() < end || !reported; probes++) {
                uint64_t t = probe(sv.port);
                if (t > worst_during)
                        worst_during = t;
                int n = count_fds(sv.pid);
                if (n > fds_peak)
                        fds_peak = n;
                struct pollfd p = { attacker.report, POLLIN, 0 };
                if (!reported && poll(&p, 1, 0) == 1) {
                        opened = attacker_opened();
                        reported = true;
                }
                usleep(20 * 1000);
        }
        assert_int_equal(opened, FLOOD);
        stop_attacker();

        uint64_t first_after = probe(sv.port);
        unsigned probes_after;
        uint64_t worst_after = probe_for(sv.port, 500 * USEC_PER_MSEC, &probes_after);
        if (first_after > worst_after)
                worst_after = first_after;
        int fds_after = fds_settle(fds_before, 2 * USEC_PER_SEC);
        fprintf(stderr, "  %s flood of %u from %u address(es): /health slowest %.1f ms during (%u probes), %.1f ms after (%u probes); supervisor fds %d before, %d at most during, %d after\n",
                kind == FLOOD_IDLE ? "idle" : "slowloris", FLOOD, spread, worst_during == UINT64_MAX ? -1.0 : (double) worst_during / 1000.0,
                probes, worst_after == UINT64_MAX ? -1.0 : (double) worst_after / 1000.0, probes_after + 1, fds_before, fds_peak, fds_after);

        assert_true(worst_during < ANSWER_WITHIN_USEC);
        assert_true(worst_after < ANSWER_WITHIN_USEC);
        assert_true(fds_peak <= fds_before + (int) (held + FD_SLACK));
        assert_true(fds_after <= fds_before);
}

/* One address (not the prober's) with 10,000 connections: its client limit is what is reached. */
static void test_idle_flood_one_address(void **state) {
        (void) state;
        flood(FLOOD_IDLE, /* first= */ 2, /* spread= */ 1);
}

/* 200 addresses with 50 connections each: the endpoint's own limit is what is reached, and room is made at the
 * expense of the clients with the most connections, never of the prober's single one. */
static void test_slowloris_many_addresses(void **state) {
        (void) state;
        flood(FLOOD_SLOWLORIS, /* first= */ 2, /* spread= */ 200);
}

/* Idle connections that the supervisor times out itself, with no client closing them: afterwards /health still
 * answers and every descriptor is given back (the lock-up that was reported came after such timeouts too). */
static void test_idle_connections_time_out(void **state) {
        (void) state;
        raise_fd_limit();
        start_supervisor();
        int fds_before = count_fds(sv.pid);
        start_attacker(sv.port, FLOOD_IDLE, 4 * SV_ENDPOINT_CLIENT_LIMIT, /* first= */ 2, /* spread= */ 4);
        assert_int_equal(attacker_opened(), 4 * SV_ENDPOINT_CLIENT_LIMIT);
        usleep(200 * 1000);
        assert_int_equal(count_fds(sv.pid), fds_before + 4 * (int) SV_ENDPOINT_CLIENT_LIMIT);
        int fds_after = fds_settle(fds_before, (SV_ENDPOINT_CONNECTION_TIMEOUT_SEC + 2) * USEC_PER_SEC);
        uint64_t t = probe(sv.port);
        fprintf(stderr, "  %u idle connections timed out: /health %.1f ms after; supervisor fds %d before, %d after\n",
                4 * SV_ENDPOINT_CLIENT_LIMIT, t == UINT64_MAX ? -1.0 : (double) t / 1000.0, fds_before, fds_after);
        assert_int_equal(fds_after, fds_before);
        assert_true(t < ANSWER_WITHIN_USEC);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test_teardown(test_idle_flood_one_address, teardown),
                cmocka_unit_test_teardown(test_slowloris_many_addresses, teardown),
                cmocka_unit_test_teardown(test_idle_connections_time_out, teardown),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
