#pragma once
/*
 * ESP8266 app image format (SDK esp_image_format.h): an 8-byte header, up to
 * 16 segments (8-byte header + data each), zero padding so that the XOR
 * checksum (seed 0xEF) is the last byte of a 16-byte block, and for V3 app
 * images a SHA-256 of everything before it. No extended header on ESP8266.
 * Decoded forms only; parsing is in bs_image.h.
 */
#include <stdint.h>

#include "esp_err.h"

#ifdef __cplusplus
extern "C" {
#endif

#define ESP_ERR_IMAGE_BASE       0x2000
#define ESP_ERR_IMAGE_FLASH_FAIL (ESP_ERR_IMAGE_BASE + 1)
#define ESP_ERR_IMAGE_INVALID    (ESP_ERR_IMAGE_BASE + 2)

/* On flash: never renumber. */
#define ESP_IMAGE_HEADER_MAGIC 0xE9
#define ESP_IMAGE_MAX_SEGMENTS 16
#define ESP_IMAGE_HEADER_LEN 8
#define ESP_IMAGE_SEGMENT_HEADER_LEN 8
#define ESP_CHECKSUM_MAGIC 0xEF
#define ESP_IMAGE_HASH_LEN 32

typedef enum {
    ESP_IMAGE_SPI_MODE_QIO,
    ESP_IMAGE_SPI_MODE_QOUT,
    ESP_IMAGE_SPI_MODE_DIO,
    ESP_IMAGE_SPI_MODE_DOUT,
    ESP_IMAGE_SPI_MODE_FAST_READ,
    ESP_IMAGE_SPI_MODE_SLOW_READ,
} esp_image_spi_mode_t;

typedef enum {
    ESP_IMAGE_SPI_SPEED_40M = 0x0,
    ESP_IMAGE_SPI_SPEED_26M = 0x1,
    ESP_IMAGE_SPI_SPEED_20M = 0x2,
    ESP_IMAGE_SPI_SPEED_80M = 0xF,
} esp_image_spi_freq_t;

/* Flash-size nibble, ESP8266 ROM codes: used by the v1 bootloader image. */
typedef enum {
    ESP_IMAGE_FLASH_SIZE_512KB = 0,
    ESP_IMAGE_FLASH_SIZE_256KB = 1,
    ESP_IMAGE_FLASH_SIZE_1MB = 2,
    ESP_IMAGE_FLASH_SIZE_2MB = 3,
    ESP_IMAGE_FLASH_SIZE_4MB = 4,
    ESP_IMAGE_FLASH_SIZE_2MB_C1 = 5,
    ESP_IMAGE_FLASH_SIZE_4MB_C1 = 6,
    ESP_IMAGE_FLASH_SIZE_8MB = 8,
    ESP_IMAGE_FLASH_SIZE_16MB = 9,
} esp_image_flash_size_t;

/* Flash-size nibble, ESP32 codes: used by V3 app images (esptool's
 * ESP8266V3FirmwareImage.ROM_LOADER is ESP32ROM). */
typedef enum {
    ESP_IMAGE_V3_FLASH_SIZE_1MB = 0,
    ESP_IMAGE_V3_FLASH_SIZE_2MB = 1,
    ESP_IMAGE_V3_FLASH_SIZE_4MB = 2,
    ESP_IMAGE_V3_FLASH_SIZE_8MB = 3,
    ESP_IMAGE_V3_FLASH_SIZE_16MB = 4,
} esp_image_v3_flash_size_t;

typedef struct {
    uint8_t magic;
    uint8_t segment_count;
    uint8_t spi_mode;
    uint8_t spi_speed; /* low nibble of byte 3 */
    uint8_t spi_size;  /* high nibble of byte 3 */
    uint32_t entry_addr;
} esp_image_header_t;

typedef struct {
    uint32_t load_addr;
    uint32_t data_len;
} esp_image_segment_header_t;

/* Flash-mapped (XIP) window of the ESP8266 cache: 1 MB at this address. */
#define ESP_IMAGE_IROM_BASE 0x40200000u
#define ESP_IMAGE_IROM_WINDOW 0x100000u

#ifdef __cplusplus
}
#endif
