/* SPDX-License-Identifier: MIT */
/* A real msd-supervisor for the integration tests: started on a configuration in a temporary directory with a
 * NOTIFY_SOCKET of the test's own, its log and notifications collected, killed with its children when a test fails. */
#include "sv-run.h"

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define SUPERVISOR TEST_BINDIR "/msd-supervisor"

/* A port nothing listens on right now (bound to 0 by the kernel, then released). */
static int free_port(void) {
        int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        struct sockaddr_in sa = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
        socklen_t len = sizeof(sa);
        assert_int_equal(bind(fd, (struct sockaddr *) &sa, sizeof(sa)), 0);
        assert_int_equal(getsockname(fd, (struct sockaddr *) &sa, &len), 0);
        close(fd);
        return ntohs(sa.sin_port);
}

/* "http://127.0.0.1:PORT" + path */
const char *sv_run_url(SvRun *r, const char *path) {
        snprintf(r->url, sizeof(r->url), "http://127.0.0.1:%d%s", r->port, path);
        return r->url;
}

static pid_t live; /* the supervisor of the running test: killed by the teardown if an assertion fails */
static char live_dir[64]; /* its directory: removed by sv_run_finish(), or by the teardown after a failure */

static void remove_dir(char *dir) {
        char cmd[160];
        if (!dir[0])
                return;
        snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
        (void) system(cmd);
        dir[0] = 0;
}

/* Kills the process groups of the supervisor's children (each leads its own), then the supervisor, so that
 * a failed test leaves no orphan behind. */
int sv_run_teardown(void **state) {
        (void) state;
        if (live > 0) {
                char path[64];
                snprintf(path, sizeof(path), "/proc/%d/task/%d/children", (int) live, (int) live);
                FILE *f = fopen(path, "re");
                int child;
                while (f && fscanf(f, "%d", &child) == 1)
                        kill(-child, SIGKILL);
                if (f)
                        fclose(f);
                kill(live, SIGKILL);
                waitpid(live, NULL, 0);
                live = 0;
        }
        remove_dir(live_dir);
        return 0;
}

double sv_run_now(void) {
        struct timespec t;
        clock_gettime(CLOCK_MONOTONIC, &t);
        return (double) t.tv_sec + (double) t.tv_nsec / 1e9;
}

void sv_run_pump(SvRun *r, int timeout_ms) {
        struct pollfd p[2] = { { r->err, POLLIN, 0 }, { r->notify, POLLIN, 0 } };
        if (poll(p, 2, timeout_ms) <= 0)
                return;
        char buf[4096];
        if (p[0].revents) {
                ssize_t n = read(r->err, buf, sizeof(buf));
                if (n > 0)
                        sb_appendn(&r->log, buf, (size_t) n);
        }
        for (ssize_t n; p[1].revents && (n = recv(r->notify, buf, sizeof(buf) - 1, MSG_DONTWAIT)) > 0;) {
                sb_appendn(&r->notes, buf, (size_t) n);
                sb_putc(&r->notes, '\n');
        }
}

/* Waits until the supervisor logs a line containing text after what was matched before. */
bool sv_run_wait_log(SvRun *r, const char *text, double timeout) {
        double end = sv_run_now() + timeout;
        for (;;) {
                const char *hit = r->log.s ? strstr(r->log.s + r->seen, text) : NULL;
                if (hit) {
                        r->seen = (size_t) (hit - r->log.s) + strlen(text);
                        return true;
                }
                if (sv_run_now() > end) {
                        fprintf(stderr, "timed out waiting for '%s'; log:\n%s\n", text, r->log.s ? r->log.s : "");
                        return false;
                }
                sv_run_pump(r, 50);
        }
}

bool sv_run_wait_note(SvRun *r, const char *text, double timeout) {
        double end = sv_run_now() + timeout;
        while (!(r->notes.s && strstr(r->notes.s, text))) {
                if (sv_run_now() > end)
                        return false;
                sv_run_pump(r, 50);
        }
        return true;
}

