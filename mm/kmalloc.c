// SPDX-License-Identifier: MIT
/*
 * kmalloc.c - the object heap's front: kmalloc, kfree and friends. The
 * per-CPU object caches are in cpucache.c, the spans' slots in span.c,
 * the centrals in central.c, the page heap in pageheap.c, the tiny
 * allocator in tiny.c, objects from the frame allocator in large.c,
 * statistics and the validator in heap_stats.c.
 *
 * DOC: Design
 *
 * The Go runtime's allocator on bare metal, with explicit frees and a
 * per-CPU LIFO of free objects in front of Go's spans.
 *
 * Glossary: a *frame* is a physical 4 KiB page (frame allocator); a
 * *page* is a 4 KiB unit of the heap; a *span* is a run of pages holding
 * objects of one *size class* (mm/sizeclasses.c), or one large object; a
 * *CPU cache* holds, per class, a stack of free objects and the span it
 * refills from; a *central* holds the spans of one class that no CPU
 * holds and batches of free objects that CPU caches exchange; the *page
 * heap* (pageheap.c) carves 2 MiB chunks from the frame allocator into
 * spans.
 *
 * Allocating a small object (size <= 32 KiB), kmalloc():
 *  1. round the size up to its class with the O(1) lookup tables;
 *  2. disable interrupts, pop this CPU's cache of the class: the object
 *     freed last, still hot. Clear its tag (below), return. No lock, no
 *     atomic read-modify-write. A KMA_RCS build leaves interrupts on:
 *     the pop is a restartable section (rcs.c) that an interrupt sends
 *     back to its start;
 *  3. cache empty: take a batch from the central (one lock), or carve a
 *     batch from this CPU's span of the class (no lock); an exhausted
 *     span is swept, or traded at the central for a partial span or a
 *     new one from the page heap.
 *
 * Freeing a small object, kfree() (any CPU):
 *  1. the flat page map gives the span in one load;
 *  2. (pointer - base) * magic gives the slot without a division, and
 *     tells whether the pointer is a slot start;
 *  3. the object must not carry a tag: a tagged object is already in a
 *     CPU cache, a central batch or its span, so a second free is caught
 *     before the object can be handed out twice (the slow path checks
 *     the span's bitmaps for what the tag cannot tell);
 *  4. disable interrupts, tag the object and push it on this CPU's cache
 *     of the class. No lock, no atomic read-modify-write. With KMA_RCS,
 *     a restartable section instead;
 *  5. cache full: the oldest batch goes to the central (one lock), or
 *     back to the spans when the central holds enough (one atomic OR
 *     per object, a central lock when a full span gets its first free).
 *
 * Tiny objects (GFP_NOSCAN, under 16 bytes) are packed into 16-byte
 * blocks of a dedicated span class; see tiny_alloc().
 *
 * Large objects (above 32 KiB, up to 1 MiB) are spans of their own from
 * the page heap; huge ones come straight from the frame allocator.
 *
 * Locking: CPU caches are used with interrupts off (or in restartable
 * sections) and no lock; see heap.h for the lock order central -> heap
 * -> frame.
 */
#include <kma/frame.h>
#include <kma/kmalloc.h>
#include <kma/mm_report.h>
#include "heap.h"

/* ------------------------------------------------------------ reports */

__attribute__((noinline, cold)) void
kmalloc_report_obj(enum mm_error err, const char *fn, uintptr_t va,
		   struct span *s, const char *what)
{
	unsigned int spc = s ? READ_ONCE(s->spc) : 0;

	mm_report(err, va, spc,
		  "%s(%p): %s (class %u, size %u, span %p)", fn, (void *)va,
		  what, spc, s ? (unsigned int)s->size : 0,
		  s ? (void *)s->base : NULL);
}

/*
 * A second free of an object that its span sees out: it waits in a CPU
 * cache, a central batch or the debug mode's quarantine, which knows who
 * freed it first.
 */
