/* Boot slot choice (reference §2.3) and fallback order (§4 step 6), with the
 * SDK's log lines. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "bs_boot.h"
#include "bs_test_hal.h"
#include "bs_test_tables.h"

#define OTADATA_AT 0xd000u
#define EMPTY 0xFFFFFFFFu

typedef enum { ERASED, GOOD, TORN } ent_t;

typedef struct {
    const char *name;
    const trow_t *rows;
    int nrows;
    ent_t a_kind, b_kind;
    uint32_t a, b;
    int want;
    const char *const lines[4]; /* every line logged, in order */
} select_case_t;

static void put(tflash_t *f, int sector, ent_t kind, uint32_t seq)
{
    if (kind == ERASED) {
        return;
    }
    esp_ota_select_entry_t e;
    memset(&e, 0xFF, sizeof e);
    e.ota_seq = seq;
    e.crc = bs_otadata_crc(seq) ^ (kind == TORN ? 0x10u : 0u);
    bs_otadata_encode(&e, f->mem + OTADATA_AT + 0x1000u * (uint32_t)sector);
}

static void test_select_matrix(void **state)
{
    (void)state;
    static const select_case_t cases[] = {
        {"both empty, factory",
         TROWS(FACTORY_TWO_OTA),
         ERASED,
         ERASED,
         0,
         0,
         FACTORY_INDEX,
         {"D boot: OTA data offset 0xd000", "D boot: OTA sequence values A 0xffffffff B 0xffffffff",
          "D boot: OTA sequence numbers both empty (all-0xFF)",
          "I boot: Defaulting to factory image"}},
        {"both empty, no factory",
         TROWS(TWO_OTA),
         ERASED,
         ERASED,
         0,
         0,
         0,
         {"D boot: OTA data offset 0xd000", "D boot: OTA sequence values A 0xffffffff B 0xffffffff",
          "D boot: OTA sequence numbers both empty (all-0xFF)",
          "I boot: No factory image, trying OTA 0"}},
        {"only A",
         TROWS(TWO_OTA),
         GOOD,
         ERASED,
         1,
         0,
         0,
         {"D boot: OTA data offset 0xd000", "D boot: OTA sequence values A 0x00000001 B 0xffffffff",
          "D boot: Only OTA sequence A is valid. Mapping seq 0 -> OTA slot 0"}},
        {"only B",
         TROWS(FACTORY_TWO_OTA),
         ERASED,
         GOOD,
         0,
         2,
         1,
         {"D boot: OTA data offset 0xd000", "D boot: OTA sequence values A 0xffffffff B 0x00000002",
          "D boot: Only OTA sequence B is valid. Mapping seq 1 -> OTA slot 1"}},
        {"both valid, B higher",
         TROWS(TWO_OTA),
         GOOD,
         GOOD,
         3,
         4,
         1,
         {"D boot: OTA data offset 0xd000", "D boot: OTA sequence values A 0x00000003 B 0x00000004",
          "D boot: Both OTA values valid. Mapping seq 3 -> OTA slot 1"}},
        {"both valid, tie",
         TROWS(TWO_OTA),
         GOOD,
         GOOD,
         5,
         5,
         0,
         {"D boot: OTA data offset 0xd000", "D boot: OTA sequence values A 0x00000005 B 0x00000005",
          "D boot: Both OTA values valid. Mapping seq 4 -> OTA slot 0"}},
        {"A torn, B in charge",
         TROWS(TWO_OTA),
         TORN,
         GOOD,
         5,
         4,
         1,
         {"D boot: OTA data offset 0xd000", "D boot: OTA sequence values A 0x00000005 B 0x00000004",
          "D boot: Only OTA sequence B is valid. Mapping seq 3 -> OTA slot 1"}},
        {"none valid, factory",
         TROWS(FACTORY_TWO_OTA),
         TORN,
         TORN,
         1,
         2,
         FACTORY_INDEX,
         {"D boot: OTA data offset 0xd000", "D boot: OTA sequence values A 0x00000001 B 0x00000002",
          "E boot: ota data partition invalid, falling back to factory"}},
        {"none valid, no factory",
         TROWS(TWO_OTA),
         TORN,
         ERASED,
         1,
         0,
         FACTORY_INDEX,
         {"D boot: OTA data offset 0xd000", "D boot: OTA sequence values A 0x00000001 B 0xffffffff",
          "E boot: ota data partition invalid and no factory, will try all partitions"}},
        {"no otadata partition", TROWS(SINGLE_APP), GOOD, GOOD, 1, 2, FACTORY_INDEX, {NULL}},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const select_case_t *c = &cases[i];
        bs_hal_t hal;
        tflash_t *f = tflash_new(0x400000, &hal);
        put(f, 0, c->a_kind, c->a);
        put(f, 1, c->b_kind, c->b);
        bs_partition_table_t t = ttable(c->rows, c->nrows);
        bs_boot_slots_t s;
        bs_boot_slots_find(&t, &s);
        esp_ota_select_entry_t e[2];
        int got = bs_boot_select(&hal, &t, &s, e);
        int nlines = 0;
        while (nlines < 4 && c->lines[nlines]) {
            nlines++;
        }
        bool same = got == c->want && f->log.count == nlines;
        for (int l = 0; same && l < nlines; l++) {
            same = strcmp(f->log.lines[l], c->lines[l]) == 0;
        }
        if (!same) {
            tlog_dump(&f->log);
            fail_msg("%s: got %d want %d", c->name, got, c->want);
        }
        if (s.otadata >= 0) {
            assert_int_equal(e[0].ota_seq, c->a_kind == ERASED ? EMPTY : c->a);
            assert_int_equal(e[1].ota_seq, c->b_kind == ERASED ? EMPTY : c->b);
        }
        tflash_free(f);
    }
}

