/*
 * native_ota_example: the OTA API by hand. The image is read from the
 * server with esp_http_client and fed to esp_ota_begin / esp_ota_write /
 * esp_ota_end; esp_ota_set_boot_partition then selects it and the device
 * restarts into it. Log lines are the SDK example's.
 */
#include <inttypes.h>
#include <string.h>

#include "esp_event.h"
#include "esp_http_client.h"
#include "esp_image_format.h"
#include "esp_log.h"
#include "esp_netif.h"
#include "esp_ota_ops.h"
#include "esp_system.h"
#include "freertos/FreeRTOS.h"
#include "freertos/task.h"
#include "nvs_flash.h"
#include "protocol_examples_common.h"

#define BUFFSIZE 1024

static const char *TAG = "native_ota_example";
static char ota_write_data[BUFFSIZE + 1];

extern const char server_cert_pem_start[] __asm__("_binary_ca_cert_pem_start");

#ifndef CONFIG_EXAMPLE_SKIP_COMMON_NAME_CHECK
#define CONFIG_EXAMPLE_SKIP_COMMON_NAME_CHECK 0
#endif

static void http_cleanup(esp_http_client_handle_t client)
{
    esp_http_client_close(client);
    esp_http_client_cleanup(client);
}

static void __attribute__((noreturn)) task_fatal_error(void)
{
    ESP_LOGE(TAG, "Exiting task due to fatal error...");
    ESP_LOGE(TAG, "Firmware Upgrades Failed");
    vTaskDelete(NULL);
    for (;;) {
        vTaskDelay(portMAX_DELAY);
    }
}

/* Progress about every 10 %: bytes, percent when the size is known, rate. */
static void log_progress(int written, int total, uint32_t t0_ms, int *next_tenth)
{
    int tenth = total > 0 ? (int)((int64_t)written * 10 / total) : written / (32 * 1024);
    if (tenth < *next_tenth) {
        return;
    }
    *next_tenth = tenth + 1;
    uint32_t ms = esp_log_timestamp() - t0_ms;
    unsigned kbps = ms ? (unsigned)((uint64_t)written * 1000 / 1024 / ms) : 0;
    if (total > 0) {
        ESP_LOGI(TAG, "Written %d of %d bytes (%d%%), %u KB/s", written, total,
                 (int)((int64_t)written * 100 / total), kbps);
    } else {
        ESP_LOGI(TAG, "Written %d bytes, %u KB/s", written, kbps);
    }
}

/*
 * Our images (elf2image) open with the app descriptor: image header, the
 * descriptor segment's header, then esp_app_desc_t. An image laid out
 * otherwise (esptool's) has it further in; the check is then skipped.
 */
#define DESC_OFFSET (ESP_IMAGE_HEADER_LEN + ESP_IMAGE_SEGMENT_HEADER_LEN)

/* false: the download must stop. A version that was already tried here and
 * rolled back is never installed again: without this, a device would fetch
 * the same failing app on every boot. */
static bool new_version_acceptable(const char *head, int len)
{
    if (len < (int)(DESC_OFFSET + sizeof(esp_app_desc_t))) {
        return true;
    }
    esp_app_desc_t new_app;
    memcpy(&new_app, head + DESC_OFFSET, sizeof new_app);
    if (new_app.magic_word != ESP_APP_DESC_MAGIC_WORD) {
        ESP_LOGW(TAG, "No app descriptor at offset %u of the new image: version not checked",
                 (unsigned)DESC_OFFSET);
        return true;
    }
    ESP_LOGI(TAG, "New firmware version: %.32s", new_app.version);
    esp_app_desc_t running_app;
    if (esp_ota_get_partition_description(esp_ota_get_running_partition(), &running_app) == ESP_OK) {
        ESP_LOGI(TAG, "Running firmware version: %.32s", running_app.version);
    }
    const esp_partition_t *last_invalid = esp_ota_get_last_invalid_partition();
    esp_app_desc_t invalid_app;
    if (last_invalid != NULL &&
        esp_ota_get_partition_description(last_invalid, &invalid_app) == ESP_OK) {
        ESP_LOGI(TAG, "Last invalid firmware version: %.32s", invalid_app.version);
        if (memcmp(invalid_app.version, new_app.version, sizeof new_app.version) == 0) {
            ESP_LOGW(TAG, "New version is the same as invalid version.");
            ESP_LOGW(TAG, "Previously, there was an attempt to launch the firmware with %.32s "
                          "version, but it failed.", invalid_app.version);
            ESP_LOGW(TAG, "The firmware has been rolled back to the previous version.");
            return false;
        }
    }
    return true;
}

