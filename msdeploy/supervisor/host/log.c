/* SPDX-License-Identifier: MIT */
/* msd-supervisor's log lines on stderr, with sd-daemon priority prefixes unless stderr is a terminal. */
#include "supervisor/host/log.h"

#include <assert.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "util/xalloc.h"

/* Whether lines carry the prefix: asked once, stderr does not change under a running supervisor. */
static bool prefixed(void) {
        static int cached = -1;
        if (cached < 0)
                cached = !isatty(STDERR_FILENO);
        return cached;
}

void sv_log(int priority, const char *fmt, ...) {
        assert(priority >= LOG_EMERG && priority <= LOG_DEBUG);
        if (prefixed())
                fprintf(stderr, "<%d>msd-supervisor: ", priority);
        else
                fputs("msd-supervisor: ", stderr);
        va_list ap;
        va_start(ap, fmt);
        vfprintf(stderr, fmt, ap);
        va_end(ap);
        fputc('\n', stderr);
}

static int diag_priority(DiagLevel level) {
        switch (level) {
        case DIAG_ERROR:
                return LOG_ERR;
        case DIAG_WARNING:
                return LOG_WARNING;
        default:
                return LOG_NOTICE;
        }
}

void sv_log_diags(const Diags *d) {
        if (!prefixed()) {
                diags_print(d, stderr, !getenv("NO_COLOR"));
                return;
        }
        for (size_t i = 0; i < d->n; i++) {
                /* one diagnostic at a time, so that each of its lines takes its priority */
                Diags one = { .items = &d->items[i], .n = 1 };
                _cleanup_free_ char *text = NULL;
                size_t len = 0;
                FILE *f = open_memstream(&text, &len);
                if (!f)
                        xoom();
                diags_print(&one, f, /* color= */ false);
                if (fclose(f) != 0)
                        xoom();
                int priority = diag_priority(d->items[i].level);
                for (const char *line = text, *nl; *line; line = nl + 1) {
                        nl = strchr(line, '\n'); /* diags_print() ends every line with one */
                        assert(nl);
                        fprintf(stderr, "<%d>%.*s\n", priority, (int) (nl - line), line);
                }
        }
}
