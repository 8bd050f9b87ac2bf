/* Rollback in the core: every row of the state -> action table, the same
 * rule restated independently over every state x configuration x field
 * value, the rollback order, and the state rewrites on a RAM flash
 * (written into the copy not in charge; a failed write leaves the old state
 * in charge). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "bs_boot.h"
#include "bs_otadata.h"
#include "bs_port.h"
#include "bs_rollback.h"
#include "bs_test_hal.h"
#include "bs_test_tables.h"

#define OTADATA_AT 0xd000u
#define NONE BS_RB_NONE

static const bs_rb_config_t ON1 = {true, 1};
static const bs_rb_config_t ON3 = {true, 3};
static const bs_rb_config_t OFF = {false, 1};

static esp_ota_select_entry_t entry(uint32_t seq, uint32_t state, uint8_t attempts, uint8_t allowed,
                                    uint8_t target)
{
    esp_ota_select_entry_t e;
    e.ota_seq = seq;
    memset(e.seq_label, 0xFF, sizeof e.seq_label);
    e.ota_state = state;
    e.crc = bs_otadata_crc(seq);
    const bs_rb_fields_t f = {attempts, allowed, target};
    bs_rb_fields_set(&e, &f);
    return e;
}

/* ---- the table ------------------------------------------------------------ */

/* The table as docs/formats/otadata.md §5 states it: changing a row must
 * change this copy too. */
static void test_table_is_the_documented_one(void **state)
{
    (void)state;
    static const bs_rb_rule_t want[] = {
        {false, ESP_OTA_IMG_INVALID, BS_RB_ANY, BS_RB_ANY, BS_RB_FALLBACK, 0},
        {false, ESP_OTA_IMG_ABORTED, BS_RB_ANY, BS_RB_ANY, BS_RB_FALLBACK, 0},
        {false, ESP_OTA_IMG_NEW, BS_RB_YES, BS_RB_ANY, BS_RB_TRY, ESP_OTA_IMG_PENDING_VERIFY},
        {false, ESP_OTA_IMG_PENDING_VERIFY, BS_RB_YES, BS_RB_YES, BS_RB_TRY,
         ESP_OTA_IMG_PENDING_VERIFY},
        {false, ESP_OTA_IMG_PENDING_VERIFY, BS_RB_YES, BS_RB_NO, BS_RB_ABORT, ESP_OTA_IMG_ABORTED},
        {true, 0, BS_RB_ANY, BS_RB_ANY, BS_RB_BOOT, 0},
    };
    int n;
    const bs_rb_rule_t *rules = bs_rb_rules(&n);
    assert_int_equal(n, (int)(sizeof want / sizeof want[0]));
    for (int i = 0; i < n; i++) {
        assert_int_equal(rules[i].any_state, want[i].any_state);
        assert_int_equal(rules[i].state, want[i].state);
        assert_int_equal(rules[i].enabled, want[i].enabled);
        assert_int_equal(rules[i].left, want[i].left);
        assert_int_equal(rules[i].action, want[i].action);
        assert_int_equal(rules[i].new_state, want[i].new_state);
    }
    assert_true(rules[n - 1].any_state); /* the last row catches everything */
}

/* Each row is reached by an input made from its own columns, and decides
 * what the row says: nothing earlier shadows it. */
static void test_every_row_is_reachable(void **state)
{
    (void)state;
    int n;
    const bs_rb_rule_t *rules = bs_rb_rules(&n);
    for (int i = 0; i < n; i++) {
        const bs_rb_rule_t *r = &rules[i];
        bs_rb_config_t cfg = {r->enabled != BS_RB_NO, 3};
        /* The catch-all row: a state no other row names. */
        uint32_t st = r->any_state ? ESP_OTA_IMG_VALID : r->state;
        esp_ota_select_entry_t e =
            r->left == BS_RB_NO ? entry(7, st, 3, 3, 0x00) : entry(7, st, 1, 3, 0x00);
        bs_rb_decision_t d;
        bs_rb_decide(&e, &cfg, &d);
        if (d.rule != i) {
            fail_msg("row %d is shadowed: its input matched row %d", i, d.rule);
        }
        assert_int_equal(d.action, r->action);
        assert_int_equal(d.state, st);
        if (d.action == BS_RB_TRY || d.action == BS_RB_ABORT) {
            assert_int_equal(d.new_state, r->new_state);
        }
    }
}

