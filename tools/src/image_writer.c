/* ESP8266 image layout (image_writer.h), with the core's SHA-256 and LE stores. */
#include "image_writer.h"

#include <stdlib.h>
#include <string.h>

#include "bs_port.h"
#include "bs_sha256.h"
#include "esp_image_format.h"

uint32_t image_writer_padded_len(uint32_t len)
{
    return (len + 3u) & ~3u;
}

/* Bytes from 0 through the checksum, or 0 when the layout overflows 32 bits. */
static uint32_t body_len(const image_writer_spec_t *spec)
{
    uint64_t pos = ESP_IMAGE_HEADER_LEN;
    for (unsigned i = 0; i < spec->segment_count; i++) {
        pos += ESP_IMAGE_SEGMENT_HEADER_LEN + ((uint64_t)spec->segments[i].len + 3u) / 4u * 4u;
    }
    pos |= 15u; /* the checksum byte ends a 16-byte block */
    pos += 1u;
    return (pos + ESP_IMAGE_HASH_LEN > UINT32_MAX) ? 0 : (uint32_t)pos;
}

bool image_writer_build(const image_writer_spec_t *spec, uint8_t **out, uint32_t *out_len)
{
    if (spec->segment_count > IMAGE_WRITER_MAX_SEGMENTS) {
        return false;
    }
    uint32_t body = body_len(spec);
    if (body == 0) {
        return false;
    }
    uint32_t total = body + (spec->append_hash ? ESP_IMAGE_HASH_LEN : 0u);
    uint8_t *img = calloc(1, total); /* calloc: every padding byte is already 0x00 */
    if (!img) {
        return false;
    }
    img[0] = ESP_IMAGE_HEADER_MAGIC;
    img[1] = (uint8_t)spec->segment_count;
    img[2] = spec->spi_mode;
    img[3] = (uint8_t)((spec->spi_size << 4) | (spec->spi_speed & 0x0Fu));
    bs_put_le32(img + 4, spec->entry);

    uint8_t checksum = ESP_CHECKSUM_MAGIC;
    uint32_t pos = ESP_IMAGE_HEADER_LEN;
    for (unsigned i = 0; i < spec->segment_count; i++) {
        const image_writer_segment_t *seg = &spec->segments[i];
        uint32_t len = image_writer_padded_len(seg->len);
        bs_put_le32(img + pos, seg->load_addr);
        bs_put_le32(img + pos + 4, len);
        pos += ESP_IMAGE_SEGMENT_HEADER_LEN;
        if (seg->len) {
            memcpy(img + pos, seg->data, seg->len);
        }
        /* Pad bytes are 0x00, so XOR-ing only the real bytes gives the same sum. */
        for (uint32_t j = 0; j < seg->len; j++) {
            checksum ^= seg->data[j];
        }
        pos += len;
    }
    img[body - 1u] = checksum;
    if (spec->append_hash) {
        bs_sha256(img, body, img + body);
    }
    *out = img;
    *out_len = total;
    return true;
}
