/* SPDX-License-Identifier: MIT */
/* Network figures: per-interface counters from /proc/net/dev, TCP connections from /proc/net/tcp{,6}. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "supervisor/host/monitor-internal.h"
#include "supervisor/host/monitor.h"
#include "util/xalloc.h"
#include "util/enum-table.h"

#define TCP_LINE_MAX 4096u            /* a /proc/net/tcp6 line is about 180 bytes */
#define TCP_LINES_MAX (4u * 1024u * 1024u) /* per file: bounds the time a pathological table costs */

/*
 * /proc/net/dev: two header lines, then per interface its name, a colon and 16 counters: received bytes,
 * packets, errs, drop, fifo, frame, compressed, multicast, then sent bytes, packets, errs, drop, fifo,
 * colls, carrier, compressed:
 *       lo:  123456     789    0    0    0     0          0         0   123456     789    0    0 ...
 */
int sv_monitor_net_dev(const char *root, SvNetDev **ret, size_t *ret_n) {
        _cleanup_free_ char *text = NULL;
        int r = sv_mon_read(root, "/proc/net/dev", &text);
        if (r < 0)
                return r;

        _cleanup_free_ SvNetDev *devs = NULL;
        size_t n = 0;
        unsigned lineno = 0;
        for (char *line = text; line && *line; lineno++) {
                char *nl = strchr(line, '\n');
                if (nl)
                        *nl = 0;
                char *next = nl ? nl + 1 : NULL;
                if (lineno < 2) { /* the two header lines */
                        line = next;
                        continue;
                }
                line += strspn(line, " ");
                if (!*line) {
                        line = next;
                        continue;
                }
                char *colon = strrchr(line, ':');
                if (!colon || colon == line || (size_t) (colon - line) >= SV_NET_IFNAME_MAX)
                        return -EBADMSG;
                if (n >= SV_NET_DEV_MAX)
                        return -E2BIG;

                SvNetDev d = { 0 };
                memcpy(d.name, line, (size_t) (colon - line));
                uint64_t v[16];
                const char *p = colon + 1;
                for (size_t i = 0; i < ELEMENTSOF(v); i++) {
                        r = sv_mon_parse_u64(&p, &v[i]);
                        if (r < 0)
                                return -EBADMSG;
                }
                d.rx_bytes = v[0], d.rx_packets = v[1], d.rx_errors = v[2], d.rx_drops = v[3];
                d.tx_bytes = v[8], d.tx_packets = v[9], d.tx_errors = v[10], d.tx_drops = v[11];
                devs = xreallocarray(devs, n + 1, sizeof(*devs));
                devs[n++] = d;
                line = next;
        }
        *ret = TAKE_PTR(devs);
        *ret_n = n;
        return 0;
}

static const char *const sv_tcp_state_table[_SV_TCP_STATE_MAX] = {
        [SV_TCP_ESTABLISHED] = "established", [SV_TCP_SYN_SENT] = "syn_sent",
        [SV_TCP_SYN_RECV] = "syn_recv",       [SV_TCP_FIN_WAIT1] = "fin_wait1",
        [SV_TCP_FIN_WAIT2] = "fin_wait2",     [SV_TCP_TIME_WAIT] = "time_wait",
        [SV_TCP_CLOSE] = "close",             [SV_TCP_CLOSE_WAIT] = "close_wait",
        [SV_TCP_LAST_ACK] = "last_ack",       [SV_TCP_LISTEN] = "listen",
        [SV_TCP_CLOSING] = "closing",         [SV_TCP_NEW_SYN_RECV] = "new_syn_recv",
};
ENUM_STRING_TABLE(sv_tcp_state, SvTcpState, _SV_TCP_STATE_MAX)

static int hexval(char c) {
        if (c >= '0' && c <= '9')
                return c - '0';
        if (c >= 'A' && c <= 'F')
                return c - 'A' + 10;
        if (c >= 'a' && c <= 'f')
                return c - 'a' + 10;
        return -1;
}

