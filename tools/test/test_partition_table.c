/*
 * ota8266 partition_table, CSV -> binary, run in-process on temp files: the
 * §1.5 vector with and without the MD5 row, the shipped CSVs, the flash size
 * check, the row limit, and every CSV message of gen_esp32part.py v1.2 with
 * its exit status. Binary input and the command line: test_partition_table_bin.c.
 */
#include "part_test_util.h"

/* ---- §1.5 and the shipped tables ---- */

static void test_two_ota_matches_reference_vector(void **state)
{
    (void)state;
    run_t r;
    uint8_t bin[TABLE_LEN];
    RUN(&r, cmd_partition_table, "partition_table", "-q", "--disable-md5sum", "--flash-size", "2MB",
        "--offset", "0x8000", shipped("partitions_two_ota.csv"), tmp("t.bin"));
    ASSERT_RC(&r, 0);
    assert_string_equal(r.err, "");
    read_all(tmp("t.bin"), bin, TABLE_LEN);
    expect_two_ota_rows(bin);
    expect_ff(bin + 0xA0, TABLE_LEN - 0xA0);
}

static void test_two_ota_md5_row(void **state)
{
    (void)state;
    run_t r;
    uint8_t bin[TABLE_LEN];
    RUN(&r, cmd_partition_table, "partition_table", "-q", shipped("partitions_two_ota.csv"),
        tmp("t.bin"));
    ASSERT_RC(&r, 0);
    read_all(tmp("t.bin"), bin, TABLE_LEN);
    expect_two_ota_rows(bin);
    assert_int_equal(bin[0xA0], 0xEB);
    assert_int_equal(bin[0xA1], 0xEB);
    expect_ff(bin + 0xA2, 14);
    assert_memory_equal(bin + 0xB0, TWO_OTA_MD5, 16);
    expect_ff(bin + 0xC0, TABLE_LEN - 0xC0);
}

typedef struct {
    const char *csv;
    const char *flash;
    prow_t rows[6];
    size_t n;
} shipped_case_t;

static const shipped_case_t SHIPPED[] = {
    {"partitions_singleapp.csv",
     "1MB",
     {{"nvs", 1, 2, 0x9000, 0x6000, 0},
      {"phy_init", 1, 1, 0xf000, 0x1000, 0},
      {"factory", 0, 0, 0x10000, 0xF0000, 0}},
     3},
    {"partitions_two_ota.1MB.csv",
     "1MB",
     {{"nvs", 1, 2, 0x9000, 0x4000, 0},
      {"otadata", 1, 0, 0xd000, 0x2000, 0},
      {"phy_init", 1, 1, 0xf000, 0x1000, 0},
      {"ota_0", 0, 0x10, 0x10000, 0x70000, 0},
      {"ota_1", 0, 0x11, 0x80000, 0x70000, 0}},
     5},
    {"partitions_factory_two_ota.csv",
     "4MB",
     {{"nvs", 1, 2, 0x9000, 0x4000, 0},
      {"otadata", 1, 0, 0xd000, 0x2000, 0},
      {"phy_init", 1, 1, 0xf000, 0x1000, 0},
      {"factory", 0, 0, 0x10000, 0xF0000, 0},
      {"ota_0", 0, 0x10, 0x110000, 0xF0000, 0},
      {"ota_1", 0, 0x11, 0x210000, 0xF0000, 0}},
     6},
};

static void test_shipped_tables(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof SHIPPED / sizeof SHIPPED[0]; i++) {
        const shipped_case_t *c = &SHIPPED[i];
        run_t r;
        uint8_t bin[TABLE_LEN], want[TABLE_LEN];
        RUN(&r, cmd_partition_table, "partition_table", "-q", "--disable-md5sum", "--flash-size",
            c->flash, shipped(c->csv), tmp("t.bin"));
        ASSERT_RC(&r, 0);
        read_all(tmp("t.bin"), bin, TABLE_LEN);
        pack_rows(c->rows, c->n, want);
        assert_memory_equal(bin, want, TABLE_LEN);
    }
}

