/* CRC-32: the SDK's crc32_le contract, checked against zlib. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <zlib.h>

#include <cmocka.h>

#include "bs_crc32.h"

static void test_check_value(void **state)
{
    (void)state;
    assert_int_equal(bs_crc32_le(0, (const uint8_t *)"123456789", 9), 0xCBF43926u);
}

static void test_empty_returns_seed(void **state)
{
    (void)state;
    static const uint8_t none[1] = {0};
    assert_int_equal(bs_crc32_le(0, none, 0), 0);
    assert_int_equal(bs_crc32_le(0xFFFFFFFFu, none, 0), 0xFFFFFFFFu);
    assert_int_equal(bs_crc32_le(0x12345678u, none, 0), 0x12345678u);
}

/* Reference §2.2: crc32_le(0xFFFFFFFF, seq as 4 LE bytes). */
static void test_otadata_table(void **state)
{
    (void)state;
    static const struct {
        uint32_t seq;
        uint32_t crc;
    } rows[] = {
        {1, 0x4743989Au}, {2, 0x55F63774u}, {3, 0xED4A5011u}, {4, 0x709D68A8u}, {5, 0xC8210FCDu},
    };
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        uint8_t b[4] = {(uint8_t)rows[i].seq, (uint8_t)(rows[i].seq >> 8),
                        (uint8_t)(rows[i].seq >> 16), (uint8_t)(rows[i].seq >> 24)};
        assert_int_equal(bs_crc32_le(0xFFFFFFFFu, b, 4), rows[i].crc);
    }
}

static void test_random_vs_zlib(void **state)
{
    (void)state;
    srand(1234);
    static uint8_t buf[5000];
    for (size_t i = 0; i < sizeof buf; i++) {
        buf[i] = (uint8_t)rand();
    }
    for (int round = 0; round < 300; round++) {
        uint32_t len = (uint32_t)rand() % (uint32_t)sizeof buf;
        uint32_t off = (uint32_t)rand() % ((uint32_t)sizeof buf - len + 1);
        uint32_t seed = (round & 1) ? (uint32_t)rand() * 2654435761u : 0;
        uint32_t want = (uint32_t)crc32(seed, buf + off, len);
        assert_int_equal(bs_crc32_le(seed, buf + off, len), want);
    }
}

static void test_chaining(void **state)
{
    (void)state;
    const uint8_t *s = (const uint8_t *)"The quick brown fox jumps over the lazy dog";
    uint32_t whole = bs_crc32_le(0, s, 43);
    assert_int_equal(whole, 0x414FA339u);
    for (uint32_t cut = 0; cut <= 43; cut++) {
        assert_int_equal(bs_crc32_le(bs_crc32_le(0, s, cut), s + cut, 43 - cut), whole);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_check_value),   cmocka_unit_test(test_empty_returns_seed),
        cmocka_unit_test(test_otadata_table), cmocka_unit_test(test_random_vs_zlib),
        cmocka_unit_test(test_chaining),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
