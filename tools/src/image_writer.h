#pragma once
/*
 * Lays out an ESP8266 image (reference §3): the 8-byte header, segments in
 * the order given, 0x00 padding so that the checksum (0xEF ^ every data byte)
 * ends a 16-byte block, then optionally the SHA-256 of all of that (V3 apps).
 * The writer produces the format; reading it back is bs_image.h's job alone.
 */
#include <stdbool.h>
#include <stdint.h>

#define IMAGE_WRITER_MAX_SEGMENTS 16

typedef struct {
    uint32_t load_addr;
    const uint8_t *data;
    uint32_t len; /* written padded with 0x00 to a multiple of 4, as esptool pads sections */
} image_writer_segment_t;

typedef struct {
    uint8_t spi_mode;  /* esp_image_spi_mode_t */
    uint8_t spi_speed; /* esp_image_spi_freq_t, low nibble of byte 3 */
    uint8_t spi_size;  /* flash-size code of the image's kind, high nibble of byte 3 */
    uint32_t entry;
    const image_writer_segment_t *segments;
    unsigned segment_count;
    bool append_hash;
} image_writer_spec_t;

/* Segment length as written: len rounded up to a multiple of 4. */
uint32_t image_writer_padded_len(uint32_t len);

/* Builds the image in a malloc'd buffer (*out, *out_len; the caller frees it).
 * False when the spec is unusable (too many segments, a length that would
 * overflow 32 bits) or memory runs out. */
bool image_writer_build(const image_writer_spec_t *spec, uint8_t **out, uint32_t *out_len);
