/* The virtual NOR flash: one test per rule of DESIGN.md §2. */
#include "sim_test_util.h"

#include <sys/stat.h>

#define MB (1024u * 1024u)

static void test_fresh_chip_is_erased_and_erase_sets_ff(void **state)
{
    (void)state;
    test_chip_t c;
    test_chip_open(&c, 1 * MB, NULL);
    static uint8_t all[1 * MB];
    test_peek(&c, 0, all, sizeof all);
    for (uint32_t i = 0; i < sizeof all; i++) {
        assert_int_equal(all[i], 0xFF);
    }
    uint8_t zeros[SIM_SECTOR_SIZE] = {0};
    assert_int_equal(sim_flash_write(&c.f, 0x3000, zeros, sizeof zeros), ESP_OK);
    assert_int_equal(sim_flash_write(&c.f, 0x4000, zeros, 16), ESP_OK);
    assert_int_equal(sim_flash_erase_sector(&c.f, 0x3000), ESP_OK);
    uint8_t buf[2 * SIM_SECTOR_SIZE];
    assert_int_equal(sim_flash_read(&c.f, 0x3000, buf, sizeof buf), ESP_OK);
    for (uint32_t i = 0; i < SIM_SECTOR_SIZE; i++) {
        assert_int_equal(buf[i], 0xFF);
    }
    /* the next sector is not part of the erase */
    for (uint32_t i = 0; i < 16; i++) {
        assert_int_equal(buf[SIM_SECTOR_SIZE + i], 0x00);
    }
    test_chip_close(&c);
}

static void test_programming_is_and(void **state)
{
    (void)state;
    test_chip_t c;
    test_chip_open(&c, 1 * MB, NULL);
    const uint8_t a[4] = {0xF0, 0x0F, 0xAA, 0xFF};
    const uint8_t b[4] = {0x3C, 0xFF, 0x55, 0x81};
    assert_int_equal(sim_flash_write(&c.f, 0x100, a, 4), ESP_OK);
    assert_int_equal(sim_flash_write(&c.f, 0x100, b, 4), ESP_OK);
    uint8_t got[4];
    assert_int_equal(sim_flash_read(&c.f, 0x100, got, 4), ESP_OK);
    const uint8_t want[4] = {0x30, 0x0F, 0x00, 0x81};
    assert_memory_equal(got, want, 4);
    test_chip_close(&c);
}

static void test_strict_rise_is_an_error_with_address(void **state)
{
    (void)state;
    test_chip_t c;
    test_chip_open(&c, 1 * MB, NULL);
    c.f.st->strict = 1;
    const uint8_t zeros[4] = {0};
    const uint8_t a5[4] = {0xA5, 0xA5, 0xA5, 0xA5};
    assert_int_equal(sim_flash_write(&c.f, 0x11000, zeros, 4), ESP_OK);
    /* the same bits again are no rise */
    assert_int_equal(sim_flash_write(&c.f, 0x11000, zeros, 4), ESP_OK);
    assert_int_equal(sim_flash_write(&c.f, 0x11008, a5, 4), ESP_OK);
    /* now: 0x11000..3 = 00, 0x11004..7 = FF, 0x11008..b = A5 */
    uint8_t over[12] = {0};
    over[2] = 0x01;  /* 0x11002 holds 0x00: the first 0 -> 1 */
    over[9] = 0xA5;  /* legal */
    over[10] = 0xFF; /* 0x1100a holds 0xA5: also a rise, but later */
    uint64_t writes = c.f.st->counters.writes;
    assert_int_equal(sim_flash_write(&c.f, 0x11000, over, sizeof over), ESP_ERR_FLASH_OP_FAIL);
    assert_non_null(strstr(c.f.last_error, "0->1 write at 0x00011002"));

    /* nothing of the failed write landed (0x11004 would have gone to 00), nothing counted */
    uint8_t got[12];
    test_peek(&c, 0x11000, got, sizeof got);
    const uint8_t before[12] = {0, 0, 0, 0, 0xFF, 0xFF, 0xFF, 0xFF, 0xA5, 0xA5, 0xA5, 0xA5};
    assert_memory_equal(got, before, sizeof before);
    assert_int_equal(c.f.st->counters.writes, writes);
    assert_int_equal(c.f.st->counters.modify_ops, writes);

    /* the same write without strict mode ANDs silently */
    c.f.st->strict = 0;
    assert_int_equal(sim_flash_write(&c.f, 0x11000, over, sizeof over), ESP_OK);
    test_peek(&c, 0x11000, got, sizeof got);
    const uint8_t after[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0x00, 0xA5, 0xA5, 0x00};
    assert_memory_equal(got, after, sizeof after);
    test_chip_close(&c);
}

