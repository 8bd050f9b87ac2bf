/*
 * The image stream parser (reference §3, bs_image.h). Every decision depends
 * only on the byte position, never on how the bytes were chunked, so a
 * download checked as it arrives and the same image read back from flash get
 * the same verdict and the same log lines.
 */
#include "bs_image.h"

#include <string.h>

#include "bs_port.h"

static const char *const TAG = "esp_image";

#define IROM_WINDOW_MASK (ESP_IMAGE_IROM_WINDOW - 1u)
#define IROM_ENTRY_MIN (ESP_IMAGE_IROM_BASE + 0x10u) /* header + first segment header */
#define BLOCK_MASK 15u                               /* checksum ends a 16-byte block */
#define VERIFY_CHUNK 256u

/* ---- small helpers ---------------------------------------------------- */

static uint32_t sat_add(uint32_t a, uint32_t b)
{
    return (a > UINT32_MAX - b) ? UINT32_MAX : a + b;
}

static esp_err_t fail(bs_image_stream_t *s)
{
    s->state = BS_IMG_ST_ERROR;
    s->error = ESP_ERR_IMAGE_INVALID;
    return s->error;
}

/* Header and segment-header failures also clear headers_ok. */
static esp_err_t fail_header(bs_image_stream_t *s)
{
    s->headers_ok = false;
    return fail(s);
}

static bool hash_expected(const bs_image_stream_t *s)
{
    return s->opts.hash == BS_HASH_REQUIRED;
}

/* Smallest image whose segment data ends at seg_end: padding, checksum and
 * a required hash follow. Saturates instead of wrapping. */
static uint32_t image_len_for(const bs_image_stream_t *s, uint32_t seg_end)
{
    uint32_t len = sat_add(seg_end, 1u + BLOCK_MASK) & ~BLOCK_MASK;
    return hash_expected(s) ? sat_add(len, ESP_IMAGE_HASH_LEN) : len;
}

/* Fails as soon as the image cannot fit max_len; `exact` when no segment
 * length is still unknown, so the SDK's sentence is true as printed (%u, not
 * the SDK's %d: same text below 2 GB, and a saturated bound stays positive). */
static esp_err_t check_fits(bs_image_stream_t *s, uint32_t seg_end_min, bool exact)
{
    uint32_t len = image_len_for(s, seg_end_min);
    if (len <= s->opts.max_len) {
        return ESP_OK;
    }
    if (exact) {
        BS_LOGE(s->hal, TAG, "Image length %u doesn't fit in partition length %u", (unsigned)len,
                (unsigned)s->opts.max_len);
    } else {
        BS_LOGE(s->hal, TAG, "Image length at least %u doesn't fit in partition length %u",
                (unsigned)len, (unsigned)s->opts.max_len);
    }
    return fail_header(s);
}

/* ---- header ------------------------------------------------------------ */

static esp_err_t check_entry(bs_image_stream_t *s, uint32_t entry)
{
    uint32_t in_window = s->opts.start_addr & IROM_WINDOW_MASK;
    uint32_t low = IROM_ENTRY_MIN + in_window;
    uint32_t high = sat_add(ESP_IMAGE_IROM_BASE + in_window, s->opts.max_len);
    if (entry > low && entry < high) {
        return ESP_OK;
    }
    BS_LOGE(s->hal, TAG,
            "image at 0x%x: entry 0x%08x outside its slot's window (0x%08x, 0x%08x), "
            "linked for another offset?",
            (unsigned)s->opts.start_addr, (unsigned)entry, (unsigned)low, (unsigned)high);
    return fail_header(s);
}

/* The SDK bootloader only warns about these fields (the flash is set up from
 * the bootloader's own header); an update refuses them (opts.update). */
