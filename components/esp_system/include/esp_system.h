#pragma once
/* esp_system.h of the SDK, for apps on the virtual device. */
#include <stddef.h>
#include <stdint.h>

#include "esp_err.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum {
    CHIP_ESP8266 = 0,
    CHIP_ESP32 = 1,
} esp_chip_model_t;

#define CHIP_FEATURE_EMB_FLASH (1u << 0)
#define CHIP_FEATURE_WIFI_BGN (1u << 1)
#define CHIP_FEATURE_BLE (1u << 4)
#define CHIP_FEATURE_BT (1u << 5)

typedef struct {
    esp_chip_model_t model;
    uint32_t features;
    uint8_t cores;
    uint8_t revision;
} esp_chip_info_t;

typedef enum {
    ESP_RST_UNKNOWN = 0,
    ESP_RST_POWERON,
    ESP_RST_EXT,
    ESP_RST_SW,
    ESP_RST_PANIC,
    ESP_RST_INT_WDT,
    ESP_RST_TASK_WDT,
    ESP_RST_WDT,
    ESP_RST_DEEPSLEEP,
    ESP_RST_BROWNOUT,
    ESP_RST_SDIO,
} esp_reset_reason_t;

/* Resets the chip: the ROM stage runs again; RAM is gone, flash and RTC memory stay. */
void esp_restart(void) __attribute__((noreturn));
void esp_chip_info(esp_chip_info_t *out);
esp_reset_reason_t esp_reset_reason(void);
uint32_t esp_get_free_heap_size(void);
const char *esp_get_idf_version(void);

/* The hardware random number generator. On the virtual device: the host
 * kernel's (getrandom), which never blocks once the host has booted. */
uint32_t esp_random(void);
void esp_fill_random(void *buf, size_t len);

#ifdef __cplusplus
}
#endif
