/* SPDX-License-Identifier: MIT */
/* The systemd directives a spec may set in 'hardening.overrides': every directive of systemd.exec(5) and
 * systemd.resource-control(5) that sandboxes a service, each with the grammar systemd 252's parser applies to it
 * (src/core/load-fragment.c). A value that parser would warn about and ignore ("Failed to parse ..., ignoring")
 * would silently drop the protection it replaces, so it is refused here. Anything else has its own spec key, or
 * does not belong in a hardening override. The three hardening profiles are data here too. */
#include "spec/directives.h"

#include <arpa/inet.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/capability.h>

#include "spec/syntax.h"
#include "util/suggest.h"
#include "util/xalloc.h"

/*
 * basic (tier_1, experimental): keeps a debugging developer's hands free. The service cannot gain privileges, sees
 * its own /tmp, and cannot write /usr, /boot, /etc or home directories.
 */
static const HardeningDirective basic[] = {
        { "NoNewPrivileges", "yes" },
        { "PrivateTmp", "yes" },
        { "ProtectSystem", "full" },
        { "ProtectHome", "read-only" },
        { "UMask", "0027" },
};

/*
 * standard (tier_2, validation): everything that costs a well-behaved network daemon nothing. The whole file
 * system is read-only but for ReadWritePaths=, no devices, no kernel knobs, no namespaces, the system calls of an
 * ordinary service (anything else fails with EPERM instead of killing the process, so a probing runtime such as
 * Go's keeps running), sockets limited to UNIX (sd_notify, journal) and IP.
 */
static const HardeningDirective standard[] = {
        { "NoNewPrivileges", "yes" },
        { "PrivateTmp", "yes" },
        { "ProtectSystem", "strict" },
        { "ProtectHome", "yes" },
        { "PrivateDevices", "yes" },
        { "ProtectKernelTunables", "yes" },
        { "ProtectKernelModules", "yes" },
        { "ProtectKernelLogs", "yes" },
        { "ProtectControlGroups", "yes" },
        { "ProtectClock", "yes" },
        { "ProtectHostname", "yes" },
        { "RestrictAddressFamilies", "AF_UNIX AF_INET AF_INET6" },
        { "RestrictNamespaces", "yes" },
        { "RestrictRealtime", "yes" },
        { "RestrictSUIDSGID", "yes" },
        { "LockPersonality", "yes" },
        { "SystemCallArchitectures", "native" },
        { "SystemCallFilter", "@system-service" },
        { "SystemCallErrorNumber", "EPERM" },
        { "RemoveIPC", "yes" },
        { "UMask", "0027" },
};

/*
 * strict (tier_3, operational): standard, plus what a service must be written for. No W+X memory (no JIT), no
 * privileged or resource-tuning system calls, only its own processes in /proc, a user namespace mapping nothing
 * but itself and root, private mounts, and files private to its user.
 *
 * IPAddressDeny=any with IPAddressAllow=localhost: an operational service talks to its peers on loopback (NATS,
 * the health and metrics endpoints) and nowhere else unless the spec says so. Egress is where a compromised agent
 * does its damage, so the strict profile denies it by default; a service that must reach the network overrides
 * IPAddressAllow= (or empties IPAddressDeny=) in its hardening overrides, visibly, in the spec.
 */
static const HardeningDirective strict[] = {
        { "NoNewPrivileges", "yes" },
        { "PrivateTmp", "yes" },
        { "PrivateMounts", "yes" },
        { "ProtectSystem", "strict" },
        { "ProtectHome", "yes" },
        { "PrivateDevices", "yes" },
        { "DevicePolicy", "closed" },
        { "PrivateUsers", "yes" },
        { "ProtectKernelTunables", "yes" },
        { "ProtectKernelModules", "yes" },
        { "ProtectKernelLogs", "yes" },
        { "ProtectControlGroups", "yes" },
        { "ProtectClock", "yes" },
        { "ProtectHostname", "yes" },
        { "ProtectProc", "invisible" },
        { "ProcSubset", "pid" },
        { "RestrictAddressFamilies", "AF_UNIX AF_INET AF_INET6" },
        { "IPAddressDeny", "any" },
        { "IPAddressAllow", "localhost" },
        { "RestrictNamespaces", "yes" },
        { "RestrictRealtime", "yes" },
        { "RestrictSUIDSGID", "yes" },
        { "LockPersonality", "yes" },
        { "MemoryDenyWriteExecute", "yes" },
        { "SystemCallArchitectures", "native" },
        { "SystemCallFilter", "@system-service" },
        { "SystemCallFilter", "~@privileged @resources" },
        { "SystemCallErrorNumber", "EPERM" },
        { "KeyringMode", "private" },
        { "RemoveIPC", "yes" },
        { "UMask", "0077" },
};

