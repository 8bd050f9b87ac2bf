/*
 * otadata selection and rewrite: two fuzzed 32-byte entries in a two-sector
 * strict-NOR RAM chip, then bs_otadata_active / seq_to_slot / next and a few
 * rounds of bs_otadata_set_boot_slot, each checked against what the format
 * promises (docs/formats/otadata.md): afterwards the entry in charge selects
 * the target slot, a write only ever replaces the copy not in charge, and
 * rejected arguments leave flash untouched.
 *
 * Input: [0..31] entry A, [32..63] entry B, [64] ota_count (0..31, so also
 * invalid counts), then per round: slot (signed byte), flags (bit 0: through
 * bs_otadata_select with the ota8266 label bytes), state (u32 LE), 3 label bytes.
 */
#include <stdint.h>
#include <string.h>

#include "bs_otadata.h"
#include "fuzz_util.h"

#define SECTOR 0x1000u
#define CHIP_SIZE (2 * SECTOR)
#define SEQ_EMPTY 0xFFFFFFFFu
#define MAX_ROUNDS 8

static void check_codec(const uint8_t raw[ESP_OTADATA_ENTRY_SIZE])
{
    esp_ota_select_entry_t e;
    uint8_t back[ESP_OTADATA_ENTRY_SIZE];
    bs_otadata_decode(raw, &e);
    bs_otadata_encode(&e, back);
    FZ_CHECK(memcmp(raw, back, sizeof back) == 0, "entry does not survive decode + encode");
}

static int check_active(const esp_ota_select_entry_t e[2])
{
    bs_otadata_kind_t kind;
    int active = bs_otadata_active(e, &kind);
    bool va = bs_otadata_valid(&e[0]), vb = bs_otadata_valid(&e[1]);
    FZ_CHECK(active >= -1 && active <= 1, "active %d", active);
    if (active >= 0) {
        FZ_CHECK(bs_otadata_valid(&e[active]), "invalid entry %d in charge", active);
        FZ_CHECK(!bs_otadata_valid(&e[1 - active]) || e[active].ota_seq >= e[1 - active].ota_seq,
                 "entry %d in charge with the lower seq", active);
    } else {
        FZ_CHECK(!va && !vb, "no entry in charge although A %d B %d are valid", va, vb);
    }
    FZ_CHECK((kind == BS_OTADATA_BOTH_VALID) == (va && vb), "kind %d for A %d B %d", kind, va, vb);
    return active;
}

/* bs_otadata_next(_above) on its own: the seq proposed must select the slot
 * and not lose to the entry in charge (strictly above it for _above). */
static void check_next(const esp_ota_select_entry_t e[2], int active, int slot, int count,
                       bool above)
{
    uint32_t seq = 0;
    int sector = -1;
    esp_err_t err = above ? bs_otadata_next_above(e, slot, count, &seq, &sector)
                          : bs_otadata_next(e, slot, count, &seq, &sector);
    bool args_ok = count >= 1 && count <= MAX_OTA_SLOTS && slot >= 0 && slot < count;
    if (!args_ok) {
        FZ_CHECK(err == ESP_ERR_INVALID_ARG, "next(slot %d, count %d) = 0x%x", slot, count,
                 (unsigned)err);
        return;
    }
    FZ_CHECK(sector == 0 || sector == 1, "next: sector %d", sector);
    FZ_CHECK(active < 0 || sector != active, "next overwrites the copy in charge (%d)", active);
    if (err == ESP_ERR_INVALID_STATE) {
        FZ_CHECK(seq == (uint32_t)slot + 1u, "restart seq %u for slot %d", (unsigned)seq, slot);
        return;
    }
    FZ_CHECK(err == ESP_OK, "next = 0x%x", (unsigned)err);
    FZ_CHECK(seq != SEQ_EMPTY && seq != 0, "next proposes seq 0x%x", (unsigned)seq);
    FZ_CHECK(bs_otadata_seq_to_slot(seq, count) == slot, "seq %u maps to slot %d, not %d",
             (unsigned)seq, bs_otadata_seq_to_slot(seq, count), slot);
    if (active >= 0) {
        FZ_CHECK(above ? seq > e[active].ota_seq : seq >= e[active].ota_seq,
                 "seq %u against %u in charge (above %d)", (unsigned)seq,
                 (unsigned)e[active].ota_seq, above);
    }
}

static void read_entries(const uint8_t *mem, esp_ota_select_entry_t e[2])
{
    bs_otadata_decode(mem, &e[0]);
    bs_otadata_decode(mem + SECTOR, &e[1]);
}

typedef struct {
    int slot;
    int count;
    uint32_t state;
    const uint8_t *ext; /* NULL: bs_otadata_set_boot_slot, which keeps the label bytes */
} request_t;

