/* The chip's random number generator, on the host: the kernel's. */
#include <stdlib.h>
#include <sys/random.h>

#include "esp_system.h"

void esp_fill_random(void *buf, size_t len)
{
    unsigned char *p = buf;
    while (len > 0) {
        ssize_t n = getrandom(p, len, 0);
        if (n <= 0) {
            /* Only EINTR is possible here (valid buffer, no flags); a chip's
             * RNG cannot fail either, so retry rather than return less. */
            continue;
        }
        p += n;
        len -= (size_t)n;
    }
}

uint32_t esp_random(void)
{
    uint32_t v;
    esp_fill_random(&v, sizeof v);
    return v;
}