/* The rule in words (Kconfig help, DESIGN.md §4), written without the table. */
static bs_rb_action_t spec(uint32_t st, bool enabled, uint8_t attempts, uint8_t allowed)
{
    if (st == ESP_OTA_IMG_INVALID || st == ESP_OTA_IMG_ABORTED) {
        return BS_RB_FALLBACK;
    }
    if (!enabled) {
        return BS_RB_BOOT;
    }
    if (st == ESP_OTA_IMG_NEW) {
        return BS_RB_TRY;
    }
    if (st == ESP_OTA_IMG_PENDING_VERIFY) {
        bool sane = attempts >= 1 && attempts <= 15 && allowed >= 1 && allowed <= 15;
        return sane && attempts < allowed ? BS_RB_TRY : BS_RB_ABORT;
    }
    return BS_RB_BOOT;
}

static void test_every_state_config_and_field_value(void **state)
{
    (void)state;
    static const uint32_t states[] = {
        ESP_OTA_IMG_NEW,
        ESP_OTA_IMG_PENDING_VERIFY,
        ESP_OTA_IMG_VALID,
        ESP_OTA_IMG_INVALID,
        ESP_OTA_IMG_ABORTED,
        ESP_OTA_IMG_UNDEFINED,
        5,
        0x12345678,
    };
    static const uint8_t values[] = {0, 1, 2, 3, 14, 15, 16, 0x7F, 0xFF};
    int cases = 0;
    for (size_t s = 0; s < sizeof states / sizeof states[0]; s++) {
        for (int en = 0; en < 2; en++) {
            for (size_t a = 0; a < sizeof values; a++) {
                for (size_t b = 0; b < sizeof values; b++) {
                    const bs_rb_config_t cfg = {en != 0, 3};
                    esp_ota_select_entry_t e = entry(9, states[s], values[a], values[b], 0x11);
                    bs_rb_decision_t d;
                    bs_rb_decide(&e, &cfg, &d);
                    bs_rb_action_t want = spec(states[s], en != 0, values[a], values[b]);
                    if (d.action != want) {
                        fail_msg("state 0x%x enabled %d attempts %u allowed %u: action %d, want %d",
                                 (unsigned)states[s], en, values[a], values[b], d.action, want);
                    }
                    cases++;
                }
            }
        }
    }
    assert_int_equal(cases, 8 * 2 * 9 * 9);
}

/* What a boot attempt writes: NEW starts at 1 of the bootloader's count,
 * later attempts count on from the entry (not from the configuration). */
static void test_try_and_abort_fields(void **state)
{
    (void)state;
    bs_rb_decision_t d;
    esp_ota_select_entry_t e = entry(1, ESP_OTA_IMG_NEW, NONE, NONE, 0x00);
    bs_rb_decide(&e, &ON3, &d);
    assert_int_equal(d.action, BS_RB_TRY);
    assert_int_equal(d.new_state, ESP_OTA_IMG_PENDING_VERIFY);
    assert_int_equal(d.fields.attempts, 1);
    assert_int_equal(d.fields.allowed, 3);
    assert_int_equal(d.fields.target, 0x00);
    assert_int_equal(d.attempt, 1);

    e = entry(3, ESP_OTA_IMG_PENDING_VERIFY, 2, 3, 0x11);
    bs_rb_decide(&e, &ON1, &d); /* a bootloader reflashed with 1: the entry's 3 still holds */
    assert_int_equal(d.action, BS_RB_TRY);
    assert_int_equal(d.fields.attempts, 3);
    assert_int_equal(d.fields.allowed, 3);
    assert_int_equal(d.fields.target, 0x11);

    e = entry(5, ESP_OTA_IMG_PENDING_VERIFY, 3, 3, 0x11);
    bs_rb_decide(&e, &ON3, &d);
    assert_int_equal(d.action, BS_RB_ABORT);
    assert_int_equal(d.new_state, ESP_OTA_IMG_ABORTED);
    assert_int_equal(d.attempt, 3);
    assert_int_equal(d.fields.target, 0x11);

    /* ESP-IDF's or otatool's PENDING_VERIFY carries no count: rolled back, attempt unknown. */
    e = entry(5, ESP_OTA_IMG_PENDING_VERIFY, NONE, NONE, NONE);
    bs_rb_decide(&e, &ON3, &d);
    assert_int_equal(d.action, BS_RB_ABORT);
    assert_int_equal(d.attempt, 0);

    e = entry(5, ESP_OTA_IMG_NEW, NONE, NONE, NONE);
    bs_rb_decide(&e, &OFF, &d);
    assert_int_equal(d.action, BS_RB_BOOT);
}

