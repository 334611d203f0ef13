// SPDX-License-Identifier: MIT
/*
 * kmalloc.c - the object heap: kmalloc, kfree and friends, and the CPU
 * caches. The tiny allocator is in tiny.c, objects from the frame
 * allocator in large.c, statistics and the validator in heap_stats.c.
 *
 * DOC: Design
 *
 * The Go runtime's allocator on bare metal, with explicit frees.
 *
 * Glossary: a *frame* is a physical 4 KiB page (frame allocator); a
 * *page* is a 4 KiB unit of the heap; a *span* is a run of pages holding
 * objects of one *size class* (mm/sizeclasses.c), or one large object; a
 * *central* holds the spans of one class that no CPU holds; a *CPU cache*
 * holds one span per class for its CPU and allocates from it without
 * locks; the *page heap* (pageheap.c) carves 2 MiB chunks from the frame
 * allocator into spans.
 *
 * Allocating a small object (size <= 32 KiB):
 *  1. round the size up to its class with the O(1) lookup tables;
 *  2. disable interrupts, find this CPU's cache and its span for the class;
 *  3. the span's alloc_cache is a 64-bit window of its free-slot bitmap
 *     starting at freeindex: count trailing zeros to find a free slot,
 *     shift the window, advance freeindex; base + index * size is the
 *     object. No lock, no atomic read-modify-write;
 *  4. if the window is empty, load the next window (span_refill_cache());
 *  5. if the span is exhausted but received frees, sweep it: fold its
 *     free bits into the allocation bits and start again at slot 0;
 *  6. otherwise hand it to its central (swept, to partial or full, or to
 *     the page heap if empty) and take a partial span from the central,
 *     or a new span from the page heap, which grows by a chunk from the
 *     frame allocator when it must.
 *
 * Freeing a small object (any CPU):
 *  1. the page map (two levels, by address) gives the span in O(1);
 *  2. (pointer - base) * magic >> 32 gives the slot without a division;
 *     a pointer that is not a slot start is an interior pointer;
 *  3. the slot must be allocated: below freeindex or set in alloc_bits;
 *  4. one atomic OR sets the slot's bit in xfree_bits; if the bit was
 *     already set the object was already freed. No lock;
 *  5. if the span sits on its central's full list, the free moves it to
 *     partial under the central lock (once per span and sweep).
 * Freed slots are reused after the span's next sweep (step 5 above),
 * done by whoever owns the span at that moment.
 *
 * Tiny objects (GFP_NOSCAN, under 16 bytes) are packed into 16-byte
 * blocks of a dedicated span class; see tiny_alloc().
 *
 * Large objects (above 32 KiB, up to 1 MiB) are spans of their own from
 * the page heap; huge ones come straight from the frame allocator.
 *
 * Locking: CPU caches are used with interrupts off and no lock; see
 * heap.h for the lock order central -> heap -> frame.
 */
#include <frame.h>
#include <kmalloc.h>
#include <mm_report.h>
#include "heap.h"

struct span empty_span = { .xowner = -1 };

/*
 * CPU caches live in the image, ready before mm_init(): every span
 * pointer starts at empty_span, so a premature kmalloc() falls to the
 * slow path, which reports it.
 */
struct cpu_cache caches[PORT_MAX_CPUS] = {
	[0 ... PORT_MAX_CPUS - 1] = {
		.alloc = { [0 ... NR_SPC - 1] = &empty_span },
	},
};
unsigned int heap_ncpus;

/* ------------------------------------------------------------ reports */

__attribute__((noinline, cold)) void
kmalloc_report_obj(enum mm_error err, const char *fn, uintptr_t va, struct span *s,
	   const char *what)
{
	unsigned int spc = s ? READ_ONCE(s->spc) : 0;

	mm_report(err, va, spc,
		  "%s(%p): %s (class %u, size %u, span %p)", fn, (void *)va,
		  what, spc, s ? s->size : 0, s ? (void *)s->base : NULL);
}

