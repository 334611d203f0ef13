// SPDX-License-Identifier: MIT
/*
 * gicv2.c - the Arm Generic Interrupt Controller, version 2: a
 * memory-mapped distributor and CPU interface (the virt machine's
 * arm,cortex-a15-gic), for both Arm kernels. arch/arm/gic.c uses it
 * alone; arch/aarch64/gic.c when the device tree names a GICv2 (and its
 * own GICv3 code otherwise).
 *
 * Only per-CPU interrupts (SGIs and PPIs), priority 0xa0; the caller
 * orders its memory writes before an SGI (a dsb) itself.
 *
 * State: dist and cpu_base are written once by gicv2_init() on the boot
 * CPU before any other CPU starts; the banked per-CPU registers (SGI/PPI
 * enables and priorities, the CPU interface) are written by their CPU.
 */
#include "gicv2.h"

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
 * gicv2_init - enable the distributor (then call gicv2_cpu_init()).
 * @d: the distributor's address (mapped).
 * @c: the CPU interface's address (mapped).
 */
void gicv2_init(uintptr_t d, uintptr_t c)
{
	dist = d;
	cpu_base = c;
	wr32(dist + GICD_CTLR, 0);
	wr32(dist + GICD_CTLR, 1);
}

/**
 * gicv2_cpu_init - enable the calling CPU's interface, all priorities.
 */
void gicv2_cpu_init(void)
{
	wr32(cpu_base + GICC_PMR, 0xf0);
	wr32(cpu_base + GICC_BPR, 0);
	wr32(cpu_base + GICC_CTLR, 1);
}

/**
 * gicv2_enable_ppi - enable a private interrupt (SGI or PPI) on this CPU.
 * @intid: 0..31.
 */
void gicv2_enable_ppi(unsigned int intid)
{
	wr8(dist + GICD_IPRIORITYR + intid, IRQ_PRIO);
	wr32(dist + GICD_ISENABLER, 1U << intid);
}

/**
 * gicv2_ack - acknowledge the highest-priority pending interrupt.
 *
 * Return: the IAR value; its low 10 bits are the INTID (>= 1020 when
 * nothing is pending), bits 10-12 the sending CPU of an SGI.
 */
unsigned int gicv2_ack(void)
{
	return rd32(cpu_base + GICC_IAR);
}

/**
 * gicv2_eoi - signal the end of an interrupt.
 * @iar: the value gicv2_ack() returned.
 */
void gicv2_eoi(unsigned int iar)
{
	wr32(cpu_base + GICC_EOIR, iar);
}

/**
 * gicv2_send_sgi_others - raise SGI @intid on every CPU but this one
 * (nothing before gicv2_init()).
 * @intid: 0..15.
 */
void gicv2_send_sgi_others(unsigned int intid)
{
	if (dist)
		wr32(dist + GICD_SGIR, GICD_SGIR_OTHERS | intid);
}
