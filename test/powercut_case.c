/*
 * One power-cut case: a fresh chip, one power-on per cut (each stops where
 * its cut lands, so the flash is checked exactly as the cut left it), then
 * the run to the end and a re-run. Checks, in the core's own terms:
 *   - every boot loads the old or the new app and that app starts;
 *   - at every cut, at most the otadata copy being rewritten is invalid, and
 *     what otadata selects is a complete image, byte for byte the old or the
 *     new one (never a slot that is still being written);
 *   - the old app's slot is never touched;
 *   - the scenario reaches its end (the new app running, or the old one after
 *     a rollback, with the otadata state it must have then), at the latest
 *     when powered on once more without cuts.
 */
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bs_boot.h"
#include "bs_image.h"
#include "bs_otadata.h"
#include "bs_partition.h"
#include "bs_rollback.h"
#include "net_fixture.h"
#include "powercut.h"
#include "sim_flash.h"

#define NATIVE_BANNER "I (T) native_ota_example: Starting OTA example..."
#define HELLO_BANNER "Hello world!"
#define CHIP_SIZE (4u << 20)
#define TABLE_OFFSET 0x8000u
/* Boots in one power-on: the factory's OTA, its restart, the new app; one spare. */
#define PHASE_BOOTS 4
#define PHASE_TIMEOUT_S 10.0
#define LOADED "I (T) boot: Loaded app from partition at offset 0x"
#define ROM_BANNER "ets Jan  8 2013,rst cause:"
#define FLASH_ERROR "E (T) sim_flash: "
#define ROLLING_BACK ": marking it ABORTED, rolling back to "
#define REFUSED "native_ota_example: The firmware has been rolled back to the previous version."

#define RB_DIR H_BUILD "/test/apps/rollback"
#define RB_BOOTLOADER RB_DIR "/bootloader_rollback.bin"
#define NATIVE_RB H_BUILD "/test/powercut/pc_native_rb.bin"
#define FACTORY_RB H_BUILD "/test/powercut/pc_factory_rb.bin"
#define UNDEF ESP_OTA_IMG_UNDEFINED

const pc_scenario_t pc_scenarios[] = {
    /* The seed's update: factory -> ota_0, otadata entry A written from erased. */
    {"factory->ota_0", H_BOOTLOADER, {0x10000, H_NATIVE_OTA, NATIVE_BANNER},
     {0x110000, H_HELLO, HELLO_BANNER}, {0}, {0, 0}, HELLO_BANNER, 0x110000, UNDEF},
    /* A second update: A (seq 1) in charge, B written from erased. */
    {"ota_0->ota_1", H_BOOTLOADER, {0x110000, H_NATIVE_OTA, NATIVE_BANNER},
     {0x210000, H_HELLO, HELLO_BANNER}, {0x10000, 0}, {1, 0}, HELLO_BANNER, 0x210000, UNDEF},
    /* A third: B (seq 2) in charge, A (seq 1, valid) erased and rewritten with
     * seq 3 while ota_0 still holds the older app: the case where a torn
     * otadata write must leave the other copy in charge. */
    {"ota_1->ota_0", H_BOOTLOADER, {0x210000, H_NATIVE_OTA, NATIVE_BANNER},
     {0x110000, H_HELLO, HELLO_BANNER}, {0x10000, 0x110000, 0}, {1, 2}, HELLO_BANNER, 0x110000,
     UNDEF},
    /* The same at the end of the sequence space: the next seq would be the
     * erased marker, so the core writes seq 1 into A and then erases B (the
     * copy in charge), the only otadata update that touches both copies. */
    {"ota_1->ota_0/seq-wrap", H_BOOTLOADER, {0x210000, H_NATIVE_OTA, NATIVE_BANNER},
     {0x110000, H_HELLO, HELLO_BANNER}, {0x10000, 0x110000, 0}, {0xFFFFFFFDu, 0xFFFFFFFEu},
     HELLO_BANNER, 0x110000, UNDEF},
    /* Rollback on (bootloader and factory): the new app's first boot makes it
     * PENDING_VERIFY, and it confirms itself (VALID). */
    {"factory->ota_0/confirm", RB_BOOTLOADER, {0x10000, NATIVE_RB, NATIVE_BANNER},
     {0x110000, RB_DIR "/rb_confirm.bin", "I (T) rb_confirm: running ota_0"}, {0}, {0, 0},
     "I (T) rb_confirm: confirmed; restarting", 0x110000, ESP_OTA_IMG_VALID},
    /* Rollback on, and the new app never confirms: its second boot finds it
     * PENDING_VERIFY, marks it ABORTED and rolls back to factory. */
    {"factory->ota_0/rollback", RB_BOOTLOADER, {0x10000, FACTORY_RB, "I (T) pc_factory: started"},
     {0x110000, RB_DIR "/rb_never.bin", "I (T) rb_never: running ota_0"}, {0}, {0, 0},
     "W (T) pc_factory: ota_0 was rolled back: not updating again", 0x10000,
     ESP_OTA_IMG_ABORTED},
    /* Both again into an ota_0 that still holds an older app (here: a copy of
     * the factory's), so that every sector of the slot is erased and torn
     * erases land inside the update and its rollback too. */
    {"factory->ota_0/confirm/dirty", RB_BOOTLOADER, {0x10000, NATIVE_RB, NATIVE_BANNER},
     {0x110000, RB_DIR "/rb_confirm.bin", "I (T) rb_confirm: running ota_0"}, {0x110000, 0},
     {0, 0}, "I (T) rb_confirm: confirmed; restarting", 0x110000, ESP_OTA_IMG_VALID},
    {"factory->ota_0/rollback/dirty", RB_BOOTLOADER, {0x10000, FACTORY_RB, "I (T) pc_factory: started"},
     {0x110000, RB_DIR "/rb_never.bin", "I (T) rb_never: running ota_0"}, {0x110000, 0}, {0, 0},
     "W (T) pc_factory: ota_0 was rolled back: not updating again", 0x10000,
     ESP_OTA_IMG_ABORTED},
};
const size_t pc_n_scenarios = sizeof pc_scenarios / sizeof pc_scenarios[0];

