/* SPDX-License-Identifier: MIT */
/* script checks: the target runs in its own process group; exit 0 passes, exit 1
 * warns, anything else fails; at the timeout, and when it exits, its whole process group is killed. Its exit
 * is watched by sd-event (a pidfd where the kernel has them, else SIGCHLD). */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "spec/syntax.h"
#include "supervisor/host/check-internal.h"
#include "util/xalloc.h"

extern char **environ;

static void script_forget(SvCheck *k) {
        k->pid_io = sd_event_source_disable_unref(k->pid_io);
        k->pid = 0;
}

static int on_script_exit(sd_event_source *s, const siginfo_t *si, void *userdata) {
        SvCheck *k = userdata;
        (void) s;

        /* sd-event calls this before it reaps the leader: while the leader is a zombie its pid (the
         * group's id) cannot be reused, so killing the group's leftovers cannot hit a stranger */
        (void) kill(-k->pid, SIGKILL);
        k->pid = 0; /* reaped by sd-event after this returns; the source goes at the next start */

        char buf[64];
        if (k->timed_out)
                sv_check_finish(k, SV_CHECK_FAIL, "timed out after %s, process group killed",
                             sv_check_format_timeout(buf, sizeof(buf), k->timeout));
        else if (si->si_code == CLD_EXITED && si->si_status == 0)
                sv_check_finish(k, SV_CHECK_PASS, "exit status 0");
        else if (si->si_code == CLD_EXITED && si->si_status == 1)
                sv_check_finish(k, SV_CHECK_WARN, "exit status 1");
        else if (si->si_code == CLD_EXITED)
                sv_check_finish(k, SV_CHECK_FAIL, "exit status %d", si->si_status);
        else
                sv_check_finish(k, SV_CHECK_FAIL, "killed by signal SIG%s", sigabbrev_np(si->si_status) ?: "?");
        return 0;
}

static int script_start(SvCheck *k) {
        posix_spawn_file_actions_t fa;
        posix_spawnattr_t attr;
        sigset_t mask, dfl;
        pid_t pid;
        int r;

        /* posix_spawn() reports a missing program too, but not in every environment (valgrind): ask first */
        if (access(k->argv[0], X_OK) < 0)
                return -errno;

        _cleanup_close_ int devnull = open("/dev/null", O_RDONLY | O_CLOEXEC | O_NOCTTY);
        if (devnull < 0)
                return -errno;

        r = -posix_spawn_file_actions_init(&fa);
        if (r < 0)
                return r;
        r = -posix_spawnattr_init(&attr);
        if (r < 0) {
                posix_spawn_file_actions_destroy(&fa);
                return r;
        }
        sigemptyset(&mask);
        sigfillset(&dfl);
        /* stdin from /dev/null, stdout and stderr inherited, nothing else */
        if ((r = -posix_spawn_file_actions_adddup2(&fa, devnull, STDIN_FILENO)) == 0 &&
            (r = -posix_spawn_file_actions_addclosefrom_np(&fa, 3)) == 0 &&
            (r = -posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGMASK |
                                                          POSIX_SPAWN_SETSIGDEF)) == 0 &&
            (r = -posix_spawnattr_setpgroup(&attr, 0)) == 0 && /* its own group, led by itself */
            (r = -posix_spawnattr_setsigmask(&attr, &mask)) == 0 &&
            (r = -posix_spawnattr_setsigdefault(&attr, &dfl)) == 0)
                r = -posix_spawn(&pid, k->argv[0], &fa, &attr, k->argv, environ);
        posix_spawnattr_destroy(&attr);
        posix_spawn_file_actions_destroy(&fa);
        if (r < 0)
                return r;

        k->pid = pid;
        k->pid_io = sd_event_source_disable_unref(k->pid_io); /* the previous run's */
        r = sd_event_add_child(k->owner->event, &k->pid_io, pid, WEXITED, on_script_exit, k);
        if (r < 0)
                return r; /* the core cancels: kills and reaps */
        return 0;
}

static void script_expire(SvCheck *k) {
        /* reported by on_script_exit() once the leader is gone */
        k->timed_out = true;
        if (k->pid > 0)
                (void) kill(-k->pid, SIGKILL);
}

static void script_cancel(SvCheck *k) {
        if (k->pid <= 0)
                return;
        (void) kill(-k->pid, SIGKILL);
        siginfo_t si;
        /* SIGKILL cannot be caught: this wait ends at once */
        while (waitid(P_PID, (id_t) k->pid, &si, WEXITED) < 0 && errno == EINTR)
                ;
        script_forget(k);
}

static int script_init(SvCheck *k) {
        sigset_t blocked;
        /* sd-event watches children only with SIGCHLD blocked (it would be reaped behind its back) */
        if (sigprocmask(SIG_SETMASK, NULL, &blocked) < 0)
                return -errno;
        if (!sigismember(&blocked, SIGCHLD))
                return -EBUSY;
        int n = command_split(k->target, &k->argv);
        if (n < 0)
                return n;
        if (n == 0 || k->argv[0][0] != '/')
                return -EINVAL;
        return 0;
}

static void script_release(SvCheck *k) {
        script_cancel(k);
        script_forget(k);
        strv_free(k->argv);
        k->argv = NULL;
}

const CheckOps sv_check_script_ops = {
        .init = script_init,
        .start = script_start,
        .cancel = script_cancel,
        .expire = script_expire,
        .release = script_release,
};
