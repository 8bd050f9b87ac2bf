/* Partition table: rows, bootloader load/verify, app-side read, listing. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "bs_partition.h"
#include "bs_port.h"
#include "bs_test_hal.h"
#include "bs_test_tables.h"

#define TABLE_AT 0x8000u

/* Reference §1.5: gen_esp32part.py --disable-md5sum on partitions_two_ota.csv. */
static const uint8_t TWO_OTA_BIN[0xA0] = {
    0xaa, 0x50, 0x01, 0x02, 0x00, 0x90, 0x00, 0x00, 0x00, 0x40, 0x00, 0x00, 0x6e, 0x76, 0x73, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0xaa, 0x50, 0x01, 0x00, 0x00, 0xd0, 0x00, 0x00, 0x00, 0x20, 0x00, 0x00, 0x6f, 0x74, 0x61, 0x64,
    0x61, 0x74, 0x61, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0xaa, 0x50, 0x01, 0x01, 0x00, 0xf0, 0x00, 0x00, 0x00, 0x10, 0x00, 0x00, 0x70, 0x68, 0x79, 0x5f,
    0x69, 0x6e, 0x69, 0x74, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0xaa, 0x50, 0x00, 0x10, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x0f, 0x00, 0x6f, 0x74, 0x61, 0x5f,
    0x30, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0xaa, 0x50, 0x00, 0x11, 0x00, 0x00, 0x11, 0x00, 0x00, 0x00, 0x0f, 0x00, 0x6f, 0x74, 0x61, 0x5f,
    0x31, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
};

/* MD5 row as gen_esp32part.py writes it without --disable-md5sum. */
static const uint8_t MD5_ROW[32] = {
    0xEB, 0xEB, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF,
    0x0a, 0x6b, 0xfa, 0x01, 0xf8, 0x08, 0x32, 0x0d, 0x53, 0x9d, 0x67, 0xae, 0x2a, 0x3c, 0x1a, 0x9c,
};

static void test_encode_matches_sdk_binary(void **state)
{
    (void)state;
    uint8_t bin[ESP_PARTITION_TABLE_MAX_LEN];
    ttable_bytes(TROWS(TWO_OTA), bin);
    assert_memory_equal(bin, TWO_OTA_BIN, sizeof TWO_OTA_BIN);
    for (size_t i = sizeof TWO_OTA_BIN; i < sizeof bin; i++) {
        assert_int_equal(bin[i], 0xFF);
    }
}

static void test_decode_sdk_binary(void **state)
{
    (void)state;
    for (int i = 0; i < 5; i++) {
        esp_partition_info_t p;
        assert_int_equal(bs_partition_row_kind(TWO_OTA_BIN + 32 * i), BS_ROW_PARTITION);
        bs_partition_row_decode(TWO_OTA_BIN + 32 * i, &p);
        assert_int_equal(p.magic, ESP_PARTITION_MAGIC);
        assert_string_equal(p.label, TWO_OTA[i].label);
        assert_int_equal(p.type, TWO_OTA[i].type);
        assert_int_equal(p.subtype, TWO_OTA[i].subtype);
        assert_int_equal(p.offset, TWO_OTA[i].offset);
        assert_int_equal(p.size, TWO_OTA[i].size);
        assert_int_equal(p.flags, 0);
        uint8_t again[32];
        bs_partition_row_encode(&p, again);
        assert_memory_equal(again, TWO_OTA_BIN + 32 * i, 32);
    }
}

static void test_label_of_sixteen_has_no_terminator(void **state)
{
    (void)state;
    esp_partition_info_t p = {.magic = ESP_PARTITION_MAGIC,
                              .type = 1,
                              .subtype = 0x82,
                              .offset = 0x300000,
                              .size = 0x100000,
                              .flags = PART_FLAG_ENCRYPTED};
    memcpy(p.label, "abcdefghijklmnop", 17);
    uint8_t raw[32];
    bs_partition_row_encode(&p, raw);
    assert_memory_equal(raw + 12, "abcdefghijklmnop", 16);
    assert_int_equal(bs_le32(raw + 28), 1);
    esp_partition_info_t q;
    bs_partition_row_decode(raw, &q);
    assert_string_equal(q.label, "abcdefghijklmnop");
    assert_int_equal(q.flags, PART_FLAG_ENCRYPTED);
}

