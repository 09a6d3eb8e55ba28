/* SPDX-License-Identifier: MIT */
/* Starting a supervised process: everything that can fail is prepared before fork(); the child only
 * makes system calls, then execs or exits 127. */
#include "supervisor/host/spawn.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/capability.h>
#include <sched.h>
#include <sys/syscall.h>
#include <sys/prctl.h>
#include <unistd.h>

#include "spec/syntax.h"
#include "util/env-file.h"
#include "util/fileio.h"
#include "util/strbuf.h"
#include "util/xalloc.h"

extern char **environ;

/* An env file is a few variables: anything larger is not one */
#define ENV_FILE_MAX (1024 * 1024)

/* Whether assignment "KEY=..." sets name. */
static bool sets(const char *assignment, const char *name, size_t n) {
        return strncmp(assignment, name, n) == 0 && assignment[n] == '=';
}

/* Our environment without what belongs to our own service manager, plus the child's: the inherited
 * entries point into our own environment (never changed after start-up), so a plan per worker costs a
 * pointer per variable, not a copy of every string. *ret_own receives the n strings made here.
 * files: the env files' "KEY=VALUE", taken; they win over s->env, as EnvironmentFile= over Environment=. */
static char **child_environment(const SvSpawn *s, char **files, char ***ret_own) {
        size_t n = 0, n_files = strv_length(files);
        while (environ[n])
                n++;
        char **env = xcalloc(n + s->n_env + n_files + 8, sizeof(char *));
        char **own = xcalloc(s->n_env + n_files + 4, sizeof(char *));
        size_t k = 0, o = 0;
        for (size_t i = 0; i < n; i++) {
                static const char *const drop[] = { "NOTIFY_SOCKET=", "WATCHDOG_USEC=", "WATCHDOG_PID=", "LISTEN_FDS=", "LISTEN_PID=",
                                                    "LISTEN_FDNAMES=", "MSD_CHILD=", NULL };
                bool skip = false;
                for (const char *const *d = drop; *d && !skip; d++)
                        skip = strncmp(environ[i], *d, strlen(*d)) == 0;
                for (size_t j = 0; j < s->n_env && !skip; j++)
                        skip = sets(environ[i], s->env[j].key, strlen(s->env[j].key));
                for (size_t j = 0; j < n_files && !skip; j++)
                        skip = sets(environ[i], files[j], strcspn(files[j], "="));
                if (!skip)
                        env[k++] = environ[i];
        }
        for (size_t j = 0; j < s->n_env; j++) {
                bool replaced = false;
                for (size_t f = 0; f < n_files && !replaced; f++)
                        replaced = sets(files[f], s->env[j].key, strlen(s->env[j].key));
                if (!replaced && asprintf(&own[o++], "%s=%s", s->env[j].key, s->env[j].value) < 0)
                        xoom();
        }
        for (size_t j = 0; j < n_files; j++)
                own[o++] = files[j];
        free(files);
        if (s->notify_socket && asprintf(&own[o++], "NOTIFY_SOCKET=%s", s->notify_socket) < 0)
                xoom();
        if (s->watchdog_usec && asprintf(&own[o++], "WATCHDOG_USEC=%llu", (unsigned long long) s->watchdog_usec) < 0)
                xoom();
        if (s->name && asprintf(&own[o++], "MSD_CHILD=%s", s->name) < 0)
                xoom();
        for (size_t j = 0; j < o; j++)
                env[k++] = own[j];
        env[k] = NULL;
        *ret_own = own;
        return env;
}

/* A worker's credentials, as the paths of the files in our own $CREDENTIALS_DIRECTORY (systemd's LoadCredential=
 * of our unit), set in *vars over its env files' variables. The path, not the secret: the child reads the file as
 * the same user, and the secret is never in our memory nor in our configuration. Each must be readable now, so
 * that a missing one fails the start here, not somewhere in the child. */
static int credential_paths(const SvSpawn *s, char ***vars) {
        const char *dir = getenv("CREDENTIALS_DIRECTORY");
        if (s->n_credentials > 0 && (!dir || dir[0] != '/'))
                return -ENOKEY;
        for (size_t i = 0; i < s->n_credentials; i++) {
                _cleanup_free_ char *path = xasprintf("%s/%s", dir, s->credentials[i].value);
                if (access(path, R_OK) < 0)
                        return errno == ENOENT ? -ENOKEY : -errno;
                env_assign(vars, s->credentials[i].key, path);
        }
        return 0;
}

/* With the address sanitizer, a child sharing our memory on its own stack confuses its bookkeeping: a
 * copy of our memory instead (as fork() makes). */
#if defined(__SANITIZE_ADDRESS__)
#define SPAWN_SHARES_MEMORY 0
#else
#define SPAWN_SHARES_MEMORY 1
#endif

/* Everything the child needs, prepared once per worker: at each start the child allocates nothing and
 * calls no library function that could (it may share our memory), only system calls. */
struct SvSpawnPlan {
        char **argv, **envp;
        char **env_own;   /* the strings of envp that are not our own environment's */
        uid_t uid;        /* (uid_t) -1: keep */
        gid_t gid;        /* (gid_t) -1: keep */
        gid_t *groups;    /* supplementary groups, set with gid */
        int n_groups;
};

/* /dev/null for every child's stdin, opened once (close-on-exec here; dup2() clears that on fd 0). */
static int null_fd(void) {
        static int fd = -1;
        if (fd < 0)
                fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
        return fd;
}

typedef struct ChildArgs {
        const SvSpawnPlan *plan;
        int stdin_fd;
} ChildArgs;

