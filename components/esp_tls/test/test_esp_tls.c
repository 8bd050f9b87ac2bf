/*
 * esp_tls against real servers on loopback: `openssl s_server -WWW` with
 * throwaway certificates (good, wrong name, expired, unknown CA), and the
 * in-process TCP server for plain connections and timeouts.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <mbedtls/ssl.h>
#include <mbedtls/x509.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "esp_tls.h"
#include "esp_tls_priv.h"
#include "http_test_server.h"
#include "net_fixture.h"

#define FILE_SIZE (200 * 1024)

typedef struct {
    char *dir;
    char path[256];
    char *ca_pem, *other_ca_pem, *client_pem, *client_key;
    uint8_t *file;
    fx_proc_t good, wrong, expired;
} env_t;

static env_t s_env;

static char *load(const char *name)
{
    snprintf(s_env.path, sizeof s_env.path, "%s/%s", s_env.dir, name);
    return fx_read_file(s_env.path, NULL);
}

static int start_server(fx_proc_t *p, const char *cert, const char *key, const char *const extra[])
{
    char www[300], c[300], k[300];
    snprintf(www, sizeof www, "%s/www", s_env.dir);
    snprintf(c, sizeof c, "%s/%s", s_env.dir, cert);
    snprintf(k, sizeof k, "%s/%s", s_env.dir, key);
    return fx_start_s_server(p, www, "-WWW", c, k, extra);
}

static int group_setup(void **state)
{
    (void)state;
    if (!fx_have_tool("openssl")) {
        return 0; /* each test skips */
    }
    s_env.dir = fx_mkdtemp("esp_tls_test");
    assert_non_null(s_env.dir);
    assert_int_equal(fx_make_certs(s_env.dir), 0);
    assert_int_equal(fx_sh("mkdir -p '%s/www'", s_env.dir), 0);
    s_env.file = malloc(FILE_SIZE);
    fx_fill_pattern(s_env.file, FILE_SIZE, 7);
    snprintf(s_env.path, sizeof s_env.path, "%s/www/f.bin", s_env.dir);
    assert_int_equal(fx_write_file(s_env.path, s_env.file, FILE_SIZE), 0);
    s_env.ca_pem = load("ca.pem");
    s_env.other_ca_pem = load("other_ca.pem");
    s_env.client_pem = load("client.pem");
    s_env.client_key = load("client.key");
    assert_int_equal(start_server(&s_env.good, "server.pem", "server.key", NULL), 0);
    assert_int_equal(start_server(&s_env.wrong, "wrong.pem", "wrong.key", NULL), 0);
    assert_int_equal(start_server(&s_env.expired, "expired.pem", "server.key", NULL), 0);
    return 0;
}

static int group_teardown(void **state)
{
    (void)state;
    fx_stop(&s_env.good);
    fx_stop(&s_env.wrong);
    fx_stop(&s_env.expired);
    fx_rmtree(s_env.dir);
    free(s_env.dir);
    free(s_env.file);
    free(s_env.ca_pem);
    free(s_env.other_ca_pem);
    free(s_env.client_pem);
    free(s_env.client_key);
    return 0;
}

#define NEED_OPENSSL()                                                                             \
    do {                                                                                           \
        if (s_env.dir == NULL) {                                                                   \
            skip();                                                                                \
        }                                                                                          \
    } while (0)

static esp_tls_cfg_t cfg_with_ca(const char *pem)
{
    esp_tls_cfg_t cfg = {.cacert_pem_buf = (const unsigned char *)pem,
                         .cacert_pem_bytes = (unsigned)strlen(pem) + 1,
                         .timeout_ms = 5000};
    return cfg;
}

/* GET path over tls; returns the body length read (headers stripped) or the read error. */
static long fetch_body(esp_tls_t *tls, const char *path, uint8_t *body, size_t cap)
{
    char req[128];
    int n = snprintf(req, sizeof req, "GET %s HTTP/1.0\r\n\r\n", path);
    assert_int_equal(esp_tls_conn_write(tls, req, (size_t)n), n);
    size_t used = 0;
    static uint8_t raw[FILE_SIZE + 4096];
    for (;;) {
        ssize_t r = esp_tls_conn_read(tls, raw + used, sizeof raw - used);
        if (r < 0) {
            return r;
        }
        if (r == 0) {
            break;
        }
        used += (size_t)r;
    }
    uint8_t *end = memmem(raw, used, "\r\n\r\n", 4);
    assert_non_null(end);
    size_t len = used - (size_t)(end + 4 - raw);
    assert_true(len <= cap);
    memcpy(body, end + 4, len);
    return (long)len;
}

