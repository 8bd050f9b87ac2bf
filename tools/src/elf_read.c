/* The ELF64 reader of elf2image (elf_read.h). Every table is bounds-checked
 * at load, so the queries below can index it without further checks. */
#include "elf_read.h"

#include <elf.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Far above any 16 MB flash: only a guard against reading a huge wrong file. */
#define ELF_MAX_FILE (64u * 1024u * 1024u)

static bool fail(char *err, size_t errlen, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static bool fail(char *err, size_t errlen, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err, errlen, fmt, ap);
    va_end(ap);
    return false;
}

/* [off, off + n * entsize) inside a file of `size` bytes, without overflow. */
static bool table_fits(uint64_t off, uint64_t n, uint64_t entsize, size_t size)
{
    if (n == 0) {
        return true;
    }
    if (off > size || entsize == 0 || n > (size - off) / entsize) {
        return false;
    }
    return true;
}

static Elf64_Ehdr ehdr_of(const elf_file_t *elf)
{
    Elf64_Ehdr h;
    memcpy(&h, elf->data, sizeof h); /* memcpy: the buffer has no alignment promise */
    return h;
}

static Elf64_Phdr phdr_at(const elf_file_t *elf, const Elf64_Ehdr *h, unsigned i)
{
    Elf64_Phdr p;
    memcpy(&p, elf->data + h->e_phoff + (uint64_t)i * h->e_phentsize, sizeof p);
    return p;
}

static Elf64_Shdr shdr_at(const elf_file_t *elf, const Elf64_Ehdr *h, unsigned i)
{
    Elf64_Shdr s;
    memcpy(&s, elf->data + h->e_shoff + (uint64_t)i * h->e_shentsize, sizeof s);
    return s;
}

static bool read_file(const char *path, elf_file_t *elf, char *err, size_t errlen)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        return fail(err, errlen, "cannot open: %s", strerror(errno));
    }
    bool ok = fseek(f, 0, SEEK_END) == 0;
    long size = ok ? ftell(f) : -1;
    if (size < 0 || fseek(f, 0, SEEK_SET) != 0) {
        fclose(f);
        return fail(err, errlen, "cannot read: %s", strerror(errno));
    }
    if ((unsigned long)size > ELF_MAX_FILE) {
        fclose(f);
        return fail(err, errlen, "%ld bytes is too big to be an ESP8266 program (limit %u)", size,
                    ELF_MAX_FILE);
    }
    elf->size = (size_t)size;
    elf->data = malloc(elf->size ? elf->size : 1);
    if (!elf->data || fread(elf->data, 1, elf->size, f) != elf->size) {
        fclose(f);
        free(elf->data);
        elf->data = NULL;
        return fail(err, errlen, "cannot read %zu bytes", elf->size);
    }
    fclose(f);
    return true;
}

static bool check_ident(const elf_file_t *elf, char *err, size_t errlen)
{
    const uint8_t *d = elf->data;
    if (elf->size < SELFMAG || memcmp(d, ELFMAG, SELFMAG) != 0) {
        uint8_t b[4] = {0};
        memcpy(b, d, elf->size < 4 ? elf->size : 4);
        return fail(err, errlen,
                    "not an ELF file: starts with %02x %02x %02x %02x, expected 7f 45 4c 46 "
                    "(\\x7fELF)",
                    b[0], b[1], b[2], b[3]);
    }
    if (elf->size < sizeof(Elf64_Ehdr)) {
        return fail(err, errlen, "truncated ELF: %zu bytes, the ELF64 header alone is %zu",
                    elf->size, sizeof(Elf64_Ehdr));
    }
    if (d[EI_CLASS] != ELFCLASS64) {
        return fail(err, errlen, "ELF class %u is not ELFCLASS64: expected a 64-bit host program",
                    d[EI_CLASS]);
    }
    if (d[EI_DATA] != ELFDATA2LSB) {
        return fail(err, errlen, "ELF data encoding %u is not little-endian (ELFDATA2LSB)",
                    d[EI_DATA]);
    }
    return true;
}

