/* SPDX-License-Identifier: MIT */
/* Parsing and formatting of durations, sizes, percentages and file modes as the spec writes them. */
#pragma once
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

typedef uint64_t usec_t;
#define USEC_PER_MSEC ((usec_t) 1000ULL)
#define USEC_PER_SEC ((usec_t) 1000000ULL)
#define USEC_INFINITY ((usec_t) UINT64_MAX)
#define USEC_UNSET ((usec_t) (UINT64_MAX - 1))

/* "500ms", "5s", "1min 30s", "2h", "1d", "infinity"; a bare number is seconds. */
int parse_duration(const char *s, usec_t *ret);
/* "512", "512K", "8G", "1.5G" (1024-based), "infinity" -> UINT64_MAX. */
int parse_size(const char *s, uint64_t *ret);
/* "800%" -> 800. */
int parse_percent(const char *s, uint64_t *ret);
/* "0750" or "750" -> 0750; at most 07777. */
int parse_mode(const char *s, mode_t *ret);
/* Decimal unsigned integer within [min, max]. */
int parse_uint(const char *s, uint64_t min, uint64_t max, uint64_t *ret);
int parse_double(const char *s, double *ret);
/* "true/false/yes/no/on/off" */
int parse_bool(const char *s, bool *ret);

/* Shortest exact systemd spelling: "30s", "5min", "1min 30s", "250ms", "infinity". buf >= 64 bytes. */
const char *format_duration(char *buf, size_t size, usec_t u);

/* CLOCK_MONOTONIC now, in microseconds: differences of two readings never wrap. */
usec_t monotonic_usec(void);
/* Exact systemd spelling: "8G", "512M", "1536M", "infinity". */
const char *format_size(char *buf, size_t size, uint64_t bytes);
