/*
 * esp_tls over mbedTLS: configuration from esp_tls_cfg_t, handshake, record
 * I/O through our own BIO (timeouts, the IN-content-length model), and the
 * SDK's log lines ("mbedtls_ssl_handshake returned -0x%x", "read error :%d:").
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include <mbedtls/error.h>
#include <mbedtls/net_sockets.h>
#include <mbedtls/ssl.h>
#include <mbedtls/x509.h>

#include "esp_log.h"
#include "esp_system.h"
#include "esp_tls_prefs.h"
#include "esp_tls_priv.h"

_Static_assert(ESP_TLS_ERR_SSL_WANT_READ == MBEDTLS_ERR_SSL_WANT_READ, "SDK value");
_Static_assert(ESP_TLS_ERR_SSL_WANT_WRITE == MBEDTLS_ERR_SSL_WANT_WRITE, "SDK value");
_Static_assert(ESP_TLS_ERR_SSL_TIMEOUT == MBEDTLS_ERR_SSL_TIMEOUT, "SDK value");
_Static_assert(ESP_TLS_MFL_4096 == MBEDTLS_SSL_MAX_FRAG_LEN_4096, "mbedTLS value");

#define IN_CONTENT_LEN_MIN 512 /* the SDK's Kconfig range */
#define IN_CONTENT_LEN_MAX 16384

static mbedtls_x509_crt *s_global_cacert;

/* One random generator for every connection, seeded once from the chip's
 * hardware RNG (esp_fill_random), as ESP-IDF's port does. Debian's default
 * entropy context would bring HAVEGE: 36 KB of state and a timing loop in
 * every seeding (bench: docs/performance.md). mbedTLS's threading support
 * locks the generator for concurrent connections. */
static mbedtls_ctr_drbg_context s_ctr_drbg;
static pthread_once_t s_rng_once = PTHREAD_ONCE_INIT;
static int s_rng_seed_ret;

/* Cipher suite and curve order (esp_tls_prefs.h), built with the generator. */
static tls_prefs_t s_prefs;

static int hardware_entropy(void *ctx, unsigned char *out, size_t len)
{
    (void)ctx;
    esp_fill_random(out, len);
    return 0;
}

static void rng_seed(void)
{
    static const unsigned char pers[] = "esp-tls";
    mbedtls_ctr_drbg_init(&s_ctr_drbg);
    s_rng_seed_ret =
        mbedtls_ctr_drbg_seed(&s_ctr_drbg, hardware_entropy, NULL, pers, sizeof pers - 1);
    tls_prefs_build(&s_prefs);
}

static int bio_send(void *ctx, const unsigned char *buf, size_t len)
{
    return tls_sock_send(ctx, buf, len);
}

/* Every byte from the server passes the record guard before mbedTLS sees it. */
static int bio_recv(void *ctx, unsigned char *buf, size_t len)
{
    esp_tls_t *tls = ctx;
    if (tls->guard.failed) {
        return tls->guard.failed;
    }
    int n = tls_sock_recv(tls, buf, len);
    if (n > 0 && tls_record_guard_feed(&tls->guard, buf, (size_t)n) != 0) {
        return tls->guard.failed;
    }
    return n;
}

/* PEM must reach mbedTLS NUL-terminated; accept a length without the NUL too. */
static int parse_crt(mbedtls_x509_crt *crt, const unsigned char *buf, size_t len)
{
    if (len > 0 && buf[len - 1] != '\0' && memmem(buf, len, "-----BEGIN", 10) != NULL) {
        unsigned char *copy = malloc(len + 1);
        if (copy == NULL) {
            return MBEDTLS_ERR_X509_ALLOC_FAILED;
        }
        memcpy(copy, buf, len);
        copy[len] = '\0';
        int ret = mbedtls_x509_crt_parse(crt, copy, len + 1);
        free(copy);
        return ret;
    }
    return mbedtls_x509_crt_parse(crt, buf, len);
}

