/* Image verification from flash, the app descriptor, header state and
 * warnings, and the header field tables. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <cmocka.h>

#include "bs_image.h"
#include "bs_test_hal.h"
#include "bs_test_image.h"
#include "bs_test_stream.h"

#define SLOT 0x110000u
#define SLOT_SIZE 0xF0000u

static bs_image_opts_t v3_opts(uint32_t start, uint32_t max_len)
{
    return (bs_image_opts_t){.kind = BS_IMAGE_V3,
                             .hash = BS_HASH_REQUIRED,
                             .start_addr = start,
                             .max_len = max_len,
                             .check_entry = true,
                             .log_segments = true};
}

typedef struct {
    timg_spec_t spec;
    timg_t img;
    uint8_t *rodata;
} sdk_img_t;

static sdk_img_t sdk_image(uint32_t slot, uint32_t rodata_extra)
{
    sdk_img_t s;
    uint32_t len;
    s.rodata = timg_desc_segment("v2.0-test", "hello_world", rodata_extra, &len);
    s.spec = timg_sdk_app(slot, s.rodata, len);
    s.img = timg_build(&s.spec);
    return s;
}

static void sdk_free(sdk_img_t *s)
{
    timg_free(&s->img);
    free(s->rodata);
}

static void test_verify_from_flash(void **state)
{
    (void)state;
    bs_hal_t hal;
    tflash_t *f = tflash_new(0x400000, &hal);
    sdk_img_t s = sdk_image(SLOT, 5000);
    memcpy(f->mem + SLOT, s.img.buf, s.img.at.len);
    bs_image_opts_t o = v3_opts(SLOT, SLOT_SIZE);
    bs_image_info_t info;
    assert_int_equal(bs_image_verify(&hal, &o, &info), ESP_OK);
    assert_int_equal(info.image_len, s.img.at.len);
    assert_true(info.has_desc);
    /* Small reads, and not one byte past the image. */
    assert_true(f->max_read_len <= 256);
    assert_int_equal(f->bytes_read, s.img.at.len);

    /* Same verdict, info and log lines as the stream over the same bytes. */
    trun_t *r = trun(s.img.buf, s.img.at.len, &o, 0);
    assert_true(tinfo_equal(&info, &r->info));
    assert_int_equal(f->log.count, r->log.count);
    for (int i = 0; i < r->log.count; i++) {
        assert_string_equal(f->log.lines[i], r->log.lines[i]);
    }
    free(r);
    assert_int_equal(bs_image_verify(&hal, &o, NULL), ESP_OK);
    sdk_free(&s);
    tflash_free(f);
}

static void test_verify_failures(void **state)
{
    (void)state;
    bs_hal_t hal;
    tflash_t *f = tflash_new(0x400000, &hal);
    sdk_img_t s = sdk_image(SLOT, 100);
    bs_image_opts_t o = v3_opts(SLOT, SLOT_SIZE);
    bs_image_info_t info;

    /* Erased slot. */
    assert_int_equal(bs_image_verify(&hal, &o, &info), ESP_ERR_IMAGE_INVALID);
    assert_string_equal(f->log.lines[0], "E esp_image: image at 0x110000 has invalid magic byte");
    assert_int_equal(f->bytes_read, 8);

    /* A read error anywhere is a flash failure, not a bad image. */
    memcpy(f->mem + SLOT, s.img.buf, s.img.at.len);
    f->fail_read_lo = SLOT + 2000;
    f->fail_read_hi = SLOT + 2001;
    f->log.count = 0;
    assert_int_equal(bs_image_verify(&hal, &o, &info), ESP_ERR_IMAGE_FLASH_FAIL);
    assert_int_not_equal(tlog_find(&f->log, "E esp_image: flash read at 0x110"), -1);
    f->fail_read_lo = f->fail_read_hi = 0;

    /* A corrupt byte in flash. */
    f->mem[SLOT + 3000] ^= 0x10;
    f->log.count = 0;
    assert_int_equal(bs_image_verify(&hal, &o, &info), ESP_ERR_IMAGE_INVALID);
    assert_int_not_equal(tlog_find(&f->log, "E esp_image: Checksum failed."), -1);
    f->mem[SLOT + 3000] ^= 0x10;

    /* An image cut short by erased flash after it. */
    memset(f->mem + SLOT + s.img.at.checksum, 0xFF, 0x1000);
    f->log.count = 0;
    assert_int_equal(bs_image_verify(&hal, &o, &info), ESP_ERR_IMAGE_INVALID);
    assert_int_not_equal(tlog_find(&f->log, "Checksum failed"), -1);
    sdk_free(&s);
    tflash_free(f);
}

