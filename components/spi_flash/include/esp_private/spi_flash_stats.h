#pragma once
/*
 * How long the app's flash calls block, in sectors: every erase through
 * spi_flash_erase_sector / spi_flash_erase_range (and so
 * esp_partition_erase_range) is one call of n sectors. On the ESP8266 a
 * sector erase takes about 37 ms, so max_sectors_per_call x 37 ms is the
 * longest the CPU sits in one flash call (the watchdog's concern).
 * Benchmarks and tests read and reset it; it costs two compares per call.
 */
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct {
    uint32_t erase_calls;          /* calls that erased at least one sector */
    uint32_t sectors_erased;       /* sectors over all of them */
    uint32_t max_sectors_per_call; /* the longest single call */
} spi_flash_erase_stats_t;

void spi_flash_get_erase_stats(spi_flash_erase_stats_t *out);
void spi_flash_reset_erase_stats(void);

/* Changes with every write and erase through spi_flash_* or spi_flash_hal()
 * (attempted, even if it failed) and with every HAL install: two equal
 * readings mean the app has not modified flash in between. */
uint32_t spi_flash_modify_count(void);

#ifdef __cplusplus
}
#endif
