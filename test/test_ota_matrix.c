/*
 * The OTA issue's end-to-end matrix, part 1: both examples against nginx
 * (HTTP/1.1, Content-Length, keep-alive) on the virtual ESP8266.
 *   - factory -> ota_0 with progress lines in percent;
 *   - a second OTA, ota_0 -> ota_1 (otadata A seq 1 -> B seq 2);
 *   - an image bigger than the slot (refused before anything is erased);
 *   - an HTML page served as hello_world.bin (refused from its first bytes).
 * Each case checks the device log, the otadata bytes, what else changed in
 * flash, and which app the next boot starts. The raw-response cases are in
 * test_ota_matrix_http.c, the TLS ones in test_ota_matrix_tls.c.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "ota_matrix.h"

static mx_nginx_t s_nginx;
static uint8_t *s_image; /* hello_world.bin */
static size_t s_image_len;

static int start_nginx(void **state)
{
    (void)state;
    s_image = mx_slurp(H_HELLO, &s_image_len);
    /* servers present the build's test certificate, the one the apps embed */
    return mx_nginx_start(&s_nginx, H_TEST_CA, H_TEST_KEY);
}

static int stop_nginx(void **state)
{
    (void)state;
    mx_nginx_stop(&s_nginx);
    mx_remove_chips();
    free(s_image);
    return 0;
}

static void serve(const void *body, size_t len)
{
    mx_serve(s_nginx.www, "hello_world.bin", "", 0, body, len);
}

