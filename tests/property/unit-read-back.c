/* SPDX-License-Identifier: MIT */
/* The unit half of tests/property/run's read-back: compares what systemd 252 itself read from the generated units
 * (the dump of `systemd --test`, see run) with what the spec wrote, value by value.
 *
 * Usage: unit-read-back SPEC TIER DUMP UNIT_DIR [ARG...]
 *   SPEC, TIER   the spec, composed with the repository's tiers/ and built into the model, as validate does (with
 *                the --set KEY=VALUE of ARG, the spec's "# args:"; other arguments are ignored);
 *   DUMP         systemd's dump of every unit of UNIT_DIR (its "-> Unit NAME:" blocks);
 *   UNIT_DIR     the generated etc/systemd/system, for LoadCredential=, which systemd 252's dump leaves out: it is
 *                read there with the re-implementation of systemd 252's unit file reader, specifier rules and
 *                extract_first_word() of tests/fuzz/consumers.c.
 * Prints one line per value that does not read back ("UNIT: Key reads back as ..., the spec wrote ..."); exits 0
 * when every value does (saying how many it compared), 1 when one does not, 2 when the spec does not build or a unit
 * is not in the dump.
 *
 * Durations are compared to the second: the dump writes them cut there.
 *
 * What systemd puts for a specifier the spec wrote is systemd's business: those derived from the unit's name (%n %N
 * %p %i %j, and %I %P %J where unescaping changes nothing) are resolved here as systemd does; any other one (%H,
 * %u, %s, ...) matches whatever systemd put there. A '%' that starts no specifier is the spec's literal '%'. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../fuzz/consumers.h"
#include "helpers/spec-check.h"
#include "spec/syntax.h"
#include "util/fileio.h"
#include "util/strbuf.h"
#include "util/strv.h"
#include "util/xalloc.h"

#define ANY '\001' /* in an expected value: a specifier whose value systemd picks (the spec refuses control characters) */

typedef struct Entry {
        char *unit, *key, *value;
} Entry;

typedef struct Dump {
        Entry *e;
        size_t n;
} Dump;

static const char *spec_label, *tier;
static unsigned mismatches, compared;

/* "\t-> Unit NAME:" starts a unit, "\t\tKey: value" is one of its settings, "\t\t-> ExecStart:" then
 * "\t\t\tCommand Line: ..." one of its commands (key "ExecStart"); anything else is left out. */
static void dump_parse(char *text, Dump *d) {
        char *unit = NULL, *exec = NULL;
        for (char *line = text, *next; line; line = next) {
                next = strchr(line, '\n');
                if (next)
                        *next++ = 0;
                if (strncmp(line, "\t-> Unit ", 9) == 0 && line[strlen(line) - 1] == ':') {
                        line[strlen(line) - 1] = 0;
                        unit = line + 9;
                        exec = NULL;
                } else if (unit && strncmp(line, "\t\t-> ", 5) == 0) {
                        exec = strncmp(line + 5, "Exec", 4) == 0 ? line + 5 : NULL;
                        if (exec)
                                exec[strcspn(exec, ":")] = 0;
                } else if (unit && exec && strncmp(line, "\t\t\tCommand Line: ", 17) == 0) {
                        d->e = xreallocarray(d->e, d->n + 1, sizeof(Entry));
                        d->e[d->n++] = (Entry) { unit, exec, line + 17 };
                } else if (unit && line[0] == '\t' && line[1] == '\t' && line[2] != '\t' && strstr(line, ": ")) {
                        char *colon = strstr(line, ": ");
                        *colon = 0;
                        d->e = xreallocarray(d->e, d->n + 1, sizeof(Entry));
                        d->e[d->n++] = (Entry) { unit, line + 2, colon + 2 };
                        exec = NULL;
                }
        }
}

/* The values of key in unit, in the dump's order (the array is the caller's to free). */
static size_t dump_values(const Dump *d, const char *unit, const char *key, const char ***ret) {
        size_t n = 0;
        *ret = xcalloc(d->n + 1, sizeof(char *));
        for (size_t i = 0; i < d->n; i++)
                if (strcmp(d->e[i].unit, unit) == 0 && strcmp(d->e[i].key, key) == 0)
                        (*ret)[n++] = d->e[i].value;
        return n;
}