/* ---- order ---------------------------------------------------------------- */

static int order_of(const trow_t *rows, int nrows, int from, uint8_t target, int *order)
{
    bs_partition_table_t t = ttable(rows, nrows);
    bs_boot_slots_t s;
    bs_boot_slots_find(&t, &s);
    return bs_rb_try_order(&s, from, target, order, BS_RB_ORDER_MAX);
}

static void test_rollback_order(void **state)
{
    (void)state;
    static const struct {
        const char *name;
        int from;
        uint8_t target;
        int n;
        int want[4];
    } cases[] = {
        {"ota_0 -> recorded factory", 0, 0x00, 3, {FACTORY_INDEX, 1, 0}},
        {"ota_0 -> recorded ota_1 (not factory)", 0, 0x11, 3, {1, FACTORY_INDEX, 0}},
        {"ota_1 -> nothing recorded: SDK order", 1, NONE, 3, {0, FACTORY_INDEX, 1}},
        {"ota_0 -> itself recorded: ignored", 0, 0x10, 3, {FACTORY_INDEX, 1, 0}},
        {"ota_0 -> absent ota_5: ignored", 0, 0x15, 3, {FACTORY_INDEX, 1, 0}},
        {"ota_0 -> absent test app: ignored", 0, 0x20, 3, {FACTORY_INDEX, 1, 0}},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        int order[BS_RB_ORDER_MAX];
        int n = order_of(TROWS(FACTORY_TWO_OTA), cases[i].from, cases[i].target, order);
        print_message("%s\n", cases[i].name);
        assert_int_equal(n, cases[i].n);
        assert_memory_equal(order, cases[i].want, (size_t)n * sizeof(int));
    }
    int order[BS_RB_ORDER_MAX];
    /* No factory: the other slot, then the rolled-back one as the last resort. */
    assert_int_equal(order_of(TROWS(TWO_OTA), 1, 0x00, order), 2);
    assert_int_equal(order[0], 0);
    assert_int_equal(order[1], 1);
    bs_partition_table_t t = ttable(TROWS(FACTORY_TWO_OTA));
    bs_boot_slots_t s;
    bs_boot_slots_find(&t, &s);
    assert_int_equal(bs_rb_target(&s, 0, 0x11), 1);
    assert_int_equal(bs_rb_target(&s, 0, NONE), FACTORY_INDEX);
    t = ttable(TROWS(SINGLE_APP));
    bs_boot_slots_find(&t, &s);
    assert_int_equal(bs_rb_target(&s, FACTORY_INDEX, NONE), INVALID_INDEX);
}

