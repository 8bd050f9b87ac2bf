/* Host implementation of the SDK log line format (reference §9.1). */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include "esp_log.h"

#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static esp_log_level_t s_level = ESP_LOG_INFO;
static int s_color = -1; /* -1: decide from isatty(stdout) on first use */
static uint32_t (*s_ts_source)(void);

void esp_log_level_set(const char *tag, esp_log_level_t level)
{
    (void)tag; /* per-tag levels (CONFIG_LOG_SET_LEVEL) are off in the SDK by default */
    s_level = level;
}

esp_log_level_t esp_log_level_get(void)
{
    return s_level;
}

void esp_log_set_color(int on)
{
    s_color = on ? 1 : 0;
}

int esp_log_get_color(void)
{
    if (s_color < 0) {
        s_color = isatty(STDOUT_FILENO) ? 1 : 0;
    }
    return s_color;
}

static uint64_t (*s_host_us)(void);

void esp_log_set_host_stamp(uint64_t (*us_source)(void))
{
    s_host_us = us_source;
}

void esp_log_set_timestamp_source(uint32_t (*source)(void))
{
    s_ts_source = source;
}

uint32_t esp_log_timestamp(void)
{
    static struct timespec s_t0;
    struct timespec now;
    if (s_ts_source) {
        return s_ts_source();
    }
    clock_gettime(CLOCK_MONOTONIC, &now);
    if (s_t0.tv_sec == 0 && s_t0.tv_nsec == 0) {
        s_t0 = now;
    }
    return (uint32_t)((now.tv_sec - s_t0.tv_sec) * 1000 + (now.tv_nsec - s_t0.tv_nsec) / 1000000);
}

static const char *level_color(esp_log_level_t level)
{
    switch (level) {
    case ESP_LOG_ERROR:
        return LOG_COLOR_E;
    case ESP_LOG_WARN:
        return LOG_COLOR_W;
    case ESP_LOG_INFO:
        return LOG_COLOR_I;
    default:
        return NULL; /* D and V carry no escape codes at all */
    }
}

void esp_log_writev(esp_log_level_t level, const char *tag, const char *format, va_list ap)
{
    static const char letters[] = "NEWIDV";
    if (level == ESP_LOG_NONE || level > s_level) {
        return;
    }
    const char *color = esp_log_get_color() ? level_color(level) : NULL;
    /* One buffered line, written with a single fwrite so concurrent tasks never interleave. */
    char line[1024];
    char stamp[32] = "";
    if (s_host_us) {
        uint64_t us = s_host_us();
        snprintf(stamp, sizeof stamp, "[%4llu.%06llu] ", (unsigned long long)(us / 1000000u),
                 (unsigned long long)(us % 1000000u));
    }
    int n = snprintf(line, sizeof line, "%s%s%c (%u) %s: ", stamp, color ? color : "",
                     letters[level], (unsigned)esp_log_timestamp(), tag);
    if (n < 0) {
        return;
    }
    if ((size_t)n < sizeof line) {
        int m = vsnprintf(line + n, sizeof line - (size_t)n, format, ap);
        n = (m < 0) ? n : n + m;
    }
    if ((size_t)n >= sizeof line - 8) {
        n = (int)sizeof line - 8; /* truncated: keep room for the reset and newline */
    }
    if (color) {
        memcpy(line + n, LOG_RESET_COLOR, sizeof LOG_RESET_COLOR - 1);
        n += (int)sizeof LOG_RESET_COLOR - 1;
    }
    line[n++] = '\n';
    flockfile(stdout);
    fwrite(line, 1, (size_t)n, stdout);
    fflush(stdout);
    funlockfile(stdout);
}

void esp_log_write(esp_log_level_t level, const char *tag, const char *format, ...)
{
    va_list ap;
    va_start(ap, format);
    esp_log_writev(level, tag, format, ap);
    va_end(ap);
}
