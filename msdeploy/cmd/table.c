/* SPDX-License-Identifier: MIT */
/* The command table: name, entry point and help of every msdeploy command. */
#include <string.h>

#include "cmd/cmd.h"

const Command commands[] = {
        { "validate", cmd_validate, "validate [--tier T]...",
          "check the spec for every tier (or the given ones)",
          "Loads the spec, merges it with each tier and checks everything that can be checked without a\n"
          "host: structure, values, references, cycles, slice budgets, capability names, unit names and\n"
          "injection. Every problem is reported at once as FILE:LINE:COL with the source line.\n"
          "Writes nothing.\n\n"
          "Example:\n  msdeploy -f examples/mister-smith.yaml validate\n" },
        { "generate", cmd_generate, "generate [--tier T]... (--out DIR | --archive FILE)",
          "render the artifacts into a directory or an archive",
          "Renders units, slices, drop-ins, env files, sysusers.d, tmpfiles.d, scripts and configuration.\n"
          "With one --tier the files go to the top of DIR; with none or several, each tier gets DIR/TIER/.\n"
          "DIR is replaced as a whole, and only if it is empty or was written by msdeploy. Archives\n"
          "(.tar.gz, .tgz, .tar.zst, .tar) are reproducible: sorted entries, owner 0:0, mtime from\n"
          "SOURCE_DATE_EPOCH or 0. An invalid spec writes nothing.\n\n"
          "Examples:\n  msdeploy -f examples/mister-smith.yaml generate --tier tier_3 --out /tmp/ms\n"
          "  msdeploy -f examples/mister-smith.yaml generate --archive /tmp/ms.tar.zst\n" },
        { "diff", cmd_diff, "diff --tier A --tier B [--stat] | diff --installed --root DIR",
          "show what differs between two tiers, or drift on the host",
          "Prints a unified diff of every artifact that differs between tier A and tier B, then every\n"
          "spec value that differs, each with the FILE:LINE:COL that set it. --stat replaces the file\n"
          "diffs with one line per file and its added and removed line counts.\n"
          "--installed instead lists every installed path whose bytes, mode or owner differ from the current\n"
          "release's manifest, deleted files, and units the release enabled that are disabled\n"
          "(--detailed-exitcode: exit 2 when there is drift).\n\n"
          "Example:\n  msdeploy -f examples/mister-smith.yaml diff --tier tier_1 --tier tier_3\n" },
        { "explain", cmd_explain, "explain PATH [--tier T]...",
          "print a value and where it was set",
          "PATH is a dotted key path into the merged spec; defaults are already applied under every\n"
          "service, health check and supervisor, so a value inherited from a tier file shows that file.\n\n"
          "Example:\n  msdeploy -f examples/mister-smith.yaml explain services.worker.restart.policy --tier tier_3\n", .max_args = 1 },
        { "schema", cmd_schema, "schema",
          "print the JSON Schema of the spec format",
          "The schema is generated from the same table the validator uses; point your editor's YAML\n"
          "language server at it for completion and checks.\n\n"
          "Example:\n  msdeploy schema > msdeploy.schema.json\n" },
        { "bundle", cmd_bundle, "bundle --tier T -o FILE",
          "write one tier's release as a reproducible archive",
          "A release is everything msdeploy installs for the project: the rendered artifacts of the tier,\n"
          "the payload files the spec declares, and manifest.json (every path with its sha256, mode, owner,\n"
          "group, kind and the units that read it; the units, their enablement links and credentials).\n"
          "FILE (.tar.zst, .tar.gz, .tgz or .tar) is byte-identical for identical inputs; 'plan' and\n"
          "'apply' take it with --bundle FILE and need no spec.\n\n"
          "Example:\n  msdeploy -f examples/mister-smith.yaml bundle --tier tier_3 -o mister-smith.tar.zst\n" },
        { "plan", cmd_plan, "plan (--tier T | --bundle FILE) [--root DIR] [--detailed-exitcode] [--json] [-o PLAN]",
          "show what apply would change, in order, with reasons",
          "Compares the release with what is installed under DIR (default /) and lists, in the order apply\n"
          "runs them: units to stop, files to create (+), update or fix (~) and delete (-), users and groups,\n"
          "directories, enablement links, one daemon-reload, then reloads, restarts (template instances one at\n"
          "a time) and starts, each with its reason. Files changed by hand or not installed by msdeploy are\n"
          "listed apart and left alone (--force overwrites them). The last line sums it up.\n"
          "-o PLAN (.tar.zst, .tar.gz, .tgz or .tar) saves the plan with its release; 'apply PLAN' refuses it\n"
          "if the host changed since. Reads only.\n\n"
          "Examples:\n  msdeploy -f examples/mister-smith.yaml plan --tier tier_3 --root /tmp/host\n"
          "  msdeploy plan --bundle mister-smith.tar.zst --root /tmp/host --detailed-exitcode -o plan.tar.zst\n" },
        { "apply", cmd_apply, "apply (--tier T | --bundle FILE | PLAN) [--root DIR] [--yes] [--force] [--keep N]",
          "bring the host to a release",
          "Plans as 'plan' does, asks (or --yes), then stores the release under\n"
          "DIR/var/lib/msdeploy/PROJECT/releases/N, writes a journal, carries out the plan (files written to a\n"
          "temporary file, fsynced and renamed; systemd-sysusers and systemd-tmpfiles run with --root; units\n"
          "enabled by symlinks as 'systemctl --root' does) and switches 'current' to N. One apply at a time:\n"
          "a second one exits 5 naming the holder; a lock left by a dead process is taken over. An apply that\n"
          "was interrupted is finished by the next apply. The last deploy.keep_releases (10) releases are kept\n"
          "(--keep N overrides it).\n"
          "With --root nothing outside DIR is touched and systemd is not contacted. Without it, the running\n"
          "systemd does the unit actions over the bus: one daemon-reload, jobs waited for one at a time\n"
          "(template instances one after the other), a changed msd-supervisor configuration as SIGHUP.\n"
          "Then the health gate (the spec's deploy.health_gate: on in tier_3; --health-gate and\n"
          "--no-health-gate override it) waits up to deploy.health_gate.timeout (120s; --health-timeout\n"
          "overrides it) for every unit to be active and every msd-supervisor endpoint to say healthy;\n"
          "otherwise the previous release is restored, the new one marked failed, exit 3. A release carries\n"
          "its deploy: settings, so a bundle applies with them.\n\n"
          "Examples:\n  msdeploy -f examples/mister-smith.yaml apply --tier tier_3 --root /tmp/host --yes\n"
          "  msdeploy apply plan.tar.zst --root /tmp/host --yes\n",
          .max_args = 1 },
        { "releases", cmd_releases, "releases --root DIR",
          "list the releases installed on the host",
          "Number, time, tier, hash and status (pending, deployed, superseded, rolled-back) of every release\n"
          "in the store, and which one is current.\n\n"
          "Example:\n  msdeploy releases --root /tmp/host\n" },
        { "status", cmd_status, "status [--root DIR]",
          "show the installed release and how it runs",
          "The current release (number, tier, hash, time, status) and, on the running system, the state of\n"
          "each of its units and what every msd-supervisor endpoint it declares says of its health.\n\n"
          "Example:\n  msdeploy status --root /tmp/host\n" },
        { "health", cmd_health, "health",
          "say whether the installed release is healthy",
          "On the running system: every unit of the current release active (systemd over the bus) and every\n"
          "msd-supervisor endpoint it declares (the supervision tree's, the health aggregator's) answering\n"
          "GET /health with \"healthy\". Exit 0 when all are, 1 otherwise. It is what apply's health gate asks.\n\n"
          "Example:\n  msdeploy health --json\n" },
        { "rollback", cmd_rollback, "rollback [RELEASE] [--root DIR] [--yes] [--force] [--keep N]",
          "make an earlier release current again",
          "Restores RELEASE (default: the deployed release before the current one) from the store, through\n"
          "the same plan and apply as 'apply', without the spec or the network. The rollback is itself a\n"
          "new release, so a rollback can be rolled back.\n\n"
          "Example:\n  msdeploy rollback --root /tmp/host --yes\n",
          .max_args = 1 },
        {},
};

const Command *command_find(const char *name) {
        for (const Command *c = commands; c->name; c++)
                if (strcmp(c->name, name) == 0)
                        return c;
        return NULL;
}
