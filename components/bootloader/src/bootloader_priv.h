#pragma once
/* Shared by the bootloader flow's sources; not public. */
#include "bootloader.h"
#include "bs_boot.h"
#include "bs_rollback.h"

/* Before the slots are tried: logs a rollback (ABORT, FALLBACK) and writes
 * ABORTED into otadata for an app whose attempts are used up. */
void bootloader_rollback_begin(const bs_hal_t *hal, const bs_partition_table_t *t,
                               const bs_boot_slots_t *s, const bs_rb_plan_t *p);

/* Once `slot` has verified and is about to run: records the boot attempt of a
 * pending app (its PENDING_VERIFY write). Not ESP_OK: the attempt could not be
 * recorded and the slot must not run (the next candidate is tried). */
esp_err_t bootloader_rollback_hand_off(const bs_hal_t *hal, const bs_partition_table_t *t,
                                       const bs_boot_slots_t *s, const bs_rb_plan_t *p, int slot);
