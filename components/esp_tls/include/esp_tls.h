#pragma once
/*
 * esp-tls: a TCP or TLS 1.2 client connection with the ESP8266_RTOS_SDK v3.4
 * names and signatures (components/esp-tls/esp_tls.h), on the host's sockets
 * and Debian's mbedTLS 2.28.
 *
 * Where we differ from the SDK:
 * - esp_tls_t is opaque (the SDK exposes mbedTLS members); read and write are
 *   functions rather than inline calls through function pointers.
 * - connect and handshake always block, bounded by cfg->timeout_ms.
 * - the device's incoming record buffer (CONFIG_MBEDTLS_SSL_IN_CONTENT_LEN) is
 *   modelled: a record the device could not hold fails with -0x7200
 *   (MBEDTLS_ERR_SSL_INVALID_RECORD), as on the chip (reference §8).
 * - TCP_NODELAY is set on every socket: without it each handshake stalls
 *   40 ms on delayed ACKs (host-toolchain-notes §2).
 * This header never includes mbedTLS, so any component may include it.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "esp_err.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Values are the SDK's: never renumber. */
#define ESP_ERR_ESP_TLS_BASE 0x8000
#define ESP_ERR_ESP_TLS_CANNOT_RESOLVE_HOSTNAME (ESP_ERR_ESP_TLS_BASE + 0x01)
#define ESP_ERR_ESP_TLS_CANNOT_CREATE_SOCKET (ESP_ERR_ESP_TLS_BASE + 0x02)
#define ESP_ERR_ESP_TLS_UNSUPPORTED_PROTOCOL_FAMILY (ESP_ERR_ESP_TLS_BASE + 0x03)
#define ESP_ERR_ESP_TLS_FAILED_CONNECT_TO_HOST (ESP_ERR_ESP_TLS_BASE + 0x04)
#define ESP_ERR_ESP_TLS_SOCKET_SETOPT_FAILED (ESP_ERR_ESP_TLS_BASE + 0x05)
#define ESP_ERR_MBEDTLS_CERT_PARTLY_OK (ESP_ERR_ESP_TLS_BASE + 0x06)
#define ESP_ERR_MBEDTLS_CTR_DRBG_SEED_FAILED (ESP_ERR_ESP_TLS_BASE + 0x07)
#define ESP_ERR_MBEDTLS_SSL_SET_HOSTNAME_FAILED (ESP_ERR_ESP_TLS_BASE + 0x08)
#define ESP_ERR_MBEDTLS_SSL_CONFIG_DEFAULTS_FAILED (ESP_ERR_ESP_TLS_BASE + 0x09)
#define ESP_ERR_MBEDTLS_SSL_CONF_ALPN_PROTOCOLS_FAILED (ESP_ERR_ESP_TLS_BASE + 0x0A)
#define ESP_ERR_MBEDTLS_X509_CRT_PARSE_FAILED (ESP_ERR_ESP_TLS_BASE + 0x0B)
#define ESP_ERR_MBEDTLS_SSL_CONF_OWN_CERT_FAILED (ESP_ERR_ESP_TLS_BASE + 0x0C)
#define ESP_ERR_MBEDTLS_SSL_SETUP_FAILED (ESP_ERR_ESP_TLS_BASE + 0x0D)
#define ESP_ERR_MBEDTLS_SSL_WRITE_FAILED (ESP_ERR_ESP_TLS_BASE + 0x0E)
#define ESP_ERR_MBEDTLS_PK_PARSE_KEY_FAILED (ESP_ERR_ESP_TLS_BASE + 0x0F)
#define ESP_ERR_MBEDTLS_SSL_HANDSHAKE_FAILED (ESP_ERR_ESP_TLS_BASE + 0x10)
#define ESP_ERR_MBEDTLS_SSL_CONF_PSK_FAILED (ESP_ERR_ESP_TLS_BASE + 0x11)
#define ESP_ERR_ESP_TLS_CONNECTION_TIMEOUT (ESP_ERR_ESP_TLS_BASE + 0x12)

/* Negative results of esp_tls_conn_read/write that are not failures
 * (mbedTLS's values, checked against mbedtls/ssl.h at compile time). */
#define ESP_TLS_ERR_SSL_WANT_READ (-0x6900)
#define ESP_TLS_ERR_SSL_WANT_WRITE (-0x6880)
#define ESP_TLS_ERR_SSL_TIMEOUT (-0x6800)

/* CONFIG_MBEDTLS_SSL_IN_CONTENT_LEN of the SDK's examples (v3.3+ default). */
#define ESP_TLS_DEFAULT_IN_CONTENT_LEN 16384

/* Maximum Fragment Length codes (RFC 6066), as MBEDTLS_SSL_MAX_FRAG_LEN_*. */
typedef enum {
    ESP_TLS_MFL_NONE = 0,
    ESP_TLS_MFL_512 = 1,
    ESP_TLS_MFL_1024 = 2,
    ESP_TLS_MFL_2048 = 3,
    ESP_TLS_MFL_4096 = 4,
} esp_tls_mfl_t;

typedef struct esp_tls_last_error *esp_tls_error_handle_t;

/* The last errors of one connection, as in the SDK. */
typedef struct esp_tls_last_error {
    esp_err_t last_error;   /* ESP_ERR_ESP_TLS_* / ESP_ERR_MBEDTLS_* of the last failure */
    int esp_tls_error_code; /* positive mbedTLS code of the last failure (0x7200 for -0x7200) */
    int esp_tls_flags;      /* certificate verification flags (MBEDTLS_X509_BADCERT_*) */
} esp_tls_last_error_t;

