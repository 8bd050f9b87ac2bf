/* Critical sections: they nest, they exclude other tasks, and the nesting
 * count the watchdog feeder reads goes back to 0. */
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include <cmocka.h>

#include "esp_private/freertos_critical.h"
#include "freertos/FreeRTOS.h"
#include "freertos/task.h"

static void test_nesting_is_counted(void **state)
{
    (void)state;
    assert_int_equal(freertos_critical_nesting(), 0);
    taskENTER_CRITICAL();
    portENTER_CRITICAL(); /* the same lock, taken again by the same task */
    assert_int_equal(freertos_critical_nesting(), 2);
    portEXIT_CRITICAL();
    assert_int_equal(freertos_critical_nesting(), 1);
    taskEXIT_CRITICAL();
    assert_int_equal(freertos_critical_nesting(), 0);
}

static atomic_int s_entered;

static void *other_task(void *arg)
{
    (void)arg;
    taskENTER_CRITICAL();
    atomic_store(&s_entered, 1);
    taskEXIT_CRITICAL();
    return NULL;
}

/* While one task is inside, another one waits at the entry (on the chip it
 * would not even be scheduled). */
static void test_other_tasks_wait_outside(void **state)
{
    (void)state;
    atomic_store(&s_entered, 0);
    taskENTER_CRITICAL();
    pthread_t t;
    assert_int_equal(pthread_create(&t, NULL, other_task, NULL), 0);
    const struct timespec ms20 = {0, 20000000L};
    nanosleep(&ms20, NULL);
    assert_int_equal(atomic_load(&s_entered), 0);
    taskEXIT_CRITICAL();
    pthread_join(t, NULL);
    assert_int_equal(atomic_load(&s_entered), 1);
    assert_int_equal(freertos_critical_nesting(), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_nesting_is_counted),
        cmocka_unit_test(test_other_tasks_wait_outside),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
