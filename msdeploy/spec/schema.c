/* SPDX-License-Identifier: MIT */
/* The one schema table of the spec: every key, its type, whether it is required and what it means. */
#include "spec/schema.h"

#include <string.h>

#include "spec/model.h"

#define FIELDS SCHEMA_FIELDS
#define VALUES SCHEMA_VALUES

/* Scalars */
static const Schema t_string = { S_STRING, "text on one line" };
static const Schema t_unit_text = { S_UNIT_TEXT, "text on one line, without a space at either end or a trailing backslash" };
static const Schema t_name = { S_NAME, "a name: letters, digits, '_', '.', '-'" };
static const Schema t_user = { S_USER, "a user or group name" };
static const Schema t_path = { S_PATH, "an absolute, normalised path" };
static const Schema t_command = { S_COMMAND, "a command line starting with an absolute program path" };
static const Schema t_unit_ref = { S_UNIT_REF, "a service key of this spec, or a unit name such as 'network-online.target'" };
static const Schema t_capability = { S_CAPABILITY, "a capability name such as 'CAP_NET_BIND_SERVICE'" };
static const Schema t_address = { S_ADDRESS, "host:port, e.g. '127.0.0.1:9090'" };
static const Schema t_signal = { S_SIGNAL, "a signal name such as 'SIGINT'" };
static const Schema t_exit_status = { S_EXIT_STATUS, "an exit status from 0 to 255, or a signal name such as 'SIGPIPE'" };
static const Schema t_bool = { S_BOOL, "true or false" };
static const Schema t_duration = { S_DURATION, "a duration: '500ms', '30s', '5min', '1h', 'infinity'" };
static const Schema t_size = { S_SIZE, "a size in bytes with optional K, M, G, T suffix (1024-based), or 'infinity'" };
static const Schema t_percent = { S_PERCENT, "a percentage of one CPU, e.g. '150%'" };
static const Schema t_mode = { S_MODE, "an octal file mode such as '0750'" };
static const Schema t_count = { S_INT, "a non-negative integer", .min = 0, .max = 1000000 };
static const Schema t_weight = { S_INT, "a weight from 1 to 10000", .min = 1, .max = 10000 };
static const Schema t_tasks = { S_INT, "a task count", .min = 1, .max = 4194304 };
static const Schema t_threshold = { S_FLOAT, "a number" };

/* Collections of scalars */
static const Schema t_names = { S_LIST, "a list of names", .item = &t_name };
static const Schema t_users = { S_LIST, "a list of group names", .item = &t_user };
static const Schema t_paths = { S_LIST, "a list of absolute paths", .item = &t_path };
static const Schema t_commands = { S_LIST, "a list of command lines", .item = &t_command };
static const Schema t_unit_refs = { S_LIST, "a list of service keys or unit names", .item = &t_unit_ref };
static const Schema t_capabilities = { S_LIST, "a list of capability names", .item = &t_capability };
static const Schema t_exit_statuses = { S_LIST, "a list of exit statuses and signal names", .item = &t_exit_status };
static const Schema t_env_name = { S_ENV_NAME, "an environment variable name" };
static const Schema t_environment = { S_DICT, "environment variables: NAME: value", .item = &t_string, .key = &t_env_name };
static const Schema t_secrets = { S_DICT, "credentials: id: absolute path of the secret (LoadCredential=)", .item = &t_path };
static const Schema t_directive = { S_DIRECTIVE, "a systemd directive name" };
static const Schema t_weakened = { S_LIST, "a list of systemd directive names, or 'profile'",
                                   .item = &(const Schema) { S_DIRECTIVE, "a systemd directive name, or 'profile'", VALUES("profile") } };
static const Schema t_overrides = { S_DICT, "directive: value, applied over the hardening profile", .item = &t_string, .key = &t_directive };

static const Schema t_log_level = { S_ENUM, "log level", VALUES("debug", "info", "warn", "error") };
static const Schema t_log_format = { S_ENUM, "log format", VALUES("text", "json") };

