#pragma once
/*
 * Boot slot choice (reference §2.3 and §4 step 6), shared by the bootloader
 * and esp_ota_get_boot_partition so that they cannot disagree.
 */
#include <stdint.h>

#include "bs_hal.h"
#include "bs_otadata.h"
#include "bs_partition.h"

#ifdef __cplusplus
extern "C" {
#endif

/*
 * The bootloader's choice: FACTORY_INDEX, TEST_APP_INDEX, INVALID_INDEX or an
 * OTA slot number. Reads otadata through hal and logs the SDK's lines
 * ("Defaulting to factory image", "No factory image, trying OTA 0",
 * "ota data partition invalid, falling back to factory", ...).
 * entries (may be NULL) receives the two otadata entries read.
 */
int bs_boot_select(const bs_hal_t *hal, const bs_partition_table_t *t, const bs_boot_slots_t *s,
                   esp_ota_select_entry_t entries[2]);

/*
 * The order in which the bootloader tries slots after choosing `selected`:
 * the selected slot, then down through lower OTA slots to factory, then up
 * through higher OTA slots, then test. A test selection tries test only.
 * Slots absent from the table are skipped. Writes at most `max` indices
 * (slot numbers, FACTORY_INDEX, TEST_APP_INDEX) and returns the count.
 */
int bs_boot_try_order(const bs_boot_slots_t *s, int selected, int *order, int max);

/* Row index in the table of a slot index (FACTORY_INDEX, TEST_APP_INDEX or
 * an OTA slot), or -1 when the table has none. */
int bs_boot_slot_row(const bs_boot_slots_t *s, int slot);

#ifdef __cplusplus
}
#endif
