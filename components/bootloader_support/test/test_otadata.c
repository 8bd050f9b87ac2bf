/* otadata: codec, CRC, validity, selection, and the SDK's rewrite rule
 * walked step by step through a RAM flash. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "bs_boot.h"
#include "bs_otadata.h"
#include "bs_port.h"
#include "bs_test_hal.h"
#include "bs_test_tables.h"

#define OTADATA_AT 0xd000u
#define EMPTY 0xFFFFFFFFu

static esp_ota_select_entry_t entry(uint32_t seq, bool good_crc)
{
    esp_ota_select_entry_t e;
    e.ota_seq = seq;
    memset(e.seq_label, 0xFF, sizeof e.seq_label);
    e.ota_state = ESP_OTA_IMG_UNDEFINED;
    e.crc = good_crc ? bs_otadata_crc(seq) : bs_otadata_crc(seq) ^ 1u;
    return e;
}

static const esp_ota_select_entry_t ERASED = {EMPTY,
                                              {0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF,
                                               0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF,
                                               0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF},
                                              EMPTY,
                                              EMPTY};

static void put_entry(tflash_t *f, int sector, const esp_ota_select_entry_t *e)
{
    bs_otadata_encode(e, f->mem + OTADATA_AT + 0x1000u * (uint32_t)sector);
}

static void test_codec_layout(void **state)
{
    (void)state;
    esp_ota_select_entry_t e = {
        .ota_seq = 0x04030201u, .ota_state = ESP_OTA_IMG_PENDING_VERIFY, .crc = 0xA8B8C8D8u};
    for (int i = 0; i < 20; i++) {
        e.seq_label[i] = (uint8_t)(0x40 + i);
    }
    uint8_t raw[32];
    bs_otadata_encode(&e, raw);
    static const uint8_t want_head[4] = {1, 2, 3, 4};
    assert_memory_equal(raw, want_head, 4);
    assert_int_equal(raw[4], 0x40);
    assert_int_equal(raw[23], 0x53);
    assert_int_equal(bs_le32(raw + 24), ESP_OTA_IMG_PENDING_VERIFY);
    assert_int_equal(bs_le32(raw + 28), 0xA8B8C8D8u);
    esp_ota_select_entry_t d;
    bs_otadata_decode(raw, &d);
    assert_memory_equal(&d, &e, sizeof e);
}

/* Reference §2.2: bytes 28..31 of entries written by the SDK. */
static void test_crc_table(void **state)
{
    (void)state;
    static const struct {
        uint32_t seq;
        uint8_t crc_bytes[4];
    } rows[] = {
        {1, {0x9A, 0x98, 0x43, 0x47}}, {2, {0x74, 0x37, 0xF6, 0x55}}, {3, {0x11, 0x50, 0x4A, 0xED}},
        {4, {0xA8, 0x68, 0x9D, 0x70}}, {5, {0xCD, 0x0F, 0x21, 0xC8}},
    };
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        esp_ota_select_entry_t e = entry(rows[i].seq, true);
        uint8_t raw[32];
        bs_otadata_encode(&e, raw);
        assert_memory_equal(raw + 28, rows[i].crc_bytes, 4);
        assert_true(bs_otadata_valid(&e));
    }
}

static void test_validity(void **state)
{
    (void)state;
    assert_true(
        bs_otadata_valid(&(esp_ota_select_entry_t){.ota_seq = 7, .crc = bs_otadata_crc(7)}));
    assert_false(bs_otadata_valid(&ERASED));
    esp_ota_select_entry_t e = entry(EMPTY, true); /* right CRC for 0xFFFFFFFF: still empty */
    assert_false(bs_otadata_valid(&e));
    e = entry(3, false);
    assert_false(bs_otadata_valid(&e));
    /* The CRC covers the seq only: label bytes may be anything, the state any
     * value ESP-IDF defines. */
    e = entry(3, true);
    memset(e.seq_label, 0, sizeof e.seq_label);
    e.ota_state = ESP_OTA_IMG_INVALID;
    assert_true(bs_otadata_valid(&e));
    e.ota_state = ESP_OTA_IMG_ABORTED + 1u;
    assert_false(bs_otadata_valid(&e));
}

