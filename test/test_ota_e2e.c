/*
 * The seed's workflow on the virtual ESP8266, end to end: the factory app
 * (native_ota_example or simple_ota_example) joins the virtual AP, downloads
 * hello_world.bin from a real `openssl s_server -WWW`, writes ota_0, selects
 * it and restarts; the bootloader then runs hello_world from ota_0.
 * Named by slot path, as ESP-IDF names its OTA tests.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "harness.h"
#include "net_fixture.h"

static fx_proc_t s_server;
static char *s_docroot;

static uint8_t *slurp(const char *path, size_t *len)
{
    uint8_t *buf = (uint8_t *)fx_read_file(path, len);
    assert_non_null(buf);
    return buf;
}

static int start_server(void **state)
{
    (void)state;
    s_docroot = fx_mkdtemp("ota8266-www");
    size_t len;
    uint8_t *img = slurp(H_HELLO, &len);
    char path[512];
    snprintf(path, sizeof path, "%s/hello_world.bin", s_docroot);
    fx_write_file(path, img, len);
    free(img);
    return fx_start_s_server(&s_server, s_docroot, "-WWW", H_TEST_CA, H_TEST_KEY, NULL);
}

static int stop_server(void **state)
{
    (void)state;
    fx_stop(&s_server);
    fx_rmtree(s_docroot);
    return 0;
}

static bool region_is(const char *chip, uint32_t addr, const uint8_t *want, size_t len)
{
    uint8_t *got = malloc(len);
    h_read_bytes(chip, addr, got, len);
    bool same = memcmp(got, want, len) == 0;
    free(got);
    return same;
}

static bool region_erased(const char *chip, uint32_t addr, size_t len)
{
    uint8_t *got = malloc(len);
    h_read_bytes(chip, addr, got, len);
    bool erased = true;
    for (size_t i = 0; i < len; i++) {
        erased = erased && got[i] == 0xFF;
    }
    free(got);
    return erased;
}

/* factory (OTA app) -> ota_0 (hello_world): the common checks of both examples. */
static void check_update_to_ota0(const char *chip, const h_run_t *run)
{
    H_ASSERT_LINE(run, "I (T) boot: Loaded app from partition at offset 0x10000");
    H_ASSERT_LINE(run, "I (T) example_connect: Connecting to myssid...");
    H_ASSERT_LINE(run, "I (T) example_connect: Connected to myssid");
    H_ASSERT_LINE(run, "I (T) boot: Loaded app from partition at offset 0x110000");
    assert_true(h_line_index(run, "Hello world!") >
                h_line_index(run, "I (T) boot: Loaded app from partition at offset 0x110000"));
    /* ota_0 holds exactly the served image; otadata entry A selects it (seq 1). */
    size_t len;
    uint8_t *img = slurp(H_HELLO, &len);
    assert_true(region_is(chip, 0x110000, img, len));
    free(img);
    static const uint8_t entry_a[] = {0x01, 0, 0, 0};
    static const uint8_t crc_a[] = {0x9A, 0x98, 0x43, 0x47};
    assert_true(region_is(chip, 0xd000, entry_a, 4));
    assert_true(region_is(chip, 0xd000 + 28, crc_a, 4));
    assert_true(region_erased(chip, 0xe000, 0x1000)); /* entry B never touched */
    assert_true(region_erased(chip, 0x210000, 0x1000)); /* ota_1 untouched */
}

static void test_native_factory_to_ota0(void **state)
{
    (void)state;
    const char *chip = h_path("native.bin");
    h_flash_standard(chip, H_PT_FACTORY, H_NATIVE_OTA, 0x10000u, 0u);
    h_set_ap("myssid", "mypassword");
    h_set_net_map(8070, s_server.port);
    h_run_t run;
    h_run(chip, 2, "Restarting in 9 seconds...", &run);
    H_ASSERT_LINE(&run, "I (T) native_ota_example: Starting OTA example...");
    H_ASSERT_LINE(&run, "I (T) native_ota_example: Running partition type 0 subtype 0 (offset 0x00010000)");
    H_ASSERT_LINE(&run, "I (T) native_ota_example: Writing to partition subtype 16 at offset 0x110000");
    size_t len;
    uint8_t *img = slurp(H_HELLO, &len);
    free(img);
    char total[128];
    snprintf(total, sizeof total, "I (T) native_ota_example: Total Write binary data length : %zu", len);
    H_ASSERT_LINE(&run, total);
    H_ASSERT_LINE(&run, "I (T) native_ota_example: Prepare to restart system!");
    check_update_to_ota0(chip, &run);
    h_run_free(&run);
}

static void test_simple_factory_to_ota0(void **state)
{
    (void)state;
    const char *chip = h_path("simple.bin");
    h_flash_standard(chip, H_PT_FACTORY, H_SIMPLE_OTA, 0x10000u, 0u);
    h_set_ap("myssid", "mypassword");
    h_set_net_map(8070, s_server.port);
    h_run_t run;
    h_run(chip, 2, "Restarting in 9 seconds...", &run);
    H_ASSERT_LINE(&run, "I (T) simple_ota_example: Starting OTA example...");
    H_ASSERT_LINE(&run, "I (T) esp_https_ota: Starting OTA...");
    H_ASSERT_LINE(&run, "I (T) esp_https_ota: Writing to partition subtype 16 at offset 0x110000");
    H_ASSERT_LINE(&run, "I (T) esp_https_ota: esp_ota_set_boot_partition succeeded");
    H_ASSERT_LINE(&run, "I (T) simple_ota_example: Prepare to restart system!");
    check_update_to_ota0(chip, &run);
    h_run_free(&run);
}

