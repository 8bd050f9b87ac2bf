/*
 * The virtual SPI NOR flash (DESIGN.md §2): a chip-sized file accessed with
 * pread/pwrite, so that what a stage wrote is on "flash" the instant the
 * call returns, whichever process dies next. NOR rules: erase per 4 KB
 * sector to 0xFF, programming ANDs into the existing bytes.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "sim_flash.h"
#include "sim_flash_priv.h"

#define CHUNK 4096u

static const uint32_t s_chip_sizes[] = {1u << 20, 2u << 20, 4u << 20, 8u << 20, 16u << 20};

static bool valid_chip_size(uint32_t size)
{
    for (size_t i = 0; i < sizeof s_chip_sizes / sizeof s_chip_sizes[0]; i++) {
        if (size == s_chip_sizes[i]) {
            return true;
        }
    }
    return false;
}

static int ascii_lower(int c)
{
    return c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c;
}

uint32_t sim_parse_flash_size(const char *text)
{
    if (!text || !*text) {
        return 0;
    }
    uint64_t v = 0;
    const char *p = text;
    bool hex = p[0] == '0' && (p[1] == 'x' || p[1] == 'X');
    if (hex) {
        p += 2;
    }
    const char *digits = p;
    for (; *p; p++) {
        int c = ascii_lower(*p);
        uint64_t d;
        if (c >= '0' && c <= '9') {
            d = (uint64_t)(c - '0');
        } else if (hex && c >= 'a' && c <= 'f') {
            d = (uint64_t)(c - 'a' + 10);
        } else {
            break;
        }
        v = v * (hex ? 16u : 10u) + d;
        if (v > 0xFFFFFFFFull) {
            return 0;
        }
    }
    if (p == digits) {
        return 0;
    }
    /* "4MB" / "4M" (esptool's spelling, case-insensitive), else a byte count. */
    if (!hex && *p) {
        if (ascii_lower(p[0]) != 'm' || !(p[1] == '\0' || (ascii_lower(p[1]) == 'b' && !p[2]))) {
            return 0;
        }
        v <<= 20;
    } else if (*p) {
        return 0;
    }
    return v <= 0xFFFFFFFFull && valid_chip_size((uint32_t)v) ? (uint32_t)v : 0;
}

/* ---- raw file access ---------------------------------------------------- */

/* Callers keep [addr, addr + len) inside the chip when the file is mapped. */
esp_err_t sim_flash_pread_all(sim_flash_t *f, uint32_t addr, void *dst, uint32_t len)
{
    if (f->map && addr <= f->size && len <= f->size - addr) {
        memcpy(dst, f->map + addr, len);
        return ESP_OK;
    }
    uint8_t *d = dst;
    while (len > 0) {
        ssize_t n = pread(f->fd, d, len, (off_t)addr);
        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n <= 0) {
            snprintf(f->last_error, sizeof f->last_error,
                     "chip file read at 0x%08" PRIx32 " failed: %s", addr,
                     n < 0 ? strerror(errno) : "file shorter than the chip");
            return ESP_ERR_FLASH_OP_FAIL;
        }
        d += n;
        addr += (uint32_t)n;
        len -= (uint32_t)n;
    }
    return ESP_OK;
}

esp_err_t sim_flash_pwrite_all(sim_flash_t *f, uint32_t addr, const void *src, uint32_t len)
{
    if (f->map && addr <= f->size && len <= f->size - addr) {
        memcpy(f->map + addr, src, len);
        return ESP_OK;
    }
    const uint8_t *s = src;
    while (len > 0) {
        ssize_t n = pwrite(f->fd, s, len, (off_t)addr);
        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n <= 0) {
            snprintf(f->last_error, sizeof f->last_error,
                     "chip file write at 0x%08" PRIx32 " failed: %s", addr,
                     n < 0 ? strerror(errno) : "no progress");
            return ESP_ERR_FLASH_OP_FAIL;
        }
        s += n;
        addr += (uint32_t)n;
        len -= (uint32_t)n;
    }
    return ESP_OK;
}

