#pragma once
/* Shared by the app_update sources; not public. */
#include <stdbool.h>

#include "bs_boot.h"
#include "bs_image.h"
#include "esp_flash_partitions.h"
#include "esp_partition.h"

/* The otadata state a newly selected OTA slot gets: NEW with rollback (the
 * bootloader then tracks its first boots), else UNDEFINED, the SDK's bytes
 * (bootable at once, never rolled back). The only place to change. */
#ifdef CONFIG_BOOTLOADER_APP_ROLLBACK_ENABLE
#define OTA_SELECT_STATE ESP_OTA_IMG_NEW
#else
#define OTA_SELECT_STATE ESP_OTA_IMG_UNDEFINED
#endif

/* App partition with subtype ota_0..ota_15. */
bool ota_is_ota_slot(const esp_partition_t *p);

/* How an app image in partition p is checked, the bootloader's way (V3,
 * SHA-256 required, entry inside the slot's flash window), so that a slot we
 * accept is a slot the bootloader boots. */
bs_image_opts_t ota_image_opts(const esp_partition_t *p, bool log_segments);

/* True when esp_ota_end accepted an image in p in this boot and nothing has
 * modified flash since: p holds a verified image, no need to read it again. */
bool ota_end_verified(const esp_partition_t *p);

/* The table's boot slots and its otadata partition (NULL when absent),
 * picked as the bootloader picks them (a later duplicate row wins). */
const esp_partition_t *ota_find_otadata(bs_boot_slots_t *slots);

/* Writes `slot` into otadata with `state`: the SDK's bytes for UNDEFINED;
 * otherwise an entry that records the running app as its rollback target. */
esp_err_t ota_select_slot(const esp_partition_t *od, const bs_boot_slots_t *slots, int slot,
                          uint32_t state);

/* True when the entry in charge selects the running app and says
 * PENDING_VERIFY: it has not confirmed itself yet. */
bool ota_running_is_pending(void);

/* ---- rollback internals (ota_rollback.c) --------------------------------- */

/* otadata as read now, and what it selects. */
typedef struct {
    const bs_hal_t *hal;
    const esp_partition_t *od;
    bs_boot_slots_t slots;
    esp_ota_select_entry_t e[2];
    int active; /* entry in charge, -1 none */
    int slot;   /* the OTA slot it selects, INVALID_INDEX without one */
} ota_rb_ctx_t;

esp_err_t ota_rb_read(ota_rb_ctx_t *c);

/* Slot index of an app partition (FACTORY_INDEX, an OTA slot, ...; NULL and
 * other subtypes give INVALID_INDEX). */
int ota_part_slot(const esp_partition_t *p);

/* ESP_OK when the entry in charge selects the running OTA app, else why not
 * (logged); ESP_ERR_INVALID_STATE: the running app is a fallback. The running
 * app can only change its own state. */
esp_err_t ota_rb_running_selected(const ota_rb_ctx_t *c, int running);

/* The entry in charge, rewritten with `state` (same slot, fields kept). */
esp_err_t ota_rb_set_state(const ota_rb_ctx_t *c, uint32_t state);

/* bs_rb_state_name, never NULL. */
const char *ota_rb_state_name(uint32_t state);
