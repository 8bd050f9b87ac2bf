/*
 * ota8266 elf2image and image_info: esptool's image verbs for the virtual
 * ESP8266 (reference §3). elf2image wraps a host executable into a V3 app
 * image (as the SDK's esptool writes it) or a v1 bootloader image;
 * image_info prints an image through the core's one image parser.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "bs_image.h"
#include "cli.h"
#include "commands.h"
#include "elf2image_xtensa.h"
#include "elf_read.h"
#include "image_info.h"
#include "image_writer.h"

#ifndef OTA8266_IDF_VER
#define OTA8266_IDF_VER "v3.4-ota8266"
#endif

#define RODATA_DESC_SECTION ".rodata_desc"
#define IRAM_BASE 0x40100000u             /* where the v1 image's one segment loads */
#define FLASH_TEXT_OFFSET 0x10u           /* image header + segment 0 (descriptor) header */
#define DESC_STR_MAX 31                   /* the descriptor's strings are char[32] */
#define MAX_ELF_LEN (16u * 1024u * 1024u) /* the largest ESP8266 flash */

static const char s_elf2image_help[] =
    "usage: ota8266 elf2image [--version 1|3] [--flash_mode qio|qout|dio|dout]\n"
    "                         [--flash_freq 40m|26m|20m|80m] [--flash_size 1MB|2MB|4MB|8MB|16MB]\n"
    "                         [--app-offset OFFSET] [--project-name NAME]\n"
    "                         [--project-version VER] [--sdk-version VER] -o OUT ELF\n\n"
    "Wraps a host executable into an ESP8266 image with one segment carrying the whole\n"
    "ELF file, so that the virtual chip runs exactly the bytes in flash.\n\n"
    "  --version 3        (default) SDK V3 app image: the 256-byte app descriptor at\n"
    "                     0x40200010 + OFFSET mod 1 MB, then the ELF at 264 bytes past it\n"
    "                     (where XIP maps its file offset), checksum, SHA-256 appended.\n"
    "                     Flash mode QIO and QOUT are written as DIO, as the SDK's\n"
    "                     ESPFLASHMODE does\n"
    "  --version 1        ESP8266 ROM (v1) bootloader image: one IRAM segment at\n"
    "                     0x40100000, checksum, no SHA-256\n"
    "  --flash_mode M     default qio\n"
    "  --flash_freq F     default 40m\n"
    "  --flash_size S     default 1MB; V3 headers use the ESP32 size codes, v1 the ROM's\n"
    "  --app-offset OFF   flash offset of the slot the app is linked for (default 0x10000,\n"
    "                     a multiple of 0x1000); only its offset within 1 MB matters\n"
    "  --project-name N   descriptor project name (default: the ELF's .rodata_desc, else\n"
    "                     the ELF file name without .elf)\n"
    "  --project-version V  descriptor version (default: .rodata_desc's, else \"1\")\n"
    "  --sdk-version V    descriptor idf_ver (default: .rodata_desc's, else " OTA8266_IDF_VER ")\n"
    "  -o, --output OUT   image file to write\n"
    "The descriptor's app_elf_sha256 is always the SHA-256 of the ELF file.\n";

enum {
    OPT_VERSION = 0x1000,
    OPT_FLASH_MODE,
    OPT_FLASH_FREQ,
    OPT_FLASH_SIZE,
    OPT_APP_OFFSET,
    OPT_PROJECT_NAME,
    OPT_PROJECT_VERSION,
    OPT_SDK_VERSION,
    OPT_CHIP,
    OPT_HELP,
};

typedef struct {
    int version; /* 1 or 3 */
    const char *flash_mode;
    uint8_t spi_speed;
    uint32_t flash_bytes;
    uint32_t app_offset;
    bool app_offset_given;
    const char *project_name;
    const char *project_version;
    const char *sdk_version;
    const char *output;
    const char *input;
} e2i_args_t;

/* ---- option values ------------------------------------------------------ */

