/*
 * App descriptors, read from images in flash by the core's image parser:
 * it finds the descriptor where SDK images really keep it (the start of the
 * second flash segment), not at the fixed image offset 16 the SDK reads.
 */
#include <stdlib.h>
#include <string.h>

#include "esp_log.h"
#include "esp_ota_ops.h"
#include "ota_priv.h"

static const char *const TAG = "esp_ota_ops";

#define READ_CHUNK 256u

/* The descriptor compiled into the app (components/esp_system/app), when
 * there is one: weak, so that libraries and unit tests link without it. */
extern const esp_app_desc_t esp_app_desc __attribute__((weak));

/* Streams the partition's image until its descriptor has been captured.
 * ESP_ERR_NOT_FOUND when the image ends or breaks before one. */
static esp_err_t read_desc(const esp_partition_t *p, esp_app_desc_t *out)
{
    bs_image_stream_t *s = malloc(sizeof *s); /* ~1 KB: kept off small task stacks */
    if (s == NULL) {
        return ESP_ERR_NO_MEM;
    }
    bs_image_opts_t opts = ota_image_opts(p, false);
    opts.check_entry = false; /* a descriptor is readable whatever slot the image was linked for */
    bs_image_stream_init(s, NULL, &opts); /* silent: an empty slot is not an error here */
    uint8_t buf[READ_CHUNK];
    esp_err_t ret = ESP_ERR_NOT_FOUND;
    for (uint32_t off = 0; off < p->size;) {
        uint32_t n = (p->size - off < READ_CHUNK) ? p->size - off : READ_CHUNK;
        esp_err_t err = esp_partition_read(p, off, buf, n);
        if (err != ESP_OK) {
            ret = err;
            break;
        }
        bool ok = bs_image_stream_feed(s, buf, n, NULL) == ESP_OK;
        if (bs_image_stream_desc_ready(s)) {
            *out = s->info.desc;
            ret = ESP_OK;
            break;
        }
        if (!ok || bs_image_stream_done(s)) {
            break;
        }
        off += n;
    }
    free(s);
    return ret;
}

esp_err_t esp_ota_get_partition_description(const esp_partition_t *partition,
                                            esp_app_desc_t *app_desc)
{
    if (partition == NULL || app_desc == NULL) {
        return ESP_ERR_INVALID_ARG;
    }
    if (partition->type != ESP_PARTITION_TYPE_APP) {
        return ESP_ERR_NOT_SUPPORTED;
    }
    return read_desc(partition, app_desc);
}

const esp_app_desc_t *esp_ota_get_app_description(void)
{
    static esp_app_desc_t s_desc;
    static bool s_tried;
    if (s_tried) {
        return &s_desc;
    }
    const esp_partition_t *running = esp_ota_get_running_partition();
    esp_err_t err = running ? read_desc(running, &s_desc) : ESP_ERR_NOT_FOUND;
    if (err != ESP_OK) {
        ESP_LOGW(TAG, "running app's descriptor not readable from flash: 0x%x (%s)", (unsigned)err,
                 esp_err_to_name(err));
        if (&esp_app_desc != NULL) {
            s_desc = esp_app_desc;
        } else {
            memset(&s_desc, 0, sizeof s_desc);
        }
    }
    s_tried = true; /* the running image does not change until the next boot */
    return &s_desc;
}

int esp_ota_get_app_elf_sha256(char *dst, size_t size)
{
    static const char hex[] = "0123456789abcdef";
    if (dst == NULL || size == 0) {
        return 0;
    }
    const esp_app_desc_t *desc = esp_ota_get_app_description();
    const uint8_t *sha = desc->app_elf_sha256;
    size_t n = (size - 1) / 2;
    if (n > sizeof desc->app_elf_sha256) {
        n = sizeof desc->app_elf_sha256;
    }
    for (size_t i = 0; i < n; i++) {
        dst[2 * i] = hex[sha[i] >> 4];
        dst[2 * i + 1] = hex[sha[i] & 0x0f];
    }
    dst[2 * n] = '\0';
    return (int)(2 * n + 1);
}
