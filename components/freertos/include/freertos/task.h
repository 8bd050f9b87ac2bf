#pragma once
#include "freertos/FreeRTOS.h"

typedef void (*TaskFunction_t)(void *);
typedef struct freertos_task *TaskHandle_t;

/* A task is a POSIX thread; the stack depth is recorded, not enforced. */
BaseType_t xTaskCreate(TaskFunction_t fn, const char *name, uint32_t stack_depth, void *arg,
                       UBaseType_t priority, TaskHandle_t *out);
/* NULL deletes the calling task. */
void vTaskDelete(TaskHandle_t task);
void vTaskDelay(TickType_t ticks);
TickType_t xTaskGetTickCount(void);

/* Critical sections (see freertos/portmacro.h): nothing else runs, and the
 * watchdog is not fed until the matching exit. */
#define taskENTER_CRITICAL() portENTER_CRITICAL()
#define taskEXIT_CRITICAL() portEXIT_CRITICAL()