/* An image ending exactly at the chip end verifies without reading past it;
 * one claiming more than the chip holds fails without a read error. */
static void test_verify_at_chip_end(void **state)
{
    (void)state;
    bs_hal_t hal;
    tflash_t *f = tflash_new(0x100000, &hal);
    sdk_img_t s = sdk_image(0xF0000, 100);
    uint32_t start = 0x100000u - s.img.at.len;
    memcpy(f->mem + start, s.img.buf, s.img.at.len);
    bs_image_opts_t o = v3_opts(start, s.img.at.len);
    o.check_entry = false;
    assert_int_equal(bs_image_verify(&hal, &o, NULL), ESP_OK);
    o.max_len = 0x100000;
    timg_put32(f->mem + start + 0xDC4 + 4, 0x100000);
    assert_int_equal(bs_image_verify(&hal, &o, NULL), ESP_ERR_IMAGE_INVALID);
    sdk_free(&s);
    tflash_free(f);
}

static void test_descriptor_fields(void **state)
{
    (void)state;
    sdk_img_t s = sdk_image(SLOT, 100);
    bs_image_opts_t o = v3_opts(SLOT, SLOT_SIZE);
    trun_t *r = trun(s.img.buf, s.img.at.len, &o, 0);
    assert_int_equal(r->err, ESP_OK);
    const esp_app_desc_t *d = &r->info.desc;
    assert_true(r->info.has_desc);
    assert_int_equal(r->info.desc_offset, 0xC18);
    assert_int_equal(d->magic_word, ESP_APP_DESC_MAGIC_WORD);
    assert_int_equal(d->secure_version, 7);
    assert_string_equal(d->version, "v2.0-test");
    assert_string_equal(d->project_name, "hello_world");
    assert_string_equal(d->time, "12:34:56");
    assert_string_equal(d->date, "Jan  8 2013");
    assert_string_equal(d->idf_ver, "v3.4-ota8266");
    for (int i = 0; i < 32; i++) {
        assert_int_equal(d->app_elf_sha256[i], 0xA0 + i);
    }
    free(r);
    sdk_free(&s);
}

/* Ready as soon as its 256 bytes are in, long before the image ends:
 * what lets a download be judged before anything is erased. */
static void test_descriptor_ready_early(void **state)
{
    (void)state;
    sdk_img_t s = sdk_image(SLOT, 100);
    bs_image_opts_t o = v3_opts(SLOT, SLOT_SIZE);
    bs_image_stream_t st;
    bs_image_stream_init(&st, NULL, &o);
    uint32_t ready_at = 0xC18 + 256;
    assert_int_equal(bs_image_stream_feed(&st, s.img.buf, ready_at - 1, NULL), ESP_OK);
    assert_false(bs_image_stream_desc_ready(&st));
    assert_int_equal(bs_image_stream_feed(&st, s.img.buf + ready_at - 1, 1, NULL), ESP_OK);
    assert_true(bs_image_stream_desc_ready(&st));
    assert_string_equal(st.info.desc.project_name, "hello_world");
    sdk_free(&s);
}

typedef struct {
    const char *name;
    uint32_t load[3];
    uint32_t len[3];
    int desc_in;  /* segment whose data begins with a descriptor (-1 none) */
    int desc_in2; /* a second one, -1 none */
    bs_image_kind_t kind;
    int want_seg; /* segment captured, -1 none */
} desc_case_t;

/* A flash segment's load address tells which window offset it was linked
 * for (XIP identity); an image linked for 0x80000 must not run at 0x110000
 * even though its entry falls inside that 960 KB slot. */
