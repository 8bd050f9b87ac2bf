/*
 * The CSV side of partition_table, called directly: Python int() rules,
 * str.strip()/splitlines() rules, size suffixes, auto offsets, "-X" sizes,
 * $VAR expansion, line numbers, CSV output formats and the flash end rule
 * of gen_esp32part.py v1.2 (reference §1.3).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "part_csv.h"
#include "part_text.h"

static const part_opts_t DEFAULT_OPTS = {.table_offset = 0x8000, .md5sum = true};

static void test_py_int(void **state)
{
    (void)state;
    static const struct {
        const char *text;
        part_int_result_t result;
        int64_t value;
    } cases[] = {
        {"0x9000", PART_INT_OK, 0x9000},
        {"0X9000", PART_INT_OK, 0x9000},
        {"36864", PART_INT_OK, 36864},
        {" 5 ", PART_INT_OK, 5},
        {"+5", PART_INT_OK, 5},
        {"-0x10", PART_INT_OK, -16},
        {"0b101", PART_INT_OK, 5},
        {"0o17", PART_INT_OK, 15},
        {"1_000", PART_INT_OK, 1000},
        {"0x_10", PART_INT_OK, 16},
        {"0", PART_INT_OK, 0},
        {"00", PART_INT_OK, 0},
        {"0_0", PART_INT_OK, 0},
        {"\xe3\x80\x80"
         "7",
         PART_INT_OK, 7}, /* U+3000 */
        {"012", PART_INT_INVALID, 0},
        {"1__0", PART_INT_INVALID, 0},
        {"_1", PART_INT_INVALID, 0},
        {"1_", PART_INT_INVALID, 0},
        {"0x", PART_INT_INVALID, 0},
        {"", PART_INT_INVALID, 0},
        {"-", PART_INT_INVALID, 0},
        {"- 5", PART_INT_INVALID, 0},
        {"0x1g", PART_INT_INVALID, 0},
        {"1.5", PART_INT_INVALID, 0},
        {"0x7fffffffffffffff", PART_INT_TOO_LARGE, 0},
        {"99999999999999999999999", PART_INT_TOO_LARGE, 0},
        {"0999999999999999999999", PART_INT_INVALID, 0},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        int64_t v = 0;
        part_int_result_t got = part_py_int(cases[i].text, strlen(cases[i].text), &v);
        if (got != cases[i].result || (got == PART_INT_OK && v != cases[i].value)) {
            fail_msg("int('%s', 0): result %d value %lld", cases[i].text, got, (long long)v);
        }
    }
}

static void test_text_rules(void **state)
{
    (void)state;
    char h[20];
    assert_string_equal(part_hex(-16, h), "-10");
    assert_string_equal(part_hex(0xABC, h), "abc");
    assert_int_equal(part_floor_mod(-5, 4), 3);
    assert_int_equal(part_floor_div(-0x100000, 0x100000), -1);
    assert_int_equal(part_floor_div(-1, 0x400), -1);

    const char text[] = "\xc2\xa0 x y\xe2\x80\x83\x1f";
    const char *b = text, *e = text + strlen(text);
    part_strip(&b, &e);
    assert_int_equal(e - b, 3);
    assert_memory_equal(b, "x y", 3);

    assert_int_equal(part_line_break_len("\r\nx", 3), 2);
    assert_int_equal(part_line_break_len("\x0b", 1), 1);
    assert_int_equal(part_line_break_len("\xe2\x80\xa8", 3), 3);
    assert_int_equal(part_line_break_len("\x1f", 1), 0); /* whitespace, not a line break */
    assert_true(part_utf8_valid("\xc3\xa9", 2));
    assert_false(part_utf8_valid("\xed\xa0\x80", 3)); /* surrogate */
    assert_false(part_utf8_valid("\xc0\xaf", 2));     /* overlong */
}

/* Parses text with opts; fails the test on an error. */
static void parse_ok(const char *text, const part_opts_t *o, part_table_t *t)
{
    part_err_t e = {0};
    memset(t, 0, sizeof *t);
    if (part_csv_parse(text, strlen(text), o, t, &e)) {
        fail_msg("%s", e.msg);
    }
}

