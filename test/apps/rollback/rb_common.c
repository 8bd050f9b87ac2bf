/* What every rollback test app says first (see rb_common.h). */
#include "rb_common.h"

#include "esp_log.h"
#include "esp_ota_ops.h"

static const char *state_text(const esp_partition_t *p)
{
    static const char *const names[] = {"NEW", "PENDING_VERIFY", "VALID", "INVALID", "ABORTED"};
    esp_ota_img_states_t st;
    esp_err_t err = esp_ota_get_state_partition(p, &st);
    if (err != ESP_OK) {
        return esp_err_to_name(err);
    }
    if (st == ESP_OTA_IMG_UNDEFINED) {
        return "UNDEFINED";
    }
    return (unsigned)st < sizeof names / sizeof names[0] ? names[st] : "?";
}

void rb_report(const char *tag)
{
    const esp_partition_t *running = esp_ota_get_running_partition();
    const esp_partition_t *invalid = esp_ota_get_last_invalid_partition();
    ESP_LOGI(tag, "running %s, state %s, rollback possible: %s, last invalid: %s",
             running ? running->label : "?", running ? state_text(running) : "?",
             esp_ota_check_rollback_is_possible() ? "yes" : "no",
             invalid ? invalid->label : "none");
}

void rb_result(const char *tag, const char *what, esp_err_t err)
{
    ESP_LOGI(tag, "%s: 0x%x (%s)", what, (unsigned)err, esp_err_to_name(err));
}
