/* SPDX-License-Identifier: MIT */
/* Running a helper program (no shell) and capturing its standard output. */
#pragma once
#include <stddef.h>

typedef enum SpawnFlags {
        SPAWN_STDERR = 1 << 0, /* standard error is captured too, with standard output */
} SpawnFlags;

/* Runs argv[0] (searched in PATH) with stdin from /dev/null; returns -errno on spawn failure, else
 * fills ret_out (malloc'ed, NUL-terminated) and ret_status (the exit status, or 128+signal). */
int spawn_capture(char *const argv[], SpawnFlags flags, char **ret_out, size_t *ret_len, int *ret_status);
