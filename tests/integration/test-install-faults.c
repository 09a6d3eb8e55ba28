/* SPDX-License-Identifier: MIT */
/* Crash safety of apply: the real command killed (_exit, no clean-up, the lock left behind) after every
 * step K of the example's first apply and of a tier change, then the next apply, and separately a
 * rollback, must leave a host byte-identical (contents, modes, owners, links) to a clean one. The kill
 * is injected at the boundary between the command and its host: apply_plan() is wrapped at link time
 * (-Wl,--wrap=apply_plan), nothing of it is in msdeploy itself. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <fcntl.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cmd/cmd.h"
#include "install/apply.h"
#include "install/sha256.h"
#include "util/xalloc.h"

#define SPEC TEST_SRCDIR "/examples/mister-smith.yaml"
#define KILLED 137

static long kill_after = -1;  /* steps the wrapped apply carries out before the process dies (-1: never) */
static size_t steps_seen;     /* steps of the last plan carried out in this process */

typedef struct Killer {
        const ApplyOps *ops;
        void *ud;
        long left;
} Killer;

static int step(Killer *k) {
        if (k->left-- == 0)
                _exit(KILLED); /* as kill -9: no unlock, no journal clean-up, nothing flushed */
        return 0;
}
static int k_write(void *ud, const ReleaseFile *f, Diags *d) {
        Killer *k = ud;
        return step(k) ?: k->ops->write_file(k->ud, f, d);
}
static int k_fix(void *ud, const ReleaseFile *f, Diags *d) {
        Killer *k = ud;
        return step(k) ?: k->ops->fix_file(k->ud, f, d);
}
static int k_remove(void *ud, const char *path, Diags *d) {
        Killer *k = ud;
        return step(k) ?: k->ops->remove(k->ud, path, d);
}
static int k_link(void *ud, const ReleaseLink *l, Diags *d) {
        Killer *k = ud;
        return step(k) ?: k->ops->link(k->ud, l, d);
}
static int k_sysusers(void *ud, Diags *d) {
        Killer *k = ud;
        return step(k) ?: k->ops->sysusers(k->ud, d);
}
static int k_tmpfiles(void *ud, Diags *d) {
        Killer *k = ud;
        return step(k) ?: k->ops->tmpfiles(k->ud, d);
}
static int k_unit(void *ud, ActionType t, const char *unit, Diags *d) {
        Killer *k = ud;
        return step(k) ?: k->ops->unit(k->ud, t, unit, d);
}
static const ApplyOps killer_ops = {
        .write_file = k_write, .fix_file = k_fix, .remove = k_remove, .link = k_link,
        .sysusers = k_sysusers, .tmpfiles = k_tmpfiles, .unit = k_unit,
};

int __real_apply_plan(const Plan *p, const ApplyOps *ops, void *ud, size_t *ret_done, Diags *d);
int __wrap_apply_plan(const Plan *p, const ApplyOps *ops, void *ud, size_t *ret_done, Diags *d) {
        steps_seen = p->n_actions;
        if (kill_after < 0)
                return __real_apply_plan(p, ops, ud, ret_done, d);
        Killer k = { ops, ud, kill_after };
        int r = __real_apply_plan(p, &killer_ops, &k, ret_done, d);
        if (k.left < 0)
                _exit(KILLED);
        if (kill_after == (long) p->n_actions)
                _exit(KILLED); /* after the last step, before `current` moves */
        return r;
}

/* Runs `msdeploy [-f SPEC] COMMAND --root root --yes [--tier tier]` in a child, which dies after kill
 * steps (-1: never); returns its exit status and, through the pipe, how many steps its plan had. */
