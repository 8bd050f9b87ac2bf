/*
 * esp_ota_begin / write / end / abort on the virtual flash: exact codes, and
 * exact flash work (what is erased, when, and what ends up in the slot).
 * Validation happens before erasing: a download that is not an image for
 * the slot never touches flash.
 */
#include "ota_test_util.h"

#define OTA0 0x110000u
#define SMALL_SLOT 0x4000u

/* The demo layout with 16 KB OTA slots: size limits are cheap to reach. */
static const trow_t SMALL_TABLE[] = {
    {"nvs", 1, 0x02, 0x9000, 0x4000, 0},      {"otadata", 1, 0x00, 0xd000, 0x2000, 0},
    {"phy_init", 1, 0x01, 0xf000, 0x1000, 0}, {"factory", 0, 0x00, 0x10000, 0x10000, 0},
    {"ota_0", 0, 0x10, OTA0, SMALL_SLOT, 0},  {"ota_1", 0, 0x11, 0x210000, SMALL_SLOT, 0},
};

static tchip_t s_chip;

static int setup(void **state)
{
    (void)state;
    tchip_open(&s_chip, 4u << 20);
    tchip_table(&s_chip, TROWS(DEMO_TABLE));
    g_running_addr = 0x10000; /* factory */
    return 0;
}

static int setup_small(void **state)
{
    setup(state);
    tchip_table(&s_chip, TROWS(SMALL_TABLE));
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    tchip_close(&s_chip);
    return 0;
}

static uint64_t modify_ops(void)
{
    return s_chip.st->counters.modify_ops;
}

static void assert_otadata_untouched(void)
{
    assert_true(tchip_all(&s_chip, 0xd000, 0x2000, 0xFF));
    assert_int_equal(tchip_erases_in(&s_chip, 0xd000, 0x2000), 0);
}

/* ---- begin ----------------------------------------------------------------- */

static void test_begin_argument_checks(void **state)
{
    (void)state;
    esp_ota_handle_t h = 0;
    const esp_partition_t *ota0 = tpart("ota_0");
    assert_int_equal(esp_ota_begin(NULL, OTA_SIZE_UNKNOWN, &h), ESP_ERR_INVALID_ARG);
    assert_int_equal(esp_ota_begin(ota0, OTA_SIZE_UNKNOWN, NULL), ESP_ERR_INVALID_ARG);
    esp_partition_t stray = *ota0;
    stray.address += 0x1000;
    assert_int_equal(esp_ota_begin(&stray, OTA_SIZE_UNKNOWN, &h), ESP_ERR_NOT_FOUND);
    assert_int_equal(esp_ota_begin(tpart("factory"), OTA_SIZE_UNKNOWN, &h), ESP_ERR_INVALID_ARG);
    assert_int_equal(esp_ota_begin(tpart("nvs"), OTA_SIZE_UNKNOWN, &h), ESP_ERR_INVALID_ARG);
    assert_int_equal(esp_ota_begin(ota0, 0xF0001, &h), ESP_ERR_INVALID_SIZE);
    g_running_addr = OTA0 + 0x1234; /* running from ota_0 */
    assert_int_equal(esp_ota_begin(ota0, OTA_SIZE_UNKNOWN, &h), ESP_ERR_OTA_PARTITION_CONFLICT);
    /* A RAM copy of the running slot is the running slot too. */
    esp_partition_t copy = *ota0;
    assert_int_equal(esp_ota_begin(&copy, 100, &h), ESP_ERR_OTA_PARTITION_CONFLICT);
    assert_int_equal(modify_ops(), 0);
}

static void test_begin_erases_nothing_and_handles_count_up(void **state)
{
    (void)state;
    esp_ota_handle_t h1 = 0, h2 = 0, h3 = 0;
    /* An image exactly the slot's size is fine (the SDK answers 0x104). */
    assert_int_equal(esp_ota_begin(tpart("ota_0"), 0xF0000, &h1), ESP_OK);
    assert_int_equal(esp_ota_begin(tpart("ota_1"), OTA_SIZE_UNKNOWN, &h2), ESP_OK);
    assert_int_equal(esp_ota_begin(tpart("ota_1"), 0, &h3), ESP_OK);
    assert_true(h1 > 0);
    assert_int_equal(h2, h1 + 1);
    assert_int_equal(h3, h2 + 1);
    assert_int_equal(s_chip.st->counters.erases, 0);
    assert_int_equal(modify_ops(), 0);
    assert_int_equal(esp_ota_abort(h1), ESP_OK);
    assert_int_equal(esp_ota_abort(h2), ESP_OK);
    assert_int_equal(esp_ota_abort(h3), ESP_OK);
}

