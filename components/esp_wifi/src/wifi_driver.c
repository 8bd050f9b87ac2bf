/*
 * The Wi-Fi driver of the virtual ESP8266: API state under one mutex, and a
 * driver task ("wifi") that plays each connect attempt in virtual time and
 * posts its events. Every state change that posts an event does so under
 * s_post_lock, so events reach the loop in the order the state changed (a
 * disconnect can never be overtaken by the CONNECTED of the attempt it
 * cancelled). Lock order: s_post_lock, then s_lock.
 */
#include "esp_wifi.h"

#include <pthread.h>
#include <string.h>

#include "esp_log.h"
#include "esp_netif.h"
#include "esp_private/freertos_wait.h"
#include "sim_app.h"
#include "wifi_priv.h"

ESP_EVENT_DEFINE_BASE(WIFI_EVENT);

static const char *TAG = "wifi";

static pthread_mutex_t s_post_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_mutex_t s_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t s_wake; /* a connect request, a cancel or quit */
static pthread_once_t s_once = PTHREAD_ONCE_INIT;

static struct {
    bool inited, started, quit;
    bool connect_req; /* esp_wifi_connect() not yet picked up by the task */
    bool connecting;  /* an attempt is being played */
    bool connected;
    uint32_t gen; /* bumped by disconnect/stop/deinit: the attempt in flight is void */
    wifi_mode_t mode;
    wifi_config_t sta, ap;
    pthread_t task;
} s;

static void init_cond(void)
{
    freertos_cond_init(&s_wake);
}

static bool has_sta(wifi_mode_t mode)
{
    return mode == WIFI_MODE_STA || mode == WIFI_MODE_APSTA;
}

static bool has_ap(wifi_mode_t mode)
{
    return mode == WIFI_MODE_AP || mode == WIFI_MODE_APSTA;
}

static void post(esp_event_base_t base, int32_t id, void *data, size_t size)
{
    /* No default loop: the SDK drops the event too; the app sees nothing. */
    (void)esp_event_post(base, id, data, size, portMAX_DELAY);
}

static void set_sta_ip(bool up)
{
    tcpip_adapter_ip_info_t info = {0};
    if (up) {
        /* The device's sockets are the host's loopback: that is its address. */
        const uint8_t ip[4] = {127, 0, 0, 1}, mask[4] = {255, 0, 0, 0};
        memcpy(&info.ip.addr, ip, 4);
        memcpy(&info.netmask.addr, mask, 4);
        info.gw = info.ip;
    }
    (void)tcpip_adapter_set_ip_info(TCPIP_ADAPTER_IF_STA, &info); /* valid args: cannot fail */
}

/* Posts STA_DISCONNECTED for cfg with reason; called under s_post_lock. */
static void post_disconnected(const wifi_sta_config_t *cfg, const uint8_t bssid[6], uint8_t reason)
{
    wifi_event_sta_disconnected_t ev = {.reason = reason};
    ev.ssid_len = (uint8_t)wifi_field_len(cfg->ssid, sizeof cfg->ssid);
    memcpy(ev.ssid, cfg->ssid, ev.ssid_len);
    memcpy(ev.bssid, bssid, sizeof ev.bssid);
    if (reason == WIFI_REASON_ASSOC_LEAVE) {
        ESP_LOGI(TAG, "disconnected from %.*s, reason %d (%s)", ev.ssid_len, (const char *)ev.ssid,
                 reason, wifi_reason_name(reason));
    } else {
        ESP_LOGW(TAG, "cannot connect to %.*s: reason %d (%s)", ev.ssid_len, (const char *)ev.ssid,
                 reason, wifi_reason_name(reason));
    }
    post(WIFI_EVENT, WIFI_EVENT_STA_DISCONNECTED, &ev, sizeof ev);
}

/* Waits virtual_ms of virtual time under s_lock; false if the attempt gen was voided. */
static bool attempt_wait(uint32_t gen, uint32_t virtual_ms)
{
    struct timespec deadline;
    freertos_deadline_ms(virtual_ms, &deadline);
    bool in_time = true;
    while (s.gen == gen && in_time) {
        in_time = freertos_cond_wait_until(&s_wake, &s_lock, &deadline);
    }
    return s.gen == gen;
}

