/*
 * Rollback on the virtual ESP8266, end to end: a bootloader built with
 * CONFIG_BOOTLOADER_APP_ROLLBACK_ENABLE (test/apps/rollback) boots a new app
 * selected as NEW, and each way that app can end its first boot (confirm,
 * restart, crash, hang, give up) leads where ESP-IDF says it must, plus our
 * boot attempts, the recorded rollback target, and the watchdog. Named by
 * slot path, as ESP-IDF names its OTA tests. otadata bytes are spelled out
 * here (CRCs from zlib), not computed by the code under test.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "harness.h"
#include "net_fixture.h"

#define RB_DIR H_BUILD "/test/apps/rollback"
#define RB_BOOTLOADER RB_DIR "/bootloader_rollback.bin"
#define RB_BOOTLOADER3 RB_DIR "/bootloader_rollback3.bin"
#define RB_BOOTLOADER_OFF RB_DIR "/bootloader_norollback.bin"
#define RB_APP(name) RB_DIR "/" name ".bin"
/* native_ota_example linked with app_update built with rollback on (test/CMakeLists.txt) */
#define RB_NATIVE H_BUILD "/test/powercut/pc_native_rb.bin"

#define FACTORY 0x10000u
#define OTA0 0x110000u
#define OTA1 0x210000u
#define OTADATA_A 0xd000u
#define OTADATA_B 0xe000u

#define NEW 0u
#define PENDING 1u
#define VALID 2u
#define INVALID 3u
#define ABORTED 4u
#define UNDEF 0xFFFFFFFFu
#define NONE 0xFFu

/* ---- set-up ----------------------------------------------------------------- */

static void flash_at(const char *chip, uint32_t addr, const char *image)
{
    char a[16];
    snprintf(a, sizeof a, "0x%x", (unsigned)addr);
    assert_int_equal(h_tool("write_flash", "--chip", chip, "--flash-size", "4MB", a, image, NULL),
                     0);
}

/* The demo layout with hello_world as the factory app (the app to come back
 * to), `bootloader` at 0x0 and `app` in ota_0. */
static const char *rb_chip(const char *name, const char *bootloader, const char *app)
{
    const char *chip = h_path(name);
    h_flash_standard(chip, H_PT_FACTORY, H_HELLO, FACTORY, 0u);
    flash_at(chip, 0x0, bootloader);
    flash_at(chip, OTA0, app);
    return chip;
}

/* What esp_ota_set_boot_partition writes with rollback on. */
static void select_new(const char *chip, const char *slot)
{
    assert_int_equal(
        h_tool("switch_ota_partition", "--chip", chip, "--slot", slot, "--state", "new", NULL), 0);
}

/* crc32_le(0xFFFFFFFF, seq) = zlib crc32(seq LE, 0xFFFFFFFF), seq 1..11. */
static uint32_t crc_of(uint32_t seq)
{
    static const uint32_t crc[] = {0,          0x4743989a, 0x55f63774, 0xed4a5011,
                                   0x709d68a8, 0xc8210fcd, 0xda94a023, 0x6228c746,
                                   0x3a4bd710, 0x82f7b075, 0x90421f9b, 0x28fe78fe};
    assert_true(seq >= 1 && seq <= 11);
    return crc[seq];
}

static void put32(uint8_t *p, uint32_t v)
{
    for (int i = 0; i < 4; i++) {
        p[i] = (uint8_t)(v >> (8 * i));
    }
}

/* One otadata sector, exactly: seq, label FF but for ota8266's bytes 20..22
 * (boot attempts, attempts allowed, rollback target subtype), the state at
 * 24, the CRC at 28, FF to the end of the sector. */
