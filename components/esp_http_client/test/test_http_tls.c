/*
 * esp_http_client over TLS against `openssl s_server`: -WWW (HTTP/1.0, no
 * Content-Length, close_notify: what the OTA demo serves), -HTTP (raw
 * responses: chunked and a redirect over TLS), certificate errors, the
 * IN-content-length limit and MFL.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "esp_http_client.h"
#include "esp_tls.h"
#include "http_test_util.h"
#include "net_fixture.h"

#define FILE_SIZE (300 * 1024 + 17)

static struct {
    char *dir;
    char *ca_pem, *other_ca_pem;
    uint8_t *file;
    fx_proc_t www, wrong, expired, raw;
} s_env;

static char *load(const char *name)
{
    char path[300];
    snprintf(path, sizeof path, "%s/%s", s_env.dir, name);
    return fx_read_file(path, NULL);
}

static void put(const char *name, const void *data, size_t len)
{
    char path[300];
    snprintf(path, sizeof path, "%s/www/%s", s_env.dir, name);
    assert_int_equal(fx_write_file(path, data, len), 0);
}

static void start(fx_proc_t *p, const char *mode, const char *cert, const char *key)
{
    char www[300], c[300], k[300];
    snprintf(www, sizeof www, "%s/www", s_env.dir);
    snprintf(c, sizeof c, "%s/%s", s_env.dir, cert);
    snprintf(k, sizeof k, "%s/%s", s_env.dir, key);
    assert_int_equal(fx_start_s_server(p, www, mode, c, k, NULL), 0);
}

#define CHUNKED                                                                                    \
    "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"                                        \
    "4\r\nover\r\n5\r\n TLS,\r\n8\r\n chunked\r\n0\r\n\r\n"
#define REDIR "HTTP/1.1 302 Found\r\nLocation: /chunked.txt\r\nContent-Length: 0\r\n\r\n"

static int group_setup(void **state)
{
    (void)state;
    if (!fx_have_tool("openssl")) {
        return 0;
    }
    s_env.dir = fx_mkdtemp("http_tls_test");
    assert_int_equal(fx_make_certs(s_env.dir), 0);
    assert_int_equal(fx_sh("mkdir -p '%s/www'", s_env.dir), 0);
    s_env.file = malloc(FILE_SIZE);
    fx_fill_pattern(s_env.file, FILE_SIZE, 11);
    put("fw.bin", s_env.file, FILE_SIZE);
    put("chunked.txt", CHUNKED, strlen(CHUNKED));
    put("redir.txt", REDIR, strlen(REDIR));
    s_env.ca_pem = load("ca.pem");
    s_env.other_ca_pem = load("other_ca.pem");
    start(&s_env.www, "-WWW", "server.pem", "server.key");
    start(&s_env.wrong, "-WWW", "wrong.pem", "wrong.key");
    start(&s_env.expired, "-WWW", "expired.pem", "server.key");
    start(&s_env.raw, "-HTTP", "server.pem", "server.key");
    return 0;
}

static int group_teardown(void **state)
{
    (void)state;
    fx_stop(&s_env.www);
    fx_stop(&s_env.wrong);
    fx_stop(&s_env.expired);
    fx_stop(&s_env.raw);
    fx_rmtree(s_env.dir);
    free(s_env.dir);
    free(s_env.file);
    free(s_env.ca_pem);
    free(s_env.other_ca_pem);
    return 0;
}

#define NEED_OPENSSL()                                                                             \
    do {                                                                                           \
        if (s_env.dir == NULL) {                                                                   \
            skip();                                                                                \
        }                                                                                          \
    } while (0)

static esp_http_client_handle_t client_for(const fx_proc_t *p, const char *path,
                                           esp_http_client_config_t *cfg)
{
    char url[128];
    snprintf(url, sizeof url, "https://localhost:%d%s", p->port, path);
    cfg->url = url;
    if (cfg->cert_pem == NULL) {
        cfg->cert_pem = s_env.ca_pem;
    }
    esp_http_client_handle_t c = esp_http_client_init(cfg);
    assert_non_null(c);
    return c;
}

static void test_s_server_www_download_read_until_close_notify(void **state)
{
    (void)state;
    NEED_OPENSSL();
    esp_http_client_config_t cfg = {0};
    esp_http_client_handle_t c = client_for(&s_env.www, "/fw.bin", &cfg);
    assert_int_equal(esp_http_client_get_transport_type(c), HTTP_TRANSPORT_OVER_SSL);
    assert_int_equal(esp_http_client_open(c, 0), ESP_OK);
    assert_int_equal(esp_http_client_fetch_headers(c), 0);
    assert_int_equal(esp_http_client_get_status_code(c), 200);
    assert_true(esp_http_client_is_chunked_response(c));
    assert_int_equal(esp_http_client_get_content_length(c), -1);
    static uint8_t body[FILE_SIZE + 100];
    /* 256: the SDK's OTA_BUF_SIZE */
    assert_int_equal(read_all(c, body, sizeof body, 256), FILE_SIZE);
    assert_memory_equal(body, s_env.file, FILE_SIZE);
    assert_true(esp_http_client_is_complete_data_received(c));
    esp_http_client_cleanup(c);
}

