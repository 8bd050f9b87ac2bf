#pragma once
/*
 * Rollback: ESP-IDF's CONFIG_BOOTLOADER_APP_ROLLBACK_ENABLE states, plus a
 * number of boot attempts and a recorded rollback target (ota8266). What the
 * state of the otadata entry in charge means for this boot is one const
 * table (bs_rb_decide), shared by the bootloader, app_update and the tools so
 * that they cannot disagree. Every state change is an otadata rewrite into
 * the copy not in charge (bs_rb_write): a power cut leaves the previous state
 * in charge, never a torn one. docs/formats/otadata.md §5 has the table.
 */
#include <stdbool.h>
#include <stdint.h>

#include "bs_hal.h"
#include "bs_otadata.h"
#include "bs_partition.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ota8266's bytes in seq_label (entry offsets 20, 21, 22). The SDK and
 * ESP-IDF leave them 0xFF, which reads as "none". On flash: never move. */
#define BS_RB_LABEL_ATTEMPTS (BS_OTADATA_EXT_AT + 0) /* boots given while PENDING_VERIFY, 1..15 */
#define BS_RB_LABEL_ALLOWED (BS_OTADATA_EXT_AT + 1)  /* boots allowed, stamped by the bootloader */
#define BS_RB_LABEL_TARGET (BS_OTADATA_EXT_AT + 2)   /* app subtype to roll back to: 0x00, 0x1n */
#define BS_RB_NONE 0xFFu
#define BS_RB_MAX_ATTEMPTS 15u

typedef struct {
    uint8_t attempts; /* BS_RB_NONE: not booted yet */
    uint8_t allowed;  /* BS_RB_NONE: unknown */
    uint8_t target;   /* BS_RB_NONE: no recorded target, the SDK fallback order decides */
} bs_rb_fields_t;

void bs_rb_fields_get(const esp_ota_select_entry_t *e, bs_rb_fields_t *out);
void bs_rb_fields_set(esp_ota_select_entry_t *e, const bs_rb_fields_t *f);

/* The bootloader's configuration (Kconfig BOOTLOADER_APP_ROLLBACK_*). */
typedef struct {
    bool enabled;
    uint8_t attempts; /* 1..15 */
} bs_rb_config_t;

typedef enum {
    BS_RB_BOOT,     /* boot the selected slot; otadata unchanged */
    BS_RB_TRY,      /* record one more boot attempt (PENDING_VERIFY), then boot it */
    BS_RB_ABORT,    /* attempts used up: write ABORTED, boot the rollback target */
    BS_RB_FALLBACK, /* INVALID or ABORTED: boot the rollback target; otadata unchanged */
} bs_rb_action_t;

/* Wildcards of a table row. */
typedef enum { BS_RB_ANY, BS_RB_YES, BS_RB_NO } bs_rb_match_t;

/* One row of the state -> action table: the first row that matches wins. */
typedef struct {
    bool any_state;        /* matches every state word */
    uint32_t state;        /* esp_ota_img_states_t */
    bs_rb_match_t enabled; /* rollback compiled into the bootloader */
    bs_rb_match_t left;    /* attempts left: fewer recorded than allowed */
    bs_rb_action_t action;
    uint32_t new_state; /* TRY and ABORT: the state written */
} bs_rb_rule_t;

/* The table itself, for its test and for the docs. */
const bs_rb_rule_t *bs_rb_rules(int *count);

/* True when a PENDING_VERIFY entry may boot once more: recorded attempts and
 * the allowed count are both 1..15 and attempts < allowed. Anything else
 * (fields erased, foreign or torn) counts as used up: rolling back is safe. */
bool bs_rb_attempts_left(const bs_rb_fields_t *f);

typedef struct {
    bs_rb_action_t action;
    int rule;              /* index of the row that matched */
    uint32_t state;        /* the state word decided on */
    uint32_t new_state;    /* TRY, ABORT */
    bs_rb_fields_t fields; /* TRY, ABORT: the fields written with new_state */
    uint8_t attempt;       /* TRY: this boot's attempt; ABORT: attempts used */
    uint8_t allowed;       /* TRY, ABORT: attempts allowed */
} bs_rb_decision_t;

/* What the entry in charge means for this boot (the table, applied). */
void bs_rb_decide(const esp_ota_select_entry_t *in_charge, const bs_rb_config_t *cfg,
                  bs_rb_decision_t *out);

/* App subtype <-> slot index: 0x00 <-> FACTORY_INDEX, 0x10+n <-> n,
 * 0x20 <-> TEST_APP_INDEX; anything else -> INVALID_INDEX / BS_RB_NONE. */
int bs_rb_subtype_slot(uint8_t subtype);
uint8_t bs_rb_slot_subtype(int slot);

/*
 * Candidates after rolling `from` back: the recorded target, then the SDK
 * fallback order from `from` without `from`, then `from` itself, last, so
 * that a device whose every other app is gone still runs something (as
 * ESP-IDF). Slots absent from the table are skipped. Returns the count.
 */
int bs_rb_try_order(const bs_boot_slots_t *s, int from, uint8_t target, int *order, int max);

#define BS_RB_ORDER_MAX (MAX_OTA_SLOTS + 2)

/* The whole boot decision, from the selection and the entries read. */
typedef struct {
    int selected;       /* bs_boot_select's choice */
    int active;         /* entry in charge (0 A, 1 B) or -1 */
    bs_rb_decision_t d; /* BS_RB_BOOT when no entry selects an OTA slot */
    int order[BS_RB_ORDER_MAX];
    int count; /* candidates in order, in the order they are tried */
} bs_rb_plan_t;

/* entries may be NULL (no otadata read). */
void bs_rb_plan(const bs_boot_slots_t *s, int selected, const esp_ota_select_entry_t entries[2],
                const bs_rb_config_t *cfg, bs_rb_plan_t *out);

/* The slot the rollback target field names for an entry in charge, falling
 * back to the SDK order: the first candidate of bs_rb_try_order that is not
 * `from` (INVALID_INDEX when there is none). */
int bs_rb_target(const bs_boot_slots_t *s, int from, uint8_t target);

/*
 * Writes `slot` with `state` and the ota8266 fields through the SDK's rewrite
 * rule (bs_otadata_select): the copy not in charge gets a sequence number
 * above the one in charge, so the new entry is in charge exactly when its
 * write is complete. Used for every state change: NEW at selection,
 * PENDING_VERIFY per boot attempt, ABORTED, VALID, INVALID.
 */
esp_err_t bs_rb_write(const bs_hal_t *hal, uint32_t offset, uint32_t size, int slot, int ota_count,
                      uint32_t state, const bs_rb_fields_t *f);

/* "NEW", "PENDING_VERIFY", ..., "UNDEFINED"; NULL for other values. */
const char *bs_rb_state_name(uint32_t state);

#ifdef __cplusplus
}
#endif