static void test_row_kinds(void **state)
{
    (void)state;
    static const struct {
        uint8_t b0, b1, type, subtype;
        bs_row_kind_t kind;
    } rows[] = {
        {0xAA, 0x50, 0x00, 0x10, BS_ROW_PARTITION}, {0xEB, 0xEB, 0xFF, 0xFF, BS_ROW_MD5},
        {0xFF, 0xFF, 0xFF, 0xFF, BS_ROW_END},       {0xFF, 0xFF, 0x00, 0xFF, BS_ROW_BAD_MAGIC},
        {0xFF, 0xFF, 0xFF, 0x00, BS_ROW_BAD_MAGIC}, {0x50, 0xAA, 0x00, 0x00, BS_ROW_BAD_MAGIC},
        {0x00, 0x00, 0x00, 0x00, BS_ROW_BAD_MAGIC},
    };
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        uint8_t raw[32];
        memset(raw, 0xFF, sizeof raw);
        raw[0] = rows[i].b0;
        raw[1] = rows[i].b1;
        raw[2] = rows[i].type;
        raw[3] = rows[i].subtype;
        assert_int_equal(bs_partition_row_kind(raw), rows[i].kind);
    }
}

static void test_load_two_ota(void **state)
{
    (void)state;
    bs_hal_t hal;
    tflash_t *f = tflash_new(0x400000, &hal);
    memcpy(f->mem + TABLE_AT, TWO_OTA_BIN, sizeof TWO_OTA_BIN);
    bs_partition_table_t t;
    assert_int_equal(bs_partition_table_load(&hal, TABLE_AT, true, &t), ESP_OK);
    assert_int_equal(t.num_rows, 5);
    assert_string_equal(t.rows[4].label, "ota_1");
    assert_int_equal(tlog_count_level(&f->log, 'E'), 0);
    assert_string_equal(f->log.lines[f->log.count - 1],
                        "D flash_parts: partition table verified, 5 entries");
    /* Read row by row: six 32-byte reads, nothing past the end marker. */
    assert_int_equal(f->reads, 6);
    assert_int_equal(f->bytes_read, 6 * 32);
    tflash_free(f);
}

typedef struct {
    const char *name;
    uint32_t chip_size;
    int bad_row;      /* row to damage, -1 none */
    uint8_t magic[2]; /* bytes written at the damaged row */
    esp_err_t want;
    const char *message;
} load_case_t;

static void test_load_errors(void **state)
{
    (void)state;
    static const load_case_t cases[] = {
        {"bad magic",
         0x400000,
         2,
         {0x34, 0x12},
         ESP_ERR_INVALID_STATE,
         "E flash_parts: partition 2 invalid magic number 0x1234"},
        {"erased magic, typed row",
         0x400000,
         0,
         {0xFF, 0xFF},
         ESP_ERR_INVALID_STATE,
         "E flash_parts: partition 0 invalid magic number 0xffff"},
        {"beyond a 1 MB chip",
         0x100000,
         -1,
         {0},
         ESP_ERR_INVALID_SIZE,
         "E flash_parts: partition 4 invalid - offset 0x110000 size 0xf0000 exceeds flash chip "
         "size 0x100000"},
        {"fits a 2 MB chip exactly", 0x200000, -1, {0}, ESP_OK, NULL},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const load_case_t *c = &cases[i];
        bs_hal_t hal;
        tflash_t *f = tflash_new(0x400000, &hal);
        hal.chip_size = c->chip_size;
        memcpy(f->mem + TABLE_AT, TWO_OTA_BIN, sizeof TWO_OTA_BIN);
        if (c->bad_row >= 0) {
            memcpy(f->mem + TABLE_AT + 32 * c->bad_row, c->magic, 2);
        }
        bs_partition_table_t t;
        esp_err_t err = bs_partition_table_load(&hal, TABLE_AT, true, &t);
        if (err != c->want) {
            tlog_dump(&f->log);
            fail_msg("%s: got 0x%x want 0x%x", c->name, (unsigned)err, (unsigned)c->want);
        }
        if (c->message) {
            assert_int_equal(tlog_count_level(&f->log, 'E'), 1);
            assert_int_not_equal(tlog_find(&f->log, c->message), -1);
            assert_int_equal(t.num_rows, 0);
        }
        /* Same verdict, no log, when log_errors is false. */
        f->log.count = 0;
        assert_int_equal(bs_partition_table_load(&hal, TABLE_AT, false, &t), c->want);
        assert_int_equal(tlog_count_level(&f->log, 'E'), 0);
        tflash_free(f);
    }
}