/* Random bytes eight at a time from one draw: the order torn-bits has always used. */
typedef struct {
    sim_rng_t *rng;
    uint64_t r;
    unsigned left;
} byte_stream_t;

static uint8_t next_byte(byte_stream_t *b)
{
    if (!b->left) {
        b->r = sim_rng_next(b->rng);
        b->left = 8;
    }
    uint8_t v = (uint8_t)b->r;
    b->r >>= 8;
    b->left--;
    return v;
}

esp_err_t sim_flash_program_raw(sim_flash_t *f, uint32_t addr, const uint8_t *src, uint32_t len,
                                sim_rng_t *bits, unsigned tries)
{
    uint8_t buf[CHUNK];
    byte_stream_t stream = {.rng = bits};
    while (len > 0) {
        uint32_t n = len < CHUNK ? len : CHUNK;
        esp_err_t err = sim_flash_pread_all(f, addr, buf, n);
        if (err != ESP_OK) {
            return err;
        }
        for (uint32_t i = 0; i < n; i++) {
            uint8_t clear = (uint8_t)(buf[i] & ~src[i]); /* bits this byte takes 1 -> 0 */
            if (bits) {
                uint8_t done = 0; /* a bit is done when any of its tries succeeds */
                for (unsigned t = 0; t < tries; t++) {
                    done |= next_byte(&stream);
                }
                clear &= done;
            }
            buf[i] = (uint8_t)(buf[i] & ~clear);
        }
        err = sim_flash_pwrite_all(f, addr, buf, n);
        if (err != ESP_OK) {
            return err;
        }
        addr += n;
        src += n;
        len -= n;
    }
    return ESP_OK;
}

esp_err_t sim_flash_fill_raw(sim_flash_t *f, uint32_t addr, uint8_t value, uint32_t len,
                             sim_rng_t *rng)
{
    uint8_t buf[CHUNK];
    while (len > 0) {
        uint32_t n = len < CHUNK ? len : CHUNK;
        if (rng) {
            for (uint32_t i = 0; i < n; i += 8) {
                uint64_t r = sim_rng_next(rng);
                for (uint32_t j = 0; j < 8 && i + j < n; j++) {
                    buf[i + j] = (uint8_t)(r >> (8 * j));
                }
            }
        } else {
            memset(buf, value, n);
        }
        esp_err_t err = sim_flash_pwrite_all(f, addr, buf, n);
        if (err != ESP_OK) {
            return err;
        }
        addr += n;
        len -= n;
    }
    return ESP_OK;
}

/* ---- open / attach ------------------------------------------------------ */

/* What the UART already sent before the cut reaches the console: flush, then die. */
static void default_power_cut(void *arg)
{
    (void)arg;
    fflush(stdout);
    fflush(stderr);
    _exit(SIM_EXIT_POWER_CUT);
}

static void flash_init(sim_flash_t *f)
{
    memset(f, 0, sizeof *f);
    f->fd = -1;
    f->on_power_cut = default_power_cut;
}

/* Maps the chip file once its size is known; without a mapping every
 * access stays a pread/pwrite, which is slower but the same. */
static void map_chip(sim_flash_t *f)
{
    void *p = mmap(NULL, f->size, PROT_READ | PROT_WRITE, MAP_SHARED, f->fd, 0);
    f->map = p == MAP_FAILED ? NULL : p;
}

void sim_flash_prefault(sim_flash_t *f)
{
#ifdef MADV_POPULATE_WRITE
    /* Contents are unchanged; only the page tables are filled. Older kernels
     * refuse the advice (EINVAL), and then faults simply stay where they were. */
    if (f->map) {
        (void)madvise(f->map, f->size, MADV_POPULATE_WRITE);
    }
#else
    (void)f;
#endif
}

