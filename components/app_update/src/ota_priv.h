#pragma once
/* Shared by the app_update sources; not public. */
#include <stdbool.h>

#include "bs_image.h"
#include "esp_flash_partitions.h"
#include "esp_partition.h"

/* The otadata state a newly selected OTA slot gets. UNDEFINED is what the
 * SDK's otadata holds there (bootable at once); ESP_OTA_IMG_NEW once the
 * rollback issue lands. The only place to change. */
#define OTA_SELECT_STATE ESP_OTA_IMG_UNDEFINED

/* App partition with subtype ota_0..ota_15. */
bool ota_is_ota_slot(const esp_partition_t *p);

/* How an app image in partition p is checked, the bootloader's way (V3,
 * SHA-256 required, entry inside the slot's flash window), so that a slot we
 * accept is a slot the bootloader boots. */
bs_image_opts_t ota_image_opts(const esp_partition_t *p, bool log_segments);
