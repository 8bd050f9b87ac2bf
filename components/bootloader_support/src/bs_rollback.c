/* Rollback: the state -> action table, the rollback order, and the state
 * rewrites (docs/formats/otadata.md §5). */
#include "bs_rollback.h"

#include <string.h>

#include "bs_boot.h"

void bs_rb_fields_get(const esp_ota_select_entry_t *e, bs_rb_fields_t *out)
{
    out->attempts = e->seq_label[BS_RB_LABEL_ATTEMPTS];
    out->allowed = e->seq_label[BS_RB_LABEL_ALLOWED];
    out->target = e->seq_label[BS_RB_LABEL_TARGET];
}

void bs_rb_fields_set(esp_ota_select_entry_t *e, const bs_rb_fields_t *f)
{
    e->seq_label[BS_RB_LABEL_ATTEMPTS] = f->attempts;
    e->seq_label[BS_RB_LABEL_ALLOWED] = f->allowed;
    e->seq_label[BS_RB_LABEL_TARGET] = f->target;
}

/*
 * The state -> action table. INVALID and ABORTED never boot first, whatever
 * the configuration (as ESP-IDF's bootloader_common_ota_select_valid). With
 * rollback on, NEW gets its first attempt and PENDING_VERIFY its next one
 * while attempts are left, else it is aborted. Everything else boots as the
 * SDK would: VALID, UNDEFINED (SDK-written otadata), NEW and PENDING_VERIFY
 * with rollback off, and state words ESP-IDF does not define.
 */
static const bs_rb_rule_t s_rules[] = {
    {false, ESP_OTA_IMG_INVALID, BS_RB_ANY, BS_RB_ANY, BS_RB_FALLBACK, 0},
    {false, ESP_OTA_IMG_ABORTED, BS_RB_ANY, BS_RB_ANY, BS_RB_FALLBACK, 0},
    {false, ESP_OTA_IMG_NEW, BS_RB_YES, BS_RB_ANY, BS_RB_TRY, ESP_OTA_IMG_PENDING_VERIFY},
    {false, ESP_OTA_IMG_PENDING_VERIFY, BS_RB_YES, BS_RB_YES, BS_RB_TRY,
     ESP_OTA_IMG_PENDING_VERIFY},
    {false, ESP_OTA_IMG_PENDING_VERIFY, BS_RB_YES, BS_RB_NO, BS_RB_ABORT, ESP_OTA_IMG_ABORTED},
    {true, 0, BS_RB_ANY, BS_RB_ANY, BS_RB_BOOT, 0},
};

const bs_rb_rule_t *bs_rb_rules(int *count)
{
    *count = (int)(sizeof s_rules / sizeof s_rules[0]);
    return s_rules;
}

static bool matches(bs_rb_match_t m, bool value)
{
    return m == BS_RB_ANY || (m == BS_RB_YES) == value;
}

bool bs_rb_attempts_left(const bs_rb_fields_t *f)
{
    return f->attempts >= 1 && f->attempts <= BS_RB_MAX_ATTEMPTS && f->allowed >= 1 &&
           f->allowed <= BS_RB_MAX_ATTEMPTS && f->attempts < f->allowed;
}

void bs_rb_decide(const esp_ota_select_entry_t *in_charge, const bs_rb_config_t *cfg,
                  bs_rb_decision_t *out)
{
    bs_rb_fields_t f;
    bs_rb_fields_get(in_charge, &f);
    bool left = bs_rb_attempts_left(&f);
    int n;
    const bs_rb_rule_t *rules = bs_rb_rules(&n);
    int i = 0;
    /* The last row matches everything, so the loop always stops on a row. */
    while (i < n - 1 &&
           !((rules[i].any_state || rules[i].state == in_charge->ota_state) &&
             matches(rules[i].enabled, cfg->enabled) && matches(rules[i].left, left))) {
        i++;
    }
    memset(out, 0, sizeof *out);
    out->action = rules[i].action;
    out->rule = i;
    out->state = in_charge->ota_state;
    out->new_state = rules[i].new_state;
    out->fields = f;
    if (out->action == BS_RB_TRY) {
        bool first = in_charge->ota_state == ESP_OTA_IMG_NEW;
        /* The bootloader's count is stamped at the first attempt; later ones
         * keep it, so the entry alone says how many boots are left. */
        out->fields.attempts = first ? 1u : (uint8_t)(f.attempts + 1u);
        out->fields.allowed = first ? cfg->attempts : f.allowed;
        out->attempt = out->fields.attempts;
        out->allowed = out->fields.allowed;
    } else if (out->action == BS_RB_ABORT) {
        out->attempt = f.attempts <= BS_RB_MAX_ATTEMPTS ? f.attempts : 0;
        out->allowed = f.allowed <= BS_RB_MAX_ATTEMPTS ? f.allowed : 0;
    }
}

