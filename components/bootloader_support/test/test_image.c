/* Image stream parser: valid images, every corruption class, truncation in
 * every region, limits, the entry window and chunking invariance. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <cmocka.h>

#include "bs_image.h"
#include "bs_test_image.h"
#include "bs_test_stream.h"

#define SLOT 0x110000u
#define SLOT_SIZE 0xF0000u

static const int CHUNKINGS[] = {0, 1, 2, 3, 5, 8, 13, 16, 64, 255, 256, 1000, -1, -2, -3, -77};
#define NCHUNKINGS ((int)(sizeof CHUNKINGS / sizeof CHUNKINGS[0]))

static bs_image_opts_t v3_opts(uint32_t start, uint32_t max_len)
{
    return (bs_image_opts_t){.kind = BS_IMAGE_V3,
                             .hash = BS_HASH_REQUIRED,
                             .start_addr = start,
                             .max_len = max_len,
                             .check_entry = true,
                             .log_segments = true};
}

/* The reference §3.5 example: segments of 3072, 356, 64 and 64 bytes, the
 * 356-byte .flash.rodata opening with the descriptor. */
typedef struct {
    timg_spec_t spec;
    timg_t img;
    uint8_t *rodata;
} sdk_img_t;

static sdk_img_t sdk_image(uint32_t slot)
{
    sdk_img_t s;
    uint32_t len;
    s.rodata = timg_desc_segment("v2.0-test", "hello_world", 100, &len);
    s.spec = timg_sdk_app(slot, s.rodata, len);
    s.img = timg_build(&s.spec);
    return s;
}

static void sdk_free(sdk_img_t *s)
{
    timg_free(&s->img);
    free(s->rodata);
}

/* Runs every chunking, checks they agree, returns the all-at-once run. */
static trun_t *run_all_chunkings(const uint8_t *buf, uint32_t len, const bs_image_opts_t *o)
{
    trun_t *first = trun(buf, len, o, CHUNKINGS[0]);
    for (int c = 1; c < NCHUNKINGS; c++) {
        trun_t *r = trun(buf, len, o, CHUNKINGS[c]);
        if (!trun_equal(first, r)) {
            tlog_dump(&first->log);
            tlog_dump(&r->log);
            fail_msg("chunking %d differs from all-at-once", CHUNKINGS[c]);
        }
        free(r);
    }
    return first;
}

static void test_sdk_shaped_v3(void **state)
{
    (void)state;
    sdk_img_t s = sdk_image(SLOT);
    assert_int_equal(s.img.at.seg_end, 3596);
    assert_int_equal(s.img.at.len, 3632);
    bs_image_opts_t o = v3_opts(SLOT, SLOT_SIZE);
    trun_t *r = run_all_chunkings(s.img.buf, s.img.at.len, &o);
    assert_int_equal(r->err, ESP_OK);
    assert_true(r->done);
    assert_true(r->header_ok);
    assert_int_equal(r->consumed, 3632);
    const bs_image_info_t *in = &r->info;
    assert_int_equal(in->image_len, 3632);
    assert_int_equal(in->header.magic, 0xE9);
    assert_int_equal(in->header.segment_count, 4);
    assert_int_equal(in->header.spi_mode, 2);
    assert_int_equal(in->header.spi_speed, 0);
    assert_int_equal(in->header.spi_size, 2);
    assert_int_equal(in->header.entry_addr, 0x40210110u);
    static const uint32_t offs[4] = {16, 0xC18, 0xD84, 0xDCC};
    static const uint32_t lens[4] = {3072, 356, 64, 64};
    for (int i = 0; i < 4; i++) {
        assert_int_equal(in->segment_data_offset[i], offs[i]);
        assert_int_equal(in->segments[i].data_len, lens[i]);
        assert_int_equal(in->segments[i].load_addr, s.spec.seg[i].load_addr);
    }
    assert_int_equal(in->checksum_calc, s.img.buf[s.img.at.checksum]);
    assert_int_equal(in->checksum_read, s.img.buf[s.img.at.checksum]);
    assert_true(in->hash_present);
    assert_memory_equal(in->hash_read, s.img.buf + 3600, 32);
    assert_memory_equal(in->hash_calc, s.img.buf + 3600, 32);
    assert_true(in->has_desc);
    assert_int_equal(in->desc_offset, 0xC18);

    static const char *const want[] = {
        "I esp_image: segment 0: paddr=0x00110010 vaddr=0x40210010 size=0x00c00 (  3072) map",
        "I esp_image: segment 1: paddr=0x00110c18 vaddr=0x40210c18 size=0x00164 (   356) map",
        "I esp_image: segment 2: paddr=0x00110d84 vaddr=0x3ffe8000 size=0x00040 (    64) load",
        "I esp_image: segment 3: paddr=0x00110dcc vaddr=0x40100000 size=0x00040 (    64) load",
    };
    assert_int_equal(r->log.count, 4);
    for (int i = 0; i < 4; i++) {
        assert_string_equal(r->log.lines[i], want[i]);
    }
    free(r);

    /* log_segments off: silent. */
    o.log_segments = false;
    r = trun(s.img.buf, s.img.at.len, &o, 0);
    assert_int_equal(r->err, ESP_OK);
    assert_int_equal(r->log.count, 0);
    free(r);
    sdk_free(&s);
}

