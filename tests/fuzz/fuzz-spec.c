/* SPDX-License-Identifier: MIT */
/* Fuzz target: the spec pipeline in memory, every tier (load, compose with the repository's tiers/, check, build,
 * render), and issue 9's rule on what it renders: a spec the checks accept renders, or rendering says where in the
 * spec the problem is; and every artifact of a spec validate accepts is one its consumer reads as meant.
 *
 * Input: the spec's text. Checked for each artifact: a relative, normalised path that no other artifact sits
 * under; valid UTF-8 without NUL or control characters (the spec copy aside, which is the input); units read by
 * systemd 252's rules (every line a section or KEY=VALUE inside one, no continuation, specifiers that resolve,
 * Environment= assignments systemd keeps, command lines that split, sandboxing values systemd takes, paths it
 * takes); environment files systemd keeps every
 * assignment of; sysusers.d and tmpfiles.d lines whose fields pass systemd's own field rules; YAML that libyaml
 * reads, and msd-supervisor configurations that msd-supervisor loads. */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "cmd/cmd.h"
#include "consumers.h"
#include "render/render.h"
#include "spec/load_internal.h"
#include "supervisor/config.h"
#include "util/strv.h"
#include "util/xalloc.h"

static bool ends_with(const char *s, const char *suffix) {
        size_t n = strlen(s), k = strlen(suffix);
        return n >= k && strcmp(s + n - k, suffix) == 0;
}

/* Directives whose values systemd 252 resolves specifiers in (the others, CPUQuota= say, take '%' as it is). */
static bool printf_directive(const char *key) {
        static const char *const keys[] = { "Description", "Documentation", "SourcePath", "User", "Group", "WorkingDirectory",
                                            "EnvironmentFile", "ReadWritePaths", "LoadCredential", "After", "Before", "Requires",
                                            "Wants", "BindsTo", "PartOf", "WantedBy", "DefaultInstance", "Slice", NULL };
        for (const char *const *k = keys; *k; k++)
                if (strcmp(key, *k) == 0)
                        return true;
        return strncmp(key, "Exec", 4) == 0;
}