/* ---- a good update ------------------------------------------------------- */

/* Each sector the image covers is erased just before its first write unless
 * it is blank: none on a fresh slot, all of them over an older image, and a
 * sector whose only programmed byte is its last one (a torn erase) too. */
static void test_update_ota0_flash_contents_and_erases(void **state)
{
    (void)state;
    timg_t img = timg_sdk_app(OTA0, 5000, "2.0");
    uint32_t sectors = (img.len + TCHIP_SECTOR - 1) / TCHIP_SECTOR;
    assert_int_equal(sectors, 2);
    static const struct {
        const char *name;
        uint32_t dirty_at, dirty_len; /* slot range set to 0x00 first */
        uint32_t erases, erases_sector0;
    } rows[] = {
        {"blank slot", 0, 0, 0, 0},
        {"older image", 0, 0x3000, 2, 1},
        {"sector 1 torn: last byte", 0x1FFF, 1, 1, 0},
    };
    for (size_t r = 0; r < sizeof rows / sizeof rows[0]; r++) {
        print_message("%s\n", rows[r].name);
        tchip_fill(&s_chip, OTA0, 0x3000, 0xFF);
        tchip_fill(&s_chip, OTA0 + rows[r].dirty_at, rows[r].dirty_len, 0x00);
        tchip_reset_counters(&s_chip);
        assert_int_equal(tota_update(tpart("ota_0"), &img, 1000), ESP_OK);

        uint8_t *got = malloc(img.len);
        tchip_peek(&s_chip, OTA0, got, img.len);
        assert_memory_equal(got, img.buf, img.len);
        free(got);
        assert_true(tchip_all(&s_chip, OTA0 + img.len, sectors * TCHIP_SECTOR - img.len, 0xFF));
        /* At most one erase per sector the image covers, all inside the slot: not 240. */
        assert_int_equal(s_chip.st->counters.erases, rows[r].erases);
        assert_int_equal(s_chip.st->counters.blank_erases, 0);
        assert_int_equal(tchip_erases_in(&s_chip, OTA0, sectors * TCHIP_SECTOR), rows[r].erases);
        assert_int_equal(tchip_erases_in(&s_chip, OTA0, TCHIP_SECTOR), rows[r].erases_sector0);
        assert_int_equal(s_chip.st->counters.writes, (img.len + 999) / 1000);
        assert_otadata_untouched();
    }
    timg_free(&img);
}

static void test_one_byte_writes_hold_the_headers(void **state)
{
    (void)state;
    timg_t img = timg_sdk_app(OTA0, 700, "2.0");
    esp_ota_handle_t h;
    assert_int_equal(esp_ota_begin(tpart("ota_0"), img.len, &h), ESP_OK);
    for (uint32_t i = 0; i < 15; i++) {
        assert_int_equal(esp_ota_write(h, img.buf + i, 1), ESP_OK);
    }
    /* Header and first segment header not yet complete: flash untouched. */
    assert_int_equal(modify_ops(), 0);
    assert_int_equal(esp_ota_write(h, img.buf + 15, 1), ESP_OK);
    assert_int_equal(s_chip.st->counters.erases, 0); /* a fresh slot: blank, no erase */
    assert_int_equal(s_chip.st->counters.writes, 2); /* the 15 held bytes, then this one */
    for (uint32_t i = 16; i < img.len; i++) {
        assert_int_equal(esp_ota_write(h, img.buf + i, 1), ESP_OK);
    }
    assert_int_equal(esp_ota_end(h), ESP_OK);
    uint8_t got[2048];
    assert_true(img.len <= sizeof got);
    tchip_peek(&s_chip, OTA0, got, img.len);
    assert_memory_equal(got, img.buf, img.len);
    assert_int_equal(s_chip.st->counters.erases, 0);
    timg_free(&img);
}

