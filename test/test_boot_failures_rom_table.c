/*
 * Boot failures before any app is looked at: the ROM stage refusing the
 * image at 0x0, and the bootloader refusing the partition table at 0x8000
 * (reference §1.4, §4 step 4). Either way nothing later runs and the device
 * stops; the console is asserted line for line.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "harness.h"

#define TABLE 0x8000u
#define ROW 32u
#define ROM_BANNER "\n ets Jan  8 2013,rst cause:1, boot mode:(3,6)\n\n"

static char s_chip[256];

/* The standard chip with hello_world in factory: only the damage can fail it. */
static const char *flash_chip(void)
{
    snprintf(s_chip, sizeof s_chip, "%s", h_path("chip.bin"));
    h_flash_standard(s_chip, H_PT_FACTORY, H_HELLO, 0x10000u, 0u);
    return s_chip;
}

/* Runs until the device stops; nothing may have run or written flash. */
static void run_until_halt(const char *chip, h_run_t *run)
{
    h_run(chip, 0, NULL, run);
    H_ASSERT_NO_LINE(run, "Hello world!");
    assert_true(run->r.halted);
    assert_int_equal(run->r.boots, 1);
    assert_int_equal(run->r.restarts, 0);
    assert_int_equal(run->r.counters.writes, 0);
    assert_int_equal(run->r.counters.erases, 0);
}

/* ---- the ROM stage: the image at 0x0 ------------------------------------ */

/* The ROM has no log format: its whole output is compared at once, which
 * also shows that the bootloader never printed a line. */
static void test_rom_erased_0x0_halts(void **state)
{
    (void)state;
    const char *chip = flash_chip();
    assert_int_equal(h_tool("erase_region", "--chip", chip, "0x0", "0x8000", NULL), 0);
    h_run_t run;
    run_until_halt(chip, &run);
    assert_string_equal(run.console,
                        ROM_BANNER "rom: no boot image at 0x0 (first byte 0xff, expected 0xe9)\n"
                                   "ets_main.c \n");
    h_run_free(&run);
}

/* 0xE9 and then noise: the ROM parses the header, refuses it, and stops. */
static void test_rom_garbage_0x0_halts(void **state)
{
    (void)state;
    const char *chip = flash_chip();
    uint8_t junk[0x1000];
    uint32_t x = 0x2545f491u; /* fixed xorshift seed: the same noise every run */
    for (size_t i = 0; i < sizeof junk; i++) {
        x ^= x << 13;
        x ^= x >> 17;
        x ^= x << 5;
        junk[i] = (uint8_t)x;
    }
    junk[0] = 0xe9;
    h_write_bytes(chip, 0, junk, sizeof junk);
    h_run_t run;
    run_until_halt(chip, &run);
    assert_int_equal(junk[1], 171); /* the noise's segment count, named below */
    assert_string_equal(run.console, ROM_BANNER
                        "rom: image at 0x0 segment count 171 exceeds max 16\n"
                        "rom: boot image at 0x0 is invalid (0x2002 ESP_ERR_IMAGE_INVALID)\n"
                        "ets_main.c \n");
    h_run_free(&run);
}

/* The bootloader with one flipped code byte: the ROM's checksum catches it. */
static void test_rom_bootloader_flipped_byte_halts(void **state)
{
    (void)state;
    const char *chip = flash_chip();
    uint8_t hdr[16];
    h_read_bytes(chip, 0, hdr, sizeof hdr);
    assert_int_equal(hdr[1], 1); /* one segment: its data starts at 16 */
    uint32_t len = (uint32_t)hdr[12] | (uint32_t)hdr[13] << 8 | (uint32_t)hdr[14] << 16;
    uint8_t sum; /* the checksum ends the 16-byte block the data ends in */
    h_read_bytes(chip, (16u + len) | 15u, &sum, 1);
    h_flip(chip, 16u + len / 2u);
    h_run_t run;
    run_until_halt(chip, &run);
    char want[512];
    snprintf(want, sizeof want,
             ROM_BANNER "rom: Checksum failed. Calculated 0x%x read 0x%x\n"
                        "csum err\n"
                        "rom: boot image at 0x0 is invalid (0x2002 ESP_ERR_IMAGE_INVALID)\n"
                        "ets_main.c \n",
             sum ^ 0xffu, sum);
    assert_string_equal(run.console, want);
    h_run_free(&run);
}

/* ---- the partition table ------------------------------------------------ */

/* The table error and the bootloader's two lines right after the banner,
 * then nothing: no listing, no slot chosen. */
static void assert_table_rejected(const h_run_t *run, const char *why)
{
    const char *const block[] = {
        "I (T) boot: SPI Flash Size : 4MB",
        why,
        "E (T) boot: Failed to verify partition table",
        "E (T) boot: load partition table error!",
    };
    H_ASSERT_BLOCK(run, block, 4);
    const char *tail = "E (T) boot: load partition table error!\n";
    size_t n = strlen(run->console), t = strlen(tail);
    assert_true(n >= t && !strcmp(run->console + n - t, tail));
}

