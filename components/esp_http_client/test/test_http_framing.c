/*
 * HTTP framing over plain TCP against the in-process test server: bodies by
 * Content-Length, chunked and until-close; short, truncated and malformed
 * bodies; long header lines; error statuses; timeouts; keep-alive; events.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "esp_http_client.h"
#include "http_test_server.h"
#include "http_test_util.h"
#include "net_fixture.h"

#define BIG (100 * 1024)

static uint8_t s_big[BIG];
static char *s_big_response;
static char s_long_header[2048];
static fx_route_t s_routes[32];
static fx_http_server_t *s_srv;

#define CHUNKED_BODY "hello, chunked world"
#define CHUNKED_HEAD "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"

static void add_route(const char *path, const char *response, size_t len)
{
    size_t i = 0;
    while (s_routes[i].path != NULL) {
        i++;
    }
    s_routes[i] = (fx_route_t){.path = path, .response = response, .len = len};
}

static int group_setup(void **state)
{
    (void)state;
    fx_fill_pattern(s_big, BIG, 3);
    const char head[] = "HTTP/1.1 200 OK\r\nContent-Length: 102400\r\n\r\n";
    s_big_response = malloc(sizeof head - 1 + BIG);
    memcpy(s_big_response, head, sizeof head - 1);
    memcpy(s_big_response + sizeof head - 1, s_big, BIG);
    add_route("/big", s_big_response, sizeof head - 1 + BIG);
    add_route("/cl", "HTTP/1.1 200 OK\r\nContent-Length: 5\r\nConnection: close\r\n\r\nabcde", 0);
    add_route("/chunked",
              CHUNKED_HEAD "5;ext=1\r\nhello\r\n2\r\n, \r\nd\r\nchunked world\r\n"
                           "0\r\nX-Trailer: yes\r\n\r\n",
              0);
    add_route("/until-close", "HTTP/1.0 200 ok\r\nContent-type: text/plain\r\n\r\nall of it", 0);
    add_route("/short", "HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\nonly this much", 0);
    add_route("/chunk-cut", CHUNKED_HEAD "5\r\nhello\r\n10\r\nabc", 0);
    add_route("/chunk-bad", CHUNKED_HEAD "5\r\nhello\r\nzz\r\nabc\r\n0\r\n\r\n", 0);
    add_route("/404", "HTTP/1.1 404 Not Found\r\nContent-Length: 13\r\n\r\nno such thing", 0);
    add_route("/500",
              "HTTP/1.1 500 Internal Server Error\r\nTransfer-Encoding: chunked\r\n\r\n"
              "6\r\nbroken\r\n0\r\n\r\n",
              0);
    add_route("/empty", "HTTP/1.1 204 No Content\r\n\r\n", 0);
    int n = snprintf(s_long_header, sizeof s_long_header, "HTTP/1.1 200 OK\r\nX-Long: ");
    memset(s_long_header + n, 'a', 600);
    snprintf(s_long_header + n + 600, sizeof s_long_header - (size_t)n - 600,
             "\r\nContent-Length: 2\r\n\r\nok");
    add_route("/long-header", s_long_header, 0);
    add_route("/stall-body", "HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\n12345", 0);
    add_route("/stall-head", "HTTP/1.1 200 OK\r\n", 0);
    s_routes[11].stall_after = strlen(s_routes[11].response);
    s_routes[12].stall_after = 17;
    add_route("/ka", "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nka", 0);
    s_routes[13].keep_alive = true;
    add_route("/ka-closing", "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nkc", 0);
    add_route("/head", "HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\n", 0);
    add_route("/auth", "HTTP/1.1 200 OK\r\nContent-Length: 6\r\n\r\nsecret", 0);
    s_routes[16].keep_alive = true;
    s_routes[16].require = "\r\nAuthorization: Basic dXNlcjpwYXNz\r\n";
    s_routes[16].otherwise =
        "HTTP/1.1 401 Unauthorized\r\nWWW-Authenticate: Basic realm=\"ota\"\r\n"
        "Content-Length: 4\r\n\r\nnope";
    /* found by fuzz_http_response: these Content-Lengths announce no body */
    add_route("/304-cl", "HTTP/1.1 304 Not Modified\r\nContent-Length: 7\r\n\r\nabcdefg", 0);
    add_route("/100-cl",
              "HTTP/1.1 100 Continue\r\nContent-Length: 3\r\n\r\n"
              "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok",
              0);
    s_srv = fx_http_server_start(s_routes, 19);
    assert_non_null(s_srv);
    return 0;
}

