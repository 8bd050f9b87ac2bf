#pragma once
/*
 * State of the virtual ESP8266 that outlives one process: flash operation
 * counters, the fault plan, reset cause, boot count, RTC memory and the run
 * options. The supervisor (`ota8266 run`) creates it in a memfd; the ROM
 * stage, the bootloader and the app are separate processes (the boot chain
 * execs what is in flash) and each maps it through the fd named in the
 * environment variable OTA8266_STATE_FD. Host tools that touch the chip
 * without a device (write_flash, ...) use a private instance.
 */
#include <stdbool.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define SIM_STATE_MAGIC 0x38323636u /* "8266" */
#define SIM_MAX_SECTORS 4096        /* 16 MB / 4 KB */
#define SIM_MAX_CUTS 8
#define SIM_RTC_MEM_SIZE 512
#define SIM_MAX_NET_MAPS 8
#define SIM_OP_TRACE 1024 /* modifying ops whose target the trace keeps */

/* Process exit codes used between the boot stages and the supervisor. */
#define SIM_EXIT_RESTART 70   /* esp_restart(): software reset */
#define SIM_EXIT_POWER_CUT 71 /* the fault plan cut power */
#define SIM_EXIT_PANIC 72     /* abort/exception: the chip resets */
#define SIM_EXIT_HALT 73      /* nothing bootable: the chip sits there */
#define SIM_EXIT_WDT 74       /* watchdog reset */

/* The watchdog's default timeout, in virtual ms (the ESP8266's hardware
 * watchdog fires after about 1.6 s without a feed), and its floor in real
 * ms: at a high time scale a loaded host could otherwise starve a healthy
 * app's feeder for longer than the scaled timeout. */
#define SIM_WDT_DEFAULT_MS 1600u
#define SIM_WDT_MIN_REAL_MS 500u

/* ROM "rst cause" numbers as the ESP8266 ROM prints them. */
typedef enum {
    SIM_RST_POWER_ON = 1,
    SIM_RST_EXTERNAL = 2, /* also software restart and exceptions */
    SIM_RST_WDT = 4,
} sim_rst_cause_t;

/* Why the last boot ended, as the app sees it (esp_reset_reason()). */
typedef enum {
    SIM_REASON_POWERON = 1,
    SIM_REASON_SW = 3,
    SIM_REASON_PANIC = 4,
    SIM_REASON_WDT = 6,
} sim_reset_reason_t;

typedef enum {
    SIM_CUT_CLEAN,            /* the operation does not happen at all */
    SIM_CUT_TORN_WRITE,       /* a write programs only a prefix of its bytes */
    SIM_CUT_TORN_WRITE_BITS,  /* a write programs only some of its 1 -> 0 bits */
    SIM_CUT_TORN_ERASE,       /* an erase leaves the sector partly erased (a prefix) */
    SIM_CUT_TORN_ERASE_RANDOM,/* an erase leaves the sector with random bytes */
    /* A write cut near its end: each of its 1 -> 0 bits is done with
     * probability 15/16, so a short checksummed field is often complete while
     * a neighbour the checksum does not cover is not (torn-bits, at 1/2 per
     * bit, almost never leaves a CRC intact). */
    SIM_CUT_TORN_WRITE_LATE,
} sim_cut_kind_t;

typedef struct {
    uint64_t reads;
    uint64_t writes;
    uint64_t erases;
    uint64_t bytes_read;
    uint64_t bytes_written;
    /* writes + erases: the index the fault plan counts (reads change nothing,
     * so a cut before a read equals a cut after the previous write) */
    uint64_t modify_ops;
    /* erases of a sector that already read all 0xFF: wear and (on the chip)
     * 37 ms of blocking for nothing */
    uint64_t blank_erases;
} sim_counters_t;