/* valid_user_group_name() of systemd 252, strict: what systemd-sysusers and User= take */
static bool sd_user_name_valid(const char *s) {
        size_t n = strlen(s);
        if (n == 0 || n > 31 || !((s[0] >= 'a' && s[0] <= 'z') || (s[0] >= 'A' && s[0] <= 'Z') || s[0] == '_'))
                return false;
        return strspn(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-") == n;
}

/* path_is_absolute() && path_is_valid() && path_is_normalized() */
static bool sd_path_valid(const char *s) {
        if (s[0] != '/' || strstr(s, "//") || strlen(s) >= 4096)
                return false;
        for (const char *p = s; (p = strchr(p, '/')); p++) {
                size_t n = strcspn(p + 1, "/");
                if (n > 255 || (n == 1 && p[1] == '.') || (n == 2 && p[1] == '.' && p[2] == '.'))
                        return false;
        }
        return strcmp(s, "/") == 0 || s[strlen(s) - 1] != '/';
}

/* valid_home() and valid_shell(): a valid path without ':' */
static bool sd_home_valid(const char *s) {
        return sd_path_valid(s) && !strchr(s, ':');
}

/* parse_boolean() of systemd 252 */
static bool sd_boolean(const char *v) {
        static const char *const words[] = { "1", "yes", "y", "true", "t", "on", "0", "no", "n", "false", "f", "off", NULL };
        for (const char *const *w = words; *w; w++)
                if (strcasecmp(v, *w) == 0)
                        return true;
        return false;
}

/* Whether systemd 252 reads the value of a sandboxing directive without "ignoring" it: the booleans, and the
 * enumerations that also take a boolean. Other directives: true. */
static bool sd_sandboxing_value_valid(const char *key, const char *v) {
        static const struct {
                const char *key;
                const char *words; /* besides a boolean, space-separated; NULL: a boolean only */
        } grammar[] = {
                { "NoNewPrivileges", NULL }, { "PrivateTmp", NULL }, { "PrivateDevices", NULL }, { "PrivateNetwork", NULL },
                { "PrivateUsers", NULL }, { "PrivateMounts", NULL }, { "PrivateIPC", NULL }, { "ProtectClock", NULL },
                { "ProtectKernelTunables", NULL }, { "ProtectKernelModules", NULL }, { "ProtectKernelLogs", NULL },
                { "ProtectControlGroups", NULL }, { "ProtectHostname", NULL }, { "LockPersonality", NULL },
                { "MemoryDenyWriteExecute", NULL }, { "RestrictRealtime", NULL }, { "RestrictSUIDSGID", NULL },
                { "RemoveIPC", NULL }, { "ProtectSystem", "strict full" }, { "ProtectHome", "read-only tmpfs" },
        };
        for (size_t i = 0; i < ELEMENTSOF(grammar); i++) {
                if (strcmp(key, grammar[i].key) != 0)
                        continue;
                if (sd_boolean(v))
                        return true;
                size_t n = strlen(v);
                for (const char *w = grammar[i].words; w && *w; w += strcspn(w, " "), w += *w == ' ')
                        if (n > 0 && strncmp(w, v, n) == 0 && (w[n] == ' ' || w[n] == 0))
                                return true;
                return false;
        }
        return true;
}

/* The paths of a directive that takes some (WorkingDirectory=, ReadWritePaths=, EnvironmentFile=, LoadCredential=),
 * without their prefixes, NULL-terminated; NULL for other directives. */
static char **unit_paths(const UnitLine *l) {
        char **v = NULL;
        if (strcmp(l->key, "WorkingDirectory") == 0 || strcmp(l->key, "EnvironmentFile") == 0)
                strv_push(&v, xstrdup(l->value + (l->value[0] == '-')));
        else if (strcmp(l->key, "LoadCredential") == 0 && strchr(l->value, ':'))
                strv_push(&v, xstrdup(strchr(l->value, ':') + 1));
        else if (strcmp(l->key, "ReadWritePaths") == 0 && sd_extract_words(l->value, SD_EXTRACT_UNQUOTE, &v) >= 0)
                for (char **p = v; *p; p++)
                        memmove(*p, *p + strspn(*p, "-+"), strlen(*p + strspn(*p, "-+")) + 1);
        return v;
}

/* Whether a line of a unit holds a value with whitespace at either end, which config_parse() strips: it would read
 * back without it. */
static bool unit_value_stripped(const char *text) {
        for (const char *p = text; *p;) {
                size_t len = strcspn(p, "\n");
                const char *eq = memchr(p, '=', len);
                if (len > 0 && p[0] != '#' && p[0] != ';' && p[0] != '[' && eq &&
                    (strchr(" \t", eq[1]) || strchr(" \t", p[len - 1])) && eq + 1 < p + len)
                        return true;
                p += len + (p[len] == '\n');
        }
        return false;
}

static void check_unit(const Artifact *a) {
        if (unit_value_stripped(a->data))
                fuzz_violation("%s: a value begins or ends with whitespace, which systemd strips:\n%s", a->path, a->data);
        UnitLine *lines;
        const char *why;
        int n = unit_parse(a->data, &lines, &why);
        if (n < 0)
                fuzz_violation("%s: systemd refuses the unit: %s:\n%s", a->path, why, a->data);
        for (int i = 0; i < n; i++) {
                const UnitLine *l = &lines[i];
                if (strcmp(l->key, "Environment") == 0) {
                        _cleanup_(strv_freep) char **words = NULL;
                        if (sd_extract_words(l->value, SD_EXTRACT_CUNESCAPE | SD_EXTRACT_UNQUOTE, &words) < 0)
                                fuzz_violation("%s: systemd cannot split Environment=%s", a->path, l->value);
                        for (char **w = words; *w; w++) {
                                _cleanup_free_ char *v = sd_specifiers_resolve(*w, /* keep_specifiers= */ true);
                                char *eq = v ? strchr(v, '=') : NULL;
                                if (!eq)
                                        fuzz_violation("%s: systemd ignores Environment=%s", a->path, l->value);
                                *eq = 0;
                                if (!sd_env_name_valid(v) || !sd_env_value_valid(eq + 1))
                                        fuzz_violation("%s: systemd ignores the assignment of '%s' in Environment=%s", a->path, v, l->value);
                        }
                } else if (printf_directive(l->key)) {
                        _cleanup_free_ char *v = sd_specifiers_resolve(l->value, /* keep_specifiers= */ true);
                        if (!v)
                                fuzz_violation("%s: %s=%s has a specifier systemd cannot resolve", a->path, l->key, l->value);
                }
                _cleanup_(strv_freep) char **paths = unit_paths(l);
                for (char **p = paths; p && *p; p++)
                        if (!sd_path_valid(*p))
                                fuzz_violation("%s: systemd refuses the path in %s=%s", a->path, l->key, l->value);
                if (!sd_sandboxing_value_valid(l->key, l->value))
                        fuzz_violation("%s: systemd ignores %s=%s", a->path, l->key, l->value);
                if (strncmp(l->key, "Exec", 4) == 0) {
                        _cleanup_(strv_freep) char **words = NULL;
                        if (sd_extract_words(l->value, SD_EXTRACT_UNQUOTE | SD_EXTRACT_CUNESCAPE, &words) < 1) {
                                /* systemd would split it again keeping unknown escapes, and warn */
                                bool relaxed = sd_extract_words(l->value, SD_EXTRACT_UNQUOTE | SD_EXTRACT_CUNESCAPE |
                                                                SD_EXTRACT_UNESCAPE_RELAX, &words) >= 1;
                                fuzz_violation("%s: systemd %s %s=%s", a->path, relaxed ? "warns about an unknown escape in" : "cannot split",
                                               l->key, l->value);
                        }
                        if (words[0][strspn(words[0], "-@:+!|")] != '/')
                                fuzz_violation("%s: %s=%s: the program is not an absolute path", a->path, l->key, l->value);
                }
        }
        unit_lines_free(lines, (size_t) n);
}

/* EnvironmentFile= (parse_env_file_internal()): NAME=value lines; a value bare or in double quotes, inside which
 * '\' escapes '"', '\', '$' and '`'. */
static void check_env_file(const Artifact *a) {
        for (const char *p = a->data; *p;) {
                size_t len = strcspn(p, "\n");
                _cleanup_free_ char *line = xstrndup(p, len);
                p += len + (p[len] == '\n');
                if (line[0] == 0 || line[0] == '#' || line[0] == ';')
                        continue;
                char *eq = strchr(line, '=');
                if (!eq)
                        fuzz_violation("%s: a line without '=': %s", a->path, line);
                *eq = 0;
                if (!sd_env_name_valid(line))
                        fuzz_violation("%s: systemd ignores the variable '%s'", a->path, line);
                StrBuf v = {};
                sb_append(&v, "");
                const char *q = eq + 1;
                if (*q == '"') {
                        for (q++; *q && *q != '"'; q++) {
                                if (*q == '\\' && q[1] && strchr("\"\\$`", q[1]))
                                        q++;
                                sb_putc(&v, *q);
                        }
                        if (*q != '"' || q[1])
                                fuzz_violation("%s: a value systemd reads differently: %s", a->path, eq + 1);
                } else if (strpbrk(q, "\"'\\ \t$`"))
                        fuzz_violation("%s: a bare value systemd or a shell reads differently: %s", a->path, q);
                else
                        sb_append(&v, q);
                if (!sd_env_value_valid(v.s))
                        fuzz_violation("%s: systemd ignores the value of '%s'", a->path, line);
                sb_free(&v);
        }
}

/* One sysusers.d or tmpfiles.d line as fields: split with EXTRACT_UNQUOTE|EXTRACT_CUNESCAPE, specifiers resolved,
 * "-" unset (NULL). Returns how many. */
static int sd_fields(const Artifact *a, const char *line, char *fields[static 8]) {
        _cleanup_(strv_freep) char **words = NULL;
        int n = sd_extract_words(line, SD_EXTRACT_UNQUOTE | SD_EXTRACT_CUNESCAPE, &words);
        if (n < 2 || n > 8)
                fuzz_violation("%s: a line systemd refuses: %s", a->path, line);
        for (int i = 0; i < n; i++) {
                fields[i] = sd_specifiers_resolve(words[i], /* keep_specifiers= */ false);
                if (!fields[i])
                        fuzz_violation("%s: a field with a specifier systemd cannot resolve: %s", a->path, line);
                if (strcmp(fields[i], "-") == 0) {
                        free(fields[i]);
                        fields[i] = NULL;
                }
        }
        return n;
}

static void check_sysusers(const Artifact *a, bool tmpfiles) {
        for (const char *p = a->data; *p;) {
                size_t len = strcspn(p, "\n");
                _cleanup_free_ char *line = xstrndup(p, len);
                p += len + (p[len] == '\n');
                if (line[0] == 0 || line[0] == '#')
                        continue;
                char *f[8] = {};
                int n = sd_fields(a, line, f);
                bool ok;
                if (tmpfiles) /* type path mode user group age */
                        ok = n == 6 && f[0] && strchr("dD", f[0][0]) && f[1] && sd_path_valid(f[1]) && (!f[3] || sd_user_name_valid(f[3])) &&
                             (!f[4] || sd_user_name_valid(f[4]));
                else { /* type name id gecos home shell: valid_gecos() refuses ':' and invalid UTF-8 */
                        ok = n >= 2 && f[0] && strchr("ugmr", f[0][0]) && f[1] && sd_user_name_valid(f[1]);
                        if (ok && f[0][0] == 'u')
                                ok = (n < 4 || !f[3] || !strchr(f[3], ':')) && (n < 5 || !f[4] || sd_home_valid(f[4])) &&
                                     (n < 6 || !f[5] || sd_home_valid(f[5]));
                }
                if (!ok)
                        fuzz_violation("%s: systemd-%s refuses: %s", a->path, tmpfiles ? "tmpfiles" : "sysusers", line);
                for (int i = 0; i < n; i++)
                        free(f[i]);
        }
}

static void check_sv_config(const Artifact *a) {
        Diags d = {};
        SvConfig *c = NULL;
        if (sv_config_load(fuzz_memfd_path(a->data, a->size), &c, &d) < 0 || diags_failed(&d)) {
                diags_print(&d, stderr, /* color= */ false);
                fuzz_violation("%s: msd-supervisor refuses its configuration:\n%s", a->path, a->data);
        }
        sv_config_free(c);
        diags_clear(&d);
}

static void check_artifacts(const ArtifactSet *set, const char *spec_copy) {
        for (size_t i = 0; i < set->n; i++) {
                const Artifact *a = &set->items[i];
                if (!a->path[0] || a->path[0] == '/' || strstr(a->path, "//") || ends_with(a->path, "/") ||
                    !utf8_valid(a->path, strlen(a->path)))
                        fuzz_violation("artifact path '%s' is not relative and normalised", a->path);
                _cleanup_free_ char *components = xstrdup(a->path);
                char *save;
                for (char *c = strtok_r(components, "/", &save); c; c = strtok_r(NULL, "/", &save))
                        if (strcmp(c, ".") == 0 || strcmp(c, "..") == 0 || strlen(c) > 255)
                                fuzz_violation("artifact path '%s' has a '.', '..' or overlong component", a->path);
                for (size_t j = 0; j < set->n; j++) {
                        size_t n = strlen(a->path);
                        if (i != j && strncmp(set->items[j].path, a->path, n) == 0 && set->items[j].path[n] == '/')
                                fuzz_violation("artifact '%s' is under artifact '%s'", set->items[j].path, a->path);
                }
                if (strlen(a->data) != a->size || !utf8_valid(a->data, a->size))
                        fuzz_violation("%s: a NUL or invalid UTF-8", a->path);
                if (spec_copy && strcmp(a->path, spec_copy) == 0)
                        continue; /* the spec's own text */
                for (const unsigned char *c = (const unsigned char *) a->data; *c; c++)
                        if ((*c < ' ' && *c != '\n' && *c != '\t') || *c == 0x7f)
                                fuzz_violation("%s: control character 0x%02x", a->path, *c);
                if (strncmp(a->path, "etc/systemd/system/", 19) == 0)
                        check_unit(a);
                else if (ends_with(a->path, ".env"))
                        check_env_file(a);
                else if (strncmp(a->path, "etc/sysusers.d/", 15) == 0)
                        check_sysusers(a, /* tmpfiles= */ false);
                else if (strncmp(a->path, "etc/tmpfiles.d/", 15) == 0)
                        check_sysusers(a, /* tmpfiles= */ true);
                else if (ends_with(a->path, "/supervisor.yaml") || ends_with(a->path, "/health-checks.yaml"))
                        check_sv_config(a);
                else if (ends_with(a->path, ".yaml") && !yaml_valid(a->data, a->size))
                        fuzz_violation("%s: libyaml refuses it:\n%s", a->path, a->data);
        }
}

static void process_tier(CmdContext *c, const char *tier) {
        Diags d = {};
        TierResult t;
        if (cmd_build_tier(c, tier, &t, &d) >= 0 && !diags_failed(&d)) {
                if (render_model(t.model, &t.artifacts, &d) < 0 || diags_failed(&d)) {
                        /* validate refuses the spec: fine, if it says where (a FILE:LINE:COL in the spec) */
                        bool unlocated = false;
                        for (size_t i = 0; i < d.n; i++)
                                unlocated |= d.items[i].level == DIAG_ERROR && (!d.items[i].loc.src || d.items[i].loc.line == 0);
                        if (unlocated) {
                                diags_sort(&d);
                                diags_print(&d, stderr, /* color= */ false);
                                fuzz_violation("tier %s: the spec passes every check, yet rendering fails without saying where", tier);
                        }
                } else {
                        _cleanup_free_ char *copy = render_spec_copy_path(t.model);
                        check_artifacts(&t.artifacts, copy ? copy + strspn(copy, "/") : NULL);
                }
        }
        diags_clear(&d);
        tier_result_free(&t);
}

/* A spec read in two halves (spec/load_halves.c), cut near a third and near the middle, is the spec read whole;
 * a text the whole read refuses is never read in halves. */
static void check_halves(const SpecFile *f) {
        for (size_t k = 2; f->source && f->source->text && k <= 3; k++) {
                Arena *a = arena_new();
                Node *halves = NULL;
                if (spec_load_halves_at(a, f->source, f->source->len / k, &halves) == 0 && (!f->root || !node_identical(halves, f->root)))
                        fuzz_violation("the spec read in halves cut near byte %zu is not the spec read whole", f->source->len / k);
                arena_free(a);
        }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        static char **tier_files;
        if (!tier_files && cmd_list_tier_files(TEST_SRCDIR "/tiers", &tier_files) < 0)
                fuzz_violation("cannot list %s/tiers", TEST_SRCDIR);
        CmdContext c = { .spec_path = fuzz_memfd_path((const char *) data, size), .found_tiers_dir = (char *) TEST_SRCDIR "/tiers",
                         .tier_files = tier_files };
        Diags d = {};
        int r = spec_file_load(c.spec_path, &c.file, &d);
        check_halves(c.file);
        if (r >= 0) {
                _cleanup_(strv_freep) char **tiers = NULL;
                spec_list_tiers(c.file, tier_files, &tiers);
                for (char **t = tiers; *t; t++)
                        process_tier(&c, *t);
        }
        diags_clear(&d);
        c.file = spec_file_free(c.file);
        return 0;
}
