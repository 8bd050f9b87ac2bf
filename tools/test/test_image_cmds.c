/*
 * ota8266 elf2image: the exact bytes of V3 app and v1 bootloader images
 * (reference §3), recomputed here independently (checksum by hand, SHA-256
 * by mbedTLS), the app descriptor's sources, and the command's errors.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "bs_image.h"
#include "commands.h"
#include "image_test_util.h"

#define EPOCH "1700000000" /* 2023-11-14 22:13:20 UTC */

/* This test program's own compiled-in descriptor, as an app has one. */
__attribute__((section(".rodata_desc"), used)) static const esp_app_desc_t s_self_desc = {
    .magic_word = ESP_APP_DESC_MAGIC_WORD,
    .secure_version = 3,
    .version = "self-2.0",
    .project_name = "image_cmds_test",
    .time = "11:22:33",
    .date = "Feb  3 2024",
    .idf_ver = "v3.4-selftest",
};

static uint32_t pad4(size_t n)
{
    return (uint32_t)((n + 3u) & ~(size_t)3u);
}

/* V3 app layout: header (8), segment 0 header (8), the 256-byte descriptor,
 * segment 1 header (8), then the ELF. Header and descriptor are the first
 * 280 bytes, so a download can be judged before anything is erased. */
#define DESC_OFF 16u        /* the descriptor's data in the file */
#define SEG1_HDR_OFF 272u   /* segment 1's header */
#define ELF_OFF 280u        /* the ELF's first byte in the file */
#define TEXT_DELTA 264u     /* segment 1's vaddr - segment 0's: 256 + 8 */

/* Runs elf2image with the extra options (NULL-terminated) and returns the
 * image (caller frees); asserts success. */
static uint8_t *elf2image(const char *in, const char *out, size_t *len, ...)
{
    char *argv[24];
    int argc = 0;
    argv[argc++] = "elf2image";
    va_list ap;
    va_start(ap, len);
    const char *a;
    while ((a = va_arg(ap, const char *)) != NULL && argc < 20) {
        argv[argc++] = (char *)a;
    }
    va_end(ap);
    argv[argc++] = "-o";
    argv[argc++] = (char *)out;
    argv[argc++] = (char *)in;
    argv[argc] = NULL;
    t_run_t r = t_run_argv(cmd_elf2image, argc, argv);
    if (r.rc != 0) {
        print_error("elf2image failed: %s", r.err);
    }
    assert_int_equal(r.rc, 0);
    t_run_free(&r);
    uint8_t *img = t_read(out, len);
    assert_non_null(img);
    return img;
}

/* The checksum as reference §3.4 defines it, over the data the test knows. */
static uint8_t xor_sum(uint8_t acc, const uint8_t *p, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        acc ^= p[i];
    }
    return acc;
}

