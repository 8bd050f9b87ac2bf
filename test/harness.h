#pragma once
/* Test harness for whole-device scenarios: make a chip, flash the images the
 * build produced, power the device on, and read back its console with the
 * timestamps and colours taken out so that lines compare exactly. */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "sim_device.h"

#define H_BUILD OTA8266_BINARY_DIR
#define H_BOOTLOADER H_BUILD "/bootloader/bootloader.bin"
#define H_HELLO H_BUILD "/examples/get-started/hello_world/hello_world.bin"
#define H_HELLO_ELF H_BUILD "/examples/get-started/hello_world/hello_world.elf"
#define H_PT_FACTORY H_BUILD "/partition_table/partitions_factory_two_ota.bin"
#define H_PT_TWO_OTA H_BUILD "/partition_table/partitions_two_ota.bin"
#define H_PT_SINGLE H_BUILD "/partition_table/partitions_singleapp.bin"
#define H_OTADATA_INIT H_BUILD "/partition_table/ota_data_initial.bin"
#define H_NATIVE_OTA H_BUILD "/examples/system/ota/native_ota_example/native_ota.bin"
#define H_SIMPLE_OTA H_BUILD "/examples/system/ota/simple_ota_example/simple_ota.bin"
#define H_TEST_CA H_BUILD "/test_certs/ca_cert.pem"
#define H_TEST_KEY H_BUILD "/test_certs/ca_key.pem"
/* Signed by H_TEST_CA but for CN/SAN wrong.example: only the host name check fails. */
#define H_TEST_WRONG_CERT H_BUILD "/test_certs/wrong_cert.pem"
#define H_TEST_WRONG_KEY H_BUILD "/test_certs/wrong_key.pem"

/* A fresh temp dir per test process; returns dir/name. */
const char *h_path(const char *name);

/* ota8266 subcommands in-process; returns the exit status. */
int h_tool(const char *cmd, ...); /* NULL-terminated argument list */

/* Writes the standard 4 MB layout: bootloader, factory/two-OTA table,
 * initial otadata, and `app` at each of the given addresses (0 ends). */
void h_flash_standard(const char *chip, const char *table, const char *app, ...);

/* Flips (xor 0xFF) the byte at addr of the chip file. */
void h_flip(const char *chip, uint32_t addr);
void h_write_bytes(const char *chip, uint32_t addr, const void *data, size_t len);
void h_read_bytes(const char *chip, uint32_t addr, void *data, size_t len);

typedef struct {
    sim_run_result_t r;
    char *console; /* normalised: "I (T) boot: ..." and no colour codes */
} h_run_t;

/* Settings for the next h_run calls: the virtual AP (NULL = none) and one
 * port mapping of the virtual network (0 = none). */
void h_set_ap(const char *ssid, const char *password);
void h_set_net_map(int device_port, int host_port);
void h_set_timeout(double seconds);
/* run --timestamps: log lines start with "[   S.UUUUUU] " (then not normalised). */
void h_set_timestamps(bool on);
/* Size of the chip file h_run powers on (default 4 MB). */
void h_set_chip_size(uint32_t bytes);

/* Runs the device; boots = 0 means until halt or timeout. */
void h_run(const char *chip, uint32_t boots, const char *until, h_run_t *out);

/* A fault plan for h_run_faults: cuts before modifying ops counted from this
 * power-on, the seed of torn contents, and whether to stop at the first cut
 * (the chip then holds exactly what the cut left). trace, when set, receives
 * SIM_OP_TRACE entries: what each modifying op did. */
typedef struct {
    sim_cut_t cuts[SIM_MAX_CUTS];
    uint32_t n_cuts;
    uint64_t seed;
    bool stop_at_cut;
    bool strict; /* strict NOR: a 0 -> 1 write fails and is logged by sim_flash */
    sim_op_t *trace;
} h_faults_t;

/* h_run with a fault plan (NULL: none). */
void h_run_faults(const char *chip, uint32_t boots, const char *until, const h_faults_t *faults,
                  h_run_t *out);
void h_run_free(h_run_t *run);

/* Where the parts of an app image file lie, found by the core's own image
 * parser, so that a test can damage exactly one named byte. */
typedef struct {
    uint32_t len;   /* file length */
    uint32_t entry; /* header entry address */
    unsigned seg_count;
    uint32_t seg_header[16]; /* file offset of each 8-byte segment header */
    uint32_t seg_data[16];   /* file offset of each segment's data */
    uint32_t seg_len[16];
    uint32_t seg_load[16];
    uint32_t seg_end;      /* end of the last segment's data: padding starts here */
    uint32_t checksum_off; /* the XOR checksum byte */
    uint8_t checksum;
    uint32_t hash_off; /* first SHA-256 byte (len - 32) */
} h_image_layout_t;

/* Fills *out from the image file at path; aborts if it is not a valid image. */
void h_image_layout(const char *path, h_image_layout_t *out);

/* Converts CSV text to a binary table (extra partition_table options, NULL
 * ended, e.g. "--flash-size", "16MB") and writes it at 0x8000 of chip. */
void h_flash_table_csv(const char *chip, const char *csv, ...);

/* True when the console holds this exact line. */
bool h_has_line(const h_run_t *run, const char *line);
/* Number of lines starting with prefix. */
int h_count_prefix(const h_run_t *run, const char *prefix);
/* Line index of the first exact match, or -1. */
int h_line_index(const h_run_t *run, const char *line);
/* Index of the first line where these n lines follow one another, or -1. */
int h_block_index(const h_run_t *run, const char *const *lines, size_t n);
/* Fails the test, showing the block and the console, unless the lines follow
 * one another somewhere in the console. */
#define H_ASSERT_BLOCK(run, lines, n)                                                              \
    do {                                                                                           \
        if (h_block_index((run), (lines), (n)) < 0) {                                              \
            print_error("missing block of %zu lines:\n", (size_t)(n));                             \
            for (size_t i_ = 0; i_ < (size_t)(n); i_++) {                                          \
                print_error("  %s\n", (lines)[i_]);                                                \
            }                                                                                      \
            print_error("--- console ---\n");                                                      \
            fputs((run)->console, stderr);                                                         \
            fail();                                                                                \
        }                                                                                          \
    } while (0)
/* Fails the test with the console shown when line is absent. */
#define H_ASSERT_LINE(run, line)                                                                   \
    do {                                                                                           \
        if (!h_has_line((run), (line))) {                                                          \
            print_error("missing line: \"%s\"\n--- console ---\n", (line));                     \
            fputs((run)->console, stderr);                                                         \
            fail();                                                                                \
        }                                                                                          \
    } while (0)
#define H_ASSERT_NO_LINE(run, line)                                                                \
    do {                                                                                           \
        if (h_has_line((run), (line))) {                                                           \
            print_error("unexpected line: \"%s\"\n--- console ---\n", (line));                  \
            fputs((run)->console, stderr);                                                         \
            fail();                                                                                \
        }                                                                                          \
    } while (0)
