/* esp_http_client: life cycle, configuration, setters and getters, events. */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "esp_log.h"
#include "http_client_priv.h"

esp_err_t hc_dispatch(esp_http_client_handle_t client, esp_http_client_event_id_t id, void *data,
                      int len)
{
    if (client->event_handler == NULL) {
        return ESP_OK;
    }
    esp_http_client_event_t *e = &client->event;
    e->event_id = id;
    e->client = client;
    e->user_data = client->user_data;
    e->data = data;
    e->data_len = len;
    return client->event_handler(e);
}

esp_err_t hc_fail(esp_http_client_handle_t client, esp_err_t err, const char *what)
{
    ESP_LOGE(HTTP_TAG, "%s: error 0x%x (%s)", what, (unsigned)err, esp_err_to_name(err));
    hc_dispatch(client, HTTP_EVENT_ERROR, NULL, 0);
    return err;
}

/* The copied parts of config; the target itself comes from url or host/path. */
static void apply_settings(esp_http_client_handle_t c, const esp_http_client_config_t *cfg)
{
    c->method = cfg->method;
    c->auth_type = cfg->auth_type;
    c->cert_pem = cfg->cert_pem;
    c->client_cert_pem = cfg->client_cert_pem;
    c->client_key_pem = cfg->client_key_pem;
    c->timeout_ms = cfg->timeout_ms ? cfg->timeout_ms : HTTP_DEFAULT_TIMEOUT_MS;
    c->buffer_size_rx = cfg->buffer_size > 0 ? cfg->buffer_size : DEFAULT_HTTP_BUF_SIZE;
    c->buffer_size_tx = cfg->buffer_size_tx > 0 ? cfg->buffer_size_tx : DEFAULT_HTTP_BUF_SIZE;
    c->max_redirection_count =
        cfg->max_redirection_count ? cfg->max_redirection_count : HTTP_DEFAULT_MAX_REDIRECT;
    c->disable_auto_redirect = cfg->disable_auto_redirect;
    c->use_global_ca_store = cfg->use_global_ca_store;
    c->skip_cert_common_name_check = cfg->skip_cert_common_name_check;
    c->in_content_len = cfg->in_content_len;
    c->mfl_code = cfg->mfl_code;
    c->event_handler = cfg->event_handler;
    c->user_data = cfg->user_data;
    c->status_code = -1;
    c->content_length = -1;
    if (cfg->is_async) {
        ESP_LOGW(HTTP_TAG, "is_async is not supported on the host: requests block");
    }
}

/* Target from host/port/path/query when no URL is given. */
static esp_err_t apply_host_path(esp_http_client_handle_t c, const esp_http_client_config_t *cfg)
{
    bool ssl = cfg->transport_type == HTTP_TRANSPORT_OVER_SSL;
    c->scheme = strdup(ssl ? "https" : "http");
    c->host = strdup(cfg->host);
    c->path = strdup(cfg->path ? cfg->path : "/");
    c->query = hc_strdup_or_null(cfg->query);
    c->port = cfg->port ? cfg->port : (ssl ? HTTPS_DEFAULT_PORT : HTTP_DEFAULT_PORT);
    if (c->scheme == NULL || c->host == NULL || c->path == NULL ||
        (cfg->query != NULL && c->query == NULL)) {
        return ESP_ERR_NO_MEM;
    }
    return hc_url_set_host_header(c);
}

static esp_err_t apply_target(esp_http_client_handle_t c, const esp_http_client_config_t *cfg)
{
    esp_err_t err;
    if (cfg->url != NULL) {
        err = hc_url_apply(c, cfg->url);
    } else if (cfg->host != NULL) {
        err = apply_host_path(c, cfg);
    } else {
        ESP_LOGE(HTTP_TAG, "config should have either URL or host & path");
        return ESP_ERR_INVALID_ARG;
    }
    if (err == ESP_OK && cfg->username != NULL) {
        err = esp_http_client_set_username(c, cfg->username);
    }
    if (err == ESP_OK && cfg->password != NULL) {
        err = esp_http_client_set_password(c, (char *)cfg->password);
    }
    return err;
}

