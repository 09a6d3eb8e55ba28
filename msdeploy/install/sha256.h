/* SPDX-License-Identifier: MIT */
/* SHA-256 of bytes and of files (OpenSSL's libcrypto EVP), as lowercase hex. */
#pragma once
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define SHA256_HEX_SIZE 65 /* 64 hex digits and the NUL */

void sha256_hex(const void *data, size_t size, char ret[SHA256_HEX_SIZE]);
/* Hashes what is left to read of fd. Returns -errno. */
int sha256_fd(int fd, char ret[SHA256_HEX_SIZE], uint64_t *ret_size);
/* Whether s is 64 lowercase hex digits. */
bool sha256_hex_valid(const char *s);
