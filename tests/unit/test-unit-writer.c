/* SPDX-License-Identifier: MIT */
/* Tests of the unit writer: escaping of values, environment and command lines, version-gated directives. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <string.h>

#include "render/unit_writer.h"

typedef struct Ctx {
        StrBuf b;
        Diags d;
        UnitWriter w;
        Source *src;
} Ctx;

static int setup(void **state) {
        Ctx *c = test_calloc(1, sizeof(Ctx));
        c->src = source_new("spec.yaml", NULL, 0);
        uw_init(&c->w, &c->b, 252, &c->d, (Loc) { .src = c->src, .line = 7, .col = 3 }, "x.service");
        *state = c;
        return 0;
}

static int teardown(void **state) {
        Ctx *c = *state;
        sb_free(&c->b);
        diags_clear(&c->d);
        source_free(c->src);
        test_free(c);
        return 0;
}

static const char *text(Ctx *c) {
        return c->b.s ? c->b.s : "";
}

static void test_sections(void **state) {
        Ctx *c = *state;
        uw_section(&c->w, "Unit");
        uw_set(&c->w, "Description", "x");
        uw_section(&c->w, "Service");
        uw_set_bool(&c->w, "PrivateTmp", true);
        assert_string_equal(text(c), "[Unit]\nDescription=x\n\n[Service]\nPrivateTmp=yes\n");
        assert_int_equal(uw_finish(&c->w), 0);
}

static void test_percent_escaped(void **state) {
        Ctx *c = *state;
        uw_set(&c->w, "WorkingDirectory", "/srv/100%/%i");
        uw_set_raw(&c->w, "Description", "Worker %i at 100%%");
        uw_set_raw(&c->w, "ExecStart", "/bin/agent --instance %i");
        assert_string_equal(text(c), "WorkingDirectory=/srv/100%%/%%i\n"
                                     "Description=Worker %i at 100%%\n"
                                     "ExecStart=/bin/agent --instance %i\n");
}

static void test_list(void **state) {
        Ctx *c = *state;
        const char *items[] = { "a.service", "b%n.service" };
        StrList l = { items, 2 }, empty = {};
        uw_set_list(&c->w, "After", &l);
        uw_set_list(&c->w, "Before", &empty);
        assert_string_equal(text(c), "After=a.service b%%n.service\n");
}

static void test_environment(void **state) {
        Ctx *c = *state;
        uw_set_env(&c->w, "GREETING", "say \"hi\" to C:\\dir at 100%");
        uw_set_env(&c->w, "EMPTY", "");
        uw_set_env(&c->w, "DOLLAR", "$HOME stays");
        assert_string_equal(text(c), "Environment=\"GREETING=say \\\"hi\\\" to C:\\\\dir at 100%%\"\n"
                                     "Environment=\"EMPTY=\"\n"
                                     "Environment=\"DOLLAR=$HOME stays\"\n");
        assert_int_equal(uw_finish(&c->w), 0);
}

static void test_environment_bad_name(void **state) {
        Ctx *c = *state;
        uw_set_env(&c->w, "A=B", "x");
        assert_int_equal(uw_finish(&c->w), -EINVAL);
        assert_int_equal(c->d.n_errors, 1);
        assert_string_equal(c->d.items[0].msg, "'Environment=' in 'x.service' cannot be written: 'A=B' is not a variable name");
}

static void test_exec_args(void **state) {
        (void) state;
        StrBuf b = {};
        const char *args[] = { "/usr/local/bin/msd-supervisor", "--config", "/etc/x y/supervisor.yaml", "$HOME",
                               "100%", "a\"b\\c", "", ";" };
        for (size_t i = 0; i < sizeof(args) / sizeof(args[0]); i++)
                uw_exec_append_arg(&b, args[i]);
        assert_string_equal(b.s, "/usr/local/bin/msd-supervisor --config \"/etc/x y/supervisor.yaml\" $$HOME 100%% "
                                 "\"a\\\"b\\\\c\" \"\" \";\"");
        sb_free(&b);
}

static void test_exec_plain_args_unquoted(void **state) {
        (void) state;
        StrBuf b = {};
        uw_exec_append_arg(&b, "/usr/local/bin/msd-supervisor");
        uw_exec_append_arg(&b, "--config");
        uw_exec_append_arg(&b, "/etc/mister-smith/supervisor.yaml");
        assert_string_equal(b.s, "/usr/local/bin/msd-supervisor --config /etc/mister-smith/supervisor.yaml");
        sb_free(&b);
}

static void test_bad_values(void **state) {
        Ctx *c = *state;
        uw_set(&c->w, "Description", "two\nlines");
        assert_int_equal(uw_finish(&c->w), -EINVAL);
        assert_null(c->b.s);
        /* each refusal is an error at the writer's location, saying what and why */
        assert_int_equal(c->d.n_errors, 1);
        assert_int_equal(c->d.items[0].loc.line, 7);
        assert_string_equal(c->d.items[0].msg, "'Description=' in 'x.service' cannot be written: 'two\\nlines' contains a line break");

        c->w.error = 0;
        uw_set_raw(&c->w, "ExecStart", "/bin/x \\");
        assert_int_equal(uw_finish(&c->w), -EINVAL);
        assert_string_equal(c->d.items[1].msg, "'ExecStart=' in 'x.service' cannot be written: '/bin/x \\' ends in a backslash, "
                                               "which would continue the line");

        const char *items[] = { "a.service", "b c.service" };
        uw_set_list(&c->w, "After", &(StrList) { items, 2 });
        assert_non_null(strstr(c->d.items[2].msg, "'After=' in 'x.service' cannot be written: 'b c.service' contains a space"));
        uw_comment(&c->w, "a\nb");
        assert_string_equal(c->d.items[3].msg, "a comment in 'x.service' cannot be written: 'a\\nb' contains a line break");
        assert_int_equal(c->d.n_errors, 4);

        /* systemd strips whitespace around every value: each setter refuses it at either end */
        uw_set_spec(&c->w, "Description", "Mister Smith ");
        uw_set(&c->w, "WorkingDirectory", " /srv");
        uw_set_raw(&c->w, "ProtectHome", "yes\t");
        assert_int_equal(c->d.n_errors, 7);
        assert_string_equal(c->d.items[4].msg, "'Description=' in 'x.service' cannot be written: 'Mister Smith ' begins or ends "
                                               "with whitespace, which systemd strips");
        assert_non_null(strstr(c->d.items[5].msg, "' /srv' begins or ends with whitespace"));
        assert_non_null(strstr(c->d.items[6].msg, "'yes\\t' begins or ends with whitespace"));
        assert_null(c->b.s);
        /* inside a value it is kept */
        c->w.error = 0;
        uw_set_spec(&c->w, "Description", "Mister  Smith");
        assert_int_equal(uw_finish(&c->w), 0);
        assert_string_equal(text(c), "Description=Mister  Smith\n");
}

