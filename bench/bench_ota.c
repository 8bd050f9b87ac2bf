/*
 * bench_ota --chip F --url U --ca PEM --mode native|simple: one complete OTA
 * (download, verify, write, select) in this process, on the virtual flash in
 * F, through the real components: esp_http_client + esp_tls (static mbedTLS)
 * + app_update, either as native_ota_example does it (esp_http_client_read
 * 1 KB -> esp_ota_write) or as simple_ota_example does (esp_https_ota). The
 * running app is factory (0x10000). Prints one key=value line: the time
 * split, flash work from the simulator's counters, the longest erase call,
 * and the peak heap counted by the wrapped allocator (bench_alloc.c). Set up
 * as an app on the virtual device is: the same flash HAL and SHA-256 engine.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench_alloc.h"
#include "bench_clock.h"
#include "esp_flash_hal.h"
#include "esp_http_client.h"
#include "esp_https_ota.h"
#include "esp_ota_ops.h"
#include "esp_private/sha256_host.h"
#include "esp_private/spi_flash_stats.h"
#include "sim_flash.h"

#define BUFFSIZE 1024 /* native_ota_example's */

/* The app's image start, as the bootloader would hand it over: factory. */
uint32_t esp_app_image_start(void)
{
    return 0x10000;
}

/* ---- the flash, timed --------------------------------------------------- */

static bs_hal_t s_chip_hal;
static double s_prog_ms;         /* in write and erase calls */
static double s_prog_ms_at_body; /* ... when the body had been read */

static void mark_body_end(double *t_body)
{
    *t_body = now_ms();
    s_prog_ms_at_body = s_prog_ms;
}

static esp_err_t timed_write(void *ctx, uint32_t addr, const void *src, uint32_t len)
{
    double t = now_ms();
    esp_err_t err = s_chip_hal.write(ctx, addr, src, len);
    s_prog_ms += now_ms() - t;
    return err;
}

static esp_err_t timed_erase(void *ctx, uint32_t addr)
{
    double t = now_ms();
    esp_err_t err = s_chip_hal.erase_sector(ctx, addr);
    s_prog_ms += now_ms() - t;
    return err;
}

/* ---- the two examples' flows -------------------------------------------- */

static double s_t_connected;

static esp_err_t on_event(esp_http_client_event_t *evt)
{
    if (evt->event_id == HTTP_EVENT_ON_CONNECTED && s_t_connected == 0) {
        s_t_connected = now_ms();
    }
    return ESP_OK;
}

/* native_ota_example's loop, without its logging; *t_body: the body ended. */
static esp_err_t run_native(const esp_http_client_config_t *cfg, double *t_body)
{
    static char buf[BUFFSIZE + 1]; /* static in the example too */
    esp_http_client_handle_t client = esp_http_client_init(cfg);
    if (client == NULL || esp_http_client_open(client, 0) != ESP_OK) {
        return ESP_FAIL;
    }
    int content_length = esp_http_client_fetch_headers(client);
    int status = esp_http_client_get_status_code(client);
    const esp_partition_t *part = esp_ota_get_next_update_partition(NULL);
    esp_ota_handle_t ota = 0;
    esp_err_t err = content_length < 0 || status < 200 || status > 299 || part == NULL
                        ? ESP_FAIL
                        : esp_ota_begin(part,
                                        content_length > 0 ? (size_t)content_length
                                                           : OTA_SIZE_UNKNOWN,
                                        &ota);
    while (err == ESP_OK) {
        int n = esp_http_client_read(client, buf, BUFFSIZE);
        if (n < 0) {
            err = ESP_FAIL;
        } else if (n == 0) {
            err = esp_http_client_is_complete_data_received(client) ? ESP_OK : ESP_FAIL;
            break;
        } else {
            err = esp_ota_write(ota, buf, (size_t)n);
        }
    }
    mark_body_end(t_body);
    esp_http_client_close(client);
    esp_http_client_cleanup(client);
    if (err == ESP_OK) {
        err = esp_ota_end(ota);
    } else if (ota) {
        esp_ota_abort(ota);
    }
    return err == ESP_OK ? esp_ota_set_boot_partition(part) : err;
}

/* simple_ota_example: esp_https_ota(), as its begin / perform / finish. */
static esp_err_t run_simple(const esp_http_client_config_t *cfg, double *t_body)
{
    esp_https_ota_config_t oc = {.http_config = cfg};
    esp_https_ota_handle_t h = NULL;
    esp_err_t err = esp_https_ota_begin(&oc, &h);
    if (err != ESP_OK) {
        return err;
    }
    do {
        err = esp_https_ota_perform(h);
    } while (err == ESP_ERR_HTTPS_OTA_IN_PROGRESS);
    mark_body_end(t_body);
    if (err != ESP_OK) {
        esp_https_ota_abort(h);
        return err;
    }
    return esp_https_ota_finish(h);
}

