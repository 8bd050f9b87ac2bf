#pragma once
/*
 * The decision corpus: flash images for the bootloader's decision logic,
 * run once on the host and once on lx106 under QEMU, outputs compared byte
 * for byte. One file, little-endian:
 *
 *   "OTACORP1", u32 total file length, u32 image count, then per image:
 *   char name[48] (NUL padded), u32 chip size, u8 rollback enabled,
 *   u8 rollback attempts, u16 extent count, then per extent:
 *   u32 flash address, u32 length, the bytes, 0x00 padding to 4.
 *
 * Flash outside the extents is erased (0xFF).
 */
#include <stdint.h>

#define CORPUS_MAGIC "OTACORP1"
#define CORPUS_HEADER_LEN 16u
#define CORPUS_NAME_LEN 48u
#define CORPUS_ENTRY_LEN (CORPUS_NAME_LEN + 8u)
#define CORPUS_MAX_CHIP 0x400000u

typedef void (*corpus_out_fn)(void *ctx, const char *text);

/*
 * Runs the bootloader's decision on every image of the corpus and writes one
 * canonical block per image through out: its name, every log line of the
 * flow (all levels), the result (slot, image verified, length, entry), the
 * flash operations and the CRC-32 of the boot area afterwards (otadata
 * writes). `flash` is scratch of CORPUS_MAX_CHIP bytes. Returns the number
 * of images run, or -1 when the corpus is malformed (reported through out).
 */
int corpus_run(const uint8_t *blob, uint32_t blob_len, uint8_t *flash, corpus_out_fn out,
               void *ctx);
