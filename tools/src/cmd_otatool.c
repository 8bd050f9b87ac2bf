/*
 * otatool's verbs on the virtual chip: read_otadata, switch_ota_partition,
 * erase_otadata. The table, otadata entries, the bootloader's choice and the
 * rewrite rule all come from the core (bs_partition, bs_otadata, bs_boot),
 * so these commands cannot disagree with the device. (The SDK's otatool.py
 * decodes seq and crc big-endian; we do not copy that.)
 */
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "bs_boot.h"
#include "bs_otadata.h"
#include "bs_partition.h"
#include "bs_rollback.h"
#include "cli.h"
#include "commands.h"
#include "tool_chip.h"

#define OTA_OPTS_HELP                                                                              \
    "  --chip FILE                     flash image of the virtual chip (required)\n"               \
    "  --flash-size SIZE               1MB, 2MB, 4MB, 8MB or 16MB (default: the chip file's)\n"    \
    "  --partition-table-offset ADDR   where the partition table is (default 0x8000)\n"

static const char s_read_help[] =
    "usage: ota8266 read_otadata --chip FILE [options]\n"
    "Prints both otadata entries (seq, state, CRC, validity, boot attempts, rollback\n"
    "target) and the app the bootloader will start on the next boot. Rollback states\n"
    "are read as a bootloader with rollback enabled acts on them.\n\n" OTA_OPTS_HELP;

static const char s_switch_help[] =
    "usage: ota8266 switch_ota_partition --chip FILE (--slot N | --name LABEL) [options]\n"
    "Selects an app for the next boot exactly as esp_ota_set_boot_partition() does: the\n"
    "next sequence number goes into the otadata copy not in charge. Selecting the factory\n"
    "app by name erases otadata.\n\n"
    "  --slot N                        OTA slot number (ota_N)\n"
    "  --name LABEL                    partition label (ota_1, factory, ...)\n"
    "  --state STATE                   state word written with the entry: UNDEFINED (default,\n"
    "                                  as the SDK), NEW (as esp_ota_set_boot_partition with\n"
    "                                  rollback), PENDING_VERIFY, VALID, INVALID, ABORTED, or\n"
    "                                  a number. With a state, the app that would boot now is\n"
    "                                  recorded as the one to roll back to.\n" OTA_OPTS_HELP;

static const char s_erase_help[] =
    "usage: ota8266 erase_otadata --chip FILE [options]\n"
    "Erases the otadata partition: the next boot starts the factory app (ota_0 when\n"
    "the table has no factory app).\n\n" OTA_OPTS_HELP;

enum { OPT_SLOT = TOOL_OPT_FIRST_OWN, OPT_NAME, OPT_STATE };

typedef struct {
    bool has_slot;
    uint32_t slot;
    const char *name;
    uint32_t state;
} switch_args_t;

typedef struct {
    const char *cmd;
    cli_chip_opts_t o;
    sim_flash_t f;
    bs_hal_t hal;
    bs_partition_table_t table;
    bs_boot_slots_t slots;
    const esp_partition_info_t *otadata;
} ota_ctx_t;

static const struct {
    uint32_t value;
    const char *name;
} s_states[] = {
    {ESP_OTA_IMG_NEW, "NEW"},         {ESP_OTA_IMG_PENDING_VERIFY, "PENDING_VERIFY"},
    {ESP_OTA_IMG_VALID, "VALID"},     {ESP_OTA_IMG_INVALID, "INVALID"},
    {ESP_OTA_IMG_ABORTED, "ABORTED"}, {ESP_OTA_IMG_UNDEFINED, "UNDEFINED"},
};

static const char *state_name(uint32_t v)
{
    for (size_t i = 0; i < sizeof s_states / sizeof s_states[0]; i++) {
        if (s_states[i].value == v) {
            return s_states[i].name;
        }
    }
    return "(unknown)";
}

static bool parse_state(const char *text, uint32_t *out)
{
    for (size_t i = 0; i < sizeof s_states / sizeof s_states[0]; i++) {
        if (!strcasecmp(text, s_states[i].name)) {
            *out = s_states[i].value;
            return true;
        }
    }
    return cli_parse_u32(text, out);
}

/* Parses argv; sw may be NULL for commands without the switch options.
 * Returns -1 to go on, else the exit status. */
