/* SPDX-License-Identifier: MIT */
/*
 * lockdep.h - mm/'s lock-rule assertions (mm/lockdep.c): checks in
 * -DKMA_LOCKDEP builds (tests), nothing otherwise.
 *   lockdep_assert_held(l)       the calling CPU holds ranked lock @l
 *   lockdep_assert_irqs_off()    interrupts are off (kernels)
 *   lockdep_assert_this_cpu(c)   @c is the calling CPU
 *   lockdep_assert_left(lo, top, from, n)
 *                                objects [from, from + n) being handed on
 *                                are out of the cache [lo, top) already
 * The lock order itself is checked in spin_lock() (spinlock.h).
 */
#ifndef KMA_MM_LOCKDEP_H
#define KMA_MM_LOCKDEP_H

#include <stdbool.h>
#include <kma/spinlock.h>

#ifdef KMA_LOCKDEP
extern bool kma_lockdep_on;
void kma_lockdep_assert_held(spinlock_t *l, const char *fn);
void kma_lockdep_assert_irqs_off(const char *fn);
void kma_lockdep_assert_this_cpu(unsigned int cpu, const char *fn);
void kma_lockdep_assert_left(void *const *lo, void *const *top,
			     void *const *from, unsigned int n,
			     const char *fn);
#define lockdep_assert_held(l)		kma_lockdep_assert_held(l, __func__)
#define lockdep_assert_irqs_off()	kma_lockdep_assert_irqs_off(__func__)
#define lockdep_assert_this_cpu(cpu)	kma_lockdep_assert_this_cpu(cpu, __func__)
#define lockdep_assert_left(lo, top, from, n) \
	kma_lockdep_assert_left(lo, top, from, n, __func__)
#define lockdep_start()	__atomic_store_n(&kma_lockdep_on, true, __ATOMIC_RELAXED)
#else
#define lockdep_assert_held(l)		((void)(l))
#define lockdep_assert_irqs_off()	((void)0)
#define lockdep_assert_this_cpu(cpu)	((void)(cpu))
#define lockdep_assert_left(lo, top, from, n) \
	((void)(lo), (void)(top), (void)(from), (void)(n))
#define lockdep_start()			((void)0)
#endif

#endif /* KMA_MM_LOCKDEP_H */
