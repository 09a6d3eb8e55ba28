/* SPDX-License-Identifier: MIT */
/* A fresh temporary directory per test (cmocka setup and teardown), with its fd, and files written into it. */
#pragma once

typedef struct Dir {
        char path[64];
        int fd; /* the directory, open */
} Dir;

/* cmocka setup: *state becomes a new Dir under /tmp. */
int dir_setup(void **state);
/* cmocka teardown: removes the directory and everything in it. */
int dir_teardown(void **state);
/* Writes text to path (relative to d, its parents made) with mode 0644, owned by this process; fails the test
 * otherwise. */
void dir_put(const Dir *d, const char *path, const char *text);