static char *read_text(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (f == NULL) {
        return NULL;
    }
    static char text[16384];
    size_t n = fread(text, 1, sizeof text - 1, f);
    fclose(f);
    text[n] = '\0';
    return text;
}

int main(int argc, char **argv)
{
    const char *chip = NULL, *url = NULL, *ca = NULL, *mode = "native";
    for (int i = 1; i + 1 < argc; i += 2) {
        if (!strcmp(argv[i], "--chip")) {
            chip = argv[i + 1];
        } else if (!strcmp(argv[i], "--url")) {
            url = argv[i + 1];
        } else if (!strcmp(argv[i], "--ca")) {
            ca = argv[i + 1];
        } else if (!strcmp(argv[i], "--mode")) {
            mode = argv[i + 1];
        }
    }
    const char *ca_pem = ca ? read_text(ca) : NULL;
    if (chip == NULL || url == NULL || ca_pem == NULL ||
        (strcmp(mode, "native") != 0 && strcmp(mode, "simple") != 0)) {
        fprintf(stderr, "usage: bench_ota --chip F --url U --ca PEM [--mode native|simple]\n");
        return 2;
    }
    static sim_flash_t flash;
    if (sim_flash_open(&flash, chip, 0, false, NULL) != ESP_OK) {
        fprintf(stderr, "bench_ota: %s\n", flash.last_error);
        return 1;
    }
    sim_flash_hal(&flash, 0, &s_chip_hal);
    bs_hal_t hal = s_chip_hal;
    hal.write = timed_write;
    hal.erase_sector = timed_erase;
    spi_flash_hal_install(&hal);
    spi_flash_set_detected_size(flash.size);
    esp_sha256_host_install(); /* both as the app start-up does (app_startup.c) */
    sim_flash_prefault(&flash);

    esp_http_client_config_t cfg = {
        .url = url,
        .cert_pem = ca_pem,
        .timeout_ms = 5000,
        .event_handler = on_event,
    };
    const sim_counters_t c0 = flash.st->counters;
    spi_flash_reset_erase_stats();
    size_t heap0 = bench_heap()->current;
    bench_heap_reset_peak();
    s_prog_ms = 0;

    double t0 = now_ms(), t_body = 0;
    esp_err_t err = !strcmp(mode, "native") ? run_native(&cfg, &t_body) : run_simple(&cfg, &t_body);
    double t_end = now_ms();
    if (err != ESP_OK) {
        fprintf(stderr, "bench_ota: OTA failed: 0x%x (%s)\n", (unsigned)err, esp_err_to_name(err));
        return 1;
    }
    /* handshake: init, TCP + TLS up; transfer: request, body, parsing and
     * hashing as it streams; flash: programming and erasing (download and
     * otadata); verify: esp_ota_end reading the slot back, and clean-up. */
    double handshake = s_t_connected - t0;
    double transfer = (t_body - s_t_connected) - s_prog_ms_at_body;
    double verify = (t_end - t_body) - (s_prog_ms - s_prog_ms_at_body);
    const sim_counters_t *c = &flash.st->counters;
    spi_flash_erase_stats_t es;
    spi_flash_get_erase_stats(&es);
    printf("tool=ota mode=%s total_ms=%.3f handshake_ms=%.3f transfer_ms=%.3f verify_ms=%.3f "
           "flash_ms=%.3f heap_peak=%zu heap_left=%zu erases=%llu blank_erases=%llu writes=%llu "
           "bytes_written=%llu reads=%llu bytes_read=%llu erase_calls=%u max_erase_call=%u\n",
           mode, t_end - t0, handshake, transfer, verify, s_prog_ms,
           bench_heap()->peak - heap0, bench_heap()->current - heap0,
           (unsigned long long)(c->erases - c0.erases),
           (unsigned long long)(c->blank_erases - c0.blank_erases),
           (unsigned long long)(c->writes - c0.writes),
           (unsigned long long)(c->bytes_written - c0.bytes_written),
           (unsigned long long)(c->reads - c0.reads),
           (unsigned long long)(c->bytes_read - c0.bytes_read), (unsigned)es.erase_calls,
           (unsigned)es.max_sectors_per_call);
    sim_flash_close(&flash);
    return 0;
}
