/* FreeRTOS tasks and delays on POSIX threads and the device's virtual clock. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "freertos/task.h"
#include "sim_app.h"

struct freertos_task {
    pthread_t thread;
    TaskFunction_t fn;
    void *arg;
    char name[16];
};

static void *task_trampoline(void *p)
{
    struct freertos_task *t = p;
    pthread_setname_np(pthread_self(), t->name);
    t->fn(t->arg);
    /* A FreeRTOS task must not return; treat it as deleting itself. */
    return NULL;
}

BaseType_t xTaskCreate(TaskFunction_t fn, const char *name, uint32_t stack_depth, void *arg,
                       UBaseType_t priority, TaskHandle_t *out)
{
    (void)stack_depth;
    (void)priority;
    struct freertos_task *t = calloc(1, sizeof *t);
    if (!t) {
        return pdFAIL;
    }
    t->fn = fn;
    t->arg = arg;
    strncpy(t->name, name ? name : "task", sizeof t->name - 1);
    pthread_attr_t attr;
    pthread_attr_init(&attr);
    pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
    int rc = pthread_create(&t->thread, &attr, task_trampoline, t);
    pthread_attr_destroy(&attr);
    if (rc != 0) {
        free(t);
        return pdFAIL;
    }
    if (out) {
        *out = t;
    }
    return pdPASS;
}

void vTaskDelete(TaskHandle_t task)
{
    if (task == NULL) {
        pthread_exit(NULL);
    }
    pthread_cancel(task->thread);
}

void vTaskDelay(TickType_t ticks)
{
    sim_state_t *st = sim_state_current();
    uint32_t ms = ticks * portTICK_PERIOD_MS;
    if (st) {
        sim_sleep_ms(st, ms);
    } else {
        struct timespec ts = {.tv_sec = ms / 1000, .tv_nsec = (long)(ms % 1000) * 1000000L};
        nanosleep(&ts, NULL);
    }
}

TickType_t xTaskGetTickCount(void)
{
    sim_state_t *st = sim_state_current();
    return st ? sim_clock_ms(st) / portTICK_PERIOD_MS : 0;
}
