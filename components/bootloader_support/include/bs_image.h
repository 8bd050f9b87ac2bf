#pragma once
/*
 * App and bootloader images: the one parser (reference §3). It is a stream
 * parser so that the same code checks an image in flash (bs_image_verify
 * feeds it from the HAL) and a download before anything is erased
 * (app_update / esp_https_ota feed it network bytes as they arrive).
 *
 * Layout: header(8) { 0xE9, segment_count, spi_mode, speed|size<<4, entry }
 * then segment_count x { load_addr, data_len, data[data_len] } with
 * data_len % 4 == 0, then 0x00 padding so that the checksum byte ends a
 * 16-byte block, checksum = 0xEF ^ every data byte, then (V3 apps) the
 * SHA-256 of all bytes before it.
 */
#include <stdbool.h>
#include <stdint.h>

#include "bs_hal.h"
#include "bs_sha256.h"
#include "esp_app_format.h"
#include "esp_image_format.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum {
    BS_IMAGE_V1,  /* ESP8266 ROM image: the bootloader at 0x0; no hash */
    BS_IMAGE_V3,  /* SDK app image: SHA-256 appended, descriptor, entry in the slot's window */
} bs_image_kind_t;

typedef enum {
    BS_HASH_REQUIRED,   /* the 32 bytes after the checksum must be the SHA-256 */
    BS_HASH_NONE,       /* image ends at the checksum */
    BS_HASH_IF_PRESENT, /* hash checked if total_len leaves room for it (image_info) */
} bs_hash_mode_t;

typedef struct {
    bs_image_kind_t kind;
    bs_hash_mode_t hash;
    /* Flash address the image is (or will be) at, and the room it has:
     * "Image length %d doesn't fit in partition length %d" past max_len. */
    uint32_t start_addr;
    uint32_t max_len;
    /* Only for BS_HASH_IF_PRESENT: bytes available (file length). */
    uint32_t total_len;
    /* V3: entry_addr must lie in the slot's window:
     * (0x40200010 + (start_addr & 0xFFFFF), 0x40200000 + (start_addr & 0xFFFFF) + max_len). */
    bool check_entry;
    /* Log "segment %d: paddr=... vaddr=... size=... map|load" (tag esp_image) as it goes. */
    bool log_segments;
    /* An image arriving as an update, not one being booted: also refuse
     * what esptool never writes but the SDK bootloader only warns about or
     * ignores (SPI mode or flash size fields out of range, a V3 app without
     * an app descriptor), so that such an image is never selected. */
    bool update;
} bs_image_opts_t;

typedef struct {
    esp_image_header_t header;
    esp_image_segment_header_t segments[ESP_IMAGE_MAX_SEGMENTS];
    uint32_t segment_data_offset[ESP_IMAGE_MAX_SEGMENTS]; /* from image start */
    uint32_t image_len;      /* header..checksum byte, plus 32 when a hash is present */
    uint8_t checksum_calc;
    uint8_t checksum_read;
    bool hash_present;
    uint8_t hash_calc[BS_SHA256_LEN]; /* SHA-256 of bytes 0..checksum, once the checksum is in */
    uint8_t hash_read[BS_SHA256_LEN];
    bool has_desc;
    uint32_t desc_offset;    /* from image start */
    esp_app_desc_t desc;
} bs_image_info_t;

typedef enum {
    BS_IMG_ST_HEADER,
    BS_IMG_ST_SEG_HEADER,
    BS_IMG_ST_SEG_DATA,
    BS_IMG_ST_PADDING,
    BS_IMG_ST_CHECKSUM,
    BS_IMG_ST_HASH,
    BS_IMG_ST_DONE,
    BS_IMG_ST_ERROR,
} bs_image_state_t;

/* Caller-owned parser state (~700 bytes): no allocation. */
typedef struct {
    const bs_hal_t *hal; /* for logging only; may be NULL */
    bs_image_opts_t opts;
    bs_image_state_t state;
    esp_err_t error;
    uint32_t pos;          /* bytes consumed so far */
    uint8_t hdr[8];        /* partial image or segment header */
    uint32_t hdr_fill;
    uint32_t seg_index;
    uint32_t seg_left;
    uint32_t seg_flash_seen; /* flash-mapped segments seen so far */
    uint8_t checksum;
    uint32_t hash_fill;
    uint8_t desc_raw[ESP_APP_DESC_SIZE];
    uint32_t desc_fill;
    bool desc_capturing;
    bool headers_ok; /* image header passed and no segment header has failed */
    bs_sha256_t sha;
    bs_image_info_t info;
} bs_image_stream_t;

void bs_image_stream_init(bs_image_stream_t *s, const bs_hal_t *hal, const bs_image_opts_t *opts);

/*
 * Feeds len bytes. Returns ESP_OK while the image is still consistent,
 * ESP_ERR_IMAGE_INVALID at the first violation (logged with the SDK text
 * where one exists and the offending value); once an error is returned the
 * stream stays in error. Bytes after the end of the image are not consumed:
 * *consumed (may be NULL) says how many were.
 */
esp_err_t bs_image_stream_feed(bs_image_stream_t *s, const uint8_t *data, uint32_t len,
                               uint32_t *consumed);

/* The 8-byte header and every segment header seen so far have passed. */
bool bs_image_stream_header_ok(const bs_image_stream_t *s);
/* The app descriptor has been captured (V3), see s->info.desc. */
bool bs_image_stream_desc_ready(const bs_image_stream_t *s);
/* The whole image (with hash, if any) has been consumed. */
bool bs_image_stream_done(const bs_image_stream_t *s);

/* Ends the stream: ESP_OK only for a complete image whose checksum and hash
 * (when present/required) match; otherwise ESP_ERR_IMAGE_INVALID, logging
 * "Checksum failed. Calculated 0x%x read 0x%x", "Image hash failed - image is
 * corrupt" or the truncation point. Fills *info (may be NULL). */
esp_err_t bs_image_stream_finish(bs_image_stream_t *s, bs_image_info_t *info);

/* Verifies the image at opts->start_addr in flash by streaming it through
 * the parser. A read error gives ESP_ERR_IMAGE_FLASH_FAIL. */
esp_err_t bs_image_verify(const bs_hal_t *hal, const bs_image_opts_t *opts, bs_image_info_t *info);

/* Decodes a 256-byte descriptor; ESP_ERR_NOT_FOUND when the magic is wrong. */
esp_err_t bs_app_desc_decode(const uint8_t raw[ESP_APP_DESC_SIZE], esp_app_desc_t *out);
void bs_app_desc_encode(const esp_app_desc_t *in, uint8_t raw[ESP_APP_DESC_SIZE]);

/* Flash-mapped (0x40200000..0x402FFFFF) versus RAM segment ("map" / "load"). */
bool bs_image_addr_is_flash(uint32_t load_addr);

/* Header field helpers for logs and tools. Return NULL for unknown codes. */
const char *bs_image_spi_mode_name(uint8_t mode);   /* "QIO", "QOUT", "DIO", "DOUT", ... */
const char *bs_image_spi_speed_name(uint8_t speed); /* "40MHz", "26.7MHz", "20MHz", "80MHz" */
/* Size in bytes of a flash-size nibble, for the image kind's code table; 0 when unknown. */
uint32_t bs_image_flash_size_bytes(bs_image_kind_t kind, uint8_t nibble);
/* Nibble for a size in bytes, or -1 when the kind has no code for it. */
int bs_image_flash_size_code(bs_image_kind_t kind, uint32_t bytes);

#ifdef __cplusplus
}
#endif
