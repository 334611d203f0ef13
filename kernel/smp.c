// SPDX-License-Identifier: MIT
/*
 * smp.c - the generic side of multiprocessing: the per-CPU areas, the
 * secondary CPUs' main loop, and smp_call_all().
 *
 * Owns: kcpus[] (see kernel.h for who writes which field), nr_online, and
 * the call slot (call_fn, call_arg, call_gen, call_done).
 *
 * Protocol of smp_call_all(): the caller publishes fn and arg, then bumps
 * call_gen with release ordering and kicks the other CPUs. Each secondary
 * loops in idle until it sees a new call_gen (acquire), runs the function
 * and increments call_done. The caller runs the function too, then waits
 * until call_done reaches the number of other online CPUs. Only one
 * caller at a time (the boot CPU), so the slot needs no lock.
 */
#include "kernel.h"
#include <kma/kmalloc.h>
#include <kma/spinlock.h>

struct kcpu kcpus[PORT_MAX_CPUS];

static unsigned int nr_online = 1;		/* atomic */
static void (*call_fn)(void *arg);
static void *call_arg;
static unsigned int call_gen;			/* atomic */
static unsigned int call_done;			/* atomic */

/* Set by kmain(): handler each secondary installs on its timer. */
void (*kernel_timer_handler)(void);
unsigned int kernel_timer_hz;

unsigned int kernel_nr_online(void)
{
	return __atomic_load_n(&nr_online, __ATOMIC_ACQUIRE);
}

__noreturn void kernel_secondary_main(void)
{
	struct kcpu *c = this_kcpu();
	unsigned int seen = __atomic_load_n(&call_gen, __ATOMIC_ACQUIRE);

	__atomic_store_n(&c->online, 1, __ATOMIC_RELEASE);
	__atomic_fetch_add(&nr_online, 1, __ATOMIC_ACQ_REL);
	if (kernel_timer_handler)
		arch_timer_start(kernel_timer_hz, kernel_timer_handler);
	for (;;) {
		unsigned int gen;

		/*
		 * Interrupts off from the check to the halt, which enables
		 * them: a kick that comes in between stays pending and ends
		 * the halt, instead of being taken before it and lost (with
		 * the timers stopped, nothing else would wake this CPU).
		 */
		port_irq_save();
		gen = __atomic_load_n(&call_gen, __ATOMIC_ACQUIRE);
		if (gen == seen) {
			kmalloc_cpu_poll(port_cpu_id());
			arch_cpu_idle();
			continue;
		}
		arch_irq_enable();
		seen = gen;
		call_fn(call_arg);
		__atomic_fetch_add(&call_done, 1, __ATOMIC_RELEASE);
	}
}

void smp_call_all(void (*fn)(void *arg), void *arg)
{
	unsigned int others = kernel_nr_online() - 1;

	call_fn = fn;
	call_arg = arg;
	__atomic_store_n(&call_done, 0, __ATOMIC_RELAXED);
	__atomic_fetch_add(&call_gen, 1, __ATOMIC_RELEASE);
	arch_cpus_kick();
	fn(arg);
	while (__atomic_load_n(&call_done, __ATOMIC_ACQUIRE) < others)
		cpu_relax();
}