static bool dump_has_unit(const Dump *d, const char *unit) {
        for (size_t i = 0; i < d->n; i++)
                if (strcmp(d->e[i].unit, unit) == 0)
                        return true;
        return false;
}

/* Reads back a "Command Line:" of the dump, written by systemd's quote_command_line(): words separated by one
 * space, each as is, or in double quotes with '"', '\', '`' and '$' backslash-escaped and control characters
 * written by cescape_char() (\n, \t, ..., else three octal digits): shell_maybe_quote() with SHELL_ESCAPE_EMPTY.
 * NULL when the text is not of that form. */
static char **dump_command_words(const char *s) {
        char **words = xcalloc(1, sizeof(char *));
        while (*s) {
                StrBuf w = {};
                if (*s == '"') {
                        for (s++; *s && *s != '"'; s++) {
                                const char *control = s[0] == '\\' && s[1] ? strchr("abfnrtv", s[1]) : NULL;
                                if (*s == '\\' && s[1] && strchr("\"\\`$", s[1]))
                                        sb_putc(&w, *++s);
                                else if (control)
                                        sb_putc(&w, "\a\b\f\n\r\t\v"[control - "abfnrtv"]), s++;
                                else if (*s == '\\' && strchr("0123", s[1]) && s[1] && s[2] >= '0' && s[2] <= '7' && s[3] >= '0' &&
                                         s[3] <= '7')
                                        sb_putc(&w, (char) ((s[1] - '0') << 6 | (s[2] - '0') << 3 | (s[3] - '0'))), s += 3;
                                else if (*s == '\\')
                                        goto bad;
                                else
                                        sb_putc(&w, *s);
                        }
                        if (*s++ != '"')
                                goto bad;
                } else
                        for (; *s && *s != ' '; s++)
                                sb_putc(&w, *s);
                strv_push(&words, sb_take(&w, NULL));
                if (*s == ' ')
                        s++;
                continue;
        bad:
                sb_free(&w);
                strv_free(words);
                return NULL;
        }
        return words;
}

/* Whether s is what pattern says, ANY standing for any text. */
static bool matches(const char *pattern, const char *s) {
        if (*pattern == ANY) {
                for (const char *t = s;; t++) {
                        if (matches(pattern + 1, t))
                                return true;
                        if (!*t)
                                return false;
                }
        }
        if (!*pattern)
                return !*s;
        return *pattern == *s && matches(pattern + 1, s + 1);
}

/* systemd's unit_name_unescape() changes nothing in s: no '-' (a '/') and no '\' (an escape). */
static bool unescape_is_identity(const char *s) {
        return !strpbrk(s, "-\\");
}

/* The spec's text for a directive that resolves specifiers (Description=, command lines), as systemd reads it for
 * unit ("name@inst.service"): name-derived specifiers resolved, the others ANY, a '%' that starts none literal. */
static char *resolve_specifiers(const char *text, const char *unit) {
        const char *at = strchr(unit, '@'), *dot = strrchr(unit, '.');
        char *prefix = strndup(unit, (size_t) ((at ? at : dot) - unit));
        char *instance = at ? strndup(at + 1, (size_t) (dot - at - 1)) : strdup("");
        char *name = strndup(unit, (size_t) (dot - unit));
        const char *dash = strrchr(prefix, '-'), *last = dash ? dash + 1 : prefix;
        StrBuf b = {};
        for (const char *p = text; *p; p++) {
                const char *v = NULL;
                if (*p != '%' || !p[1] || !strchr("aAbBCdEfgGhHiIjJlLmMnNopPsStTuUvVwWyY%", p[1])) {
                        sb_putc(&b, *p);
                        continue;
                }
                switch (*++p) {
                case '%': v = "%"; break;
                case 'n': v = unit; break;
                case 'N': v = name; break;
                case 'p': v = prefix; break;
                case 'i': v = instance; break;
                case 'j': v = last; break;
                case 'P': v = unescape_is_identity(prefix) ? prefix : NULL; break;
                case 'I': v = unescape_is_identity(instance) ? instance : NULL; break;
                case 'J': v = unescape_is_identity(last) ? last : NULL; break;
                }
                if (v)
                        sb_append(&b, v);
                else
                        sb_putc(&b, ANY);
        }
        free(prefix);
        free(instance);
        free(name);
        return sb_take(&b, NULL);
}

