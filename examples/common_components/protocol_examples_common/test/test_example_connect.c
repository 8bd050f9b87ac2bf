/*
 * example_connect() on a virtual device: with the right password it returns
 * after the SDK's three log lines; with a wrong one it retries forever (until
 * the AP's password is changed to match, here).
 */
#include <fcntl.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "esp_event.h"
#include "esp_log.h"
#include "esp_netif.h"
#include "esp_wifi.h"
#include "protocol_examples_common.h"
#include "sim_app.h"

#define TIME_SCALE_X1000 100000u /* 100x */

static sim_state_t *s_dev;

/* stdout into a file while a test runs, to read back what was logged. */
typedef struct {
    char path[64];
    int saved_fd;
} capture_t;

static void capture_begin(capture_t *c)
{
    snprintf(c->path, sizeof c->path, "/tmp/ota8266-log-XXXXXX");
    int fd = mkstemp(c->path);
    assert_true(fd >= 0);
    fflush(stdout);
    c->saved_fd = dup(STDOUT_FILENO);
    assert_true(dup2(fd, STDOUT_FILENO) >= 0);
    close(fd);
}

/* Restores stdout; returns what was written (to free). */
static char *capture_end(capture_t *c)
{
    fflush(stdout);
    assert_true(dup2(c->saved_fd, STDOUT_FILENO) >= 0);
    close(c->saved_fd);
    FILE *f = fopen(c->path, "r");
    assert_non_null(f);
    static char buf[1 << 16];
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    fclose(f);
    unlink(c->path);
    buf[n] = '\0';
    return strdup(buf);
}

/* Byte-wise atomic stores: the Wi-Fi task reads the AP concurrently, as it
 * would read a supervisor's change. */
static void store_shared(char *dst, size_t size, const char *src)
{
    size_t n = strlen(src) < size - 1 ? strlen(src) : size - 1;
    for (size_t i = 0; i < size; i++) {
        __atomic_store_n(&dst[i], i < n ? src[i] : '\0', __ATOMIC_RELAXED);
    }
}

static void ap_set(const char *ssid, const char *password)
{
    store_shared(s_dev->ap_ssid, sizeof s_dev->ap_ssid, ssid);
    store_shared(s_dev->ap_password, sizeof s_dev->ap_password, password);
    __atomic_store_n(&s_dev->ap_enabled, 1, __ATOMIC_RELAXED);
}

static int count(const char *text, const char *needle)
{
    int n = 0;
    for (const char *p = strstr(text, needle); p; p = strstr(p + 1, needle)) {
        n++;
    }
    return n;
}

static int setup(void **state)
{
    (void)state;
    if (esp_netif_init() != ESP_OK) {
        return -1;
    }
    return esp_event_loop_create_default() == ESP_OK ? 0 : -1;
}

static int teardown(void **state)
{
    (void)state;
    return esp_event_loop_delete_default() == ESP_OK ? 0 : -1;
}

static void test_right_password_logs_three_lines(void **state)
{
    (void)state;
    ap_set("myssid", "mypassword");
    capture_t c;
    capture_begin(&c);
    esp_err_t err = example_connect();
    char *log = capture_end(&c);
    assert_int_equal(err, ESP_OK);
    const char *connecting = strstr(log, " example_connect: Connecting to myssid...\n");
    const char *connected = strstr(log, " example_connect: Connected to myssid\n");
    const char *address = strstr(log, " example_connect: IPv4 address: 127.0.0.1\n");
    assert_non_null(connecting);
    assert_non_null(connected);
    assert_non_null(address);
    assert_true(connecting < connected && connected < address);
    /* Each is a plain info line: "I (<ms>) example_connect: ...", colours off. */
    assert_memory_equal(connecting - 1, ")", 1);
    assert_null(strstr(log, "\033["));
    assert_int_equal(count(log, "I ("), count(log, "\n") - count(log, "W (") - count(log, "E ("));
    assert_int_equal(count(log, "Wi-Fi disconnected"), 0);
    free(log);

    assert_int_equal(example_connect(), ESP_ERR_INVALID_STATE); /* already connected */
    assert_int_equal(example_disconnect(), ESP_OK);
    assert_int_equal(example_disconnect(), ESP_ERR_INVALID_STATE);
    assert_int_equal(esp_wifi_stop(), ESP_ERR_WIFI_NOT_INIT); /* Wi-Fi was removed */
}

