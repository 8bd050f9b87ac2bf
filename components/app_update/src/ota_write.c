/*
 * esp_ota_begin / write / end / abort: an update streams through the core's
 * image parser, and only bytes the parser has accepted reach flash. Sectors
 * are erased one at a time just ahead of the first write into them, never
 * the whole slot up front (reference §5.4: 240 blocking erases for a 4 KB
 * image on the SDK).
 */
#include <stdlib.h>
#include <string.h>

#include "esp_flash_hal.h"
#include "esp_log.h"
#include "esp_ota_ops.h"
#include "esp_private/spi_flash_stats.h"
#include "spi_flash.h"
#include "ota_priv.h"

static const char *const TAG = "esp_ota_ops";

/* Held back until the parser has checked the image header and the first
 * segment header: after that, a wrong download has already been refused. */
#define HOLD_LEN (ESP_IMAGE_HEADER_LEN + ESP_IMAGE_SEGMENT_HEADER_LEN)

typedef struct ota_entry {
    struct ota_entry *next;
    esp_ota_handle_t handle;
    const esp_partition_t *part;
    uint32_t received;   /* bytes accepted from the caller */
    uint32_t written;    /* bytes programmed; received - written are in held[] */
    uint32_t erased_end; /* slot offset below which every sector has been erased */
    esp_err_t flash_err; /* first flash failure: the slot no longer matches the stream */
    bool trailing_logged;
    uint8_t held[HOLD_LEN];
    bs_image_stream_t stream;
    /* The stream as it was before the current call: a refused call is undone
     * with it, and it tells a "does not fit" failure from a malformed image. */
    bs_image_stream_t before;
} ota_entry_t;

/* Handles live in a list like the SDK's; updates at once are rare and few. */
static ota_entry_t *s_entries;
static esp_ota_handle_t s_last_handle;

/* The slot esp_ota_end last accepted, and spi_flash_modify_count() then. */
static struct {
    const esp_partition_t *part;
    uint32_t modify_count;
} s_ended;

bool ota_is_ota_slot(const esp_partition_t *p)
{
    return p != NULL && p->type == ESP_PARTITION_TYPE_APP &&
           p->subtype >= ESP_PARTITION_SUBTYPE_APP_OTA_MIN &&
           p->subtype < ESP_PARTITION_SUBTYPE_APP_OTA_MAX;
}

bs_image_opts_t ota_image_opts(const esp_partition_t *p, bool log_segments)
{
    bs_image_opts_t o = {
        .kind = BS_IMAGE_V3,
        .hash = BS_HASH_REQUIRED,
        .start_addr = p->address,
        .max_len = p->size,
        .check_entry = true,
        .log_segments = log_segments,
        .update = true,
    };
    return o;
}

static ota_entry_t *find_entry(esp_ota_handle_t handle)
{
    for (ota_entry_t *e = s_entries; e != NULL; e = e->next) {
        if (e->handle == handle) {
            return e;
        }
    }
    return NULL;
}

static void free_entry(ota_entry_t *e)
{
    for (ota_entry_t **pp = &s_entries; *pp != NULL; pp = &(*pp)->next) {
        if (*pp == e) {
            *pp = e->next;
            break;
        }
    }
    free(e);
}

static bool size_known(size_t image_size)
{
    return image_size != 0 && image_size != OTA_SIZE_UNKNOWN &&
           image_size != OTA_WITH_SEQUENTIAL_WRITES;
}