int bs_rb_subtype_slot(uint8_t subtype)
{
    if (subtype == PART_SUBTYPE_FACTORY) {
        return FACTORY_INDEX;
    }
    if (subtype == PART_SUBTYPE_TEST) {
        return TEST_APP_INDEX;
    }
    if ((subtype & ~PART_SUBTYPE_OTA_MASK) == PART_SUBTYPE_OTA_FLAG) {
        return subtype & PART_SUBTYPE_OTA_MASK;
    }
    return INVALID_INDEX;
}

uint8_t bs_rb_slot_subtype(int slot)
{
    if (slot == FACTORY_INDEX) {
        return PART_SUBTYPE_FACTORY;
    }
    if (slot == TEST_APP_INDEX) {
        return PART_SUBTYPE_TEST;
    }
    if (slot >= 0 && slot < MAX_OTA_SLOTS) {
        return (uint8_t)(PART_SUBTYPE_OTA_FLAG | (unsigned)slot);
    }
    return BS_RB_NONE;
}

static bool listed(const int *order, int n, int slot)
{
    for (int i = 0; i < n; i++) {
        if (order[i] == slot) {
            return true;
        }
    }
    return false;
}

int bs_rb_try_order(const bs_boot_slots_t *s, int from, uint8_t target, int *order, int max)
{
    int n = 0;
    int first = bs_rb_subtype_slot(target);
    if (first != INVALID_INDEX && first != from && n < max && bs_boot_slot_row(s, first) >= 0) {
        order[n++] = first;
    }
    int sdk[BS_RB_ORDER_MAX];
    int count = bs_boot_try_order(s, from, sdk, BS_RB_ORDER_MAX);
    for (int i = 0; i < count && n < max; i++) {
        if (sdk[i] != from && !listed(order, n, sdk[i])) {
            order[n++] = sdk[i];
        }
    }
    if (n < max && bs_boot_slot_row(s, from) >= 0) {
        order[n++] = from;
    }
    return n;
}

int bs_rb_target(const bs_boot_slots_t *s, int from, uint8_t target)
{
    int order[BS_RB_ORDER_MAX];
    int n = bs_rb_try_order(s, from, target, order, BS_RB_ORDER_MAX);
    return (n > 0 && order[0] != from) ? order[0] : INVALID_INDEX;
}

void bs_rb_plan(const bs_boot_slots_t *s, int selected, const esp_ota_select_entry_t entries[2],
                const bs_rb_config_t *cfg, bs_rb_plan_t *out)
{
    memset(out, 0, sizeof *out);
    out->selected = selected;
    out->active = entries ? bs_otadata_active(entries, NULL) : -1;
    out->d.action = BS_RB_BOOT;
    out->d.rule = -1;
    /* Only an entry in charge that selects an OTA slot has a state to act
     * on: the factory defaults (empty or invalid otadata) have none. */
    if (out->active >= 0 && selected >= 0) {
        bs_rb_decide(&entries[out->active], cfg, &out->d);
    }
    if (out->d.action == BS_RB_ABORT || out->d.action == BS_RB_FALLBACK) {
        out->count =
            bs_rb_try_order(s, selected, out->d.fields.target, out->order, BS_RB_ORDER_MAX);
    } else {
        out->count = bs_boot_try_order(s, selected, out->order, BS_RB_ORDER_MAX);
    }
}

esp_err_t bs_rb_write(const bs_hal_t *hal, uint32_t offset, uint32_t size, int slot, int ota_count,
                      uint32_t state, const bs_rb_fields_t *f)
{
    const uint8_t ext[BS_OTADATA_EXT_LEN] = {f->attempts, f->allowed, f->target};
    return bs_otadata_select(hal, offset, size, slot, ota_count, state, ext);
}

const char *bs_rb_state_name(uint32_t state)
{
    switch (state) {
    case ESP_OTA_IMG_NEW:
        return "NEW";
    case ESP_OTA_IMG_PENDING_VERIFY:
        return "PENDING_VERIFY";
    case ESP_OTA_IMG_VALID:
        return "VALID";
    case ESP_OTA_IMG_INVALID:
        return "INVALID";
    case ESP_OTA_IMG_ABORTED:
        return "ABORTED";
    case ESP_OTA_IMG_UNDEFINED:
        return "UNDEFINED";
    default:
        return NULL;
    }
}