static void test_linked_for_another_window(void **state)
{
    (void)state;
    static const struct {
        uint32_t start, seg0, seg1_minus8;
        esp_err_t want;
    } cases[] = {
        {0x110000, 0x40210010u, 1, ESP_OK},          /* linked for 0x10000: runs at 0x110000 */
        {0x10000, 0x40210010u, 1, ESP_OK},
        {0x110000, 0x40280010u, 1, ESP_ERR_IMAGE_INVALID}, /* linked for 0x80000 */
        {0x10000, 0x40210010u, 0, ESP_OK},           /* SDK .flash.rodata: header over 8 bytes */
        {0x10000, 0x40210014u, 1, ESP_ERR_IMAGE_INVALID},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        static uint8_t d0[64], d1[64];
        uint32_t seg1 = cases[i].seg0 + 64 + (cases[i].seg1_minus8 ? 8u : 0u);
        timg_spec_t sp = {.nseg = 2, .entry = cases[i].seg0 + 8, .hash = true};
        sp.seg[0] = (timg_seg_t){cases[i].seg0, sizeof d0, d0};
        sp.seg[1] = (timg_seg_t){seg1, sizeof d1, d1};
        timg_t img = timg_build(&sp);
        bs_image_opts_t o = v3_opts(cases[i].start, 0xF0000);
        trun_t *r = trun(img.buf, img.at.len, &o, 3);
        if (r->err != cases[i].want) {
            fail_msg("case %zu: got 0x%x want 0x%x", i, (unsigned)r->err, (unsigned)cases[i].want);
        }
        free(r);
        timg_free(&img);
    }
}

static void test_descriptor_placement(void **state)
{
    (void)state;
    static const desc_case_t cases[] = {
        {"second flash segment",
         {0x40210010u, 0x40210400u, 0x3FFE8000u},
         {1000, 400, 64},
         1,
         -1,
         BS_IMAGE_V3,
         1},
        {"first flash segment",
         {0x40210010u, 0x40210400u, 0x3FFE8000u},
         {400, 400, 64},
         0,
         -1,
         BS_IMAGE_V3,
         0},
        {"two: the first wins",
         {0x40210010u, 0x40210400u, 0x3FFE8000u},
         {400, 400, 64},
         0,
         1,
         BS_IMAGE_V3,
         0},
        {"in a RAM segment only",
         {0x40210010u, 0x40210400u, 0x3FFE8000u},
         {400, 400, 300},
         2,
         -1,
         BS_IMAGE_V3,
         -1},
        {"flash segment too short",
         {0x40210010u, 0x40210400u, 0x3FFE8000u},
         {400, 252, 64},
         1,
         -1,
         BS_IMAGE_V3,
         -1},
        {"after a RAM segment",
         {0x3FFE8000u, 0x40210010u, 0x402FFF00u},
         {64, 400, 256},
         2,
         -1,
         BS_IMAGE_V3,
         2},
        {"V1 image: never",
         {0x40210010u, 0x40210400u, 0x3FFE8000u},
         {400, 400, 64},
         1,
         -1,
         BS_IMAGE_V1,
         -1},
        {"none at all",
         {0x40210010u, 0x40210400u, 0x3FFE8000u},
         {400, 400, 64},
         -1,
         -1,
         BS_IMAGE_V3,
         -1},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const desc_case_t *c = &cases[i];
        uint8_t *bufs[3] = {NULL, NULL, NULL};
        timg_spec_t sp = {.nseg = 3, .entry = 0x40210100u, .hash = true};
        for (int k = 0; k < 3; k++) {
            bufs[k] = calloc(1, c->len[k] + 256);
            for (uint32_t j = 0; j < c->len[k]; j++) {
                bufs[k][j] = (uint8_t)(j + 1u + (uint32_t)k);
            }
            if (k == c->desc_in || k == c->desc_in2) {
                uint32_t dl;
                char proj[16];
                snprintf(proj, sizeof proj, "proj%d", k);
                uint8_t *d = timg_desc_segment("v1", proj, 0, &dl);
                memcpy(bufs[k], d, c->len[k] < dl ? c->len[k] : dl);
                free(d);
            }
            sp.seg[k] = (timg_seg_t){c->load[k], c->len[k], bufs[k]};
        }
        timg_t img = timg_build(&sp);
        bs_image_opts_t o = v3_opts(0x10000, 0x10000);
        o.kind = c->kind;
        o.check_entry = false; /* placement only: these segments are not linked for a slot */
        trun_t *r = trun(img.buf, img.at.len, &o, 3);
        assert_int_equal(r->err, ESP_OK);
        bool ok = r->info.has_desc == (c->want_seg >= 0);
        if (ok && c->want_seg >= 0) {
            char proj[16];
            snprintf(proj, sizeof proj, "proj%d", c->want_seg);
            ok = r->info.desc_offset == img.at.seg_data[c->want_seg] &&
                 strcmp(r->info.desc.project_name, proj) == 0;
        }
        if (!ok) {
            fail_msg("%s: has_desc %d offset 0x%x", c->name, r->info.has_desc,
                     (unsigned)r->info.desc_offset);
        }
        free(r);
        timg_free(&img);
        for (int k = 0; k < 3; k++) {
            free(bufs[k]);
        }
    }
}

