/*
 * ota8266 partition_table, the other direction and the command line: binary
 * input (MD5 row, end marker, bad magic, length, flag bits), bin -> CSV -> bin,
 * stdout and status lines, $VAR expansion and argparse-style options.
 */
#include "part_test_util.h"

/* ---- both directions ---- */

static void test_round_trip(void **state)
{
    (void)state;
    const char *md5_opts[] = {"--disable-md5sum", "-v"}; /* -v: a no-op, keeps MD5 on */
    for (int m = 0; m < 2; m++) {
        run_t r;
        uint8_t first[TABLE_LEN], second[TABLE_LEN];
        char csv[1024];
        RUN(&r, cmd_partition_table, "partition_table", "-q", md5_opts[m],
            shipped("partitions_two_ota.csv"), tmp("a.bin"));
        ASSERT_RC(&r, 0);
        RUN(&r, cmd_partition_table, "partition_table", "-q", md5_opts[m], tmp("a.bin"),
            tmp("a.csv"));
        ASSERT_RC(&r, 0);
        long n = file_size(tmp("a.csv"));
        assert_true(n > 0 && n < (long)sizeof csv);
        read_at(tmp("a.csv"), 0, csv, (size_t)n);
        csv[n] = '\0';
        assert_string_equal(csv, TWO_OTA_CSV_OUT);
        RUN(&r, cmd_partition_table, "partition_table", "-q", md5_opts[m], tmp("a.csv"),
            tmp("b.bin"));
        ASSERT_RC(&r, 0);
        read_all(tmp("a.bin"), first, TABLE_LEN);
        read_all(tmp("b.bin"), second, TABLE_LEN);
        assert_memory_equal(first, second, TABLE_LEN);
    }
}

/* No OUTPUT (or "-") writes to stdout; without -q the status lines go to stderr. */
static void test_stdout_and_status(void **state)
{
    (void)state;
    run_t r;
    uint8_t bin[TABLE_LEN];
    RUN(&r, cmd_partition_table, "partition_table", "--disable-md5sum",
        shipped("partitions_two_ota.csv"), tmp("a.bin"));
    ASSERT_RC(&r, 0);
    assert_string_equal(r.err, "Parsing CSV input...\nVerifying table...\n");
    read_all(tmp("a.bin"), bin, TABLE_LEN);

    RUN(&r, cmd_partition_table, "partition_table", tmp("a.bin"));
    ASSERT_RC(&r, 0);
    assert_string_equal(r.err, "Parsing binary partition input...\nVerifying table...\n");
    assert_string_equal(r.out, TWO_OTA_CSV_OUT);

    RUN(&r, cmd_partition_table, "partition_table", "--no-verify", tmp("a.bin"), "-");
    ASSERT_RC(&r, 0);
    assert_string_equal(r.err, "Parsing binary partition input...\n");
    assert_string_equal(r.out, TWO_OTA_CSV_OUT);
}

/* ---- binary input ---- */

static void test_binary_errors(void **state)
{
    (void)state;
    uint8_t md5_row[32], end[32];
    memset(md5_row, 0xFF, 16);
    md5_row[0] = md5_row[1] = 0xEB;
    memset(md5_row + 16, 0, 16);
    memset(end, 0xFF, sizeof end);
    uint8_t tail[64];
    memcpy(tail, md5_row, 32);
    memcpy(tail + 32, end, 32);
    run_t r;

    RUN(&r, cmd_partition_table, "partition_table", "-q",
        bin_file(TWO_OTA_VECTOR, sizeof TWO_OTA_VECTOR, tail, 64), "-");
    ASSERT_RC(&r, 2);
    /* Python 3 formats the script's hexlify() bytes with %s: hence "0xb'...'" */
    assert_string_equal(r.err, "MD5 checksums don't match! (computed: "
                               "0x0a6bfa01f808320d539d67ae2a3c1a9c, parsed: "
                               "0xb'00000000000000000000000000000000')\n");

    /* Without MD5 checking that row is a partition row; the script decodes its
     * name (FF FF FF FF) before the magic and dies on the UnicodeDecodeError */
    RUN(&r, cmd_partition_table, "partition_table", "-q", "--disable-md5sum",
        bin_file(TWO_OTA_VECTOR, sizeof TWO_OTA_VECTOR, tail, 64), "-");
    ASSERT_RC(&r, 1);

    uint8_t bad[TABLE_LEN];
    pack_rows((const prow_t[]){{"ok", 1, 0x81, 0x9000, 0x1000, 0}, {"bad", 1, 0x81, 0xa000, 4, 0}},
              2, bad);
    bad[32] = 0x12; /* the first row must keep AA 50, or the input is read as CSV */
    bad[33] = '4';
    RUN(&r, cmd_partition_table, "partition_table", "-q", bin_file(bad, TABLE_LEN, NULL, 0), "-");
    ASSERT_RC(&r, 2);
    assert_string_equal(r.err, "Invalid magic bytes (b'\\x124') for partition definition\n");

    memcpy(tail + 16, TWO_OTA_MD5, 16); /* the right digest: the MD5 row is consumed */
    RUN(&r, cmd_partition_table, "partition_table", "-q",
        bin_file(TWO_OTA_VECTOR, sizeof TWO_OTA_VECTOR, tail, 64), "-");
    ASSERT_RC(&r, 0);
    assert_string_equal(r.out, TWO_OTA_CSV_OUT);

    RUN(&r, cmd_partition_table, "partition_table", "-q",
        bin_file(TWO_OTA_VECTOR, sizeof TWO_OTA_VECTOR, NULL, 0), "-");
    ASSERT_RC(&r, 2);
    assert_string_equal(r.err, "Partition table is missing an end-of-table marker\n");

    RUN(&r, cmd_partition_table, "partition_table", "-q",
        bin_file(TWO_OTA_VECTOR, sizeof TWO_OTA_VECTOR, end, 5), "-");
    ASSERT_RC(&r, 2);
    assert_string_equal(r.err, "Partition table length must be a multiple of 32 bytes\n");

    uint8_t low[TABLE_LEN];
    pack_rows((const prow_t[]){{"low", 1, 0x81, 0x5000, 0x1000, 0}}, 1, low);
    RUN(&r, cmd_partition_table, "partition_table", "-q", bin_file(low, 64, NULL, 0), "-");
    ASSERT_RC(&r, 2);
    assert_string_equal(r.err, "Partition offset 0x5000 is below 0x9000\n");
    RUN(&r, cmd_partition_table, "partition_table", "-q", "-o", "0x4000",
        bin_file(low, 64, NULL, 0), "-");
    ASSERT_RC(&r, 0);
    assert_string_equal(r.out, "# Espressif ESP32 Partition Table\n"
                               "# Name, Type, SubType, Offset, Size, Flags\n"
                               "low,data,fat,0x5000,4K,\n");
}

