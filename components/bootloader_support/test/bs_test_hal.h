#pragma once
/*
 * Test-only: a RAM-backed bs_hal_t with NOR rules, operation counters, a
 * read-failure window and a write/erase failure countdown, plus a log hook
 * that keeps every line as "L TAG: message" for exact comparison.
 */
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bs_hal.h"

#define TLOG_MAX_LINES 256
#define TLOG_LINE_LEN 256
#define TFLASH_MAX_SECTORS 4096

typedef struct {
    int count;
    char lines[TLOG_MAX_LINES][TLOG_LINE_LEN];
} tlog_t;

typedef struct {
    uint8_t *mem;
    uint32_t size;
    bool strict; /* writing a 1 over a 0 is an error (NOR) */
    uint32_t reads, writes, erases;
    uint32_t bytes_read, bytes_written;
    uint32_t max_read_len;
    uint16_t sector_erases[TFLASH_MAX_SECTORS];
    /* Reads touching [fail_read_lo, fail_read_hi) fail. */
    uint32_t fail_read_lo, fail_read_hi;
    /* When > 0, counts down on each write/erase; the one reaching 0 fails. */
    int fail_op_countdown;
    tlog_t log;
} tflash_t;

static inline char tlog_letter(esp_log_level_t level)
{
    static const char letters[] = {'N', 'E', 'W', 'I', 'D', 'V'};
    return letters[level <= ESP_LOG_VERBOSE ? level : 0];
}

static inline void tlog_hook(void *ctx, esp_log_level_t level, const char *tag, const char *fmt,
                             va_list ap)
{
    tlog_t *log = ctx;
    if (log->count >= TLOG_MAX_LINES) {
        return;
    }
    char *line = log->lines[log->count++];
    int n = snprintf(line, TLOG_LINE_LEN, "%c %s: ", tlog_letter(level), tag);
    vsnprintf(line + n, (size_t)(TLOG_LINE_LEN - n), fmt, ap);
}

/* Index of the first line containing needle, or -1. */
static inline int tlog_find(const tlog_t *log, const char *needle)
{
    for (int i = 0; i < log->count; i++) {
        if (strstr(log->lines[i], needle)) {
            return i;
        }
    }
    return -1;
}

/* Number of lines at a level ('E', 'W', 'I', 'D'). */
static inline int tlog_count_level(const tlog_t *log, char letter)
{
    int n = 0;
    for (int i = 0; i < log->count; i++) {
        n += log->lines[i][0] == letter;
    }
    return n;
}

static inline void tlog_dump(const tlog_t *log)
{
    for (int i = 0; i < log->count; i++) {
        fprintf(stderr, "  log[%d] %s\n", i, log->lines[i]);
    }
}

static inline bool tflash_fail_op(tflash_t *f)
{
    if (f->fail_op_countdown > 0 && --f->fail_op_countdown == 0) {
        return true;
    }
    return false;
}

static inline esp_err_t tflash_read(void *ctx, uint32_t addr, void *dst, uint32_t len)
{
    tflash_t *f = ctx;
    if (addr > f->size || len > f->size - addr) {
        return ESP_ERR_INVALID_ARG; /* the wrappers must have caught this */
    }
    if (addr < f->fail_read_hi && addr + len > f->fail_read_lo) {
        return ESP_ERR_FLASH_OP_FAIL;
    }
    f->reads++;
    f->bytes_read += len;
    if (len > f->max_read_len) {
        f->max_read_len = len;
    }
    memcpy(dst, f->mem + addr, len);
    return ESP_OK;
}

static inline esp_err_t tflash_write(void *ctx, uint32_t addr, const void *src, uint32_t len)
{
    tflash_t *f = ctx;
    const uint8_t *s = src;
    if (addr > f->size || len > f->size - addr) {
        return ESP_ERR_INVALID_ARG;
    }
    if (tflash_fail_op(f)) {
        return ESP_ERR_FLASH_OP_FAIL;
    }
    for (uint32_t i = 0; i < len; i++) {
        if (f->strict && (s[i] & ~f->mem[addr + i]) != 0) {
            return ESP_ERR_INVALID_STATE;
        }
        f->mem[addr + i] &= s[i];
    }
    f->writes++;
    f->bytes_written += len;
    return ESP_OK;
}

static inline esp_err_t tflash_erase(void *ctx, uint32_t addr)
{
    tflash_t *f = ctx;
    if ((addr & 4095u) != 0 || addr >= f->size) {
        return ESP_ERR_INVALID_ARG;
    }
    if (tflash_fail_op(f)) {
        return ESP_ERR_FLASH_OP_FAIL;
    }
    memset(f->mem + addr, 0xFF, 4096);
    f->erases++;
    if ((addr >> 12) < TFLASH_MAX_SECTORS) {
        f->sector_erases[addr >> 12]++;
    }
    return ESP_OK;
}

/* A fresh (all 0xFF) chip of `size` bytes wired to *hal. Free with tflash_free. */
static inline tflash_t *tflash_new(uint32_t size, bs_hal_t *hal)
{
    tflash_t *f = calloc(1, sizeof *f);
    f->mem = malloc(size);
    memset(f->mem, 0xFF, size);
    f->size = size;
    f->strict = true;
    memset(hal, 0, sizeof *hal);
    hal->flash_ctx = f;
    hal->read = tflash_read;
    hal->write = tflash_write;
    hal->erase_sector = tflash_erase;
    hal->chip_size = size;
    hal->sector_size = 4096;
    hal->log_ctx = &f->log;
    hal->log = tlog_hook;
    return f;
}

static inline void tflash_free(tflash_t *f)
{
    free(f->mem);
    free(f);
}

static inline void tflash_reset_counters(tflash_t *f)
{
    f->reads = f->writes = f->erases = 0;
    f->bytes_read = f->bytes_written = 0;
    f->max_read_len = 0;
    memset(f->sector_erases, 0, sizeof f->sector_erases);
    f->log.count = 0;
}