const HardeningDirective *hardening_profile_directives(HardeningProfile p, size_t *ret_n) {
        switch (p) {
        case HARDENING_BASIC:
                *ret_n = ELEMENTSOF(basic);
                return basic;
        case HARDENING_STANDARD:
                *ret_n = ELEMENTSOF(standard);
                return standard;
        case HARDENING_STRICT:
                *ret_n = ELEMENTSOF(strict);
                return strict;
        default:
                *ret_n = 0;
                return NULL;
        }
}

typedef enum Grammar {
        G_BOOL,        /* parse_boolean(): yes/no, true/false, on/off, 1/0, y/n, t/f */
        G_LEVELS,      /* one of .levels; with .boolean also a boolean, read as "no" or "yes" */
        G_UMASK,       /* octal 0..0777 */
        G_NAMESPACES,  /* a boolean, or [~]cgroup ipc net mnt pid user uts */
        G_FAMILIES,    /* "none", or [~]AF_* ... */
        G_SYSCALLS,    /* [~]@group or name, each with an optional :errno */
        G_ARCHS,       /* native, x86-64, ... */
        G_ERRNO,       /* an errno name */
        G_CAPS,        /* [~]CAP_* ... */
        G_ADDRESSES,   /* any, localhost, link-local, multicast, ADDRESS[/PREFIX] ... */
        G_SOCKET_BIND, /* any, or [ipv4:|ipv6:][tcp:|udp:]PORT[-PORT] */
        G_FILESYSTEMS, /* [~]@group or file system name ... */
        G_INTERFACES,  /* [~]interface names */
        G_GROUPS,      /* group names */
        G_SECUREBITS,  /* keep-caps, noroot, ... (and their -locked forms) */
        G_PATHS,       /* [-][+]/path ... */
        G_BIND_PATHS,  /* [-]/source[:/destination[:rbind|norbind]] ... */
        G_TMPFS,       /* /path[:mount options] ... */
        G_DEVICE,      /* one device node or class, then optional access rwm */
} Grammar;

typedef struct Level {
        const char *value;
        int rank; /* higher protects more */
} Level;

typedef struct Directive {
        const char *name;     /* first: read by suggest_closest() */
        Grammar grammar;
        bool boolean;         /* G_LEVELS: a boolean is allowed too ("no" and "yes" are then among levels) */
        const Level *levels;  /* G_LEVELS, terminated by a NULL value */
} Directive;

#define LEVELS(...) ((const Level[]) { __VA_ARGS__, { NULL, 0 } })

