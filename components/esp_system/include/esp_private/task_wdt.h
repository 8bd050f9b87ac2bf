#pragma once
/* The app runtime's watchdog feeder (task_wdt_host.c). Not an SDK header. */
#include "esp_err.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Arms the virtual chip's watchdog and starts feeding it from the idle
 * thread; ESP_ERR_INVALID_STATE when not running on a device. */
esp_err_t esp_task_wdt_host_start(void);

#ifdef __cplusplus
}
#endif