static void test_small_images_erase_only_their_sectors(void **state)
{
    (void)state;
    static const uint32_t lens[] = {4096, 4112, 8192, 8208};
    for (size_t i = 0; i < sizeof lens / sizeof lens[0]; i++) {
        /* Over an older image (every sector erased) and on a blank slot (none). */
        for (int dirty = 1; dirty >= 0; dirty--) {
            tchip_fill(&s_chip, OTA0, 4 * TCHIP_SECTOR, dirty ? 0x00 : 0xFF);
            tchip_reset_counters(&s_chip);
            timg_t img = timg_sdk_app(OTA0, timg_text_for_len(lens[i]), "1");
            assert_int_equal(img.len, lens[i]);
            assert_int_equal(tota_update(tpart("ota_0"), &img, 1024), ESP_OK);
            uint32_t sectors = (lens[i] + TCHIP_SECTOR - 1) / TCHIP_SECTOR;
            uint32_t want = dirty ? sectors : 0;
            assert_int_equal(s_chip.st->counters.erases, want);
            assert_int_equal(s_chip.st->counters.blank_erases, 0);
            assert_int_equal(tchip_erases_in(&s_chip, OTA0, sectors * TCHIP_SECTOR), want);
            assert_true(tchip_all(&s_chip, OTA0 + sectors * TCHIP_SECTOR,
                                  (4 - sectors) * TCHIP_SECTOR, dirty ? 0x00 : 0xFF));
            timg_free(&img);
        }
    }
}

/* ---- downloads that are not images for this slot: refused, nothing erased */

typedef struct {
    const char *name;
    uint8_t bytes[32];
    uint32_t len;
} bad_start_t;

static void check_refused_untouched(const uint8_t *bytes, uint32_t len, uint32_t chunk,
                                    esp_err_t want)
{
    esp_ota_handle_t h;
    assert_int_equal(esp_ota_begin(tpart("ota_0"), OTA_SIZE_UNKNOWN, &h), ESP_OK);
    esp_err_t err = ESP_OK;
    bool accepted = false; /* some bytes were taken before the refusal */
    for (uint32_t off = 0; off < len; off += chunk) {
        uint32_t n = len - off < chunk ? len - off : chunk;
        err = esp_ota_write(h, bytes + off, n);
        if (err != ESP_OK) {
            break;
        }
        accepted = true;
    }
    assert_int_equal(err, want);
    assert_int_equal(modify_ops(), 0);
    assert_int_equal(s_chip.st->counters.erases, 0);
    assert_true(tchip_all(&s_chip, OTA0, TCHIP_SECTOR, 0xFF));
    assert_int_equal(esp_ota_end(h), accepted ? ESP_ERR_OTA_VALIDATE_FAILED : ESP_ERR_INVALID_ARG);
    assert_otadata_untouched();
}

static void test_wrong_downloads_touch_nothing(void **state)
{
    (void)state;
    timg_t good = timg_sdk_app(OTA0, 1000, "1");
    timg_t other = timg_sdk_app(0x0, 1000, "1"); /* linked for the window at 0x0 */
    bad_start_t cases[] = {
        {"html", "<html><body>404 Not Found</body>", 32},
        {"s_server", "Error opening 'hello.bin'\r\n", 27},
        {"17 segments", {0xE9, 17, 2, 0x20, 0x30, 0x00, 0x21, 0x40}, 16},
        {"unaligned segment", {0}, 24},
        {"entry for another slot", {0}, 24},
    };
    memcpy(cases[3].bytes, good.buf, 24);
    tput32(cases[3].bytes + 12, 6); /* first segment length 6 */
    memcpy(cases[4].bytes, other.buf, 24);
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        for (uint32_t chunk = 1; chunk <= 32; chunk *= 4) {
            print_message("case %s, %u-byte writes\n", cases[i].name, (unsigned)chunk);
            check_refused_untouched(cases[i].bytes, cases[i].len, chunk,
                                    ESP_ERR_OTA_VALIDATE_FAILED);
        }
    }
    timg_free(&good);
    timg_free(&other);
}