static void test_tls_download_matches_file(void **state)
{
    (void)state;
    NEED_OPENSSL();
    esp_tls_cfg_t cfg = cfg_with_ca(s_env.ca_pem);
    esp_tls_t *tls = esp_tls_conn_new("localhost", 9, s_env.good.port, &cfg);
    assert_non_null(tls);
    int fd = -1, one = 0;
    socklen_t len = sizeof one;
    assert_int_equal(esp_tls_get_conn_sockfd(tls, &fd), ESP_OK);
    assert_int_equal(getsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, &len), 0);
    assert_int_equal(one, 1);
    static uint8_t body[FILE_SIZE];
    assert_int_equal(fetch_body(tls, "/f.bin", body, sizeof body), FILE_SIZE);
    assert_memory_equal(body, s_env.file, FILE_SIZE);
    esp_tls_conn_delete(tls);
}

/* Connects with cfg expecting failure; returns the last error record. */
static esp_tls_last_error_t expect_fail(const char *host, int port, const esp_tls_cfg_t *cfg,
                                        const char *log_needle)
{
    esp_tls_t *tls = esp_tls_init();
    assert_non_null(tls);
    fx_capture_start();
    int rc = esp_tls_conn_new_sync(host, (int)strlen(host), port, cfg, tls);
    char *log = fx_capture_stop();
    assert_int_equal(rc, -1);
    if (log_needle != NULL) {
        assert_non_null(strstr(log, log_needle));
    }
    free(log);
    esp_tls_error_handle_t h = NULL;
    assert_int_equal(esp_tls_get_error_handle(tls, &h), ESP_OK);
    esp_tls_last_error_t e = *h;
    int code = -1, flags = -1;
    assert_int_equal(esp_tls_get_and_clear_last_error(h, &code, &flags), e.last_error);
    assert_int_equal(code, e.esp_tls_error_code);
    assert_int_equal(h->last_error, 0);
    esp_tls_conn_delete(tls);
    return e;
}

static void test_tls_unknown_ca_fails_handshake(void **state)
{
    (void)state;
    NEED_OPENSSL();
    esp_tls_cfg_t cfg = cfg_with_ca(s_env.other_ca_pem);
    esp_tls_last_error_t e =
        expect_fail("localhost", s_env.good.port, &cfg, "mbedtls_ssl_handshake returned -0x2700");
    assert_int_equal(e.last_error, ESP_ERR_MBEDTLS_SSL_HANDSHAKE_FAILED);
    assert_int_equal(e.esp_tls_error_code, -MBEDTLS_ERR_X509_CERT_VERIFY_FAILED);
    assert_true(e.esp_tls_flags & MBEDTLS_X509_BADCERT_NOT_TRUSTED);
}

static void test_tls_wrong_name_fails_unless_skipped(void **state)
{
    (void)state;
    NEED_OPENSSL();
    esp_tls_cfg_t cfg = cfg_with_ca(s_env.ca_pem);
    esp_tls_last_error_t e = expect_fail("localhost", s_env.wrong.port, &cfg, "verification info:");
    assert_int_equal(e.esp_tls_error_code, -MBEDTLS_ERR_X509_CERT_VERIFY_FAILED);
    assert_int_equal(e.esp_tls_flags, MBEDTLS_X509_BADCERT_CN_MISMATCH);

    cfg.skip_common_name = true;
    esp_tls_t *tls = esp_tls_conn_new("localhost", 9, s_env.wrong.port, &cfg);
    assert_non_null(tls);
    esp_tls_conn_delete(tls);

    /* common_name overrides the host name for the check */
    cfg.skip_common_name = false;
    cfg.common_name = "wrong.example";
    tls = esp_tls_conn_new("localhost", 9, s_env.wrong.port, &cfg);
    assert_non_null(tls);
    esp_tls_conn_delete(tls);
}

/* mbedTLS (2.16 on the device, 2.28 here) matches the name against the CN
 * and DNS SANs only, never an IP SAN: connecting by address needs the
 * certificate's name given as common_name (or a DNS:127.0.0.1 SAN). */
