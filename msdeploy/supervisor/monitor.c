/* SPDX-License-Identifier: MIT */
/* Per-cgroup and per-process resource figures from cgroup2, cgroup1 or /proc files, and their /metrics. */
#include "monitor.h"

#include <assert.h>
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "supervisor/monitor-internal.h"
#include "supervisor/prom.h"
#include "util/xalloc.h"
#include "util/enum-table.h"

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
        _cleanup_free_ char *full = sv_mon_path(root, path);
        _cleanup_close_ int fd = open(full, O_RDONLY | O_CLOEXEC | O_NOCTTY);
        if (fd < 0)
                return -errno;

        size_t cap = 4096, len = 0;
        _cleanup_free_ char *buf = xmalloc(cap);
        for (;;) {
                if (len + 1 >= cap) {
                        if (cap >= SV_MON_FILE_MAX)
                                return -EFBIG;
                        cap *= 2;
                        buf = xrealloc(buf, cap);
                }
                ssize_t k = read(fd, buf + len, cap - len - 1);
                if (k < 0) {
                        if (errno == EINTR)
                                continue;
                        return -errno;
                }
                if (k == 0)
                        break;
                len += (size_t) k;
        }
        if (memchr(buf, 0, len))
                return -EBADMSG;
        buf[len] = 0;
        *ret = TAKE_PTR(buf);
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

/* one number alone in a file ("123\n"); the word `max`, when given, reads as SV_MONITOR_UNLIMITED */
static int read_u64_file(const char *root, const char *path, bool allow_max, uint64_t *ret) {
        _cleanup_free_ char *text = NULL;
        int r = sv_mon_read(root, path, &text);
        if (r < 0)
                return r;
        const char *p = text;
        uint64_t v;
        if (allow_max && strncmp(p, "max", 3) == 0) {
                v = SV_MONITOR_UNLIMITED;
                p += 3;
        } else {
                r = sv_mon_parse_u64(&p, &v);
                if (r < 0)
                        return r;
        }
        while (*p == ' ' || *p == '\t' || *p == '\n')
                p++;
        if (*p)
                return -EBADMSG;
        *ret = v;
        return 0;
}

static int read_keyed_file(const char *root, const char *path, const char *key, bool colon, uint64_t *ret) {
        _cleanup_free_ char *text = NULL;
        int r = sv_mon_read(root, path, &text);
        if (r < 0)
                return r;
        return sv_mon_keyed_u64(text, key, colon, ret);
}

