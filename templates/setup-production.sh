#!/bin/bash
# msdeploy:data-begin header
# SPDX-License-Identifier: MIT
# setup-NAME-production.sh: the stand-alone installer of a tree of generated artifacts.
# A template (templates/README.md): msdeploy replaces each data block with values from the spec.
# msdeploy:data-end header
set -euo pipefail

# msdeploy:data-begin settings
PROJECT=mister-smith
TARGET=mister-smith.target
UNIT_DIR=etc/systemd/system
LIBEXEC_DIR=usr/local/lib/mister-smith
SYSUSERS=etc/sysusers.d/mister-smith.conf
TMPFILES=etc/tmpfiles.d/mister-smith.conf
INSTANCES=(mister-smith-worker@1.service mister-smith-worker@2.service mister-smith-worker@3.service mister-smith-worker@4.service)
# msdeploy:data-end settings

# Artifacts not owned by root:root, with their mode: path, owner, group, mode; path, ...
OWNED_FILES=(
        # msdeploy:data-begin owned-files
        etc/mister-smith/orchestrator.env root mister-smith 0640
        etc/mister-smith/worker.env root mister-smith 0640
        # msdeploy:data-end owned-files
)

# Every command this script needs, with the Debian package that provides it: all there before it does anything.
for need in awk:mawk cat:coreutils find:findutils install:coreutils readlink:coreutils sort:coreutils stat:coreutils \
        systemctl:systemd systemd-sysusers:systemd systemd-tmpfiles:systemd; do
        if ! command -v "${need%%:*}" >/dev/null; then
                printf "%s: needs '%s' (Debian package %s)\n" "${0##*/}" "${need%%:*}" "${need#*:}" >&2
                exit 69
        fi
done

usage() {
        cat <<USAGE
Usage: ${0##*/} [--dry-run] [--root DIR] [ARTIFACT_DIR]

Installs ${PROJECT} from a directory of generated artifacts (default: the tree this script
was generated into): creates users and groups (systemd-sysusers), copies every artifact
into place with its mode and owner, creates directories (systemd-tmpfiles --create),
reloads systemd, enables ${TARGET} and the template instances, and starts ${TARGET}.

  --dry-run   print every step; change nothing
  --root DIR  install into the file system tree at DIR: never talks to the running systemd
              (units are enabled offline with systemctl --root, nothing is started)

Exit status: 0 installed, 1 a step failed, 64 usage error, 69 a command it needs is not installed.
USAGE
}

die() {
        printf '%s: %s\n' "${0##*/}" "$1" >&2
        exit "${2:-1}"
}

dry_run=0
root=/
artifacts=
while (($# > 0)); do
        case $1 in
        --dry-run) dry_run=1 ;;
        --root)
                (($# > 1)) || die "--root needs a directory" 64
                root=$2
                shift
                ;;
        -h | --help) usage; exit 0 ;;
        -*) usage >&2; die "unknown option $1" 64 ;;
        *)
                [[ -z $artifacts ]] || die "more than one artifact directory given" 64
                artifacts=$1
                ;;
        esac
        shift
done

if [[ -z $artifacts ]]; then
        self=$(readlink -f -- "${BASH_SOURCE[0]}")
        self_dir=${self%/*}
        [[ $self_dir == */"$LIBEXEC_DIR" ]] || die "cannot tell where the artifacts are; give ARTIFACT_DIR" 64
        artifacts=${self_dir%/"$LIBEXEC_DIR"}
        [[ -n $artifacts ]] || die "this is the installed copy; give the ARTIFACT_DIR to install from" 64
fi
[[ -f $artifacts/$UNIT_DIR/$TARGET ]] || die "$artifacts holds no $UNIT_DIR/$TARGET: not generated artifacts of $PROJECT"
[[ -d $root ]] || die "--root $root is not a directory"
root=$(readlink -f -- "$root")
if ((dry_run == 0 && EUID != 0)); then
        die "must run as root; use --dry-run to see what it would do"
fi
root_args=()
[[ $root == / ]] || root_args=("--root=$root")

run() {
        if ((dry_run)); then
                printf 'would run:'
                printf ' %q' "$@"
                printf '\n'
        else
                "$@" || die "failed: $*"
        fi
}

# The numeric id of a user or group in the target tree's passwd/group, else the name itself.
lookup_id() {
        local id
        id=$(awk -F: -v n="$2" '$1 == n { print $3; exit }' "$root/etc/$1" 2>/dev/null) || true
        printf '%s\n' "${id:-$2}"
}

printf '== users and groups\n'
if [[ -n $SYSUSERS ]]; then
        run systemd-sysusers "${root_args[@]}" "$artifacts/$SYSUSERS"
fi

printf '== files\n'
# Top-level dot files (.msdeploy-generated) describe the tree; they are not installed.
while IFS= read -r -d '' rel; do
        mode=$(stat -c %a -- "$artifacts/$rel")
        owner=root group=root
        for ((i = 0; i + 3 < ${#OWNED_FILES[@]}; i += 4)); do
                if [[ ${OWNED_FILES[i]} == "$rel" ]]; then
                        owner=${OWNED_FILES[i + 1]} group=${OWNED_FILES[i + 2]} mode=${OWNED_FILES[i + 3]}
                fi
        done
        run install -D -m "$mode" -o "$(lookup_id passwd "$owner")" -g "$(lookup_id group "$group")" \
                -- "$artifacts/$rel" "${root%/}/$rel"
done < <(cd "$artifacts" && find . -type f ! -path './.*' -printf '%P\0' | sort -z)

printf '== directories\n'
if [[ -n $TMPFILES ]]; then
        run systemd-tmpfiles "${root_args[@]}" --create -- "${root%/}/$TMPFILES"
fi

printf '== units\n'
if [[ $root == / ]]; then
        run systemctl daemon-reload
        run systemctl enable -- "$TARGET" "${INSTANCES[@]}"
        run systemctl start -- "$TARGET"
else
        run systemctl "${root_args[@]}" enable -- "$TARGET" "${INSTANCES[@]}"
fi
printf '%s installed%s\n' "$PROJECT" "$( ((dry_run)) && printf ' (dry run: nothing changed)')"