static void test_subtype_slot_mapping(void **state)
{
    (void)state;
    assert_int_equal(bs_rb_subtype_slot(0x00), FACTORY_INDEX);
    assert_int_equal(bs_rb_subtype_slot(0x10), 0);
    assert_int_equal(bs_rb_subtype_slot(0x1F), 15);
    assert_int_equal(bs_rb_subtype_slot(0x20), TEST_APP_INDEX);
    assert_int_equal(bs_rb_subtype_slot(0x01), INVALID_INDEX);
    assert_int_equal(bs_rb_subtype_slot(NONE), INVALID_INDEX);
    for (int slot = -2; slot < 16; slot++) {
        assert_int_equal(bs_rb_subtype_slot(bs_rb_slot_subtype(slot)), slot);
    }
    assert_int_equal(bs_rb_slot_subtype(16), NONE);
    assert_int_equal(bs_rb_slot_subtype(INVALID_INDEX), NONE);
}

static void test_plan_without_an_entry_in_charge_boots(void **state)
{
    (void)state;
    bs_partition_table_t t = ttable(TROWS(FACTORY_TWO_OTA));
    bs_boot_slots_t s;
    bs_boot_slots_find(&t, &s);
    bs_rb_plan_t p;
    bs_rb_plan(&s, FACTORY_INDEX, NULL, &ON1, &p);
    assert_int_equal(p.d.action, BS_RB_BOOT);
    assert_int_equal(p.active, -1);
    assert_int_equal(p.order[0], FACTORY_INDEX);
    /* A factory selection (erased otadata) has no state to act on. */
    esp_ota_select_entry_t e[2];
    memset(e, 0xFF, sizeof e);
    bs_rb_plan(&s, FACTORY_INDEX, e, &ON1, &p);
    assert_int_equal(p.d.action, BS_RB_BOOT);
    /* An ABORTED ota_0 in charge: its target first. */
    e[0] = entry(5, ESP_OTA_IMG_ABORTED, 1, 1, 0x11);
    bs_rb_plan(&s, 0, e, &OFF, &p);
    assert_int_equal(p.d.action, BS_RB_FALLBACK);
    assert_int_equal(p.count, 3);
    assert_int_equal(p.order[0], 1);
    assert_int_equal(p.order[2], 0);
}

/* ---- writes ---------------------------------------------------------------- */

static esp_ota_select_entry_t read_entry(bs_hal_t *hal, int i)
{
    esp_ota_select_entry_t e[2];
    assert_int_equal(bs_otadata_read(hal, OTADATA_AT, 0x2000, e), ESP_OK);
    return e[i];
}

static void assert_entry(bs_hal_t *hal, int i, uint32_t seq, uint32_t st, uint8_t attempts,
                         uint8_t allowed, uint8_t target)
{
    esp_ota_select_entry_t want = entry(seq, st, attempts, allowed, target);
    esp_ota_select_entry_t got = read_entry(hal, i);
    if (memcmp(&got, &want, sizeof got) != 0) {
        bs_rb_fields_t f;
        bs_rb_fields_get(&got, &f);
        fail_msg("entry %c: seq %u state 0x%x fields %02x %02x %02x, want seq %u state 0x%x "
                 "fields %02x %02x %02x",
                 'A' + i, (unsigned)got.ota_seq, (unsigned)got.ota_state, f.attempts, f.allowed,
                 f.target, (unsigned)seq, (unsigned)st, attempts, allowed, target);
    }
}

/* factory -> ota_0 (never confirms) -> rollback -> factory, at the core's
 * level: each step is one write into the copy not in charge, seq 1, 3, 5. */
