/*
 * The Wi-Fi station against a real virtual device: the access point in the
 * shared sim_state_t decides each connect, in virtual time (100x here).
 */
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "esp_event.h"
#include "esp_log.h"
#include "esp_netif.h"
#include "esp_wifi.h"
#include "freertos/event_groups.h"
#include "sim_app.h"
#include "wifi_priv.h"

#define TIME_SCALE_X1000 100000u /* 100x: the 2.4 s of a wrong password take 24 ms */
#define WAIT_TICKS 6000          /* 60 s virtual: generous bounds for a loaded host */

#define EV_START (1u << 0)
#define EV_CONNECTED (1u << 1)
#define EV_DISCONNECTED (1u << 2)
#define EV_GOT_IP (1u << 3)
#define EV_STOP (1u << 4)

static sim_state_t *s_dev;
static EventGroupHandle_t s_events;
static pthread_mutex_t s_lock = PTHREAD_MUTEX_INITIALIZER;
static wifi_event_sta_disconnected_t s_disc;
static wifi_event_sta_connected_t s_conn;
static ip_event_got_ip_t s_got;
static uint32_t s_disc_at_ms;
static int s_disc_count;

static void on_event(void *arg, esp_event_base_t base, int32_t id, void *data)
{
    (void)arg;
    EventBits_t bit = 0;
    pthread_mutex_lock(&s_lock);
    if (base == WIFI_EVENT && id == WIFI_EVENT_STA_START) {
        bit = EV_START;
    } else if (base == WIFI_EVENT && id == WIFI_EVENT_STA_STOP) {
        bit = EV_STOP;
    } else if (base == WIFI_EVENT && id == WIFI_EVENT_STA_CONNECTED) {
        s_conn = *(const wifi_event_sta_connected_t *)data;
        bit = EV_CONNECTED;
    } else if (base == WIFI_EVENT && id == WIFI_EVENT_STA_DISCONNECTED) {
        s_disc = *(const wifi_event_sta_disconnected_t *)data;
        s_disc_at_ms = sim_clock_ms(s_dev);
        s_disc_count++;
        bit = EV_DISCONNECTED;
    } else if (base == IP_EVENT && id == IP_EVENT_STA_GOT_IP) {
        s_got = *(const ip_event_got_ip_t *)data;
        bit = EV_GOT_IP;
    }
    pthread_mutex_unlock(&s_lock);
    if (bit) {
        xEventGroupSetBits(s_events, bit);
    }
}

static void ap_set(bool enabled, const char *ssid, const char *password)
{
    s_dev->ap_enabled = enabled;
    snprintf(s_dev->ap_ssid, sizeof s_dev->ap_ssid, "%s", ssid);
    snprintf(s_dev->ap_password, sizeof s_dev->ap_password, "%s", password);
}

static void sta_start(const char *ssid, const char *password)
{
    wifi_init_config_t cfg = WIFI_INIT_CONFIG_DEFAULT();
    assert_int_equal(esp_wifi_init(&cfg), ESP_OK);
    assert_int_equal(esp_wifi_set_mode(WIFI_MODE_STA), ESP_OK);
    wifi_config_t wc = {0};
    memcpy(wc.sta.ssid, ssid, strlen(ssid));
    memcpy(wc.sta.password, password, strlen(password));
    assert_int_equal(esp_wifi_set_config(WIFI_IF_STA, &wc), ESP_OK);
    assert_int_equal(esp_wifi_start(), ESP_OK);
    EventBits_t got = xEventGroupWaitBits(s_events, EV_START, pdTRUE, pdTRUE, WAIT_TICKS);
    assert_int_equal(got & EV_START, EV_START);
}

static int setup(void **state)
{
    (void)state;
    s_events = xEventGroupCreate();
    s_disc_count = 0;
    memset(&s_disc, 0, sizeof s_disc);
    if (esp_netif_init() != ESP_OK || esp_event_loop_create_default() != ESP_OK) {
        return -1;
    }
    return esp_event_handler_register(ESP_EVENT_ANY_BASE, ESP_EVENT_ANY_ID, on_event, NULL);
}

static int teardown(void **state)
{
    (void)state;
    if (esp_wifi_stop() == ESP_OK) { /* NOT_INIT: the test removed Wi-Fi itself */
        (void)esp_wifi_deinit();
    }
    esp_err_t err = esp_event_loop_delete_default();
    vEventGroupDelete(s_events);
    return err == ESP_OK ? 0 : -1;
}

