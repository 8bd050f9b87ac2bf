#pragma once
/* Shared by the partition_table command tests: temp files, the reference's
 * two-OTA vector (§1.5), and an independent packer of expected rows (§1.1). */
#include <stdbool.h>

#include "tool_test_util.h"

#define TABLE_LEN 0xC00

static char s_dir[64]; /* one temp folder per test */

/* Reference §1.5: partitions_two_ota.csv with --disable-md5sum, first 0xA0 bytes. */
static const uint8_t TWO_OTA_VECTOR[0xA0] = {
    /* clang-format off: one line per 16 bytes, as the reference dumps them */
    0xaa, 0x50, 0x01, 0x02, 0x00, 0x90, 0x00, 0x00, 0x00, 0x40, 0x00, 0x00, 0x6e, 0x76, 0x73, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0xaa, 0x50, 0x01, 0x00, 0x00, 0xd0, 0x00, 0x00, 0x00, 0x20, 0x00, 0x00, 0x6f, 0x74, 0x61, 0x64,
    0x61, 0x74, 0x61, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0xaa, 0x50, 0x01, 0x01, 0x00, 0xf0, 0x00, 0x00, 0x00, 0x10, 0x00, 0x00, 0x70, 0x68, 0x79, 0x5f,
    0x69, 0x6e, 0x69, 0x74, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0xaa, 0x50, 0x00, 0x10, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x0f, 0x00, 0x6f, 0x74, 0x61, 0x5f,
    0x30, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0xaa, 0x50, 0x00, 0x11, 0x00, 0x00, 0x11, 0x00, 0x00, 0x00, 0x0f, 0x00, 0x6f, 0x74, 0x61, 0x5f,
    0x31, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    /* clang-format on */
};

/* Reference §1.5: MD5 of those 0xA0 bytes, the MD5 row's digest. */
static const uint8_t TWO_OTA_MD5[16] = {0x0a, 0x6b, 0xfa, 0x01, 0xf8, 0x08, 0x32, 0x0d,
                                        0x53, 0x9d, 0x67, 0xae, 0x2a, 0x3c, 0x1a, 0x9c};

static const char TWO_OTA_CSV_OUT[] = "# Espressif ESP32 Partition Table\n"
                                      "# Name, Type, SubType, Offset, Size, Flags\n"
                                      "nvs,data,nvs,0x9000,16K,\n"
                                      "otadata,data,ota,0xd000,8K,\n"
                                      "phy_init,data,phy,0xf000,4K,\n"
                                      "ota_0,app,ota_0,0x10000,960K,\n"
                                      "ota_1,app,ota_1,0x110000,960K,\n";

static inline int setup(void **state)
{
    (void)state;
    temp_dir(s_dir, sizeof s_dir);
    return 0;
}

static inline int teardown(void **state)
{
    (void)state;
    remove_dir(s_dir);
    return 0;
}

static inline const char *tmp(const char *name)
{
    static char paths[4][128];
    static int next;
    char *p = paths[next++ & 3];
    path_in(p, sizeof paths[0], s_dir, name);
    return p;
}

static inline const char *shipped(const char *name)
{
    static char path[256];
    snprintf(path, sizeof path, "%s/components/partition_table/%s", OTA8266_SOURCE_DIR, name);
    return path;
}

static inline const char *csv_file(const char *text)
{
    const char *path = tmp("in.csv");
    write_file(path, text, strlen(text));
    return path;
}

static inline void read_all(const char *path, uint8_t *buf, long want)
{
    assert_int_equal(file_size(path), want);
    read_at(path, 0, buf, (size_t)want);
}

static inline void expect_two_ota_rows(const uint8_t *bin)
{
    assert_memory_equal(bin, TWO_OTA_VECTOR, sizeof TWO_OTA_VECTOR);
}

static inline void expect_ff(const uint8_t *p, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (p[i] != 0xFF) {
            fail_msg("byte %zu is 0x%02x, want 0xff", i, p[i]);
        }
    }
}

/* An expected row, packed as reference §1.1 lays it out (independent of the core). */
typedef struct {
    const char *name;
    uint8_t type, subtype;
    uint32_t offset, size, flags;
} prow_t;

static inline void put32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
    p[2] = (uint8_t)(v >> 16);
    p[3] = (uint8_t)(v >> 24);
}

static inline void pack_rows(const prow_t *rows, size_t n, uint8_t out[TABLE_LEN])
{
    memset(out, 0xFF, TABLE_LEN);
    for (size_t i = 0; i < n; i++) {
        uint8_t *r = out + 32 * i;
        r[0] = 0xAA;
        r[1] = 0x50;
        r[2] = rows[i].type;
        r[3] = rows[i].subtype;
        put32(r + 4, rows[i].offset);
        put32(r + 8, rows[i].size);
        memset(r + 12, 0, 16);
        memcpy(r + 12, rows[i].name, strlen(rows[i].name));
        put32(r + 28, rows[i].flags);
    }
}

static inline const char *bin_file(const uint8_t *rows, size_t n, const uint8_t *tail,
                                   size_t tail_len)
{
    static uint8_t buf[TABLE_LEN + 64];
    assert_true(n + tail_len <= sizeof buf);
    memcpy(buf, rows, n);
    if (tail_len > 0) {
        memcpy(buf + n, tail, tail_len);
    }
    const char *path = tmp("in.bin");
    write_file(path, buf, n + tail_len);
    return path;
}