static void test_refused_write_changes_nothing(void **state)
{
    (void)state;
    esp_ota_handle_t h;
    timg_t img = timg_sdk_app(OTA0, 3000, "1");
    assert_int_equal(esp_ota_begin(tpart("ota_0"), OTA_SIZE_UNKNOWN, &h), ESP_OK);
    assert_int_equal(esp_ota_write(h, "<html>", 6), ESP_ERR_OTA_VALIDATE_FAILED);
    assert_int_equal(modify_ops(), 0);
    /* The same handle still takes the real image. */
    assert_int_equal(esp_ota_write(h, img.buf, img.len), ESP_OK);
    assert_int_equal(esp_ota_end(h), ESP_OK);
    timg_free(&img);
}

/* ---- images that do not fit ---------------------------------------------- */

static void test_first_segment_too_long_refused_before_erase(void **state)
{
    (void)state;
    timg_t img = timg_sdk_app(OTA0, SMALL_SLOT, "1"); /* .flash.text alone fills the slot */
    check_refused_untouched(img.buf, 64, 16, ESP_ERR_INVALID_SIZE);
    check_refused_untouched(img.buf, 64, 1, ESP_ERR_INVALID_SIZE);
    timg_free(&img);
}

static void test_later_segment_too_long_refused_at_its_header(void **state)
{
    (void)state;
    timg_t img = timg_sdk_app(OTA0, 0x2000, "1");
    tput32(img.buf + img.seg_hdr[1] + 4, 0x3000); /* .flash.rodata now claims 12 KB */
    /* Over an older image (its sectors erased) and on a blank slot (none). */
    for (int dirty = 1; dirty >= 0; dirty--) {
        tchip_fill(&s_chip, OTA0, SMALL_SLOT, dirty ? 0x00 : 0xFF);
        tchip_reset_counters(&s_chip);
        esp_ota_handle_t h;
        assert_int_equal(esp_ota_begin(tpart("ota_0"), OTA_SIZE_UNKNOWN, &h), ESP_OK);
        uint32_t off = 0;
        esp_err_t err = ESP_OK;
        for (; off < img.len; off += 1024) {
            err = esp_ota_write(h, img.buf + off, 1024);
            if (err != ESP_OK) {
                break;
            }
        }
        assert_int_equal(err, ESP_ERR_INVALID_SIZE);
        assert_int_equal(off, img.seg_hdr[1] & ~1023u); /* the write carrying that header */
        assert_true(off > TCHIP_SECTOR && off <= 2 * TCHIP_SECTOR);
        /* Only the sectors of the bytes accepted before it, inside the slot. */
        assert_int_equal(s_chip.st->counters.erases, dirty ? 2 : 0);
        assert_int_equal(tchip_erases_in(&s_chip, OTA0, 2 * TCHIP_SECTOR), dirty ? 2 : 0);
        assert_true(tchip_all(&s_chip, OTA0 + off, 2 * TCHIP_SECTOR - off, 0xFF));
        assert_true(tchip_all(&s_chip, OTA0 + 2 * TCHIP_SECTOR, SMALL_SLOT - 2 * TCHIP_SECTOR,
                              dirty ? 0x00 : 0xFF));
        assert_true(
            tchip_all(&s_chip, OTA0 + SMALL_SLOT, 0x210000 - OTA0 - SMALL_SLOT, 0xFF));
        assert_int_equal(esp_ota_abort(h), ESP_OK);
        assert_otadata_untouched();
    }
    timg_free(&img);
}

