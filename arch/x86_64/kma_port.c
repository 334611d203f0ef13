// SPDX-License-Identifier: MIT
/*
 * kma_port.c - the port interface of <kma/port.h> on x86-64, the demo
 * kernel's side: CPU id in the per-CPU area (one load from %gs:8), the
 * CPU count fixed by arch_early_init(), RFLAGS.IF for interrupts, and the
 * identity map the boot code builds over all RAM. The console, panic and
 * report functions and the kick are the generic kernel's
 * (kernel/kma_port.c).
 *
 * Guard pages (port_guard_protect(), for mm/guard.c): the present bit of
 * the 4 KiB page-table entries under the pool. The identity map is made
 * of 2 MiB pages; the first call for a range replaces each 2 MiB page it
 * touches by a page table of the same 512 mappings (same attributes), so
 * nothing changes but the granularity.
 *
 * State: none of its own (x86_nr_cpus is cpu.c's, written before the
 * allocator starts). The page tables made by splitting are never freed:
 * once split, a directory entry stays split, so a later call for the
 * same pages only flips present bits, allocating nothing.
 */
#include <kma/port.h>
#include <kma/frame.h>
#include "kernel.h"
#include "x86.h"

unsigned int (port_cpu_id)(void)
{
	unsigned int id;

	__asm__ __volatile__("movl %%gs:%c1, %0" : "=r"(id) : "i"(KCPU_ID));
	return id;
}

unsigned int port_cpu_count(void)
{
	return x86_nr_cpus;
}

unsigned long (port_irq_save)(void)
{
	unsigned long flags;

	__asm__ __volatile__("pushfq; popq %0; cli" : "=r"(flags) : : "memory");
	return flags;
}

void (port_irq_restore)(unsigned long flags)
{
	if (flags & X86_RFLAGS_IF)
		__asm__ __volatile__("sti" : : : "memory");
}

void *port_phys_to_virt(phys_addr_t pa)
{
	return (void *)(uintptr_t)pa;
}

phys_addr_t port_virt_to_phys(const void *va)
{
	return (phys_addr_t)(uintptr_t)va;
}

#define PTE_P		0x1ULL
#define PTE_PS		0x80ULL		/* in a directory entry: 2 MiB */
#define PTE_ADDR	0x000ffffffffff000ULL
#define PTE_FLAGS	(0x11fULL | 1ULL << 63)	/* P W US PWT PCD G NX */
#define PD_SPAN		(1ULL << 21)

/*
 * The page table under the directory entry of @va. A 2 MiB page there is
 * replaced by a table of 4 KiB pages with its attributes if @split (may
 * allocate one frame), else NULL.
 */
static uint64_t *x86_guard_table(uintptr_t va, bool split)
{
	uint64_t *pde = &boot_pd[va >> 21];
	uint64_t old = __atomic_load_n(pde, __ATOMIC_ACQUIRE), base;
	phys_addr_t pa;
	uint64_t *pt;
	unsigned int i;

	for (;;) {
		if (!(old & PTE_P))
			return NULL;
		if (!(old & PTE_PS))
			return port_phys_to_virt(old & PTE_ADDR);
		if (!split)
			return NULL;
		pa = frame_alloc(0);
		if (pa == FRAME_NONE)
			return NULL;
		pt = port_phys_to_virt(pa);
		base = old & PTE_ADDR & ~(PD_SPAN - 1);
		for (i = 0; i < 512; i++)
			pt[i] = (base + ((uint64_t)i << 12)) |
				(old & PTE_FLAGS);
		/* Same mappings, finer: no window where @va is unmapped. */
		if (__atomic_compare_exchange_n(pde, &old, pa | 0x3, false,
						__ATOMIC_ACQ_REL,
						__ATOMIC_ACQUIRE)) {
			write_cr3(read_cr3());	/* drop the 2 MiB entry */
			return pt;
		}
		frame_free(pa, 0);		/* another CPU split it */
	}
}

/**
 * x86_guard_protect - make the 4 KiB pages of [@va, @va + @bytes) not
 * present (@access false) or present again (port.h, port_guard_protect()).
 * @va: page aligned, in the identity map.
 * @bytes: a multiple of the page size.
 * @access: true to map the pages again.
 *
 * The first call for a range splits the 2 MiB pages it touches (frames
 * from frame_alloc(); no kma lock may be held). Only this CPU's TLB is
 * invalidated: another CPU may keep an old entry and miss a fault.
 *
 * Return: 0, or -1 (a page outside the map, or no frame for a split).
 */
int x86_guard_protect(void *va, size_t bytes, bool access)
{
	uintptr_t p = (uintptr_t)va, end = p + bytes;
	uint64_t *pt = NULL;

	if ((p | bytes) & (FRAME_SIZE - 1) || end < p || end > x86_mapped_top)
		return -1;
	for (; p < end; p += FRAME_SIZE) {
		if (!pt || !(p & (PD_SPAN - 1)))
			pt = x86_guard_table(p, !access);
		if (!pt && access && (boot_pd[p >> 21] & (PTE_P | PTE_PS)) ==
				     (PTE_P | PTE_PS)) {
			p |= PD_SPAN - FRAME_SIZE;	/* never split: mapped */
			continue;
		}
		if (!pt)
			return -1;
		if (access)
			__atomic_fetch_or(&pt[(p >> 12) & 511], PTE_P,
					  __ATOMIC_RELAXED);
		else
			__atomic_fetch_and(&pt[(p >> 12) & 511], ~PTE_P,
					   __ATOMIC_RELAXED);
		invlpg(p);
	}
	return 0;
}
