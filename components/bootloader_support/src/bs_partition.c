/* The partition table parser (reference §1): rows, the bootloader's and the
 * app's ways of reading the table, the listing and the 1 MB window rule. */
#include "bs_partition.h"

#include <string.h>

#include "bs_port.h"

/* The SDK logs table verification under this tag (flash_partitions.c) and
 * the listing under the bootloader's (bootloader_utility.c). */
static const char *const TAG_PARTS = "flash_parts";
static const char *const TAG_BOOT = "boot";

#define ROW_OFF_MAGIC 0
#define ROW_OFF_TYPE 2
#define ROW_OFF_SUBTYPE 3
#define ROW_OFF_OFFSET 4
#define ROW_OFF_SIZE 8
#define ROW_OFF_LABEL 12
#define ROW_OFF_FLAGS 28

#define ROW_MAGIC_END 0xFFFF
#define MB_SHIFT 20

bs_row_kind_t bs_partition_row_kind(const uint8_t raw[ESP_PARTITION_ENTRY_SIZE])
{
    uint16_t magic = bs_le16(raw + ROW_OFF_MAGIC);
    if (magic == ESP_PARTITION_MAGIC) {
        return BS_ROW_PARTITION;
    }
    if (magic == ESP_PARTITION_MAGIC_MD5) {
        return BS_ROW_MD5;
    }
    if (magic == ROW_MAGIC_END && raw[ROW_OFF_TYPE] == PART_TYPE_END &&
        raw[ROW_OFF_SUBTYPE] == PART_SUBTYPE_END) {
        return BS_ROW_END;
    }
    return BS_ROW_BAD_MAGIC;
}

void bs_partition_row_decode(const uint8_t raw[ESP_PARTITION_ENTRY_SIZE], esp_partition_info_t *out)
{
    out->magic = bs_le16(raw + ROW_OFF_MAGIC);
    out->type = raw[ROW_OFF_TYPE];
    out->subtype = raw[ROW_OFF_SUBTYPE];
    out->offset = bs_le32(raw + ROW_OFF_OFFSET);
    out->size = bs_le32(raw + ROW_OFF_SIZE);
    memcpy(out->label, raw + ROW_OFF_LABEL, ESP_PARTITION_LABEL_LEN);
    /* A 16-character label has no terminator on flash (§1.1). */
    out->label[ESP_PARTITION_LABEL_LEN] = '\0';
    out->flags = bs_le32(raw + ROW_OFF_FLAGS);
}

void bs_partition_row_encode(const esp_partition_info_t *in, uint8_t raw[ESP_PARTITION_ENTRY_SIZE])
{
    bs_put_le16(raw + ROW_OFF_MAGIC, in->magic);
    raw[ROW_OFF_TYPE] = in->type;
    raw[ROW_OFF_SUBTYPE] = in->subtype;
    bs_put_le32(raw + ROW_OFF_OFFSET, in->offset);
    bs_put_le32(raw + ROW_OFF_SIZE, in->size);
    int i = 0;
    for (; i < ESP_PARTITION_LABEL_LEN && in->label[i] != '\0'; i++) {
        raw[ROW_OFF_LABEL + i] = (uint8_t)in->label[i];
    }
    for (; i < ESP_PARTITION_LABEL_LEN; i++) {
        raw[ROW_OFF_LABEL + i] = 0;
    }
    bs_put_le32(raw + ROW_OFF_FLAGS, in->flags);
}

static esp_err_t read_row(const bs_hal_t *hal, uint32_t table_offset, int index,
                          uint8_t raw[ESP_PARTITION_ENTRY_SIZE])
{
    uint32_t addr = table_offset + ((uint32_t)index << 5);
    return bs_flash_read(hal, addr, raw, ESP_PARTITION_ENTRY_SIZE);
}

/* Overflow-safe form of the SDK's "offset > chip || offset + size > chip". */
static bool row_fits_chip(const esp_partition_info_t *p, uint32_t chip_size)
{
    return p->offset <= chip_size && p->size <= chip_size - p->offset;
}

/* The bootloader's per-row rule; the end marker is handled by the caller. */
static esp_err_t check_row(const bs_hal_t *hal, bool log_errors, int index,
                           const esp_partition_info_t *p, bs_row_kind_t kind)
{
    if (kind == BS_ROW_PARTITION && !row_fits_chip(p, hal->chip_size)) {
        if (log_errors) {
            BS_LOGE(hal, TAG_PARTS,
                    "partition %d invalid - offset 0x%x size 0x%x exceeds flash chip size 0x%x",
                    index, (unsigned)p->offset, (unsigned)p->size, (unsigned)hal->chip_size);
        }
        return ESP_ERR_INVALID_SIZE;
    }
    if (kind == BS_ROW_BAD_MAGIC) {
        if (log_errors) {
            BS_LOGE(hal, TAG_PARTS, "partition %d invalid magic number 0x%x", index,
                    (unsigned)p->magic);
        }
        return ESP_ERR_INVALID_STATE;
    }
    /* MD5 rows are not checked: the ESP8266 SDK compiles that check out. */
    return ESP_OK;
}