/* Sorted by name. */
static const Directive directives[] = {
        { "AmbientCapabilities", G_CAPS },
        { "BindPaths", G_BIND_PATHS },
        { "BindReadOnlyPaths", G_BIND_PATHS },
        { "CapabilityBoundingSet", G_CAPS },
        { "DeviceAllow", G_DEVICE },
        { "DevicePolicy", G_LEVELS, false, LEVELS({ "auto", 0 }, { "closed", 1 }, { "strict", 2 }) },
        { "DynamicUser", G_BOOL },
        { "ExecPaths", G_PATHS },
        { "IPAddressAllow", G_ADDRESSES },
        { "IPAddressDeny", G_ADDRESSES },
        { "InaccessiblePaths", G_PATHS },
        { "KeyringMode", G_LEVELS, false, LEVELS({ "inherit", 0 }, { "shared", 0 }, { "private", 1 }) },
        { "LockPersonality", G_BOOL },
        { "MemoryDenyWriteExecute", G_BOOL },
        { "MountFlags", G_LEVELS, false, LEVELS({ "shared", 0 }, { "slave", 0 }, { "private", 0 }) },
        { "NoExecPaths", G_PATHS },
        { "NoNewPrivileges", G_BOOL },
        { "PrivateDevices", G_BOOL },
        { "PrivateIPC", G_BOOL },
        { "PrivateMounts", G_BOOL },
        { "PrivateNetwork", G_BOOL },
        { "PrivateTmp", G_BOOL },
        { "PrivateUsers", G_BOOL },
        { "ProcSubset", G_LEVELS, false, LEVELS({ "all", 0 }, { "pid", 1 }) },
        { "ProtectClock", G_BOOL },
        { "ProtectControlGroups", G_BOOL },
        { "ProtectHome", G_LEVELS, true, LEVELS({ "no", 0 }, { "read-only", 1 }, { "tmpfs", 1 }, { "yes", 2 }) },
        { "ProtectHostname", G_BOOL },
        { "ProtectKernelLogs", G_BOOL },
        { "ProtectKernelModules", G_BOOL },
        { "ProtectKernelTunables", G_BOOL },
        { "ProtectProc", G_LEVELS, false, LEVELS({ "default", 0 }, { "ptraceable", 1 }, { "noaccess", 1 }, { "invisible", 2 }) },
        { "ProtectSystem", G_LEVELS, true, LEVELS({ "no", 0 }, { "yes", 1 }, { "full", 2 }, { "strict", 3 }) },
        { "ReadOnlyPaths", G_PATHS },
        { "ReadWritePaths", G_PATHS },
        { "RemoveIPC", G_BOOL },
        { "RestrictAddressFamilies", G_FAMILIES },
        { "RestrictFileSystems", G_FILESYSTEMS },
        { "RestrictNamespaces", G_NAMESPACES },
        { "RestrictNetworkInterfaces", G_INTERFACES },
        { "RestrictRealtime", G_BOOL },
        { "RestrictSUIDSGID", G_BOOL },
        { "SecureBits", G_SECUREBITS },
        { "SocketBindAllow", G_SOCKET_BIND },
        { "SocketBindDeny", G_SOCKET_BIND },
        { "SupplementaryGroups", G_GROUPS },
        { "SystemCallArchitectures", G_ARCHS },
        { "SystemCallErrorNumber", G_ERRNO },
        { "SystemCallFilter", G_SYSCALLS },
        { "SystemCallLog", G_SYSCALLS },
        { "TemporaryFileSystem", G_TMPFS },
        { "UMask", G_UMASK },
        { NULL },
};

static int directive_cmp(const void *key, const void *entry) {
        return strcmp(key, ((const Directive *) entry)->name);
}

static const Directive *directive_find(const char *key) {
        return bsearch(key, directives, ELEMENTSOF(directives) - 1, sizeof(Directive), directive_cmp);
}

bool directive_overridable(const char *key) {
        return directive_find(key) != NULL;
}

const char *directive_suggest(const char *key) {
        return suggest_closest(key, &directives[0].name, sizeof(Directive));
}

/* systemd's parse_boolean(); -1 when s is not a boolean */
static int boolean(const char *s) {
        static const char *const yes[] = { "1", "yes", "y", "true", "t", "on" }, *const no[] = { "0", "no", "n", "false", "f", "off" };
        for (size_t i = 0; i < ELEMENTSOF(yes); i++) {
                if (strcasecmp(s, yes[i]) == 0)
                        return 1;
                if (strcasecmp(s, no[i]) == 0)
                        return 0;
        }
        return -1;
}

/* The rank of v among d's levels (a boolean as "no" or "yes"), or -1. */
static int level_rank(const Directive *d, const char *v) {
        int b = d->boolean ? boolean(v) : -1;
        if (b >= 0)
                v = b ? "yes" : "no";
        for (const Level *l = d->levels; l->value; l++)
                if (strcmp(l->value, v) == 0)
                        return l->rank;
        return -1;
}

static bool all_of(const char *s, const char *set) {
        return *s && s[strspn(s, set)] == 0;
}

#define LOWER "abcdefghijklmnopqrstuvwxyz"
#define UPPER "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
#define DIGITS "0123456789"

static bool errno_name(const char *s) {
        for (int e = 1; e < 4096; e++) {
                const char *n = strerrorname_np(e);
                if (n && strcmp(n, s) == 0)
                        return true;
        }
        return false;
}