static int parse_mode(const char *arg, int version, uint8_t *mode)
{
    static const char *const names[] = {"qio", "qout", "dio", "dout"};
    for (uint8_t i = 0; i < 4; i++) {
        if (!strcmp(arg, names[i])) {
            /* The SDK configures its app header as DIO for QIO, QOUT and DIO
             * (ESPFLASHMODE): the bootloader switches to QIO in software. */
            *mode = (version == 3 && i != ESP_IMAGE_SPI_MODE_DOUT) ? ESP_IMAGE_SPI_MODE_DIO : i;
            return 0;
        }
    }
    return -1;
}

static int parse_freq(const char *arg, uint8_t *speed)
{
    static const struct {
        const char *name;
        uint8_t code;
    } freqs[] = {
        {"40m", ESP_IMAGE_SPI_SPEED_40M},
        {"26m", ESP_IMAGE_SPI_SPEED_26M},
        {"20m", ESP_IMAGE_SPI_SPEED_20M},
        {"80m", ESP_IMAGE_SPI_SPEED_80M},
    };
    for (size_t i = 0; i < sizeof freqs / sizeof freqs[0]; i++) {
        if (!strcmp(arg, freqs[i].name)) {
            *speed = freqs[i].code;
            return 0;
        }
    }
    return -1;
}

static uint32_t parse_flash_size(const char *arg)
{
    static const char *const names[] = {"1MB", "2MB", "4MB", "8MB", "16MB"};
    for (unsigned i = 0; i < sizeof names / sizeof names[0]; i++) {
        if (!strcmp(arg, names[i])) {
            return (1u << i) * 1024u * 1024u;
        }
    }
    return 0;
}

static int check_desc_string(const char *cmd, const char *opt, const char *value)
{
    if (value && strlen(value) > DESC_STR_MAX) {
        return cli_usage_error(cmd, "%s '%s' is %zu characters; the descriptor holds at most %d",
                               opt, value, strlen(value), DESC_STR_MAX);
    }
    return 0;
}

/* ---- elf2image arguments ----------------------------------------------- */

/* Handles one option; 0 when taken, else the exit status. */
static int e2i_option(const char *cmd, int c, const char *arg, e2i_args_t *a)
{
    switch (c) {
    case OPT_VERSION:
        if (strcmp(arg, "1") && strcmp(arg, "3")) {
            return cli_usage_error(cmd, "--version '%s': use 1 (bootloader) or 3 (app)", arg);
        }
        a->version = arg[0] - '0';
        return 0;
    case OPT_FLASH_MODE:
        a->flash_mode = arg;
        return 0;
    case OPT_FLASH_FREQ:
        if (parse_freq(arg, &a->spi_speed) < 0) {
            return cli_usage_error(cmd, "--flash_freq '%s': use 40m, 26m, 20m or 80m", arg);
        }
        return 0;
    case OPT_FLASH_SIZE:
        a->flash_bytes = parse_flash_size(arg);
        if (!a->flash_bytes) {
            return cli_usage_error(cmd, "--flash_size '%s': use 1MB, 2MB, 4MB, 8MB or 16MB", arg);
        }
        return 0;
    case OPT_APP_OFFSET:
        /* App slots are sector aligned (reference §10.3). */
        if (!cli_parse_u32(arg, &a->app_offset) || (a->app_offset & 0xFFFu)) {
            return cli_usage_error(cmd, "--app-offset '%s': expected a multiple of 0x1000", arg);
        }
        a->app_offset_given = true;
        return 0;
    case OPT_PROJECT_NAME:
        a->project_name = arg;
        return check_desc_string(cmd, "--project-name", arg);
    case OPT_PROJECT_VERSION:
        a->project_version = arg;
        return check_desc_string(cmd, "--project-version", arg);
    case OPT_SDK_VERSION:
        a->sdk_version = arg;
        return check_desc_string(cmd, "--sdk-version", arg);
    case OPT_CHIP:
        if (strcmp(arg, "esp8266")) {
            return cli_usage_error(cmd, "--chip '%s': only esp8266 images are made here", arg);
        }
        return 0;
    case 'o':
        a->output = arg;
        return 0;
    default:
        return cli_usage_error(cmd, "unexpected option");
    }
}

