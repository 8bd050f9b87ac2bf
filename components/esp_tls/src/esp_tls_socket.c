/*
 * Sockets for esp_tls: resolve, non-blocking connect bounded by a deadline,
 * and recv/send that wait with poll() so every call honours timeout_ms.
 */
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <mbedtls/net_sockets.h>
#include <mbedtls/ssl.h>

#include "esp_log.h"
#include "esp_tls_priv.h"
#include "sim_app.h"

int64_t tls_now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int64_t tls_deadline_after(int timeout_ms)
{
    return timeout_ms > 0 ? tls_now_ms() + timeout_ms : -1;
}

int tls_poll_timeout(int64_t deadline_ms)
{
    if (deadline_ms < 0) {
        return -1;
    }
    int64_t left = deadline_ms - tls_now_ms();
    return left > 0 ? (int)left : 0;
}

/* Waits until the connect in progress on fd finishes; returns 0 or an errno. */
static int sock_wait_connected(int fd, int64_t deadline_ms)
{
    struct pollfd p = {.fd = fd, .events = POLLOUT};
    int n;
    do {
        n = poll(&p, 1, tls_poll_timeout(deadline_ms));
    } while (n < 0 && errno == EINTR);
    if (n == 0) {
        return ETIMEDOUT;
    }
    if (n < 0) {
        return errno;
    }
    int err = 0;
    socklen_t len = sizeof err;
    if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) < 0) {
        return errno;
    }
    return err;
}

/* One address: returns the connected socket, or -1 with *err set. */
static int sock_try_address(const struct addrinfo *ai, int64_t deadline_ms, int *err)
{
    int fd = socket(ai->ai_family, ai->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC, ai->ai_protocol);
    if (fd < 0) {
        *err = errno;
        return -1;
    }
    int rc = connect(fd, ai->ai_addr, ai->ai_addrlen);
    *err = rc == 0 ? 0 : errno;
    if (*err == EINPROGRESS) {
        *err = sock_wait_connected(fd, deadline_ms);
    }
    if (*err != 0) {
        close(fd);
        return -1;
    }
    /* Nagle would hold back the handshake's small flights for a delayed ACK. */
    int one = 1;
    if (setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one) < 0) {
        *err = errno;
        close(fd);
        return -1;
    }
    return fd;
}

esp_err_t tls_sock_connect(esp_tls_t *tls, const char *host, int port, int64_t deadline_ms)
{
    struct addrinfo hints = {
        .ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM, .ai_flags = AI_NUMERICSERV};
    struct addrinfo *list = NULL;
    char service[8];
    /* On the virtual device the network may map the port (run --net-map). */
    int host_port = sim_net_map_port(port);
    snprintf(service, sizeof service, "%d", host_port);
    int gai = getaddrinfo(host, service, &hints, &list);
    if (gai != 0) {
        ESP_LOGE(TLS_TAG, "couldn't get hostname for :%s: (%s)", host, gai_strerror(gai));
        return ESP_ERR_ESP_TLS_CANNOT_RESOLVE_HOSTNAME;
    }
    int err = 0;
    int fd = -1;
    /* "localhost" may resolve to ::1 first while the server listens on 127.0.0.1 only. */
    for (const struct addrinfo *ai = list; ai != NULL && fd < 0; ai = ai->ai_next) {
        fd = sock_try_address(ai, deadline_ms, &err);
        if (err == ETIMEDOUT) {
            break;
        }
    }
    freeaddrinfo(list);
    if (fd >= 0) {
        tls->sockfd = fd;
        return ESP_OK;
    }
    if (err == ETIMEDOUT) {
        ESP_LOGE(TLS_TAG, "Failed to connect to %s:%d: no answer within the timeout", host, port);
        return ESP_ERR_ESP_TLS_CONNECTION_TIMEOUT;
    }
    if (host_port != port) {
        ESP_LOGE(TLS_TAG, "(the virtual network maps port %d to the host's port %d)", port,
                 host_port);
    }
    ESP_LOGE(TLS_TAG, "Failed to connect to host %s:%d (errno %d: %s)", host, port, err,
             strerror(err));
    return ESP_ERR_ESP_TLS_FAILED_CONNECT_TO_HOST;
}

/* Waits for events on the socket until tls->deadline_ms; returns poll()'s count. */
static int sock_wait(esp_tls_t *tls, short events)
{
    struct pollfd p = {.fd = tls->sockfd, .events = events};
    int timeout = tls->non_block ? 0 : tls_poll_timeout(tls->deadline_ms);
    int n;
    do {
        n = poll(&p, 1, timeout);
    } while (n < 0 && errno == EINTR);
    return n;
}

int tls_sock_recv(esp_tls_t *tls, unsigned char *buf, size_t len)
{
    for (;;) {
        ssize_t n = recv(tls->sockfd, buf, len, 0);
        if (n > 0) {
            return (int)n;
        }
        if (n == 0) {
            tls->peer_eof = true;
            return 0;
        }
        if (errno == EINTR) {
            continue;
        }
        if (errno != EAGAIN && errno != EWOULDBLOCK) {
            return errno == ECONNRESET ? MBEDTLS_ERR_NET_CONN_RESET : MBEDTLS_ERR_NET_RECV_FAILED;
        }
        int ready = sock_wait(tls, POLLIN);
        if (ready == 0) {
            return tls->non_block ? MBEDTLS_ERR_SSL_WANT_READ : MBEDTLS_ERR_SSL_TIMEOUT;
        }
        if (ready < 0) {
            return MBEDTLS_ERR_NET_RECV_FAILED;
        }
    }
}

int tls_sock_send(esp_tls_t *tls, const unsigned char *buf, size_t len)
{
    for (;;) {
        /* MSG_NOSIGNAL: a peer that went away must give an error, not SIGPIPE. */
        ssize_t n = send(tls->sockfd, buf, len, MSG_NOSIGNAL);
        if (n >= 0) {
            return (int)n;
        }
        if (errno == EINTR) {
            continue;
        }
        if (errno != EAGAIN && errno != EWOULDBLOCK) {
            return errno == EPIPE || errno == ECONNRESET ? MBEDTLS_ERR_NET_CONN_RESET
                                                         : MBEDTLS_ERR_NET_SEND_FAILED;
        }
        int ready = sock_wait(tls, POLLOUT);
        if (ready == 0) {
            return tls->non_block ? MBEDTLS_ERR_SSL_WANT_WRITE : MBEDTLS_ERR_SSL_TIMEOUT;
        }
        if (ready < 0) {
            return MBEDTLS_ERR_NET_SEND_FAILED;
        }
    }
}
