/* read_otadata, switch_ota_partition, erase_otadata on temp chips whose
 * partition tables are written with the core's row encoder. Checks the
 * SDK's §2.4 sequence entry by entry and the exact otadata bytes. */
#include "tool_test_util.h"

#include "bs_otadata.h"
#include "bs_partition.h"

#define MB (1024L * 1024L)
#define OTADATA 0xD000L

typedef struct {
    const char *label;
    uint8_t type, subtype;
    uint32_t offset, size;
} row_t;

/* partitions_two_ota.csv (reference §1.7): no factory app. */
static const row_t s_two_ota[] = {
    {"nvs", 1, 0x02, 0x9000, 0x4000},      {"otadata", 1, 0x00, 0xD000, 0x2000},
    {"phy_init", 1, 0x01, 0xF000, 0x1000}, {"ota_0", 0, 0x10, 0x10000, 0xF0000},
    {"ota_1", 0, 0x11, 0x110000, 0xF0000}, {NULL, 0, 0, 0, 0},
};

/* The demo's table (DESIGN.md §3): factory, ota_0, ota_1, 1 MB apart. */
static const row_t s_factory[] = {
    {"nvs", 1, 0x02, 0x9000, 0x4000},
    {"otadata", 1, 0x00, 0xD000, 0x2000},
    {"phy_init", 1, 0x01, 0xF000, 0x1000},
    {"factory", 0, 0x00, 0x10000, 0xF0000},
    {"ota_0", 0, 0x10, 0x110000, 0xF0000},
    {"ota_1", 0, 0x11, 0x210000, 0xF0000},
    {NULL, 0, 0, 0, 0},
};

static const row_t s_singleapp[] = {
    {"nvs", 1, 0x02, 0x9000, 0x6000},
    {"phy_init", 1, 0x01, 0xF000, 0x1000},
    {"factory", 0, 0x00, 0x10000, 0xF0000},
    {NULL, 0, 0, 0, 0},
};

typedef struct {
    char dir[64];
    char chip[96];
    run_t r;
} fx_t;

static int setup(void **state)
{
    fx_t *fx = calloc(1, sizeof *fx);
    temp_dir(fx->dir, sizeof fx->dir);
    path_in(fx->chip, sizeof fx->chip, fx->dir, "chip.bin");
    *state = fx;
    return 0;
}

static int teardown(void **state)
{
    fx_t *fx = *state;
    remove_dir(fx->dir);
    free(fx);
    return 0;
}

/* An erased chip of `size` with `rows` at table_offset (the rest stays 0xFF: the end marker). */
static void make_chip(const char *path, long size, long table_offset, const row_t *rows)
{
    uint8_t *img = malloc((size_t)size);
    memset(img, 0xFF, (size_t)size);
    for (int i = 0; rows[i].label; i++) {
        esp_partition_info_t p = {.magic = ESP_PARTITION_MAGIC,
                                  .type = rows[i].type,
                                  .subtype = rows[i].subtype,
                                  .offset = rows[i].offset,
                                  .size = rows[i].size};
        snprintf(p.label, sizeof p.label, "%s", rows[i].label);
        bs_partition_row_encode(&p, img + table_offset + 32 * i);
    }
    write_file(path, img, (size_t)size);
    free(img);
}

static void entry_at(const char *chip, long addr, esp_ota_select_entry_t *e)
{
    uint8_t raw[ESP_OTADATA_ENTRY_SIZE];
    read_at(chip, addr, raw, sizeof raw);
    bs_otadata_decode(raw, e);
}

static void expect_seqs(const char *chip, uint32_t a, uint32_t b)
{
    esp_ota_select_entry_t e[2];
    entry_at(chip, OTADATA, &e[0]);
    entry_at(chip, OTADATA + 0x1000, &e[1]);
    if (e[0].ota_seq != a || e[1].ota_seq != b) {
        fail_msg("A.seq 0x%x B.seq 0x%x, want 0x%x 0x%x", (unsigned)e[0].ota_seq,
                 (unsigned)e[1].ota_seq, (unsigned)a, (unsigned)b);
    }
    for (int i = 0; i < 2; i++) {
        if (e[i].ota_seq != 0xFFFFFFFFu) {
            assert_true(bs_otadata_valid(&e[i]));
        }
    }
}

