// SPDX-License-Identifier: MIT
/*
 * large.c - objects above SC_MAX_SIZE: LARGE ones (up to HUGE_MIN) are
 * spans of their own from the page heap; HUGE ones come straight from the
 * frame allocator (a buddy block or a frame run registered in the page
 * map). Both with a per-CPU cache of spans freed lately.
 *
 * Owns: large_caches[] (per CPU, touched by its CPU with interrupts off,
 * or drained by cache_drain() under the rules of a CPU drain); HUGE span
 * descriptors and the frames behind them.
 *
 * A LARGE or HUGE span freed on a CPU whose large cache has room stays as
 * it is, carved and in the page map: its state goes LARGE or HUGE -> DEAD
 * (one compare-and-swap, so a second free, or ksize(), is reported) and
 * the cache keeps it; the next allocation on that CPU of the same page
 * count or up to an eighth fewer (and the alignment) takes it back
 * without a shared lock, in
 * O(LARGE_CACHE_SLOTS). At most LARGE_CACHE_SLOTS spans per CPU, of which
 * LARGE_CACHE_BYTES of LARGE spans and cache_grow_bytes (the CPU caches'
 * growth budget: none on a machine too small for growth, cpucache.c) of
 * HUGE ones; the page heap counts them as large and huge bytes until the
 * cache gives them back (a drain: memory pressure, CPU offline, thread
 * exit on the host).
 *
 * Locking: heap.lock for the page map and the counters; the frames are
 * taken and given back outside it.
 */
#include <kma/frame.h>
#include <kma/mm_report.h>
#include "heap.h"

#define LARGE_CACHE_SLOTS	8u
#define LARGE_CACHE_BYTES	(2u << 20)

struct large_cache {
	struct span *s[LARGE_CACHE_SLOTS];
	uint32_t n;
	uint32_t bytes;		/* of LARGE spans */
};

static struct large_cache large_caches[PORT_MAX_CPUS];
/* Bytes of HUGE spans in each CPU's large cache, apart from it. */
static size_t large_hbytes[PORT_MAX_CPUS];
/* Whether each CPU's large cache gave a span back since the last decay. */
static uint8_t large_used[PORT_MAX_CPUS];

static void heap_huge_release(struct span *s);

/*
 * Whether @s is a HUGE span (from the frame allocator), not a LARGE one
 * (from the page heap), whatever its state: only a HUGE span has a
 * huge_order (a HUGE block is at least 2 pages: heap_huge_alloc_aligned()).
 */
static bool span_huge(const struct span *s)
{
	return s->huge_order != 0;
}

/*
 * The LARGE spans of a large cache have at most this many pages, the HUGE
 * ones more (it takes no HUGE span of fewer: kmalloc_aligned()'s small
 * blocks), so the page count asked for tells the kind.
 */
#define LARGE_MAX_PAGES	((uint32_t)(HUGE_MIN / PAGE_SIZE))

/*
 * A cached span of @npages pages, or of up to an eighth more (the waste
 * the size classes allow), at a multiple of @align pages: the closest
 * fit, or NULL. @huge: whether @npages is above LARGE_MAX_PAGES (a
 * constant at each call site); a LARGE request never takes a HUGE span.
 */
static inline __attribute__((always_inline)) struct span *
large_cache_take(uint32_t npages, uint32_t align, bool huge)
{
	unsigned long irq = port_irq_save();
	unsigned int cpu = port_cpu_id();
	struct large_cache *lc = &large_caches[cpu];
	uintptr_t mask = (uintptr_t)align * PAGE_SIZE - 1;
	uint32_t i, best = lc->n, extra = npages / 8 + 1;
	struct span *s = NULL;

	for (i = 0; i < lc->n; i++) {
		uint32_t np = lc->s[i]->npages;

		if (np < npages || np - npages >= extra ||
		    (lc->s[i]->base & mask) ||
		    (!huge && np > LARGE_MAX_PAGES))
			continue;
		best = i;
		extra = np - npages;
		if (!extra)
			break;
	}
	if (best < lc->n) {
		s = lc->s[best];
		lc->s[best] = lc->s[--lc->n];
		large_used[cpu] = 1;
		if (huge)
			large_hbytes[cpu] -= (size_t)s->npages * PAGE_SIZE;
		else
			lc->bytes -= s->npages * (uint32_t)PAGE_SIZE;
	}
	port_irq_restore(irq);
	return s;
}

