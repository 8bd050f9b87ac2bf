#pragma once
/*
 * ESP_LOGx: the SDK's line format "L (ms) TAG: message", with the SDK's
 * colours (E red, W yellow, I green; D and V plain) when colours are on.
 * Colours are decided at run time: on when stdout is a terminal, or when
 * the virtual device was started with colours forced on (DESIGN.md §2).
 */
#include <stdarg.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef enum {
    ESP_LOG_NONE,
    ESP_LOG_ERROR,
    ESP_LOG_WARN,
    ESP_LOG_INFO,
    ESP_LOG_DEBUG,
    ESP_LOG_VERBOSE,
} esp_log_level_t;

#define LOG_COLOR_E "\033[0;31m"
#define LOG_COLOR_W "\033[0;33m"
#define LOG_COLOR_I "\033[0;32m"
#define LOG_RESET_COLOR "\033[0m"

/* Default level for every tag (CONFIG_LOG_DEFAULT_LEVEL, INFO unless overridden). */
void esp_log_level_set(const char *tag, esp_log_level_t level);
esp_log_level_t esp_log_level_get(void);

/* Colours on (1), off (0). */
void esp_log_set_color(int on);
int esp_log_get_color(void);

/* Milliseconds since this boot; from the source the platform registered
 * (the virtual clock on the host), else a monotonic clock from first use. */
uint32_t esp_log_timestamp(void);
void esp_log_set_timestamp_source(uint32_t (*source)(void));
/* With a source set, every line starts with "[   S.UUUUUU] ": that source's
 * microseconds, stamped as the line is written, before the SDK's own text
 * (ota8266 run --timestamps; the host's clock since power-on). */
void esp_log_set_host_stamp(uint64_t (*us_source)(void));

void esp_log_write(esp_log_level_t level, const char *tag, const char *format, ...)
    __attribute__((format(printf, 3, 4)));
void esp_log_writev(esp_log_level_t level, const char *tag, const char *format, va_list ap);

#define ESP_LOG_LEVEL_(lvl, tag, fmt, ...) esp_log_write(lvl, tag, fmt, ##__VA_ARGS__)
#define ESP_LOGE(tag, fmt, ...) ESP_LOG_LEVEL_(ESP_LOG_ERROR, tag, fmt, ##__VA_ARGS__)
#define ESP_LOGW(tag, fmt, ...) ESP_LOG_LEVEL_(ESP_LOG_WARN, tag, fmt, ##__VA_ARGS__)
#define ESP_LOGI(tag, fmt, ...) ESP_LOG_LEVEL_(ESP_LOG_INFO, tag, fmt, ##__VA_ARGS__)
#define ESP_LOGD(tag, fmt, ...) ESP_LOG_LEVEL_(ESP_LOG_DEBUG, tag, fmt, ##__VA_ARGS__)
#define ESP_LOGV(tag, fmt, ...) ESP_LOG_LEVEL_(ESP_LOG_VERBOSE, tag, fmt, ##__VA_ARGS__)
#define ESP_EARLY_LOGE ESP_LOGE
#define ESP_EARLY_LOGW ESP_LOGW
#define ESP_EARLY_LOGI ESP_LOGI
#define ESP_EARLY_LOGD ESP_LOGD

#ifdef __cplusplus
}
#endif
