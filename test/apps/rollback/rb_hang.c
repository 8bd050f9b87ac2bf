/* A new app that hangs before it confirms itself, with interrupts off (a
 * critical section): only the hardware watchdog gets the chip back. */
#include "esp_log.h"
#include "freertos/FreeRTOS.h"
#include "freertos/task.h"
#include "rb_common.h"

static const char *TAG = "rb_hang";

void app_main(void)
{
    rb_report(TAG);
    ESP_LOGE(TAG, "hanging in a critical section before confirming");
    taskENTER_CRITICAL();
    for (;;) {
    }
}
