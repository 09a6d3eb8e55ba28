/* SPDX-License-Identifier: MIT */
/* Tests of the supervisor's monitor: cgroup v2, hybrid and v1 fixture trees, /proc fallbacks, network and TCP
 * tables, /metrics lines, alert values from samples and sending to the journal, and one sample of this host. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <ftw.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "supervisor/host/monitor.h"
#include "util/xalloc.h"

#define FIXTURES TEST_SRCDIR "/tests/fixtures/monitor"
#define V2 FIXTURES "/v2"
#define HYBRID FIXTURES "/hybrid"
#define V1 FIXTURES "/v1"
#define PROCFS FIXTURES "/procfs"

#define CG2 SV_MONITOR_SOURCE_CGROUP2
#define CG1 SV_MONITOR_SOURCE_CGROUP1
#define PROC SV_MONITOR_SOURCE_PROC
#define NONE SV_MONITOR_SOURCE_NONE

#define assert_figure(f, v, src)                                 \
        do {                                                     \
                assert_int_equal((f).source, (src));             \
                assert_true((f).value == (uint64_t) (v));        \
        } while (0)

/* utime 250 + stime 130 ticks of the fixture's stat file, in microseconds */
static uint64_t fixture_cpu_usec(void) {
        long tck = sysconf(_SC_CLK_TCK);
        assert_true(tck > 0);
        return 380 * USEC_PER_SEC / (uint64_t) tck;
}

static void assert_contains(const char *text, const char *line) {
        if (!strstr(text, line))
                fail_msg("missing '%s' in:\n%s", line, text);
}

static size_t count(const char *text, const char *s) {
        size_t n = 0;
        for (const char *p = text; (p = strstr(p, s)); p += strlen(s))
                n++;
        return n;
}

static void test_strings(void **state) {
        (void) state;
        for (int i = 0; i < _SV_MONITOR_SOURCE_MAX; i++)
                assert_int_equal(sv_monitor_source_from_string(sv_monitor_source_to_string(i)), i);
        for (int i = 0; i < _SV_CGROUP_LAYOUT_MAX; i++)
                assert_int_equal(sv_cgroup_layout_from_string(sv_cgroup_layout_to_string(i)), i);
        for (int i = 1; i < _SV_TCP_STATE_MAX; i++)
                assert_int_equal(sv_tcp_state_from_string(sv_tcp_state_to_string(i)), i);
        assert_string_equal(sv_monitor_source_to_string(CG1), "cgroup1");
        assert_string_equal(sv_tcp_state_to_string(SV_TCP_TIME_WAIT), "time_wait");
        assert_null(sv_monitor_source_to_string(_SV_MONITOR_SOURCE_MAX));
        assert_null(sv_tcp_state_to_string(0));
        assert_int_equal(sv_monitor_source_from_string("cgroup3"), _SV_MONITOR_SOURCE_INVALID);
}

static void test_layout(void **state) {
        (void) state;
        SvCgroupInfo i;
        assert_int_equal(sv_monitor_cgroup_info(V2, &i), 0);
        assert_int_equal(i.layout, SV_CGROUP_LAYOUT_V2);
        assert_string_equal(i.v2_mount, "/sys/fs/cgroup");
        assert_int_equal(i.v2_controllers, SV_CGROUP_CONTROLLER_CPU | SV_CGROUP_CONTROLLER_MEMORY |
                                                   SV_CGROUP_CONTROLLER_IO | SV_CGROUP_CONTROLLER_PIDS);

        assert_int_equal(sv_monitor_cgroup_info(HYBRID, &i), 0);
        assert_int_equal(i.layout, SV_CGROUP_LAYOUT_HYBRID);
        assert_string_equal(i.v2_mount, "/sys/fs/cgroup/unified");
        assert_int_equal(i.v2_controllers, 0);

        assert_int_equal(sv_monitor_cgroup_info(V1, &i), 0);
        assert_int_equal(i.layout, SV_CGROUP_LAYOUT_V1);
        assert_null(i.v2_mount);

        assert_int_equal(sv_monitor_cgroup_info(PROCFS, &i), 0);
        assert_int_equal(i.layout, SV_CGROUP_LAYOUT_NONE);
}

