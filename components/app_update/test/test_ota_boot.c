/*
 * Choosing what boots: esp_ota_set_boot_partition's otadata bytes (the
 * worked table of reference §2.4, CRCs from §2.2), esp_ota_get_boot_partition
 * over every otadata state (§2.3), and the running / next-update rules.
 * Tests are named by slot path, as ESP-IDF's test_switch_ota.c names them.
 */
#include "ota_test_util.h"

#define FACTORY 0x10000u
#define OTA0 0x110000u
#define OTA1 0x210000u
#define OTADATA 0xd000u

/* components/partition_table/partitions_two_ota.csv: no factory. */
static const trow_t TWO_OTA[] = {
    {"nvs", 1, 0x02, 0x9000, 0x4000, 0},      {"otadata", 1, 0x00, 0xd000, 0x2000, 0},
    {"phy_init", 1, 0x01, 0xf000, 0x1000, 0}, {"ota_0", 0, 0x10, 0x10000, 0xF0000, 0},
    {"ota_1", 0, 0x11, 0x110000, 0xF0000, 0},
};

static const trow_t NO_OTADATA[] = {
    {"nvs", 1, 0x02, 0x9000, 0x6000, 0},
    {"factory", 0, 0x00, 0x10000, 0x70000, 0},
    {"ota_0", 0, 0x10, 0x110000, 0x70000, 0},
};

static const trow_t THREE_OTA_AND_TEST[] = {
    {"otadata", 1, 0x00, 0xd000, 0x2000, 0},  {"ota_0", 0, 0x10, 0x10000, 0x40000, 0},
    {"ota_1", 0, 0x11, 0x110000, 0x40000, 0}, {"ota_2", 0, 0x12, 0x210000, 0x40000, 0},
    {"test", 0, 0x20, 0x310000, 0x40000, 0},
};

static const trow_t GAP[] = {
    {"otadata", 1, 0x00, 0xd000, 0x2000, 0},
    {"ota_0", 0, 0x10, 0x10000, 0x40000, 0},
    {"ota_2", 0, 0x12, 0x110000, 0x40000, 0},
};

static tchip_t s_chip;

static int setup(void **state)
{
    (void)state;
    tchip_open(&s_chip, 4u << 20);
    tchip_table(&s_chip, TROWS(DEMO_TABLE));
    g_running_addr = FACTORY;
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    tchip_close(&s_chip);
    return 0;
}

/* crc32_le(0xFFFFFFFF, seq) for seq 1..5, from reference §2.2. */
static uint32_t golden_crc(uint32_t seq)
{
    static const uint32_t crc[] = {0, 0x4743989A, 0x55F63774, 0xED4A5011, 0x709D68A8, 0xC8210FCD};
    assert_true(seq >= 1 && seq <= 5);
    return crc[seq];
}

/* Expects otadata copy `sector` to hold seq (SDK bytes: label and state FF),
 * or to be erased when seq is 0xFFFFFFFF; the rest of the sector erased. */
static void assert_entry(int sector, uint32_t seq)
{
    uint32_t at = OTADATA + (uint32_t)sector * 0x1000u;
    uint8_t want[32];
    memset(want, 0xFF, sizeof want);
    if (seq != 0xFFFFFFFFu) {
        tput32(want, seq);
        tput32(want + 28, golden_crc(seq));
    }
    uint8_t got[32];
    tchip_peek(&s_chip, at, got, sizeof got);
    assert_memory_equal(got, want, sizeof want);
    assert_true(tchip_all(&s_chip, at + 32, 0x1000 - 32, 0xFF));
}

/* Raw otadata entry: seq with a right or wrong CRC, or erased (NULL). */
static void put_entry(int sector, uint32_t seq, bool crc_ok)
{
    uint8_t raw[32];
    memset(raw, 0xFF, sizeof raw);
    tput32(raw, seq);
    tput32(raw + 28, crc_ok ? golden_crc(seq) : 0x12345678u);
    tchip_poke(&s_chip, OTADATA + (uint32_t)sector * 0x1000u, raw, sizeof raw);
}

