/* Binary partition table <-> rows, through the core's row codec; MD5 row via mbedTLS. */
#include "part_bin.h"

#include <mbedtls/md5.h>
#include <stdlib.h>
#include <string.h>

#include "bs_partition.h"
#include "part_text.h"

/* MD5 row (reference §1.1): EB EB, 14 x FF, then the digest of every row
 * before it. The core skips these rows without reading them, so the tool,
 * their only writer and checker, owns this layout. */
#define MD5_ROW_DIGEST_AT 16
#define MD5_LEN 16

static void md5_of(const uint8_t *data, size_t len, uint8_t digest[MD5_LEN])
{
    mbedtls_md5_context ctx;
    mbedtls_md5_init(&ctx);
    /* the _ret calls only fail on hardware-accelerated ports; the software MD5 cannot */
    (void)mbedtls_md5_starts_ret(&ctx);
    (void)mbedtls_md5_update_ret(&ctx, data, len);
    (void)mbedtls_md5_finish_ret(&ctx, digest);
    mbedtls_md5_free(&ctx);
}

static void hex_bytes(const uint8_t *b, size_t n, char *out)
{
    static const char digits[] = "0123456789abcdef";
    for (size_t i = 0; i < n; i++) {
        out[2 * i] = digits[b[i] >> 4];
        out[2 * i + 1] = digits[b[i] & 0xF];
    }
    out[2 * n] = '\0';
}

/* struct.pack("<2sBBLL16sL") raises on out-of-range values; say which one. */
static int check_packable(const part_row_t *r, part_err_t *e)
{
    static const char *const what[] = {"type", "subtype", "offset", "size"};
    static const int64_t max[] = {0xFF, 0xFF, 0xFFFFFFFF, 0xFFFFFFFF};
    const int64_t v[] = {r->type, r->subtype, r->offset, r->size};
    for (size_t i = 0; i < sizeof v / sizeof v[0]; i++) {
        if (v[i] < 0 || v[i] > max[i]) {
            char h1[20], h2[20];
            return part_err_set(e, PART_EXIT_FAIL,
                                "Partition %s cannot be written: %s 0x%s is outside 0x0-0x%s",
                                r->name, what[i], part_hex(v[i], h1), part_hex(max[i], h2));
        }
    }
    return 0;
}

int part_table_to_binary(const part_table_t *t, bool md5sum,
                         uint8_t out[ESP_PARTITION_TABLE_MAX_LEN], part_err_t *e)
{
    for (size_t i = 0; i < t->count; i++) {
        if (check_packable(&t->rows[i], e)) {
            return e->status;
        }
    }
    size_t len = (t->count + (md5sum ? 1 : 0)) * ESP_PARTITION_ENTRY_SIZE;
    /* ">=": the 0xC00 bytes must keep room for the all-0xFF end row */
    if (len >= ESP_PARTITION_TABLE_MAX_LEN) {
        return part_err_set(e, PART_EXIT_INPUT,
                            "Binary partition table length (%zu) longer than max", len);
    }
    memset(out, 0xFF, ESP_PARTITION_TABLE_MAX_LEN);
    for (size_t i = 0; i < t->count; i++) {
        const part_row_t *r = &t->rows[i];
        esp_partition_info_t info = {
            .magic = ESP_PARTITION_MAGIC,
            .type = (uint8_t)r->type,
            .subtype = (uint8_t)r->subtype,
            .offset = (uint32_t)r->offset,
            .size = (uint32_t)r->size,
            .flags = r->encrypted ? PART_FLAG_ENCRYPTED : 0,
        };
        /* "16s" keeps the first 16 bytes of the UTF-8 name, even mid-character */
        strncpy(info.label, r->name, ESP_PARTITION_LABEL_LEN);
        info.label[ESP_PARTITION_LABEL_LEN] = '\0';
        bs_partition_row_encode(&info, out + i * ESP_PARTITION_ENTRY_SIZE);
    }
    if (md5sum) {
        uint8_t *row = out + t->count * ESP_PARTITION_ENTRY_SIZE;
        row[0] = ESP_PARTITION_MAGIC_MD5 & 0xFF;
        row[1] = ESP_PARTITION_MAGIC_MD5 >> 8;
        md5_of(out, t->count * ESP_PARTITION_ENTRY_SIZE, row + MD5_ROW_DIGEST_AT);
    }
    return 0;
}

/* The script's end test is all 32 bytes 0xFF, stricter than the core's END kind. */
static bool is_all_ff(bs_row_kind_t kind, const esp_partition_info_t *info)
{
    if (kind != BS_ROW_END || info->offset != 0xFFFFFFFF || info->size != 0xFFFFFFFF ||
        info->flags != 0xFFFFFFFF) {
        return false;
    }
    for (int i = 0; i < ESP_PARTITION_LABEL_LEN; i++) {
        if ((uint8_t)info->label[i] != 0xFF) {
            return false;
        }
    }
    return true;
}

