/*
 * QEMU's Xtensa semihosting (simcall): a2 = call number, a3..a5 = arguments,
 * the result comes back in a2. SYS_write = 4 (fd, buf, len), SYS_exit = 1
 * (code, which becomes QEMU's exit status). picolibc's stdout and stderr are
 * line-buffered streams over SYS_write.
 */
#include "semihost.h"

#include <stdint.h>
#include <stdio.h>

#define SH_SYS_EXIT 1
#define SH_SYS_WRITE 4

static int simcall(int nr, int a, int b, int c)
{
    register int a2 __asm__("a2") = nr;
    register int a3 __asm__("a3") = a;
    register int a4 __asm__("a4") = b;
    register int a5 __asm__("a5") = c;
    __asm__ volatile("simcall" : "+r"(a2), "+r"(a3) : "r"(a4), "r"(a5) : "memory");
    return a2;
}

void semihost_write(int fd, const void *buf, size_t len)
{
    (void)simcall(SH_SYS_WRITE, fd, (int)(uintptr_t)buf, (int)len);
}

void semihost_exit(int code)
{
    fflush(stdout);
    fflush(stderr);
    for (;;) {
        (void)simcall(SH_SYS_EXIT, code, 0, 0);
    }
}

typedef struct {
    FILE file;
    int fd;
    size_t len;
    char buf[256];
} sh_stream_t;

static int sh_flush(FILE *f)
{
    sh_stream_t *s = (sh_stream_t *)f;
    if (s->len) {
        semihost_write(s->fd, s->buf, s->len);
        s->len = 0;
    }
    return 0;
}

static int sh_put(char c, FILE *f)
{
    sh_stream_t *s = (sh_stream_t *)f;
    s->buf[s->len++] = c;
    if (c == '\n' || s->len == sizeof s->buf) {
        sh_flush(f);
    }
    return (unsigned char)c;
}

static sh_stream_t s_out = {FDEV_SETUP_STREAM(sh_put, NULL, sh_flush, _FDEV_SETUP_WRITE), 1, 0,
                            {0}};
static sh_stream_t s_err = {FDEV_SETUP_STREAM(sh_put, NULL, sh_flush, _FDEV_SETUP_WRITE), 2, 0,
                            {0}};

FILE *const stdout = &s_out.file;
FILE *const stderr = &s_err.file;
FILE *const stdin = NULL;

/* Where start.S goes when main returns, and picolibc's exit and abort. */
void target_exit(int code) __attribute__((noreturn));
void target_exit(int code)
{
    semihost_exit(code);
}

void _exit(int code) __attribute__((noreturn));
void _exit(int code)
{
    semihost_exit(code);
}
