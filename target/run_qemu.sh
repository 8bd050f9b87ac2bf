#!/bin/sh
# Runs an lx106 program on QEMU's lx106 core: run_qemu.sh ELF [FLASH_BLOB]
# The program's exit code (semihosting SYS_exit) is QEMU's exit status. A
# blob is placed at 0x64000000 in the sim machine's system RAM, where the
# programs' flash HAL serves it (ld/lx106_qemu.ld, _qemu_blob).
set -eu
QEMU=${QEMU:-qemu-system-xtensa}
elf=$1
set -- -M sim -cpu lx106 -semihosting -nographic -monitor none \
    -device "loader,file=$elf,cpu-num=0" ${2:+-device loader,file=$2,addr=0x64000000,force-raw=on}
exec "$QEMU" "$@"
