/* Queues: order, front insertion, timeouts in virtual time, a blocked receiver. */
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include <cmocka.h>

#include "freertos/queue.h"
#include "freertos_test_device.h"

#define TIME_SCALE_X1000 1000000u /* 1000x */

static sim_state_t *s_dev;

typedef struct {
    uint32_t a;
    uint16_t b;
} item_t;

static void test_fifo_and_front(void **state)
{
    (void)state;
    QueueHandle_t q = xQueueCreate(3, sizeof(item_t));
    assert_non_null(q);
    item_t in[3] = {{1, 10}, {2, 20}, {3, 30}}, out;
    assert_int_equal(xQueueSend(q, &in[0], 0), pdTRUE);
    assert_int_equal(xQueueSend(q, &in[1], 0), pdTRUE);
    assert_int_equal(xQueueSendToFront(q, &in[2], 0), pdTRUE);
    assert_int_equal(uxQueueMessagesWaiting(q), 3);
    const uint32_t order[3] = {3, 1, 2};
    for (int i = 0; i < 3; i++) {
        assert_int_equal(xQueueReceive(q, &out, 0), pdTRUE);
        assert_int_equal(out.a, order[i]);
        assert_int_equal(out.b, order[i] * 10);
    }
    assert_int_equal(xQueueReceive(q, &out, 0), errQUEUE_EMPTY);
    vQueueDelete(q);
}

/* Wraps around the ring several times. */
static void test_ring_wraps(void **state)
{
    (void)state;
    QueueHandle_t q = xQueueCreate(2, sizeof(uint32_t));
    for (uint32_t i = 0; i < 10; i++) {
        uint32_t v = i, out = 0;
        assert_int_equal(xQueueSend(q, &v, 0), pdTRUE);
        assert_int_equal(xQueueReceive(q, &out, 0), pdTRUE);
        assert_int_equal(out, i);
    }
    vQueueDelete(q);
}

static void test_timeouts_are_virtual_time(void **state)
{
    (void)state;
    QueueHandle_t q = xQueueCreate(1, sizeof(uint32_t));
    uint32_t v = 7;
    assert_int_equal(xQueueSend(q, &v, 0), pdTRUE);
    uint32_t t0 = sim_clock_ms(s_dev);
    assert_int_equal(xQueueSend(q, &v, 200), errQUEUE_FULL); /* 2 s virtual */
    assert_true(sim_clock_ms(s_dev) - t0 >= 2000);
    assert_int_equal(xQueueReceive(q, &v, 0), pdTRUE);
    t0 = sim_clock_ms(s_dev);
    assert_int_equal(xQueueReceive(q, &v, 100), errQUEUE_EMPTY); /* 1 s virtual */
    assert_true(sim_clock_ms(s_dev) - t0 >= 1000);
    vQueueDelete(q);
}

typedef struct {
    QueueHandle_t q;
    uint32_t got;
    BaseType_t rc;
} receiver_t;

static void *receiver_main(void *p)
{
    receiver_t *r = p;
    r->rc = xQueueReceive(r->q, &r->got, portMAX_DELAY);
    return NULL;
}

static void test_blocked_receiver_gets_item(void **state)
{
    (void)state;
    receiver_t r = {.q = xQueueCreate(4, sizeof(uint32_t))};
    pthread_t t;
    assert_int_equal(pthread_create(&t, NULL, receiver_main, &r), 0);
    sim_sleep_ms(s_dev, 5000); /* 5 ms real: the receiver is most likely blocked by now */
    uint32_t v = 0xC0FFEE;
    assert_int_equal(xQueueSend(r.q, &v, portMAX_DELAY), pdTRUE);
    assert_int_equal(pthread_join(t, NULL), 0);
    assert_int_equal(r.rc, pdTRUE);
    assert_int_equal(r.got, 0xC0FFEE);
    vQueueDelete(r.q);
}

int main(void)
{
    s_dev = test_device_start(TIME_SCALE_X1000);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_fifo_and_front),
        cmocka_unit_test(test_ring_wraps),
        cmocka_unit_test(test_timeouts_are_virtual_time),
        cmocka_unit_test(test_blocked_receiver_gets_item),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