/* Returns -1 to go on, else the exit status (0 after --help). */
static int e2i_parse(int argc, char **argv, e2i_args_t *a)
{
    static const struct option opts[] = {
        {"version", required_argument, 0, OPT_VERSION},
        {"flash_mode", required_argument, 0, OPT_FLASH_MODE},
        {"flash-mode", required_argument, 0, OPT_FLASH_MODE},
        {"flash_freq", required_argument, 0, OPT_FLASH_FREQ},
        {"flash-freq", required_argument, 0, OPT_FLASH_FREQ},
        {"flash_size", required_argument, 0, OPT_FLASH_SIZE},
        {"flash-size", required_argument, 0, OPT_FLASH_SIZE},
        {"app-offset", required_argument, 0, OPT_APP_OFFSET},
        {"app_offset", required_argument, 0, OPT_APP_OFFSET},
        {"project-name", required_argument, 0, OPT_PROJECT_NAME},
        {"project_name", required_argument, 0, OPT_PROJECT_NAME},
        {"project-version", required_argument, 0, OPT_PROJECT_VERSION},
        {"project_version", required_argument, 0, OPT_PROJECT_VERSION},
        {"sdk-version", required_argument, 0, OPT_SDK_VERSION},
        {"sdk_version", required_argument, 0, OPT_SDK_VERSION},
        {"chip", required_argument, 0, OPT_CHIP},
        {"output", required_argument, 0, 'o'},
        {"help", no_argument, 0, OPT_HELP},
        {0, 0, 0, 0},
    };
    const char *cmd = argv[0];
    *a = (e2i_args_t){
        .version = 3, .flash_mode = "qio", .flash_bytes = 1024u * 1024u, .app_offset = 0x10000u};
    optind = 0; /* GNU: a full reset, so that in-process callers can run commands again */
    opterr = 0;
    int c;
    while ((c = getopt_long(argc, argv, ":o:h", opts, NULL)) != -1) {
        if (c == OPT_HELP || c == 'h') {
            fputs(s_elf2image_help, stdout);
            return 0;
        }
        if (c == ':') {
            return cli_usage_error(cmd, "option '%s' needs a value", argv[optind - 1]);
        }
        if (c == '?') {
            return cli_usage_error(cmd, "unknown or ambiguous option '%s' (--help lists them)",
                                   argv[optind - 1]);
        }
        int rc = e2i_option(cmd, c, optarg, a);
        if (rc) {
            return rc;
        }
    }
    if (argc - optind != 1) {
        return cli_usage_error(cmd, "expected one input ELF file, got %d (--help for usage)",
                               argc - optind);
    }
    a->input = argv[optind];
    if (!a->output) {
        return cli_usage_error(cmd, "-o OUT is required");
    }
    uint8_t mode;
    if (parse_mode(a->flash_mode, a->version, &mode) < 0) {
        return cli_usage_error(cmd, "--flash_mode '%s': use qio, qout, dio or dout", a->flash_mode);
    }
    if (a->version == 1 &&
        (a->app_offset_given || a->project_name || a->project_version || a->sdk_version)) {
        return cli_usage_error(cmd, "--app-offset and the descriptor options apply to "
                                    "--version 3 app images only");
    }
    return -1;
}

/* ---- the app descriptor -------------------------------------------------- */

/* The field NUL-padded, keeping its last byte a NUL (values were length-checked). */
static void set_field(char *field, size_t size, const char *value)
{
    size_t n = strlen(value);
    if (n > size - 1) {
        n = size - 1;
    }
    memset(field, 0, size);
    memcpy(field, value, n);
}

/* __TIME__ and __DATE__ as the compiler would write them; SOURCE_DATE_EPOCH
 * (reproducible builds) pins them, in UTC. */
