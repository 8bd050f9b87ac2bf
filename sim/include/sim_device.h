#pragma once
/*
 * The virtual ESP8266 as a whole: the supervisor that powers it on and
 * resets it, the ROM stage, and the hand-off that runs a stage from the
 * bytes of an image in flash (memfd_create + fexecve, DESIGN.md §2).
 */
#include <stdbool.h>
#include <stdint.h>

#include "sim_flash.h"
#include "sim_state.h"

#ifdef __cplusplus
extern "C" {
#endif

#define SIM_WDT_OFF 0xFFFFFFFFu

typedef struct {
    const char *chip_path;
    uint32_t flash_size;     /* size of the chip file */
    uint32_t max_boots;      /* stop after this many boots (0 = no limit) */
    double time_scale;       /* virtual time runs this many times faster */
    double timeout_s;        /* real seconds for the whole run (0 = none) */
    const char *until;       /* stop when a console line contains this text (or one of
                                several, separated by '\n') */
    int color;               /* -1 auto (terminal), 0 off, 1 on */
    bool stats;              /* print the flash counters at the end */
    bool timestamps;         /* prefix console lines with host seconds since power-on (us) */
    bool strict;             /* strict NOR mode */
    uint32_t heap_limit;
    uint32_t wdt_ms;         /* watchdog timeout, virtual ms: 0 = SIM_WDT_DEFAULT_MS,
                                SIM_WDT_OFF = none */
    const char *ap_ssid;     /* virtual access point (NULL: none) */
    const char *ap_password;
    sim_cut_t cuts[SIM_MAX_CUTS];
    uint32_t n_cuts;
    uint64_t seed;
    /* Stop once a cut has fired instead of powering on again, so that a
     * campaign can inspect the flash exactly as the cut left it. */
    bool stop_at_power_cut;
    /* Receives the op trace (SIM_OP_TRACE entries, see sim_state_t); may be NULL. */
    sim_op_t *op_trace;
    uint16_t net_map_from[SIM_MAX_NET_MAPS];
    uint16_t net_map_to[SIM_MAX_NET_MAPS];
    uint32_t n_net_maps;
    void *console;           /* FILE* for the console (default stdout) */
} sim_run_opts_t;

typedef struct {
    uint32_t boots;
    uint32_t power_cuts;
    uint32_t restarts;
    uint32_t panics;
    uint32_t wdt_resets;
    bool halted;        /* the device stopped with nothing bootable */
    bool until_seen;
    bool timed_out;
    sim_counters_t counters;
} sim_run_result_t;

/* Powers the device on and runs it until max_boots, until, timeout or halt.
 * Returns 0, or -1 with a message on stderr for a setup failure. */
int sim_device_run(const sim_run_opts_t *opts, sim_run_result_t *result);

/*
 * The ROM stage, run in a child of the supervisor: prints the ROM banner,
 * checks the v1 image at 0x0 (printing load/tail/chksum per segment), and
 * runs the bootloader from the first segment's bytes. Returns only on
 * failure, with the exit code the supervisor should see.
 */
int sim_rom_boot(sim_flash_t *flash, sim_state_t *st);

/*
 * Runs `len` bytes read from flash at `addr` as a host executable in place
 * of the current process (memfd_create + fexecve), passing the flash and
 * state fds through the environment. Returns only on failure.
 */
esp_err_t sim_exec_from_flash(sim_flash_t *flash, uint32_t addr, uint32_t len,
                              const char *name);

#ifdef __cplusplus
}
#endif
