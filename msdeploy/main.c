/* SPDX-License-Identifier: MIT */
/* msdeploy: argument parsing and dispatch to the command table. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cmd/cmd.h"
#include "install/store.h"
#include "util/install-paths.h"
#include "util/units.h"
#include "util/version.h"

static void print_help(void) {
        printf("Usage: msdeploy [-f SPEC] COMMAND [OPTIONS]\n\n"
               "Turns one declarative, tier-aware YAML spec into systemd units, slices, drop-ins, env files,\n"
               "sysusers.d/tmpfiles.d entries, scripts and supervisor configuration.\n\n"
               "Commands:\n");
        for (const Command *c = commands; c->name; c++)
                printf("  %-10s %s\n", c->name, c->summary);
        printf("\nOptions:\n"
               "  -f, --file SPEC          the spec (default ./msdeploy.yaml)\n"
               "  -t, --tier T             tier to act on (tier_1, tier_2, tier_3, or 1, 2, 3); repeatable\n"
               "      --set PATH=VALUE     override a value last, e.g. --set services.worker.instances=8\n"
               "      --tiers-dir DIR      where tier files are (default: $MSDEPLOY_TIERS_DIR, SPEC_DIR/tiers,\n"
               "                           SPEC_DIR/../tiers, then " MSDEPLOY_DATADIR "/tiers)\n"
               "      --systemd-version N  render for this systemd (default 252)\n"
               "  -o, --out DIR|FILE       generate: output directory; bundle, plan: the file to write\n"
               "      --archive FILE       generate: write a .tar.gz/.tar.zst archive\n"
               "      --stat               diff: changed files with line counts instead of the file diffs\n"
               "      --json               machine-readable output (diagnostics as JSON on stdout)\n"
               "      --werror             treat warnings as errors\n"
               "      --color=WHEN         auto, always, never\n"
               "      --root DIR           plan, apply, releases, rollback, diff --installed: the host's root\n"
               "                           (offline: nothing outside DIR is touched, systemd is not contacted)\n"
               "      --bundle FILE        plan, apply: the release of a bundle instead of -f SPEC --tier T\n"
               "      --detailed-exitcode  plan: exit 2 when there are changes\n"
               "  -y, --yes                apply, rollback: do not ask for confirmation\n"
               "      --force              apply, rollback: overwrite files changed by hand or not installed by msdeploy\n"
               "      --installed          diff: drift of the installed release instead of tier vs tier\n"
               "      --health-gate, --no-health-gate\n"
               "                           apply, rollback on the running system: wait until every unit is active\n"
               "                           and msd-supervisor healthy, else restore the previous release (exit 3);\n"
               "                           default: the spec's deploy.health_gate.enabled (on in tier_3)\n"
               "      --health-timeout D   how long the health gate waits (default: deploy.health_gate.timeout, 120s)\n"
               "      --keep N             apply, rollback: releases the store keeps, the current one included\n"
               "                           (default: deploy.keep_releases, 10)\n"
               "  -h, --help               this help; 'msdeploy COMMAND --help' for a command\n"
               "  -V, --version            print the version\n\n"
               "Precedence: built-in < tiers/T.yaml < spec < spec.tiers.T < --set. Maps merge, lists replace,\n"
               "null removes. Every value remembers the FILE:LINE:COL that set it (see 'explain').\n\n"
               "Exit codes:\n"
               "  0   success\n"
               "  1   invalid spec or input (diagnostics on stderr)\n"
               "  2   plan --detailed-exitcode: changes pending (diff --installed --detailed-exitcode: drift)\n"
               "  3   apply: the health gate failed; the previous release was restored\n"
               "  4   could not write the output (or run diff(1)), or apply failed\n"
               "  5   another apply holds the lock (its PID and start time are printed)\n"
               "  6   a saved plan (or a first apply's plan) is out of date: what it was made against has changed\n"
               "  64  usage error\n\n"
               "See msdeploy(1) and msdeploy.yaml(5).\n");
}

static void print_command_help(const Command *c) {
        printf("Usage: msdeploy [-f SPEC] %s\n\n%s.\n\n%s", c->synopsis, c->summary, c->help);
        printf("\nCommon options: -f SPEC, --tier T, --set PATH=VALUE, --tiers-dir DIR, --systemd-version N, --json, --werror.\n");
}

int main(int argc, char **argv) {
        enum { OPT_SET = 256, OPT_TIERS_DIR, OPT_SYSTEMD_VERSION, OPT_ARCHIVE, OPT_STAT, OPT_JSON, OPT_WERROR, OPT_COLOR, OPT_ROOT,
               OPT_BUNDLE, OPT_DETAILED_EXITCODE, OPT_FORCE, OPT_INSTALLED, OPT_HEALTH_GATE, OPT_NO_HEALTH_GATE, OPT_HEALTH_TIMEOUT,
               OPT_KEEP };
        static const struct option options[] = {
                { "file", required_argument, NULL, 'f' },
                { "tier", required_argument, NULL, 't' },
                { "set", required_argument, NULL, OPT_SET },
                { "tiers-dir", required_argument, NULL, OPT_TIERS_DIR },
                { "systemd-version", required_argument, NULL, OPT_SYSTEMD_VERSION },
                { "out", required_argument, NULL, 'o' },
                { "archive", required_argument, NULL, OPT_ARCHIVE },
                { "stat", no_argument, NULL, OPT_STAT },
                { "json", no_argument, NULL, OPT_JSON },
                { "werror", no_argument, NULL, OPT_WERROR },
                { "color", required_argument, NULL, OPT_COLOR },
                { "root", required_argument, NULL, OPT_ROOT },
                { "bundle", required_argument, NULL, OPT_BUNDLE },
                { "detailed-exitcode", no_argument, NULL, OPT_DETAILED_EXITCODE },
                { "yes", no_argument, NULL, 'y' },
                { "force", no_argument, NULL, OPT_FORCE },
                { "installed", no_argument, NULL, OPT_INSTALLED },
                { "health-gate", no_argument, NULL, OPT_HEALTH_GATE },
                { "no-health-gate", no_argument, NULL, OPT_NO_HEALTH_GATE },
                { "health-timeout", required_argument, NULL, OPT_HEALTH_TIMEOUT },
                { "keep", required_argument, NULL, OPT_KEEP },
                { "help", no_argument, NULL, 'h' },
                { "version", no_argument, NULL, 'V' },
                {},
        };
        CmdContext c = { .spec_path = "msdeploy.yaml", .color = isatty(STDERR_FILENO) && !getenv("NO_COLOR"), .health_gate = -1 };
        bool help = false;
        uint64_t v;
        for (int opt; (opt = getopt_long(argc, argv, "f:t:o:yhV", options, NULL)) != -1;) {
                switch (opt) {
                case 'f':
                        c.spec_path = optarg;
                        break;
                case 't':
                        if (c.n_tiers == CMD_MAX_TIERS)
                                return cmd_usage_error("at most %d --tier options", CMD_MAX_TIERS);
                        c.tiers[c.n_tiers++] = optarg;
                        break;
                case OPT_SET:
                        if (c.n_sets == CMD_MAX_SETS)
                                return cmd_usage_error("at most %d --set options", CMD_MAX_SETS);
                        c.sets[c.n_sets++] = optarg;
                        break;
                case OPT_TIERS_DIR:
                        c.tiers_dir = optarg;
                        break;
                case OPT_SYSTEMD_VERSION:
                        if (parse_uint(optarg, 200, 999, &v) < 0)
                                return cmd_usage_error("--systemd-version needs a systemd version number such as 252, not '%s'", optarg);
                        c.systemd_version = (unsigned) v;
                        break;
                case 'o':
                        c.out = optarg;
                        break;
                case OPT_ARCHIVE:
                        c.archive = optarg;
                        break;
                case OPT_STAT:
                        c.stat = true;
                        break;
                case OPT_JSON:
                        c.json = true;
                        break;
                case OPT_WERROR:
                        c.werror = true;
                        break;
                case OPT_COLOR:
                        if (strcmp(optarg, "always") == 0)
                                c.color = true;
                        else if (strcmp(optarg, "never") == 0)
                                c.color = false;
                        else if (strcmp(optarg, "auto") != 0)
                                return cmd_usage_error("--color takes auto, always or never, not '%s'", optarg);
                        break;
                case OPT_ROOT:
                        c.root = optarg;
                        break;
                case OPT_BUNDLE:
                        c.bundle = optarg;
                        break;
                case OPT_DETAILED_EXITCODE:
                        c.detailed_exitcode = true;
                        break;
                case 'y':
                        c.yes = true;
                        break;
                case OPT_FORCE:
                        c.force = true;
                        break;
                case OPT_INSTALLED:
                        c.installed = true;
                        break;
                case OPT_HEALTH_GATE:
                        c.health_gate = 1;
                        break;
                case OPT_NO_HEALTH_GATE:
                        c.health_gate = 0;
                        break;
                case OPT_HEALTH_TIMEOUT:
                        if (parse_duration(optarg, &c.health_timeout) < 0 || c.health_timeout == USEC_INFINITY || c.health_timeout == 0)
                                return cmd_usage_error("--health-timeout needs a duration such as 90s, not '%s'", optarg);
                        break;
                case OPT_KEEP:
                        if (parse_uint(optarg, 1, STORE_KEEP_MAX, &v) < 0)
                                return cmd_usage_error("--keep needs a number of releases from 1 to %u, not '%s'", STORE_KEEP_MAX, optarg);
                        c.keep_releases = (unsigned) v;
                        break;
                case 'h':
                        help = true;
                        break;
                case 'V':
                        printf("msdeploy %s\n", MSDEPLOY_VERSION);
                        return EXIT_OK;
                default:
                        return EXIT_USAGE;
                }
        }
        if (optind >= argc) {
                if (help) {
                        print_help();
                        return EXIT_OK;
                }
                return cmd_usage_error("no command given");
        }
        const Command *cmd = command_find(argv[optind]);
        if (!cmd)
                return cmd_usage_error("unknown command '%s'", argv[optind]);
        if (help) {
                print_command_help(cmd);
                return EXIT_OK;
        }
        c.args = argv + optind + 1;
        c.n_args = (size_t) (argc - optind - 1);
        if (c.n_args > cmd->max_args)
                return cmd_usage_error("'%s' takes no argument '%s'", cmd->name, c.args[0]);
        int r = cmd->run(&c);
        cmd_close(&c);
        return r;
}
