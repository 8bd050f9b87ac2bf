#pragma once
/*
 * Test-only: an erased virtual chip in a temp file, installed as the app's
 * flash (sim_flash_hal -> spi_flash_hal_install), and partition tables
 * encoded with the core's row encoder and put at 0x8000. Strict NOR is on,
 * so a write over bytes that were not erased fails the test.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "bs_partition.h"
#include "esp_flash_hal.h"
#include "esp_private/partition_table.h"
#include "sim_flash.h"

#define TCHIP_SECTOR 4096u
#define TCHIP_TABLE_AT 0x8000u

typedef struct {
    char path[64];
    sim_state_t *st;
    sim_flash_t f;
    bs_hal_t hal;
} tchip_t;

typedef struct {
    const char *label;
    uint8_t type, subtype;
    uint32_t offset, size;
    uint32_t flags;
} trow_t;

#define TROWS(t) (t), (int)(sizeof(t) / sizeof((t)[0]))

/* The demo's table (DESIGN.md §3): factory and two OTA slots 1 MB apart, 4 MB chip. */
static const trow_t DEMO_TABLE[] = {
    {"nvs", 1, 0x02, 0x9000, 0x4000, 0},      {"otadata", 1, 0x00, 0xd000, 0x2000, 0},
    {"phy_init", 1, 0x01, 0xf000, 0x1000, 0}, {"factory", 0, 0x00, 0x10000, 0xF0000, 0},
    {"ota_0", 0, 0x10, 0x110000, 0xF0000, 0}, {"ota_1", 0, 0x11, 0x210000, 0xF0000, 0},
};

/* Opens a fresh erased chip and makes it the flash esp_partition_* and
 * spi_flash_* use; the partition cache is dropped. */
static inline void tchip_open(tchip_t *c, uint32_t size)
{
    memset(c, 0, sizeof *c);
    snprintf(c->path, sizeof c->path, "/tmp/ota8266-flash-XXXXXX");
    int fd = mkstemp(c->path);
    assert_true(fd >= 0);
    close(fd);
    c->st = sim_state_private(size);
    assert_non_null(c->st);
    c->st->strict = 1;
    if (sim_flash_open(&c->f, c->path, size, true, c->st) != ESP_OK) {
        fail_msg("sim_flash_open: %s", c->f.last_error);
    }
    sim_flash_hal(&c->f, 0, &c->hal);
    spi_flash_hal_install(&c->hal);
    esp_partition_table_invalidate();
}

static inline void tchip_close(tchip_t *c)
{
    sim_flash_close(&c->f);
    sim_state_release(c->st);
    unlink(c->path);
}

/* Raw file access: set-up and inspection that the counters do not see. */
static inline void tchip_poke(tchip_t *c, uint32_t addr, const void *src, uint32_t len)
{
    assert_int_equal(pwrite(c->f.fd, src, len, addr), (ssize_t)len);
}

static inline void tchip_peek(tchip_t *c, uint32_t addr, void *dst, uint32_t len)
{
    assert_int_equal(pread(c->f.fd, dst, len, addr), (ssize_t)len);
}

/* True when [addr, addr+len) is all `value`. */
static inline int tchip_all(tchip_t *c, uint32_t addr, uint32_t len, uint8_t value)
{
    uint8_t buf[4096];
    while (len > 0) {
        uint32_t n = len < sizeof buf ? len : (uint32_t)sizeof buf;
        tchip_peek(c, addr, buf, n);
        for (uint32_t i = 0; i < n; i++) {
            if (buf[i] != value) {
                return 0;
            }
        }
        addr += n;
        len -= n;
    }
    return 1;
}

/* Erases counted by the sim in [addr, addr+len). */
static inline uint32_t tchip_erases_in(tchip_t *c, uint32_t addr, uint32_t len)
{
    uint32_t n = 0;
    for (uint32_t s = addr / TCHIP_SECTOR; s < (addr + len) / TCHIP_SECTOR; s++) {
        n += c->st->sector_erases[s];
    }
    return n;
}

static inline void tchip_reset_counters(tchip_t *c)
{
    memset(&c->st->counters, 0, sizeof c->st->counters);
    memset(c->st->sector_erases, 0, sizeof c->st->sector_erases);
}

static inline esp_partition_info_t trow_info(const trow_t *r)
{
    esp_partition_info_t p;
    memset(&p, 0, sizeof p);
    p.magic = ESP_PARTITION_MAGIC;
    p.type = r->type;
    p.subtype = r->subtype;
    p.offset = r->offset;
    p.size = r->size;
    p.flags = r->flags;
    strncpy(p.label, r->label, ESP_PARTITION_LABEL_LEN);
    return p;
}

/* Writes the table as gen_esp32part.py lays it out (0xC00 bytes, FF padded)
 * and drops the partition cache so that the next lookup reads it. */
static inline void tchip_table(tchip_t *c, const trow_t *rows, int n)
{
    uint8_t raw[ESP_PARTITION_TABLE_MAX_LEN];
    memset(raw, 0xFF, sizeof raw);
    for (int i = 0; i < n; i++) {
        esp_partition_info_t p = trow_info(&rows[i]);
        bs_partition_row_encode(&p, raw + ESP_PARTITION_ENTRY_SIZE * i);
    }
    tchip_poke(c, TCHIP_TABLE_AT, raw, sizeof raw);
    esp_partition_table_invalidate();
}