/* A port or a range "1000-1999" */
static bool port_range(const char *s) {
        char *end;
        unsigned long a = strtoul(s, &end, 10), b = a;
        if (end == s || !strchr(DIGITS, s[0]))
                return false;
        if (*end == '-') {
                const char *t = end + 1;
                if (!strchr(DIGITS, *t) || !*t)
                        return false;
                b = strtoul(t, &end, 10);
        }
        return *end == 0 && a <= 65535 && b <= 65535 && a <= b;
}

static bool ip_address(const char *w) {
        if (strcmp(w, "any") == 0 || strcmp(w, "localhost") == 0 || strcmp(w, "link-local") == 0 || strcmp(w, "multicast") == 0)
                return true;
        char buf[64];
        const char *slash = strchr(w, '/');
        size_t n = slash ? (size_t) (slash - w) : strlen(w);
        if (n >= sizeof(buf))
                return false;
        memcpy(buf, w, n);
        buf[n] = 0;
        unsigned char addr[16];
        int family = inet_pton(AF_INET, buf, addr) == 1 ? AF_INET : inet_pton(AF_INET6, buf, addr) == 1 ? AF_INET6 : 0;
        if (!family)
                return false;
        if (!slash)
                return true;
        char *end;
        unsigned long prefix = strtoul(slash + 1, &end, 10);
        return strchr(DIGITS, slash[1]) && slash[1] && *end == 0 && prefix <= (family == AF_INET ? 32u : 128u);
}

/* A path of a path list: absolute, normalised unless it uses specifiers ('%N'), which systemd resolves first. */
static const char *path_word(const char *p) {
        if (p[0] != '/')
                return "names a path that is not absolute";
        if (strpbrk(p, "\"'\\"))
                return "contains a quote or a backslash";
        for (const char *s = strchr(p, '%'); s; s = strchr(s + 2, '%'))
                if (!s[1] || !strchr("aAbBCdEfgGhHiIjJlLmMnNopPsStTuUvVwWyY%", s[1]))
                        return "contains a '%' that is not a specifier (write '%%' for a '%')";
        if (!strchr(p, '%') && syntax_check_path(p))
                return "names a path that is not an absolute, normalised path";
        return NULL;
}