static void assert_path_of_pid(const char *root, pid_t pid, const char *expected) {
        _cleanup_free_ char *p = NULL;
        assert_int_equal(sv_monitor_cgroup_path_of_pid(root, pid, &p), 0);
        assert_string_equal(p, expected);
}

static void test_path_of_pid(void **state) {
        (void) state;
        assert_path_of_pid(V2, 4242, "/system.slice/x.service");
        assert_path_of_pid(HYBRID, 4242, "/system.slice/x.service");
        assert_path_of_pid(V1, 4242, "/system.slice/x.service");
        assert_path_of_pid(PROCFS, 4242, "/system.slice/x.service");
        /* hybrid: the memory hierarchy's path wins over name=systemd and the unified one */
        assert_path_of_pid(HYBRID, 4243, "/");
        /* no memory line: name=systemd before "0::" */
        assert_path_of_pid(HYBRID, 4244, "/user.slice/session-2.scope");

        char *p = (char *) 0x1;
        assert_int_equal(sv_monitor_cgroup_path_of_pid(HYBRID, 4245, &p), -EBADMSG);
        assert_int_equal(sv_monitor_cgroup_path_of_pid(HYBRID, 9999, &p), -ESRCH);
        assert_int_equal(sv_monitor_cgroup_path_of_pid(HYBRID, 0, &p), -EINVAL);
        assert_ptr_equal(p, (char *) 0x1);
}

static void test_sample_v2(void **state) {
        (void) state;
        SvResourceSample s;
        assert_int_equal(sv_monitor_sample(V2, "/system.slice/x.service", 0, &s), 9);
        assert_int_equal(s.layout, SV_CGROUP_LAYOUT_V2);
        assert_figure(s.memory_current, 52428800, CG2);
        assert_figure(s.memory_max, 67108864, CG2);
        assert_figure(s.cpu_usage_usec, 1500000, CG2);
        assert_figure(s.cpu_quota_usec, 20000, CG2);
        assert_int_equal(s.cpu_period_usec, 100000);
        assert_figure(s.pids_current, 7, CG2);
        assert_figure(s.io_read_bytes, 1048576 + 2048, CG2);
        assert_figure(s.io_write_bytes, 4096 + 8192, CG2);
        assert_figure(s.oom, 3, CG2);
        assert_figure(s.oom_kill, 2, CG2);
        assert_true(s.timestamp > 0);
        assert_true(sv_resource_cpu_quota_cores(&s) == 0.2);

        /* "max": unlimited; no io.stat and no process: io has no source */
        assert_int_equal(sv_monitor_sample(V2, "/system.slice/y.service/", 0, &s), 7);
        assert_figure(s.memory_current, 1024, CG2);
        assert_figure(s.memory_max, SV_MONITOR_UNLIMITED, CG2);
        assert_figure(s.cpu_quota_usec, SV_MONITOR_UNLIMITED, CG2);
        assert_int_equal(s.cpu_period_usec, 100000);
        assert_true(sv_resource_cpu_quota_cores(&s) < 0);
        assert_int_equal(s.io_read_bytes.source, NONE);
        assert_int_equal(s.io_write_bytes.source, NONE);
        assert_figure(s.oom_kill, 0, CG2);

        /* a slice */
        assert_int_equal(sv_monitor_sample(V2, "/mister-smith.slice", 0, &s), 5);
        assert_figure(s.memory_current, 104857600, CG2);
        assert_true(sv_resource_cpu_quota_cores(&s) == 1.5);
        assert_figure(s.pids_current, 12, CG2);
        assert_int_equal(s.oom.source, NONE);
}