/* Python's repr() of the two magic bytes, e.g. b'\xeb\xeb' or b"'P". */
static void bytes_repr(const uint8_t b[2], char *out)
{
    bool dq = (b[0] == '\'' || b[1] == '\'') && b[0] != '"' && b[1] != '"';
    char q = dq ? '"' : '\'';
    char *p = out;
    *p++ = 'b';
    *p++ = q;
    for (int i = 0; i < 2; i++) {
        uint8_t c = b[i];
        if (c == q || c == '\\') {
            p += sprintf(p, "\\%c", c);
        } else if (c == '\t' || c == '\n' || c == '\r') {
            p += sprintf(p, "\\%c", c == '\t' ? 't' : c == '\n' ? 'n' : 'r');
        } else if (c < 0x20 || c >= 0x7F) {
            p += sprintf(p, "\\x%02x", c);
        } else {
            *p++ = (char)c;
        }
    }
    *p++ = q;
    *p = '\0';
}

/* Checks an 0xEBEB row against the digest of the rows so far (ctx is left as it was). */
static int check_md5_row(const mbedtls_md5_context *ctx, const uint8_t *raw, part_err_t *e)
{
    mbedtls_md5_context copy;
    uint8_t digest[MD5_LEN];
    mbedtls_md5_init(&copy);
    mbedtls_md5_clone(&copy, ctx);
    (void)mbedtls_md5_finish_ret(&copy, digest);
    mbedtls_md5_free(&copy);
    if (!memcmp(raw + MD5_ROW_DIGEST_AT, digest, MD5_LEN)) {
        return 0;
    }
    char computed[2 * MD5_LEN + 1], parsed[2 * MD5_LEN + 1];
    hex_bytes(digest, MD5_LEN, computed);
    hex_bytes(raw + MD5_ROW_DIGEST_AT, MD5_LEN, parsed);
    /* Under Python 3 the script formats hexlify()'s bytes with %s, hence b'...' */
    return part_err_set(e, PART_EXIT_INPUT,
                        "MD5 checksums don't match! (computed: 0x%s, parsed: 0xb'%s')", computed,
                        parsed);
}

/* One partition row, checked in the script's order: name decoding, magic, flags. */
static int take_row(size_t at, bs_row_kind_t kind, const esp_partition_info_t *info, FILE *warn,
                    part_table_t *t, part_err_t *e)
{
    if (!part_utf8_valid(info->label, strlen(info->label))) {
        /* the script dies on this with a UnicodeDecodeError */
        return part_err_set(e, PART_EXIT_FAIL, "Partition name in the row at 0x%zx is not UTF-8",
                            at);
    }
    if (kind != BS_ROW_PARTITION) {
        uint8_t magic[2] = {info->magic & 0xFF, info->magic >> 8};
        char repr[16];
        bytes_repr(magic, repr);
        return part_err_set(e, PART_EXIT_INPUT, "Invalid magic bytes (%s) for partition definition",
                            repr);
    }
    uint32_t unknown = info->flags & ~(uint32_t)PART_FLAG_ENCRYPTED;
    if (unknown) {
        fprintf(warn,
                "WARNING: Partition definition had unknown flag(s) 0x%08x. Newer binary "
                "format?\n",
                unknown);
    }
    part_row_t row = {
        .name = strdup(info->label),
        .type = info->type,
        .subtype = info->subtype,
        .offset = info->offset,
        .size = info->size,
        .has_offset = true,
        .encrypted = (info->flags & PART_FLAG_ENCRYPTED) != 0,
    };
    if (!row.name || !part_table_push(t, &row)) {
        free(row.name);
        return part_err_set(e, PART_EXIT_FAIL, "out of memory");
    }
    return 0;
}

int part_table_from_binary(const uint8_t *bin, size_t len, bool md5sum, FILE *warn, part_table_t *t,
                           part_err_t *e)
{
    mbedtls_md5_context md5;
    mbedtls_md5_init(&md5);
    (void)mbedtls_md5_starts_ret(&md5);
    bool ended = false;
    for (size_t o = 0; o < len && !ended && !e->status; o += ESP_PARTITION_ENTRY_SIZE) {
        const uint8_t *raw = bin + o;
        if (len - o < ESP_PARTITION_ENTRY_SIZE) {
            part_err_set(e, PART_EXIT_INPUT,
                         "Partition table length must be a multiple of 32 bytes");
            break;
        }
        bs_row_kind_t kind = bs_partition_row_kind(raw);
        esp_partition_info_t info;
        bs_partition_row_decode(raw, &info);
        if (is_all_ff(kind, &info)) {
            ended = true;
        } else if (md5sum && kind == BS_ROW_MD5) {
            check_md5_row(&md5, raw, e);
        } else {
            (void)mbedtls_md5_update_ret(&md5, raw, ESP_PARTITION_ENTRY_SIZE);
            take_row(o, kind, &info, warn, t, e);
        }
    }
    mbedtls_md5_free(&md5);
    if (!e->status && !ended) {
        part_err_set(e, PART_EXIT_INPUT, "Partition table is missing an end-of-table marker");
    }
    return e->status;
}