static bool check_tables(const elf_file_t *elf, char *err, size_t errlen)
{
    Elf64_Ehdr h = ehdr_of(elf);
    if (h.e_type != ET_EXEC && h.e_type != ET_DYN) {
        return fail(err, errlen, "ELF type %u is not an executable (ET_EXEC or ET_DYN)",
                    (unsigned)h.e_type);
    }
    if (h.e_phnum != 0 && h.e_phentsize < sizeof(Elf64_Phdr)) {
        return fail(err, errlen, "program header size %u, expected %zu", (unsigned)h.e_phentsize,
                    sizeof(Elf64_Phdr));
    }
    if (!table_fits(h.e_phoff, h.e_phnum, h.e_phentsize, elf->size)) {
        return fail(err, errlen,
                    "program header table (0x%llx, %u entries) runs past the end "
                    "of the file (%zu bytes)",
                    (unsigned long long)h.e_phoff, (unsigned)h.e_phnum, elf->size);
    }
    if (h.e_shnum == 0) {
        return true; /* no sections (stripped of them): only .rodata_desc lookups miss */
    }
    if (h.e_shentsize < sizeof(Elf64_Shdr)) {
        return fail(err, errlen, "section header size %u, expected %zu", (unsigned)h.e_shentsize,
                    sizeof(Elf64_Shdr));
    }
    if (!table_fits(h.e_shoff, h.e_shnum, h.e_shentsize, elf->size)) {
        return fail(err, errlen,
                    "section header table (0x%llx, %u entries) runs past the end "
                    "of the file (%zu bytes)",
                    (unsigned long long)h.e_shoff, (unsigned)h.e_shnum, elf->size);
    }
    if (h.e_shstrndx >= h.e_shnum) {
        return fail(err, errlen, "section name table index %u >= section count %u",
                    (unsigned)h.e_shstrndx, (unsigned)h.e_shnum);
    }
    Elf64_Shdr names = shdr_at(elf, &h, h.e_shstrndx);
    if (!table_fits(names.sh_offset, names.sh_size, 1, elf->size)) {
        return fail(err, errlen, "section name table runs past the end of the file");
    }
    return true;
}

bool elf_load(const char *path, elf_file_t *elf, char *err, size_t errlen)
{
    memset(elf, 0, sizeof *elf);
    if (!read_file(path, elf, err, errlen)) {
        return false;
    }
    if (!check_ident(elf, err, errlen) || !check_tables(elf, err, errlen)) {
        elf_free(elf);
        return false;
    }
    elf->entry = ehdr_of(elf).e_entry;
    return true;
}

void elf_free(elf_file_t *elf)
{
    free(elf->data);
    elf->data = NULL;
    elf->size = 0;
}

bool elf_entry_file_offset(const elf_file_t *elf, uint64_t *offset, char *err, size_t errlen)
{
    Elf64_Ehdr h = ehdr_of(elf);
    if (h.e_entry == 0) {
        return fail(err, errlen, "no entry point (e_entry is 0)");
    }
    for (unsigned i = 0; i < h.e_phnum; i++) {
        Elf64_Phdr p = phdr_at(elf, &h, i);
        if (p.p_type != PT_LOAD || h.e_entry < p.p_vaddr || h.e_entry - p.p_vaddr >= p.p_filesz) {
            continue;
        }
        uint64_t delta = h.e_entry - p.p_vaddr;
        if (p.p_offset >= elf->size || delta >= elf->size - p.p_offset) {
            return fail(err, errlen, "entry point 0x%llx lies past the end of the file (%zu bytes)",
                        (unsigned long long)h.e_entry, elf->size);
        }
        *offset = p.p_offset + delta;
        return true;
    }
    return fail(err, errlen, "entry point 0x%llx is in no loadable segment's file bytes",
                (unsigned long long)h.e_entry);
}

bool elf_find_section(const elf_file_t *elf, const char *name, uint64_t *offset, uint64_t *size)
{
    Elf64_Ehdr h = ehdr_of(elf);
    if (h.e_shnum == 0) {
        return false;
    }
    Elf64_Shdr names = shdr_at(elf, &h, h.e_shstrndx);
    size_t want = strlen(name) + 1; /* with its NUL, so ".rodata_desc2" does not match */
    for (unsigned i = 0; i < h.e_shnum; i++) {
        Elf64_Shdr s = shdr_at(elf, &h, i);
        if (s.sh_type == SHT_NOBITS || s.sh_name >= names.sh_size ||
            names.sh_size - s.sh_name < want ||
            memcmp(elf->data + names.sh_offset + s.sh_name, name, want) != 0) {
            continue;
        }
        if (!table_fits(s.sh_offset, s.sh_size, 1, elf->size)) {
            return false;
        }
        *offset = s.sh_offset;
        *size = s.sh_size;
        return true;
    }
    return false;
}