static struct {
    char templates[sizeof pc_scenarios / sizeof pc_scenarios[0]][512];
    bs_partition_table_t table;
    bs_boot_slots_t slots;
    /* Image files by path, read once. */
    struct {
        const char *path;
        uint8_t *bytes;
        size_t len;
    } files[8];
} s_pc;

static const uint8_t *file_bytes(const char *path, size_t *len)
{
    for (size_t i = 0; i < sizeof s_pc.files / sizeof s_pc.files[0]; i++) {
        if (s_pc.files[i].path && !strcmp(s_pc.files[i].path, path)) {
            *len = s_pc.files[i].len;
            return s_pc.files[i].bytes;
        }
        if (!s_pc.files[i].path) {
            s_pc.files[i].bytes = (uint8_t *)fx_read_file(path, &s_pc.files[i].len);
            if (!s_pc.files[i].bytes) {
                fprintf(stderr, "powercut: cannot read %s (build it first)\n", path);
                exit(2);
            }
            s_pc.files[i].path = path;
            *len = s_pc.files[i].len;
            return s_pc.files[i].bytes;
        }
    }
    abort(); /* more distinct images than the table has room for: a programmer error */
}

/* The core's view of a chip file; every check reads flash through it. */
typedef struct {
    sim_flash_t f;
    bs_hal_t hal;
} chip_view_t;

static bool view_open(chip_view_t *v, const char *chip)
{
    if (sim_flash_open(&v->f, chip, CHIP_SIZE, false, NULL) != ESP_OK) {
        return false;
    }
    sim_flash_hal(&v->f, 0, &v->hal);
    v->hal.log = NULL; /* the bootloader's lines belong to the device's console */
    return true;
}

static void write_entry(const char *chip, uint32_t addr, uint32_t seq)
{
    esp_ota_select_entry_t e;
    memset(&e, 0xFF, sizeof e);
    e.ota_seq = seq;
    e.ota_state = ESP_OTA_IMG_UNDEFINED; /* as the SDK's otadata holds it */
    e.crc = bs_otadata_crc(seq);
    uint8_t raw[ESP_OTADATA_ENTRY_SIZE];
    bs_otadata_encode(&e, raw);
    h_write_bytes(chip, addr, raw, sizeof raw);
}

