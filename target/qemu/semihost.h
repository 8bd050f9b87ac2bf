#pragma once
/* Console and exit of lx106 programs under QEMU, through semihosting simcalls. */
#include <stddef.h>

/* Writes len bytes to the host's stdout (fd 1) or stderr (fd 2). */
void semihost_write(int fd, const void *buf, size_t len);
/* Ends the emulation; QEMU exits with `code`. */
void semihost_exit(int code) __attribute__((noreturn));
