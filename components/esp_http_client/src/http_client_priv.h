#pragma once
/* Internals shared by the esp_http_client source files. */
#include <stdbool.h>
#include <stdint.h>

#include <http_parser.h>

#include "esp_http_client.h"
#include "esp_tls.h"

#define HTTP_TAG "HTTP_CLIENT"
#define TRANS_SSL_TAG "TRANS_SSL"

#define HTTP_DEFAULT_USER_AGENT "ESP32 HTTP Client/1.0"
#define HTTP_DEFAULT_TIMEOUT_MS 5000
#define HTTP_DEFAULT_MAX_REDIRECT 10
#define HTTP_DEFAULT_PORT 80
#define HTTPS_DEFAULT_PORT 443

typedef struct hc_header {
    char *key;
    char *value;
    struct hc_header *next;
} hc_header_t;

/* Where the client is in one request/response exchange. */
typedef enum {
    HC_STATE_INIT = 0,   /* no connection */
    HC_STATE_CONNECTED,  /* connected and idle */
    HC_STATE_REQ_SENT,   /* request head sent; the caller may write a body */
    HC_STATE_RES_HEADER, /* response head read; the body is being read */
    HC_STATE_RES_DONE,   /* the whole response has been read */
} hc_state_t;

/* How the response body is delimited. */
typedef enum {
    HC_BODY_NONE,        /* HEAD, 1xx, 204, 304, Content-Length: 0 */
    HC_BODY_LENGTH,      /* Content-Length */
    HC_BODY_CHUNKED,     /* Transfer-Encoding: chunked */
    HC_BODY_UNTIL_CLOSE, /* neither: the connection's close ends it (HTTP/1.0 s_server) */
} hc_body_t;

struct esp_http_client {
    /* what to request */
    char *scheme, *host, *path, *query, *username, *password;
    int port;
    esp_http_client_method_t method;
    esp_http_client_auth_type_t auth_type;
    hc_header_t *headers;
    const char *post_data;
    int post_len;

    /* configuration */
    const char *cert_pem, *client_cert_pem, *client_key_pem;
    int timeout_ms, buffer_size_rx, buffer_size_tx, max_redirection_count;
    int in_content_len, mfl_code;
    bool disable_auto_redirect, use_global_ca_store, skip_cert_common_name_check;
    http_event_handle_cb event_handler;
    void *user_data;
    esp_http_client_event_t event;

    /* the connection */
    esp_tls_t *tls;
    hc_state_t state;
    char *conn_host; /* host, port and transport tls is connected to */
    int conn_port;
    bool conn_tls;
    bool reused;                    /* this exchange runs on a kept-alive connection */
    int req_write_len;              /* the open request's body length (0: none) */
    esp_tls_last_error_t tls_error; /* the last closed connection's errors */

    /* the response */
    http_parser parser;
    http_parser_settings settings;
    char *rx_buf; /* buffer_size_rx bytes from the transport ... */
    int rx_len;   /* ... of which [rx_off, rx_len) are not parsed yet */
    int rx_off;
    int status_code;
    int64_t content_length; /* -1: no Content-Length header */
    hc_body_t body;
    bool keep_alive;
    bool headers_done;
    bool interim;      /* a 1xx response is being skipped */
    bool message_done; /* the body ended where its framing says */
    bool body_failed;  /* sticky until the next request */
    bool got_bytes;    /* any response byte arrived on this exchange */
    bool quiet;        /* don't raise HTTP_EVENT_ON_DATA (discarded redirect bodies) */
    int64_t body_read;
    char *out; /* destination of the body bytes being parsed */
    int out_len, out_got;

    /* response header being assembled (one line at most buffer_size_rx) */
    char *hdr_key, *hdr_value;
    int hdr_key_len, hdr_value_len, status_len;
    bool hdr_in_value, hdr_too_long;
    char *location, *auth_header;

    int redirect_counter;
};

/* http_header.c */
esp_err_t hc_header_set(hc_header_t **list, const char *key, const char *value);
const char *hc_header_get(const hc_header_t *list, const char *key);
void hc_header_free_all(hc_header_t **list);
/* Appends "Key: value\r\n" for every header to a growing string. */
esp_err_t hc_header_append_all(const hc_header_t *list, char **buf, size_t *len, size_t *cap);
esp_err_t hc_str_append(char **buf, size_t *len, size_t *cap, const char *s, size_t n);
/* "Basic base64(user:pass)", malloc'd. */
char *hc_basic_auth_value(const char *user, const char *pass);

/* http_url.c */
/* Parses an absolute http(s) URL, or resolves a relative one against the
 * client's current URL, into the client's scheme/host/port/path/query. */
esp_err_t hc_url_apply(esp_http_client_handle_t client, const char *url);
/* Updates the Host header from host and port. */
esp_err_t hc_url_set_host_header(esp_http_client_handle_t client);

/* http_client.c */
esp_err_t hc_dispatch(esp_http_client_handle_t client, esp_http_client_event_id_t id, void *data,
                      int len);
/* Logs "what: 0x%x (NAME)", raises HTTP_EVENT_ERROR and returns err. */
esp_err_t hc_fail(esp_http_client_handle_t client, esp_err_t err, const char *what);
char *hc_strdup_or_null(const char *s);

/* http_request.c */
esp_err_t hc_send_request(esp_http_client_handle_t client, int write_len);

/* http_response.c */
void hc_response_init_parser(esp_http_client_handle_t client);
void hc_response_reset(esp_http_client_handle_t client);
/* Reads body bytes into buf (events per quiet); see esp_http_client_read. */
int hc_body_read(esp_http_client_handle_t client, char *buf, int len);
/* Reads the rest of the body; returns bytes discarded or -1. */
int hc_body_drain(esp_http_client_handle_t client, bool quiet);
bool hc_is_redirect(int status);
