/* SPDX-License-Identifier: MIT */
/* Shared by the monitor's parts (monitor.c, monitor-net.c, monitor-alert.c): file reading under a root. */
#pragma once
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define SV_MON_FILE_MAX (1024u * 1024u) /* the small kernel files read whole */

/* root (NULL, "" or "/" for none) joined with path, which starts with '/'; free it */
char *sv_mon_path(const char *root, const char *path);
/* The whole file root+path, NUL-terminated; -EFBIG beyond SV_MON_FILE_MAX, -EBADMSG when it holds a NUL */
int sv_mon_read(const char *root, const char *path, char **ret);
/* A decimal number at *p (leading blanks skipped), advancing *p past it; -EBADMSG when there is none */
int sv_mon_parse_u64(const char **p, uint64_t *ret);
/* In "key value\n" lines (cpu.stat, memory.events, "Key:\tvalue kB" with colon set), the value of key */
int sv_mon_keyed_u64(const char *text, const char *key, bool colon, uint64_t *ret);