/* The demo table needs 4 MB: ota_1 ends at 0x300000. */
static void test_flash_size_exceeded(void **state)
{
    (void)state;
    run_t r;
    const char *csv = shipped("partitions_factory_two_ota.csv");
    char want[512];
    snprintf(want, sizeof want,
             "Partitions defined in '%s' occupy 3.0MB of flash (3145728 bytes) which does not "
             "fit in configured flash size 2MB. Change the flash size in menuconfig under the "
             "'Serial Flasher Config' menu.\n",
             csv);
    RUN(&r, cmd_partition_table, "partition_table", "-q", "--flash-size", "2MB", csv,
        tmp("no.bin"));
    ASSERT_RC(&r, 2);
    assert_string_equal(r.err, want);
    assert_int_equal(file_size(tmp("no.bin")), -1);

    /* 0x110000 bytes = 1.0625 MB, printed with one decimal */
    csv = csv_file("b,data,fat,0x9000,0x7000\na,app,factory,0x10000,0x100000\n");
    snprintf(want, sizeof want,
             "Partitions defined in '%s' occupy 1.1MB of flash (1114112 bytes) which does not "
             "fit in configured flash size 1MB. Change the flash size in menuconfig under the "
             "'Serial Flasher Config' menu.\n",
             csv);
    RUN(&r, cmd_partition_table, "partition_table", "-q", "--flash-size", "1MB", csv, "-");
    ASSERT_RC(&r, 2);
    assert_string_equal(r.err, want);
}

/* ---- output and limits ---- */

/* The script creates the output's folders. */
static void test_output_dirs_created(void **state)
{
    (void)state;
    run_t r;
    RUN(&r, cmd_partition_table, "partition_table", "-q", shipped("partitions_two_ota.csv"),
        tmp("x/y/z.bin"));
    ASSERT_RC(&r, 0);
    assert_int_equal(file_size(tmp("x/y/z.bin")), TABLE_LEN);
}

/* 0xC00 bytes keep room for the end row: 95 rows, or 94 plus the MD5 row. */
static void test_row_limit(void **state)
{
    (void)state;
    static const struct {
        int rows;
        bool md5;
        int rc;
        const char *err;
    } cases[] = {
        {95, false, 0, ""},
        {96, false, 2, "Binary partition table length (3072) longer than max\n"},
        {94, true, 0, ""},
        {95, true, 2, "Binary partition table length (3072) longer than max\n"},
    };
    for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
        char csv[4096] = "";
        for (int i = 0; i < cases[c].rows; i++) {
            char line[32];
            snprintf(line, sizeof line, "p%d,data,nvs,,4\n", i);
            strcat(csv, line);
        }
        run_t r;
        remove(tmp("n.bin"));
        RUN(&r, cmd_partition_table, "partition_table", "-q", csv_file(csv), tmp("n.bin"),
            cases[c].md5 ? "-v" : "--disable-md5sum");
        ASSERT_RC(&r, cases[c].rc);
        assert_string_equal(r.err, cases[c].err);
        if (cases[c].rc == 0) {
            uint8_t bin[TABLE_LEN];
            read_all(tmp("n.bin"), bin, TABLE_LEN);
            size_t last = (size_t)(cases[c].rows - 1) * 32; /* p94 / p93 at 0x9000 + 4 * n */
            assert_int_equal(bin[last + 4] | bin[last + 5] << 8, 0x9000 + 4 * (cases[c].rows - 1));
            assert_int_equal(bin[last + 32], cases[c].md5 ? 0xEB : 0xFF);
            expect_ff(bin + TABLE_LEN - 32, 32);
        } else {
            assert_int_equal(file_size(tmp("n.bin")), -1);
        }
    }
}

/* ---- CSV errors: message, exit status 2, CSV line where the script gives one ---- */

typedef struct {
    const char *csv;
    const char *opt; /* one extra option, or NULL */
    const char *err; /* stderr with -q */
    const char *out; /* stdout */
} err_case_t;