esp_err_t esp_ota_begin(const esp_partition_t *partition, size_t image_size,
                        esp_ota_handle_t *out_handle)
{
    if (partition == NULL || out_handle == NULL) {
        return ESP_ERR_INVALID_ARG;
    }
    const esp_partition_t *p = esp_partition_verify(partition);
    if (p == NULL) {
        ESP_LOGE(TAG, "partition %s at 0x%x is not in the partition table", partition->label,
                 (unsigned)partition->address);
        return ESP_ERR_NOT_FOUND;
    }
    if (!ota_is_ota_slot(p)) {
        ESP_LOGE(TAG, "partition %s (type 0x%02x subtype 0x%02x) is not an OTA app slot", p->label,
                 (unsigned)p->type, (unsigned)p->subtype);
        return ESP_ERR_INVALID_ARG;
    }
    if (p == esp_ota_get_running_partition()) {
        ESP_LOGE(TAG, "partition %s at 0x%x is the running app: 0x%x (%s)", p->label,
                 (unsigned)p->address, ESP_ERR_OTA_PARTITION_CONFLICT,
                 esp_err_to_name(ESP_ERR_OTA_PARTITION_CONFLICT));
        return ESP_ERR_OTA_PARTITION_CONFLICT;
    }
#ifdef CONFIG_BOOTLOADER_APP_ROLLBACK_ENABLE
    /* ESP-IDF's rule: the running app must confirm itself first, or the
     * update would replace the app a rollback returns to. */
    if (ota_running_is_pending()) {
        ESP_LOGE(TAG, "Running app has not confirmed state (ESP_OTA_IMG_PENDING_VERIFY): 0x%x (%s)",
                 ESP_ERR_OTA_ROLLBACK_INVALID_STATE,
                 esp_err_to_name(ESP_ERR_OTA_ROLLBACK_INVALID_STATE));
        return ESP_ERR_OTA_ROLLBACK_INVALID_STATE;
    }
#endif
    if (size_known(image_size) && image_size > p->size) {
        ESP_LOGE(TAG, "image size %u exceeds partition %s size %u", (unsigned)image_size, p->label,
                 (unsigned)p->size);
        return ESP_ERR_INVALID_SIZE;
    }
    /* The seed's "err=0x104" case: a table configured for a bigger flash than
     * the chip has. The SDK would erase wrapped-around addresses (the running
     * app); the chip's ID tells us its real size, so refuse before any erase. */
    uint32_t chip = spi_flash_get_detected_size();
    if (chip != 0 && (p->address >= chip || p->size > chip - p->address)) {
        ESP_LOGE(TAG, "ota_begin error err=0x%x (%s): partition %s at 0x%x..0x%x lies past the end "
                 "of the %uKB flash chip (configured for %uKB)", ESP_ERR_INVALID_SIZE,
                 esp_err_to_name(ESP_ERR_INVALID_SIZE), p->label, (unsigned)p->address,
                 (unsigned)(p->address + p->size), (unsigned)(chip >> 10),
                 (unsigned)(spi_flash_get_chip_size() >> 10));
        return ESP_ERR_INVALID_SIZE;
    }
    ota_entry_t *e = calloc(1, sizeof *e);
    if (e == NULL) {
        return ESP_ERR_NO_MEM;
    }
    /* The segment lines the SDK's esp_ota_end prints, as the segments arrive. */
    bs_image_opts_t opts = ota_image_opts(p, true);
    bs_image_stream_init(&e->stream, spi_flash_hal(), &opts);
    e->part = p;
    e->handle = ++s_last_handle;
    if (e->handle == 0) {
        e->handle = ++s_last_handle; /* 0 is never a handle, even after 2^32 updates */
    }
    e->next = s_entries;
    s_entries = e;
    *out_handle = e->handle;
    return ESP_OK;
}

/*
 * Reads back what was just programmed. A write that did not take (a worn
 * cell, a sector whose erase was cut short and reads 0xFF only marginally,
 * so that its erase was skipped) fails the update here, at once. Together
 * with the streamed SHA-256 this is what esp_ota_end relies on.
 */
static esp_err_t read_back(const ota_entry_t *e, uint32_t off, const uint8_t *src, uint32_t len)
{
    uint8_t buf[256];
    for (uint32_t done = 0; done < len;) {
        uint32_t n = len - done < sizeof buf ? len - done : (uint32_t)sizeof buf;
        esp_err_t err = esp_partition_read(e->part, off + done, buf, n);
        if (err != ESP_OK) {
            ESP_LOGE(TAG, "reading back %u bytes at 0x%x failed: 0x%x (%s)", (unsigned)n,
                     (unsigned)(e->part->address + off + done), (unsigned)err,
                     esp_err_to_name(err));
            return err;
        }
        if (memcmp(buf, src + done, n) != 0) {
            uint32_t i = 0;
            while (buf[i] == src[done + i]) {
                i++;
            }
            ESP_LOGE(TAG, "flash at 0x%x reads 0x%02x after 0x%02x was programmed: 0x%x (%s)",
                     (unsigned)(e->part->address + off + done + i), buf[i], src[done + i],
                     ESP_ERR_FLASH_OP_FAIL, esp_err_to_name(ESP_ERR_FLASH_OP_FAIL));
            return ESP_ERR_FLASH_OP_FAIL;
        }
        done += n;
    }
    return ESP_OK;
}