static void test_sample_hybrid(void **state) {
        (void) state;
        SvResourceSample s;
        /* the unified tree lists no controllers: its memory.current (999) is not read, its cpu.stat is */
        assert_int_equal(sv_monitor_sample(HYBRID, "/system.slice/x.service", 0, &s), 8);
        assert_int_equal(s.layout, SV_CGROUP_LAYOUT_HYBRID);
        assert_figure(s.memory_current, 58720256, CG1);
        assert_figure(s.memory_max, 67108864, CG1);
        assert_figure(s.cpu_usage_usec, 2500000, CG2);
        assert_figure(s.cpu_quota_usec, 20000, CG1);
        assert_int_equal(s.cpu_period_usec, 100000);
        assert_figure(s.pids_current, 5, CG1);
        assert_figure(s.io_read_bytes, 40960 + 100, CG1);
        assert_figure(s.io_write_bytes, 8192 + 200, CG1);
        assert_int_equal(s.oom.source, NONE);
        assert_figure(s.oom_kill, 1, CG1);

        /* only memory files: the rest from the process */
        assert_int_equal(sv_monitor_sample(HYBRID, "/system.slice/half.service", 4242, &s), 6);
        assert_figure(s.memory_current, 4096000, CG1);
        assert_figure(s.memory_max, SV_MONITOR_UNLIMITED, CG1);
        assert_figure(s.cpu_usage_usec, fixture_cpu_usec(), PROC);
        assert_int_equal(s.cpu_quota_usec.source, NONE);
        assert_figure(s.pids_current, 3, PROC);
        assert_figure(s.io_read_bytes, 4096, PROC);
        assert_figure(s.io_write_bytes, 8192, PROC);
        assert_int_equal(s.oom_kill.source, NONE);

        /* neither cgroup nor process */
        assert_int_equal(sv_monitor_sample(HYBRID, "/system.slice/gone.service", 0, &s), 0);
        assert_int_equal(s.memory_current.source, NONE);
        assert_int_equal(sv_monitor_sample(HYBRID, "/system.slice/gone.service", 31337, &s), 0);
}

static void test_sample_v1(void **state) {
        (void) state;
        SvResourceSample s;
        assert_int_equal(sv_monitor_sample(V1, "/system.slice/x.service", 0, &s), 5);
        assert_int_equal(s.layout, SV_CGROUP_LAYOUT_V1);
        assert_figure(s.memory_current, 33554432, CG1);
        assert_figure(s.memory_max, SV_MONITOR_UNLIMITED, CG1);
        assert_figure(s.cpu_usage_usec, 3000000, CG1); /* cpuacct.usage is in nanoseconds */
        assert_figure(s.cpu_quota_usec, SV_MONITOR_UNLIMITED, CG1);
        assert_figure(s.pids_current, 9, CG1);
        assert_int_equal(s.io_read_bytes.source, NONE);
        assert_int_equal(s.oom_kill.source, NONE);
}

static void test_sample_proc(void **state) {
        (void) state;
        SvResourceSample s;
        for (int i = 0; i < 2; i++) {
                assert_int_equal(sv_monitor_sample(PROCFS, i ? NULL : "/system.slice/x.service", 4242, &s), 5);
                assert_int_equal(s.layout, SV_CGROUP_LAYOUT_NONE);
                assert_figure(s.memory_current, 18432 * 1024, PROC);
                assert_int_equal(s.memory_max.source, NONE);
                assert_figure(s.cpu_usage_usec, fixture_cpu_usec(), PROC);
                assert_int_equal(s.cpu_quota_usec.source, NONE);
                assert_figure(s.pids_current, 3, PROC);
                assert_figure(s.io_read_bytes, 4096, PROC);
                assert_figure(s.io_write_bytes, 8192, PROC);
        }
}