static void erase_otadata(void)
{
    uint8_t ff[0x2000];
    memset(ff, 0xFF, sizeof ff);
    tchip_poke(&s_chip, OTADATA, ff, sizeof ff);
}

/* A valid image for addr's window, put there directly (set-up). */
static void put_app(uint32_t addr, const char *version)
{
    timg_t img = timg_sdk_app(addr, 2000, version);
    tchip_put_image(&s_chip, addr, &img);
    timg_free(&img);
}

/* ---- set_boot ------------------------------------------------------------ */

static void test_set_boot_argument_checks(void **state)
{
    (void)state;
    put_app(OTA0, "1");
    timg_t other = timg_sdk_app(0x0, 2000, "1"); /* linked for the window at 0x0 */
    tchip_put_image(&s_chip, OTA1, &other);
    timg_free(&other);

    assert_int_equal(esp_ota_set_boot_partition(NULL), ESP_ERR_INVALID_ARG);
    assert_int_equal(esp_ota_set_boot_partition(tpart("nvs")), ESP_ERR_INVALID_ARG);
    assert_int_equal(esp_ota_set_boot_partition(tpart("otadata")), ESP_ERR_INVALID_ARG);
    esp_partition_t stray = *tpart("ota_0");
    stray.size = 0x1000;
    assert_int_equal(esp_ota_set_boot_partition(&stray), ESP_ERR_NOT_FOUND);
    /* factory holds no image here; ota_1's entry point is outside its window. */
    assert_int_equal(esp_ota_set_boot_partition(tpart("factory")), ESP_ERR_OTA_VALIDATE_FAILED);
    assert_int_equal(esp_ota_set_boot_partition(tpart("ota_1")), ESP_ERR_OTA_VALIDATE_FAILED);
    assert_int_equal(s_chip.st->counters.modify_ops, 0);
    assert_true(tchip_all(&s_chip, OTADATA, 0x2000, 0xFF));

    tchip_table(&s_chip, TROWS(THREE_OTA_AND_TEST));
    put_app(0x310000, "t");
    assert_int_equal(esp_ota_set_boot_partition(tpart("test")), ESP_ERR_INVALID_ARG);
}

static void test_set_boot_without_otadata(void **state)
{
    (void)state;
    tchip_table(&s_chip, TROWS(NO_OTADATA));
    put_app(FACTORY, "1");
    put_app(OTA0, "1");
    assert_int_equal(esp_ota_set_boot_partition(tpart("factory")), ESP_ERR_NOT_FOUND);
    assert_int_equal(esp_ota_set_boot_partition(tpart("ota_0")), ESP_ERR_NOT_FOUND);
    assert_null(esp_ota_get_boot_partition());
}

/* The worked sequence of reference §2.4, n = 2, from erased otadata. */
static void test_set_boot_sequence_factory_ota0_ota1_ota0_ota1_ota1_ota0(void **state)
{
    (void)state;
    put_app(OTA0, "1");
    put_app(OTA1, "1");
    /* erases: each copy's first use finds it blank (no erase); later ones, one. */
    static const struct {
        const char *slot;
        uint32_t a, b;
        uint32_t erases;
    } steps[] = {
        {"ota_0", 1, 0xFFFFFFFFu, 0}, {"ota_1", 1, 2, 0}, {"ota_0", 3, 2, 1},
        {"ota_1", 3, 4, 1},           {"ota_1", 4, 4, 1}, {"ota_0", 4, 5, 1},
    };
    assert_ptr_equal(esp_ota_get_boot_partition(), tpart("factory"));
    for (size_t i = 0; i < sizeof steps / sizeof steps[0]; i++) {
        tchip_reset_counters(&s_chip);
        assert_int_equal(esp_ota_set_boot_partition(tpart(steps[i].slot)), ESP_OK);
        assert_entry(0, steps[i].a);
        assert_entry(1, steps[i].b);
        /* One sector rewritten; the other copy never touched. */
        assert_int_equal(s_chip.st->counters.erases, steps[i].erases);
        assert_int_equal(s_chip.st->counters.blank_erases, 0);
        assert_int_equal(s_chip.st->counters.writes, 1);
        assert_ptr_equal(esp_ota_get_boot_partition(), tpart(steps[i].slot));
    }
    /* Back to factory: the whole otadata is erased. */
    put_app(FACTORY, "f");
    tchip_reset_counters(&s_chip);
    assert_int_equal(esp_ota_set_boot_partition(tpart("factory")), ESP_OK);
    assert_true(tchip_all(&s_chip, OTADATA, 0x2000, 0xFF));
    assert_int_equal(tchip_erases_in(&s_chip, OTADATA, 0x2000), 2);
    assert_int_equal(s_chip.st->counters.erases, 2);
    assert_ptr_equal(esp_ota_get_boot_partition(), tpart("factory"));
}

