/* The fault plan: each cut kind's exact effect on the chip file, and the op
 * index counted across flash users, processes and resets. */
#include "sim_test_util.h"

#include <sys/wait.h>

#define MB (1024u * 1024u)

static jmp_buf s_jump;
static int s_cuts_seen;

/* A power cut that returns to the test instead of ending the process. */
static void cut_longjmp(void *arg)
{
    (void)arg;
    s_cuts_seen++;
    longjmp(s_jump, 1);
}

static void open_with_plan(test_chip_t *c, uint64_t at_op, sim_cut_kind_t kind, uint64_t seed)
{
    test_chip_open(c, 1 * MB, NULL);
    c->f.st->seed = seed;
    c->f.on_power_cut = cut_longjmp;
    assert_int_equal(sim_flash_plan_cut(c->f.st, at_op, kind), ESP_OK);
}

/* Runs one write (src) or erase (src NULL) and reports whether power was cut. */
static bool cut_during_f(sim_flash_t *f, uint32_t addr, const uint8_t *src, uint32_t len)
{
    volatile bool cut = false;
    if (setjmp(s_jump) == 0) {
        esp_err_t err = src ? sim_flash_write(f, addr, src, len) : sim_flash_erase_sector(f, addr);
        assert_int_equal(err, ESP_OK);
    } else {
        cut = true;
    }
    return cut;
}

static bool cut_during(test_chip_t *c, uint32_t addr, const uint8_t *src, uint32_t len)
{
    return cut_during_f(&c->f, addr, src, len);
}

static void check_all(const uint8_t *buf, uint32_t from, uint32_t to, uint8_t v)
{
    for (uint32_t i = from; i < to; i++) {
        if (buf[i] != v) {
            fail_msg("byte %u is 0x%02x, expected 0x%02x", i, buf[i], v);
        }
    }
}

static void test_clean_write_cut_writes_nothing(void **state)
{
    (void)state;
    test_chip_t c;
    open_with_plan(&c, 2, SIM_CUT_CLEAN, 1);
    uint8_t data[16];
    memset(data, 0x11, sizeof data);
    assert_false(cut_during(&c, 0x2000, NULL, 0)); /* op 1 */
    assert_true(cut_during(&c, 0x2000, data, 16)); /* op 2: cut */
    uint8_t got[16];
    test_peek(&c, 0x2000, got, 16);
    check_all(got, 0, 16, 0xFF);
    assert_int_equal(c.f.st->power_cuts, 1);
    assert_int_equal(c.f.st->cuts[0].fired, 1);
    assert_int_equal(c.f.st->counters.modify_ops, 1); /* the cut op is not done */
    assert_int_equal(c.f.st->counters.writes, 0);
    /* after the "reboot" op 2 happens again and the fired cut stays quiet */
    assert_false(cut_during(&c, 0x2000, data, 16));
    test_peek(&c, 0x2000, got, 16);
    check_all(got, 0, 16, 0x11);
    assert_int_equal(c.f.st->counters.modify_ops, 2);
    test_chip_close(&c);
}

static void test_clean_erase_cut_erases_nothing(void **state)
{
    (void)state;
    test_chip_t c;
    open_with_plan(&c, 2, SIM_CUT_CLEAN, 1);
    static uint8_t zeros[SIM_SECTOR_SIZE];
    assert_false(cut_during(&c, 0x5000, zeros, sizeof zeros));
    assert_true(cut_during(&c, 0x5000, NULL, 0));
    uint8_t got[SIM_SECTOR_SIZE];
    test_peek(&c, 0x5000, got, sizeof got);
    check_all(got, 0, sizeof got, 0x00);
    assert_int_equal(c.f.st->sector_erases[5], 0);
    test_chip_close(&c);
}

/* Reads are not modifying ops: a cut planned at 1 waits for the first write or erase. */
static void test_reads_do_not_advance_the_plan(void **state)
{
    (void)state;
    test_chip_t c;
    open_with_plan(&c, 1, SIM_CUT_CLEAN, 1);
    uint8_t b[8];
    for (int i = 0; i < 5; i++) {
        assert_int_equal(sim_flash_read(&c.f, 0, b, sizeof b), ESP_OK);
    }
    assert_int_equal(c.f.st->power_cuts, 0);
    assert_true(cut_during(&c, 0, NULL, 0));
    test_chip_close(&c);
}