static void expect_erased(const char *chip, long addr, long len)
{
    uint8_t *buf = malloc((size_t)len);
    read_at(chip, addr, buf, (size_t)len);
    for (long i = 0; i < len; i++) {
        if (buf[i] != 0xFF) {
            fail_msg("0x%lx is 0x%02x, not erased", addr + i, buf[i]);
        }
    }
    free(buf);
}

static void test_help_exits_zero(void **state)
{
    fx_t *fx = *state;
    RUN(&fx->r, cmd_read_otadata, "read_otadata", "--help");
    ASSERT_RC(&fx->r, 0);
    ASSERT_HAS(fx->r.out, "usage: ota8266 read_otadata");
    RUN(&fx->r, cmd_switch_ota_partition, "switch_ota_partition", "--help");
    ASSERT_RC(&fx->r, 0);
    ASSERT_HAS(fx->r.out, "--slot N");
    RUN(&fx->r, cmd_erase_otadata, "erase_otadata", "--help");
    ASSERT_RC(&fx->r, 0);
    ASSERT_HAS(fx->r.out, "usage: ota8266 erase_otadata");
}

typedef struct {
    const char *how;  /* "--slot" or "--name" */
    const char *what; /* its value */
    uint32_t a, b;    /* seqs after the call */
    const char *boots;
} step_t;

/* Reference §2.4's worked sequence, n = 2, from erased otadata. */
static void test_sdk_sequence_two_ota(void **state)
{
    fx_t *fx = *state;
    make_chip(fx->chip, 4 * MB, 0x8000, s_two_ota);
    RUN(&fx->r, cmd_read_otadata, "read_otadata", "--chip", fx->chip);
    ASSERT_RC(&fx->r, 0);
    ASSERT_HAS(fx->r.out, "Next boot: ota_0 'ota_0' at 0x00010000 (otadata is empty)");

    static const step_t steps[] = {
        {"--slot", "0", 1, 0xFFFFFFFFu, "Next boot: ota_0 'ota_0' at 0x00010000 (entry A, seq 1)"},
        {"--name", "ota_1", 1, 2, "Next boot: ota_1 'ota_1' at 0x00110000 (entry B, seq 2)"},
        {"--slot", "0", 3, 2, "Next boot: ota_0 'ota_0' at 0x00010000 (entry A, seq 3)"},
        {"--name", "ota_1", 3, 4, "Next boot: ota_1 'ota_1' at 0x00110000 (entry B, seq 4)"},
        {"--slot", "1", 4, 4, "Next boot: ota_1 'ota_1' at 0x00110000 (entry A, seq 4)"},
        {"--name", "ota_0", 4, 5, "Next boot: ota_0 'ota_0' at 0x00010000 (entry B, seq 5)"},
    };
    for (size_t i = 0; i < sizeof steps / sizeof steps[0]; i++) {
        RUN(&fx->r, cmd_switch_ota_partition, "switch_ota_partition", "--chip", fx->chip,
            steps[i].how, steps[i].what);
        ASSERT_RC(&fx->r, 0);
        ASSERT_HAS(fx->r.out, steps[i].boots);
        expect_seqs(fx->chip, steps[i].a, steps[i].b);
        RUN(&fx->r, cmd_read_otadata, "read_otadata", "--chip", fx->chip);
        ASSERT_RC(&fx->r, 0);
        ASSERT_HAS(fx->r.out, steps[i].boots);
    }
}

