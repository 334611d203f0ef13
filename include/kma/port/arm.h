/* SPDX-License-Identifier: MIT */
/*
 * port/arm.h - 32-bit Arm (ARMv7-A) for kma, in two parts.
 *
 * The CPU part: how a spinning CPU waits. cpu_relax() is yield, which
 * also lets a single-threaded emulator run the holder instead of the
 * waiter's whole time slice; in kernels a ticket waiter sleeps in wfe
 * and the unlock sends the event (sev) after its store (ARMv7 has no
 * event on the monitor's clearing). spinlock.h includes it alone, by the
 * compiler's target, in every build (host, kernels, the library).
 *
 * The port part: inline hot primitives for 32-bit Arm kernels (see
 * port.h, "Inline primitives"), selected with
 * -DPORT_INLINE_HEADER='<kma/port/arm.h>'.
 * Convention: TPIDRPRW (the PL1-only software thread ID register, CP15
 * c13/c0/4) points at the CPU's per-CPU area, whose 32-bit word at offset
 * PORT_PERCPU_ID_OFFSET is the CPU id and whose pointer at offset
 * PORT_PERCPU_ROW_OFFSET is the allocator's row. Interrupt state is the
 * CPSR; only IRQs (the I bit) are masked, and port_irq_restore() writes
 * back the control field (mode and mask bits) only.
 */
#ifndef KMA_PORT_ARM_CPU_H
#define KMA_PORT_ARM_CPU_H

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
	while (__atomic_load_n(owner, __ATOMIC_ACQUIRE) != ticket)
		__asm__ __volatile__("wfe" ::: "memory");
}
#define kma_arch_spin_wait kma_arch_spin_wait

/* spinlock.h: after the unlocking store, wake the waiters' wfe. */
static inline void kma_arch_spin_wake(void)
{
	/* The store is visible before the waiters' wfe returns. */
	__asm__ __volatile__("dsb ishst; sev" ::: "memory");
}
#define kma_arch_spin_wake kma_arch_spin_wake
#endif

#endif /* KMA_PORT_ARM_CPU_H */

#if !defined(KMA_PORT_CPU_ONLY) && !defined(KMA_PORT_ARM_H)
#define KMA_PORT_ARM_H

#define PORT_PERCPU_ID_OFFSET	8
#define PORT_PERCPU_ROW_OFFSET	16

static inline const char *__port_percpu_area(void)
{
	const char *area;

	__asm__ __volatile__("mrc p15, 0, %0, c13, c0, 4" : "=r"(area));
	return area;
}

static inline unsigned int __port_cpu_id_inline(void)
{
	return *(const volatile unsigned int *)(__port_percpu_area() +
						PORT_PERCPU_ID_OFFSET);
}

static inline void *__port_cpu_row_inline(void)
{
	return *(void *const volatile *)(__port_percpu_area() +
					 PORT_PERCPU_ROW_OFFSET);
}

static inline unsigned long __port_irq_save_inline(void)
{
	unsigned long flags;

	__asm__ __volatile__("mrs %0, cpsr; cpsid i"
			     : "=r"(flags) : : "memory");
	return flags;
}

static inline void __port_irq_restore_inline(unsigned long flags)
{
	__asm__ __volatile__("msr cpsr_c, %0" : : "r"(flags) : "memory");
}

#define port_cpu_id()		__port_cpu_id_inline()
#define port_cpu_row()		__port_cpu_row_inline()
#define port_irq_save()		__port_irq_save_inline()
#define port_irq_restore(f)	__port_irq_restore_inline(f)

#ifdef KMA_RCS
/*
 * Restartable per-CPU sections (port.h, KMA_RCS; port/rcs.h has the C
 * side and the rules), ARM state (A32) only: this CPU's row from
 * TPIDRPRW; the pop compares lo in the popped pointer's register (one
 * register fewer to spill).
 */
#define __PORT_RCS_OFF_T	unsigned int
#define __PORT_RCS_P		"=&r"
#define __PORT_RCS_ADDR		".long"
#define __PORT_RCS_ALIGN	"4"
#define __PORT_RCS_POP							\
	"1:	mrc	p15, 0, %[st], c13, c0, 4\n"				\
	"	ldr	%[st], [%[st], #%c[row]]\n"				\
	"	add	%[st], %[st], %[off]\n"					\
	"	ldr	%[top], [%[st]]\n"					\
	"	ldr	%[p], [%[st], #4]\n"					\
	"	cmp	%[top], %[p]\n"						\
	"	beq	%l[empty]\n"						\
	"	ldr	%[p], [%[top], #-4]!\n"					\
	"	str	%[top], [%[st]]\n"					\
	"2:\n"
#define __PORT_RCS_PUSH							\
	"1:	mrc	p15, 0, %[st], c13, c0, 4\n"				\
	"	ldr	%[st], [%[st], #%c[row]]\n"				\
	"	add	%[st], %[st], %[off]\n"					\
	"	ldr	%[top], [%[st]]\n"					\
	"	ldr	%[hi], [%[st], #8]\n"					\
	"	cmp	%[top], %[hi]\n"					\
	"	beq	%l[full]\n"						\
	"	str	%[word], [%[p]]\n"					\
	"	str	%[p], [%[top]], #4\n"					\
	"	str	%[top], [%[st]]\n"					\
	"2:\n"
#include <kma/port/rcs.h>
#endif /* KMA_RCS */

/*
 * Guard pages (port.h): 4 KiB pages of the identity map made to fault
 * and mapped again (arch/arm/mmu.c). The first call for a range splits
 * its sections, taking page tables from frame_alloc().
 */
int arm_guard_protect(void *va, size_t bytes, bool access);
#define port_guard_protect(va, bytes, access)				\
	arm_guard_protect(va, bytes, access)
#define PORT_GUARD_PAGES	1

#endif /* KMA_PORT_ARM_H */
