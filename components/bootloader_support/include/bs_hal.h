#pragma once
/*
 * The portable core's whole porting surface, in the manner of littlefs's
 * lfs_config: an opaque context, three flash callbacks, the geometry and a
 * log hook. The simulator (sim/) and the lx106 ROM backend each fill one in;
 * nothing in the core touches hardware, the OS or the heap.
 */
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>

#include "esp_err.h"
#include "esp_log.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct bs_hal {
    void *flash_ctx;
    /* Reads len bytes at absolute flash address addr. */
    esp_err_t (*read)(void *flash_ctx, uint32_t addr, void *dst, uint32_t len);
    /* Programs len bytes at addr: NOR rules, bits only go 1 -> 0; the range
     * must have been erased by the caller. */
    esp_err_t (*write)(void *flash_ctx, uint32_t addr, const void *src, uint32_t len);
    /* Erases the sector starting at addr (a multiple of sector_size) to 0xFF. */
    esp_err_t (*erase_sector)(void *flash_ctx, uint32_t addr);
    /* Configured chip size in bytes (what CONFIG_ESPTOOLPY_FLASHSIZE says,
     * which is what the SDK uses everywhere, never the detected size). */
    uint32_t chip_size;
    /* Erase granularity, a power of two (4096 on every ESP8266 flash). */
    uint32_t sector_size;

    /* Optional: receives every message the core logs (SDK tags and texts). */
    void *log_ctx;
    void (*log)(void *log_ctx, esp_log_level_t level, const char *tag, const char *fmt,
                va_list ap);
} bs_hal_t;

/* ESP_OK when every callback is set, sector_size is a power of two >= 256 and
 * chip_size a non-zero multiple of it; ESP_ERR_INVALID_ARG otherwise. */
esp_err_t bs_hal_check(const bs_hal_t *hal);

/* Range-checked wrappers: out of [0, chip_size) -> ESP_ERR_FLASH_OP_FAIL
 * without calling the backend (as spi_flash_* on the SDK). */
esp_err_t bs_flash_read(const bs_hal_t *hal, uint32_t addr, void *dst, uint32_t len);
esp_err_t bs_flash_write(const bs_hal_t *hal, uint32_t addr, const void *src, uint32_t len);
/* addr not sector aligned -> ESP_ERR_INVALID_ARG. */
esp_err_t bs_flash_erase_sector(const bs_hal_t *hal, uint32_t addr);
/* Erases [addr, addr+len); both must be sector aligned (else ESP_ERR_INVALID_ARG). */
esp_err_t bs_flash_erase_range(const bs_hal_t *hal, uint32_t addr, uint32_t len);

/* *blank: every byte of the sector at addr reads 0xFF, so an erase can be
 * skipped (an erase costs ~37 ms and wear on the ESP8266; this read of at
 * most one sector, stopping at the first programmed word, ~0.5 ms). The whole
 * sector is read: a torn erase can leave any part of it programmed. addr not
 * sector aligned -> ESP_ERR_INVALID_ARG; read errors as bs_flash_read. */
esp_err_t bs_flash_sector_blank(const bs_hal_t *hal, uint32_t addr, bool *blank);

/* Logs through hal->log when set; a no-op otherwise. */
void bs_log(const bs_hal_t *hal, esp_log_level_t level, const char *tag, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

#define BS_LOGE(hal, tag, ...) bs_log(hal, ESP_LOG_ERROR, tag, __VA_ARGS__)
#define BS_LOGW(hal, tag, ...) bs_log(hal, ESP_LOG_WARN, tag, __VA_ARGS__)
#define BS_LOGI(hal, tag, ...) bs_log(hal, ESP_LOG_INFO, tag, __VA_ARGS__)
#define BS_LOGD(hal, tag, ...) bs_log(hal, ESP_LOG_DEBUG, tag, __VA_ARGS__)

#ifdef __cplusplus
}
#endif
