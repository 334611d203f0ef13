// SPDX-License-Identifier: MIT
/*
 * pages.c - the page API (include/kma/pages.h): blocks of 2^order pages
 * straight from the frame allocator, through the direct map.
 *
 * Owns no state and takes no lock of its own: the frame allocator's
 * per-CPU caches and zone lock do the work, and its per-frame state
 * checks every free (double frees, wrong orders and foreign addresses
 * are reported by frame_free()).
 */
#include <kma/frame.h>
#include <kma/pages.h>
#include "heap.h"

unsigned long kma_get_free_pages(gfp_t gfp, unsigned int order)
{
	phys_addr_t pa;
	bool zero;
	void *va;

	if (order > FRAME_MAX_ORDER) {
		mm_report(MM_ERR_BAD_SIZE, 0, order,
			  "get_free_pages: order %u above %u", order,
			  (unsigned int)FRAME_MAX_ORDER);
		return 0;
	}
	pa = frame_alloc_fresh(order, &zero);
	if (pa == FRAME_NONE) {
		kmalloc_pressure((size_t)FRAME_SIZE << order);
		pa = frame_alloc_fresh(order, &zero);
		if (pa == FRAME_NONE)
			return 0;
	}
	va = port_phys_to_virt(pa);
	if ((gfp & __GFP_ZERO) && !zero)	/* fresh frames read as zero */
		mm_memset(va, 0, (size_t)FRAME_SIZE << order);
	return (unsigned long)(uintptr_t)va;
}

void kma_free_pages(unsigned long addr, unsigned int order)
{
	if (!addr)
		return;
	frame_free(port_virt_to_phys((const void *)(uintptr_t)addr), order);
}
