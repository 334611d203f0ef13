// SPDX-License-Identifier: MIT
/*
 * large.c - objects above HUGE_MIN, straight from the frame allocator
 * (HUGE spans: a buddy block or a frame run registered in the page map).
 *
 * Owns: HUGE span descriptors and the frames behind them.
 *
 * Locking: heap.lock for the page map and the counters; the frames are
 * taken and given back outside it.
 */
#include <frame.h>
#include <mm_report.h>
#include "heap.h"

/**
 * heap_huge_alloc - an object of @bytes straight from the frame allocator.
 * @bytes: above HUGE_MIN.
 *
 * Return: a HUGE span describing it, or NULL.
 */
static void huge_give_back(phys_addr_t pa, size_t npages, uint8_t order)
{
	if (order == 0xff)
		frame_free_run(pa, npages);
	else
		frame_free(pa, order);
}

static struct span *huge_register(phys_addr_t pa, size_t npages,
				  uint8_t order, size_t bytes);

struct span *heap_huge_alloc(size_t bytes)
{
	size_t npages = (bytes + PAGE_SIZE - 1) >> PAGE_SHIFT;
	phys_addr_t pa;

	if (npages > UINT32_MAX)
		return NULL;
	pa = frame_alloc_run(npages);
	if (pa == FRAME_NONE) {
		frame_drain_all();
		heap_scavenge(0);
		pa = frame_alloc_run(npages);
		if (pa == FRAME_NONE)
			return NULL;
	}
	return huge_register(pa, npages, 0xff, bytes);
}

/**
 * heap_huge_alloc_aligned - a HUGE object aligned to @align bytes.
 * @bytes: size.
 * @align: power of two above PAGE_SIZE, at most 2^FRAME_MAX_ORDER pages.
 *
 * Served by one buddy block of the frame allocator, which is naturally
 * aligned.
 *
 * Return: the span, or NULL.
 */
struct span *heap_huge_alloc_aligned(size_t bytes, size_t align)
{
	size_t npages = (bytes + PAGE_SIZE - 1) >> PAGE_SHIFT;
	unsigned int order = 0;
	phys_addr_t pa;

	if (npages < align / PAGE_SIZE)
		npages = align / PAGE_SIZE;
	while ((1UL << order) < npages)
		order++;
	if (order > FRAME_MAX_ORDER)
		return NULL;
	pa = frame_alloc(order);
	if (pa == FRAME_NONE) {
		frame_drain_all();
		heap_scavenge(0);
		pa = frame_alloc(order);
		if (pa == FRAME_NONE)
			return NULL;
	}
	return huge_register(pa, 1UL << order, (uint8_t)order, bytes);
}

static struct span *huge_register(phys_addr_t pa, size_t npages,
				  uint8_t order, size_t bytes)
{
	uintptr_t va = (uintptr_t)port_phys_to_virt(pa);
	unsigned long flags;
	struct span *s;

	flags = spin_lock_irqsave(&heap.lock);
	heap.nlocks++;
	if (!pagemap_covers(va, npages * PAGE_SIZE) ||
	    !(s = heap_meta_alloc(&heap.span_fa))) {
		spin_unlock_irqrestore(&heap.lock, flags);
		huge_give_back(pa, npages, order);
		return NULL;
	}
	s->base = va;
	s->npages = (uint32_t)npages;
	s->huge_order = order;
	WRITE_ONCE(s->xstate, SPAN_HUGE);
	s->size = (uint32_t)(bytes > UINT32_MAX ? 0 : bytes);
	s->xowner = -1;
	pagemap_set(va, s->npages, s);
	heap.huge_bytes += npages * PAGE_SIZE;
	spin_unlock_irqrestore(&heap.lock, flags);
	return s;
}

/**
 * heap_huge_free - give a HUGE object back to the frame allocator.
 * @s: its span; its state was already checked by the caller under no
 *     lock, so it is checked again here.
 */
void heap_huge_free(struct span *s)
{
	unsigned long flags;
	uintptr_t va;
	uint32_t npages;
	uint8_t order;

	flags = spin_lock_irqsave(&heap.lock);
	heap.nlocks++;
	if (READ_ONCE(s->xstate) != SPAN_HUGE) {
		spin_unlock_irqrestore(&heap.lock, flags);
		mm_report(MM_ERR_DOUBLE_FREE, s->base, 0,
			  "kfree(%p): huge object already free",
			  (void *)s->base);
		return;
	}
	va = s->base;
	npages = s->npages;
	order = s->huge_order;
	WRITE_ONCE(s->xstate, SPAN_DEAD);
	pagemap_set(va, npages, NULL);
	heap_meta_free(&heap.span_fa, s);
	heap.huge_bytes -= (uint64_t)npages * PAGE_SIZE;
	spin_unlock_irqrestore(&heap.lock, flags);
	huge_give_back(port_virt_to_phys((void *)va), npages, order);
}