static __attribute__((noinline, cold)) void
report_double_cached(const char *fn, struct span *s, uintptr_t va)
{
	uintptr_t site;
	unsigned int cpu;
	char what[160], alloc[64];

	if (debug_on() && debug_quarantined(va, &site, &cpu)) {
		debug_describe(va, alloc, sizeof(alloc));
		mm_snprintf(what, sizeof(what), "object already freed by %p on "
			    "cpu %u (in quarantine%s)", (void *)site, cpu, alloc);
		kmalloc_report_obj(MM_ERR_DOUBLE_FREE, fn, va, s, what);
		return;
	}
	kmalloc_report_obj(MM_ERR_DOUBLE_FREE, fn, va, s,
			   "object already freed (in a CPU cache)");
}

/*
 * Classify a pointer into a SMALL span that did not pass the fast checks
 * (@idx is -1 for a pointer that is not a slot start).
 */
__attribute__((noinline, cold)) void
report_bad_small(const char *fn, struct span *s, uintptr_t va, int32_t idx)
{
	if (idx < 0 || (uint32_t)idx >= s->nobjs)
		kmalloc_report_obj(MM_ERR_INTERIOR_FREE, fn, va, s,
				   "not the start of an object");
	else if (span_slot_out(s, (uint32_t)idx) &&
		 obj_tag_kind((void *)va) == OBJ_FRESH)
		kmalloc_report_obj(MM_ERR_INVALID_FREE, fn, va, s,
				   "slot never allocated (in a CPU cache)");
	else if (span_slot_out(s, (uint32_t)idx))
		report_double_cached(fn, s, va);
	else if ((uint32_t)idx >= s->hwm)
		kmalloc_report_obj(MM_ERR_INVALID_FREE, fn, va, s,
				   "slot never allocated");
	else
		kmalloc_report_obj(MM_ERR_DOUBLE_FREE, fn, va, s,
				   "object already freed");
}

/* Whether @va is a live object of SMALL span @s, nothing reported. */
bool small_obj_live(const struct span *s, uintptr_t va)
{
	int32_t idx = span_obj_index(s, va);

	return idx >= 0 && span_slot_out(s, (uint32_t)idx) &&
	       obj_tag_kind((void *)va) >= OBJ_TAG_KINDS;
}

/* ------------------------------------------------------------ free */

/**
 * kfree_small_slow - free a slot of a SMALL span straight back to the
 * span, checking it first (tiny blocks, objects that failed a fast check).
 * @s: the span. @va: the object.
 */
__attribute__((noinline)) void kfree_small_slow(struct span *s, uintptr_t va)
{
	if (!small_obj_live(s, va)) {
		report_bad_small("kfree", s, va, span_obj_index(s, va));
		return;
	}
	obj_tag_set((void *)va, OBJ_FREED);	/* free slots carry a tag */
	span_free_obj(s, va);
}