/**
 * large_free - give back a LARGE span whose state the caller moved from
 * LARGE to DEAD: to this CPU's large cache if it has room, else to the
 * page heap.
 * @s: the span.
 */
void large_free(struct span *s)
{
	unsigned long irq = port_irq_save();
	struct large_cache *lc = &large_caches[port_cpu_id()];
	uint32_t bytes = s->npages * (uint32_t)PAGE_SIZE;

	if (heap_ncpus && lc->n < LARGE_CACHE_SLOTS &&
	    lc->bytes + bytes <= LARGE_CACHE_BYTES) {
		lc->s[lc->n++] = s;
		lc->bytes += bytes;
		port_irq_restore(irq);
		return;
	}
	port_irq_restore(irq);
	heap_free_span(s, true);
}

/**
 * huge_free - give back a HUGE span whose state the caller moved from
 * HUGE to DEAD: to this CPU's large cache if it has room (and the span
 * more than LARGE_MAX_PAGES pages), else its frames to the frame
 * allocator.
 * @s: the span.
 */
void huge_free(struct span *s)
{
	unsigned long irq = port_irq_save();
	unsigned int cpu = port_cpu_id();
	struct large_cache *lc = &large_caches[cpu];
	size_t bytes = (size_t)s->npages * PAGE_SIZE;

	if (heap_ncpus && lc->n < LARGE_CACHE_SLOTS &&
	    s->npages > LARGE_MAX_PAGES &&
	    large_hbytes[cpu] + bytes <= cache_grow_bytes) {
		lc->s[lc->n++] = s;
		large_hbytes[cpu] += bytes;
		port_irq_restore(irq);
		return;
	}
	port_irq_restore(irq);
	heap_huge_release(s);
}

/**
 * large_cache_decay - a decay period ended: give back @cpu's cached spans
 * if none was taken from the cache since the last one, so that spans
 * freed for sizes nobody asks for again do not stay with a CPU.
 * @cpu: the calling CPU.
 */
void large_cache_decay(unsigned int cpu)
{
	if (!READ_ONCE(large_used[cpu]) && large_cache_holds(cpu))
		large_cache_drain(cpu);
	WRITE_ONCE(large_used[cpu], 0);
}

/** large_cache_holds - whether @cpu's large cache holds a span (racy). */
bool large_cache_holds(unsigned int cpu)
{
	return READ_ONCE(large_caches[cpu].n) != 0;
}

/**
 * large_cache_drain - give every span of @cpu's large cache back to the
 * page heap (LARGE) or the frame allocator (HUGE).
 * @cpu: the calling CPU, or one that is not using the allocator.
 */
void large_cache_drain(unsigned int cpu)
{
	struct large_cache *lc = &large_caches[cpu];
	unsigned long irq = port_irq_save();

	while (lc->n) {
		struct span *s = lc->s[--lc->n];
		bool huge = span_huge(s);

		if (huge)
			large_hbytes[cpu] -= (size_t)s->npages * PAGE_SIZE;
		else
			lc->bytes -= s->npages * (uint32_t)PAGE_SIZE;
		port_irq_restore(irq);
		cache_handover_fence();
		if (huge)
			heap_huge_release(s);
		else
			heap_free_span(s, true);
		irq = port_irq_save();
	}
	port_irq_restore(irq);
}

/*
 * Resident free memory. Giving a freed large object's pages back to the
 * host at once costs a fault per page when the memory is used again: a
 * program that frees and allocates large objects in turn pays it on every
 * operation (measured, the large-object benchmark: 400,000 page faults
 * for 2,000 objects when only a quarter of the live bytes stayed
 * resident, 119,000 with as much as the live bytes, 33,000 when all
 * stays, which is what the program touches once). So freed large and
 * huge objects stay resident, as in tcmalloc and jemalloc, and time
 * bounds what stays: the decay (decay.c) gives back what has been free
 * for a whole period. A scavenger threshold of 0
 * (kmalloc_set_scavenge_threshold()) releases everything at its free.
 * heap.resident_free estimates what is kept, for the decay: a free adds
 * what it keeps, a large allocation from the heap or the frame allocator
 * subtracts its size (it most likely reuses kept memory), a release
 * subtracts what it releases. Atomic, no lock: an estimate.
 *
 * heap_retain_limit() is the page heap's scavenging trigger: idle chunks
 * beyond the larger of the threshold and a quarter of the live large and
 * huge bytes go back to the frame allocator (the threshold alone on a
 * port that releases nothing).
 */