static uint32_t torn_write_prefix(uint64_t seed)
{
    test_chip_t c;
    open_with_plan(&c, 1, SIM_CUT_TORN_WRITE, seed);
    uint8_t src[256];
    for (uint32_t i = 0; i < sizeof src; i++) {
        src[i] = (uint8_t)(i & 0x7F); /* never 0xFF, so a programmed byte shows */
    }
    assert_true(cut_during(&c, 0x3000, src, sizeof src));
    uint8_t got[256];
    test_peek(&c, 0x3000, got, sizeof got);
    uint32_t p = 0;
    while (p < sizeof got && got[p] == src[p]) {
        p++;
    }
    /* a prefix programmed, at least one byte, never all; the rest untouched */
    assert_true(p >= 1 && p < sizeof src);
    check_all(got, p, sizeof got, 0xFF);
    test_chip_close(&c);
    return p;
}

static void test_torn_write_programs_a_prefix(void **state)
{
    (void)state;
    uint32_t p = torn_write_prefix(42);
    /* deterministic: the same seed tears at the same byte */
    assert_int_equal(torn_write_prefix(42), p);
    bool differs = false;
    for (uint64_t seed = 43; seed < 53; seed++) {
        differs |= torn_write_prefix(seed) != p;
    }
    assert_true(differs);
}

static void test_torn_bits_programs_some_falling_bits(void **state)
{
    (void)state;
    test_chip_t c;
    open_with_plan(&c, 2, SIM_CUT_TORN_WRITE_BITS, 7);
    uint8_t old[512], src[512];
    for (uint32_t i = 0; i < sizeof old; i++) {
        old[i] = (uint8_t)(0xF0 | (i & 0x0F)); /* some 0s already there */
        src[i] = (uint8_t)(i * 37u);
    }
    assert_false(cut_during(&c, 0x4000, old, sizeof old));
    assert_true(cut_during(&c, 0x4000, src, sizeof src));
    uint8_t got[512];
    test_peek(&c, 0x4000, got, sizeof got);
    uint32_t fell = 0, could_fall = 0;
    for (uint32_t i = 0; i < sizeof got; i++) {
        uint8_t full = old[i] & src[i];
        assert_int_equal(got[i] & ~old[i], 0); /* no bit rose */
        assert_int_equal(full & ~got[i], 0);   /* never below the full result */
        fell += (uint32_t)__builtin_popcount(old[i] & ~got[i]);
        could_fall += (uint32_t)__builtin_popcount(old[i] & ~src[i]);
    }
    /* some, not all, of the 1 -> 0 bits made it */
    assert_true(fell > 0);
    assert_true(fell < could_fall);
    test_chip_close(&c);
}

/* torn-late: most falling bits are done (about 15 in 16), never all of a long
 * write, and a 4-byte word often comes out whole while another does not. */
static void test_torn_late_programs_most_falling_bits(void **state)
{
    (void)state;
    test_chip_t c;
    open_with_plan(&c, 1, SIM_CUT_TORN_WRITE_LATE, 9);
    static uint8_t zeros[1024];
    assert_true(cut_during(&c, 0x4000, zeros, sizeof zeros));
    uint8_t got[1024];
    test_peek(&c, 0x4000, got, sizeof got);
    uint32_t left = 0, whole_words = 0;
    for (uint32_t i = 0; i < sizeof got; i++) {
        left += (uint32_t)__builtin_popcount(got[i]);
    }
    for (uint32_t w = 0; w < sizeof got; w += 4) {
        whole_words += got[w] == 0 && got[w + 1] == 0 && got[w + 2] == 0 && got[w + 3] == 0;
    }
    /* 8192 bits, each left at 1 with probability 1/16: about 512 */
    assert_true(left > 350 && left < 700);
    assert_true(whole_words > 0 && whole_words < sizeof got / 4);
    test_chip_close(&c);
}

