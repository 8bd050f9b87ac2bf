/*
 * ota8266 partition_table: the SDK's gen_esp32part.py v1.2 (reference §1.3)
 * in C. CSV -> 0xC00-byte binary, or binary -> CSV when the input starts with
 * AA 50. Messages, exit statuses (2 for the script's InputError) and output
 * bytes match the script; the options are parsed the way its argparse does
 * (options anywhere, unique prefixes of long names, -qv clusters, --opt=value).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cli.h"
#include "commands.h"
#include "part_bin.h"
#include "part_csv.h"
#include "part_text.h"

typedef struct {
    const char *flash_size; /* NULL: no flash size check */
    const char *offset;
    bool disable_md5sum;
    bool no_verify;
    bool quiet;
    bool secure;
    bool help;
    const char *input;
    const char *output;
} pt_args_t;

typedef enum { ARG_NONE, ARG_OPTIONAL, ARG_REQUIRED } arg_kind_t;

typedef struct {
    const char *name; /* long form */
    char short_name;  /* 0 when none */
    arg_kind_t arg;
    const char **value; /* where the argument goes (ARG_OPTIONAL/REQUIRED) */
    bool *flag;         /* what the option sets (ARG_NONE) */
} pt_option_t;

static const char *const s_flash_sizes[] = {"1MB", "2MB", "4MB", "8MB", "16MB"};

static void print_help(FILE *out)
{
    fputs("usage: ota8266 partition_table [-h] [--flash-size [{1MB,2MB,4MB,8MB,16MB}]]\n"
          "                               [--disable-md5sum] [--no-verify] [--verify] [--quiet]\n"
          "                               [--offset OFFSET] [--secure] input [output]\n\n"
          "ESP32 partition table utility (gen_esp32part.py 1.2): CSV -> binary, or binary -> CSV\n"
          "when input starts with AA 50. output '-' or absent: stdout.\n\n"
          "  --flash-size SIZE  check that the partitions fit in SIZE\n"
          "  --disable-md5sum   no MD5 row (what the SDK build uses)\n"
          "  --no-verify        skip the table checks\n"
          "  --verify, -v       accepted, does nothing (checks are on by default)\n"
          "  --quiet, -q        no status messages\n"
          "  --offset, -o OFF   table offset, default 0x8000\n"
          "  --secure           require sizes aligned too\n",
          out);
}

/* argparse's test for "looks like a negative number": such words are positionals here. */
static bool is_negative_number(const char *a)
{
    if (a[0] != '-' || a[1] == '\0') {
        return false;
    }
    const char *p = a + 1;
    while (*p >= '0' && *p <= '9') {
        p++;
    }
    if (*p == '.') {
        p++;
        if (!(*p >= '0' && *p <= '9')) {
            return false;
        }
        while (*p >= '0' && *p <= '9') {
            p++;
        }
    }
    return *p == '\0' && p > a + 1;
}

static bool takes_word(const char *a)
{
    return a && (a[0] != '-' || !strcmp(a, "-") || is_negative_number(a));
}

/* One option with its optional inline value; *i advances past a consumed word. */
static int apply_option(const pt_option_t *opt, const char *inline_value, int argc, char **argv,
                        int *i)
{
    if (opt->arg == ARG_NONE) {
        if (inline_value) {
            return cli_usage_error(argv[0], "argument %s: ignored explicit argument '%s'",
                                   opt->name, inline_value);
        }
        *opt->flag = true;
        return 0;
    }
    const char *next = *i + 1 < argc ? argv[*i + 1] : NULL;
    if (inline_value) {
        *opt->value = inline_value;
    } else if (takes_word(next)) {
        *opt->value = next;
        (*i)++;
    } else if (opt->arg == ARG_REQUIRED) {
        return cli_usage_error(argv[0], "argument %s: expected one argument", opt->name);
    } else {
        *opt->value = NULL; /* nargs='?' without a value: argparse stores None */
    }
    return 0;
}

static int parse_long(const pt_option_t *opts, size_t n, int argc, char **argv, int *i)
{
    const char *a = argv[*i];
    const char *eq = strchr(a, '=');
    size_t len = eq ? (size_t)(eq - a) : strlen(a);
    const pt_option_t *match = NULL;
    int matches = 0;
    for (size_t k = 0; k < n; k++) {
        if (!strncmp(opts[k].name, a, len)) {
            if (strlen(opts[k].name) == len) { /* exact beats any prefix */
                match = &opts[k];
                matches = 1;
                break;
            }
            match = &opts[k];
            matches++;
        }
    }
    if (matches != 1) {
        return cli_usage_error(argv[0],
                               matches ? "ambiguous option: %.*s" : "unrecognized arguments: %.*s",
                               (int)(matches ? len : strlen(a)), a);
    }
    return apply_option(match, eq ? eq + 1 : NULL, argc, argv, i);
}

