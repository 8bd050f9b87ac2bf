/*
 * ota8266 image_info: exact output for our images and for images laid out
 * byte by byte the way esptool writes them (reference §3.3-3.9), and the
 * verdict on corrupt ones (exit 1, reason named).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "commands.h"
#include "image_test_util.h"

typedef struct {
    uint32_t addr;
    uint32_t len;
    const uint8_t *data; /* NULL: a pattern */
} seg_t;

typedef struct {
    uint8_t *buf;
    size_t len;
    uint32_t checksum_at;
} built_t;

/* An image as esptool lays it out: header, segments, zero padding up to the
 * checksum at the end of a 16-byte block, and optionally the SHA-256. */
static built_t build(const seg_t *segs, int nseg, uint32_t entry, uint8_t mode, uint8_t size_freq,
                     bool hash)
{
    uint32_t pos = 8;
    for (int i = 0; i < nseg; i++) {
        pos += 8 + segs[i].len;
    }
    built_t b;
    b.checksum_at = pos | 15u;
    b.len = b.checksum_at + 1u + (hash ? 32u : 0u);
    b.buf = calloc(1, b.len);
    b.buf[0] = 0xE9;
    b.buf[1] = (uint8_t)nseg;
    b.buf[2] = mode;
    b.buf[3] = size_freq;
    t_put32(b.buf + 4, entry);
    uint8_t sum = 0xEF;
    pos = 8;
    for (int i = 0; i < nseg; i++) {
        t_put32(b.buf + pos, segs[i].addr);
        t_put32(b.buf + pos + 4, segs[i].len);
        pos += 8;
        for (uint32_t j = 0; j < segs[i].len; j++) {
            b.buf[pos + j] = segs[i].data ? segs[i].data[j] : (uint8_t)(j * 5u + (uint32_t)i);
            sum ^= b.buf[pos + j];
        }
        pos += segs[i].len;
    }
    b.buf[b.checksum_at] = sum;
    if (hash) {
        t_sha256(b.buf, b.checksum_at + 1u, b.buf + b.checksum_at + 1u);
    }
    return b;
}

static t_run_t image_info(const char *path)
{
    return t_run(cmd_image_info, "image_info", path, NULL);
}

static char *hex(const uint8_t *p, size_t n)
{
    static char buf[2][65];
    static int next;
    char *o = buf[next++ & 1];
    t_hex(p, n, o);
    return o;
}

/* The SDK V3 app of reference §3.5/§3.9: .flash.text 3072, .flash.rodata 356
 * (descriptor first), DRAM 64, IRAM 64; seg_end 3596, 3632 bytes with hash. */
static built_t sdk_app(bool hash)
{
    static uint8_t rodata[356];
    t_desc(rodata, "v1.0.2", "native_ota", "12:34:56", "Jan  8 2013", "v3.4-dirty");
    for (int i = 256; i < 356; i++) {
        rodata[i] = (uint8_t)(i * 3);
    }
    const seg_t segs[] = {
        {0x40210010u, 3072, NULL},
        {0x40210c10u, 356, rodata},
        {0x3ffe8000u, 64, NULL},
        {0x40100000u, 64, NULL},
    };
    return build(segs, 4, 0x40210110u, 2, 0x20, hash);
}

static const char s_sdk_segments[] =
    "4 segments\n"
    "Segment 1: len 0x00c00 load 0x40210010 file_offs 0x00000008 [IROM]\n"
    "Segment 2: len 0x00164 load 0x40210c10 file_offs 0x00000c10 [IROM]\n"
    "Segment 3: len 0x00040 load 0x3ffe8000 file_offs 0x00000d7c [DRAM]\n"
    "Segment 4: len 0x00040 load 0x40100000 file_offs 0x00000dc4 [IRAM]\n";