static void test_beyond_chip_wrapping_sum(void **state)
{
    (void)state;
    bs_hal_t hal;
    tflash_t *f = tflash_new(0x100000, &hal);
    const trow_t rows[] = {{"evil", 1, 0x81, 0x10000, 0xFFFF8000u}};
    ttable_write(f, TABLE_AT, TROWS(rows));
    bs_partition_table_t t;
    /* offset + size wraps to 0x8000 in 32 bits; it must still be refused. */
    assert_int_equal(bs_partition_table_load(&hal, TABLE_AT, true, &t), ESP_ERR_INVALID_SIZE);
    tflash_free(f);
}

static void test_no_terminator(void **state)
{
    (void)state;
    bs_hal_t hal;
    tflash_t *f = tflash_new(0x400000, &hal);
    trow_t rows[96];
    for (int i = 0; i < 96; i++) {
        rows[i] = (trow_t){"d", 1, 0x81, 0x100000u + 0x1000u * (uint32_t)i, 0x1000};
    }
    ttable_write(f, TABLE_AT, TROWS(rows));
    bs_partition_table_t t;
    assert_int_equal(bs_partition_table_load(&hal, TABLE_AT, true, &t), ESP_ERR_INVALID_STATE);
    assert_string_equal(f->log.lines[f->log.count - 1],
                        "E flash_parts: partition table has no terminating entry, not valid");
    /* Never read past 0xC00 bytes, even though the sector goes on. */
    assert_int_equal(f->bytes_read, 0xC00);

    /* 95 entries plus the terminator fill 0xC00 exactly: accepted. */
    memset(f->mem + TABLE_AT + 95 * 32, 0xFF, 32);
    f->log.count = 0;
    assert_int_equal(bs_partition_table_load(&hal, TABLE_AT, true, &t), ESP_OK);
    assert_int_equal(t.num_rows, 95);
    assert_int_equal(t.rows[94].offset, 0x100000u + 94u * 0x1000u);
    tflash_free(f);
}

static void test_md5_row_skipped_but_counted(void **state)
{
    (void)state;
    bs_hal_t hal;
    tflash_t *f = tflash_new(0x400000, &hal);
    memcpy(f->mem + TABLE_AT, TWO_OTA_BIN, sizeof TWO_OTA_BIN);
    memcpy(f->mem + TABLE_AT + 0xA0, MD5_ROW, 32);
    bs_partition_table_t t;
    assert_int_equal(bs_partition_table_load(&hal, TABLE_AT, true, &t), ESP_OK);
    assert_int_equal(t.num_rows, 6);
    assert_int_equal(t.rows[5].magic, ESP_PARTITION_MAGIC_MD5);
    assert_int_equal(t.rows[5].type, 0xFF);
    assert_string_equal(bs_partition_usage(t.rows[5].type, t.rows[5].subtype), "unknown");

    /* A wrong digest is not checked either (the SDK compiles MD5 out). */
    f->mem[TABLE_AT + 0xA0 + 20] ^= 0xFF;
    assert_int_equal(bs_partition_table_load(&hal, TABLE_AT, true, &t), ESP_OK);

    /* The slot finder ignores it. */
    bs_boot_slots_t s;
    bs_boot_slots_find(&t, &s);
    assert_int_equal(s.ota_count, 2);

    /* The app side stops at it. */
    assert_int_equal(bs_partition_table_read_app(&hal, TABLE_AT, &t), ESP_OK);
    assert_int_equal(t.num_rows, 5);
    tflash_free(f);
}