static void kfree_classify(struct span *s, uintptr_t va, uintptr_t site)
{
	uint8_t expect = SPAN_LARGE;

	if (va <= (uintptr_t)ZERO_SIZE_PTR)
		return;
	if (!s) {
		/* The guarded pool's pages have no span in the page map. */
		if (guard_owns(va)) {
			guard_free(va, site ? site :
				   (uintptr_t)__builtin_return_address(0));
			return;
		}
		kmalloc_report_obj(MM_ERR_INVALID_FREE, "kfree", va, NULL,
				   "not a heap address");
		return;
	}
	switch (READ_ONCE(s->xstate)) {
	case SPAN_SMALL:
		if (READ_ONCE(s->spc) == SPC_TINY)
			tiny_free("kfree", s, va);
		else if (READ_ONCE(s->spc) >= SPC_KCACHE)
			kcache_free_slow(kcache_of(READ_ONCE(s->spc)), va,
					 "kfree", site);
		else
			kfree_small_slow(s, va);
		return;
	case SPAN_LARGE:
	case SPAN_HUGE:
		if (va != s->base) {
			kmalloc_report_obj(MM_ERR_INTERIOR_FREE, "kfree", va, s,
					   "not the start of a large object");
			return;
		}
		if (READ_ONCE(s->xstate) == SPAN_HUGE)
			expect = SPAN_HUGE;
		if (!__atomic_compare_exchange_n(&s->xstate, &expect, SPAN_DEAD,
						 false, __ATOMIC_ACQ_REL,
						 __ATOMIC_RELAXED)) {
			kmalloc_report_obj(MM_ERR_DOUBLE_FREE, "kfree", va, s,
					   "large object already freed");
			return;
		}
		if (expect == SPAN_HUGE)
			huge_free(s);
		else
			large_free(s);
		return;
	default:
		kmalloc_report_obj(MM_ERR_INVALID_FREE, "kfree", va, s,
				   "address in free heap memory");
		return;
	}
}

/*
 * kfree_slow() given the span of @va (span_of(), NULL if none). @site as
 * kfree_slow()'s: 0 when reached by tail calls from kfree().
 */
static __attribute__((noinline)) void
kfree_slow_at(struct span *s, uintptr_t va, uintptr_t site)
{
	unsigned long irq;
	unsigned int spc, cpu;

	if (!s || !fast_slot_start((uint32_t)(va - s->base),
				   READ_ONCE(s->xfmagic)) ||
	    !fast_untagged_as(va, fast_tag_of(va))) {
		if (!site && (unlikely(debug_on()) || (!s && guard_owns(va))))
			site = (uintptr_t)__builtin_return_address(0);
		kfree_classify(s, va, site);
		return;
	}
	/* A live small object: this CPU's cache of its class is full. */
	spc = READ_ONCE(s->spc);
	irq = port_irq_save();
	cpu = port_cpu_id();
	if (unlikely(debug_on()))	/* for the debug mode's reports */
		debug_free_site[cpu] = site ? site :
			(uintptr_t)__builtin_return_address(0);
	cache_free_slow(spc, cpu, (void *)va);
	port_irq_restore(irq);
}

/**
 * kfree_slow - everything kfree()'s fast path does not take: a cache
 * that is full (or not set up yet), tiny, large and huge objects, and
 * every misuse, classified and reported.
 * @p: the pointer given to kfree().
 * @site: its caller, for the debug mode's records; 0 when kfree()
 *        tail-calls this, whose return address is then kfree()'s caller
 *        (taking it in kfree() would give kfree() a frame).
 */
__attribute__((noinline)) void kfree_slow(const void *p, uintptr_t site)
{
	kfree_slow_at(span_of((uintptr_t)p), (uintptr_t)p, site);
}

/*
 * What kfree()'s fast path did not take: a tiny piece (its span has no
 * fast magic) goes to tiny_free() before kfree_slow()'s bigger frame is
 * set up; the rest to kfree_slow_at(), a tail call (see kfree_slow()).
 */
static __attribute__((noinline)) void kfree_other(const void *p)
{
	struct span *s = span_of((uintptr_t)p);

	if (s && READ_ONCE(s->spc) == SPC_TINY &&
	    READ_ONCE(s->xstate) == SPAN_SMALL) {
		tiny_free("kfree", s, (uintptr_t)p);
		return;
	}
	kfree_slow_at(s, (uintptr_t)p, 0);
}

/**
 * kfree - see kmalloc.h. The fast path, kfree_fast(): a live small
 * object pushed on this CPU's cache of its class.
 */
void kma_kfree(const void *p)
{
	if (likely(kfree_fast((uintptr_t)p)))
		return;
	kfree_other(p);			/* tail call: see kfree_slow() */
}

