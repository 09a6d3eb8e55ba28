/* SPDX-License-Identifier: MIT */
/* Parsing and formatting of durations, sizes, percentages and file modes as the spec writes them. */
#include "units.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static const struct {
        const char *suffix;
        usec_t usec;
} duration_units[] = {
        { "us", 1 },
        { "ms", USEC_PER_MSEC },
        { "s", USEC_PER_SEC },
        { "sec", USEC_PER_SEC },
        { "m", 60 * USEC_PER_SEC },
        { "min", 60 * USEC_PER_SEC },
        { "h", 3600 * USEC_PER_SEC },
        { "d", 86400 * USEC_PER_SEC },
};

int parse_uint(const char *s, uint64_t min, uint64_t max, uint64_t *ret) {
        if (!s || *s < '0' || *s > '9')
                return -EINVAL;
        errno = 0;
        char *end;
        unsigned long long v = strtoull(s, &end, 10);
        if (errno || *end)
                return errno ? -errno : -EINVAL;
        if (v < min || v > max)
                return -ERANGE;
        *ret = v;
        return 0;
}

int parse_double(const char *s, double *ret) {
        if (!s || !*s)
                return -EINVAL;
        errno = 0;
        char *end;
        double v = strtod(s, &end);
        if (errno || *end || !isfinite(v))
                return -EINVAL;
        *ret = v;
        return 0;
}

int parse_bool(const char *s, bool *ret) {
        static const char *const yes[] = { "true", "yes", "on" }, *const no[] = { "false", "no", "off" };
        for (size_t i = 0; i < 3; i++) {
                if (strcmp(s, yes[i]) == 0)
                        return *ret = true, 0;
                if (strcmp(s, no[i]) == 0)
                        return *ret = false, 0;
        }
        return -EINVAL;
}

int parse_duration(const char *s, usec_t *ret) {
        if (!s || !*s)
                return -EINVAL;
        if (strcmp(s, "infinity") == 0)
                return *ret = USEC_INFINITY, 0;
        usec_t total = 0;
        const char *p = s;
        bool any = false;
        while (*p) {
                while (*p == ' ')
                        p++;
                if (!*p)
                        break;
                if (*p < '0' || *p > '9')
                        return -EINVAL;
                char *end;
                errno = 0;
                unsigned long long v = strtoull(p, &end, 10);
                if (errno)
                        return -ERANGE;
                p = end;
                size_t n = 0;
                while (p[n] >= 'a' && p[n] <= 'z')
                        n++;
                usec_t mult = 0;
                if (n == 0)
                        mult = USEC_PER_SEC;
                for (size_t i = 0; i < sizeof(duration_units) / sizeof(duration_units[0]) && !mult; i++)
                        if (strlen(duration_units[i].suffix) == n && strncmp(p, duration_units[i].suffix, n) == 0)
                                mult = duration_units[i].usec;
                if (!mult)
                        return -EINVAL;
                if (v > (USEC_UNSET - 1 - total) / mult)
                        return -ERANGE;
                total += v * mult;
                p += n;
                any = true;
        }
        if (!any)
                return -EINVAL;
        *ret = total;
        return 0;
}

int parse_size(const char *s, uint64_t *ret) {
        if (!s || !*s)
                return -EINVAL;
        if (strcmp(s, "infinity") == 0)
                return *ret = UINT64_MAX, 0;
        if (*s < '0' || *s > '9')
                return -EINVAL;
        char *end;
        errno = 0;
        double v = strtod(s, &end);
        if (errno || !isfinite(v) || v < 0)
                return -EINVAL;
        static const char suffixes[] = "KMGTPE";
        double mult = 1;
        if (*end) {
                const char *k = strchr(suffixes, *end);
                if (!k || !*k)
                        return -EINVAL;
                for (const char *q = suffixes; q <= k; q++)
                        mult *= 1024;
                end++;
                if (*end == 'i' && end[1] == 'B')
                        end += 2;
                else if (*end == 'B')
                        end++;
                if (*end)
                        return -EINVAL;
        } else if (strchr(s, '.'))
                return -EINVAL; /* fractional bytes */
        double bytes = v * mult;
        if (bytes >= 18446744073709551615.0)
                return -ERANGE;
        *ret = (uint64_t) bytes;
        return 0;
}

int parse_percent(const char *s, uint64_t *ret) {
        if (!s)
                return -EINVAL;
        size_t n = strlen(s);
        if (n < 2 || s[n - 1] != '%')
                return -EINVAL;
        char num[32];
        if (n - 1 >= sizeof(num))
                return -ERANGE;
        memcpy(num, s, n - 1);
        num[n - 1] = 0;
        return parse_uint(num, 0, 1000000, ret);
}

int parse_mode(const char *s, mode_t *ret) {
        if (!s || !*s || strlen(s) > 5)
                return -EINVAL;
        unsigned v = 0;
        for (const char *p = s; *p; p++) {
                if (*p < '0' || *p > '7')
                        return -EINVAL;
                v = v * 8 + (unsigned) (*p - '0');
        }
        if (v > 07777)
                return -ERANGE;
        *ret = (mode_t) v;
        return 0;
}

const char *format_duration(char *buf, size_t size, usec_t u) {
        static const struct {
                const char *suffix;
                usec_t usec;
        } table[] = {
                { "d", 86400 * USEC_PER_SEC }, { "h", 3600 * USEC_PER_SEC }, { "min", 60 * USEC_PER_SEC },
                { "s", USEC_PER_SEC },         { "ms", USEC_PER_MSEC },      { "us", 1 },
        };
        if (u == USEC_INFINITY)
                return snprintf(buf, size, "infinity"), buf;
        if (u == 0)
                return snprintf(buf, size, "0"), buf;
        size_t off = 0;
        buf[0] = 0;
        for (size_t i = 0; i < sizeof(table) / sizeof(table[0]) && u > 0; i++) {
                if (u < table[i].usec)
                        continue;
                usec_t n = u / table[i].usec;
                u %= table[i].usec;
                int w = snprintf(buf + off, size - off, "%s%llu%s", off ? " " : "", (unsigned long long) n, table[i].suffix);
                if (w < 0 || (size_t) w >= size - off)
                        break;
                off += (size_t) w;
        }
        return buf;
}

const char *format_size(char *buf, size_t size, uint64_t bytes) {
        static const char suffixes[] = "EPTGMK";
        if (bytes == UINT64_MAX)
                return snprintf(buf, size, "infinity"), buf;
        for (int i = 0; i < 6; i++) {
                uint64_t unit = 1ULL << (10 * (6 - i));
                if (bytes >= unit && bytes % unit == 0)
                        return snprintf(buf, size, "%llu%c", (unsigned long long) (bytes / unit), suffixes[i]), buf;
        }
        return snprintf(buf, size, "%llu", (unsigned long long) bytes), buf;
}

usec_t monotonic_usec(void) {
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (usec_t) ts.tv_sec * USEC_PER_SEC + (usec_t) ts.tv_nsec / 1000;
}
