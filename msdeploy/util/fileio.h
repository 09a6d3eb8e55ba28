/* SPDX-License-Identifier: MIT */
/* Reading a whole file into memory, bounded by a size the caller chooses. */
#pragma once
#include <stddef.h>

/* Reads the regular file at path into one NUL-terminated buffer (free() it; the NUL is not counted in
 * *ret_size, which may be NULL). The file is read until its end, whatever stat() says of its size, so
 * files of /proc and /sys (size 0 or 4096) come whole. Bytes are not interpreted: the text may hold NULs.
 * -EFBIG when it holds more than max_size bytes, -EISDIR for a directory, -EBADFD for anything else that
 * is not a regular file (opening a FIFO does not block), other -errno from open() or read(). Nothing is written to
 * the ret_ parameters on failure. */
int read_full_file(const char *path, size_t max_size, char **ret_contents, size_t *ret_size);
/* The same for an open file, read from its current offset. */
int read_full_fd(int fd, size_t max_size, char **ret_contents, size_t *ret_size);
