/* Image header field codes (reference §3.2) as the bootloader and tools name them. */
#include "bs_image.h"

#include <stddef.h>

#define MB(n) ((uint32_t)(n) << 20)
#define KB(n) ((uint32_t)(n) << 10)

/* Index = nibble. The v1 bootloader header uses the ESP8266 ROM's codes
 * (esptool ESP8266ROM); V3 apps use the ESP32 ROM's (esptool's
 * ESP8266V3FirmwareImage.ROM_LOADER). 0 marks a code with no size. */
static const uint32_t V1_SIZES[16] = {
    KB(512), KB(256), MB(1), MB(2), MB(4), MB(2), MB(4), 0, MB(8), MB(16),
};
static const uint32_t V3_SIZES[16] = {
    MB(1), MB(2), MB(4), MB(8), MB(16),
};

bool bs_image_addr_is_flash(uint32_t load_addr)
{
    return load_addr >= ESP_IMAGE_IROM_BASE &&
           load_addr - ESP_IMAGE_IROM_BASE < ESP_IMAGE_IROM_WINDOW;
}

const char *bs_image_spi_mode_name(uint8_t mode)
{
    switch (mode) {
    case ESP_IMAGE_SPI_MODE_QIO:
        return "QIO";
    case ESP_IMAGE_SPI_MODE_QOUT:
        return "QOUT";
    case ESP_IMAGE_SPI_MODE_DIO:
        return "DIO";
    case ESP_IMAGE_SPI_MODE_DOUT:
        return "DOUT";
    case ESP_IMAGE_SPI_MODE_FAST_READ:
        return "FAST_READ";
    case ESP_IMAGE_SPI_MODE_SLOW_READ:
        return "SLOW_READ";
    default:
        return NULL;
    }
}

const char *bs_image_spi_speed_name(uint8_t speed)
{
    switch (speed) {
    case ESP_IMAGE_SPI_SPEED_40M:
        return "40MHz";
    case ESP_IMAGE_SPI_SPEED_26M:
        return "26.7MHz";
    case ESP_IMAGE_SPI_SPEED_20M:
        return "20MHz";
    case ESP_IMAGE_SPI_SPEED_80M:
        return "80MHz";
    default:
        return NULL;
    }
}

uint32_t bs_image_flash_size_bytes(bs_image_kind_t kind, uint8_t nibble)
{
    if (nibble > 15) {
        return 0;
    }
    return (kind == BS_IMAGE_V1) ? V1_SIZES[nibble] : V3_SIZES[nibble];
}

int bs_image_flash_size_code(bs_image_kind_t kind, uint32_t bytes)
{
    const uint32_t *sizes = (kind == BS_IMAGE_V1) ? V1_SIZES : V3_SIZES;
    /* First match, so 2 MB and 4 MB get esptool's plain codes, not the -c1 ones. */
    for (int code = 0; code < 16; code++) {
        if (bytes != 0 && sizes[code] == bytes) {
            return code;
        }
    }
    return -1;
}
