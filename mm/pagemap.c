// SPDX-License-Identifier: MIT
/*
 * pagemap.c - the page map: heap page -> span, read without locks by
 * kfree() and friends (span_of() in heap.h).
 *
 * Owns: heap.l1 entries' leaves and their use counts.
 *
 * Locking: writers hold heap.lock; entries are published with release
 * stores after the span they point to is set up.
 */
#include <frame.h>
#include "heap.h"

struct pagemap_l1 *l1_of(uintptr_t va)
{
	return &heap.l1[(va - heap.va_base) >> CHUNK_SHIFT];
}

/* Point every page of [va, va + npages) at @s. Caller holds heap.lock. */
void pagemap_set(uintptr_t va, uint32_t npages, struct span *s)
{
	uint32_t i;

	for (i = 0; i < npages; i++, va += PAGE_SIZE) {
		struct pagemap_l1 *e = l1_of(va);
		struct span **slot = &e->leaf[(va >> PAGE_SHIFT) &
					      (CHUNK_PAGES - 1)];

		if (!*slot && s)
			e->used++;
		else if (*slot && !s)
			e->used--;
		__atomic_store_n(slot, s, __ATOMIC_RELEASE);
	}
}

/* Make sure the leaves for [va, va + bytes) exist. Caller holds the lock. */
int pagemap_ensure(uintptr_t va, size_t bytes)
{
	uintptr_t end = va + bytes;

	for (va &= ~(CHUNK_SIZE - 1); va < end; va += CHUNK_SIZE) {
		struct pagemap_l1 *e = l1_of(va);
		phys_addr_t pa;
		void *leaf;

		if (e->leaf)
			continue;
		pa = frame_alloc(0);
		if (pa == FRAME_NONE)
			return -1;
		leaf = port_phys_to_virt(pa);
		mm_memset(leaf, 0, PAGE_SIZE);
		heap.meta_frames++;
		e->used = 0;
		__atomic_store_n(&e->leaf, leaf, __ATOMIC_RELEASE);
	}
	return 0;
}

/* Drop leaves of [va, va + bytes) that no longer map anything. */
void pagemap_trim(uintptr_t va, size_t bytes)
{
	uintptr_t end = va + bytes;

	for (va &= ~(CHUNK_SIZE - 1); va < end; va += CHUNK_SIZE) {
		struct pagemap_l1 *e = l1_of(va);
		struct span **leaf = e->leaf;

		if (!leaf || e->used || e->chunk)
			continue;
		__atomic_store_n(&e->leaf, NULL, __ATOMIC_RELEASE);
		frame_free(port_virt_to_phys(leaf), 0);
		heap.meta_frames--;
	}
}
