/* SPDX-License-Identifier: MIT */
/* Tests of the hardening profiles, overrides and capabilities (tier_3's exposure as systemd-analyze security
 * rates it: tests/integration/test-hardening.c). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "helpers/fixture.h"
#include "render/hardening.h"
#include "spec/directives.h"
#include "util/xalloc.h"
#include "render/render.h"

#define UNITS "etc/systemd/system/"

/* The hardening lines written for s with needs, as one string (caller frees). */
static char *hardening_text_needs(const Service *s, HardeningNeeds needs, unsigned systemd_version, Diags *d) {
        StrBuf b = {};
        UnitWriter w;
        uw_init(&w, &b, systemd_version, d, s->loc, "x.service");
        hardening_write(&w, s, needs);
        assert_int_equal(uw_finish(&w), 0);
        return sb_take(&b, NULL);
}

static char *hardening_text(const Service *s, unsigned systemd_version, Diags *d) {
        return hardening_text_needs(s, 0, systemd_version, d);
}

static size_t count_lines_starting(const char *text, const char *prefix) {
        size_t n = 0, len = strlen(prefix);
        for (const char *p = text; p && *p; p = strchr(p, '\n'), p = p ? p + 1 : NULL)
                if (strncmp(p, prefix, len) == 0)
                        n++;
        return n;
}

static bool has_key(const HardeningDirective *p, size_t n, const char *key) {
        for (size_t i = 0; i < n; i++)
                if (strcmp(p[i].key, key) == 0)
                        return true;
        return false;
}

/* Each profile keeps every directive of the one below it: tier_3 is the strictest. */
static void test_profiles_nest(void **state) {
        (void) state;
        size_t nb, ns, nx;
        const HardeningDirective *b = hardening_profile_directives(HARDENING_BASIC, &nb);
        const HardeningDirective *s = hardening_profile_directives(HARDENING_STANDARD, &ns);
        const HardeningDirective *x = hardening_profile_directives(HARDENING_STRICT, &nx);
        assert_true(nb < ns && ns < nx);
        for (size_t i = 0; i < nb; i++)
                assert_true(has_key(s, ns, b[i].key));
        for (size_t i = 0; i < ns; i++)
                assert_true(has_key(x, nx, s[i].key));
        size_t n;
        assert_null(hardening_profile_directives(_HARDENING_PROFILE_INVALID, &n));
        assert_int_equal(n, 0);
}

static void test_basic(void **state) {
        (void) state;
        Fixture *f = fixture_example("tier_1", NULL);
        Model *m = f->model;
        Diags d = {};
        char *t = hardening_text(&m->services[0], 252, &d);
        assert_string_equal(t, "NoNewPrivileges=yes\nPrivateTmp=yes\nProtectSystem=full\nProtectHome=read-only\n"
                               "UMask=0027\nCapabilityBoundingSet=\n");
        free(t);
        fixture_free(f);
}

static void test_strict(void **state) {
        (void) state;
        Fixture *f = fixture_example("tier_3", NULL);
        Model *m = f->model;
        Diags d = {};
        char *t = hardening_text(&m->services[1], 252, &d);
        static const char *const lines[] = {
                "NoNewPrivileges=yes\n", "ProtectSystem=strict\n", "ProtectHome=yes\n", "PrivateUsers=yes\n",
                "ProtectProc=invisible\n", "ProcSubset=pid\n", "RestrictAddressFamilies=AF_UNIX AF_INET AF_INET6\n",
                "IPAddressDeny=any\n", "IPAddressAllow=localhost\n", "MemoryDenyWriteExecute=yes\n",
                "SystemCallFilter=@system-service\n", "SystemCallFilter=~@privileged @resources\n",
                "SystemCallArchitectures=native\n", "UMask=0077\n", "CapabilityBoundingSet=\n",
        };
        for (size_t i = 0; i < sizeof(lines) / sizeof(lines[0]); i++)
                if (!strstr(t, lines[i]))
                        fail_msg("missing '%s' in:\n%s", lines[i], t);
        assert_null(strstr(t, "AmbientCapabilities="));
        assert_int_equal(d.n, 0);
        free(t);
        fixture_free(f);
}

