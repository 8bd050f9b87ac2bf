/*
 * esp_tls public API: connection life cycle, plain TCP or TLS dispatch and
 * the last-error record.
 */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <http_parser.h>
#include <mbedtls/ssl.h>

#include "esp_log.h"
#include "esp_tls_priv.h"

void tls_capture(esp_tls_t *tls, esp_err_t esp_code, int mbedtls_code)
{
    if (esp_code != 0) {
        tls->last_error.last_error = esp_code;
    }
    if (mbedtls_code != 0) {
        /* Stored positive, as the SDK does (0x7200 for -0x7200). */
        tls->last_error.esp_tls_error_code = mbedtls_code < 0 ? -mbedtls_code : mbedtls_code;
    }
}

esp_tls_t *esp_tls_init(void)
{
    esp_tls_t *tls = calloc(1, sizeof *tls);
    if (tls == NULL) {
        return NULL;
    }
    tls->sockfd = -1;
    tls->deadline_ms = -1;
    tls->error_handle = &tls->last_error;
    return tls;
}

/* The connection steps; returns ESP_OK or the code recorded as last_error. */
static esp_err_t tls_connect(esp_tls_t *tls, const char *host, int port, const esp_tls_cfg_t *cfg)
{
    int timeout_ms = cfg ? cfg->timeout_ms : 0;
    tls->timeout_ms = timeout_ms;
    tls->is_tls = cfg != NULL && !cfg->is_plain_tcp;
    tls->conn_state = ESP_TLS_CONNECTING;
    esp_err_t err = tls_sock_connect(tls, host, port, tls_deadline_after(timeout_ms));
    if (err != ESP_OK) {
        return err;
    }
    if (tls->is_tls) {
        tls->conn_state = ESP_TLS_HANDSHAKE;
        err = tls_mbedtls_setup(tls, host, cfg);
        if (err != ESP_OK) {
            ESP_LOGE(TLS_TAG, "create_ssl_handle failed");
            return err;
        }
        if (tls_mbedtls_handshake(tls, cfg) != 1) {
            return ESP_ERR_MBEDTLS_SSL_HANDSHAKE_FAILED;
        }
    }
    tls->non_block = cfg != NULL && cfg->non_block;
    tls->conn_state = ESP_TLS_DONE;
    return ESP_OK;
}

int esp_tls_conn_new_sync(const char *hostname, int hostlen, int port, const esp_tls_cfg_t *cfg,
                          esp_tls_t *tls)
{
    if (tls == NULL || hostname == NULL || hostlen <= 0) {
        ESP_LOGE(TLS_TAG, "empty esp_tls parameter");
        return -1;
    }
    if (tls->conn_state != ESP_TLS_INIT) {
        ESP_LOGE(TLS_TAG, "invalid esp-tls state %d: a handle connects once", (int)tls->conn_state);
        return -1;
    }
    char *host = strndup(hostname, (size_t)hostlen);
    if (host == NULL) {
        tls_capture(tls, ESP_ERR_NO_MEM, 0);
        return -1;
    }
    esp_err_t err = tls_connect(tls, host, port, cfg);
    free(host);
    if (err != ESP_OK) {
        tls_capture(tls, err, 0);
        tls->conn_state = ESP_TLS_FAIL;
        ESP_LOGE(TLS_TAG, "Failed to open new connection: error 0x%x (%s)", (unsigned)err,
                 esp_err_to_name(err));
        return -1;
    }
    return 1;
}

esp_tls_t *esp_tls_conn_new(const char *hostname, int hostlen, int port, const esp_tls_cfg_t *cfg)
{
    esp_tls_t *tls = esp_tls_init();
    if (tls != NULL && esp_tls_conn_new_sync(hostname, hostlen, port, cfg, tls) != 1) {
        esp_tls_conn_delete(tls);
        tls = NULL;
    }
    return tls;
}

