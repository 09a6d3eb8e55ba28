/* SPDX-License-Identifier: MIT */
/* Supervisor benchmark child: records CLOCK_MONOTONIC at start and just before exit, sleeps, exits. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

/* Usage: crasher [FILE [MS [STATUS]]]
 *        crasher --now
 * Appends "S <ns> <pid>" to FILE on start and "E <ns> <pid>" right before exiting with STATUS (default 1)
 * after sleeping MS milliseconds (default 0). FILE "-" records nothing. Without arguments, FILE, MS and
 * STATUS come from CRASHER_FILE, CRASHER_MS and CRASHER_STATUS when set (they win over the arguments), so
 * a runit or s6 ./run can be this program itself. --now prints the monotonic clock in nanoseconds. */

static long long now_ns(void) {
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (long long) ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static void record(int fd, char kind, long long ns) {
        if (fd < 0)
                return;
        char line[64];
        int len = snprintf(line, sizeof(line), "%c %lld %d\n", kind, ns, (int) getpid());
        (void) !write(fd, line, (size_t) len); /* O_APPEND: one write, one whole line */
}

int main(int argc, char **argv) {
        long long start = now_ns();
        if (argc == 2 && strcmp(argv[1], "--now") == 0) {
                printf("%lld\n", start);
                return 0;
        }
        /* the environment first: s6-supervise runs ./run with the service's name as an argument */
        const char *file = getenv("CRASHER_FILE"), *ms = getenv("CRASHER_MS"), *status = getenv("CRASHER_STATUS");
        if (!file && argc > 1)
                file = argv[1];
        if (!ms && argc > 2)
                ms = argv[2];
        if (!status && argc > 3)
                status = argv[3];
        int fd = -1;
        if (file && *file && strcmp(file, "-") != 0)
                fd = open(file, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
        record(fd, 'S', start);
        long long sleep_ms = ms ? atoll(ms) : 0;
        if (sleep_ms > 0) {
                struct timespec ts = { (time_t) (sleep_ms / 1000), (long) (sleep_ms % 1000) * 1000000L };
                while (nanosleep(&ts, &ts) < 0 && errno == EINTR) {
                }
        }
        record(fd, 'E', now_ns());
        _exit(status ? atoi(status) : 1);
}