static void test_overrides(void **state) {
        (void) state;
        Fixture *f = fixture_example("tier_3", (const char *const[]) {
                "services.messaging.hardening.allow_weaker=[ProtectSystem, SystemCallFilter, IPAddressAllow]",
                "services.messaging.hardening.overrides.ProtectSystem=full",
                "services.messaging.hardening.overrides.SystemCallFilter=\"@system-service @resources\"",
                "services.messaging.hardening.overrides.IPAddressAllow=localhost 10.0.0.0/8",
                "services.messaging.hardening.overrides.ReadOnlyPaths=/srv/models",
                "services.messaging.hardening.overrides.TemporaryFileSystem=/var/cache/%N",
                NULL,
        });
        Diags d = {};
        char *t = hardening_text(model_find_service(f->model, "messaging"), 252, &d);
        assert_non_null(strstr(t, "\nProtectSystem=full\n"));
        assert_null(strstr(t, "ProtectSystem=strict"));
        /* Both profile lines of SystemCallFilter= are replaced by the one override. */
        assert_int_equal(count_lines_starting(t, "SystemCallFilter="), 1);
        assert_non_null(strstr(t, "\nSystemCallFilter=@system-service @resources\n"));
        assert_non_null(strstr(t, "\nIPAddressDeny=any\nIPAddressAllow=localhost 10.0.0.0/8\n"));
        /* Overrides the profile lacks come after it, in spec order, written as given. */
        assert_non_null(strstr(t, "\nReadOnlyPaths=/srv/models\nTemporaryFileSystem=/var/cache/%N\nCapabilityBoundingSet=\n"));
        assert_int_equal(count_lines_starting(t, "ProtectSystem="), 1);
        free(t);
        fixture_free(f);
}

static void test_capabilities(void **state) {
        (void) state;
        Fixture *f = fixture_example("tier_3", (const char *const[]) { "services.messaging.capabilities=[CAP_NET_BIND_SERVICE, CAP_NET_RAW]",
                                                                       NULL });
        Diags d = {};
        char *t = hardening_text(model_find_service(f->model, "messaging"), 252, &d);
        assert_non_null(strstr(t, "\nCapabilityBoundingSet=CAP_NET_BIND_SERVICE CAP_NET_RAW\n"
                                  "AmbientCapabilities=CAP_NET_BIND_SERVICE CAP_NET_RAW\n"));
        /* Capabilities inside a user namespace are worthless on the host: no PrivateUsers= then. */
        assert_null(strstr(t, "PrivateUsers="));
        free(t);
        fixture_free(f);

        f = fixture_example("tier_3", (const char *const[]) { "services.messaging.capabilities=[CAP_NET_BIND_SERVICE, CAP_NET_RAW]",
                                                              "services.messaging.hardening.overrides.PrivateUsers=yes",
                                                              "services.messaging.hardening.overrides.CapabilityBoundingSet=CAP_NET_BIND_SERVICE",
                                                              NULL });
        t = hardening_text(model_find_service(f->model, "messaging"), 252, &d);
        assert_non_null(strstr(t, "\nPrivateUsers=yes\n"));
        assert_int_equal(count_lines_starting(t, "CapabilityBoundingSet="), 1);
        assert_non_null(strstr(t, "\nCapabilityBoundingSet=CAP_NET_BIND_SERVICE\n"));
        assert_non_null(strstr(t, "\nAmbientCapabilities=CAP_NET_BIND_SERVICE CAP_NET_RAW\n"));
        free(t);
        fixture_free(f);
}