esp_tls_t *esp_tls_conn_http_new(const char *url, const esp_tls_cfg_t *cfg)
{
    struct http_parser_url u;
    http_parser_url_init(&u);
    if (url == NULL || http_parser_parse_url(url, strlen(url), 0, &u) != 0 ||
        !(u.field_set & (1 << UF_HOST)) || !(u.field_set & (1 << UF_SCHEMA))) {
        ESP_LOGE(TLS_TAG, "Error parse url %s", url ? url : "(null)");
        return NULL;
    }
    const char *scheme = url + u.field_data[UF_SCHEMA].off;
    size_t scheme_len = u.field_data[UF_SCHEMA].len;
    bool https = scheme_len == 5 && strncasecmp(scheme, "https", 5) == 0;
    if (!https && !(scheme_len == 4 && strncasecmp(scheme, "http", 4) == 0)) {
        ESP_LOGE(TLS_TAG, "unsupported scheme in %s", url);
        return NULL;
    }
    int port = (u.field_set & (1 << UF_PORT)) ? u.port : (https ? 443 : 80);
    esp_tls_cfg_t plain = {.timeout_ms = cfg ? cfg->timeout_ms : 0, .is_plain_tcp = true};
    esp_tls_cfg_t tls_default = {0}; /* a NULL cfg must not turn https into plain TCP */
    const esp_tls_cfg_t *use = https ? (cfg ? cfg : &tls_default) : &plain;
    return esp_tls_conn_new(url + u.field_data[UF_HOST].off, u.field_data[UF_HOST].len, port, use);
}

ssize_t esp_tls_conn_read(esp_tls_t *tls, void *data, size_t datalen)
{
    if (tls == NULL || data == NULL || tls->conn_state != ESP_TLS_DONE) {
        return MBEDTLS_ERR_SSL_BAD_INPUT_DATA;
    }
    tls->deadline_ms = tls_deadline_after(tls->timeout_ms);
    if (tls->is_tls) {
        return tls_mbedtls_read(tls, data, datalen);
    }
    int ret = tls_sock_recv(tls, data, datalen);
    if (ret < 0 && ret != MBEDTLS_ERR_SSL_TIMEOUT && ret != MBEDTLS_ERR_SSL_WANT_READ) {
        tls_capture(tls, 0, ret);
        ESP_LOGE(TLS_TAG, "read error :%d:", ret);
    }
    return ret;
}

ssize_t esp_tls_conn_write(esp_tls_t *tls, const void *data, size_t datalen)
{
    if (tls == NULL || data == NULL || tls->conn_state != ESP_TLS_DONE) {
        return MBEDTLS_ERR_SSL_BAD_INPUT_DATA;
    }
    tls->deadline_ms = tls_deadline_after(tls->timeout_ms);
    if (tls->is_tls) {
        return tls_mbedtls_write(tls, data, datalen);
    }
    size_t written = 0;
    while (written < datalen) {
        int ret = tls_sock_send(tls, (const unsigned char *)data + written, datalen - written);
        if (ret < 0) {
            if (ret != MBEDTLS_ERR_SSL_TIMEOUT && ret != MBEDTLS_ERR_SSL_WANT_WRITE) {
                tls_capture(tls, 0, ret);
                ESP_LOGE(TLS_TAG, "write error :%d:", ret);
            }
            return written > 0 ? (ssize_t)written : ret;
        }
        written += (size_t)ret;
    }
    return (ssize_t)written;
}

void esp_tls_conn_delete(esp_tls_t *tls)
{
    if (tls == NULL) {
        return;
    }
    tls_mbedtls_free(tls);
    if (tls->sockfd >= 0) {
        close(tls->sockfd);
    }
    free(tls);
}

ssize_t esp_tls_get_bytes_avail(esp_tls_t *tls)
{
    if (tls == NULL) {
        ESP_LOGE(TLS_TAG, "empty arg passed to esp_tls_get_bytes_avail()");
        return ESP_FAIL;
    }
    return tls->is_tls && tls->ssl_ready ? (ssize_t)mbedtls_ssl_get_bytes_avail(&tls->ssl) : 0;
}

esp_err_t esp_tls_get_conn_sockfd(esp_tls_t *tls, int *sockfd)
{
    if (tls == NULL || sockfd == NULL) {
        return ESP_ERR_INVALID_ARG;
    }
    *sockfd = tls->sockfd;
    return ESP_OK;
}

esp_err_t esp_tls_get_error_handle(esp_tls_t *tls, esp_tls_error_handle_t *error_handle)
{
    if (tls == NULL || error_handle == NULL) {
        return ESP_ERR_INVALID_ARG;
    }
    *error_handle = tls->error_handle;
    return ESP_OK;
}

esp_err_t esp_tls_get_and_clear_last_error(esp_tls_error_handle_t h, int *esp_tls_code,
                                           int *esp_tls_flags)
{
    if (h == NULL) {
        return ESP_ERR_INVALID_STATE;
    }
    esp_err_t last = h->last_error;
    if (esp_tls_code != NULL) {
        *esp_tls_code = h->esp_tls_error_code;
    }
    if (esp_tls_flags != NULL) {
        *esp_tls_flags = h->esp_tls_flags;
    }
    memset(h, 0, sizeof *h);
    return last;
}