/* Classify a pointer that did not pass the fast checks. */
static __attribute__((noinline, cold)) void
report_bad_small(const char *fn, struct span *s, uintptr_t va, uint32_t idx,
		 bool was_freed)
{
	uint32_t fi = __atomic_load_n(&s->freeindex, __ATOMIC_RELAXED);
	uint32_t hwm = s->hwm > fi ? s->hwm : fi;

	if (was_freed)
		kmalloc_report_obj(MM_ERR_DOUBLE_FREE, fn, va, s, "object already freed");
	else if (idx * s->size != va - s->base || idx >= s->nobjs)
		kmalloc_report_obj(MM_ERR_INTERIOR_FREE, fn, va, s,
			   "not the start of an object");
	else if (idx >= hwm)
		kmalloc_report_obj(MM_ERR_INVALID_FREE, fn, va, s,
			   "slot never allocated");
	else
		kmalloc_report_obj(MM_ERR_DOUBLE_FREE, fn, va, s, "object not allocated");
}

/* ------------------------------------------------------------ CPU cache */

/* Take the slot the span's window shows first. Window non-empty. */
static inline void *span_take(struct span *s, uint64_t ac)
{
	unsigned int tz = (unsigned int)__builtin_ctzll(ac);
	uint32_t idx = __atomic_load_n(&s->freeindex, __ATOMIC_RELAXED) + tz;

	s->alloc_cache = (ac >> tz) >> 1;
	__atomic_store_n(&s->freeindex, idx + 1, __ATOMIC_RELAXED);
	return (void *)(s->base + (uintptr_t)idx * s->size);
}

static void reclaim_all(void)
{
	unsigned int spc;

	for (spc = 1; spc < NR_SPC; spc++)
		central_reclaim(spc);
}

/*
 * The cache's span for @spc has no free slot in its window: refill,
 * sweep, or trade it in. Interrupts are off.
 */
static __attribute__((noinline)) void *
cache_alloc_slow(struct cpu_cache *c, unsigned int spc, unsigned int cpu)
{
	struct span *s = c->alloc[spc];

	if (unlikely(!heap_ncpus)) {
		mm_report(MM_ERR_BAD_SIZE, 0, spc,
			  "kmalloc before mm_init() on cpu %u", cpu);
		return NULL;
	}
	if (s != &empty_span) {
		if (span_refill_cache(s))
			return span_take(s, s->alloc_cache);
		if (span_has_frees(s)) {
			span_sweep(s);
			if (s->alloc_cache)
				return span_take(s, s->alloc_cache);
		}
		c->alloc[spc] = &empty_span;
		central_uncache_span(s);
	}
	s = central_cache_span(spc, cpu);
	if (unlikely(!s)) {
		/* Out of memory: empty spans of other classes may help. */
		reclaim_all();
		heap_scavenge(0);
		s = central_cache_span(spc, cpu);
		if (!s)
			return NULL;
	}
	c->alloc[spc] = s;
	return span_take(s, s->alloc_cache);
}

/* Allocate from span class @spc with interrupts already off. */
void *cache_alloc_irqoff(unsigned int spc, unsigned int cpu)
{
	struct cpu_cache *c = cpu_cache_of(cpu);
	struct span *s = c->alloc[spc];
	uint64_t ac = s->alloc_cache;

	if (likely(ac))
		return span_take(s, ac);
	return cache_alloc_slow(c, spc, cpu);
}

static inline void *cache_alloc(unsigned int spc)
{
	unsigned long flags = port_irq_save();
	void *p = cache_alloc_irqoff(spc, port_cpu_id());

	port_irq_restore(flags);
	return p;
}


/* ------------------------------------------------------------ free */

/* Free a slot of a SMALL span; validates and reports. */
static inline __attribute__((always_inline)) void
small_free(struct span *s, uintptr_t va)
{
	uint32_t off = (uint32_t)(va - s->base);
	uint32_t idx = (uint32_t)(((uint64_t)off * s->magic) >> 32);
	uint64_t bit = 1ULL << (idx & 63), old;
	unsigned int spc = READ_ONCE(s->spc);

	if (unlikely(idx * s->size != off || !span_obj_allocated(s, idx))) {
		report_bad_small("kfree", s, va, idx, false);
		return;
	}
	old = __atomic_fetch_or(&s->xfree_bits[idx >> 6], bit,
				__ATOMIC_SEQ_CST);
	if (unlikely(old & bit)) {
		report_bad_small("kfree", s, va, idx, true);
		return;
	}
	/*
	 * From here on the span may be swept, emptied and its descriptor
	 * reused by its owner: only an atomic field is read, and
	 * central_free_notify() looks the span up again under the lock.
	 */
	if (unlikely(__atomic_load_n(&s->xlist, __ATOMIC_SEQ_CST) == LIST_FULL))
		central_free_notify(spc, va);
}

