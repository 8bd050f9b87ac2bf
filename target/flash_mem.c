/* The in-memory flash of flash_mem.h. */
#include "flash_mem.h"

#include <string.h>

#define FLASH_MEM_SECTOR 4096u

static int in_image(const flash_mem_t *f, uint32_t addr, uint32_t len)
{
    return addr <= f->size && len <= f->size - addr;
}

static esp_err_t mem_read(void *ctx, uint32_t addr, void *dst, uint32_t len)
{
    flash_mem_t *f = ctx;
    if (!in_image(f, addr, len)) {
        return ESP_ERR_FLASH_OP_FAIL; /* past the real chip, as the ROM's SPIRead fails */
    }
    f->reads++;
    memcpy(dst, f->mem + addr, len);
    return ESP_OK;
}

static esp_err_t mem_write(void *ctx, uint32_t addr, const void *src, uint32_t len)
{
    flash_mem_t *f = ctx;
    const uint8_t *s = src;
    if (!in_image(f, addr, len)) {
        return ESP_ERR_FLASH_OP_FAIL;
    }
    f->writes++;
    for (uint32_t i = 0; i < len; i++) {
        f->mem[addr + i] &= s[i];
    }
    return ESP_OK;
}

static esp_err_t mem_erase(void *ctx, uint32_t addr)
{
    flash_mem_t *f = ctx;
    if (!in_image(f, addr, FLASH_MEM_SECTOR)) {
        return ESP_ERR_FLASH_OP_FAIL;
    }
    f->erases++;
    memset(f->mem + addr, 0xFF, FLASH_MEM_SECTOR);
    return ESP_OK;
}

void flash_mem_hal(flash_mem_t *f, bs_hal_t *hal)
{
    memset(hal, 0, sizeof *hal);
    hal->flash_ctx = f;
    hal->read = mem_read;
    hal->write = mem_write;
    hal->erase_sector = mem_erase;
    hal->chip_size = f->size;
    hal->sector_size = FLASH_MEM_SECTOR;
}
