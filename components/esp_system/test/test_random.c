/* esp_fill_random / esp_random: every byte of any length is filled, and
 * draws differ (the chance of a false failure is below 2^-200). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "esp_system.h"

static void test_fill_every_length(void **state)
{
    (void)state;
    for (size_t len = 1; len <= 300; len++) {
        uint8_t a[300 + 2], b[300 + 2];
        /* Guard bytes either side must survive. */
        memset(a, 0xA5, sizeof a);
        memset(b, 0xA5, sizeof b);
        esp_fill_random(a + 1, len);
        esp_fill_random(b + 1, len);
        assert_int_equal(a[0], 0xA5);
        assert_int_equal(a[len + 1], 0xA5);
        if (len >= 32) {
            assert_memory_not_equal(a + 1, b + 1, len);
        }
    }
}

static void test_large_fill_is_not_constant(void **state)
{
    (void)state;
    static uint8_t buf[1 << 16];
    memset(buf, 0, sizeof buf);
    esp_fill_random(buf, sizeof buf);
    /* Every byte value appears in 64 KB of random bytes (each is missing with
     * probability (255/256)^65536, about 2^-369). */
    int seen[256] = {0};
    for (size_t i = 0; i < sizeof buf; i++) {
        seen[buf[i]] = 1;
    }
    for (int v = 0; v < 256; v++) {
        assert_true(seen[v]);
    }
}

static void test_esp_random_words_differ(void **state)
{
    (void)state;
    uint32_t w[8];
    for (int i = 0; i < 8; i++) {
        w[i] = esp_random();
    }
    int distinct = 0;
    for (int i = 0; i < 8; i++) {
        int dup = 0;
        for (int j = 0; j < i; j++) {
            dup |= w[j] == w[i];
        }
        distinct += !dup;
    }
    assert_true(distinct >= 7);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_fill_every_length),
        cmocka_unit_test(test_large_fill_is_not_constant),
        cmocka_unit_test(test_esp_random_words_differ),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
