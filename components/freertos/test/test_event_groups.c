/* Event groups: bits, any/all waits, clear on exit, timeouts in virtual time. */
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include <cmocka.h>

#include "event_groups_priv.h"
#include "freertos/event_groups.h"
#include "freertos_test_device.h"

#define BIT0 (1u << 0)
#define BIT1 (1u << 1)
#define BIT2 (1u << 2)

/* 1000x: a virtual second is a real millisecond. */
#define TIME_SCALE_X1000 1000000u

static sim_state_t *s_dev;

static uint64_t real_ms(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (uint64_t)t.tv_sec * 1000u + (uint64_t)t.tv_nsec / 1000000u;
}

/* Until n tasks are blocked on g (real-time polling: no virtual clock involved). */
static void wait_for_waiters(EventGroupHandle_t g, unsigned n)
{
    const struct timespec tick = {.tv_nsec = 1000000};
    for (int i = 0; i < 5000 && event_group_waiting(g) != n; i++) {
        nanosleep(&tick, NULL);
    }
    assert_int_equal(event_group_waiting(g), n);
}

static void test_set_clear_get(void **state)
{
    (void)state;
    EventGroupHandle_t g = xEventGroupCreate();
    assert_non_null(g);
    assert_int_equal(xEventGroupGetBits(g), 0);
    assert_int_equal(xEventGroupSetBits(g, BIT0 | BIT2), BIT0 | BIT2);
    assert_int_equal(xEventGroupClearBits(g, BIT0), BIT0 | BIT2); /* the bits before */
    assert_int_equal(xEventGroupGetBits(g), BIT2);
    vEventGroupDelete(g);
}

/* One row: bits present, what is awaited, how; the expected return and what stays set. */
typedef struct {
    EventBits_t present, want;
    BaseType_t clear, all;
    EventBits_t returned, left;
} wait_case_t;

static void test_wait_already_set_table(void **state)
{
    (void)state;
    static const wait_case_t cases[] = {
        {BIT0 | BIT1, BIT0, pdFALSE, pdFALSE, BIT0 | BIT1, BIT0 | BIT1},
        {BIT0 | BIT1, BIT0, pdTRUE, pdFALSE, BIT0 | BIT1, BIT1},
        {BIT0 | BIT1, BIT0 | BIT2, pdTRUE, pdFALSE, BIT0 | BIT1, BIT1}, /* any: clears both asked */
        {BIT0 | BIT1, BIT0 | BIT1, pdTRUE, pdTRUE, BIT0 | BIT1, 0},
        {BIT0, BIT0 | BIT1, pdTRUE, pdTRUE, BIT0, BIT0}, /* all, not met: times out, no clear */
        {0, BIT0, pdTRUE, pdFALSE, 0, 0},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const wait_case_t *c = &cases[i];
        EventGroupHandle_t g = xEventGroupCreate();
        xEventGroupSetBits(g, c->present);
        /* 0 ticks: a poll, never blocks. */
        assert_int_equal(xEventGroupWaitBits(g, c->want, c->clear, c->all, 0), c->returned);
        assert_int_equal(xEventGroupGetBits(g), c->left);
        vEventGroupDelete(g);
    }
}

typedef struct {
    EventGroupHandle_t g;
    EventBits_t want;
    BaseType_t clear, all;
    TickType_t ticks;
    EventBits_t result;
} waiter_t;

static void *waiter_main(void *p)
{
    waiter_t *w = p;
    w->result = xEventGroupWaitBits(w->g, w->want, w->clear, w->all, w->ticks);
    return NULL;
}

static void test_wait_all_blocks_until_every_bit(void **state)
{
    (void)state;
    EventGroupHandle_t g = xEventGroupCreate();
    waiter_t w = {
        .g = g, .want = BIT0 | BIT1, .clear = pdTRUE, .all = pdTRUE, .ticks = portMAX_DELAY};
    pthread_t t;
    assert_int_equal(pthread_create(&t, NULL, waiter_main, &w), 0);
    wait_for_waiters(g, 1);
    xEventGroupSetBits(g, BIT0);
    sim_sleep_ms(s_dev, 20000); /* 20 ms real: time enough to wake by mistake */
    assert_int_equal(event_group_waiting(g), 1);
    assert_int_equal(xEventGroupGetBits(g), BIT0);
    xEventGroupSetBits(g, BIT1 | BIT2);
    assert_int_equal(pthread_join(t, NULL), 0);
    assert_int_equal(w.result, BIT0 | BIT1 | BIT2);
    assert_int_equal(xEventGroupGetBits(g), BIT2); /* cleared on exit: only the awaited bits */
    vEventGroupDelete(g);
}

/* Two tasks waiting with clear-on-exit for the same bit are both released. */
static void test_clear_on_exit_releases_every_waiter(void **state)
{
    (void)state;
    EventGroupHandle_t g = xEventGroupCreate();
    waiter_t w[2] = {
        {.g = g, .want = BIT0, .clear = pdTRUE, .all = pdFALSE, .ticks = portMAX_DELAY},
        {.g = g, .want = BIT0, .clear = pdTRUE, .all = pdFALSE, .ticks = portMAX_DELAY},
    };
    pthread_t t[2];
    for (int i = 0; i < 2; i++) {
        assert_int_equal(pthread_create(&t[i], NULL, waiter_main, &w[i]), 0);
    }
    wait_for_waiters(g, 2);
    assert_int_equal(xEventGroupSetBits(g, BIT0), 0);
    for (int i = 0; i < 2; i++) {
        assert_int_equal(pthread_join(t[i], NULL), 0);
        assert_int_equal(w[i].result, BIT0);
    }
    vEventGroupDelete(g);
}

/* 300 ticks are 3 s of virtual time: 3 ms of real time at 1000x. */
static void test_timeout_is_virtual_time(void **state)
{
    (void)state;
    EventGroupHandle_t g = xEventGroupCreate();
    xEventGroupSetBits(g, BIT1);
    uint32_t v0 = sim_clock_ms(s_dev);
    uint64_t r0 = real_ms();
    EventBits_t got = xEventGroupWaitBits(g, BIT0, pdTRUE, pdFALSE, 300);
    uint32_t virtual_elapsed = sim_clock_ms(s_dev) - v0;
    uint64_t real_elapsed = real_ms() - r0;
    assert_int_equal(got, BIT1); /* the bits at the timeout */
    assert_true(virtual_elapsed >= 3000);
    assert_true(real_elapsed < 1000); /* real time would have taken 3 s */
    vEventGroupDelete(g);
}

static void test_delete_releases_waiters_with_zero(void **state)
{
    (void)state;
    EventGroupHandle_t g = xEventGroupCreate();
    xEventGroupSetBits(g, BIT1);
    waiter_t w = {.g = g, .want = BIT0, .all = pdFALSE, .ticks = portMAX_DELAY, .result = 99};
    pthread_t t;
    assert_int_equal(pthread_create(&t, NULL, waiter_main, &w), 0);
    wait_for_waiters(g, 1);
    vEventGroupDelete(g);
    assert_int_equal(pthread_join(t, NULL), 0);
    assert_int_equal(w.result, 0);
}

int main(void)
{
    s_dev = test_device_start(TIME_SCALE_X1000);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_set_clear_get),
        cmocka_unit_test(test_wait_already_set_table),
        cmocka_unit_test(test_wait_all_blocks_until_every_bit),
        cmocka_unit_test(test_clear_on_exit_releases_every_waiter),
        cmocka_unit_test(test_timeout_is_virtual_time),
        cmocka_unit_test(test_delete_releases_waiters_with_zero),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
