/* SPDX-License-Identifier: MIT */
/*
 * port/x86_64.h - x86 (x86-64, and i386 for the CPU part) for kma, in two
 * parts.
 *
 * The CPU part: how a spinning CPU waits (pause), and the time-stamp
 * counter of the lock statistics. spinlock.h includes it alone, by the
 * compiler's target, in every build (host, kernels, the library).
 *
 * The port part: inline hot primitives for x86-64 kernels (see port.h,
 * "Inline primitives"), selected with
 * -DPORT_INLINE_HEADER='<kma/port/x86_64.h>'.
 * Convention: the GS base points at the CPU's per-CPU area, whose 32-bit
 * word at offset PORT_PERCPU_ID_OFFSET is the CPU id. Interrupt state is
 * RFLAGS.IF. Also declares the guard-page hook, port_guard_protect().
 */
#ifndef KMA_PORT_X86_64_CPU_H
#define KMA_PORT_X86_64_CPU_H

/* spinlock.h: one poll of a spin loop. */
static inline void kma_arch_cpu_relax(void)
{
	__builtin_ia32_pause();
}
#define kma_arch_cpu_relax kma_arch_cpu_relax

/* spinlock.h, -DKMA_LOCK_STATS: a cycle count. */
static inline uint64_t kma_arch_cycles(void)
{
	return __builtin_ia32_rdtsc();
}
#define kma_arch_cycles kma_arch_cycles

#endif /* KMA_PORT_X86_64_CPU_H */

#if !defined(KMA_PORT_CPU_ONLY) && !defined(KMA_PORT_X86_64_H)
#define KMA_PORT_X86_64_H

#define PORT_PERCPU_ID_OFFSET	8
#define PORT_PERCPU_ROW_OFFSET	16

static inline unsigned int __port_cpu_id_inline(void)
{
	unsigned int id;

	__asm__ __volatile__("movl %%gs:%c1, %0"
			     : "=r"(id) : "i"(PORT_PERCPU_ID_OFFSET));
	return id;
}

static inline void *__port_cpu_row_inline(void)
{
	void *row;

	__asm__ __volatile__("movq %%gs:%c1, %0"
			     : "=r"(row) : "i"(PORT_PERCPU_ROW_OFFSET));
	return row;
}

static inline unsigned long __port_irq_save_inline(void)
{
	unsigned long flags;

	__asm__ __volatile__("pushfq; popq %0; cli"
			     : "=r"(flags) : : "memory");
	return flags;
}

static inline void __port_irq_restore_inline(unsigned long flags)
{
	if (flags & (1UL << 9))
		__asm__ __volatile__("sti" : : : "memory");
}

#define port_cpu_id()		__port_cpu_id_inline()
#define port_cpu_row()		__port_cpu_row_inline()
#define port_irq_save()		__port_irq_save_inline()
#define port_irq_restore(f)	__port_irq_restore_inline(f)

#ifdef KMA_RCS
/*
 * Restartable per-CPU sections (port.h, KMA_RCS; port/rcs.h has the C
 * side and the rules): this CPU's row from %gs, the popped pointer in
 * %rax, where kmalloc() returns it.
 */
#define __PORT_RCS_OFF_T	unsigned long
#define __PORT_RCS_P		"=&a"
#define __PORT_RCS_ADDR		".quad"
#define __PORT_RCS_ALIGN	"8"
#define __PORT_RCS_POP							\
	"1:	movq %%gs:%c[row], %[st]\n"				\
	"	addq %[off], %[st]\n"						\
	"	movq (%[st]), %[top]\n"					\
	"	cmpq %[top], 8(%[st])\n"					\
	"	je %l[empty]\n"							\
	"	movq -8(%[top]), %[p]\n"					\
	"	subq $8, %[top]\n"						\
	"	movq %[top], (%[st])\n"					\
	"2:\n"
#define __PORT_RCS_PUSH							\
	"1:	movq %%gs:%c[row], %[st]\n"				\
	"	addq %[off], %[st]\n"						\
	"	movq (%[st]), %[top]\n"					\
	"	cmpq %[top], 16(%[st])\n"	/* %[hi] unused */		\
	"	je %l[full]\n"							\
	"	movq %[word], (%[p])\n"					\
	"	movq %[p], (%[top])\n"					\
	"	addq $8, %[top]\n"						\
	"	movq %[top], (%[st])\n"					\
	"2:\n"
#include <kma/port/rcs.h>
#endif /* KMA_RCS */

/*
 * Guard pages (port.h): 4 KiB pages of the identity map made not present
 * and present again (arch/x86_64/kma_port.c). The first call for a range
 * splits its 2 MiB pages, taking page tables from frame_alloc().
 */
int x86_guard_protect(void *va, size_t bytes, bool access);
#define port_guard_protect(va, bytes, access)				\
	x86_guard_protect(va, bytes, access)
#define PORT_GUARD_PAGES	1

#endif /* KMA_PORT_X86_64_H */
