#include "part_text.h"

#include <stdio.h>

/* Length of the well-formed UTF-8 sequence at s (RFC 3629 table), 0 if none. */
static size_t utf8_seq_len(const unsigned char *s, size_t len)
{
    unsigned c = s[0];
    size_t n;
    unsigned lo = 0x80, hi = 0xBF; /* allowed range of the second byte */
    if (c < 0x80) {
        return 1;
    } else if (c >= 0xC2 && c <= 0xDF) {
        n = 2;
    } else if (c >= 0xE0 && c <= 0xEF) {
        n = 3;
        lo = c == 0xE0 ? 0xA0 : 0x80;
        hi = c == 0xED ? 0x9F : 0xBF;
    } else if (c >= 0xF0 && c <= 0xF4) {
        n = 4;
        lo = c == 0xF0 ? 0x90 : 0x80;
        hi = c == 0xF4 ? 0x8F : 0xBF;
    } else {
        return 0;
    }
    if (len < n || s[1] < lo || s[1] > hi) {
        return 0;
    }
    for (size_t i = 2; i < n; i++) {
        if (s[i] < 0x80 || s[i] > 0xBF) {
            return 0;
        }
    }
    return n;
}

bool part_utf8_valid(const char *s, size_t len)
{
    const unsigned char *p = (const unsigned char *)s;
    while (len > 0) {
        size_t n = utf8_seq_len(p, len);
        if (n == 0) {
            return false;
        }
        p += n;
        len -= n;
    }
    return true;
}

/* Code point at s of already validated UTF-8; *n receives its length. */
static uint32_t utf8_decode(const char *s, size_t len, size_t *n)
{
    const unsigned char *p = (const unsigned char *)s;
    *n = utf8_seq_len(p, len);
    switch (*n) {
    case 1:
        return p[0];
    case 2:
        return ((p[0] & 0x1Fu) << 6) | (p[1] & 0x3Fu);
    case 3:
        return ((p[0] & 0x0Fu) << 12) | ((p[1] & 0x3Fu) << 6) | (p[2] & 0x3Fu);
    case 4:
        return ((p[0] & 0x07u) << 18) | ((p[1] & 0x3Fu) << 12) | ((p[2] & 0x3Fu) << 6) |
               (p[3] & 0x3Fu);
    default:
        *n = 1; /* invalid input never reaches here; step one byte to stay safe */
        return 0xFFFD;
    }
}

size_t part_line_break_len(const char *s, size_t len)
{
    size_t n;
    uint32_t c = utf8_decode(s, len, &n);
    if (c == '\r' && len > 1 && s[1] == '\n') {
        return 2;
    }
    if ((c >= 0x0A && c <= 0x0D) || (c >= 0x1C && c <= 0x1E) || c == 0x85 || c == 0x2028 ||
        c == 0x2029) {
        return n;
    }
    return 0;
}

size_t part_space_len(const char *s, size_t len)
{
    size_t n;
    uint32_t c = utf8_decode(s, len, &n);
    bool space = (c >= 0x09 && c <= 0x0D) || (c >= 0x1C && c <= 0x20) || c == 0x85 || c == 0xA0 ||
                 c == 0x1680 || (c >= 0x2000 && c <= 0x200A) || c == 0x2028 || c == 0x2029 ||
                 c == 0x202F || c == 0x205F || c == 0x3000;
    return space ? n : 0;
}

void part_strip(const char **b, const char **e)
{
    const char *p = *b;
    size_t n;
    while (p < *e && (n = part_space_len(p, (size_t)(*e - p))) > 0) {
        p += n;
    }
    *b = p;
    /* UTF-8 cannot be walked backwards cheaply: remember the end of the last non-space. */
    const char *last = p;
    while (p < *e) {
        n = part_space_len(p, (size_t)(*e - p));
        if (n == 0) {
            size_t cn;
            (void)utf8_decode(p, (size_t)(*e - p), &cn);
            p += cn;
            last = p;
        } else {
            p += n;
        }
    }
    *e = last;
}

static int digit_value(char c)
{
    if (c >= '0' && c <= '9') {
        return c - '0';
    }
    if (c >= 'a' && c <= 'z') {
        return c - 'a' + 10;
    }
    if (c >= 'A' && c <= 'Z') {
        return c - 'A' + 10;
    }
    return 99;
}

part_int_result_t part_py_int(const char *s, size_t len, int64_t *out)
{
    const char *b = s, *e = s + len;
    part_strip(&b, &e);
    bool neg = false;
    if (b < e && (*b == '+' || *b == '-')) {
        neg = *b == '-';
        b++;
    }
    int base = 10;
    bool prefixed = false;
    if (e - b >= 2 && b[0] == '0') {
        char p = b[1];
        base = (p == 'x' || p == 'X')   ? 16
               : (p == 'o' || p == 'O') ? 8
               : (p == 'b' || p == 'B') ? 2
                                        : 10;
        prefixed = base != 10;
    }
    if (prefixed) {
        b += 2;
        if (b < e && *b == '_') { /* Python allows one '_' right after the prefix */
            b++;
        }
    }
    bool leading_zero = !prefixed && b < e && *b == '0';
    bool need_digit = true, too_large = false;
    int64_t v = 0;
    for (; b < e; b++) {
        if (*b == '_') {
            if (need_digit) {
                return PART_INT_INVALID;
            }
            need_digit = true;
            continue;
        }
        int d = digit_value(*b);
        if (d >= base) {
            return PART_INT_INVALID;
        }
        if (v > (PART_INT_LIMIT - d) / base) {
            too_large = true; /* keep scanning: the syntax still decides validity */
        } else {
            v = v * base + d;
        }
        need_digit = false;
    }
    /* "012" is a ValueError in Python 3 (octal needs 0o), "000" is fine */
    if (need_digit || (leading_zero && v != 0)) {
        return PART_INT_INVALID;
    }
    *out = neg ? -v : v;
    return too_large ? PART_INT_TOO_LARGE : PART_INT_OK;
}

const char *part_hex(int64_t v, char *buf)
{
    if (v < 0) {
        snprintf(buf, 20, "-%llx", (unsigned long long)-v);
    } else {
        snprintf(buf, 20, "%llx", (unsigned long long)v);
    }
    return buf;
}

int64_t part_floor_div(int64_t a, int64_t m)
{
    int64_t q = a / m;
    if ((a % m != 0) && ((a < 0) != (m < 0))) {
        q--;
    }
    return q;
}

int64_t part_floor_mod(int64_t a, int64_t m)
{
    return a - part_floor_div(a, m) * m;
}
