#pragma once
/*
 * The power-cut campaign (issue 4 item 2, STYLE.md §1-2): a whole OTA on the
 * virtual ESP8266, cut before each modifying flash operation with each cut
 * kind, then powered on again and run to its end. Shared by the campaign
 * driver (powercut.c) and the case runner with its checks (powercut_case.c).
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "harness.h"

/* One app image a scenario expects in a slot, and the start of the first
 * console line that proves it started. */
typedef struct {
    uint32_t addr;
    const char *file;
    const char *banner;
} pc_image_t;

/* A complete update, named by slot path as ESP-IDF names its OTA tests. */
typedef struct {
    const char *name;
    const char *bootloader;
    pc_image_t old_app;       /* running when the update starts */
    pc_image_t new_app;       /* the update, served as hello_world.bin (banner: a prefix) */
    uint32_t other_apps[3];   /* further slots holding old_app's file (0 ends) */
    uint32_t otadata_seq[2];  /* initial entries A and B (0: erased) */
    /* The end: the console line (a prefix) that finishes the scenario, the
     * slot whose app prints it (new_app, or old_app after a rollback), and
     * the state of the otadata entry in charge then (it selects new_app). */
    const char *done_marker;
    uint32_t done_addr;
    uint32_t done_state;
} pc_scenario_t;

extern const pc_scenario_t pc_scenarios[];
extern const size_t pc_n_scenarios;

/* A cut at absolute op `at` (1-based, counted from the first power-on across
 * every later one, as `ota8266 run --cut-at` counts). */
typedef struct {
    uint64_t at;
    int kind; /* sim_cut_kind_t */
} pc_cut_t;

#define PC_MAX_CUTS 4

typedef struct {
    const pc_scenario_t *sc;
    pc_cut_t cuts[PC_MAX_CUTS]; /* strictly increasing `at` */
    uint32_t n_cuts;
    uint64_t seed; /* torn contents */
} pc_case_t;

typedef enum {
    PC_OK,
    PC_BRICKED,     /* no valid app booted, a halt, or not recoverable */
    PC_WRONG_IMAGE, /* booted or selected a mix, or neither old nor new; otadata lost */
} pc_class_t;

typedef struct {
    pc_class_t cls;
    uint32_t cuts_fired;
    bool completed;        /* the update finished without the re-run */
    bool rolled_back;      /* a bootloader rolled the new app back on the way */
    /* The cut fell in the new app's trial boot, before it confirmed: it was
     * rolled back (ESP-IDF: a reset before confirmation is a failure), and
     * the factory example then refused that version for good, as ESP-IDF's
     * example does (esp_ota_get_last_invalid_partition). Not bricked: the
     * old app runs, intact, and otadata is consistent. */
    bool refused;
    uint64_t ops;          /* modifying ops over every power-on */
    char why[240];
} pc_outcome_t;

/* Once per process: the images the checks compare against, and the chip
 * templates every case starts from (in dir). */
void pc_setup(const char *dir);

/* Runs a case on chip (a path pc_run_case may overwrite), with the device
 * reaching the update server through net map 8070 -> port. trace (may be
 * NULL) receives the op trace of the first power-on. On failure the chip is
 * left as the failing check found it. */
void pc_run_case(const pc_case_t *c, const char *chip, sim_op_t *trace, pc_outcome_t *out);

/* Where an op lands, for reports: "otadata", "ota_0", ... ("?" otherwise). */
const char *pc_op_target(const pc_scenario_t *sc, const sim_op_t *op);

/* True when op falls in the otadata partition. */
bool pc_op_is_otadata(const sim_op_t *op);
