/*
 * The OTA issue's end-to-end matrix, part 3: the TLS side.
 *   - a server whose certificate the device does not trust (another
 *     self-signed CN=localhost, made here);
 *   - a server with a certificate the device's CA did sign, but for
 *     wrong.example (the build's OTA8266_TEST_WRONG_CERT);
 *   - a server that sends the headers and part of the body, then nothing
 *     on a live connection: the read timeout (5000 ms, real time) ends it.
 * Nothing may be written in the first two; in the third only ota_0 may
 * change, and it is never selected.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "ota_matrix.h"

static char *s_dir; /* certificates made here, and the docroot */
static char s_www[300];
static fx_proc_t s_other_ca;   /* s_server -WWW with an untrusted certificate */
static fx_proc_t s_wrong_host; /* s_server -WWW with the CN=wrong.example one */
static mx_stall_t s_stall;     /* per test: one connection's worth of bytes */
static uint8_t *s_image;
static size_t s_image_len;

static int start_servers(void **state)
{
    (void)state;
    s_image = mx_slurp(H_HELLO, &s_image_len);
    s_dir = fx_mkdtemp("ota8266-tls");
    if (s_dir == NULL) {
        return -1;
    }
    snprintf(s_www, sizeof s_www, "%s/www", s_dir);
    if (fx_sh("mkdir -p '%s' && cd '%s' && openssl req -x509 -newkey ec -pkeyopt "
              "ec_paramgen_curve:P-256 -nodes -keyout other_key.pem -out other_cert.pem -days 2 "
              "-subj /CN=localhost -addext subjectAltName=DNS:localhost",
              s_www, s_dir) != 0) {
        return -1;
    }
    char path[400], cert[400], key[400];
    snprintf(path, sizeof path, "%s/hello_world.bin", s_www);
    snprintf(cert, sizeof cert, "%s/other_cert.pem", s_dir);
    snprintf(key, sizeof key, "%s/other_key.pem", s_dir);
    if (fx_write_file(path, s_image, s_image_len) != 0 ||
        fx_start_s_server(&s_other_ca, s_www, "-WWW", cert, key, mx_loopback_only) != 0 ||
        fx_start_s_server(&s_wrong_host, s_www, "-WWW", H_TEST_WRONG_CERT, H_TEST_WRONG_KEY,
                          mx_loopback_only) != 0) {
        return -1;
    }
    return 0;
}

static int stop_servers(void **state)
{
    (void)state;
    fx_stop(&s_other_ca);
    fx_stop(&s_wrong_host);
    mx_stall_stop(&s_stall); /* harmless when a test already did */
    mx_remove_chips();
    fx_rmtree(s_dir);
    free(s_dir);
    free(s_image);
    return 0;
}

/* How each example reports a connection that could not be opened. */
static void assert_open_failed(const mx_example_t *ex, const h_run_t *run)
{
    if (ex == &mx_native) {
        H_ASSERT_LINE(run, "E (T) native_ota_example: Failed to open HTTP connection: 0x7002 "
                           "(ESP_ERR_HTTP_CONNECT)");
        H_ASSERT_LINE(run, "E (T) native_ota_example: Exiting task due to fatal error...");
    } else {
        H_ASSERT_LINE(run, "E (T) esp_https_ota: Failed to open HTTP connection: 0x7002 "
                           "(ESP_ERR_HTTP_CONNECT)");
        H_ASSERT_LINE(run, "E (T) simple_ota_example: Firmware Upgrades Failed (0x7002 "
                           "ESP_ERR_HTTP_CONNECT)");
    }
}

/* ---- 6. a certificate the device does not trust ---------------------------- */

static void untrusted_ca(const mx_example_t *ex)
{
    h_run_t run;
    mx_expect_failure(ex, s_other_ca.port, true, &run);
    /* -0x2700: MBEDTLS_ERR_X509_CERT_VERIFY_FAILED */
    H_ASSERT_LINE(&run, "E (T) esp-tls: mbedtls_ssl_handshake returned -0x2700");
    H_ASSERT_LINE(&run, "I (T) esp-tls: Failed to verify peer certificate!");
    H_ASSERT_LINE(&run, "I (T) esp-tls: verification info:   ! The certificate is not correctly "
                        "signed by the trusted CA");
    assert_open_failed(ex, &run);
    h_run_free(&run);
}

