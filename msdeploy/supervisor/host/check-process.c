/* SPDX-License-Identifier: MIT */
/* process checks: is there a live (non-zombie) process of that name, by /proc/PID/comm or argv[0]? */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "supervisor/host/check-internal.h"
#include "util/xalloc.h"

/* Reads up to size-1 bytes of a small /proc file at dirfd/name; returns the length or -errno. */
static ssize_t read_proc(int dirfd, const char *name, char *buf, size_t size) {
        _cleanup_close_ int fd = openat(dirfd, name, O_RDONLY | O_CLOEXEC | O_NOCTTY);
        if (fd < 0)
                return -errno;
        ssize_t n = read(fd, buf, size - 1);
        if (n < 0)
                return -errno;
        buf[n] = '\0';
        return n;
}

static bool argv0_matches(int dirfd, const char *name) {
        char buf[4096];
        ssize_t n = read_proc(dirfd, "cmdline", buf, sizeof(buf));
        if (n <= 0)
                return false; /* kernel threads and zombies have none */
        const char *base = strrchr(buf, '/'); /* buf is argv[0] up to its NUL */
        return strcmp(base ? base + 1 : buf, name) == 0;
}

/* 1: a match, with *ret_state its state letter; 0: not this process; < 0: gone or unreadable. */
static int process_matches(int dirfd, const char *name, char *ret_state) {
        char stat[512];
        ssize_t n = read_proc(dirfd, "stat", stat, sizeof(stat));
        if (n < 0)
                return (int) n;
        /* "PID (comm) S ...": comm may hold spaces and parentheses, so the last ')' ends it */
        char *open = strchr(stat, '('), *close = strrchr(stat, ')');
        if (!open || !close || close < open || close[1] != ' ' || !close[2])
                return -EIO;
        *close = '\0';
        const char *comm = open + 1;
        /* comm holds at most 15 bytes: longer names (and interpreters' scripts) match by argv[0] */
        bool match = strcmp(comm, name) == 0 || argv0_matches(dirfd, name);
        if (!match)
                return 0;
        *ret_state = close[2];
        return 1;
}

static int process_start(SvCheck *k) {
        _cleanup_close_ int procfd = open("/proc", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (procfd < 0)
                return -errno;
        int dupfd = fcntl(procfd, F_DUPFD_CLOEXEC, 3);
        if (dupfd < 0)
                return -errno;
        DIR *d = fdopendir(dupfd);
        if (!d) {
                int r = -errno;
                close(dupfd);
                return r;
        }

        unsigned zombies = 0;
        long zombie_pid = 0, live_pid = 0;
        struct dirent *de;
        while ((de = readdir(d))) {
                char *end;
                long pid = strtol(de->d_name, &end, 10);
                if (*end || pid <= 0)
                        continue;
                _cleanup_close_ int pfd = openat(procfd, de->d_name, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
                if (pfd < 0)
                        continue; /* exited meanwhile */
                char state = 0;
                if (process_matches(pfd, k->target, &state) <= 0)
                        continue;
                if (state == 'Z' || state == 'X') {
                        zombies++;
                        zombie_pid = pid;
                        continue;
                }
                live_pid = pid;
                break;
        }
        closedir(d);

        if (live_pid > 0)
                sv_check_finish(k, SV_CHECK_PASS, "'%s' running as pid %ld", k->target, live_pid);
        else if (zombies > 0)
                sv_check_finish(k, SV_CHECK_FAIL, "'%s' is a zombie (pid %ld)", k->target, zombie_pid);
        else
                sv_check_finish(k, SV_CHECK_FAIL, "no process named '%s'", k->target);
        return 0;
}

static int process_init(SvCheck *k) {
        if (strchr(k->target, '/'))
                return -EINVAL; /* a name, not a path */
        return 0;
}

static void process_nothing(SvCheck *k) {
        (void) k;
}

const CheckOps sv_check_process_ops = {
        .init = process_init,
        .start = process_start,
        .cancel = process_nothing,
        .release = process_nothing,
};