/* The reference's docs log line, a 228120-byte segment: the %6d column. */
static void test_segment_line_format(void **state)
{
    (void)state;
    timg_spec_t sp = {.nseg = 1, .entry = 0x40210100, .spi_size = 1};
    sp.seg[0] = (timg_seg_t){0x40210010u, 0x37b18u, NULL};
    timg_t img = timg_build(&sp);
    bs_image_opts_t o = v3_opts(SLOT, SLOT_SIZE);
    o.hash = BS_HASH_NONE;
    trun_t *r = trun(img.buf, img.at.len, &o, 0);
    assert_int_equal(r->err, ESP_OK);
    assert_string_equal(r->log.lines[0], "I esp_image: segment 0: paddr=0x00110010 "
                                         "vaddr=0x40210010 size=0x37b18 (228120) map");
    free(r);
    timg_free(&img);
}

static void test_v1_bootloader(void **state)
{
    (void)state;
    timg_spec_t sp = {.nseg = 3, .entry = 0x40100004, .spi_mode = 2, .spi_size = 4};
    sp.seg[0] = (timg_seg_t){0x40100000u, 7872, NULL};
    sp.seg[1] = (timg_seg_t){0x3FFE8408u, 24, NULL};
    sp.seg[2] = (timg_seg_t){0x3FFE8420u, 3604, NULL};
    timg_t img = timg_build(&sp);
    bs_image_opts_t o = {
        .kind = BS_IMAGE_V1, .hash = BS_HASH_NONE, .max_len = 0x8000, .check_entry = true};
    trun_t *r = run_all_chunkings(img.buf, img.at.len, &o);
    assert_int_equal(r->err, ESP_OK);
    assert_false(r->info.hash_present);
    assert_false(r->info.has_desc);
    assert_int_equal(r->info.image_len, img.at.checksum + 1);
    assert_int_equal(r->log.count, 0);
    free(r);

    /* Only the 8-byte header, as bootloader_configured_size() does. */
    bs_image_stream_t s;
    bs_image_stream_init(&s, NULL, &o);
    assert_false(bs_image_stream_header_ok(&s));
    assert_int_equal(bs_image_stream_feed(&s, img.buf, 8, NULL), ESP_OK);
    assert_true(bs_image_stream_header_ok(&s));
    assert_int_equal(s.info.header.spi_size, 4);
    assert_false(bs_image_stream_done(&s));
    timg_free(&img);
}

static void test_zero_segments_and_empty_segment(void **state)
{
    (void)state;
    timg_spec_t sp = {.nseg = 0};
    timg_t img = timg_build(&sp);
    assert_int_equal(img.at.len, 16);
    bs_image_opts_t o = {.kind = BS_IMAGE_V1, .hash = BS_HASH_NONE, .max_len = 16};
    trun_t *r = run_all_chunkings(img.buf, img.at.len, &o);
    assert_int_equal(r->err, ESP_OK);
    assert_int_equal(r->info.checksum_calc, 0xEF);
    free(r);
    timg_free(&img);

    timg_spec_t sp2 = {.nseg = 3, .entry = 0x40100000u};
    sp2.seg[0] = (timg_seg_t){0x40100000u, 8, NULL};
    sp2.seg[1] = (timg_seg_t){0x3FFE8000u, 0, NULL};
    sp2.seg[2] = (timg_seg_t){0x3FFE9000u, 12, NULL};
    img = timg_build(&sp2);
    o.max_len = 0x1000;
    r = run_all_chunkings(img.buf, img.at.len, &o);
    assert_int_equal(r->err, ESP_OK);
    assert_int_equal(r->info.segment_data_offset[2], 8 + 16 + 8 + 8);
    free(r);
    timg_free(&img);
}