static esp_err_t check_fields(bs_image_stream_t *s, const esp_image_header_t *h)
{
    bool bad_mode = h->spi_mode > ESP_IMAGE_SPI_MODE_SLOW_READ;
    bool bad_size = bs_image_flash_size_bytes(s->opts.kind, h->spi_size) == 0;
    if (s->opts.update && (bad_mode || bad_size)) {
        BS_LOGE(s->hal, TAG, "image at 0x%x has invalid SPI %s %d: not an image esptool writes",
                (unsigned)s->opts.start_addr, bad_mode ? "mode" : "size",
                bad_mode ? h->spi_mode : h->spi_size);
        return fail_header(s);
    }
    if (!s->opts.log_segments) {
        return ESP_OK;
    }
    if (bad_mode) {
        BS_LOGW(s->hal, TAG, "image at 0x%x has invalid SPI mode %d", (unsigned)s->opts.start_addr,
                h->spi_mode);
    }
    if (bad_size) {
        BS_LOGW(s->hal, TAG, "image at 0x%x has invalid SPI size %d", (unsigned)s->opts.start_addr,
                h->spi_size);
    }
    return ESP_OK;
}

static void enter_padding(bs_image_stream_t *s);

static esp_err_t on_image_header(bs_image_stream_t *s)
{
    esp_image_header_t *h = &s->info.header;
    h->magic = s->hdr[0];
    h->segment_count = s->hdr[1];
    h->spi_mode = s->hdr[2];
    h->spi_speed = s->hdr[3] & 0x0Fu;
    h->spi_size = (uint8_t)(s->hdr[3] >> 4);
    h->entry_addr = bs_le32(s->hdr + 4);

    if (h->magic != ESP_IMAGE_HEADER_MAGIC) {
        BS_LOGE(s->hal, TAG, "image at 0x%x has invalid magic byte", (unsigned)s->opts.start_addr);
        return fail_header(s);
    }
    if (check_fields(s, h) != ESP_OK) {
        return s->error;
    }
    if (h->segment_count > ESP_IMAGE_MAX_SEGMENTS) {
        BS_LOGE(s->hal, TAG, "image at 0x%x segment count %d exceeds max %d",
                (unsigned)s->opts.start_addr, h->segment_count, ESP_IMAGE_MAX_SEGMENTS);
        return fail_header(s);
    }
    if (s->opts.kind == BS_IMAGE_V3 && s->opts.check_entry &&
        check_entry(s, h->entry_addr) != ESP_OK) {
        return s->error;
    }
    uint32_t headers_end = s->pos + ((uint32_t)h->segment_count << 3);
    if (check_fits(s, headers_end, h->segment_count == 0) != ESP_OK) {
        return s->error;
    }
    s->headers_ok = true;
    if (h->segment_count == 0) {
        enter_padding(s);
    } else {
        s->state = BS_IMG_ST_SEG_HEADER;
    }
    return ESP_OK;
}

/* ---- segments ---------------------------------------------------------- */

/*
 * XIP identity: a flash segment whose data sits at image offset X runs at
 * 0x40200000 + (slot & 0xFFFFF) + X, so its load address says which window
 * offset the image was linked for. SDK images also have .flash.rodata's
 * header written over its first 8 reserved bytes: load address 8 lower.
 */
static esp_err_t check_link(bs_image_stream_t *s, uint32_t load_addr)
{
    uint32_t mapped = ESP_IMAGE_IROM_BASE + (s->opts.start_addr & IROM_WINDOW_MASK) + s->pos;
    if (load_addr == mapped || load_addr == mapped - ESP_IMAGE_SEGMENT_HEADER_LEN) {
        return ESP_OK;
    }
    BS_LOGE(s->hal, TAG,
            "image at 0x%x: segment %u is linked at 0x%08x but this slot maps it at 0x%08x "
            "(image built for another slot)",
            (unsigned)s->opts.start_addr, (unsigned)s->seg_index, (unsigned)load_addr,
            (unsigned)mapped);
    return fail_header(s);
}

