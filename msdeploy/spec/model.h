/* SPDX-License-Identifier: MIT */
/* The typed deployment model: what renderers see. Built from a validated, merged spec; no YAML here. */
#pragma once
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "util/arena.h"
#include "util/diag.h"
#include "util/units.h"

/* Limits of a slice or a service. UNSET_U64 = not set (render nothing); UINT64_MAX = "infinity". */
#define UNSET_U64 ((uint64_t) 0xfffffffffffffffeULL)
typedef struct Limits {
        uint64_t memory_max;   /* bytes */
        uint64_t memory_high;  /* bytes */
        uint64_t cpu_quota;    /* percent of one CPU: 800 = 8 CPUs */
        uint64_t cpu_weight;   /* 1..10000 */
        uint64_t io_weight;    /* 1..10000 */
        uint64_t tasks_max;    /* count */
} Limits;

typedef struct KeyValue {
        const char *key;
        const char *value;
} KeyValue;

typedef struct StrList {
        const char **items;
        size_t n;
} StrList;

typedef struct Group {
        const char *name;
        Loc loc;
} Group;

typedef struct User {
        const char *name;
        const char *group;        /* primary group (defaults to a group of the user's name) */
        const char *description;
        const char *home;         /* NULL: "/" */
        const char *shell;        /* NULL: nologin */
        StrList groups;           /* supplementary groups */
        Loc loc;
} User;

typedef struct Directory {
        const char *key;
        const char *path;         /* absolute, normalised */
        const char *owner, *group;
        mode_t mode;
        bool volatile_;           /* tmpfiles 'd' cleaned at boot vs. kept */
        Loc loc;
} Directory;

typedef struct EnvFile {
        const char *key;          /* "orchestrator" */
        const char *path;         /* "/etc/mister-smith/orchestrator.env" */
        const char *owner, *group;
        mode_t mode;              /* 0640 or stricter */
        KeyValue *vars;
        size_t n_vars;
        Loc loc;
        Loc path_loc;             /* where the path was set: its 'path:', else the key */
} EnvFile;

typedef struct Slice {
        const char *key;          /* "workers" */
        const char *name;         /* unit name without suffix: "mister-smith-workers" */
        const char *description;
        Limits limits;
        struct Slice *parent;     /* NULL for a top-level slice */
        Loc loc;
} Slice;

typedef enum ServiceType {
        SERVICE_SIMPLE,
        SERVICE_EXEC,
        SERVICE_NOTIFY,
        SERVICE_ONESHOT,
        _SERVICE_TYPE_MAX,
        _SERVICE_TYPE_INVALID = -1,
} ServiceType;

typedef enum RestartPolicy {
        RESTART_NO,
        RESTART_ON_SUCCESS,
        RESTART_ON_FAILURE,
        RESTART_ON_ABNORMAL,
        RESTART_ON_WATCHDOG,
        RESTART_ON_ABORT,
        RESTART_ALWAYS,
        _RESTART_POLICY_MAX,
        _RESTART_POLICY_INVALID = -1,
} RestartPolicy;

typedef enum HardeningProfile {
        HARDENING_BASIC,          /* tier_1: NoNewPrivileges, PrivateTmp, ProtectSystem=full */
        HARDENING_STANDARD,       /* tier_2 */
        HARDENING_STRICT,         /* tier_3: exposure <= 2.0 in systemd-analyze security */
        _HARDENING_PROFILE_MAX,
        _HARDENING_PROFILE_INVALID = -1,
} HardeningProfile;

typedef enum HealthKind {
        HEALTH_HTTP,
        HEALTH_TCP,
        HEALTH_PROCESS,
        HEALTH_DATABASE,
        HEALTH_SCRIPT,
        _HEALTH_KIND_MAX,
        _HEALTH_KIND_INVALID = -1,
} HealthKind;

typedef struct HealthCheck {
        const char *name;
        const char *component;    /* the service key it belongs to, or the check's own name */
        HealthKind kind;
        const char *target;       /* http: URL; tcp/database: host:port; process: name; script: path */
        const char *database;     /* database: "postgresql" | "tcp" */
        usec_t interval, timeout, initial_delay;
        unsigned failures_before_critical;
        unsigned successes_before_passing;
        bool critical;            /* failing makes the system unhealthy, else degraded */
        Loc loc;
} HealthCheck;

