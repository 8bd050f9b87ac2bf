/*
 * esptool's flasher verbs on the virtual chip: write_flash, read_flash,
 * erase_flash, erase_region. Every argument is checked before the chip file
 * is opened, so that a bad command line never creates or changes a chip.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "bs_image.h"
#include "cli.h"
#include "commands.h"
#include "tool_chip.h"

#define SECTOR SIM_SECTOR_SIZE
#define CHIP_OPTS_HELP                                                                             \
    "  --chip FILE         flash image of the virtual chip (required)\n"                           \
    "  --flash-size SIZE   1MB, 2MB, 4MB, 8MB or 16MB (default: the chip file's size,\n"           \
    "                      4MB for a new chip)\n"

static const char s_write_help[] =
    "usage: ota8266 write_flash --chip FILE [--flash-size SIZE] ADDR FILE [ADDR FILE ...]\n"
    "Writes each FILE at ADDR as esptool does: the 4 KB sectors it covers are erased,\n"
    "the data (padded with 0xFF to a multiple of 4 bytes) is written and read back.\n"
    "A missing chip file is created, erased. Every pair is checked (ADDR a multiple of\n"
    "0x1000, inside the chip, no two files in one sector) before flash is "
    "touched.\n\n" CHIP_OPTS_HELP;

static const char s_read_help[] =
    "usage: ota8266 read_flash --chip FILE [--flash-size SIZE] ADDR SIZE FILE\n"
    "Copies SIZE bytes of flash from ADDR into FILE (SIZE takes k and M "
    "suffixes).\n\n" CHIP_OPTS_HELP;

static const char s_erase_help[] = "usage: ota8266 erase_flash --chip FILE [--flash-size SIZE]\n"
                                   "Erases every sector of the chip to 0xFF (a missing chip file "
                                   "is created erased).\n\n" CHIP_OPTS_HELP;

static const char s_region_help[] =
    "usage: ota8266 erase_region --chip FILE [--flash-size SIZE] ADDR SIZE\n"
    "Erases SIZE bytes from ADDR to 0xFF; both must be multiples of 0x1000 (4 KB).\n"
    "A missing chip file is created erased.\n\n" CHIP_OPTS_HELP;

/*
 * Parses the chip options of a flasher command. Positional arguments are
 * left at argv[optind..]. Returns -1 to go on, else the exit status.
 */
static int parse_opts(int argc, char **argv, const char *help, cli_chip_opts_t *o)
{
    static const struct option opts[] = {TOOL_CHIP_OPTIONS, {0, 0, 0, 0}};
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
            return cli_usage_error(argv[0], "option '%s' needs a value", argv[optind - 1]);
        }
        if (c == '?') {
            return cli_usage_error(argv[0], "unknown option '%s' (--help lists them)",
                                   argv[optind - 1]);
        }
        int rc = tool_chip_opt(argv[0], c, optarg, o);
        if (rc > 0) {
            return rc;
        }
    }
    int rc = tool_chip_require(argv[0], o);
    return rc ? rc : -1;
}

static int positional_count(const char *cmd, int argc, int want, const char *what)
{
    int have = argc - optind;
    if (have != want) {
        return cli_usage_error(cmd, "expected %s, got %d argument%s", what, have,
                               have == 1 ? "" : "s");
    }
    return 0;
}

static int parse_addr(const char *cmd, const char *name, const char *text, uint32_t *out)
{
    if (!cli_parse_u32(text, out)) {
        return cli_usage_error(cmd, "%s '%s' is not a number (0x... or decimal)", name, text);
    }
    return 0;
}

static double kbit_per_s(uint32_t bytes, double seconds)
{
    return seconds > 0 ? (double)bytes * 8.0 / 1000.0 / seconds : 0.0;
}

/* ---- write_flash -------------------------------------------------------- */

typedef struct {
    uint32_t addr;
    const char *path;
    uint8_t *data;
    uint32_t len; /* padded to 4 bytes */
} flash_item_t;

static uint32_t sectors_end(const flash_item_t *it)
{
    return it->addr + ((it->len + SECTOR - 1u) & ~(SECTOR - 1u));
}

