// SPDX-License-Identifier: MIT
/*
 * pageheap.c - the page heap (Go's mheap): chunks from the frame
 * allocator, carved into spans; the scavenger. The page map is in
 * pagemap.c, the metadata allocator in fixalloc.c.
 *
 * Owns: struct mheap heap and its free spans.
 *
 * Locking: heap.lock protects the free lists, the counters, fixalloc and
 * every write to the page map. The page map is read without the lock by
 * kfree() and friends (span_of()): entries are published with release
 * stores after the span they point to is set up.
 *
 * Invariants (checked by heap_validate()):
 *  - the heap is a set of 2 MiB chunks, each aligned, from frame_alloc();
 *  - every page of a chunk maps to the one span that contains it (free
 *    or in use), and spans never cross a chunk boundary;
 *  - no two free spans are adjacent within a chunk (they coalesce);
 *  - a free span of n pages is on free[kind][n], kind being its chunk's
 *    (pagemap_chunk_kind()); a whole free chunk is on
 *    free[HEAP_KIND_SMALL][CHUNK_PAGES], whatever its last kind;
 *  - idle_bytes == sum of free span bytes; sys_bytes == chunks * 2 MiB.
 *
 * Chunks have a kind: a chunk holds the spans of size classes
 * (HEAP_KIND_SMALL) or large objects (HEAP_KIND_LARGE), set when its
 * first span is cut from it whole. One live class span pins a chunk;
 * large objects come and go in bigger pieces, so kept apart from class
 * spans their chunks free up whole and go back to the frame allocator,
 * where multi-MiB runs need them (as Linux groups pages by mobility in
 * its pageblocks, and mimalloc segments by page kind). A span is cut from
 * a chunk of its kind, else a whole free chunk; then in a kernel a new
 * chunk, and only when the frame allocator has none left a chunk of the
 * other kind; on a host port (port_mem_release()), where resident memory
 * is what counts, the other kind's chunks before a new one (measured on
 * the memory-efficiency benchmark: peak resident over live 2.28 with
 * growth first, 2.00 with stealing first, 1.99 without kinds).
 *
 * Allocation is best fit over the exact-size lists of the kind (a bitmap
 * finds the first non-empty list at or above the request). A span is cut from the
 * front of a larger free span: the piece gets a new descriptor, the
 * remainder keeps the old one, so only the pages handed out are rewritten
 * in the page map, and the pages after a large object stay free for
 * krealloc() to grow it in place (heap_grow_large()). A span that must
 * start at a multiple of its size (power-of-two objects above a page) is
 * cut at the highest such start in the free span; a free tail after it
 * gets a descriptor of its own.
 *
 * Before the heap grows by a chunk, when the objects that left the CPU
 * caches since the last time add up to an eighth of the heap, the idle
 * centrals' batches and every central's empty spans come back first
 * (kmalloc_reclaim_idle(), heap_reclaim_due()), so a working set that
 * changes shape reuses the pages of the spans it emptied (as Go sweeps
 * before it grows).
 *
 * The scavenger gives wholly free chunks back to the frame allocator when
 * idle memory passes heap.scavenge_threshold, or all of them on request.
 */
#include <kma/frame.h>
#include <kma/mm_report.h>
#include "heap.h"

struct mheap heap = {
	.lock = SPINLOCK_INIT_RANK("heap", KMA_LOCK_RANK_HEAP),
};

#define DEFAULT_SCAVENGE_THRESHOLD	(8ULL << 20)
#define DEFAULT_DECAY_MS		1000


/* ------------------------------------------------------------ free lists */

/*
 * The list of free spans of @n pages of kind @kind. Whole free chunks
 * have no kind: one list, heap.free[HEAP_KIND_SMALL][CHUNK_PAGES].
 */
static struct span_list_head *free_list(unsigned int kind, uint32_t n)
{
	return &heap.free[n == CHUNK_PAGES ? HEAP_KIND_SMALL : kind][n];
}

/* The kind of the lists free span @s goes on (see free_list()). */
static unsigned int free_kind(const struct span *s)
{
	return s->npages == CHUNK_PAGES ? HEAP_KIND_SMALL :
	       pagemap_chunk_kind(s->base);
}

