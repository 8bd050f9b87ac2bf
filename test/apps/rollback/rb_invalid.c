/* A new app whose self-test fails: it marks itself INVALID and restarts
 * into the app it rolls back to. */
#include "esp_log.h"
#include "esp_ota_ops.h"
#include "rb_common.h"

static const char *TAG = "rb_invalid";

void app_main(void)
{
    rb_report(TAG);
    ESP_LOGE(TAG, "self-test failed; rolling back");
    rb_result(TAG, "esp_ota_mark_app_invalid_rollback_and_reboot",
              esp_ota_mark_app_invalid_rollback_and_reboot());
}
