/* The host SHA-256 engine gives the same digests as mbedTLS for every length
 * and split, and hands libcrypto whole runs of blocks. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <mbedtls/sha256.h>

#include "bs_sha256.h"
#include "esp_private/sha256_host.h"

static uint8_t s_buf[70000];

static int setup(void **state)
{
    (void)state;
    srand(7);
    for (size_t i = 0; i < sizeof s_buf; i++) {
        s_buf[i] = (uint8_t)rand();
    }
    esp_sha256_host_install();
    return 0;
}

static void test_every_short_length(void **state)
{
    (void)state;
    for (uint32_t len = 0; len <= 1100; len++) {
        uint8_t want[32], got[32];
        assert_int_equal(mbedtls_sha256_ret(s_buf, len, want, 0), 0);
        bs_sha256(s_buf, len, got);
        assert_memory_equal(got, want, 32);
    }
}

static void test_random_splits(void **state)
{
    (void)state;
    for (int round = 0; round < 300; round++) {
        uint32_t len = (uint32_t)rand() % (uint32_t)sizeof s_buf;
        uint8_t want[32], got[32];
        assert_int_equal(mbedtls_sha256_ret(s_buf, len, want, 0), 0);
        bs_sha256_t ctx;
        bs_sha256_init(&ctx);
        for (uint32_t off = 0; off < len;) {
            /* Small pieces and runs of many blocks, unaligned. */
            uint32_t n = (rand() & 1) ? (uint32_t)rand() % 130u : (uint32_t)rand() % 9000u;
            if (n > len - off) {
                n = len - off;
            }
            bs_sha256_update(&ctx, s_buf + off, n);
            off += n;
        }
        bs_sha256_finish(&ctx, got);
        assert_memory_equal(got, want, 32);
    }
}

/* The same state in, the same state out as the core's own block function. */
static void test_blocks_equal_core(void **state)
{
    (void)state;
    uint32_t a[8], b[8];
    for (int i = 0; i < 8; i++) {
        a[i] = b[i] = (uint32_t)rand();
    }
    bs_sha256_blocks_c(a, s_buf, 1000);
    bs_sha256_t ctx;
    bs_sha256_init(&ctx);
    memcpy(ctx.state, b, sizeof b);
    bs_sha256_update(&ctx, s_buf, 1000 * 64);
    assert_memory_equal(ctx.state, a, sizeof a);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_every_short_length),
        cmocka_unit_test(test_random_splits),
        cmocka_unit_test(test_blocks_equal_core),
    };
    return cmocka_run_group_tests(tests, setup, NULL);
}
