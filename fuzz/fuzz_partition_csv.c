/*
 * The host tool's partition table paths (gen_esp32part.py's): the fuzzer's
 * bytes are read both as CSV text (parse, verify, encode to binary) and as
 * a binary table (decode, write CSV). Round trips must hold where the format
 * allows them:
 *   CSV -> rows -> binary -> rows: the same rows (names cut to 16 bytes);
 *   binary -> the portable core's reader: the same rows as the tool's;
 *   rows -> CSV -> rows: the same rows, for names that CSV can carry.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bs_partition.h"
#include "fuzz_util.h"
#include "part_bin.h"
#include "part_csv.h"

static FILE *s_null;

/* The tool allocates freely (open_memstream per CSV line); with ASan's 256 MB
 * quarantine every allocation faults in fresh pages, a third of the speed.
 * 16 MB still catches use-after-free within one input. */
const char *__asan_default_options(void);
const char *__asan_default_options(void)
{
    return "quarantine_size_mb=16";
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    s_null = fopen("/dev/null", "w");
    return s_null != NULL ? 0 : 1;
}

/* Names CSV writes back as they were: no separators, spaces, '#' or '$'. */
static bool csv_safe_name(const char *name)
{
    if (*name == '\0') {
        return false;
    }
    for (const char *p = name; *p; p++) {
        bool ok = (*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
                  (*p >= '0' && *p <= '9') || *p == '_' || *p == '-' || *p == '.';
        if (!ok) {
            return false;
        }
    }
    return true;
}

static bool table_csv_safe(const part_table_t *t)
{
    for (size_t i = 0; i < t->count; i++) {
        if (!csv_safe_name(t->rows[i].name)) {
            return false;
        }
    }
    return true;
}

/* from_csv insists on table order (each row at or past the previous end);
 * verify only sorts by offset, so a binary may pass it and still not re-read. */
static bool table_in_csv_order(const part_table_t *t, const part_opts_t *o)
{
    int64_t last_end = o->table_offset + PART_TABLE_SECTOR;
    for (size_t i = 0; i < t->count; i++) {
        if (t->rows[i].offset < last_end) {
            return false;
        }
        last_end = t->rows[i].offset + t->rows[i].size;
    }
    return true;
}

static void check_rows_equal(const part_row_t *a, const part_row_t *b, size_t name_len,
                             const char *what, size_t i)
{
    FZ_CHECK(a->type == b->type && a->subtype == b->subtype && a->offset == b->offset &&
                 a->size == b->size && a->encrypted == b->encrypted,
             "%s: row %zu differs (type %lld/%lld subtype %lld/%lld offset 0x%llx/0x%llx size "
             "0x%llx/0x%llx)",
             what, i, (long long)a->type, (long long)b->type, (long long)a->subtype,
             (long long)b->subtype, (long long)a->offset, (long long)b->offset, (long long)a->size,
             (long long)b->size);
    FZ_CHECK(strncmp(a->name, b->name, name_len) == 0, "%s: row %zu name '%s' vs '%s'", what, i,
             a->name, b->name);
}

/* rows -> CSV text -> rows: what `partition_table` writes it must read back. */
static void check_csv_round_trip(const part_table_t *t, const part_opts_t *o)
{
    char *text = NULL;
    size_t len = 0;
    FILE *mem = open_memstream(&text, &len);
    FZ_CHECK(mem != NULL, "harness: open_memstream");
    part_table_write_csv(t, mem);
    FZ_CHECK(fclose(mem) == 0, "harness: fclose");
    part_table_t back = {0};
    part_err_t e = {0};
    int st = part_csv_parse(text, len, o, &back, &e);
    FZ_CHECK(st == 0, "written CSV does not parse back: %s\n%s", e.msg ? e.msg : "", text);
    FZ_CHECK(back.count == t->count, "CSV round trip: %zu rows, then %zu", t->count, back.count);
    for (size_t i = 0; i < t->count; i++) {
        check_rows_equal(&t->rows[i], &back.rows[i], SIZE_MAX, "CSV round trip", i);
    }
    part_err_free(&e);
    part_table_free(&back);
    free(text);
}

/* The core's app-side reader must see in the tool's binary what the tool wrote. */
static void check_core_reads(const uint8_t *bin, size_t bin_len, const part_table_t *t)
{
    bs_hal_t hal;
    fz_sparse_t flash;
    fz_sparse_hal(&hal, &flash, 0x1000000);
    fz_sparse_add(&flash, ESP_PARTITION_TABLE_OFFSET, bin, (uint32_t)bin_len);
    static bs_partition_table_t core;
    FZ_CHECK(bs_partition_table_read_app(&hal, ESP_PARTITION_TABLE_OFFSET, &core) == ESP_OK,
             "core cannot read the table");
    size_t expect =
        t->count < ESP_PARTITION_TABLE_MAX_ENTRIES ? t->count : ESP_PARTITION_TABLE_MAX_ENTRIES;
    FZ_CHECK((size_t)core.num_rows == expect, "core reads %d rows, tool %zu", core.num_rows,
             t->count);
    for (size_t i = 0; i < expect; i++) {
        const esp_partition_info_t *c = &core.rows[i];
        const part_row_t *r = &t->rows[i];
        FZ_CHECK(c->type == r->type && c->subtype == r->subtype && c->offset == r->offset &&
                     c->size == r->size && ((c->flags & PART_FLAG_ENCRYPTED) != 0) == r->encrypted,
                 "core and tool disagree on row %zu", i);
        FZ_CHECK(strncmp(c->label, r->name, ESP_PARTITION_LABEL_LEN) == 0,
                 "row %zu label '%s' vs name '%s'", i, c->label, r->name);
    }
}

static void csv_path(const uint8_t *data, size_t size, const part_opts_t *o)
{
    part_table_t t = {0};
    part_err_t e = {0};
    if (part_csv_parse((const char *)data, size, o, &t, &e) != 0) {
        FZ_CHECK(e.status == PART_EXIT_INPUT || e.status == PART_EXIT_FAIL, "status %d", e.status);
        goto out;
    }
    for (size_t i = 0; i < t.count; i++) {
        FZ_CHECK(t.rows[i].name != NULL && t.rows[i].has_offset, "row %zu incomplete", i);
    }
    (void)part_table_flash_end(&t);
    if (part_table_verify(&t, o, s_null, s_null, &e) != 0) {
        goto out;
    }
    static uint8_t bin[ESP_PARTITION_TABLE_MAX_LEN];
    if (part_table_to_binary(&t, o->md5sum, bin, &e) != 0) {
        goto out;
    }
    check_core_reads(bin, sizeof bin, &t);
    part_table_t back = {0};
    part_err_t be = {0};
    int st = part_table_from_binary(bin, sizeof bin, o->md5sum, s_null, &back, &be);
    /* a name cut at 16 bytes may end inside a UTF-8 character: the script dies on it too */
    FZ_CHECK(st == 0 || be.status == PART_EXIT_FAIL, "tool rejects its own binary: %s",
             be.msg ? be.msg : "");
    if (st == 0) {
        FZ_CHECK(back.count == t.count, "binary round trip: %zu rows, then %zu", t.count,
                 back.count);
        for (size_t i = 0; i < t.count; i++) {
            check_rows_equal(&t.rows[i], &back.rows[i], ESP_PARTITION_LABEL_LEN,
                             "binary round trip", i);
        }
    }
    part_err_free(&be);
    part_table_free(&back);
    if (table_csv_safe(&t)) {
        check_csv_round_trip(&t, o);
    }
out:
    part_err_free(&e);
    part_table_free(&t);
}

static void binary_path(const uint8_t *data, size_t size, bool md5sum)
{
    part_table_t t = {0};
    part_err_t e = {0};
    if (part_table_from_binary(data, size, md5sum, s_null, &t, &e) == 0) {
        if (!md5sum && size <= ESP_PARTITION_TABLE_MAX_LEN) {
            check_core_reads(data, size, &t);
        }
        part_table_write_csv(&t, s_null);
        part_opts_t o = {.table_offset = ESP_PARTITION_TABLE_OFFSET, .md5sum = md5sum};
        if (table_csv_safe(&t) && table_in_csv_order(&t, &o) &&
            part_table_verify(&t, &o, s_null, s_null, &e) == 0) {
            check_csv_round_trip(&t, &o);
        }
    }
    part_err_free(&e);
    part_table_free(&t);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    part_opts_t plain = {.table_offset = ESP_PARTITION_TABLE_OFFSET, .md5sum = true};
    part_opts_t secure = {.table_offset = 0x9000, .secure = true, .md5sum = false};
    csv_path(data, size, &plain);
    csv_path(data, size, &secure);
    binary_path(data, size, true);
    binary_path(data, size, false);
    return 0;
}