static esp_err_t setup_ca(esp_tls_t *tls, const esp_tls_cfg_t *cfg)
{
    if (cfg->use_global_ca_store) {
        if (s_global_cacert == NULL) {
            ESP_LOGE(TLS_TAG, "global_cacert is NULL");
            return ESP_ERR_INVALID_STATE;
        }
        mbedtls_ssl_conf_ca_chain(&tls->conf, s_global_cacert, NULL);
    } else if (cfg->cacert_buf != NULL) {
        int ret = parse_crt(&tls->cacert, cfg->cacert_buf, cfg->cacert_bytes);
        if (ret < 0) {
            ESP_LOGE(TLS_TAG, "mbedtls_x509_crt_parse returned -0x%x", -ret);
            tls_capture(tls, 0, ret);
            return ESP_ERR_MBEDTLS_X509_CRT_PARSE_FAILED;
        }
        mbedtls_ssl_conf_ca_chain(&tls->conf, &tls->cacert, NULL);
    } else {
        /* The SDK's behaviour without a CA; esp_https_ota refuses this case. */
        ESP_LOGW(TLS_TAG, "no CA certificate given: the server will not be verified");
        mbedtls_ssl_conf_authmode(&tls->conf, MBEDTLS_SSL_VERIFY_NONE);
        return ESP_OK;
    }
    mbedtls_ssl_conf_authmode(&tls->conf, MBEDTLS_SSL_VERIFY_REQUIRED);
    return ESP_OK;
}

static esp_err_t setup_client_cert(esp_tls_t *tls, const esp_tls_cfg_t *cfg)
{
    if (cfg->clientcert_buf == NULL && cfg->clientkey_buf == NULL) {
        return ESP_OK;
    }
    if (cfg->clientcert_buf == NULL || cfg->clientkey_buf == NULL) {
        ESP_LOGE(TLS_TAG, "You have to provide both clientcert_buf and clientkey_buf for mutual "
                          "authentication");
        return ESP_ERR_INVALID_STATE;
    }
    int ret = parse_crt(&tls->clientcert, cfg->clientcert_buf, cfg->clientcert_bytes);
    if (ret < 0) {
        ESP_LOGE(TLS_TAG, "mbedtls_x509_crt_parse returned -0x%x", -ret);
        tls_capture(tls, 0, ret);
        return ESP_ERR_MBEDTLS_X509_CRT_PARSE_FAILED;
    }
    ret = mbedtls_pk_parse_key(&tls->clientkey, cfg->clientkey_buf, cfg->clientkey_bytes,
                               cfg->clientkey_password, cfg->clientkey_password_len);
    if (ret < 0) {
        ESP_LOGE(TLS_TAG, "mbedtls_pk_parse_keyfile returned -0x%x", -ret);
        tls_capture(tls, 0, ret);
        return ESP_ERR_MBEDTLS_PK_PARSE_KEY_FAILED;
    }
    ret = mbedtls_ssl_conf_own_cert(&tls->conf, &tls->clientcert, &tls->clientkey);
    if (ret < 0) {
        ESP_LOGE(TLS_TAG, "mbedtls_ssl_conf_own_cert returned -0x%x", -ret);
        tls_capture(tls, 0, ret);
        return ESP_ERR_MBEDTLS_SSL_CONF_OWN_CERT_FAILED;
    }
    return ESP_OK;
}

/* The device's buffer size, and the MFL it may ask for (never above the buffer:
 * its mbedtls_ssl_conf_max_frag_len refuses that with -0x7100). */
/* A project's sdkconfig sets the device's buffer, as on the SDK. */
#ifdef CONFIG_MBEDTLS_SSL_IN_CONTENT_LEN
#define DEVICE_IN_CONTENT_LEN CONFIG_MBEDTLS_SSL_IN_CONTENT_LEN
#else
#define DEVICE_IN_CONTENT_LEN ESP_TLS_DEFAULT_IN_CONTENT_LEN
#endif

/* CONFIG_MBEDTLS_SSL_MAX_FRAGMENT_LENGTH: ask for the largest MFL the buffer holds. */
static int config_mfl_code(int in_len)
{
#ifdef CONFIG_MBEDTLS_SSL_MAX_FRAGMENT_LENGTH
    for (int code = ESP_TLS_MFL_4096; code >= ESP_TLS_MFL_512; code--) {
        if ((256 << code) <= in_len) {
            return in_len >= 16384 ? ESP_TLS_MFL_NONE : code;
        }
    }
#endif
    (void)in_len;
    return ESP_TLS_MFL_NONE;
}

