/*
 * The device's incoming record limit, modelled on the host.
 *
 * On the ESP8266 mbedTLS reads each record into a buffer sized from
 * CONFIG_MBEDTLS_SSL_IN_CONTENT_LEN and rejects a longer record with
 * MBEDTLS_ERR_SSL_INVALID_RECORD (-0x7200, reference §8). Debian's mbedTLS
 * has fixed 16 KB buffers that cannot be shrunk at run time, so the check
 * runs here instead, on the raw bytes the BIO hands to mbedTLS: the checks
 * are the ones of ssl_parse_record_header() in the SDK's mbedTLS 2.16.
 */
#include <string.h>

#include <mbedtls/ssl.h>

#include "esp_log.h"
#include "esp_tls_priv.h"

#define TLS_RECORD_HEADER_LEN 5
#define TLS_CT_CHANGE_CIPHER_SPEC 20

/*
 * Once a transform is active the device allows
 *   transform->minlen + IN_CONTENT_LEN + 256 (the TLS padding allowance).
 * minlen depends on the cipher suite, which the BIO cannot see mid-handshake,
 * so we take the largest of the suites the SDK enables: CBC with an explicit
 * 16-byte IV, a SHA-384 MAC (48) and one padding block (16) = 80; AES-GCM/CCM
 * need 24 and ChaCha20-Poly1305 16. Erring high means we never reject a
 * record the device would accept; the cost is accepting up to 64 bytes more
 * than a device on an AEAD suite would, far below any real record-size gap.
 */
#define TLS_MAX_TRANSFORM_MINLEN 80
#define TLS_PADDING_ALLOWANCE 256

uint32_t tls_record_guard_plain_limit(uint32_t in_content_len)
{
    return in_content_len;
}

uint32_t tls_record_guard_encrypted_limit(uint32_t in_content_len)
{
    return in_content_len + TLS_PADDING_ALLOWANCE + TLS_MAX_TRANSFORM_MINLEN;
}

void tls_record_guard_init(tls_record_guard_t *g, uint32_t in_content_len)
{
    memset(g, 0, sizeof *g);
    g->in_content_len = in_content_len;
}

/* A complete header arrived: accept it or fail as the device would. */
static int guard_check_header(tls_record_guard_t *g)
{
    uint32_t len = ((uint32_t)g->hdr[3] << 8) | g->hdr[4];
    uint32_t limit = g->encrypted ? tls_record_guard_encrypted_limit(g->in_content_len)
                                  : tls_record_guard_plain_limit(g->in_content_len);
    if (len > limit) {
        ESP_LOGE(TLS_TAG,
                 "%s record (type %u) of %u bytes exceeds the device's input buffer: limit %u "
                 "for CONFIG_MBEDTLS_SSL_IN_CONTENT_LEN=%u (-0x%x); negotiate MFL or raise it",
                 g->encrypted ? "encrypted" : "plaintext", (unsigned)g->hdr[0], (unsigned)len,
                 (unsigned)limit, (unsigned)g->in_content_len, -MBEDTLS_ERR_SSL_INVALID_RECORD);
        g->failed = MBEDTLS_ERR_SSL_INVALID_RECORD;
        return g->failed;
    }
    g->body_left = len;
    /* Everything after the server's ChangeCipherSpec record is encrypted. */
    if (g->hdr[0] == TLS_CT_CHANGE_CIPHER_SPEC) {
        g->encrypted = true;
    }
    return 0;
}

int tls_record_guard_feed(tls_record_guard_t *g, const uint8_t *buf, size_t len)
{
    size_t i = 0;
    while (i < len && !g->failed) {
        if (g->body_left > 0) {
            size_t take = len - i < g->body_left ? len - i : g->body_left;
            g->body_left -= (uint32_t)take;
            i += take;
            continue;
        }
        g->hdr[g->hdr_have++] = buf[i++];
        if (g->hdr_have == TLS_RECORD_HEADER_LEN) {
            g->hdr_have = 0;
            if (guard_check_header(g) != 0) {
                break;
            }
        }
    }
    return g->failed;
}