typedef struct Secret {
        const char *id;           /* credential name, "$CREDENTIALS_DIRECTORY/<id>" */
        const char *source;       /* absolute path read by LoadCredential= */
        Loc loc;
} Secret;

typedef struct Restart {
        RestartPolicy policy;
        usec_t delay;             /* RestartSec= */
        unsigned burst;           /* StartLimitBurst= (0: unset) */
        usec_t interval;          /* StartLimitIntervalSec= (USEC_UNSET: unset) */
        unsigned steps;           /* RestartSteps= (systemd >= 254; 0: unset) */
        usec_t max_delay;         /* RestartMaxDelaySec= (systemd >= 254; USEC_UNSET: unset) */
} Restart;

typedef struct Service {
        const char *key;          /* "worker" */
        const char *name;         /* unit name without suffix: "mister-smith-worker@" or "mister-smith-orchestrator" */
        bool templated;           /* name ends in '@' */
        StrList instances;        /* instance names for templates ("1","2",...) */
        const char *description;
        ServiceType type;
        const char *exec;         /* ExecStart= command line, already validated for quoting */
        StrList exec_start_pre;
        const char *user, *group;
        const char *slice;        /* slice unit name without suffix, or NULL */
        const char *working_directory;
        /* Dependencies: full unit names ("mister-smith-messaging.service", "network-online.target") */
        StrList after, before, requires, wants, binds_to, part_of;
        Restart restart;
        usec_t watchdog;          /* WatchdogSec= (USEC_UNSET: unset) */
        usec_t timeout_start, timeout_stop; /* USEC_UNSET: unset */
        const char *kill_signal;  /* KillSignal= ("SIGINT"); NULL: systemd's SIGTERM */
        StrList success_exit_status; /* SuccessExitStatus=: "1", "SIGPIPE" */
        const char *log_level;    /* exported as LOG_LEVEL= in the environment */
        KeyValue *environment;    /* inline Environment= */
        size_t n_environment;
        StrList env_files;        /* EnvFile keys */
        Secret *secrets;
        size_t n_secrets;
        StrList capabilities;     /* "CAP_NET_BIND_SERVICE": bounding + ambient set; empty: none */
        HardeningProfile hardening;
        KeyValue *hardening_overrides; /* directive -> value, applied over the profile */
        size_t n_hardening_overrides;
        StrList read_write_paths; /* ReadWritePaths= (directories it writes) */
        Limits resources;         /* per-service limits (MemoryMax=, CPUWeight=, ...) */
        uint64_t limit_nofile;    /* LimitNOFILE= (UNSET_U64: unset) */
        HealthCheck *checks;
        size_t n_checks;
        bool supervisor;          /* runs msd-supervisor with the rendered supervision tree */
        bool health_aggregator;   /* runs msd-supervisor with the system-wide checks only */
        Loc loc;
        const char *log_format;   /* exported as LOG_FORMAT= ("text" or "json") */
} Service;

typedef enum Strategy {
        STRATEGY_ONE_FOR_ONE,
        STRATEGY_ONE_FOR_ALL,
        STRATEGY_REST_FOR_ONE,
        _STRATEGY_MAX,
        _STRATEGY_INVALID = -1,
} Strategy;

typedef enum BackoffKind {
        BACKOFF_EXPONENTIAL,
        BACKOFF_LINEAR,
        BACKOFF_ADAPTIVE,
        BACKOFF_NONE,
        _BACKOFF_KIND_MAX,
        _BACKOFF_KIND_INVALID = -1,
} BackoffKind;

typedef struct Backoff {
        BackoffKind kind;
        usec_t base, cap;
        double multiplier;
        double jitter;            /* 0..1: delay * (1 +- jitter) */
        usec_t min_uptime;        /* adaptive: a child dying sooner counts as unstable */
        usec_t reset_after;       /* failures forgotten after this much uptime */
} Backoff;

typedef enum ChildRestart {
        CHILD_PERMANENT,
        CHILD_TRANSIENT,
        CHILD_TEMPORARY,
        _CHILD_RESTART_MAX,
        _CHILD_RESTART_INVALID = -1,
} ChildRestart;

typedef enum Readiness {
        READINESS_NONE,           /* up once spawned */
        READINESS_NOTIFY,         /* READY=1 over NOTIFY_SOCKET */
        READINESS_CHECK,          /* its startup health check passes */
        _READINESS_MAX,
        _READINESS_INVALID = -1,
} Readiness;

