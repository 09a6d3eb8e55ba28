/* SPDX-License-Identifier: MIT */
/* SHA-256 of bytes and of files (OpenSSL's libcrypto EVP), as lowercase hex. */
#include "install/sha256.h"

#include <errno.h>
#include <openssl/evp.h>
#include <pthread.h>
#include <string.h>
#include <unistd.h>

#include "util/xalloc.h"

static void to_hex(const unsigned char *md, char ret[SHA256_HEX_SIZE]) {
        static const char digits[] = "0123456789abcdef";
        for (size_t i = 0; i < 32; i++) {
                ret[2 * i] = digits[md[i] >> 4];
                ret[2 * i + 1] = digits[md[i] & 15];
        }
        ret[64] = 0;
}

/* OpenSSL 3 looks the algorithm up on every use of EVP_sha256(); fetched once, hashing many small files
 * costs a fifth of what it did. */
static EVP_MD *md_sha256;
static pthread_once_t md_once = PTHREAD_ONCE_INIT;

static void md_fetch(void) {
        md_sha256 = EVP_MD_fetch(NULL, "SHA256", NULL);
}

static const EVP_MD *sha256_md(void) {
        pthread_once(&md_once, md_fetch);
        if (!md_sha256)
                xoom(); /* the default provider always has SHA256: only allocation fails */
        return md_sha256;
}

void sha256_hex(const void *data, size_t size, char ret[SHA256_HEX_SIZE]) {
        unsigned char md[EVP_MAX_MD_SIZE];
        unsigned len = 0;
        if (EVP_Digest(data, size, md, &len, sha256_md(), NULL) != 1 || len != 32)
                xoom(); /* libcrypto fails only when it cannot allocate */
        to_hex(md, ret);
}

int sha256_fd(int fd, char ret[SHA256_HEX_SIZE], uint64_t *ret_size) {
        EVP_MD_CTX *ctx = EVP_MD_CTX_new();
        if (!ctx || EVP_DigestInit_ex(ctx, sha256_md(), NULL) != 1)
                xoom();
        char buf[65536];
        uint64_t total = 0;
        int r = 0;
        for (;;) {
                ssize_t n = read(fd, buf, sizeof(buf));
                if (n < 0 && errno == EINTR)
                        continue;
                if (n < 0) {
                        r = -errno;
                        break;
                }
                if (n == 0)
                        break;
                EVP_DigestUpdate(ctx, buf, (size_t) n);
                total += (uint64_t) n;
        }
        unsigned char md[EVP_MAX_MD_SIZE];
        unsigned len = 0;
        if (r == 0 && EVP_DigestFinal_ex(ctx, md, &len) != 1)
                xoom();
        EVP_MD_CTX_free(ctx);
        if (r < 0)
                return r;
        to_hex(md, ret);
        if (ret_size)
                *ret_size = total;
        return 0;
}

bool sha256_hex_valid(const char *s) {
        return s && strlen(s) == 64 && strspn(s, "0123456789abcdef") == 64;
}