/* factory -> OTA0 -> OTA1 -> (OTA0 next) through the whole API, as the
 * native example runs it, with the otadata bytes after each switch. */
static void test_factory_ota0_ota1_updates_end_to_end(void **state)
{
    (void)state;
    assert_ptr_equal(esp_ota_get_running_partition(), tpart("factory"));
    const esp_partition_t *next = esp_ota_get_next_update_partition(NULL);
    assert_ptr_equal(next, tpart("ota_0"));
    timg_t v2 = timg_sdk_app(OTA0, 6000, "2");
    assert_int_equal(tota_update(next, &v2, 1024), ESP_OK);
    assert_int_equal(esp_ota_set_boot_partition(next), ESP_OK);
    assert_entry(0, 1);
    assert_entry(1, 0xFFFFFFFFu);
    assert_ptr_equal(esp_ota_get_boot_partition(), tpart("ota_0"));

    g_running_addr = OTA0; /* rebooted into ota_0 */
    next = esp_ota_get_next_update_partition(NULL);
    assert_ptr_equal(next, tpart("ota_1"));
    timg_t v3 = timg_sdk_app(OTA1, 7000, "3");
    assert_int_equal(tota_update(next, &v3, 1500), ESP_OK);
    assert_int_equal(esp_ota_set_boot_partition(next), ESP_OK);
    assert_entry(0, 1);
    assert_entry(1, 2);
    assert_ptr_equal(esp_ota_get_boot_partition(), tpart("ota_1"));

    g_running_addr = OTA1; /* rebooted into ota_1 */
    assert_ptr_equal(esp_ota_get_next_update_partition(NULL), tpart("ota_0"));
    esp_ota_handle_t h;
    assert_int_equal(esp_ota_begin(tpart("ota_1"), OTA_SIZE_UNKNOWN, &h),
                     ESP_ERR_OTA_PARTITION_CONFLICT);
    esp_app_desc_t d;
    assert_int_equal(esp_ota_get_partition_description(tpart("ota_0"), &d), ESP_OK);
    assert_string_equal(d.version, "2");
    assert_int_equal(esp_ota_get_partition_description(tpart("ota_1"), &d), ESP_OK);
    assert_string_equal(d.version, "3");
    timg_free(&v2);
    timg_free(&v3);
}

/* OTA0 -> OTA1 on the SDK's two-OTA table: seq 2 lands in sector 0. */
static void test_first_ota_ota0_to_ota1_without_factory(void **state)
{
    (void)state;
    tchip_table(&s_chip, TROWS(TWO_OTA));
    g_running_addr = 0x10000;
    assert_ptr_equal(esp_ota_get_boot_partition(), tpart("ota_0"));
    const esp_partition_t *next = esp_ota_get_next_update_partition(NULL);
    assert_ptr_equal(next, tpart("ota_1"));
    timg_t img = timg_sdk_app(0x110000, 3000, "2");
    assert_int_equal(tota_update(next, &img, 4096), ESP_OK);
    assert_int_equal(esp_ota_set_boot_partition(next), ESP_OK);
    assert_entry(0, 2);
    assert_entry(1, 0xFFFFFFFFu);
    assert_ptr_equal(esp_ota_get_boot_partition(), tpart("ota_1"));
    timg_free(&img);
}

/* ---- power cuts while selecting ------------------------------------------ */

