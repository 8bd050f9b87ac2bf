/* The decision driver on lx106 under QEMU: the corpus file is placed at
 * _qemu_blob by QEMU's loader (run_qemu.sh), the flash scratch is heap. */
#include <stdio.h>
#include <stdlib.h>

#include "bs_port.h"
#include "corpus.h"

extern const uint8_t _qemu_blob[];

static void out_stdout(void *ctx, const char *text)
{
    (void)ctx;
    fputs(text, stdout);
}

int main(void)
{
    uint8_t *flash = malloc(CORPUS_MAX_CHIP);
    if (!flash) {
        return 2;
    }
    int n = corpus_run(_qemu_blob, bs_le32(_qemu_blob + 8), flash, out_stdout, NULL);
    return n < 0 ? 1 : 0;
}