static void test_units(void **state) {
        Ctx *c = *state;
        uw_set_duration(&c->w, "RestartSec", 90 * USEC_PER_SEC);
        uw_set_duration(&c->w, "TimeoutStopSec", USEC_UNSET);
        uw_set_size(&c->w, "MemoryMax", UINT64_C(3) << 30);
        uw_set_size(&c->w, "MemoryHigh", UNSET_U64);
        uw_set_percent(&c->w, "CPUQuota", 800);
        uw_set_u64(&c->w, "TasksMax", UINT64_MAX);
        uw_set_u64(&c->w, "IOWeight", UNSET_U64);
        assert_string_equal(text(c), "RestartSec=1min 30s\nMemoryMax=3G\nCPUQuota=800%\nTasksMax=infinity\n");
}

static void test_version_gate_skips_and_warns(void **state) {
        Ctx *c = *state;
        uw_setf(&c->w, "RestartSteps", "%u", 5);
        uw_set(&c->w, "RestartMaxDelaySec", "1min");
        uw_set(&c->w, "ProtectClock", "yes");
        assert_string_equal(text(c), "ProtectClock=yes\n");
        assert_int_equal(c->d.n, 2);
        assert_int_equal(c->d.n_warnings, 2);
        assert_int_equal(c->d.items[0].level, DIAG_WARNING);
        assert_ptr_equal(c->d.items[0].loc.src, c->src);
        assert_int_equal(c->d.items[0].loc.line, 7);
        assert_string_equal(c->d.items[0].msg, "'RestartSteps=' needs systemd 254, target is 252, not rendered in "
                                               "'x.service'; msd-supervisor applies the backoff instead");
        assert_non_null(strstr(c->d.items[1].msg, "'RestartMaxDelaySec=' needs systemd 254"));
        assert_int_equal(uw_finish(&c->w), 0);
}