static void log_segment(bs_image_stream_t *s, const esp_image_segment_header_t *seg, bool flash)
{
    if (!s->opts.log_segments) {
        return;
    }
    BS_LOGI(s->hal, TAG, "segment %d: paddr=0x%08x vaddr=0x%08x size=0x%05x (%6d) %s",
            (int)s->seg_index, (unsigned)(s->opts.start_addr + s->pos), (unsigned)seg->load_addr,
            (unsigned)seg->data_len, (int)seg->data_len, flash ? "map" : "load");
}

static void after_segment(bs_image_stream_t *s)
{
    s->desc_capturing = false;
    s->seg_index++;
    if (s->seg_index < s->info.header.segment_count) {
        s->state = BS_IMG_ST_SEG_HEADER;
    } else if (s->opts.update && s->opts.kind == BS_IMAGE_V3 && !s->info.has_desc) {
        /* An app without one cannot be told apart from any other bytes that
         * happen to parse: no version, no project name to check. */
        BS_LOGE(s->hal, TAG, "image at 0x%x has no app descriptor (magic 0x%08x)",
                (unsigned)s->opts.start_addr, (unsigned)ESP_APP_DESC_MAGIC_WORD);
        fail_header(s);
    } else {
        enter_padding(s);
    }
}

/* Where a segment may be loaded or mapped on the ESP8266: data RAM, instruction
 * RAM (32 KB, plus the 16 KB the cache can give up), and the flash window. A
 * flash segment's length is the slot's business (check_fits). */
static bool segment_in_memory(uint32_t addr, uint32_t len)
{
    if (bs_image_addr_is_flash(addr)) {
        len = 0;
    }
    static const struct {
        uint32_t lo, hi;
    } regions[] = {
        {0x3FFE8000u, 0x40000000u}, /* DRAM */
        {0x40100000u, 0x4010C000u}, /* IRAM */
        {ESP_IMAGE_IROM_BASE, ESP_IMAGE_IROM_BASE + ESP_IMAGE_IROM_WINDOW},
    };
    for (unsigned i = 0; i < sizeof regions / sizeof regions[0]; i++) {
        if (addr >= regions[i].lo && addr < regions[i].hi && len <= regions[i].hi - addr) {
            return true;
        }
    }
    return false;
}

static esp_err_t on_segment_header(bs_image_stream_t *s)
{
    uint32_t i = s->seg_index;
    esp_image_segment_header_t *seg = &s->info.segments[i];
    seg->load_addr = bs_le32(s->hdr);
    seg->data_len = bs_le32(s->hdr + 4);
    s->info.segment_data_offset[i] = s->pos;

    if ((seg->data_len & 3u) != 0) {
        BS_LOGE(s->hal, TAG, "unaligned segment length 0x%x", (unsigned)seg->data_len);
        return fail_header(s);
    }
    bool flash = bs_image_addr_is_flash(seg->load_addr);
    log_segment(s, seg, flash);
    if (flash && s->opts.kind == BS_IMAGE_V3 && s->opts.check_entry &&
        check_link(s, seg->load_addr) != ESP_OK) {
        return s->error;
    }

    uint32_t later_headers = (s->info.header.segment_count - i - 1u) << 3;
    uint32_t seg_end_min = sat_add(sat_add(s->pos, seg->data_len), later_headers);
    if (check_fits(s, seg_end_min, later_headers == 0) != ESP_OK) {
        return s->error;
    }
    if (!segment_in_memory(seg->load_addr, seg->data_len)) {
        BS_LOGE(s->hal, TAG,
                "image at 0x%x: segment %u (0x%08x, %u bytes) is outside DRAM, IRAM and the "
                "flash window",
                (unsigned)s->opts.start_addr, (unsigned)i, (unsigned)seg->load_addr,
                (unsigned)seg->data_len);
        return fail_header(s);
    }
    if (flash) {
        s->seg_flash_seen++;
        /* The descriptor opens the first flash segment that starts with its
         * magic (.flash.rodata in SDK images, not image offset 16). */
        if (s->opts.kind == BS_IMAGE_V3 && !s->info.has_desc &&
            seg->data_len >= ESP_APP_DESC_SIZE) {
            s->desc_capturing = true;
            s->desc_fill = 0;
        }
    }
    s->seg_left = seg->data_len;
    s->state = BS_IMG_ST_SEG_DATA;
    if (s->seg_left == 0) {
        after_segment(s);
    }
    return ESP_OK;
}