/* Why one word w of a list of grammar g is wrong, or NULL. */
static const char *word_problem(Grammar g, const char *w) {
        cap_value_t cap;
        switch (g) {
        case G_FAMILIES:
                return strncmp(w, "AF_", 3) == 0 && all_of(w + 3, UPPER DIGITS "_") ? NULL : "names an address family that is not 'AF_...'";
        case G_NAMESPACES:
                return strcmp(w, "cgroup") == 0 || strcmp(w, "ipc") == 0 || strcmp(w, "net") == 0 || strcmp(w, "mnt") == 0 ||
                                               strcmp(w, "pid") == 0 || strcmp(w, "user") == 0 || strcmp(w, "uts") == 0
                               ? NULL
                               : "names a namespace type other than cgroup, ipc, net, mnt, pid, user or uts";
        case G_SYSCALLS: {
                const char *colon = strchr(w, ':');
                char name[128];
                size_t n = colon ? (size_t) (colon - w) : strlen(w);
                if (n == 0 || n >= sizeof(name))
                        return "names no system call";
                memcpy(name, w, n);
                name[n] = 0;
                if (colon && !errno_name(colon + 1) && !all_of(colon + 1, DIGITS))
                        return "has an errno after ':' that is not a name such as 'EPERM'";
                if (name[0] == '@')
                        return all_of(name + 1, LOWER "-") ? NULL : "names a system call group that is not '@' and lowercase letters";
                return all_of(name, LOWER DIGITS "_") ? NULL : "names a system call that is not lowercase letters, digits and '_'";
        }
        case G_ARCHS:
                return all_of(w, LOWER DIGITS "_-") ? NULL : "names an architecture that is not 'native' or e.g. 'x86-64'";
        case G_CAPS:
                return strncmp(w, "CAP_", 4) == 0 && cap_from_name(w, &cap) == 0 ? NULL : "names a capability libcap does not know";
        case G_ADDRESSES:
                return ip_address(w) ? NULL : "is not 'any', 'localhost', 'link-local', 'multicast' or an address with an optional /prefix";
        case G_SOCKET_BIND: {
                if (strcmp(w, "any") == 0)
                        return NULL;
                const char *p = w;
                if (strncmp(p, "ipv4:", 5) == 0 || strncmp(p, "ipv6:", 5) == 0)
                        p += 5;
                if (strncmp(p, "tcp:", 4) == 0 || strncmp(p, "udp:", 4) == 0)
                        p += 4;
                return port_range(p) ? NULL : "is not 'any' or [ipv4:|ipv6:][tcp:|udp:]PORT[-PORT]";
        }
        case G_FILESYSTEMS:
                return all_of(w[0] == '@' ? w + 1 : w, LOWER DIGITS "_.-") ? NULL : "names a file system that is not lowercase letters and digits";
        case G_INTERFACES:
                return strlen(w) <= 15 && all_of(w, LOWER UPPER DIGITS "_.:-") ? NULL : "names an interface that is not a network interface name";
        case G_GROUPS:
                return syntax_check_user(w);
        case G_SECUREBITS: {
                static const char *const bits[] = { "keep-caps", "keep-caps-locked", "no-setuid-fixup", "no-setuid-fixup-locked",
                                                    "noroot", "noroot-locked" };
                for (size_t i = 0; i < ELEMENTSOF(bits); i++)
                        if (strcmp(w, bits[i]) == 0)
                                return NULL;
                return "names a secure bit other than keep-caps, no-setuid-fixup, noroot (or their -locked forms)";
        }
        case G_PATHS:
                return path_word(w + (w[0] == '-' ? 1 + (w[1] == '+') : w[0] == '+' ? 1 + (w[1] == '-') : 0));
        case G_BIND_PATHS: {
                _cleanup_free_ char *copy = xstrdup(w + (w[0] == '-'));
                char *dst = strchr(copy, ':'), *opts = dst ? strchr(dst + 1, ':') : NULL;
                if (dst)
                        *dst++ = 0;
                if (opts)
                        *opts++ = 0;
                const char *why = path_word(copy);
                if (!why && dst)
                        why = path_word(dst);
                if (!why && opts && strcmp(opts, "rbind") != 0 && strcmp(opts, "norbind") != 0)
                        why = "has an option other than 'rbind' or 'norbind'";
                return why;
        }
        case G_TMPFS: {
                _cleanup_free_ char *copy = xstrdup(w);
                char *opts = strchr(copy, ':');
                if (opts)
                        *opts++ = 0;
                const char *why = path_word(copy);
                if (!why && opts && !all_of(opts, LOWER DIGITS "=,_-"))
                        why = "has mount options that are not lowercase words, '=' and ','";
                return why;
        }
        default:
                return NULL;
        }
}

/* A list of words separated by spaces; an optional leading '~' (an exclusion list) when tilde. */
static const char *check_words(Grammar g, const char *v, bool tilde, char *buf, size_t size) {
        if (tilde && v[0] == '~')
                v++;
        _cleanup_free_ char *copy = xstrdup(v);
        for (char *save = NULL, *w = strtok_r(copy, " ", &save); w; w = strtok_r(NULL, " ", &save)) {
                const char *why = word_problem(g, w);
                if (why) {
                        snprintf(buf, size, "has '%s', which %s", w, why);
                        return buf;
                }
        }
        return NULL;
}

