/* SPDX-License-Identifier: MIT */
/* Renders system-health-check.sh: one-shot checks of units, health checks and disk space. */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "render/scripts.h"
#include "render/shell.h"
#include "render/unitnames.h"
#include "util/xalloc.h"

#define HEALTH_SCRIPT_FILE "system-health-check.sh"
#define DEFAULT_TIMEOUT_USEC (5 * USEC_PER_SEC)

/* Everything after the data: fixed text, no value of the spec in it. */
static const char health_body[] =
        "usage() {\n"
        "        cat <<USAGE\n"
        "Usage: ${0##*/} [--json]\n"
        "\n"
        "Checks ${PROJECT}: every service unit is active, every tcp, http, database and process\n"
        "check passes, and the state directories have free space. One line per check, then the\n"
        "overall status.\n"
        "\n"
        "  --json   print one JSON object instead: {\"status\": ..., \"checks\": [...]}\n"
        "\n"
        "Exit status: 0 healthy, 1 degraded (a non-critical check failed), 2 unhealthy (a critical\n"
        "check failed), 64 usage error.\n"
        "USAGE\n"
        "}\n"
        "\n"
        "json=0\n"
        "while (($# > 0)); do\n"
        "        case $1 in\n"
        "        --json) json=1 ;;\n"
        "        -h | --help) usage; exit 0 ;;\n"
        "        *) printf '%s: unknown argument %s\\n' \"${0##*/}\" \"$1\" >&2; usage >&2; exit 64 ;;\n"
        "        esac\n"
        "        shift\n"
        "done\n"
        "\n"
        "DISK_DEGRADED_PERCENT=85\n"
        "DISK_UNHEALTHY_PERCENT=95\n"
        "\n"
        "worst=0\n"
        "results=()\n"
        "\n"
        "json_string() {\n"
        "        local s=$1\n"
        "        s=${s//\\\\/\\\\\\\\}\n"
        "        s=${s//\\\"/\\\\\\\"}\n"
        "        s=${s//$'\\t'/\\\\t}\n"
        "        s=${s//$'\\n'/\\\\n}\n"
        "        s=${s//$'\\r'/\\\\r}\n"
        "        printf '\"%s\"' \"$s\"\n"
        "}\n"
        "\n"
        "# report NAME KIND STATUS CRITICAL DETAIL; STATUS is ok, fail or skip.\n"
        "report() {\n"
        "        local level=0\n"
        "        if [[ $3 == fail ]]; then\n"
        "                if [[ $4 == critical ]]; then level=2; else level=1; fi\n"
        "        fi\n"
        "        ((level > worst)) && worst=$level\n"
        "        if ((json)); then\n"
        "                results+=(\"{\\\"name\\\":$(json_string \"$1\"),\\\"kind\\\":$(json_string \"$2\"),\\\"status\\\":$(json_string \"$3\"),\\\"critical\\\":$([[ $4 == critical ]] && echo true || echo false),\\\"detail\\\":$(json_string \"$5\")}\")\n"
        "        else\n"
        "                printf '%-4s %-8s %-40s %s\\n' \"$3\" \"$2\" \"$1\" \"$5\"\n"
        "        fi\n"
        "}\n"
        "\n"
        "systemd_running=0\n"
        "[[ -d /run/systemd/system ]] && command -v systemctl >/dev/null && systemd_running=1\n"
        "\n"
        "check_unit() {\n"
        "        if ((systemd_running == 0)); then\n"
        "                report \"$1\" unit skip critical \"systemd is not running here; cannot ask for the unit state\"\n"
        "                return\n"
        "        fi\n"
        "        local state\n"
        "        state=$(systemctl is-active -- \"$1\" 2>/dev/null) || true\n"
        "        if [[ $state == active ]]; then\n"
        "                report \"$1\" unit ok critical \"active\"\n"
        "        else\n"
        "                report \"$1\" unit fail critical \"${state:-unknown}\"\n"
        "        fi\n"
        "}\n"
        "\n"
        "# tcp_open HOST PORT TIMEOUT: whether a TCP connection is accepted within TIMEOUT seconds.\n"
        "tcp_open() {\n"
        "        # shellcheck disable=SC2016 # the inner bash expands its own positional parameters\n"
        "        timeout \"$3\" bash -c 'exec 3<>\"/dev/tcp/$1/$2\"' tcp_open \"$1\" \"$2\" 2>/dev/null\n"
        "}\n"
        "\n"
        "split_host_port() {\n"
        "        host=${1%:*}\n"
        "        port=${1##*:}\n"
        "        host=${host#[}\n"
        "        host=${host%]}\n"
        "}\n"
        "\n"
        "check_tcp() { # NAME CRITICAL TARGET TIMEOUT\n"
        "        local host port\n"
        "        split_host_port \"$3\"\n"
        "        if tcp_open \"$host\" \"$port\" \"$4\"; then\n"
        "                report \"$1\" tcp ok \"$2\" \"$3 accepts connections\"\n"
        "        else\n"
        "                report \"$1\" tcp fail \"$2\" \"$3 refuses connections or timed out after $4s\"\n"
        "        fi\n"
        "}\n"
        "\n"
        "check_http() { # NAME CRITICAL URL TIMEOUT\n"
        "        local code\n"
        "        if command -v curl >/dev/null; then\n"
        "                code=$(curl -sS -o /dev/null -w '%{http_code}' --max-time \"$4\" -- \"$3\" 2>/dev/null) || true\n"
        "        elif [[ $3 =~ ^http://([^/:]+)(:([0-9]+))?(/.*)?$ ]]; then\n"
        "                local host=${BASH_REMATCH[1]} port=${BASH_REMATCH[3]:-80} path=${BASH_REMATCH[4]:-/}\n"
        "                # shellcheck disable=SC2016 # the inner bash expands its own positional parameters\n"
        "                code=$(timeout \"$4\" bash -c '\n"
        "                        exec 3<>\"/dev/tcp/$1/$2\" || exit 1\n"
        "                        printf \"GET %s HTTP/1.0\\r\\nHost: %s\\r\\nConnection: close\\r\\n\\r\\n\" \"$3\" \"$1\" >&3\n"
        "                        read -r _ status _ <&3\n"
        "                        printf \"%s\" \"$status\"' http_get \"$host\" \"$port\" \"$path\" 2>/dev/null) || true\n"
        "        else\n"
        "                report \"$1\" http skip \"$2\" \"curl is not installed and $3 is not plain http\"\n"
        "                return\n"
        "        fi\n"
        "        [[ $code == 000 ]] && code=\n"
        "        if [[ $code == 2?? ]]; then\n"
        "                report \"$1\" http ok \"$2\" \"$3 answered $code\"\n"
        "        else\n"
        "                report \"$1\" http fail \"$2\" \"$3 answered ${code:-nothing}\"\n"
        "        fi\n"
        "}\n"
        "\n"
        "check_database() { # NAME CRITICAL TARGET TIMEOUT DATABASE\n"
        "        local host port\n"
        "        split_host_port \"$3\"\n"
        "        if [[ $5 == postgresql ]] && command -v pg_isready >/dev/null; then\n"
        "                if pg_isready -q -h \"$host\" -p \"$port\" -t \"${4%.*}\"; then\n"
        "                        report \"$1\" database ok \"$2\" \"postgresql at $3 accepts connections\"\n"
        "                else\n"
        "                        report \"$1\" database fail \"$2\" \"postgresql at $3 is not ready\"\n"
        "                fi\n"
        "                return\n"
        "        fi\n"
        "        if tcp_open \"$host\" \"$port\" \"$4\"; then\n"
        "                report \"$1\" database ok \"$2\" \"$3 accepts connections\"\n"
        "        else\n"
        "                report \"$1\" database fail \"$2\" \"$3 refuses connections or timed out after $4s\"\n"
        "        fi\n"
        "}\n"
        "\n"
        "check_process() { # NAME CRITICAL PROCESS\n"
        "        local how=-x\n"
        "        ((${#3} > 15)) && how=-f # the kernel's process name is cut at 15 characters\n"
        "        if pgrep \"$how\" -- \"$3\" >/dev/null; then\n"
        "                report \"$1\" process ok \"$2\" \"$3 is running\"\n"
        "        else\n"
        "                report \"$1\" process fail \"$2\" \"no process $3\"\n"
        "        fi\n"
        "}\n"
        "\n"
        "check_script() { # NAME CRITICAL PATH TIMEOUT\n"
        "        if timeout \"$4\" \"$3\" >/dev/null 2>&1; then\n"
        "                report \"$1\" script ok \"$2\" \"$3 succeeded\"\n"
        "        else\n"
        "                report \"$1\" script fail \"$2\" \"$3 failed\"\n"
        "        fi\n"
        "}\n"
        "\n"
        "check_disk() { # DIRECTORY\n"
        "        if [[ ! -d $1 ]]; then\n"
        "                report \"$1\" disk fail critical \"missing\"\n"
        "                return\n"
        "        fi\n"
        "        local used\n"
        "        used=$(df -P -- \"$1\" | awk 'NR == 2 { sub(/%/, \"\", $5); print $5 }')\n"
        "        if ((used >= DISK_UNHEALTHY_PERCENT)); then\n"
        "                report \"$1\" disk fail critical \"${used}% used\"\n"
        "        elif ((used >= DISK_DEGRADED_PERCENT)); then\n"
        "                report \"$1\" disk fail non-critical \"${used}% used\"\n"
        "        else\n"
        "                report \"$1\" disk ok critical \"${used}% used\"\n"
        "        fi\n"
        "}\n"
        "\n"
        "# check KIND ARGS...: runs check_KIND.\n"
        "check() {\n"
        "        local kind=$1\n"
        "        shift\n"
        "        case $kind in\n"
        "        unit) check_unit \"$@\" ;;\n"
        "        tcp) check_tcp \"$@\" ;;\n"
        "        http) check_http \"$@\" ;;\n"
        "        database) check_database \"$@\" ;;\n"
        "        process) check_process \"$@\" ;;\n"
        "        script) check_script \"$@\" ;;\n"
        "        disk) check_disk \"$@\" ;;\n"
        "        *) report \"$1\" \"$kind\" skip non-critical \"unknown kind of check\" ;;\n"
        "        esac\n"
        "}\n"
        "\n"
        "run_checks\n"
        "\n"
        "statuses=(healthy degraded unhealthy)\n"
        "if ((json)); then\n"
        "        printf '{\"status\":\"%s\",\"checks\":[' \"${statuses[worst]}\"\n"
        "        (IFS=,; printf '%s' \"${results[*]}\")\n"
        "        printf ']}\\n'\n"
        "else\n"
        "        printf 'status: %s\\n' \"${statuses[worst]}\"\n"
        "fi\n"
        "exit \"$worst\"\n";

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
        (void) d;
        StrBuf b = {};
        script_begin(&b, m);
        sb_append(&b, "\n# The checks in spec order: units, each service's checks, system checks, state directories.\n"
                      "run_checks() {\n");
        for (size_t i = 0; i < m->n_services; i++)
                for (size_t j = 0; j < service_unit_count(&m->services[i]); j++) {
                        _cleanup_free_ char *unit = service_unit_name(&m->services[i], j);
                        shell_line(&b, "        ", "check", "unit", unit, NULL);
                }
        for (size_t i = 0; i < m->n_services; i++)
                for (size_t j = 0; j < m->services[i].n_checks; j++)
                        check_line(&b, m, &m->services[i].checks[j], &m->services[i]);
        for (size_t i = 0; i < m->n_checks; i++)
                check_line(&b, m, &m->checks[i], NULL);
        for (size_t i = 0; i < m->n_directories; i++)
                if (!m->directories[i].volatile_) /* tmpfs under /run: not disk space */
                        shell_line(&b, "        ", "check", "disk", m->directories[i].path, NULL);
        sb_append(&b, "        :\n}\n\n");
        sb_append(&b, health_body);
        script_add(m, out, HEALTH_SCRIPT_FILE, &b);
        return 0;
}
