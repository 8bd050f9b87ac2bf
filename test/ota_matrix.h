#pragma once
/*
 * Shared by the OTA matrix tests (test_ota_matrix*.c): flash/otadata checks,
 * the progress-line check, and the servers the cases need beyond
 * fx_start_s_server: nginx from a temp prefix, and an `openssl s_server`
 * that sends canned bytes from a FIFO and then goes silent.
 *
 * Everything is static inline: each test_*.c is its own executable (see
 * test/CMakeLists.txt) and uses only some of these, and -Werror would reject
 * unused plain static functions.
 *
 * Include after <cmocka.h>.
 */
#include <fcntl.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "harness.h"
#include "net_fixture.h"

/* The standard 4 MB layout (partitions_factory_two_ota.csv). */
#define MX_OTADATA_A 0xd000u
#define MX_OTADATA_B 0xe000u
#define MX_FACTORY 0x10000u
#define MX_OTA_0 0x110000u
#define MX_OTA_1 0x210000u
#define MX_SLOT_SIZE 0xf0000u
#define MX_CHIP_SIZE (4u << 20)

static inline uint8_t *mx_slurp(const char *path, size_t *len)
{
    uint8_t *buf = (uint8_t *)fx_read_file(path, len);
    assert_non_null(buf);
    return buf;
}

/* ---- flash ------------------------------------------------------------ */

/* A copy of the whole chip file, to prove afterwards what a run left alone. */
static inline uint8_t *mx_snapshot(const char *chip)
{
    uint8_t *s = malloc(MX_CHIP_SIZE);
    assert_non_null(s);
    h_read_bytes(chip, 0, s, MX_CHIP_SIZE);
    return s;
}

/* Fails, naming the first changed address, unless every byte outside
 * [lo, hi) is as in the snapshot (lo == hi: the whole chip). */
static inline void mx_assert_unchanged_outside(const char *chip, const uint8_t *snap, uint32_t lo,
                                               uint32_t hi)
{
    uint8_t *now = mx_snapshot(chip);
    for (uint32_t a = 0; a < MX_CHIP_SIZE; a++) {
        if ((a < lo || a >= hi) && now[a] != snap[a]) {
            unsigned was = snap[a], is = now[a];
            free(now);
            fail_msg("flash byte at 0x%x changed (0x%02x -> 0x%02x) outside [0x%x, 0x%x)",
                     (unsigned)a, was, is, (unsigned)lo, (unsigned)hi);
        }
    }
    free(now);
}

static inline bool mx_region_is(const char *chip, uint32_t addr, const void *want, size_t len)
{
    uint8_t *got = malloc(len);
    assert_non_null(got);
    h_read_bytes(chip, addr, got, len);
    bool same = memcmp(got, want, len) == 0;
    free(got);
    return same;
}

static inline bool mx_region_erased(const char *chip, uint32_t addr, size_t len)
{
    uint8_t *got = malloc(len);
    assert_non_null(got);
    h_read_bytes(chip, addr, got, len);
    bool erased = true;
    for (size_t i = 0; i < len && erased; i++) {
        erased = got[i] == 0xFF;
    }
    free(got);
    return erased;
}

/*
 * One otadata sector as the SDK leaves it (reference §2.1, §2.2): seq 0 means
 * "erased" (all 0xFF); otherwise seq LE at +0, label and state bytes 0xFF,
 * the CRC of the seq at +28 (the §2.2 table, spelled out so that the test
 * does not share a CRC routine with the code under test), 0xFF to the end.
 */
static inline void mx_assert_otadata_sector(const char *chip, uint32_t addr, uint32_t seq)
{
    static const uint8_t crc_of[4][4] = {
        {0, 0, 0, 0},
        {0x9A, 0x98, 0x43, 0x47},
        {0x74, 0x37, 0xF6, 0x55},
        {0x11, 0x50, 0x4A, 0xED},
    };
    assert_true(seq < 4);
    uint8_t want[0x1000];
    memset(want, 0xFF, sizeof want);
    if (seq != 0) {
        want[0] = (uint8_t)seq;
        want[1] = want[2] = want[3] = 0;
        memcpy(want + 28, crc_of[seq], 4);
    }
    uint8_t got[0x1000];
    h_read_bytes(chip, addr, got, sizeof got);
    for (size_t i = 0; i < sizeof got; i++) {
        if (got[i] != want[i]) {
            fail_msg("otadata sector 0x%x: byte +%zu is 0x%02x, want 0x%02x (seq %u)",
                     (unsigned)addr, i, got[i], want[i], (unsigned)seq);
        }
    }
}