static void test_read_app(void **state)
{
    (void)state;
    bs_hal_t hal;
    tflash_t *f = tflash_new(0x100000, &hal);
    bs_partition_table_t t;
    /* No checks app side: a row beyond the chip is returned as is. */
    ttable_write(f, TABLE_AT, TROWS(TWO_OTA));
    assert_int_equal(bs_partition_table_read_app(&hal, TABLE_AT, &t), ESP_OK);
    assert_int_equal(t.num_rows, 5);
    assert_int_equal(t.rows[4].offset, 0x110000);

    /* Stops at the first row whose magic is not 0x50AA, terminator or not. */
    f->mem[TABLE_AT + 2 * 32] = 0x00;
    assert_int_equal(bs_partition_table_read_app(&hal, TABLE_AT, &t), ESP_OK);
    assert_int_equal(t.num_rows, 2);
    assert_int_equal(bs_partition_table_load(&hal, TABLE_AT, false, &t), ESP_ERR_INVALID_STATE);

    /* Empty table (erased flash): zero rows, no error. */
    memset(f->mem + TABLE_AT, 0xFF, 0x1000);
    assert_int_equal(bs_partition_table_read_app(&hal, TABLE_AT, &t), ESP_OK);
    assert_int_equal(t.num_rows, 0);

    /* A read error is reported. */
    f->fail_read_lo = TABLE_AT;
    f->fail_read_hi = TABLE_AT + 1;
    assert_int_equal(bs_partition_table_read_app(&hal, TABLE_AT, &t), ESP_ERR_FLASH_OP_FAIL);
    assert_int_equal(bs_partition_table_load(&hal, TABLE_AT, true, &t), ESP_ERR_FLASH_OP_FAIL);
    tflash_free(f);
}

static void test_usage_strings(void **state)
{
    (void)state;
    static const struct {
        uint8_t type, subtype;
        const char *usage;
    } u[] = {
        {0, 0x00, "factory app"}, {0, 0x20, "test app"},     {0, 0x10, "OTA app"},
        {0, 0x1F, "OTA app"},     {0, 0x21, "Unknown app"},  {0, 0x01, "Unknown app"},
        {0, 0x30, "Unknown app"}, {1, 0x00, "OTA data"},     {1, 0x01, "RF data"},
        {1, 0x02, "WiFi data"},   {1, 0x03, "Unknown data"}, {1, 0x82, "Unknown data"},
        {2, 0x00, "unknown"},     {0x40, 0x01, "unknown"},   {0xFF, 0xFF, "unknown"},
    };
    for (size_t i = 0; i < sizeof u / sizeof u[0]; i++) {
        assert_string_equal(bs_partition_usage(u[i].type, u[i].subtype), u[i].usage);
    }
}

