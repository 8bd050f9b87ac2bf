#pragma once
/*
 * Blocking with a timeout in the device's virtual time, for the FreeRTOS
 * shims and the drivers built on them (esp_wifi). Not an SDK header.
 * Waits run on CLOCK_MONOTONIC, so a host clock change never cuts one
 * short; the virtual timeout is turned into real time through the device's
 * time scale (sim_state_t.time_scale_x1000), as sim_sleep_ms does.
 */
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <time.h>

#include "freertos/FreeRTOS.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Initialises a condition variable whose timed waits use CLOCK_MONOTONIC. */
void freertos_cond_init(pthread_cond_t *cond);

/* The CLOCK_MONOTONIC time `virtual_ms` of virtual time from now. */
void freertos_deadline_ms(uint64_t virtual_ms, struct timespec *abs);

/* The deadline `ticks` from now; NULL for portMAX_DELAY (wait forever). */
const struct timespec *freertos_deadline_ticks(TickType_t ticks, struct timespec *abs);

/* Waits on cond until signalled or until *abs (NULL: no limit); false on timeout. */
bool freertos_cond_wait_until(pthread_cond_t *cond, pthread_mutex_t *mutex,
                              const struct timespec *abs);

#ifdef __cplusplus
}
#endif
