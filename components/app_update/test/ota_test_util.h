#pragma once
/*
 * Test-only: V3 app images built byte by byte, independently of the core
 * (checksum by hand, SHA-256 from mbedTLS, descriptor fields at the offsets
 * of reference §3.6), on the virtual chip of spi_flash's tests; and the
 * running image's address, which the platform provides in a real app.
 */
#include <mbedtls/sha256.h>

#include "../../spi_flash/test/flash_test_util.h"
/* The platform's private header, by path: tests are not linked with esp_system. */
#include "../../esp_system/include/esp_private/app_image.h"
#include "esp_ota_ops.h"

#define TIMG_MAX_SEGS 16
#define TIMG_IROM 0x40200000u
#define TIMG_DRAM 0x3FFE8000u
#define TIMG_IRAM 0x40100000u

/* ---- the running image, as the bootloader would report it --------------- */

static uint32_t g_running_addr = 0x10000; /* factory of DEMO_TABLE */

uint32_t esp_app_image_start(void)
{
    return g_running_addr;
}

/* ---- images -------------------------------------------------------------- */

typedef struct {
    uint32_t load_addr;
    uint32_t len;
    const uint8_t *data; /* NULL: a pattern that never starts with the descriptor magic */
} tseg_t;

typedef struct {
    uint8_t *buf;
    uint32_t len;
    int nseg;
    uint32_t seg_hdr[TIMG_MAX_SEGS];
    uint32_t seg_data[TIMG_MAX_SEGS];
    uint32_t seg_len[TIMG_MAX_SEGS];
    uint32_t checksum_at;
    uint32_t hash_at;
} timg_t;

static inline void tput32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
    p[2] = (uint8_t)(v >> 16);
    p[3] = (uint8_t)(v >> 24);
}

/* Recomputes checksum and SHA-256 after a test edited segment data. */
static inline void timg_seal(timg_t *img)
{
    uint8_t x = 0xEF;
    for (int i = 0; i < img->nseg; i++) {
        for (uint32_t j = 0; j < img->seg_len[i]; j++) {
            x ^= img->buf[img->seg_data[i] + j];
        }
    }
    img->buf[img->checksum_at] = x;
    assert_int_equal(
        mbedtls_sha256_ret(img->buf, img->checksum_at + 1u, img->buf + img->hash_at, 0), 0);
}

/* header { E9, n, DIO, 40 MHz | 4 MB (ESP32 code 2) << 4, entry }, segments,
 * zero padding to the checksum at the end of a 16-byte block, SHA-256. */
static inline timg_t timg_build(uint32_t entry, const tseg_t *segs, int n)
{
    timg_t img;
    memset(&img, 0, sizeof img);
    img.nseg = n;
    uint32_t pos = 8;
    for (int i = 0; i < n; i++) {
        img.seg_hdr[i] = pos;
        img.seg_data[i] = pos + 8;
        img.seg_len[i] = segs[i].len;
        pos += 8 + segs[i].len;
    }
    img.checksum_at = pos | 15u;
    img.hash_at = img.checksum_at + 1;
    img.len = img.hash_at + 32;
    img.buf = calloc(1, img.len);
    assert_non_null(img.buf);
    img.buf[0] = 0xE9;
    img.buf[1] = (uint8_t)n;
    img.buf[2] = 2;
    img.buf[3] = 2u << 4;
    tput32(img.buf + 4, entry);
    for (int i = 0; i < n; i++) {
        tput32(img.buf + img.seg_hdr[i], segs[i].load_addr);
        tput32(img.buf + img.seg_hdr[i] + 4, segs[i].len);
        for (uint32_t j = 0; j < segs[i].len; j++) {
            img.buf[img.seg_data[i] + j] =
                segs[i].data ? segs[i].data[j] : (uint8_t)(j * 7u + (uint32_t)i * 31u + 0x11u);
        }
    }
    timg_seal(&img);
    return img;
}

static inline void timg_free(timg_t *img)
{
    free(img->buf);
    img->buf = NULL;
}

