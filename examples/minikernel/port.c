// SPDX-License-Identifier: MIT
/*
 * port.c - this kernel's port of kma: the ten functions of <kma/port.h>,
 * written from docs/PORTING.md ("The port") over the platform's own
 * primitives:
 *
 *   port_cpu_id()        the id in this CPU's per-CPU area (this_kcpu(),
 *                        set before the CPU runs C code, so it works in
 *                        interrupt context and before mm_init() is done)
 *   port_cpu_count()     the CPUs the firmware described, fixed by
 *                        arch_early_init() before mm_init()
 *   port_irq_save()      mask interrupts, return the previous state
 *   port_irq_restore()   put that state back (calls nest)
 *   port_phys_to_virt()  the platform maps all RAM at virtual ==
 *   port_virt_to_phys()  physical, linear and read-write before mm_init()
 *   port_print()         the console, serialised with printk() (may run
 *                        with interrupts off and kma's locks held: no
 *                        allocation there)
 *   port_panic()         stop every CPU, never return
 *   port_report()        a misuse kma detected: print it and stop
 *   port_cpu_kick()      wake the other CPUs with an IPI, so that an idle
 *                        CPU answers a drain request (its idle loop and
 *                        its timer call kmalloc_cpu_poll(), main.c)
 *
 * None allocates from kma or sleeps. State: none.
 */
#include <kma/port.h>
#include <kma/mm_report.h>
#include "kernel.h"

unsigned int port_cpu_id(void)
{
	return this_kcpu()->id;
}

unsigned int port_cpu_count(void)
{
	return arch_nr_cpus();
}

#if defined(__x86_64__)
unsigned long port_irq_save(void)
{
	unsigned long flags;

	__asm__ __volatile__("pushfq; popq %0; cli" : "=r"(flags) : : "memory");
	return flags;
}

void port_irq_restore(unsigned long flags)
{
	if (flags & (1ul << 9))		/* RFLAGS.IF */
		__asm__ __volatile__("sti" : : : "memory");
}
#elif defined(__aarch64__)
unsigned long port_irq_save(void)
{
	unsigned long flags;

	__asm__ __volatile__("mrs %0, daif; msr daifset, #2"
			     : "=r"(flags) : : "memory");
	return flags;
}

void port_irq_restore(unsigned long flags)
{
	__asm__ __volatile__("msr daif, %0" : : "r"(flags) : "memory");
}
#else
#error "minikernel: x86_64 or aarch64"
#endif

void *port_phys_to_virt(phys_addr_t pa)
{
	return (void *)(uintptr_t)pa;
}

phys_addr_t port_virt_to_phys(const void *va)
{
	return (phys_addr_t)(uintptr_t)va;
}

void port_print(const char *s, size_t len)
{
	kernel_console_write(s, len);
}

__noreturn void port_panic(const char *msg)
{
	panic("kma: %s", msg);
}

void port_report(const struct mm_report *r)
{
	printk("%s\n", r->msg);
	panic("kma reported %s", mm_error_name(r->error));
}

void port_cpu_kick(unsigned int cpu)
{
	(void)cpu;
	arch_cpus_kick();
}
