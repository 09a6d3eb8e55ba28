/* SPDX-License-Identifier: MIT */
/* util/json.c's strings read back by jq: what jq decodes is what was written, and the output always parses. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "util/json.h"

static char *quoted(const char *s, size_t n) {
        StrBuf b = {};
        json_quoten(&b, s, n);
        return sb_take(&b, NULL);
}

/* Every byte value and some multi-byte sequences, read back by jq: what it decodes is what was written
 * (valid input) and the output always parses. */
static void test_read_back_by_jq(void **state) {
        (void) state;
        char in[300];
        size_t n = 0;
        for (int c = 1; c < 0x80; c++)
                in[n++] = (char) c;
        memcpy(in + n, "\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80", 9);
        n += 9;
        in[n] = 0;
        char *q = quoted(in, n);
        char tmp[] = "/tmp/msd-json-XXXXXX";
        int fd = mkstemp(tmp);
        assert_true(fd >= 0);
        FILE *f = fdopen(fd, "w");
        fputs(q, f);
        fclose(f);
        char cmd[128];
        snprintf(cmd, sizeof cmd, "jq -j . < %s", tmp);
        FILE *p = popen(cmd, "r");
        assert_non_null(p);
        char out[400];
        size_t got = fread(out, 1, sizeof out, p);
        assert_int_equal(pclose(p), 0);
        unlink(tmp);
        assert_int_equal(got, n);
        assert_memory_equal(out, in, n);
        free(q);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_read_back_by_jq),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
