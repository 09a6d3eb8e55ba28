/* SPDX-License-Identifier: MIT */
/* Resource figures of one process from /proc/PID (status, stat, io), for what no cgroup file tells. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "supervisor/host/monitor-internal.h"
#include "util/xalloc.h"

static const char *proc_status(SvMonSample *c) {
        if (!c->proc_status_tried && c->pid > 0) {
                char path[64];
                snprintf(path, sizeof(path), "/proc/%d/status", (int) c->pid);
                (void) sv_mon_read(c->root, path, &c->proc_status);
                c->proc_status_tried = true;
        }
        return c->proc_status;
}

int sv_mon_proc_status_u64(SvMonSample *c, const char *key, uint64_t *ret) {
        const char *text = proc_status(c);
        return text ? sv_mon_keyed_u64(text, key, /* colon= */ true, ret) : -ENOENT;
}

/* utime + stime of /proc/PID/stat in microseconds */
int sv_mon_proc_cpu_usec(const SvMonSample *c, uint64_t *ret) {
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

int sv_mon_proc_io(const SvMonSample *c, uint64_t *ret_read, uint64_t *ret_write) {
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
