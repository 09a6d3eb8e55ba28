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
        { "diff", cmd_diff, "diff --tier A --tier B [--stat]",
          "show what differs between two tiers",
          "Prints a unified diff of every artifact that differs between tier A and tier B, then every\n"
          "spec value that differs, each with the FILE:LINE:COL that set it. --stat replaces the file\n"
          "diffs with one line per file and its added and removed line counts.\n\n"
          "Example:\n  msdeploy -f examples/mister-smith.yaml diff --tier tier_1 --tier tier_3\n" },
        { "explain", cmd_explain, "explain PATH [--tier T]...",
          "print a value and where it was set",
          "PATH is a dotted key path into the merged spec; defaults are already applied under every\n"
          "service, health check and supervisor, so a value inherited from a tier file shows that file.\n\n"
          "Example:\n  msdeploy -f examples/mister-smith.yaml explain services.worker.restart.policy --tier tier_3\n" },
        { "schema", cmd_schema, "schema",
          "print the JSON Schema of the spec format",
          "The schema is generated from the same table the validator uses; point your editor's YAML\n"
          "language server at it for completion and checks.\n\n"
          "Example:\n  msdeploy schema > msdeploy.schema.json\n" },
        {},
};

const Command *command_find(const char *name) {
        for (const Command *c = commands; c->name; c++)
                if (strcmp(c->name, name) == 0)
                        return c;
        return NULL;
}
