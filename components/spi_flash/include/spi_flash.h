#pragma once
/* The SDK's spi_flash API (components/spi_flash/include/spi_flash.h) over the
 * device's flash. Sizes are the *configured* size, as on the SDK. */
#include <stddef.h>
#include <stdint.h>

#include "esp_err.h"

#ifdef __cplusplus
extern "C" {
#endif

#define SPI_FLASH_SEC_SIZE 4096

/* ESP_ERR_FLASH_BASE / _OP_FAIL / _OP_TIMEOUT are defined in esp_err.h. */

size_t spi_flash_get_chip_size(void);
/* JEDEC ID the chip answers (manufacturer, type, log2 capacity): the real
 * size, which may differ from the configured one. */
uint32_t spi_flash_get_id(void);
/* ota8266: the size the chip's ID reports (0 when unknown). */
uint32_t spi_flash_get_detected_size(void);
esp_err_t spi_flash_read(size_t src_addr, void *dest, size_t size);
esp_err_t spi_flash_write(size_t dest_addr, const void *src, size_t size);
esp_err_t spi_flash_erase_sector(size_t sector);
esp_err_t spi_flash_erase_range(size_t start_addr, size_t size);

#ifdef __cplusplus
}
#endif