static void test_sample_invalid(void **state) {
        (void) state;
        SvResourceSample s;
        memset(&s, 0x55, sizeof(s));
        assert_int_equal(sv_monitor_sample(V2, NULL, 0, &s), -EINVAL);
        assert_int_equal(sv_monitor_sample(V2, "system.slice", 0, &s), -EINVAL);
        assert_int_equal(sv_monitor_sample(V2, "/system.slice/../../etc", 0, &s), -EINVAL);
        assert_int_equal(sv_monitor_sample(V2, "/..", 0, &s), -EINVAL);
        assert_int_equal(sv_monitor_sample(V2, "/x.service", -1, &s), -EINVAL);
        assert_int_equal(s.layout, 0x55555555); /* untouched */
        /* "..x" is a name, not a parent */
        assert_int_equal(sv_monitor_sample(V2, "/..x.service", 0, &s), 0);
}

/* a temporary root with the given files; returns its path */
static char *tmp_root(const char *const *files) {
        char *dir = xstrdup("/tmp/test-sv-monitor.XXXXXX");
        assert_non_null(mkdtemp(dir));
        for (size_t i = 0; files[i]; i += 2) {
                char path[512];
                snprintf(path, sizeof(path), "%s/proc", dir);
                mkdir(path, 0755);
                snprintf(path, sizeof(path), "%s/proc/net", dir);
                mkdir(path, 0755);
                snprintf(path, sizeof(path), "%s%s", dir, files[i]);
                FILE *f = fopen(path, "we");
                assert_non_null(f);
                fputs(files[i + 1], f);
                fclose(f);
        }
        return dir;
}

static int rm_one(const char *path, const struct stat *st, int flag, struct FTW *ftw) {
        (void) st, (void) flag, (void) ftw;
        return remove(path);
}

static void rm_root(char *dir) {
        assert_int_equal(nftw(dir, rm_one, 8, FTW_DEPTH | FTW_PHYS), 0);
        free(dir);
}

static void test_net_dev(void **state) {
        (void) state;
        _cleanup_free_ SvNetDev *d = NULL;
        size_t n = 0;
        assert_int_equal(sv_monitor_net_dev(PROCFS, &d, &n), 0);
        assert_int_equal(n, 3);
        assert_string_equal(d[0].name, "lo");
        assert_int_equal(d[0].rx_bytes, 104857);
        assert_int_equal(d[0].tx_packets, 1024);
        assert_string_equal(d[1].name, "eth0");
        assert_int_equal(d[1].rx_bytes, 987654321);
        assert_int_equal(d[1].rx_packets, 654321);
        assert_int_equal(d[1].rx_errors, 3);
        assert_int_equal(d[1].rx_drops, 7);
        assert_int_equal(d[1].tx_bytes, 123456789);
        assert_int_equal(d[1].tx_packets, 234567);
        assert_int_equal(d[1].tx_errors, 1);
        assert_int_equal(d[1].tx_drops, 2);
        assert_string_equal(d[2].name, "veth-msd0");
        assert_int_equal(d[2].rx_drops, 1);
        assert_int_equal(d[2].tx_bytes, 256);

        StrBuf b = { 0 };
        sv_monitor_net_metrics(&b, "mister-smith", d, n);
        assert_contains(b.s, "# TYPE msd_net_receive_bytes_total counter\n");
        assert_contains(b.s, "msd_net_receive_bytes_total{project=\"mister-smith\",interface=\"eth0\"} 987654321\n");
        assert_contains(b.s, "msd_net_receive_errors_total{project=\"mister-smith\",interface=\"eth0\"} 3\n");
        assert_contains(b.s, "msd_net_transmit_drops_total{project=\"mister-smith\",interface=\"eth0\"} 2\n");
        assert_contains(b.s, "msd_net_transmit_packets_total{project=\"mister-smith\",interface=\"lo\"} 1024\n");
        assert_int_equal(count(b.s, "# TYPE "), 8);
        sb_free(&b);
}