static void test_right_password_gets_ip(void **state)
{
    (void)state;
    ap_set(true, "myssid", "mypassword");
    sta_start("myssid", "mypassword");
    uint32_t t0 = sim_clock_ms(s_dev);
    assert_int_equal(esp_wifi_connect(), ESP_OK);
    EventBits_t got =
        xEventGroupWaitBits(s_events, EV_CONNECTED | EV_GOT_IP, pdFALSE, pdTRUE, WAIT_TICKS);
    assert_int_equal(got & (EV_CONNECTED | EV_GOT_IP), EV_CONNECTED | EV_GOT_IP);
    assert_true(sim_clock_ms(s_dev) - t0 >= WIFI_SIM_ASSOC_MS + WIFI_SIM_DHCP_MS);
    assert_int_equal(got & EV_DISCONNECTED, 0);
    assert_int_equal(s_conn.ssid_len, 6);
    assert_memory_equal(s_conn.ssid, "myssid", 6);
    assert_int_equal(s_conn.authmode, WIFI_AUTH_WPA2_PSK);
    assert_int_equal(s_got.if_index, TCPIP_ADAPTER_IF_STA);
    char ip[16];
    snprintf(ip, sizeof ip, IPSTR, IP2STR(&s_got.ip_info.ip));
    assert_string_equal(ip, "127.0.0.1");
    tcpip_adapter_ip_info_t info;
    assert_int_equal(tcpip_adapter_get_ip_info(TCPIP_ADAPTER_IF_STA, &info), ESP_OK);
    assert_memory_equal(&info.ip, &s_got.ip_info.ip, sizeof info.ip);

    /* A user disconnect: reason ASSOC_LEAVE, and the address is gone. */
    assert_int_equal(esp_wifi_disconnect(), ESP_OK);
    got = xEventGroupWaitBits(s_events, EV_DISCONNECTED, pdTRUE, pdTRUE, WAIT_TICKS);
    assert_int_equal(got & EV_DISCONNECTED, EV_DISCONNECTED);
    assert_int_equal(s_disc.reason, WIFI_REASON_ASSOC_LEAVE);
    assert_int_equal(tcpip_adapter_get_ip_info(TCPIP_ADAPTER_IF_STA, &info), ESP_OK);
    assert_int_equal(info.ip.addr, 0);
}

/* One row: the virtual AP, the station's credentials, the reason expected. */
typedef struct {
    const char *name;
    bool ap_enabled;
    const char *ap_ssid, *ap_password, *sta_ssid, *sta_password;
    uint8_t reason;
    uint32_t min_ms; /* virtual time from esp_wifi_connect to the event, at least */
} fail_case_t;

static const fail_case_t FAIL_CASES[] = {
    {"wrong password", true, "myssid", "mypassword", "myssid", "wrongpassword",
     WIFI_REASON_4WAY_HANDSHAKE_TIMEOUT, WIFI_SIM_ASSOC_MS + WIFI_SIM_HANDSHAKE_FAIL_MS},
    {"no password for a WPA2 AP", true, "myssid", "mypassword", "myssid", "",
     WIFI_REASON_4WAY_HANDSHAKE_TIMEOUT, WIFI_SIM_ASSOC_MS + WIFI_SIM_HANDSHAKE_FAIL_MS},
    {"unknown SSID", true, "myssid", "mypassword", "otherssid", "mypassword",
     WIFI_REASON_NO_AP_FOUND, WIFI_SIM_ASSOC_MS},
    {"SSID differing in case", true, "myssid", "mypassword", "MySSID", "mypassword",
     WIFI_REASON_NO_AP_FOUND, WIFI_SIM_ASSOC_MS},
    {"no AP", false, "myssid", "mypassword", "myssid", "mypassword", WIFI_REASON_NO_AP_FOUND,
     WIFI_SIM_ASSOC_MS},
};

