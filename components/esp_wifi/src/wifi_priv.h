#pragma once
/* The virtual radio: what a connect attempt meets, and how long it takes. */
#include <stdint.h>

#include "esp_wifi_types.h"
#include "sim_state.h"

/* Scan, authentication and association, whatever the outcome (virtual ms). */
#define WIFI_SIM_ASSOC_MS 300u

/*
 * A wrong WPA2 passphrase: the AP's EAPOL-Key 1/4 is answered with a 2/4
 * whose MIC the AP rejects, so the AP sends 1/4 again (hostapd: after
 * 100 ms, then every 1 s). The SDK's supplicant gives up on the fourth 1/4
 * and disconnects with WLAN_REASON_4WAY_HANDSHAKE_TIMEOUT
 * (ESP8266_RTOS_SDK v3.4 components/wpa_supplicant/src/rsn_supp/wpa.c,
 * wpa_sm_rx_eapol: "EAPOL1 received for %d times, sending deauth",
 * MAX_EAPOL_RETRIES 3): reason 15, about 2.1 s after association.
 */
#define WIFI_SIM_HANDSHAKE_FAIL_MS 2100u

/* DHCP on the virtual link, after WIFI_EVENT_STA_CONNECTED. */
#define WIFI_SIM_DHCP_MS 100u

/* The virtual AP's radio channel and BSSID (locally administered: it is no vendor's). */
#define WIFI_SIM_AP_CHANNEL 1
#define WIFI_SIM_AP_BSSID                                                                          \
    {                                                                                              \
        0x02, 0x82, 0x66, 0x00, 0x00, 0x01                                                         \
    }

typedef struct {
    uint8_t reason;            /* 0: the station connects; else a wifi_err_reason_t */
    uint32_t extra_ms;         /* virtual time after association before the failure shows */
    uint8_t bssid[6];          /* the AP met, zero when none */
    wifi_auth_mode_t authmode; /* the AP's security */
} wifi_sim_verdict_t;

/* What connecting with cfg meets on the device st (NULL: no device, so no AP). */
wifi_sim_verdict_t wifi_sim_judge(const sim_state_t *st, const wifi_sta_config_t *cfg);

/* "NO_AP_FOUND" for 201 ...; "UNKNOWN" for a value the SDK does not define. */
const char *wifi_reason_name(uint8_t reason);

/* Length of a fixed-size, maybe unterminated, SSID or password field. */
size_t wifi_field_len(const uint8_t *field, size_t size);
