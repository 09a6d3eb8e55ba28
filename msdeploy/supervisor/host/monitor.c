/* SPDX-License-Identifier: MIT */
/* Where resource figures come from: the host's cgroup layout, the cgroup of a process, and for each figure of
 * a sample the first source that has it (cgroup2, cgroup1, then /proc/PID); the readers shared by the
 * monitor's parts. */
#include "supervisor/host/monitor.h"

#include <assert.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "supervisor/host/monitor-internal.h"
#include "util/enum-table.h"
#include "util/fileio.h"
#include "util/xalloc.h"

#define CGROUP_PATH_MAX 4096u

static const char *const sv_monitor_source_table[_SV_MONITOR_SOURCE_MAX] = {
        [SV_MONITOR_SOURCE_NONE] = "none",
        [SV_MONITOR_SOURCE_CGROUP2] = "cgroup2",
        [SV_MONITOR_SOURCE_CGROUP1] = "cgroup1",
        [SV_MONITOR_SOURCE_PROC] = "proc",
};
ENUM_STRING_TABLE(sv_monitor_source, SvMonitorSource, _SV_MONITOR_SOURCE_MAX)

static const char *const sv_cgroup_layout_table[_SV_CGROUP_LAYOUT_MAX] = {
        [SV_CGROUP_LAYOUT_NONE] = "none",
        [SV_CGROUP_LAYOUT_V1] = "v1",
        [SV_CGROUP_LAYOUT_HYBRID] = "hybrid",
        [SV_CGROUP_LAYOUT_V2] = "v2",
};
ENUM_STRING_TABLE(sv_cgroup_layout, SvCgroupLayout, _SV_CGROUP_LAYOUT_MAX)

/* ---- file helpers shared by the monitor's parts --------------------------------------------------------- */

char *sv_mon_path(const char *root, const char *path) {
        assert(path && path[0] == '/');
        size_t n = root ? strlen(root) : 0;
        while (n > 0 && root[n - 1] == '/')
                n--;
        size_t m = strlen(path);
        char *s = xmalloc(n + m + 1);
        if (n > 0)
                memcpy(s, root, n);
        memcpy(s + n, path, m + 1);
        return s;
}

int sv_mon_read(const char *root, const char *path, char **ret) {
        _cleanup_free_ char *full = sv_mon_path(root, path), *text = NULL;
        size_t len;
        int r = read_full_file(full, SV_MON_FILE_MAX, &text, &len);
        if (r < 0)
                return r;
        if (memchr(text, 0, len))
                return -EBADMSG;
        *ret = TAKE_PTR(text);
        return 0;
}

int sv_mon_parse_u64(const char **p, uint64_t *ret) {
        const char *s = *p;
        while (*s == ' ' || *s == '\t')
                s++;
        if (*s < '0' || *s > '9')
                return -EBADMSG;
        uint64_t v = 0;
        for (; *s >= '0' && *s <= '9'; s++) {
                unsigned d = (unsigned) (*s - '0');
                if (v > (UINT64_MAX - d) / 10)
                        return -ERANGE;
                v = v * 10 + d;
        }
        *p = s;
        *ret = v;
        return 0;
}

int sv_mon_keyed_u64(const char *text, const char *key, bool colon, uint64_t *ret) {
        size_t klen = strlen(key);
        for (const char *line = text; line && *line; line = strchr(line, '\n'), line = line ? line + 1 : NULL) {
                if (strncmp(line, key, klen) != 0)
                        continue;
                const char *p = line + klen;
                if (colon) {
                        if (*p != ':')
                                continue;
                        p++;
                } else if (*p != ' ' && *p != '\t')
                        continue;
                uint64_t v;
                int r = sv_mon_parse_u64(&p, &v);
                if (r < 0)
                        return r;
                *ret = v;
                return 0;
        }
        return -ENODATA;
}

static bool path_is_dir(const char *root, const char *path) {
        _cleanup_free_ char *full = sv_mon_path(root, path);
        struct stat st;
        return stat(full, &st) == 0 && S_ISDIR(st.st_mode);
}

