#pragma once
/*
 * Rows <-> the binary partition table, as gen_esp32part.py v1.2 writes and
 * reads it. Partition rows are encoded and decoded only by the portable core
 * (bs_partition_row_*); this file adds what only the host tool does: the
 * optional MD5 row, the 0xFF padding to 0xC00 bytes, and the script's checks
 * and messages.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "esp_flash_partitions.h"
#include "part_csv.h"

/* PartitionTable.to_binary: the rows, the MD5 row when md5sum, then 0xFF up
 * to 0xC00 bytes. Fails when a value does not fit its field, or when the
 * result would not leave room for the end marker (95 rows, 94 with MD5). */
int part_table_to_binary(const part_table_t *t, bool md5sum,
                         uint8_t out[ESP_PARTITION_TABLE_MAX_LEN], part_err_t *e);

/* PartitionTable.from_binary: rows up to the all-0xFF row; 0xEBEB rows are
 * checked against the MD5 of the rows before them when md5sum (and are bad
 * magic otherwise). Unknown flag bits only warn, on warn. */
int part_table_from_binary(const uint8_t *bin, size_t len, bool md5sum, FILE *warn, part_table_t *t,
                           part_err_t *e);
