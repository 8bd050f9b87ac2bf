/*
 * Event groups on pthreads. Waiters are listed so that xEventGroupSetBits
 * can decide, atomically with the set, which waits it completes: two tasks
 * waiting with clear-on-exit for the same bit are both released, as in
 * FreeRTOS, instead of the first one woken clearing the bit under the other.
 */
#define _POSIX_C_SOURCE 200809L /* clock_gettime, pthread_condattr_setclock */
#include "freertos/event_groups.h"

#include <assert.h>
#include <stdbool.h>
#include <stdlib.h>

#include "esp_private/freertos_wait.h"
#include "event_groups_priv.h"

/* FreeRTOS keeps its own flags in the top byte (eventEVENT_BITS_CONTROL_BYTES). */
#define EVENT_BITS_CONTROL 0xFF000000u

typedef struct eg_waiter {
    EventBits_t want;
    bool all;
    bool clear;
    bool done;
    EventBits_t result;
    struct eg_waiter *next;
} eg_waiter_t;

struct freertos_event_group {
    pthread_mutex_t lock;
    pthread_cond_t changed;
    EventBits_t bits;
    eg_waiter_t *waiters;
    unsigned inside; /* tasks in xEventGroupWaitBits: delete waits for them to leave */
    bool deleting;
};

static bool satisfied(EventBits_t bits, EventBits_t want, bool all)
{
    return all ? (bits & want) == want : (bits & want) != 0;
}

static void unlink_waiter(EventGroupHandle_t g, eg_waiter_t *w)
{
    for (eg_waiter_t **p = &g->waiters; *p; p = &(*p)->next) {
        if (*p == w) {
            *p = w->next;
            return;
        }
    }
}

EventGroupHandle_t xEventGroupCreate(void)
{
    EventGroupHandle_t g = calloc(1, sizeof *g);
    if (!g) {
        return NULL;
    }
    pthread_mutex_init(&g->lock, NULL);
    freertos_cond_init(&g->changed);
    return g;
}

EventBits_t xEventGroupSetBits(EventGroupHandle_t g, const EventBits_t bits_to_set)
{
    assert(g && (bits_to_set & EVENT_BITS_CONTROL) == 0);
    pthread_mutex_lock(&g->lock);
    g->bits |= bits_to_set;
    EventBits_t to_clear = 0;
    for (eg_waiter_t **p = &g->waiters; *p;) {
        eg_waiter_t *w = *p;
        if (satisfied(g->bits, w->want, w->all)) {
            w->done = true;
            w->result = g->bits;
            if (w->clear) {
                to_clear |= w->want;
            }
            *p = w->next;
        } else {
            p = &w->next;
        }
    }
    g->bits &= ~to_clear;
    EventBits_t now = g->bits;
    pthread_cond_broadcast(&g->changed);
    pthread_mutex_unlock(&g->lock);
    return now;
}

EventBits_t xEventGroupClearBits(EventGroupHandle_t g, const EventBits_t bits_to_clear)
{
    assert(g && (bits_to_clear & EVENT_BITS_CONTROL) == 0);
    pthread_mutex_lock(&g->lock);
    EventBits_t before = g->bits;
    g->bits &= ~bits_to_clear;
    pthread_mutex_unlock(&g->lock);
    return before;
}

EventBits_t xEventGroupWaitBits(EventGroupHandle_t g, const EventBits_t bits_to_wait_for,
                                const BaseType_t clear_on_exit, const BaseType_t wait_for_all,
                                TickType_t ticks_to_wait)
{
    assert(g && bits_to_wait_for != 0 && (bits_to_wait_for & EVENT_BITS_CONTROL) == 0);
    struct timespec abs;
    const struct timespec *deadline = freertos_deadline_ticks(ticks_to_wait, &abs);
    pthread_mutex_lock(&g->lock);
    EventBits_t result = g->bits;
    if (satisfied(g->bits, bits_to_wait_for, wait_for_all)) {
        if (clear_on_exit) {
            g->bits &= ~bits_to_wait_for;
        }
        pthread_mutex_unlock(&g->lock);
        return result;
    }
    if (ticks_to_wait == 0) {
        pthread_mutex_unlock(&g->lock);
        return result;
    }
    eg_waiter_t w = {.want = bits_to_wait_for,
                     .all = wait_for_all != pdFALSE,
                     .clear = clear_on_exit != pdFALSE,
                     .next = g->waiters};
    g->waiters = &w;
    g->inside++;
    bool in_time = true;
    while (!w.done && !g->deleting && in_time) {
        in_time = freertos_cond_wait_until(&g->changed, &g->lock, deadline);
    }
    if (w.done) {
        result = w.result;
    } else {
        unlink_waiter(g, &w);
        result = g->deleting ? 0 : g->bits;
    }
    g->inside--;
    pthread_cond_broadcast(&g->changed); /* a pending delete counts the tasks leaving */
    pthread_mutex_unlock(&g->lock);
    return result;
}

void vEventGroupDelete(EventGroupHandle_t g)
{
    if (!g) {
        return;
    }
    pthread_mutex_lock(&g->lock);
    g->deleting = true;
    pthread_cond_broadcast(&g->changed);
    while (g->inside > 0) {
        pthread_cond_wait(&g->changed, &g->lock);
    }
    pthread_mutex_unlock(&g->lock);
    pthread_cond_destroy(&g->changed);
    pthread_mutex_destroy(&g->lock);
    free(g);
}

unsigned event_group_waiting(EventGroupHandle_t g)
{
    pthread_mutex_lock(&g->lock);
    unsigned n = g->inside;
    pthread_mutex_unlock(&g->lock);
    return n;
}
