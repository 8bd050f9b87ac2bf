/* Shared options and chip access of the flasher and otatool subcommands. */
#include "tool_chip.h"

#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

void tool_chip_opts_init(cli_chip_opts_t *o)
{
    o->chip = NULL;
    o->flash_size = 0;
    o->table_offset = 0x8000;
}

int tool_chip_opt(const char *cmd, int opt, const char *arg, cli_chip_opts_t *o)
{
    switch (opt) {
    case TOOL_OPT_CHIP:
        o->chip = arg;
        return 0;
    case TOOL_OPT_FLASH_SIZE:
        o->flash_size = sim_parse_flash_size(arg);
        if (!o->flash_size) {
            return cli_usage_error(cmd, "--flash-size '%s': use 1MB, 2MB, 4MB, 8MB or 16MB", arg);
        }
        return 0;
    case TOOL_OPT_TABLE_OFFSET:
        /* The table sits in its own sector and must leave room for 0xC00 bytes. */
        if (!cli_parse_u32(arg, &o->table_offset) || (o->table_offset & (SIM_SECTOR_SIZE - 1))) {
            return cli_usage_error(
                cmd, "--partition-table-offset '%s': expected a multiple of 0x1000", arg);
        }
        return 0;
    default:
        return -1;
    }
}

int tool_chip_require(const char *cmd, cli_chip_opts_t *o)
{
    if (!o->chip) {
        return cli_usage_error(cmd, "--chip FILE is required (the virtual chip's flash image)");
    }
    if (!o->flash_size) {
        /* Decided before anything is opened, so that bad arguments never create a file. */
        struct stat sb;
        if (stat(o->chip, &sb) < 0 || sb.st_size == 0) {
            o->flash_size = TOOL_DEFAULT_FLASH_SIZE;
        } else {
            char text[24];
            snprintf(text, sizeof text, "%lld", (long long)sb.st_size);
            o->flash_size = sim_parse_flash_size(text);
            if (!o->flash_size) {
                return cli_fail(cmd, "chip file %s is %lld bytes, not a 1, 2, 4, 8 or 16 MB chip",
                                o->chip, (long long)sb.st_size);
            }
        }
    }
    if (o->table_offset >= o->flash_size) {
        return cli_usage_error(cmd, "--partition-table-offset 0x%x is beyond the %u-byte chip",
                               (unsigned)o->table_offset, (unsigned)o->flash_size);
    }
    return 0;
}

int tool_chip_open(const char *cmd, const cli_chip_opts_t *o, bool create, sim_flash_t *f)
{
    if (sim_flash_open(f, o->chip, o->flash_size, create, NULL) != ESP_OK) {
        return cli_fail(cmd, "%s", f->last_error);
    }
    return 0;
}

/* Core messages as one-line tool errors; the command prints its own summary. */
static void tool_log(void *ctx, esp_log_level_t level, const char *tag, const char *fmt, va_list ap)
{
    if (level > ESP_LOG_WARN) {
        return;
    }
    fprintf(stderr, "ota8266 %s: %s%s: ", (const char *)ctx,
            level == ESP_LOG_ERROR ? "error: " : "warning: ", tag);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
}

void tool_chip_hal(const char *cmd, sim_flash_t *f, const cli_chip_opts_t *o, bs_hal_t *hal)
{
    sim_flash_hal(f, o->flash_size, hal);
    hal->log = tool_log;
    hal->log_ctx = (void *)cmd;
}

const char *tool_size_name(uint32_t size, char *buf, uint32_t buflen)
{
    if (size >= (1u << 20) && (size & ((1u << 20) - 1)) == 0) {
        snprintf(buf, buflen, "%uMB", (unsigned)(size >> 20));
    } else {
        snprintf(buf, buflen, "0x%x bytes", (unsigned)size);
    }
    return buf;
}

double tool_now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}
