#pragma once
/* The generated code → name table (see gen_esp_err_to_name.sh). */
#include "esp_err.h"

typedef struct {
    esp_err_t code;
    const char *name;
} esp_err_msg_t;

extern const esp_err_msg_t esp_err_msg_table[];
extern const unsigned esp_err_msg_count;