static void test_image_of_exactly_the_slot_size(void **state)
{
    (void)state;
    esp_ota_handle_t h;
    assert_int_equal(esp_ota_begin(tpart("ota_0"), SMALL_SLOT + 1, &h), ESP_ERR_INVALID_SIZE);
    timg_t img = timg_sdk_app(OTA0, timg_text_for_len(SMALL_SLOT), "1");
    assert_int_equal(img.len, SMALL_SLOT);
    tchip_fill(&s_chip, OTA0, SMALL_SLOT, 0x00); /* an older image: every sector erased */
    assert_int_equal(esp_ota_begin(tpart("ota_0"), img.len, &h), ESP_OK);
    assert_int_equal(esp_ota_write(h, img.buf, img.len), ESP_OK);
    /* One byte more runs past the slot's end: refused, and changes nothing. */
    uint8_t extra = 0;
    assert_int_equal(esp_ota_write(h, &extra, 1), ESP_ERR_INVALID_SIZE);
    assert_int_equal(esp_ota_end(h), ESP_OK);
    assert_int_equal(s_chip.st->counters.erases, SMALL_SLOT / TCHIP_SECTOR);
    assert_int_equal(tchip_erases_in(&s_chip, OTA0 + SMALL_SLOT, SMALL_SLOT), 0);
    timg_free(&img);
}

static void test_trailing_bytes_inside_and_past_the_slot(void **state)
{
    (void)state;
    timg_t img = timg_sdk_app(OTA0, 0x2000, "1");
    esp_ota_handle_t h;
    assert_int_equal(esp_ota_begin(tpart("ota_0"), OTA_SIZE_UNKNOWN, &h), ESP_OK);
    assert_int_equal(esp_ota_write(h, img.buf, img.len), ESP_OK);
    /* After the image: written as the SDK writes them, while they fit. */
    static uint8_t tail[SMALL_SLOT];
    memset(tail, 0xA5, sizeof tail);
    uint32_t room = SMALL_SLOT - img.len;
    assert_int_equal(esp_ota_write(h, tail, 16), ESP_OK);
    assert_int_equal(esp_ota_write(h, tail, room - 15), ESP_ERR_INVALID_SIZE);
    assert_int_equal(esp_ota_write(h, tail, room - 16), ESP_OK);
    assert_int_equal(esp_ota_end(h), ESP_OK);
    uint8_t got[16];
    tchip_peek(&s_chip, OTA0 + img.len, got, 16);
    assert_memory_equal(got, tail, 16);
    timg_free(&img);
}

/* ---- damaged images: refused, end fails, otadata untouched ------------------ */

typedef enum { DAMAGE_CHECKSUM, DAMAGE_HASH, DAMAGE_DATA, DAMAGE_PADDING } damage_t;

static void test_damaged_images_fail_and_leave_otadata(void **state)
{
    (void)state;
    static const char *const names[] = {"checksum", "hash", "data", "padding"};
    for (int d = DAMAGE_CHECKSUM; d <= DAMAGE_PADDING; d++) {
        print_message("damage: %s\n", names[d]);
        timg_t img = timg_sdk_app(OTA0, 3001 & ~3u, "1");
        switch ((damage_t)d) {
        case DAMAGE_CHECKSUM:
            img.buf[img.checksum_at] ^= 0x01;
            assert_int_equal(
                mbedtls_sha256_ret(img.buf, img.checksum_at + 1u, img.buf + img.hash_at, 0),
                0); /* the hash agrees: only the checksum is wrong */
            break;
        case DAMAGE_HASH:
            img.buf[img.hash_at + 31] ^= 0x80;
            break;
        case DAMAGE_DATA:
            img.buf[img.seg_data[0] + 100] ^= 0x10; /* not resealed */
            break;
        case DAMAGE_PADDING:
            assert_true(img.checksum_at > img.seg_data[3] + img.seg_len[3]);
            img.buf[img.checksum_at - 1] = 0x01;
            break;
        }
        assert_int_equal(tota_update(tpart("ota_0"), &img, 512), ESP_ERR_OTA_VALIDATE_FAILED);
        assert_int_equal(esp_ota_set_boot_partition(tpart("ota_0")), ESP_ERR_OTA_VALIDATE_FAILED);
        assert_otadata_untouched();
        timg_free(&img);
    }
}