static void test_net_dev_bad(void **state) {
        (void) state;
        static const char *const head = "Inter-|   Receive |  Transmit\n face |bytes packets|bytes packets\n";
        char long_name[256], short_line[256];
        snprintf(long_name, sizeof(long_name), "%sabcdefghijklmnopq: 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16\n", head);
        snprintf(short_line, sizeof(short_line), "%s  eth0: 1 2 3 4 5 6 7 8 9 10\n", head);
        SvNetDev *d = NULL;
        size_t n = 99;
        char *dir = tmp_root((const char *const[]) { "/proc/net/dev", long_name, NULL });
        assert_int_equal(sv_monitor_net_dev(dir, &d, &n), -EBADMSG);
        rm_root(dir);
        dir = tmp_root((const char *const[]) { "/proc/net/dev", short_line, NULL });
        assert_int_equal(sv_monitor_net_dev(dir, &d, &n), -EBADMSG);
        rm_root(dir);
        dir = tmp_root((const char *const[]) { "/proc/net/dev", head, NULL });
        assert_int_equal(sv_monitor_net_dev(dir, &d, &n), 0);
        assert_int_equal(n, 0);
        assert_null(d);
        rm_root(dir);
        n = 99;
        assert_int_equal(sv_monitor_net_dev(V2, &d, &n), -ENOENT);
        assert_int_equal(n, 99);
}

static void test_tcp(void **state) {
        (void) state;
        SvTcpStats t;
        assert_int_equal(sv_monitor_tcp(PROCFS, &t), 0);
        assert_int_equal(t.states[SV_TCP_ESTABLISHED], 5);
        assert_int_equal(t.states[SV_TCP_LISTEN], 4);
        assert_int_equal(t.states[SV_TCP_TIME_WAIT], 1);
        assert_int_equal(t.states[SV_TCP_CLOSE_WAIT], 1);
        assert_int_equal(t.states[SV_TCP_SYN_SENT], 0);
        /* 8080 listens on tcp and tcp6: one port, with the established connections of both */
        assert_int_equal(t.n_ports, 3);
        assert_int_equal(t.n_ports_untracked, 0);
        assert_int_equal(t.ports[0].port, 22);
        assert_int_equal(t.ports[0].established, 1);
        assert_int_equal(t.ports[1].port, 5432);
        assert_int_equal(t.ports[1].established, 1);
        assert_int_equal(t.ports[2].port, 8080);
        assert_int_equal(t.ports[2].established, 2);

        StrBuf b = { 0 };
        sv_monitor_tcp_metrics(&b, "mister-smith", &t);
        assert_contains(b.s, "# TYPE msd_tcp_connections gauge\n");
        assert_contains(b.s, "msd_tcp_connections{project=\"mister-smith\",state=\"established\"} 5\n");
        assert_contains(b.s, "msd_tcp_connections{project=\"mister-smith\",state=\"listen\"} 4\n");
        assert_contains(b.s, "msd_tcp_connections{project=\"mister-smith\",state=\"time_wait\"} 1\n");
        assert_contains(b.s, "msd_tcp_connections{project=\"mister-smith\",state=\"syn_recv\"} 0\n");
        assert_contains(b.s, "msd_tcp_port_established_connections{project=\"mister-smith\",port=\"8080\"} 2\n");
        assert_contains(b.s, "msd_tcp_port_established_connections{project=\"mister-smith\",port=\"22\"} 1\n");
        assert_contains(b.s, "msd_tcp_listen_ports_untracked{project=\"mister-smith\"} 0\n");
        sb_free(&b);
}