static void mismatch(const char *unit, const char *key, const char *got, const char *want) {
        StrBuf w = {};
        for (const char *p = want; *p; p++)
                sb_putc(&w, *p == ANY ? '*' : *p);
        _cleanup_free_ char *text = sb_take(&w, NULL);
        printf("%s (%s): %s: %s reads back as '%s', the spec wrote '%s'\n", spec_label, tier, unit, key, got ? got : "(nothing)", text);
        mismatches++;
}

/* The one value of key in unit must be want (a pattern); want NULL: the key must not be there. */
static void expect_one(const Dump *d, const char *unit, const char *key, const char *want) {
        const char **got;
        compared++;
        size_t n = dump_values(d, unit, key, &got);
        if (n > 1 || (n == 1) != (want != NULL) || (want && !matches(want, got[0])))
                mismatch(unit, key, n ? got[n - 1] : NULL, want ? want : "(nothing)");
        free(got);
}

static void expect_u64(const Dump *d, const char *unit, const char *key, uint64_t want) {
        if (want == UNSET_U64)
                return;
        char buf[32];
        snprintf(buf, sizeof(buf), "%llu", (unsigned long long) want);
        expect_one(d, unit, key, buf);
}

/* A timespan as systemd's format_timespan() writes it ("750ms", "1.500000s", "1min 40s"), in microseconds; -EINVAL
 * for anything else. */
static int timespan_parse(const char *s, usec_t *ret) {
        static const struct { const char *suffix; usec_t usec; } units[] = {
                { "us", 1 }, { "ms", USEC_PER_MSEC }, { "s", USEC_PER_SEC }, { "min", 60 * USEC_PER_SEC },
                { "h", 3600 * USEC_PER_SEC }, { "d", 86400 * USEC_PER_SEC },
        };
        usec_t total = 0;
        while (*s) {
                char *end;
                unsigned long long whole = strtoull(s, &end, 10), frac = 0, scale = 1;
                if (end == s)
                        return -EINVAL;
                if (*end == '.')
                        for (end++; *end >= '0' && *end <= '9'; end++)
                                frac = frac * 10 + (unsigned long long) (*end - '0'), scale *= 10;
                size_t n = strcspn(end, " "), i = 0;
                while (i < ELEMENTSOF(units) && (strlen(units[i].suffix) != n || strncmp(end, units[i].suffix, n) != 0))
                        i++;
                if (i == ELEMENTSOF(units))
                        return -EINVAL;
                total += whole * units[i].usec + frac * units[i].usec / scale;
                s = end + n + (end[n] == ' ');
        }
        *ret = total;
        return 0;
}

/* A duration the spec set (USEC_UNSET: not set): systemd's dump writes it cut to the second. */
static void expect_duration(const Dump *d, const char *unit, const char *key, usec_t want) {
        if (want == USEC_UNSET)
                return;
        const char **got;
        size_t n = dump_values(d, unit, key, &got);
        usec_t u;
        char text[64];
        compared++;
        if (n != 1 || (want == USEC_INFINITY ? strcmp(got[0], "infinity") != 0
                                              : timespan_parse(got[0], &u) < 0 || u > want || want - u >= USEC_PER_SEC))
                mismatch(unit, key, n ? got[0] : NULL, format_duration(text, sizeof(text), want));
        free(got);
}

