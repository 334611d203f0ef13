/* SPDX-License-Identifier: MIT */
/*
 * gicv2.h - the GICv2 driver (drivers/gicv2.c): a memory-mapped
 * distributor and CPU interface, per-CPU interrupts only. The Arm
 * kernels' gic.c build drivers/gic.h's interface on it.
 *
 * Owns: the declarations only.
 */
#ifndef KMA_DRIVERS_GICV2_H
#define KMA_DRIVERS_GICV2_H

#include <stdint.h>

void gicv2_init(uintptr_t dist, uintptr_t cpu);
void gicv2_cpu_init(void);
void gicv2_enable_ppi(unsigned int intid);
unsigned int gicv2_ack(void);
void gicv2_eoi(unsigned int iar);
void gicv2_send_sgi_others(unsigned int intid);

#endif /* KMA_DRIVERS_GICV2_H */
