#pragma once
/*
 * The app descriptor (SDK v3.4+ esp_app_format.h): 256 bytes at the first
 * data byte of the image's second flash-mapped segment (.flash.rodata,
 * .rodata_desc first). Decoded form; bs_app_desc_decode() parses it.
 */
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define ESP_APP_DESC_MAGIC_WORD 0xABCD5432u /* on flash: never change */
#define ESP_APP_DESC_SIZE 256

typedef struct {
    uint32_t magic_word;
    uint32_t secure_version;
    uint32_t reserv1[2];
    char version[32];
    char project_name[32];
    char time[16];
    char date[16];
    char idf_ver[32];
    uint8_t app_elf_sha256[32];
    uint32_t reserv2[20];
} esp_app_desc_t;

_Static_assert(sizeof(esp_app_desc_t) == ESP_APP_DESC_SIZE, "esp_app_desc_t must be 256 bytes");

#ifdef __cplusplus
}
#endif
