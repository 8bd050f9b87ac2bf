/* SHA-256: FIPS 180-4 vectors and random data against mbedTLS. */
#include <mbedtls/sha256.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "bs_sha256.h"

static void hex(const uint8_t d[32], char out[65])
{
    for (int i = 0; i < 32; i++) {
        sprintf(out + 2 * i, "%02x", d[i]);
    }
}

static void assert_digest(const uint8_t d[32], const char *want)
{
    char got[65];
    hex(d, got);
    assert_string_equal(got, want);
}

static void test_vectors(void **state)
{
    (void)state;
    static const struct {
        const char *msg;
        const char *digest;
    } v[] = {
        {"", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"},
        {"abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"},
        {"abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq",
         "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"},
        {"abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmnoijklmnopjklmnopqklmnopqrl"
         "mnopqrsmnopqrstnopqrstu",
         "cf5b16a778af8380036ce59e7b0492370b249b11e8f07a51afac45037afee9d1"},
    };
    for (size_t i = 0; i < sizeof v / sizeof v[0]; i++) {
        uint8_t d[32];
        bs_sha256(v[i].msg, (uint32_t)strlen(v[i].msg), d);
        assert_digest(d, v[i].digest);
    }
}

static void test_million_a(void **state)
{
    (void)state;
    uint8_t chunk[1000];
    memset(chunk, 'a', sizeof chunk);
    bs_sha256_t ctx;
    bs_sha256_init(&ctx);
    for (int i = 0; i < 1000; i++) {
        bs_sha256_update(&ctx, chunk, sizeof chunk);
    }
    uint8_t d[32];
    bs_sha256_finish(&ctx, d);
    assert_digest(d, "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
}

/* Lengths around the padding boundaries (55/56/63/64 mod 64) are where
 * SHA-256 implementations go wrong. */
static void test_boundary_lengths_vs_mbedtls(void **state)
{
    (void)state;
    uint8_t buf[300];
    for (size_t i = 0; i < sizeof buf; i++) {
        buf[i] = (uint8_t)(i * 31u + 7u);
    }
    for (uint32_t len = 0; len <= sizeof buf; len++) {
        uint8_t want[32], got[32];
        assert_int_equal(mbedtls_sha256_ret(buf, len, want, 0), 0);
        bs_sha256(buf, len, got);
        assert_memory_equal(got, want, 32);
    }
}

static void test_random_chunked_vs_mbedtls(void **state)
{
    (void)state;
    srand(42);
    static uint8_t buf[20000];
    for (size_t i = 0; i < sizeof buf; i++) {
        buf[i] = (uint8_t)rand();
    }
    for (int round = 0; round < 200; round++) {
        uint32_t len = (uint32_t)rand() % (uint32_t)sizeof buf;
        uint8_t want[32], got[32];
        assert_int_equal(mbedtls_sha256_ret(buf, len, want, 0), 0);
        bs_sha256_t ctx;
        bs_sha256_init(&ctx);
        uint32_t off = 0;
        while (off < len) {
            uint32_t n = (uint32_t)rand() % 150u;
            if (n > len - off) {
                n = len - off;
            }
            bs_sha256_update(&ctx, buf + off, n);
            off += n;
        }
        bs_sha256_finish(&ctx, got);
        assert_memory_equal(got, want, 32);
    }
}

static void test_byte_count_carries_into_high_word(void **state)
{
    (void)state;
    bs_sha256_t ctx;
    bs_sha256_init(&ctx);
    ctx.count_lo = 0xFFFFFFF0u;
    uint8_t b[64] = {0};
    bs_sha256_update(&ctx, b, 32);
    assert_int_equal(ctx.count_hi, 1);
    assert_int_equal(ctx.count_lo, 0x10);
}

/* An installed block function receives every block, whole runs in one call,
 * and the digest is the same; NULL puts the core's own back. */
static uint32_t s_blocks_seen;
static uint32_t s_calls;

static void counting_blocks(uint32_t st[8], const uint8_t *data, uint32_t nblocks)
{
    s_blocks_seen += nblocks;
    s_calls++;
    bs_sha256_blocks_c(st, data, nblocks);
}

static void test_installed_block_function(void **state)
{
    (void)state;
    static uint8_t buf[64 * 40 + 17];
    for (size_t i = 0; i < sizeof buf; i++) {
        buf[i] = (uint8_t)(i * 13u + 1u);
    }
    uint8_t want[32], got[32];
    assert_int_equal(mbedtls_sha256_ret(buf, sizeof buf, want, 0), 0);

    bs_sha256_set_blocks(counting_blocks);
    s_blocks_seen = s_calls = 0;
    bs_sha256(buf, sizeof buf, got);
    assert_memory_equal(got, want, 32);
    /* 40 whole blocks in one call, then the padded last block (17 + 9 <= 64). */
    assert_int_equal(s_blocks_seen, 41);
    assert_int_equal(s_calls, 2);

    bs_sha256_set_blocks(NULL);
    s_blocks_seen = s_calls = 0;
    bs_sha256(buf, sizeof buf, got);
    assert_memory_equal(got, want, 32);
    assert_int_equal(s_calls, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_vectors),
        cmocka_unit_test(test_million_a),
        cmocka_unit_test(test_boundary_lengths_vs_mbedtls),
        cmocka_unit_test(test_random_chunked_vs_mbedtls),
        cmocka_unit_test(test_byte_count_carries_into_high_word),
        cmocka_unit_test(test_installed_block_function),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