static void test_lifecycle_new_pending_aborted(void **state)
{
    (void)state;
    bs_hal_t hal;
    tflash_t *f = tflash_new(0x400000, &hal);
    bs_partition_table_t t = ttable(TROWS(FACTORY_TWO_OTA));
    bs_boot_slots_t s;
    bs_boot_slots_find(&t, &s);
    const bs_rb_fields_t sel = {NONE, NONE, 0x00};
    assert_int_equal(bs_rb_write(&hal, OTADATA_AT, 0x2000, 0, 2, ESP_OTA_IMG_NEW, &sel), ESP_OK);
    assert_entry(&hal, 0, 1, ESP_OTA_IMG_NEW, NONE, NONE, 0x00);

    /* erases: copy B is still blank at its first write (no erase); copy A
     * holds the NEW entry and is erased once. */
    static const struct {
        bs_rb_action_t action;
        int sector;
        uint32_t seq, state;
        uint8_t attempts;
        uint32_t erases;
    } steps[] = {
        {BS_RB_TRY, 1, 3, ESP_OTA_IMG_PENDING_VERIFY, 1, 0},
        {BS_RB_ABORT, 0, 5, ESP_OTA_IMG_ABORTED, 1, 1},
    };
    for (size_t i = 0; i < sizeof steps / sizeof steps[0]; i++) {
        esp_ota_select_entry_t e[2];
        assert_int_equal(bs_otadata_read(&hal, OTADATA_AT, 0x2000, e), ESP_OK);
        bs_rb_plan_t p;
        bs_rb_plan(&s, bs_boot_select(&hal, &t, &s, NULL), e, &ON1, &p);
        assert_int_equal(p.d.action, steps[i].action);
        tflash_reset_counters(f);
        assert_int_equal(
            bs_rb_write(&hal, OTADATA_AT, 0x2000, p.selected, 2, p.d.new_state, &p.d.fields),
            ESP_OK);
        assert_int_equal(f->erases, steps[i].erases);
        assert_int_equal(f->writes, 1);
        assert_int_equal(f->sector_erases[(OTADATA_AT >> 12) + (uint32_t)steps[i].sector],
                         steps[i].erases);
        assert_entry(&hal, steps[i].sector, steps[i].seq, steps[i].state, steps[i].attempts, 1,
                     0x00);
    }
    esp_ota_select_entry_t e[2];
    assert_int_equal(bs_otadata_read(&hal, OTADATA_AT, 0x2000, e), ESP_OK);
    bs_rb_plan_t p;
    bs_rb_plan(&s, bs_boot_select(&hal, &t, &s, NULL), e, &ON1, &p);
    assert_int_equal(p.d.action, BS_RB_FALLBACK);
    assert_int_equal(p.order[0], FACTORY_INDEX);
    tflash_free(f);
}

/* Three attempts: PENDING_VERIFY 1/3, 2/3, 3/3, then ABORTED after 3. */
static void test_attempts_counted_in_otadata(void **state)
{
    (void)state;
    bs_hal_t hal;
    tflash_t *f = tflash_new(0x400000, &hal);
    bs_partition_table_t t = ttable(TROWS(FACTORY_TWO_OTA));
    bs_boot_slots_t s;
    bs_boot_slots_find(&t, &s);
    const bs_rb_fields_t sel = {NONE, NONE, 0x00};
    assert_int_equal(bs_rb_write(&hal, OTADATA_AT, 0x2000, 1, 2, ESP_OTA_IMG_NEW, &sel), ESP_OK);
    for (int boot = 1; boot <= 4; boot++) {
        esp_ota_select_entry_t e[2];
        assert_int_equal(bs_otadata_read(&hal, OTADATA_AT, 0x2000, e), ESP_OK);
        bs_rb_plan_t p;
        bs_rb_plan(&s, bs_boot_select(&hal, &t, &s, NULL), e, &ON3, &p);
        assert_int_equal(p.selected, 1);
        assert_int_equal(p.d.action, boot <= 3 ? BS_RB_TRY : BS_RB_ABORT);
        assert_int_equal(p.d.attempt, boot <= 3 ? boot : 3);
        assert_int_equal(bs_rb_write(&hal, OTADATA_AT, 0x2000, 1, 2, p.d.new_state, &p.d.fields),
                         ESP_OK);
        int active = bs_otadata_active(
            (esp_ota_select_entry_t[2]){read_entry(&hal, 0), read_entry(&hal, 1)}, NULL);
        esp_ota_select_entry_t now = read_entry(&hal, active);
        bs_rb_fields_t fl;
        bs_rb_fields_get(&now, &fl);
        assert_int_equal(now.ota_seq, 2u + 2u * (uint32_t)boot); /* 4, 6, 8, 10: ota_1 each */
        assert_int_equal(fl.attempts, boot <= 3 ? boot : 3);
        assert_int_equal(fl.allowed, 3);
    }
    tflash_free(f);
}

