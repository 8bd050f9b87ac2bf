/* The shared device state: memfd hand-over between processes, and the scaled clock. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "sim_state.h"

#define MB (1024u * 1024u)

static uint64_t now_ns(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (uint64_t)t.tv_sec * 1000000000ull + (uint64_t)t.tv_nsec;
}

static void set_env_fd(int fd)
{
    char text[16];
    snprintf(text, sizeof text, "%d", fd);
    setenv("OTA8266_STATE_FD", text, 1);
}

static void test_private_state_defaults(void **state)
{
    (void)state;
    sim_state_t *st = sim_state_private(4 * MB);
    assert_non_null(st);
    assert_int_equal(st->magic, SIM_STATE_MAGIC);
    assert_int_equal(st->chip_size, 4 * MB);
    assert_int_equal(st->time_scale_x1000, 1000);
    assert_int_equal(st->rst_cause, SIM_RST_POWER_ON);
    assert_int_equal(st->reset_reason, SIM_REASON_POWERON);
    assert_int_equal(st->counters.modify_ops, 0);
    assert_int_equal(st->n_cuts, 0);
    sim_state_release(st);
}

/* The memfd survives exec (no close-on-exec) and every mapping sees the same bytes. */
static void test_create_and_map_from_env(void **state)
{
    (void)state;
    int fd = -1;
    sim_state_t *st = sim_state_create(2 * MB, &fd);
    assert_non_null(st);
    assert_true(fd >= 0);
    assert_int_equal(fcntl(fd, F_GETFD) & FD_CLOEXEC, 0);
    struct stat sb;
    assert_int_equal(fstat(fd, &sb), 0);
    assert_int_equal(sb.st_size, sizeof(sim_state_t));

    set_env_fd(fd);
    sim_state_t *other = sim_state_from_env();
    assert_non_null(other);
    assert_ptr_not_equal(other, st);
    assert_int_equal(other->chip_size, 2 * MB);
    st->boot_count = 7;
    other->counters.erases = 11;
    assert_int_equal(other->boot_count, 7);
    assert_int_equal(st->counters.erases, 11);
    sim_state_release(other);
    unsetenv("OTA8266_STATE_FD");
    sim_state_release(st);
    close(fd);
}

static void test_from_env_refuses_bad_fds(void **state)
{
    (void)state;
    unsetenv("OTA8266_STATE_FD");
    assert_null(sim_state_from_env());
    setenv("OTA8266_STATE_FD", "", 1);
    assert_null(sim_state_from_env());
    setenv("OTA8266_STATE_FD", "12x", 1);
    assert_null(sim_state_from_env());
    setenv("OTA8266_STATE_FD", "999", 1); /* not open */
    assert_null(sim_state_from_env());

    /* wrong size: a state of another build */
    int small = memfd_create("small", 0);
    assert_int_equal(ftruncate(small, 100), 0);
    set_env_fd(small);
    assert_null(sim_state_from_env());
    close(small);

    /* right size, wrong magic */
    int fd;
    sim_state_t *st = sim_state_create(1 * MB, &fd);
    st->magic = 0;
    set_env_fd(fd);
    assert_null(sim_state_from_env());
    st->magic = SIM_STATE_MAGIC;
    sim_state_t *ok = sim_state_from_env();
    assert_non_null(ok);
    sim_state_release(ok);
    sim_state_release(st);
    close(fd);
    unsetenv("OTA8266_STATE_FD");
}

static void test_create_without_fd_out(void **state)
{
    (void)state;
    sim_state_t *st = sim_state_create(1 * MB, NULL);
    assert_non_null(st);
    st->boot_count = 1; /* the mapping outlives the closed fd */
    sim_state_release(st);
    sim_state_release(NULL);
}

typedef struct {
    uint32_t scale_x1000;
    uint64_t real_ms_ago;
    uint32_t want_ms;
} clock_case_t;

static void test_clock_is_scaled(void **state)
{
    (void)state;
    static const clock_case_t cases[] = {
        {1000, 1500, 1500},                        /* real time */
        {100000, 50, 5000},                        /* x100: hello_world's countdown in a blink */
        {500, 4000, 2000},                         /* slower than real */
        {1000000, 10000, 10000000}, {0, 300, 300}, /* unset scale reads as real time */
    };
    sim_state_t *st = sim_state_private(1 * MB);
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        st->time_scale_x1000 = cases[i].scale_x1000;
        st->boot_t0_ns = now_ns() - cases[i].real_ms_ago * 1000000ull;
        uint32_t ms = sim_clock_ms(st);
        uint32_t scale = cases[i].scale_x1000 ? cases[i].scale_x1000 : 1000;
        /* allow 200 real ms of scheduling slack, scaled */
        uint32_t slack = (uint32_t)(200ull * scale / 1000u);
        assert_in_range(ms, cases[i].want_ms, cases[i].want_ms + slack);
    }
    /* a boot that starts now reads ~0 */
    st->time_scale_x1000 = 1000;
    st->boot_t0_ns = now_ns();
    assert_in_range(sim_clock_ms(st), 0, 200);
    sim_state_release(st);
}

static void test_clock_without_device(void **state)
{
    (void)state;
    uint32_t a = sim_clock_ms(NULL);
    assert_in_range(a, 0, 1000);
    assert_true(sim_clock_ms(NULL) >= a);
}

static uint64_t sleep_real_ms(const sim_state_t *st, uint32_t virtual_ms)
{
    uint64_t t0 = now_ns();
    sim_sleep_ms(st, virtual_ms);
    return (now_ns() - t0) / 1000000u;
}

static void test_sleep_is_scaled(void **state)
{
    (void)state;
    sim_state_t *st = sim_state_private(1 * MB);
    st->time_scale_x1000 = 100000; /* x100: 2 virtual seconds take 20 real ms */
    uint64_t real = sleep_real_ms(st, 2000);
    assert_in_range(real, 20, 400);
    st->time_scale_x1000 = 1000;
    real = sleep_real_ms(st, 30);
    assert_in_range(real, 30, 400);
    /* the clock advances by what was slept, in virtual time */
    st->time_scale_x1000 = 50000;
    st->boot_t0_ns = now_ns();
    sim_sleep_ms(st, 1000);
    assert_in_range(sim_clock_ms(st), 1000, 1000 + 200 * 50);
    sim_state_release(st);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_private_state_defaults),
        cmocka_unit_test(test_create_and_map_from_env),
        cmocka_unit_test(test_from_env_refuses_bad_fds),
        cmocka_unit_test(test_create_without_fd_out),
        cmocka_unit_test(test_clock_is_scaled),
        cmocka_unit_test(test_clock_without_device),
        cmocka_unit_test(test_sleep_is_scaled),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
