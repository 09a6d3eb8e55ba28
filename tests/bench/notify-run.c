/* SPDX-License-Identifier: MIT */
/* Supervisor benchmark launcher: runs a supervisor with a NOTIFY_SOCKET it owns, timing READY=1. */
#define _GNU_SOURCE
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

/* Usage: notify-run DIR CMD [ARG...]
 * Binds DIR/notify, runs CMD with NOTIFY_SOCKET pointing there and writes DIR/launch ("<t0 ns> <pid>", t0
 * on CLOCK_MONOTONIC right before fork), DIR/ready ("<ns from t0 to READY=1>") when READY=1 arrives and
 * DIR/messages (datagrams received) at the end. It is a child subreaper: whatever CMD leaves behind is
 * reparented here and reaped, so it exits, with CMD's status, only once every descendant is gone. */

static long long now_ns(void) {
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (long long) ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

/* DIR/NAME holds TEXT, written whole (rename) so a reader never sees half of it. */
static void put(const char *dir, const char *name, const char *text) {
        char path[4096], tmp[4096];
        snprintf(path, sizeof(path), "%s/%s", dir, name);
        snprintf(tmp, sizeof(tmp), "%s/.%s.tmp", dir, name);
        FILE *f = fopen(tmp, "w");
        if (!f || fputs(text, f) < 0 || fclose(f) != 0 || rename(tmp, path) < 0) {
                perror("notify-run: write");
                exit(2);
        }
}

int main(int argc, char **argv) {
        if (argc < 3) {
                fprintf(stderr, "usage: notify-run DIR CMD [ARG...]\n");
                return 2;
        }
        const char *dir = argv[1];
        struct sockaddr_un sa = { .sun_family = AF_UNIX };
        if ((size_t) snprintf(sa.sun_path, sizeof(sa.sun_path), "%s/notify", dir) >= sizeof(sa.sun_path)) {
                fprintf(stderr, "notify-run: %s: path too long for a socket\n", dir);
                return 2;
        }
        int sock = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
        (void) unlink(sa.sun_path);
        if (sock < 0 || bind(sock, (struct sockaddr *) &sa, sizeof(sa)) < 0) {
                perror("notify-run: socket");
                return 2;
        }
        int big = 4 << 20;
        (void) setsockopt(sock, SOL_SOCKET, SO_RCVBUF, &big, sizeof(big));
        setenv("NOTIFY_SOCKET", sa.sun_path, 1);
        (void) prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0);
        sigset_t chld, old;
        sigemptyset(&chld);
        sigaddset(&chld, SIGCHLD);
        sigprocmask(SIG_BLOCK, &chld, &old);
        int sfd = signalfd(-1, &chld, SFD_CLOEXEC | SFD_NONBLOCK);
        if (sfd < 0) {
                perror("notify-run: signalfd");
                return 2;
        }
        long long t0 = now_ns();
        pid_t pid = fork();
        if (pid < 0) {
                perror("notify-run: fork");
                return 2;
        }
        if (pid == 0) {
                sigprocmask(SIG_SETMASK, &old, NULL);
                execvp(argv[2], argv + 2);
                perror("notify-run: exec");
                _exit(127);
        }
        char text[128];
        snprintf(text, sizeof(text), "%lld %d\n", t0, (int) pid);
        put(dir, "launch", text);
        long long messages = 0;
        int status = -1;
        bool ready = false;
        for (;;) {
                struct pollfd p[2] = { { sock, POLLIN, 0 }, { sfd, POLLIN, 0 } };
                if (poll(p, 2, -1) < 0 && errno != EINTR)
                        return 2;
                char buf[4097];
                for (ssize_t n; (n = recv(sock, buf, sizeof(buf) - 1, 0)) >= 0;) {
                        long long t = now_ns();
                        messages++;
                        buf[n] = 0;
                        if (!ready && (strncmp(buf, "READY=1", 7) == 0 || strstr(buf, "\nREADY=1"))) {
                                ready = true;
                                snprintf(text, sizeof(text), "%lld\n", t - t0);
                                put(dir, "ready", text);
                        }
                }
                struct signalfd_siginfo si;
                while (read(sfd, &si, sizeof(si)) == (ssize_t) sizeof(si)) {
                }
                for (;;) {
                        int ws;
                        pid_t w = waitpid(-1, &ws, WNOHANG);
                        if (w == pid)
                                status = WIFEXITED(ws) ? WEXITSTATUS(ws) : 128 + WTERMSIG(ws);
                        if (w < 0 && errno == ECHILD) {
                                snprintf(text, sizeof(text), "%lld\n", messages);
                                put(dir, "messages", text);
                                return status < 0 ? 2 : status;
                        }
                        if (w <= 0)
                                break;
                }
        }
}