static const err_case_t CSV_ERRORS[] = {
    {"nvs,data,nvs,0x9000\n", NULL, "Error at line 1: Size field can't be empty\n", ""},
    {"# c\n\nx,,nvs,,4K\n", NULL, "Error at line 3: Field 'type' can't be left empty.\n", ""},
    {"x,bogus,,,4K\n", NULL,
     "Error at line 1: Value 'bogus' is not valid. Known keywords: app, data\n", ""},
    {"a,app,,,4K\r\nx,app,ota_16,,4K\n", NULL,
     "Error at line 2: Value 'ota_16' is not valid. Known keywords: factory, test, ota_0, ota_1, "
     "ota_2, ota_3, ota_4, ota_5, ota_6, ota_7, ota_8, ota_9, ota_10, ota_11, ota_12, ota_13, "
     "ota_14, ota_15\n",
     ""},
    {"x,data,factory,,4K\n", NULL,
     "Error at line 1: Value 'factory' is not valid. Known keywords: ota, phy, nvs, coredump, "
     "nvs_keys, efuse, esphttpd, fat, spiffs\n",
     ""},
    {"x,0x40,nvs,,4K\n", NULL, "Error at line 1: Invalid field value nvs\n", ""},
    {"x,app,factory,0x1z,4K\n", NULL, "Error at line 1: Invalid field value 0x1z\n", ""},
    {"x,app,factory,,012\n", NULL, "Error at line 1: Invalid field value 012\n", ""},
    {"x,app,factory,,4K,readonly\n", NULL,
     "Error at line 1: CSV flag column contains unknown flag 'readonly'\n", ""},
    {"x,app,factory,,4K,encrypted :x\n", NULL,
     "Error at line 1: CSV flag column contains unknown flag 'encrypted '\n", ""},
    {"x,app,factory,0x8000,4K\n", NULL,
     "CSV Error: First partition offset 0x8000 overlaps end of partition table 0x9000\n", ""},
    {"x,app,factory,0x10000,4K\n", "--offset=0x10000",
     "CSV Error: First partition offset 0x10000 overlaps end of partition table 0x11000\n", ""},
    {"a,app,factory,0x10000,1M\n# gap\nb,app,ota_0,0x100000,1M\n", NULL,
     "CSV Error: Partitions overlap. Partition at line 3 sets offset 0x100000. Previous "
     "partition ends 0x110000\n",
     ""},
    {"x,app,factory,0x10800,4K\n", NULL,
     "Partition x invalid: Offset 0x10800 is not aligned to 0x1000\n", ""},
    {"x,data,nvs,0x9002,4K\n", NULL, "Partition x invalid: Offset 0x9002 is not aligned to 0x4\n",
     ""},
    {"x,app,factory,0x10000,0x1001\n", "--secure",
     "Partition x invalid: Size 0x1001 is not aligned to 0x1000\n", ""},
    {"x,data,nvs,0x9000,3\n", "--secure", "Partition x invalid: Size 0x3 is not aligned to 0x4\n",
     ""},
    {"a,data,nvs,,4K\nb,data,phy,,4K\na,app,factory,,4K\n", NULL,
     "Partition names must be unique\n",
     "A list of partitions that have the same "
     "name:\na,data,nvs,0x9000,4K,\na,app,factory,0xb000,4K,\n"},
    {"a,app,factory,0x20000,-0x10000\nb,app,ota_0,0x10000,0x20000\n", NULL,
     "Partition at 0x20000 overlaps 0x10000-0x2ffff\n", ""},
    {"a,data,nvs,0x9000,-0x4000\nb,data,phy,,4K\n", NULL,
     "Partition offset 0x4000 is below 0x9000\n", ""},
    {"$OTA8266_PT_UNSET,app,factory,,4K\n", NULL, "unknown variable 'OTA8266_PT_UNSET'\n", ""},
};

static void test_csv_errors(void **state)
{
    (void)state;
    unsetenv("OTA8266_PT_UNSET");
    for (size_t i = 0; i < sizeof CSV_ERRORS / sizeof CSV_ERRORS[0]; i++) {
        const err_case_t *c = &CSV_ERRORS[i];
        run_t r;
        RUN(&r, cmd_partition_table, "partition_table", "-q", csv_file(c->csv), tmp("e.bin"),
            c->opt);
        if (r.rc != 2 || strcmp(r.err, c->err) || strcmp(r.out, c->out)) {
            fail_msg("case %zu: exit %d\nstderr: %s\nwant:   %s\nstdout: %s", i, r.rc, r.err,
                     c->err, r.out);
        }
        assert_int_equal(file_size(tmp("e.bin")), -1);
    }
}

/* Warnings only: the table is still written. */
static void test_keyword_name_warnings(void **state)
{
    (void)state;
    run_t r;
    RUN(&r, cmd_partition_table, "partition_table", "-q",
        csv_file("data,app,factory,,4K\nota_1,app,ota_0,,4K\nnvs,data,nvs,,4K\n"), tmp("w.bin"));
    ASSERT_RC(&r, 0);
    assert_string_equal(
        r.err, "WARNING: Partition has name 'data' which is a partition type, but does not match "
               "this partition's type (0x0). Mistake in partition table?\n"
               "WARNING: Partition has name 'ota_1' which is a partition subtype, but this "
               "partition has non-matching type 0x0 and subtype 0x10. Mistake in partition "
               "table?\n");
    assert_int_equal(file_size(tmp("w.bin")), TABLE_LEN);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_two_ota_matches_reference_vector, setup, teardown),
        cmocka_unit_test_setup_teardown(test_two_ota_md5_row, setup, teardown),
        cmocka_unit_test_setup_teardown(test_shipped_tables, setup, teardown),
        cmocka_unit_test_setup_teardown(test_flash_size_exceeded, setup, teardown),
        cmocka_unit_test_setup_teardown(test_output_dirs_created, setup, teardown),
        cmocka_unit_test_setup_teardown(test_row_limit, setup, teardown),
        cmocka_unit_test_setup_teardown(test_csv_errors, setup, teardown),
        cmocka_unit_test_setup_teardown(test_keyword_name_warnings, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