static void expect_limits(const Dump *d, const char *unit, const Limits *l) {
        expect_u64(d, unit, "MemoryMax", l->memory_max);
        expect_u64(d, unit, "MemoryHigh", l->memory_high);
        expect_u64(d, unit, "CPUWeight", l->cpu_weight);
        expect_u64(d, unit, "IOWeight", l->io_weight);
        expect_u64(d, unit, "TasksMax", l->tasks_max);
        if (l->cpu_quota == UNSET_U64)
                return;
        const char **got; /* a timespan per second of wall clock: 150% is 1.5s */
        compared++;
        size_t n = dump_values(d, unit, "CPUQuotaPerSecSec", &got);
        usec_t u;
        char want[64];
        snprintf(want, sizeof(want), "%llu%%", (unsigned long long) l->cpu_quota);
        if (n != 1 || timespan_parse(got[0], &u) < 0 || u != l->cpu_quota * 10000)
                mismatch(unit, "CPUQuotaPerSecSec", n ? got[0] : NULL, want);
        free(got);
}

/* The command line as the spec wrote it, split as validate splits it; a leading "@" drops the program path. */
static char **expected_words(const char *exec, const char *unit) {
        char *text = resolve_specifiers(exec, unit), **words = NULL;
        if (command_split(text, &words) <= 0) {
                free(text);
                return NULL;
        }
        free(text);
        size_t flags = strspn(words[0], "-@:+!");
        bool at = memchr(words[0], '@', flags);
        memmove(words[0], words[0] + flags, strlen(words[0] + flags) + 1);
        if (at) {
                free(words[0]);
                memmove(words, words + 1, strv_length(words) * sizeof(char *));
        }
        return words;
}

static void expect_command(const char *unit, const char *key, const char *got, char **want) {
        char **words = dump_command_words(got);
        compared++;
        bool same = words && want && strv_length(words) == strv_length(want);
        for (size_t i = 0; same && want[i]; i++)
                same = matches(want[i], words[i]);
        if (!same) {
                StrBuf w = {};
                for (size_t i = 0; want && want[i]; i++)
                        sb_printf(&w, "%s[%s]", i ? " " : "", want[i]);
                _cleanup_free_ char *text = sb_take(&w, NULL);
                mismatch(unit, key, got, want ? text : "(no command)");
        }
        strv_free(words);
}

static void expect_commands(const Dump *d, const Model *m, const Service *s, const char *unit) {
        const char **got;
        size_t n = dump_values(d, unit, "ExecStartPre", &got);
        if (n != s->exec_start_pre.n)
                mismatch(unit, "ExecStartPre", n ? got[0] : NULL, "(as many commands as the spec's exec_start_pre)");
        for (size_t i = 0; i < n && i < s->exec_start_pre.n; i++) {
                char **want = expected_words(s->exec_start_pre.items[i], unit);
                expect_command(unit, "ExecStartPre", got[i], want);
                strv_free(want);
        }
        free(got);
        char **want;
        const char *config = s->supervisor ? "supervisor.yaml" : s->health_aggregator ? "health-checks.yaml" : NULL;
        if (config) { /* msd-supervisor on the configuration the spec's project gets: literal arguments */
                want = xcalloc(4, sizeof(char *));
                want[0] = xstrdup(m->supervisor_path), want[1] = xstrdup("--config"), want[2] = xasprintf("%s/%s", m->config_dir, config);
        } else
                want = expected_words(s->exec, unit);
        n = dump_values(d, unit, "ExecStart", &got);
        if (n != 1)
                mismatch(unit, "ExecStart", n ? got[0] : NULL, "(one command)");
        else
                expect_command(unit, "ExecStart", got[0], want);
        strv_free(want);
        free(got);
}

/* Environment= as systemd holds it: one NAME=value per variable, a later assignment replacing an earlier one. */
static void expect_variable(const Dump *d, const char *unit, const char *name, const char *value) {
        const char **got, *last = NULL;
        compared++;
        size_t n = dump_values(d, unit, "Environment", &got), len = strlen(name);
        for (size_t i = 0; i < n; i++)
                if (strncmp(got[i], name, len) == 0 && got[i][len] == '=')
                        last = got[i];
        _cleanup_free_ char *want = xasprintf("%s=%s", name, value);
        if (!last || strcmp(last, want) != 0)
                mismatch(unit, "Environment", last, want);
        free(got);
}

/* LoadCredential= read from the unit file (not in systemd 252's dump) as config_parse_load_credential() does:
 * specifiers resolved, the id up to the first ':', the path after it. */
