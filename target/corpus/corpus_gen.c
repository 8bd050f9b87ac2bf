/*
 * Writes the decision corpus (corpus.h): a 1 MB chip with a v1 bootloader
 * header, partition tables, otadata and V3 app images, good and broken in
 * every way the bootloader must tell apart. Images are built byte by byte
 * by the test builders (bs_test_image.h, SHA-256 from mbedTLS), not by the
 * code under test. Usage: corpus_gen OUT_FILE
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bs_crc32.h"
#include "bs_otadata.h"
#include "bs_rollback.h"
#include "bs_test_image.h"
#include "bs_test_tables.h"
#include "corpus.h"

#define CHIP 0x100000u
#define OTADATA 0xd000u

/* ---- the image being assembled ---------------------------------------- */

typedef struct {
    uint8_t *flash;  /* CHIP bytes, 0xFF = erased */
    uint8_t *dirty;  /* one flag per 4 KB sector: part of an extent */
    bool rollback;
    uint8_t attempts;
    uint32_t chip; /* written in the entry; CHIP unless a case says otherwise */
} img_t;

static FILE *s_out;
static uint32_t s_count;
static uint32_t s_len;

static void put_bytes(const void *p, uint32_t n)
{
    if (fwrite(p, 1, n, s_out) != n) {
        perror("write");
        exit(1);
    }
    s_len += n;
}

static void put32(uint32_t v)
{
    uint8_t b[4];
    timg_put32(b, v);
    put_bytes(b, 4);
}

static void img_init(img_t *m)
{
    static uint8_t flash[CHIP];
    static uint8_t dirty[CHIP >> 12];
    memset(flash, 0xFF, sizeof flash);
    memset(dirty, 0, sizeof dirty);
    *m = (img_t){flash, dirty, false, 3, CHIP};
}

static void img_put(img_t *m, uint32_t at, const void *p, uint32_t n)
{
    memcpy(m->flash + at, p, n);
    for (uint32_t s = at >> 12; s <= (at + n - 1) >> 12; s++) {
        m->dirty[s] = 1;
    }
}

/* One entry per run of touched sectors. */
static void img_emit(img_t *m, const char *name)
{
    uint8_t hdr[CORPUS_ENTRY_LEN];
    memset(hdr, 0, sizeof hdr);
    strncpy((char *)hdr, name, CORPUS_NAME_LEN - 1);
    timg_put32(hdr + CORPUS_NAME_LEN, m->chip);
    hdr[CORPUS_NAME_LEN + 4] = m->rollback;
    hdr[CORPUS_NAME_LEN + 5] = m->attempts;
    uint32_t runs = 0;
    for (uint32_t s = 0; s < (CHIP >> 12); s++) {
        runs += m->dirty[s] && (s == 0 || !m->dirty[s - 1]);
    }
    hdr[CORPUS_NAME_LEN + 6] = (uint8_t)runs;
    hdr[CORPUS_NAME_LEN + 7] = (uint8_t)(runs >> 8);
    put_bytes(hdr, sizeof hdr);
    for (uint32_t s = 0; s < (CHIP >> 12);) {
        if (!m->dirty[s]) {
            s++;
            continue;
        }
        uint32_t e = s;
        while (e < (CHIP >> 12) && m->dirty[e]) {
            e++;
        }
        put32(s << 12);
        put32((e - s) << 12);
        put_bytes(m->flash + (s << 12), (e - s) << 12);
        s = e;
    }
    s_count++;
}

/* ---- building blocks ---------------------------------------------------- */

/* A v1 bootloader image at 0x0 whose header says DIO, 40 MHz, `size_code`
 * (ESP8266 ROM codes: 2 = 1 MB, 4 = 4 MB). */
static void put_boot_header(img_t *m, uint8_t size_code)
{
    timg_spec_t s = {0};
    s.spi_mode = 2;
    s.spi_size = size_code;
    s.nseg = 1;
    s.seg[0] = (timg_seg_t){0x40100000u, 256, NULL};
    s.entry = 0x40100004u;
    timg_t t = timg_build(&s);
    img_put(m, 0, t.buf, t.at.len);
    timg_free(&t);
}

