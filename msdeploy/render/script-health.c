/* SPDX-License-Identifier: MIT */
/* Renders system-health-check.sh from templates/system-health-check.sh: the spec's checks as its "checks" block. */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "render/scripts.h"
#include "render/shell.h"
#include "render/unitnames.h"
#include "util/xalloc.h"

#define HEALTH_SCRIPT_FILE "system-health-check.sh"
#define DEFAULT_TIMEOUT_USEC (5 * USEC_PER_SEC)

/* Seconds as timeout(1) and curl --max-time read them: "2", "0.5". */
static const char *timeout_seconds(char *buf, size_t size, usec_t u) {
        if (u == 0 || u == USEC_UNSET || u == USEC_INFINITY)
                u = DEFAULT_TIMEOUT_USEC;
        if (u % USEC_PER_SEC == 0)
                snprintf(buf, size, "%" PRIu64, u / USEC_PER_SEC);
        else {
                snprintf(buf, size, "%" PRIu64 ".%06" PRIu64, u / USEC_PER_SEC, u % USEC_PER_SEC);
                for (size_t n = strlen(buf); buf[n - 1] == '0'; n--)
                        buf[n - 1] = 0;
        }
        return buf;
}

static void check_line(StrBuf *b, const Model *m, const HealthCheck *c, const Service *owner) {
        StrBuf name = {};
        char t[32];
        if (owner)
                sb_printf(&name, "%s/%s", owner->key, c->name);
        else
                sb_append(&name, c->name);
        const char *crit = c->critical ? "critical" : "non-critical";
        timeout_seconds(t, sizeof(t), c->timeout);
        switch (c->kind) {
        case HEALTH_TCP:
                shell_line(b, "        ", "check", "tcp", name.s, crit, c->target, t, NULL);
                break;
        case HEALTH_HTTP:
                shell_line(b, "        ", "check", "http", name.s, crit, c->target, t, NULL);
                break;
        case HEALTH_DATABASE:
                shell_line(b, "        ", "check", "database", name.s, crit, c->target, t, c->database ? c->database : "tcp", NULL);
                break;
        case HEALTH_PROCESS:
                shell_line(b, "        ", "check", "process", name.s, crit, c->target, NULL);
                break;
        case HEALTH_SCRIPT: {
                /* A check that runs this very script would recurse. */
                StrBuf self = {};
                sb_printf(&self, "%s/" HEALTH_SCRIPT_FILE, m->libexec_dir);
                if (strcmp(self.s, c->target) != 0)
                        shell_line(b, "        ", "check", "script", name.s, crit, c->target, t, NULL);
                sb_free(&self);
                break;
        }
        default:
                break;
        }
        sb_free(&name);
}

int render_script_health(const Model *m, ArtifactSet *out, Diags *d) {
        StrBuf settings = {}, checks = {};
        shell_assign(&settings, "PROJECT", m->name);
        for (size_t i = 0; i < m->n_services; i++)
                for (size_t j = 0; j < service_unit_count(&m->services[i]); j++) {
                        _cleanup_free_ char *unit = service_unit_name(&m->services[i], j);
                        shell_line(&checks, "        ", "check", "unit", unit, NULL);
                }
        for (size_t i = 0; i < m->n_services; i++)
                for (size_t j = 0; j < m->services[i].n_checks; j++)
                        check_line(&checks, m, &m->services[i].checks[j], &m->services[i]);
        for (size_t i = 0; i < m->n_checks; i++)
                check_line(&checks, m, &m->checks[i], NULL);
        for (size_t i = 0; i < m->n_directories; i++)
                if (!m->directories[i].volatile_) /* tmpfs under /run: not disk space */
                        shell_line(&checks, "        ", "check", "disk", m->directories[i].path, NULL);
        const TemplateFill fills[] = { { "settings", settings.s }, { "checks", checks.s } };
        int r = script_render(m, HEALTH_SCRIPT_FILE, fills, ELEMENTSOF(fills), HEALTH_SCRIPT_FILE, out, d);
        sb_free(&settings);
        sb_free(&checks);
        return r;
}
