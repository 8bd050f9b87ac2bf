/*
 * The default event loop: a FreeRTOS queue of posted events and a thread
 * ("sys_evt") that hands each one to the matching handlers. The handler
 * list is guarded by a recursive mutex held for a whole delivery, so a
 * handler may register or unregister (itself included) and another task's
 * unregister waits until the handler has returned.
 */
#include "esp_event.h"

#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "esp_log.h"
#include "freertos/queue.h"

static const char *TAG = "event";

typedef struct handler_node {
    esp_event_base_t base; /* ESP_EVENT_ANY_BASE: every event */
    int32_t id;            /* ESP_EVENT_ANY_ID: every id of base */
    esp_event_handler_t fn;
    void *arg;
    uint64_t seq; /* registration order; later ones miss the delivery in progress */
    bool removed; /* unregistered during a delivery; freed after it */
    struct handler_node *next;
} handler_node_t;

typedef struct {
    esp_event_base_t base; /* NULL: the stop request of esp_event_loop_delete_default */
    int32_t id;
    void *data;
} posted_t;

typedef struct {
    QueueHandle_t queue;
    pthread_t task;
    pthread_mutex_t handlers_lock; /* recursive */
    handler_node_t *handlers;
    uint64_t next_seq;
    bool delivering;
} event_loop_t;

static pthread_mutex_t s_default_lock = PTHREAD_MUTEX_INITIALIZER;
static event_loop_t *s_default;

static event_loop_t *default_loop(void)
{
    pthread_mutex_lock(&s_default_lock);
    event_loop_t *loop = s_default;
    pthread_mutex_unlock(&s_default_lock);
    return loop;
}

static void free_removed(event_loop_t *loop)
{
    for (handler_node_t **p = &loop->handlers; *p;) {
        handler_node_t *h = *p;
        if (h->removed) {
            *p = h->next;
            free(h);
        } else {
            p = &h->next;
        }
    }
}

/* The three groups of ESP-IDF's loop: any base, any id of the base, the id. */
static bool in_group(const handler_node_t *h, int group, const posted_t *ev)
{
    switch (group) {
    case 0:
        return h->base == ESP_EVENT_ANY_BASE;
    case 1:
        return h->base == ev->base && h->id == ESP_EVENT_ANY_ID;
    default:
        return h->base == ev->base && h->id == ev->id;
    }
}

static void deliver(event_loop_t *loop, const posted_t *ev)
{
    pthread_mutex_lock(&loop->handlers_lock);
    loop->delivering = true;
    uint64_t limit = loop->next_seq;
    for (int group = 0; group < 3; group++) {
        for (handler_node_t *h = loop->handlers; h; h = h->next) {
            if (!h->removed && h->seq < limit && in_group(h, group, ev)) {
                h->fn(h->arg, ev->base, ev->id, ev->data);
            }
        }
    }
    loop->delivering = false;
    free_removed(loop);
    pthread_mutex_unlock(&loop->handlers_lock);
}

static void *loop_task(void *arg)
{
    event_loop_t *loop = arg;
    pthread_setname_np(pthread_self(), "sys_evt");
    for (;;) {
        posted_t ev;
        if (xQueueReceive(loop->queue, &ev, portMAX_DELAY) != pdTRUE) {
            continue;
        }
        if (ev.base == NULL) {
            return NULL;
        }
        deliver(loop, &ev);
        free(ev.data);
    }
}

esp_err_t esp_event_loop_create_default(void)
{
    pthread_mutex_lock(&s_default_lock);
    if (s_default) {
        pthread_mutex_unlock(&s_default_lock);
        return ESP_ERR_INVALID_STATE;
    }
    event_loop_t *loop = calloc(1, sizeof *loop);
    if (!loop || !(loop->queue = xQueueCreate(ESP_EVENT_DEFAULT_QUEUE_SIZE, sizeof(posted_t)))) {
        free(loop);
        pthread_mutex_unlock(&s_default_lock);
        return ESP_ERR_NO_MEM;
    }
    pthread_mutexattr_t attr;
    pthread_mutexattr_init(&attr);
    pthread_mutexattr_settype(&attr, PTHREAD_MUTEX_RECURSIVE);
    pthread_mutex_init(&loop->handlers_lock, &attr);
    pthread_mutexattr_destroy(&attr);
    if (pthread_create(&loop->task, NULL, loop_task, loop) != 0) {
        pthread_mutex_destroy(&loop->handlers_lock);
        vQueueDelete(loop->queue);
        free(loop);
        pthread_mutex_unlock(&s_default_lock);
        return ESP_ERR_NO_MEM;
    }
    s_default = loop;
    pthread_mutex_unlock(&s_default_lock);
    return ESP_OK;
}

