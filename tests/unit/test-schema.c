/* SPDX-License-Identifier: MIT */
/* Tests of the schema table: scalar rules (injection, traversal, quoting), structural checks, JSON export. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>

#include "helpers/render-check.h"
#include "helpers/spec-check.h"
#include "spec/schema.h"
#include "spec/signals.h"
#include "spec/syntax.h"

static void test_text_rules(void **state) {
        (void) state;
        assert_null(syntax_check_text("Mister Smith \"agents\" 100%"));
        assert_non_null(strstr(syntax_check_text("a\nExecStartPre=/bin/rm"), "newline"));
        assert_non_null(strstr(syntax_check_text("a\x1b[31m"), "control character"));
        /* C1 controls (NEL among them) and the Unicode line and paragraph separators; other non-ASCII text is fine */
        static const char *const c1[] = { "a\xc2\x80z", "a\xc2\x85z", "a\xc2\x9fz", "a\xe2\x80\xa8z", "a\xe2\x80\xa9z" };
        for (size_t i = 0; i < sizeof(c1) / sizeof(c1[0]); i++)
                assert_non_null(strstr(syntax_check_text(c1[i]), "control character"));
        assert_null(syntax_check_text("na\xc3\xafve \xc2\xa0 \xe2\x80\xa7 \xe2\x9c\x93"));
        /* noncharacters, which systemd refuses as not UTF-8 clean: U+FDD0-U+FDEF, U+FFFE and U+FFFF of every plane */
        static const char *const nonchar[] = { "a\xef\xb7\x90z", "a\xef\xb7\xafz", "a\xef\xbf\xbez", "a\xef\xbf\xbfz",
                                               "a\xf0\x9f\xbf\xbez", "a\xf4\x8f\xbf\xbfz" };
        for (size_t i = 0; i < sizeof(nonchar) / sizeof(nonchar[0]); i++)
                assert_non_null(strstr(syntax_check_text(nonchar[i]), "noncharacter"));
        /* their neighbours, U+FEFF and emoji are characters */
        assert_null(syntax_check_text("\xef\xb7\x8f \xef\xb7\xb0 \xef\xbf\xbd \xef\xbb\xbf \xf0\x9f\x98\x80 \xf0\x9f\xbf\xbd"));
}

/* Text that lands as a unit file value: systemd strips the spaces at either end, inner ones stay */
static void test_edge_space(void **state) {
        (void) state;
        assert_null(syntax_check_edge_space("Mister  Smith"));
        assert_null(syntax_check_edge_space(""));
        assert_non_null(strstr(syntax_check_edge_space("Mister Smith "), "systemd strips"));
        assert_non_null(syntax_check_edge_space(" x"));
        assert_non_null(syntax_check_edge_space(" "));
        assert_non_null(strstr(syntax_check_command("/usr/bin/true "), "systemd strips"));
}

static void test_names_and_paths(void **state) {
        (void) state;
        assert_null(syntax_check_name("mister-smith_2.0"));
        assert_non_null(syntax_check_name("../etc"));
        assert_non_null(syntax_check_name("a/b"));
        assert_non_null(syntax_check_name("a..b"));
        assert_non_null(syntax_check_name("-x"));
        assert_null(syntax_check_user("mister-smith"));
        assert_non_null(syntax_check_user("1user"));
        assert_non_null(syntax_check_user("averyveryveryveryverylongusername"));
        assert_null(syntax_check_path("/var/lib/mister-smith"));
        assert_null(syntax_check_path("/"));
        assert_non_null(syntax_check_path("var/lib"));
        assert_non_null(syntax_check_path("/var//lib"));
        assert_non_null(syntax_check_path("/var/lib/"));
        assert_non_null(syntax_check_path("/var/./lib"));
        assert_non_null(syntax_check_path("/var/../etc"));
        assert_non_null(syntax_check_path("/var/lib dir"));
        assert_non_null(syntax_check_path("/var/$HOME"));
        assert_null(syntax_check_unit_name("network-online.target"));
        assert_null(syntax_check_unit_name("foo@1.service"));
        assert_non_null(syntax_check_unit_name("foo.bar"));
        assert_non_null(syntax_check_unit_name(".service"));
        assert_null(syntax_check_address("127.0.0.1:9090"));
        assert_null(syntax_check_address("[::1]:80"));
        assert_non_null(syntax_check_address("localhost"));
        assert_non_null(syntax_check_address("h:0"));
        assert_non_null(syntax_check_address("h;rm:80"));
}