static void unmap_chip(sim_flash_t *f)
{
    if (f->map) {
        munmap(f->map, f->size);
        f->map = NULL;
    }
}

static esp_err_t open_fail(sim_flash_t *f, esp_err_t err)
{
    unmap_chip(f);
    if (f->fd >= 0 && f->own_fd) {
        close(f->fd);
    }
    f->fd = -1;
    return err;
}

/* Binds the state: a private one when none is given, else it must be for this chip. */
static esp_err_t bind_state(sim_flash_t *f, sim_state_t *st)
{
    if (!st) {
        st = sim_state_private(f->size);
        if (!st) {
            snprintf(f->last_error, sizeof f->last_error, "cannot allocate the flash state");
            return ESP_ERR_NO_MEM;
        }
        f->own_state = true;
    } else if (st->chip_size == 0) {
        st->chip_size = f->size;
    } else if (st->chip_size != f->size) {
        snprintf(f->last_error, sizeof f->last_error,
                 "device state is for a 0x%08" PRIx32 "-byte chip, the chip file has 0x%08" PRIx32
                 " bytes",
                 st->chip_size, f->size);
        return ESP_ERR_INVALID_SIZE;
    }
    f->st = st;
    return ESP_OK;
}

esp_err_t sim_flash_open(sim_flash_t *f, const char *path, uint32_t size, bool create,
                         sim_state_t *st)
{
    flash_init(f);
    if (size != 0 && !valid_chip_size(size)) {
        snprintf(f->last_error, sizeof f->last_error,
                 "flash size %" PRIu32 " (0x%" PRIx32 ") is not 1, 2, 4, 8 or 16 MB", size, size);
        return ESP_ERR_INVALID_ARG;
    }
    f->fd = open(path, O_RDWR | O_CLOEXEC | (create ? O_CREAT : 0), 0644);
    if (f->fd < 0) {
        int e = errno;
        snprintf(f->last_error, sizeof f->last_error, "cannot open chip file %s: %s", path,
                 strerror(e));
        return e == ENOENT ? ESP_ERR_NOT_FOUND : ESP_FAIL;
    }
    f->own_fd = true;
    struct stat sb;
    if (fstat(f->fd, &sb) < 0) {
        snprintf(f->last_error, sizeof f->last_error, "cannot stat chip file %s: %s", path,
                 strerror(errno));
        return open_fail(f, ESP_FAIL);
    }
    if (create && sb.st_size == 0) {
        /* A new (or just created empty) file is a fresh chip: erased. */
        if (size == 0) {
            snprintf(f->last_error, sizeof f->last_error,
                     "cannot create chip file %s without a flash size", path);
            return open_fail(f, ESP_ERR_INVALID_ARG);
        }
        f->size = size;
        esp_err_t err = sim_flash_fill_raw(f, 0, 0xFF, size, NULL);
        if (err != ESP_OK) {
            return open_fail(f, err);
        }
    } else if (size == 0 && (sb.st_size > UINT32_MAX || !valid_chip_size((uint32_t)sb.st_size))) {
        snprintf(f->last_error, sizeof f->last_error,
                 "chip file %s is %lld bytes (0x%llx), not a 1, 2, 4, 8 or 16 MB chip", path,
                 (long long)sb.st_size, (unsigned long long)sb.st_size);
        return open_fail(f, ESP_ERR_INVALID_SIZE);
    } else if (size != 0 && sb.st_size != (off_t)size) {
        snprintf(f->last_error, sizeof f->last_error,
                 "chip file %s is %lld bytes (0x%llx) but the flash size is %" PRIu32
                 " bytes (0x%" PRIx32 "): pass the matching --flash-size",
                 path, (long long)sb.st_size, (unsigned long long)sb.st_size, size, size);
        return open_fail(f, ESP_ERR_INVALID_SIZE);
    } else {
        f->size = (uint32_t)sb.st_size;
    }
    esp_err_t err = bind_state(f, st);
    if (err != ESP_OK) {
        return open_fail(f, err);
    }
    map_chip(f);
    return ESP_OK;
}

