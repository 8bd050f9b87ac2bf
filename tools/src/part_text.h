#pragma once
/*
 * The CPython text rules that gen_esp32part.py v1.2 inherits without saying
 * so: str.splitlines() breaks, str.strip() whitespace, int(s, 0), "%x" of a
 * negative number, floor division and modulo. Our partition_table command
 * must agree with the script byte for byte, so these are spelled out here.
 * Input is UTF-8 already checked by part_utf8_valid().
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Largest magnitude we keep exact; Python ints are unbounded, ours stop here
 * (the binary format holds 32 bits, so anything near this is rejected anyway). */
#define PART_INT_LIMIT (INT64_C(1) << 62)

/* Strict UTF-8 as Python's bytes.decode() accepts it (no surrogates, no overlongs). */
bool part_utf8_valid(const char *s, size_t len);

/* Bytes taken by the line break starting at s (\r\n counts as one), 0 if none. */
size_t part_line_break_len(const char *s, size_t len);

/* Bytes taken by the str.isspace() character starting at s, 0 if none. */
size_t part_space_len(const char *s, size_t len);

/* str.strip(): moves *b and *e inwards past whitespace. */
void part_strip(const char **b, const char **e);

typedef enum {
    PART_INT_OK,
    PART_INT_INVALID,   /* Python raises ValueError */
    PART_INT_TOO_LARGE, /* valid for Python, beyond PART_INT_LIMIT for us */
} part_int_result_t;

/* int(s, 0) over ASCII digits: sign, 0x/0o/0b prefixes, single underscores
 * between digits, surrounding whitespace. */
part_int_result_t part_py_int(const char *s, size_t len, int64_t *out);

/* Python's "%x" % v ("-10" for -16); buf needs 20 bytes. */
const char *part_hex(int64_t v, char *buf);

/* Python's // and % (result has the sign of m). */
int64_t part_floor_div(int64_t a, int64_t m);
int64_t part_floor_mod(int64_t a, int64_t m);