static void assert_sector(const char *chip, uint32_t addr, uint32_t seq, uint32_t state,
                          uint8_t attempts, uint8_t allowed, uint8_t target)
{
    static uint8_t want[0x1000], got[0x1000];
    memset(want, 0xFF, sizeof want);
    put32(want, seq);
    want[20] = attempts;
    want[21] = allowed;
    want[22] = target;
    put32(want + 24, state);
    put32(want + 28, crc_of(seq));
    h_read_bytes(chip, addr, got, sizeof got);
    for (size_t i = 0; i < sizeof got; i++) {
        if (got[i] != want[i]) {
            fail_msg("otadata at 0x%x: byte +%zu is 0x%02x, want 0x%02x (seq %u state %u)",
                     (unsigned)addr, i, got[i], want[i], (unsigned)seq, (unsigned)state);
        }
    }
}

/* Indices of the "Loaded app" lines, in order, must name these offsets. */
static void assert_boots(const h_run_t *run, const uint32_t *offsets, int n)
{
    const char *p = run->console;
    static const char key[] = "I (T) boot: Loaded app from partition at offset 0x";
    for (int i = 0; i < n; i++) {
        p = strstr(p, key);
        if (p == NULL) {
            fputs(run->console, stderr);
            fail_msg("boot %d: no \"Loaded app\" line", i + 1);
        }
        p += sizeof key - 1;
        unsigned got = (unsigned)strtoul(p, NULL, 16);
        if (got != offsets[i]) {
            fputs(run->console, stderr);
            fail_msg("boot %d loaded the app at 0x%x, want 0x%x", i + 1, got, (unsigned)offsets[i]);
        }
    }
    assert_int_equal(h_count_prefix(run, "I (T) boot: Loaded app from partition"), n);
}

/* ---- the ways a new app's first boot ends ------------------------------------ */

static void test_factory_ota0_never_confirms_rollback_factory(void **state)
{
    (void)state;
    const char *chip = rb_chip("never.bin", RB_BOOTLOADER, RB_APP("rb_never"));
    select_new(chip, "0");
    assert_sector(chip, OTADATA_A, 1, NEW, NONE, NONE, 0x00);
    h_run_t run;
    h_run(chip, 3, NULL, &run);
    const uint32_t boots[] = {OTA0, FACTORY, FACTORY};
    assert_boots(&run, boots, 3);
    H_ASSERT_LINE(&run, "I (T) boot: ota_0 is NEW: marking it PENDING_VERIFY, boot attempt 1 of 1");
    H_ASSERT_LINE(&run, "I (T) rb_never: running ota_0, state PENDING_VERIFY, rollback possible: "
                        "yes, last invalid: none");
    H_ASSERT_LINE(&run, "W (T) boot: ota_0 is PENDING_VERIFY after 1 boot attempt: marking it "
                        "ABORTED, rolling back to factory");
    H_ASSERT_LINE(&run, "W (T) boot: ota_0 is ABORTED: booting factory");
    assert_int_equal(h_count_prefix(&run, "Hello world!"), 2);
    /* Two state writes in all, each one 32-byte write; entry B was still
     * blank (no erase), entry A held NEW (one erase). */
    assert_int_equal(run.r.counters.erases, 1);
    assert_int_equal(run.r.counters.blank_erases, 0);
    assert_int_equal(run.r.counters.writes, 2);
    assert_sector(chip, OTADATA_A, 5, ABORTED, 1, 1, 0x00);
    assert_sector(chip, OTADATA_B, 3, PENDING, 1, 1, 0x00);
    h_run_free(&run);
}

