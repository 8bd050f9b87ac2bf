#pragma once
/*
 * Test-only helpers for the elf2image and image_info tests: a tiny ELF64
 * built byte by byte (entry offset and .rodata_desc under the test's
 * control), running a subcommand in-process with stdout and stderr captured
 * to files, and little-endian reads. Nothing here uses the tool's own code.
 */
#include <elf.h>
#include <fcntl.h>
#include <mbedtls/sha256.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define TE_BASE 0x400000u /* the tiny ELF's load address */

typedef struct {
    uint32_t entry_off;  /* file offset of the entry point (>= 0x78) */
    bool entry_outside;  /* e_entry in no PT_LOAD segment */
    const uint8_t *desc; /* 256 bytes of .rodata_desc, or NULL for no such section */
    uint32_t tail;       /* extra bytes after everything, to make odd file sizes */
} tiny_elf_t;

static char s_dir[64];
static char *s_paths[1024]; /* every t_path result, freed at teardown */
static size_t s_npaths;

/* A path in the test's temporary directory; valid until the group ends. */
static inline const char *t_path(const char *name)
{
    char *p = malloc(strlen(s_dir) + strlen(name) + 2);
    sprintf(p, "%s/%s", s_dir, name);
    if (s_npaths == sizeof s_paths / sizeof s_paths[0]) {
        abort();
    }
    s_paths[s_npaths++] = p;
    return p;
}

static inline int t_setup_dir(void **state)
{
    (void)state;
    snprintf(s_dir, sizeof s_dir, "/tmp/ota8266_img_XXXXXX");
    return mkdtemp(s_dir) ? 0 : -1;
}

static inline int t_teardown_dir(void **state)
{
    (void)state;
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", s_dir);
    while (s_npaths > 0) {
        free(s_paths[--s_npaths]);
    }
    return system(cmd) == 0 ? 0 : -1;
}

static inline uint32_t t_le32(const uint8_t *p)
{
    return (uint32_t)p[0] | ((uint32_t)p[1] << 8) | ((uint32_t)p[2] << 16) | ((uint32_t)p[3] << 24);
}

static inline void t_put32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
    p[2] = (uint8_t)(v >> 16);
    p[3] = (uint8_t)(v >> 24);
}

static inline void t_sha256(const uint8_t *p, size_t len, uint8_t out[32])
{
    if (mbedtls_sha256_ret(p, len, out, 0) != 0) {
        abort();
    }
}

static inline void t_hex(const uint8_t *p, size_t n, char *out)
{
    for (size_t i = 0; i < n; i++) {
        sprintf(out + 2 * i, "%02x", p[i]);
    }
}

static inline uint8_t *t_read(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        *len = 0;
        return NULL;
    }
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    uint8_t *b = malloc((size_t)n + 1);
    if (fread(b, 1, (size_t)n, f) != (size_t)n) {
        abort();
    }
    b[n] = 0; /* text files read as strings */
    fclose(f);
    *len = (size_t)n;
    return b;
}

static inline void t_write(const char *path, const void *data, size_t len)
{
    FILE *f = fopen(path, "wb");
    if (!f || fwrite(data, 1, len, f) != len || fclose(f) != 0) {
        abort();
    }
}

/* ELF64 header, one PT_LOAD covering the file, code, optional .rodata_desc,
 * .shstrtab and the section headers. Returns the file size. */