/* "/sys/fs/cgroup/memory" + "/system.slice/x.service" + "/memory.current" */
static char *cg_file(const char *mount, const char *cgroup, const char *file) {
        size_t a = strlen(mount), b = strlen(cgroup), c = strlen(file);
        while (b > 0 && cgroup[b - 1] == '/')
                b--;
        char *s = xmalloc(a + b + c + 2);
        memcpy(s, mount, a);
        memcpy(s + a, cgroup, b);
        s[a + b] = '/';
        memcpy(s + a + b + 1, file, c + 1);
        return s;
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

typedef struct Ctx {
        const char *root;
        const char *cg;    /* NULL: /proc only */
        SvCgroupInfo info;
        pid_t pid;
        char *proc_status; /* /proc/PID/status, read on first need; NULL: unread or unreadable */
        bool proc_status_tried;
} Ctx;

static bool has_v2(const Ctx *c, unsigned controller) {
        return c->cg && c->info.v2_mount && (controller == 0 || (c->info.v2_controllers & controller));
}

static bool has_v1(const Ctx *c) {
        return c->cg && (c->info.layout == SV_CGROUP_LAYOUT_V1 || c->info.layout == SV_CGROUP_LAYOUT_HYBRID);
}

static void set(SvFigure *f, uint64_t v, SvMonitorSource s) {
        f->value = v;
        f->source = s;
}

static int v2_u64(const Ctx *c, unsigned controller, const char *file, bool allow_max, uint64_t *ret) {
        if (!has_v2(c, controller))
                return -ENOENT;
        _cleanup_free_ char *p = cg_file(c->info.v2_mount, c->cg, file);
        return read_u64_file(c->root, p, allow_max, ret);
}

static int v2_keyed(const Ctx *c, unsigned controller, const char *file, const char *key, uint64_t *ret) {
        if (!has_v2(c, controller))
                return -ENOENT;
        _cleanup_free_ char *p = cg_file(c->info.v2_mount, c->cg, file);
        return read_keyed_file(c->root, p, key, /* colon= */ false, ret);
}

static int v1_u64(const Ctx *c, const char *hierarchy, const char *file, uint64_t *ret) {
        if (!has_v1(c))
                return -ENOENT;
        _cleanup_free_ char *mount = NULL;
        if (asprintf(&mount, "/sys/fs/cgroup/%s", hierarchy) < 0)
                xoom();
        _cleanup_free_ char *p = cg_file(mount, c->cg, file);
        return read_u64_file(c->root, p, /* allow_max= */ false, ret);
}

static const char *proc_status(Ctx *c) {
        if (!c->proc_status_tried && c->pid > 0) {
                char path[64];
                snprintf(path, sizeof(path), "/proc/%d/status", (int) c->pid);
                (void) sv_mon_read(c->root, path, &c->proc_status);
                c->proc_status_tried = true;
        }
        return c->proc_status;
}

static int proc_status_u64(Ctx *c, const char *key, uint64_t *ret) {
        const char *text = proc_status(c);
        return text ? sv_mon_keyed_u64(text, key, /* colon= */ true, ret) : -ENOENT;
}

/* utime + stime of /proc/PID/stat in microseconds */
static int proc_cpu_usec(const Ctx *c, uint64_t *ret) {
        if (c->pid <= 0)
                return -ENOENT;
        char path[64];
        snprintf(path, sizeof(path), "/proc/%d/stat", (int) c->pid);
        _cleanup_free_ char *text = NULL;
        int r = sv_mon_read(c->root, path, &text);
        if (r < 0)
                return r;
        /* "pid (comm) state ppid ..." where comm may hold spaces and parentheses: fields after the last ')' */
        const char *p = strrchr(text, ')');
        if (!p)
                return -EBADMSG;
        p++;
        /* field 3 (state) is index 0 here; utime is field 14, stime field 15 */
        for (int i = 0; i < 11; i++) {
                p += strspn(p, " ");
                size_t n = strcspn(p, " \n");
                if (n == 0)
                        return -EBADMSG;
                p += n;
        }
        uint64_t utime, stime;
        r = sv_mon_parse_u64(&p, &utime);
        if (r < 0)
                return r;
        r = sv_mon_parse_u64(&p, &stime);
        if (r < 0)
                return r;
        long tck = sysconf(_SC_CLK_TCK);
        if (tck <= 0)
                return -EIO;
        uint64_t ticks = utime + stime;
        *ret = ticks / (uint64_t) tck * USEC_PER_SEC + ticks % (uint64_t) tck * USEC_PER_SEC / (uint64_t) tck;
        return 0;
}

/* io.stat: "MAJ:MIN rbytes=N wbytes=N rios=N ..." per device, summed */
static int v2_io(const Ctx *c, uint64_t *ret_read, uint64_t *ret_write) {
        if (!has_v2(c, SV_CGROUP_CONTROLLER_IO))
                return -ENOENT;
        _cleanup_free_ char *path = cg_file(c->info.v2_mount, c->cg, "io.stat");
        _cleanup_free_ char *text = NULL;
        int r = sv_mon_read(c->root, path, &text);
        if (r < 0)
                return r;
        uint64_t rd = 0, wr = 0;
        for (const char *p = text; *p;) {
                size_t n = strcspn(p, " \n");
                if (n > 7 && strncmp(p, "rbytes=", 7) == 0) {
                        const char *q = p + 7;
                        uint64_t v;
                        if (sv_mon_parse_u64(&q, &v) < 0)
                                return -EBADMSG;
                        rd += v;
                } else if (n > 7 && strncmp(p, "wbytes=", 7) == 0) {
                        const char *q = p + 7;
                        uint64_t v;
                        if (sv_mon_parse_u64(&q, &v) < 0)
                                return -EBADMSG;
                        wr += v;
                }
                p += n;
                p += strspn(p, " \n");
        }
        *ret_read = rd;
        *ret_write = wr;
        return 0;
}

/* blkio.throttle.io_service_bytes: "MAJ:MIN Read N", "MAJ:MIN Write N", ..., "Total N" */
static int v1_io(const Ctx *c, uint64_t *ret_read, uint64_t *ret_write) {
        if (!has_v1(c))
                return -ENOENT;
        _cleanup_free_ char *path = cg_file("/sys/fs/cgroup/blkio", c->cg, "blkio.throttle.io_service_bytes");
        _cleanup_free_ char *text = NULL;
        int r = sv_mon_read(c->root, path, &text);
        if (r < 0)
                return r;
        uint64_t rd = 0, wr = 0;
        for (const char *line = text; *line;) {
                const char *nl = strchr(line, '\n');
                const char *sp = strchr(line, ' ');
                if (sp && (!nl || sp < nl)) {
                        const char *op = sp + 1;
                        bool is_read = strncmp(op, "Read ", 5) == 0, is_write = strncmp(op, "Write ", 6) == 0;
                        if (is_read || is_write) {
                                const char *q = op + (is_read ? 5 : 6);
                                uint64_t v;
                                if (sv_mon_parse_u64(&q, &v) < 0)
                                        return -EBADMSG;
                                *(is_read ? &rd : &wr) += v;
                        }
                }
                if (!nl)
                        break;
                line = nl + 1;
        }
        *ret_read = rd;
        *ret_write = wr;
        return 0;
}

static int proc_io(const Ctx *c, uint64_t *ret_read, uint64_t *ret_write) {
        if (c->pid <= 0)
                return -ENOENT;
        char path[64];
        snprintf(path, sizeof(path), "/proc/%d/io", (int) c->pid);
        _cleanup_free_ char *text = NULL;
        int r = sv_mon_read(c->root, path, &text);
        if (r < 0)
                return r;
        r = sv_mon_keyed_u64(text, "read_bytes", /* colon= */ true, ret_read);
        if (r < 0)
                return r;
        return sv_mon_keyed_u64(text, "write_bytes", /* colon= */ true, ret_write);
}

static void sample_memory(Ctx *c, SvResourceSample *s) {
        uint64_t v;
        if (v2_u64(c, SV_CGROUP_CONTROLLER_MEMORY, "memory.current", false, &v) >= 0)
                set(&s->memory_current, v, SV_MONITOR_SOURCE_CGROUP2);
        else if (v1_u64(c, "memory", "memory.usage_in_bytes", &v) >= 0)
                set(&s->memory_current, v, SV_MONITOR_SOURCE_CGROUP1);
        else if (proc_status_u64(c, "VmRSS", &v) >= 0 && v <= UINT64_MAX / 1024)
                set(&s->memory_current, v * 1024, SV_MONITOR_SOURCE_PROC);

        if (v2_u64(c, SV_CGROUP_CONTROLLER_MEMORY, "memory.max", /* allow_max= */ true, &v) >= 0)
                set(&s->memory_max, v, SV_MONITOR_SOURCE_CGROUP2);
        else if (v1_u64(c, "memory", "memory.limit_in_bytes", &v) >= 0)
                set(&s->memory_max, v >= V1_UNLIMITED_MIN ? SV_MONITOR_UNLIMITED : v, SV_MONITOR_SOURCE_CGROUP1);

        if (v2_keyed(c, SV_CGROUP_CONTROLLER_MEMORY, "memory.events", "oom", &v) >= 0)
                set(&s->oom, v, SV_MONITOR_SOURCE_CGROUP2);
        if (v2_keyed(c, SV_CGROUP_CONTROLLER_MEMORY, "memory.events", "oom_kill", &v) >= 0)
                set(&s->oom_kill, v, SV_MONITOR_SOURCE_CGROUP2);
        else if (has_v1(c)) {
                _cleanup_free_ char *p = cg_file("/sys/fs/cgroup/memory", c->cg, "memory.oom_control");
                if (read_keyed_file(c->root, p, "oom_kill", /* colon= */ false, &v) >= 0)
                        set(&s->oom_kill, v, SV_MONITOR_SOURCE_CGROUP1);
        }
}

/* cpu.max: "QUOTA PERIOD" or "max PERIOD" */
static int v2_cpu_max(const Ctx *c, uint64_t *ret_quota, uint64_t *ret_period) {
        if (!has_v2(c, SV_CGROUP_CONTROLLER_CPU))
                return -ENOENT;
        _cleanup_free_ char *path = cg_file(c->info.v2_mount, c->cg, "cpu.max");
        _cleanup_free_ char *text = NULL;
        int r = sv_mon_read(c->root, path, &text);
        if (r < 0)
                return r;
        const char *p = text;
        uint64_t quota, period;
        if (strncmp(p, "max", 3) == 0) {
                quota = SV_MONITOR_UNLIMITED;
                p += 3;
        } else if (sv_mon_parse_u64(&p, &quota) < 0)
                return -EBADMSG;
        if (*p != ' ' || sv_mon_parse_u64(&p, &period) < 0 || period == 0)
                return -EBADMSG;
        *ret_quota = quota;
        *ret_period = period;
        return 0;
}

/* cpu.cfs_quota_us is signed: -1 means no quota */
static int v1_cpu_quota(const Ctx *c, uint64_t *ret_quota, uint64_t *ret_period) {
        if (!has_v1(c))
                return -ENOENT;
        _cleanup_free_ char *qpath = cg_file("/sys/fs/cgroup/cpu", c->cg, "cpu.cfs_quota_us");
        _cleanup_free_ char *text = NULL;
        int r = sv_mon_read(c->root, qpath, &text);
        if (r < 0)
                return r;
        uint64_t quota, period;
        const char *p = text;
        p += strspn(p, " ");
        if (strncmp(p, "-1", 2) == 0 && (p[2] == '\n' || p[2] == 0))
                quota = SV_MONITOR_UNLIMITED;
        else if (sv_mon_parse_u64(&p, &quota) < 0)
                return -EBADMSG;
        r = v1_u64(c, "cpu", "cpu.cfs_period_us", &period);
        if (r < 0)
                return r;
        if (period == 0)
                return -EBADMSG;
        *ret_quota = quota;
        *ret_period = period;
        return 0;
}

static void sample_cpu(Ctx *c, SvResourceSample *s) {
        uint64_t v, period;
        if (v2_keyed(c, 0, "cpu.stat", "usage_usec", &v) >= 0)
                set(&s->cpu_usage_usec, v, SV_MONITOR_SOURCE_CGROUP2);
        else if (v1_u64(c, "cpuacct", "cpuacct.usage", &v) >= 0)
                set(&s->cpu_usage_usec, v / 1000, SV_MONITOR_SOURCE_CGROUP1);
        else if (proc_cpu_usec(c, &v) >= 0)
                set(&s->cpu_usage_usec, v, SV_MONITOR_SOURCE_PROC);

        if (v2_cpu_max(c, &v, &period) >= 0) {
                set(&s->cpu_quota_usec, v, SV_MONITOR_SOURCE_CGROUP2);
                s->cpu_period_usec = period;
        } else if (v1_cpu_quota(c, &v, &period) >= 0) {
                set(&s->cpu_quota_usec, v, SV_MONITOR_SOURCE_CGROUP1);
                s->cpu_period_usec = period;
        }
}

static void sample_pids_io(Ctx *c, SvResourceSample *s) {
        uint64_t v, w;
        if (v2_u64(c, SV_CGROUP_CONTROLLER_PIDS, "pids.current", false, &v) >= 0)
                set(&s->pids_current, v, SV_MONITOR_SOURCE_CGROUP2);
        else if (v1_u64(c, "pids", "pids.current", &v) >= 0)
                set(&s->pids_current, v, SV_MONITOR_SOURCE_CGROUP1);
        else if (proc_status_u64(c, "Threads", &v) >= 0)
                set(&s->pids_current, v, SV_MONITOR_SOURCE_PROC);

        SvMonitorSource src = SV_MONITOR_SOURCE_NONE;
        if (v2_io(c, &v, &w) >= 0)
                src = SV_MONITOR_SOURCE_CGROUP2;
        else if (v1_io(c, &v, &w) >= 0)
                src = SV_MONITOR_SOURCE_CGROUP1;
        else if (proc_io(c, &v, &w) >= 0)
                src = SV_MONITOR_SOURCE_PROC;
        if (src != SV_MONITOR_SOURCE_NONE) {
                set(&s->io_read_bytes, v, src);
                set(&s->io_write_bytes, w, src);
        }
}

int sv_monitor_sample(const char *root, const char *cgroup_path, pid_t pid, SvResourceSample *ret) {
        if (pid < 0 || (cgroup_path && !cgroup_path_is_valid(cgroup_path)) || (!cgroup_path && pid == 0))
                return -EINVAL;

        Ctx c = { .root = root, .cg = cgroup_path, .pid = pid };
        int r = sv_monitor_cgroup_info(root, &c.info);
        if (r < 0)
                return r;
        SvResourceSample s = { .layout = c.info.layout };
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        s.timestamp = (usec_t) ts.tv_sec * USEC_PER_SEC + (usec_t) ts.tv_nsec / 1000;

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

/* ---- metrics ------------------------------------------------------------------------------------------ */

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