/* Re-takes the locks in order to post; false (s_lock held only) if gen was voided. */
static bool attempt_lock_for_post(uint32_t gen)
{
    pthread_mutex_unlock(&s_lock);
    pthread_mutex_lock(&s_post_lock);
    pthread_mutex_lock(&s_lock);
    if (s.gen != gen) {
        pthread_mutex_unlock(&s_post_lock);
        return false;
    }
    return true;
}

/* One connect attempt, called and returning with s_lock held. */
static void attempt_play(void)
{
    uint32_t gen = s.gen;
    const wifi_sta_config_t cfg = s.sta.sta;
    if (!attempt_wait(gen, WIFI_SIM_ASSOC_MS)) {
        return;
    }
    const wifi_sim_verdict_t v = wifi_sim_judge(sim_state_current(), &cfg);
    if (v.reason != 0) {
        if ((v.extra_ms && !attempt_wait(gen, v.extra_ms)) || !attempt_lock_for_post(gen)) {
            return;
        }
        s.connecting = false;
        pthread_mutex_unlock(&s_lock);
        post_disconnected(&cfg, v.bssid, v.reason);
        pthread_mutex_unlock(&s_post_lock);
        pthread_mutex_lock(&s_lock);
        return;
    }

    if (!attempt_lock_for_post(gen)) {
        return;
    }
    s.connected = true;
    pthread_mutex_unlock(&s_lock);
    wifi_event_sta_connected_t con = {.channel = WIFI_SIM_AP_CHANNEL, .authmode = v.authmode};
    con.ssid_len = (uint8_t)wifi_field_len(cfg.ssid, sizeof cfg.ssid);
    memcpy(con.ssid, cfg.ssid, con.ssid_len);
    memcpy(con.bssid, v.bssid, sizeof con.bssid);
    ESP_LOGI(TAG, "connected with %.*s, channel %d", con.ssid_len, (const char *)con.ssid,
             con.channel);
    post(WIFI_EVENT, WIFI_EVENT_STA_CONNECTED, &con, sizeof con);
    pthread_mutex_unlock(&s_post_lock);
    pthread_mutex_lock(&s_lock);

    if (!attempt_wait(gen, WIFI_SIM_DHCP_MS) || !attempt_lock_for_post(gen)) {
        return;
    }
    s.connecting = false;
    pthread_mutex_unlock(&s_lock);
    set_sta_ip(true);
    ip_event_got_ip_t got = {.if_index = TCPIP_ADAPTER_IF_STA, .ip_changed = true};
    (void)tcpip_adapter_get_ip_info(TCPIP_ADAPTER_IF_STA, &got.ip_info); /* valid args */
    /* The line the SDK's tcpip_adapter prints on IP_EVENT_STA_GOT_IP. */
    ESP_LOGI("tcpip_adapter", "sta ip: " IPSTR ", mask: " IPSTR ", gw: " IPSTR,
             IP2STR(&got.ip_info.ip), IP2STR(&got.ip_info.netmask), IP2STR(&got.ip_info.gw));
    post(IP_EVENT, IP_EVENT_STA_GOT_IP, &got, sizeof got);
    pthread_mutex_unlock(&s_post_lock);
    pthread_mutex_lock(&s_lock);
}

static void *wifi_task(void *arg)
{
    (void)arg;
    pthread_setname_np(pthread_self(), "wifi");
    pthread_mutex_lock(&s_lock);
    while (!s.quit) {
        if (!s.connect_req) {
            pthread_cond_wait(&s_wake, &s_lock);
            continue;
        }
        s.connect_req = false;
        attempt_play();
    }
    pthread_mutex_unlock(&s_lock);
    return NULL;
}

/* Voids the attempt in flight and drops the link; under both locks. Returns
 * whether a connection was up (the caller posts its DISCONNECTED). */
static bool link_down_locked(void)
{
    bool was_connected = s.connected;
    s.gen++;
    s.connect_req = s.connecting = s.connected = false;
    pthread_cond_broadcast(&s_wake);
    return was_connected;
}