/* Runs in the child: its own process group, default signal handling, stdin from /dev/null, descriptors
 * close on exec, the configured user and groups (raw system calls: glibc's wrappers would try to tell
 * threads that are not the child's), no capability left anywhere, no new privileges, exec. */
static int child_main(void *userdata) {
        const ChildArgs *a = userdata;
        const SvSpawnPlan *p = a->plan;
        sigset_t all;
        (void) syscall(SYS_setpgid, 0, 0);
        for (int sig = 1; sig < NSIG; sig++) {
                struct sigaction sa = { .sa_handler = SIG_DFL };
                (void) sigaction(sig, &sa, NULL);
        }
        sigfillset(&all);
        (void) sigprocmask(SIG_UNBLOCK, &all, NULL);
        if (a->stdin_fd >= 0)
                (void) dup2(a->stdin_fd, STDIN_FILENO);
        /* marking is cheaper than closing, exec closes them; kernels before 5.11 only close */
        if (close_range(3, ~0U, CLOSE_RANGE_CLOEXEC) < 0)
                (void) close_range(3, ~0U, 0);
        if (p->gid != (gid_t) -1 && (syscall(SYS_setgroups, (size_t) p->n_groups, p->groups) < 0 ||
                                     syscall(SYS_setresgid, p->gid, p->gid, p->gid) < 0))
                _exit(126);
        if (p->uid != (uid_t) -1 && syscall(SYS_setresuid, p->uid, p->uid, p->uid) < 0)
                _exit(126);
        for (int c = 0; c <= CAP_LAST_CAP; c++)
                (void) prctl(PR_CAPBSET_DROP, c, 0, 0, 0); /* needs CAP_SETPCAP: fails harmlessly when not root */
        struct __user_cap_header_struct header = { .version = _LINUX_CAPABILITY_VERSION_3 };
        struct __user_cap_data_struct none[_LINUX_CAPABILITY_U32S_3] = {};
        (void) syscall(SYS_capset, &header, none);
        (void) prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0);
        execve(p->argv[0], p->argv, p->envp);
        _exit(127);
}

/* A child sharing our memory until it execs (as posix_spawn does): no copy of our mappings, so the cost
 * does not grow with the libraries loaded. We wait meanwhile (CLONE_VFORK): one stack serves all. */
static pid_t start_child(ChildArgs *a) {
        if (!SPAWN_SHARES_MEMORY) {
                pid_t pid = fork();
                if (pid == 0)
                        child_main(a);
                return pid;
        }
        static char stack[64 * 1024] __attribute__((aligned(16)));
        return clone(child_main, stack + sizeof(stack), CLONE_VM | CLONE_VFORK | SIGCHLD, a);
}

int sv_spawn_plan_new(const SvSpawn *s, SvSpawnPlan **ret) {
        SvSpawnPlan *p = xcalloc(1, sizeof(SvSpawnPlan));
        *p = (SvSpawnPlan) { .uid = (uid_t) -1, .gid = (gid_t) -1 };
        int k = -EINVAL;
        if (command_split(s->command, &p->argv) <= 0)
                goto fail;
        k = -ESRCH;
        if (s->user) {
                struct passwd *pw = getpwnam(s->user);
                if (!pw)
                        goto fail;
                p->uid = pw->pw_uid;
                p->gid = pw->pw_gid;
        }
        if (s->group) {
                struct group *gr = getgrnam(s->group);
                if (!gr)
                        goto fail;
                p->gid = gr->gr_gid;
        }
        if (p->uid == getuid())
                p->uid = (uid_t) -1; /* already that user: nothing to change (and no privilege needed) */
        if (p->gid == getgid() && p->uid == (uid_t) -1)
                p->gid = (gid_t) -1;
        if (p->gid != (gid_t) -1 && s->user) { /* the user's supplementary groups, as initgroups() would */
                int n = 32;
                p->groups = xcalloc((size_t) n, sizeof(gid_t));
                if (getgrouplist(s->user, p->gid, p->groups, &n) < 0) {
                        p->groups = xreallocarray(p->groups, (size_t) n, sizeof(gid_t));
                        (void) getgrouplist(s->user, p->gid, p->groups, &n);
                }
                p->n_groups = n;
        }
        char **files = NULL; /* a variable of a later file replaces an earlier one's */
        for (size_t i = 0; s->env_files && i < s->env_files->n; i++) {
                _cleanup_free_ char *text = NULL;
                k = read_full_file(s->env_files->items[i], ENV_FILE_MAX, &text, NULL);
                if (k >= 0 && env_file_parse(text, &files, NULL) < 0)
                        k = -EBADMSG;
                if (k < 0) {
                        strv_free(files);
                        goto fail;
                }
        }
        k = credential_paths(s, &files);
        if (k < 0) {
                strv_free(files);
                goto fail;
        }
        if (!files)
                files = xcalloc(1, sizeof(char *));
        p->envp = child_environment(s, files, &p->env_own);
        *ret = p;
        return 0;
fail:
        sv_spawn_plan_free(p);
        return k;
}

SvSpawnPlan *sv_spawn_plan_free(SvSpawnPlan *p) {
        if (!p)
                return NULL;
        strv_free(p->argv);
        free(p->envp);
        strv_free(p->env_own);
        free(p->groups);
        free(p);
        return NULL;
}

int sv_spawn_start(const SvSpawnPlan *p, pid_t *ret_pid) {
        ChildArgs a = { .plan = p, .stdin_fd = null_fd() };
        pid_t pid = start_child(&a);
        if (pid < 0)
                return -errno;
        (void) setpgid(pid, pid); /* also from here: no race with a kill(-pid) right after */
        *ret_pid = pid;
        return 0;
}