static void test_truncated_image_fails_at_end(void **state)
{
    (void)state;
    timg_t img = timg_sdk_app(OTA0, 3000, "1");
    esp_ota_handle_t h;
    assert_int_equal(esp_ota_begin(tpart("ota_0"), img.len, &h), ESP_OK);
    assert_int_equal(esp_ota_write(h, img.buf, img.len - 10), ESP_OK);
    assert_int_equal(esp_ota_end(h), ESP_ERR_OTA_VALIDATE_FAILED);
    assert_int_equal(esp_ota_end(h), ESP_ERR_NOT_FOUND); /* freed whatever the result */
    assert_otadata_untouched();
    timg_free(&img);
}

/* ---- what reached flash ---------------------------------------------------- */

/* The test chip's HAL, except that programming the byte at s_weak_at does
 * not take (a worn cell, or a sector that read 0xFF only marginally after a
 * cut erase, so its erase was skipped): bit 2 stays 1. Reads of ota_0 and
 * ota_1 are counted in s_slot_read. */
static uint32_t s_weak_at; /* 0: none */
static uint32_t s_slot_read;

static esp_err_t weak_write(void *ctx, uint32_t addr, const void *src, uint32_t len)
{
    if (s_weak_at < addr || s_weak_at - addr >= len) {
        return s_chip.hal.write(ctx, addr, src, len);
    }
    uint8_t *copy = malloc(len);
    assert_non_null(copy);
    memcpy(copy, src, len);
    copy[s_weak_at - addr] |= 0x04;
    esp_err_t err = s_chip.hal.write(ctx, addr, copy, len);
    free(copy);
    return err;
}

static esp_err_t counting_read(void *ctx, uint32_t addr, void *dst, uint32_t len)
{
    uint32_t lo = addr < OTA0 ? OTA0 : addr;
    uint32_t hi = addr + len > 0x300000u ? 0x300000u : addr + len;
    s_slot_read += hi > lo ? hi - lo : 0;
    return s_chip.hal.read(ctx, addr, dst, len);
}

static void install_test_hal(uint32_t weak_at)
{
    bs_hal_t hal = s_chip.hal;
    hal.write = weak_write;
    hal.read = counting_read;
    s_weak_at = weak_at;
    s_slot_read = 0;
    spi_flash_hal_install(&hal);
}

/* esp_ota_write reads back what it programmed: a byte that did not take
 * fails the write that carried it, at once, and the update with it. */
static void test_write_that_does_not_take_fails_at_once(void **state)
{
    (void)state;
    timg_t img = timg_sdk_app(OTA0, 3000, "1");
    uint32_t weak = 2000;
    while (img.buf[weak] & 0x04) {
        weak++;
    }
    install_test_hal(OTA0 + weak);
    esp_ota_handle_t h;
    assert_int_equal(esp_ota_begin(tpart("ota_0"), img.len, &h), ESP_OK);
    uint32_t off = 0;
    esp_err_t err = ESP_OK;
    for (; off < img.len && err == ESP_OK; off += 1000) {
        uint32_t n = img.len - off < 1000 ? img.len - off : 1000;
        err = esp_ota_write(h, img.buf + off, n);
    }
    assert_int_equal(err, ESP_ERR_FLASH_OP_FAIL);
    assert_int_equal(off - 1000, weak / 1000 * 1000); /* the write carrying that byte */
    assert_int_equal(esp_ota_write(h, img.buf + off, 16), ESP_ERR_FLASH_OP_FAIL);
    assert_int_equal(esp_ota_end(h), ESP_ERR_OTA_VALIDATE_FAILED);
    assert_int_equal(esp_ota_set_boot_partition(tpart("ota_0")), ESP_ERR_OTA_VALIDATE_FAILED);
    assert_otadata_untouched();
    s_weak_at = 0;
    timg_free(&img);
}

/* esp_ota_set_boot_partition reads the slot again (as the SDK always does)
 * unless esp_ota_end accepted it in this boot and nothing has modified flash
 * since: then not one byte of the slot is read. */
