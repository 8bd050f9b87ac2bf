#pragma once
/* Internals shared by the esp_tls source files. */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <mbedtls/ctr_drbg.h>
#include <mbedtls/pk.h>
#include <mbedtls/ssl.h>
#include <mbedtls/x509_crt.h>

#include "esp_tls.h"

#define TLS_TAG "esp-tls"

/*
 * Watches the record headers of the byte stream the server sends, as the
 * device's mbedTLS would size-check them against its fixed input buffer.
 */
typedef struct {
    uint32_t in_content_len;
    uint8_t hdr[5];     /* header bytes of the record being received */
    uint8_t hdr_have;   /* how many of them have arrived */
    uint32_t body_left; /* bytes of the current record body still to come */
    bool encrypted;     /* the server's ChangeCipherSpec has been seen */
    int failed;         /* sticky: 0 or MBEDTLS_ERR_SSL_INVALID_RECORD */
} tls_record_guard_t;

void tls_record_guard_init(tls_record_guard_t *g, uint32_t in_content_len);

/* Accounts for len bytes received from the server; returns 0, or
 * MBEDTLS_ERR_SSL_INVALID_RECORD (logged once) when a record is too large. */
int tls_record_guard_feed(tls_record_guard_t *g, const uint8_t *buf, size_t len);

/* Largest record length the device accepts before (plain) and after
 * (encrypted) the server's ChangeCipherSpec. */
uint32_t tls_record_guard_plain_limit(uint32_t in_content_len);
uint32_t tls_record_guard_encrypted_limit(uint32_t in_content_len);

struct esp_tls {
    int sockfd;
    bool is_tls;
    bool ssl_ready; /* the mbedTLS contexts below are initialised */
    bool non_block;
    int timeout_ms;
    int64_t deadline_ms; /* end of the current operation; -1: none */
    bool peer_eof;       /* recv() saw the TCP FIN */
    esp_tls_conn_state_t conn_state;
    tls_record_guard_t guard;
    mbedtls_ssl_context ssl;
    mbedtls_ssl_config conf;
    mbedtls_x509_crt cacert;
    mbedtls_x509_crt clientcert;
    mbedtls_pk_context clientkey;
    esp_tls_last_error_t last_error;
    esp_tls_error_handle_t error_handle; /* points at last_error */
};

/* Milliseconds of a monotonic clock. */
int64_t tls_now_ms(void);

/* A deadline timeout_ms from now (-1, none, for timeout_ms <= 0), and the
 * poll() timeout left until it (-1 for none, 0 once passed). */
int64_t tls_deadline_after(int timeout_ms);
int tls_poll_timeout(int64_t deadline_ms);

/* Resolves host and connects a non-blocking, TCP_NODELAY socket to it,
 * trying each address until the deadline. Sets *fd or returns an
 * ESP_ERR_ESP_TLS_* code, recording errno in tls->last_error. */
esp_err_t tls_sock_connect(esp_tls_t *tls, const char *host, int port, int64_t deadline_ms);

/* Socket I/O bounded by tls->deadline_ms, in mbedTLS's return convention:
 * bytes, 0 on EOF (recv), MBEDTLS_ERR_SSL_TIMEOUT, MBEDTLS_ERR_SSL_WANT_READ /
 * WANT_WRITE (non-blocking and nothing ready), or MBEDTLS_ERR_NET_*. */
int tls_sock_recv(esp_tls_t *tls, unsigned char *buf, size_t len);
int tls_sock_send(esp_tls_t *tls, const unsigned char *buf, size_t len);

/* mbedTLS glue (esp_tls_mbedtls.c). */
esp_err_t tls_mbedtls_setup(esp_tls_t *tls, const char *host, const esp_tls_cfg_t *cfg);
int tls_mbedtls_handshake(esp_tls_t *tls, const esp_tls_cfg_t *cfg);
ssize_t tls_mbedtls_read(esp_tls_t *tls, void *data, size_t len);
ssize_t tls_mbedtls_write(esp_tls_t *tls, const void *data, size_t len);
void tls_mbedtls_free(esp_tls_t *tls);

/* Records a failure in tls->last_error (either part may be 0: unchanged). */
void tls_capture(esp_tls_t *tls, esp_err_t esp_code, int mbedtls_code);
