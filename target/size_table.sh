#!/bin/sh
# The lx106 size table: text / data / bss per component library (-Os), and
# the bootloader as linked and as packed. size_table.sh SIZE OUT COMPONENT...
set -eu
size=$1 out=$2
shift 2
printf '%-22s %8s %8s %8s\n' "lx106 -Os" text data bss
for c in "$@"; do
    "$size" -t "$out/lib/lib$c.a" | awk -v n="$c" '/\(TOTALS\)/ {printf "%-22s %8d %8d %8d\n", n, $1, $2, $3}'
done
elf=$out/bootloader/bootloader.elf
"$size" -A "$elf" | awk '
    $1 == ".text" {t = $2} $1 == ".rodata" {r = $2} $1 == ".data" {d = $2} $1 == ".bss" {b = $2}
    END {
        printf "%-22s %8d %8d %8d\n", "bootloader (linked)", t + r, d, b
        printf "  code (IRAM .text)    %8d bytes of a 12288-byte budget\n", t
        printf "  rodata (DRAM)        %8d bytes\n", r
    }'
printf '  bootloader.bin       %8d bytes (v1 image for 0x0)\n' "$(wc -c <"$out/bootloader/bootloader.bin")"
