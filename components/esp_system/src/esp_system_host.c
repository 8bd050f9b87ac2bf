/* esp_system on the virtual device. */
#include <malloc.h>
#include <stdio.h>
#include <unistd.h>

#include "esp_system.h"
#include "sim_app.h"

#ifndef OTA8266_IDF_VER
#define OTA8266_IDF_VER "v3.4-ota8266"
#endif

void esp_restart(void)
{
    fflush(stdout);
    fflush(stderr);
    _exit(SIM_EXIT_RESTART);
}

void esp_chip_info(esp_chip_info_t *out)
{
    /* What every ESP8266 reports: one core, revision 1, WiFi, external flash. */
    out->model = CHIP_ESP8266;
    out->features = CHIP_FEATURE_WIFI_BGN;
    out->cores = 1;
    out->revision = 1;
}

esp_reset_reason_t esp_reset_reason(void)
{
    sim_state_t *st = sim_state_current();
    if (!st) {
        return ESP_RST_UNKNOWN;
    }
    switch (st->reset_reason) {
    case SIM_REASON_POWERON:
        return ESP_RST_POWERON;
    case SIM_REASON_SW:
        return ESP_RST_SW;
    case SIM_REASON_PANIC:
        return ESP_RST_PANIC;
    case SIM_REASON_WDT:
        return ESP_RST_WDT;
    default:
        return ESP_RST_UNKNOWN;
    }
}

/* The virtual device's heap when `run --heap-limit` does not set one: about
 * what an ESP8266 RTOS SDK app has before WiFi starts. */
#define DEFAULT_HEAP_BYTES (80 * 1024)

uint32_t esp_get_free_heap_size(void)
{
    sim_state_t *st = sim_state_current();
    size_t budget = (st && st->heap_limit) ? st->heap_limit : DEFAULT_HEAP_BYTES;
    size_t used = mallinfo2().uordblks; /* bytes the process has allocated */
    return used >= budget ? 0 : (uint32_t)(budget - used);
}

const char *esp_get_idf_version(void)
{
    return OTA8266_IDF_VER;
}