/* A small object of class @spc, interrupts handled here. */
static void *small_alloc(unsigned int spc)
{
	unsigned long irq = port_irq_save();
	void *p = cache_alloc_irqoff(spc, port_cpu_id());

	port_irq_restore(irq);
	return p;
}

/*
 * Everything kmalloc()'s fast path does not take. @site: the caller, for
 * the debug mode (0: the caller of the function that tail-calls this);
 * @exact: the class must be the size's own (an aligned request chose it:
 * no redzone may move the object to another class).
 */
static __attribute__((noinline)) void *
kmalloc_slow_at(size_t size, gfp_t flags, uintptr_t site, bool exact)
{
	bool debug = debug_on();
	void *p;

	/* 0: kmalloc() tail-called this; its caller is ours. */
	if (!site && unlikely(debug))
		site = (uintptr_t)__builtin_return_address(0);
	if (size - 1 >= SC_MAX_SIZE) {
		if (!size)
			return ZERO_SIZE_PTR;
		return large_alloc(size, flags);
	}
	/*
	 * Tiny pieces: sizes that are not a multiple of 8 (an 8-byte piece
	 * fills half a block, as the 8-byte class's slot does).
	 */
	if (unlikely(debug) && !exact)
		p = debug_kmalloc(size, site);
	else if ((flags & __GFP_NOSCAN) && size < TINY_BLOCK && (size & 7) &&
		 !debug)
		p = tiny_alloc(size);
	else
		p = small_alloc(sc_of_size(size));
	if (p && (flags & __GFP_ZERO))
		mm_memset(p, 0, size);
	return p;
}

/*
 * kmalloc_cache_empty() with sampled guard pages on: this allocation
 * counts down (guard_due()); when it is the one, a guarded object (or an
 * ordinary one when the pool has none free); else the refill, whose
 * objects count down too.
 */
static __attribute__((noinline)) void *
guard_kmalloc(unsigned int spc, unsigned int cpu, unsigned long irq,
	      size_t size, uintptr_t site)
{
	void *p = NULL;

	if (guard_due(cpu))
		p = guard_alloc(size, site);
	if (!p) {
		p = cache_alloc_slow(spc, cpu);
		guard_refilled(cpu, objcache_count(objcache_of(cpu, spc)) + 1);
	}
	port_irq_restore(irq);
	return p;
}

/*
 * kmalloc() found this CPU's cache empty: refill, pop, restore irqs. (In
 * the debug mode every cache is empty: debug_kmalloc() takes @size and
 * the caller, kmalloc()'s own when it tail-calls this, as the fast paths
 * do: asking for it there would cost them a frame.)
 */
static __attribute__((noinline)) void *
kmalloc_cache_empty(size_t size, unsigned long irq)
{
	/* From the size again: the fast path keeps nothing live for this. */
	unsigned int spc = oc_off_of_size(size) / sizeof(struct objcache), cpu;
	void *p;

	if (unlikely(debug_on())) {
		port_irq_restore(irq);
		return debug_kmalloc(size,
				     (uintptr_t)__builtin_return_address(0));
	}
	cpu = port_cpu_id();
	if (unlikely(READ_ONCE(guard_interval)))
		return guard_kmalloc(spc, cpu, irq, size,
				     (uintptr_t)__builtin_return_address(0));
	p = cache_alloc_slow(spc, cpu);
	port_irq_restore(irq);
	return p;
}

/*
 * kmalloc() of a small size with flags its fast path does not take: tiny
 * pieces straight to tiny_alloc(), other GFP_NOSCAN requests back to the
 * fast path, __GFP_ZERO alone to the fast path and a memset, the rest to
 * kmalloc_slow_at() (a tail call, so it still sees kmalloc()'s caller).
 */
