/* elf2image for Xtensa ELF files (elf2image_xtensa.h). */
#include "elf2image_xtensa.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bs_image.h"
#include "bs_port.h"
#include "cli.h"
#include "image_writer.h"

#define EM_XTENSA_ID 94u
#define SHT_PROGBITS_ID 1u
#define SHDR_LEN 0x28u
#define IROM_START 0x40200000u
#define IROM_END 0x40300000u
#define MAX_SECTIONS 64

typedef struct {
    const char *name;
    uint32_t addr;
    uint8_t *data; /* padded copy (malloc'd) */
    uint32_t len;
} xsec_t;

bool e2i_xtensa_is_elf(const uint8_t *d, size_t size)
{
    return size >= 0x34 && memcmp(d, "\x7f" "ELF", 4) == 0 && d[4] == 1 && d[5] == 1 &&
           bs_le16(d + 18) == EM_XTENSA_ID;
}

static int read_sections(const char *cmd, const char *input, const uint8_t *d, size_t size,
                         xsec_t *out, int *count)
{
    uint32_t shoff = bs_le32(d + 32);
    uint32_t shentsize = bs_le16(d + 46);
    uint32_t shnum = bs_le16(d + 48);
    uint32_t shstrndx = bs_le16(d + 50);
    if (shentsize != SHDR_LEN || shnum == 0) {
        return cli_fail(cmd, "%s: section header entries of %u bytes, %u of them (0x28 and at least one expected)",
                        input, (unsigned)shentsize, (unsigned)shnum);
    }
    if (shoff > size || (uint64_t)shnum * SHDR_LEN > size - shoff || shstrndx >= shnum) {
        return cli_fail(cmd, "%s: section header table runs past the end of the file", input);
    }
    const uint8_t *strtab_h = d + shoff + shstrndx * SHDR_LEN;
    uint32_t str_off = bs_le32(strtab_h + 16);
    uint32_t str_size = bs_le32(strtab_h + 20);
    if (str_off > size || str_size > size - str_off) {
        return cli_fail(cmd, "%s: section name table runs past the end of the file", input);
    }
    *count = 0;
    for (uint32_t i = 0; i < shnum; i++) {
        const uint8_t *h = d + shoff + i * SHDR_LEN;
        uint32_t name = bs_le32(h);
        uint32_t type = bs_le32(h + 4);
        uint32_t addr = bs_le32(h + 12);
        uint32_t off = bs_le32(h + 16);
        uint32_t len = bs_le32(h + 20);
        if (type != SHT_PROGBITS_ID || addr == 0) {
            continue;
        }
        if (off > size || len > size - off || name >= str_size ||
            !memchr(d + str_off + name, 0, str_size - name)) {
            return cli_fail(cmd, "%s: section %u lies outside the file", input, (unsigned)i);
        }
        if (*count == MAX_SECTIONS) {
            return cli_fail(cmd, "%s: more than %d loadable sections", input, MAX_SECTIONS);
        }
        xsec_t *s = &out[(*count)++];
        s->name = (const char *)d + str_off + name;
        s->addr = addr;
        s->len = image_writer_padded_len(len);
        s->data = calloc(1, s->len ? s->len : 1);
        if (!s->data) {
            return cli_fail(cmd, "out of memory");
        }
        memcpy(s->data, d + off, len);
    }
    return 0;
}

static int write_file(const char *cmd, const char *path, const uint8_t *data, uint32_t len)
{
    FILE *f = fopen(path, "wb");
    if (!f || fwrite(data, 1, len, f) != len || fclose(f) != 0) {
        return cli_fail(cmd, "cannot write %s", path);
    }
    return 0;
}

/* Stable insertion sort by address (esptool's sorted() is stable). */
static void sort_by_addr(const xsec_t **v, int n)
{
    for (int i = 1; i < n; i++) {
        const xsec_t *x = v[i];
        int j = i;
        while (j > 0 && v[j - 1]->addr > x->addr) {
            v[j] = v[j - 1];
            j--;
        }
        v[j] = x;
    }
}

