#pragma once
/*
 * nvs_flash.h of the SDK, minimal and honest: there is NO key/value store
 * (no nvs_open/nvs_get/nvs_set). nvs_flash_init() only checks that the
 * partition table has the "nvs" data partition the SDK's init looks for;
 * nvs_flash_erase() erases it. That is all the OTA examples need: their
 * app_main calls these and handles ESP_ERR_NVS_NO_FREE_PAGES and
 * ESP_ERR_NVS_NEW_VERSION_FOUND by erasing, which never happens here.
 *
 * The NVS error codes live in nvs.h in the SDK; they are here, with the
 * SDK's values (never renumber), because this is the only NVS header.
 */
#include "esp_err.h"

#ifdef __cplusplus
extern "C" {
#endif

#define ESP_ERR_NVS_BASE              0x1100
#define ESP_ERR_NVS_NOT_INITIALIZED   (ESP_ERR_NVS_BASE + 0x01) /* storage not initialised */
#define ESP_ERR_NVS_NOT_FOUND         (ESP_ERR_NVS_BASE + 0x02) /* no such namespace or key */
#define ESP_ERR_NVS_TYPE_MISMATCH     (ESP_ERR_NVS_BASE + 0x03) /* stored value of another type */
#define ESP_ERR_NVS_READ_ONLY         (ESP_ERR_NVS_BASE + 0x04) /* handle opened read-only */
#define ESP_ERR_NVS_NOT_ENOUGH_SPACE  (ESP_ERR_NVS_BASE + 0x05) /* no room for the value */
#define ESP_ERR_NVS_INVALID_NAME      (ESP_ERR_NVS_BASE + 0x06) /* bad namespace name */
#define ESP_ERR_NVS_INVALID_HANDLE    (ESP_ERR_NVS_BASE + 0x07) /* closed or NULL handle */
#define ESP_ERR_NVS_REMOVE_FAILED     (ESP_ERR_NVS_BASE + 0x08) /* flash write failed on update */
#define ESP_ERR_NVS_KEY_TOO_LONG      (ESP_ERR_NVS_BASE + 0x09) /* key name too long */
#define ESP_ERR_NVS_PAGE_FULL         (ESP_ERR_NVS_BASE + 0x0a) /* internal */
#define ESP_ERR_NVS_INVALID_STATE     (ESP_ERR_NVS_BASE + 0x0b) /* inconsistent after an error */
#define ESP_ERR_NVS_INVALID_LENGTH    (ESP_ERR_NVS_BASE + 0x0c) /* buffer too short */
#define ESP_ERR_NVS_NO_FREE_PAGES     (ESP_ERR_NVS_BASE + 0x0d) /* no empty page: erase and init */
#define ESP_ERR_NVS_VALUE_TOO_LONG    (ESP_ERR_NVS_BASE + 0x0e) /* string or blob too long */
#define ESP_ERR_NVS_PART_NOT_FOUND    (ESP_ERR_NVS_BASE + 0x0f) /* no partition with that label */
/* From the SDK after v3.4 (master); the examples test for it. */
#define ESP_ERR_NVS_NEW_VERSION_FOUND (ESP_ERR_NVS_BASE + 0x10) /* data in a newer format */

/**
 * Initialises the default NVS partition (label "nvs", type data, subtype nvs).
 * @return ESP_OK (also when already initialised); ESP_ERR_NOT_FOUND if the
 *         partition table has no such partition.
 */
esp_err_t nvs_flash_init(void);

/**
 * Deinitialises the default NVS partition.
 * @return ESP_OK; ESP_ERR_NVS_NOT_INITIALIZED if it was not initialised.
 */
esp_err_t nvs_flash_deinit(void);

/**
 * Erases the whole default NVS partition (and deinitialises it).
 * @return ESP_OK; ESP_ERR_NOT_FOUND if there is no such partition; a flash
 *         error (ESP_ERR_FLASH_OP_FAIL ...) from the erase.
 */
esp_err_t nvs_flash_erase(void);

#ifdef __cplusplus
}
#endif
