#pragma once
/*
 * esp_https_ota: an update from an HTTPS URL, the SDK's one-shot call and
 * ESP-IDF's step-by-step API over the same code.
 *
 * ota8266 checks what the SDK does not: the HTTP status (a non-2xx response
 * is an error naming the status, never written to flash), redirects
 * (followed, up to max_redirection_count), the image header and app
 * descriptor in the first bytes before anything is erased (an HTML page or
 * `openssl s_server -WWW`'s "200 ... Error opening" text is refused with
 * flash untouched), a Content-Length larger than the slot (refused before
 * erasing), a body shorter than its Content-Length, and optionally a
 * deadline and a minimum throughput.
 */
#include <stdbool.h>
#include <stdint.h>

#include "esp_app_format.h"
#include "esp_err.h"
#include "esp_http_client.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Values are ESP-IDF's: never renumber. */
#define ESP_ERR_HTTPS_OTA_BASE (0x9000)
#define ESP_ERR_HTTPS_OTA_IN_PROGRESS (ESP_ERR_HTTPS_OTA_BASE + 1) /* perform: call again */

typedef void *esp_https_ota_handle_t;
typedef esp_err_t (*http_client_init_cb_t)(esp_http_client_handle_t);

typedef struct {
    const esp_http_client_config_t *http_config;
    /* Called after the client is made, before the request (add headers). */
    http_client_init_cb_t http_client_init_cb;
    /* ota8266: give up when the whole download takes longer (0 = CONFIG_OTA_DEADLINE_S, off by default). */
    uint32_t deadline_ms;
    /* ota8266: give up when the rate since the start stays below this after
     * the first 2 s (bytes per second; 0 = CONFIG_OTA_MIN_THROUGHPUT, off by default). */
    uint32_t min_throughput_bps;
} esp_https_ota_config_t;

/*
 * The SDK's call: downloads config->url into the next OTA slot, checks it
 * and selects it for the next boot. The caller restarts.
 * @return ESP_OK; ESP_ERR_INVALID_ARG (no config / no URL); ESP_FAIL (no
 *   certificate, or not https, unless CONFIG_OTA_ALLOW_HTTP); an HTTP client
 *   error (ESP_ERR_HTTP_CONNECT, _MAX_REDIRECT, _FETCH_HEADER ...);
 *   ESP_ERR_INVALID_RESPONSE (status not 2xx); ESP_ERR_OTA_VALIDATE_FAILED
 *   (not an image for this slot, corrupt, or short); ESP_ERR_INVALID_SIZE
 *   (larger than the slot); ESP_ERR_TIMEOUT (deadline, throughput, read timeout).
 */
esp_err_t esp_https_ota(const esp_http_client_config_t *config);

/* Connects, checks status and the image's first bytes (nothing erased yet). */
esp_err_t esp_https_ota_begin(esp_https_ota_config_t *ota_config, esp_https_ota_handle_t *handle);
/* The new image's descriptor, available after begin. ESP_ERR_NOT_FOUND when
 * the image carries none in its first segment (SDK-built images put it later). */
esp_err_t esp_https_ota_get_img_desc(esp_https_ota_handle_t handle, esp_app_desc_t *new_app_info);
/* Reads and writes one buffer: ESP_ERR_HTTPS_OTA_IN_PROGRESS while more is
 * to come, ESP_OK once the body has ended, or an error. */
esp_err_t esp_https_ota_perform(esp_https_ota_handle_t handle);
bool esp_https_ota_is_complete_data_received(esp_https_ota_handle_t handle);
/* Verifies the written image, selects it for the next boot, frees the handle. */
esp_err_t esp_https_ota_finish(esp_https_ota_handle_t handle);
/* Stops, leaves otadata untouched, frees the handle. */
esp_err_t esp_https_ota_abort(esp_https_ota_handle_t handle);
int esp_https_ota_get_image_len_read(esp_https_ota_handle_t handle);
/* Content-Length, or -1 when the server sent none. */
int esp_https_ota_get_image_size(esp_https_ota_handle_t handle);

#ifdef __cplusplus
}
#endif