static void test_out_of_range_fails_with_address(void **state)
{
    (void)state;
    test_chip_t c;
    test_chip_open(&c, 1 * MB, NULL);
    uint8_t buf[8] = {0};
    sim_counters_t before = c.f.st->counters;
    assert_int_equal(sim_flash_read(&c.f, 1 * MB - 4, buf, 8), ESP_ERR_FLASH_OP_FAIL);
    assert_non_null(strstr(c.f.last_error, "read of 8 bytes at 0x000ffffc"));
    assert_non_null(strstr(c.f.last_error, "0x00100000"));
    assert_int_equal(sim_flash_write(&c.f, 1 * MB - 4, buf, 8), ESP_ERR_FLASH_OP_FAIL);
    assert_non_null(strstr(c.f.last_error, "write of 8 bytes at 0x000ffffc"));
    /* addr + len wrapping past 2^32 must not look in range */
    assert_int_equal(sim_flash_write(&c.f, 0xFFFFFFFCu, buf, 8), ESP_ERR_FLASH_OP_FAIL);
    assert_int_equal(sim_flash_read(&c.f, 0xFFFFFFFCu, buf, 8), ESP_ERR_FLASH_OP_FAIL);
    assert_int_equal(sim_flash_erase_sector(&c.f, 1 * MB), ESP_ERR_FLASH_OP_FAIL);
    assert_non_null(strstr(c.f.last_error, "erase of 4096 bytes at 0x00100000"));
    /* the last bytes and the last sector are in range */
    assert_int_equal(sim_flash_read(&c.f, 1 * MB - 8, buf, 8), ESP_OK);
    assert_int_equal(sim_flash_write(&c.f, 1 * MB - 8, buf, 8), ESP_OK);
    assert_int_equal(sim_flash_erase_sector(&c.f, 1 * MB - SIM_SECTOR_SIZE), ESP_OK);
    assert_int_equal(c.f.st->counters.modify_ops, before.modify_ops + 2);
    test_chip_close(&c);
}

static void test_unaligned_erase_is_invalid_arg(void **state)
{
    (void)state;
    test_chip_t c;
    test_chip_open(&c, 1 * MB, NULL);
    assert_int_equal(sim_flash_erase_sector(&c.f, 0x1001), ESP_ERR_INVALID_ARG);
    assert_non_null(strstr(c.f.last_error, "0x00001001"));
    assert_int_equal(sim_flash_erase_sector(&c.f, 0x800), ESP_ERR_INVALID_ARG);
    assert_int_equal(c.f.st->counters.erases, 0);
    assert_int_equal(c.f.st->counters.modify_ops, 0);
    test_chip_close(&c);
}

typedef struct {
    const char *text;
    uint32_t size;
} size_case_t;

static void test_parse_flash_size(void **state)
{
    (void)state;
    static const size_case_t ok[] = {
        {"1MB", 1 * MB},      {"2MB", 2 * MB},      {"4MB", 4 * MB},        {"8MB", 8 * MB},
        {"16MB", 16 * MB},    {"4M", 4 * MB},       {"16m", 16 * MB},       {"2mb", 2 * MB},
        {"0x100000", 1 * MB}, {"0x400000", 4 * MB}, {"0X1000000", 16 * MB}, {"1048576", 1 * MB},
        {"8388608", 8 * MB},
    };
    for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++) {
        assert_int_equal(sim_parse_flash_size(ok[i].text), ok[i].size);
    }
    static const char *const bad[] = {"",     "3MB",     "32MB",     "512KB",    "0x300000",
                                      "4 MB", "4MBx",    "-4MB",     "0x",       "MB",
                                      "4B",   "1000000", "0x400001", "4194304x", "99999999999999"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        assert_int_equal(sim_parse_flash_size(bad[i]), 0);
    }
    assert_int_equal(sim_parse_flash_size(NULL), 0);
}