static void free_insert(struct span *s)
{
	unsigned int k = free_kind(s);

	span_list_add(&heap.free[k][s->npages], s);
	heap.free_mask[k][kma_word(s->npages)] |= kma_bit(s->npages);
	WRITE_ONCE(s->xstate, SPAN_FREE);
	WRITE_ONCE(s->spc, 0);
	WRITE_ONCE(s->xfmagic, 0);
	__atomic_store_n(&s->xlist, LIST_HEAP, __ATOMIC_RELAXED);
	heap.idle_bytes += (uint64_t)s->npages * PAGE_SIZE;
}

static void free_remove(struct span *s)
{
	unsigned int k = free_kind(s);
	struct span_list_head *h = &heap.free[k][s->npages];

	span_list_del(h, s);
	if (!h->first)
		heap.free_mask[k][kma_word(s->npages)] &= ~kma_bit(s->npages);
	__atomic_store_n(&s->xlist, LIST_NONE, __ATOMIC_RELAXED);
	heap.idle_bytes -= (uint64_t)s->npages * PAGE_SIZE;
}

/*
 * Smallest non-empty free list of kind @kind with at least @n pages, the
 * whole chunks' list (CHUNK_PAGES) after all of them, or 0.
 */
static uint32_t free_find(unsigned int kind, uint32_t n)
{
	const uint32_t words = KMA_BITWORDS(CHUNK_PAGES + 1);
	uint32_t w = (uint32_t)kma_word(n), r;
	kma_bitword_t m;

	if (n < CHUNK_PAGES) {
		m = heap.free_mask[kind][w] & ~(kma_bit(n) - 1);
		for (;;) {
			if (m) {
				r = w * KMA_BITS_PER_WORD + kma_ctz(m);
				if (r < CHUNK_PAGES)
					return r;
				break;
			}
			if (++w >= words)
				break;
			m = heap.free_mask[kind][w];
		}
	}
	return free_list(kind, CHUNK_PAGES)->first ? CHUNK_PAGES : 0;
}

/* ------------------------------------------------------------ chunks */

static int heap_grow(void)
{
	bool zero = false;
	phys_addr_t pa = mm_fault(MM_FAULT_CHUNK) ? FRAME_NONE :
				frame_alloc_fresh(CHUNK_ORDER, &zero);
	struct span *s;
	uintptr_t va;

	/* On failure the caller's caller climbs the pressure ladder. */
	if (pa == FRAME_NONE)
		return -1;
	va = (uintptr_t)port_phys_to_virt(pa);
	if (!pagemap_covers(va, CHUNK_SIZE))
		goto fail;
	s = heap_meta_alloc(&heap.span_fa);
	if (!s)
		goto fail;
	pagemap_set_chunk(va, true);
	s->base = va;
	s->npages = CHUNK_PAGES;
	s->xowner = -1;
	pagemap_set(va, CHUNK_PAGES, s, false);
	free_insert(s);
	s->released = 0;
	s->zeroed = zero;
	s->idle_epoch = heap.decay_epoch;
	heap.sys_bytes += CHUNK_SIZE;
	return 0;
fail:
	frame_free(pa, CHUNK_ORDER);
	return -1;
}

/*
 * Whether the heap should take back the free objects held in the
 * centrals and spans before it grows: when the objects that left the CPU
 * caches since the last time add up to an eighth of the heap (and at
 * least a chunk). A working set that changes shape (freed objects of
 * some classes, new spans wanted by others) then reuses the pages of
 * spans that emptied instead of growing, as Go's heap sweeps before it
 * grows; the cost, a sweep of every span, is paid once per eighth of the
 * heap freed. heap.lock held.
 */
static bool heap_reclaim_due(void)
{
	uint64_t sum = 0, want = heap.sys_bytes / 8;
	unsigned int cpu;

	for (cpu = 0; cpu < heap_ncpus; cpu++)
		sum += READ_ONCE(cpu_cache_of(cpu)->flushed);
	if (want < CHUNK_SIZE)
		want = CHUNK_SIZE;
	if (sum - heap.reclaim_mark < want)
		return false;
	heap.reclaim_mark = sum;
	return true;
}

/*
 * Spans of one size looked at for the lowest address: packing live spans
 * low leaves whole chunks free at the top for the scavenger and for the
 * frame allocator's multi-MiB runs.
 */
