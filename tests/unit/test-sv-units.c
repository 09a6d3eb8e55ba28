/* SPDX-License-Identifier: MIT */
/* Tests of unit watching without a system bus: ActiveState to health, every unit unknown (and reported
 * so) when the bus cannot be reached. Watching a real systemd is tests/e2e/run's part. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "supervisor/host/health.h"
#include "supervisor/host/units.h"

static void test_status_of_active_state(void **state) {
        (void) state;
        assert_int_equal(sv_unit_status("active"), SV_CHECK_STATUS_PASSING);
        assert_int_equal(sv_unit_status("reloading"), SV_CHECK_STATUS_WARNING);
        assert_int_equal(sv_unit_status("activating"), SV_CHECK_STATUS_WARNING);
        assert_int_equal(sv_unit_status("deactivating"), SV_CHECK_STATUS_WARNING);
        assert_int_equal(sv_unit_status("maintenance"), SV_CHECK_STATUS_WARNING);
        assert_int_equal(sv_unit_status("inactive"), SV_CHECK_STATUS_CRITICAL);
        assert_int_equal(sv_unit_status("failed"), SV_CHECK_STATUS_CRITICAL);
        assert_int_equal(sv_unit_status(""), SV_CHECK_STATUS_UNKNOWN);
        assert_int_equal(sv_unit_status("exploded"), SV_CHECK_STATUS_UNKNOWN);
        assert_int_equal(sv_unit_status(NULL), SV_CHECK_STATUS_UNKNOWN);
}

static void test_without_bus(void **state) {
        (void) state;
        /* a bus address nothing listens on */
        setenv("DBUS_SYSTEM_BUS_ADDRESS", "unix:path=/nonexistent/msd-test-bus", 1);
        const char *web_units[] = { "web.service", "web-worker@1.service" };
        const char *db_units[] = { "db.service" };
        SvComponent comps[2] = {
                { .name = "web", .units = { .items = web_units, .n = 2 } },
                { .name = "db", .units = { .items = db_units, .n = 1 } },
        };
        SvConfig c = { .project = "p", .components = comps, .n_components = 2 };
        sd_event *e = NULL;
        assert_int_equal(sd_event_new(&e), 0);
        SvUnits *u = NULL;
        assert_true(sv_units_new(e, &c, &u) < 0);
        assert_non_null(u);
        const SvUnitState *s;
        assert_int_equal(sv_units_list(u, &s), 3);
        assert_string_equal(s[1].name, "web-worker@1.service");
        assert_string_equal(s[1].component, "web");
        assert_string_equal(s[2].component, "db");
        assert_string_equal(s[0].active_state, "");
        assert_null(s[0].control_group);

        StrBuf b = {};
        JsonWriter w = json_writer(&b, JSON_COMPACT);
        json_object_begin(&w);
        sv_units_json(u, "web", &w);
        json_object_end(&w);
        assert_string_equal(b.s, "{\"units\": {\"web.service\": {\"status\": \"unknown\", \"active_state\": \"\", \"sub_state\": \"\", \"restarts\": 0}, "
                                 "\"web-worker@1.service\": {\"status\": \"unknown\", \"active_state\": \"\", \"sub_state\": \"\", \"restarts\": 0}}}");
        b.len = 0;
        sv_units_metrics(u, "p", &b);
        assert_non_null(strstr(b.s, "msd_unit_active{project=\"p\",component=\"db\",unit=\"db.service\"} 0\n"));
        assert_non_null(strstr(b.s, "# TYPE msd_unit_restarts_total counter\n"));
        sb_free(&b);
        sv_units_free(u);

        /* in the aggregator: unknown units are critical items, so the system is degraded, not healthy */
        SvAggregator *a = NULL;
        assert_int_equal(sv_aggregator_new(e, &c, &a), 0);
        SvHealthItem *items = NULL;
        size_t n = sv_aggregator_items(a, NULL, &items, 0);
        assert_int_equal(n, 3);
        assert_int_equal(sv_health_system(items, n), SV_HEALTH_DEGRADED);
        free(items);
        assert_true(sv_aggregator_has(a, "db"));
        assert_false(sv_aggregator_has(a, "nope"));
        assert_false(sv_aggregator_has(NULL, "db"));
        StrBuf j = {};
        w = json_writer(&j, JSON_COMPACT);
        json_object_begin(&w);
        sv_aggregator_json(a, "db", &w);
        json_object_end(&w);
        assert_string_equal(j.s, "{\"components\": {\"db\": {\"status\": \"unknown\", \"checks\": {}, \"units\": {\"db.service\": "
                                 "{\"status\": \"unknown\", \"active_state\": \"\", \"sub_state\": \"\", \"restarts\": 0}}}}}");
        sb_free(&j);
        sv_aggregator_free(a);
        sd_event_unref(e);
        unsetenv("DBUS_SYSTEM_BUS_ADDRESS");
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_status_of_active_state),
                cmocka_unit_test(test_without_bus),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