static const char *parse_err(const char *text, int want_status)
{
    static char msg[512];
    part_table_t t = {0};
    part_err_t e = {0};
    assert_int_equal(part_csv_parse(text, strlen(text), &DEFAULT_OPTS, &t, &e), want_status);
    snprintf(msg, sizeof msg, "%s", e.msg);
    part_err_free(&e);
    part_table_free(&t);
    return msg;
}

/* Empty offsets follow the previous end, rounded to 4 KB for apps and 4 for data. */
static void test_auto_offsets_and_suffixes(void **state)
{
    (void)state;
    part_table_t t;
    parse_ok("# Name, Type, SubType, Offset, Size\n"
             "nvs, data, nvs, , 0x4001\n"
             "\n"
             "ota_0, app, ota_0, , 1M\n"
             "fat, data, fat, , 3\n"
             "x, 0x40, 7, , 12k\n"
             "y, app, test, , 2kM\n",
             &DEFAULT_OPTS, &t);
    static const struct {
        int line;
        int64_t type, subtype, offset, size;
    } want[] = {
        {2, 1, 0x02, 0x9000, 0x4001},
        {4, 0, 0x10, 0xE000, 0x100000},
        {5, 1, 0x81, 0x10E000, 3},
        {6, 0x40, 7, 0x10E004, 12 * 1024},
        {7, 0, 0x20, 0x112000, INT64_C(2) * 1024 * 1024 * 1024},
    };
    assert_int_equal(t.count, 5);
    for (size_t i = 0; i < t.count; i++) {
        assert_int_equal(t.rows[i].line_no, want[i].line);
        assert_int_equal(t.rows[i].type, want[i].type);
        assert_int_equal(t.rows[i].subtype, want[i].subtype);
        assert_int_equal(t.rows[i].offset, want[i].offset);
        assert_int_equal(t.rows[i].size, want[i].size);
    }
    part_table_free(&t);

    /* the first free offset follows the table: --offset 0x4000 -> 0x5000 */
    part_opts_t o = DEFAULT_OPTS;
    o.table_offset = 0x4000;
    parse_ok("phy_init,data,phy,,4K\n", &o, &t);
    assert_int_equal(t.rows[0].offset, 0x5000);
    part_table_free(&t);
}

/* "-X" means "ends at X"; keywords and suffixes are case-insensitive. */
static void test_negative_size_and_keywords(void **state)
{
    (void)state;
    part_table_t t;
    parse_ok("factory, APP, Factory, 0x10000, -0x100000\n"
             "ota_0, 0, OTA_0, , -2M, encrypted\n"
             "st, Data, SPIFFS, , 0x10K, :encrypted:\n",
             &DEFAULT_OPTS, &t);
    assert_int_equal(t.count, 3);
    assert_int_equal(t.rows[0].size, 0xF0000);
    assert_int_equal(t.rows[1].offset, 0x100000);
    assert_int_equal(t.rows[1].size, 0x100000);
    assert_true(t.rows[1].encrypted);
    assert_int_equal(t.rows[2].subtype, 0x82);
    assert_int_equal(t.rows[2].size, 0x4000);
    assert_true(t.rows[2].encrypted);
    assert_false(t.rows[0].encrypted);
    part_table_free(&t);
}

static void test_env_vars(void **state)
{
    (void)state;
    setenv("PT_UNIT_SIZE", "0x2000", 1);
    setenv("PT_UNIT_HASH", "# commented out", 1);
    unsetenv("PT_UNIT_NONE");
    part_table_t t;
    parse_ok("a,data,nvs,,$PT_UNIT_SIZE\n"
             "$PT_UNIT_HASH\n"
             "b$PT_UNIT_NONE,data,phy,,${PT_UNIT_SIZE}\n",
             &DEFAULT_OPTS, &t);
    assert_int_equal(t.count, 2);
    assert_int_equal(t.rows[0].size, 0x2000);
    /* an unknown variable inside a field stays as written */
    assert_string_equal(t.rows[1].name, "b$PT_UNIT_NONE");
    assert_int_equal(t.rows[1].offset, 0xB000);
    part_table_free(&t);
    /* only a line that starts with one is an error, and it has no line number */
    assert_string_equal(parse_err("a,data,nvs,,4K\n$PT_UNIT_NONE_2x,data,nvs,,4K\n", 2),
                        "unknown variable 'PT_UNIT_NONE_2x'");
    unsetenv("PT_UNIT_SIZE");
    unsetenv("PT_UNIT_HASH");
}