#define FREE_SCAN	32

/*
 * A free span with room for @npages pages starting at a multiple of
 * @align pages (a power of two), best fit first, lowest address among
 * the first FREE_SCAN of that size. *@at gets the span's
 * start when @align is 1 (the pages after the piece stay free, so a large
 * object can grow in place), else the highest aligned start (the piece
 * sits at the end of the span when it can).
 */
static struct span *free_find_aligned(unsigned int kind, uint32_t npages,
				      uint32_t align, uintptr_t *at)
{
	uintptr_t mask = (uintptr_t)align * PAGE_SIZE - 1;
	uint32_t n;

	for (n = free_find(kind, npages); n; n = free_find(kind, n + 1)) {
		struct span *s, *best = NULL;
		unsigned int seen = 0;

		for (s = free_list(kind, n)->first; s && seen < FREE_SCAN;
		     s = s->next, seen++) {
			uintptr_t end = s->base + (uintptr_t)n * PAGE_SIZE;
			uintptr_t a = align == 1 ? s->base :
				      (end - (uintptr_t)npages * PAGE_SIZE) &
				      ~mask;

			if (a >= s->base && (!best || s->base < best->base)) {
				best = s;
				*at = a;
			}
		}
		if (best)
			return best;
		if (n >= CHUNK_PAGES)
			break;
	}
	return NULL;
}

/**
 * heap_alloc_span - take a span of @npages pages from the heap.
 * @npages: 1 .. CHUNK_PAGES.
 * @align: the span starts at a multiple of @align pages (a power of two,
 *         1 for none, at most CHUNK_PAGES).
 * @large: true for a large object (state LARGE, counted as such); false
 *         for a class span, which the caller sets up with span_init_small().
 *
 * The piece is cut from a free span; what is left before and after it
 * stays free (the part before keeps the free span's descriptor, so only
 * the pages handed out and those after them are rewritten in the page map).
 *
 * Return: the span, or NULL when neither the heap nor the frame
 * allocator has room.
 */
