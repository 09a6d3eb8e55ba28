/* SPDX-License-Identifier: MIT */
/* The sd_notify protocol from the receiving side: an abstract datagram socket with SO_PASSCRED, so each
 * message arrives with the sender's PID. */
#include "supervisor/host/notify.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "util/xalloc.h"

struct SvNotify {
        int fd;
        sd_event_source *source;
        SvNotifyHandler handler;
        void *userdata;
        char address[108];
};

void sv_notify_parse(char *text, SvNotifyMessage *m) {
        for (char *line = text, *next; line && *line; line = next) {
                next = strchr(line, '\n');
                if (next)
                        *next++ = 0;
                if (strcmp(line, "READY=1") == 0)
                        m->ready = true;
                else if (strcmp(line, "WATCHDOG=1") == 0)
                        m->watchdog = true;
                else if (strcmp(line, "STOPPING=1") == 0)
                        m->stopping = true;
                else if (strcmp(line, "RELOADING=1") == 0)
                        m->reloading = true;
                else if (strncmp(line, "STATUS=", 7) == 0)
                        m->status = line + 7;
        }
}

static int on_datagram(sd_event_source *s, int fd, uint32_t revents, void *userdata) {
        (void) s, (void) revents;
        SvNotify *n = userdata;
        for (;;) {
                char buf[4096];
                union {
                        struct cmsghdr align;
                        char space[CMSG_SPACE(sizeof(struct ucred))];
                } control;
                struct iovec iov = { buf, sizeof(buf) - 1 };
                struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = &control, .msg_controllen = sizeof(control) };
                ssize_t len = recvmsg(fd, &mh, MSG_DONTWAIT | MSG_CMSG_CLOEXEC | MSG_TRUNC);
                if (len < 0)
                        return 0; /* EAGAIN: all read; any other error: a bad datagram never stops the loop */
                if ((size_t) len >= sizeof(buf) || (mh.msg_flags & MSG_TRUNC))
                        continue; /* too long for the protocol: ignored */
                buf[len] = 0;
                SvNotifyMessage m = {};
                for (struct cmsghdr *c = CMSG_FIRSTHDR(&mh); c; c = CMSG_NXTHDR(&mh, c))
                        if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_CREDENTIALS && c->cmsg_len == CMSG_LEN(sizeof(struct ucred)))
                                m.pid = ((struct ucred *) CMSG_DATA(c))->pid;
                        else if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS) /* never keep passed fds */
                                for (int *fds = (int *) CMSG_DATA(c), k = 0; k < (int) ((c->cmsg_len - CMSG_LEN(0)) / sizeof(int)); k++)
                                        close(fds[k]);
                if (m.pid <= 0)
                        continue;
                sv_notify_parse(buf, &m);
                n->handler(n->userdata, &m);
        }
}

int sv_notify_new(sd_event *e, SvNotifyHandler handler, void *userdata, SvNotify **ret) {
        SvNotify *n = xcalloc(1, sizeof(SvNotify));
        n->handler = handler;
        n->userdata = userdata;
        n->fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
        if (n->fd < 0) {
                int r = -errno;
                free(n);
                return r;
        }
        struct sockaddr_un sa = { .sun_family = AF_UNIX };
        snprintf(n->address, sizeof(n->address), "@msd-supervisor/%d/notify", (int) getpid());
        size_t len = strlen(n->address);
        memcpy(sa.sun_path, n->address, len);
        sa.sun_path[0] = 0; /* abstract */
        int one = 1;
        int r = 0;
        if (bind(n->fd, (struct sockaddr *) &sa, (socklen_t) (offsetof(struct sockaddr_un, sun_path) + len)) < 0 ||
            setsockopt(n->fd, SOL_SOCKET, SO_PASSCRED, &one, sizeof(one)) < 0)
                r = -errno;
        if (r >= 0)
                r = sd_event_add_io(e, &n->source, n->fd, EPOLLIN, on_datagram, n);
        if (r < 0) {
                sv_notify_free(n);
                return r;
        }
        *ret = n;
        return 0;
}

SvNotify *sv_notify_free(SvNotify *n) {
        if (!n)
                return NULL;
        sd_event_source_disable_unref(n->source);
        if (n->fd >= 0)
                close(n->fd);
        free(n);
        return NULL;
}

const char *sv_notify_address(const SvNotify *n) {
        return n->address;
}
