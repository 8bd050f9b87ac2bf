/* Boot slot choice and fallback order (reference §2.3, §4 steps 5-6), in the
 * SDK's words so that logs match a real device. */
#include "bs_boot.h"

static const char *const TAG = "boot";

int bs_boot_slot_row(const bs_boot_slots_t *s, int slot)
{
    if (slot == FACTORY_INDEX) {
        return s->factory;
    }
    if (slot == TEST_APP_INDEX) {
        return s->test;
    }
    if (slot >= 0 && slot < MAX_OTA_SLOTS) {
        return s->ota[slot];
    }
    return -1;
}

static const char *valid_msg(bs_otadata_kind_t kind)
{
    switch (kind) {
    case BS_OTADATA_BOTH_VALID:
        return "Both OTA values";
    case BS_OTADATA_ONLY_A:
        return "Only OTA sequence A is";
    default:
        return "Only OTA sequence B is";
    }
}

static int select_from_entries(const bs_hal_t *hal, const bs_boot_slots_t *s,
                               const esp_ota_select_entry_t e[2])
{
    bool has_factory = s->factory >= 0;
    bs_otadata_kind_t kind;
    int active = bs_otadata_active(e, &kind);

    BS_LOGD(hal, TAG, "OTA sequence values A 0x%08x B 0x%08x", (unsigned)e[0].ota_seq,
            (unsigned)e[1].ota_seq);
    if (kind == BS_OTADATA_BOTH_EMPTY) {
        BS_LOGD(hal, TAG, "OTA sequence numbers both empty (all-0xFF)");
        if (has_factory) {
            BS_LOGI(hal, TAG, "Defaulting to factory image");
            return FACTORY_INDEX;
        }
        BS_LOGI(hal, TAG, "No factory image, trying OTA 0");
        return 0;
    }
    if (active < 0) {
        if (has_factory) {
            BS_LOGE(hal, TAG, "ota data partition invalid, falling back to factory");
        } else {
            BS_LOGE(hal, TAG, "ota data partition invalid and no factory, will try all partitions");
        }
        return FACTORY_INDEX;
    }
    uint32_t seq = e[active].ota_seq;
    if (s->ota_count < 1) {
        /* The SDK divides by zero here; we fall back instead. */
        BS_LOGE(hal, TAG, "ota data selects seq %u but the table has no OTA app partition",
                (unsigned)seq);
        return FACTORY_INDEX;
    }
    int slot = bs_otadata_seq_to_slot(seq, s->ota_count);
    BS_LOGD(hal, TAG, "%s valid. Mapping seq %d -> OTA slot %d", valid_msg(kind), (int)(seq - 1u),
            slot);
    return slot;
}

int bs_boot_select(const bs_hal_t *hal, const bs_partition_table_t *t, const bs_boot_slots_t *s,
                   esp_ota_select_entry_t entries[2])
{
    if (s->otadata < 0 || s->otadata >= t->num_rows) {
        /* No otadata: start from factory and let the fallback order search. */
        return FACTORY_INDEX;
    }
    const esp_partition_info_t *od = &t->rows[s->otadata];
    esp_ota_select_entry_t e[2];
    esp_err_t err = bs_otadata_read(hal, od->offset, od->size, e);
    if (err == ESP_ERR_INVALID_SIZE) {
        return INVALID_INDEX;
    }
    if (err != ESP_OK) {
        BS_LOGE(hal, TAG, "bootloader_mmap(0x%x, 0x%x) failed", (unsigned)od->offset,
                (unsigned)od->size);
        return INVALID_INDEX;
    }
    BS_LOGD(hal, TAG, "OTA data offset 0x%x", (unsigned)od->offset);
    if (entries) {
        entries[0] = e[0];
        entries[1] = e[1];
    }
    return select_from_entries(hal, s, e);
}

static int push_if_present(const bs_boot_slots_t *s, int slot, int *order, int n, int max)
{
    if (n < max && bs_boot_slot_row(s, slot) >= 0) {
        order[n++] = slot;
    }
    return n;
}

int bs_boot_try_order(const bs_boot_slots_t *s, int selected, int *order, int max)
{
    int n = 0;
    if (selected == TEST_APP_INDEX) {
        return push_if_present(s, TEST_APP_INDEX, order, n, max);
    }
    if (selected < FACTORY_INDEX) {
        return 0;
    }
    int start = (selected < MAX_OTA_SLOTS) ? selected : MAX_OTA_SLOTS - 1;
    for (int slot = start; slot >= FACTORY_INDEX; slot--) {
        n = push_if_present(s, slot, order, n, max);
    }
    /* The SDK stops at ota_count; going to MAX_OTA_SLOTS also reaches a
     * present slot in a table with gaps (ota_0, ota_2), never an absent one. */
    for (int slot = start + 1; slot < MAX_OTA_SLOTS; slot++) {
        n = push_if_present(s, slot, order, n, max);
    }
    return push_if_present(s, TEST_APP_INDEX, order, n, max);
}
