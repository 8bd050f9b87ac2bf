/*
 * How the virtual ESP8266 fails to boot an app, named by slot path as ESP-IDF
 * names its OTA tests: one damaged byte in an app image or in otadata, or an
 * image linked for another 1 MB window offset (the ROM stage and the
 * partition table are in test_boot_failures_rom_table.c). Each case asserts
 * the exact console lines (reference §2.3, §4) and that corrupt code never
 * runs: the boot falls back to another slot or halts, "Hello world!" unprinted.
 *
 * The bootloader's whole decision is checked as one block of consecutive
 * lines, from the line that ends slot selection to "Loaded app ..." or "No
 * bootable ...": every slot tried, in the SDK's order, each with its segment
 * lines, the esp_image error and the "not bootable" line.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "harness.h"

#define FACTORY 0x10000u
#define OTA_0 0x110000u
#define OTA_1 0x210000u
#define OTADATA 0xd000u
#define SLOT_SIZE 0xf0000u
#define LINK_OFFSET 0x80000u /* the "other" window offset an image is linked for */

#define END_TABLE "I (T) boot: End of partition table"
#define DEFAULT_FACTORY "I (T) boot: Defaulting to factory image"
#define NO_APP "E (T) boot: No bootable app partitions in the partition table"

static h_image_layout_t s_hello;  /* hello_world as built (for 0x10000) */
static h_image_layout_t s_linked; /* hello_world linked for LINK_OFFSET */
static char s_linked_path[256];
static char s_chip[256];

/* h_path's buffers rotate; the chip name must outlive many later calls. */
static const char *chip_path(void)
{
    snprintf(s_chip, sizeof s_chip, "%s", h_path("chip.bin"));
    return s_chip;
}

static int group_setup(void **state)
{
    (void)state;
    h_image_layout(H_HELLO, &s_hello);
    snprintf(s_linked_path, sizeof s_linked_path, "%s", h_path("hello_linked.bin"));
    char off[16];
    snprintf(off, sizeof off, "0x%x", LINK_OFFSET);
    if (h_tool("elf2image", "--version", "3", "--flash_size", "4MB", "--app-offset", off, "-o",
               s_linked_path, H_HELLO_ELF, NULL) != 0) {
        return -1;
    }
    h_image_layout(s_linked_path, &s_linked);
    /* The offsets below assume hello_world's shape: padding before the checksum. */
    return (s_hello.seg_count >= 2 && s_hello.seg_end < s_hello.checksum_off) ? 0 : -1;
}

/* ---- what one damaged byte makes the bootloader say ---------------------- */

typedef enum {
    AT_NONE,      /* intact: the slot loads */
    AT_MAGIC,     /* also what an erased slot says */
    AT_ENTRY_TOP, /* entry leaves the slot's window */
    AT_ENTRY_LOW, /* entry stays in the window: only the SHA-256 sees it */
    AT_SEG0_LEN,  /* low byte: length no longer a multiple of 4 */
    AT_LAST_LEN,  /* top byte: the image can no longer fit the slot */
    AT_DATA_FIRST,
    AT_DATA_LAST,
    AT_PADDING,
    AT_CHECKSUM,
    AT_HASH,
    AT_LINKED, /* not a flip: the image linked for LINK_OFFSET */
    AT_COUNT,
} where_t;

static uint32_t where_offset(where_t w)
{
    const h_image_layout_t *l = &s_hello;
    switch (w) {
    case AT_ENTRY_TOP:
        return 7;
    case AT_ENTRY_LOW:
        return 4;
    case AT_SEG0_LEN:
        return l->seg_header[0] + 4;
    case AT_LAST_LEN:
        return l->seg_header[l->seg_count - 1] + 7;
    case AT_DATA_FIRST:
        return l->seg_data[0];
    case AT_DATA_LAST:
        return l->seg_end - 1;
    case AT_PADDING:
        return l->seg_end;
    case AT_CHECKSUM:
        return l->checksum_off;
    case AT_HASH:
        return l->len - 1;
    default:
        return 0;
    }
}

/* Segment lines the bootloader prints before it stops at w: none when the
 * header or a length fails, the first only when its link address fails. */
