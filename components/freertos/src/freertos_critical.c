/* Critical sections (freertos/portmacro.h) on one recursive POSIX mutex. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE /* PTHREAD_RECURSIVE_MUTEX_INITIALIZER_NP */
#endif
#include <pthread.h>
#include <stdatomic.h>

#include "esp_private/freertos_critical.h"
#include "freertos/portmacro.h"

/* Recursive: FreeRTOS allows nesting taskENTER_CRITICAL in one task. */
static pthread_mutex_t s_lock = PTHREAD_RECURSIVE_MUTEX_INITIALIZER_NP;
static atomic_uint s_nesting;

void vPortEnterCritical(void)
{
    pthread_mutex_lock(&s_lock);
    atomic_fetch_add(&s_nesting, 1u);
}

void vPortExitCritical(void)
{
    atomic_fetch_sub(&s_nesting, 1u);
    pthread_mutex_unlock(&s_lock);
}

unsigned freertos_critical_nesting(void)
{
    return atomic_load(&s_nesting);
}
