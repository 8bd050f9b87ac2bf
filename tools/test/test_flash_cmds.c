/* write_flash, read_flash, erase_flash, erase_region on temp chip files:
 * exact bytes on flash and exact exit statuses. */
#include "tool_test_util.h"

#define MB (1024L * 1024L)

typedef struct {
    char dir[64];
    char chip[96];
    char data[96];
    char out[96];
    run_t r;
} fx_t;

static int setup(void **state)
{
    fx_t *fx = calloc(1, sizeof *fx);
    temp_dir(fx->dir, sizeof fx->dir);
    path_in(fx->chip, sizeof fx->chip, fx->dir, "chip.bin");
    path_in(fx->data, sizeof fx->data, fx->dir, "data.bin");
    path_in(fx->out, sizeof fx->out, fx->dir, "out.bin");
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

/* A chip file of `size` bytes, every byte `fill` (0x00: "programmed everywhere"). */
static void make_chip(const char *path, long size, uint8_t fill)
{
    uint8_t *buf = malloc((size_t)size);
    memset(buf, fill, (size_t)size);
    write_file(path, buf, (size_t)size);
    free(buf);
}

static void expect_bytes(const char *path, long off, size_t len, uint8_t v)
{
    uint8_t *buf = malloc(len);
    read_at(path, off, buf, len);
    for (size_t i = 0; i < len; i++) {
        if (buf[i] != v) {
            fail_msg("0x%lx: 0x%02x, expected 0x%02x", off + (long)i, buf[i], v);
        }
    }
    free(buf);
}

static void test_help_exits_zero(void **state)
{
    fx_t *fx = *state;
    static const struct {
        int (*fn)(int, char **);
        const char *name;
    } cmds[] = {{cmd_write_flash, "write_flash"},
                {cmd_read_flash, "read_flash"},
                {cmd_erase_flash, "erase_flash"},
                {cmd_erase_region, "erase_region"}};
    for (size_t i = 0; i < sizeof cmds / sizeof cmds[0]; i++) {
        RUN(&fx->r, cmds[i].fn, cmds[i].name, "--help");
        ASSERT_RC(&fx->r, 0);
        char want[64];
        snprintf(want, sizeof want, "usage: ota8266 %s --chip FILE", cmds[i].name);
        ASSERT_HAS(fx->r.out, want);
    }
}

static void test_write_flash_creates_erased_chip_and_pads(void **state)
{
    fx_t *fx = *state;
    const uint8_t data[5] = {1, 2, 3, 4, 5};
    write_file(fx->data, data, sizeof data);
    RUN(&fx->r, cmd_write_flash, "write_flash", "--chip", fx->chip, "0x10000", fx->data);
    ASSERT_RC(&fx->r, 0);
    ASSERT_HAS(fx->r.out, "Created an erased 4MB chip");
    ASSERT_HAS(fx->r.out, "Wrote 8 bytes at 0x00010000");
    assert_int_equal(file_size(fx->chip), 4 * MB);
    uint8_t got[8];
    read_at(fx->chip, 0x10000, got, sizeof got);
    const uint8_t want[8] = {1, 2, 3, 4, 5, 0xFF, 0xFF, 0xFF};
    assert_memory_equal(got, want, sizeof want);
    expect_bytes(fx->chip, 0, 0x10000, 0xFF);
    expect_bytes(fx->chip, 0x10008, 4 * MB - 0x10008, 0xFF);
}

/* esptool erases every sector a file covers: the rest of its last sector too. */
static void test_write_flash_erases_covered_sectors_only(void **state)
{
    fx_t *fx = *state;
    make_chip(fx->chip, 2 * MB, 0x00);
    uint8_t data[0x1800];
    for (size_t i = 0; i < sizeof data; i++) {
        data[i] = (uint8_t)(i * 7u + 1u);
    }
    write_file(fx->data, data, sizeof data);
    RUN(&fx->r, cmd_write_flash, "write_flash", "--chip", fx->chip, "--flash-size", "2MB",
        "0x20000", fx->data);
    ASSERT_RC(&fx->r, 0);
    ASSERT_HAS(fx->r.out, "Writing to the 2MB chip");
    ASSERT_HAS(fx->r.out, "Wrote 6144 bytes at 0x00020000");
    uint8_t got[sizeof data];
    read_at(fx->chip, 0x20000, got, sizeof got);
    assert_memory_equal(got, data, sizeof data);
    expect_bytes(fx->chip, 0x21800, 0x800, 0xFF);  /* rest of the last covered sector */
    expect_bytes(fx->chip, 0x1F000, 0x1000, 0x00); /* sector before: untouched */
    expect_bytes(fx->chip, 0x22000, 0x1000, 0x00); /* sector after: untouched */
}

static void test_write_flash_several_pairs(void **state)
{
    fx_t *fx = *state;
    char second[128];
    path_in(second, sizeof second, fx->dir, "second.bin");
    write_file(fx->data, "boot", 4);
    write_file(second, "table!", 6);
    RUN(&fx->r, cmd_write_flash, "write_flash", "--chip", fx->chip, "0x0", fx->data, "0x8000",
        second);
    ASSERT_RC(&fx->r, 0);
    char got[8];
    read_at(fx->chip, 0, got, 4);
    assert_memory_equal(got, "boot", 4);
    read_at(fx->chip, 0x8000, got, 8);
    assert_memory_equal(got, "table!\xff\xff", 8);
}

typedef struct {
    const char *what;
    const char *args[8];
    const char *message;
} bad_case_t;

/* Every pair is checked before the chip is created or changed. */
static void test_write_flash_bad_arguments_touch_nothing(void **state)
{
    fx_t *fx = *state;
    static uint8_t big[MB + 4];
    memset(big, 0xAB, sizeof big);
    char bigpath[128], small[128];
    path_in(bigpath, sizeof bigpath, fx->dir, "big.bin");
    path_in(small, sizeof small, fx->dir, "small.bin");
    write_file(bigpath, big, sizeof big);
    write_file(small, "abcd", 4);
    const bad_case_t cases[] = {
        {"odd count", {"0x1000", small, "0x2000"}, "expected ADDR FILE pairs"},
        {"no pair", {NULL}, "expected ADDR FILE pairs"},
        {"unaligned", {"0x1004", small}, "not a multiple of 0x1000"},
        {"bad number", {"0x10zz", small}, "ADDR '0x10zz' is not a number"},
        {"missing file", {"0x1000", "/nonexistent/file.bin"}, "cannot open /nonexistent"},
        {"second does not fit", {"0x0", small, "0x3FF000", bigpath}, "does not fit"},
        {"past the end", {"0x400000", small}, "does not fit"},
        {"overlap", {"0x0", bigpath, "0x80000", small}, "overlap"},
        {"same sector", {"0x1000", small, "0x1000", small}, "overlap"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const char *const *a = cases[i].args;
        run_cmd(&fx->r, cmd_write_flash, "write_flash", "--chip", fx->chip, a[0], a[1], a[2], a[3],
                (const char *)NULL);
        if (fx->r.rc != 2) {
            fail_msg("%s: exit %d\n%s", cases[i].what, fx->r.rc, fx->r.err);
        }
        ASSERT_HAS(fx->r.err, cases[i].message);
        ASSERT_HAS(fx->r.err, "ota8266 write_flash: error: ");
        assert_int_equal(file_size(fx->chip), -1);
    }
    /* an existing chip stays byte for byte as it was */
    make_chip(fx->chip, 4 * MB, 0x00);
    RUN(&fx->r, cmd_write_flash, "write_flash", "--chip", fx->chip, "0x0", small, "0x3FF000",
        bigpath);
    ASSERT_RC(&fx->r, 2);
    expect_bytes(fx->chip, 0, 0x2000, 0x00);
}

static void test_option_errors(void **state)
{
    fx_t *fx = *state;
    write_file(fx->data, "abcd", 4);
    RUN(&fx->r, cmd_write_flash, "write_flash", "0x0", fx->data);
    ASSERT_RC(&fx->r, 2);
    ASSERT_HAS(fx->r.err, "--chip FILE is required");
    RUN(&fx->r, cmd_write_flash, "write_flash", "--chip", fx->chip, "--flash-size", "3MB", "0x0",
        fx->data);
    ASSERT_RC(&fx->r, 2);
    ASSERT_HAS(fx->r.err, "--flash-size '3MB'");
    RUN(&fx->r, cmd_erase_flash, "erase_flash", "--chip", fx->chip, "--verbose");
    ASSERT_RC(&fx->r, 2);
    ASSERT_HAS(fx->r.err, "unknown option '--verbose'");
    RUN(&fx->r, cmd_erase_flash, "erase_flash", "--chip");
    ASSERT_RC(&fx->r, 2);
    ASSERT_HAS(fx->r.err, "needs a value");
    RUN(&fx->r, cmd_erase_flash, "erase_flash", "--chip", fx->chip, "extra");
    ASSERT_RC(&fx->r, 2);
    assert_int_equal(file_size(fx->chip), -1);
}

/* An existing chip of another size is refused, naming both sizes; nothing changes. */
static void test_size_mismatch_is_a_failure(void **state)
{
    fx_t *fx = *state;
    make_chip(fx->chip, 1 * MB, 0x00);
    write_file(fx->data, "abcd", 4);
    RUN(&fx->r, cmd_write_flash, "write_flash", "--chip", fx->chip, "--flash-size", "4MB", "0x0",
        fx->data);
    ASSERT_RC(&fx->r, 1);
    ASSERT_HAS(fx->r.err, "1048576");
    ASSERT_HAS(fx->r.err, "4194304");
    expect_bytes(fx->chip, 0, 0x1000, 0x00);
    /* without --flash-size the file's own size is used */
    RUN(&fx->r, cmd_write_flash, "write_flash", "--chip", fx->chip, "0x0", fx->data);
    ASSERT_RC(&fx->r, 0);
    ASSERT_HAS(fx->r.out, "1MB chip");
    /* a file that is no chip size at all */
    make_chip(fx->chip, 1000, 0x00);
    RUN(&fx->r, cmd_read_flash, "read_flash", "--chip", fx->chip, "0", "4", fx->out);
    ASSERT_RC(&fx->r, 1);
    ASSERT_HAS(fx->r.err, "not a 1, 2, 4, 8 or 16 MB chip");
}

static void test_read_flash_exact_bytes(void **state)
{
    fx_t *fx = *state;
    make_chip(fx->chip, 2 * MB, 0x5A);
    RUN(&fx->r, cmd_read_flash, "read_flash", "--chip", fx->chip, "0x1FF000", "4k", fx->out);
    ASSERT_RC(&fx->r, 0);
    ASSERT_HAS(fx->r.out, "Read 4096 bytes at 0x001ff000");
    assert_int_equal(file_size(fx->out), 4096);
    expect_bytes(fx->out, 0, 4096, 0x5A);

    write_file(fx->data, "\x01\x02\x03", 3);
    RUN(&fx->r, cmd_write_flash, "write_flash", "--chip", fx->chip, "0x3000", fx->data);
    ASSERT_RC(&fx->r, 0);
    RUN(&fx->r, cmd_read_flash, "read_flash", "--chip", fx->chip, "12286", "6", fx->out);
    ASSERT_RC(&fx->r, 0);
    uint8_t got[6];
    read_at(fx->out, 0, got, 6);
    const uint8_t want[6] = {0x5A, 0x5A, 1, 2, 3, 0xFF};
    assert_memory_equal(got, want, 6);
}

static void test_read_flash_errors(void **state)
{
    fx_t *fx = *state;
    RUN(&fx->r, cmd_read_flash, "read_flash", "--chip", fx->chip, "0", "16", fx->out);
    ASSERT_RC(&fx->r, 1); /* no chip: not created by a read */
    assert_int_equal(file_size(fx->chip), -1);
    make_chip(fx->chip, 1 * MB, 0xFF);
    RUN(&fx->r, cmd_read_flash, "read_flash", "--chip", fx->chip, "0xFF000", "0x1001", fx->out);
    ASSERT_RC(&fx->r, 2);
    ASSERT_HAS(fx->r.err, "beyond the end of the 0x100000-byte chip");
    RUN(&fx->r, cmd_read_flash, "read_flash", "--chip", fx->chip, "0", "0", fx->out);
    ASSERT_RC(&fx->r, 2);
    RUN(&fx->r, cmd_read_flash, "read_flash", "--chip", fx->chip, "0", "16");
    ASSERT_RC(&fx->r, 2);
    ASSERT_HAS(fx->r.err, "expected ADDR SIZE FILE");
    RUN(&fx->r, cmd_read_flash, "read_flash", "--chip", fx->chip, "0", "16", "/nonexistent/x");
    ASSERT_RC(&fx->r, 1);
}

static void test_erase_flash(void **state)
{
    fx_t *fx = *state;
    make_chip(fx->chip, 2 * MB, 0x00);
    RUN(&fx->r, cmd_erase_flash, "erase_flash", "--chip", fx->chip);
    ASSERT_RC(&fx->r, 0);
    ASSERT_HAS(fx->r.out, "Erased 0x00000000..0x001fffff (512 sectors)");
    expect_bytes(fx->chip, 0, 2 * MB, 0xFF);
    /* a missing chip is created, at the size asked for */
    unlink(fx->chip);
    RUN(&fx->r, cmd_erase_flash, "erase_flash", "--chip", fx->chip, "--flash-size", "1MB");
    ASSERT_RC(&fx->r, 0);
    assert_int_equal(file_size(fx->chip), 1 * MB);
    expect_bytes(fx->chip, 0, 1 * MB, 0xFF);
}

static void test_erase_region_exact_range(void **state)
{
    fx_t *fx = *state;
    make_chip(fx->chip, 4 * MB, 0x00);
    RUN(&fx->r, cmd_erase_region, "erase_region", "--chip", fx->chip, "0xd000", "0x2000");
    ASSERT_RC(&fx->r, 0);
    ASSERT_HAS(fx->r.out, "Erased 0x0000d000..0x0000efff (2 sectors)");
    expect_bytes(fx->chip, 0xC000, 0x1000, 0x00);
    expect_bytes(fx->chip, 0xD000, 0x2000, 0xFF);
    expect_bytes(fx->chip, 0xF000, 0x1000, 0x00);
    RUN(&fx->r, cmd_erase_region, "erase_region", "--chip", fx->chip, "0x3FF000", "4K");
    ASSERT_RC(&fx->r, 0);
    expect_bytes(fx->chip, 0x3FF000, 0x1000, 0xFF);
}

static void test_erase_region_errors(void **state)
{
    fx_t *fx = *state;
    make_chip(fx->chip, 4 * MB, 0x00);
    static const char *const bad[][2] = {
        {"0xd001", "0x1000"},   {"0xd000", "0x800"}, {"0x3FF000", "0x2000"},
        {"0x400000", "0x1000"}, {"0xd000", "0"},     {"x", "0x1000"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        RUN(&fx->r, cmd_erase_region, "erase_region", "--chip", fx->chip, bad[i][0], bad[i][1]);
        if (fx->r.rc != 2) {
            fail_msg("%s %s: exit %d", bad[i][0], bad[i][1], fx->r.rc);
        }
    }
    ASSERT_HAS(fx->r.err, "ADDR 'x' is not a number");
    RUN(&fx->r, cmd_erase_region, "erase_region", "--chip", fx->chip, "0xd000", "0x100");
    ASSERT_HAS(fx->r.err, "must both be multiples of 0x1000");
    RUN(&fx->r, cmd_erase_region, "erase_region", "--chip", fx->chip, "0xd000");
    ASSERT_RC(&fx->r, 2);
    expect_bytes(fx->chip, 0, 4 * MB, 0x00);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_help_exits_zero, setup, teardown),
        cmocka_unit_test_setup_teardown(test_write_flash_creates_erased_chip_and_pads, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_write_flash_erases_covered_sectors_only, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_write_flash_several_pairs, setup, teardown),
        cmocka_unit_test_setup_teardown(test_write_flash_bad_arguments_touch_nothing, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_option_errors, setup, teardown),
        cmocka_unit_test_setup_teardown(test_size_mismatch_is_a_failure, setup, teardown),
        cmocka_unit_test_setup_teardown(test_read_flash_exact_bytes, setup, teardown),
        cmocka_unit_test_setup_teardown(test_read_flash_errors, setup, teardown),
        cmocka_unit_test_setup_teardown(test_erase_flash, setup, teardown),
        cmocka_unit_test_setup_teardown(test_erase_region_exact_range, setup, teardown),
        cmocka_unit_test_setup_teardown(test_erase_region_errors, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