static int group_teardown(void **state)
{
    (void)state;
    fx_http_server_stop(s_srv);
    free(s_big_response);
    return 0;
}

static esp_http_client_handle_t client_for(const char *path, esp_http_client_config_t *cfg)
{
    char url[128];
    snprintf(url, sizeof url, "http://127.0.0.1:%d%s", fx_http_server_port(s_srv), path);
    cfg->url = url;
    esp_http_client_handle_t c = esp_http_client_init(cfg);
    assert_non_null(c);
    return c;
}

static esp_http_client_handle_t open_path(const char *path, int expect_len)
{
    esp_http_client_config_t cfg = {0};
    esp_http_client_handle_t c = client_for(path, &cfg);
    assert_int_equal(esp_http_client_open(c, 0), ESP_OK);
    assert_int_equal(esp_http_client_fetch_headers(c), expect_len);
    return c;
}

static void test_content_length_body_and_request_head(void **state)
{
    (void)state;
    esp_http_client_handle_t c = open_path("/big", BIG);
    assert_int_equal(esp_http_client_get_status_code(c), 200);
    assert_int_equal(esp_http_client_get_content_length(c), BIG);
    assert_false(esp_http_client_is_chunked_response(c));
    static uint8_t body[BIG + 10];
    assert_int_equal(read_all(c, body, sizeof body, 1000), BIG);
    assert_memory_equal(body, s_big, BIG);
    assert_true(esp_http_client_is_complete_data_received(c));
    char *head = fx_http_server_last_request(s_srv);
    char host[64];
    snprintf(host, sizeof host, "\r\nHost: 127.0.0.1:%d\r\n", fx_http_server_port(s_srv));
    assert_non_null(strstr(head, "GET /big HTTP/1.1\r\n"));
    assert_non_null(strstr(head, host));
    assert_non_null(strstr(head, "\r\nUser-Agent: ESP32 HTTP Client/1.0\r\n"));
    free(head);
    esp_http_client_cleanup(c);
}

static void test_chunked_body_decoded_in_small_reads(void **state)
{
    (void)state;
    for (int piece = 1; piece <= 64; piece *= 4) {
        esp_http_client_handle_t c = open_path("/chunked", 0);
        assert_true(esp_http_client_is_chunked_response(c));
        assert_int_equal(esp_http_client_get_content_length(c), -1);
        char body[64];
        assert_int_equal(read_all(c, (uint8_t *)body, sizeof body, piece), strlen(CHUNKED_BODY));
        assert_memory_equal(body, CHUNKED_BODY, strlen(CHUNKED_BODY));
        assert_true(esp_http_client_is_complete_data_received(c));
        esp_http_client_cleanup(c);
    }
}

static void test_body_until_close(void **state)
{
    (void)state;
    esp_http_client_handle_t c = open_path("/until-close", 0);
    assert_true(esp_http_client_is_chunked_response(c));
    assert_int_equal(esp_http_client_get_content_length(c), -1);
    char body[64];
    assert_int_equal(esp_http_client_read_response(c, body, sizeof body), 9);
    assert_memory_equal(body, "all of it", 9);
    assert_true(esp_http_client_is_complete_data_received(c));
    assert_int_equal(esp_http_client_read(c, body, sizeof body), 0);
    esp_http_client_cleanup(c);
}

