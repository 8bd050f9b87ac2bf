/*
 * bench_mkimage IN.bin SIZE OUT.bin: a valid V3 app image of exactly SIZE
 * bytes made from the app image IN.bin (its segments, header and descriptor
 * unchanged) plus one more flash-mapped segment of pseudo-random bytes, so
 * that the benchmark can move 64 KB, 256 KB or 900 KB images that the core
 * parser, esp_ota_end and the bootloader all accept. IN.bin is read with the
 * core's parser; the new image is laid out by the tools' image writer.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bs_image.h"
#include "image_writer.h"

static uint8_t *slurp(const char *path, uint32_t *len)
{
    FILE *f = fopen(path, "rb");
    if (f == NULL || fseek(f, 0, SEEK_END) != 0) {
        return NULL;
    }
    long n = ftell(f);
    uint8_t *buf = n > 0 ? malloc((size_t)n) : NULL;
    if (buf == NULL || fseek(f, 0, SEEK_SET) != 0 || fread(buf, 1, (size_t)n, f) != (size_t)n) {
        free(buf);
        fclose(f);
        return NULL;
    }
    fclose(f);
    *len = (uint32_t)n;
    return buf;
}

int main(int argc, char **argv)
{
    if (argc != 4) {
        fprintf(stderr, "usage: bench_mkimage IN.bin SIZE OUT.bin\n");
        return 2;
    }
    uint32_t in_len = 0;
    uint8_t *in = slurp(argv[1], &in_len);
    uint32_t want = (uint32_t)strtoul(argv[2], NULL, 0);
    if (in == NULL) {
        fprintf(stderr, "bench_mkimage: cannot read %s\n", argv[1]);
        return 1;
    }
    static bs_image_stream_t s;
    const bs_image_opts_t opts = {.kind = BS_IMAGE_V3, .hash = BS_HASH_REQUIRED,
                                  .start_addr = 0x10000, .max_len = 0xF0000, .check_entry = true};
    bs_image_stream_init(&s, NULL, &opts);
    bs_image_info_t info;
    if (bs_image_stream_feed(&s, in, in_len, NULL) != ESP_OK ||
        bs_image_stream_finish(&s, &info) != ESP_OK) {
        fprintf(stderr, "bench_mkimage: %s is not a valid V3 app image\n", argv[1]);
        return 1;
    }
    unsigned n = info.header.segment_count;
    if (n + 1 > IMAGE_WRITER_MAX_SEGMENTS) {
        fprintf(stderr, "bench_mkimage: %s has no room for another segment\n", argv[1]);
        return 1;
    }
    image_writer_segment_t segs[IMAGE_WRITER_MAX_SEGMENTS];
    uint32_t pos = 8;
    for (unsigned i = 0; i < n; i++) {
        segs[i].load_addr = info.segments[i].load_addr;
        segs[i].data = in + info.segment_data_offset[i];
        segs[i].len = info.segments[i].data_len;
        pos += 8 + image_writer_padded_len(segs[i].len);
    }
    /* header + segments + 8 + pad, then the checksum byte closes a 16-byte
     * block (the writer pads 3 zero bytes before it), then 32 hash bytes. */
    uint32_t fixed = pos + 8 + 4 + 32;
    if ((want & 15u) != 0 || want < fixed + 4) {
        fprintf(stderr, "bench_mkimage: size %u must be a multiple of 16 and at least %u\n",
                (unsigned)want, (unsigned)(fixed + 4));
        return 1;
    }
    uint32_t pad_len = want - fixed;
    uint8_t *pad = malloc(pad_len);
    uint64_t x = 0x9E3779B97F4A7C15ull ^ want;
    for (uint32_t i = 0; i < pad_len; i++) {
        x ^= x << 13, x ^= x >> 7, x ^= x << 17;
        pad[i] = (uint8_t)x;
    }
    /* A flash segment runs where it lies: the window base plus its offset. */
    uint32_t window = info.segments[0].load_addr - info.segment_data_offset[0];
    segs[n].load_addr = window + pos + 8;
    segs[n].data = pad;
    segs[n].len = pad_len;
    const image_writer_spec_t spec = {
        .spi_mode = info.header.spi_mode, .spi_speed = info.header.spi_speed,
        .spi_size = info.header.spi_size, .entry = info.header.entry_addr,
        .segments = segs, .segment_count = n + 1, .append_hash = true};
    uint8_t *out = NULL;
    uint32_t out_len = 0;
    if (!image_writer_build(&spec, &out, &out_len) || out_len != want) {
        fprintf(stderr, "bench_mkimage: built %u bytes, wanted %u\n", (unsigned)out_len,
                (unsigned)want);
        return 1;
    }
    FILE *f = fopen(argv[3], "wb");
    if (f == NULL || fwrite(out, 1, out_len, f) != out_len || fclose(f) != 0) {
        fprintf(stderr, "bench_mkimage: cannot write %s\n", argv[3]);
        return 1;
    }
    free(out);
    free(pad);
    free(in);
    return 0;
}
