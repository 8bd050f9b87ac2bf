#pragma once
/* Test-only: runs the image stream parser over a buffer with a chosen
 * chunking and keeps the verdict, the info and every log line. */
#include <stdlib.h>
#include <string.h>

#include "bs_image.h"
#include "bs_test_hal.h"

typedef struct {
    esp_err_t feed_err; /* first non-OK feed result, else ESP_OK */
    uint32_t fail_at;   /* bytes consumed when feed first failed */
    uint32_t consumed;  /* total consumed */
    esp_err_t err;      /* bs_image_stream_finish */
    bool header_ok, done;
    bs_image_info_t info;
    tlog_t log;
} trun_t;

/* chunk > 0: fixed size; chunk == 0: all at once; chunk < 0: random sizes
 * (1..300) from seed -chunk. */
static inline trun_t *trun(const uint8_t *buf, uint32_t len, const bs_image_opts_t *opts, int chunk)
{
    trun_t *r = calloc(1, sizeof *r);
    bs_hal_t hal;
    memset(&hal, 0, sizeof hal);
    hal.log = tlog_hook;
    hal.log_ctx = &r->log;
    bs_image_stream_t *s = malloc(sizeof *s);
    bs_image_stream_init(s, &hal, opts);
    unsigned seed = (unsigned)(chunk < 0 ? -chunk : 0);
    uint32_t off = 0;
    while (off < len) {
        uint32_t n = chunk > 0    ? (uint32_t)chunk
                     : chunk == 0 ? len
                                  : 1u + (uint32_t)rand_r(&seed) % 300u;
        if (n > len - off) {
            n = len - off;
        }
        uint32_t used = 0;
        esp_err_t e = bs_image_stream_feed(s, buf + off, n, &used);
        r->consumed += used;
        if (e != ESP_OK && r->feed_err == ESP_OK) {
            r->feed_err = e;
            r->fail_at = r->consumed;
        }
        if (used < n) {
            break; /* done or error: the rest is not for the parser */
        }
        off += n;
    }
    r->header_ok = bs_image_stream_header_ok(s);
    r->done = bs_image_stream_done(s);
    r->err = bs_image_stream_finish(s, &r->info);
    free(s);
    return r;
}

static inline bool tinfo_equal(const bs_image_info_t *a, const bs_image_info_t *b)
{
    if (memcmp(&a->header, &b->header, sizeof a->header) != 0 || a->image_len != b->image_len ||
        a->checksum_calc != b->checksum_calc || a->checksum_read != b->checksum_read ||
        a->hash_present != b->hash_present || a->has_desc != b->has_desc ||
        a->desc_offset != b->desc_offset) {
        return false;
    }
    for (unsigned i = 0; i < a->header.segment_count && i < ESP_IMAGE_MAX_SEGMENTS; i++) {
        if (a->segments[i].load_addr != b->segments[i].load_addr ||
            a->segments[i].data_len != b->segments[i].data_len ||
            a->segment_data_offset[i] != b->segment_data_offset[i]) {
            return false;
        }
    }
    return memcmp(a->hash_read, b->hash_read, 32) == 0 &&
           (!a->hash_present || memcmp(a->hash_calc, b->hash_calc, 32) == 0) &&
           (!a->has_desc || memcmp(&a->desc, &b->desc, sizeof a->desc) == 0);
}

static inline bool trun_equal(const trun_t *a, const trun_t *b)
{
    if (a->feed_err != b->feed_err || a->consumed != b->consumed || a->err != b->err ||
        a->header_ok != b->header_ok || a->done != b->done || a->log.count != b->log.count ||
        !tinfo_equal(&a->info, &b->info)) {
        return false;
    }
    for (int i = 0; i < a->log.count; i++) {
        if (strcmp(a->log.lines[i], b->log.lines[i]) != 0) {
            return false;
        }
    }
    return true;
}
