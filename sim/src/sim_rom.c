/*
 * The ESP8266 mask ROM's boot path: banner, load the v1 image at flash 0x0
 * (printing load / tail / chksum for each segment as the ROM does), check
 * it, and run the second-stage bootloader from those flash bytes.
 *
 * The ROM's per-segment numbers (reference §9.2): "room" is 16 minus the
 * data start's offset within a 16-byte block, "tail" the data end's offset
 * within one, and "chksum" the running XOR checksum (seed 0xEF) after the
 * segment; the figures of the SDK's documented boot log satisfy all three.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "bs_image.h"
#include "sim_device.h"

/* The bootloader must end before the partition table (CONFIG_PARTITION_TABLE_OFFSET). */
#define ROM_MAX_IMAGE_LEN 0x8000u

/* The core's findings, in the ROM's plain style (no ESP log format in ROM). */
static void rom_log(void *ctx, esp_log_level_t level, const char *tag, const char *fmt, va_list ap)
{
    (void)tag;
    if (ctx && !strncmp(fmt, "Checksum failed", 15)) {
        *(bool *)ctx = true; /* the real ROM's "csum err" is for this case only */
    }
    if (level > ESP_LOG_WARN) {
        return;
    }
    fputs("rom: ", stdout);
    vprintf(fmt, ap);
    fputc('\n', stdout);
}

static uint8_t xor_segment(sim_flash_t *flash, uint32_t addr, uint32_t len, uint8_t acc, bool *ok)
{
    uint8_t buf[1024];
    while (len > 0) {
        uint32_t n = len < sizeof buf ? len : (uint32_t)sizeof buf;
        if (sim_flash_read(flash, addr, buf, n) != ESP_OK) {
            *ok = false;
            return acc;
        }
        for (uint32_t i = 0; i < n; i++) {
            acc ^= buf[i];
        }
        addr += n;
        len -= n;
    }
    return acc;
}

/* Prints the per-segment lines; false when flash could not be read. */
static bool rom_print_segments(sim_flash_t *flash, const bs_image_info_t *info)
{
    uint8_t acc = ESP_CHECKSUM_MAGIC;
    bool ok = true;
    for (unsigned i = 0; i < info->header.segment_count; i++) {
        uint32_t start = info->segment_data_offset[i];
        uint32_t len = info->segments[i].data_len;
        acc = xor_segment(flash, start, len, acc, &ok);
        printf("load 0x%08x, len %u, room %u \ntail %u\nchksum 0x%02x\n",
               (unsigned)info->segments[i].load_addr, (unsigned)len, 16u - (start & 15u),
               (unsigned)((start + len) & 15u), acc);
    }
    fflush(stdout);
    return ok;
}

/* Segment holding the entry point: its bytes are the stage's program. */
static int entry_segment(const bs_image_info_t *info)
{
    for (unsigned i = 0; i < info->header.segment_count; i++) {
        uint32_t a = info->segments[i].load_addr;
        if (info->header.entry_addr >= a && info->header.entry_addr - a < info->segments[i].data_len) {
            return (int)i;
        }
    }
    return -1;
}

int sim_rom_boot(sim_flash_t *flash, sim_state_t *st)
{
    printf("\n ets Jan  8 2013,rst cause:%u, boot mode:(3,6)\n\n", (unsigned)st->rst_cause);
    if (st->rst_cause == SIM_RST_WDT) {
        printf("wdt reset\n"); /* the real ROM's line after a watchdog reset */
    }
    fflush(stdout);

    bs_hal_t hal;
    sim_flash_hal(flash, 0, &hal);
    static bool csum_failed;
    hal.log = rom_log;
    hal.log_ctx = &csum_failed;
    const bs_image_opts_t opts = {
        .kind = BS_IMAGE_V1,
        .hash = BS_HASH_NONE,
        .start_addr = 0,
        .max_len = ROM_MAX_IMAGE_LEN,
    };
    uint8_t magic = 0;
    (void)sim_flash_read(flash, 0, &magic, 1);
    if (magic != ESP_IMAGE_HEADER_MAGIC) {
        printf("rom: no boot image at 0x0 (first byte 0x%02x, expected 0xe9)\nets_main.c \n", magic);
        fflush(stdout);
        return SIM_EXIT_HALT;
    }
    bs_image_info_t info;
    esp_err_t err = bs_image_verify(&hal, &opts, &info);
    if (err != ESP_OK || !rom_print_segments(flash, &info)) {
        printf("%srom: boot image at 0x0 is invalid (0x%x %s)\nets_main.c \n",
               csum_failed ? "csum err\n" : "", (unsigned)err, esp_err_to_name(err));
        fflush(stdout);
        return SIM_EXIT_HALT;
    }
    int seg = entry_segment(&info);
    if (seg < 0) {
        printf("rom: entry 0x%08x is in no segment of the boot image\nets_main.c \n",
               (unsigned)info.header.entry_addr);
        fflush(stdout);
        return SIM_EXIT_HALT;
    }
    sim_exec_from_flash(flash, info.segment_data_offset[seg], info.segments[seg].data_len,
                        "bootloader");
    printf("rom: the boot image at 0x0 is not a program this virtual CPU can run\nets_main.c \n");
    fflush(stdout);
    return SIM_EXIT_HALT;
}