static __attribute__((noinline)) void *kmalloc_flagged(size_t size,
						       gfp_t flags)
{
	if ((flags & (__GFP_ZERO | __GFP_NOSCAN)) == __GFP_NOSCAN) {
		if (size < TINY_BLOCK && (size & 7) && !debug_on())
			return tiny_alloc(size);
		/* Not tiny: GFP_NOSCAN changes nothing else. */
		return kma_kmalloc(size, flags & ~__GFP_NOSCAN);
	}
	/*
	 * kzalloc(): the fast path, then zeroes, unless the debug mode or
	 * the guard pages record sites (theirs must be the caller's, which
	 * only the tail call keeps).
	 */
	if (!(flags & __GFP_NOSCAN) && likely(!debug_on()) &&
	    likely(!READ_ONCE(guard_interval))) {
		void *p = kma_kmalloc(size, flags & ~__GFP_ZERO);

		if (likely(p))
			mm_memset(p, 0, size);
		return p;
	}
	return kmalloc_slow_at(size, flags, 0, false);
}

/**
 * kmalloc - see kmalloc.h. The fast path: a small size, no flag that
 * needs work, the object freed last on this CPU in its class.
 */
void *kma_kmalloc(size_t size, gfp_t flags)
{
	unsigned long irq;
	unsigned int off;
	void *p;

	if (unlikely(size - 1 >= SC_MAX_SIZE))
		return kmalloc_slow_at(size, flags, 0, false);
	if (unlikely(flags & (__GFP_ZERO | __GFP_NOSCAN)))
		return kmalloc_flagged(size, flags);
	off = oc_off_of_size(size);
	p = kmalloc_fast_pop(off, &irq);
	if (unlikely(!p))
		return kmalloc_cache_empty(size, irq);
	return p;
}

/* See kmalloc.h. */
void *kma_kmalloc_caller(size_t size, gfp_t flags, uintptr_t caller)
{
	unsigned long irq;
	unsigned int off;
	void *p;

	if (unlikely(debug_on()) && size - 1 < SC_MAX_SIZE)
		return kmalloc_slow_at(size, flags, caller, false);
	/* Guard pages on: a refill here knows the caller. */
	if (unlikely(READ_ONCE(guard_interval)) && size - 1 < SC_MAX_SIZE &&
	    !(flags & (__GFP_ZERO | __GFP_NOSCAN))) {
		off = oc_off_of_size(size);
		irq = port_irq_save();
		p = objcache_pop(objcache_at(this_cpu_row(), off));
		if (p) {
			port_irq_restore(irq);
			return p;
		}
		return guard_kmalloc(off / sizeof(struct objcache),
				     port_cpu_id(), irq, size, caller);
	}
	return kma_kmalloc(size, flags);
}

void *kma_kzalloc(size_t size, gfp_t flags)
{
	return kmalloc(size, flags | __GFP_ZERO);
}

void *kma_kmalloc_array(size_t n, size_t size, gfp_t flags)
{
	size_t bytes;

	if (__builtin_mul_overflow(n, size, &bytes)) {
		mm_report(MM_ERR_BAD_SIZE, 0, n,
			  "kmalloc_array(%zu, %zu): size overflows", n, size);
		return NULL;
	}
	return kmalloc(bytes, flags);
}

void *kma_kcalloc(size_t n, size_t size, gfp_t flags)
{
	return kmalloc_array(n, size, flags | __GFP_ZERO);
}

