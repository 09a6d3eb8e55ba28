/* SPDX-License-Identifier: MIT */
/* The systemd unit names a service runs as: one, or one per instance of a template. */
#include "render/unitnames.h"

#include <assert.h>

#include "util/strbuf.h"

size_t service_unit_count(const Service *s) {
        return s->templated ? s->instances.n : 1;
}

char *service_unit_name(const Service *s, size_t i) {
        assert(i < service_unit_count(s));
        StrBuf b = {};
        /* A template's name already ends in '@'. */
        sb_append(&b, s->name);
        if (s->templated)
                sb_append(&b, s->instances.items[i]);
        sb_append(&b, ".service");
        return sb_take(&b, NULL);
}
