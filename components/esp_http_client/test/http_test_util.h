#pragma once
/* Helpers shared by the esp_http_client tests: an event recorder and timing. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "esp_http_client.h"

#define REC_MAX_EVENTS 512
#define REC_MAX_BODY (2 * 1024 * 1024)

/* Everything the event handler saw. */
typedef struct {
    esp_http_client_event_id_t ids[REC_MAX_EVENTS];
    int n_ids;
    int count[HTTP_EVENT_DISCONNECTED + 1];
    uint8_t *body; /* concatenated HTTP_EVENT_ON_DATA bytes */
    size_t body_len;
    char last_header[256]; /* "Key: value" of the last HTTP_EVENT_ON_HEADER */
} recorder_t;

static inline esp_err_t rec_handler(esp_http_client_event_t *e)
{
    recorder_t *r = e->user_data;
    if (r->n_ids < REC_MAX_EVENTS) {
        r->ids[r->n_ids++] = e->event_id;
    }
    r->count[e->event_id]++;
    if (e->event_id == HTTP_EVENT_ON_DATA && r->body_len + (size_t)e->data_len <= REC_MAX_BODY) {
        memcpy(r->body + r->body_len, e->data, (size_t)e->data_len);
        r->body_len += (size_t)e->data_len;
    }
    if (e->event_id == HTTP_EVENT_ON_HEADER) {
        snprintf(r->last_header, sizeof r->last_header, "%s: %s", e->header_key, e->header_value);
    }
    return ESP_OK;
}

static inline recorder_t *rec_new(void)
{
    recorder_t *r = calloc(1, sizeof *r);
    r->body = malloc(REC_MAX_BODY);
    return r;
}

static inline void rec_free(recorder_t *r)
{
    free(r->body);
    free(r);
}

/* Reads the whole body with esp_http_client_read in pieces of `piece`
 * bytes; returns the length, or -1 if a read failed. */
static inline long read_all(esp_http_client_handle_t c, uint8_t *out, size_t cap, int piece)
{
    size_t used = 0;
    for (;;) {
        int want = (int)(cap - used) < piece ? (int)(cap - used) : piece;
        int n = esp_http_client_read(c, (char *)out + used, want);
        if (n < 0) {
            return -1;
        }
        if (n == 0) {
            return (long)used;
        }
        used += (size_t)n;
    }
}

static inline long ms_since(const struct timespec *t0)
{
    struct timespec t1;
    clock_gettime(CLOCK_MONOTONIC, &t1);
    return (t1.tv_sec - t0->tv_sec) * 1000 + (t1.tv_nsec - t0->tv_nsec) / 1000000;
}