static void test_every_chip_size_opens_and_bad_size_refused(void **state)
{
    (void)state;
    static const uint32_t sizes[] = {1 * MB, 2 * MB, 4 * MB, 8 * MB, 16 * MB};
    for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
        test_chip_t c;
        test_chip_open(&c, sizes[i], NULL);
        assert_int_equal(c.f.size, sizes[i]);
        assert_int_equal(c.f.st->chip_size, sizes[i]);
        struct stat sb;
        assert_int_equal(stat(c.path, &sb), 0);
        assert_int_equal(sb.st_size, sizes[i]);
        uint8_t last;
        assert_int_equal(sim_flash_read(&c.f, sizes[i] - 1, &last, 1), ESP_OK);
        assert_int_equal(last, 0xFF);
        test_chip_close(&c);
    }
    sim_flash_t f;
    assert_int_equal(sim_flash_open(&f, "/tmp/ota8266-never-created", 3 * MB, true, NULL),
                     ESP_ERR_INVALID_ARG);
    assert_non_null(strstr(f.last_error, "3145728"));
    assert_int_equal(access("/tmp/ota8266-never-created", F_OK), -1);
}

static void test_size_mismatch_names_both_sizes(void **state)
{
    (void)state;
    test_chip_t c;
    test_chip_open(&c, 1 * MB, NULL);
    sim_flash_close(&c.f);
    sim_flash_t f;
    assert_int_equal(sim_flash_open(&f, c.path, 4 * MB, false, NULL), ESP_ERR_INVALID_SIZE);
    assert_non_null(strstr(f.last_error, "1048576"));
    assert_non_null(strstr(f.last_error, "4194304"));
    /* with create too: an existing chip is never resized or refilled */
    assert_int_equal(sim_flash_open(&f, c.path, 2 * MB, true, NULL), ESP_ERR_INVALID_SIZE);
    /* size 0 takes the file's size */
    assert_int_equal(sim_flash_open(&f, c.path, 0, false, NULL), ESP_OK);
    assert_int_equal(f.size, 1 * MB);
    sim_flash_close(&f);
    unlink(c.path);
}

static void test_missing_file_without_create(void **state)
{
    (void)state;
    sim_flash_t f;
    assert_int_equal(sim_flash_open(&f, "/tmp/ota8266-no-such-chip", 4 * MB, false, NULL),
                     ESP_ERR_NOT_FOUND);
    assert_non_null(strstr(f.last_error, "/tmp/ota8266-no-such-chip"));
}

static void test_contents_persist_across_reopen(void **state)
{
    (void)state;
    test_chip_t c;
    test_chip_open(&c, 2 * MB, NULL);
    const uint8_t data[5] = {1, 2, 3, 4, 5};
    assert_int_equal(sim_flash_write(&c.f, 0x1FFFF0, data, 5), ESP_OK);
    sim_flash_close(&c.f);
    assert_int_equal(sim_flash_open(&c.f, c.path, 2 * MB, true, NULL), ESP_OK);
    uint8_t got[5];
    assert_int_equal(sim_flash_read(&c.f, 0x1FFFF0, got, 5), ESP_OK);
    assert_memory_equal(got, data, 5);
    test_chip_close(&c);
}

/* Prefaulting changes no byte and no counter; writes after it land in the
 * file like any other. */
static void test_prefault_keeps_contents(void **state)
{
    (void)state;
    test_chip_t c;
    test_chip_open(&c, 2 * MB, NULL);
    const uint8_t data[4] = {0x12, 0x34, 0x56, 0x78};
    assert_int_equal(sim_flash_write(&c.f, 0x1000, data, 4), ESP_OK);
    const sim_counters_t before = c.f.st->counters;
    sim_flash_prefault(&c.f);
    assert_memory_equal(&c.f.st->counters, &before, sizeof before);
    uint8_t got[4];
    assert_int_equal(sim_flash_read(&c.f, 0x1000, got, 4), ESP_OK);
    assert_memory_equal(got, data, 4);
    assert_int_equal(sim_flash_read(&c.f, 0x1004, got, 4), ESP_OK);
    assert_memory_equal(got, "\xff\xff\xff\xff", 4);
    assert_int_equal(sim_flash_write(&c.f, 0x1FFFFC, data, 4), ESP_OK);
    sim_flash_close(&c.f);
    assert_int_equal(sim_flash_open(&c.f, c.path, 2 * MB, false, NULL), ESP_OK);
    assert_int_equal(sim_flash_read(&c.f, 0x1FFFFC, got, 4), ESP_OK);
    assert_memory_equal(got, data, 4);
    test_chip_close(&c);
}

