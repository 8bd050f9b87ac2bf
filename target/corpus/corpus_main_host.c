/* The decision driver on the host: corpus_host CORPUS_FILE > out.txt */
#include <stdio.h>
#include <stdlib.h>

#include "corpus.h"

static void out_stdout(void *ctx, const char *text)
{
    (void)ctx;
    fputs(text, stdout);
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: %s CORPUS_FILE\n", argv[0]);
        return 2;
    }
    FILE *f = fopen(argv[1], "rb");
    if (!f) {
        perror(argv[1]);
        return 2;
    }
    static uint8_t blob[64u << 20];
    size_t len = fread(blob, 1, sizeof blob, f);
    fclose(f);
    uint8_t *flash = malloc(CORPUS_MAX_CHIP);
    if (!flash) {
        return 2;
    }
    int n = corpus_run(blob, (uint32_t)len, flash, out_stdout, NULL);
    free(flash);
    return n < 0 ? 1 : 0;
}
