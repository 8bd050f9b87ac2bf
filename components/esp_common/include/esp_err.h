#pragma once
/*
 * esp_err_t and the generic error codes of ESP8266_RTOS_SDK v3.x.
 * Component-specific codes live in their components' public headers
 * (esp_ota_ops.h, esp_image_format.h, spi_flash.h, esp_http_client.h ...);
 * esp_err_to_name() is generated from every public header, never by hand.
 * Portable: freestanding headers only.
 */
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef int32_t esp_err_t;

/* Values are the SDK's: never renumber. */
#define ESP_OK                  0
#define ESP_FAIL                -1

#define ESP_ERR_NO_MEM          0x101
#define ESP_ERR_INVALID_ARG     0x102
#define ESP_ERR_INVALID_STATE   0x103
#define ESP_ERR_INVALID_SIZE    0x104
#define ESP_ERR_NOT_FOUND       0x105
#define ESP_ERR_NOT_SUPPORTED   0x106
#define ESP_ERR_TIMEOUT         0x107
#define ESP_ERR_INVALID_RESPONSE 0x108
#define ESP_ERR_INVALID_CRC     0x109
#define ESP_ERR_INVALID_VERSION 0x10A
#define ESP_ERR_INVALID_MAC     0x10B

#define ESP_ERR_WIFI_BASE       0x3000

/* Declared in spi_flash.h in the SDK (ESP-IDF v4+ uses 0x6000); here because
 * the portable core's flash HAL returns them. */
#define ESP_ERR_FLASH_BASE       0x10010
#define ESP_ERR_FLASH_OP_FAIL    (ESP_ERR_FLASH_BASE + 1)
#define ESP_ERR_FLASH_OP_TIMEOUT (ESP_ERR_FLASH_BASE + 2)

/* Returns the macro name of a code ("ESP_ERR_INVALID_SIZE"), or "UNKNOWN ERROR". */
const char *esp_err_to_name(esp_err_t code);

/* Like esp_err_to_name, but writes "UNKNOWN ERROR 0x%x" for unknown codes into buf. */
const char *esp_err_to_name_r(esp_err_t code, char *buf, uint32_t buflen);

/* Reports a failed ESP_ERROR_CHECK as the SDK does, then aborts (a panic reset). */
void _esp_error_check_failed(esp_err_t rc, const char *file, int line, const char *function,
                             const char *expression) __attribute__((noreturn));

#define ESP_ERROR_CHECK(x)                                                                         \
    do {                                                                                           \
        esp_err_t rc_ = (x);                                                                       \
        if (rc_ != ESP_OK) {                                                                       \
            _esp_error_check_failed(rc_, __FILE__, __LINE__, __func__, #x);                        \
        }                                                                                          \
    } while (0)

#ifdef __cplusplus
}
#endif
