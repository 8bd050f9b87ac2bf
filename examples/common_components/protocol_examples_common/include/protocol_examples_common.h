#pragma once
/*
 * Connection helper of the SDK's protocol examples (v3.4,
 * examples/common_components/protocol_examples_common): Wi-Fi station only,
 * IPv4 only, on the virtual device's access point.
 */
#include "esp_err.h"
#include "tcpip_adapter.h"

#ifdef __cplusplus
extern "C" {
#endif

#define EXAMPLE_INTERFACE TCPIP_ADAPTER_IF_STA

/**
 * Starts Wi-Fi in station mode with CONFIG_EXAMPLE_WIFI_SSID and
 * CONFIG_EXAMPLE_WIFI_PASSWORD and blocks until the station has an IPv4
 * address, reconnecting after every disconnect, forever. Needs
 * esp_netif_init() and esp_event_loop_create_default() first; a failing
 * Wi-Fi call aborts (ESP_ERROR_CHECK), as in the SDK.
 * @return ESP_OK once connected; ESP_ERR_INVALID_STATE if already connected
 *         or connecting.
 */
esp_err_t example_connect(void);

/**
 * Stops reconnecting, stops and removes Wi-Fi.
 * @return ESP_OK; ESP_ERR_INVALID_STATE without a prior example_connect().
 */
esp_err_t example_disconnect(void);

/** Replaces the SSID and password the next example_connect() uses. @return ESP_OK. */
esp_err_t example_set_connection_info(const char *ssid, const char *passwd);

#ifdef __cplusplus
}
#endif
