/* SPDX-License-Identifier: MIT */
/* The sd_notify protocol from the receiving side: a datagram socket children find in NOTIFY_SOCKET,
 * so programs written for systemd (READY=1, WATCHDOG=1, STATUS=, STOPPING=1) work unchanged. */
#pragma once
#include <stdbool.h>
#include <sys/types.h>
#include <systemd/sd-event.h>

typedef struct SvNotifyMessage {
        pid_t pid;         /* the sender, from SCM_CREDENTIALS */
        bool ready, watchdog, stopping, reloading;
        const char *status;  /* STATUS=..., or NULL; valid during the callback only */
} SvNotifyMessage;

typedef void (*SvNotifyHandler)(void *userdata, const SvNotifyMessage *m);

typedef struct SvNotify SvNotify;

/* Binds an abstract socket named after this process (no file system write, works under
 * ProtectSystem=strict) and watches it on the loop. */
int sv_notify_new(sd_event *e, SvNotifyHandler handler, void *userdata, SvNotify **ret);
SvNotify *sv_notify_free(SvNotify *n);
/* The value to put in a child's NOTIFY_SOCKET ("@msd-supervisor/PID/notify"). */
const char *sv_notify_address(const SvNotify *n);
/* Parses one datagram's text into m (no allocation: status points into text, which is modified). */
void sv_notify_parse(char *text, SvNotifyMessage *m);