/* A body that cannot be completed: the data that came, then -1, with a log line. */
static void expect_broken_body(const char *path, int expect_len, const char *good,
                               const char *log_needle)
{
    esp_http_client_handle_t c = open_path(path, expect_len);
    char body[64];
    fx_capture_start();
    int n = esp_http_client_read(c, body, sizeof body);
    int again = esp_http_client_read(c, body + (n > 0 ? n : 0), sizeof body - 20);
    char *log = fx_capture_stop();
    assert_int_equal(n, (int)strlen(good));
    assert_memory_equal(body, good, strlen(good));
    assert_int_equal(again, -1);
    assert_int_equal(esp_http_client_read(c, body, sizeof body), -1); /* sticky */
    assert_false(esp_http_client_is_complete_data_received(c));
    assert_non_null(strstr(log, log_needle));
    free(log);
    esp_http_client_cleanup(c);
}

static void test_short_body_is_an_error(void **state)
{
    (void)state;
    expect_broken_body("/short", 1000, "only this much",
                       "connection closed after 14 of 1000 body bytes");
}

static void test_truncated_chunked_is_an_error(void **state)
{
    (void)state;
    expect_broken_body("/chunk-cut", 0, "helloabc", "before the last chunk");
}

static void test_malformed_chunk_size_is_an_error(void **state)
{
    (void)state;
    expect_broken_body("/chunk-bad", 0, "hello", "malformed response: HPE_INVALID_CHUNK_SIZE");
}

static void test_error_statuses_are_visible_with_bodies(void **state)
{
    (void)state;
    static const struct {
        const char *path;
        int status;
        const char *body;
    } cases[] = {
        {"/404", 404, "no such thing"}, {"/500", 500, "broken"}, {"/nope", 404, "not found"}};
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        recorder_t *r = rec_new();
        esp_http_client_config_t cfg = {.event_handler = rec_handler, .user_data = r};
        esp_http_client_handle_t c = client_for(cases[i].path, &cfg);
        assert_int_equal(esp_http_client_perform(c), ESP_OK);
        assert_int_equal(esp_http_client_get_status_code(c), cases[i].status);
        assert_int_equal(r->body_len, strlen(cases[i].body));
        assert_memory_equal(r->body, cases[i].body, r->body_len);
        esp_http_client_cleanup(c);
        rec_free(r);
    }
}

static void test_header_line_longer_than_buffer(void **state)
{
    (void)state;
    esp_http_client_config_t cfg = {0};
    esp_http_client_handle_t c = client_for("/long-header", &cfg);
    assert_int_equal(esp_http_client_open(c, 0), ESP_OK);
    fx_capture_start();
    int r = esp_http_client_fetch_headers(c);
    char *log = fx_capture_stop();
    assert_int_equal(r, -1);
    assert_non_null(strstr(log, "longer than buffer_size 512 bytes"));
    free(log);
    esp_http_client_cleanup(c);

    cfg.buffer_size = 1024;
    c = client_for("/long-header", &cfg);
    assert_int_equal(esp_http_client_perform(c), ESP_OK);
    assert_int_equal(esp_http_client_get_status_code(c), 200);
    esp_http_client_cleanup(c);
}

static void test_read_timeout_is_an_error(void **state)
{
    (void)state;
    esp_http_client_config_t cfg = {.timeout_ms = 300};
    esp_http_client_handle_t c = client_for("/stall-body", &cfg);
    assert_int_equal(esp_http_client_open(c, 0), ESP_OK);
    assert_int_equal(esp_http_client_fetch_headers(c), 10);
    char body[16];
    assert_int_equal(esp_http_client_read(c, body, sizeof body), 5);
    struct timespec t0;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    fx_capture_start();
    int r = esp_http_client_read(c, body, sizeof body);
    char *log = fx_capture_stop();
    long ms = ms_since(&t0);
    assert_int_equal(r, -1);
    assert_true(ms >= 250 && ms < 2000);
    assert_non_null(strstr(log, "for 300 ms (timeout_ms)"));
    free(log);
    esp_http_client_cleanup(c);

    c = client_for("/stall-head", &cfg);
    assert_int_equal(esp_http_client_open(c, 0), ESP_OK);
    assert_int_equal(esp_http_client_fetch_headers(c), -1);
    esp_http_client_cleanup(c);
}