typedef struct {
    const char *name;
    uint32_t offset;  /* byte to change */
    uint8_t xor_with; /* 0: set to `value` instead */
    uint8_t value;
    bool refresh; /* recompute checksum and hash afterwards */
    esp_err_t want;
    int fail_at; /* expected bytes consumed at the failing feed; 0: fails at finish */
    const char *message;
} corrupt_case_t;

/* Offsets in the §3.5 image (seg headers at 8, 0xC10, 0xD7C, 0xDC4;
 * padding 0xE0C-0xE0E, checksum 0xE0F, hash 0xE10-0xE2F). */
static void test_corruption_classes(void **state)
{
    (void)state;
    sdk_img_t s = sdk_image(SLOT);
    uint8_t sum = s.img.buf[0xE0F];
    char data_msg[96], sum_msg[96];
    snprintf(data_msg, sizeof data_msg, "E esp_image: Checksum failed. Calculated 0x%x read 0x%x",
             sum ^ 0x01, sum);
    snprintf(sum_msg, sizeof sum_msg, "E esp_image: Checksum failed. Calculated 0x%x read 0x%x",
             sum, sum ^ 0xFF);
    const corrupt_case_t cases[] = {
        {"header magic", 0, 0, 0xEA, false, ESP_ERR_IMAGE_INVALID, 8,
         "E esp_image: image at 0x110000 has invalid magic byte"},
        {"erased slot", 0, 0, 0xFF, false, ESP_ERR_IMAGE_INVALID, 8,
         "E esp_image: image at 0x110000 has invalid magic byte"},
        {"segment count 17", 1, 0, 17, false, ESP_ERR_IMAGE_INVALID, 8,
         "E esp_image: image at 0x110000 segment count 17 exceeds max 16"},
        {"segment count 255", 1, 0, 255, false, ESP_ERR_IMAGE_INVALID, 8,
         "E esp_image: image at 0x110000 segment count 255 exceeds max 16"},
        {"unaligned length", 0xD7C + 4, 0, 66, false, ESP_ERR_IMAGE_INVALID, 0xD84,
         "E esp_image: unaligned segment length 0x42"},
        {"segment data byte", 100, 0x01, 0, false, ESP_ERR_IMAGE_INVALID, 0xE10, data_msg},
        {"data, checksum-neutral (two flips)", 0xD90, 0x80, 0, false, ESP_ERR_IMAGE_INVALID, 0xE30,
         "E esp_image: Image hash failed - image is corrupt"},
        {"checksum byte", 0xE0F, 0xFF, 0, false, ESP_ERR_IMAGE_INVALID, 0xE10, sum_msg},
        {"padding byte", 0xE0D, 0, 0x20, false, ESP_ERR_IMAGE_INVALID, 0xE0E,
         "E esp_image: padding byte at offset 0xe0d is 0x20, expected 0x00"},
        {"hash byte", 0xE2F, 0x01, 0, false, ESP_ERR_IMAGE_INVALID, 0xE30,
         "E esp_image: Image hash failed - image is corrupt"},
        {"entry address", 6, 0, 0x00, false, ESP_ERR_IMAGE_INVALID, 8,
         "E esp_image: image at 0x110000: entry 0x40000110 outside its slot's window "
         "(0x40210010, 0x40300000), linked for another offset?"},
        {"descriptor magic, rebuilt", 0xC18, 0x01, 0, true, ESP_OK, 0, NULL},
        {"descriptor magic, raw", 0xC18, 0x01, 0, false, ESP_ERR_IMAGE_INVALID, 0xE10, data_msg},
    };
    bs_image_opts_t o = v3_opts(SLOT, SLOT_SIZE);
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const corrupt_case_t *c = &cases[i];
        sdk_img_t m = sdk_image(SLOT);
        uint8_t *b = m.img.buf;
        b[c->offset] = c->xor_with ? (uint8_t)(b[c->offset] ^ c->xor_with) : c->value;
        if (strstr(c->name, "two flips")) {
            b[c->offset + 4] ^= c->xor_with;
        }
        if (c->refresh) {
            timg_refresh(&m.img, &m.spec);
        }
        trun_t *r = run_all_chunkings(b, m.img.at.len, &o);
        bool ok = r->err == c->want &&
                  (c->fail_at == 0 ? r->feed_err == ESP_OK : r->fail_at == (uint32_t)c->fail_at);
        if (c->message) {
            ok = ok && tlog_count_level(&r->log, 'E') == 1 && tlog_find(&r->log, c->message) >= 0;
        } else {
            ok = ok && tlog_count_level(&r->log, 'E') == 0;
        }
        if (!ok) {
            tlog_dump(&r->log);
            fail_msg("%s: err 0x%x feed 0x%x at %u", c->name, (unsigned)r->err,
                     (unsigned)r->feed_err, (unsigned)r->fail_at);
        }
        if (strstr(c->name, "descriptor")) {
            assert_false(r->info.has_desc);
        }
        free(r);
        sdk_free(&m);
    }
    sdk_free(&s);
}

