#pragma once
/*
 * FreeRTOS queues (the SDK's freertos/queue.h): fixed-size items copied in
 * and out, on a POSIX mutex and condition variables. Timeouts are ticks of
 * the device's virtual time. Only the calls the SDK components we model use.
 */
#include "freertos/FreeRTOS.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct freertos_queue *QueueHandle_t;

#define errQUEUE_EMPTY ((BaseType_t)0)
#define errQUEUE_FULL ((BaseType_t)0)

/* A queue of `length` items of `item_size` bytes; NULL when out of memory. */
QueueHandle_t xQueueCreate(UBaseType_t length, UBaseType_t item_size);

/* Copies *item to the back (front) of the queue, waiting up to ticks_to_wait
 * for room; pdTRUE, or errQUEUE_FULL when the time ran out. */
BaseType_t xQueueSendToBack(QueueHandle_t queue, const void *item, TickType_t ticks_to_wait);
BaseType_t xQueueSendToFront(QueueHandle_t queue, const void *item, TickType_t ticks_to_wait);
#define xQueueSend(queue, item, ticks) xQueueSendToBack(queue, item, ticks)

/* Moves the front item to *buffer, waiting up to ticks_to_wait for one;
 * pdTRUE, or errQUEUE_EMPTY when the time ran out. */
BaseType_t xQueueReceive(QueueHandle_t queue, void *buffer, TickType_t ticks_to_wait);

UBaseType_t uxQueueMessagesWaiting(QueueHandle_t queue);

/* Frees the queue; no task may be blocked on it. */
void vQueueDelete(QueueHandle_t queue);

#ifdef __cplusplus
}
#endif