static void test_version_gate_emits_when_new_enough(void **state) {
        Ctx *c = *state;
        c->w.systemd_version = 254;
        uw_setf(&c->w, "RestartSteps", "%u", 5);
        uw_set(&c->w, "RestartMaxDelaySec", "1min");
        assert_string_equal(text(c), "RestartSteps=5\nRestartMaxDelaySec=1min\n");
        assert_int_equal(c->d.n, 0);
}

static void test_version_gate_hardening(void **state) {
        Ctx *c = *state;
        c->w.systemd_version = 244;
        uw_set(&c->w, "ProtectKernelLogs", "yes");
        uw_set(&c->w, "ProtectClock", "yes");
        uw_set(&c->w, "ProtectProc", "invisible");
        uw_set(&c->w, "NoNewPrivileges", "yes");
        assert_string_equal(text(c), "ProtectKernelLogs=yes\nNoNewPrivileges=yes\n");
        assert_int_equal(c->d.n_warnings, 2);
        assert_non_null(strstr(c->d.items[0].msg, "'ProtectClock=' needs systemd 245, target is 244"));
        assert_non_null(strstr(c->d.items[1].msg, "'ProtectProc=' needs systemd 247"));
}

static void test_min_versions(void **state) {
        (void) state;
        assert_int_equal(uw_directive_min_version("RestartSteps"), 254);
        assert_int_equal(uw_directive_min_version("RestartMaxDelaySec"), 254);
        assert_int_equal(uw_directive_min_version("ProtectHostname"), 242);
        assert_int_equal(uw_directive_min_version("ProtectClock"), 245);
        assert_int_equal(uw_directive_min_version("ProtectProc"), 247);
        assert_int_equal(uw_directive_min_version("ProcSubset"), 247);
        assert_int_equal(uw_directive_min_version("ExecStart"), 0);
}

/* The gated-directive table is searched with bsearch(): every entry must be found. */
static void test_gated_lookup(void **state) {
        (void) state;
        assert_int_equal(uw_directive_min_version("BindLogSockets"), 257);
        assert_int_equal(uw_directive_min_version("ExecPaths"), 247);
        assert_int_equal(uw_directive_min_version("MemoryDenyWriteExecute"), 231);
        assert_int_equal(uw_directive_min_version("ProtectClock"), 245);
        assert_int_equal(uw_directive_min_version("RestartSteps"), 254);
        assert_int_equal(uw_directive_min_version("TimeoutStopFailureMode"), 246);
        assert_int_equal(uw_directive_min_version("ExecStart"), 0);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_gated_lookup),
                cmocka_unit_test_setup_teardown(test_sections, setup, teardown),
                cmocka_unit_test_setup_teardown(test_percent_escaped, setup, teardown),
                cmocka_unit_test_setup_teardown(test_list, setup, teardown),
                cmocka_unit_test_setup_teardown(test_environment, setup, teardown),
                cmocka_unit_test_setup_teardown(test_environment_bad_name, setup, teardown),
                cmocka_unit_test(test_exec_args),
                cmocka_unit_test(test_exec_plain_args_unquoted),
                cmocka_unit_test_setup_teardown(test_bad_values, setup, teardown),
                cmocka_unit_test_setup_teardown(test_units, setup, teardown),
                cmocka_unit_test_setup_teardown(test_version_gate_skips_and_warns, setup, teardown),
                cmocka_unit_test_setup_teardown(test_version_gate_emits_when_new_enough, setup, teardown),
                cmocka_unit_test_setup_teardown(test_version_gate_hardening, setup, teardown),
                cmocka_unit_test(test_min_versions),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
