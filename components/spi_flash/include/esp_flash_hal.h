#pragma once
/* Wiring between the platform start-up and spi_flash: which flash the app
 * runs on and the core HAL over it (for app_update and friends). */
#include "bs_hal.h"

/* Called once by the start-up code with the HAL of the device's flash. */
void spi_flash_hal_install(const bs_hal_t *hal);
/* The installed HAL; NULL before start-up. */
const bs_hal_t *spi_flash_hal(void);

/* The physical chip's size, from the platform (what its JEDEC ID would report). */
void spi_flash_set_detected_size(uint32_t bytes);