/* V3 layout for several slots: same window offset -> same bytes. */
static void test_v3_layout_per_app_offset(void **state)
{
    (void)state;
    static const struct {
        const char *offset;
        uint32_t desc_addr;
        uint32_t text_addr; /* XIP identity: 0x40200000 + (offset & 0xFFFFF) + 280 */
    } cases[] = {
        {"0x10000", 0x40210010u, 0x40210118u},  {"0x110000", 0x40210010u, 0x40210118u},
        {"0x80000", 0x40280010u, 0x40280118u},  {"0x210000", 0x40210010u, 0x40210118u},
        {"0x3ff000", 0x402ff010u, 0x402ff118u},
    };
    const tiny_elf_t t = {.entry_off = 0x90, .tail = 3}; /* odd size: padding shows */
    const char *elf_path = t_path("app.elf");
    size_t elf_len = tiny_elf_write(elf_path, &t);
    size_t elf_file_len;
    uint8_t *elf = t_read(elf_path, &elf_file_len);
    setenv("SOURCE_DATE_EPOCH", EPOCH, 1);
    uint8_t *first = NULL;
    size_t first_len = 0;
    for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
        size_t len;
        uint8_t *img = elf2image(elf_path, t_path("app.bin"), &len, "--app-offset", cases[c].offset,
                                 "--flash_size", "4MB", NULL);
        uint32_t len0 = pad4(elf_len);
        assert_int_equal(len0 % 4, 0);
        assert_true(len0 > elf_len);
        /* header: magic, 2 segments, DIO (default qio mapped), 4 MB V3 code 2 | 40 MHz */
        assert_int_equal(img[0], 0xE9);
        assert_int_equal(img[1], 2);
        assert_int_equal(img[2], 2);
        assert_int_equal(img[3], 0x20);
        assert_int_equal(cases[c].text_addr, cases[c].desc_addr + TEXT_DELTA);
        assert_int_equal(t_le32(img + 4), cases[c].text_addr + t.entry_off);
        /* segment 0: the app descriptor, judged from the first 280 bytes */
        assert_int_equal(t_le32(img + 8), cases[c].desc_addr);
        assert_int_equal(t_le32(img + 12), 256);
        assert_int_equal(t_le32(img + DESC_OFF), 0xABCD5432u);
        /* segment 1: the whole ELF, zero padded, at its XIP identity address */
        assert_int_equal(t_le32(img + SEG1_HDR_OFF), cases[c].text_addr);
        assert_int_equal(t_le32(img + SEG1_HDR_OFF + 4), len0);
        assert_memory_equal(img + ELF_OFF, elf, elf_len);
        for (uint32_t i = (uint32_t)elf_len; i < len0; i++) {
            assert_int_equal(img[ELF_OFF + i], 0);
        }
        /* checksum ends a 16-byte block, SHA-256 follows */
        uint32_t seg_end = ELF_OFF + len0;
        uint32_t cs = seg_end | 15u;
        assert_int_equal(len, cs + 1 + 32);
        assert_int_equal((cs + 1) % 16, 0);
        for (uint32_t i = seg_end; i < cs; i++) {
            assert_int_equal(img[i], 0);
        }
        uint8_t sum = xor_sum(xor_sum(0xEF, img + DESC_OFF, 256), elf, elf_len);
        assert_int_equal(img[cs], sum);
        uint8_t digest[32];
        t_sha256(img, cs + 1, digest);
        assert_memory_equal(img + cs + 1, digest, 32);
        /* one binary for every slot of the same window offset */
        if (c == 0) {
            first = img;
            first_len = len;
            continue;
        }
        if (cases[c].text_addr == cases[0].text_addr) {
            assert_int_equal(len, first_len);
            assert_memory_equal(img, first, len);
        }
        free(img);
    }
    free(first);
    free(elf);
    unsetenv("SOURCE_DATE_EPOCH");
}

/* The images pass the core's parser as the bootloader runs it: entry check
 * on, the slot's start and size, hash required. */
static void test_v3_accepted_by_core_in_its_slot(void **state)
{
    (void)state;
    static const uint32_t slots[] = {0x10000u, 0x110000u, 0x210000u, 0x80000u};
    const tiny_elf_t t = {.entry_off = 0x100};
    const char *elf_path = t_path("slot.elf");
    size_t elf_len = tiny_elf_write(elf_path, &t);
    for (size_t i = 0; i < sizeof slots / sizeof slots[0]; i++) {
        char off[16];
        snprintf(off, sizeof off, "0x%x", (unsigned)slots[i]);
        size_t len;
        uint8_t *img = elf2image(elf_path, t_path("slot.bin"), &len, "--app-offset", off, NULL);
        const bs_image_opts_t opts = {.kind = BS_IMAGE_V3,
                                      .hash = BS_HASH_REQUIRED,
                                      .start_addr = slots[i],
                                      .max_len = 0x70000u,
                                      .check_entry = true};
        bs_image_stream_t s;
        bs_image_stream_init(&s, NULL, &opts);
        assert_int_equal(bs_image_stream_feed(&s, img, (uint32_t)len, NULL), ESP_OK);
        bs_image_info_t info;
        assert_int_equal(bs_image_stream_finish(&s, &info), ESP_OK);
        assert_true(info.has_desc);
        assert_int_equal(info.desc_offset, DESC_OFF);
        uint32_t desc_addr = 0x40200010u + (slots[i] & 0xFFFFFu);
        assert_int_equal(info.header.entry_addr, desc_addr + TEXT_DELTA + t.entry_off);
        assert_int_equal(info.segments[0].load_addr, desc_addr);
        assert_int_equal(info.segments[0].data_len, 256);
        assert_int_equal(info.segment_data_offset[0], DESC_OFF);
        assert_int_equal(info.segments[1].load_addr, desc_addr + TEXT_DELTA);
        assert_int_equal(info.segments[1].data_len, pad4(elf_len));
        assert_int_equal(info.segment_data_offset[1], ELF_OFF);
        assert_int_equal(info.image_len, len);
        free(img);
    }
}

