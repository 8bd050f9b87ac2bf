/* The porting layer: little-endian helpers, division, HAL checks and the
 * range-checked flash wrappers. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "bs_port.h"
#include "bs_test_hal.h"

static void test_le_helpers(void **state)
{
    (void)state;
    uint8_t b[4] = {0x78, 0x56, 0x34, 0x12};
    assert_int_equal(bs_le16(b), 0x5678);
    assert_int_equal(bs_le32(b), 0x12345678u);
    uint8_t c[4] = {0xFF, 0xFF, 0xFF, 0xFF};
    assert_int_equal(bs_le32(c), 0xFFFFFFFFu);
    bs_put_le32(c, 0xA1B2C3D4u);
    assert_int_equal(c[0], 0xD4);
    assert_int_equal(c[3], 0xA1);
    bs_put_le16(c, 0xBEEF);
    assert_int_equal(c[0], 0xEF);
    assert_int_equal(c[1], 0xBE);
    assert_int_equal(c[2], 0xB2); /* untouched */
}

static void test_udivmod32(void **state)
{
    (void)state;
    static const uint32_t edge[][2] = {
        {0, 1},
        {1, 1},
        {5, 7},
        {7, 7},
        {0xFFFFFFFFu, 1},
        {0xFFFFFFFFu, 2},
        {0xFFFFFFFFu, 0xFFFFFFFFu},
        {0xFFFFFFFEu, 0xFFFFFFFFu},
        {0x80000000u, 3},
        {1000000, 16},
        {0xFFFFFFFEu, 3},
    };
    for (size_t i = 0; i < sizeof edge / sizeof edge[0]; i++) {
        uint32_t r = 0xDEAD;
        assert_int_equal(bs_udivmod32(edge[i][0], edge[i][1], &r), edge[i][0] / edge[i][1]);
        assert_int_equal(r, edge[i][0] % edge[i][1]);
    }
    srand(7);
    for (int i = 0; i < 100000; i++) {
        uint32_t n = ((uint32_t)rand() << 16) ^ (uint32_t)rand();
        uint32_t d = (((uint32_t)rand() << 16) ^ (uint32_t)rand()) >> (rand() % 32);
        if (d == 0) {
            d = 1;
        }
        uint32_t r;
        assert_int_equal(bs_udivmod32(n, d, &r), n / d);
        assert_int_equal(r, n % d);
    }
    assert_int_equal(bs_udivmod32(17, 5, NULL), 3);
}

static void test_hal_check(void **state)
{
    (void)state;
    bs_hal_t hal;
    tflash_t *f = tflash_new(0x100000, &hal);
    assert_int_equal(bs_hal_check(&hal), ESP_OK);

    static const struct {
        const char *what;
        uint32_t chip, sector;
    } bad_geometry[] = {
        {"sector not a power of two", 0x100000, 3000},
        {"sector below 256", 0x100000, 128},
        {"sector zero", 0x100000, 0},
        {"chip zero", 0, 4096},
        {"chip not a multiple of the sector", 0x100800, 4096},
    };
    for (size_t i = 0; i < sizeof bad_geometry / sizeof bad_geometry[0]; i++) {
        bs_hal_t h = hal;
        h.chip_size = bad_geometry[i].chip;
        h.sector_size = bad_geometry[i].sector;
        if (bs_hal_check(&h) != ESP_ERR_INVALID_ARG) {
            fail_msg("%s accepted", bad_geometry[i].what);
        }
    }
    bs_hal_t h = hal;
    h.read = NULL;
    assert_int_equal(bs_hal_check(&h), ESP_ERR_INVALID_ARG);
    h = hal;
    h.write = NULL;
    assert_int_equal(bs_hal_check(&h), ESP_ERR_INVALID_ARG);
    h = hal;
    h.erase_sector = NULL;
    assert_int_equal(bs_hal_check(&h), ESP_ERR_INVALID_ARG);
    assert_int_equal(bs_hal_check(NULL), ESP_ERR_INVALID_ARG);
    h = hal;
    h.log = NULL; /* the log hook is optional */
    assert_int_equal(bs_hal_check(&h), ESP_OK);
    tflash_free(f);
}