static void test_tcp_bounded(void **state) {
        (void) state;
        StrBuf f = { 0 };
#define REST " 00000000:00000000 00:00000000 00000000     0        0 1 1 0000000000000000 100 0 0 10 0\n"
        sb_append(&f, "  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout"
                      " inode\n");
        /* listening on 1069 down to 1000, then one connection to 1000 and one to 1069 */
        for (unsigned p = 1069; p >= 1000; p--)
                sb_printf(&f, "%4u: 00000000:%04X 00000000:0000 0A" REST, 1069 - p, p);
        sb_append(&f, "  70: 0100007F:03E8 0100007F:C000 01" REST);
        sb_append(&f, "  71: 0100007F:042D 0100007F:C001 01" REST);
#undef REST
        char *dir = tmp_root((const char *const[]) { "/proc/net/tcp", f.s, NULL });
        SvTcpStats t;
        assert_int_equal(sv_monitor_tcp(dir, &t), 0); /* no tcp6: IPv6 off */
        rm_root(dir);
        sb_free(&f);
        assert_int_equal(t.states[SV_TCP_LISTEN], 70);
        assert_int_equal(t.states[SV_TCP_ESTABLISHED], 2);
        assert_int_equal(t.n_ports, SV_TCP_PORTS_MAX);
        assert_int_equal(t.n_ports_untracked, 70 - SV_TCP_PORTS_MAX);
        assert_int_equal(t.ports[0].port, 1000);
        assert_int_equal(t.ports[0].established, 1);
        assert_int_equal(t.ports[SV_TCP_PORTS_MAX - 1].port, 1000 + SV_TCP_PORTS_MAX - 1);

        dir = tmp_root((const char *const[]) { "/proc/net/tcp", "  sl  local_address\n   0: garbage\n", NULL });
        assert_int_equal(sv_monitor_tcp(dir, &t), -EBADMSG);
        rm_root(dir);
        dir = tmp_root((const char *const[]) { "/proc/net/tcp6", "  sl  local_address\n", NULL });
        assert_int_equal(sv_monitor_tcp(dir, &t), -ENOENT); /* tcp itself is required */
        rm_root(dir);
}

static void test_metrics(void **state) {
        (void) state;
        SvResourceSample s[3];
        assert_int_equal(sv_monitor_sample(V2, "/system.slice/x.service", 0, &s[0]), 9);
        StrBuf b = { 0 };
        sv_monitor_metrics(&b, "mister-smith", "x.service", &s[0]);
#define L "{project=\"mister-smith\",unit=\"x.service\",source=\"cgroup2\"} "
        assert_contains(b.s, "# TYPE msd_cgroup_memory_current_bytes gauge\n");
        assert_contains(b.s, "\nmsd_cgroup_memory_current_bytes" L "52428800\n");
        assert_contains(b.s, "\nmsd_cgroup_memory_max_bytes" L "67108864\n");
        assert_contains(b.s, "# TYPE msd_cgroup_cpu_usage_seconds_total counter\n");
        assert_contains(b.s, "\nmsd_cgroup_cpu_usage_seconds_total" L "1.5\n");
        assert_contains(b.s, "\nmsd_cgroup_cpu_quota_cores" L "0.2\n");
        assert_contains(b.s, "\nmsd_pids_current" L "7\n");
        assert_contains(b.s, "\nmsd_cgroup_io_read_bytes_total" L "1050624\n");
        assert_contains(b.s, "\nmsd_cgroup_io_write_bytes_total" L "12288\n");
        assert_contains(b.s, "\nmsd_cgroup_memory_oom_total" L "3\n");
        assert_contains(b.s, "\nmsd_cgroup_memory_oom_kill_total" L "2\n");
#undef L
        sb_free(&b);

        /* unlimited: no max and no quota sample, and no family header without samples */
        assert_int_equal(sv_monitor_sample(V2, "/system.slice/y.service", 0, &s[0]), 7);
        sv_monitor_metrics(&b, "p", "y.service", &s[0]);
        assert_null(strstr(b.s, "msd_cgroup_memory_max_bytes"));
        assert_null(strstr(b.s, "msd_cgroup_cpu_quota_cores"));
        assert_null(strstr(b.s, "msd_cgroup_io_read_bytes_total"));
        sb_free(&b);

        /* several targets from several sources: each family once, samples together */
        assert_int_equal(sv_monitor_sample(V2, "/system.slice/x.service", 0, &s[0]), 9);
        assert_int_equal(sv_monitor_sample(HYBRID, "/system.slice/x.service", 0, &s[1]), 8);
        assert_int_equal(sv_monitor_sample(PROCFS, NULL, 4242, &s[2]), 5);
        const char *const targets[] = { "a.service", "b.service", "worker" };
        sv_monitor_metrics_many(&b, "p", targets, s, 3);
        assert_int_equal(count(b.s, "# TYPE msd_cgroup_memory_current_bytes gauge\n"), 1);
#define M "msd_cgroup_memory_current_bytes{project=\"p\",unit="
        assert_contains(b.s, "# TYPE msd_cgroup_memory_current_bytes gauge\n"
                             M "\"a.service\",source=\"cgroup2\"} 52428800\n"
                             M "\"b.service\",source=\"cgroup1\"} 58720256\n"
                             M "\"worker\",source=\"proc\"} 18874368\n");
#undef M
        assert_contains(b.s, "msd_cgroup_cpu_usage_seconds_total{project=\"p\",unit=\"b.service\","
                             "source=\"cgroup2\"} 2.5\n");
        assert_contains(b.s, "msd_cgroup_cpu_quota_cores{project=\"p\",unit=\"b.service\",source=\"cgroup1\"} 0.2\n");
        assert_contains(b.s, "msd_pids_current{project=\"p\",unit=\"worker\",source=\"proc\"} 3\n");
        assert_int_equal(count(b.s, "# TYPE msd_pids_current gauge\n"), 1);
        sb_free(&b);
}

