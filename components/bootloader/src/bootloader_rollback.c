/* The bootloader's side of rollback: say what the state in charge means for
 * this boot and write the state changes, through the core's table and
 * rewrite (bs_rollback.h). */
#include "bootloader_priv.h"

static const char *TAG = "boot";

static const char *slot_label(const bs_partition_table_t *t, const bs_boot_slots_t *s, int slot)
{
    int row = bs_boot_slot_row(s, slot);
    return row >= 0 ? t->rows[row].label : "(none)";
}

static esp_err_t write_state(const bs_hal_t *hal, const bs_partition_table_t *t,
                             const bs_boot_slots_t *s, const bs_rb_plan_t *p)
{
    const esp_partition_info_t *od = &t->rows[s->otadata];
    return bs_rb_write(hal, od->offset, od->size, p->selected, s->ota_count, p->d.new_state,
                       &p->d.fields);
}

void bootloader_rollback_begin(const bs_hal_t *hal, const bs_partition_table_t *t,
                               const bs_boot_slots_t *s, const bs_rb_plan_t *p)
{
    if (p->d.action != BS_RB_ABORT && p->d.action != BS_RB_FALLBACK) {
        return;
    }
    const char *name = slot_label(t, s, p->selected);
    int target = bs_rb_target(s, p->selected, p->d.fields.target);
    const char *to = target == INVALID_INDEX ? "nothing else (no other app partition)"
                                             : slot_label(t, s, target);
    if (p->d.action == BS_RB_FALLBACK) {
        BS_LOGW(hal, TAG, "%s is %s: booting %s", name, bs_rb_state_name(p->d.state), to);
        return;
    }
    if (p->d.attempt == 0) {
        BS_LOGW(hal, TAG,
                "%s is PENDING_VERIFY (boot attempts not recorded): marking it ABORTED, rolling "
                "back to %s",
                name, to);
    } else {
        BS_LOGW(hal, TAG,
                "%s is PENDING_VERIFY after %u boot attempt%s: marking it ABORTED, rolling back "
                "to %s",
                name, (unsigned)p->d.attempt, p->d.attempt == 1 ? "" : "s", to);
    }
    /* Written first: later boots go straight to the target, and the app
     * there can see what was rolled back (esp_ota_get_last_invalid_partition).
     * If the write fails, the next boot decides the same again. */
    esp_err_t err = write_state(hal, t, s, p);
    if (err != ESP_OK) {
        /* Codes only: the name table would not fit the bootloader's budget. */
        BS_LOGE(hal, TAG, "cannot mark %s ABORTED in otadata: error 0x%x", name, (unsigned)err);
    }
}

esp_err_t bootloader_rollback_hand_off(const bs_hal_t *hal, const bs_partition_table_t *t,
                                       const bs_boot_slots_t *s, const bs_rb_plan_t *p, int slot)
{
    const char *name = slot_label(t, s, slot);
    if (slot == p->selected && p->d.action == BS_RB_TRY) {
        if (p->d.attempt == 1) {
            BS_LOGI(hal, TAG, "%s is NEW: marking it PENDING_VERIFY, boot attempt 1 of %u", name,
                    (unsigned)p->d.allowed);
        } else {
            BS_LOGI(hal, TAG, "%s is PENDING_VERIFY: boot attempt %u of %u", name,
                    (unsigned)p->d.attempt, (unsigned)p->d.allowed);
        }
        /* The attempt is on flash before the app runs: whatever ends this
         * boot (crash, watchdog, power cut), it has been counted. */
        esp_err_t err = write_state(hal, t, s, p);
        if (err != ESP_OK) {
            BS_LOGE(hal, TAG,
                    "cannot record the boot attempt of %s in otadata: error 0x%x; not "
                    "booting it",
                    name, (unsigned)err);
        }
        return err;
    }
    if (slot == p->selected && (p->d.action == BS_RB_ABORT || p->d.action == BS_RB_FALLBACK)) {
        BS_LOGW(hal, TAG, "no other app boots: starting %s although it was rolled back", name);
    }
    return ESP_OK;
}