static pthread_mutex_t s_lock = PTHREAD_MUTEX_INITIALIZER;
static int s_disconnects;
static int s_other_reasons;

static void count_disconnects(void *arg, esp_event_base_t base, int32_t id, void *data)
{
    (void)arg;
    (void)base;
    (void)id;
    const wifi_event_sta_disconnected_t *ev = data;
    pthread_mutex_lock(&s_lock);
    s_disconnects++;
    s_other_reasons += ev->reason != WIFI_REASON_4WAY_HANDSHAKE_TIMEOUT;
    pthread_mutex_unlock(&s_lock);
}

static void *connect_main(void *arg)
{
    *(esp_err_t *)arg = example_connect();
    return NULL;
}

/* 30 s of virtual time with a wrong password: one attempt every ~2.9 s
 * (0.3 s association, 2.1 s handshake, 0.5 s back-off), never an address. */
static void test_wrong_password_retries_forever(void **state)
{
    (void)state;
    ap_set("myssid", "notmypassword");
    s_disconnects = s_other_reasons = 0;
    assert_int_equal(esp_event_handler_register(WIFI_EVENT, WIFI_EVENT_STA_DISCONNECTED,
                                                count_disconnects, NULL),
                     ESP_OK);
    capture_t c;
    capture_begin(&c);
    esp_err_t result = ESP_FAIL;
    pthread_t t;
    assert_int_equal(pthread_create(&t, NULL, connect_main, &result), 0);
    sim_sleep_ms(s_dev, 30000);
    pthread_mutex_lock(&s_lock);
    int attempts = s_disconnects;
    int other = s_other_reasons;
    pthread_mutex_unlock(&s_lock);
    ap_set("myssid", "mypassword"); /* the next attempt succeeds: example_connect returns */
    assert_int_equal(pthread_join(t, NULL), 0);
    char *log = capture_end(&c);
    assert_int_equal(result, ESP_OK);
    assert_true(attempts >= 3);
    assert_true(attempts <= 11);
    assert_int_equal(other, 0);
    assert_true(count(log, " example_connect: Wi-Fi disconnected, trying to reconnect...\n") >=
                attempts);
    assert_true(count(log, "E (") >= attempts); /* "Disconnect reason : 15" */
    assert_true(count(log, " example_connect: Disconnect reason : 15\n") >= attempts);
    assert_true(
        count(log, " wifi: cannot connect to myssid: reason 15 (4WAY_HANDSHAKE_TIMEOUT)\n") >=
        attempts);
    assert_non_null(strstr(log, " example_connect: IPv4 address: 127.0.0.1\n"));
    free(log);
    assert_int_equal(
        esp_event_handler_unregister(WIFI_EVENT, WIFI_EVENT_STA_DISCONNECTED, count_disconnects),
        ESP_OK);
    assert_int_equal(example_disconnect(), ESP_OK);
}

static void test_connection_info_replaces_config(void **state)
{
    (void)state;
    ap_set("lab", "labpassword");
    assert_int_equal(example_set_connection_info("lab", "labpassword"), ESP_OK);
    capture_t c;
    capture_begin(&c);
    esp_err_t err = example_connect();
    char *log = capture_end(&c);
    assert_int_equal(err, ESP_OK);
    assert_non_null(strstr(log, " example_connect: Connected to lab\n"));
    free(log);
    assert_int_equal(example_disconnect(), ESP_OK);
    assert_int_equal(example_set_connection_info("myssid", "mypassword"), ESP_OK);
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
    s_dev = sim_state_current();
    if (!s_dev) {
        return 1;
    }
    esp_log_set_color(0);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_right_password_logs_three_lines, setup, teardown),
        cmocka_unit_test_setup_teardown(test_wrong_password_retries_forever, setup, teardown),
        cmocka_unit_test_setup_teardown(test_connection_info_replaces_config, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
