// SPDX-License-Identifier: MIT
/*
 * kma_port.c - the demo kernel's port of kma (<kma/port.h>), the same on
 * every architecture: the CPU id from this CPU's struct kcpu, the CPU
 * count fixed by arch_early_init(), interrupt masking as the
 * architecture's inline port header does it (include/kma/port/<arch>.h,
 * -DPORT_INLINE_HEADER), the identity map (virtual == physical for all
 * RAM the kernel hands over; see each arch's memory map), the console,
 * panics, misuse reports and the kick. The guard-page hook named by the
 * port header is the architecture's (x86_guard_protect(),
 * aarch64_guard_protect(), arm_guard_protect()).
 *
 * The out-of-line functions are for code built without the inline
 * header; they are spelt "(port_cpu_id)(void)" so that the header's
 * macros leave the definitions alone, and the macros inside them are
 * the header's inline code.
 *
 * State: none of its own.
 */
#include <kma/port.h>
#include <kma/mm_report.h>
#include "kernel.h"

#if !defined(port_irq_save) || !defined(port_irq_restore)
#error "the demo kernel inlines the port: build with -DPORT_INLINE_HEADER"
#endif

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
	return arch_nr_cpus();
}

/**
 * port_irq_save - mask interrupts on this CPU.
 *
 * Return: the previous interrupt state.
 */
unsigned long (port_irq_save)(void)
{
	return port_irq_save();
}

/**
 * port_irq_restore - put back what port_irq_save() found.
 * @flags: from port_irq_save().
 */
void (port_irq_restore)(unsigned long flags)
{
	port_irq_restore(flags);
}

/**
 * port_phys_to_virt - the identity map.
 * @pa: physical address in RAM handed to kma.
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

/* The console, serialised with printk() (any context). */
void port_print(const char *s, size_t len)
{
	kernel_console_write(s, len);
}

__noreturn void port_panic(const char *msg)
{
	panic("%s", msg);
}

/* A misuse report: print it, then stop every CPU (tests install a hook). */
void port_report(const struct mm_report *r)
{
	printk("%s\n", r->msg);
	panic("allocator misuse or corruption (%s)", mm_error_name(r->error));
}

/*
 * Make @cpu answer the pressure ladder's drain request. The kick wakes
 * every other CPU from arch_cpu_idle(), whose loop answers; a busy CPU
 * answers at its next allocator slow path or timer tick.
 */
void port_cpu_kick(unsigned int cpu)
{
	(void)cpu;
	arch_cpus_kick();
}
