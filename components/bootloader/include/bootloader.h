#pragma once
/*
 * The second-stage bootloader's flow (reference §4), portable: banner,
 * partition table, slot choice, verification with fallback. What runs the
 * chosen image is the platform's job (exec on the host, a jump on lx106).
 */
#include <stdint.h>

#include "bs_image.h"
#include "bs_partition.h"
#include "bs_rollback.h"

/* Kconfig BOOTLOADER_APP_ROLLBACK_* as the flow's settings (checked here so
 * that every platform's start file gets the same range check). */
#ifdef CONFIG_BOOTLOADER_APP_ROLLBACK_ENABLE
#ifndef CONFIG_BOOTLOADER_APP_ROLLBACK_ATTEMPTS
#define CONFIG_BOOTLOADER_APP_ROLLBACK_ATTEMPTS 1
#endif
#if CONFIG_BOOTLOADER_APP_ROLLBACK_ATTEMPTS < 1 || CONFIG_BOOTLOADER_APP_ROLLBACK_ATTEMPTS > 15
#error "CONFIG_BOOTLOADER_APP_ROLLBACK_ATTEMPTS must be 1..15 (Kconfig range)"
#endif
#define BOOTLOADER_ROLLBACK_CONFIG {true, CONFIG_BOOTLOADER_APP_ROLLBACK_ATTEMPTS}
#else
#define BOOTLOADER_ROLLBACK_CONFIG {false, 1}
#endif

typedef struct {
    uint32_t table_offset; /* CONFIG_PARTITION_TABLE_OFFSET */
    const char *idf_ver;
    const char *compile_time;
    uint32_t detected_size; /* the chip's real size from its ID; 0 = unknown */
    bs_rb_config_t rollback;
} bootloader_config_t;

typedef struct {
    int slot;               /* OTA slot, FACTORY_INDEX or TEST_APP_INDEX */
    esp_partition_info_t part;
    bs_image_info_t image;
} bootloader_choice_t;

/*
 * Runs the flow up to the hand-off. hal->chip_size must be the configured
 * size from the bootloader's own header, which this reads to print the SPI
 * lines. Returns ESP_OK with *out filled, or an error after logging why
 * nothing can boot ("load partition table error!", "No bootable app
 * partitions in the partition table", ...). `table` is caller storage.
 */
esp_err_t bootloader_choose(const bs_hal_t *hal, const bootloader_config_t *cfg,
                            bs_partition_table_t *table, bootloader_choice_t *out);

/* Configured flash size in bytes from the v1 header at 0x0 (0 when unreadable).
 * An unknown code counts as 2 MB, as the SDK prints it. */
uint32_t bootloader_configured_size(const bs_hal_t *hal, esp_image_header_t *hdr);