static const Schema t_project = { S_OBJECT, "what is deployed and where it lives", .fields = FIELDS(
        { "name", &t_name, true, "project name: prefix of every unit name (e.g. 'mister-smith')" },
        { "description", &t_unit_text, false, "one line shown in unit descriptions" },
        { "prefix", &t_path, false, "where the project's own programs are installed" },
        { "config_dir", &t_path, false, "configuration directory (default /etc/NAME)" },
        { "libexec_dir", &t_path, false, "where generated scripts are installed (default /usr/local/lib/NAME)" },
        { "supervisor", &t_path, false, "path of msd-supervisor (default /usr/local/bin/msd-supervisor)" },
        { "log_level", &t_log_level, false, "log level exported to every service as LOG_LEVEL" },
        { "log_format", &t_log_format, false, "text or json (structured), exported to every service as LOG_FORMAT" }) };

static const Schema t_tier_info = { S_OBJECT, "tier file metadata", .fields = FIELDS(
        { "title", &t_string, false, "one word shown in headers: experimental, validation, operational" }) };

static const Schema t_group = { S_OBJECT, "a system group", .label = "group", .fields = FIELDS(
        { "description", &t_string, false, "what the group is for" }) };

static const Schema t_user_def = { S_OBJECT, "a dedicated system user", .label = "user", .fields = FIELDS(
        { "description", &t_string, false, "GECOS field" },
        { "group", &t_user, false, "primary group (default: a group named like the user)" },
        { "groups", &t_users, false, "supplementary groups" },
        { "home", &t_path, false, "home directory (default /)" },
        { "shell", &t_path, false, "login shell (default nologin)" }) };

static const Schema t_directory = { S_OBJECT, "a directory created by tmpfiles.d", .label = "directory", .fields = FIELDS(
        { "path", &t_path, true, "absolute path" },
        { "owner", &t_user, false, "owning user (default root)" },
        { "group", &t_user, false, "owning group (default root)" },
        { "mode", &t_mode, false, "octal mode (default 0755)" },
        { "volatile", &t_bool, false, "recreated empty at boot (for /run)" }) };

static const Schema t_env_file = { S_OBJECT, "an environment file (EnvironmentFile=)", .label = "env file", .fields = FIELDS(
        { "path", &t_path, false, "where it is installed (default CONFIG_DIR/KEY.env)" },
        { "owner", &t_user, false, "owning user (default root)" },
        { "group", &t_user, false, "owning group (default root)" },
        { "mode", &t_mode, false, "octal mode, 0640 or stricter (default 0640)" },
        { "vars", &t_environment, false, "the variables" }) };

#define LIMIT_FIELDS                                                                                     \
        { "memory_max", &t_size, false, "MemoryMax=: hard memory limit" },                               \
        { "memory_high", &t_size, false, "MemoryHigh=: throttling threshold" },                          \
        { "cpu_quota", &t_percent, false, "CPUQuota=: CPU time, 100% = one CPU" },                       \
        { "cpu_weight", &t_weight, false, "CPUWeight=: relative CPU share" },                            \
        { "io_weight", &t_weight, false, "IOWeight=: relative IO share" },                               \
        { "tasks_max", &t_tasks, false, "TasksMax=: process and thread limit" }

static const Schema t_slice;
static const Schema t_slices = { S_DICT, "slices by key; children nest as PARENT-KEY.slice", .item = &t_slice };
static const Schema t_slice = { S_OBJECT, "a slice with resource limits", .label = "slice", .fields = FIELDS(
        { "description", &t_unit_text, false, "unit description" },
        LIMIT_FIELDS,
        { "children", &t_slices, false, "nested slices" }) };

static const Schema t_resources = { S_OBJECT, "per-service resource limits", .fields = FIELDS(
        LIMIT_FIELDS,
        { "limit_nofile", &t_count, false, "LimitNOFILE=: open file limit" }) };

static const Schema t_restart_policy = { S_ENUM, "Restart=", restart_policy_table };
static const Schema t_restart = { S_OBJECT, "restart policy", .fields = FIELDS(
        { "policy", &t_restart_policy, false, "Restart=" },
        { "delay", &t_duration, false, "RestartSec=" },
        { "burst", &t_count, false, "StartLimitBurst=: starts allowed per interval" },
        { "interval", &t_duration, false, "StartLimitIntervalSec=" },
        { "steps", &t_count, false, "RestartSteps= (systemd 254+)" },
        { "max_delay", &t_duration, false, "RestartMaxDelaySec= (systemd 254+)" }) };

