#pragma once
/* Shared between the NOR model (sim_flash.c) and the fault plan (sim_fault.c). */
#include <stdint.h>

#include "sim_flash.h"

/* splitmix64: deterministic torn contents from (seed, op index), so a failing
 * power-loss case replays bit for bit. */
typedef struct {
    uint64_t s;
} sim_rng_t;

void sim_rng_init(sim_rng_t *r, uint64_t seed, uint64_t op_index);
uint64_t sim_rng_next(sim_rng_t *r);

/* Raw file access, no counting, no NOR checks. */
esp_err_t sim_flash_pread_all(sim_flash_t *f, uint32_t addr, void *dst, uint32_t len);
esp_err_t sim_flash_pwrite_all(sim_flash_t *f, uint32_t addr, const void *src, uint32_t len);

/* Programs src AND existing content into [addr, addr+len). With bits, each
 * 1 -> 0 transition happens only when one of `tries` random bits says so
 * (probability 1 - 2^-tries: 1/2 for a cut mid-write, 15/16 near its end). */
esp_err_t sim_flash_program_raw(sim_flash_t *f, uint32_t addr, const uint8_t *src, uint32_t len,
                                sim_rng_t *bits, unsigned tries);

/* Fills [addr, addr+len) with `value`, or with random bytes when rng is set. */
esp_err_t sim_flash_fill_raw(sim_flash_t *f, uint32_t addr, uint8_t value, uint32_t len,
                             sim_rng_t *rng);

/*
 * Called before modifying operation (a write when src is set, else an erase of
 * the sector at addr). Records it in the op trace. When a planned cut matches the next op index, applies
 * its effect, counts it and calls f->on_power_cut; returns true and sets *err
 * if that handler returns. False: no cut, go ahead.
 */
bool sim_fault_before_op(sim_flash_t *f, uint32_t addr, const uint8_t *src, uint32_t len,
                         esp_err_t *err);
