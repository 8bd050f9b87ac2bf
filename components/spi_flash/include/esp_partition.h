#pragma once
/*
 * The SDK's partition API (ESP8266_RTOS_SDK components/spi_flash/include/
 * esp_partition.h): the app's view of the partition table at
 * CONFIG_PARTITION_TABLE_OFFSET, read once through the portable core
 * (bs_partition_table_read_app: rows in order until the first row whose
 * magic is not 0x50AA, no other checks, exactly what the SDK app sees).
 * Offsets and sizes in read/write/erase are relative to the partition and
 * checked exactly as the SDK checks them (reference §1.4).
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "esp_err.h"
#include "spi_flash.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Values are the SDK's (and the table's): never renumber. Other type bytes
 * (0x40..0xFE, user-defined) are carried through unchanged. */
typedef enum {
    ESP_PARTITION_TYPE_APP = 0x00,
    ESP_PARTITION_TYPE_DATA = 0x01,
} esp_partition_type_t;

typedef enum {
    ESP_PARTITION_SUBTYPE_APP_FACTORY = 0x00,
    ESP_PARTITION_SUBTYPE_APP_OTA_MIN = 0x10,
    ESP_PARTITION_SUBTYPE_APP_OTA_0 = ESP_PARTITION_SUBTYPE_APP_OTA_MIN + 0,
    ESP_PARTITION_SUBTYPE_APP_OTA_1 = ESP_PARTITION_SUBTYPE_APP_OTA_MIN + 1,
    ESP_PARTITION_SUBTYPE_APP_OTA_2 = ESP_PARTITION_SUBTYPE_APP_OTA_MIN + 2,
    ESP_PARTITION_SUBTYPE_APP_OTA_3 = ESP_PARTITION_SUBTYPE_APP_OTA_MIN + 3,
    ESP_PARTITION_SUBTYPE_APP_OTA_4 = ESP_PARTITION_SUBTYPE_APP_OTA_MIN + 4,
    ESP_PARTITION_SUBTYPE_APP_OTA_5 = ESP_PARTITION_SUBTYPE_APP_OTA_MIN + 5,
    ESP_PARTITION_SUBTYPE_APP_OTA_6 = ESP_PARTITION_SUBTYPE_APP_OTA_MIN + 6,
    ESP_PARTITION_SUBTYPE_APP_OTA_7 = ESP_PARTITION_SUBTYPE_APP_OTA_MIN + 7,
    ESP_PARTITION_SUBTYPE_APP_OTA_8 = ESP_PARTITION_SUBTYPE_APP_OTA_MIN + 8,
    ESP_PARTITION_SUBTYPE_APP_OTA_9 = ESP_PARTITION_SUBTYPE_APP_OTA_MIN + 9,
    ESP_PARTITION_SUBTYPE_APP_OTA_10 = ESP_PARTITION_SUBTYPE_APP_OTA_MIN + 10,
    ESP_PARTITION_SUBTYPE_APP_OTA_11 = ESP_PARTITION_SUBTYPE_APP_OTA_MIN + 11,
    ESP_PARTITION_SUBTYPE_APP_OTA_12 = ESP_PARTITION_SUBTYPE_APP_OTA_MIN + 12,
    ESP_PARTITION_SUBTYPE_APP_OTA_13 = ESP_PARTITION_SUBTYPE_APP_OTA_MIN + 13,
    ESP_PARTITION_SUBTYPE_APP_OTA_14 = ESP_PARTITION_SUBTYPE_APP_OTA_MIN + 14,
    ESP_PARTITION_SUBTYPE_APP_OTA_15 = ESP_PARTITION_SUBTYPE_APP_OTA_MIN + 15,
    ESP_PARTITION_SUBTYPE_APP_OTA_MAX = ESP_PARTITION_SUBTYPE_APP_OTA_MIN + 16,
    ESP_PARTITION_SUBTYPE_APP_TEST = 0x20,

    ESP_PARTITION_SUBTYPE_DATA_OTA = 0x00,
    ESP_PARTITION_SUBTYPE_DATA_PHY = 0x01,
    ESP_PARTITION_SUBTYPE_DATA_NVS = 0x02,
    ESP_PARTITION_SUBTYPE_DATA_COREDUMP = 0x03,
    ESP_PARTITION_SUBTYPE_DATA_NVS_KEYS = 0x04,
    ESP_PARTITION_SUBTYPE_DATA_EFUSE_EM = 0x05,

    ESP_PARTITION_SUBTYPE_DATA_ESPHTTPD = 0x80,
    ESP_PARTITION_SUBTYPE_DATA_FAT = 0x81,
    ESP_PARTITION_SUBTYPE_DATA_SPIFFS = 0x82,

    ESP_PARTITION_SUBTYPE_ANY = 0xff, /* search wildcard */
} esp_partition_subtype_t;

