/* esp_partition_* on the virtual flash: lookups over real tables, and every
 * argument check of reference §1.4 with the exact code and flash contents. */
#include "flash_test_util.h"

#include "esp_partition.h"
#include "esp_private/spi_flash_stats.h"
#include "spi_flash.h"

static tchip_t s_chip;

static int setup(void **state)
{
    (void)state;
    tchip_open(&s_chip, 4u << 20);
    tchip_table(&s_chip, TROWS(DEMO_TABLE));
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    tchip_close(&s_chip);
    return 0;
}

static const esp_partition_t *by_label(const char *label)
{
    const esp_partition_t *p =
        esp_partition_find_first(ESP_PARTITION_TYPE_APP, ESP_PARTITION_SUBTYPE_ANY, label);
    return p ? p
             : esp_partition_find_first(ESP_PARTITION_TYPE_DATA, ESP_PARTITION_SUBTYPE_ANY, label);
}

/* ---- lookups ------------------------------------------------------------ */

static void test_find_apps_in_table_order(void **state)
{
    (void)state;
    static const char *const want[] = {"factory", "ota_0", "ota_1"};
    int n = 0;
    esp_partition_iterator_t it =
        esp_partition_find(ESP_PARTITION_TYPE_APP, ESP_PARTITION_SUBTYPE_ANY, NULL);
    for (; it != NULL; it = esp_partition_next(it)) {
        assert_true(n < 3);
        assert_string_equal(esp_partition_get(it)->label, want[n]);
        n++;
    }
    assert_int_equal(n, 3);

    const esp_partition_t *p =
        esp_partition_find_first(ESP_PARTITION_TYPE_APP, ESP_PARTITION_SUBTYPE_APP_OTA_1, NULL);
    assert_non_null(p);
    assert_int_equal(p->type, ESP_PARTITION_TYPE_APP);
    assert_int_equal(p->subtype, 0x11);
    assert_int_equal(p->address, 0x210000);
    assert_int_equal(p->size, 0xF0000);
    assert_string_equal(p->label, "ota_1");
    assert_false(p->encrypted);
}

static void test_find_data_and_filters(void **state)
{
    (void)state;
    const esp_partition_t *od =
        esp_partition_find_first(ESP_PARTITION_TYPE_DATA, ESP_PARTITION_SUBTYPE_DATA_OTA, NULL);
    assert_non_null(od);
    assert_string_equal(od->label, "otadata");
    assert_int_equal(od->address, 0xd000);
    /* The label must match too, and the type exactly. */
    assert_null(
        esp_partition_find_first(ESP_PARTITION_TYPE_DATA, ESP_PARTITION_SUBTYPE_DATA_OTA, "nvs"));
    assert_null(esp_partition_find_first(ESP_PARTITION_TYPE_APP, ESP_PARTITION_SUBTYPE_ANY, "nvs"));
    assert_null(esp_partition_find(ESP_PARTITION_TYPE_APP, ESP_PARTITION_SUBTYPE_APP_TEST, NULL));
    assert_null(esp_partition_find((esp_partition_type_t)0x40, ESP_PARTITION_SUBTYPE_ANY, NULL));
    const esp_partition_t *nvs =
        esp_partition_find_first(ESP_PARTITION_TYPE_DATA, ESP_PARTITION_SUBTYPE_ANY, "nvs");
    assert_non_null(nvs);
    assert_int_equal(nvs->subtype, ESP_PARTITION_SUBTYPE_DATA_NVS);
    /* Pointers are stable: the same row comes back as the same pointer. */
    assert_ptr_equal(nvs, esp_partition_find_first(ESP_PARTITION_TYPE_DATA,
                                                   ESP_PARTITION_SUBTYPE_DATA_NVS, NULL));
    assert_null(esp_partition_get(NULL));
    assert_null(esp_partition_next(NULL));
    esp_partition_iterator_release(NULL);
}

