/*
 * esp_http_client: the response. http_parser frames it (status line,
 * headers, Content-Length / chunked / until-close bodies); we feed it at most
 * as many bytes as the caller's buffer can take, so decoded body bytes land
 * straight in that buffer, and pause it at the end of the head and of the
 * message so nothing past them is consumed early.
 */
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "esp_log.h"
#include "http_client_priv.h"

static esp_http_client_handle_t client_of(http_parser *p)
{
    return p->data;
}

/* One header line is complete: act on it and tell the event handler. */
static void emit_header(esp_http_client_handle_t c)
{
    if (c->hdr_key_len == 0) {
        return;
    }
    c->hdr_key[c->hdr_key_len] = '\0';
    c->hdr_value[c->hdr_value_len] = '\0';
    if (strcasecmp(c->hdr_key, "Location") == 0) {
        free(c->location);
        c->location = strdup(c->hdr_value);
    } else if (strcasecmp(c->hdr_key, "WWW-Authenticate") == 0) {
        free(c->auth_header);
        c->auth_header = strdup(c->hdr_value);
    }
    ESP_LOGD(HTTP_TAG, "HEADER=%s:%s", c->hdr_key, c->hdr_value);
    c->event.header_key = c->hdr_key;
    c->event.header_value = c->hdr_value;
    hc_dispatch(c, HTTP_EVENT_ON_HEADER, NULL, 0);
    c->event.header_key = c->event.header_value = NULL;
    c->hdr_key_len = c->hdr_value_len = 0;
    c->hdr_in_value = false;
}

/* Appends a piece of the current header line, within buffer_size_rx. */
static int header_piece(esp_http_client_handle_t c, char *dst, int *dst_len, const char *at,
                        size_t length)
{
    /* "Key: value": the line must fit the device's receive buffer. */
    if ((size_t)(c->hdr_key_len + c->hdr_value_len + 2) + length > (size_t)c->buffer_size_rx) {
        c->hdr_too_long = true;
        return 1;
    }
    memcpy(dst + *dst_len, at, length);
    *dst_len += (int)length;
    return 0;
}

static int on_message_begin(http_parser *p)
{
    esp_http_client_handle_t c = client_of(p);
    c->hdr_key_len = c->hdr_value_len = c->status_len = 0;
    c->hdr_in_value = false;
    return 0;
}

static int on_status(http_parser *p, const char *at, size_t length)
{
    (void)at;
    esp_http_client_handle_t c = client_of(p);
    c->status_len += (int)length;
    if (c->status_len + 13 > c->buffer_size_rx) { /* "HTTP/1.1 200 " precedes the reason */
        c->hdr_too_long = true;
        return 1;
    }
    return 0;
}

static int on_header_field(http_parser *p, const char *at, size_t length)
{
    esp_http_client_handle_t c = client_of(p);
    if (c->hdr_in_value) {
        emit_header(c);
    }
    return header_piece(c, c->hdr_key, &c->hdr_key_len, at, length);
}

static int on_header_value(http_parser *p, const char *at, size_t length)
{
    esp_http_client_handle_t c = client_of(p);
    c->hdr_in_value = true;
    return header_piece(c, c->hdr_value, &c->hdr_value_len, at, length);
}

static hc_body_t body_kind(esp_http_client_handle_t c, http_parser *p)
{
    if (c->method == HTTP_METHOD_HEAD || p->status_code == 204 || p->status_code == 304) {
        return HC_BODY_NONE;
    }
    if (p->flags & F_CHUNKED) {
        return HC_BODY_CHUNKED;
    }
    if (p->content_length != ULLONG_MAX) {
        return p->content_length > 0 ? HC_BODY_LENGTH : HC_BODY_NONE;
    }
    /* What http_parser's message_needs_eof() says for the statuses left here. */
    return HC_BODY_UNTIL_CLOSE;
}