/* The exact 32 bytes of the first entry: seq, label FF, state UNDEFINED, CRC (§2.2). */
static void test_entry_bytes_match_the_sdk(void **state)
{
    fx_t *fx = *state;
    make_chip(fx->chip, 4 * MB, 0x8000, s_two_ota);
    RUN(&fx->r, cmd_switch_ota_partition, "switch_ota_partition", "--chip", fx->chip, "--slot",
        "0");
    ASSERT_RC(&fx->r, 0);
    uint8_t want[32];
    memset(want, 0xFF, sizeof want);
    memcpy(want, "\x01\x00\x00\x00", 4);
    memcpy(want + 28, "\x9a\x98\x43\x47", 4);
    uint8_t got[32];
    read_at(fx->chip, OTADATA, got, sizeof got);
    assert_memory_equal(got, want, sizeof want);
    expect_erased(fx->chip, OTADATA + 32, 0x2000 - 32);
    ASSERT_HAS(fx->r.out, "A      0x0000d000  0x00000001  UNDEFINED       0x4743989a  valid");
    ASSERT_HAS(fx->r.out, "B      0x0000e000  0xffffffff  UNDEFINED       0xffffffff  empty");
}

static void test_state_option_is_written(void **state)
{
    fx_t *fx = *state;
    make_chip(fx->chip, 4 * MB, 0x8000, s_factory);
    RUN(&fx->r, cmd_switch_ota_partition, "switch_ota_partition", "--chip", fx->chip, "--slot", "1",
        "--state", "pending_verify");
    ASSERT_RC(&fx->r, 0);
    ASSERT_HAS(fx->r.out, "Selected ota_1 'ota_1' at 0x00210000, state PENDING_VERIFY");
    esp_ota_select_entry_t e;
    entry_at(fx->chip, OTADATA, &e);
    assert_int_equal(e.ota_seq, 2); /* neither valid: t + 1 into sector 0 */
    assert_int_equal(e.ota_state, ESP_OTA_IMG_PENDING_VERIFY);
    RUN(&fx->r, cmd_switch_ota_partition, "switch_ota_partition", "--chip", fx->chip, "--slot", "0",
        "--state", "2");
    ASSERT_RC(&fx->r, 0);
    entry_at(fx->chip, OTADATA + 0x1000, &e);
    assert_int_equal(e.ota_seq, 3);
    assert_int_equal(e.ota_state, ESP_OTA_IMG_VALID);
}

/* Selecting the factory app erases otadata, as esp_ota_set_boot_partition does. */
static void test_factory_by_name_erases_otadata(void **state)
{
    fx_t *fx = *state;
    make_chip(fx->chip, 4 * MB, 0x8000, s_factory);
    RUN(&fx->r, cmd_switch_ota_partition, "switch_ota_partition", "--chip", fx->chip, "--slot",
        "1");
    ASSERT_RC(&fx->r, 0);
    ASSERT_HAS(fx->r.out, "Next boot: ota_1 'ota_1' at 0x00210000");
    RUN(&fx->r, cmd_switch_ota_partition, "switch_ota_partition", "--chip", fx->chip, "--name",
        "factory");
    ASSERT_RC(&fx->r, 0);
    expect_erased(fx->chip, OTADATA, 0x2000);
    ASSERT_HAS(fx->r.out, "Next boot: factory app 'factory' at 0x00010000 (otadata is empty)");
}

static void test_erase_otadata(void **state)
{
    fx_t *fx = *state;
    make_chip(fx->chip, 4 * MB, 0x8000, s_two_ota);
    RUN(&fx->r, cmd_switch_ota_partition, "switch_ota_partition", "--chip", fx->chip, "--slot",
        "1");
    ASSERT_RC(&fx->r, 0);
    RUN(&fx->r, cmd_erase_otadata, "erase_otadata", "--chip", fx->chip);
    ASSERT_RC(&fx->r, 0);
    ASSERT_HAS(fx->r.out, "Erased otadata at 0x0000d000 (0x2000 bytes)");
    /* no factory app: the bootloader tries ota_0 */
    ASSERT_HAS(fx->r.out, "Next boot: ota_0 'ota_0' at 0x00010000 (otadata is empty)");
    expect_erased(fx->chip, OTADATA, 0x2000);
    uint8_t before[16];
    read_at(fx->chip, 0x8000, before, sizeof before);
    assert_int_equal(before[0], 0xAA); /* the table is untouched */
}