static esp_err_t setup_record_sizes(esp_tls_t *tls, const esp_tls_cfg_t *cfg)
{
    int in_len = cfg->in_content_len ? cfg->in_content_len : DEVICE_IN_CONTENT_LEN;
    if (in_len < IN_CONTENT_LEN_MIN || in_len > IN_CONTENT_LEN_MAX) {
        ESP_LOGE(TLS_TAG, "in_content_len %d outside %d..%d", in_len, IN_CONTENT_LEN_MIN,
                 IN_CONTENT_LEN_MAX);
        return ESP_ERR_INVALID_ARG;
    }
    tls_record_guard_init(&tls->guard, (uint32_t)in_len);
    int mfl_code = cfg->mfl_code != ESP_TLS_MFL_NONE ? (int)cfg->mfl_code : config_mfl_code(in_len);
    if (mfl_code == ESP_TLS_MFL_NONE) {
        return ESP_OK;
    }
    int mfl_len = mfl_code <= ESP_TLS_MFL_4096 ? 256 << mfl_code : 0;
    int ret = mfl_len > 0 && mfl_len <= in_len
                  ? mbedtls_ssl_conf_max_frag_len(&tls->conf, (unsigned char)mfl_code)
                  : MBEDTLS_ERR_SSL_BAD_INPUT_DATA;
    if (ret != 0) {
        ESP_LOGE(TLS_TAG,
                 "mbedtls_ssl_conf_max_frag_len returned -0x%x (mfl_code %d = %d bytes, "
                 "in_content_len %d)",
                 -ret, mfl_code, mfl_len, in_len);
        tls_capture(tls, 0, ret);
        return ESP_ERR_INVALID_ARG;
    }
    return ESP_OK;
}

static esp_err_t setup_conf(esp_tls_t *tls, const esp_tls_cfg_t *cfg)
{
    (void)pthread_once(&s_rng_once, rng_seed); /* fails only on misuse of the once control */
    int ret = s_rng_seed_ret;
    if (ret != 0) {
        ESP_LOGE(TLS_TAG, "mbedtls_ctr_drbg_seed returned -0x%x", -ret);
        tls_capture(tls, 0, ret);
        return ESP_ERR_MBEDTLS_CTR_DRBG_SEED_FAILED;
    }
    ret = mbedtls_ssl_config_defaults(&tls->conf, MBEDTLS_SSL_IS_CLIENT,
                                      MBEDTLS_SSL_TRANSPORT_STREAM, MBEDTLS_SSL_PRESET_DEFAULT);
    if (ret != 0) {
        ESP_LOGE(TLS_TAG, "mbedtls_ssl_config_defaults returned -0x%x", -ret);
        tls_capture(tls, 0, ret);
        return ESP_ERR_MBEDTLS_SSL_CONFIG_DEFAULTS_FAILED;
    }
    mbedtls_ssl_conf_rng(&tls->conf, mbedtls_ctr_drbg_random, &s_ctr_drbg);
    tls_prefs_apply(&tls->conf, &s_prefs);
    /* TLS 1.2 only: older versions are what a server downgrade would aim for. */
    mbedtls_ssl_conf_min_version(&tls->conf, MBEDTLS_SSL_MAJOR_VERSION_3,
                                 MBEDTLS_SSL_MINOR_VERSION_3);
    if (cfg->alpn_protos != NULL) {
        ret = mbedtls_ssl_conf_alpn_protocols(&tls->conf, cfg->alpn_protos);
        if (ret != 0) {
            ESP_LOGE(TLS_TAG, "mbedtls_ssl_conf_alpn_protocols returned -0x%x", -ret);
            tls_capture(tls, 0, ret);
            return ESP_ERR_MBEDTLS_SSL_CONF_ALPN_PROTOCOLS_FAILED;
        }
    }
    esp_err_t err = setup_record_sizes(tls, cfg);
    if (err == ESP_OK) {
        err = setup_ca(tls, cfg);
    }
    if (err == ESP_OK) {
        err = setup_client_cert(tls, cfg);
    }
    return err;
}