static void test_v3_header_fields(void **state)
{
    (void)state;
    static const struct {
        const char *mode, *freq, *size;
        uint8_t b2, b3;
    } cases[] = {
        {"qio", "40m", "1MB", 2, 0x00},  {"qout", "26m", "2MB", 2, 0x11},
        {"dio", "20m", "4MB", 2, 0x22},  {"dout", "80m", "8MB", 3, 0x3F},
        {"dio", "40m", "16MB", 2, 0x40},
    };
    const char *elf_path = t_path("hdr.elf");
    tiny_elf_write(elf_path, &(tiny_elf_t){.entry_off = 0x80});
    for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
        /* esptool's spellings and ours: --flash_size/--flash-size, --version=3, --output */
        char *argv[] = {"elf2image",      "--version=3",
                        "--flash_mode",   (char *)cases[c].mode,
                        "--flash_freq",   (char *)cases[c].freq,
                        "--flash-size",   (char *)cases[c].size,
                        "--output",       (char *)t_path("hdr.bin"),
                        (char *)elf_path, NULL};
        t_run_t r = t_run_argv(cmd_elf2image, 11, argv);
        assert_int_equal(r.rc, 0);
        t_run_free(&r);
        size_t len;
        uint8_t *img = t_read(t_path("hdr.bin"), &len);
        assert_int_equal(img[2], cases[c].b2);
        assert_int_equal(img[3], cases[c].b3);
        free(img);
    }
}

/* v1: ROM size codes, mode as given, one IRAM segment, no hash. */
static void test_v1_bootloader_image(void **state)
{
    (void)state;
    static const struct {
        const char *mode, *size;
        uint8_t b2, b3;
    } cases[] = {
        {"qio", "1MB", 0, 0x20},  {"qout", "2MB", 1, 0x30}, {"dio", "4MB", 2, 0x40},
        {"dout", "8MB", 3, 0x80}, {"dio", "16MB", 2, 0x90},
    };
    const tiny_elf_t t = {.entry_off = 0xA4, .tail = 1};
    const char *elf_path = t_path("boot.elf");
    size_t elf_len = tiny_elf_write(elf_path, &t);
    size_t n;
    uint8_t *elf = t_read(elf_path, &n);
    for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
        size_t len;
        uint8_t *img =
            elf2image(elf_path, t_path("boot.bin"), &len, "--version", "1", "--flash_mode",
                      cases[c].mode, "--flash_size", cases[c].size, NULL);
        uint32_t len0 = pad4(elf_len);
        assert_int_equal(img[0], 0xE9);
        assert_int_equal(img[1], 1);
        assert_int_equal(img[2], cases[c].b2);
        assert_int_equal(img[3], cases[c].b3);
        assert_int_equal(t_le32(img + 4), 0x40100000u + t.entry_off);
        assert_int_equal(t_le32(img + 8), 0x40100000u);
        assert_int_equal(t_le32(img + 12), len0);
        assert_memory_equal(img + 16, elf, elf_len);
        uint32_t cs = (16 + len0) | 15u;
        assert_int_equal(len, cs + 1); /* no SHA-256 */
        assert_int_equal(img[cs], xor_sum(0xEF, elf, elf_len));
        free(img);
    }
    free(elf);
}

/* Segment 0's data, after asserting that segment 0 is exactly the descriptor. */
static const uint8_t *desc_of(const uint8_t *img)
{
    assert_int_equal(img[1], 2);
    assert_int_equal(t_le32(img + 12), 256);
    return img + DESC_OFF;
}