static void test_failures_table(void **state)
{
    for (size_t i = 0; i < sizeof FAIL_CASES / sizeof FAIL_CASES[0]; i++) {
        const fail_case_t *c = &FAIL_CASES[i];
        print_message("case: %s\n", c->name);
        if (i > 0) {
            assert_int_equal(teardown(state), 0);
            assert_int_equal(setup(state), 0);
        }
        ap_set(c->ap_enabled, c->ap_ssid, c->ap_password);
        sta_start(c->sta_ssid, c->sta_password);
        uint32_t t0 = sim_clock_ms(s_dev);
        assert_int_equal(esp_wifi_connect(), ESP_OK);
        EventBits_t got =
            xEventGroupWaitBits(s_events, EV_DISCONNECTED, pdFALSE, pdTRUE, WAIT_TICKS);
        assert_int_equal(got & EV_DISCONNECTED, EV_DISCONNECTED);
        assert_int_equal(s_disc.reason, c->reason);
        assert_true(s_disc_at_ms - t0 >= c->min_ms);
        assert_int_equal(s_disc.ssid_len, strlen(c->sta_ssid));
        assert_memory_equal(s_disc.ssid, c->sta_ssid, s_disc.ssid_len);
        /* The driver does not retry on its own, and never reports an address. */
        got = xEventGroupWaitBits(s_events, EV_CONNECTED | EV_GOT_IP, pdFALSE, pdFALSE, 500);
        assert_int_equal(got & (EV_CONNECTED | EV_GOT_IP), 0);
        assert_int_equal(s_disc_count, 1);
    }
}

/* A disconnect during association voids the attempt: no event at all. */
static void test_disconnect_cancels_attempt(void **state)
{
    (void)state;
    ap_set(true, "myssid", "mypassword");
    sta_start("myssid", "mypassword");
    assert_int_equal(esp_wifi_connect(), ESP_OK);
    assert_int_equal(esp_wifi_disconnect(), ESP_OK);
    EventBits_t got = xEventGroupWaitBits(s_events, EV_CONNECTED | EV_DISCONNECTED | EV_GOT_IP,
                                          pdFALSE, pdFALSE, 200); /* 2 s virtual */
    assert_int_equal(got & (EV_CONNECTED | EV_DISCONNECTED | EV_GOT_IP), 0);
}

/* Stop while connected: DISCONNECTED (ASSOC_LEAVE), then STA_STOP. */
static void test_stop_while_connected(void **state)
{
    (void)state;
    ap_set(true, "open", "");
    sta_start("open", "");
    assert_int_equal(esp_wifi_connect(), ESP_OK);
    EventBits_t got = xEventGroupWaitBits(s_events, EV_GOT_IP, pdTRUE, pdTRUE, WAIT_TICKS);
    assert_int_equal(got & EV_GOT_IP, EV_GOT_IP);
    assert_int_equal(s_conn.authmode, WIFI_AUTH_OPEN);
    assert_int_equal(esp_wifi_deinit(), ESP_ERR_WIFI_NOT_STOPPED);
    assert_int_equal(esp_wifi_stop(), ESP_OK);
    got = xEventGroupWaitBits(s_events, EV_DISCONNECTED | EV_STOP, pdTRUE, pdTRUE, WAIT_TICKS);
    assert_int_equal(got & (EV_DISCONNECTED | EV_STOP), EV_DISCONNECTED | EV_STOP);
    assert_int_equal(s_disc.reason, WIFI_REASON_ASSOC_LEAVE);
    assert_int_equal(esp_wifi_connect(), ESP_ERR_WIFI_NOT_STARTED);
    assert_int_equal(esp_wifi_deinit(), ESP_OK);
}