static void test_s_server_www_perform_events(void **state)
{
    (void)state;
    NEED_OPENSSL();
    recorder_t *r = rec_new();
    esp_http_client_config_t cfg = {.event_handler = rec_handler, .user_data = r};
    esp_http_client_handle_t c = client_for(&s_env.www, "/fw.bin", &cfg);
    assert_int_equal(esp_http_client_perform(c), ESP_OK);
    assert_int_equal(r->body_len, FILE_SIZE);
    assert_memory_equal(r->body, s_env.file, FILE_SIZE);
    assert_string_equal(r->last_header, "Content-type: text/plain");
    assert_int_equal(r->count[HTTP_EVENT_ON_FINISH], 1);
    assert_int_equal(r->count[HTTP_EVENT_DISCONNECTED], 1); /* HTTP/1.0: not kept */
    esp_http_client_cleanup(c);
    rec_free(r);
}

/* open() must fail with ESP_ERR_HTTP_CONNECT and log each needle. */
static void expect_connect_failure(const fx_proc_t *p, esp_http_client_config_t *cfg,
                                   const char *const needles[])
{
    esp_http_client_handle_t c = client_for(p, "/fw.bin", cfg);
    fx_capture_start();
    esp_err_t err = esp_http_client_open(c, 0);
    char *log = fx_capture_stop();
    assert_int_equal(err, ESP_ERR_HTTP_CONNECT);
    for (size_t i = 0; needles[i] != NULL; i++) {
        assert_non_null(strstr(log, needles[i]));
    }
    free(log);
    esp_http_client_cleanup(c);
}

static void test_tls_certificate_errors(void **state)
{
    (void)state;
    NEED_OPENSSL();
    esp_http_client_config_t cfg = {.cert_pem = s_env.other_ca_pem};
    esp_http_client_handle_t probe = client_for(&s_env.www, "/fw.bin", &cfg);
    int flags = 0;
    assert_int_equal(esp_http_client_open(probe, 0), ESP_ERR_HTTP_CONNECT);
    assert_int_equal(esp_http_client_get_and_clear_last_tls_error(probe, NULL, &flags),
                     ESP_ERR_MBEDTLS_SSL_HANDSHAKE_FAILED);
    assert_true(flags != 0);
    esp_http_client_cleanup(probe);
    const char *const unknown_ca[] = {"esp-tls: mbedtls_ssl_handshake returned -0x2700",
                                      "not correctly signed by the trusted CA",
                                      "TRANS_SSL: Failed to open a new connection",
                                      "HTTP_CLIENT: Connection failed, sock < 0",
                                      "error 0x7002 (ESP_ERR_HTTP_CONNECT)",
                                      NULL};
    expect_connect_failure(&s_env.www, &cfg, unknown_ca);

    cfg = (esp_http_client_config_t){0};
    const char *const wrong_name[] = {"Common Name (CN) does not match", NULL};
    expect_connect_failure(&s_env.wrong, &cfg, wrong_name);

    cfg = (esp_http_client_config_t){0};
    const char *const expired[] = {"validity has expired", NULL};
    expect_connect_failure(&s_env.expired, &cfg, expired);

    const char bad_pem[] = "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n";
    cfg = (esp_http_client_config_t){.cert_pem = bad_pem};
    const char *const unparsable[] = {"esp-tls: mbedtls_x509_crt_parse returned -0x", NULL};
    expect_connect_failure(&s_env.www, &cfg, unparsable);
}

