#pragma once
/*
 * esp_http_client: the HTTP client of ESP8266_RTOS_SDK v3.4
 * (components/esp_http_client/include/esp_http_client.h), same names,
 * signatures, defaults and events, on the host over esp_tls.
 *
 * Where we differ from the SDK (reference §6.3):
 * - a body ends only where its framing says: Content-Length, the last chunk,
 *   or (no Content-Length, e.g. `openssl s_server -WWW`) the peer's close.
 *   A body cut short, malformed chunks or a read timeout make read() return
 *   -1; the SDK reports them as a normal end (0).
 * - a header line longer than buffer_size is an error naming the limit.
 * - redirects 301/302/303/307/308 are followed, relative Locations resolved,
 *   303 turned into GET; disable_auto_redirect returns the 3xx to the caller
 *   (the SDK fails every request then). esp_http_client_set_redirection counts
 *   towards max_redirection_count so open + fetch_headers callers get the
 *   same limit; see esp_http_client_open_follow() for the whole loop.
 * - fetch_headers and get_content_length report no Content-Length the SDK's
 *   way (0 and -1); is_chunked_response() is true for chunked and
 *   read-until-close bodies, as in the SDK, but false for Content-Length: 0.
 */
#include <stdbool.h>

#include "esp_err.h"

#ifdef __cplusplus
extern "C" {
#endif

/* CONFIG_HTTP_BUF_SIZE (Kconfig range 512..1460). */
#define DEFAULT_HTTP_BUF_SIZE 512

typedef struct esp_http_client *esp_http_client_handle_t;
typedef struct esp_http_client_event *esp_http_client_event_handle_t;

typedef enum {
    HTTP_EVENT_ERROR = 0,                             /* an error during the request; data: NULL */
    HTTP_EVENT_ON_CONNECTED,                          /* a new connection is up, nothing sent yet */
    HTTP_EVENT_HEADERS_SENT,                          /* the request line and headers are sent */
    HTTP_EVENT_HEADER_SENT = HTTP_EVENT_HEADERS_SENT, /* the SDK's older name */
    HTTP_EVENT_ON_HEADER,    /* one response header: header_key, header_value */
    HTTP_EVENT_ON_DATA,      /* body bytes (de-chunked): data, data_len */
    HTTP_EVENT_ON_FINISH,    /* perform() read the whole response */
    HTTP_EVENT_DISCONNECTED, /* the connection was closed */
} esp_http_client_event_id_t;

typedef struct esp_http_client_event {
    esp_http_client_event_id_t event_id;
    esp_http_client_handle_t client;
    void *data;
    int data_len;
    void *user_data; /* config->user_data */
    char *header_key;
    char *header_value;
} esp_http_client_event_t;

typedef enum {
    HTTP_TRANSPORT_UNKNOWN = 0x0,
    HTTP_TRANSPORT_OVER_TCP,
    HTTP_TRANSPORT_OVER_SSL,
} esp_http_client_transport_t;

typedef esp_err_t (*http_event_handle_cb)(esp_http_client_event_t *evt);

typedef enum {
    HTTP_METHOD_GET = 0,
    HTTP_METHOD_POST,
    HTTP_METHOD_PUT,
    HTTP_METHOD_PATCH,
    HTTP_METHOD_DELETE,
    HTTP_METHOD_HEAD,
    HTTP_METHOD_NOTIFY,
    HTTP_METHOD_SUBSCRIBE,
    HTTP_METHOD_UNSUBSCRIBE,
    HTTP_METHOD_OPTIONS,
    HTTP_METHOD_MAX,
} esp_http_client_method_t;

typedef enum {
    HTTP_AUTH_TYPE_NONE = 0,
    HTTP_AUTH_TYPE_BASIC,
    HTTP_AUTH_TYPE_DIGEST, /* accepted, not implemented: requests go out without it */
} esp_http_client_auth_type_t;

/* Fields up to skip_cert_common_name_check are the SDK v3.4's, in its order. */
typedef struct {
    const char *url; /* overrides host, port, path and query when given */
    const char *host;
    int port; /* 0: 80 or 443 by transport */
    const char *username;
    const char *password;
    esp_http_client_auth_type_t auth_type;
    const char *path; /* default "/" */
    const char *query;
    const char *cert_pem; /* server CA, PEM; required to verify an https server */
    const char *client_cert_pem;
    const char *client_key_pem;
    esp_http_client_method_t method;
    int timeout_ms;             /* connect and every read/write; default 5000 */
    bool disable_auto_redirect; /* perform() returns 3xx responses instead of following */
    int max_redirection_count;  /* default 10 */
    http_event_handle_cb event_handler;
    esp_http_client_transport_t transport_type;
    int buffer_size;    /* receive buffer and header line limit; default 512 */
    int buffer_size_tx; /* request line limit; default 512 */
    void *user_data;
    bool is_async; /* not supported on the host: requests block */
    bool use_global_ca_store;
    bool skip_cert_common_name_check;
    /* ota8266 extensions, appended so the SDK's initialisers still compile. */
    int in_content_len; /* device CONFIG_MBEDTLS_SSL_IN_CONTENT_LEN (512..16384); 0: 16384 */
    int mfl_code;       /* TLS Maximum Fragment Length, 1..4 = 512..4096 bytes; 0: none */
} esp_http_client_config_t;

/* Status codes the client acts on. */
typedef enum {
    HttpStatus_MovedPermanently = 301,
    HttpStatus_Found = 302,
    HttpStatus_SeeOther = 303,
    HttpStatus_TemporaryRedirect = 307,
    HttpStatus_PermanentRedirect = 308,
    HttpStatus_Unauthorized = 401,
} HttpStatus_Code;

/* Values are the SDK's: never renumber. */
#define ESP_ERR_HTTP_BASE (0x7000)
#define ESP_ERR_HTTP_MAX_REDIRECT (ESP_ERR_HTTP_BASE + 1)      /* more redirects than allowed */
#define ESP_ERR_HTTP_CONNECT (ESP_ERR_HTTP_BASE + 2)           /* could not open the connection */
#define ESP_ERR_HTTP_WRITE_DATA (ESP_ERR_HTTP_BASE + 3)        /* could not send the request */
#define ESP_ERR_HTTP_FETCH_HEADER (ESP_ERR_HTTP_BASE + 4)      /* no valid response header */
#define ESP_ERR_HTTP_INVALID_TRANSPORT (ESP_ERR_HTTP_BASE + 5) /* scheme is not http or https */
#define ESP_ERR_HTTP_CONNECTING (ESP_ERR_HTTP_BASE + 6)        /* async connect still going */
#define ESP_ERR_HTTP_EAGAIN (ESP_ERR_HTTP_BASE + 7)            /* async: try again */

/* Allocates a client for config (which it copies, except cert strings and
 * user_data, which must outlive the client); NULL on a bad config. */
esp_http_client_handle_t esp_http_client_init(const esp_http_client_config_t *config);

/*
 * open, write the post field, fetch headers, follow redirects and 401 Basic
 * auth, read the body into HTTP_EVENT_ON_DATA events, then HTTP_EVENT_ON_FINISH.
 * Keeps the connection for the next perform when the server allows it.
 * @return ESP_OK (any status; see get_status_code), ESP_ERR_HTTP_CONNECT,
 *         ESP_ERR_HTTP_WRITE_DATA, ESP_ERR_HTTP_FETCH_HEADER,
 *         ESP_ERR_HTTP_MAX_REDIRECT, ESP_ERR_HTTP_INVALID_TRANSPORT, or ESP_FAIL
 *         when the body failed (short, malformed, timed out).
 */
esp_err_t esp_http_client_perform(esp_http_client_handle_t client);

/* Replaces scheme, host, port, path and query from url (relative URLs are
 * resolved against the current one); closes the connection if the server changes. */
esp_err_t esp_http_client_set_url(esp_http_client_handle_t client, const char *url);

/* Body for perform (not copied); adds a form Content-Type unless one is set. */
esp_err_t esp_http_client_set_post_field(esp_http_client_handle_t client, const char *data,
                                         int len);
int esp_http_client_get_post_field(esp_http_client_handle_t client, char **data);

/* Request headers: set replaces (value NULL deletes), get gives NULL when absent. */
esp_err_t esp_http_client_set_header(esp_http_client_handle_t client, const char *key,
                                     const char *value);
esp_err_t esp_http_client_get_header(esp_http_client_handle_t client, const char *key,
                                     char **value);
esp_err_t esp_http_client_delete_header(esp_http_client_handle_t client, const char *key);

esp_err_t esp_http_client_get_username(esp_http_client_handle_t client, char **value);
esp_err_t esp_http_client_set_username(esp_http_client_handle_t client, const char *username);
esp_err_t esp_http_client_get_password(esp_http_client_handle_t client, char **value);
esp_err_t esp_http_client_set_password(esp_http_client_handle_t client, char *password);
esp_err_t esp_http_client_set_authtype(esp_http_client_handle_t client,
                                       esp_http_client_auth_type_t auth_type);
esp_err_t esp_http_client_set_method(esp_http_client_handle_t client,
                                     esp_http_client_method_t method);

/*
 * Connects (or reuses a kept-alive connection) and sends the request line and
 * headers; write_len > 0 adds Content-Length, < 0 chunked (the body is then
 * the caller's to frame).
 * @return ESP_OK, ESP_ERR_HTTP_CONNECT, ESP_ERR_HTTP_WRITE_DATA,
 *         ESP_ERR_HTTP_INVALID_TRANSPORT, ESP_ERR_NO_MEM, ESP_ERR_INVALID_ARG
 */
esp_err_t esp_http_client_open(esp_http_client_handle_t client, int write_len);

/* Sends request body bytes after open; returns len or -1. */
int esp_http_client_write(esp_http_client_handle_t client, const char *buffer, int len);

/*
 * Reads the response head after open.
 * @return Content-Length; 0 when there is none (chunked or read until close,
 *         see is_chunked_response); -1 (ESP_FAIL) on error: timeout, closed,
 *         malformed, or a header line longer than buffer_size.
 */
int esp_http_client_fetch_headers(esp_http_client_handle_t client);

/* True when the body is chunked or delimited by the connection's close. */
bool esp_http_client_is_chunked_response(esp_http_client_handle_t client);

/*
 * Reads up to len body bytes (de-chunked), waiting at most timeout_ms.
 * @return bytes read; 0 once the whole body has been read; -1 when the body
 *         cannot be completed (closed early, malformed, timeout, TLS error).
 */
int esp_http_client_read(esp_http_client_handle_t client, char *buffer, int len);

/* Reads until buffer is full or the body ends; returns the bytes read, or -1
 * when an error came before any byte. */
int esp_http_client_read_response(esp_http_client_handle_t client, char *buffer, int len);

/* Status of the last response (-1 before one arrived). */
int esp_http_client_get_status_code(esp_http_client_handle_t client);

/* Content-Length of the last response; -1 when it has none (chunked/until close). */
int esp_http_client_get_content_length(esp_http_client_handle_t client);

/* True when the whole body has been read and its framing was intact. */
bool esp_http_client_is_complete_data_received(esp_http_client_handle_t client);

/* Closes the connection (HTTP_EVENT_DISCONNECTED) but keeps the client. */
esp_err_t esp_http_client_close(esp_http_client_handle_t client);

/* Closes and frees everything; the handle is invalid afterwards. */
esp_err_t esp_http_client_cleanup(esp_http_client_handle_t client);

esp_http_client_transport_t esp_http_client_get_transport_type(esp_http_client_handle_t client);

/*
 * After a 3xx response: makes its Location (already resolved to an absolute
 * URL) the client's URL, switching to GET after a 303, and counts the hop.
 * @return ESP_OK; ESP_ERR_HTTP_MAX_REDIRECT past max_redirection_count;
 *         ESP_ERR_INVALID_ARG when the response had no Location.
 */
esp_err_t esp_http_client_set_redirection(esp_http_client_handle_t client);

/* After a 401: picks up the server's Basic challenge so the next request
 * carries the credentials (Digest is not supported and logged). */
void esp_http_client_add_auth(esp_http_client_handle_t client);

/* Reads and discards the rest of the body (ESP-IDF v4.4 API); *len (may be
 * NULL) gets the bytes discarded. */
esp_err_t esp_http_client_flush_response(esp_http_client_handle_t client, int *len);

/*
 * The TLS errors of the current (or last closed) connection, then cleared
 * (ESP-IDF v5 name): *esp_tls_code gets the positive mbedTLS code (0x7200 for
 * -0x7200), *esp_tls_flags the certificate verification flags; either may be NULL.
 * @return the esp-tls error (ESP_ERR_MBEDTLS_SSL_HANDSHAKE_FAILED, ...) or ESP_OK.
 */
esp_err_t esp_http_client_get_and_clear_last_tls_error(esp_http_client_handle_t client,
                                                       int *esp_tls_code, int *esp_tls_flags);

/* "scheme://host[:port]/path[?query]" of the current request. */
esp_err_t esp_http_client_get_url(esp_http_client_handle_t client, char *url, const int len);

/*
 * ota8266 extension: open + fetch_headers, following redirects (unless
 * disable_auto_redirect) up to max_redirection_count, for callers that read
 * the body themselves (esp_https_ota). The post field, if set, is sent with
 * each request. The equivalent loop with SDK calls:
 *
 *     while ((err = esp_http_client_open(c, 0)) == ESP_OK) {
 *         if (esp_http_client_fetch_headers(c) < 0) { err = ESP_ERR_HTTP_FETCH_HEADER; break; }
 *         int s = esp_http_client_get_status_code(c);
 *         if (s != 301 && s != 302 && s != 303 && s != 307 && s != 308) break;
 *         esp_http_client_flush_response(c, NULL);
 *         if ((err = esp_http_client_set_redirection(c)) != ESP_OK) break;
 *     }
 *
 * (open_follow also retries once when a kept-alive connection was closed.)
 * On ESP_OK the response head is read and the status may be anything: check it.
 * @return ESP_OK, or the error of open (ESP_ERR_HTTP_CONNECT, ...), of
 *         fetch_headers (ESP_ERR_HTTP_FETCH_HEADER) or of set_redirection
 *         (ESP_ERR_HTTP_MAX_REDIRECT).
 */
esp_err_t esp_http_client_open_follow(esp_http_client_handle_t client);

#ifdef __cplusplus
}
#endif
