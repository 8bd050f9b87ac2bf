/*
 * image_info (image_info.h). Every byte is judged by the core's stream
 * parser; this file only decides which kind of image to ask it about and
 * prints what it found, in the layout of esptool's image_info (reference
 * §3.9) plus the flash settings, the hash and the app descriptor.
 */
#include "image_info.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bs_image.h"
#include "cli.h"

#define MAX_IMAGE_FILE (16u * 1024u * 1024u) /* the largest ESP8266 flash */

/* The core's first error message, for the one-line report. */
typedef struct {
    char msg[256];
    bool have;
} first_error_t;

typedef struct {
    esp_err_t err;
    uint32_t consumed;
    first_error_t log;
    bs_image_info_t info;
} parse_result_t;

static void keep_first_error(void *ctx, esp_log_level_t level, const char *tag, const char *fmt,
                             va_list ap)
{
    (void)tag;
    first_error_t *e = ctx;
    if (level != ESP_LOG_ERROR || e->have) {
        return;
    }
    vsnprintf(e->msg, sizeof e->msg, fmt, ap);
    e->have = true;
}

/* One run of the core's parser over the whole file. No slot limits: a file
 * has no partition, and truncation is reported where it happens. */
static void parse(const uint8_t *data, uint32_t len, bs_image_kind_t kind, bs_hash_mode_t hash,
                  parse_result_t *r)
{
    memset(r, 0, sizeof *r);
    bs_hal_t hal = {.log = keep_first_error, .log_ctx = &r->log};
    const bs_image_opts_t opts = {
        .kind = kind,
        .hash = hash,
        .start_addr = 0,
        .max_len = UINT32_MAX,
        .total_len = len,
        .check_entry = false,
        .log_segments = false,
    };
    bs_image_stream_t *s = malloc(sizeof *s);
    if (!s) {
        r->err = ESP_ERR_NO_MEM;
        snprintf(r->log.msg, sizeof r->log.msg, "out of memory");
        return;
    }
    bs_image_stream_init(s, &hal, &opts);
    (void)bs_image_stream_feed(s, data, len, &r->consumed); /* finish gives the verdict */
    r->err = bs_image_stream_finish(s, &r->info);
    free(s);
}

static bool read_whole(const char *cmd, const char *path, uint8_t **data, uint32_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        cli_fail(cmd, "cannot open %s: %s", path, strerror(errno));
        return false;
    }
    long size = (fseek(f, 0, SEEK_END) == 0) ? ftell(f) : -1;
    if (size < 0 || fseek(f, 0, SEEK_SET) != 0) {
        cli_fail(cmd, "cannot read %s: %s", path, strerror(errno));
        fclose(f);
        return false;
    }
    if (size == 0 || (unsigned long)size > MAX_IMAGE_FILE) {
        cli_fail(cmd, "%s is %ld bytes: %s", path, size,
                 size ? "more than a 16 MB flash holds" : "empty, not an image");
        fclose(f);
        return false;
    }
    *data = malloc((size_t)size);
    if (!*data || fread(*data, 1, (size_t)size, f) != (size_t)size) {
        cli_fail(cmd, "cannot read %s", path);
        free(*data);
        fclose(f);
        return false;
    }
    fclose(f);
    *len = (uint32_t)size;
    return true;
}

/* esptool's ESP8266 memory map names, with IROM as the whole cache window. */
static const char *memory_type(uint32_t addr)
{
    if (addr >= 0x3FF00000u && addr < 0x3FF00010u) {
        return "DPORT";
    }
    if (addr >= 0x3FFE8000u && addr < 0x40000000u) {
        return "DRAM";
    }
    if (addr >= 0x40100000u && addr < 0x40108000u) {
        return "IRAM";
    }
    return bs_image_addr_is_flash(addr) ? "IROM" : "";
}

static void print_hex(const uint8_t *p, unsigned n)
{
    for (unsigned i = 0; i < n; i++) {
        printf("%02x", p[i]);
    }
}

static void print_flash_settings(const esp_image_header_t *h, bs_image_kind_t kind)
{
    const char *mode = bs_image_spi_mode_name(h->spi_mode);
    const char *speed = bs_image_spi_speed_name(h->spi_speed);
    uint32_t size = bs_image_flash_size_bytes(kind, h->spi_size);
    if (mode) {
        printf("Flash mode: %s\n", mode);
    } else {
        printf("Flash mode: unknown (0x%02x)\n", h->spi_mode);
    }
    if (speed) {
        printf("Flash freq: %s\n", speed);
    } else {
        printf("Flash freq: unknown (0x%x)\n", h->spi_speed);
    }
    if (size >= 1024u * 1024u) {
        printf("Flash size: %uMB\n", (unsigned)(size >> 20));
    } else if (size) {
        printf("Flash size: %uKB\n", (unsigned)(size >> 10));
    } else {
        /* The two kinds code sizes differently (reference §3.2). */
        printf("Flash size: unknown (0x%x in %s codes)\n", h->spi_size,
               kind == BS_IMAGE_V3 ? "V3 (ESP32)" : "v1 (ESP8266 ROM)");
    }
}