static void test_perform_events_in_order(void **state)
{
    (void)state;
    recorder_t *r = rec_new();
    esp_http_client_config_t cfg = {.event_handler = rec_handler, .user_data = r};
    esp_http_client_handle_t c = client_for("/cl", &cfg);
    assert_int_equal(esp_http_client_perform(c), ESP_OK);
    const esp_http_client_event_id_t want[] = {
        HTTP_EVENT_ON_CONNECTED, HTTP_EVENT_HEADERS_SENT, HTTP_EVENT_ON_HEADER,
        HTTP_EVENT_ON_HEADER,    HTTP_EVENT_ON_DATA,      HTTP_EVENT_ON_FINISH,
        HTTP_EVENT_DISCONNECTED,
    };
    assert_int_equal(r->n_ids, sizeof want / sizeof want[0]);
    assert_memory_equal(r->ids, want, sizeof want);
    assert_string_equal(r->last_header, "Connection: close");
    assert_int_equal(r->body_len, 5);
    esp_http_client_cleanup(c);
    assert_int_equal(r->count[HTTP_EVENT_DISCONNECTED], 1);
    rec_free(r);
}

static void test_keep_alive_reuses_the_connection(void **state)
{
    (void)state;
    recorder_t *r = rec_new();
    esp_http_client_config_t cfg = {.event_handler = rec_handler, .user_data = r};
    int before = fx_http_server_connections(s_srv);
    esp_http_client_handle_t c = client_for("/ka", &cfg);
    for (int i = 0; i < 3; i++) {
        assert_int_equal(esp_http_client_perform(c), ESP_OK);
        assert_int_equal(esp_http_client_get_status_code(c), 200);
    }
    assert_int_equal(r->count[HTTP_EVENT_ON_CONNECTED], 1);
    assert_int_equal(fx_http_server_connections(s_srv) - before, 1);
    assert_int_equal(r->body_len, 6);

    /* a server that closes a kept-alive connection: the next request reconnects */
    assert_int_equal(esp_http_client_set_url(c, "/ka-closing"), ESP_OK);
    for (int i = 0; i < 3; i++) {
        assert_int_equal(esp_http_client_perform(c), ESP_OK);
    }
    /* the first goes on the kept connection, which the server then closes */
    assert_int_equal(r->count[HTTP_EVENT_ON_CONNECTED], 3);
    assert_memory_equal(r->body + 6, "kckckc", 6);
    esp_http_client_cleanup(c);
    rec_free(r);
}

static void test_head_and_no_content(void **state)
{
    (void)state;
    esp_http_client_config_t cfg = {.method = HTTP_METHOD_HEAD};
    esp_http_client_handle_t c = client_for("/head", &cfg);
    assert_int_equal(esp_http_client_open(c, 0), ESP_OK);
    assert_int_equal(esp_http_client_fetch_headers(c), 1000);
    char b[8];
    assert_int_equal(esp_http_client_read(c, b, sizeof b), 0);
    assert_true(esp_http_client_is_complete_data_received(c));
    esp_http_client_cleanup(c);

    c = open_path("/empty", 0);
    assert_int_equal(esp_http_client_get_status_code(c), 204);
    assert_false(esp_http_client_is_chunked_response(c));
    assert_int_equal(esp_http_client_read(c, b, sizeof b), 0);
    assert_true(esp_http_client_is_complete_data_received(c));
    esp_http_client_cleanup(c);
}

