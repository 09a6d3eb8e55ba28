/* SPDX-License-Identifier: MIT */
/* A small writer for systemd unit files: sections, escaped Key=value lines, and directives gated by systemd version. */
#include "render/unit_writer.h"

#include <assert.h>
#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/escape.h"
#include "util/xalloc.h"

/* Directives newer than the oldest systemd msdeploy may target, with what happens when they are left out. */
typedef struct GatedDirective {
        const char *key;
        unsigned version;
        const char *without; /* consequence of dropping it, for the warning; NULL: none worth saying */
} GatedDirective;

static const GatedDirective directives[] = {
        { "BindLogSockets", 257, NULL },
        { "ExecPaths", 247, NULL },
        { "ExitType", 250, NULL },
        { "IPAddressAllow", 235, NULL },
        { "IPAddressDeny", 235, NULL },
        { "ImportCredential", 254, "the service gets no credentials" },
        { "KeyringMode", 235, NULL },
        { "LoadCredential", 247, "the service gets no credentials" },
        { "LoadCredentialEncrypted", 250, "the service gets no credentials" },
        { "LockPersonality", 235, NULL },
        { "MemoryDenyWriteExecute", 231, NULL },
        { "MemoryHigh", 231, NULL },
        { "MemoryMax", 231, NULL },
        { "NoExecPaths", 247, NULL },
        { "OOMPolicy", 243, NULL },
        { "PrivateIPC", 248, NULL },
        { "PrivateMounts", 239, NULL },
        { "PrivatePIDs", 257, NULL },
        { "PrivateUsers", 232, NULL },
        { "ProcSubset", 247, NULL },
        { "ProtectClock", 245, NULL },
        { "ProtectControlGroups", 232, NULL },
        { "ProtectHostname", 242, NULL },
        { "ProtectKernelLogs", 244, NULL },
        { "ProtectKernelModules", 232, NULL },
        { "ProtectKernelTunables", 232, NULL },
        { "ProtectProc", 247, NULL },
        { "RemoveIPC", 232, NULL },
        { "RestartMaxDelaySec", 254, "msd-supervisor applies the backoff instead" },
        { "RestartSteps", 254, "msd-supervisor applies the backoff instead" },
        { "RestrictFileSystems", 250, NULL },
        { "RestrictNamespaces", 233, NULL },
        { "RestrictSUIDSGID", 242, NULL },
        { "SetCredential", 247, "the service gets no credentials" },
        { "TimeoutStartFailureMode", 246, NULL },
        { "TimeoutStopFailureMode", 246, NULL },
};

/* An open-addressing table of the directives by a hash of their keys, built once: most keys written are not gated,
 * and a miss costs one hash and, rarely, one comparison. */
#define GATED_SLOTS 128

static struct {
        uint32_t hash;
        const GatedDirective *d; /* NULL: an empty slot */
} gated_table[GATED_SLOTS];
static pthread_once_t gated_once = PTHREAD_ONCE_INIT;

/* The length and the first and last four bytes: directive names differ there (a comparison settles the rest). */
static uint32_t key_hash(const char *s) {
        size_t n = strlen(s);
        uint32_t head = 0, tail = 0;
        memcpy(&head, s, n < 4 ? n : 4);
        memcpy(&tail, s + (n < 4 ? 0 : n - 4), n < 4 ? n : 4);
        uint64_t h = ((uint64_t) head << 32 | tail) * 0x9e3779b97f4a7c15ULL;
        return (uint32_t) (h >> 32) ^ (uint32_t) n;
}

static void gated_build(void) {
        static_assert(ELEMENTSOF(directives) * 2 <= GATED_SLOTS, "the table stays half empty");
        for (size_t i = 0; i < ELEMENTSOF(directives); i++) {
                uint32_t h = key_hash(directives[i].key);
                size_t slot = h % GATED_SLOTS;
                while (gated_table[slot].d)
                        slot = (slot + 1) % GATED_SLOTS;
                gated_table[slot].hash = h;
                gated_table[slot].d = &directives[i];
        }
}

static const GatedDirective *gated_find(const char *key) {
        pthread_once(&gated_once, gated_build);
        uint32_t h = key_hash(key);
        for (size_t slot = h % GATED_SLOTS; gated_table[slot].d; slot = (slot + 1) % GATED_SLOTS)
                if (gated_table[slot].hash == h && strcmp(gated_table[slot].d->key, key) == 0)
                        return gated_table[slot].d;
        return NULL;
}