esp_http_client_handle_t esp_http_client_init(const esp_http_client_config_t *config)
{
    if (config == NULL) {
        ESP_LOGE(HTTP_TAG, "config must not be NULL");
        return NULL;
    }
    esp_http_client_handle_t c = calloc(1, sizeof *c);
    if (c == NULL) {
        ESP_LOGE(HTTP_TAG, "Error allocate memory");
        return NULL;
    }
    apply_settings(c, config);
    if (hc_header_set(&c->headers, "User-Agent", HTTP_DEFAULT_USER_AGENT) != ESP_OK ||
        apply_target(c, config) != ESP_OK) {
        ESP_LOGE(HTTP_TAG, "Error set configurations");
        esp_http_client_cleanup(c);
        return NULL;
    }
    hc_response_init_parser(c);
    return c;
}

esp_err_t esp_http_client_close(esp_http_client_handle_t client)
{
    if (client == NULL) {
        return ESP_ERR_INVALID_ARG;
    }
    if (client->tls != NULL) {
        esp_tls_error_handle_t h = NULL;
        if (esp_tls_get_error_handle(client->tls, &h) == ESP_OK) {
            client->tls_error = *h;
        }
        esp_tls_conn_delete(client->tls);
        client->tls = NULL;
        free(client->conn_host);
        client->conn_host = NULL;
        /* As the SDK: the event carries the transport's error record. */
        hc_dispatch(client, HTTP_EVENT_DISCONNECTED, &client->tls_error, 0);
    }
    client->state = HC_STATE_INIT;
    client->rx_len = client->rx_off = 0;
    return ESP_OK;
}

esp_err_t esp_http_client_cleanup(esp_http_client_handle_t client)
{
    if (client == NULL) {
        return ESP_FAIL;
    }
    esp_http_client_close(client);
    hc_header_free_all(&client->headers);
    if (client->password != NULL) {
        memset(client->password, 0, strlen(client->password));
    }
    free(client->scheme), free(client->host), free(client->path), free(client->query);
    free(client->username), free(client->password);
    free(client->rx_buf), free(client->hdr_key), free(client->hdr_value);
    free(client->location), free(client->auth_header);
    free(client);
    return ESP_OK;
}

esp_err_t esp_http_client_set_url(esp_http_client_handle_t client, const char *url)
{
    if (client == NULL || url == NULL) {
        ESP_LOGE(HTTP_TAG, "client or url must not NULL");
        return ESP_ERR_INVALID_ARG;
    }
    /* A URL set by the caller starts a new request chain. */
    client->redirect_counter = 0;
    return hc_url_apply(client, url);
}

esp_err_t esp_http_client_set_header(esp_http_client_handle_t client, const char *key,
                                     const char *value)
{
    return client ? hc_header_set(&client->headers, key, value) : ESP_ERR_INVALID_ARG;
}

esp_err_t esp_http_client_get_header(esp_http_client_handle_t client, const char *key, char **value)
{
    if (client == NULL || key == NULL || value == NULL) {
        return ESP_ERR_INVALID_ARG;
    }
    *value = (char *)hc_header_get(client->headers, key);
    return ESP_OK;
}

esp_err_t esp_http_client_delete_header(esp_http_client_handle_t client, const char *key)
{
    return client ? hc_header_set(&client->headers, key, NULL) : ESP_ERR_INVALID_ARG;
}

static esp_err_t replace_string(char **dst, const char *src)
{
    char *copy = hc_strdup_or_null(src);
    if (src != NULL && copy == NULL) {
        return ESP_ERR_NO_MEM;
    }
    free(*dst);
    *dst = copy;
    return ESP_OK;
}

esp_err_t esp_http_client_get_username(esp_http_client_handle_t client, char **value)
{
    if (client == NULL || value == NULL) {
        ESP_LOGE(HTTP_TAG, "client or value must not be NULL");
        return ESP_ERR_INVALID_ARG;
    }
    *value = client->username;
    return ESP_OK;
}