static void flash_at(const char *chip, uint32_t addr, const char *file)
{
    char a[16];
    snprintf(a, sizeof a, "0x%x", (unsigned)addr);
    if (h_tool("write_flash", "--chip", chip, "--flash-size", "4MB", a, file, NULL) != 0) {
        fprintf(stderr, "powercut: cannot write %s into %s (build it first)\n", file, chip);
        exit(2);
    }
}

/* The standard layout with the scenario's bootloader, apps and otadata. */
static void flash_template(const char *chip, const pc_scenario_t *sc)
{
    unlink(chip);
    flash_at(chip, 0x0, sc->bootloader);
    flash_at(chip, TABLE_OFFSET, H_PT_FACTORY);
    flash_at(chip, 0xd000, H_OTADATA_INIT);
    flash_at(chip, sc->old_app.addr, sc->old_app.file);
    for (int i = 0; i < 3 && sc->other_apps[i]; i++) {
        flash_at(chip, sc->other_apps[i], sc->old_app.file);
    }
}

void pc_setup(const char *dir)
{
    /* write_flash reports each region on stdout: not the campaign's output. */
    fflush(stdout);
    int saved = dup(STDOUT_FILENO);
    int null = open("/dev/null", O_WRONLY);
    dup2(null, STDOUT_FILENO);
    close(null);
    for (size_t i = 0; i < pc_n_scenarios; i++) {
        const pc_scenario_t *sc = &pc_scenarios[i];
        char *t = s_pc.templates[i];
        snprintf(t, sizeof s_pc.templates[i], "%s/template-%zu.bin", dir, i);
        flash_template(t, sc);
        for (int e = 0; e < 2; e++) {
            if (sc->otadata_seq[e]) {
                write_entry(t, 0xd000u + (uint32_t)e * 0x1000u, sc->otadata_seq[e]);
            }
        }
        size_t len;
        (void)file_bytes(sc->old_app.file, &len); /* loaded now, before any fork */
        (void)file_bytes(sc->new_app.file, &len);
    }
    fflush(stdout);
    dup2(saved, STDOUT_FILENO);
    close(saved);
    chip_view_t v;
    if (!view_open(&v, s_pc.templates[0]) ||
        bs_partition_table_load(&v.hal, TABLE_OFFSET, false, &s_pc.table) != ESP_OK) {
        fprintf(stderr, "powercut: cannot read the partition table of %s\n", s_pc.templates[0]);
        exit(2);
    }
    bs_boot_slots_find(&s_pc.table, &s_pc.slots);
    sim_flash_close(&v.f);
}

static const esp_partition_info_t *row_at(uint32_t addr)
{
    for (int i = 0; i < s_pc.table.num_rows; i++) {
        const esp_partition_info_t *r = &s_pc.table.rows[i];
        if (r->magic == ESP_PARTITION_MAGIC && addr >= r->offset && addr - r->offset < r->size) {
            return r;
        }
    }
    return NULL;
}

const char *pc_op_target(const pc_scenario_t *sc, const sim_op_t *op)
{
    (void)sc;
    const esp_partition_info_t *r = row_at(op->addr);
    return r ? r->label : "?";
}

bool pc_op_is_otadata(const sim_op_t *op)
{
    const esp_partition_info_t *r = row_at(op->addr);
    return r && r->type == PART_TYPE_DATA && r->subtype == PART_SUBTYPE_DATA_OTA;
}

__attribute__((format(printf, 3, 4))) static bool fail(pc_outcome_t *out, pc_class_t cls,
                                                       const char *fmt, ...)
{
    if (out->cls == PC_OK) { /* the first failure is the one worth replaying */
        out->cls = cls;
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(out->why, sizeof out->why, fmt, ap);
        va_end(ap);
    }
    return false;
}

/* ---- the console: every boot loads the old or the new app, and it starts ---- */

typedef struct {
    int index;       /* 1-based boot number in this power-on */
    long loaded;     /* slot address, or -1 */
    bool banner;     /* the loaded app's banner came after the Loaded line */
    bool done;       /* the scenario's end marker was printed */
} boot_seg_t;

static const pc_image_t *image_at(const pc_scenario_t *sc, long addr)
{
    if (addr == (long)sc->old_app.addr) {
        return &sc->old_app;
    }
    if (addr == (long)sc->new_app.addr) {
        return &sc->new_app;
    }
    return NULL;
}

/* A boot cut short (the last one of a power-on that ended in a cut) may stop
 * anywhere; every other boot must run an expected app up to its banner. */
