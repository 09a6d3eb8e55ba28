/* SPDX-License-Identifier: MIT */
/* Resource figures read from a cgroup's files: the cgroup2 tree (memory.current, cpu.stat, io.stat, ...) and
 * the cgroup1 hierarchies (memory, cpu, cpuacct, pids, blkio). */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "supervisor/host/monitor-internal.h"
#include "util/xalloc.h"

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

/* The text of FILE in c's cgroup under MOUNT. */
static int cg_read(const SvMonSample *c, const char *mount, const char *file, char **ret_text) {
        _cleanup_free_ char *path = cg_file(mount, c->cg, file);
        return sv_mon_read(c->root, path, ret_text);
}

static bool has_v2(const SvMonSample *c, unsigned controller) {
        return c->cg && c->info.v2_mount && (controller == 0 || (c->info.v2_controllers & controller));
}

static bool has_v1(const SvMonSample *c) {
        return c->cg && (c->info.layout == SV_CGROUP_LAYOUT_V1 || c->info.layout == SV_CGROUP_LAYOUT_HYBRID);
}

int sv_mon_cg2_u64(const SvMonSample *c, unsigned controller, const char *file, bool allow_max, uint64_t *ret) {
        if (!has_v2(c, controller))
                return -ENOENT;
        _cleanup_free_ char *p = cg_file(c->info.v2_mount, c->cg, file);
        return read_u64_file(c->root, p, allow_max, ret);
}

int sv_mon_cg2_keyed(const SvMonSample *c, unsigned controller, const char *file, const char *key, uint64_t *ret) {
        if (!has_v2(c, controller))
                return -ENOENT;
        _cleanup_free_ char *p = cg_file(c->info.v2_mount, c->cg, file);
        return read_keyed_file(c->root, p, key, /* colon= */ false, ret);
}

int sv_mon_cg1_u64(const SvMonSample *c, const char *hierarchy, const char *file, uint64_t *ret) {
        if (!has_v1(c))
                return -ENOENT;
        _cleanup_free_ char *mount = NULL;
        if (asprintf(&mount, "/sys/fs/cgroup/%s", hierarchy) < 0)
                xoom();
        _cleanup_free_ char *p = cg_file(mount, c->cg, file);
        return read_u64_file(c->root, p, /* allow_max= */ false, ret);
}

int sv_mon_cg1_keyed(const SvMonSample *c, const char *hierarchy, const char *file, const char *key, uint64_t *ret) {
        if (!has_v1(c))
                return -ENOENT;
        _cleanup_free_ char *mount = NULL;
        if (asprintf(&mount, "/sys/fs/cgroup/%s", hierarchy) < 0)
                xoom();
        _cleanup_free_ char *p = cg_file(mount, c->cg, file);
        return read_keyed_file(c->root, p, key, /* colon= */ false, ret);
}

/* io.stat: "MAJ:MIN rbytes=N wbytes=N rios=N ..." per device, summed */
int sv_mon_cg2_io(const SvMonSample *c, uint64_t *ret_read, uint64_t *ret_write) {
        if (!has_v2(c, SV_CGROUP_CONTROLLER_IO))
                return -ENOENT;
        _cleanup_free_ char *text = NULL;
        int r = cg_read(c, c->info.v2_mount, "io.stat", &text);
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
int sv_mon_cg1_io(const SvMonSample *c, uint64_t *ret_read, uint64_t *ret_write) {
        if (!has_v1(c))
                return -ENOENT;
        _cleanup_free_ char *text = NULL;
        int r = cg_read(c, "/sys/fs/cgroup/blkio", "blkio.throttle.io_service_bytes", &text);
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

/* cpu.max: "QUOTA PERIOD" or "max PERIOD" */
int sv_mon_cg2_cpu_max(const SvMonSample *c, uint64_t *ret_quota, uint64_t *ret_period) {
        if (!has_v2(c, SV_CGROUP_CONTROLLER_CPU))
                return -ENOENT;
        _cleanup_free_ char *text = NULL;
        int r = cg_read(c, c->info.v2_mount, "cpu.max", &text);
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
int sv_mon_cg1_cpu_quota(const SvMonSample *c, uint64_t *ret_quota, uint64_t *ret_period) {
        if (!has_v1(c))
                return -ENOENT;
        _cleanup_free_ char *text = NULL;
        int r = cg_read(c, "/sys/fs/cgroup/cpu", "cpu.cfs_quota_us", &text);
        if (r < 0)
                return r;
        uint64_t quota, period;
        const char *p = text;
        p += strspn(p, " ");
        if (strncmp(p, "-1", 2) == 0 && (p[2] == '\n' || p[2] == 0))
                quota = SV_MONITOR_UNLIMITED;
        else if (sv_mon_parse_u64(&p, &quota) < 0)
                return -EBADMSG;
        r = sv_mon_cg1_u64(c, "cpu", "cpu.cfs_period_us", &period);
        if (r < 0)
                return r;
        if (period == 0)
                return -EBADMSG;
        *ret_quota = quota;
        *ret_period = period;
        return 0;
}
