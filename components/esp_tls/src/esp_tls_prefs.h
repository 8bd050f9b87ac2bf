#pragma once
/*
 * The client's preference order for cipher suites and ECDHE curves. Both
 * servers we test against (nginx, openssl s_server) follow the client's
 * order by default. Preferred here: ECDHE with ChaCha20-Poly1305, then
 * AES-128-GCM, then AES-256-GCM; X25519, then P-256 and P-384. Measured with
 * Debian's mbedTLS 2.28 on loopback (docs/performance.md): a 900 KB download
 * takes 3.9 ms of transfer with ChaCha20-Poly1305 and 5.1 ms with AES-128-GCM
 * (mbedTLS's GCM calls AES-NI and PCLMULQDQ one 16-byte block at a time), and
 * a handshake 3.7 ms with X25519 and 4.2 ms with P-256; on the ESP8266, which
 * has no AES unit, ChaCha20 is the faster one as well. Everything else
 * mbedTLS supports follows in its own order, so no server that worked before
 * is refused. Also used by bench/bench_tlsget.c, so that the bare-mbedTLS
 * baseline gets the same settings.
 */
#include <stddef.h>

#include <mbedtls/ecp.h>
#include <mbedtls/ssl.h>
#include <mbedtls/ssl_ciphersuites.h>

#define TLS_PREFS_MAX 512

typedef struct {
    int suites[TLS_PREFS_MAX + 1];                    /* 0-terminated */
    mbedtls_ecp_group_id curves[MBEDTLS_ECP_DP_MAX + 1]; /* MBEDTLS_ECP_DP_NONE-terminated */
} tls_prefs_t;

static inline size_t tls_prefs_put_suite(int *list, size_t n, int id)
{
    for (size_t i = 0; i < n; i++) {
        if (list[i] == id) {
            return n;
        }
    }
    /* Only what this mbedTLS supports (it skips unknown ids, but why list them). */
    for (const int *s = mbedtls_ssl_list_ciphersuites(); *s != 0; s++) {
        if (*s == id && n < TLS_PREFS_MAX) {
            list[n++] = id;
            break;
        }
    }
    return n;
}

static inline size_t tls_prefs_put_curve(mbedtls_ecp_group_id *list, size_t n,
                                         mbedtls_ecp_group_id id)
{
    for (size_t i = 0; i < n; i++) {
        if (list[i] == id) {
            return n;
        }
    }
    for (const mbedtls_ecp_group_id *c = mbedtls_ecp_grp_id_list(); *c != MBEDTLS_ECP_DP_NONE;
         c++) {
        if (*c == id && n < MBEDTLS_ECP_DP_MAX) {
            list[n++] = id;
            break;
        }
    }
    return n;
}

/* Fills p: the preferred entries first, then the rest of mbedTLS's lists. */
static inline void tls_prefs_build(tls_prefs_t *p)
{
    static const int suites[] = {
        MBEDTLS_TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256,
        MBEDTLS_TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256,
        MBEDTLS_TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,
        MBEDTLS_TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,
        MBEDTLS_TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384,
        MBEDTLS_TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384,
    };
    static const mbedtls_ecp_group_id curves[] = {
        MBEDTLS_ECP_DP_CURVE25519,
        MBEDTLS_ECP_DP_SECP256R1,
        MBEDTLS_ECP_DP_SECP384R1,
    };
    size_t n = 0;
    for (size_t i = 0; i < sizeof suites / sizeof suites[0]; i++) {
        n = tls_prefs_put_suite(p->suites, n, suites[i]);
    }
    for (const int *s = mbedtls_ssl_list_ciphersuites(); *s != 0; s++) {
        n = tls_prefs_put_suite(p->suites, n, *s);
    }
    p->suites[n] = 0;
    n = 0;
    for (size_t i = 0; i < sizeof curves / sizeof curves[0]; i++) {
        n = tls_prefs_put_curve(p->curves, n, curves[i]);
    }
    for (const mbedtls_ecp_group_id *c = mbedtls_ecp_grp_id_list(); *c != MBEDTLS_ECP_DP_NONE;
         c++) {
        n = tls_prefs_put_curve(p->curves, n, *c);
    }
    p->curves[n] = MBEDTLS_ECP_DP_NONE;
}

/* p must outlive conf (mbedTLS keeps the pointers). */
static inline void tls_prefs_apply(mbedtls_ssl_config *conf, const tls_prefs_t *p)
{
    mbedtls_ssl_conf_ciphersuites(conf, p->suites);
    mbedtls_ssl_conf_curves(conf, p->curves);
}
