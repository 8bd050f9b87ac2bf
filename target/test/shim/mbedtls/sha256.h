#pragma once
/*
 * Test-only stand-in for mbedTLS's one-shot mbedtls_sha256_ret() on lx106,
 * where mbedTLS is not built: the reference the core's SHA-256 and the test
 * image builder use there. Written apart from the core's (FIPS 180-4 over
 * the whole message, big-endian words assembled by hand), so that a bug in
 * one is not repeated in the other.
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

static inline uint32_t tsha_rotr(uint32_t x, unsigned n)
{
    return (x >> n) | (x << (32u - n));
}

static inline void tsha_block(uint32_t h[8], const uint8_t *p)
{
    static const uint32_t k[64] = {
        0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4,
        0xab1c5ed5, 0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe,
        0x9bdc06a7, 0xc19bf174, 0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f,
        0x4a7484aa, 0x5cb0a9dc, 0x76f988da, 0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7,
        0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967, 0x27b70a85, 0x2e1b2138, 0x4d2c6dfc,
        0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85, 0xa2bfe8a1, 0xa81a664b,
        0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070, 0x19a4c116,
        0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
        0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7,
        0xc67178f2};
    uint32_t w[64];
    for (int t = 0; t < 16; t++) {
        w[t] = ((uint32_t)p[4 * t] << 24) | ((uint32_t)p[4 * t + 1] << 16) |
               ((uint32_t)p[4 * t + 2] << 8) | (uint32_t)p[4 * t + 3];
    }
    for (int t = 16; t < 64; t++) {
        uint32_t s0 = tsha_rotr(w[t - 15], 7) ^ tsha_rotr(w[t - 15], 18) ^ (w[t - 15] >> 3);
        uint32_t s1 = tsha_rotr(w[t - 2], 17) ^ tsha_rotr(w[t - 2], 19) ^ (w[t - 2] >> 10);
        w[t] = w[t - 16] + s0 + w[t - 7] + s1;
    }
    uint32_t v[8];
    memcpy(v, h, sizeof v);
    for (int t = 0; t < 64; t++) {
        uint32_t e = v[4];
        uint32_t a = v[0];
        uint32_t t1 = v[7] + (tsha_rotr(e, 6) ^ tsha_rotr(e, 11) ^ tsha_rotr(e, 25)) +
                      ((e & v[5]) ^ (~e & v[6])) + k[t] + w[t];
        uint32_t t2 = (tsha_rotr(a, 2) ^ tsha_rotr(a, 13) ^ tsha_rotr(a, 22)) +
                      ((a & v[1]) ^ (a & v[2]) ^ (v[1] & v[2]));
        memmove(v + 1, v, 7 * sizeof v[0]);
        v[4] += t1;
        v[0] = t1 + t2;
    }
    for (int i = 0; i < 8; i++) {
        h[i] += v[i];
    }
}

static inline int mbedtls_sha256_ret(const unsigned char *input, size_t ilen,
                                     unsigned char output[32], int is224)
{
    uint32_t h[8] = {0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a,
                     0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19};
    if (is224) {
        return -1; /* only SHA-256 is needed here */
    }
    size_t full = ilen & ~(size_t)63;
    for (size_t off = 0; off < full; off += 64) {
        tsha_block(h, input + off);
    }
    uint8_t tail[128];
    size_t rest = ilen - full;
    memset(tail, 0, sizeof tail);
    memcpy(tail, input + full, rest);
    tail[rest] = 0x80;
    size_t tail_len = (rest + 9 <= 64) ? 64 : 128;
    uint64_t bits = (uint64_t)ilen << 3;
    for (int i = 0; i < 8; i++) {
        tail[tail_len - 1 - i] = (uint8_t)(bits >> (8 * i));
    }
    tsha_block(h, tail);
    if (tail_len == 128) {
        tsha_block(h, tail + 64);
    }
    for (int i = 0; i < 8; i++) {
        output[4 * i] = (uint8_t)(h[i] >> 24);
        output[4 * i + 1] = (uint8_t)(h[i] >> 16);
        output[4 * i + 2] = (uint8_t)(h[i] >> 8);
        output[4 * i + 3] = (uint8_t)h[i];
    }
    return 0;
}
