#pragma once
/*
 * The SDK's Wi-Fi API (esp_wifi.h), station side, on the virtual ESP8266.
 *
 * There is no radio: esp_wifi_connect() is judged against the device's
 * virtual access point (`ota8266 run --ap SSID:PASSWORD`), after the virtual
 * time a real station would spend, and reported with the SDK's events:
 *  - no AP, or another SSID: WIFI_EVENT_STA_DISCONNECTED, reason
 *    WIFI_REASON_NO_AP_FOUND (201), after the scan (300 ms);
 *  - a wrong password: WIFI_EVENT_STA_DISCONNECTED, reason
 *    WIFI_REASON_4WAY_HANDSHAKE_TIMEOUT (15), 2.1 s after association;
 *  - a match: WIFI_EVENT_STA_CONNECTED after 300 ms, then
 *    IP_EVENT_STA_GOT_IP with 127.0.0.1 (the device's sockets are the
 *    host's loopback).
 * As in the SDK the driver never retries by itself: the app calls
 * esp_wifi_connect() again on WIFI_EVENT_STA_DISCONNECTED. The soft-AP side
 * is not modelled: AP configuration is stored and reported, nothing more.
 */
#include <stdbool.h>
#include <stdint.h>

#include "esp_err.h"
#include "esp_event.h"
#include "esp_wifi_types.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Error codes: the SDK's values (ESP_ERR_WIFI_BASE + n), never renumber. */
#define ESP_ERR_WIFI_NOT_INIT     (ESP_ERR_WIFI_BASE + 1)  /* not installed by esp_wifi_init */
#define ESP_ERR_WIFI_NOT_STARTED  (ESP_ERR_WIFI_BASE + 2)  /* not started by esp_wifi_start */
#define ESP_ERR_WIFI_NOT_STOPPED  (ESP_ERR_WIFI_BASE + 3)  /* not stopped by esp_wifi_stop */
#define ESP_ERR_WIFI_IF           (ESP_ERR_WIFI_BASE + 4)  /* bad interface */
#define ESP_ERR_WIFI_MODE         (ESP_ERR_WIFI_BASE + 5)  /* bad mode */
#define ESP_ERR_WIFI_STATE        (ESP_ERR_WIFI_BASE + 6)  /* internal state error */
#define ESP_ERR_WIFI_CONN         (ESP_ERR_WIFI_BASE + 7)  /* station or soft-AP control block */
#define ESP_ERR_WIFI_NVS          (ESP_ERR_WIFI_BASE + 8)  /* internal NVS error */
#define ESP_ERR_WIFI_MAC          (ESP_ERR_WIFI_BASE + 9)  /* bad MAC address */
#define ESP_ERR_WIFI_SSID         (ESP_ERR_WIFI_BASE + 10) /* bad SSID */
#define ESP_ERR_WIFI_PASSWORD     (ESP_ERR_WIFI_BASE + 11) /* bad password */
#define ESP_ERR_WIFI_TIMEOUT      (ESP_ERR_WIFI_BASE + 12) /* timeout */
#define ESP_ERR_WIFI_WAKE_FAIL    (ESP_ERR_WIFI_BASE + 13) /* asleep (RF off) and wake-up failed */
#define ESP_ERR_WIFI_WOULD_BLOCK  (ESP_ERR_WIFI_BASE + 14) /* the caller would block */
#define ESP_ERR_WIFI_NOT_CONNECT  (ESP_ERR_WIFI_BASE + 15) /* station not connected */
#define ESP_ERR_WIFI_PM_MODE_OPEN (ESP_ERR_WIFI_BASE + 18) /* in min/max modem sleep */
#define ESP_ERR_WIFI_FPM_MODE     (ESP_ERR_WIFI_BASE + 19) /* forced sleep not enabled */

#define WIFI_INIT_CONFIG_MAGIC 0x1F2F3F4F

/* Driver resources of the SDK; recorded, not used: the host has no buffers to size.
 * The defaults are the SDK's Kconfig defaults (components/esp8266/Kconfig). */
typedef struct {
    void *osi_funcs;
    uint8_t qos_enable;
    uint8_t ampdu_rx_enable;
    uint8_t rx_buf_num;
    uint8_t tx_buf_num;
    uint8_t nvs_enable;
    uint32_t magic; /* WIFI_INIT_CONFIG_MAGIC; last, as in the SDK */
} wifi_init_config_t;