void uw_init(UnitWriter *w, StrBuf *b, unsigned systemd_version, Diags *d, Loc loc, const char *unit) {
        *w = (UnitWriter) { .b = b, .systemd_version = systemd_version, .d = d, .loc = loc, .unit = unit };
}

/* A value the unit cannot carry: reported at the unit's origin; the unit is not written. key NULL: a comment. */
static void uw_fail(UnitWriter *w, const char *key, const char *value, const char *why) {
        if (w->d) {
                char shown[128];
                diag_error(w->d, w->loc, "%s%s%s in '%s' cannot be written: '%s' %s", key ? "'" : "a comment", key ? key : "",
                           key ? "='" : "", w->unit ? w->unit : "?", escape_value(shown, sizeof(shown), value), why);
        }
        if (w->error == 0)
                w->error = -EINVAL;
}

void uw_section(UnitWriter *w, const char *name) {
        sb_append(w->b, w->n_sections++ > 0 ? "\n[" : "[");
        sb_append(w->b, name);
        sb_append(w->b, "]\n");
}

void uw_comment(UnitWriter *w, const char *text) {
        if (strchr(text, '\n'))
                return uw_fail(w, NULL, text, "contains a line break");
        sb_printf(w->b, "# %s\n", text);
}

unsigned uw_directive_min_version(const char *key) {
        const GatedDirective *g = gated_find(key);
        return g ? g->version : 0;
}

bool uw_supported(UnitWriter *w, const char *key) {
        const GatedDirective *g = gated_find(key);
        if (!g || w->systemd_version >= g->version)
                return true;
        if (w->d)
                diag_warning(w->d, w->loc, "'%s=' needs systemd %u, target is %u, not rendered in '%s'%s%s", key, g->version,
                             w->systemd_version, w->unit ? w->unit : "?", g->without ? "; " : "", g->without ? g->without : "");
        return false;
}

/* Why a unit file line cannot hold v, or NULL: a line break; a trailing backslash (a line continuation); whitespace
 * at either end, which config_parse() strips from every value (no quoting keeps it: most directives take the value
 * as it is). */
static const char *value_problem(const char *v) {
        size_t n = 0;
        for (; v[n]; n++)
                if (v[n] == '\n' || v[n] == '\r')
                        return "contains a line break";
        if (n > 0 && v[n - 1] == '\\')
                return "ends in a backslash, which would continue the line";
        if (n > 0 && (strchr(" \t", v[0]) || strchr(" \t", v[n - 1])))
                return "begins or ends with whitespace, which systemd strips";
        return NULL;
}

/* Whether value can be written as key's value; reports it when not. */
static bool value_ok(UnitWriter *w, const char *key, const char *value) {
        const char *why = value_problem(value);
        if (why)
                uw_fail(w, key, value, why);
        return !why;
}

void uw_set_raw(UnitWriter *w, const char *key, const char *value) {
        if (!value_ok(w, key, value))
                return;
        if (!uw_supported(w, key))
                return;
        sb_append(w->b, key);
        sb_putc(w->b, '=');
        sb_append(w->b, value);
        sb_putc(w->b, '\n');
}

/* Specifier characters systemd 252 resolves in unit files (systemd.unit(5), "SPECIFIERS"). */
static bool is_specifier(char c) {
        return c && strchr("aAbBCdEfgGhHiIjJlLmMnNopPsStTuUvVwWyY%", c);
}

void uw_set_spec(UnitWriter *w, const char *key, const char *value) {
        if (!value_ok(w, key, value))
                return;
        if (!uw_supported(w, key))
                return;
        sb_append(w->b, key);
        sb_putc(w->b, '=');
        for (const char *p = value; *p; p++) {
                if (*p == '%' && is_specifier(p[1])) {
                        sb_appendn(w->b, p, 2);
                        p++;
                        continue;
                }
                if (*p == '%')
                        sb_putc(w->b, '%');
                sb_putc(w->b, *p);
        }
        sb_putc(w->b, '\n');
}

static void append_escaped(StrBuf *b, const char *v) {
        for (const char *p = v; *p; p++) {
                if (*p == '%')
                        sb_putc(b, '%');
                sb_putc(b, *p);
        }
}

void uw_set(UnitWriter *w, const char *key, const char *value) {
        if (!value_ok(w, key, value))
                return;
        if (!uw_supported(w, key))
                return;
        sb_append(w->b, key);
        sb_putc(w->b, '=');
        append_escaped(w->b, value);
        sb_putc(w->b, '\n');
}