esp_err_t esp_event_loop_delete_default(void)
{
    pthread_mutex_lock(&s_default_lock);
    event_loop_t *loop = s_default;
    if (!loop || pthread_equal(loop->task, pthread_self())) {
        pthread_mutex_unlock(&s_default_lock);
        return ESP_ERR_INVALID_STATE;
    }
    s_default = NULL;
    pthread_mutex_unlock(&s_default_lock);

    /* Front of the queue: what was still waiting is dropped, as the SDK's delete does. */
    const posted_t stop = {0};
    xQueueSendToFront(loop->queue, &stop, portMAX_DELAY);
    pthread_join(loop->task, NULL);
    posted_t ev;
    while (xQueueReceive(loop->queue, &ev, 0) == pdTRUE) {
        free(ev.data);
    }
    vQueueDelete(loop->queue);
    for (handler_node_t *h = loop->handlers; h;) {
        handler_node_t *next = h->next;
        free(h);
        h = next;
    }
    pthread_mutex_destroy(&loop->handlers_lock);
    free(loop);
    return ESP_OK;
}

esp_err_t esp_event_handler_register(esp_event_base_t event_base, int32_t event_id,
                                     esp_event_handler_t event_handler, void *event_handler_arg)
{
    if (!event_handler) {
        return ESP_ERR_INVALID_ARG;
    }
    if (event_base == ESP_EVENT_ANY_BASE && event_id != ESP_EVENT_ANY_ID) {
        ESP_LOGE(TAG, "registering to any event base with specific id unsupported");
        return ESP_ERR_INVALID_ARG;
    }
    event_loop_t *loop = default_loop();
    if (!loop) {
        return ESP_ERR_INVALID_STATE;
    }
    pthread_mutex_lock(&loop->handlers_lock);
    handler_node_t **tail = &loop->handlers;
    for (; *tail; tail = &(*tail)->next) {
        handler_node_t *h = *tail;
        if (!h->removed && h->base == event_base && h->id == event_id && h->fn == event_handler) {
            h->arg = event_handler_arg;
            pthread_mutex_unlock(&loop->handlers_lock);
            return ESP_OK;
        }
    }
    handler_node_t *h = calloc(1, sizeof *h);
    if (!h) {
        pthread_mutex_unlock(&loop->handlers_lock);
        return ESP_ERR_NO_MEM;
    }
    *h = (handler_node_t){.base = event_base,
                          .id = event_id,
                          .fn = event_handler,
                          .arg = event_handler_arg,
                          .seq = loop->next_seq++};
    *tail = h;
    pthread_mutex_unlock(&loop->handlers_lock);
    return ESP_OK;
}

esp_err_t esp_event_handler_unregister(esp_event_base_t event_base, int32_t event_id,
                                       esp_event_handler_t event_handler)
{
    if (!event_handler) {
        return ESP_ERR_INVALID_ARG;
    }
    if (event_base == ESP_EVENT_ANY_BASE && event_id != ESP_EVENT_ANY_ID) {
        ESP_LOGE(TAG, "unregistering to any event base with specific id unsupported");
        return ESP_FAIL;
    }
    event_loop_t *loop = default_loop();
    if (!loop) {
        return ESP_ERR_INVALID_STATE;
    }
    pthread_mutex_lock(&loop->handlers_lock);
    for (handler_node_t *h = loop->handlers; h; h = h->next) {
        if (!h->removed && h->base == event_base && h->id == event_id && h->fn == event_handler) {
            h->removed = true;
            break;
        }
    }
    if (!loop->delivering) {
        free_removed(loop);
    }
    pthread_mutex_unlock(&loop->handlers_lock);
    return ESP_OK;
}

esp_err_t esp_event_post(esp_event_base_t event_base, int32_t event_id, void *event_data,
                         size_t event_data_size, TickType_t ticks_to_wait)
{
    if (event_base == ESP_EVENT_ANY_BASE || event_id == ESP_EVENT_ANY_ID) {
        return ESP_ERR_INVALID_ARG;
    }
    event_loop_t *loop = default_loop();
    if (!loop) {
        return ESP_ERR_INVALID_STATE;
    }
    posted_t ev = {.base = event_base, .id = event_id};
    if (event_data && event_data_size) {
        ev.data = malloc(event_data_size);
        if (!ev.data) {
            return ESP_ERR_NO_MEM;
        }
        memcpy(ev.data, event_data, event_data_size);
    }
    if (xQueueSend(loop->queue, &ev, ticks_to_wait) != pdTRUE) {
        free(ev.data);
        return ESP_ERR_TIMEOUT;
    }
    return ESP_OK;
}
