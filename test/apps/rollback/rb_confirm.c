/* A new app that works: it is refused a new update while it is still
 * PENDING_VERIFY, confirms itself, and may update afterwards. */
#include "esp_log.h"
#include "esp_ota_ops.h"
#include "esp_system.h"
#include "freertos/FreeRTOS.h"
#include "freertos/task.h"
#include "rb_common.h"

static const char *TAG = "rb_confirm";

/* esp_ota_begin on the next slot, given up at once: only its answer matters. */
static void try_begin(const char *what)
{
    esp_ota_handle_t h = 0;
    esp_err_t err = esp_ota_begin(esp_ota_get_next_update_partition(NULL), OTA_SIZE_UNKNOWN, &h);
    rb_result(TAG, what, err);
    if (err == ESP_OK) {
        (void)esp_ota_abort(h); /* nothing was written: begin erases nothing */
    }
}

void app_main(void)
{
    rb_report(TAG);
    try_begin("esp_ota_begin before confirming");
    rb_result(TAG, "esp_ota_mark_app_valid_cancel_rollback",
              esp_ota_mark_app_valid_cancel_rollback());
    try_begin("esp_ota_begin after confirming");
    rb_report(TAG);
    ESP_LOGI(TAG, "confirmed; restarting");
    vTaskDelay(10 / portTICK_PERIOD_MS);
    esp_restart();
}
