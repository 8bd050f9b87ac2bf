#pragma once
/* Helpers for the sim unit tests: temporary erased chip files. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "sim_flash.h"

typedef struct {
    char path[64];
    sim_flash_t f;
} test_chip_t;

/* A fresh erased chip of `size` in a temp file, using state st (NULL: private). */
static inline void test_chip_open(test_chip_t *c, uint32_t size, sim_state_t *st)
{
    snprintf(c->path, sizeof c->path, "/tmp/ota8266-sim-XXXXXX");
    int fd = mkstemp(c->path);
    assert_true(fd >= 0);
    close(fd);
    esp_err_t err = sim_flash_open(&c->f, c->path, size, true, st);
    if (err != ESP_OK) {
        fail_msg("sim_flash_open: %s", c->f.last_error);
    }
}

static inline void test_chip_close(test_chip_t *c)
{
    sim_flash_close(&c->f);
    unlink(c->path);
}

/* Reads the file directly: tests look without adding to the counters they check. */
static inline void test_peek(test_chip_t *c, uint32_t addr, uint8_t *dst, uint32_t len)
{
    assert_int_equal(pread(c->f.fd, dst, len, addr), (ssize_t)len);
}
