/*
 * App and bootloader images: the stream parser fed in fuzzer-chosen chunks
 * must reach exactly the verdict of one-shot feeding (bs_image.c promises
 * that decisions depend only on byte positions), and bs_image_verify reading
 * the same bytes from flash must agree with both without reading past the
 * image's end.
 *
 * Input: a 12-byte harness header, then the image bytes:
 *   [0] bit 0 kind (V1/V3), bits 1-2 hash mode, bit 3 check_entry,
 *       bit 4 log_segments, bits 5-7 start address choice
 *   [1] max_len: 0 -> 1 MB slot, n -> n * 4 KB
 *   [2] total_len for BS_HASH_IF_PRESENT: 0 -> the image bytes given, else
 *       that minus the value
 *   [3] unused
 *   [4..11] chunk sizes, cycled (n -> n + 1 bytes)
 */
#include <stdint.h>
#include <string.h>

#include "bs_image.h"
#include "fuzz_util.h"

#define HEADER_LEN 12
#define NCHUNKS 8
#define CHIP_SIZE (16u * 1024u * 1024u)

/* Slots of the shipped tables, the bootloader's 0x0, and window edges; the
 * chip is large enough that any input fits after each of them. */
static const uint32_t s_starts[] = {0x10000, 0x110000, 0x0,      0x210000,
                                    0x8000,  0x3F0000, 0x100000, 0x7F0000};

static void opts_from(const uint8_t *h, uint32_t image_len, bs_image_opts_t *o)
{
    static const bs_hash_mode_t modes[] = {BS_HASH_REQUIRED, BS_HASH_NONE, BS_HASH_IF_PRESENT,
                                           BS_HASH_REQUIRED};
    memset(o, 0, sizeof *o);
    o->kind = (h[0] & 1u) ? BS_IMAGE_V1 : BS_IMAGE_V3;
    o->hash = modes[(h[0] >> 1) & 3u];
    o->check_entry = (h[0] & 8u) != 0;
    o->log_segments = (h[0] & 16u) != 0;
    o->start_addr = s_starts[h[0] >> 5];
    o->max_len = h[1] == 0 ? 0x100000u : (uint32_t)h[1] << 12;
    o->total_len = image_len > h[2] ? image_len - h[2] : 0;
}

typedef struct {
    esp_err_t feed_err; /* last feed's result */
    uint32_t consumed;  /* total bytes the stream took */
    esp_err_t finish_err;
    bool done;
    bool header_ok;
    bs_image_info_t info;
} run_t;

static void finish(bs_image_stream_t *s, run_t *r)
{
    r->done = bs_image_stream_done(s);
    r->header_ok = bs_image_stream_header_ok(s);
    r->finish_err = bs_image_stream_finish(s, &r->info);
}

static void run_one_shot(const bs_hal_t *hal, const bs_image_opts_t *o, const uint8_t *img,
                         uint32_t len, run_t *r)
{
    static bs_image_stream_t s;
    bs_image_stream_init(&s, hal, o);
    r->feed_err = bs_image_stream_feed(&s, img, len, &r->consumed);
    finish(&s, r);
}

static void run_chunked(const bs_hal_t *hal, const bs_image_opts_t *o, const uint8_t *chunks,
                        const uint8_t *img, uint32_t len, run_t *r)
{
    static bs_image_stream_t s;
    bs_image_stream_init(&s, hal, o);
    r->consumed = 0;
    r->feed_err = ESP_OK;
    uint32_t off = 0;
    for (int i = 0; off < len; i++) {
        uint32_t n = (uint32_t)chunks[i % NCHUNKS] + 1u;
        if (n > len - off) {
            n = len - off;
        }
        uint32_t used = UINT32_MAX;
        r->feed_err = bs_image_stream_feed(&s, img + off, n, &used);
        FZ_CHECK(used <= n, "feed of %u consumed %u", (unsigned)n, (unsigned)used);
        r->consumed += used;
        off += n;
        if (used < n || r->feed_err != ESP_OK) {
            break; /* the stream ended or failed: a caller stops feeding here */
        }
    }
    finish(&s, r);
}

static void check_same(const run_t *a, const run_t *b, const char *what)
{
    FZ_CHECK(a->consumed == b->consumed, "%s: consumed %u vs %u", what, (unsigned)a->consumed,
             (unsigned)b->consumed);
    FZ_CHECK(a->feed_err == b->feed_err, "%s: feed 0x%x vs 0x%x", what, (unsigned)a->feed_err,
             (unsigned)b->feed_err);
    FZ_CHECK(a->finish_err == b->finish_err, "%s: finish 0x%x vs 0x%x", what,
             (unsigned)a->finish_err, (unsigned)b->finish_err);
    FZ_CHECK(a->done == b->done && a->header_ok == b->header_ok, "%s: done %d/%d header_ok %d/%d",
             what, a->done, b->done, a->header_ok, b->header_ok);
    FZ_CHECK(memcmp(&a->info, &b->info, sizeof a->info) == 0, "%s: image info differs", what);
}