static void test_label_of_16_chars_and_user_type(void **state)
{
    (void)state;
    static const trow_t rows[] = {
        {"abcdefghijklmnop", 0x40, 0x07, 0x9000, 0x1000, 0x1}, /* no NUL on flash; encrypted bit */
        {"factory", 0, 0, 0x10000, 0x10000, 0},
    };
    tchip_table(&s_chip, TROWS(rows));
    const esp_partition_t *p =
        esp_partition_find_first((esp_partition_type_t)0x40, (esp_partition_subtype_t)0x07, NULL);
    assert_non_null(p);
    assert_int_equal(strlen(p->label), 16);
    assert_string_equal(p->label, "abcdefghijklmnop");
    assert_false(p->encrypted); /* the ESP8266 has no flash encryption */
    assert_ptr_equal(esp_partition_find_first((esp_partition_type_t)0x40, ESP_PARTITION_SUBTYPE_ANY,
                                              "abcdefghijklmnop"),
                     p);
}

static void test_table_ends_at_md5_row_or_bad_magic(void **state)
{
    (void)state;
    static const trow_t rows[] = {
        {"nvs", 1, 2, 0x9000, 0x4000, 0},
        {"otadata", 1, 0, 0xd000, 0x2000, 0},
        {"ota_0", 0, 0x10, 0x10000, 0x80000, 0},
    };
    tchip_table(&s_chip, TROWS(rows));
    /* An MD5 row (EB EB ...) in place of row 1: the app stops there, as the SDK's. */
    uint8_t md5[32];
    memset(md5, 0xFF, sizeof md5);
    md5[0] = 0xEB;
    md5[1] = 0xEB;
    tchip_poke(&s_chip, TCHIP_TABLE_AT + 32, md5, sizeof md5);
    esp_partition_table_invalidate();
    assert_non_null(by_label("nvs"));
    assert_null(by_label("otadata"));
    assert_null(by_label("ota_0"));
    assert_int_equal(esp_partition_table()->num_rows, 1);

    /* A damaged magic in row 2 hides row 2 only from there on. */
    tchip_table(&s_chip, TROWS(rows));
    uint8_t bad[2] = {0xAA, 0x51};
    tchip_poke(&s_chip, TCHIP_TABLE_AT + 64, bad, sizeof bad);
    esp_partition_table_invalidate();
    assert_non_null(by_label("otadata"));
    assert_null(by_label("ota_0"));
}

static void test_reload_after_invalidate(void **state)
{
    (void)state;
    assert_non_null(by_label("ota_1"));
    static const trow_t rows[] = {{"only", 0, 0x10, 0x10000, 0x10000, 0}};
    tchip_table(&s_chip, TROWS(rows));
    assert_null(by_label("ota_1"));
    assert_non_null(by_label("only"));
    assert_ptr_equal(esp_partition_from_row(0), by_label("only"));
    assert_null(esp_partition_from_row(1));
    assert_null(esp_partition_from_row(-1));
}

static void test_verify(void **state)
{
    (void)state;
    const esp_partition_t *ota0 = by_label("ota_0");
    esp_partition_t copy = *ota0;
    assert_ptr_equal(esp_partition_verify(&copy), ota0);
    copy.label[0] = '\0'; /* an empty label matches any label */
    assert_ptr_equal(esp_partition_verify(&copy), ota0);
    copy = *ota0;
    copy.address += 0x1000;
    assert_null(esp_partition_verify(&copy));
    copy = *ota0;
    copy.size -= 0x1000;
    assert_null(esp_partition_verify(&copy));
    copy = *ota0;
    strcpy(copy.label, "ota_9");
    assert_null(esp_partition_verify(&copy));
    copy = *ota0;
    copy.subtype = ESP_PARTITION_SUBTYPE_APP_OTA_1;
    assert_null(esp_partition_verify(&copy));
    assert_null(esp_partition_verify(NULL));
}

/* ---- read / write / erase argument checks (reference §1.4) --------------- */

typedef struct {
    size_t offset;
    size_t len;
    esp_err_t want;
} range_case_t;

