#pragma once
/* What the flasher and otatool subcommands share: the --chip, --flash-size
 * and --partition-table-offset options, opening the chip file, and a core
 * HAL whose log lines become one-line errors on stderr. */
#include <stdbool.h>
#include <stdint.h>

#include "bs_hal.h"
#include "cli.h"
#include "sim_flash.h"

/* getopt_long values of the shared options (above any short option char). */
enum {
    TOOL_OPT_CHIP = 0x1000,
    TOOL_OPT_FLASH_SIZE,
    TOOL_OPT_TABLE_OFFSET,
    TOOL_OPT_HELP,
    TOOL_OPT_FIRST_OWN, /* commands number their own options from here */
};

/* Rows for a command's struct option table. */
// clang-format off
#define TOOL_CHIP_OPTIONS                                       \
    {"chip", required_argument, 0, TOOL_OPT_CHIP},              \
    {"flash-size", required_argument, 0, TOOL_OPT_FLASH_SIZE},  \
    {"help", no_argument, 0, TOOL_OPT_HELP}
#define TOOL_TABLE_OPTION {"partition-table-offset", required_argument, 0, TOOL_OPT_TABLE_OFFSET}
// clang-format on

#define TOOL_DEFAULT_FLASH_SIZE (4u * 1024u * 1024u)

/* Defaults: no chip, size not given, table at 0x8000. */
void tool_chip_opts_init(cli_chip_opts_t *o);

/* Handles one shared option. Returns 0 when taken, CLI_EXIT_USAGE with a
 * message on a bad value, -1 when `opt` is not a shared option. */
int tool_chip_opt(const char *cmd, int opt, const char *arg, cli_chip_opts_t *o);

/* After parsing: --chip is required; without --flash-size the size is the
 * existing chip file's, or 4 MB for a new one (o->flash_size is then set).
 * 0, CLI_EXIT_USAGE for a missing or bad option, 1 for an unusable file. */
int tool_chip_require(const char *cmd, cli_chip_opts_t *o);

/* Opens the chip (creating an erased one when create and missing) with a
 * private state. 0, or 1 with the simulator's message on stderr. */
int tool_chip_open(const char *cmd, const cli_chip_opts_t *o, bool create, sim_flash_t *f);

/* A core HAL on f for the configured size; core warnings and errors go to
 * stderr as "ota8266 <cmd>: <tag>: <message>", info lines are dropped. */
void tool_chip_hal(const char *cmd, sim_flash_t *f, const cli_chip_opts_t *o, bs_hal_t *hal);

/* "1MB" ... "16MB" for a valid chip size, else the byte count in hex. */
const char *tool_size_name(uint32_t size, char *buf, uint32_t buflen);

/* Monotonic seconds, for esptool-style "in 0.1 seconds". */
double tool_now(void);