esp_err_t tls_mbedtls_setup(esp_tls_t *tls, const char *host, const esp_tls_cfg_t *cfg)
{
    mbedtls_ssl_init(&tls->ssl);
    mbedtls_ssl_config_init(&tls->conf);
    mbedtls_x509_crt_init(&tls->cacert);
    mbedtls_x509_crt_init(&tls->clientcert);
    mbedtls_pk_init(&tls->clientkey);
    tls->ssl_ready = true;

    esp_err_t err = setup_conf(tls, cfg);
    if (err != ESP_OK) {
        return err;
    }
    int ret = mbedtls_ssl_setup(&tls->ssl, &tls->conf);
    if (ret != 0) {
        ESP_LOGE(TLS_TAG, "mbedtls_ssl_setup returned -0x%x", -ret);
        tls_capture(tls, 0, ret);
        return ESP_ERR_MBEDTLS_SSL_SETUP_FAILED;
    }
    if (!cfg->skip_common_name) {
        /* Also the SNI name; the certificate's CN or a DNS SAN must match it. */
        ret = mbedtls_ssl_set_hostname(&tls->ssl, cfg->common_name ? cfg->common_name : host);
        if (ret != 0) {
            ESP_LOGE(TLS_TAG, "mbedtls_ssl_set_hostname returned -0x%x", -ret);
            tls_capture(tls, 0, ret);
            return ESP_ERR_MBEDTLS_SSL_SET_HOSTNAME_FAILED;
        }
    }
    mbedtls_ssl_set_bio(&tls->ssl, tls, bio_send, bio_recv, NULL);
    return ESP_OK;
}

/* After a failed handshake: say why the certificate was refused, as the SDK does. */
static void log_verify_result(esp_tls_t *tls)
{
    uint32_t flags = mbedtls_ssl_get_verify_result(&tls->ssl);
    if (flags == 0 || flags == (uint32_t)-1) {
        return; /* verified, or the handshake never got to the certificate */
    }
    char buf[256];
    ESP_LOGI(TLS_TAG, "Failed to verify peer certificate!");
    tls->last_error.esp_tls_flags = (int)flags;
    mbedtls_x509_crt_verify_info(buf, sizeof buf, "  ! ", flags);
    size_t n = strlen(buf);
    if (n > 0 && buf[n - 1] == '\n') {
        buf[n - 1] = '\0';
    }
    ESP_LOGI(TLS_TAG, "verification info: %s", buf);
}

int tls_mbedtls_handshake(esp_tls_t *tls, const esp_tls_cfg_t *cfg)
{
    int ret;
    tls->deadline_ms = tls_deadline_after(cfg->timeout_ms);
    do {
        ret = mbedtls_ssl_handshake(&tls->ssl);
    } while (ret == MBEDTLS_ERR_SSL_WANT_READ || ret == MBEDTLS_ERR_SSL_WANT_WRITE);
    if (ret == 0) {
        ESP_LOGD(TLS_TAG, "handshake done: %s %s, max fragment %u",
                 mbedtls_ssl_get_version(&tls->ssl), mbedtls_ssl_get_ciphersuite(&tls->ssl),
                 (unsigned)mbedtls_ssl_get_input_max_frag_len(&tls->ssl));
        return 1;
    }
    ESP_LOGE(TLS_TAG, "mbedtls_ssl_handshake returned -0x%x", -ret);
    tls_capture(tls, ESP_ERR_MBEDTLS_SSL_HANDSHAKE_FAILED, ret);
    if (ret == MBEDTLS_ERR_SSL_TIMEOUT) {
        ESP_LOGE(TLS_TAG, "no handshake answer within %d ms", cfg->timeout_ms);
    }
    log_verify_result(tls);
    return -1;
}