/* A write that fails at its erase or its program leaves the entry in charge
 * as it was: the old state decides the next boot (the sim's power-cut
 * campaign tears these writes for real). Copy B is either left programmed
 * past its entry by a torn erase (op 1 erases it, op 2 programs) or blank
 * (op 1 programs: no erase). */
static void test_failed_state_write_keeps_the_old_state_in_charge(void **state)
{
    (void)state;
    static const struct {
        bool b_dirty;
        int fail_at;
        uint32_t erases;
    } rows[] = {{true, 1, 0}, {true, 2, 1}, {false, 1, 0}};
    for (size_t r = 0; r < sizeof rows / sizeof rows[0]; r++) {
        bs_hal_t hal;
        tflash_t *f = tflash_new(0x400000, &hal);
        const bs_rb_fields_t sel = {NONE, NONE, 0x00};
        assert_int_equal(bs_rb_write(&hal, OTADATA_AT, 0x2000, 0, 2, ESP_OTA_IMG_NEW, &sel),
                         ESP_OK);
        if (rows[r].b_dirty) {
            f->mem[OTADATA_AT + 0x1000 + 0x800] = 0x00;
        }
        tflash_reset_counters(f);
        f->fail_op_countdown = rows[r].fail_at;
        const bs_rb_fields_t pv = {1, 1, 0x00};
        assert_int_equal(
            bs_rb_write(&hal, OTADATA_AT, 0x2000, 0, 2, ESP_OTA_IMG_PENDING_VERIFY, &pv),
            ESP_ERR_FLASH_OP_FAIL);
        esp_ota_select_entry_t e[2] = {read_entry(&hal, 0), read_entry(&hal, 1)};
        assert_int_equal(bs_otadata_active(e, NULL), 0);
        assert_int_equal(e[0].ota_state, ESP_OTA_IMG_NEW);
        assert_int_equal(f->erases, rows[r].erases);
        assert_int_equal(f->writes, 0);
        tflash_free(f);
    }
}

/* An entry with a state never ties with the one it replaces (a tie goes to
 * A, so B would not be in charge); SDK bytes keep the SDK's rule. */
static void test_select_is_strictly_above_with_states(void **state)
{
    (void)state;
    bs_hal_t hal;
    tflash_t *f = tflash_new(0x400000, &hal);
    esp_ota_select_entry_t a = entry(1, ESP_OTA_IMG_UNDEFINED, NONE, NONE, NONE);
    bs_otadata_encode(&a, f->mem + OTADATA_AT);
    /* SDK: re-selecting ota_0 writes seq 1 again into B (reference §2.4). */
    assert_int_equal(
        bs_otadata_set_boot_slot(&hal, OTADATA_AT, 0x2000, 0, 2, ESP_OTA_IMG_UNDEFINED), ESP_OK);
    assert_int_equal(read_entry(&hal, 1).ota_seq, 1);
    /* NEW for the same slot: seq 3, in charge. */
    const bs_rb_fields_t sel = {NONE, NONE, 0x00};
    assert_int_equal(bs_rb_write(&hal, OTADATA_AT, 0x2000, 0, 2, ESP_OTA_IMG_NEW, &sel), ESP_OK);
    esp_ota_select_entry_t e[2] = {read_entry(&hal, 0), read_entry(&hal, 1)};
    int active = bs_otadata_active(e, NULL);
    assert_int_equal(e[active].ota_seq, 3);
    assert_int_equal(e[active].ota_state, ESP_OTA_IMG_NEW);
    /* After that, even an UNDEFINED selection of the same slot must win. */
    assert_int_equal(
        bs_otadata_set_boot_slot(&hal, OTADATA_AT, 0x2000, 0, 2, ESP_OTA_IMG_UNDEFINED), ESP_OK);
    e[0] = read_entry(&hal, 0);
    e[1] = read_entry(&hal, 1);
    active = bs_otadata_active(e, NULL);
    assert_int_equal(e[active].ota_seq, 5);
    assert_int_equal(e[active].ota_state, ESP_OTA_IMG_UNDEFINED);
    /* The label bytes outside ota8266's three come back as read. */
    assert_int_equal(e[active].seq_label[0], 0xFF);
    assert_int_equal(e[active].seq_label[19], 0xFF);
    tflash_free(f);
}

