// SPDX-License-Identifier: MIT
/*
 * smp.c - PSCI calls and starting the secondary CPUs.
 *
 * PSCI goes through the conduit the device tree names: "hvc" when QEMU
 * emulates the firmware at HYP's level, "smc" when the machine has the
 * virtualization extensions and we entered in HYP mode (SMC32 calling
 * convention: function id in r0, arguments in r1-r3, result in r0). Each
 * secondary CPU gets a static 16 KiB stack and its kcpus[] slot; the
 * boot CPU fills the slot, cleans it to the point of coherency (the new
 * CPU reads it with its MMU still off), calls CPU_ON with
 * secondary_entry and the slot's address, and waits up to two seconds
 * for the CPU to mark itself online. One CPU is in flight at a time.
 *
 * State: arm_cpu_mpidr[] is filled by arch_early_init() (platform.c);
 * the stacks belong to their CPUs from CPU_ON on.
 */
#include <kma/mm_report.h>
#include "arm.h"

#define CPU_START_NS	2000000000ULL

uint32_t arm_cpu_mpidr[PORT_MAX_CPUS];

static uint8_t cpu_stacks[PORT_MAX_CPUS][CPU_STACK_SIZE]
	__attribute__((aligned(16)));

_Static_assert(__builtin_offsetof(struct kcpu, stack_top) == 64,
	       "entry.S KCPU_STACK_TOP");

/**
 * psci_call - call the PSCI firmware through the device tree's conduit.
 * @fn: function id (SMC32).
 * @a1: first argument.
 * @a2: second argument.
 * @a3: third argument.
 *
 * Return: the PSCI result (0 success, negative error), or -1
 * (NOT_SUPPORTED) when the tree names no conduit.
 */
long psci_call(uint32_t fn, uint32_t a1, uint32_t a2, uint32_t a3)
{
	register uint32_t r0 __asm__("r0") = fn;
	register uint32_t r1 __asm__("r1") = a1;
	register uint32_t r2 __asm__("r2") = a2;
	register uint32_t r3 __asm__("r3") = a3;

	if (arm_fdt.psci == FDT_PSCI_SMC)
		__asm__ __volatile__(".arch_extension sec\n\tsmc #0"
				     : "+r"(r0), "+r"(r1), "+r"(r2), "+r"(r3)
				     : : "memory");
	else if (arm_fdt.psci == FDT_PSCI_HVC)
		__asm__ __volatile__(".arch_extension virt\n\thvc #0"
				     : "+r"(r0), "+r"(r1), "+r"(r2), "+r"(r3)
				     : : "memory");
	else
		return -1;
	return (long)(int32_t)r0;
}

/* DCCMVAC over [@p, @p + @len): the CPU about to start reads it with its
 * MMU (and so its caches) off. */
static void clean_to_poc(const void *p, size_t len)
{
	uintptr_t line = 4U << ((read_cp15(0, c0, c0, 1) >> 16) & 0xf);
	uintptr_t a = (uintptr_t)p & ~(line - 1), end = (uintptr_t)p + len;

	for (; a < end; a += line)
		write_cp15(a, 0, c7, c10, 1);
	dsb();
}

/**
 * arm_secondary_main - first C code of a secondary CPU (MMU on, vectors
 * and TPIDRPRW set by entry.S).
 * @c: its per-CPU area.
 */
__noreturn void arm_secondary_main(struct kcpu *c)
{
	(void)c;
	gic_cpu_init();
	__asm__ __volatile__("cpsie a");
	kernel_secondary_main();
}

static int cpu_start_one(struct kcpu *c)
{
	uint64_t t0;
	long ret;

	c->self = c;
	c->stack_top = cpu_stacks[c->id] + CPU_STACK_SIZE;
	clean_to_poc(c, sizeof(*c));
	ret = psci_call(PSCI_CPU_ON, arm_cpu_mpidr[c->id],
			(uint32_t)(uintptr_t)secondary_entry,
			(uint32_t)(uintptr_t)c);
	if (ret) {
		printk("smp: CPU %u (MPIDR 0x%x): PSCI CPU_ON failed (%ld)\n",
		       c->id, (unsigned int)arm_cpu_mpidr[c->id], ret);
		return -1;
	}
	t0 = arch_time_ns();
	while (!__atomic_load_n(&c->online, __ATOMIC_ACQUIRE)) {
		if (arch_time_ns() - t0 > CPU_START_NS) {
			printk("smp: CPU %u (MPIDR 0x%x) did not come online\n",
			       c->id, (unsigned int)arm_cpu_mpidr[c->id]);
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

	if (arm_nr_cpus > 1 && arm_fdt.psci == FDT_PSCI_NONE)
		printk("smp: no PSCI conduit in the device tree; one CPU\n");
	else
		for (i = 1; i < arm_nr_cpus; i++)
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
	for (i = 0; i < arm_nr_cpus; i++) {
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