static void test_desc_from_options(void **state)
{
    (void)state;
    const char *elf_path = t_path("plain.elf");
    tiny_elf_write(elf_path, &(tiny_elf_t){.entry_off = 0x80});
    size_t n;
    uint8_t *elf = t_read(elf_path, &n);
    uint8_t sha[32];
    t_sha256(elf, n, sha);
    setenv("SOURCE_DATE_EPOCH", EPOCH, 1);

    uint8_t want[256];
    size_t len;
    uint8_t *img = elf2image(elf_path, t_path("o.bin"), &len, "--project-name", "demo_app",
                             "--project-version", "7.1", NULL);
    t_desc(want, "7.1", "demo_app", "22:13:20", "Nov 14 2023", "v3.4-ota8266");
    memcpy(want + 144, sha, 32);
    assert_memory_equal(desc_of(img), want, 256);
    free(img);

    /* no options: the ELF's base name without .elf, version "1" */
    img = elf2image(elf_path, t_path("o.bin"), &len, "--sdk-version", "v3.3-custom", NULL);
    t_desc(want, "1", "plain", "22:13:20", "Nov 14 2023", "v3.3-custom");
    memcpy(want + 144, sha, 32);
    assert_memory_equal(desc_of(img), want, 256);
    free(img);

    /* a 31-character name fills the field but its NUL */
    const char *long_name = "abcdefghijklmnopqrstuvwxyz01234";
    img = elf2image(elf_path, t_path("o.bin"), &len, "--project-name", long_name, NULL);
    assert_memory_equal(desc_of(img) + 48, long_name, 31);
    assert_int_equal(desc_of(img)[48 + 31], 0);
    free(img);
    free(elf);
    unsetenv("SOURCE_DATE_EPOCH");
}

static void test_desc_from_rodata_desc(void **state)
{
    (void)state;
    uint8_t app[256];
    t_desc(app, "2.5", "from_elf", "01:02:03", "Jan  2 2024", "v3.4-test");
    t_put32(app + 4, 9); /* secure_version */
    for (int i = 0; i < 32; i++) {
        app[144 + i] = 0xEE; /* whatever the app had: replaced */
    }
    const char *elf_path = t_path("desc.elf");
    tiny_elf_write(elf_path, &(tiny_elf_t){.entry_off = 0x80, .desc = app});
    size_t n;
    uint8_t *elf = t_read(elf_path, &n);
    uint8_t want[256];
    memcpy(want, app, 256);
    t_sha256(elf, n, want + 144);

    size_t len;
    uint8_t *img = elf2image(elf_path, t_path("d.bin"), &len, NULL);
    assert_memory_equal(desc_of(img), want, 256);
    free(img);

    /* explicit options override the compiled-in fields, the rest stays */
    img = elf2image(elf_path, t_path("d.bin"), &len, "--project-version", "2.6", "--sdk-version",
                    "v9", NULL);
    memset(want + 16, 0, 32);
    memcpy(want + 16, "2.6", 3);
    memset(want + 112, 0, 32);
    memcpy(want + 112, "v9", 2);
    assert_memory_equal(desc_of(img), want, 256);
    free(img);
    free(elf);
}

/* A .rodata_desc without the magic is not a descriptor: one is built, with a warning. */
static void test_rodata_desc_without_magic(void **state)
{
    (void)state;
    uint8_t junk[256];
    memset(junk, 0x11, sizeof junk);
    const char *elf_path = t_path("junk.elf");
    tiny_elf_write(elf_path, &(tiny_elf_t){.entry_off = 0x80, .desc = junk});
    setenv("SOURCE_DATE_EPOCH", EPOCH, 1);
    t_run_t r = t_run(cmd_elf2image, "elf2image", "-o", t_path("junk.bin"), elf_path, NULL);
    unsetenv("SOURCE_DATE_EPOCH");
    assert_int_equal(r.rc, 0);
    assert_non_null(strstr(r.err, "warning: .rodata_desc has no app descriptor"));
    t_run_free(&r);
    size_t n, len;
    uint8_t *elf = t_read(elf_path, &n);
    uint8_t *img = t_read(t_path("junk.bin"), &len);
    uint8_t want[256];
    t_desc(want, "1", "junk", "22:13:20", "Nov 14 2023", "v3.4-ota8266");
    t_sha256(elf, n, want + 144);
    assert_memory_equal(desc_of(img), want, 256);
    free(img);
    free(elf);
}

