/* The virtual access point as a station meets it (DESIGN.md §2, "Network"). */
#include <string.h>

#include "wifi_priv.h"

size_t wifi_field_len(const uint8_t *field, size_t size)
{
    const uint8_t *nul = memchr(field, 0, size);
    return nul ? (size_t)(nul - field) : size;
}

static int field_equals(const uint8_t *field, size_t size, const char *text)
{
    size_t n = wifi_field_len(field, size);
    return strlen(text) == n && memcmp(field, text, n) == 0;
}

/* Byte-wise relaxed loads: the supervisor (another process) may rewrite the AP at
 * any time, without a lock; a torn copy only makes one attempt fail. */
static void copy_shared(char *dst, const char *src, size_t size)
{
    for (size_t i = 0; i < size; i++) {
        dst[i] = __atomic_load_n(&src[i], __ATOMIC_RELAXED);
    }
    dst[size - 1] = '\0';
}

wifi_sim_verdict_t wifi_sim_judge(const sim_state_t *st, const wifi_sta_config_t *cfg)
{
    wifi_sim_verdict_t v = {.reason = WIFI_REASON_NO_AP_FOUND};
    if (!st || !__atomic_load_n(&st->ap_enabled, __ATOMIC_RELAXED)) {
        return v;
    }
    char ssid[sizeof st->ap_ssid];
    char password[sizeof st->ap_password];
    copy_shared(ssid, st->ap_ssid, sizeof ssid);
    copy_shared(password, st->ap_password, sizeof password);
    if (!field_equals(cfg->ssid, sizeof cfg->ssid, ssid)) {
        return v;
    }
    const uint8_t bssid[6] = WIFI_SIM_AP_BSSID;
    memcpy(v.bssid, bssid, sizeof bssid);
    v.authmode = password[0] ? WIFI_AUTH_WPA2_PSK : WIFI_AUTH_OPEN;
    /* An open AP takes any station; a WPA2 one needs the same passphrase. */
    if (password[0] != '\0' && !field_equals(cfg->password, sizeof cfg->password, password)) {
        v.reason = WIFI_REASON_4WAY_HANDSHAKE_TIMEOUT;
        v.extra_ms = WIFI_SIM_HANDSHAKE_FAIL_MS;
        return v;
    }
    v.reason = 0;
    return v;
}

const char *wifi_reason_name(uint8_t reason)
{
    static const struct {
        uint8_t value;
        const char *name;
    } names[] = {
        {WIFI_REASON_UNSPECIFIED, "UNSPECIFIED"},
        {WIFI_REASON_AUTH_EXPIRE, "AUTH_EXPIRE"},
        {WIFI_REASON_AUTH_LEAVE, "AUTH_LEAVE"},
        {WIFI_REASON_ASSOC_EXPIRE, "ASSOC_EXPIRE"},
        {WIFI_REASON_ASSOC_TOOMANY, "ASSOC_TOOMANY"},
        {WIFI_REASON_NOT_AUTHED, "NOT_AUTHED"},
        {WIFI_REASON_NOT_ASSOCED, "NOT_ASSOCED"},
        {WIFI_REASON_ASSOC_LEAVE, "ASSOC_LEAVE"},
        {WIFI_REASON_ASSOC_NOT_AUTHED, "ASSOC_NOT_AUTHED"},
        {WIFI_REASON_DISASSOC_PWRCAP_BAD, "DISASSOC_PWRCAP_BAD"},
        {WIFI_REASON_DISASSOC_SUPCHAN_BAD, "DISASSOC_SUPCHAN_BAD"},
        {WIFI_REASON_IE_INVALID, "IE_INVALID"},
        {WIFI_REASON_MIC_FAILURE, "MIC_FAILURE"},
        {WIFI_REASON_4WAY_HANDSHAKE_TIMEOUT, "4WAY_HANDSHAKE_TIMEOUT"},
        {WIFI_REASON_GROUP_KEY_UPDATE_TIMEOUT, "GROUP_KEY_UPDATE_TIMEOUT"},
        {WIFI_REASON_IE_IN_4WAY_DIFFERS, "IE_IN_4WAY_DIFFERS"},
        {WIFI_REASON_GROUP_CIPHER_INVALID, "GROUP_CIPHER_INVALID"},
        {WIFI_REASON_PAIRWISE_CIPHER_INVALID, "PAIRWISE_CIPHER_INVALID"},
        {WIFI_REASON_AKMP_INVALID, "AKMP_INVALID"},
        {WIFI_REASON_UNSUPP_RSN_IE_VERSION, "UNSUPP_RSN_IE_VERSION"},
        {WIFI_REASON_INVALID_RSN_IE_CAP, "INVALID_RSN_IE_CAP"},
        {WIFI_REASON_802_1X_AUTH_FAILED, "802_1X_AUTH_FAILED"},
        {WIFI_REASON_CIPHER_SUITE_REJECTED, "CIPHER_SUITE_REJECTED"},
        {WIFI_REASON_INVALID_PMKID, "INVALID_PMKID"},
        {WIFI_REASON_BEACON_TIMEOUT, "BEACON_TIMEOUT"},
        {WIFI_REASON_NO_AP_FOUND, "NO_AP_FOUND"},
        {WIFI_REASON_AUTH_FAIL, "AUTH_FAIL"},
        {WIFI_REASON_ASSOC_FAIL, "ASSOC_FAIL"},
        {WIFI_REASON_HANDSHAKE_TIMEOUT, "HANDSHAKE_TIMEOUT"},
        {WIFI_REASON_CONNECTION_FAIL, "CONNECTION_FAIL"},
        {WIFI_REASON_AP_TSF_RESET, "AP_TSF_RESET"},
        {WIFI_REASON_BASIC_RATE_NOT_SUPPORT, "BASIC_RATE_NOT_SUPPORT"},
    };
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        if (names[i].value == reason) {
            return names[i].name;
        }
    }
    return "UNKNOWN";
}