uint64_t heap_retain_limit(void)
{
	uint64_t keep = READ_ONCE(heap.scavenge_threshold);
#ifdef PORT_MEM_RELEASE_NONE
	return keep;	/* nothing is released: no refault to avoid */
#endif
	uint64_t live = (__atomic_load_n(&heap.large_bytes, __ATOMIC_RELAXED) +
			 __atomic_load_n(&heap.huge_bytes, __ATOMIC_RELAXED)) / 4;

	return keep && live > keep ? live : keep;
}

bool heap_keep_resident(size_t bytes)
{
	if (!READ_ONCE(heap.scavenge_threshold))
		return false;
	__atomic_fetch_add(&heap.resident_free, bytes, __ATOMIC_RELAXED);
	return true;
}

void heap_reuse_resident(size_t bytes)
{
	unsigned long cur = __atomic_load_n(&heap.resident_free,
					    __ATOMIC_RELAXED);
	unsigned long next;

	do {
		next = cur > bytes ? cur - bytes : 0;
	} while (!__atomic_compare_exchange_n(&heap.resident_free, &cur, next,
					      false, __ATOMIC_RELAXED,
					      __ATOMIC_RELAXED));
	/* A racy minimum: an estimate for the decay (decay.c). */
	if (next < __atomic_load_n(&heap.resident_low, __ATOMIC_RELAXED))
		__atomic_store_n(&heap.resident_low, next, __ATOMIC_RELAXED);
}

/*
 * A HUGE object of @size bytes: a span of this CPU's large cache of the
 * page count (and alignment) the frame allocator would give, else a new
 * one. A power of two up to the largest buddy block is a block, so
 * naturally aligned; any other size a run of whole pages.
 */
static __attribute__((noinline)) struct span *huge_alloc(size_t size)
{
	size_t npages = (size + PAGE_SIZE - 1) >> PAGE_SHIFT;
	bool pow2 = !(size & (size - 1)) &&
		    size <= (PAGE_SIZE << FRAME_MAX_ORDER);
	struct span *s;

	_Static_assert(KMALLOC_MAX_SIZE / PAGE_SIZE <= UINT32_MAX,
		       "a span's page count fits 32 bits");
	s = large_cache_take((uint32_t)npages, pow2 ? (uint32_t)npages : 1,
			     true);
	if (s) {
		s->size = (uint32_t)(size > UINT32_MAX ? 0 : size);
		__atomic_store_n(&s->xstate, SPAN_HUGE, __ATOMIC_RELEASE);
		return s;
	}
	s = pow2 ? heap_huge_alloc_aligned(size, size) : heap_huge_alloc(size);
	if (s)
		heap_reuse_resident(size);
	return s;
}

/**
 * large_alloc - an object above SC_MAX_SIZE.
 * @size: bytes.
 * @flags: GFP flags (__GFP_ZERO honoured).
 *
 * Power-of-two sizes are naturally aligned. On failure the memory
 * pressure ladder runs once (kmalloc_pressure()).
 *
 * Return: the object, or NULL.
 */
void *large_alloc(size_t size, gfp_t flags)
{
	struct span *s;
	bool zero;
	void *p;
	int tries;

	if (unlikely(kma_size_too_large(size))) {
		mm_report(MM_ERR_BAD_SIZE, 0, size,
			  "kmalloc(%llu): size too large",
			  (unsigned long long)size);
		return NULL;
	}
	for (tries = 0; tries < 2; tries++) {
		if (size <= HUGE_MIN) {
			uint32_t npages = (uint32_t)((size + PAGE_SIZE - 1) >>
						     PAGE_SHIFT);
			uint32_t align = (size & (size - 1)) ? 1 : npages;

			s = large_cache_take(npages, align, false);
			if (!s) {
				s = heap_alloc_span(npages, align, true);
				if (s)
					heap_reuse_resident(size);
			}
			if (s) {
				s->size = (uint32_t)size;
				__atomic_store_n(&s->xstate, SPAN_LARGE,
						 __ATOMIC_RELEASE);
			}
		} else {
			s = huge_alloc(size);
		}
		if (s)
			break;
		if (!tries)
			kmalloc_pressure(size);
	}
	if (!s)
		return NULL;
	p = (void *)s->base;
	zero = large_take_zeroed(s);
	if ((flags & __GFP_ZERO) && !zero)
		mm_memset(p, 0, size);
	return p;
}

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
				  uint8_t order, size_t bytes, bool zero);

