/*
 * The OTA issue's end-to-end matrix, part 2: hand-made HTTP responses.
 * `openssl s_server -HTTP` sends each requested file as the complete raw
 * response (status line and headers included), so one server per test
 * process can play every kind of answer the device may meet:
 *   - a chunked body (success),
 *   - a 302 to the image (success) and a 302 loop (ESP_ERR_HTTP_MAX_REDIRECT),
 *   - a 404 page,
 *   - a body shorter than its Content-Length,
 *   - an oversized image with no Content-Length (refused at the slot's end).
 * The device's URL is always https://localhost:8070/hello_world.bin; the
 * virtual network maps 8070 to the server's port.
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

static fx_proc_t s_server;
static char *s_www;
static uint8_t *s_image; /* hello_world.bin */
static size_t s_image_len;

static int start_server(void **state)
{
    (void)state;
    s_image = mx_slurp(H_HELLO, &s_image_len);
    s_www = fx_mkdtemp("ota8266-raw");
    if (s_www == NULL) {
        return -1;
    }
    return fx_start_s_server(&s_server, s_www, "-HTTP", H_TEST_CA, H_TEST_KEY, mx_loopback_only);
}

static int stop_server(void **state)
{
    (void)state;
    fx_stop(&s_server);
    unlink(s_server.log); /* beside the docroot, not in it */
    mx_remove_chips();
    fx_rmtree(s_www);
    free(s_www);
    free(s_image);
    return 0;
}

/* docroot/name becomes the raw response head + body. */
static void serve_raw(const char *name, const char *head, const void *body, size_t len)
{
    mx_serve(s_www, name, head, strlen(head), body, len);
}

/* Runs until the example restarts into ota_0 and hello_world runs there. */
static void expect_update_to_ota0(const mx_example_t *ex, const char *chip, h_run_t *run)
{
    uint8_t *before = mx_snapshot(chip);
    h_run(chip, 2, "Restarting in 9 seconds...", run);
    if (!run->r.until_seen) {
        fputs(run->console, stderr);
        fail_msg("%s did not boot the new image", ex->tag);
    }
    char line[128];
    snprintf(line, sizeof line, "I (T) %s: Prepare to restart system!", ex->tag);
    H_ASSERT_LINE(run, line);
    int second = h_line_index(run, "I (T) boot: Loaded app from partition at offset 0x110000");
    assert_true(second >
                h_line_index(run, "I (T) boot: Loaded app from partition at offset 0x10000"));
    assert_true(h_line_index(run, "Hello world!") > second);
    assert_true(mx_region_is(chip, MX_OTA_0, s_image, s_image_len));
    mx_assert_otadata(chip, 1, 0);
    h_read_bytes(chip, MX_OTADATA_A, before + MX_OTADATA_A, 0x1000);
    mx_assert_unchanged_outside(chip, before, MX_OTA_0, MX_OTA_0 + MX_SLOT_SIZE);
    free(before);
    mx_assert_next_boot(chip, MX_OTA_0);
}

/* ---- 3. chunked body ------------------------------------------------------- */

/* The image in chunks of uneven sizes (one of them a single byte), so that
 * chunk boundaries fall inside headers, segments and TLS records alike. */
static void serve_chunked(void)
{
    static const size_t sizes[] = {1, 23, 1000, 4096, 7, 16384, 333};
    size_t cap = s_image_len + 4096, used = 0, off = 0;
    char *body = malloc(cap);
    assert_non_null(body);
    for (size_t i = 0; off < s_image_len; i++) {
        size_t n = sizes[i % (sizeof sizes / sizeof sizes[0])];
        n = n < s_image_len - off ? n : s_image_len - off;
        used += (size_t)snprintf(body + used, cap - used, "%zx\r\n", n);
        memcpy(body + used, s_image + off, n);
        used += n;
        memcpy(body + used, "\r\n", 2);
        used += 2;
        off += n;
    }
    memcpy(body + used, "0\r\n\r\n", 5);
    used += 5;
    serve_raw("hello_world.bin", "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n", body,
              used);
    free(body);
}

/* No Content-Length: progress comes in bytes only ("Written N bytes, R KB/s"). */
static void assert_progress_without_size(const h_run_t *run, const char *tag)
{
    char prefix[96];
    int plen = snprintf(prefix, sizeof prefix, "I (T) %s: Written ", tag);
    int seen = 0;
    char *line;
    for (int i = 0; (line = mx_line(run, i)) != NULL; i++) {
        if (strncmp(line, prefix, (size_t)plen) == 0) {
            int n = -1, end = -1;
            unsigned rate;
            if (sscanf(line + plen, "%d bytes, %u KB/s%n", &n, &rate, &end) != 2 || end < 0 ||
                line[plen + end] != '\0' || n < 32 * 1024 || n > (int)s_image_len) {
                print_error("bad progress line \"%s\"\n", line);
                free(line);
                fail();
            }
            seen++;
        }
        free(line);
    }
    /* one line per 32 KB: hello_world.bin (35 KB) gives exactly one */
    assert_int_equal(seen, (int)(s_image_len / (32 * 1024)));
}

