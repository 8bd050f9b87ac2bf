/* A new app that never confirms itself: it restarts at once. */
#include "esp_log.h"
#include "esp_system.h"
#include "rb_common.h"

static const char *TAG = "rb_never";

void app_main(void)
{
    rb_report(TAG);
    ESP_LOGI(TAG, "not confirming; restarting");
    esp_restart();
}