/* Both otadata entries: A at 0xd000, B at 0xe000 (0 = erased). */
static inline void mx_assert_otadata(const char *chip, uint32_t seq_a, uint32_t seq_b)
{
    mx_assert_otadata_sector(chip, MX_OTADATA_A, seq_a);
    mx_assert_otadata_sector(chip, MX_OTADATA_B, seq_b);
}

/* ---- device runs --------------------------------------------------------- */

/* The two OTA examples the matrix runs, as factory apps. */
typedef struct {
    const char *tag;  /* the example's log tag */
    const char *app;  /* its image */
    const char *chip; /* file name of its virtual chip (h_path) */
} mx_example_t;

static const mx_example_t mx_native = {"native_ota_example", H_NATIVE_OTA, "native.bin"};
static const mx_example_t mx_simple = {"simple_ota_example", H_SIMPLE_OTA, "simple.bin"};

/* A fresh chip with the example as the factory app and otadata erased; the
 * device's connections to port 8070 go to the test server's port. */
static inline const char *mx_factory_chip(const mx_example_t *ex, int server_port)
{
    const char *chip = h_path(ex->chip);
    h_flash_standard(chip, H_PT_FACTORY, ex->app, MX_FACTORY, 0u);
    h_set_ap("myssid", "mypassword");
    h_set_net_map(8070, server_port);
    return chip;
}

/* The chips of this test process (h_path's directory), 4 MB each. */
static inline void mx_remove_chips(void)
{
    fx_rmtree(h_path(""));
}

/* Powers the chip on once more, only as far as the bootloader's choice:
 * which app the next boot starts, as the device itself decides it. */
static inline void mx_assert_next_boot(const char *chip, uint32_t app_addr)
{
    char want[96];
    snprintf(want, sizeof want, "I (T) boot: Loaded app from partition at offset 0x%x",
             (unsigned)app_addr);
    h_run_t run;
    h_run(chip, 1, "boot: Loaded app from partition at offset", &run);
    assert_true(run.r.until_seen);
    H_ASSERT_LINE(&run, want);
    h_run_free(&run);
}

/*
 * Runs the factory example until it gives up on the update. no_writes: not
 * one flash erase or write (the counters and the whole chip); otherwise only
 * ota_0 may have changed. Either way otadata stays erased and the factory
 * app boots next.
 */
static inline void mx_expect_failure(const mx_example_t *ex, int server_port, bool no_writes,
                                     h_run_t *run)
{
    const char *chip = mx_factory_chip(ex, server_port);
    uint8_t *before = mx_snapshot(chip);
    h_run(chip, 1, "Firmware Upgrades Failed", run);
    if (!run->r.until_seen) {
        fputs(run->console, stderr);
        fail_msg("%s did not fail the update", ex->tag);
    }
    if (no_writes) {
        assert_int_equal(run->r.counters.erases, 0);
        assert_int_equal(run->r.counters.writes, 0);
        mx_assert_unchanged_outside(chip, before, 0, 0);
    } else {
        mx_assert_unchanged_outside(chip, before, MX_OTA_0, MX_OTA_0 + MX_SLOT_SIZE);
    }
    mx_assert_otadata(chip, 0, 0);
    free(before);
    mx_assert_next_boot(chip, MX_FACTORY);
}

/* The line at index idx (0-based) of the console, malloc'd, or NULL. */
static inline char *mx_line(const h_run_t *run, int idx)
{
    const char *p = run->console;
    for (int i = 0; i < idx && p != NULL; i++) {
        p = strchr(p, '\n');
        p = p ? p + 1 : NULL;
    }
    if (p == NULL || *p == '\0') {
        return NULL;
    }
    const char *e = strchr(p, '\n');
    return strndup(p, e ? (size_t)(e - p) : strlen(p));
}

/*
 * The progress lines of `tag` ("Written N of TOTAL bytes (P%), R KB/s"):
 * at least one, each exactly in that form with P = N * 100 / TOTAL, N rising,
 * and the last one N == TOTAL at 100%. The rate varies from run to run, so
 * only its form is checked.
 */