void uw_setf(UnitWriter *w, const char *key, const char *fmt, ...) {
        StrBuf v = {};
        va_list ap;
        va_start(ap, fmt);
        sb_vprintf(&v, fmt, ap);
        va_end(ap);
        uw_set(w, key, v.s ? v.s : "");
        sb_free(&v);
}

void uw_set_list(UnitWriter *w, const char *key, const StrList *l) {
        if (l->n == 0)
                return;
        for (size_t i = 0; i < l->n; i++) {
                if (!value_ok(w, key, l->items[i]))
                        return;
                if (strchr(l->items[i], ' '))
                        return uw_fail(w, key, l->items[i], "contains a space, which separates the items of the list");
        }
        if (!uw_supported(w, key))
                return;
        sb_append(w->b, key);
        sb_putc(w->b, '=');
        for (size_t i = 0; i < l->n; i++) {
                if (i > 0)
                        sb_putc(w->b, ' ');
                append_escaped(w->b, l->items[i]);
        }
        sb_putc(w->b, '\n');
}

void uw_set_env(UnitWriter *w, const char *name, const char *value) {
        if (strpbrk(name, "\n\r=\"\\ "))
                return uw_fail(w, "Environment", name, "is not a variable name");
        if (strpbrk(value, "\n\r"))
                return uw_fail(w, "Environment", value, "contains a line break");
        sb_append(w->b, "Environment=\"");
        append_escaped(w->b, name);
        sb_putc(w->b, '=');
        for (const char *p = value; *p; p++) {
                if (*p == '"' || *p == '\\' || *p == '%')
                        sb_putc(w->b, *p == '%' ? '%' : '\\');
                sb_putc(w->b, *p);
        }
        sb_append(w->b, "\"\n");
}

void uw_set_duration(UnitWriter *w, const char *key, usec_t u) {
        char buf[64];
        if (u != USEC_UNSET)
                uw_set(w, key, format_duration(buf, sizeof(buf), u));
}

void uw_set_u64(UnitWriter *w, const char *key, uint64_t v) {
        if (v == UNSET_U64)
                return;
        if (v == UINT64_MAX)
                return uw_set(w, key, "infinity");
        uw_setf(w, key, "%llu", (unsigned long long) v);
}

void uw_set_size(UnitWriter *w, const char *key, uint64_t bytes) {
        char buf[64];
        if (bytes != UNSET_U64)
                uw_set(w, key, format_size(buf, sizeof(buf), bytes));
}

/* Directives taking a percentage do not expand specifiers: the '%' is written once. */
void uw_set_percent(UnitWriter *w, const char *key, uint64_t percent) {
        char buf[32];
        if (percent == UNSET_U64)
                return;
        snprintf(buf, sizeof(buf), "%llu%%", (unsigned long long) percent);
        uw_set_raw(w, key, buf);
}

void uw_set_bool(UnitWriter *w, const char *key, bool v) {
        uw_set_raw(w, key, v ? "yes" : "no");
}

/* systemd splits command lines at whitespace and unquotes "..." with C escapes; ';' alone separates commands. */
static bool arg_needs_quotes(const char *arg) {
        return arg[0] == 0 || strpbrk(arg, " \t\"'\\;") != NULL;
}

void uw_exec_append_arg(StrBuf *b, const char *arg) {
        bool quote = arg_needs_quotes(arg);
        if (b->len > 0)
                sb_putc(b, ' ');
        if (quote)
                sb_putc(b, '"');
        for (const char *p = arg; *p; p++) {
                if (*p == '%' || *p == '$')
                        sb_putc(b, *p);
                else if (quote && (*p == '"' || *p == '\\'))
                        sb_putc(b, '\\');
                sb_putc(b, *p);
        }
        if (quote)
                sb_putc(b, '"');
}

int uw_finish(const UnitWriter *w) {
        return w->error;
}

int uw_finish_artifact(UnitWriter *w, ArtifactSet *out, const char *path) {
        if (w->error < 0) {
                sb_free(w->b);
                return w->error;
        }
        artifact_set_take(out, path, 0644, "root", "root", w->b);
        return 0;
}

void uw_set_limits(UnitWriter *w, const Limits *l) {
        uw_set_size(w, "MemoryMax", l->memory_max);
        uw_set_size(w, "MemoryHigh", l->memory_high);
        uw_set_percent(w, "CPUQuota", l->cpu_quota);
        uw_set_u64(w, "CPUWeight", l->cpu_weight);
        uw_set_u64(w, "IOWeight", l->io_weight);
        uw_set_u64(w, "TasksMax", l->tasks_max);
}
