/* SPDX-License-Identifier: MIT */
/*
 * pl011.h - the PL011 UART's transmit side (drivers/pl011.c), the Arm
 * kernels' console.
 *
 * Owns: the declarations only.
 */
#ifndef KMA_DRIVERS_PL011_H
#define KMA_DRIVERS_PL011_H

#include <stddef.h>
#include <stdint.h>

void pl011_write(uintptr_t base, const char *s, size_t len);

#endif /* KMA_DRIVERS_PL011_H */