ssize_t tls_mbedtls_read(esp_tls_t *tls, void *data, size_t len)
{
    int ret = mbedtls_ssl_read(&tls->ssl, data, len);
    if (ret >= 0) {
        if (ret == 0 && tls->peer_eof) {
            /* A truncation is indistinguishable from the end here: the caller's
             * framing (Content-Length, chunks, image checks) must catch it. */
            ESP_LOGW(TLS_TAG, "peer closed the connection without close_notify");
        }
        return ret;
    }
    if (ret == MBEDTLS_ERR_SSL_PEER_CLOSE_NOTIFY) {
        return 0;
    }
    if (ret != MBEDTLS_ERR_SSL_WANT_READ && ret != MBEDTLS_ERR_SSL_WANT_WRITE &&
        ret != MBEDTLS_ERR_SSL_TIMEOUT) {
        tls_capture(tls, 0, ret);
        ESP_LOGE(TLS_TAG, "read error :%d:", ret);
    }
    return ret;
}

ssize_t tls_mbedtls_write(esp_tls_t *tls, const void *data, size_t len)
{
    const unsigned char *p = data;
    size_t written = 0;
    while (written < len) {
        int ret = mbedtls_ssl_write(&tls->ssl, p + written, len - written);
        if (ret > 0) {
            written += (size_t)ret;
            continue;
        }
        if (ret == MBEDTLS_ERR_SSL_WANT_READ || ret == MBEDTLS_ERR_SSL_WANT_WRITE ||
            ret == MBEDTLS_ERR_SSL_TIMEOUT) {
            return written > 0 ? (ssize_t)written : ret;
        }
        tls_capture(tls, ESP_ERR_MBEDTLS_SSL_WRITE_FAILED, ret);
        ESP_LOGE(TLS_TAG, "write error :%d:", ret);
        return written > 0 ? (ssize_t)written : ret;
    }
    return (ssize_t)written;
}

void tls_mbedtls_free(esp_tls_t *tls)
{
    if (!tls->ssl_ready) {
        return;
    }
    if (tls->conn_state == ESP_TLS_DONE && tls->sockfd >= 0) {
        /* Best effort, without waiting on a peer that may be gone. */
        tls->non_block = true;
        (void)mbedtls_ssl_close_notify(&tls->ssl);
    }
    mbedtls_ssl_free(&tls->ssl);
    mbedtls_ssl_config_free(&tls->conf);
    mbedtls_x509_crt_free(&tls->cacert);
    mbedtls_x509_crt_free(&tls->clientcert);
    mbedtls_pk_free(&tls->clientkey);
    tls->ssl_ready = false;
}

esp_err_t esp_tls_init_global_ca_store(void)
{
    if (s_global_cacert == NULL) {
        s_global_cacert = calloc(1, sizeof *s_global_cacert);
        if (s_global_cacert == NULL) {
            ESP_LOGE(TLS_TAG, "global_cacert not allocated");
            return ESP_ERR_NO_MEM;
        }
        mbedtls_x509_crt_init(s_global_cacert);
    }
    return ESP_OK;
}

esp_err_t esp_tls_set_global_ca_store(const unsigned char *cacert_pem_buf,
                                      const unsigned int cacert_pem_bytes)
{
    if (cacert_pem_buf == NULL) {
        ESP_LOGE(TLS_TAG, "cacert_pem_buf is null");
        return ESP_ERR_INVALID_ARG;
    }
    esp_err_t err = esp_tls_init_global_ca_store();
    if (err != ESP_OK) {
        return err;
    }
    int ret = parse_crt(s_global_cacert, cacert_pem_buf, cacert_pem_bytes);
    if (ret < 0) {
        ESP_LOGE(TLS_TAG, "mbedtls_x509_crt_parse returned -0x%x", -ret);
        esp_tls_free_global_ca_store();
        return ESP_ERR_MBEDTLS_X509_CRT_PARSE_FAILED;
    }
    if (ret > 0) {
        ESP_LOGE(TLS_TAG,
                 "mbedtls_x509_crt_parse was partly successful. No. of failed "
                 "certificates: %d",
                 ret);
        return ESP_ERR_MBEDTLS_CERT_PARTLY_OK;
    }
    return ESP_OK;
}

void esp_tls_free_global_ca_store(void)
{
    if (s_global_cacert != NULL) {
        mbedtls_x509_crt_free(s_global_cacert);
        free(s_global_cacert);
        s_global_cacert = NULL;
    }
}