static void test_tls_ip_literal_is_not_matched_by_ip_san(void **state)
{
    (void)state;
    NEED_OPENSSL();
    esp_tls_cfg_t cfg = cfg_with_ca(s_env.ca_pem);
    esp_tls_last_error_t e = expect_fail("127.0.0.1", s_env.good.port, &cfg, NULL);
    assert_int_equal(e.esp_tls_flags, MBEDTLS_X509_BADCERT_CN_MISMATCH);
    cfg.common_name = "localhost";
    esp_tls_t *tls = esp_tls_conn_new("127.0.0.1", 9, s_env.good.port, &cfg);
    assert_non_null(tls);
    esp_tls_conn_delete(tls);
}

static void test_tls_expired_certificate_fails(void **state)
{
    (void)state;
    NEED_OPENSSL();
    esp_tls_cfg_t cfg = cfg_with_ca(s_env.ca_pem);
    esp_tls_last_error_t e = expect_fail("localhost", s_env.expired.port, &cfg, NULL);
    assert_int_equal(e.last_error, ESP_ERR_MBEDTLS_SSL_HANDSHAKE_FAILED);
    assert_true(e.esp_tls_flags & MBEDTLS_X509_BADCERT_EXPIRED);
}

static void test_tls_unparsable_ca_is_reported(void **state)
{
    (void)state;
    NEED_OPENSSL();
    esp_tls_cfg_t cfg = cfg_with_ca("-----BEGIN CERTIFICATE-----\nnot base64!\n"
                                    "-----END CERTIFICATE-----\n");
    esp_tls_last_error_t e =
        expect_fail("localhost", s_env.good.port, &cfg, "mbedtls_x509_crt_parse returned -0x");
    assert_int_equal(e.last_error, ESP_ERR_MBEDTLS_X509_CRT_PARSE_FAILED);
    assert_true(e.esp_tls_error_code != 0);
}

static void test_tls_small_in_content_len_fails_with_7200(void **state)
{
    (void)state;
    NEED_OPENSSL();
    esp_tls_cfg_t cfg = cfg_with_ca(s_env.ca_pem);
    cfg.in_content_len = 4096;
    /* the handshake fits; s_server then sends the file in 16 KB records */
    esp_tls_t *tls = esp_tls_conn_new("localhost", 9, s_env.good.port, &cfg);
    assert_non_null(tls);
    static uint8_t body[FILE_SIZE];
    fx_capture_start();
    long r = fetch_body(tls, "/f.bin", body, sizeof body);
    char *log = fx_capture_stop();
    assert_int_equal(r, MBEDTLS_ERR_SSL_INVALID_RECORD);
    assert_non_null(strstr(log, "read error :-29184:"));
    assert_non_null(strstr(log, "CONFIG_MBEDTLS_SSL_IN_CONTENT_LEN=4096"));
    free(log);
    esp_tls_error_handle_t h = NULL;
    esp_tls_get_error_handle(tls, &h);
    assert_int_equal(h->esp_tls_error_code, 0x7200);
    esp_tls_conn_delete(tls);
}

static void test_tls_mfl_4096_fits_in_content_len_4096(void **state)
{
    (void)state;
    NEED_OPENSSL();
    esp_tls_cfg_t cfg = cfg_with_ca(s_env.ca_pem);
    cfg.in_content_len = 4096;
    cfg.mfl_code = ESP_TLS_MFL_4096;
    esp_tls_t *tls = esp_tls_conn_new("localhost", 9, s_env.good.port, &cfg);
    assert_non_null(tls);
    static uint8_t body[FILE_SIZE];
    assert_int_equal(fetch_body(tls, "/f.bin", body, sizeof body), FILE_SIZE);
    assert_memory_equal(body, s_env.file, FILE_SIZE);
    esp_tls_conn_delete(tls);

    /* the device refuses an MFL larger than its buffer */
    cfg.in_content_len = 2048;
    esp_tls_last_error_t e = expect_fail("localhost", s_env.good.port, &cfg,
                                         "mbedtls_ssl_conf_max_frag_len returned -0x7100");
    assert_int_equal(e.last_error, ESP_ERR_INVALID_ARG);
}

static void test_tls_global_ca_store(void **state)
{
    (void)state;
    NEED_OPENSSL();
    esp_tls_cfg_t cfg = {.use_global_ca_store = true, .timeout_ms = 5000};
    esp_tls_last_error_t e =
        expect_fail("localhost", s_env.good.port, &cfg, "global_cacert is NULL");
    assert_int_equal(e.last_error, ESP_ERR_INVALID_STATE);
    assert_int_equal(esp_tls_set_global_ca_store((const unsigned char *)s_env.ca_pem,
                                                 (unsigned)strlen(s_env.ca_pem) + 1),
                     ESP_OK);
    esp_tls_t *tls = esp_tls_conn_new("localhost", 9, s_env.good.port, &cfg);
    assert_non_null(tls);
    esp_tls_conn_delete(tls);
    esp_tls_free_global_ca_store();
}

