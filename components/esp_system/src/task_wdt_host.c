/*
 * The app's side of the virtual chip's hardware watchdog. On the ESP8266 the
 * SDK feeds it from the idle task, which runs only when every other task
 * yields and, like everything else, stops while interrupts are off. Here the
 * "idle task" is a thread that stamps the device state (sim_state_t
 * wdt_fed_ns) every few real milliseconds unless a task is inside a critical
 * section; the supervisor resets the chip when the stamp gets too old.
 * Threads are not prioritised on the host, so a busy loop outside a critical
 * section does not starve it: only critical sections model "interrupts off".
 */
#include <pthread.h>
#include <time.h>

#include "esp_private/freertos_critical.h"
#include "esp_private/task_wdt.h"
#include "sim_app.h"

/* Real time between feeds: far below the 500 ms floor of the timeout. */
#define FEED_PERIOD_NS 10000000L

static uint64_t monotonic_ns(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (uint64_t)t.tv_sec * 1000000000ull + (uint64_t)t.tv_nsec;
}

static void feed(sim_state_t *st)
{
    __atomic_store_n(&st->wdt_fed_ns, monotonic_ns(), __ATOMIC_RELEASE);
}

static void *idle_task(void *arg)
{
    sim_state_t *st = arg;
    const struct timespec period = {0, FEED_PERIOD_NS};
    for (;;) {
        if (freertos_critical_nesting() == 0) {
            feed(st);
        }
        nanosleep(&period, NULL);
    }
    return NULL;
}

esp_err_t esp_task_wdt_host_start(void)
{
    sim_state_t *st = sim_state_current();
    if (st == NULL) {
        return ESP_ERR_INVALID_STATE;
    }
    feed(st); /* armed from here on */
    pthread_t t;
    pthread_attr_t attr;
    pthread_attr_init(&attr);
    pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
    int rc = pthread_create(&t, &attr, idle_task, st);
    pthread_attr_destroy(&attr);
    return rc == 0 ? ESP_OK : ESP_ERR_NO_MEM;
}