static void capture_desc(bs_image_stream_t *s, const uint8_t *data, uint32_t n)
{
    uint32_t before = s->desc_fill;
    uint32_t take = ESP_APP_DESC_SIZE - before;
    if (take > n) {
        take = n;
    }
    memcpy(s->desc_raw + before, data, take);
    s->desc_fill += take;
    if (before < 4 && s->desc_fill >= 4 && bs_le32(s->desc_raw) != ESP_APP_DESC_MAGIC_WORD) {
        s->desc_capturing = false;
        return;
    }
    if (s->desc_fill == ESP_APP_DESC_SIZE) {
        s->desc_capturing = false;
        if (bs_app_desc_decode(s->desc_raw, &s->info.desc) == ESP_OK) {
            s->info.has_desc = true;
            s->info.desc_offset = s->info.segment_data_offset[s->seg_index];
        }
    }
}

static uint32_t feed_segment_data(bs_image_stream_t *s, const uint8_t *data, uint32_t len)
{
    uint32_t n = (len < s->seg_left) ? len : s->seg_left;
    bs_sha256_update(&s->sha, data, n);
    uint8_t x = s->checksum;
    for (uint32_t i = 0; i < n; i++) {
        x ^= data[i];
    }
    s->checksum = x;
    if (s->desc_capturing) {
        capture_desc(s, data, n);
    }
    s->pos += n;
    s->seg_left -= n;
    if (s->seg_left == 0) {
        after_segment(s);
    }
    return n;
}

/* ---- tail: padding, checksum, hash -------------------------------------- */

static void enter_padding(bs_image_stream_t *s)
{
    /* The checksum is the first byte at or after pos that ends a 16-byte block. */
    s->state = ((s->pos & BLOCK_MASK) == BLOCK_MASK) ? BS_IMG_ST_CHECKSUM : BS_IMG_ST_PADDING;
}

static uint32_t feed_padding(bs_image_stream_t *s, const uint8_t *data, uint32_t len)
{
    uint32_t left = (s->pos | BLOCK_MASK) - s->pos;
    uint32_t n = (len < left) ? len : left;
    for (uint32_t i = 0; i < n; i++) {
        if (data[i] != 0) {
            /* esptool always pads with zeros; anything else is damage. */
            BS_LOGE(s->hal, TAG, "padding byte at offset 0x%x is 0x%02x, expected 0x00",
                    (unsigned)(s->pos + i), data[i]);
            s->pos += i + 1;
            fail(s);
            return i + 1;
        }
    }
    bs_sha256_update(&s->sha, data, n);
    s->pos += n;
    if (n == left) {
        s->state = BS_IMG_ST_CHECKSUM;
    }
    return n;
}

static bool hash_follows(const bs_image_stream_t *s)
{
    if (s->opts.hash == BS_HASH_IF_PRESENT) {
        return s->opts.total_len >= s->pos && s->opts.total_len - s->pos >= ESP_IMAGE_HASH_LEN;
    }
    return hash_expected(s);
}

