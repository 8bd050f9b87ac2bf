#!/usr/bin/env python3
"""Builds the bytes esptool's elf2image writes for an lx106 ELF, from its
rules alone (reference section 3; SDK esptool v2.4.0), and compares them with
ota8266 elf2image's output. Independent of the C code under test.
usage: elf2image_expected.py OTA8266 ELF VERSION OUT_DIR"""
import hashlib
import struct
import subprocess
import sys

ESP8266_SIZES = {'1MB': 0x20, '2MB': 0x30, '4MB': 0x40}
ESP32_SIZES = {'1MB': 0x00, '2MB': 0x10, '4MB': 0x20}


def sections(elf):
    assert elf[:4] == b'\x7fELF' and struct.unpack_from('<H', elf, 18)[0] == 0x5e
    entry = struct.unpack_from('<I', elf, 24)[0]
    shoff = struct.unpack_from('<I', elf, 32)[0]
    shnum, shstrndx = struct.unpack_from('<HH', elf, 48)
    hdrs = [struct.unpack_from('<IIIIII', elf, shoff + 0x28 * i) for i in range(shnum)]
    strtab = hdrs[shstrndx][4]
    out = []
    for name, typ, _flags, addr, off, size in hdrs:
        if typ == 1 and addr != 0:
            nm = elf[strtab + name:elf.index(b'\0', strtab + name)].decode()
            data = elf[off:off + size]
            data += b'\0' * (-len(data) % 4)
            out.append((nm, addr, data))
    return entry, out


def image(entry, segs, mode, size_freq, digest):
    body = struct.pack('<BBBBI', 0xE9, len(segs), mode, size_freq, entry)
    csum = 0xEF
    for addr, data in segs:
        body += struct.pack('<II', addr, len(data)) + data
        for b in data:
            csum ^= b
    body += b'\0' * (15 - len(body) % 16) + bytes([csum])
    return body + (hashlib.sha256(body).digest() if digest else b'')


def main():
    tool, elf_path, version, out = sys.argv[1:5]
    entry, secs = sections(open(elf_path, 'rb').read())
    out_bin = f'{out}/e2i_v{version}.bin'
    extra = {}
    if version == '1':
        irom = [s for s in secs if 0x40200000 <= s[1] < 0x40300000]
        assert len(irom) <= 1
        if irom:
            extra[f'{out_bin}0x{irom[0][1] - 0x40200000:05x}.bin'] = irom[0][2]
        segs = [(a, d) for n, a, d in secs if not 0x40200000 <= a < 0x40300000]
        want = image(entry, segs, 2, ESP8266_SIZES['2MB'] | 0, False)
        args = ['--version', '1', '--flash_mode', 'dio', '--flash_size', '2MB']
    else:
        flash = sorted([s for s in secs if s[1] >= 0x40200000 and s[2]], key=lambda s: s[1])
        ram = sorted([s for s in secs if s[1] < 0x40200000 and s[2]], key=lambda s: s[1])
        segs = [(a, d[8:] if n == '.flash.rodata' else d) for n, a, d in flash + ram]
        want = image(entry, segs, 0, ESP32_SIZES['4MB'] | 0xF, True)
        args = ['--version=3', '--flash_mode', 'qio', '--flash_freq', '80m', '--flash_size', '4MB']
    subprocess.run([tool, 'elf2image', *args, '-o', out_bin, elf_path], check=True,
                   stdout=subprocess.DEVNULL)
    got = open(out_bin, 'rb').read()
    if got != want:
        print(f'FAIL: {elf_path} v{version}: {len(got)} bytes differ from the expected {len(want)}')
        return 1
    for path, data in extra.items():
        if open(path, 'rb').read() != data:
            print(f'FAIL: {path} differs from the irom0 section')
            return 1
    print(f'{elf_path} v{version}: {len(got)} bytes, {len(segs)} segments, identical to the '
          f'esptool rules' + (f' (+ irom0 file)' if extra else ''))
    return 0


sys.exit(main())