/* Subtype of the i-th OTA app partition. */
#define ESP_PARTITION_SUBTYPE_OTA(i)                                                               \
    ((esp_partition_subtype_t)(ESP_PARTITION_SUBTYPE_APP_OTA_MIN + ((i)&0xf)))

typedef struct esp_partition_iterator_opaque_ *esp_partition_iterator_t;

/* One table row, decoded. Pointers handed out by this API point into a
 * static array and stay valid for the life of the app. */
typedef struct {
    esp_partition_type_t type;
    esp_partition_subtype_t subtype;
    uint32_t address; /* flash address of the partition's first byte */
    uint32_t size;
    char label[17]; /* NUL-terminated even when the table's label has 16 characters */
    bool encrypted; /* always false: the ESP8266 has no flash encryption (as the SDK) */
} esp_partition_t;

/*
 * Partitions of `type` whose subtype is `subtype` (ESP_PARTITION_SUBTYPE_ANY:
 * any) and, when label is not NULL, whose label equals it; in table order.
 * Returns an iterator to release with esp_partition_iterator_release, or NULL
 * when nothing matches or the table cannot be read. The iterator keeps the
 * `label` pointer (as the SDK's does): it must outlive the iterator.
 */
esp_partition_iterator_t esp_partition_find(esp_partition_type_t type,
                                            esp_partition_subtype_t subtype, const char *label);

/* The first match of esp_partition_find, or NULL. */
const esp_partition_t *esp_partition_find_first(esp_partition_type_t type,
                                                esp_partition_subtype_t subtype, const char *label);

/* The partition the iterator is on (NULL for a NULL iterator). */
const esp_partition_t *esp_partition_get(esp_partition_iterator_t iterator);

/* Moves to the next match. Returns NULL, and releases the iterator, at the end. */
esp_partition_iterator_t esp_partition_next(esp_partition_iterator_t iterator);

/* Frees an iterator; NULL is fine. */
void esp_partition_iterator_release(esp_partition_iterator_t iterator);

/*
 * The table's own entry for a partition described by *partition (a copy in
 * RAM, say): same type, subtype, address and size, and the same label when
 * partition->label is not empty. NULL when there is none (or partition is NULL).
 * The result can be compared by pointer with other results of this API.
 */
const esp_partition_t *esp_partition_verify(const esp_partition_t *partition);

/*
 * Reads size bytes at src_offset of the partition.
 * @return ESP_OK; ESP_ERR_INVALID_ARG if partition or dst is NULL or
 *         src_offset > partition->size; ESP_ERR_INVALID_SIZE if
 *         src_offset + size > partition->size; or a flash error.
 */
esp_err_t esp_partition_read(const esp_partition_t *partition, size_t src_offset, void *dst,
                             size_t size);

/*
 * Programs size bytes at dst_offset (NOR: the range must have been erased).
 * @return ESP_OK; ESP_ERR_INVALID_ARG if partition or src is NULL or
 *         dst_offset > partition->size; ESP_ERR_INVALID_SIZE if
 *         dst_offset + size > partition->size; or a flash error.
 */
esp_err_t esp_partition_write(const esp_partition_t *partition, size_t dst_offset, const void *src,
                              size_t size);

/*
 * Erases [start_addr, start_addr + size) of the partition, sector by sector.
 * Checks, in the SDK's order: start_addr > partition->size -> ESP_ERR_INVALID_ARG;
 * start_addr + size > partition->size -> ESP_ERR_INVALID_SIZE; size not a
 * multiple of 4096 -> ESP_ERR_INVALID_SIZE; start_addr not a multiple of
 * 4096 -> ESP_ERR_INVALID_ARG. Then flash errors (a partition that does not
 * start on a sector: ESP_ERR_FLASH_OP_FAIL, as spi_flash_erase_range).
 */
esp_err_t esp_partition_erase_range(const esp_partition_t *partition, uint32_t start_addr,
                                    uint32_t size);

#ifdef __cplusplus
}
#endif