static void test_native_chunked_to_ota0(void **state)
{
    (void)state;
    serve_chunked();
    const char *chip = mx_factory_chip(&mx_native, s_server.port);
    h_run_t run;
    expect_update_to_ota0(&mx_native, chip, &run);
    H_ASSERT_LINE(&run, "I (T) native_ota_example: Connection closed, all data received");
    char total[96];
    snprintf(total, sizeof total, "I (T) native_ota_example: Total Write binary data length : %zu",
             s_image_len);
    H_ASSERT_LINE(&run, total);
    assert_progress_without_size(&run, "native_ota_example");
    h_run_free(&run);
}

static void test_simple_chunked_to_ota0(void **state)
{
    (void)state;
    serve_chunked();
    const char *chip = mx_factory_chip(&mx_simple, s_server.port);
    h_run_t run;
    expect_update_to_ota0(&mx_simple, chip, &run);
    char total[96];
    snprintf(total, sizeof total, "I (T) esp_https_ota: Total binary data length written: %zu",
             s_image_len);
    H_ASSERT_LINE(&run, total);
    assert_progress_without_size(&run, "esp_https_ota");
    h_run_free(&run);
}

/* ---- 4. redirects ------------------------------------------------------------ */

static void serve_image_as(const char *name)
{
    char head[128];
    snprintf(head, sizeof head, "HTTP/1.1 200 OK\r\nContent-Length: %zu\r\n\r\n", s_image_len);
    serve_raw(name, head, s_image, s_image_len);
}

/* esp_https_ota follows the 302 (an absolute Location, through the same
 * port mapping) and updates from the second URL. */
static void test_simple_redirect_to_image(void **state)
{
    (void)state;
    serve_raw("hello_world.bin",
              "HTTP/1.1 302 Found\r\nLocation: https://localhost:8070/real/hello_world.bin\r\n"
              "Content-Length: 0\r\n\r\n",
              "", 0);
    assert_int_equal(fx_sh("mkdir -p '%s/real'", s_www), 0);
    serve_image_as("real/hello_world.bin");
    const char *chip = mx_factory_chip(&mx_simple, s_server.port);
    h_run_t run;
    expect_update_to_ota0(&mx_simple, chip, &run);
    H_ASSERT_LINE(&run, "I (T) esp_https_ota: esp_ota_set_boot_partition succeeded");
    h_run_free(&run);
}

/* A 302 to itself (a relative Location): given up after max_redirection_count
 * (10) with ESP_ERR_HTTP_MAX_REDIRECT, before a single flash operation. */
static void test_simple_redirect_loop_max_redirect(void **state)
{
    (void)state;
    serve_raw("hello_world.bin",
              "HTTP/1.1 302 Found\r\nLocation: /hello_world.bin\r\nContent-Length: 0\r\n\r\n", "",
              0);
    h_run_t run;
    mx_expect_failure(&mx_simple, s_server.port, true, &run);
    H_ASSERT_LINE(&run, "E (T) HTTP_CLIENT: Error, reach max_redirection_count count=10");
    H_ASSERT_LINE(
        &run,
        "E (T) esp_https_ota: Failed to open HTTP connection: 0x7001 (ESP_ERR_HTTP_MAX_REDIRECT)");
    H_ASSERT_LINE(
        &run,
        "E (T) simple_ota_example: Firmware Upgrades Failed (0x7001 ESP_ERR_HTTP_MAX_REDIRECT)");
    H_ASSERT_NO_LINE(&run, "I (T) esp_https_ota: Starting OTA...");
    h_run_free(&run);
}

/* ---- 5. 404 -------------------------------------------------------------------- */

static void serve_404(void)
{
    static const char page[] = "<html><head><title>404 Not Found</title></head>\n"
                               "<body><h1>404 Not Found</h1></body></html>\n";
    char head[160];
    snprintf(head, sizeof head,
             "HTTP/1.1 404 Not Found\r\nContent-Type: text/html\r\nContent-Length: %zu\r\n\r\n",
             strlen(page));
    serve_raw("hello_world.bin", head, page, strlen(page));
}

static void test_native_404_nothing_erased(void **state)
{
    (void)state;
    serve_404();
    h_run_t run;
    mx_expect_failure(&mx_native, s_server.port, true, &run);
    H_ASSERT_LINE(&run, "E (T) native_ota_example: HTTP server answered status 404 for "
                        "https://localhost:8070/hello_world.bin: not an image");
    H_ASSERT_LINE(&run, "E (T) native_ota_example: Exiting task due to fatal error...");
    H_ASSERT_NO_LINE(&run, "I (T) native_ota_example: esp_ota_begin succeeded");
    h_run_free(&run);
}

static void test_simple_404_nothing_erased(void **state)
{
    (void)state;
    serve_404();
    h_run_t run;
    mx_expect_failure(&mx_simple, s_server.port, true, &run);
    H_ASSERT_LINE(
        &run, "E (T) esp_https_ota: HTTP status 404 from https://localhost:8070/hello_world.bin: "
              "the server did not send the image");
    H_ASSERT_LINE(
        &run,
        "E (T) simple_ota_example: Firmware Upgrades Failed (0x108 ESP_ERR_INVALID_RESPONSE)");
    h_run_free(&run);
}