/* What a finished image must satisfy, whatever the bytes were. */
static void check_verdict(const bs_image_opts_t *o, const run_t *r, uint32_t len)
{
    const bs_image_info_t *in = &r->info;
    FZ_CHECK(r->consumed <= len, "consumed %u of %u", (unsigned)r->consumed, (unsigned)len);
    FZ_CHECK((r->finish_err == ESP_OK) == r->done, "finish 0x%x but done %d",
             (unsigned)r->finish_err, r->done);
    if (!r->done) {
        FZ_CHECK(r->finish_err == ESP_ERR_IMAGE_INVALID, "finish 0x%x", (unsigned)r->finish_err);
        return;
    }
    /* Bytes after the image are left for the caller. */
    FZ_CHECK(r->consumed == in->image_len, "consumed %u, image is %u bytes", (unsigned)r->consumed,
             (unsigned)in->image_len);
    FZ_CHECK(in->image_len <= o->max_len, "image of %u accepted in a %u-byte slot",
             (unsigned)in->image_len, (unsigned)o->max_len);
    FZ_CHECK(in->header.magic == ESP_IMAGE_HEADER_MAGIC, "magic 0x%x", in->header.magic);
    FZ_CHECK(in->header.segment_count <= ESP_IMAGE_MAX_SEGMENTS, "%u segments",
             in->header.segment_count);
    FZ_CHECK(in->checksum_calc == in->checksum_read, "checksum 0x%x vs 0x%x", in->checksum_calc,
             in->checksum_read);
    FZ_CHECK(o->hash != BS_HASH_REQUIRED || in->hash_present, "required hash missing");
    FZ_CHECK(o->hash != BS_HASH_NONE || !in->hash_present, "hash read although none expected");
    uint32_t tail = 1u + (in->hash_present ? ESP_IMAGE_HASH_LEN : 0u);
    FZ_CHECK(((in->image_len - tail + 1u) & 15u) == 0, "checksum does not end a 16-byte block");
    for (uint32_t i = 0; i < in->header.segment_count; i++) {
        uint64_t end = (uint64_t)in->segment_data_offset[i] + in->segments[i].data_len;
        FZ_CHECK(end + tail <= in->image_len, "segment %u ends at %llu past the image", (unsigned)i,
                 (unsigned long long)end);
        FZ_CHECK((in->segments[i].data_len & 3u) == 0, "segment %u length unaligned", (unsigned)i);
    }
    if (in->has_desc) {
        FZ_CHECK(o->kind == BS_IMAGE_V3, "descriptor found in a V1 image");
        FZ_CHECK((uint64_t)in->desc_offset + ESP_APP_DESC_SIZE <= in->image_len,
                 "descriptor at %u past the image", (unsigned)in->desc_offset);
        FZ_CHECK(in->desc.magic_word == ESP_APP_DESC_MAGIC_WORD, "descriptor magic 0x%x",
                 (unsigned)in->desc.magic_word);
    }
    if (o->kind == BS_IMAGE_V3 && o->check_entry) {
        uint32_t base = ESP_IMAGE_IROM_BASE + (o->start_addr & (ESP_IMAGE_IROM_WINDOW - 1u));
        FZ_CHECK(in->header.entry_addr > base + 0x10u &&
                     (uint64_t)in->header.entry_addr < (uint64_t)base + o->max_len,
                 "entry 0x%x outside its window", (unsigned)in->header.entry_addr);
    }
}

/* bs_image_verify over the same bytes in flash; reads outside them fail. */
static void check_verify(const bs_image_opts_t *o, const run_t *ref, const uint8_t *img,
                         uint32_t len)
{
    bs_hal_t hal;
    fz_sparse_t flash;
    fz_sparse_hal(&hal, &flash, CHIP_SIZE);
    uint32_t room = CHIP_SIZE - o->start_addr;
    fz_sparse_add(&flash, o->start_addr, img, len < room ? len : room);
    flash.fail_outside = true;
    bs_image_info_t info;
    esp_err_t err = bs_image_verify(&hal, o, &info);
    if (ref->done) {
        FZ_CHECK(err == ESP_OK, "verify 0x%x for an image the stream accepts", (unsigned)err);
        FZ_CHECK(flash.max_read_end <= (uint64_t)o->start_addr + ref->info.image_len,
                 "verify read up to 0x%llx, image ends at 0x%x",
                 (unsigned long long)flash.max_read_end,
                 (unsigned)(o->start_addr + ref->info.image_len));
    } else if (ref->feed_err != ESP_OK) {
        /* verify reads a region (up to 256 bytes) before parsing it, so a bad
         * byte near the end of short input can hide behind a failed read */
        bool read_short =
            err == ESP_ERR_IMAGE_FLASH_FAIL && flash.max_read_end > (uint64_t)o->start_addr + len;
        FZ_CHECK(err == ESP_ERR_IMAGE_INVALID || read_short,
                 "verify 0x%x for an image the stream rejects", (unsigned)err);
    } else {
        /* The stream was only short of bytes: flash is read further and fails. */
        FZ_CHECK(err == ESP_ERR_IMAGE_FLASH_FAIL || err == ESP_ERR_IMAGE_INVALID,
                 "verify 0x%x for a truncated image", (unsigned)err);
    }
    if (err == ESP_OK || err == ESP_ERR_IMAGE_INVALID) {
        FZ_CHECK(memcmp(&info, &ref->info, sizeof info) == 0, "verify info differs from stream");
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < HEADER_LEN) {
        return 0;
    }
    const uint8_t *img = data + HEADER_LEN;
    uint32_t len = (uint32_t)(size - HEADER_LEN);
    bs_image_opts_t o;
    opts_from(data, len, &o);

    bs_hal_t log_hal;
    fz_sparse_t unused;
    fz_sparse_hal(&log_hal, &unused, CHIP_SIZE);

    run_t one, chunked;
    run_one_shot(&log_hal, &o, img, len, &one);
    run_chunked(&log_hal, &o, data + 4, img, len, &chunked);
    check_verdict(&o, &one, len);
    check_same(&one, &chunked, "one-shot vs chunked");
    check_verify(&o, &one, img, len);
    return 0;
}
