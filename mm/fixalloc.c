// SPDX-License-Identifier: MIT
/*
 * fixalloc.c - fixed-size metadata objects carved from frames (Go's
 * fixalloc): span descriptors and tiny-block state, never taken from the
 * heap they describe.
 *
 * Owns: the struct fixalloc instances' pages and free objects.
 *
 * Locking: every function here expects heap.lock held (the page heap is
 * fixalloc's only caller).
 *
 * Invariants: a page with a free object is on fa->partial; inuse counts
 * objects handed out; pages counts frames held.
 */
#include <kma/frame.h>
#include "heap.h"

struct fixpage {
	struct fixpage *next;
	struct fixpage **pprev;
	void *free;			/* free objects of this page */
	uint32_t nfree;
	uint32_t pad;
};

void fixalloc_init(struct fixalloc *fa, uint32_t size)
{
	fa->size = (size + 15) & ~15U;
	fa->per_page = (uint32_t)((PAGE_SIZE - sizeof(struct fixpage)) /
				  fa->size);
	fa->partial = NULL;
	fa->pages = 0;
	fa->inuse = 0;
}

static void fixpage_link(struct fixalloc *fa, struct fixpage *pg)
{
	pg->next = fa->partial;
	if (pg->next)
		pg->next->pprev = &pg->next;
	pg->pprev = &fa->partial;
	fa->partial = pg;
}

static void fixpage_unlink(struct fixpage *pg)
{
	*pg->pprev = pg->next;
	if (pg->next)
		pg->next->pprev = pg->pprev;
	pg->next = NULL;
	pg->pprev = NULL;
}

/*
 * A span descriptor may be read by a CPU still finishing a kfree() on its
 * previous incarnation (it only reads fields that are accessed
 * atomically), so recycled descriptors are reset field by field, with
 * atomic stores where others read atomically, never with memset.
 */
static void span_reset(struct span *s)
{
	int i;

	s->base = 0;
	s->npages = 0;
	WRITE_ONCE(s->xstate, SPAN_DEAD);
	WRITE_ONCE(s->spc, 0);
	s->nobjs = 0;
	s->size = 0;
	s->magic = 0;
	WRITE_ONCE(s->xfmagic, 0);
	s->alloc_cache = 0;
	WRITE_ONCE(s->freeindex, 0);
	s->hwm = 0;
	s->nalloc = 0;
	WRITE_ONCE(s->xowner, -1);
	WRITE_ONCE(s->xlist, LIST_NONE);
	s->next = s->prev = NULL;
	s->tiny = NULL;
	s->dbg = NULL;
	s->huge_order = 0;
	for (i = 0; i <= SPAN_WORDS; i++) {
		WRITE_ONCE(s->alloc_bits[i], 0);
		WRITE_ONCE(s->xfree_bits[i], 0);
	}
}

/**
 * heap_meta_alloc - a cleared metadata object of @fa's size.
 * @fa: the fixalloc. Caller holds heap.lock.
 *
 * Return: the object, or NULL if no frame is left.
 */
void *heap_meta_alloc(struct fixalloc *fa)
{
	struct fixpage *pg = fa->partial;
	void *obj;

	lockdep_assert_held(&heap.lock);
	if (!pg) {
		phys_addr_t pa = mm_fault(MM_FAULT_META) ? FRAME_NONE :
							   frame_alloc(0);
		char *p;
		uint32_t i;

		if (pa == FRAME_NONE)
			return NULL;
		pg = port_phys_to_virt(pa);
		pg->free = NULL;
		pg->nfree = 0;
		p = (char *)pg + ((sizeof(*pg) + 15) & ~15UL);
		for (i = 0; i < fa->per_page; i++, p += fa->size) {
			*(void **)p = pg->free;
			pg->free = p;
			pg->nfree++;
		}
		fixpage_link(fa, pg);
		fa->pages++;
		heap.meta_frames++;
	}
	obj = pg->free;
	pg->free = *(void **)obj;
	if (--pg->nfree == 0)
		fixpage_unlink(pg);
	fa->inuse++;
	if (fa == &heap.span_fa)
		span_reset(obj);
	else
		mm_memset(obj, 0, fa->size);
	return obj;
}

/**
 * heap_meta_free - give back an object from heap_meta_alloc().
 * @fa: the fixalloc it came from. @p: the object. Caller holds heap.lock.
 */
void heap_meta_free(struct fixalloc *fa, void *p)
{
	struct fixpage *pg = (struct fixpage *)((uintptr_t)p & ~(PAGE_SIZE - 1));

	lockdep_assert_held(&heap.lock);
	*(void **)p = pg->free;
	pg->free = p;
	if (pg->nfree++ == 0)
		fixpage_link(fa, pg);
	fa->inuse--;
}

/* Give wholly free metadata pages back to the frame allocator. */
void fixalloc_trim(struct fixalloc *fa)
{
	struct fixpage *pg = fa->partial, *next;

	lockdep_assert_held(&heap.lock);
	for (; pg; pg = next) {
		next = pg->next;
		if (pg->nfree == fa->per_page) {
			fixpage_unlink(pg);
			frame_free(port_virt_to_phys(pg), 0);
			fa->pages--;
			heap.meta_frames--;
		}
	}
}