static const Schema t_timeouts = { S_OBJECT, "start and stop timeouts", .fields = FIELDS(
        { "start", &t_duration, false, "TimeoutStartSec=" },
        { "stop", &t_duration, false, "TimeoutStopSec=" }) };

static const Schema t_profile = { S_ENUM, "hardening profile", hardening_profile_table };
static const Schema t_hardening = { S_OBJECT, "sandboxing", .fields = FIELDS(
        { "profile", &t_profile, false, "basic (tier_1), standard (tier_2), strict (tier_3)" },
        { "overrides", &t_overrides, false, "per-directive overrides of the profile" },
        { "allow_weaker", &t_weakened, false, "directives whose override may protect less than the strict profile does, and "
          "'profile' for a profile below the one the tier's defaults give" }) };

static const Schema t_check_kind = { S_ENUM, "health check kind", health_kind_table };
static const Schema t_database = { S_ENUM, "database protocol", VALUES("postgresql", "tcp") };
#define CHECK_TUNING_FIELDS                                                                             \
        { "interval", &t_duration, false, "time between checks" },                                      \
        { "timeout", &t_duration, false, "time a check may take" },                                     \
        { "initial_delay", &t_duration, false, "wait before the first check" },                         \
        { "failures_before_critical", &t_count, false, "consecutive failures before critical" },        \
        { "successes_before_passing", &t_count, false, "consecutive successes before passing" },        \
        { "critical", &t_bool, false, "failing makes the system unhealthy (else only degraded)" }
static const Schema t_check = { S_OBJECT, "a health check", .label = "health check", .fields = FIELDS(
        { "kind", &t_check_kind, true, "http, tcp, process, database or script" },
        { "target", &t_string, true, "URL (http), host:port (tcp, database), process name, or script path" },
        { "database", &t_database, false, "database: protocol spoken (default tcp)" },
        CHECK_TUNING_FIELDS) };
static const Schema t_checks = { S_DICT, "health checks by name", .item = &t_check };
static const Schema t_check_defaults = { S_OBJECT, "defaults for every health check", .fields = FIELDS(CHECK_TUNING_FIELDS) };

static const Schema t_service_type = { S_ENUM, "Type=", service_type_table };
static const Schema t_instances = { S_INSTANCES, "number of instances, or a list of instance names" };

#define SERVICE_TUNING_FIELDS                                                                            \
        { "type", &t_service_type, false, "Type=: simple, exec, notify or oneshot" },                    \
        { "user", &t_user, false, "User=" },                                                             \
        { "group", &t_user, false, "Group=" },                                                           \
        { "restart", &t_restart, false, "restart policy" },                                              \
        { "watchdog", &t_duration, false, "WatchdogSec=" },                                              \
        { "timeouts", &t_timeouts, false, "start and stop timeouts" },                                   \
        { "log_level", &t_log_level, false, "LOG_LEVEL for this service" },                              \
        { "log_format", &t_log_format, false, "LOG_FORMAT for this service" },                           \
        { "hardening", &t_hardening, false, "sandboxing profile and overrides" },                        \
        { "resources", &t_resources, false, "resource limits" },                                         \
        { "capabilities", &t_capabilities, false, "capabilities kept (bounding and ambient set)" }

