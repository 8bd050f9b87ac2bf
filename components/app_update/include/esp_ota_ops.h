#pragma once
/*
 * The app_update API of ESP8266_RTOS_SDK v3.4 / ESP-IDF (esp_ota_ops.h):
 * write a new app image into an OTA slot, check it, and select the slot for
 * the next boot. Formats and codes are the SDK's; the behaviour differs
 * where the SDK's is a bug (each difference is one "ota8266:" line below).
 *
 * Validate before erasing (DESIGN.md §4). esp_ota_begin erases nothing.
 * esp_ota_write feeds every byte to the core's image parser before it
 * touches flash: the first 16 bytes (image header + first segment header)
 * are held back until they have been checked, then each 4 KB sector is
 * erased just before the first byte is written into it. So a download
 * whose first bytes are not an image for this slot (an HTML error page,
 * a "200 Error opening" body, an image linked for another slot, an image
 * whose segment headers already say it cannot fit) is refused by the first
 * esp_ota_write calls with nothing erased: esp_https_ota needs no separate
 * pre-check, it calls esp_ota_begin and esp_ota_write as they are.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "esp_app_format.h"
#include "esp_err.h"
#include "esp_flash_partitions.h"
#include "esp_partition.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Values are the SDK's and ESP-IDF's: never renumber. */
#define ESP_ERR_OTA_BASE 0x1500
/* The target is the partition the app is running from. */
#define ESP_ERR_OTA_PARTITION_CONFLICT (ESP_ERR_OTA_BASE + 0x01)
/* otadata is unusable (declared by the SDK, not returned by it or by us yet). */
#define ESP_ERR_OTA_SELECT_INFO_INVALID (ESP_ERR_OTA_BASE + 0x02)
/* The image is not a valid app image for the slot. */
#define ESP_ERR_OTA_VALIDATE_FAILED (ESP_ERR_OTA_BASE + 0x03)
/* ESP-IDF: the image's secure version is below the chip's (anti-rollback). */
#define ESP_ERR_OTA_SMALL_SEC_VER (ESP_ERR_OTA_BASE + 0x04)
/* ESP-IDF: no valid app to roll back to. */
#define ESP_ERR_OTA_ROLLBACK_FAILED (ESP_ERR_OTA_BASE + 0x05)
/* ESP-IDF: the running app is still pending verification. */
#define ESP_ERR_OTA_ROLLBACK_INVALID_STATE (ESP_ERR_OTA_BASE + 0x06)

/* image_size for esp_ota_begin when the length is not known. */
#define OTA_SIZE_UNKNOWN 0xffffffff
/* ESP-IDF's "erase as you write" request; ota8266 always does that, so it
 * means the same as OTA_SIZE_UNKNOWN. */
#define OTA_WITH_SEQUENTIAL_WRITES 0xfffffffe

/* Handles count from 1; 0 is never a valid handle. */
typedef uint32_t esp_ota_handle_t;

/*
 * Starts writing an image into an OTA app slot.
 * ota8266: erases nothing (the SDK erases image_size + 4 KB, or the whole slot, here).
 * ota8266: an image exactly the slot's size is accepted (the SDK refuses it with 0x104).
 *
 * @param partition  an OTA app slot (app, subtype ota_0..ota_15) of the table
 * @param image_size the image length if known, else OTA_SIZE_UNKNOWN (or 0)
 * @param out_handle receives the handle for esp_ota_write / _end / _abort
 * @return
 *   - ESP_OK
 *   - ESP_ERR_INVALID_ARG: partition or out_handle is NULL, or not an OTA app slot
 *   - ESP_ERR_NOT_FOUND: partition is not in the partition table
 *   - ESP_ERR_OTA_PARTITION_CONFLICT: partition is the one the app runs from
 *   - ESP_ERR_OTA_ROLLBACK_INVALID_STATE: with CONFIG_BOOTLOADER_APP_ROLLBACK_ENABLE,
 *     the running app is still PENDING_VERIFY (it must confirm itself first)
 *   - ESP_ERR_INVALID_SIZE: image_size is known and larger than the slot
 *   - ESP_ERR_NO_MEM: no memory for the update's state
 */
esp_err_t esp_ota_begin(const esp_partition_t *partition, size_t image_size,
                        esp_ota_handle_t *out_handle);

/*
 * Appends size bytes of the image. Bytes are checked by the image parser as
 * they arrive; only bytes that passed are written.
 * ota8266: malformed headers and oversized images are refused here, before
 * the bytes reach flash (the SDK checks only the first byte and writes the rest).
 * ota8266: each sector is erased just before its first write (the SDK erased in begin),
 * and not at all when it already reads all 0xFF; what was programmed is read
 * back and compared (a byte that did not take: ESP_ERR_FLASH_OP_FAIL, at once).
 *
 * @return
 *   - ESP_OK
 *   - ESP_ERR_INVALID_ARG: data is NULL, or handle unknown
 *   - ESP_ERR_OTA_VALIDATE_FAILED: the first byte is not 0xE9 ("OTA image has
 *     invalid magic byte (expected 0xE9, saw 0x%02x)"), or the bytes break the
 *     image format; nothing of this call was erased or written
 *   - ESP_ERR_INVALID_SIZE: the image does not fit in the slot, or the bytes
 *     run past the slot's end; nothing of this call was erased or written
 *   - a flash error from erasing or writing
 */