static int on_headers_complete(http_parser *p)
{
    esp_http_client_handle_t c = client_of(p);
    emit_header(c);
    if (p->status_code / 100 == 1 && p->status_code != 101) {
        c->interim = true; /* 100 Continue and friends: the real response follows */
        return 1;          /* no body, whatever Content-Length says (RFC 7230 §3.3.3) */
    }
    c->status_code = p->status_code;
    c->content_length = (p->flags & F_CONTENTLENGTH) ? (int64_t)p->content_length : -1;
    c->body = body_kind(c, p);
    c->keep_alive = http_should_keep_alive(p) != 0;
    c->headers_done = true;
    ESP_LOGD(HTTP_TAG, "headers complete: status=%d content_length=%lld body=%d keep_alive=%d",
             c->status_code, (long long)c->content_length, (int)c->body, (int)c->keep_alive);
    http_parser_pause(p, 1);
    /* 1 tells http_parser the message has no body despite a Content-Length
     * (HEAD, 204, 304): it would otherwise read one, past what we hand out. */
    return c->body == HC_BODY_NONE ? 1 : 0;
}

static int on_body(http_parser *p, const char *at, size_t length)
{
    esp_http_client_handle_t c = client_of(p);
    /* We feed at most out_len - out_got input bytes, so this cannot trip;
     * if it ever did, fail the parse rather than overrun the caller's buffer. */
    if (c->out == NULL || length > (size_t)(c->out_len - c->out_got)) {
        return 1;
    }
    memcpy(c->out + c->out_got, at, length);
    c->out_got += (int)length;
    c->body_read += (int64_t)length;
    if (!c->quiet) {
        hc_dispatch(c, HTTP_EVENT_ON_DATA, (void *)at, (int)length);
    }
    return 0;
}

static int on_message_complete(http_parser *p)
{
    esp_http_client_handle_t c = client_of(p);
    if (c->interim) {
        c->interim = false;
        return 0;
    }
    c->message_done = true;
    c->state = HC_STATE_RES_DONE;
    http_parser_pause(p, 1); /* bytes after the message are not ours to parse */
    return 0;
}

void hc_response_init_parser(esp_http_client_handle_t c)
{
    memset(&c->settings, 0, sizeof c->settings);
    c->settings.on_message_begin = on_message_begin;
    c->settings.on_status = on_status;
    c->settings.on_header_field = on_header_field;
    c->settings.on_header_value = on_header_value;
    c->settings.on_headers_complete = on_headers_complete;
    c->settings.on_body = on_body;
    c->settings.on_message_complete = on_message_complete;
    http_parser_init(&c->parser, HTTP_RESPONSE);
    c->parser.data = c;
}

void hc_response_reset(esp_http_client_handle_t c)
{
    hc_response_init_parser(c);
    c->status_code = -1;
    c->content_length = -1;
    c->body = HC_BODY_NONE;
    c->keep_alive = false;
    c->headers_done = c->interim = c->message_done = c->body_failed = false;
    c->got_bytes = c->hdr_too_long = false;
    c->body_read = 0;
    c->rx_len = c->rx_off = 0;
    free(c->location);
    free(c->auth_header);
    c->location = c->auth_header = NULL;
}

/* Feeds up to max unparsed bytes; returns 0, or -1 for a framing error (logged). */
static int parse_some(esp_http_client_handle_t c, int max)
{
    int avail = c->rx_len - c->rx_off;
    int feed = avail < max ? avail : max;
    http_parser_pause(&c->parser, 0);
    size_t used =
        http_parser_execute(&c->parser, &c->settings, c->rx_buf + c->rx_off, (size_t)feed);
    c->rx_off += (int)used;
    enum http_errno e = HTTP_PARSER_ERRNO(&c->parser);
    if (e == HPE_OK || e == HPE_PAUSED) {
        return 0;
    }
    if (c->hdr_too_long) {
        ESP_LOGE(HTTP_TAG,
                 "response header line longer than buffer_size %d bytes (\"%.*s...\"); "
                 "raise buffer_size",
                 c->buffer_size_rx, c->hdr_key_len > 40 ? 40 : c->hdr_key_len, c->hdr_key);
    } else {
        ESP_LOGE(HTTP_TAG, "malformed response: %s (%s)", http_errno_name(e),
                 http_errno_description(e));
    }
    return -1;
}

