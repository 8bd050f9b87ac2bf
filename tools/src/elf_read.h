#pragma once
/*
 * Just enough of an ELF64 reader for elf2image: the whole file in memory,
 * its structure checked once at load (headers and tables inside the file),
 * then the entry point's file offset and sections by name. Host tool only:
 * it reads the host's own executables, so <elf.h> structs are fine here.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct {
    uint8_t *data; /* the file's bytes (malloc'd) */
    size_t size;
    uint64_t entry; /* e_entry, a virtual address */
} elf_file_t;

/* Reads path and checks that it is a little-endian ELF64 executable whose
 * program and section header tables lie inside the file. On failure fills
 * err with the reason ("not an ELF file: starts with ...") and returns false. */
bool elf_load(const char *path, elf_file_t *elf, char *err, size_t errlen);

void elf_free(elf_file_t *elf);

/* File offset of e_entry, through the PT_LOAD segment whose file bytes hold it. */
bool elf_entry_file_offset(const elf_file_t *elf, uint64_t *offset, char *err, size_t errlen);

/* Section `name` with bytes in the file (not NOBITS): its offset and size.
 * False when there is no such section. */
bool elf_find_section(const elf_file_t *elf, const char *name, uint64_t *offset, uint64_t *size);
