/* SPDX-License-Identifier: MIT */
/* The monitor's figures as Prometheus samples: resources per target, labelled with their source, and the
 * host's network interfaces and TCP connections. */
#include <stdio.h>
#include <string.h>

#include "supervisor/core/prom.h"
#include "supervisor/host/monitor.h"
#include "util/xalloc.h"

/* ---- resources ------------------------------------------------------------------------------------------ */

typedef enum Family {
        FAMILY_MEMORY_CURRENT,
        FAMILY_MEMORY_MAX,
        FAMILY_CPU_USAGE,
        FAMILY_CPU_QUOTA,
        FAMILY_PIDS,
        FAMILY_IO_READ,
        FAMILY_IO_WRITE,
        FAMILY_OOM,
        FAMILY_OOM_KILL,
        _FAMILY_MAX,
} Family;

static const struct {
        const char *name, *type, *help;
} families[_FAMILY_MAX] = {
        [FAMILY_MEMORY_CURRENT] = { "msd_cgroup_memory_current_bytes", "gauge", "Memory in use" },
        [FAMILY_MEMORY_MAX] = { "msd_cgroup_memory_max_bytes", "gauge", "Memory limit" },
        [FAMILY_CPU_USAGE] = { "msd_cgroup_cpu_usage_seconds_total", "counter", "CPU time used" },
        [FAMILY_CPU_QUOTA] = { "msd_cgroup_cpu_quota_cores", "gauge", "CPU quota in cores" },
        [FAMILY_PIDS] = { "msd_pids_current", "gauge", "Tasks (threads)" },
        [FAMILY_IO_READ] = { "msd_cgroup_io_read_bytes_total", "counter", "Bytes read from block devices" },
        [FAMILY_IO_WRITE] = { "msd_cgroup_io_write_bytes_total", "counter", "Bytes written to block devices" },
        [FAMILY_OOM] = { "msd_cgroup_memory_oom_total", "counter", "Times the memory limit was hit" },
        [FAMILY_OOM_KILL] = { "msd_cgroup_memory_oom_kill_total", "counter", "Processes killed by the OOM killer" },
};

/* the family's value of a sample; false when it has none */
static bool family_value(Family f, const SvResourceSample *s, double *ret, SvMonitorSource *ret_source) {
        const SvFigure *fig = NULL;
        double scale = 1;
        switch (f) {
        case FAMILY_MEMORY_CURRENT: fig = &s->memory_current; break;
        case FAMILY_MEMORY_MAX:
                fig = &s->memory_max;
                if (fig->value == SV_MONITOR_UNLIMITED)
                        return false;
                break;
        case FAMILY_CPU_USAGE: fig = &s->cpu_usage_usec; scale = 1e6; break;
        case FAMILY_CPU_QUOTA: {
                double cores = sv_resource_cpu_quota_cores(s);
                if (cores < 0)
                        return false;
                *ret = cores;
                *ret_source = s->cpu_quota_usec.source;
                return true;
        }
        case FAMILY_PIDS: fig = &s->pids_current; break;
        case FAMILY_IO_READ: fig = &s->io_read_bytes; break;
        case FAMILY_IO_WRITE: fig = &s->io_write_bytes; break;
        case FAMILY_OOM: fig = &s->oom; break;
        case FAMILY_OOM_KILL: fig = &s->oom_kill; break;
        default: return false;
        }
        if (fig->source == SV_MONITOR_SOURCE_NONE)
                return false;
        *ret = (double) fig->value / scale;
        *ret_source = fig->source;
        return true;
}

void sv_monitor_metrics_many(StrBuf *b, const char *project, const char *const *targets,
                             const SvResourceSample *samples, size_t n) {
        for (Family f = 0; f < _FAMILY_MAX; f++) {
                bool header = false;
                for (size_t i = 0; i < n; i++) {
                        double v;
                        SvMonitorSource src;
                        if (!family_value(f, &samples[i], &v, &src))
                                continue;
                        if (!header) {
                                sv_prom_family(b, families[f].name, families[f].type, families[f].help);
                                header = true;
                        }
                        const char *labels[] = { "project", project, "unit",   targets[i],
                                                 "source",  sv_monitor_source_to_string(src), NULL };
                        sv_prom_sample(b, families[f].name, labels, v);
                }
        }
}

void sv_monitor_metrics(StrBuf *b, const char *project, const char *target, const SvResourceSample *s) {
        sv_monitor_metrics_many(b, project, &target, s, 1);
}

/* ---- network ------------------------------------------------------------------------------------------- */

void sv_monitor_net_metrics(StrBuf *b, const char *project, const SvNetDev *devs, size_t n) {
        static const struct {
                const char *name, *help;
                size_t offset;
        } fams[] = {
                { "msd_net_receive_bytes_total", "Bytes received", offsetof(SvNetDev, rx_bytes) },
                { "msd_net_receive_packets_total", "Packets received", offsetof(SvNetDev, rx_packets) },
                { "msd_net_receive_errors_total", "Receive errors", offsetof(SvNetDev, rx_errors) },
                { "msd_net_receive_drops_total", "Received packets dropped", offsetof(SvNetDev, rx_drops) },
                { "msd_net_transmit_bytes_total", "Bytes sent", offsetof(SvNetDev, tx_bytes) },
                { "msd_net_transmit_packets_total", "Packets sent", offsetof(SvNetDev, tx_packets) },
                { "msd_net_transmit_errors_total", "Transmit errors", offsetof(SvNetDev, tx_errors) },
                { "msd_net_transmit_drops_total", "Packets dropped on sending", offsetof(SvNetDev, tx_drops) },
        };
        if (n == 0)
                return;
        for (size_t f = 0; f < ELEMENTSOF(fams); f++) {
                sv_prom_family(b, fams[f].name, "counter", fams[f].help);
                for (size_t i = 0; i < n; i++) {
                        uint64_t v;
                        memcpy(&v, (const char *) &devs[i] + fams[f].offset, sizeof(v));
                        const char *labels[] = { "project", project, "interface", devs[i].name, NULL };
                        sv_prom_sample(b, fams[f].name, labels, (double) v);
                }
        }
}

void sv_monitor_tcp_metrics(StrBuf *b, const char *project, const SvTcpStats *t) {
        sv_prom_family(b, "msd_tcp_connections", "gauge", "TCP connections by state (IPv4 and IPv6)");
        for (int s = 1; s < _SV_TCP_STATE_MAX; s++) {
                const char *labels[] = { "project", project, "state", sv_tcp_state_to_string(s), NULL };
                sv_prom_sample(b, "msd_tcp_connections", labels, (double) t->states[s]);
        }
        if (t->n_ports > 0) {
                sv_prom_family(b, "msd_tcp_port_established_connections", "gauge",
                               "Established connections to a listening port");
                for (size_t i = 0; i < t->n_ports; i++) {
                        char port[8];
                        snprintf(port, sizeof(port), "%u", (unsigned) t->ports[i].port);
                        const char *labels[] = { "project", project, "port", port, NULL };
                        sv_prom_sample(b, "msd_tcp_port_established_connections", labels,
                                       (double) t->ports[i].established);
                }
        }
        sv_prom_family(b, "msd_tcp_listen_ports_untracked", "gauge", "Listening ports beyond the tracked ones");
        const char *labels[] = { "project", project, NULL };
        sv_prom_sample(b, "msd_tcp_listen_ports_untracked", labels, (double) t->n_ports_untracked);
}