/* The receive and header buffers exist from the first response on: not
 * during the TLS handshake, which is the connection's heap peak. */
static int alloc_buffers(esp_http_client_handle_t c)
{
    if (c->rx_buf != NULL) {
        return 0;
    }
    c->rx_buf = malloc((size_t)c->buffer_size_rx);
    c->hdr_key = malloc((size_t)c->buffer_size_rx + 1);
    c->hdr_value = malloc((size_t)c->buffer_size_rx + 1);
    if (c->rx_buf == NULL || c->hdr_key == NULL || c->hdr_value == NULL) {
        ESP_LOGE(HTTP_TAG, "Allocation failed: 3 buffers of %d bytes (buffer_size)",
                 c->buffer_size_rx);
        free(c->rx_buf), free(c->hdr_key), free(c->hdr_value);
        c->rx_buf = c->hdr_key = c->hdr_value = NULL;
        return -1;
    }
    return 0;
}

/* Refills rx_buf; returns bytes (> 0), 0 at EOF, -1 on error or timeout (logged). */
static int fill(esp_http_client_handle_t c)
{
    if (alloc_buffers(c) != 0) {
        return -1;
    }
    ssize_t n = esp_tls_conn_read(c->tls, c->rx_buf, (size_t)c->buffer_size_rx);
    if (n > 0) {
        c->rx_len = (int)n;
        c->rx_off = 0;
        c->got_bytes = true;
        return (int)n;
    }
    if (n == 0) {
        return 0;
    }
    if (n == ESP_TLS_ERR_SSL_TIMEOUT) {
        ESP_LOGE(HTTP_TAG, "no data from %s:%d for %d ms (timeout_ms)", c->host, c->port,
                 c->timeout_ms);
    } else {
        ESP_LOGE(HTTP_TAG, "esp_tls_conn_read returned -0x%x", (unsigned)-n);
    }
    return -1;
}

int esp_http_client_fetch_headers(esp_http_client_handle_t client)
{
    if (client == NULL || client->tls == NULL || client->state < HC_STATE_REQ_SENT) {
        return ESP_FAIL;
    }
    while (!client->headers_done) {
        if (client->rx_off == client->rx_len) {
            int n = fill(client);
            if (n == 0 && client->reused && !client->got_bytes) {
                /* The server dropped the idle kept-alive connection (many close
                 * after a redirect whatever they announced). A request without
                 * a body is sent again once on a new connection; one whose body
                 * the caller wrote cannot be, and the caller retries. */
                ESP_LOGD(HTTP_TAG, "kept-alive connection closed by the server");
                esp_http_client_close(client);
                if (client->req_write_len == 0 && esp_http_client_open(client, 0) == ESP_OK &&
                    !client->reused) {
                    continue;
                }
                return ESP_FAIL;
            }
            if (n == 0) {
                ESP_LOGE(HTTP_TAG, "connection closed before the end of the response header");
            }
            if (n <= 0) {
                hc_fail(client, ESP_ERR_HTTP_FETCH_HEADER, "esp_http_client_fetch_headers");
                esp_http_client_close(client);
                return ESP_FAIL;
            }
        }
        if (parse_some(client, client->rx_len - client->rx_off) != 0) {
            hc_fail(client, ESP_ERR_HTTP_FETCH_HEADER, "esp_http_client_fetch_headers");
            esp_http_client_close(client);
            return ESP_FAIL;
        }
    }
    if (client->state == HC_STATE_REQ_SENT) {
        client->state = HC_STATE_RES_HEADER;
    }
    /* HEAD answers carry the length of the body they leave out. */
    if (client->body == HC_BODY_CHUNKED || client->content_length <= 0) {
        return 0;
    }
    return client->content_length > INT_MAX ? INT_MAX : (int)client->content_length;
}