static void test_torn_erase_erases_a_prefix(void **state)
{
    (void)state;
    test_chip_t c;
    open_with_plan(&c, 3, SIM_CUT_TORN_ERASE, 5);
    static uint8_t zeros[2 * SIM_SECTOR_SIZE];
    assert_false(cut_during(&c, 0x6000, zeros, sizeof zeros)); /* sectors 6 and 7 */
    assert_false(cut_during(&c, 0x5FFC, zeros, 4));            /* the byte run before */
    assert_true(cut_during(&c, 0x6000, NULL, 0));
    uint8_t got[SIM_SECTOR_SIZE + 8];
    test_peek(&c, 0x5FFC, got, sizeof got);
    check_all(got, 0, 4, 0x00); /* the sector before is untouched */
    uint32_t p = 0;
    while (p < SIM_SECTOR_SIZE && got[4 + p] == 0xFF) {
        p++;
    }
    assert_true(p >= 1 && p < SIM_SECTOR_SIZE);
    check_all(got, 4 + p, 4 + SIM_SECTOR_SIZE, 0x00);
    check_all(got, 4 + SIM_SECTOR_SIZE, sizeof got, 0x00); /* the sector after too */
    test_chip_close(&c);
}

static void erase_random_once(uint64_t seed, uint8_t out[SIM_SECTOR_SIZE])
{
    test_chip_t c;
    open_with_plan(&c, 2, SIM_CUT_TORN_ERASE_RANDOM, seed);
    static uint8_t zeros[3 * SIM_SECTOR_SIZE];
    assert_false(cut_during(&c, 0x7000, zeros, sizeof zeros));
    assert_true(cut_during(&c, 0x8000, NULL, 0));
    static uint8_t got[3 * SIM_SECTOR_SIZE];
    test_peek(&c, 0x7000, got, sizeof got);
    check_all(got, 0, SIM_SECTOR_SIZE, 0x00);
    check_all(got, 2 * SIM_SECTOR_SIZE, sizeof got, 0x00);
    memcpy(out, got + SIM_SECTOR_SIZE, SIM_SECTOR_SIZE);
    test_chip_close(&c);
}

static void test_erase_random_fills_the_sector_with_noise(void **state)
{
    (void)state;
    static uint8_t a[SIM_SECTOR_SIZE], b[SIM_SECTOR_SIZE];
    erase_random_once(9, a);
    uint32_t ff = 0, zero = 0;
    for (uint32_t i = 0; i < SIM_SECTOR_SIZE; i++) {
        ff += a[i] == 0xFF;
        zero += a[i] == 0x00;
    }
    /* random bytes: neither erased nor left as it was */
    assert_true(ff < 64);
    assert_true(zero < 64);
    erase_random_once(9, b);
    assert_memory_equal(a, b, SIM_SECTOR_SIZE);
    erase_random_once(10, b);
    assert_memory_not_equal(a, b, SIM_SECTOR_SIZE);
}

/* A torn kind planned on an op of the other type cuts cleanly. */
static void test_torn_kind_on_other_op_type_is_clean(void **state)
{
    (void)state;
    static const sim_cut_kind_t erase_kinds[] = {SIM_CUT_TORN_ERASE, SIM_CUT_TORN_ERASE_RANDOM};
    static const sim_cut_kind_t write_kinds[] = {SIM_CUT_TORN_WRITE, SIM_CUT_TORN_WRITE_BITS,
                                                 SIM_CUT_TORN_WRITE_LATE};
    uint8_t src[64], got[SIM_SECTOR_SIZE];
    memset(src, 0x00, sizeof src);
    for (int i = 0; i < 3; i++) {
        test_chip_t c;
        open_with_plan(&c, 1, erase_kinds[i % 2], 3);
        assert_true(cut_during(&c, 0x1000, src, sizeof src));
        test_peek(&c, 0x1000, got, sizeof src);
        check_all(got, 0, sizeof src, 0xFF);
        test_chip_close(&c);

        open_with_plan(&c, 2, write_kinds[i], 3);
        assert_false(cut_during(&c, 0x1000, src, sizeof src));
        assert_true(cut_during(&c, 0x1000, NULL, 0));
        test_peek(&c, 0x1000, got, sizeof got);
        check_all(got, 0, sizeof src, 0x00);
        check_all(got, sizeof src, sizeof got, 0xFF);
        test_chip_close(&c);
    }
}

static int s_returning_calls;

static void cut_returns(void *arg)
{
    *(int *)arg += 1;
}