/* The 256-byte descriptor, field by field (reference §3.6). */
static inline void tdesc(uint8_t d[256], const char *version, const char *project)
{
    memset(d, 0, 256);
    tput32(d, 0xABCD5432u);
    strncpy((char *)d + 16, version, 32);
    strncpy((char *)d + 48, project, 32);
    memcpy(d + 80, "12:34:56", 8);
    memcpy(d + 96, "Nov 23 2025", 11);
    memcpy(d + 112, "v3.4-ota8266", 12);
    for (int i = 0; i < 32; i++) {
        d[144 + i] = (uint8_t)(0xA0 + i); /* app_elf_sha256, as elf2image fills it */
    }
}

/* Where images for a slot are mapped: 0x40200000 + (slot offset mod 1 MB). */
static inline uint32_t twin(uint32_t slot_addr)
{
    return TIMG_IROM + (slot_addr & 0xFFFFFu);
}

/*
 * The shape of an SDK V3 app linked for slot_addr's window: .flash.text
 * (text_len), .flash.rodata opening with the descriptor (unless version is
 * NULL), DRAM, IRAM. The descriptor is at the start of the second flash
 * segment, not at image offset 16.
 */
static inline timg_t timg_sdk_app(uint32_t slot_addr, uint32_t text_len, const char *version)
{
    static uint8_t rodata[256 + 64];
    memset(rodata, 0x3C, sizeof rodata);
    if (version) {
        tdesc(rodata, version, "ota_test");
    }
    uint32_t win = twin(slot_addr);
    tseg_t segs[4] = {
        {win + 0x10, text_len, NULL},
        {win + 0x10 + text_len + 8, sizeof rodata, rodata},
        {TIMG_DRAM, 64, NULL},
        {TIMG_IRAM, 128, NULL},
    };
    return timg_build(win + 0x10 + 0x20, segs, 4);
}

/* Text length for which timg_sdk_app's image is exactly `total` bytes. */
static inline uint32_t timg_text_for_len(uint32_t total)
{
    for (uint32_t text = 4; text < total; text += 4) {
        uint32_t seg_end = 8 + 4 * 8 + text + (256 + 64) + 64 + 128;
        if ((seg_end | 15u) + 1u + 32u == total) {
            return text;
        }
    }
    fail_msg("no text length gives a %u-byte image", (unsigned)total);
    return 0;
}

/* ---- OTA helpers ---------------------------------------------------------- */

/* Streams img through begin / write (chunk bytes at a time) / end. */
static inline esp_err_t tota_update(const esp_partition_t *p, const timg_t *img, uint32_t chunk)
{
    esp_ota_handle_t h = 0;
    esp_err_t err = esp_ota_begin(p, OTA_SIZE_UNKNOWN, &h);
    if (err != ESP_OK) {
        return err;
    }
    for (uint32_t off = 0; off < img->len; off += chunk) {
        uint32_t n = img->len - off < chunk ? img->len - off : chunk;
        err = esp_ota_write(h, img->buf + off, n);
        if (err != ESP_OK) {
            (void)esp_ota_abort(h); /* the test reports the write's error */
            return err;
        }
    }
    return esp_ota_end(h);
}

static inline const esp_partition_t *tpart(const char *label)
{
    const esp_partition_t *p =
        esp_partition_find_first(ESP_PARTITION_TYPE_APP, ESP_PARTITION_SUBTYPE_ANY, label);
    return p ? p
             : esp_partition_find_first(ESP_PARTITION_TYPE_DATA, ESP_PARTITION_SUBTYPE_ANY, label);
}

/* Puts an image straight into flash (set-up, not counted). */
static inline void tchip_put_image(tchip_t *c, uint32_t addr, const timg_t *img)
{
    tchip_poke(c, addr, img->buf, img->len);
}

/* Sets [addr, addr+len) to `value`, not counted: 0x00 stands for an older
 * image in the slot (every sector must be erased before it is written). */
static inline void tchip_fill(tchip_t *c, uint32_t addr, uint32_t len, uint8_t value)
{
    static uint8_t buf[4096];
    memset(buf, value, sizeof buf);
    for (uint32_t off = 0; off < len; off += sizeof buf) {
        uint32_t n = len - off < sizeof buf ? len - off : (uint32_t)sizeof buf;
        tchip_poke(c, addr + off, buf, n);
    }
}
