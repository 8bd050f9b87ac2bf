/* CSV -> rows (PartitionTable.from_csv of gen_esp32part.py v1.2) and rows -> CSV. */
#include "part_csv.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "part_text.h"

/* ---- keywords, in the script's dict order ---- */

static const part_keyword_t s_types[] = {{"app", 0x00}, {"data", 0x01}};

static const part_keyword_t s_app_subtypes[] = {
    {"factory", 0x00}, {"test", 0x20},   {"ota_0", 0x10},  {"ota_1", 0x11},  {"ota_2", 0x12},
    {"ota_3", 0x13},   {"ota_4", 0x14},  {"ota_5", 0x15},  {"ota_6", 0x16},  {"ota_7", 0x17},
    {"ota_8", 0x18},   {"ota_9", 0x19},  {"ota_10", 0x1A}, {"ota_11", 0x1B}, {"ota_12", 0x1C},
    {"ota_13", 0x1D},  {"ota_14", 0x1E}, {"ota_15", 0x1F},
};

static const part_keyword_t s_data_subtypes[] = {
    {"ota", 0x00},   {"phy", 0x01},      {"nvs", 0x02}, {"coredump", 0x03}, {"nvs_keys", 0x04},
    {"efuse", 0x05}, {"esphttpd", 0x80}, {"fat", 0x81}, {"spiffs", 0x82},
};

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

const part_keyword_t *part_type_keywords(size_t *count)
{
    *count = COUNT(s_types);
    return s_types;
}

const part_keyword_t *part_subtype_keywords(int64_t type, size_t *count)
{
    if (type == 0x00) {
        *count = COUNT(s_app_subtypes);
        return s_app_subtypes;
    }
    if (type == 0x01) {
        *count = COUNT(s_data_subtypes);
        return s_data_subtypes;
    }
    *count = 0;
    return NULL;
}

/* ---- errors and the row list ---- */

int part_err_set(part_err_t *e, int status, const char *fmt, ...)
{
    if (e->status != 0) {
        return e->status;
    }
    va_list ap;
    va_start(ap, fmt);
    if (vasprintf(&e->msg, fmt, ap) < 0) {
        e->msg = NULL;
    }
    va_end(ap);
    e->status = status;
    return status;
}

void part_err_free(part_err_t *e)
{
    free(e->msg);
    e->msg = NULL;
    e->status = 0;
}

bool part_table_push(part_table_t *t, part_row_t *r)
{
    if (t->count == t->cap) {
        size_t cap = t->cap ? t->cap * 2 : 16;
        part_row_t *rows = realloc(t->rows, cap * sizeof *rows);
        if (!rows) {
            return false;
        }
        t->rows = rows;
        t->cap = cap;
    }
    t->rows[t->count++] = *r;
    r->name = NULL;
    return true;
}

void part_table_free(part_table_t *t)
{
    for (size_t i = 0; i < t->count; i++) {
        free(t->rows[i].name);
    }
    free(t->rows);
    t->rows = NULL;
    t->count = t->cap = 0;
}

/* ---- field parsing ---- */

/* Trailing k/K/m/M suffix: its length in bytes (KELVIN SIGN lowers to 'k' in
 * Python, so it counts too) and its multiplier; 0 when there is none. */
static size_t suffix_len(const char *v, size_t n, int64_t *mult)
{
    if (n >= 1 && (v[n - 1] == 'k' || v[n - 1] == 'K')) {
        *mult = 1024;
        return 1;
    }
    if (n >= 3 && !memcmp(v + n - 3, "\xE2\x84\xAA", 3)) {
        *mult = 1024;
        return 3;
    }
    if (n >= 1 && (v[n - 1] == 'm' || v[n - 1] == 'M')) {
        *mult = 1024 * 1024;
        return 1;
    }
    return 0;
}

/* keywords[v.lower()]: only ASCII (and KELVIN SIGN) can lower to a keyword. */
static bool keyword_lookup(const char *v, size_t n, const part_keyword_t *kw, size_t nkw,
                           int64_t *out)
{
    char low[32];
    size_t m = 0;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)v[i];
        if (m + 1 >= sizeof low) {
            return false;
        }
        if (c == 0xE2 && n - i >= 3 && !memcmp(v + i, "\xE2\x84\xAA", 3)) {
            low[m++] = 'k';
            i += 2;
        } else if (c < 0x80) {
            low[m++] = (char)((c >= 'A' && c <= 'Z') ? c + ('a' - 'A') : c);
        } else {
            return false;
        }
    }
    low[m] = '\0';
    for (size_t i = 0; i < nkw; i++) {
        if (!strcmp(low, kw[i].name)) {
            *out = kw[i].value;
            return true;
        }
    }
    return false;
}