static void test_alert_values(void **state) {
        (void) state;
        SvResourceSample s, y, prev;
        SvTcpStats t;
        assert_int_equal(sv_monitor_sample(V2, "/system.slice/x.service", 0, &s), 9);
        assert_int_equal(sv_monitor_sample(V2, "/system.slice/y.service", 0, &y), 7);
        assert_int_equal(sv_monitor_tcp(PROCFS, &t), 0);

        assert_true(sv_alert_metric_value(SV_ALERT_MEMORY_PERCENT, NULL, &s, NULL) == 78.125);
        assert_true(isnan(sv_alert_metric_value(SV_ALERT_MEMORY_PERCENT, NULL, &y, NULL))); /* no limit */
        assert_true(sv_alert_metric_value(SV_ALERT_MEMORY_BYTES, NULL, &s, NULL) == 52428800);
        assert_true(sv_alert_metric_value(SV_ALERT_PIDS, NULL, &s, NULL) == 7);
        assert_true(sv_alert_metric_value(SV_ALERT_TCP_ESTABLISHED, NULL, NULL, &t) == 5);
        assert_true(sv_alert_metric_value(SV_ALERT_TCP_TIME_WAIT, NULL, NULL, &t) == 1);
        assert_true(isnan(sv_alert_metric_value(SV_ALERT_TCP_ESTABLISHED, NULL, &s, NULL)));

        /* 0.5 s of CPU in 1 s: 50 % */
        prev = s;
        prev.timestamp = 10 * USEC_PER_SEC;
        prev.cpu_usage_usec.value = 1000000;
        s.timestamp = 11 * USEC_PER_SEC;
        assert_true(sv_alert_metric_value(SV_ALERT_CPU_PERCENT, &prev, &s, NULL) == 50);
        assert_true(isnan(sv_alert_metric_value(SV_ALERT_CPU_PERCENT, NULL, &s, NULL)));
        prev.cpu_usage_usec.source = CG1; /* figures from different sources do not subtract */
        assert_true(isnan(sv_alert_metric_value(SV_ALERT_CPU_PERCENT, &prev, &s, NULL)));
        prev.cpu_usage_usec = (SvFigure) { 2000000, CG2 }; /* counter went back (cgroup recreated) */
        assert_true(isnan(sv_alert_metric_value(SV_ALERT_CPU_PERCENT, &prev, &s, NULL)));
        prev.oom_kill.value = 1;
        assert_true(sv_alert_metric_value(SV_ALERT_OOM_KILLS, &prev, &s, NULL) == 1);
}