static const trow_t T_FACTORY_2OTA[] = {
    {"nvs", 1, 2, 0x9000, 0x4000},         {"otadata", 1, 0, 0xd000, 0x2000},
    {"phy_init", 1, 1, 0xf000, 0x1000},    {"factory", 0, 0, 0x10000, 0x40000},
    {"ota_0", 0, 0x10, 0x50000, 0x40000},  {"ota_1", 0, 0x11, 0x90000, 0x40000},
};
static const trow_t T_2OTA[] = {
    {"nvs", 1, 2, 0x9000, 0x4000},        {"otadata", 1, 0, 0xd000, 0x2000},
    {"phy_init", 1, 1, 0xf000, 0x1000},   {"ota_0", 0, 0x10, 0x10000, 0x70000},
    {"ota_1", 0, 0x11, 0x80000, 0x70000},
};
static const trow_t T_FACTORY[] = {
    {"nvs", 1, 2, 0x9000, 0x6000},
    {"phy_init", 1, 1, 0xf000, 0x1000},
    {"factory", 0, 0, 0x10000, 0xF0000},
};

static void put_table(img_t *m, const trow_t *rows, int n)
{
    uint8_t t[ESP_PARTITION_TABLE_MAX_LEN];
    ttable_bytes(rows, n, t);
    img_put(m, 0x8000, t, sizeof t);
}

typedef enum { APP_GOOD, APP_BAD_MAGIC, APP_COUNT_17, APP_UNALIGNED, APP_BAD_CHECKSUM,
               APP_BAD_HASH, APP_DATA_FLIP, APP_TRUNCATED, APP_TOO_BIG, APP_ENTRY_ELSEWHERE,
               APP_NO_SEGMENTS, APP_HUGE_SEGMENT, APP_HASH_ERASED, APP_WRONG_WINDOW } app_fault_t;

static void put_app(img_t *m, uint32_t slot, const char *version, app_fault_t fault)
{
    uint32_t dlen;
    uint8_t *desc = timg_desc_segment(version, "corpus", 60, &dlen);
    /* An image linked for another slot: its flash addresses are in another window. */
    timg_spec_t s = timg_sdk_app(fault == APP_WRONG_WINDOW ? slot + 0x40000 : slot, desc, dlen);
    switch (fault) {
    case APP_BAD_MAGIC:
        s.magic = 0xE8;
        break;
    case APP_COUNT_17:
        s.count_override = 17;
        break;
    case APP_UNALIGNED:
        s.seg[2].len = 62;
        break;
    case APP_TOO_BIG:
        s.seg[0].len = 0x40000;
        break;
    case APP_ENTRY_ELSEWHERE:
        s.entry = 0x40100000u;
        break;
    case APP_NO_SEGMENTS:
        s.nseg = 0;
        break;
    default:
        break;
    }
    timg_t t = timg_build(&s);
    uint32_t len = t.at.len;
    switch (fault) {
    case APP_BAD_CHECKSUM:
        t.buf[t.at.checksum] ^= 0x5A;
        timg_sha256(t.buf, t.at.checksum + 1u, t.buf + t.at.hash); /* only the checksum is wrong */
        break;
    case APP_BAD_HASH:
        t.buf[t.at.hash + 7] ^= 0x01;
        break;
    case APP_DATA_FLIP:
        t.buf[t.at.seg_data[1] + 300] ^= 0x10;
        break;
    case APP_TRUNCATED:
        len = t.at.seg_data[1] + 100; /* the rest of the slot stays erased */
        break;
    case APP_HUGE_SEGMENT:
        timg_put32(t.buf + t.at.seg_hdr[2] + 4, 0xFFFFFFF0u);
        break;
    case APP_HASH_ERASED:
        memset(t.buf + t.at.hash, 0xFF, 32);
        break;
    default:
        break;
    }
    if (len > 0x40000) {
        len = 0x40000;
    }
    img_put(m, slot, t.buf, len);
    timg_free(&t);
    free(desc);
}