typedef enum esp_tls_conn_state {
    ESP_TLS_INIT = 0,
    ESP_TLS_CONNECTING,
    ESP_TLS_HANDSHAKE,
    ESP_TLS_FAIL,
    ESP_TLS_DONE,
} esp_tls_conn_state_t;

/* Connection settings; the fields up to skip_common_name are the SDK's, in
 * its order (PSK and the certificate bundle are not supported). */
typedef struct esp_tls_cfg {
    const char **alpn_protos; /* NULL-terminated list of ALPN names, or NULL */
    union {
        const unsigned char *cacert_buf; /* CA certificate(s), PEM, NUL-terminated */
        const unsigned char *cacert_pem_buf;
    };
    union {
        unsigned int cacert_bytes; /* including the NUL, as the SDK passes strlen + 1 */
        unsigned int cacert_pem_bytes;
    };
    union {
        const unsigned char *clientcert_buf; /* client certificate for mutual TLS, PEM */
        const unsigned char *clientcert_pem_buf;
    };
    union {
        unsigned int clientcert_bytes;
        unsigned int clientcert_pem_bytes;
    };
    union {
        const unsigned char *clientkey_buf; /* its private key, PEM */
        const unsigned char *clientkey_pem_buf;
    };
    union {
        unsigned int clientkey_bytes;
        unsigned int clientkey_pem_bytes;
    };
    const unsigned char *clientkey_password;
    unsigned int clientkey_password_len;
    bool non_block;           /* after connecting, reads return WANT_READ instead of waiting */
    int timeout_ms;           /* connect, handshake and every read/write; <= 0 waits forever */
    bool use_global_ca_store; /* verify against esp_tls_set_global_ca_store's CAs */
    const char *common_name;  /* name the certificate must carry; NULL: the host name */
    bool skip_common_name;    /* verify the chain but not the name */
    /* ota8266 extensions, appended so the SDK's initialisers still compile. */
    bool is_plain_tcp;      /* no TLS at all (http://); a NULL cfg means the same */
    int in_content_len;     /* device CONFIG_MBEDTLS_SSL_IN_CONTENT_LEN, 512..16384; 0: 16384 */
    esp_tls_mfl_t mfl_code; /* ask the server for records of at most 512..4096 bytes */
} esp_tls_cfg_t;

typedef struct esp_tls esp_tls_t;

/* Allocates an unconnected handle for esp_tls_conn_new_sync; NULL without memory. */
esp_tls_t *esp_tls_init(void);

/*
 * Connects to hostname[0..hostlen) on port and, unless cfg is NULL or
 * cfg->is_plain_tcp, performs the TLS handshake.
 * @return 1 connected; -1 failed (see esp_tls_get_and_clear_last_error).
 */
int esp_tls_conn_new_sync(const char *hostname, int hostlen, int port, const esp_tls_cfg_t *cfg,
                          esp_tls_t *tls);

/* esp_tls_init + esp_tls_conn_new_sync; NULL on failure. */
esp_tls_t *esp_tls_conn_new(const char *hostname, int hostlen, int port, const esp_tls_cfg_t *cfg);

/* Connects to the host and port of an http:// (plain TCP) or https:// URL. */
esp_tls_t *esp_tls_conn_http_new(const char *url, const esp_tls_cfg_t *cfg);

/*
 * Reads up to datalen bytes, waiting at most cfg->timeout_ms.
 * @return bytes read (> 0); 0 when the peer closed (close_notify or TCP FIN);
 *         ESP_TLS_ERR_SSL_TIMEOUT, ESP_TLS_ERR_SSL_WANT_READ (non_block), or
 *         another negative mbedTLS code on failure (-0x7200: record too large
 *         for in_content_len).
 */
ssize_t esp_tls_conn_read(esp_tls_t *tls, void *data, size_t datalen);

/* Writes all of data unless an error or the timeout stops it.
 * @return bytes written, or a negative mbedTLS code when nothing was. */
ssize_t esp_tls_conn_write(esp_tls_t *tls, const void *data, size_t datalen);

/* Closes the connection (sending close_notify) and frees tls; NULL is allowed. */
void esp_tls_conn_delete(esp_tls_t *tls);

/* Decrypted bytes already buffered (readable without waiting); -1 for NULL. */
ssize_t esp_tls_get_bytes_avail(esp_tls_t *tls);

/* The connection's socket. */
esp_err_t esp_tls_get_conn_sockfd(esp_tls_t *tls, int *sockfd);

/* The connection's error record (ESP-IDF v4.4 name). */
esp_err_t esp_tls_get_error_handle(esp_tls_t *tls, esp_tls_error_handle_t *error_handle);

/*
 * Returns h->last_error and, if asked, the mbedTLS code (positive) and the
 * certificate verification flags, then clears them.
 * @return ESP_ERR_INVALID_STATE for a NULL handle.
 */
esp_err_t esp_tls_get_and_clear_last_error(esp_tls_error_handle_t h, int *esp_tls_code,
                                           int *esp_tls_flags);

/* The CA store shared by connections with use_global_ca_store. */
esp_err_t esp_tls_init_global_ca_store(void);
esp_err_t esp_tls_set_global_ca_store(const unsigned char *cacert_pem_buf,
                                      const unsigned int cacert_pem_bytes);
void esp_tls_free_global_ca_store(void);

#ifdef __cplusplus
}
#endif
