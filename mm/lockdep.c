// SPDX-License-Identifier: MIT
/*
 * lockdep.c - the lock rules of docs/ARCHITECTURE.md ("Locks") as checks,
 * in -DKMA_LOCKDEP builds (the test builds of the host and the kernels;
 * never the installed library or the drop-in):
 *   - order: a ranked lock (KMA_LOCK_RANK_*, spinlock.h) is taken only
 *     while every ranked lock this CPU holds has a lower rank, or the same
 *     rank at a lower address (the centrals, taken in class order around
 *     fork()); anything else is reported before the lock is taken;
 *   - a lock a function requires is held by the calling CPU
 *     (lockdep_assert_held());
 *   - interrupts are off where the code relies on it
 *     (lockdep_assert_irqs_off(); kernels: RFLAGS.IF, DAIF.I, CPSR.I or
 *     PRIMASK);
 *   - a per-CPU structure is touched by its own CPU
 *     (lockdep_assert_this_cpu()).
 * Violations are reported as MM_ERR_LOCK and the caller goes on.
 *
 * Owns: held[], per CPU the ranked locks it holds, in the order taken;
 * written by its own CPU only (locks are taken with interrupts off, so an
 * interrupt cannot take one in between), read by that CPU. kma_lockdep_on
 * is set at the end of mm_init(): the checks call port_cpu_id(), which
 * mm_init() must not.
 */
#include <kma/mm_report.h>
#include "heap.h"

#ifdef KMA_LOCKDEP

#define LOCKDEP_DEPTH	(NR_SPC + 8)	/* kmalloc_lock_all(): every central */

struct held_locks {
	spinlock_t *l[LOCKDEP_DEPTH];
	unsigned int n;
};

static struct held_locks held[PORT_MAX_CPUS];
bool kma_lockdep_on;

static __attribute__((noinline, cold)) void
lockdep_report(const spinlock_t *l, const char *what, const spinlock_t *o,
	       unsigned int cpu)
{
	if (o)
		mm_report(MM_ERR_LOCK, (uintptr_t)l, cpu,
			  "lockdep: cpu %u: %s %s (rank %u) while holding %s "
			  "(rank %u)", cpu, what, l->name ? l->name : "?",
			  (unsigned int)l->rank, o->name ? o->name : "?",
			  (unsigned int)o->rank);
	else
		mm_report(MM_ERR_LOCK, (uintptr_t)l, cpu,
			  "lockdep: cpu %u: %s %s (rank %u)", cpu, what,
			  l->name ? l->name : "?", (unsigned int)l->rank);
}

/* The calling CPU, or -1 while the checks are off. */
static int lockdep_cpu(const spinlock_t *l)
{
	unsigned int cpu;

	if (!l->rank || !__atomic_load_n(&kma_lockdep_on, __ATOMIC_RELAXED))
		return -1;
	cpu = port_cpu_id();
	return cpu < PORT_MAX_CPUS ? (int)cpu : -1;
}

/* Before @l is taken: against every ranked lock this CPU holds. */
void kma_lockdep_acquire(spinlock_t *l)
{
	int cpu = lockdep_cpu(l);
	struct held_locks *h;
	unsigned int i;

	if (cpu < 0)
		return;
	h = &held[cpu];
	for (i = 0; i < h->n; i++) {
		const spinlock_t *o = h->l[i];

		if (o->rank > l->rank || (o->rank == l->rank && o >= l)) {
			lockdep_report(l, o == l ? "recursive lock of" :
				       "lock order: taking", o, (unsigned int)cpu);
			return;
		}
	}
}

/* @l is now held by this CPU: record it. */
void kma_lockdep_acquired(spinlock_t *l)
{
	int cpu = lockdep_cpu(l);
	struct held_locks *h;

	if (cpu < 0)
		return;
	h = &held[cpu];
	if (h->n == LOCKDEP_DEPTH) {
		lockdep_report(l, "too many locks held to record", NULL,
			       (unsigned int)cpu);
		return;
	}
	h->l[h->n++] = l;
}