typedef struct {
    const char *name;
    uint32_t cut;
    const char *message;
} trunc_case_t;

static void test_truncation_in_each_region(void **state)
{
    (void)state;
    sdk_img_t s = sdk_image(SLOT);
    static const trunc_case_t cases[] = {
        {"nothing", 0, "image at 0x110000 is truncated: 0 bytes end inside the image header"},
        {"image header", 5, "image at 0x110000 is truncated: 5 bytes end inside the image header"},
        {"segment 0 header", 12,
         "image at 0x110000 is truncated: 12 bytes end inside segment 0 header"},
        {"segment 0 data", 100,
         "image at 0x110000 is truncated: 100 bytes end inside segment 0 data"},
        {"segment 1 header", 0xC10,
         "image at 0x110000 is truncated: 3088 bytes end inside segment 1 header"},
        {"segment 3 data", 0xE0B,
         "image at 0x110000 is truncated: 3595 bytes end inside segment 3 data"},
        {"padding", 0xE0D, "image at 0x110000 is truncated: 3597 bytes end inside the padding"},
        {"checksum", 0xE0F, "image at 0x110000 is truncated: 3599 bytes end inside the checksum"},
        {"hash", 0xE20, "image at 0x110000 is truncated: 3616 bytes end inside the SHA-256"},
        {"hash, one short", 0xE2F,
         "image at 0x110000 is truncated: 3631 bytes end inside the SHA-256"},
    };
    bs_image_opts_t o = v3_opts(SLOT, SLOT_SIZE);
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        trun_t *r = run_all_chunkings(s.img.buf, cases[i].cut, &o);
        char want[160];
        snprintf(want, sizeof want, "E esp_image: %s", cases[i].message);
        if (r->err != ESP_ERR_IMAGE_INVALID || r->feed_err != ESP_OK ||
            tlog_count_level(&r->log, 'E') != 1 || tlog_find(&r->log, want) < 0) {
            tlog_dump(&r->log);
            fail_msg("%s", cases[i].name);
        }
        free(r);
    }
    /* Every proper prefix is consistent so far, yet incomplete. */
    for (uint32_t cut = 0; cut < s.img.at.len; cut++) {
        trun_t *r = trun(s.img.buf, cut, &o, 0);
        assert_int_equal(r->feed_err, ESP_OK);
        assert_false(r->done);
        assert_int_equal(r->err, ESP_ERR_IMAGE_INVALID);
        free(r);
    }
    sdk_free(&s);
}