/*
 * Found by the power-cut campaign (torn-late cut before the bootloader's
 * PENDING_VERIFY write, `powercut --scenario 'factory->ota_0/rollback' --cut
 * 147:torn-late --seed 1`): B came out with its seq and CRC whole but its
 * state word torn, and booted as UNDEFINED, forever, never rolled back. A
 * torn state must leave the other copy in charge, and the next write goes
 * over the torn copy.
 */
static void test_torn_state_leaves_the_other_copy_in_charge(void **state)
{
    (void)state;
    bs_hal_t hal;
    tflash_t *f = tflash_new(0x400000, &hal);
    static const uint8_t a_new[32] = {
        0x01, 0x00, 0x00, 0x00, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF,
        0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF,
        0x00, 0xFF, 0x00, 0x00, 0x00, 0x00, 0x9A, 0x98, 0x43, 0x47,
    };
    static const uint8_t b_torn[32] = {
        0x03, 0x00, 0x00, 0x00, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF,
        0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x45, 0x01,
        0x00, 0xFF, 0x01, 0x00, 0x02, 0xA8, 0x11, 0x50, 0x4A, 0xED,
    };
    memcpy(f->mem + OTADATA_AT, a_new, sizeof a_new);
    memcpy(f->mem + OTADATA_AT + 0x1000, b_torn, sizeof b_torn);
    esp_ota_select_entry_t e[2];
    assert_int_equal(bs_otadata_read(&hal, OTADATA_AT, 0x2000, e), ESP_OK);
    assert_int_equal(e[1].crc, bs_otadata_crc(e[1].ota_seq)); /* seq and CRC whole */
    assert_false(bs_otadata_valid(&e[1]));
    bs_otadata_kind_t kind;
    assert_int_equal(bs_otadata_active(e, &kind), 0);
    assert_int_equal(kind, BS_OTADATA_ONLY_A);
    assert_int_equal(bs_otadata_select(&hal, OTADATA_AT, 0x2000, 0, 2,
                                       ESP_OTA_IMG_PENDING_VERIFY, NULL),
                     ESP_OK);
    assert_int_equal(bs_otadata_read(&hal, OTADATA_AT, 0x2000, e), ESP_OK);
    assert_memory_equal(f->mem + OTADATA_AT, a_new, sizeof a_new); /* A untouched */
    assert_int_equal(bs_otadata_active(e, NULL), 1);
    assert_int_equal(e[1].ota_state, ESP_OTA_IMG_PENDING_VERIFY);
    /* Nothing writes a state that would read back invalid. */
    assert_int_equal(bs_otadata_select(&hal, OTADATA_AT, 0x2000, 0, 2, 0xA8020001u, NULL),
                     ESP_ERR_INVALID_ARG);
    tflash_free(f);
}

static void test_read_size_too_small(void **state)
{
    (void)state;
    bs_hal_t hal;
    tflash_t *f = tflash_new(0x100000, &hal);
    esp_ota_select_entry_t e[2];
    assert_int_equal(bs_otadata_read(&hal, OTADATA_AT, 0x1000, e), ESP_ERR_INVALID_SIZE);
    assert_int_equal(f->log.count, 1);
    assert_string_equal(f->log.lines[0],
                        "E boot: ota_info partition size 4096 is too small (minimum 8192 bytes)");
    assert_int_equal(f->reads, 0);
    assert_int_equal(bs_otadata_set_boot_slot(&hal, OTADATA_AT, 0x1FFF, 0, 2, EMPTY),
                     ESP_ERR_INVALID_SIZE);
    assert_int_equal(f->erases, 0);

    put_entry(f, 1, &(esp_ota_select_entry_t){.ota_seq = 9, .crc = 1});
    assert_int_equal(bs_otadata_read(&hal, OTADATA_AT, 0x2000, e), ESP_OK);
    assert_int_equal(e[0].ota_seq, EMPTY);
    assert_int_equal(e[1].ota_seq, 9);
    f->fail_read_lo = OTADATA_AT + 0x1000;
    f->fail_read_hi = OTADATA_AT + 0x1001;
    assert_int_equal(bs_otadata_read(&hal, OTADATA_AT, 0x2000, e), ESP_ERR_FLASH_OP_FAIL);
    tflash_free(f);
}

typedef struct {
    const char *name;
    esp_ota_select_entry_t a, b;
    bs_otadata_kind_t kind;
    int active;
} active_case_t;