/* Out-of-range calls fail with the SDK's code and never reach the backend. */
static void test_flash_ranges(void **state)
{
    (void)state;
    bs_hal_t hal;
    tflash_t *f = tflash_new(0x10000, &hal);
    uint8_t buf[64] = {0};
    static const struct {
        uint32_t addr, len;
        esp_err_t want;
    } reads[] = {
        {0, 16, ESP_OK},
        {0x10000 - 16, 16, ESP_OK},
        {0x10000 - 16, 17, ESP_ERR_FLASH_OP_FAIL},
        {0x10000, 1, ESP_ERR_FLASH_OP_FAIL},
        {0x10000, 0, ESP_OK},
        {0xFFFFFFF0u, 32, ESP_ERR_FLASH_OP_FAIL}, /* addr + len wraps */
    };
    for (size_t i = 0; i < sizeof reads / sizeof reads[0]; i++) {
        uint32_t before = f->reads;
        assert_int_equal(bs_flash_read(&hal, reads[i].addr, buf, reads[i].len), reads[i].want);
        assert_int_equal(bs_flash_write(&hal, reads[i].addr, buf, reads[i].len),
                         reads[i].want == ESP_OK ? ESP_OK : ESP_ERR_FLASH_OP_FAIL);
        if (reads[i].want != ESP_OK || reads[i].len == 0) {
            assert_int_equal(f->reads, before);
        }
    }
    tflash_free(f);
}

static void test_flash_erase(void **state)
{
    (void)state;
    bs_hal_t hal;
    tflash_t *f = tflash_new(0x10000, &hal);
    memset(f->mem, 0, f->size);

    assert_int_equal(bs_flash_erase_sector(&hal, 0x1000), ESP_OK);
    assert_int_equal(f->mem[0x1000], 0xFF);
    assert_int_equal(f->mem[0x1FFF], 0xFF);
    assert_int_equal(f->mem[0x2000], 0x00);
    assert_int_equal(bs_flash_erase_sector(&hal, 0x1001), ESP_ERR_INVALID_ARG);
    assert_int_equal(bs_flash_erase_sector(&hal, 0x10000), ESP_ERR_FLASH_OP_FAIL);
    assert_int_equal(f->erases, 1);

    assert_int_equal(bs_flash_erase_range(&hal, 0x2000, 0x1800), ESP_ERR_INVALID_ARG);
    assert_int_equal(bs_flash_erase_range(&hal, 0x2800, 0x1000), ESP_ERR_INVALID_ARG);
    /* Partly beyond the chip: nothing is erased at all. */
    assert_int_equal(bs_flash_erase_range(&hal, 0xE000, 0x3000), ESP_ERR_FLASH_OP_FAIL);
    assert_int_equal(f->erases, 1);
    assert_int_equal(f->mem[0xE000], 0x00);

    assert_int_equal(bs_flash_erase_range(&hal, 0xD000, 0x3000), ESP_OK);
    assert_int_equal(f->erases, 4);
    assert_int_equal(f->sector_erases[0xD], 1);
    assert_int_equal(f->sector_erases[0xF], 1);
    assert_int_equal(f->mem[0xCFFF], 0x00);
    assert_int_equal(f->mem[0xD000], 0xFF);
    assert_int_equal(bs_flash_erase_range(&hal, 0x3000, 0), ESP_OK);
    assert_int_equal(f->erases, 4);

    /* A backend failure stops the range and is returned. */
    f->fail_op_countdown = 2;
    assert_int_equal(bs_flash_erase_range(&hal, 0x4000, 0x3000), ESP_ERR_FLASH_OP_FAIL);
    assert_int_equal(f->sector_erases[0x4], 1);
    assert_int_equal(f->sector_erases[0x5], 0);
    assert_int_equal(f->sector_erases[0x6], 0);
    tflash_free(f);
}

/* bs_flash_sector_blank: the whole sector, a word at a time, stopping at the
 * first programmed byte; never erases, never writes. */