static void test_sixteen_segments(void **state)
{
    (void)state;
    timg_spec_t sp = {.nseg = 16, .entry = 0x40100000u};
    for (int i = 0; i < 16; i++) {
        sp.seg[i] = (timg_seg_t){0x3FFE8000u + 0x100u * (uint32_t)i, 4u * (uint32_t)i, NULL};
    }
    timg_t img = timg_build(&sp);
    bs_image_opts_t o = {.kind = BS_IMAGE_V1, .hash = BS_HASH_NONE, .max_len = 0x8000};
    trun_t *r = run_all_chunkings(img.buf, img.at.len, &o);
    assert_int_equal(r->err, ESP_OK);
    assert_int_equal(r->info.header.segment_count, 16);
    assert_int_equal(r->info.segments[15].data_len, 60);
    free(r);
    timg_free(&img);

    sp.nseg = 17;
    sp.seg[16] = (timg_seg_t){0x3FFF0000u, 4, NULL};
    img = timg_build(&sp);
    r = run_all_chunkings(img.buf, img.at.len, &o);
    assert_int_equal(r->err, ESP_ERR_IMAGE_INVALID);
    assert_int_equal(r->fail_at, 8);
    assert_false(r->header_ok);
    assert_string_equal(r->log.lines[0],
                        "E esp_image: image at 0x0 segment count 17 exceeds max 16");
    free(r);
    timg_free(&img);
}

static void test_max_len_boundary(void **state)
{
    (void)state;
    sdk_img_t s = sdk_image(SLOT);
    bs_image_opts_t o = v3_opts(SLOT, 3632);
    trun_t *r = run_all_chunkings(s.img.buf, s.img.at.len, &o);
    assert_int_equal(r->err, ESP_OK);
    free(r);

    /* One byte short: known at the last segment header, before its data. */
    o.max_len = 3631;
    r = run_all_chunkings(s.img.buf, s.img.at.len, &o);
    assert_int_equal(r->err, ESP_ERR_IMAGE_INVALID);
    assert_int_equal(r->fail_at, 0xDCC);
    assert_false(r->header_ok);
    assert_string_equal(r->log.lines[r->log.count - 1],
                        "E esp_image: Image length 3632 doesn't fit in partition length 3631");
    free(r);

    /* Far too small: known at the first segment header, as a lower bound.
     * (The entry check would fire first on so small a window.) */
    o.check_entry = false;
    o.max_len = 100;
    r = run_all_chunkings(s.img.buf, s.img.at.len, &o);
    assert_int_equal(r->fail_at, 16);
    assert_string_equal(
        r->log.lines[r->log.count - 1],
        "E esp_image: Image length at least 3152 doesn't fit in partition length 100");
    free(r);

    /* Even the headers cannot fit. */
    o.max_len = 64;
    r = run_all_chunkings(s.img.buf, s.img.at.len, &o);
    assert_int_equal(r->fail_at, 8);
    assert_string_equal(r->log.lines[0],
                        "E esp_image: Image length at least 80 doesn't fit in partition length 64");
    free(r);

    /* Without a hash the same image needs 32 bytes less. */
    o = v3_opts(SLOT, 3600);
    o.hash = BS_HASH_NONE;
    r = run_all_chunkings(s.img.buf, s.img.at.len, &o);
    assert_int_equal(r->err, ESP_OK);
    assert_int_equal(r->consumed, 3600);
    free(r);
    o.max_len = 3599;
    r = run_all_chunkings(s.img.buf, s.img.at.len, &o);
    assert_int_equal(r->err, ESP_ERR_IMAGE_INVALID);
    free(r);
    sdk_free(&s);
}

/* A segment length near 4 GB must not wrap the length arithmetic. */
static void test_huge_segment_length(void **state)
{
    (void)state;
    sdk_img_t s = sdk_image(SLOT);
    timg_put32(s.img.buf + 0xC10 + 4, 0xFFFFFFFCu);
    bs_image_opts_t o = v3_opts(SLOT, SLOT_SIZE);
    trun_t *r = run_all_chunkings(s.img.buf, s.img.at.len, &o);
    assert_int_equal(r->err, ESP_ERR_IMAGE_INVALID);
    assert_int_equal(r->fail_at, 0xC18);
    assert_string_equal(r->log.lines[r->log.count - 1],
                        "E esp_image: Image length at least 4294967295 doesn't fit in partition "
                        "length 983040");
    free(r);
    sdk_free(&s);
}

/* Fields esptool never writes: the bootloader (as the SDK's) warns and goes
 * on; an update (opts.update) refuses the header. Header byte 2 is the mode,
 * the high nibble of byte 3 the size code (V3: 0..4 are 1..16 MB). */