esp_err_t bs_partition_table_load(const bs_hal_t *hal, uint32_t table_offset, bool log_errors,
                                  bs_partition_table_t *out)
{
    out->num_rows = 0;
    for (int i = 0; i < ESP_PARTITION_TABLE_MAX_ENTRIES; i++) {
        uint8_t raw[ESP_PARTITION_ENTRY_SIZE];
        esp_err_t err = read_row(hal, table_offset, i, raw);
        if (err != ESP_OK) {
            if (log_errors) {
                BS_LOGE(hal, TAG_PARTS, "partition table read at 0x%x failed (0x%x)",
                        (unsigned)(table_offset + ((uint32_t)i << 5)), (unsigned)err);
            }
            return err;
        }
        bs_row_kind_t kind = bs_partition_row_kind(raw);
        if (kind == BS_ROW_END) {
            out->num_rows = i;
            BS_LOGD(hal, TAG_PARTS, "partition table verified, %d entries", i);
            return ESP_OK;
        }
        bs_partition_row_decode(raw, &out->rows[i]);
        err = check_row(hal, log_errors, i, &out->rows[i], kind);
        if (err != ESP_OK) {
            return err;
        }
    }
    if (log_errors) {
        BS_LOGE(hal, TAG_PARTS, "partition table has no terminating entry, not valid");
    }
    return ESP_ERR_INVALID_STATE;
}

esp_err_t bs_partition_table_read_app(const bs_hal_t *hal, uint32_t table_offset,
                                      bs_partition_table_t *out)
{
    out->num_rows = 0;
    for (int i = 0; i < ESP_PARTITION_TABLE_MAX_ENTRIES; i++) {
        uint8_t raw[ESP_PARTITION_ENTRY_SIZE];
        esp_err_t err = read_row(hal, table_offset, i, raw);
        if (err != ESP_OK) {
            out->num_rows = 0;
            return err;
        }
        if (bs_partition_row_kind(raw) != BS_ROW_PARTITION) {
            break;
        }
        bs_partition_row_decode(raw, &out->rows[i]);
        out->num_rows = i + 1;
    }
    return ESP_OK;
}

static const char *app_usage(uint8_t subtype)
{
    if (subtype == PART_SUBTYPE_FACTORY) {
        return "factory app";
    }
    if (subtype == PART_SUBTYPE_TEST) {
        return "test app";
    }
    if ((subtype & (uint8_t)~PART_SUBTYPE_OTA_MASK) == PART_SUBTYPE_OTA_FLAG) {
        return "OTA app";
    }
    return "Unknown app";
}

static const char *data_usage(uint8_t subtype)
{
    switch (subtype) {
    case PART_SUBTYPE_DATA_OTA:
        return "OTA data";
    case PART_SUBTYPE_DATA_RF:
        return "RF data";
    case PART_SUBTYPE_DATA_WIFI:
        return "WiFi data";
    default:
        return "Unknown data";
    }
}

const char *bs_partition_usage(uint8_t type, uint8_t subtype)
{
    if (type == PART_TYPE_APP) {
        return app_usage(subtype);
    }
    if (type == PART_TYPE_DATA) {
        return data_usage(subtype);
    }
    return "unknown";
}

void bs_partition_table_print(const bs_hal_t *hal, const bs_partition_table_t *t)
{
    BS_LOGI(hal, TAG_BOOT, "Partition Table:");
    BS_LOGI(hal, TAG_BOOT, "## Label            Usage          Type ST Offset   Length");
    for (int i = 0; i < t->num_rows; i++) {
        const esp_partition_info_t *p = &t->rows[i];
        BS_LOGI(hal, TAG_BOOT, "%2d %-16s %-16s %02x %02x %08x %08x", i, p->label,
                bs_partition_usage(p->type, p->subtype), p->type, p->subtype, (unsigned)p->offset,
                (unsigned)p->size);
    }
    BS_LOGI(hal, TAG_BOOT, "End of partition table");
}

bool bs_partition_in_one_window(uint32_t offset, uint32_t size)
{
    if (size == 0 || size - 1u > UINT32_MAX - offset) {
        return false;
    }
    return (offset >> MB_SHIFT) == ((offset + size - 1u) >> MB_SHIFT);
}

static void note_app_row(bs_boot_slots_t *out, int row, uint8_t subtype)
{
    if (subtype == PART_SUBTYPE_FACTORY) {
        out->factory = row;
    } else if (subtype == PART_SUBTYPE_TEST) {
        out->test = row;
    } else if ((subtype & (uint8_t)~PART_SUBTYPE_OTA_MASK) == PART_SUBTYPE_OTA_FLAG) {
        out->ota[subtype & PART_SUBTYPE_OTA_MASK] = row;
        out->ota_count++;
    }
}

void bs_boot_slots_find(const bs_partition_table_t *t, bs_boot_slots_t *out)
{
    out->factory = -1;
    out->test = -1;
    out->otadata = -1;
    out->ota_count = 0;
    for (int i = 0; i < MAX_OTA_SLOTS; i++) {
        out->ota[i] = -1;
    }
    /* As the SDK: a later duplicate row replaces an earlier one. */
    for (int i = 0; i < t->num_rows; i++) {
        const esp_partition_info_t *p = &t->rows[i];
        if (p->magic != ESP_PARTITION_MAGIC) {
            continue;
        }
        if (p->type == PART_TYPE_APP) {
            note_app_row(out, i, p->subtype);
        } else if (p->type == PART_TYPE_DATA && p->subtype == PART_SUBTYPE_DATA_OTA) {
            out->otadata = i;
        }
    }
}
