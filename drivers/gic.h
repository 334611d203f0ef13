/* SPDX-License-Identifier: MIT */
/*
 * gic.h - the interrupt controller as the Arm kernels' code uses it (Arm
 * Generic Interrupt Controller): per-CPU interrupts only, the timer PPI
 * and two SGIs. arch/aarch64/gic.c implements it for GICv2 and GICv3,
 * arch/arm/gic.c for GICv2.
 *
 * Owns: the declarations only.
 */
#ifndef KMA_DRIVERS_GIC_H
#define KMA_DRIVERS_GIC_H

struct fdt_info;

int gic_init(const struct fdt_info *fi);
void gic_cpu_init(void);
void gic_enable_ppi(unsigned int intid);
unsigned int gic_ack(void);
void gic_eoi(unsigned int iar);
void gic_send_sgi_others(unsigned int intid);

#define SGI_KICK	1		/* wakes a CPU from idle */
#define SGI_STOP	2		/* parks a CPU for good */
#define GIC_SPURIOUS	1020		/* gic_ack(): nothing pending */

#endif /* KMA_DRIVERS_GIC_H */