static int s_cuts;

/* The cut flash operation then fails instead of ending the process. */
static void note_cut(void *arg)
{
    (void)arg;
    s_cuts++;
}

/* factory -> (cut) : whichever copy was in charge survives the cut. */
static void test_power_cut_while_selecting_factory_keeps_previous_choice(void **state)
{
    (void)state;
    put_app(FACTORY, "f");
    put_app(OTA0, "1");
    put_app(OTA1, "1");
    static const struct {
        uint32_t a, b;
        const char *before;
    } cases[] = {{3, 2, "ota_0"}, {3, 4, "ota_1"}};
    s_chip.f.on_power_cut = note_cut;
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        erase_otadata();
        put_entry(0, cases[i].a, true);
        put_entry(1, cases[i].b, true);
        assert_ptr_equal(esp_ota_get_boot_partition(), tpart(cases[i].before));
        s_cuts = 0;
        /* Cut before the second of the two erases. */
        assert_int_equal(
            sim_flash_plan_cut(s_chip.st, s_chip.st->counters.modify_ops + 2, SIM_CUT_CLEAN),
            ESP_OK);
        assert_int_equal(esp_ota_set_boot_partition(tpart("factory")), ESP_ERR_FLASH_OP_FAIL);
        assert_int_equal(s_cuts, 1);
        assert_ptr_equal(esp_ota_get_boot_partition(), tpart(cases[i].before));
        /* Power back: selecting factory again completes. */
        assert_int_equal(esp_ota_set_boot_partition(tpart("factory")), ESP_OK);
        assert_ptr_equal(esp_ota_get_boot_partition(), tpart("factory"));
        assert_true(tchip_all(&s_chip, OTADATA, 0x2000, 0xFF));
    }
}

/* ---- get_boot over every otadata state ----------------------------------- */

typedef struct {
    const char *name;
    int32_t a, b;    /* seq, or -1 erased */
    bool a_ok, b_ok; /* CRC right */
    const char *with_factory;
    const char *without_factory;
} boot_case_t;

static void test_get_boot_partition_for_every_otadata_state(void **state)
{
    (void)state;
    static const boot_case_t cases[] = {
        {"erased", -1, -1, true, true, "factory", "ota_0"},
        {"only A valid (1)", 1, -1, true, true, "ota_0", "ota_0"},
        {"only B valid (2)", -1, 2, true, true, "ota_1", "ota_1"},
        {"A valid, B bad CRC", 1, 2, true, false, "ota_0", "ota_0"},
        {"both valid, A higher", 3, 2, true, true, "ota_0", "ota_0"},
        {"both valid, B higher", 3, 4, true, true, "ota_1", "ota_1"},
        {"both valid, equal", 4, 4, true, true, "ota_1", "ota_1"},
        {"both bad CRC", 1, 2, false, false, "factory", "ota_0"},
        {"A erased, B bad CRC", -1, 2, true, false, "factory", "ota_0"},
    };
    for (int table = 0; table < 2; table++) {
        if (table == 0) {
            tchip_table(&s_chip, TROWS(DEMO_TABLE));
        } else {
            tchip_table(&s_chip, TROWS(TWO_OTA));
        }
        for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
            const boot_case_t *c = &cases[i];
            print_message("%s table, otadata %s\n", table ? "two-OTA" : "demo", c->name);
            erase_otadata();
            if (c->a >= 0) {
                put_entry(0, (uint32_t)c->a, c->a_ok);
            }
            if (c->b >= 0) {
                put_entry(1, (uint32_t)c->b, c->b_ok);
            }
            const char *want = table ? c->without_factory : c->with_factory;
            assert_ptr_equal(esp_ota_get_boot_partition(), tpart(want));
        }
    }
}

static void test_get_boot_partition_without_usable_otadata(void **state)
{
    (void)state;
    tchip_table(&s_chip, TROWS(NO_OTADATA));
    assert_null(esp_ota_get_boot_partition());
    static const trow_t small[] = {
        {"otadata", 1, 0x00, 0xd000, 0x1000, 0},
        {"ota_0", 0, 0x10, 0x10000, 0x40000, 0},
    };
    tchip_table(&s_chip, TROWS(small)); /* below 0x2000: the bootloader refuses it too */
    assert_null(esp_ota_get_boot_partition());
}