/* Never returns: the task ends without an update (nothing to report as an error). */
static void __attribute__((noreturn)) task_done(void)
{
    vTaskDelete(NULL);
    for (;;) {
        vTaskDelay(portMAX_DELAY);
    }
}

static void ota_example_task(void *pvParameter)
{
    (void)pvParameter;
    esp_err_t err;
    esp_ota_handle_t update_handle = 0;

    ESP_LOGI(TAG, "Starting OTA example...");
    const esp_partition_t *configured = esp_ota_get_boot_partition();
    const esp_partition_t *running = esp_ota_get_running_partition();
    if (configured != running) {
        ESP_LOGW(TAG, "Configured OTA boot partition at offset 0x%08x, but running from offset 0x%08x",
                 configured ? (unsigned)configured->address : 0, (unsigned)running->address);
        ESP_LOGW(TAG, "(This can happen if either the OTA boot data or preferred boot image become corrupted somehow.)");
    }
    ESP_LOGI(TAG, "Running partition type %d subtype %d (offset 0x%08x)", running->type,
             running->subtype, (unsigned)running->address);

    esp_http_client_config_t config = {
        .url = CONFIG_EXAMPLE_FIRMWARE_UPG_URL,
        .cert_pem = server_cert_pem_start,
        .timeout_ms = CONFIG_EXAMPLE_OTA_RECV_TIMEOUT,
        .skip_cert_common_name_check = CONFIG_EXAMPLE_SKIP_COMMON_NAME_CHECK,
    };
    esp_http_client_handle_t client = esp_http_client_init(&config);
    if (client == NULL) {
        ESP_LOGE(TAG, "Failed to initialise HTTP connection");
        task_fatal_error();
    }
    /* Open, following redirects (301/302/303/307/308) up to max_redirection_count. */
    int content_length;
    for (;;) {
        err = esp_http_client_open(client, 0);
        if (err != ESP_OK) {
            ESP_LOGE(TAG, "Failed to open HTTP connection: 0x%x (%s)", (unsigned)err, esp_err_to_name(err));
            esp_http_client_cleanup(client);
            task_fatal_error();
        }
        content_length = esp_http_client_fetch_headers(client);
        int code = esp_http_client_get_status_code(client);
        if (content_length < 0 || (code != 301 && code != 302 && code != 303 && code != 307 && code != 308)) {
            break;
        }
        esp_http_client_flush_response(client, NULL);
        err = esp_http_client_set_redirection(client);
        if (err != ESP_OK) {
            ESP_LOGE(TAG, "Redirect failed: 0x%x (%s)", (unsigned)err, esp_err_to_name(err));
            http_cleanup(client);
            task_fatal_error();
        }
    }
    if (content_length < 0) {
        ESP_LOGE(TAG, "Failed to read the HTTP response headers");
        http_cleanup(client);
        task_fatal_error();
    }
    int status = esp_http_client_get_status_code(client);
    if (status < 200 || status > 299) {
        ESP_LOGE(TAG, "HTTP server answered status %d for %s: not an image", status,
                 CONFIG_EXAMPLE_FIRMWARE_UPG_URL);
        http_cleanup(client);
        task_fatal_error();
    }

    const esp_partition_t *update_partition = esp_ota_get_next_update_partition(NULL);
    if (update_partition == NULL) {
        ESP_LOGE(TAG, "Passive OTA partition not found");
        http_cleanup(client);
        task_fatal_error();
    }
    ESP_LOGI(TAG, "Writing to partition subtype %d at offset 0x%x", update_partition->subtype,
             (unsigned)update_partition->address);

    /* The first bytes decide whether this version is wanted at all, before
     * esp_ota_begin erases anything. */
    int first = 0;
    while (first < (int)(DESC_OFFSET + sizeof(esp_app_desc_t))) {
        int n = esp_http_client_read(client, ota_write_data + first, BUFFSIZE - first);
        if (n <= 0) {
            break;
        }
        first += n;
    }
    if (!new_version_acceptable(ota_write_data, first)) {
        http_cleanup(client);
        task_done();
    }

    err = esp_ota_begin(update_partition, content_length > 0 ? (size_t)content_length : OTA_SIZE_UNKNOWN,
                        &update_handle);
    if (err != ESP_OK) {
        ESP_LOGE(TAG, "ota_begin error err=0x%x (%s)", (unsigned)err, esp_err_to_name(err));
        http_cleanup(client);
        task_fatal_error();
    }
    ESP_LOGI(TAG, "esp_ota_begin succeeded");

    int binary_file_length = 0;
    int next_tenth = 1;
    uint32_t t0 = esp_log_timestamp();
    for (;;) {
        int data_read = first;
        if (first > 0) {
            first = 0; /* the bytes read for the version check go first */
        } else {
            data_read = esp_http_client_read(client, ota_write_data, BUFFSIZE);
        }
        if (data_read < 0) {
            ESP_LOGE(TAG, "Error: SSL data read error");
            esp_ota_abort(update_handle);
            http_cleanup(client);
            task_fatal_error();
        }
        if (data_read == 0) {
            if (!esp_http_client_is_complete_data_received(client)) {
                ESP_LOGE(TAG, "Connection closed after %d bytes, before the whole image arrived",
                         binary_file_length);
                esp_ota_abort(update_handle);
                http_cleanup(client);
                task_fatal_error();
            }
            ESP_LOGI(TAG, "Connection closed, all data received");
            break;
        }
        err = esp_ota_write(update_handle, ota_write_data, (size_t)data_read);
        if (err != ESP_OK) {
            ESP_LOGE(TAG, "Error: esp_ota_write failed! err=0x%x (%s)", (unsigned)err, esp_err_to_name(err));
            esp_ota_abort(update_handle);
            http_cleanup(client);
            task_fatal_error();
        }
        binary_file_length += data_read;
        log_progress(binary_file_length, content_length, t0, &next_tenth);
    }
    ESP_LOGI(TAG, "Total Write binary data length : %d", binary_file_length);
    http_cleanup(client);

    err = esp_ota_end(update_handle);
    if (err != ESP_OK) {
        ESP_LOGE(TAG, "esp_ota_end failed (0x%x %s)!", (unsigned)err, esp_err_to_name(err));
        task_fatal_error();
    }
    err = esp_ota_set_boot_partition(update_partition);
    if (err != ESP_OK) {
        ESP_LOGE(TAG, "esp_ota_set_boot_partition failed (0x%x %s)!", (unsigned)err, esp_err_to_name(err));
        task_fatal_error();
    }
    ESP_LOGI(TAG, "Prepare to restart system!");
    esp_restart();
}