static void test_old_systemd(void **state) {
        (void) state;
        Fixture *f = fixture_example("tier_3", NULL);
        Model *m = f->model;
        Diags d = {};
        char *t = hardening_text(&m->services[0], 244, &d);
        assert_null(strstr(t, "ProtectClock="));
        assert_null(strstr(t, "ProtectProc="));
        assert_null(strstr(t, "ProcSubset="));
        assert_non_null(strstr(t, "ProtectKernelLogs=yes"));
        assert_int_equal(d.n_warnings, 3);
        assert_non_null(strstr(d.items[0].msg, "'ProtectClock=' needs systemd 245, target is 244, not rendered"));
        free(t);
        diags_clear(&d);
        fixture_free(f);
}

/* The health aggregator's hardening lines when it needs to see the other services' processes. */
static char *health_check_text(const char *const *sets, unsigned systemd_version, Diags *d) {
        Fixture *f = fixture_example("tier_3", sets);
        char *t = hardening_text_needs(model_find_service(f->model, "health-check"), HARDENING_NEED_PROCESSES, systemd_version, d);
        fixture_free(f);
        return t;
}

static void test_need_processes(void **state) {
        (void) state;
        Diags d = {};
        char *t = health_check_text(NULL, 252, &d);
        /* at the profile's position, with the reason; nothing else relaxed */
        assert_non_null(strstr(t, "\nProtectHostname=yes\n"
                                  "# health checks of kind process (and system-health-check.sh) look for the other services'\n"
                                  "# processes in /proc, which ProtectProc=invisible would hide from this service\n"
                                  "ProtectProc=default\nProcSubset=pid\n"));
        assert_int_equal(count_lines_starting(t, "ProtectProc="), 1);
        assert_non_null(strstr(t, "\nPrivateUsers=yes\n"));
        assert_int_equal(d.n, 0);
        free(t);

        /* profiles without ProtectProc= show every process already */
        t = health_check_text((const char *const[]) { "services.health-check.hardening.profile=standard",
                                                       "services.health-check.hardening.allow_weaker=[profile]", NULL },
                              252, &d);
        assert_null(strstr(t, "ProtectProc"));
        free(t);

        /* a systemd without ProtectProc= shows every process: no line, no comment, no warning about it */
        t = health_check_text(NULL, 246, &d);
        assert_null(strstr(t, "ProtectProc"));
        assert_int_equal(d.n_warnings, 1); /* ProcSubset= */
        assert_non_null(strstr(d.items[0].msg, "'ProcSubset=' needs systemd 247"));
        free(t);
        diags_clear(&d);

        /* an override is the spec's word */
        t = health_check_text((const char *const[]) { "services.health-check.hardening.overrides.ProtectProc=noaccess", NULL }, 252, &d);
        assert_non_null(strstr(t, "\nProtectProc=noaccess\n"));
        assert_null(strstr(t, "# health checks"));
        assert_int_equal(count_lines_starting(t, "ProtectProc="), 1);
        free(t);
}

/* Whatever a profile sets, a spec can override: the two tables cannot drift apart. */
static void test_profile_directives_overridable(void **state) {
        (void) state;
        for (HardeningProfile p = 0; p < _HARDENING_PROFILE_MAX; p++) {
                size_t n;
                const HardeningDirective *d = hardening_profile_directives(p, &n);
                for (size_t i = 0; i < n; i++)
                        if (!directive_overridable(d[i].key))
                                fail_msg("profile '%s' sets '%s', which overrides cannot name", hardening_profile_to_string(p), d[i].key);
        }
        assert_false(directive_overridable("ExecStart"));
}