static void test_read_write_checks(void **state)
{
    (void)state;
    const esp_partition_t *nvs = by_label("nvs"); /* 0x9000, 0x4000 */
    static const range_case_t cases[] = {
        {0x4001, 0, ESP_ERR_INVALID_ARG},
        {0x4001, 1, ESP_ERR_INVALID_ARG},
        {SIZE_MAX, 1, ESP_ERR_INVALID_ARG},
        {0x4000, 1, ESP_ERR_INVALID_SIZE},
        {0x3FFF, 2, ESP_ERR_INVALID_SIZE},
        {0, 0x4001, ESP_ERR_INVALID_SIZE},
        {8, SIZE_MAX, ESP_ERR_INVALID_SIZE},
        {0x4000, 0, ESP_OK},
        {0x3FFC, 4, ESP_OK},
        {0, 16, ESP_OK},
    };
    uint8_t buf[16];
    memset(buf, 0x5A, sizeof buf);
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const range_case_t *c = &cases[i];
        size_t n = c->len <= sizeof buf ? c->len : sizeof buf;
        uint8_t rd[16];
        uint64_t ops = s_chip.st->counters.reads + s_chip.st->counters.modify_ops;
        /* Rejected calls must not reach flash, so a huge len never touches the buffer. */
        assert_int_equal(esp_partition_read(nvs, c->offset, rd, c->want ? c->len : n), c->want);
        assert_int_equal(esp_partition_write(nvs, c->offset, buf, c->want ? c->len : n), c->want);
        if (c->want != ESP_OK) {
            assert_int_equal(s_chip.st->counters.reads + s_chip.st->counters.modify_ops, ops);
        }
    }
    /* What was written is exactly where it belongs, relative to the partition. */
    uint8_t got[20];
    tchip_peek(&s_chip, 0x9000 + 0x3FFC, got, 4);
    assert_memory_equal(got, buf, 4);
    tchip_peek(&s_chip, 0x9000, got, 16);
    assert_memory_equal(got, buf, 16);
    assert_true(tchip_all(&s_chip, 0x9000 + 16, 0x4000 - 20, 0xFF));
    assert_true(tchip_all(&s_chip, 0xd000, 0x2000, 0xFF));
    uint8_t rd[4];
    assert_int_equal(esp_partition_read(nvs, 0x3FFC, rd, 4), ESP_OK);
    assert_memory_equal(rd, buf, 4);

    assert_int_equal(esp_partition_read(NULL, 0, rd, 1), ESP_ERR_INVALID_ARG);
    assert_int_equal(esp_partition_write(NULL, 0, buf, 1), ESP_ERR_INVALID_ARG);
    assert_int_equal(esp_partition_read(nvs, 0, NULL, 1), ESP_ERR_INVALID_ARG);
    assert_int_equal(esp_partition_write(nvs, 0, NULL, 1), ESP_ERR_INVALID_ARG);
}

static void test_write_over_unerased_is_a_flash_error(void **state)
{
    (void)state;
    const esp_partition_t *nvs = by_label("nvs");
    uint8_t zero = 0x00, one = 0xFF;
    assert_int_equal(esp_partition_write(nvs, 100, &zero, 1), ESP_OK);
    /* NOR: a 0 cannot become 1 without an erase (strict sim reports it). */
    assert_int_equal(esp_partition_write(nvs, 100, &one, 1), ESP_ERR_FLASH_OP_FAIL);
    assert_int_equal(esp_partition_erase_range(nvs, 0, 0x1000), ESP_OK);
    assert_int_equal(esp_partition_write(nvs, 100, &one, 1), ESP_OK);
}

/* Each erase call is one blocking call of n sectors; the longest is kept. */
static void test_erase_stats_count_sectors_per_call(void **state)
{
    (void)state;
    const esp_partition_t *ota0 = by_label("ota_0");
    spi_flash_reset_erase_stats();
    assert_int_equal(esp_partition_erase_range(ota0, 0, 0x1000), ESP_OK);
    assert_int_equal(esp_partition_erase_range(ota0, 0x1000, 0x3000), ESP_OK);
    assert_int_equal(spi_flash_erase_sector(ota0->address / 0x1000 + 8), ESP_OK);
    spi_flash_erase_stats_t st;
    spi_flash_get_erase_stats(&st);
    assert_int_equal(st.erase_calls, 3);
    assert_int_equal(st.sectors_erased, 5);
    assert_int_equal(st.max_sectors_per_call, 3);
    spi_flash_reset_erase_stats();
    spi_flash_get_erase_stats(&st);
    assert_int_equal(st.erase_calls + st.sectors_erased + st.max_sectors_per_call, 0);
}

typedef struct {
    uint32_t start;
    uint32_t size;
    esp_err_t want;
} erase_case_t;

