/*
 * Which app boots: esp_ota_set_boot_partition writes otadata with the core's
 * rewrite rule, esp_ota_get_boot_partition reads it with the core's
 * selection, over the same table rows the bootloader uses (reference §2.3,
 * §2.4). The app-side defaults (factory, else lowest OTA slot, else test)
 * are the SDK's.
 */

#include "bs_boot.h"
#include "bs_otadata.h"
#include "bs_rollback.h"
#include "esp_flash_hal.h"
#include "esp_log.h"
#include "esp_ota_ops.h"
#include "esp_private/app_image.h"
#include "esp_private/partition_table.h"
#include "ota_priv.h"

static const char *const TAG = "esp_ota_ops";

const esp_partition_t *ota_find_otadata(bs_boot_slots_t *slots)
{
    const bs_partition_table_t *t = esp_partition_table();
    if (t == NULL) {
        return NULL;
    }
    bs_boot_slots_find(t, slots);
    return esp_partition_from_row(slots->otadata);
}

/*
 * Both copies erased is the state that boots factory. The copy in charge is
 * erased last, so a power cut in between leaves the previous choice, never
 * an older one (the SDK erases in address order).
 */
static esp_err_t select_factory(const bs_hal_t *hal, const esp_partition_t *od)
{
    esp_ota_select_entry_t e[2];
    int active = -1;
    if (bs_otadata_read(hal, od->address, od->size, e) == ESP_OK) {
        active = bs_otadata_active(e, NULL);
    }
    if (active != 0) {
        return esp_partition_erase_range(od, 0, od->size);
    }
    esp_err_t err =
        esp_partition_erase_range(od, SPI_FLASH_SEC_SIZE, od->size - SPI_FLASH_SEC_SIZE);
    return err != ESP_OK ? err : esp_partition_erase_range(od, 0, SPI_FLASH_SEC_SIZE);
}

esp_err_t esp_ota_set_boot_partition(const esp_partition_t *partition)
{
    if (partition == NULL) {
        return ESP_ERR_INVALID_ARG;
    }
    const esp_partition_t *p = esp_partition_verify(partition);
    if (p == NULL) {
        ESP_LOGE(TAG, "partition %s at 0x%x is not in the partition table", partition->label,
                 (unsigned)partition->address);
        return ESP_ERR_NOT_FOUND;
    }
    bool factory = p->subtype == ESP_PARTITION_SUBTYPE_APP_FACTORY;
    if (p->type != ESP_PARTITION_TYPE_APP || !(factory || ota_is_ota_slot(p))) {
        ESP_LOGE(TAG, "partition %s (type 0x%02x subtype 0x%02x) cannot be selected for boot",
                 p->label, (unsigned)p->type, (unsigned)p->subtype);
        return ESP_ERR_INVALID_ARG;
    }
    const bs_hal_t *hal = spi_flash_hal();
    esp_err_t err = ESP_OK;
    /* The SDK verifies the slot here; a slot esp_ota_end has just verified,
     * and that nothing has written since, is not read and hashed again. */
    if (ota_end_verified(p)) {
        ESP_LOGD(TAG, "partition %s at 0x%x: verified by esp_ota_end, unchanged since", p->label,
                 (unsigned)p->address);
    } else {
        bs_image_opts_t opts = ota_image_opts(p, true);
        err = bs_image_verify(hal, &opts, NULL);
    }
    if (err != ESP_OK) {
        ESP_LOGE(TAG, "partition %s at 0x%x holds no valid app image: 0x%x (%s)", p->label,
                 (unsigned)p->address, (unsigned)err, esp_err_to_name(err));
        return ESP_ERR_OTA_VALIDATE_FAILED;
    }
    bs_boot_slots_t slots;
    const esp_partition_t *od = ota_find_otadata(&slots);
    if (od == NULL) {
        ESP_LOGE(TAG, "not found ota data");
        return ESP_ERR_NOT_FOUND;
    }
    if (factory) {
        return select_factory(hal, od);
    }
    int slot = p->subtype & PART_SUBTYPE_OTA_MASK;
    err = ota_select_slot(od, &slots, slot, OTA_SELECT_STATE);
    if (err != ESP_OK) {
        ESP_LOGE(TAG, "selecting %s (OTA slot %d of %d) in otadata failed: 0x%x (%s)", p->label,
                 slot, slots.ota_count, (unsigned)err, esp_err_to_name(err));
    }
    return err;
}

