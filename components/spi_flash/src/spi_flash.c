/* spi_flash_* through the core HAL: the SDK's checks (sector-aligned erase
 * ranges, nothing past the configured size) live in bs_flash_*. */
#include "spi_flash.h"

#include "bs_hal.h"
#include "esp_flash_hal.h"
#include "esp_private/spi_flash_stats.h"

static bs_hal_t s_backend; /* what the platform installed */
static bs_hal_t s_hal;     /* the same, every write and erase counted */
static uint32_t s_modify_count;
static uint32_t s_detected_size;
static int s_installed;
static spi_flash_erase_stats_t s_erase_stats;

static void note_erase_call(uint32_t sectors)
{
    if (sectors == 0) {
        return;
    }
    s_erase_stats.erase_calls++;
    s_erase_stats.sectors_erased += sectors;
    if (sectors > s_erase_stats.max_sectors_per_call) {
        s_erase_stats.max_sectors_per_call = sectors;
    }
}

void spi_flash_get_erase_stats(spi_flash_erase_stats_t *out)
{
    *out = s_erase_stats;
}

void spi_flash_reset_erase_stats(void)
{
    s_erase_stats = (spi_flash_erase_stats_t){0};
}

static esp_err_t counted_write(void *ctx, uint32_t addr, const void *src, uint32_t len)
{
    const bs_hal_t *b = ctx;
    s_modify_count++; /* before: a write that fails may still have changed bytes */
    return b->write(b->flash_ctx, addr, src, len);
}

static esp_err_t counted_erase(void *ctx, uint32_t addr)
{
    const bs_hal_t *b = ctx;
    s_modify_count++;
    return b->erase_sector(b->flash_ctx, addr);
}

static esp_err_t backend_read(void *ctx, uint32_t addr, void *dst, uint32_t len)
{
    const bs_hal_t *b = ctx;
    return b->read(b->flash_ctx, addr, dst, len);
}

void spi_flash_hal_install(const bs_hal_t *hal)
{
    s_backend = *hal;
    s_hal = *hal;
    s_hal.flash_ctx = &s_backend;
    s_hal.read = hal->read ? backend_read : NULL;
    s_hal.write = hal->write ? counted_write : NULL;
    s_hal.erase_sector = hal->erase_sector ? counted_erase : NULL;
    s_modify_count++; /* another flash: nothing seen before holds */
    s_installed = 1;
}

uint32_t spi_flash_modify_count(void)
{
    return s_modify_count;
}

const bs_hal_t *spi_flash_hal(void)
{
    return s_installed ? &s_hal : NULL;
}

size_t spi_flash_get_chip_size(void)
{
    return s_installed ? s_hal.chip_size : 0;
}

esp_err_t spi_flash_read(size_t src_addr, void *dest, size_t size)
{
    if (!s_installed) {
        return ESP_ERR_INVALID_STATE;
    }
    return bs_flash_read(&s_hal, (uint32_t)src_addr, dest, (uint32_t)size);
}

esp_err_t spi_flash_write(size_t dest_addr, const void *src, size_t size)
{
    if (!s_installed) {
        return ESP_ERR_INVALID_STATE;
    }
    return bs_flash_write(&s_hal, (uint32_t)dest_addr, src, (uint32_t)size);
}

esp_err_t spi_flash_erase_sector(size_t sector)
{
    if (!s_installed) {
        return ESP_ERR_INVALID_STATE;
    }
    note_erase_call(1);
    return bs_flash_erase_sector(&s_hal, (uint32_t)sector * SPI_FLASH_SEC_SIZE);
}

esp_err_t spi_flash_erase_range(size_t start_addr, size_t size)
{
    if (!s_installed) {
        return ESP_ERR_INVALID_STATE;
    }
    /* The SDK answers an unaligned range with ESP_ERR_FLASH_OP_FAIL (reference §5.3). */
    if ((start_addr | size) & (SPI_FLASH_SEC_SIZE - 1)) {
        return ESP_ERR_FLASH_OP_FAIL;
    }
    note_erase_call((uint32_t)(size / SPI_FLASH_SEC_SIZE));
    return bs_flash_erase_range(&s_hal, (uint32_t)start_addr, (uint32_t)size);
}

void spi_flash_set_detected_size(uint32_t bytes)
{
    s_detected_size = bytes;
}

uint32_t spi_flash_get_detected_size(void)
{
    return s_detected_size;
}

uint32_t spi_flash_get_id(void)
{
    /* Winbond-style ID: 0xEF, memory type 0x40, capacity = log2(bytes). */
    uint32_t cap = 0;
    while (cap < 31 && (1u << cap) < s_detected_size) {
        cap++;
    }
    return s_detected_size ? (0xEFu | (0x40u << 8) | (cap << 16)) : 0;
}
