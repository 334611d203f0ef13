// SPDX-License-Identifier: MIT
/*
 * gic.c - the interrupt controller of drivers/gic.h on AArch64: the Arm
 * Generic Interrupt Controller, version 2 (drivers/gicv2.c, memory-mapped
 * CPU interface) or 3 (here: system-register CPU interface,
 * redistributors), as the device tree describes it.
 *
 * We only use per-CPU interrupts: the timer PPI and two SGIs (SGI_KICK
 * wakes a CPU from idle, SGI_STOP parks it for good). All are level or
 * edge as the architecture fixes them, priority 0xa0, group 1 on v3 (the
 * non-secure view QEMU's virt machine gives an EL1 kernel).
 *
 * State: gic_ver, dist and cpu_base are written once by gic_init() on the
 * boot CPU before any other CPU starts (and the v2 driver's state). A CPU's redistributor (v3) is
 * found by gic_cpu_init() on that CPU and kept in its kcpu->arch.
 */
#include "aarch64.h"
#include "gicv2.h"

/* v3 distributor. */
#define GICD_CTLR		0x0000
#define GICD_CTLR_RWP		(1U << 31)

/* v3 redistributor: RD_base frame, then SGI_base frame 64 KiB above. */
#define GICR_CTLR		0x0000
#define GICR_TYPER		0x0008
#define GICR_WAKER		0x0014
#define GICR_SGI_BASE		0x10000
#define GICR_IGROUPR0		0x0080
#define GICR_ISENABLER0		0x0100
#define GICR_IPRIORITYR		0x0400
#define GICR_STRIDE		0x20000
#define GICR_TYPER_LAST		(1ULL << 4)
#define GICR_WAKER_SLEEP	(1U << 1)
#define GICR_WAKER_ASLEEP	(1U << 2)

#define IRQ_PRIO		0xa0

static unsigned int gic_ver;
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

static uint64_t rd64(uintptr_t a)
{
	return *(volatile uint64_t *)a;
}

static void dist_wait_rwp(void)
{
	unsigned int n = 1000000;

	while ((rd32(dist + GICD_CTLR) & GICD_CTLR_RWP) && --n)
		;
}

/**
 * gic_init - enable the distributor and the boot CPU's interface.
 * @fi: the parsed device tree (GIC version and addresses).
 *
 * Return: 0, or -1 if the tree describes no GIC we drive.
 */
int gic_init(const struct fdt_info *fi)
{
	gic_ver = fi->gic_version;
	dist = (uintptr_t)fi->gic_dist;
	cpu_base = (uintptr_t)fi->gic_cpu;
	if ((gic_ver != 2 && gic_ver != 3) || !dist || !cpu_base)
		return -1;
	if (gic_ver == 3) {
		wr32(dist + GICD_CTLR, 0);
		dist_wait_rwp();
		/* ARE, EnableGrp1 (and Grp0): affinity routing on. */
		wr32(dist + GICD_CTLR, (1U << 4) | (1U << 1) | (1U << 0));
		dist_wait_rwp();
	} else {
		gicv2_init(dist, cpu_base);
	}
	gic_cpu_init();
	return 0;
}

/* v3: find the redistributor whose affinity is ours. */
static uintptr_t gicr_find(void)
{
	uint64_t mpidr = read_sysreg(mpidr_el1);
	uint64_t aff = (mpidr & 0xffffff) | ((mpidr >> 32) & 0xff) << 24;
	uintptr_t rd = cpu_base;
	uint64_t typer;

	for (;;) {
		typer = rd64(rd + GICR_TYPER);
		if ((typer >> 32) == aff)
			return rd;
		if (typer & GICR_TYPER_LAST)
			return 0;
		rd += GICR_STRIDE;
	}
}

static void gic3_cpu_init(void)
{
	struct kcpu *c = this_kcpu();
	uintptr_t rd = gicr_find();
	unsigned int n = 1000000;

	c->arch = (void *)rd;
	if (!rd) {
		printk("gic: no redistributor for CPU %u\n", c->id);
		return;
	}
	wr32(rd + GICR_WAKER, rd32(rd + GICR_WAKER) & ~GICR_WAKER_SLEEP);
	while ((rd32(rd + GICR_WAKER) & GICR_WAKER_ASLEEP) && --n)
		;
	wr32(rd + GICR_SGI_BASE + GICR_IGROUPR0, ~0U);
	write_sysreg(read_sysreg(s3_0_c12_c12_5) | 1, s3_0_c12_c12_5);
	isb();					/* ICC_SRE_EL1.SRE */
	write_sysreg(0xf0, s3_0_c4_c6_0);	/* ICC_PMR_EL1 */
	write_sysreg(0, s3_0_c12_c12_3);	/* ICC_BPR1_EL1 */
	write_sysreg(1, s3_0_c12_c12_7);	/* ICC_IGRPEN1_EL1 */
	isb();
}

/**
 * gic_cpu_init - enable the calling CPU's interface and its SGIs.
 */
void gic_cpu_init(void)
{
	if (gic_ver == 3)
		gic3_cpu_init();
	else
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
	uintptr_t base;

	if (gic_ver == 3) {
		base = (uintptr_t)this_kcpu()->arch;
		if (!base)
			return;
		base += GICR_SGI_BASE;
		wr8(base + GICR_IPRIORITYR + intid, IRQ_PRIO);
		wr32(base + GICR_ISENABLER0, 1U << intid);
	} else {
		gicv2_enable_ppi(intid);
	}
}

/**
 * gic_ack - acknowledge the highest-priority pending interrupt.
 *
 * Return: the IAR value; its low bits are the INTID (>= GIC_SPURIOUS
 * when nothing is pending).
 */
unsigned int gic_ack(void)
{
	if (gic_ver == 3)
		return (unsigned int)read_sysreg(s3_0_c12_c12_0) & 0xffffff;
	return gicv2_ack();
}

/**
 * gic_eoi - signal the end of an interrupt.
 * @iar: the value gic_ack() returned.
 */
void gic_eoi(unsigned int iar)
{
	if (gic_ver == 3) {
		write_sysreg(iar, s3_0_c12_c12_1);	/* ICC_EOIR1_EL1 */
		isb();
	} else {
		gicv2_eoi(iar);
	}
}

/**
 * gic_send_sgi_others - raise SGI @intid on every CPU but this one.
 * @intid: 0..15.
 */
void gic_send_sgi_others(unsigned int intid)
{
	dsb(ish);	/* what we wrote is visible before they wake */
	if (gic_ver == 3) {
		/* ICC_SGI1R_EL1: IRM (all but self), INTID. */
		write_sysreg(1ULL << 40 | (uint64_t)intid << 24,
			     s3_0_c12_c11_5);
		isb();
	} else if (gic_ver == 2) {
		gicv2_send_sgi_others(intid);
	}
}

/** gic_version - 2 or 3, 0 before gic_init(). */
unsigned int gic_version(void)
{
	return gic_ver;
}