static void test_header_ok_tracking(void **state)
{
    (void)state;
    sdk_img_t s = sdk_image(SLOT, 100);
    bs_image_opts_t o = v3_opts(SLOT, SLOT_SIZE);
    trun_t *r = trun(s.img.buf, 7, &o, 0);
    assert_false(r->header_ok);
    free(r);
    r = trun(s.img.buf, 8, &o, 0);
    assert_true(r->header_ok);
    free(r);
    /* A later segment header that fails clears it. */
    s.img.buf[0xDC4 + 4] = 2;
    r = trun(s.img.buf, s.img.at.len, &o, 0);
    assert_false(r->header_ok);
    free(r);
    s.img.buf[0xDC4 + 4] = 64;
    /* A checksum failure does not: every header did pass. */
    s.img.buf[0xE0F] ^= 1;
    r = trun(s.img.buf, s.img.at.len, &o, 0);
    assert_int_equal(r->err, ESP_ERR_IMAGE_INVALID);
    assert_true(r->header_ok);
    free(r);
    sdk_free(&s);
}

static void test_header_field_warnings(void **state)
{
    (void)state;
    sdk_img_t s = sdk_image(SLOT, 100);
    s.spec.spi_mode = 7;
    s.spec.spi_size = 9;
    timg_free(&s.img);
    s.img = timg_build(&s.spec);
    bs_image_opts_t o = v3_opts(SLOT, SLOT_SIZE);
    trun_t *r = trun(s.img.buf, s.img.at.len, &o, 1);
    assert_int_equal(r->err, ESP_OK); /* warnings only, as the SDK */
    assert_string_equal(r->log.lines[0], "W esp_image: image at 0x110000 has invalid SPI mode 7");
    assert_string_equal(r->log.lines[1], "W esp_image: image at 0x110000 has invalid SPI size 9");
    free(r);
    sdk_free(&s);
}

static void test_app_desc_codec(void **state)
{
    (void)state;
    esp_app_desc_t d;
    memset(&d, 0, sizeof d);
    d.magic_word = ESP_APP_DESC_MAGIC_WORD;
    d.secure_version = 0x01020304u;
    d.reserv1[1] = 0xCAFEF00Du;
    strcpy(d.version, "1.2.3");
    memset(d.project_name, 'p', sizeof d.project_name); /* full width, no NUL */
    strcpy(d.time, "01:02:03");
    strcpy(d.date, "Feb  2 2024");
    strcpy(d.idf_ver, "v3.4");
    d.app_elf_sha256[31] = 0x5A;
    d.reserv2[19] = 0x11223344u;
    uint8_t raw[256];
    bs_app_desc_encode(&d, raw);
    static const uint8_t magic[4] = {0x32, 0x54, 0xCD, 0xAB};
    assert_memory_equal(raw, magic, 4);
    assert_int_equal(raw[4], 0x04);
    assert_memory_equal(raw + 16, "1.2.3", 6);
    assert_int_equal(raw[48 + 31], 'p');
    assert_memory_equal(raw + 80, "01:02:03", 9);
    assert_memory_equal(raw + 96, "Feb  2 2024", 12);
    assert_memory_equal(raw + 112, "v3.4", 5);
    assert_int_equal(raw[175], 0x5A);
    assert_int_equal(raw[252], 0x44);
    esp_app_desc_t back;
    assert_int_equal(bs_app_desc_decode(raw, &back), ESP_OK);
    assert_memory_equal(&back, &d, sizeof d);

    raw[3] = 0xAC;
    assert_int_equal(bs_app_desc_decode(raw, &back), ESP_ERR_NOT_FOUND);
    assert_int_equal(back.magic_word, 0);
}

