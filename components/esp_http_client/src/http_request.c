/* esp_http_client: connections (new or kept alive), the request head, open and write. */
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "esp_log.h"
#include "http_client_priv.h"

static const char *const s_method_names[HTTP_METHOD_MAX] = {
    "GET",  "POST",   "PUT",       "PATCH",       "DELETE",
    "HEAD", "NOTIFY", "SUBSCRIBE", "UNSUBSCRIBE", "OPTIONS",
};

/* Whether the idle connection can carry the next request. */
static bool can_reuse(esp_http_client_handle_t c, bool want_tls)
{
    if (c->tls == NULL || c->conn_host == NULL || c->conn_tls != want_tls ||
        c->conn_port != c->port || strcasecmp(c->conn_host, c->host) != 0) {
        return false;
    }
    bool idle = c->state == HC_STATE_CONNECTED ||
                (c->state == HC_STATE_RES_DONE && c->keep_alive && !c->body_failed);
    if (!idle || c->rx_off < c->rx_len) {
        return false;
    }
    /* Anything readable on an idle connection is the server's close (FIN or
     * close_notify) or garbage: either way, start afresh. */
    int fd = -1;
    struct pollfd p = {.events = POLLIN};
    if (esp_tls_get_conn_sockfd(c->tls, &fd) != ESP_OK || esp_tls_get_bytes_avail(c->tls) > 0) {
        return false;
    }
    p.fd = fd;
    return poll(&p, 1, 0) == 0;
}

static esp_err_t connect_new(esp_http_client_handle_t c, bool use_tls)
{
    esp_tls_cfg_t cfg = {
        .cacert_pem_buf = (const unsigned char *)c->cert_pem,
        .cacert_pem_bytes = c->cert_pem ? (unsigned)strlen(c->cert_pem) + 1 : 0,
        .clientcert_pem_buf = (const unsigned char *)c->client_cert_pem,
        .clientcert_pem_bytes = c->client_cert_pem ? (unsigned)strlen(c->client_cert_pem) + 1 : 0,
        .clientkey_pem_buf = (const unsigned char *)c->client_key_pem,
        .clientkey_pem_bytes = c->client_key_pem ? (unsigned)strlen(c->client_key_pem) + 1 : 0,
        .timeout_ms = c->timeout_ms,
        .use_global_ca_store = c->use_global_ca_store,
        .skip_common_name = c->skip_cert_common_name_check,
        .is_plain_tcp = !use_tls,
        .in_content_len = c->in_content_len,
        .mfl_code = (esp_tls_mfl_t)c->mfl_code,
    };
    ESP_LOGD(HTTP_TAG, "Begin connect to: %s://%s:%d", c->scheme, c->host, c->port);
    c->tls = esp_tls_init();
    if (c->tls == NULL) {
        return ESP_ERR_NO_MEM;
    }
    if (esp_tls_conn_new_sync(c->host, (int)strlen(c->host), c->port, &cfg, c->tls) != 1) {
        if (use_tls) {
            ESP_LOGE(TRANS_SSL_TAG, "Failed to open a new connection");
        }
        ESP_LOGE(HTTP_TAG, "Connection failed, sock < 0");
        esp_http_client_close(c);
        return ESP_ERR_HTTP_CONNECT;
    }
    c->conn_host = strdup(c->host);
    c->conn_port = c->port;
    c->conn_tls = use_tls;
    c->state = HC_STATE_CONNECTED;
    hc_dispatch(c, HTTP_EVENT_ON_CONNECTED, NULL, 0);
    return ESP_OK;
}

static esp_err_t ensure_connected(esp_http_client_handle_t c)
{
    bool https = strcasecmp(c->scheme, "https") == 0;
    if (!https && strcasecmp(c->scheme, "http") != 0) {
        ESP_LOGE(HTTP_TAG, "No transport found");
        return ESP_ERR_HTTP_INVALID_TRANSPORT;
    }
    c->reused = can_reuse(c, https);
    if (c->reused) {
        ESP_LOGD(HTTP_TAG, "reusing the connection to %s:%d", c->host, c->port);
        return ESP_OK;
    }
    esp_http_client_close(c);
    return connect_new(c, https);
}

