/* libcrypto's SHA-256 block function behind the core's SHA-256 interface. */
#define OPENSSL_SUPPRESS_DEPRECATED /* SHA256_CTX: the one allocation-free entry point */
#include "esp_private/sha256_host.h"

#include <openssl/sha.h>
#include <string.h>

#include "bs_sha256.h"

_Static_assert(sizeof(SHA_LONG) == sizeof(uint32_t), "SHA_LONG is a 32-bit word");

/*
 * With nothing buffered (num == 0) and a whole number of blocks, SHA256_Update
 * hands all of them to libcrypto's block routine in one call (SHA-NI, AVX2 or
 * SSSE3, picked at run time) and leaves nothing behind; the message length it
 * counts in Nl/Nh is ignored, the core keeps its own.
 */
static void blocks_libcrypto(uint32_t state[8], const uint8_t *data, uint32_t nblocks)
{
    SHA256_CTX c;
    memset(&c, 0, sizeof c);
    memcpy(c.h, state, sizeof c.h);
    SHA256_Update(&c, data, (size_t)nblocks * 64u);
    memcpy(state, c.h, sizeof c.h);
}

void esp_sha256_host_install(void)
{
    bs_sha256_set_blocks(blocks_libcrypto);
}