/* RFC 7230 §3.3.3: 1xx, 204 and 304 responses end at their head; bytes after
 * it are not body (no ON_DATA that read() would not return either). */
static void test_no_body_statuses_ignore_content_length(void **state)
{
    (void)state;
    recorder_t *r = rec_new();
    esp_http_client_config_t cfg = {.event_handler = rec_handler, .user_data = r};
    esp_http_client_handle_t c = client_for("/304-cl", &cfg);
    assert_int_equal(esp_http_client_open(c, 0), ESP_OK);
    assert_int_equal(esp_http_client_fetch_headers(c), 7);
    assert_int_equal(esp_http_client_get_status_code(c), 304);
    char b[16];
    assert_int_equal(esp_http_client_read(c, b, sizeof b), 0);
    assert_true(esp_http_client_is_complete_data_received(c));
    assert_int_equal(r->count[HTTP_EVENT_ON_DATA], 0);
    esp_http_client_cleanup(c);
    rec_free(r);

    c = open_path("/100-cl", 2);
    assert_int_equal(esp_http_client_get_status_code(c), 200);
    assert_int_equal(esp_http_client_read(c, b, sizeof b), 2);
    assert_memory_equal(b, "ok", 2);
    esp_http_client_cleanup(c);
}

static void test_post_field_and_basic_auth(void **state)
{
    (void)state;
    esp_http_client_config_t cfg = {.method = HTTP_METHOD_POST,
                                    .username = "user",
                                    .password = "pass",
                                    .auth_type = HTTP_AUTH_TYPE_BASIC};
    esp_http_client_handle_t c = client_for("/cl", &cfg);
    assert_int_equal(esp_http_client_set_post_field(c, "a=1&b", 5), ESP_OK);
    assert_int_equal(esp_http_client_set_header(c, "X-Evil", "a\r\nInjected: 1"),
                     ESP_ERR_INVALID_ARG);
    assert_int_equal(esp_http_client_perform(c), ESP_OK);
    char *head = fx_http_server_last_request(s_srv);
    assert_non_null(strstr(head, "POST /cl HTTP/1.1\r\n"));
    assert_non_null(strstr(head, "\r\nContent-Length: 5\r\n"));
    assert_non_null(strstr(head, "\r\nAuthorization: Basic dXNlcjpwYXNz\r\n"));
    assert_non_null(strstr(head, "\r\nContent-Type: application/x-www-form-urlencoded\r\n"));
    free(head);
    esp_http_client_cleanup(c);
}

static void test_basic_auth_challenge(void **state)
{
    (void)state;
    static const struct {
        const char *user, *pass;
        int status, requests;
        const char *body;
    } cases[] = {{"user", "pass", 200, 2, "secret"},
                 {"user", "bad", 401, 2, "nope"},
                 {NULL, NULL, 401, 1, "nope"}};
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        recorder_t *r = rec_new();
        esp_http_client_config_t cfg = {.username = cases[i].user,
                                        .password = cases[i].pass,
                                        .event_handler = rec_handler,
                                        .user_data = r};
        esp_http_client_handle_t c = client_for("/auth", &cfg);
        int before = fx_http_server_requests(s_srv);
        assert_int_equal(esp_http_client_perform(c), ESP_OK);
        assert_int_equal(esp_http_client_get_status_code(c), cases[i].status);
        assert_int_equal(fx_http_server_requests(s_srv) - before, cases[i].requests);
        /* only the final response's body is data */
        assert_int_equal(r->body_len, strlen(cases[i].body));
        assert_memory_equal(r->body, cases[i].body, r->body_len);
        esp_http_client_cleanup(c);
        rec_free(r);
    }
}

