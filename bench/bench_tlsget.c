/*
 * bench_tlsget HOST PORT PATH CA.pem: the TLS library's floor. A bare
 * mbedTLS HTTPS GET (default configuration but esp_tls's cipher suite and
 * curve order, esp_tls_prefs.h; TCP_NODELAY, CA check, body read
 * in 1 KB pieces and dropped), with the allocator counted as in bench_ota.
 * Prints one line of key=value: body bytes, times in ms, peak heap.
 */
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include <mbedtls/ctr_drbg.h>
#include <mbedtls/entropy.h>
#include <mbedtls/net_sockets.h>
#include <mbedtls/ssl.h>
#include <mbedtls/x509_crt.h>

#include "bench_alloc.h"
#include "bench_clock.h"
#include "esp_tls_prefs.h"

static int fail(const char *what, int ret)
{
    fprintf(stderr, "bench_tlsget: %s returned -0x%x\n", what, (unsigned)-ret);
    return 1;
}

int main(int argc, char **argv)
{
    if (argc != 5) {
        fprintf(stderr, "usage: bench_tlsget HOST PORT PATH CA.pem\n");
        return 2;
    }
    const char *host = argv[1], *port = argv[2], *path = argv[3];
    size_t heap0 = bench_heap()->current;
    bench_heap_reset_peak();
    double t0 = now_ms();

    mbedtls_net_context net;
    mbedtls_ssl_context ssl;
    mbedtls_ssl_config conf;
    mbedtls_x509_crt ca;
    mbedtls_entropy_context entropy;
    mbedtls_ctr_drbg_context drbg;
    mbedtls_net_init(&net);
    mbedtls_ssl_init(&ssl);
    mbedtls_ssl_config_init(&conf);
    mbedtls_x509_crt_init(&ca);
    mbedtls_entropy_init(&entropy);
    mbedtls_ctr_drbg_init(&drbg);
    int ret;
    if ((ret = mbedtls_ctr_drbg_seed(&drbg, mbedtls_entropy_func, &entropy, NULL, 0)) != 0) {
        return fail("mbedtls_ctr_drbg_seed", ret);
    }
    if ((ret = mbedtls_x509_crt_parse_file(&ca, argv[4])) != 0) {
        return fail("mbedtls_x509_crt_parse_file", ret);
    }
    if ((ret = mbedtls_ssl_config_defaults(&conf, MBEDTLS_SSL_IS_CLIENT,
                                           MBEDTLS_SSL_TRANSPORT_STREAM,
                                           MBEDTLS_SSL_PRESET_DEFAULT)) != 0) {
        return fail("mbedtls_ssl_config_defaults", ret);
    }
    mbedtls_ssl_conf_authmode(&conf, MBEDTLS_SSL_VERIFY_REQUIRED);
    mbedtls_ssl_conf_ca_chain(&conf, &ca, NULL);
    mbedtls_ssl_conf_rng(&conf, mbedtls_ctr_drbg_random, &drbg);
    /* esp_tls's cipher suite and curve order: the same TLS work as the OTA. */
    static tls_prefs_t prefs;
    tls_prefs_build(&prefs);
    tls_prefs_apply(&conf, &prefs);
    if ((ret = mbedtls_ssl_setup(&ssl, &conf)) != 0 ||
        (ret = mbedtls_ssl_set_hostname(&ssl, host)) != 0) {
        return fail("mbedtls_ssl_setup", ret);
    }
    if ((ret = mbedtls_net_connect(&net, host, port, MBEDTLS_NET_PROTO_TCP)) != 0) {
        return fail("mbedtls_net_connect", ret);
    }
    int one = 1;
    setsockopt(net.fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    mbedtls_ssl_set_bio(&ssl, &net, mbedtls_net_send, mbedtls_net_recv, NULL);
    while ((ret = mbedtls_ssl_handshake(&ssl)) != 0) {
        if (ret != MBEDTLS_ERR_SSL_WANT_READ && ret != MBEDTLS_ERR_SSL_WANT_WRITE) {
            return fail("mbedtls_ssl_handshake", ret);
        }
    }
    double t_hs = now_ms();
    char req[512];
    int len = snprintf(req, sizeof req,
                       "GET %s HTTP/1.1\r\nHost: %s:%s\r\nConnection: close\r\n\r\n", path, host,
                       port);
    for (int off = 0; off < len;) {
        ret = mbedtls_ssl_write(&ssl, (const unsigned char *)req + off, (size_t)(len - off));
        if (ret < 0) {
            return fail("mbedtls_ssl_write", ret);
        }
        off += ret;
    }
    unsigned char buf[1024];
    size_t total = 0;
    for (;;) {
        ret = mbedtls_ssl_read(&ssl, buf, sizeof buf);
        if (ret == MBEDTLS_ERR_SSL_WANT_READ || ret == MBEDTLS_ERR_SSL_WANT_WRITE) {
            continue;
        }
        if (ret == 0 || ret == MBEDTLS_ERR_SSL_PEER_CLOSE_NOTIFY) {
            break;
        }
        if (ret < 0) {
            return fail("mbedtls_ssl_read", ret);
        }
        total += (size_t)ret;
    }
    double t_end = now_ms();
    size_t peak = bench_heap()->peak - heap0;
    const char *suite = mbedtls_ssl_get_ciphersuite(&ssl);
    mbedtls_ssl_close_notify(&ssl);
    mbedtls_net_free(&net);
    mbedtls_ssl_free(&ssl);
    mbedtls_ssl_config_free(&conf);
    mbedtls_x509_crt_free(&ca);
    mbedtls_ctr_drbg_free(&drbg);
    mbedtls_entropy_free(&entropy);
    printf("tool=tlsget bytes=%zu total_ms=%.3f handshake_ms=%.3f transfer_ms=%.3f heap_peak=%zu "
           "heap_left=%zu cipher=%s\n",
           total, t_end - t0, t_hs - t0, t_end - t_hs, peak, bench_heap()->current - heap0,
           suite ? suite : "?");
    return 0;
}
