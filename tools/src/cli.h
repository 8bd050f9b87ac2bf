#pragma once
/* Small helpers every subcommand shares: one-line errors with exit status 2,
 * number parsing as the SDK tools accept it, and the --chip/--flash-size pair. */
#include <stdbool.h>
#include <stdint.h>

#define CLI_EXIT_USAGE 2

/* Prints "ota8266 <cmd>: error: <message>" on stderr and returns CLI_EXIT_USAGE. */
int cli_usage_error(const char *cmd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Prints "ota8266 <cmd>: error: <message>" on stderr and returns 1 (a runtime failure). */
int cli_fail(const char *cmd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Integer with base auto-detection (0x.., decimal) and optional k/K/m/M
 * suffix (x1024, x1048576). False on junk or overflow. */
bool cli_parse_u32(const char *text, uint32_t *out);

/* Shared chip options. Defaults: chip "flash.bin" is NOT assumed: --chip is required. */
typedef struct {
    const char *chip;
    uint32_t flash_size; /* 0 until given; commands default it to 4 MB */
    uint32_t table_offset; /* --partition-table-offset, default 0x8000 */
} cli_chip_opts_t;