/* parse_int(v, keywords) of the script; its recursion on suffixes is a loop here. */
static int parse_int(const char *v, size_t n, const part_keyword_t *kw, size_t nkw, int64_t *out,
                     part_err_t *e)
{
    size_t base_n = n, s;
    int64_t mult = 1, m;
    while ((s = suffix_len(v, base_n, &m)) > 0) {
        base_n -= s;
        mult = mult < PART_INT_LIMIT / m ? mult * m : PART_INT_LIMIT;
    }
    int64_t value;
    part_int_result_t parsed = part_py_int(v, base_n, &value);
    if (parsed == PART_INT_INVALID && !keyword_lookup(v, base_n, kw, nkw, &value)) {
        if (nkw == 0) {
            return part_err_set(e, PART_EXIT_INPUT, "Invalid field value %.*s", (int)base_n, v);
        }
        char *known = NULL;
        size_t known_len = 0;
        FILE *f = open_memstream(&known, &known_len);
        for (size_t i = 0; f && i < nkw; i++) {
            fprintf(f, "%s%s", i ? ", " : "", kw[i].name);
        }
        if (f) {
            fclose(f);
        }
        part_err_set(e, PART_EXIT_INPUT, "Value '%.*s' is not valid. Known keywords: %s",
                     (int)base_n, v, known ? known : "");
        free(known);
        return e->status;
    }
    /* Python's ints never overflow, so the script takes such a value and dies
     * packing it into 32 bits; we stop here, with the same exit status. */
    if (parsed == PART_INT_TOO_LARGE || mult >= PART_INT_LIMIT ||
        (value != 0 && llabs(value) >= PART_INT_LIMIT / mult)) {
        return part_err_set(e, PART_EXIT_FAIL, "Value %.*s is out of range", (int)n, v);
    }
    *out = value * mult;
    return 0;
}

typedef struct {
    const char *b;
    const char *e;
} slice_t;

/* fields = [f.strip() for f in (line + ",,,,").split(",")], the first six. */
static void split_fields(const char *line, size_t n, slice_t f[6])
{
    size_t pos = 0;
    bool more = true; /* false once the last comma has been passed */
    for (int k = 0; k < 6; k++) {
        if (!more) {
            f[k].b = f[k].e = line + n;
            continue;
        }
        const char *c = memchr(line + pos, ',', n - pos);
        f[k].b = line + pos;
        f[k].e = c ? c : line + n;
        more = c != NULL;
        pos = c ? (size_t)(c - line) + 1 : n;
        part_strip(&f[k].b, &f[k].e);
    }
}

#define SLICE_LEN(s) ((size_t)((s).e - (s).b))

/* PartitionDefinition.from_csv; errors without the "Error at line" prefix. */
static int parse_row(const char *line, size_t n, part_row_t *r, part_err_t *e)
{
    slice_t f[6];
    size_t nkw;
    const part_keyword_t *kw;
    split_fields(line, n, f);

    r->name = strndup(f[0].b, SLICE_LEN(f[0]));
    if (!r->name) {
        return part_err_set(e, PART_EXIT_FAIL, "out of memory");
    }
    if (SLICE_LEN(f[1]) == 0) {
        return part_err_set(e, PART_EXIT_INPUT, "Field 'type' can't be left empty.");
    }
    kw = part_type_keywords(&nkw);
    if (parse_int(f[1].b, SLICE_LEN(f[1]), kw, nkw, &r->type, e)) {
        return e->status;
    }
    r->subtype = 0;
    kw = part_subtype_keywords(r->type, &nkw);
    if (SLICE_LEN(f[2]) > 0 && parse_int(f[2].b, SLICE_LEN(f[2]), kw, nkw, &r->subtype, e)) {
        return e->status;
    }
    r->has_offset = SLICE_LEN(f[3]) > 0;
    if (r->has_offset && parse_int(f[3].b, SLICE_LEN(f[3]), NULL, 0, &r->offset, e)) {
        return e->status;
    }
    if (SLICE_LEN(f[4]) == 0) {
        return part_err_set(e, PART_EXIT_INPUT, "Size field can't be empty");
    }
    if (parse_int(f[4].b, SLICE_LEN(f[4]), NULL, 0, &r->size, e)) {
        return e->status;
    }
    /* flags are split on ':' but not stripped one by one: "encrypted " is unknown */
    const char *p = f[5].b;
    for (bool more = true; more;) {
        const char *c = memchr(p, ':', (size_t)(f[5].e - p));
        const char *fe = c ? c : f[5].e;
        size_t fl = (size_t)(fe - p);
        if (fl == 9 && !memcmp(p, "encrypted", 9)) {
            r->encrypted = true;
        } else if (fl > 0) {
            return part_err_set(e, PART_EXIT_INPUT, "CSV flag column contains unknown flag '%.*s'",
                                (int)fl, p);
        }
        more = c != NULL;
        p = c ? c + 1 : fe;
    }
    return 0;
}