static unsigned segments_logged(where_t w)
{
    switch (w) {
    case AT_MAGIC:
    case AT_ENTRY_TOP:
    case AT_SEG0_LEN:
        return 0;
    case AT_LINKED:
        return 1;
    default:
        return s_hello.seg_count;
    }
}

/* The esp_image error line for w in the slot at addr. */
static void where_error(where_t w, uint32_t addr, char *out, size_t n)
{
    const h_image_layout_t *l = &s_hello;
    unsigned last = l->seg_count - 1;
    uint32_t window = addr & 0xfffffu;
    switch (w) {
    case AT_MAGIC:
        snprintf(out, n, "E (T) esp_image: image at 0x%x has invalid magic byte", addr);
        break;
    case AT_ENTRY_TOP:
        snprintf(out, n,
                 "E (T) esp_image: image at 0x%x: entry 0x%08x outside its slot's window "
                 "(0x%08x, 0x%08x), linked for another offset?",
                 addr, l->entry ^ 0xff000000u, 0x40200010u + window,
                 0x40200000u + window + SLOT_SIZE);
        break;
    case AT_SEG0_LEN:
        snprintf(out, n, "E (T) esp_image: unaligned segment length 0x%x", l->seg_len[0] ^ 0xffu);
        break;
    case AT_LAST_LEN: {
        /* data end, rounded up past the checksum to 16, plus the SHA-256 */
        uint32_t end = l->seg_data[last] + (l->seg_len[last] ^ 0xff000000u);
        snprintf(out, n, "E (T) esp_image: Image length %u doesn't fit in partition length %u",
                 ((end + 16u) & ~15u) + 32u, SLOT_SIZE);
        break;
    }
    case AT_DATA_FIRST:
    case AT_DATA_LAST:
        snprintf(out, n, "E (T) esp_image: Checksum failed. Calculated 0x%x read 0x%x",
                 l->checksum ^ 0xffu, l->checksum);
        break;
    case AT_PADDING: /* the offset is within the image, not the flash */
        snprintf(out, n, "E (T) esp_image: padding byte at offset 0x%x is 0xff, expected 0x00",
                 l->seg_end);
        break;
    case AT_CHECKSUM:
        snprintf(out, n, "E (T) esp_image: Checksum failed. Calculated 0x%x read 0x%x", l->checksum,
                 l->checksum ^ 0xffu);
        break;
    case AT_LINKED:
        snprintf(out, n,
                 "E (T) esp_image: image at 0x%x: segment 0 is linked at 0x%08x but this slot "
                 "maps it at 0x%08x (image built for another slot)",
                 addr, s_linked.seg_load[0], 0x40200010u + window);
        break;
    default: /* AT_ENTRY_LOW, AT_HASH: every structural check passes */
        snprintf(out, n, "E (T) esp_image: Image hash failed - image is corrupt");
        break;
    }
}

/* ---- the expected block -------------------------------------------------- */

typedef struct {
    uint32_t addr;
    where_t w;
} try_t;

static const char *not_bootable(uint32_t addr)
{
    if (addr == FACTORY) {
        return "E (T) boot: Factory app partition is not bootable";
    }
    return addr == OTA_0 ? "E (T) boot: OTA app partition slot 0 is not bootable"
                         : "E (T) boot: OTA app partition slot 1 is not bootable";
}

static void segment_line(where_t w, uint32_t addr, unsigned i, char *out, size_t n)
{
    const h_image_layout_t *l = (w == AT_LINKED) ? &s_linked : &s_hello;
    uint32_t len = l->seg_len[i];
    if (w == AT_LAST_LEN && i == l->seg_count - 1) {
        len ^= 0xff000000u;
    }
    /* (%6d as the SDK: a huge length prints negative) */
    snprintf(out, n, "I (T) esp_image: segment %u: paddr=0x%08x vaddr=0x%08x size=0x%05x (%6d) %s",
             i, addr + l->seg_data[i], l->seg_load[i], len, (int)len,
             l->seg_load[i] >= 0x40200000u ? "map" : "load");
}

/* head, then each try in order; an intact try ends with "Loaded app", and a
 * list with none ends with the bootloader giving up. */
