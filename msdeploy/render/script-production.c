/* SPDX-License-Identifier: MIT */
/* Renders setup-<name>-production.sh: the stand-alone installer of a generated artifact tree. */
#include <stdio.h>
#include <string.h>

#include "render/envfile.h"
#include "render/scripts.h"
#include "render/shell.h"
#include "render/unitnames.h"
#include "util/xalloc.h"

/* Everything after the data: fixed text, no value of the spec in it. */
static const char production_body[] =
        "usage() {\n"
        "        cat <<USAGE\n"
        "Usage: ${0##*/} [--dry-run] [--root DIR] [ARTIFACT_DIR]\n"
        "\n"
        "Installs ${PROJECT} from a directory of generated artifacts (default: the tree this script\n"
        "was generated into): creates users and groups (systemd-sysusers), copies every artifact\n"
        "into place with its mode and owner, creates directories (systemd-tmpfiles --create),\n"
        "reloads systemd, enables ${TARGET} and the template instances, and starts ${TARGET}.\n"
        "\n"
        "  --dry-run   print every step; change nothing\n"
        "  --root DIR  install into the file system tree at DIR: never talks to the running systemd\n"
        "              (units are enabled offline with systemctl --root, nothing is started)\n"
        "\n"
        "Exit status: 0 installed, 1 a step failed, 64 usage error.\n"
        "USAGE\n"
        "}\n"
        "\n"
        "die() {\n"
        "        printf '%s: %s\\n' \"${0##*/}\" \"$1\" >&2\n"
        "        exit \"${2:-1}\"\n"
        "}\n"
        "\n"
        "dry_run=0\n"
        "root=/\n"
        "artifacts=\n"
        "while (($# > 0)); do\n"
        "        case $1 in\n"
        "        --dry-run) dry_run=1 ;;\n"
        "        --root)\n"
        "                (($# > 1)) || die \"--root needs a directory\" 64\n"
        "                root=$2\n"
        "                shift\n"
        "                ;;\n"
        "        -h | --help) usage; exit 0 ;;\n"
        "        -*) usage >&2; die \"unknown option $1\" 64 ;;\n"
        "        *)\n"
        "                [[ -z $artifacts ]] || die \"more than one artifact directory given\" 64\n"
        "                artifacts=$1\n"
        "                ;;\n"
        "        esac\n"
        "        shift\n"
        "done\n"
        "\n"
        "if [[ -z $artifacts ]]; then\n"
        "        self=$(readlink -f -- \"${BASH_SOURCE[0]}\")\n"
        "        self_dir=${self%/*}\n"
        "        [[ $self_dir == */\"$LIBEXEC_DIR\" ]] || die \"cannot tell where the artifacts are; give ARTIFACT_DIR\" 64\n"
        "        artifacts=${self_dir%/\"$LIBEXEC_DIR\"}\n"
        "        [[ -n $artifacts ]] || die \"this is the installed copy; give the ARTIFACT_DIR to install from\" 64\n"
        "fi\n"
        "[[ -f $artifacts/$UNIT_DIR/$TARGET ]] || die \"$artifacts holds no $UNIT_DIR/$TARGET: not generated artifacts of $PROJECT\"\n"
        "[[ -d $root ]] || die \"--root $root is not a directory\"\n"
        "root=$(readlink -f -- \"$root\")\n"
        "if ((dry_run == 0 && EUID != 0)); then\n"
        "        die \"must run as root; use --dry-run to see what it would do\"\n"
        "fi\n"
        "root_args=()\n"
        "[[ $root == / ]] || root_args=(\"--root=$root\")\n"
        "\n"
        "run() {\n"
        "        if ((dry_run)); then\n"
        "                printf 'would run:'\n"
        "                printf ' %q' \"$@\"\n"
        "                printf '\\n'\n"
        "        else\n"
        "                \"$@\" || die \"failed: $*\"\n"
        "        fi\n"
        "}\n"
        "\n"
        "# The numeric id of a user or group in the target tree's passwd/group, else the name itself.\n"
        "lookup_id() {\n"
        "        local id\n"
        "        id=$(awk -F: -v n=\"$2\" '$1 == n { print $3; exit }' \"$root/etc/$1\" 2>/dev/null) || true\n"
        "        printf '%s\\n' \"${id:-$2}\"\n"
        "}\n"
        "\n"

        "for tool in systemd-sysusers systemd-tmpfiles systemctl install awk; do\n"
        "        command -v \"$tool\" >/dev/null || die \"$tool is needed and not installed\"\n"
        "done\n"
        "\n"
        "printf '== users and groups\\n'\n"
        "if [[ -n $SYSUSERS ]]; then\n"
        "        run systemd-sysusers \"${root_args[@]}\" \"$artifacts/$SYSUSERS\"\n"
        "fi\n"
        "\n"
        "printf '== files\\n'\n"
        "# Top-level dot files (.msdeploy-generated) describe the tree; they are not installed.\n"
        "while IFS= read -r -d '' rel; do\n"
        "        mode=$(stat -c %a -- \"$artifacts/$rel\")\n"
        "        owner=root group=root\n"
        "        for ((i = 0; i + 3 < ${#OWNED_FILES[@]}; i += 4)); do\n"
        "                if [[ ${OWNED_FILES[i]} == \"$rel\" ]]; then\n"
        "                        owner=${OWNED_FILES[i + 1]} group=${OWNED_FILES[i + 2]} mode=${OWNED_FILES[i + 3]}\n"
        "                fi\n"
        "        done\n"
        "        run install -D -m \"$mode\" -o \"$(lookup_id passwd \"$owner\")\" -g \"$(lookup_id group \"$group\")\" \\\n"
        "                -- \"$artifacts/$rel\" \"${root%/}/$rel\"\n"
        "done < <(cd \"$artifacts\" && find . -type f ! -path './.*' -printf '%P\\0' | sort -z)\n"
        "\n"
        "printf '== directories\\n'\n"
        "if [[ -n $TMPFILES ]]; then\n"
        "        run systemd-tmpfiles \"${root_args[@]}\" --create -- \"${root%/}/$TMPFILES\"\n"
        "fi\n"
        "\n"
        "printf '== units\\n'\n"
        "if [[ $root == / ]]; then\n"
        "        run systemctl daemon-reload\n"
        "        run systemctl enable -- \"$TARGET\" \"${INSTANCES[@]}\"\n"
        "        run systemctl start -- \"$TARGET\"\n"
        "else\n"
        "        run systemctl \"${root_args[@]}\" enable -- \"$TARGET\" \"${INSTANCES[@]}\"\n"
        "fi\n"
        "printf '%s installed%s\\n' \"$PROJECT\" \"$( ((dry_run)) && printf ' (dry run: nothing changed)')\"\n";

