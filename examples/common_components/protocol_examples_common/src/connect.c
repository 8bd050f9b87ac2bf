/*
 * example_connect() of the SDK's protocol examples, v3.4 behaviour and log
 * lines (TAG "example_connect"), on the virtual device. Differences, each a
 * fix: reconnects wait a short back-off instead of hammering the AP; the
 * disconnect reason is logged (as the v3.2-v3.3 examples did); the SSID and
 * password buffers hold the full 32 and 64 bytes (the SDK's hold 31);
 * example_disconnect() unregisters the handlers before stopping Wi-Fi, so a
 * late event cannot reach a deleted event group.
 */
#include "protocol_examples_common.h"

#include <string.h>

#include "esp_event.h"
#include "esp_log.h"
#include "esp_netif.h"
#include "esp_wifi.h"
#include "freertos/FreeRTOS.h"
#include "freertos/event_groups.h"
#include "freertos/task.h"

/* Kconfig.projbuild's defaults, for builds without an sdkconfig.h. */
#ifndef CONFIG_EXAMPLE_WIFI_SSID
#define CONFIG_EXAMPLE_WIFI_SSID "myssid"
#endif
#ifndef CONFIG_EXAMPLE_WIFI_PASSWORD
#define CONFIG_EXAMPLE_WIFI_PASSWORD "mypassword"
#endif

#define GOT_IPV4_BIT (1u << 0)
#define CONNECTED_BITS GOT_IPV4_BIT

/* Virtual time between a disconnect and the next attempt. */
#define EXAMPLE_RECONNECT_BACKOFF_MS 500

static const char *TAG = "example_connect";

static EventGroupHandle_t s_connect_event_group;
static ip4_addr_t s_ip_addr;
static char s_connection_name[MAX_SSID_LEN + 1] = CONFIG_EXAMPLE_WIFI_SSID;
static char s_connection_passwd[MAX_PASSPHRASE_LEN + 1] = CONFIG_EXAMPLE_WIFI_PASSWORD;

/* Runs on the event loop's task: the back-off delays that loop's other events too. */
static void on_wifi_disconnect(void *arg, esp_event_base_t event_base, int32_t event_id,
                               void *event_data)
{
    (void)arg;
    (void)event_base;
    (void)event_id;
    const wifi_event_sta_disconnected_t *event = event_data;
    ESP_LOGI(TAG, "Wi-Fi disconnected, trying to reconnect...");
    ESP_LOGE(TAG, "Disconnect reason : %d", event->reason);
    vTaskDelay(pdMS_TO_TICKS(EXAMPLE_RECONNECT_BACKOFF_MS));
    esp_err_t err = esp_wifi_connect();
    if (err == ESP_ERR_WIFI_NOT_STARTED || err == ESP_ERR_WIFI_NOT_INIT) {
        return; /* the app stopped Wi-Fi during the back-off: nothing to reconnect */
    }
    ESP_ERROR_CHECK(err);
}

static void on_got_ip(void *arg, esp_event_base_t event_base, int32_t event_id, void *event_data)
{
    (void)arg;
    (void)event_base;
    (void)event_id;
    const ip_event_got_ip_t *event = event_data;
    s_ip_addr = event->ip_info.ip;
    xEventGroupSetBits(s_connect_event_group, GOT_IPV4_BIT);
}

static void copy_field(uint8_t *dst, size_t size, const char *src)
{
    size_t n = strlen(src);
    memcpy(dst, src, n < size ? n : size); /* a full-size field has no NUL, as in the SDK */
}

static void start(void)
{
    wifi_init_config_t cfg = WIFI_INIT_CONFIG_DEFAULT();
    ESP_ERROR_CHECK(esp_wifi_init(&cfg));

    ESP_ERROR_CHECK(esp_event_handler_register(WIFI_EVENT, WIFI_EVENT_STA_DISCONNECTED,
                                               &on_wifi_disconnect, NULL));
    ESP_ERROR_CHECK(esp_event_handler_register(IP_EVENT, IP_EVENT_STA_GOT_IP, &on_got_ip, NULL));

    ESP_ERROR_CHECK(esp_wifi_set_storage(WIFI_STORAGE_RAM));
    wifi_config_t wifi_config = {0};
    copy_field(wifi_config.sta.ssid, sizeof wifi_config.sta.ssid, s_connection_name);
    copy_field(wifi_config.sta.password, sizeof wifi_config.sta.password, s_connection_passwd);

    ESP_LOGI(TAG, "Connecting to %s...", s_connection_name);
    ESP_ERROR_CHECK(esp_wifi_set_mode(WIFI_MODE_STA));
    ESP_ERROR_CHECK(esp_wifi_set_config(WIFI_IF_STA, &wifi_config));
    ESP_ERROR_CHECK(esp_wifi_start());
    ESP_ERROR_CHECK(esp_wifi_connect());
}

static void stop(void)
{
    ESP_ERROR_CHECK(
        esp_event_handler_unregister(WIFI_EVENT, WIFI_EVENT_STA_DISCONNECTED, &on_wifi_disconnect));
    ESP_ERROR_CHECK(esp_event_handler_unregister(IP_EVENT, IP_EVENT_STA_GOT_IP, &on_got_ip));
    esp_err_t err = esp_wifi_stop();
    if (err == ESP_ERR_WIFI_NOT_INIT) {
        return;
    }
    ESP_ERROR_CHECK(err);
    ESP_ERROR_CHECK(esp_wifi_deinit());
}

esp_err_t example_connect(void)
{
    if (s_connect_event_group != NULL) {
        return ESP_ERR_INVALID_STATE;
    }
    s_connect_event_group = xEventGroupCreate();
    start();
    xEventGroupWaitBits(s_connect_event_group, CONNECTED_BITS, pdTRUE, pdTRUE, portMAX_DELAY);
    ESP_LOGI(TAG, "Connected to %s", s_connection_name);
    ESP_LOGI(TAG, "IPv4 address: " IPSTR, IP2STR(&s_ip_addr));
    return ESP_OK;
}

esp_err_t example_disconnect(void)
{
    if (s_connect_event_group == NULL) {
        return ESP_ERR_INVALID_STATE;
    }
    stop();
    vEventGroupDelete(s_connect_event_group);
    s_connect_event_group = NULL;
    ESP_LOGI(TAG, "Disconnected from %s", s_connection_name);
    return ESP_OK;
}

esp_err_t example_set_connection_info(const char *ssid, const char *passwd)
{
    strncpy(s_connection_name, ssid, sizeof s_connection_name - 1);
    s_connection_name[sizeof s_connection_name - 1] = '\0';
    strncpy(s_connection_passwd, passwd, sizeof s_connection_passwd - 1);
    s_connection_passwd[sizeof s_connection_passwd - 1] = '\0';
    return ESP_OK;
}