static void test_factory_ota0_confirms_stays_valid(void **state)
{
    (void)state;
    const char *chip = rb_chip("confirm.bin", RB_BOOTLOADER, RB_APP("rb_confirm"));
    select_new(chip, "0");
    h_run_t run;
    h_run(chip, 3, NULL, &run);
    const uint32_t boots[] = {OTA0, OTA0, OTA0};
    assert_boots(&run, boots, 3);
    H_ASSERT_LINE(&run, "I (T) boot: ota_0 is NEW: marking it PENDING_VERIFY, boot attempt 1 of 1");
    /* A new OTA is refused while the running app is pending (ESP-IDF's error). */
    H_ASSERT_LINE(&run,
                  "E (T) esp_ota_ops: Running app has not confirmed state "
                  "(ESP_OTA_IMG_PENDING_VERIFY): 0x1506 (ESP_ERR_OTA_ROLLBACK_INVALID_STATE)");
    H_ASSERT_LINE(&run, "I (T) rb_confirm: esp_ota_begin before confirming: 0x1506 "
                        "(ESP_ERR_OTA_ROLLBACK_INVALID_STATE)");
    H_ASSERT_LINE(&run, "I (T) esp_ota_ops: ota_0 marked VALID (was PENDING_VERIFY): rollback "
                        "cancelled");
    assert_true(
        h_line_index(&run, "I (T) rb_confirm: esp_ota_begin after confirming: 0x0 (ESP_OK)") >
        h_line_index(&run, "I (T) esp_ota_ops: ota_0 marked VALID (was PENDING_VERIFY): "
                           "rollback cancelled"));
    /* Later boots: VALID, nothing to do, for the bootloader and the app. */
    assert_int_equal(h_count_prefix(&run, "I (T) rb_confirm: running ota_0, state VALID"), 5);
    assert_int_equal(h_count_prefix(&run, "I (T) esp_ota_ops: ota_0 marked VALID"), 1);
    assert_int_equal(h_count_prefix(&run, "I (T) boot: ota_0 is"), 1);
    H_ASSERT_NO_LINE(&run, "W (T) boot: ota_0 is PENDING_VERIFY after 1 boot attempt: marking it "
                           "ABORTED, rolling back to factory");
    /* PENDING_VERIFY into blank B (no erase), then VALID over A: no more. */
    assert_int_equal(run.r.counters.erases, 1);
    assert_int_equal(run.r.counters.blank_erases, 0);
    assert_sector(chip, OTADATA_A, 5, VALID, 1, 1, 0x00);
    assert_sector(chip, OTADATA_B, 3, PENDING, 1, 1, 0x00);
    h_run_free(&run);
}

static void test_factory_ota0_crashes_rollback_factory(void **state)
{
    (void)state;
    const char *chip = rb_chip("crash.bin", RB_BOOTLOADER, RB_APP("rb_crash"));
    select_new(chip, "0");
    h_run_t run;
    h_run(chip, 2, "Hello world!", &run);
    assert_true(run.r.until_seen);
    assert_int_equal(run.r.panics, 1);
    const uint32_t boots[] = {OTA0, FACTORY};
    assert_boots(&run, boots, 2);
    H_ASSERT_LINE(&run, "E (T) rb_crash: crashing before confirming");
    H_ASSERT_LINE(&run, "W (T) boot: ota_0 is PENDING_VERIFY after 1 boot attempt: marking it "
                        "ABORTED, rolling back to factory");
    assert_sector(chip, OTADATA_A, 5, ABORTED, 1, 1, 0x00);
    h_run_free(&run);
}

/* A hang with interrupts off: only the hardware watchdog ends the boot
 * (rst cause 4, the ROM's "wdt reset"), and that rolls back too. */
static void test_factory_ota0_hangs_watchdog_rollback_factory(void **state)
{
    (void)state;
    const char *chip = rb_chip("hang.bin", RB_BOOTLOADER, RB_APP("rb_hang"));
    select_new(chip, "0");
    h_run_t run;
    h_run(chip, 2, "Hello world!", &run);
    assert_true(run.r.until_seen);
    assert_int_equal(run.r.wdt_resets, 1);
    assert_int_equal(run.r.panics, 0);
    const uint32_t boots[] = {OTA0, FACTORY};
    assert_boots(&run, boots, 2);
    H_ASSERT_LINE(&run, "E (T) rb_hang: hanging in a critical section before confirming");
    int wdt = h_line_index(&run, " ets Jan  8 2013,rst cause:4, boot mode:(3,6)");
    assert_true(wdt > h_line_index(&run, "E (T) rb_hang: hanging in a critical section before "
                                         "confirming"));
    assert_int_equal(h_line_index(&run, "wdt reset"), wdt + 2);
    H_ASSERT_LINE(&run, "W (T) boot: ota_0 is PENDING_VERIFY after 1 boot attempt: marking it "
                        "ABORTED, rolling back to factory");
    assert_sector(chip, OTADATA_A, 5, ABORTED, 1, 1, 0x00);
    h_run_free(&run);
}