/* A real linked executable: this test program, whose .rodata_desc is s_self_desc. */
static void test_self_exe_entry_and_desc(void **state)
{
    (void)state;
    size_t n;
    uint8_t *elf = t_read("/proc/self/exe", &n);
    assert_non_null(elf);
    Elf64_Ehdr eh;
    memcpy(&eh, elf, sizeof eh);
    uint64_t entry_off = 0;
    for (int i = 0; i < eh.e_phnum; i++) {
        Elf64_Phdr ph;
        memcpy(&ph, elf + eh.e_phoff + (size_t)i * eh.e_phentsize, sizeof ph);
        if (ph.p_type == PT_LOAD && eh.e_entry >= ph.p_vaddr &&
            eh.e_entry < ph.p_vaddr + ph.p_filesz) {
            entry_off = ph.p_offset + (eh.e_entry - ph.p_vaddr);
        }
    }
    assert_true(entry_off > 0);
    size_t len;
    uint8_t *img =
        elf2image("/proc/self/exe", t_path("self.bin"), &len, "--app-offset", "0x110000", NULL);
    assert_int_equal(t_le32(img + 4), 0x40210118u + entry_off);
    assert_int_equal(t_le32(img + 8), 0x40210010u);
    assert_int_equal(t_le32(img + SEG1_HDR_OFF), 0x40210118u);
    assert_int_equal(t_le32(img + SEG1_HDR_OFF + 4), pad4(n));
    assert_memory_equal(img + ELF_OFF, elf, n);
    const uint8_t *d = desc_of(img);
    assert_int_equal(t_le32(d), 0xABCD5432u);
    assert_int_equal(t_le32(d + 4), 3);
    assert_string_equal((const char *)d + 16, s_self_desc.version);
    assert_string_equal((const char *)d + 48, s_self_desc.project_name);
    assert_string_equal((const char *)d + 80, "11:22:33");
    assert_string_equal((const char *)d + 96, "Feb  3 2024");
    assert_string_equal((const char *)d + 112, "v3.4-selftest");
    uint8_t sha[32];
    t_sha256(elf, n, sha);
    assert_memory_equal(d + 144, sha, 32);
    free(img);
    free(elf);
}

static void test_input_errors(void **state)
{
    (void)state;
    static const char html[] = "<!DOCTYPE html><html>404</html>\n";
    t_write(t_path("page.html"), html, sizeof html - 1);
    tiny_elf_write(t_path("noentry.elf"), &(tiny_elf_t){.entry_off = 0x80, .entry_outside = true});
    tiny_elf_write(t_path("far.elf"), &(tiny_elf_t){.entry_off = 0x1000});
    uint8_t elf32[64] = {0x7f, 'E', 'L', 'F', ELFCLASS32, ELFDATA2LSB, 1};
    t_write(t_path("e32.elf"), elf32, sizeof elf32);
    static const struct {
        const char *input, *offset, *want;
    } cases[] = {
        {"page.html", "0x10000", "not an ELF file: starts with 3c 21 44 4f"},
        {"missing.elf", "0x10000", "cannot open"},
        {"e32.elf", "0x10000", "not ELFCLASS64"},
        {"noentry.elf", "0x10000", "entry point 0x900000 is in no loadable segment"},
        /* 0x402ff118 (the ELF's vaddr) + 0x1000 is past the window's end 0x40300000 */
        {"far.elf", "0xff000", "past the end of the 1 MB flash window"},
    };
    for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
        unlink(t_path("err.bin"));
        t_run_t r = t_run(cmd_elf2image, "elf2image", "--app-offset", cases[c].offset, "-o",
                          t_path("err.bin"), t_path(cases[c].input), NULL);
        assert_int_equal(r.rc, 1);
        assert_non_null(strstr(r.err, cases[c].want));
        assert_non_null(strstr(r.err, "ota8266 elf2image: error: "));
        assert_int_equal(access(t_path("err.bin"), F_OK), -1); /* nothing written */
        t_run_free(&r);
    }
}