static void assert_tries(const h_run_t *run, const char *head, const try_t *t, size_t n)
{
    static char lines[64][256];
    size_t k = 0;
    bool loaded = false;
    snprintf(lines[k++], sizeof lines[0], "%s", head);
    for (size_t i = 0; i < n && !loaded; i++) {
        for (unsigned s = 0; s < segments_logged(t[i].w); s++) {
            segment_line(t[i].w, t[i].addr, s, lines[k++], sizeof lines[0]);
        }
        loaded = (t[i].w == AT_NONE);
        if (loaded) {
            snprintf(lines[k++], sizeof lines[0],
                     "I (T) boot: Loaded app from partition at offset 0x%x", t[i].addr);
            continue;
        }
        where_error(t[i].w, t[i].addr, lines[k++], sizeof lines[0]);
        snprintf(lines[k++], sizeof lines[0], "%s", not_bootable(t[i].addr));
    }
    if (!loaded) {
        snprintf(lines[k++], sizeof lines[0], "%s", NO_APP);
    }
    const char *block[64];
    for (size_t i = 0; i < k; i++) {
        block[i] = lines[i];
    }
    H_ASSERT_BLOCK(run, block, k);
}

#define ASSERT_TRIES(run, head, ...)                                                               \
    do {                                                                                           \
        const try_t t_[] = {__VA_ARGS__};                                                          \
        assert_tries((run), (head), t_, sizeof t_ / sizeof t_[0]);                                 \
    } while (0)

/* ---- runs ---------------------------------------------------------------- */

/* hello_world in factory, ota_0 and ota_1; otadata selecting `slot` (-1:
 * initial otadata). Selecting ota_1 through ota_0 gives the SDK's seq 1, 2. */
static const char *three_slots(int slot)
{
    const char *chip = chip_path();
    h_flash_standard(chip, H_PT_FACTORY, H_HELLO, FACTORY, OTA_0, OTA_1, 0u);
    for (int s = 0; s <= slot; s++) {
        char n[16];
        snprintf(n, sizeof n, "%d", s);
        assert_int_equal(h_tool("switch_ota_partition", "--chip", chip, "--slot", n, NULL), 0);
    }
    return chip;
}

/* A boot that found nothing to run: no app started, the device stopped. */
static void run_until_halt(const char *chip, h_run_t *run)
{
    h_run(chip, 0, NULL, run);
    H_ASSERT_NO_LINE(run, "Hello world!");
    assert_int_equal(h_count_prefix(run, "I (T) boot: Loaded app"), 0);
    assert_true(run->r.halted);
    assert_int_equal(run->r.boots, 1);
    assert_int_equal(run->r.restarts, 0);
    /* A failed boot only reads: the flash is left as it was found. */
    assert_int_equal(run->r.counters.writes, 0);
    assert_int_equal(run->r.counters.erases, 0);
}

/* One boot that reaches hello_world through exactly one loaded app. */
static void run_once(const char *chip, h_run_t *run)
{
    h_run(chip, 1, "Hello world!", run);
    assert_int_equal(h_count_prefix(run, "I (T) boot: Loaded app"), 1);
    assert_int_equal(h_count_prefix(run, "Hello world!"), 1);
    assert_false(run->r.halted);
    assert_int_equal(run->r.boots, 1);
}

/* ---- factory holds the only app: one flipped byte anywhere -------------- */

/* Named error, factory not bootable, the erased OTA slots tried, halt. */
static void test_factory_flipped(void **state)
{
    where_t w = *(const where_t *)*state;
    const char *chip = chip_path();
    h_flash_standard(chip, H_PT_FACTORY, H_HELLO, FACTORY, 0u);
    h_flip(chip, FACTORY + where_offset(w));
    h_run_t run;
    run_until_halt(chip, &run);
    ASSERT_TRIES(&run, DEFAULT_FACTORY, {FACTORY, w}, {OTA_0, AT_MAGIC}, {OTA_1, AT_MAGIC});
    h_run_free(&run);
}

/* Each value once, for cmocka's per-test state pointer. */
static const where_t s_where[AT_COUNT] = {
    AT_NONE,       AT_MAGIC,     AT_ENTRY_TOP, AT_ENTRY_LOW, AT_SEG0_LEN, AT_LAST_LEN,
    AT_DATA_FIRST, AT_DATA_LAST, AT_PADDING,   AT_CHECKSUM,  AT_HASH,     AT_LINKED,
};