static inline size_t tiny_elf_write(const char *path, const tiny_elf_t *t)
{
    static const char names[] = "\0.text\0.rodata_desc\0.shstrtab";
    uint32_t code_off = sizeof(Elf64_Ehdr) + sizeof(Elf64_Phdr);
    uint32_t code_end = ((t->entry_off + 16u > 0x100u ? t->entry_off + 16u : 0x100u) + 15u) & ~15u;
    uint32_t desc_off = code_end;
    uint32_t desc_len = t->desc ? 256u : 0u; /* one length for room and copy (-Warray-bounds) */
    uint32_t names_off = desc_off + desc_len;
    uint32_t sh_off = (names_off + (uint32_t)sizeof names + 7u) & ~7u;
    uint16_t shnum = t->desc ? 4 : 3;
    size_t size = sh_off + shnum * sizeof(Elf64_Shdr) + t->tail;
    uint8_t *b = calloc(1, size);

    Elf64_Ehdr eh = {0};
    memcpy(eh.e_ident, ELFMAG, SELFMAG);
    eh.e_ident[EI_CLASS] = ELFCLASS64;
    eh.e_ident[EI_DATA] = ELFDATA2LSB;
    eh.e_ident[EI_VERSION] = EV_CURRENT;
    eh.e_type = ET_EXEC;
    eh.e_machine = EM_X86_64;
    eh.e_version = EV_CURRENT;
    eh.e_entry = t->entry_outside ? 0x900000u : TE_BASE + t->entry_off;
    eh.e_phoff = sizeof eh;
    eh.e_shoff = sh_off;
    eh.e_ehsize = sizeof eh;
    eh.e_phentsize = sizeof(Elf64_Phdr);
    eh.e_phnum = 1;
    eh.e_shentsize = sizeof(Elf64_Shdr);
    eh.e_shnum = shnum;
    eh.e_shstrndx = shnum - 1;
    memcpy(b, &eh, sizeof eh);

    Elf64_Phdr ph = {.p_type = PT_LOAD,
                     .p_flags = PF_R | PF_X,
                     .p_offset = 0,
                     .p_vaddr = TE_BASE,
                     .p_paddr = TE_BASE,
                     .p_filesz = size,
                     .p_memsz = size,
                     .p_align = 0x1000};
    memcpy(b + eh.e_phoff, &ph, sizeof ph);
    for (uint32_t i = code_off; i < code_end; i++) {
        b[i] = (uint8_t)(i * 11u + 5u);
    }
    if (desc_len != 0) {
        memcpy(b + desc_off, t->desc, desc_len);
    }
    memcpy(b + names_off, names, sizeof names);
    Elf64_Shdr sh[4] = {{0}};
    sh[1] = (Elf64_Shdr){.sh_name = 1,
                         .sh_type = SHT_PROGBITS,
                         .sh_flags = SHF_ALLOC | SHF_EXECINSTR,
                         .sh_addr = TE_BASE + code_off,
                         .sh_offset = code_off,
                         .sh_size = code_end - code_off,
                         .sh_addralign = 16};
    if (t->desc) {
        sh[2] = (Elf64_Shdr){.sh_name = 7,
                             .sh_type = SHT_PROGBITS,
                             .sh_flags = SHF_ALLOC,
                             .sh_addr = TE_BASE + desc_off,
                             .sh_offset = desc_off,
                             .sh_size = 256,
                             .sh_addralign = 16};
    }
    sh[shnum - 1] = (Elf64_Shdr){.sh_name = 20,
                                 .sh_type = SHT_STRTAB,
                                 .sh_offset = names_off,
                                 .sh_size = sizeof names,
                                 .sh_addralign = 1};
    memcpy(b + sh_off, sh, shnum * sizeof(Elf64_Shdr));
    for (uint32_t i = 0; i < t->tail; i++) {
        b[size - t->tail + i] = (uint8_t)(0xA5 ^ i);
    }
    t_write(path, b, size);
    free(b);
    return size;
}

typedef struct {
    int rc;
    char *out; /* captured stdout, NUL-terminated */
    char *err; /* captured stderr */
} t_run_t;

/* Runs fn(argc, argv) with stdout and stderr going to files, then reads them back. */
static inline t_run_t t_run_argv(int (*fn)(int, char **), int argc, char **argv)
{
    const char *out_path = t_path("stdout.txt");
    const char *err_path = t_path("stderr.txt");
    fflush(stdout);
    fflush(stderr);
    int saved_out = dup(1), saved_err = dup(2);
    int fo = open(out_path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    int fe = open(err_path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    dup2(fo, 1);
    dup2(fe, 2);
    t_run_t r;
    r.rc = fn(argc, argv);
    fflush(stdout);
    fflush(stderr);
    dup2(saved_out, 1);
    dup2(saved_err, 2);
    close(fo);
    close(fe);
    close(saved_out);
    close(saved_err);
    size_t n;
    r.out = (char *)t_read(out_path, &n);
    r.err = (char *)t_read(err_path, &n);
    return r;
}

/* t_run(fn, "elf2image", "-o", out, in, NULL) */
static inline t_run_t t_run(int (*fn)(int, char **), const char *name, ...)
{
    char *argv[40];
    int argc = 0;
    argv[argc++] = (char *)name;
    va_list ap;
    va_start(ap, name);
    const char *a;
    while ((a = va_arg(ap, const char *)) != NULL && argc < 39) {
        argv[argc++] = (char *)a;
    }
    va_end(ap);
    argv[argc] = NULL;
    return t_run_argv(fn, argc, argv);
}

static inline void t_run_free(t_run_t *r)
{
    free(r->out);
    free(r->err);
}

/* A 256-byte descriptor as the SDK's esp_app_desc.c lays it out. */
static inline void t_desc(uint8_t d[256], const char *version, const char *project,
                          const char *time, const char *date, const char *idf)
{
    memset(d, 0, 256);
    t_put32(d, 0xABCD5432u);
    strncpy((char *)d + 16, version, 32);
    strncpy((char *)d + 48, project, 32);
    strncpy((char *)d + 80, time, 16);
    strncpy((char *)d + 96, date, 16);
    strncpy((char *)d + 112, idf, 32);
}