/* @l is given back: it must be one this CPU holds. */
void kma_lockdep_release(spinlock_t *l)
{
	int cpu = lockdep_cpu(l);
	struct held_locks *h;
	unsigned int i;

	if (cpu < 0)
		return;
	h = &held[cpu];
	for (i = h->n; i-- > 0;) {
		if (h->l[i] == l) {
			for (; i + 1 < h->n; i++)
				h->l[i] = h->l[i + 1];
			h->n--;
			return;
		}
	}
	lockdep_report(l, "unlock of a lock it does not hold:", NULL,
		       (unsigned int)cpu);
}

/* See heap.h. */
void kma_lockdep_assert_held(spinlock_t *l, const char *fn)
{
	int cpu = lockdep_cpu(l);
	struct held_locks *h;
	unsigned int i;

	if (cpu < 0)
		return;
	h = &held[cpu];
	for (i = 0; i < h->n; i++)
		if (h->l[i] == l)
			return;
	mm_report(MM_ERR_LOCK, (uintptr_t)l, (uint64_t)cpu,
		  "lockdep: cpu %d: %s() needs %s held", cpu, fn,
		  l->name ? l->name : "?");
}

/* Whether interrupts are off on this CPU (the host has none: true). */
static bool irqs_off(void)
{
#if defined(KMA_KERNEL) && defined(__x86_64__)
	unsigned long flags;

	__asm__ __volatile__("pushfq; popq %0" : "=r"(flags));
	return !(flags & (1ul << 9));
#elif defined(KMA_KERNEL) && defined(__aarch64__)
	unsigned long daif;

	__asm__ __volatile__("mrs %0, daif" : "=r"(daif));
	return daif & (1ul << 7);
#elif defined(KMA_KERNEL) && defined(__arm__) && \
	defined(__ARM_ARCH_PROFILE) && __ARM_ARCH_PROFILE == 'M'
	unsigned long primask;

	__asm__ __volatile__("mrs %0, primask" : "=r"(primask));
	return primask & 1;
#elif defined(KMA_KERNEL) && defined(__arm__)
	unsigned long cpsr;

	__asm__ __volatile__("mrs %0, cpsr" : "=r"(cpsr));
	return cpsr & (1ul << 7);
#else
	return true;
#endif
}

/* See heap.h. */
void kma_lockdep_assert_irqs_off(const char *fn)
{
	if (!__atomic_load_n(&kma_lockdep_on, __ATOMIC_RELAXED) || irqs_off())
		return;
	mm_report(MM_ERR_LOCK, 0, 0,
		  "lockdep: %s() needs interrupts off", fn);
}

/* See heap.h. */
void kma_lockdep_assert_this_cpu(unsigned int cpu, const char *fn)
{
	unsigned int me;

	if (!__atomic_load_n(&kma_lockdep_on, __ATOMIC_RELAXED))
		return;
	me = port_cpu_id();
	if (me != cpu)
		mm_report(MM_ERR_LOCK, 0, cpu,
			  "lockdep: %s() on cpu %u touches cpu %u's caches",
			  fn, me, cpu);
}

/*
 * See lockdep.h. Objects go on (to a central, a span) only once the
 * cache no longer counts them: a fork() child that drains a dead
 * thread's cache (host) would free the ones it still counts again.
 */
void kma_lockdep_assert_left(void *const *lo, void *const *top,
			     void *const *from, unsigned int n,
			     const char *fn)
{
	if (!__atomic_load_n(&kma_lockdep_on, __ATOMIC_RELAXED))
		return;
	if (n && from < top && from + n > lo)
		mm_report(MM_ERR_LOCK, (uintptr_t)*from, port_cpu_id(),
			  "lockdep: %s() hands on objects still in the cache",
			  fn);
}

#endif /* KMA_LOCKDEP */