static void test_connect_failure_and_bad_scheme(void **state)
{
    (void)state;
    char url[64];
    snprintf(url, sizeof url, "http://127.0.0.1:%d/", fx_free_port());
    recorder_t *r = rec_new();
    esp_http_client_config_t cfg = {.url = url, .event_handler = rec_handler, .user_data = r};
    esp_http_client_handle_t c = esp_http_client_init(&cfg);
    fx_capture_start();
    esp_err_t err = esp_http_client_perform(c);
    char *log = fx_capture_stop();
    assert_int_equal(err, ESP_ERR_HTTP_CONNECT);
    assert_non_null(strstr(log, "HTTP_CLIENT: Connection failed, sock < 0"));
    assert_non_null(strstr(log, "error 0x7002 (ESP_ERR_HTTP_CONNECT)"));
    assert_int_equal(r->count[HTTP_EVENT_ERROR], 1);
    free(log);
    esp_http_client_cleanup(c);
    rec_free(r);

    cfg = (esp_http_client_config_t){.url = "ftp://127.0.0.1/x"};
    c = esp_http_client_init(&cfg);
    assert_int_equal(esp_http_client_get_transport_type(c), HTTP_TRANSPORT_UNKNOWN);
    assert_int_equal(esp_http_client_perform(c), ESP_ERR_HTTP_INVALID_TRANSPORT);
    esp_http_client_cleanup(c);
}

static void test_config_defaults_and_url(void **state)
{
    (void)state;
    esp_http_client_config_t cfg = {.host = "example.invalid", .path = "/p", .query = "a=b"};
    esp_http_client_handle_t c = esp_http_client_init(&cfg);
    assert_non_null(c);
    char url[128], *ua = NULL, *host = NULL;
    assert_int_equal(esp_http_client_get_url(c, url, sizeof url), ESP_OK);
    assert_string_equal(url, "http://example.invalid/p?a=b");
    assert_int_equal(esp_http_client_get_header(c, "User-Agent", &ua), ESP_OK);
    assert_string_equal(ua, "ESP32 HTTP Client/1.0");
    esp_http_client_get_header(c, "Host", &host);
    assert_string_equal(host, "example.invalid");
    assert_int_equal(esp_http_client_get_transport_type(c), HTTP_TRANSPORT_OVER_TCP);
    assert_int_equal(esp_http_client_set_url(c, "https://[::1]:8443/x/y?z"), ESP_OK);
    assert_int_equal(esp_http_client_get_url(c, url, sizeof url), ESP_OK);
    assert_string_equal(url, "https://[::1]:8443/x/y?z");
    assert_int_equal(esp_http_client_set_url(c, "other"), ESP_OK);
    assert_int_equal(esp_http_client_get_url(c, url, sizeof url), ESP_OK);
    assert_string_equal(url, "https://[::1]:8443/x/other");
    assert_int_equal(esp_http_client_get_transport_type(c), HTTP_TRANSPORT_OVER_SSL);
    esp_http_client_cleanup(c);
    assert_null(esp_http_client_init(&(esp_http_client_config_t){0}));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_content_length_body_and_request_head),
        cmocka_unit_test(test_chunked_body_decoded_in_small_reads),
        cmocka_unit_test(test_body_until_close),
        cmocka_unit_test(test_short_body_is_an_error),
        cmocka_unit_test(test_truncated_chunked_is_an_error),
        cmocka_unit_test(test_malformed_chunk_size_is_an_error),
        cmocka_unit_test(test_error_statuses_are_visible_with_bodies),
        cmocka_unit_test(test_header_line_longer_than_buffer),
        cmocka_unit_test(test_read_timeout_is_an_error),
        cmocka_unit_test(test_perform_events_in_order),
        cmocka_unit_test(test_keep_alive_reuses_the_connection),
        cmocka_unit_test(test_head_and_no_content),
        cmocka_unit_test(test_no_body_statuses_ignore_content_length),
        cmocka_unit_test(test_post_field_and_basic_auth),
        cmocka_unit_test(test_basic_auth_challenge),
        cmocka_unit_test(test_connect_failure_and_bad_scheme),
        cmocka_unit_test(test_config_defaults_and_url),
    };
    return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