typedef struct {
    uint32_t seq;
    uint32_t state;
    bool bad_crc;
    uint8_t attempts, allowed, target; /* rollback fields, 0xFF = none */
} od_t;

#define OD_NONE {0xFFFFFFFFu, ESP_OTA_IMG_UNDEFINED, false, 0xFF, 0xFF, 0xFF}
#define OD_SEQ(n) {(n), ESP_OTA_IMG_UNDEFINED, false, 0xFF, 0xFF, 0xFF}

static void put_otadata(img_t *m, od_t a, od_t b)
{
    const od_t *e[2] = {&a, &b};
    for (int i = 0; i < 2; i++) {
        uint8_t raw[4096];
        memset(raw, 0xFF, sizeof raw);
        if (e[i]->seq != 0xFFFFFFFFu || e[i]->state != ESP_OTA_IMG_UNDEFINED) {
            esp_ota_select_entry_t x;
            memset(&x, 0xFF, sizeof x);
            x.ota_seq = e[i]->seq;
            x.ota_state = e[i]->state;
            bs_rb_fields_t f = {e[i]->attempts, e[i]->allowed, e[i]->target};
            bs_rb_fields_set(&x, &f);
            /* The CRC by its definition (crc32_le(0xFFFFFFFF, seq LE)), computed here. */
            uint8_t seq[4];
            timg_put32(seq, x.ota_seq);
            x.crc = bs_crc32_le(0xFFFFFFFFu, seq, 4) ^ (e[i]->bad_crc ? 0x00010000u : 0);
            bs_otadata_encode(&x, raw);
        }
        img_put(m, OTADATA + 0x1000u * (uint32_t)i, raw, sizeof raw);
    }
}

/* Factory + ota_0 + ota_1, all good, otadata a/b. */
static void base_f2(img_t *m, od_t a, od_t b)
{
    img_init(m);
    put_boot_header(m, 2);
    put_table(m, TROWS(T_FACTORY_2OTA));
    put_otadata(m, a, b);
    put_app(m, 0x10000, "factory-1", APP_GOOD);
    put_app(m, 0x50000, "ota0-2", APP_GOOD);
    put_app(m, 0x90000, "ota1-3", APP_GOOD);
}

/* ---- the cases ----------------------------------------------------------- */

static void good_images(void)
{
    img_t m;
    img_init(&m);
    put_boot_header(&m, 2);
    put_table(&m, TROWS(T_FACTORY));
    put_app(&m, 0x10000, "single", APP_GOOD);
    img_emit(&m, "good/singleapp-factory");

    base_f2(&m, (od_t)OD_NONE, (od_t)OD_NONE);
    img_emit(&m, "good/factory-2ota-blank-otadata");
    base_f2(&m, (od_t)OD_SEQ(1), (od_t)OD_NONE);
    img_emit(&m, "good/factory-2ota-seq1-ota0");
    base_f2(&m, (od_t)OD_SEQ(1), (od_t)OD_SEQ(2));
    img_emit(&m, "good/factory-2ota-seq2-ota1");

    for (int k = 0; k < 3; k++) {
        img_init(&m);
        put_boot_header(&m, 2);
        put_table(&m, TROWS(T_2OTA));
        put_app(&m, 0x10000, "ota0", APP_GOOD);
        put_app(&m, 0x80000, "ota1", APP_GOOD);
        static const char *const names[] = {"good/2ota-blank-otadata", "good/2ota-seq1-ota0",
                                            "good/2ota-seq4-ota1"};
        od_t a = k == 0 ? (od_t)OD_NONE : k == 1 ? (od_t)OD_SEQ(1) : (od_t)OD_SEQ(4);
        put_otadata(&m, a, (od_t)OD_NONE);
        img_emit(&m, names[k]);
    }
}

