#pragma once
/* The slice of FreeRTOS the SDK examples use, on POSIX threads. Ticks are
 * 10 ms (CONFIG_FREERTOS_HZ=100 on ESP8266) of *virtual* time, so a run
 * with a time scale makes vTaskDelay sleep proportionally less. */
#include <stddef.h>
#include <stdint.h>

#include "freertos/portmacro.h"

typedef uint32_t TickType_t;
typedef int BaseType_t;
typedef unsigned UBaseType_t;

#define configTICK_RATE_HZ 100
#define portTICK_PERIOD_MS (1000 / configTICK_RATE_HZ)
#define portTICK_RATE_MS portTICK_PERIOD_MS
#define portMAX_DELAY ((TickType_t)0xFFFFFFFF)
#define pdMS_TO_TICKS(ms) ((TickType_t)((ms) / portTICK_PERIOD_MS))
#define pdTRUE 1
#define pdFALSE 0
#define pdPASS 1
#define pdFAIL 0
