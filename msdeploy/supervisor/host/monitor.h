/* SPDX-License-Identifier: MIT */
/* Resource, network and TCP figures sampled from cgroup and /proc files, their /metrics, and the alert values
 * the rules of core/alert.h are fed with. */
#pragma once
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "supervisor/core/alert.h"
#include "util/strbuf.h"
#include "util/units.h"

/*
 * Every reader takes `root`, the directory the host's "/" is found under: NULL, "" or "/" for the real
 * host, a fixture tree in tests ("tests/fixtures/monitor/hybrid" holds sys/fs/cgroup/... and proc/...).
 * Readers are plain synchronous reads of small kernel files, cheap enough for a periodic timer in the
 * event loop.
 *
 * Where each figure comes from, first source that has it:
 *
 *   figure            cgroup2 (*)                  cgroup1                               /proc/PID
 *   memory current    memory.current               memory/memory.usage_in_bytes          status VmRSS
 *   memory limit      memory.max                   memory/memory.limit_in_bytes          -
 *   cpu usage         cpu.stat usage_usec          cpuacct/cpuacct.usage (ns)            stat utime+stime
 *   cpu quota         cpu.max                      cpu/cpu.cfs_quota_us, cfs_period_us   -
 *   pids              pids.current                 pids/pids.current                     status Threads
 *   io read/written   io.stat rbytes, wbytes       blkio/blkio.throttle.io_service_bytes io read_bytes, write_bytes
 *   oom, oom_kill     memory.events                memory/memory.oom_control (oom_kill)  -
 *
 * (*) the cgroup2 tree is /sys/fs/cgroup on a unified host, /sys/fs/cgroup/unified on a hybrid one; a
 * figure is read there only when the root's cgroup.controllers lists its controller (cpu.stat usage_usec
 * needs none, so on hybrid hosts, where the unified tree has no controllers, it still comes from there).
 * A missing, unreadable or malformed file makes the figure fall through to the next source.
 */

typedef enum SvMonitorSource {
        SV_MONITOR_SOURCE_NONE,
        SV_MONITOR_SOURCE_CGROUP2,
        SV_MONITOR_SOURCE_CGROUP1,
        SV_MONITOR_SOURCE_PROC,
        _SV_MONITOR_SOURCE_MAX,
        _SV_MONITOR_SOURCE_INVALID = -1,
} SvMonitorSource;

const char *sv_monitor_source_to_string(SvMonitorSource s); /* "none", "cgroup2", "cgroup1", "proc" */
SvMonitorSource sv_monitor_source_from_string(const char *s);

typedef enum SvCgroupLayout {
        SV_CGROUP_LAYOUT_NONE,   /* no cgroup file system found */
        SV_CGROUP_LAYOUT_V1,     /* v1 hierarchies only */
        SV_CGROUP_LAYOUT_HYBRID, /* v1 hierarchies plus cgroup2 at /sys/fs/cgroup/unified */
        SV_CGROUP_LAYOUT_V2,     /* cgroup2 at /sys/fs/cgroup (or only at unified, without v1) */
        _SV_CGROUP_LAYOUT_MAX,
        _SV_CGROUP_LAYOUT_INVALID = -1,
} SvCgroupLayout;

const char *sv_cgroup_layout_to_string(SvCgroupLayout l); /* "none", "v1", "hybrid", "v2" */
SvCgroupLayout sv_cgroup_layout_from_string(const char *s);

/* cgroup2 controllers the monitor reads */
typedef enum SvCgroupController {
        SV_CGROUP_CONTROLLER_CPU = 1u << 0,
        SV_CGROUP_CONTROLLER_MEMORY = 1u << 1,
        SV_CGROUP_CONTROLLER_IO = 1u << 2,
        SV_CGROUP_CONTROLLER_PIDS = 1u << 3,
} SvCgroupController;

