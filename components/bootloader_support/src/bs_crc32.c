/* Bitwise CRC-32: the core checksums 4-byte otadata words, so a 1 KB table
 * in scarce DRAM would cost more than the cycles it saves. */
#include "bs_crc32.h"

#define CRC32_POLY_REFLECTED 0xEDB88320u

uint32_t bs_crc32_le(uint32_t crc, const uint8_t *buf, uint32_t len)
{
    crc = ~crc;
    for (uint32_t i = 0; i < len; i++) {
        crc ^= buf[i];
        for (int bit = 0; bit < 8; bit++) {
            /* Branch-free: mask is all ones when the low bit is set. */
            uint32_t mask = 0u - (crc & 1u);
            crc = (crc >> 1) ^ (CRC32_POLY_REFLECTED & mask);
        }
    }
    return ~crc;
}
