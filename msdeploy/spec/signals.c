/* SPDX-License-Identifier: MIT */
/* Signal names as a spec writes them for KillSignal= and SuccessExitStatus=: the canonical upper-case names with
 * the SIG prefix, which systemd reads back unchanged. */
#include "spec/signals.h"

#include <string.h>
#include <strings.h>

#include "util/suggest.h"

const char *const signal_names[] = {
        "SIGHUP",  "SIGINT",  "SIGQUIT", "SIGILL",  "SIGTRAP", "SIGABRT",   "SIGBUS",  "SIGFPE",
        "SIGKILL", "SIGUSR1", "SIGSEGV", "SIGUSR2", "SIGPIPE", "SIGALRM",   "SIGTERM", "SIGSTKFLT",
        "SIGCHLD", "SIGCONT", "SIGSTOP", "SIGTSTP", "SIGTTIN", "SIGTTOU",   "SIGURG",  "SIGXCPU",
        "SIGXFSZ", "SIGVTALRM", "SIGPROF", "SIGWINCH", "SIGIO", "SIGPWR",   "SIGSYS",  NULL,
};

bool signal_name_valid(const char *s) {
        for (const char *const *n = signal_names; *n; n++)
                if (strcmp(*n, s) == 0)
                        return true;
        return false;
}

/* Whether b is a with two neighbouring characters swapped ("SIGTREM" for "SIGTERM"), the typo plain edit distance
 * counts twice and so may rank below another name at the same distance ("SIGTRAP"). */
static bool swapped_neighbours(const char *a, const char *b) {
        size_t n = strlen(a);
        if (strlen(b) != n)
                return false;
        size_t i = 0;
        while (i < n && a[i] == b[i])
                i++;
        return i + 1 < n && a[i] == b[i + 1] && a[i + 1] == b[i] && strcmp(a + i + 2, b + i + 2) == 0;
}

const char *signal_name_suggest(const char *s) {
        /* Upper case, with the SIG prefix: "int" and "sigint" mean SIGINT. */
        char up[16] = "SIG";
        const char *name = s;
        size_t len = strlen(s), off = 3;
        if (len >= 3 && strncasecmp(name, "SIG", 3) == 0)
                name += 3, len -= 3;
        if (len == 0)
                return NULL; /* "SIG" alone names nothing */
        if (off + len >= sizeof(up))
                return suggest_closest(s, signal_names, sizeof(char *));
        for (size_t i = 0; i < len; i++)
                up[off + i] = (char) (name[i] >= 'a' && name[i] <= 'z' ? name[i] - 'a' + 'A' : name[i]);
        up[off + len] = '\0';
        for (const char *const *n = signal_names; *n; n++)
                if (strcmp(*n, up) == 0 || swapped_neighbours(*n, up))
                        return *n;
        return suggest_closest(up, signal_names, sizeof(char *));
}