static void set_build_time(esp_app_desc_t *d)
{
    static const char *const months[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                         "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
    time_t now = time(NULL);
    struct tm tm;
    const char *epoch = getenv("SOURCE_DATE_EPOCH");
    uint32_t pinned;
    if (epoch && cli_parse_u32(epoch, &pinned)) {
        now = (time_t)pinned;
        gmtime_r(&now, &tm);
    } else {
        localtime_r(&now, &tm);
    }
    char buf[32];
    snprintf(buf, sizeof buf, "%02d:%02d:%02d", tm.tm_hour, tm.tm_min, tm.tm_sec);
    set_field(d->time, sizeof d->time, buf);
    snprintf(buf, sizeof buf, "%s %2d %04d", months[tm.tm_mon % 12], tm.tm_mday, tm.tm_year + 1900);
    set_field(d->date, sizeof d->date, buf);
}

/* The ELF's file name without directory and ".elf", as the SDK names projects. */
static void default_project_name(const char *path, char *out, size_t size)
{
    const char *base = strrchr(path, '/');
    base = base ? base + 1 : path;
    size_t len = strlen(base);
    if (len > 4 && !strcmp(base + len - 4, ".elf")) {
        len -= 4;
    }
    if (len > size - 1) {
        len = size - 1;
    }
    memcpy(out, base, len);
    out[len] = '\0';
}

/* The descriptor the app compiled in, when its .rodata_desc carries one. */
static bool desc_from_elf(const char *cmd, const elf_file_t *elf, esp_app_desc_t *d)
{
    uint64_t off, size;
    if (!elf_find_section(elf, RODATA_DESC_SECTION, &off, &size)) {
        return false;
    }
    if (size < ESP_APP_DESC_SIZE || bs_app_desc_decode(elf->data + off, d) != ESP_OK) {
        fprintf(stderr,
                "ota8266 %s: warning: %s has no app descriptor (%llu bytes, magic "
                "0xABCD5432 expected first); building one from the options\n",
                cmd, RODATA_DESC_SECTION, (unsigned long long)size);
        return false;
    }
    return true;
}

static void build_desc(const char *cmd, const e2i_args_t *a, const elf_file_t *elf,
                       uint8_t raw[ESP_APP_DESC_SIZE])
{
    esp_app_desc_t d;
    if (!desc_from_elf(cmd, elf, &d)) {
        memset(&d, 0, sizeof d);
        d.magic_word = ESP_APP_DESC_MAGIC_WORD;
        char name[sizeof d.project_name];
        default_project_name(a->input, name, sizeof name);
        set_field(d.project_name, sizeof d.project_name, name);
        set_field(d.version, sizeof d.version, "1");
        set_field(d.idf_ver, sizeof d.idf_ver, OTA8266_IDF_VER);
        set_build_time(&d);
    }
    if (a->project_name) {
        set_field(d.project_name, sizeof d.project_name, a->project_name);
    }
    if (a->project_version) {
        set_field(d.version, sizeof d.version, a->project_version);
    }
    if (a->sdk_version) {
        set_field(d.idf_ver, sizeof d.idf_ver, a->sdk_version);
    }
    /* The SDK leaves this zero; ours names the very program the image runs. */
    bs_sha256(elf->data, (uint32_t)elf->size, d.app_elf_sha256);
    bs_app_desc_encode(&d, raw);
}

/* ---- writing ------------------------------------------------------------ */

/* Writes through a temporary file and a rename, so that a failed run never
 * leaves a half-written image where the build expects a good one. */
static int write_output(const char *cmd, const char *path, const uint8_t *data, uint32_t len)
{
    size_t plen = strlen(path);
    char *tmp = malloc(plen + 8);
    if (!tmp) {
        return cli_fail(cmd, "out of memory");
    }
    memcpy(tmp, path, plen);
    memcpy(tmp + plen, ".XXXXXX", 8);
    int fd = mkstemp(tmp);
    if (fd < 0) {
        int rc = cli_fail(cmd, "cannot create %s: %s", tmp, strerror(errno));
        free(tmp);
        return rc;
    }
    bool ok = fchmod(fd, 0644) == 0;
    for (uint32_t done = 0; ok && done < len;) {
        ssize_t n = write(fd, data + done, len - done);
        ok = n > 0;
        done += ok ? (uint32_t)n : 0u;
    }
    int err = errno;
    ok = (close(fd) == 0) && ok;
    if (ok && rename(tmp, path) != 0) {
        err = errno;
        ok = false;
    }
    if (!ok) {
        unlink(tmp);
        free(tmp);
        return cli_fail(cmd, "cannot write %s: %s", path, strerror(err));
    }
    free(tmp);
    return 0;
}

/* ---- elf2image ---------------------------------------------------------- */

/* Fills the segments and entry of the image; 0 or the exit status. */
static int layout_app(const char *cmd, const e2i_args_t *a, const elf_file_t *elf,
                      uint64_t entry_off, const uint8_t *desc, image_writer_segment_t seg[2],
                      uint32_t *entry)
{
    uint32_t in_window = a->app_offset & (ESP_IMAGE_IROM_WINDOW - 1u);
    uint32_t desc_addr = ESP_IMAGE_IROM_BASE + in_window + FLASH_TEXT_OFFSET;
    /* The descriptor goes first (ESP-IDF's order, not the SDK's text-first one):
     * then a download can be judged from its first 280 bytes, before anything
     * is erased. The core finds it by its magic either way. */
    uint32_t text_addr = desc_addr + ESP_APP_DESC_SIZE + ESP_IMAGE_SEGMENT_HEADER_LEN;
    uint32_t window_end = ESP_IMAGE_IROM_BASE + ESP_IMAGE_IROM_WINDOW;
    /* The XIP mapping puts file offset X of the slot at IROM_BASE + in_window + X,
     * so the entry's ELF offset must also fall inside the window (bs_image
     * rejects it otherwise). */
    if (entry_off >= window_end - text_addr) {
        return cli_fail(cmd,
                        "%s: entry point at ELF offset 0x%llx maps to 0x%llx, past the end "
                        "of the 1 MB flash window (0x%08x) of app offset 0x%x",
                        a->input, (unsigned long long)entry_off,
                        (unsigned long long)(text_addr + entry_off), (unsigned)window_end,
                        (unsigned)a->app_offset);
    }
    *entry = text_addr + (uint32_t)entry_off;
    seg[0] = (image_writer_segment_t){desc_addr, desc, ESP_APP_DESC_SIZE};
    seg[1] = (image_writer_segment_t){text_addr, elf->data, (uint32_t)elf->size};
    return 0;
}

/* A real ESP8266 program (Xtensa ELF) takes esptool's path; -1 for a host ELF. */
static int xtensa_elf2image(const char *cmd, const e2i_args_t *a)
{
    FILE *f = fopen(a->input, "rb");
    if (!f) {
        return -1; /* elf_load reports it */
    }
    uint8_t *buf = malloc(MAX_ELF_LEN);
    size_t size = buf ? fread(buf, 1, MAX_ELF_LEN, f) : 0;
    fclose(f);
    int rc = -1;
    if (buf && e2i_xtensa_is_elf(buf, size)) {
        static const char *const modes[] = {"qio", "qout", "dio", "dout"};
        e2i_xtensa_args_t x = {a->version, 0, a->spi_speed, a->flash_bytes, a->output};
        for (uint8_t i = 0; i < 4; i++) {
            if (!strcmp(a->flash_mode, modes[i])) {
                x.spi_mode = i;
            }
        }
        rc = e2i_xtensa(cmd, a->input, buf, size, &x);
    }
    free(buf);
    return rc;
}

int cmd_elf2image(int argc, char **argv)
{
    const char *cmd = argv[0];
    e2i_args_t a;
    int rc = e2i_parse(argc, argv, &a);
    if (rc >= 0) {
        return rc;
    }
    rc = xtensa_elf2image(cmd, &a);
    if (rc >= 0) {
        return rc;
    }
    rc = 0;
    elf_file_t elf;
    char err[256];
    if (!elf_load(a.input, &elf, err, sizeof err)) {
        return cli_fail(cmd, "%s: %s", a.input, err);
    }
    uint64_t entry_off = 0;
    if (elf.size > MAX_ELF_LEN) {
        rc = cli_fail(cmd, "%s is %zu bytes, more than a 16 MB flash holds", a.input, elf.size);
    } else if (!elf_entry_file_offset(&elf, &entry_off, err, sizeof err)) {
        rc = cli_fail(cmd, "%s: %s", a.input, err);
    }
    uint8_t mode = 0;
    (void)parse_mode(a.flash_mode, a.version, &mode); /* checked in e2i_parse */
    bs_image_kind_t kind = (a.version == 3) ? BS_IMAGE_V3 : BS_IMAGE_V1;
    image_writer_segment_t seg[2];
    uint8_t desc[ESP_APP_DESC_SIZE];
    image_writer_spec_t spec = {
        .spi_mode = mode,
        .spi_speed = a.spi_speed,
        .spi_size = (uint8_t)bs_image_flash_size_code(kind, a.flash_bytes),
        .segments = seg,
        .segment_count = (kind == BS_IMAGE_V3) ? 2u : 1u,
        .append_hash = (kind == BS_IMAGE_V3),
    };
    if (rc == 0 && kind == BS_IMAGE_V3) {
        build_desc(cmd, &a, &elf, desc);
        rc = layout_app(cmd, &a, &elf, entry_off, desc, seg, &spec.entry);
    } else if (rc == 0) {
        seg[0] = (image_writer_segment_t){IRAM_BASE, elf.data, (uint32_t)elf.size};
        spec.entry = IRAM_BASE + (uint32_t)entry_off;
    }
    uint8_t *img = NULL;
    uint32_t img_len = 0;
    if (rc == 0 && !image_writer_build(&spec, &img, &img_len)) {
        rc = cli_fail(cmd, "cannot lay out the image (out of memory)");
    }
    uint32_t in_window = a.app_offset & (ESP_IMAGE_IROM_WINDOW - 1u);
    if (rc == 0 && kind == BS_IMAGE_V3 && img_len > ESP_IMAGE_IROM_WINDOW - in_window) {
        /* Still written: whether it fits is the slot's business, checked at flash time. */
        fprintf(stderr,
                "ota8266 %s: warning: the %u-byte image at app offset 0x%x runs past "
                "the end of its 1 MB flash window; no slot there can hold it\n",
                cmd, (unsigned)img_len, (unsigned)a.app_offset);
    }
    if (rc == 0) {
        rc = write_output(cmd, a.output, img, img_len);
    }
    if (rc == 0) {
        printf("%s: %s image, %u segment%s, %u bytes, entry 0x%08x\n", a.output,
               kind == BS_IMAGE_V3 ? "V3 app" : "v1 bootloader", spec.segment_count,
               spec.segment_count == 1 ? "" : "s", (unsigned)img_len, (unsigned)spec.entry);
    }
    free(img);
    elf_free(&elf);
    return rc;
}

/* ---- image_info ----------------------------------------------------------- */

static const char s_image_info_help[] =
    "usage: ota8266 image_info FILE\n\n"
    "Prints an ESP8266 image as esptool's image_info does: header, segments, flash\n"
    "settings, checksum, and for a V3 app image (one followed by exactly its 32-byte\n"
    "SHA-256) the hash and the app descriptor. Works on esptool's images too.\n"
    "Exit status 1 when the image is corrupt (the reason is printed), 2 for bad arguments.\n";

int cmd_image_info(int argc, char **argv)
{
    static const struct option opts[] = {
        {"chip", required_argument, 0, OPT_CHIP},
        {"help", no_argument, 0, OPT_HELP},
        {0, 0, 0, 0},
    };
    const char *cmd = argv[0];
    optind = 0;
    opterr = 0;
    int c;
    while ((c = getopt_long(argc, argv, ":h", opts, NULL)) != -1) {
        if (c == OPT_HELP || c == 'h') {
            fputs(s_image_info_help, stdout);
            return 0;
        }
        if (c == ':') {
            return cli_usage_error(cmd, "option '%s' needs a value", argv[optind - 1]);
        }
        if (c == '?') {
            return cli_usage_error(cmd, "unknown option '%s' (--help for usage)", argv[optind - 1]);
        }
        if (c == OPT_CHIP && strcmp(optarg, "esp8266")) {
            return cli_usage_error(cmd, "--chip '%s': only esp8266 images are read here", optarg);
        }
    }
    if (argc - optind != 1) {
        return cli_usage_error(cmd, "expected one image file, got %d (--help for usage)",
                               argc - optind);
    }
    return image_info_print_file(cmd, argv[optind]);
}
