/*
 * The device state shared by the supervisor and every boot stage: one
 * sim_state_t in a memfd, mapped MAP_SHARED by each process, so counters,
 * the fault plan and the reset cause survive the exec of each stage.
 */
#include "sim_state.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static uint64_t monotonic_ns(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (uint64_t)t.tv_sec * 1000000000ull + (uint64_t)t.tv_nsec;
}

/* Defaults of a power-on: real-time clock, first boot not yet started. */
static void state_init(sim_state_t *st, uint32_t chip_size)
{
    memset(st, 0, sizeof *st);
    st->magic = SIM_STATE_MAGIC;
    st->chip_size = chip_size;
    st->seed = 1;
    st->rst_cause = SIM_RST_POWER_ON;
    st->reset_reason = SIM_REASON_POWERON;
    st->boot_t0_ns = monotonic_ns();
    st->time_scale_x1000 = 1000;
}

sim_state_t *sim_state_create(uint32_t chip_size, int *fd_out)
{
    /* No MFD_CLOEXEC: the boot stages are exec'd and must inherit the fd. */
    int fd = memfd_create("ota8266-state", 0);
    if (fd < 0) {
        return NULL;
    }
    if (ftruncate(fd, (off_t)sizeof(sim_state_t)) < 0) {
        close(fd);
        return NULL;
    }
    void *p = mmap(NULL, sizeof(sim_state_t), PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    if (p == MAP_FAILED) {
        close(fd);
        return NULL;
    }
    state_init(p, chip_size);
    if (fd_out) {
        *fd_out = fd;
    } else {
        close(fd); /* the mapping keeps the memory alive */
    }
    return p;
}

sim_state_t *sim_state_from_env(void)
{
    const char *text = getenv("OTA8266_STATE_FD");
    if (!text || !*text) {
        return NULL;
    }
    char *end;
    errno = 0;
    long fd = strtol(text, &end, 10);
    if (errno || *end != '\0' || fd < 0 || fd > 1000000) {
        return NULL;
    }
    /* A stage built from another version of the struct must not scribble on it. */
    struct stat sb;
    if (fstat((int)fd, &sb) < 0 || sb.st_size != (off_t)sizeof(sim_state_t)) {
        return NULL;
    }
    sim_state_t *st =
        mmap(NULL, sizeof(sim_state_t), PROT_READ | PROT_WRITE, MAP_SHARED, (int)fd, 0);
    if (st == MAP_FAILED) {
        return NULL;
    }
    if (st->magic != SIM_STATE_MAGIC) {
        munmap(st, sizeof(sim_state_t));
        return NULL;
    }
    return st;
}

sim_state_t *sim_state_private(uint32_t chip_size)
{
    /* mmap rather than calloc so that sim_state_release has one way to free. */
    void *p =
        mmap(NULL, sizeof(sim_state_t), PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED) {
        return NULL;
    }
    state_init(p, chip_size);
    return p;
}

void sim_state_release(sim_state_t *st)
{
    if (st) {
        munmap(st, sizeof(sim_state_t));
    }
}

uint32_t sim_clock_ms(const sim_state_t *st)
{
    /* Without a device (a unit test calling device code) time starts at first use. */
    static uint64_t s_t0;
    uint64_t now = monotonic_ns();
    uint64_t t0;
    uint32_t scale = 1000;
    if (st) {
        t0 = st->boot_t0_ns;
        scale = st->time_scale_x1000 ? st->time_scale_x1000 : 1000;
    } else {
        if (!s_t0) {
            s_t0 = now;
        }
        t0 = s_t0;
    }
    uint64_t elapsed_us = now > t0 ? (now - t0) / 1000u : 0;
    /* In microseconds first: ns x scale would overflow after a few hours at x1000. */
    return (uint32_t)(elapsed_us * scale / 1000u / 1000u);
}

void sim_sleep_ms(const sim_state_t *st, uint32_t virtual_ms)
{
    uint32_t scale = st && st->time_scale_x1000 ? st->time_scale_x1000 : 1000;
    uint64_t real_ns = (uint64_t)virtual_ms * 1000000u * 1000u / scale;
    struct timespec req = {.tv_sec = (time_t)(real_ns / 1000000000u),
                           .tv_nsec = (long)(real_ns % 1000000000u)};
    struct timespec rem;
    while (nanosleep(&req, &rem) < 0 && errno == EINTR) {
        req = rem;
    }
}