static void test_factory_ota0_gives_up_invalid_rollback_factory(void **state)
{
    (void)state;
    const char *chip = rb_chip("invalid.bin", RB_BOOTLOADER, RB_APP("rb_invalid"));
    select_new(chip, "0");
    h_run_t run;
    h_run(chip, 3, NULL, &run);
    const uint32_t boots[] = {OTA0, FACTORY, FACTORY};
    assert_boots(&run, boots, 3);
    H_ASSERT_LINE(&run, "W (T) esp_ota_ops: ota_0 marked INVALID: restarting to roll back");
    assert_int_equal(h_count_prefix(&run, "W (T) boot: ota_0 is INVALID: booting factory"), 2);
    H_ASSERT_NO_LINE(&run, "I (T) rb_invalid: esp_ota_mark_app_invalid_rollback_and_reboot: 0x0 "
                           "(ESP_OK)");
    assert_sector(chip, OTADATA_A, 5, INVALID, 1, 1, 0x00);
    h_run_free(&run);
}

/* ---- past ESP-IDF ------------------------------------------------------------- */

/* The app that ran before is recorded when the new one is selected: rolling
 * back from ota_0 goes to ota_1, where the SDK's fallback order (down from
 * ota_0) would have started factory. */
static void test_ota1_ota0_never_confirms_rollback_ota1(void **state)
{
    (void)state;
    const char *chip = rb_chip("target.bin", RB_BOOTLOADER, RB_APP("rb_never"));
    flash_at(chip, OTA1, H_HELLO);
    assert_int_equal(h_tool("switch_ota_partition", "--chip", chip, "--slot", "1", NULL), 0);
    select_new(chip, "0");
    assert_sector(chip, OTADATA_B, 3, NEW, NONE, NONE, 0x11);
    h_run_t run;
    h_run(chip, 2, "Hello world!", &run);
    const uint32_t boots[] = {OTA0, OTA1};
    assert_boots(&run, boots, 2);
    H_ASSERT_LINE(&run, "W (T) boot: ota_0 is PENDING_VERIFY after 1 boot attempt: marking it "
                        "ABORTED, rolling back to ota_1");
    assert_sector(chip, OTADATA_A, 5, PENDING, 1, 1, 0x11);
    assert_sector(chip, OTADATA_B, 7, ABORTED, 1, 1, 0x11);
    h_run_free(&run);
}

/* CONFIG_BOOTLOADER_APP_ROLLBACK_ATTEMPTS=3: three boots, each counted in
 * otadata before the app runs, then the rollback. */
static void test_factory_ota0_three_attempts_rollback_factory(void **state)
{
    (void)state;
    const char *chip = rb_chip("three.bin", RB_BOOTLOADER3, RB_APP("rb_never"));
    select_new(chip, "0");
    h_run_t run;
    h_run(chip, 4, "Hello world!", &run);
    const uint32_t boots[] = {OTA0, OTA0, OTA0, FACTORY};
    assert_boots(&run, boots, 4);
    H_ASSERT_LINE(&run, "I (T) boot: ota_0 is NEW: marking it PENDING_VERIFY, boot attempt 1 of 3");
    H_ASSERT_LINE(&run, "I (T) boot: ota_0 is PENDING_VERIFY: boot attempt 2 of 3");
    H_ASSERT_LINE(&run, "I (T) boot: ota_0 is PENDING_VERIFY: boot attempt 3 of 3");
    H_ASSERT_LINE(&run, "W (T) boot: ota_0 is PENDING_VERIFY after 3 boot attempts: marking it "
                        "ABORTED, rolling back to factory");
    assert_int_equal(h_count_prefix(&run, "I (T) rb_never: running ota_0, state PENDING_VERIFY"),
                     3);
    assert_sector(chip, OTADATA_A, 9, ABORTED, 3, 3, 0x00);
    assert_sector(chip, OTADATA_B, 7, PENDING, 3, 3, 0x00);
    h_run_free(&run);
}

