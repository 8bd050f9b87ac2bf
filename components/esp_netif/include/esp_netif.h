#pragma once
/* esp_netif.h of SDK v3.4: there, as here, a thin front of tcpip_adapter. */
#include "esp_err.h"
#include "tcpip_adapter.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Calls tcpip_adapter_init(); always ESP_OK. */
esp_err_t esp_netif_init(void);

/* Always ESP_OK, as in the SDK. */
esp_err_t esp_netif_deinit(void);

#ifdef __cplusplus
}
#endif