const char *directive_check_value(const char *key, const char *value, char *buf, size_t size) {
        const Directive *d = directive_find(key);
        if (!d)
                return "is not an overridable directive";
        if (strpbrk(value, "\t\\\"'") && d->grammar != G_BOOL)
                return "contains a tab, a quote or a backslash, which systemd would read as quoting or escapes";
        if (strstr(value, "  ") || value[0] == ' ' || (value[0] && value[strlen(value) - 1] == ' '))
                return "has leading, trailing or doubled spaces";
        switch (d->grammar) {
        case G_BOOL:
                return boolean(value) >= 0 ? NULL : "is not a boolean; use 'yes' or 'no'";
        case G_LEVELS:
                if (level_rank(d, value) >= 0)
                        return NULL;
                size_t off = (size_t) snprintf(buf, size, "is not valid; allowed: ");
                for (const Level *l = d->levels; l->value && off < size; l++)
                        off += (size_t) snprintf(buf + off, size - off, "%s'%s'", l == d->levels ? "" : l[1].value ? ", " : " or ", l->value);
                return buf;
        case G_UMASK: {
                char *end;
                unsigned long m = strtoul(value, &end, 8);
                return all_of(value, "01234567") && *end == 0 && m <= 0777 ? NULL : "is not an octal umask from 0000 to 0777";
        }
        case G_NAMESPACES:
                if (boolean(value) >= 0)
                        return NULL;
                return check_words(G_NAMESPACES, value, true, buf, size);
        case G_FAMILIES:
                if (strcmp(value, "none") == 0)
                        return NULL;
                return check_words(d->grammar, value, true, buf, size);
        case G_ERRNO:
                return errno_name(value) ? NULL : "is not an errno name such as 'EPERM'";
        case G_SYSCALLS: {
                /* an errno goes with a system call that is denied: only in a '~' list of SystemCallFilter= */
                const char *why = check_words(d->grammar, value, true, buf, size);
                if (!why && strchr(value, ':') && (value[0] != '~' || strcmp(key, "SystemCallFilter") != 0))
                        why = value[0] == '~' ? "takes no ':errno' after a system call" : "allows system calls, which take no ':errno' (only a '~' list denies)";
                return why;
        }
        case G_CAPS:
        case G_FILESYSTEMS:
        case G_INTERFACES:
                return check_words(d->grammar, value, true, buf, size);
        case G_DEVICE: {
                const char *sp = strchr(value, ' ');
                _cleanup_free_ char *node = xstrndup(value, sp ? (size_t) (sp - value) : strlen(value));
                bool class = (strncmp(node, "char-", 5) == 0 && node[5]) || (strncmp(node, "block-", 6) == 0 && node[6]);
                if (!class && (strncmp(node, "/dev/", 5) != 0 || syntax_check_path(node)))
                        return "is not a device node under /dev or a class 'char-NAME' or 'block-NAME'";
                if (sp && (!all_of(sp + 1, "rwm") || strlen(sp + 1) > 3))
                        return "has an access mode other than a combination of 'r', 'w' and 'm'";
                return NULL;
        }
        default:
                return check_words(d->grammar, value, false, buf, size);
        }
}

/* Whether every word of v is one of the words of set. */
static bool words_within(const char *v, const char *set) {
        _cleanup_free_ char *copy = xstrdup(v);
        for (char *save = NULL, *w = strtok_r(copy, " ", &save); w; w = strtok_r(NULL, " ", &save)) {
                size_t n = strlen(w);
                bool found = false;
                for (const char *s = set; !found && (s = strstr(s, w)); s += n)
                        found = (s == set || s[-1] == ' ') && (s[n] == ' ' || s[n] == 0);
                if (!found)
                        return false;
        }
        return true;
}

bool directive_weaker(const char *key, const char *value, const char *base) {
        const Directive *d = directive_find(key);
        if (!d)
                return false;
        /* Capabilities: base is what the service keeps (its 'capabilities'); any other one is more */
        if (d->grammar == G_CAPS)
                return value[0] == '~' || !words_within(value, base ? base : "");
        if (!base)
                return false;
        switch (d->grammar) {
        case G_BOOL:
                return boolean(value) < boolean(base);
        case G_LEVELS:
                return level_rank(d, value) < level_rank(d, base);
        case G_NAMESPACES:
                return boolean(value) != 1 && boolean(base) == 1;
        case G_UMASK:
                return (strtoul(base, NULL, 8) & ~strtoul(value, NULL, 8)) != 0;
        case G_FAMILIES:
                return value[0] == '~' || (strcmp(value, "none") != 0 && !words_within(value, base));
        case G_ADDRESSES:
                /* IPAddressDeny= must still deny everything; IPAddressAllow= may add nothing but what base allows */
                return strcmp(key, "IPAddressDeny") == 0 ? !words_within("any", value) : !words_within(value, base);
        case G_ERRNO:
                return false;
        case G_SYSCALLS: /* one override replaces every line of the profile's filter, which may be several */
                return true;
        default:
                return strcmp(value, base) != 0;
        }
}