/* The SDK's behaviour without the option: NEW boots as it is, for ever, and
 * otadata is never written by the bootloader. */
static void test_rollback_off_ota0_new_boots_unchanged(void **state)
{
    (void)state;
    const char *chip = rb_chip("off.bin", RB_BOOTLOADER_OFF, RB_APP("rb_never"));
    select_new(chip, "0");
    h_run_t run;
    h_run(chip, 3, NULL, &run);
    const uint32_t boots[] = {OTA0, OTA0, OTA0};
    assert_boots(&run, boots, 3);
    assert_int_equal(h_count_prefix(&run, "I (T) boot: ota_0 is"), 0);
    assert_int_equal(run.r.counters.modify_ops, 0);
    assert_sector(chip, OTADATA_A, 1, NEW, NONE, NONE, 0x00);
    h_run_free(&run);
}

/* ---- power loss while the attempt is recorded --------------------------------- */

static const char *console_of(FILE *f, char **buf)
{
    long len = ftell(f);
    *buf = calloc(1, (size_t)len + 1);
    rewind(f);
    assert_int_equal(fread(*buf, 1, (size_t)len, f), (size_t)len);
    return *buf;
}

static int count_of(const char *text, const char *needle)
{
    int n = 0;
    for (const char *p = text; (p = strstr(p, needle)) != NULL; p++) {
        n++;
    }
    return n;
}

/* A cut at the first state write (clean or torn): NEW stays in charge, so
 * the next power-on records the attempt again and ota_0 runs exactly once
 * before the rollback. Entry B is blank (op 1 writes it, no erase) or was
 * left programmed past its entry by an earlier torn erase (op 1 erases it,
 * op 2 writes it). */
static void test_power_cut_recording_the_attempt_counts_once(void **state)
{
    (void)state;
    static const struct {
        bool b_dirty;
        uint64_t op;
        sim_cut_kind_t kind;
    } cuts[] = {
        {false, 1, SIM_CUT_CLEAN},      {false, 1, SIM_CUT_TORN_WRITE},
        {false, 1, SIM_CUT_TORN_WRITE_BITS},
        {true, 1, SIM_CUT_CLEAN},       {true, 1, SIM_CUT_TORN_ERASE},
        {true, 1, SIM_CUT_TORN_ERASE_RANDOM},
        {true, 2, SIM_CUT_CLEAN},       {true, 2, SIM_CUT_TORN_WRITE},
        {true, 2, SIM_CUT_TORN_WRITE_BITS},
    };
    for (size_t i = 0; i < sizeof cuts / sizeof cuts[0]; i++) {
        const char *chip = rb_chip("cut.bin", RB_BOOTLOADER, RB_APP("rb_never"));
        select_new(chip, "0");
        if (cuts[i].b_dirty) {
            static const uint8_t zero = 0x00;
            h_write_bytes(chip, OTADATA_B + 0x800, &zero, 1);
        }
        FILE *console = tmpfile();
        sim_run_opts_t o = {.chip_path = chip,
                            .flash_size = 4u << 20,
                            .max_boots = 3,
                            .until = "Hello world!",
                            .time_scale = 1000.0,
                            .timeout_s = 20.0,
                            .color = 0,
                            .seed = 7,
                            .console = console,
                            .n_cuts = 1};
        o.cuts[0].at_op = cuts[i].op;
        o.cuts[0].kind = (uint32_t)cuts[i].kind;
        sim_run_result_t r;
        assert_int_equal(sim_device_run(&o, &r), 0);
        char *text;
        console_of(console, &text);
        fclose(console);
        print_message("B %s, cut before op %u, kind %d\n", cuts[i].b_dirty ? "dirty" : "blank",
                      (unsigned)cuts[i].op, cuts[i].kind);
        assert_int_equal(r.power_cuts, 1);
        assert_true(r.until_seen);
        assert_int_equal(count_of(text, "rb_never: running ota_0, state PENDING_VERIFY"), 1);
        assert_int_equal(count_of(text, "boot: ota_0 is NEW: marking it PENDING_VERIFY"), 2);
        assert_int_equal(count_of(text, "boot: ota_0 is PENDING_VERIFY after 1 boot attempt: "
                                        "marking it ABORTED, rolling back to factory"),
                         1);
        free(text);
        assert_sector(chip, OTADATA_A, 5, ABORTED, 1, 1, 0x00);
        assert_sector(chip, OTADATA_B, 3, PENDING, 1, 1, 0x00);
    }
}

