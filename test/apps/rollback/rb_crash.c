/* A new app that crashes before it confirms itself. */
#include <stdlib.h>

#include "esp_log.h"
#include "rb_common.h"

static const char *TAG = "rb_crash";

void app_main(void)
{
    rb_report(TAG);
    ESP_LOGE(TAG, "crashing before confirming");
    abort();
}