esp_err_t esp_ota_write(esp_ota_handle_t handle, const void *data, size_t size);

/*
 * Finishes an update: the image must be complete, with a matching checksum
 * and SHA-256, and every byte must have read back as written (so flash
 * holds the image that was received). The handle is freed whatever
 * the result. Does not select the slot: call esp_ota_set_boot_partition.
 * ota8266: the SHA-256 is always checked (the SDK only with CONFIG_APP_UPDATE_CHECK_APP_HASH).
 * ota8266: the image is checked as it streams and by the read-back of each
 * write, not by reading the whole slot again (the SDK's esp_image_load).
 *
 * @return
 *   - ESP_OK
 *   - ESP_ERR_NOT_FOUND: handle unknown
 *   - ESP_ERR_INVALID_ARG: nothing was written with this handle
 *   - ESP_ERR_OTA_VALIDATE_FAILED: the image is incomplete or invalid, or its
 *     entry point is outside the slot's flash window (linked for another slot)
 */
esp_err_t esp_ota_end(esp_ota_handle_t handle);

/*
 * Gives up an update: frees the handle. otadata is not touched, the slot
 * keeps whatever was written (it is not selected, so it never boots).
 * ota8266: taken from ESP-IDF (the ESP8266 SDK has no esp_ota_abort).
 *
 * @return ESP_OK, or ESP_ERR_NOT_FOUND for an unknown handle.
 */
esp_err_t esp_ota_abort(esp_ota_handle_t handle);

/*
 * Selects the app partition to boot next. The image in it is verified first
 * (ota8266: unless esp_ota_end accepted it in this boot and nothing has
 * modified flash since; the bootloader verifies it again at every boot).
 * With CONFIG_BOOTLOADER_APP_ROLLBACK_ENABLE the entry is written as NEW, with
 * the running app recorded as the one to roll back to; without it, as the SDK
 * writes it (state UNDEFINED: never rolled back).
 * The factory app is selected by erasing otadata; an OTA slot by writing the
 * next sequence number into the otadata copy not in charge (the SDK's rule,
 * reference §2.4), so a power cut leaves the previous choice in place.
 * ota8266: a test app partition is refused (the SDK selects ota_0 instead).
 * ota8266: a partition not in the table is refused (the SDK does not look).
 * ota8266: the partition kind is checked before the image (the SDK's order
 * answers VALIDATE_FAILED for a data partition).
 * ota8266: the OTA slot count is the bootloader's (every ota_N row), so both agree.
 *
 * @return
 *   - ESP_OK
 *   - ESP_ERR_INVALID_ARG: partition is NULL, not an app, a test app, or an
 *     OTA slot the otadata sequence cannot address
 *   - ESP_ERR_NOT_FOUND: partition is not in the table, or there is no otadata
 *   - ESP_ERR_OTA_VALIDATE_FAILED: the partition holds no image the bootloader
 *     would boot (checksum, SHA-256, entry point in the slot's window)
 *   - a flash error
 */
esp_err_t esp_ota_set_boot_partition(const esp_partition_t *partition);

/*
 * The partition the bootloader will choose on the next boot, from otadata
 * (before the bootloader's fallback when the image there is not bootable).
 * When the entry in charge is INVALID or ABORTED, the app it rolls back to.
 * With otadata empty or both copies invalid: factory, else the lowest OTA
 * slot, else test. NULL when there is no otadata or it cannot be read.
 */
const esp_partition_t *esp_ota_get_boot_partition(void);

/*
 * The app partition holding the image that is running (the bootloader
 * passes its flash address). NULL, logged, when no app partition holds it.
 * ota8266: returns NULL there (the SDK aborts).
 */
const esp_partition_t *esp_ota_get_running_partition(void);

/*
 * The OTA slot to write the next update into: the one after start_from in
 * ota_0..ota_15 order, wrapping to the first; from a factory or test app,
 * the first OTA slot. start_from NULL means the running partition.
 * NULL when the table has no OTA slot or start_from is not in it.
 */
const esp_partition_t *esp_ota_get_next_update_partition(const esp_partition_t *start_from);

/* Number of OTA slots counted as the SDK's app does: ota_0, ota_1, ... up to
 * the first missing one. */
uint8_t get_ota_partition_count(void);

/*
 * The running app's descriptor, read from its image in flash (so the ELF
 * SHA-256 elf2image wrote is there). Never NULL: when it cannot be read, the
 * descriptor compiled into the app (if any), else a zeroed one.
 */
const esp_app_desc_t *esp_ota_get_app_description(void);

/*
 * Writes the running app's ELF SHA-256 as lower-case hex plus a NUL into dst,
 * as many whole bytes as fit (size 65 gives all 32). Returns the number of
 * characters written including the NUL, 0 when dst is NULL or size is 0.
 */