static bool check_boot(const pc_scenario_t *sc, const boot_seg_t *b, bool cut_short,
                       pc_outcome_t *out)
{
    if (b->loaded < 0) {
        return cut_short ||
               fail(out, PC_BRICKED, "boot %d: the bootloader loaded no app", b->index);
    }
    const pc_image_t *img = image_at(sc, b->loaded);
    if (!img) {
        return fail(out, PC_WRONG_IMAGE,
                    "boot %d loaded the app at 0x%lx: neither the old (0x%x) nor the new (0x%x)",
                    b->index, b->loaded, (unsigned)sc->old_app.addr, (unsigned)sc->new_app.addr);
    }
    if (b->done && b->loaded != (long)sc->done_addr) {
        return fail(out, PC_WRONG_IMAGE, "boot %d: \"%s\" from the app at 0x%lx", b->index,
                    sc->done_marker, b->loaded);
    }
    if (!b->banner && !cut_short) {
        return fail(out, PC_WRONG_IMAGE, "boot %d: the app at 0x%lx never printed \"%s\"",
                    b->index, b->loaded, img->banner);
    }
    return true;
}

static bool starts_with(const char *line, size_t len, const char *prefix)
{
    size_t n = strlen(prefix);
    return len >= n && !memcmp(line, prefix, n);
}

/* Walks the boots of one power-on; *last_loaded gets the last boot's slot. */
static bool check_console(const pc_scenario_t *sc, const h_run_t *run, bool cut,
                          long *last_loaded, pc_outcome_t *out)
{
    if (run->r.halted || strstr(run->console, "No bootable app partitions")) {
        return fail(out, PC_BRICKED, "the device halted: nothing bootable");
    }
    boot_seg_t b = {.index = 0, .loaded = -1};
    bool ok = true;
    const char *p = run->console;
    while (*p) {
        const char *e = strchr(p, '\n');
        size_t len = e ? (size_t)(e - p) : strlen(p);
        const pc_image_t *img = image_at(sc, b.loaded);
        if (memmem(p, len, ROM_BANNER, strlen(ROM_BANNER))) {
            ok = ok && (b.index == 0 || check_boot(sc, &b, false, out));
            b = (boot_seg_t){.index = b.index + 1, .loaded = -1};
        } else if (!strncmp(p, FLASH_ERROR, strlen(FLASH_ERROR))) {
            /* Strict NOR: a write over bytes not erased, say after a torn erase. */
            ok = fail(out, PC_WRONG_IMAGE, "boot %d: %.*s", b.index, (int)len, p);
        } else if (!strncmp(p, LOADED, strlen(LOADED))) {
            b.loaded = strtol(p + strlen(LOADED), NULL, 16);
        } else if (img && starts_with(p, len, img->banner)) {
            b.banner = true;
        }
        b.done = b.done || starts_with(p, len, sc->done_marker);
        out->rolled_back = out->rolled_back || memmem(p, len, ROLLING_BACK, strlen(ROLLING_BACK));
        p = e ? e + 1 : p + len;
    }
    if (b.index == 0) {
        return fail(out, PC_BRICKED, "the device never booted");
    }
    *last_loaded = b.loaded;
    return ok && check_boot(sc, &b, cut, out);
}

/* ---- flash: otadata and the slots, through the core ---- */

/* The slot holds exactly img's file, and the core accepts it as the bootloader would. */
static bool slot_holds(chip_view_t *v, const pc_image_t *img)
{
    const esp_partition_info_t *row = row_at(img->addr);
    bs_image_opts_t o = {
        .kind = BS_IMAGE_V3,
        .hash = BS_HASH_REQUIRED,
        .start_addr = img->addr,
        .max_len = row ? row->size : 0,
        .check_entry = true,
    };
    bs_image_info_t info;
    if (!row || bs_image_verify(&v->hal, &o, &info) != ESP_OK) {
        return false;
    }
    size_t len;
    const uint8_t *want = file_bytes(img->file, &len);
    if (info.image_len != len) {
        return false;
    }
    uint8_t *got = malloc(len);
    bool same = got && bs_flash_read(&v->hal, img->addr, got, (uint32_t)len) == ESP_OK &&
                !memcmp(got, want, len);
    free(got);
    return same;
}