esp_err_t esp_http_client_set_username(esp_http_client_handle_t client, const char *username)
{
    return client ? replace_string(&client->username, username) : ESP_ERR_INVALID_ARG;
}

esp_err_t esp_http_client_get_password(esp_http_client_handle_t client, char **value)
{
    if (client == NULL || value == NULL) {
        ESP_LOGE(HTTP_TAG, "client or value must not be NULL");
        return ESP_ERR_INVALID_ARG;
    }
    *value = client->password;
    return ESP_OK;
}

esp_err_t esp_http_client_set_password(esp_http_client_handle_t client, char *password)
{
    if (client == NULL) {
        return ESP_ERR_INVALID_ARG;
    }
    if (client->password != NULL) {
        memset(client->password, 0, strlen(client->password));
    }
    return replace_string(&client->password, password);
}

esp_err_t esp_http_client_set_authtype(esp_http_client_handle_t client,
                                       esp_http_client_auth_type_t auth_type)
{
    if (client == NULL) {
        return ESP_ERR_INVALID_ARG;
    }
    client->auth_type = auth_type;
    return ESP_OK;
}

esp_err_t esp_http_client_set_method(esp_http_client_handle_t client,
                                     esp_http_client_method_t method)
{
    if (client == NULL || method >= HTTP_METHOD_MAX) {
        return ESP_ERR_INVALID_ARG;
    }
    client->method = method;
    return ESP_OK;
}

esp_err_t esp_http_client_set_post_field(esp_http_client_handle_t client, const char *data, int len)
{
    if (client == NULL) {
        return ESP_ERR_INVALID_ARG;
    }
    client->post_data = data;
    client->post_len = data ? len : 0;
    if (data == NULL) {
        return hc_header_set(&client->headers, "Content-Type", NULL);
    }
    if (hc_header_get(client->headers, "Content-Type") == NULL) {
        return hc_header_set(&client->headers, "Content-Type", "application/x-www-form-urlencoded");
    }
    return ESP_OK;
}

int esp_http_client_get_post_field(esp_http_client_handle_t client, char **data)
{
    if (client == NULL || data == NULL || client->post_data == NULL) {
        return 0;
    }
    *data = (char *)client->post_data;
    return client->post_len;
}

int esp_http_client_get_status_code(esp_http_client_handle_t client)
{
    return client ? client->status_code : -1;
}

int esp_http_client_get_content_length(esp_http_client_handle_t client)
{
    if (client == NULL || client->content_length < 0 || client->body == HC_BODY_CHUNKED) {
        return -1;
    }
    return client->content_length > 0x7fffffff ? 0x7fffffff : (int)client->content_length;
}

bool esp_http_client_is_chunked_response(esp_http_client_handle_t client)
{
    return client != NULL &&
           (client->body == HC_BODY_CHUNKED || client->body == HC_BODY_UNTIL_CLOSE);
}

bool esp_http_client_is_complete_data_received(esp_http_client_handle_t client)
{
    return client != NULL && client->headers_done && client->message_done && !client->body_failed;
}

esp_http_client_transport_t esp_http_client_get_transport_type(esp_http_client_handle_t client)
{
    if (client == NULL || client->scheme == NULL) {
        return HTTP_TRANSPORT_UNKNOWN;
    }
    if (strcasecmp(client->scheme, "https") == 0) {
        return HTTP_TRANSPORT_OVER_SSL;
    }
    return strcasecmp(client->scheme, "http") == 0 ? HTTP_TRANSPORT_OVER_TCP
                                                   : HTTP_TRANSPORT_UNKNOWN;
}

esp_err_t esp_http_client_get_and_clear_last_tls_error(esp_http_client_handle_t client,
                                                       int *esp_tls_code, int *esp_tls_flags)
{
    if (client == NULL) {
        return ESP_ERR_INVALID_ARG;
    }
    esp_tls_error_handle_t h = &client->tls_error;
    if (client->tls != NULL) {
        (void)esp_tls_get_error_handle(client->tls, &h);
    }
    return esp_tls_get_and_clear_last_error(h, esp_tls_code, esp_tls_flags);
}