static void test_field_names(void **state)
{
    (void)state;
    static const char *const modes[] = {"QIO", "QOUT", "DIO", "DOUT", "FAST_READ", "SLOW_READ"};
    for (uint8_t m = 0; m < 6; m++) {
        assert_string_equal(bs_image_spi_mode_name(m), modes[m]);
    }
    assert_null(bs_image_spi_mode_name(6));
    assert_null(bs_image_spi_mode_name(0xFF));
    assert_string_equal(bs_image_spi_speed_name(0), "40MHz");
    assert_string_equal(bs_image_spi_speed_name(1), "26.7MHz");
    assert_string_equal(bs_image_spi_speed_name(2), "20MHz");
    assert_string_equal(bs_image_spi_speed_name(0xF), "80MHz");
    for (uint8_t sp = 3; sp < 0xF; sp++) {
        assert_null(bs_image_spi_speed_name(sp));
    }
}

static void test_flash_size_tables(void **state)
{
    (void)state;
    /* Reference §3.2: the v1 bootloader uses ESP8266 ROM codes, V3 apps ESP32 codes. */
    static const uint32_t v1[16] = {0x80000,  0x40000,  0x100000, 0x200000, 0x400000,
                                    0x200000, 0x400000, 0,        0x800000, 0x1000000};
    static const uint32_t v3[16] = {0x100000, 0x200000, 0x400000, 0x800000, 0x1000000};
    for (uint8_t n = 0; n < 16; n++) {
        assert_int_equal(bs_image_flash_size_bytes(BS_IMAGE_V1, n), v1[n]);
        assert_int_equal(bs_image_flash_size_bytes(BS_IMAGE_V3, n), v3[n]);
    }
    assert_int_equal(bs_image_flash_size_bytes(BS_IMAGE_V3, 16), 0);
    static const struct {
        uint32_t bytes;
        int v1, v3;
    } codes[] = {
        {0x40000, 1, -1}, {0x80000, 0, -1},  {0x100000, 2, 0},   {0x200000, 3, 1}, {0x400000, 4, 2},
        {0x800000, 8, 3}, {0x1000000, 9, 4}, {0x300000, -1, -1}, {0, -1, -1},
    };
    for (size_t i = 0; i < sizeof codes / sizeof codes[0]; i++) {
        assert_int_equal(bs_image_flash_size_code(BS_IMAGE_V1, codes[i].bytes), codes[i].v1);
        assert_int_equal(bs_image_flash_size_code(BS_IMAGE_V3, codes[i].bytes), codes[i].v3);
    }
    /* A 2 MB / 40 MHz app has byte 3 = 0x10; its bootloader 0x30 (§3.2). */
    assert_int_equal(bs_image_flash_size_code(BS_IMAGE_V3, 0x200000) << 4, 0x10);
    assert_int_equal(bs_image_flash_size_code(BS_IMAGE_V1, 0x200000) << 4, 0x30);
}

static void test_addr_is_flash(void **state)
{
    (void)state;
    assert_false(bs_image_addr_is_flash(0x401FFFFFu));
    assert_true(bs_image_addr_is_flash(0x40200000u));
    assert_true(bs_image_addr_is_flash(0x402FFFFFu));
    assert_false(bs_image_addr_is_flash(0x40300000u));
    assert_false(bs_image_addr_is_flash(0x3FFE8000u));
    assert_false(bs_image_addr_is_flash(0x40100000u));
    assert_false(bs_image_addr_is_flash(0x60001200u));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_verify_from_flash),      cmocka_unit_test(test_verify_failures),
        cmocka_unit_test(test_verify_at_chip_end),     cmocka_unit_test(test_descriptor_fields),
        cmocka_unit_test(test_descriptor_ready_early), cmocka_unit_test(test_descriptor_placement),
        cmocka_unit_test(test_linked_for_another_window),
        cmocka_unit_test(test_header_ok_tracking),     cmocka_unit_test(test_header_field_warnings),
        cmocka_unit_test(test_app_desc_codec),         cmocka_unit_test(test_field_names),
        cmocka_unit_test(test_flash_size_tables),      cmocka_unit_test(test_addr_is_flash),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