typedef struct SvCgroupInfo {
        SvCgroupLayout layout;
        const char *v2_mount;    /* "/sys/fs/cgroup", "/sys/fs/cgroup/unified" or NULL; static */
        unsigned v2_controllers; /* SvCgroupController bits listed in the v2 root's cgroup.controllers */
} SvCgroupInfo;

/* Detects the layout under root. Never fails on a host without cgroups: that is SV_CGROUP_LAYOUT_NONE. */
int sv_monitor_cgroup_info(const char *root, SvCgroupInfo *ret);

/* The cgroup of a process from /proc/PID/cgroup: the "0::" line on a v2 layout; otherwise the v1 "memory"
 * line, then "name=systemd", then "0::". -ESRCH when the process is gone, -ENODATA when no line fits,
 * -EBADMSG on a malformed file. The path starts with '/'; free it. */
int sv_monitor_cgroup_path_of_pid(const char *root, pid_t pid, char **ret);

/* One figure and where it came from; value is meaningless when source is NONE. */
typedef struct SvFigure {
        uint64_t value;
        SvMonitorSource source;
} SvFigure;

#define SV_MONITOR_UNLIMITED UINT64_MAX

typedef struct SvResourceSample {
        usec_t timestamp;         /* CLOCK_MONOTONIC when sampled */
        SvCgroupLayout layout;
        SvFigure memory_current;  /* bytes */
        SvFigure memory_max;      /* bytes; SV_MONITOR_UNLIMITED when no limit */
        SvFigure cpu_usage_usec;  /* counter */
        SvFigure cpu_quota_usec;  /* per cpu_period_usec; SV_MONITOR_UNLIMITED when no quota */
        uint64_t cpu_period_usec; /* set with cpu_quota_usec */
        SvFigure pids_current;    /* tasks (threads) */
        SvFigure io_read_bytes;   /* counter */
        SvFigure io_write_bytes;  /* counter */
        SvFigure oom;             /* counter: times the limit was hit (cgroup2 only) */
        SvFigure oom_kill;        /* counter: processes the OOM killer killed */
} SvResourceSample;

/* Samples the cgroup at cgroup_path ("/system.slice/x.service", "/" for the root cgroup; no ".."
 * components; NULL: none) and, for figures no cgroup file has, process pid (0: none). Returns the number
 * of figures found (0 when none: a vanished cgroup and process), -EINVAL on a bad path, a negative pid
 * or neither a path nor a pid. */
int sv_monitor_sample(const char *root, const char *cgroup_path, pid_t pid, SvResourceSample *ret);

/* The CPU quota in cores (quota / period), or a negative value when unlimited or unknown */
double sv_resource_cpu_quota_cores(const SvResourceSample *s);

/* Prometheus samples of one target (a unit, or a child in supervisor mode), each with a `source` label:
 *   msd_cgroup_memory_current_bytes{project,unit,source}     gauge
 *   msd_cgroup_memory_max_bytes{project,unit,source}         gauge, absent when unlimited
 *   msd_cgroup_cpu_usage_seconds_total{project,unit,source}  counter
 *   msd_cgroup_cpu_quota_cores{project,unit,source}          gauge, absent when unlimited
 *   msd_pids_current{project,unit,source}                    gauge
 *   msd_cgroup_io_read_bytes_total, msd_cgroup_io_write_bytes_total{project,unit,source}  counters
 *   msd_cgroup_memory_oom_total, msd_cgroup_memory_oom_kill_total{project,unit,source}    counters
 * Figures without a source are left out; families without any sample too. */
void sv_monitor_metrics(StrBuf *b, const char *project, const char *target, const SvResourceSample *s);
/* The same for n targets, each family written once with all its samples (the exposition format wants
 * one # TYPE line per family and its samples together). */
void sv_monitor_metrics_many(StrBuf *b, const char *project, const char *const *targets,
                             const SvResourceSample *samples, size_t n);

/* ---- network ---------------------------------------------------------------------------------------- */

