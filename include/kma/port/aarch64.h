/* SPDX-License-Identifier: MIT */
/*
 * port/aarch64.h - AArch64 for kma, in two parts.
 *
 * The CPU part: how a spinning CPU waits (yield; in kernels, a ticket
 * wait that sleeps in wfe, re-arming the exclusive monitor with ldaxr so
 * that the unlocking store wakes the waiter), and the virtual counter of
 * the lock statistics. spinlock.h includes it alone, by the compiler's
 * target, in every build (host, kernels, the library).
 *
 * The port part: inline hot primitives for AArch64 kernels (see port.h,
 * "Inline primitives"), selected with
 * -DPORT_INLINE_HEADER='<kma/port/aarch64.h>'.
 * Convention: TPIDR_EL1 points at the CPU's per-CPU area, whose 32-bit
 * word at offset PORT_PERCPU_ID_OFFSET is the CPU id. Interrupt state is
 * DAIF; only IRQs (the I bit) are masked. Also declares the guard-page
 * hook, port_guard_protect().
 */
#ifndef KMA_PORT_AARCH64_CPU_H
#define KMA_PORT_AARCH64_CPU_H

/* spinlock.h: one poll of a spin loop. */
static inline void kma_arch_cpu_relax(void)
{
	__asm__ __volatile__("yield" ::: "memory");
}
#define kma_arch_cpu_relax kma_arch_cpu_relax

#ifdef KMA_KERNEL
/* spinlock.h: wait until *@owner == @ticket, then acquire. */
static inline void kma_arch_spin_wait(uint32_t *owner, uint32_t ticket)
{
	uint32_t cur;

	if (__atomic_load_n(owner, __ATOMIC_ACQUIRE) == ticket)
		return;
	__asm__ __volatile__(
		"	sevl\n"
		"1:	wfe\n"
		"	ldaxr	%w0, %1\n"
		"	cmp	%w0, %w2\n"
		"	b.ne	1b\n"
		: "=&r"(cur)
		: "Q"(*owner), "r"(ticket)
		: "memory", "cc");
}
#define kma_arch_spin_wait kma_arch_spin_wait
#endif

/* spinlock.h, -DKMA_LOCK_STATS: a cycle count. */
static inline uint64_t kma_arch_cycles(void)
{
	uint64_t v;

	__asm__ __volatile__("mrs %0, cntvct_el0" : "=r"(v));
	return v;
}
#define kma_arch_cycles kma_arch_cycles

#endif /* KMA_PORT_AARCH64_CPU_H */

#if !defined(KMA_PORT_CPU_ONLY) && !defined(KMA_PORT_AARCH64_H)
#define KMA_PORT_AARCH64_H

#define PORT_PERCPU_ID_OFFSET	8
#define PORT_PERCPU_ROW_OFFSET	16

static inline unsigned int __port_cpu_id_inline(void)
{
	const char *area;

	__asm__ __volatile__("mrs %0, tpidr_el1" : "=r"(area));
	return *(const volatile unsigned int *)(area + PORT_PERCPU_ID_OFFSET);
}

static inline void *__port_cpu_row_inline(void)
{
	const char *area;

	__asm__ __volatile__("mrs %0, tpidr_el1" : "=r"(area));
	return *(void *const volatile *)(area + PORT_PERCPU_ROW_OFFSET);
}

static inline unsigned long __port_irq_save_inline(void)
{
	unsigned long flags;

	__asm__ __volatile__("mrs %0, daif; msr daifset, #2"
			     : "=r"(flags) : : "memory");
	return flags;
}

static inline void __port_irq_restore_inline(unsigned long flags)
{
	__asm__ __volatile__("msr daif, %0" : : "r"(flags) : "memory");
}

#define port_cpu_id()		__port_cpu_id_inline()
#define port_cpu_row()		__port_cpu_row_inline()
#define port_irq_save()		__port_irq_save_inline()
#define port_irq_restore(f)	__port_irq_restore_inline(f)

#ifdef KMA_RCS
/*
 * Restartable per-CPU sections (port.h, KMA_RCS; port/rcs.h has the C
 * side and the rules): this CPU's row from TPIDR_EL1; the pop compares
 * lo in the popped pointer's register.
 */
#define __PORT_RCS_OFF_T	unsigned int
#define __PORT_RCS_P		"=&r"
#define __PORT_RCS_ADDR		".quad"
#define __PORT_RCS_ALIGN	"8"
#define __PORT_RCS_POP							\
	"1:	mrs	%[st], tpidr_el1\n"					\
	"	ldr	%[st], [%[st], #%[row]]\n"				\
	"	add	%[st], %[st], %w[off], uxtw\n"				\
	"	ldp	%[top], %[p], [%[st]]\n"				\
	"	cmp	%[top], %[p]\n"						\
	"	b.eq	%l[empty]\n"						\
	"	ldr	%[p], [%[top], #-8]!\n"					\
	"	str	%[top], [%[st]]\n"					\
	"2:\n"
#define __PORT_RCS_PUSH							\
	"1:	mrs	%[st], tpidr_el1\n"					\
	"	ldr	%[st], [%[st], #%[row]]\n"				\
	"	add	%[st], %[st], %w[off], uxtw\n"				\
	"	ldr	%[top], [%[st]]\n"					\
	"	ldr	%[hi], [%[st], #16]\n"					\
	"	cmp	%[top], %[hi]\n"					\
	"	b.eq	%l[full]\n"						\
	"	str	%[word], [%[p]]\n"					\
	"	str	%[p], [%[top]], #8\n"					\
	"	str	%[top], [%[st]]\n"					\
	"2:\n"
#include <kma/port/rcs.h>
#endif /* KMA_RCS */

/*
 * Guard pages (port.h): 4 KiB pages of the identity map made invalid and
 * valid again (arch/aarch64/mmu.c). The first call for a range splits
 * its blocks, taking page tables from frame_alloc().
 */
int aarch64_guard_protect(void *va, size_t bytes, bool access);
#define port_guard_protect(va, bytes, access)				\
	aarch64_guard_protect(va, bytes, access)
#define PORT_GUARD_PAGES	1

#endif /* KMA_PORT_AARCH64_H */