static void test_flash_sector_blank(void **state)
{
    (void)state;
    static const struct {
        int32_t dirty_at; /* byte of sector 1 set to 0x7F first; -1: none */
        bool blank;
        uint32_t bytes_read; /* reads stop at the 256-byte block holding it */
    } rows[] = {
        {-1, true, 4096}, {0, false, 256},      {3, false, 256},
        {255, false, 256}, {256, false, 512},   {4095, false, 4096},
    };
    for (size_t r = 0; r < sizeof rows / sizeof rows[0]; r++) {
        bs_hal_t hal;
        tflash_t *f = tflash_new(0x10000, &hal);
        f->mem[0x0FFF] = 0x00; /* the neighbours do not count */
        f->mem[0x2000] = 0x00;
        if (rows[r].dirty_at >= 0) {
            f->mem[0x1000 + (uint32_t)rows[r].dirty_at] = 0x7F;
        }
        bool blank = !rows[r].blank;
        assert_int_equal(bs_flash_sector_blank(&hal, 0x1000, &blank), ESP_OK);
        if (blank != rows[r].blank || f->bytes_read != rows[r].bytes_read) {
            fail_msg("row %zu: blank %d bytes_read %u, want %d %u", r, blank,
                     (unsigned)f->bytes_read, rows[r].blank, (unsigned)rows[r].bytes_read);
        }
        assert_int_equal(f->erases, 0);
        assert_int_equal(f->writes, 0);
        tflash_free(f);
    }
    bs_hal_t hal;
    tflash_t *f = tflash_new(0x10000, &hal);
    bool blank = true;
    assert_int_equal(bs_flash_sector_blank(&hal, 0x1100, &blank), ESP_ERR_INVALID_ARG);
    assert_false(blank);
    blank = true;
    assert_int_equal(bs_flash_sector_blank(&hal, 0x10000, &blank), ESP_ERR_FLASH_OP_FAIL);
    assert_false(blank);
    f->fail_read_lo = 0x1F00;
    f->fail_read_hi = 0x1F01;
    blank = true;
    assert_int_equal(bs_flash_sector_blank(&hal, 0x1000, &blank), ESP_ERR_FLASH_OP_FAIL);
    assert_false(blank);
    assert_int_equal(f->reads, 15); /* the 15 blocks before the failing one */
    tflash_free(f);
}

static void test_write_passes_backend_errors(void **state)
{
    (void)state;
    bs_hal_t hal;
    tflash_t *f = tflash_new(0x10000, &hal);
    uint8_t zeros[4] = {0};
    uint8_t ones[4] = {0xFF, 0xFF, 0xFF, 0xFF};
    assert_int_equal(bs_flash_write(&hal, 0x100, zeros, 4), ESP_OK);
    /* Strict NOR: 1 over 0 is refused by the backend and reported. */
    assert_int_equal(bs_flash_write(&hal, 0x100, ones, 4), ESP_ERR_INVALID_STATE);
    f->fail_read_lo = 0x200;
    f->fail_read_hi = 0x300;
    uint8_t b[4];
    assert_int_equal(bs_flash_read(&hal, 0x1FE, b, 4), ESP_ERR_FLASH_OP_FAIL);
    assert_int_equal(bs_flash_read(&hal, 0x1FC, b, 4), ESP_OK);
    tflash_free(f);
}

static void test_log_hook(void **state)
{
    (void)state;
    bs_hal_t hal;
    tflash_t *f = tflash_new(0x10000, &hal);
    BS_LOGE(&hal, "tag", "value %d 0x%x %s", 12, 0xAB, "x");
    BS_LOGW(&hal, "t2", "w");
    BS_LOGI(&hal, "t3", "i");
    BS_LOGD(&hal, "t4", "d");
    assert_int_equal(f->log.count, 4);
    assert_string_equal(f->log.lines[0], "E tag: value 12 0xab x");
    assert_string_equal(f->log.lines[1], "W t2: w");
    assert_string_equal(f->log.lines[2], "I t3: i");
    assert_string_equal(f->log.lines[3], "D t4: d");
    hal.log = NULL;
    BS_LOGE(&hal, "tag", "dropped");
    BS_LOGE(NULL, "tag", "dropped");
    assert_int_equal(f->log.count, 4);
    tflash_free(f);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_le_helpers),  cmocka_unit_test(test_udivmod32),
        cmocka_unit_test(test_hal_check),   cmocka_unit_test(test_flash_ranges),
        cmocka_unit_test(test_flash_erase), cmocka_unit_test(test_flash_sector_blank),
        cmocka_unit_test(test_write_passes_backend_errors), cmocka_unit_test(test_log_hook),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