static uint32_t feed_checksum(bs_image_stream_t *s, uint8_t byte)
{
    bs_sha256_update(&s->sha, &byte, 1);
    /* Kept even without a stored hash: tools print it, updates can log it. */
    bs_sha256_finish(&s->sha, s->info.hash_calc);
    s->pos++;
    s->info.checksum_calc = s->checksum;
    s->info.checksum_read = byte;
    s->info.image_len = s->pos;
    if (byte != s->checksum) {
        BS_LOGE(s->hal, TAG, "Checksum failed. Calculated 0x%x read 0x%x", s->checksum, byte);
        fail(s);
        return 1;
    }
    if (!hash_follows(s)) {
        s->state = BS_IMG_ST_DONE;
        return 1;
    }
    /* A required hash was counted at the last segment header; one found
     * only now (BS_HASH_IF_PRESENT) is counted here. */
    if (sat_add(s->pos, ESP_IMAGE_HASH_LEN) > s->opts.max_len) {
        BS_LOGE(s->hal, TAG, "Image length %u doesn't fit in partition length %u",
                (unsigned)sat_add(s->pos, ESP_IMAGE_HASH_LEN), (unsigned)s->opts.max_len);
        fail(s);
        return 1;
    }
    s->state = BS_IMG_ST_HASH;
    return 1;
}

static uint32_t feed_hash(bs_image_stream_t *s, const uint8_t *data, uint32_t len)
{
    uint32_t n = ESP_IMAGE_HASH_LEN - s->hash_fill;
    if (n > len) {
        n = len;
    }
    memcpy(s->info.hash_read + s->hash_fill, data, n);
    s->hash_fill += n;
    s->pos += n;
    if (s->hash_fill < ESP_IMAGE_HASH_LEN) {
        return n;
    }
    s->info.hash_present = true;
    s->info.image_len = s->pos;
    if (memcmp(s->info.hash_calc, s->info.hash_read, ESP_IMAGE_HASH_LEN) != 0) {
        BS_LOGE(s->hal, TAG, "Image hash failed - image is corrupt");
        fail(s);
        return n;
    }
    s->state = BS_IMG_ST_DONE;
    return n;
}

/* ---- the stream ------------------------------------------------------- */

static uint32_t feed_header_bytes(bs_image_stream_t *s, const uint8_t *data, uint32_t len)
{
    uint32_t n = 8u - s->hdr_fill;
    if (n > len) {
        n = len;
    }
    memcpy(s->hdr + s->hdr_fill, data, n);
    bs_sha256_update(&s->sha, data, n);
    s->hdr_fill += n;
    s->pos += n;
    if (s->hdr_fill == 8u) {
        s->hdr_fill = 0;
        if (s->state == BS_IMG_ST_HEADER) {
            (void)on_image_header(s); /* the outcome is in s->state */
        } else {
            (void)on_segment_header(s);
        }
    }
    return n;
}

static uint32_t feed_step(bs_image_stream_t *s, const uint8_t *data, uint32_t len)
{
    switch (s->state) {
    case BS_IMG_ST_HEADER:
    case BS_IMG_ST_SEG_HEADER:
        return feed_header_bytes(s, data, len);
    case BS_IMG_ST_SEG_DATA:
        return feed_segment_data(s, data, len);
    case BS_IMG_ST_PADDING:
        return feed_padding(s, data, len);
    case BS_IMG_ST_CHECKSUM:
        return feed_checksum(s, data[0]);
    case BS_IMG_ST_HASH:
        return feed_hash(s, data, len);
    default:
        return 0;
    }
}

void bs_image_stream_init(bs_image_stream_t *s, const bs_hal_t *hal, const bs_image_opts_t *opts)
{
    memset(s, 0, sizeof *s);
    s->hal = hal;
    s->opts = *opts;
    s->state = BS_IMG_ST_HEADER;
    s->error = ESP_OK;
    s->checksum = ESP_CHECKSUM_MAGIC;
    bs_sha256_init(&s->sha);
}

