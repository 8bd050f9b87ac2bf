/*
 * esp_https_ota: download -> check -> write -> verify -> select. The first
 * bytes of the body are checked by the core's image parser before
 * esp_ota_begin and the first esp_ota_write, so a wrong body never costs an
 * erase; the rest streams through esp_ota_write, which erases sector by
 * sector just ahead of itself.
 */
#include "esp_https_ota.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "bs_image.h"
#include "esp_log.h"
#include "esp_ota_ops.h"
#include "esp_partition.h"

#ifndef CONFIG_OTA_BUF_SIZE
#define CONFIG_OTA_BUF_SIZE 256
#endif
#ifndef CONFIG_OTA_MIN_THROUGHPUT
#define CONFIG_OTA_MIN_THROUGHPUT 0
#endif
#ifndef CONFIG_OTA_DEADLINE_S
#define CONFIG_OTA_DEADLINE_S 0
#endif

/* Image header + first segment header + descriptor: enough to judge an image. */
#define HEAD_LEN (ESP_IMAGE_HEADER_LEN + ESP_IMAGE_SEGMENT_HEADER_LEN + ESP_APP_DESC_SIZE)
/* The throughput guard only judges after this long. */
#define THROUGHPUT_GRACE_MS 2000u

static const char *TAG = "esp_https_ota";

typedef struct {
    esp_http_client_handle_t client;
    const esp_partition_t *partition;
    esp_ota_handle_t ota;
    uint8_t head[HEAD_LEN];
    uint32_t head_len;
    bool head_written;
    bool has_desc;
    esp_app_desc_t desc;
    int image_size; /* Content-Length or -1 */
    int len_read;
    bool body_ended;
    uint64_t t0_ms;
    uint32_t deadline_ms;
    uint32_t min_bps;
    int next_tenth;
    char buf[CONFIG_OTA_BUF_SIZE];
} https_ota_t;

static uint64_t now_ms(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (uint64_t)t.tv_sec * 1000u + (uint64_t)t.tv_nsec / 1000000u;
}

static void log_err(const char *what, esp_err_t err)
{
    ESP_LOGE(TAG, "%s: 0x%x (%s)", what, (unsigned)err, esp_err_to_name(err));
}

static void free_ota(https_ota_t *h)
{
    if (h->client) {
        esp_http_client_close(h->client);
        esp_http_client_cleanup(h->client);
    }
    free(h);
}

static esp_err_t check_config(const esp_http_client_config_t *cfg)
{
    if (!cfg || !cfg->url) {
        ESP_LOGE(TAG, "esp_http_client config not found");
        return ESP_ERR_INVALID_ARG;
    }
#ifndef CONFIG_OTA_ALLOW_HTTP
    if (!cfg->cert_pem) {
        ESP_LOGE(TAG, "Server certificate not found in esp_http_client config");
        return ESP_FAIL;
    }
#endif
    return ESP_OK;
}

/* Connects, follows redirects, insists on a 2xx answer. */
static esp_err_t open_connection(https_ota_t *h, const esp_https_ota_config_t *oc)
{
    h->client = esp_http_client_init(oc->http_config);
    if (!h->client) {
        ESP_LOGE(TAG, "Failed to initialise HTTP connection");
        return ESP_FAIL;
    }
#ifndef CONFIG_OTA_ALLOW_HTTP
    if (esp_http_client_get_transport_type(h->client) != HTTP_TRANSPORT_OVER_SSL) {
        ESP_LOGE(TAG, "Transport is not over HTTPS");
        return ESP_FAIL;
    }
#endif
    if (oc->http_client_init_cb) {
        esp_err_t err = oc->http_client_init_cb(h->client);
        if (err != ESP_OK) {
            log_err("http_client_init_cb failed", err);
            return err;
        }
    }
    esp_err_t err = esp_http_client_open_follow(h->client);
    if (err != ESP_OK) {
        log_err("Failed to open HTTP connection", err);
        return err;
    }
    int status = esp_http_client_get_status_code(h->client);
    if (status < 200 || status > 299) {
        ESP_LOGE(TAG, "HTTP status %d from %s: the server did not send the image", status,
                 oc->http_config->url);
        return ESP_ERR_INVALID_RESPONSE;
    }
    h->image_size = esp_http_client_get_content_length(h->client);
    return ESP_OK;
}