static int parse_short_cluster(const pt_option_t *opts, size_t n, int argc, char **argv, int *i)
{
    const char *a = argv[*i];
    for (const char *c = a + 1; *c; c++) {
        const pt_option_t *opt = NULL;
        for (size_t k = 0; k < n; k++) {
            if (opts[k].short_name && opts[k].short_name == *c) {
                opt = &opts[k];
            }
        }
        if (!opt) {
            return cli_usage_error(argv[0], "unrecognized arguments: %s", a);
        }
        if (opt->arg != ARG_NONE) {
            /* "-o0x9000" and "-o=0x9000" both carry the value inline */
            const char *rest = c[1] ? c + 1 + (c == a + 1 && c[1] == '=') : NULL;
            return apply_option(opt, rest, argc, argv, i);
        }
        *opt->flag = true;
    }
    return 0;
}

static int parse_args(int argc, char **argv, pt_args_t *args)
{
    bool verify = false; /* --verify is accepted and does nothing, as in the script */
    const pt_option_t opts[] = {
        {"--flash-size", 0, ARG_OPTIONAL, &args->flash_size, NULL},
        {"--disable-md5sum", 0, ARG_NONE, NULL, &args->disable_md5sum},
        {"--no-verify", 0, ARG_NONE, NULL, &args->no_verify},
        {"--verify", 'v', ARG_NONE, NULL, &verify},
        {"--quiet", 'q', ARG_NONE, NULL, &args->quiet},
        {"--offset", 'o', ARG_REQUIRED, &args->offset, NULL},
        {"--secure", 0, ARG_NONE, NULL, &args->secure},
        {"--help", 'h', ARG_NONE, NULL, &args->help},
    };
    const size_t n = sizeof opts / sizeof opts[0];
    int positional = 0;
    bool only_positionals = false;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        int rc = 0;
        if (only_positionals || takes_word(a)) {
            if (positional == 0) {
                args->input = a;
            } else if (positional == 1) {
                args->output = a;
            } else {
                return cli_usage_error(argv[0], "unrecognized arguments: %s", a);
            }
            positional++;
        } else if (!strcmp(a, "--")) {
            only_positionals = true;
        } else if (a[1] == '-') {
            rc = parse_long(opts, n, argc, argv, &i);
        } else {
            rc = parse_short_cluster(opts, n, argc, argv, &i);
        }
        if (rc) {
            return rc;
        }
    }
    if (args->help) {
        return 0;
    }
    if (!args->input) {
        return cli_usage_error(argv[0], "the following arguments are required: input");
    }
    if (args->flash_size) {
        for (size_t k = 0; k < sizeof s_flash_sizes / sizeof s_flash_sizes[0]; k++) {
            if (!strcmp(args->flash_size, s_flash_sizes[k])) {
                return 0;
            }
        }
        return cli_usage_error(argv[0],
                               "argument --flash-size: invalid choice: '%s' (choose from '1MB', "
                               "'2MB', '4MB', '8MB', '16MB')",
                               args->flash_size);
    }
    return 0;
}

static unsigned char *read_all(FILE *f, size_t *len)
{
    size_t cap = 4096, n = 0;
    unsigned char *buf = malloc(cap);
    while (buf) {
        n += fread(buf + n, 1, cap - n, f);
        if (n < cap) {
            break;
        }
        unsigned char *bigger = realloc(buf, cap * 2);
        if (!bigger) {
            free(buf);
            return NULL;
        }
        buf = bigger;
        cap *= 2;
    }
    if (buf && ferror(f)) {
        free(buf);
        return NULL;
    }
    *len = n;
    return buf;
}

/* os.makedirs(dirname(output)): the script creates the output's folders. */
static int make_parent_dirs(const char *cmd, const char *path)
{
    char *dir = strdup(path);
    if (!dir) {
        return cli_fail(cmd, "out of memory");
    }
    char *slash = strrchr(dir, '/');
    int rc = 0;
    if (slash && slash != dir) {
        *slash = '\0';
        for (char *p = dir + 1; !rc; p++) {
            if (*p == '/' || *p == '\0') {
                char saved = *p;
                *p = '\0';
                if (mkdir(dir, 0777) != 0 && errno != EEXIST) {
                    rc = cli_fail(cmd, "cannot create directory '%s': %s", dir, strerror(errno));
                }
                *p = saved;
                if (saved == '\0') {
                    break;
                }
            }
        }
    }
    free(dir);
    return rc;
}