/* Programs [off, off + len) of the slot, erasing each sector it reaches
 * first, unless that sector is still blank (one erase call = one sector). */
static esp_err_t program(ota_entry_t *e, uint32_t off, const uint8_t *src, uint32_t len)
{
    while (e->erased_end < off + len) {
        bool blank = false;
        esp_err_t err = bs_flash_sector_blank(spi_flash_hal(), e->part->address + e->erased_end,
                                              &blank);
        if (err == ESP_OK && !blank) {
            err = esp_partition_erase_range(e->part, e->erased_end, SPI_FLASH_SEC_SIZE);
        }
        if (err != ESP_OK) {
            ESP_LOGE(TAG, "erasing sector at 0x%x failed: 0x%x (%s)",
                     (unsigned)(e->part->address + e->erased_end), (unsigned)err,
                     esp_err_to_name(err));
            return err;
        }
        e->erased_end += SPI_FLASH_SEC_SIZE;
    }
    esp_err_t err = esp_partition_write(e->part, off, src, len);
    if (err != ESP_OK) {
        ESP_LOGE(TAG, "writing %u bytes at 0x%x failed: 0x%x (%s)", (unsigned)len,
                 (unsigned)(e->part->address + off), (unsigned)err, esp_err_to_name(err));
        return err;
    }
    return read_back(e, off, src, len);
}

/*
 * The parser refused the call's bytes. Replays them on the earlier state
 * (e->before, used up here) with no length limit: if that passes, the only
 * objection was the slot's size. (The core returns ESP_ERR_IMAGE_INVALID for
 * both; only its log line says which.)
 */
static esp_err_t classify_refusal(ota_entry_t *e, const uint8_t *data, uint32_t consumed,
                                  uint32_t fail_pos)
{
    bs_image_stream_t *probe = &e->before;
    if (fail_pos <= ESP_IMAGE_HEADER_LEN) {
        /* The image header's checks include the entry window, which depends on
         * the slot size too; a header alone can never outgrow a real slot. */
        return ESP_ERR_OTA_VALIDATE_FAILED;
    }
    probe->hal = NULL;
    probe->opts.max_len = UINT32_MAX;
    esp_err_t err = bs_image_stream_feed(probe, data, consumed, NULL);
    return err == ESP_OK ? ESP_ERR_INVALID_SIZE : ESP_ERR_OTA_VALIDATE_FAILED;
}

static esp_err_t refuse(ota_entry_t *e, esp_err_t code, uint32_t at)
{
    ESP_LOGE(TAG, "image data at offset 0x%x refused for partition %s: 0x%x (%s)", (unsigned)at,
             e->part->label, (unsigned)code, esp_err_to_name(code));
    return code;
}

/* Sends held bytes and this call's bytes to flash, or holds them while the
 * first headers are still unchecked. */
static esp_err_t commit(ota_entry_t *e, const uint8_t *data, uint32_t size)
{
    uint32_t start = e->received;
    e->received += size;
    if (e->received < HOLD_LEN && !bs_image_stream_done(&e->stream)) {
        memcpy(e->held + (start - e->written), data, size);
        return ESP_OK;
    }
    esp_err_t err = ESP_OK;
    if (e->written < start) {
        err = program(e, e->written, e->held, start - e->written);
    }
    if (err == ESP_OK) {
        err = program(e, start, data, size);
    }
    if (err != ESP_OK) {
        e->flash_err = err;
        return err;
    }
    e->written = e->received;
    return ESP_OK;
}