static int parse_opts(int argc, char **argv, const char *help, cli_chip_opts_t *o,
                      switch_args_t *sw)
{
    static const struct option opts[] = {
        TOOL_CHIP_OPTIONS,
        TOOL_TABLE_OPTION,
        {"slot", required_argument, 0, OPT_SLOT},
        {"name", required_argument, 0, OPT_NAME},
        {"state", required_argument, 0, OPT_STATE},
        {0, 0, 0, 0},
    };
    const char *cmd = argv[0];
    tool_chip_opts_init(o);
    optind = 0; /* GNU: a full reset, so that in-process callers can run commands again */
    opterr = 0;
    int c;
    while ((c = getopt_long(argc, argv, ":", opts, NULL)) != -1) {
        if (c == TOOL_OPT_HELP) {
            fputs(help, stdout);
            return 0;
        }
        if (c == ':') {
            return cli_usage_error(cmd, "option '%s' needs a value", argv[optind - 1]);
        }
        int rc = tool_chip_opt(cmd, c, optarg, o);
        if (rc > 0) {
            return rc;
        }
        if (rc == 0) {
            continue;
        }
        if (!sw || c == '?') {
            return cli_usage_error(cmd, "unknown option '%s' (--help lists them)",
                                   argv[optind - 1]);
        }
        if (c == OPT_SLOT) {
            if (!cli_parse_u32(optarg, &sw->slot) || sw->slot >= MAX_OTA_SLOTS) {
                return cli_usage_error(cmd, "--slot '%s': expected 0..%d", optarg,
                                       MAX_OTA_SLOTS - 1);
            }
            sw->has_slot = true;
        } else if (c == OPT_NAME) {
            sw->name = optarg;
        } else if (!parse_state(optarg, &sw->state)) {
            return cli_usage_error(cmd,
                                   "--state '%s': use NEW, PENDING_VERIFY, VALID, INVALID, "
                                   "ABORTED, UNDEFINED or a number",
                                   optarg);
        }
    }
    if (optind < argc) {
        return cli_usage_error(cmd, "unexpected argument '%s'", argv[optind]);
    }
    int rc = tool_chip_require(cmd, o);
    return rc ? rc : -1;
}

static int core_fail(const ota_ctx_t *c, const char *what, esp_err_t err)
{
    return cli_fail(c->cmd, "%s: %s (0x%x)", what, esp_err_to_name(err), (unsigned)err);
}

static bool has_partitions(const bs_partition_table_t *t)
{
    for (int i = 0; i < t->num_rows; i++) {
        if (t->rows[i].magic == ESP_PARTITION_MAGIC) {
            return true;
        }
    }
    return false;
}

/* Opens the chip and finds otadata through the core; 0 or an exit status. */
static int ota_open(ota_ctx_t *c)
{
    int rc = tool_chip_open(c->cmd, &c->o, false, &c->f);
    if (rc) {
        return rc;
    }
    tool_chip_hal(c->cmd, &c->f, &c->o, &c->hal);
    esp_err_t err = bs_partition_table_load(&c->hal, c->o.table_offset, true, &c->table);
    if (err != ESP_OK) {
        char what[80];
        snprintf(what, sizeof what, "no valid partition table at 0x%x",
                 (unsigned)c->o.table_offset);
        rc = core_fail(c, what, err);
    } else if (!has_partitions(&c->table)) {
        /* An erased sector reads as a valid table that ends at once. */
        rc = cli_fail(c->cmd, "no partition table at 0x%x (no partition rows there)",
                      (unsigned)c->o.table_offset);
    } else {
        bs_boot_slots_find(&c->table, &c->slots);
        if (c->slots.otadata < 0) {
            rc = cli_fail(c->cmd, "the partition table at 0x%x has no otadata (data/ota) partition",
                          (unsigned)c->o.table_offset);
        } else {
            c->otadata = &c->table.rows[c->slots.otadata];
            return 0;
        }
    }
    sim_flash_close(&c->f);
    return rc;
}

/* A slot's label in the table, or "ota_N"/"factory" when it is absent. */
static const char *slot_name(const ota_ctx_t *c, int slot, char buf[16])
{
    int row = bs_boot_slot_row(&c->slots, slot);
    if (row >= 0) {
        return c->table.rows[row].label;
    }
    if (slot >= 0) {
        snprintf(buf, 16, "ota_%d", slot);
        return buf;
    }
    return slot == FACTORY_INDEX ? "factory" : slot == TEST_APP_INDEX ? "test" : "?";
}

