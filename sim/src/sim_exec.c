/* Runs a boot stage from the bytes of an image in flash (DESIGN.md §2): the
 * bytes are read through the counted flash API into a memfd and exec'd, so
 * what runs is exactly what is on the virtual chip. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "sim_device.h"

extern char **environ;

static esp_err_t copy_to_memfd(sim_flash_t *flash, uint32_t addr, uint32_t len, int mfd)
{
    static uint8_t buf[64 * 1024];
    while (len > 0) {
        uint32_t n = len < sizeof buf ? len : (uint32_t)sizeof buf;
        esp_err_t err = sim_flash_read(flash, addr, buf, n);
        if (err != ESP_OK) {
            return err;
        }
        if (write(mfd, buf, n) != (ssize_t)n) {
            return ESP_FAIL;
        }
        addr += n;
        len -= n;
    }
    return ESP_OK;
}

static int clear_cloexec(int fd)
{
    int fl = fcntl(fd, F_GETFD);
    return fl < 0 ? -1 : fcntl(fd, F_SETFD, fl & ~FD_CLOEXEC);
}

esp_err_t sim_exec_from_flash(sim_flash_t *flash, uint32_t addr, uint32_t len, const char *name)
{
    /* MFD_CLOEXEC is fine for an ELF: the kernel has the file open by the time it closes. */
    int mfd = memfd_create(name, MFD_CLOEXEC);
    if (mfd < 0) {
        fprintf(stderr, "[ota8266] memfd_create: %s\n", strerror(errno));
        return ESP_FAIL;
    }
    esp_err_t err = copy_to_memfd(flash, addr, len, mfd);
    if (err != ESP_OK) {
        close(mfd);
        return err;
    }
    int state_fd = -1;
    const char *s = getenv("OTA8266_STATE_FD");
    if (s) {
        state_fd = atoi(s);
    }
    char fdtext[16];
    snprintf(fdtext, sizeof fdtext, "%d", flash->fd);
    setenv("OTA8266_FLASH_FD", fdtext, 1);
    if (clear_cloexec(flash->fd) < 0 || (state_fd >= 0 && clear_cloexec(state_fd) < 0)) {
        close(mfd);
        return ESP_FAIL;
    }
    fflush(stdout);
    char *argv[] = {(char *)name, NULL};
    fexecve(mfd, argv, environ);
    /* Only reached when the bytes are not a runnable program. */
    fprintf(stderr, "[ota8266] cannot run %s from flash 0x%08x (%u bytes): %s\n", name,
            (unsigned)addr, (unsigned)len, strerror(errno));
    close(mfd);
    return ESP_FAIL;
}
