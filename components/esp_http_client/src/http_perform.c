/* esp_http_client: whole exchanges: perform, redirects, Basic auth, open_follow. */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "esp_log.h"
#include "http_client_priv.h"

/* Request (with the post field) and response head; retried once when a
 * kept-alive connection turns out to have been closed by the server. */
static esp_err_t exchange(esp_http_client_handle_t c)
{
    for (int attempt = 0;; attempt++) {
        esp_err_t err = esp_http_client_open(c, c->post_len);
        if (err != ESP_OK) {
            return err;
        }
        if (c->post_len > 0 && esp_http_client_write(c, c->post_data, c->post_len) != c->post_len) {
            return ESP_ERR_HTTP_WRITE_DATA;
        }
        if (esp_http_client_fetch_headers(c) >= 0) {
            return ESP_OK;
        }
        if (attempt > 0 || !c->reused || c->got_bytes) {
            return ESP_ERR_HTTP_FETCH_HEADER;
        }
    }
}

esp_err_t esp_http_client_set_redirection(esp_http_client_handle_t client)
{
    if (client == NULL) {
        return ESP_ERR_INVALID_ARG;
    }
    if (client->location == NULL) {
        ESP_LOGE(HTTP_TAG, "no Location header in the %d response", client->status_code);
        return ESP_ERR_INVALID_ARG;
    }
    if (client->redirect_counter >= client->max_redirection_count) {
        ESP_LOGE(HTTP_TAG, "Error, reach max_redirection_count count=%d", client->redirect_counter);
        return hc_fail(client, ESP_ERR_HTTP_MAX_REDIRECT, "redirect not followed");
    }
    char *location = strdup(client->location);
    if (location == NULL) {
        return ESP_ERR_NO_MEM;
    }
    ESP_LOGD(HTTP_TAG, "Redirect to %s", location);
    esp_err_t err = hc_url_apply(client, location);
    free(location);
    if (err != ESP_OK) {
        return err;
    }
    if (client->status_code == HttpStatus_SeeOther && client->method != HTTP_METHOD_HEAD) {
        /* 303: fetch the other resource with GET, without the body we posted. */
        client->method = HTTP_METHOD_GET;
        client->post_data = NULL;
        client->post_len = 0;
        hc_header_set(&client->headers, "Content-Type", NULL);
    }
    client->redirect_counter++;
    return ESP_OK;
}

void esp_http_client_add_auth(esp_http_client_handle_t client)
{
    if (client == NULL || !client->headers_done) {
        return;
    }
    if (client->auth_header == NULL) {
        client->auth_type = HTTP_AUTH_TYPE_NONE;
        ESP_LOGW(HTTP_TAG, "This request requires authentication, but does not provide header "
                           "information for that");
        return;
    }
    client->redirect_counter++;
    if (strncasecmp(client->auth_header, "Basic", 5) == 0) {
        client->auth_type = HTTP_AUTH_TYPE_BASIC;
    } else {
        client->auth_type = HTTP_AUTH_TYPE_NONE;
        ESP_LOGE(HTTP_TAG, "This authentication method is not supported: %s", client->auth_header);
    }
}

/* Discards a response body we will not hand out; a broken one only costs the connection. */
static void discard_body(esp_http_client_handle_t c)
{
    if (hc_body_drain(c, true) < 0) {
        esp_http_client_close(c);
    }
}

/* A 3xx we can follow; one without Location goes to the caller as it is. */
static bool follows_redirect(esp_http_client_handle_t c)
{
    if (!hc_is_redirect(c->status_code) || c->disable_auto_redirect) {
        return false;
    }
    if (c->location == NULL) {
        ESP_LOGW(HTTP_TAG, "%d response without Location: not followed", c->status_code);
        return false;
    }
    return true;
}

/* After a response head: *again when the request must be repeated (redirect,
 * Basic auth challenge); otherwise this response is the caller's. */
static esp_err_t handle_response(esp_http_client_handle_t c, bool *again)
{
    *again = false;
    if (follows_redirect(c)) {
        discard_body(c);
        esp_err_t err = esp_http_client_set_redirection(c);
        *again = err == ESP_OK;
        return err;
    }
    if (c->status_code == HttpStatus_Unauthorized && c->auth_type == HTTP_AUTH_TYPE_NONE &&
        c->username != NULL) {
        esp_http_client_add_auth(c);
        if (c->auth_type == HTTP_AUTH_TYPE_BASIC) {
            if (c->redirect_counter > c->max_redirection_count) {
                return hc_fail(c, ESP_ERR_HTTP_MAX_REDIRECT, "authentication retry");
            }
            discard_body(c);
            *again = true;
        }
    }
    return ESP_OK;
}

esp_err_t esp_http_client_perform(esp_http_client_handle_t client)
{
    if (client == NULL) {
        return ESP_ERR_INVALID_ARG;
    }
    client->redirect_counter = 0;
    bool again = true;
    while (again) {
        esp_err_t err = exchange(client);
        if (err == ESP_OK) {
            err = handle_response(client, &again);
        }
        if (err != ESP_OK) {
            return err;
        }
    }
    if (hc_body_drain(client, false) < 0) {
        /* HTTP_EVENT_ERROR was raised where the body failed. */
        ESP_LOGE(HTTP_TAG, "esp_http_client_perform: response body incomplete: error 0x%x (%s)",
                 (unsigned)ESP_FAIL, esp_err_to_name(ESP_FAIL));
        return ESP_FAIL;
    }
    hc_dispatch(client, HTTP_EVENT_ON_FINISH, NULL, 0);
    if (!client->keep_alive) {
        esp_http_client_close(client);
    }
    return ESP_OK;
}

esp_err_t esp_http_client_open_follow(esp_http_client_handle_t client)
{
    if (client == NULL) {
        return ESP_ERR_INVALID_ARG;
    }
    client->redirect_counter = 0;
    for (;;) {
        esp_err_t err = exchange(client);
        if (err != ESP_OK) {
            return err;
        }
        if (!follows_redirect(client)) {
            return ESP_OK;
        }
        discard_body(client);
        err = esp_http_client_set_redirection(client);
        if (err != ESP_OK) {
            return err;
        }
    }
}
