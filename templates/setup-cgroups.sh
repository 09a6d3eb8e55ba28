#!/bin/bash
# msdeploy:data-begin header
# SPDX-License-Identifier: MIT
# setup-NAME-cgroups.sh: the slices' cgroup v2 hierarchy and limits, for hosts not using the slice units.
# A template (templates/README.md): msdeploy replaces each data block with values from the spec.
# msdeploy:data-end header
# shellcheck disable=SC2317 # with no slice limits (slices without any, or none at all) limit() is never called
set -euo pipefail

# msdeploy:data-begin settings
PROJECT=mister-smith
# msdeploy:data-end settings

# The limits of each slice, parents first: cgroup path, file, value.
define_limits() {
        # msdeploy:data-begin limits
        limit mister-smith.slice memory.max 8589934592
        limit mister-smith.slice memory.high 7516192768
        limit mister-smith.slice cpu.max '800000 100000'
        limit mister-smith.slice cpu.weight 100
        limit mister-smith.slice io.weight 'default 100'
        limit mister-smith.slice pids.max 4096
        limit mister-smith.slice/mister-smith-orchestrator.slice memory.max 4294967296
        limit mister-smith.slice/mister-smith-orchestrator.slice memory.high 3758096384
        limit mister-smith.slice/mister-smith-orchestrator.slice cpu.max '400000 100000'
        limit mister-smith.slice/mister-smith-orchestrator.slice cpu.weight 200
        limit mister-smith.slice/mister-smith-orchestrator.slice io.weight 'default 200'
        limit mister-smith.slice/mister-smith-orchestrator.slice pids.max 1024
        limit mister-smith.slice/mister-smith-workers.slice memory.max 3221225472
        limit mister-smith.slice/mister-smith-workers.slice memory.high 2684354560
        limit mister-smith.slice/mister-smith-workers.slice cpu.max '300000 100000'
        limit mister-smith.slice/mister-smith-workers.slice cpu.weight 100
        limit mister-smith.slice/mister-smith-workers.slice io.weight 'default 100'
        limit mister-smith.slice/mister-smith-workers.slice pids.max 2048
        limit mister-smith.slice/mister-smith-messaging.slice memory.max 1073741824
        limit mister-smith.slice/mister-smith-messaging.slice memory.high 939524096
        limit mister-smith.slice/mister-smith-messaging.slice cpu.max '100000 100000'
        limit mister-smith.slice/mister-smith-messaging.slice cpu.weight 150
        limit mister-smith.slice/mister-smith-messaging.slice io.weight 'default 150'
        limit mister-smith.slice/mister-smith-messaging.slice pids.max 512
        # msdeploy:data-end limits
        :
}

# Every command this script needs, with the Debian package that provides it: all there before it does anything.
for need in cat:coreutils grep:grep mkdir:coreutils; do
        if ! command -v "${need%%:*}" >/dev/null; then
                printf "%s: needs '%s' (Debian package %s)\n" "${0##*/}" "${need%%:*}" "${need#*:}" >&2
                exit 69
        fi
done

usage() {
        cat <<USAGE
Usage: ${0##*/} [--dry-run] [--cgroup-root DIR]

Creates the cgroup v2 hierarchy of ${PROJECT}'s slices and writes their limits, for hosts
where the generated systemd slice units are not used (where they are, systemd applies the
same limits itself and this script is not needed).

  --dry-run          print what would be created and written; change nothing
  --cgroup-root DIR  the cgroup2 mount point (default: /sys/fs/cgroup)

Exit status: 0 all limits applied, 1 some limit could not be applied, 2 no usable cgroup v2
hierarchy, 64 usage error, 69 a command it needs is not installed.
USAGE
}

dry_run=0
cgroup_root=/sys/fs/cgroup
while (($# > 0)); do
        case $1 in
        --dry-run) dry_run=1 ;;
        --cgroup-root)
                (($# > 1)) || { usage >&2; exit 64; }
                cgroup_root=$2
                shift
                ;;
        -h | --help) usage; exit 0 ;;
        *) printf '%s: unknown argument %s\n' "${0##*/}" "$1" >&2; usage >&2; exit 64 ;;
        esac
        shift
done

if ((dry_run == 0 && EUID != 0)); then
        printf '%s: must run as root; use --dry-run to see what it would do\n' "${0##*/}" >&2
        exit 1
fi

paths=() files=() values=()
limit() {
        paths+=("$1")
        files+=("$2")
        values+=("$3")
}
define_limits

if [[ ! -f $cgroup_root/cgroup.controllers ]]; then
        printf '%s: %s is not a cgroup v2 (unified) hierarchy: this host runs cgroup v1 or hybrid mode\n' \
                "${0##*/}" "$cgroup_root" >&2
        printf '%s: boot with systemd.unified_cgroup_hierarchy=1, or use the systemd slice units\n' "${0##*/}" >&2
        exit 2
fi
read -r -a available <"$cgroup_root/cgroup.controllers" || true

has_controller() {
        local c
        for c in "${available[@]}"; do
                [[ $c == "$1" ]] && return 0
        done
        return 1
}

missing=()
for c in memory cpu io pids; do
        has_controller "$c" || missing+=("$c")
done
if ((${#missing[@]} > 0)); then
        printf '%s: controllers not available in %s: %s; their limits are skipped\n' \
                "${0##*/}" "$cgroup_root" "${missing[*]}" >&2
fi

status=0
write_value() {
        if ((dry_run)); then
                printf 'would write %s to %s\n' "$1" "$2"
        elif ! printf '%s\n' "$1" 2>/dev/null >"$2"; then
                printf '%s: could not write %s to %s\n' "${0##*/}" "$1" "$2" >&2
                status=1
        fi
}

# A cgroup's limits need its parent to delegate the controllers (cgroup.subtree_control).
enable_controllers() {
        local c
        for c in memory cpu io pids; do
                has_controller "$c" || continue
                if [[ -f $1/cgroup.subtree_control ]] && grep -qw -- "$c" "$1/cgroup.subtree_control"; then
                        continue
                fi
                write_value "+$c" "$1/cgroup.subtree_control"
        done
}

created=()
for i in "${!paths[@]}"; do
        dir=$cgroup_root/${paths[i]}
        if [[ " ${created[*]} " != *" ${paths[i]} "* ]]; then
                enable_controllers "${dir%/*}"
                if ((dry_run)); then
                        [[ -d $dir ]] || printf 'would create %s\n' "$dir"
                elif ! mkdir -p -- "$dir"; then
                        printf '%s: could not create %s\n' "${0##*/}" "$dir" >&2
                        exit 1
                fi
                created+=("${paths[i]}")
        fi
        controller=${files[i]%%.*}
        if ! has_controller "$controller"; then
                printf 'skipped %s of %s: controller %s not available\n' "${files[i]}" "${paths[i]}" "$controller"
                continue
        fi
        write_value "${values[i]}" "$dir/${files[i]}"
done
exit "$status"