/* Ends the link as a user request does, posting what the SDK posts. */
static void link_down_and_post(void)
{
    const wifi_sta_config_t cfg = s.sta.sta;
    if (link_down_locked()) {
        const uint8_t bssid[6] = WIFI_SIM_AP_BSSID;
        pthread_mutex_unlock(&s_lock);
        set_sta_ip(false);
        post_disconnected(&cfg, bssid, WIFI_REASON_ASSOC_LEAVE);
        pthread_mutex_lock(&s_lock);
    }
}

esp_err_t esp_wifi_init(const wifi_init_config_t *config)
{
    if (!config || config->magic != WIFI_INIT_CONFIG_MAGIC) {
        return ESP_ERR_INVALID_ARG;
    }
    pthread_once(&s_once, init_cond);
    pthread_mutex_lock(&s_lock);
    if (s.inited) {
        pthread_mutex_unlock(&s_lock);
        return ESP_OK;
    }
    memset(&s, 0, sizeof s);
    if (pthread_create(&s.task, NULL, wifi_task, NULL) != 0) {
        pthread_mutex_unlock(&s_lock);
        return ESP_ERR_NO_MEM;
    }
    s.inited = true;
    pthread_mutex_unlock(&s_lock);
    return ESP_OK;
}

esp_err_t esp_wifi_deinit(void)
{
    pthread_mutex_lock(&s_lock);
    if (!s.inited) {
        pthread_mutex_unlock(&s_lock);
        return ESP_ERR_WIFI_NOT_INIT;
    }
    if (s.started) {
        pthread_mutex_unlock(&s_lock);
        return ESP_ERR_WIFI_NOT_STOPPED;
    }
    s.quit = true;
    s.gen++;
    pthread_cond_broadcast(&s_wake);
    pthread_t task = s.task;
    pthread_mutex_unlock(&s_lock);
    pthread_join(task, NULL);
    pthread_mutex_lock(&s_lock);
    memset(&s, 0, sizeof s);
    pthread_mutex_unlock(&s_lock);
    return ESP_OK;
}

esp_err_t esp_wifi_set_mode(wifi_mode_t mode)
{
    if ((unsigned)mode >= WIFI_MODE_MAX) {
        return ESP_ERR_INVALID_ARG;
    }
    pthread_mutex_lock(&s_lock);
    esp_err_t err = s.inited ? ESP_OK : ESP_ERR_WIFI_NOT_INIT;
    if (err == ESP_OK) {
        s.mode = mode;
    }
    pthread_mutex_unlock(&s_lock);
    return err;
}

esp_err_t esp_wifi_get_mode(wifi_mode_t *mode)
{
    if (!mode) {
        return ESP_ERR_INVALID_ARG;
    }
    pthread_mutex_lock(&s_lock);
    esp_err_t err = s.inited ? ESP_OK : ESP_ERR_WIFI_NOT_INIT;
    if (err == ESP_OK) {
        *mode = s.mode;
    }
    pthread_mutex_unlock(&s_lock);
    return err;
}

esp_err_t esp_wifi_set_config(wifi_interface_t interface, wifi_config_t *conf)
{
    if (!conf) {
        return ESP_ERR_INVALID_ARG;
    }
    esp_err_t err = ESP_OK;
    pthread_mutex_lock(&s_lock);
    if (!s.inited) {
        err = ESP_ERR_WIFI_NOT_INIT;
    } else if (interface == WIFI_IF_STA) {
        if (has_sta(s.mode)) {
            s.sta.sta = conf->sta;
        } else {
            err = ESP_ERR_WIFI_MODE;
        }
    } else if (interface == WIFI_IF_AP) {
        if (has_ap(s.mode)) {
            s.ap.ap = conf->ap;
        } else {
            err = ESP_ERR_WIFI_MODE;
        }
    } else {
        err = ESP_ERR_WIFI_IF;
    }
    pthread_mutex_unlock(&s_lock);
    return err;
}

esp_err_t esp_wifi_get_config(wifi_interface_t interface, wifi_config_t *conf)
{
    if (!conf) {
        return ESP_ERR_INVALID_ARG;
    }
    esp_err_t err = ESP_OK;
    pthread_mutex_lock(&s_lock);
    if (!s.inited) {
        err = ESP_ERR_WIFI_NOT_INIT;
    } else if (interface == WIFI_IF_STA) {
        *conf = s.sta;
    } else if (interface == WIFI_IF_AP) {
        *conf = s.ap;
    } else {
        err = ESP_ERR_WIFI_IF;
    }
    pthread_mutex_unlock(&s_lock);
    return err;
}

