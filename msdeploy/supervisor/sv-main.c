/* SPDX-License-Identifier: MIT */
/* msd-supervisor: argument parsing, configuration loading and the run loop. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "supervisor/config.h"
#include "supervisor/host/log.h"
#include "supervisor/host/runtime.h"

static void help(void) {
        printf("Usage: msd-supervisor --config FILE [--check]\n\n"
               "Supervises a tree of processes (Erlang/OTP strategies one_for_one, one_for_all, rest_for_one, restart\n"
               "intensity and backoff) and aggregates health checks. The configuration is rendered by msdeploy:\n"
               "supervisor.yaml (a supervision tree) or health-checks.yaml (checks only).\n\n"
               "Options:\n"
               "  -c, --config FILE   the configuration\n"
               "      --check         validate the configuration and exit\n"
               "  -h, --help          this help\n\n"
               "Children get NOTIFY_SOCKET: READY=1, WATCHDOG=1 and STATUS= work as under systemd. SIGTERM stops the\n"
               "children in reverse start order (a second SIGTERM kills them at once).\n\n"
               "Exit status: 0 after a clean shutdown, 1 when the root supervisor gave up (restart intensity\n"
               "exceeded) or the configuration is invalid, 64 on usage errors.\n");
}

int main(int argc, char **argv) {
        static const struct option options[] = {
                { "config", required_argument, NULL, 'c' },
                { "check", no_argument, NULL, 'k' },
                { "help", no_argument, NULL, 'h' },
                {},
        };
        const char *path = NULL;
        bool check = false;
        opterr = 0; /* getopt's own messages would have no priority prefix */
        for (int opt; (opt = getopt_long(argc, argv, ":c:h", options, NULL)) != -1;) {
                switch (opt) {
                case 'c':
                        path = optarg;
                        break;
                case 'k':
                        check = true;
                        break;
                case 'h':
                        help();
                        return 0;
                case ':':
                        sv_log_error("option '%s' needs an argument; see 'msd-supervisor --help'", argv[optind - 1]);
                        return 64;
                default:
                        sv_log_error("invalid option '%s'; see 'msd-supervisor --help'", argv[optind - 1]);
                        return 64;
                }
        }
        if (optind < argc) {
                sv_log_error("unexpected argument '%s'; see 'msd-supervisor --help'", argv[optind]);
                return 64;
        }
        if (!path) {
                sv_log_error("--config FILE is required; see 'msd-supervisor --help'");
                return 64;
        }
        Diags d = {};
        SvConfig *config = NULL;
        int r = sv_config_load(path, &config, &d);
        diags_sort(&d);
        sv_log_diags(&d);
        diags_clear(&d);
        if (r < 0) {
                sv_config_free(config);
                return 1;
        }
        if (check) {
                printf("%s: valid (%zu supervisors, %zu workers, %zu components)\n", path, config->supervision.n_supervisors,
                       config->supervision.n_workers, config->n_components);
                sv_config_free(config);
                return 0;
        }
        Runtime *rt = NULL;
        r = runtime_new(path, config, &rt);
        if (r < 0) {
                sv_log_error("cannot set up: %s", strerror(-r));
                return 1;
        }
        int code = runtime_run(rt);
        runtime_free(rt);
        return code;
}
