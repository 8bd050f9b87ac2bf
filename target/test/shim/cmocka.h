#pragma once
/*
 * The part of cmocka's API the core's unit tests use, for lx106 under QEMU
 * (cmocka itself is not built for lx106). Same names and semantics: a failed
 * assertion prints where and why, ends that test, and the group returns the
 * number of failed tests. Output lines follow cmocka's.
 */
#include <setjmp.h>
#include <stddef.h>
#include <stdint.h>

typedef void (*CMUnitTestFunction)(void **state);
typedef int (*CMFixtureFunction)(void **state);

struct CMUnitTest {
    const char *name;
    CMUnitTestFunction test_func;
    CMFixtureFunction setup_func;
    CMFixtureFunction teardown_func;
    void *initial_state;
};

#define cmocka_unit_test(f) {#f, f, NULL, NULL, NULL}
#define cmocka_run_group_tests(tests, setup, teardown)                                             \
    cm_run_group(#tests, (tests), sizeof(tests) / sizeof((tests)[0]), (setup), (teardown))

int cm_run_group(const char *group, const struct CMUnitTest *tests, size_t count,
                 CMFixtureFunction setup, CMFixtureFunction teardown);

void cm_fail(const char *file, int line, const char *fmt, ...) __attribute__((noreturn))
__attribute__((format(printf, 3, 4)));
void cm_int_equal(unsigned long long a, unsigned long long b, int want_equal, const char *file,
                  int line);
void cm_memory_equal(const void *a, const void *b, size_t len, const char *file, int line);
void cm_string_equal(const char *a, const char *b, const char *file, int line);

#define assert_true(c)                                                                             \
    do {                                                                                           \
        if (!(c)) {                                                                                \
            cm_fail(__FILE__, __LINE__, "%s", #c);                                                 \
        }                                                                                          \
    } while (0)
#define assert_false(c)                                                                            \
    do {                                                                                           \
        if (c) {                                                                                   \
            cm_fail(__FILE__, __LINE__, "%s", #c);                                                 \
        }                                                                                          \
    } while (0)
#define assert_null(p) assert_true((p) == NULL)
#define assert_non_null(p) assert_true((p) != NULL)
#define assert_int_equal(a, b)                                                                     \
    cm_int_equal((unsigned long long)(a), (unsigned long long)(b), 1, __FILE__, __LINE__)
#define assert_int_not_equal(a, b)                                                                 \
    cm_int_equal((unsigned long long)(a), (unsigned long long)(b), 0, __FILE__, __LINE__)
#define assert_memory_equal(a, b, n) cm_memory_equal((a), (b), (n), __FILE__, __LINE__)
#define assert_string_equal(a, b) cm_string_equal((a), (b), __FILE__, __LINE__)
#define fail_msg(...) cm_fail(__FILE__, __LINE__, __VA_ARGS__)

/* cmocka's printf to the test output. */
void print_message(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