static void test_erase_checks_in_sdk_order(void **state)
{
    (void)state;
    const esp_partition_t *nvs = by_label("nvs"); /* 0x9000, 0x4000 */
    static const erase_case_t cases[] = {
        {0x4001, 0, ESP_ERR_INVALID_ARG},       /* start past the end */
        {0x5000, 0x1000, ESP_ERR_INVALID_ARG},  /* start past the end wins over alignment */
        {0, 0x5000, ESP_ERR_INVALID_SIZE},      /* runs past the end */
        {0x3001, 0x1000, ESP_ERR_INVALID_SIZE}, /* runs past the end before alignment */
        {0, 100, ESP_ERR_INVALID_SIZE},         /* length not a sector multiple */
        {1, 1, ESP_ERR_INVALID_SIZE},           /* length checked before start */
        {100, 0x1000, ESP_ERR_INVALID_ARG},     /* start not a sector multiple */
        {0x800, 0x2000, ESP_ERR_INVALID_ARG},
        {0x4000, 0, ESP_OK}, /* empty range at the end: nothing to do */
        {0x1000, 0x2000, ESP_OK},
        {0x3000, 0x1000, ESP_OK},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        tchip_reset_counters(&s_chip);
        const erase_case_t *c = &cases[i];
        assert_int_equal(esp_partition_erase_range(nvs, c->start, c->size), c->want);
        uint32_t want_erases = (c->want == ESP_OK) ? c->size / TCHIP_SECTOR : 0;
        assert_int_equal(s_chip.st->counters.erases, want_erases);
        if (c->want == ESP_OK) {
            /* Exactly the sectors asked for, relative to the partition. */
            assert_int_equal(tchip_erases_in(&s_chip, 0x9000 + c->start, c->size), want_erases);
        }
    }
    assert_int_equal(esp_partition_erase_range(NULL, 0, 0x1000), ESP_ERR_INVALID_ARG);
}

static void test_erase_of_unaligned_partition_fails_as_sdk(void **state)
{
    (void)state;
    /* Data partitions need only 4-byte alignment; spi_flash_erase_range then
     * refuses the flash range, with ESP_ERR_FLASH_OP_FAIL as on the SDK. */
    static const trow_t rows[] = {{"odd", 1, 0x81, 0x9004, 0x2000, 0}};
    tchip_table(&s_chip, TROWS(rows));
    tchip_reset_counters(&s_chip);
    const esp_partition_t *p = by_label("odd");
    assert_int_equal(esp_partition_erase_range(p, 0, 0x1000), ESP_ERR_FLASH_OP_FAIL);
    assert_int_equal(s_chip.st->counters.erases, 0);
}

static void test_partition_beyond_the_chip(void **state)
{
    (void)state;
    /* The app-side reader checks nothing (SDK partition.c); flash refuses. */
    static const trow_t rows[] = {{"far", 0, 0x10, 0x410000, 0x10000, 0}};
    tchip_table(&s_chip, TROWS(rows));
    const esp_partition_t *p = by_label("far");
    assert_non_null(p);
    uint8_t b;
    assert_int_equal(esp_partition_read(p, 0, &b, 1), ESP_ERR_FLASH_OP_FAIL);
    assert_int_equal(esp_partition_erase_range(p, 0, 0x1000), ESP_ERR_FLASH_OP_FAIL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_find_apps_in_table_order, setup, teardown),
        cmocka_unit_test_setup_teardown(test_erase_stats_count_sectors_per_call, setup, teardown),
        cmocka_unit_test_setup_teardown(test_find_data_and_filters, setup, teardown),
        cmocka_unit_test_setup_teardown(test_label_of_16_chars_and_user_type, setup, teardown),
        cmocka_unit_test_setup_teardown(test_table_ends_at_md5_row_or_bad_magic, setup, teardown),
        cmocka_unit_test_setup_teardown(test_reload_after_invalidate, setup, teardown),
        cmocka_unit_test_setup_teardown(test_verify, setup, teardown),
        cmocka_unit_test_setup_teardown(test_read_write_checks, setup, teardown),
        cmocka_unit_test_setup_teardown(test_write_over_unerased_is_a_flash_error, setup, teardown),
        cmocka_unit_test_setup_teardown(test_erase_checks_in_sdk_order, setup, teardown),
        cmocka_unit_test_setup_teardown(test_erase_of_unaligned_partition_fails_as_sdk, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_partition_beyond_the_chip, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
