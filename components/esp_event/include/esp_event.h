#pragma once
/*
 * The SDK's event loop library (esp_event.h), default loop only: events are
 * posted to a queue and handed to the handlers, in posting order, on the
 * loop's own task ("sys_evt"). For one event, handlers for any base run
 * first, then those for any id of its base, then those for its id; each
 * group in registration order (as ESP-IDF's loop does).
 */
#include <stddef.h>
#include <stdint.h>

#include "esp_err.h"
#include "esp_event_base.h"
#include "freertos/FreeRTOS.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Events the default loop can hold before esp_event_post waits
 * (CONFIG_ESP_SYSTEM_EVENT_QUEUE_SIZE in the SDK). */
#define ESP_EVENT_DEFAULT_QUEUE_SIZE 32

/**
 * Creates the default loop and starts its task.
 * @return ESP_OK; ESP_ERR_INVALID_STATE if it already exists; ESP_ERR_NO_MEM.
 */
esp_err_t esp_event_loop_create_default(void);

/**
 * Stops the default loop's task (events still queued are dropped) and frees
 * the loop with its handlers. Must not be called from a handler, nor while
 * another task may still post.
 * @return ESP_OK; ESP_ERR_INVALID_STATE if there is no loop or it is called
 *         from the loop's own task.
 */
esp_err_t esp_event_loop_delete_default(void);

/**
 * Registers handler for (event_base, event_id) on the default loop.
 * ESP_EVENT_ANY_ID matches every id of the base; ESP_EVENT_ANY_BASE (with
 * ESP_EVENT_ANY_ID) every event. Registering the same triple again only
 * replaces its argument. A handler registered while an event is being
 * delivered receives the events posted after it.
 * @return ESP_OK; ESP_ERR_INVALID_ARG (NULL handler, or a specific id with
 *         any base); ESP_ERR_INVALID_STATE if there is no default loop;
 *         ESP_ERR_NO_MEM.
 */
esp_err_t esp_event_handler_register(esp_event_base_t event_base, int32_t event_id,
                                     esp_event_handler_t event_handler, void *event_handler_arg);

/**
 * Unregisters the handler registered with exactly this base and id. From
 * another task it waits for a delivery in progress, so once it returns the
 * handler is not running and will not run again.
 * @return ESP_OK (also when it was not registered); ESP_FAIL for a specific
 *         id with any base (the SDK's value); ESP_ERR_INVALID_ARG (NULL
 *         handler); ESP_ERR_INVALID_STATE if there is no default loop.
 */
esp_err_t esp_event_handler_unregister(esp_event_base_t event_base, int32_t event_id,
                                       esp_event_handler_t event_handler);

/**
 * Posts an event to the default loop. event_data (event_data_size bytes) is
 * copied; handlers see the copy. Waits up to ticks_to_wait of virtual time
 * for room in the queue.
 * @return ESP_OK; ESP_ERR_INVALID_ARG (no base, or an "any" id);
 *         ESP_ERR_INVALID_STATE if there is no default loop;
 *         ESP_ERR_TIMEOUT if the queue stayed full; ESP_ERR_NO_MEM.
 */
esp_err_t esp_event_post(esp_event_base_t event_base, int32_t event_id, void *event_data,
                         size_t event_data_size, TickType_t ticks_to_wait);

#ifdef __cplusplus
}
#endif