static void test_table_bad_magic_row0_halts(void **state)
{
    (void)state;
    const char *chip = flash_chip();
    static const uint8_t bad[2] = {0x12, 0x34};
    h_write_bytes(chip, TABLE, bad, sizeof bad);
    h_run_t run;
    run_until_halt(chip, &run);
    assert_table_rejected(&run, "E (T) flash_parts: partition 0 invalid magic number 0x3412");
    h_run_free(&run);
}

/* One damaged row in the middle (factory) rejects the whole table, as the
 * SDK does: the bootloader does not boot from the rows it could read. */
static void test_table_bad_magic_factory_row_halts(void **state)
{
    (void)state;
    const char *chip = flash_chip();
    h_flip(chip, TABLE + 3u * ROW); /* bytes AA 50 -> 55 50: magic 0x5055 */
    h_run_t run;
    run_until_halt(chip, &run);
    assert_table_rejected(&run, "E (T) flash_parts: partition 3 invalid magic number 0x5055");
    h_run_free(&run);
}

/* The end marker overwritten by a row of noise: its magic is named. */
static void test_table_end_marker_garbage_halts(void **state)
{
    (void)state;
    const char *chip = flash_chip();
    uint8_t row[ROW];
    for (size_t i = 0; i < ROW; i++) {
        row[i] = (uint8_t)(0x5a ^ (i * 37u));
    }
    h_write_bytes(chip, TABLE + 6u * ROW, row, sizeof row);
    h_run_t run;
    run_until_halt(chip, &run);
    assert_table_rejected(&run, "E (T) flash_parts: partition 6 invalid magic number 0x7f5a");
    h_run_free(&run);
}

/* All 96 rows valid partitions: the walk runs off the 0xC00 bytes, no end. */
static void test_table_no_end_marker_halts(void **state)
{
    (void)state;
    const char *chip = flash_chip();
    uint8_t row[ROW];
    h_read_bytes(chip, TABLE, row, sizeof row); /* nvs */
    for (uint32_t i = 6; i < 0xc00u / ROW; i++) {
        h_write_bytes(chip, TABLE + i * ROW, row, sizeof row);
    }
    h_run_t run;
    run_until_halt(chip, &run);
    assert_table_rejected(&run,
                          "E (T) flash_parts: partition table has no terminating entry, not valid");
    h_run_free(&run);
}

/* A table made for a 16 MB chip on a device configured for 4 MB: its last
 * row (ending past the chip, or starting at its end) is refused. */
static void table_beyond_chip(const char *last_row, const char *why)
{
    const char *chip = flash_chip();
    char csv[512];
    snprintf(csv, sizeof csv,
             "nvs,      data, nvs,     0x9000,   0x4000\n"
             "otadata,  data, ota,     0xd000,   0x2000\n"
             "phy_init, data, phy,     0xf000,   0x1000\n"
             "factory,  app,  factory, 0x10000,  0xF0000\n"
             "ota_0,    app,  ota_0,   0x110000, 0xF0000\n"
             "ota_1,    app,  ota_1,   0x210000, 0xF0000\n"
             "%s\n",
             last_row);
    h_flash_table_csv(chip, csv, "--disable-md5sum", "--flash-size", "16MB", NULL);
    h_run_t run;
    run_until_halt(chip, &run);
    assert_table_rejected(&run, why);
    h_run_free(&run);
}

static void test_table_entry_ends_past_chip_halts(void **state)
{
    (void)state;
    table_beyond_chip("storage,  data, spiffs,  0x310000, 0x100000",
                      "E (T) flash_parts: partition 6 invalid - offset 0x310000 size 0x100000 "
                      "exceeds flash chip size 0x400000");
}

static void test_table_entry_starts_past_chip_halts(void **state)
{
    (void)state;
    table_beyond_chip("ota_2,    app,  ota_2,   0x410000, 0xF0000",
                      "E (T) flash_parts: partition 6 invalid - offset 0x410000 size 0xf0000 "
                      "exceeds flash chip size 0x400000");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_rom_erased_0x0_halts),
        cmocka_unit_test(test_rom_garbage_0x0_halts),
        cmocka_unit_test(test_rom_bootloader_flipped_byte_halts),
        cmocka_unit_test(test_table_bad_magic_row0_halts),
        cmocka_unit_test(test_table_bad_magic_factory_row_halts),
        cmocka_unit_test(test_table_end_marker_garbage_halts),
        cmocka_unit_test(test_table_no_end_marker_halts),
        cmocka_unit_test(test_table_entry_ends_past_chip_halts),
        cmocka_unit_test(test_table_entry_starts_past_chip_halts),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
