/* The app descriptor, compiled into each app with its own PROJECT_NAME and
 * PROJECT_VER. It sits first in .rodata_desc, where elf2image finds it and
 * copies it to the start of the image's second flash segment (the SDK's
 * .flash.rodata), adding the ELF's SHA-256. */
#include "esp_app_format.h"

#ifndef PROJECT_VER
#define PROJECT_VER "1"
#endif
#ifndef OTA8266_IDF_VER
#define OTA8266_IDF_VER "v3.4-ota8266"
#endif

__attribute__((section(".rodata_desc"), used)) const esp_app_desc_t esp_app_desc = {
    .magic_word = ESP_APP_DESC_MAGIC_WORD,
    .secure_version = 0,
    .version = PROJECT_VER,
    .project_name = PROJECT_NAME,
    .time = __TIME__,
    .date = __DATE__,
    .idf_ver = OTA8266_IDF_VER,
};