static inline void mx_assert_progress(const h_run_t *run, const char *tag, size_t total)
{
    char prefix[96];
    int plen = snprintf(prefix, sizeof prefix, "I (T) %s: Written ", tag);
    int seen = 0, last = -1;
    char *line;
    for (int i = 0; (line = mx_line(run, i)) != NULL; i++) {
        if (strncmp(line, prefix, (size_t)plen) == 0) {
            int n = -1, of = -1, pct = -1, end = -1;
            unsigned rate = 0;
            int got =
                sscanf(line + plen, "%d of %d bytes (%d%%), %u KB/s%n", &n, &of, &pct, &rate, &end);
            if (got != 4 || end < 0 || line[plen + end] != '\0' || of != (int)total ||
                pct != (int)((int64_t)n * 100 / (int64_t)total) || n <= last) {
                print_error("bad progress line \"%s\" (total %zu, previous %d)\n", line, total,
                            last);
                free(line);
                fail();
            }
            last = n;
            seen++;
        }
        free(line);
    }
    if (seen == 0 || last != (int)total) {
        print_error("progress of %s: %d lines, last at %d of %zu\n--- console ---\n", tag, seen,
                    last, total);
        fputs(run->console, stderr);
        fail();
    }
}

/* ---- served files ----------------------------------------------------------- */

/* Replaces docroot/name atomically: a server never serves half a file. */
static inline void mx_serve(const char *docroot, const char *name, const void *head,
                            size_t head_len, const void *body, size_t body_len)
{
    char tmp[520], path[512];
    snprintf(path, sizeof path, "%s/%s", docroot, name);
    snprintf(tmp, sizeof tmp, "%s.tmp", path); /* same directory: rename is atomic */
    FILE *f = fopen(tmp, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(head, 1, head_len, f), head_len);
    assert_int_equal(fwrite(body, 1, body_len, f), body_len);
    assert_int_equal(fclose(f), 0);
    assert_int_equal(rename(tmp, path), 0);
}

/* ---- servers ----------------------------------------------------------------- */

/* For fx_start_s_server: a later -accept overrides its "-accept 0", so that
 * the server listens on loopback only instead of every interface. */
static const char *const mx_loopback_only[] = {"-accept", "127.0.0.1:0", NULL};

/* ---- nginx (host-toolchain-notes §7) ------------------------------------- */

typedef struct {
    fx_proc_t proc;
    char *dir; /* the -p prefix; files are served from dir/www */
    char www[300];
} mx_nginx_t;

static const char mx_nginx_conf[] = "daemon off;\n"
                                    "master_process off;\n"
                                    "worker_processes 1;\n"
                                    "pid logs/nginx.pid;\n"
                                    "error_log stderr notice;\n"
                                    "events { worker_connections 64; }\n"
                                    "http {\n"
                                    "    access_log logs/access.log;\n"
                                    "    client_body_temp_path tmp/body;\n"
                                    "    proxy_temp_path tmp/proxy;\n"
                                    "    fastcgi_temp_path tmp/fastcgi;\n"
                                    "    uwsgi_temp_path tmp/uwsgi;\n"
                                    "    scgi_temp_path tmp/scgi;\n"
                                    "    types { application/octet-stream bin; }\n"
                                    "    default_type application/octet-stream;\n"
                                    "    server {\n"
                                    "        listen 127.0.0.1:%d ssl;\n"
                                    "        server_name localhost;\n"
                                    "        ssl_certificate %s;\n"
                                    "        ssl_certificate_key %s;\n"
                                    "        root www;\n"
                                    "        keepalive_timeout 5s;\n"
                                    "    }\n"
                                    "}\n";

/* Starts nginx in the foreground on a free loopback port; the port can be
 * taken between the probe and nginx's bind, hence the retries. */