static void test_active_matrix(void **state)
{
    (void)state;
    const active_case_t cases[] = {
        {"both erased", ERASED, ERASED, BS_OTADATA_BOTH_EMPTY, -1},
        {"both 0xFFFFFFFF, CRC not looked at", entry(EMPTY, false), entry(EMPTY, true),
         BS_OTADATA_BOTH_EMPTY, -1},
        {"only A", entry(1, true), ERASED, BS_OTADATA_ONLY_A, 0},
        {"only B", ERASED, entry(2, true), BS_OTADATA_ONLY_B, 1},
        {"A torn, B valid", entry(5, false), entry(4, true), BS_OTADATA_ONLY_B, 1},
        {"A valid, B torn", entry(3, true), entry(4, false), BS_OTADATA_ONLY_A, 0},
        {"both valid, B higher", entry(3, true), entry(4, true), BS_OTADATA_BOTH_VALID, 1},
        {"both valid, A higher", entry(5, true), entry(4, true), BS_OTADATA_BOTH_VALID, 0},
        {"both valid, tie to A", entry(4, true), entry(4, true), BS_OTADATA_BOTH_VALID, 0},
        {"none valid", entry(3, false), entry(4, false), BS_OTADATA_NONE_VALID, -1},
        {"erased and torn", ERASED, entry(4, false), BS_OTADATA_NONE_VALID, -1},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        esp_ota_select_entry_t e[2] = {cases[i].a, cases[i].b};
        bs_otadata_kind_t kind;
        int active = bs_otadata_active(e, &kind);
        if (kind != cases[i].kind || active != cases[i].active) {
            fail_msg("%s: kind %d active %d", cases[i].name, kind, active);
        }
        assert_int_equal(bs_otadata_active(e, NULL), cases[i].active);
    }
}

static void test_seq_to_slot(void **state)
{
    (void)state;
    static const struct {
        uint32_t seq;
        int n, slot;
    } c[] = {
        {1, 2, 0},   {2, 2, 1},           {3, 2, 0},
        {4, 2, 1},   {1, 1, 0},           {9, 1, 0},
        {1, 3, 0},   {2, 3, 1},           {3, 3, 2},
        {4, 3, 0},   {0xFFFFFFFEu, 2, 1}, {0xFFFFFFFEu, 3, 1},
        {17, 16, 0}, {16, 16, 15},        {0x80000001u, 5, 0x80000000u % 5},
    };
    for (size_t i = 0; i < sizeof c / sizeof c[0]; i++) {
        assert_int_equal(bs_otadata_seq_to_slot(c[i].seq, c[i].n), c[i].slot);
    }
}

/* The SDK's loop, literally (esp_rewrite_ota_data), as the oracle. */
static uint32_t sdk_next(uint32_t s, int t, int n)
{
    uint32_t base = (uint32_t)((t + 1) % n);
    uint32_t i = 0;
    while (s > base + i * (uint32_t)n) {
        i++;
    }
    return base + i * (uint32_t)n;
}

static void test_next_matches_sdk_loop(void **state)
{
    (void)state;
    srand(99);
    for (int round = 0; round < 20000; round++) {
        int n = 1 + rand() % 16;
        int t = rand() % n;
        uint32_t sa = 1u + (uint32_t)(rand() % 200), sb = 1u + (uint32_t)(rand() % 200);
        int mode = rand() % 4;
        esp_ota_select_entry_t e[2] = {entry(sa, mode & 1), entry(sb, (mode >> 1) & 1)};
        uint32_t seq;
        int sector;
        assert_int_equal(bs_otadata_next(e, t, n, &seq, &sector), ESP_OK);
        uint32_t want_seq;
        int want_sector;
        if (mode == 3) {
            want_seq = sdk_next(sa > sb ? sa : sb, t, n);
            want_sector = (sa >= sb) ? 1 : 0;
        } else if (mode == 1) {
            want_seq = sdk_next(sa, t, n);
            want_sector = 1;
        } else if (mode == 2) {
            want_seq = sdk_next(sb, t, n);
            want_sector = 0;
        } else {
            want_seq = (uint32_t)t + 1u;
            want_sector = 0;
        }
        assert_int_equal(seq, want_seq);
        assert_int_equal(sector, want_sector);
        assert_int_equal(bs_otadata_seq_to_slot(seq, n), t);
    }
}

