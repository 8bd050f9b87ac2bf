#pragma once
/*
 * Cross-component, not public: the loaded table behind esp_partition_*, for
 * app_update, which hands it to the core's boot-slot logic (bs_boot_slots_find,
 * bs_boot_select) so that the app and the bootloader read one table one way.
 */
#include "bs_partition.h"
#include "esp_partition.h"

#ifdef __cplusplus
extern "C" {
#endif

/* The table as bs_partition_table_read_app returned it, loaded on first use;
 * NULL when no flash HAL is installed or the table cannot be read. Row i is
 * the partition esp_partition_from_row(i) returns. */
const bs_partition_table_t *esp_partition_table(void);

/* The partition of row `row` of esp_partition_table(), or NULL when out of range. */
const esp_partition_t *esp_partition_from_row(int row);

/* Forgets the loaded table so that the next call reads flash again (unit
 * tests with a new chip; a rewritten table). Partition pointers stay valid
 * as pointers but then describe the new table's rows. */
void esp_partition_table_invalidate(void);

#ifdef __cplusplus
}
#endif
