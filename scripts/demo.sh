#!/bin/sh
# make demo: flash bootloader, partition table, initial otadata and
# hello_world (as the factory app) onto a fresh 4 MB virtual chip, then power
# it on and watch the ROM, the bootloader and hello_world through a restart.
set -eu
B=${1:-build}
T=$B/bin/ota8266
mkdir -p demo
CHIP=demo/flash_4MB.bin
rm -f "$CHIP"
echo "== flashing a fresh 4 MB virtual chip: $CHIP"
$T write_flash --chip "$CHIP" --flash-size 4MB \
    0x0 "$B/bootloader/bootloader.bin" \
    0x8000 "$B/partition_table/partitions_factory_two_ota.bin" \
    0xd000 "$B/partition_table/ota_data_initial.bin" \
    0x10000 "$B/examples/get-started/hello_world/hello_world.bin"
echo "== powering on (time runs 20x faster; stops after the second boot)"
$T run --chip "$CHIP" --flash-size 4MB --boots 2 --time-scale 20 --stats