static int write_output(const char *cmd, const char *path, const void *data, size_t len)
{
    bool to_stdout = !strcmp(path, "-");
    FILE *f = to_stdout ? stdout : fopen(path, "wb");
    if (!f) {
        return cli_fail(cmd, "cannot open '%s': %s", path, strerror(errno));
    }
    bool ok = fwrite(data, 1, len, f) == len;
    ok = (to_stdout ? fflush(f) : fclose(f)) == 0 && ok;
    return ok ? 0 : cli_fail(cmd, "cannot write '%s': %s", path, strerror(errno));
}

static void status(const pt_args_t *args, const char *msg)
{
    if (!args->quiet) {
        fprintf(stderr, "%s\n", msg);
    }
}

/* The part after reading the input: parse, verify, size check, convert, write. */
static int convert(const char *cmd, const pt_args_t *args, const part_opts_t *o,
                   const unsigned char *in, size_t len, const char *in_name, part_err_t *e)
{
    part_table_t t = {0};
    bool binary = len >= 2 && in[0] == 0xAA && in[1] == 0x50;
    int rc = 0;
    status(args, binary ? "Parsing binary partition input..." : "Parsing CSV input...");
    if (binary) {
        part_table_from_binary(in, len, o->md5sum, stderr, &t, e);
    } else {
        part_csv_parse((const char *)in, len, o, &t, e);
    }
    if (!e->status && !args->no_verify) {
        status(args, "Verifying table...");
        fflush(stdout);
        part_table_verify(&t, o, stderr, stdout, e);
        fflush(stdout);
    }
    if (!e->status && args->flash_size) {
        int size_mb = atoi(args->flash_size);
        int64_t end = part_table_flash_end(&t);
        if ((int64_t)size_mb * 1024 * 1024 < end) { /* "honest megabytes" */
            part_err_set(e, PART_EXIT_INPUT,
                         "Partitions defined in '%s' occupy %.1fMB of flash (%lld bytes) which "
                         "does not fit in configured flash size %dMB. Change the flash size in "
                         "menuconfig under the 'Serial Flasher Config' menu.",
                         in_name, (double)end / 1024.0 / 1024.0, (long long)end, size_mb);
        }
    }
    if (!e->status && strcmp(args->output, "-") != 0) {
        rc = make_parent_dirs(cmd, args->output);
    }
    if (!e->status && !rc && binary) {
        char *csv = NULL;
        size_t csv_len = 0;
        FILE *mem = open_memstream(&csv, &csv_len);
        if (!mem) {
            rc = cli_fail(cmd, "out of memory");
        } else {
            part_table_write_csv(&t, mem);
            rc = fclose(mem) == 0 ? write_output(cmd, args->output, csv, csv_len)
                                  : cli_fail(cmd, "out of memory");
        }
        free(csv);
    } else if (!e->status && !rc) {
        uint8_t bin[ESP_PARTITION_TABLE_MAX_LEN];
        if (!part_table_to_binary(&t, o->md5sum, bin, e)) {
            rc = write_output(cmd, args->output, bin, sizeof bin);
        }
    }
    part_table_free(&t);
    return rc;
}

int cmd_partition_table(int argc, char **argv)
{
    pt_args_t args = {.offset = "0x8000", .output = "-"};
    int rc = parse_args(argc, argv, &args);
    if (rc || args.help) {
        if (args.help) {
            print_help(stdout);
        }
        return rc;
    }
    part_opts_t o = {.md5sum = !args.disable_md5sum, .secure = args.secure};
    if (part_py_int(args.offset, strlen(args.offset), &o.table_offset) != PART_INT_OK) {
        return cli_usage_error(argv[0], "argument --offset/-o: invalid int value: '%s'",
                               args.offset);
    }
    bool from_stdin = !strcmp(args.input, "-");
    FILE *f = from_stdin ? stdin : fopen(args.input, "rb");
    if (!f) {
        return cli_usage_error(argv[0], "argument input: can't open '%s': %s", args.input,
                               strerror(errno));
    }
    size_t len = 0;
    unsigned char *in = read_all(f, &len);
    if (!from_stdin) {
        fclose(f);
    }
    if (!in) {
        return cli_fail(argv[0], "cannot read '%s'", args.input);
    }
    part_err_t e = {0};
    rc = convert(argv[0], &args, &o, in, len, from_stdin ? "<stdin>" : args.input, &e);
    free(in);
    if (e.status) {
        /* exactly what the script prints for an InputError: the message alone */
        fprintf(stderr, "%s\n", e.msg ? e.msg : "out of memory");
        rc = e.status;
    }
    part_err_free(&e);
    return rc;
}
