#include "harness.h"

#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bs_image.h"
#include "commands.h"

const char *h_path(const char *name)
{
    static char dir[64];
    static char buf[8][256];
    static int next;
    if (!dir[0]) {
        snprintf(dir, sizeof dir, "/tmp/ota8266-test-XXXXXX");
        if (!mkdtemp(dir)) {
            abort();
        }
    }
    char *out = buf[next++ & 7];
    snprintf(out, sizeof buf[0], "%s/%s", dir, name);
    return out;
}

int h_tool(const char *cmd, ...)
{
    char *argv[64];
    int argc = 0;
    argv[argc++] = (char *)cmd;
    va_list ap;
    va_start(ap, cmd);
    const char *a;
    while ((a = va_arg(ap, const char *)) != NULL && argc < 63) {
        argv[argc++] = (char *)a;
    }
    va_end(ap);
    argv[argc] = NULL;
    static const struct {
        const char *name;
        int (*fn)(int, char **);
    } cmds[] = {
        {"write_flash", cmd_write_flash},   {"read_flash", cmd_read_flash},
        {"erase_region", cmd_erase_region}, {"erase_flash", cmd_erase_flash},
        {"elf2image", cmd_elf2image},       {"partition_table", cmd_partition_table},
        {"read_otadata", cmd_read_otadata}, {"switch_ota_partition", cmd_switch_ota_partition},
        {"erase_otadata", cmd_erase_otadata},
    };
    for (size_t i = 0; i < sizeof cmds / sizeof cmds[0]; i++) {
        if (!strcmp(cmds[i].name, cmd)) {
            fflush(stdout);
            return cmds[i].fn(argc, argv);
        }
    }
    abort();
}

void h_flash_standard(const char *chip, const char *table, const char *app, ...)
{
    unlink(chip);
    if (h_tool("write_flash", "--chip", chip, "--flash-size", "4MB", "0x0", H_BOOTLOADER,
               "0x8000", table, "0xd000", H_OTADATA_INIT, NULL) != 0) {
        abort();
    }
    va_list ap;
    va_start(ap, app);
    uint32_t addr;
    while ((addr = va_arg(ap, uint32_t)) != 0) {
        char a[16];
        snprintf(a, sizeof a, "0x%x", (unsigned)addr);
        if (h_tool("write_flash", "--chip", chip, "--flash-size", "4MB", a, app, NULL) != 0) {
            abort();
        }
    }
    va_end(ap);
}

void h_write_bytes(const char *chip, uint32_t addr, const void *data, size_t len)
{
    int fd = open(chip, O_RDWR);
    if (fd < 0 || pwrite(fd, data, len, addr) != (ssize_t)len) {
        abort();
    }
    close(fd);
}

void h_read_bytes(const char *chip, uint32_t addr, void *data, size_t len)
{
    int fd = open(chip, O_RDONLY);
    if (fd < 0 || pread(fd, data, len, addr) != (ssize_t)len) {
        abort();
    }
    close(fd);
}

void h_flip(const char *chip, uint32_t addr)
{
    uint8_t b;
    h_read_bytes(chip, addr, &b, 1);
    b ^= 0xFF;
    h_write_bytes(chip, addr, &b, 1);
}

/* "I (1234) boot: x" -> "I (T) boot: x"; colour escapes removed. */
static char *normalise(const char *in)
{
    size_t n = strlen(in);
    char *out = malloc(n + 1);
    size_t o = 0;
    for (size_t i = 0; i < n;) {
        if (in[i] == '\033') {
            while (i < n && in[i] != 'm') {
                i++;
            }
            i++;
            continue;
        }
        bool line_start = (o == 0 || out[o - 1] == '\n');
        if (line_start && i + 3 < n && strchr("EWIDV", in[i]) && in[i + 1] == ' ' && in[i + 2] == '(') {
            size_t j = i + 3;
            while (j < n && in[j] >= '0' && in[j] <= '9') {
                j++;
            }
            if (j < n && in[j] == ')' && j > i + 3) {
                o += (size_t)sprintf(out + o, "%c (T)", in[i]);
                i = j + 1;
                continue;
            }
        }
        out[o++] = in[i++];
    }
    out[o] = '\0';
    return out;
}

static const char *s_ap_ssid, *s_ap_password;
static int s_map_from, s_map_to;
static double s_timeout = 20.0;
static bool s_timestamps;
static uint32_t s_chip_size = 4u << 20;

void h_set_chip_size(uint32_t bytes)
{
    s_chip_size = bytes;
}

void h_set_ap(const char *ssid, const char *password)
{
    s_ap_ssid = ssid;
    s_ap_password = password;
}

void h_set_net_map(int device_port, int host_port)
{
    s_map_from = device_port;
    s_map_to = host_port;
}

void h_set_timestamps(bool on)
{
    s_timestamps = on;
}

void h_set_timeout(double seconds)
{
    s_timeout = seconds;
}

void h_run(const char *chip, uint32_t boots, const char *until, h_run_t *out)
{
    h_run_faults(chip, boots, until, NULL, out);
}