static void test_read_otadata_reports_a_bad_crc(void **state)
{
    fx_t *fx = *state;
    make_chip(fx->chip, 4 * MB, 0x8000, s_factory);
    /* seq 1 with a wrong CRC, written as raw bytes */
    FILE *f = fopen(fx->chip, "r+b");
    fseek(f, OTADATA, SEEK_SET);
    fwrite("\x01\x00\x00\x00", 1, 4, f);
    fseek(f, OTADATA + 28, SEEK_SET);
    fwrite("\x00\x00\x00\x00", 1, 4, f);
    fclose(f);
    RUN(&fx->r, cmd_read_otadata, "read_otadata", "--chip", fx->chip);
    ASSERT_RC(&fx->r, 0);
    ASSERT_HAS(fx->r.out, "invalid (crc should be 0x4743989a)");
    ASSERT_HAS(fx->r.out,
               "Next boot: factory app 'factory' at 0x00010000 (no valid otadata entry)");
    ASSERT_HAS(fx->r.out, "2 OTA app slots, a factory app");
}

/* seq 1 and its CRC whole, the state word torn (power cut late in the write):
 * not valid, and said so without blaming the CRC. */
static void test_read_otadata_reports_a_torn_state(void **state)
{
    fx_t *fx = *state;
    make_chip(fx->chip, 4 * MB, 0x8000, s_factory);
    FILE *f = fopen(fx->chip, "r+b");
    fseek(f, OTADATA, SEEK_SET);
    fwrite("\x01\x00\x00\x00", 1, 4, f);
    fseek(f, OTADATA + 24, SEEK_SET);
    fwrite("\x01\x00\x02\xa8\x9a\x98\x43\x47", 1, 8, f);
    fclose(f);
    RUN(&fx->r, cmd_read_otadata, "read_otadata", "--chip", fx->chip);
    ASSERT_RC(&fx->r, 0);
    ASSERT_HAS(fx->r.out, "invalid (torn state word)");
    ASSERT_HAS(fx->r.out,
               "Next boot: factory app 'factory' at 0x00010000 (no valid otadata entry)");
}

/* The 1 MB mini layout of reference §1.7 keeps its table at 0x4000. */
static void test_table_offset_option(void **state)
{
    fx_t *fx = *state;
    static const row_t mini[] = {
        {"phy_init", 1, 0x01, 0x5000, 0x1000}, {"ota_0", 0, 0x10, 0x6000, 0x7A000},
        {"nvs", 1, 0x02, 0x80000, 0x4000},     {"otadata", 1, 0x00, 0x84000, 0x2000},
        {"ota_1", 0, 0x11, 0x86000, 0x7A000},  {NULL, 0, 0, 0, 0},
    };
    make_chip(fx->chip, 1 * MB, 0x4000, mini);
    RUN(&fx->r, cmd_switch_ota_partition, "switch_ota_partition", "--chip", fx->chip,
        "--flash-size", "1MB", "--partition-table-offset", "0x4000", "--slot", "1");
    ASSERT_RC(&fx->r, 0);
    ASSERT_HAS(fx->r.out, "Next boot: ota_1 'ota_1' at 0x00086000 (entry A, seq 2)");
    esp_ota_select_entry_t e;
    entry_at(fx->chip, 0x84000, &e);
    assert_int_equal(e.ota_seq, 2);
    /* at the default offset there is no table */
    RUN(&fx->r, cmd_read_otadata, "read_otadata", "--chip", fx->chip);
    ASSERT_RC(&fx->r, 1);
    ASSERT_HAS(fx->r.err, "no partition table at 0x8000");
}

typedef struct {
    const char *args[6];
    int rc;
    const char *message;
} err_case_t;

