/* Timed waits in the device's virtual time (see esp_private/freertos_wait.h). */
#define _POSIX_C_SOURCE 200809L /* clock_gettime, pthread_condattr_setclock */
#include "esp_private/freertos_wait.h"

#include <errno.h>

#include "sim_app.h"

void freertos_cond_init(pthread_cond_t *cond)
{
    pthread_condattr_t attr;
    pthread_condattr_init(&attr);
    pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
    pthread_cond_init(cond, &attr);
    pthread_condattr_destroy(&attr);
}

void freertos_deadline_ms(uint64_t virtual_ms, struct timespec *abs)
{
    const sim_state_t *st = sim_state_current();
    uint64_t scale = st && st->time_scale_x1000 ? st->time_scale_x1000 : 1000;
    /* Same conversion as sim_sleep_ms; in microseconds so a long wait cannot overflow. */
    uint64_t real_us = virtual_ms * 1000u * 1000u / scale;
    clock_gettime(CLOCK_MONOTONIC, abs);
    uint64_t ns = (uint64_t)abs->tv_nsec + (real_us % 1000000u) * 1000u;
    abs->tv_sec += (time_t)(real_us / 1000000u + ns / 1000000000u);
    abs->tv_nsec = (long)(ns % 1000000000u);
}

const struct timespec *freertos_deadline_ticks(TickType_t ticks, struct timespec *abs)
{
    if (ticks == portMAX_DELAY) {
        return NULL;
    }
    freertos_deadline_ms((uint64_t)ticks * portTICK_PERIOD_MS, abs);
    return abs;
}

bool freertos_cond_wait_until(pthread_cond_t *cond, pthread_mutex_t *mutex,
                              const struct timespec *abs)
{
    if (!abs) {
        pthread_cond_wait(cond, mutex);
        return true;
    }
    return pthread_cond_timedwait(cond, mutex, abs) != ETIMEDOUT;
}
