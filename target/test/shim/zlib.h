#pragma once
/*
 * Test-only stand-in for zlib's crc32() on lx106, where zlib is not built:
 * the reference the core's CRC-32 is compared with, written apart from it
 * (MSB-first reflection of the normal polynomial 0x04C11DB7, one bit at a
 * time), the same contract as zlib's: crc32(crc, buf, len) continues crc.
 */
#include <stddef.h>
#include <stdint.h>

static inline unsigned long crc32(unsigned long crc, const unsigned char *buf, unsigned len)
{
    uint32_t c = (uint32_t)crc ^ 0xFFFFFFFFu;
    for (unsigned i = 0; i < len; i++) {
        for (int bit = 0; bit < 8; bit++) {
            uint32_t in = ((uint32_t)buf[i] >> bit) & 1u;
            uint32_t lsb = (c ^ in) & 1u;
            c >>= 1;
            if (lsb) {
                /* 0x04C11DB7 bit-reversed */
                c ^= 0xEDB88320u;
            }
        }
    }
    return (unsigned long)(c ^ 0xFFFFFFFFu);
}