static void print_desc(const esp_app_desc_t *d)
{
    /* Full-width fields carry no NUL: print at most the field. */
    printf("Project name: %.*s\n", (int)sizeof d->project_name, d->project_name);
    printf("App version: %.*s\n", (int)sizeof d->version, d->version);
    printf("Compile time: %.*s %.*s\n", (int)sizeof d->date, d->date, (int)sizeof d->time, d->time);
    printf("SDK version: %.*s\n", (int)sizeof d->idf_ver, d->idf_ver);
    printf("ELF file SHA256: ");
    print_hex(d->app_elf_sha256, sizeof d->app_elf_sha256);
    printf("\n");
}

static void print_info(const parse_result_t *r, bs_image_kind_t kind)
{
    const bs_image_info_t *in = &r->info;
    const esp_image_header_t *h = &in->header;
    printf("Image version: %d\n", kind == BS_IMAGE_V3 ? 3 : 1);
    if (h->entry_addr) {
        printf("Entry point: %08x\n", (unsigned)h->entry_addr);
    } else {
        printf("Entry point not set\n");
    }
    printf("%u segments\n", (unsigned)h->segment_count);
    for (unsigned i = 0; i < h->segment_count; i++) {
        /* esptool numbers segments from 1 and gives the header's offset. */
        printf("Segment %u: len 0x%05x load 0x%08x file_offs 0x%08x [%s]\n", i + 1,
               (unsigned)in->segments[i].data_len, (unsigned)in->segments[i].load_addr,
               (unsigned)(in->segment_data_offset[i] - ESP_IMAGE_SEGMENT_HEADER_LEN),
               memory_type(in->segments[i].load_addr));
    }
    print_flash_settings(h, kind);
    bool sum_ok = in->checksum_read == in->checksum_calc;
    if (sum_ok) {
        printf("Checksum: %02x (valid)\n", in->checksum_read);
    } else {
        printf("Checksum: %02x (invalid - calculated %02x)\n", in->checksum_read,
               in->checksum_calc);
    }
    if (kind == BS_IMAGE_V3) {
        if (in->hash_present) {
            printf("Validation Hash: ");
            print_hex(in->hash_calc, BS_SHA256_LEN);
            printf(" (%s)\n",
                   memcmp(in->hash_calc, in->hash_read, BS_SHA256_LEN) ? "invalid" : "valid");
        } else {
            /* The parser stops at a bad checksum: the stored hash is never compared. */
            printf("Validation Hash: ");
            print_hex(in->hash_calc, BS_SHA256_LEN);
            printf(" (not checked: the checksum failed first)\n");
        }
        if (in->has_desc) {
            print_desc(&in->desc);
        } else {
            printf("App descriptor: none (no flash segment starts with 0xABCD5432)\n");
        }
    }
}

static int report(const char *cmd, const char *path, const parse_result_t *r)
{
    return cli_fail(cmd, "%s: %s (0x%x %s)", path, r->log.have ? r->log.msg : "invalid image",
                    (unsigned)r->err, esp_err_to_name(r->err));
}

int image_info_print_file(const char *cmd, const char *path)
{
    uint8_t *data = NULL;
    uint32_t len = 0;
    if (!read_whole(cmd, path, &data, &len)) {
        return 1;
    }
    /* First pass, hash ignored: where the image ends. A V3 app is followed by
     * exactly its 32-byte SHA-256; nothing in the header says so (§3.5). */
    parse_result_t *r = malloc(sizeof *r);
    if (!r) {
        free(data);
        return cli_fail(cmd, "out of memory");
    }
    parse(data, len, BS_IMAGE_V3, BS_HASH_NONE, r);
    int rc = 0;
    if (r->info.image_len == 0) {
        rc = report(cmd, path, r); /* failed before the checksum: nothing sure to print */
    } else {
        bool v3 = r->info.image_len <= len && len - r->info.image_len == ESP_IMAGE_HASH_LEN;
        bs_image_kind_t kind = v3 ? BS_IMAGE_V3 : BS_IMAGE_V1;
        parse(data, len, kind, v3 ? BS_HASH_IF_PRESENT : BS_HASH_NONE, r);
        print_info(r, kind);
        fflush(stdout);
        if (r->err == ESP_OK && r->consumed < len) {
            fprintf(stderr,
                    "ota8266 %s: warning: %s: %u bytes after the image end (0x%x) are "
                    "not part of it\n",
                    cmd, path, (unsigned)(len - r->consumed), (unsigned)r->consumed);
        }
        if (r->err != ESP_OK) {
            rc = report(cmd, path, r);
        }
    }
    free(r);
    free(data);
    return rc;
}