static void line_f(const h_run_t *run, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void line_f(const h_run_t *run, const char *fmt, ...)
{
    char line[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(line, sizeof line, fmt, ap);
    va_end(ap);
    H_ASSERT_LINE(run, line);
}

/* ---- 1. factory -> ota_0, with progress -------------------------------- */

static const char *access_log(void)
{
    static char path[400];
    snprintf(path, sizeof path, "%s/logs/access.log", s_nginx.dir);
    return path;
}

/* nginx opens its log O_APPEND: emptied, it goes on at the new end. */
static void clear_access_log(void)
{
    assert_int_equal(truncate(access_log(), 0), 0);
}

/* nginx's own account of the download since clear_access_log: an HTTP/1.1
 * GET answered 200 with the whole image as a Content-Length body (the
 * combined log format's "request" status bytes). */
static void assert_access_logged(size_t len)
{
    char want[128];
    const char *path = access_log();
    snprintf(want, sizeof want, "\"GET /hello_world.bin HTTP/1.1\" 200 %zu ", len);
    char *log = fx_read_file(path, NULL);
    assert_non_null(log);
    if (strstr(log, want) == NULL) {
        fail_msg("nginx access log lacks %s:\n%s", want, log);
    }
    free(log);
}

static void factory_to_ota0(const mx_example_t *ex)
{
    serve(s_image, s_image_len);
    clear_access_log();
    const char *chip = mx_factory_chip(ex, s_nginx.proc.port);
    uint8_t *before = mx_snapshot(chip);
    h_run_t run;
    h_run(chip, 2, "Restarting in 9 seconds...", &run);
    assert_true(run.r.until_seen);
    line_f(&run, "I (T) %s: Starting OTA example...", ex->tag);
    if (ex == &mx_native) {
        H_ASSERT_LINE(
            &run,
            "I (T) native_ota_example: Running partition type 0 subtype 0 (offset 0x00010000)");
        H_ASSERT_LINE(
            &run, "I (T) native_ota_example: Writing to partition subtype 16 at offset 0x110000");
        H_ASSERT_LINE(&run, "I (T) native_ota_example: esp_ota_begin succeeded");
        H_ASSERT_LINE(&run, "I (T) native_ota_example: Connection closed, all data received");
        line_f(&run, "I (T) native_ota_example: Total Write binary data length : %zu", s_image_len);
        mx_assert_progress(&run, "native_ota_example", s_image_len);
    } else {
        H_ASSERT_LINE(&run, "I (T) esp_https_ota: Starting OTA...");
        H_ASSERT_LINE(&run,
                      "I (T) esp_https_ota: Writing to partition subtype 16 at offset 0x110000");
        line_f(&run, "I (T) esp_https_ota: Total binary data length written: %zu", s_image_len);
        H_ASSERT_LINE(&run, "I (T) esp_https_ota: esp_ota_set_boot_partition succeeded");
        mx_assert_progress(&run, "esp_https_ota", s_image_len);
    }
    line_f(&run, "I (T) %s: Prepare to restart system!", ex->tag);
    assert_access_logged(s_image_len);
    /* the first boot ran the factory app, the second hello_world from ota_0 */
    int first = h_line_index(&run, "I (T) boot: Loaded app from partition at offset 0x10000");
    int second = h_line_index(&run, "I (T) boot: Loaded app from partition at offset 0x110000");
    assert_true(first >= 0 && second > first);
    assert_true(h_line_index(&run, "Hello world!") > second);
    assert_int_equal(run.r.boots, 2);

    assert_true(mx_region_is(chip, MX_OTA_0, s_image, s_image_len));
    mx_assert_otadata(chip, 1, 0);
    /* only ota_0 and otadata entry A were touched */
    h_read_bytes(chip, MX_OTADATA_A, before + MX_OTADATA_A, 0x1000);
    mx_assert_unchanged_outside(chip, before, MX_OTA_0, MX_OTA_0 + MX_SLOT_SIZE);
    free(before);
    h_run_free(&run);
    mx_assert_next_boot(chip, MX_OTA_0);
}

static void test_native_nginx_factory_to_ota0_progress(void **state)
{
    (void)state;
    factory_to_ota0(&mx_native);
}

static void test_simple_nginx_factory_to_ota0_progress(void **state)
{
    (void)state;
    factory_to_ota0(&mx_simple);
}

/* ---- 2. a second OTA: ota_0 -> ota_1 ------------------------------------- */

/* hello_world in ota_0 cannot update anything, so the example itself is put
 * in ota_0 too and selected: the update it runs from there goes to ota_1. */
static void ota0_to_ota1(const mx_example_t *ex)
{
    serve(s_image, s_image_len);
    const char *chip = h_path(ex->chip);
    h_flash_standard(chip, H_PT_FACTORY, ex->app, MX_FACTORY, MX_OTA_0, 0u);
    assert_int_equal(h_tool("switch_ota_partition", "--chip", chip, "--slot", "0", NULL), 0);
    mx_assert_otadata(chip, 1, 0);
    h_set_ap("myssid", "mypassword");
    h_set_net_map(8070, s_nginx.proc.port);
    uint8_t *before = mx_snapshot(chip);
    h_run_t run;
    h_run(chip, 2, "Restarting in 9 seconds...", &run);
    assert_true(run.r.until_seen);
    if (ex == &mx_native) {
        H_ASSERT_LINE(
            &run,
            "I (T) native_ota_example: Running partition type 0 subtype 16 (offset 0x00110000)");
        H_ASSERT_LINE(
            &run, "I (T) native_ota_example: Writing to partition subtype 17 at offset 0x210000");
        mx_assert_progress(&run, "native_ota_example", s_image_len);
    } else {
        H_ASSERT_LINE(&run,
                      "I (T) esp_https_ota: Writing to partition subtype 17 at offset 0x210000");
        H_ASSERT_LINE(&run, "I (T) esp_https_ota: esp_ota_set_boot_partition succeeded");
        mx_assert_progress(&run, "esp_https_ota", s_image_len);
    }
    line_f(&run, "I (T) %s: Prepare to restart system!", ex->tag);
    int first = h_line_index(&run, "I (T) boot: Loaded app from partition at offset 0x110000");
    int second = h_line_index(&run, "I (T) boot: Loaded app from partition at offset 0x210000");
    assert_true(first >= 0 && second > first);
    assert_true(h_line_index(&run, "Hello world!") > second);
    H_ASSERT_NO_LINE(&run, "I (T) boot: Loaded app from partition at offset 0x10000");

    assert_true(mx_region_is(chip, MX_OTA_1, s_image, s_image_len));
    /* §2.4: only A is valid, so the next seq for ota_1 (2) goes to sector 1
     * (entry B) and A keeps seq 1: a cut mid-update still boots ota_0 */
    mx_assert_otadata(chip, 1, 2);
    h_read_bytes(chip, MX_OTADATA_B, before + MX_OTADATA_B, 0x1000);
    mx_assert_unchanged_outside(chip, before, MX_OTA_1, MX_OTA_1 + MX_SLOT_SIZE);
    free(before);
    h_run_free(&run);
    mx_assert_next_boot(chip, MX_OTA_1);
}

static void test_native_nginx_ota0_to_ota1(void **state)
{
    (void)state;
    ota0_to_ota1(&mx_native);
}

static void test_simple_nginx_ota0_to_ota1(void **state)
{
    (void)state;
    ota0_to_ota1(&mx_simple);
}

/* ---- 10. an image bigger than the slot --------------------------------------- */

/* hello_world.bin (a valid header) padded with junk to 1 MB > ota_0's 0xF0000:
 * nginx announces the size, so it is refused before anything is erased. */
static uint8_t *oversized(size_t *len)
{
    *len = 1u << 20;
    uint8_t *big = malloc(*len);
    assert_non_null(big);
    fx_fill_pattern(big, *len, 10);
    memcpy(big, s_image, s_image_len);
    return big;
}

static void test_native_nginx_image_bigger_than_slot(void **state)
{
    (void)state;
    size_t len;
    uint8_t *big = oversized(&len);
    serve(big, len);
    free(big);
    h_run_t run;
    mx_expect_failure(&mx_native, s_nginx.proc.port, true, &run);
    H_ASSERT_LINE(&run,
                  "E (T) esp_ota_ops: image size 1048576 exceeds partition ota_0 size 983040");
    H_ASSERT_LINE(&run,
                  "E (T) native_ota_example: ota_begin error err=0x104 (ESP_ERR_INVALID_SIZE)");
    H_ASSERT_LINE(&run, "E (T) native_ota_example: Exiting task due to fatal error...");
    H_ASSERT_NO_LINE(&run, "I (T) native_ota_example: esp_ota_begin succeeded");
    h_run_free(&run);
}

static void test_simple_nginx_image_bigger_than_slot(void **state)
{
    (void)state;
    size_t len;
    uint8_t *big = oversized(&len);
    serve(big, len);
    free(big);
    h_run_t run;
    mx_expect_failure(&mx_simple, s_nginx.proc.port, true, &run);
    H_ASSERT_LINE(&run, "E (T) esp_https_ota: Image of 1048576 bytes does not fit partition ota_0 "
                        "(983040 bytes); nothing was written");
    H_ASSERT_LINE(
        &run, "E (T) simple_ota_example: Firmware Upgrades Failed (0x104 ESP_ERR_INVALID_SIZE)");
    h_run_free(&run);
}

/* ---- 11. not an image at all ------------------------------------------------- */

static const char s_html[] = "<!DOCTYPE html>\n<html><head><title>Welcome</title></head>\n"
                             "<body><h1>It works!</h1></body></html>\n";

static void test_native_nginx_html_body_refused(void **state)
{
    (void)state;
    serve(s_html, strlen(s_html));
    h_run_t run;
    mx_expect_failure(&mx_native, s_nginx.proc.port, true, &run);
    H_ASSERT_LINE(&run,
                  "E (T) esp_ota_ops: OTA image has invalid magic byte (expected 0xE9, saw 0x3c)");
    H_ASSERT_LINE(&run, "E (T) native_ota_example: Error: esp_ota_write failed! err=0x1503 "
                        "(ESP_ERR_OTA_VALIDATE_FAILED)");
    h_run_free(&run);
}

static void test_simple_nginx_html_body_refused(void **state)
{
    (void)state;
    serve(s_html, strlen(s_html));
    h_run_t run;
    mx_expect_failure(&mx_simple, s_nginx.proc.port, true, &run);
    H_ASSERT_LINE(&run, "E (T) esp_https_ota: The body is not an app image for partition ota_0 at "
                        "0x110000 (starts \"<!DOCTYPE html>\\x0a<html><h\"); nothing was written");
    H_ASSERT_LINE(&run, "E (T) simple_ota_example: Firmware Upgrades Failed (0x1503 "
                        "ESP_ERR_OTA_VALIDATE_FAILED)");
    h_run_free(&run);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_native_nginx_factory_to_ota0_progress),
        cmocka_unit_test(test_simple_nginx_factory_to_ota0_progress),
        cmocka_unit_test(test_native_nginx_ota0_to_ota1),
        cmocka_unit_test(test_simple_nginx_ota0_to_ota1),
        cmocka_unit_test(test_native_nginx_image_bigger_than_slot),
        cmocka_unit_test(test_simple_nginx_image_bigger_than_slot),
        cmocka_unit_test(test_native_nginx_html_body_refused),
        cmocka_unit_test(test_simple_nginx_html_body_refused),
    };
    return cmocka_run_group_tests(tests, start_nginx, stop_nginx);
}
