/*
 * Start-up of an app on the virtual ESP8266, in place of the SDK's
 * call_start_cpu: attach to the device's flash and state, learn the
 * configured flash size from the booted image's own header (the SDK bakes
 * CONFIG_ESPTOOLPY_FLASHSIZE into both), then run app_main as the "main"
 * task. The process lives until a reset (esp_restart, panic, watchdog) or
 * until the supervisor powers the device off.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "bs_image.h"
#include "esp_flash_hal.h"
#include "esp_log.h"
#include "esp_private/app_image.h"
#include "esp_private/sha256_host.h"
#include "esp_private/task_wdt.h"
#include "freertos/task.h"
#include "sim_app.h"

extern void app_main(void);

static sim_flash_t s_flash;
static esp_image_header_t s_header;
static uint32_t s_image_start;

uint32_t esp_app_image_start(void)
{
    return s_image_start;
}

const esp_image_header_t *esp_app_image_header(void)
{
    return &s_header;
}

static uint32_t device_clock_ms(void)
{
    return sim_clock_ms(sim_state_current());
}

/* Decodes the booted image's header through the core's image parser. */
static esp_err_t read_own_header(const bs_hal_t *hal, uint32_t start)
{
    uint8_t raw[ESP_IMAGE_HEADER_LEN];
    esp_err_t err = bs_flash_read(hal, start, raw, sizeof raw);
    if (err != ESP_OK) {
        return err;
    }
    static bs_image_stream_t s;
    const bs_image_opts_t opts = {.kind = BS_IMAGE_V3, .hash = BS_HASH_REQUIRED,
                                  .start_addr = start, .max_len = hal->chip_size - start};
    bs_image_stream_init(&s, NULL, &opts);
    err = bs_image_stream_feed(&s, raw, sizeof raw, NULL);
    if (err != ESP_OK || !bs_image_stream_header_ok(&s)) {
        return ESP_ERR_IMAGE_INVALID;
    }
    s_header = s.info.header;
    return ESP_OK;
}

static void *main_task(void *arg)
{
    (void)arg;
    app_main();
    return NULL;
}

int main(int argc, char **argv)
{
    (void)argc;
    sim_state_t *st = sim_state_current();
    if (!st || sim_flash_attach_current(&s_flash) != ESP_OK) {
        fprintf(stderr,
                "%s: this is an ESP8266 app for the virtual device; flash its image and use "
                "`ota8266 run`\n",
                argv[0]);
        return 2;
    }
    setvbuf(stdout, NULL, _IOLBF, 0); /* a UART does not hold lines back */
    esp_log_set_color(st->color);
    esp_log_set_timestamp_source(device_clock_ms);
    if (st->timestamps) {
        esp_log_set_host_stamp(sim_host_us_since_power_on);
    }

    bs_hal_t hal;
    sim_flash_hal(&s_flash, 0, &hal);
    s_image_start = st->app_start;
    if (read_own_header(&hal, s_image_start) != ESP_OK) {
        fprintf(stderr, "app: cannot read the image header at 0x%x\n", (unsigned)s_image_start);
        return SIM_EXIT_PANIC;
    }
    uint32_t configured = bs_image_flash_size_bytes(BS_IMAGE_V3, s_header.spi_size);
    sim_flash_hal(&s_flash, configured ? configured : s_flash.size, &hal);
    spi_flash_hal_install(&hal);
    spi_flash_set_detected_size(s_flash.size);
    esp_sha256_host_install();
    sim_flash_prefault(&s_flash);

    if (esp_task_wdt_host_start() != ESP_OK) {
        fprintf(stderr, "app: cannot start the watchdog feeder\n");
        return SIM_EXIT_PANIC;
    }
    pthread_t t;
    if (pthread_create(&t, NULL, main_task, NULL) != 0) {
        return SIM_EXIT_PANIC;
    }
    pthread_join(t, NULL);
    /* app_main returned: the scheduler keeps running the other tasks. */
    for (;;) {
        pause();
    }
}