/* ---- layout ------------------------------------------------------------------------------------------- */

static unsigned parse_controllers(const char *text) {
        static const struct {
                const char *name;
                unsigned bit;
        } table[] = {
                { "cpu", SV_CGROUP_CONTROLLER_CPU },
                { "memory", SV_CGROUP_CONTROLLER_MEMORY },
                { "io", SV_CGROUP_CONTROLLER_IO },
                { "pids", SV_CGROUP_CONTROLLER_PIDS },
        };
        unsigned mask = 0;
        const char *p = text;
        for (;;) {
                p += strspn(p, " \t\n");
                size_t n = strcspn(p, " \t\n");
                if (n == 0)
                        break;
                for (size_t i = 0; i < ELEMENTSOF(table); i++)
                        if (strlen(table[i].name) == n && strncmp(p, table[i].name, n) == 0)
                                mask |= table[i].bit;
                p += n;
        }
        return mask;
}

int sv_monitor_cgroup_info(const char *root, SvCgroupInfo *ret) {
        static const char *const v1_dirs[] = { "/sys/fs/cgroup/memory", "/sys/fs/cgroup/cpu",
                                               "/sys/fs/cgroup/cpuacct", "/sys/fs/cgroup/pids",
                                               "/sys/fs/cgroup/blkio" };
        SvCgroupInfo info = { .layout = SV_CGROUP_LAYOUT_NONE };
        _cleanup_free_ char *text = NULL;

        bool v1 = false;
        for (size_t i = 0; i < ELEMENTSOF(v1_dirs) && !v1; i++)
                v1 = path_is_dir(root, v1_dirs[i]);

        if (sv_mon_read(root, "/sys/fs/cgroup/cgroup.controllers", &text) >= 0) {
                info.layout = SV_CGROUP_LAYOUT_V2;
                info.v2_mount = "/sys/fs/cgroup";
        } else if (sv_mon_read(root, "/sys/fs/cgroup/unified/cgroup.controllers", &text) >= 0) {
                info.layout = v1 ? SV_CGROUP_LAYOUT_HYBRID : SV_CGROUP_LAYOUT_V2;
                info.v2_mount = "/sys/fs/cgroup/unified";
        } else if (v1)
                info.layout = SV_CGROUP_LAYOUT_V1;
        if (text)
                info.v2_controllers = parse_controllers(text);
        *ret = info;
        return 0;
}

/* ---- /proc/PID/cgroup ------------------------------------------------------------------------------ */

static bool list_has(const char *list, size_t len, const char *word) {
        size_t w = strlen(word);
        for (const char *p = list, *end = list + len; p < end;) {
                const char *comma = memchr(p, ',', (size_t) (end - p));
                size_t n = comma ? (size_t) (comma - p) : (size_t) (end - p);
                if (n == w && strncmp(p, word, w) == 0)
                        return true;
                p += n + 1;
        }
        return false;
}

static bool cgroup_path_is_valid(const char *p) {
        if (!p || p[0] != '/' || strlen(p) >= CGROUP_PATH_MAX)
                return false;
        for (const char *s = p; (s = strstr(s, "/..")); s += 3)
                if (s[3] == '/' || s[3] == 0)
                        return false;
        return true;
}