/* What looks like a secret written where everybody may read it. */
static void test_secret_hints(void **state) {
        (void) state;
        static const char *const secret[][2] = {
                { "DB_PASSWORD", "hunter2" }, { "API_KEY", "abc" }, { "github_token", "x" }, { "AWS_SECRET_ACCESS_KEY", "y" },
                { "URL", "postgres://app:pw@db:5432/x" }, { "CERT", "-----BEGIN PRIVATE KEY-----" },
        };
        for (size_t i = 0; i < sizeof(secret) / sizeof(secret[0]); i++)
                if (!syntax_secret_hint(secret[i][0], secret[i][1]))
                        fail_msg("%s=%s not taken for a secret", secret[i][0], secret[i][1]);
        static const char *const plain[][2] = {
                { "KEY_FILE", "/etc/app/key.pem" }, { "MONKEY", "x" }, { "TOKEN", "" }, { "TOKEN", "$OTHER" },
                { "URL", "http://user@host/x" }, { "URL", "http://host/a:b@c" }, { "LOG_LEVEL", "debug" },
        };
        for (size_t i = 0; i < sizeof(plain) / sizeof(plain[0]); i++)
                if (syntax_secret_hint(plain[i][0], plain[i][1]))
                        fail_msg("%s=%s taken for a secret", plain[i][0], plain[i][1]);
        assert_non_null(syntax_secret_hint(NULL, "https://a:b@127.0.0.1/health"));
        assert_null(syntax_secret_hint(NULL, "https://127.0.0.1/health"));
}

/* Paths a file system can hold: components of at most 255 bytes (NAME_MAX), at most 4095 bytes in all. */
static void test_path_limits(void **state) {
        (void) state;
        char path[PATH_MAX + 8];
        snprintf(path, sizeof(path), "/var/%0255d", 0);
        assert_null(syntax_check_path(path));
        snprintf(path, sizeof(path), "/var/%0256d", 0);
        assert_non_null(strstr(syntax_check_path(path), "longer than 255 bytes"));
        memset(path, 'a', sizeof(path));
        for (size_t i = 0; i < PATH_MAX; i += 100)
                path[i] = '/';
        path[PATH_MAX - 1] = 0;
        assert_null(syntax_check_path(path));
        path[PATH_MAX - 1] = 'a';
        path[PATH_MAX] = 0;
        assert_non_null(strstr(syntax_check_path(path), "PATH_MAX"));
}