/* ---- fallback between slots, in the SDK's order ------------------------- */

/* ota_0 selected but corrupt: factory runs, on every boot. */
static void test_ota0_corrupt_falls_back_to_factory(void **state)
{
    (void)state;
    const char *chip = three_slots(0);
    h_flip(chip, OTA_0 + where_offset(AT_DATA_LAST));
    h_run_t run;
    h_run(chip, 2, NULL, &run);
    ASSERT_TRIES(&run, END_TABLE, {OTA_0, AT_DATA_LAST}, {FACTORY, AT_NONE});
    assert_int_equal(h_count_prefix(&run, not_bootable(OTA_0)), 2);
    assert_int_equal(
        h_count_prefix(&run, "I (T) boot: Loaded app from partition at offset 0x10000"), 2);
    assert_int_equal(h_count_prefix(&run, "I (T) boot: Loaded app"), 2);
    assert_int_equal(h_count_prefix(&run, "Hello world!"), 2);
    assert_int_equal(run.r.boots, 2);
    assert_false(run.r.halted);
    h_run_free(&run);
}

/* ota_1 selected but corrupt: down from the selected slot, ota_0 first. */
static void test_ota1_corrupt_falls_back_to_ota0(void **state)
{
    (void)state;
    const char *chip = three_slots(1);
    h_flip(chip, OTA_1 + where_offset(AT_HASH));
    h_run_t run;
    run_once(chip, &run);
    ASSERT_TRIES(&run, END_TABLE, {OTA_1, AT_HASH}, {OTA_0, AT_NONE});
    h_run_free(&run);
}

/* ota_1 and ota_0 corrupt: down again, to factory. */
static void test_ota1_ota0_corrupt_falls_back_to_factory(void **state)
{
    (void)state;
    const char *chip = three_slots(1);
    h_flip(chip, OTA_1 + where_offset(AT_MAGIC));
    h_flip(chip, OTA_0 + where_offset(AT_DATA_FIRST));
    h_run_t run;
    run_once(chip, &run);
    ASSERT_TRIES(&run, END_TABLE, {OTA_1, AT_MAGIC}, {OTA_0, AT_DATA_FIRST}, {FACTORY, AT_NONE});
    h_run_free(&run);
}

/* ota_0 and factory corrupt: after factory the SDK goes up, to ota_1. */
static void test_ota0_factory_corrupt_goes_up_to_ota1(void **state)
{
    (void)state;
    const char *chip = three_slots(0);
    h_flip(chip, OTA_0 + where_offset(AT_CHECKSUM));
    h_flip(chip, FACTORY + where_offset(AT_ENTRY_TOP));
    h_run_t run;
    run_once(chip, &run);
    ASSERT_TRIES(&run, END_TABLE, {OTA_0, AT_CHECKSUM}, {FACTORY, AT_ENTRY_TOP}, {OTA_1, AT_NONE});
    h_run_free(&run);
}

/* Every slot corrupt: each is named, then the bootloader gives up. */
static void test_ota1_all_slots_corrupt_halts(void **state)
{
    (void)state;
    const char *chip = three_slots(1);
    h_flip(chip, OTA_1 + where_offset(AT_PADDING));
    h_flip(chip, OTA_0 + where_offset(AT_SEG0_LEN));
    h_flip(chip, FACTORY + where_offset(AT_LAST_LEN));
    h_run_t run;
    run_until_halt(chip, &run);
    ASSERT_TRIES(&run, END_TABLE, {OTA_1, AT_PADDING}, {OTA_0, AT_SEG0_LEN},
                 {FACTORY, AT_LAST_LEN});
    h_run_free(&run);
}

/* ---- otadata: one bad copy, both bad -------------------------------------- */

#define ENTRY_A_CRC (OTADATA + 28u)
#define ENTRY_B_CRC (OTADATA + 0x1000u + 28u)

/* A seq 1 (ota_0), B seq 2 (ota_1) in charge; B's CRC bad: A wins, silently. */
static void test_otadata_b_bad_crc_a_wins_ota0(void **state)
{
    (void)state;
    const char *chip = three_slots(1);
    h_flip(chip, ENTRY_B_CRC);
    h_run_t run;
    run_once(chip, &run);
    ASSERT_TRIES(&run, END_TABLE, {OTA_0, AT_NONE});
    h_run_free(&run);
}