int sv_monitor_cgroup_path_of_pid(const char *root, pid_t pid, char **ret) {
        if (pid <= 0)
                return -EINVAL;
        SvCgroupInfo info;
        int r = sv_monitor_cgroup_info(root, &info);
        if (r < 0)
                return r;

        char path[64];
        snprintf(path, sizeof(path), "/proc/%d/cgroup", (int) pid);
        _cleanup_free_ char *text = NULL;
        r = sv_mon_read(root, path, &text);
        if (r == -ENOENT)
                return -ESRCH;
        if (r < 0)
                return r;

        /* preference: 0 = "0::" on v2, 1 = memory, 2 = name=systemd, 3 = "0::" elsewhere */
        const char *best = NULL;
        size_t best_len = 0;
        int best_rank = 4;
        for (char *line = text; *line;) {
                char *nl = strchr(line, '\n');
                size_t len = nl ? (size_t) (nl - line) : strlen(line);
                char *c1 = memchr(line, ':', len);
                char *c2 = c1 ? memchr(c1 + 1, ':', len - (size_t) (c1 + 1 - line)) : NULL;
                if (!c2 || c1 == line)
                        return -EBADMSG;
                const char *ctl = c1 + 1, *cg = c2 + 1;
                size_t ctl_len = (size_t) (c2 - ctl), cg_len = len - (size_t) (cg - line);
                int rank = 4;
                if (ctl_len == 0 && c1 - line == 1 && line[0] == '0')
                        rank = info.layout == SV_CGROUP_LAYOUT_V2 ? 0 : 3;
                else if (list_has(ctl, ctl_len, "memory"))
                        rank = 1;
                else if (list_has(ctl, ctl_len, "name=systemd"))
                        rank = 2;
                if (rank < best_rank && cg_len > 0 && cg[0] == '/') {
                        best = cg;
                        best_len = cg_len;
                        best_rank = rank;
                }
                if (!nl)
                        break;
                line = nl + 1;
        }
        if (!best)
                return -ENODATA;
        if (best_len >= CGROUP_PATH_MAX)
                return -EBADMSG;
        *ret = strndup(best, best_len);
        if (!*ret)
                xoom();
        return 0;
}

/* ---- sampling ---------------------------------------------------------------------------------------- */

/* v1 "no limit" is the largest page-aligned signed 64-bit value (9223372036854771712 with 4K pages) */
#define V1_UNLIMITED_MIN (UINT64_C(1) << 62)

static void set(SvFigure *f, uint64_t v, SvMonitorSource s) {
        f->value = v;
        f->source = s;
}

static void sample_memory(SvMonSample *c, SvResourceSample *s) {
        uint64_t v;
        if (sv_mon_cg2_u64(c, SV_CGROUP_CONTROLLER_MEMORY, "memory.current", false, &v) >= 0)
                set(&s->memory_current, v, SV_MONITOR_SOURCE_CGROUP2);
        else if (sv_mon_cg1_u64(c, "memory", "memory.usage_in_bytes", &v) >= 0)
                set(&s->memory_current, v, SV_MONITOR_SOURCE_CGROUP1);
        else if (sv_mon_proc_status_u64(c, "VmRSS", &v) >= 0 && v <= UINT64_MAX / 1024)
                set(&s->memory_current, v * 1024, SV_MONITOR_SOURCE_PROC);

        if (sv_mon_cg2_u64(c, SV_CGROUP_CONTROLLER_MEMORY, "memory.max", /* allow_max= */ true, &v) >= 0)
                set(&s->memory_max, v, SV_MONITOR_SOURCE_CGROUP2);
        else if (sv_mon_cg1_u64(c, "memory", "memory.limit_in_bytes", &v) >= 0)
                set(&s->memory_max, v >= V1_UNLIMITED_MIN ? SV_MONITOR_UNLIMITED : v, SV_MONITOR_SOURCE_CGROUP1);

        if (sv_mon_cg2_keyed(c, SV_CGROUP_CONTROLLER_MEMORY, "memory.events", "oom", &v) >= 0)
                set(&s->oom, v, SV_MONITOR_SOURCE_CGROUP2);
        if (sv_mon_cg2_keyed(c, SV_CGROUP_CONTROLLER_MEMORY, "memory.events", "oom_kill", &v) >= 0)
                set(&s->oom_kill, v, SV_MONITOR_SOURCE_CGROUP2);
        else if (sv_mon_cg1_keyed(c, "memory", "memory.oom_control", "oom_kill", &v) >= 0)
                set(&s->oom_kill, v, SV_MONITOR_SOURCE_CGROUP1);
}

