/* Division for a CPU whose libgcc we do not trust to have it (lx106). */
#include "bs_port.h"

uint32_t bs_udivmod32(uint32_t n, uint32_t d, uint32_t *rem)
{
    uint32_t q = 0;
    uint32_t r = 0;
    for (int bit = 31; bit >= 0; bit--) {
        r = (r << 1) | ((n >> bit) & 1u);
        if (r >= d) {
            r -= d;
            q |= 1u << bit;
        }
    }
    if (rem) {
        *rem = r;
    }
    return q;
}
