#pragma once
/*
 * FreeRTOS event groups (the SDK's freertos/event_groups.h), on a POSIX
 * mutex and condition variable. Timeouts are ticks of the device's virtual
 * time. As in FreeRTOS with 32-bit ticks, the top 8 bits of a group are
 * reserved: 24 bits are usable.
 */
#include "freertos/FreeRTOS.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct freertos_event_group *EventGroupHandle_t;
typedef TickType_t EventBits_t;

/* A new group with every bit clear; NULL when out of memory. */
EventGroupHandle_t xEventGroupCreate(void);

/* Sets bits and wakes the tasks whose wait they complete; returns the bits
 * when the call returns (bits a woken waiter cleared on exit are gone). */
EventBits_t xEventGroupSetBits(EventGroupHandle_t group, const EventBits_t bits_to_set);

/* Clears bits; returns the bits as they were before. */
EventBits_t xEventGroupClearBits(EventGroupHandle_t group, const EventBits_t bits_to_clear);

/* Waits until any (or, with wait_for_all, every) bit of bits_to_wait_for is
 * set, for at most ticks_to_wait (portMAX_DELAY: no limit). Returns the
 * bits when the wait completed or timed out; on completion with
 * clear_on_exit, the awaited bits are cleared. */
EventBits_t xEventGroupWaitBits(EventGroupHandle_t group, const EventBits_t bits_to_wait_for,
                                const BaseType_t clear_on_exit, const BaseType_t wait_for_all,
                                TickType_t ticks_to_wait);

#define xEventGroupGetBits(group) xEventGroupClearBits(group, 0)

/* Deletes the group; tasks blocked on it return 0. */
void vEventGroupDelete(EventGroupHandle_t group);

#ifdef __cplusplus
}
#endif