/* s_server -WWW answers "200 ok" and an "Error opening" text for a missing
 * file: rejected from its first bytes, nothing erased, factory keeps running. */
static void test_simple_missing_file_nothing_written(void **state)
{
    (void)state;
    const char *chip = h_path("missing.bin");
    h_flash_standard(chip, H_PT_FACTORY, H_SIMPLE_OTA, 0x10000u, 0u);
    char www[600];
    snprintf(www, sizeof www, "%s/hello_world.bin", s_docroot);
    char moved[620];
    snprintf(moved, sizeof moved, "%s.away", www);
    assert_int_equal(rename(www, moved), 0);
    h_set_ap("myssid", "mypassword");
    h_set_net_map(8070, s_server.port);
    h_run_t run;
    h_run(chip, 1, "Firmware Upgrades Failed", &run);
    assert_int_equal(rename(moved, www), 0);
    assert_true(run.r.until_seen);
    H_ASSERT_LINE(&run, "E (T) simple_ota_example: Firmware Upgrades Failed (0x1503 ESP_ERR_OTA_VALIDATE_FAILED)");
    assert_int_equal(run.r.counters.erases, 0);
    assert_int_equal(run.r.counters.writes, 0);
    assert_true(region_erased(chip, 0xd000, 0x2000));
    assert_true(region_erased(chip, 0x110000, 0x1000));
    h_run_free(&run);
}

/* A wrong WiFi password: the SDK's disconnect reason, retries, no OTA. */
static void test_wrong_wifi_password_no_ota(void **state)
{
    (void)state;
    const char *chip = h_path("wifi.bin");
    h_flash_standard(chip, H_PT_FACTORY, H_NATIVE_OTA, 0x10000u, 0u);
    h_set_ap("myssid", "another-password");
    h_set_net_map(8070, s_server.port);
    h_set_timeout(1.5);
    h_run_t run;
    h_run(chip, 1, NULL, &run);
    h_set_timeout(20.0);
    assert_true(run.r.timed_out);
    assert_true(h_count_prefix(&run, "I (T) example_connect: Wi-Fi disconnected, trying to reconnect...") >= 2);
    assert_true(h_count_prefix(&run, "W (T) wifi: cannot connect to myssid: reason 15") >= 2);
    H_ASSERT_NO_LINE(&run, "I (T) native_ota_example: Starting OTA example...");
    assert_int_equal(run.r.counters.modify_ops, 0);
    h_run_free(&run);
}

/* The seed's 0x104 case: the 4 MB-configured example on a chip that is
 * really 1 MB. ota_0 (0x110000) lies past its end: esp_ota_begin refuses
 * with ESP_ERR_INVALID_SIZE before anything is erased; the factory app runs on. */
static void test_native_4mb_config_on_1mb_chip_0x104(void **state)
{
    (void)state;
    const char *chip = h_path("small.bin");
    unlink(chip);
    assert_int_equal(h_tool("write_flash", "--chip", chip, "--flash-size", "1MB", "0x0",
                            H_BOOTLOADER, "0x8000", H_PT_FACTORY, "0xd000", H_OTADATA_INIT,
                            "0x10000", H_NATIVE_OTA, NULL),
                     0);
    h_set_ap("myssid", "mypassword");
    h_set_net_map(8070, s_server.port);
    h_set_chip_size(1u << 20);
    h_run_t run;
    h_run(chip, 1, "Firmware Upgrades Failed", &run);
    h_set_chip_size(4u << 20);
    assert_true(run.r.until_seen);
    H_ASSERT_LINE(&run, "W (T) boot: Detected flash size 1024KB differs from the 4096KB in the image header");
    H_ASSERT_LINE(&run, "E (T) esp_ota_ops: ota_begin error err=0x104 (ESP_ERR_INVALID_SIZE): partition ota_0 "
                        "at 0x110000..0x200000 lies past the end of the 1024KB flash chip (configured for 4096KB)");
    H_ASSERT_LINE(&run, "E (T) native_ota_example: ota_begin error err=0x104 (ESP_ERR_INVALID_SIZE)");
    assert_int_equal(run.r.counters.modify_ops, 0);
    assert_true(region_erased(chip, 0xd000, 0x2000));
    h_run_free(&run);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_native_factory_to_ota0),
        cmocka_unit_test(test_simple_factory_to_ota0),
        cmocka_unit_test(test_simple_missing_file_nothing_written),
        cmocka_unit_test(test_wrong_wifi_password_no_ota),
        cmocka_unit_test(test_native_4mb_config_on_1mb_chip_0x104),
    };
    return cmocka_run_group_tests(tests, start_server, stop_server);
}
