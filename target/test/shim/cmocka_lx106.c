/* The cmocka subset of cmocka.h (this folder) for lx106 under QEMU. */
#include "cmocka.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static jmp_buf s_test_exit;
/* The running test's state: static, so that longjmp cannot clobber it. */
static void *s_state;

void cm_fail(const char *file, int line, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    printf("[   LINE   ] --- %s:%d: error: ", file, line);
    vprintf(fmt, ap);
    printf("\n");
    va_end(ap);
    longjmp(s_test_exit, 1);
}

/* 0x-prefixed hex of a 64-bit value, without 64-bit printf support. */
static const char *cm_hex64(unsigned long long v, char buf[24])
{
    unsigned long hi = (unsigned long)(v >> 32);
    unsigned long lo = (unsigned long)(v & 0xFFFFFFFFu);
    if (hi) {
        snprintf(buf, 24, "0x%lx%08lx", hi, lo);
    } else {
        snprintf(buf, 24, "0x%lx", lo);
    }
    return buf;
}

void cm_int_equal(unsigned long long a, unsigned long long b, int want_equal, const char *file,
                  int line)
{
    if ((a == b) != (want_equal != 0)) {
        char x[24];
        char y[24];
        cm_fail(file, line, "%s %s %s", cm_hex64(a, x), want_equal ? "!=" : "==", cm_hex64(b, y));
    }
}

void cm_memory_equal(const void *a, const void *b, size_t len, const char *file, int line)
{
    const unsigned char *x = a;
    const unsigned char *y = b;
    for (size_t i = 0; i < len; i++) {
        if (x[i] != y[i]) {
            cm_fail(file, line, "difference at offset %u: 0x%02x != 0x%02x", (unsigned)i, x[i],
                    y[i]);
        }
    }
}

void cm_string_equal(const char *a, const char *b, const char *file, int line)
{
    if (a == NULL || b == NULL || strcmp(a, b) != 0) {
        cm_fail(file, line, "\"%s\" != \"%s\"", a ? a : "(null)", b ? b : "(null)");
    }
}

int cm_run_group(const char *group, const struct CMUnitTest *tests, size_t count,
                 CMFixtureFunction setup, CMFixtureFunction teardown)
{
    void *group_state = NULL;
    volatile int failed = 0;
    printf("[==========] %s: Running %u test(s).\n", group, (unsigned)count);
    if (setup && setup(&group_state) != 0) {
        printf("[  ERROR   ] %s: group setup failed\n", group);
        return (int)count;
    }
    for (size_t i = 0; i < count; i++) {
        const struct CMUnitTest *t = &tests[i];
        s_state = t->initial_state ? t->initial_state : group_state;
        printf("[ RUN      ] %s\n", t->name);
        if (setjmp(s_test_exit) == 0) {
            if (t->setup_func && t->setup_func(&s_state) != 0) {
                cm_fail(__FILE__, __LINE__, "setup of %s failed", t->name);
            }
            t->test_func(&s_state);
            if (t->teardown_func) {
                (void)t->teardown_func(&s_state); /* as cmocka: a teardown result is not a failure */
            }
            printf("[       OK ] %s\n", t->name);
        } else {
            printf("[  FAILED  ] %s\n", t->name);
            failed++;
        }
    }
    if (teardown) {
        (void)teardown(&group_state);
    }
    printf("[==========] %s: %u test(s) run.\n", group, (unsigned)count);
    printf("[  PASSED  ] %u test(s).\n", (unsigned)(count - (size_t)failed));
    if (failed) {
        printf("[  FAILED  ] %d test(s).\n", failed);
    }
    return failed;
}

void print_message(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vprintf(fmt, ap);
    va_end(ap);
}