static void test_set_boot_trusts_end_only_while_flash_unchanged(void **state)
{
    (void)state;
    timg_t img = timg_sdk_app(OTA0, 3000, "1");
    timg_t img1 = timg_sdk_app(0x210000, 5000, "1");
    tchip_put_image(&s_chip, 0x210000, &img1); /* ota_1: written in an earlier boot */
    const esp_partition_t *nvs = tpart("nvs");
    static const struct {
        const char *name;
        int after; /* what happens between esp_ota_end and the selection */
        const char *select;
        esp_err_t want;
        /* bytes of the slots the selection reads: 0; 1 img; 2 img1; 3 img up
         * to its checksum (a wrong checksum stops the check before the SHA-256) */
        int slot_read;
    } rows[] = {
        {"nothing", 0, "ota_0", ESP_OK, 0},
        {"a write to nvs", 1, "ota_0", ESP_OK, 1},
        {"a reboot", 2, "ota_0", ESP_OK, 1},
        {"a byte of the image programmed to 0", 3, "ota_0", ESP_ERR_OTA_VALIDATE_FAILED, 3},
        {"another slot is selected", 0, "ota_1", ESP_OK, 2},
    };
    const uint32_t lens[] = {0, img.len, img1.len, img.len - 32};
    for (size_t r = 0; r < sizeof rows / sizeof rows[0]; r++) {
        print_message("%s\n", rows[r].name);
        install_test_hal(0);
        tchip_fill(&s_chip, OTA0, 0x1000, 0x00); /* every run writes the slot anew */
        assert_int_equal(tota_update(tpart("ota_0"), &img, 1000), ESP_OK);
        static const uint8_t zero = 0x00;
        if (rows[r].after == 1) {
            assert_int_equal(esp_partition_write(nvs, 0x100 + (uint32_t)r, &zero, 1), ESP_OK);
        } else if (rows[r].after == 2) {
            install_test_hal(0);
        } else if (rows[r].after == 3) {
            uint32_t at = 100;
            while (img.buf[at] == 0) {
                at++;
            }
            assert_int_equal(esp_partition_write(tpart("ota_0"), at, &zero, 1), ESP_OK);
        }
        s_slot_read = 0;
        assert_int_equal(esp_ota_set_boot_partition(tpart(rows[r].select)), rows[r].want);
        if (s_slot_read != lens[rows[r].slot_read]) {
            fail_msg("%s: %u bytes of the slots read, want %u", rows[r].name,
                     (unsigned)s_slot_read, (unsigned)lens[rows[r].slot_read]);
        }
    }
    timg_free(&img);
    timg_free(&img1);
}

/* ---- a power cut in the middle of an update ------------------------------- */

static void note_cut(void *arg)
{
    (*(int *)arg)++;
}

static void test_power_cut_during_update_leaves_boot_choice(void **state)
{
    (void)state;
    int cuts = 0;
    s_chip.f.on_power_cut = note_cut;
    s_chip.f.on_power_cut_arg = &cuts;
    timg_t img = timg_sdk_app(OTA0, 9000, "2");
    tchip_fill(&s_chip, OTA0, 0x3000, 0x00); /* an older image: each sector is erased */
    esp_ota_handle_t h;
    assert_int_equal(esp_ota_begin(tpart("ota_0"), img.len, &h), ESP_OK);
    /* Ops so far: none. Erase, write, write, write, write: cut before the 2nd erase (op 6). */
    assert_int_equal(sim_flash_plan_cut(s_chip.st, 6, SIM_CUT_CLEAN), ESP_OK);
    esp_err_t err = ESP_OK;
    uint32_t off = 0;
    for (; off < img.len && err == ESP_OK; off += 1024) {
        err = esp_ota_write(h, img.buf + off, 1024);
    }
    assert_int_equal(err, ESP_ERR_FLASH_OP_FAIL);
    assert_int_equal(cuts, 1);
    assert_int_equal(off, 5 * 1024); /* the write that needed the second sector */
    /* The update is dead: later writes repeat the error, end refuses it. */
    assert_int_equal(esp_ota_write(h, img.buf + off, 1024), ESP_ERR_FLASH_OP_FAIL);
    assert_int_equal(esp_ota_end(h), ESP_ERR_OTA_VALIDATE_FAILED);
    assert_otadata_untouched();
    assert_ptr_equal(esp_ota_get_boot_partition(), tpart("factory"));
    timg_free(&img);
}

/* ---- handles ------------------------------------------------------------- */

