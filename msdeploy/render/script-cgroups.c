/* SPDX-License-Identifier: MIT */
/* Renders setup-<name>-cgroups.sh: the slices' cgroup v2 hierarchy and limits for hosts not using the slice units. */
#include <inttypes.h>
#include <stdio.h>

#include "render/scripts.h"
#include "render/shell.h"

/* Everything after the data: fixed text, no value of the spec in it. */
static const char cgroups_body[] =
        "usage() {\n"
        "        cat <<USAGE\n"
        "Usage: ${0##*/} [--dry-run] [--cgroup-root DIR]\n"
        "\n"
        "Creates the cgroup v2 hierarchy of ${PROJECT}'s slices and writes their limits, for hosts\n"
        "where the generated systemd slice units are not used (where they are, systemd applies the\n"
        "same limits itself and this script is not needed).\n"
        "\n"
        "  --dry-run          print what would be created and written; change nothing\n"
        "  --cgroup-root DIR  the cgroup2 mount point (default: /sys/fs/cgroup)\n"
        "\n"
        "Exit status: 0 all limits applied, 1 some limit could not be applied, 2 no usable cgroup v2\n"
        "hierarchy, 64 usage error.\n"
        "USAGE\n"
        "}\n"
        "\n"
        "dry_run=0\n"
        "cgroup_root=/sys/fs/cgroup\n"
        "while (($# > 0)); do\n"
        "        case $1 in\n"
        "        --dry-run) dry_run=1 ;;\n"
        "        --cgroup-root)\n"
        "                (($# > 1)) || { usage >&2; exit 64; }\n"
        "                cgroup_root=$2\n"
        "                shift\n"
        "                ;;\n"
        "        -h | --help) usage; exit 0 ;;\n"
        "        *) printf '%s: unknown argument %s\\n' \"${0##*/}\" \"$1\" >&2; usage >&2; exit 64 ;;\n"
        "        esac\n"
        "        shift\n"
        "done\n"
        "\n"
        "if ((dry_run == 0 && EUID != 0)); then\n"
        "        printf '%s: must run as root; use --dry-run to see what it would do\\n' \"${0##*/}\" >&2\n"
        "        exit 1\n"
        "fi\n"
        "\n"
        "paths=() files=() values=()\n"
        "limit() {\n"
        "        paths+=(\"$1\")\n"
        "        files+=(\"$2\")\n"
        "        values+=(\"$3\")\n"
        "}\n"
        "define_limits\n"
        "\n"
        "if [[ ! -f $cgroup_root/cgroup.controllers ]]; then\n"
        "        printf '%s: %s is not a cgroup v2 (unified) hierarchy: this host runs cgroup v1 or hybrid mode\\n' \\\n"
        "                \"${0##*/}\" \"$cgroup_root\" >&2\n"
        "        printf '%s: boot with systemd.unified_cgroup_hierarchy=1, or use the systemd slice units\\n' \"${0##*/}\" >&2\n"
        "        exit 2\n"
        "fi\n"
        "read -r -a available <\"$cgroup_root/cgroup.controllers\" || true\n"
        "\n"
        "has_controller() {\n"
        "        local c\n"
        "        for c in \"${available[@]}\"; do\n"
        "                [[ $c == \"$1\" ]] && return 0\n"
        "        done\n"
        "        return 1\n"
        "}\n"
        "\n"
        "missing=()\n"
        "for c in memory cpu io pids; do\n"
        "        has_controller \"$c\" || missing+=(\"$c\")\n"
        "done\n"
        "if ((${#missing[@]} > 0)); then\n"
        "        printf '%s: controllers not available in %s: %s; their limits are skipped\\n' \\\n"
        "                \"${0##*/}\" \"$cgroup_root\" \"${missing[*]}\" >&2\n"
        "fi\n"
        "\n"
        "status=0\n"
        "write_value() {\n"
        "        if ((dry_run)); then\n"
        "                printf 'would write %s to %s\\n' \"$1\" \"$2\"\n"
        "        elif ! printf '%s\\n' \"$1\" 2>/dev/null >\"$2\"; then\n"
        "                printf '%s: could not write %s to %s\\n' \"${0##*/}\" \"$1\" \"$2\" >&2\n"
        "                status=1\n"
        "        fi\n"
        "}\n"
        "\n"
        "# A cgroup's limits need its parent to delegate the controllers (cgroup.subtree_control).\n"
        "enable_controllers() {\n"
        "        local c\n"
        "        for c in memory cpu io pids; do\n"
        "                has_controller \"$c\" || continue\n"
        "                if [[ -f $1/cgroup.subtree_control ]] && grep -qw -- \"$c\" \"$1/cgroup.subtree_control\"; then\n"
        "                        continue\n"
        "                fi\n"
        "                write_value \"+$c\" \"$1/cgroup.subtree_control\"\n"
        "        done\n"
        "}\n"
        "\n"
        "created=()\n"
        "for i in \"${!paths[@]}\"; do\n"
        "        dir=$cgroup_root/${paths[i]}\n"
        "        if [[ \" ${created[*]} \" != *\" ${paths[i]} \"* ]]; then\n"
        "                enable_controllers \"${dir%/*}\"\n"
        "                if ((dry_run)); then\n"
        "                        [[ -d $dir ]] || printf 'would create %s\\n' \"$dir\"\n"
        "                elif ! mkdir -p -- \"$dir\"; then\n"
        "                        printf '%s: could not create %s\\n' \"${0##*/}\" \"$dir\" >&2\n"
        "                        exit 1\n"
        "                fi\n"
        "                created+=(\"${paths[i]}\")\n"
        "        fi\n"
        "        controller=${files[i]%%.*}\n"
        "        if ! has_controller \"$controller\"; then\n"
        "                printf 'skipped %s of %s: controller %s not available\\n' \"${files[i]}\" \"${paths[i]}\" \"$controller\"\n"
        "                continue\n"
        "        fi\n"
        "        write_value \"${values[i]}\" \"$dir/${files[i]}\"\n"
        "done\n"
        "exit \"$status\"\n";

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
        (void) d;
        if (m->n_slices == 0)
                return 0;
        StrBuf b = {};
        script_begin(&b, m);
        sb_append(&b, "\n# The limits of each slice, parents first: cgroup path, file, value.\n"
                      "define_limits() {\n");
        for (size_t i = 0; i < m->n_slices; i++)
                slice_limits(&b, &m->slices[i]);
        sb_append(&b, "        :\n}\n\n");
        sb_append(&b, cgroups_body);

        StrBuf file = {};
        sb_printf(&file, "setup-%s-cgroups.sh", m->name);
        script_add(m, out, file.s, &b);
        sb_free(&file);
        return 0;
}