/* A handler that returns (no _exit, no longjmp) gets an error: the op did not complete. */
static void test_returning_cut_handler_gets_an_error(void **state)
{
    (void)state;
    test_chip_t c;
    test_chip_open(&c, 1 * MB, NULL);
    c.f.on_power_cut = cut_returns;
    c.f.on_power_cut_arg = &s_returning_calls;
    assert_int_equal(sim_flash_plan_cut(c.f.st, 1, SIM_CUT_CLEAN), ESP_OK);
    const uint8_t b = 0;
    assert_int_equal(sim_flash_write(&c.f, 0x10, &b, 1), ESP_ERR_FLASH_OP_FAIL);
    assert_int_equal(s_returning_calls, 1);
    assert_non_null(strstr(c.f.last_error, "power cut (clean) before flash write #1"));
    assert_non_null(strstr(c.f.last_error, "0x00000010"));
    test_chip_close(&c);
}

/* The trace names each op by number, the op a cut hits included: a campaign
 * reports "op 2 is the write of 16 bytes at 0x2000" from it. */
static void test_op_trace_records_the_cut_op(void **state)
{
    (void)state;
    test_chip_t c;
    open_with_plan(&c, 2, SIM_CUT_CLEAN, 1);
    const uint8_t data[16] = {0};
    assert_false(cut_during(&c, 0x2000, NULL, 0));
    assert_true(cut_during(&c, 0x2000, data, sizeof data));
    const sim_op_t *t = c.f.st->op_trace;
    assert_int_equal(t[0].erase, 1);
    assert_int_equal(t[0].addr, 0x2000);
    assert_int_equal(t[0].len, SIM_SECTOR_SIZE);
    assert_int_equal(t[1].erase, 0);
    assert_int_equal(t[1].addr, 0x2000);
    assert_int_equal(t[1].len, sizeof data);
    assert_int_equal(t[2].len, 0); /* never reached */
    test_chip_close(&c);
}

static void test_plan_cut_arguments(void **state)
{
    (void)state;
    sim_state_t *st = sim_state_private(1 * MB);
    assert_int_equal(sim_flash_plan_cut(st, 0, SIM_CUT_CLEAN), ESP_ERR_INVALID_ARG);
    assert_int_equal(sim_flash_plan_cut(st, 1, (sim_cut_kind_t)99), ESP_ERR_INVALID_ARG);
    for (uint64_t k = 1; k <= SIM_MAX_CUTS; k++) {
        assert_int_equal(sim_flash_plan_cut(st, k, SIM_CUT_TORN_ERASE), ESP_OK);
    }
    assert_int_equal(sim_flash_plan_cut(st, 99, SIM_CUT_CLEAN), ESP_ERR_NO_MEM);
    assert_int_equal(st->n_cuts, SIM_MAX_CUTS);
    assert_int_equal(st->cuts[3].at_op, 4);
    assert_int_equal(st->cuts[3].kind, SIM_CUT_TORN_ERASE);
    sim_state_release(st);
}

/* Two flash users of one shared state (the ROM stage and the bootloader, say)
 * share one op index: the cut lands in whichever does op k. */
static void test_cut_counted_across_two_attached_users(void **state)
{
    (void)state;
    int st_fd;
    sim_state_t *st = sim_state_create(1 * MB, &st_fd);
    assert_non_null(st);
    test_chip_t c;
    test_chip_open(&c, 1 * MB, st);
    sim_flash_t g;
    assert_int_equal(sim_flash_attach(&g, c.f.fd, st), ESP_OK);
    c.f.on_power_cut = cut_longjmp;
    g.on_power_cut = cut_longjmp;
    assert_int_equal(sim_flash_plan_cut(st, 3, SIM_CUT_CLEAN), ESP_OK);
    assert_int_equal(sim_flash_plan_cut(st, 5, SIM_CUT_CLEAN), ESP_OK);
    const uint8_t b = 0x42;
    assert_false(cut_during_f(&c.f, 0x1000, NULL, 0)); /* op 1 */
    assert_false(cut_during_f(&g, 0x1000, &b, 1));     /* op 2 */
    assert_true(cut_during_f(&c.f, 0x2000, NULL, 0));  /* op 3: cut in the first user */
    assert_false(cut_during_f(&g, 0x2000, NULL, 0));   /* op 3 again */
    assert_false(cut_during_f(&c.f, 0x2000, &b, 1));   /* op 4 */
    assert_true(cut_during_f(&g, 0x3000, NULL, 0));    /* op 5: cut in the second user */
    assert_int_equal(st->power_cuts, 2);
    assert_int_equal(st->counters.modify_ops, 4);
    sim_flash_close(&g);
    test_chip_close(&c);
    sim_state_release(st);
    close(st_fd);
}