__attribute__((noinline)) void kfree_small_slow(struct span *s, uintptr_t va)
{
	small_free(s, va);
}

static __attribute__((noinline)) void kfree_slow(struct span *s, uintptr_t va)
{
	uint8_t expect = SPAN_LARGE;

	if (!s) {
		kmalloc_report_obj(MM_ERR_INVALID_FREE, "kfree", va, NULL,
			   "not a heap address");
		return;
	}
	switch (READ_ONCE(s->xstate)) {
	case SPAN_SMALL:
		if (READ_ONCE(s->spc) == SPC_TINY)
			tiny_free("kfree", s, va);
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
		if (READ_ONCE(s->xstate) == SPAN_HUGE) {
			heap_huge_free(s);
			return;
		}
		if (!__atomic_compare_exchange_n(&s->xstate, &expect, SPAN_DEAD,
						 false, __ATOMIC_ACQ_REL,
						 __ATOMIC_RELAXED)) {
			kmalloc_report_obj(MM_ERR_DOUBLE_FREE, "kfree", va, s,
				   "large object already freed");
			return;
		}
		heap_free_span(s, true);
		return;
	default:
		kmalloc_report_obj(MM_ERR_INVALID_FREE, "kfree", va, s,
			   "address in free heap memory");
		return;
	}
}

void kfree(const void *p)
{
	uintptr_t va = (uintptr_t)p;
	struct span *s;

	if (unlikely(va <= (uintptr_t)ZERO_SIZE_PTR))
		return;
	s = span_of(va);
	if (likely(s && READ_ONCE(s->xstate) == SPAN_SMALL &&
		   READ_ONCE(s->spc) != SPC_TINY)) {
		small_free(s, va);
		return;
	}
	kfree_slow(s, va);
}

/* ------------------------------------------------------------ alloc */

static void *large_alloc(size_t size, gfp_t flags)
{
	struct span *s;
	void *p;

	if (unlikely(size > KMALLOC_MAX_SIZE)) {
		mm_report(MM_ERR_BAD_SIZE, 0, size,
			  "kmalloc(%llu): size too large",
			  (unsigned long long)size);
		return NULL;
	}
	if (size <= HUGE_MIN) {
		uint32_t npages = (uint32_t)((size + PAGE_SIZE - 1) >> PAGE_SHIFT);
		/* Power-of-two sizes are naturally aligned. */
		uint32_t align = (size & (size - 1)) ? 1 : npages;

		s = heap_alloc_span(npages, align, true);
		if (!s) {
			reclaim_all();
			heap_scavenge(0);
			s = heap_alloc_span(npages, align, true);
		}
		if (s)
			s->size = (uint32_t)size;
	} else if (!(size & (size - 1)) &&
		   size <= (PAGE_SIZE << FRAME_MAX_ORDER)) {
		s = heap_huge_alloc_aligned(size, size);
		if (!s) {
			reclaim_all();
			heap_scavenge(0);
			s = heap_huge_alloc_aligned(size, size);
		}
	} else {
		s = heap_huge_alloc(size);
		if (!s) {
			reclaim_all();
			heap_scavenge(0);
			s = heap_huge_alloc(size);
		}
	}
	if (!s)
		return NULL;
	p = (void *)s->base;
	if (flags & __GFP_ZERO)
		mm_memset(p, 0, size);
	return p;
}

static __attribute__((noinline)) void *kmalloc_flags(size_t size, gfp_t flags)
{
	void *p;

	if ((flags & __GFP_NOSCAN) && size < TINY_BLOCK)
		p = tiny_alloc(size);
	else
		p = cache_alloc(sc_of_size(size));
	if (p && (flags & __GFP_ZERO))
		mm_memset(p, 0, size);
	return p;
}

void *kmalloc(size_t size, gfp_t flags)
{
	if (likely(size - 1 < SC_MAX_SIZE)) {
		if (likely(!flags))
			return cache_alloc(sc_of_size(size));
		return kmalloc_flags(size, flags);
	}
	if (!size)
		return ZERO_SIZE_PTR;
	return large_alloc(size, flags);
}

