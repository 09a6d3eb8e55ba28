/* SPDX-License-Identifier: MIT */
/* Asking msd-supervisor how the system is: GET /health of an endpoint (libcurl), its "status" member. */
#include "install/health.h"

#include <curl/curl.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "install/doc.h"
#include "util/strbuf.h"
#include "util/xalloc.h"

#define HEALTH_MAX_BYTES (1024 * 1024)

static size_t on_data(char *data, size_t size, size_t n, void *userdata) {
        StrBuf *b = userdata;
        if (b->len + size * n > HEALTH_MAX_BYTES)
                return 0; /* curl stops with a write error */
        sb_appendn(b, data, size * n);
        return size * n;
}

int health_get(const char *address, char **ret_status, Diags *d) {
        char url[512];
        snprintf(url, sizeof(url), "http://%s/health", address);
        CURL *c = curl_easy_init();
        if (!c)
                xoom();
        StrBuf body = {};
        long code = 0;
        curl_easy_setopt(c, CURLOPT_URL, url);
        curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, 5000L);
        curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
        curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http");
        curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_data);
        curl_easy_setopt(c, CURLOPT_WRITEDATA, &body);
        CURLcode res = curl_easy_perform(c);
        if (res == CURLE_OK)
                curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &code);
        curl_easy_cleanup(c);
        int r = -EIO;
        if (res != CURLE_OK)
                diag_error(d, (Loc) {}, "%s: %s", url, curl_easy_strerror(res));
        else {
                Doc doc;
                Diags parse = {}; /* what is wrong with the body matters less than that it has no status */
                const char *status = NULL;
                if (body.s && doc_parse(url, body.s, body.len, &doc, &parse) >= 0) {
                        status = node_get_scalar(doc.root, "status");
                        if (status) {
                                *ret_status = xstrdup(status);
                                r = 0;
                        }
                        doc_done(&doc);
                }
                diags_clear(&parse);
                if (r < 0)
                        diag_error(d, (Loc) {}, "%s: HTTP %ld without a JSON status member", url, code);
        }
        sb_free(&body);
        return r;
}
