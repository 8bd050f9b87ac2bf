#pragma once
/* CRC-32 (reflected, polynomial 0xEDB88320) with the SDK's crc32_le contract:
 * the seed is inverted on entry and the result on exit, so
 * bs_crc32_le(seed, buf, len) == zlib crc32(seed, buf, len) and
 * bs_crc32_le(0, "123456789", 9) == 0xCBF43926. Table-free (no RAM cost). */
#include <stdint.h>

uint32_t bs_crc32_le(uint32_t crc, const uint8_t *buf, uint32_t len);
