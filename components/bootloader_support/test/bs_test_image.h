#pragma once
/*
 * Test-only: builds ESP8266 images byte by byte, independently of the core
 * (SHA-256 from mbedTLS), and reports where each region starts so that
 * tests can corrupt or cut exactly one of them.
 */
#include <mbedtls/sha256.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "esp_app_format.h"

#define TIMG_MAX_SEGS 20

typedef struct {
    uint32_t load_addr;
    uint32_t len;        /* data_len written in the header */
    const uint8_t *data; /* NULL: a deterministic pattern */
} timg_seg_t;

typedef struct {
    uint8_t magic;      /* 0 means 0xE9 */
    int count_override; /* > 0: segment_count byte written instead of nseg */
    uint8_t spi_mode, spi_speed, spi_size;
    uint32_t entry;
    int nseg;
    timg_seg_t seg[TIMG_MAX_SEGS];
    bool hash;
} timg_spec_t;

typedef struct {
    uint32_t seg_hdr[TIMG_MAX_SEGS];  /* offset of each segment header */
    uint32_t seg_data[TIMG_MAX_SEGS]; /* offset of each segment's data */
    uint32_t seg_end;                 /* first byte after the last segment */
    uint32_t checksum;                /* offset of the checksum byte */
    uint32_t hash;                    /* offset of the hash (if any) */
    uint32_t len;                     /* whole file */
} timg_layout_t;

typedef struct {
    uint8_t *buf;
    timg_layout_t at;
} timg_t;

static inline void timg_put32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
    p[2] = (uint8_t)(v >> 16);
    p[3] = (uint8_t)(v >> 24);
}

static inline void timg_sha256(const uint8_t *p, size_t len, uint8_t out[32])
{
    int rc = mbedtls_sha256_ret(p, len, out, 0);
    (void)rc;
}

/* Recomputes the checksum and the hash after a test edited data bytes. */
static inline void timg_refresh(timg_t *img, const timg_spec_t *spec)
{
    uint8_t x = 0xEF;
    for (int i = 0; i < spec->nseg; i++) {
        for (uint32_t j = 0; j < spec->seg[i].len; j++) {
            x ^= img->buf[img->at.seg_data[i] + j];
        }
    }
    img->buf[img->at.checksum] = x;
    if (spec->hash) {
        timg_sha256(img->buf, img->at.checksum + 1u, img->buf + img->at.hash);
    }
}

static inline timg_t timg_build(const timg_spec_t *spec)
{
    timg_t img;
    uint32_t pos = 8;
    for (int i = 0; i < spec->nseg; i++) {
        img.at.seg_hdr[i] = pos;
        img.at.seg_data[i] = pos + 8;
        pos += 8 + spec->seg[i].len;
    }
    img.at.seg_end = pos;
    img.at.checksum = (pos | 15u);
    img.at.hash = img.at.checksum + 1;
    img.at.len = img.at.hash + (spec->hash ? 32u : 0u);
    img.buf = calloc(1, img.at.len + 64);

    uint8_t *b = img.buf;
    b[0] = spec->magic ? spec->magic : 0xE9;
    b[1] = (uint8_t)(spec->count_override > 0 ? spec->count_override : spec->nseg);
    b[2] = spec->spi_mode;
    b[3] = (uint8_t)((spec->spi_size << 4) | (spec->spi_speed & 15));
    timg_put32(b + 4, spec->entry);
    for (int i = 0; i < spec->nseg; i++) {
        const timg_seg_t *s = &spec->seg[i];
        timg_put32(b + img.at.seg_hdr[i], s->load_addr);
        timg_put32(b + img.at.seg_hdr[i] + 4, s->len);
        for (uint32_t j = 0; j < s->len; j++) {
            b[img.at.seg_data[i] + j] =
                s->data ? s->data[j] : (uint8_t)(j * 7u + (uint32_t)i * 13u + 1u);
        }
    }
    timg_refresh(&img, spec);
    return img;
}

static inline void timg_free(timg_t *img)
{
    free(img->buf);
    img->buf = NULL;
}

/* A 256-byte descriptor followed by `extra` bytes of other rodata. */
static inline uint8_t *timg_desc_segment(const char *version, const char *project, uint32_t extra,
                                         uint32_t *len)
{
    *len = ESP_APP_DESC_SIZE + extra;
    uint8_t *d = calloc(1, *len);
    timg_put32(d, ESP_APP_DESC_MAGIC_WORD);
    timg_put32(d + 4, 7); /* secure_version */
    strncpy((char *)d + 16, version, 32);
    strncpy((char *)d + 48, project, 32);
    memcpy(d + 80, "12:34:56", 8);
    memcpy(d + 96, "Jan  8 2013", 11);
    memcpy(d + 112, "v3.4-ota8266", 12);
    for (int i = 0; i < 32; i++) {
        d[144 + i] = (uint8_t)(0xA0 + i); /* app_elf_sha256 */
    }
    for (uint32_t i = ESP_APP_DESC_SIZE; i < *len; i++) {
        d[i] = (uint8_t)(i * 3u);
    }
    return d;
}

/* The shape of an SDK V3 app linked at `slot_offset`: .flash.text, then
 * .flash.rodata opening with the descriptor, then DRAM and IRAM. */
static inline timg_spec_t timg_sdk_app(uint32_t slot_offset, const uint8_t *rodata,
                                       uint32_t rodata_len)
{
    uint32_t win = 0x40200000u + (slot_offset & 0xFFFFFu);
    timg_spec_t s = {0};
    s.spi_mode = 2;  /* DIO */
    s.spi_speed = 0; /* 40 MHz */
    s.spi_size = 2;  /* 4 MB, ESP32 code */
    s.nseg = 4;
    s.seg[0] = (timg_seg_t){win + 0x10, 3072, NULL};
    s.seg[1] = (timg_seg_t){win + 0x10 + 3072 + 8, rodata_len, rodata};
    s.seg[2] = (timg_seg_t){0x3FFE8000u, 64, NULL};
    s.seg[3] = (timg_seg_t){0x40100000u, 64, NULL};
    s.entry = win + 0x110;
    s.hash = true;
    return s;
}
