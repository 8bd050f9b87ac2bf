/* esp_ota_mark_app_invalid_rollback_and_reboot, alone in its file: it is
 * the only app_update call that restarts the chip (esp_system), and a
 * program that never calls it need not link esp_restart. */
#include "esp_log.h"
#include "esp_ota_ops.h"
#include "esp_system.h"
#include "ota_priv.h"

static const char *const TAG = "esp_ota_ops";

esp_err_t esp_ota_mark_app_invalid_rollback_and_reboot(void)
{
    ota_rb_ctx_t c;
    esp_err_t err = ota_rb_read(&c);
    if (err != ESP_OK) {
        ESP_LOGE(TAG, "cannot read otadata: 0x%x (%s)", (unsigned)err, esp_err_to_name(err));
        return err;
    }
    err = ota_rb_running_selected(&c, ota_part_slot(esp_ota_get_running_partition()));
    if (err != ESP_OK) {
        return ESP_FAIL;
    }
    if (!esp_ota_check_rollback_is_possible()) {
        ESP_LOGE(TAG, "Rollback is not possible, do not have any suitable apps in slots");
        return ESP_ERR_OTA_ROLLBACK_FAILED;
    }
    err = ota_rb_set_state(&c, ESP_OTA_IMG_INVALID);
    if (err != ESP_OK) {
        ESP_LOGE(TAG, "cannot mark ota_%d INVALID: 0x%x (%s)", c.slot, (unsigned)err,
                 esp_err_to_name(err));
        return err;
    }
    ESP_LOGW(TAG, "ota_%d marked INVALID: restarting to roll back", c.slot);
    esp_restart();
}
