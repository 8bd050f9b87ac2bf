/* The wrapped allocator (see bench_alloc.h): a size header in front of each
 * block, aligned like malloc's own blocks. */
#include "bench_alloc.h"

#include <stdalign.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdint.h>
#include <string.h>

void *__real_malloc(size_t n);
void *__real_realloc(void *p, size_t n);
void __real_free(void *p);
void *__wrap_malloc(size_t n);
void *__wrap_calloc(size_t count, size_t n);
void *__wrap_realloc(void *p, size_t n);
void __wrap_free(void *p);
char *__wrap_strdup(const char *s);
char *__wrap_strndup(const char *s, size_t n);
int __wrap_asprintf(char **out, const char *fmt, ...);

#define HDR (sizeof(max_align_t))

static bench_heap_t s_heap;

const bench_heap_t *bench_heap(void)
{
    return &s_heap;
}

void bench_heap_reset_peak(void)
{
    s_heap.peak = s_heap.current;
}

static void *account(uint8_t *raw, size_t n)
{
    if (raw == NULL) {
        return NULL;
    }
    memcpy(raw, &n, sizeof n);
    s_heap.current += n;
    s_heap.calls++;
    if (s_heap.current > s_heap.peak) {
        s_heap.peak = s_heap.current;
    }
    return raw + HDR;
}

static size_t size_of(void *p)
{
    size_t n;
    memcpy(&n, (uint8_t *)p - HDR, sizeof n);
    return n;
}

void *__wrap_malloc(size_t n)
{
    return account(__real_malloc(n + HDR), n);
}

void *__wrap_calloc(size_t count, size_t n)
{
    if (n != 0 && count > (SIZE_MAX - HDR) / n) {
        return NULL;
    }
    void *p = __wrap_malloc(count * n);
    if (p != NULL) {
        memset(p, 0, count * n);
    }
    return p;
}

void __wrap_free(void *p)
{
    if (p == NULL) {
        return;
    }
    s_heap.current -= size_of(p);
    __real_free((uint8_t *)p - HDR);
}

void *__wrap_realloc(void *p, size_t n)
{
    if (p == NULL) {
        return __wrap_malloc(n);
    }
    size_t old = size_of(p);
    uint8_t *raw = __real_realloc((uint8_t *)p - HDR, n + HDR);
    if (raw == NULL) {
        return NULL;
    }
    s_heap.current -= old;
    return account(raw, n);
}

char *__wrap_strdup(const char *s)
{
    size_t n = strlen(s) + 1;
    char *d = __wrap_malloc(n);
    if (d != NULL) {
        memcpy(d, s, n);
    }
    return d;
}

char *__wrap_strndup(const char *s, size_t n)
{
    size_t len = strnlen(s, n);
    char *d = __wrap_malloc(len + 1);
    if (d != NULL) {
        memcpy(d, s, len);
        d[len] = '\0';
    }
    return d;
}

int __wrap_asprintf(char **out, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    *out = n < 0 ? NULL : __wrap_malloc((size_t)n + 1);
    if (*out == NULL) {
        return -1;
    }
    va_start(ap, fmt);
    vsnprintf(*out, (size_t)n + 1, fmt, ap);
    va_end(ap);
    return n;
}