esp_err_t sim_flash_attach(sim_flash_t *f, int fd, sim_state_t *st)
{
    flash_init(f);
    if (!st || fd < 0) {
        snprintf(f->last_error, sizeof f->last_error, "attach needs a flash fd and a state");
        return ESP_ERR_INVALID_ARG;
    }
    struct stat sb;
    if (fstat(fd, &sb) < 0 || sb.st_size != (off_t)st->chip_size) {
        snprintf(f->last_error, sizeof f->last_error,
                 "inherited flash fd %d is not a 0x%08" PRIx32 "-byte chip file", fd,
                 st->chip_size);
        return ESP_ERR_INVALID_SIZE;
    }
    f->fd = fd;
    f->size = st->chip_size;
    f->st = st;
    map_chip(f);
    return ESP_OK;
}

void sim_flash_close(sim_flash_t *f)
{
    unmap_chip(f);
    if (f->fd >= 0 && f->own_fd) {
        close(f->fd);
    }
    if (f->own_state) {
        sim_state_release(f->st);
    }
    f->fd = -1;
    f->st = NULL;
    f->own_fd = false;
    f->own_state = false;
}

/* ---- NOR operations ----------------------------------------------------- */

static bool in_range(sim_flash_t *f, const char *what, uint32_t addr, uint32_t len)
{
    if (addr <= f->size && len <= f->size - addr) {
        return true;
    }
    snprintf(f->last_error, sizeof f->last_error,
             "%s of %" PRIu32 " bytes at 0x%08" PRIx32 " is beyond the chip end 0x%08" PRIx32, what,
             len, addr, f->size);
    return false;
}

esp_err_t sim_flash_read(sim_flash_t *f, uint32_t addr, void *dst, uint32_t len)
{
    if (!in_range(f, "read", addr, len)) {
        return ESP_ERR_FLASH_OP_FAIL;
    }
    esp_err_t err = sim_flash_pread_all(f, addr, dst, len);
    if (err != ESP_OK) {
        return err;
    }
    f->st->counters.reads++;
    f->st->counters.bytes_read += len;
    return ESP_OK;
}

/* Strict NOR: finds the first byte that would need a 0 -> 1 bit, before anything is written. */
static esp_err_t check_no_rise(sim_flash_t *f, uint32_t addr, const uint8_t *src, uint32_t len)
{
    uint8_t buf[CHUNK];
    for (uint32_t done = 0; done < len;) {
        uint32_t n = len - done < CHUNK ? len - done : CHUNK;
        esp_err_t err = sim_flash_pread_all(f, addr + done, buf, n);
        if (err != ESP_OK) {
            return err;
        }
        for (uint32_t i = 0; i < n; i++) {
            if (src[done + i] & ~buf[i]) {
                uint32_t at = addr + done + i;
                snprintf(f->last_error, sizeof f->last_error,
                         "0->1 write at 0x%08" PRIx32 ": 0x%02x over 0x%02x (sector 0x%08" PRIx32
                         " not erased; write of %" PRIu32 " bytes at 0x%08" PRIx32 ")",
                         at, src[done + i], buf[i], at & ~(SIM_SECTOR_SIZE - 1), len, addr);
                return ESP_ERR_FLASH_OP_FAIL;
            }
        }
        done += n;
    }
    return ESP_OK;
}

esp_err_t sim_flash_write(sim_flash_t *f, uint32_t addr, const void *src, uint32_t len)
{
    if (!in_range(f, "write", addr, len)) {
        return ESP_ERR_FLASH_OP_FAIL;
    }
    if (len == 0) {
        return ESP_OK; /* touches nothing, so it is not an operation the fault plan counts */
    }
    esp_err_t err;
    if (f->st->strict && (err = check_no_rise(f, addr, src, len)) != ESP_OK) {
        return err;
    }
    if (sim_fault_before_op(f, addr, src, len, &err)) {
        return err;
    }
    err = sim_flash_program_raw(f, addr, src, len, NULL, 0);
    if (err != ESP_OK) {
        return err;
    }
    f->st->counters.writes++;
    f->st->counters.bytes_written += len;
    f->st->counters.modify_ops++;
    return ESP_OK;
}