/* ---- lines ---- */

/* os.path.expandvars: $name and ${name}; unknown variables stay as written. */
static char *expand_vars(const char *s, size_t n)
{
    char *out = NULL;
    size_t out_len = 0;
    FILE *f = open_memstream(&out, &out_len);
    if (!f) {
        return NULL;
    }
    size_t i = 0;
    while (i < n) {
        size_t name_b = 0, name_e = 0, j = 0;
        if (s[i] == '$' && i + 1 < n) {
            if (s[i + 1] == '{') {
                const char *close = memchr(s + i + 2, '}', n - i - 2);
                if (close) {
                    name_b = i + 2;
                    name_e = (size_t)(close - s);
                    j = name_e + 1;
                }
            } else {
                for (name_e = name_b = i + 1; name_e < n; name_e++) {
                    char c = s[name_e];
                    if (!(c == '_' || (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') ||
                          (c >= 'A' && c <= 'Z'))) {
                        break;
                    }
                }
                j = name_e > name_b ? name_e : 0;
            }
        }
        if (j == 0) {
            fputc(s[i++], f);
            continue;
        }
        char *name = strndup(s + name_b, name_e - name_b);
        /* os.environ keys never hold '=' (getenv would match a prefix of "A=B=C") */
        const char *value = (name && *name && !strchr(name, '=')) ? getenv(name) : NULL;
        free(name);
        if (value) {
            fputs(value, f);
        } else {
            fwrite(s + i, 1, j - i, f);
        }
        i = j;
    }
    if (fclose(f) != 0) {
        free(out);
        return NULL;
    }
    return out;
}

/* The script's check after expansion: re.match(r'(?<!\\)\$([A-Za-z_][A-Za-z0-9_]*)'), anchored. */
static size_t unknown_var_len(const char *s)
{
    size_t k = 1;
    if (s[0] != '$' ||
        !(s[1] == '_' || (s[1] >= 'a' && s[1] <= 'z') || (s[1] >= 'A' && s[1] <= 'Z'))) {
        return 0;
    }
    while (s[k] == '_' || (s[k] >= '0' && s[k] <= '9') || (s[k] >= 'a' && s[k] <= 'z') ||
           (s[k] >= 'A' && s[k] <= 'Z')) {
        k++;
    }
    return k - 1;
}

/* One line of the file: skipped, or parsed and appended. */
static int parse_line(const char *raw, size_t n, int line_no, part_table_t *t, part_err_t *e)
{
    char *line = expand_vars(raw, n);
    if (!line) {
        return part_err_set(e, PART_EXIT_FAIL, "out of memory");
    }
    size_t unknown = unknown_var_len(line);
    if (unknown) {
        part_err_set(e, PART_EXIT_INPUT, "unknown variable '%.*s'", (int)unknown, line + 1);
        free(line);
        return e->status;
    }
    const char *b = line, *end = line + strlen(line);
    part_strip(&b, &end);
    if (b == end || *b == '#') {
        free(line);
        return 0;
    }
    part_row_t row = {0};
    part_err_t inner = {0};
    row.line_no = line_no;
    if (parse_row(b, (size_t)(end - b), &row, &inner)) {
        part_err_set(e, inner.status, "Error at line %d: %s", line_no, inner.msg ? inner.msg : "");
        part_err_free(&inner);
    } else if (!part_table_push(t, &row)) {
        part_err_set(e, PART_EXIT_FAIL, "out of memory");
    }
    free(row.name);
    free(line);
    return e->status;
}

static bool rows_equal(const part_row_t *a, const part_row_t *b)
{
    return !strcmp(a->name, b->name) && a->type == b->type && a->subtype == b->subtype &&
           a->offset == b->offset && a->size == b->size;
}

/* Both operands below PART_INT_LIMIT (2^62), so their sum cannot overflow. */
static bool in_int_limit(int64_t v)
{
    return v > -PART_INT_LIMIT && v < PART_INT_LIMIT;
}

/* The script's second pass: empty offsets follow the previous end, "-X" sizes end at X. */
static int assign_offsets(part_table_t *t, const part_opts_t *o, part_err_t *e)
{
    int64_t last_end = o->table_offset + PART_TABLE_SECTOR;
    char h1[20], h2[20];
    for (size_t i = 0; i < t->count; i++) {
        part_row_t *r = &t->rows[i];
        if (r->has_offset && r->offset < last_end) {
            /* the script tests "e == res[0]" by value, so a copy of row 1 counts as first */
            if (rows_equal(r, &t->rows[0])) {
                return part_err_set(e, PART_EXIT_INPUT,
                                    "CSV Error: First partition offset 0x%s overlaps end of "
                                    "partition table 0x%s",
                                    part_hex(r->offset, h1), part_hex(last_end, h2));
            }
            return part_err_set(e, PART_EXIT_INPUT,
                                "CSV Error: Partitions overlap. Partition at line %d sets offset "
                                "0x%s. Previous partition ends 0x%s",
                                r->line_no, part_hex(r->offset, h1), part_hex(last_end, h2));
        }
        if (!r->has_offset) {
            int64_t pad_to = r->type == 0x00 ? 0x1000 : 4;
            int64_t rem = part_floor_mod(last_end, pad_to);
            if (rem != 0) {
                last_end += pad_to - rem;
            }
            r->offset = last_end;
            r->has_offset = true;
        }
        if (r->size < 0) {
            r->size = -r->size - r->offset;
        }
        /* Python's ints would carry on and the script die packing them; int64_t
         * must stop before offset + size (and the next row's padding) can wrap. */
        if (!in_int_limit(r->offset) || !in_int_limit(r->size) ||
            !in_int_limit(r->offset + r->size)) {
            return part_err_set(e, PART_EXIT_FAIL,
                                "Partition at line %d: offset 0x%s + size 0x%s is out of range",
                                r->line_no, part_hex(r->offset, h1), part_hex(r->size, h2));
        }
        last_end = r->offset + r->size;
    }
    return 0;
}

int part_csv_parse(const char *text, size_t len, const part_opts_t *o, part_table_t *t,
                   part_err_t *e)
{
    /* The script decodes the whole file first and dies on bad UTF-8; a NUL
     * would be kept in a Python string but cannot live in ours. */
    if (memchr(text, '\0', len)) {
        return part_err_set(e, PART_EXIT_FAIL, "CSV input contains a NUL byte");
    }
    if (!part_utf8_valid(text, len)) {
        return part_err_set(e, PART_EXIT_FAIL, "CSV input is not valid UTF-8");
    }
    size_t pos = 0;
    int line_no = 0;
    while (pos < len) { /* str.splitlines(): no empty line after a final break */
        size_t end = pos, brk = 0;
        while (end < len && (brk = part_line_break_len(text + end, len - end)) == 0) {
            end++;
        }
        if (parse_line(text + pos, end - pos, ++line_no, t, e)) {
            return e->status;
        }
        pos = end + brk;
    }
    return assign_offsets(t, o, e);
}

/* ---- rows -> CSV ---- */

static void write_keyword(FILE *out, int64_t v, const part_keyword_t *kw, size_t nkw)
{
    for (size_t i = 0; i < nkw; i++) {
        if (kw[i].value == v) {
            fputs(kw[i].name, out);
            return;
        }
    }
    fprintf(out, "%lld", (long long)v);
}

void part_row_write_csv(const part_row_t *r, FILE *out)
{
    size_t nkw;
    const part_keyword_t *kw;
    char h[20];
    fprintf(out, "%s,", r->name);
    kw = part_type_keywords(&nkw);
    write_keyword(out, r->type, kw, nkw);
    fputc(',', out);
    kw = part_subtype_keywords(r->type, &nkw);
    write_keyword(out, r->subtype, kw, nkw);
    fprintf(out, ",0x%s,", part_hex(r->offset, h));
    /* sizes get the largest exact suffix, as the script's addr_format does (0 -> "0M") */
    if (part_floor_mod(r->size, 0x100000) == 0) {
        fprintf(out, "%lldM", (long long)part_floor_div(r->size, 0x100000));
    } else if (part_floor_mod(r->size, 0x400) == 0) {
        fprintf(out, "%lldK", (long long)part_floor_div(r->size, 0x400));
    } else {
        fprintf(out, "0x%s", part_hex(r->size, h));
    }
    fprintf(out, ",%s", r->encrypted ? "encrypted" : "");
}

void part_table_write_csv(const part_table_t *t, FILE *out)
{
    fputs("# Espressif ESP32 Partition Table\n# Name, Type, SubType, Offset, Size, Flags\n", out);
    for (size_t i = 0; i < t->count; i++) {
        part_row_write_csv(&t->rows[i], out);
        fputc('\n', out);
    }
}
