/*
 * bench_boot --chip F: the bootloader's work for one boot (bootloader_choose:
 * banner, partition table, otadata, slot choice, full image verification),
 * on the virtual flash in F. Prints the flash reads it made and the chosen
 * image's length, then the baseline: a plain mbedTLS SHA-256 of that many
 * bytes of the image, from memory. Each runs in its own noinline function so
 * that `valgrind --tool=callgrind --toggle-collect=<function>` counts the
 * instructions of one of them only.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <mbedtls/sha256.h>

#include "bootloader.h"
#include "sim_flash.h"

__attribute__((noinline)) esp_err_t bench_boot_once(const bs_hal_t *hal, bootloader_choice_t *out)
{
    static bs_partition_table_t table;
    const bootloader_config_t cfg = {
        .table_offset = 0x8000,
        .idf_ver = "bench",
        .compile_time = "00:00:00",
        .detected_size = hal->chip_size,
        .rollback = BOOTLOADER_ROLLBACK_CONFIG,
    };
    return bootloader_choose(hal, &cfg, &table, out);
}

__attribute__((noinline)) void bench_sha_baseline(const uint8_t *data, size_t len, uint8_t out[32])
{
    (void)mbedtls_sha256_ret(data, len, out, 0);
}

int main(int argc, char **argv)
{
    if (argc != 3 || strcmp(argv[1], "--chip") != 0) {
        fprintf(stderr, "usage: bench_boot --chip F\n");
        return 2;
    }
    static sim_flash_t flash;
    if (sim_flash_open(&flash, argv[2], 0, false, NULL) != ESP_OK) {
        fprintf(stderr, "bench_boot: %s\n", flash.last_error);
        return 1;
    }
    bs_hal_t hal;
    sim_flash_hal(&flash, 0, &hal);
    uint32_t configured = bootloader_configured_size(&hal, NULL);
    if (configured) {
        hal.chip_size = configured;
    }
    const sim_counters_t c0 = flash.st->counters;
    static bootloader_choice_t choice;
    if (bench_boot_once(&hal, &choice) != ESP_OK) {
        fprintf(stderr, "bench_boot: nothing bootable\n");
        return 1;
    }
    const sim_counters_t *c = &flash.st->counters;
    uint64_t reads = c->reads - c0.reads, bytes = c->bytes_read - c0.bytes_read;

    uint32_t len = choice.image.image_len;
    uint8_t *img = malloc(len);
    uint8_t hash[32];
    if (img == NULL || sim_flash_read(&flash, choice.part.offset, img, len) != ESP_OK) {
        return 1;
    }
    bench_sha_baseline(img, len, hash);
    fflush(stdout);
    fprintf(stderr, "tool=boot app_offset=0x%x image_len=%u flash_reads=%llu flash_bytes_read=%llu\n",
            (unsigned)choice.part.offset, (unsigned)len, (unsigned long long)reads,
            (unsigned long long)bytes);
    free(img);
    sim_flash_close(&flash);
    return 0;
}