/* Whether the sector already reads all 0xFF (not counted as a read: the
 * chip does not do it, the counter of blank erases does). */
static esp_err_t sector_is_blank(sim_flash_t *f, uint32_t addr, bool *blank)
{
    uint8_t buf[SIM_SECTOR_SIZE];
    esp_err_t err = sim_flash_pread_all(f, addr, buf, sizeof buf);
    if (err != ESP_OK) {
        return err;
    }
    *blank = true;
    for (uint32_t i = 0; i < sizeof buf && *blank; i++) {
        *blank = buf[i] == 0xFF;
    }
    return ESP_OK;
}

esp_err_t sim_flash_erase_sector(sim_flash_t *f, uint32_t addr)
{
    if (addr & (SIM_SECTOR_SIZE - 1)) {
        snprintf(f->last_error, sizeof f->last_error,
                 "erase at 0x%08" PRIx32 " is not on a 4 KB sector boundary", addr);
        return ESP_ERR_INVALID_ARG;
    }
    if (!in_range(f, "erase", addr, SIM_SECTOR_SIZE)) {
        return ESP_ERR_FLASH_OP_FAIL;
    }
    esp_err_t err;
    if (sim_fault_before_op(f, addr, NULL, SIM_SECTOR_SIZE, &err)) {
        return err;
    }
    bool blank = false;
    if ((err = sector_is_blank(f, addr, &blank)) != ESP_OK) {
        return err;
    }
    err = sim_flash_fill_raw(f, addr, 0xFF, SIM_SECTOR_SIZE, NULL);
    if (err != ESP_OK) {
        return err;
    }
    f->st->counters.erases++;
    f->st->counters.blank_erases += blank;
    f->st->counters.modify_ops++;
    uint32_t sector = addr / SIM_SECTOR_SIZE;
    if (sector < SIM_MAX_SECTORS) {
        f->st->sector_erases[sector]++;
    }
    return ESP_OK;
}

/* ---- core HAL ----------------------------------------------------------- */

static esp_err_t hal_read(void *ctx, uint32_t addr, void *dst, uint32_t len)
{
    return sim_flash_read(ctx, addr, dst, len);
}

/* A failed modify is a bug worth seeing on the console: the core only knows the code. */
static esp_err_t hal_report(sim_flash_t *f, esp_err_t err)
{
    if (err != ESP_OK) {
        esp_log_write(ESP_LOG_ERROR, "sim_flash", "%s", f->last_error);
    }
    return err;
}

static esp_err_t hal_write(void *ctx, uint32_t addr, const void *src, uint32_t len)
{
    return hal_report(ctx, sim_flash_write(ctx, addr, src, len));
}

static esp_err_t hal_erase(void *ctx, uint32_t addr)
{
    return hal_report(ctx, sim_flash_erase_sector(ctx, addr));
}

static void hal_log(void *ctx, esp_log_level_t level, const char *tag, const char *fmt, va_list ap)
{
    (void)ctx;
    esp_log_writev(level, tag, fmt, ap);
}

void sim_flash_hal(sim_flash_t *f, uint32_t configured_size, bs_hal_t *hal)
{
    memset(hal, 0, sizeof *hal);
    hal->flash_ctx = f;
    hal->read = hal_read;
    hal->write = hal_write;
    hal->erase_sector = hal_erase;
    hal->chip_size = configured_size ? configured_size : f->size;
    hal->sector_size = SIM_SECTOR_SIZE;
    hal->log = hal_log;
}