static int run(const char *command, const char *root, const char *tier, long kill, size_t *ret_steps) {
        int fds[2];
        assert_int_equal(pipe(fds), 0);
        pid_t pid = fork();
        assert_true(pid >= 0);
        if (pid == 0) {
                close(fds[0]);
                int null = open("/dev/null", O_WRONLY | O_CLOEXEC);
                dup2(null, STDOUT_FILENO);
                dup2(null, STDERR_FILENO);
                kill_after = kill;
                CmdContext c = { .spec_path = SPEC, .root = root, .yes = true, .tiers_dir = TEST_SRCDIR "/tiers" };
                if (tier)
                        c.tiers[c.n_tiers++] = tier;
                const Command *cmd = command_find(command);
                int r = cmd->run(&c);
                if (write(fds[1], &steps_seen, sizeof(steps_seen)) < 0)
                        _exit(99);
                _exit(r);
        }
        close(fds[1]);
        int status;
        assert_int_equal(waitpid(pid, &status, 0), pid);
        size_t steps = 0;
        if (read(fds[0], &steps, sizeof(steps)) != sizeof(steps))
                steps = 0;
        close(fds[0]);
        if (ret_steps)
                *ret_steps = steps;
        return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

static StrBuf digest;
static size_t root_len;

static int visit(const char *path, const struct stat *st, int type, struct FTW *ftw) {
        (void) ftw;
        const char *rel = path + root_len;
        if (strncmp(rel, "/var/lib/msdeploy", 17) == 0)
                return 0; /* the store differs by design: numbers, times, statuses */
        sb_printf(&digest, "%s %o %u:%u", rel[0] ? rel : "/", (unsigned) st->st_mode, (unsigned) st->st_uid, (unsigned) st->st_gid);
        if (type == FTW_SL) {
                char target[4096];
                ssize_t n = readlink(path, target, sizeof(target) - 1);
                sb_printf(&digest, " -> %.*s", (int) (n > 0 ? n : 0), target);
        } else if (type == FTW_F) {
                char sha[SHA256_HEX_SIZE];
                int fd = open(path, O_RDONLY | O_CLOEXEC);
                assert_true(fd >= 0);
                assert_int_equal(sha256_fd(fd, sha, NULL), 0);
                close(fd);
                sb_printf(&digest, " %s", sha);
        }
        sb_putc(&digest, '\n');
        return 0;
}

/* Every path under root with its type, mode, owner and content or link target, sorted by nftw order. */
static char *tree(const char *root) {
        digest = (StrBuf) {};
        root_len = strlen(root);
        assert_int_equal(nftw(root, visit, 16, FTW_PHYS), 0);
        return digest.s;
}

static char *new_root(void) {
        char *root = xstrdup("/tmp/msdeploy-faults-XXXXXX");
        assert_non_null(mkdtemp(root));
        char path[512];
        snprintf(path, sizeof(path), TEST_SRCDIR "/tests/integration/install-host %s", root);
        assert_int_equal(system(path), 0);
        return root;
}

static void remove_root(char *root) {
        char cmd[256];
        snprintf(cmd, sizeof(cmd), "rm -rf %s", root);
        assert_int_equal(system(cmd), 0);
        free(root);
}

/* Kills the apply of `to` (over `from` when set) after every step K, then recovers with `recover`
 * ("apply" of `to`, or "rollback") and compares with a clean host of `expect`. */
static unsigned kill_everywhere(const char *from, const char *to, const char *recover, const char *expect) {
        char *clean = new_root();
        assert_int_equal(run("apply", clean, expect, -1, NULL), 0);
        char *want = tree(clean);
        size_t n = 0;
        char *probe = new_root();
        if (from)
                assert_int_equal(run("apply", probe, from, -1, NULL), 0);
        assert_int_equal(run("apply", probe, to, -1, &n), 0);
        remove_root(probe);
        assert_true(n > 0);
        unsigned covered = 0;
        for (long k = 0; k <= (long) n; k++) {
                char *root = new_root();
                if (from)
                        assert_int_equal(run("apply", root, from, -1, NULL), 0);
                assert_int_equal(run("apply", root, to, k, NULL), KILLED);
                int r = strcmp(recover, "rollback") == 0 ? run("rollback", root, NULL, -1, NULL) : run("apply", root, to, -1, NULL);
                char *got = tree(root);
                if (r != 0 || strcmp(got, want) != 0)
                        fail_msg("killed after step %ld of %zu applying %s, then %s (exit %d): the host differs from a clean %s", k, n, to,
                                 recover, r, expect);
                free(got);
                remove_root(root);
                covered++;
        }
        free(want);
        remove_root(clean);
        return covered;
}

static void test_first_apply(void **state) {
        (void) state;
        unsigned n = kill_everywhere(NULL, "tier_3", "apply", "tier_3");
        print_message("first apply of tier_3: killed at %u points, each then applied again: identical to a clean host\n", n);
}

static void test_tier_change(void **state) {
        (void) state;
        unsigned n = kill_everywhere("tier_3", "tier_2", "apply", "tier_2");
        print_message("tier_3 -> tier_2: killed at %u points, each then applied again: identical to a clean tier_2 host\n", n);
        n = kill_everywhere("tier_3", "tier_2", "rollback", "tier_3");
        print_message("tier_3 -> tier_2: killed at %u points, each then rolled back: identical to a clean tier_3 host\n", n);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_first_apply),
                cmocka_unit_test(test_tier_change),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