int render_script_production(const Model *m, ArtifactSet *out, Diags *d) {
        (void) d;
        StrBuf b = {}, s = {};
        script_begin(&b, m);
        sb_printf(&s, "%s.target", m->name);
        shell_assign(&b, "TARGET", s.s);
        shell_assign(&b, "UNIT_DIR", "etc/systemd/system");
        shell_assign(&b, "LIBEXEC_DIR", m->libexec_dir + strspn(m->libexec_dir, "/"));
        s.len = 0;
        if (m->n_users > 0 || m->n_groups > 0)
                sb_printf(&s, "etc/sysusers.d/%s.conf", m->name);
        shell_assign(&b, "SYSUSERS", s.s ? s.s : "");
        s.len = 0;
        sb_printf(&s, "etc/tmpfiles.d/%s.conf", m->name);
        shell_assign(&b, "TMPFILES", s.s);
        sb_free(&s);

        sb_append(&b, "INSTANCES=(");
        bool first = true;
        for (size_t i = 0; i < m->n_services; i++)
                for (size_t j = 0; m->services[i].templated && j < m->services[i].instances.n; j++, first = false) {
                        _cleanup_free_ char *unit = service_unit_name(&m->services[i], j);
                        sb_append(&b, first ? "" : " ");
                        shell_quote(&b, unit);
                }
        sb_append(&b, ")\n\n# Artifacts not owned by root:root, with their mode: path, owner, group, mode; path, ...\n"
                      "OWNED_FILES=(\n");
        for (size_t i = 0; i < m->n_env_files; i++) {
                const EnvFile *e = &m->env_files[i];
                StrBuf path = {};
                char mode[8];
                env_file_path(&path, m, e);
                snprintf(mode, sizeof(mode), "%04o", (unsigned) env_file_mode(e));
                shell_line(&b, "        ", path.s, e->owner ? e->owner : "root", e->group ? e->group : "root", mode, NULL);
                sb_free(&path);
        }
        sb_append(&b, ")\n\n");
        sb_append(&b, production_body);

        StrBuf file = {};
        sb_printf(&file, "setup-%s-production.sh", m->name);
        script_add(m, out, file.s, &b);
        sb_free(&file);
        return 0;
}
