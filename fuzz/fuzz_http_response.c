/*
 * HTTP responses: the fuzzer's bytes are what a server sends, read by the
 * real esp_http_client (status line, headers, Content-Length, chunked and
 * until-close bodies, redirects, Basic auth) through a scripted esp_tls
 * (fake_esp_tls.c).
 *
 * One exchange (open, fetch_headers, read) runs twice: the transport handing
 * over whole buffers to one large read, and in fuzzer-chosen transport and
 * read sizes. Both must see the same head and the same body and end the same
 * way, whatever the bytes. The perform mode follows redirects and auth
 * challenges across "connections" and checks only limits.
 *
 * Input: [0] bits 0-2 buffer_size, 3 HEAD, 4 perform mode, 5 EOF reads as a
 * timeout, 6 with username/password, 7 auto redirect off;
 * [1..8] transport read sizes, [9..16] application read sizes (n -> n + 1),
 * then the server's bytes.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "esp_http_client.h"
#include "esp_log.h"
#include "fake_esp_tls.h"
#include "fuzz_util.h"

#define HEADER_LEN 17
#define NSIZES 8
#define BIG_READ 65536
/* perform: the first exchange, 10 redirects (the default max_redirection_count)
 * and one auth retry, each maybe retried once on a dropped kept-alive connection. */
#define MAX_CONNECTS (2 * (1 + 10 + 1))

typedef struct {
    int buffer_size;
    bool head, perform, eof_timeout, auth, no_redirect;
    const uint8_t *net_sizes, *app_sizes;
    const uint8_t *resp;
    size_t resp_len;
} input_t;

typedef struct {
    int fetch; /* esp_http_client_fetch_headers' result */
    int status;
    int content_length;
    bool chunked;
    uint8_t *body; /* esp_http_client_read's bytes */
    size_t body_len;
    int last_read; /* 0: clean end; < 0: failure */
    bool complete;
    size_t on_data; /* bytes raised as HTTP_EVENT_ON_DATA */
} result_t;

static result_t *s_current; /* the run the event handler accounts to */
static const input_t *s_in;

static esp_err_t on_event(esp_http_client_event_t *e)
{
    if (e->event_id == HTTP_EVENT_ON_HEADER) {
        FZ_CHECK(e->header_key != NULL && e->header_value != NULL, "header event without text");
        size_t line = strlen(e->header_key) + strlen(e->header_value) + 2;
        FZ_CHECK(line <= (size_t)s_in->buffer_size, "header line of %zu bytes, buffer_size %d",
                 line, s_in->buffer_size);
    } else if (e->event_id == HTTP_EVENT_ON_DATA) {
        FZ_CHECK(e->data != NULL && e->data_len > 0, "ON_DATA with %d bytes", e->data_len);
        s_current->on_data += (size_t)e->data_len;
    }
    return ESP_OK;
}

static void parse_input(const uint8_t *data, size_t size, input_t *in)
{
    static const int sizes[] = {512, 64, 128, 256, 1024, 2048, 4096, 32};
    in->buffer_size = sizes[data[0] & 7u];
    in->head = (data[0] & 0x08u) != 0;
    in->perform = (data[0] & 0x10u) != 0;
    in->eof_timeout = (data[0] & 0x20u) != 0;
    in->auth = (data[0] & 0x40u) != 0;
    in->no_redirect = (data[0] & 0x80u) != 0;
    in->net_sizes = data + 1;
    in->app_sizes = data + 1 + NSIZES;
    in->resp = data + HEADER_LEN;
    in->resp_len = size - HEADER_LEN;
}

static esp_http_client_handle_t new_client(const input_t *in)
{
    esp_http_client_config_t cfg = {
        .url = "http://fuzz.invalid/fw/app.bin",
        .method = in->head ? HTTP_METHOD_HEAD : HTTP_METHOD_GET,
        .buffer_size = in->buffer_size,
        .event_handler = on_event,
        .disable_auto_redirect = in->no_redirect,
        .username = in->auth ? "user" : NULL,
        .password = in->auth ? "pass" : NULL,
    };
    esp_http_client_handle_t c = esp_http_client_init(&cfg);
    FZ_CHECK(c != NULL, "esp_http_client_init failed");
    return c;
}

static void read_body(esp_http_client_handle_t c, const input_t *in, const uint8_t *app_sizes,
                      result_t *r)
{
    /* Decoded body bytes never outnumber the bytes the server sent. */
    size_t cap = in->resp_len + 1;
    r->body = malloc(cap);
    FZ_CHECK(r->body != NULL, "harness: malloc");
    for (int i = 0;; i++) {
        int want = app_sizes ? (int)app_sizes[i % NSIZES] + 1 : BIG_READ;
        static char buf[BIG_READ];
        int n = esp_http_client_read(c, buf, want);
        FZ_CHECK(n <= want, "read(%d) returned %d", want, n);
        r->last_read = n;
        if (n <= 0) {
            break;
        }
        FZ_CHECK(r->body_len + (size_t)n < cap, "body of %zu bytes from %zu sent",
                 r->body_len + (size_t)n, in->resp_len);
        memcpy(r->body + r->body_len, buf, (size_t)n);
        r->body_len += (size_t)n;
    }
    r->complete = esp_http_client_is_complete_data_received(c);
}

