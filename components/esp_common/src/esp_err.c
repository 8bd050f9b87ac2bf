/* esp_err_to_name over the table generated from the public headers. */
#include "esp_err.h"
#include "esp_err_table.h"

#include <stdio.h>
#include <stdlib.h>

const char *esp_err_to_name(esp_err_t code)
{
    for (unsigned i = 0; i < esp_err_msg_count; i++) {
        if (esp_err_msg_table[i].code == code) {
            return esp_err_msg_table[i].name;
        }
    }
    return "UNKNOWN ERROR";
}

const char *esp_err_to_name_r(esp_err_t code, char *buf, uint32_t buflen)
{
    for (unsigned i = 0; i < esp_err_msg_count; i++) {
        if (esp_err_msg_table[i].code == code) {
            return esp_err_msg_table[i].name;
        }
    }
    if (buf && buflen) {
        snprintf(buf, buflen, "UNKNOWN ERROR 0x%x", (unsigned)code);
    }
    return buf;
}

void _esp_error_check_failed(esp_err_t rc, const char *file, int line, const char *function,
                             const char *expression)
{
    printf("ESP_ERROR_CHECK failed: esp_err_t 0x%x (%s) at %p\n", (unsigned)rc,
           esp_err_to_name(rc), __builtin_return_address(0));
    printf("file: \"%s\" line %d\nfunc: %s\nexpression: %s\n", file, line, function, expression);
    fflush(stdout);
    abort();
}
