#pragma once
/*
 * Shared by the libFuzzer targets: a cursor over the fuzzer's bytes, a
 * property check that turns a broken invariant into a crash libFuzzer keeps,
 * and two flash HALs (a sparse read-only chip and a small strict-NOR RAM chip).
 */
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "bs_hal.h"

/* A broken property is a finding like a crash: print why, then abort so that
 * libFuzzer saves the input as crash-<sha1>. */
#define FZ_CHECK(cond, ...)                                                                        \
    do {                                                                                           \
        if (!(cond)) {                                                                             \
            fz_fail(__FILE__, __LINE__, #cond, __VA_ARGS__);                                       \
        }                                                                                          \
    } while (0)

_Noreturn void fz_fail(const char *file, int line, const char *cond, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* ---- input cursor: reads past the end give zeros, never fail ---- */

typedef struct {
    const uint8_t *p;
    size_t left;
} fz_in_t;

uint8_t fz_u8(fz_in_t *in);
uint16_t fz_u16(fz_in_t *in);
uint32_t fz_u32(fz_in_t *in);
/* Copies n bytes, padding with fill once the input runs out. */
void fz_bytes(fz_in_t *in, void *dst, size_t n, uint8_t fill);

/* ---- logging: formats every message (so format arguments are exercised) and drops it ---- */

void fz_log_sink(void *ctx, esp_log_level_t level, const char *tag, const char *fmt, va_list ap);

/* ---- sparse read-only chip: 0xFF everywhere except a few windows ---- */

#define FZ_MAX_WINDOWS 4

typedef struct {
    uint32_t addr;
    const uint8_t *data;
    uint32_t len;
} fz_window_t;

typedef struct {
    fz_window_t win[FZ_MAX_WINDOWS]; /* a later window hides an earlier one */
    int nwin;
    /* Reads outside every window fail instead of returning 0xFF (for
     * "the verifier never reads past the image"). */
    bool fail_outside;
    uint64_t max_read_end; /* highest addr + len ever read */
    uint32_t reads;
} fz_sparse_t;

/* A read-only HAL over s; write and erase always fail (nothing may write). */
void fz_sparse_hal(bs_hal_t *hal, fz_sparse_t *s, uint32_t chip_size);
void fz_sparse_add(fz_sparse_t *s, uint32_t addr, const uint8_t *data, uint32_t len);

/* ---- small RAM chip with strict NOR rules ---- */

typedef struct {
    uint8_t *mem;
    uint32_t size;
    uint32_t writes, erases;
} fz_ram_t;

/* Writes that program a 1 over a 0, and erases off a sector boundary, fail
 * the run: the core promises the HAL's contract, so breaking it is a bug. */
void fz_ram_hal(bs_hal_t *hal, fz_ram_t *r, uint8_t *mem, uint32_t size);
