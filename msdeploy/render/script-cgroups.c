/* SPDX-License-Identifier: MIT */
/* Renders setup-<name>-cgroups.sh from templates/setup-cgroups.sh: the slices' limits as its "limits" block. */
#include <inttypes.h>
#include <stdio.h>

#include "render/scripts.h"
#include "render/shell.h"
#include "util/xalloc.h"

/* "mister-smith.slice/mister-smith-workers.slice": systemd nests a slice's cgroup in its parent's. */
static void slice_cgroup_path(StrBuf *b, const Slice *s) {
        if (s->parent) {
                slice_cgroup_path(b, s->parent);
                sb_putc(b, '/');
        }
        sb_printf(b, "%s.slice", s->name);
}

static void limit_line(StrBuf *b, const char *path, const char *file, const char *value) {
        shell_line(b, "        ", "limit", path, file, value, NULL);
}

/* A byte or count limit as cgroup v2 writes it: the number, or "max" for infinity. */
static void limit_number(StrBuf *b, const char *path, const char *file, uint64_t v) {
        char buf[32];
        if (v == UNSET_U64)
                return;
        if (v == UINT64_MAX)
                snprintf(buf, sizeof(buf), "max");
        else
                snprintf(buf, sizeof(buf), "%" PRIu64, v);
        limit_line(b, path, file, buf);
}

#define CPU_PERIOD_USEC 100000

static void slice_limits(StrBuf *b, const Slice *s) {
        StrBuf path = {};
        slice_cgroup_path(&path, s);
        const Limits *l = &s->limits;
        char buf[64];
        limit_number(b, path.s, "memory.max", l->memory_max);
        limit_number(b, path.s, "memory.high", l->memory_high);
        if (l->cpu_quota != UNSET_U64) {
                /* CPUQuota= percent of one CPU -> microseconds per period: 100% = the whole period */
                if (l->cpu_quota == UINT64_MAX)
                        snprintf(buf, sizeof(buf), "max %d", CPU_PERIOD_USEC);
                else
                        snprintf(buf, sizeof(buf), "%" PRIu64 " %d", l->cpu_quota * (CPU_PERIOD_USEC / 100), CPU_PERIOD_USEC);
                limit_line(b, path.s, "cpu.max", buf);
        }
        limit_number(b, path.s, "cpu.weight", l->cpu_weight);
        if (l->io_weight != UNSET_U64) {
                snprintf(buf, sizeof(buf), "default %" PRIu64, l->io_weight);
                limit_line(b, path.s, "io.weight", buf);
        }
        limit_number(b, path.s, "pids.max", l->tasks_max);
        sb_free(&path);
}

int render_script_cgroups(const Model *m, ArtifactSet *out, Diags *d) {
        if (m->n_slices == 0)
                return 0;
        StrBuf settings = {}, limits = {}, file = {};
        shell_assign(&settings, "PROJECT", m->name);
        for (size_t i = 0; i < m->n_slices; i++)
                slice_limits(&limits, &m->slices[i]);
        sb_printf(&file, "setup-%s-cgroups.sh", m->name);
        const TemplateFill fills[] = { { "settings", settings.s }, { "limits", limits.s } };
        int r = script_render(m, "setup-cgroups.sh", fills, ELEMENTSOF(fills), file.s, out, d);
        sb_free(&settings);
        sb_free(&limits);
        sb_free(&file);
        return r;
}