/* Reads FILE whole and pads it as esptool does; it must fit in the chip from addr. */
static int load_item(const char *cmd, uint32_t chip_size, flash_item_t *it)
{
    FILE *in = fopen(it->path, "rb");
    if (!in) {
        return cli_usage_error(cmd, "cannot open %s: %s", it->path, strerror(errno));
    }
    struct stat sb;
    if (fstat(fileno(in), &sb) < 0 || !S_ISREG(sb.st_mode)) {
        fclose(in);
        return cli_usage_error(cmd, "%s is not a regular file", it->path);
    }
    uint64_t padded = ((uint64_t)sb.st_size + 3u) & ~(uint64_t)3u;
    if (it->addr >= chip_size || padded > chip_size - it->addr) {
        fclose(in);
        return cli_usage_error(cmd,
                               "%s (%lld bytes) at 0x%08x does not fit in the 0x%x-byte chip "
                               "(ends at 0x%llx)",
                               it->path, (long long)sb.st_size, (unsigned)it->addr,
                               (unsigned)chip_size, (unsigned long long)(it->addr + padded));
    }
    it->len = (uint32_t)padded;
    it->data = malloc(it->len ? it->len : 1);
    if (!it->data) {
        fclose(in);
        return cli_fail(cmd, "out of memory for %s", it->path);
    }
    memset(it->data, 0xFF, it->len);
    size_t got = fread(it->data, 1, (size_t)sb.st_size, in);
    fclose(in);
    if (got != (size_t)sb.st_size) {
        return cli_usage_error(cmd, "cannot read %s", it->path);
    }
    return 0;
}

static int load_items(const char *cmd, uint32_t chip_size, char **args, int n, flash_item_t *items)
{
    for (int i = 0; i < n; i++) {
        items[i].path = args[2 * i + 1];
        int rc = parse_addr(cmd, "ADDR", args[2 * i], &items[i].addr);
        if (rc) {
            return rc;
        }
        if (items[i].addr & (SECTOR - 1u)) {
            /* esptool would erase the whole sector, losing the bytes before ADDR. */
            return cli_usage_error(cmd, "ADDR 0x%x for %s is not a multiple of 0x1000 (a sector)",
                                   (unsigned)items[i].addr, items[i].path);
        }
        if ((rc = load_item(cmd, chip_size, &items[i]))) {
            return rc;
        }
    }
    /* Sector ranges must not overlap: erasing one file's sectors would wipe another. */
    for (int i = 0; i < n; i++) {
        for (int j = i + 1; j < n; j++) {
            if (items[i].len && items[j].len && items[i].addr < sectors_end(&items[j]) &&
                items[j].addr < sectors_end(&items[i])) {
                return cli_usage_error(cmd, "%s at 0x%08x and %s at 0x%08x overlap", items[i].path,
                                       (unsigned)items[i].addr, items[j].path,
                                       (unsigned)items[j].addr);
            }
        }
    }
    return 0;
}

/* A bootloader image at 0x0 carries the configured flash size, which the
 * device trusts: say so when the chip is a different size (the 0x104 case). */
static void warn_configured_size(const char *cmd, const flash_item_t *it, uint32_t chip_size)
{
    if (it->addr != 0 || it->len < ESP_IMAGE_HEADER_LEN) {
        return;
    }
    static bs_image_stream_t s;
    const bs_image_opts_t opts = {.kind = BS_IMAGE_V1, .hash = BS_HASH_NONE, .max_len = it->len};
    bs_image_stream_init(&s, NULL, &opts);
    if (bs_image_stream_feed(&s, it->data, ESP_IMAGE_HEADER_LEN, NULL) != ESP_OK ||
        !bs_image_stream_header_ok(&s)) {
        return;
    }
    uint32_t configured = bs_image_flash_size_bytes(BS_IMAGE_V1, s.info.header.spi_size);
    if (configured && configured != chip_size) {
        fprintf(stderr,
                "ota8266 %s: warning: %s is configured for a %uKB flash, but the chip is %uKB: "
                "the device will trust the configured size\n",
                cmd, it->path, (unsigned)(configured >> 10), (unsigned)(chip_size >> 10));
    }
}

