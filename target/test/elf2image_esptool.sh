#!/bin/sh
# elf2image on real lx106 ELFs against esptool's rules (elf2image_expected.py),
# and image_info on the packed bootloader. elf2image_esptool.sh OTA8266 OUT
set -eu
tool=$1 out=$2
here=$(dirname "$0")
mkdir -p "$out/e2i"
for v in 1 3; do
    python3 "$here/elf2image_expected.py" "$tool" "$out/bootloader/bootloader.elf" $v "$out/e2i"
done
python3 "$here/elf2image_expected.py" "$tool" "$out/e2i/e2i_flash_app.elf" 3 "$out/e2i"
# Two irom0 sections cannot make a v1 image: esptool refuses, so must we.
if "$tool" elf2image --version 1 -o "$out/e2i/refused.bin" "$out/e2i/e2i_flash_app.elf" \
    2>"$out/e2i/refused.txt"; then
    echo "FAIL: a v1 image was written from an ELF with two irom0 sections" >&2
    exit 1
fi
grep -q "Found 2 segments that could be irom0" "$out/e2i/refused.txt"
"$tool" image_info "$out/bootloader/bootloader.bin" | grep -q "Checksum: .. (valid)"
echo "elf2image: 3 lx106 images identical to esptool's rules; image_info accepts bootloader.bin"
