#pragma once
/*
 * elf2image for real ESP8266 programs (Xtensa ELF32, e_machine 94), by the
 * rules of the SDK's esptool (reference §3): PROGBITS sections with a
 * non-zero address, each padded to 4 bytes with 0x00;
 *   v1: sections in ELF order, except the one irom0 section (0x40200000 <=
 *       addr < 0x40300000) which goes to OUT0x<offset>.bin as raw bytes;
 *       more than one such section is an error;
 *   V3: non-empty flash sections (addr >= 0x40200000) sorted by address
 *       (two in one 64 KB mapping is an error), then non-empty RAM sections
 *       sorted by address; ".flash.rodata" loses its first 8 bytes; the
 *       SHA-256 of the file is appended.
 * Flash mode is written as given (esptool's own behaviour).
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* True when data starts an ELF32 little-endian file for Xtensa. */
bool e2i_xtensa_is_elf(const uint8_t *data, size_t size);

typedef struct {
    int version;       /* 1 or 3 */
    uint8_t spi_mode;  /* 0 qio .. 3 dout, as given */
    uint8_t spi_speed; /* low nibble of byte 3 */
    uint32_t flash_bytes;
    const char *output;
} e2i_xtensa_args_t;

/* Builds and writes the image(s); 0 or the exit status after printing why. */
int e2i_xtensa(const char *cmd, const char *input, const uint8_t *elf, size_t size,
               const e2i_xtensa_args_t *a);