/* Each corruption of the selected app (ota_0): the flow falls back to factory. */
static void image_faults(void)
{
    static const struct {
        app_fault_t fault;
        const char *name;
    } cases[] = {
        {APP_BAD_MAGIC, "image/bad-magic"},
        {APP_COUNT_17, "image/segment-count-17"},
        {APP_UNALIGNED, "image/unaligned-segment-length"},
        {APP_BAD_CHECKSUM, "image/bad-checksum"},
        {APP_BAD_HASH, "image/bad-sha256"},
        {APP_DATA_FLIP, "image/data-bit-flip"},
        {APP_TRUNCATED, "image/truncated-download"},
        {APP_TOO_BIG, "image/longer-than-slot"},
        {APP_ENTRY_ELSEWHERE, "image/entry-outside-flash-window"},
        {APP_NO_SEGMENTS, "image/no-segments"},
        {APP_HUGE_SEGMENT, "image/segment-length-0xfffffff0"},
        {APP_HASH_ERASED, "image/sha256-erased"},
        {APP_WRONG_WINDOW, "image/linked-for-another-slot"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        img_t m;
        base_f2(&m, (od_t)OD_SEQ(1), (od_t)OD_NONE);
        memset(m.flash + 0x50000, 0xFF, 0x40000);
        put_app(&m, 0x50000, "ota0-bad", cases[i].fault);
        img_emit(&m, cases[i].name);
    }
    img_t m;
    base_f2(&m, (od_t)OD_SEQ(1), (od_t)OD_NONE);
    memset(m.flash + 0x50000, 0xFF, 0x40000);
    img_emit(&m, "image/selected-slot-erased");

    base_f2(&m, (od_t)OD_SEQ(2), (od_t)OD_NONE);
    put_app(&m, 0x90000, "ota1-bad", APP_BAD_HASH);
    put_app(&m, 0x10000, "factory-bad", APP_BAD_CHECKSUM);
    img_emit(&m, "image/ota1-and-factory-bad-then-ota0");

    base_f2(&m, (od_t)OD_SEQ(1), (od_t)OD_NONE);
    put_app(&m, 0x10000, "f-bad", APP_BAD_MAGIC);
    put_app(&m, 0x50000, "0-bad", APP_DATA_FLIP);
    put_app(&m, 0x90000, "1-bad", APP_TRUNCATED);
    img_emit(&m, "image/every-app-bad");
}

static void otadata_states(void)
{
    static const struct {
        const char *name;
        od_t a, b;
    } cases[] = {
        {"otadata/only-b-valid-seq1", OD_NONE, OD_SEQ(1)},
        {"otadata/both-valid-a-newer", OD_SEQ(3), OD_SEQ(2)},
        {"otadata/both-valid-equal-seq", OD_SEQ(2), OD_SEQ(2)},
        {"otadata/a-crc-bad", {2, ESP_OTA_IMG_UNDEFINED, true, 0xFF, 0xFF, 0xFF}, OD_SEQ(1)},
        {"otadata/b-crc-bad", OD_SEQ(1), {2, ESP_OTA_IMG_UNDEFINED, true, 0xFF, 0xFF, 0xFF}},
        {"otadata/both-crc-bad",
         {1, ESP_OTA_IMG_UNDEFINED, true, 0xFF, 0xFF, 0xFF},
         {2, ESP_OTA_IMG_UNDEFINED, true, 0xFF, 0xFF, 0xFF}},
        {"otadata/seq-0xfffffffe", OD_SEQ(0xFFFFFFFEu), OD_NONE},
        {"otadata/seq-0", OD_SEQ(0), OD_NONE},
        {"otadata/seq-9-wraps-to-ota0", OD_SEQ(9), OD_NONE},
        {"otadata/unknown-state-word", {2, 7, false, 0xFF, 0xFF, 0xFF}, OD_SEQ(1)},
        {"otadata/state-new-rollback-off", {2, ESP_OTA_IMG_NEW, false, 0xFF, 0xFF, 0xFF}, OD_NONE},
        {"otadata/state-pending-rollback-off",
         {2, ESP_OTA_IMG_PENDING_VERIFY, false, 1, 3, 0x10}, OD_NONE},
        {"otadata/state-valid-rollback-off", {2, ESP_OTA_IMG_VALID, false, 0xFF, 0xFF, 0xFF},
         OD_NONE},
        {"otadata/state-invalid-rollback-off",
         {2, ESP_OTA_IMG_INVALID, false, 0xFF, 0xFF, 0x10}, OD_NONE},
        {"otadata/state-aborted-rollback-off",
         {2, ESP_OTA_IMG_ABORTED, false, 3, 3, 0x10}, OD_NONE},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        img_t m;
        base_f2(&m, cases[i].a, cases[i].b);
        img_emit(&m, cases[i].name);
    }
}

static void rollback_states(void)
{
    static const struct {
        const char *name;
        od_t a, b;
        bool erase_target;
    } cases[] = {
        {"rollback/new-first-boot", {2, ESP_OTA_IMG_NEW, false, 0xFF, 0xFF, 0x10}, OD_SEQ(1),
         false},
        {"rollback/pending-attempt-2-of-3",
         {2, ESP_OTA_IMG_PENDING_VERIFY, false, 1, 3, 0x10}, OD_SEQ(1), false},
        {"rollback/pending-attempts-used-up",
         {2, ESP_OTA_IMG_PENDING_VERIFY, false, 3, 3, 0x10}, OD_SEQ(1), false},
        {"rollback/pending-attempts-unrecorded",
         {2, ESP_OTA_IMG_PENDING_VERIFY, false, 0xFF, 0xFF, 0x10}, OD_SEQ(1), false},
        {"rollback/valid", {2, ESP_OTA_IMG_VALID, false, 0xFF, 0xFF, 0x10}, OD_SEQ(1), false},
        {"rollback/invalid-to-ota0", {2, ESP_OTA_IMG_INVALID, false, 0xFF, 0xFF, 0x10}, OD_SEQ(1),
         false},
        {"rollback/aborted-to-factory", {2, ESP_OTA_IMG_ABORTED, false, 3, 3, 0x00}, OD_NONE,
         false},
        {"rollback/undefined-sdk-bytes", OD_SEQ(2), OD_SEQ(1), false},
        {"rollback/invalid-target-erased", {2, ESP_OTA_IMG_INVALID, false, 0xFF, 0xFF, 0x10},
         OD_SEQ(1), true},
        {"rollback/used-up-no-target-recorded",
         {2, ESP_OTA_IMG_PENDING_VERIFY, false, 3, 3, 0xFF}, OD_SEQ(1), false},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        img_t m;
        base_f2(&m, cases[i].a, cases[i].b);
        if (cases[i].erase_target) {
            memset(m.flash + 0x50000, 0xFF, 0x40000);
        }
        m.rollback = true;
        img_emit(&m, cases[i].name);
    }
    /* New app in a 2-OTA table whose only other slot is empty. */
    img_t m;
    img_init(&m);
    put_boot_header(&m, 2);
    put_table(&m, TROWS(T_2OTA));
    put_app(&m, 0x80000, "ota1", APP_GOOD);
    put_otadata(&m, (od_t){2, ESP_OTA_IMG_PENDING_VERIFY, false, 1, 1, 0x10}, (od_t)OD_NONE);
    m.rollback = true;
    m.attempts = 1;
    img_emit(&m, "rollback/used-up-nothing-to-roll-back-to");
}

static void table_faults(void)
{
    static const struct {
        const char *name;
        int row;       /* row to alter, -1: none */
        uint32_t offset, size;
        uint8_t type, subtype;
    } cases[] = {
        {"table/overlapping-apps", 4, 0x40000, 0x40000, 0, 0x10},
        {"table/app-past-chip-end", 5, 0x90000, 0x80000, 0, 0x11},
        {"table/unaligned-app-offset", 4, 0x50800, 0x3F800, 0, 0x10},
        {"table/otadata-one-sector", 1, 0xd000, 0x1000, 1, 0},
        {"table/unknown-app-subtype", 5, 0x90000, 0x40000, 0, 0x30},
        {"table/zero-size-app", 5, 0x90000, 0, 0, 0x11},
        {"table/app-overlaps-table", 3, 0x8000, 0x48000, 0, 0},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        trow_t rows[6];
        memcpy(rows, T_FACTORY_2OTA, sizeof rows);
        rows[cases[i].row].offset = cases[i].offset;
        rows[cases[i].row].size = cases[i].size;
        rows[cases[i].row].type = cases[i].type;
        rows[cases[i].row].subtype = cases[i].subtype;
        img_t m;
        base_f2(&m, (od_t)OD_SEQ(2), (od_t)OD_NONE);
        memset(m.flash + 0x8000, 0xFF, 0x1000);
        put_table(&m, rows, 6);
        img_emit(&m, cases[i].name);
    }
    img_t m;
    base_f2(&m, (od_t)OD_SEQ(1), (od_t)OD_NONE);
    memset(m.flash + 0x8000, 0xFF, 0xC00);
    img_emit(&m, "table/erased");

    base_f2(&m, (od_t)OD_SEQ(1), (od_t)OD_NONE);
    m.flash[0x8000] = 0x55;
    img_emit(&m, "table/bad-magic-first-row");

    base_f2(&m, (od_t)OD_SEQ(1), (od_t)OD_NONE);
    m.flash[0x8000 + 32 * 2] = 0x12; /* third row: magic broken mid-table */
    img_emit(&m, "table/bad-magic-third-row");

    base_f2(&m, (od_t)OD_SEQ(1), (od_t)OD_NONE);
    {
        trow_t rows[3] = {{"nvs", 1, 2, 0x9000, 0x4000},
                          {"otadata", 1, 0, 0xd000, 0x2000},
                          {"phy_init", 1, 1, 0xf000, 0x1000}};
        memset(m.flash + 0x8000, 0xFF, 0x1000);
        put_table(&m, rows, 3);
    }
    img_emit(&m, "table/no-app-partition");
}

static void boot_header_faults(void)
{
    img_t m;
    base_f2(&m, (od_t)OD_SEQ(1), (od_t)OD_NONE);
    memset(m.flash, 0xFF, 0x1000);
    img_emit(&m, "boot/bootloader-erased");

    base_f2(&m, (od_t)OD_SEQ(2), (od_t)OD_NONE);
    put_boot_header(&m, 4);
    img_emit(&m, "boot/header-says-4MB-on-1MB-chip");

    base_f2(&m, (od_t)OD_SEQ(2), (od_t)OD_NONE);
    put_boot_header(&m, 0);
    img_emit(&m, "boot/header-says-512KB");
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: %s OUT_FILE\n", argv[0]);
        return 2;
    }
    s_out = fopen(argv[1], "wb");
    if (!s_out) {
        perror(argv[1]);
        return 2;
    }
    uint8_t hdr[CORPUS_HEADER_LEN] = {0};
    put_bytes(hdr, sizeof hdr); /* rewritten at the end */
    good_images();
    image_faults();
    otadata_states();
    rollback_states();
    table_faults();
    boot_header_faults();
    memcpy(hdr, CORPUS_MAGIC, 8);
    timg_put32(hdr + 8, s_len);
    timg_put32(hdr + 12, s_count);
    if (fseek(s_out, 0, SEEK_SET) != 0 || fwrite(hdr, 1, sizeof hdr, s_out) != sizeof hdr ||
        fclose(s_out) != 0) {
        perror(argv[1]);
        return 1;
    }
    printf("corpus_gen: %u images, %u bytes\n", (unsigned)s_count, (unsigned)s_len);
    return 0;
}
