/* SPDX-License-Identifier: MIT */
/* The systemd version of a host, for preflight: what the release was rendered for is the oldest systemd
 * its directives were checked against, and a host with an older one is refused before anything changes. */
#pragma once

/* The leading number of a systemd version string: "252.39-1~deb12u2" and "v255-12-gabc" give 252 and
 * 255. -EINVAL when there is none. */
int sdversion_parse(const char *s, unsigned *ret);
/* The version of the systemd installed under root (offline: --root), from the name of its
 * libsystemd-shared-NNN.so in usr/lib/systemd, usr/lib/TRIPLET/systemd (Debian's multiarch) or their
 * lib/ twins; ret_path: the file it was read from, relative to root. -ENOENT when there is none. */
int sdversion_in_root(const char *root, unsigned *ret, char **ret_path);
