#pragma once
/* The core's flash HAL on a real ESP8266: the boot ROM's SPI routines. */
#include "bs_hal.h"

/* Wires *hal to the ROM routines; chip_size is `chip_size` (the caller's
 * configured size), 4 KB sectors, no log hook. */
void flash_rom_hal(bs_hal_t *hal, uint32_t chip_size);