void h_run_faults(const char *chip, uint32_t boots, const char *until, const h_faults_t *faults,
                  h_run_t *out)
{
    FILE *console = tmpfile();
    sim_run_opts_t o = {
        .chip_path = chip,
        .flash_size = s_chip_size,
        .max_boots = boots,
        .until = until,
        .time_scale = 1000.0,
        .timeout_s = s_timeout,
        .ap_ssid = s_ap_ssid,
        .ap_password = s_ap_password,
        .color = 0,
        .seed = 1,
        .console = console,
        .timestamps = s_timestamps,
    };
    if (faults) {
        memcpy(o.cuts, faults->cuts, sizeof o.cuts);
        o.n_cuts = faults->n_cuts;
        o.seed = faults->seed;
        o.stop_at_power_cut = faults->stop_at_cut;
        o.strict = faults->strict;
        o.op_trace = faults->trace;
    }
    if (s_map_from) {
        o.net_map_from[0] = (uint16_t)s_map_from;
        o.net_map_to[0] = (uint16_t)s_map_to;
        o.n_net_maps = 1;
    }
    memset(out, 0, sizeof *out);
    if (sim_device_run(&o, &out->r) != 0) {
        abort();
    }
    long len = ftell(console);
    char *raw = calloc(1, (size_t)len + 1);
    rewind(console);
    if (fread(raw, 1, (size_t)len, console) != (size_t)len) {
        abort();
    }
    fclose(console);
    out->console = normalise(raw);
    free(raw);
}

void h_run_free(h_run_t *run)
{
    free(run->console);
    run->console = NULL;
}

int h_line_index(const h_run_t *run, const char *line)
{
    size_t ll = strlen(line);
    int idx = 0;
    for (const char *p = run->console; *p; idx++) {
        const char *e = strchr(p, '\n');
        size_t len = e ? (size_t)(e - p) : strlen(p);
        if (len == ll && !memcmp(p, line, ll)) {
            return idx;
        }
        if (!e) {
            break;
        }
        p = e + 1;
    }
    return -1;
}

bool h_has_line(const h_run_t *run, const char *line)
{
    return h_line_index(run, line) >= 0;
}

int h_count_prefix(const h_run_t *run, const char *prefix)
{
    int count = 0;
    size_t pl = strlen(prefix);
    for (const char *p = run->console; *p;) {
        if (!strncmp(p, prefix, pl)) {
            count++;
        }
        const char *e = strchr(p, '\n');
        if (!e) {
            break;
        }
        p = e + 1;
    }
    return count;
}

void h_image_layout(const char *path, h_image_layout_t *out)
{
    FILE *f = fopen(path, "rb");
    static uint8_t buf[4u << 20];
    size_t n = f ? fread(buf, 1, sizeof buf, f) : 0;
    if (f) {
        fclose(f);
    }
    const bs_image_opts_t opts = {.kind = BS_IMAGE_V3,
                                  .hash = BS_HASH_IF_PRESENT,
                                  .max_len = (uint32_t)n,
                                  .total_len = (uint32_t)n};
    bs_image_stream_t s;
    bs_image_info_t info;
    bs_image_stream_init(&s, NULL, &opts);
    if (n == 0 || bs_image_stream_feed(&s, buf, (uint32_t)n, NULL) != ESP_OK ||
        bs_image_stream_finish(&s, &info) != ESP_OK || !info.hash_present ||
        info.header.segment_count == 0) {
        abort();
    }
    memset(out, 0, sizeof *out);
    out->len = (uint32_t)n;
    out->entry = info.header.entry_addr;
    out->seg_count = info.header.segment_count;
    for (unsigned i = 0; i < out->seg_count; i++) {
        out->seg_data[i] = info.segment_data_offset[i];
        out->seg_header[i] = info.segment_data_offset[i] - ESP_IMAGE_SEGMENT_HEADER_LEN;
        out->seg_len[i] = info.segments[i].data_len;
        out->seg_load[i] = info.segments[i].load_addr;
    }
    out->seg_end = out->seg_data[out->seg_count - 1] + out->seg_len[out->seg_count - 1];
    out->hash_off = info.image_len - ESP_IMAGE_HASH_LEN;
    out->checksum_off = out->hash_off - 1;
    out->checksum = info.checksum_read;
}

void h_flash_table_csv(const char *chip, const char *csv, ...)
{
    const char *csv_path = h_path("table.csv");
    const char *bin_path = h_path("table.bin");
    FILE *f = fopen(csv_path, "w");
    if (!f || fputs(csv, f) < 0 || fclose(f) != 0) {
        abort();
    }
    const char *argv[16];
    int argc = 0;
    va_list ap;
    va_start(ap, csv);
    const char *a;
    while ((a = va_arg(ap, const char *)) != NULL && argc < 12) {
        argv[argc++] = a;
    }
    va_end(ap);
    argv[argc++] = csv_path;
    argv[argc++] = bin_path;
    while (argc < 16) {
        argv[argc++] = NULL;
    }
    /* h_tool takes a NULL-ended list: pass the collected slots through. */
    if (h_tool("partition_table", argv[0], argv[1], argv[2], argv[3], argv[4], argv[5], argv[6],
               argv[7], argv[8], argv[9], argv[10], argv[11], argv[12], argv[13], NULL) != 0 ||
        h_tool("write_flash", "--chip", chip, "0x8000", bin_path, NULL) != 0) {
        abort();
    }
}

/* True when the console line starting at p is exactly line. */
static bool line_is(const char *p, const char *line)
{
    size_t len = strcspn(p, "\n");
    return len == strlen(line) && !memcmp(p, line, len);
}

int h_block_index(const h_run_t *run, const char *const *lines, size_t n)
{
    int idx = 0;
    for (const char *p = run->console; *p; idx++) {
        const char *q = p;
        size_t i = 0;
        while (i < n && *q && line_is(q, lines[i])) {
            i++;
            q += strcspn(q, "\n");
            q += (*q == '\n');
        }
        if (i == n) {
            return idx;
        }
        const char *e = strchr(p, '\n');
        if (!e) {
            break;
        }
        p = e + 1;
    }
    return -1;
}
