/*
 * App descriptors: found by walking segments, where SDK-built images keep
 * them (the start of the second flash segment), not at image offset 16.
 */
#include "ota_test_util.h"

#define FACTORY 0x10000u
#define OTA0 0x110000u

static tchip_t s_chip;

static int setup(void **state)
{
    (void)state;
    tchip_open(&s_chip, 4u << 20);
    tchip_table(&s_chip, TROWS(DEMO_TABLE));
    g_running_addr = FACTORY;
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    tchip_close(&s_chip);
    return 0;
}

static void assert_desc_fields(const esp_app_desc_t *d, const char *version)
{
    assert_int_equal(d->magic_word, 0xABCD5432u);
    assert_string_equal(d->version, version);
    assert_string_equal(d->project_name, "ota_test");
    assert_string_equal(d->time, "12:34:56");
    assert_string_equal(d->date, "Nov 23 2025");
    assert_string_equal(d->idf_ver, "v3.4-ota8266");
    for (int i = 0; i < 32; i++) {
        assert_int_equal(d->app_elf_sha256[i], 0xA0 + i);
    }
}

static void test_partition_description_of_sdk_layout_image(void **state)
{
    (void)state;
    timg_t img = timg_sdk_app(OTA0, 3000, "1.2.3");
    /* Where the SDK looks (image offset 16) there is .flash.text, not the magic. */
    assert_true(img.buf[16] != 0x32 || img.buf[17] != 0x54);
    assert_int_equal(img.seg_data[1], 8 + 8 + 3000 + 8);
    assert_int_equal(tota_update(tpart("ota_0"), &img, 1000), ESP_OK);
    esp_app_desc_t d;
    memset(&d, 0xEE, sizeof d);
    assert_int_equal(esp_ota_get_partition_description(tpart("ota_0"), &d), ESP_OK);
    assert_desc_fields(&d, "1.2.3");
    timg_free(&img);
}

static void test_partition_description_errors(void **state)
{
    (void)state;
    esp_app_desc_t d;
    assert_int_equal(esp_ota_get_partition_description(NULL, &d), ESP_ERR_INVALID_ARG);
    assert_int_equal(esp_ota_get_partition_description(tpart("ota_0"), NULL), ESP_ERR_INVALID_ARG);
    assert_int_equal(esp_ota_get_partition_description(tpart("nvs"), &d), ESP_ERR_NOT_SUPPORTED);
    /* An erased slot: no image, so no descriptor. */
    assert_int_equal(esp_ota_get_partition_description(tpart("ota_1"), &d), ESP_ERR_NOT_FOUND);
    /* An image without one (a pre-v3.4 SDK app). */
    timg_t img = timg_sdk_app(OTA0, 3000, NULL);
    tchip_put_image(&s_chip, OTA0, &img);
    assert_int_equal(esp_ota_get_partition_description(tpart("ota_0"), &d), ESP_ERR_NOT_FOUND);
    timg_free(&img);
    /* A partition past the chip's end: the flash error comes through. */
    static const trow_t far[] = {{"far", 0, 0x10, 0x410000, 0x20000, 0}};
    tchip_table(&s_chip, TROWS(far));
    assert_int_equal(esp_ota_get_partition_description(tpart("far"), &d), ESP_ERR_FLASH_OP_FAIL);
}

/* Cached after the first call: one test covers the running app's descriptor. */
static void test_running_app_description_and_elf_sha256(void **state)
{
    (void)state;
    timg_t img = timg_sdk_app(FACTORY, 2000, "7.7");
    tchip_put_image(&s_chip, FACTORY, &img);
    timg_free(&img);
    const esp_app_desc_t *d = esp_ota_get_app_description();
    assert_non_null(d);
    assert_desc_fields(d, "7.7");
    assert_ptr_equal(esp_ota_get_app_description(), d);

    char hex[80];
    memset(hex, 'x', sizeof hex);
    assert_int_equal(esp_ota_get_app_elf_sha256(hex, sizeof hex), 65);
    assert_string_equal(hex, "a0a1a2a3a4a5a6a7a8a9aaabacadaeafb0b1b2b3b4b5b6b7b8b9babbbcbdbebf");
    static const struct {
        size_t size;
        int ret;
        const char *want;
    } cases[] = {{65, 65, NULL},     {64, 63, NULL}, {10, 9, "a0a1a2a3"},
                 {9, 9, "a0a1a2a3"}, {2, 1, ""},     {1, 1, ""}};
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        memset(hex, 'x', sizeof hex);
        assert_int_equal(esp_ota_get_app_elf_sha256(hex, cases[i].size), cases[i].ret);
        assert_int_equal(strlen(hex), (size_t)cases[i].ret - 1);
        if (cases[i].want) {
            assert_string_equal(hex, cases[i].want);
        }
        assert_int_equal(hex[cases[i].size], 'x'); /* nothing past size */
    }
    assert_int_equal(esp_ota_get_app_elf_sha256(NULL, 65), 0);
    assert_int_equal(esp_ota_get_app_elf_sha256(hex, 0), 0);
}

/* The real thing, when the build has made it: hello_world.bin through OTA. */
static void test_hello_world_bin_if_built(void **state)
{
    (void)state;
    FILE *f = fopen(OTA8266_BINARY_DIR "/examples/get-started/hello_world/hello_world.bin", "rb");
    if (f == NULL) {
        skip();
    }
    static uint8_t buf[0xF0000];
    size_t len = fread(buf, 1, sizeof buf, f);
    fclose(f);
    assert_true(len > 0 && len < sizeof buf);
    esp_ota_handle_t h;
    assert_int_equal(esp_ota_begin(tpart("ota_0"), len, &h), ESP_OK);
    for (size_t off = 0; off < len; off += 1024) {
        size_t n = len - off < 1024 ? len - off : 1024;
        assert_int_equal(esp_ota_write(h, buf + off, n), ESP_OK);
    }
    assert_int_equal(esp_ota_end(h), ESP_OK);
    assert_int_equal(s_chip.st->counters.erases, 0); /* a fresh chip: every sector blank */
    assert_int_equal(esp_ota_set_boot_partition(tpart("ota_0")), ESP_OK);
    esp_app_desc_t d;
    assert_int_equal(esp_ota_get_partition_description(tpart("ota_0"), &d), ESP_OK);
    assert_string_equal(d.project_name, "hello_world");

    /* elf2image put the ELF's SHA-256 in the descriptor: it is what we read back. */
    f = fopen(OTA8266_BINARY_DIR "/examples/get-started/hello_world/hello_world.elf", "rb");
    assert_non_null(f);
    len = fread(buf, 1, sizeof buf, f);
    fclose(f);
    assert_true(len > 0 && len < sizeof buf);
    uint8_t sha[32];
    assert_int_equal(mbedtls_sha256_ret(buf, len, sha, 0), 0);
    assert_memory_equal(d.app_elf_sha256, sha, sizeof sha);
}

#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)

int main(void)
{
    const struct CMUnitTest tests[] = {
        T(test_partition_description_of_sdk_layout_image),
        T(test_partition_description_errors),
        T(test_running_app_description_and_elf_sha256),
        T(test_hello_world_bin_if_built),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
