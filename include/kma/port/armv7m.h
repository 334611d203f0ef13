/* SPDX-License-Identifier: MIT */
/*
 * port/armv7m.h - ARMv7-M (Cortex-M3 and up, one core, no MMU) for kma,
 * in two parts.
 *
 * The CPU part: how a spinning CPU waits. On a uniprocessor a lock is
 * only ever taken with interrupts masked (port_irq_save() comes first),
 * so nobody else can hold it while we wait and the waits below never
 * loop; they are still correct ticket waits (poll with acquire, yield
 * between polls) so that a second core or an unmasked caller would not
 * break them. No wfe/sev: an M-profile core has no other core to wake.
 * spinlock.h includes this part alone for an M-profile target
 * (__ARM_ARCH_PROFILE == 'M'), in every build.
 *
 * The port part: inline hot primitives for ARMv7-M kernels (port.h,
 * "Inline primitives"), selected with
 * -DPORT_INLINE_HEADER='<kma/port/armv7m.h>'. There is one CPU, so
 * port_cpu_id() is the constant 0 and there is no per-CPU register
 * (no port_cpu_row(): the fast paths index the row of CPU 0). Interrupt
 * state is PRIMASK: save reads it and sets it (cpsid i masks every
 * configurable-priority exception, SysTick included; NMI and HardFault
 * stay enabled), restore writes back exactly what save found.
 *
 * No state; no locking of its own.
 */
#ifndef KMA_PORT_ARMV7M_CPU_H
#define KMA_PORT_ARMV7M_CPU_H

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
		kma_arch_cpu_relax();
}
#define kma_arch_spin_wait kma_arch_spin_wait
#endif

#endif /* KMA_PORT_ARMV7M_CPU_H */

#if !defined(KMA_PORT_CPU_ONLY) && !defined(KMA_PORT_ARMV7M_H)
#define KMA_PORT_ARMV7M_H

static inline unsigned int __port_cpu_id_inline(void)
{
	return 0;
}

static inline unsigned long __port_irq_save_inline(void)
{
	unsigned long flags;

	__asm__ __volatile__("mrs %0, primask; cpsid i"
			     : "=r"(flags) : : "memory");
	return flags;
}

static inline void __port_irq_restore_inline(unsigned long flags)
{
	__asm__ __volatile__("msr primask, %0" : : "r"(flags) : "memory");
}

#define port_cpu_id()		__port_cpu_id_inline()
#define port_irq_save()		__port_irq_save_inline()
#define port_irq_restore(f)	__port_irq_restore_inline(f)

#ifdef KMA_RCS
/*
 * Restartable sections (port.h, KMA_RCS; port/rcs.h has the C side and
 * the rules), Thumb-2. One CPU: the row is CPU 0's, objcache_rows
 * (mm/heap.h), its address built with movw/movt inside the section.
 * %[row] is unused. The exception entry hands the hardware-stacked PC
 * to kma_rcs_fixup() (the demo kernel: armv7m_systick_entry). The labels
 * are not functions, so their addresses in kma_rcs carry no Thumb bit,
 * as the stacked PC does not.
 */
#define __PORT_RCS_OFF_T	unsigned int
#define __PORT_RCS_P		"=&r"
#define __PORT_RCS_ADDR		".long"
#define __PORT_RCS_ALIGN	"4"
#define __PORT_RCS_ROW		0
#define __PORT_RCS_POP							\
	"1:	movw	%[st], #:lower16:objcache_rows\n"			\
	"	movt	%[st], #:upper16:objcache_rows\n"			\
	"	add	%[st], %[st], %[off]\n"					\
	"	ldr	%[top], [%[st]]\n"					\
	"	ldr	%[p], [%[st], #4]\n"					\
	"	cmp	%[top], %[p]\n"						\
	"	beq	%l[empty]\n"						\
	"	ldr	%[p], [%[top], #-4]!\n"					\
	"	str	%[top], [%[st]]\n"					\
	"2:\n"
#define __PORT_RCS_PUSH							\
	"1:	movw	%[st], #:lower16:objcache_rows\n"			\
	"	movt	%[st], #:upper16:objcache_rows\n"			\
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

#endif /* KMA_PORT_ARMV7M_H */
