/* SPDX-License-Identifier: MIT */
/* Running a helper program (no shell) and capturing its standard output. */
#include "util/spawn.h"

#include <errno.h>
#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include "util/strbuf.h"

extern char **environ;

int spawn_capture(char *const argv[], SpawnFlags flags, char **ret_out, size_t *ret_len, int *ret_status) {
        int pipefd[2];
        if (pipe2(pipefd, O_CLOEXEC) < 0)
                return -errno;
        posix_spawn_file_actions_t fa;
        posix_spawn_file_actions_init(&fa);
        posix_spawn_file_actions_addopen(&fa, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
        posix_spawn_file_actions_adddup2(&fa, pipefd[1], STDOUT_FILENO);
        if (flags & SPAWN_STDERR)
                posix_spawn_file_actions_adddup2(&fa, pipefd[1], STDERR_FILENO);
        pid_t pid;
        int r = posix_spawnp(&pid, argv[0], &fa, NULL, argv, environ);
        posix_spawn_file_actions_destroy(&fa);
        close(pipefd[1]);
        if (r != 0) {
                close(pipefd[0]);
                return -r;
        }
        StrBuf b = {};
        char buf[65536];
        for (;;) {
                ssize_t n = read(pipefd[0], buf, sizeof(buf));
                if (n < 0 && errno == EINTR)
                        continue;
                if (n <= 0)
                        break;
                sb_appendn(&b, buf, (size_t) n);
        }
        close(pipefd[0]);
        int status;
        while (waitpid(pid, &status, 0) < 0)
                if (errno != EINTR) {
                        sb_free(&b);
                        return -errno;
                }
        *ret_status = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
        *ret_out = sb_take(&b, ret_len);
        return 0;
}