static void test_next_bad_args(void **state)
{
    (void)state;
    esp_ota_select_entry_t e[2] = {ERASED, ERASED};
    uint32_t seq;
    int sector;
    assert_int_equal(bs_otadata_next(e, 2, 2, &seq, &sector), ESP_ERR_INVALID_ARG);
    assert_int_equal(bs_otadata_next(e, -1, 2, &seq, &sector), ESP_ERR_INVALID_ARG);
    assert_int_equal(bs_otadata_next(e, 0, 0, &seq, &sector), ESP_ERR_INVALID_ARG);
    assert_int_equal(bs_otadata_next(e, 0, 17, &seq, &sector), ESP_ERR_INVALID_ARG);
}

/* Boots column of reference §2.4: what the bootloader picks now. */
static int boots(const bs_hal_t *hal, const bs_partition_table_t *t)
{
    bs_boot_slots_t s;
    bs_boot_slots_find(t, &s);
    return bs_boot_select(hal, t, &s, NULL);
}

/* Reference §2.4, the worked sequence with n = 2 from erased otadata. */
static void test_worked_sequence(void **state)
{
    (void)state;
    bs_hal_t hal;
    tflash_t *f = tflash_new(0x400000, &hal);
    bs_partition_table_t t = ttable(TROWS(TWO_OTA));
    /* erases: a copy that still reads erased is written without an erase
     * (the first time each copy is used); a used copy is erased, once. */
    static const struct {
        int set;
        uint32_t a, b;
        int boots;
        uint32_t erases;
    } steps[] = {
        {0, 1, EMPTY, 0, 0}, {1, 1, 2, 1, 0}, {0, 3, 2, 0, 1},
        {1, 3, 4, 1, 1},     {1, 4, 4, 1, 1}, {0, 4, 5, 0, 1},
    };
    assert_int_equal(boots(&hal, &t), 0); /* erased: "No factory image, trying OTA 0" */
    for (size_t i = 0; i < sizeof steps / sizeof steps[0]; i++) {
        tflash_reset_counters(f);
        assert_int_equal(bs_otadata_set_boot_slot(&hal, OTADATA_AT, 0x2000, steps[i].set, 2, EMPTY),
                         ESP_OK);
        /* At most one sector erased, 32 bytes written, nothing else. */
        if (f->erases != steps[i].erases) {
            fail_msg("step %zu: %u erases, want %u", i, (unsigned)f->erases,
                     (unsigned)steps[i].erases);
        }
        assert_int_equal(f->writes, 1);
        assert_int_equal(f->bytes_written, 32);
        esp_ota_select_entry_t e[2];
        assert_int_equal(bs_otadata_read(&hal, OTADATA_AT, 0x2000, e), ESP_OK);
        if (e[0].ota_seq != steps[i].a || e[1].ota_seq != steps[i].b) {
            fail_msg("step %zu: A 0x%x B 0x%x", i, (unsigned)e[0].ota_seq, (unsigned)e[1].ota_seq);
        }
        assert_int_equal(boots(&hal, &t), steps[i].boots);
    }
    tflash_free(f);
}

/* set(ota_1) from erased otadata: the bytes reference §2.4 gives. */
static void check_first_ota(tflash_t *f, const bs_hal_t *hal)
{
    assert_int_equal(bs_otadata_set_boot_slot(hal, OTADATA_AT, 0x2000, 1, 2, EMPTY), ESP_OK);
    assert_int_equal(f->sector_erases[(OTADATA_AT >> 12) + 1], 0);
    static const uint8_t want[32] = {
        0x02, 0x00, 0x00, 0x00, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF,
        0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF,
        0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x74, 0x37, 0xF6, 0x55,
    };
    assert_memory_equal(f->mem + OTADATA_AT, want, 32);
    for (uint32_t i = 32; i < 0x2000; i++) {
        assert_int_equal(f->mem[OTADATA_AT + i], 0xFF);
    }
    bs_partition_table_t t = ttable(TROWS(TWO_OTA));
    assert_int_equal(boots(hal, &t), 1);
}

/* Reference §2.4: ota_0 running, otadata erased, set(ota_1) writes seq 2 to
 * sector 0 and leaves sector 1 alone; the bootloader then picks ota_1.
 * Sector 0 is erased only when some byte of it is not 0xFF: blank (a fresh
 * chip: no erase), or left programmed anywhere, up to its last byte, by an
 * erase cut short (the whole sector is checked, not a prefix). */
