/* SPDX-License-Identifier: MIT */
/* msd-demo-agent: a small service for the bundled example that serves /health, speaks sd_notify and can crash or hang on cue. */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <systemd/sd-daemon.h>
#include <systemd/sd-event.h>
#include <unistd.h>

#include "supervisor/host/endpoint.h"
#include "util/json.h"
#include "util/units.h"
#include "util/xalloc.h"

#define EXIT_USAGE 64

typedef struct Agent {
        const char *role;
        const char *instance;
        uint16_t port;
        usec_t ready_delay;
        bool notify_ready;
        usec_t crash_after; /* USEC_INFINITY: never */
        int exit_code;      /* on a crash */
        usec_t hang_after;  /* USEC_INFINITY: never */
        bool watchdog;

        sd_event *event;
        SvEndpoint *endpoint;
        sd_event_source *ready_timer, *crash_timer, *hang_timer, *watchdog_timer;
        usec_t watchdog_usec;
        bool hung;
        bool logged; /* the failure of run() was reported already */
} Agent;

static void help(void) {
        printf("Usage: msd-demo-agent --role NAME [OPTIONS]\n"
               "\n"
               "A demo service for msdeploy's supervision examples. It serves GET /health on 127.0.0.1,\n"
               "reports READY=1, STATUS= and WATCHDOG=1 over $NOTIFY_SOCKET, and can crash or hang on cue.\n"
               "\n"
               "Options:\n"
               "  --role NAME          role reported by /health (required)\n"
               "  --instance I         instance reported by /health (default: 0)\n"
               "  --port P             TCP port on 127.0.0.1; 0 picks a free one (default: 0); the port is\n"
               "                       printed on stdout as \"port N\"; a socket passed by socket activation wins\n"
               "  --ready-delay DUR    wait DUR before READY=1 (default: 0)\n"
               "  --no-ready           never send READY=1\n"
               "  --crash-after DUR    exit with the crash exit code after DUR\n"
               "  --exit-code N        exit code of a crash (default: 1)\n"
               "  --hang-after DUR     after DUR stop the watchdog pings and stop answering HTTP, keep running\n"
               "  --no-watchdog        never send WATCHDOG=1, even when $WATCHDOG_USEC asks for it\n"
               "  -h, --help           show this help\n"
               "\n"
               "Durations: \"500ms\", \"5s\", \"1min 30s\".\n"
               "Signals: SIGTERM or SIGINT stop cleanly (STOPPING=1, exit 0); SIGUSR1 crashes now; SIGUSR2 hangs now.\n"
               "Exit status: 0 after a clean stop, the crash exit code after a crash, 64 on a usage error,\n"
               "1 when the agent cannot start.\n");
}

static int parse_args(int argc, char **argv, Agent *a) {
        enum { ARG_ROLE = 0x100, ARG_INSTANCE, ARG_PORT, ARG_READY_DELAY, ARG_NO_READY, ARG_CRASH_AFTER,
               ARG_EXIT_CODE, ARG_HANG_AFTER, ARG_NO_WATCHDOG };
        static const struct option options[] = {
                { "role", required_argument, NULL, ARG_ROLE },
                { "instance", required_argument, NULL, ARG_INSTANCE },
                { "port", required_argument, NULL, ARG_PORT },
                { "ready-delay", required_argument, NULL, ARG_READY_DELAY },
                { "no-ready", no_argument, NULL, ARG_NO_READY },
                { "crash-after", required_argument, NULL, ARG_CRASH_AFTER },
                { "exit-code", required_argument, NULL, ARG_EXIT_CODE },
                { "hang-after", required_argument, NULL, ARG_HANG_AFTER },
                { "no-watchdog", no_argument, NULL, ARG_NO_WATCHDOG },
                { "help", no_argument, NULL, 'h' },
                {},
        };
        uint64_t u;
        int c;
        opterr = 0;
        while ((c = getopt_long(argc, argv, "h", options, NULL)) >= 0) {
                switch (c) {
                case 'h':
                        help();
                        return 0;
                case ARG_ROLE:
                        if (!*optarg) {
                                fprintf(stderr, "msd-demo-agent: empty --role\n");
                                return -EINVAL;
                        }
                        a->role = optarg;
                        break;
                case ARG_INSTANCE:
                        a->instance = optarg;
                        break;
                case ARG_PORT:
                        if (parse_uint(optarg, 0, 65535, &u) < 0) {
                                fprintf(stderr, "msd-demo-agent: invalid --port '%s'\n", optarg);
                                return -EINVAL;
                        }
                        a->port = (uint16_t) u;
                        break;
                case ARG_EXIT_CODE:
                        if (parse_uint(optarg, 0, 255, &u) < 0) {
                                fprintf(stderr, "msd-demo-agent: invalid --exit-code '%s', expected 0..255\n", optarg);
                                return -EINVAL;
                        }
                        a->exit_code = (int) u;
                        break;
                case ARG_READY_DELAY:
                case ARG_CRASH_AFTER:
                case ARG_HANG_AFTER: {
                        usec_t d;
                        if (parse_duration(optarg, &d) < 0) {
                                fprintf(stderr, "msd-demo-agent: invalid duration '%s'\n", optarg);
                                return -EINVAL;
                        }
                        *(c == ARG_READY_DELAY ? &a->ready_delay : c == ARG_CRASH_AFTER ? &a->crash_after : &a->hang_after) = d;
                        break;
                }
                case ARG_NO_READY:
                        a->notify_ready = false;
                        break;
                case ARG_NO_WATCHDOG:
                        a->watchdog = false;
                        break;
                default:
                        if (optopt > 0 && optopt < 0x100)
                                fprintf(stderr, "msd-demo-agent: option '-%c' is unknown\n", optopt);
                        else if (optopt >= 0x100)
                                fprintf(stderr, "msd-demo-agent: option '%s' %s\n", argv[optind - 1],
                                        strchr(argv[optind - 1], '=') ? "takes no argument" : "needs an argument");
                        else
                                fprintf(stderr, "msd-demo-agent: option '%s' is unknown\n", argv[optind - 1]);
                        return -EINVAL;
                }
        }
        if (optind < argc) {
                fprintf(stderr, "msd-demo-agent: unexpected argument '%s'\n", argv[optind]);
                return -EINVAL;
        }
        if (!a->role) {
                fprintf(stderr, "msd-demo-agent: --role is required (see --help)\n");
                return -EINVAL;
        }
        return 1;
}

