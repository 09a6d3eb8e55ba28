/* SPDX-License-Identifier: MIT */
/* "Did you mean": the closest candidate to a misspelt word, by edit distance. */
#include "util/suggest.h"

#include <string.h>

size_t edit_distance(const char *a, const char *b) {
        size_t la = strlen(a), lb = strlen(b);
        if (la > 64 || lb > 64)
                return 64;
        size_t row[65];
        for (size_t j = 0; j <= lb; j++)
                row[j] = j;
        for (size_t i = 1; i <= la; i++) {
                size_t prev = row[0];
                row[0] = i;
                for (size_t j = 1; j <= lb; j++) {
                        size_t cur = row[j];
                        size_t sub = prev + (a[i - 1] != b[j - 1]);
                        size_t del = row[j] + 1, ins = row[j - 1] + 1;
                        row[j] = sub < del ? (sub < ins ? sub : ins) : (del < ins ? del : ins);
                        prev = cur;
                }
        }
        return row[lb];
}

const char *suggest_closest(const char *word, const char *const *candidates, size_t stride) {
        const char *best = NULL;
        size_t best_d = (size_t) -1, limit = strlen(word) / 3 + 1;
        if (limit < 2)
                limit = 2;
        for (const char *const *c = candidates; *c; c = (const char *const *) ((const char *) c + stride)) {
                size_t dist = edit_distance(word, *c);
                if (dist < best_d)
                        best_d = dist, best = *c;
        }
        return best_d <= limit && best_d < strlen(word) ? best : NULL;
}
