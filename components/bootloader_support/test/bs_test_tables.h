#pragma once
/* Test-only: the SDK's shipped partition tables as rows, and a writer that
 * lays a table out in flash the way gen_esp32part.py does (0xC00, FF padded). */
#include <string.h>

#include "bs_partition.h"
#include "bs_test_hal.h"

typedef struct {
    const char *label;
    uint8_t type, subtype;
    uint32_t offset, size;
} trow_t;

/* components/partition_table/partitions_two_ota.csv (reference §1.7). */
static const trow_t TWO_OTA[] = {
    {"nvs", 1, 2, 0x9000, 0x4000},         {"otadata", 1, 0, 0xd000, 0x2000},
    {"phy_init", 1, 1, 0xf000, 0x1000},    {"ota_0", 0, 0x10, 0x10000, 0xF0000},
    {"ota_1", 0, 0x11, 0x110000, 0xF0000},
};

/* components/partition_table/partitions_singleapp.csv. */
static const trow_t SINGLE_APP[] = {
    {"nvs", 1, 2, 0x9000, 0x6000},
    {"phy_init", 1, 1, 0xf000, 0x1000},
    {"factory", 0, 0, 0x10000, 0xF0000},
};

/* The demo's table (DESIGN.md §3): factory plus two OTA slots, 4 MB. */
static const trow_t FACTORY_TWO_OTA[] = {
    {"nvs", 1, 2, 0x9000, 0x4000},         {"otadata", 1, 0, 0xd000, 0x2000},
    {"phy_init", 1, 1, 0xf000, 0x1000},    {"factory", 0, 0, 0x10000, 0xF0000},
    {"ota_0", 0, 0x10, 0x110000, 0xF0000}, {"ota_1", 0, 0x11, 0x210000, 0xF0000},
};

#define TROWS(t) (t), (int)(sizeof(t) / sizeof((t)[0]))

static inline esp_partition_info_t trow_info(const trow_t *r)
{
    esp_partition_info_t p;
    memset(&p, 0, sizeof p);
    p.magic = ESP_PARTITION_MAGIC;
    p.type = r->type;
    p.subtype = r->subtype;
    p.offset = r->offset;
    p.size = r->size;
    strncpy(p.label, r->label, ESP_PARTITION_LABEL_LEN);
    return p;
}

/* Encodes rows into 0xC00 bytes of FF-padded table. */
static inline void ttable_bytes(const trow_t *rows, int n, uint8_t out[ESP_PARTITION_TABLE_MAX_LEN])
{
    memset(out, 0xFF, ESP_PARTITION_TABLE_MAX_LEN);
    for (int i = 0; i < n; i++) {
        esp_partition_info_t p = trow_info(&rows[i]);
        bs_partition_row_encode(&p, out + 32 * i);
    }
}

static inline void ttable_write(tflash_t *f, uint32_t at, const trow_t *rows, int n)
{
    ttable_bytes(rows, n, f->mem + at);
}

/* A loaded table in memory, without flash. */
static inline bs_partition_table_t ttable(const trow_t *rows, int n)
{
    bs_partition_table_t t;
    memset(&t, 0, sizeof t);
    for (int i = 0; i < n; i++) {
        t.rows[i] = trow_info(&rows[i]);
    }
    t.num_rows = n;
    return t;
}