/* ---- the tools read what the device wrote ------------------------------------- */

static void test_read_otadata_after_rollback(void **state)
{
    (void)state;
    const char *chip = rb_chip("tool.bin", RB_BOOTLOADER, RB_APP("rb_never"));
    select_new(chip, "0");
    h_run_t run;
    h_run(chip, 2, "Hello world!", &run);
    h_run_free(&run);
    const char *out = h_path("read_otadata.txt");
    fflush(stdout);
    FILE *saved = fopen(out, "w");
    assert_non_null(saved);
    int fd = dup(fileno(stdout));
    dup2(fileno(saved), fileno(stdout));
    int rc = h_tool("read_otadata", "--chip", chip, NULL);
    fflush(stdout);
    dup2(fd, fileno(stdout));
    close(fd);
    fclose(saved);
    assert_int_equal(rc, 0);
    FILE *f = fopen(out, "r");
    fseek(f, 0, SEEK_END);
    char *text;
    console_of(f, &text);
    fclose(f);
    static const char *const want[] = {
        "A      0x0000d000  0x00000005  ABORTED         0xc8210fcd  valid, boot attempt 1 of 1, "
        "rolls back to factory\n",
        "B      0x0000e000  0x00000003  PENDING_VERIFY  0xed4a5011  valid, boot attempt 1 of 1, "
        "rolls back to factory\n",
        "Next boot: factory app 'factory' at 0x00010000 (entry A, seq 5: ota_0 is ABORTED, rolled "
        "back)\n",
    };
    for (size_t i = 0; i < sizeof want / sizeof want[0]; i++) {
        if (strstr(text, want[i]) == NULL) {
            fail_msg("read_otadata lacks \"%s\":\n%s", want[i], text);
        }
    }
    free(text);
}

/* ---- the shipped native_ota_example with rollback on -------------------------- */

/* The example as factory, serving `payload` from s_server -WWW. */
static const char *native_chip(const char *name, const char *payload, fx_proc_t *server,
                               char **www)
{
    *www = fx_mkdtemp("ota8266-rbwww");
    assert_non_null(*www);
    size_t len;
    char *img = fx_read_file(payload, &len);
    assert_non_null(img);
    char path[300];
    snprintf(path, sizeof path, "%s/hello_world.bin", *www);
    assert_int_equal(fx_write_file(path, img, len), 0);
    free(img);
    assert_int_equal(fx_start_s_server(server, *www, "-WWW", H_TEST_CA, H_TEST_KEY, NULL), 0);
    const char *chip = h_path(name);
    h_flash_standard(chip, H_PT_FACTORY, RB_NATIVE, FACTORY, 0u);
    flash_at(chip, 0x0, RB_BOOTLOADER);
    h_set_ap("myssid", "mypassword");
    h_set_net_map(8070, server->port);
    return chip;
}

static void native_done(fx_proc_t *server, char *www)
{
    fx_stop(server);
    fx_rmtree(www);
    free(www);
    h_set_ap(NULL, NULL);
    h_set_net_map(0, 0);
}

/*
 * hello_world never confirms: it is rolled back to the factory example, which
 * then sees the same version on the server and leaves it there (ESP-IDF's
 * example rule) instead of installing the failing app on every boot.
 */