static void test_counters_exact_after_known_sequence(void **state)
{
    (void)state;
    test_chip_t c;
    test_chip_open(&c, 4 * MB, NULL);
    uint8_t buf[100] = {0};
    assert_int_equal(sim_flash_read(&c.f, 0, buf, 10), ESP_OK);
    assert_int_equal(sim_flash_read(&c.f, 0x1000, buf, 20), ESP_OK);
    assert_int_equal(sim_flash_read(&c.f, 0x2000, buf, 30), ESP_OK);
    assert_int_equal(sim_flash_erase_sector(&c.f, 0), ESP_OK);
    assert_int_equal(sim_flash_erase_sector(&c.f, 0), ESP_OK);
    assert_int_equal(sim_flash_erase_sector(&c.f, 0x5000), ESP_OK);
    assert_int_equal(sim_flash_erase_sector(&c.f, 0x3FF000), ESP_OK);
    for (int i = 0; i < 4; i++) {
        assert_int_equal(sim_flash_write(&c.f, 0x5000 + 100u * (uint32_t)i, buf, 100), ESP_OK);
    }
    /* failed and empty operations change nothing and count nothing */
    assert_int_equal(sim_flash_erase_sector(&c.f, 0x10), ESP_ERR_INVALID_ARG);
    assert_int_equal(sim_flash_read(&c.f, 4 * MB, buf, 1), ESP_ERR_FLASH_OP_FAIL);
    assert_int_equal(sim_flash_write(&c.f, 0x6000, buf, 0), ESP_OK);

    const sim_counters_t *k = &c.f.st->counters;
    assert_int_equal(k->reads, 3);
    assert_int_equal(k->bytes_read, 60);
    assert_int_equal(k->writes, 4);
    assert_int_equal(k->bytes_written, 400);
    assert_int_equal(k->erases, 4);
    assert_int_equal(k->modify_ops, 8);
    uint32_t total = 0;
    for (uint32_t s = 0; s < SIM_MAX_SECTORS; s++) {
        total += c.f.st->sector_erases[s];
    }
    assert_int_equal(total, 4);
    assert_int_equal(c.f.st->sector_erases[0], 2);
    assert_int_equal(c.f.st->sector_erases[5], 1);
    assert_int_equal(c.f.st->sector_erases[0x3FF], 1);

    char *text = NULL;
    size_t len = 0;
    FILE *out = open_memstream(&text, &len);
    sim_flash_print_stats(c.f.st, out);
    fclose(out);
    assert_non_null(strstr(text, "reads          3 (60 bytes)"));
    assert_non_null(strstr(text, "writes         4 (400 bytes)"));
    assert_non_null(strstr(text, "erases         4"));
    assert_non_null(strstr(text, "modifying ops  8"));
    assert_non_null(strstr(text, "sectors erased 3 distinct"));
    assert_non_null(strstr(text, "most worn      0x00000000 x2 0x00005000 x1 0x003ff000 x1"));
    free(text);
    test_chip_close(&c);
}

/* An erase of a sector that already reads all 0xFF is counted as blank,
 * whatever the sector held before: one programmed byte makes it not blank. */
static void test_blank_erases_counted(void **state)
{
    (void)state;
    test_chip_t c;
    test_chip_open(&c, 1 * MB, NULL);
    const uint8_t zero = 0x00;
    const uint8_t ff = 0xFF;
    assert_int_equal(sim_flash_erase_sector(&c.f, 0x1000), ESP_OK); /* fresh: blank */
    assert_int_equal(sim_flash_write(&c.f, 0x2FFF, &zero, 1), ESP_OK);
    assert_int_equal(sim_flash_erase_sector(&c.f, 0x2000), ESP_OK); /* last byte 0: not blank */
    assert_int_equal(sim_flash_erase_sector(&c.f, 0x2000), ESP_OK); /* erased again: blank */
    assert_int_equal(sim_flash_write(&c.f, 0x3000, &ff, 1), ESP_OK); /* 0xFF over 0xFF */
    assert_int_equal(sim_flash_erase_sector(&c.f, 0x3000), ESP_OK); /* still blank */
    assert_int_equal(c.f.st->counters.erases, 4);
    assert_int_equal(c.f.st->counters.blank_erases, 3);
    /* the blank check is not a read of the chip */
    assert_int_equal(c.f.st->counters.reads, 0);

    char *text = NULL;
    size_t len = 0;
    FILE *out = open_memstream(&text, &len);
    sim_flash_print_stats(c.f.st, out);
    fclose(out);
    assert_non_null(strstr(text, "blank erases   3"));
    free(text);
    test_chip_close(&c);
}

