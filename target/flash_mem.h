#pragma once
/*
 * A core flash HAL (bs_hal.h) over a flash image in memory, with the NOR
 * rules (erase sets 0xFF, programming only clears bits) and operation
 * counters. The same file serves the host and lx106 under QEMU, where the
 * image sits in the sim machine's RAM: the decisions compared across the
 * two CPUs go through identical flash code.
 */
#include <stdint.h>

#include "bs_hal.h"

typedef struct {
    uint8_t *mem;
    uint32_t size; /* the image's real size: accesses past it fail */
    uint32_t reads, writes, erases;
} flash_mem_t;

/* Wires *hal to f (chip_size = f->size, 4 KB sectors, no log hook). */
void flash_mem_hal(flash_mem_t *f, bs_hal_t *hal);
