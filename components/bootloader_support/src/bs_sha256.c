/* FIPS 180-4 SHA-256. The byte count is kept as two 32-bit words so that
 * nothing here needs 64-bit arithmetic on lx106. */
#include "bs_sha256.h"

#include <string.h>

static const uint32_t K[64] = {
    0x428a2f98u, 0x71374491u, 0xb5c0fbcfu, 0xe9b5dba5u, 0x3956c25bu, 0x59f111f1u, 0x923f82a4u,
    0xab1c5ed5u, 0xd807aa98u, 0x12835b01u, 0x243185beu, 0x550c7dc3u, 0x72be5d74u, 0x80deb1feu,
    0x9bdc06a7u, 0xc19bf174u, 0xe49b69c1u, 0xefbe4786u, 0x0fc19dc6u, 0x240ca1ccu, 0x2de92c6fu,
    0x4a7484aau, 0x5cb0a9dcu, 0x76f988dau, 0x983e5152u, 0xa831c66du, 0xb00327c8u, 0xbf597fc7u,
    0xc6e00bf3u, 0xd5a79147u, 0x06ca6351u, 0x14292967u, 0x27b70a85u, 0x2e1b2138u, 0x4d2c6dfcu,
    0x53380d13u, 0x650a7354u, 0x766a0abbu, 0x81c2c92eu, 0x92722c85u, 0xa2bfe8a1u, 0xa81a664bu,
    0xc24b8b70u, 0xc76c51a3u, 0xd192e819u, 0xd6990624u, 0xf40e3585u, 0x106aa070u, 0x19a4c116u,
    0x1e376c08u, 0x2748774cu, 0x34b0bcb5u, 0x391c0cb3u, 0x4ed8aa4au, 0x5b9cca4fu, 0x682e6ff3u,
    0x748f82eeu, 0x78a5636fu, 0x84c87814u, 0x8cc70208u, 0x90befffau, 0xa4506cebu, 0xbef9a3f7u,
    0xc67178f2u,
};

static uint32_t rotr(uint32_t x, unsigned n)
{
    return (x >> n) | (x << (32u - n));
}

static uint32_t be32(const uint8_t *p)
{
    return ((uint32_t)p[0] << 24) | ((uint32_t)p[1] << 16) | ((uint32_t)p[2] << 8) | p[3];
}

static void put_be32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)(v >> 24);
    p[1] = (uint8_t)(v >> 16);
    p[2] = (uint8_t)(v >> 8);
    p[3] = (uint8_t)v;
}

/* A 16-word rolling schedule instead of 64 keeps the stack small. Kept out of
 * line: inlined into bs_sha256_blocks_c's loop, gcc -O3 made it 5% slower. */
__attribute__((noinline)) static void compress(uint32_t state[8], const uint8_t block[64])
{
    uint32_t w[16];
    for (int i = 0; i < 16; i++) {
        w[i] = be32(block + 4 * i);
    }
    uint32_t a = state[0], b = state[1], c = state[2], d = state[3];
    uint32_t e = state[4], f = state[5], g = state[6], h = state[7];
    for (int i = 0; i < 64; i++) {
        if (i >= 16) {
            uint32_t w15 = w[(i - 15) & 15], w2 = w[(i - 2) & 15];
            uint32_t s0 = rotr(w15, 7) ^ rotr(w15, 18) ^ (w15 >> 3);
            uint32_t s1 = rotr(w2, 17) ^ rotr(w2, 19) ^ (w2 >> 10);
            w[i & 15] += s0 + w[(i - 7) & 15] + s1;
        }
        uint32_t t1 =
            h + (rotr(e, 6) ^ rotr(e, 11) ^ rotr(e, 25)) + ((e & f) ^ (~e & g)) + K[i] + w[i & 15];
        uint32_t t2 = (rotr(a, 2) ^ rotr(a, 13) ^ rotr(a, 22)) + ((a & b) ^ (a & c) ^ (b & c));
        h = g;
        g = f;
        f = e;
        e = d + t1;
        d = c;
        c = b;
        b = a;
        a = t1 + t2;
    }
    state[0] += a;
    state[1] += b;
    state[2] += c;
    state[3] += d;
    state[4] += e;
    state[5] += f;
    state[6] += g;
    state[7] += h;
}

void bs_sha256_blocks_c(uint32_t state[8], const uint8_t *data, uint32_t nblocks)
{
    for (; nblocks != 0; nblocks--, data += 64) {
        compress(state, data);
    }
}

/* The bootloader never installs another: it hashes with the C above, as on
 * the chip. */
static bs_sha256_blocks_fn s_blocks = bs_sha256_blocks_c;

void bs_sha256_set_blocks(bs_sha256_blocks_fn fn)
{
    s_blocks = fn ? fn : bs_sha256_blocks_c;
}

void bs_sha256_init(bs_sha256_t *ctx)
{
    static const uint32_t iv[8] = {0x6a09e667u, 0xbb67ae85u, 0x3c6ef372u, 0xa54ff53au,
                                   0x510e527fu, 0x9b05688cu, 0x1f83d9abu, 0x5be0cd19u};
    memcpy(ctx->state, iv, sizeof iv);
    ctx->count_lo = 0;
    ctx->count_hi = 0;
    ctx->buf_len = 0;
}

void bs_sha256_update(bs_sha256_t *ctx, const void *data, uint32_t len)
{
    const uint8_t *p = data;
    uint32_t lo = ctx->count_lo + len;
    ctx->count_hi += (lo < ctx->count_lo) ? 1u : 0u;
    ctx->count_lo = lo;

    if (ctx->buf_len != 0) {
        uint32_t take = 64u - ctx->buf_len;
        if (take > len) {
            take = len;
        }
        memcpy(ctx->buf + ctx->buf_len, p, take);
        ctx->buf_len += take;
        p += take;
        len -= take;
        if (ctx->buf_len < 64u) {
            return;
        }
        s_blocks(ctx->state, ctx->buf, 1);
        ctx->buf_len = 0;
    }
    if (len >= 64u) {
        uint32_t whole = len & ~63u;
        s_blocks(ctx->state, p, whole >> 6);
        p += whole;
        len -= whole;
    }
    memcpy(ctx->buf, p, len);
    ctx->buf_len = len;
}

void bs_sha256_finish(bs_sha256_t *ctx, uint8_t out[BS_SHA256_LEN])
{
    uint32_t bits_hi = (ctx->count_hi << 3) | (ctx->count_lo >> 29);
    uint32_t bits_lo = ctx->count_lo << 3;

    ctx->buf[ctx->buf_len++] = 0x80;
    if (ctx->buf_len > 56u) {
        memset(ctx->buf + ctx->buf_len, 0, 64u - ctx->buf_len);
        s_blocks(ctx->state, ctx->buf, 1);
        ctx->buf_len = 0;
    }
    memset(ctx->buf + ctx->buf_len, 0, 56u - ctx->buf_len);
    put_be32(ctx->buf + 56, bits_hi);
    put_be32(ctx->buf + 60, bits_lo);
    s_blocks(ctx->state, ctx->buf, 1);
    for (int i = 0; i < 8; i++) {
        put_be32(out + 4 * i, ctx->state[i]);
    }
    /* Nothing of the message stays behind in a caller's struct. */
    memset(ctx, 0, sizeof *ctx);
}

void bs_sha256(const void *data, uint32_t len, uint8_t out[BS_SHA256_LEN])
{
    bs_sha256_t ctx;
    bs_sha256_init(&ctx);
    bs_sha256_update(&ctx, data, len);
    bs_sha256_finish(&ctx, out);
}
