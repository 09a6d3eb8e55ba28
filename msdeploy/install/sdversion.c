/* SPDX-License-Identifier: MIT */
/* The systemd version of a host: parsed from the manager's Version, or read offline from the name of the
 * root's libsystemd-shared library. */
#include "install/sdversion.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "install/fsops.h"
#include "util/xalloc.h"

#define SHARED_PREFIX "libsystemd-shared-"

int sdversion_parse(const char *s, unsigned *ret) {
        s += s[0] == 'v';
        unsigned long v = 0;
        size_t n = 0;
        for (; s[n] >= '0' && s[n] <= '9' && n < 6; n++)
                v = v * 10 + (unsigned long) (s[n] - '0');
        if (n == 0 || n == 6 || v == 0)
                return -EINVAL;
        *ret = (unsigned) v;
        return 0;
}

/* The version in the name of a libsystemd-shared library in the directory dir under root. */
static int version_in_dir(int root_fd, const char *dir, unsigned *ret, char **ret_path) {
        DIR *d;
        int r = fs_opendir_in_root(root_fd, dir, FS_IN_ROOT, &d);
        if (r < 0)
                return r;
        r = -ENOENT;
        for (struct dirent *e; r < 0 && (e = readdir(d));) {
                const char *name = e->d_name;
                unsigned v;
                if (strncmp(name, SHARED_PREFIX, strlen(SHARED_PREFIX)) != 0 || !strstr(name, ".so") ||
                    sdversion_parse(name + strlen(SHARED_PREFIX), &v) < 0)
                        continue;
                if (asprintf(ret_path, "%s/%s", dir, name) < 0)
                        xoom();
                *ret = v;
                r = 0;
        }
        closedir(d);
        return r;
}

/* lib/systemd, then lib/TRIPLET/systemd for every multiarch directory (a name with "-linux-") of lib. */
static int version_under_lib(int root_fd, const char *lib, unsigned *ret, char **ret_path) {
        _cleanup_free_ char *plain = NULL;
        if (asprintf(&plain, "%s/systemd", lib) < 0)
                xoom();
        if (version_in_dir(root_fd, plain, ret, ret_path) >= 0)
                return 0;
        DIR *d;
        if (fs_opendir_in_root(root_fd, lib, FS_IN_ROOT, &d) < 0)
                return -ENOENT;
        int r = -ENOENT;
        for (struct dirent *e; r < 0 && (e = readdir(d));) {
                if (!strstr(e->d_name, "-linux-"))
                        continue;
                _cleanup_free_ char *dir = NULL;
                if (asprintf(&dir, "%s/%s/systemd", lib, e->d_name) < 0)
                        xoom();
                r = version_in_dir(root_fd, dir, ret, ret_path) < 0 ? -ENOENT : 0;
        }
        closedir(d);
        return r;
}

int sdversion_in_root(const char *root, unsigned *ret, char **ret_path) {
        _cleanup_close_ int root_fd = open(root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (root_fd < 0)
                return -errno;
        if (version_under_lib(root_fd, "usr/lib", ret, ret_path) >= 0)
                return 0;
        return version_under_lib(root_fd, "lib", ret, ret_path);
}
