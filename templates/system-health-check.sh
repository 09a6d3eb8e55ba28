#!/bin/bash
# msdeploy:data-begin header
# SPDX-License-Identifier: MIT
# system-health-check.sh: one-shot checks of a project's units, health checks and state directories.
# A template (templates/README.md): msdeploy replaces each data block with values from the spec.
# msdeploy:data-end header
# shellcheck disable=SC2317 # with nothing to check (no service, no check, no directory) check() is never called
set -euo pipefail

# msdeploy:data-begin settings
PROJECT=mister-smith
# msdeploy:data-end settings

# The checks in spec order: units, each service's checks, system checks, state directories.
run_checks() {
        # msdeploy:data-begin checks
        check unit mister-smith-messaging.service
        check unit mister-smith-orchestrator.service
        check unit mister-smith-worker@1.service
        check unit mister-smith-worker@2.service
        check unit mister-smith-worker@3.service
        check unit mister-smith-worker@4.service
        check unit mister-smith-health-check.service
        check tcp messaging/nats-client critical 127.0.0.1:4222 2
        check http messaging/nats-monitor critical http://127.0.0.1:8222/healthz 2
        check http orchestrator/orchestrator-api critical http://127.0.0.1:9090/health 2
        check process worker/worker-process non-critical msd-demo-agent
        check database state-db non-critical 127.0.0.1:4222 2 tcp
        check disk /var/lib/mister-smith
        check disk /var/log/mister-smith
        check disk /var/lib/mister-smith/nats
        # msdeploy:data-end checks
        :
}

# Every command this script needs, with the Debian package that provides it: all there before it does anything.
# curl, pg_isready and systemctl are used where they are installed.
for need in awk:mawk bash:bash cat:coreutils df:coreutils pgrep:procps timeout:coreutils; do
        if ! command -v "${need%%:*}" >/dev/null; then
                printf "%s: needs '%s' (Debian package %s)\n" "${0##*/}" "${need%%:*}" "${need#*:}" >&2
                exit 69
        fi
done

usage() {
        cat <<USAGE
Usage: ${0##*/} [--json]

Checks ${PROJECT}: every service unit is active, every tcp, http, database and process
check passes, and the state directories have free space. One line per check, then the
overall status.

  --json   print one JSON object instead: {"status": ..., "checks": [...]}

Exit status: 0 healthy, 1 degraded (a non-critical check failed), 2 unhealthy (a critical
check failed), 64 usage error, 69 a command it needs is not installed.
USAGE
}

json=0
while (($# > 0)); do
        case $1 in
        --json) json=1 ;;
        -h | --help) usage; exit 0 ;;
        *) printf '%s: unknown argument %s\n' "${0##*/}" "$1" >&2; usage >&2; exit 64 ;;
        esac
        shift
done

DISK_DEGRADED_PERCENT=85
DISK_UNHEALTHY_PERCENT=95

worst=0
results=()