static void test_parse_errors(void **state)
{
    (void)state;
    assert_string_equal(parse_err("x,app,factory,,k\n", 2),
                        "Error at line 1: Invalid field value ");
    assert_string_equal(parse_err("x,apk,,,4K\n", 2),
                        "Error at line 1: Value 'ap' is not valid. Known keywords: app, data");
    /* a copy of row 1 counts as "first" in the script's by-value comparison */
    assert_string_equal(parse_err("a,app,factory,0x10000,4K\na,app,factory,0x10000,4K\n", 2),
                        "CSV Error: First partition offset 0x10000 overlaps end of partition "
                        "table 0x11000");
    assert_string_equal(parse_err("a\xe2\x80\xa8"
                                  "b,app,factory,,4K\n",
                                  2),
                        "Error at line 1: Field 'type' can't be left empty.");
    assert_string_equal(parse_err("x,app,factory,,0x100000000000000000\n", 1),
                        "Error at line 1: Value 0x100000000000000000 is out of range");
    assert_string_equal(parse_err("x,data,nvs,,4K\xff\n", 1), "CSV input is not valid UTF-8");
    /* found by fuzz_partition_csv: each size fits, their running sum overflowed int64_t */
    assert_string_equal(parse_err("a,data,nvs,,0x3fffffffffffffff\n"
                                  "b,data,nvs,,0x3fffffffffffffff\n",
                                  1),
                        "Partition at line 1: offset 0x9000 + size 0x3fffffffffffffff is out "
                        "of range");
}

static void test_csv_output_formats(void **state)
{
    (void)state;
    const part_row_t rows[] = {
        {.name = "a", .type = 0, .subtype = 0x1F, .offset = 0x10000, .size = 0x300000},
        {.name = "b", .type = 1, .subtype = 0x04, .offset = 0x9000, .size = 0x1400},
        {.name = "c",
         .type = 0x40,
         .subtype = 0x99,
         .offset = 0x9004,
         .size = 0x3,
         .encrypted = true},
        {.name = "d", .type = 1, .subtype = 0x06, .offset = 0x10, .size = 0},
    };
    static const char *const want[] = {
        "a,app,ota_15,0x10000,3M,",
        "b,data,nvs_keys,0x9000,5K,",
        "c,64,153,0x9004,0x3,encrypted",
        "d,data,6,0x10,0M,",
    };
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        char *buf = NULL;
        size_t len = 0;
        FILE *f = open_memstream(&buf, &len);
        part_row_write_csv(&rows[i], f);
        fclose(f);
        assert_string_equal(buf, want[i]);
        free(buf);
    }
}

/* flash_size(): end of the row with the highest offset, the first such row on ties. */
static void test_flash_end(void **state)
{
    (void)state;
    part_row_t rows[] = {
        {.name = "a", .offset = 0x10000, .size = 0x400000},
        {.name = "b", .offset = 0x200000, .size = 0x1000},
        {.name = "c", .offset = 0x200000, .size = 0x8000},
    };
    part_table_t t = {.rows = rows, .count = 3, .cap = 3};
    assert_int_equal(part_table_flash_end(&t), 0x201000);
    t.count = 0;
    assert_int_equal(part_table_flash_end(&t), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_py_int),
        cmocka_unit_test(test_text_rules),
        cmocka_unit_test(test_auto_offsets_and_suffixes),
        cmocka_unit_test(test_negative_size_and_keywords),
        cmocka_unit_test(test_env_vars),
        cmocka_unit_test(test_parse_errors),
        cmocka_unit_test(test_csv_output_formats),
        cmocka_unit_test(test_flash_end),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
