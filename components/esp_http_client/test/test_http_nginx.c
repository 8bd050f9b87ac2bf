/*
 * esp_http_client against a real nginx (host-toolchain-notes §7), started
 * in the foreground from a /tmp prefix and killed at the end: Content-Length
 * bodies over HTTPS and HTTP, keep-alive (checked in nginx's own access log),
 * Range and 404.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "esp_http_client.h"
#include "http_test_util.h"
#include "net_fixture.h"

#define FILE_SIZE (1024 * 1024)

static struct {
    char *dir;
    char *ca_pem;
    uint8_t *file;
    fx_proc_t nginx;
    int tls_port, tcp_port;
} s_env;

static const char *nginx_path(void)
{
    /* /usr/sbin may be missing from a CI user's PATH */
    if (access("/usr/sbin/nginx", X_OK) == 0) {
        return "/usr/sbin/nginx";
    }
    return fx_have_tool("nginx") ? "nginx" : NULL;
}

static const char s_conf[] =
    "daemon off;\n"
    "master_process off;\n"
    "worker_processes 1;\n"
    "pid logs/nginx.pid;\n"
    "error_log stderr notice;\n"
    "events { worker_connections 64; }\n"
    "http {\n"
    "    log_format conn '$connection $connection_requests $status $request';\n"
    "    access_log logs/access.log conn;\n"
    "    client_body_temp_path tmp/body;\n"
    "    proxy_temp_path tmp/proxy;\n"
    "    fastcgi_temp_path tmp/fastcgi;\n"
    "    uwsgi_temp_path tmp/uwsgi;\n"
    "    scgi_temp_path tmp/scgi;\n"
    "    default_type application/octet-stream;\n"
    "    server {\n"
    "        listen 127.0.0.1:%d ssl;\n"
    "        listen 127.0.0.1:%d;\n"
    "        server_name localhost;\n"
    "        ssl_certificate server.pem;\n"
    "        ssl_certificate_key server.key;\n"
    "        root www;\n"
    "        keepalive_timeout 5s;\n"
    "    }\n"
    "}\n";

/* Free ports can be taken between the probe and nginx's bind: retry. */
static int start_nginx(const char *nginx)
{
    for (int attempt = 0; attempt < 5; attempt++) {
        s_env.tls_port = fx_free_port();
        s_env.tcp_port = fx_free_port();
        char conf[2048], path[300];
        snprintf(conf, sizeof conf, s_conf, s_env.tls_port, s_env.tcp_port);
        snprintf(path, sizeof path, "%s/nginx.conf", s_env.dir);
        assert_int_equal(fx_write_file(path, conf, strlen(conf)), 0);
        char prefix[300];
        snprintf(prefix, sizeof prefix, "%s/", s_env.dir);
        snprintf(s_env.nginx.log, sizeof s_env.nginx.log, "%s/nginx.log", s_env.dir);
        const char *argv[] = {nginx, "-e", "stderr", "-p", prefix, "-c", "nginx.conf", NULL};
        if (fx_spawn(&s_env.nginx, s_env.dir, argv) == 0 &&
            fx_wait_listen(s_env.tls_port, 3000) == 0 &&
            fx_wait_listen(s_env.tcp_port, 1000) == 0) {
            return 0;
        }
        fx_stop(&s_env.nginx);
    }
    return -1;
}

static int group_setup(void **state)
{
    (void)state;
    const char *nginx = nginx_path();
    if (nginx == NULL || !fx_have_tool("openssl")) {
        return 0; /* each test skips */
    }
    s_env.dir = fx_mkdtemp("http_nginx_test");
    assert_int_equal(fx_make_certs(s_env.dir), 0);
    assert_int_equal(fx_sh("cd '%s' && mkdir -p www logs tmp", s_env.dir), 0);
    s_env.file = malloc(FILE_SIZE);
    fx_fill_pattern(s_env.file, FILE_SIZE, 5);
    char path[300];
    snprintf(path, sizeof path, "%s/www/fw.bin", s_env.dir);
    assert_int_equal(fx_write_file(path, s_env.file, FILE_SIZE), 0);
    snprintf(path, sizeof path, "%s/ca.pem", s_env.dir);
    s_env.ca_pem = fx_read_file(path, NULL);
    assert_int_equal(start_nginx(nginx), 0);
    return 0;
}

static int group_teardown(void **state)
{
    (void)state;
    fx_stop(&s_env.nginx);
    fx_rmtree(s_env.dir);
    free(s_env.dir);
    free(s_env.file);
    free(s_env.ca_pem);
    return 0;
}

#define NEED_NGINX()                                                                               \
    do {                                                                                           \
        if (s_env.dir == NULL) {                                                                   \
            skip();                                                                                \
        }                                                                                          \
    } while (0)