/* ", boot attempt 1 of 3, rolls back to factory" for entries that carry them. */
static void print_rb_fields(const ota_ctx_t *c, const esp_ota_select_entry_t *e)
{
    bs_rb_fields_t f;
    bs_rb_fields_get(e, &f);
    if (f.attempts != BS_RB_NONE) {
        printf(", boot attempt %u of %u", f.attempts, f.allowed);
    }
    if (f.target != BS_RB_NONE) {
        char buf[16];
        int slot = bs_rb_subtype_slot(f.target);
        if (slot == INVALID_INDEX) {
            printf(", rollback target subtype 0x%02x (not an app)", f.target);
        } else {
            printf(", rolls back to %s", slot_name(c, slot, buf));
        }
    }
}

static void print_entry(const ota_ctx_t *c, char name, uint32_t addr,
                        const esp_ota_select_entry_t *e)
{
    const char *validity;
    char bad[48];
    if (e->ota_seq == 0xFFFFFFFFu) {
        validity = "empty";
    } else if (bs_otadata_valid(e)) {
        validity = "valid";
    } else if (e->crc == bs_otadata_crc(e->ota_seq)) {
        validity = "invalid (torn state word)"; /* bs_otadata_state_known */
    } else {
        snprintf(bad, sizeof bad, "invalid (crc should be 0x%08x)",
                 (unsigned)bs_otadata_crc(e->ota_seq));
        validity = bad;
    }
    printf("%c      0x%08x  0x%08x  %-15s 0x%08x  %s", name, (unsigned)addr, (unsigned)e->ota_seq,
           state_name(e->ota_state), (unsigned)e->crc, validity);
    if (e->ota_seq != 0xFFFFFFFFu) {
        print_rb_fields(c, e);
    }
    printf("\n");
}

/*
 * The rollback state of the entry in charge, as a bootloader with rollback
 * enabled acts on it (only rollback-aware software writes these states):
 * appends it to `why` and returns the slot that really boots.
 */
static int apply_rollback(const ota_ctx_t *c, const esp_ota_select_entry_t e[2], int sel,
                          char *why, size_t len)
{
    static const bs_rb_config_t rb = {true, 1};
    bs_rb_plan_t plan;
    bs_rb_plan(&c->slots, sel, e, &rb, &plan);
    if (plan.active < 0 || plan.selected < 0) {
        return sel;
    }
    size_t n = strlen(why);
    const bs_rb_decision_t *d = &plan.d;
    const char *st = state_name(d->state);
    char buf[16];
    const char *name = slot_name(c, sel, buf);
    if (d->action == BS_RB_BOOT) {
        if (d->state != ESP_OTA_IMG_UNDEFINED) {
            snprintf(why + n, len - n, ", %s", st);
        }
        return sel;
    }
    if (d->action == BS_RB_TRY) {
        if (d->state == ESP_OTA_IMG_NEW) {
            snprintf(why + n, len - n, ", NEW: its first boot attempt");
        } else {
            snprintf(why + n, len - n, ", PENDING_VERIFY: boot attempt %u of %u", d->attempt,
                     d->allowed);
        }
        return sel;
    }
    int target = bs_rb_target(&c->slots, sel, d->fields.target);
    if (d->action == BS_RB_ABORT) {
        snprintf(why + n, len - n, ": %s is PENDING_VERIFY after %u of %u boot attempts, so it is %s",
                 name, d->attempt, d->allowed,
                 target == INVALID_INDEX ? "marked ABORTED (no other app to roll back to)"
                                         : "rolled back");
    } else {
        snprintf(why + n, len - n, ": %s is %s, %s", name, st,
                 target == INVALID_INDEX ? "but no other app exists" : "rolled back");
    }
    return target == INVALID_INDEX ? sel : target;
}