static const Schema t_service = { S_OBJECT, "a service", .label = "service", .fields = FIELDS(
        { "description", &t_unit_text, false, "unit description ('%i' is the instance of a template)" },
        { "exec", &t_command, false, "ExecStart= (not with supervisor or health_aggregator)" },
        { "exec_start_pre", &t_commands, false, "ExecStartPre= commands" },
        { "template", &t_bool, false, "a template unit NAME@.service" },
        { "instances", &t_instances, false, "instances of a template to enable" },
        { "slice", &t_name, false, "slice unit name without '.slice'" },
        { "working_directory", &t_path, false, "WorkingDirectory=" },
        { "after", &t_unit_refs, false, "After=" },
        { "before", &t_unit_refs, false, "Before=" },
        { "requires", &t_unit_refs, false, "Requires=" },
        { "wants", &t_unit_refs, false, "Wants=" },
        { "binds_to", &t_unit_refs, false, "BindsTo=" },
        { "part_of", &t_unit_refs, false, "PartOf=" },
        { "environment", &t_environment, false, "Environment=" },
        { "env_files", &t_names, false, "keys of env_files to load" },
        { "secrets", &t_secrets, false, "credentials (LoadCredential=), never inlined" },
        { "read_write_paths", &t_paths, false, "ReadWritePaths=" },
        { "health_checks", &t_checks, false, "health checks of this service" },
        { "supervisor", &t_bool, false, "run msd-supervisor with the supervision tree" },
        { "health_aggregator", &t_bool, false, "run msd-supervisor with the system-wide health checks" },
        { "kill_signal", &t_signal, false, "KillSignal=: the signal that asks it to stop (default SIGTERM)" },
        { "success_exit_status", &t_exit_statuses, false, "SuccessExitStatus=: exit statuses and signals that also count as success" },
        SERVICE_TUNING_FIELDS) };
static const Schema t_services = { S_DICT, "services by key; unit NAME-KEY.service", .item = &t_service };
static const Schema t_service_defaults = { S_OBJECT, "defaults for every service", .fields = FIELDS(SERVICE_TUNING_FIELDS) };

static const Schema t_strategy = { S_ENUM, "supervision strategy", strategy_table };
static const Schema t_backoff_kind = { S_ENUM, "backoff kind", backoff_kind_table };
static const Schema t_multiplier = { S_FLOAT, "growth factor", .min = 1, .max = 100 };
static const Schema t_jitter = { S_FLOAT, "jitter fraction", .min = 0, .max = 1 };
static const Schema t_backoff = { S_OBJECT, "restart backoff", .fields = FIELDS(
        { "kind", &t_backoff_kind, false, "exponential, linear, adaptive or none" },
        { "base", &t_duration, false, "first delay" },
        { "cap", &t_duration, false, "largest delay" },
        { "multiplier", &t_multiplier, false, "exponential growth factor" },
        { "jitter", &t_jitter, false, "delay * (1 +- jitter)" },
        { "min_uptime", &t_duration, false, "adaptive: shorter lives count as unstable" },
        { "reset_after", &t_duration, false, "uptime after which failures are forgotten" }) };
#define SUPERVISOR_TUNING_FIELDS                                                                         \
        { "intensity", &t_count, false, "restarts allowed per period before escalating" },              \
        { "period", &t_duration, false, "intensity window" },                                           \
        { "shutdown", &t_duration, false, "time to stop as a child ('infinity' allowed)" },             \
        { "backoff", &t_backoff, false, "restart backoff" }
static const Schema t_supervisor = { S_OBJECT, "a supervisor", .label = "supervisor", .fields = FIELDS(
        { "strategy", &t_strategy, false, "one_for_one (default), one_for_all or rest_for_one" },
        { "children", &t_names, true, "supervisors and workers in start order" },
        SUPERVISOR_TUNING_FIELDS) };
static const Schema t_supervisor_defaults = { S_OBJECT, "defaults for every supervisor", .fields = FIELDS(SUPERVISOR_TUNING_FIELDS) };
static const Schema t_child_restart = { S_ENUM, "child restart type", child_restart_table };
static const Schema t_readiness = { S_ENUM, "readiness", readiness_table };
static const Schema t_worker_credentials = { S_DICT, "VARIABLE: credential id", .item = &t_name, .key = &t_env_name };
static const Schema t_worker = { S_OBJECT, "a supervised worker process", .label = "worker", .fields = FIELDS(
        { "exec", &t_command, true, "command line" },
        { "restart", &t_child_restart, false, "permanent (default), transient or temporary" },
        { "shutdown", &t_duration, false, "SIGTERM to SIGKILL delay (default 5s)" },
        { "readiness", &t_readiness, false, "none, notify (READY=1) or check" },
        { "check", &t_string, false, "readiness: check: URL or host:port that must answer" },
        { "start_timeout", &t_duration, false, "not ready by then counts as a crash (default 90s, 'infinity' allowed)" },
        { "critical", &t_bool, false, "msd-supervisor is ready only when this worker is" },
        { "user", &t_user, false, "run as this user" },
        { "group", &t_user, false, "run as this group" },
        { "environment", &t_environment, false, "extra environment" },
        { "env_files", &t_names, false, "keys of env_files whose variables it gets (over 'environment'); for secrets" },
        { "credentials", &t_worker_credentials, false, "VARIABLE: id of a credential ('secrets:') of the service running msd-supervisor; "
          "the worker gets VARIABLE set to the credential's path (over 'environment' and 'env_files')" }) };