static int handle_health(void *userdata, const char *method, const char *path, StrBuf *body, const char **ret_content_type) {
        Agent *a = userdata;
        (void) method;
        (void) path;
        JsonWriter w = json_writer(body, JSON_COMPACT);
        json_object_begin(&w);
        json_kv_string(&w, "status", "ok");
        json_kv_string(&w, "role", a->role);
        json_kv_string(&w, "instance", a->instance);
        json_kv_int(&w, "pid", getpid());
        json_object_end(&w);
        sb_putc(body, '\n');
        *ret_content_type = "application/json";
        return 200;
}

static const SvRoute routes[] = {
        { "/health", false, handle_health },
};

static void notify_ready(Agent *a) {
        (void) sd_notifyf(/* unset_environment= */ 0, "READY=1\nSTATUS=%s/%s serving on port %d", a->role,
                          a->instance, sv_endpoint_port(a->endpoint));
}

static void crash(Agent *a, const char *why) {
        fprintf(stderr, "msd-demo-agent: %s/%s crashing (%s) with exit code %d\n", a->role, a->instance, why, a->exit_code);
        (void) sd_event_exit(a->event, a->exit_code);
}

static void hang(Agent *a, const char *why) {
        if (a->hung)
                return;
        fprintf(stderr, "msd-demo-agent: %s/%s hanging (%s): no more watchdog pings or HTTP answers\n", a->role,
                a->instance, why);
        a->hung = true;
        (void) sd_event_source_set_enabled(a->watchdog_timer, SD_EVENT_OFF);
        (void) sd_event_source_set_enabled(a->ready_timer, SD_EVENT_OFF);
        (void) sv_endpoint_set_paused(a->endpoint, true);
}

static int on_ready_timer(sd_event_source *s, uint64_t usec, void *userdata) {
        (void) s;
        (void) usec;
        notify_ready(userdata);
        return 0;
}

static int on_crash_timer(sd_event_source *s, uint64_t usec, void *userdata) {
        (void) s;
        (void) usec;
        crash(userdata, "--crash-after");
        return 0;
}

static int on_hang_timer(sd_event_source *s, uint64_t usec, void *userdata) {
        (void) s;
        (void) usec;
        hang(userdata, "--hang-after");
        return 0;
}

static int on_watchdog_timer(sd_event_source *s, uint64_t usec, void *userdata) {
        Agent *a = userdata;
        (void) sd_notify(/* unset_environment= */ 0, "WATCHDOG=1");
        int r = sd_event_source_set_time(s, usec + a->watchdog_usec / 2);
        if (r < 0)
                return r;
        return sd_event_source_set_enabled(s, SD_EVENT_ON);
}

