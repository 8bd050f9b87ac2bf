#!/bin/sh
# Same decisions on both CPUs: the bootloader's decision driver, built for
# the host and for lx106 from one source file, runs over the same corpus of
# flash images; the two outputs (slot, verification, every log line, flash
# operations, otadata afterwards) must be identical byte for byte.
#   same_decisions.sh HOST_DRIVER LX106_DRIVER_ELF CORPUS OUT_DIR
set -eu
host=$1 elf=$2 corpus=$3 out=$4
here=$(dirname "$0")/..
mkdir -p "$out"
"$host" "$corpus" >"$out/decisions_host.txt"
sh "$here/run_qemu.sh" "$elf" "$corpus" >"$out/decisions_lx106.txt"
n=$(sed -n 's/^images: //p' "$out/decisions_host.txt")
if [ -z "$n" ] || [ "$n" -lt 40 ]; then
    echo "FAIL: the corpus has ${n:-no} images, expected at least 40" >&2
    exit 1
fi
if ! cmp -s "$out/decisions_host.txt" "$out/decisions_lx106.txt"; then
    echo "FAIL: host and lx106 decisions differ:" >&2
    diff -u "$out/decisions_host.txt" "$out/decisions_lx106.txt" | head -40 >&2
    exit 1
fi
echo "compared $n images: identical ($(grep -c '^result: boot' "$out/decisions_host.txt") boot," \
    "$(grep -c '^result: no boot' "$out/decisions_host.txt") no boot," \
    "$(wc -l <"$out/decisions_host.txt") lines)"
