/* otadata (reference §2): entry codec, the SDK's selection and rewrite rules. */
#include "bs_otadata.h"

#include <string.h>

#include "bs_crc32.h"
#include "bs_port.h"

static const char *const TAG = "boot";

#define ENT_OFF_SEQ 0
#define ENT_OFF_LABEL 4
#define ENT_OFF_STATE 24
#define ENT_OFF_CRC 28

#define SEQ_EMPTY 0xFFFFFFFFu
/* Entry B sits at the start of the second 4 KB sector on every SDK layout. */
#define OTADATA_SECTOR_OFFSET 0x1000u

void bs_otadata_decode(const uint8_t raw[ESP_OTADATA_ENTRY_SIZE], esp_ota_select_entry_t *out)
{
    out->ota_seq = bs_le32(raw + ENT_OFF_SEQ);
    memcpy(out->seq_label, raw + ENT_OFF_LABEL, sizeof out->seq_label);
    out->ota_state = bs_le32(raw + ENT_OFF_STATE);
    out->crc = bs_le32(raw + ENT_OFF_CRC);
}

void bs_otadata_encode(const esp_ota_select_entry_t *in, uint8_t raw[ESP_OTADATA_ENTRY_SIZE])
{
    bs_put_le32(raw + ENT_OFF_SEQ, in->ota_seq);
    memcpy(raw + ENT_OFF_LABEL, in->seq_label, sizeof in->seq_label);
    bs_put_le32(raw + ENT_OFF_STATE, in->ota_state);
    bs_put_le32(raw + ENT_OFF_CRC, in->crc);
}

uint32_t bs_otadata_crc(uint32_t seq)
{
    uint8_t b[4];
    bs_put_le32(b, seq);
    return bs_crc32_le(0xFFFFFFFFu, b, sizeof b);
}

bool bs_otadata_state_known(uint32_t state)
{
    return state <= ESP_OTA_IMG_ABORTED || state == ESP_OTA_IMG_UNDEFINED;
}

bool bs_otadata_valid(const esp_ota_select_entry_t *e)
{
    return e->ota_seq != SEQ_EMPTY && e->crc == bs_otadata_crc(e->ota_seq) &&
           bs_otadata_state_known(e->ota_state);
}

esp_err_t bs_otadata_read(const bs_hal_t *hal, uint32_t offset, uint32_t size,
                          esp_ota_select_entry_t out[2])
{
    if (size < ESP_OTADATA_MIN_SIZE) {
        /* The SDK prints sizeof(entry) (32) as the minimum; the real one is 0x2000. */
        BS_LOGE(hal, TAG, "ota_info partition size %d is too small (minimum %d bytes)", (int)size,
                ESP_OTADATA_MIN_SIZE);
        return ESP_ERR_INVALID_SIZE;
    }
    for (int i = 0; i < 2; i++) {
        uint8_t raw[ESP_OTADATA_ENTRY_SIZE];
        esp_err_t err =
            bs_flash_read(hal, offset + (uint32_t)i * OTADATA_SECTOR_OFFSET, raw, sizeof raw);
        if (err != ESP_OK) {
            return err;
        }
        bs_otadata_decode(raw, &out[i]);
    }
    return ESP_OK;
}

int bs_otadata_active(const esp_ota_select_entry_t e[2], bs_otadata_kind_t *kind)
{
    bs_otadata_kind_t k;
    int active;
    bool va = bs_otadata_valid(&e[0]);
    bool vb = bs_otadata_valid(&e[1]);
    if (e[0].ota_seq == SEQ_EMPTY && e[1].ota_seq == SEQ_EMPTY) {
        k = BS_OTADATA_BOTH_EMPTY;
        active = -1;
    } else if (va && vb) {
        k = BS_OTADATA_BOTH_VALID;
        active = (e[1].ota_seq > e[0].ota_seq) ? 1 : 0;
    } else if (va) {
        k = BS_OTADATA_ONLY_A;
        active = 0;
    } else if (vb) {
        k = BS_OTADATA_ONLY_B;
        active = 1;
    } else {
        k = BS_OTADATA_NONE_VALID;
        active = -1;
    }
    if (kind) {
        *kind = k;
    }
    return active;
}

int bs_otadata_seq_to_slot(uint32_t seq, int ota_count)
{
    uint32_t slot;
    (void)bs_udivmod32(seq - 1u, (uint32_t)ota_count, &slot);
    return (int)slot;
}

/* The SDK's "smallest base + i*n >= s", without a loop or an overflow:
 * false when the result would reach 0xFFFFFFFF (the erased marker). */
static bool next_seq_from(uint32_t s, uint32_t base, uint32_t n, uint32_t *out)
{
    uint32_t seq;
    if (s <= base) {
        seq = base;
    } else {
        uint32_t r;
        (void)bs_udivmod32(s - base, n, &r);
        uint32_t pad = (r == 0) ? 0 : n - r;
        if (pad > UINT32_MAX - s) {
            return false;
        }
        seq = s + pad;
    }
    /* seq 0 would map to slot (0 - 1) mod n, which is not `base` unless n is
     * a power of two; the SDK never writes 0, so neither do we. */
    if (seq == 0) {
        seq = n;
    }
    if (seq == SEQ_EMPTY) {
        return false;
    }
    *out = seq;
    return true;
}

