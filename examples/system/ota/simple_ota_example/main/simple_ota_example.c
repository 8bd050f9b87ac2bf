/*
 * simple_ota_example: the whole update in one call, esp_https_ota(). On
 * success the device restarts into the new image; otherwise it logs
 * "Firmware Upgrades Failed" with the reason and keeps running.
 */
#include "esp_event.h"
#include "esp_http_client.h"
#include "esp_https_ota.h"
#include "esp_log.h"
#include "esp_netif.h"
#include "esp_system.h"
#include "freertos/FreeRTOS.h"
#include "freertos/task.h"
#include "nvs_flash.h"
#include "protocol_examples_common.h"

static const char *TAG = "simple_ota_example";

extern const char server_cert_pem_start[] __asm__("_binary_ca_cert_pem_start");

#ifndef CONFIG_EXAMPLE_SKIP_COMMON_NAME_CHECK
#define CONFIG_EXAMPLE_SKIP_COMMON_NAME_CHECK 0
#endif

static esp_err_t _http_event_handler(esp_http_client_event_t *evt)
{
    switch (evt->event_id) {
    case HTTP_EVENT_ERROR:
        ESP_LOGD(TAG, "HTTP_EVENT_ERROR");
        break;
    case HTTP_EVENT_ON_CONNECTED:
        ESP_LOGD(TAG, "HTTP_EVENT_ON_CONNECTED");
        break;
    case HTTP_EVENT_HEADER_SENT:
        ESP_LOGD(TAG, "HTTP_EVENT_HEADER_SENT");
        break;
    case HTTP_EVENT_ON_HEADER:
        ESP_LOGD(TAG, "HTTP_EVENT_ON_HEADER, key=%s, value=%s", evt->header_key, evt->header_value);
        break;
    case HTTP_EVENT_ON_DATA:
        ESP_LOGD(TAG, "HTTP_EVENT_ON_DATA, len=%d", evt->data_len);
        break;
    case HTTP_EVENT_ON_FINISH:
        ESP_LOGD(TAG, "HTTP_EVENT_ON_FINISH");
        break;
    case HTTP_EVENT_DISCONNECTED:
        ESP_LOGD(TAG, "HTTP_EVENT_DISCONNECTED");
        break;
    default:
        break;
    }
    return ESP_OK;
}

static void simple_ota_example_task(void *pvParameter)
{
    (void)pvParameter;
    ESP_LOGI(TAG, "Starting OTA example...");
    esp_http_client_config_t config = {
        .url = CONFIG_EXAMPLE_FIRMWARE_UPG_URL,
        .cert_pem = server_cert_pem_start,
        .event_handler = _http_event_handler,
        .timeout_ms = CONFIG_EXAMPLE_OTA_RECV_TIMEOUT,
        .skip_cert_common_name_check = CONFIG_EXAMPLE_SKIP_COMMON_NAME_CHECK,
    };
    esp_err_t ret = esp_https_ota(&config);
    if (ret == ESP_OK) {
        ESP_LOGI(TAG, "Prepare to restart system!");
        esp_restart();
    } else {
        ESP_LOGE(TAG, "Firmware Upgrades Failed (0x%x %s)", (unsigned)ret, esp_err_to_name(ret));
    }
    for (;;) {
        vTaskDelay(1000 / portTICK_PERIOD_MS);
    }
}

void app_main(void)
{
    esp_err_t err = nvs_flash_init();
    if (err == ESP_ERR_NVS_NO_FREE_PAGES || err == ESP_ERR_NVS_NEW_VERSION_FOUND) {
        ESP_ERROR_CHECK(nvs_flash_erase());
        err = nvs_flash_init();
    }
    ESP_ERROR_CHECK(err);
    ESP_ERROR_CHECK(esp_netif_init());
    ESP_ERROR_CHECK(esp_event_loop_create_default());
    ESP_ERROR_CHECK(example_connect());
    xTaskCreate(&simple_ota_example_task, "ota_example_task", 8192, NULL, 5, NULL);
}