void *kzalloc(size_t size, gfp_t flags)
{
	return kmalloc(size, flags | __GFP_ZERO);
}

void *kmalloc_array(size_t n, size_t size, gfp_t flags)
{
	size_t bytes;

	if (__builtin_mul_overflow(n, size, &bytes)) {
		mm_report(MM_ERR_BAD_SIZE, 0, n,
			  "kmalloc_array(%zu, %zu): size overflows", n, size);
		return NULL;
	}
	return kmalloc(bytes, flags);
}

void *kcalloc(size_t n, size_t size, gfp_t flags)
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
		return kmalloc_flags(sc_size[cls], flags & ~__GFP_NOSCAN);
	}
	if (align <= PAGE_SIZE)
		return large_alloc(size, flags);
	if (size > KMALLOC_MAX_SIZE)
		return large_alloc(size, flags);	/* reports */
	s = heap_huge_alloc_aligned(size, align);
	if (!s)
		return NULL;
	if (flags & __GFP_ZERO)
		mm_memset((void *)s->base, 0, size);
	return (void *)s->base;
}

/* Usable size, or 0 after reporting a bad pointer. */
static size_t obj_size(const char *fn, const void *p)
{
	uintptr_t va = (uintptr_t)p;
	struct span *s;
	uint32_t off, idx;

	s = span_of(va);
	if (!s) {
		kmalloc_report_obj(MM_ERR_INVALID_FREE, fn, va, NULL,
			   "not a heap address");
		return 0;
	}
	switch (READ_ONCE(s->xstate)) {
	case SPAN_SMALL:
		off = (uint32_t)(va - s->base);
		idx = (uint32_t)(((uint64_t)off * s->magic) >> 32);
		if (READ_ONCE(s->spc) == SPC_TINY) {
			size_t n = idx < s->nobjs && span_obj_allocated(s, idx) ?
				   tiny_size(s, va) : 0;

			if (!n)
				kmalloc_report_obj(MM_ERR_INVALID_FREE, fn, va, s,
					   "not a live tiny piece");
			return n;
		}
		if (idx * s->size != off || !span_obj_allocated(s, idx) ||
		    ((__atomic_load_n(&s->xfree_bits[idx >> 6],
				      __ATOMIC_RELAXED) >> (idx & 63)) & 1)) {
			report_bad_small(fn, s, va, idx,
					 idx * s->size == off &&
					 span_obj_allocated(s, idx));
			return 0;
		}
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

size_t ksize(const void *p)
{
	if ((uintptr_t)p <= (uintptr_t)ZERO_SIZE_PTR)
		return 0;
	return obj_size("ksize", p);
}

void *krealloc(const void *p, size_t size, gfp_t flags)
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
	struct cpu_cache *c;
	unsigned long flags;
	unsigned int spc;

	if (cpu >= heap_ncpus)
		return;
	c = cpu_cache_of(cpu);
	flags = port_irq_save();
	tiny_retire(c);
	for (spc = 1; spc < NR_SPC; spc++) {
		struct span *s = c->alloc[spc];

		if (s == &empty_span)
			continue;
		c->alloc[spc] = &empty_span;
		central_uncache_span(s);
	}
	port_irq_restore(flags);
}

void mm_cpu_offline(unsigned int cpu)
{
	kmalloc_drain_cpu(cpu);
	frame_drain_cpu(cpu);
}

size_t kmalloc_scavenge(void)
{
	reclaim_all();
	return heap_scavenge(0);
}

void kmalloc_set_scavenge_threshold(uint64_t bytes)
{
	unsigned long flags = spin_lock_irqsave(&heap.lock);

	heap.scavenge_threshold = bytes;
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

	spin_lock_init(&heap.lock, "heap");
	for (spc = 0; spc < NR_SPC; spc++)
		spin_lock_init(&centrals[spc].lock, "central");
}

/* ------------------------------------------------------------ init */

int mm_init(struct memmap *m)
{
	unsigned int spc;

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
		spin_lock_init(&centrals[spc].lock, "central");
	heap_ncpus = port_cpu_count();
	if (heap_ncpus > PORT_MAX_CPUS)
		heap_ncpus = PORT_MAX_CPUS;
	return 0;
}
