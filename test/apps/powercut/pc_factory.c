/*
 * The factory of the power-cut campaign's rollback scenario: the shipped
 * native_ota_example, unchanged, behind one guard. The example retries its
 * update on every boot, so after a rollback it would download the app that
 * just failed again, forever; ESP-IDF's example refuses a version equal to
 * esp_ota_get_last_invalid_partition()'s. The guard is the coarse form of
 * that rule (the campaign serves one version): once an update was rolled
 * back, do not update again.
 */
#define app_main native_ota_app_main
#include "native_ota_example.c" /* the example itself, so the campaign tests its code */
#undef app_main

static const char *const PC_TAG = "pc_factory";

void app_main(void)
{
    ESP_LOGI(PC_TAG, "started");
    const esp_partition_t *invalid = esp_ota_get_last_invalid_partition();
    if (invalid != NULL) {
        ESP_LOGW(PC_TAG, "%s was rolled back: not updating again", invalid->label);
        return;
    }
    native_ota_app_main();
}