pid_t sv_run_pid_of(SvRun *r, const char *name) {
        /* the last "NAME: started, pid N" */
        char key[64];
        snprintf(key, sizeof(key), "%s: started, pid ", name);
        pid_t pid = 0;
        for (const char *p = r->log.s; p && (p = strstr(p, key)); p += strlen(key))
                pid = (pid_t) atoi(p + strlen(key));
        return pid;
}

void sv_run_start(SvRun *r, const char *yaml, const char *watchdog_usec) {
        memset(r, 0, sizeof(*r));
        strcpy(r->dir, "/tmp/msd-sv-test-XXXXXX");
        assert_non_null(mkdtemp(r->dir));
        snprintf(live_dir, sizeof(live_dir), "%s", r->dir);
        char path[128], sock[128];
        snprintf(path, sizeof(path), "%s/sv.yaml", r->dir);
        snprintf(sock, sizeof(sock), "%s/notify", r->dir);
        r->port = free_port();
        char port[16];
        snprintf(port, sizeof(port), "%d", r->port);
        FILE *f = fopen(path, "w");
        assert_non_null(f);
        for (const char *p = yaml; *p;) { /* @PORT@ becomes the free port */
                const char *at = strstr(p, "@PORT@");
                size_t n = at ? (size_t) (at - p) : strlen(p);
                fwrite(p, 1, n, f);
                p += n;
                if (at) {
                        fputs(port, f);
                        p += 6;
                }
        }
        fclose(f);
        r->notify = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
        struct sockaddr_un sa = { .sun_family = AF_UNIX };
        strcpy(sa.sun_path, sock);
        assert_int_equal(bind(r->notify, (struct sockaddr *) &sa, sizeof(sa)), 0);
        int pipefd[2];
        assert_int_equal(pipe2(pipefd, O_CLOEXEC), 0);
        r->pid = fork();
        assert_true(r->pid >= 0);
        if (r->pid == 0) {
                dup2(pipefd[1], STDERR_FILENO);
                setenv("NOTIFY_SOCKET", sock, 1);
                if (watchdog_usec)
                        setenv("WATCHDOG_USEC", watchdog_usec, 1);
                else
                        unsetenv("WATCHDOG_USEC");
                unsetenv("WATCHDOG_PID");
                execl(SUPERVISOR, SUPERVISOR, "--config", path, (char *) NULL);
                _exit(127);
        }
        close(pipefd[1]);
        r->err = pipefd[0];
        live = r->pid;
}

/* Waits for the supervisor to exit; its exit status, or -1 on timeout (it is killed then). */
int sv_run_finish(SvRun *r, double timeout) {
        double end = sv_run_now() + timeout;
        int status = -1;
        for (;;) {
                pid_t p = waitpid(r->pid, &status, WNOHANG);
                if (p == r->pid) {
                        live = 0;
                        status = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
                        break;
                }
                if (sv_run_now() > end) {
                        kill(r->pid, SIGKILL);
                        waitpid(r->pid, NULL, 0);
                        live = 0;
                        status = -1;
                        break;
                }
                sv_run_pump(r, 20);
        }
        sv_run_pump(r, 0);
        if (getenv("TEST_VERBOSE"))
                fprintf(stderr, "--- supervisor log:\n%s--- notifications:\n%s---\n", r->log.s ? r->log.s : "", r->notes.s ? r->notes.s : "");
        close(r->err);
        close(r->notify);
        remove_dir(live_dir);
        sb_free(&r->log);
        sb_free(&r->notes);
        return status;
}

size_t sv_run_read_environ(pid_t pid, char *buf, size_t size) {
        char path[64];
        snprintf(path, sizeof(path), "/proc/%d/environ", (int) pid);
        FILE *f = fopen(path, "r");
        assert_non_null(f);
        size_t n = fread(buf, 1, size, f);
        fclose(f);
        return n;
}