static void expect_credentials(const char *unit_dir, const Service *s, const char *file) {
        _cleanup_free_ char *path = xasprintf("%s/%s", unit_dir, file), *text = NULL;
        if (read_full_file(path, 1 << 20, &text, NULL) < 0) {
                mismatch(file, "LoadCredential", NULL, "(a unit file to read)");
                return;
        }
        UnitLine *lines;
        const char *why;
        int n = unit_parse(text, &lines, &why);
        size_t k = 0;
        for (int i = 0; i < n; i++) {
                if (strcmp(lines[i].section, "Service") != 0 || strcmp(lines[i].key, "LoadCredential") != 0)
                        continue;
                char *value = sd_specifiers_resolve(lines[i].value, false), *id = NULL;
                const char *p = value;
                compared++;
                _cleanup_free_ char *want = k < s->n_secrets ? xasprintf("%s:%s", s->secrets[k].id, s->secrets[k].source) : NULL;
                if (!value || sd_extract_first_word(&p, &id, ":", 0) <= 0 || !p || !want || strlen(id) + 1 + strlen(p) != strlen(want) ||
                    strncmp(want, id, strlen(id)) != 0 || want[strlen(id)] != ':' || strcmp(want + strlen(id) + 1, p) != 0)
                        mismatch(file, "LoadCredential", lines[i].value, want ? want : "(no more credentials)");
                free(id);
                free(value);
                k++;
        }
        if (n < 0)
                mismatch(file, "LoadCredential", why, "(a unit file systemd reads)");
        else if (k != s->n_secrets)
                mismatch(file, "LoadCredential", NULL, "(one line per secret)");
        if (n > 0)
                unit_lines_free(lines, (size_t) n);
}

static void check_service(const Dump *d, const Model *m, const Service *s, const char *unit) {
        _cleanup_free_ char *description = resolve_specifiers(s->description ? s->description : s->name, unit);
        expect_one(d, unit, "Description", description);
        expect_commands(d, m, s, unit);
        expect_one(d, unit, "Type", service_type_to_string(s->type));
        expect_one(d, unit, "Restart", restart_policy_to_string(s->restart.policy));
        expect_duration(d, unit, "RestartSec", s->restart.delay);
        expect_duration(d, unit, "WatchdogSec", s->watchdog);
        expect_duration(d, unit, "TimeoutStartSec", s->timeout_start);
        expect_duration(d, unit, "TimeoutStopSec", s->timeout_stop);
        if (s->user)
                expect_one(d, unit, "User", s->user);
        if (s->group)
                expect_one(d, unit, "Group", s->group);
        if (s->working_directory)
                expect_one(d, unit, "WorkingDirectory", s->working_directory);
        if (s->slice) {
                _cleanup_free_ char *slice = xasprintf("%s.slice", s->slice);
                expect_one(d, unit, "Slice", slice);
        }
        if (s->kill_signal)
                expect_one(d, unit, "KillSignal", s->kill_signal);
        const char **got;
        size_t n = dump_values(d, unit, "EnvironmentFile", &got);
        for (size_t i = 0; i < s->env_files.n || i < n; i++) {
                const EnvFile *f = i < s->env_files.n ? model_find_env_file(m, s->env_files.items[i]) : NULL;
                compared++;
                if (i >= n || !f || strcmp(got[i], f->path) != 0)
                        mismatch(unit, "EnvironmentFile", i < n ? got[i] : NULL, f ? f->path : "(no more env files)");
        }
        free(got);
        for (size_t i = 0; i < s->n_environment; i++)
                expect_variable(d, unit, s->environment[i].key, s->environment[i].value);
        if (s->log_level)
                expect_variable(d, unit, "LOG_LEVEL", s->log_level);
        if (s->log_format)
                expect_variable(d, unit, "LOG_FORMAT", s->log_format);
        n = dump_values(d, unit, "ReadWritePaths", &got); /* one line, the paths separated by spaces (no path has one) */
        _cleanup_(strv_freep) char **paths = NULL;
        if (n == 1)
                (void) sd_extract_words(got[0], 0, &paths);
        for (size_t i = 0; i < s->read_write_paths.n && ++compared; i++)
                if (!strv_contains(paths, s->read_write_paths.items[i]))
                        mismatch(unit, "ReadWritePaths", n ? got[0] : NULL, s->read_write_paths.items[i]);
        free(got);
        expect_limits(d, unit, &s->resources);
        if (s->limit_nofile != UNSET_U64) {
                expect_u64(d, unit, "LimitNOFILE", s->limit_nofile);
                expect_u64(d, unit, "LimitNOFILESoft", s->limit_nofile);
        }
}

