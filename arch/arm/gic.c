// SPDX-License-Identifier: MIT
/*
 * gic.c - the interrupt controller of drivers/gic.h on 32-bit Arm: a
 * GICv2 (drivers/gicv2.c), the only version the Cortex-A15's virt
 * machine has, inside the direct map.
 *
 * We only use per-CPU interrupts: the timer PPI and two SGIs (SGI_KICK
 * wakes a CPU from idle, SGI_STOP parks it for good).
 *
 * State: none of its own (the driver's is written once by gic_init() on
 * the boot CPU before any other CPU starts).
 */
#include "arm.h"
#include "gicv2.h"

/**
 * gic_init - enable the distributor and the boot CPU's interface.
 * @fi: the parsed device tree (GIC version and addresses).
 *
 * Return: 0, or -1 if the tree describes no GICv2 we can reach.
 */
int gic_init(const struct fdt_info *fi)
{
	if (fi->gic_version != 2 || !fi->gic_dist || !fi->gic_cpu ||
	    fi->gic_dist >= DIRECT_MAP_END || fi->gic_cpu >= DIRECT_MAP_END)
		return -1;
	gicv2_init((uintptr_t)fi->gic_dist, (uintptr_t)fi->gic_cpu);
	gic_cpu_init();
	return 0;
}

/**
 * gic_cpu_init - enable the calling CPU's interface and its SGIs.
 */
void gic_cpu_init(void)
{
	gicv2_cpu_init();
	gic_enable_ppi(SGI_KICK);
	gic_enable_ppi(SGI_STOP);
}

/**
 * gic_enable_ppi - enable a private interrupt (SGI or PPI) on this CPU.
 * @intid: 0..31.
 */
void gic_enable_ppi(unsigned int intid)
{
	gicv2_enable_ppi(intid);
}

/**
 * gic_ack - acknowledge the highest-priority pending interrupt.
 *
 * Return: the IAR value; its low 10 bits are the INTID (>= GIC_SPURIOUS
 * when nothing is pending), bits 10-12 the sending CPU of an SGI.
 */
unsigned int gic_ack(void)
{
	return gicv2_ack();
}

/**
 * gic_eoi - signal the end of an interrupt.
 * @iar: the value gic_ack() returned.
 */
void gic_eoi(unsigned int iar)
{
	gicv2_eoi(iar);
}

/**
 * gic_send_sgi_others - raise SGI @intid on every CPU but this one.
 * @intid: 0..15.
 */
void gic_send_sgi_others(unsigned int intid)
{
	dsb_ish();	/* what we wrote is visible before they wake */
	gicv2_send_sgi_others(intid);
}
