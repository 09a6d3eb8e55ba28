/* SPDX-License-Identifier: MIT */
/* Lexical rules for values that reach unit files, env files and scripts: no control characters,
 * no path traversal, balanced quoting, names systemd accepts. */
#include "spec/syntax.h"

#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "util/units.h"
#include "util/utf8.h"
#include "util/xalloc.h"

/* C0 controls and DEL, the C1 controls U+0080..U+009F (NEL, U+0085, among them) and the line and paragraph
 * separators U+2028 and U+2029: YAML readers (msd-supervisor's libyaml among them) and editors take the last
 * ones for line breaks. The text is valid UTF-8 (the loader refuses anything else). */
static bool has_control(const char *s) {
        for (const unsigned char *p = (const unsigned char *) s; *p; p++)
                if (*p < 0x20 || *p == 0x7f || (p[0] == 0xc2 && p[1] >= 0x80 && p[1] <= 0x9f) ||
                    (p[0] == 0xe2 && p[1] == 0x80 && (p[2] == 0xa8 || p[2] == 0xa9)))
                        return true;
        return false;
}

/* Unicode's noncharacters, U+FDD0..U+FDEF and the last two code points of every plane (U+FFFE, U+FFFF, U+1FFFE, ...):
 * systemd 252's utf8_is_valid() refuses them, so it ignores a unit directive ("String is not UTF-8 clean, ignoring
 * assignment"), an environment variable or a sysusers.d GECOS field that holds one. The text is valid UTF-8. */
static bool has_noncharacter(const char *s) {
        const unsigned char *p = (const unsigned char *) s, *end = p + strlen(s);
        while (p < end) {
                size_t len = utf8_sequence_length(p, (size_t) (end - p));
                if (len == 0)
                        return false;
                uint32_t c = utf8_code_point(p, len);
                if ((c >= 0xfdd0 && c <= 0xfdef) || (c & 0xfffe) == 0xfffe)
                        return true;
                p += len;
        }
        return false;
}

const char *syntax_check_text(const char *s) {
        if (strchr(s, '\n'))
                return "contains a newline; values that reach unit files must be one line";
        if (has_control(s))
                return "contains a control character (C0 or C1) or a Unicode line or paragraph separator";
        if (has_noncharacter(s))
                return "contains a Unicode noncharacter (U+FDD0 to U+FDEF, U+FFFE, U+FFFF, ...), which systemd refuses as not UTF-8";
        if (strlen(s) > 4096)
                return "is longer than 4096 bytes";
        return NULL;
}

const char *syntax_check_edge_space(const char *s) {
        size_t n = strlen(s);
        if (n > 0 && (s[0] == ' ' || s[n - 1] == ' '))
                return "begins or ends with a space, which systemd strips from a unit file value; remove it";
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
        if (strlen(s) >= PATH_MAX)
                return "is longer than 4095 bytes (PATH_MAX)";
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
                if (n > NAME_MAX)
                        return "has a component longer than 255 bytes (NAME_MAX), which no file system takes";
        }
        return NULL;
}

static int unhex(char c) {
        return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
}

/* systemd's cunescape_one() (src/basic/escape.c) for the escape after a backslash at p: the bytes it stands for
 * into out (UTF-8 for \u and \U, the raw byte for \x and octal), the length of the escape, or -EINVAL for one
 * systemd does not know, which it warns about ("Ignoring unknown escape sequences"). NUL is never allowed. */
static int cunescape_one(const char *p, char *out, size_t *ret_n) {
        static const char simple[] = "a\ab\bf\fn\nr\rt\tv\v\\\\\"\"''s ";
        for (const char *x = simple; *x; x += 2)
                if (p[0] == x[0]) {
                        out[0] = x[1];
                        *ret_n = 1;
                        return 1;
                }
        unsigned long c = 0;
        int len;
        switch (p[0]) {
        case 'x':
        case 'u':
        case 'U':
                len = p[0] == 'x' ? 2 : p[0] == 'u' ? 4 : 8;
                for (int i = 1; i <= len; i++) {
                        int h = unhex(p[i]);
                        if (h < 0)
                                return -EINVAL;
                        c = c << 4 | (unsigned long) h;
                }
                break;
        case '0' ... '7':
                len = 2; /* three octal digits in all */
                for (int i = 0; i <= 2; i++) {
                        if (p[i] < '0' || p[i] > '7')
                                return -EINVAL;
                        c = c << 3 | (unsigned long) (p[i] - '0');
                }
                if (c > 255)
                        return -EINVAL;
                break;
        default:
                return -EINVAL;
        }
        if (c == 0)
                return -EINVAL;
        if (p[0] == 'x' || (p[0] >= '0' && p[0] <= '7')) {
                out[0] = (char) c;
                *ret_n = 1;
                return len + 1;
        }
        if (c > 0x10ffff || (c >= 0xd800 && c <= 0xdfff))
                return -EINVAL;
        size_t n = c < 0x80 ? 1 : c < 0x800 ? 2 : c < 0x10000 ? 3 : 4;
        static const unsigned char lead[] = { 0, 0, 0xc0, 0xe0, 0xf0 };
        for (size_t i = n - 1; i > 0; i--, c >>= 6)
                out[i] = (char) (0x80 | (c & 0x3f));
        out[0] = (char) (lead[n] | c);
        *ret_n = n;
        return len + 1;
}