/* As systemd's DefaultTimeoutStartSec= */
#define SV_DEFAULT_START_TIMEOUT (90 * USEC_PER_SEC)
/* systemd's DefaultTimeoutStopSec=: what a unit without TimeoutStopSec= gets */
#define SYSTEMD_DEFAULT_TIMEOUT_STOP (90 * USEC_PER_SEC)
/* Time a supervisor service gets beyond its tree's stop time: msd-supervisor's own exit, SIGKILLed children */
#define SV_STOP_MARGIN (5 * USEC_PER_SEC)

typedef struct SvWorker {
        const char *name;
        const char *exec;
        ChildRestart restart;
        usec_t shutdown;          /* USEC_INFINITY allowed */
        Readiness readiness;
        const char *check;        /* readiness: check -> health check URL/host:port */
        usec_t start_timeout;     /* readiness notify/check: not up by then is a failure; USEC_INFINITY allowed */
        bool critical;
        const char *user, *group;
        KeyValue *environment;
        size_t n_environment;
        StrList env_files;        /* paths of env files read at each start, their variables over 'environment' (as
                                   * EnvironmentFile= over Environment=); the spec names them by key */
        KeyValue *credentials;    /* variable -> credential id: the child gets the variable set to the path
                                   * $CREDENTIALS_DIRECTORY/<id> of its supervisor's unit (LoadCredential=), over both */
        size_t n_credentials;
        Loc loc;
} SvWorker;

typedef struct SvChildRef {
        const char *name;
        struct SvSupervisor *supervisor; /* exactly one of these is set */
        SvWorker *worker;
        Loc loc;
} SvChildRef;

typedef struct SvSupervisor {
        const char *name;
        Strategy strategy;
        unsigned intensity;
        usec_t period;
        usec_t shutdown;          /* as a child of its parent; USEC_INFINITY by default */
        Backoff backoff;
        SvChildRef *children;     /* start order */
        size_t n_children;
        Loc loc;
} SvSupervisor;

typedef struct Supervision {
        SvSupervisor *root;       /* NULL: the spec declares no supervision tree */
        SvSupervisor *supervisors;
        size_t n_supervisors;
        SvWorker *workers;
        size_t n_workers;
        const char *listen;       /* health/metrics endpoint, "127.0.0.1:9090" */
        /* phi accrual defaults */
        double phi_threshold;
        unsigned phi_max_samples;
        usec_t phi_min_stddev, phi_acceptable_pause;
} Supervision;

typedef struct Alert {
        const char *name;         /* "MisterSmithHighMemory" */
        const char *kind;         /* service_down | memory | cpu | health_check | latency */
        double threshold;         /* percent or seconds, kind-dependent */
        usec_t for_;              /* "for:" duration */
        const char *severity;     /* warning | critical */
        Loc loc;
} Alert;

typedef struct Payload {
        const char *key;
        const char *path;         /* installed at: absolute, normalised */
        const char *source;       /* as written: relative to the spec's directory */
        const char *owner, *group;
        mode_t mode;
        Loc loc;                  /* of the source value: where a missing file is reported */
        Loc path_loc;             /* of the path value: where a clash with a generated file is reported */
} Payload;

/* How apply installs a release (deploy:); a release carries these, so a bundle applies without the spec. */
typedef struct Deploy {
        bool health_gate;         /* apply on the running system waits for health, else restores the previous release */
        usec_t health_timeout;    /* how long the gate waits */
        unsigned keep_releases;   /* releases the host's store keeps, the current one included */
} Deploy;
#define DEPLOY_HEALTH_TIMEOUT_DEFAULT (120 * USEC_PER_SEC)
#define DEPLOY_KEEP_RELEASES_DEFAULT 10