static void run_exchange(const input_t *in, const uint8_t *net_sizes, const uint8_t *app_sizes,
                         result_t *r)
{
    fz_transport_t t = {
        .data = in->resp,
        .len = in->resp_len,
        .sizes = net_sizes,
        .nsizes = NSIZES,
        .eof_is_timeout = in->eof_timeout,
    };
    memset(r, 0, sizeof *r);
    s_current = r;
    fz_transport_use(&t);
    esp_http_client_handle_t c = new_client(in);
    FZ_CHECK(esp_http_client_open(c, 0) == ESP_OK, "open failed on the fake transport");
    r->fetch = esp_http_client_fetch_headers(c);
    r->status = esp_http_client_get_status_code(c);
    r->content_length = esp_http_client_get_content_length(c);
    r->chunked = esp_http_client_is_chunked_response(c);
    r->last_read = -1;
    if (r->fetch >= 0) {
        read_body(c, in, app_sizes, r);
        FZ_CHECK(r->on_data == r->body_len, "ON_DATA %zu bytes, read %zu", r->on_data, r->body_len);
    }
    FZ_CHECK(t.max_read_req <= (size_t)in->buffer_size, "transport read of %zu > buffer_size %d",
             t.max_read_req, in->buffer_size);
    esp_http_client_cleanup(c);
    FZ_CHECK(t.open == 0, "%d connections left open after cleanup", t.open);
    fz_transport_use(NULL);
}

/* A Content-Length body that ended cleanly has exactly that many bytes. */
static void check_length(const input_t *in, const result_t *r)
{
    if (r->fetch < 0 || r->last_read != 0 || in->head || r->chunked || r->status == 204 ||
        r->status == 304 || r->content_length <= 0 || r->content_length == INT32_MAX) {
        return;
    }
    FZ_CHECK(r->body_len == (size_t)r->content_length, "Content-Length %d, body %zu bytes",
             r->content_length, r->body_len);
}

static void check_same(const result_t *a, const result_t *b)
{
    FZ_CHECK((a->fetch < 0) == (b->fetch < 0) && (a->fetch < 0 || a->fetch == b->fetch),
             "fetch_headers %d vs %d", a->fetch, b->fetch);
    if (a->fetch < 0) {
        return;
    }
    FZ_CHECK(a->status == b->status && a->content_length == b->content_length &&
                 a->chunked == b->chunked,
             "head differs: status %d/%d length %d/%d chunked %d/%d", a->status, b->status,
             a->content_length, b->content_length, a->chunked, b->chunked);
    FZ_CHECK((a->last_read == 0) == (b->last_read == 0), "end %d vs %d", a->last_read,
             b->last_read);
    FZ_CHECK(a->complete == b->complete, "complete %d vs %d", a->complete, b->complete);
    size_t common = a->body_len < b->body_len ? a->body_len : b->body_len;
    FZ_CHECK(memcmp(a->body, b->body, common) == 0, "bodies differ within %zu bytes", common);
    if (a->last_read == 0) {
        FZ_CHECK(a->body_len == b->body_len, "clean ends with %zu vs %zu body bytes", a->body_len,
                 b->body_len);
    }
}

static void run_perform(const input_t *in)
{
    fz_transport_t t = {
        .data = in->resp,
        .len = in->resp_len,
        .sizes = in->net_sizes,
        .nsizes = NSIZES,
        .eof_is_timeout = in->eof_timeout,
    };
    result_t r = {0};
    s_current = &r;
    fz_transport_use(&t);
    esp_http_client_handle_t c = new_client(in);
    esp_err_t err = esp_http_client_perform(c);
    /* ESP_ERR_INVALID_SIZE: a redirect to a URL whose request line is longer
     * than buffer_size_tx ("Out of buffer: request line ..."; regression
     * redirect_request_line_too_long.bin) */
    FZ_CHECK(err == ESP_OK || err == ESP_FAIL || err == ESP_ERR_HTTP_FETCH_HEADER ||
                 err == ESP_ERR_HTTP_MAX_REDIRECT || err == ESP_ERR_HTTP_INVALID_TRANSPORT ||
                 err == ESP_ERR_INVALID_ARG || err == ESP_ERR_HTTP_CONNECT || err == ESP_ERR_NO_MEM ||
                 err == ESP_ERR_INVALID_SIZE,
             "perform returned 0x%x", (unsigned)err);
    FZ_CHECK(r.on_data <= t.pos, "%zu body bytes from %zu read", r.on_data, t.pos);
    /* every exchange but the first needs a redirect or an auth retry */
    FZ_CHECK(t.connects <= MAX_CONNECTS, "%d connections", t.connects);
    esp_http_client_cleanup(c);
    FZ_CHECK(t.open == 0, "%d connections left open after cleanup", t.open);
    fz_transport_use(NULL);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    esp_log_level_set("*", ESP_LOG_NONE);
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < HEADER_LEN) {
        return 0;
    }
    input_t in;
    parse_input(data, size, &in);
    s_in = &in;
    if (in.perform) {
        run_perform(&in);
        return 0;
    }
    result_t whole, split;
    run_exchange(&in, NULL, NULL, &whole);
    run_exchange(&in, in.net_sizes, in.app_sizes, &split);
    check_length(&in, &whole);
    check_length(&in, &split);
    check_same(&whole, &split);
    free(whole.body);
    free(split.body);
    return 0;
}