static void test_skip_common_name_check(void **state)
{
    (void)state;
    NEED_OPENSSL();
    esp_http_client_config_t cfg = {.skip_cert_common_name_check = true};
    esp_http_client_handle_t c = client_for(&s_env.wrong, "/fw.bin", &cfg);
    assert_int_equal(esp_http_client_open(c, 0), ESP_OK);
    assert_int_equal(esp_http_client_fetch_headers(c), 0);
    static uint8_t body[FILE_SIZE + 100];
    assert_int_equal(read_all(c, body, sizeof body, 1024), FILE_SIZE);
    esp_http_client_cleanup(c);
}

static void test_in_content_len_4096_fails_unless_mfl(void **state)
{
    (void)state;
    NEED_OPENSSL();
    esp_http_client_config_t cfg = {.in_content_len = 4096};
    esp_http_client_handle_t c = client_for(&s_env.www, "/fw.bin", &cfg);
    assert_int_equal(esp_http_client_open(c, 0), ESP_OK);
    static uint8_t body[FILE_SIZE + 100];
    fx_capture_start();
    int n = esp_http_client_fetch_headers(c);
    long r = n < 0 ? -1 : read_all(c, body, sizeof body, 256);
    char *log = fx_capture_stop();
    assert_int_equal(r, -1);
    assert_non_null(strstr(log, "esp-tls: read error :-29184:"));
    assert_false(esp_http_client_is_complete_data_received(c));
    int code = 0;
    esp_http_client_get_and_clear_last_tls_error(c, &code, NULL);
    assert_int_equal(code, 0x7200);
    free(log);
    esp_http_client_cleanup(c);

    cfg = (esp_http_client_config_t){.in_content_len = 4096, .mfl_code = 4};
    c = client_for(&s_env.www, "/fw.bin", &cfg);
    assert_int_equal(esp_http_client_open(c, 0), ESP_OK);
    assert_int_equal(esp_http_client_fetch_headers(c), 0);
    assert_int_equal(read_all(c, body, sizeof body, 256), FILE_SIZE);
    assert_memory_equal(body, s_env.file, FILE_SIZE);
    esp_http_client_cleanup(c);
}

static void test_s_server_http_redirect_to_chunked(void **state)
{
    (void)state;
    NEED_OPENSSL();
    recorder_t *r = rec_new();
    esp_http_client_config_t cfg = {.event_handler = rec_handler, .user_data = r};
    esp_http_client_handle_t c = client_for(&s_env.raw, "/redir.txt", &cfg);
    assert_int_equal(esp_http_client_open_follow(c), ESP_OK);
    assert_int_equal(esp_http_client_get_status_code(c), 200);
    assert_true(esp_http_client_is_chunked_response(c));
    char body[64];
    int n = esp_http_client_read_response(c, body, sizeof body);
    assert_int_equal(n, 17);
    assert_memory_equal(body, "over TLS, chunked", 17);
    assert_true(esp_http_client_is_complete_data_received(c));
    /* s_server closed the first connection after the 302 despite HTTP/1.1 */
    assert_int_equal(r->count[HTTP_EVENT_ON_CONNECTED], 2);
    esp_http_client_cleanup(c);

    c = client_for(&s_env.raw, "/chunked.txt", &cfg);
    assert_int_equal(esp_http_client_perform(c), ESP_OK);
    assert_int_equal(esp_http_client_get_status_code(c), 200);
    esp_http_client_cleanup(c);
    assert_memory_equal(r->body + r->body_len - 17, "over TLS, chunked", 17);
    rec_free(r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_s_server_www_download_read_until_close_notify),
        cmocka_unit_test(test_s_server_www_perform_events),
        cmocka_unit_test(test_tls_certificate_errors),
        cmocka_unit_test(test_skip_common_name_check),
        cmocka_unit_test(test_in_content_len_4096_fails_unless_mfl),
        cmocka_unit_test(test_s_server_http_redirect_to_chunked),
    };
    return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
