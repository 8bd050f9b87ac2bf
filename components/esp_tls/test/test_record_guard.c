/* The IN-content-length model on its own: record headers fed as raw bytes. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>
#include <mbedtls/ssl.h>

#include "esp_tls_priv.h"

/* A record header followed by len body bytes (zeros), written into buf. */
static size_t record(uint8_t *buf, uint8_t type, uint32_t len)
{
    buf[0] = type;
    buf[1] = 3;
    buf[2] = 3;
    buf[3] = (uint8_t)(len >> 8);
    buf[4] = (uint8_t)len;
    memset(buf + 5, 0, len);
    return 5 + len;
}

static uint8_t s_buf[3 * 20000];

static void test_plaintext_limit_is_in_content_len(void **state)
{
    (void)state;
    tls_record_guard_t g;
    tls_record_guard_init(&g, 4096);
    size_t n = record(s_buf, 22, 4096);
    assert_int_equal(tls_record_guard_feed(&g, s_buf, n), 0);
    n = record(s_buf, 22, 4097);
    assert_int_equal(tls_record_guard_feed(&g, s_buf, n), MBEDTLS_ERR_SSL_INVALID_RECORD);
    /* sticky: nothing after a refused record is accepted */
    n = record(s_buf, 22, 10);
    assert_int_equal(tls_record_guard_feed(&g, s_buf, n), MBEDTLS_ERR_SSL_INVALID_RECORD);
}

static void test_encrypted_limit_after_change_cipher_spec(void **state)
{
    (void)state;
    tls_record_guard_t g;
    tls_record_guard_init(&g, 4096);
    uint32_t limit = tls_record_guard_encrypted_limit(4096);
    assert_int_equal(limit, 4096 + 256 + 80);
    /* before CCS the encrypted allowance does not apply */
    size_t n = record(s_buf, 23, 4096 + 1);
    assert_int_equal(tls_record_guard_feed(&g, s_buf, n), MBEDTLS_ERR_SSL_INVALID_RECORD);

    tls_record_guard_init(&g, 4096);
    n = record(s_buf, 20, 1);
    n += record(s_buf + n, 22, 40);
    n += record(s_buf + n, 23, limit);
    assert_int_equal(tls_record_guard_feed(&g, s_buf, n), 0);
    assert_true(g.encrypted);
    n = record(s_buf, 23, limit + 1);
    assert_int_equal(tls_record_guard_feed(&g, s_buf, n), MBEDTLS_ERR_SSL_INVALID_RECORD);
}

static void test_headers_split_across_reads(void **state)
{
    (void)state;
    tls_record_guard_t g;
    tls_record_guard_init(&g, 16384);
    size_t n = record(s_buf, 22, 16384);
    n += record(s_buf + n, 22, 300);
    /* one byte at a time, as a slow network would deliver it */
    for (size_t i = 0; i < n; i++) {
        assert_int_equal(tls_record_guard_feed(&g, s_buf + i, 1), 0);
    }
    assert_int_equal(g.hdr_have, 0);
    assert_int_equal(g.body_left, 0);
    /* the 17th KB record fails once its 5th header byte arrives */
    n = record(s_buf, 22, 16385);
    assert_int_equal(tls_record_guard_feed(&g, s_buf, 4), 0);
    assert_int_equal(tls_record_guard_feed(&g, s_buf + 4, 1), MBEDTLS_ERR_SSL_INVALID_RECORD);
}

static void test_full_size_records_pass_default(void **state)
{
    (void)state;
    tls_record_guard_t g;
    tls_record_guard_init(&g, ESP_TLS_DEFAULT_IN_CONTENT_LEN);
    size_t n = record(s_buf, 22, 16384);
    n += record(s_buf + n, 20, 1);
    n += record(s_buf + n, 23, 16384 + 16);
    n += record(s_buf + n, 23, 16384 + 24);
    assert_int_equal(tls_record_guard_feed(&g, s_buf, n), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_plaintext_limit_is_in_content_len),
        cmocka_unit_test(test_encrypted_limit_after_change_cipher_spec),
        cmocka_unit_test(test_headers_split_across_reads),
        cmocka_unit_test(test_full_size_records_pass_default),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