/* "   0: 0100007F:1F90 00000000:0000 0A 00000000:00000000 00:00000000 00000000  1000 ..." -> local port, state */
static int parse_tcp_line(const char *line, uint16_t *ret_port, int *ret_state) {
        const char *p = line + strspn(line, " ");
        p += strcspn(p, " ");                     /* "0:" */
        p += strspn(p, " ");
        size_t n = strcspn(p, " ");               /* local address:port */
        const char *colon = memchr(p, ':', n);
        if (!colon || p + n - colon != 5)
                return -EBADMSG;
        unsigned port = 0;
        for (int i = 1; i <= 4; i++) {
                int h = hexval(colon[i]);
                if (h < 0)
                        return -EBADMSG;
                port = port * 16 + (unsigned) h;
        }
        p += n;
        p += strspn(p, " ");
        p += strcspn(p, " ");                     /* remote address:port */
        p += strspn(p, " ");
        int h1 = hexval(p[0]), h2 = hexval(p[1]);
        if (h1 < 0 || h2 < 0 || (p[2] != ' ' && p[2] != 0 && p[2] != '\n'))
                return -EBADMSG;
        *ret_port = (uint16_t) port;
        *ret_state = h1 * 16 + h2;
        return 0;
}

/* pass 0: states and listening ports; pass 1: established connections per listening port */
static int tcp_pass(const char *root, const char *path, int pass, SvTcpStats *t, uint16_t *listen,
                    size_t *n_listen, size_t listen_cap) {
        _cleanup_free_ char *full = sv_mon_path(root, path);
        int fd = open(full, O_RDONLY | O_CLOEXEC | O_NOCTTY);
        if (fd < 0)
                return -errno;
        _cleanup_fclose_ FILE *f = fdopen(fd, "re");
        if (!f) {
                int r = -errno;
                close(fd);
                return r;
        }

        _cleanup_free_ char *line = NULL;
        size_t cap = 0;
        ssize_t len;
        for (unsigned lineno = 0; (len = getline(&line, &cap, f)) >= 0; lineno++) {
                if (lineno == 0) /* "  sl  local_address rem_address   st ..." */
                        continue;
                if (lineno > TCP_LINES_MAX || (size_t) len > TCP_LINE_MAX)
                        return -E2BIG;
                uint16_t port;
                int state;
                int r = parse_tcp_line(line, &port, &state);
                if (r < 0)
                        return r;
                if (state <= 0 || state >= _SV_TCP_STATE_MAX)
                        continue; /* a state this code does not know: not counted */
                if (pass == 0) {
                        t->states[state]++;
                        if (state != SV_TCP_LISTEN)
                                continue;
                        bool seen = false;
                        for (size_t i = 0; i < *n_listen && !seen; i++)
                                seen = listen[i] == port;
                        if (!seen && *n_listen < listen_cap)
                                listen[(*n_listen)++] = port;
                } else if (state == SV_TCP_ESTABLISHED) {
                        for (size_t i = 0; i < t->n_ports; i++)
                                if (t->ports[i].port == port) {
                                        t->ports[i].established++;
                                        break;
                                }
                }
        }
        if (ferror(f))
                return -EIO;
        return 0;
}

static int cmp_u16(const void *a, const void *b) {
        uint16_t x = *(const uint16_t *) a, y = *(const uint16_t *) b;
        return (x > y) - (x < y);
}

int sv_monitor_tcp(const char *root, SvTcpStats *ret) {
        static const char *const files[] = { "/proc/net/tcp", "/proc/net/tcp6" };
        SvTcpStats t = { 0 };
        /* every distinct listening port (at most 65536) so the lowest SV_TCP_PORTS_MAX are kept */
        _cleanup_free_ uint16_t *listen = xmalloc(65536 * sizeof(uint16_t));
        size_t n_listen = 0;
        bool have[ELEMENTSOF(files)] = { false };

        for (size_t i = 0; i < ELEMENTSOF(files); i++) {
                int r = tcp_pass(root, files[i], 0, &t, listen, &n_listen, 65536);
                if (r == -ENOENT && i > 0)
                        continue; /* no IPv6 */
                if (r < 0)
                        return r;
                have[i] = true;
        }

        qsort(listen, n_listen, sizeof(*listen), cmp_u16);
        t.n_ports = n_listen < SV_TCP_PORTS_MAX ? n_listen : SV_TCP_PORTS_MAX;
        t.n_ports_untracked = n_listen - t.n_ports;
        for (size_t i = 0; i < t.n_ports; i++)
                t.ports[i].port = listen[i];

        for (size_t i = 0; i < ELEMENTSOF(files); i++) {
                if (!have[i])
                        continue;
                int r = tcp_pass(root, files[i], 1, &t, NULL, NULL, 0);
                if (r < 0 && r != -ENOENT) /* gone between the passes: counted as empty */
                        return r;
        }
        *ret = t;
        return 0;
}
