#pragma once
/*
 * otadata (reference §2): two 32-byte entries at partition offsets 0x0 and
 * 0x1000: ota_seq, seq_label[20], ota_state (ESP-IDF, 0xFFFFFFFF on SDK
 * flash), crc = crc32_le(0xFFFFFFFF, seq). An entry is valid when
 * seq != 0xFFFFFFFF, the CRC matches and the state word is one ESP-IDF
 * defines or 0xFFFFFFFF (bs_otadata_state_known). Selection and rewriting
 * follow the SDK exactly, so SDK-written otadata and ours are interchangeable.
 */
#include <stdbool.h>
#include <stdint.h>

#include "bs_hal.h"
#include "esp_flash_partitions.h"

#ifdef __cplusplus
extern "C" {
#endif

void bs_otadata_decode(const uint8_t raw[ESP_OTADATA_ENTRY_SIZE], esp_ota_select_entry_t *out);
void bs_otadata_encode(const esp_ota_select_entry_t *in, uint8_t raw[ESP_OTADATA_ENTRY_SIZE]);
uint32_t bs_otadata_crc(uint32_t seq);
bool bs_otadata_valid(const esp_ota_select_entry_t *e);

/* NEW..ABORTED or UNDEFINED (0xFFFFFFFF, what the SDK leaves). Nothing writes
 * any other word, but the CRC covers only the seq: a write torn after the seq
 * and CRC bits but before all of the state's leaves one (the power-cut
 * campaign's torn-late cut). Such an entry is invalid, so the other copy stays
 * in charge instead of an unknown state booting as if it were UNDEFINED. */
bool bs_otadata_state_known(uint32_t state);

/* Reads both entries. otadata_size < 0x2000 -> ESP_ERR_INVALID_SIZE and the
 * SDK's "ota_info partition size %d is too small (minimum %d bytes)". */
esp_err_t bs_otadata_read(const bs_hal_t *hal, uint32_t offset, uint32_t size,
                          esp_ota_select_entry_t out[2]);

typedef enum {
    BS_OTADATA_BOTH_EMPTY,  /* both seq 0xFFFFFFFF (CRC not looked at) */
    BS_OTADATA_BOTH_VALID,
    BS_OTADATA_ONLY_A,
    BS_OTADATA_ONLY_B,
    BS_OTADATA_NONE_VALID,
} bs_otadata_kind_t;

/* Which entry is in charge: 0 (A) or 1 (B), or -1 for BOTH_EMPTY / NONE_VALID.
 * Both valid: the higher seq; a tie goes to A. */
int bs_otadata_active(const esp_ota_select_entry_t e[2], bs_otadata_kind_t *kind);

/* Slot of a valid seq: (seq - 1) mod ota_count; ota_count must be >= 1. */
int bs_otadata_seq_to_slot(uint32_t seq, int ota_count);

/*
 * The SDK's esp_rewrite_ota_data rule (§2.4): the new seq for `slot` and the
 * sector (0 or 1) to write it to. slot >= ota_count -> ESP_ERR_INVALID_ARG.
 * When the next seq would reach 0xFFFFFFFF (the erased marker), returns
 * ESP_ERR_INVALID_STATE with *seq = slot + 1 and *sector = the copy not in
 * charge: the sequence has to restart (bs_otadata_set_boot_slot does it).
 */
esp_err_t bs_otadata_next(const esp_ota_select_entry_t e[2], int slot, int ota_count,
                          uint32_t *seq, int *sector);

/* As bs_otadata_next, but the seq is strictly above the highest valid one:
 * an entry that carries a state must never tie with the entry it replaces
 * (a tie goes to A, so a new state written into B would not be in charge). */
esp_err_t bs_otadata_next_above(const esp_ota_select_entry_t e[2], int slot, int ota_count,
                                uint32_t *seq, int *sector);

/* Erases the sector (offset + sector * 0x1000) and writes the 32-byte entry.
 * The other sector is never touched, so a cut leaves the previous choice in charge. */
esp_err_t bs_otadata_write(const bs_hal_t *hal, uint32_t offset, int sector,
                           const esp_ota_select_entry_t *e);

/* Selects `slot` for the next boot with `state` (ESP_OTA_IMG_UNDEFINED as the
 * SDK, ESP_OTA_IMG_NEW with rollback): read, next, write. On a sequence
 * restart it writes slot + 1 into the copy not in charge, then erases the
 * other: a cut in between leaves the previous choice in charge. */
esp_err_t bs_otadata_set_boot_slot(const bs_hal_t *hal, uint32_t offset, uint32_t size, int slot,
                                   int ota_count, uint32_t state);

/* seq_label bytes 16..18 (entry offsets 20..22) are ota8266's rollback
 * fields (bs_rollback.h); the SDK and ESP-IDF leave them 0xFF. */
#define BS_OTADATA_EXT_AT 16
#define BS_OTADATA_EXT_LEN 3

/*
 * bs_otadata_set_boot_slot with the ota8266 bytes set from ext
 * (BS_OTADATA_EXT_LEN bytes; NULL keeps them as read, as the SDK keeps every
 * label byte of the copy it replaces; a copy that is not valid, torn or
 * foreign, passes on no bytes: they start at 0xFF). The SDK's rule picks the
 * seq, except that it is strictly above the one in charge whenever `state`
 * or the state in charge is not UNDEFINED (bs_otadata_next_above): otadata
 * the SDK would write stays byte-identical. A state that is not
 * bs_otadata_state_known gives ESP_ERR_INVALID_ARG, nothing written.
 */
esp_err_t bs_otadata_select(const bs_hal_t *hal, uint32_t offset, uint32_t size, int slot,
                            int ota_count, uint32_t state, const uint8_t *ext);

#ifdef __cplusplus
}
#endif