int command_split_full(const char *s, char ***ret_words, const char **ret_why) {
        const char *why = NULL;
        char **words = xcalloc(1, sizeof(char *));
        size_t n = 0;
        const char *p = s;
        for (;;) {
                p += strspn(p, " \t\n\r");
                if (!*p)
                        break;
                /* an unquoted ';' on its own separates commands in ExecStart= */
                if (p[0] == ';' && (!p[1] || strchr(" \t\n\r", p[1]))) {
                        why = "contains a lone ';': one command per line";
                        goto fail;
                }
                char *w = xmalloc(strlen(p) * 4 + 1), *o = w;
                char quote = 0;
                /* and '\;' on its own is a literal ';' (systemd checks for it before unescaping) */
                if (p[0] == '\\' && p[1] == ';' && (!p[2] || strchr(" \t\n\r", p[2]))) {
                        *o++ = ';';
                        p += 2;
                }
                for (; *p && (quote || !strchr(" \t\n\r", *p)); p++) {
                        if (*p == quote) {
                                quote = 0;
                                continue;
                        }
                        if (!quote && (*p == '"' || *p == '\'')) {
                                quote = *p;
                                continue;
                        }
                        if (*p != '\\') {
                                *o++ = *p;
                                continue;
                        }
                        size_t k;
                        int r = p[1] ? cunescape_one(p + 1, o, &k) : -EINVAL;
                        if (r < 0) {
                                why = p[1] ? "has an escape sequence systemd does not know (write '\\\\' for a backslash)"
                                           : "ends in a backslash";
                                free(w);
                                goto fail;
                        }
                        o += k;
                        p += r;
                }
                *o = 0;
                if (quote) {
                        why = "has unbalanced quotes";
                        free(w);
                        goto fail;
                }
                words = xreallocarray(words, n + 2, sizeof(char *));
                words[n++] = w;
                words[n] = NULL;
        }
        *ret_words = words;
        return (int) n;
fail:
        strv_free(words);
        if (ret_why)
                *ret_why = why;
        return -EINVAL;
}

int command_split(const char *s, char ***ret_words) {
        return command_split_full(s, ret_words, NULL);
}

const char *syntax_check_command(const char *s) {
        const char *why = syntax_check_text(s);
        if (!why)
                why = syntax_check_edge_space(s);
        if (why)
                return why;
        if (strchr("-@+!:|", s[0]))
                return "must not start with an executable prefix ('-', '@', '+', '!', ':', '|'); msdeploy sets privileges itself";
        char **words = NULL;
        const char *why_split = NULL;
        int n = command_split_full(s, &words, &why_split);
        if (n < 0)
                return why_split;
        const char *r = NULL;
        if (n == 0)
                r = "is empty";
        else if (words[0][0] != '/')
                r = "must start with an absolute program path";
        else if (syntax_check_path(words[0])) /* as systemd reads it: quotes removed, escapes resolved */
                r = "starts with a program path that is not a normalised absolute path (as systemd reads it, escapes resolved)";
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

const char *syntax_check_url(const char *s) {
        if (strncmp(s, "http://", 7) != 0 && strncmp(s, "https://", 8) != 0)
                return "must be an http:// or https:// URL";
        if (strpbrk(s, " \"'\\`$"))
                return "must not contain spaces, quotes, '\\', '`' or '$'";
        const char *host = s + (s[4] == 's' ? 8 : 7);
        if (!*host || *host == '/' || *host == ':')
                return "has no host";
        return syntax_check_text(s);
}

const char *syntax_check_check_target(HealthKind kind, const char *target) {
        switch (kind) {
        case HEALTH_HTTP:
                return syntax_check_url(target);
        case HEALTH_TCP:
        case HEALTH_DATABASE:
                return syntax_check_address(target);
        case HEALTH_PROCESS:
                return strchr(target, '/') ? "must be a process name, not a path" : syntax_check_name(target);
        case HEALTH_SCRIPT:
                return syntax_check_path(target);
        default:
                return "is of no known kind";
        }
}

const char *syntax_check_readiness_check(const char *s) {
        if (strncmp(s, "http://", 7) == 0 || strncmp(s, "https://", 8) == 0)
                return syntax_check_url(s);
        return syntax_check_address(s) ? "must be an http:// or https:// URL, or host:port (e.g. '127.0.0.1:8080')" : NULL;
}

/* A word of a variable's name that says it holds a secret: API_KEY, DB_PASSWORD, GITHUB_TOKEN, ... */
static bool secret_word(const char *w, size_t n) {
        static const char *const words[] = { "PASSWORD", "PASSWD", "PASSPHRASE", "SECRET", "TOKEN", "KEY", "APIKEY",
                                             "CREDENTIAL", "CREDENTIALS", "PRIVATE", "AUTH" };
        for (size_t i = 0; i < ELEMENTSOF(words); i++)
                if (strlen(words[i]) == n && strncasecmp(w, words[i], n) == 0)
                        return true;
        return false;
}

/* A URL with a password: scheme://user:password@host */
static bool url_has_password(const char *v) {
        const char *p = strstr(v, "://");
        if (!p)
                return false;
        p += 3;
        size_t authority = strcspn(p, "/?#");
        const char *at = memrchr(p, '@', authority);
        return at && memchr(p, ':', (size_t) (at - p));
}

const char *syntax_secret_hint(const char *name, const char *value) {
        if (url_has_password(value))
                return "holds a URL with a password";
        if (strstr(value, "-----BEGIN "))
                return "holds a PEM key or certificate";
        /* a path or a reference to another variable is no secret itself */
        if (!*value || value[0] == '/' || value[0] == '$' || !name)
                return NULL;
        for (const char *p = name; *p; p += strspn(p, "_")) {
                size_t n = strcspn(p, "_");
                if (secret_word(p, n))
                        return "has a name that says it holds a secret";
                p += n;
        }
        return NULL;
}
