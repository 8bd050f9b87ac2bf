#pragma once
/*
 * Partition table rows as the host tool sees them, their CSV form, and the
 * checks of the SDK's gen_esp32part.py v1.2 (reference §1.3), with its exact
 * messages. Tool-side only: the 32-byte binary rows are read and written by
 * the portable core (bs_partition.h) through part_bin.h.
 *
 * Numbers are int64_t because a CSV may hold negative or oversized values
 * that the SDK tool reports (e.g. "Offset 0x-10 ...") before they can be
 * rejected by the binary encoder.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* Exit statuses: InputError in the SDK tool, and input the SDK tool would
 * crash on with a traceback (invalid UTF-8, values that cannot be packed). */
#define PART_EXIT_INPUT 2
#define PART_EXIT_FAIL 1

/* gen_esp32part.py: PARTITION_TABLE_SIZE, the sector the table occupies. */
#define PART_TABLE_SECTOR 0x1000

typedef struct {
    char *name; /* UTF-8, the whole CSV field (the binary keeps its first 16 bytes) */
    int64_t type;
    int64_t subtype;
    int64_t offset; /* valid once has_offset (after part_csv_parse, always) */
    int64_t size;
    bool has_offset;
    bool encrypted;
    int line_no; /* 1-based CSV line; 0 for rows read from a binary */
} part_row_t;

typedef struct {
    part_row_t *rows;
    size_t count;
    size_t cap;
} part_table_t;

typedef struct {
    int64_t table_offset; /* --offset: the first partition may start at table_offset + 0x1000 */
    bool secure;          /* --secure: sizes must be aligned too */
    bool md5sum;          /* not --disable-md5sum */
} part_opts_t;

/* A failure: the exit status and the message the SDK tool prints for it. */
typedef struct {
    int status; /* 0, PART_EXIT_INPUT or PART_EXIT_FAIL */
    char *msg;  /* malloc'd; NULL when status is 0 */
} part_err_t;

/* Records a failure in e (first one wins) and returns its status. */
int part_err_set(part_err_t *e, int status, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
void part_err_free(part_err_t *e);

/* Appends a copy of *r, taking ownership of r->name. Returns false when out of memory. */
bool part_table_push(part_table_t *t, part_row_t *r);
void part_table_free(part_table_t *t);

/* Keyword tables of the script, in its dict order (which its messages show). */
typedef struct {
    const char *name;
    int value;
} part_keyword_t;

const part_keyword_t *part_type_keywords(size_t *count);
/* Subtype keywords valid for a type (app or data); count 0 for other types. */
const part_keyword_t *part_subtype_keywords(int64_t type, size_t *count);

/*
 * PartitionTable.from_csv: comments and blank lines skipped, $VAR expanded,
 * fields parsed, empty offsets assigned and negative sizes resolved.
 * Returns 0, or e's status with the script's message.
 */
int part_csv_parse(const char *text, size_t len, const part_opts_t *o, part_table_t *t,
                   part_err_t *e);

/*
 * PartitionTable.verify: alignment, duplicate names, overlaps. Name/keyword
 * warnings go to warn; the list of duplicated rows goes to list (the script
 * prints it on stdout). Returns 0 or e's status.
 */
int part_table_verify(const part_table_t *t, const part_opts_t *o, FILE *warn, FILE *list,
                      part_err_t *e);

/* PartitionTable.flash_size: end of the partition with the highest offset (0 if none). */
int64_t part_table_flash_end(const part_table_t *t);

/* PartitionDefinition.to_csv, without a newline: "nvs,data,nvs,0x9000,16K,". */
void part_row_write_csv(const part_row_t *r, FILE *out);

/* PartitionTable.to_csv: the two header comments, then one line per row. */
void part_table_write_csv(const part_table_t *t, FILE *out);
