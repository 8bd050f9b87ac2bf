/*
 * bs_hal_t over the ESP8266 boot ROM (ld/esp8266_rom.ld). The ROM moves
 * whole 32-bit words between word-aligned flash addresses and word-aligned
 * RAM; the core asks for any address and length, so unaligned requests go
 * through a small word buffer. Bytes around a partial write are programmed
 * as 0xFF, which leaves NOR flash unchanged.
 */
#include "flash_rom.h"

#include <string.h>

#define ROM_SECTOR 4096u
#define BOUNCE_WORDS 16u

extern int SPIRead(uint32_t addr, uint32_t *dst, uint32_t len);
extern int SPIWrite(uint32_t addr, const uint32_t *src, uint32_t len);
extern int SPIEraseSector(uint32_t sector);

static esp_err_t rom_read(void *ctx, uint32_t addr, void *dst, uint32_t len)
{
    (void)ctx;
    uint8_t *out = dst;
    if (((addr | len | (uint32_t)(uintptr_t)dst) & 3u) == 0) {
        return SPIRead(addr, (uint32_t *)dst, len) == 0 ? ESP_OK : ESP_ERR_FLASH_OP_FAIL;
    }
    uint32_t buf[BOUNCE_WORDS];
    while (len) {
        uint32_t base = addr & ~3u;
        uint32_t skip = addr - base;
        uint32_t n = sizeof buf - skip;
        if (n > len) {
            n = len;
        }
        if (SPIRead(base, buf, (skip + n + 3u) & ~3u) != 0) {
            return ESP_ERR_FLASH_OP_FAIL;
        }
        memcpy(out, (uint8_t *)buf + skip, n);
        out += n;
        addr += n;
        len -= n;
    }
    return ESP_OK;
}

static esp_err_t rom_write(void *ctx, uint32_t addr, const void *src, uint32_t len)
{
    (void)ctx;
    const uint8_t *in = src;
    uint32_t buf[BOUNCE_WORDS];
    while (len) {
        uint32_t base = addr & ~3u;
        uint32_t skip = addr - base;
        uint32_t n = sizeof buf - skip;
        if (n > len) {
            n = len;
        }
        uint32_t span = (skip + n + 3u) & ~3u;
        memset(buf, 0xFF, span);
        memcpy((uint8_t *)buf + skip, in, n);
        if (SPIWrite(base, buf, span) != 0) {
            return ESP_ERR_FLASH_OP_FAIL;
        }
        in += n;
        addr += n;
        len -= n;
    }
    return ESP_OK;
}

static esp_err_t rom_erase(void *ctx, uint32_t addr)
{
    (void)ctx;
    return SPIEraseSector(addr >> 12) == 0 ? ESP_OK : ESP_ERR_FLASH_OP_FAIL;
}

void flash_rom_hal(bs_hal_t *hal, uint32_t chip_size)
{
    memset(hal, 0, sizeof *hal);
    hal->read = rom_read;
    hal->write = rom_write;
    hal->erase_sector = rom_erase;
    hal->chip_size = chip_size;
    hal->sector_size = ROM_SECTOR;
}
