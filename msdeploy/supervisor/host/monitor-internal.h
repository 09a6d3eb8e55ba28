/* SPDX-License-Identifier: MIT */
/* Shared by the monitor's parts (monitor.c, monitor-cgroup.c, monitor-proc.c, monitor-net.c): file reading
 * under a root, and the readers a sample takes its figures from. */
#pragma once
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "supervisor/host/monitor.h"

#define SV_MON_FILE_MAX (1024u * 1024u) /* the small kernel files read whole */

/* root (NULL, "" or "/" for none) joined with path, which starts with '/'; free it */
char *sv_mon_path(const char *root, const char *path);
/* The whole file root+path, NUL-terminated; -EFBIG beyond SV_MON_FILE_MAX, -EBADMSG when it holds a NUL */
int sv_mon_read(const char *root, const char *path, char **ret);
/* A decimal number at *p (leading blanks skipped), advancing *p past it; -EBADMSG when there is none */
int sv_mon_parse_u64(const char **p, uint64_t *ret);
/* In "key value\n" lines (cpu.stat, memory.events, "Key:\tvalue kB" with colon set), the value of key */
int sv_mon_keyed_u64(const char *text, const char *key, bool colon, uint64_t *ret);

/* One sample being taken: of what, and /proc/PID/status read once for the figures that need it. */
typedef struct SvMonSample {
        const char *root;
        const char *cg;    /* the cgroup ("/system.slice/x.service"); NULL: /proc only */
        SvCgroupInfo info;
        pid_t pid;         /* 0: none */
        char *proc_status; /* /proc/PID/status, read on first need; NULL: unread or unreadable */
        bool proc_status_tried;
} SvMonSample;

/* monitor-cgroup.c. Each returns -ENOENT when the sample has no such tree: no cgroup, no cgroup2 tree or
 * its controller not enabled (0: none needed), no cgroup1 hierarchies. */
/* One number alone in a cgroup2 file; with allow_max the word "max" reads as SV_MONITOR_UNLIMITED */
int sv_mon_cg2_u64(const SvMonSample *c, unsigned controller, const char *file, bool allow_max, uint64_t *ret);
/* The value of key in a cgroup2 "key value" file (cpu.stat, memory.events) */
int sv_mon_cg2_keyed(const SvMonSample *c, unsigned controller, const char *file, const char *key, uint64_t *ret);
/* The same in a cgroup1 hierarchy ("memory", "cpu", "cpuacct", "pids") */
int sv_mon_cg1_u64(const SvMonSample *c, const char *hierarchy, const char *file, uint64_t *ret);
int sv_mon_cg1_keyed(const SvMonSample *c, const char *hierarchy, const char *file, const char *key, uint64_t *ret);
/* Bytes read and written, summed over the devices (io.stat; blkio.throttle.io_service_bytes) */
int sv_mon_cg2_io(const SvMonSample *c, uint64_t *ret_read, uint64_t *ret_write);
int sv_mon_cg1_io(const SvMonSample *c, uint64_t *ret_read, uint64_t *ret_write);
/* The CPU quota per period in usec, quota SV_MONITOR_UNLIMITED when none (cpu.max; cpu.cfs_quota_us and
 * cpu.cfs_period_us) */
int sv_mon_cg2_cpu_max(const SvMonSample *c, uint64_t *ret_quota, uint64_t *ret_period);
int sv_mon_cg1_cpu_quota(const SvMonSample *c, uint64_t *ret_quota, uint64_t *ret_period);

/* monitor-proc.c: figures of the sample's process; -ENOENT without one. */
/* A "Key:\tvalue" of /proc/PID/status ("VmRSS" in kB, "Threads") */
int sv_mon_proc_status_u64(SvMonSample *c, const char *key, uint64_t *ret);
/* utime + stime of /proc/PID/stat */
int sv_mon_proc_cpu_usec(const SvMonSample *c, uint64_t *ret);
/* read_bytes, write_bytes of /proc/PID/io */
int sv_mon_proc_io(const SvMonSample *c, uint64_t *ret_read, uint64_t *ret_write);
