/*
 * Partition table binary at boot: the fuzzer's bytes become the table in a
 * read-only chip, then go through what the bootloader and the app do with
 * it: bs_partition_table_load, bs_partition_table_read_app, the slot search,
 * the otadata choice and the fallback order.
 *
 * Input: [0] chip size code, [1] table offset code, [2..65] otadata entries
 * A and B (placed at the otadata row's offset, if the table has one), then
 * the table bytes (the rest of the chip reads 0xFF, as erased flash).
 */
#include <stdint.h>
#include <string.h>

#include "bs_boot.h"
#include "bs_partition.h"
#include "fuzz_util.h"

#define MB (1024u * 1024u)
#define OTADATA_LEN (2 * ESP_OTADATA_ENTRY_SIZE)
#define OTADATA_B_OFFSET 0x1000u

static uint32_t chip_size_of(uint8_t code)
{
    static const uint32_t sizes[] = {4 * MB,  1 * MB, 2 * MB, 8 * MB,
                                     16 * MB, MB / 2, MB / 4, 4 * MB};
    return sizes[code & 7u];
}

/* Code 0 is the SDK default 0x8000; others try tables anywhere, even off the chip. */
static uint32_t table_offset_of(uint8_t code)
{
    return code == 0 ? ESP_PARTITION_TABLE_OFFSET : (uint32_t)code << 12;
}

static void check_loaded(const bs_hal_t *hal, const bs_partition_table_t *t)
{
    FZ_CHECK(t->num_rows >= 0 && t->num_rows < ESP_PARTITION_TABLE_MAX_ENTRIES,
             "load: %d rows leaves no room for the end marker", t->num_rows);
    for (int i = 0; i < t->num_rows; i++) {
        const esp_partition_info_t *p = &t->rows[i];
        FZ_CHECK(p->magic == ESP_PARTITION_MAGIC || p->magic == ESP_PARTITION_MAGIC_MD5,
                 "load: row %d kept with magic 0x%x", i, p->magic);
        FZ_CHECK(p->label[ESP_PARTITION_LABEL_LEN] == '\0', "row %d label unterminated", i);
        if (p->magic == ESP_PARTITION_MAGIC) {
            FZ_CHECK((uint64_t)p->offset + p->size <= hal->chip_size,
                     "load: row %d 0x%x+0x%x accepted past chip 0x%x", i, (unsigned)p->offset,
                     (unsigned)p->size, (unsigned)hal->chip_size);
        }
    }
}

/* The app's view is the bootloader's up to the first MD5 row. */
static void check_app_view(const bs_partition_table_t *boot, const bs_partition_table_t *app)
{
    FZ_CHECK(app->num_rows <= boot->num_rows, "app sees %d rows, bootloader %d", app->num_rows,
             boot->num_rows);
    for (int i = 0; i < app->num_rows; i++) {
        FZ_CHECK(memcmp(&app->rows[i], &boot->rows[i], sizeof app->rows[i]) == 0,
                 "row %d differs between app and bootloader", i);
    }
    if (app->num_rows < boot->num_rows) {
        FZ_CHECK(boot->rows[app->num_rows].magic == ESP_PARTITION_MAGIC_MD5,
                 "app view stopped at row %d, which is not an MD5 row", app->num_rows);
    }
}

static void check_row_index(const bs_partition_table_t *t, int row, uint8_t type, const char *what)
{
    if (row < 0) {
        FZ_CHECK(row == -1, "%s row index %d", what, row);
        return;
    }
    FZ_CHECK(row < t->num_rows, "%s row %d past %d rows", what, row, t->num_rows);
    FZ_CHECK(t->rows[row].magic == ESP_PARTITION_MAGIC && t->rows[row].type == type,
             "%s row %d has magic 0x%x type 0x%x", what, row, t->rows[row].magic,
             t->rows[row].type);
}

static void check_slots(const bs_partition_table_t *t, const bs_boot_slots_t *s)
{
    check_row_index(t, s->factory, PART_TYPE_APP, "factory");
    check_row_index(t, s->test, PART_TYPE_APP, "test");
    check_row_index(t, s->otadata, PART_TYPE_DATA, "otadata");
    int present = 0;
    for (int n = 0; n < MAX_OTA_SLOTS; n++) {
        check_row_index(t, s->ota[n], PART_TYPE_APP, "ota");
        if (s->ota[n] >= 0) {
            FZ_CHECK(t->rows[s->ota[n]].subtype == PART_SUBTYPE_OTA_FLAG + n,
                     "ota[%d] is row %d with subtype 0x%x", n, s->ota[n],
                     t->rows[s->ota[n]].subtype);
            present++;
        }
    }
    FZ_CHECK(s->ota_count >= present && s->ota_count <= t->num_rows,
             "ota_count %d with %d distinct slots in %d rows", s->ota_count, present, t->num_rows);
}

