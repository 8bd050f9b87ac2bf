#pragma once
/*
 * Heap accounting for the benchmark programs: they are linked with
 * -Wl,--wrap= malloc, calloc, realloc, free, strdup, strndup,
 * asprintf and mbedTLS's static archives,
 * so every allocation of mbedTLS and of our components goes through here.
 * Bytes are the sizes asked for (no allocator overhead).
 */
#include <stddef.h>

typedef struct {
    size_t current;
    size_t peak;
    size_t calls;
} bench_heap_t;

/* The counters; bench_heap_reset_peak() makes peak = current. */
const bench_heap_t *bench_heap(void);
void bench_heap_reset_peak(void);