/* The connection closed: the end of an until-close body, or a truncation. */
static int body_eof(esp_http_client_handle_t c)
{
    http_parser_pause(&c->parser, 0);
    http_parser_execute(&c->parser, &c->settings, NULL, 0);
    if (c->message_done) {
        return 0;
    }
    if (c->body == HC_BODY_LENGTH) {
        ESP_LOGE(HTTP_TAG, "connection closed after %lld of %lld body bytes",
                 (long long)c->body_read, (long long)c->content_length);
    } else {
        ESP_LOGE(HTTP_TAG, "connection closed after %lld body bytes, before the last chunk",
                 (long long)c->body_read);
    }
    return -1;
}

/* Body bytes into out; returns 0 when the caller may have them (or the
 * message ended), -1 on failure. Blocks only while out is still empty. */
static int body_step(esp_http_client_handle_t c)
{
    if (c->rx_off == c->rx_len) {
        if (c->out_got > 0) {
            return 1; /* return what we have rather than wait for more */
        }
        int n = fill(c);
        if (n <= 0) {
            return n == 0 ? body_eof(c) : -1;
        }
    }
    return parse_some(c, c->out_len - c->out_got);
}

int hc_body_read(esp_http_client_handle_t c, char *buf, int len)
{
    if (c->state < HC_STATE_RES_HEADER || c->tls == NULL || buf == NULL || len <= 0) {
        return c->message_done ? 0 : -1;
    }
    if (c->body_failed) {
        return -1;
    }
    if (c->body == HC_BODY_NONE && !c->message_done) {
        /* The pause after the head left its final LF; it ends this message. */
        c->out = buf, c->out_len = len, c->out_got = 0;
        if (parse_some(c, c->rx_len - c->rx_off) != 0) {
            c->body_failed = true;
        }
        return c->body_failed ? -1 : 0;
    }
    c->out = buf;
    c->out_len = len;
    c->out_got = 0;
    while (!c->message_done && c->out_got < len) {
        int r = body_step(c);
        if (r < 0) {
            c->body_failed = true;
            hc_dispatch(c, HTTP_EVENT_ERROR, NULL, 0);
            break;
        }
        if (r > 0) {
            break;
        }
    }
    c->out = NULL;
    if (c->body_failed && c->out_got == 0) {
        return -1;
    }
    return c->out_got;
}

int esp_http_client_read(esp_http_client_handle_t client, char *buffer, int len)
{
    if (client == NULL) {
        return -1;
    }
    client->quiet = false;
    return hc_body_read(client, buffer, len);
}

int esp_http_client_read_response(esp_http_client_handle_t client, char *buffer, int len)
{
    int got = 0;
    while (got < len) {
        int n = esp_http_client_read(client, buffer + got, len - got);
        if (n < 0) {
            return got > 0 ? got : -1;
        }
        if (n == 0) {
            break;
        }
        got += n;
    }
    return got;
}

int hc_body_drain(esp_http_client_handle_t c, bool quiet)
{
    char scratch[512];
    int total = 0;
    c->quiet = quiet;
    for (;;) {
        int n = hc_body_read(c, scratch, (int)sizeof scratch);
        if (n <= 0) {
            c->quiet = false;
            return n < 0 ? -1 : total;
        }
        total += n;
    }
}

esp_err_t esp_http_client_flush_response(esp_http_client_handle_t client, int *len)
{
    if (client == NULL) {
        return ESP_ERR_INVALID_ARG;
    }
    int n = hc_body_drain(client, false);
    if (len != NULL) {
        *len = n < 0 ? 0 : n;
    }
    return n < 0 ? ESP_FAIL : ESP_OK;
}

bool hc_is_redirect(int status)
{
    return status == HttpStatus_MovedPermanently || status == HttpStatus_Found ||
           status == HttpStatus_SeeOther || status == HttpStatus_TemporaryRedirect ||
           status == HttpStatus_PermanentRedirect;
}