static void test_typical_first_ota(void **state)
{
    (void)state;
    static const struct {
        const char *name;
        int32_t dirty_at; /* offset in sector 0 set to 0x00 first; -1: none */
        uint32_t erases;
    } rows[] = {
        {"fresh chip", -1, 0},
        {"first byte programmed", 0, 1},
        {"last byte programmed", 0xFFF, 1},
    };
    for (size_t r = 0; r < sizeof rows / sizeof rows[0]; r++) {
        bs_hal_t hal;
        tflash_t *f = tflash_new(0x400000, &hal);
        if (rows[r].dirty_at >= 0) {
            f->mem[OTADATA_AT + (uint32_t)rows[r].dirty_at] = 0x00;
        }
        check_first_ota(f, &hal);
        if (f->sector_erases[OTADATA_AT >> 12] != rows[r].erases) {
            fail_msg("%s: %u erases of sector 0, want %u", rows[r].name,
                     (unsigned)f->sector_erases[OTADATA_AT >> 12], (unsigned)rows[r].erases);
        }
        assert_int_equal(f->erases, rows[r].erases);
        tflash_free(f);
    }
}


static void test_write_keeps_labels_and_state(void **state)
{
    (void)state;
    bs_hal_t hal;
    tflash_t *f = tflash_new(0x400000, &hal);
    esp_ota_select_entry_t a = entry(3, true);
    esp_ota_select_entry_t b = entry(2, true);
    for (int i = 0; i < 20; i++) {
        b.seq_label[i] = (uint8_t)(0x11 * (i & 7));
    }
    put_entry(f, 0, &a);
    put_entry(f, 1, &b);
    /* B does not hold the max: it is rewritten, its label bytes kept as read. */
    assert_int_equal(bs_otadata_set_boot_slot(&hal, OTADATA_AT, 0x2000, 1, 2, ESP_OTA_IMG_NEW),
                     ESP_OK);
    esp_ota_select_entry_t e[2];
    assert_int_equal(bs_otadata_read(&hal, OTADATA_AT, 0x2000, e), ESP_OK);
    assert_int_equal(e[1].ota_seq, 4);
    assert_memory_equal(e[1].seq_label, b.seq_label, 20);
    assert_int_equal(e[1].ota_state, ESP_OTA_IMG_NEW);
    assert_int_equal(bs_le32(f->mem + OTADATA_AT + 0x1000 + 24), 0);
    assert_memory_equal(&e[0], &a, sizeof a); /* A untouched */
    assert_int_equal(f->sector_erases[OTADATA_AT >> 12], 0);
    tflash_free(f);
}

static void test_write_erases_then_writes(void **state)
{
    (void)state;
    bs_hal_t hal;
    tflash_t *f = tflash_new(0x400000, &hal);
    memset(f->mem + OTADATA_AT + 0x1000, 0x00, 0x1000); /* strict NOR: needs the erase */
    esp_ota_select_entry_t e = entry(6, true);
    assert_int_equal(bs_otadata_write(&hal, OTADATA_AT, 1, &e), ESP_OK);
    assert_int_equal(f->sector_erases[(OTADATA_AT >> 12) + 1], 1);
    assert_int_equal(f->erases, 1);
    uint8_t want[32];
    bs_otadata_encode(&e, want);
    assert_memory_equal(f->mem + OTADATA_AT + 0x1000, want, 32);
    assert_int_equal(f->mem[OTADATA_AT + 0x1000 + 32], 0xFF);
    assert_int_equal(f->mem[OTADATA_AT], 0xFF);
    assert_int_equal(bs_otadata_write(&hal, OTADATA_AT, 2, &e), ESP_ERR_INVALID_ARG);

    /* Power cut at the write (after the erase): B (seq 6) keeps charge while
     * A, the copy not holding the maximum, is being rewritten. */
    put_entry(
        f, 0,
        &(esp_ota_select_entry_t){.ota_seq = 1, .crc = bs_otadata_crc(1), .ota_state = EMPTY});
    f->fail_op_countdown = 2;
    assert_int_equal(bs_otadata_set_boot_slot(&hal, OTADATA_AT, 0x2000, 0, 2, EMPTY),
                     ESP_ERR_FLASH_OP_FAIL);
    esp_ota_select_entry_t r[2];
    assert_int_equal(bs_otadata_read(&hal, OTADATA_AT, 0x2000, r), ESP_OK);
    assert_int_equal(r[0].ota_seq, EMPTY);
    assert_int_equal(bs_otadata_active(r, NULL), 1);
    assert_int_equal(r[1].ota_seq, 6);
    tflash_free(f);
}

