/*
 * What app_update's rollback paths share (ota_priv.h): otadata as read now,
 * the running app's slot, state rewrites, and the selection of a new slot
 * with its rollback target. Apart from the public API (ota_rollback.c), so
 * that an app which only selects updates does not link that API.
 */
#include "bs_otadata.h"
#include "bs_rollback.h"
#include "esp_flash_hal.h"
#include "esp_log.h"
#include "esp_ota_ops.h"
#include "esp_private/partition_table.h"
#include "ota_priv.h"

static const char *const TAG = "esp_ota_ops";

const char *ota_rb_state_name(uint32_t state)
{
    const char *name = bs_rb_state_name(state);
    return name ? name : "an unknown state";
}

esp_err_t ota_rb_read(ota_rb_ctx_t *c)
{
    c->hal = spi_flash_hal();
    c->od = ota_find_otadata(&c->slots);
    c->active = -1;
    c->slot = INVALID_INDEX;
    if (c->od == NULL) {
        return ESP_ERR_NOT_FOUND;
    }
    esp_err_t err = bs_otadata_read(c->hal, c->od->address, c->od->size, c->e);
    if (err != ESP_OK) {
        return err;
    }
    c->active = bs_otadata_active(c->e, NULL);
    if (c->active >= 0 && c->slots.ota_count > 0) {
        c->slot = bs_otadata_seq_to_slot(c->e[c->active].ota_seq, c->slots.ota_count);
    }
    return ESP_OK;
}

int ota_part_slot(const esp_partition_t *p)
{
    return p == NULL ? INVALID_INDEX : bs_rb_subtype_slot((uint8_t)p->subtype);
}

esp_err_t ota_rb_set_state(const ota_rb_ctx_t *c, uint32_t state)
{
    bs_rb_fields_t f;
    bs_rb_fields_get(&c->e[c->active], &f);
    return bs_rb_write(c->hal, c->od->address, c->od->size, c->slot, c->slots.ota_count, state, &f);
}

esp_err_t ota_select_slot(const esp_partition_t *od, const bs_boot_slots_t *slots, int slot,
                          uint32_t state)
{
    const bs_hal_t *hal = spi_flash_hal();
    if (state == ESP_OTA_IMG_UNDEFINED) {
        return bs_otadata_set_boot_slot(hal, od->address, od->size, slot, slots->ota_count, state);
    }
    /* The app running now is the one to come back to. Re-selecting the
     * running slot keeps the target its entry already had. */
    bs_rb_fields_t f = {BS_RB_NONE, BS_RB_NONE, BS_RB_NONE};
    int running = ota_part_slot(esp_ota_get_running_partition());
    if (running != slot) {
        f.target = bs_rb_slot_subtype(running);
    } else {
        ota_rb_ctx_t c;
        if (ota_rb_read(&c) == ESP_OK && c.active >= 0 && c.slot == slot) {
            bs_rb_fields_t old;
            bs_rb_fields_get(&c.e[c.active], &old);
            f.target = old.target;
        }
    }
    ESP_LOGD(TAG, "selecting OTA slot %d as %s, rollback target subtype 0x%02x", slot,
             ota_rb_state_name(state), f.target);
    return bs_rb_write(hal, od->address, od->size, slot, slots->ota_count, state, &f);
}

bool ota_running_is_pending(void)
{
    ota_rb_ctx_t c;
    return ota_rb_read(&c) == ESP_OK && c.active >= 0 &&
           c.slot == ota_part_slot(esp_ota_get_running_partition()) &&
           c.e[c.active].ota_state == ESP_OTA_IMG_PENDING_VERIFY;
}

esp_err_t ota_rb_running_selected(const ota_rb_ctx_t *c, int running)
{
    if (running == FACTORY_INDEX) {
        ESP_LOGE(TAG, "Running firmware is factory");
        return ESP_FAIL;
    }
    if (running < 0) {
        ESP_LOGE(TAG, "the running app is not in an OTA app partition");
        return ESP_FAIL;
    }
    if (c->active < 0) {
        ESP_LOGE(TAG, "otadata selects no app: ota_%d was started by default", running);
        return ESP_FAIL;
    }
    if (c->slot != running) {
        ESP_LOGW(TAG, "otadata selects ota_%d (%s), not the running ota_%d: it runs as a fallback",
                 c->slot, ota_rb_state_name(c->e[c->active].ota_state), running);
        return ESP_ERR_INVALID_STATE;
    }
    return ESP_OK;
}
