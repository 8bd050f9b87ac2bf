/* URLs for esp_http_client: parsing with http_parser, relative references. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "esp_log.h"
#include "http_client_priv.h"

static bool has_scheme(const char *url)
{
    const char *colon = strstr(url, "://");
    return colon != NULL && strcspn(url, "/?#") > (size_t)(colon - url);
}

static bool default_port(const char *scheme, int port)
{
    return (strcasecmp(scheme, "https") == 0 && port == HTTPS_DEFAULT_PORT) ||
           (strcasecmp(scheme, "http") == 0 && port == HTTP_DEFAULT_PORT);
}

/* "scheme://host[:port]" of the current URL, bracketing IPv6 literals. */
static int origin(esp_http_client_handle_t c, char *buf, size_t cap)
{
    bool v6 = strchr(c->host, ':') != NULL;
    if (default_port(c->scheme, c->port)) {
        return snprintf(buf, cap, "%s://%s%s%s", c->scheme, v6 ? "[" : "", c->host, v6 ? "]" : "");
    }
    return snprintf(buf, cap, "%s://%s%s%s:%d", c->scheme, v6 ? "[" : "", c->host, v6 ? "]" : "",
                    c->port);
}

/* RFC 3986 §5.2 for the references servers send in Location: absolute,
 * scheme-relative ("//h/p"), absolute-path ("/p"), query-only ("?q") and
 * path-relative ("p"), the last merged with the current path's directory.
 * Dot segments are left to the server. Returns a malloc'd absolute URL. */
static char *resolve(esp_http_client_handle_t c, const char *ref)
{
    char *out = NULL;
    int n = -1;
    if (has_scheme(ref)) {
        return strdup(ref);
    }
    if (c->host == NULL || c->scheme == NULL) {
        return NULL;
    }
    if (strncmp(ref, "//", 2) == 0) {
        n = asprintf(&out, "%s:%s", c->scheme, ref);
        return n < 0 ? NULL : out;
    }
    char base[512];
    if (origin(c, base, sizeof base) >= (int)sizeof base) {
        return NULL;
    }
    const char *path = c->path ? c->path : "/";
    if (ref[0] == '/') {
        n = asprintf(&out, "%s%s", base, ref);
    } else if (ref[0] == '?') {
        n = asprintf(&out, "%s%s%s", base, path, ref);
    } else {
        int dir_len = (int)(strrchr(path, '/') - path) + 1;
        n = asprintf(&out, "%s%.*s%s", base, dir_len, path, ref);
    }
    return n < 0 ? NULL : out;
}

static char *field(const char *url, const struct http_parser_url *u, int f)
{
    if (!(u->field_set & (1 << f))) {
        return NULL;
    }
    return strndup(url + u->field_data[f].off, u->field_data[f].len);
}

/* Moves the parsed parts into the client; returns ESP_ERR_NO_MEM or ESP_OK. */
static esp_err_t take_fields(esp_http_client_handle_t c, const char *url,
                             const struct http_parser_url *u)
{
    char *scheme = field(url, u, UF_SCHEMA);
    char *host = field(url, u, UF_HOST);
    char *path = field(url, u, UF_PATH);
    char *query = field(url, u, UF_QUERY);
    char *userinfo = field(url, u, UF_USERINFO);
    if (scheme == NULL || host == NULL || (path == NULL && (path = strdup("/")) == NULL)) {
        free(scheme), free(host), free(path), free(query), free(userinfo);
        return ESP_ERR_NO_MEM;
    }
    free(c->scheme), free(c->host), free(c->path), free(c->query);
    c->scheme = scheme;
    c->host = host;
    c->path = path;
    c->query = query;
    if (u->field_set & (1 << UF_PORT)) {
        c->port = u->port;
    } else {
        c->port = strcasecmp(scheme, "https") == 0 ? HTTPS_DEFAULT_PORT : HTTP_DEFAULT_PORT;
    }
    if (userinfo != NULL) {
        char *colon = strchr(userinfo, ':');
        if (colon != NULL) {
            *colon = '\0';
            free(c->password);
            c->password = strdup(colon + 1);
        }
        free(c->username);
        c->username = strdup(userinfo);
        free(userinfo);
    }
    return ESP_OK;
}

esp_err_t hc_url_apply(esp_http_client_handle_t c, const char *url)
{
    char *abs = resolve(c, url);
    if (abs == NULL) {
        ESP_LOGE(HTTP_TAG, "Error parse url %s: not absolute and no current URL to resolve it",
                 url);
        return ESP_ERR_INVALID_ARG;
    }
    struct http_parser_url u;
    http_parser_url_init(&u);
    if (http_parser_parse_url(abs, strlen(abs), 0, &u) != 0 || !(u.field_set & (1 << UF_HOST)) ||
        !(u.field_set & (1 << UF_SCHEMA))) {
        ESP_LOGE(HTTP_TAG, "Error parse url %s", abs);
        free(abs);
        return ESP_ERR_INVALID_ARG;
    }
    esp_err_t err = take_fields(c, abs, &u);
    free(abs);
    if (err == ESP_OK) {
        err = hc_url_set_host_header(c);
    }
    return err;
}

esp_err_t hc_url_set_host_header(esp_http_client_handle_t c)
{
    char host[300];
    bool v6 = strchr(c->host, ':') != NULL;
    int n = default_port(c->scheme, c->port)
                ? snprintf(host, sizeof host, "%s%s%s", v6 ? "[" : "", c->host, v6 ? "]" : "")
                : snprintf(host, sizeof host, "%s%s%s:%d", v6 ? "[" : "", c->host, v6 ? "]" : "",
                           c->port);
    if (n >= (int)sizeof host) {
        ESP_LOGE(HTTP_TAG, "host name of %d bytes is too long", (int)strlen(c->host));
        return ESP_ERR_INVALID_ARG;
    }
    return hc_header_set(&c->headers, "Host", host);
}

esp_err_t esp_http_client_get_url(esp_http_client_handle_t client, char *url, const int len)
{
    if (client == NULL || url == NULL || len <= 0) {
        return ESP_ERR_INVALID_ARG;
    }
    if (client->host == NULL || client->scheme == NULL || client->path == NULL) {
        ESP_LOGE(HTTP_TAG, "Failed to get URL");
        return ESP_FAIL;
    }
    char base[512];
    origin(client, base, sizeof base);
    int n = snprintf(url, (size_t)len, "%s%s%s%s", base, client->path, client->query ? "?" : "",
                     client->query ? client->query : "");
    return n < len ? ESP_OK : ESP_ERR_INVALID_SIZE;
}