static void test_tls_client_certificate(void **state)
{
    (void)state;
    NEED_OPENSSL();
    char ca[300];
    snprintf(ca, sizeof ca, "%s/ca.pem", s_env.dir);
    const char *const extra[] = {"-Verify", "1", "-CAfile", ca, NULL};
    fx_proc_t mtls = {0};
    assert_int_equal(start_server(&mtls, "server.pem", "server.key", extra), 0);
    esp_tls_cfg_t cfg = cfg_with_ca(s_env.ca_pem);
    esp_tls_t *tls = esp_tls_conn_new("localhost", 9, mtls.port, &cfg);
    /* without a client certificate the server aborts the handshake or the first read */
    uint8_t b[64];
    if (tls != NULL) {
        assert_true(fetch_body(tls, "/f.bin", b, sizeof b) < 0);
        esp_tls_conn_delete(tls);
    }
    cfg.clientcert_pem_buf = (const unsigned char *)s_env.client_pem;
    cfg.clientcert_pem_bytes = (unsigned)strlen(s_env.client_pem) + 1;
    cfg.clientkey_pem_buf = (const unsigned char *)s_env.client_key;
    cfg.clientkey_pem_bytes = (unsigned)strlen(s_env.client_key) + 1;
    tls = esp_tls_conn_new("localhost", 9, mtls.port, &cfg);
    assert_non_null(tls);
    static uint8_t body[FILE_SIZE];
    assert_int_equal(fetch_body(tls, "/f.bin", body, sizeof body), FILE_SIZE);
    esp_tls_conn_delete(tls);
    fx_stop(&mtls);
}

static void test_tls_conn_http_new(void **state)
{
    (void)state;
    NEED_OPENSSL();
    char url[64];
    snprintf(url, sizeof url, "https://localhost:%d/f.bin", s_env.good.port);
    esp_tls_cfg_t cfg = cfg_with_ca(s_env.ca_pem);
    esp_tls_t *tls = esp_tls_conn_http_new(url, &cfg);
    assert_non_null(tls);
    esp_tls_conn_delete(tls);
}

static long elapsed_ms(const struct timespec *t0)
{
    struct timespec t1;
    clock_gettime(CLOCK_MONOTONIC, &t1);
    return (t1.tv_sec - t0->tv_sec) * 1000 + (t1.tv_nsec - t0->tv_nsec) / 1000000;
}

static const fx_route_t s_routes[] = {
    {.path = "/hello", .response = "HTTP/1.0 200 OK\r\n\r\nhello"},
    {.path = "/stall", .response = "HTTP/1.0 200 OK\r\n\r\nhello", .stall_after = 19},
};

static void test_tls_handshake_timeout(void **state)
{
    (void)state;
    fx_http_server_t *srv = fx_http_server_start(s_routes, 2);
    assert_non_null(srv);
    /* an HTTP server never answers a ClientHello: it waits for a blank line */
    esp_tls_cfg_t cfg = {.timeout_ms = 300, .skip_common_name = true};
    struct timespec t0;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    esp_tls_last_error_t e = expect_fail("127.0.0.1", fx_http_server_port(srv), &cfg,
                                         "mbedtls_ssl_handshake returned -0x6800");
    long ms = elapsed_ms(&t0);
    assert_true(ms >= 250 && ms < 2000);
    assert_int_equal(e.last_error, ESP_ERR_MBEDTLS_SSL_HANDSHAKE_FAILED);
    fx_http_server_stop(srv);
}

