/*
 * The decision driver (corpus.h): one C file compiled for the host and for
 * lx106, over the same flash HAL (flash_mem.c). It calls the bootloader's
 * portable flow exactly as the host bootloader's main does.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "bootloader.h"
#include "bs_crc32.h"
#include "bs_port.h"
#include "corpus.h"
#include "flash_mem.h"

#define LINE_LEN 320
/* Boot area whose CRC is printed: bootloader, partition table, otadata. */
#define BOOT_AREA 0x10000u

typedef struct {
    corpus_out_fn out;
    void *ctx;
} sink_t;

static void emit(const sink_t *s, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void emit(const sink_t *s, const char *fmt, ...)
{
    char line[LINE_LEN];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(line, sizeof line, fmt, ap);
    va_end(ap);
    s->out(s->ctx, line);
}

/* The core's log hook: "L tag: message", every level. */
static void log_hook(void *ctx, esp_log_level_t level, const char *tag, const char *fmt, va_list ap)
{
    static const char letters[] = "NEWIDV";
    const sink_t *s = ctx;
    char line[LINE_LEN];
    int n = snprintf(line, sizeof line, "log: %c %s: ",
                     letters[level <= ESP_LOG_VERBOSE ? level : 0], tag);
    if (n > 0 && (uint32_t)n < sizeof line) {
        vsnprintf(line + n, sizeof line - (uint32_t)n, fmt, ap);
    }
    size_t len = strlen(line);
    if (len + 2 <= sizeof line) {
        line[len] = '\n';
        line[len + 1] = '\0';
    }
    s->out(s->ctx, line);
}

/* Lays one image's extents over erased flash; the offset after it, or 0. */
static uint32_t load_image(const uint8_t *blob, uint32_t blob_len, uint32_t pos, uint8_t *flash,
                           uint32_t chip, uint32_t next)
{
    memset(flash, 0xFF, chip);
    for (uint32_t i = 0; i < next; i++) {
        if (blob_len - pos < 8u) {
            return 0;
        }
        uint32_t addr = bs_le32(blob + pos);
        uint32_t len = bs_le32(blob + pos + 4);
        pos += 8;
        uint32_t padded = (len + 3u) & ~3u;
        if (padded < len || blob_len - pos < padded || addr > chip || len > chip - addr) {
            return 0;
        }
        memcpy(flash + addr, blob + pos, len);
        pos += padded;
    }
    return pos;
}

static void decide(const sink_t *s, flash_mem_t *f, const bs_rb_config_t *rb)
{
    bs_hal_t hal;
    flash_mem_hal(f, &hal);
    hal.log_ctx = (void *)s;
    hal.log = log_hook;
    uint32_t configured = bootloader_configured_size(&hal, NULL);
    if (configured) {
        hal.chip_size = configured;
    }
    bootloader_config_t cfg = {
        .table_offset = 0x8000,
        .idf_ver = "v3.4-ota8266",
        .compile_time = "00:00:00",
        .detected_size = f->size,
        .rollback = *rb,
    };
    static bs_partition_table_t table;
    static bootloader_choice_t choice;
    memset(&choice, 0, sizeof choice);
    esp_err_t err = bootloader_choose(&hal, &cfg, &table, &choice);
    if (err == ESP_OK) {
        emit(s, "result: boot slot=%d offset=0x%x size=0x%x image_len=%u entry=0x%08x segments=%u\n",
             choice.slot, (unsigned)choice.part.offset, (unsigned)choice.part.size,
             (unsigned)choice.image.image_len, (unsigned)choice.image.header.entry_addr,
             (unsigned)choice.image.header.segment_count);
    } else {
        emit(s, "result: no boot err=0x%x\n", (unsigned)err);
    }
    uint32_t area = f->size < BOOT_AREA ? f->size : BOOT_AREA;
    emit(s, "flash: reads=%u writes=%u erases=%u boot_area_crc=0x%08x\n", (unsigned)f->reads,
         (unsigned)f->writes, (unsigned)f->erases, (unsigned)bs_crc32_le(0, f->mem, area));
}

int corpus_run(const uint8_t *blob, uint32_t blob_len, uint8_t *flash, corpus_out_fn out,
               void *ctx)
{
    sink_t s = {out, ctx};
    if (blob_len < CORPUS_HEADER_LEN || memcmp(blob, CORPUS_MAGIC, 8) != 0 ||
        bs_le32(blob + 8) != blob_len) {
        emit(&s, "corpus: bad header\n");
        return -1;
    }
    uint32_t count = bs_le32(blob + 12);
    uint32_t pos = CORPUS_HEADER_LEN;
    for (uint32_t i = 0; i < count; i++) {
        if (blob_len - pos < CORPUS_ENTRY_LEN) {
            emit(&s, "corpus: image %u truncated\n", (unsigned)i);
            return -1;
        }
        char name[CORPUS_NAME_LEN + 1];
        memcpy(name, blob + pos, CORPUS_NAME_LEN);
        name[CORPUS_NAME_LEN] = '\0';
        const uint8_t *e = blob + pos + CORPUS_NAME_LEN;
        uint32_t chip = bs_le32(e);
        bs_rb_config_t rb = {e[4] != 0, e[5]};
        uint32_t next = bs_le16(e + 6);
        pos += CORPUS_ENTRY_LEN;
        if (chip == 0 || chip > CORPUS_MAX_CHIP) {
            emit(&s, "corpus: image %s: chip size 0x%x\n", name, (unsigned)chip);
            return -1;
        }
        pos = load_image(blob, blob_len, pos, flash, chip, next);
        if (pos == 0) {
            emit(&s, "corpus: image %s: bad extent\n", name);
            return -1;
        }
        emit(&s, "=== %s (chip 0x%x, rollback %s, attempts %u)\n", name, (unsigned)chip,
             rb.enabled ? "on" : "off", (unsigned)rb.attempts);
        flash_mem_t f = {flash, chip, 0, 0, 0};
        decide(&s, &f, &rb);
    }
    emit(&s, "images: %u\n", (unsigned)count);
    return (int)count;
}
