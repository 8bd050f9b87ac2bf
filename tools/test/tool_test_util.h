#pragma once
/* Helpers for the subcommand tests: run a cmd_* in-process with its stdout
 * and stderr captured, temp paths, and direct looks at a chip file. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "commands.h"

typedef struct {
    int rc;
    char out[16384];
    char err[4096];
} run_t;

static inline void slurp_fd(int fd, char *buf, size_t cap)
{
    off_t n = lseek(fd, 0, SEEK_END);
    size_t len = n > 0 ? (size_t)n : 0;
    if (len >= cap) {
        len = cap - 1;
    }
    assert_int_equal(pread(fd, buf, len, 0), (ssize_t)len);
    buf[len] = '\0';
}

/* Runs fn with the NULL-terminated argument list (argv[0] first), capturing
 * both streams; argv is copied because getopt_long permutes it. */
static inline int run_cmd(run_t *r, int (*fn)(int, char **), ...)
{
    char *argv[32];
    int argc = 0;
    va_list ap;
    va_start(ap, fn);
    for (const char *a; (a = va_arg(ap, const char *)) != NULL;) {
        assert_true(argc < 31);
        argv[argc++] = strdup(a);
    }
    va_end(ap);
    argv[argc] = NULL;
    char *copy[32];
    memcpy(copy, argv, sizeof argv);

    fflush(stdout);
    fflush(stderr);
    int out = memfd_create("out", 0), err = memfd_create("err", 0);
    int saved_out = dup(1), saved_err = dup(2);
    dup2(out, 1);
    dup2(err, 2);
    r->rc = fn(argc, argv);
    fflush(stdout);
    fflush(stderr);
    dup2(saved_out, 1);
    dup2(saved_err, 2);
    close(saved_out);
    close(saved_err);
    slurp_fd(out, r->out, sizeof r->out);
    slurp_fd(err, r->err, sizeof r->err);
    close(out);
    close(err);
    for (int i = 0; i < argc; i++) {
        free(copy[i]);
    }
    return r->rc;
}

#define RUN(r, fn, ...) run_cmd(r, fn, __VA_ARGS__, (const char *)NULL)

/* Fails showing what the command printed when rc is not the expected one. */
#define ASSERT_RC(r, want)                                                                         \
    do {                                                                                           \
        if ((r)->rc != (want)) {                                                                   \
            fail_msg("exit %d, want %d\nstdout:\n%s\nstderr:\n%s", (r)->rc, (want), (r)->out,      \
                     (r)->err);                                                                    \
        }                                                                                          \
    } while (0)

#define ASSERT_HAS(text, needle)                                                                   \
    do {                                                                                           \
        if (!strstr((text), (needle))) {                                                           \
            fail_msg("'%s' not found in:\n%s", (needle), (text));                                  \
        }                                                                                          \
    } while (0)

/* A fresh temp directory path for chip and data files. */
static inline void temp_dir(char *dir, size_t cap)
{
    snprintf(dir, cap, "/tmp/ota8266-tools-XXXXXX");
    assert_non_null(mkdtemp(dir));
}

static inline void path_in(char *out, size_t cap, const char *dir, const char *name)
{
    snprintf(out, cap, "%s/%s", dir, name);
}

static inline void write_file(const char *path, const void *data, size_t len)
{
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(data, 1, len, f), len);
    fclose(f);
}

static inline void read_at(const char *path, long off, void *dst, size_t len)
{
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    assert_int_equal(fseek(f, off, SEEK_SET), 0);
    assert_int_equal(fread(dst, 1, len, f), len);
    fclose(f);
}

static inline long file_size(const char *path)
{
    struct stat sb;
    return stat(path, &sb) == 0 ? (long)sb.st_size : -1;
}

static inline void remove_dir(const char *dir)
{
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    assert_int_equal(system(cmd), 0);
}
