/* esp_tls.h over a scripted byte stream, for the HTTP fuzz target (fake_esp_tls.h). */
#include "fake_esp_tls.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "esp_tls.h"
#include "fuzz_util.h"

struct esp_tls {
    fz_transport_t *t;
    esp_tls_last_error_t last_error;
};

static fz_transport_t *s_transport;
/* A pipe nobody writes to: poll() on it reports "idle", so kept-alive
 * connections are reused as they would be with a live server. */
static int s_idle_fd = -1;

void fz_transport_use(fz_transport_t *t)
{
    s_transport = t;
    if (s_idle_fd < 0) {
        int fds[2];
        FZ_CHECK(pipe(fds) == 0, "harness: pipe");
        s_idle_fd = fds[0];
    }
}

esp_tls_t *esp_tls_init(void)
{
    return calloc(1, sizeof(esp_tls_t));
}

int esp_tls_conn_new_sync(const char *hostname, int hostlen, int port, const esp_tls_cfg_t *cfg,
                          esp_tls_t *tls)
{
    (void)cfg;
    FZ_CHECK(hostname != NULL && hostlen >= 0 && (size_t)hostlen == strlen(hostname),
             "connect: host length %d", hostlen);
    FZ_CHECK(port >= 0 && port <= 65535, "connect to port %d", port);
    if (s_transport == NULL || tls == NULL) {
        return -1;
    }
    tls->t = s_transport;
    s_transport->connects++;
    s_transport->open++;
    return 1;
}

ssize_t esp_tls_conn_read(esp_tls_t *tls, void *data, size_t datalen)
{
    FZ_CHECK(tls != NULL && tls->t != NULL && data != NULL && datalen > 0,
             "read on a bad handle or with %zu bytes", datalen);
    fz_transport_t *t = tls->t;
    if (datalen > t->max_read_req) {
        t->max_read_req = datalen;
    }
    if (t->pos == t->len) {
        return t->eof_is_timeout ? ESP_TLS_ERR_SSL_TIMEOUT : 0;
    }
    size_t n = datalen;
    if (t->sizes != NULL) {
        size_t want = (size_t)t->sizes[t->next_size++ % t->nsizes] + 1u;
        n = want < n ? want : n;
    }
    if (n > t->len - t->pos) {
        n = t->len - t->pos;
    }
    memcpy(data, t->data + t->pos, n);
    t->pos += n;
    return (ssize_t)n;
}

ssize_t esp_tls_conn_write(esp_tls_t *tls, const void *data, size_t datalen)
{
    FZ_CHECK(tls != NULL && tls->t != NULL && (data != NULL || datalen == 0),
             "write on a bad handle");
    return (ssize_t)datalen; /* the request is not what is fuzzed */
}

void esp_tls_conn_delete(esp_tls_t *tls)
{
    if (tls != NULL && tls->t != NULL) {
        tls->t->open--;
    }
    free(tls);
}

ssize_t esp_tls_get_bytes_avail(esp_tls_t *tls)
{
    return tls == NULL ? -1 : 0;
}

esp_err_t esp_tls_get_conn_sockfd(esp_tls_t *tls, int *sockfd)
{
    if (tls == NULL || sockfd == NULL) {
        return ESP_ERR_INVALID_ARG;
    }
    *sockfd = s_idle_fd;
    return ESP_OK;
}

esp_err_t esp_tls_get_error_handle(esp_tls_t *tls, esp_tls_error_handle_t *error_handle)
{
    if (tls == NULL || error_handle == NULL) {
        return ESP_ERR_INVALID_ARG;
    }
    *error_handle = &tls->last_error;
    return ESP_OK;
}

esp_err_t esp_tls_get_and_clear_last_error(esp_tls_error_handle_t h, int *esp_tls_code,
                                           int *esp_tls_flags)
{
    if (h == NULL) {
        return ESP_ERR_INVALID_STATE;
    }
    esp_err_t last = h->last_error;
    if (esp_tls_code != NULL) {
        *esp_tls_code = h->esp_tls_error_code;
    }
    if (esp_tls_flags != NULL) {
        *esp_tls_flags = h->esp_tls_flags;
    }
    memset(h, 0, sizeof *h);
    return last;
}