struct span *heap_alloc_span(uint32_t npages, uint32_t align, bool large)
{
	unsigned int kind = large ? HEAP_KIND_LARGE : HEAP_KIND_SMALL;
	struct span *s, *piece, *tail = NULL, *spare[2];
	uintptr_t at = 0, end = 0;
	bool reclaimed = false;
	unsigned long flags;

again:
	flags = spin_lock_irqsave(&heap.lock);
	heap.nlocks++;
	/*
	 * Own kind or a whole chunk first. Then, where memory is lent by a
	 * host (resident memory is the cost), the other kind's free spans
	 * before a new chunk; in a kernel (contiguous frames are the cost:
	 * multi-MiB runs need whole chunks back), a new chunk first.
	 */
	s = free_find_aligned(kind, npages, align, &at);
#ifndef PORT_MEM_RELEASE_NONE
	if (!s)
		s = free_find_aligned(!kind, npages, align, &at);
#endif
	if (!s && !reclaimed && heap_reclaim_due()) {
		spin_unlock_irqrestore(&heap.lock, flags);
		kmalloc_reclaim_idle();
		reclaimed = true;
		goto again;
	}
#ifdef PORT_MEM_RELEASE_NONE
	if (!s && !heap_grow())
		s = free_find_aligned(kind, npages, align, &at);
	if (!s)
		s = free_find_aligned(!kind, npages, align, &at);
#else
	if (!s && !heap_grow())
		s = free_find_aligned(kind, npages, align, &at);
#endif
	if (!s) {
		spin_unlock_irqrestore(&heap.lock, flags);
		return NULL;
	}
	/*
	 * The descriptors the cut needs (one for a piece that does not start
	 * the free span, one for a free tail after it), taken before
	 * anything changes.
	 */
	spare[0] = spare[1] = NULL;
	if (s) {
		end = s->base + (uintptr_t)s->npages * PAGE_SIZE;
		if (at > s->base)
			spare[0] = heap_meta_alloc(&heap.span_fa);
		if (at + (uintptr_t)npages * PAGE_SIZE < end)
			spare[1] = heap_meta_alloc(&heap.span_fa);
	}
	if (!s || (at > s->base && !spare[0]) ||
	    (at + (uintptr_t)npages * PAGE_SIZE < end && !spare[1])) {
		if (spare[0])
			heap_meta_free(&heap.span_fa, spare[0]);
		if (spare[1])
			heap_meta_free(&heap.span_fa, spare[1]);
		spin_unlock_irqrestore(&heap.lock, flags);
		return NULL;
	}
	free_remove(s);
	if (s->npages == CHUNK_PAGES)	/* a whole chunk takes the kind */
		pagemap_set_chunk_kind(s->base, kind);
	end = s->base + (uintptr_t)s->npages * PAGE_SIZE;
	if (at > s->base) {
		/* s keeps the head; the piece gets a new descriptor. */
		s->npages = (uint32_t)((at - s->base) >> PAGE_SHIFT);
		free_insert(s);
		piece = spare[0];
		spare[0] = NULL;
		piece->base = at;
	} else if (at + (uintptr_t)npages * PAGE_SIZE < end) {
		/* Cut from the front: s keeps the tail, whose pages map to it. */
		piece = spare[1];
		spare[1] = NULL;
		piece->base = at;
		s->base = at + (uintptr_t)npages * PAGE_SIZE;
		s->npages = (uint32_t)((end - s->base) >> PAGE_SHIFT);
		free_insert(s);
		end = s->base;		/* no tail left to cut */
	} else {
		piece = s;
	}
	piece->npages = npages;
	if (at + (uintptr_t)npages * PAGE_SIZE < end) {
		tail = spare[1];
		spare[1] = NULL;
		tail->base = at + (uintptr_t)npages * PAGE_SIZE;
		tail->npages = (uint32_t)((end - tail->base) >> PAGE_SHIFT);
		tail->released = s->released;	/* s: the pages' old span */
		tail->zeroed = s->zeroed;
		tail->idle_epoch = s->idle_epoch;
		pagemap_set(tail->base, tail->npages, tail, true);
		free_insert(tail);
	}
	if (spare[0])
		heap_meta_free(&heap.span_fa, spare[0]);
	if (spare[1])
		heap_meta_free(&heap.span_fa, spare[1]);
	piece->zeroed = s->zeroed;	/* s: the pages' old span */
	piece->xowner = -1;
	WRITE_ONCE(piece->xstate, large ? SPAN_LARGE : SPAN_DEAD);
	if (large) {
		heap_count(&heap.large_bytes, (long)(npages * PAGE_SIZE));
		heap.large_objs++;
	}
	pagemap_set(piece->base, piece->npages, piece, true);
	spin_unlock_irqrestore(&heap.lock, flags);
	return piece;
}

static bool same_chunk(uintptr_t a, uintptr_t b)
{
	return ((a - heap.va_base) >> CHUNK_SHIFT) ==
	       ((b - heap.va_base) >> CHUNK_SHIFT);
}

/**
 * heap_grow_large - grow a LARGE object in place to @size bytes by taking
 * the front of the free span that follows it in its chunk.
 * @s: the object's span (LARGE, owned by the caller).
 * @size: new size, above the span's bytes, at most HUGE_MIN.
 *
 * A power-of-two @size must stay naturally aligned, so it grows in place
 * only if the span already starts at a multiple of it.
 *
 * Return: true if the span now covers @size bytes.
 */
bool heap_grow_large(struct span *s, size_t size)
{
	uint32_t want = (uint32_t)((size + PAGE_SIZE - 1) >> PAGE_SHIFT);
	uintptr_t end = s->base + (uintptr_t)s->npages * PAGE_SIZE;
	uint32_t extra = want - s->npages;
	unsigned long flags;
	struct span *n;
	bool ok = false;

	if (!(size & (size - 1)) && (s->base & (size - 1)))
		return false;
	flags = spin_lock_irqsave(&heap.lock);
	heap.nlocks++;
	if (READ_ONCE(s->xstate) == SPAN_LARGE && same_chunk(end, s->base) &&
	    (n = span_of(end)) && READ_ONCE(n->xstate) == SPAN_FREE &&
	    n->npages >= extra) {
		free_remove(n);
		if (n->npages > extra) {
			n->base += (uintptr_t)extra * PAGE_SIZE;
			n->npages -= extra;
			free_insert(n);
		} else {
			heap_meta_free(&heap.span_fa, n);
		}
		pagemap_set(end, extra, s, true);
		s->npages = want;
		s->size = (uint32_t)size;
		heap_count(&heap.large_bytes, (long)(extra * PAGE_SIZE));
			ok = true;
	}
	spin_unlock_irqrestore(&heap.lock, flags);
	return ok;
}

