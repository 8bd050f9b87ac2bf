/* Helpers shared by the fuzz targets (fuzz_util.h). */
#include "fuzz_util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define FZ_SECTOR 0x1000u

void fz_fail(const char *file, int line, const char *cond, const char *fmt, ...)
{
    va_list ap;
    fprintf(stderr, "\n==FUZZ PROPERTY== %s:%d: %s: ", file, line, cond);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
    abort();
}

uint8_t fz_u8(fz_in_t *in)
{
    if (in->left == 0) {
        return 0;
    }
    in->left--;
    return *in->p++;
}

uint16_t fz_u16(fz_in_t *in)
{
    uint16_t lo = fz_u8(in);
    return (uint16_t)(lo | ((uint16_t)fz_u8(in) << 8));
}

uint32_t fz_u32(fz_in_t *in)
{
    uint32_t lo = fz_u16(in);
    return lo | ((uint32_t)fz_u16(in) << 16);
}

void fz_bytes(fz_in_t *in, void *dst, size_t n, uint8_t fill)
{
    size_t take = n < in->left ? n : in->left;
    memcpy(dst, in->p, take);
    memset((uint8_t *)dst + take, fill, n - take);
    in->p += take;
    in->left -= take;
}

void fz_log_sink(void *ctx, esp_log_level_t level, const char *tag, const char *fmt, va_list ap)
{
    char line[512];
    (void)ctx;
    (void)level;
    (void)tag;
    /* Formatting is the point: a bad format argument shows up under ASan/UBSan. */
    (void)vsnprintf(line, sizeof line, fmt, ap);
}

/* ---- sparse chip ---- */

/* The byte at addr, or -1 when it lies outside every window and fail_outside. */
static int sparse_byte(const fz_sparse_t *s, uint32_t addr)
{
    for (int i = s->nwin - 1; i >= 0; i--) {
        const fz_window_t *w = &s->win[i];
        if (addr >= w->addr && addr - w->addr < w->len) {
            return w->data[addr - w->addr];
        }
    }
    return s->fail_outside ? -1 : 0xFF;
}

static esp_err_t sparse_read(void *ctx, uint32_t addr, void *dst, uint32_t len)
{
    fz_sparse_t *s = ctx;
    uint8_t *out = dst;
    s->reads++;
    if ((uint64_t)addr + len > s->max_read_end) {
        s->max_read_end = (uint64_t)addr + len;
    }
    /* One window holding the whole range (the image target's every read): copy. */
    if (s->nwin == 1 && addr >= s->win[0].addr &&
        (uint64_t)addr + len <= (uint64_t)s->win[0].addr + s->win[0].len) {
        memcpy(out, s->win[0].data + (addr - s->win[0].addr), len);
        return ESP_OK;
    }
    for (uint32_t i = 0; i < len; i++) {
        int b = sparse_byte(s, addr + i);
        if (b < 0) {
            return ESP_ERR_FLASH_OP_FAIL;
        }
        out[i] = (uint8_t)b;
    }
    return ESP_OK;
}

static esp_err_t sparse_write(void *ctx, uint32_t addr, const void *src, uint32_t len)
{
    (void)ctx;
    (void)src;
    fz_fail(__FILE__, __LINE__, "no write", "read-only chip written at 0x%x (%u bytes)",
            (unsigned)addr, (unsigned)len);
}

static esp_err_t sparse_erase(void *ctx, uint32_t addr)
{
    (void)ctx;
    fz_fail(__FILE__, __LINE__, "no erase", "read-only chip erased at 0x%x", (unsigned)addr);
}

void fz_sparse_hal(bs_hal_t *hal, fz_sparse_t *s, uint32_t chip_size)
{
    memset(s, 0, sizeof *s);
    memset(hal, 0, sizeof *hal);
    hal->flash_ctx = s;
    hal->read = sparse_read;
    hal->write = sparse_write;
    hal->erase_sector = sparse_erase;
    hal->chip_size = chip_size;
    hal->sector_size = FZ_SECTOR;
    hal->log = fz_log_sink;
}

void fz_sparse_add(fz_sparse_t *s, uint32_t addr, const uint8_t *data, uint32_t len)
{
    FZ_CHECK(s->nwin < FZ_MAX_WINDOWS, "harness: too many windows");
    s->win[s->nwin++] = (fz_window_t){.addr = addr, .data = data, .len = len};
}

/* ---- RAM chip ---- */

static esp_err_t ram_read(void *ctx, uint32_t addr, void *dst, uint32_t len)
{
    fz_ram_t *r = ctx;
    FZ_CHECK(addr <= r->size && len <= r->size - addr, "read 0x%x+%u outside the chip",
             (unsigned)addr, (unsigned)len);
    memcpy(dst, r->mem + addr, len);
    return ESP_OK;
}

static esp_err_t ram_write(void *ctx, uint32_t addr, const void *src, uint32_t len)
{
    fz_ram_t *r = ctx;
    const uint8_t *in = src;
    FZ_CHECK(addr <= r->size && len <= r->size - addr, "write 0x%x+%u outside the chip",
             (unsigned)addr, (unsigned)len);
    for (uint32_t i = 0; i < len; i++) {
        FZ_CHECK((r->mem[addr + i] & in[i]) == in[i],
                 "NOR: write at 0x%x sets bits that are 0 (0x%02x over 0x%02x)",
                 (unsigned)(addr + i), in[i], r->mem[addr + i]);
        r->mem[addr + i] = in[i];
    }
    r->writes++;
    return ESP_OK;
}

static esp_err_t ram_erase(void *ctx, uint32_t addr)
{
    fz_ram_t *r = ctx;
    FZ_CHECK((addr & (FZ_SECTOR - 1u)) == 0 && addr < r->size, "erase at 0x%x", (unsigned)addr);
    memset(r->mem + addr, 0xFF, FZ_SECTOR);
    r->erases++;
    return ESP_OK;
}

void fz_ram_hal(bs_hal_t *hal, fz_ram_t *r, uint8_t *mem, uint32_t size)
{
    memset(r, 0, sizeof *r);
    r->mem = mem;
    r->size = size;
    memset(hal, 0, sizeof *hal);
    hal->flash_ctx = r;
    hal->read = ram_read;
    hal->write = ram_write;
    hal->erase_sector = ram_erase;
    hal->chip_size = size;
    hal->sector_size = FZ_SECTOR;
    hal->log = fz_log_sink;
}
