/* SPDX-License-Identifier: MIT */
/* Lexical rules for values that reach unit files, env files and scripts: no control characters,
 * no path traversal, balanced quoting, names systemd accepts. */
#include "spec/syntax.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "util/units.h"
#include "util/xalloc.h"

static bool has_control(const char *s) {
        for (const unsigned char *p = (const unsigned char *) s; *p; p++)
                if (*p < 0x20 || *p == 0x7f)
                        return true;
        return false;
}

const char *syntax_check_text(const char *s) {
        if (strchr(s, '\n'))
                return "contains a newline; values that reach unit files must be one line";
        if (has_control(s))
                return "contains a control character";
        if (strlen(s) > 4096)
                return "is longer than 4096 bytes";
        return NULL;
}

static bool is_alnum(char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

const char *syntax_check_name(const char *s) {
        if (!*s)
                return "is empty";
        if (strlen(s) > 64)
                return "is longer than 64 characters";
        if (!is_alnum(s[0]))
                return "must start with a letter or digit";
        if (strstr(s, ".."))
                return "must not contain '..'";
        for (const char *p = s; *p; p++)
                if (!is_alnum(*p) && !strchr("_.-", *p))
                        return has_control(s) ? "contains a control character" : "may only contain letters, digits, '_', '.' and '-'";
        return NULL;
}

const char *syntax_check_user(const char *s) {
        if (!*s)
                return "is empty";
        if (strlen(s) > 31)
                return "is longer than 31 characters, the limit for user and group names";
        if (!(is_alnum(s[0]) || s[0] == '_') || (s[0] >= '0' && s[0] <= '9'))
                return "must start with a letter or '_'";
        for (const char *p = s; *p; p++)
                if (!is_alnum(*p) && *p != '_' && *p != '-')
                        return "may only contain letters, digits, '_' and '-'";
        return NULL;
}

const char *syntax_check_path(const char *s) {
        if (s[0] != '/')
                return "must be an absolute path (start with '/')";
        if (has_control(s))
                return "contains a control character";
        if (strlen(s) > 4095)
                return "is longer than 4095 bytes";
        for (const char *p = s; *p; p++)
                if (!is_alnum(*p) && !strchr("/._+-@:,=", *p))
                        return "may only contain letters, digits and '/._+-@:,='";
        if (strstr(s, "//"))
                return "is not normalised: contains '//'";
        if (strcmp(s, "/") != 0 && s[strlen(s) - 1] == '/')
                return "is not normalised: ends in '/'";
        for (const char *p = s; (p = strchr(p, '/')); p++) {
                size_t n = strcspn(p + 1, "/");
                if ((n == 1 && p[1] == '.') || (n == 2 && p[1] == '.' && p[2] == '.'))
                        return "must not contain '.' or '..' components";
        }
        return NULL;
}

int command_split(const char *s, char ***ret_words) {
        size_t n = 0, cap = 4;
        char **words = xcalloc(cap + 1, sizeof(char *));
        const char *p = s;
        for (;;) {
                while (*p == ' ' || *p == '\t')
                        p++;
                if (!*p)
                        break;
                char *w = xmalloc(strlen(p) + 1), *o = w;
                char quote = 0;
                for (; *p; p++) {
                        if (quote) {
                                if (*p == quote) {
                                        quote = 0;
                                        continue;
                                }
                                if (*p == '\\' && quote == '"' && p[1]) {
                                        *o++ = *++p;
                                        continue;
                                }
                                *o++ = *p;
                                continue;
                        }
                        if (*p == ' ' || *p == '\t')
                                break;
                        if (*p == '"' || *p == '\'') {
                                quote = *p;
                                continue;
                        }
                        if (*p == '\\') {
                                if (!p[1]) {
                                        free(w);
                                        strv_free(words);
                                        return -EINVAL;
                                }
                                *o++ = *++p;
                                continue;
                        }
                        *o++ = *p;
                }
                *o = 0;
                if (quote) {
                        free(w);
                        strv_free(words);
                        return -EINVAL;
                }
                if (n == cap) {
                        cap *= 2;
                        words = xreallocarray(words, cap + 1, sizeof(char *));
                }
                words[n++] = w;
                words[n] = NULL;
        }
        *ret_words = words;
        return (int) n;
}

const char *syntax_check_command(const char *s) {
        const char *why = syntax_check_text(s);
        if (why)
                return why;
        if (strchr("-@+!:|", s[0]))
                return "must not start with an executable prefix ('-', '@', '+', '!', ':', '|'); msdeploy sets privileges itself";
        char **words = NULL;
        int n = command_split(s, &words);
        if (n < 0)
                return "has unbalanced quotes or a trailing backslash";
        const char *r = NULL;
        if (n == 0)
                r = "is empty";
        else if (words[0][0] != '/')
                r = "must start with an absolute program path";
        else if (syntax_check_path(words[0]))
                r = "starts with a program path that is not a normalised absolute path";
        for (int i = 1; !r && i < n; i++)
                if (strcmp(words[i], ";") == 0)
                        r = "contains a lone ';': one command per line";
        strv_free(words);
        return r;
}

const char *syntax_check_unit_name(const char *s) {
        static const char *const suffixes[] = { ".service", ".socket", ".target", ".mount", ".path", ".timer",
                                                ".slice",   ".device", ".swap",   ".automount", ".scope", NULL };
        if (strlen(s) > 255)
                return "is longer than 255 characters, the limit for unit names";
        const char *dot = strrchr(s, '.');
        bool ok = false;
        for (const char *const *x = suffixes; *x && dot; x++)
                ok |= strcmp(dot, *x) == 0;
        if (!ok)
                return "is not a unit name: it needs a suffix such as '.service' or '.target'";
        if (dot == s)
                return "is not a unit name: nothing before the suffix";
        for (const char *p = s; p < dot; p++)
                if (!is_alnum(*p) && !strchr(":-_.\\@", *p))
                        return "may only contain letters, digits and ':-_.\\@' before its suffix";
        return NULL;
}

const char *syntax_check_env_name(const char *s) {
        if (!*s || (s[0] >= '0' && s[0] <= '9'))
                return "must start with a letter or '_'";
        for (const char *p = s; *p; p++)
                if (!is_alnum(*p) && *p != '_')
                        return "may only contain letters, digits and '_'";
        return NULL;
}

const char *syntax_check_directive(const char *s) {
        if (!(s[0] >= 'A' && s[0] <= 'Z'))
                return "is not a directive name (e.g. 'ProtectHome')";
        for (const char *p = s; *p; p++)
                if (!is_alnum(*p))
                        return "is not a directive name (e.g. 'ProtectHome')";
        return NULL;
}

const char *syntax_check_address(const char *s) {
        const char *colon = strrchr(s, ':');
        if (!colon || colon == s)
                return "must be host:port, e.g. '127.0.0.1:9090'";
        uint64_t port;
        if (parse_uint(colon + 1, 1, 65535, &port) < 0)
                return "has no valid port (1-65535)";
        if (s[0] == '[') {
                if (colon[-1] != ']')
                        return "has an unterminated IPv6 address";
                for (const char *p = s + 1; p < colon - 1; p++)
                        if (!strchr("0123456789abcdefABCDEF:.", *p))
                                return "has an invalid IPv6 address";
                return NULL;
        }
        for (const char *p = s; p < colon; p++)
                if (!is_alnum(*p) && *p != '.' && *p != '-')
                        return "has an invalid host name";
        return NULL;
}