/* Request line, the header list, framing and auth headers, blank line. */
static esp_err_t build_head(esp_http_client_handle_t c, int write_len, char **out, size_t *out_len)
{
    char *buf = NULL;
    size_t len = 0, cap = 0;
    char line[96];
    int n = snprintf(line, sizeof line, "%s ", s_method_names[c->method]);
    esp_err_t err = hc_str_append(&buf, &len, &cap, line, (size_t)n);
    err = err ? err : hc_str_append(&buf, &len, &cap, c->path, strlen(c->path));
    if (err == ESP_OK && c->query != NULL) {
        err = hc_str_append(&buf, &len, &cap, "?", 1);
        err = err ? err : hc_str_append(&buf, &len, &cap, c->query, strlen(c->query));
    }
    err = err ? err : hc_str_append(&buf, &len, &cap, " HTTP/1.1\r\n", 11);
    if (err == ESP_OK && (int)len > c->buffer_size_tx) {
        ESP_LOGE(HTTP_TAG, "Out of buffer: request line of %d bytes exceeds buffer_size_tx %d",
                 (int)len, c->buffer_size_tx);
        err = ESP_ERR_INVALID_SIZE;
    }
    err = err ? err : hc_header_append_all(c->headers, &buf, &len, &cap);
    if (err == ESP_OK && write_len != 0) {
        n = write_len > 0 ? snprintf(line, sizeof line, "Content-Length: %d\r\n", write_len)
                          : snprintf(line, sizeof line, "Transfer-Encoding: chunked\r\n");
        err = hc_str_append(&buf, &len, &cap, line, (size_t)n);
    }
    if (err == ESP_OK && c->auth_type == HTTP_AUTH_TYPE_BASIC && c->username != NULL &&
        hc_header_get(c->headers, "Authorization") == NULL) {
        char *value = hc_basic_auth_value(c->username, c->password);
        err = value ? hc_str_append(&buf, &len, &cap, "Authorization: ", 15) : ESP_ERR_NO_MEM;
        err = err ? err : hc_str_append(&buf, &len, &cap, value, strlen(value));
        err = err ? err : hc_str_append(&buf, &len, &cap, "\r\n", 2);
        free(value);
    }
    err = err ? err : hc_str_append(&buf, &len, &cap, "\r\n", 2);
    if (err != ESP_OK) {
        free(buf);
        return err;
    }
    *out = buf;
    *out_len = len;
    return ESP_OK;
}

static int send_all(esp_http_client_handle_t c, const char *data, int len)
{
    int sent = 0;
    while (sent < len) {
        ssize_t n = esp_tls_conn_write(c->tls, data + sent, (size_t)(len - sent));
        if (n <= 0) {
            if (n == ESP_TLS_ERR_SSL_TIMEOUT) {
                ESP_LOGE(HTTP_TAG, "write timed out after %d ms (timeout_ms)", c->timeout_ms);
            }
            return -1;
        }
        sent += (int)n;
    }
    return sent;
}

esp_err_t hc_send_request(esp_http_client_handle_t c, int write_len)
{
    char *head = NULL;
    size_t head_len = 0;
    esp_err_t err = build_head(c, write_len, &head, &head_len);
    if (err != ESP_OK) {
        return err;
    }
    ESP_LOGD(HTTP_TAG, "request head:\n%s", head);
    int sent = send_all(c, head, (int)head_len);
    free(head);
    if (sent < 0) {
        ESP_LOGE(HTTP_TAG, "Error write request");
        esp_http_client_close(c);
        return ESP_ERR_HTTP_WRITE_DATA;
    }
    hc_response_reset(c);
    c->state = HC_STATE_REQ_SENT;
    hc_dispatch(c, HTTP_EVENT_HEADERS_SENT, NULL, 0);
    return ESP_OK;
}

esp_err_t esp_http_client_open(esp_http_client_handle_t client, int write_len)
{
    if (client == NULL) {
        return ESP_ERR_INVALID_ARG;
    }
    esp_err_t err = ensure_connected(client);
    client->req_write_len = write_len;
    if (err == ESP_OK) {
        err = hc_send_request(client, write_len);
    }
    if (err != ESP_OK) {
        return hc_fail(client, err, "esp_http_client_open");
    }
    return ESP_OK;
}

int esp_http_client_write(esp_http_client_handle_t client, const char *buffer, int len)
{
    if (client == NULL || buffer == NULL || len < 0 || client->state != HC_STATE_REQ_SENT) {
        ESP_LOGE(HTTP_TAG, "write: no request open for a body");
        return -1;
    }
    int sent = send_all(client, buffer, len);
    if (sent < 0) {
        hc_fail(client, ESP_ERR_HTTP_WRITE_DATA, "esp_http_client_write");
    }
    return sent;
}