/* Reads until HEAD_LEN bytes are in or the body ends. */
static esp_err_t read_head(https_ota_t *h)
{
    while (h->head_len < HEAD_LEN) {
        int n = esp_http_client_read(h->client, (char *)h->head + h->head_len,
                                     (int)(HEAD_LEN - h->head_len));
        if (n < 0) {
            ESP_LOGE(TAG, "Error: SSL data read error while reading the image header");
            return ESP_FAIL;
        }
        if (n == 0) {
            h->body_ended = true;
            break;
        }
        h->head_len += (uint32_t)n;
        h->len_read += n;
    }
    return ESP_OK;
}

/* The body's first bytes, printable, for the error message. */
static void describe_head(const https_ota_t *h, char *out, size_t len)
{
    size_t o = 0;
    for (uint32_t i = 0; i < h->head_len && i < 24 && o + 5 < len; i++) {
        uint8_t c = h->head[i];
        o += (size_t)((c >= 0x20 && c < 0x7f) ? snprintf(out + o, len - o, "%c", c)
                                               : snprintf(out + o, len - o, "\\x%02x", c));
    }
    out[o] = '\0';
}

/* Judges the first bytes with the core's image parser: nothing is erased yet. */
static esp_err_t check_head(https_ota_t *h)
{
    static bs_image_stream_t s; /* ~700 B: not on the task stack */
    const bs_image_opts_t opts = {.kind = BS_IMAGE_V3, .hash = BS_HASH_REQUIRED,
                                  .start_addr = h->partition->address,
                                  .max_len = h->partition->size, .check_entry = true,
                                  .update = true};
    bs_image_stream_init(&s, NULL, &opts);
    esp_err_t err = bs_image_stream_feed(&s, h->head, h->head_len, NULL);
    if (err == ESP_OK && h->head_len < HEAD_LEN && !bs_image_stream_done(&s)) {
        err = ESP_ERR_IMAGE_INVALID; /* the body ended inside the first bytes */
    }
    if (err != ESP_OK || !bs_image_stream_header_ok(&s)) {
        char text[128];
        describe_head(h, text, sizeof text);
        ESP_LOGE(TAG, "The body is not an app image for partition %s at 0x%x (starts \"%s\"); "
                 "nothing was written", h->partition->label, (unsigned)h->partition->address, text);
        return ESP_ERR_OTA_VALIDATE_FAILED;
    }
    h->has_desc = bs_image_stream_desc_ready(&s);
    if (h->has_desc) {
        h->desc = s.info.desc;
    }
    return ESP_OK;
}

