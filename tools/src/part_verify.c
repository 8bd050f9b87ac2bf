/* PartitionTable.verify and flash_size of gen_esp32part.py v1.2, with its messages. */
#include <stdlib.h>
#include <string.h>

#include "part_csv.h"
#include "part_text.h"

/* The script aligns app offsets to 4 KB on ESP8266 (ESP-IDF: 64 KB), everything else to 4. */
static int64_t row_alignment(const part_row_t *r)
{
    return r->type == 0x00 ? 0x1000 : 4;
}

static const part_keyword_t *find_keyword(const part_keyword_t *kw, size_t n, const char *name)
{
    for (size_t i = 0; i < n; i++) {
        if (!strcmp(kw[i].name, name)) {
            return &kw[i];
        }
    }
    return NULL;
}

/* A name that is a type or subtype keyword of another kind is only a warning. */
static void warn_keyword_name(const part_row_t *r, FILE *warn)
{
    size_t n, napp, ndata, nown;
    char h1[20], h2[20];
    const part_keyword_t *types = part_type_keywords(&n);
    const part_keyword_t *kw = find_keyword(types, n, r->name);
    if (kw && kw->value != r->type) {
        fprintf(warn,
                "WARNING: Partition has name '%s' which is a partition type, but does not match "
                "this partition's type (0x%s). Mistake in partition table?\n",
                r->name, part_hex(r->type, h1));
    }
    const part_keyword_t *app = part_subtype_keywords(0x00, &napp);
    const part_keyword_t *data = part_subtype_keywords(0x01, &ndata);
    if (!find_keyword(app, napp, r->name) && !find_keyword(data, ndata, r->name)) {
        return;
    }
    const part_keyword_t *own = part_subtype_keywords(r->type, &nown);
    kw = find_keyword(own, nown, r->name);
    if (!kw || kw->value != r->subtype) {
        fprintf(warn,
                "WARNING: Partition has name '%s' which is a partition subtype, but this "
                "partition has non-matching type 0x%s and subtype 0x%s. Mistake in partition "
                "table?\n",
                r->name, part_hex(r->type, h1), part_hex(r->subtype, h2));
    }
}

/* PartitionDefinition.verify (type, subtype and offset are always set by then). */
static int verify_row(const part_row_t *r, const part_opts_t *o, FILE *warn, part_err_t *e)
{
    int64_t align = row_alignment(r);
    char h[20];
    if (part_floor_mod(r->offset, align) != 0) {
        return part_err_set(e, PART_EXIT_INPUT,
                            "Partition %s invalid: Offset 0x%s is not aligned to 0x%llx", r->name,
                            part_hex(r->offset, h), (long long)align);
    }
    if (o->secure && part_floor_mod(r->size, align) != 0) {
        return part_err_set(e, PART_EXIT_INPUT,
                            "Partition %s invalid: Size 0x%s is not aligned to 0x%llx", r->name,
                            part_hex(r->size, h), (long long)align);
    }
    warn_keyword_name(r, warn);
    return 0;
}

/* Python's sorted() is stable: ties keep table order, i.e. address order here. */
static int by_name(const void *a, const void *b)
{
    const part_row_t *ra = *(const part_row_t *const *)a, *rb = *(const part_row_t *const *)b;
    int c = strcmp(ra->name, rb->name);
    return c ? c : (ra > rb) - (ra < rb);
}

static int by_offset(const void *a, const void *b)
{
    const part_row_t *ra = *(const part_row_t *const *)a, *rb = *(const part_row_t *const *)b;
    if (ra->offset != rb->offset) {
        return ra->offset < rb->offset ? -1 : 1;
    }
    return (ra > rb) - (ra < rb);
}

static const part_row_t **sorted_rows(const part_table_t *t, int (*cmp)(const void *, const void *))
{
    const part_row_t **v = malloc((t->count ? t->count : 1) * sizeof *v);
    if (v) {
        for (size_t i = 0; i < t->count; i++) {
            v[i] = &t->rows[i];
        }
        qsort(v, t->count, sizeof *v, cmp);
    }
    return v;
}

/* Prints every row whose name is shared, in name order, as the script does. */
static int check_duplicates(const part_table_t *t, FILE *list, part_err_t *e)
{
    const part_row_t **v = sorted_rows(t, by_name);
    if (!v) {
        return part_err_set(e, PART_EXIT_FAIL, "out of memory");
    }
    bool any = false;
    for (size_t i = 0; i < t->count;) {
        size_t j = i + 1;
        while (j < t->count && !strcmp(v[j]->name, v[i]->name)) {
            j++;
        }
        if (j - i > 1) {
            if (!any) {
                fputs("A list of partitions that have the same name:\n", list);
                any = true;
            }
            for (size_t k = i; k < j; k++) {
                part_row_write_csv(v[k], list);
                fputc('\n', list);
            }
        }
        i = j;
    }
    free(v);
    return any ? part_err_set(e, PART_EXIT_INPUT, "Partition names must be unique") : 0;
}

static int check_overlaps(const part_table_t *t, const part_opts_t *o, part_err_t *e)
{
    const part_row_t **v = sorted_rows(t, by_offset);
    if (!v) {
        return part_err_set(e, PART_EXIT_FAIL, "out of memory");
    }
    int64_t first = o->table_offset + PART_TABLE_SECTOR;
    char h1[20], h2[20], h3[20];
    const part_row_t *last = NULL;
    for (size_t i = 0; i < t->count && !e->status; i++) {
        const part_row_t *p = v[i];
        if (p->offset < first) {
            part_err_set(e, PART_EXIT_INPUT, "Partition offset 0x%s is below 0x%s",
                         part_hex(p->offset, h1), part_hex(first, h2));
        } else if (last && p->offset < last->offset + last->size) {
            part_err_set(e, PART_EXIT_INPUT, "Partition at 0x%s overlaps 0x%s-0x%s",
                         part_hex(p->offset, h1), part_hex(last->offset, h2),
                         part_hex(last->offset + last->size - 1, h3));
        }
        last = p;
    }
    free(v);
    return e->status;
}

int part_table_verify(const part_table_t *t, const part_opts_t *o, FILE *warn, FILE *list,
                      part_err_t *e)
{
    for (size_t i = 0; i < t->count; i++) {
        if (verify_row(&t->rows[i], o, warn, e)) {
            return e->status;
        }
    }
    if (check_duplicates(t, list, e)) {
        return e->status;
    }
    return check_overlaps(t, o, e);
}

int64_t part_table_flash_end(const part_table_t *t)
{
    /* sorted(reverse=True)[0] keeps table order among equal offsets: the first highest */
    const part_row_t *last = NULL;
    for (size_t i = 0; i < t->count; i++) {
        if (!last || t->rows[i].offset > last->offset) {
            last = &t->rows[i];
        }
    }
    return last ? last->offset + last->size : 0;
}