/* Found by the power-cut test: a rewrite over a copy left random by a torn
 * erase must not carry that copy's bytes into the new entry. */
static void test_rewrite_over_a_torn_copy_starts_clean(void **state)
{
    (void)state;
    bs_hal_t hal;
    tflash_t *f = tflash_new(0x400000, &hal);
    f->strict = false;
    esp_ota_select_entry_t a = entry(1, ESP_OTA_IMG_NEW, NONE, NONE, 0x00);
    bs_otadata_encode(&a, f->mem + OTADATA_AT);
    for (uint32_t i = 0; i < 32; i++) {
        f->mem[OTADATA_AT + 0x1000 + i] = (uint8_t)(0x5A ^ (i * 37u)); /* fails its CRC */
    }
    const bs_rb_fields_t pv = {1, 1, 0x00};
    assert_int_equal(bs_rb_write(&hal, OTADATA_AT, 0x2000, 0, 2, ESP_OTA_IMG_PENDING_VERIFY, &pv),
                     ESP_OK);
    assert_entry(&hal, 1, 3, ESP_OTA_IMG_PENDING_VERIFY, 1, 1, 0x00);
    tflash_free(f);
}

static void test_state_names(void **state)
{
    (void)state;
    assert_string_equal(bs_rb_state_name(ESP_OTA_IMG_NEW), "NEW");
    assert_string_equal(bs_rb_state_name(ESP_OTA_IMG_PENDING_VERIFY), "PENDING_VERIFY");
    assert_string_equal(bs_rb_state_name(ESP_OTA_IMG_VALID), "VALID");
    assert_string_equal(bs_rb_state_name(ESP_OTA_IMG_INVALID), "INVALID");
    assert_string_equal(bs_rb_state_name(ESP_OTA_IMG_ABORTED), "ABORTED");
    assert_string_equal(bs_rb_state_name(ESP_OTA_IMG_UNDEFINED), "UNDEFINED");
    assert_null(bs_rb_state_name(5));
}

/* The fields live in seq_label at entry offsets 20..22, never elsewhere. */
static void test_fields_on_flash(void **state)
{
    (void)state;
    esp_ota_select_entry_t e = entry(1, ESP_OTA_IMG_PENDING_VERIFY, 2, 3, 0x11);
    uint8_t raw[32];
    bs_otadata_encode(&e, raw);
    static const uint8_t want[32] = {
        0x01, 0x00, 0x00, 0x00, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF,
        0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x02, 0x03,
        0x11, 0xFF, 0x01, 0x00, 0x00, 0x00, 0x9A, 0x98, 0x43, 0x47,
    };
    assert_memory_equal(raw, want, 32);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_table_is_the_documented_one),
        cmocka_unit_test(test_every_row_is_reachable),
        cmocka_unit_test(test_every_state_config_and_field_value),
        cmocka_unit_test(test_try_and_abort_fields),
        cmocka_unit_test(test_rollback_order),
        cmocka_unit_test(test_subtype_slot_mapping),
        cmocka_unit_test(test_plan_without_an_entry_in_charge_boots),
        cmocka_unit_test(test_lifecycle_new_pending_aborted),
        cmocka_unit_test(test_attempts_counted_in_otadata),
        cmocka_unit_test(test_failed_state_write_keeps_the_old_state_in_charge),
        cmocka_unit_test(test_select_is_strictly_above_with_states),
        cmocka_unit_test(test_rewrite_over_a_torn_copy_starts_clean),
        cmocka_unit_test(test_state_names),
        cmocka_unit_test(test_fields_on_flash),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