typedef struct {
    uint64_t at_op; /* cut before modifying op number at_op (1-based, across resets) */
    uint32_t kind;  /* sim_cut_kind_t; a torn kind on an op of the other type cuts cleanly */
    uint32_t fired;
} sim_cut_t;

/* One modifying flash operation as the trace records it: which op number k
 * of a power-cut campaign hits what (otadata, a slot, ...). */
typedef struct {
    uint32_t addr;
    uint32_t len;   /* bytes written; SIM_SECTOR_SIZE for an erase */
    uint32_t erase; /* 1 for a sector erase, 0 for a write */
} sim_op_t;

typedef struct {
    uint32_t magic;
    uint32_t chip_size;
    uint32_t strict; /* 0 -> 1 programming is an error */

    sim_counters_t counters;
    uint32_t sector_erases[SIM_MAX_SECTORS];

    sim_cut_t cuts[SIM_MAX_CUTS];
    uint32_t n_cuts;
    uint32_t power_cuts; /* cuts fired so far */
    uint64_t seed;       /* for torn contents */
    /* op_trace[i] is modifying op i + 1 since power-on (the op a cut hit
     * included), for the first SIM_OP_TRACE ops. */
    sim_op_t op_trace[SIM_OP_TRACE];

    /* Device. */
    uint32_t boot_count;   /* boots since power-on of the run, 1-based */
    uint32_t rst_cause;    /* sim_rst_cause_t of the current boot */
    uint32_t reset_reason; /* sim_reset_reason_t of the current boot */
    uint32_t rtc_valid;    /* RTC memory survives resets, not power loss */
    uint8_t rtc_mem[SIM_RTC_MEM_SIZE];
    uint64_t boot_t0_ns;   /* CLOCK_MONOTONIC at this boot's start */

    /* What the bootloader hands to the app (the real one passes registers). */
    uint32_t app_start;    /* flash address of the booted image */
    uint32_t app_len;
    uint32_t app_part_size;

    /* Run options. */
    uint32_t time_scale_x1000; /* virtual ms per real ms, x1000 (1000 = real time) */
    int32_t color;             /* 1 on, 0 off */
    int32_t timestamps;        /* 1: log lines carry the host time since power-on (run --timestamps) */
    uint64_t power_on_ns;      /* CLOCK_MONOTONIC at power-on */
    uint32_t heap_limit;       /* 0 = none */
    char ap_ssid[33];
    char ap_password[65];
    uint32_t ap_enabled;

    /* The virtual network: a connection the device makes to port from[i]
     * goes to the host's port to[i] (run --net-map), so an image built for
     * the seed's port 8070 reaches a test server on whatever port was free. */
    uint16_t net_map_from[SIM_MAX_NET_MAPS];
    uint16_t net_map_to[SIM_MAX_NET_MAPS];
    uint32_t n_net_maps;

    /* The hardware watchdog: the app's idle task stamps the CLOCK_MONOTONIC
     * time here while no task is in a critical section; the supervisor
     * resets the chip (rst cause 4) when the stamp gets older than the run's
     * timeout. 0 = not armed: the ROM stage and the bootloader are not watched. */
    uint64_t wdt_fed_ns;
} sim_state_t;

/* Creates a fresh state in a memfd (fd not close-on-exec) and maps it. */
sim_state_t *sim_state_create(uint32_t chip_size, int *fd_out);
/* Maps the state named by OTA8266_STATE_FD; NULL when absent or bad. */
sim_state_t *sim_state_from_env(void);
/* A private, non-shared state (host tools, unit tests). */
sim_state_t *sim_state_private(uint32_t chip_size);
void sim_state_release(sim_state_t *st);

/* Virtual milliseconds since this boot started (scaled clock). */
uint32_t sim_clock_ms(const sim_state_t *st);
/* Sleeps for `virtual_ms` of virtual time. */
void sim_sleep_ms(const sim_state_t *st, uint32_t virtual_ms);

#ifdef __cplusplus
}
#endif