struct span *heap_huge_alloc(size_t bytes)
{
	size_t npages = (bytes + PAGE_SIZE - 1) >> PAGE_SHIFT;
	phys_addr_t pa;
	bool zero;

	if (npages > UINT32_MAX || mm_fault(MM_FAULT_HUGE))
		return NULL;
	pa = frame_alloc_run_fresh(npages, &zero); /* on failure large_alloc() */
	if (pa == FRAME_NONE)			  /* climbs the pressure ladder */
		return NULL;
	return huge_register(pa, npages, 0xff, bytes, zero);
}

/**
 * heap_huge_alloc_aligned - a HUGE object aligned to @align bytes.
 * @bytes: size.
 * @align: power of two above PAGE_SIZE, at most 2^FRAME_MAX_ORDER pages.
 *
 * Served by one buddy block of the frame allocator, which is naturally
 * aligned; above the largest block, by a run whose length is a multiple
 * of @align (a run is aligned to the largest power of two dividing its
 * length), so at most @align - PAGE_SIZE bytes are added.
 *
 * Return: the span, or NULL.
 */
struct span *heap_huge_alloc_aligned(size_t bytes, size_t align)
{
	size_t npages = (bytes + PAGE_SIZE - 1) >> PAGE_SHIFT;
	size_t apages = align / PAGE_SIZE;
	unsigned int order = 0;
	phys_addr_t pa;
	bool zero;

	if (mm_fault(MM_FAULT_HUGE))
		return NULL;
	if (npages < apages)
		npages = apages;
	if (npages > (1UL << FRAME_MAX_ORDER)) {
		npages = (npages + apages - 1) & ~(apages - 1);
		if (npages > UINT32_MAX)
			return NULL;
		pa = frame_alloc_run_fresh(npages, &zero);
		if (pa == FRAME_NONE)
			return NULL;
		if (pa & (align - 1)) {		/* against the run's contract */
			frame_free_run(pa, npages);
			mm_report(MM_ERR_CORRUPT, (uintptr_t)pa, align,
				  "frame_alloc_run(%zu) gave 0x%llx, not "
				  "aligned to %zu", npages,
				  (unsigned long long)pa, align);
			return NULL;
		}
		return huge_register(pa, npages, 0xff, bytes, zero);
	}
	while ((1UL << order) < npages)
		order++;
	pa = frame_alloc_fresh(order, &zero);
	if (pa == FRAME_NONE)
		return NULL;
	return huge_register(pa, 1UL << order, (uint8_t)order, bytes, zero);
}

static struct span *huge_register(phys_addr_t pa, size_t npages,
				  uint8_t order, size_t bytes, bool zero)
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
	s->zeroed = zero;
	WRITE_ONCE(s->xstate, SPAN_HUGE);
	s->size = (uint32_t)(bytes > UINT32_MAX ? 0 : bytes);
	s->xowner = -1;
	pagemap_set(va, s->npages, s, false);
	heap_count(&heap.huge_bytes, (long)(npages * PAGE_SIZE));
	spin_unlock_irqrestore(&heap.lock, flags);
	return s;
}

/*
 * heap_huge_release - give a HUGE object whose state is DEAD back to the
 * frame allocator: out of the page map, its descriptor freed.
 * @s: its span, no longer in any large cache.
 */
static void heap_huge_release(struct span *s)
{
	unsigned long flags;
	uintptr_t va = s->base;
	uint32_t npages = s->npages;
	uint8_t order = s->huge_order;

	flags = spin_lock_irqsave(&heap.lock);
	heap.nlocks++;
	pagemap_set(va, npages, NULL, true);
	heap_meta_free(&heap.span_fa, s);
	heap_count(&heap.huge_bytes, -(long)(npages * PAGE_SIZE));
	spin_unlock_irqrestore(&heap.lock, flags);
	if (!heap_keep_resident((size_t)npages * PAGE_SIZE))
		port_mem_release((void *)va, (size_t)npages * PAGE_SIZE);
	huge_give_back(port_virt_to_phys((void *)va), npages, order);
}