/* Reference §4 step 4, the factory-test.rst listing. */
static void test_print_listing(void **state)
{
    (void)state;
    bs_hal_t hal;
    tflash_t *f = tflash_new(0x200000, &hal);
    bs_partition_table_t t = ttable(TROWS(TWO_OTA));
    bs_partition_table_print(&hal, &t);
    static const char *const want[] = {
        "I boot: Partition Table:",
        "I boot: ## Label            Usage          Type ST Offset   Length",
        "I boot:  0 nvs              WiFi data        01 02 00009000 00004000",
        "I boot:  1 otadata          OTA data         01 00 0000d000 00002000",
        "I boot:  2 phy_init         RF data          01 01 0000f000 00001000",
        "I boot:  3 ota_0            OTA app          00 10 00010000 000f0000",
        "I boot:  4 ota_1            OTA app          00 11 00110000 000f0000",
        "I boot: End of partition table",
    };
    assert_int_equal(f->log.count, 8);
    for (int i = 0; i < 8; i++) {
        assert_string_equal(f->log.lines[i], want[i]);
    }
    tflash_free(f);
}

static void test_one_window(void **state)
{
    (void)state;
    static const struct {
        uint32_t offset, size;
        bool ok;
    } c[] = {
        {0x10000, 0xF0000, true},     {0x110000, 0xF0000, true},     {0x100000, 0x100000, true},
        {0x10000, 0xF0001, false},    {0x80000, 0x80001, false},     {0x0, 0x100000, true},
        {0xFFFFF, 1, true},           {0xFFFFF, 2, false},           {0x10000, 0, false},
        {0xFFFFF000u, 0x2000, false}, {0xFFF00000u, 0x100000, true},
    };
    for (size_t i = 0; i < sizeof c / sizeof c[0]; i++) {
        if (bs_partition_in_one_window(c[i].offset, c[i].size) != c[i].ok) {
            fail_msg("offset 0x%x size 0x%x", (unsigned)c[i].offset, (unsigned)c[i].size);
        }
    }
}

static void test_slots_find(void **state)
{
    (void)state;
    bs_boot_slots_t s;
    bs_partition_table_t t = ttable(TROWS(TWO_OTA));
    bs_boot_slots_find(&t, &s);
    assert_int_equal(s.factory, -1);
    assert_int_equal(s.test, -1);
    assert_int_equal(s.otadata, 1);
    assert_int_equal(s.ota[0], 3);
    assert_int_equal(s.ota[1], 4);
    assert_int_equal(s.ota[2], -1);
    assert_int_equal(s.ota_count, 2);

    t = ttable(TROWS(SINGLE_APP));
    bs_boot_slots_find(&t, &s);
    assert_int_equal(s.factory, 2);
    assert_int_equal(s.otadata, -1);
    assert_int_equal(s.ota_count, 0);

    const trow_t mixed[] = {
        {"test", 0, 0x20, 0x10000, 0x10000},   {"ota_5", 0, 0x15, 0x20000, 0x10000},
        {"odd", 0, 0x30, 0x30000, 0x10000},    {"factory", 0, 0, 0x40000, 0x10000},
        {"spiffs", 1, 0x82, 0x50000, 0x10000}, {"ota_15", 0, 0x1F, 0x60000, 0x10000},
    };
    t = ttable(TROWS(mixed));
    bs_boot_slots_find(&t, &s);
    assert_int_equal(s.test, 0);
    assert_int_equal(s.factory, 3);
    assert_int_equal(s.ota[5], 1);
    assert_int_equal(s.ota[15], 5);
    assert_int_equal(s.ota[0], -1);
    assert_int_equal(s.ota_count, 2);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_encode_matches_sdk_binary),
        cmocka_unit_test(test_decode_sdk_binary),
        cmocka_unit_test(test_label_of_sixteen_has_no_terminator),
        cmocka_unit_test(test_row_kinds),
        cmocka_unit_test(test_load_two_ota),
        cmocka_unit_test(test_load_errors),
        cmocka_unit_test(test_beyond_chip_wrapping_sum),
        cmocka_unit_test(test_no_terminator),
        cmocka_unit_test(test_md5_row_skipped_but_counted),
        cmocka_unit_test(test_read_app),
        cmocka_unit_test(test_usage_strings),
        cmocka_unit_test(test_print_listing),
        cmocka_unit_test(test_one_window),
        cmocka_unit_test(test_slots_find),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