int main(int argc, char *argv[]) {
        if (argc < 5) {
                fprintf(stderr, "usage: unit-read-back SPEC TIER DUMP UNIT_DIR [--set KEY=VALUE]...\n");
                return 2;
        }
        const char **sets = xcalloc((size_t) argc, sizeof(char *)); /* the spec's "# args:": its --set ones count */
        for (int i = 5, n = 0; i + 1 < argc; i++)
                if (strcmp(argv[i], "--set") == 0)
                        sets[n++] = argv[++i];
        spec_label = argv[1], tier = argv[2];
        Diags diags = {};
        Spec *spec = NULL;
        Model *m = NULL;
        _cleanup_free_ char *text = NULL;
        if (spec_check_compose_file(argv[1], tier, sets, &spec, &diags) < 0 || spec_build_model(spec, NULL, &m, &diags) < 0) {
                fprintf(stderr, "unit-read-back: %s (%s) does not build\n", argv[1], tier);
                return 2;
        }
        if (read_full_file(argv[3], 256 << 20, &text, NULL) < 0) {
                fprintf(stderr, "unit-read-back: cannot read '%s'\n", argv[3]);
                return 2;
        }
        Dump d = {};
        dump_parse(text, &d);
        int missing = 0;
        for (size_t i = 0; i < m->n_services; i++) {
                const Service *s = &m->services[i];
                _cleanup_free_ char *file = xasprintf("%s.service", s->name);
                expect_credentials(argv[4], s, file);
                size_t checked = 0; /* a template through every instance systemd loaded (run loads one), else "1" */
                for (size_t k = 0; k < s->instances.n + 1 && s->templated; k++) {
                        _cleanup_free_ char *unit = xasprintf("%s%s.service", s->name, k < s->instances.n ? s->instances.items[k] : "1");
                        if ((k < s->instances.n || checked == 0) && dump_has_unit(&d, unit) && ++checked)
                                check_service(&d, m, s, unit);
                }
                if (!s->templated && dump_has_unit(&d, file) && ++checked)
                        check_service(&d, m, s, file);
                if (!checked && ++missing)
                        fprintf(stderr, "unit-read-back: %s (%s): systemd did not load %s\n", argv[1], tier, file);
        }
        for (size_t i = 0; i < m->n_slices; i++) {
                const Slice *s = &m->slices[i];
                _cleanup_free_ char *unit = xasprintf("%s.slice", s->name);
                _cleanup_free_ char *description = resolve_specifiers(s->description ? s->description : s->name, unit);
                if (!dump_has_unit(&d, unit) && ++missing) {
                        fprintf(stderr, "unit-read-back: %s (%s): systemd did not load %s\n", argv[1], tier, unit);
                        continue;
                }
                expect_one(&d, unit, "Description", description);
                expect_limits(&d, unit, &s->limits);
        }
        const char *target_text = m->target_description ? m->target_description : m->description ? m->description : m->name;
        _cleanup_free_ char *target = xasprintf("%s.target", m->name), *description = resolve_specifiers(target_text, target);
        if (dump_has_unit(&d, target))
                expect_one(&d, target, "Description", description);
        else if (++missing)
                fprintf(stderr, "unit-read-back: %s (%s): systemd did not load %s\n", argv[1], tier, target);
        free(d.e);
        model_free(m);
        spec_free(spec);
        diags_clear(&diags);
        spec_check_cleanup();
        free(sets);
        if (!missing && !mismatches)
                printf("%u values read back as written\n", compared);
        return missing ? 2 : mismatches ? 1 : 0;
}