/* ---- running, next update, slot count ------------------------------------- */

static void test_running_partition(void **state)
{
    (void)state;
    static const struct {
        uint32_t addr;
        const char *want;
    } cases[] = {
        {FACTORY, "factory"},   {FACTORY + 0xEFFFF, "factory"}, {OTA0, "ota_0"},
        {OTA1 + 0x10, "ota_1"}, {OTA1 + 0xF0000, NULL},         {0x9000, NULL},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        g_running_addr = cases[i].addr;
        const esp_partition_t *p = esp_ota_get_running_partition();
        if (cases[i].want) {
            assert_ptr_equal(p, tpart(cases[i].want));
        } else {
            assert_null(p);
        }
    }
}

static void test_next_update_partition(void **state)
{
    (void)state;
    g_running_addr = FACTORY;
    assert_ptr_equal(esp_ota_get_next_update_partition(NULL), tpart("ota_0"));
    g_running_addr = OTA0;
    assert_ptr_equal(esp_ota_get_next_update_partition(NULL), tpart("ota_1"));
    g_running_addr = OTA1;
    assert_ptr_equal(esp_ota_get_next_update_partition(NULL), tpart("ota_0"));
    assert_ptr_equal(esp_ota_get_next_update_partition(tpart("factory")), tpart("ota_0"));
    esp_partition_t copy = *tpart("ota_0");
    assert_ptr_equal(esp_ota_get_next_update_partition(&copy), tpart("ota_1"));
    copy.address = 0x300000;
    assert_null(esp_ota_get_next_update_partition(&copy));

    tchip_table(&s_chip, TROWS(THREE_OTA_AND_TEST));
    assert_ptr_equal(esp_ota_get_next_update_partition(tpart("test")), tpart("ota_0"));
    assert_ptr_equal(esp_ota_get_next_update_partition(tpart("ota_1")), tpart("ota_2"));
    assert_ptr_equal(esp_ota_get_next_update_partition(tpart("ota_2")), tpart("ota_0"));

    tchip_table(&s_chip, TROWS(GAP));
    assert_ptr_equal(esp_ota_get_next_update_partition(tpart("ota_0")), tpart("ota_2"));
    assert_ptr_equal(esp_ota_get_next_update_partition(tpart("ota_2")), tpart("ota_0"));

    static const trow_t single[] = {{"factory", 0, 0x00, 0x10000, 0xF0000, 0}};
    tchip_table(&s_chip, TROWS(single));
    g_running_addr = FACTORY;
    assert_null(esp_ota_get_next_update_partition(NULL));
}

static void test_ota_partition_count(void **state)
{
    (void)state;
    assert_int_equal(get_ota_partition_count(), 2);
    tchip_table(&s_chip, TROWS(THREE_OTA_AND_TEST));
    assert_int_equal(get_ota_partition_count(), 3);
    tchip_table(&s_chip, TROWS(GAP)); /* the SDK's app counts up to the first gap */
    assert_int_equal(get_ota_partition_count(), 1);
    tchip_table(&s_chip, TROWS(NO_OTADATA));
    assert_int_equal(get_ota_partition_count(), 1);
}

#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)

int main(void)
{
    const struct CMUnitTest tests[] = {
        T(test_set_boot_argument_checks),
        T(test_set_boot_without_otadata),
        T(test_set_boot_sequence_factory_ota0_ota1_ota0_ota1_ota1_ota0),
        T(test_factory_ota0_ota1_updates_end_to_end),
        T(test_first_ota_ota0_to_ota1_without_factory),
        T(test_power_cut_while_selecting_factory_keeps_previous_choice),
        T(test_get_boot_partition_for_every_otadata_state),
        T(test_get_boot_partition_without_usable_otadata),
        T(test_running_partition),
        T(test_next_update_partition),
        T(test_ota_partition_count),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