static bool entry_erased(const uint8_t raw[ESP_OTADATA_ENTRY_SIZE])
{
    for (int i = 0; i < ESP_OTADATA_ENTRY_SIZE; i++) {
        if (raw[i] != 0xFF) {
            return false;
        }
    }
    return true;
}

/*
 * What the flash holds now. Checks: at most one otadata copy is neither
 * valid nor erased; the slot otadata selects holds the old or the new image,
 * complete; the old image is intact. done: the scenario has ended, so the
 * entry in charge selects the new slot with the scenario's final state.
 */
static bool check_flash(const pc_scenario_t *sc, const char *chip, bool done, pc_outcome_t *out)
{
    chip_view_t v;
    if (!view_open(&v, chip)) {
        return fail(out, PC_BRICKED, "cannot open the chip file %s", chip);
    }
    bool ok = true;
    const esp_partition_info_t *od = &s_pc.table.rows[s_pc.slots.otadata];
    uint8_t raw[2][ESP_OTADATA_ENTRY_SIZE];
    esp_ota_select_entry_t e[2];
    int bad = 0;
    for (int i = 0; i < 2; i++) {
        (void)bs_flash_read(&v.hal, od->offset + (uint32_t)i * 0x1000u, raw[i], sizeof raw[i]);
        bs_otadata_decode(raw[i], &e[i]);
        bad += !bs_otadata_valid(&e[i]) && !entry_erased(raw[i]);
    }
    if (bad == 2) {
        ok = fail(out, PC_WRONG_IMAGE,
                  "otadata: both copies invalid (A seq 0x%08x crc 0x%08x, B seq 0x%08x crc 0x%08x)",
                  (unsigned)e[0].ota_seq, (unsigned)e[0].crc, (unsigned)e[1].ota_seq,
                  (unsigned)e[1].crc);
    }
    esp_ota_select_entry_t charge[2];
    memset(charge, 0xFF, sizeof charge);
    int slot = bs_boot_select(&v.hal, &s_pc.table, &s_pc.slots, charge);
    int row = bs_boot_slot_row(&s_pc.slots, slot);
    long sel = row >= 0 ? (long)s_pc.table.rows[row].offset : -1;
    const pc_image_t *img = image_at(sc, sel);
    /* What the next boot tries first: with rollback, an ABORTED or used-up
     * selection sends it to the rollback target, and the slot otadata names
     * may then be anything (a later update may be rewriting it). */
    const pc_image_t *first = img;
    long first_addr = sel;
    if (strcmp(sc->bootloader, RB_BOOTLOADER) == 0 && slot != INVALID_INDEX) {
        const bs_rb_config_t cfg = {.enabled = true, .attempts = 1}; /* sdkconfig.rollback */
        bs_rb_plan_t plan;
        bs_rb_plan(&s_pc.slots, slot, charge, &cfg, &plan);
        int frow = plan.count > 0 ? bs_boot_slot_row(&s_pc.slots, plan.order[0]) : -1;
        first_addr = frow >= 0 ? (long)s_pc.table.rows[frow].offset : -1;
        first = image_at(sc, first_addr);
    }
    if (ok && !img) {
        ok = fail(out, PC_WRONG_IMAGE, "otadata selects 0x%lx: neither the old (0x%x) nor the new "
                  "(0x%x)", sel, (unsigned)sc->old_app.addr, (unsigned)sc->new_app.addr);
    } else if (ok && done && img != &sc->new_app) {
        ok = fail(out, PC_BRICKED, "the scenario ended but otadata still selects 0x%lx", sel);
    } else if (ok && done && e[bs_otadata_active(e, NULL)].ota_state != sc->done_state) {
        ok = fail(out, PC_BRICKED, "the scenario ended but the otadata entry in charge has state "
                  "0x%x, not 0x%x", (unsigned)e[bs_otadata_active(e, NULL)].ota_state,
                  (unsigned)sc->done_state);
    } else if (ok && !first) {
        ok = fail(out, PC_WRONG_IMAGE, "the next boot starts at 0x%lx: neither the old nor the "
                  "new app", first_addr);
    } else if (ok && !slot_holds(&v, first)) {
        ok = fail(out, PC_WRONG_IMAGE, "the next boot starts at 0x%lx, which does not hold the "
                  "complete %s image (%s)", first_addr, first == &sc->new_app ? "new" : "old",
                  first->file);
    }
    if (ok && !slot_holds(&v, &sc->old_app)) {
        ok = fail(out, PC_WRONG_IMAGE, "the old app at 0x%x was damaged", (unsigned)sc->old_app.addr);
    }
    sim_flash_close(&v.f);
    return ok;
}