int esp_ota_get_app_elf_sha256(char *dst, size_t size);

/*
 * The descriptor of the image in an app partition, found by walking its
 * segments (the first flash-mapped segment that opens with the magic).
 * ota8266: found in SDK-built images (the SDK reads image offset 16 and misses it).
 *
 * @return
 *   - ESP_OK
 *   - ESP_ERR_INVALID_ARG: partition or app_desc is NULL
 *   - ESP_ERR_NOT_SUPPORTED: partition is not an app partition
 *   - ESP_ERR_NOT_FOUND: no image, or an image without a descriptor
 *   - a flash error
 */
esp_err_t esp_ota_get_partition_description(const esp_partition_t *partition,
                                            esp_app_desc_t *app_desc);

/*
 * ota8266 extension: the descriptor of the image being written, as soon as
 * esp_ota_write has passed it (for esp_https_ota_get_img_desc: version
 * checks before the rest is downloaded).
 *
 * @return ESP_OK; ESP_ERR_INVALID_ARG for a NULL app_desc or an unknown
 *         handle; ESP_ERR_NOT_FOUND while the descriptor has not arrived
 *         (or when the image has none).
 */
esp_err_t esp_ota_get_write_description(esp_ota_handle_t handle, esp_app_desc_t *app_desc);

/* ---- rollback (ESP-IDF; CONFIG_BOOTLOADER_APP_ROLLBACK_ENABLE) ------------
 * States live in otadata (docs/formats/otadata.md §5): NEW after
 * esp_ota_set_boot_partition, PENDING_VERIFY once the bootloader has booted
 * it, VALID once confirmed, ABORTED when its boot attempts ran out, INVALID
 * when it gave up. Every change is written into the otadata copy not in
 * charge, so a power cut leaves the old state or the new one.
 */

/*
 * The running app confirms that it works: its entry becomes VALID and it is
 * no longer rolled back. Call it once the app has checked what it needs
 * (network, server, ...). Nothing is written when it is already VALID.
 * ota8266: an app running as a fallback (otadata selects another app) has
 * nothing to confirm: ESP_OK, nothing written (ESP-IDF would confirm the
 * entry in charge, which is the app that was rolled back).
 *
 * @return
 *   - ESP_OK: confirmed, or nothing to confirm
 *   - ESP_FAIL: the running app is the factory app, or otadata selects no app
 *   - ESP_ERR_NOT_FOUND: the table has no otadata partition
 *   - a flash error from reading or writing otadata
 */
esp_err_t esp_ota_mark_app_valid_cancel_rollback(void);

/*
 * The running app gives up: its entry becomes INVALID and the device
 * restarts into the app it rolls back to. Returns only on failure.
 *
 * @return
 *   - ESP_FAIL: the running app is the factory app, or not the app otadata selects
 *   - ESP_ERR_OTA_ROLLBACK_FAILED: no other app would boot
 *     (esp_ota_check_rollback_is_possible() is false); nothing written
 *   - ESP_ERR_NOT_FOUND: the table has no otadata partition
 *   - a flash error from reading or writing otadata
 */
esp_err_t esp_ota_mark_app_invalid_rollback_and_reboot(void);

/*
 * The otadata state of an OTA app partition: the newest valid entry that
 * selects it (ota8266: the newest; ESP-IDF takes the first copy that does).
 *
 * @return
 *   - ESP_OK: *ota_state is set (ESP_OTA_IMG_UNDEFINED for SDK-written otadata)
 *   - ESP_ERR_INVALID_ARG: partition or ota_state is NULL
 *   - ESP_ERR_NOT_SUPPORTED: partition is not an OTA app partition (factory, test)
 *   - ESP_ERR_NOT_FOUND: no otadata, or no valid entry selects the partition
 */
esp_err_t esp_ota_get_state_partition(const esp_partition_t *partition,
                                      esp_ota_img_states_t *ota_state);

/*
 * The OTA app partition of the newest otadata entry in state INVALID or
 * ABORTED: the app that was last rolled back (an update can compare its
 * version with the one it is about to download). NULL when there is none.
 */
const esp_partition_t *esp_ota_get_last_invalid_partition(void);

/*
 * True when rolling the running app back would boot another app: one of the
 * candidates the bootloader would try (its recorded rollback target, then the
 * SDK's fallback order) holds an image that verifies.
 */
bool esp_ota_check_rollback_is_possible(void);

/*
 * Erases the app the running one would roll back to, once the running app is
 * confirmed (VALID, or UNDEFINED as the SDK writes), and the otadata copy not
 * in charge if it selects that app. The factory app is never erased.
 *
 * @return
 *   - ESP_OK: erased
 *   - ESP_FAIL: no otadata, the running app is not the one otadata selects or
 *     is not confirmed yet, or there is no previous OTA app (it would be
 *     factory, or it is the running one)
 *   - a flash error from erasing
 */
esp_err_t esp_ota_erase_last_boot_app_partition(void);

#ifdef __cplusplus
}
#endif