/* An image past its window's end is still written, with a warning. */
static void test_image_past_window_warned(void **state)
{
    (void)state;
    const char *elf = t_path("big.elf");
    tiny_elf_write(elf, &(tiny_elf_t){.entry_off = 0x80, .tail = 4000});
    t_run_t r = t_run(cmd_elf2image, "elf2image", "--app-offset", "0xff000", "-o",
                      t_path("big.bin"), elf, NULL);
    assert_int_equal(r.rc, 0);
    assert_non_null(strstr(r.err, "warning: the "));
    assert_non_null(strstr(r.err, "runs past the end of its 1 MB flash window"));
    assert_int_equal(access(t_path("big.bin"), F_OK), 0);
    t_run_free(&r);
    r = t_run(cmd_elf2image, "elf2image", "--app-offset", "0xfe000", "-o", t_path("big.bin"), elf,
              NULL);
    assert_int_equal(r.rc, 0);
    assert_string_equal(r.err, "");
    t_run_free(&r);
}

static void test_bad_arguments(void **state)
{
    (void)state;
    const char *elf = t_path("args.elf");
    tiny_elf_write(elf, &(tiny_elf_t){.entry_off = 0x80});
    const char *out = t_path("args.bin");
    static const char *const cases[][8] = {
        {NULL},
        {"-o", NULL},
        {"__ELF__", NULL},
        {"--version", "2", "-o", "__OUT__", "__ELF__", NULL},
        {"--flash_mode", "fastread", "-o", "__OUT__", "__ELF__", NULL},
        {"--flash_freq", "30m", "-o", "__OUT__", "__ELF__", NULL},
        {"--flash_size", "3MB", "-o", "__OUT__", "__ELF__", NULL},
        {"--app-offset", "0x10800", "-o", "__OUT__", "__ELF__", NULL},
        {"--app-offset", "lots", "-o", "__OUT__", "__ELF__", NULL},
        {"--project-name", "abcdefghijklmnopqrstuvwxyz012345", "-o", "__OUT__", "__ELF__", NULL},
        {"--version", "1", "--app-offset", "0x10000", "-o", "__OUT__", "__ELF__", NULL},
        {"--bogus", "-o", "__OUT__", "__ELF__", NULL},
        {"-o", "__OUT__", "__ELF__", "__ELF__", NULL},
        {"--chip", "esp32", "-o", "__OUT__", "__ELF__", NULL},
    };
    for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
        char *argv[10] = {"elf2image"};
        int argc = 1;
        for (int i = 0; cases[c][i]; i++) {
            const char *a = cases[c][i];
            argv[argc++] = (char *)(!strcmp(a, "__ELF__") ? elf : !strcmp(a, "__OUT__") ? out : a);
        }
        argv[argc] = NULL;
        unlink(out);
        t_run_t r = t_run_argv(cmd_elf2image, argc, argv);
        if (r.rc != 2) {
            print_error("case %zu: rc %d, stderr %s", c, r.rc, r.err);
        }
        assert_int_equal(r.rc, 2);
        assert_non_null(strstr(r.err, "ota8266 elf2image: error: "));
        assert_int_equal(access(out, F_OK), -1);
        t_run_free(&r);
    }
}

static void test_help(void **state)
{
    (void)state;
    t_run_t r = t_run(cmd_elf2image, "elf2image", "--help", NULL);
    assert_int_equal(r.rc, 0);
    assert_true(!strncmp(r.out, "usage: ota8266 elf2image", 24));
    assert_string_equal(r.err, "");
    t_run_free(&r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_v3_layout_per_app_offset),
        cmocka_unit_test(test_v3_accepted_by_core_in_its_slot),
        cmocka_unit_test(test_v3_header_fields),
        cmocka_unit_test(test_v1_bootloader_image),
        cmocka_unit_test(test_desc_from_options),
        cmocka_unit_test(test_desc_from_rodata_desc),
        cmocka_unit_test(test_rodata_desc_without_magic),
        cmocka_unit_test(test_self_exe_entry_and_desc),
        cmocka_unit_test(test_input_errors),
        cmocka_unit_test(test_image_past_window_warned),
        cmocka_unit_test(test_bad_arguments),
        cmocka_unit_test(test_help),
    };
    return cmocka_run_group_tests(tests, t_setup_dir, t_teardown_dir);
}