void *kmalloc_aligned(size_t size, size_t align, gfp_t flags)
{
	struct span *s;
	unsigned int cls;

	if (!align || (align & (align - 1)) || align > CHUNK_SIZE) {
		mm_report(MM_ERR_BAD_ALIGN, 0, align,
			  "kmalloc_aligned(%zu, %zu): bad alignment", size,
			  align);
		return NULL;
	}
	if (!size)
		return ZERO_SIZE_PTR;
	if (align <= 8 || (align <= 16 && size > 8))
		return kmalloc(size, flags & ~__GFP_NOSCAN);
	if (align <= PAGE_SIZE && size <= SC_MAX_SIZE) {
		/* Span bases are page aligned: a class whose size is a
		 * multiple of align has every object aligned. */
		for (cls = sc_of_size(size); sc_size[cls] % align; cls++)
			;
		return kmalloc_slow_at(sc_size[cls], flags & ~__GFP_NOSCAN,
				(uintptr_t)__builtin_return_address(0), true);
	}
	if (align <= PAGE_SIZE)
		return large_alloc(size, flags);
	if (kma_size_too_large(size))
		return large_alloc(size, flags);	/* reports */
	s = heap_huge_alloc_aligned(size, align);
	if (!s) {
		kmalloc_pressure(size + align);
		s = heap_huge_alloc_aligned(size, align);
		if (!s)
			return NULL;
	}
	heap_reuse_resident(size);
	if (!large_take_zeroed(s) && (flags & __GFP_ZERO))
		mm_memset((void *)s->base, 0, size);
	return (void *)s->base;
}

/* Usable size, or 0 after reporting a bad pointer. */
static size_t obj_size(const char *fn, const void *p)
{
	uintptr_t va = (uintptr_t)p;
	struct span *s;
	int32_t idx;

	if (unlikely(guard_owns(va))) {
		size_t n = guard_size(va);

		if (!n)
			mm_report(MM_ERR_INVALID_FREE, va, 0,
				  "%s(%p): not a live guarded object", fn,
				  (void *)va);
		return n;
	}
	s = span_of(va);
	if (!s) {
		kmalloc_report_obj(MM_ERR_INVALID_FREE, fn, va, NULL,
				   "not a heap address");
		return 0;
	}
	switch (READ_ONCE(s->xstate)) {
	case SPAN_SMALL:
		idx = span_obj_index(s, va);
		if (READ_ONCE(s->spc) == SPC_TINY) {
			uint32_t blk = (uint32_t)((va - s->base) / TINY_BLOCK);
			size_t n = blk < s->nobjs && span_slot_out(s, blk) ?
				   tiny_size(s, va) : 0;

			if (!n)
				kmalloc_report_obj(MM_ERR_INVALID_FREE, fn, va, s,
						   "not a live tiny piece");
			return n;
		}
		if (!small_obj_live(s, va)) {
			report_bad_small(fn, s, va, idx);
			return 0;
		}
		/* The debug mode's redzone follows what was asked. */
		if (unlikely(debug_on()) && debug_obj_size(s, va))
			return debug_obj_size(s, va);
		/* A constructor cache keeps a word after each object. */
		if (READ_ONCE(s->spc) >= SPC_KCACHE &&
		    kcache_of(READ_ONCE(s->spc))->save_off)
			return kcache_of(READ_ONCE(s->spc))->save_off;
		return s->size;
	case SPAN_LARGE:
	case SPAN_HUGE:
		if (va == s->base)
			return (size_t)s->npages * PAGE_SIZE;
		kmalloc_report_obj(MM_ERR_INTERIOR_FREE, fn, va, s,
				   "not the start of a large object");
		return 0;
	default:
		kmalloc_report_obj(MM_ERR_INVALID_FREE, fn, va, s,
				   "address in free heap memory");
		return 0;
	}
}

size_t kma_ksize(const void *p)
{
	if ((uintptr_t)p <= (uintptr_t)ZERO_SIZE_PTR)
		return 0;
	return obj_size("ksize", p);
}

void *kma_krealloc(const void *p, size_t size, gfp_t flags)
{
	size_t old;
	void *n;

	if ((uintptr_t)p <= (uintptr_t)ZERO_SIZE_PTR)
		return kmalloc(size, flags);
	old = obj_size("krealloc", p);
	if (!old)
		return NULL;
	if (!size) {
		kfree(p);
		return ZERO_SIZE_PTR;
	}
	if (size <= old)
		return (void *)p;
	if (old > SC_MAX_SIZE && size <= HUGE_MIN &&
	    heap_grow_large(span_of((uintptr_t)p), size)) {
		if (flags & __GFP_ZERO)
			mm_memset((char *)p + old, 0, size - old);
		return (void *)p;
	}
	n = kmalloc(size, flags & ~__GFP_ZERO);
	if (!n)
		return NULL;
	mm_memcpy(n, p, old);
	if (flags & __GFP_ZERO)
		mm_memset((char *)n + old, 0, size - old);
	kfree(p);
	return n;
}