static void test_native_example_refuses_rolled_back_version(void **state)
{
    (void)state;
    fx_proc_t server;
    char *www;
    const char *chip = native_chip("native_rb.bin", H_HELLO, &server, &www);
    h_run_t run;
    h_run(chip, 3, "The firmware has been rolled back to the previous version.", &run);
    native_done(&server, www);
    if (!run.r.until_seen) {
        fputs(run.console, stderr);
        fail_msg("the factory example did not refuse the rolled-back version");
    }
    const uint32_t boots[] = {FACTORY, OTA0, FACTORY};
    assert_boots(&run, boots, 3);
    static const char *const refused[] = {
        "I (T) native_ota_example: New firmware version: 1.0",
        "I (T) native_ota_example: Running firmware version: 1.0",
        "I (T) native_ota_example: Last invalid firmware version: 1.0",
        "W (T) native_ota_example: New version is the same as invalid version.",
        "W (T) native_ota_example: Previously, there was an attempt to launch the firmware with "
        "1.0 version, but it failed.",
        "W (T) native_ota_example: The firmware has been rolled back to the previous version.",
    };
    H_ASSERT_BLOCK(&run, refused, 6);
    /* one download and one update, not two */
    assert_int_equal(h_count_prefix(&run, "I (T) native_ota_example: esp_ota_begin succeeded"), 1);
    H_ASSERT_LINE(&run, "W (T) boot: ota_0 is PENDING_VERIFY after 1 boot attempt: marking it "
                        "ABORTED, rolling back to factory");
    /* the refusal wrote nothing: otadata as the rollback left it */
    assert_sector(chip, OTADATA_A, 5, ABORTED, 1, 1, 0x00);
    assert_sector(chip, OTADATA_B, 3, PENDING, 1, 1, 0x00);
    h_run_free(&run);
}

/* The example itself as the new app: once its network is up it confirms
 * itself, and stays selected at the next boot. */
static void test_native_example_confirms_itself(void **state)
{
    (void)state;
    fx_proc_t server;
    char *www;
    const char *chip = native_chip("native_ok.bin", RB_NATIVE, &server, &www);
    h_run_t run;
    /* its OTA task starts only after app_main has confirmed it */
    h_run(chip, 2, "native_ota_example: Running partition type 0 subtype 16", &run);
    native_done(&server, www);
    if (!run.r.until_seen) {
        fputs(run.console, stderr);
        fail_msg("the new example did not confirm itself");
    }
    const uint32_t boots[] = {FACTORY, OTA0};
    assert_boots(&run, boots, 2);
    H_ASSERT_LINE(&run, "I (T) boot: ota_0 is NEW: marking it PENDING_VERIFY, boot attempt 1 of 1");
    H_ASSERT_LINE(&run, "I (T) native_ota_example: Diagnostics passed: the network is up. Marking "
                        "this app valid");
    /* as for rb_confirm: PENDING_VERIFY in B, then VALID in A */
    assert_sector(chip, OTADATA_A, 5, VALID, 1, 1, 0x00);
    assert_sector(chip, OTADATA_B, 3, PENDING, 1, 1, 0x00);
    h_run_free(&run);
    /* the next power-on keeps it: nothing left to decide */
    h_run(chip, 1, "boot: Loaded app from partition at offset", &run);
    H_ASSERT_LINE(&run, "I (T) boot: Loaded app from partition at offset 0x110000");
    assert_int_equal(run.r.counters.erases, 0);
    h_run_free(&run);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_factory_ota0_never_confirms_rollback_factory),
        cmocka_unit_test(test_factory_ota0_confirms_stays_valid),
        cmocka_unit_test(test_factory_ota0_crashes_rollback_factory),
        cmocka_unit_test(test_factory_ota0_hangs_watchdog_rollback_factory),
        cmocka_unit_test(test_factory_ota0_gives_up_invalid_rollback_factory),
        cmocka_unit_test(test_ota1_ota0_never_confirms_rollback_ota1),
        cmocka_unit_test(test_factory_ota0_three_attempts_rollback_factory),
        cmocka_unit_test(test_rollback_off_ota0_new_boots_unchanged),
        cmocka_unit_test(test_power_cut_recording_the_attempt_counts_once),
        cmocka_unit_test(test_read_otadata_after_rollback),
        cmocka_unit_test(test_native_example_refuses_rolled_back_version),
        cmocka_unit_test(test_native_example_confirms_itself),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
