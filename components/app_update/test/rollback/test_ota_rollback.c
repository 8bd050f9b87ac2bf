/*
 * The rollback API of app_update built with CONFIG_BOOTLOADER_APP_ROLLBACK_ENABLE
 * (app_update_rollback): what esp_ota_set_boot_partition writes, the refusal
 * of a new update while the running app is pending, confirming, giving up,
 * the state and last-invalid queries, the rollback check and the erase of
 * the previous app. otadata is set up byte by byte here, as the bootloader
 * would have left it. Named by slot path.
 */
#include "ota_test_util.h"

/* The platform header, by path: tests are not linked with esp_system. */
#include "../../../esp_system/include/esp_system.h"

#define FACTORY 0x10000u
#define OTA0 0x110000u
#define OTA1 0x210000u
#define OTADATA 0xd000u
#define NONE 0xFFu

#define NEW 0u
#define PENDING 1u
#define VALID 2u
#define INVALID 3u
#define ABORTED 4u
#define UNDEF 0xFFFFFFFFu

static tchip_t s_chip;
static jmp_buf s_restart;
static int s_restarts;

/* app_update's one call into esp_system: here it returns to the test. */
void esp_restart(void)
{
    s_restarts++;
    longjmp(s_restart, 1);
}

static int setup(void **state)
{
    (void)state;
    tchip_open(&s_chip, 4u << 20);
    tchip_table(&s_chip, TROWS(DEMO_TABLE));
    g_running_addr = FACTORY;
    s_restarts = 0;
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    tchip_close(&s_chip);
    return 0;
}

/* crc32_le(0xFFFFFFFF, seq), seq 1..7 (zlib; reference §2.2). */
static uint32_t golden_crc(uint32_t seq)
{
    static const uint32_t crc[] = {0,          0x4743989a, 0x55f63774, 0xed4a5011,
                                   0x709d68a8, 0xc8210fcd, 0xda94a023, 0x6228c746};
    assert_true(seq >= 1 && seq <= 7);
    return crc[seq];
}

static void raw_entry(uint8_t raw[32], uint32_t seq, uint32_t st, uint8_t attempts, uint8_t allowed,
                      uint8_t target)
{
    memset(raw, 0xFF, 32);
    tput32(raw, seq);
    raw[20] = attempts;
    raw[21] = allowed;
    raw[22] = target;
    tput32(raw + 24, st);
    tput32(raw + 28, golden_crc(seq));
}

/* Puts an entry into otadata copy `sector` (set-up, not counted). */
static void put_entry(int sector, uint32_t seq, uint32_t st, uint8_t attempts, uint8_t allowed,
                      uint8_t target)
{
    uint8_t raw[32];
    raw_entry(raw, seq, st, attempts, allowed, target);
    tchip_poke(&s_chip, OTADATA + (uint32_t)sector * 0x1000u, raw, sizeof raw);
}

static void assert_entry(int sector, uint32_t seq, uint32_t st, uint8_t attempts, uint8_t allowed,
                         uint8_t target)
{
    uint8_t want[32], got[32];
    raw_entry(want, seq, st, attempts, allowed, target);
    tchip_peek(&s_chip, OTADATA + (uint32_t)sector * 0x1000u, got, sizeof got);
    assert_memory_equal(got, want, sizeof want);
}

static void put_app(uint32_t addr, const char *version)
{
    timg_t img = timg_sdk_app(addr, 2000, version);
    tchip_put_image(&s_chip, addr, &img);
    timg_free(&img);
}

/* ---- selecting and updating ------------------------------------------------- */

static void test_factory_selects_ota0_as_new_with_factory_as_target(void **state)
{
    (void)state;
    put_app(OTA0, "2");
    assert_int_equal(esp_ota_set_boot_partition(tpart("ota_0")), ESP_OK);
    assert_entry(0, 1, NEW, NONE, NONE, 0x00);
    assert_true(tchip_all(&s_chip, OTADATA + 0x1000, 0x1000, 0xFF));
    /* Still what boots next: the bootloader gives it its attempts. */
    assert_ptr_equal(esp_ota_get_boot_partition(), tpart("ota_0"));
}

/* From a confirmed ota_0, an update into ota_1 records ota_0 as the target;
 * the new entry is above the one in charge even for the same slot. */
static void test_ota0_valid_selects_ota1_then_ota0_again(void **state)
{
    (void)state;
    put_app(OTA0, "2");
    put_app(OTA1, "3");
    put_entry(0, 1, VALID, 1, 1, 0x00);
    g_running_addr = OTA0;
    assert_int_equal(esp_ota_set_boot_partition(tpart("ota_1")), ESP_OK);
    assert_entry(1, 2, NEW, NONE, NONE, 0x10);
    /* ota_0 re-selects itself: the entry in charge (ota_1's) has no target
     * that belongs to ota_0, so none is recorded: the SDK order decides. */
    assert_int_equal(esp_ota_set_boot_partition(tpart("ota_0")), ESP_OK);
    assert_entry(0, 3, NEW, NONE, NONE, NONE);
}