static void test_switch_errors(void **state)
{
    fx_t *fx = *state;
    make_chip(fx->chip, 4 * MB, 0x8000, s_two_ota);
    const err_case_t cases[] = {
        {{"--slot", "2"}, 2, "no ota_2 in the partition table (it has 2 OTA slots)"},
        {{"--slot", "16"}, 2, "--slot '16': expected 0..15"},
        {{"--name", "nvs"}, 2, "'nvs' is not an app partition"},
        {{"--name", "ota_7"}, 2, "no partition named 'ota_7'"},
        {{"--slot", "0", "--name", "ota_0"}, 2, "exactly one of --slot N and --name LABEL"},
        {{NULL}, 2, "exactly one of --slot N and --name LABEL"},
        {{"--slot", "0", "--state", "GOOD"}, 2, "--state 'GOOD'"},
        {{"--slot", "0", "--partition-table-offset", "0x8001"}, 2, "multiple of 0x1000"},
        {{"--slot", "0", "extra"}, 2, "unexpected argument 'extra'"},
        {{"--slot", "0", "--flash-size", "2MB"}, 1, "4194304"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const char *const *a = cases[i].args;
        run_cmd(&fx->r, cmd_switch_ota_partition, "switch_ota_partition", "--chip", fx->chip, a[0],
                a[1], a[2], a[3], a[4], a[5], (const char *)NULL);
        if (fx->r.rc != cases[i].rc || !strstr(fx->r.err, cases[i].message)) {
            fail_msg("case %zu: exit %d (want %d), stderr:\n%s", i, fx->r.rc, cases[i].rc,
                     fx->r.err);
        }
    }
    expect_erased(fx->chip, OTADATA, 0x2000); /* none of them wrote */
    RUN(&fx->r, cmd_read_otadata, "read_otadata", "--chip", fx->chip, "--slot", "1");
    ASSERT_RC(&fx->r, 2);
    RUN(&fx->r, cmd_erase_otadata, "erase_otadata");
    ASSERT_RC(&fx->r, 2);
    ASSERT_HAS(fx->r.err, "--chip FILE is required");
}

static void test_chips_without_otadata(void **state)
{
    fx_t *fx = *state;
    RUN(&fx->r, cmd_read_otadata, "read_otadata", "--chip", fx->chip);
    ASSERT_RC(&fx->r, 1); /* no chip file */
    assert_int_equal(file_size(fx->chip), -1);

    make_chip(fx->chip, 4 * MB, 0x8000, s_singleapp);
    RUN(&fx->r, cmd_erase_otadata, "erase_otadata", "--chip", fx->chip);
    ASSERT_RC(&fx->r, 1);
    ASSERT_HAS(fx->r.err, "has no otadata (data/ota) partition");

    /* an erased chip has no table at all */
    make_chip(fx->chip, 4 * MB, 0x8000, s_singleapp + 3);
    RUN(&fx->r, cmd_switch_ota_partition, "switch_ota_partition", "--chip", fx->chip, "--slot",
        "0");
    ASSERT_RC(&fx->r, 1);
    ASSERT_HAS(fx->r.err, "no partition table at 0x8000");

    /* a row with a bad magic is refused by the core's check */
    make_chip(fx->chip, 4 * MB, 0x8000, s_two_ota);
    FILE *f = fopen(fx->chip, "r+b");
    fseek(f, 0x8000 + 32, SEEK_SET);
    fwrite("\x12\x34", 1, 2, f);
    fclose(f);
    RUN(&fx->r, cmd_read_otadata, "read_otadata", "--chip", fx->chip);
    ASSERT_RC(&fx->r, 1);
    ASSERT_HAS(fx->r.err, "no valid partition table at 0x8000: ESP_ERR_INVALID_STATE (0x103)");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_help_exits_zero, setup, teardown),
        cmocka_unit_test_setup_teardown(test_sdk_sequence_two_ota, setup, teardown),
        cmocka_unit_test_setup_teardown(test_entry_bytes_match_the_sdk, setup, teardown),
        cmocka_unit_test_setup_teardown(test_state_option_is_written, setup, teardown),
        cmocka_unit_test_setup_teardown(test_factory_by_name_erases_otadata, setup, teardown),
        cmocka_unit_test_setup_teardown(test_erase_otadata, setup, teardown),
        cmocka_unit_test_setup_teardown(test_read_otadata_reports_a_bad_crc, setup, teardown),
        cmocka_unit_test_setup_teardown(test_read_otadata_reports_a_torn_state, setup, teardown),
        cmocka_unit_test_setup_teardown(test_table_offset_option, setup, teardown),
        cmocka_unit_test_setup_teardown(test_switch_errors, setup, teardown),
        cmocka_unit_test_setup_teardown(test_chips_without_otadata, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
