#pragma once
/*
 * On-flash constants and the decoded forms of partition-table rows and
 * otadata entries (ESP8266_RTOS_SDK esp_flash_data_types.h, ESP-IDF
 * esp_flash_partitions.h). These structs hold *decoded* values: the core
 * never overlays them on flash bytes (see bs_partition.h, bs_otadata.h).
 */
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* On flash: never renumber. */
#define ESP_PARTITION_MAGIC      0x50AA
#define ESP_PARTITION_MAGIC_MD5  0xEBEB
#define ESP_PARTITION_TABLE_OFFSET 0x8000 /* CONFIG_PARTITION_TABLE_OFFSET default */
#define ESP_PARTITION_TABLE_MAX_LEN 0xC00
#define ESP_PARTITION_TABLE_MAX_ENTRIES (ESP_PARTITION_TABLE_MAX_LEN / 32) /* 96, terminator included */
#define ESP_PARTITION_ENTRY_SIZE 32
#define ESP_PARTITION_LABEL_LEN  16

#define PART_TYPE_APP  0x00
#define PART_TYPE_DATA 0x01
#define PART_TYPE_END  0xFF

#define PART_SUBTYPE_FACTORY   0x00
#define PART_SUBTYPE_OTA_FLAG  0x10
#define PART_SUBTYPE_OTA_MASK  0x0F
#define PART_SUBTYPE_TEST      0x20
#define PART_SUBTYPE_DATA_OTA  0x00
#define PART_SUBTYPE_DATA_RF   0x01
#define PART_SUBTYPE_DATA_WIFI 0x02 /* nvs */
#define PART_SUBTYPE_END       0xFF

#define PART_FLAG_ENCRYPTED (1u << 0)

typedef struct {
    uint16_t magic;
    uint8_t type;
    uint8_t subtype;
    uint32_t offset;
    uint32_t size;
    char label[ESP_PARTITION_LABEL_LEN + 1]; /* the 16 label bytes, always NUL-terminated here */
    uint32_t flags;
} esp_partition_info_t;

/* otadata: two 32-byte entries, one at the start of each of two sectors. */
#define ESP_OTADATA_ENTRY_SIZE 32
#define ESP_OTADATA_MIN_SIZE   0x2000

/* ESP-IDF rollback states, stored at entry offset 24 where the SDK leaves
 * label bytes 0xFF: 0xFFFFFFFF reads as UNDEFINED = bootable, so otadata
 * written by the SDK stays valid. On flash: never renumber. */
typedef enum {
    ESP_OTA_IMG_NEW = 0x0U,
    ESP_OTA_IMG_PENDING_VERIFY = 0x1U,
    ESP_OTA_IMG_VALID = 0x2U,
    ESP_OTA_IMG_INVALID = 0x3U,
    ESP_OTA_IMG_ABORTED = 0x4U,
    ESP_OTA_IMG_UNDEFINED = 0xFFFFFFFFU,
} esp_ota_img_states_t;

typedef struct {
    uint32_t ota_seq;
    uint8_t seq_label[20];
    uint32_t ota_state;
    uint32_t crc; /* crc32_le(0xFFFFFFFF, ota_seq as 4 LE bytes) */
} esp_ota_select_entry_t;

/* Bootloader slot indices (bootloader_config.h). */
#define FACTORY_INDEX (-1)
#define TEST_APP_INDEX (-2)
#define INVALID_INDEX (-99)
#define MAX_OTA_SLOTS 16

#ifdef __cplusplus
}
#endif