static void test_ota0_pending_refuses_a_new_update(void **state)
{
    (void)state;
    put_app(OTA0, "2");
    put_entry(1, 3, PENDING, 1, 1, 0x00);
    put_entry(0, 1, NEW, NONE, NONE, 0x00);
    g_running_addr = OTA0;
    tchip_reset_counters(&s_chip);
    esp_ota_handle_t h = 0;
    assert_int_equal(esp_ota_begin(tpart("ota_1"), OTA_SIZE_UNKNOWN, &h),
                     ESP_ERR_OTA_ROLLBACK_INVALID_STATE);
    assert_int_equal(s_chip.st->counters.modify_ops, 0);
    /* Confirmed: the update may start (begin erases nothing). */
    assert_int_equal(esp_ota_mark_app_valid_cancel_rollback(), ESP_OK);
    assert_int_equal(esp_ota_begin(tpart("ota_1"), OTA_SIZE_UNKNOWN, &h), ESP_OK);
    assert_int_equal(esp_ota_abort(h), ESP_OK);
}

/* The factory app running after a rollback is not pending: it may update. */
static void test_factory_after_rollback_may_update(void **state)
{
    (void)state;
    put_entry(0, 5, ABORTED, 1, 1, 0x00);
    put_entry(1, 3, PENDING, 1, 1, 0x00);
    esp_ota_handle_t h = 0;
    assert_int_equal(esp_ota_begin(tpart("ota_0"), OTA_SIZE_UNKNOWN, &h), ESP_OK);
    assert_int_equal(esp_ota_abort(h), ESP_OK);
    assert_ptr_equal(esp_ota_get_boot_partition(), tpart("factory"));
    assert_ptr_equal(esp_ota_get_last_invalid_partition(), tpart("ota_0"));
}

/* ---- confirming and giving up ---------------------------------------------------- */

static void test_ota0_pending_confirms_once(void **state)
{
    (void)state;
    put_entry(0, 1, NEW, NONE, NONE, 0x00);
    put_entry(1, 3, PENDING, 1, 1, 0x00);
    g_running_addr = OTA0;
    tchip_reset_counters(&s_chip);
    assert_int_equal(esp_ota_mark_app_valid_cancel_rollback(), ESP_OK);
    assert_entry(0, 5, VALID, 1, 1, 0x00); /* the copy not in charge, fields kept */
    assert_entry(1, 3, PENDING, 1, 1, 0x00);
    assert_int_equal(s_chip.st->counters.erases, 1);
    tchip_reset_counters(&s_chip);
    assert_int_equal(esp_ota_mark_app_valid_cancel_rollback(), ESP_OK);
    assert_int_equal(s_chip.st->counters.modify_ops, 0);
    esp_ota_img_states_t st;
    assert_int_equal(esp_ota_get_state_partition(tpart("ota_0"), &st), ESP_OK);
    assert_int_equal(st, ESP_OTA_IMG_VALID);
}

static void test_confirm_from_factory_or_a_fallback(void **state)
{
    (void)state;
    assert_int_equal(esp_ota_mark_app_valid_cancel_rollback(), ESP_FAIL); /* factory */
    /* ota_1 runs because ota_0 was rolled back to it: it must not confirm ota_0. */
    put_entry(0, 5, ABORTED, 1, 1, 0x11);
    g_running_addr = OTA1;
    tchip_reset_counters(&s_chip);
    assert_int_equal(esp_ota_mark_app_valid_cancel_rollback(), ESP_OK);
    assert_int_equal(s_chip.st->counters.modify_ops, 0);
    assert_entry(0, 5, ABORTED, 1, 1, 0x11);
}

static void test_ota0_gives_up_rollback_factory(void **state)
{
    (void)state;
    put_app(FACTORY, "1");
    put_entry(0, 1, NEW, NONE, NONE, 0x00);
    put_entry(1, 3, PENDING, 1, 1, 0x00);
    g_running_addr = OTA0;
    if (setjmp(s_restart) == 0) {
        (void)esp_ota_mark_app_invalid_rollback_and_reboot();
        fail_msg("returned instead of restarting");
    }
    assert_int_equal(s_restarts, 1);
    assert_entry(0, 5, INVALID, 1, 1, 0x00);
    assert_ptr_equal(esp_ota_get_last_invalid_partition(), tpart("ota_0"));
    assert_ptr_equal(esp_ota_get_boot_partition(), tpart("factory"));
}

static void test_ota0_gives_up_without_another_app_is_refused(void **state)
{
    (void)state;
    put_entry(0, 1, NEW, NONE, NONE, 0x00);
    put_entry(1, 3, PENDING, 1, 1, 0x00);
    g_running_addr = OTA0;
    put_app(OTA0, "2"); /* only ota_0 holds an image */
    assert_false(esp_ota_check_rollback_is_possible());
    tchip_reset_counters(&s_chip);
    assert_int_equal(esp_ota_mark_app_invalid_rollback_and_reboot(), ESP_ERR_OTA_ROLLBACK_FAILED);
    assert_int_equal(s_chip.st->counters.modify_ops, 0);
    assert_int_equal(s_restarts, 0);
}

/* ---- queries ----------------------------------------------------------------------- */