/* One boot as a child process maps the state as a boot stage does
 * (OTA8266_STATE_FD) and runs a fixed program; a cut ends it with
 * SIM_EXIT_POWER_CUT through the default handler. */
static int boot_once(int st_fd, int flash_fd)
{
    fflush(NULL);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        char text[16];
        snprintf(text, sizeof text, "%d", st_fd);
        setenv("OTA8266_STATE_FD", text, 1);
        sim_state_t *st = sim_state_from_env();
        sim_flash_t f;
        if (!st || sim_flash_attach(&f, flash_fd, st) != ESP_OK) {
            _exit(90);
        }
        const uint8_t a = 'A', b = 'B';
        if (sim_flash_erase_sector(&f, 0x1000) || sim_flash_write(&f, 0x1000, &a, 1) ||
            sim_flash_erase_sector(&f, 0x2000) || sim_flash_write(&f, 0x2000, &b, 1)) {
            _exit(91);
        }
        _exit(0);
    }
    int status;
    assert_int_equal(waitpid(pid, &status, 0), pid);
    assert_true(WIFEXITED(status));
    return WEXITSTATUS(status);
}

static void test_cut_counted_across_forked_resets(void **state)
{
    (void)state;
    int st_fd;
    sim_state_t *st = sim_state_create(1 * MB, &st_fd);
    test_chip_t c;
    test_chip_open(&c, 1 * MB, st);
    assert_int_equal(sim_flash_plan_cut(st, 3, SIM_CUT_CLEAN), ESP_OK);
    assert_int_equal(sim_flash_plan_cut(st, 6, SIM_CUT_CLEAN), ESP_OK);
    uint8_t x, y;

    /* boot 1: ops 1, 2 done; op 3 (erase 0x2000) cut */
    assert_int_equal(boot_once(st_fd, c.f.fd), SIM_EXIT_POWER_CUT);
    assert_int_equal(st->counters.modify_ops, 2);
    assert_int_equal(st->power_cuts, 1);
    test_peek(&c, 0x1000, &x, 1);
    assert_int_equal(x, 'A');

    /* boot 2 re-runs the program as ops 3, 4, 5; op 6 (write B) cut */
    assert_int_equal(boot_once(st_fd, c.f.fd), SIM_EXIT_POWER_CUT);
    assert_int_equal(st->counters.modify_ops, 5);
    assert_int_equal(st->power_cuts, 2);
    test_peek(&c, 0x2000, &y, 1);
    assert_int_equal(y, 0xFF);

    /* boot 3 runs to the end */
    assert_int_equal(boot_once(st_fd, c.f.fd), 0);
    assert_int_equal(st->counters.modify_ops, 9);
    assert_int_equal(st->counters.erases, 5);
    assert_int_equal(st->sector_erases[1], 3);
    assert_int_equal(st->sector_erases[2], 2);
    test_peek(&c, 0x2000, &y, 1);
    assert_int_equal(y, 'B');
    test_chip_close(&c);
    sim_state_release(st);
    close(st_fd);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_clean_write_cut_writes_nothing),
        cmocka_unit_test(test_clean_erase_cut_erases_nothing),
        cmocka_unit_test(test_reads_do_not_advance_the_plan),
        cmocka_unit_test(test_torn_write_programs_a_prefix),
        cmocka_unit_test(test_torn_bits_programs_some_falling_bits),
        cmocka_unit_test(test_torn_late_programs_most_falling_bits),
        cmocka_unit_test(test_torn_erase_erases_a_prefix),
        cmocka_unit_test(test_erase_random_fills_the_sector_with_noise),
        cmocka_unit_test(test_torn_kind_on_other_op_type_is_clean),
        cmocka_unit_test(test_returning_cut_handler_gets_an_error),
        cmocka_unit_test(test_op_trace_records_the_cut_op),
        cmocka_unit_test(test_plan_cut_arguments),
        cmocka_unit_test(test_cut_counted_across_two_attached_users),
        cmocka_unit_test(test_cut_counted_across_forked_resets),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
