#pragma once
/* FIPS 180-4 SHA-256, incremental. The core carries its own so that it builds
 * for lx106 with no library; host tests check it against mbedTLS. */
#include <stdint.h>

#define BS_SHA256_LEN 32

typedef struct {
    uint32_t state[8];
    uint32_t count_lo; /* message length in bytes, 64-bit as two words: no 64-bit ops */
    uint32_t count_hi;
    uint8_t buf[64];
    uint32_t buf_len;
} bs_sha256_t;

/* Hashes nblocks whole 64-byte blocks into state. bs_sha256_blocks_c is the
 * core's own; a platform with a faster engine installs it with
 * bs_sha256_set_blocks (the virtual device's apps: the host CPU's SHA
 * instructions through libcrypto). Every bs_sha256_* call uses the installed
 * one; NULL puts the core's own back. Install it before any hashing starts. */
typedef void (*bs_sha256_blocks_fn)(uint32_t state[8], const uint8_t *data, uint32_t nblocks);
void bs_sha256_blocks_c(uint32_t state[8], const uint8_t *data, uint32_t nblocks);
void bs_sha256_set_blocks(bs_sha256_blocks_fn fn);

void bs_sha256_init(bs_sha256_t *ctx);
void bs_sha256_update(bs_sha256_t *ctx, const void *data, uint32_t len);
void bs_sha256_finish(bs_sha256_t *ctx, uint8_t out[BS_SHA256_LEN]);
/* One-shot helper. */
void bs_sha256(const void *data, uint32_t len, uint8_t out[BS_SHA256_LEN]);