static void test_sdk_v3_app_image(void **state)
{
    (void)state;
    built_t b = sdk_app(true);
    assert_int_equal(b.len, 3632);
    t_write(t_path("sdk.bin"), b.buf, b.len);
    t_run_t r = image_info(t_path("sdk.bin"));
    char want[2048];
    snprintf(want, sizeof want,
             "Image version: 3\nEntry point: 40210110\n%s"
             "Flash mode: DIO\nFlash freq: 40MHz\nFlash size: 4MB\n"
             "Checksum: %02x (valid)\nValidation Hash: %s (valid)\n"
             "Project name: native_ota\nApp version: v1.0.2\nCompile time: Jan  8 2013 12:34:56\n"
             "SDK version: v3.4-dirty\n"
             "ELF file SHA256: 0000000000000000000000000000000000000000000000000000000000000000\n",
             s_sdk_segments, b.buf[b.checksum_at], hex(b.buf + b.checksum_at + 1, 32));
    assert_string_equal(r.out, want);
    assert_string_equal(r.err, "");
    assert_int_equal(r.rc, 0);
    t_run_free(&r);
    free(b.buf);
}

/* Without its hash the same bytes are a v1 image: the size nibble 2 then
 * reads through the ROM's table (1 MB), as esptool reads it. */
static void test_same_image_without_hash_reads_as_v1(void **state)
{
    (void)state;
    built_t b = sdk_app(false);
    assert_int_equal(b.len, 3600);
    t_write(t_path("nohash.bin"), b.buf, b.len);
    t_run_t r = image_info(t_path("nohash.bin"));
    char want[1024];
    snprintf(want, sizeof want,
             "Image version: 1\nEntry point: 40210110\n%s"
             "Flash mode: DIO\nFlash freq: 40MHz\nFlash size: 1MB\nChecksum: %02x (valid)\n",
             s_sdk_segments, b.buf[b.checksum_at]);
    assert_string_equal(r.out, want);
    assert_int_equal(r.rc, 0);
    t_run_free(&r);
    free(b.buf);
}

/* An esptool v1 bootloader: IRAM code, then DRAM data; DOUT, 80 MHz, 16 MB. */
static void test_esptool_v1_bootloader(void **state)
{
    (void)state;
    const seg_t segs[] = {
        {0x40100000u, 0x5d8, NULL},
        {0x3ffe8000u, 0x18, NULL},
        {0x3ffe8018u, 0x204, NULL},
    };
    built_t b = build(segs, 3, 0x40100080u, 3, 0x9F, false);
    t_write(t_path("boot.bin"), b.buf, b.len);
    t_run_t r = image_info(t_path("boot.bin"));
    char want[1024];
    snprintf(want, sizeof want,
             "Image version: 1\nEntry point: 40100080\n3 segments\n"
             "Segment 1: len 0x005d8 load 0x40100000 file_offs 0x00000008 [IRAM]\n"
             "Segment 2: len 0x00018 load 0x3ffe8000 file_offs 0x000005e8 [DRAM]\n"
             "Segment 3: len 0x00204 load 0x3ffe8018 file_offs 0x00000608 [DRAM]\n"
             "Flash mode: DOUT\nFlash freq: 80MHz\nFlash size: 16MB\nChecksum: %02x (valid)\n",
             b.buf[b.checksum_at]);
    assert_string_equal(r.out, want);
    assert_int_equal(r.rc, 0);
    t_run_free(&r);
    free(b.buf);
}

/* Our own V3 image, made by elf2image from a tiny ELF: segment 0 the
 * descriptor at 0x40210010 (file offset 16), segment 1 the ELF at its XIP
 * identity address 0x40210118 (file offset 280). */
typedef struct {
    uint8_t *img;
    size_t len;
    uint8_t elf_sha[32];
    uint32_t len0;
} ours_t;

static ours_t make_ours(const char *bin)
{
    const char *elf_path = t_path("ours.elf");
    size_t elf_len = tiny_elf_write(elf_path, &(tiny_elf_t){.entry_off = 0x88, .tail = 2});
    ours_t o;
    size_t n;
    uint8_t *elf = t_read(elf_path, &n);
    t_sha256(elf, n, o.elf_sha);
    free(elf);
    o.len0 = (uint32_t)((elf_len + 3u) & ~(size_t)3u);
    setenv("SOURCE_DATE_EPOCH", "1700000000", 1);
    t_run_t r = t_run(cmd_elf2image, "elf2image", "--app-offset", "0x210000", "--flash_mode",
                      "dout", "--flash_freq", "26m", "--flash_size", "2MB", "--project-name",
                      "demo", "--project-version", "7.1", "-o", bin, elf_path, NULL);
    unsetenv("SOURCE_DATE_EPOCH");
    assert_int_equal(r.rc, 0);
    t_run_free(&r);
    o.img = t_read(bin, &o.len);
    return o;
}