#define SV_NET_DEV_MAX 1024u    /* interfaces read from /proc/net/dev, more: -E2BIG */
#define SV_NET_IFNAME_MAX 16u   /* IFNAMSIZ, with the NUL */

typedef struct SvNetDev {
        char name[SV_NET_IFNAME_MAX];
        uint64_t rx_bytes, rx_packets, rx_errors, rx_drops;
        uint64_t tx_bytes, tx_packets, tx_errors, tx_drops;
} SvNetDev;

/* Every interface in /proc/net/dev, in file order. *ret is one allocation (free()); NULL when n is 0. */
int sv_monitor_net_dev(const char *root, SvNetDev **ret, size_t *ret_n);

typedef enum SvTcpState {
        SV_TCP_ESTABLISHED = 1, /* values as in the kernel's st column */
        SV_TCP_SYN_SENT,
        SV_TCP_SYN_RECV,
        SV_TCP_FIN_WAIT1,
        SV_TCP_FIN_WAIT2,
        SV_TCP_TIME_WAIT,
        SV_TCP_CLOSE,
        SV_TCP_CLOSE_WAIT,
        SV_TCP_LAST_ACK,
        SV_TCP_LISTEN,
        SV_TCP_CLOSING,
        SV_TCP_NEW_SYN_RECV,
        _SV_TCP_STATE_MAX,
        _SV_TCP_STATE_INVALID = -1,
} SvTcpState;

const char *sv_tcp_state_to_string(SvTcpState s); /* "established", "time_wait", "listen", ... */
SvTcpState sv_tcp_state_from_string(const char *s);

#define SV_TCP_PORTS_MAX 64u

typedef struct SvTcpPort {
        uint16_t port;        /* a local port some socket listens on (tcp or tcp6, any address) */
        uint64_t established; /* ESTABLISHED connections whose local port it is */
} SvTcpPort;

typedef struct SvTcpStats {
        uint64_t states[_SV_TCP_STATE_MAX]; /* connections by state over tcp and tcp6; [0] unused */
        SvTcpPort ports[SV_TCP_PORTS_MAX];  /* ascending by port */
        size_t n_ports;
        size_t n_ports_untracked;           /* listening ports beyond SV_TCP_PORTS_MAX (the highest ones) */
} SvTcpStats;

/* /proc/net/tcp and /proc/net/tcp6; a missing tcp6 (IPv6 disabled) counts as empty, a missing tcp is
 * an error. */
int sv_monitor_tcp(const char *root, SvTcpStats *ret);

/*   msd_net_{receive,transmit}_{bytes,packets,errors,drops}_total{project,interface}  counters */
void sv_monitor_net_metrics(StrBuf *b, const char *project, const SvNetDev *devs, size_t n);
/*   msd_tcp_connections{project,state}                        gauge, every state
 *   msd_tcp_port_established_connections{project,port}       gauge, per listening port
 *   msd_tcp_listen_ports_untracked{project}                   gauge */
void sv_monitor_tcp_metrics(StrBuf *b, const char *project, const SvTcpStats *t);

/* ---- alerts ----------------------------------------------------------------------------------------- */

/* The rule's metric from the current sample, the previous one (for rates; may be NULL) and the TCP
 * statistics (may be NULL). NaN when it cannot be computed. */
double sv_alert_metric_value(SvAlertMetric m, const SvResourceSample *prev, const SvResourceSample *cur,
                             const SvTcpStats *tcp);
/* Sends a firing or clearing to the journal: MESSAGE=, PRIORITY= (warning when firing, notice when
 * cleared), MSD_ALERT=, MSD_METRIC=, MSD_TARGET=, MSD_VALUE=, MSD_THRESHOLD=, MSD_CLEAR=,
 * MSD_STATE=firing|cleared. -errno of sd_journal_sendv(). */
int sv_alert_journal(const SvAlertRule *r, const char *target, double value, bool fired);