/* Flag bits other than 'encrypted' warn; unknown types/subtypes print in decimal. */
static void test_binary_flags_and_numbers(void **state)
{
    (void)state;
    uint8_t bin[TABLE_LEN];
    pack_rows((const prow_t[]){{"sixteen_chars_ab", 0x40, 0x07, 0x10000, 0x1234, 0x103},
                               {"big", 0, 0x20, 0x100000, 0x300000, 1}},
              2, bin);
    run_t r;
    RUN(&r, cmd_partition_table, "partition_table", "-q", bin_file(bin, TABLE_LEN, NULL, 0));
    ASSERT_RC(&r, 0);
    assert_string_equal(r.err,
                        "WARNING: Partition definition had unknown flag(s) 0x00000102. Newer "
                        "binary format?\n");
    assert_string_equal(r.out, "# Espressif ESP32 Partition Table\n"
                               "# Name, Type, SubType, Offset, Size, Flags\n"
                               "sixteen_chars_ab,64,7,0x10000,0x1234,encrypted\n"
                               "big,app,test,0x100000,3M,encrypted\n");
}

/* ---- $VAR and the command line ---- */

static void test_env_expansion(void **state)
{
    (void)state;
    setenv("OTA8266_PT_OFF", "0x110000", 1);
    setenv("OTA8266_PT_TYPE", "app", 1);
    run_t r;
    uint8_t bin[TABLE_LEN], want[TABLE_LEN];
    RUN(&r, cmd_partition_table, "partition_table", "-q", "--disable-md5sum",
        csv_file("x, $OTA8266_PT_TYPE, ota_0, ${OTA8266_PT_OFF}, 64K\n"), tmp("v.bin"));
    ASSERT_RC(&r, 0);
    read_all(tmp("v.bin"), bin, TABLE_LEN);
    pack_rows((const prow_t[]){{"x", 0, 0x10, 0x110000, 0x10000, 0}}, 1, want);
    assert_memory_equal(bin, want, TABLE_LEN);
    unsetenv("OTA8266_PT_OFF");
    unsetenv("OTA8266_PT_TYPE");
}

static void test_usage_errors(void **state)
{
    (void)state;
    run_t r;
    RUN(&r, cmd_partition_table, "partition_table", "-q");
    ASSERT_RC(&r, 2);
    ASSERT_HAS(r.err, "the following arguments are required: input");
    RUN(&r, cmd_partition_table, "partition_table", "--flash-size", "3MB", "x.csv");
    ASSERT_RC(&r, 2);
    ASSERT_HAS(r.err, "invalid choice: '3MB'");
    RUN(&r, cmd_partition_table, "partition_table", "--bogus", "x.csv");
    ASSERT_RC(&r, 2);
    RUN(&r, cmd_partition_table, "partition_table", "a", "b", "c");
    ASSERT_RC(&r, 2);
    RUN(&r, cmd_partition_table, "partition_table", "--offset");
    ASSERT_RC(&r, 2);
    RUN(&r, cmd_partition_table, "partition_table", tmp("missing.csv"));
    ASSERT_RC(&r, 2);
    ASSERT_HAS(r.err, "can't open");
    RUN(&r, cmd_partition_table, "partition_table", "--help");
    ASSERT_RC(&r, 0);
    ASSERT_HAS(r.out, "usage: ota8266 partition_table");
    /* argparse spellings: unique prefixes, --opt=value, -qo clusters */
    RUN(&r, cmd_partition_table, "partition_table", "--disable", "--flash=1MB", "-qo0x8000",
        shipped("partitions_two_ota.1MB.csv"), tmp("p.bin"));
    ASSERT_RC(&r, 0);
    assert_string_equal(r.err, "");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_round_trip, setup, teardown),
        cmocka_unit_test_setup_teardown(test_stdout_and_status, setup, teardown),
        cmocka_unit_test_setup_teardown(test_binary_errors, setup, teardown),
        cmocka_unit_test_setup_teardown(test_binary_flags_and_numbers, setup, teardown),
        cmocka_unit_test_setup_teardown(test_env_expansion, setup, teardown),
        cmocka_unit_test_setup_teardown(test_usage_errors, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
