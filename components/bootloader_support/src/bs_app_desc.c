/* The 256-byte app descriptor (reference §3.6), field by field. */
#include <string.h>

#include "bs_image.h"
#include "bs_port.h"

#define DESC_OFF_MAGIC 0
#define DESC_OFF_SECVER 4
#define DESC_OFF_RESERV1 8
#define DESC_OFF_VERSION 16
#define DESC_OFF_PROJECT 48
#define DESC_OFF_TIME 80
#define DESC_OFF_DATE 96
#define DESC_OFF_IDF_VER 112
#define DESC_OFF_ELF_SHA 144
#define DESC_OFF_RESERV2 176

#define DESC_RESERV1_WORDS 2
#define DESC_RESERV2_WORDS 20

esp_err_t bs_app_desc_decode(const uint8_t raw[ESP_APP_DESC_SIZE], esp_app_desc_t *out)
{
    memset(out, 0, sizeof *out);
    if (bs_le32(raw + DESC_OFF_MAGIC) != ESP_APP_DESC_MAGIC_WORD) {
        return ESP_ERR_NOT_FOUND;
    }
    out->magic_word = ESP_APP_DESC_MAGIC_WORD;
    out->secure_version = bs_le32(raw + DESC_OFF_SECVER);
    for (int i = 0; i < DESC_RESERV1_WORDS; i++) {
        out->reserv1[i] = bs_le32(raw + DESC_OFF_RESERV1 + 4 * i);
    }
    /* Strings are copied as stored: a full-width field has no NUL on flash
     * either, and callers of the SDK struct already live with that. */
    memcpy(out->version, raw + DESC_OFF_VERSION, sizeof out->version);
    memcpy(out->project_name, raw + DESC_OFF_PROJECT, sizeof out->project_name);
    memcpy(out->time, raw + DESC_OFF_TIME, sizeof out->time);
    memcpy(out->date, raw + DESC_OFF_DATE, sizeof out->date);
    memcpy(out->idf_ver, raw + DESC_OFF_IDF_VER, sizeof out->idf_ver);
    memcpy(out->app_elf_sha256, raw + DESC_OFF_ELF_SHA, sizeof out->app_elf_sha256);
    for (int i = 0; i < DESC_RESERV2_WORDS; i++) {
        out->reserv2[i] = bs_le32(raw + DESC_OFF_RESERV2 + 4 * i);
    }
    return ESP_OK;
}

void bs_app_desc_encode(const esp_app_desc_t *in, uint8_t raw[ESP_APP_DESC_SIZE])
{
    bs_put_le32(raw + DESC_OFF_MAGIC, in->magic_word);
    bs_put_le32(raw + DESC_OFF_SECVER, in->secure_version);
    for (int i = 0; i < DESC_RESERV1_WORDS; i++) {
        bs_put_le32(raw + DESC_OFF_RESERV1 + 4 * i, in->reserv1[i]);
    }
    memcpy(raw + DESC_OFF_VERSION, in->version, sizeof in->version);
    memcpy(raw + DESC_OFF_PROJECT, in->project_name, sizeof in->project_name);
    memcpy(raw + DESC_OFF_TIME, in->time, sizeof in->time);
    memcpy(raw + DESC_OFF_DATE, in->date, sizeof in->date);
    memcpy(raw + DESC_OFF_IDF_VER, in->idf_ver, sizeof in->idf_ver);
    memcpy(raw + DESC_OFF_ELF_SHA, in->app_elf_sha256, sizeof in->app_elf_sha256);
    for (int i = 0; i < DESC_RESERV2_WORDS; i++) {
        bs_put_le32(raw + DESC_OFF_RESERV2 + 4 * i, in->reserv2[i]);
    }
}
