/*
 * esp_partition_* over the table the core reads (bs_partition_table_read_app),
 * with the SDK's relative range checks (reference §1.4). The table is read
 * once, on first use, into static arrays so that partition pointers are
 * stable for the app's life, as the SDK's linked list is.
 */
#include "esp_partition.h"

#include <stdlib.h>
#include <string.h>

#include "bs_partition.h"
#include "esp_flash_hal.h"
#include "esp_log.h"
#include "esp_private/partition_table.h"
#include "spi_flash.h"

#ifndef CONFIG_PARTITION_TABLE_OFFSET
#define CONFIG_PARTITION_TABLE_OFFSET ESP_PARTITION_TABLE_OFFSET
#endif

static const char *const TAG = "partition";

struct esp_partition_iterator_opaque_ {
    esp_partition_type_t type;
    esp_partition_subtype_t subtype;
    const char *label; /* NULL: any */
    int next_row;      /* first row not yet looked at */
    const esp_partition_t *info;
};

/* Loaded once; not locked: the first lookup happens before tasks race for it
 * in every app we run, and a second load would write the same bytes. */
static bs_partition_table_t s_table;
static esp_partition_t s_parts[ESP_PARTITION_TABLE_MAX_ENTRIES];
static bool s_loaded;

static void from_row(const esp_partition_info_t *row, esp_partition_t *out)
{
    memset(out, 0, sizeof *out);
    out->type = (esp_partition_type_t)row->type;
    out->subtype = (esp_partition_subtype_t)row->subtype;
    out->address = row->offset;
    out->size = row->size;
    memcpy(out->label, row->label, sizeof out->label); /* the core NUL-terminates at 16 */
    out->label[sizeof out->label - 1] = '\0';
    /* The SDK sets this only with CONFIG_ENABLE_FLASH_ENCRYPT, which the ESP8266 lacks. */
    out->encrypted = false;
}

static bool load_table(void)
{
    if (s_loaded) {
        return true;
    }
    const bs_hal_t *hal = spi_flash_hal();
    if (hal == NULL) {
        ESP_LOGE(TAG, "no flash HAL installed: cannot read the partition table");
        return false;
    }
    esp_err_t err = bs_partition_table_read_app(hal, CONFIG_PARTITION_TABLE_OFFSET, &s_table);
    if (err != ESP_OK) {
        ESP_LOGE(TAG, "reading the partition table at 0x%x failed: 0x%x (%s)",
                 (unsigned)CONFIG_PARTITION_TABLE_OFFSET, (unsigned)err, esp_err_to_name(err));
        s_table.num_rows = 0;
        return false;
    }
    for (int i = 0; i < s_table.num_rows; i++) {
        from_row(&s_table.rows[i], &s_parts[i]);
    }
    s_loaded = true;
    return true;
}

const bs_partition_table_t *esp_partition_table(void)
{
    return load_table() ? &s_table : NULL;
}

const esp_partition_t *esp_partition_from_row(int row)
{
    if (!load_table() || row < 0 || row >= s_table.num_rows) {
        return NULL;
    }
    return &s_parts[row];
}

void esp_partition_table_invalidate(void)
{
    s_loaded = false;
}

static bool matches(const esp_partition_iterator_t it, const esp_partition_t *p)
{
    if (p->type != it->type) {
        return false;
    }
    if (it->subtype != ESP_PARTITION_SUBTYPE_ANY && p->subtype != it->subtype) {
        return false;
    }
    return it->label == NULL || strcmp(it->label, p->label) == 0;
}

esp_partition_iterator_t esp_partition_find(esp_partition_type_t type,
                                            esp_partition_subtype_t subtype, const char *label)
{
    if (!load_table()) {
        return NULL;
    }
    esp_partition_iterator_t it = malloc(sizeof *it);
    if (it == NULL) {
        return NULL;
    }
    it->type = type;
    it->subtype = subtype;
    it->label = label;
    it->next_row = 0;
    it->info = NULL;
    return esp_partition_next(it);
}

esp_partition_iterator_t esp_partition_next(esp_partition_iterator_t it)
{
    if (it == NULL) {
        return NULL;
    }
    while (it->next_row < s_table.num_rows) {
        const esp_partition_t *p = &s_parts[it->next_row++];
        if (matches(it, p)) {
            it->info = p;
            return it;
        }
    }
    esp_partition_iterator_release(it);
    return NULL;
}

const esp_partition_t *esp_partition_find_first(esp_partition_type_t type,
                                                esp_partition_subtype_t subtype, const char *label)
{
    esp_partition_iterator_t it = esp_partition_find(type, subtype, label);
    if (it == NULL) {
        return NULL;
    }
    const esp_partition_t *p = it->info;
    esp_partition_iterator_release(it);
    return p;
}

const esp_partition_t *esp_partition_get(esp_partition_iterator_t iterator)
{
    return iterator ? iterator->info : NULL;
}

void esp_partition_iterator_release(esp_partition_iterator_t iterator)
{
    free(iterator);
}

const esp_partition_t *esp_partition_verify(const esp_partition_t *partition)
{
    if (partition == NULL) {
        return NULL;
    }
    const char *label = partition->label[0] ? partition->label : NULL;
    esp_partition_iterator_t it = esp_partition_find(partition->type, partition->subtype, label);
    for (; it != NULL; it = esp_partition_next(it)) {
        const esp_partition_t *p = it->info;
        if (p->address == partition->address && p->size == partition->size) {
            esp_partition_iterator_release(it);
            return p;
        }
    }
    return NULL;
}

/* The SDK's order: an offset past the end is a bad argument, a length that
 * runs past it a bad size. Written without offset + len, which could wrap. */
static esp_err_t check_range(const esp_partition_t *p, size_t offset, size_t len)
{
    if (offset > p->size) {
        return ESP_ERR_INVALID_ARG;
    }
    if (len > p->size - offset) {
        return ESP_ERR_INVALID_SIZE;
    }
    return ESP_OK;
}

esp_err_t esp_partition_read(const esp_partition_t *partition, size_t src_offset, void *dst,
                             size_t size)
{
    if (partition == NULL || (dst == NULL && size != 0)) {
        return ESP_ERR_INVALID_ARG;
    }
    esp_err_t err = check_range(partition, src_offset, size);
    if (err != ESP_OK) {
        return err;
    }
    return spi_flash_read(partition->address + src_offset, dst, size);
}

esp_err_t esp_partition_write(const esp_partition_t *partition, size_t dst_offset, const void *src,
                              size_t size)
{
    if (partition == NULL || (src == NULL && size != 0)) {
        return ESP_ERR_INVALID_ARG;
    }
    esp_err_t err = check_range(partition, dst_offset, size);
    if (err != ESP_OK) {
        return err;
    }
    return spi_flash_write(partition->address + dst_offset, src, size);
}

esp_err_t esp_partition_erase_range(const esp_partition_t *partition, uint32_t start_addr,
                                    uint32_t size)
{
    if (partition == NULL) {
        return ESP_ERR_INVALID_ARG;
    }
    esp_err_t err = check_range(partition, start_addr, size);
    if (err != ESP_OK) {
        return err;
    }
    if ((size & (SPI_FLASH_SEC_SIZE - 1)) != 0) {
        return ESP_ERR_INVALID_SIZE;
    }
    if ((start_addr & (SPI_FLASH_SEC_SIZE - 1)) != 0) {
        return ESP_ERR_INVALID_ARG;
    }
    return spi_flash_erase_range(partition->address + start_addr, size);
}
