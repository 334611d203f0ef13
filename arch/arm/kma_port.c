// SPDX-License-Identifier: MIT
/*
 * kma_port.c - the port interface of <kma/port.h> on 32-bit Arm, the demo
 * kernel's side: CPU id from the per-CPU area in TPIDRPRW, the CPU count
 * fixed by arch_early_init(), IRQ masking in the CPSR, and the identity
 * map (virtual == physical for all RAM below 4 GiB, see mmu.c; the
 * allocator is never given RAM above it). The console, panic and report
 * functions and the kick are the generic kernel's (kernel/kma_port.c).
 *
 * State: none of its own (arm_nr_cpus is platform.c's, written before
 * the allocator starts).
 */
#include <kma/port.h>
#include "arm.h"

/**
 * port_cpu_id - the calling CPU's logical id, from its per-CPU area.
 *
 * Return: 0 .. port_cpu_count() - 1.
 */
unsigned int (port_cpu_id)(void)
{
	return this_kcpu()->id;
}

/**
 * port_cpu_count - CPUs the port may run.
 *
 * Return: arch_nr_cpus(), fixed by arch_early_init().
 */
unsigned int port_cpu_count(void)
{
	return arm_nr_cpus;
}

/**
 * port_irq_save - mask IRQs on this CPU.
 *
 * Return: the previous CPSR.
 */
unsigned long (port_irq_save)(void)
{
	unsigned long flags;

	__asm__ __volatile__("mrs %0, cpsr; cpsid i"
			     : "=r"(flags) : : "memory");
	return flags;
}

/**
 * port_irq_restore - put the CPSR's mask bits back.
 * @flags: from port_irq_save().
 */
void (port_irq_restore)(unsigned long flags)
{
	__asm__ __volatile__("msr cpsr_c, %0" : : "r"(flags) : "memory");
}

/**
 * port_phys_to_virt - the identity map.
 * @pa: physical address in RAM below 4 GiB.
 *
 * Return: the same address as a pointer.
 */
void *port_phys_to_virt(phys_addr_t pa)
{
	return (void *)(uintptr_t)pa;
}

/**
 * port_virt_to_phys - the identity map, backwards.
 * @va: address.
 *
 * Return: the same address.
 */
phys_addr_t port_virt_to_phys(const void *va)
{
	return (phys_addr_t)(uintptr_t)va;
}
