/* The bootloader's decisions, in the SDK's order and words (reference §4). */
#include <string.h>

#include "bootloader_priv.h"

static const char *TAG = "boot";

/* Decodes the 8-byte header at 0x0 through the core's image parser. */
static esp_err_t read_boot_header(const bs_hal_t *hal, esp_image_header_t *hdr)
{
    uint8_t raw[ESP_IMAGE_HEADER_LEN];
    esp_err_t err = bs_flash_read(hal, 0, raw, sizeof raw);
    if (err != ESP_OK) {
        return err;
    }
    bs_image_stream_t s;
    const bs_image_opts_t opts = {.kind = BS_IMAGE_V1, .hash = BS_HASH_NONE, .max_len = 0x8000};
    bs_image_stream_init(&s, NULL, &opts);
    if (bs_image_stream_feed(&s, raw, sizeof raw, NULL) != ESP_OK || !bs_image_stream_header_ok(&s)) {
        return ESP_ERR_IMAGE_INVALID;
    }
    *hdr = s.info.header;
    return ESP_OK;
}

uint32_t bootloader_configured_size(const bs_hal_t *hal, esp_image_header_t *hdr)
{
    esp_image_header_t h;
    if (read_boot_header(hal, &h) != ESP_OK) {
        return 0;
    }
    if (hdr) {
        *hdr = h;
    }
    uint32_t size = bs_image_flash_size_bytes(BS_IMAGE_V1, h.spi_size);
    return (size >= 0x100000u) ? size : 0x200000u;
}

static void print_banner(const bs_hal_t *hal, const bootloader_config_t *cfg,
                         const esp_image_header_t *h)
{
    BS_LOGI(hal, TAG, "ESP-IDF %s 2nd stage bootloader", cfg->idf_ver);
    BS_LOGI(hal, TAG, "compile time %s", cfg->compile_time);
    const char *speed = bs_image_spi_speed_name(h->spi_speed);
    const char *mode = bs_image_spi_mode_name(h->spi_mode);
    BS_LOGI(hal, TAG, "SPI Speed      : %s", speed ? speed : "40MHz");
    BS_LOGI(hal, TAG, "SPI Mode       : %s", mode ? mode : "DIO");
    BS_LOGI(hal, TAG, "SPI Flash Size : %uMB", (unsigned)(hal->chip_size >> 20));
    if (cfg->detected_size && cfg->detected_size != hal->chip_size) {
        /* The SDK trusts the configured size; say when the chip disagrees (0x104 lore). */
        BS_LOGW(hal, TAG, "Detected flash size %uKB differs from the %uKB in the image header",
                (unsigned)(cfg->detected_size >> 10), (unsigned)(hal->chip_size >> 10));
    }
}

static void log_not_bootable(const bs_hal_t *hal, int slot)
{
    if (slot == FACTORY_INDEX) {
        BS_LOGE(hal, TAG, "Factory app partition is not bootable");
    } else if (slot == TEST_APP_INDEX) {
        BS_LOGE(hal, TAG, "Factory test app partition is not bootable");
    } else {
        BS_LOGE(hal, TAG, "OTA app partition slot %d is not bootable", slot);
    }
}

/* Verifies one candidate; ESP_OK when it may run. */
static esp_err_t try_slot(const bs_hal_t *hal, int slot, const esp_partition_info_t *p,
                          bs_image_info_t *img)
{
    BS_LOGD(hal, TAG, "Trying partition index %d offs 0x%x size 0x%x", slot, (unsigned)p->offset,
            (unsigned)p->size);
    if (!bs_partition_in_one_window(p->offset, p->size)) {
        /* The cache maps one 1 MB window: such a slot cannot run from flash. */
        BS_LOGE(hal, TAG, "partition %s at 0x%x size 0x%x crosses a 1 MB boundary", p->label,
                (unsigned)p->offset, (unsigned)p->size);
        return ESP_ERR_IMAGE_INVALID;
    }
    const bs_image_opts_t opts = {
        .kind = BS_IMAGE_V3,
        .hash = BS_HASH_REQUIRED,
        .start_addr = p->offset,
        .max_len = p->size,
        .check_entry = true,
        .log_segments = true,
    };
    return bs_image_verify(hal, &opts, img);
}

esp_err_t bootloader_choose(const bs_hal_t *hal, const bootloader_config_t *cfg,
                            bs_partition_table_t *table, bootloader_choice_t *out)
{
    esp_image_header_t hdr;
    if (read_boot_header(hal, &hdr) != ESP_OK) {
        BS_LOGE(hal, TAG, "failed to load bootloader header!");
        return ESP_FAIL;
    }
    print_banner(hal, cfg, &hdr);

    esp_err_t err = bs_partition_table_load(hal, cfg->table_offset, true, table);
    if (err != ESP_OK) {
        BS_LOGE(hal, TAG, "Failed to verify partition table");
        BS_LOGE(hal, TAG, "load partition table error!");
        return err;
    }
    bs_partition_table_print(hal, table);

    bs_boot_slots_t slots;
    bs_boot_slots_find(table, &slots);
    esp_ota_select_entry_t entries[2];
    memset(entries, 0xFF, sizeof entries); /* erased: no entry in charge unless read */
    int selected = bs_boot_select(hal, table, &slots, entries);
    if (selected == INVALID_INDEX) {
        return ESP_ERR_INVALID_STATE;
    }
    bs_rb_plan_t plan;
    bs_rb_plan(&slots, selected, entries, &cfg->rollback, &plan);
    bootloader_rollback_begin(hal, table, &slots, &plan);
    for (int i = 0; i < plan.count; i++) {
        int slot = plan.order[i];
        int row = bs_boot_slot_row(&slots, slot);
        if (row < 0) {
            continue;
        }
        if (try_slot(hal, slot, &table->rows[row], &out->image) == ESP_OK) {
            if (bootloader_rollback_hand_off(hal, table, &slots, &plan, slot) != ESP_OK) {
                continue;
            }
            if (slot == TEST_APP_INDEX && selected != TEST_APP_INDEX) {
                BS_LOGW(hal, TAG, "Falling back to test app as only bootable partition");
            }
            out->slot = slot;
            out->part = table->rows[row];
            BS_LOGI(hal, TAG, "Loaded app from partition at offset 0x%x",
                    (unsigned)out->part.offset);
            return ESP_OK;
        }
        log_not_bootable(hal, slot);
    }
    if (selected == TEST_APP_INDEX) {
        BS_LOGE(hal, TAG, "No bootable test partition in the partition table");
    } else {
        BS_LOGE(hal, TAG, "No bootable app partitions in the partition table");
    }
    return ESP_ERR_NOT_FOUND;
}