/* Expected stdout for `o` up to the checksum line, with `tail` after it. */
static void want_ours(char *want, size_t size, const ours_t *o, const char *checksum_and_hash)
{
    snprintf(want, size,
             "Image version: 3\nEntry point: %08x\n2 segments\n"
             "Segment 1: len 0x00100 load 0x40210010 file_offs 0x00000008 [IROM]\n"
             "Segment 2: len 0x%05x load 0x40210118 file_offs 0x00000110 [IROM]\n"
             "Flash mode: DOUT\nFlash freq: 26.7MHz\nFlash size: 2MB\n%s"
             "Project name: demo\nApp version: 7.1\nCompile time: Nov 14 2023 22:13:20\n"
             "SDK version: v3.4-ota8266\nELF file SHA256: %s\n",
             0x40210118u + 0x88u, o->len0, checksum_and_hash, hex(o->elf_sha, 32));
}

static void test_our_v3_image(void **state)
{
    (void)state;
    ours_t o = make_ours(t_path("ours.bin"));
    size_t cs = o.len - 33;
    char tail[256], want[2048];
    snprintf(tail, sizeof tail, "Checksum: %02x (valid)\nValidation Hash: %s (valid)\n", o.img[cs],
             hex(o.img + cs + 1, 32));
    want_ours(want, sizeof want, &o, tail);
    t_run_t r = image_info(t_path("ours.bin"));
    assert_string_equal(r.out, want);
    assert_string_equal(r.err, "");
    assert_int_equal(r.rc, 0);
    t_run_free(&r);
    free(o.img);
}

static void test_checksum_corrupted(void **state)
{
    (void)state;
    ours_t o = make_ours(t_path("cs.bin"));
    size_t cs = o.len - 33;
    uint8_t good = o.img[cs];
    o.img[280 + 40] ^= 0x5A; /* a byte of the ELF in segment 1 */
    t_write(t_path("cs.bin"), o.img, o.len);
    char tail[256], want[2048];
    uint8_t calc[32];
    t_sha256(o.img, cs + 1, calc);
    snprintf(tail, sizeof tail,
             "Checksum: %02x (invalid - calculated %02x)\n"
             "Validation Hash: %s (not checked: the checksum failed first)\n",
             good, good ^ 0x5A, hex(calc, 32));
    want_ours(want, sizeof want, &o, tail);
    t_run_t r = image_info(t_path("cs.bin"));
    assert_string_equal(r.out, want);
    char err[512];
    snprintf(err, sizeof err,
             "ota8266 image_info: error: %s: Checksum failed. Calculated 0x%x read 0x%x "
             "(0x2002 ESP_ERR_IMAGE_INVALID)\n",
             t_path("cs.bin"), good ^ 0x5A, good);
    assert_string_equal(r.err, err);
    assert_int_equal(r.rc, 1);
    t_run_free(&r);
    free(o.img);
}

static void test_hash_corrupted(void **state)
{
    (void)state;
    ours_t o = make_ours(t_path("hash.bin"));
    size_t cs = o.len - 33;
    char calc[65];
    t_hex(o.img + cs + 1, 32, calc);
    o.img[o.len - 1] ^= 1;
    t_write(t_path("hash.bin"), o.img, o.len);
    char tail[256], want[2048];
    snprintf(tail, sizeof tail, "Checksum: %02x (valid)\nValidation Hash: %s (invalid)\n",
             o.img[cs], calc);
    want_ours(want, sizeof want, &o, tail);
    t_run_t r = image_info(t_path("hash.bin"));
    assert_string_equal(r.out, want);
    assert_non_null(strstr(r.err, "Image hash failed - image is corrupt"));
    assert_int_equal(r.rc, 1);
    t_run_free(&r);
    free(o.img);
}