/* sending to the journal: the fields are core/alert's (test-sv-alert.c) */
static void test_alert_journal(void **state) {
        (void) state;
        const SvAlertRule rule = { .name = "memory-high", .metric = SV_ALERT_MEMORY_PERCENT, .threshold = 90, .clear = 80, .breaches = 3 };
        SvAlertRule bad = rule;
        bad.breaches = 0;
        assert_int_equal(sv_alert_journal(&bad, "x", 1, true), -EINVAL);
        assert_int_equal(sv_alert_journal(&rule, NULL, 1, true), -EINVAL);
        /* the real journal may be absent here: sending succeeds or reports an error, it never crashes */
        assert_true(sv_alert_journal(&rule, "test-sv-monitor", 95.5, true) <= 0);
}

/* this test process on the real host, whatever its cgroup layout */
static void test_real_host(void **state) {
        (void) state;
        SvCgroupInfo info;
        assert_int_equal(sv_monitor_cgroup_info(NULL, &info), 0);
        print_message("host cgroup layout: %s\n", sv_cgroup_layout_to_string(info.layout));

        _cleanup_free_ char *cg = NULL;
        int r = sv_monitor_cgroup_path_of_pid("/", getpid(), &cg);
        assert_true(r == 0 || r == -ENODATA);
        if (r == 0)
                assert_true(cg[0] == '/');

        SvResourceSample s;
        r = sv_monitor_sample(NULL, cg, getpid(), &s);
        assert_true(r >= 3);
        print_message("memory %llu from %s, cpu %llu us from %s, pids %llu from %s\n",
                      (unsigned long long) s.memory_current.value, sv_monitor_source_to_string(s.memory_current.source),
                      (unsigned long long) s.cpu_usage_usec.value, sv_monitor_source_to_string(s.cpu_usage_usec.source),
                      (unsigned long long) s.pids_current.value, sv_monitor_source_to_string(s.pids_current.source));
        assert_int_not_equal(s.memory_current.source, NONE);
        assert_true(s.memory_current.value > 0);
        assert_int_not_equal(s.cpu_usage_usec.source, NONE);
        assert_int_not_equal(s.pids_current.source, NONE);
        assert_true(s.pids_current.value >= 1);

        /* the process alone */
        assert_true(sv_monitor_sample(NULL, NULL, getpid(), &s) >= 3);
        assert_figure(s.pids_current, 1, PROC);
        assert_true(s.memory_current.value > 0);

        _cleanup_free_ SvNetDev *d = NULL;
        size_t n = 0;
        assert_int_equal(sv_monitor_net_dev("/", &d, &n), 0);
        bool lo = false;
        for (size_t i = 0; i < n; i++)
                lo = lo || strcmp(d[i].name, "lo") == 0;
        assert_true(lo);

        SvTcpStats t;
        assert_int_equal(sv_monitor_tcp(NULL, &t), 0);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_strings),        cmocka_unit_test(test_layout),
                cmocka_unit_test(test_path_of_pid),    cmocka_unit_test(test_sample_v2),
                cmocka_unit_test(test_sample_hybrid),  cmocka_unit_test(test_sample_v1),
                cmocka_unit_test(test_sample_proc),    cmocka_unit_test(test_sample_invalid),
                cmocka_unit_test(test_net_dev),        cmocka_unit_test(test_net_dev_bad),
                cmocka_unit_test(test_tcp),            cmocka_unit_test(test_tcp_bounded),
                cmocka_unit_test(test_metrics),        cmocka_unit_test(test_alert_values),
                cmocka_unit_test(test_alert_journal),  cmocka_unit_test(test_real_host),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