static void __heap_scavenge(uint64_t keep);

/**
 * heap_free_span - give a span back to the heap; coalesce with free
 * neighbours in its chunk; maybe scavenge.
 * @s: a SMALL span with no live object, or a LARGE span whose state the
 *     caller already moved from LARGE to DEAD (so a racing second free
 *     of the same object fails).
 * @large: true for a large object.
 */
void heap_free_span(struct span *s, bool large)
{
	unsigned long flags;
	struct span *n;
	bool released = false;
	uintptr_t end;

	/*
	 * Still ours alone (DEAD): its pages may go before anyone reuses
	 * them, unless the heap keeps them resident (large.c).
	 */
	if (large && (uint64_t)s->npages * PAGE_SIZE >= PORT_RELEASE_MIN &&
	    !heap_keep_resident((size_t)s->npages * PAGE_SIZE)) {
		port_mem_release((void *)s->base,
				 (size_t)s->npages * PAGE_SIZE);
		released = true;
	}
	debug_span_free(s);		/* its debug records, if any */
	flags = spin_lock_irqsave(&heap.lock);
	heap.nlocks++;
	if (large) {
		heap_count(&heap.large_bytes, -(long)(s->npages * PAGE_SIZE));
		heap.large_objs--;
	}
	if (s->tiny) {
		heap_meta_free(&heap.tiny_fa, s->tiny);
		s->tiny = NULL;
	}
	WRITE_ONCE(s->xstate, SPAN_FREE);
	/* Left neighbour absorbs s. */
	if (same_chunk(s->base - PAGE_SIZE, s->base) &&
	    (n = span_of(s->base - PAGE_SIZE)) && READ_ONCE(n->xstate) == SPAN_FREE) {
		free_remove(n);
		pagemap_set(s->base, s->npages, n, true);
		n->npages += s->npages;
		heap_meta_free(&heap.span_fa, s);
		released = released && n->released;
		s = n;
	}
	/* s absorbs the right neighbour. */
	end = s->base + (uintptr_t)s->npages * PAGE_SIZE;
	if (same_chunk(end, s->base) && (n = span_of(end)) &&
	    READ_ONCE(n->xstate) == SPAN_FREE) {
		free_remove(n);
		pagemap_set(n->base, n->npages, s, true);
		s->npages += n->npages;
		released = released && n->released;
		heap_meta_free(&heap.span_fa, n);
	}
	/* Free from now: a merged span counts from its newest part, and
	 * holds the freed pages, which were written. */
	s->released = released;
	s->zeroed = 0;
	s->idle_epoch = heap.decay_epoch;
	free_insert(s);
	if (heap.idle_bytes > heap_retain_limit())
		__heap_scavenge(heap_retain_limit() / 2);
	spin_unlock_irqrestore(&heap.lock, flags);
}

/* Give the wholly free chunk @s back to the frame allocator. Lock held. */
static void __chunk_return(struct span *s)
{
	uintptr_t va = s->base;
	bool released = s->released;

	free_remove(s);
	pagemap_set(va, CHUNK_PAGES, NULL, true);
	pagemap_set_chunk(va, false);
	heap_meta_free(&heap.span_fa, s);
	if (!released) {
		port_mem_release((void *)va, CHUNK_SIZE);
		heap_reuse_resident(CHUNK_SIZE);	/* not resident now */
	}
	frame_free(port_virt_to_phys((void *)va), CHUNK_ORDER);
	heap.sys_bytes -= CHUNK_SIZE;
	heap.released_bytes += CHUNK_SIZE;
}

/* Return free chunks until idle memory is at most @keep. Lock held. */
static void __heap_scavenge(uint64_t keep)
{
	struct span_list_head *h = free_list(HEAP_KIND_SMALL, CHUNK_PAGES);

	while (h->first && heap.idle_bytes > keep &&
	       heap.sys_bytes >= heap.reserve + CHUNK_SIZE)
		__chunk_return(h->first);
}