static void check_selection(const bs_boot_slots_t *s, int selected)
{
    bool known = selected == FACTORY_INDEX || selected == TEST_APP_INDEX ||
                 selected == INVALID_INDEX || (selected >= 0 && selected < MAX_OTA_SLOTS);
    FZ_CHECK(known, "bs_boot_select returned %d", selected);
    if (selected >= 0) {
        /* seq -> slot is modulo ota_count, which counts every OTA row */
        FZ_CHECK(selected < s->ota_count || (s->otadata >= 0 && s->ota_count == 0 && selected == 0),
                 "selected slot %d with ota_count %d", selected, s->ota_count);
    }
}

static void check_order(const bs_boot_slots_t *s, int selected, const int *order, int n, int max)
{
    FZ_CHECK(n >= 0 && n <= max, "try order of %d entries (max %d)", n, max);
    for (int i = 0; i < n; i++) {
        FZ_CHECK(bs_boot_slot_row(s, order[i]) >= 0, "try order lists absent slot %d", order[i]);
        for (int j = 0; j < i; j++) {
            FZ_CHECK(order[i] != order[j], "try order lists slot %d twice", order[i]);
        }
    }
    if (bs_boot_slot_row(s, selected) >= 0 && max > 0) {
        FZ_CHECK(n > 0 && order[0] == selected, "present slot %d is not tried first", selected);
    }
}

static void boot_flow(const bs_hal_t *hal, fz_sparse_t *flash, const bs_partition_table_t *t,
                      const uint8_t *otadata, int max_order)
{
    bs_boot_slots_t s;
    bs_boot_slots_find(t, &s);
    check_slots(t, &s);
    if (s.otadata >= 0) {
        const esp_partition_info_t *od = &t->rows[s.otadata];
        fz_sparse_add(flash, od->offset, otadata, ESP_OTADATA_ENTRY_SIZE);
        fz_sparse_add(flash, od->offset + OTADATA_B_OFFSET, otadata + ESP_OTADATA_ENTRY_SIZE,
                      ESP_OTADATA_ENTRY_SIZE);
    }
    esp_ota_select_entry_t e[2];
    int selected = bs_boot_select(hal, t, &s, e);
    check_selection(&s, selected);
    int order[MAX_OTA_SLOTS + 2];
    int n = bs_boot_try_order(&s, selected, order, max_order);
    check_order(&s, selected, order, n, max_order);
    bs_partition_table_print(hal, t);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fz_in_t in = {data, size};
    uint32_t chip = chip_size_of(fz_u8(&in));
    uint32_t table_at = table_offset_of(fz_u8(&in));
    uint8_t otadata[OTADATA_LEN];
    fz_bytes(&in, otadata, sizeof otadata, 0xFF);
    size_t table_len =
        in.left < ESP_PARTITION_TABLE_MAX_LEN ? in.left : ESP_PARTITION_TABLE_MAX_LEN;

    bs_hal_t hal;
    fz_sparse_t flash;
    fz_sparse_hal(&hal, &flash, chip);
    FZ_CHECK(bs_hal_check(&hal) == ESP_OK, "harness HAL rejected");
    fz_sparse_add(&flash, table_at, in.p, (uint32_t)table_len);

    static bs_partition_table_t boot, app;
    esp_err_t load = bs_partition_table_load(&hal, table_at, true, &boot);
    esp_err_t read = bs_partition_table_read_app(&hal, table_at, &app);
    FZ_CHECK(load == ESP_OK || load == ESP_ERR_INVALID_STATE || load == ESP_ERR_INVALID_SIZE ||
                 load == ESP_ERR_FLASH_OP_FAIL,
             "load returned 0x%x", (unsigned)load);
    FZ_CHECK(flash.max_read_end <= (uint64_t)table_at + ESP_PARTITION_TABLE_MAX_LEN,
             "table reads reached 0x%llx, past 0x%x + 0xC00",
             (unsigned long long)flash.max_read_end, (unsigned)table_at);
    FZ_CHECK(app.num_rows >= 0 && app.num_rows <= ESP_PARTITION_TABLE_MAX_ENTRIES,
             "read_app: %d rows", app.num_rows);
    for (int i = 0; i < app.num_rows; i++) {
        FZ_CHECK(app.rows[i].magic == ESP_PARTITION_MAGIC, "read_app kept row %d magic 0x%x", i,
                 app.rows[i].magic);
    }
    if (load != ESP_OK) {
        /* The bootloader stops here; the app-side reader still has to be safe. */
        FZ_CHECK(read == ESP_OK || read == ESP_ERR_FLASH_OP_FAIL, "read_app 0x%x", (unsigned)read);
        return 0;
    }
    FZ_CHECK(read == ESP_OK, "bootloader accepted a table the app cannot read (0x%x)",
             (unsigned)read);
    check_loaded(&hal, &boot);
    check_app_view(&boot, &app);
    /* A short order buffer must be honoured too. */
    int max_order =
        (size > 0 && (data[size - 1] & 0x80)) ? (data[size - 1] & 0x0F) : MAX_OTA_SLOTS + 2;
    boot_flow(&hal, &flash, &boot, otadata, max_order);
    return 0;
}