esp_err_t esp_https_ota_begin(esp_https_ota_config_t *oc, esp_https_ota_handle_t *handle)
{
    if (!handle || !oc) {
        ESP_LOGE(TAG, "esp_https_ota_begin: Invalid argument");
        return ESP_ERR_INVALID_ARG;
    }
    *handle = NULL;
    esp_err_t err = check_config(oc->http_config);
    if (err != ESP_OK) {
        return err;
    }
    https_ota_t *h = calloc(1, sizeof *h);
    if (!h) {
        return ESP_ERR_NO_MEM;
    }
    h->t0_ms = now_ms();
    h->deadline_ms = oc->deadline_ms ? oc->deadline_ms : CONFIG_OTA_DEADLINE_S * 1000u;
    h->min_bps = oc->min_throughput_bps ? oc->min_throughput_bps : CONFIG_OTA_MIN_THROUGHPUT;
    h->next_tenth = 1;
    err = open_connection(h, oc);
    if (err == ESP_OK) {
        h->partition = esp_ota_get_next_update_partition(NULL);
        if (!h->partition) {
            ESP_LOGE(TAG, "Passive OTA partition not found");
            err = ESP_FAIL;
        }
    }
    if (err == ESP_OK) {
        ESP_LOGI(TAG, "Starting OTA...");
        ESP_LOGI(TAG, "Writing to partition subtype %d at offset 0x%x", h->partition->subtype,
                 (unsigned)h->partition->address);
        if (h->image_size > 0 && (uint32_t)h->image_size > h->partition->size) {
            ESP_LOGE(TAG, "Image of %d bytes does not fit partition %s (%u bytes); nothing was written",
                     h->image_size, h->partition->label, (unsigned)h->partition->size);
            err = ESP_ERR_INVALID_SIZE;
        }
    }
    if (err == ESP_OK) {
        err = read_head(h);
    }
    if (err == ESP_OK) {
        err = check_head(h);
    }
    if (err == ESP_OK) {
        err = esp_ota_begin(h->partition, h->image_size > 0 ? (size_t)h->image_size : OTA_SIZE_UNKNOWN,
                            &h->ota);
        if (err != ESP_OK) {
            ESP_LOGE(TAG, "ota_begin error err=0x%x (%s)", (unsigned)err, esp_err_to_name(err));
        }
    }
    if (err != ESP_OK) {
        free_ota(h);
        return err;
    }
    *handle = h;
    return ESP_OK;
}

esp_err_t esp_https_ota_get_img_desc(esp_https_ota_handle_t handle, esp_app_desc_t *new_app_info)
{
    https_ota_t *h = handle;
    if (!h || !new_app_info) {
        return ESP_ERR_INVALID_ARG;
    }
    if (!h->has_desc) {
        return ESP_ERR_NOT_FOUND;
    }
    *new_app_info = h->desc;
    return ESP_OK;
}

static void log_progress(https_ota_t *h)
{
    int tenth = h->image_size > 0 ? (int)((int64_t)h->len_read * 10 / h->image_size)
                                  : h->len_read / (32 * 1024);
    if (tenth < h->next_tenth) {
        return;
    }
    h->next_tenth = tenth + 1;
    uint64_t ms = now_ms() - h->t0_ms;
    unsigned kbps = ms ? (unsigned)((uint64_t)h->len_read * 1000u / 1024u / ms) : 0;
    if (h->image_size > 0) {
        ESP_LOGI(TAG, "Written %d of %d bytes (%d%%), %u KB/s", h->len_read, h->image_size,
                 (int)((int64_t)h->len_read * 100 / h->image_size), kbps);
    } else {
        ESP_LOGI(TAG, "Written %d bytes, %u KB/s", h->len_read, kbps);
    }
}

/* Slow retrieval guards: an overall deadline and a minimum average rate. */
static esp_err_t check_pace(const https_ota_t *h)
{
    uint64_t ms = now_ms() - h->t0_ms;
    if (h->deadline_ms && ms > h->deadline_ms) {
        ESP_LOGE(TAG, "OTA deadline of %u ms passed after %d bytes", (unsigned)h->deadline_ms,
                 h->len_read);
        return ESP_ERR_TIMEOUT;
    }
    if (h->min_bps && ms > THROUGHPUT_GRACE_MS && (uint64_t)h->len_read * 1000u < h->min_bps * ms) {
        ESP_LOGE(TAG, "download rate %u B/s is below the minimum of %u B/s",
                 (unsigned)((uint64_t)h->len_read * 1000u / ms), (unsigned)h->min_bps);
        return ESP_ERR_TIMEOUT;
    }
    return ESP_OK;
}

static esp_err_t write_chunk(https_ota_t *h, const void *data, size_t len)
{
    esp_err_t err = esp_ota_write(h->ota, data, len);
    if (err != ESP_OK) {
        log_err("Error: esp_ota_write failed", err);
    }
    return err;
}