static int on_signal(sd_event_source *s, const struct signalfd_siginfo *si, void *userdata) {
        Agent *a = userdata;
        (void) s;
        switch (si->ssi_signo) {
        case SIGUSR1:
                crash(a, "SIGUSR1");
                break;
        case SIGUSR2:
                hang(a, "SIGUSR2");
                break;
        default:
                (void) sd_notifyf(/* unset_environment= */ 0, "STOPPING=1\nSTATUS=%s/%s stopping", a->role, a->instance);
                (void) sd_event_exit(a->event, 0);
        }
        return 0;
}

static int add_timer(Agent *a, sd_event_source **ret, usec_t after, sd_event_time_handler_t cb) {
        return sd_event_add_time_relative(a->event, ret, CLOCK_MONOTONIC, after, USEC_PER_MSEC, cb, a);
}

static int run(Agent *a) {
        int r;
        sigset_t mask;
        sigemptyset(&mask);
        static const int signals[] = { SIGTERM, SIGINT, SIGUSR1, SIGUSR2 };
        for (size_t i = 0; i < ELEMENTSOF(signals); i++)
                sigaddset(&mask, signals[i]);
        if (sigprocmask(SIG_BLOCK, &mask, NULL) < 0)
                return -errno;

        r = sd_event_default(&a->event);
        if (r < 0)
                return r;
        for (size_t i = 0; i < ELEMENTSOF(signals); i++) {
                r = sd_event_add_signal(a->event, NULL, signals[i], on_signal, a);
                if (r < 0)
                        return r;
        }

        int listen_fd = sd_listen_fds(/* unset_environment= */ 1) >= 1 ? SD_LISTEN_FDS_START : -1;
        char address[32];
        snprintf(address, sizeof(address), "127.0.0.1:%u", (unsigned) a->port);
        r = sv_endpoint_new(a->event, address, listen_fd, routes, ELEMENTSOF(routes), a, &a->endpoint);
        if (r < 0) {
                fprintf(stderr, "msd-demo-agent: cannot listen on '%s': %s\n", listen_fd >= 0 ? "socket activation" : address,
                        strerror(-r));
                a->logged = true;
                return r;
        }
        printf("port %d\n", sv_endpoint_port(a->endpoint));
        fflush(stdout);

        if (a->watchdog && sd_watchdog_enabled(/* unset_environment= */ 0, &a->watchdog_usec) > 0 && a->watchdog_usec > 0) {
                (void) sd_notify(/* unset_environment= */ 0, "WATCHDOG=1");
                r = sd_event_add_time_relative(a->event, &a->watchdog_timer, CLOCK_MONOTONIC, a->watchdog_usec / 2,
                                               a->watchdog_usec / 20, on_watchdog_timer, a);
                if (r < 0)
                        return r;
        }
        if (a->notify_ready) {
                if (a->ready_delay == 0)
                        notify_ready(a);
                else {
                        (void) sd_notifyf(/* unset_environment= */ 0, "STATUS=%s/%s starting", a->role, a->instance);
                        if (a->ready_delay != USEC_INFINITY && (r = add_timer(a, &a->ready_timer, a->ready_delay, on_ready_timer)) < 0)
                                return r;
                }
        } else
                (void) sd_notifyf(/* unset_environment= */ 0, "STATUS=%s/%s running (never reports ready)", a->role,
                                  a->instance);
        if (a->crash_after != USEC_INFINITY && (r = add_timer(a, &a->crash_timer, a->crash_after, on_crash_timer)) < 0)
                return r;
        if (a->hang_after != USEC_INFINITY && (r = add_timer(a, &a->hang_timer, a->hang_after, on_hang_timer)) < 0)
                return r;

        return sd_event_loop(a->event);
}

int main(int argc, char **argv) {
        Agent a = {
                .instance = "0",
                .notify_ready = true,
                .crash_after = USEC_INFINITY,
                .exit_code = 1,
                .hang_after = USEC_INFINITY,
                .watchdog = true,
        };
        int r = parse_args(argc, argv, &a);
        if (r <= 0)
                return r < 0 ? EXIT_USAGE : EXIT_SUCCESS;

        r = run(&a);
        if (r < 0 && !a.logged)
                fprintf(stderr, "msd-demo-agent: failed to start: %s\n", strerror(-r));

        sd_event_source_disable_unref(a.ready_timer);
        sd_event_source_disable_unref(a.crash_timer);
        sd_event_source_disable_unref(a.hang_timer);
        sd_event_source_disable_unref(a.watchdog_timer);
        sv_endpoint_free(a.endpoint);
        sd_event_unref(a.event);
        return r < 0 ? EXIT_FAILURE : r;
}