/*
 * heap_reserve - see kmalloc_reserve(): grow by whole chunks until the
 * heap holds @bytes, and from then on keep that much.
 */
int heap_reserve(uint64_t bytes)
{
	unsigned long flags = spin_lock_irqsave(&heap.lock);
	int err = 0;

	heap.nlocks++;
	while (heap.sys_bytes < bytes && !err)
		err = heap_grow();
	if (!err)
		heap.reserve = bytes;
	spin_unlock_irqrestore(&heap.lock, flags);
	return err;
}

/**
 * heap_scavenge - give free chunks back until idle memory is at most
 * @keep bytes, and free unused metadata pages.
 * @keep: idle bytes to keep.
 *
 * Return: bytes given back to the frame allocator.
 */
size_t heap_scavenge(uint64_t keep)
{
	unsigned long flags;
	uint64_t before;

	flags = spin_lock_irqsave(&heap.lock);
	heap.nlocks++;
	before = heap.sys_bytes;
	__heap_scavenge(keep);
	fixalloc_trim(&heap.span_fa);
	fixalloc_trim(&heap.tiny_fa);
	before -= heap.sys_bytes;
	spin_unlock_irqrestore(&heap.lock, flags);
	return (size_t)before;
}


/* One free list's part of heap_decay(). Lock held. */
static uint64_t __decay_list(struct span_list_head *h, uint32_t n,
			     uint32_t epoch)
{
	struct span *s, *next;
	uint64_t done = 0;

	for (s = h->first; s; s = next) {
		next = s->next;
		if (epoch - s->idle_epoch < 2)
			continue;	/* freed in the last period */
		if (n == CHUNK_PAGES) {
			if (heap.sys_bytes < heap.reserve + CHUNK_SIZE)
				continue;	/* kept: kmalloc_reserve() */
			__chunk_return(s);
			done += CHUNK_SIZE;
			continue;
		}
#ifndef PORT_MEM_RELEASE_NONE
		if (!s->released) {
			port_mem_release((void *)s->base, (size_t)n * PAGE_SIZE);
			heap_reuse_resident((size_t)n * PAGE_SIZE);
			s->released = 1;
			done += (uint64_t)n * PAGE_SIZE;
		}
#endif
	}
	return done;
}

/**
 * heap_decay - the page heap's part of a decay period's end (decay.c):
 * free spans that have been free since before the period began go back,
 * whole chunks to the frame allocator and, on a port that gives memory
 * back to a host, the pages of free spans of PORT_RELEASE_MIN and more
 * (once per span: @released). A span freed or merged during the period
 * waits for the next end. O(free spans), heap.lock held throughout.
 *
 * Return: bytes returned or released.
 */
uint64_t heap_decay(void)
{
#ifdef PORT_MEM_RELEASE_NONE
	const uint32_t lo = CHUNK_PAGES;	/* only whole chunks matter */
#else
	const uint32_t lo = PORT_RELEASE_MIN / PAGE_SIZE;
#endif
	uint32_t epoch, n;
	unsigned long flags;
	uint64_t done;
	unsigned int k;

	flags = spin_lock_irqsave(&heap.lock);
	heap.nlocks++;
	epoch = ++heap.decay_epoch;
	done = __decay_list(free_list(0, CHUNK_PAGES), CHUNK_PAGES, epoch);
	for (k = 0; k < HEAP_KINDS; k++)
		for (n = lo; n < CHUNK_PAGES; n++)
			if (heap.free_mask[k][kma_word(n)] & kma_bit(n))
				done += __decay_list(&heap.free[k][n], n,
						     epoch);
	fixalloc_trim(&heap.span_fa);
	fixalloc_trim(&heap.tiny_fa);
	spin_unlock_irqrestore(&heap.lock, flags);
	return done;
}

/* ------------------------------------------------------------ init */

/**
 * heap_init - set up the page map over the physical span of the memory
 * in @m that the frame allocator manages.
 * @m: the sanitized map (after frame_init()).
 *
 * Return: 0, or -1 if the page map's first level cannot be allocated.
 */
