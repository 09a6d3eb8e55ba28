/* SPDX-License-Identifier: MIT */
/* Starting a supervised process: everything that can fail is prepared before fork(); the child only
 * makes system calls, then execs or exits 127. */
#include "supervisor/spawn.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/capability.h>
#include <sys/prctl.h>
#include <unistd.h>

#include "spec/syntax.h"
#include "util/strbuf.h"
#include "util/xalloc.h"

extern char **environ;

/* Our environment without what belongs to our own service manager, plus the child's. */
static char **child_environment(const SvSpawn *s) {
        size_t n = 0;
        while (environ[n])
                n++;
        char **env = xcalloc(n + s->n_env + 8, sizeof(char *));
        size_t k = 0;
        for (size_t i = 0; i < n; i++) {
                static const char *const drop[] = { "NOTIFY_SOCKET=", "WATCHDOG_USEC=", "WATCHDOG_PID=", "LISTEN_FDS=", "LISTEN_PID=",
                                                    "LISTEN_FDNAMES=", "MSD_CHILD=", NULL };
                bool skip = false;
                for (const char *const *d = drop; *d && !skip; d++)
                        skip = strncmp(environ[i], *d, strlen(*d)) == 0;
                for (size_t j = 0; j < s->n_env && !skip; j++)
                        skip = strncmp(environ[i], s->env[j].key, strlen(s->env[j].key)) == 0 && environ[i][strlen(s->env[j].key)] == '=';
                if (!skip)
                        env[k++] = xstrdup(environ[i]);
        }
        for (size_t j = 0; j < s->n_env; j++)
                if (asprintf(&env[k++], "%s=%s", s->env[j].key, s->env[j].value) < 0)
                        xoom();
        if (s->notify_socket && asprintf(&env[k++], "NOTIFY_SOCKET=%s", s->notify_socket) < 0)
                xoom();
        if (s->watchdog_usec && asprintf(&env[k++], "WATCHDOG_USEC=%llu", (unsigned long long) s->watchdog_usec) < 0)
                xoom();
        if (s->name && asprintf(&env[k++], "MSD_CHILD=%s", s->name) < 0)
                xoom();
        env[k] = NULL;
        return env;
}

/* Runs in the child: capabilities cleared from every set and the bounding set, no new privileges. */
static void drop_capabilities(void) {
        for (int c = 0; c <= CAP_LAST_CAP; c++)
                (void) prctl(PR_CAPBSET_DROP, c, 0, 0, 0); /* needs CAP_SETPCAP: fails harmlessly when not root */
        cap_t none = cap_init();
        if (none) {
                (void) cap_set_proc(none);
                cap_free(none);
        }
        (void) prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0);
}

int sv_spawn(const SvSpawn *s, pid_t *ret_pid) {
        char **argv = NULL;
        int argc = command_split(s->command, &argv);
        if (argc <= 0) {
                strv_free(argv);
                return -EINVAL;
        }
        uid_t uid = (uid_t) -1;
        gid_t gid = (gid_t) -1;
        const char *user_name = NULL;
        if (s->user) {
                struct passwd *pw = getpwnam(s->user);
                if (!pw) {
                        strv_free(argv);
                        return -ESRCH;
                }
                uid = pw->pw_uid;
                gid = pw->pw_gid;
                user_name = s->user;
        }
        if (s->group) {
                struct group *gr = getgrnam(s->group);
                if (!gr) {
                        strv_free(argv);
                        return -ESRCH;
                }
                gid = gr->gr_gid;
        }
        if (uid == getuid())
                uid = (uid_t) -1; /* already that user: nothing to change (and no privilege needed) */
        if (gid == getgid() && uid == (uid_t) -1)
                gid = (gid_t) -1;
        char **envp = child_environment(s);
        sigset_t all;
        sigfillset(&all);

        pid_t pid = fork();
        if (pid < 0) {
                int r = -errno;
                strv_free(argv);
                strv_free(envp);
                return r;
        }
        if (pid == 0) {
                /* child: only async-signal-safe calls until exec */
                (void) setpgid(0, 0);
                for (int sig = 1; sig < NSIG; sig++)
                        (void) signal(sig, SIG_DFL);
                sigprocmask(SIG_UNBLOCK, &all, NULL);
                int null = open("/dev/null", O_RDONLY | O_CLOEXEC);
                if (null >= 0 && null != STDIN_FILENO)
                        (void) dup2(null, STDIN_FILENO);
                /* marking is cheaper than closing, exec closes them; kernels before 5.11 only close */
                if (close_range(3, ~0U, CLOSE_RANGE_CLOEXEC) < 0)
                        (void) close_range(3, ~0U, 0);
                if (gid != (gid_t) -1 && ((user_name ? initgroups(user_name, gid) : setgroups(0, NULL)) < 0 || setgid(gid) < 0))
                        _exit(126);
                if (uid != (uid_t) -1 && setuid(uid) < 0)
                        _exit(126);
                drop_capabilities();
                execve(argv[0], argv, envp);
                _exit(127);
        }
        (void) setpgid(pid, pid); /* also from here: no race with a kill(-pid) right after */
        strv_free(argv);
        strv_free(envp);
        *ret_pid = pid;
        return 0;
}