/* ---- the case ---- */

/* Keeps the console of the power-on that failed beside the chip (chip.log). */
static void keep_console(const char *chip, const h_run_t *run)
{
    char path[600];
    snprintf(path, sizeof path, "%s.log", chip);
    (void)fx_write_file(path, run->console, strlen(run->console)); /* best effort: a report aid */
}

static bool copy_file(const char *from, const char *to)
{
    size_t len;
    char *data = fx_read_file(from, &len);
    bool ok = data && fx_write_file(to, data, len) == 0;
    free(data);
    return ok;
}

/* One power-on: with cuts (relative to it), stops at the first one that
 * fires, or at the end marker. The supervisor sees raw lines ("I (1234)
 * tag: ..."), so it looks for the marker without its "I (T) " head. */
static void power_on(const pc_case_t *c, const char *chip, const h_faults_t *f, h_run_t *run)
{
    const char *until = c->sc->done_marker;
    const char *head_end = strstr(until, "(T) ");
    char markers[256]; /* the end, or the factory's refusal of a rolled-back version */
    snprintf(markers, sizeof markers, "%s\n%s", head_end ? head_end + 4 : until, REFUSED);
    h_set_timeout(PHASE_TIMEOUT_S);
    h_run_faults(chip, PHASE_BOOTS, markers, f, run);
}

void pc_run_case(const pc_case_t *c, const char *chip, sim_op_t *trace, pc_outcome_t *out)
{
    const pc_scenario_t *sc = c->sc;
    memset(out, 0, sizeof *out);
    if (!copy_file(s_pc.templates[sc - pc_scenarios], chip)) {
        fail(out, PC_BRICKED, "cannot copy the chip template to %s", chip);
        return;
    }
    uint64_t done = 0; /* ops completed over every power-on so far */
    long last = -1;
    h_run_t run;
    for (uint32_t phase = 0;; phase++) {
        h_faults_t f = {
            .seed = c->seed, .stop_at_cut = true, .strict = true, .trace = phase ? NULL : trace};
        for (uint32_t i = out->cuts_fired; i < c->n_cuts; i++) {
            f.cuts[f.n_cuts++] = (sim_cut_t){.at_op = c->cuts[i].at - done,
                                             .kind = (uint32_t)c->cuts[i].kind};
        }
        power_on(c, chip, &f, &run);
        done += run.r.counters.modify_ops;
        bool cut = run.r.power_cuts > 0;
        bool ok = check_console(sc, &run, cut, &last, out) && check_flash(sc, chip, false, out);
        if (!ok) {
            keep_console(chip, &run);
        }
        if (!ok || !cut) {
            break; /* a failure, or this power-on ran to its end */
        }
        out->cuts_fired++;
        h_run_free(&run);
    }
    out->ops = done;
    out->completed = out->cls == PC_OK && run.r.until_seen && last == (long)sc->done_addr;
    h_run_free(&run);
    if (out->cls != PC_OK) {
        return;
    }
    /* Power on once more without cuts: the update finishes now if it had not,
     * and a finished one must stay finished. */
    const h_faults_t no_cuts = {.seed = c->seed, .strict = true};
    power_on(c, chip, &no_cuts, &run);
    if (check_console(sc, &run, false, &last, out) &&
        (!run.r.until_seen || last != (long)sc->done_addr)) {
        char line[160];
        snprintf(line, sizeof line, "W (T) %s", REFUSED);
        if (out->rolled_back && last == (long)sc->old_app.addr && h_has_line(&run, line)) {
            out->refused = true;
        } else {
            fail(out, PC_BRICKED, "the update does not complete, even when re-run without cuts%s",
                 run.r.timed_out ? " (timed out)" : "");
        }
    }
    if (out->cls != PC_OK) {
        keep_console(chip, &run);
    }
    h_run_free(&run);
    if (out->cls == PC_OK) {
        /* refused: the old app stays selected, so only the mid-run checks apply */
        (void)check_flash(sc, chip, !out->refused, out);
    }
}