static void test_update_refuses_bad_fields(void **state)
{
    (void)state;
    static const struct {
        uint32_t off;
        uint8_t value;
        const char *warn, *err;
    } cases[] = {
        {2, 6, "W esp_image: image at 0x110000 has invalid SPI mode 6",
         "E esp_image: image at 0x110000 has invalid SPI mode 6: not an image esptool writes"},
        {2, 0xFF, "W esp_image: image at 0x110000 has invalid SPI mode 255",
         "E esp_image: image at 0x110000 has invalid SPI mode 255: not an image esptool writes"},
        {3, 0x50, "W esp_image: image at 0x110000 has invalid SPI size 5",
         "E esp_image: image at 0x110000 has invalid SPI size 5: not an image esptool writes"},
        {3, 0xF0, "W esp_image: image at 0x110000 has invalid SPI size 15",
         "E esp_image: image at 0x110000 has invalid SPI size 15: not an image esptool writes"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        sdk_img_t s = sdk_image(SLOT);
        s.img.buf[cases[i].off] = cases[i].value;
        timg_refresh(&s.img, &s.spec);
        bs_image_opts_t o = v3_opts(SLOT, SLOT_SIZE);
        trun_t *r = run_all_chunkings(s.img.buf, s.img.at.len, &o);
        assert_int_equal(r->err, ESP_OK);
        assert_string_equal(r->log.lines[0], cases[i].warn);
        free(r);
        o.update = true;
        r = run_all_chunkings(s.img.buf, s.img.at.len, &o);
        assert_int_equal(r->err, ESP_ERR_IMAGE_INVALID);
        assert_int_equal(r->fail_at, 8);
        assert_false(r->header_ok);
        assert_int_equal(r->log.count, 1);
        assert_string_equal(r->log.lines[0], cases[i].err);
        free(r);
        sdk_free(&s);
    }
    /* The largest valid values pass both ways. */
    sdk_img_t s = sdk_image(SLOT);
    s.img.buf[2] = 5;
    s.img.buf[3] = (uint8_t)((s.img.buf[3] & 0x0Fu) | 0x40u);
    timg_refresh(&s.img, &s.spec);
    bs_image_opts_t o = v3_opts(SLOT, SLOT_SIZE);
    o.update = true;
    trun_t *r = run_all_chunkings(s.img.buf, s.img.at.len, &o);
    assert_int_equal(r->err, ESP_OK);
    free(r);
    sdk_free(&s);
}

/* A well-formed V3 app with no descriptor: booted (the SDK never reads it),
 * refused as an update once the last segment has gone by. */
static void test_update_requires_descriptor(void **state)
{
    (void)state;
    sdk_img_t s = sdk_image(SLOT);
    s.img.buf[0xC18] ^= 0x01; /* the magic word opening .flash.rodata */
    timg_refresh(&s.img, &s.spec);
    bs_image_opts_t o = v3_opts(SLOT, SLOT_SIZE);
    o.log_segments = false;
    trun_t *r = run_all_chunkings(s.img.buf, s.img.at.len, &o);
    assert_int_equal(r->err, ESP_OK);
    assert_false(r->info.has_desc);
    free(r);
    o.update = true;
    r = run_all_chunkings(s.img.buf, s.img.at.len, &o);
    assert_int_equal(r->err, ESP_ERR_IMAGE_INVALID);
    assert_int_equal(r->fail_at, s.img.at.seg_end);
    assert_int_equal(r->log.count, 1);
    assert_string_equal(r->log.lines[0],
                        "E esp_image: image at 0x110000 has no app descriptor (magic 0xabcd5432)");
    free(r);
    /* V1 images carry none: never asked for. */
    o.kind = BS_IMAGE_V1;
    r = trun(s.img.buf, s.img.at.len, &o, 0);
    assert_int_equal(r->err, ESP_OK);
    free(r);
    sdk_free(&s);
}

/* Load addresses: DRAM 0x3FFE8000..0x40000000, IRAM 0x40100000..0x4010C000,
 * the flash window; RAM segments must also end inside their region. Segment
 * 2 is the 64-byte DRAM one, at file offset 0xD84 (its header at 0xD7C). */
static void test_segment_regions(void **state)
{
    (void)state;
    static const struct {
        uint32_t load;
        bool ok;
    } cases[] = {
        {0x3FFE8000u, true},  {0x3FFFFFC0u, true},  /* ends exactly at 0x40000000 */
        {0x3FFFFFC4u, false}, {0x3FFE7FFCu, false}, /* crosses the end / starts below */
        {0x40100000u, true},  {0x4010BFC0u, true},  {0x4010BFC4u, false},
        {0x20000000u, false}, {0x60000000u, false}, {0x00000000u, false},
        {0x40000000u, false}, /* the ROM */
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        sdk_img_t s = sdk_image(SLOT);
        timg_put32(s.img.buf + 0xD7C, cases[i].load);
        timg_refresh(&s.img, &s.spec);
        bs_image_opts_t o = v3_opts(SLOT, SLOT_SIZE);
        o.log_segments = false;
        trun_t *r = run_all_chunkings(s.img.buf, s.img.at.len, &o);
        if ((r->err == ESP_OK) != cases[i].ok) {
            tlog_dump(&r->log);
            fail_msg("load address 0x%08x: %s", (unsigned)cases[i].load,
                     cases[i].ok ? "refused" : "accepted");
        }
        if (!cases[i].ok) {
            char want[160];
            snprintf(want, sizeof want,
                     "E esp_image: image at 0x110000: segment 2 (0x%08x, 64 bytes) is outside "
                     "DRAM, IRAM and the flash window",
                     (unsigned)cases[i].load);
            assert_int_equal(r->fail_at, 0xD84);
            assert_string_equal(r->log.lines[0], want);
        }
        free(r);
        sdk_free(&s);
    }
}

typedef struct {
    uint32_t slot, max_len, entry;
    bool check, ok;
} entry_case_t;

static void test_entry_window(void **state)
{
    (void)state;
    static const entry_case_t cases[] = {
        {0x110000, 0xF0000, 0x40210010u, true, false}, /* low end is exclusive */
        {0x110000, 0xF0000, 0x40210014u, true, true},
        {0x110000, 0xF0000, 0x402FFFFCu, true, true},
        {0x110000, 0xF0000, 0x40300000u, true, false}, /* high end is exclusive */
        {0x10000, 0xF0000, 0x40210110u, true, true},   /* 2 MB: one binary, both slots */
        {0x110000, 0xF0000, 0x40210110u, true, true},
        {0x80000, 0x70000, 0x40210110u, true, false}, /* 1 MB: linked for ota_0, in ota_1 */
        {0x80000, 0x70000, 0x40280110u, true, true},
        {0x80000, 0x70000, 0x40210110u, false, true},  /* not asked to check */
        {0x110000, 0xF0000, 0x40100004u, true, false}, /* IRAM entry */
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const entry_case_t *c = &cases[i];
        sdk_img_t s = sdk_image(c->slot);
        timg_put32(s.img.buf + 4, c->entry);
        timg_refresh(&s.img, &s.spec);
        bs_image_opts_t o = v3_opts(c->slot, c->max_len);
        o.check_entry = c->check;
        trun_t *r = trun(s.img.buf, s.img.at.len, &o, 1);
        if ((r->err == ESP_OK) != c->ok) {
            tlog_dump(&r->log);
            fail_msg("case %zu: entry 0x%x slot 0x%x", i, (unsigned)c->entry, (unsigned)c->slot);
        }
        if (!c->ok) {
            assert_int_equal(r->fail_at, 8);
        }
        /* V1 images never have their entry checked. */
        o.kind = BS_IMAGE_V1;
        free(r);
        r = trun(s.img.buf, s.img.at.len, &o, 0);
        assert_int_equal(r->err, ESP_OK);
        free(r);
        sdk_free(&s);
    }
}

static void test_bytes_after_end_not_consumed(void **state)
{
    (void)state;
    sdk_img_t s = sdk_image(SLOT);
    uint32_t len = s.img.at.len;
    uint8_t *buf = malloc(len + 100);
    memcpy(buf, s.img.buf, len);
    memset(buf + len, 0xA5, 100);
    bs_image_opts_t o = v3_opts(SLOT, SLOT_SIZE);
    trun_t *r = run_all_chunkings(buf, len + 100, &o);
    assert_int_equal(r->err, ESP_OK);
    assert_int_equal(r->consumed, len);
    free(r);

    /* Without a hash the image ends at the checksum; the hash bytes are left. */
    o.hash = BS_HASH_NONE;
    r = run_all_chunkings(buf, len + 100, &o);
    assert_int_equal(r->err, ESP_OK);
    assert_int_equal(r->consumed, len - 32);
    assert_false(r->info.hash_present);
    assert_int_equal(r->info.image_len, len - 32);
    /* The digest is still computed, and is what the file carries. */
    assert_memory_equal(r->info.hash_calc, buf + len - 32, 32);
    free(r);

    /* After done or error, feeding takes nothing and keeps the verdict. */
    bs_image_stream_t st;
    uint32_t used = 99;
    o.hash = BS_HASH_REQUIRED;
    bs_image_stream_init(&st, NULL, &o);
    assert_int_equal(bs_image_stream_feed(&st, buf, len + 100, &used), ESP_OK);
    assert_int_equal(used, len);
    assert_int_equal(bs_image_stream_feed(&st, buf, 10, &used), ESP_OK);
    assert_int_equal(used, 0);
    buf[0] = 0;
    bs_image_stream_init(&st, NULL, &o);
    assert_int_equal(bs_image_stream_feed(&st, buf, 20, &used), ESP_ERR_IMAGE_INVALID);
    assert_int_equal(used, 8);
    assert_int_equal(bs_image_stream_feed(&st, buf + 8, 10, &used), ESP_ERR_IMAGE_INVALID);
    assert_int_equal(used, 0);
    assert_int_equal(bs_image_stream_finish(&st, NULL), ESP_ERR_IMAGE_INVALID);
    free(buf);
    sdk_free(&s);
}

static void test_hash_if_present(void **state)
{
    (void)state;
    sdk_img_t s = sdk_image(SLOT);
    uint32_t len = s.img.at.len;
    bs_image_opts_t o = v3_opts(SLOT, SLOT_SIZE);
    o.hash = BS_HASH_IF_PRESENT;

    o.total_len = len;
    trun_t *r = run_all_chunkings(s.img.buf, len, &o);
    assert_int_equal(r->err, ESP_OK);
    assert_true(r->info.hash_present);
    assert_int_equal(r->info.image_len, len);
    free(r);

    /* A file that stops at the checksum: fine, no hash. */
    o.total_len = len - 32;
    r = run_all_chunkings(s.img.buf, len - 32, &o);
    assert_int_equal(r->err, ESP_OK);
    assert_false(r->info.hash_present);
    assert_int_equal(r->info.image_len, len - 32);
    free(r);

    /* Not room for a whole hash: treated as absent. */
    o.total_len = len - 1;
    r = run_all_chunkings(s.img.buf, len - 1, &o);
    assert_int_equal(r->err, ESP_OK);
    assert_int_equal(r->consumed, len - 32);
    free(r);

    /* Present, but wrong. */
    s.img.buf[len - 1] ^= 0x40;
    o.total_len = len;
    r = run_all_chunkings(s.img.buf, len, &o);
    assert_int_equal(r->err, ESP_ERR_IMAGE_INVALID);
    assert_string_equal(r->log.lines[r->log.count - 1],
                        "E esp_image: Image hash failed - image is corrupt");
    free(r);
    s.img.buf[len - 1] ^= 0x40;

    /* Present, but the slot only has room for the image without it. */
    o.max_len = len - 32;
    r = run_all_chunkings(s.img.buf, len, &o);
    assert_int_equal(r->err, ESP_ERR_IMAGE_INVALID);
    assert_string_equal(r->log.lines[r->log.count - 1],
                        "E esp_image: Image length 3632 doesn't fit in partition length 3600");
    free(r);
    sdk_free(&s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sdk_shaped_v3),
        cmocka_unit_test(test_segment_line_format),
        cmocka_unit_test(test_v1_bootloader),
        cmocka_unit_test(test_zero_segments_and_empty_segment),
        cmocka_unit_test(test_corruption_classes),
        cmocka_unit_test(test_truncation_in_each_region),
        cmocka_unit_test(test_sixteen_segments),
        cmocka_unit_test(test_max_len_boundary),
        cmocka_unit_test(test_huge_segment_length),
        cmocka_unit_test(test_update_refuses_bad_fields),
        cmocka_unit_test(test_update_requires_descriptor),
        cmocka_unit_test(test_segment_regions),
        cmocka_unit_test(test_entry_window),
        cmocka_unit_test(test_bytes_after_end_not_consumed),
        cmocka_unit_test(test_hash_if_present),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