/* The SDK's app-side default, matching the bootloader's first choice. */
static const esp_partition_t *default_boot_partition(void)
{
    const esp_partition_t *p =
        esp_partition_find_first(ESP_PARTITION_TYPE_APP, ESP_PARTITION_SUBTYPE_APP_FACTORY, NULL);
    if (p != NULL) {
        return p;
    }
    for (int s = ESP_PARTITION_SUBTYPE_APP_OTA_MIN; s < ESP_PARTITION_SUBTYPE_APP_OTA_MAX; s++) {
        p = esp_partition_find_first(ESP_PARTITION_TYPE_APP, (esp_partition_subtype_t)s, NULL);
        if (p != NULL) {
            return p;
        }
    }
    p = esp_partition_find_first(ESP_PARTITION_TYPE_APP, ESP_PARTITION_SUBTYPE_APP_TEST, NULL);
    if (p == NULL) {
        ESP_LOGE(TAG, "invalid partition table, no app partitions");
    }
    return p;
}

const esp_partition_t *esp_ota_get_boot_partition(void)
{
    bs_boot_slots_t slots;
    const esp_partition_t *od = ota_find_otadata(&slots);
    if (od == NULL) {
        ESP_LOGE(TAG, "not found ota data");
        return NULL;
    }
    /* The bootloader's own lines ("Defaulting to factory image", ...) belong
     * to the boot log, not to the app's: select through a silent HAL. */
    bs_hal_t quiet = *spi_flash_hal();
    quiet.log = NULL;
    esp_ota_select_entry_t entries[2];
    int slot = bs_boot_select(&quiet, esp_partition_table(), &slots, entries);
    if (slot == INVALID_INDEX) {
        ESP_LOGE(TAG, "read failed: otadata at 0x%x size 0x%x cannot be used",
                 (unsigned)od->address, (unsigned)od->size);
        return NULL;
    }
    bs_otadata_kind_t kind;
    (void)bs_otadata_active(entries, &kind); /* only the kind matters here */
    if (kind == BS_OTADATA_BOTH_EMPTY) {
        return default_boot_partition();
    }
    if (kind == BS_OTADATA_NONE_VALID) {
        ESP_LOGE(TAG, "ota data invalid, no current app. Assuming factory");
        return default_boot_partition();
    }
    /* A rolled-back app (INVALID, ABORTED) is not what boots next: its
     * rollback target is, as the bootloader decides it (bs_rb_plan). */
    static const bs_rb_config_t any = {true, 1};
    bs_rb_plan_t plan;
    bs_rb_plan(&slots, slot, entries, &any, &plan);
    if (plan.d.action == BS_RB_FALLBACK) {
        int target = bs_rb_target(&slots, slot, plan.d.fields.target);
        ESP_LOGD(TAG, "otadata selects slot %d, %s: rolled back to %d", slot,
                 bs_rb_state_name(plan.d.state), target);
        return target == INVALID_INDEX ? default_boot_partition()
                                       : esp_partition_from_row(bs_boot_slot_row(&slots, target));
    }
    ESP_LOGD(TAG, "otadata selects slot %d", slot);
    return esp_partition_from_row(bs_boot_slot_row(&slots, slot));
}

const esp_partition_t *esp_ota_get_running_partition(void)
{
    uint32_t addr = esp_app_image_start();
    esp_partition_iterator_t it =
        esp_partition_find(ESP_PARTITION_TYPE_APP, ESP_PARTITION_SUBTYPE_ANY, NULL);
    for (; it != NULL; it = esp_partition_next(it)) {
        const esp_partition_t *p = esp_partition_get(it);
        if (p->address <= addr && addr - p->address < p->size) {
            esp_partition_iterator_release(it);
            return p;
        }
    }
    ESP_LOGE(TAG, "no app partition holds the running image at 0x%x", (unsigned)addr);
    return NULL;
}

const esp_partition_t *esp_ota_get_next_update_partition(const esp_partition_t *start_from)
{
    start_from = start_from ? esp_partition_verify(start_from) : esp_ota_get_running_partition();
    if (start_from == NULL) {
        return NULL;
    }
    const esp_partition_t *first = NULL;
    bool next_is_result = false;
    for (int s = ESP_PARTITION_SUBTYPE_APP_OTA_MIN; s < ESP_PARTITION_SUBTYPE_APP_OTA_MAX; s++) {
        const esp_partition_t *p =
            esp_partition_find_first(ESP_PARTITION_TYPE_APP, (esp_partition_subtype_t)s, NULL);
        if (p == NULL) {
            continue;
        }
        if (first == NULL) {
            first = p;
        }
        if (next_is_result) {
            return p;
        }
        next_is_result = (p == start_from);
    }
    return first;
}

uint8_t get_ota_partition_count(void)
{
    uint8_t n = 0;
    /* Stops at 16 rather than probing subtype 0x20 (the test app), the SDK's slip. */
    while (n < MAX_OTA_SLOTS &&
           esp_partition_find_first(ESP_PARTITION_TYPE_APP, ESP_PARTITION_SUBTYPE_OTA(n), NULL)) {
        n++;
    }
    return n;
}