/* Erases each sector just before writing its part, then reads everything back. */
static int write_item(const char *cmd, sim_flash_t *f, const flash_item_t *it)
{
    double t0 = tool_now();
    for (uint32_t off = 0; off < it->len; off += SECTOR) {
        uint32_t n = it->len - off < SECTOR ? it->len - off : SECTOR;
        if (sim_flash_erase_sector(f, it->addr + off) != ESP_OK ||
            sim_flash_write(f, it->addr + off, it->data + off, n) != ESP_OK) {
            return cli_fail(cmd, "writing %s: %s", it->path, f->last_error);
        }
    }
    double dt = tool_now() - t0;
    printf("Wrote %u bytes at 0x%08x in %.1f seconds (effective %.1f kbit/s)...\n",
           (unsigned)it->len, (unsigned)it->addr, dt, kbit_per_s(it->len, dt));
    uint8_t buf[SECTOR];
    for (uint32_t off = 0; off < it->len; off += SECTOR) {
        uint32_t n = it->len - off < SECTOR ? it->len - off : SECTOR;
        if (sim_flash_read(f, it->addr + off, buf, n) != ESP_OK) {
            return cli_fail(cmd, "verifying %s: %s", it->path, f->last_error);
        }
        if (memcmp(buf, it->data + off, n)) {
            /* Only possible when a sector was not erased: the chip file changed under us. */
            return cli_fail(cmd, "verify failed: %s differs from flash in 0x%08x..0x%08x", it->path,
                            (unsigned)(it->addr + off), (unsigned)(it->addr + off + n));
        }
    }
    printf("Data verified (read back).\n");
    return 0;
}

int cmd_write_flash(int argc, char **argv)
{
    const char *cmd = argv[0];
    cli_chip_opts_t o;
    int rc = parse_opts(argc, argv, s_write_help, &o);
    if (rc >= 0) {
        return rc;
    }
    int npos = argc - optind;
    if (npos < 2 || npos % 2) {
        return cli_usage_error(cmd, "expected ADDR FILE pairs, got %d argument%s", npos,
                               npos == 1 ? "" : "s");
    }
    int n = npos / 2;
    flash_item_t *items = calloc((size_t)n, sizeof *items);
    if (!items) {
        return cli_fail(cmd, "out of memory");
    }
    rc = load_items(cmd, o.flash_size, argv + optind, n, items);
    if (rc == 0) {
        bool existed = access(o.chip, F_OK) == 0;
        sim_flash_t f;
        rc = tool_chip_open(cmd, &o, true, &f);
        if (rc == 0) {
            char sz[24];
            printf("%s %s chip %s\n", existed ? "Writing to the" : "Created an erased",
                   tool_size_name(f.size, sz, sizeof sz), o.chip);
            for (int i = 0; i < n && rc == 0; i++) {
                warn_configured_size(cmd, &items[i], f.size);
                rc = write_item(cmd, &f, &items[i]);
            }
            sim_flash_close(&f);
        }
    }
    for (int i = 0; i < n; i++) {
        free(items[i].data);
    }
    free(items);
    return rc;
}

/* ---- read_flash --------------------------------------------------------- */

/* ADDR and SIZE must describe bytes inside the chip. */
static int check_region(const char *cmd, uint32_t chip_size, uint32_t addr, uint32_t size)
{
    if (size == 0) {
        return cli_usage_error(cmd, "SIZE must be at least 1");
    }
    if (addr >= chip_size || size > chip_size - addr) {
        return cli_usage_error(cmd, "0x%x bytes at 0x%08x go beyond the end of the 0x%x-byte chip",
                               (unsigned)size, (unsigned)addr, (unsigned)chip_size);
    }
    return 0;
}

static int copy_out(const char *cmd, sim_flash_t *f, uint32_t addr, uint32_t size, FILE *out)
{
    static uint8_t buf[64 * 1024];
    for (uint32_t done = 0; done < size;) {
        uint32_t n = size - done < sizeof buf ? size - done : (uint32_t)sizeof buf;
        if (sim_flash_read(f, addr + done, buf, n) != ESP_OK) {
            return cli_fail(cmd, "%s", f->last_error);
        }
        if (fwrite(buf, 1, n, out) != n) {
            return cli_fail(cmd, "writing the output file: %s", strerror(errno));
        }
        done += n;
    }
    return 0;
}

