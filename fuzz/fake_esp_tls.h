#pragma once
/*
 * A link-time stand-in for esp_tls (fake_esp_tls.c) so that the real
 * esp_http_client runs without sockets: every "connection" reads the next
 * bytes of one scripted server stream, in read sizes the fuzzer chooses.
 * The seam is the esp_tls.h API itself, so the client needs no change.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct {
    const uint8_t *data; /* what the server sends, over every connection in turn */
    size_t len;
    size_t pos;
    const uint8_t *sizes; /* read sizes, cycled (n -> n + 1 bytes); NULL: as much as asked */
    size_t nsizes;
    size_t next_size;
    bool eof_is_timeout; /* the end reads as ESP_TLS_ERR_SSL_TIMEOUT instead of a close */
    int connects;        /* esp_tls_conn_new_sync calls */
    int open;            /* handles not deleted yet */
    size_t max_read_req; /* largest datalen a read asked for */
} fz_transport_t;

/* The stream later connections read; NULL makes every connect fail. */
void fz_transport_use(fz_transport_t *t);