/* Each override is read with the grammar of systemd 252's parser for it; what that parser would ignore is refused. */
static void test_directive_values(void **state) {
        (void) state;
        char buf[256];
        static const char *const ok[][2] = {
                { "ProtectHome", "read-only" }, { "ProtectHome", "TRUE" },  { "ProtectSystem", "off" },
                { "PrivateTmp", "y" },          { "UMask", "0027" },       { "RestrictNamespaces", "~net user" },
                { "RestrictAddressFamilies", "none" }, { "SystemCallFilter", "~@mount chown:EPERM" },
                { "SystemCallErrorNumber", "EACCES" }, { "IPAddressAllow", "localhost 192.168.0.0/16 fe80::/10" },
                { "CapabilityBoundingSet", "~CAP_SYS_ADMIN" }, { "ReadWritePaths", "-+/srv/a /var/lib/%N" },
                { "BindPaths", "-/a:/b:rbind" }, { "TemporaryFileSystem", "/var:ro,mode=0755" },
                { "DeviceAllow", "/dev/fuse rwm" }, { "SocketBindAllow", "ipv6:udp:53" }, { "ReadOnlyPaths", "" },
        };
        for (size_t i = 0; i < ELEMENTSOF(ok); i++)
                if (directive_check_value(ok[i][0], ok[i][1], buf, sizeof(buf)))
                        fail_msg("%s=%s refused: %s", ok[i][0], ok[i][1], directive_check_value(ok[i][0], ok[i][1], buf, sizeof(buf)));
        static const char *const bad[][2] = {
                { "ProtectHome", "yess" },      { "ProtectHome", "" },      { "PrivateTmp", "maybe" },
                { "UMask", "999" },             { "UMask", "01777" },      { "RestrictAddressFamilies", "AF_UNIX inet" },
                { "SystemCallFilter", "Open" }, { "SystemCallFilter", "~read:EWHAT" },
                { "SystemCallFilter", "@system-service chown:EPERM" }, { "SystemCallLog", "~chown:EPERM" }, { "CapabilityBoundingSet", "CAP_NOPE" },
                { "IPAddressDeny", "10.0.0.0/33" }, { "ReadWritePaths", "/a/../b" }, { "ReadWritePaths", "/a\\q" },
                { "ReadOnlyPaths", "/a/100%" }, { "BindPaths", "/a:/b:bind" }, { "DeviceAllow", "/dev/null rx" },
                { "SocketBindAllow", "tcp:70000" }, { "ProtectSystem", "strict " }, { "DevicePolicy", "open" },
        };
        for (size_t i = 0; i < ELEMENTSOF(bad); i++)
                if (!directive_check_value(bad[i][0], bad[i][1], buf, sizeof(buf)))
                        fail_msg("%s=%s accepted", bad[i][0], bad[i][1]);
        /* weaker than the strict profile's value, or not */
        assert_true(directive_weaker("ProtectHome", "read-only", "yes"));
        assert_false(directive_weaker("ProtectHome", "true", "yes"));
        assert_true(directive_weaker("ProtectSystem", "full", "strict"));
        assert_true(directive_weaker("UMask", "0027", "0077"));
        assert_false(directive_weaker("UMask", "0177", "0077"));
        assert_true(directive_weaker("RestrictAddressFamilies", "AF_UNIX AF_NETLINK", "AF_UNIX AF_INET AF_INET6"));
        assert_false(directive_weaker("RestrictAddressFamilies", "AF_UNIX", "AF_UNIX AF_INET AF_INET6"));
        assert_true(directive_weaker("RestrictAddressFamilies", "~AF_PACKET", "AF_UNIX AF_INET AF_INET6"));
        assert_true(directive_weaker("IPAddressDeny", "", "any"));
        assert_false(directive_weaker("IPAddressAllow", "", "localhost"));
        assert_true(directive_weaker("SystemCallFilter", "@system-service", "@system-service"));
        assert_false(directive_weaker("CapabilityBoundingSet", "CAP_NET_RAW", "CAP_NET_BIND_SERVICE CAP_NET_RAW"));
        assert_true(directive_weaker("CapabilityBoundingSet", "CAP_SYS_ADMIN", ""));
        assert_false(directive_weaker("PrivateNetwork", "no", NULL)); /* not in the profile: systemd's default */
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_profiles_nest),
                cmocka_unit_test(test_basic),
                cmocka_unit_test(test_strict),
                cmocka_unit_test(test_overrides),
                cmocka_unit_test(test_capabilities),
                cmocka_unit_test(test_old_systemd),
                cmocka_unit_test(test_need_processes),
                cmocka_unit_test(test_profile_directives_overridable),
                cmocka_unit_test(test_directive_values),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
