/* SPDX-License-Identifier: MIT */
/* spec/schema_json.c's JSON Schema read back by jq: the values editors see, and the layout jq prints. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "helpers/render-check.h"
#include "spec/schema.h"

/* What jq -c makes of filter applied to json, without the trailing newline (caller frees). */
static char *jq(const char *json, const char *filter) {
        char *out = NULL;
        assert_int_equal(check_run((const char *const[]) { "jq", "-c", filter, NULL }, json, &out), 0);
        out[strcspn(out, "\n")] = 0;
        return out;
}

static void assert_jq(const char *json, const char *filter, const char *expected) {
        char *v = jq(json, filter);
        if (strcmp(v, expected) != 0)
                fail_msg("%s: '%s', expected '%s'", filter, v, expected);
        free(v);
}

static void test_json_schema(void **state) {
        (void) state;
        char *json = schema_to_json();
        assert_jq(json, ".[\"$schema\"]", "\"https://json-schema.org/draft/2020-12/schema\"");
        assert_jq(json, ".allOf[0].required", "[\"project\"]");
#define SERVICE ".allOf[0].properties.services.additionalProperties.properties"
        /* enum values come from the model's own tables */
        assert_jq(json, SERVICE ".type.enum", "[\"simple\",\"exec\",\"notify\",\"oneshot\"]");
        assert_jq(json, SERVICE ".kill_signal.enum[0:3]", "[\"SIGHUP\",\"SIGINT\",\"SIGQUIT\"]");
        assert_jq(json, SERVICE ".success_exit_status.items.oneOf | [.[0], (.[1].enum | length)]",
                  "[{\"type\":\"integer\",\"minimum\":0,\"maximum\":255},31]");
        assert_jq(json, SERVICE ".instances.oneOf[1]", "{\"type\":\"array\",\"items\":{\"type\":\"string\"}}");
        assert_jq(json, SERVICE ".watchdog.type", "[\"string\",\"integer\"]");
#undef SERVICE
        /* the recursive slice tree refers back to itself instead of recursing forever */
        assert_jq(json, ".allOf[0].properties.slices.additionalProperties.properties.children",
                  "{\"$ref\":\"#/allOf/0/properties/slices\"}");
        /* laid out as jq prints it, so the committed file reads like any formatted JSON */
        char *formatted = NULL;
        assert_int_equal(check_run((const char *const[]) { "jq", ".", NULL }, json, &formatted), 0);
        assert_string_equal(formatted, json);
        free(formatted);
        free(json);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_json_schema),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
