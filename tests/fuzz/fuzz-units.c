/* SPDX-License-Identifier: MIT */
/* Fuzz target: the spec's value parsers (durations, sizes, percentages, modes, numbers, booleans) and the formats
 * msdeploy writes them back in, which systemd and msd-supervisor read.
 *
 * Input: one byte choosing the parser, then its text. Whatever a parser accepts, its formatter writes in the
 * spelling systemd uses, and parsing that gives the same value. Durations also go the other way: 8 bytes of the
 * input as a number of microseconds, formatted, parsed back. */
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "consumers.h"
#include "util/units.h"
#include "util/xalloc.h"

/* What a duration means, independently of units.c: space-separated "<digits><unit>" words (a bare number is
 * seconds), summed; -ERANGE past the largest value that is not USEC_UNSET or USEC_INFINITY. */
static int reference_duration(const char *s, usec_t *ret) {
        static const struct {
                const char *unit;
                usec_t usec;
        } units[] = { { "", USEC_PER_SEC }, { "us", 1 }, { "ms", USEC_PER_MSEC }, { "s", USEC_PER_SEC }, { "sec", USEC_PER_SEC },
                      { "m", 60 * USEC_PER_SEC }, { "min", 60 * USEC_PER_SEC }, { "h", 3600 * USEC_PER_SEC }, { "d", 86400 * USEC_PER_SEC } };
        if (strcmp(s, "infinity") == 0)
                return *ret = USEC_INFINITY, 0;
        unsigned __int128 total = 0;
        bool any = false;
        for (const char *p = s; *p;) {
                if (*p == ' ') {
                        p++;
                        continue;
                }
                size_t nd = strspn(p, "0123456789"), nu = strspn(p + nd, "abcdefghijklmnopqrstuvwxyz");
                if (nd == 0)
                        return -EINVAL;
                unsigned __int128 v = 0;
                for (size_t i = 0; i < nd; i++) {
                        v = v * 10 + (unsigned) (p[i] - '0');
                        if (v > UINT64_MAX)
                                return -ERANGE;
                }
                usec_t mult = 0;
                for (size_t i = 0; i < ELEMENTSOF(units) && !mult; i++)
                        if (strlen(units[i].unit) == nu && strncmp(p + nd, units[i].unit, nu) == 0)
                                mult = units[i].usec;
                if (!mult)
                        return -EINVAL;
                total += v * mult;
                if (total > USEC_UNSET - 1)
                        return -ERANGE;
                p += nd + nu;
                any = true;
        }
        if (!any)
                return -EINVAL;
        *ret = (usec_t) total;
        return 0;
}

static void duration_round_trip(usec_t u, const char *from) {
        char buf[64];
        usec_t back;
        format_duration(buf, sizeof(buf), u);
        if (parse_duration(buf, &back) < 0 || back != u)
                fuzz_violation("duration %" PRIu64 " (from '%s') written as '%s' reads back as %s%" PRIu64, u, from, buf,
                               parse_duration(buf, &back) < 0 ? "an error, " : "", back);
}

static void check_duration(const char *s) {
        usec_t u, want;
        int r = parse_duration(s, &u), k = reference_duration(s, &want);
        if ((r < 0) != (k < 0) || (r >= 0 && u != want))
                fuzz_violation("duration '%s' parses as %d/%" PRIu64 ", means %d/%" PRIu64, s, r, r >= 0 ? u : 0, k, k >= 0 ? want : 0);
        if (r >= 0)
                duration_round_trip(u, s);
}

static void check_size(const char *s) {
        uint64_t v, back;
        if (parse_size(s, &v) < 0)
                return;
        char buf[64];
        format_size(buf, sizeof(buf), v);
        if (parse_size(buf, &back) < 0 || back != v)
                fuzz_violation("size '%s' = %" PRIu64 " written as '%s' reads back differently", s, v, buf);
        /* systemd's parse_size() takes the same 1024-based suffixes: the written form is one of them on a whole number */
        size_t digits = strspn(buf, "0123456789");
        if (strcmp(buf, "infinity") != 0 && (digits == 0 || (buf[digits] && (!strchr("KMGTPE", buf[digits]) || buf[digits + 1]))))
                fuzz_violation("size %" PRIu64 " written as '%s', not in systemd's spelling", v, buf);
}

static void check_percent(const char *s) {
        uint64_t v, back;
        if (parse_percent(s, &v) < 0)
                return;
        char buf[32];
        snprintf(buf, sizeof(buf), "%" PRIu64 "%%", v);
        if (parse_percent(buf, &back) < 0 || back != v)
                fuzz_violation("percentage '%s' = %" PRIu64 " written as '%s' reads back differently", s, v, buf);
}

static void check_mode(const char *s) {
        mode_t m, back;
        if (parse_mode(s, &m) < 0)
                return;
        char buf[16];
        snprintf(buf, sizeof(buf), "%04o", (unsigned) m);
        if (m > 07777 || parse_mode(buf, &back) < 0 || back != m)
                fuzz_violation("mode '%s' = %o written as '%s' reads back differently", s, (unsigned) m, buf);
}

static void check_numbers(const char *s) {
        uint64_t v;
        if (parse_uint(s, 0, UINT64_MAX, &v) >= 0) {
                char buf[32];
                snprintf(buf, sizeof(buf), "%" PRIu64, v);
                if (strspn(s, "0") != strlen(s) && strcmp(buf, s + strspn(s, "0")) != 0)
                        fuzz_violation("integer '%s' reads as %s", s, buf);
        }
        double d, back;
        if (parse_double(s, &d) >= 0) {
                char buf[64];
                snprintf(buf, sizeof(buf), "%.17g", d);
                if (!isfinite(d) || parse_double(buf, &back) < 0 || back != d)
                        fuzz_violation("number '%s' = %.17g does not read back", s, d);
        }
        bool b;
        if (parse_bool(s, &b) >= 0 && strcmp(s, b ? "true" : "false") && strcmp(s, b ? "yes" : "no") && strcmp(s, b ? "on" : "off"))
                fuzz_violation("boolean '%s' is none of systemd's spellings", s);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        if (size < 1)
                return 0;
        if (data[0] % 6 == 5) { /* a number of microseconds */
                usec_t u = 0;
                memcpy(&u, data + 1, size - 1 < sizeof(u) ? size - 1 : sizeof(u));
                if (u != USEC_UNSET)
                        duration_round_trip(u, "(bytes)");
                return 0;
        }
        _cleanup_free_ char *s = xstrndup((const char *) data + 1, size - 1);
        switch (data[0] % 6) {
        case 0: check_duration(s); break;
        case 1: check_size(s); break;
        case 2: check_percent(s); break;
        case 3: check_mode(s); break;
        case 4: check_numbers(s); break;
        }
        return 0;
}
