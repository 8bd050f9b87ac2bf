#pragma once
/*
 * The virtual SPI NOR flash: a file the size of the chip. Erase works on
 * 4 KB sectors and sets 0xFF; programming only clears bits (strict mode
 * reports a 0 -> 1 write with its address); accesses past the end fail.
 * Every operation is counted in the shared sim_state_t, and the fault plan
 * there can cut power before the k-th modifying operation (clean or torn).
 */
#include <stdbool.h>
#include <stdint.h>

#include "bs_hal.h"
#include "sim_state.h"

#ifdef __cplusplus
extern "C" {
#endif

#define SIM_SECTOR_SIZE 4096u

typedef struct sim_flash {
    int fd;
    uint32_t size;
    /* The chip file mapped MAP_SHARED (NULL: pread/pwrite): a store is in
     * the file's page cache at once, as a pwrite would be, without a
     * system call per flash operation. */
    uint8_t *map;
    sim_state_t *st;
    bool own_fd;
    bool own_state; /* st is a private state made by sim_flash_open (released on close) */
    /* Called when the fault plan cuts power, after the torn effect is on
     * flash. Default: _exit(SIM_EXIT_POWER_CUT). Tests install a longjmp. */
    void (*on_power_cut)(void *arg);
    void *on_power_cut_arg;
    char last_error[192];
} sim_flash_t;

/* Valid chip sizes: 1, 2, 4, 8, 16 MB. Parses "4MB", "4M", "0x400000"; 0 on error. */
uint32_t sim_parse_flash_size(const char *text);

/*
 * Opens the chip file. With create, a missing file is made and filled with
 * 0xFF (an erased chip). A file of another size is an error (the message
 * names both sizes). st may be NULL for a private state.
 */
esp_err_t sim_flash_open(sim_flash_t *f, const char *path, uint32_t size, bool create,
                         sim_state_t *st);
/* Uses an inherited fd (boot stages); size from st->chip_size. */
esp_err_t sim_flash_attach(sim_flash_t *f, int fd, sim_state_t *st);
void sim_flash_close(sim_flash_t *f);
/* Fills the chip mapping's page tables for writing now, so that the first
 * program of each page later costs no page fault (an emulation cost, not a
 * flash one): an app calls it once at start, about 1.5 ms for 4 MB. */
void sim_flash_prefault(sim_flash_t *f);

/* NOR operations. Errors: out of range -> ESP_ERR_FLASH_OP_FAIL; unaligned
 * erase -> ESP_ERR_INVALID_ARG; strict 0 -> 1 -> ESP_ERR_FLASH_OP_FAIL.
 * f->last_error says what and where ("0->1 write at 0x00011004 ..."). */
esp_err_t sim_flash_read(sim_flash_t *f, uint32_t addr, void *dst, uint32_t len);
esp_err_t sim_flash_write(sim_flash_t *f, uint32_t addr, const void *src, uint32_t len);
esp_err_t sim_flash_erase_sector(sim_flash_t *f, uint32_t addr);

/* Fills a core HAL that routes to this flash; chip_size is the *configured*
 * size the caller passes (0 = the file size). Logging goes to esp_log. */
void sim_flash_hal(sim_flash_t *f, uint32_t configured_size, bs_hal_t *hal);

/* Adds a cut to the plan: before modifying op `at_op` (1-based, counted from
 * the start of the run across resets). */
esp_err_t sim_flash_plan_cut(sim_state_t *st, uint64_t at_op, sim_cut_kind_t kind);
const char *sim_cut_kind_name(sim_cut_kind_t kind);
/* "clean", "torn-write", "torn-bits", "torn-erase", "erase-random", "torn-late";
 * -1 when unknown. */
int sim_cut_kind_parse(const char *name);

/* Human-readable counters (run --stats). */
void sim_flash_print_stats(const sim_state_t *st, void *stdio_file);

#ifdef __cplusplus
}
#endif