static void test_commands(void **state) {
        (void) state;
        char **w = NULL;
        assert_int_equal(command_split("/bin/echo 'a b' \"c \\\"d\\\"\" e\\sf", &w), 4);
        assert_string_equal(w[1], "a b");
        assert_string_equal(w[2], "c \"d\"");
        assert_string_equal(w[3], "e f");
        strv_free(w);
        assert_int_equal(command_split("/bin/echo \"open", &w), -22);
        assert_int_equal(command_split("/bin/echo trailing\\", &w), -22);
        assert_null(syntax_check_command("/usr/bin/nats-server --port 4222"));
        assert_non_null(strstr(syntax_check_command("nats-server"), "absolute program path"));
        assert_non_null(strstr(syntax_check_command("+/bin/sh"), "executable prefix"));
        assert_non_null(strstr(syntax_check_command("/bin/a ; /bin/b"), "lone ';'"));
        assert_non_null(strstr(syntax_check_command("/bin/a 'x"), "unbalanced"));
        /* C escapes, resolved as systemd 252 does, inside and outside quotes (single quotes too) */
        assert_int_equal(command_split("/bin/echo \\x41\\102 '\\u00e9' \"\\s\\t\" \\U0001F642 \\;", &w), 6);
        assert_string_equal(w[1], "AB");
        assert_string_equal(w[2], "\xc3\xa9");
        assert_string_equal(w[3], " \t");
        assert_string_equal(w[4], "\xf0\x9f\x99\x82");
        assert_string_equal(w[5], ";");
        strv_free(w);
        static const char *const unknown[] = { "/bin/echo \\q", "/bin/echo \\x4", "/bin/echo \\x00", "/bin/echo \\400",
                                               "/bin/echo \\ud800", "/bin/echo '\\z'", "/bin/echo a\\;" };
        for (size_t i = 0; i < sizeof(unknown) / sizeof(unknown[0]); i++)
                assert_non_null(strstr(syntax_check_command(unknown[i]), "escape sequence systemd does not know"));
        /* the program path is checked as systemd reads it */
        assert_non_null(strstr(syntax_check_command("/usr\\x2f..\\x2f..\\x2fbin/sh -c id"), "not a normalised absolute path"));
        assert_non_null(strstr(syntax_check_command("\"/usr/bin/../../bin/sh\""), "not a normalised absolute path"));
        assert_null(syntax_check_command("/bin/echo \\; ';' \";\""));
}

/* Why v does not fit s: the message schema_scalar_valid() adds (NULL: it fits; static, overwritten by the
 * next call). */
static const char *scalar_problem(const Schema *s, const char *v) {
        static char why[512];
        Diags d = {};
        bool valid = schema_scalar_valid(s, v, (Loc) { .line = 7, .col = 3 }, &d);
        assert_true(valid == (d.n == 0));
        if (valid)
                return NULL;
        assert_int_equal(d.n_errors, 1);
        assert_int_equal(d.items[0].loc.line, 7); /* at the value */
        snprintf(why, sizeof(why), "%s", d.items[0].msg);
        diags_clear(&d);
        return why;
}

static void test_scalar_messages(void **state) {
        (void) state;
        /* a unit file line ending in a backslash continues on the next line: no escape can keep it */
        static const Schema unit_text = { S_UNIT_TEXT, "" };
        assert_null(scalar_problem(&unit_text, "a \\ b"));
        assert_non_null(strstr(scalar_problem(&unit_text, "a \\"), "ends in a backslash"));
        const SchemaField *f = schema_field(&spec_schema, "project");
        assert_non_null(f);
        const Schema *project = f->schema;
        const Schema *log_level = schema_field(project, "log_level")->schema;
        assert_non_null(strstr(scalar_problem(log_level, "degub"), "did you mean 'debug'?"));
        assert_null(scalar_problem(log_level, "warn"));
        assert_null(schema_field(project, "nmae"));
}