static void test_hal_routes_to_the_chip(void **state)
{
    (void)state;
    test_chip_t c;
    test_chip_open(&c, 4 * MB, NULL);
    bs_hal_t hal;
    sim_flash_hal(&c.f, 0, &hal);
    assert_int_equal(hal.chip_size, 4 * MB);
    assert_int_equal(hal.sector_size, SIM_SECTOR_SIZE);
    assert_non_null(hal.log);
    sim_flash_hal(&c.f, 2 * MB, &hal);
    assert_int_equal(hal.chip_size, 2 * MB);
    assert_ptr_equal(hal.flash_ctx, &c.f);

    const uint8_t data[3] = {0x12, 0x34, 0x56};
    assert_int_equal(hal.erase_sector(hal.flash_ctx, 0x8000), ESP_OK);
    assert_int_equal(hal.write(hal.flash_ctx, 0x8000, data, 3), ESP_OK);
    uint8_t got[3];
    assert_int_equal(hal.read(hal.flash_ctx, 0x8000, got, 3), ESP_OK);
    assert_memory_equal(got, data, 3);
    assert_int_equal(hal.erase_sector(hal.flash_ctx, 0x8004), ESP_ERR_INVALID_ARG);
    assert_int_equal(c.f.st->counters.modify_ops, 2);
    test_chip_close(&c);
}

static void test_attach_checks_the_fd_size(void **state)
{
    (void)state;
    sim_state_t *st = sim_state_private(2 * MB);
    test_chip_t c;
    test_chip_open(&c, 2 * MB, st);
    sim_flash_t g;
    assert_int_equal(sim_flash_attach(&g, c.f.fd, st), ESP_OK);
    assert_int_equal(g.size, 2 * MB);
    assert_false(g.own_fd);
    sim_flash_close(&g);
    /* closing an attached user leaves the fd to its owner */
    uint8_t b;
    assert_int_equal(sim_flash_read(&c.f, 0, &b, 1), ESP_OK);
    st->chip_size = 4 * MB;
    assert_int_equal(sim_flash_attach(&g, c.f.fd, st), ESP_ERR_INVALID_SIZE);
    assert_int_equal(sim_flash_attach(&g, -1, st), ESP_ERR_INVALID_ARG);
    st->chip_size = 2 * MB;
    test_chip_close(&c);
    sim_state_release(st);
}

static void test_cut_kind_names(void **state)
{
    (void)state;
    static const char *const names[] = {"clean",        "torn-write", "torn-bits", "torn-erase",
                                        "erase-random", "torn-late"};
    for (int k = 0; k < 6; k++) {
        assert_string_equal(sim_cut_kind_name((sim_cut_kind_t)k), names[k]);
        assert_int_equal(sim_cut_kind_parse(names[k]), k);
    }
    assert_int_equal(sim_cut_kind_parse("torn"), -1);
    assert_int_equal(sim_cut_kind_parse(""), -1);
    assert_int_equal(sim_cut_kind_parse(NULL), -1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_fresh_chip_is_erased_and_erase_sets_ff),
        cmocka_unit_test(test_programming_is_and),
        cmocka_unit_test(test_strict_rise_is_an_error_with_address),
        cmocka_unit_test(test_out_of_range_fails_with_address),
        cmocka_unit_test(test_unaligned_erase_is_invalid_arg),
        cmocka_unit_test(test_parse_flash_size),
        cmocka_unit_test(test_every_chip_size_opens_and_bad_size_refused),
        cmocka_unit_test(test_size_mismatch_names_both_sizes),
        cmocka_unit_test(test_missing_file_without_create),
        cmocka_unit_test(test_contents_persist_across_reopen),
        cmocka_unit_test(test_prefault_keeps_contents),
        cmocka_unit_test(test_counters_exact_after_known_sequence),
        cmocka_unit_test(test_blank_erases_counted),
        cmocka_unit_test(test_hal_routes_to_the_chip),
        cmocka_unit_test(test_attach_checks_the_fd_size),
        cmocka_unit_test(test_cut_kind_names),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