/* The segments of the 0x0 file, in order; the irom0 section (v1) apart. */
static int plan(const char *cmd, const char *input, int version, const xsec_t *secs, int n,
                image_writer_segment_t *seg, unsigned *nseg, const xsec_t **irom)
{
    *nseg = 0;
    *irom = NULL;
    if (version == 1) {
        int iroms = 0;
        for (int i = 0; i < n; i++) {
            iroms += secs[i].addr >= IROM_START && secs[i].addr < IROM_END;
        }
        if (iroms > 1) {
            return cli_fail(cmd, "%s: Found %d segments that could be irom0. Bad ELF file?",
                            input, iroms);
        }
        for (int i = 0; i < n; i++) {
            if (secs[i].addr >= IROM_START && secs[i].addr < IROM_END) {
                *irom = &secs[i];
            } else if (*nseg < IMAGE_WRITER_MAX_SEGMENTS) {
                seg[(*nseg)++] = (image_writer_segment_t){secs[i].addr, secs[i].data, secs[i].len};
            } else {
                return cli_fail(cmd, "%s: more than %d segments", input, IMAGE_WRITER_MAX_SEGMENTS);
            }
        }
        return 0;
    }
    const xsec_t *flash[MAX_SECTIONS];
    const xsec_t *ram[MAX_SECTIONS];
    int nf = 0;
    int nr = 0;
    for (int i = 0; i < n; i++) {
        if (secs[i].len == 0) {
            continue;
        }
        if (secs[i].addr >= IROM_START) {
            flash[nf++] = &secs[i];
        } else {
            ram[nr++] = &secs[i];
        }
    }
    sort_by_addr(flash, nf);
    sort_by_addr(ram, nr);
    for (int i = 1; i < nf; i++) {
        if ((flash[i]->addr >> 16) == (flash[i - 1]->addr >> 16)) {
            return cli_fail(cmd,
                            "%s: Segment loaded at 0x%08x lands in same 64KB flash mapping as "
                            "segment loaded at 0x%08x",
                            input, (unsigned)flash[i]->addr, (unsigned)flash[i - 1]->addr);
        }
    }
    if (nf + nr > IMAGE_WRITER_MAX_SEGMENTS) {
        return cli_fail(cmd, "%s: %d segments, the loader takes %d", input, nf + nr,
                        IMAGE_WRITER_MAX_SEGMENTS);
    }
    for (int i = 0; i < nf + nr; i++) {
        const xsec_t *s = i < nf ? flash[i] : ram[i - nf];
        image_writer_segment_t w = {s->addr, s->data, s->len};
        if (!strcmp(s->name, ".flash.rodata")) {
            /* Its first 8 bytes are reserved by the linker script for this header. */
            uint32_t cut = s->len < 8u ? s->len : 8u;
            w.data += cut;
            w.len -= cut;
        }
        seg[(*nseg)++] = w;
    }
    return 0;
}

int e2i_xtensa(const char *cmd, const char *input, const uint8_t *elf, size_t size,
               const e2i_xtensa_args_t *a)
{
    xsec_t secs[MAX_SECTIONS];
    int n = 0;
    int rc = read_sections(cmd, input, elf, size, secs, &n);
    image_writer_segment_t seg[IMAGE_WRITER_MAX_SEGMENTS];
    unsigned nseg = 0;
    const xsec_t *irom = NULL;
    if (rc == 0) {
        rc = plan(cmd, input, a->version, secs, n, seg, &nseg, &irom);
    }
    bs_image_kind_t kind = a->version == 3 ? BS_IMAGE_V3 : BS_IMAGE_V1;
    image_writer_spec_t spec = {
        .spi_mode = a->spi_mode,
        .spi_speed = a->spi_speed,
        .spi_size = (uint8_t)bs_image_flash_size_code(kind, a->flash_bytes),
        .entry = bs_le32(elf + 24),
        .segments = seg,
        .segment_count = nseg,
        .append_hash = kind == BS_IMAGE_V3,
    };
    uint8_t *img = NULL;
    uint32_t len = 0;
    if (rc == 0 && !image_writer_build(&spec, &img, &len)) {
        rc = cli_fail(cmd, "cannot lay out the image (out of memory)");
    }
    if (rc == 0 && irom) {
        size_t plen = strlen(a->output) + 16;
        char *path = malloc(plen);
        if (!path) {
            rc = cli_fail(cmd, "out of memory");
        } else {
            snprintf(path, plen, "%s0x%05x.bin", a->output, (unsigned)(irom->addr - IROM_START));
            rc = write_file(cmd, path, irom->data, irom->len);
            free(path);
        }
    }
    if (rc == 0) {
        rc = write_file(cmd, a->output, img, len);
    }
    if (rc == 0) {
        printf("%s: %s image of an lx106 ELF, %u segment%s, %u bytes, entry 0x%08x\n", a->output,
               kind == BS_IMAGE_V3 ? "V3" : "v1", nseg, nseg == 1 ? "" : "s", (unsigned)len,
               (unsigned)spec.entry);
    }
    free(img);
    for (int i = 0; i < n; i++) {
        free(secs[i].data);
    }
    return rc;
}