static void sample_cpu(SvMonSample *c, SvResourceSample *s) {
        uint64_t v, period;
        if (sv_mon_cg2_keyed(c, 0, "cpu.stat", "usage_usec", &v) >= 0)
                set(&s->cpu_usage_usec, v, SV_MONITOR_SOURCE_CGROUP2);
        else if (sv_mon_cg1_u64(c, "cpuacct", "cpuacct.usage", &v) >= 0)
                set(&s->cpu_usage_usec, v / 1000, SV_MONITOR_SOURCE_CGROUP1);
        else if (sv_mon_proc_cpu_usec(c, &v) >= 0)
                set(&s->cpu_usage_usec, v, SV_MONITOR_SOURCE_PROC);

        if (sv_mon_cg2_cpu_max(c, &v, &period) >= 0) {
                set(&s->cpu_quota_usec, v, SV_MONITOR_SOURCE_CGROUP2);
                s->cpu_period_usec = period;
        } else if (sv_mon_cg1_cpu_quota(c, &v, &period) >= 0) {
                set(&s->cpu_quota_usec, v, SV_MONITOR_SOURCE_CGROUP1);
                s->cpu_period_usec = period;
        }
}

static void sample_pids_io(SvMonSample *c, SvResourceSample *s) {
        uint64_t v, w;
        if (sv_mon_cg2_u64(c, SV_CGROUP_CONTROLLER_PIDS, "pids.current", false, &v) >= 0)
                set(&s->pids_current, v, SV_MONITOR_SOURCE_CGROUP2);
        else if (sv_mon_cg1_u64(c, "pids", "pids.current", &v) >= 0)
                set(&s->pids_current, v, SV_MONITOR_SOURCE_CGROUP1);
        else if (sv_mon_proc_status_u64(c, "Threads", &v) >= 0)
                set(&s->pids_current, v, SV_MONITOR_SOURCE_PROC);

        SvMonitorSource src = SV_MONITOR_SOURCE_NONE;
        if (sv_mon_cg2_io(c, &v, &w) >= 0)
                src = SV_MONITOR_SOURCE_CGROUP2;
        else if (sv_mon_cg1_io(c, &v, &w) >= 0)
                src = SV_MONITOR_SOURCE_CGROUP1;
        else if (sv_mon_proc_io(c, &v, &w) >= 0)
                src = SV_MONITOR_SOURCE_PROC;
        if (src != SV_MONITOR_SOURCE_NONE) {
                set(&s->io_read_bytes, v, src);
                set(&s->io_write_bytes, w, src);
        }
}

int sv_monitor_sample(const char *root, const char *cgroup_path, pid_t pid, SvResourceSample *ret) {
        if (pid < 0 || (cgroup_path && !cgroup_path_is_valid(cgroup_path)) || (!cgroup_path && pid == 0))
                return -EINVAL;

        SvMonSample c = { .root = root, .cg = cgroup_path, .pid = pid };
        int r = sv_monitor_cgroup_info(root, &c.info);
        if (r < 0)
                return r;
        SvResourceSample s = { .layout = c.info.layout };
        s.timestamp = monotonic_usec();

        sample_memory(&c, &s);
        sample_cpu(&c, &s);
        sample_pids_io(&c, &s);
        free(c.proc_status);

        const SvFigure *all[] = { &s.memory_current, &s.memory_max, &s.cpu_usage_usec, &s.cpu_quota_usec,
                                  &s.pids_current, &s.io_read_bytes, &s.io_write_bytes, &s.oom, &s.oom_kill };
        int found = 0;
        for (size_t i = 0; i < ELEMENTSOF(all); i++)
                found += all[i]->source != SV_MONITOR_SOURCE_NONE;
        *ret = s;
        return found;
}

double sv_resource_cpu_quota_cores(const SvResourceSample *s) {
        if (s->cpu_quota_usec.source == SV_MONITOR_SOURCE_NONE || s->cpu_quota_usec.value == SV_MONITOR_UNLIMITED ||
            s->cpu_period_usec == 0)
                return -1;
        return (double) s->cpu_quota_usec.value / (double) s->cpu_period_usec;
}
