// SPDX-License-Identifier: MIT
/*
 * kma_port.c - what x86-64 adds to the demo kernel's port of kma
 * (kernel/kma_port.c is the rest): guard pages.
 *
 * Guard pages (port_guard_protect(), for mm/guard.c): the present bit of
 * the 4 KiB page-table entries under the pool. The identity map is made
 * of 2 MiB pages; the first call for a range replaces each 2 MiB page it
 * touches by a page table of the same 512 mappings (same attributes), so
 * nothing changes but the granularity.
 *
 * State: the page tables made by splitting are never freed:
 * once split, a directory entry stays split, so a later call for the
 * same pages only flips present bits, allocating nothing.
 */
#include <kma/port.h>
#include <kma/frame.h>
#include "kernel.h"
#include "x86.h"

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