static void test_select_errors(void **state)
{
    (void)state;
    bs_hal_t hal;
    tflash_t *f = tflash_new(0x400000, &hal);
    const trow_t small[] = {{"otadata", 1, 0, 0xd000, 0x1000},
                            {"ota_0", 0, 0x10, 0x10000, 0xF0000}};
    bs_partition_table_t t = ttable(TROWS(small));
    bs_boot_slots_t s;
    bs_boot_slots_find(&t, &s);
    assert_int_equal(bs_boot_select(&hal, &t, &s, NULL), INVALID_INDEX);
    assert_string_equal(f->log.lines[0],
                        "E boot: ota_info partition size 4096 is too small (minimum 8192 bytes)");

    /* otadata unreadable (here: beyond the configured chip). */
    f->log.count = 0;
    const trow_t far[] = {{"otadata", 1, 0, 0x3ff000, 0x2000},
                          {"ota_0", 0, 0x10, 0x10000, 0xF0000}};
    t = ttable(TROWS(far));
    bs_boot_slots_find(&t, &s);
    assert_int_equal(bs_boot_select(&hal, &t, &s, NULL), INVALID_INDEX);
    assert_string_equal(f->log.lines[0], "E boot: bootloader_mmap(0x3ff000, 0x2000) failed");

    /* A valid seq with no OTA slot at all: the SDK divides by zero; we fall back. */
    f->log.count = 0;
    const trow_t none[] = {{"otadata", 1, 0, 0xd000, 0x2000}, {"factory", 0, 0, 0x10000, 0xF0000}};
    t = ttable(TROWS(none));
    bs_boot_slots_find(&t, &s);
    put(f, 0, GOOD, 1);
    assert_int_equal(bs_boot_select(&hal, &t, &s, NULL), FACTORY_INDEX);
    assert_int_equal(tlog_count_level(&f->log, 'E'), 1);
    tflash_free(f);
}

typedef struct {
    const char *name;
    bool factory, test;
    int ota_mask; /* bit n: ota_n present */
    int selected;
    int want[MAX_OTA_SLOTS + 2];
    int nwant;
} order_case_t;

#define F FACTORY_INDEX
#define T TEST_APP_INDEX

