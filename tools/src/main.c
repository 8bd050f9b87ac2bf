/* build/bin/ota8266: one host tool, subcommands named as in esptool,
 * gen_esp32part and otatool so that SDK users know them. */
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "commands.h"

typedef struct {
    const char *name;
    int (*fn)(int argc, char **argv);
    const char *help;
} command_t;

static const command_t s_commands[] = {
    {"partition_table", cmd_partition_table, "CSV <-> binary partition table (gen_esp32part.py)"},
    {"elf2image", cmd_elf2image, "host executable -> ESP8266 V3 app image or v1 bootloader image"},
    {"image_info", cmd_image_info, "print header, segments, checksum, SHA-256, app descriptor"},
    {"write_flash", cmd_write_flash, "write files to the virtual chip: ADDR FILE [ADDR FILE ...]"},
    {"read_flash", cmd_read_flash, "read ADDR SIZE from the virtual chip into FILE"},
    {"erase_flash", cmd_erase_flash, "erase the whole virtual chip"},
    {"erase_region", cmd_erase_region, "erase ADDR SIZE (4 KB aligned)"},
    {"read_otadata", cmd_read_otadata, "print both otadata entries and the slot they select"},
    {"switch_ota_partition", cmd_switch_ota_partition, "select --slot N or --name ota_N for the next boot"},
    {"erase_otadata", cmd_erase_otadata, "erase otadata (boots factory, or ota_0 without one)"},
    {"run", cmd_run, "power on the virtual ESP8266 and run its boot chain"},
};

static void usage(FILE *out)
{
    fprintf(out, "usage: ota8266 COMMAND [options]   (ota8266 COMMAND --help for details)\n\n");
    for (size_t i = 0; i < sizeof s_commands / sizeof s_commands[0]; i++) {
        fprintf(out, "  %-22s %s\n", s_commands[i].name, s_commands[i].help);
    }
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        usage(stderr);
        return CLI_EXIT_USAGE;
    }
    if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") || !strcmp(argv[1], "help")) {
        usage(stdout);
        return 0;
    }
    for (size_t i = 0; i < sizeof s_commands / sizeof s_commands[0]; i++) {
        /* esptool accepts image-info for image_info: take both spellings */
        char alt[64];
        snprintf(alt, sizeof alt, "%s", s_commands[i].name);
        for (char *p = alt; *p; p++) {
            if (*p == '_') {
                *p = '-';
            }
        }
        if (!strcmp(argv[1], s_commands[i].name) || !strcmp(argv[1], alt)) {
            return s_commands[i].fn(argc - 1, argv + 1);
        }
    }
    return cli_usage_error("", "unknown command '%s' (ota8266 --help lists them)", argv[1]);
}