static esp_http_client_handle_t client_for(bool tls, const char *path,
                                           esp_http_client_config_t *cfg)
{
    char url[128];
    snprintf(url, sizeof url, "%s://localhost:%d%s", tls ? "https" : "http",
             tls ? s_env.tls_port : s_env.tcp_port, path);
    cfg->url = url;
    cfg->cert_pem = s_env.ca_pem;
    esp_http_client_handle_t c = esp_http_client_init(cfg);
    assert_non_null(c);
    return c;
}

static void test_content_length_download_https_and_http(void **state)
{
    (void)state;
    NEED_NGINX();
    static uint8_t body[FILE_SIZE + 100];
    for (int tls = 1; tls >= 0; tls--) {
        esp_http_client_config_t cfg = {0};
        esp_http_client_handle_t c = client_for(tls, "/fw.bin", &cfg);
        assert_int_equal(esp_http_client_open_follow(c), ESP_OK);
        assert_int_equal(esp_http_client_get_status_code(c), 200);
        assert_int_equal(esp_http_client_get_content_length(c), FILE_SIZE);
        assert_false(esp_http_client_is_chunked_response(c));
        memset(body, 0, sizeof body);
        assert_int_equal(read_all(c, body, sizeof body, 1460), FILE_SIZE);
        assert_memory_equal(body, s_env.file, FILE_SIZE);
        assert_true(esp_http_client_is_complete_data_received(c));
        esp_http_client_cleanup(c);
    }
}

/* The access-log lines ("conn requests status request") for path, newest last. */
static int log_lines_for(const char *path, long conn[], long reqs[], int max)
{
    char file[300];
    snprintf(file, sizeof file, "%s/logs/access.log", s_env.dir);
    char *log = fx_read_file(file, NULL);
    if (log == NULL) {
        return 0;
    }
    int n = 0;
    for (char *line = strtok(log, "\n"); line != NULL && n < max; line = strtok(NULL, "\n")) {
        char request[200];
        if (sscanf(line, "%ld %ld %*d %199[^\n]", &conn[n], &reqs[n], request) == 3 &&
            strstr(request, path) != NULL) {
            n++;
        }
    }
    free(log);
    return n;
}

static void test_keep_alive_one_connection_two_requests(void **state)
{
    (void)state;
    NEED_NGINX();
    recorder_t *r = rec_new();
    esp_http_client_config_t cfg = {.event_handler = rec_handler, .user_data = r};
    esp_http_client_handle_t c = client_for(true, "/fw.bin?ka", &cfg);
    assert_int_equal(esp_http_client_perform(c), ESP_OK);
    assert_int_equal(esp_http_client_perform(c), ESP_OK);
    assert_int_equal(r->count[HTTP_EVENT_ON_CONNECTED], 1);
    assert_int_equal(r->count[HTTP_EVENT_ON_FINISH], 2);
    assert_int_equal(r->body_len, 2 * FILE_SIZE);
    assert_memory_equal(r->body + FILE_SIZE, s_env.file, FILE_SIZE);
    esp_http_client_cleanup(c);
    rec_free(r);
    /* nginx writes its access log when each request ends */
    long conn[4], reqs[4];
    assert_int_equal(log_lines_for("/fw.bin?ka", conn, reqs, 4), 2);
    assert_int_equal(conn[0], conn[1]);
    assert_int_equal(reqs[0], 1);
    assert_int_equal(reqs[1], 2);
}

static void test_range_request(void **state)
{
    (void)state;
    NEED_NGINX();
    esp_http_client_config_t cfg = {0};
    esp_http_client_handle_t c = client_for(true, "/fw.bin", &cfg);
    assert_int_equal(esp_http_client_set_header(c, "Range", "bytes=1000-1099"), ESP_OK);
    assert_int_equal(esp_http_client_open_follow(c), ESP_OK);
    assert_int_equal(esp_http_client_get_status_code(c), 206);
    assert_int_equal(esp_http_client_get_content_length(c), 100);
    char body[200];
    assert_int_equal(esp_http_client_read_response(c, body, sizeof body), 100);
    assert_memory_equal(body, s_env.file + 1000, 100);
    esp_http_client_cleanup(c);
}

static void test_not_found_status_is_visible(void **state)
{
    (void)state;
    NEED_NGINX();
    esp_http_client_config_t cfg = {0};
    esp_http_client_handle_t c = client_for(true, "/missing.bin", &cfg);
    assert_int_equal(esp_http_client_open_follow(c), ESP_OK);
    assert_int_equal(esp_http_client_get_status_code(c), 404);
    char body[1024];
    int n = esp_http_client_read_response(c, body, sizeof body - 1);
    assert_true(n > 0);
    body[n] = '\0';
    assert_non_null(strstr(body, "404 Not Found"));
    esp_http_client_cleanup(c);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_content_length_download_https_and_http),
        cmocka_unit_test(test_keep_alive_one_connection_two_requests),
        cmocka_unit_test(test_range_request),
        cmocka_unit_test(test_not_found_status_is_visible),
    };
    return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
