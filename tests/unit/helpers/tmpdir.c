/* SPDX-License-Identifier: MIT */
/* A fresh temporary directory per test: see tmpdir.h. */
#include "tmpdir.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "install/fsops.h"
#include "util/xalloc.h"

int dir_setup(void **state) {
        Dir *d = xcalloc(1, sizeof(Dir));
        snprintf(d->path, sizeof(d->path), "/tmp/msdeploy-test.XXXXXX");
        *state = d;
        if (!mkdtemp(d->path)) {
                d->fd = -1;
                return -1;
        }
        d->fd = open(d->path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        return d->fd < 0 ? -1 : 0;
}

int dir_teardown(void **state) {
        Dir *d = *state;
        char cmd[128];
        snprintf(cmd, sizeof(cmd), "rm -rf '%s'", d->path);
        if (d->fd >= 0)
                close(d->fd);
        int r = system(cmd);
        free(d);
        return r == 0 ? 0 : -1;
}

void dir_put(const Dir *d, const char *path, const char *text) {
        assert_int_equal(fs_write_atomic(d->fd, path, text, strlen(text), 0644, getuid(), getgid()), 0);
}