#define WIFI_INIT_CONFIG_DEFAULT()                                                                 \
    {                                                                                              \
        .osi_funcs = NULL, .qos_enable = 0, .ampdu_rx_enable = 0, .rx_buf_num = 16,                \
        .tx_buf_num = 6, .nvs_enable = 1, .magic = WIFI_INIT_CONFIG_MAGIC                          \
    }

/**
 * Installs the driver and starts its task. Mode WIFI_MODE_NULL, no config.
 * @return ESP_OK (also when already installed); ESP_ERR_INVALID_ARG for a
 *         NULL config or a bad magic; ESP_ERR_NO_MEM.
 */
esp_err_t esp_wifi_init(const wifi_init_config_t *config);

/**
 * Removes the driver; the configuration is forgotten (nothing is stored).
 * @return ESP_OK; ESP_ERR_WIFI_NOT_INIT; ESP_ERR_WIFI_NOT_STOPPED if started.
 */
esp_err_t esp_wifi_deinit(void);

/** @return ESP_OK; ESP_ERR_WIFI_NOT_INIT; ESP_ERR_INVALID_ARG for a bad mode. */
esp_err_t esp_wifi_set_mode(wifi_mode_t mode);

/** @return ESP_OK; ESP_ERR_WIFI_NOT_INIT; ESP_ERR_INVALID_ARG for NULL. */
esp_err_t esp_wifi_get_mode(wifi_mode_t *mode);

/**
 * Sets the interface's configuration; a station change applies at the next
 * esp_wifi_connect().
 * @return ESP_OK; ESP_ERR_WIFI_NOT_INIT; ESP_ERR_INVALID_ARG for NULL;
 *         ESP_ERR_WIFI_IF for a bad interface; ESP_ERR_WIFI_MODE when the
 *         mode does not include that interface.
 */
esp_err_t esp_wifi_set_config(wifi_interface_t interface, wifi_config_t *conf);

/** @return ESP_OK; ESP_ERR_WIFI_NOT_INIT; ESP_ERR_INVALID_ARG; ESP_ERR_WIFI_IF. */
esp_err_t esp_wifi_get_config(wifi_interface_t interface, wifi_config_t *conf);

/** Accepted for compatibility: configuration lives in RAM only. @return ESP_OK;
 * ESP_ERR_WIFI_NOT_INIT. */
esp_err_t esp_wifi_set_storage(wifi_storage_t storage);

/**
 * Starts the interfaces of the mode; posts WIFI_EVENT_STA_START when it has
 * a station.
 * @return ESP_OK (also when already started); ESP_ERR_WIFI_NOT_INIT.
 */
esp_err_t esp_wifi_start(void);

/**
 * Stops: a connection or an attempt in progress ends (a connection with
 * WIFI_EVENT_STA_DISCONNECTED, reason WIFI_REASON_ASSOC_LEAVE), then
 * WIFI_EVENT_STA_STOP.
 * @return ESP_OK (also when not started); ESP_ERR_WIFI_NOT_INIT.
 */
esp_err_t esp_wifi_stop(void);

/**
 * Starts connecting the station to the configured AP; the result comes as
 * events (see the top of this header). A call while an attempt is in
 * progress or the station is connected changes nothing.
 * @return ESP_OK; ESP_ERR_WIFI_NOT_INIT; ESP_ERR_WIFI_NOT_STARTED;
 *         ESP_ERR_WIFI_MODE when the mode has no station;
 *         ESP_ERR_WIFI_SSID when no SSID is configured.
 */
esp_err_t esp_wifi_connect(void);

/**
 * Ends the connection (WIFI_EVENT_STA_DISCONNECTED, reason
 * WIFI_REASON_ASSOC_LEAVE) or abandons an attempt in progress (no event).
 * @return ESP_OK; ESP_ERR_WIFI_NOT_INIT; ESP_ERR_WIFI_NOT_STARTED.
 */
esp_err_t esp_wifi_disconnect(void);

/**
 * The interface's MAC: a fixed Espressif-OUI address (18:fe:34:...); the
 * soft-AP's has the locally administered bit set, as ESP8266 chips derive it.
 * @return ESP_OK; ESP_ERR_WIFI_NOT_INIT; ESP_ERR_INVALID_ARG; ESP_ERR_WIFI_IF.
 */
esp_err_t esp_wifi_get_mac(wifi_interface_t ifx, uint8_t mac[6]);

#ifdef __cplusplus
}
#endif
