/*
 * Entry of every lx106 program we build (QEMU tests, the bootloader): a
 * stack, .bss zeroed, main(), then target_exit(main's result). .data needs
 * no copy: QEMU's loader and the ESP8266 ROM both load each segment at its
 * run address. call0 ABI (lx106 has no register windows).
 */
    .section .text._start, "ax"
    .literal_position
    .global _start
    .type _start, @function
    .align 4
_start:
    movi    a1, _stack_top
    movi    a2, _bss_start
    movi    a3, _bss_end
    movi    a4, 0
1:
    bgeu    a2, a3, 2f
    s32i    a4, a2, 0
    addi    a2, a2, 4
    j       1b
2:
    movi    a0, main
    callx0  a0
    movi    a0, target_exit
    callx0  a0
3:
    j       3b
    .size _start, . - _start