static void check_set(const bs_hal_t *hal, uint8_t *mem, const uint8_t *before, const request_t *q)
{
    esp_ota_select_entry_t old[2];
    read_entries(before, old);
    int old_active = bs_otadata_active(old, NULL);
    esp_err_t err = q->ext
                        ? bs_otadata_select(hal, 0, CHIP_SIZE, q->slot, q->count, q->state, q->ext)
                        : bs_otadata_set_boot_slot(hal, 0, CHIP_SIZE, q->slot, q->count, q->state);
    /* A state no writer may write (it would read back invalid) is refused too. */
    bool args_ok = q->count >= 1 && q->count <= MAX_OTA_SLOTS && q->slot >= 0 &&
                   q->slot < q->count && bs_otadata_state_known(q->state);
    if (!args_ok) {
        FZ_CHECK(err == ESP_ERR_INVALID_ARG, "set(slot %d, count %d) = 0x%x", q->slot, q->count,
                 (unsigned)err);
        FZ_CHECK(memcmp(mem, before, CHIP_SIZE) == 0, "rejected set changed flash");
        return;
    }
    FZ_CHECK(err == ESP_OK, "set(slot %d, count %d) = 0x%x", q->slot, q->count, (unsigned)err);
    esp_ota_select_entry_t e[2];
    read_entries(mem, e);
    int active = bs_otadata_active(e, NULL);
    FZ_CHECK(active >= 0, "no valid entry after set_boot_slot");
    FZ_CHECK(bs_otadata_seq_to_slot(e[active].ota_seq, q->count) == q->slot,
             "after set_boot_slot(%d) the entry in charge selects slot %d", q->slot,
             bs_otadata_seq_to_slot(e[active].ota_seq, q->count));
    /* The state asked for is the one in charge: a tie that leaves the old
     * entry in charge is only allowed when both say UNDEFINED (bs_otadata.h). */
    FZ_CHECK(e[active].ota_state == q->state, "entry in charge has state 0x%x, not 0x%x",
             (unsigned)e[active].ota_state, (unsigned)q->state);
    bool stateful = q->state != ESP_OTA_IMG_UNDEFINED ||
                    (old_active >= 0 && old[old_active].ota_state != ESP_OTA_IMG_UNDEFINED);
    if (q->ext != NULL && stateful) {
        FZ_CHECK(memcmp(e[active].seq_label + BS_OTADATA_EXT_AT, q->ext, BS_OTADATA_EXT_LEN) == 0,
                 "the ota8266 label bytes written are not in charge");
    }
    /* Exactly one sector was rewritten, or (sequence restart) one rewritten
     * and the other erased: never both rewritten with data. */
    bool same0 = memcmp(mem, before, SECTOR) == 0;
    bool same1 = memcmp(mem + SECTOR, before + SECTOR, SECTOR) == 0;
    FZ_CHECK(same0 || same1 || e[0].ota_seq == SEQ_EMPTY || e[1].ota_seq == SEQ_EMPTY,
             "both otadata sectors rewritten");
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static uint8_t mem[CHIP_SIZE], before[CHIP_SIZE];
    fz_in_t in = {data, size};
    memset(mem, 0xFF, sizeof mem);
    fz_bytes(&in, mem, ESP_OTADATA_ENTRY_SIZE, 0xFF);
    fz_bytes(&in, mem + SECTOR, ESP_OTADATA_ENTRY_SIZE, 0xFF);
    int count = fz_u8(&in) & 0x1F;

    bs_hal_t hal;
    fz_ram_t ram;
    fz_ram_hal(&hal, &ram, mem, sizeof mem);
    check_codec(mem);
    check_codec(mem + SECTOR);

    for (int round = 0; round < MAX_ROUNDS && (round == 0 || in.left > 0); round++) {
        uint8_t ext[BS_OTADATA_EXT_LEN];
        request_t q = {.slot = (int8_t)fz_u8(&in), .count = count};
        bool with_ext = (fz_u8(&in) & 1u) != 0;
        q.state = fz_u32(&in);
        fz_bytes(&in, ext, sizeof ext, 0xFF);
        q.ext = with_ext ? ext : NULL;
        esp_ota_select_entry_t e[2];
        read_entries(mem, e);
        int active = check_active(e);
        if (active >= 0 && count >= 1) {
            int s = bs_otadata_seq_to_slot(e[active].ota_seq, count);
            FZ_CHECK(s >= 0 && s < count, "seq %u -> slot %d of %d", (unsigned)e[active].ota_seq, s,
                     count);
        }
        check_next(e, active, q.slot, count, false);
        check_next(e, active, q.slot, count, true);
        memcpy(before, mem, sizeof mem);
        check_set(&hal, mem, before, &q);
    }
    return 0;
}
