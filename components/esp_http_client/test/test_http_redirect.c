/*
 * Redirects over plain TCP: every 3xx the client follows, Location forms
 * (absolute, scheme-relative, absolute-path, path-relative), 303 to GET, the
 * redirect limit on a loop, disable_auto_redirect, and the open + fetch_headers
 * paths (esp_http_client_open_follow and the SDK loop with set_redirection).
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

#define TARGET "target-body"
#define OK_TARGET "HTTP/1.1 200 OK\r\nContent-Length: 11\r\n\r\n" TARGET
#define MOVED(code, loc) "HTTP/1.1 " code "\r\nLocation: " loc "\r\nContent-Length: 5\r\n\r\nmoved"

static fx_http_server_t *s_srv, *s_other;
static char s_abs[160], s_scheme_rel[160], s_cross[160];

static fx_route_t s_routes[] = {
    {.path = "/target", .response = OK_TARGET, .keep_alive = true},
    {.path = "/r301", .response = s_abs, .keep_alive = true},
    {.path = "/r302", .response = MOVED("302 Found", "/target"), .keep_alive = true},
    {.path = "/r303", .response = MOVED("303 See Other", "/target"), .keep_alive = true},
    {.path = "/r307", .response = MOVED("307 Temporary Redirect", "r302"), .keep_alive = true},
    {.path = "/r308", .response = s_scheme_rel, .keep_alive = true},
    {.path = "/dir/page", .response = MOVED("302 Found", "sub/t2?x=1"), .keep_alive = true},
    {.path = "/dir/sub/t2?x=1", .response = "HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\ndir"},
    {.path = "/loop", .response = MOVED("302 Found", "/loop"), .keep_alive = true},
    {.path = "/noloc", .response = "HTTP/1.1 302 Found\r\nContent-Length: 2\r\n\r\nno"},
    {.path = "/r10", .response = "HTTP/1.0 302 Found\r\nLocation: /target\r\n\r\nuntil close"},
    {.path = "/cross", .response = s_cross},
};
#define N_ROUTES (sizeof s_routes / sizeof s_routes[0])

static int group_setup(void **state)
{
    (void)state;
    s_other = fx_http_server_start(s_routes, 1);
    assert_non_null(s_other);
    snprintf(s_cross, sizeof s_cross, MOVED("302 Found", "http://localhost:%d/target"),
             fx_http_server_port(s_other));
    /* s_abs and s_scheme_rel need our own port: bind first, then fill them in */
    s_srv = fx_http_server_start(s_routes, N_ROUTES);
    assert_non_null(s_srv);
    int port = fx_http_server_port(s_srv);
    snprintf(s_abs, sizeof s_abs, MOVED("301 Moved Permanently", "http://127.0.0.1:%d/target"),
             port);
    snprintf(s_scheme_rel, sizeof s_scheme_rel,
             MOVED("308 Permanent Redirect", "//127.0.0.1:%d/target"), port);
    return 0;
}

