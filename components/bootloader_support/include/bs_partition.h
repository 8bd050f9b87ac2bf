#pragma once
/*
 * Partition table: the one parser of the binary format (reference §1).
 * Rows are 32 bytes: magic 0x50AA, type, subtype, offset, size, label[16],
 * flags. 0xEBEB rows carry an MD5 (skipped, as the ESP8266 bootloader does);
 * 32 x 0xFF ends the table; at most 0xC00 bytes are read.
 */
#include <stdbool.h>
#include <stdint.h>

#include "bs_hal.h"
#include "esp_flash_partitions.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum {
    BS_ROW_PARTITION, /* magic 0x50AA */
    BS_ROW_MD5,       /* magic 0xEBEB */
    BS_ROW_END,       /* magic 0xFFFF, type 0xFF, subtype 0xFF */
    BS_ROW_BAD_MAGIC, /* anything else */
} bs_row_kind_t;

bs_row_kind_t bs_partition_row_kind(const uint8_t raw[ESP_PARTITION_ENTRY_SIZE]);
void bs_partition_row_decode(const uint8_t raw[ESP_PARTITION_ENTRY_SIZE], esp_partition_info_t *out);
/* Label bytes: copied and NUL padded to 16; no terminator when 16 long. */
void bs_partition_row_encode(const esp_partition_info_t *in, uint8_t raw[ESP_PARTITION_ENTRY_SIZE]);

typedef struct {
    /* Rows in table order, MD5 rows included (the SDK counts and prints them). */
    esp_partition_info_t rows[ESP_PARTITION_TABLE_MAX_ENTRIES];
    int num_rows;
} bs_partition_table_t;

/*
 * Bootloader-side load and verify (SDK flash_partitions.c): reads row by row
 * at table_offset; checks every 0x50AA row against hal->chip_size, skips
 * 0xEBEB rows, needs an end marker within 0xC00 bytes. Logs the SDK's
 * messages when log_errors ("partition %d invalid magic number 0x%x",
 * "partition %d invalid - offset 0x%x size 0x%x exceeds flash chip size 0x%x",
 * "partition table has no terminating entry, not valid").
 * Returns ESP_ERR_INVALID_STATE (bad magic, no terminator) or
 * ESP_ERR_INVALID_SIZE (beyond the chip), or a flash error.
 */
esp_err_t bs_partition_table_load(const bs_hal_t *hal, uint32_t table_offset, bool log_errors,
                                  bs_partition_table_t *out);

/*
 * App-side read (SDK partition.c): rows in order until the first row whose
 * magic is not 0x50AA; no checks. What esp_partition_find sees.
 */
esp_err_t bs_partition_table_read_app(const bs_hal_t *hal, uint32_t table_offset,
                                      bs_partition_table_t *out);

/* "factory app", "OTA app", "OTA data", "RF data", "WiFi data", ... (reference §1.2). */
const char *bs_partition_usage(uint8_t type, uint8_t subtype);

/* Logs the bootloader's listing: "Partition Table:", the header row, one
 * "%2d %-16s %-16s %02x %02x %08x %08x" row each, "End of partition table". */
void bs_partition_table_print(const bs_hal_t *hal, const bs_partition_table_t *t);

/* True when [offset, offset+size) lies inside one 1 MB-aligned megabyte,
 * the only places an ESP8266 app can be mapped from. */
bool bs_partition_in_one_window(uint32_t offset, uint32_t size);

/* Where the boot-relevant partitions are (row indices into t->rows, -1 when absent). */
typedef struct {
    int factory;
    int test;
    int otadata;
    int ota[MAX_OTA_SLOTS]; /* ota[n] is the row with subtype 0x10 + n */
    int ota_count;          /* bootloader rule: every app row with subtype 0x10..0x1F */
} bs_boot_slots_t;

void bs_boot_slots_find(const bs_partition_table_t *t, bs_boot_slots_t *out);

#ifdef __cplusplus
}
#endif
