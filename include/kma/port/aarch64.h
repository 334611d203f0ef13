/* SPDX-License-Identifier: MIT */
/*
 * port/aarch64.h - inline hot primitives for AArch64 kernels (see port.h,
 * "Inline primitives"), selected with
 * -DPORT_INLINE_HEADER='<kma/port/aarch64.h>'.
 *
 * Convention: TPIDR_EL1 points at the CPU's per-CPU area, whose 32-bit
 * word at offset PORT_PERCPU_ID_OFFSET is the CPU id. Interrupt state is
 * DAIF; only IRQs (the I bit) are masked. Also declares the guard-page
 * hook, port_guard_protect().
 */
#ifndef KMA_PORT_AARCH64_H
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