static void test_abort_and_handle_checks(void **state)
{
    (void)state;
    timg_t img = timg_sdk_app(OTA0, 3000, "1");
    esp_ota_handle_t h;
    assert_int_equal(esp_ota_begin(tpart("ota_0"), OTA_SIZE_UNKNOWN, &h), ESP_OK);
    assert_int_equal(esp_ota_write(h, NULL, 10), ESP_ERR_INVALID_ARG);
    assert_int_equal(esp_ota_write(h + 1000, img.buf, 10), ESP_ERR_INVALID_ARG);
    assert_int_equal(esp_ota_write(h, img.buf, 0), ESP_OK);
    assert_int_equal(esp_ota_write(h, img.buf, 2000), ESP_OK);
    assert_int_equal(esp_ota_abort(h), ESP_OK);
    assert_int_equal(esp_ota_write(h, img.buf + 2000, 10), ESP_ERR_INVALID_ARG);
    assert_int_equal(esp_ota_end(h), ESP_ERR_NOT_FOUND);
    assert_int_equal(esp_ota_abort(h), ESP_ERR_NOT_FOUND);
    assert_otadata_untouched();

    /* end with nothing written: INVALID_ARG, and the handle is gone. */
    assert_int_equal(esp_ota_begin(tpart("ota_1"), OTA_SIZE_UNKNOWN, &h), ESP_OK);
    assert_int_equal(esp_ota_end(h), ESP_ERR_INVALID_ARG);
    assert_int_equal(esp_ota_end(h), ESP_ERR_NOT_FOUND);
    assert_int_equal(esp_ota_end(0), ESP_ERR_NOT_FOUND);
    timg_free(&img);
}

static void test_write_description_as_soon_as_it_passed(void **state)
{
    (void)state;
    timg_t img = timg_sdk_app(OTA0, 3000, "4.5.6");
    esp_ota_handle_t h;
    esp_app_desc_t d;
    assert_int_equal(esp_ota_begin(tpart("ota_0"), OTA_SIZE_UNKNOWN, &h), ESP_OK);
    assert_int_equal(esp_ota_get_write_description(h, NULL), ESP_ERR_INVALID_ARG);
    assert_int_equal(esp_ota_get_write_description(h + 1, &d), ESP_ERR_INVALID_ARG);
    uint32_t desc_end = img.seg_data[1] + 256;
    assert_int_equal(esp_ota_write(h, img.buf, desc_end - 1), ESP_OK);
    assert_int_equal(esp_ota_get_write_description(h, &d), ESP_ERR_NOT_FOUND);
    assert_int_equal(esp_ota_write(h, img.buf + desc_end - 1, 1), ESP_OK);
    assert_int_equal(esp_ota_get_write_description(h, &d), ESP_OK);
    assert_string_equal(d.version, "4.5.6");
    assert_string_equal(d.project_name, "ota_test");
    assert_int_equal(esp_ota_abort(h), ESP_OK);
    timg_free(&img);
}

#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
#define T_SMALL(f) cmocka_unit_test_setup_teardown(f, setup_small, teardown)

int main(void)
{
    const struct CMUnitTest tests[] = {
        T(test_begin_argument_checks),
        T(test_begin_erases_nothing_and_handles_count_up),
        T(test_update_ota0_flash_contents_and_erases),
        T(test_one_byte_writes_hold_the_headers),
        T(test_small_images_erase_only_their_sectors),
        T(test_wrong_downloads_touch_nothing),
        T(test_refused_write_changes_nothing),
        T_SMALL(test_first_segment_too_long_refused_before_erase),
        T_SMALL(test_later_segment_too_long_refused_at_its_header),
        T_SMALL(test_image_of_exactly_the_slot_size),
        T_SMALL(test_trailing_bytes_inside_and_past_the_slot),
        T(test_damaged_images_fail_and_leave_otadata),
        T(test_truncated_image_fails_at_end),
        T(test_write_that_does_not_take_fails_at_once),
        T(test_set_boot_trusts_end_only_while_flash_unchanged),
        T(test_power_cut_during_update_leaves_boot_choice),
        T(test_abort_and_handle_checks),
        T(test_write_description_as_soon_as_it_passed),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
