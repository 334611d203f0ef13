// SPDX-License-Identifier: MIT
/*
 * kma_port.c - the generic half of the demo kernel's port of kma
 * (<kma/port.h>): the console, panics, misuse reports and the kick. The
 * CPU, interrupt and direct-map half is arch/<arch>/kma_port.c.
 *
 * State: none of its own.
 */
#include <kma/port.h>
#include <kma/mm_report.h>
#include "kernel.h"

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