static void test_native_untrusted_certificate(void **state)
{
    (void)state;
    untrusted_ca(&mx_native);
}

static void test_simple_untrusted_certificate(void **state)
{
    (void)state;
    untrusted_ca(&mx_simple);
}

/* ---- 7. the right CA, the wrong host name ---------------------------------- */

static void wrong_host(const mx_example_t *ex)
{
    h_run_t run;
    mx_expect_failure(ex, s_wrong_host.port, true, &run);
    H_ASSERT_LINE(&run, "E (T) esp-tls: mbedtls_ssl_handshake returned -0x2700");
    H_ASSERT_LINE(&run, "I (T) esp-tls: Failed to verify peer certificate!");
    /* the chain is fine: the host name is the only objection */
    H_ASSERT_LINE(&run, "I (T) esp-tls: verification info:   ! The certificate Common Name (CN) "
                        "does not match with the expected CN");
    H_ASSERT_NO_LINE(&run, "I (T) esp-tls: verification info:   ! The certificate is not correctly "
                           "signed by the trusted CA");
    assert_open_failed(ex, &run);
    h_run_free(&run);
}

static void test_native_wrong_host_name(void **state)
{
    (void)state;
    wrong_host(&mx_native);
}

static void test_simple_wrong_host_name(void **state)
{
    (void)state;
    wrong_host(&mx_simple);
}

/* ---- 9. a server that stalls mid-body -------------------------------------------- */

#define STALL_BODY 4000 /* bytes of the image sent before the silence */

static int start_stall(void **state)
{
    (void)state;
    char head[128];
    int hl =
        snprintf(head, sizeof head, "HTTP/1.1 200 OK\r\nContent-Length: %zu\r\n\r\n", s_image_len);
    uint8_t bytes[sizeof head + STALL_BODY];
    memcpy(bytes, head, (size_t)hl);
    memcpy(bytes + hl, s_image, STALL_BODY);
    return mx_stall_start(&s_stall, H_TEST_CA, H_TEST_KEY, bytes, (size_t)hl + STALL_BODY);
}

static int stop_stall(void **state)
{
    (void)state;
    mx_stall_stop(&s_stall);
    return 0;
}

static double now_s(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static void stalled(const mx_example_t *ex)
{
    h_run_t run;
    double t0 = now_s();
    mx_expect_failure(ex, s_stall.proc.port, false, &run);
    double took = now_s() - t0;
    /* CONFIG_EXAMPLE_OTA_RECV_TIMEOUT is 5000 ms of real time: not sooner,
     * and not much later (the device and its next boot take well under 1 s) */
    if (took < 4.9 || took > 9.0) {
        fail_msg("the stalled update took %.2f s, not 5 s + a little", took);
    }
    H_ASSERT_LINE(&run, "E (T) HTTP_CLIENT: no data from localhost:8070 for 5000 ms (timeout_ms)");
    char line[128];
    if (ex == &mx_native) {
        H_ASSERT_LINE(&run, "E (T) native_ota_example: Error: SSL data read error");
        H_ASSERT_NO_LINE(&run, "I (T) native_ota_example: Prepare to restart system!");
    } else {
        snprintf(line, sizeof line,
                 "E (T) esp_https_ota: Error: SSL data read error after %d bytes", STALL_BODY);
        H_ASSERT_LINE(&run, line);
        H_ASSERT_LINE(&run,
                      "E (T) simple_ota_example: Firmware Upgrades Failed (0xffffffff ESP_FAIL)");
    }
    h_run_free(&run);
}

static void test_native_stalled_server_read_timeout(void **state)
{
    (void)state;
    stalled(&mx_native);
}

static void test_simple_stalled_server_read_timeout(void **state)
{
    (void)state;
    stalled(&mx_simple);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_native_untrusted_certificate),
        cmocka_unit_test(test_simple_untrusted_certificate),
        cmocka_unit_test(test_native_wrong_host_name),
        cmocka_unit_test(test_simple_wrong_host_name),
        cmocka_unit_test_setup_teardown(test_native_stalled_server_read_timeout, start_stall,
                                        stop_stall),
        cmocka_unit_test_setup_teardown(test_simple_stalled_server_read_timeout, start_stall,
                                        stop_stall),
    };
    return cmocka_run_group_tests(tests, start_servers, stop_servers);
}