static int group_teardown(void **state)
{
    (void)state;
    fx_http_server_stop(s_srv);
    fx_http_server_stop(s_other);
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

static void test_perform_follows_every_redirect_status(void **state)
{
    (void)state;
    static const char *const paths[] = {"/r301", "/r302", "/r303", "/r307",
                                        "/r308", "/r10",  "/cross"};
    for (size_t i = 0; i < sizeof paths / sizeof paths[0]; i++) {
        recorder_t *r = rec_new();
        esp_http_client_config_t cfg = {.event_handler = rec_handler, .user_data = r};
        esp_http_client_handle_t c = client_for(paths[i], &cfg);
        assert_int_equal(esp_http_client_perform(c), ESP_OK);
        assert_int_equal(esp_http_client_get_status_code(c), 200);
        /* redirect bodies are discarded, never delivered as data */
        assert_int_equal(r->body_len, strlen(TARGET));
        assert_memory_equal(r->body, TARGET, strlen(TARGET));
        assert_int_equal(r->count[HTTP_EVENT_ON_FINISH], 1);
        esp_http_client_cleanup(c);
        rec_free(r);
    }
}

static void test_303_turns_post_into_get_307_keeps_it(void **state)
{
    (void)state;
    esp_http_client_config_t cfg = {.method = HTTP_METHOD_POST};
    esp_http_client_handle_t c = client_for("/r303", &cfg);
    esp_http_client_set_post_field(c, "data!", 5);
    assert_int_equal(esp_http_client_perform(c), ESP_OK);
    char *head = fx_http_server_last_request(s_srv);
    assert_non_null(strstr(head, "GET /target HTTP/1.1\r\n"));
    assert_null(strstr(head, "Content-Length"));
    assert_null(strstr(head, "Content-Type"));
    free(head);
    esp_http_client_cleanup(c);

    c = client_for("/r307", &cfg);
    esp_http_client_set_post_field(c, "data!", 5);
    assert_int_equal(esp_http_client_perform(c), ESP_OK);
    head = fx_http_server_last_request(s_srv);
    assert_non_null(strstr(head, "POST /target HTTP/1.1\r\n"));
    assert_non_null(strstr(head, "Content-Length: 5"));
    free(head);
    esp_http_client_cleanup(c);
}

static void test_redirect_loop_stops_at_the_limit(void **state)
{
    (void)state;
    static const int limits[] = {0, 3}; /* 0: the default, 10 */
    for (size_t i = 0; i < 2; i++) {
        esp_http_client_config_t cfg = {.max_redirection_count = limits[i]};
        esp_http_client_handle_t c = client_for("/loop", &cfg);
        int before = fx_http_server_requests(s_srv);
        fx_capture_start();
        esp_err_t err = esp_http_client_perform(c);
        char *log = fx_capture_stop();
        assert_int_equal(err, ESP_ERR_HTTP_MAX_REDIRECT);
        int max = limits[i] ? limits[i] : 10;
        assert_int_equal(fx_http_server_requests(s_srv) - before, max + 1);
        char want[64];
        snprintf(want, sizeof want, "Error, reach max_redirection_count count=%d", max);
        assert_non_null(strstr(log, want));
        assert_non_null(strstr(log, "error 0x7001 (ESP_ERR_HTTP_MAX_REDIRECT)"));
        free(log);
        esp_http_client_cleanup(c);
    }
}

static void test_disable_auto_redirect_returns_the_3xx(void **state)
{
    (void)state;
    recorder_t *r = rec_new();
    esp_http_client_config_t cfg = {
        .disable_auto_redirect = true, .event_handler = rec_handler, .user_data = r};
    esp_http_client_handle_t c = client_for("/r302", &cfg);
    assert_int_equal(esp_http_client_perform(c), ESP_OK);
    assert_int_equal(esp_http_client_get_status_code(c), 302);
    assert_int_equal(r->body_len, 5);
    /* the caller may still follow it by hand */
    assert_int_equal(esp_http_client_set_redirection(c), ESP_OK);
    assert_int_equal(esp_http_client_perform(c), ESP_OK);
    assert_int_equal(esp_http_client_get_status_code(c), 200);
    esp_http_client_cleanup(c);
    rec_free(r);
}

static void test_open_follow_then_read(void **state)
{
    (void)state;
    static const char *const paths[] = {"/r307", "/r308", "/r10", "/target"};
    for (size_t i = 0; i < sizeof paths / sizeof paths[0]; i++) {
        esp_http_client_config_t cfg = {0};
        esp_http_client_handle_t c = client_for(paths[i], &cfg);
        assert_int_equal(esp_http_client_open_follow(c), ESP_OK);
        assert_int_equal(esp_http_client_get_status_code(c), 200);
        assert_int_equal(esp_http_client_get_content_length(c), 11);
        char body[32];
        assert_int_equal(esp_http_client_read_response(c, body, sizeof body), 11);
        assert_memory_equal(body, TARGET, 11);
        char url[128];
        esp_http_client_get_url(c, url, sizeof url);
        assert_non_null(strstr(url, "/target"));
        esp_http_client_cleanup(c);
    }
    esp_http_client_config_t cfg = {.max_redirection_count = 2};
    esp_http_client_handle_t c = client_for("/loop", &cfg);
    assert_int_equal(esp_http_client_open_follow(c), ESP_ERR_HTTP_MAX_REDIRECT);
    esp_http_client_cleanup(c);
}

/* The loop documented in esp_http_client.h, with SDK calls only. */
static esp_err_t sdk_loop(esp_http_client_handle_t c)
{
    esp_err_t err;
    while ((err = esp_http_client_open(c, 0)) == ESP_OK) {
        if (esp_http_client_fetch_headers(c) < 0) {
            return ESP_ERR_HTTP_FETCH_HEADER;
        }
        int s = esp_http_client_get_status_code(c);
        if (s != 301 && s != 302 && s != 303 && s != 307 && s != 308) {
            break;
        }
        esp_http_client_flush_response(c, NULL);
        if ((err = esp_http_client_set_redirection(c)) != ESP_OK) {
            break;
        }
    }
    return err;
}

static void test_sdk_loop_with_set_redirection(void **state)
{
    (void)state;
    esp_http_client_config_t cfg = {0};
    esp_http_client_handle_t c = client_for("/dir/page", &cfg);
    assert_int_equal(sdk_loop(c), ESP_OK);
    char body[8];
    assert_int_equal(esp_http_client_read_response(c, body, sizeof body), 3);
    assert_memory_equal(body, "dir", 3);
    esp_http_client_cleanup(c);

    cfg.max_redirection_count = 4;
    c = client_for("/loop", &cfg);
    int before = fx_http_server_requests(s_srv);
    assert_int_equal(sdk_loop(c), ESP_ERR_HTTP_MAX_REDIRECT);
    assert_int_equal(fx_http_server_requests(s_srv) - before, 5);
    esp_http_client_cleanup(c);
}

static void test_redirect_without_location_is_returned(void **state)
{
    (void)state;
    recorder_t *r = rec_new();
    esp_http_client_config_t cfg = {.event_handler = rec_handler, .user_data = r};
    esp_http_client_handle_t c = client_for("/noloc", &cfg);
    assert_int_equal(esp_http_client_perform(c), ESP_OK);
    assert_int_equal(esp_http_client_get_status_code(c), 302);
    assert_int_equal(r->body_len, 2);
    assert_int_equal(esp_http_client_set_redirection(c), ESP_ERR_INVALID_ARG);
    esp_http_client_cleanup(c);
    rec_free(r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_perform_follows_every_redirect_status),
        cmocka_unit_test(test_303_turns_post_into_get_307_keeps_it),
        cmocka_unit_test(test_redirect_loop_stops_at_the_limit),
        cmocka_unit_test(test_disable_auto_redirect_returns_the_3xx),
        cmocka_unit_test(test_open_follow_then_read),
        cmocka_unit_test(test_sdk_loop_with_set_redirection),
        cmocka_unit_test(test_redirect_without_location_is_returned),
    };
    return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