int heap_init(struct memmap *m)
{
	phys_addr_t lo = ~0ULL, hi = 0;
	struct memmap_region *r;

	/*
	 * Cover what the frame allocator can ever hand out: usable memory
	 * (and what was carved from it) and memory announced for hot-add,
	 * not firmware ranges far above RAM (a PCI window at 1 TiB would
	 * cost megabytes of first-level page map).
	 */
	for_each_memmap_region(m, r) {
		if (r->type != MEMMAP_USABLE && r->type != MEMMAP_METADATA &&
		    r->type != MEMMAP_HOTPLUG)
			continue;
		if (r->base < lo)
			lo = r->base;
		if (r->base + r->size > hi)
			hi = r->base + r->size;
	}
	if (hi <= lo)
		return -1;
	lo &= ~(phys_addr_t)(CHUNK_SIZE - 1);
	hi = (hi + CHUNK_SIZE - 1) & ~(phys_addr_t)(CHUNK_SIZE - 1);
	heap.pa_base = lo;
	heap.va_base = (uintptr_t)port_phys_to_virt(lo);
	heap.va_len = (uintptr_t)(hi - lo);
	if (pagemap_init(lo, hi))
		return -1;
	fixalloc_init(&heap.span_fa, sizeof(struct span));
	fixalloc_init(&heap.tiny_fa, sizeof(struct tiny_meta));
	heap.scavenge_threshold = DEFAULT_SCAVENGE_THRESHOLD;
	heap.decay_ms = DEFAULT_DECAY_MS;
	return 0;
}

/* ------------------------------------------------------------ checks */

/**
 * heap_corrupt - report a broken page-heap invariant.
 * @addr: where. @what: which invariant.
 *
 * Return: 1, to be added to a count.
 */
unsigned int heap_corrupt(uintptr_t addr, const char *what)
{
	mm_report(MM_ERR_CORRUPT, addr, 0, "heap: %s at %p", what,
		  (void *)addr);
	return 1;
}

/* Check the free list of kind @k and @i pages; add its bytes to @idle. */
static unsigned int __validate_list(unsigned int k, uint32_t i,
				    uint64_t *idle)
{
	bool bit = (heap.free_mask[k][kma_word(i)] & kma_bit(i)) != 0;
	unsigned int bad = 0;
	uint64_t nr = 0;
	struct span *s;

	if (bit != (heap.free[k][i].first != NULL))
		bad += heap_corrupt(i, "free mask disagrees with list");
	for (s = heap.free[k][i].first; s; s = s->next) {
		uintptr_t end = s->base + (uintptr_t)s->npages * PAGE_SIZE;
		struct span *n;

		nr++;
		*idle += (uint64_t)s->npages * PAGE_SIZE;
		if (s->npages != i || READ_ONCE(s->xstate) != SPAN_FREE)
			bad += heap_corrupt(s->base, "free span on wrong list");
		else if (free_kind(s) != k)
			bad += heap_corrupt(s->base,
					    "free span on the other kind's list");
		if (span_of(s->base) != s || span_of(end - 1) != s)
			bad += heap_corrupt(s->base, "page map misses free span");
		if (same_chunk(end, s->base) && (n = span_of(end)) &&
		    READ_ONCE(n->xstate) == SPAN_FREE)
			bad += heap_corrupt(s->base, "free spans not coalesced");
	}
	if (nr != heap.free[k][i].nr)
		bad += heap_corrupt(i, "free list count wrong");
	return bad;
}

/**
 * heap_validate - check the page heap's invariants (quiescent heap).
 *
 * Return: number of problems reported.
 */
unsigned int heap_validate(void)
{
	uint64_t idle = 0, chunks = 0;
	unsigned long flags;
	unsigned int bad = 0, k;
	uint32_t i;

	flags = spin_lock_irqsave(&heap.lock);
	for (k = 0; k < HEAP_KINDS; k++)
		for (i = 0; i <= CHUNK_PAGES; i++)
			bad += __validate_list(k, i, &idle);
	bad += pagemap_validate(&chunks);
	if (idle != heap.idle_bytes)
		bad += heap_corrupt(0, "idle bytes do not add up");
	if (chunks * CHUNK_SIZE != heap.sys_bytes)
		bad += heap_corrupt(0, "chunk bytes do not add up");
	spin_unlock_irqrestore(&heap.lock, flags);
	return bad;
}