static const Schema t_phi = { S_OBJECT, "phi accrual failure detector", .fields = FIELDS(
        { "threshold", &t_threshold, false, "phi above which a child is failed (default 8)" },
        { "max_samples", &t_count, false, "heartbeat window (default 1000)" },
        { "min_stddev", &t_duration, false, "default 100ms" },
        { "acceptable_pause", &t_duration, false, "default 3s" }) };
static const Schema t_supervisors = { S_DICT, "supervisors by name", .item = &t_supervisor };
static const Schema t_workers = { S_DICT, "workers by name", .item = &t_worker };
static const Schema t_supervision = { S_OBJECT, "the msd-supervisor tree", .fields = FIELDS(
        { "root", &t_name, true, "name of the root supervisor" },
        { "listen", &t_address, false, "health and metrics endpoint" },
        { "supervisors", &t_supervisors, true, "supervisors by name" },
        { "workers", &t_workers, false, "workers by name" },
        { "phi", &t_phi, false, "failure detector tuning" }) };

static const Schema t_health = { S_OBJECT, "system-wide health checks", .fields = FIELDS(
        { "listen", &t_address, false, "the health aggregator's endpoint" },
        { "checks", &t_checks, false, "checks by name" }) };

static const Schema t_alert_kind = { S_ENUM, "alert kind", VALUES("service_down", "memory", "cpu", "health_check", "latency") };
static const Schema t_severity = { S_ENUM, "severity", VALUES("warning", "critical") };
static const Schema t_alert = { S_OBJECT, "a Prometheus alert rule", .label = "alert", .fields = FIELDS(
        { "kind", &t_alert_kind, true, "service_down, memory, cpu, health_check or latency" },
        { "threshold", &t_threshold, false, "percent (memory, cpu) or seconds (latency)" },
        { "for", &t_duration, false, "how long the condition holds before firing" },
        { "severity", &t_severity, false, "warning or critical" }) };
static const Schema t_alerts = { S_DICT, "alerts by name", .item = &t_alert };
static const Schema t_monitoring = { S_OBJECT, "Prometheus alert rules", .fields = FIELDS(
        { "alerts", &t_alerts, false, "alerts by name" }) };

static const Schema t_target = { S_OBJECT, "the target tying the services together", .fields = FIELDS(
        { "description", &t_unit_text, false, "unit description" },
        { "wanted_by", &t_unit_refs, false, "targets that pull it in (default multi-user.target)" }) };

static const Schema t_defaults = { S_OBJECT, "defaults applied under every service, check and supervisor", .fields = FIELDS(
        { "service", &t_service_defaults, false, "service defaults" },
        { "health_check", &t_check_defaults, false, "health check defaults" },
        { "supervisor", &t_supervisor_defaults, false, "supervisor defaults" }) };

static const Schema t_payload_file = { S_OBJECT, "a file of the application installed with the release", .label = "payload", .fields = FIELDS(
        { "path", &t_path, true, "where it is installed: under the project's prefix or libexec_dir, or /usr/local/bin" },
        { "source", &t_string, true, "the file to install, relative to the spec's directory" },
        { "mode", &t_mode, false, "octal mode (default 0755)" },
        { "owner", &t_user, false, "owning user (default root)" },
        { "group", &t_user, false, "owning group (default root)" }) };

static const Schema t_health_gate = { S_OBJECT, "the health gate of an apply on the running system", .fields = FIELDS(
        { "enabled", &t_bool, false, "after the changes, wait until every unit is active and msd-supervisor healthy, else restore the "
          "previous release and exit 3 (on in tier_3)" },
        { "timeout", &t_duration, false, "how long the gate waits, finite and above zero (default 120s)" }) };
