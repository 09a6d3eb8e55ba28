/* SPDX-License-Identifier: MIT */
/* Reading a whole file into memory, bounded by a size the caller chooses. */
#include "util/fileio.h"

#include <assert.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util/xalloc.h"

/* The first buffer of a file whose size stat() does not tell (procfs, sysfs). */
#define FIRST_READ 4096u

int read_full_file(const char *path, size_t max_size, char **ret_contents, size_t *ret_size) {
        assert(path);

        /* O_NONBLOCK: opening a FIFO does not wait for a writer (it is refused below); regular files
         * ignore the flag */
        _cleanup_close_ int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
        if (fd < 0)
                return -errno;
        return read_full_fd(fd, max_size, ret_contents, ret_size);
}

int read_full_fd(int fd, size_t max_size, char **ret_contents, size_t *ret_size) {
        assert(ret_contents);
        assert(max_size <= SIZE_MAX - 2);
        struct stat st;
        if (fstat(fd, &st) < 0)
                return -errno;
        if (S_ISDIR(st.st_mode))
                return -EISDIR;
        if (!S_ISREG(st.st_mode))
                return -EBADFD;
        if ((uint64_t) st.st_size > max_size)
                return -EFBIG;

        /* room for one byte beyond max_size (to see that the file is longer) and the NUL */
        size_t limit = max_size + 2;
        size_t cap = (size_t) st.st_size + 2; /* + 2: the read that sees the end needs room too */
        if (cap < FIRST_READ)
                cap = FIRST_READ < limit ? FIRST_READ : limit;
        _cleanup_free_ char *buf = xmalloc(cap);
        size_t len = 0;
        for (;;) {
                if (len + 1 >= cap) {
                        if (cap >= limit)
                                return -EFBIG; /* len > max_size */
                        cap = cap > limit / 2 ? limit : cap * 2;
                        buf = xrealloc(buf, cap);
                }
                ssize_t n = read(fd, buf + len, cap - len - 1);
                if (n < 0) {
                        if (errno == EINTR)
                                continue;
                        return -errno;
                }
                if (n == 0)
                        break;
                len += (size_t) n;
        }
        buf[len] = 0;
        *ret_contents = TAKE_PTR(buf);
        if (ret_size)
                *ret_size = len;
        return 0;
}