esp_err_t esp_wifi_set_storage(wifi_storage_t storage)
{
    (void)storage; /* nothing is persisted either way: there is no NVS store */
    pthread_mutex_lock(&s_lock);
    esp_err_t err = s.inited ? ESP_OK : ESP_ERR_WIFI_NOT_INIT;
    pthread_mutex_unlock(&s_lock);
    return err;
}

esp_err_t esp_wifi_start(void)
{
    pthread_mutex_lock(&s_post_lock);
    pthread_mutex_lock(&s_lock);
    esp_err_t err = s.inited ? ESP_OK : ESP_ERR_WIFI_NOT_INIT;
    bool post_start = err == ESP_OK && !s.started && has_sta(s.mode);
    if (err == ESP_OK) {
        s.started = true;
    }
    pthread_mutex_unlock(&s_lock);
    if (post_start) {
        post(WIFI_EVENT, WIFI_EVENT_STA_START, NULL, 0);
    }
    pthread_mutex_unlock(&s_post_lock);
    return err;
}

esp_err_t esp_wifi_stop(void)
{
    pthread_mutex_lock(&s_post_lock);
    pthread_mutex_lock(&s_lock);
    esp_err_t err = s.inited ? ESP_OK : ESP_ERR_WIFI_NOT_INIT;
    bool was_started = err == ESP_OK && s.started;
    if (was_started) {
        link_down_and_post();
        s.started = false;
    }
    bool post_stop = was_started && has_sta(s.mode);
    pthread_mutex_unlock(&s_lock);
    if (post_stop) {
        post(WIFI_EVENT, WIFI_EVENT_STA_STOP, NULL, 0);
    }
    pthread_mutex_unlock(&s_post_lock);
    return err;
}

esp_err_t esp_wifi_connect(void)
{
    esp_err_t err = ESP_OK;
    pthread_mutex_lock(&s_lock);
    if (!s.inited) {
        err = ESP_ERR_WIFI_NOT_INIT;
    } else if (!s.started) {
        err = ESP_ERR_WIFI_NOT_STARTED;
    } else if (!has_sta(s.mode)) {
        err = ESP_ERR_WIFI_MODE;
    } else if (s.sta.sta.ssid[0] == '\0') {
        err = ESP_ERR_WIFI_SSID;
    } else if (!s.connecting && !s.connected && !s.connect_req) {
        s.connect_req = s.connecting = true;
        pthread_cond_broadcast(&s_wake);
    }
    pthread_mutex_unlock(&s_lock);
    return err;
}

esp_err_t esp_wifi_disconnect(void)
{
    pthread_mutex_lock(&s_post_lock);
    pthread_mutex_lock(&s_lock);
    esp_err_t err = ESP_OK;
    if (!s.inited) {
        err = ESP_ERR_WIFI_NOT_INIT;
    } else if (!s.started) {
        err = ESP_ERR_WIFI_NOT_STARTED;
    } else {
        link_down_and_post();
    }
    pthread_mutex_unlock(&s_lock);
    pthread_mutex_unlock(&s_post_lock);
    return err;
}

esp_err_t esp_wifi_get_mac(wifi_interface_t ifx, uint8_t mac[6])
{
    /* One fixed chip: Espressif's OUI 18:fe:34, then "8266" and 01. */
    static const uint8_t sta_mac[6] = {0x18, 0xfe, 0x34, 0x82, 0x66, 0x01};
    if (!mac) {
        return ESP_ERR_INVALID_ARG;
    }
    if (ifx != WIFI_IF_STA && ifx != WIFI_IF_AP) {
        return ESP_ERR_WIFI_IF;
    }
    pthread_mutex_lock(&s_lock);
    bool inited = s.inited;
    pthread_mutex_unlock(&s_lock);
    if (!inited) {
        return ESP_ERR_WIFI_NOT_INIT;
    }
    memcpy(mac, sta_mac, 6);
    if (ifx == WIFI_IF_AP) {
        mac[0] |= 0x02; /* the ESP8266 soft-AP: the station's MAC, locally administered */
    }
    return ESP_OK;
}