/* Damage found before the checksum: nothing printed but the reason. */
static void test_corrupt_before_checksum(void **state)
{
    (void)state;
    built_t b = sdk_app(true);
    static const struct {
        size_t at; /* byte to change, or SIZE_MAX to cut the file at `cut` */
        uint8_t value;
        size_t cut;
        const char *want;
    } cases[] = {
        {0, 0xEA, 0, "invalid magic byte"},
        {1, 17, 0, "segment count 17 exceeds max 16"},
        {12, 0x01, 0, "unaligned segment length 0xc01"},
        {3597, 0x01, 0, "padding byte at offset 0xe0d is 0x01"},
        {SIZE_MAX, 0, 2000, "truncated: 2000 bytes end inside segment 0 data"},
        {SIZE_MAX, 0, 3, "truncated"},
    };
    for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
        uint8_t *copy = malloc(b.len);
        memcpy(copy, b.buf, b.len);
        size_t len = b.len;
        if (cases[c].at == SIZE_MAX) {
            len = cases[c].cut;
        } else {
            copy[cases[c].at] = cases[c].value;
        }
        t_write(t_path("bad.bin"), copy, len);
        t_run_t r = image_info(t_path("bad.bin"));
        if (!strstr(r.err, cases[c].want)) {
            print_error("case %zu: stderr '%s'\n", c, r.err);
        }
        assert_non_null(strstr(r.err, cases[c].want));
        assert_non_null(strstr(r.err, "ota8266 image_info: error: "));
        assert_string_equal(r.out, "");
        assert_int_equal(r.rc, 1);
        t_run_free(&r);
        free(copy);
    }
    free(b.buf);
}

/* Bytes after a v1 image that cannot be a hash: printed, with a warning. */
static void test_trailing_bytes_warned(void **state)
{
    (void)state;
    built_t b = sdk_app(false);
    uint8_t *copy = calloc(1, b.len + 5);
    memcpy(copy, b.buf, b.len);
    t_write(t_path("trail.bin"), copy, b.len + 5);
    t_run_t r = image_info(t_path("trail.bin"));
    assert_int_equal(r.rc, 0);
    assert_true(!strncmp(r.out, "Image version: 1\n", 17));
    assert_non_null(strstr(r.err, "warning"));
    assert_non_null(strstr(r.err, "5 bytes after the image end (0xe10)"));
    t_run_free(&r);
    free(copy);
    free(b.buf);
}

static void test_arguments(void **state)
{
    (void)state;
    built_t b = sdk_app(true);
    t_write(t_path("args.bin"), b.buf, b.len);
    free(b.buf);
    const char *f = t_path("args.bin");
    static const char *const bad[][4] = {
        {NULL},
        {"__F__", "__F__", NULL},
        {"--bogus", "__F__", NULL},
        {"--chip", "esp32", "__F__", NULL},
    };
    for (size_t c = 0; c < sizeof bad / sizeof bad[0]; c++) {
        char *argv[6] = {"image_info"};
        int argc = 1;
        for (int i = 0; bad[c][i]; i++) {
            argv[argc++] = (char *)(!strcmp(bad[c][i], "__F__") ? f : bad[c][i]);
        }
        argv[argc] = NULL;
        t_run_t r = t_run_argv(cmd_image_info, argc, argv);
        assert_int_equal(r.rc, 2);
        assert_non_null(strstr(r.err, "ota8266 image_info: error: "));
        t_run_free(&r);
    }
    t_run_t r = t_run(cmd_image_info, "image_info", "--chip", "esp8266", f, NULL);
    assert_int_equal(r.rc, 0);
    t_run_free(&r);
    r = t_run(cmd_image_info, "image_info", t_path("nope.bin"), NULL);
    assert_int_equal(r.rc, 1);
    assert_non_null(strstr(r.err, "cannot open"));
    t_run_free(&r);
    r = t_run(cmd_image_info, "image_info", "--help", NULL);
    assert_int_equal(r.rc, 0);
    assert_true(!strncmp(r.out, "usage: ota8266 image_info", 25));
    t_run_free(&r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sdk_v3_app_image),
        cmocka_unit_test(test_same_image_without_hash_reads_as_v1),
        cmocka_unit_test(test_esptool_v1_bootloader),
        cmocka_unit_test(test_our_v3_image),
        cmocka_unit_test(test_checksum_corrupted),
        cmocka_unit_test(test_hash_corrupted),
        cmocka_unit_test(test_corrupt_before_checksum),
        cmocka_unit_test(test_trailing_bytes_warned),
        cmocka_unit_test(test_arguments),
    };
    return cmocka_run_group_tests(tests, t_setup_dir, t_teardown_dir);
}
