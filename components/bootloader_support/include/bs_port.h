#pragma once
/*
 * The portable core's only porting header: little-endian loads and stores
 * and a division helper. Every on-flash integer goes through these; no struct
 * is ever overlaid on flash bytes. lx106's libgcc has no division helpers, so
 * the core never writes "/" or "%" on variables and calls bs_udivmod32.
 */
#include <stdint.h>

static inline uint16_t bs_le16(const uint8_t *p)
{
    return (uint16_t)(p[0] | (p[1] << 8));
}

static inline uint32_t bs_le32(const uint8_t *p)
{
    return (uint32_t)p[0] | ((uint32_t)p[1] << 8) | ((uint32_t)p[2] << 16) | ((uint32_t)p[3] << 24);
}

static inline void bs_put_le16(uint8_t *p, uint16_t v)
{
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
}

static inline void bs_put_le32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
    p[2] = (uint8_t)(v >> 16);
    p[3] = (uint8_t)(v >> 24);
}

/* Shift-and-subtract 32-bit division; d must not be 0. Returns n / d, *rem = n % d. */
uint32_t bs_udivmod32(uint32_t n, uint32_t d, uint32_t *rem);
