/* The only code that calls the flash callbacks: range checks live here once. */
#include "bs_hal.h"

#include <stddef.h>

static bool is_pow2(uint32_t v)
{
    return v != 0 && (v & (v - 1u)) == 0;
}

esp_err_t bs_hal_check(const bs_hal_t *hal)
{
    if (hal == NULL || hal->read == NULL || hal->write == NULL || hal->erase_sector == NULL) {
        return ESP_ERR_INVALID_ARG;
    }
    if (!is_pow2(hal->sector_size) || hal->sector_size < 256u) {
        return ESP_ERR_INVALID_ARG;
    }
    if (hal->chip_size == 0 || (hal->chip_size & (hal->sector_size - 1u)) != 0) {
        return ESP_ERR_INVALID_ARG;
    }
    return ESP_OK;
}

/* Overflow-safe "[addr, addr+len) inside the chip". */
static bool in_chip(const bs_hal_t *hal, uint32_t addr, uint32_t len)
{
    return addr <= hal->chip_size && len <= hal->chip_size - addr;
}

esp_err_t bs_flash_read(const bs_hal_t *hal, uint32_t addr, void *dst, uint32_t len)
{
    if (hal == NULL || hal->read == NULL || (dst == NULL && len != 0)) {
        return ESP_ERR_INVALID_ARG;
    }
    if (!in_chip(hal, addr, len)) {
        return ESP_ERR_FLASH_OP_FAIL;
    }
    if (len == 0) {
        return ESP_OK;
    }
    return hal->read(hal->flash_ctx, addr, dst, len);
}

esp_err_t bs_flash_write(const bs_hal_t *hal, uint32_t addr, const void *src, uint32_t len)
{
    if (hal == NULL || hal->write == NULL || (src == NULL && len != 0)) {
        return ESP_ERR_INVALID_ARG;
    }
    if (!in_chip(hal, addr, len)) {
        return ESP_ERR_FLASH_OP_FAIL;
    }
    if (len == 0) {
        return ESP_OK;
    }
    return hal->write(hal->flash_ctx, addr, src, len);
}

esp_err_t bs_flash_erase_sector(const bs_hal_t *hal, uint32_t addr)
{
    if (hal == NULL || hal->erase_sector == NULL || !is_pow2(hal->sector_size)) {
        return ESP_ERR_INVALID_ARG;
    }
    if ((addr & (hal->sector_size - 1u)) != 0) {
        return ESP_ERR_INVALID_ARG;
    }
    if (!in_chip(hal, addr, hal->sector_size)) {
        return ESP_ERR_FLASH_OP_FAIL;
    }
    return hal->erase_sector(hal->flash_ctx, addr);
}

esp_err_t bs_flash_erase_range(const bs_hal_t *hal, uint32_t addr, uint32_t len)
{
    if (hal == NULL || hal->erase_sector == NULL || !is_pow2(hal->sector_size)) {
        return ESP_ERR_INVALID_ARG;
    }
    uint32_t mask = hal->sector_size - 1u;
    if ((addr & mask) != 0 || (len & mask) != 0) {
        return ESP_ERR_INVALID_ARG;
    }
    /* Checked as a whole first so that a bad range erases nothing. */
    if (!in_chip(hal, addr, len)) {
        return ESP_ERR_FLASH_OP_FAIL;
    }
    for (uint32_t off = 0; off < len; off += hal->sector_size) {
        esp_err_t err = hal->erase_sector(hal->flash_ctx, addr + off);
        if (err != ESP_OK) {
            return err;
        }
    }
    return ESP_OK;
}

esp_err_t bs_flash_sector_blank(const bs_hal_t *hal, uint32_t addr, bool *blank)
{
    /* Words, not bytes: aligned for the ROM's reads, and small and fast on lx106. */
    uint32_t buf[64];
    *blank = false;
    if (hal == NULL || (addr & (hal->sector_size - 1u)) != 0) {
        return ESP_ERR_INVALID_ARG;
    }
    /* The whole sector: a torn erase can leave any part of it programmed. */
    for (uint32_t off = 0; off < hal->sector_size; off += sizeof buf) {
        esp_err_t err = bs_flash_read(hal, addr + off, buf, sizeof buf);
        if (err != ESP_OK) {
            return err;
        }
        for (uint32_t i = 0; i < sizeof buf / sizeof buf[0]; i++) {
            if (buf[i] != UINT32_MAX) {
                return ESP_OK;
            }
        }
    }
    *blank = true;
    return ESP_OK;
}

void bs_log(const bs_hal_t *hal, esp_log_level_t level, const char *tag, const char *fmt, ...)
{
    if (hal == NULL || hal->log == NULL) {
        return;
    }
    va_list ap;
    va_start(ap, fmt);
    hal->log(hal->log_ctx, level, tag, fmt, ap);
    va_end(ap);
}