esp_err_t esp_https_ota_perform(esp_https_ota_handle_t handle)
{
    https_ota_t *h = handle;
    if (!h) {
        return ESP_ERR_INVALID_ARG;
    }
    if (!h->head_written) {
        h->head_written = true;
        esp_err_t err = write_chunk(h, h->head, h->head_len);
        if (err != ESP_OK) {
            return err;
        }
        log_progress(h);
        return h->body_ended ? ESP_OK : ESP_ERR_HTTPS_OTA_IN_PROGRESS;
    }
    if (h->body_ended) {
        return ESP_OK;
    }
    esp_err_t err = check_pace(h);
    if (err != ESP_OK) {
        return err;
    }
    int n = esp_http_client_read(h->client, h->buf, (int)sizeof h->buf);
    if (n < 0) {
        ESP_LOGE(TAG, "Error: SSL data read error after %d bytes", h->len_read);
        return ESP_FAIL;
    }
    if (n == 0) {
        h->body_ended = true;
        ESP_LOGD(TAG, "Connection closed, all data received");
        return ESP_OK;
    }
    h->len_read += n;
    err = write_chunk(h, h->buf, (size_t)n);
    if (err != ESP_OK) {
        return err;
    }
    log_progress(h);
    return ESP_ERR_HTTPS_OTA_IN_PROGRESS;
}

bool esp_https_ota_is_complete_data_received(esp_https_ota_handle_t handle)
{
    https_ota_t *h = handle;
    return h && h->body_ended && esp_http_client_is_complete_data_received(h->client);
}

esp_err_t esp_https_ota_abort(esp_https_ota_handle_t handle)
{
    https_ota_t *h = handle;
    if (!h) {
        return ESP_ERR_INVALID_ARG;
    }
    if (h->ota) {
        esp_ota_abort(h->ota);
    }
    free_ota(h);
    return ESP_OK;
}

esp_err_t esp_https_ota_finish(esp_https_ota_handle_t handle)
{
    https_ota_t *h = handle;
    if (!h) {
        return ESP_ERR_INVALID_ARG;
    }
    if (!esp_https_ota_is_complete_data_received(h)) {
        ESP_LOGE(TAG, "The body ended after %d bytes, before the whole image arrived%s",
                 h->len_read, h->image_size > 0 ? " (shorter than its Content-Length)" : "");
        esp_https_ota_abort(h);
        return ESP_ERR_OTA_VALIDATE_FAILED;
    }
    ESP_LOGI(TAG, "Total binary data length written: %d", h->len_read);
    esp_err_t err = esp_ota_end(h->ota);
    h->ota = 0;
    if (err != ESP_OK) {
        log_err("Error: esp_ota_end failed! Image is invalid", err);
    } else {
        err = esp_ota_set_boot_partition(h->partition);
        if (err != ESP_OK) {
            log_err("esp_ota_set_boot_partition failed", err);
        } else {
            ESP_LOGI(TAG, "esp_ota_set_boot_partition succeeded");
        }
    }
    free_ota(h);
    return err;
}

int esp_https_ota_get_image_len_read(esp_https_ota_handle_t handle)
{
    const https_ota_t *h = handle;
    return h ? h->len_read : -1;
}

int esp_https_ota_get_image_size(esp_https_ota_handle_t handle)
{
    const https_ota_t *h = handle;
    return h ? h->image_size : -1;
}

esp_err_t esp_https_ota(const esp_http_client_config_t *config)
{
    esp_https_ota_config_t oc = {.http_config = config};
    esp_https_ota_handle_t h = NULL;
    esp_err_t err = esp_https_ota_begin(&oc, &h);
    if (err != ESP_OK) {
        return err;
    }
    do {
        err = esp_https_ota_perform(h);
    } while (err == ESP_ERR_HTTPS_OTA_IN_PROGRESS);
    if (err != ESP_OK) {
        esp_https_ota_abort(h);
        return err;
    }
    return esp_https_ota_finish(h);
}
