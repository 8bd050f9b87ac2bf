/*
 * The 2nd-stage bootloader on a real ESP8266: start.S, then the portable
 * flow over the ROM's flash routines, log lines in the SDK's format through
 * the ROM's ets_printf, then the chosen app's 1 MB window mapped by the
 * flash cache and its entry called with the image's flash offset, as the
 * SDK's bootloader does (reference §4.7). Not run on a board here: the
 * decisions it makes are the ones compared under QEMU (target/corpus).
 */
#include <stdarg.h>
#include <stdio.h>

#include "bootloader.h"
#include "flash_rom.h"

#ifndef OTA8266_IDF_VER
#define OTA8266_IDF_VER "v3.4-ota8266"
#endif

/* The ROM's CPU clock before the app sets its own: 52 MHz with the usual
 * 26 MHz crystal (the one that gives the ROM's 74880 baud). */
#define ROM_CPU_KHZ 52000u

extern int ets_printf(const char *fmt, ...);
extern void Cache_Read_Disable(void);
extern void Cache_Read_Enable(uint8_t odd_even, uint8_t mb_count, uint8_t cache_size);

static uint32_t ms_since_reset(void)
{
    uint32_t ccount;
    __asm__ volatile("rsr %0, ccount" : "=a"(ccount));
    return ccount / ROM_CPU_KHZ;
}

/* "L (ms) TAG: message", INFO and above, as ESP_EARLY_LOGx prints it. */
static void boot_log(void *ctx, esp_log_level_t level, const char *tag, const char *fmt, va_list ap)
{
    static const char letters[] = "NEWIDV";
    (void)ctx;
    if (level == ESP_LOG_NONE || level > ESP_LOG_INFO) {
        return;
    }
    char line[160];
    int n = snprintf(line, sizeof line, "%c (%u) %s: ", letters[level],
                     (unsigned)ms_since_reset(), tag);
    if (n > 0 && (unsigned)n < sizeof line) {
        vsnprintf(line + n, sizeof line - (unsigned)n, fmt, ap);
    }
    ets_printf("%s\n", line);
}

/* Maps the 1 MB flash window holding `offset` at 0x40200000 (16 KB cache,
 * so the bootloader's IRAM below 0x4010C000 is left alone) and runs the app. */
static void hand_off(const bootloader_choice_t *c)
{
    uint32_t mb = c->part.offset >> 20;
    Cache_Read_Disable();
    Cache_Read_Enable((uint8_t)(mb & 1u), (uint8_t)(mb >> 1), 0);
    void (*entry)(uint32_t) = (void (*)(uint32_t))(uintptr_t)c->image.header.entry_addr;
    entry(c->part.offset);
}

int main(void)
{
    static bs_hal_t hal;
    static bs_partition_table_t table;
    static bootloader_choice_t choice;
    /* The configured size comes from our own header; 1 MB until it is read. */
    flash_rom_hal(&hal, 0x100000u);
    hal.log = boot_log;
    uint32_t configured = bootloader_configured_size(&hal, NULL);
    if (configured) {
        hal.chip_size = configured;
    }
    const bootloader_config_t cfg = {
        .table_offset = 0x8000,
        .idf_ver = OTA8266_IDF_VER,
        .compile_time = __TIME__,
        .detected_size = 0,
        .rollback = BOOTLOADER_ROLLBACK_CONFIG,
    };
    if (bootloader_choose(&hal, &cfg, &table, &choice) != ESP_OK) {
        return 1;
    }
    hand_off(&choice);
    return 2;
}

/* Where start.S goes if main returns: nothing can boot; stay here, as the
 * SDK's bootloader does, until the watchdog or a reset. */
void target_exit(int code) __attribute__((noreturn));
void target_exit(int code)
{
    ets_printf("E (%u) boot: nothing to boot (%d): halted\n", (unsigned)ms_since_reset(), code);
    for (;;) {
        __asm__ volatile("waiti 0");
    }
}
