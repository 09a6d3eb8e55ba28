/* SPDX-License-Identifier: MIT */
/* Supervisor benchmark baseline: the least any supervisor must do per restart, nothing else. */
#define _GNU_SOURCE
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

/* Usage: respawn-floor N CMD [ARG...]
 * Starts N copies of CMD with posix_spawn() (clone(CLONE_VM|CLONE_VFORK) in glibc) and starts a copy again
 * as soon as one exits, reaping with wait(): no process group, no user change, no event loop, no log, no
 * state. Its CPU time per restart is the kernel's cost of a start and a reap on this machine, the floor
 * under every supervisor's figure. Runs until killed. */

extern char **environ;

int main(int argc, char **argv) {
        if (argc < 3) {
                fprintf(stderr, "usage: respawn-floor N CMD [ARG...]\n");
                return 2;
        }
        int n = atoi(argv[1]);
        pid_t pid;
        for (int i = 0; i < n; i++)
                if (posix_spawn(&pid, argv[2], NULL, NULL, argv + 2, environ) != 0) {
                        perror("respawn-floor: posix_spawn");
                        return 1;
                }
        for (;;) {
                if (wait(NULL) < 0) {
                        perror("respawn-floor: wait");
                        return 1;
                }
                if (posix_spawn(&pid, argv[2], NULL, NULL, argv + 2, environ) != 0) {
                        perror("respawn-floor: posix_spawn");
                        return 1;
                }
        }
}
