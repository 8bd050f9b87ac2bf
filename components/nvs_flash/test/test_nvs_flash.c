/* nvs_flash without a store: init finds the "nvs" data partition, erase erases it. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "bs_partition.h"
#include "esp_flash_hal.h"
#include "esp_partition.h"
#include "esp_private/partition_table.h"
#include "nvs_flash.h"
#include "sim_flash.h"

#define CHIP_SIZE (4u * 1024 * 1024)

typedef struct {
    const char *label;
    uint8_t type, subtype;
    uint32_t offset, size;
} row_t;

/* partitions_two_ota.csv: nvs at 0x9000, 16 KB. */
static const row_t WITH_NVS[] = {
    {"nvs", 1, 2, 0x9000, 0x4000},         {"otadata", 1, 0, 0xd000, 0x2000},
    {"phy_init", 1, 1, 0xf000, 0x1000},    {"ota_0", 0, 0x10, 0x10000, 0xF0000},
    {"ota_1", 0, 0x11, 0x110000, 0xF0000},
};
static const row_t WITHOUT_NVS[] = {
    {"phy_init", 1, 1, 0xf000, 0x1000},
    {"factory", 0, 0, 0x10000, 0xF0000},
};
/* Labelled "nvs" but of another subtype: the SDK's lookup wants both. */
static const row_t NVS_LABEL_WRONG_SUBTYPE[] = {
    {"nvs", 1, 1, 0x9000, 0x4000},
    {"factory", 0, 0, 0x10000, 0xF0000},
};

typedef struct {
    char path[64];
    sim_flash_t f;
    bs_hal_t hal;
} chip_t;

static chip_t s_chip;

/* A fresh erased chip holding `rows` as its partition table, installed as the app's flash. */
static void chip_with_table(const row_t *rows, size_t n)
{
    snprintf(s_chip.path, sizeof s_chip.path, "/tmp/ota8266-nvs-XXXXXX");
    int fd = mkstemp(s_chip.path);
    assert_true(fd >= 0);
    close(fd);
    unlink(s_chip.path); /* sim_flash_open creates it erased */
    assert_int_equal(sim_flash_open(&s_chip.f, s_chip.path, CHIP_SIZE, true, NULL), ESP_OK);
    uint8_t table[ESP_PARTITION_TABLE_MAX_LEN];
    memset(table, 0xFF, sizeof table);
    for (size_t i = 0; i < n; i++) {
        esp_partition_info_t p;
        memset(&p, 0, sizeof p);
        p.magic = ESP_PARTITION_MAGIC;
        p.type = rows[i].type;
        p.subtype = rows[i].subtype;
        p.offset = rows[i].offset;
        p.size = rows[i].size;
        strncpy(p.label, rows[i].label, ESP_PARTITION_LABEL_LEN);
        bs_partition_row_encode(&p, table + ESP_PARTITION_ENTRY_SIZE * i);
    }
    assert_int_equal(sim_flash_write(&s_chip.f, ESP_PARTITION_TABLE_OFFSET, table, sizeof table),
                     ESP_OK);
    sim_flash_hal(&s_chip.f, 0, &s_chip.hal);
    spi_flash_hal_install(&s_chip.hal);
    esp_partition_table_invalidate();
}

static int chip_close(void **state)
{
    (void)state;
    (void)nvs_flash_deinit(); /* leave no state to the next test; NOT_INITIALIZED is fine */
    sim_flash_close(&s_chip.f);
    unlink(s_chip.path);
    return 0;
}

typedef struct {
    const char *name;
    const row_t *rows;
    size_t n;
    esp_err_t init, erase;
} init_case_t;

static void test_init_and_erase_table(void **state)
{
    static const init_case_t cases[] = {
        {"two_ota (nvs at 0x9000)", WITH_NVS, 5, ESP_OK, ESP_OK},
        {"no nvs partition", WITHOUT_NVS, 2, ESP_ERR_NOT_FOUND, ESP_ERR_NOT_FOUND},
        {"label nvs, subtype phy", NVS_LABEL_WRONG_SUBTYPE, 2, ESP_ERR_NOT_FOUND,
         ESP_ERR_NOT_FOUND},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        print_message("case: %s\n", cases[i].name);
        chip_with_table(cases[i].rows, cases[i].n);
        assert_int_equal(nvs_flash_init(), cases[i].init);
        assert_int_equal(nvs_flash_erase(), cases[i].erase);
        chip_close(state);
    }
}

static void test_erase_erases_the_whole_partition(void **state)
{
    (void)state;
    chip_with_table(WITH_NVS, 5);
    const uint8_t junk[4] = {0x12, 0x34, 0x56, 0x78};
    assert_int_equal(sim_flash_write(&s_chip.f, 0x9000, junk, sizeof junk), ESP_OK);
    assert_int_equal(sim_flash_write(&s_chip.f, 0x9000 + 0x3FFC, junk, sizeof junk), ESP_OK);
    assert_int_equal(sim_flash_write(&s_chip.f, 0xd000, junk, sizeof junk), ESP_OK); /* otadata */
    uint64_t erases = s_chip.f.st->counters.erases;
    assert_int_equal(nvs_flash_erase(), ESP_OK);
    assert_int_equal(s_chip.f.st->counters.erases - erases, 4); /* 16 KB: four sectors, no more */
    uint8_t back[0x4000];
    assert_int_equal(sim_flash_read(&s_chip.f, 0x9000, back, sizeof back), ESP_OK);
    for (size_t i = 0; i < sizeof back; i++) {
        assert_int_equal(back[i], 0xFF);
    }
    uint8_t next[4];
    assert_int_equal(sim_flash_read(&s_chip.f, 0xd000, next, sizeof next), ESP_OK);
    assert_memory_equal(next, junk, sizeof junk); /* the partition after nvs is untouched */
}

static void test_deinit_needs_init(void **state)
{
    (void)state;
    chip_with_table(WITH_NVS, 5);
    assert_int_equal(nvs_flash_deinit(), ESP_ERR_NVS_NOT_INITIALIZED);
    assert_int_equal(nvs_flash_init(), ESP_OK);
    assert_int_equal(nvs_flash_init(), ESP_OK); /* twice is fine, as in the SDK */
    assert_int_equal(nvs_flash_deinit(), ESP_OK);
    assert_int_equal(nvs_flash_deinit(), ESP_ERR_NVS_NOT_INITIALIZED);
}

/* The examples' recovery idiom depends on these exact values (and their names). */
static void test_codes_are_the_sdks(void **state)
{
    (void)state;
    assert_int_equal(ESP_ERR_NVS_NO_FREE_PAGES, 0x110d);
    assert_int_equal(ESP_ERR_NVS_NEW_VERSION_FOUND, 0x1110);
    assert_int_equal(ESP_ERR_NVS_NOT_INITIALIZED, 0x1101);
    assert_string_equal(esp_err_to_name(ESP_ERR_NVS_NO_FREE_PAGES), "ESP_ERR_NVS_NO_FREE_PAGES");
    assert_string_equal(esp_err_to_name(ESP_ERR_NVS_NEW_VERSION_FOUND),
                        "ESP_ERR_NVS_NEW_VERSION_FOUND");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_init_and_erase_table),
        cmocka_unit_test_teardown(test_erase_erases_the_whole_partition, chip_close),
        cmocka_unit_test_teardown(test_deinit_needs_init, chip_close),
        cmocka_unit_test(test_codes_are_the_sdks),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