typedef struct Model {
        Arena *arena;
        const char *spec_path;    /* as given, for headers and SourcePath= */
        const char *tier;         /* "tier_1" ... */
        const char *tier_title;   /* "experimental" ... */
        unsigned systemd_version; /* target systemd, default 252 */

        const char *name;         /* "mister-smith" */
        const char *description;
        const char *prefix;       /* "/opt/mister-smith": where the project's binaries live */
        const char *config_dir;   /* "/etc/mister-smith" */
        const char *libexec_dir;  /* where generated scripts go: "/usr/local/lib/mister-smith" */
        const char *supervisor_path; /* msd-supervisor binary */
        const char *log_level;
        /* Where the name and the project's directories were set, the project itself for a default (for errors
         * about those directories and the files that go there) */
        Loc name_loc, prefix_loc, config_dir_loc, libexec_dir_loc;

        Group *groups;           size_t n_groups;
        User *users;             size_t n_users;
        Directory *directories;  size_t n_directories;
        EnvFile *env_files;      size_t n_env_files;
        Slice *slices;           size_t n_slices;   /* parents before children */
        Service *services;       size_t n_services; /* spec order */
        HealthCheck *checks;     size_t n_checks;   /* system-wide checks (health-checks.yaml) */
        Alert *alerts;           size_t n_alerts;
        Supervision supervision;
        const char *target_description;
        StrList target_wanted_by; /* "multi-user.target" */
        const char *health_listen; /* health aggregator endpoint, "127.0.0.1:9091" (NULL: none) */
        const char *spec_text;    /* the spec as written (borrowed from the SpecFile, which outlives the model):
                                   * installed next to the config, named by SourcePath= */
        size_t spec_len;
        Payload *payload;        size_t n_payload;  /* spec order */
        Deploy deploy;
} Model;

/* Names of the enums as the spec writes them; each table ends in NULL (the schema's value lists). */
extern const char *const service_type_table[_SERVICE_TYPE_MAX + 1];
extern const char *const restart_policy_table[_RESTART_POLICY_MAX + 1];
extern const char *const hardening_profile_table[_HARDENING_PROFILE_MAX + 1];
extern const char *const health_kind_table[_HEALTH_KIND_MAX + 1];
extern const char *const strategy_table[_STRATEGY_MAX + 1];
extern const char *const backoff_kind_table[_BACKOFF_KIND_MAX + 1];
extern const char *const child_restart_table[_CHILD_RESTART_MAX + 1];
extern const char *const readiness_table[_READINESS_MAX + 1];

const char *service_type_to_string(ServiceType t);
ServiceType service_type_from_string(const char *s);
const char *restart_policy_to_string(RestartPolicy p);
RestartPolicy restart_policy_from_string(const char *s);
const char *hardening_profile_to_string(HardeningProfile p);
HardeningProfile hardening_profile_from_string(const char *s);
const char *health_kind_to_string(HealthKind k);
HealthKind health_kind_from_string(const char *s);
const char *strategy_to_string(Strategy s);
Strategy strategy_from_string(const char *s);
const char *backoff_kind_to_string(BackoffKind k);
BackoffKind backoff_kind_from_string(const char *s);
const char *child_restart_to_string(ChildRestart r);
ChildRestart child_restart_from_string(const char *s);
const char *readiness_to_string(Readiness r);
Readiness readiness_from_string(const char *s);

Model *model_free(Model *m);
/* The longest msd-supervisor may take to stop the whole tree: it stops one child at a time and gives each
 * worker its shutdown time before SIGKILL, so the shutdown times of the tree's workers add up. USEC_INFINITY
 * when a worker may take forever; 0 without a tree. */
usec_t supervision_stop_time(const Supervision *sv);
/* Which supervisors and workers the root reaches through children (what msd-supervisor runs): ret_supervisors[i]
 * and ret_workers[i], arrays of n_supervisors and n_workers the caller provides. All false without a root. */
void supervision_reachable(const Supervision *sv, bool *ret_supervisors, bool *ret_workers);
/* The TimeoutStopSec= a service running the supervision tree needs: its stop time plus SV_STOP_MARGIN. */
usec_t supervision_stop_timeout(const Supervision *sv);
/* The first credential variable of w that its environment sets too, or NULL. */
const KeyValue *sv_worker_credential_in_environment(const SvWorker *w);
/* Whether s is the health aggregator and one of the checks it runs looks for processes: a process check of
 * a service or of the system (system-health-check.sh runs the same ones). Such a service must see the other
 * services' processes in /proc. */
bool model_service_watches_processes(const Model *m, const Service *s);
const Slice *model_find_slice(const Model *m, const char *name);
const Service *model_find_service(const Model *m, const char *key);
const User *model_find_user(const Model *m, const char *name);
const EnvFile *model_find_env_file(const Model *m, const char *key);
/* Whether a payload file may be installed at path: under prefix or libexec_dir, or directly in /usr/local/bin. */
bool model_payload_path_allowed(const char *prefix, const char *libexec_dir, const char *path);
