/*
 * The bootloader as a program on the virtual ESP8266: the ROM stage exec'd
 * it from the v1 image at 0x0; it runs the portable flow and then runs the
 * chosen app from the bytes of that app's image in flash.
 */
#include <stdio.h>
#include <stdlib.h>

#include "bootloader.h"
#include "sim_app.h"
#include "sim_device.h"

#ifndef OTA8266_IDF_VER
#define OTA8266_IDF_VER "v3.4-ota8266"
#endif

static uint32_t device_clock_ms(void)
{
    return sim_clock_ms(sim_state_current());
}

/* The SDK bootloader logs with ets_printf in the ESP line format. */
static void boot_log(void *ctx, esp_log_level_t level, const char *tag, const char *fmt, va_list ap)
{
    (void)ctx;
    esp_log_writev(level, tag, fmt, ap);
}

/* The app's program: the bytes of the segment that holds the entry point. */
static int entry_segment(const bs_image_info_t *img)
{
    for (unsigned i = 0; i < img->header.segment_count; i++) {
        uint32_t a = img->segments[i].load_addr;
        if (img->header.entry_addr >= a && img->header.entry_addr - a < img->segments[i].data_len) {
            return (int)i;
        }
    }
    return -1;
}

int main(void)
{
    static sim_flash_t flash;
    sim_state_t *st = sim_state_current();
    if (!st || sim_flash_attach_current(&flash) != ESP_OK) {
        fprintf(stderr, "bootloader: run me through `ota8266 run` (no virtual device found)\n");
        return 2;
    }
    setvbuf(stdout, NULL, _IOLBF, 0);
    esp_log_set_color(st->color);
    esp_log_set_timestamp_source(device_clock_ms);
    if (st->timestamps) {
        esp_log_set_host_stamp(sim_host_us_since_power_on);
    }

    bs_hal_t hal;
    sim_flash_hal(&flash, 0, &hal);
    hal.log = boot_log;
    /* Every check uses the configured size, never the chip's real one (§1.4). */
    uint32_t configured = bootloader_configured_size(&hal, NULL);
    if (configured) {
        hal.chip_size = configured;
    }
    bootloader_config_t cfg = {
        .table_offset = 0x8000,
        .idf_ver = OTA8266_IDF_VER,
        .compile_time = __TIME__,
        .detected_size = flash.size,
        .rollback = BOOTLOADER_ROLLBACK_CONFIG,
    };
    static bs_partition_table_t table;
    static bootloader_choice_t choice;
    if (bootloader_choose(&hal, &cfg, &table, &choice) != ESP_OK) {
        return SIM_EXIT_HALT;
    }
    int seg = entry_segment(&choice.image);
    if (seg < 0) {
        ESP_LOGE("boot", "entry 0x%08x is in no segment", (unsigned)choice.image.header.entry_addr);
        return SIM_EXIT_HALT;
    }
    st->app_start = choice.part.offset;
    st->app_len = choice.image.image_len;
    st->app_part_size = choice.part.size;
    sim_exec_from_flash(&flash, choice.part.offset + choice.image.segment_data_offset[seg],
                        choice.image.segments[seg].data_len, "app");
    ESP_LOGE("boot", "the image at 0x%x is valid but is not a program this host can run",
             (unsigned)choice.part.offset);
    return SIM_EXIT_PANIC;
}
