#pragma once
/* Network interfaces of the ESP8266 (the SDK's esp_interface.h). */

#ifdef __cplusplus
extern "C" {
#endif

typedef enum { ESP_IF_WIFI_STA = 0, ESP_IF_WIFI_AP, ESP_IF_MAX } esp_interface_t;

#ifdef __cplusplus
}
#endif