json_string() {
        local s=$1
        s=${s//\\/\\\\}
        s=${s//\"/\\\"}
        s=${s//$'\t'/\\t}
        s=${s//$'\n'/\\n}
        s=${s//$'\r'/\\r}
        printf '"%s"' "$s"
}

# report NAME KIND STATUS CRITICAL DETAIL; STATUS is ok, fail or skip.
report() {
        local level=0
        if [[ $3 == fail ]]; then
                if [[ $4 == critical ]]; then level=2; else level=1; fi
        fi
        ((level > worst)) && worst=$level
        if ((json)); then
                results+=("{\"name\":$(json_string "$1"),\"kind\":$(json_string "$2"),\"status\":$(json_string "$3"),\"critical\":$([[ $4 == critical ]] && echo true || echo false),\"detail\":$(json_string "$5")}")
        else
                printf '%-4s %-8s %-40s %s\n' "$3" "$2" "$1" "$5"
        fi
}

systemd_running=0
[[ -d /run/systemd/system ]] && command -v systemctl >/dev/null && systemd_running=1

check_unit() {
        if ((systemd_running == 0)); then
                report "$1" unit skip critical "systemd is not running here; cannot ask for the unit state"
                return
        fi
        local state
        state=$(systemctl is-active -- "$1" 2>/dev/null) || true
        if [[ $state == active ]]; then
                report "$1" unit ok critical "active"
        else
                report "$1" unit fail critical "${state:-unknown}"
        fi
}

# tcp_open HOST PORT TIMEOUT: whether a TCP connection is accepted within TIMEOUT seconds.
tcp_open() {
        # shellcheck disable=SC2016 # the inner bash expands its own positional parameters
        timeout "$3" bash -c 'exec 3<>"/dev/tcp/$1/$2"' tcp_open "$1" "$2" 2>/dev/null
}

split_host_port() {
        host=${1%:*}
        port=${1##*:}
        host=${host#[}
        host=${host%]}
}

check_tcp() { # NAME CRITICAL TARGET TIMEOUT
        local host port
        split_host_port "$3"
        if tcp_open "$host" "$port" "$4"; then
                report "$1" tcp ok "$2" "$3 accepts connections"
        else
                report "$1" tcp fail "$2" "$3 refuses connections or timed out after $4s"
        fi
}

check_http() { # NAME CRITICAL URL TIMEOUT
        local code
        if command -v curl >/dev/null; then
                code=$(curl -sS -o /dev/null -w '%{http_code}' --max-time "$4" -- "$3" 2>/dev/null) || true
        elif [[ $3 =~ ^http://([^/:]+)(:([0-9]+))?(/.*)?$ ]]; then
                local host=${BASH_REMATCH[1]} port=${BASH_REMATCH[3]:-80} path=${BASH_REMATCH[4]:-/}
                # shellcheck disable=SC2016 # the inner bash expands its own positional parameters
                code=$(timeout "$4" bash -c '
                        exec 3<>"/dev/tcp/$1/$2" || exit 1
                        printf "GET %s HTTP/1.0\r\nHost: %s\r\nConnection: close\r\n\r\n" "$3" "$1" >&3
                        read -r _ status _ <&3
                        printf "%s" "$status"' http_get "$host" "$port" "$path" 2>/dev/null) || true
        else
                report "$1" http skip "$2" "curl is not installed and $3 is not plain http"
                return
        fi
        [[ $code == 000 ]] && code=
        if [[ $code == 2?? ]]; then
                report "$1" http ok "$2" "$3 answered $code"
        else
                report "$1" http fail "$2" "$3 answered ${code:-nothing}"
        fi
}

check_database() { # NAME CRITICAL TARGET TIMEOUT DATABASE
        local host port
        split_host_port "$3"
        if [[ $5 == postgresql ]] && command -v pg_isready >/dev/null; then
                if pg_isready -q -h "$host" -p "$port" -t "${4%.*}"; then
                        report "$1" database ok "$2" "postgresql at $3 accepts connections"
                else
                        report "$1" database fail "$2" "postgresql at $3 is not ready"
                fi
                return
        fi
        if tcp_open "$host" "$port" "$4"; then
                report "$1" database ok "$2" "$3 accepts connections"
        else
                report "$1" database fail "$2" "$3 refuses connections or timed out after $4s"
        fi
}

check_process() { # NAME CRITICAL PROCESS
        local how=-x
        ((${#3} > 15)) && how=-f # the kernel's process name is cut at 15 characters
        if pgrep "$how" -- "$3" >/dev/null; then
                report "$1" process ok "$2" "$3 is running"
        else
                report "$1" process fail "$2" "no process $3"
        fi
}

check_script() { # NAME CRITICAL PATH TIMEOUT
        if timeout "$4" "$3" >/dev/null 2>&1; then
                report "$1" script ok "$2" "$3 succeeded"
        else
                report "$1" script fail "$2" "$3 failed"
        fi
}

check_disk() { # DIRECTORY
        if [[ ! -d $1 ]]; then
                report "$1" disk fail critical "missing"
                return
        fi
        local used
        used=$(df -P -- "$1" | awk 'NR == 2 { sub(/%/, "", $5); print $5 }')
        if ((used >= DISK_UNHEALTHY_PERCENT)); then
                report "$1" disk fail critical "${used}% used"
        elif ((used >= DISK_DEGRADED_PERCENT)); then
                report "$1" disk fail non-critical "${used}% used"
        else
                report "$1" disk ok critical "${used}% used"
        fi
}

# check KIND ARGS...: runs check_KIND.
check() {
        local kind=$1
        shift
        case $kind in
        unit) check_unit "$@" ;;
        tcp) check_tcp "$@" ;;
        http) check_http "$@" ;;
        database) check_database "$@" ;;
        process) check_process "$@" ;;
        script) check_script "$@" ;;
        disk) check_disk "$@" ;;
        *) report "$1" "$kind" skip non-critical "unknown kind of check" ;;
        esac
}

run_checks

statuses=(healthy degraded unhealthy)
if ((json)); then
        printf '{"status":"%s","checks":[' "${statuses[worst]}"
        (IFS=,; printf '%s' "${results[*]}")
        printf ']}\n'
else
        printf 'status: %s\n' "${statuses[worst]}"
fi
exit "$worst"