int cmd_read_flash(int argc, char **argv)
{
    const char *cmd = argv[0];
    cli_chip_opts_t o;
    int rc = parse_opts(argc, argv, s_read_help, &o);
    if (rc >= 0) {
        return rc;
    }
    uint32_t addr, size;
    if ((rc = positional_count(cmd, argc, 3, "ADDR SIZE FILE")) ||
        (rc = parse_addr(cmd, "ADDR", argv[optind], &addr)) ||
        (rc = parse_addr(cmd, "SIZE", argv[optind + 1], &size)) ||
        (rc = check_region(cmd, o.flash_size, addr, size))) {
        return rc;
    }
    const char *path = argv[optind + 2];
    sim_flash_t f;
    if ((rc = tool_chip_open(cmd, &o, false, &f))) {
        return rc;
    }
    FILE *out = fopen(path, "wb");
    if (!out) {
        sim_flash_close(&f);
        return cli_fail(cmd, "cannot create %s: %s", path, strerror(errno));
    }
    double t0 = tool_now();
    rc = copy_out(cmd, &f, addr, size, out);
    if (fclose(out) != 0 && rc == 0) {
        rc = cli_fail(cmd, "writing %s: %s", path, strerror(errno));
    }
    sim_flash_close(&f);
    if (rc == 0) {
        double dt = tool_now() - t0;
        printf("Read %u bytes at 0x%08x in %.1f seconds (%.1f kbit/s) into %s\n", (unsigned)size,
               (unsigned)addr, dt, kbit_per_s(size, dt), path);
    }
    return rc;
}

/* ---- erase_flash, erase_region ------------------------------------------ */

static int erase_range(const char *cmd, const cli_chip_opts_t *o, uint32_t addr, uint32_t size)
{
    sim_flash_t f;
    int rc = tool_chip_open(cmd, o, true, &f);
    if (rc) {
        return rc;
    }
    double t0 = tool_now();
    for (uint32_t off = 0; off < size; off += SECTOR) {
        if (sim_flash_erase_sector(&f, addr + off) != ESP_OK) {
            rc = cli_fail(cmd, "%s", f.last_error);
            break;
        }
    }
    sim_flash_close(&f);
    if (rc == 0) {
        uint32_t n = size / SECTOR;
        printf("Erased 0x%08x..0x%08x (%u sector%s) in %.1f seconds.\n", (unsigned)addr,
               (unsigned)(addr + size - 1u), (unsigned)n, n == 1 ? "" : "s", tool_now() - t0);
    }
    return rc;
}

int cmd_erase_flash(int argc, char **argv)
{
    cli_chip_opts_t o;
    int rc = parse_opts(argc, argv, s_erase_help, &o);
    if (rc >= 0) {
        return rc;
    }
    if ((rc = positional_count(argv[0], argc, 0, "no arguments"))) {
        return rc;
    }
    printf("Erasing flash (this may take a while)...\n");
    return erase_range(argv[0], &o, 0, o.flash_size);
}

int cmd_erase_region(int argc, char **argv)
{
    const char *cmd = argv[0];
    cli_chip_opts_t o;
    int rc = parse_opts(argc, argv, s_region_help, &o);
    if (rc >= 0) {
        return rc;
    }
    uint32_t addr, size;
    if ((rc = positional_count(cmd, argc, 2, "ADDR SIZE")) ||
        (rc = parse_addr(cmd, "ADDR", argv[optind], &addr)) ||
        (rc = parse_addr(cmd, "SIZE", argv[optind + 1], &size))) {
        return rc;
    }
    if ((addr | size) & (SECTOR - 1u)) {
        return cli_usage_error(cmd, "ADDR 0x%x and SIZE 0x%x must both be multiples of 0x1000",
                               (unsigned)addr, (unsigned)size);
    }
    if ((rc = check_region(cmd, o.flash_size, addr, size))) {
        return rc;
    }
    printf("Erasing region (may be slow depending on size)...\n");
    return erase_range(cmd, &o, addr, size);
}