void app_main(void)
{
    esp_err_t err = nvs_flash_init();
    if (err == ESP_ERR_NVS_NO_FREE_PAGES || err == ESP_ERR_NVS_NEW_VERSION_FOUND) {
        ESP_ERROR_CHECK(nvs_flash_erase());
        err = nvs_flash_init();
    }
    ESP_ERROR_CHECK(err);
    ESP_ERROR_CHECK(esp_netif_init());
    ESP_ERROR_CHECK(esp_event_loop_create_default());
    ESP_ERROR_CHECK(example_connect());

    /* A new app proves itself by getting this far (flash, NVS, network up):
     * with CONFIG_BOOTLOADER_APP_ROLLBACK_ENABLE it is confirmed here, else the
     * bootloader would roll it back at the next reset. */
    const esp_partition_t *running = esp_ota_get_running_partition();
    esp_ota_img_states_t ota_state;
    if (esp_ota_get_state_partition(running, &ota_state) == ESP_OK &&
        ota_state == ESP_OTA_IMG_PENDING_VERIFY) {
        ESP_LOGI(TAG, "Diagnostics passed: the network is up. Marking this app valid");
        ESP_ERROR_CHECK(esp_ota_mark_app_valid_cancel_rollback());
    }
    xTaskCreate(&ota_example_task, "ota_example_task", 8192, NULL, 5, NULL);
}
