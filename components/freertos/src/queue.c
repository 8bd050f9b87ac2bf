/* FreeRTOS queues on pthreads: a ring of fixed-size slots. */
#define _POSIX_C_SOURCE 200809L /* clock_gettime, pthread_condattr_setclock */
#include "freertos/queue.h"

#include <assert.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "esp_private/freertos_wait.h"

struct freertos_queue {
    pthread_mutex_t lock;
    pthread_cond_t not_full;
    pthread_cond_t not_empty;
    UBaseType_t length;
    UBaseType_t item_size;
    UBaseType_t head; /* slot of the front item */
    UBaseType_t count;
    unsigned char *slots;
};

QueueHandle_t xQueueCreate(UBaseType_t length, UBaseType_t item_size)
{
    assert(length > 0 && item_size > 0);
    QueueHandle_t q = calloc(1, sizeof *q);
    if (!q) {
        return NULL;
    }
    q->slots = calloc(length, item_size);
    if (!q->slots) {
        free(q);
        return NULL;
    }
    q->length = length;
    q->item_size = item_size;
    pthread_mutex_init(&q->lock, NULL);
    freertos_cond_init(&q->not_full);
    freertos_cond_init(&q->not_empty);
    return q;
}

static BaseType_t queue_send(QueueHandle_t q, const void *item, TickType_t ticks, bool front)
{
    assert(q && item);
    struct timespec abs;
    const struct timespec *deadline = freertos_deadline_ticks(ticks, &abs);
    pthread_mutex_lock(&q->lock);
    bool in_time = ticks != 0;
    while (q->count == q->length && in_time) {
        in_time = freertos_cond_wait_until(&q->not_full, &q->lock, deadline);
    }
    if (q->count == q->length) {
        pthread_mutex_unlock(&q->lock);
        return errQUEUE_FULL;
    }
    UBaseType_t slot;
    if (front) {
        q->head = (q->head + q->length - 1) % q->length;
        slot = q->head;
    } else {
        slot = (q->head + q->count) % q->length;
    }
    memcpy(q->slots + (size_t)slot * q->item_size, item, q->item_size);
    q->count++;
    pthread_cond_signal(&q->not_empty);
    pthread_mutex_unlock(&q->lock);
    return pdTRUE;
}

BaseType_t xQueueSendToBack(QueueHandle_t q, const void *item, TickType_t ticks_to_wait)
{
    return queue_send(q, item, ticks_to_wait, false);
}

BaseType_t xQueueSendToFront(QueueHandle_t q, const void *item, TickType_t ticks_to_wait)
{
    return queue_send(q, item, ticks_to_wait, true);
}

BaseType_t xQueueReceive(QueueHandle_t q, void *buffer, TickType_t ticks_to_wait)
{
    assert(q && buffer);
    struct timespec abs;
    const struct timespec *deadline = freertos_deadline_ticks(ticks_to_wait, &abs);
    pthread_mutex_lock(&q->lock);
    bool in_time = ticks_to_wait != 0;
    while (q->count == 0 && in_time) {
        in_time = freertos_cond_wait_until(&q->not_empty, &q->lock, deadline);
    }
    if (q->count == 0) {
        pthread_mutex_unlock(&q->lock);
        return errQUEUE_EMPTY;
    }
    memcpy(buffer, q->slots + (size_t)q->head * q->item_size, q->item_size);
    q->head = (q->head + 1) % q->length;
    q->count--;
    pthread_cond_signal(&q->not_full);
    pthread_mutex_unlock(&q->lock);
    return pdTRUE;
}

UBaseType_t uxQueueMessagesWaiting(QueueHandle_t q)
{
    assert(q);
    pthread_mutex_lock(&q->lock);
    UBaseType_t n = q->count;
    pthread_mutex_unlock(&q->lock);
    return n;
}

void vQueueDelete(QueueHandle_t q)
{
    if (!q) {
        return;
    }
    pthread_cond_destroy(&q->not_full);
    pthread_cond_destroy(&q->not_empty);
    pthread_mutex_destroy(&q->lock);
    free(q->slots);
    free(q);
}