/* A valid seq near 0xFFFFFFFF must not block updates forever: the sequence
 * restarts in two steps, each leaving a valid choice behind. */
static void test_sequence_wrap_restarts(void **state)
{
    (void)state;
    bs_hal_t hal;
    tflash_t *f = tflash_new(0x400000, &hal);
    bs_partition_table_t t = ttable(TROWS(TWO_OTA));
    esp_ota_select_entry_t big = entry(0xFFFFFFFDu, true); /* slot (0xFFFFFFFC mod 2) = 0 */
    put_entry(f, 1, &big);
    esp_ota_select_entry_t e[2] = {ERASED, big};
    uint32_t seq;
    int sector;
    /* 0xFFFFFFFE would select ota_1 and is allowed ... */
    assert_int_equal(bs_otadata_next(e, 1, 2, &seq, &sector), ESP_OK);
    assert_int_equal(seq, 0xFFFFFFFEu);
    /* ... but the next ota_0 seq would be 0xFFFFFFFF, the erased marker. */
    assert_int_equal(bs_otadata_next(e, 0, 2, &seq, &sector), ESP_OK);
    assert_int_equal(seq, 0xFFFFFFFDu);
    e[1] = entry(0xFFFFFFFEu, true);
    put_entry(f, 1, &e[1]);
    assert_int_equal(bs_otadata_next(e, 0, 2, &seq, &sector), ESP_ERR_INVALID_STATE);
    assert_int_equal(seq, 1);
    assert_int_equal(sector, 0);

    /* Cut after the first step (op 1 writes the blank A, op 2 erases B):
     * the old choice (ota_1) still boots. */
    f->fail_op_countdown = 2;
    assert_int_equal(bs_otadata_set_boot_slot(&hal, OTADATA_AT, 0x2000, 0, 2, EMPTY),
                     ESP_ERR_FLASH_OP_FAIL);
    assert_int_equal(boots(&hal, &t), 1);
    /* Done again without a cut: ota_0 from a fresh sequence. */
    assert_int_equal(bs_otadata_set_boot_slot(&hal, OTADATA_AT, 0x2000, 0, 2, EMPTY), ESP_OK);
    assert_int_equal(boots(&hal, &t), 0);
    assert_int_equal(bs_otadata_read(&hal, OTADATA_AT, 0x2000, e), ESP_OK);
    assert_int_equal(e[0].ota_seq, 1);
    assert_int_equal(e[1].ota_seq, EMPTY);
    assert_int_not_equal(tlog_find(&f->log, "W boot: otadata sequence exhausted"), -1);
    /* And updates go on normally from there. */
    assert_int_equal(bs_otadata_set_boot_slot(&hal, OTADATA_AT, 0x2000, 1, 2, EMPTY), ESP_OK);
    assert_int_equal(boots(&hal, &t), 1);
    tflash_free(f);
}

/* seq 0 is valid on flash but the SDK never writes it; mapping it would need
 * (0 - 1) mod n, which is not n - 1 for n = 3. We write n instead. */
static void test_next_never_writes_seq_zero(void **state)
{
    (void)state;
    esp_ota_select_entry_t e[2] = {entry(0, true), ERASED};
    uint32_t seq;
    int sector;
    assert_int_equal(bs_otadata_next(e, 2, 3, &seq, &sector), ESP_OK);
    assert_int_equal(seq, 3);
    assert_int_equal(sector, 1);
    assert_int_equal(bs_otadata_seq_to_slot(seq, 3), 2);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_codec_layout),
        cmocka_unit_test(test_crc_table),
        cmocka_unit_test(test_validity),
        cmocka_unit_test(test_torn_state_leaves_the_other_copy_in_charge),
        cmocka_unit_test(test_read_size_too_small),
        cmocka_unit_test(test_active_matrix),
        cmocka_unit_test(test_seq_to_slot),
        cmocka_unit_test(test_next_matches_sdk_loop),
        cmocka_unit_test(test_next_bad_args),
        cmocka_unit_test(test_next_never_writes_seq_zero),
        cmocka_unit_test(test_worked_sequence),
        cmocka_unit_test(test_typical_first_ota),
        cmocka_unit_test(test_write_keeps_labels_and_state),
        cmocka_unit_test(test_write_erases_then_writes),
        cmocka_unit_test(test_sequence_wrap_restarts),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