static void test_api_errors(void **state)
{
    (void)state;
    wifi_config_t wc = {0};
    uint8_t mac[6];
    assert_int_equal(esp_wifi_connect(), ESP_ERR_WIFI_NOT_INIT);
    assert_int_equal(esp_wifi_set_mode(WIFI_MODE_STA), ESP_ERR_WIFI_NOT_INIT);
    assert_int_equal(esp_wifi_get_mac(WIFI_IF_STA, mac), ESP_ERR_WIFI_NOT_INIT);
    assert_int_equal(esp_wifi_deinit(), ESP_ERR_WIFI_NOT_INIT);
    wifi_init_config_t bad = WIFI_INIT_CONFIG_DEFAULT();
    bad.magic = 0;
    assert_int_equal(esp_wifi_init(&bad), ESP_ERR_INVALID_ARG);
    assert_int_equal(esp_wifi_init(NULL), ESP_ERR_INVALID_ARG);

    wifi_init_config_t cfg = WIFI_INIT_CONFIG_DEFAULT();
    assert_int_equal(esp_wifi_init(&cfg), ESP_OK);
    assert_int_equal(esp_wifi_set_mode(WIFI_MODE_MAX), ESP_ERR_INVALID_ARG);
    assert_int_equal(esp_wifi_set_mode(WIFI_MODE_AP), ESP_OK);
    assert_int_equal(esp_wifi_set_config(WIFI_IF_STA, &wc), ESP_ERR_WIFI_MODE);
    assert_int_equal(esp_wifi_set_config((wifi_interface_t)7, &wc), ESP_ERR_WIFI_IF);
    assert_int_equal(esp_wifi_connect(), ESP_ERR_WIFI_NOT_STARTED);
    assert_int_equal(esp_wifi_start(), ESP_OK);
    assert_int_equal(esp_wifi_connect(), ESP_ERR_WIFI_MODE);
    assert_int_equal(esp_wifi_stop(), ESP_OK);
    assert_int_equal(esp_wifi_set_mode(WIFI_MODE_STA), ESP_OK);
    assert_int_equal(esp_wifi_start(), ESP_OK);
    assert_int_equal(esp_wifi_connect(), ESP_ERR_WIFI_SSID); /* nothing configured */

    assert_int_equal(esp_wifi_get_mac(WIFI_IF_STA, mac), ESP_OK);
    const uint8_t oui[3] = {0x18, 0xfe, 0x34};
    assert_memory_equal(mac, oui, 3);
    uint8_t ap_mac[6];
    assert_int_equal(esp_wifi_get_mac(WIFI_IF_AP, ap_mac), ESP_OK);
    assert_int_equal(ap_mac[0], 0x1a);
    assert_memory_equal(ap_mac + 1, mac + 1, 5);

    assert_string_equal(esp_err_to_name(ESP_ERR_WIFI_NOT_INIT), "ESP_ERR_WIFI_NOT_INIT");
    assert_int_equal(ESP_ERR_WIFI_NOT_INIT, 0x3001);
    assert_int_equal(ESP_ERR_WIFI_NOT_CONNECT, 0x300f);
    assert_int_equal(ESP_ERR_WIFI_FPM_MODE, 0x3013);
}

/* The verdict alone, for the corners of the comparison. */
static void test_judge(void **state)
{
    (void)state;
    sim_state_t *st = sim_state_private(1024 * 1024);
    wifi_sta_config_t cfg = {0};
    memset(cfg.ssid, 'S', sizeof cfg.ssid); /* 32 characters, no NUL */
    memset(st->ap_ssid, 'S', 32);
    st->ap_enabled = 1;
    assert_int_equal(wifi_sim_judge(st, &cfg).reason, 0); /* open AP */
    st->ap_ssid[31] = '\0';                               /* 31 characters: another SSID */
    assert_int_equal(wifi_sim_judge(st, &cfg).reason, WIFI_REASON_NO_AP_FOUND);
    assert_int_equal(wifi_sim_judge(NULL, &cfg).reason, WIFI_REASON_NO_AP_FOUND);
    assert_string_equal(wifi_reason_name(15), "4WAY_HANDSHAKE_TIMEOUT");
    assert_string_equal(wifi_reason_name(201), "NO_AP_FOUND");
    assert_string_equal(wifi_reason_name(99), "UNKNOWN");
    sim_state_release(st);
}

int main(void)
{
    int fd = -1;
    sim_state_t *created = sim_state_create(4u * 1024 * 1024, &fd);
    if (!created) {
        return 1;
    }
    created->time_scale_x1000 = TIME_SCALE_X1000;
    char text[16];
    snprintf(text, sizeof text, "%d", fd);
    setenv("OTA8266_STATE_FD", text, 1);
    s_dev = sim_state_current(); /* the mapping the driver itself sees */
    if (!s_dev) {
        return 1;
    }
    esp_log_set_color(0);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_right_password_gets_ip, setup, teardown),
        cmocka_unit_test_setup_teardown(test_failures_table, setup, teardown),
        cmocka_unit_test_setup_teardown(test_disconnect_cancels_attempt, setup, teardown),
        cmocka_unit_test_setup_teardown(test_stop_while_connected, setup, teardown),
        cmocka_unit_test_setup_teardown(test_api_errors, setup, teardown),
        cmocka_unit_test(test_judge),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
