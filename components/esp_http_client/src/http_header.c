/* Request header list and small string helpers for esp_http_client. */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <mbedtls/base64.h>

#include "http_client_priv.h"

static hc_header_t *header_find(hc_header_t *list, const char *key)
{
    for (; list != NULL; list = list->next) {
        if (strcasecmp(list->key, key) == 0) {
            return list;
        }
    }
    return NULL;
}

static void header_delete(hc_header_t **list, const char *key)
{
    for (hc_header_t **p = list; *p != NULL; p = &(*p)->next) {
        if (strcasecmp((*p)->key, key) == 0) {
            hc_header_t *dead = *p;
            *p = dead->next;
            free(dead->key);
            free(dead->value);
            free(dead);
            return;
        }
    }
}

esp_err_t hc_header_set(hc_header_t **list, const char *key, const char *value)
{
    if (key == NULL) {
        return ESP_ERR_INVALID_ARG;
    }
    if (value == NULL) {
        header_delete(list, key);
        return ESP_OK;
    }
    /* CR or LF in a header would let a value inject further headers. */
    if (strpbrk(key, "\r\n:") != NULL || strpbrk(value, "\r\n") != NULL) {
        return ESP_ERR_INVALID_ARG;
    }
    char *copy = strdup(value);
    if (copy == NULL) {
        return ESP_ERR_NO_MEM;
    }
    hc_header_t *h = header_find(*list, key);
    if (h != NULL) {
        free(h->value);
        h->value = copy;
        return ESP_OK;
    }
    h = calloc(1, sizeof *h);
    if (h == NULL || (h->key = strdup(key)) == NULL) {
        free(h);
        free(copy);
        return ESP_ERR_NO_MEM;
    }
    h->value = copy;
    /* Appended, so headers go out in the order they were first set. */
    hc_header_t **tail = list;
    while (*tail != NULL) {
        tail = &(*tail)->next;
    }
    *tail = h;
    return ESP_OK;
}

const char *hc_header_get(const hc_header_t *list, const char *key)
{
    const hc_header_t *h = header_find((hc_header_t *)list, key);
    return h ? h->value : NULL;
}

void hc_header_free_all(hc_header_t **list)
{
    while (*list != NULL) {
        hc_header_t *next = (*list)->next;
        free((*list)->key);
        free((*list)->value);
        free(*list);
        *list = next;
    }
}

esp_err_t hc_str_append(char **buf, size_t *len, size_t *cap, const char *s, size_t n)
{
    if (*len + n + 1 > *cap) {
        size_t want = (*cap ? *cap : 256);
        while (want < *len + n + 1) {
            want *= 2;
        }
        char *bigger = realloc(*buf, want);
        if (bigger == NULL) {
            return ESP_ERR_NO_MEM;
        }
        *buf = bigger;
        *cap = want;
    }
    memcpy(*buf + *len, s, n);
    *len += n;
    (*buf)[*len] = '\0';
    return ESP_OK;
}

esp_err_t hc_header_append_all(const hc_header_t *list, char **buf, size_t *len, size_t *cap)
{
    esp_err_t err = ESP_OK;
    for (; list != NULL && err == ESP_OK; list = list->next) {
        err = hc_str_append(buf, len, cap, list->key, strlen(list->key));
        if (err == ESP_OK) {
            err = hc_str_append(buf, len, cap, ": ", 2);
        }
        if (err == ESP_OK) {
            err = hc_str_append(buf, len, cap, list->value, strlen(list->value));
        }
        if (err == ESP_OK) {
            err = hc_str_append(buf, len, cap, "\r\n", 2);
        }
    }
    return err;
}

char *hc_basic_auth_value(const char *user, const char *pass)
{
    size_t raw_len = strlen(user) + 1 + (pass ? strlen(pass) : 0);
    char *raw = malloc(raw_len + 1);
    size_t b64_cap = 4 * ((raw_len + 2) / 3) + 1;
    char *out = malloc(6 + b64_cap);
    size_t b64_len = 0;
    if (raw == NULL || out == NULL) {
        free(raw);
        free(out);
        return NULL;
    }
    strcpy(raw, user);
    strcat(raw, ":");
    strcat(raw, pass ? pass : "");
    memcpy(out, "Basic ", 6);
    if (mbedtls_base64_encode((unsigned char *)out + 6, b64_cap, &b64_len,
                              (const unsigned char *)raw, raw_len) != 0) {
        free(out);
        out = NULL;
    }
    memset(raw, 0, raw_len); /* the password should not linger on the heap */
    free(raw);
    return out;
}

char *hc_strdup_or_null(const char *s)
{
    return s ? strdup(s) : NULL;
}