esp_err_t esp_ota_write(esp_ota_handle_t handle, const void *data, size_t size)
{
    const uint8_t *bytes = data;
    if (data == NULL) {
        ESP_LOGE(TAG, "write data is invalid");
        return ESP_ERR_INVALID_ARG;
    }
    ota_entry_t *e = find_entry(handle);
    if (e == NULL) {
        ESP_LOGE(TAG, "not found the handle");
        return ESP_ERR_INVALID_ARG;
    }
    if (e->flash_err != ESP_OK) {
        return e->flash_err;
    }
    if (size == 0) {
        return ESP_OK;
    }
    if (e->received == 0 && bytes[0] != ESP_IMAGE_HEADER_MAGIC) {
        ESP_LOGE(TAG, "OTA image has invalid magic byte (expected 0xE9, saw 0x%02x)", bytes[0]);
        return ESP_ERR_OTA_VALIDATE_FAILED;
    }
    if (size > e->part->size) {
        return refuse(e, ESP_ERR_INVALID_SIZE, e->received);
    }
    uint32_t len = (uint32_t)size;
    uint32_t consumed = 0;
    e->before = e->stream;
    esp_err_t err = bs_image_stream_feed(&e->stream, bytes, len, &consumed);
    if (err != ESP_OK) {
        uint32_t fail_pos = e->stream.pos;
        e->stream = e->before; /* a refused call leaves the update as it was */
        return refuse(e, classify_refusal(e, bytes, consumed, fail_pos), fail_pos - 1u);
    }
    /* Checked after the parser, so that while the image is still going its
     * precise objection (a segment that cannot fit) is the one logged. */
    if (len > e->part->size - e->received) {
        e->stream = e->before;
        ESP_LOGE(TAG, "%u bytes at offset 0x%x run past the end of partition %s (size 0x%x)",
                 (unsigned)size, (unsigned)e->received, e->part->label, (unsigned)e->part->size);
        return refuse(e, ESP_ERR_INVALID_SIZE, e->received);
    }
    if (consumed < len && !e->trailing_logged) {
        e->trailing_logged = true;
        ESP_LOGW(TAG,
                 "data continues after the end of the image (0x%x bytes): written, but not "
                 "part of the image",
                 (unsigned)e->stream.info.image_len);
    }
    return commit(e, bytes, len);
}

/*
 * Every byte reached flash through program(), which read it back, and the
 * parser checked all of them (checksum, SHA-256, entry window): flash holds
 * the image received, verified, without reading the slot a second time.
 */
esp_err_t esp_ota_end(esp_ota_handle_t handle)
{
    ota_entry_t *e = find_entry(handle);
    if (e == NULL) {
        return ESP_ERR_NOT_FOUND;
    }
    esp_err_t ret = ESP_OK;
    if (e->received == 0) {
        ret = ESP_ERR_INVALID_ARG;
    } else if (e->flash_err != ESP_OK) {
        ESP_LOGE(TAG, "esp_ota_end: an earlier flash operation failed (0x%x %s)",
                 (unsigned)e->flash_err, esp_err_to_name(e->flash_err));
        ret = ESP_ERR_OTA_VALIDATE_FAILED;
    } else if (bs_image_stream_finish(&e->stream, NULL) != ESP_OK) {
        ESP_LOGE(TAG, "esp_ota_end: the %u bytes received are not a complete, intact image",
                 (unsigned)e->received);
        ret = ESP_ERR_OTA_VALIDATE_FAILED;
    } else {
        s_ended.part = e->part;
        s_ended.modify_count = spi_flash_modify_count();
    }
    free_entry(e);
    return ret;
}

bool ota_end_verified(const esp_partition_t *p)
{
    return p != NULL && p == s_ended.part && s_ended.modify_count == spi_flash_modify_count();
}

esp_err_t esp_ota_abort(esp_ota_handle_t handle)
{
    ota_entry_t *e = find_entry(handle);
    if (e == NULL) {
        return ESP_ERR_NOT_FOUND;
    }
    free_entry(e);
    return ESP_OK;
}

esp_err_t esp_ota_get_write_description(esp_ota_handle_t handle, esp_app_desc_t *app_desc)
{
    ota_entry_t *e = find_entry(handle);
    if (app_desc == NULL || e == NULL) {
        return ESP_ERR_INVALID_ARG;
    }
    if (!bs_image_stream_desc_ready(&e->stream)) {
        return ESP_ERR_NOT_FOUND;
    }
    *app_desc = e->stream.info.desc;
    return ESP_OK;
}