/* A seq 3 (ota_0) in charge over B seq 2 (ota_1); A's CRC bad: B wins. */
static void test_otadata_a_bad_crc_b_wins_ota1(void **state)
{
    (void)state;
    const char *chip = three_slots(1);
    assert_int_equal(h_tool("switch_ota_partition", "--chip", chip, "--slot", "0", NULL), 0);
    h_flip(chip, ENTRY_A_CRC);
    h_run_t run;
    run_once(chip, &run);
    ASSERT_TRIES(&run, END_TABLE, {OTA_1, AT_NONE});
    h_run_free(&run);
}

static void test_otadata_both_bad_crc_factory(void **state)
{
    (void)state;
    const char *chip = three_slots(1);
    h_flip(chip, ENTRY_A_CRC);
    h_flip(chip, ENTRY_B_CRC);
    h_run_t run;
    run_once(chip, &run);
    ASSERT_TRIES(&run, "E (T) boot: ota data partition invalid, falling back to factory",
                 {FACTORY, AT_NONE});
    h_run_free(&run);
}

/* ---- an image linked for another 1 MB window offset ---------------------- */

static void test_factory_linked_elsewhere_halts(void **state)
{
    (void)state;
    const char *chip = chip_path();
    h_flash_standard(chip, H_PT_FACTORY, s_linked_path, FACTORY, 0u);
    h_run_t run;
    run_until_halt(chip, &run);
    ASSERT_TRIES(&run, DEFAULT_FACTORY, {FACTORY, AT_LINKED}, {OTA_0, AT_MAGIC}, {OTA_1, AT_MAGIC});
    h_run_free(&run);
}

static void test_ota0_linked_elsewhere_falls_back_to_factory(void **state)
{
    (void)state;
    const char *chip = three_slots(0);
    assert_int_equal(h_tool("write_flash", "--chip", chip, "0x110000", s_linked_path, NULL), 0);
    h_run_t run;
    run_once(chip, &run);
    ASSERT_TRIES(&run, END_TABLE, {OTA_0, AT_LINKED}, {FACTORY, AT_NONE});
    h_run_free(&run);
}

#define FLIP_TEST(name, w)                                                                         \
    {                                                                                              \
        "test_factory_" name, test_factory_flipped, NULL, NULL, (void *)&s_where[w]                \
    }

int main(void)
{
    const struct CMUnitTest tests[] = {
        FLIP_TEST("bad_magic_not_bootable", AT_MAGIC),
        FLIP_TEST("entry_outside_window_not_bootable", AT_ENTRY_TOP),
        FLIP_TEST("entry_low_byte_hash_fails", AT_ENTRY_LOW),
        FLIP_TEST("segment0_length_unaligned", AT_SEG0_LEN),
        FLIP_TEST("last_segment_length_too_big", AT_LAST_LEN),
        FLIP_TEST("first_data_byte_checksum_fails", AT_DATA_FIRST),
        FLIP_TEST("last_data_byte_checksum_fails", AT_DATA_LAST),
        FLIP_TEST("padding_byte_not_zero", AT_PADDING),
        FLIP_TEST("checksum_byte_fails", AT_CHECKSUM),
        FLIP_TEST("sha256_byte_hash_fails", AT_HASH),
        cmocka_unit_test(test_ota0_corrupt_falls_back_to_factory),
        cmocka_unit_test(test_ota1_corrupt_falls_back_to_ota0),
        cmocka_unit_test(test_ota1_ota0_corrupt_falls_back_to_factory),
        cmocka_unit_test(test_ota0_factory_corrupt_goes_up_to_ota1),
        cmocka_unit_test(test_ota1_all_slots_corrupt_halts),
        cmocka_unit_test(test_otadata_b_bad_crc_a_wins_ota0),
        cmocka_unit_test(test_otadata_a_bad_crc_b_wins_ota1),
        cmocka_unit_test(test_otadata_both_bad_crc_factory),
        cmocka_unit_test(test_factory_linked_elsewhere_halts),
        cmocka_unit_test(test_ota0_linked_elsewhere_falls_back_to_factory),
    };
    return cmocka_run_group_tests(tests, group_setup, NULL);
}