/* ---- 8. body shorter than its Content-Length --------------------------------------- */

/* Content-Length says the whole image, the body stops halfway and the server
 * ends the connection (close_notify). Half of ota_0 is written by then; what
 * matters is that it is never selected. */
static void serve_truncated(void)
{
    char head[128];
    snprintf(head, sizeof head, "HTTP/1.1 200 OK\r\nContent-Length: %zu\r\n\r\n", s_image_len);
    serve_raw("hello_world.bin", head, s_image, s_image_len / 2);
}

static void test_native_truncated_body_not_selected(void **state)
{
    (void)state;
    serve_truncated();
    h_run_t run;
    mx_expect_failure(&mx_native, s_server.port, false, &run);
    char line[160];
    snprintf(line, sizeof line, "E (T) HTTP_CLIENT: connection closed after %zu of %zu body bytes",
             s_image_len / 2, s_image_len);
    H_ASSERT_LINE(&run, line);
    H_ASSERT_LINE(&run, "E (T) native_ota_example: Error: SSL data read error");
    H_ASSERT_NO_LINE(&run, "I (T) native_ota_example: Prepare to restart system!");
    h_run_free(&run);
}

static void test_simple_truncated_body_not_selected(void **state)
{
    (void)state;
    serve_truncated();
    h_run_t run;
    mx_expect_failure(&mx_simple, s_server.port, false, &run);
    char line[160];
    snprintf(line, sizeof line, "E (T) HTTP_CLIENT: connection closed after %zu of %zu body bytes",
             s_image_len / 2, s_image_len);
    H_ASSERT_LINE(&run, line);
    snprintf(line, sizeof line, "E (T) esp_https_ota: Error: SSL data read error after %zu bytes",
             s_image_len / 2);
    H_ASSERT_LINE(&run, line);
    H_ASSERT_LINE(&run, "E (T) simple_ota_example: Firmware Upgrades Failed (0xffffffff ESP_FAIL)");
    H_ASSERT_NO_LINE(&run, "I (T) esp_https_ota: esp_ota_set_boot_partition succeeded");
    h_run_free(&run);
}

/* ---- 10 (no Content-Length). an image bigger than the slot ---------------------------- */

/* hello_world.bin padded with junk to 1 MB, sent until close with no length:
 * nothing can be refused up front, so the writes run to the end of ota_0 and
 * the first one past it gets ESP_ERR_INVALID_SIZE. Nothing outside ota_0 may
 * change (checked by mx_expect_failure). */
static void serve_oversized_until_close(void)
{
    size_t len = 1u << 20;
    uint8_t *big = malloc(len);
    assert_non_null(big);
    fx_fill_pattern(big, len, 10);
    memcpy(big, s_image, s_image_len);
    serve_raw("hello_world.bin", "HTTP/1.1 200 OK\r\nConnection: close\r\n\r\n", big, len);
    free(big);
}

static void test_native_oversized_no_length_stops_at_slot_end(void **state)
{
    (void)state;
    serve_oversized_until_close();
    h_run_t run;
    mx_expect_failure(&mx_native, s_server.port, false, &run);
    H_ASSERT_LINE(
        &run,
        "E (T) native_ota_example: Error: esp_ota_write failed! err=0x104 (ESP_ERR_INVALID_SIZE)");
    H_ASSERT_NO_LINE(&run, "I (T) native_ota_example: Prepare to restart system!");
    h_run_free(&run);
}

static void test_simple_oversized_no_length_stops_at_slot_end(void **state)
{
    (void)state;
    serve_oversized_until_close();
    h_run_t run;
    mx_expect_failure(&mx_simple, s_server.port, false, &run);
    H_ASSERT_LINE(&run,
                  "E (T) esp_https_ota: Error: esp_ota_write failed: 0x104 (ESP_ERR_INVALID_SIZE)");
    H_ASSERT_LINE(
        &run, "E (T) simple_ota_example: Firmware Upgrades Failed (0x104 ESP_ERR_INVALID_SIZE)");
    h_run_free(&run);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_native_chunked_to_ota0),
        cmocka_unit_test(test_simple_chunked_to_ota0),
        cmocka_unit_test(test_simple_redirect_to_image),
        cmocka_unit_test(test_simple_redirect_loop_max_redirect),
        cmocka_unit_test(test_native_404_nothing_erased),
        cmocka_unit_test(test_simple_404_nothing_erased),
        cmocka_unit_test(test_native_truncated_body_not_selected),
        cmocka_unit_test(test_simple_truncated_body_not_selected),
        cmocka_unit_test(test_native_oversized_no_length_stops_at_slot_end),
        cmocka_unit_test(test_simple_oversized_no_length_stops_at_slot_end),
    };
    return cmocka_run_group_tests(tests, start_server, stop_server);
}