/* Says which app the bootloader starts next, and why, in its own terms. */
static void print_next_boot(ota_ctx_t *c, const esp_ota_select_entry_t e[2])
{
    /* The bootloader's log lines would read as errors of this command: keep it quiet. */
    bs_hal_t quiet = c->hal;
    quiet.log = NULL;
    int sel = bs_boot_select(&quiet, &c->table, &c->slots, NULL);
    bs_otadata_kind_t kind;
    int active = bs_otadata_active(e, &kind);
    char why[192];
    if (kind == BS_OTADATA_BOTH_EMPTY) {
        snprintf(why, sizeof why, "otadata is empty");
    } else if (active < 0) {
        snprintf(why, sizeof why, "no valid otadata entry");
    } else {
        snprintf(why, sizeof why, "entry %c, seq %u", active ? 'B' : 'A',
                 (unsigned)e[active].ota_seq);
    }
    if (sel != INVALID_INDEX) {
        sel = apply_rollback(c, e, sel, why, sizeof why);
    }
    int row = bs_boot_slot_row(&c->slots, sel);
    const esp_partition_info_t *p = row >= 0 ? &c->table.rows[row] : NULL;
    if (sel == INVALID_INDEX) {
        printf("Next boot: nothing (otadata unusable)\n");
    } else if (sel >= 0) {
        if (p) {
            printf("Next boot: ota_%d '%s' at 0x%08x (%s)\n", sel, p->label, (unsigned)p->offset,
                   why);
        } else {
            printf("Next boot: ota_%d, absent from the table: the bootloader falls back (%s)\n",
                   sel, why);
        }
    } else if (p) {
        printf("Next boot: %s app '%s' at 0x%08x (%s)\n", sel == FACTORY_INDEX ? "factory" : "test",
               p->label, (unsigned)p->offset, why);
    } else {
        printf("Next boot: no factory app; the bootloader tries every app partition (%s)\n", why);
    }
}

/* Both entries and the resulting choice, read fresh from flash. */
static int print_otadata(ota_ctx_t *c)
{
    esp_ota_select_entry_t e[2];
    esp_err_t err = bs_otadata_read(&c->hal, c->otadata->offset, c->otadata->size, e);
    if (err != ESP_OK) {
        return core_fail(c, "cannot read otadata", err);
    }
    printf("otadata '%s' at 0x%08x (0x%x bytes); %d OTA app slot%s, %s factory app\n",
           c->otadata->label, (unsigned)c->otadata->offset, (unsigned)c->otadata->size,
           c->slots.ota_count, c->slots.ota_count == 1 ? "" : "s",
           c->slots.factory >= 0 ? "a" : "no");
    printf("entry  sector      ota_seq     state           crc\n");
    print_entry(c, 'A', c->otadata->offset, &e[0]);
    print_entry(c, 'B', c->otadata->offset + SIM_SECTOR_SIZE, &e[1]);
    print_next_boot(c, e);
    return 0;
}

int cmd_read_otadata(int argc, char **argv)
{
    ota_ctx_t c = {.cmd = argv[0]};
    int rc = parse_opts(argc, argv, s_read_help, &c.o, NULL);
    if (rc >= 0 || (rc = ota_open(&c))) {
        return rc;
    }
    rc = print_otadata(&c);
    sim_flash_close(&c.f);
    return rc;
}

/* Erasing the whole partition gives "both 0xFF": factory, or ota_0 without one. */
static int erase_otadata(ota_ctx_t *c)
{
    esp_err_t err = bs_flash_erase_range(&c->hal, c->otadata->offset, c->otadata->size);
    if (err != ESP_OK) {
        return core_fail(c, "cannot erase otadata", err);
    }
    printf("Erased otadata at 0x%08x (0x%x bytes)\n", (unsigned)c->otadata->offset,
           (unsigned)c->otadata->size);
    return 0;
}

/* --name LABEL -> slot, or FACTORY_INDEX for the factory app; an exit status on error. */
static int slot_by_name(ota_ctx_t *c, const char *name, int *slot)
{
    for (int i = 0; i < c->table.num_rows; i++) {
        const esp_partition_info_t *p = &c->table.rows[i];
        if (p->magic != ESP_PARTITION_MAGIC || strcmp(p->label, name)) {
            continue;
        }
        if (p->type != PART_TYPE_APP) {
            return cli_usage_error(c->cmd, "'%s' is not an app partition", name);
        }
        if (p->subtype == PART_SUBTYPE_FACTORY) {
            *slot = FACTORY_INDEX;
            return 0;
        }
        if ((p->subtype & ~PART_SUBTYPE_OTA_MASK) == PART_SUBTYPE_OTA_FLAG) {
            *slot = p->subtype & PART_SUBTYPE_OTA_MASK;
            return 0;
        }
        /* The SDK masks a test subtype to ota_0 (a bug); refuse instead. */
        return cli_usage_error(c->cmd, "'%s' (subtype 0x%02x) cannot be selected through otadata",
                               name, p->subtype);
    }
    return cli_usage_error(c->cmd, "no partition named '%s' in the table at 0x%x", name,
                           (unsigned)c->o.table_offset);
}

