// SPDX-License-Identifier: MIT
/*
 * gic.c - the Arm Generic Interrupt Controller, version 2, with its
 * memory-mapped distributor and CPU interface (the virt machine's
 * arm,cortex-a15-gic).
 *
 * We only use per-CPU interrupts: the timer PPI and two SGIs (SGI_KICK
 * wakes a CPU from idle, SGI_STOP parks it for good), priority 0xa0.
 *
 * State: dist and cpu_base are written once by gic_init() on the boot
 * CPU before any other CPU starts; the banked per-CPU registers (SGI/PPI
 * enables and priorities, the CPU interface) are written by their CPU.
 */
#include "arm.h"

#define GICD_CTLR		0x0000
#define GICD_ISENABLER		0x0100
#define GICD_IPRIORITYR		0x0400
#define GICD_SGIR		0x0f00
#define GICD_SGIR_OTHERS	(1U << 24)	/* TargetListFilter 01 */

#define GICC_CTLR		0x0000
#define GICC_PMR		0x0004
#define GICC_BPR		0x0008
#define GICC_IAR		0x000c
#define GICC_EOIR		0x0010

#define IRQ_PRIO		0xa0

static uintptr_t dist, cpu_base;

static uint32_t rd32(uintptr_t a)
{
	return *(volatile uint32_t *)a;
}

static void wr32(uintptr_t a, uint32_t v)
{
	*(volatile uint32_t *)a = v;
}

static void wr8(uintptr_t a, uint8_t v)
{
	*(volatile uint8_t *)a = v;
}

/**
 * gic_init - enable the distributor and the boot CPU's interface.
 * @fi: the parsed device tree (GIC version and addresses).
 *
 * Return: 0, or -1 if the tree describes no GICv2.
 */
int gic_init(const struct fdt_info *fi)
{
	if (fi->gic_version != 2 || !fi->gic_dist || !fi->gic_cpu ||
	    fi->gic_dist >= DIRECT_MAP_END || fi->gic_cpu >= DIRECT_MAP_END)
		return -1;
	dist = (uintptr_t)fi->gic_dist;
	cpu_base = (uintptr_t)fi->gic_cpu;
	wr32(dist + GICD_CTLR, 0);
	wr32(dist + GICD_CTLR, 1);
	gic_cpu_init();
	return 0;
}

/**
 * gic_cpu_init - enable the calling CPU's interface and its SGIs.
 */
void gic_cpu_init(void)
{
	wr32(cpu_base + GICC_PMR, 0xf0);
	wr32(cpu_base + GICC_BPR, 0);
	wr32(cpu_base + GICC_CTLR, 1);
	gic_enable_ppi(SGI_KICK);
	gic_enable_ppi(SGI_STOP);
}

/**
 * gic_enable_ppi - enable a private interrupt (SGI or PPI) on this CPU.
 * @intid: 0..31.
 */
void gic_enable_ppi(unsigned int intid)
{
	wr8(dist + GICD_IPRIORITYR + intid, IRQ_PRIO);
	wr32(dist + GICD_ISENABLER, 1U << intid);
}

/**
 * gic_ack - acknowledge the highest-priority pending interrupt.
 *
 * Return: the IAR value; its low 10 bits are the INTID (>= GIC_SPURIOUS
 * when nothing is pending), bits 10-12 the sending CPU of an SGI.
 */
unsigned int gic_ack(void)
{
	return rd32(cpu_base + GICC_IAR);
}

/**
 * gic_eoi - signal the end of an interrupt.
 * @iar: the value gic_ack() returned.
 */
void gic_eoi(unsigned int iar)
{
	wr32(cpu_base + GICC_EOIR, iar);
}

/**
 * gic_send_sgi_others - raise SGI @intid on every CPU but this one.
 * @intid: 0..15.
 */
void gic_send_sgi_others(unsigned int intid)
{
	dsb_ish();	/* what we wrote is visible before they wake */
	if (dist)
		wr32(dist + GICD_SGIR, GICD_SGIR_OTHERS | intid);
}
