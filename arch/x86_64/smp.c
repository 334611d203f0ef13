// SPDX-License-Identifier: MIT
/*
 * smp.c - starting the secondary CPUs: trampoline below 1 MiB,
 * INIT-SIPI-SIPI, one CPU at a time, and each CPU's first steps in C.
 *
 * Stacks (16 KiB) and the trampoline frame come from the frame allocator.
 *
 * State: ap_boot_stack and ap_boot_kcpu (entry.S) are written by the boot
 * CPU before each start and read by the starting CPU; ap_alive is set by
 * the starting CPU (release) and polled by the boot CPU (acquire). Only
 * one CPU is in flight at a time, so nothing else is shared.
 */
#include <kma/frame.h>
#include "kernel.h"
#include "x86.h"

#define AP_STACK_SIZE	16384
#define AP_WAIT_US	2000000		/* TCG can be slow to start a CPU */
#define AP_STACK_ORDER	2		/* 4 frames = AP_STACK_SIZE */
#define LOW_1M		0x100000ULL

extern char ap_tramp_start[], ap_tramp_end[];
extern uint64_t ap_boot_stack, ap_boot_kcpu;

_Static_assert(AP_STACK_SIZE == FRAME_SIZE << AP_STACK_ORDER, "AP stack");

static volatile int ap_alive;

/**
 * x86_ap_main - first C code of a secondary CPU.
 * @c: its per-CPU area (GS base is still 0 on entry).
 */
__noreturn void x86_ap_main(struct kcpu *c)
{
	uint64_t p = (uint64_t)(uintptr_t)c;

	wrmsr(MSR_GS_BASE, p);
	x86_trap_cpu_init(c->id);
	x86_lapic_cpu_init();
	__atomic_store_n(&ap_alive, 1, __ATOMIC_RELEASE);
	kernel_secondary_main();
}

static int ap_start_one(struct kcpu *c, uint64_t tramp)
{
	phys_addr_t stack = frame_alloc(AP_STACK_ORDER);
	uint64_t t;

	if (stack == FRAME_NONE) {
		printk("smp: no frames for CPU %u's stack\n", c->id);
		return -1;
	}
	c->stack_top = (char *)port_phys_to_virt(stack) + AP_STACK_SIZE;
	ap_boot_stack = (uint64_t)(uintptr_t)c->stack_top;
	ap_boot_kcpu = (uint64_t)(uintptr_t)c;
	__atomic_store_n(&ap_alive, 0, __ATOMIC_RELEASE);
	x86_ipi_init_sipi(c->hwid, tramp, &ap_alive);
	for (t = 0; t < AP_WAIT_US / 100; t++) {
		if (__atomic_load_n(&c->online, __ATOMIC_ACQUIRE))
			return 0;
		x86_udelay(100);
	}
	printk("smp: CPU %u (APIC id %u) did not start%s\n", c->id, c->hwid,
	       ap_alive ? " (stuck after its first C code)" : "");
	/* The stack stays allocated: the CPU may still wake up on it. */
	return -1;
}

/*
 * The trampoline page comes from the frame allocator below 1 MiB (the
 * SIPI vector is its frame number) and goes back once every CPU runs.
 */
unsigned int arch_cpus_start(void)
{
	phys_addr_t tramp;
	char *dst;
	size_t i, n = (size_t)(ap_tramp_end - ap_tramp_start);
	unsigned int cpu;
	int failed = 0;

	if (x86_nr_cpus < 2)
		return 1;
	tramp = frame_alloc_below(0, LOW_1M);
	if (tramp == FRAME_NONE) {
		printk("smp: no frame below 1 MiB for the trampoline\n");
		return 1;
	}
	dst = port_phys_to_virt(tramp);
	for (i = 0; i < n; i++)
		dst[i] = ap_tramp_start[i];
	printk("smp: trampoline at 0x%llx\n", (unsigned long long)tramp);
	for (cpu = 1; cpu < x86_nr_cpus && !failed; cpu++)
		failed = ap_start_one(&kcpus[cpu], tramp);
	if (!failed)
		frame_free(tramp, 0);
	return kernel_nr_online();
}
