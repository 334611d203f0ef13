// SPDX-License-Identifier: MIT
/*
 * smp.c - PSCI calls and starting the secondary CPUs.
 *
 * PSCI goes through the conduit the device tree names (hvc or smc). Each
 * secondary CPU gets a static 16 KiB stack and its kcpus[] slot; the boot
 * CPU fills the slot, cleans it to the point of coherency (the new CPU
 * reads it with its MMU still off), calls CPU_ON with secondary_entry and
 * the slot's address, and waits up to two seconds for the CPU to mark
 * itself online. One CPU is in flight at a time.
 *
 * State: cpu_mpidr[] is filled by arch_early_init() (platform.c); the stacks
 * belong to their CPUs from CPU_ON on.
 */
#include <kma/mm_report.h>
#include "aarch64.h"

#define CPU_START_NS	2000000000ULL

uint64_t aarch64_cpu_mpidr[PORT_MAX_CPUS];

static uint8_t cpu_stacks[PORT_MAX_CPUS][CPU_STACK_SIZE]
	__attribute__((aligned(16)));

_Static_assert(__builtin_offsetof(struct kcpu, stack_top) == 64,
	       "entry.S KCPU_STACK_TOP");

/**
 * psci_call - call the PSCI firmware through the device tree's conduit.
 * @fn: function id.
 * @a1: first argument.
 * @a2: second argument.
 * @a3: third argument.
 *
 * Return: the PSCI result (0 success, negative error), or -1
 * (NOT_SUPPORTED) when the tree names no conduit.
 */
long psci_call(uint64_t fn, uint64_t a1, uint64_t a2, uint64_t a3)
{
	register uint64_t x0 __asm__("x0") = fn;
	register uint64_t x1 __asm__("x1") = a1;
	register uint64_t x2 __asm__("x2") = a2;
	register uint64_t x3 __asm__("x3") = a3;

	if (aarch64_fdt.psci == FDT_PSCI_SMC)
		__asm__ __volatile__("smc #0" : "+r"(x0), "+r"(x1), "+r"(x2),
				     "+r"(x3) : : "memory");
	else if (aarch64_fdt.psci == FDT_PSCI_HVC)
		__asm__ __volatile__("hvc #0" : "+r"(x0), "+r"(x1), "+r"(x2),
				     "+r"(x3) : : "memory");
	else
		return -1;
	return (long)x0;
}

static void clean_to_poc(const void *p, size_t len)
{
	uintptr_t a = (uintptr_t)p & ~63UL, end = (uintptr_t)p + len;

	for (; a < end; a += 64)
		__asm__ __volatile__("dc cvac, %0" : : "r"(a) : "memory");
	dsb(sy);
}

/**
 * aarch64_secondary_main - first C code of a secondary CPU (MMU on,
 * vectors and TPIDR_EL1 set by entry.S).
 * @c: its per-CPU area.
 */
__noreturn void aarch64_secondary_main(struct kcpu *c)
{
	(void)c;
	gic_cpu_init();
	kernel_secondary_main();
}

static int cpu_start_one(struct kcpu *c)
{
	uint64_t t0;
	long ret;

	c->self = c;
	c->stack_top = cpu_stacks[c->id] + CPU_STACK_SIZE;
	clean_to_poc(c, sizeof(*c));
	ret = psci_call(PSCI_CPU_ON, aarch64_cpu_mpidr[c->id],
			(uint64_t)(uintptr_t)secondary_entry,
			(uint64_t)(uintptr_t)c);
	if (ret) {
		printk("smp: CPU %u (MPIDR 0x%llx): PSCI CPU_ON failed (%ld)\n",
		       c->id, (unsigned long long)aarch64_cpu_mpidr[c->id],
		       ret);
		return -1;
	}
	t0 = arch_time_ns();
	while (!__atomic_load_n(&c->online, __ATOMIC_ACQUIRE)) {
		if (arch_time_ns() - t0 > CPU_START_NS) {
			printk("smp: CPU %u (MPIDR 0x%llx) did not come online\n",
			       c->id,
			       (unsigned long long)aarch64_cpu_mpidr[c->id]);
			return -1;
		}
		__asm__ __volatile__("yield");
	}
	return 0;
}

/**
 * arch_cpus_start - start every secondary CPU the device tree lists (up
 * to maxcpus=).
 *
 * Return: CPUs online afterwards, the boot CPU included.
 */
unsigned int arch_cpus_start(void)
{
	unsigned int i;

	if (aarch64_nr_cpus > 1 && aarch64_fdt.psci == FDT_PSCI_NONE)
		printk("smp: no PSCI conduit in the device tree; one CPU\n");
	else
		for (i = 1; i < aarch64_nr_cpus; i++)
			if (cpu_start_one(&kcpus[i]))
				break;
	return kernel_nr_online();
}

/**
 * arch_cpus_kick - wake every other CPU from arch_cpu_idle().
 */
void arch_cpus_kick(void)
{
	gic_send_sgi_others(SGI_KICK);
}

/**
 * arch_stop_others - park every other CPU (SGI_STOP), waiting briefly.
 *
 * A CPU with interrupts masked cannot be stopped this way; the power-off
 * that follows a panic stops it anyway, and it is named here.
 */
void arch_stop_others(void)
{
	unsigned int i, me = port_cpu_id();
	uint64_t t0;

	gic_send_sgi_others(SGI_STOP);
	t0 = arch_time_ns();
	for (i = 0; i < aarch64_nr_cpus; i++) {
		if (i == me)
			continue;
		while (__atomic_load_n(&kcpus[i].online, __ATOMIC_ACQUIRE) &&
		       arch_time_ns() - t0 < 100000000ULL)
			;
		if (__atomic_load_n(&kcpus[i].online, __ATOMIC_ACQUIRE))
			mm_printf("stop: CPU %u does not answer (interrupts off)\n",
				  i);
	}
}
