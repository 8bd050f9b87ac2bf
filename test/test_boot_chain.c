/*
 * The virtual ESP8266's boot chain end to end: ROM -> bootloader -> app,
 * each run from the bytes in the chip file, named by slot path as ESP-IDF
 * names its switch-OTA tests.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "harness.h"

static const char *const s_factory_table[] = {
    "I (T) boot: Partition Table:",
    "I (T) boot: ## Label            Usage          Type ST Offset   Length",
    "I (T) boot:  0 nvs              WiFi data        01 02 00009000 00004000",
    "I (T) boot:  1 otadata          OTA data         01 00 0000d000 00002000",
    "I (T) boot:  2 phy_init         RF data          01 01 0000f000 00001000",
    "I (T) boot:  3 factory          factory app      00 00 00010000 000f0000",
    "I (T) boot:  4 ota_0            OTA app          00 10 00110000 000f0000",
    "I (T) boot:  5 ota_1            OTA app          00 11 00210000 000f0000",
    "I (T) boot: End of partition table",
};

static const char *const s_hello[] = {
    "Hello world!",
    "This is ESP8266 chip with 1 CPU cores, WiFi, silicon revision 1, 4MB external flash",
    "Restarting in 10 seconds...", "Restarting in 9 seconds...", "Restarting in 8 seconds...",
    "Restarting in 7 seconds...",  "Restarting in 6 seconds...", "Restarting in 5 seconds...",
    "Restarting in 4 seconds...",  "Restarting in 3 seconds...", "Restarting in 2 seconds...",
    "Restarting in 1 seconds...",  "Restarting in 0 seconds...", "Restarting now.",
};

/* factory: two boots of hello_world, with the restart between them. */
static void test_factory_hello_world_two_boots(void **state)
{
    (void)state;
    const char *chip = h_path("factory.bin");
    h_flash_standard(chip, H_PT_FACTORY, H_HELLO, 0x10000u, 0u);
    h_run_t run;
    h_run(chip, 2, NULL, &run);

    assert_int_equal(run.r.boots, 2);
    assert_int_equal(run.r.restarts, 2);
    assert_false(run.r.halted);
    H_ASSERT_LINE(&run, " ets Jan  8 2013,rst cause:1, boot mode:(3,6)");
    H_ASSERT_LINE(&run, " ets Jan  8 2013,rst cause:2, boot mode:(3,6)");
    H_ASSERT_LINE(&run, "I (T) boot: ESP-IDF v3.4-ota8266 2nd stage bootloader");
    H_ASSERT_LINE(&run, "I (T) boot: SPI Speed      : 40MHz");
    H_ASSERT_LINE(&run, "I (T) boot: SPI Mode       : DIO");
    H_ASSERT_LINE(&run, "I (T) boot: SPI Flash Size : 4MB");
    int first = h_line_index(&run, s_factory_table[0]);
    assert_true(first >= 0);
    for (size_t i = 0; i < sizeof s_factory_table / sizeof s_factory_table[0]; i++) {
        assert_int_equal(h_line_index(&run, s_factory_table[i]), first + (int)i);
    }
    H_ASSERT_LINE(&run, "I (T) boot: Defaulting to factory image");
    H_ASSERT_LINE(&run, "I (T) boot: Loaded app from partition at offset 0x10000");
    assert_int_equal(h_count_prefix(&run, "I (T) esp_image: segment 0: paddr=0x00010010 vaddr=0x40210010 size="), 2);
    int hello = h_line_index(&run, s_hello[0]);
    assert_true(hello > first);
    for (size_t i = 0; i < sizeof s_hello / sizeof s_hello[0]; i++) {
        assert_int_equal(h_line_index(&run, s_hello[i]), hello + (int)i);
    }
    assert_int_equal(h_count_prefix(&run, "Hello world!"), 2);
    h_run_free(&run);
}

/* run --timestamps: every log line of the bootloader and the app carries the
 * host time since power-on, to the microsecond, written as the line is
 * logged; the SDK's own text follows unchanged; the ROM's lines (not log
 * lines) carry none. The stamps never go back and stay within the run. */
static void test_timestamps(void **state)
{
    (void)state;
    const char *chip = h_path("stamps.bin");
    h_flash_standard(chip, H_PT_FACTORY, H_HELLO, 0x10000u, 0u);
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    h_set_timestamps(true);
    h_run_t run;
    h_run(chip, 1, "Restarting in 8 seconds...", &run);
    h_set_timestamps(false);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    double wall_s = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;

    H_ASSERT_LINE(&run, " ets Jan  8 2013,rst cause:1, boot mode:(3,6)");
    int stamped = 0;
    double last = 0;
    bool saw_boot = false;
    for (const char *line = run.console; *line;) {
        const char *end = strchr(line, '\n');
        size_t len = end ? (size_t)(end - line) : strlen(line);
        if (len > 0 && line[0] == '[') {
            unsigned long sec, usec;
            int used = 0;
            /* "[%4lu.%06lu] " then the SDK's "X (ms) tag: text" */
            assert_int_equal(sscanf(line, "[%lu.%lu] %n", &sec, &usec, &used), 2);
            assert_int_equal(used, 14);
            assert_true(line[5] == '.' && line[12] == ']');
            double t = (double)sec + (double)usec / 1e6;
            assert_true(t >= last);
            last = t;
            assert_non_null(strchr("EWIDV", line[14]));
            assert_memory_equal(line + 15, " (", 2);
            saw_boot |= strncmp(line + 14, "I (", 3) == 0 &&
                        strstr(line, ") boot: Loaded app from partition at offset 0x10000") != NULL;
            stamped++;
        } else {
            /* Lines that are not log lines (the ROM's, printf) carry no stamp. */
            assert_true(len == 0 || line[0] != '[');
        }
        line += len + (end ? 1 : 0);
    }
    assert_true(saw_boot);
    assert_true(stamped >= 10);
    assert_true(last > 0 && last <= wall_s);
    h_run_free(&run);
}

/* two-OTA table (no factory), erased otadata: ota_0 boots. */
static void test_no_factory_trying_ota0(void **state)
{
    (void)state;
    const char *chip = h_path("twoota.bin");
    h_flash_standard(chip, H_PT_TWO_OTA, H_HELLO, 0x10000u, 0u);
    h_run_t run;
    h_run(chip, 1, "Hello world!", &run);
    H_ASSERT_LINE(&run, "I (T) boot: No factory image, trying OTA 0");
    H_ASSERT_LINE(&run, "I (T) boot: Loaded app from partition at offset 0x10000");
    H_ASSERT_LINE(&run, "Hello world!");
    h_run_free(&run);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_factory_hello_world_two_boots),
        cmocka_unit_test(test_timestamps),
        cmocka_unit_test(test_no_factory_trying_ota0),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