static void test_state_partition(void **state)
{
    (void)state;
    esp_ota_img_states_t st;
    assert_int_equal(esp_ota_get_state_partition(NULL, &st), ESP_ERR_INVALID_ARG);
    assert_int_equal(esp_ota_get_state_partition(tpart("ota_0"), NULL), ESP_ERR_INVALID_ARG);
    assert_int_equal(esp_ota_get_state_partition(tpart("factory"), &st), ESP_ERR_NOT_SUPPORTED);
    assert_int_equal(esp_ota_get_state_partition(tpart("ota_0"), &st), ESP_ERR_NOT_FOUND);
    /* Both copies select ota_0: the newer one says it (ESP-IDF would take A). */
    put_entry(0, 1, NEW, NONE, NONE, 0x00);
    put_entry(1, 3, PENDING, 1, 1, 0x00);
    assert_int_equal(esp_ota_get_state_partition(tpart("ota_0"), &st), ESP_OK);
    assert_int_equal(st, ESP_OTA_IMG_PENDING_VERIFY);
    assert_int_equal(esp_ota_get_state_partition(tpart("ota_1"), &st), ESP_ERR_NOT_FOUND);
    /* SDK-written otadata: UNDEFINED. */
    put_entry(1, 2, UNDEF, NONE, NONE, NONE);
    assert_int_equal(esp_ota_get_state_partition(tpart("ota_1"), &st), ESP_OK);
    assert_int_equal(st, ESP_OTA_IMG_UNDEFINED);
}

static void test_last_invalid_partition(void **state)
{
    (void)state;
    assert_null(esp_ota_get_last_invalid_partition());
    put_entry(0, 1, VALID, NONE, NONE, 0x00);
    assert_null(esp_ota_get_last_invalid_partition());
    put_entry(1, 2, INVALID, 1, 1, 0x10); /* ota_1 */
    assert_ptr_equal(esp_ota_get_last_invalid_partition(), tpart("ota_1"));
    put_entry(0, 3, ABORTED, 1, 1, 0x11); /* ota_0, newer */
    assert_ptr_equal(esp_ota_get_last_invalid_partition(), tpart("ota_0"));
}

static void test_rollback_possible_follows_the_bootloader_order(void **state)
{
    (void)state;
    put_app(OTA0, "2");
    put_entry(0, 1, NEW, NONE, NONE, 0x11); /* target ota_1, which holds nothing */
    g_running_addr = OTA0;
    assert_false(esp_ota_check_rollback_is_possible());
    put_app(FACTORY, "1"); /* the SDK order after the target: factory */
    assert_true(esp_ota_check_rollback_is_possible());
}

/* ---- erasing the previous app ---------------------------------------------------------- */

static void test_ota1_confirmed_erases_ota0(void **state)
{
    (void)state;
    put_app(OTA0, "2");
    put_app(OTA1, "3");
    put_entry(0, 1, ABORTED, 1, 1, 0x00); /* an old ota_0 entry, not in charge */
    put_entry(1, 2, PENDING, 1, 1, 0x10);
    g_running_addr = OTA1;
    assert_int_equal(esp_ota_erase_last_boot_app_partition(), ESP_FAIL); /* not confirmed */
    assert_int_equal(esp_ota_mark_app_valid_cancel_rollback(), ESP_OK);
    assert_entry(0, 4, VALID, 1, 1, 0x10);
    put_entry(1, 3, ABORTED, 1, 1, 0x00); /* the copy not in charge selects ota_0 */
    assert_int_equal(esp_ota_erase_last_boot_app_partition(), ESP_OK);
    assert_true(tchip_all(&s_chip, OTA0, 0xF0000, 0xFF));
    assert_true(tchip_all(&s_chip, OTADATA + 0x1000, 0x1000, 0xFF));
    assert_entry(0, 4, VALID, 1, 1, 0x10);
    assert_false(esp_ota_check_rollback_is_possible()); /* factory holds nothing either */
}

static void test_erase_never_touches_factory(void **state)
{
    (void)state;
    put_app(FACTORY, "1");
    put_app(OTA0, "2");
    put_entry(0, 5, VALID, 1, 1, 0x00);
    g_running_addr = OTA0;
    tchip_reset_counters(&s_chip);
    assert_int_equal(esp_ota_erase_last_boot_app_partition(), ESP_FAIL);
    assert_int_equal(s_chip.st->counters.modify_ops, 0);
}

int main(void)
{
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
    const struct CMUnitTest tests[] = {
        T(test_factory_selects_ota0_as_new_with_factory_as_target),
        T(test_ota0_valid_selects_ota1_then_ota0_again),
        T(test_ota0_pending_refuses_a_new_update),
        T(test_factory_after_rollback_may_update),
        T(test_ota0_pending_confirms_once),
        T(test_confirm_from_factory_or_a_fallback),
        T(test_ota0_gives_up_rollback_factory),
        T(test_ota0_gives_up_without_another_app_is_refused),
        T(test_state_partition),
        T(test_last_invalid_partition),
        T(test_rollback_possible_follows_the_bootloader_order),
        T(test_ota1_confirmed_erases_ota0),
        T(test_erase_never_touches_factory),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
