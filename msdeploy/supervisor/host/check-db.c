/* SPDX-License-Identifier: MIT */
/* database checks speaking PostgreSQL: a non-blocking libpq connection attempt driven by sd-event, judged
 * the way PQping() judges one (a server that answers the protocol is up, even when it refuses the role). */
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>

#include "supervisor/host/check-internal.h"
#include "util/strbuf.h"
#include "util/xalloc.h"

#define SQLSTATE_CANNOT_CONNECT_NOW "57P03" /* starting up, shutting down, in recovery */

static int pg_wait(SvCheck *k, PostgresPollingStatusType st);

static void pg_close(SvCheck *k) {
        /* the io source goes first: libpq may close or replace its socket on any poll */
        k->pg_io = sd_event_source_disable_unref(k->pg_io);
        if (k->pg)
                PQfinish(k->pg);
        k->pg = NULL;
}

/* With PQERRORS_VERBOSE, libpq writes a server error as "SEVERITY:  SQLSTATE: text": the code is the
 * locale-independent part. Copies it to out[6]; false when the message carries none (no server answer). */
static bool find_sqlstate(const char *msg, char out[6]) {
        for (const char *p = strstr(msg, ":  "); p; p = strstr(p + 1, ":  ")) {
                const char *c = p + 3;
                bool ok = true;
                for (int i = 0; i < 5; i++)
                        if (!isdigit((unsigned char) c[i]) && !isupper((unsigned char) c[i]))
                                ok = false;
                if (ok && c[5] == ':') {
                        memcpy(out, c, 5);
                        out[5] = '\0';
                        return true;
                }
        }
        return false;
}

/* libpq's message, on one line, without its trailing newline. */
static char *one_line(const char *msg) {
        StrBuf b = { 0 };
        for (const char *p = msg; *p; p++) {
                if (*p == '\n') {
                        while (p[1] == ' ' || p[1] == '\t')
                                p++;
                        if (!p[1] || strncmp(p + 1, "LOCATION:", 9) == 0)
                                break;
                        sb_append(&b, "; ");
                } else
                        sb_putc(&b, *p);
        }
        return sb_take(&b, NULL);
}

static void pg_report_failure(SvCheck *k) {
        _cleanup_free_ char *msg = one_line(PQerrorMessage(k->pg));
        bool needs_password = PQconnectionNeedsPassword(k->pg);
        char sqlstate[6];
        bool answered = find_sqlstate(msg, sqlstate);

        pg_close(k);
        if (needs_password)
                sv_check_finish(k, SV_CHECK_PASS, "server up (password required)");
        else if (answered && strcmp(sqlstate, SQLSTATE_CANNOT_CONNECT_NOW) == 0)
                sv_check_finish(k, SV_CHECK_FAIL, "server not accepting connections: %s", msg);
        else if (answered)
                sv_check_finish(k, SV_CHECK_PASS, "server up: %s", msg);
        else
                sv_check_finish(k, SV_CHECK_FAIL, "%s", msg);
}

static void pg_step(SvCheck *k, PostgresPollingStatusType st) {
        switch (st) {
        case PGRES_POLLING_OK: {
                int version = PQserverVersion(k->pg);
                pg_close(k);
                sv_check_finish(k, SV_CHECK_PASS, "connected (server version %d)", version);
                return;
        }
        case PGRES_POLLING_READING:
        case PGRES_POLLING_WRITING: {
                int r = pg_wait(k, st);
                if (r < 0) {
                        pg_close(k);
                        sv_check_finish(k, SV_CHECK_FAIL, "cannot watch the connection: %s", strerror(-r));
                }
                return;
        }
        default:
                pg_report_failure(k);
                return;
        }
}

static int on_pg_io(sd_event_source *s, int fd, uint32_t revents, void *userdata) {
        SvCheck *k = userdata;
        (void) s;
        (void) fd;
        (void) revents;

        pg_step(k, PQconnectPoll(k->pg));
        return 0;
}

static int pg_wait(SvCheck *k, PostgresPollingStatusType st) {
        k->pg_io = sd_event_source_disable_unref(k->pg_io);
        int fd = PQsocket(k->pg);
        if (fd < 0)
                return -EBADF;
        return sd_event_add_io(k->owner->event, &k->pg_io, fd, st == PGRES_POLLING_READING ? EPOLLIN : EPOLLOUT,
                               on_pg_io, k);
}

static int pg_start(SvCheck *k) {
        k->pg = PQconnectStartParams(k->pg_keys, k->pg_values, /* expand_dbname= */ 1);
        if (!k->pg)
                return -ENOMEM;
        if (PQstatus(k->pg) == CONNECTION_BAD) {
                pg_report_failure(k);
                return 0;
        }
        PQsetErrorVerbosity(k->pg, PQERRORS_VERBOSE); /* SQLSTATEs in messages: see find_sqlstate() */
        pg_step(k, PGRES_POLLING_WRITING); /* libpq's protocol: first wait until the socket is writable */
        return 0;
}

static int pg_init(SvCheck *k) {
        size_t i = 0;

        /* defaults first: a URI or conninfo string in dbname overrides them */
        k->pg_keys[i] = "gssencmode", k->pg_values[i++] = "disable"; /* no Kerberos round trips */
        k->pg_keys[i] = "application_name", k->pg_values[i++] = "msd-supervisor";
        if (strstr(k->target, "://") || strchr(k->target, '=')) {
                k->pg_keys[i] = "dbname", k->pg_values[i++] = k->target;
        } else {
                char *host;
                unsigned port;
                int r = sv_check_parse_host_port(k->target, &host, &port);
                if (r < 0)
                        return r;
                StrBuf p = { 0 };
                sb_append_uint(&p, port);
                k->pg_strings[0] = host;
                k->pg_strings[1] = sb_take(&p, NULL);
                unsigned char addr[sizeof(struct in6_addr)];
                k->pg_keys[i] = "host", k->pg_values[i++] = host;
                if (inet_pton(AF_INET, host, addr) == 1 || inet_pton(AF_INET6, host, addr) == 1)
                        k->pg_keys[i] = "hostaddr", k->pg_values[i++] = host; /* no name look-up */
                k->pg_keys[i] = "port", k->pg_values[i++] = k->pg_strings[1];
                k->pg_keys[i] = "dbname", k->pg_values[i++] = "postgres";
        }
        k->pg_keys[i] = NULL;
        k->pg_values[i] = NULL;
        return 0;
}

static void pg_release(SvCheck *k) {
        pg_close(k);
        for (size_t i = 0; i < ELEMENTSOF(k->pg_strings); i++) {
                free(k->pg_strings[i]);
                k->pg_strings[i] = NULL;
        }
}

const CheckOps sv_check_pg_ops = {
        .init = pg_init,
        .start = pg_start,
        .cancel = pg_close,
        .release = pg_release,
};