static void test_signals(void **state) {
        (void) state;
        const Schema *service = schema_field(&spec_schema, "services")->schema->item;
        const Schema *kill = schema_field(service, "kill_signal")->schema;
        const Schema *status = schema_field(service, "success_exit_status")->schema->item;
        assert_null(scalar_problem(kill, "SIGINT"));
        assert_string_equal(scalar_problem(kill, "banana"), "is not a signal name; use e.g. 'SIGTERM', 'SIGINT' or 'SIGHUP'");
        /* what was meant, whatever the case and with or without the prefix */
        static const char *const typos[][2] = {
                { "sigint", "SIGINT" }, { "INT", "SIGINT" },     { "int", "SIGINT" },      { "SIGTREM", "SIGTERM" },
                { "SIG_TERM", "SIGTERM" }, { "SIGUSR", "SIGUSR1" }, { "Usr2", "SIGUSR2" }, { "SIGKIL", "SIGKILL" },
        };
        for (size_t i = 0; i < sizeof(typos) / sizeof(typos[0]); i++) {
                const char *why = scalar_problem(kill, typos[i][0]);
                char want[64];
                snprintf(want, sizeof(want), "is not a signal name; did you mean '%s'?", typos[i][1]);
                if (!why || strcmp(why, want) != 0)
                        fail_msg("'%s': '%s', expected '%s'", typos[i][0], why ? why : "(valid)", want);
        }
        assert_null(signal_name_suggest("SIG"));
        assert_null(signal_name_suggest(""));
        assert_null(signal_name_suggest("SIGNAL_THAT_IS_FAR_TOO_LONG_TO_BE_ONE"));
        for (const char *const *n = signal_names; *n; n++)
                assert_true(signal_name_valid(*n));

        /* exit statuses: 0..255 or a signal */
        assert_null(scalar_problem(status, "0"));
        assert_null(scalar_problem(status, "255"));
        assert_null(scalar_problem(status, "SIGPIPE"));
        assert_string_equal(scalar_problem(status, "256"), "is not an exit status; allowed: 0 to 255, or a signal name such as 'SIGPIPE'");
        assert_non_null(scalar_problem(status, "1x"));
        assert_non_null(scalar_problem(status, "-1"));
        assert_string_equal(scalar_problem(status, "sigpipe"), "is not an exit status (0 to 255) or a signal name; did you mean 'SIGPIPE'?");

        /* at the value, with every other error of the file */
        Diags d = {};
        Spec *s = NULL;
        assert_true(spec_check_compose("project: {name: x}\nservices:\n  a: {exec: /bin/true, kill_signal: SIGTREM, success_exit_status: [1, 300, SIGPIP]}\n",
                                       "tier_3", NULL, &s, &d) < 0);
        assert_true(diags_has(&d, DIAG_ERROR, 3, 37, "'kill_signal' value 'SIGTREM' is not a signal name; did you mean 'SIGTERM'?"));
        assert_true(diags_has(&d, DIAG_ERROR, 3, 71, "'success_exit_status' value '300' is not an exit status"));
        assert_true(diags_has(&d, DIAG_ERROR, 3, 76, "'success_exit_status' value 'SIGPIP' is not an exit status (0 to 255) or a signal name; did you mean 'SIGPIPE'?"));
        spec_free(s);
        diags_clear(&d);
        /* services only: how a program stops is not a tier's business */
        assert_null(schema_field(schema_field(schema_field(&spec_schema, "defaults")->schema, "service")->schema, "kill_signal"));
}

static void test_structure(void **state) {
        (void) state;
        Diags d = {};
        Spec *s = NULL;
        assert_true(spec_check_compose("project: {name: x, naem: y}\nservices:\n  a: {exec: /bin/true, after: x}\n  b: 3\nslices: [a]\n", "tier_3", NULL, &s,
                                       &d) < 0);
        assert_true(diags_has(&d, DIAG_ERROR, 1, 20, "unknown key 'naem' in 'project'; did you mean 'name'?"));
        assert_true(diags_has(&d, DIAG_ERROR, 3, 31, "'after' must be a list"));
        assert_true(diags_has(&d, DIAG_ERROR, 4, 6, "service 'b' must be a mapping"));
        assert_true(diags_has(&d, DIAG_ERROR, 5, 9, "'slices' must be a mapping"));
        spec_free(s);
        diags_clear(&d);
        /* every error at once, across sections */
        assert_true(spec_check_compose("project: {}\nusers: {Bad User: {}}\n", "tier_3", NULL, &s, &d) < 0);
        assert_true(diags_has(&d, DIAG_ERROR, 1, 10, "missing the required key 'name'"));
        assert_true(diags_has(&d, DIAG_ERROR, 2, 9, "key 'Bad User' in 'users' may only contain"));
        spec_free(s);
        diags_clear(&d);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_text_rules),      cmocka_unit_test(test_edge_space),
                cmocka_unit_test(test_names_and_paths), cmocka_unit_test(test_commands),
                cmocka_unit_test(test_scalar_messages), cmocka_unit_test(test_structure),
                cmocka_unit_test(test_signals),          cmocka_unit_test(test_path_limits),
                cmocka_unit_test(test_secret_hints),
        };
        int r = cmocka_run_group_tests(tests, NULL, NULL);
        spec_check_cleanup();
        return r;
}