static const Schema t_keep_releases = { S_INT, "a number of releases", .min = 1, .max = 1000 };
static const Schema t_deploy = { S_OBJECT, "how apply installs a release", .fields = FIELDS(
        { "health_gate", &t_health_gate, false, "health validation after an apply, with automatic rollback" },
        { "keep_releases", &t_keep_releases, false, "releases the host's store keeps, the current one included (default 10)" }) };

static const Schema t_version = { S_INT, "spec format version", .min = 1, .max = 1 };

/* An overlay is a partial spec; `tiers:` inside an overlay is not allowed (checked by the composer). */
static const Schema t_overlay;
static const Schema t_tiers = { S_DICT, "per-tier overlays: tier name: partial spec", .item = &t_overlay };

#define SPEC_FIELDS                                                                                      \
        { "version", &t_version, false, "spec format version: 1" },                                     \
        { "project", &t_project, true, "what is deployed" },                                             \
        { "tier", &t_tier_info, false, "tier metadata (tier files)" },                                   \
        { "defaults", &t_defaults, false, "defaults for services, checks and supervisors" },             \
        { "groups", &(const Schema) { S_DICT, "groups by name", .item = &t_group, .key = &t_user }, false, "system groups" }, \
        { "users", &(const Schema) { S_DICT, "users by name", .item = &t_user_def, .key = &t_user }, false, "system users" }, \
        { "directories", &(const Schema) { S_DICT, "directories by key", .item = &t_directory }, false, "directories" }, \
        { "env_files", &(const Schema) { S_DICT, "env files by key", .item = &t_env_file }, false, "environment files" }, \
        { "slices", &t_slices, false, "slice tree" },                                                    \
        { "services", &t_services, false, "services" },                                                  \
        { "health", &t_health, false, "system-wide health checks" },                                     \
        { "supervision", &t_supervision, false, "msd-supervisor tree" },                                 \
        { "monitoring", &t_monitoring, false, "alert rules" },                                           \
        { "target", &t_target, false, "the project's target" },                                          \
        { "payload", &(const Schema) { S_DICT, "payload files by key", .item = &t_payload_file }, false, "application files installed with the release" }, \
        { "deploy", &t_deploy, false, "how apply installs a release: health gate, releases kept" }

static const Schema t_overlay = { S_OBJECT, "a partial spec merged over the tier", .label = "tier overlay", .fields = FIELDS(SPEC_FIELDS) };

const Schema spec_schema = { S_OBJECT, "an msdeploy spec", .fields = FIELDS(
        SPEC_FIELDS,
        { "tiers", &t_tiers, false, "per-tier overlays" }) };

const char *schema_type_name(SchemaType t) {
        static const char *const names[] = {
                [S_STRING] = "string",     [S_UNIT_TEXT] = "string", [S_NAME] = "name",         [S_USER] = "user name",
                [S_PATH] = "path",         [S_COMMAND] = "command",   [S_UNIT_REF] = "unit reference",
                [S_ENV_NAME] = "variable name", [S_CAPABILITY] = "capability", [S_DIRECTIVE] = "directive",
                [S_ADDRESS] = "address",   [S_SIGNAL] = "signal",     [S_EXIT_STATUS] = "exit status",
                [S_INT] = "integer",       [S_FLOAT] = "number",
                [S_BOOL] = "boolean",      [S_DURATION] = "duration", [S_SIZE] = "size",
                [S_PERCENT] = "percentage", [S_MODE] = "mode",        [S_ENUM] = "string",
                [S_OBJECT] = "mapping",    [S_DICT] = "mapping",      [S_LIST] = "list",
                [S_INSTANCES] = "count or list",
        };
        return names[t];
}

const SchemaField *schema_field(const Schema *s, const char *key) {
        if (s->type != S_OBJECT)
                return NULL;
        for (const SchemaField *f = s->fields; f->key; f++)
                if (f->key[0] == key[0] && strcmp(f->key, key) == 0)
                        return f;
        return NULL;
}