/* What esp_ota_set_boot_partition records with a state: the app to come
 * back to, here the one that would boot now (re-selecting it keeps the
 * target its entry has). */
static uint8_t rollback_target(ota_ctx_t *c, int slot)
{
    esp_ota_select_entry_t e[2];
    if (bs_otadata_read(&c->hal, c->otadata->offset, c->otadata->size, e) != ESP_OK) {
        return BS_RB_NONE;
    }
    bs_hal_t quiet = c->hal;
    quiet.log = NULL;
    int sel = bs_boot_select(&quiet, &c->table, &c->slots, NULL);
    char unused[8] = "";
    int now = sel == INVALID_INDEX ? sel : apply_rollback(c, e, sel, unused, sizeof unused);
    if (now != slot) {
        return bs_rb_slot_subtype(now);
    }
    int active = bs_otadata_active(e, NULL);
    bs_rb_fields_t f = {BS_RB_NONE, BS_RB_NONE, BS_RB_NONE};
    if (active >= 0) {
        bs_rb_fields_get(&e[active], &f);
    }
    return f.target;
}

static int switch_slot(ota_ctx_t *c, int slot, uint32_t state)
{
    const esp_partition_info_t *p = &c->table.rows[c->slots.ota[slot]];
    esp_err_t err;
    if (state == ESP_OTA_IMG_UNDEFINED) {
        err = bs_otadata_set_boot_slot(&c->hal, c->otadata->offset, c->otadata->size, slot,
                                       c->slots.ota_count, state);
    } else {
        const bs_rb_fields_t f = {BS_RB_NONE, BS_RB_NONE, rollback_target(c, slot)};
        err = bs_rb_write(&c->hal, c->otadata->offset, c->otadata->size, slot,
                          c->slots.ota_count, state, &f);
    }
    if (err != ESP_OK) {
        char what[64];
        snprintf(what, sizeof what, "cannot select ota_%d", slot);
        return core_fail(c, what, err);
    }
    printf("Selected ota_%d '%s' at 0x%08x, state %s\n", slot, p->label, (unsigned)p->offset,
           state_name(state));
    return 0;
}

int cmd_switch_ota_partition(int argc, char **argv)
{
    ota_ctx_t c = {.cmd = argv[0]};
    switch_args_t sw = {.state = ESP_OTA_IMG_UNDEFINED};
    int rc = parse_opts(argc, argv, s_switch_help, &c.o, &sw);
    if (rc >= 0) {
        return rc;
    }
    if (sw.has_slot == (sw.name != NULL)) {
        return cli_usage_error(c.cmd, "give exactly one of --slot N and --name LABEL");
    }
    if ((rc = ota_open(&c))) {
        return rc;
    }
    int slot = (int)sw.slot;
    if (sw.name) {
        rc = slot_by_name(&c, sw.name, &slot);
    }
    if (rc == 0 && slot >= 0 && (c.slots.ota[slot] < 0 || slot >= c.slots.ota_count)) {
        rc = cli_usage_error(c.cmd, "no ota_%d in the partition table (it has %d OTA slot%s)", slot,
                             c.slots.ota_count, c.slots.ota_count == 1 ? "" : "s");
    }
    if (rc == 0) {
        rc = slot == FACTORY_INDEX ? erase_otadata(&c) : switch_slot(&c, slot, sw.state);
    }
    if (rc == 0) {
        rc = print_otadata(&c);
    }
    sim_flash_close(&c.f);
    return rc;
}

int cmd_erase_otadata(int argc, char **argv)
{
    ota_ctx_t c = {.cmd = argv[0]};
    int rc = parse_opts(argc, argv, s_erase_help, &c.o, NULL);
    if (rc >= 0 || (rc = ota_open(&c))) {
        return rc;
    }
    rc = erase_otadata(&c);
    if (rc == 0) {
        rc = print_otadata(&c);
    }
    sim_flash_close(&c.f);
    return rc;
}