static void test_try_order(void **state)
{
    (void)state;
    static const order_case_t cases[] = {
        {"factory, OTA0, OTA1: factory", true, false, 0x3, F, {F, 0, 1}, 3},
        {"factory, OTA0, OTA1: OTA0", true, false, 0x3, 0, {0, F, 1}, 3},
        {"factory, OTA0, OTA1: OTA1", true, false, 0x3, 1, {1, 0, F}, 3},
        {"OTA0, OTA1: OTA1", false, false, 0x3, 1, {1, 0}, 2},
        {"OTA0, OTA1: OTA0", false, false, 0x3, 0, {0, 1}, 2},
        {"OTA0-3 + test: OTA2", false, true, 0xF, 2, {2, 1, 0, 3, T}, 5},
        {"factory + test: factory", true, true, 0x0, F, {F, T}, 2},
        {"test selected: test only", true, true, 0x3, T, {T}, 1},
        {"test selected, none present", true, false, 0x3, T, {0}, 0},
        {"gap: OTA0, OTA2 from OTA1", false, false, 0x5, 1, {0, 2}, 2},
        {"nothing present", false, false, 0x0, 0, {0}, 0},
        {"invalid index", true, true, 0x3, INVALID_INDEX, {0}, 0},
        {"all sixteen: OTA15",
         true,
         true,
         0xFFFF,
         15,
         {15, 14, 13, 12, 11, 10, 9, 8, 7, 6, 5, 4, 3, 2, 1, 0, F, T},
         18},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const order_case_t *c = &cases[i];
        bs_boot_slots_t s;
        s.factory = c->factory ? 40 : -1;
        s.test = c->test ? 41 : -1;
        s.otadata = 1;
        s.ota_count = 0;
        for (int n = 0; n < MAX_OTA_SLOTS; n++) {
            s.ota[n] = (c->ota_mask >> n) & 1 ? 10 + n : -1;
            s.ota_count += (c->ota_mask >> n) & 1;
        }
        int order[MAX_OTA_SLOTS + 2];
        int n = bs_boot_try_order(&s, c->selected, order, MAX_OTA_SLOTS + 2);
        if (n != c->nwant || memcmp(order, c->want, sizeof(int) * (size_t)n) != 0) {
            fail_msg("%s: %d entries", c->name, n);
        }
    }
}

static void test_try_order_respects_max(void **state)
{
    (void)state;
    bs_boot_slots_t s = {.factory = 0, .test = 3, .otadata = -1, .ota_count = 2};
    for (int n = 0; n < MAX_OTA_SLOTS; n++) {
        s.ota[n] = n < 2 ? 1 + n : -1;
    }
    int order[2] = {99, 99};
    assert_int_equal(bs_boot_try_order(&s, 1, order, 2), 2);
    assert_int_equal(order[0], 1);
    assert_int_equal(order[1], 0);
    assert_int_equal(bs_boot_try_order(&s, 1, order, 0), 0);
}

static void test_slot_row(void **state)
{
    (void)state;
    bs_partition_table_t t = ttable(TROWS(FACTORY_TWO_OTA));
    bs_boot_slots_t s;
    bs_boot_slots_find(&t, &s);
    assert_int_equal(bs_boot_slot_row(&s, FACTORY_INDEX), 3);
    assert_int_equal(bs_boot_slot_row(&s, 0), 4);
    assert_int_equal(bs_boot_slot_row(&s, 1), 5);
    assert_int_equal(bs_boot_slot_row(&s, 2), -1);
    assert_int_equal(bs_boot_slot_row(&s, TEST_APP_INDEX), -1);
    assert_int_equal(bs_boot_slot_row(&s, INVALID_INDEX), -1);
    assert_int_equal(bs_boot_slot_row(&s, MAX_OTA_SLOTS), -1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_select_matrix), cmocka_unit_test(test_select_errors),
        cmocka_unit_test(test_try_order),     cmocka_unit_test(test_try_order_respects_max),
        cmocka_unit_test(test_slot_row),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