esp_err_t bs_image_stream_feed(bs_image_stream_t *s, const uint8_t *data, uint32_t len,
                               uint32_t *consumed)
{
    uint32_t used = 0;
    while (used < len && s->state != BS_IMG_ST_DONE && s->state != BS_IMG_ST_ERROR) {
        used += feed_step(s, data + used, len - used);
    }
    if (consumed) {
        *consumed = used;
    }
    return (s->state == BS_IMG_ST_ERROR) ? s->error : ESP_OK;
}

bool bs_image_stream_header_ok(const bs_image_stream_t *s)
{
    return s->headers_ok;
}

bool bs_image_stream_desc_ready(const bs_image_stream_t *s)
{
    return s->info.has_desc;
}

bool bs_image_stream_done(const bs_image_stream_t *s)
{
    return s->state == BS_IMG_ST_DONE;
}

static void log_truncated(bs_image_stream_t *s)
{
    static const char *const where[] = {
        [BS_IMG_ST_HEADER] = "image header", [BS_IMG_ST_SEG_HEADER] = "header",
        [BS_IMG_ST_SEG_DATA] = "data",       [BS_IMG_ST_PADDING] = "padding",
        [BS_IMG_ST_CHECKSUM] = "checksum",   [BS_IMG_ST_HASH] = "SHA-256",
    };
    if (s->state == BS_IMG_ST_SEG_HEADER || s->state == BS_IMG_ST_SEG_DATA) {
        BS_LOGE(s->hal, TAG, "image at 0x%x is truncated: %u bytes end inside segment %u %s",
                (unsigned)s->opts.start_addr, (unsigned)s->pos, (unsigned)s->seg_index,
                where[s->state]);
    } else {
        BS_LOGE(s->hal, TAG, "image at 0x%x is truncated: %u bytes end inside the %s",
                (unsigned)s->opts.start_addr, (unsigned)s->pos, where[s->state]);
    }
}

esp_err_t bs_image_stream_finish(bs_image_stream_t *s, bs_image_info_t *info)
{
    if (s->state != BS_IMG_ST_DONE && s->state != BS_IMG_ST_ERROR) {
        log_truncated(s);
        fail(s);
    }
    if (info) {
        *info = s->info;
    }
    return (s->state == BS_IMG_ST_DONE) ? ESP_OK : s->error;
}

/* Bytes left in the current region: reads never run past the image end. */
static uint32_t region_left(const bs_image_stream_t *s)
{
    switch (s->state) {
    case BS_IMG_ST_HEADER:
    case BS_IMG_ST_SEG_HEADER:
        return 8u - s->hdr_fill;
    case BS_IMG_ST_SEG_DATA:
        return s->seg_left;
    case BS_IMG_ST_PADDING:
        return ((s->pos | BLOCK_MASK) - s->pos) + 1u; /* padding and the checksum */
    case BS_IMG_ST_CHECKSUM:
        return 1u;
    case BS_IMG_ST_HASH:
        return ESP_IMAGE_HASH_LEN - s->hash_fill;
    default:
        return 0;
    }
}

esp_err_t bs_image_verify(const bs_hal_t *hal, const bs_image_opts_t *opts, bs_image_info_t *info)
{
    bs_image_stream_t s;
    uint8_t buf[VERIFY_CHUNK];
    bs_image_stream_init(&s, hal, opts);
    for (uint32_t want = region_left(&s); want != 0; want = region_left(&s)) {
        if (want > sizeof buf) {
            want = sizeof buf;
        }
        uint32_t addr = opts->start_addr + s.pos;
        esp_err_t err = bs_flash_read(hal, addr, buf, want);
        if (err != ESP_OK) {
            BS_LOGE(hal, TAG, "flash read at 0x%x (%u bytes) failed (0x%x)", (unsigned)addr,
                    (unsigned)want, (unsigned)err);
            if (info) {
                *info = s.info;
            }
            return ESP_ERR_IMAGE_FLASH_FAIL;
        }
        (void)bs_image_stream_feed(&s, buf, want, NULL); /* finish reports the verdict */
    }
    return bs_image_stream_finish(&s, info);
}