/* ------------------------------------------------------------ drain */

void kmalloc_drain_cpu(unsigned int cpu)
{
	if (cpu < heap_ncpus) {
		cache_drain(cpu);
		pressure_answered(cpu);
	}
}

void mm_cpu_offline(unsigned int cpu)
{
	kmalloc_drain_cpu(cpu);
	frame_drain_cpu(cpu);
}

size_t kmalloc_scavenge(void)
{
	kmalloc_reclaim();	/* (other CPUs' caches: the caller drains them) */
	return heap_scavenge(0);
}

int kmalloc_reserve(uint64_t bytes)
{
	if (!heap_ncpus) {
		mm_report(MM_ERR_BAD_SIZE, 0, 0,
			  "kmalloc_reserve before mm_init()");
		return -1;
	}
	return heap_reserve(bytes);
}

void kmalloc_set_scavenge_threshold(uint64_t bytes)
{
	unsigned long flags = spin_lock_irqsave(&heap.lock);

	WRITE_ONCE(heap.scavenge_threshold, bytes);	/* read unlocked */
	spin_unlock_irqrestore(&heap.lock, flags);
}

/**
 * kmalloc_lock_all - take every heap lock, in lock order (for fork()).
 *
 * Interrupts are left as they are; the host port has none.
 */
void kmalloc_lock_all(void)
{
	unsigned int spc;

	for (spc = 0; spc < NR_SPC; spc++)
		spin_lock(&centrals[spc].lock);
	spin_lock(&heap.lock);
}

/**
 * kmalloc_unlock_all - release what kmalloc_lock_all() took.
 */
void kmalloc_unlock_all(void)
{
	unsigned int spc = NR_SPC;

	spin_unlock(&heap.lock);
	while (spc--)
		spin_unlock(&centrals[spc].lock);
}

/**
 * kmalloc_fork_child - in a child of fork(), made while kmalloc_lock_all()
 * was held: start every heap lock afresh (parent threads that were
 * waiting hold tickets nobody in the child will serve).
 */
void kmalloc_fork_child(void)
{
	unsigned int spc;

	spin_lock_init_rank(&heap.lock, "heap", KMA_LOCK_RANK_HEAP);
	for (spc = 0; spc < NR_SPC; spc++)
		spin_lock_init_rank(&centrals[spc].lock, "central",
				    KMA_LOCK_RANK_CENTRAL);
}

/* ------------------------------------------------------------ init */

int mm_init(struct memmap *m)
{
	unsigned int spc, ncpus;

	for (spc = 1; spc < SC_NR; spc++) {
		if ((uint32_t)sc_pages[spc] * PAGE_SIZE / sc_size[spc] >
		    SPAN_MAX_OBJS) {
			mm_printf("mm: class %u has too many objects per span\n",
				  spc);
			return -1;
		}
	}
	if (frame_init(m))
		return -1;
	if (heap_init(m))
		return -1;
	for (spc = 0; spc < NR_SPC; spc++)
		spin_lock_init_rank(&centrals[spc].lock, "central",
				    KMA_LOCK_RANK_CENTRAL);
	ncpus = port_cpu_count();
	if (ncpus > PORT_MAX_CPUS)
		ncpus = PORT_MAX_CPUS;
	if (cpucache_init(ncpus))
		return -1;
	heap_ncpus = ncpus;
	lockdep_start();
	return debug_init();
}
