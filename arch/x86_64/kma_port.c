// SPDX-License-Identifier: MIT
/*
 * kma_port.c - the port interface of <kma/port.h> on x86-64, the demo
 * kernel's side: CPU id in the per-CPU area (one load from %gs:8), the
 * CPU count fixed by arch_early_init(), RFLAGS.IF for interrupts, and the
 * identity map the boot code builds over all RAM. The console, panic and
 * report functions and the kick are the generic kernel's
 * (kernel/kma_port.c).
 *
 * State: none of its own (x86_nr_cpus is cpu.c's, written before the
 * allocator starts).
 */
#include <kma/port.h>
#include "kernel.h"
#include "x86.h"

unsigned int (port_cpu_id)(void)
{
	unsigned int id;

	__asm__ __volatile__("movl %%gs:%c1, %0" : "=r"(id) : "i"(KCPU_ID));
	return id;
}

unsigned int port_cpu_count(void)
{
	return x86_nr_cpus;
}

unsigned long (port_irq_save)(void)
{
	unsigned long flags;

	__asm__ __volatile__("pushfq; popq %0; cli" : "=r"(flags) : : "memory");
	return flags;
}

void (port_irq_restore)(unsigned long flags)
{
	if (flags & X86_RFLAGS_IF)
		__asm__ __volatile__("sti" : : : "memory");
}

void *port_phys_to_virt(phys_addr_t pa)
{
	return (void *)(uintptr_t)pa;
}

phys_addr_t port_virt_to_phys(const void *va)
{
	return (phys_addr_t)(uintptr_t)va;
}
