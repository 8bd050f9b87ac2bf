/*
 * The rollback API of ESP-IDF (esp_ota_mark_app_valid_cancel_rollback and
 * the rest) over the core's state table and rewrite (bs_rollback.h): the
 * app reads and writes the same otadata fields the bootloader acts on, and
 * every change goes into the copy not in charge.
 */
#include "bs_otadata.h"
#include "bs_rollback.h"
#include "esp_flash_hal.h"
#include "esp_log.h"
#include "esp_ota_ops.h"
#include "esp_private/partition_table.h"
#include "ota_priv.h"
#include "spi_flash.h"

static const char *const TAG = "esp_ota_ops";

static int slot_of(const ota_rb_ctx_t *c, const esp_ota_select_entry_t *e)
{
    return bs_otadata_seq_to_slot(e->ota_seq, c->slots.ota_count);
}

static const esp_partition_t *slot_part(const ota_rb_ctx_t *c, int slot)
{
    return esp_partition_from_row(bs_boot_slot_row(&c->slots, slot));
}

esp_err_t esp_ota_mark_app_valid_cancel_rollback(void)
{
    ota_rb_ctx_t c;
    esp_err_t err = ota_rb_read(&c);
    if (err != ESP_OK) {
        ESP_LOGE(TAG, "cannot read otadata: 0x%x (%s)", (unsigned)err, esp_err_to_name(err));
        return err;
    }
    err = ota_rb_running_selected(&c, ota_part_slot(esp_ota_get_running_partition()));
    if (err == ESP_ERR_INVALID_STATE) {
        return ESP_OK; /* a fallback app has nothing to confirm, and must not confirm another */
    }
    if (err != ESP_OK) {
        return err;
    }
    uint32_t state = c.e[c.active].ota_state;
    if (state == ESP_OTA_IMG_VALID) {
        return ESP_OK;
    }
    err = ota_rb_set_state(&c, ESP_OTA_IMG_VALID);
    if (err != ESP_OK) {
        ESP_LOGE(TAG, "cannot mark ota_%d VALID: 0x%x (%s)", c.slot, (unsigned)err,
                 esp_err_to_name(err));
        return err;
    }
    ESP_LOGI(TAG, "ota_%d marked VALID (was %s): rollback cancelled", c.slot,
             ota_rb_state_name(state));
    return ESP_OK;
}

esp_err_t esp_ota_get_state_partition(const esp_partition_t *partition,
                                      esp_ota_img_states_t *ota_state)
{
    if (partition == NULL || ota_state == NULL) {
        return ESP_ERR_INVALID_ARG;
    }
    if (!ota_is_ota_slot(partition)) {
        return ESP_ERR_NOT_SUPPORTED;
    }
    ota_rb_ctx_t c;
    if (ota_rb_read(&c) != ESP_OK || c.slots.ota_count == 0) {
        return ESP_ERR_NOT_FOUND;
    }
    int slot = partition->subtype & PART_SUBTYPE_OTA_MASK;
    int best = -1;
    for (int i = 0; i < 2; i++) {
        if (bs_otadata_valid(&c.e[i]) && slot_of(&c, &c.e[i]) == slot &&
            (best < 0 || c.e[i].ota_seq > c.e[best].ota_seq)) {
            best = i;
        }
    }
    if (best < 0) {
        return ESP_ERR_NOT_FOUND;
    }
    *ota_state = (esp_ota_img_states_t)c.e[best].ota_state;
    return ESP_OK;
}

const esp_partition_t *esp_ota_get_last_invalid_partition(void)
{
    ota_rb_ctx_t c;
    if (ota_rb_read(&c) != ESP_OK || c.slots.ota_count == 0) {
        return NULL;
    }
    int best = -1;
    for (int i = 0; i < 2; i++) {
        uint32_t st = c.e[i].ota_state;
        if (bs_otadata_valid(&c.e[i]) && (st == ESP_OTA_IMG_INVALID || st == ESP_OTA_IMG_ABORTED) &&
            (best < 0 || c.e[i].ota_seq > c.e[best].ota_seq)) {
            best = i;
        }
    }
    return best < 0 ? NULL : slot_part(&c, slot_of(&c, &c.e[best]));
}

bool esp_ota_check_rollback_is_possible(void)
{
    ota_rb_ctx_t c;
    if (ota_rb_read(&c) != ESP_OK) {
        return false;
    }
    int running = ota_part_slot(esp_ota_get_running_partition());
    bs_rb_fields_t f = {BS_RB_NONE, BS_RB_NONE, BS_RB_NONE};
    if (c.active >= 0 && c.slot == running) {
        bs_rb_fields_get(&c.e[c.active], &f);
    }
    /* What the bootloader would try after rolling the running app back. */
    int order[BS_RB_ORDER_MAX];
    int n = bs_rb_try_order(&c.slots, running, f.target, order, BS_RB_ORDER_MAX);
    for (int i = 0; i < n; i++) {
        const esp_partition_t *p = slot_part(&c, order[i]);
        if (order[i] == running || p == NULL) {
            continue;
        }
        bs_image_opts_t opts = ota_image_opts(p, false);
        bs_hal_t quiet = *c.hal;
        quiet.log = NULL;
        if (bs_image_verify(&quiet, &opts, NULL) == ESP_OK) {
            return true;
        }
    }
    return false;
}

esp_err_t esp_ota_erase_last_boot_app_partition(void)
{
    ota_rb_ctx_t c;
    if (ota_rb_read(&c) != ESP_OK) {
        return ESP_FAIL;
    }
    int running = ota_part_slot(esp_ota_get_running_partition());
    if (ota_rb_running_selected(&c, running) != ESP_OK) {
        return ESP_FAIL;
    }
    uint32_t state = c.e[c.active].ota_state;
    if (state != ESP_OTA_IMG_VALID && state != ESP_OTA_IMG_UNDEFINED) {
        ESP_LOGE(TAG, "ota_%d is %s: confirm it before erasing the app it would roll back to",
                 running, ota_rb_state_name(state));
        return ESP_FAIL;
    }
    /* The previous app: the recorded target, else (SDK-written otadata) the
     * other copy's slot, as ESP-IDF takes it. Never factory. */
    bs_rb_fields_t f;
    bs_rb_fields_get(&c.e[c.active], &f);
    int last = bs_rb_subtype_slot(f.target);
    const esp_ota_select_entry_t *other = &c.e[1 - c.active];
    if (f.target == BS_RB_NONE && bs_otadata_valid(other)) {
        last = slot_of(&c, other);
    }
    const esp_partition_t *p = last >= 0 ? slot_part(&c, last) : NULL;
    if (p == NULL || last == running) {
        ESP_LOGE(TAG, "no previous OTA app partition to erase");
        return ESP_FAIL;
    }
    esp_err_t err = esp_partition_erase_range(p, 0, p->size);
    if (err != ESP_OK) {
        return err;
    }
    /* The copy not in charge may still select it: erasing that copy is
     * safe (the entry in charge stays) and keeps otadata from naming it. */
    if (bs_otadata_valid(other) && slot_of(&c, other) == last) {
        err = esp_partition_erase_range(c.od, (uint32_t)(1 - c.active) * SPI_FLASH_SEC_SIZE,
                                        SPI_FLASH_SEC_SIZE);
    }
    ESP_LOGI(TAG, "erased %s, the app before ota_%d", p->label, running);
    return err;
}