/* The SDK's rule; `above` raises the floor to one past the highest valid seq. */
static esp_err_t next_seq(const esp_ota_select_entry_t e[2], int slot, int ota_count, bool above,
                          uint32_t *seq, int *sector)
{
    if (ota_count < 1 || ota_count > MAX_OTA_SLOTS || slot < 0 || slot >= ota_count) {
        return ESP_ERR_INVALID_ARG;
    }
    bool va = bs_otadata_valid(&e[0]);
    bool vb = bs_otadata_valid(&e[1]);
    uint32_t n = (uint32_t)ota_count;
    uint32_t base = ((uint32_t)slot + 1u == n) ? 0 : (uint32_t)slot + 1u;
    uint32_t s;
    if (va && vb) {
        /* Overwrite the copy that does not hold the maximum; a tie goes to B. */
        s = (e[0].ota_seq >= e[1].ota_seq) ? e[0].ota_seq : e[1].ota_seq;
        *sector = (e[0].ota_seq >= e[1].ota_seq) ? 1 : 0;
    } else if (va) {
        s = e[0].ota_seq;
        *sector = 1;
    } else if (vb) {
        s = e[1].ota_seq;
        *sector = 0;
    } else {
        *seq = (uint32_t)slot + 1u;
        *sector = 0;
        return ESP_OK;
    }
    /* A valid seq is below 0xFFFFFFFF, so s + 1 cannot wrap. */
    if (!next_seq_from(above ? s + 1u : s, base, n, seq)) {
        *seq = (uint32_t)slot + 1u;
        return ESP_ERR_INVALID_STATE;
    }
    return ESP_OK;
}

esp_err_t bs_otadata_next(const esp_ota_select_entry_t e[2], int slot, int ota_count, uint32_t *seq,
                          int *sector)
{
    return next_seq(e, slot, ota_count, false, seq, sector);
}

esp_err_t bs_otadata_next_above(const esp_ota_select_entry_t e[2], int slot, int ota_count,
                                uint32_t *seq, int *sector)
{
    return next_seq(e, slot, ota_count, true, seq, sector);
}

esp_err_t bs_otadata_write(const bs_hal_t *hal, uint32_t offset, int sector,
                           const esp_ota_select_entry_t *e)
{
    if (sector != 0 && sector != 1) {
        return ESP_ERR_INVALID_ARG;
    }
    uint32_t addr = offset + (uint32_t)sector * OTADATA_SECTOR_OFFSET;
    uint8_t raw[ESP_OTADATA_ENTRY_SIZE];
    bs_otadata_encode(e, raw);
    /* A copy that still reads erased needs no erase (a first update). */
    bool blank = false;
    esp_err_t err = bs_flash_sector_blank(hal, addr, &blank);
    if (err == ESP_OK && !blank) {
        err = bs_flash_erase_sector(hal, addr);
    }
    if (err != ESP_OK) {
        return err;
    }
    return bs_flash_write(hal, addr, raw, sizeof raw);
}

/* Sequence exhausted: write the restart value beside the old maximum, then
 * erase the maximum. A cut between the two leaves the old choice in charge. */
static esp_err_t restart_sequence(const bs_hal_t *hal, uint32_t offset,
                                  esp_ota_select_entry_t *entry, int sector)
{
    BS_LOGW(hal, TAG, "otadata sequence exhausted: restarting at %u", (unsigned)entry->ota_seq);
    esp_err_t err = bs_otadata_write(hal, offset, sector, entry);
    if (err != ESP_OK) {
        return err;
    }
    return bs_flash_erase_sector(hal, offset + (uint32_t)(1 - sector) * OTADATA_SECTOR_OFFSET);
}

esp_err_t bs_otadata_select(const bs_hal_t *hal, uint32_t offset, uint32_t size, int slot,
                            int ota_count, uint32_t state, const uint8_t *ext)
{
    if (!bs_otadata_state_known(state)) {
        return ESP_ERR_INVALID_ARG; /* the entry would be written invalid */
    }
    esp_ota_select_entry_t e[2];
    esp_err_t err = bs_otadata_read(hal, offset, size, e);
    if (err != ESP_OK) {
        return err;
    }
    int active = bs_otadata_active(e, NULL);
    bool above = state != ESP_OTA_IMG_UNDEFINED ||
                 (active >= 0 && e[active].ota_state != ESP_OTA_IMG_UNDEFINED);
    uint32_t seq;
    int sector;
    esp_err_t next = next_seq(e, slot, ota_count, above, &seq, &sector);
    if (next != ESP_OK && next != ESP_ERR_INVALID_STATE) {
        return next;
    }
    /* Label bytes go back as read from a valid copy, as the SDK does
     * (normally 0xFF); a torn or foreign copy passes nothing on. */
    esp_ota_select_entry_t entry = e[sector];
    if (!bs_otadata_valid(&e[sector])) {
        memset(entry.seq_label, 0xFF, sizeof entry.seq_label);
    }
    entry.ota_seq = seq;
    entry.ota_state = state;
    entry.crc = bs_otadata_crc(seq);
    if (ext) {
        memcpy(entry.seq_label + BS_OTADATA_EXT_AT, ext, BS_OTADATA_EXT_LEN);
    }
    if (next == ESP_ERR_INVALID_STATE) {
        return restart_sequence(hal, offset, &entry, sector);
    }
    return bs_otadata_write(hal, offset, sector, &entry);
}

esp_err_t bs_otadata_set_boot_slot(const bs_hal_t *hal, uint32_t offset, uint32_t size, int slot,
                                   int ota_count, uint32_t state)
{
    return bs_otadata_select(hal, offset, size, slot, ota_count, state, NULL);
}
