// SPDX-License-Identifier: MIT
/*
 * panic.c - stopping the system: panic() (kma's port_panic() and
 * port_report() end in it, kma_port.c).
 *
 * Owns: panic_cpu, the id + 1 of the first CPU that panicked (0 = none),
 * set once with a compare-and-swap. A second CPU that panics while the
 * first is still printing stops quietly instead of interleaving its own
 * report; a nested panic on the panicking CPU ends the run at once.
 */
#include <stdarg.h>
#include <kma/mm_report.h>
#include "kernel.h"

/* Exit status of a panicked run (the host sees it through arch_halt()). */
#define PANIC_STATUS	3

static unsigned int panic_cpu;

int kernel_in_panic(void)
{
	return __atomic_load_n(&panic_cpu, __ATOMIC_ACQUIRE) != 0;
}

__noreturn void panic(const char *fmt, ...)
{
	unsigned int me = port_cpu_id() + 1, old = 0;
	char buf[256];
	va_list ap;

	port_irq_save();
	if (!__atomic_compare_exchange_n(&panic_cpu, &old, me, false,
					 __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE)) {
		if (old == me)
			arch_halt(PANIC_STATUS);	/* panic inside panic */
		for (;;)
			arch_cpu_idle();	/* the first panic stops us */
	}
	va_start(ap, fmt);
	mm_vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	arch_stop_others();
	printk("\nPANIC on CPU %u: %s\n", me - 1, buf);
	printk("PANIC: every CPU stopped; ending the run with status %d\n",
	       PANIC_STATUS);
	arch_halt(PANIC_STATUS);
}