static inline int mx_nginx_start(mx_nginx_t *n, const char *cert, const char *key)
{
    /* /usr/sbin is not on every user's PATH */
    const char *bin = access("/usr/sbin/nginx", X_OK) == 0 ? "/usr/sbin/nginx" : "nginx";
    memset(n, 0, sizeof *n);
    n->dir = fx_mkdtemp("ota8266-nginx");
    if (n->dir == NULL || fx_sh("cd '%s' && mkdir -p www logs tmp", n->dir) != 0) {
        return -1;
    }
    snprintf(n->www, sizeof n->www, "%s/www", n->dir);
    for (int attempt = 0; attempt < 5; attempt++) {
        int port = fx_free_port();
        char *conf = NULL;
        if (asprintf(&conf, mx_nginx_conf, port, cert, key) < 0) {
            return -1;
        }
        char path[400], prefix[400];
        snprintf(path, sizeof path, "%s/nginx.conf", n->dir);
        snprintf(prefix, sizeof prefix, "%s/", n->dir);
        int wrote = fx_write_file(path, conf, strlen(conf));
        free(conf);
        if (wrote != 0) {
            return -1;
        }
        snprintf(n->proc.log, sizeof n->proc.log, "%s/nginx.log", n->dir);
        const char *argv[] = {bin, "-e", "stderr", "-p", prefix, "-c", "nginx.conf", NULL};
        if (fx_spawn(&n->proc, n->dir, argv) == 0 && fx_wait_listen(port, 3000) == 0) {
            n->proc.port = port;
            return 0;
        }
        fx_stop(&n->proc);
    }
    return -1;
}

static inline void mx_nginx_stop(mx_nginx_t *n)
{
    fx_stop(&n->proc);
    fx_rmtree(n->dir);
    free(n->dir);
    n->dir = NULL;
}

/* ---- a server that stalls ------------------------------------------------- */

/*
 * `openssl s_server` without -WWW/-HTTP relays its stdin to the connected
 * client. Its stdin is a FIFO that holds the canned bytes and whose write
 * end stays open in the test: the client gets exactly those bytes and then
 * nothing, on a live TLS connection, until mx_stall_stop. s_server reads
 * stdin only while a client is connected, so the ACCEPT line (not a probe
 * connection) says when it is ready. The bytes must go in one read of at
 * most 8 KB: s_server treats a read starting with Q, q, r, R, k, K, c, P or S
 * as a console command.
 */
typedef struct {
    fx_proc_t proc;
    char *dir;
    int feed; /* the FIFO's write end, held open */
} mx_stall_t;

static inline int mx_stall_start(mx_stall_t *s, const char *cert, const char *key,
                                 const void *bytes, size_t len)
{
    memset(s, 0, sizeof *s);
    s->feed = -1;
    if (len == 0 || len > 8000 || strchr("QqrRkKcPS", ((const char *)bytes)[0]) != NULL) {
        return -1;
    }
    s->dir = fx_mkdtemp("ota8266-stall");
    if (s->dir == NULL) {
        return -1;
    }
    char fifo[400];
    snprintf(fifo, sizeof fifo, "%s/feed", s->dir);
    if (mkfifo(fifo, 0600) != 0) {
        return -1;
    }
    /* O_RDWR opens a FIFO without waiting for a reader (Linux). */
    s->feed = open(fifo, O_RDWR | O_CLOEXEC);
    if (s->feed < 0 || write(s->feed, bytes, len) != (ssize_t)len) {
        return -1;
    }
    char *cmd = NULL;
    /* exec: the pid fx_stop signals (and PDEATHSIG guards) is s_server's own */
    if (asprintf(&cmd, "exec openssl s_server -cert '%s' -key '%s' -accept 127.0.0.1:0 < feed",
                 cert, key) < 0) {
        return -1;
    }
    snprintf(s->proc.log, sizeof s->proc.log, "%s/s_server.log", s->dir);
    const char *argv[] = {"sh", "-c", cmd, NULL};
    int rc = fx_spawn(&s->proc, s->dir, argv);
    free(cmd);
    if (rc != 0 || fx_wait_log(&s->proc, "ACCEPT", 5000) != 0) {
        return -1;
    }
    /* "ACCEPT [::]:43765" or "ACCEPT 0.0.0.0:43765": the port follows the last ':' */
    char *log = fx_read_file(s->proc.log, NULL);
    char *line = log ? strstr(log, "ACCEPT") : NULL;
    char *nl = line ? strchr(line, '\n') : NULL;
    if (nl != NULL) {
        *nl = '\0';
    }
    char *colon = line ? strrchr(line, ':') : NULL;
    s->proc.port = colon ? atoi(colon + 1) : -1;
    free(log);
    return s->proc.port > 0 ? 0 : -1;
}

static inline void mx_stall_stop(mx_stall_t *s)
{
    if (s->dir == NULL) {
        return; /* never started, or stopped already: feed may be a zeroed 0, stdin */
    }
    fx_stop(&s->proc);
    if (s->feed >= 0) {
        close(s->feed);
        s->feed = -1;
    }
    fx_rmtree(s->dir);
    free(s->dir);
    s->dir = NULL;
}