static void test_plain_tcp_read_and_timeout(void **state)
{
    (void)state;
    fx_http_server_t *srv = fx_http_server_start(s_routes, 2);
    assert_non_null(srv);
    esp_tls_cfg_t cfg = {.is_plain_tcp = true, .timeout_ms = 300};
    esp_tls_t *tls = esp_tls_conn_new("localhost", 9, fx_http_server_port(srv), &cfg);
    assert_non_null(tls);
    const char req[] = "GET /hello HTTP/1.0\r\n\r\n";
    assert_int_equal(esp_tls_conn_write(tls, req, sizeof req - 1), sizeof req - 1);
    char buf[64];
    size_t used = 0;
    ssize_t r;
    while ((r = esp_tls_conn_read(tls, buf + used, sizeof buf - used)) > 0) {
        used += (size_t)r;
    }
    assert_int_equal(r, 0);
    assert_int_equal(used, 24);
    assert_memory_equal(buf + 19, "hello", 5);
    esp_tls_conn_delete(tls);

    /* an http:// URL is plain TCP even with a TLS configuration */
    char url[64];
    snprintf(url, sizeof url, "http://127.0.0.1:%d/hello", fx_http_server_port(srv));
    esp_tls_cfg_t tls_cfg = {.timeout_ms = 300};
    tls = esp_tls_conn_http_new(url, &tls_cfg);
    assert_non_null(tls);
    assert_int_equal(esp_tls_conn_write(tls, req, sizeof req - 1), sizeof req - 1);
    assert_true(esp_tls_conn_read(tls, buf, sizeof buf) > 0);
    esp_tls_conn_delete(tls);

    tls = esp_tls_conn_new("127.0.0.1", 9, fx_http_server_port(srv), &cfg);
    assert_non_null(tls);
    const char stall[] = "GET /stall HTTP/1.0\r\n\r\n";
    assert_int_equal(esp_tls_conn_write(tls, stall, sizeof stall - 1), sizeof stall - 1);
    used = 0;
    while ((r = esp_tls_conn_read(tls, buf + used, sizeof buf - used)) > 0) {
        used += (size_t)r;
    }
    assert_int_equal(used, 19);
    struct timespec t0;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    assert_int_equal(esp_tls_conn_read(tls, buf, sizeof buf), ESP_TLS_ERR_SSL_TIMEOUT);
    long ms = elapsed_ms(&t0);
    assert_true(ms >= 250 && ms < 2000);
    esp_tls_conn_delete(tls);
    fx_http_server_stop(srv);
}

static void test_connect_refused(void **state)
{
    (void)state;
    esp_tls_cfg_t cfg = {.is_plain_tcp = true, .timeout_ms = 1000};
    esp_tls_last_error_t e =
        expect_fail("127.0.0.1", fx_free_port(), &cfg, "Failed to connect to host 127.0.0.1");
    assert_int_equal(e.last_error, ESP_ERR_ESP_TLS_FAILED_CONNECT_TO_HOST);
}

/* Processes forked from one test (the power-cut campaign's workers) each start
 * a server on the same docroot: each must keep its own log, or one reads the
 * other's "ACCEPT" port and loses its server when the other stops. */
static void test_fixture_forked_servers_keep_their_own_logs(void **state)
{
    (void)state;
    NEED_OPENSSL();
    int to_parent[2];
    assert_int_equal(pipe(to_parent), 0);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        fx_proc_t srv;
        char log[sizeof srv.log] = "";
        if (start_server(&srv, "server.pem", "server.key", NULL) == 0) {
            memcpy(log, srv.log, sizeof log);
            fx_stop(&srv);
        }
        _exit(write(to_parent[1], log, sizeof log) == (ssize_t)sizeof log ? 0 : 1);
    }
    close(to_parent[1]);
    fx_proc_t mine;
    assert_int_equal(start_server(&mine, "server.pem", "server.key", NULL), 0);
    char theirs[sizeof mine.log];
    assert_int_equal(read(to_parent[0], theirs, sizeof theirs), (ssize_t)sizeof theirs);
    close(to_parent[0]);
    int status;
    assert_int_equal(waitpid(pid, &status, 0), pid);
    fx_stop(&mine);
    assert_true(theirs[0] != '\0');
    assert_string_not_equal(theirs, mine.log);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_tls_download_matches_file),
        cmocka_unit_test(test_tls_unknown_ca_fails_handshake),
        cmocka_unit_test(test_tls_wrong_name_fails_unless_skipped),
        cmocka_unit_test(test_tls_ip_literal_is_not_matched_by_ip_san),
        cmocka_unit_test(test_tls_expired_certificate_fails),
        cmocka_unit_test(test_tls_unparsable_ca_is_reported),
        cmocka_unit_test(test_tls_small_in_content_len_fails_with_7200),
        cmocka_unit_test(test_tls_mfl_4096_fits_in_content_len_4096),
        cmocka_unit_test(test_tls_global_ca_store),
        cmocka_unit_test(test_tls_client_certificate),
        cmocka_unit_test(test_tls_conn_http_new),
        cmocka_unit_test(test_tls_handshake_timeout),
        cmocka_unit_test(test_plain_tcp_read_and_timeout),
        cmocka_unit_test(test_connect_refused),
        cmocka_unit_test(test_fixture_forked_servers_keep_their_own_logs),
    };
    return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
